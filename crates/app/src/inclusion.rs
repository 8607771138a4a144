//! Use cases of carbon inclusion (碳普惠): participants join, their measured actions are
//! imported (bad rows quarantined, the same file twice changes nothing), reductions are
//! computed per participant, methodology and year with the factor catalog's values of that
//! year, and credits are issued into the carbon asset registry as kind `inclusion` of the
//! year in whole tonnes, the remainder carried to the participant's next issuance.
//! Redemption cancels credits in the registry (`assets cancel`) for a reward; a sale goes
//! through the trading venue by the account-holding enterprise.
//!
//! An issued (participant, methodology, year) is final: issuing it again issues nothing,
//! and records for its days are quarantined. Each registry issuance carries the tag
//! `inclusion:{participant}:{methodology}:{year}` as its project, so an interrupted
//! issuance resumed later finds what the registry already holds and never issues twice.

use crate::{AppError, Caller};
use rust_decimal::Decimal;
use serde::Serialize;
use std::collections::BTreeMap;
use std::str::FromStr;
use zp_assets::{CatalogValues, Op, Reduction, whole_tonnes};
use zp_domain::records::{ImportCounts, Rejected};
use zp_domain::template::write;
use zp_domain::{Carrier, CreditCode, Region};
use zp_factors::Slot;
use zp_ingest::Table;
use zp_store::{InclusionAction, InclusionIssuance, InclusionRedemption, Store};

/// The participant and record types the adapters show.
pub use zp_assets::{Methodologies, Methodology, Parameter};
pub use zp_store::Participant;

/// The registry kind of carbon-inclusion credits.
pub const KIND: &str = "inclusion";
/// The batch kind of action imports (import history and quarantine).
pub const IMPORT_KIND: &str = "inclusion-actions";
/// Participant kinds.
pub const PARTICIPANT_KINDS: [&str; 2] = ["person", "sme"];

/// The programme's methodologies (data, with each parameter's source).
pub fn methodologies() -> &'static Methodologies {
    Methodologies::builtin()
}

/// Registers (or renames) a participant. A participant names the enterprise whose registry
/// account receives its credits, which must be in the caller's scope; only an unscoped
/// caller registers a participant without one (its credits wait, carried, until it has).
pub fn join(
    store: &mut dyn Store,
    caller: &Caller,
    p: &Participant,
) -> Result<zp_domain::records::Upsert, AppError> {
    if p.id.trim().is_empty() || p.name.trim().is_empty() {
        return Err(AppError::Invalid(
            "a participant needs an id and a name".into(),
        ));
    }
    if !PARTICIPANT_KINDS.contains(&p.kind.as_str()) {
        return Err(AppError::Invalid(format!(
            "participant kind {:?}: expected person or sme",
            p.kind
        )));
    }
    match &p.credit_code {
        Some(org) if store.org(&caller.access, org)?.is_none() => {
            return Err(AppError::NotFound(format!(
                "no enterprise {org} in your scope (import it with `import orgs`)"
            )));
        }
        None if !caller.is_unscoped() => {
            return Err(AppError::Invalid(
                "name the enterprise whose account receives the credits (--org)".into(),
            ));
        }
        _ => {}
    }
    // Someone else's participant id cannot be taken over from another scope.
    let all = store.participants(&zp_store::Access::All)?;
    if all.iter().any(|q| q.id == p.id)
        && !store
            .participants(&caller.access)?
            .iter()
            .any(|q| q.id == p.id)
    {
        return Err(AppError::Invalid(format!(
            "participant id {} is taken",
            p.id
        )));
    }
    Ok(store.upsert_participant(p, &caller.actor)?)
}

/// What an action import did (the counts and the quarantined rows with row, field, reason).
#[derive(Debug, Clone, Serialize, schemars::JsonSchema)]
pub struct ActionImport {
    pub file: String,
    #[serde(flatten)]
    pub counts: ImportCounts,
    pub rejected: Vec<Rejected>,
}

/// The reasons an action record is quarantined with, as `(code, template)` pairs (issue
/// 14: a page recognises the code and writes the reason in its language); an unknown
/// methodology as the catalogue (`zp_assets`) words it. A number that is not one or is
/// negative are the shared `quantity.*`; the store's refusals are
/// [`zp_store::INCLUSION_REASONS_EN`].
pub const REASONS_EN: &[(&str, &str)] = &[
    (
        "inclusion.participant",
        "no participant {participant} in your scope (join it first)",
    ),
    (
        "inclusion.methodology",
        "unknown methodology {methodology} (known: {known})",
    ),
    (
        "inclusion.date",
        "{value} is not a date YYYY-MM-DD: {error}",
    ),
    (
        "inclusion.thousands_separator",
        "{value} contains a thousands separator: write the plain number",
    ),
    (
        "inclusion.unit",
        "{unit}: {methodology} is measured in {expected}",
    ),
];

