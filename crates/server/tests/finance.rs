//! Climate finance API: the project library within each tenant's scope, matching both
//! ways with reasons, the application workflow moved by the product's issuer only, MRV,
//! bank reports (JSON and Excel), and the pages. On the demo park: the Fuhuang-like retrofit
//! FH-2023-01 of enterprise A (a district subsidy, closed, and a carbon-reduction loan of
//! 重庆示范银行, repaying) and the rooftop PV JL-PV-2024 of enterprise B.

mod common;

use axum::http::StatusCode;
use common::*;
use rust_decimal::Decimal;
use serde_json::{Value, json};
use std::str::FromStr;
use zp_app::{NewUser, Role};

const BANK_A: &str = "重庆示范银行";
const BANK_B: &str = "重庆市北碚区生态环境局";

/// The demo database with `bank` working for bank A and `bank_b` for the district programme
/// (the subsidy's issuer).
async fn finance_app() -> TestApp {
    let app = app();
    app.store(|s| {
        s.set_bank_issuer("bank", BANK_A, "test").unwrap();
        let user = NewUser {
            username: "bank_b".into(),
            password_hash: zp_server::auth::hash_password(PASSWORD).unwrap(),
            role: Role::Bank,
            scope: String::new(),
        };
        let u = s.create_user(&user, "test").unwrap();
        let digest = zp_server::auth::token_digest(&token_of("bank_b"));
        s.create_api_token(&digest, u.id, "test", "test").unwrap();
        s.set_bank_issuer("bank_b", BANK_B, "test").unwrap();
    })
    .await;
    app
}

fn num(v: &Value) -> Decimal {
    Decimal::from_str(&v.to_string()).unwrap_or_else(|_| panic!("not a number: {v}"))
}

fn ids(v: &Value, key: &str) -> Vec<String> {
    let mut out: Vec<String> = v
        .as_array()
        .unwrap_or_else(|| panic!("not a list: {v}"))
        .iter()
        .map(|x| match &x[key] {
            Value::String(s) => s.clone(),
            other => other.to_string(),
        })
        .collect();
    out.sort();
    out
}

async fn library(app: &TestApp, user: &str, query: &str) -> Vec<String> {
    let r = app
        .get(Some(user), &format!("/api/v1/finance/projects{query}"))
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text);
    let mut ids: Vec<String> = r
        .json()
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p["project"]["id"].as_str().unwrap().to_string())
        .collect();
    ids.sort();
    ids
}

#[tokio::test]
async fn each_tenant_sees_only_its_projects_and_404_outside() {
    let app = finance_app().await;
    assert_eq!(
        library(&app, "admin", "").await,
        ["FH-2023-01", "JL-PV-2024"]
    );
    assert_eq!(
        library(&app, "park", "").await,
        ["FH-2023-01", "JL-PV-2024"]
    );
    assert_eq!(library(&app, "ent_a", "").await, ["FH-2023-01"]);
    assert_eq!(library(&app, "ent_b", "").await, ["JL-PV-2024"]);
    assert!(library(&app, "park_sc", "").await.is_empty());
    for (user, id) in [
        ("ent_a", "JL-PV-2024"),
        ("ent_b", "FH-2023-01"),
        ("park_sc", "FH-2023-01"),
    ] {
        for path in ["", "/mrv?to=2024-06", "/matches"] {
            let r = app
                .get(Some(user), &format!("/api/v1/finance/projects/{id}{path}"))
                .await;
            assert_eq!(
                r.status,
                StatusCode::NOT_FOUND,
                "{user} {id}{path}: {}",
                r.text
            );
            assert!(!r.text.contains("水泥粉磨"), "{}", r.text);
        }
    }
    assert_eq!(
        app.get(None, "/api/v1/finance/projects").await.status,
        StatusCode::UNAUTHORIZED
    );
}

