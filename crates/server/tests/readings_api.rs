//! Readings through the API: uploads of CSV and Parquet into the readings store within the
//! caller's scope, the carbon-map report (same JSON as `zeropark report carbon-map
//! --json` on the same files), the Parquet export, and the other import kinds the CLI has
//! (indicators, factors).

mod common;

use axum::http::StatusCode;
use common::{TestApp, app_with, enc, org_a, org_b};
use rust_decimal::Decimal;
use serde_json::Value;
use std::fmt::Write as _;
use std::str::FromStr;
use zp_app::Access;
use zp_app::demo::{DEMO_PARK, DEMO_PARK_SC};
use zp_app::readings::{CarbonMapQuery, MapGroup, MapScope};

/// A server whose readings store lives in `dir`.
fn readings_app(dir: &std::path::Path) -> TestApp {
    let d = dir.to_path_buf();
    app_with(move |c| c.readings_dir = Some(d))
}

fn meters_csv() -> String {
    format!(
        "meter,credit_code,kind,source\nA-L1,{a},consumption,\nA-PV1,{a},generation,solar\nB-L1,{b},consumption,\n",
        a = org_a(),
        b = org_b()
    )
}

/// 15-minute readings of `meter` on 2 January 2023, `base` kWh plus a daily shape.
fn readings_csv(meters: &[(&str, u32)]) -> String {
    let mut csv = String::from("meter,ts,kwh\n");
    for (meter, base) in meters {
        for q in 0..96u32 {
            let kwh = base + (q / 4 % 12) + q % 3;
            let _ = writeln!(
                csv,
                "{meter},2023-01-02T{:02}:{:02}:00+08:00,{kwh}.25",
                q / 4,
                q % 4 * 15
            );
        }
    }
    csv
}

const MAP_QUERY: &str = "from=2023-01-01&to=2023-01-03&by=day&group=enterprise";

fn map_uri() -> String {
    format!(
        "/api/v1/reports/carbon-map?park={}&{MAP_QUERY}",
        enc(DEMO_PARK)
    )
}

async fn upload_ok(t: &TestApp, user: &str, kind: &str, name: &str, body: &[u8]) -> Value {
    let r = t
        .upload(user, &format!("/api/v1/imports/{kind}"), name, body)
        .await;
    assert_eq!(r.status, StatusCode::OK, "{kind} {name}: {}", r.text);
    r.json()
}

/// The CLI path on the same files: `import meters`, `import readings` (twice), then
/// `report carbon-map --park ... --json` with full access.
fn cli_map(files: &[std::path::PathBuf], meters: &std::path::Path, dir: &std::path::Path) -> Value {
    let t = readings_app(dir);
    let db = t.dir.path().join("test.db");
    let mut store = zp_app::open(db.to_str().unwrap()).unwrap();
    zp_app::import_file(
        store.as_mut(),
        &zp_app::Caller::operator("cli"),
        zp_app::ImportKind::Meters,
        meters,
        zp_app::Limits::default(),
        None,
    )
    .unwrap();
    let mut rs = zp_app::readings::ReadingStore::open(dir).unwrap();
    for f in files {
        zp_app::readings::import_readings(
            store.as_mut(),
            &mut rs,
            &zp_app::Caller::operator("cli"),
            f,
            &f.display().to_string(),
            None,
            &mut |_, _| {},
        )
        .unwrap();
    }
    let q = CarbonMapQuery {
        scope: MapScope::Park(DEMO_PARK.into()),
        from: "2023-01-01".into(),
        to: "2023-01-03".into(),
        by: zp_app::readings::Resolution::Day,
        group: MapGroup::Enterprise,
    };
    let map = zp_app::readings::carbon_map(store.as_mut(), &Access::All, &rs, &q).unwrap();
    serde_json::to_value(map).unwrap()
}

