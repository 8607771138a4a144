//! Submitting an application: the automatic checks (code, cross-province route, receiver's
//! permit covers the code, is valid and has room; the generator declared the code for the
//! year with room for the tonnes; whitelist agreement, its validity and its yearly cap) and
//! the due date in working days.
//!
//! A missing, expired or full permit refuses the application (the receiver may not take
//! the waste), and so does a code the generator did not declare for the year or tonnes
//! beyond its declared amount. When no declaration was ever imported the declaration
//! check cannot be made: the application goes on and its checks say so. A missing or
//! exhausted whitelist entry does not refuse either: the application goes the ordinary way
//! with the statutory period, and its checks say why.

use crate::model::{Check, Declaration, Load, NewApplication, Permit, Planned, WhitelistEntry};
use crate::{Catalog, Rules, WasteError};
use rust_decimal::Decimal;
use zp_domain::Calendar;
use zp_domain::time::Date;

/// What the store hands over for the checks, read in the transaction that will insert.
#[derive(Debug, Clone, Default)]
pub struct ApplyContext {
    /// The receiver's permits.
    pub permits: Vec<Permit>,
    /// Whitelist entries of the generator/receiver pair.
    pub whitelist: Vec<WhitelistEntry>,
    /// Applications of the submission year of the receiver or of the generator.
    pub loads: Vec<Load>,
    /// The generator's declared wastes of the submission year; `None` when no declaration
    /// of anyone was ever imported (the check cannot be made).
    pub declarations: Option<Vec<Declaration>>,
}

impl ApplyContext {
    /// Tonnes of the year already taken from a permit.
    pub fn permit_used_t(&self, permit_no: &str) -> Decimal {
        self.loads
            .iter()
            .filter(|l| l.permit_no == permit_no)
            .map(|l| l.usage.used_t())
            .sum()
    }

    /// Tonnes of the year the generator already applied for under `code`: its applications
    /// that were not rejected (approved or pending), at their applied tonnes.
    pub fn generator_applied_t(&self, generator: &zp_domain::CreditCode, code: &str) -> Decimal {
        self.loads
            .iter()
            .filter(|l| l.generator == *generator && l.code == code && !l.usage.rejected)
            .map(|l| l.usage.tonnes_t)
            .sum()
    }

    /// Tonnes of the year already taken from a pair's whitelist entry.
    pub fn whitelist_used_t(&self, e: &WhitelistEntry) -> Decimal {
        self.loads
            .iter()
            .filter(|l| {
                l.whitelist_agreement.as_deref() == Some(e.agreement.as_str())
                    && l.generator == e.generator
                    && l.receiver == e.receiver
            })
            .map(|l| l.usage.used_t())
            .sum()
    }
}

fn end_of_year(d: Date) -> Date {
    Date::new(d.year(), 12, 31).unwrap_or(d)
}

fn check(name: &str, passed: bool, detail: String) -> Check {
    Check {
        check: name.into(),
        passed,
        detail,
    }
}

