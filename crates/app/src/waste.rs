//! Use cases of hazardous waste transfers across provincial borders (危险废物跨省转移):
//! the working-day calendar, permit, whitelist and declaration imports, applications with
//! their automatic checks, the two provinces' decisions, manifests (联单), the yearly
//! report and a park's utilisation share for the zero-carbon park evaluation.
//!
//! Who may do what, from the caller's [`Access`](zp_store::Access): an enterprise applies
//! for itself and sees the applications it generates or receives; a province's officers
//! (`Region`) see transfers leaving or entering the province and decide for their side
//! only; the generator ships and the receiver signs for the weight; the local operator
//! (`All`) may do everything. Reads filter in SQL; refusals are [`AppError::Invalid`].

/// The types the adapters show and pass.
pub use zp_waste::{
    Application, Catalog as WasteCatalog, Check, Decision, Declaration, Manifest, NewApplication,
    Purpose, Rules as WasteRules, Side, Status as WasteStatus, Utilisation, Verdict, WasteCode,
    WasteReport,
};

pub use zp_store::NewManifest;

use crate::{AppError, Caller, ImportError, ImportOutcome};
use rust_decimal::Decimal;
use serde::Serialize;
use std::path::Path;
use zp_domain::time::Date;
use zp_domain::{Calendar, CreditCode, Region};
use zp_store::{Access, ImportRows, Store};
use zp_waste::WasteError;

fn refused(e: WasteError) -> AppError {
    AppError::Invalid(e.to_string())
}

fn ruled<T>(r: zp_store::Ruled<T>) -> Result<T, AppError> {
    r?.map_err(refused)
}

/// A day of the calendar.
#[derive(Debug, Clone, Serialize, schemars::JsonSchema)]
pub struct DayInfo {
    pub date: Date,
    pub working_day: bool,
    /// The holiday or make-up day's name and notice, when the day is listed.
    pub name_zh: Option<String>,
    pub name_en: Option<String>,
    pub notice: Option<String>,
}

/// `n` working days after `from` (counting starts the day after).
pub fn add_working_days(from: Date, n: u32) -> Result<Date, AppError> {
    Calendar::china()
        .add_working_days(from, n)
        .map_err(|e| AppError::Invalid(e.to_string()))
}

pub fn day(date: Date) -> Result<DayInfo, AppError> {
    let cal = Calendar::china();
    let working_day = cal
        .is_working_day(date)
        .map_err(|e| AppError::Invalid(e.to_string()))?;
    let special = cal.special(date);
    Ok(DayInfo {
        date,
        working_day,
        name_zh: special.map(|s| s.name_zh.clone()),
        name_en: special.map(|s| s.name_en.clone()),
        notice: special.map(|s| s.notice.clone()),
    })
}

/// The rules shipped with zeropark, or those of a TOML file of the same shape.
pub fn rules(path: Option<&Path>) -> Result<WasteRules, AppError> {
    match path {
        None => Ok(WasteRules::builtin()),
        Some(p) => {
            let text = std::fs::read_to_string(p)
                .map_err(|e| AppError::Invalid(format!("rules file {}: {e}", p.display())))?;
            WasteRules::parse(&text).map_err(refused)
        }
    }
}

/// Which reference file an import reads.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ReferenceKind {
    Permits,
    Whitelist,
    /// Generators' declared wastes (产废单位申报).
    Declarations,
}

impl ReferenceKind {
    pub fn key(self) -> &'static str {
        match self {
            ReferenceKind::Permits => "waste-permits",
            ReferenceKind::Whitelist => "waste-whitelist",
            ReferenceKind::Declarations => "waste-declarations",
        }
    }
}

