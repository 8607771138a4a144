//! What the waste tests share: a Sichuan generator, a Chongqing receiver with its permit, and
//! their applications, planned with the built-in catalogue, calendar and rules.
#![allow(dead_code, reason = "each test binary uses its own part")]

use rust_decimal::Decimal;
use zp_domain::time::Date;
use zp_domain::{Calendar, CreditCode, Region};
use zp_waste::*;

pub fn date(s: &str) -> Date {
    s.parse().unwrap()
}

/// A Sichuan generator and a Chongqing receiver (check characters completed by GB 32100).
pub fn generator() -> CreditCode {
    CreditCode::complete("91510100MA6XGEN01").unwrap()
}
pub fn receiver() -> CreditCode {
    CreditCode::complete("91500112MA60CQREC").unwrap()
}

/// The receiver's permit CQW-2024-001 for HW08 of `capacity_t`, 2024 to 2026.
pub fn permit(capacity_t: Decimal) -> Permit {
    Permit {
        permit_no: "CQW-2024-001".into(),
        holder: receiver(),
        province: Region::parse("CQ").unwrap(),
        codes: vec!["HW08".into()],
        capacity_t,
        valid_from: date("2024-01-01"),
        valid_to: date("2026-12-31"),
        source: "test".into(),
    }
}

/// The generator's application of `tonnes_t` of 900-249-08 for use, SC to CQ by road.
pub fn request(tonnes_t: Decimal, submitted: &str) -> NewApplication {
    NewApplication {
        generator: generator(),
        receiver: receiver(),
        code: "900-249-08".into(),
        tonnes_t,
        from_province: Region::parse("SC").unwrap(),
        to_province: Region::parse("CQ").unwrap(),
        submitted_on: date(submitted),
        planned_to: None,
        transport: "road".into(),
        purpose: Purpose::Utilise,
    }
}

pub fn plan(req: &NewApplication, ctx: &ApplyContext) -> Result<Planned, WasteError> {
    plan_application(
        req,
        ctx,
        Catalog::builtin(),
        Calendar::china(),
        &Rules::builtin(),
    )
}
