//! The regional trading venue (区域碳市场交易): a continuous limit order book per (kind,
//! vintage), matched in price-time priority, settled in the registry.
//!
//! - An order (`Op::Order`) is matched at once against the other side
//!   of its book: best price first, then the earliest order at that price. Each trade is at
//!   the resting order's price, for the smaller of the two remaining quantities (partial
//!   fills); what is left of the incoming order rests in the book.
//! - A sell order reserves its units (`Status::Reserved`) when it is placed: they can no
//!   longer be transferred, pledged, surrendered, cancelled or offered twice. A trade moves
//!   the traded part of them to the buyer (delivery versus payment, `amount_fen` = price x
//!   units recorded on the trade); a cancel makes the rest available again.
//! - An order that would trade with a resting order of its own enterprise is refused
//!   (no self-trades).
//! - Prices are yuan per tonne with at most two decimals (a tick of one fen); the log and
//!   all money are integer fen.
//!
//! Replaying the log re-checks the matching: a trade must be between the newest order and
//! the best resting order of the other side, at the resting price, and no book is ever left
//! crossed (best bid below best ask) when the next order arrives or at the end.

use crate::commands::{Op, Plan};
use crate::error::AssetError;
use crate::event::{BlockId, Change, OrderId, Side};
use crate::ledger::{Ledger, Status};
use crate::venue::{Book, Daily, Level, Order, OrderState, Trade, price_fen, yuan};
use rust_decimal::Decimal;
use std::collections::BTreeMap;

/// Whether a bid at `bid` and an ask at `ask` (fen) trade.
fn crosses(bid: u64, ask: u64) -> bool {
    bid >= ask
}

impl Ledger {
    /// Every order, open and closed, by id.
    pub fn orders(&self) -> impl Iterator<Item = &Order> {
        self.orders.values()
    }

    pub fn order(&self, id: OrderId) -> Option<&Order> {
        self.orders.get(&id)
    }

    /// Every trade in execution order.
    pub fn trades(&self) -> &[Trade] {
        &self.trades
    }

    /// Open orders of one side of a book in priority order: best price first (highest bid,
    /// lowest ask), then earliest.
    pub fn queue(&self, kind: &str, vintage: i32, side: Side) -> Vec<&Order> {
        let mut q: Vec<&Order> = self
            .open_orders
            .iter()
            .filter_map(|id| self.orders.get(id))
            .filter(|o| {
                o.state == OrderState::Open
                    && o.side == side
                    && o.kind == kind
                    && o.vintage == vintage
            })
            .collect();
        q.sort_by(|a, b| {
            let price = match side {
                Side::Buy => b.price_fen.cmp(&a.price_fen),
                Side::Sell => a.price_fen.cmp(&b.price_fen),
            };
            price.then(a.id.cmp(&b.id))
        });
        q
    }

    /// The book of (kind, vintage), aggregated per price level, best first.
    pub fn book(&self, kind: &str, vintage: i32) -> Book {
        let levels = |side| {
            let mut out: Vec<(u64, u64)> = Vec::new();
            for o in self.queue(kind, vintage, side) {
                match out.last_mut() {
                    Some((p, u)) if *p == o.price_fen => *u += o.remaining,
                    _ => out.push((o.price_fen, o.remaining)),
                }
            }
            out.into_iter()
                .map(|(p, units)| Level {
                    price_yuan: yuan(p),
                    units,
                })
                .collect()
        };
        Book {
            kind: kind.to_string(),
            vintage,
            bids: levels(Side::Buy),
            asks: levels(Side::Sell),
        }
    }

    /// Open, high, low, close and volume of (kind, vintage) per trading day
    /// (Asia/Shanghai), oldest first.
    pub fn daily(&self, kind: &str, vintage: i32) -> Vec<Daily> {
        let mut days: BTreeMap<String, Daily> = BTreeMap::new();
        for t in self
            .trades
            .iter()
            .filter(|t| t.kind == kind && t.vintage == vintage)
        {
            let date = zp_domain::time::local(t.at).date().to_string();
            let p = t.price_yuan;
            let d = days.entry(date.clone()).or_insert_with(|| Daily {
                date,
                open_yuan: p,
                high_yuan: p,
                low_yuan: p,
                close_yuan: p,
                volume_t: 0,
                turnover_fen: 0,
                trades: 0,
            });
            d.high_yuan = d.high_yuan.max(p);
            d.low_yuan = d.low_yuan.min(p);
            d.close_yuan = p;
            d.volume_t += t.units;
            d.turnover_fen += t.amount_fen;
            d.trades += 1;
        }
        days.into_values().collect()
    }

