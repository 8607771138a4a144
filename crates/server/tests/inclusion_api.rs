//! Carbon inclusion through the API (issue 21): the demo's participants are issued for
//! 2023; enterprise A registers a participant of its own, uploads action records (a bad
//! row quarantined, the same file again changes nothing), only the registry operator
//! issues, issuing again issues nothing, A redeems; B sees none of A's participants; the
//! page lists them with the methodology table.

mod common;

use axum::http::StatusCode;
use common::*;
use serde_json::json;

const ACTIONS: &str = "participant,methodology,date,quantity,unit
a-shop,sme-saving,2022-03-31,20000,kWh
a-shop,sme-saving,2022-04-31,5,kWh
";

#[tokio::test]
async fn join_upload_issue_redeem_scoped() {
    let t = app();
    let (a, b) = (org_a(), org_b());
    let m = t
        .get(Some("bank"), "/api/v1/inclusion/methodologies")
        .await
        .json();
    assert_eq!(m["methodology"].as_array().map(Vec::len), Some(3), "{m}");

    // A registers a shop with its own account; not with B's; the bank not at all.
    let shop = json!({"participant": "a-shop", "name": "示例小店", "kind": "sme", "org": a});
    let r = t
        .post_json("ent_a", "/api/v1/inclusion/participants", shop.clone())
        .await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.text);
    let r = t
        .post_json("ent_a", "/api/v1/inclusion/participants", shop.clone())
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text);
    let other = json!({"participant": "b-shop", "name": "x", "kind": "sme", "org": b});
    let r = t
        .post_json("ent_a", "/api/v1/inclusion/participants", other)
        .await;
    assert_eq!(r.status, StatusCode::NOT_FOUND, "{}", r.text);
    let r = t
        .post_json("bank", "/api/v1/inclusion/participants", shop)
        .await;
    assert_eq!(r.status, StatusCode::FORBIDDEN, "{}", r.text);

    // Upload: 2 rows, April 31st quarantined; again: a duplicate.
    let r = t
        .upload(
            "ent_a",
            "/api/v1/inclusion/actions",
            "actions.csv",
            ACTIONS.as_bytes(),
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text);
    let v = r.json();
    assert_eq!(
        (&v["read"], &v["accepted"], &v["quarantined"]),
        (&json!(2), &json!(1), &json!(1)),
        "{v}"
    );
    assert_eq!(v["rejected"][0]["field"], json!("date"));
    let v = t
        .upload(
            "ent_a",
            "/api/v1/inclusion/actions",
            "actions.csv",
            ACTIONS.as_bytes(),
        )
        .await
        .json();
    assert_eq!(v["duplicates"], json!(1), "{v}");

    // Only the operator issues. 20,000 kWh x 0.5227 = 10,454 kg: 10 t, 454 kg carried.
    let r = t
        .post_json("ent_a", "/api/v1/inclusion/issue", json!({"year": 2022}))
        .await;
    assert_eq!(r.status, StatusCode::FORBIDDEN, "{}", r.text);
    let r = t
        .post_json("admin", "/api/v1/inclusion/issue", json!({"year": 2022}))
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text);
    let v = r.json();
    assert_eq!(v["credits_t"], json!(10), "{v}");
    assert_eq!(v["lines"][0]["carried_kgco2e"].to_string(), "454");
    let v = t
        .post_json("admin", "/api/v1/inclusion/issue", json!({"year": 2022}))
        .await
        .json();
    assert_eq!(
        (&v["credits_t"], &v["lines"]),
        (&json!(0), &json!([])),
        "{v}"
    );

    // A redeems 4 t; 7 more are refused.
    let r = t
        .post_json(
            "ent_a",
            "/api/v1/inclusion/redeem",
            json!({"participant": "a-shop", "units": 4}),
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text);
    let r = t
        .post_json(
            "ent_a",
            "/api/v1/inclusion/redeem",
            json!({"participant": "a-shop", "units": 7}),
        )
        .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", r.text);
    let v = t
        .get(
            Some("ent_a"),
            "/api/v1/inclusion/accounts?participant=a-shop",
        )
        .await
        .json();
    assert_eq!(
        (&v[0]["issued_t"], &v[0]["redeemed_t"], &v[0]["available_t"]),
        (&json!(10), &json!(4), &json!(6)),
        "{v}"
    );

    // B sees none of A's participants (the demo's are A's too).
    let v = t
        .get(Some("ent_b"), "/api/v1/inclusion/accounts")
        .await
        .json();
    assert_eq!(v, json!([]));
    let r = t
        .get(
            Some("ent_b"),
            "/api/v1/inclusion/accounts?participant=a-shop",
        )
        .await;
    assert_eq!(r.status, StatusCode::NOT_FOUND, "{}", r.text);

    // The page: A's participants, the demo's issued credits, illustrative values marked.
    let r = t.get(Some("ent_a"), "/inclusion").await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text);
    assert!(
        r.text.contains("a-shop") && r.text.contains("demo-sme-01"),
        "{}",
        r.text
    );
    assert_eq!(r.text.matches("class=\"illustrative\"").count(), 3);
}
