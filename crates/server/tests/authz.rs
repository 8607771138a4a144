//! Authorisation: every role tries to read and write across tenants and is refused with
//! 404 (outside the scope: indistinguishable from absent) or 403 (role not allowed), and
//! nothing of the other tenant appears in the answer. Every test runs on SQLite and on
//! PostgreSQL (issue 22 #16).

mod common;

use axum::http::StatusCode;
use common::*;
use serde_json::json;
use zp_app::demo::{DEMO_PARK, DEMO_PARK_SC, DEMO_YEAR};

backends!(
    enterprise_user_sees_only_their_enterprise,
    enterprise_user_cannot_write_another_enterprise,
    park_admin_is_confined_to_their_park,
    region_officer_reads_their_region_only,
    read_only_roles_change_nothing,
    meters_are_registered_within_the_scope_and_cannot_be_taken_over,
);

/// The answer is a refusal that names nothing of `secret`.
fn refused(r: &Resp, status: StatusCode, secret: &str) {
    assert_eq!(r.status, status, "{}", r.text);
    assert!(!r.text.contains(secret), "leaked {secret:?}: {}", r.text);
}

async fn enterprise_user_sees_only_their_enterprise(t: &TestApp) {
    let (a, b, c) = (org_a(), org_b(), org_c());
    let orgs = t.get(Some("ent_a"), "/api/v1/orgs").await.json();
    let list = orgs["orgs"].as_array().unwrap();
    assert_eq!(list.len(), 1);
    assert_eq!(list[0]["credit_code"], a);
    let b_name = name_of(&b);
    for uri in [
        format!("/api/v1/orgs/{b}"),
        format!("/api/v1/orgs/{b}/history"),
        format!("/api/v1/orgs/{b}/sites"),
        format!("/api/v1/orgs/{b}/meters"),
        format!("/api/v1/orgs/{b}/monthly?year={DEMO_YEAR}"),
        format!("/api/v1/inventory?org={b}&year={DEMO_YEAR}"),
        format!("/api/v1/inventory?org={c}&year={DEMO_YEAR}"),
        format!("/api/v1/inventory?region=CQ&year={DEMO_YEAR}"),
        format!("/api/v1/parks/{}/overview", enc(DEMO_PARK_SC)),
        format!("/api/v1/carbon-map/parks/{}", enc(DEMO_PARK_SC)),
        format!("/api/v1/carbon-map/orgs/{b}/heatmap?year={DEMO_YEAR}"),
    ] {
        let r = t.get(Some("ent_a"), &uri).await;
        refused(&r, StatusCode::NOT_FOUND, &b_name);
    }
    // Their own park's overview shows only themselves.
    let v = t
        .get(
            Some("ent_a"),
            &format!("/api/v1/parks/{}/overview", enc(DEMO_PARK)),
        )
        .await
        .json();
    assert_eq!(v["members"].as_array().unwrap().len(), 1);
    assert!(!v.to_string().contains(&b_name));
    // Pages too.
    let r = t.get(Some("ent_a"), &format!("/orgs/{b}")).await;
    refused(&r, StatusCode::NOT_FOUND, &b_name);
    let r = t.get(Some("ent_a"), "/orgs").await;
    assert_eq!(r.status, StatusCode::OK);
    assert!(r.text.contains(&name_of(&a)) && !r.text.contains(&b_name));
}

