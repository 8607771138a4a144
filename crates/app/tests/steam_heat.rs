//! Steam given in a heat unit (issue 14 #1): a ledger row of steam in GJ, MJ or 万kJ is the
//! heat delivered, recorded as `steam_heat` (蒸汽（按热量计）) and accounted like purchased
//! heat: energy at GB/T 2589's heat coefficient, Scope 2 at the heat emission factor of the
//! catalog, the unit conversion written in the line's formula. Steam in tonnes keeps its
//! enthalpy pricing, on a line of its own.

use rust_decimal_macros::dec;
use zp_accounting::GridFactorMode;
use zp_app::ImportKind;
use zp_domain::{Carrier, CreditCode};
use zp_store::{Access, Store};

mod common;
use common::{import, write};

const A: &str = "91500112MA60CEM01B";

/// A SQLite store in `dir` with the enterprise `A` (Chongqing, chemicals) registered.
fn store_with_enterprise(dir: &std::path::Path) -> Box<dyn Store> {
    let mut store: Box<dyn Store> = Box::new(zp_store::open_sqlite(&dir.join("t.db")).unwrap());
    let orgs = write(
        dir,
        "orgs.csv",
        &format!("credit_code,name,region,park,industry\n{A},甲化工,CQ,甲园区,2614\n"),
    );
    import(store.as_mut(), ImportKind::Orgs, &orgs);
    store
}

/// Worked example, by hand (factors of the built-in catalog: heat 0.03412 kgce/MJ, GB/T
/// 2589-2020; purchased heat 0.11 tCO2/GJ; steam 0.1286 kgce/kg; feed water 83.74 kJ/kg):
///
/// - January, 500 GJ of steam: 500 GJ = 500,000 MJ.
/// - February, 30,000 万kJ of steam: 30,000 x 10 MJ = 300,000 MJ (= 300 GJ).
/// - Heat delivered as steam: 800,000 MJ = 800 GJ.
///   - energy: 800,000 MJ x 0.03412 kgce/MJ / 1000 = 27.296 tce
///   - Scope 2 (location and market): 800 GJ x 0.11 tCO2/GJ = 88 tCO2
/// - March, 100 t of steam, no state given: saturated at 1.0 MPa, h = 2777.1195 kJ/kg
///   (IAPWS-IF97), priced by enthalpy as before, on its own line:
///   - energy: 100,000 kg x 0.1286 kgce/kg / 1000 = 12.86 tce
///   - Scope 2: 100 x (2777.1195 - 83.74) / 1000 = 269.33795 GJ x 0.11 = 29.6271745 tCO2
/// - Totals: 27.296 + 12.86 = 40.156 tce; 88 + 29.6271745 = 117.6271745 tCO2 (to the
///   enthalpy's precision).
#[test]
fn steam_given_in_gj_is_accounted_as_the_heat_delivered() {
    let dir = tempfile::tempdir().unwrap();
    let mut store = store_with_enterprise(dir.path());
    let ledger = write(
        dir.path(),
        "steam.csv",
        &format!(
            "credit_code,period,carrier,quantity,unit\n{A},2023-01,steam,500,GJ\n{A},2023-02,蒸汽,30000,万kJ\n{A},2023-03,steam,100,t\n"
        ),
    );
    let done = import(store.as_mut(), ImportKind::Activity, &ledger);
    assert_eq!((done.counts.accepted, done.counts.quarantined), (3, 0));
    // Recorded as given, under the carrier that says what the figure is.
    let code = CreditCode::parse(A).unwrap();
    let rows = store.activity(&Access::All, &code, 2023).unwrap();
    let recorded: Vec<(Carrier, String)> = rows
        .iter()
        .map(|r| (r.carrier, r.quantity.to_string()))
        .collect();
    assert_eq!(
        recorded,
        vec![
            (Carrier::SteamHeat, "500 GJ".to_string()),
            (Carrier::SteamHeat, "30000 万kJ".to_string()),
            (Carrier::Steam, "100 t".to_string()),
        ]
    );
    // The same file again changes nothing.
    let again = import(store.as_mut(), ImportKind::Activity, &ledger);
    assert_eq!(again.counts.duplicates, 3);

    let catalog = zp_app::catalog(store.as_mut()).unwrap();
    let inv = zp_app::org_inventory(
        store.as_mut(),
        &catalog,
        &Access::All,
        &code,
        2023,
        GridFactorMode::Provincial,
        "test",
    )
    .unwrap();
    let line = |c: Carrier| inv.lines.iter().find(|l| l.carrier == c).unwrap();
    let heat = line(Carrier::SteamHeat);
    assert_eq!((heat.quantity, heat.unit.as_str()), (dec!(800000), "MJ"));
    assert_eq!(heat.energy_tce, dec!(27.296));
    assert_eq!(heat.scope2_location_tco2, dec!(88));
    assert_eq!(heat.scope2_market_tco2, dec!(88));
    assert_eq!(heat.scope1_tco2, dec!(0));
    for part in [
        "500 GJ = 500000 MJ",
        "30000 万kJ = 300000 MJ",
        "tce = 800000 MJ x 0.03412 kgce/MJ / 1000",
        "tCO2 = 800 GJ x 0.11 tCO2/GJ",
    ] {
        assert!(heat.formula.contains(part), "{part:?} in {}", heat.formula);
    }
    // The heat coefficient and the heat emission factor, by the catalog's ids.
    let heat_factors: Vec<&str> = inv
        .factors
        .iter()
        .filter(|f| heat.factor_ids.contains(&f.id))
        .map(|f| f.slot.as_str())
        .collect();
    assert_eq!(heat_factors.len(), 2, "{heat_factors:?}");
    assert!(heat_factors.contains(&"tce/heat"), "{heat_factors:?}");
    // Each input row with its unit as given.
    let units: Vec<&str> = heat.inputs.iter().map(|i| i.unit.as_str()).collect();
    assert_eq!(units, ["GJ", "万kJ"]);

    let steam = line(Carrier::Steam);
    assert_eq!(steam.energy_tce, dec!(12.86));
    assert!((steam.scope2_location_tco2 - dec!(29.6271745)).abs() < dec!(0.00001));
    assert_eq!(inv.energy_tce, dec!(40.156));
    assert!((inv.scope2_location_tco2 - dec!(117.6271745)).abs() < dec!(0.00001));
    assert_eq!(inv.scope2_market_tco2, inv.scope2_location_tco2);
}

