//! Statistics of a province's transfers in a year (for "no-waste city" reporting): counts,
//! tonnes by code and by route, approval times in working days, the whitelist's share,
//! manifests and their discrepancies, and the share of received tonnes that was utilised.

use crate::WasteError;
use crate::model::{Application, Manifest, Purpose, Status};
use rust_decimal::Decimal;
use serde::Serialize;
use std::collections::BTreeMap;
use zp_domain::time::Date;
use zp_domain::{Calendar, Region};

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Default, schemars::JsonSchema)]
pub struct Tonnes {
    pub applications: usize,
    /// Tonnes of approved applications.
    pub approved_t: Decimal,
    /// Tonnes received on manifests.
    pub received_t: Decimal,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, schemars::JsonSchema)]
pub struct RouteLine {
    pub from_province: String,
    pub to_province: String,
    #[serde(flatten)]
    pub tonnes: Tonnes,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, schemars::JsonSchema)]
pub struct CodeLine {
    pub code: String,
    #[serde(flatten)]
    pub tonnes: Tonnes,
}

/// The report of `region` in `year` (applications submitted in that year, leaving or
/// entering the region).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, schemars::JsonSchema)]
pub struct WasteReport {
    pub region: String,
    pub year: i32,
    pub applications: usize,
    pub approved: usize,
    pub rejected: usize,
    pub pending: usize,
    /// Settled after the due date, or pending past it on `as_of`.
    pub overdue: usize,
    pub as_of: Date,
    pub whitelisted_approved: usize,
    /// Whitelisted approvals / approvals (`null` without approvals).
    pub whitelist_share: Option<Decimal>,
    pub approved_t: Decimal,
    /// Approved tonnes leaving and entering the region.
    pub exported_t: Decimal,
    pub imported_t: Decimal,
    /// Median working days from submission to approval, all / whitelisted / ordinary.
    pub median_approval_working_days: Option<Decimal>,
    pub median_whitelisted_working_days: Option<Decimal>,
    pub median_ordinary_working_days: Option<Decimal>,
    pub manifests: usize,
    pub shipped_t: Decimal,
    pub received_t: Decimal,
    pub discrepancies: usize,
    /// Received tonnes sent for utilisation (利用) and for disposal (处置).
    pub utilised_t: Decimal,
    pub disposed_t: Decimal,
    /// utilised / received (`null` when nothing was received).
    pub utilisation_share: Option<Decimal>,
    pub by_code: Vec<CodeLine>,
    pub by_route: Vec<RouteLine>,
}

/// Received tonnes and the part of them sent for utilisation (利用), of a set of
/// applications (the same definition as [`WasteReport::utilisation_share`]).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Default)]
pub struct Utilisation {
    /// Applications counted (submitted in the year, by the chosen generators).
    pub applications: usize,
    /// Tonnes received on manifests.
    pub received_t: Decimal,
    /// Received tonnes of applications whose purpose is utilisation.
    pub utilised_t: Decimal,
    /// utilised / received, 4 decimals (`null` when nothing was received).
    pub share: Option<Decimal>,
}

/// The utilisation share of the waste the generators `of` transferred: applications
/// submitted in `year` whose generator `of` accepts, their manifests' received tonnes, and
/// the part of those sent for utilisation.
pub fn generators_utilisation(
    of: impl Fn(&zp_domain::CreditCode) -> bool,
    year: i32,
    apps: &[Application],
    manifests: &[Manifest],
) -> Utilisation {
    let mut u = Utilisation::default();
    for a in apps
        .iter()
        .filter(|a| i32::from(a.submitted_on.year()) == year && of(&a.generator))
    {
        u.applications += 1;
        let received: Decimal = manifests
            .iter()
            .filter(|m| m.application_id == a.id)
            .filter_map(|m| m.received_t)
            .sum();
        u.received_t += received;
        if a.purpose == Purpose::Utilise {
            u.utilised_t += received;
        }
    }
    u.share = share(u.utilised_t, u.received_t);
    u
}

/// The median of whole numbers (the mean of the middle two for an even count).
pub fn median(values: &mut [i64]) -> Option<Decimal> {
    values.sort_unstable();
    let n = values.len();
    match n {
        0 => None,
        _ if n % 2 == 1 => Some(Decimal::from(values[n / 2])),
        _ => Some(Decimal::from(values[n / 2 - 1] + values[n / 2]) / Decimal::TWO),
    }
}