#[tokio::test]
async fn the_library_filters_by_type_category_park_status_and_org() {
    let app = finance_app().await;
    assert_eq!(
        library(&app, "admin", "?kind=distributed_pv").await,
        ["JL-PV-2024"]
    );
    assert_eq!(library(&app, "admin", "?category=1").await, ["FH-2023-01"]);
    assert_eq!(
        library(&app, "admin", "?category=4.1").await,
        ["JL-PV-2024"]
    );
    assert_eq!(
        library(&app, "admin", "?status=repaying").await,
        ["FH-2023-01"]
    );
    assert_eq!(
        library(&app, "admin", "?status=submitted").await,
        ["JL-PV-2024"]
    );
    assert!(library(&app, "admin", "?status=none").await.is_empty());
    assert!(
        library(
            &app,
            "admin",
            &format!("?park={}", enc(zp_app::demo::DEMO_PARK_SC))
        )
        .await
        .is_empty()
    );
    assert_eq!(
        library(&app, "admin", &format!("?org={}", org_b())).await,
        ["JL-PV-2024"]
    );
    let r = app
        .get(Some("admin"), "/api/v1/finance/projects?org=nonsense")
        .await;
    assert_eq!(r.status, StatusCode::BAD_REQUEST);
    assert!(r.text.contains("org \\\"nonsense\\\""), "{}", r.text);
}

#[tokio::test]
async fn a_project_shows_its_computed_reduction_tags_and_applications() {
    let app = finance_app().await;
    let r = app
        .get(Some("ent_a"), "/api/v1/finance/projects/FH-2023-01")
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text);
    let v = r.json();
    // 32,600 MWh x 0.5581 + 44,500 t clinker x 0.535 = 18,194.06 + 23,807.5 tCO2;
    // 32,600 MWh x 0.1229 kgce/kWh = 4,006.54 tce.
    assert_eq!(
        num(&v["expected"]["total_tco2"]),
        Decimal::from_str("42001.56").unwrap()
    );
    assert_eq!(
        num(&v["expected"]["energy_saved_tce"]),
        Decimal::from_str("4006.54").unwrap()
    );
    assert_eq!(v["tags"][0]["code"], "1.1.1");
    // The grant (closed) and the loan (repaying).
    let statuses: Vec<&str> = v["applications"]
        .as_array()
        .unwrap()
        .iter()
        .map(|a| a["status"].as_str().unwrap())
        .collect();
    assert_eq!(statuses, ["closed", "repaying"]);
    // Bank A sees only its own application of the project.
    let r = app
        .get(Some("bank"), "/api/v1/finance/projects/FH-2023-01")
        .await;
    let apps = r.json()["applications"].clone();
    assert_eq!(apps.as_array().unwrap().len(), 1);
    assert_eq!(apps[0]["product_id"], "CQB-CRL-01");
}