/// Imports receivers' permits, whitelist entries or generators' declarations (reference
/// data: platform operators only). Bad rows are quarantined with row, field and reason; the
/// same file twice changes nothing.
pub fn import_reference(
    store: &mut dyn Store,
    caller: &Caller,
    kind: ReferenceKind,
    path: &Path,
) -> Result<ImportOutcome, ImportError> {
    if !caller.is_unscoped() {
        return Err(ImportError::Invalid(format!(
            "{} are reference data: only a platform administrator imports them",
            kind.key()
        )));
    }
    let table = zp_ingest::read_table(path, zp_ingest::Limits::default())?;
    let meta = crate::batch::batch_meta(kind.key(), &table, &caller.actor);
    let catalog = WasteCatalog::builtin();
    let read = table.rows.len();
    let (counts, rejected) = match kind {
        ReferenceKind::Permits => {
            let (rows, bad) =
                zp_waste::import::validate_permits(&table.headers, &table.rows, catalog);
            (
                store.import_waste_permits(ImportRows::new(&meta, &rows, &bad, read))?,
                bad,
            )
        }
        ReferenceKind::Whitelist => {
            let (rows, bad) =
                zp_waste::import::validate_whitelist(&table.headers, &table.rows, catalog);
            (
                store.import_waste_whitelist(ImportRows::new(&meta, &rows, &bad, read))?,
                bad,
            )
        }
        ReferenceKind::Declarations => {
            let (rows, bad) =
                zp_waste::import::validate_declarations(&table.headers, &table.rows, catalog);
            let import = ImportRows::new(&meta, &rows, &bad, read);
            (store.import_waste_declarations(import)?, bad)
        }
    };
    Ok(ImportOutcome::of(kind.key(), &table, counts, rejected))
}

/// An application as shown: its state, due date, time taken and what moved under it.
#[derive(Debug, Clone, Serialize, schemars::JsonSchema)]
pub struct ApplicationView {
    pub id: i64,
    pub status: WasteStatus,
    pub whitelisted: bool,
    pub whitelist_agreement: Option<String>,
    pub due_date: Date,
    /// Working days from submission to the settling decision (`null` while pending).
    pub working_days_taken: Option<i64>,
    /// Settled after the due date, or pending past it on `as_of`.
    pub overdue: bool,
    pub as_of: Date,
    pub generator: CreditCode,
    pub receiver: CreditCode,
    pub code: String,
    pub tonnes_t: Decimal,
    pub from_province: Region,
    pub to_province: Region,
    pub submitted_on: Date,
    pub planned_to: Date,
    pub transport: String,
    pub purpose: Purpose,
    pub permit_no: String,
    pub export: Option<Decision>,
    pub import: Option<Decision>,
    pub checks: Vec<Check>,
    pub shipped_t: Decimal,
    pub received_t: Decimal,
}

fn view(
    store: &mut dyn Store,
    caller: &Caller,
    a: Application,
    as_of: Date,
) -> Result<ApplicationView, AppError> {
    let manifests = store.waste_manifests(&caller.access, Some(a.id))?;
    Ok(ApplicationView {
        id: a.id,
        status: a.status(),
        whitelisted: a.whitelisted,
        whitelist_agreement: a.whitelist_agreement.clone(),
        due_date: a.due_on,
        working_days_taken: a.working_days_taken(Calendar::china()).map_err(refused)?,
        overdue: a.overdue(as_of),
        as_of,
        shipped_t: manifests.iter().map(|m| m.shipped_t).sum(),
        received_t: manifests.iter().filter_map(|m| m.received_t).sum(),
        generator: a.generator,
        receiver: a.receiver,
        code: a.code,
        tonnes_t: a.tonnes_t,
        from_province: a.from_province,
        to_province: a.to_province,
        submitted_on: a.submitted_on,
        planned_to: a.planned_to,
        transport: a.transport,
        purpose: a.purpose,
        permit_no: a.permit_no,
        export: a.export,
        import: a.import,
        checks: a.checks,
    })
}

/// Submits an application: checks, routes to both provinces, sets the due date.
pub fn apply(
    store: &mut dyn Store,
    caller: &Caller,
    req: &NewApplication,
    rules: &WasteRules,
) -> Result<ApplicationView, AppError> {
    if !caller.is_unscoped() && store.org(&caller.access, &req.generator)?.is_none() {
        return Err(AppError::Invalid(format!(
            "generator {} is not an enterprise you may apply for",
            req.generator
        )));
    }
    let plan = |ctx: &zp_waste::ApplyContext| {
        zp_waste::plan_application(req, ctx, WasteCatalog::builtin(), Calendar::china(), rules)
    };
    let app = ruled(store.submit_waste_application(req, &plan, &caller.actor))?;
    let as_of = app.submitted_on;
    view(store, caller, app, as_of)
}

