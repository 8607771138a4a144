//! API and page tests through `Router::oneshot`, and one end-to-end test over a socket.

mod common;

use axum::body::Body;
use axum::http::{Request, StatusCode};
use common::*;
use rust_decimal::Decimal;
use serde_json::json;
use std::io::{Read, Write};
use std::str::FromStr;
use zp_app::demo::{DEMO_PARK, DEMO_YEAR};

fn d(s: &str) -> Decimal {
    Decimal::from_str(s).unwrap()
}

/// A JSON number as an exact decimal (the API writes decimals as JSON numbers).
fn num(v: &serde_json::Value) -> Decimal {
    Decimal::from_str(&v.to_string()).unwrap_or_else(|_| panic!("not a number: {v}"))
}

#[tokio::test]
async fn health_and_openapi_are_public() {
    let t = app();
    let r = t.get(None, "/healthz").await;
    assert_eq!(r.status, StatusCode::OK);
    assert_eq!(r.json()["status"], "ok");
    let r = t.get(None, "/api/v1/openapi.json").await;
    assert_eq!(r.status, StatusCode::OK);
    let doc = r.json();
    assert_eq!(doc["openapi"], "3.1.0");
    assert!(doc["paths"]["/api/v1/inventory"]["get"].is_object());
}

#[tokio::test]
async fn api_requires_authentication() {
    let t = app();
    let r = t.get(None, "/api/v1/orgs").await;
    assert_eq!(r.status, StatusCode::UNAUTHORIZED);
    assert_eq!(r.json()["error"]["code"], "unauthenticated");
    let r = t
        .send(
            Request::get("/api/v1/orgs")
                .header("authorization", "Bearer not-a-token")
                .body(Body::empty())
                .unwrap(),
        )
        .await;
    assert_eq!(r.status, StatusCode::UNAUTHORIZED);
    // Pages send anonymous visitors to the login page, keeping where they wanted to go.
    let r = t.get(None, "/map").await;
    assert_eq!(r.status, StatusCode::SEE_OTHER);
    assert_eq!(r.headers["location"], "/login?next=/map");
}

/// An enterprise of known figures, registered in the demo park by its park admin: 2023
/// ledger of 1,000 MWh grid electricity and 100,000 m3 natural gas, the quantities of the
/// worked examples (docs/worked-examples.md).
async fn known_enterprise(t: &TestApp) -> String {
    let code = zp_domain::CreditCode::complete("91500112MA60KNW01")
        .unwrap()
        .to_string();
    let orgs =
        format!("credit_code,name,region,park,industry\n{code},已知企业,CQ,{DEMO_PARK},3011\n");
    let r = t
        .upload("park", "/api/v1/imports/orgs", "known.csv", orgs.as_bytes())
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text);
    assert_eq!(r.json()["accepted"], 1, "{}", r.text);
    let ledger = format!(
        "credit_code,period,carrier,quantity,unit\n\
         {code},2023-01,electricity,1000,MWh\n\
         {code},2023-01,natural_gas,100000,m3\n"
    );
    let r = t
        .upload(
            "park",
            "/api/v1/imports/activity",
            "known-2023.csv",
            ledger.as_bytes(),
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text);
    assert_eq!(r.json()["accepted"], 2, "{}", r.text);
    code
}

