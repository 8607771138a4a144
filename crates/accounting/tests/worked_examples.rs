//! The hand-checked figures of `docs/worked-examples.md`, and more cases derived from the
//! standards (GB/T 2589, the 24-sector guidelines, GHG Protocol Scope 2 Guidance). Each
//! literal carries its derivation; factors are those of `crates/factors/data/*.csv`.

use rust_decimal_macros::dec;
use zp_accounting::{
    ActivityLine, GridFactorMode, Inventory, Options, OrgInput, SteamState, aggregate, compute,
};
use zp_domain::{Carrier, CreditCode, Decimal, Period, Quantity, Region, Unit};
use zp_factors::{Catalog, Factor, Pins};

fn org(n: u32) -> CreditCode {
    CreditCode::complete(&format!("91500105MA5YRE{n:02}B")).unwrap()
}

fn line(id: i64, month: u32, carrier: Carrier, value: Decimal, unit: Unit) -> ActivityLine {
    ActivityLine {
        steam: None,
        serials: None,
        id,
        period: Period::new(2023, month).unwrap(),
        carrier,
        quantity: Quantity::new(value, unit),
        source: format!("test.csv:{}", id + 1),
    }
}

fn input(region: &str, lines: Vec<ActivityLine>) -> OrgInput {
    OrgInput {
        org: org(1),
        name: "示例".into(),
        region: Region::parse(region).unwrap(),
        year: 2023,
        lines,
        output_value_10k_yuan: None,
        onsite_certificates_sold_mwh: zp_domain::Decimal::ZERO,
    }
}

fn run(input: &OrgInput) -> zp_accounting::Inventory {
    compute(
        input,
        &Catalog::builtin(),
        &mut Pins::default(),
        Options::default(),
    )
    .unwrap()
}

fn one(carrier: Carrier, value: Decimal, unit: Unit) -> zp_accounting::Inventory {
    run(&input("CQ", vec![line(1, 1, carrier, value, unit)]))
}

#[test]
fn tce_of_the_four_worked_carriers() {
    // worked-examples.md, GB/T 2589: 100,000 m3 x 1.2143 kgce/m3 = 121.43 tce;
    // 1,000,000 kWh x 0.1229 kgce/kWh = 122.9 tce; 100 t x 0.7143 kgce/kg = 71.43 tce;
    // 50 t x 1.4571 kgce/kg = 72.855 tce.
    assert_eq!(
        one(Carrier::NaturalGas, dec!(100000), Unit::M3).energy_tce,
        dec!(121.43)
    );
    assert_eq!(
        one(Carrier::Electricity, dec!(1000000), Unit::Kwh).energy_tce,
        dec!(122.9)
    );
    assert_eq!(
        one(Carrier::RawCoal, dec!(100), Unit::Tonne).energy_tce,
        dec!(71.43)
    );
    assert_eq!(
        one(Carrier::Diesel, dec!(50), Unit::Tonne).energy_tce,
        dec!(72.855)
    );
}

#[test]
fn combustion_co2_of_the_three_worked_fuels() {
    // worked-examples.md: CO2 = quantity x NCV x C content x oxidation x 44/12, with the C
    // content in tC/TJ (/1000 for GJ). Natural gas: 10 x 10^4 Nm3 x 389.31 GJ x 15.30 x 0.99
    // x 44 / 12000 = 216.2188809 (216.219); raw coal: 100 t x 20.908 GJ/t x 26.37 x 0.94
    // x 44 / 12000 = 190.02988... (190.030); diesel: 50 t x 42.652 x 20.20 x 0.98 x 44 / 12000
    // = 154.79548... (154.795).
    let gas = one(Carrier::NaturalGas, dec!(10), Unit::WanM3);
    assert_eq!(gas.scope1_tco2.round_dp(3), dec!(216.219));
    assert_eq!(
        gas.scope1_tco2,
        dec!(10) * dec!(389.31) * dec!(15.30) * dec!(0.99) * dec!(44) / dec!(12000)
    );
    assert_eq!(
        one(Carrier::RawCoal, dec!(100), Unit::Tonne)
            .scope1_tco2
            .round_dp(3),
        dec!(190.030)
    );
    assert_eq!(
        one(Carrier::Diesel, dec!(50000), Unit::Kg)
            .scope1_tco2
            .round_dp(3),
        dec!(154.795)
    );
}