fn visible(store: &mut dyn Store, caller: &Caller, id: i64) -> Result<Application, AppError> {
    store
        .waste_application(&caller.access, id)?
        .ok_or_else(|| AppError::NotFound(format!("no waste application {id}")))
}

/// One province's decision. Officers decide for their own province's side only.
pub fn decide(
    store: &mut dyn Store,
    caller: &Caller,
    id: i64,
    side: Side,
    verdict: &Verdict,
    on: Date,
) -> Result<ApplicationView, AppError> {
    let app = visible(store, caller, id)?;
    let province = match side {
        Side::Export => app.from_province,
        Side::Import => app.to_province,
    };
    match &caller.access {
        Access::All => {}
        Access::Region(r) if *r == province => {}
        _ => {
            return Err(AppError::Invalid(format!(
                "only an officer of {} decides the {} side of application {id}",
                province.code(),
                side.as_str()
            )));
        }
    }
    let rule =
        |a: &Application| zp_waste::decide(a, side, verdict, on, &caller.actor, Calendar::china());
    let app = ruled(store.decide_waste_application(id, side, &rule, &caller.actor))?;
    view(store, caller, app, on)
}

/// An application's state as of `today`.
pub fn status(
    store: &mut dyn Store,
    caller: &Caller,
    id: i64,
    today: Date,
) -> Result<ApplicationView, AppError> {
    let app = visible(store, caller, id)?;
    view(store, caller, app, today)
}

/// The applications the caller sees, optionally of one year.
pub fn applications(
    store: &mut dyn Store,
    caller: &Caller,
    year: Option<i32>,
    today: Date,
) -> Result<Vec<ApplicationView>, AppError> {
    let apps = store.waste_applications(&caller.access, year)?;
    apps.into_iter()
        .map(|a| view(store, caller, a, today))
        .collect()
}

/// A manifest as shown.
#[derive(Debug, Clone, Serialize, schemars::JsonSchema)]
pub struct ManifestView {
    pub id: i64,
    pub application_id: i64,
    pub shipped_tonnes: Decimal,
    pub shipped_on: Date,
    pub transporters: Vec<String>,
    pub received_tonnes: Option<Decimal>,
    pub received_on: Option<Date>,
    /// received - shipped.
    pub difference_tonnes: Option<Decimal>,
    pub discrepancy: bool,
    pub tolerance_pct: Decimal,
}

fn manifest_view(m: Manifest, rules: &WasteRules) -> ManifestView {
    ManifestView {
        id: m.id,
        application_id: m.application_id,
        shipped_tonnes: m.shipped_t,
        shipped_on: m.shipped_on,
        transporters: m.transporters,
        received_tonnes: m.received_t,
        received_on: m.received_on,
        difference_tonnes: m.received_t.map(|r| r - m.shipped_t),
        discrepancy: m.discrepancy,
        tolerance_pct: rules.manifest.discrepancy_tolerance_pct,
    }
}

/// The generator hands a shipment over to the transporters: a new manifest.
pub fn ship(
    store: &mut dyn Store,
    caller: &Caller,
    application_id: i64,
    new: &NewManifest,
    rules: &WasteRules,
) -> Result<ManifestView, AppError> {
    let app = visible(store, caller, application_id)?;
    match &caller.access {
        Access::All | Access::Park(_) => {}
        Access::Org(c) if *c == app.generator => {}
        _ => {
            return Err(AppError::Invalid(format!(
                "only the generator {} ships under application {application_id}",
                app.generator
            )));
        }
    }
    let rule = |a: &Application, ms: &[Manifest]| {
        zp_waste::check_shipment(a, ms, new.shipped_t, new.shipped_on, &new.transporters)
    };
    let m = ruled(store.ship_waste_manifest(application_id, new, &rule, &caller.actor))?;
    Ok(manifest_view(m, rules))
}

