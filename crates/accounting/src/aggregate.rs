//! Park and region inventories: sums of their enterprises.

use crate::model::{CarrierLine, Inventory};
use std::collections::BTreeMap;
use zp_domain::Decimal;

/// Sums enterprise inventories into one for a park or region named `scope`. Ratios are
/// recomputed from the sums. Enterprises of different regions keep the factors they used;
/// the aggregate lists every factor used by any member.
pub fn aggregate(scope_kind: &str, scope: &str, year: i32, members: &[Inventory]) -> Inventory {
    let grid = members
        .first()
        .map(|m| m.grid_factor.as_str())
        .unwrap_or_default();
    let mut out = Inventory::empty(scope_kind, scope, scope, year, grid);
    let mut lines: BTreeMap<_, CarrierLine> = BTreeMap::new();
    let mut factors = BTreeMap::new();
    let mut all_have_output = !members.is_empty();
    let mut output = Decimal::ZERO;
    for m in members {
        out.energy_tce += m.energy_tce;
        out.scope1_tco2 += m.scope1_tco2;
        out.scope1_combustion_tco2 += m.scope1_combustion_tco2;
        out.scope1_process_tco2 += m.scope1_process_tco2;
        out.scope2_location_tco2 += m.scope2_location_tco2;
        out.scope2_market_tco2 += m.scope2_market_tco2;
        out.electricity_mwh += m.electricity_mwh;
        out.grid_electricity_mwh += m.grid_electricity_mwh;
        out.onsite_renewable_mwh += m.onsite_renewable_mwh;
        out.certificates_retired_mwh += m.certificates_retired_mwh;
        out.certificates_applied_mwh += m.certificates_applied_mwh;
        out.unverified_certificates_mwh += m.unverified_certificates_mwh;
        out.onsite_certificates_sold_mwh += m.onsite_certificates_sold_mwh;
        match m.output_value_10k_yuan {
            Some(v) => output += v,
            None => all_have_output = false,
        }
        out.complete &= m.complete;
        out.members.push(m.scope.clone());
        out.notes
            .extend(m.notes.iter().map(|n| format!("{}: {n}", m.scope)));
        for l in &m.lines {
            let e = lines.entry(l.carrier).or_insert_with(|| CarrierLine {
                carrier: l.carrier,
                name_zh: l.name_zh.clone(),
                quantity: Decimal::ZERO,
                unit: l.unit.clone(),
                energy_tce: Decimal::ZERO,
                scope1_tco2: Decimal::ZERO,
                scope2_location_tco2: Decimal::ZERO,
                scope2_market_tco2: Decimal::ZERO,
                formula: "sum of the enterprises' lines".into(),
                factor_ids: Vec::new(),
                inputs: Vec::new(),
            });
            e.quantity += l.quantity;
            e.energy_tce += l.energy_tce;
            e.scope1_tco2 += l.scope1_tco2;
            e.scope2_location_tco2 += l.scope2_location_tco2;
            e.scope2_market_tco2 += l.scope2_market_tco2;
            for id in &l.factor_ids {
                if !e.factor_ids.contains(id) {
                    e.factor_ids.push(id.clone());
                }
            }
        }
        for fu in &m.factors {
            factors.entry(fu.id.clone()).or_insert_with(|| fu.clone());
        }
    }
    if all_have_output {
        out.output_value_10k_yuan = Some(output);
    } else if members.iter().any(|m| m.output_value_10k_yuan.is_some()) {
        out.notes.push(
            "output value is not reported by every enterprise; no energy intensity per 10,000 yuan"
                .into(),
        );
    }
    out.lines = lines.into_values().collect();
    out.factors = factors.into_values().collect();
    out.derive_ratios();
    out
}
