//! Use cases of the energy and carbon assessment of proposed projects (节能审查 with carbon
//! evaluation) and their register.
//!
//! A project's designed yearly energy use runs through the same accounting engine, catalog
//! and fallbacks as an inventory (`zp_accounting::compute` with fresh pins): the project's
//! province's grid factor of its year, else its regional grid's, else the nation's, else the
//! latest published year, each fallback in `notes`. Energy is calorific (electricity at
//! 0.1229 kgce/kWh) and, when the catalog holds a coal-equivalent (等价值) electricity
//! factor, coal-equivalent too. Planned green power (`green_power_mwh`) enters as retired
//! certificates do: market-based Scope 2 = (grid MWh - green power, not below 0) x the
//! market residual factor. Carbon in intensities and budget shares is Scope 1 + Scope 2
//! location-based, as in budgets. The budget share is the project's tce and tCO2 over what
//! is left of its park's budget of the year (else its region's): budget - the existing
//! enterprises' forecast (`budget::budget_report`), not below zero.

pub use zp_energy::assess::{Project, ProjectEnergy, ProjectError};
pub use zp_store::AssessedProject;

use crate::budget::{BudgetScope, budget_report};
use crate::{AppError, Caller};
use rust_decimal::Decimal;
use serde::Serialize;
use sha2::{Digest, Sha256};
use std::path::Path;
use zp_accounting::{
    ActivityLine, CarrierLine, FactorUse, GridFactorMode, Options, OrgInput, SteamState, compute,
};
use zp_domain::time::Date;
use zp_domain::{Carrier, CreditCode, Period, Quantity, Unit};
use zp_energy::assess::{parse_project, ratio, remaining_share};
use zp_factors::{CatalogError, Pins};
use zp_store::{Access, NewAssessment, Store};

/// The statuses a registered project can have.
pub const STATUSES: [&str; 3] = ["assessed", "approved", "rejected"];

/// A project's share of what is left of a yearly budget.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct BudgetShare {
    /// `park` or `region`.
    pub scope_kind: String,
    pub scope: String,
    pub year: i32,
    pub as_of: Date,
    /// `forecast` (the existing enterprises' year-end forecast) or `actual` (no forecast).
    pub used_basis: String,
    pub budget_tce: Decimal,
    pub used_tce: Decimal,
    pub remaining_tce: Decimal,
    /// Project tce / remaining tce; `None` when nothing remains.
    pub share_tce: Option<Decimal>,
    pub budget_tco2: Decimal,
    pub used_tco2: Decimal,
    pub remaining_tco2: Decimal,
    pub share_tco2: Option<Decimal>,
}

/// A project's assessment (what the register stores).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Assessment {
    pub name: String,
    pub region: String,
    pub park: Option<String>,
    pub industry: String,
    pub year: i32,
    pub output_10k_yuan: Decimal,
    pub green_power_mwh: Decimal,
    /// Calorific: electricity at 0.1229 kgce/kWh (GB/T 2589).
    pub energy_tce: Decimal,
    /// Electricity at the catalog's coal-equivalent (等价值); `None` when none is in it.
    pub energy_coal_equivalent_tce: Option<Decimal>,
    pub scope1_tco2: Decimal,
    pub scope2_location_tco2: Decimal,
    pub scope2_market_tco2: Decimal,
    /// Scope 1 + Scope 2 location-based.
    pub carbon_tco2: Decimal,
    pub grid_electricity_mwh: Decimal,
    pub onsite_renewable_mwh: Decimal,
    /// Green power applied (never more than the grid electricity).
    pub green_power_applied_mwh: Decimal,
    pub intensity_tce_per_10k_yuan: Option<Decimal>,
    /// (Scope 1 + Scope 2 location-based) / output value.
    pub carbon_tco2_per_10k_yuan: Option<Decimal>,
    pub carbon_market_tco2_per_10k_yuan: Option<Decimal>,
    /// Null when neither the park nor the region has a budget for the year.
    pub budget_share: Option<BudgetShare>,
    /// Each product's energy intensity against the values the file cites.
    pub products: Vec<zp_energy::ProductIntensity>,
    pub lines: Vec<CarrierLine>,
    pub factors: Vec<FactorUse>,
    pub notes: Vec<String>,
}