#[tokio::test]
async fn banks_see_only_their_applications_products_and_portfolio() {
    let app = finance_app().await;
    let all = app
        .get(Some("admin"), "/api/v1/finance/applications")
        .await
        .json();
    assert_eq!(all.as_array().unwrap().len(), 4);
    let a = app
        .get(Some("bank"), "/api/v1/finance/applications")
        .await
        .json();
    let b = app
        .get(Some("bank_b"), "/api/v1/finance/applications")
        .await
        .json();
    assert!(a.as_array().unwrap().iter().all(|x| x["issuer"] == BANK_A));
    assert_eq!(a.as_array().unwrap().len(), 3);
    assert_eq!(b.as_array().unwrap().len(), 1);
    assert_eq!(b[0]["product_id"], "BB-SUBSIDY-2024");
    let grant = b[0]["id"].as_i64().unwrap();
    let loan = a[0]["id"].as_i64().unwrap();
    // Each bank: 404 on the other's application, 200 on its own.
    for (user, other, own) in [("bank", grant, loan), ("bank_b", loan, grant)] {
        let r = app
            .get(Some(user), &format!("/api/v1/finance/applications/{other}"))
            .await;
        assert_eq!(r.status, StatusCode::NOT_FOUND, "{user}: {}", r.text);
        let r = app
            .post_json(
                user,
                &format!("/api/v1/finance/applications/{other}/actions"),
                json!({"action": "close"}),
            )
            .await;
        assert_eq!(r.status, StatusCode::NOT_FOUND, "{user}: {}", r.text);
        let r = app
            .get(Some(user), &format!("/api/v1/finance/applications/{own}"))
            .await;
        assert_eq!(r.status, StatusCode::OK, "{user}: {}", r.text);
    }
    // Enterprise A sees its two applications, not B's.
    let e = app
        .get(Some("ent_a"), "/api/v1/finance/applications")
        .await
        .json();
    assert_eq!(ids(&e, "project_id"), ["FH-2023-01", "FH-2023-01"]);
    // Products: a bank sees its own; enterprises every published product.
    let p = app
        .get(Some("bank"), "/api/v1/finance/products")
        .await
        .json();
    assert_eq!(ids(&p, "id"), ["CQB-CEA-03", "CQB-CRL-01", "CQB-LOW-02"]);
    let p = app
        .get(Some("ent_a"), "/api/v1/finance/products")
        .await
        .json();
    assert_eq!(p.as_array().unwrap().len(), 5);
    // Reports: own portfolio only.
    let r = app
        .get(
            Some("bank"),
            &format!(
                "/api/v1/finance/reports/loans?year=2023&bank={}",
                enc(BANK_B)
            ),
        )
        .await;
    assert_eq!(r.status, StatusCode::NOT_FOUND, "{}", r.text);
    let r = app
        .get(Some("ent_a"), "/api/v1/finance/reports/pcaf?year=2023")
        .await;
    assert_eq!(r.status, StatusCode::FORBIDDEN, "{}", r.text);
}

#[tokio::test]
async fn matching_ranks_both_ways_with_reasons() {
    let app = finance_app().await;
    let r = app
        .get(Some("ent_b"), "/api/v1/finance/projects/JL-PV-2024/matches")
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text);
    let m = r.json();
    assert_eq!(m.as_array().unwrap().len(), 5);
    // The bond needs 20,000 tCO2/yr and 50 M yuan: the PV fails both, with reasons.
    let bond = m
        .as_array()
        .unwrap()
        .iter()
        .find(|x| x["product_id"] == "YRG-GB-01")
        .unwrap();
    assert_eq!(bond["eligible"], false);
    let failed: Vec<&str> = bond["checks"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|c| c["passed"] == false)
        .map(|c| c["rule"].as_str().unwrap())
        .collect();
    assert_eq!(failed, ["min_annual_reduction", "capex_range"]);
    // Eligible products rank first.
    assert_eq!(m[0]["eligible"], true);
    // Projects for bank A's carbon-reduction loan; bank B may not rank for it.
    let r = app
        .get(Some("bank"), "/api/v1/finance/products/CQB-CRL-01/matches")
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text);
    let m = r.json();
    // A bank sees the projects of its applicants and borrowers only (hardening issue,
    // item 12): FH-2023-01 applied to bank A; JL-PV-2024 has no application with it.
    assert_eq!(ids(&m, "project_id"), ["FH-2023-01"]);
    assert!(
        m.as_array()
            .unwrap()
            .iter()
            .all(|x| !x["checks"].as_array().unwrap().is_empty())
    );
    let r = app
        .get(
            Some("bank_b"),
            "/api/v1/finance/products/CQB-CRL-01/matches",
        )
        .await;
    assert_eq!(r.status, StatusCode::NOT_FOUND);
}