const COLUMNS: [&str; 5] = ["participant", "methodology", "date", "quantity", "unit"];

/// One row validated against the participants in scope and the methodologies.
fn action_of(
    cells: &[String],
    cols: &[usize; 5],
    visible: &[Participant],
) -> Result<InclusionAction, (String, String)> {
    let cell = |i: usize| cells.get(cols[i]).map(|s| s.trim()).unwrap_or("");
    let bad = |field: &str, why: String| (field.to_string(), why);
    let quoted = |s: &str| format!("{s:?}");
    let participant = cell(0);
    if !visible.iter().any(|p| p.id == participant) {
        return Err(bad(
            "participant",
            write(
                REASONS_EN,
                "inclusion.participant",
                &[("participant", &quoted(participant))],
            ),
        ));
    }
    let m = methodologies()
        .known(cell(1))
        .map_err(|e| bad("methodology", e.to_string()))?;
    let day = zp_domain::time::Date::from_str(cell(2)).map_err(|e| {
        let (value, error) = (quoted(cell(2)), e.to_string());
        let args = [("value", value.as_str()), ("error", error.as_str())];
        bad("date", write(REASONS_EN, "inclusion.date", &args))
    })?;
    let q = cell(3);
    if q.contains(',') {
        return Err(bad(
            "quantity",
            write(
                REASONS_EN,
                "inclusion.thousands_separator",
                &[("value", &quoted(q))],
            ),
        ));
    }
    let quantity = Decimal::from_str(q).map_err(|_| {
        let value = quoted(q);
        bad(
            "quantity",
            write(
                zp_ingest::REASONS_EN,
                "quantity.not_a_number",
                &[("value", &value)],
            ),
        )
    })?;
    if quantity < Decimal::ZERO {
        let value = quantity.to_string();
        return Err(bad(
            "quantity",
            write(
                zp_ingest::REASONS_EN,
                "quantity.negative",
                &[("value", &value)],
            ),
        ));
    }
    if !cell(4).eq_ignore_ascii_case(&m.activity_unit) {
        return Err(bad(
            "unit",
            write(
                REASONS_EN,
                "inclusion.unit",
                &[
                    ("unit", &quoted(cell(4))),
                    ("methodology", &m.code),
                    ("expected", &m.activity_unit),
                ],
            ),
        ));
    }
    Ok(InclusionAction {
        participant: participant.into(),
        methodology: m.code.clone(),
        day: day.to_string(),
        quantity: quantity.normalize(),
        unit: m.activity_unit.clone(),
    })
}

/// Imports action records `participant,methodology,date,quantity,unit` (quantity in the
/// methodology's activity unit) for participants in the caller's scope. Bad rows are
/// quarantined with file, row, field and reason; good rows are kept; `read = accepted +
/// quarantined`; the same file again changes nothing (all duplicates).
pub fn import_actions(
    store: &mut dyn Store,
    caller: &Caller,
    table: &Table,
) -> Result<ActionImport, AppError> {
    let mut cols = [0usize; 5];
    for (i, name) in COLUMNS.iter().enumerate() {
        cols[i] = table.column(name).ok_or_else(|| {
            AppError::Invalid(format!(
                "{}: no column {name} (expected {})",
                table.file,
                COLUMNS.join(",")
            ))
        })?;
    }
    let visible = store.participants(&caller.access)?;
    let mut rows = Vec::new();
    let mut rejected = Vec::new();
    for (row, cells) in &table.rows {
        if let Some(r) = table.check_row(*row, cells) {
            rejected.push(r);
            continue;
        }
        match action_of(cells, &cols, &visible) {
            Ok(a) => rows.push((*row, Table::raw(cells), a)),
            Err((field, reason)) => rejected.push(Table::reject(*row, &field, reason, cells)),
        }
    }
    let meta = crate::batch::batch_meta(IMPORT_KIND, table, &caller.actor);
    let (counts, rejected) =
        store.import_inclusion_actions(&meta, table.rows.len(), &rows, rejected)?;
    Ok(ActionImport {
        file: table.file.clone(),
        counts: counts.checked(),
        rejected,
    })
}