/// `zeropark assess project`: the assessment and where the register holds it.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct AssessReport {
    #[serde(flatten)]
    pub assessment: Assessment,
    pub register_id: i64,
    pub status: String,
    /// `inserted`, `updated` (a new result: status back to assessed) or `unchanged`.
    pub register: &'static str,
}

/// The engine needs an enterprise: a project has none yet, so it is accounted under this
/// placeholder code (never stored as an enterprise).
fn placeholder_code() -> CreditCode {
    CreditCode::complete("91000000000000000").expect("a well-formed placeholder")
}

/// Runs the assessment of a validated project (nothing is stored). `file` names the
/// energy rows' source.
pub fn assess(
    store: &mut dyn Store,
    caller: &Caller,
    project: &Project,
    file: &str,
    as_of: Date,
) -> Result<Assessment, AppError> {
    let catalog = crate::catalog(store)?;
    let period = Period::new(project.year, 1).map_err(|e| AppError::Invalid(e.to_string()))?;
    let mut lines: Vec<ActivityLine> = project
        .energy
        .iter()
        .enumerate()
        .map(|(i, e)| ActivityLine {
            id: i as i64 + 1,
            period,
            carrier: e.carrier,
            quantity: e.quantity,
            source: format!("{file}:[[energy]] {}", i + 1),
            steam: e.pressure_mpa.map(|pressure_mpa| SteamState {
                pressure_mpa,
                temperature_c: e.temperature_c,
            }),
            serials: None,
        })
        .collect();
    if project.green_power_mwh > Decimal::ZERO {
        lines.push(ActivityLine {
            id: lines.len() as i64 + 1,
            period,
            carrier: Carrier::GreenCertificate,
            quantity: Quantity::new(project.green_power_mwh, Unit::Mwh),
            source: format!("{file}:green_power_mwh"),
            steam: None,
            serials: None,
        });
    }
    let input = OrgInput {
        org: placeholder_code(),
        name: project.name.clone(),
        region: project.region,
        year: project.year,
        lines,
        output_value_10k_yuan: Some(project.output_10k_yuan),
        onsite_certificates_sold_mwh: Decimal::ZERO,
    };
    let inv = compute(
        &input,
        &catalog,
        &mut Pins::default(),
        Options {
            grid: GridFactorMode::Provincial,
        },
    )?;
    // A planned purchase names no certificate serials yet: say what it is instead.
    let mut notes: Vec<String> = inv
        .notes
        .iter()
        .filter(|n| !n.contains("name no serials"))
        .cloned()
        .collect();
    if project.green_power_mwh > Decimal::ZERO {
        notes.push(format!(
            "green_power_mwh {} MWh: planned green-power purchase, applied against grid electricity like retired certificates (market-based Scope 2 only; location-based unchanged)",
            project.green_power_mwh.normalize()
        ));
    }
    let coal_equivalent = match zp_accounting::with_coal_equivalent_electricity(&inv, &catalog) {
        Ok(c) => {
            notes.extend(c.notes.last().cloned());
            Some(c.energy_tce)
        }
        Err(zp_accounting::AccountingError::Factor(CatalogError::Missing(_))) => {
            notes.push(format!(
                "energy_coal_equivalent_tce is null: no coal-equivalent (等价值) electricity factor for {} is in the catalog (none is shipped for lack of a citable source; import one with `zeropark import factors FILE --set NAME`, kind electricity_coal_equivalent)",
                project.year
            ));
            None
        }
        Err(e) => return Err(e.into()),
    };
    let carbon = inv.scope1_tco2 + inv.scope2_location_tco2;
    let per_output = |v: Decimal| ratio(v, project.output_10k_yuan);
    let budget_share = budget_share(
        store,
        caller,
        project,
        inv.energy_tce,
        carbon,
        as_of,
        &mut notes,
    )?;
    Ok(Assessment {
        name: project.name.clone(),
        region: project.region.code().into(),
        park: project.park.clone(),
        industry: project.industry.clone(),
        year: project.year,
        output_10k_yuan: project.output_10k_yuan,
        green_power_mwh: project.green_power_mwh,
        energy_tce: inv.energy_tce,
        energy_coal_equivalent_tce: coal_equivalent,
        scope1_tco2: inv.scope1_tco2,
        scope2_location_tco2: inv.scope2_location_tco2,
        scope2_market_tco2: inv.scope2_market_tco2,
        carbon_tco2: carbon,
        grid_electricity_mwh: inv.grid_electricity_mwh,
        onsite_renewable_mwh: inv.onsite_renewable_mwh,
        green_power_applied_mwh: inv.certificates_applied_mwh,
        intensity_tce_per_10k_yuan: per_output(inv.energy_tce),
        carbon_tco2_per_10k_yuan: per_output(carbon),
        carbon_market_tco2_per_10k_yuan: per_output(inv.scope1_tco2 + inv.scope2_market_tco2),
        budget_share,
        products: zp_energy::assess::product_intensities(inv.energy_tce, &project.products),
        lines: inv.lines,
        factors: inv.factors,
        notes,
    })
}