#[tokio::test]
async fn an_application_moves_through_the_workflow_by_its_issuer_and_is_audited() {
    let app = finance_app().await;
    // Enterprise B applies for the district subsidy: 10 % of 9 M yuan capex.
    let r = app
        .post_json(
            "ent_b",
            "/api/v1/finance/applications",
            json!({"project": "JL-PV-2024", "product": "BB-SUBSIDY-2024", "amount_yuan": 900000}),
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text);
    let id = r.json()["id"].as_i64().unwrap();
    assert_eq!(r.json()["status"], "submitted");
    // Enterprise A cannot apply with B's project; too much is refused with the offer.
    let r = app
        .post_json(
            "ent_a",
            "/api/v1/finance/applications",
            json!({"project": "JL-PV-2024", "product": "BB-SUBSIDY-2024", "amount_yuan": 1}),
        )
        .await;
    assert_eq!(r.status, StatusCode::NOT_FOUND, "{}", r.text);
    let r = app
        .post_json(
            "ent_b",
            "/api/v1/finance/applications",
            json!({"project": "JL-PV-2024", "product": "BB-SUBSIDY-2024", "amount_yuan": 900001}),
        )
        .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", r.text);
    assert!(r.text.contains("(900000 yuan)"), "{}", r.text);
    // The applicant may not approve; bank A does not even see it.
    let step = |user: &'static str, body: Value| {
        let app = &app;
        async move {
            app.post_json(
                user,
                &format!("/api/v1/finance/applications/{id}/actions"),
                body,
            )
            .await
        }
    };
    assert_eq!(
        step("ent_b", json!({"action": "review"})).await.status,
        StatusCode::FORBIDDEN
    );
    assert_eq!(
        step("bank", json!({"action": "review"})).await.status,
        StatusCode::NOT_FOUND
    );
    for (action, status) in [
        (json!({"action": "review"}), "under_review"),
        (json!({"action": "approve", "note": "ok"}), "approved"),
        (
            json!({"action": "disburse", "period": "2024-03"}),
            "disbursed",
        ),
        (json!({"action": "close"}), "closed"),
    ] {
        let r = step("bank_b", action).await;
        assert_eq!(r.status, StatusCode::OK, "{}", r.text);
        assert_eq!(r.json()["status"], status);
    }
    let r = step("bank_b", json!({"action": "repay"})).await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", r.text);
    let v = app
        .get(Some("ent_b"), &format!("/api/v1/finance/applications/{id}"))
        .await
        .json();
    assert_eq!(num(&v["disbursed_fen"]), Decimal::from(90_000_000));
    assert_eq!(v["events"].as_array().unwrap().len(), 4);
    let audit = app.store(|s| s.audit(10_000).unwrap()).await;
    let by = |actor: &str| audit.iter().filter(|a| a.actor == actor).count();
    assert!(by("user:ent_b") >= 1);
    assert!(by("user:bank_b") >= 4);
}

#[tokio::test]
async fn banks_publish_their_own_products_only() {
    let app = finance_app().await;
    let product = |issuer: &str| {
        json!({
            "id": "CQB-MOTOR-04", "issuer": issuer, "name": "电机能效贷",
            "kind": "low_interest_loan", "annual_rate_pct": 3.2, "tenor_months": 36,
            "rules": [{"rule": "category", "prefixes": ["1.1"]}]
        })
    };
    let r = app
        .post_json("bank", "/api/v1/finance/products", product(BANK_A))
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text);
    assert_eq!(r.json()["result"], "inserted");
    let r = app
        .post_json("bank", "/api/v1/finance/products", product(BANK_B))
        .await;
    assert_eq!(r.status, StatusCode::FORBIDDEN, "{}", r.text);
    assert!(
        r.text.contains("you publish for 重庆示范银行"),
        "{}",
        r.text
    );
    let r = app
        .post_json("ent_a", "/api/v1/finance/products", product(BANK_A))
        .await;
    assert_eq!(r.status, StatusCode::FORBIDDEN, "{}", r.text);
    let mut bad = product(BANK_A);
    bad["rules"][0]["prefixes"] = json!(["9.9.9"]);
    let r = app.post_json("bank", "/api/v1/finance/products", bad).await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", r.text);
    assert!(
        r.text
            .contains("category 9.9.9 is not in the green finance catalogue"),
        "{}",
        r.text
    );
    let audit = app.store(|s| s.audit(10_000).unwrap()).await;
    assert!(
        audit
            .iter()
            .any(|a| a.actor == "user:bank" && a.entity_id == "CQB-MOTOR-04")
    );
}