/// Runs the checks; `Err` is a refusal with its reason.
pub fn plan_application(
    req: &NewApplication,
    ctx: &ApplyContext,
    catalog: &Catalog,
    calendar: &Calendar,
    rules: &Rules,
) -> Result<Planned, WasteError> {
    let refuse = |m: String| Err(WasteError::Refused(m));
    let Some(code) = catalog.code(&req.code) else {
        return refuse(format!(
            "{} is not a code of the National Hazardous Waste List (2021) as shipped",
            req.code
        ));
    };
    if req.tonnes_t <= Decimal::ZERO {
        return refuse(format!("tonnes must be positive, not {}", req.tonnes_t));
    }
    if req.from_province == req.to_province
        || req.from_province.code() == "CN"
        || req.to_province.code() == "CN"
    {
        return refuse(format!(
            "{} -> {} is not a transfer between two provinces",
            req.from_province.code(),
            req.to_province.code()
        ));
    }
    if req.generator == req.receiver {
        return refuse("generator and receiver are the same enterprise".into());
    }
    // The calendar must cover the submission year before anything is promised.
    calendar.is_working_day(req.submitted_on)?;
    let planned_to = req
        .planned_to
        .unwrap_or_else(|| end_of_year(req.submitted_on));
    if planned_to < req.submitted_on {
        return refuse(format!(
            "the planned period ends {planned_to}, before the submission day {}",
            req.submitted_on
        ));
    }
    let mut checks = vec![check(
        "code",
        true,
        format!("{} {} ({})", code.code, code.name_zh, code.category),
    )];

    // Permit: of the receiver, in the importing province, covering the code.
    let covering: Vec<&Permit> = ctx
        .permits
        .iter()
        .filter(|p| {
            p.holder == req.receiver && p.province == req.to_province && p.covers(&req.code)
        })
        .collect();
    if covering.is_empty() {
        return refuse(format!(
            "receiver {} has no permit in {} covering {} (import its permit with `waste import-permits`)",
            req.receiver,
            req.to_province.code(),
            req.code
        ));
    }
    let Some(permit) = covering
        .iter()
        .find(|p| p.valid_through(req.submitted_on, planned_to))
    else {
        let p = covering[0];
        return refuse(format!(
            "permit {} is valid {} to {}, not for the whole transfer {} to {planned_to}",
            p.permit_no, p.valid_from, p.valid_to, req.submitted_on
        ));
    };
    let remaining = permit.capacity_t - ctx.permit_used_t(&permit.permit_no);
    if req.tonnes_t > remaining {
        return refuse(format!(
            "permit {} has {remaining} t of its {} t for {} left; {} t asked",
            permit.permit_no,
            permit.capacity_t,
            req.submitted_on.year(),
            req.tonnes_t
        ));
    }
    checks.push(check(
        "permit",
        true,
        format!(
            "{} covers {}, valid {} to {}, {remaining} t of {} t left",
            permit.permit_no, req.code, permit.valid_from, permit.valid_to, permit.capacity_t
        ),
    ));

    checks.push(declaration_check(req, ctx)?);

    // Whitelist: the pair on the route, covering the code, valid, with room under its cap.
    let pair: Vec<&WhitelistEntry> = ctx
        .whitelist
        .iter()
        .filter(|e| {
            e.generator == req.generator
                && e.receiver == req.receiver
                && e.from_province == req.from_province
                && e.to_province == req.to_province
        })
        .collect();
    let mut whitelist = None;
    let mut why_not = Vec::new();
    for e in &pair {
        let left = e.yearly_cap_t - ctx.whitelist_used_t(e);
        if !e.covers(&req.code) {
            why_not.push(format!("{}: does not list {}", e.agreement, req.code));
        } else if !e.valid_through(req.submitted_on, planned_to) {
            why_not.push(format!(
                "{}: valid {} to {}, not through {planned_to}",
                e.agreement, e.valid_from, e.valid_to
            ));
        } else if req.tonnes_t > left {
            why_not.push(format!(
                "{}: {left} t of the yearly {} t left; {} t asked",
                e.agreement, e.yearly_cap_t, req.tonnes_t
            ));
        } else {
            whitelist = Some((e.agreement.clone(), left, e.yearly_cap_t));
            break;
        }
    }
    let whitelisted = whitelist.is_some();
    checks.push(match &whitelist {
        Some((a, left, cap)) => check(
            "whitelist",
            true,
            format!("{a}: {left} t of the yearly {cap} t left"),
        ),
        None if pair.is_empty() => check(
            "whitelist",
            false,
            format!(
                "no whitelist agreement for this pair on {} -> {}",
                req.from_province.code(),
                req.to_province.code()
            ),
        ),
        None => check("whitelist", false, why_not.join("; ")),
    });
    let days = rules.approval_days(whitelisted);
    let due_on = calendar.add_working_days(req.submitted_on, days)?;
    checks.push(check(
        "due_date",
        true,
        format!(
            "{days} working days after {}: {due_on} ({})",
            req.submitted_on,
            if whitelisted {
                &rules.whitelist.source
            } else {
                &rules.statutory.source
            }
        ),
    ));
    Ok(Planned {
        permit_no: permit.permit_no.clone(),
        whitelisted,
        whitelist_agreement: whitelist.map(|(a, _, _)| a),
        planned_to,
        due_on,
        checks,
    })
}

/// The generator declared the code for the submission year, and its earlier applications
/// of the year plus this one fit the declared annual tonnes (exactly the declared amount
/// passes). Without any imported declaration the check is recorded as not possible.
fn declaration_check(req: &NewApplication, ctx: &ApplyContext) -> Result<Check, WasteError> {
    let year = i32::from(req.submitted_on.year());
    let Some(declarations) = &ctx.declarations else {
        return Ok(check(
            "declaration",
            false,
            "not possible: no generator declarations have been imported \
             (`waste import-declarations`); the declared amount was not checked"
                .into(),
        ));
    };
    let Some(d) = declarations
        .iter()
        .find(|d| d.generator == req.generator && d.code == req.code && d.year == year)
    else {
        return Err(WasteError::Refused(format!(
            "generator {} declared no {} for {year} (import its declaration with `waste import-declarations`)",
            req.generator, req.code
        )));
    };
    let earlier = ctx
        .generator_applied_t(&req.generator, &req.code)
        .normalize();
    let left = (d.annual_t - earlier).normalize();
    if req.tonnes_t > left {
        return Err(WasteError::Refused(format!(
            "generator {} declared {} t of {} for {year}; {earlier} t applied for earlier, \
             {} t left; {} t asked",
            req.generator,
            d.annual_t.normalize(),
            req.code,
            left.max(Decimal::ZERO),
            req.tonnes_t.normalize()
        )));
    }
    Ok(check(
        "declaration",
        true,
        format!(
            "declared {} t of {} for {year}, {earlier} t applied for earlier, {left} t left",
            d.annual_t.normalize(),
            req.code
        ),
    ))
}
