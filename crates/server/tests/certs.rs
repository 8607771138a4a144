//! The certificate registry over HTTP, on the demo store plus the sample day of
//! `tests/data` (the meters re-registered to demo enterprises A and B):
//!
//! A consumes 2 MWh every hour of 2023-07-10 (meter ELEC-L1); its PV meter (ELEC-PV1)
//! makes 0.2, 0.8, 1.5, 2.2, 2.8, 3.0, 3.0, 2.6, 2.0, 1.2, 0.5, 0.1 MWh in hours 06..17,
//! 19.9 MWh in 12 hourly bundles. Matched = sum of min(2, pv) = 16.3 MWh; the grid's CFE
//! share is 0.4 in hours 00..11 only, worth 0.4 x (24 - 8.5) = 6.2 MWh; CFE score =
//! (16.3 + 6.2) / 48 = 0.46875; annual match ratio = 19.9 / 48. B consumes (DC-L1).

mod common;

use axum::body::Body;
use axum::http::{Request, StatusCode};
use common::*;
use rust_decimal::Decimal;
use serde_json::{Value, json};
use std::path::{Path, PathBuf};
use std::str::FromStr;
use zp_app::Access;

const DAY: &str = "2023-07-10";

fn data(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../../tests/data")
        .join(name)
}

fn dec(v: &Value) -> Decimal {
    Decimal::from_str(&v.to_string()).unwrap_or_else(|_| panic!("not a number: {v}"))
}

/// A server with a readings store and a registry key, and the sample day imported.
struct Registry {
    t: TestApp,
    dir: tempfile::TempDir,
}

async fn registry() -> Registry {
    let dir = tempfile::tempdir().unwrap();
    let (readings, key) = (dir.path().join("readings"), dir.path().join("registry.key"));
    let t = app_with(|c| {
        c.readings_dir = Some(readings.clone());
        c.registry_key = Some(key);
    });
    let meters = dir.path().join("meters.csv");
    std::fs::write(
        &meters,
        format!(
            "meter,credit_code,kind,source\nELEC-L1,{a},consumption,\nELEC-PV1,{a},generation,solar\nDC-L1,{b},consumption,\n",
            a = org_a(),
            b = org_b()
        ),
    )
    .unwrap();
    t.store(move |s| {
        zp_app::import_file(
            s,
            &zp_app::Caller::operator("test"),
            zp_app::ImportKind::Meters,
            &meters,
            zp_app::Limits::default(),
            None,
        )
        .unwrap();
        zp_app::import_file(
            s,
            &zp_app::Caller::operator("test"),
            zp_app::ImportKind::GridHourly,
            &data("grid_hourly_2023-07-10.csv"),
            zp_app::Limits::default(),
            None,
        )
        .unwrap();
        let mut rs = zp_app::readings::ReadingStore::open(&readings).unwrap();
        let r = zp_app::readings::import_readings(
            s,
            &mut rs,
            &zp_app::Caller::operator("test"),
            &data("readings_2023-07-10.csv"),
            "readings_2023-07-10.csv",
            None,
            &mut |_, _| {},
        )
        .unwrap();
        assert_eq!(
            r.counts().quarantined,
            4,
            "the file's deliberately bad rows"
        );
    })
    .await;
    Registry { t, dir }
}

impl Registry {
    async fn issue(&self) -> Value {
        let r = self
            .t
            .post_json(
                "admin",
                "/api/v1/certs/issue",
                json!({"from": DAY, "to": DAY}),
            )
            .await;
        assert_eq!(r.status, StatusCode::OK, "{}", r.text);
        r.json()
    }

    async fn bundles(&self, user: &str, query: &str) -> Vec<Value> {
        let r = self
            .t
            .get(Some(user), &format!("/api/v1/certs/bundles?{query}"))
            .await;
        assert_eq!(r.status, StatusCode::OK, "{}", r.text);
        r.json()["bundles"].as_array().unwrap().clone()
    }

    async fn events(&self) -> usize {
        self.t.store(|s| s.cert_events().unwrap().len()).await
    }

    /// A's active bundle of the hour starting at `hour` (local, e.g. "12:00").
    async fn bundle_of_hour(&self, hour: &str) -> Value {
        let want = format!("{DAY}T{hour}:00+08:00");
        let list = self.bundles("admin", "status=active").await;
        list.into_iter()
            .find(|b| {
                let h = b["source"]["production_hour_start"].as_i64();
                h.map(zp_domain::time::format_local).as_deref() == Some(want.as_str())
            })
            .unwrap_or_else(|| panic!("no active bundle of {want}"))
    }
}

