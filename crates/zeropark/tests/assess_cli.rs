//! `assess project`, `assess list` and `assess set-status` end to end: a project with green
//! power worked by hand (the README's example), one in 西藏 that falls back to the 西南
//! grid, the coal-equivalent variant with an imported factor, the latest published year
//! when the project's year has none, the budget share of the park (else the region), the
//! register and refusals.

mod common;

use common::{Db, args, d, data, num};

#[test]
fn a_project_with_green_power_worked_by_hand() {
    let db = Db::new();
    let r = db.json(&["assess", "project", &data("assess/green_power_cq.toml")]);
    // 8000 MWh x 0.1229 = 983.2 tce; 500,000 m3 natural gas x 1.2143 kgce/m3 = 607.15 tce.
    assert_eq!(num(&r["energy_tce"]), d("1590.35"));
    // 50 (10^4 m3) x 389.31 GJ x 15.30 tC/TJ / 1000 x 0.99 x 44/12 = 1081.0944045 tCO2.
    assert_eq!(num(&r["scope1_tco2"]), d("1081.0944045"));
    // Location-based: 8000 MWh x CQ 2023 0.5581 = 4464.8 tCO2.
    assert_eq!(num(&r["scope2_location_tco2"]), d("4464.8"));
    // Market-based: (8000 - 3000 green) MWh x national residual 2023 0.6096 = 3048 tCO2.
    assert_eq!(num(&r["scope2_market_tco2"]), d("3048"));
    assert_eq!(num(&r["green_power_applied_mwh"]), d("3000"));
    // Per 10^4 yuan of 20,000: 1590.35 / 20000 and (1081.0944045 + 4464.8) / 20000.
    assert_eq!(num(&r["intensity_tce_per_10k_yuan"]), d("0.079518"));
    assert_eq!(num(&r["carbon_tco2_per_10k_yuan"]), d("0.277295"));
    assert!(r["budget_share"].is_null());
    assert!(r["energy_coal_equivalent_tce"].is_null());
    let notes = r["notes"].to_string();
    assert!(
        notes.contains("no coal-equivalent") && notes.contains("budget_share is null"),
        "{notes}"
    );
    assert!(
        notes.contains("planned green-power purchase") && !notes.contains("serials"),
        "{notes}"
    );
    assert_eq!(
        (r["register_id"].as_i64(), r["status"].as_str()),
        (Some(1), Some("assessed"))
    );

    // With a coal-equivalent factor in the catalog (illustrative 0.3 kgce/kWh, test only):
    // 1590.35 + 8000 MWh x (0.3 - 0.1229) = 3007.15 tce; the calorific figure is unchanged.
    db.import_test_coal_equivalent();
    let r = db.json(&["assess", "project", &data("assess/green_power_cq.toml")]);
    assert_eq!(num(&r["energy_coal_equivalent_tce"]), d("3007.15"));
    assert_eq!(num(&r["energy_tce"]), d("1590.35"));
    assert_eq!(r["register"], "updated", "a new result is registered again");
}

#[test]
fn tibet_falls_back_to_the_southwest_grid() {
    let db = Db::new();
    let r = db.json(&["assess", "project", &data("assess/tibet_xz.toml")]);
    // No provincial factor for XZ: 1000 MWh x 西南 grid 2023 0.2472 = 247.2 tCO2.
    assert_eq!(num(&r["scope2_location_tco2"]), d("247.2"));
    assert_eq!(num(&r["energy_tce"]), d("122.9"));
    assert_eq!(num(&r["carbon_tco2_per_10k_yuan"]), d("0.04944"));
    let notes = r["notes"].to_string();
    assert!(notes.contains("GRID-SW"), "{notes}");
    // A year without published factors takes the latest published one and says so.
    let later = std::fs::read_to_string(data("assess/tibet_xz.toml"))
        .unwrap()
        .replace("year = 2023", "year = 2026")
        .replace("示例高原数据中心项目", "示例高原数据中心二期");
    let r = db.json(&["assess", "project", &db.write("later.toml", &later)]);
    assert_eq!(num(&r["scope2_location_tco2"]), d("247.2"));
    let notes = r["notes"].to_string();
    assert!(
        notes.contains("for 2026") && notes.contains("2023"),
        "{notes}"
    );
}