#[tokio::test]
async fn readings_csv_and_parquet_uploads_give_the_cli_carbon_map() {
    let files = tempfile::tempdir().unwrap();
    let a_csv = readings_csv(&[("A-L1", 40), ("A-PV1", 3)]);
    let b_csv = readings_csv(&[("B-L1", 25)]);

    // A Parquet file of B's readings, made by the export endpoint of a scratch server.
    let scratch_dir = tempfile::tempdir().unwrap();
    let scratch = readings_app(scratch_dir.path());
    upload_ok(
        &scratch,
        "admin",
        "meters",
        "meters.csv",
        meters_csv().as_bytes(),
    )
    .await;
    upload_ok(&scratch, "admin", "readings", "b.csv", b_csv.as_bytes()).await;
    let b_parquet = export_bytes(
        &scratch,
        "/api/v1/readings/export?format=parquet&meter=B-L1",
    )
    .await;
    assert_eq!(&b_parquet[..4], b"PAR1");

    // The server under test: meters, then A's CSV and B's Parquet.
    let dir = tempfile::tempdir().unwrap();
    let t = readings_app(dir.path());
    upload_ok(&t, "admin", "meters", "meters.csv", meters_csv().as_bytes()).await;
    let a = upload_ok(&t, "park", "readings", "a.csv", a_csv.as_bytes()).await;
    assert_eq!(a["read"], 192);
    assert_eq!(a["accepted"], 192);
    assert_eq!(a["quarantined"], 0);
    assert_eq!(a["readings"]["meters"], 2);
    let b = upload_ok(&t, "park", "readings", "b.parquet", &b_parquet).await;
    assert_eq!(b["read"], 96);
    assert_eq!(b["accepted"], 96);
    let map = t.get(Some("park"), &map_uri()).await;
    assert_eq!(map.status, StatusCode::OK, "{}", map.text);
    let api = map.json();

    // The CLI on the same files gives the same report.
    for (name, text) in [("meters.csv", meters_csv()), ("a.csv", a_csv.clone())] {
        std::fs::write(files.path().join(name), text).unwrap();
    }
    std::fs::write(files.path().join("b.parquet"), &b_parquet).unwrap();
    let cli_dir = tempfile::tempdir().unwrap();
    let cli = cli_map(
        &[files.path().join("a.csv"), files.path().join("b.parquet")],
        &files.path().join("meters.csv"),
        cli_dir.path(),
    );
    assert_eq!(api, cli);
    // And the numbers are the files' own: A's consumption on 2 January in MWh.
    let a_mwh: Decimal = a_csv
        .lines()
        .skip(1)
        .filter(|l| l.starts_with("A-L1,"))
        .map(|l| Decimal::from_str(l.rsplit(',').next().unwrap()).unwrap())
        .sum::<Decimal>()
        / Decimal::from(1000);
    let row = api["rows"]
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["group"] == org_a().as_str() && r["period"] == "2023-01-02")
        .unwrap_or_else(|| panic!("{api}"));
    assert_eq!(
        Decimal::from_str(&row["consumption_mwh"].to_string()).unwrap(),
        a_mwh.normalize()
    );
    assert_eq!(api["meters"], 3);

    // The export is scoped: enterprise A gets its own meters, never B's.
    let own = export_bytes(&t, "/api/v1/readings/export?format=parquet").await;
    assert_eq!(&own[..4], b"PAR1");
    let r = t
        .get(
            Some("ent_a"),
            "/api/v1/readings/export?format=parquet&meter=B-L1",
        )
        .await;
    assert_eq!(r.status, StatusCode::NOT_FOUND, "{}", r.text);
    let r = t
        .get(Some("ent_a"), "/api/v1/readings/export?format=csv")
        .await;
    assert_eq!(r.status, StatusCode::BAD_REQUEST);
}

async fn export_bytes(t: &TestApp, uri: &str) -> Vec<u8> {
    let req = axum::http::Request::get(uri)
        .header(
            "authorization",
            format!("Bearer {}", common::token_of("admin")),
        )
        .body(axum::body::Body::empty())
        .unwrap();
    let r = tower::ServiceExt::oneshot(t.router.clone(), req)
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::OK);
    assert_eq!(
        r.headers()["content-type"],
        "application/vnd.apache.parquet"
    );
    axum::body::to_bytes(r.into_body(), usize::MAX)
        .await
        .unwrap()
        .to_vec()
}

