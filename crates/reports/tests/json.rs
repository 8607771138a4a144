//! Snapshots of each report's JSON: its shape (every key path with the type of its value,
//! so a renamed or dropped field fails here) and its key figures, built from the accounting
//! engine's inventories of the worked example.

mod common;

use common::{d, font, grinding, inventory, kiln, whole};
use expect_test::{Expect, expect};
use serde_json::Value;
use std::collections::BTreeSet;
use zp_reports::Lang;
use zp_reports::park::{
    DesignationRow, Member, MonthFigures, ParkInfo, ParkInput, ProjectRow, YearFigures, build,
};

/// `path: type` lines of every key in `v` (arrays as `[]`, their first element's shape).
fn shape(v: &Value, path: &str, out: &mut BTreeSet<String>) {
    match v {
        Value::Object(m) => {
            for (k, x) in m {
                let p = if path.is_empty() {
                    k.clone()
                } else {
                    format!("{path}.{k}")
                };
                shape(x, &p, out);
            }
        }
        Value::Array(a) => match a.first() {
            Some(x) => shape(x, &format!("{path}[]"), out),
            None => {
                out.insert(format!("{path}: []"));
            }
        },
        Value::String(_) => {
            out.insert(format!("{path}: string"));
        }
        Value::Number(_) => {
            out.insert(format!("{path}: number"));
        }
        Value::Bool(_) => {
            out.insert(format!("{path}: bool"));
        }
        Value::Null => {
            out.insert(format!("{path}: null"));
        }
    }
}

/// The JSON document of `model` as rendered, read back.
fn rendered<T: serde::Serialize>(model: &T) -> Value {
    serde_json::from_slice(&zp_reports::render_json(model).unwrap()).unwrap()
}

/// The keys every report document starts with, and then `keys`.
fn enveloped<'a>(keys: &[&'a str]) -> BTreeSet<&'a str> {
    ["report", "format_version", "lang"]
        .into_iter()
        .chain(keys.iter().copied())
        .collect()
}

/// The keys of a JSON object.
fn keys(v: &Value) -> BTreeSet<&str> {
    v.as_object().unwrap().keys().map(String::as_str).collect()
}

fn check_shape<T: serde::Serialize>(model: &T, want: Expect) -> Value {
    let v = rendered(model);
    let mut out = BTreeSet::new();
    shape(&v, "", &mut out);
    let text: Vec<String> = out.into_iter().collect();
    want.assert_eq(&(text.join("\n") + "\n"));
    v
}

fn num(v: &Value) -> rust_decimal::Decimal {
    d(&v.to_string())
}

fn park_input() -> ParkInput {
    let y2022 = {
        let mut lines = kiln();
        for l in &mut lines {
            l.period = zp_domain::Period::new(2022, l.period.month()).unwrap();
        }
        common::inventory_in(lines, 2022)
    };
    let member = whole();
    let park = |inv: &zp_accounting::Inventory, year| {
        zp_accounting::aggregate("park", "示例园区", year, std::slice::from_ref(inv))
    };
    ParkInput {
        lang: Lang::Zh,
        park: ParkInfo {
            name: "示例园区".into(),
            region: "CQ".into(),
            region_name: "重庆市".into(),
            enterprises: 1,
        },
        year: 2023,
        years: vec![park(&y2022, 2022), park(&member, 2023)],
        monthly: vec![MonthFigures {
            period: "2023-01".into(),
            energy_tce: d("244.33"),
            scope1_tco2: d("216.218881"),
            scope2_location_tco2: d("558.1"),
            scope2_market_tco2: d("609.6"),
            electricity_mwh: d("1000"),
        }],
        members: vec![Member {
            credit_code: common::org().to_string(),
            name: "示例制造有限公司".into(),
            industry: "3011".into(),
            figures: YearFigures::of(&member),
        }],
        zero_carbon: None,
        threshold_tco2_per_tce: d("0.20"),
        designations: vec![DesignationRow {
            kind: "green_factory".into(),
            level: "national".into(),
            scope: common::org().to_string(),
            granted_on: "2023-05-01".into(),
            expires_on: None,
            notice: "工信厅节函〔2023〕1号 (illustrative)".into(),
        }],
        projects: vec![ProjectRow {
            id: "P-1".into(),
            name: "余热发电".into(),
            credit_code: common::org().to_string(),
            kind: "waste_heat".into(),
            categories: vec!["1.1".into()],
            capex_yuan: d("12000000"),
            expected_reduction_tco2: d("1500"),
            operation_start: "2024-01".into(),
            applications: 1,
            requested_yuan: d("8000000"),
            statuses: vec!["submitted".into()],
        }],
        notes: vec![],
    }
}

