//! Property test of the trading venue: random order streams (with cancels, transfers and
//! pledges mixed in) give exactly the trades, refusals, books and balances of a naive
//! reference matcher written here (scan everything for the best price, then the earliest
//! order); units are never created or destroyed; reserved units move only by a trade of
//! the order that reserved them (or come back to their owner on its cancel); replaying the
//! log gives the same ledger.

use proptest::prelude::*;
use rust_decimal::Decimal;
use std::collections::BTreeMap;
use zp_assets::*;
use zp_domain::CreditCode;

mod common;
use common::orgs;

const ORGS: usize = 3;
const START_T: u64 = 40;

#[derive(Debug, Clone)]
enum Step {
    /// org, sell?, units, price in fen
    Order(usize, bool, u64, u64),
    Cancel(u64),
    Transfer(usize, usize, u64),
    Pledge(usize, u64),
}

fn step() -> impl Strategy<Value = Step> {
    prop_oneof![
        6 => (0..ORGS, any::<bool>(), 1..25u64, 995..1006u64)
            .prop_map(|(o, s, u, p)| Step::Order(o, s, u, p)),
        2 => (1..30u64).prop_map(Step::Cancel),
        1 => (0..ORGS, 0..ORGS, 1..30u64).prop_map(|(f, t, u)| Step::Transfer(f, t, u)),
        1 => (0..ORGS, 1..20u64).prop_map(|(o, u)| Step::Pledge(o, u)),
    ]
}

fn op(s: &Step) -> Op {
    let o = orgs();
    let lot = |units| ("ccer".to_string(), 2023, units);
    match *s {
        Step::Order(i, sell, units, fen) => Op::Order {
            org: o[i].clone(),
            side: if sell { Side::Sell } else { Side::Buy },
            kind: lot(units).0,
            vintage: 2023,
            units,
            price_yuan: Decimal::new(fen as i64, 2),
        },
        Step::Cancel(order) => Op::CancelOrder { order },
        Step::Transfer(f, t, units) => Op::Transfer {
            kind: lot(units).0,
            vintage: 2023,
            from: o[f].clone(),
            to: o[t].clone(),
            units,
        },
        Step::Pledge(i, units) => Op::Pledge {
            kind: lot(units).0,
            vintage: 2023,
            org: o[i].clone(),
            units,
            pledgee: "bank".into(),
        },
    }
}

/// A resting order of the reference book.
#[derive(Debug, Clone)]
struct Resting {
    id: u64,
    org: usize,
    sell: bool,
    fen: u64,
    left: u64,
}

/// (buyer, seller, units, price fen, buy order, sell order)
type RefTrade = (usize, usize, u64, u64, u64, u64);

/// The reference venue: a flat list of resting orders, per-org available and pledged
/// tonnes.
#[derive(Debug, Clone)]
struct Reference {
    resting: Vec<Resting>,
    next_order: u64,
    available: [u64; ORGS],
    pledged: [u64; ORGS],
    trades: Vec<RefTrade>,
}

impl Reference {
    /// Applies a step; false when the venue must refuse it (and nothing changes).
    fn step(&mut self, s: &Step) -> bool {
        let mut next = self.clone();
        let ok = next.try_step(s);
        if ok {
            *self = next;
        }
        ok
    }