/// The share of the park's (else the region's) remaining budget of the project's year.
fn budget_share(
    store: &mut dyn Store,
    caller: &Caller,
    project: &Project,
    tce: Decimal,
    tco2: Decimal,
    as_of: Date,
    notes: &mut Vec<String>,
) -> Result<Option<BudgetShare>, AppError> {
    let year = project.year;
    let mut scopes = Vec::new();
    if let Some(p) = &project.park {
        match store.park(&caller.access, p)? {
            Some(park) => {
                if park.region != project.region {
                    notes.push(format!(
                        "park {p:?} is registered in {}, the project names region {}",
                        park.region.code(),
                        project.region.code()
                    ));
                }
                scopes.push(BudgetScope::Park(p.clone()));
            }
            None => notes.push(format!(
                "park {p:?} is not registered (or not visible to you): its budget cannot be looked up"
            )),
        }
    }
    scopes.push(BudgetScope::Region(project.region));
    for scope in scopes {
        if store.budget(&scope, year)?.is_none() {
            continue;
        }
        let r = budget_report(store, caller, &scope, year, as_of)?;
        let (basis, used_tce, used_tco2) = match (r.forecast_tce, r.forecast_tco2) {
            (Some(a), Some(b)) => ("forecast", a, b),
            _ => ("actual", r.actual_tce, r.actual_tco2),
        };
        let e = remaining_share(tce, r.budget_tce, used_tce);
        let c = remaining_share(tco2, r.budget_tco2, used_tco2);
        if e.share.is_none() || c.share.is_none() {
            notes.push(format!(
                "the {year} budget of {} {} is used up ({basis}): nothing remains for the project",
                r.scope_kind, r.scope
            ));
        }
        for (what, share) in [("energy", e.share), ("carbon", c.share)] {
            if share.is_some_and(|s| s > Decimal::ONE) {
                notes.push(format!(
                    "the project's {what} alone exceeds what remains of the {year} budget of {} {}",
                    r.scope_kind, r.scope
                ));
            }
        }
        notes.push(format!(
            "budget share: project / ({} {} budget {year} - its {basis} as of {as_of})",
            r.scope_kind, r.scope
        ));
        return Ok(Some(BudgetShare {
            scope_kind: r.scope_kind,
            scope: r.scope,
            year,
            as_of,
            used_basis: basis.into(),
            budget_tce: e.budget,
            used_tce: e.used,
            remaining_tce: e.remaining,
            share_tce: e.share,
            budget_tco2: c.budget,
            used_tco2: c.used,
            remaining_tco2: c.remaining,
            share_tco2: c.share,
        }));
    }
    notes.push(format!(
        "budget_share is null: no {year} budget is set for {}region {}",
        project
            .park
            .as_ref()
            .map(|p| format!("park {p:?} or "))
            .unwrap_or_default(),
        project.region.code()
    ));
    Ok(None)
}