    /// The reserved blocks of a sell order in serial order.
    fn reserved_by(&self, order: OrderId) -> Vec<BlockId> {
        let mut b: Vec<_> = self
            .blocks
            .values()
            .filter(|b| b.status == (Status::Reserved { order }))
            .collect();
        b.sort_by_key(|b| b.first_serial);
        b.into_iter().map(|b| b.id).collect()
    }

    /// Plans an order (reserve, place, match) or a cancel against a scratch copy of the
    /// ledger, so each trade's blocks and splits are chosen on the state the trades before
    /// it leave.
    pub(crate) fn plan_market(&self, op: &Op, at: i64) -> Result<Plan, AssetError> {
        let mut sim = self.clone();
        let mut changes = Vec::new();
        let mut push = |sim: &mut Ledger, c: Change| -> Result<(), AssetError> {
            sim.apply(&c, at)?;
            changes.push(c);
            Ok(())
        };
        match op {
            Op::CancelOrder { order } => {
                let o = self
                    .orders
                    .get(order)
                    .ok_or(AssetError::UnknownOrder(*order))?;
                if o.state != OrderState::Open {
                    return Err(AssetError::NotAllowed(format!(
                        "order {order} is not open: it is {}",
                        o.state.as_str()
                    )));
                }
                let blocks = self.reserved_by(*order);
                push(&mut sim, Change::OrderCancelled { order: *order })?;
                Ok((changes, blocks, None))
            }
            Op::Order {
                org,
                side,
                kind,
                vintage,
                units,
                price_yuan,
            } => {
                let price = price_fen(*price_yuan)?;
                if *units == 0 {
                    return Err(AssetError::ZeroUnits);
                }
                self.kind_class(kind)?;
                let order = self.orders.keys().next_back().map_or(1, |k| k + 1);
                let mut blocks = Vec::new();
                if *side == Side::Sell {
                    let mut next = self.next_block();
                    let (splits, chosen) = self.take(op, &mut next)?;
                    for c in splits {
                        push(&mut sim, c)?;
                    }
                    blocks = chosen;
                }
                push(
                    &mut sim,
                    Change::OrderPlaced {
                        order,
                        org: org.clone(),
                        side: *side,
                        kind: kind.clone(),
                        vintage: *vintage,
                        units: *units,
                        price_fen: price,
                        blocks: blocks.clone(),
                    },
                )?;
                let mut remaining = *units;
                while remaining > 0 {
                    let Some(best) = sim
                        .queue(kind, *vintage, side.opposite())
                        .first()
                        .map(|o| (*o).clone())
                    else {
                        break;
                    };
                    let (bid, ask) = match side {
                        Side::Buy => (price, best.price_fen),
                        Side::Sell => (best.price_fen, price),
                    };
                    if !crosses(bid, ask) {
                        break;
                    }
                    if best.org == *org {
                        return Err(AssetError::NotAllowed(format!(
                            "this order would trade with {org}'s own resting order {} ({} t at {} yuan/t); cancel that order first (no self-trades)",
                            best.id, best.remaining, best.price_yuan
                        )));
                    }
                    let fill = remaining.min(best.remaining);
                    let (buy_order, sell_order) = match side {
                        Side::Buy => (order, best.id),
                        Side::Sell => (best.id, order),
                    };
                    let delivered = sim.choose_reserved(sell_order, fill, &mut push)?;
                    let amount_fen = best.price_fen.checked_mul(fill).ok_or_else(|| {
                        AssetError::NotAllowed("trade amount overflows fen".into())
                    })?;
                    let trade = sim.trades.len() as u64 + 1;
                    push(
                        &mut sim,
                        Change::Traded {
                            trade,
                            buy_order,
                            sell_order,
                            units: fill,
                            price_fen: best.price_fen,
                            amount_fen,
                            blocks: delivered,
                        },
                    )?;
                    remaining -= fill;
                }
                Ok((changes, blocks, None))
            }
            _ => Err(AssetError::NotAllowed(format!(
                "{op} is not a market order"
            ))),
        }
    }

    /// Picks `units` of the blocks `sell_order` reserves, in serial order, splitting the
    /// last one if needed (the split goes through `push`).
    fn choose_reserved(
        &mut self,
        sell_order: OrderId,
        units: u64,
        push: &mut impl FnMut(&mut Ledger, Change) -> Result<(), AssetError>,
    ) -> Result<Vec<BlockId>, AssetError> {
        let mut chosen = Vec::new();
        let mut left = units;
        for id in self.reserved_by(sell_order) {
            if left == 0 {
                break;
            }
            let have = self.blocks[&id].units;
            if have > left {
                let new_block = self.next_block();
                push(
                    self,
                    Change::Split {
                        block: id,
                        first_units: left,
                        new_block,
                    },
                )?;
            }
            chosen.push(id);
            left -= left.min(have);
        }
        if left > 0 {
            return Err(AssetError::NotAllowed(format!(
                "sell order {sell_order} reserves {} t too few",
                left
            )));
        }
        Ok(chosen)
    }