#[test]
fn location_scope2_provincial_and_national() {
    let i = input(
        "CQ",
        vec![line(1, 1, Carrier::Electricity, dec!(1000), Unit::Mwh)],
    );
    // worked-examples.md: 1,000 MWh x 0.5581 (Chongqing 2023) = 558.1 tCO2; with the 2023
    // national factor 0.5306: 530.6 tCO2.
    assert_eq!(run(&i).scope2_location_tco2, dec!(558.1));
    let national = compute(
        &i,
        &Catalog::builtin(),
        &mut Pins::default(),
        Options {
            grid: GridFactorMode::National,
        },
    )
    .unwrap();
    assert_eq!(national.scope2_location_tco2, dec!(530.6));
    let used: Vec<_> = national.factors.iter().map(|f| f.id.as_str()).collect();
    assert!(
        used.contains(&"builtin-2025.1/grid_average/CN/2023"),
        "{used:?}"
    );
}

#[test]
fn market_scope2_with_certificates_and_residual_mix() {
    // Worked example: 1,000,000 kWh, 600 MWh certificates, residual 0.45 -> 180 t;
    // location 0.20 -> 200 t. Factors from a user set for a fictional year.
    let mut catalog = Catalog::builtin();
    let mk = |kind, subject: &str, value| Factor {
        id: Factor::make_id("example", kind, subject, Some(2030)),
        set: "example".into(),
        kind,
        subject: subject.into(),
        region: Region::parse(subject).ok(),
        year: Some(2030),
        value,
        unit: "tCO2/MWh".into(),
        publisher: "worked example".into(),
        notice: String::new(),
    };
    catalog
        .add_set(vec![
            mk(zp_factors::FactorKind::GridAverage, "SC", dec!(0.20)),
            mk(
                zp_factors::FactorKind::GridExcludingMarketNonFossil,
                "CN",
                dec!(0.45),
            ),
        ])
        .unwrap();
    let period = Period::new(2030, 6).unwrap();
    let lines = vec![
        ActivityLine {
            steam: None,
            serials: None,
            period,
            ..line(1, 6, Carrier::Electricity, dec!(1000000), Unit::Kwh)
        },
        ActivityLine {
            steam: None,
            serials: None,
            period,
            ..line(
                2,
                6,
                Carrier::GreenCertificate,
                dec!(600),
                Unit::Certificate,
            )
        },
    ];
    let i = OrgInput {
        year: 2030,
        ..input("SC", lines)
    };
    let inv = compute(&i, &catalog, &mut Pins::default(), Options::default()).unwrap();
    assert_eq!(inv.scope2_market_tco2, dec!(180));
    assert_eq!(inv.scope2_location_tco2, dec!(200));
    assert_eq!(inv.clean_electricity_share, Some(dec!(0.6)));
}

#[test]
fn market_scope2_without_certificates_uses_the_2023_residual_factor() {
    // 1,000 MWh x 0.6096 (national 2023, excluding market-traded non-fossil) = 609.6 t.
    let inv = one(Carrier::Electricity, dec!(1000), Unit::Mwh);
    assert_eq!(inv.scope2_market_tco2, dec!(609.6));
    assert_eq!(inv.clean_electricity_share, Some(dec!(0)));
}

#[test]
fn certificates_never_cover_more_than_grid_electricity() {
    let inv = run(&input(
        "CQ",
        vec![
            line(1, 1, Carrier::Electricity, dec!(100), Unit::Mwh),
            line(2, 1, Carrier::GreenCertificate, dec!(250), Unit::Mwh),
        ],
    ));
    // 250 MWh of certificates against 100 MWh of grid electricity: 100 applied (market
    // Scope 2 0, clean share 100/100 = 1), the other 150 MWh noted.
    assert_eq!(inv.certificates_applied_mwh, dec!(100));
    assert_eq!(inv.scope2_market_tco2, dec!(0));
    assert_eq!(inv.clean_electricity_share, Some(dec!(1)));
    assert!(
        inv.notes.iter().any(|n| n.contains("150 MWh")),
        "{:?}",
        inv.notes
    );
}

