//! Carbon assets and compliance through the API (issue 21): the registry operator
//! allocates and issues, enterprise A pledges and surrenders within the offset cap, the
//! dashboard shows A short, late, then compliant; enterprise B sees none of A's holdings.

mod common;

use axum::http::StatusCode;
use common::*;
use serde_json::{Value, json};

async fn ok(t: &TestApp, user: &str, uri: &str, body: Value) -> Value {
    let r = t.post_json(user, uri, body).await;
    assert_eq!(r.status, StatusCode::OK, "{user} {uri}: {}", r.text);
    r.json()
}

#[tokio::test]
async fn allocate_pledge_surrender_and_compliance() {
    let t = app();
    let (a, b) = (org_a(), org_b());
    // Only the registry operator allocates and issues; read-only accounts change nothing.
    for user in ["ent_a", "officer", "bank"] {
        let r = t
            .post_json(
                user,
                "/api/v1/assets/allocate",
                json!({"scheme": "cn-ets", "year": 2023, "org": a, "units": 1000}),
            )
            .await;
        assert_eq!(r.status, StatusCode::FORBIDDEN, "{user}: {}", r.text);
    }
    let v = ok(
        &t,
        "admin",
        "/api/v1/assets/allocate",
        json!({"scheme": "cn-ets", "year": 2023, "org": a, "units": 1000}),
    )
    .await;
    assert_eq!(v["event_ids"].as_array().map(Vec::len), Some(1), "{v}");
    ok(
        &t,
        "admin",
        "/api/v1/assets/allocate",
        json!({"scheme": "cn-ets", "year": 2023, "org": b, "units": 500}),
    )
    .await;
    ok(
        &t,
        "admin",
        "/api/v1/assets/issue",
        json!({"kind": "ccer", "vintage": 2023, "org": a, "units": "100", "project": "P-1"}),
    )
    .await;

    // A pledges 100 t to a bank: they can no longer be surrendered.
    let v = ok(
        &t,
        "ent_a",
        "/api/v1/assets/pledge",
        json!({"kind": "cea", "vintage": 2023, "org": a, "units": 100, "to": "重庆示范银行"}),
    )
    .await;
    let pledge = v["pledge"].as_u64().expect("a pledge id");
    // A may not act for B.
    let r = t
        .post_json(
            "ent_a",
            "/api/v1/assets/pledge",
            json!({"kind": "cea", "vintage": 2023, "org": b, "units": 1, "to": "x"}),
        )
        .await;
    assert_eq!(r.status, StatusCode::NOT_FOUND, "{}", r.text);

    // Holdings: each enterprise its own; the park both.
    let r = t.get(Some("ent_a"), "/api/v1/assets/balances").await;
    let rows = r.json();
    let orgs: Vec<&str> = rows
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["org"].as_str().unwrap())
        .collect();
    assert!(!orgs.is_empty() && orgs.iter().all(|o| *o == a), "{rows}");
    let cea = rows
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["kind"] == "cea")
        .unwrap();
    assert_eq!(
        (&cea["available"], &cea["pledged"]),
        (&json!(900), &json!(100))
    );
    let r = t.get(Some("ent_b"), "/api/v1/assets/balances").await;
    assert!(!r.text.contains(&a), "{}", r.text);
    let r = t
        .get(Some("ent_b"), &format!("/api/v1/assets/balances?org={a}"))
        .await;
    assert_eq!(r.status, StatusCode::NOT_FOUND);
    let r = t.get(Some("ent_b"), "/api/v1/assets/pledges").await;
    assert_eq!(r.json(), json!([]));
    let r = t.get(Some("park"), "/api/v1/assets/balances").await;
    assert!(r.text.contains(&a) && r.text.contains(&b), "{}", r.text);

    // The verifier's figure, entered by the Chongqing officer: 1,000 t, so offsets count up
    // to 5 % = 50 t; 60 t of CCER are refused, 50 t accepted.
    ok(
        &t,
        "officer",
        "/api/v1/compliance/verified",
        json!({"scheme": "cn-ets", "org": a, "year": 2023, "tco2": 1000}),
    )
    .await;
    let surrender = |kind: &str, units: u64| json!({"scheme": "cn-ets", "year": 2023, "org": a, "kind": kind, "vintage": 2023, "units": units});
    let r = t
        .post_json("ent_a", "/api/v1/assets/surrender", surrender("ccer", 60))
        .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", r.text);
    ok(
        &t,
        "ent_a",
        "/api/v1/assets/surrender",
        surrender("ccer", 50),
    )
    .await;
    ok(
        &t,
        "ent_a",
        "/api/v1/assets/surrender",
        surrender("cea", 900),
    )
    .await;
    let r = t
        .post_json("ent_a", "/api/v1/assets/surrender", surrender("cea", 1))
        .await;
    assert_eq!(
        r.status,
        StatusCode::UNPROCESSABLE_ENTITY,
        "pledged units stay put"
    );
    ok(
        &t,
        "admin",
        "/api/v1/compliance/deadline",
        json!({"scheme": "cn-ets", "year": 2023, "date": "2024-12-31"}),
    )
    .await;

    let status = |today: &str| {
        format!("/api/v1/compliance/status?scheme=cn-ets&org={a}&year=2023&today={today}")
    };
    let s = t.get(Some("ent_a"), &status("2024-12-01")).await.json();
    assert_eq!(s["status"], "short", "{s}");
    assert_eq!(
        (
            &s["verified_tco2"],
            &s["offset_cap_t"],
            &s["offsets_counted_t"],
            &s["shortfall_t"]
        ),
        (&json!(1000), &json!(50), &json!(50), &json!(50)),
        "{s}"
    );
    let s = t.get(Some("ent_a"), &status("2025-01-15")).await.json();
    assert_eq!(s["status"], "late", "{s}");
    let r = t.get(Some("ent_b"), &status("2024-12-01")).await;
    assert_eq!(
        r.status,
        StatusCode::NOT_FOUND,
        "B cannot read A's position"
    );

    // The dashboard: A short, B (allocated, no figure yet) listed too, for the officer.
    let r = t
        .get(
            Some("officer"),
            "/api/v1/compliance/overview?scheme=cn-ets&year=2023&today=2024-12-01",
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text);
    let rows = r.json();
    let of = |code: &str| {
        rows.as_array()
            .unwrap()
            .iter()
            .find(|r| r["org"] == code)
            .cloned()
    };
    assert_eq!(of(&a).unwrap()["shortfall_t"], 50, "{rows}");
    assert!(of(&b).is_some(), "{rows}");
    let r = t
        .get(
            Some("ent_b"),
            "/api/v1/compliance/overview?scheme=cn-ets&year=2023",
        )
        .await;
    assert!(!r.text.contains(&a), "{}", r.text);

    // Released, the last 50 t go in: compliant.
    ok(
        &t,
        "ent_a",
        "/api/v1/assets/release",
        json!({"pledge": pledge}),
    )
    .await;
    ok(
        &t,
        "ent_a",
        "/api/v1/assets/surrender",
        surrender("cea", 50),
    )
    .await;
    let s = t.get(Some("ent_a"), &status("2024-12-01")).await.json();
    assert_eq!(
        (&s["status"], &s["shortfall_t"]),
        (&json!("compliant"), &json!(0)),
        "{s}"
    );

    // The chain replays; the pages show the dashboard and only one's own holdings.
    let v = t
        .get(Some("verifier"), "/api/v1/assets/verify")
        .await
        .json();
    assert!(v["events"].as_u64().unwrap() >= 8, "{v}");
    let r = t
        .get(Some("admin"), "/compliance?scheme=cn-ets&year=2023")
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text);
    assert!(
        r.text
            .contains(&format!(r#"data-org="{a}" data-status="compliant""#)),
        "{}",
        r.text
    );
    let r = t.get(Some("ent_b"), "/carbon-assets").await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text);
    assert!(r.text.contains(&format!(r#"data-org="{b}""#)), "{}", r.text);
    assert!(!r.text.contains(&a), "A's holdings are not on B's page");

    // Every operation is audit-logged under the signed-in user.
    let audit = t.store(|s| s.audit(200).unwrap()).await;
    for actor in ["user:admin", "user:ent_a", "user:officer"] {
        assert!(
            audit.iter().any(|e| e.actor == actor),
            "no audit entry of {actor}"
        );
    }
}

#[tokio::test]
async fn catalog_and_coverage_are_readable() {
    let t = app();
    let v = t.get(Some("ent_a"), "/api/v1/assets/kinds").await.json();
    assert!(
        v["scheme"]
            .as_array()
            .unwrap()
            .iter()
            .any(|s| s["code"] == "cn-ets"),
        "{v}"
    );
    let r = t
        .get(
            Some("park"),
            "/api/v1/compliance/coverage?scheme=cn-ets&year=2023",
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text);
    let r = t
        .get(
            Some("park"),
            "/api/v1/compliance/coverage?scheme=nope&year=2023",
        )
        .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", r.text);
    let r = t
        .get(Some("park"), "/api/v1/compliance/coverage?year=2023")
        .await;
    assert_eq!(r.status, StatusCode::BAD_REQUEST, "{}", r.text);
}
