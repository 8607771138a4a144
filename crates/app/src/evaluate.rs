//! Evaluations (zero-carbon park, green factory, near-zero-carbon pilot, ESG), gap
//! analysis, trajectories and abatement plans of a park or an enterprise for a year.
//!
//! Account figures come from the inventory use case (the same computation as
//! `report inventory`, never re-typed); indicator data from `import indicators`, except a
//! park's `data.solid_waste_utilisation` without an imported figure for the year, which is
//! derived from its enterprises' hazardous-waste transfer manifests
//! ([`crate::waste::park_utilisation`]) and carries a note saying what it covers. The
//! indicator sets are the built-in ones plus the user sets imported into the database; a
//! set given as a file for one run (`--scheme-file`) takes precedence. Results are plain
//! serde structs, shared by the CLI (`--json`) and the server.

/// Evaluation types the adapters show and pass.
pub use zp_evaluate::{
    IndicatorResult, IndicatorStatus, MeasureSet, PathShape, PlanStatus, TEXTS_EN,
    TRAJECTORY_ERRORS_EN, TrajectoryPoint, abatement,
};

use crate::AppError;
use crate::ImportError;
use crate::indicator_rows::validate_indicators;
use crate::inventory::{InventoryScope, catalog, inventory};
use serde::Serialize;
use std::collections::HashSet;
use std::path::Path;
use zp_accounting::GridFactorMode;
use zp_domain::{CreditCode, Decimal};
use zp_evaluate::builtin::builtin_catalog;
use zp_evaluate::{
    AccountInputs, DataCatalogue, Evaluation, Gap, IndicatorValue, MacPoint, Plan, PlanRequest,
    Scheme, SchemeCatalog, ScoreGap, Subject, analyse_gaps, evaluate as run_evaluation, mac_curve,
    plan_abatement, rates, score_gap, trajectory,
};
use zp_factors::Slot;
use zp_ingest::Table;
use zp_store::{
    Access, ImportCounts, ImportRows, OrgFilter, Rejected, ScopeKind, Store, StoreError,
    StoredScheme, Upsert,
};

/// The kinds of evaluation the CLI and the server offer, with their built-in set.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, schemars::JsonSchema)]
#[serde(rename_all = "kebab-case")]
pub enum EvaluationKind {
    ZeroCarbonPark,
    GreenFactory,
    NearZero,
    Esg,
}

impl EvaluationKind {
    pub const ALL: [EvaluationKind; 4] = [
        EvaluationKind::ZeroCarbonPark,
        EvaluationKind::GreenFactory,
        EvaluationKind::NearZero,
        EvaluationKind::Esg,
    ];

    /// Id of the indicator set used unless another is given.
    pub fn scheme_id(self) -> &'static str {
        use zp_evaluate::builtin as b;
        match self {
            EvaluationKind::ZeroCarbonPark => b::ZERO_CARBON_PARK,
            EvaluationKind::GreenFactory => b::GREEN_FACTORY,
            EvaluationKind::NearZero => b::NEAR_ZERO_CARBON_PILOT,
            EvaluationKind::Esg => b::ESG,
        }
    }

    /// The command name (`zero-carbon-park`, ...).
    pub fn key(self) -> &'static str {
        match self {
            EvaluationKind::ZeroCarbonPark => "zero-carbon-park",
            EvaluationKind::GreenFactory => "green-factory",
            EvaluationKind::NearZero => "near-zero",
            EvaluationKind::Esg => "esg",
        }
    }

    pub fn parse(s: &str) -> Option<EvaluationKind> {
        EvaluationKind::ALL.into_iter().find(|k| k.key() == s)
    }
}

/// Whose evaluation: a park (by name) or an enterprise (by credit code).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum EvaluationScope {
    Park(String),
    Org(CreditCode),
}

impl EvaluationScope {
    pub fn id(&self) -> String {
        match self {
            EvaluationScope::Park(p) => p.clone(),
            EvaluationScope::Org(c) => c.to_string(),
        }
    }

    fn inventory_scope(&self) -> InventoryScope {
        match self {
            EvaluationScope::Park(p) => InventoryScope::Park(p.clone()),
            EvaluationScope::Org(c) => InventoryScope::Org(c.clone()),
        }
    }
}