#[tokio::test]
async fn an_enterprise_registers_its_own_project_with_a_computed_reduction() {
    let app = finance_app().await;
    let project = |org: String| {
        json!({
            "id": "MOTOR-2025", "name": "空压机与风机变频改造", "org": org,
            "kind": "motor_system", "region": "CQ", "capex_yuan": 3000000,
            "start": "2024-09", "operation_start": "2025-01", "categories": ["1.1.1"],
            "baseline_year": 2023,
            "baseline": [{"carrier": "electricity", "quantity": 10000000, "unit": "kWh"}],
            "project": [{"carrier": "electricity", "quantity": 9000000, "unit": "kWh"}]
        })
    };
    let r = app
        .post_json("ent_a", "/api/v1/finance/projects", project(org_b()))
        .await;
    assert_eq!(r.status, StatusCode::NOT_FOUND, "{}", r.text);
    let r = app
        .post_json("verifier", "/api/v1/finance/projects", project(org_a()))
        .await;
    assert_eq!(r.status, StatusCode::FORBIDDEN, "{}", r.text);
    let r = app
        .post_json("ent_a", "/api/v1/finance/projects", project(org_a()))
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text);
    let e = &r.json()["project"]["expected"];
    // 1,000 MWh x 0.5581 tCO2/MWh; 1,000,000 kWh x 0.1229 kgce/kWh.
    assert_eq!(num(&e["total_tco2"]), Decimal::from_str("558.1").unwrap());
    assert_eq!(
        num(&e["energy_saved_tce"]),
        Decimal::from_str("122.9").unwrap()
    );
    assert_eq!(
        library(&app, "ent_a", "").await,
        ["FH-2023-01", "MOTOR-2025"]
    );
    assert_eq!(library(&app, "ent_b", "").await, ["JL-PV-2024"]);
    // Meters: only the enterprise's own, and not another tenant's project.
    let r = app
        .post_json(
            "ent_b",
            "/api/v1/finance/projects/MOTOR-2025/meters",
            json!({"meter": "X-1"}),
        )
        .await;
    assert_eq!(r.status, StatusCode::NOT_FOUND, "{}", r.text);
    let r = app
        .post_json(
            "ent_a",
            "/api/v1/finance/projects/MOTOR-2025/meters",
            json!({"meter": "NOT-REGISTERED"}),
        )
        .await;
    assert_eq!(r.status, StatusCode::NOT_FOUND, "{}", r.text);
    assert!(
        r.text.contains("meter NOT-REGISTERED is not registered"),
        "{}",
        r.text
    );
}

#[tokio::test]
async fn mrv_compares_monitored_with_expected_and_flags_the_pv() {
    let app = finance_app().await;
    let r = app
        .get(
            Some("ent_a"),
            "/api/v1/finance/projects/FH-2023-01/mrv?to=2024-06",
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text);
    let v = r.json();
    assert_eq!(v["source"], "ledger");
    assert_eq!(v["months"].as_array().unwrap().len(), 6);
    assert!(v["alert"].is_null(), "{}", v["alert"]);
    // The PV delivers 40 % of its expected generation: behind from its first month.
    let v = app
        .get(
            Some("ent_b"),
            "/api/v1/finance/projects/JL-PV-2024/mrv?from=2024-04&to=2024-06",
        )
        .await
        .json();
    assert_eq!(v["months"].as_array().unwrap().len(), 3);
    assert!(
        v["months"]
            .as_array()
            .unwrap()
            .iter()
            .all(|m| m["behind"] == true)
    );
    assert!(
        v["alert"]
            .as_str()
            .unwrap()
            .starts_with("behind since 2024-02"),
        "{}",
        v["alert"]
    );
    let r = app
        .get(
            Some("ent_b"),
            "/api/v1/finance/projects/JL-PV-2024/mrv?to=June",
        )
        .await;
    assert_eq!(r.status, StatusCode::BAD_REQUEST);
}

