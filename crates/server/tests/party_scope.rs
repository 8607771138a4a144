//! Issue 22 #12: bank and verifier accounts read only their parties' enterprises (a bank
//! its applicants and borrowers, a verifier the enterprises assigned to it), and the audit
//! log only to admins in full, to everyone else as their own entries without server paths.
//! Every test runs on SQLite and on PostgreSQL (issue 22 #16).

mod common;

use axum::http::StatusCode;
use common::*;
use serde_json::Value;
use zp_app::demo::DEMO_PARK;
use zp_domain::CreditCode;

backends!(
    verifier_reads_only_assigned_enterprises,
    verifier_assignment_refuses_other_roles_and_unknown_enterprises,
    bank_reads_only_its_applicants_and_borrowers,
    audit_log_only_to_admins_and_own_entries_without_paths,
);

const BANK_A: &str = "重庆示范银行";

fn codes(v: &Value) -> Vec<String> {
    let mut out: Vec<String> = v["orgs"]
        .as_array()
        .unwrap_or_else(|| panic!("no orgs: {v}"))
        .iter()
        .map(|o| o["credit_code"].as_str().unwrap().to_string())
        .collect();
    out.sort();
    out
}

async fn assign(t: &TestApp, user: &str, code: &str) {
    let (user, code) = (user.to_string(), CreditCode::parse(code).unwrap());
    t.store(move |s| s.assign_verifier(&user, &code, "test").unwrap())
        .await;
}

async fn verifier_reads_only_assigned_enterprises(t: &TestApp) {
    let (a, b, c) = (org_a(), org_b(), org_c());
    // Unassigned: nothing, not every tenant.
    let r = t.get(Some("verifier"), "/api/v1/orgs").await;
    assert_eq!(codes(&r.json()), Vec::<String>::new());
    let r = t.get(Some("verifier"), &format!("/api/v1/orgs/{a}")).await;
    assert_eq!(r.status, StatusCode::NOT_FOUND);
    let r = t.get(Some("verifier"), "/api/v1/parks").await;
    assert_eq!(
        r.json()["parks"].as_array().map(Vec::len),
        Some(0),
        "{}",
        r.text
    );

    assign(t, "verifier", &a).await;
    let r = t.get(Some("verifier"), "/api/v1/orgs").await;
    assert_eq!(codes(&r.json()), vec![a.clone()]);
    let r = t.get(Some("verifier"), &format!("/api/v1/orgs/{a}")).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text);
    for other in [&b, &c] {
        let r = t
            .get(Some("verifier"), &format!("/api/v1/orgs/{other}"))
            .await;
        assert_eq!(r.status, StatusCode::NOT_FOUND, "{other}");
    }
    // The park's site map shows the assigned enterprise only.
    let r = t
        .get(
            Some("verifier"),
            &format!("/api/v1/carbon-map/parks/{}", enc(DEMO_PARK)),
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text);
    assert!(r.text.contains(&a) && !r.text.contains(&b), "{}", r.text);

    // A second assignment: both listed, each readable, C still not.
    assign(t, "verifier", &b).await;
    let r = t.get(Some("verifier"), "/api/v1/orgs").await;
    let mut want = vec![a.clone(), b.clone()];
    want.sort();
    assert_eq!(codes(&r.json()), want);
    let r = t.get(Some("verifier"), &format!("/api/v1/orgs/{b}")).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text);
    let r = t.get(Some("verifier"), &format!("/api/v1/orgs/{c}")).await;
    assert_eq!(r.status, StatusCode::NOT_FOUND);
}

async fn verifier_assignment_refuses_other_roles_and_unknown_enterprises(t: &TestApp) {
    let a = CreditCode::parse(&org_a()).unwrap();
    let out = t
        .store(move |s| {
            let bank = s
                .assign_verifier("bank", &a, "test")
                .unwrap_err()
                .to_string();
            let nobody = s
                .assign_verifier("nobody", &a, "test")
                .unwrap_err()
                .to_string();
            let first = s.assign_verifier("verifier", &a, "test").unwrap();
            let again = s.assign_verifier("verifier", &a, "test").unwrap();
            (bank, nobody, first, again)
        })
        .await;
    assert!(out.0.contains("not a verifier"), "{}", out.0);
    assert!(out.1.contains("user nobody"), "{}", out.1);
    assert_eq!((out.2, out.3), (true, false));
}

async fn bank_reads_only_its_applicants_and_borrowers(t: &TestApp) {
    t.store(|s| s.set_bank_issuer("bank", BANK_A, "test").unwrap())
        .await;
    // The applicants of bank A, as the platform admin sees the applications.
    let apps = t
        .get(Some("admin"), "/api/v1/finance/applications")
        .await
        .json();
    let mut applicants: Vec<String> = apps
        .as_array()
        .unwrap()
        .iter()
        .filter(|x| x["issuer"] == BANK_A)
        .map(|x| x["credit_code"].as_str().unwrap().to_string())
        .collect();
    applicants.sort();
    applicants.dedup();
    assert!(!applicants.is_empty());
    let r = t.get(Some("bank"), "/api/v1/orgs").await;
    assert_eq!(codes(&r.json()), applicants);
    let c = org_c();
    assert!(!applicants.contains(&c));
    let r = t.get(Some("bank"), &format!("/api/v1/orgs/{c}")).await;
    assert_eq!(r.status, StatusCode::NOT_FOUND);
    // Its finance views follow: every project it sees belongs to an applicant.
    let projects = t.get(Some("bank"), "/api/v1/finance/projects").await.json();
    let list = projects
        .as_array()
        .or_else(|| projects["projects"].as_array())
        .unwrap_or_else(|| panic!("{projects}"))
        .clone();
    for p in &list {
        let org = p["project"]["org"]
            .as_str()
            .unwrap_or_else(|| panic!("{p}"));
        assert!(applicants.iter().any(|a| a == org), "{p}");
    }
}

async fn audit_log_only_to_admins_and_own_entries_without_paths(t: &TestApp) {
    // A change written by the verifier's own account, with a server path in it.
    let a = org_a();
    t.store(move |s| {
        s.assign_verifier("verifier", &CreditCode::parse(&a).unwrap(), "user:verifier")
            .unwrap();
    })
    .await;
    let own = t.get(Some("verifier"), "/api/v1/audit").await.json();
    let entries = own["entries"].as_array().unwrap();
    assert_eq!(entries.len(), 1, "{own}");
    assert!(entries.iter().all(|e| e["actor"] == "user:verifier"));
    for user in ["bank", "verifier", "park", "officer", "ent_a"] {
        let r = t.get(Some(user), "/api/v1/audit?limit=5000").await.json();
        let entries = r["entries"].as_array().unwrap();
        assert!(
            entries.iter().all(|e| e["actor"] == format!("user:{user}")),
            "{user}: {r}"
        );
        assert!(!r.to_string().contains("/tmp/"), "{user}: {r}");
    }
    // The admin reads everything, the seed's imports included.
    let all = t
        .get(Some("admin"), "/api/v1/audit?limit=5000")
        .await
        .json();
    let entries = all["entries"].as_array().unwrap();
    assert!(entries.iter().any(|e| e["actor"] == "test"));
}