#[tokio::test]
async fn inventory_matches_the_cli_definition_and_carries_lineage() {
    let t = app();
    let demo_park = t
        .get(
            Some("admin"),
            &format!("/api/v1/inventory?park={}&year=2023", enc(DEMO_PARK)),
        )
        .await
        .json();
    assert_eq!(demo_park["members"].as_array().unwrap().len(), 30);
    let code = known_enterprise(&t).await;
    let r = t
        .get(
            Some("admin"),
            &format!("/api/v1/inventory?org={code}&year=2023&lineage=true"),
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text);
    let inv = r.json();
    // Hand-derived (docs/worked-examples.md; factors from crates/factors/data):
    // energy: 1,000,000 kWh x 0.1229 kgce/kWh = 122.9 tce; 100,000 m3 x 1.2143 kgce/m3 =
    //   121.43 tce; together 244.33 tce.
    // Scope 1: 10 x 10^4 Nm3 x 389.31 GJ/10^4 Nm3 = 3,893.1 GJ x 15.30 tC/TJ / 1000 =
    //   59.56443 tC x 0.99 = 58.9687857 tC x 44/12 = 216.2188809 tCO2 (216.219 rounded).
    // Scope 2: location 1,000 MWh x 0.5581 (Chongqing 2023) = 558.1 tCO2; market 1,000 MWh
    //   x 0.6096 (national 2023 factor excluding market non-fossil, the residual) = 609.6.
    let (s1, loc, mkt, tce) = (d("216.2188809"), d("558.1"), d("609.6"), d("244.33"));
    let want = [
        ("energy_tce", tce),
        ("electricity_mwh", d("1000")),
        ("grid_electricity_mwh", d("1000")),
        ("scope1_tco2", s1),
        ("scope1_combustion_tco2", s1),
        ("scope1_process_tco2", d("0")),
        ("scope2_location_tco2", loc),
        ("scope2_market_tco2", mkt),
        ("clean_electricity_share", d("0")),
        // (216.2188809 + 558.1) / 244.33 and (216.2188809 + 609.6) / 244.33
        ("intensity_location_tco2_per_tce", (s1 + loc) / tce),
        ("intensity_market_tco2_per_tce", (s1 + mkt) / tce),
    ];
    for (key, value) in want {
        assert_eq!(num(&inv[key]), value, "{key}: {}", inv[key]);
    }
    assert_eq!(inv["grid_factor"], "provincial");
    // Two lines with their own figures and the rows they came from (lineage).
    let lines: Vec<(String, Decimal, Decimal, String)> = inv["lines"]
        .as_array()
        .unwrap()
        .iter()
        .map(|l| {
            (
                l["carrier"].as_str().unwrap().to_string(),
                num(&l["energy_tce"]),
                num(&l["scope1_tco2"]) + num(&l["scope2_location_tco2"]),
                l["inputs"][0]["source"].as_str().unwrap().to_string(),
            )
        })
        .collect();
    assert_eq!(
        lines,
        [
            (
                "natural_gas".into(),
                d("121.43"),
                s1,
                "known-2023.csv:3".into()
            ),
            (
                "electricity".into(),
                d("122.9"),
                loc,
                "known-2023.csv:2".into()
            ),
        ]
    );
    assert_eq!(
        inv["lines"][1]["factor_ids"],
        json!([
            "builtin-2025.1/tce_coefficient/electricity",
            "builtin-2025.1/grid_average/CQ/2023",
            "builtin-2025.1/grid_excluding_market_non_fossil/CN/2023"
        ])
    );
    // Without lineage the rows are left out, the figures are the same.
    let plain = t
        .get(
            Some("admin"),
            &format!("/api/v1/inventory?org={code}&year=2023"),
        )
        .await
        .json();
    assert!(plain["lines"][0].get("inputs").is_none());
    assert_eq!(num(&plain["energy_tce"]), tce);
    // Park = sum of its enterprises: with this one added, the park's figures grow by
    // exactly its own.
    let park = t
        .get(
            Some("admin"),
            &format!("/api/v1/inventory?park={}&year=2023", enc(DEMO_PARK)),
        )
        .await
        .json();
    assert_eq!(park["members"].as_array().unwrap().len(), 31);
    assert!(park["members"].as_array().unwrap().contains(&json!(code)));
    for (key, own) in [
        ("energy_tce", tce),
        ("scope1_tco2", s1),
        ("scope2_location_tco2", loc),
        ("scope2_market_tco2", mkt),
    ] {
        assert_eq!(num(&park[key]) - num(&demo_park[key]), own, "{key}");
    }
    let r = t.get(Some("admin"), "/api/v1/inventory?year=2023").await;
    assert_eq!(r.status, StatusCode::BAD_REQUEST);
    assert_eq!(r.json()["error"]["code"], "bad_request");
}

#[tokio::test]
async fn park_overview_reports_threshold_and_monthly_trend() {
    let t = app();
    let r = t
        .get(
            Some("park"),
            &format!("/api/v1/parks/{}/overview?year={DEMO_YEAR}", enc(DEMO_PARK)),
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text);
    let v = r.json();
    assert_eq!(v["year"], DEMO_YEAR);
    assert_eq!(v["members"].as_array().unwrap().len(), 30);
    assert_eq!(v["monthly"].as_array().unwrap().len(), 12);
    // The monthly energy adds up to the year's (same factors, exact decimals).
    let months: rust_decimal::Decimal = v["monthly"]
        .as_array()
        .unwrap()
        .iter()
        .map(|m| {
            m["energy_tce"]
                .to_string()
                .parse::<rust_decimal::Decimal>()
                .unwrap()
        })
        .sum();
    let year: rust_decimal::Decimal = v["inventory"]["energy_tce"].to_string().parse().unwrap();
    assert_eq!(months, year);
    // The 910 notice's bands (docs/worked-examples.md, "Intensity indicators"): 0.30 from
    // 1,000,000 tce a year, else 0.20 (below 200,000 tce as a reference).
    let want = if year >= d("1000000") { "0.30" } else { "0.20" };
    assert_eq!(num(&v["threshold_tco2_per_tce"]), d(want), "{year} tce");
    // meets_threshold is the market intensity compared with it.
    let intensity = num(&v["inventory"]["intensity_market_tco2_per_tce"]);
    assert_eq!(v["meets_threshold"], json!(intensity <= d(want)));
}

#[tokio::test]
async fn park_overview_cache_serves_new_figures_after_an_import() {
    // The overview is kept while nothing changes (zp_app::park::ViewCache); an import is a
    // change, so the next answer is the fresh computation's, never the kept one.
    let t = app();
    let uri = format!("/api/v1/parks/{}/overview?year={DEMO_YEAR}", enc(DEMO_PARK));
    let before = t.get(Some("admin"), &uri).await.json();
    let again = t.get(Some("admin"), &uri).await.json();
    assert_eq!(before, again, "unchanged data, same answer");
    let a = org_a();
    let csv = format!(
        "credit_code,period,carrier,quantity,unit\n{a},{DEMO_YEAR}-01,electricity,987654.321,MWh\n"
    );
    let r = t
        .upload(
            "admin",
            "/api/v1/imports/activity",
            "restate.csv",
            csv.as_bytes(),
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text);
    let after = t.get(Some("admin"), &uri).await.json();
    let fresh = t
        .store(|s| {
            zp_app::park::park_view(
                s,
                &zp_app::Access::All,
                DEMO_PARK,
                Some(DEMO_YEAR),
                zp_app::GridFactorMode::Provincial,
                "test",
            )
            .unwrap()
        })
        .await;
    let mwh = |v: &serde_json::Value| num(&v["inventory"]["electricity_mwh"]);
    assert_eq!(mwh(&after), fresh.inventory.electricity_mwh);
    assert_ne!(mwh(&after), mwh(&before), "the restatement shows");
}

