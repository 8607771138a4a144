//! The trading venue through the API (issue 21): enterprise A sells credits it holds,
//! enterprise B buys part of them, the book, trades and daily prices have the CLI's JSON
//! keys; nobody places or cancels an order for an enterprise outside its scope; read-only
//! accounts place nothing.

mod common;

use axum::http::StatusCode;
use common::*;
use serde_json::{Value, json};

async fn status_of(t: &TestApp, user: &str, uri: &str, body: Value, want: StatusCode) -> Value {
    let r = t.post_json(user, uri, body).await;
    assert_eq!(r.status, want, "{user} {uri}: {}", r.text);
    r.json()
}

fn order(org: &str, side: &str, units: u64, price: &str) -> Value {
    json!({"org": org, "side": side, "kind": "ccer", "vintage": 2023, "units": units, "price_yuan": price})
}

#[tokio::test]
async fn orders_trade_and_the_book_shows_what_rests() {
    let t = app();
    let (a, b) = (org_a(), org_b());
    status_of(
        &t,
        "admin",
        "/api/v1/assets/issue",
        json!({"kind": "ccer", "vintage": 2023, "org": a, "units": 100}),
        StatusCode::OK,
    )
    .await;

    // A sells 60 t at 55.50 and 20 t at 56; nothing to match: both rest, 201.
    let v = status_of(
        &t,
        "ent_a",
        "/api/v1/market/order",
        order(&a, "sell", 60, "55.50"),
        StatusCode::CREATED,
    )
    .await;
    assert_eq!(
        (&v["state"], &v["remaining"]),
        (&json!("open"), &json!(60)),
        "{v}"
    );
    assert_eq!(v["fills"], json!([]));
    let first = v["order"].as_u64().expect("an order id");
    status_of(
        &t,
        "ent_a",
        "/api/v1/market/order",
        order(&a, "sell", 20, "56"),
        StatusCode::CREATED,
    )
    .await;

    // B may not sell for A; the bank may not trade at all; a price of three decimals is refused.
    let r = t
        .post_json("ent_b", "/api/v1/market/order", order(&a, "sell", 1, "50"))
        .await;
    assert_eq!(r.status, StatusCode::NOT_FOUND, "{}", r.text);
    let r = t
        .post_json("bank", "/api/v1/market/order", order(&b, "buy", 1, "50"))
        .await;
    assert_eq!(r.status, StatusCode::FORBIDDEN, "{}", r.text);
    let r = t
        .post_json(
            "ent_b",
            "/api/v1/market/order",
            order(&b, "buy", 1, "50.001"),
        )
        .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", r.text);
    let r = t
        .post_json(
            "ent_b",
            "/api/v1/market/order",
            json!({"org": b, "side": "hold"}),
        )
        .await;
    assert_eq!(r.status, StatusCode::BAD_REQUEST, "{}", r.text);

    // B buys 70 t up to 56: 60 at 55.50 (the better ask first), then 10 at 56.
    let v = status_of(
        &t,
        "ent_b",
        "/api/v1/market/order",
        order(&b, "buy", 70, "56.00"),
        StatusCode::CREATED,
    )
    .await;
    assert_eq!(v["state"], json!("filled"), "{v}");
    let fills: Vec<(u64, String)> = v["fills"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| (f["units"].as_u64().unwrap(), f["price_yuan"].to_string()))
        .collect();
    assert_eq!(fills, vec![(60, "55.50".into()), (10, "56.00".into())]);

    // The book: 10 t left at 56 on the ask side, no bids.
    let r = t
        .get(Some("ent_b"), "/api/v1/market/book?kind=ccer&vintage=2023")
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text);
    let book = r.json();
    assert_eq!(book["bids"], json!([]));
    assert_eq!(book["asks"].as_array().map(Vec::len), Some(1), "{book}");
    assert_eq!(book["asks"][0]["units"], json!(10));
    assert_eq!(book["asks"][0]["price_yuan"].to_string(), "56.00");

    // Trades in execution order, with buyer, seller, units and price.
    let trades = t
        .get(Some("park"), "/api/v1/market/trades?kind=ccer&vintage=2023")
        .await
        .json();
    let rows: Vec<(String, String, u64)> = trades
        .as_array()
        .unwrap()
        .iter()
        .map(|t| {
            (
                t["buyer"].as_str().unwrap().into(),
                t["seller"].as_str().unwrap().into(),
                t["units"].as_u64().unwrap(),
            )
        })
        .collect();
    assert_eq!(
        rows,
        vec![(b.clone(), a.clone(), 60), (b.clone(), a.clone(), 10)]
    );
    let r = t.get(Some("park"), "/api/v1/market/trades?kind=ccer").await;
    assert_eq!(r.status, StatusCode::BAD_REQUEST, "{}", r.text);

    // One trading day: open 55.50, close 56.00, 70 t.
    let days = t
        .get(Some("bank"), "/api/v1/market/daily?kind=ccer&vintage=2023")
        .await
        .json();
    assert_eq!(days.as_array().map(Vec::len), Some(1), "{days}");
    assert_eq!(days[0]["volume_t"], json!(70));
    assert_eq!(days[0]["open_yuan"].to_string(), "55.50");
    assert_eq!(days[0]["close_yuan"].to_string(), "56.00");

    // The first order is filled: cancelling it is refused. B cannot cancel A's open order.
    let r = t
        .post_json("ent_a", "/api/v1/market/cancel", json!({"order": first}))
        .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", r.text);
    let open = t.get(Some("ent_a"), "/api/v1/market/orders").await.json();
    assert_eq!(open.as_array().map(Vec::len), Some(1), "{open}");
    let resting = open[0]["id"].as_u64().unwrap();
    assert_eq!(
        t.get(Some("ent_b"), "/api/v1/market/orders").await.json(),
        json!([])
    );
    let r = t
        .post_json("ent_b", "/api/v1/market/cancel", json!({"order": resting}))
        .await;
    assert_eq!(r.status, StatusCode::NOT_FOUND, "{}", r.text);

    // A cancels it: the 10 t are available again and the book is empty.
    let v = status_of(
        &t,
        "ent_a",
        "/api/v1/market/cancel",
        json!({"order": resting}),
        StatusCode::OK,
    )
    .await;
    assert_eq!(v["state"], json!("cancelled"), "{v}");
    let book = t
        .get(Some("ent_a"), "/api/v1/market/book?kind=ccer&vintage=2023")
        .await
        .json();
    assert_eq!((&book["bids"], &book["asks"]), (&json!([]), &json!([])));
    let bal = t.get(Some("ent_a"), "/api/v1/assets/balances").await.json();
    let ccer = bal
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["kind"] == "ccer")
        .unwrap();
    assert_eq!(
        (&ccer["available"], &ccer["reserved"]),
        (&json!(30), &json!(0)),
        "{bal}"
    );
    // The chain still verifies with the venue's events on it.
    let r = t.get(Some("park"), "/api/v1/assets/verify").await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text);
}

#[tokio::test]
async fn the_market_page_shows_the_book_and_the_holder_form() {
    let t = app();
    let a = org_a();
    status_of(
        &t,
        "admin",
        "/api/v1/assets/issue",
        json!({"kind": "ccer", "vintage": 2023, "org": a, "units": 5}),
        StatusCode::OK,
    )
    .await;
    status_of(
        &t,
        "ent_a",
        "/api/v1/market/order",
        order(&a, "sell", 5, "60"),
        StatusCode::CREATED,
    )
    .await;
    let r = t.get(Some("ent_a"), "/market?kind=ccer&vintage=2023").await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text);
    assert!(
        r.text.contains("id=\"form-order\"") && r.text.contains("60.00"),
        "{}",
        r.text
    );
    assert!(
        r.text.contains("class=\"cancel-order\""),
        "A's open order can be cancelled"
    );
    let r = t.get(Some("bank"), "/market").await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text);
    assert!(
        !r.text.contains("id=\"form-order\""),
        "read-only accounts get no order form"
    );
    assert!(r.text.contains("60.00"), "the book is public market data");
}