async fn enterprise_user_cannot_write_another_enterprise(t: &TestApp) {
    let (a, b) = (org_a(), org_b());
    let b_name = name_of(&b);
    let r = t
        .post_json(
            "ent_a",
            &format!("/api/v1/orgs/{b}/output"),
            json!({"year": DEMO_YEAR, "value_10k_yuan": "1"}),
        )
        .await;
    refused(&r, StatusCode::NOT_FOUND, &b_name);
    let r = t
        .post_json(
            "ent_a",
            &format!("/api/v1/orgs/{b}/sites"),
            json!({"name": "x", "lat": 1.0, "lon": 1.0}),
        )
        .await;
    refused(&r, StatusCode::NOT_FOUND, &b_name);
    let r = t
        .post_json(
            "ent_a",
            "/api/v1/designations",
            json!({"scope_kind": "org", "scope_id": b, "kind": "green_factory", "level": "national", "granted_on": "2025-01-01"}),
        )
        .await;
    assert_eq!(
        r.status,
        StatusCode::FORBIDDEN,
        "enterprise users grant no designations"
    );
    let b_code = zp_domain::CreditCode::parse(&b).unwrap();
    let before = t
        .store(move |s| {
            (
                s.output_value(&b_code, DEMO_YEAR).unwrap(),
                s.activity(&zp_app::Access::All, &b_code, DEMO_YEAR)
                    .unwrap(),
            )
        })
        .await;
    // An upload with a row for B: A's row is imported, B's quarantined, B unchanged.
    let csv = format!(
        "credit_code,period,carrier,quantity,unit\n{a},2025-03,electricity,10,MWh\n{b},{DEMO_YEAR}-01,electricity,999999,MWh\n"
    );
    let r = t
        .upload(
            "ent_a",
            "/api/v1/imports/activity",
            "mixed.csv",
            csv.as_bytes(),
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text);
    let v = r.json();
    assert_eq!(
        (v["accepted"].clone(), v["quarantined"].clone()),
        (json!(1), json!(1))
    );
    assert!(!r.text.contains(&b_name));
    // Registering B in an orgs file cannot take it over either.
    let orgs =
        format!("credit_code,name,region,park,industry\n{b},Taken Over Ltd,CQ,{DEMO_PARK},3011\n");
    let r = t
        .upload("park", "/api/v1/imports/orgs", "orgs.csv", orgs.as_bytes())
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text);
    let r = t
        .upload("ent_a", "/api/v1/imports/orgs", "orgs.csv", orgs.as_bytes())
        .await;
    assert_eq!(
        r.status,
        StatusCode::FORBIDDEN,
        "enterprise users register no enterprises"
    );
    let b_code = zp_domain::CreditCode::parse(&b).unwrap();
    let after = t
        .store(move |s| {
            (
                s.output_value(&b_code, DEMO_YEAR).unwrap(),
                s.activity(&zp_app::Access::All, &b_code, DEMO_YEAR)
                    .unwrap(),
            )
        })
        .await;
    assert_eq!(before, after);
}