/// The 2025-01 electricity lines of enterprise A that are current, as `(value, unit)`.
async fn current_jan_2025(t: &common::TestApp) -> Vec<(String, String)> {
    let h = t
        .get(Some("ent_a"), &format!("/api/v1/orgs/{}/history", org_a()))
        .await
        .json();
    h["rows"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|r| r["period"] == "2025-01" && r["superseded_by"].is_null())
        .map(|r| {
            (
                r["quantity"]["value"].to_string(),
                r["quantity"]["unit"].as_str().unwrap().to_string(),
            )
        })
        .collect()
}

/// Issue 14 #1: an upload is previewed (`dry_run=true`: counts and each restatement old ->
/// new, nothing stored), then imported, then reverted by its uploader to the old value.
#[tokio::test]
async fn a_restating_upload_is_previewed_imported_and_reverted() {
    let t = app();
    let a = org_a();
    let upload = |csv: String, uri: &'static str| {
        let t = &t;
        async move { t.upload("ent_a", uri, "ledger.csv", csv.as_bytes()).await }
    };
    let first = upload(
        format!("credit_code,period,carrier,quantity,unit\n{a},2025-01,electricity,1200.5,MWh\n"),
        "/api/v1/imports/activity",
    )
    .await;
    assert_eq!(first.status, StatusCode::OK, "{}", first.text);
    let restate =
        format!("credit_code,period,carrier,quantity,unit\n{a},2025-01,electricity,600,MWh\n");
    let preview = upload(restate.clone(), "/api/v1/imports/activity?dry_run=true").await;
    assert_eq!(preview.status, StatusCode::OK, "{}", preview.text);
    let p = preview.json();
    assert_eq!(p["dry_run"], true);
    assert_eq!(
        (p["read"].as_u64(), p["restated"].as_u64()),
        (Some(1), Some(1))
    );
    let c = &p["changes"][0];
    assert_eq!(
        (c["credit_code"].as_str(), c["period"].as_str()),
        (Some(a.as_str()), Some("2025-01"))
    );
    assert_eq!(
        (c["carrier"].as_str(), c["carrier_name_zh"].as_str()),
        (Some("electricity"), Some("电力"))
    );
    assert_eq!(
        (c["old"].as_str(), c["new"].as_str()),
        (Some("1200.5 MWh"), Some("600 MWh"))
    );
    // (600 - 1200.5) / 1200.5 = -50.02 %, to one place.
    assert_eq!(c["change_pct"].to_string(), "-50.0");
    assert_eq!(
        current_jan_2025(&t).await,
        vec![("1200.5".into(), "MWh".into())],
        "a preview stores nothing"
    );
    let stored = upload(restate, "/api/v1/imports/activity").await.json();
    assert_eq!(stored["restated"], 1);
    assert_eq!(
        current_jan_2025(&t).await,
        vec![("600".into(), "MWh".into())]
    );
    // Only its uploader (or an administrator) reverts it.
    let imports = t.get(Some("ent_a"), "/api/v1/imports").await.json();
    let id = imports["imports"][0]["id"].as_i64().unwrap();
    let body = serde_json::json!({ "id": id });
    let other = t
        .post_json("ent_b", "/api/v1/imports/revert", body.clone())
        .await;
    assert_eq!(other.status, StatusCode::FORBIDDEN, "{}", other.text);
    let r = t
        .post_json("ent_a", "/api/v1/imports/revert", body.clone())
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text);
    let counts = r.json();
    assert_eq!(
        (counts["restored"].as_u64(), counts["withdrawn"].as_u64()),
        (Some(1), Some(0))
    );
    assert_eq!(
        current_jan_2025(&t).await,
        vec![("1200.5".into(), "MWh".into())],
        "the old value is back"
    );
    let again = t.post_json("ent_a", "/api/v1/imports/revert", body).await;
    assert_eq!(again.status, StatusCode::CONFLICT, "{}", again.text);
    assert!(again.text.contains("already reverted"), "{}", again.text);
    // Every kind is previewed: an enterprise not registered yet would be added, and is not.
    const NEW_ORG: &str = "91500112MA60DAT04U";
    let orgs = t
        .upload(
            "admin",
            "/api/v1/imports/orgs?dry_run=true",
            "orgs.csv",
            format!("credit_code,name,region,park,industry\n{NEW_ORG},新企业,CQ,,6450\n")
                .as_bytes(),
        )
        .await;
    assert_eq!(orgs.status, StatusCode::OK, "{}", orgs.text);
    let p = orgs.json();
    assert_eq!(
        (p["dry_run"].as_bool(), p["kind"].as_str()),
        (Some(true), Some("orgs"))
    );
    assert_eq!(
        (p["read"].as_u64(), p["accepted"].as_u64()),
        (Some(1), Some(1))
    );
    let stored = t
        .get(Some("admin"), &format!("/api/v1/orgs/{NEW_ORG}"))
        .await;
    assert_eq!(
        stored.status,
        StatusCode::NOT_FOUND,
        "a preview stores nothing"
    );
}

