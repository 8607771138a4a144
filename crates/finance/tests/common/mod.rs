//! Shared builders of the finance worked tests.
#![allow(dead_code)]

use rust_decimal_macros::dec;
use zp_accounting::ActivityLine;
use zp_domain::{Carrier, CreditCode, Decimal, Period, Quantity, Region, Unit};
use zp_finance::{AnnualActivity, Project, ProjectKind};

pub const ORG: &str = "91500112MA60DAT04U";

pub fn period(s: &str) -> Period {
    Period::parse(s).unwrap()
}

/// Ledger lines `(month, quantity)` of one carrier in `year`, ids from `first_id`.
pub fn ledger(
    year: i32,
    carrier: Carrier,
    unit: Unit,
    months: &[(u32, Decimal)],
    first_id: i64,
) -> Vec<ActivityLine> {
    months
        .iter()
        .enumerate()
        .map(|(i, (m, q))| ActivityLine {
            steam: None,
            serials: None,
            id: first_id + i as i64,
            period: Period::new(year, *m).unwrap(),
            carrier,
            quantity: Quantity::new(*q, unit),
            source: format!("ledger.csv:{}", first_id + i as i64 + 1),
        })
        .collect()
}

/// Twelve months of `q` each.
pub fn flat(q: Decimal) -> Vec<(u32, Decimal)> {
    (1..=12).map(|m| (m, q)).collect()
}

pub fn annual(carrier: Carrier, quantity: Decimal, unit: Unit) -> AnnualActivity {
    AnnualActivity {
        carrier,
        quantity,
        unit,
    }
}

/// An energy-efficiency project in Chongqing (tag 1.1.1) with the given activity.
pub fn project(
    id: &str,
    baseline: Vec<AnnualActivity>,
    with: Vec<AnnualActivity>,
    capex_yuan: Decimal,
) -> Project {
    Project {
        id: id.into(),
        name: format!("{id} retrofit"),
        org: CreditCode::parse(ORG).unwrap(),
        kind: ProjectKind::EnergyEfficiency,
        region: Region::parse("CQ").unwrap(),
        location: "北碚区".into(),
        capex_yuan,
        start: period("2023-03"),
        operation_start: period("2024-01"),
        categories: vec!["1.1.1".into()],
        baseline_year: 2023,
        baseline,
        baseline_from_ledger: false,
        project: with,
        driver: None,
        pledgeable_quota_tco2: None,
    }
}

/// A simple electricity saver: 12,000 MWh a year before, 9,600 after (CQ 2023 factor
/// 0.5581 tCO2/MWh: 2,400 MWh x 0.5581 = 1,339.44 tCO2 a year).
pub fn electricity_saver(id: &str) -> Project {
    project(
        id,
        vec![annual(Carrier::Electricity, dec!(12000), Unit::Mwh)],
        vec![annual(Carrier::Electricity, dec!(9600), Unit::Mwh)],
        dec!(8000000),
    )
}