    /// The newest order of the log: the incoming one, the only one that may take liquidity.
    fn newest_order(&self) -> Option<&Order> {
        self.orders.values().next_back()
    }

    /// Why the book of (kind, vintage) is crossed, if it is.
    fn crossed(&self, kind: &str, vintage: i32) -> Option<String> {
        let bid = self.queue(kind, vintage, Side::Buy).first().copied()?;
        let ask = self.queue(kind, vintage, Side::Sell).first().copied()?;
        crosses(bid.price_fen, ask.price_fen).then(|| {
            format!(
                "the {kind} {vintage} book is crossed: bid {} at {} yuan/t, ask {} at {} yuan/t",
                bid.id, bid.price_yuan, ask.id, ask.price_yuan
            )
        })
    }

    pub(crate) fn apply_order_placed(
        &mut self,
        change: &Change,
        at: i64,
    ) -> Result<(), AssetError> {
        let Change::OrderPlaced {
            order,
            org,
            side,
            kind,
            vintage,
            units,
            price_fen: price,
            blocks,
        } = change
        else {
            return Err(AssetError::NotAllowed("not an order".into()));
        };
        let expected = self.orders.keys().next_back().map_or(1, |k| k + 1);
        if *order != expected {
            return Err(AssetError::NotAllowed(format!(
                "order {order}, expected order {expected}"
            )));
        }
        self.kind_class(kind)?;
        if *units == 0 {
            return Err(AssetError::ZeroUnits);
        }
        let price_yuan = yuan(*price);
        price_fen(price_yuan)?;
        // The previous incoming order has matched all it could.
        if let Some(why) = self.crossed(kind, *vintage) {
            return Err(AssetError::NotAllowed(why));
        }
        match side {
            Side::Buy if !blocks.is_empty() => {
                return Err(AssetError::NotAllowed(
                    "a buy order reserves no blocks".into(),
                ));
            }
            Side::Buy => {}
            Side::Sell => {
                let mut reserved = 0u64;
                for id in blocks {
                    let b = self.available_block(*id)?;
                    if b.owner != *org || b.kind != *kind || b.vintage != *vintage {
                        return Err(AssetError::NotAllowed(format!(
                            "block {id} is not {org}'s {kind} {vintage}"
                        )));
                    }
                    reserved += b.units;
                    b.status = Status::Reserved { order: *order };
                }
                if reserved != *units {
                    return Err(AssetError::NotAllowed(format!(
                        "sell order {order} of {units} t reserves {reserved} t"
                    )));
                }
            }
        }
        self.open_orders.insert(*order);
        self.orders.insert(
            *order,
            Order {
                id: *order,
                org: org.clone(),
                side: *side,
                kind: kind.clone(),
                vintage: *vintage,
                units: *units,
                price_yuan,
                price_fen: *price,
                remaining: *units,
                state: OrderState::Open,
                placed_at: at,
            },
        );
        Ok(())
    }

    pub(crate) fn apply_traded(&mut self, change: &Change, at: i64) -> Result<(), AssetError> {
        let Change::Traded {
            trade,
            buy_order,
            sell_order,
            units,
            price_fen: price,
            amount_fen,
            blocks,
        } = change
        else {
            return Err(AssetError::NotAllowed("not a trade".into()));
        };
        let refuse = |why: String| Err(AssetError::NotAllowed(format!("trade {trade}: {why}")));
        if *trade != self.trades.len() as u64 + 1 {
            return refuse(format!("expected trade {}", self.trades.len() + 1));
        }
        let open = |id: &OrderId, side: Side| {
            self.orders
                .get(id)
                .filter(|o| o.state == OrderState::Open && o.side == side)
                .cloned()
        };
        let (Some(buy), Some(sell)) = (open(buy_order, Side::Buy), open(sell_order, Side::Sell))
        else {
            return refuse(format!(
                "needs open buy order {buy_order} and open sell order {sell_order}"
            ));
        };
        if buy.kind != sell.kind || buy.vintage != sell.vintage || buy.org == sell.org {
            return refuse("orders of different books or of one enterprise".into());
        }
        let newest = self.newest_order().map(|o| o.id);
        let (taker, resting) = if newest == Some(buy.id) {
            (&buy, &sell)
        } else if newest == Some(sell.id) {
            (&sell, &buy)
        } else {
            return refuse("neither order is the incoming one".into());
        };
        let best = self
            .queue(&resting.kind, resting.vintage, resting.side)
            .first()
            .map(|o| o.id);
        if best != Some(resting.id) {
            return refuse(format!(
                "order {} is not first in price-time priority",
                resting.id
            ));
        }
        if *price != resting.price_fen || !crosses(buy.price_fen, sell.price_fen) {
            return refuse(format!(
                "price {} yuan/t is not the resting order's {} or the orders do not cross",
                yuan(*price),
                resting.price_yuan
            ));
        }
        if *units == 0 || *units > taker.remaining || *units > resting.remaining {
            return refuse(format!("{units} t is more than the orders have left"));
        }
        if price.checked_mul(*units) != Some(*amount_fen) {
            return refuse(format!("amount {amount_fen} fen is not price x units"));
        }
        let mut moved = 0u64;
        for id in blocks {
            let b = self.block_mut(*id)?;
            if b.status != (Status::Reserved { order: sell.id }) {
                return refuse(format!("block {id} is not reserved by order {}", sell.id));
            }
            moved += b.units;
            b.owner = buy.org.clone();
            b.status = Status::Available;
        }
        if moved != *units {
            return refuse(format!("delivers {moved} t, not {units} t"));
        }
        for id in [buy.id, sell.id] {
            let o = self.orders.get_mut(&id).expect("checked above");
            o.remaining -= units;
            if o.remaining == 0 {
                o.state = OrderState::Filled;
                self.open_orders.remove(&id);
            }
        }
        self.trades.push(Trade {
            id: *trade,
            at,
            kind: sell.kind.clone(),
            vintage: sell.vintage,
            buyer: buy.org.clone(),
            seller: sell.org.clone(),
            units: *units,
            price_yuan: yuan(*price),
            amount_fen: *amount_fen,
            buy_order: buy.id,
            sell_order: sell.id,
            blocks: blocks.clone(),
        });
        Ok(())
    }

