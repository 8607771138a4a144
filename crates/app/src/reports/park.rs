//! `zeropark report park-annual`: the park view of the year (issued member inventories,
//! monthly figures, threshold), the park's inventory of every earlier year with data, the
//! zero-carbon park evaluation, designations and finance projects, all within the caller's
//! access, handed to `zp_reports::park::build`.

use super::report_err;
use crate::evaluate::{EvaluationKind, EvaluationScope, SchemeChoice};
use crate::finance::Party;
use crate::{AppError, Caller, InventoryScope};
use rust_decimal::Decimal;
use std::collections::BTreeSet;
use zp_accounting::GridFactorMode;
use zp_reports::Lang;
use zp_reports::park::{
    DesignationRow, Indicator, Member, ParkAnnualReport, ParkInfo, ParkInput, ProjectRow,
    YearFigures, ZeroCarbon, build,
};
use zp_store::{Access, ApplicationFilter, Designation, ProjectFilter, Store};

fn key_of<T: serde::Serialize>(v: &T) -> String {
    serde_json::to_value(v)
        .ok()
        .and_then(|v| v.as_str().map(str::to_string))
        .unwrap_or_default()
}

fn designation(d: Designation) -> DesignationRow {
    DesignationRow {
        kind: d.kind.key().into(),
        level: d.level.key().into(),
        scope: d.scope_id,
        granted_on: d.granted_on,
        expires_on: d.expires_on,
        notice: d.notice,
    }
}

/// `zeropark report park-annual --park NAME --year Y --lang zh|en`.
pub fn park_annual_report(
    store: &mut dyn Store,
    caller: &Caller,
    park: &str,
    year: i32,
    lang: Lang,
) -> Result<ParkAnnualReport, AppError> {
    let access = &caller.access;
    let grid = GridFactorMode::Provincial;
    let view = crate::park::park_view(store, access, park, Some(year), grid, &caller.actor)?;
    let mut notes = Vec::new();

    // Earlier years with ledger rows of the park's (visible) enterprises.
    let mut years = BTreeSet::new();
    for o in &view.orgs {
        years.extend(store.activity_years(&Access::Org(o.credit_code.clone()))?);
    }
    let mut inventories = Vec::new();
    for y in years.into_iter().filter(|y| *y < year) {
        let scope = InventoryScope::Park(park.to_string());
        inventories.push(crate::inventory(
            store,
            access,
            &scope,
            y,
            grid,
            &caller.actor,
        )?);
    }
    inventories.push(view.inventory.clone());

    let members = view
        .members
        .iter()
        .zip(&view.orgs)
        .map(|(inv, o)| Member {
            credit_code: o.credit_code.to_string(),
            name: o.name.clone(),
            industry: o.industry.clone(),
            figures: YearFigures::of(inv),
        })
        .collect();

    let zero_carbon = match crate::evaluate::evaluate(
        store,
        access,
        EvaluationKind::ZeroCarbonPark,
        &EvaluationScope::Park(park.to_string()),
        year,
        &SchemeChoice::default(),
        None,
        &caller.actor,
    ) {
        Ok(r) => Some(ZeroCarbon {
            scheme: r.evaluation.scheme.clone(),
            version: r.evaluation.version.clone(),
            scheme_sha256: r.evaluation.scheme_sha256.clone(),
            pass: r.evaluation.pass,
            complete: r.evaluation.complete,
            indicators: r
                .evaluation
                .indicators
                .iter()
                .map(|i| Indicator {
                    id: i.id.clone(),
                    name: match lang {
                        Lang::Zh => i.name_zh.clone().unwrap_or_else(|| i.name.clone()),
                        Lang::En => i.name.clone(),
                    },
                    value: i.value,
                    unit: i.unit.clone(),
                    comparison: i.comparison.as_ref().map(key_of).unwrap_or_default(),
                    threshold: i.threshold,
                    status: key_of(&i.status),
                    veto: i.veto,
                    source: i.source.clone(),
                })
                .collect(),
            reasons: r.evaluation.reasons.clone(),
        }),
        Err(e) => {
            notes.push(format!("zero-carbon park evaluation not available: {e}"));
            None
        }
    };

    let mut designations: Vec<DesignationRow> =
        view.designations.iter().cloned().map(designation).collect();
    for o in &view.orgs {
        designations.extend(
            store
                .designations(access, Some(o.credit_code.as_str()))?
                .into_iter()
                .map(designation),
        );
    }

    let party = Party::Tenant {
        access: access.clone(),
        write: false,
    };
    let filter = ProjectFilter {
        park: Some(park.to_string()),
        ..Default::default()
    };
    let mut projects = Vec::new();
    for p in crate::finance::projects(store, &party, &filter)? {
        let apps = crate::finance::applications(
            store,
            &party,
            &ApplicationFilter {
                project: Some(p.project.id.clone()),
                ..Default::default()
            },
        )?;
        let mut statuses: Vec<String> = apps.iter().map(|a| a.status.clone()).collect();
        statuses.sort();
        statuses.dedup();
        projects.push(ProjectRow {
            id: p.project.id.clone(),
            name: p.project.name.clone(),
            credit_code: p.project.org.to_string(),
            kind: key_of(&p.project.kind),
            categories: p.project.categories.clone(),
            capex_yuan: p.project.capex_yuan,
            expected_reduction_tco2: p.expected.total_tco2,
            operation_start: p.project.operation_start.to_string(),
            applications: apps.len(),
            requested_yuan: apps.iter().map(|a| Decimal::new(a.amount_fen, 2)).sum(),
            statuses,
        });
    }
    notes.extend(view.inventory.notes.iter().cloned());

    build(ParkInput {
        lang,
        park: ParkInfo {
            name: view.park.name.clone(),
            region: view.park.region.code().into(),
            region_name: lang
                .pick(view.park.region.name_zh(), view.park.region.name_en())
                .into(),
            enterprises: view.orgs.len(),
        },
        year,
        years: inventories,
        monthly: view.monthly.clone(),
        members,
        zero_carbon,
        threshold_tco2_per_tce: view.threshold_tco2_per_tce,
        designations,
        projects,
        notes,
    })
    .map_err(report_err)
}
