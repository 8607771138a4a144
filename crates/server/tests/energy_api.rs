//! `GET /api/v1/reports/bill` and `GET /api/v1/flex/plan`: the contract day of the CLI
//! (one meter at 500 kWh per 15 minutes, valley 0.4 / high 0.8 yuan/kWh) through the API,
//! and another tenant refused; `GET /api/v1/flex/verify` and the `/flex` page on a metered
//! battery.

mod common;

use axum::http::StatusCode;
use common::{TestApp, app_with, org_a};
use std::fmt::Write as _;

async fn upload_ok(t: &TestApp, kind: &str, name: &str, body: &[u8]) {
    let r = t
        .upload("admin", &format!("/api/v1/imports/{kind}"), name, body)
        .await;
    assert_eq!(r.status, StatusCode::OK, "{kind}: {}", r.text);
}

/// The contract day through the API: meter E-L1 at 500 kWh per 15 minutes on 2023-07-10,
/// valley 0.4 / high 0.8 yuan/kWh.
async fn contract_app(dir: &std::path::Path) -> TestApp {
    let d = dir.to_path_buf();
    let t = app_with(move |c| c.readings_dir = Some(d));
    let a = org_a();
    upload_ok(
        &t,
        "meters",
        "meters.csv",
        format!("meter,credit_code,kind,source\nE-L1,{a},consumption,\n").as_bytes(),
    )
    .await;
    let mut csv = String::from("meter,ts,kwh\n");
    for q in 0..96 {
        let _ = writeln!(
            csv,
            "E-L1,2023-07-10T{:02}:{:02}:00+08:00,500",
            q / 4,
            q % 4 * 15
        );
    }
    upload_ok(&t, "readings", "readings.csv", csv.as_bytes()).await;
    let tariffs = dir.join("tariffs.csv");
    std::fs::write(
        &tariffs,
        "region,category,valid_from,months,start,end,period,yuan_per_kwh\n\
         CQ,large_industrial,2023-01-01,1-12,00:00,12:00,valley,0.4\n\
         CQ,large_industrial,2023-01-01,1-12,12:00,24:00,high,0.8\n",
    )
    .unwrap();
    t.store(move |s| {
        zp_app::energy::import_tariffs(s, &zp_app::Caller::operator("test"), &tariffs).unwrap()
    })
    .await;

    t
}

#[tokio::test]
async fn bill_and_flex_plan_through_the_api() {
    let dir = tempfile::tempdir().unwrap();
    let t = contract_app(dir.path()).await;
    let a = org_a();
    let b = t
        .get(
            Some("admin"),
            &format!("/api/v1/reports/bill?org={a}&month=2023-07"),
        )
        .await;
    assert_eq!(b.status, StatusCode::OK, "{}", b.text);
    let b = b.json();
    // 96 x 500 = 48,000 kWh; 24,000 x 0.4 + 24,000 x 0.8 = 28,800 yuan.
    assert_eq!(b["energy_kwh"].to_string(), "48000");
    assert_eq!(b["cost_yuan"].to_string(), "28800");

    let uri = format!(
        "/api/v1/flex/plan?org={a}&date=2023-07-10&battery_mwh=4&battery_mw=2&efficiency=0.8&soc_start_mwh=0&objective=cost"
    );
    let p = t.get(Some("admin"), &uri).await;
    assert_eq!(p.status, StatusCode::OK, "{}", p.text);
    let p = p.json();
    // One cycle: 5 MWh in at 400, 4 MWh out at 800: 28,800 - (3,200 - 2,000) = 27,600.
    assert_eq!(p["baseline_cost_yuan"].to_string(), "28800");
    assert_eq!(p["plan_cost_yuan"].to_string(), "27600");
    assert_eq!(p["hours"].as_array().unwrap().len(), 24);

    // Another enterprise's user cannot read this enterprise's bill.
    let other = t
        .get(
            Some("ent_b"),
            &format!("/api/v1/reports/bill?org={a}&month=2023-07"),
        )
        .await;
    assert!(
        other.status == StatusCode::NOT_FOUND || other.status == StatusCode::FORBIDDEN,
        "{} {}",
        other.status,
        other.text
    );
    // A missing parameter is the API's JSON error.
    let bad = t.get(Some("admin"), "/api/v1/flex/plan?org=x").await;
    assert_eq!(bad.status, StatusCode::BAD_REQUEST, "{}", bad.text);
}