#[tokio::test]
async fn cross_tenant_readings_are_quarantined_and_reuploads_change_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let t = readings_app(dir.path());
    upload_ok(&t, "admin", "meters", "meters.csv", meters_csv().as_bytes()).await;
    upload_ok(
        &t,
        "admin",
        "readings",
        "b.csv",
        readings_csv(&[("B-L1", 25)]).as_bytes(),
    )
    .await;
    let before = t.get(Some("admin"), &map_uri()).await.json();

    // Enterprise A sends its own meter and B's meter (with other values): B's rows are
    // quarantined with a reason and never written.
    let mixed = readings_csv(&[("A-L1", 40), ("B-L1", 99)]);
    let r = upload_ok(&t, "ent_a", "readings", "mixed.csv", mixed.as_bytes()).await;
    assert_eq!(r["read"], 192);
    assert_eq!(r["accepted"], 96);
    assert_eq!(r["quarantined"], 96);
    let rejected = r["rejected"].as_array().unwrap();
    assert_eq!(rejected.len(), 96);
    assert!(rejected.iter().all(|x| {
        x["reason"]
            .as_str()
            .unwrap()
            .contains("not registered to an enterprise in your scope")
    }));
    assert!(
        rejected
            .iter()
            .all(|x| x["raw"].as_str().unwrap().starts_with("B-L1"))
    );
    let after = t.get(Some("admin"), &map_uri()).await.json();
    let b_rows = |m: &Value| -> Vec<Value> {
        m["rows"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|r| r["group"] == org_b().as_str())
            .cloned()
            .collect()
    };
    assert_eq!(b_rows(&before), b_rows(&after));
    assert!(!b_rows(&after).is_empty());

    // The quarantine screen lists them for the uploader; the upload is in the audit log.
    let q = t
        .get(Some("ent_a"), "/api/v1/quarantine?kind=readings")
        .await
        .json();
    assert_eq!(q["rows"].as_array().unwrap().len(), 96);
    let audit = t.store(|s| s.audit(50).unwrap()).await;
    assert!(
        audit.iter().any(|e| e.action == "import"
            && e.entity == "readings"
            && e.entity_id == "mixed.csv"
            && e.actor.contains("ent_a")),
        "{audit:?}"
    );

    // The same file again changes nothing: every accepted row is a duplicate.
    let again = upload_ok(&t, "ent_a", "readings", "mixed.csv", mixed.as_bytes()).await;
    assert_eq!(again["accepted"], 96);
    assert_eq!(again["duplicates"], 96);
    assert_eq!(again["restated"], 0);
    assert_eq!(again["quarantined"], 96);
    assert_eq!(t.get(Some("admin"), &map_uri()).await.json(), after);

    // Who may upload readings at all.
    for user in ["bank", "verifier", "officer"] {
        let r = t
            .upload(user, "/api/v1/imports/readings", "m.csv", mixed.as_bytes())
            .await;
        assert_eq!(r.status, StatusCode::FORBIDDEN, "{user}: {}", r.text);
    }
}

#[tokio::test]
async fn readings_uploads_keep_the_row_limit_and_need_a_readings_store() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path().to_path_buf();
    let t = app_with(move |c| {
        c.readings_dir = Some(d);
        c.max_upload_rows = 100;
    });
    upload_ok(&t, "admin", "meters", "meters.csv", meters_csv().as_bytes()).await;
    let csv = readings_csv(&[("A-L1", 40), ("A-PV1", 3)]);
    let r = t
        .upload(
            "admin",
            "/api/v1/imports/readings",
            "big.csv",
            csv.as_bytes(),
        )
        .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", r.text);
    assert!(r.text.contains("192 rows"), "{}", r.text);
    assert!(!r.text.contains(&dir.path().display().to_string()));
    // Nothing was written.
    let rs = zp_app::readings::ReadingStore::open(dir.path()).unwrap();
    assert!(rs.interval("A-L1").is_none());

    let without = common::app();
    let r = without
        .upload("admin", "/api/v1/imports/readings", "a.csv", csv.as_bytes())
        .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", r.text);
    assert!(r.text.contains("no readings store"));
    let r = without.get(Some("admin"), &map_uri()).await;
    assert_eq!(r.status, StatusCode::NOT_FOUND);
}