    pub(crate) fn apply_order_cancelled(&mut self, order: OrderId) -> Result<(), AssetError> {
        let o = self
            .orders
            .get_mut(&order)
            .ok_or(AssetError::UnknownOrder(order))?;
        if o.state != OrderState::Open {
            return Err(AssetError::NotAllowed(format!(
                "order {order} is not open: it is {}",
                o.state.as_str()
            )));
        }
        o.state = OrderState::Cancelled;
        self.open_orders.remove(&order);
        for id in self.reserved_by(order) {
            self.block_mut(id)?.status = Status::Available;
        }
        Ok(())
    }

    /// The venue's invariants: reserved blocks belong to open sell orders of their owner and
    /// book and add up to what each has left; each order's traded units are its trades';
    /// trades are priced in whole fen; no book is crossed.
    pub(crate) fn check_market(&self) -> Result<(), String> {
        let mut reserved: BTreeMap<OrderId, u64> = BTreeMap::new();
        for b in self.blocks.values() {
            if let Status::Reserved { order } = b.status {
                let ok = self.orders.get(&order).is_some_and(|o| {
                    o.state == OrderState::Open
                        && o.side == Side::Sell
                        && o.org == b.owner
                        && o.kind == b.kind
                        && o.vintage == b.vintage
                });
                if !ok {
                    return Err(format!(
                        "block {} is reserved by order {order} inconsistently",
                        b.id
                    ));
                }
                *reserved.entry(order).or_default() += b.units;
            }
        }
        let mut traded: BTreeMap<OrderId, u64> = BTreeMap::new();
        for t in &self.trades {
            if t.price_yuan * Decimal::from(t.units) != yuan(t.amount_fen) {
                return Err(format!("trade {} is not settled at price x units", t.id));
            }
            *traded.entry(t.buy_order).or_default() += t.units;
            *traded.entry(t.sell_order).or_default() += t.units;
        }
        let mut books = std::collections::BTreeSet::new();
        for o in self.orders.values() {
            let done = traded.get(&o.id).copied().unwrap_or_default();
            if o.remaining > o.units || o.units - o.remaining != done {
                return Err(format!(
                    "order {} has {} of {} t left but traded {done} t",
                    o.id, o.remaining, o.units
                ));
            }
            let open = o.state == OrderState::Open;
            if (o.state == OrderState::Filled) != (o.remaining == 0 && !open)
                || (open && o.remaining == 0)
            {
                return Err(format!(
                    "order {} is {:?} with {} t left",
                    o.id, o.state, o.remaining
                ));
            }
            let held = reserved.get(&o.id).copied().unwrap_or_default();
            if open && o.side == Side::Sell && held != o.remaining {
                return Err(format!(
                    "sell order {} reserves {held} t for its {} t left",
                    o.id, o.remaining
                ));
            }
            if open != self.open_orders.contains(&o.id) {
                return Err(format!(
                    "order {} is {} but the books disagree",
                    o.id,
                    o.state.as_str()
                ));
            }
            if open {
                books.insert((o.kind.as_str(), o.vintage));
            }
        }
        for (kind, vintage) in books {
            if let Some(why) = self.crossed(kind, vintage) {
                return Err(why);
            }
        }
        Ok(())
    }
}