async fn park_admin_is_confined_to_their_park(t: &TestApp) {
    let c = org_c();
    let c_name = name_of(&c);
    let orgs = t.get(Some("park"), "/api/v1/orgs").await.json();
    let list = orgs["orgs"].as_array().unwrap();
    assert_eq!(list.len(), 30);
    assert!(list.iter().all(|o| o["park"] == DEMO_PARK));
    let parks = t.get(Some("park"), "/api/v1/parks").await.json();
    assert_eq!(parks["parks"].as_array().unwrap().len(), 1);
    for uri in [
        format!("/api/v1/orgs/{c}"),
        format!(
            "/api/v1/inventory?park={}&year={DEMO_YEAR}",
            enc(DEMO_PARK_SC)
        ),
        format!("/api/v1/parks/{}/overview", enc(DEMO_PARK_SC)),
        format!("/api/v1/carbon-map/parks/{}", enc(DEMO_PARK_SC)),
        format!(
            "/api/v1/evaluate/zero-carbon-park?park={}&year={DEMO_YEAR}",
            enc(DEMO_PARK_SC)
        ),
    ] {
        let r = t.get(Some("park"), &uri).await;
        refused(&r, StatusCode::NOT_FOUND, &c_name);
    }
    // Their own park evaluates, from their own accounts.
    let own = t
        .get(
            Some("park"),
            &format!(
                "/api/v1/evaluate/zero-carbon-park?park={}&year={DEMO_YEAR}",
                enc(DEMO_PARK)
            ),
        )
        .await;
    assert_eq!(own.status, StatusCode::OK, "{}", own.text);
    let own = own.json();
    assert_eq!(own["scope_id"], DEMO_PARK);
    assert!(
        own["indicators"]
            .as_array()
            .unwrap()
            .iter()
            .any(|i| i["veto"] == true && i["value"].is_number()),
        "{own}"
    );
    let r = t
        .post_json(
            "park",
            "/api/v1/designations",
            json!({"scope_kind": "park", "scope_id": DEMO_PARK_SC, "kind": "green_park", "level": "national", "granted_on": "2025-01-01"}),
        )
        .await;
    refused(&r, StatusCode::NOT_FOUND, &c_name);
    let r = t
        .post_json(
            "park",
            "/api/v1/parks",
            json!({"name": "新园区", "region": "CQ"}),
        )
        .await;
    assert_eq!(r.status, StatusCode::FORBIDDEN);
    // The other park admin does not see this one's imports, quarantine or audit entries.
    let csv = "credit_code,period,carrier,quantity,unit\nbad,2025-01,electricity,1,MWh\n";
    let r = t
        .upload(
            "park",
            "/api/v1/imports/activity",
            "park1.csv",
            csv.as_bytes(),
        )
        .await;
    // The upload happened (one row read, quarantined for its credit code): otherwise the
    // checks below would pass without anything to hide (issue 22 #17).
    assert_eq!(r.status, StatusCode::OK, "{}", r.text);
    let v = r.json();
    assert_eq!(
        (
            v["read"].clone(),
            v["accepted"].clone(),
            v["quarantined"].clone()
        ),
        (json!(1), json!(0), json!(1))
    );
    for uri in ["/api/v1/imports", "/api/v1/quarantine"] {
        let own = t.get(Some("park"), uri).await;
        assert!(
            own.text.contains("park1.csv"),
            "the uploader sees it: {}",
            own.text
        );
    }
    let own = t.get(Some("park"), "/api/v1/audit").await;
    assert!(own.text.contains("user:park\""), "{}", own.text);
    for uri in ["/api/v1/imports", "/api/v1/quarantine", "/api/v1/audit"] {
        let r = t.get(Some("park_sc"), uri).await;
        assert_eq!(r.status, StatusCode::OK);
        assert!(
            !r.text.contains("park1.csv") && !r.text.contains("user:park\""),
            "{uri}: {}",
            r.text
        );
    }
}

async fn region_officer_reads_their_region_only(t: &TestApp) {
    let r = t
        .get(
            Some("officer"),
            &format!("/api/v1/inventory?region=CQ&year={DEMO_YEAR}"),
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text);
    assert_eq!(r.json()["members"].as_array().unwrap().len(), 30);
    let r = t
        .get(
            Some("officer"),
            &format!("/api/v1/inventory?region=SC&year={DEMO_YEAR}"),
        )
        .await;
    assert_eq!(r.status, StatusCode::NOT_FOUND);
    let r = t
        .post_json(
            "officer",
            "/api/v1/parks",
            json!({"name": "成都新园区", "region": "SC"}),
        )
        .await;
    assert_eq!(r.status, StatusCode::FORBIDDEN);
    let r = t
        .post_json(
            "officer",
            "/api/v1/parks",
            json!({"name": "重庆新园区", "region": "CQ"}),
        )
        .await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.text);
    let r = t.get(Some("officer_sc"), "/api/v1/parks").await;
    assert!(!r.text.contains("重庆新园区"));
}

