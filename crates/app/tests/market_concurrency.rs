//! Two writers (two connections, as two processes would have) on the trading venue at
//! once: two buy orders crossing the last resting units, and two sell orders for the last
//! available units. Orders are events of the one asset log, appended only on the head they
//! were planned on, so exactly one buyer fills (the other rests) and exactly one seller
//! reserves (the other is refused), and the log still verifies.

use rust_decimal::Decimal;
use std::path::Path;
use std::sync::Barrier;
use zp_app::assets::{OrderState, Side};
use zp_app::{AppError, Caller, ImportKind};
use zp_domain::CreditCode;

mod common;
use common::import;

const SELLER: &str = "91500112MA60CEM01B";
const BUYERS: [&str; 2] = ["91500112MA60ELE02H", "91500112MA60AUT03C"];

fn code(s: &str) -> CreditCode {
    CreditCode::parse(s).unwrap()
}

fn setup(dir: &Path) -> std::path::PathBuf {
    let db = dir.join("t.db");
    let mut store = zp_app::open(db.to_str().unwrap()).unwrap();
    let orgs = dir.join("orgs.csv");
    let mut csv = "credit_code,name,region,park,industry\n".to_string();
    for (i, c) in [SELLER, BUYERS[0], BUYERS[1]].iter().enumerate() {
        csv.push_str(&format!("{c},示例企业{i},CQ,示例园区,3011\n"));
    }
    std::fs::write(&orgs, csv).unwrap();
    import(store.as_mut(), ImportKind::Orgs, &orgs);
    db
}

/// Issues `units` of ccer 2023 to the seller.
fn issue_to_seller(store: &mut dyn zp_store::Store, op: &Caller, units: u64) {
    let issue = zp_app::assets::Op::Issue {
        kind: "ccer".into(),
        vintage: 2023,
        org: code(SELLER),
        units,
        project: None,
    };
    zp_app::assets::execute(store, op, &issue, 1_700_000_000).unwrap();
}

type Placed = Result<zp_app::assets::OrderReport, AppError>;

/// Runs `order(org)` for each of `orgs` on its own connection, all released at once.
fn race(db: &Path, orgs: [&str; 2], side: Side, units: u64) -> Vec<Placed> {
    let barrier = Barrier::new(2);
    std::thread::scope(|sc| {
        let handles: Vec<_> = orgs
            .iter()
            .map(|org| {
                let barrier = &barrier;
                sc.spawn(move || {
                    let mut store = zp_app::open(db.to_str().unwrap()).unwrap();
                    barrier.wait();
                    zp_app::assets::market_order(
                        store.as_mut(),
                        &Caller::operator("test"),
                        &code(org),
                        side,
                        "ccer",
                        2023,
                        units,
                        Decimal::new(5000, 2),
                        1_700_000_000,
                    )
                })
            })
            .collect();
        handles.into_iter().map(|h| h.join().unwrap()).collect()
    })
}

#[test]
fn two_buyers_crossing_the_last_units_one_fills() {
    let dir = tempfile::tempdir().unwrap();
    let db = setup(dir.path());
    let mut store = zp_app::open(db.to_str().unwrap()).unwrap();
    let op = Caller::operator("test");
    const ROUNDS: u64 = 4;
    for round in 0..ROUNDS {
        issue_to_seller(store.as_mut(), &op, 10);
        let ask = zp_app::assets::market_order(
            store.as_mut(),
            &op,
            &code(SELLER),
            Side::Sell,
            "ccer",
            2023,
            10,
            Decimal::new(5000, 2),
            1_700_000_000,
        )
        .unwrap();
        assert_eq!(ask.state, OrderState::Open);

        let got = race(&db, BUYERS, Side::Buy, 10);
        let reports: Vec<_> = got
            .into_iter()
            .map(|r| r.unwrap_or_else(|e| panic!("round {round}: {e}")))
            .collect();
        let filled: Vec<_> = reports
            .iter()
            .filter(|r| r.state == OrderState::Filled)
            .collect();
        assert_eq!(filled.len(), 1, "round {round}: {reports:?}");
        assert_eq!(filled[0].fills.len(), 1);
        assert_eq!(filled[0].fills[0].sell_order, ask.order);
        // The other found the ask gone and rests in the book for its 10 t.
        let rests: Vec<_> = reports
            .iter()
            .filter(|r| r.state == OrderState::Open)
            .collect();
        assert_eq!(
            (rests.len(), rests[0].remaining, rests[0].fills.len()),
            (1, 10, 0)
        );
        // Clear the resting bid for the next round.
        zp_app::assets::market_cancel(store.as_mut(), &op, rests[0].order, 1_700_000_000).unwrap();
    }
    let trades = zp_app::assets::market_trades(store.as_mut(), &op, Some(("ccer", 2023))).unwrap();
    assert_eq!(trades.len(), ROUNDS as usize);
    assert!(
        trades
            .iter()
            .all(|t| t.units == 10 && t.amount_fen == 50_000)
    );
    // The buyers hold exactly what was sold; the seller nothing.
    let held: u64 = zp_app::assets::balances(store.as_mut(), &op, None)
        .unwrap()
        .iter()
        .filter(|b| BUYERS.contains(&b.org.as_str()))
        .map(|b| b.available)
        .sum();
    assert_eq!(held, 10 * ROUNDS);
    zp_app::assets::verify(store.as_mut()).unwrap();
}

#[test]
fn two_sell_orders_for_the_last_units_one_reserves() {
    let dir = tempfile::tempdir().unwrap();
    let db = setup(dir.path());
    let mut store = zp_app::open(db.to_str().unwrap()).unwrap();
    let op = Caller::operator("test");
    issue_to_seller(store.as_mut(), &op, 10);
    let got = race(&db, [SELLER, SELLER], Side::Sell, 10);
    let ok = got.iter().filter(|r| r.is_ok()).count();
    assert_eq!(ok, 1, "{got:?}");
    let err = got
        .iter()
        .find_map(|r| r.as_ref().err())
        .unwrap()
        .to_string();
    assert!(
        err.contains("0 t of ccer 2023 available, 10 t asked")
            && err.contains("10 t more are reserved"),
        "{err}"
    );
    let b = zp_app::assets::balances(store.as_mut(), &op, Some(&code(SELLER))).unwrap();
    assert_eq!((b[0].available, b[0].reserved), (0, 10));
    zp_app::assets::verify(store.as_mut()).unwrap();
}
