//! Hazardous waste transfers through the API (issue 15): an application from a Chongqing
//! generator to a Sichuan receiver, decided by the officers of both provinces (one through
//! the page's form), shipped and received short beyond the tolerance; enterprise B cannot
//! see it; the pages show it.

mod common;

use axum::body::Body;
use axum::http::{Request, StatusCode};
use common::*;
use serde_json::{Value, json};
use zp_domain::Decimal;

fn dec(v: &Value) -> Decimal {
    let text = match v {
        Value::String(s) => s.clone(),
        other => other.to_string(),
    };
    text.parse()
        .unwrap_or_else(|e| panic!("not a decimal {v}: {e}"))
}

/// Imports a permit of C (Sichuan) and a whitelist entry A -> C as the administrator, and
/// submits A's application of 20 t as enterprise A. Returns its id.
async fn setup(t: &TestApp) -> i64 {
    let (a, c) = (org_a(), org_c());
    let permits = format!(
        "permit_no,holder,province,codes,capacity_t,valid_from,valid_to,source\n\
         SCW-001,{c},SC,HW08,100,2024-01-01,2026-12-31,test permit\n\
         SCW-002,{c},SC,HW99,100,2024-01-01,2026-12-31,test permit\n"
    );
    let r = t
        .upload(
            "admin",
            "/api/v1/waste/permits",
            "permits.csv",
            permits.as_bytes(),
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text);
    let p = r.json();
    assert_eq!(
        (p["read"].as_u64(), p["accepted"].as_u64()),
        (Some(2), Some(1))
    );
    assert_eq!(p["quarantined"], 1);
    assert_eq!(p["rejected"][0]["field"], "codes");
    assert_eq!(
        p["file"], "permits.csv",
        "named by its file name, not its path"
    );
    let whitelist = format!(
        "agreement,from_province,to_province,generator,receiver,codes,yearly_cap_t,valid_from,valid_to,source\n\
         CQ-SC-01,CQ,SC,{a},{c},900-249-08,50,2024-01-01,2025-12-31,test agreement\n"
    );
    let r = t
        .upload(
            "admin",
            "/api/v1/waste/whitelist",
            "whitelist.csv",
            whitelist.as_bytes(),
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text);
    assert_eq!(r.json()["accepted"], 1);

    let r = t
        .post_json(
            "ent_a",
            "/api/v1/waste/applications",
            json!({
                "generator": a, "receiver": c, "code": "900-249-08", "tonnes": 20,
                "from_province": "CQ", "to_province": "SC", "submitted": "2024-09-27",
            }),
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text);
    let v = r.json();
    assert_eq!(v["status"], "pending");
    assert_eq!(v["whitelisted"], true);
    // 5 working days after Fri 2024-09-27: 09-29 (Sun, make-up), 09-30, 10-08, 10-09, 10-10.
    assert_eq!(v["due_date"], "2024-10-10");
    v["id"].as_i64().unwrap()
}

async fn post_form(t: &TestApp, user: &str, uri: &str, body: &str) -> Resp {
    let req = Request::post(uri)
        .header("authorization", format!("Bearer {}", token_of(user)))
        .header("content-type", "application/x-www-form-urlencoded")
        .body(Body::from(body.to_string()))
        .unwrap();
    t.send(req).await
}

fn decision(side: &str, date: &str) -> Value {
    json!({ "side": side, "approve": true, "date": date })
}

