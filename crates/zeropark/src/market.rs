//! `zeropark market ...`: the regional trading venue (区域碳市场) from the command line.
//! Limit orders per (kind, vintage) matched in price-time priority and settled in the
//! carbon asset registry; a refusal (units not available, a bad price, an unknown order or
//! enterprise, a self-trade) exits 2 with the reason on stderr.

use crate::assets::Lot;
use crate::ctx::{Fail, credit_code, finish, now};
use crate::output;
use clap::{Subcommand, ValueEnum};
use rust_decimal::Decimal;
use std::process::ExitCode;
use zp_app::assets::{Book, Order, OrderReport, Side, Trade};
use zp_app::{Caller, Store};

#[derive(Clone, Copy, ValueEnum)]
pub enum SideArg {
    Buy,
    Sell,
}

#[derive(Subcommand)]
pub enum MarketCmd {
    /// Place a limit order; prints its id and the fills it made at once. A sell order
    /// reserves its units in the registry while it rests.
    Order {
        #[arg(long)]
        org: String,
        #[arg(long, value_enum)]
        side: SideArg,
        #[command(flatten)]
        lot: Lot,
        /// Limit price, yuan per tonne, at most two decimals.
        #[arg(long)]
        price_yuan: Decimal,
    },
    /// Withdraw an open order (a sell order's reserved units become available).
    Cancel {
        #[arg(long)]
        order: u64,
    },
    /// The order book of a kind and vintage: bids and asks per price level, best first.
    Book {
        #[arg(long)]
        kind: String,
        #[arg(long)]
        vintage: i32,
    },
    /// Trades in execution order: buyer, seller, units, price.
    Trades {
        #[arg(long, requires = "vintage")]
        kind: Option<String>,
        #[arg(long, requires = "kind")]
        vintage: Option<i32>,
    },
    /// Orders of the enterprises in scope, newest first (open ones only unless `--all`).
    Orders {
        #[arg(long)]
        all: bool,
    },
    /// Open, high, low, close and volume per trading day (Asia/Shanghai).
    Daily {
        #[arg(long)]
        kind: String,
        #[arg(long)]
        vintage: i32,
    },
}

/// `zeropark market ...` on an open store, as `actor` (the CLI's audit name).
pub fn run(
    store: &mut dyn Store,
    actor: String,
    cmd: MarketCmd,
    json: bool,
) -> anyhow::Result<ExitCode> {
    finish(market(store, &Caller::operator(actor), cmd, json))
}

fn market(store: &mut dyn Store, caller: &Caller, cmd: MarketCmd, json: bool) -> Result<(), Fail> {
    use zp_app::assets as uc;
    match cmd {
        MarketCmd::Order {
            org,
            side,
            lot,
            price_yuan,
        } => {
            let org = credit_code(&org, "--org")?;
            let side = match side {
                SideArg::Buy => Side::Buy,
                SideArg::Sell => Side::Sell,
            };
            let r = uc::market_order(
                store,
                caller,
                &org,
                side,
                &lot.kind,
                lot.vintage,
                lot.units,
                price_yuan,
                now(),
            )?;
            Ok(output::either(json, &r, print_order)?)
        }
        MarketCmd::Cancel { order } => {
            let o = uc::market_cancel(store, caller, order, now())?;
            Ok(output::either(json, &o, print_cancelled)?)
        }
        MarketCmd::Book { kind, vintage } => {
            let b = uc::market_book(store, &kind, vintage)?;
            Ok(output::either(json, &b, print_book)?)
        }
        MarketCmd::Trades { kind, vintage } => {
            let book = kind.as_deref().zip(vintage);
            let rows = uc::market_trades(store, caller, book)?;
            Ok(output::either(json, &rows, |rows| print_trades(rows))?)
        }
        MarketCmd::Orders { all } => {
            let rows = uc::market_orders(store, caller, !all)?;
            let headers = [
                "order",
                "org",
                "side",
                "book",
                "units_t",
                "remaining_t",
                "price_yuan",
                "state",
            ];
            Ok(output::list(json, &rows, &headers, |o| {
                vec![
                    o.id.to_string(),
                    o.org.to_string(),
                    side_str(o.side).into(),
                    format!("{} {}", o.kind, o.vintage),
                    o.units.to_string(),
                    o.remaining.to_string(),
                    o.price_yuan.to_string(),
                    o.state.as_str().into(),
                ]
            })?)
        }
        MarketCmd::Daily { kind, vintage } => {
            let rows = uc::market_daily(store, &kind, vintage)?;
            let headers = [
                "date",
                "open",
                "high",
                "low",
                "close",
                "volume_t",
                "turnover_yuan",
                "trades",
            ];
            Ok(output::list(json, &rows, &headers, |d| {
                vec![
                    d.date.clone(),
                    d.open_yuan.to_string(),
                    d.high_yuan.to_string(),
                    d.low_yuan.to_string(),
                    d.close_yuan.to_string(),
                    d.volume_t.to_string(),
                    fen_as_yuan(d.turnover_fen),
                    d.trades.to_string(),
                ]
            })?)
        }
    }
}

fn side_str(s: Side) -> &'static str {
    match s {
        Side::Buy => "buy",
        Side::Sell => "sell",
    }
}

/// Fen as a yuan figure with two decimals.
fn fen_as_yuan(fen: u64) -> String {
    format!("{}.{:02}", fen / 100, fen % 100)
}

fn print_order(r: &OrderReport) {
    let filled = r.units - r.remaining;
    println!(
        "order {}: {filled} of {} t filled, {} t {}",
        r.order,
        r.units,
        r.remaining,
        if r.remaining > 0 {
            "rest in the book"
        } else {
            "left"
        }
    );
    if !r.fills.is_empty() {
        print_trades(&r.fills);
    }
}

fn print_cancelled(o: &Order) {
    println!(
        "order {} cancelled: {} of {} t had not traded{}",
        o.id,
        o.remaining,
        o.units,
        if o.side == Side::Sell {
            " and are available again"
        } else {
            ""
        }
    );
}

fn print_book(b: &Book) {
    println!("{} {}", b.kind, b.vintage);
    let n = b.bids.len().max(b.asks.len());
    let cell = |l: Option<&zp_app::assets::Level>| {
        l.map_or(("".into(), "".into()), |l| {
            (l.units.to_string(), l.price_yuan.to_string())
        })
    };
    let rows: Vec<Vec<String>> = (0..n)
        .map(|i| {
            let (bu, bp) = cell(b.bids.get(i));
            let (ap, au) = {
                let (u, p) = cell(b.asks.get(i));
                (p, u)
            };
            vec![bu, bp, ap, au]
        })
        .collect();
    output::table(&["bid_t", "bid_yuan", "ask_yuan", "ask_t"], &rows);
}

fn print_trades(rows: &[Trade]) {
    output::table_of(
        &[
            "trade",
            "book",
            "buyer",
            "seller",
            "units_t",
            "price_yuan",
            "amount_yuan",
        ],
        rows,
        |t| {
            vec![
                t.id.to_string(),
                format!("{} {}", t.kind, t.vintage),
                t.buyer.to_string(),
                t.seller.to_string(),
                t.units.to_string(),
                t.price_yuan.to_string(),
                fen_as_yuan(t.amount_fen),
            ]
        },
    );
}
