//! The CBAM worked examples of `docs/cbam.md`, computed from the accounting engine's
//! inventories: one product (the whole installation), two products by route (the kiln and
//! the grinding mill as sites), the same two by mass share, hourly-matched electricity,
//! and the refusals (`default` factor, missing production, a route without rows).

mod common;

use common::{d, grinding, inventory, kiln, whole};
use std::collections::BTreeMap;
use zp_reports::Lang;
use zp_reports::cbam::{
    AllocationChoice, CbamInput, ElectricityFactor, ElectricityOption, Emissions, Installation,
    ProductionLine, build,
};

fn installation() -> Installation {
    common::installation(Some("示例园区"), &["kiln", "grinding"])
}

fn factor(option: ElectricityOption, matched_mwh: &str) -> ElectricityFactor {
    let inv = whole();
    let f = inv
        .factors
        .iter()
        .find(|f| f.slot.starts_with("grid_location/"))
        .unwrap();
    ElectricityFactor {
        option,
        grid_tco2_per_mwh: f.value,
        grid_factor_id: f.id.clone(),
        grid_factor_source: f.source.clone(),
        matched_mwh: d(matched_mwh),
        matched_source: "registry bundles 1-3".into(),
    }
}

fn product(cn: &str, name: &str, route: &str, t: &str) -> ProductionLine {
    ProductionLine {
        cn_code: cn.into(),
        product: name.into(),
        route: route.into(),
        quantity_t: d(t),
        rows: vec![format!("production.csv:{cn}")],
    }
}

fn input(production: Vec<ProductionLine>, option: ElectricityOption) -> CbamInput {
    let mut routes = BTreeMap::new();
    routes.insert(
        "kiln".to_string(),
        Emissions::from_inventory(&inventory(kiln())),
    );
    routes.insert(
        "grinding".to_string(),
        Emissions::from_inventory(&inventory(grinding())),
    );
    CbamInput {
        lang: Lang::En,
        installation: installation(),
        year: 2023,
        electricity: factor(option, "250"),
        whole: Emissions::from_inventory(&whole()),
        routes,
        production,
        allocation: AllocationChoice::Auto,
    }
}

fn json(r: &zp_reports::cbam::CbamReport) -> serde_json::Value {
    serde_json::from_slice(&zp_reports::render_json(r).unwrap()).unwrap()
}

fn num(v: &serde_json::Value) -> rust_decimal::Decimal {
    d(&v.to_string())
}

#[test]
fn one_product_takes_the_whole_installation() {
    let r = build(input(
        vec![product("25231000", "cement clinker", "", "2000")],
        ElectricityOption::Provincial,
    ))
    .unwrap();
    let v = json(&r);
    let g = &v["goods"][0];
    // Scope 1 = 216.21888 (gas) + 190.02988 (coal) + 154.79548 (diesel), exactly the
    // inventory's; 1,000 MWh x 0.5581.
    assert_eq!(num(&g["direct_tco2"]), whole().scope1_tco2);
    assert_eq!(num(&g["direct_tco2"]).round_dp(5), d("561.04425"));
    assert_eq!(num(&g["indirect_tco2"]), d("558.1"));
    assert_eq!(num(&g["electricity_mwh"]), d("1000"));
    assert_eq!(num(&g["electricity_factor_tco2_per_mwh"]), d("0.5581"));
    assert_eq!(num(&g["see_direct_tco2_per_t"]), d("0.280522"));
    assert_eq!(num(&g["see_indirect_tco2_per_t"]), d("0.27905"));
    assert_eq!(num(&g["see_total_tco2_per_t"]), d("0.559572"));
    assert_eq!(g["cn_code"], "25231000");
    assert_eq!(g["product"], "cement clinker");
    assert_eq!(num(&g["quantity_t"]), d("2000"));
    assert!(
        g["electricity_factor_source"]
            .as_str()
            .unwrap()
            .contains("CQ"),
        "{g}"
    );
    assert_eq!(v["allocation"], "whole_installation");
    assert_eq!(v["electricity_factor_option"], "provincial");
    // Lineage: the production rows, the ledger rows and the factors of every figure.
    let lineage = &g["lineage"];
    assert_eq!(lineage["production_rows"][0], "production.csv:25231000");
    let rows: Vec<&str> = lineage["direct"]["input_rows"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r.as_str().unwrap())
        .collect();
    assert_eq!(rows.len(), 5, "{rows:?}");
    assert!(rows.contains(&"kiln.csv:3") && rows.contains(&"grinding.csv:12"));
    assert!(
        !lineage["direct"]["factor_ids"]
            .as_array()
            .unwrap()
            .is_empty()
    );
    assert!(
        lineage["indirect"]["factor_ids"][0]
            .as_str()
            .unwrap()
            .contains("/CQ/2023")
    );
    // Structure: the template's parts.
    for key in [
        "installation",
        "installation_totals",
        "routes",
        "goods",
        "notes",
        "electricity_factor_justification",
        "allocation_statement",
        "reporting_period",
    ] {
        assert!(v.get(key).is_some(), "missing {key}");
    }
}

