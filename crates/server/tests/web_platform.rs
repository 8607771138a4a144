//! Web-platform issue, section 6: tenant pages are never cached, and viewing an inventory
//! does not write an audit entry under the viewer's name; section 5: tables export to
//! Excel as shown.

mod common;

use axum::http::StatusCode;
use common::{app, org_a};

#[tokio::test]
async fn pages_with_tenant_data_are_not_cached_but_static_assets_are_left_alone() {
    let t = app();
    for uri in ["/", "/api/v1/orgs", "/login"] {
        let r = t.get(Some("admin"), uri).await;
        assert_eq!(
            r.headers.get("cache-control").map(|v| v.to_str().unwrap()),
            Some("no-store"),
            "{uri}: {:?}",
            r.headers
        );
    }
    let r = t.get(None, "/assets/app.js").await;
    assert_eq!(r.status, axum::http::StatusCode::OK);
    assert_ne!(
        r.headers.get("cache-control").map(|v| v.to_str().unwrap()),
        Some("no-store")
    );
}

#[tokio::test]
async fn viewing_an_inventory_is_not_audited_as_the_viewers_act() {
    let t = app();
    let code = org_a();
    // A year the seeded database has not issued yet: this view issues it.
    let r = t
        .get(
            Some("admin"),
            &format!("/api/v1/inventory?org={code}&year=2022"),
        )
        .await;
    assert_eq!(r.status, axum::http::StatusCode::OK, "{}", r.text);
    let audit = t.get(Some("admin"), "/api/v1/audit?limit=500").await.json();
    let entries = audit["entries"]
        .as_array()
        .unwrap_or_else(|| panic!("{audit}"));
    let issued: Vec<&serde_json::Value> = entries
        .iter()
        .filter(|a| a["action"] == "issue" || a["action"] == "recompute")
        .collect();
    assert!(
        issued.iter().any(
            |a| a["entity_id"].as_str().unwrap_or_default().contains("2022")
                && a["actor"].as_str().unwrap().contains("requested by")
        ),
        "the view issued the 2022 inventory as the system: {issued:?}"
    );
    assert!(
        issued
            .iter()
            .all(|a| !a["actor"].as_str().unwrap().starts_with("user:")),
        "{issued:?}"
    );
}

#[tokio::test]
async fn the_country_map_colours_every_province_with_a_published_factor() {
    // Section 4: all provinces with a factor of the year are coloured; 西藏, which the
    // notices give no provincial value for, is the one "no data" province.
    let t = app();
    let r = t
        .get(Some("admin"), "/api/v1/carbon-map/regions?year=2023")
        .await
        .json();
    let regions = r["regions"].as_array().unwrap_or_else(|| panic!("{r}"));
    assert_eq!(regions.len(), 31);
    let blank: Vec<&str> = regions
        .iter()
        .filter(|x| x["grid_tco2_per_mwh"].is_null())
        .map(|x| x["code"].as_str().unwrap())
        .collect();
    assert_eq!(blank, ["XZ"]);
    let yn = regions.iter().find(|x| x["code"] == "YN").unwrap();
    assert_eq!(yn["grid_tco2_per_mwh"].to_string(), "0.1333");
}

#[tokio::test]
async fn enterprise_and_overview_pages_link_their_report_downloads() {
    let t = app();
    let a = org_a();
    let page = t.get(Some("admin"), &format!("/orgs/{a}?year=2023")).await;
    assert_eq!(page.status, axum::http::StatusCode::OK);
    let link = format!("/api/v1/reports/ghg-inventory?org={a}&amp;year=2023&amp;format=pdf");
    assert!(page.text.contains(&link), "no {link}");
    let overview = t.get(Some("admin"), "/?year=2023").await;
    assert!(overview.text.contains("/api/v1/reports/park-annual?park="));
    // The linked download answers.
    let pdf = t.get(Some("admin"), &link.replace("&amp;", "&")).await;
    assert_eq!(pdf.status, axum::http::StatusCode::OK);
    assert_eq!(&pdf.text.as_bytes()[..4], b"%PDF");
}

