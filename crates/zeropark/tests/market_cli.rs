//! `zeropark market` end to end: resting sell orders reserve their units, a buy order
//! fills partially across two price levels at the resting prices, the book aggregates per
//! price level best first, trades come in execution order, a cancel releases the
//! reservation, refusals exit 2, and `assets verify` replays it all.

mod common;

use common::{Db, d, data, num};
use serde_json::{Value, json};

/// 重庆示例水泥有限公司, 重庆示例电子科技有限公司, 重庆示例汽车零部件有限公司 and
/// 重庆示例数据中心有限公司 of tests/data/orgs.csv.
const A: &str = "91500112MA60CEM01B";
const B: &str = "91500112MA60ELE02H";
const C: &str = "91500112MA60AUT03C";
const D: &str = "91500112MA60DAT04U";

fn order<'a>(org: &'a str, side: &'a str, units: &'a str, price: &'a str) -> [&'a str; 14] {
    [
        "market",
        "order",
        "--org",
        org,
        "--side",
        side,
        "--kind",
        "ccer",
        "--vintage",
        "2023",
        "--units",
        units,
        "--price-yuan",
        price,
    ]
}

/// Runs `market order --json` and parses its report.
fn place(db: &Db, org: &str, side: &str, units: &str, price: &str) -> Value {
    db.json(&order(org, side, units, price))
}

const BOOK: [&str; 6] = ["market", "book", "--kind", "ccer", "--vintage", "2023"];

/// (price, units) per level of one side of a book.
fn levels(side: &Value) -> Vec<(rust_decimal::Decimal, u64)> {
    side.as_array()
        .unwrap()
        .iter()
        .map(|l| (num(&l["price_yuan"]), l["units"].as_u64().unwrap()))
        .collect()
}

/// (available, reserved) of `org`'s ccer 2023.
fn holding(db: &Db, org: &str) -> (u64, u64) {
    let rows = db.json(&["assets", "balances", "--org", org]);
    let r = rows
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["kind"] == "ccer" && r["vintage"] == 2023)
        .cloned()
        .unwrap_or(json!({"available": 0, "reserved": 0}));
    (
        r["available"].as_u64().unwrap(),
        r["reserved"].as_u64().unwrap(),
    )
}