/// The catalog's values for `year`: the programme region's location grid factor and
/// petrol's factor from its NCV, carbon content and oxidation rows.
pub fn catalog_values(store: &mut dyn Store, year: i32) -> Result<CatalogValues, AppError> {
    let catalog = crate::inventory::catalog(store)?;
    let region = Region::parse(&methodologies().region)
        .map_err(|e| AppError::Invalid(format!("programme region: {e}")))?;
    let grid = catalog.select(Slot::LocationGrid { region, year })?;
    let ncv = catalog.select(Slot::Ncv(Carrier::Gasoline))?.factor;
    let cc = catalog
        .select(Slot::CarbonContent(Carrier::Gasoline))?
        .factor;
    let ox = catalog.select(Slot::Oxidation(Carrier::Gasoline))?.factor;
    Ok(CatalogValues {
        grid_kgco2_per_kwh: grid.factor.value,
        grid_factor_id: grid.factor.id.clone(),
        grid_note: grid.note,
        petrol_kgco2_per_kg: zp_assets::petrol_kgco2_per_kg(ncv.value, cc.value, ox.value),
        petrol_factor_ids: vec![ncv.id, cc.id, ox.id],
    })
}

/// One line of an issuance: a participant's year under one methodology.
#[derive(Debug, Clone, Serialize, schemars::JsonSchema)]
pub struct IssueLine {
    pub participant: String,
    pub methodology: String,
    pub year: i32,
    pub activity: Decimal,
    pub activity_unit: String,
    pub reduction_kgco2e: Decimal,
    pub carried_in_kgco2e: Decimal,
    pub credits_t: u64,
    pub carried_kgco2e: Decimal,
    /// The account credited; `None`: the participant has no account, everything carried.
    pub org: Option<String>,
    pub illustrative: bool,
}

/// What `issue` did.
#[derive(Debug, Clone, Serialize, schemars::JsonSchema)]
pub struct IssueReport {
    pub year: i32,
    pub methodology_version: String,
    pub grid_factor_id: String,
    pub petrol_factor_ids: Vec<String>,
    /// Lines issued now (an already issued line is not repeated).
    pub lines: Vec<IssueLine>,
    /// (participant, methodology) pairs of the year issued before: nothing new.
    pub already_issued: usize,
    pub credits_t: u64,
}

/// The lineage kept with an issuance.
#[derive(Serialize)]
struct Detail<'a> {
    methodology_version: &'a str,
    reduction: &'a Reduction,
    grid_note: &'a Option<String>,
}

fn tag(participant: &str, methodology: &str, year: i32) -> String {
    format!("inclusion:{participant}:{methodology}:{year}")
}

/// Issues the credits of `year` for every participant in the caller's scope with actions
/// in that year (see the module doc for what makes it idempotent).
pub fn issue(
    store: &mut dyn Store,
    caller: &Caller,
    year: i32,
    now: i64,
) -> Result<IssueReport, AppError> {
    let values = catalog_values(store, year)?;
    let participants: BTreeMap<String, Participant> = store
        .participants(&caller.access)?
        .into_iter()
        .map(|p| (p.id.clone(), p))
        .collect();
    let mut sums: BTreeMap<(String, String), Decimal> = BTreeMap::new();
    for a in store.inclusion_actions(&caller.access, Some(year))? {
        *sums.entry((a.participant, a.methodology)).or_default() += a.quantity;
    }
    let past = store.inclusion_issuances(&caller.access)?;
    let mut report = IssueReport {
        year,
        methodology_version: methodologies().version.clone(),
        grid_factor_id: values.grid_factor_id.clone(),
        petrol_factor_ids: values.petrol_factor_ids.clone(),
        lines: Vec::new(),
        already_issued: 0,
        credits_t: 0,
    };
    let mut rows = Vec::new();
    for ((pid, mcode), activity) in sums {
        let mine: Vec<&InclusionIssuance> = past
            .iter()
            .filter(|i| i.participant == pid && i.methodology == mcode)
            .collect();
        if mine.iter().any(|i| i.year == year) {
            report.already_issued += 1;
            continue;
        }
        if let Some(later) = mine.iter().find(|i| i.year > year) {
            return Err(AppError::Invalid(format!(
                "{pid} {mcode}: {} is already issued; years are issued in order",
                later.year
            )));
        }
        let carried_in = mine.last().map_or(Decimal::ZERO, |i| i.carried_kgco2e);
        let Some(p) = participants.get(&pid) else {
            continue;
        };
        let m = methodologies()
            .known(&mcode)
            .map_err(|e| AppError::Invalid(e.to_string()))?;
        let r = m
            .reduce(activity, &values)
            .map_err(|e| AppError::Invalid(e.to_string()))?;
        let credits = match &p.credit_code {
            Some(_) => whole_tonnes(r.reduction_kgco2e, carried_in),
            None => zp_assets::Credits {
                credits_t: 0,
                carried_kgco2e: r.reduction_kgco2e + carried_in,
            },
        };
        let detail = Detail {
            methodology_version: &methodologies().version,
            reduction: &r,
            grid_note: &values.grid_note,
        };
        report.lines.push(IssueLine {
            participant: pid.clone(),
            methodology: mcode.clone(),
            year,
            activity,
            activity_unit: m.activity_unit.clone(),
            reduction_kgco2e: r.reduction_kgco2e,
            carried_in_kgco2e: carried_in,
            credits_t: credits.credits_t,
            carried_kgco2e: credits.carried_kgco2e,
            org: p.credit_code.as_ref().map(|c| c.to_string()),
            illustrative: r.illustrative,
        });
        rows.push(InclusionIssuance {
            participant: pid,
            methodology: mcode,
            year,
            activity,
            reduction_kgco2e: r.reduction_kgco2e,
            carried_in_kgco2e: carried_in,
            credits_t: credits.credits_t,
            carried_kgco2e: credits.carried_kgco2e,
            credit_code: p.credit_code.clone(),
            detail: serde_json::to_string(&detail).map_err(|e| AppError::Invalid(e.to_string()))?,
        });
    }
    for row in &rows {
        if let (Some(org), true) = (&row.credit_code, row.credits_t > 0) {
            credit(store, caller, org, row, now)?;
        }
    }
    store.record_inclusion_issuances(&rows, &caller.actor)?;
    report.credits_t = report.lines.iter().map(|l| l.credits_t).sum();
    Ok(report)
}