/// Issue 14 #5: any table a page shows exports to Excel as shown: plain numbers become
/// numbers (8,505.98), codes stay text (0012), the file is named after the table.
#[tokio::test]
async fn a_shown_table_exports_to_excel_with_numbers_as_numbers() {
    use calamine::{Data, Reader, Xlsx};
    let t = app();
    let body = serde_json::json!({
        "title": "园区总览 - 企业",
        "columns": ["企业", "综合能耗 tce", "代码"],
        "rows": [["甲水泥", "8,505.98", "0012"], ["乙电子", "-12", "—"]],
    });
    let r = t.post_json("park", "/api/v1/exports/xlsx", body).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text);
    assert_eq!(
        r.header_head("content-type"),
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    );
    assert!(
        r.headers["content-disposition"]
            .to_str()
            .unwrap()
            .contains(".xlsx"),
        "a download"
    );
    let mut book: Xlsx<_> = Xlsx::new(std::io::Cursor::new(r.bytes.clone())).unwrap();
    let sheet = book.worksheet_range_at(0).unwrap().unwrap();
    let rows: Vec<Vec<Data>> = sheet.rows().map(|r| r.to_vec()).collect();
    let header = rows
        .iter()
        .position(|r| r.first() == Some(&Data::String("企业".into())))
        .expect("the header row");
    assert_eq!(
        rows[header + 1],
        vec![
            Data::String("甲水泥".into()),
            Data::Float(8505.98),
            Data::String("0012".into())
        ]
    );
    assert_eq!(rows[header + 2][1], Data::Float(-12.0));
    // A page without a heading still exports, named `table`, as the schema documents.
    let untitled = serde_json::json!({"title": "", "columns": ["a"], "rows": [["1"]]});
    let r = t.post_json("park", "/api/v1/exports/xlsx", untitled).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text);
    assert!(
        r.headers["content-disposition"]
            .to_str()
            .unwrap()
            .contains("table"),
        "{:?}",
        r.headers["content-disposition"]
    );
    // A ragged table is refused with the row named; anonymous callers are refused.
    let ragged = serde_json::json!({"title": "x", "columns": ["a", "b"], "rows": [["1"]]});
    let bad = t
        .post_json("park", "/api/v1/exports/xlsx", ragged.clone())
        .await;
    assert_eq!(bad.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", bad.text);
    assert!(bad.text.contains("row 1 has 1 cells"), "{}", bad.text);
    let anonymous = t
        .send(
            axum::http::Request::post("/api/v1/exports/xlsx")
                .header("content-type", "application/json")
                .body(axum::body::Body::from(ragged.to_string()))
                .unwrap(),
        )
        .await;
    assert_eq!(anonymous.status, StatusCode::UNAUTHORIZED);
}

/// Issue 14 #6: the audit log filters by who, what, object and Beijing-time days, pages
/// back by id, and shows anyone but an administrator only their own entries.
#[tokio::test]
async fn the_audit_log_filters_pages_and_keeps_to_the_callers_own() {
    let t = app();
    let get = |user: &'static str, q: &str| {
        let uri = format!("/api/v1/audit?{q}");
        let t = &t;
        async move {
            let r = t.get(Some(user), &uri).await;
            assert_eq!(r.status, StatusCode::OK, "{uri}: {}", r.text);
            r.json()["entries"].as_array().unwrap().clone()
        }
    };
    let page = get("admin", "action=create&object=org&limit=5").await;
    assert_eq!(page.len(), 5);
    assert!(
        page.iter()
            .all(|e| e["action"] == "create" && e["entity"] == "org")
    );
    let last = page[4]["id"].as_i64().unwrap();
    let next = get(
        "admin",
        &format!("action=create&object=org&limit=5&before={last}"),
    )
    .await;
    assert!(!next.is_empty());
    assert!(next.iter().all(|e| e["id"].as_i64().unwrap() < last));
    // Days are Beijing-time days: none of the seeded entries is from 2000.
    assert!(
        get("admin", "from=2000-01-01&to=2000-01-01")
            .await
            .is_empty()
    );
    let backwards = t
        .get(Some("admin"), "/api/v1/audit?from=2024-02-01&to=2024-01-01")
        .await;
    assert_eq!(
        backwards.status,
        StatusCode::BAD_REQUEST,
        "{}",
        backwards.text
    );
    // An enterprise user asking for another actor's entries gets its own only.
    let csv = format!(
        "credit_code,period,carrier,quantity,unit\n{},2025-01,electricity,1,MWh\n",
        org_a()
    );
    let up = t
        .upload("ent_a", "/api/v1/imports/activity", "a.csv", csv.as_bytes())
        .await;
    assert_eq!(up.status, StatusCode::OK, "{}", up.text);
    let own = get("ent_a", "actor=test").await;
    assert!(!own.is_empty());
    assert!(own.iter().all(|e| e["actor"] == "user:ent_a"), "{own:?}");
}