/// The receiver signs a manifest with the weighed tonnes.
pub fn receive(
    store: &mut dyn Store,
    caller: &Caller,
    manifest_id: i64,
    received_t: Decimal,
    on: Date,
    rules: &WasteRules,
) -> Result<ManifestView, AppError> {
    let m = store
        .waste_manifests(&caller.access, None)?
        .into_iter()
        .find(|m| m.id == manifest_id)
        .ok_or_else(|| AppError::NotFound(format!("no manifest {manifest_id}")))?;
    let app = visible(store, caller, m.application_id)?;
    match &caller.access {
        Access::All | Access::Park(_) => {}
        Access::Org(c) if *c == app.receiver => {}
        _ => {
            return Err(AppError::Invalid(format!(
                "only the receiver {} signs manifest {manifest_id}",
                app.receiver
            )));
        }
    }
    let rule = |m: &Manifest| zp_waste::receive(m, received_t, on, rules);
    let m = ruled(store.receive_waste_manifest(manifest_id, &rule, &caller.actor))?;
    Ok(manifest_view(m, rules))
}

/// The manifests of an application.
pub fn manifests(
    store: &mut dyn Store,
    caller: &Caller,
    application_id: i64,
    rules: &WasteRules,
) -> Result<Vec<ManifestView>, AppError> {
    visible(store, caller, application_id)?;
    Ok(store
        .waste_manifests(&caller.access, Some(application_id))?
        .into_iter()
        .map(|m| manifest_view(m, rules))
        .collect())
}

/// A province's report for a year, from the applications the caller sees.
pub fn report(
    store: &mut dyn Store,
    caller: &Caller,
    region: Region,
    year: i32,
    as_of: Date,
) -> Result<WasteReport, AppError> {
    let apps = store.waste_applications(&caller.access, Some(year))?;
    let manifests = store.waste_manifests(&caller.access, None)?;
    zp_waste::report(region, year, &apps, &manifests, Calendar::china(), as_of).map_err(refused)
}

/// An application with the manifests moved under it (the application's page).
#[derive(Debug, Clone, Serialize)]
pub struct ApplicationDetail {
    #[serde(flatten)]
    pub application: ApplicationView,
    pub manifests: Vec<ManifestView>,
}

/// An application's state as of `today` and its manifests, in one read of the caller's
/// scope (absent when outside it).
pub fn detail(
    store: &mut dyn Store,
    caller: &Caller,
    id: i64,
    today: Date,
    rules: &WasteRules,
) -> Result<ApplicationDetail, AppError> {
    let app = visible(store, caller, id)?;
    let manifests = store
        .waste_manifests(&caller.access, Some(id))?
        .into_iter()
        .map(|m| manifest_view(m, rules))
        .collect();
    Ok(ApplicationDetail {
        application: view(store, caller, app, today)?,
        manifests,
    })
}

/// The indicator the utilisation share feeds (`data.solid_waste_utilisation`).
pub const SOLID_WASTE_UTILISATION: &str = "solid_waste_utilisation";

/// What the share of a park stands for, said wherever it is used in place of an imported
/// figure.
pub const UTILISATION_NOTE: &str = "derived from hazardous-waste transfer manifests: covers \
    hazardous waste the park's enterprises transferred and receivers signed for, not all \
    industrial solid waste; an imported solid_waste_utilisation figure for the year takes \
    precedence";

/// A park's utilisation share of a year from the transfers its enterprises generated
/// (received tonnes sent for utilisation / received tonnes, as in the waste report), over
/// the applications and manifests `access` sees.
pub fn park_utilisation(
    store: &mut dyn Store,
    access: &Access,
    park: &str,
    year: i32,
) -> Result<Utilisation, AppError> {
    let filter = zp_store::OrgFilter {
        park: Some(park.to_string()),
        ..Default::default()
    };
    let orgs: std::collections::HashSet<String> = store
        .orgs(access, &filter)?
        .into_iter()
        .map(|o| o.credit_code.to_string())
        .collect();
    let apps = store.waste_applications(access, Some(year))?;
    let manifests = store.waste_manifests(access, None)?;
    Ok(zp_waste::generators_utilisation(
        |g| orgs.contains(g.as_str()),
        year,
        &apps,
        &manifests,
    ))
}
