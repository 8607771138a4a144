//! `zeropark import production` and `report cbam | ghg-inventory | park-annual` end to end,
//! on the worked example of `docs/cbam.md`: one enterprise in CQ whose kiln (natural gas,
//! raw coal, 400 MWh) and grinding mill (diesel, 600 MWh) are sites of its ledger. The
//! contract's JSON keys and figures, the two-products-by-route example, the refused
//! `default` factor, the files read back (workbook with calamine, PDF text with
//! pdf-extract, Chinese included) and the same bytes on a second run.

mod common;

use calamine::{Data, Reader, Xlsx};
use common::{Db, args, d, num, org, row_fields};

/// The worked example's enterprise and ledger, and `production` as its production file.
fn example(production: &str) -> (Db, String) {
    let db = Db::with_org("示例水泥有限公司", "3011");
    let o = org();
    let activity = db.write(
        "activity.csv",
        &format!(
            "credit_code,period,carrier,quantity,unit,site\n\
             {o},2023-01,electricity,400,MWh,kiln\n\
             {o},2023-01,natural_gas,10,万m3,kiln\n\
             {o},2023-02,raw_coal,100,t,kiln\n\
             {o},2023-03,柴油,50000,kg,grinding\n\
             {o},2023-01,electricity,600,MWh,grinding\n"
        ),
    );
    db.json(&["import", "activity", &activity]);
    let p = db.write("production.csv", &production.replace("{o}", &o));
    (db, p)
}

const ONE_PRODUCT: &str = "credit_code,period,product,cn_code,quantity_t\n\
    {o},2023-06,水泥熟料 cement clinker,2523 10 00,1200\n\
    {o},2023-07,水泥熟料 cement clinker,2523 10 00,800\n";

const BY_ROUTE: &str = "credit_code,period,product,cn_code,quantity_t,route\n\
    {o},2023-06,cement clinker,25231000,2000,kiln\n\
    {o},2023-06,Portland cement,25232900,3000,grinding\n";

#[test]
fn production_import_quarantines_bad_rows_and_is_idempotent() {
    let body = format!(
        "{}{{o}},2023-08,motors,8501 10 00,5\n{{o}},2023-13,cement clinker,25231000,-1\n91500105MA5YRE99BX,2023-08,cement clinker,25231000,5\n",
        ONE_PRODUCT
    );
    let (db, file) = example(&body);
    let c = db.json(&["import", "production", &file]);
    assert_eq!(
        (
            c["read"].as_u64(),
            c["accepted"].as_u64(),
            c["quarantined"].as_u64()
        ),
        (Some(5), Some(2), Some(3))
    );
    let q = db.json(&["quarantine", "list", "--kind", "production"]);
    assert_eq!(
        row_fields(&q),
        vec![
            (4, "cn_code".to_string()),
            (5, "period".to_string()),
            (5, "quantity_t".to_string()),
            (6, "credit_code".to_string()),
        ]
    );
    // The same file again changes nothing.
    let again = db.json(&["import", "production", &file]);
    assert_eq!(
        (again["accepted"].as_u64(), again["duplicates"].as_u64()),
        (Some(2), Some(2))
    );
}

#[test]
fn cbam_one_product_contract() {
    let (db, file) = example(ONE_PRODUCT);
    db.json(&["import", "production", &file]);
    let o = org();
    let r = db.json(&["report", "cbam", "--org", &o, "--year", "2023"]);
    let inv = db.json(&["report", "inventory", "--org", &o, "--year", "2023"]);
    let goods = r["goods"].as_array().unwrap();
    assert_eq!(goods.len(), 1);
    let g = &goods[0];
    for key in [
        "cn_code",
        "product",
        "quantity_t",
        "direct_tco2",
        "indirect_tco2",
        "electricity_mwh",
        "electricity_factor_tco2_per_mwh",
        "electricity_factor_source",
        "see_direct_tco2_per_t",
        "see_indirect_tco2_per_t",
        "see_total_tco2_per_t",
    ] {
        assert!(g.get(key).is_some(), "goods lack {key}: {g}");
    }
    // One product: direct = the enterprise's Scope 1; indirect = grid MWh x the provincial
    // factor of its inventory.
    assert_eq!(num(&g["direct_tco2"]), num(&inv["scope1_tco2"]));
    assert_eq!(num(&g["electricity_mwh"]), d("1000"));
    assert_eq!(num(&g["electricity_factor_tco2_per_mwh"]), d("0.5581"));
    assert_eq!(num(&g["indirect_tco2"]), num(&inv["scope2_location_tco2"]));
    assert_eq!(num(&g["quantity_t"]), d("2000"));
    assert_eq!(g["cn_code"], "25231000");
    assert_eq!(num(&g["see_direct_tco2_per_t"]), d("0.280522"));
    assert_eq!(num(&g["see_indirect_tco2_per_t"]), d("0.27905"));
    assert_eq!(num(&g["see_total_tco2_per_t"]), d("0.559572"));
    assert!(
        g["electricity_factor_source"]
            .as_str()
            .unwrap()
            .contains("grid_average/CQ/2023")
    );
    assert_eq!(g["lineage"]["production_rows"].as_array().unwrap().len(), 2);
    assert_eq!(r["allocation"], "whole_installation");

    // `default` is refused: the Commission's value is not shipped, none is invented.
    let err = db.fails(
        &args(
            &format!("report cbam --org {o} --year 2023 --electricity-factor default"),
            &[],
        ),
        2,
    );
    assert!(
        err.contains("not shipped") && err.contains("provincial"),
        "{err}"
    );
    // `matched` without hourly-matched certificates prices everything provincially.
    let m = db.json(&args(
        &format!("report cbam --org {o} --year 2023 --electricity-factor matched"),
        &[],
    ));
    assert_eq!(num(&m["goods"][0]["indirect_tco2"]), d("558.1"));
    assert_eq!(m["electricity_factor_option"], "matched");
}

