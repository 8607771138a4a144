//! `/api/v1/reports/benchmark` and `/api/v1/reports/footprint` on the demo park, with
//! production records and TEST limit levels uploaded through `/api/v1/imports/{kind}`: the
//! platform sees its peers by name, an enterprise user only counts and quantiles, and
//! neither another enterprise's report nor the reference-data upload.

mod common;

use axum::http::StatusCode;
use common::*;

#[tokio::test]
async fn benchmark_and_footprint_within_the_callers_access() {
    let t = app();
    let (a, b) = (org_a(), org_b());
    let production = format!(
        "credit_code,period,product,cn_code,quantity_t\n\
         {a},2023-03,水泥熟料,25231000,1000\n{b},2023-03,水泥熟料,25231000,2000\n"
    );
    let up = t
        .upload(
            "admin",
            "/api/v1/imports/production",
            "p.csv",
            production.as_bytes(),
        )
        .await;
    assert_eq!(up.status, StatusCode::OK, "{}", up.text);
    assert_eq!(up.json()["accepted"], 2, "{}", up.text);
    let limits = "standard,product,unit,level1,level2,level3,source\n\
                  GB 16780-2021,水泥熟料,kgce/t,1,2,3,TEST values (not the standard's)\n";
    // Reference data: an enterprise user may not upload it.
    let refused = t
        .upload(
            "ent_a",
            "/api/v1/imports/energy-limits",
            "l.csv",
            limits.as_bytes(),
        )
        .await;
    assert_eq!(refused.status, StatusCode::FORBIDDEN, "{}", refused.text);
    let up = t
        .upload(
            "admin",
            "/api/v1/imports/energy-limits",
            "l.csv",
            limits.as_bytes(),
        )
        .await;
    assert_eq!(up.status, StatusCode::OK, "{}", up.text);

    let uri = format!("/api/v1/reports/benchmark?org={a}&year=2023");
    let admin = t.get(Some("admin"), &uri).await;
    assert_eq!(admin.status, StatusCode::OK, "{}", admin.text);
    let p = &admin.json()["products"][0];
    assert_eq!(p["product"], "水泥熟料");
    assert_eq!(p["standard"]["standard"], "GB 16780-2021");
    assert_eq!(p["peers_park"]["count"], 2);
    assert_eq!(p["peers_park"]["enterprises"][0]["credit_code"], b.as_str());

    let mine = t.get(Some("ent_a"), &uri).await;
    assert_eq!(mine.status, StatusCode::OK, "{}", mine.text);
    assert_eq!(mine.json()["products"][0]["peers_park"]["count"], 2);
    assert!(mine.json()["products"][0]["peers_park"]["enterprises"].is_null());
    assert!(!mine.text.contains(&b), "{}", mine.text);
    assert!(!mine.text.contains(&name_of(&b)), "{}", mine.text);

    let other = t
        .get(
            Some("ent_a"),
            &format!("/api/v1/reports/benchmark?org={b}&year=2023"),
        )
        .await;
    assert_eq!(other.status, StatusCode::NOT_FOUND, "{}", other.text);
    let none = t
        .get(
            Some("admin"),
            &format!("/api/v1/reports/benchmark?org={a}&year=2021"),
        )
        .await;
    assert_eq!(
        none.status,
        StatusCode::UNPROCESSABLE_ENTITY,
        "{}",
        none.text
    );

    let f = t
        .get(
            Some("ent_a"),
            &format!(
                "/api/v1/reports/footprint?org={a}&product={}&year=2023",
                enc("水泥熟料")
            ),
        )
        .await;
    assert_eq!(f.status, StatusCode::OK, "{}", f.text);
    assert_eq!(f.json()["stages"].as_array().unwrap().len(), 3);
    assert_eq!(f.json()["allocation"], "whole_enterprise");
    let missing = t
        .get(
            Some("ent_a"),
            &format!("/api/v1/reports/footprint?org={a}&product=steel&year=2023"),
        )
        .await;
    assert_eq!(
        missing.status,
        StatusCode::UNPROCESSABLE_ENTITY,
        "{}",
        missing.text
    );
    let bad = t
        .get(
            Some("ent_a"),
            &format!("/api/v1/reports/footprint?org={a}&product=x&year=2023&allocation=value"),
        )
        .await;
    assert_eq!(bad.status, StatusCode::BAD_REQUEST, "{}", bad.text);
}