#[tokio::test]
async fn carbon_map_report_checks_parameters_and_scope() {
    let dir = tempfile::tempdir().unwrap();
    let t = readings_app(dir.path());
    for (uri, status) in [
        (
            format!("/api/v1/reports/carbon-map?{MAP_QUERY}"),
            StatusCode::BAD_REQUEST,
        ),
        (
            format!(
                "/api/v1/reports/carbon-map?park={}&from=2023-01-01",
                enc(DEMO_PARK)
            ),
            StatusCode::BAD_REQUEST,
        ),
        (
            format!(
                "/api/v1/reports/carbon-map?park={}&from=2023-01-01&to=2023-01-02&by=week",
                enc(DEMO_PARK)
            ),
            StatusCode::BAD_REQUEST,
        ),
        (
            format!("/api/v1/reports/carbon-map?org={}&{MAP_QUERY}", org_b()),
            StatusCode::NOT_FOUND,
        ),
        (
            format!(
                "/api/v1/reports/carbon-map?park={}&{MAP_QUERY}",
                enc(DEMO_PARK_SC)
            ),
            StatusCode::NOT_FOUND,
        ),
    ] {
        let r = t.get(Some("ent_a"), &uri).await;
        assert_eq!(r.status, status, "{uri}: {}", r.text);
    }
    let r = t
        .get(
            Some("ent_a"),
            &format!("/api/v1/reports/carbon-map?org={}&{MAP_QUERY}", org_a()),
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text);
    assert_eq!(r.json()["enterprises"], 1);
    // Its own park, as far as it sees it: itself.
    let r = t.get(Some("ent_a"), &map_uri()).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text);
    assert_eq!(r.json()["enterprises"], 1);
    let all = t.get(Some("park"), &map_uri()).await.json();
    assert!(all["enterprises"].as_u64().unwrap() > 1, "{all}");
}

#[tokio::test]
async fn indicators_and_factor_sets_upload_within_their_roles() {
    let dir = tempfile::tempdir().unwrap();
    let t = readings_app(dir.path());
    // Enterprise A may give its own indicator data, not B's.
    let csv = format!(
        "scope_id,indicator,period,value,unit,evidence\n{a},esg_disclosure,2023,1,bool,annual report\n{b},esg_disclosure,2023,1,bool,annual report\n",
        a = org_a(),
        b = org_b()
    );
    let r = upload_ok(&t, "ent_a", "indicators", "ind.csv", csv.as_bytes()).await;
    assert_eq!(r["accepted"], 1, "{r}");
    assert_eq!(r["quarantined"], 1);
    assert_eq!(r["rejected"][0]["row"], 3);
    let stored = t
        .store(|s| {
            s.indicator_values(&Access::All, &org_b(), 2023)
                .unwrap()
                .len()
        })
        .await;
    assert_eq!(stored, 0, "nothing written for B");
    let again = upload_ok(&t, "ent_a", "indicators", "ind.csv", csv.as_bytes()).await;
    assert_eq!(again["accepted"], 1, "{again}");
    assert_eq!(again["duplicates"], 1, "{again}");

    // Factor sets: platform admin only, named, immutable, the same file again is a no-op.
    let factors = "region,year,kind,tco2_per_mwh,published_by,notice\nCQ,2024,average,0.5012,MEE/NBS,公告2026年第1号\n";
    let uri = "/api/v1/imports/factors?set=mee-2026";
    let r = t.upload("park", uri, "f.csv", factors.as_bytes()).await;
    assert_eq!(r.status, StatusCode::FORBIDDEN);
    let r = t
        .upload(
            "admin",
            "/api/v1/imports/factors",
            "f.csv",
            factors.as_bytes(),
        )
        .await;
    assert_eq!(r.status, StatusCode::BAD_REQUEST, "{}", r.text);
    // The same file imported as set mee-2026, twice.
    let import_set = || {
        upload_ok(
            &t,
            "admin",
            "factors?set=mee-2026",
            "f.csv",
            factors.as_bytes(),
        )
    };
    let r = import_set().await;
    assert_eq!(
        (r["read"].clone(), r["accepted"].clone()),
        (1.into(), 1.into())
    );
    let sets = t.get(Some("admin"), "/api/v1/factor-sets").await;
    assert!(sets.text.contains("mee-2026"), "{}", sets.text);
    let again = import_set().await;
    assert_eq!(again["duplicates"], 1);
    let changed = factors.replace("0.5012", "0.6");
    let r = t.upload("admin", uri, "f.csv", changed.as_bytes()).await;
    assert_eq!(r.status, StatusCode::CONFLICT, "{}", r.text);
    let bad = factors.replace("0.5012", "abc");
    let r = t
        .upload(
            "admin",
            "/api/v1/imports/factors?set=other",
            "f.csv",
            bad.as_bytes(),
        )
        .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", r.text);
}