#[tokio::test]
async fn flex_verify_and_the_flex_page_show_the_metered_battery() {
    let dir = tempfile::tempdir().unwrap();
    let t = contract_app(dir.path()).await;
    let a = org_a();
    upload_ok(
        &t,
        "meters",
        "battery.csv",
        format!(
            "meter,credit_code,kind,source\nE-BC,{a},battery_charge,\nE-BD,{a},battery_discharge,\n"
        )
        .as_bytes(),
    )
    .await;
    // Charged 1.25 MWh in each of hours 0-3, discharged 0.9 MWh in each of hours 12-15.
    let mut csv = String::from("meter,ts,kwh\n");
    for (meter, hours, kwh) in [("E-BC", 0..4, "312.5"), ("E-BD", 12..16, "225")] {
        for h in hours {
            for q in 0..4 {
                let _ = writeln!(
                    csv,
                    "{meter},2023-07-10T{h:02}:{:02}:00+08:00,{kwh}",
                    q * 15
                );
            }
        }
    }
    upload_ok(&t, "readings", "battery_readings.csv", csv.as_bytes()).await;
    let v = t
        .get(
            Some("admin"),
            &format!(
                "/api/v1/flex/verify?org={a}&date=2023-07-10&battery_mwh=4&battery_mw=2&efficiency=0.8"
            ),
        )
        .await;
    assert_eq!(v.status, StatusCode::OK, "{}", v.text);
    let v = v.json();
    // 28,800 + 5 x 400 - 3.6 x 800 = 27,920 yuan realised; the plan 27,600.
    assert_eq!(v["realised_cost_yuan"].to_string(), "27920");
    assert_eq!(v["realised_saving_yuan"].to_string(), "880");
    assert_eq!(v["plan_cost_yuan"].to_string(), "27600");

    let page = t
        .get(
            Some("admin"),
            &format!("/flex?org={a}&date=2023-07-10&battery_mwh=4&battery_mw=2&efficiency=0.8"),
        )
        .await;
    assert_eq!(page.status, StatusCode::OK, "{}", page.text);
    assert!(
        page.text.contains("id=\"kpi-realised-cost\""),
        "{}",
        page.text
    );
    assert!(page.text.contains("27,920"), "realised cost shown");
    assert!(page.text.contains("id=\"flex-chart\""));
    // Empty optional fields are absent, and the page opens on the metered day by itself.
    let default = t.get(Some("admin"), &format!("/flex?org={a}&date=")).await;
    assert_eq!(default.status, StatusCode::OK, "{}", default.text);
    assert!(
        default.text.contains("value=\"2023-07-10\""),
        "opens on the battery's day"
    );
    // Another enterprise's user cannot verify this enterprise's battery.
    let other = t
        .get(
            Some("ent_b"),
            &format!("/api/v1/flex/verify?org={a}&date=2023-07-10&battery_mwh=4&battery_mw=2"),
        )
        .await;
    assert_eq!(other.status, StatusCode::NOT_FOUND, "{}", other.text);
}

#[tokio::test]
async fn reports_download_as_pdf_and_excel_within_the_callers_access() {
    let t = common::app();
    let a = org_a();
    let pdf = t
        .get(
            Some("admin"),
            &format!("/api/v1/reports/ghg-inventory?org={a}&year=2023"),
        )
        .await;
    assert_eq!(pdf.status, StatusCode::OK, "{}", pdf.text);
    assert_eq!(pdf.headers["content-type"], "application/pdf");
    assert!(
        pdf.headers["content-disposition"]
            .to_str()
            .unwrap()
            .starts_with("attachment;")
    );
    let json = t
        .get(
            Some("admin"),
            &format!("/api/v1/reports/ghg-inventory?org={a}&year=2023&format=json&lang=en"),
        )
        .await;
    assert_eq!(json.status, StatusCode::OK, "{}", json.text);
    assert!(
        json.text.contains(&a),
        "{}",
        &json.text[..200.min(json.text.len())]
    );
    let park = zp_app::demo::DEMO_PARK;
    let xlsx = t
        .get(
            Some("admin"),
            &format!(
                "/api/v1/reports/park-annual?park={}&year=2023&format=xlsx",
                common::enc(park)
            ),
        )
        .await;
    assert_eq!(xlsx.status, StatusCode::OK, "{}", xlsx.text);
    // Another enterprise's user cannot download this enterprise's report.
    let other = t
        .get(
            Some("ent_b"),
            &format!("/api/v1/reports/ghg-inventory?org={a}&year=2023"),
        )
        .await;
    assert_eq!(other.status, StatusCode::NOT_FOUND, "{}", other.text);
    let bad = t
        .get(
            Some("admin"),
            &format!("/api/v1/reports/ghg-inventory?org={a}&year=2023&format=doc"),
        )
        .await;
    assert_eq!(bad.status, StatusCode::BAD_REQUEST);
}