fn share(part: Decimal, whole: Decimal) -> Option<Decimal> {
    (whole > Decimal::ZERO).then(|| (part / whole).round_dp(4))
}

/// Builds the report from the region's applications of the year and their manifests.
pub fn report(
    region: Region,
    year: i32,
    apps: &[Application],
    manifests: &[Manifest],
    calendar: &Calendar,
    as_of: Date,
) -> Result<WasteReport, WasteError> {
    let apps: Vec<&Application> = apps
        .iter()
        .filter(|a| {
            i32::from(a.submitted_on.year()) == year
                && (a.from_province == region || a.to_province == region)
        })
        .collect();
    let received_of = |id: i64| -> Decimal {
        manifests
            .iter()
            .filter(|m| m.application_id == id)
            .filter_map(|m| m.received_t)
            .sum()
    };
    let mut r = WasteReport {
        region: region.code().to_string(),
        year,
        applications: apps.len(),
        approved: 0,
        rejected: 0,
        pending: 0,
        overdue: 0,
        as_of,
        whitelisted_approved: 0,
        whitelist_share: None,
        approved_t: Decimal::ZERO,
        exported_t: Decimal::ZERO,
        imported_t: Decimal::ZERO,
        median_approval_working_days: None,
        median_whitelisted_working_days: None,
        median_ordinary_working_days: None,
        manifests: 0,
        shipped_t: Decimal::ZERO,
        received_t: Decimal::ZERO,
        discrepancies: 0,
        utilised_t: Decimal::ZERO,
        disposed_t: Decimal::ZERO,
        utilisation_share: None,
        by_code: Vec::new(),
        by_route: Vec::new(),
    };
    let (mut all_days, mut wl_days, mut ord_days) = (Vec::new(), Vec::new(), Vec::new());
    let mut by_code: BTreeMap<String, Tonnes> = BTreeMap::new();
    let mut by_route: BTreeMap<(String, String), Tonnes> = BTreeMap::new();
    for a in &apps {
        let received = received_of(a.id);
        let approved_t = if a.status() == Status::Approved {
            a.tonnes_t
        } else {
            Decimal::ZERO
        };
        match a.status() {
            Status::Pending => r.pending += 1,
            Status::Rejected => r.rejected += 1,
            Status::Approved => {
                r.approved += 1;
                r.approved_t += a.tonnes_t;
                if a.from_province == region {
                    r.exported_t += a.tonnes_t;
                }
                if a.to_province == region {
                    r.imported_t += a.tonnes_t;
                }
                let days = a.working_days_taken(calendar)?.unwrap_or(0);
                all_days.push(days);
                if a.whitelisted {
                    r.whitelisted_approved += 1;
                    wl_days.push(days);
                } else {
                    ord_days.push(days);
                }
            }
        }
        if a.overdue(as_of) {
            r.overdue += 1;
        }
        match a.purpose {
            Purpose::Utilise => r.utilised_t += received,
            Purpose::Dispose => r.disposed_t += received,
        }
        for t in [
            by_code.entry(a.code.clone()).or_default(),
            by_route
                .entry((a.from_province.code().into(), a.to_province.code().into()))
                .or_default(),
        ] {
            t.applications += 1;
            t.approved_t += approved_t;
            t.received_t += received;
        }
    }
    for m in manifests
        .iter()
        .filter(|m| apps.iter().any(|a| a.id == m.application_id))
    {
        r.manifests += 1;
        r.shipped_t += m.shipped_t;
        r.received_t += m.received_t.unwrap_or_default();
        r.discrepancies += usize::from(m.discrepancy);
    }
    r.whitelist_share = share(
        Decimal::from(r.whitelisted_approved),
        Decimal::from(r.approved),
    );
    r.utilisation_share = share(r.utilised_t, r.received_t);
    r.median_approval_working_days = median(&mut all_days);
    r.median_whitelisted_working_days = median(&mut wl_days);
    r.median_ordinary_working_days = median(&mut ord_days);
    r.by_code = by_code
        .into_iter()
        .map(|(code, tonnes)| CodeLine { code, tonnes })
        .collect();
    r.by_route = by_route
        .into_iter()
        .map(|((from_province, to_province), tonnes)| RouteLine {
            from_province,
            to_province,
            tonnes,
        })
        .collect();
    Ok(r)
}