/// Issues one line's credits in the registry unless a block with its tag already exists
/// (an earlier run issued them and stopped before recording the line).
fn credit(
    store: &mut dyn Store,
    caller: &Caller,
    org: &CreditCode,
    row: &InclusionIssuance,
    now: i64,
) -> Result<(), AppError> {
    let project = tag(&row.participant, &row.methodology, row.year);
    let ledger = crate::assets::load(store)?;
    if ledger
        .blocks()
        .any(|b| b.project.as_deref() == Some(project.as_str()))
    {
        return Ok(());
    }
    let op = Op::Issue {
        kind: KIND.into(),
        vintage: row.year,
        org: org.clone(),
        units: row.credits_t,
        project: Some(project),
    };
    crate::assets::execute(store, caller, &op, now)?;
    Ok(())
}

/// A participant's carbon-inclusion account.
#[derive(Debug, Clone, Serialize, schemars::JsonSchema)]
pub struct Account {
    pub participant: String,
    pub name: String,
    pub kind: String,
    pub org: Option<String>,
    pub reduction_kgco2e: Decimal,
    pub issued_t: u64,
    pub redeemed_t: u64,
    /// Issued minus redeemed (the enterprise may also have sold some on the venue).
    pub available_t: u64,
    /// Carried to the next issuance, all methodologies.
    pub carried_kgco2e: Decimal,
    pub lines: Vec<AccountLine>,
}

/// One issued year of one methodology.
#[derive(Debug, Clone, Serialize, schemars::JsonSchema)]
pub struct AccountLine {
    pub methodology: String,
    pub year: i32,
    pub activity: Decimal,
    pub reduction_kgco2e: Decimal,
    pub credits_t: u64,
    pub carried_kgco2e: Decimal,
    /// The grid factor the reduction used (its catalog id: set, region, year).
    pub grid_factor_id: Option<String>,
    /// The stored lineage: methodology version, every parameter with its value, source and
    /// factor ids, the catalog's fallback note.
    pub lineage: serde_json::Value,
}

/// The grid factor id recorded in an issuance's lineage.
fn grid_factor_id(lineage: &serde_json::Value) -> Option<String> {
    lineage["reduction"]["parameters"]
        .as_array()?
        .iter()
        .find(|p| p["name"] == "grid_kgco2_per_kwh")?["factor_ids"][0]
        .as_str()
        .map(String::from)
}

