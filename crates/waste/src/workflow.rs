//! After submission: the two provinces' decisions and the manifests of the shipments.
//!
//! The importing province consents (or refuses) and the exporting province approves only
//! after that consent (《危险废物转移管理办法》第十九条: the exporting province consults the
//! importing one before it approves); either may reject at any time while pending. Goods
//! move only under an approved application, within its planned period and its tonnes.

use crate::model::{Application, Decision, Manifest, Side, Status};
use crate::{Rules, WasteError};
use rust_decimal::Decimal;
use zp_domain::Calendar;
use zp_domain::time::Date;

/// A province's answer.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Verdict {
    Approve,
    Reject(String),
}

/// Checks a decision against the application's state; returns the decision to record.
pub fn decide(
    app: &Application,
    side: Side,
    verdict: &Verdict,
    on: Date,
    actor: &str,
    calendar: &Calendar,
) -> Result<Decision, WasteError> {
    let refuse = |m: String| Err(WasteError::Refused(m));
    if app.status() != Status::Pending {
        return refuse(format!(
            "application {} is already {}",
            app.id,
            app.status().as_str()
        ));
    }
    if let Some(d) = app.decision(side) {
        return refuse(format!(
            "the {} province already decided application {} on {}",
            side.as_str(),
            app.id,
            d.on
        ));
    }
    if on < app.submitted_on {
        return refuse(format!(
            "decision date {on} is before the submission day {}",
            app.submitted_on
        ));
    }
    calendar.is_working_day(on)?;
    let (approved, reason) = match verdict {
        Verdict::Approve => (true, None),
        Verdict::Reject(r) if r.trim().is_empty() => {
            return refuse("a rejection needs a reason".into());
        }
        Verdict::Reject(r) => (false, Some(r.trim().to_string())),
    };
    if side == Side::Export && approved && app.import.is_none() {
        return refuse(format!(
            "the exporting province approves after the importing province ({}) consented; application {} has no import decision yet",
            app.to_province.code(),
            app.id
        ));
    }
    if let Some(other) = app.decision(match side {
        Side::Export => Side::Import,
        Side::Import => Side::Export,
    }) && on < other.on
    {
        return refuse(format!(
            "decision date {on} is before the other province's decision of {}",
            other.on
        ));
    }
    Ok(Decision {
        approved,
        reason,
        on,
        actor: actor.to_string(),
    })
}

/// Checks a shipment under an application whose manifests so far are `manifests`.
pub fn check_shipment(
    app: &Application,
    manifests: &[Manifest],
    tonnes_t: Decimal,
    on: Date,
    transporters: &[String],
) -> Result<(), WasteError> {
    let refuse = |m: String| Err(WasteError::Refused(m));
    if app.status() != Status::Approved {
        return refuse(format!(
            "application {} is {}: only approved transfers ship",
            app.id,
            app.status().as_str()
        ));
    }
    if tonnes_t <= Decimal::ZERO {
        return refuse(format!("shipped tonnes must be positive, not {tonnes_t}"));
    }
    if transporters.iter().all(|t| t.trim().is_empty()) {
        return refuse("a manifest names at least one transporter".into());
    }
    let approved_on = app.decided_on().unwrap_or(app.submitted_on);
    if on < approved_on || on > app.planned_to {
        return refuse(format!(
            "shipping date {on} is outside the approved period {approved_on} to {}",
            app.planned_to
        ));
    }
    let shipped: Decimal = manifests.iter().map(|m| m.shipped_t).sum();
    if shipped + tonnes_t > app.tonnes_t {
        return refuse(format!(
            "application {} approved {} t; {shipped} t shipped already, {tonnes_t} t more would exceed it",
            app.id, app.tonnes_t
        ));
    }
    Ok(())
}

/// What receiving a manifest records.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Receipt {
    pub received_t: Decimal,
    pub received_on: Date,
    pub discrepancy: bool,
    /// received - shipped.
    pub difference_t: Decimal,
}

/// The receiver signs with the weighed tonnes; a difference beyond the tolerance is flagged.
pub fn receive(
    manifest: &Manifest,
    received_t: Decimal,
    on: Date,
    rules: &Rules,
) -> Result<Receipt, WasteError> {
    if manifest.received_on.is_some() {
        return Err(WasteError::Refused(format!(
            "manifest {} was already received",
            manifest.id
        )));
    }
    if received_t < Decimal::ZERO {
        return Err(WasteError::Refused(format!(
            "received tonnes must not be negative, not {received_t}"
        )));
    }
    if on < manifest.shipped_on {
        return Err(WasteError::Refused(format!(
            "receiving date {on} is before the shipping date {}",
            manifest.shipped_on
        )));
    }
    let difference_t = received_t - manifest.shipped_t;
    let allowed =
        manifest.shipped_t * rules.manifest.discrepancy_tolerance_pct / Decimal::ONE_HUNDRED;
    Ok(Receipt {
        received_t,
        received_on: on,
        discrepancy: difference_t.abs() > allowed,
        difference_t,
    })
}