#[tokio::test]
async fn upload_reports_counts_and_quarantined_rows_and_is_idempotent() {
    let t = app();
    let a = org_a();
    let csv = format!(
        "credit_code,period,carrier,quantity,unit\n\
         {a},2025-01,electricity,1200.5,MWh\n\
         {a},2025-02,natural_gas,abc,m3\n\
         {a},2025-13,electricity,10,MWh\n"
    );
    let r = t
        .upload(
            "ent_a",
            "/api/v1/imports/activity",
            "ledger 2025.csv",
            csv.as_bytes(),
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text);
    let v = r.json();
    assert_eq!(v["read"], 3);
    assert_eq!(v["accepted"], 1);
    assert_eq!(v["quarantined"], 2);
    assert_eq!(
        v["file"], "ledger_2025.csv",
        "recorded without the server path"
    );
    let rejected = v["rejected"].as_array().unwrap();
    assert_eq!(rejected[0]["row"], 3);
    assert_eq!(rejected[0]["field"], "quantity");
    // The English reason as stored, and next to it the same in the request's language
    // (Chinese without a language cookie), the value from the file as code.
    assert_eq!(rejected[0]["reason"], "\"abc\" is not a number");
    assert_eq!(
        rejected[0]["reason_pieces"],
        json!([[true, "\"abc\""], [false, " 不是数字"]])
    );
    assert_eq!(
        rejected[1]["reason_pieces"],
        json!([[false, "月份 13 不在 01-12 之间"]])
    );
    // The quarantine review lists them for this user.
    let q = t.get(Some("ent_a"), "/api/v1/quarantine").await.json();
    assert_eq!(q["rows"].as_array().unwrap().len(), 2);
    // Uploading the same file again changes nothing.
    let again = t
        .upload(
            "ent_a",
            "/api/v1/imports/activity",
            "ledger 2025.csv",
            csv.as_bytes(),
        )
        .await
        .json();
    assert_eq!(again["accepted"], 1);
    assert_eq!(again["duplicates"], 1);
    let english = t
        .upload(
            "ent_a",
            "/api/v1/imports/activity?lang=en",
            "ledger 2025.csv",
            csv.as_bytes(),
        )
        .await
        .json();
    assert_eq!(
        english["rejected"][0]["reason_pieces"],
        json!([[false, "\"abc\" is not a number"]])
    );
    let imports = t.get(Some("ent_a"), "/api/v1/imports").await.json();
    assert_eq!(imports["imports"].as_array().unwrap().len(), 3);
    // The change is audited under the user's name.
    let audit = t.get(Some("ent_a"), "/api/v1/audit").await.json();
    assert!(
        audit["entries"]
            .as_array()
            .unwrap()
            .iter()
            .all(|e| e["actor"] == "user:ent_a")
    );
    assert!(!audit["entries"].as_array().unwrap().is_empty());
}

#[tokio::test]
async fn uploads_are_bounded_in_bytes_and_rows() {
    let t = app_with(|c| {
        c.max_upload_bytes = 2048;
        c.max_upload_rows = 3;
    });
    let a = org_a();
    let mut big = String::from("credit_code,period,carrier,quantity,unit\n");
    while big.len() < 4096 {
        big.push_str(&format!("{a},2025-01,electricity,1,MWh\n"));
    }
    let r = t
        .upload(
            "ent_a",
            "/api/v1/imports/activity",
            "big.csv",
            big.as_bytes(),
        )
        .await;
    assert_eq!(r.status, StatusCode::PAYLOAD_TOO_LARGE, "{}", r.text);
    let rows: String = (1..=5)
        .map(|m| format!("{a},2025-0{m},electricity,1,MWh\n"))
        .collect();
    let csv = format!("credit_code,period,carrier,quantity,unit\n{rows}");
    let r = t
        .upload(
            "ent_a",
            "/api/v1/imports/activity",
            "rows.csv",
            csv.as_bytes(),
        )
        .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", r.text);
    assert!(
        r.text.contains("rows.csv") && !r.text.contains("/tmp"),
        "{}",
        r.text
    );
}