/// Which indicator set to use.
#[derive(Debug, Clone, Default)]
pub struct SchemeChoice {
    /// A set read from a file for this run only.
    pub file: Option<Scheme>,
    /// A given version of the kind's set (default: the latest loaded).
    pub version: Option<String>,
}

/// A target intensity for the gap trajectory.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, schemars::JsonSchema)]
pub struct Target {
    pub year: i32,
    pub tco2_per_tce: Decimal,
    pub shape: PathShape,
    /// Yearly growth of energy use assumed on the path (0 = flat).
    pub energy_growth: Decimal,
}

/// An evaluation with its gap analysis: the JSON of `zeropark evaluate <kind> --json`.
#[derive(Debug, Clone, Serialize, schemars::JsonSchema)]
pub struct EvaluationReport {
    #[serde(flatten)]
    pub evaluation: Evaluation,
    pub kind: EvaluationKind,
    pub scheme_name: String,
    /// The set's Chinese name, when it gives one.
    pub scheme_name_zh: Option<String>,
    /// What the set is based on and the assumptions it makes.
    pub scheme_basis: String,
    pub scheme_notes: Vec<String>,
    pub gaps: Vec<Gap>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub score_gap: Option<ScoreGap>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub target: Option<Target>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub trajectory: Option<Vec<TrajectoryPoint>>,
    /// Notes of the inventory the account figures come from (fallbacks, missing factors).
    pub inventory_notes: Vec<String>,
    /// Factor ids the account figures used.
    pub factor_ids: Vec<String>,
}

/// An abatement plan with its cost curve and trajectory: `zeropark evaluate plan --json`.
#[derive(Debug, Clone, Serialize, schemars::JsonSchema)]
pub struct PlanReport {
    #[serde(flatten)]
    pub plan: Plan,
    pub mac_curve: Vec<MacPoint>,
    pub trajectory: Vec<TrajectoryPoint>,
    pub inventory_notes: Vec<String>,
}

/// A loaded indicator set, for `evaluate schemes list`.
#[derive(Debug, Clone, Serialize, schemars::JsonSchema)]
pub struct SchemeInfo {
    pub id: String,
    pub version: String,
    pub name: String,
    pub sha256: String,
    /// `builtin` or the file it was imported from.
    pub origin: String,
    pub indicators: usize,
    pub veto: Vec<String>,
}

/// Built-in sets plus the user sets stored in the database (a later version of an id
/// becomes the default for it).
pub fn scheme_catalog(store: &mut dyn Store) -> Result<SchemeCatalog, AppError> {
    let mut catalog = builtin_catalog();
    for stored in store.schemes()? {
        let scheme = Scheme::from_toml_str(&stored.toml).map_err(|e| {
            StoreError::Corrupt(format!(
                "stored indicator set {}@{}: {e}",
                stored.scheme_id, stored.version
            ))
        })?;
        catalog
            .add(scheme)
            .map_err(|e| AppError::Invalid(e.to_string()))?;
    }
    Ok(catalog)
}

/// Every loaded indicator set.
pub fn list_schemes(store: &mut dyn Store) -> Result<Vec<SchemeInfo>, AppError> {
    let origins: Vec<(String, String, String)> = store
        .schemes()?
        .into_iter()
        .map(|s| (s.scheme_id, s.version, s.file))
        .collect();
    Ok(scheme_catalog(store)?
        .all()
        .iter()
        .map(|s| SchemeInfo {
            id: s.id.clone(),
            version: s.version.clone(),
            name: s.name.clone(),
            sha256: s.sha256.clone(),
            origin: origins
                .iter()
                .find(|(id, v, _)| *id == s.id && *v == s.version)
                .map_or_else(|| "builtin".to_string(), |(_, _, f)| f.clone()),
            indicators: s.indicators.len(),
            veto: s
                .indicators
                .iter()
                .filter(|i| i.veto)
                .map(|i| i.id.clone())
                .collect(),
        })
        .collect())
}

/// Reads and checks an indicator set file.
pub fn read_scheme_file(path: &Path) -> Result<(Scheme, String), AppError> {
    let text = std::fs::read_to_string(path)
        .map_err(|e| AppError::Invalid(format!("cannot read {}: {e}", path.display())))?;
    let scheme = Scheme::from_toml_str(&text)
        .map_err(|e| AppError::Invalid(format!("{}: {e}", path.display())))?;
    Ok((scheme, text))
}