/// kWh of steam says nothing clear about the heat delivered: still refused, with the units
/// steam is given in.
#[test]
fn steam_in_kwh_is_still_refused() {
    let dir = tempfile::tempdir().unwrap();
    let mut store = store_with_enterprise(dir.path());
    let ledger = write(
        dir.path(),
        "kwh.csv",
        &format!("credit_code,period,carrier,quantity,unit\n{A},2023-01,steam,500,kWh\n"),
    );
    let done = import(store.as_mut(), ImportKind::Activity, &ledger);
    assert_eq!(done.counts.quarantined, 1);
    assert_eq!(done.rejected[0].field, "unit");
}

/// A month's steam counts once: reported by mass, the same site's month cannot also be
/// reported as heat delivered (two carriers, so both would stand and count twice), stored or
/// in the same file; the preview says the same before anything is stored.
#[test]
fn a_months_steam_is_reported_by_mass_or_as_heat_not_both() {
    let dir = tempfile::tempdir().unwrap();
    let mut store = store_with_enterprise(dir.path());
    let by_mass = write(
        dir.path(),
        "mass.csv",
        &format!("credit_code,period,carrier,quantity,unit\n{A},2023-01,steam,100,t\n"),
    );
    let done = import(store.as_mut(), ImportKind::Activity, &by_mass);
    assert_eq!(done.counts.accepted, 1);
    // January again as heat (refused), February as heat (a month of its own, accepted).
    let as_heat = write(
        dir.path(),
        "heat.csv",
        &format!(
            "credit_code,period,carrier,quantity,unit\n{A},2023-01,steam,270,GJ\n{A},2023-02,steam,270,GJ\n"
        ),
    );
    let op = zp_app::Caller::operator("test");
    let table = zp_app::read_table(&as_heat, zp_app::Limits::default()).unwrap();
    let preview =
        zp_app::preview_table(store.as_mut(), &op, ImportKind::Activity, &table, None).unwrap();
    assert_eq!(
        (preview.counts.accepted, preview.counts.quarantined),
        (1, 1)
    );
    let done = import(store.as_mut(), ImportKind::Activity, &as_heat);
    assert_eq!((done.counts.accepted, done.counts.quarantined), (1, 1));
    let why = &done.rejected[0];
    assert_eq!((why.row, why.field.as_str()), (2, "unit"));
    assert_eq!(
        why.reason,
        "steam of 2023-01 at this site is already reported by mass (mass.csv:2): a month's steam is reported by mass or as heat delivered, not both"
    );
    assert_eq!(preview.rejected[0].reason, why.reason);
    let code = CreditCode::parse(A).unwrap();
    let january: Vec<Carrier> = store
        .activity(&Access::All, &code, 2023)
        .unwrap()
        .iter()
        .filter(|r| r.period.to_string() == "2023-01")
        .map(|r| r.carrier)
        .collect();
    assert_eq!(
        january,
        vec![Carrier::Steam],
        "January's steam once, by mass"
    );
    // Both ways in one file: the later row is refused, naming the earlier one.
    let both = write(
        dir.path(),
        "both.csv",
        &format!(
            "credit_code,period,carrier,quantity,unit\n{A},2023-03,steam,500,GJ\n{A},2023-03,steam,100,t\n"
        ),
    );
    let done = import(store.as_mut(), ImportKind::Activity, &both);
    assert_eq!((done.counts.accepted, done.counts.quarantined), (1, 1));
    assert!(
        done.rejected[0].reason.starts_with(
            "steam of 2023-03 at this site is already reported as heat delivered (both.csv:2)"
        ),
        "{}",
        done.rejected[0].reason
    );
    // Importing the heat file again is still idempotent: its accepted row is a duplicate.
    let again = import(store.as_mut(), ImportKind::Activity, &as_heat);
    assert_eq!((again.counts.duplicates, again.counts.quarantined), (1, 1));
}