#[tokio::test]
async fn application_to_manifest_with_two_officers_and_a_discrepancy() {
    let t = app();
    let id = setup(&t).await;
    let (a, c) = (org_a(), org_c());
    let decide = format!("/api/v1/waste/applications/{id}/decisions");

    // Refusals: only officers decide; each their own province's side; the importing
    // province first. Nothing is written by a refusal.
    for user in ["ent_a", "park", "bank"] {
        let r = t
            .post_json(user, &decide, decision("import", "2024-09-30"))
            .await;
        assert_eq!(r.status, StatusCode::FORBIDDEN, "{user}: {}", r.text);
    }
    let r = t
        .post_json("officer", &decide, decision("import", "2024-09-30"))
        .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", r.text);
    assert!(r.text.contains("only an officer of SC"), "{}", r.text);
    let r = t
        .post_json("officer", &decide, decision("export", "2024-09-30"))
        .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", r.text);
    assert!(
        r.text.contains("after the importing province"),
        "{}",
        r.text
    );
    let r = t
        .post_json(
            "officer_sc",
            &decide,
            json!({"side": "import", "date": "2024-09-30"}),
        )
        .await;
    assert_eq!(
        r.status,
        StatusCode::BAD_REQUEST,
        "neither approve nor reject"
    );

    // The importing province (Sichuan) approves through the page's form.
    let r = post_form(
        &t,
        "officer_sc",
        &format!("/waste/{id}/decide"),
        "side=import&verdict=approve&date=2024-09-30&reason=",
    )
    .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.text);
    assert_eq!(r.headers["location"], format!("/waste/{id}"));
    // The exporting province (Chongqing) approves through the API.
    let r = t
        .post_json("officer", &decide, decision("export", "2024-10-08"))
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text);
    let v = r.json();
    assert_eq!(v["status"], "approved");
    assert_eq!(v["import"]["actor"], "user:officer_sc");
    assert_eq!(v["export"]["actor"], "user:officer");
    // 09-29, 09-30 and 10-08 are working days after the submission.
    assert_eq!(v["working_days_taken"], 3);
    assert_eq!(v["overdue"], false);

    // The generator ships; only the receiver signs.
    let r = t
        .post_json(
            "ent_a",
            &format!("/api/v1/waste/applications/{id}/manifests"),
            json!({"tonnes": "12", "date": "2024-10-09", "transporters": ["重庆危运", "四川危运"]}),
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text);
    let m = r.json();
    let manifest = m["id"].as_i64().unwrap();
    assert_eq!(m["transporters"], json!(["重庆危运", "四川危运"]));
    let receipt = format!("/api/v1/waste/manifests/{manifest}/receipt");
    let r = t
        .post_json(
            "ent_a",
            &receipt,
            json!({"tonnes": 11.5, "date": "2024-10-10"}),
        )
        .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", r.text);
    assert!(
        r.text.contains(&format!("only the receiver {c}")),
        "{}",
        r.text
    );
    // The Sichuan park (the receiver's) signs: 11.5 of 12 t, 0.5 t short, beyond 2 %.
    let r = t
        .post_json(
            "park_sc",
            &receipt,
            json!({"tonnes": 11.5, "date": "2024-10-10"}),
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text);
    let m = r.json();
    assert_eq!(dec(&m["received_tonnes"]), Decimal::new(115, 1));
    assert_eq!(dec(&m["difference_tonnes"]), Decimal::new(-5, 1));
    assert_eq!(m["discrepancy"], true);
    let r = t
        .post_json(
            "park_sc",
            &receipt,
            json!({"tonnes": 12, "date": "2024-10-10"}),
        )
        .await;
    assert_eq!(
        r.status,
        StatusCode::UNPROCESSABLE_ENTITY,
        "signed once only"
    );

    // Both officers and the generator see the manifest and the totals.
    for user in ["officer", "officer_sc", "ent_a", "admin"] {
        let r = t
            .get(
                Some(user),
                &format!("/api/v1/waste/applications/{id}/manifests"),
            )
            .await;
        assert_eq!(r.status, StatusCode::OK, "{user}: {}", r.text);
        let list = r.json();
        assert_eq!(list.as_array().map(Vec::len), Some(1), "{user}");
        assert_eq!(list[0]["discrepancy"], true, "{user}");
    }
    let r = t
        .get(
            Some("officer"),
            &format!("/api/v1/waste/applications/{id}?today=2024-12-31"),
        )
        .await;
    let v = r.json();
    assert_eq!(
        (dec(&v["shipped_t"]), dec(&v["received_t"])),
        (Decimal::from(12), Decimal::new(115, 1))
    );
    assert_eq!(v["generator"], json!(a));

    // The importing province's yearly statistics count the discrepancy.
    let r = t
        .get(
            Some("officer_sc"),
            "/api/v1/waste/report?region=SC&year=2024&as_of=2024-12-31",
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text);
    let rep = r.json();
    assert_eq!(
        (
            &rep["applications"],
            &rep["approved"],
            &rep["manifests"],
            &rep["discrepancies"]
        ),
        (&json!(1), &json!(1), &json!(1), &json!(1)),
        "{rep}"
    );

    // Every step is in the audit log under the signed-in user.
    let audit = t.store(|s| s.audit(200).unwrap()).await;
    for (actor, action) in [
        ("user:ent_a", "submit"),
        ("user:officer_sc", "approve"),
        ("user:officer", "approve"),
        ("user:ent_a", "ship"),
        ("user:park_sc", "receive"),
    ] {
        assert!(
            audit.iter().any(|e| e.actor == actor && e.action == action),
            "no audit entry {actor} {action}"
        );
    }

    // The application's page shows the decisions and the flagged manifest.
    let r = t.get(Some("ent_a"), &format!("/waste/{id}")).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text);
    assert!(r.text.contains(r#"data-status="approved""#), "{}", r.text);
    assert!(
        r.text.contains(&format!(
            r#"data-manifest="{manifest}" data-discrepancy="true""#
        )),
        "{}",
        r.text
    );
    assert!(r.text.contains("2024-10-10"), "due date shown");
}

#[tokio::test]
async fn enterprise_b_cannot_see_or_touch_a_s_application() {
    let t = app();
    let id = setup(&t).await;
    let r = t
        .get(Some("ent_b"), &format!("/api/v1/waste/applications/{id}"))
        .await;
    assert_eq!(r.status, StatusCode::NOT_FOUND, "{}", r.text);
    let r = t
        .get(
            Some("ent_b"),
            &format!("/api/v1/waste/applications/{id}/manifests"),
        )
        .await;
    assert_eq!(r.status, StatusCode::NOT_FOUND, "{}", r.text);
    let r = t.get(Some("ent_b"), "/api/v1/waste/applications").await;
    assert_eq!(r.json(), json!([]));
    let r = t
        .post_json(
            "ent_b",
            &format!("/api/v1/waste/applications/{id}/manifests"),
            json!({"tonnes": 1, "date": "2024-10-09", "transporters": ["x"]}),
        )
        .await;
    assert_eq!(r.status, StatusCode::NOT_FOUND, "{}", r.text);
    let r = t.get(Some("ent_b"), &format!("/waste/{id}")).await;
    assert_eq!(r.status, StatusCode::NOT_FOUND);
    // B may not apply in A's name either.
    let r = t
        .post_json(
            "ent_b",
            "/api/v1/waste/applications",
            json!({
                "generator": org_a(), "receiver": org_c(), "code": "900-249-08", "tonnes": 1,
                "from_province": "CQ", "to_province": "SC", "submitted": "2024-09-27",
            }),
        )
        .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", r.text);
    // Reference data is the administrator's.
    let r = t
        .upload("ent_a", "/api/v1/waste/permits", "p.csv", b"permit_no\n")
        .await;
    assert_eq!(r.status, StatusCode::FORBIDDEN, "{}", r.text);

    // The officers of both provinces and the administrator see it; so do the pages.
    for user in ["officer", "officer_sc", "admin", "ent_a"] {
        let r = t.get(Some(user), "/api/v1/waste/applications").await;
        let ids: Vec<i64> = r
            .json()
            .as_array()
            .unwrap()
            .iter()
            .map(|a| a["id"].as_i64().unwrap())
            .collect();
        assert_eq!(ids, vec![id], "{user}");
    }
    let r = t.get(Some("officer"), "/waste").await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text);
    assert!(r.text.contains(&format!(r#"data-id="{id}""#)), "{}", r.text);
    let r = t.get(Some("ent_b"), "/waste").await;
    assert!(!r.text.contains(&format!(r#"data-id="{id}""#)));
}

#[tokio::test]
async fn calendar_and_codes() {
    let t = app();
    let r = t
        .get(
            Some("ent_a"),
            "/api/v1/calendar/add-working-days?from=2024-09-27&days=5",
        )
        .await;
    assert_eq!(r.json(), json!({"date": "2024-10-10"}));
    let r = t
        .get(Some("ent_a"), "/api/v1/calendar/days/2024-09-29")
        .await;
    let d = r.json();
    assert_eq!(
        (d["working_day"].clone(), d["name_zh"].clone()),
        (json!(true), json!("国庆节"))
    );
    let r = t
        .get(Some("ent_a"), "/api/v1/calendar/days/2027-01-04")
        .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", r.text);
    let r = t.get(None, "/api/v1/calendar/days/2024-09-29").await;
    assert_eq!(r.status, StatusCode::UNAUTHORIZED);
    let r = t
        .get(Some("ent_a"), "/api/v1/waste/codes?category=HW08")
        .await;
    let codes = r.json();
    let list = codes.as_array().unwrap();
    assert!(list.iter().any(|c| c["code"] == "900-249-08"), "{codes}");
    assert!(list.iter().all(|c| c["category"] == "HW08"));
}

#[tokio::test]
async fn declarations_upload_and_an_application_over_the_declared_amount() {
    let t = app();
    // A's first application (20 t) is stored before any declaration exists.
    setup(&t).await;
    let (a, c) = (org_a(), org_c());
    let decl = format!(
        "generator,code,annual_t,year,source\n\
         {a},900-249-08,30,2024,2024 管理计划\n\
         {a},HW08,30,2024,a category\n"
    );
    // Reference data: the administrator only.
    let r = t
        .upload(
            "ent_a",
            "/api/v1/waste/declarations",
            "d.csv",
            decl.as_bytes(),
        )
        .await;
    assert_eq!(r.status, StatusCode::FORBIDDEN, "{}", r.text);
    let r = t
        .upload(
            "admin",
            "/api/v1/waste/declarations",
            "d.csv",
            decl.as_bytes(),
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text);
    let v = r.json();
    assert_eq!(
        (
            v["read"].as_u64(),
            v["accepted"].as_u64(),
            v["quarantined"].as_u64()
        ),
        (Some(2), Some(1), Some(1))
    );
    assert_eq!(v["rejected"][0]["row"], 3);
    // 30 t declared, 20 t applied: 11 t is refused with 422 and the reason.
    let apply = |tonnes: u32| {
        json!({
            "generator": a, "receiver": c, "code": "900-249-08", "tonnes": tonnes,
            "from_province": "CQ", "to_province": "SC", "submitted": "2024-10-08",
        })
    };
    let r = t
        .post_json("ent_a", "/api/v1/waste/applications", apply(11))
        .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", r.text);
    assert!(
        r.text
            .contains("20 t applied for earlier, 10 t left; 11 t asked"),
        "{}",
        r.text
    );
    let r = t
        .post_json("ent_a", "/api/v1/waste/applications", apply(10))
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text);
    let checks = r.json()["checks"].clone();
    assert!(
        checks
            .as_array()
            .unwrap()
            .iter()
            .any(|c| c["check"] == "declaration" && c["passed"] == true),
        "{checks}"
    );
}