/// `zeropark evaluate schemes import FILE`: stores a user indicator set. A set version is
/// immutable: the same id and version with other content is refused; a built-in id and
/// version cannot be replaced either.
pub fn import_scheme(
    store: &mut dyn Store,
    path: &Path,
    actor: &str,
) -> Result<(Scheme, Upsert), AppError> {
    let (scheme, text) = read_scheme_file(path)?;
    if let Some(b) = builtin_catalog().get(&scheme.id, Some(&scheme.version))
        && b.sha256 != scheme.sha256
    {
        return Err(AppError::Invalid(format!(
            "{}: {} version {} is a built-in set; give your changed set a new version",
            path.display(),
            scheme.id,
            scheme.version
        )));
    }
    let stored = StoredScheme {
        scheme_id: scheme.id.clone(),
        version: scheme.version.clone(),
        sha256: scheme.sha256.clone(),
        toml: text,
        file: path.display().to_string(),
        imported_at: String::new(),
    };
    let upsert = store.save_scheme(&stored, actor)?;
    Ok((scheme, upsert))
}

/// Imports indicator rows read from a file for the scopes `access` sees: rows for a park or
/// enterprise outside it are quarantined like unknown scopes (nothing about them is
/// revealed). Returns the counts and the quarantined rows.
pub fn import_indicator_table(
    store: &mut dyn Store,
    table: &Table,
    caller: &crate::Caller,
) -> Result<(ImportCounts, Vec<Rejected>), ImportError> {
    let v = indicator_rows(store, table, caller)?;
    let meta = crate::batch::batch_meta("indicators", table, &caller.actor);
    let rows = ImportRows::new(&meta, &v.rows, &v.rejected, table.rows.len());
    let mut counts = store.import_indicators(rows)?;
    counts.accepted += v.repeated;
    counts.duplicates += v.repeated;
    Ok((counts, v.rejected))
}

/// The indicator rows of `table` validated against the data catalogue and the scopes
/// (parks, enterprises) `caller` sees: what an import stores and its preview compares.
pub(crate) fn indicator_rows(
    store: &mut dyn Store,
    table: &Table,
    caller: &crate::Caller,
) -> Result<crate::indicator_rows::IndicatorRows, ImportError> {
    let catalog = scheme_catalog(store).map_err(|e| match e {
        AppError::Store(s) => s,
        other => StoreError::Corrupt(other.to_string()),
    })?;
    let data = DataCatalogue::from_schemes(catalog.all());
    let parks: HashSet<String> = store
        .parks(&caller.access)?
        .into_iter()
        .map(|p| p.name)
        .collect();
    let orgs: HashSet<String> = store
        .orgs(&caller.access, &OrgFilter::default())?
        .into_iter()
        .map(|o| o.credit_code.to_string())
        .collect();
    let kind = |id: &str| {
        if parks.contains(id) {
            Some(ScopeKind::Park)
        } else {
            let code = CreditCode::parse(id).ok()?;
            orgs.contains(code.as_str()).then_some(ScopeKind::Org)
        }
    };
    Ok(validate_indicators(table, &data, &kind)?)
}

/// The accounts and indicator data of a scope for a year.
struct Inputs {
    accounts: AccountInputs,
    data: Vec<IndicatorValue>,
    notes: Vec<String>,
    factor_ids: Vec<String>,
    /// `data.solid_waste_utilisation` was derived from transfer manifests.
    derived_utilisation: bool,
    /// `data.product_energy_within_level2` was derived from the benchmark.
    derived_within_level2: bool,
}