#[tokio::test]
async fn issue_match_and_matching_figures_agree_with_the_app() {
    let reg = registry().await;
    let issued = reg.issue().await;
    assert_eq!(issued["bundles_issued"], 12, "{issued}");
    assert_eq!(
        dec(&issued["energy_mwh"]),
        Decimal::from_str("19.9").unwrap()
    );
    assert_eq!(
        reg.issue().await["bundles_issued"],
        0,
        "nothing issued twice"
    );

    let a = org_a();
    let m = reg
        .t
        .post_json(
            "ent_a",
            "/api/v1/certs/match",
            json!({"consumer": a, "from": DAY, "to": DAY}),
        )
        .await;
    assert_eq!(m.status, StatusCode::OK, "{}", m.text);
    let m = m.json();
    assert_eq!(dec(&m["matched_mwh"]), Decimal::from_str("16.3").unwrap());
    assert!(m["events_appended"].as_u64().unwrap() >= 12, "{m}");

    let uri = format!("/api/v1/certs/matching?org={a}&from={DAY}&to={DAY}");
    let api = reg.t.get(Some("ent_a"), &uri).await;
    assert_eq!(api.status, StatusCode::OK, "{}", api.text);
    let api = api.json();
    assert_eq!(dec(&api["load_mwh"]), Decimal::from(48));
    assert_eq!(dec(&api["matched_mwh"]), Decimal::from_str("16.3").unwrap());
    assert_eq!(
        dec(&api["cfe_score"]),
        Decimal::from_str("0.46875").unwrap()
    );
    let ratio = dec(&api["annual_match_ratio"]);
    let want = Decimal::from_str("19.9").unwrap() / Decimal::from(48);
    assert!(
        (ratio - want).abs() < Decimal::from_str("1e-12").unwrap(),
        "{ratio}"
    );
    let hours = api["hours"].as_array().unwrap();
    assert_eq!(hours.len(), 24);
    let noon = &hours[12];
    assert_eq!(
        (&noon["load_wh"], &noon["matched_wh"], &noon["grid_wh"]),
        (&json!(2_000_000), &json!(2_000_000), &json!(0))
    );
    assert_eq!(api["missing_grid_cfe_hours"].as_array().unwrap().len(), 12);

    // The same computation as `report matching --json` (the app use case) on the same data.
    let readings = reg.dir.path().join("readings");
    let code = zp_domain::CreditCode::parse(&a).unwrap();
    let (from, to) = zp_app::certs::day_window(DAY.parse().unwrap(), DAY.parse().unwrap()).unwrap();
    let app = reg
        .t
        .store(move |s| {
            let rs = zp_app::readings::ReadingStore::open(&readings).unwrap();
            zp_app::certs::matching_report(s, &Access::All, &rs, &code, (from, to)).unwrap()
        })
        .await;
    let mut same = api.clone();
    for k in ["org", "from", "to"] {
        same.as_object_mut().unwrap().remove(k);
    }
    assert_eq!(same, serde_json::to_value(&app).unwrap());
    assert_eq!((&api["org"], &api["from"]), (&json!(a), &json!(DAY)));

    // Every append names the user who made it.
    let audit = reg.t.store(|s| s.audit(50).unwrap()).await;
    let appends: Vec<&str> = audit
        .iter()
        .filter(|e| e.entity == "cert_events")
        .map(|e| e.actor.as_str())
        .collect();
    assert!(appends.contains(&"user:admin"), "{appends:?}");
    assert!(appends.contains(&"user:ent_a"), "{appends:?}");

    // The chain still verifies and the public key is the one the registry recorded.
    let v = reg
        .t
        .get(Some("ent_b"), "/api/v1/certs/verify")
        .await
        .json();
    assert_eq!(v["verified"], true);
    let pk = reg
        .t
        .get(Some("bank"), "/api/v1/certs/public-key")
        .await
        .json();
    let stored = reg
        .t
        .store(|s| s.registry_meta("public_key").unwrap().unwrap())
        .await;
    assert_eq!(pk["public_key"], json!(stored));
    assert_eq!(stored.len(), 64);
}