#[tokio::test]
async fn factors_sets_and_recompute_dry_run() {
    let t = app();
    // Issue inventories first so there is something to recompute.
    let r = t
        .get(
            Some("admin"),
            &format!("/api/v1/inventory?park={}&year={DEMO_YEAR}", enc(DEMO_PARK)),
        )
        .await;
    assert_eq!(r.status, StatusCode::OK);
    let f = t
        .get(Some("bank"), "/api/v1/factors?kind=grid_average&region=CQ")
        .await
        .json();
    assert!(
        f["factors"]
            .as_array()
            .unwrap()
            .iter()
            .all(|x| x["region"] == "CQ" && x["kind"] == "grid_average")
    );
    let notice = format!(
        "region,year,kind,tco2_per_mwh,published_by,notice\nCQ,{DEMO_YEAR},average,0.4000,MEE,test notice\n"
    );
    let r = t
        .upload(
            "park",
            "/api/v1/factor-sets/mee-test",
            "grid.csv",
            notice.as_bytes(),
        )
        .await;
    assert_eq!(
        r.status,
        StatusCode::FORBIDDEN,
        "only a platform admin imports factor sets"
    );
    let r = t
        .upload(
            "admin",
            "/api/v1/factor-sets/mee-test",
            "grid.csv",
            notice.as_bytes(),
        )
        .await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.text);
    let sets = t.get(Some("admin"), "/api/v1/factor-sets").await.json();
    assert_eq!(sets["sets"][0]["name"], "mee-test");
    // Dry run: the Chongqing enterprises would change; nothing is written.
    let dry = t
        .post_json("admin", "/api/v1/recompute", json!({"dry_run": true}))
        .await
        .json();
    let changes = dry["changes"].as_array().unwrap();
    assert_eq!(changes.len(), 30, "every Chongqing park enterprise");
    let again = t
        .post_json("admin", "/api/v1/recompute", json!({"dry_run": true}))
        .await
        .json();
    assert_eq!(
        again["changes"].as_array().unwrap().len(),
        30,
        "dry run wrote nothing"
    );
    // A scoped user sees only their own changes; applying needs a platform admin.
    let mine = t
        .post_json("ent_a", "/api/v1/recompute", json!({"dry_run": true}))
        .await
        .json();
    let mine = mine["changes"].as_array().unwrap();
    assert_eq!(mine.len(), 1);
    assert_eq!(mine[0]["scope"], org_a());
    let r = t
        .post_json("park", "/api/v1/recompute", json!({"dry_run": false}))
        .await;
    assert_eq!(r.status, StatusCode::FORBIDDEN);
    let applied = t
        .post_json("admin", "/api/v1/recompute", json!({"dry_run": false}))
        .await
        .json();
    assert_eq!(applied["changes"].as_array().unwrap().len(), 30);
    let after = t
        .post_json("admin", "/api/v1/recompute", json!({"dry_run": true}))
        .await
        .json();
    assert!(after["changes"].as_array().unwrap().is_empty());
}

#[tokio::test]
async fn registry_reads_and_writes_are_audited() {
    let t = app();
    let a = org_a();
    let r = t
        .post_json(
            "ent_a",
            &format!("/api/v1/orgs/{a}/output"),
            json!({"year": 2025, "value_10k_yuan": "12345.6"}),
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text);
    let r = t
        .post_json(
            "park",
            &format!("/api/v1/orgs/{a}/sites"),
            json!({"name": "二厂区", "address": "测试路 1 号", "lat": 29.6, "lon": 106.5}),
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text);
    let org = t
        .get(Some("ent_a"), &format!("/api/v1/orgs/{a}"))
        .await
        .json();
    assert!(
        org["sites"]
            .as_array()
            .unwrap()
            .iter()
            .any(|s| s["name"] == "二厂区")
    );
    let r = t
        .post_json(
            "park",
            "/api/v1/designations",
            json!({"scope_kind": "org", "scope_id": a, "kind": "green_factory",
                   "level": "municipal", "granted_on": "2025-05-01"}),
        )
        .await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.text);
    let audit = t.get(Some("admin"), "/api/v1/audit?limit=20").await.json();
    let actors: Vec<_> = audit["entries"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["actor"].as_str().unwrap().to_string())
        .collect();
    assert!(actors.contains(&"user:ent_a".to_string()));
    assert!(actors.contains(&"user:park".to_string()));
    let regions = t.get(Some("bank"), "/api/v1/regions").await.json();
    let regions = regions["regions"].as_array().unwrap();
    // The nation and the mainland's 31 provincial-level divisions (22 provinces, 5
    // autonomous regions, 4 municipalities; GB/T 2260): 32.
    assert_eq!(regions.len(), 32);
    assert_eq!(
        regions[0],
        json!({"code": "CN", "name_zh": "全国", "name_en": "China"})
    );
    assert!(regions.contains(&json!({"code": "CQ", "name_zh": "重庆", "name_en": "Chongqing"})));
}

#[tokio::test]
async fn accounts_tokens_and_users() {
    let t = app();
    let r = t
        .post_json("ent_a", "/api/v1/tokens", json!({"name": "meter gateway"}))
        .await;
    assert_eq!(r.status, StatusCode::CREATED);
    let token = r.json()["token"].as_str().unwrap().to_string();
    let r = t
        .send(
            Request::get("/api/v1/me")
                .header("authorization", format!("Bearer {token}"))
                .body(Body::empty())
                .unwrap(),
        )
        .await;
    assert_eq!(r.json()["user"]["username"], "ent_a");
    let r = t.get(Some("park"), "/api/v1/users").await;
    assert_eq!(r.status, StatusCode::FORBIDDEN);
    let r = t
        .post_json(
            "admin",
            "/api/v1/users",
            json!({"username": "newpark", "role": "park_admin", "scope": DEMO_PARK, "password": "short"}),
        )
        .await;
    assert_eq!(r.status, StatusCode::BAD_REQUEST, "password too short");
    let r = t
        .post_json(
            "admin",
            "/api/v1/users",
            json!({"username": "newpark", "role": "park_admin", "scope": DEMO_PARK, "password": "a-long-enough-one"}),
        )
        .await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.text);
    let users = t.get(Some("admin"), "/api/v1/users").await;
    assert!(users.text.contains("newpark"));
    assert!(
        !users.text.contains("argon2"),
        "hashes never leave the server"
    );
}

