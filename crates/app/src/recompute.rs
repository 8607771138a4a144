//! `zeropark recompute`: re-select every issued result's factors from the current catalog
//! and report what changes.

use crate::AppError;
use crate::inventory::{catalog, headline};
use serde::Serialize;
use zp_accounting::{GridFactorMode, Options, compute};
use zp_domain::CreditCode;
use zp_factors::Pins;
use zp_store::{Access, IssuedResult, Store};

#[derive(Debug, Clone, Serialize, schemars::JsonSchema)]
pub struct FactorChange {
    pub slot: String,
    pub old_id: Option<String>,
    pub new_id: String,
}

#[derive(Debug, Clone, Serialize, schemars::JsonSchema)]
pub struct FigureChange {
    pub key: String,
    pub old: serde_json::Value,
    pub new: serde_json::Value,
}

#[derive(Debug, Clone, Serialize, schemars::JsonSchema)]
pub struct RecomputeItem {
    pub scope: String,
    pub year: i32,
    pub grid_mode: String,
    pub factors: Vec<FactorChange>,
    pub figures: Vec<FigureChange>,
}

/// Re-selects factors for every issued result. With `apply`, the new pins and figures are
/// issued; otherwise nothing is written. Returns only the results that change.
pub fn recompute(
    store: &mut dyn Store,
    apply: bool,
    actor: &str,
) -> Result<Vec<RecomputeItem>, AppError> {
    let catalog = catalog(store)?;
    let certs = crate::certs::stored_registry(store)?;
    let mut out = Vec::new();
    for issued in store.issued_all()? {
        let code =
            CreditCode::parse(&issued.scope).map_err(|e| AppError::Invalid(e.to_string()))?;
        let grid = match issued.grid_mode.as_str() {
            "national" => GridFactorMode::National,
            _ => GridFactorMode::Provincial,
        };
        let (input, _) =
            crate::inventory::org_input(store, &Access::All, &code, issued.year, certs.as_deref())?;
        let mut pins = Pins::default();
        let inv = compute(&input, &catalog, &mut pins, Options { grid })?;
        let new_figures = headline(&inv);
        let factors: Vec<FactorChange> = pins
            .0
            .iter()
            .filter(|(slot, p)| issued.pins.0.get(*slot).map(|o| &o.id) != Some(&p.id))
            .map(|(slot, p)| FactorChange {
                slot: slot.clone(),
                old_id: issued.pins.0.get(slot).map(|o| o.id.clone()),
                new_id: p.id.clone(),
            })
            .collect();
        let figures: Vec<FigureChange> = new_figures
            .iter()
            .filter(|(k, v)| issued.figures.get(k.as_str()) != Some(v))
            .map(|(k, v)| FigureChange {
                key: k.clone(),
                old: issued.figures.get(k.as_str()).cloned().unwrap_or_default(),
                new: v.clone(),
            })
            .collect();
        if factors.is_empty() && figures.is_empty() {
            continue;
        }
        if apply {
            store.save_issued(
                &IssuedResult {
                    pins,
                    figures: serde_json::Value::Object(new_figures),
                    ..issued.clone()
                },
                actor,
            )?;
        }
        out.push(RecomputeItem {
            scope: issued.scope,
            year: issued.year,
            grid_mode: issued.grid_mode,
            factors,
            figures,
        });
    }
    Ok(out)
}