#[tokio::test]
async fn only_the_owner_transfers_and_a_refusal_changes_nothing() {
    let reg = registry().await;
    reg.issue().await;
    let (a, b) = (org_a(), org_b());
    let bundle = reg.bundle_of_hour("12:00").await;
    let id = bundle["id"].as_u64().unwrap();
    let before = (reg.events().await, reg.bundles("admin", "").await);

    // B (an enterprise user acting for B) does not own A's bundle: the registry refuses.
    let r = reg
        .t
        .post_json(
            "ent_b",
            "/api/v1/certs/transfer",
            json!({"bundle": id, "to": b}),
        )
        .await;
    assert_eq!(r.status, StatusCode::FORBIDDEN, "{}", r.text);
    assert!(r.text.contains("may not move"), "{}", r.text);
    // Nor may B act as A, a park admin act for B's bundle as B, or a bank write at all.
    let r = reg
        .t
        .post_json(
            "ent_b",
            "/api/v1/certs/transfer",
            json!({"bundle": id, "to": b, "as": a}),
        )
        .await;
    assert_eq!(r.status, StatusCode::FORBIDDEN, "{}", r.text);
    assert!(r.text.contains("your scope"), "{}", r.text);
    let r = reg
        .t
        .post_json(
            "park",
            "/api/v1/certs/retire",
            json!({"bundle": id, "as": b, "consumer": b, "hour": format!("{DAY} 12:00")}),
        )
        .await;
    assert_eq!(r.status, StatusCode::FORBIDDEN, "{}", r.text);
    let r = reg
        .t
        .post_json(
            "bank",
            "/api/v1/certs/transfer",
            json!({"bundle": id, "to": b}),
        )
        .await;
    assert_eq!(r.status, StatusCode::FORBIDDEN, "{}", r.text);
    // Unknown bundles are 404; the registry administrator's withdrawal needs the role.
    let r = reg
        .t
        .post_json(
            "ent_a",
            "/api/v1/certs/transfer",
            json!({"bundle": 9999, "to": b}),
        )
        .await;
    assert_eq!(r.status, StatusCode::NOT_FOUND, "{}", r.text);
    let r = reg
        .t
        .post_json(
            "ent_a",
            "/api/v1/certs/withdraw",
            json!({"bundle": id, "reason": "x"}),
        )
        .await;
    assert_eq!(r.status, StatusCode::FORBIDDEN, "{}", r.text);
    assert_eq!(
        (reg.events().await, reg.bundles("admin", "").await),
        before,
        "refusals change nothing"
    );

    // The owner transfers 0.5 MWh of the 3 MWh bundle: split, then transfer.
    let r = reg
        .t
        .post_json(
            "ent_a",
            "/api/v1/certs/transfer",
            json!({"bundle": id, "to": b, "wh": 500_000}),
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text);
    assert_eq!(r.json()["events_appended"], 2);
    let of_b = reg.bundles("ent_b", &format!("owner={b}")).await;
    assert_eq!(of_b.len(), 1);
    assert_eq!(of_b[0]["energy_wh"], 500_000);
    let kept = reg
        .bundles("ent_a", &format!("owner={a}&status=active"))
        .await;
    let hour = &bundle["source"]["production_hour_start"];
    let kept: Vec<&Value> = kept
        .iter()
        .filter(|x| &x["source"]["production_hour_start"] == hour)
        .collect();
    assert_eq!(kept.len(), 1, "A keeps the rest of the hour: {kept:?}");
    let kept = kept[0];
    assert_eq!(
        kept["energy_wh"],
        bundle["energy_wh"].as_u64().unwrap() - 500_000
    );
    // A bundle already at B cannot be moved by A any more.
    let r = reg
        .t
        .post_json(
            "ent_a",
            "/api/v1/certs/transfer",
            json!({"bundle": of_b[0]["id"], "to": a}),
        )
        .await;
    assert_eq!(r.status, StatusCode::FORBIDDEN, "{}", r.text);
}