#[tokio::test]
async fn bank_reports_come_as_json_and_excel() {
    let app = finance_app().await;
    let r = app
        .get(Some("bank"), "/api/v1/finance/reports/loans?year=2023")
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text);
    let v = r.json();
    // The 24 M yuan carbon-reduction loan of FH-2023-01, disbursed 2023-12: 24 / 60 of the
    // capex, so 40 % of 42,001.56 tCO2 a year.
    assert_eq!(v["lines"].as_array().unwrap().len(), 1);
    assert_eq!(
        num(&v["lines"][0]["amount_fen"]),
        Decimal::from(2_400_000_000i64)
    );
    assert_eq!(
        num(&v["lines"][0]["attributed_annual_reduction_tco2"]),
        Decimal::from_str("16800.624").unwrap()
    );
    let x = app
        .get(
            Some("bank"),
            "/api/v1/finance/reports/loans?year=2023&format=xlsx",
        )
        .await;
    assert_eq!(x.status, StatusCode::OK);
    assert_eq!(
        x.headers["content-type"],
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    );
    assert!(
        x.headers["content-disposition"]
            .to_str()
            .unwrap()
            .contains("carbon-reduction-loans-2023.xlsx")
    );
    let r = app
        .get(
            Some("admin"),
            &format!(
                "/api/v1/finance/reports/pcaf?year=2023&bank={}",
                enc(BANK_A)
            ),
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text);
    assert_eq!(r.json()["bank"], BANK_A);
    let r = app
        .get(Some("admin"), "/api/v1/finance/reports/pcaf?year=2023")
        .await;
    assert_eq!(r.status, StatusCode::BAD_REQUEST);
    let r = app
        .get(
            Some("bank"),
            "/api/v1/finance/reports/pcaf?year=2023&format=pdf",
        )
        .await;
    assert_eq!(r.status, StatusCode::BAD_REQUEST);
}

#[tokio::test]
async fn pages_show_the_library_the_project_chart_and_the_matching_view() {
    let app = finance_app().await;
    let r = app.get(Some("ent_a"), "/finance").await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text);
    assert!(r.text.contains("水泥粉磨系统节能降碳技术改造"));
    assert!(r.text.contains(&name_of(&org_a())));
    assert!(!r.text.contains("JL-PV-2024"));
    assert!(r.text.contains("气候投融资项目库"));
    let r = app.get(Some("ent_a"), "/finance?lang=en").await;
    assert!(r.text.contains("Climate finance project library"));
    let r = app.get(Some("ent_a"), "/finance/projects/FH-2023-01").await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text);
    assert!(r.text.contains("id=\"mrv-chart\""));
    assert!(r.text.contains("\"months\":[\"2024-01\""), "{}", r.text);
    assert!(r.text.contains("/assets/finance.js"));
    let r = app.get(Some("ent_a"), "/finance/projects/JL-PV-2024").await;
    assert_eq!(r.status, StatusCode::NOT_FOUND);
    let r = app.get(Some("bank"), "/matching").await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text);
    assert!(r.text.contains("id=\"match-matrix\""));
    assert!(r.text.contains("CQB-CRL-01"));
    assert!(!r.text.contains("BB-SUBSIDY-2024"));
    // The navigation offers matching to banks, not to enterprises.
    assert!(r.text.contains("href=\"/matching\""));
    let r = app.get(Some("ent_a"), "/finance").await;
    assert!(!r.text.contains("href=\"/matching\""));
}