#[test]
fn two_products_by_route() {
    let r = build(input(
        vec![
            product("25231000", "cement clinker", "kiln", "2000"),
            product("25232900", "Portland cement", "grinding", "3000"),
        ],
        ElectricityOption::Provincial,
    ))
    .unwrap();
    assert_eq!(r.allocation, "production_route");
    let by_cn = |cn: &str| r.goods.iter().find(|g| g.cn_code == cn).unwrap();
    let clinker = by_cn("25231000");
    assert_eq!(clinker.direct_tco2, inventory(kiln()).scope1_tco2);
    assert_eq!(clinker.direct_tco2.round_dp(5), d("406.24877"));
    assert_eq!(clinker.indirect_tco2, d("223.24"));
    assert_eq!(clinker.see_direct_tco2_per_t, d("0.203124"));
    assert_eq!(clinker.see_indirect_tco2_per_t, d("0.11162"));
    assert_eq!(clinker.see_total_tco2_per_t, d("0.314744"));
    let cement = by_cn("25232900");
    assert_eq!(cement.direct_tco2, inventory(grinding()).scope1_tco2);
    assert_eq!(cement.direct_tco2.round_dp(5), d("154.79548"));
    assert_eq!(cement.indirect_tco2, d("334.86"));
    assert_eq!(cement.see_direct_tco2_per_t, d("0.051598"));
    assert_eq!(cement.see_total_tco2_per_t, d("0.163218"));
    // The routes add up to the installation: no shared remainder.
    assert_eq!(r.routes.len(), 2);
    let direct: rust_decimal::Decimal = r.goods.iter().map(|g| g.direct_tco2).sum();
    assert_eq!(direct, r.installation_totals.direct_tco2);
}

#[test]
fn two_products_without_routes_split_by_mass() {
    let r = build(input(
        vec![
            product("25231000", "cement clinker", "", "2000"),
            product("25232900", "Portland cement", "", "3000"),
        ],
        ElectricityOption::Provincial,
    ))
    .unwrap();
    assert_eq!(r.allocation, "mass_share");
    assert!(
        r.allocation_statement.contains("names no route"),
        "{}",
        r.allocation_statement
    );
    let d0 = &r.goods[0];
    let d1 = &r.goods[1];
    assert_eq!((d0.mass_share, d1.mass_share), (d("0.4"), d("0.6")));
    // 2000/5000 of the installation's direct emissions, rounded to 6 decimals; the last
    // product takes the remainder.
    assert_eq!(d0.direct_tco2, d("224.417699"));
    assert_eq!(d0.direct_tco2 + d1.direct_tco2, whole().scope1_tco2);
    assert_eq!(d0.indirect_tco2 + d1.indirect_tco2, d("558.1"));
    assert_eq!(d0.see_direct_tco2_per_t, d1.see_direct_tco2_per_t);
    // Asking for routes where they are missing is refused, naming the product.
    let mut i = input(
        vec![
            product("25231000", "cement clinker", "kiln", "2000"),
            product("25232900", "Portland cement", "mill", "3000"),
        ],
        ElectricityOption::Provincial,
    );
    i.allocation = AllocationChoice::Route;
    let e = build(i).unwrap_err().to_string();
    assert!(
        e.contains("route \"mill\" of Portland cement has no ledger rows"),
        "{e}"
    );
}

#[test]
fn matched_electricity_at_zero_the_rest_provincial() {
    let r = build(input(
        vec![product("25231000", "cement clinker", "", "2000")],
        ElectricityOption::Matched,
    ))
    .unwrap();
    let g = &r.goods[0];
    // 250 MWh matched at 0, 750 MWh x 0.5581.
    assert_eq!(g.indirect_tco2, d("418.575"));
    assert_eq!(g.electricity_factor_tco2_per_mwh, d("0.418575"));
    assert!(
        g.electricity_factor_source.starts_with("250 MWh x 0"),
        "{}",
        g.electricity_factor_source
    );
    assert_eq!(r.installation_totals.matched_mwh, d("250"));
    assert!(
        r.electricity_factor_justification
            .contains("power purchase agreement")
    );
}

#[test]
fn refusals_say_what_is_missing() {
    let e = build(input(
        vec![product("25231000", "cement clinker", "", "2000")],
        ElectricityOption::Default,
    ))
    .unwrap_err()
    .to_string();
    assert!(e.contains("not shipped") && e.contains("provincial"), "{e}");
    let e = build(input(vec![], ElectricityOption::Provincial))
        .unwrap_err()
        .to_string();
    assert!(e.contains("zeropark import production"), "{e}");
    let e = build(input(
        vec![product("85011000", "motors", "", "10")],
        ElectricityOption::Provincial,
    ))
    .unwrap_err()
    .to_string();
    assert!(e.contains("not a CBAM good"), "{e}");
}
