//! Fixtures shared by the integration tests.
#![allow(dead_code)]

use rust_decimal::Decimal;
use zp_certs::{
    Actor, Draft, GenerationRow, Generator, Registry, SignedEvent, SigningKey, signing_key,
};
use zp_domain::{CreditCode, Region};

pub fn key() -> SigningKey {
    signing_key(&[7u8; 32])
}

pub fn other_key() -> SigningKey {
    signing_key(&[9u8; 32])
}

pub fn registry() -> Registry {
    Registry::new(key().verifying_key())
}

/// Solar park operator (owns the generator).
pub fn solar_co() -> CreditCode {
    CreditCode::parse("91350100M000100Y43").unwrap()
}

/// A factory that buys certificates.
pub fn factory() -> CreditCode {
    CreditCode::parse("91500000202803359L").unwrap()
}

pub fn third() -> CreditCode {
    CreditCode::parse("91110000100010433L").unwrap()
}

pub fn acct(c: &CreditCode) -> Actor {
    Actor::Account(c.clone())
}

/// 2024-07-01 00:00 Asia/Shanghai plus `h` hours, epoch seconds.
pub fn hour(h: i64) -> i64 {
    zp_domain::time::parse_timestamp("2024-07-01T00:00:00+08:00").unwrap() + h * 3600
}

pub const NOW: i64 = 1_720_000_000;

pub fn generator(meter: &str, owner: &CreditCode) -> Generator {
    Generator {
        meter_id: meter.into(),
        owner: owner.clone(),
        technology: "solar".into(),
        region: Region::parse("CQ").unwrap(),
        location: "Liangjiang park, roof B3".into(),
    }
}

pub fn row(meter: &str, hour_start: i64, energy_wh: u64) -> GenerationRow {
    GenerationRow {
        meter_id: meter.into(),
        hour_start,
        energy_wh: Decimal::from(energy_wh),
    }
}

/// Issues rows for `owner`'s meter "M1" and returns the new log entries.
pub fn issue(reg: &mut Registry, owner: &CreditCode, rows: &[(i64, u64)]) -> Vec<SignedEvent> {
    let rows: Vec<GenerationRow> = rows.iter().map(|&(h, wh)| row("M1", h, wh)).collect();
    let plan = reg.issue(&rows, &[generator("M1", owner)], NOW).unwrap();
    reg.append(plan.drafts, &key()).unwrap()
}

pub fn commit(reg: &mut Registry, drafts: Vec<Draft>) -> Vec<SignedEvent> {
    reg.append(drafts, &key()).unwrap()
}

/// Plans with `plan` against the current state and appends the drafts.
pub fn run(
    reg: &mut Registry,
    plan: impl FnOnce(&Registry) -> Result<Vec<Draft>, zp_certs::CertError>,
) -> Vec<SignedEvent> {
    let drafts = plan(reg).unwrap();
    reg.append(drafts, &key()).unwrap()
}