/// The map's hour slider: `GET /api/v1/carbon-map/hours` folds the hourly carbon map by
/// the hour of the day. Each enterprise's hour is the readings' own balance, its 24 hours
/// add up to the carbon map over the period, each hour equals the heatmap's row of that
/// hour, a region's hourly factor is the mean of the imported ones at that hour, and every
/// caller sees only their own enterprises.
#[tokio::test]
async fn the_hour_profile_folds_the_readings_by_hour_of_day() {
    let dir = tempfile::tempdir().unwrap();
    let t = readings_app(dir.path());
    upload_ok(&t, "admin", "meters", "meters.csv", meters_csv().as_bytes()).await;
    let a_csv = readings_csv(&[("A-L1", 40), ("A-PV1", 3)]);
    let b_csv = readings_csv(&[("B-L1", 25)]);
    upload_ok(&t, "park", "readings", "a.csv", a_csv.as_bytes()).await;
    upload_ok(&t, "park", "readings", "b.csv", b_csv.as_bytes()).await;
    // Hourly factors for Chongqing at 10:00 on two days, none at other hours.
    let grid = "region,ts,tco2_per_mwh\nCQ,2023-01-02T10:00:00+08:00,0.5\nCQ,2023-01-03T10:00:00+08:00,0.6\n";
    upload_ok(&t, "admin", "grid-hourly", "grid.csv", grid.as_bytes()).await;

    let get = |user: &'static str, q: String| {
        let t = &t;
        async move {
            let r = t
                .get(Some(user), &format!("/api/v1/carbon-map/hours?{q}"))
                .await;
            (r.status, r.json())
        }
    };
    let dec = |v: &Value| Decimal::from_str(v.as_str().unwrap_or(&v.to_string())).unwrap();
    let park = format!("year=2023&month=1&park={}", enc(DEMO_PARK));
    let (status, p) = get("park", park.clone()).await;
    assert_eq!(status, StatusCode::OK, "{p}");
    let orgs = p["orgs"].as_array().unwrap();
    assert_eq!(orgs.len(), 2, "A and B have readings: {p}");
    let hours = |o: &Value, key: &str| -> Vec<Decimal> {
        let a = o[key].as_array().unwrap();
        assert_eq!(a.len(), 24, "{o}");
        a.iter().map(dec).collect()
    };
    let of = |code: String| {
        orgs.iter()
            .find(|o| o["credit_code"] == code.as_str())
            .unwrap_or_else(|| panic!("{code} in {p}"))
            .clone()
    };
    // A: load 40 + shape, generation 3 + the same shape: 37 kWh a quarter, 148 kWh an hour.
    let a = of(org_a());
    assert!(
        hours(&a, "grid_import_mwh")
            .iter()
            .all(|v| *v == Decimal::from_str("0.148").unwrap()),
        "{a}"
    );
    // B: its hour is the sum of its four quarters in the file.
    let b = of(org_b());
    let mut b_hours = vec![Decimal::ZERO; 24];
    for l in b_csv.lines().skip(1) {
        let f: Vec<&str> = l.split(',').collect();
        let h: usize = f[1][11..13].parse().unwrap();
        b_hours[h] += Decimal::from_str(f[2]).unwrap() / Decimal::from(1000);
    }
    assert_eq!(hours(&b, "grid_import_mwh"), b_hours);
    // The day's shape shows: B's 11:00 is not its 00:00.
    assert_ne!(b_hours[0], b_hours[11]);

    // 24 hours add up to the carbon map over the month; each hour is the heatmap's row.
    let map = t
        .get(
            Some("park"),
            &format!(
                "/api/v1/reports/carbon-map?park={}&from=2023-01-01&to=2023-01-31&by=month",
                enc(DEMO_PARK)
            ),
        )
        .await
        .json();
    for o in [&a, &b] {
        let code = o["credit_code"].as_str().unwrap();
        let row = map["rows"]
            .as_array()
            .unwrap()
            .iter()
            .find(|r| r["group"] == code)
            .unwrap_or_else(|| panic!("{map}"));
        let e = hours(o, "emissions_tco2");
        assert_eq!(
            e.iter().sum::<Decimal>(),
            dec(&row["emissions_tco2"]),
            "{code}"
        );
        assert_eq!(
            hours(o, "grid_import_mwh").iter().sum::<Decimal>(),
            dec(&row["grid_import_mwh"]),
            "{code}"
        );
        let heat = t
            .get(
                Some("park"),
                &format!("/api/v1/carbon-map/orgs/{code}/heatmap?year=2023&month=1"),
            )
            .await
            .json();
        let cells = heat["heatmap"]["cells"].as_array().unwrap();
        for (h, v) in e.iter().enumerate() {
            let row: f64 = cells
                .iter()
                .filter(|c| c[1].as_u64() == Some(h as u64))
                .map(|c| c[2].as_f64().unwrap())
                .sum();
            let v: f64 = v.to_string().parse().unwrap();
            assert!(
                (row - v).abs() < 1e-9,
                "{code} {h}:00 heatmap {row} profile {v}"
            );
        }
    }
    // The hour priced with the hourly factor: A's 10:00 on 2 January is 0.148 x 0.5.
    assert_eq!(
        hours(&a, "emissions_tco2")[10],
        Decimal::from_str("0.074").unwrap()
    );
    // Chongqing's mean hourly factor at 10:00 over January; no other hour has one.
    let cq = p["regions"]
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["region"] == "CQ")
        .unwrap_or_else(|| panic!("{p}"));
    assert_eq!(cq["grid_tco2_per_mwh"][10], 0.55);
    assert_eq!(cq["hourly_hours"], 2);
    assert!(cq["grid_tco2_per_mwh"][9].is_null());

    // The whole country for the park admin is the same two; enterprise A sees only A.
    let (_, all) = get("park", "year=2023&month=1".into()).await;
    assert_eq!(all["orgs"], p["orgs"]);
    let (status, own) = get("ent_a", "year=2023".into()).await;
    assert_eq!(status, StatusCode::OK, "{own}");
    let own = own["orgs"].as_array().unwrap();
    assert_eq!(own.len(), 1);
    assert_eq!(own[0]["credit_code"], org_a().as_str());
    // The year is the month here: readings on 2 January only.
    assert_eq!(own[0]["grid_import_mwh"], a["grid_import_mwh"]);
    let (status, _) = get("ent_a", format!("year=2023&org={}", org_b())).await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    // Bad input is a clear 400.
    let (status, e) = get("park", "year=2023&month=13".into()).await;
    assert_eq!(status, StatusCode::BAD_REQUEST, "{e}");
    let (status, e) = get("park", "year=2023&region=XX".into()).await;
    assert_eq!(status, StatusCode::BAD_REQUEST, "{e}");
}
