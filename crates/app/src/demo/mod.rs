//! The demo park: a Chongqing high-tech park modelled on the seeds (cement, electronics,
//! automotive, data centres, rooftop PV), plus a smaller Sichuan park, with a year of monthly
//! energy ledgers, output values and designations. Deterministic: the same files every run.
//!
//! The data is written as CSV files and imported through the ordinary import path, so every
//! figure of the demo traces back to a file row like real data does.

pub mod finance;
mod inclusion;
pub mod readings;

use crate::AppError;
use std::fmt::Write as _;
use std::path::{Path, PathBuf};
use zp_domain::{CreditCode, Decimal};
use zp_store::{Access, Designation, DesignationKind, DesignationLevel, Site, Store};

pub const DEMO_PARK: &str = "重庆两江低碳示范园区";
pub const DEMO_PARK_SC: &str = "成渝协同示范园区";
pub const DEMO_YEAR: i32 = 2023;

/// A small deterministic generator (splitmix64): the demo must not change between runs.
pub struct Rng(u64);

impl Rng {
    pub fn new(seed: u64) -> Rng {
        Rng(seed)
    }

    pub fn next_u64(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    /// Uniform in [0, 1).
    pub fn unit(&mut self) -> f64 {
        (self.next_u64() >> 11) as f64 / (1u64 << 53) as f64
    }

    pub fn range(&mut self, lo: f64, hi: f64) -> f64 {
        lo + (hi - lo) * self.unit()
    }
}

/// An enterprise of the demo and its yearly consumption.
#[derive(Debug, Clone)]
pub struct DemoOrg {
    pub code: CreditCode,
    pub name: String,
    pub park: &'static str,
    pub region: &'static str,
    pub industry: &'static str,
    pub kind: DemoKind,
    /// Grid electricity per year, MWh.
    pub grid_mwh: f64,
    /// Rooftop PV capacity, kWp (0 = none).
    pub pv_kwp: f64,
    pub lat: f64,
    pub lon: f64,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DemoKind {
    Cement,
    Electronics,
    Automotive,
    DataCentre,
    Chemicals,
    Food,
    Pharma,
    Logistics,
    PvModules,
}

impl DemoKind {
    /// The BDEW-style load shape a meter of this kind follows (see the readings generator).
    pub fn load_profile(self) -> &'static str {
        match self {
            DemoKind::Cement | DemoKind::Chemicals | DemoKind::DataCentre => "g3",
            DemoKind::Electronics | DemoKind::Automotive | DemoKind::PvModules => {
                "industrial_2shift"
            }
            DemoKind::Food | DemoKind::Pharma => "g0",
            DemoKind::Logistics => "g1",
        }
    }
}

const SEASON: [f64; 12] = [
    1.05, 0.95, 1.0, 0.98, 1.02, 1.1, 1.18, 1.2, 1.05, 0.98, 0.97, 1.04,
];
/// Monthly share of a Chongqing rooftop's 812 kWh/kWp (shape of the shared PV profile).
const PV_MONTH_KWH_PER_KWP: [f64; 12] = [
    28.0, 35.0, 58.0, 72.0, 86.0, 84.0, 110.0, 112.0, 80.0, 60.0, 47.0, 40.0,
];

/// The enterprises of the demo.
pub fn demo_orgs() -> Vec<DemoOrg> {
    use DemoKind::*;
    let list: &[(&str, DemoKind, &str, f64, f64)] = &[
        ("重庆富皇示范水泥有限公司", Cement, "3011", 165_000.0, 0.0),
        (
            "重庆嘉陵示范建材有限公司",
            Cement,
            "3011",
            120_000.0,
            2_000.0,
        ),
        (
            "重庆海康示范数字技术有限公司",
            Electronics,
            "3971",
            42_000.0,
            3_200.0,
        ),
        (
            "重庆两江示范微电子有限公司",
            Electronics,
            "3973",
            58_000.0,
            2_500.0,
        ),
        (
            "重庆示范显示科技有限公司",
            Electronics,
            "3974",
            76_000.0,
            4_000.0,
        ),
        (
            "重庆示范智能终端有限公司",
            Electronics,
            "3921",
            18_000.0,
            1_200.0,
        ),
        (
            "重庆示范电子电路有限公司",
            Electronics,
            "3982",
            24_000.0,
            900.0,
        ),
        (
            "重庆示范传感器有限公司",
            Electronics,
            "3983",
            9_500.0,
            600.0,
        ),
        (
            "重庆示范锂电材料有限公司",
            Electronics,
            "3841",
            35_000.0,
            1_800.0,
        ),
        (
            "重庆示范半导体封测有限公司",
            Electronics,
            "3973",
            27_000.0,
            1_500.0,
        ),
        (
            "重庆示范汽车制造有限公司",
            Automotive,
            "3612",
            68_000.0,
            5_000.0,
        ),
        (
            "重庆示范新能源汽车有限公司",
            Automotive,
            "3612",
            52_000.0,
            6_000.0,
        ),
        (
            "重庆示范汽车零部件有限公司",
            Automotive,
            "3670",
            21_000.0,
            1_100.0,
        ),
        (
            "重庆示范动力总成有限公司",
            Automotive,
            "3670",
            33_000.0,
            1_400.0,
        ),
        ("重庆示范车灯有限公司", Automotive, "3670", 7_800.0, 500.0),
        ("重庆示范轮毂有限公司", Automotive, "3670", 12_500.0, 800.0),
        (
            "重庆示范云计算数据中心有限公司",
            DataCentre,
            "6450",
            96_000.0,
            1_000.0,
        ),
        (
            "重庆示范算力中心有限公司",
            DataCentre,
            "6450",
            71_000.0,
            800.0,
        ),
        (
            "重庆示范灾备数据中心有限公司",
            DataCentre,
            "6450",
            38_000.0,
            400.0,
        ),
        (
            "重庆示范玻璃纤维有限公司",
            Chemicals,
            "3061",
            45_000.0,
            700.0,
        ),
        (
            "重庆示范精细化工有限公司",
            Chemicals,
            "2662",
            26_000.0,
            300.0,
        ),
        ("重庆示范食品有限公司", Food, "1453", 6_200.0, 700.0),
        ("重庆示范啤酒有限公司", Food, "1513", 8_900.0, 900.0),
        ("重庆示范调味品有限公司", Food, "1462", 4_100.0, 400.0),
        ("重庆示范生物制药有限公司", Pharma, "2761", 14_000.0, 800.0),
        ("重庆示范医疗器械有限公司", Pharma, "3581", 5_600.0, 500.0),
        (
            "重庆示范冷链物流有限公司",
            Logistics,
            "5960",
            11_000.0,
            1_600.0,
        ),
        (
            "重庆示范智慧物流有限公司",
            Logistics,
            "5990",
            3_800.0,
            1_900.0,
        ),
        (
            "重庆示范光伏组件有限公司",
            PvModules,
            "3825",
            22_000.0,
            4_500.0,
        ),
        (
            "重庆示范储能系统有限公司",
            PvModules,
            "3849",
            9_000.0,
            2_200.0,
        ),
    ];
    let sc: &[(&str, DemoKind, &str, f64, f64)] = &[
        (
            "成都示范多晶硅有限公司",
            Chemicals,
            "3985",
            310_000.0,
            3_000.0,
        ),
        (
            "成都示范电子科技有限公司",
            Electronics,
            "3971",
            36_000.0,
            1_500.0,
        ),
        (
            "成都示范汽车有限公司",
            Automotive,
            "3612",
            41_000.0,
            2_400.0,
        ),
        (
            "成都示范数据中心有限公司",
            DataCentre,
            "6450",
            55_000.0,
            500.0,
        ),
    ];
    let mut rng = Rng::new(910);
    let mut out = Vec::new();
    for (i, (name, kind, industry, grid, pv)) in list.iter().enumerate() {
        let code = CreditCode::complete(&format!("91500112MA6{:06}", 100_000 + i * 37))
            .expect("valid demo code");
        out.push(DemoOrg {
            code,
            name: name.to_string(),
            park: DEMO_PARK,
            region: "CQ",
            industry,
            kind: *kind,
            grid_mwh: *grid,
            pv_kwp: *pv,
            lat: 29.68 + rng.range(-0.06, 0.06),
            lon: 106.56 + rng.range(-0.08, 0.08),
        });
    }
    for (i, (name, kind, industry, grid, pv)) in sc.iter().enumerate() {
        let code = CreditCode::complete(&format!("91510100MA6{:06}", 200_000 + i * 41))
            .expect("valid demo code");
        out.push(DemoOrg {
            code,
            name: name.to_string(),
            park: DEMO_PARK_SC,
            region: "SC",
            industry,
            kind: *kind,
            grid_mwh: *grid,
            pv_kwp: *pv,
            lat: 30.58 + rng.range(-0.05, 0.05),
            lon: 104.06 + rng.range(-0.06, 0.06),
        });
    }
    out
}

fn orgs_csv(orgs: &[DemoOrg]) -> String {
    let mut s = String::from("credit_code,name,region,park,industry,kind\n");
    for o in orgs {
        let _ = writeln!(
            s,
            "{},{},{},{},{},{:?}",
            o.code, o.name, o.region, o.park, o.industry, o.kind
        );
    }
    s
}

fn activity_csv(orgs: &[DemoOrg], year: i32) -> String {
    let mut rng = Rng::new(2023);
    let mut s = String::from("credit_code,period,carrier,quantity,unit\n");
    for o in orgs {
        for m in 0..12 {
            let season = SEASON[m];
            let period = format!("{year}-{:02}", m + 1);
            let mut line = |carrier: &str, q: f64, unit: &str, dp: usize| {
                let _ = writeln!(s, "{},{period},{carrier},{q:.dp$},{unit}", o.code);
            };
            let noise = 1.0 + rng.range(-0.03, 0.03);
            line("electricity", o.grid_mwh / 12.0 * season * noise, "MWh", 1);
            if o.pv_kwp > 0.0 {
                let pv_kwh = o.pv_kwp * PV_MONTH_KWH_PER_KWP[m] * rng.range(0.85, 1.1);
                line("electricity_onsite_renewable", pv_kwh, "kWh", 0);
            }
            match o.kind {
                DemoKind::Cement => {
                    let clinker_t = o.grid_mwh * 6.2 / 12.0 * season * noise;
                    line("cement_clinker", clinker_t, "t", 0);
                    line("raw_coal", clinker_t * 0.118, "t", 1);
                    line("diesel", 14.0 * rng.range(0.8, 1.2), "t", 2);
                }
                DemoKind::Electronics | DemoKind::PvModules => {
                    line(
                        "natural_gas",
                        o.grid_mwh * 0.0045 / 12.0 * season,
                        "万m3",
                        2,
                    );
                }
                DemoKind::Automotive => {
                    line("natural_gas", o.grid_mwh * 18.0 / 12.0 * season, "m3", 0);
                    line("steam", o.grid_mwh * 0.06 / 12.0 * season, "t", 0);
                }
                DemoKind::DataCentre => line("diesel", 1.5 * rng.range(0.6, 1.4), "t", 2),
                DemoKind::Chemicals => {
                    line("natural_gas", o.grid_mwh * 0.03 / 12.0 * season, "万m3", 2);
                    line("heat", o.grid_mwh * 0.35 / 12.0 * season, "GJ", 0);
                }
                DemoKind::Food | DemoKind::Pharma => {
                    line("natural_gas", o.grid_mwh * 0.012 / 12.0 * season, "万m3", 2);
                    line("steam", o.grid_mwh * 0.08 / 12.0 * season, "t", 0);
                }
                DemoKind::Logistics => line("diesel", o.grid_mwh * 0.004 / 12.0, "t", 2),
            }
        }
        // Green certificates retired in December by the export-oriented manufacturers.
        if matches!(
            o.kind,
            DemoKind::Electronics | DemoKind::Automotive | DemoKind::PvModules
        ) {
            let certs = (o.grid_mwh * rng.range(0.1, 0.35)).round();
            let _ = writeln!(
                s,
                "{},{year}-12,green_certificate,{certs},certificate",
                o.code
            );
        }
    }
    s
}

/// What [`seed`] did.
#[derive(Debug, Clone, serde::Serialize)]
pub struct DemoSummary {
    pub orgs: usize,
    pub activity_rows: usize,
    pub files: Vec<PathBuf>,
    pub already_seeded: bool,
}

/// Writes the demo files into `dir` and imports them (idempotent: a second run changes
/// nothing and reports `already_seeded`).
pub fn seed(store: &mut dyn Store, dir: &Path, actor: &str) -> Result<DemoSummary, AppError> {
    std::fs::create_dir_all(dir)
        .map_err(|e| AppError::Invalid(format!("{}: {e}", dir.display())))?;
    let orgs = demo_orgs();
    let write = |name: &str, text: String| -> Result<PathBuf, AppError> {
        let p = dir.join(name);
        std::fs::write(&p, text).map_err(|e| AppError::Invalid(format!("{}: {e}", p.display())))?;
        Ok(p)
    };
    let orgs_file = write("orgs.csv", orgs_csv(&orgs))?;
    let activity_file = write("activity_2023.csv", activity_csv(&orgs, DEMO_YEAR))?;
    let o = crate::import_file(
        store,
        &crate::Caller::operator(actor),
        crate::ImportKind::Orgs,
        &orgs_file,
        zp_ingest::Limits::default(),
        None,
    )
    .map(|o| o.counts)
    .map_err(|e| AppError::Invalid(e.to_string()))?;
    let a = crate::import_file(
        store,
        &crate::Caller::operator(actor),
        crate::ImportKind::Activity,
        &activity_file,
        zp_ingest::Limits::default(),
        None,
    )
    .map(|o| o.counts)
    .map_err(|e| AppError::Invalid(e.to_string()))?;
    for org in &orgs {
        let output = Decimal::from((org.grid_mwh * 9.0).round() as i64); // 万元 of output
        store.set_output_value(&org.code, DEMO_YEAR, output, actor)?;
        let site = Site {
            credit_code: org.code.clone(),
            name: "主厂区".into(),
            address: format!("{} {}", org.park, org.name),
            lat: Some(org.lat),
            lon: Some(org.lon),
        };
        store.upsert_site(&site, actor)?;
        if org.kind == DemoKind::DataCentre {
            // The data centre is its enterprise's one building; its floor area is a demo
            // value (about 2,500 kWh/m2 a year, the range of Chinese data centres).
            let building = crate::buildings::BuildingInput {
                site: format!("{}数据中心楼", org.name),
                org: org.code.clone(),
                kind: "data_centre".into(),
                floor_area_m2: Decimal::from((org.grid_mwh * 0.4).round() as i64),
                climate_zone: "hot_summer_cold_winter".into(),
                stars: None,
            };
            crate::buildings::set_building(store, &crate::Caller::operator(actor), &building)?;
        }
    }
    let designations = [
        (
            2,
            DesignationKind::GreenFactory,
            DesignationLevel::National,
            "2021-11-15",
        ),
        (
            10,
            DesignationKind::GreenFactory,
            DesignationLevel::National,
            "2022-12-30",
        ),
        (
            11,
            DesignationKind::GreenSupplyChain,
            DesignationLevel::National,
            "2023-01-18",
        ),
        (
            4,
            DesignationKind::GreenFactory,
            DesignationLevel::Provincial,
            "2023-06-20",
        ),
        (
            28,
            DesignationKind::NearZeroCarbonPilot,
            DesignationLevel::Municipal,
            "2024-03-01",
        ),
    ];
    for (i, kind, level, date) in designations {
        let d = Designation {
            scope_kind: "org".into(),
            scope_id: orgs[i].code.to_string(),
            kind,
            level,
            granted_on: date.into(),
            expires_on: None,
            notice: "demo".into(),
        };
        store.add_designation(&d, actor)?;
    }
    let park = Designation {
        scope_kind: "park".into(),
        scope_id: DEMO_PARK.into(),
        kind: DesignationKind::GreenPark,
        level: DesignationLevel::National,
        granted_on: "2022-08-01".into(),
        expires_on: None,
        notice: "demo".into(),
    };
    store.add_designation(&park, actor)?;
    finance::demo_seed(store, dir, actor)?;
    demo_assessment(store, dir, actor)?;
    if let Some(first) = orgs.iter().find(|o| o.park == DEMO_PARK) {
        inclusion::seed(store, dir, &first.code, DEMO_YEAR, actor)?;
    }
    let visible = store.orgs(&Access::All, &Default::default())?.len();
    Ok(DemoSummary {
        orgs: visible,
        activity_rows: a.read,
        files: vec![orgs_file, activity_file],
        already_seeded: o.duplicates == o.read && a.duplicates == a.read,
    })
}

/// A demo budget for the demo park's year (10 % above what its enterprises used, a demo
/// value) and one proposed project assessed against it, so that the register shows a
/// budget share. Idempotent: the same budget and the same result change nothing.
fn demo_assessment(store: &mut dyn Store, dir: &Path, actor: &str) -> Result<(), AppError> {
    let operator = crate::Caller::operator(actor);
    let inv = crate::inventory(
        store,
        &Access::All,
        &crate::InventoryScope::Park(DEMO_PARK.into()),
        DEMO_YEAR,
        Default::default(),
        actor,
    )?;
    let plus_ten = |v: Decimal| (v * Decimal::new(11, 1)).round();
    crate::budget::set_budget(
        store,
        &operator,
        &crate::budget::SetBudget {
            scope: zp_store::BudgetScope::Park(DEMO_PARK.into()),
            year: DEMO_YEAR,
            tce: plus_ten(inv.energy_tce),
            tco2: plus_ten(inv.scope1_tco2 + inv.scope2_location_tco2),
            split: crate::budget::SplitRequest::Even,
        },
    )?;
    // The first sub-metered enterprise's own budget, 5 % below what it used: a demo value
    // that shows a budget warning on the energy-centre page.
    let park_orgs = demo_orgs().into_iter().filter(|o| o.park == DEMO_PARK);
    if let Some((_, first)) = park_orgs
        .enumerate()
        .find(|(i, _)| readings::is_submetered(*i))
    {
        let code = first.code;
        let inv = crate::inventory(
            store,
            &Access::All,
            &crate::InventoryScope::Org(code.clone()),
            DEMO_YEAR,
            Default::default(),
            actor,
        )?;
        let minus_five = |v: Decimal| (v * Decimal::new(95, 2)).round();
        crate::budget::set_budget(
            store,
            &operator,
            &crate::budget::SetBudget {
                scope: zp_store::BudgetScope::Org(code),
                year: DEMO_YEAR,
                tce: minus_five(inv.energy_tce),
                tco2: minus_five(inv.scope1_tco2 + inv.scope2_location_tco2),
                split: crate::budget::SplitRequest::Even,
            },
        )?;
    }
    let project = format!(
        "name = \"两江数据中心扩建项目（演示）\"\nregion = \"CQ\"\npark = \"{DEMO_PARK}\"\n\
         industry = \"6450\"\nyear = {DEMO_YEAR}\noutput_10k_yuan = 30000\n\
         green_power_mwh = 5000\n\n[[energy]]\ncarrier = \"electricity\"\nquantity = 20000\n\
         unit = \"MWh\"\n"
    );
    let path = dir.join("demo_project.toml");
    std::fs::write(&path, project)
        .map_err(|e| AppError::Invalid(format!("{}: {e}", path.display())))?;
    let as_of = zp_domain::time::Date::new(DEMO_YEAR as i16, 12, 31)
        .map_err(|e| AppError::Invalid(e.to_string()))?;
    crate::assess::assess_file(store, &operator, &path, as_of)?;
    Ok(())
}

/// The demo year's early warnings: every metered day of the demo park judged against its
/// meter's baseline, and the budgets' forecasts, recorded as alerts (nothing is posted: the
/// demo has no webhook). Idempotent: alerts are keyed.
pub fn alerts(
    store: &mut dyn Store,
    readings: &zp_readings::ReadingStore,
    actor: &str,
) -> Result<usize, AppError> {
    let end = zp_domain::time::Date::new(DEMO_YEAR as i16, 12, 31)
        .map_err(|e| AppError::Invalid(e.to_string()))?;
    let r = crate::alerts::check(
        store,
        &crate::Caller::operator(actor),
        readings,
        None,
        end,
        365,
    )?;
    Ok(r.new_alerts.len())
}

/// Meters, a year of 15-minute readings and hourly grid factors for the demo park (see
/// [`crate::readings`]); idempotent.
pub fn readings(
    store: &mut dyn Store,
    readings: &mut zp_readings::ReadingStore,
    dir: &Path,
    actor: &str,
) -> Result<readings::DemoReadings, AppError> {
    readings::demo_readings(store, readings, dir, actor)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn demo_is_deterministic_and_valid() {
        let a = demo_orgs();
        let b = demo_orgs();
        assert_eq!(a.len(), 34);
        assert_eq!(
            a.iter().map(|o| o.code.to_string()).collect::<Vec<_>>(),
            b.iter().map(|o| o.code.to_string()).collect::<Vec<_>>()
        );
        assert_eq!(activity_csv(&a, 2023), activity_csv(&b, 2023));
        let mut codes: Vec<_> = a.iter().map(|o| o.code.clone()).collect();
        codes.sort();
        codes.dedup();
        assert_eq!(codes.len(), a.len());
    }

    #[test]
    fn seeding_twice_changes_nothing() {
        let dir = tempfile::tempdir().unwrap();
        let mut store = zp_store::SqlStore::new(zp_store::SqliteConn::memory().unwrap());
        zp_store::Store::migrate(&mut store).unwrap();
        let first = seed(&mut store, dir.path(), "test").unwrap();
        assert!(!first.already_seeded);
        assert_eq!(first.orgs, 34);
        let audit_before = zp_store::Store::audit(&mut store, 10_000).unwrap().len();
        let second = seed(&mut store, dir.path(), "test").unwrap();
        assert!(second.already_seeded);
        let audit_after = zp_store::Store::audit(&mut store, 10_000).unwrap().len();
        // Only the two import events are new: no data changed.
        let log = zp_store::Store::audit(&mut store, audit_after - audit_before).unwrap();
        assert_eq!(audit_after, audit_before + 2, "{log:#?}");
        let inv = crate::inventory(
            &mut store,
            &Access::All,
            &crate::InventoryScope::Park(DEMO_PARK.into()),
            DEMO_YEAR,
            Default::default(),
            "test",
        )
        .unwrap();
        assert_eq!(inv.members.len(), 30);
        assert!(
            inv.energy_tce > Decimal::from(100_000),
            "a park of this size uses >100,000 tce: {}",
            inv.energy_tce
        );
        assert!(inv.complete, "{:?}", inv.notes);
    }
}