#[test]
fn budget_share_of_the_parks_else_the_regions_remaining_budget() {
    let db = Db::budget();
    let file = data("assess/green_power_cq.toml");
    let cmd = ["assess", "project", file.as_str(), "--as-of", "2023-06-30"];
    assert!(db.json(&cmd)["budget_share"].is_null());
    // The region's budget applies while the park has none.
    db.json(&[
        "budget", "set", "--region", "CQ", "--year", "2023", "--tce", "100000", "--tco2", "400000",
    ]);
    let r = db.json(&cmd);
    assert_eq!(r["budget_share"]["scope_kind"], "region");
    // The park's budget, once set, is the one that counts.
    db.json(&args(
        "budget set --park 预算示例园区 --year 2023 --tce 3000 --tco2 15000",
        &[],
    ));
    let park = db.json(&args(
        "report budget --park 预算示例园区 --year 2023 --as-of 2023-06-30",
        &[],
    ));
    let r = db.json(&cmd);
    let s = &r["budget_share"];
    assert_eq!(
        (s["scope_kind"].as_str(), s["used_basis"].as_str()),
        (Some("park"), Some("forecast"))
    );
    // What remains = budget - the park's forecast for 2023 (2565.9099 tce, 10312.0476 tCO2).
    assert_eq!(num(&s["used_tce"]), num(&park["forecast_tce"]));
    assert_eq!(num(&s["used_tce"]), d("2565.9099"));
    assert_eq!(num(&s["remaining_tce"]), d("434.0901"));
    assert_eq!(num(&s["remaining_tco2"]), d("4687.9524"));
    // 1590.35 / 434.0901 and 5545.8944045 / 4687.9524, 6 decimal places.
    assert_eq!(num(&s["share_tce"]), d("3.66364"));
    assert_eq!(num(&s["share_tco2"]), d("1.18301"));
    assert!(
        r["notes"].to_string().contains("alone exceeds"),
        "{}",
        r["notes"]
    );
    // A budget already used up leaves no share.
    db.json(&args(
        "budget set --park 预算示例园区 --year 2023 --tce 2000 --tco2 15000",
        &[],
    ));
    let r = db.json(&cmd);
    assert_eq!(num(&r["budget_share"]["remaining_tce"]), d("0"));
    assert!(r["budget_share"]["share_tce"].is_null());
}

#[test]
fn the_register_and_its_decisions() {
    let db = Db::new();
    db.json(&["assess", "project", &data("assess/green_power_cq.toml")]);
    db.json(&["assess", "project", &data("assess/tibet_xz.toml")]);
    let list = db.json(&["assess", "list"]);
    let names: Vec<&str> = list
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p["name"].as_str().unwrap())
        .collect();
    assert_eq!(
        names,
        ["示例高原数据中心项目", "示例新能源汽车零部件扩建项目"]
    );
    assert_eq!(num(&list[1]["result"]["energy_tce"]), d("1590.35"));
    let p = db.json(&[
        "assess",
        "set-status",
        "1",
        "approved",
        "--note",
        "示例审查意见 2023-05",
    ]);
    assert_eq!(
        (p["status"].as_str(), p["status_note"].as_str()),
        (Some("approved"), Some("示例审查意见 2023-05"))
    );
    // Assessing the same file again with the same result keeps the decision.
    let again = db.json(&["assess", "project", &data("assess/green_power_cq.toml")]);
    assert_eq!(
        (again["register"].as_str(), again["status"].as_str()),
        (Some("unchanged"), Some("approved"))
    );
    assert!(
        db.fails(&["assess", "set-status", "1", "maybe"], 2)
            .contains("approved, rejected")
    );
    assert!(
        db.fails(&["assess", "set-status", "99", "rejected"], 2)
            .contains("99")
    );
    let audit = db.audit();
    assert!(
        audit
            .iter()
            .any(|a| a["entity"] == "assessed_projects" && a["action"] == "set-status")
    );
}

#[test]
fn a_bad_project_file_is_refused_with_every_fault() {
    let db = Db::new();
    let bad = "name = \"x\"\nregion = \"火星\"\nindustry = \"1\"\nyear = 2023\noutput_10k_yuan = 0\n\
               [[energy]]\ncarrier = \"electricity\"\nquantity = 1\nunit = \"t\"\n\
               [[energy]]\ncarrier = \"green_certificate\"\nquantity = 1\nunit = \"MWh\"\n";
    let e = db.fails(&["assess", "project", &db.write("bad.toml", bad)], 2);
    for want in [
        "region",
        "output_10k_yuan",
        "[[energy]] 1 (electricity): unit t",
        "green_power_mwh",
    ] {
        assert!(e.contains(want), "{want}: {e}");
    }
    assert!(db.json(&["assess", "list"]).as_array().unwrap().is_empty());
}

#[test]
fn the_assessment_report_for_the_authority_as_pdf_and_excel() {
    let db = Db::new();
    let file = data("assess/green_power_cq.toml");
    let xlsx = db.file("assessment.xlsx");
    let r = db.json(&["assess", "project", &file, "--out", xlsx.to_str().unwrap()]);
    assert_eq!(r["format"], "xlsx", "{r}");
    let numbers = common::sheet_numbers(&xlsx, "Results");
    assert!(numbers.contains(&1590.35), "{numbers:?}");
    assert!(numbers.contains(&4464.8), "{numbers:?}");
    assert!(
        !common::sheet_numbers(&xlsx, "Factors").is_empty(),
        "the factors' values, as numbers"
    );

    let pdf = db.file("assessment.pdf");
    db.json(&["assess", "project", &file, "--out", pdf.to_str().unwrap()]);
    let bytes = std::fs::read(&pdf).unwrap();
    let text = pdf_extract::extract_text_from_mem(&bytes).unwrap();
    assert!(
        text.contains("1,590.35") || text.contains("1590.35"),
        "{text}"
    );
}