async fn read_only_roles_change_nothing(t: &TestApp) {
    let a = org_a();
    let audit_before = t.store(|s| s.audit(100_000).unwrap().len()).await;
    for user in ["bank", "verifier"] {
        let r = t
            .post_json(
                user,
                &format!("/api/v1/orgs/{a}/output"),
                json!({"year": DEMO_YEAR, "value_10k_yuan": "1"}),
            )
            .await;
        assert_eq!(r.status, StatusCode::FORBIDDEN, "{user}");
        let csv =
            format!("credit_code,period,carrier,quantity,unit\n{a},2025-01,electricity,1,MWh\n");
        let r = t
            .upload(user, "/api/v1/imports/activity", "x.csv", csv.as_bytes())
            .await;
        assert_eq!(r.status, StatusCode::FORBIDDEN, "{user}");
        let r = t
            .post_json(user, "/api/v1/recompute", json!({"dry_run": false}))
            .await;
        assert_eq!(r.status, StatusCode::FORBIDDEN, "{user}");
        let r = t
            .post_json(user, "/api/v1/parks", json!({"name": "x", "region": "CQ"}))
            .await;
        assert_eq!(r.status, StatusCode::FORBIDDEN, "{user}");
        // Without a scope, assignment or applicant they read no enterprise (issue 22 #12).
        let r = t.get(Some(user), "/api/v1/orgs").await.json();
        assert_eq!(r["orgs"].as_array().unwrap().len(), 0);
    }
    let audit_after = t.store(|s| s.audit(100_000).unwrap().len()).await;
    assert_eq!(audit_before, audit_after, "refused requests wrote nothing");
    // Only the platform admin reads the whole audit trail; a verifier or an enterprise
    // user reads their own entries (none here).
    let all = t.get(Some("admin"), "/api/v1/audit?limit=50").await.json();
    assert!(
        all["entries"]
            .as_array()
            .unwrap()
            .iter()
            .any(|e| e["actor"] == "test")
    );
    let own = t.get(Some("verifier"), "/api/v1/audit").await.json();
    assert!(own["entries"].as_array().unwrap().is_empty());
    let own = t.get(Some("ent_b"), "/api/v1/audit").await.json();
    assert!(own["entries"].as_array().unwrap().is_empty());
}

async fn meters_are_registered_within_the_scope_and_cannot_be_taken_over(t: &TestApp) {
    let (a, b, c) = (org_a(), org_b(), org_c());
    let csv =
        format!("meter,credit_code,kind,source\nM-A-1,{a},consumption,\nM-B-1,{b},consumption,\n");
    let v = t
        .upload(
            "ent_a",
            "/api/v1/imports/meters",
            "meters.csv",
            csv.as_bytes(),
        )
        .await
        .json();
    assert_eq!(
        (v["accepted"].clone(), v["quarantined"].clone()),
        (json!(1), json!(1))
    );
    let m = t
        .get(Some("ent_a"), &format!("/api/v1/orgs/{a}/meters"))
        .await
        .json();
    assert_eq!(m["meters"][0]["meter"], "M-A-1");
    // The Sichuan park admin re-registers A's meter to their enterprise: refused.
    let csv = format!("meter,credit_code,kind,source\nM-A-1,{c},consumption,\n");
    let v = t
        .upload(
            "park_sc",
            "/api/v1/imports/meters",
            "steal.csv",
            csv.as_bytes(),
        )
        .await
        .json();
    assert_eq!(v["quarantined"], 1);
    assert_eq!(v["rejected"][0]["field"], "meter");
    let m = t
        .get(Some("admin"), &format!("/api/v1/orgs/{a}/meters"))
        .await
        .json();
    assert_eq!(m["meters"][0]["credit_code"], a, "still A's meter");
    // Grid factors are reference data: platform admin only.
    let grid = "region,ts,tco2_per_mwh\nCQ,2023-07-01T12:00:00+08:00,0.52\n";
    let r = t
        .upload(
            "park",
            "/api/v1/imports/grid-hourly",
            "grid.csv",
            grid.as_bytes(),
        )
        .await;
    assert_eq!(r.status, StatusCode::FORBIDDEN);
    let r = t
        .upload(
            "admin",
            "/api/v1/imports/grid-hourly",
            "grid.csv",
            grid.as_bytes(),
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text);
    assert_eq!(r.json()["accepted"], 1, "{}", r.text);
}