/// The accounts of the participants in scope (or of one).
pub fn accounts(
    store: &mut dyn Store,
    caller: &Caller,
    participant: Option<&str>,
) -> Result<Vec<Account>, AppError> {
    let issuances = store.inclusion_issuances(&caller.access)?;
    let redemptions = store.inclusion_redemptions(&caller.access)?;
    let mut out = Vec::new();
    for p in store.participants(&caller.access)? {
        if participant.is_some_and(|id| id != p.id) {
            continue;
        }
        let mine: Vec<&InclusionIssuance> =
            issuances.iter().filter(|i| i.participant == p.id).collect();
        let issued_t: u64 = mine.iter().map(|i| i.credits_t).sum();
        let redeemed_t: u64 = redemptions
            .iter()
            .filter(|r| r.participant == p.id)
            .map(|r| r.units)
            .sum();
        let mut carried = BTreeMap::new();
        for i in &mine {
            carried.insert(i.methodology.clone(), i.carried_kgco2e);
        }
        out.push(Account {
            participant: p.id.clone(),
            name: p.name.clone(),
            kind: p.kind.clone(),
            org: p.credit_code.as_ref().map(|c| c.to_string()),
            reduction_kgco2e: mine.iter().map(|i| i.reduction_kgco2e).sum(),
            issued_t,
            redeemed_t,
            available_t: issued_t.saturating_sub(redeemed_t),
            carried_kgco2e: carried.values().copied().sum(),
            lines: mine
                .iter()
                .map(|i| {
                    let lineage: serde_json::Value =
                        serde_json::from_str(&i.detail).unwrap_or(serde_json::Value::Null);
                    AccountLine {
                        methodology: i.methodology.clone(),
                        year: i.year,
                        activity: i.activity,
                        reduction_kgco2e: i.reduction_kgco2e,
                        credits_t: i.credits_t,
                        carried_kgco2e: i.carried_kgco2e,
                        grid_factor_id: grid_factor_id(&lineage),
                        lineage,
                    }
                })
                .collect(),
        });
    }
    if let Some(id) = participant
        && out.is_empty()
    {
        return Err(AppError::NotFound(format!(
            "no participant {id} in your scope"
        )));
    }
    Ok(out)
}

/// What a redemption cancelled: per vintage, oldest first.
#[derive(Debug, Clone, Serialize, schemars::JsonSchema)]
pub struct Redeemed {
    pub participant: String,
    pub org: String,
    pub units: u64,
    pub vintages: Vec<(i32, u64)>,
    pub claim: String,
}

/// Redeems (兑换) `units` of a participant's credits for a reward: cancels them in the
/// registry account of its enterprise (`assets cancel`, claim `碳普惠兑换 {id}`), oldest
/// vintage first, never more than the participant was issued less what it redeemed.
pub fn redeem(
    store: &mut dyn Store,
    caller: &Caller,
    participant: &str,
    units: u64,
    now: i64,
) -> Result<Redeemed, AppError> {
    if units == 0 {
        return Err(AppError::Invalid("redeem at least one tonne".into()));
    }
    let p = store
        .participants(&caller.access)?
        .into_iter()
        .find(|p| p.id == participant)
        .ok_or_else(|| AppError::NotFound(format!("no participant {participant} in your scope")))?;
    let org = p.credit_code.clone().ok_or_else(|| {
        AppError::Invalid(format!(
            "{participant} has no registry account: nothing issued to redeem"
        ))
    })?;
    let mut left: BTreeMap<i32, u64> = BTreeMap::new();
    for i in store
        .inclusion_issuances(&caller.access)?
        .iter()
        .filter(|i| i.participant == p.id)
    {
        *left.entry(i.year).or_default() += i.credits_t;
    }
    for r in store
        .inclusion_redemptions(&caller.access)?
        .iter()
        .filter(|r| r.participant == p.id)
    {
        if let Some(v) = left.get_mut(&r.vintage) {
            *v = v.saturating_sub(r.units);
        }
    }
    let available: u64 = left.values().sum();
    if units > available {
        return Err(AppError::Invalid(format!(
            "{participant} has {available} t to redeem, not {units} t"
        )));
    }
    let claim = format!("碳普惠兑换 {participant}");
    let mut want = units;
    let mut vintages = Vec::new();
    for (vintage, have) in left {
        if want == 0 {
            break;
        }
        let take = have.min(want);
        if take == 0 {
            continue;
        }
        let op = Op::Cancel {
            kind: KIND.into(),
            vintage,
            org: org.clone(),
            units: take,
            claim: claim.clone(),
        };
        crate::assets::execute(store, caller, &op, now)?;
        store.record_inclusion_redemption(
            &InclusionRedemption {
                participant: p.id.clone(),
                vintage,
                units: take,
                claim: claim.clone(),
            },
            &caller.actor,
        )?;
        vintages.push((vintage, take));
        want -= take;
    }
    Ok(Redeemed {
        participant: p.id,
        org: org.to_string(),
        units,
        vintages,
        claim,
    })
}