fn login_form(user: &str, password: &str) -> Request<Body> {
    Request::post("/login")
        .header("content-type", "application/x-www-form-urlencoded")
        .body(Body::from(format!(
            "username={user}&password={password}&next=/map"
        )))
        .unwrap()
}

#[tokio::test]
async fn login_sets_a_secure_session_and_forms_need_the_csrf_token() {
    let t = app_with(|c| c.secure_cookies = true);
    let r = t.send(login_form("park", PASSWORD)).await;
    assert_eq!(r.status, StatusCode::SEE_OTHER);
    assert_eq!(r.headers["location"], "/map");
    let cookie = r.headers["set-cookie"].to_str().unwrap().to_string();
    for attr in ["HttpOnly", "SameSite=Lax", "Secure", "Path=/"] {
        assert!(cookie.contains(attr), "{cookie} lacks {attr}");
    }
    let session = cookie.split(';').next().unwrap().to_string();
    let page = t
        .send(
            Request::get("/")
                .header("cookie", &session)
                .body(Body::empty())
                .unwrap(),
        )
        .await;
    assert_eq!(page.status, StatusCode::OK);
    assert!(page.text.contains(DEMO_PARK));
    assert!(page.text.contains("园区总览"), "zh-CN by default");
    let csrf = page
        .text
        .split("name=\"csrf-token\" content=\"")
        .nth(1)
        .unwrap()
        .split('"')
        .next()
        .unwrap()
        .to_string();
    // A cookie-authenticated write without the token is refused, with it accepted.
    let write = |token: Option<&str>| {
        let mut b = Request::post("/api/v1/tokens")
            .header("cookie", &session)
            .header("content-type", "application/json");
        if let Some(tok) = token {
            b = b.header("x-csrf-token", tok);
        }
        b.body(Body::from(r#"{"name":"t"}"#)).unwrap()
    };
    assert_eq!(t.send(write(None)).await.status, StatusCode::FORBIDDEN);
    assert_eq!(
        t.send(write(Some("0000"))).await.status,
        StatusCode::FORBIDDEN
    );
    assert_eq!(t.send(write(Some(&csrf))).await.status, StatusCode::CREATED);
    // Logging out is a form post with the token; the session then ends.
    let out = t
        .send(
            Request::post("/logout")
                .header("cookie", &session)
                .header("content-type", "application/x-www-form-urlencoded")
                .body(Body::from(format!("csrf={csrf}")))
                .unwrap(),
        )
        .await;
    assert_eq!(out.status, StatusCode::SEE_OTHER);
    let after = t
        .send(
            Request::get("/api/v1/me")
                .header("cookie", &session)
                .body(Body::empty())
                .unwrap(),
        )
        .await;
    assert_eq!(after.status, StatusCode::UNAUTHORIZED);
}

#[tokio::test]
async fn logins_are_rate_limited() {
    // A first backoff of an hour: the fourth attempt waits however slowly the three
    // password checks before it ran (1 s, the server's, passed on a loaded machine).
    let t = app_with(|c| {
        c.login_attempts = 3;
        c.login_backoff = std::time::Duration::from_secs(3600);
    });
    for _ in 0..3 {
        let r = t.send(login_form("park", "wrong-password")).await;
        assert_eq!(r.status, StatusCode::UNAUTHORIZED);
    }
    let r = t.send(login_form("park", PASSWORD)).await;
    assert_eq!(
        r.status,
        StatusCode::TOO_MANY_REQUESTS,
        "even the right password waits"
    );
    let r = t.send(login_form("bank", PASSWORD)).await;
    assert_eq!(
        r.status,
        StatusCode::SEE_OTHER,
        "other users are not affected"
    );
}

#[tokio::test]
async fn pages_render_in_both_languages() {
    let t = app();
    let r = t.send(login_form("admin", PASSWORD)).await;
    let session = r.header_head("set-cookie");
    let a = org_a();
    for (path, zh, en) in [
        ("/", "园区总览", "Park overview"),
        ("/map", "电碳地图", "Electricity-carbon map"),
        (
            &format!("/orgs/{a}") as &str,
            "核算明细",
            "Inventory with lineage",
        ),
        ("/orgs", "企业名录", "Enterprises"),
        ("/imports", "上传文件", "Upload a file"),
        ("/quarantine", "隔离区", "Quarantine"),
        ("/factors", "排放因子库", "Factor catalog"),
        ("/audit", "审计日志", "Audit log"),
    ] {
        for (lang, word) in [("zh", zh), ("en", en)] {
            let r = t
                .send(
                    Request::get(path)
                        .header("cookie", format!("{session}; zp_lang={lang}"))
                        .body(Body::empty())
                        .unwrap(),
                )
                .await;
            assert_eq!(r.status, StatusCode::OK, "{path} {lang}: {}", r.text);
            assert!(r.text.contains(word), "{path} in {lang} lacks {word:?}");
        }
    }
    // The language switch sets the cookie and goes back, never to another site.
    let r = t.get(None, "/lang/en?next=/map").await;
    assert_eq!(r.headers["location"], "/map");
    assert!(
        r.headers["set-cookie"]
            .to_str()
            .unwrap()
            .starts_with("zp_lang=en")
    );
    let r = t.get(None, "/lang/en?next=//evil.example").await;
    assert_eq!(r.headers["location"], "/");
}

#[tokio::test]
async fn carbon_map_api_serves_regions_sites_and_months() {
    let t = app();
    let r = t.map_regions().await;
    let cq = map_region(&r, "CQ");
    // Chongqing's 2023 average grid factor, 0.5581 tCO2/MWh (MEE/NBS notice 2025 No. 47,
    // crates/factors/data/grid-emission-factors.csv).
    assert_eq!(num(&cq["grid_tco2_per_mwh"]), d("0.5581"), "{cq}");
    assert_eq!(cq["orgs"], 30, "the park admin's enterprises only");
    assert_eq!(map_region(&r, "SC")["orgs"], 0);
    let sites = t.map_demo_park().await;
    let orgs = sites["orgs"].as_array().unwrap();
    assert_eq!(orgs.len(), 30);
    assert!(
        orgs.iter()
            .all(|o| o["lat"].is_number() && o["lon"].is_number())
    );
    assert_eq!(
        orgs[0]["monthly_location_tco2"].as_array().unwrap().len(),
        12
    );
    let a = org_a();
    let h = t
        .get(
            Some("park"),
            &format!("/api/v1/carbon-map/orgs/{a}/heatmap?year={DEMO_YEAR}&month=7"),
        )
        .await;
    assert_eq!(h.status, StatusCode::OK, "{}", h.text);
    // This test server has no readings store, and its database was seeded without the
    // demo's interval data (`demo::seed`, not `demo::readings`): no heatmap, no meters.
    let h = h.json();
    assert_eq!(
        h,
        json!({"available": false, "heatmap": null, "meters": []})
    );
    let r = t
        .get(
            Some("park"),
            &format!("/api/v1/carbon-map/orgs/{a}/heatmap?year={DEMO_YEAR}&month=13"),
        )
        .await;
    assert_eq!(r.status, StatusCode::BAD_REQUEST);
    assert_eq!(
        r.json()["error"],
        json!({"code": "bad_request", "message": "month: 1 to 12"})
    );
}

/// Sends one HTTP/1.1 request over a socket and returns (status, headers+body text).
fn http(addr: std::net::SocketAddr, raw: String) -> (u16, String) {
    let mut s = std::net::TcpStream::connect(addr).unwrap();
    s.write_all(raw.as_bytes()).unwrap();
    let mut out = String::new();
    s.read_to_string(&mut out).unwrap();
    let status = out[9..12].parse().unwrap();
    (status, out)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn serves_over_a_real_socket() {
    let t = app();
    let listener = zp_server::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    let state = t.state.clone();
    let server = tokio::spawn(zp_server::serve(listener, state));
    let result = tokio::task::spawn_blocking(move || {
        let (status, text) = http(
            addr,
            "GET /healthz HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n".into(),
        );
        assert_eq!(status, 200, "{text}");
        let body = format!(r#"{{"username":"verifier","password":"{PASSWORD}"}}"#);
        let (status, text) = http(
            addr,
            format!(
                "POST /api/v1/session HTTP/1.1\r\nHost: x\r\nConnection: close\r\nContent-Type: application/json\r\nContent-Length: {}\r\n\r\n{body}",
                body.len()
            ),
        );
        assert_eq!(status, 200, "{text}");
        let cookie = text
            .lines()
            .find_map(|l| l.strip_prefix("set-cookie: "))
            .unwrap()
            .split(';')
            .next()
            .unwrap()
            .to_string();
        let (status, text) = http(
            addr,
            format!("GET /api/v1/audit?limit=5 HTTP/1.1\r\nHost: x\r\nConnection: close\r\nCookie: {cookie}\r\n\r\n"),
        );
        assert_eq!(status, 200, "{text}");
        assert!(text.contains("\"entries\""));
        let (status, _) = http(
            addr,
            "GET /api/v1/openapi.json HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n".into(),
        );
        assert_eq!(status, 200);
    })
    .await;
    server.abort();
    result.unwrap();
}

#[tokio::test]
async fn metrics_count_requests_by_route_template_and_imports_for_administrators_only() {
    let t = app();
    let a = org_a();
    t.get(Some("park"), &format!("/api/v1/orgs/{a}")).await;
    t.get(Some("park"), "/api/v1/orgs/91500000000000000X").await;
    let csv = format!(
        "credit_code,period,carrier,quantity,unit\n{a},2025-01,electricity,10,MWh\n{a},2025-13,electricity,1,MWh\n"
    );
    let r = t
        .upload("ent_a", "/api/v1/imports/activity", "m.csv", csv.as_bytes())
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text);
    // Only a platform administrator scrapes.
    assert_eq!(
        t.get(Some("park"), "/metrics").await.status,
        StatusCode::FORBIDDEN
    );
    assert_eq!(
        t.get(None, "/metrics").await.status,
        StatusCode::UNAUTHORIZED
    );
    let m = t.get(Some("admin"), "/metrics").await;
    assert_eq!(m.status, StatusCode::OK);
    assert!(
        m.headers["content-type"]
            .to_str()
            .unwrap()
            .starts_with("text/plain; version=0.0.4")
    );
    // Both enterprise requests under one template, whatever the code asked for.
    let line = m
        .text
        .lines()
        .find(|l| l.starts_with("zeropark_http_request_duration_seconds_count{method=\"GET\",route=\"/api/v1/orgs/{code}\"}"))
        .unwrap_or_else(|| panic!("{}", m.text));
    assert!(line.ends_with(" 2"), "{line}");
    assert!(!m.text.contains("91500000000000000X"));
    // The import's rows (counters are per process: other tests add to them).
    let rows = |outcome: &str| -> u64 {
        m.text
            .lines()
            .find_map(|l| {
                l.strip_prefix(&format!(
                    "zeropark_import_rows_total{{kind=\"activity\",outcome=\"{outcome}\"}} "
                ))
            })
            .unwrap()
            .parse()
            .unwrap()
    };
    assert!(rows("read") >= 2 && rows("quarantined") >= 1);
    assert_eq!(rows("read"), rows("accepted") + rows("quarantined"));
    assert!(m.text.contains("zeropark_data_version "));
}

#[tokio::test]
async fn energy_flow_and_alerts_are_scoped_and_webhooks_are_the_platforms() {
    let t = app();
    let a = org_a();
    let b = org_b();
    let r = t
        .get(
            Some("ent_a"),
            &format!("/api/v1/reports/energy-flow?org={a}&year={DEMO_YEAR}"),
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text);
    assert!(num(&r.json()["total_tce"]) > Decimal::ZERO);
    let other = t
        .get(
            Some("ent_a"),
            &format!("/api/v1/reports/energy-flow?org={b}&year={DEMO_YEAR}"),
        )
        .await;
    assert_eq!(other.status, StatusCode::NOT_FOUND, "{}", other.text);
    assert_eq!(
        t.get(Some("ent_a"), "/api/v1/alerts").await.status,
        StatusCode::OK
    );
    assert_eq!(
        t.get(Some("park"), "/api/v1/webhooks").await.status,
        StatusCode::FORBIDDEN
    );
    let r = t
        .post_json(
            "admin",
            "/api/v1/webhooks",
            json!({"url": "http://127.0.0.1:9/hook"}),
        )
        .await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.text);
    let r = t
        .post_json("admin", "/api/v1/webhooks", json!({"url": "ftp://x"}))
        .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", r.text);
    assert!(r.text.contains("only http://"), "{}", r.text);
}

/// The server posts recorded alerts to a webhook in the background (a real receiver on a
/// socket), once each.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_server_posts_new_alerts_to_webhooks_in_the_background() {
    let t = app_with(|c| c.alert_delivery = Some(std::time::Duration::from_millis(100)));
    let receiver = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let hook = format!("http://{}/hook", receiver.local_addr().unwrap());
    let r = t
        .post_json("admin", "/api/v1/webhooks", json!({"url": hook}))
        .await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.text);
    let a = org_a();
    t.store(move |s| {
        s.record_alerts(
            &[zp_app::NewAlert {
                key: format!("meter/{a}-L1/2023-07-05"),
                kind: "meter".into(),
                credit_code: a.clone(),
                subject: format!("{a}-L1"),
                day: "2023-07-05".into(),
                message: "test".into(),
                detail: "{}".into(),
            }],
            "test",
        )
        .unwrap();
    })
    .await;
    let listener = zp_server::bind("127.0.0.1:0").await.unwrap();
    let server = tokio::spawn(zp_server::serve(listener, t.state.clone()));
    let body = tokio::task::spawn_blocking(move || {
        receiver.set_nonblocking(false).unwrap();
        let (mut s, _) = receiver.accept().unwrap();
        s.set_read_timeout(Some(std::time::Duration::from_secs(10)))
            .unwrap();
        let mut buf = vec![0u8; 8192];
        let mut got = Vec::new();
        while !String::from_utf8_lossy(&got).contains("\"key\"") {
            let n = s.read(&mut buf).unwrap();
            assert!(n > 0, "the connection closed early");
            got.extend_from_slice(&buf[..n]);
        }
        s.write_all(b"HTTP/1.1 204 No Content\r\n\r\n").unwrap();
        String::from_utf8(got).unwrap()
    })
    .await
    .unwrap();
    assert!(body.starts_with("POST /hook HTTP/1.1"), "{body}");
    assert!(body.contains("\"event\":\"zeropark.alert\""), "{body}");
    // Delivered: nothing is left for the webhook.
    let mut left = usize::MAX;
    for _ in 0..50 {
        left = t
            .store(|s| {
                let id = s.webhooks().unwrap()[0].id;
                s.undelivered(id).unwrap().len()
            })
            .await;
        if left == 0 {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
    assert_eq!(left, 0);
    server.abort();
}