#[test]
fn park_annual_json() {
    let r = build(park_input()).unwrap();
    let v = check_shape(
        &r,
        expect![[r#"
            designations[].expires_on: null
            designations[].granted_on: string
            designations[].kind: string
            designations[].level: string
            designations[].notice: string
            designations[].scope: string
            finance.applications: number
            finance.capex_yuan: number
            finance.expected_reduction_tco2: number
            finance.projects: number
            finance.requested_yuan: number
            format_version: number
            intensity_change_pct: number
            lang: string
            lineage.factor_ids[]: string
            lineage.members[]: string
            lineage.method: string
            members[].clean_electricity_share: number
            members[].credit_code: string
            members[].electricity_mwh: number
            members[].energy_tce: number
            members[].enterprises: number
            members[].factor_ids[]: string
            members[].industry: string
            members[].intensity_location_tco2_per_tce: number
            members[].intensity_market_tco2_per_tce: number
            members[].name: string
            members[].onsite_renewable_mwh: number
            members[].scope1_tco2: number
            members[].scope2_location_tco2: number
            members[].scope2_market_tco2: number
            members[].total_market_tco2: number
            members[].year: number
            monthly[].electricity_mwh: number
            monthly[].energy_tce: number
            monthly[].period: string
            monthly[].scope1_tco2: number
            monthly[].scope2_location_tco2: number
            monthly[].scope2_market_tco2: number
            notes: []
            park.enterprises: number
            park.name: string
            park.region: string
            park.region_name: string
            projects[].applications: number
            projects[].capex_yuan: number
            projects[].categories[]: string
            projects[].credit_code: string
            projects[].expected_reduction_tco2: number
            projects[].id: string
            projects[].kind: string
            projects[].name: string
            projects[].operation_start: string
            projects[].requested_yuan: number
            projects[].statuses[]: string
            report: string
            summary.clean_electricity_share: number
            summary.electricity_mwh: number
            summary.energy_tce: number
            summary.enterprises: number
            summary.factor_ids[]: string
            summary.intensity_location_tco2_per_tce: number
            summary.intensity_market_tco2_per_tce: number
            summary.onsite_renewable_mwh: number
            summary.scope1_tco2: number
            summary.scope2_location_tco2: number
            summary.scope2_market_tco2: number
            summary.total_market_tco2: number
            summary.year: number
            threshold_tco2_per_tce: number
            trend[].clean_electricity_share: number
            trend[].electricity_mwh: number
            trend[].energy_tce: number
            trend[].enterprises: number
            trend[].factor_ids[]: string
            trend[].intensity_location_tco2_per_tce: number
            trend[].intensity_market_tco2_per_tce: number
            trend[].onsite_renewable_mwh: number
            trend[].scope1_tco2: number
            trend[].scope2_location_tco2: number
            trend[].scope2_market_tco2: number
            trend[].total_market_tco2: number
            trend[].year: number
            year: number
            zero_carbon: null
        "#]],
    );
    let member = whole();
    assert_eq!(num(&v["summary"]["scope1_tco2"]), member.scope1_tco2);
    assert_eq!(num(&v["summary"]["energy_tce"]), member.energy_tce);
    assert_eq!(v["trend"].as_array().unwrap().len(), 2);
    assert_eq!(v["trend"][0]["year"], 2022);
    // Intensity: (kiln 2022 -> whole plant 2023), percent change of the market-based ratio.
    let p = r.trend[0].intensity_market_tco2_per_tce.unwrap();
    let c = r.summary.intensity_market_tco2_per_tce.unwrap();
    assert_eq!(
        r.intensity_change_pct,
        Some(((c - p) / p * rust_decimal::Decimal::ONE_HUNDRED).round_dp(2))
    );
    assert_eq!(num(&v["finance"]["requested_yuan"]), d("8000000"));
    // The park's PDF: charts, tables and Chinese text read back.
    let pdf = zp_reports::pdf::render(&r.document(), &font()).unwrap();
    let text = common::pdf_text(&pdf);
    for want in [
        "示例园区",
        "年度双碳报告",
        "碳排放强度趋势",
        "零碳园区门槛",
        "余热发电",
        "第 1 页",
    ] {
        assert!(text.contains(want), "{want:?} not in:\n{text}");
    }
}

#[test]
fn ghg_inventory_json() {
    let r = zp_reports::ghg::build(zp_reports::ghg::GhgInput {
        lang: Lang::En,
        organisation: zp_reports::ghg::Organisation {
            region_name: "Chongqing".into(),
            ..common::organisation(None, &["grinding", "kiln"])
        },
        inventory: inventory([kiln(), grinding()].concat()),
        base_year: 2023,
        base: None,
        certificate_claims: vec![],
    });
    let v = rendered(&r);
    assert_eq!(
        keys(&v),
        enveloped(&[
            "standards",
            "organisation",
            "year",
            "reporting_period",
            "boundary",
            "totals",
            "sources",
            "factors",
            "certificates",
            "base_year",
            "uncertainty",
            "notes",
            "complete"
        ])
    );
    let inv = whole();
    assert_eq!(num(&v["totals"]["scope1_tco2"]), inv.scope1_tco2);
    assert_eq!(num(&v["totals"]["scope2_location_tco2"]), d("558.1"));
    assert_eq!(
        num(&v["totals"]["scope2_market_tco2"]),
        inv.scope2_market_tco2
    );
    assert_eq!(
        num(&v["totals"]["total_location_tco2"]),
        inv.scope1_tco2 + d("558.1")
    );
    assert_eq!(v["totals"]["lineage"]["input_rows"], 5);
    let coal = v["sources"]
        .as_array()
        .unwrap()
        .iter()
        .find(|s| s["carrier"] == "raw_coal")
        .unwrap();
    assert_eq!(coal["category"], "scope1_combustion");
    assert_eq!(coal["inputs"][0]["file"], "kiln.csv");
    assert_eq!(coal["inputs"][0]["row"], 3);
    assert!(coal["formula"].as_str().unwrap().contains("44/12"));
    let f = &v["factors"][0];
    assert_eq!(f["version"], "builtin-2025.1");
    assert!(f["source"].as_str().is_some());
    assert_eq!(v["base_year"]["year"], 2023);
    assert!(v["base_year"]["policy"].as_str().unwrap().contains("5 %"));
}

#[test]
fn cbam_json_top_level() {
    // The CBAM figures are tested in `cbam.rs`; here the document's shape.
    let doc_keys = [
        "A_InstData",
        "C_Emissions&Energy",
        "D_Processes",
        "Summary_Products",
        "Notes",
    ];
    let r = zp_reports::cbam::build(zp_reports::cbam::CbamInput {
        lang: Lang::Zh,
        installation: common::installation(None, &[]),
        year: 2023,
        electricity: zp_reports::cbam::ElectricityFactor {
            option: zp_reports::cbam::ElectricityOption::Provincial,
            grid_tco2_per_mwh: d("0.5581"),
            grid_factor_id: "builtin-2025.1/grid_average/CQ/2023".into(),
            grid_factor_source: "MEE/NBS".into(),
            matched_mwh: d("0"),
            matched_source: String::new(),
        },
        whole: zp_reports::cbam::Emissions::from_inventory(&whole()),
        routes: Default::default(),
        production: vec![zp_reports::cbam::ProductionLine {
            cn_code: "25231000".into(),
            product: "水泥熟料".into(),
            route: String::new(),
            quantity_t: d("2000"),
            rows: vec!["p.csv:2".into()],
        }],
        allocation: Default::default(),
    })
    .unwrap();
    let sheets: Vec<String> = r
        .document()
        .sections
        .iter()
        .map(|s| s.sheet.clone())
        .collect();
    assert_eq!(sheets, doc_keys);
    let v = rendered(&r);
    assert_eq!(
        keys(&v),
        enveloped(&[
            "installation",
            "year",
            "reporting_period",
            "electricity_factor_option",
            "electricity_factor_justification",
            "allocation",
            "allocation_statement",
            "installation_totals",
            "routes",
            "goods",
            "notes"
        ])
    );
    assert_eq!(num(&v["goods"][0]["see_total_tco2_per_t"]), d("0.559572"));
}