#[test]
fn purchased_heat_and_steam_by_enthalpy() {
    // 1,000 GJ x 0.11 = 110 t.
    let heat = one(Carrier::Heat, dec!(1000), Unit::Gj);
    assert_eq!(heat.scope2_location_tco2, dec!(110));
    assert_eq!(heat.scope2_market_tco2, dec!(110));
    assert_eq!(heat.energy_tce, dec!(34.12)); // 1,000,000 MJ x 0.03412 kgce/MJ
    // worked-examples.md: 100 t saturated at the default 1.0 MPa, h = 2777.1195 kJ/kg (IF97):
    // energy 100,000 kg x 0.1286 kgce/kg (GB/T 2589 low-pressure steam) = 12.86 tce;
    // 100 x (2777.1195 - 83.74) / 1000 = 269.33795 GJ x 0.11 = 29.6271745 t, not the
    // 41.393 t of GB/T 2589's 3.763 GJ/t; energy keeps GB/T 2589's coefficient.
    let steam = one(Carrier::Steam, dec!(100), Unit::Tonne);
    assert_eq!(steam.scope2_location_tco2, dec!(29.6271745));
    assert_eq!(steam.scope2_market_tco2, dec!(29.6271745));
    assert_eq!(steam.energy_tce, dec!(12.86));
    let line = &steam.lines[0];
    assert!(
        line.formula
            .contains("saturated at 1 MPa (default: no pressure given)")
            && line.formula.contains("2777.1195"),
        "{}",
        line.formula
    );
}

fn steam_at(p: Decimal, t: Option<Decimal>) -> Inventory {
    let mut l = line(1, 1, Carrier::Steam, dec!(100), Unit::Tonne);
    l.steam = Some(SteamState {
        pressure_mpa: p,
        temperature_c: t,
    });
    run(&input("CQ", vec![l]))
}

#[test]
fn steam_states_priced_by_their_if97_enthalpy() {
    // Saturated at 0.6 MPa: h = 2756.1 kJ/kg (worked-examples.md; IF97 2756.14).
    let inv = steam_at(dec!(0.6), None);
    let h = (inv.scope2_location_tco2 / dec!(0.011)) + dec!(83.74);
    assert!((h - dec!(2756.1)).abs() < dec!(0.1), "h = {h}");
    // 1.5 MPa / 300 degC: h = 3038.2660 kJ/kg (the contract's reference value).
    let inv = steam_at(dec!(1.5), Some(dec!(300)));
    assert_eq!(
        inv.scope2_location_tco2,
        dec!(100) * (dec!(3038.2660) - dec!(83.74)) / dec!(1000) * dec!(0.11)
    );
    // Superheated 1.0 MPa / 250 degC: h = 2943.2 kJ/kg (worked-examples.md; IF97 2943.2222).
    let inv = steam_at(dec!(1.0), Some(dec!(250)));
    assert_eq!(
        inv.scope2_location_tco2,
        dec!(100) * (dec!(2943.2222) - dec!(83.74)) / dec!(1000) * dec!(0.11)
    );
}

#[test]
fn liquid_water_is_not_steam() {
    let mut l = line(1, 1, Carrier::Steam, dec!(100), Unit::Tonne);
    l.steam = Some(SteamState {
        pressure_mpa: dec!(1.0),
        temperature_c: Some(dec!(150)),
    });
    let e = compute(
        &input("CQ", vec![l]),
        &Catalog::builtin(),
        &mut Pins::default(),
        Options::default(),
    )
    .unwrap_err();
    assert!(e.to_string().contains("steam state"), "{e}");
}