/// A park's utilisation share from its hazardous-waste transfers when no figure for the
/// year was imported (an imported figure takes precedence); `None` when the scope is not a
/// park, a figure was imported, or nothing was received.
fn derived_utilisation(
    store: &mut dyn Store,
    access: &Access,
    scope: &EvaluationScope,
    year: i32,
    data: &[IndicatorValue],
) -> Result<Option<IndicatorValue>, AppError> {
    use crate::waste::{SOLID_WASTE_UTILISATION, park_utilisation};
    let EvaluationScope::Park(park) = scope else {
        return Ok(None);
    };
    let period = year.to_string();
    if data
        .iter()
        .any(|d| d.indicator == SOLID_WASTE_UTILISATION && d.period == period)
    {
        return Ok(None);
    }
    let u = park_utilisation(store, access, park, year)?;
    Ok(u.share.map(|share| IndicatorValue {
        scope_id: park.clone(),
        indicator: SOLID_WASTE_UTILISATION.into(),
        period,
        value: share,
        unit: "fraction".into(),
        evidence: format!(
            "hazardous-waste manifests, {} t received, {} t utilised",
            u.received_t.normalize(),
            u.utilised_t.normalize()
        ),
    }))
}

fn gather(
    store: &mut dyn Store,
    access: &Access,
    scope: &EvaluationScope,
    year: i32,
    actor: &str,
) -> Result<Inputs, AppError> {
    let inv = inventory(
        store,
        access,
        &scope.inventory_scope(),
        year,
        GridFactorMode::Provincial,
        actor,
    )?;
    let mut data: Vec<IndicatorValue> = store
        .indicator_values(access, &scope.id(), year)?
        .into_iter()
        .map(|r| IndicatorValue {
            scope_id: r.scope_id,
            indicator: r.indicator,
            period: r.period,
            value: r.value,
            unit: r.unit,
            evidence: format!("{} ({}:{})", r.evidence, r.source_file, r.source_row),
        })
        .collect();
    let derived = derived_utilisation(store, access, scope, year, &data)?;
    let derived_utilisation = derived.is_some();
    data.extend(derived);
    let codes: Vec<CreditCode> = match scope {
        EvaluationScope::Org(c) => vec![c.clone()],
        EvaluationScope::Park(p) => store
            .orgs(
                access,
                &zp_store::OrgFilter {
                    park: Some(p.clone()),
                    ..Default::default()
                },
            )?
            .into_iter()
            .map(|o| o.credit_code)
            .collect(),
    };
    let level2 = crate::benchmark::derived_within_level2(
        store,
        access,
        &scope.id(),
        &codes,
        year,
        &data,
        actor,
    )?;
    let derived_within_level2 = level2.is_some();
    data.extend(level2);
    Ok(Inputs {
        accounts: AccountInputs::from_inventory(&inv),
        data,
        notes: inv.notes.clone(),
        factor_ids: inv.factors.iter().map(|f| f.id.clone()).collect(),
        derived_utilisation,
        derived_within_level2,
    })
}

/// `zeropark evaluate <kind> (--park NAME | --org CODE) --year YYYY`: the evaluation, its
/// gaps and, with a target, the trajectory to it.
#[allow(clippy::too_many_arguments)]
pub fn evaluate(
    store: &mut dyn Store,
    access: &Access,
    kind: EvaluationKind,
    scope: &EvaluationScope,
    year: i32,
    choice: &SchemeChoice,
    target: Option<Target>,
    actor: &str,
) -> Result<EvaluationReport, AppError> {
    let scheme = match &choice.file {
        Some(s) => s.clone(),
        None => {
            let catalog = scheme_catalog(store)?;
            catalog
                .get(kind.scheme_id(), choice.version.as_deref())
                .cloned()
                .ok_or_else(|| {
                    AppError::NotFound(format!(
                        "indicator set {} version {} is not loaded (see `zeropark evaluate schemes list`)",
                        kind.scheme_id(),
                        choice.version.as_deref().unwrap_or("latest")
                    ))
                })?
        }
    };
    let inputs = gather(store, access, scope, year, actor)?;
    let scope_id = scope.id();
    let period = year.to_string();
    let mut evaluation = run_evaluation(
        &scheme,
        &Subject {
            scope_id: &scope_id,
            period: &period,
            accounts: Some(&inputs.accounts),
            data: &inputs.data,
        },
    );
    if inputs.derived_utilisation {
        let source = format!("data.{}", crate::waste::SOLID_WASTE_UTILISATION);
        for i in evaluation
            .indicators
            .iter_mut()
            .filter(|i| i.source == source && i.value.is_some())
        {
            i.note = Some(match i.note.take() {
                Some(n) => format!("{n}; {}", crate::waste::UTILISATION_NOTE),
                None => crate::waste::UTILISATION_NOTE.to_string(),
            });
        }
    }
    if inputs.derived_within_level2 {
        let source = format!("data.{}", crate::benchmark::WITHIN_LEVEL2);
        for i in evaluation
            .indicators
            .iter_mut()
            .filter(|i| i.source == source && i.value.is_some())
        {
            i.note = Some(match i.note.take() {
                Some(n) => format!("{n}; {}", crate::benchmark::WITHIN_LEVEL2_NOTE),
                None => crate::benchmark::WITHIN_LEVEL2_NOTE.to_string(),
            });
        }
    }
    let trajectory = target
        .map(|t| {
            trajectory(
                year,
                &inputs.accounts,
                t.year,
                t.tco2_per_tce,
                t.shape,
                t.energy_growth,
            )
        })
        .transpose()
        .map_err(|e| AppError::Invalid(e.to_string()))?;
    Ok(EvaluationReport {
        gaps: analyse_gaps(&evaluation),
        score_gap: score_gap(&evaluation),
        evaluation,
        kind,
        scheme_name: scheme.name.clone(),
        scheme_name_zh: scheme.name_zh.clone(),
        scheme_basis: scheme.basis.trim().to_string(),
        scheme_notes: scheme.notes.clone(),
        target,
        trajectory,
        inventory_notes: inputs.notes,
        factor_ids: inputs.factor_ids,
    })
}