/// `zeropark assess project FILE.toml`: reads and validates the file, assesses the project
/// as of `as_of` (for the budget share) and registers it (by name; a changed result puts
/// its status back to `assessed`).
pub fn assess_file(
    store: &mut dyn Store,
    caller: &Caller,
    path: &Path,
    as_of: Date,
) -> Result<AssessReport, AppError> {
    if matches!(caller.access, Access::Org(_)) {
        return Err(AppError::Invalid(
            "project assessments are made by a platform, region or park administrator".into(),
        ));
    }
    let bytes = std::fs::read(path)
        .map_err(|e| AppError::Invalid(format!("cannot read {}: {e}", path.display())))?;
    let file = path.display().to_string();
    let text = String::from_utf8(bytes.clone())
        .map_err(|_| AppError::Invalid(format!("{file} is not UTF-8 text")))?;
    let project = parse_project(&file, &text).map_err(|e| AppError::Invalid(e.to_string()))?;
    let name = path
        .file_name()
        .map(|n| n.to_string_lossy().to_string())
        .unwrap_or_else(|| file.clone());
    let assessment = assess(store, caller, &project, &name, as_of)?;
    let result = serde_json::to_value(&assessment).map_err(|e| AppError::Invalid(e.to_string()))?;
    let (id, upsert) = store.save_assessment(
        &NewAssessment {
            name: project.name.clone(),
            region: project.region,
            park: project.park.clone(),
            industry: project.industry.clone(),
            year: project.year,
            file: name,
            sha256: hex::encode(Sha256::digest(&bytes)),
            result,
        },
        &caller.actor,
    )?;
    let status = store
        .assessments(&caller.access)?
        .into_iter()
        .find(|p| p.id == id)
        .map(|p| p.status)
        .unwrap_or_else(|| "assessed".into());
    Ok(AssessReport {
        assessment,
        register_id: id,
        status,
        register: match upsert {
            zp_store::Upsert::Inserted => "inserted",
            zp_store::Upsert::Updated => "updated",
            zp_store::Upsert::Unchanged => "unchanged",
        },
    })
}

/// `zeropark assess list`: the register as the caller may see it, newest first.
pub fn list(store: &mut dyn Store, caller: &Caller) -> Result<Vec<AssessedProject>, AppError> {
    Ok(store.assessments(&caller.access)?)
}

/// `zeropark assess set-status ID STATUS`: records the approving authority's decision.
pub fn set_status(
    store: &mut dyn Store,
    caller: &Caller,
    id: i64,
    status: &str,
    note: &str,
) -> Result<AssessedProject, AppError> {
    if !STATUSES.contains(&status) {
        return Err(AppError::Invalid(format!(
            "status {status:?} is not one of {}",
            STATUSES.join(", ")
        )));
    }
    if matches!(caller.access, Access::Org(_)) {
        return Err(AppError::Invalid(
            "project decisions are recorded by a platform, region or park administrator".into(),
        ));
    }
    match store.set_assessment_status(&caller.access, id, status, note, &caller.actor) {
        Err(zp_store::StoreError::NotFound(m)) => Err(AppError::NotFound(m)),
        r => Ok(r?),
    }
}

/// `zeropark assess link ID --org CODE`: the enterprise that built a registered project.
pub fn link(
    store: &mut dyn Store,
    caller: &Caller,
    id: i64,
    org: &CreditCode,
) -> Result<zp_store::Upsert, AppError> {
    if matches!(caller.access, Access::Org(_)) {
        return Err(AppError::Invalid(
            "projects are linked by a platform, region or park administrator".into(),
        ));
    }
    match store.link_assessment(&caller.access, id, org, &caller.actor) {
        Err(zp_store::StoreError::NotFound(m)) => Err(AppError::NotFound(format!(
            "{m} is not registered (or not visible to you)"
        ))),
        r => Ok(r?),
    }
}