    fn try_step(&mut self, s: &Step) -> bool {
        match *s {
            Step::Transfer(f, t, u) => {
                if f == t || self.available[f] < u {
                    return false;
                }
                self.available[f] -= u;
                self.available[t] += u;
                true
            }
            Step::Pledge(o, u) => {
                if self.available[o] < u {
                    return false;
                }
                self.available[o] -= u;
                self.pledged[o] += u;
                true
            }
            Step::Cancel(id) => {
                let Some(i) = self.resting.iter().position(|r| r.id == id) else {
                    return false;
                };
                let r = self.resting.remove(i);
                if r.sell {
                    self.available[r.org] += r.left;
                }
                true
            }
            Step::Order(org, sell, units, fen) => {
                if sell {
                    if self.available[org] < units {
                        return false;
                    }
                    self.available[org] -= units;
                }
                let id = self.next_order;
                self.next_order += 1;
                let mut left = units;
                while left > 0 {
                    // O(n) scan for the best crossing resting order of the other side.
                    let mut best: Option<usize> = None;
                    for (i, r) in self.resting.iter().enumerate() {
                        let crosses = if sell { r.fen >= fen } else { r.fen <= fen };
                        if r.sell == sell || !crosses {
                            continue;
                        }
                        let better = match best {
                            None => true,
                            Some(b) => {
                                let b = &self.resting[b];
                                let price_better = if sell { r.fen > b.fen } else { r.fen < b.fen };
                                price_better || (r.fen == b.fen && r.id < b.id)
                            }
                        };
                        if better {
                            best = Some(i);
                        }
                    }
                    let Some(b) = best else { break };
                    if self.resting[b].org == org {
                        return false; // no self-trades
                    }
                    let r = &mut self.resting[b];
                    let fill = left.min(r.left);
                    r.left -= fill;
                    left -= fill;
                    let (buyer, seller, bo, so) = if sell {
                        (r.org, org, r.id, id)
                    } else {
                        (org, r.org, id, r.id)
                    };
                    self.trades.push((buyer, seller, fill, r.fen, bo, so));
                    self.available[buyer] += fill;
                    if r.left == 0 {
                        self.resting.remove(b);
                    }
                }
                if left > 0 {
                    self.resting.push(Resting {
                        id,
                        org,
                        sell,
                        fen,
                        left,
                    });
                }
                true
            }
        }
    }

    /// (price fen, units) per level, best first.
    fn levels(&self, sell: bool) -> Vec<(u64, u64)> {
        let mut by: BTreeMap<u64, u64> = BTreeMap::new();
        for r in self.resting.iter().filter(|r| r.sell == sell) {
            *by.entry(r.fen).or_default() += r.left;
        }
        let mut v: Vec<(u64, u64)> = by.into_iter().collect();
        if !sell {
            v.reverse();
        }
        v
    }

    fn reserved(&self, org: usize) -> u64 {
        self.resting
            .iter()
            .filter(|r| r.sell && r.org == org)
            .map(|r| r.left)
            .sum()
    }
}

fn fen(d: Decimal) -> u64 {
    rust_decimal::prelude::ToPrimitive::to_u64(&(d * Decimal::from(100))).unwrap()
}

fn ledger_trades(l: &Ledger) -> Vec<RefTrade> {
    let o = orgs();
    let idx = |c: &CreditCode| o.iter().position(|x| x == c).unwrap();
    l.trades()
        .iter()
        .map(|t| {
            (
                idx(&t.buyer),
                idx(&t.seller),
                t.units,
                fen(t.price_yuan),
                t.buy_order,
                t.sell_order,
            )
        })
        .collect()
}