#[test]
fn orders_fill_rest_cancel_and_settle_in_the_registry() {
    let db = Db::new();
    db.json(&["import", "orgs", &data("orgs.csv")]);
    db.json(&[
        "assets",
        "issue",
        "--kind",
        "ccer",
        "--vintage",
        "2023",
        "--org",
        A,
        "--units",
        "100",
    ]);

    // Two resting asks: their units are reserved, not available.
    let o1 = place(&db, A, "sell", "60", "52");
    assert_eq!((&o1["order"], &o1["state"]), (&json!(1), &json!("open")));
    assert_eq!(o1["fills"], json!([]));
    let o2 = place(&db, A, "sell", "20", "51.50");
    assert_eq!(o2["order"], json!(2));
    assert_eq!(holding(&db, A), (20, 80));

    // Reserved units cannot be offered twice, moved or surrendered.
    let err = db.fails(&order(A, "sell", "50", "51"), 2);
    assert!(
        err.contains("20 t of ccer 2023 available, 50 t asked")
            && err.contains("80 t more are reserved"),
        "{err}"
    );
    let err = db.fails(
        &[
            "assets",
            "transfer",
            "--kind",
            "ccer",
            "--vintage",
            "2023",
            "--from",
            A,
            "--to",
            B,
            "--units",
            "21",
        ],
        2,
    );
    assert!(
        err.contains("20 t of ccer 2023 available, 21 t asked"),
        "{err}"
    );

    // A buy for 30 at 53 takes the best ask first (20 at 51.50), then 10 of the 60 at 52:
    // each at the resting order's price, not at 53.
    let o3 = place(&db, B, "buy", "30", "53");
    assert_eq!(
        (&o3["state"], &o3["remaining"]),
        (&json!("filled"), &json!(0))
    );
    let fills: Vec<(u64, u64, rust_decimal::Decimal, u64)> = o3["fills"]
        .as_array()
        .unwrap()
        .iter()
        .map(|t| {
            (
                t["sell_order"].as_u64().unwrap(),
                t["units"].as_u64().unwrap(),
                num(&t["price_yuan"]),
                t["amount_fen"].as_u64().unwrap(),
            )
        })
        .collect();
    assert_eq!(
        fills,
        vec![(2, 20, d("51.50"), 103_000), (1, 10, d("52"), 52_000)]
    );
    assert_eq!(holding(&db, A), (20, 50));
    assert_eq!(holding(&db, B), (30, 0));

    // Bids rest: two at 50 aggregate into one level, best (highest) first.
    assert_eq!(place(&db, C, "buy", "10", "50")["state"], json!("open"));
    place(&db, D, "buy", "5", "50");
    place(&db, C, "buy", "5", "49.90");
    let book = db.json(&BOOK);
    assert_eq!(levels(&book["bids"]), vec![(d("50"), 15), (d("49.9"), 5)]);
    assert_eq!(levels(&book["asks"]), vec![(d("52"), 50)]);

    // A sell at 49 trades with the earliest bid at the best price, at that bid's 50.
    let o7 = place(&db, B, "sell", "12", "49");
    let f: Vec<(u64, u64, rust_decimal::Decimal)> = o7["fills"]
        .as_array()
        .unwrap()
        .iter()
        .map(|t| {
            (
                t["buy_order"].as_u64().unwrap(),
                t["units"].as_u64().unwrap(),
                num(&t["price_yuan"]),
            )
        })
        .collect();
    assert_eq!(f, vec![(4, 10, d("50")), (5, 2, d("50"))]);
    assert_eq!(holding(&db, C), (10, 0));
    assert_eq!(holding(&db, D), (2, 0));

    // Trades in execution order: buyer, seller, units, price.
    let trades = db.json(&["market", "trades", "--kind", "ccer", "--vintage", "2023"]);
    let t: Vec<(String, String, u64, rust_decimal::Decimal)> = trades
        .as_array()
        .unwrap()
        .iter()
        .map(|t| {
            (
                t["buyer"].as_str().unwrap().to_string(),
                t["seller"].as_str().unwrap().to_string(),
                t["units"].as_u64().unwrap(),
                num(&t["price_yuan"]),
            )
        })
        .collect();
    let s = |x: &str| x.to_string();
    assert_eq!(
        t,
        vec![
            (s(B), s(A), 20, d("51.5")),
            (s(B), s(A), 10, d("52")),
            (s(C), s(B), 10, d("50")),
            (s(D), s(B), 2, d("50")),
        ]
    );
    assert_eq!(db.json(&["market", "trades"]), trades);

    // Daily open, high, low, close and volume (all trades on one day).
    let days = db.json(&["market", "daily", "--kind", "ccer", "--vintage", "2023"]);
    let day = &days[0];
    assert_eq!(days.as_array().unwrap().len(), 1);
    assert_eq!(
        [
            &day["open_yuan"],
            &day["high_yuan"],
            &day["low_yuan"],
            &day["close_yuan"]
        ]
        .map(num),
        [d("51.5"), d("52"), d("50"), d("50")]
    );
    assert_eq!(day["volume_t"], json!(42));

    // Cancel releases the rest of the 60 t ask: 50 t available again, nothing reserved.
    let c = db.json(&["market", "cancel", "--order", "1"]);
    assert_eq!(
        (&c["state"], &c["remaining"]),
        (&json!("cancelled"), &json!(50))
    );
    assert_eq!(holding(&db, A), (70, 0));
    assert!(levels(&db.json(&BOOK)["asks"]).is_empty());
    let err = db.fails(&["market", "cancel", "--order", "1"], 2);
    assert!(
        err.contains("order 1 is not open: it is cancelled"),
        "{err}"
    );
    let err = db.fails(&["market", "cancel", "--order", "99"], 2);
    assert!(err.contains("unknown order 99"), "{err}");

    // Refusals: a price finer than a fen, no self-trade, an unknown kind.
    let err = db.fails(&order(A, "sell", "1", "52.005"), 2);
    assert!(err.contains("more than two decimals"), "{err}");
    place(&db, B, "sell", "5", "60");
    let err = db.fails(&order(B, "buy", "1", "60"), 2);
    assert!(err.contains("own resting order"), "{err}");
    let err = db.fails(
        &["market", "book", "--kind", "gold", "--vintage", "2023"],
        2,
    );
    assert!(err.contains("unknown kind"), "{err}");

    // Every order, trade and cancel is on the chain; replaying it agrees.
    let v = db.json(&["assets", "verify"]);
    assert!(v["events"].as_u64().unwrap() > 10, "{v}");
    // Resting: D's bid (3 of 5 t left), C's bid at 49.90 and B's ask at 60.
    assert_eq!((&v["open_orders"], &v["trades"]), (&json!(3), &json!(4)));
}