#[test]
fn an_approved_project_against_its_enterprises_metered_year() {
    // The green-power project (1590.35 tce, 1081.0944045 + 4464.8 = 5545.8944045 tCO2,
    // market Scope 2 3048) linked to 预算示例电子 whose 2023 ledger is 5265 MWh of grid
    // electricity: 5265 x 0.1229 = 647.0685 tce, 5265 x 0.5581 = 2938.3965 tCO2, market
    // 5265 x 0.6096 = 3209.544 tCO2. Energy 647.0685 - 1590.35 = -943.2815 (-59.31 %).
    let db = Db::budget();
    let r = db.json(&["assess", "project", &data("assess/green_power_cq.toml")]);
    let id = r["register_id"].as_i64().unwrap().to_string();
    let unlinked = db.fails(&["assess", "compare", &id, "--year", "2023"], 2);
    assert!(unlinked.contains("assess link"), "{unlinked}");
    let l = db.json(&["assess", "link", &id, "--org", "91500112MA61BGTB2F"]);
    assert_eq!(l["result"], "inserted");
    let again = db.json(&["assess", "link", &id, "--org", "91500112MA61BGTB2F"]);
    assert_eq!(again["result"], "unchanged");
    let c = db.json(&["assess", "compare", &id, "--year", "2023"]);
    assert_eq!(num(&c["energy_tce"]["assessed"]), d("1590.35"));
    assert_eq!(num(&c["energy_tce"]["actual"]), d("647.0685"));
    assert_eq!(num(&c["energy_tce"]["difference"]), d("-943.2815"));
    assert_eq!(num(&c["energy_tce"]["difference_share"]), d("-0.5931"));
    assert_eq!(num(&c["carbon_tco2"]["actual"]), d("2938.3965"));
    assert_eq!(num(&c["carbon_tco2"]["difference"]), d("-2607.4979045"));
    assert_eq!(num(&c["scope2_market_tco2"]["actual"]), d("3209.544"));
    let unknown = db.fails(&["assess", "link", &id, "--org", "91500112MA61BGTC3K"], 2);
    assert!(unknown.contains("not registered"), "{unknown}");
}

#[test]
fn product_intensities_against_the_values_the_file_cites() {
    // 8000 MWh x 0.1229 = 983.2 tce for 50,000 t of profiles: 983.2 x 1000 / 50,000 =
    // 19.664 kgce/t, above the advanced 15 and within the benchmark 25: `benchmark`.
    let db = Db::new();
    let body = |products: &str| {
        format!(
            "name = \"铝型材项目\"\nregion = \"CQ\"\nindustry = \"3252\"\nyear = 2023\n\
             output_10k_yuan = 10000\n\n[[energy]]\ncarrier = \"electricity\"\nquantity = 8000\n\
             unit = \"MWh\"\n{products}"
        )
    };
    let ok = db.write(
        "profiles.toml",
        &body(
            "\n[[products]]\nname = \"铝型材\"\nquantity = 50000\nunit = \"t\"\n\
             advanced_kgce_per_unit = 15\nbenchmark_kgce_per_unit = 25\n\
             source = \"TEST VALUES (illustrative)\"\n",
        ),
    );
    let r = db.json(&["assess", "project", &ok]);
    let p = &r["products"][0];
    assert_eq!(num(&p["energy_kgce_per_unit"]), d("19.664"));
    assert_eq!(p["level"], "benchmark");
    assert_eq!(num(&p["energy_share"]), d("1"));
    assert_eq!(p["source"], "TEST VALUES (illustrative)");

    let unsourced = db.write("unsourced.toml",
        &body(
            "\n[[products]]\nname = \"铝型材\"\nquantity = 50000\nunit = \"t\"\nadvanced_kgce_per_unit = 15\n",
        ),
    );
    let err = db.fails(&["assess", "project", &unsourced], 2);
    assert!(err.contains("need their source"), "{err}");
    let two = db.write(
        "two.toml",
        &body(
            "\n[[products]]\nname = \"a\"\nquantity = 1\nunit = \"t\"\n\
             \n[[products]]\nname = \"b\"\nquantity = 1\nunit = \"t\"\n",
        ),
    );
    let err = db.fails(&["assess", "project", &two], 2);
    assert!(err.contains("energy_share is needed"), "{err}");
}