/// The rows of a sheet whose first cell is `first` (a sheet holds several tables).
fn sheet_rows(range: &calamine::Range<Data>, first: &str) -> Vec<Vec<Data>> {
    range
        .rows()
        .filter(|r| {
            r.first()
                .is_some_and(|c| matches!(c, Data::String(s) if s == first))
        })
        .map(|r| r.to_vec())
        .collect()
}

#[test]
fn cbam_two_products_by_route_and_the_workbook() {
    let (db, file) = example(BY_ROUTE);
    db.json(&["import", "production", &file]);
    let o = org();
    let r = db.json(&["report", "cbam", "--org", &o, "--year", "2023"]);
    assert_eq!(r["allocation"], "production_route");
    let by = |cn: &str| {
        r["goods"]
            .as_array()
            .unwrap()
            .iter()
            .find(|g| g["cn_code"] == cn)
            .unwrap()
            .clone()
    };
    let clinker = by("25231000");
    assert_eq!(num(&clinker["indirect_tco2"]), d("223.24"));
    assert_eq!(num(&clinker["see_total_tco2_per_t"]), d("0.314744"));
    let cement = by("25232900");
    assert_eq!(num(&cement["indirect_tco2"]), d("334.86"));
    assert_eq!(num(&cement["see_total_tco2_per_t"]), d("0.163218"));

    let out = db.file("cbam.xlsx");
    let out = out.to_str().unwrap();
    let w = db.json(&[
        "report", "cbam", "--org", &o, "--year", "2023", "--format", "xlsx", "--out", out,
    ]);
    assert_eq!(w["format"], "xlsx");
    let mut wb: Xlsx<_> = calamine::open_workbook(out).unwrap();
    assert_eq!(
        wb.sheet_names(),
        vec![
            "A_InstData",
            "C_Emissions&Energy",
            "D_Processes",
            "Summary_Products",
            "Notes"
        ]
    );
    let summary = wb.worksheet_range("Summary_Products").unwrap();
    let headers = sheet_rows(&summary, "CN");
    let see = Data::String("SEE total (tCO2/t)".into());
    assert!(headers.iter().any(|h| h.contains(&see)), "{headers:?}");
    let rows = sheet_rows(&summary, "25232900");
    assert!(rows[0].contains(&Data::Float(334.86)), "{rows:?}");
    assert!(rows[0].contains(&Data::Float(3000.0)), "{rows:?}");
    assert!(rows[1].contains(&Data::Float(0.163218)), "{rows:?}");
    let first = std::fs::read(out).unwrap();
    db.json(&[
        "report", "cbam", "--org", &o, "--year", "2023", "--format", "xlsx", "--out", out,
    ]);
    assert!(
        first == std::fs::read(out).unwrap(),
        "workbook bytes differ on a second run"
    );
}

#[test]
fn ghg_inventory_pdf_reads_back_and_repeats_byte_for_byte() {
    let (db, _) = example(ONE_PRODUCT);
    let o = org();
    let pdf = db.file("ghg.pdf");
    let pdf = pdf.to_str().unwrap();
    db.json(&args(
        &format!("report ghg-inventory --org {o} --year 2023 --lang zh --format pdf --out"),
        &[pdf],
    ));
    let bytes = std::fs::read(pdf).unwrap();
    let text = pdf_extract::extract_text_from_mem(&bytes).unwrap();
    for want in [
        "温室气体排放报告",
        "示例水泥有限公司",
        "561.044",
        "558.100",
        "activity.csv",
        "第 1 页",
        "kiln",
    ] {
        assert!(text.contains(want), "{want:?} not in:\n{text}");
    }
    db.json(&args(
        &format!("report ghg-inventory --org {o} --year 2023 --lang zh --format pdf --out"),
        &[pdf],
    ));
    assert!(
        bytes == std::fs::read(pdf).unwrap(),
        "PDF bytes differ on a second run"
    );

    let json = db.json(&args(
        &format!("report ghg-inventory --org {o} --year 2023 --lang en --format json"),
        &[],
    ));
    assert_eq!(json["report"], "ghg-inventory");
    assert_eq!(json["standards"][0], "GB/T 32150-2015");
    assert_eq!(json["sources"].as_array().unwrap().len(), 4);
    let elec = json["sources"]
        .as_array()
        .unwrap()
        .iter()
        .find(|s| s["carrier"] == "electricity")
        .unwrap()
        .clone();
    assert_eq!(elec["inputs"].as_array().unwrap().len(), 2);
    assert!(
        elec["inputs"][0]["file"]
            .as_str()
            .unwrap()
            .ends_with("activity.csv")
    );
    assert!(
        json["factors"]
            .as_array()
            .unwrap()
            .iter()
            .any(|f| f["version"] == "builtin-2025.1")
    );
    assert_eq!(
        json["boundary"]["sites"],
        serde_json::json!(["grinding", "kiln"])
    );
}