#[test]
fn a_result_issued_with_the_heat_content_keeps_it_until_recompute() {
    let catalog = Catalog::builtin();
    let mut pins = Pins::default();
    pins.0.insert(
        "steam_heat/steam_low_pressure".into(),
        zp_factors::PinnedFactor {
            id: "builtin-2025.1/steam_heat_content/steam_low_pressure".into(),
            note: None,
        },
    );
    let i = input(
        "CQ",
        vec![line(1, 1, Carrier::Steam, dec!(100), Unit::Tonne)],
    );
    let legacy = compute(&i, &catalog, &mut pins, Options::default()).unwrap();
    // The heat content: 100 t x 3.763 GJ/t x 0.11 tCO2/GJ = 41.393 t.
    assert_eq!(legacy.scope2_location_tco2, dec!(41.393));
    assert!(
        legacy.notes.iter().any(|n| n.contains("recompute")),
        "{:?}",
        legacy.notes
    );
    let fresh = compute(&i, &catalog, &mut Pins::default(), Options::default()).unwrap();
    assert_eq!(fresh.scope2_location_tco2, dec!(29.6271745));
}

#[test]
fn onsite_renewable_counts_in_energy_and_clean_share_with_zero_co2() {
    let inv = run(&input(
        "CQ",
        vec![
            line(1, 1, Carrier::Electricity, dec!(600), Unit::Mwh),
            line(
                2,
                1,
                Carrier::ElectricityOnsiteRenewable,
                dec!(400000),
                Unit::Kwh,
            ),
        ],
    ));
    // 600 MWh grid + 400 MWh on site = 1,000 MWh; x 0.1229 kgce/kWh = 122.9 tce (on-site
    // renewable counts in energy); clean share 400 / 1,000 = 0.4; CO2 on the grid part only.
    assert_eq!(inv.electricity_mwh, dec!(1000));
    assert_eq!(inv.energy_tce, dec!(122.9));
    assert_eq!(inv.clean_electricity_share, Some(dec!(0.4)));
    assert_eq!(inv.scope2_location_tco2, dec!(600) * dec!(0.5581));
}

#[test]
fn clinker_process_emissions() {
    let inv = one(Carrier::CementClinker, dec!(1000), Unit::Tonne);
    // 1,000 t x 0.535 tCO2/t clinker (other-factors.csv); process emissions use no energy.
    assert_eq!(inv.scope1_process_tco2, dec!(535));
    assert_eq!(inv.scope1_tco2, dec!(535));
    assert_eq!(inv.energy_tce, dec!(0));
}

#[test]
fn intensities_and_output_value() {
    let mut i = input(
        "CQ",
        vec![
            line(1, 1, Carrier::Electricity, dec!(1000), Unit::Mwh),
            line(2, 2, Carrier::NaturalGas, dec!(10), Unit::WanM3),
        ],
    );
    i.output_value_10k_yuan = Some(dec!(1000));
    let inv = run(&i);
    // 1,000 MWh x 0.1229 = 122.9 tce; 10 x 10^4 m3 x 1.2143 = 121.43 tce (worked examples);
    // location 1,000 x 0.5581 = 558.1 t, market 1,000 x 0.6096 = 609.6 t.
    let energy = dec!(122.9) + dec!(121.43);
    assert_eq!(inv.energy_tce, energy);
    assert_eq!(
        inv.intensity_location_tco2_per_tce,
        Some((inv.scope1_tco2 + dec!(558.1)) / energy)
    );
    assert_eq!(
        inv.intensity_market_tco2_per_tce,
        Some((inv.scope1_tco2 + dec!(609.6)) / energy)
    );
    assert_eq!(
        inv.energy_intensity_tce_per_10k_yuan,
        Some(energy / dec!(1000))
    );
}

#[test]
fn province_without_factor_uses_its_regional_grid_and_notes_it() {
    // 西藏 has no provincial value in the 2023 notice: the 西南 grid's 0.2472;
    // 1,000 MWh x 0.2472 = 247.2 tCO2.
    let inv = run(&input(
        "XZ",
        vec![line(1, 1, Carrier::Electricity, dec!(1000), Unit::Mwh)],
    ));
    assert_eq!(inv.scope2_location_tco2, dec!(247.2));
    assert!(
        inv.notes
            .iter()
            .any(|n| n.contains("XZ") && n.contains("GRID-SW")),
        "{:?}",
        inv.notes
    );
}