/// Reads a measures file (same layout as the built-in `measures/default.toml`).
pub fn read_measures_file(path: &Path) -> Result<MeasureSet, AppError> {
    let text = std::fs::read_to_string(path)
        .map_err(|e| AppError::Invalid(format!("cannot read {}: {e}", path.display())))?;
    MeasureSet::from_toml_str(&text)
        .map_err(|e| AppError::Invalid(format!("{}: {e}", path.display())))
}

/// `zeropark evaluate plan (--park NAME | --org CODE) --year YYYY --target T --target-year Y`:
/// the cheapest portfolio of measures reaching the target intensity, the cost curve and
/// the yearly path.
pub fn plan(
    store: &mut dyn Store,
    access: &Access,
    scope: &EvaluationScope,
    year: i32,
    target: Target,
    measures: Option<MeasureSet>,
    actor: &str,
) -> Result<PlanReport, AppError> {
    let inputs = gather(store, access, scope, year, actor)?;
    let set = measures.unwrap_or_else(MeasureSet::default_set);
    // Grid electricity a measure adds (heat pumps) or replaces is valued at the scope's own
    // market factor; a scope without grid electricity gets the year's residual factor.
    let mut notes = inputs.notes;
    let fallback = match catalog(store)?.select(Slot::MarketResidual { year }) {
        Ok(sel) => {
            if inputs.accounts.grid_market_tco2_per_mwh().is_none() {
                notes.push(format!(
                    "no uncovered grid electricity in {year}: grid measures valued at factor {} ({} tCO2/MWh)",
                    sel.factor.id, sel.factor.value
                ));
            }
            Some(sel.factor.value)
        }
        Err(_) => None,
    };
    // Purchased heat and steam measures are valued at the catalog's heat factor, the one
    // the accounts price the scope's purchased heat with.
    let heat = catalog(store)?
        .select(Slot::HeatEmission)
        .ok()
        .map(|sel| sel.factor.value);
    let request = PlanRequest {
        scope_id: scope.id(),
        base_year: year,
        base: inputs.accounts.clone(),
        target_year: target.year,
        target_tco2_per_tce: target.tco2_per_tce,
        fallback_grid_tco2_per_mwh: fallback,
        heat_tco2_per_gj: heat,
    };
    let plan = plan_abatement(&request, &set).map_err(|e| AppError::Invalid(e.to_string()))?;
    let path = trajectory(
        year,
        &inputs.accounts,
        target.year,
        target.tco2_per_tce,
        target.shape,
        target.energy_growth,
    )
    .map_err(|e| AppError::Invalid(e.to_string()))?;
    Ok(PlanReport {
        mac_curve: mac_curve(&set, &inputs.accounts, &rates(&request)),
        plan,
        trajectory: path,
        inventory_notes: notes,
    })
}