#[tokio::test]
async fn another_enterprise_cannot_read_matching_or_evidence() {
    let reg = registry().await;
    reg.issue().await;
    let a = org_a();
    let name = name_of(&a);
    for uri in [
        format!("/api/v1/certs/matching?org={a}&from={DAY}&to={DAY}"),
        format!("/api/v1/certs/evidence?org={a}&from={DAY}&to={DAY}"),
        format!("/api/v1/certs/evidence?org={a}&from={DAY}&to={DAY}&format=pdf"),
    ] {
        for user in ["ent_b", "park_sc", "officer_sc"] {
            let r = reg.t.get(Some(user), &uri).await;
            assert_eq!(r.status, StatusCode::NOT_FOUND, "{user} {uri}: {}", r.text);
            assert!(!r.text.contains(&name), "{user} {uri} leaked: {}", r.text);
        }
        assert_eq!(reg.t.get(None, &uri).await.status, StatusCode::UNAUTHORIZED);
        assert_eq!(reg.t.get(Some("park"), &uri).await.status, StatusCode::OK);
    }
    // B sees none of A's bundles either.
    assert!(reg.bundles("ent_b", "").await.is_empty());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn two_concurrent_retirements_retire_once() {
    let reg = registry().await;
    reg.issue().await;
    let (a, b) = (org_a(), org_b());
    let bundle = reg.bundle_of_hour("11:00").await;
    let id = bundle["id"].as_u64().unwrap();
    let energy = bundle["energy_wh"].as_u64().unwrap();
    let before = reg.events().await;
    let retire = || {
        reg.t.post_json(
            "ent_a",
            "/api/v1/certs/retire",
            json!({"bundle": id, "consumer": b, "hour": format!("{DAY}T11:00:00+08:00")}),
        )
    };
    let (r1, r2) = tokio::join!(retire(), retire());
    let mut statuses = [r1.status, r2.status];
    statuses.sort();
    assert_eq!(
        statuses,
        [StatusCode::OK, StatusCode::CONFLICT],
        "{} / {}",
        r1.text,
        r2.text
    );
    let refused = if r1.status == StatusCode::CONFLICT {
        &r1
    } else {
        &r2
    };
    assert!(refused.text.contains("not active"), "{}", refused.text);
    assert_eq!(reg.events().await, before + 1, "one retirement event");
    let body = reg
        .t
        .get(Some("admin"), "/api/v1/certs/bundles?status=cancelled")
        .await
        .json();
    assert_eq!(body["balances"]["cancelled_wh"], energy);
    let cancelled = body["bundles"].as_array().unwrap();
    assert_eq!(cancelled.len(), 1);
    assert_eq!(cancelled[0]["owner"], json!(a));
}

#[tokio::test]
async fn evidence_downloads_as_pdf_and_json() {
    let reg = registry().await;
    reg.issue().await;
    let a = org_a();
    reg.t
        .post_json(
            "admin",
            "/api/v1/certs/match",
            json!({"consumer": a, "from": DAY, "to": DAY}),
        )
        .await;
    let base = format!("/api/v1/certs/evidence?org={a}&from={DAY}&to={DAY}");
    let pdf = reg
        .t
        .get(Some("ent_a"), &format!("{base}&format=pdf"))
        .await;
    assert_eq!(pdf.status, StatusCode::OK, "{}", pdf.text);
    assert!(pdf.text.starts_with("%PDF-"), "{}", &pdf.text[..20]);
    assert_eq!(pdf.headers["content-type"], "application/pdf");
    assert_eq!(
        pdf.headers["content-disposition"],
        format!("attachment; filename=\"evidence-{a}-{DAY}-{DAY}.pdf\"").as_str()
    );
    let doc = reg.t.get(Some("ent_a"), &base).await;
    assert_eq!(doc.status, StatusCode::OK, "{}", doc.text);
    assert_eq!(doc.headers["content-type"], "application/json");
    let doc = doc.json();
    assert_eq!(doc["matched_wh"], 16_300_000);
    assert_eq!(doc["consumption_wh"], 48_000_000);
    let r = reg
        .t
        .get(Some("ent_a"), &format!("{base}&format=xml"))
        .await;
    assert_eq!(r.status, StatusCode::BAD_REQUEST);
    let r = reg
        .t
        .get(
            Some("ent_a"),
            &format!("/api/v1/certs/matching?org={a}&from=2023-01-01&to=2024-12-31"),
        )
        .await;
    assert_eq!(r.status, StatusCode::BAD_REQUEST, "{}", r.text);
    assert!(r.text.contains("366 days"), "{}", r.text);
}

#[tokio::test]
async fn gec_import_withdrawal_and_monthly_retirement() {
    let reg = registry().await;
    let (a, b) = (org_a(), org_b());
    let csv = format!(
        "serial_start,serial_end,mwh,plant,production_month,owner,technology,region\n\
         1000,1009,10,Wushan Wind,2023-07,{a},wind,CQ\n\
         2000,2001,3,Bad Block,2023-07,{a},wind,CQ\n"
    );
    let r = reg
        .t
        .upload(
            "park",
            "/api/v1/certs/import-gec",
            "gec.csv",
            csv.as_bytes(),
        )
        .await;
    assert_eq!(r.status, StatusCode::FORBIDDEN, "{}", r.text);
    let r = reg
        .t
        .upload(
            "admin",
            "/api/v1/certs/import-gec",
            "gec.csv",
            csv.as_bytes(),
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text);
    let out = r.json();
    assert_eq!(
        (&out["read"], &out["accepted"], &out["quarantined"]),
        (&json!(2), &json!(1), &json!(1))
    );
    assert!(
        out["rejected"][0]["reason"]
            .as_str()
            .unwrap()
            .contains("not 3"),
        "{out}"
    );

    let gec = reg.bundles("ent_a", "status=active").await;
    assert_eq!(gec.len(), 1);
    assert_eq!(gec[0]["energy_wh"], 10_000_000);
    let id = gec[0]["id"].as_u64().unwrap();
    // Monthly certificates retire for a month, not an hour.
    let r = reg
        .t
        .post_json(
            "ent_a",
            "/api/v1/certs/retire",
            json!({"bundle": id, "consumer": b, "hour": format!("{DAY} 12:00"), "wh": 1_000_000}),
        )
        .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", r.text);
    let r = reg
        .t
        .post_json(
            "ent_a",
            "/api/v1/certs/retire",
            json!({"bundle": id, "consumer": b, "month": "2023-07", "wh": 4_000_000}),
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text);
    // The rest is withdrawn by the registry administrator, with a reason.
    let rest = reg.bundles("admin", "status=active").await;
    assert_eq!(rest[0]["energy_wh"], 6_000_000);
    let rid = rest[0]["id"].as_u64().unwrap();
    let r = reg
        .t
        .post_json("admin", "/api/v1/certs/withdraw", json!({"bundle": rid}))
        .await;
    assert_eq!(r.status, StatusCode::BAD_REQUEST, "{}", r.text);
    let r = reg
        .t
        .post_json(
            "admin",
            "/api/v1/certs/withdraw",
            json!({"bundle": rid, "reason": "double counted with a PPA"}),
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text);
    let balances = reg
        .t
        .get(Some("admin"), "/api/v1/certs/bundles")
        .await
        .json()["balances"]
        .clone();
    assert_eq!(balances["cancelled_wh"], 4_000_000);
    assert_eq!(balances["withdrawn_wh"], 6_000_000);
    // Claimed by the consumer it was retired for.
    let cancelled = reg.bundles("ent_b", "status=cancelled").await;
    let r = reg
        .t
        .post_json(
            "ent_b",
            "/api/v1/certs/claim",
            json!({"bundle": cancelled[0]["id"]}),
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text);
    assert_eq!(reg.bundles("ent_b", "status=claimed").await.len(), 1);
}

#[tokio::test]
async fn the_page_shows_the_hourly_match_and_the_forms_by_role() {
    let reg = registry().await;
    reg.issue().await;
    let a = org_a();
    let uri = format!("/certs?org={a}&from={DAY}&to={DAY}");
    let page = |user: &str| {
        Request::get(&uri)
            .header("authorization", format!("Bearer {}", token_of(user)))
            .body(Body::empty())
            .unwrap()
    };
    let html = reg.t.send(page("ent_a")).await;
    assert_eq!(html.status, StatusCode::OK, "{}", html.text);
    assert!(html.text.contains("id=\"match-chart\""));
    assert!(html.text.contains("48.000"), "load MWh shown");
    assert!(html.text.contains("form-transfer"), "owners get the forms");
    assert!(!html.text.contains("form-issue"), "issuance is the admin's");
    assert!(html.text.contains("format=pdf"), "evidence links");
    let en = Request::get(format!("{uri}&lang=en"))
        .header("authorization", format!("Bearer {}", token_of("ent_a")))
        .body(Body::empty())
        .unwrap();
    let en = reg.t.send(en).await;
    assert!(
        en.text.contains("Hourly matching (24/7 CFE)"),
        "English strings"
    );
    assert!(en.text.contains("Annual match ratio"));
    let html = reg.t.send(page("bank")).await;
    assert!(
        !html.text.contains("form-transfer"),
        "read-only roles get no forms"
    );
    let html = reg.t.send(page("ent_b")).await;
    assert!(
        html.text.contains("id=\"match-error\""),
        "A's matching is not B's to see"
    );
    assert!(!html.text.contains("48.000"));
}