#[test]
fn park_annual_report_sums_the_park_and_renders() {
    let (db, _) = example(ONE_PRODUCT);
    let park = db.json(&args("report inventory --park 示例园区 --year 2023", &[]));
    let r = db.json(&args(
        "report park-annual --park 示例园区 --year 2023 --format json",
        &[],
    ));
    assert_eq!(r["report"], "park-annual");
    assert_eq!(num(&r["summary"]["energy_tce"]), num(&park["energy_tce"]));
    assert_eq!(num(&r["summary"]["scope1_tco2"]), num(&park["scope1_tco2"]));
    assert_eq!(r["monthly"].as_array().unwrap().len(), 3);
    assert_eq!(r["members"][0]["name"], "示例水泥有限公司");
    assert_eq!(num(&r["threshold_tco2_per_tce"]), d("0.20"));
    assert!(
        r["zero_carbon"]["indicators"]
            .as_array()
            .is_some_and(|i| !i.is_empty())
    );
    let out = db.file("park.xlsx");
    let out = out.to_str().unwrap();
    db.ok(&args(
        "report park-annual --park 示例园区 --year 2023 --out",
        &[out],
    ));
    let mut wb: Xlsx<_> = calamine::open_workbook(out).unwrap();
    let trend = wb.worksheet_range("趋势").unwrap();
    let y = sheet_rows(&trend, "2023");
    assert!(
        y.iter().any(|r| r.get(1) == Some(&Data::Float(1.0))),
        "one enterprise: {y:?}"
    );
    // A binary format needs a file.
    let err = db.fails(
        &args(
            "report park-annual --park 示例园区 --year 2023 --format pdf",
            &[],
        ),
        2,
    );
    assert!(err.contains("--out"), "{err}");
}

/// `matched`: the certificates retired hour by hour for the enterprise (the 16.3 MWh of
/// `certs_cli.rs`'s day: PV issued, then matched against the load) at 0 tCO2/MWh, the rest
/// of its grid electricity at the provincial factor.
#[test]
fn cbam_matched_takes_hourly_matched_certificates_from_the_registry() {
    use common::data;
    let elec = "91500112MA60ELE02H";
    let db = Db::new();
    db.json(&["import", "orgs", &data("orgs.csv")]);
    db.json(&["import", "activity", &data("activity_2023.csv")]);
    db.json(&["import", "meters", &data("readings_meters.csv")]);
    db.json(&["import", "readings", &data("readings_2023-07-10.csv")]);
    let day = ["--from", "2023-07-10", "--to", "2023-07-10"];
    db.json(&[&["certs", "issue"][..], &day].concat());
    db.json(&[&["certs", "match", "--consumer", elec][..], &day].concat());
    let p = db.write("production.csv",
        &format!(
            "credit_code,period,product,cn_code,quantity_t\n{elec},2023-07,aluminium plate,7606 12 20,500\n"
        ),
    );
    db.json(&["import", "production", &p]);
    let report = |factor: &str| {
        db.json(&[
            "report",
            "cbam",
            "--org",
            elec,
            "--year",
            "2023",
            "--electricity-factor",
            factor,
        ])
    };
    let prov = report("provincial");
    let matched = report("matched");
    let t = &matched["installation_totals"];
    assert_eq!(num(&t["matched_mwh"]), d("16.3"));
    let g = &matched["goods"][0];
    let mwh = num(&g["electricity_mwh"]);
    assert_eq!(num(&g["indirect_tco2"]), (mwh - d("16.3")) * d("0.5581"));
    assert_eq!(
        num(&prov["goods"][0]["indirect_tco2"]) - num(&g["indirect_tco2"]),
        d("16.3") * d("0.5581")
    );
    let source = g["electricity_factor_source"].as_str().unwrap();
    assert!(source.starts_with("16.3 MWh x 0"), "{source}");
    assert!(source.contains("granular bundles"), "{source}");
    assert_eq!(g["sector"], "aluminium");
}
