//! A product's cradle-to-gate carbon footprint (产品碳足迹), in the structure of GB/T 24067
//! and ISO 14067: the life-cycle stages up to the factory gate, each in tCO2e and per tonne
//! of product.
//!
//! - raw materials (原材料获取): each purchased material's `quantity x kgCO2e/unit / 1000`,
//!   with the factor's source;
//! - energy and process, direct (生产: 直接排放): the product's share of the enterprise's
//!   Scope 1 (combustion and process);
//! - purchased electricity and heat (外购电力热力): its share of Scope 2 (location-based).
//!
//! The shares are computed by the caller ([`crate::benchmark::allocate`]); this module only
//! adds up. Per unit: `tCO2e x 1000 / output_t` kgCO2e/t, rounded to 6 decimals. Pure.

use rust_decimal::Decimal;
use serde::Serialize;

/// A purchased material of the product with its emission factor and the factor's source.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, schemars::JsonSchema)]
pub struct MaterialInput {
    pub material: String,
    pub quantity: Decimal,
    pub unit: String,
    pub kgco2e_per_unit: Decimal,
    pub source: String,
    /// `file:row` of the import.
    pub input_row: String,
}

/// A material's line of the footprint.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, schemars::JsonSchema)]
pub struct MaterialLine {
    #[serde(flatten)]
    pub input: MaterialInput,
    pub emissions_tco2e: Decimal,
    pub formula: String,
}

/// One stage of the footprint.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, schemars::JsonSchema)]
pub struct Stage {
    /// `raw_materials`, `energy_process_direct` or `purchased_electricity_heat`.
    pub stage: &'static str,
    pub emissions_tco2e: Decimal,
    pub kgco2e_per_t: Decimal,
}

/// The stages, the materials and the total.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, schemars::JsonSchema)]
pub struct Footprint {
    pub output_t: Decimal,
    pub stages: Vec<Stage>,
    pub materials: Vec<MaterialLine>,
    pub total_tco2e: Decimal,
    pub total_kgco2e_per_t: Decimal,
}

fn per_t(tco2e: Decimal, output_t: Decimal) -> Decimal {
    if output_t <= Decimal::ZERO {
        return Decimal::ZERO;
    }
    (tco2e * Decimal::ONE_THOUSAND / output_t).round_dp(6)
}

/// The footprint of `output_t` tonnes given the product's allocated direct (Scope 1) and
/// purchased electricity and heat (Scope 2) emissions and its materials.
pub fn footprint(
    output_t: Decimal,
    direct_tco2e: Decimal,
    purchased_tco2e: Decimal,
    materials: &[MaterialInput],
) -> Footprint {
    let materials: Vec<MaterialLine> = materials
        .iter()
        .map(|m| {
            let t = m.quantity * m.kgco2e_per_unit / Decimal::ONE_THOUSAND;
            MaterialLine {
                formula: format!(
                    "{} {} x {} kgCO2e/{} / 1000 = {} tCO2e",
                    m.quantity.normalize(),
                    m.unit,
                    m.kgco2e_per_unit.normalize(),
                    m.unit,
                    t.normalize()
                ),
                input: m.clone(),
                emissions_tco2e: t,
            }
        })
        .collect();
    let raw: Decimal = materials.iter().map(|m| m.emissions_tco2e).sum();
    let stages: Vec<Stage> = [
        ("raw_materials", raw),
        ("energy_process_direct", direct_tco2e),
        ("purchased_electricity_heat", purchased_tco2e),
    ]
    .into_iter()
    .map(|(stage, t)| Stage {
        stage,
        emissions_tco2e: t,
        kgco2e_per_t: per_t(t, output_t),
    })
    .collect();
    let total = raw + direct_tco2e + purchased_tco2e;
    Footprint {
        output_t,
        stages,
        materials,
        total_tco2e: total,
        total_kgco2e_per_t: per_t(total, output_t),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use rust_decimal_macros::dec;

    #[test]
    fn stages_by_hand() {
        // 2,000 t of product; limestone 3,000 t x 8 kgCO2e/t = 24 tCO2e; direct 1,500,
        // purchased 300: total 1,824 tCO2e = 912 kgCO2e/t (12 + 750 + 150).
        let m = MaterialInput {
            material: "石灰石".into(),
            quantity: dec!(3000),
            unit: "t".into(),
            kgco2e_per_unit: dec!(8),
            source: "supplier EPD".into(),
            input_row: "m.csv:2".into(),
        };
        let f = footprint(dec!(2000), dec!(1500), dec!(300), &[m]);
        assert_eq!(f.materials[0].emissions_tco2e, dec!(24));
        let per: Vec<Decimal> = f.stages.iter().map(|s| s.kgco2e_per_t).collect();
        assert_eq!(per, vec![dec!(12), dec!(750), dec!(150)]);
        assert_eq!(f.total_tco2e, dec!(1824));
        assert_eq!(f.total_kgco2e_per_t, dec!(912));
    }
}