/// One figure assessed and metered.
#[derive(Debug, Clone, PartialEq, Serialize, schemars::JsonSchema)]
pub struct Compared {
    pub assessed: Decimal,
    pub actual: Decimal,
    /// actual - assessed.
    pub difference: Decimal,
    /// difference / assessed; `None` when nothing was assessed.
    pub difference_share: Option<Decimal>,
}

impl Compared {
    fn of(assessed: Decimal, actual: Decimal) -> Compared {
        let difference = actual - assessed;
        Compared {
            assessed: assessed.normalize(),
            actual: actual.normalize(),
            difference: difference.normalize(),
            difference_share: (assessed != Decimal::ZERO)
                .then(|| (difference / assessed).round_dp(4).normalize()),
        }
    }
}

/// `zeropark assess compare ID --year Y`: the assessment against the linked enterprise's
/// accounts of a year (its ledger, the same engine and catalog).
#[derive(Debug, Clone, PartialEq, Serialize, schemars::JsonSchema)]
pub struct Comparison {
    pub id: i64,
    pub name: String,
    pub status: String,
    pub org: String,
    pub year: i32,
    pub energy_tce: Compared,
    /// Scope 1 + Scope 2 location-based.
    pub carbon_tco2: Compared,
    pub scope2_market_tco2: Compared,
    pub notes: Vec<String>,
}

fn figure(result: &serde_json::Value, key: &str) -> Result<Decimal, AppError> {
    let v = &result[key];
    v.as_str()
        .map(str::to_string)
        .unwrap_or_else(|| v.to_string())
        .parse::<Decimal>()
        .map_err(|_| AppError::Invalid(format!("the stored assessment has no {key}")))
}

/// Compares a registered project, linked to its enterprise, with that enterprise's year.
pub fn compare(
    store: &mut dyn Store,
    caller: &Caller,
    id: i64,
    year: i32,
) -> Result<Comparison, AppError> {
    let project = store
        .assessments(&caller.access)?
        .into_iter()
        .find(|p| p.id == id)
        .ok_or_else(|| {
            AppError::NotFound(format!(
                "assessed project {id} is not registered (or not visible to you)"
            ))
        })?;
    let org = store.assessment_link(id)?.ok_or_else(|| {
        AppError::Invalid(format!(
            "project {id} ({}) is not linked to an enterprise: zeropark assess link {id} --org CODE",
            project.name
        ))
    })?;
    let catalog = crate::inventory::catalog(store)?;
    let inv = crate::inventory::org_inventory(
        store,
        &catalog,
        &caller.access,
        &org,
        year,
        GridFactorMode::Provincial,
        &caller.actor,
    )?;
    let r = &project.result;
    let mut notes = vec![format!(
        "assessed for {} ({} status); actual = the enterprise's whole ledger of {year}",
        project.year, project.status
    )];
    if project.year != year {
        notes.push(format!(
            "the assessment is of {}, the accounts of {year}: factors of different years",
            project.year
        ));
    }
    if !inv.complete {
        notes.push(
            "the enterprise's accounts of the year are incomplete (see its inventory)".into(),
        );
    }
    Ok(Comparison {
        id,
        name: project.name.clone(),
        status: project.status.clone(),
        org: org.to_string(),
        year,
        energy_tce: Compared::of(figure(r, "energy_tce")?, inv.energy_tce),
        carbon_tco2: Compared::of(
            figure(r, "carbon_tco2")?,
            inv.scope1_tco2 + inv.scope2_location_tco2,
        ),
        scope2_market_tco2: Compared::of(figure(r, "scope2_market_tco2")?, inv.scope2_market_tco2),
        notes,
    })
}
