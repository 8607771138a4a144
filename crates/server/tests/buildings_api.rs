//! `/api/v1/buildings`, `/api/v1/buildings/{site}`, `/api/v1/assess/projects` and the pages
//! `/buildings` and `/projects` on the demo park: the demo's data centres are buildings whose
//! figures are their enterprise's ledger per m2; an enterprise user sees and registers only
//! its own; the league table is most intensive first.

mod common;

use axum::http::StatusCode;
use common::*;
use rust_decimal::Decimal;
use serde_json::json;

fn d(s: &str) -> Decimal {
    s.parse().unwrap()
}

/// A JSON number or numeric string as an exact decimal.
fn num(v: &serde_json::Value) -> Decimal {
    d(v.as_str()
        .map(str::to_string)
        .unwrap_or_else(|| v.to_string())
        .as_str())
}

#[tokio::test]
async fn buildings_league_report_and_registration_within_the_callers_access() {
    let t = app();
    let list = t.get(Some("admin"), "/api/v1/buildings?year=2023").await;
    assert_eq!(list.status, StatusCode::OK, "{}", list.text);
    let rows = list.json();
    let rows = rows.as_array().unwrap();
    assert!(!rows.is_empty(), "the demo's data centres are buildings");
    let intensities: Vec<Decimal> = rows
        .iter()
        .map(|r| num(&r["report"]["energy_kwh_per_m2"]))
        .collect();
    let mut sorted = intensities.clone();
    sorted.sort_by(|a, b| b.cmp(a));
    assert_eq!(intensities, sorted, "most intensive first");
    let first = &rows[0];
    let site = first["building"]["site"].as_str().unwrap();
    let org = first["building"]["credit_code"]
        .as_str()
        .unwrap()
        .to_string();
    // The report's intensity is its kWh over its floor area (3 decimals).
    let r = first["report"].clone();
    let per_m2 = (num(&r["energy_kwh"]) / num(&r["floor_area_m2"])).round_dp(3);
    assert_eq!(num(&r["energy_kwh_per_m2"]), per_m2);
    // energy_kwh is energy_tce back at 0.1229 kgce per kWh.
    let kwh = (num(&r["energy_tce"]) * d("1000") / d("0.1229")).round_dp(3);
    assert_eq!(num(&r["energy_kwh"]), kwh);
    assert!(
        r["rating"].is_null(),
        "no standard values imported in the demo"
    );

    let one = t
        .get(
            Some("admin"),
            &format!("/api/v1/buildings/{}?year=2023", enc(site)),
        )
        .await;
    assert_eq!(one.status, StatusCode::OK, "{}", one.text);
    assert_eq!(one.json()["energy_kwh_per_m2"], r["energy_kwh_per_m2"]);
    // The same report as a workbook and a PDF for the file.
    for (format, media) in [
        (
            "xlsx",
            "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        ),
        ("pdf", "application/pdf"),
    ] {
        let file = t
            .get(
                Some("admin"),
                &format!("/api/v1/buildings/{}?year=2023&format={format}", enc(site)),
            )
            .await;
        assert_eq!(file.status, StatusCode::OK, "{format}: {}", file.text);
        assert_eq!(file.headers["content-type"], media);
        // The Chinese site name travels as RFC 5987 `filename*` beside an ASCII fallback.
        let disposition = file.headers["content-disposition"].to_str().unwrap();
        assert!(
            disposition.starts_with("attachment; filename=\"building-")
                && disposition.contains("filename*=UTF-8''building-%E"),
            "{disposition}"
        );
    }
    let bad = t
        .get(
            Some("admin"),
            &format!("/api/v1/buildings/{}?year=2023&format=doc", enc(site)),
        )
        .await;
    assert_eq!(bad.status, StatusCode::BAD_REQUEST, "{}", bad.text);
    let no_year = t
        .get(Some("admin"), &format!("/api/v1/buildings/{}", enc(site)))
        .await;
    assert_eq!(no_year.status, StatusCode::BAD_REQUEST, "{}", no_year.text);

    // Another enterprise's user neither sees this building nor registers one for it.
    let other = t
        .get(
            Some("ent_b"),
            &format!("/api/v1/buildings/{}?year=2023", enc(site)),
        )
        .await;
    if org != org_b() {
        assert_eq!(other.status, StatusCode::NOT_FOUND, "{}", other.text);
    }
    let mine = t.get(Some("ent_a"), "/api/v1/buildings?year=2023").await;
    assert!(
        mine.json()
            .as_array()
            .unwrap()
            .iter()
            .all(|r| r["building"]["credit_code"] == org_a().as_str()),
        "{}",
        mine.text
    );
    let body = |code: &str| {
        json!({"site": "新办公楼", "org": code, "type": "office", "floor_area_m2": 5000,
               "climate_zone": "hot_summer_cold_winter", "stars": 3})
    };
    let refused = t
        .post_json("ent_a", "/api/v1/buildings", body(&org_b()))
        .await;
    assert_eq!(refused.status, StatusCode::NOT_FOUND, "{}", refused.text);
    let made = t
        .post_json("ent_a", "/api/v1/buildings", body(&org_a()))
        .await;
    assert_eq!(made.status, StatusCode::OK, "{}", made.text);
    assert_eq!(made.json()["result"], "inserted");
    let bad = t
        .post_json(
            "ent_a",
            "/api/v1/buildings",
            json!({"site": "X", "org": org_a(), "type": "castle", "floor_area_m2": 1,
                   "climate_zone": "cold"}),
        )
        .await;
    assert_eq!(bad.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", bad.text);
    assert!(bad.text.contains("castle"), "{}", bad.text);

    // The pages: the league table with the building, and the (empty) project register.
    let page = t.get(Some("admin"), "/buildings?year=2023").await;
    assert_eq!(page.status, StatusCode::OK);
    assert!(
        page.text.contains(&format!("data-site=\"{site}\"")),
        "{}",
        page.text
    );
    let projects = t.get(Some("admin"), "/projects").await;
    assert_eq!(projects.status, StatusCode::OK);
    let api = t.get(Some("admin"), "/api/v1/assess/projects").await;
    assert_eq!(api.status, StatusCode::OK, "{}", api.text);
    let n = api.json().as_array().unwrap().len();
    assert_eq!(
        projects.text.contains("id=\"projects-empty\""),
        n == 0,
        "the page shows the register's {n} projects"
    );
}