#[test]
fn yunnan_2022_uses_yunnans_own_factor() {
    // The audit's case: a Yunnan park priced at the national 0.5366 was five times too high.
    // Yunnan's own 2022 factor 0.1073: 1,000 MWh x 0.1073 = 107.3 tCO2.
    let mut l = line(1, 1, Carrier::Electricity, dec!(1000), Unit::Mwh);
    l.period = Period::new(2022, 1).unwrap();
    let i = OrgInput {
        year: 2022,
        ..input("YN", vec![l])
    };
    let inv = run(&i);
    assert_eq!(inv.scope2_location_tco2, dec!(107.3));
    assert!(
        !inv.notes.iter().any(|n| n.contains("no YN")),
        "{:?}",
        inv.notes
    );
}

#[test]
fn fuel_without_combustion_factor_is_flagged_incomplete() {
    let inv = one(Carrier::WashedCoal, dec!(10), Unit::Tonne);
    // 10 t x 0.9000 kgce/kg (GB/T 2589 washed coal) = 9 tce; no combustion factor is built in.
    assert_eq!(inv.energy_tce, dec!(9));
    assert!(!inv.complete);
    assert!(inv.notes.iter().any(|n| n.contains("washed_coal")));
}

#[test]
fn lineage_names_rows_and_factors() {
    let inv = run(&input(
        "CQ",
        vec![
            line(7, 1, Carrier::Electricity, dec!(400), Unit::Mwh),
            line(8, 2, Carrier::Electricity, dec!(600), Unit::Mwh),
        ],
    ));
    let l = &inv.lines[0];
    assert_eq!(
        l.inputs.iter().map(|r| r.id).collect::<Vec<_>>(),
        vec![7, 8]
    );
    assert!(
        l.factor_ids
            .contains(&"builtin-2025.1/grid_average/CQ/2023".to_string())
    );
    assert!(l.formula.contains("0.5581"), "{}", l.formula);
    assert!(inv.factors.iter().all(|f| !f.source.is_empty()));
}

#[test]
fn wrong_year_is_an_error() {
    let mut i = input(
        "CQ",
        vec![line(1, 1, Carrier::Electricity, dec!(1), Unit::Mwh)],
    );
    i.year = 2022;
    let err = compute(
        &i,
        &Catalog::builtin(),
        &mut Pins::default(),
        Options::default(),
    );
    assert!(
        err.unwrap_err()
            .to_string()
            .contains("not the report year 2022")
    );
}

#[test]
fn park_is_the_sum_and_ratios_are_recomputed() {
    let a = run(&input(
        "CQ",
        vec![line(1, 1, Carrier::Electricity, dec!(1000), Unit::Mwh)],
    ));
    let mut bi = input(
        "SC",
        vec![line(
            2,
            1,
            Carrier::ElectricityOnsiteRenewable,
            dec!(3000),
            Unit::Mwh,
        )],
    );
    bi.org = org(2);
    let b = run(&bi);
    let park = aggregate("park", "示例园区", 2023, &[a.clone(), b.clone()]);
    assert_eq!(park.energy_tce, a.energy_tce + b.energy_tce);
    assert_eq!(park.electricity_mwh, dec!(4000));
    assert_eq!(park.clean_electricity_share, Some(dec!(0.75)));
    assert_eq!(
        park.intensity_market_tco2_per_tce,
        Some(dec!(609.6) / park.energy_tce)
    );
    assert_eq!(park.members.len(), 2);
}

#[test]
fn a_zero_carbon_park_of_onsite_renewables_has_zero_intensity() {
    let inv = one(
        Carrier::ElectricityOnsiteRenewable,
        dec!(2000000000),
        Unit::Kwh,
    );
    assert_eq!(inv.energy_tce, dec!(245800));
    assert_eq!(inv.intensity_market_tco2_per_tce, Some(dec!(0)));
}

#[test]
fn json_numbers_are_exact_decimals() {
    let inv = one(Carrier::Diesel, dec!(50), Unit::Tonne);
    let json = serde_json::to_string(&inv).unwrap();
    assert!(json.contains("\"energy_tce\":72.855"), "{json}");
    let back: zp_accounting::Inventory = serde_json::from_str(&json).unwrap();
    assert_eq!(back, inv);
    let v: serde_json::Value = serde_json::from_str(&json).unwrap();
    assert_eq!(v["energy_tce"].as_f64(), Some(72.855));
}