/// Each serial of ccer 2023: (owner, status).
fn serials(l: &Ledger) -> BTreeMap<u64, (CreditCode, Status)> {
    let mut m = BTreeMap::new();
    for b in l.blocks() {
        for s in b.first_serial..b.first_serial + b.units {
            m.insert(s, (b.owner.clone(), b.status.clone()));
        }
    }
    m
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(200))]

    #[test]
    fn order_streams_match_the_reference(steps in prop::collection::vec(step(), 1..60)) {
        let o = orgs();
        let mut ledger = Ledger::new();
        let mut log = Vec::new();
        for org in &o {
            let op = Op::Issue { kind: "ccer".into(), vintage: 2023, org: org.clone(), units: START_T, project: None };
            log.extend(ledger.execute(&op, 1_700_000_000, "test").unwrap().entries);
        }
        let mut reference = Reference {
            resting: Vec::new(),
            next_order: 1,
            available: [START_T; ORGS],
            pledged: [0; ORGS],
            trades: Vec::new(),
        };
        for (n, s) in steps.iter().enumerate() {
            let before = serials(&ledger);
            let trades_before = ledger.trades().len();
            let got = ledger.execute(&op(s), 1_700_000_000 + n as i64 * 600, "test");
            let want = reference.step(s);
            prop_assert_eq!(got.is_ok(), want, "step {} {:?}: {:?}", n, s, got);
            if let Ok(out) = &got {
                log.extend(out.entries.iter().cloned());
            }
            // Same trades, same book, same balances as the reference.
            prop_assert_eq!(ledger_trades(&ledger), reference.trades.clone());
            let book = ledger.book("ccer", 2023);
            let lv = |ls: &[Level]| ls.iter().map(|l| (fen(l.price_yuan), l.units)).collect::<Vec<_>>();
            prop_assert_eq!(lv(&book.bids), reference.levels(false));
            prop_assert_eq!(lv(&book.asks), reference.levels(true));
            let mut total = 0;
            for (i, org) in o.iter().enumerate() {
                let b = ledger.balances(Some(org)).into_iter().next().unwrap_or_default();
                prop_assert_eq!(
                    (b.available, b.reserved, b.pledged),
                    (reference.available[i], reference.reserved(i), reference.pledged[i]),
                    "org {} after step {} {:?}", i, n, s
                );
                total += b.available + b.reserved + b.pledged;
            }
            // No unit created or destroyed.
            prop_assert_eq!(total, START_T * ORGS as u64);
            prop_assert_eq!(ledger.issued().get(&("ccer".to_string(), 2023)).copied(), Some(START_T * ORGS as u64));
            // Reserved units move only by a trade of their order, to its buyer, or back to
            // their owner when the order is cancelled.
            let after = serials(&ledger);
            let new_trades = &ledger.trades()[trades_before..];
            let cancelled = match (s, &got) { (Step::Cancel(id), Ok(_)) => Some(*id), _ => None };
            for (serial, (owner, status)) in &before {
                let Status::Reserved { order } = status else { continue };
                let (now_owner, now_status) = &after[serial];
                let traded = new_trades.iter().any(|t| t.sell_order == *order && t.buyer == *now_owner);
                let ok = (now_owner == owner && now_status == status)
                    || (traded && *now_status == Status::Available)
                    || (cancelled == Some(*order) && now_owner == owner && *now_status == Status::Available);
                prop_assert!(ok, "serial {} reserved by order {} of {} is now {:?} of {}", serial, order, owner, now_status, now_owner);
            }
        }
        // Replaying the log rebuilds the same venue.
        let replayed = Ledger::replay(&log).unwrap();
        prop_assert_eq!(replayed.trades(), ledger.trades());
        prop_assert_eq!(replayed.book("ccer", 2023), ledger.book("ccer", 2023));
        prop_assert_eq!(replayed.balances(None), ledger.balances(None));
        prop_assert_eq!(replayed.orders().cloned().collect::<Vec<_>>(), ledger.orders().cloned().collect::<Vec<_>>());
    }
}

/// A tampered trade (a price that is not the resting order's) does not replay.
#[test]
fn a_trade_off_the_resting_price_does_not_verify() {
    let o = orgs();
    let mut l = Ledger::new();
    let mut log = Vec::new();
    let ops = [
        Op::Issue {
            kind: "ccer".into(),
            vintage: 2023,
            org: o[0].clone(),
            units: 10,
            project: None,
        },
        op(&Step::Order(0, true, 10, 1000)),
        op(&Step::Order(1, false, 4, 1005)),
    ];
    for op in &ops {
        log.extend(l.execute(op, 1_700_000_000, "test").unwrap().entries);
    }
    assert_eq!(ledger_trades(&l), vec![(1, 0, 4, 1000, 2, 1)]);
    assert!(Ledger::replay(&log).is_ok());
    // Re-price the trade at the buyer's limit and re-chain from there: the chain is
    // consistent but the replay refuses the trade.
    let mut forged = log.clone();
    let at = forged
        .iter()
        .position(|e| e.payload.contains("\"traded\""))
        .unwrap();
    forged[at].payload = forged[at].payload.replace(
        "\"price_fen\":1000,\"amount_fen\":4000",
        "\"price_fen\":1005,\"amount_fen\":4020",
    );
    let mut prev = if at == 0 {
        GENESIS_HASH
    } else {
        hex_decode(&forged[at - 1].hash)
    };
    for e in forged.iter_mut().skip(at) {
        e.prev_hash = hex_encode(&prev);
        prev = chain_hash(&prev, &e.payload);
        e.hash = hex_encode(&prev);
    }
    let err = Ledger::replay(&forged).unwrap_err();
    assert!(err.reason.contains("resting order"), "{err}");
}

fn hex_encode(b: &[u8; 32]) -> String {
    b.iter().map(|x| format!("{x:02x}")).collect()
}

fn hex_decode(s: &str) -> [u8; 32] {
    let v: Vec<u8> = (0..32)
        .map(|i| u8::from_str_radix(&s[2 * i..2 * i + 2], 16).unwrap())
        .collect();
    v.try_into().unwrap()
}
