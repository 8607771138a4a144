//! `zeropark import energy-limits|materials`, `report benchmark` and `report footprint` end
//! to end, with figures derived by hand (2023, Chongqing; electricity 0.1229 kgce/kWh, grid
//! 0.5581 tCO2/MWh):
//!
//! - One enterprise, two products on two routes: clinker 2,000 t on route `kiln`, cement
//!   4,000 t on route `mill`. Ledger: kiln 1,000 MWh, mill 400 MWh, offices (no site)
//!   600 MWh; 2,000 MWh in all = 245.8 tce.
//! - By route: kiln 122.9 tce, mill 49.16 tce, shared 73.74 tce by mass (1/3, 2/3):
//!   clinker 122.9 + 24.58 = 147.48 tce -> 73.74 kgce/t; cement 49.16 + 49.16 = 98.32 tce
//!   -> 24.58 kgce/t.
//! - TEST levels (not the standard's values): clinker 60 / 73.74 / 80: exactly level 2.
//! - Footprint of clinker by route: purchased electricity 1,000 + 200 MWh = 1,200 MWh x
//!   0.5581 = 669.72 tCO2e -> 334.86 kgCO2e/t; material 100 t x 10 kgCO2e/t = 1 tCO2e ->
//!   0.5 kgCO2e/t; no Scope 1: total 670.72 tCO2e -> 335.36 kgCO2e/t.

mod common;

use common::{Db, d, num, org};

fn plant() -> Db {
    let db = Db::with_org("示例水泥", "3011");
    let o = org();
    let ledger = db.write(
        "ledger.csv",
        &format!(
            "credit_code,period,carrier,quantity,unit,site\n\
             {o},2023-03,electricity,1000,MWh,kiln\n\
             {o},2023-03,electricity,400,MWh,mill\n\
             {o},2023-03,electricity,600,MWh,\n"
        ),
    );
    db.json(&["import", "activity", &ledger]);
    let production = db.write(
        "production.csv",
        &format!(
            "credit_code,period,product,cn_code,quantity_t,route\n\
             {o},2023-03,水泥熟料,25231000,2000,kiln\n\
             {o},2023-03,水泥,25232900,4000,mill\n"
        ),
    );
    db.json(&["import", "production", &production]);
    db
}

#[test]
fn benchmark_by_route_against_imported_levels() {
    let db = plant();
    let limits = db.write(
        "limits.csv",
        "standard,product,unit,level1,level2,level3,source\n\
         GB 16780-2021,水泥熟料,kgce/t,60,73.74,80,TEST values (not the standard's)\n\
         GB 16780-2021,水泥熟料,kgce/t,60,73.74,80,\n",
    );
    let c = db.json(&["import", "energy-limits", &limits]);
    assert_eq!(
        (
            c["read"].as_i64(),
            c["accepted"].as_i64(),
            c["quarantined"].as_i64()
        ),
        (Some(2), Some(1), Some(1))
    );
    let r = db.json(&["report", "benchmark", "--org", &org(), "--year", "2023"]);
    assert_eq!(r["allocation"], "route");
    assert_eq!(num(&r["energy_tce"]), d("245.8"));
    let products = r["products"].as_array().unwrap();
    let clinker = products
        .iter()
        .find(|p| p["product"] == "水泥熟料")
        .unwrap();
    assert_eq!(num(&clinker["energy_tce"]), d("147.48"));
    assert_eq!(num(&clinker["intensity_kgce_per_t"]), d("73.74"));
    assert_eq!(clinker["level"], "2");
    assert_eq!(clinker["within_level2"], true);
    assert_eq!(clinker["standard"]["standard"], "GB 16780-2021");
    assert_eq!(clinker["peers_park"]["count"], 1);
    let cement = products.iter().find(|p| p["product"] == "水泥").unwrap();
    assert_eq!(num(&cement["intensity_kgce_per_t"]), d("24.58"));
    assert!(cement["level"].is_null());
    // The table prints too.
    let text = db.ok(&["report", "benchmark", "--org", &org(), "--year", "2023"]);
    assert!(text.contains("73.74"), "{text}");
    // A year without production: exit 2 with the reason.
    let err = db.fails(
        &["report", "benchmark", "--org", &org(), "--year", "2022"],
        2,
    );
    assert!(err.contains("no production records for 2022"), "{err}");
    // The import was audited.
    assert!(db.audit().iter().any(|a| a["entity"] == "energy_limit"));
}

#[test]
fn footprint_by_route_with_materials() {
    let db = plant();
    let o = org();
    let m = db.write(
        "materials.csv",
        &format!(
            "credit_code,year,product,material,quantity,unit,kgco2e_per_unit,source\n\
             {o},2023,水泥熟料,石灰石,100,t,10,TEST factor\n"
        ),
    );
    let c = db.json(&["import", "materials", &m]);
    assert_eq!(c["accepted"], 1);
    let again = db.json(&["import", "materials", &m]);
    assert_eq!(again["duplicates"], 1);
    let r = db.json(&[
        "report",
        "footprint",
        "--org",
        &o,
        "--product",
        "水泥熟料",
        "--year",
        "2023",
        "--allocation",
        "route",
    ]);
    assert_eq!(r["allocation"], "route");
    assert_eq!(num(&r["scope2_location_tco2e"]), d("669.72"));
    assert_eq!(num(&r["total_tco2e"]), d("670.72"));
    assert_eq!(num(&r["total_kgco2e_per_t"]), d("335.36"));
    assert_eq!(r["stages"][0]["stage"], "raw_materials");
    assert_eq!(num(&r["stages"][0]["kgco2e_per_t"]), d("0.5"));
    assert_eq!(r["materials"][0]["source"], "TEST factor");
    // `report cbam` names the footprint's materials as candidate precursors.
    let cbam = db.json(&["report", "cbam", "--org", &o, "--year", "2023"]);
    let notes = cbam["notes"].to_string();
    assert!(notes.contains("candidate precursors"), "{notes}");
    assert!(
        notes.contains("石灰石 100 t (10 kgCO2e/t, TEST factor)"),
        "{notes}"
    );
    let err = db.fails(
        &[
            "report",
            "footprint",
            "--org",
            &o,
            "--product",
            "钢材",
            "--year",
            "2023",
        ],
        2,
    );
    assert!(err.contains("no production records of \"钢材\""), "{err}");
}
