//! A proposed project's energy and carbon assessment (节能审查 with carbon evaluation): the
//! project file, its validation, and the arithmetic around the accounting engine's figures
//! (intensities, the share of a remaining budget).
//!
//! The project file (TOML):
//!
//! ```toml
//! name = "示例新材料项目"
//! region = "CQ"              # province code or name
//! park = "示例园区"           # optional
//! industry = "2651"          # GB/T 4754 code or a name
//! year = 2023                # first full year of operation; the factors' year
//! output_10k_yuan = 50000    # designed yearly output value, 10^4 yuan
//! green_power_mwh = 2000     # optional: planned green-power purchase (certificates / trading)
//!
//! [[energy]]                 # designed yearly use, as in an activity file
//! carrier = "electricity"
//! quantity = 8000
//! unit = "MWh"
//!
//! [[products]]               # optional: designed yearly output per product
//! name = "水泥熟料"
//! quantity = 1000000
//! unit = "t"
//! energy_share = 1           # share of the project's energy (default 1 for one product)
//! advanced_kgce_per_unit = 100    # optional, with source: 标杆水平 (advanced)
//! benchmark_kgce_per_unit = 117   # optional, with source: 基准水平 (benchmark to meet)
//! source = "发改产业〔2021〕1609号, table 1 (cement clinker)"
//! ```
//!
//! A product's energy intensity is `energy_tce x energy_share x 1000 / quantity` kgce per
//! unit; its level is `advanced` at or below the advanced value, `benchmark` at or below
//! the benchmark value, `below_benchmark` above it (`below_advanced` when only an advanced
//! value is cited and the product is above it). Values are the file's, never built in:
//! a value without a `source` is refused.
//!
//! Numbers may be written as TOML numbers or as strings; both are read as exact decimals
//! (a TOML float is read from its shortest decimal spelling, so `0.1` is 0.1).

use rust_decimal::Decimal;
use serde::{Deserialize, Deserializer, Serialize};
use std::str::FromStr;
use zp_domain::{Carrier, Quantity, Region, Unit};

/// One designed yearly energy use (or production, for clinker) of a project.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, schemars::JsonSchema)]
pub struct ProjectEnergy {
    pub carrier: Carrier,
    pub quantity: Quantity,
    /// Purchased steam: absolute pressure and temperature it is delivered at.
    pub pressure_mpa: Option<Decimal>,
    pub temperature_c: Option<Decimal>,
}

/// A validated project.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, schemars::JsonSchema)]
pub struct Project {
    pub name: String,
    pub region: Region,
    pub park: Option<String>,
    pub industry: String,
    pub year: i32,
    pub output_10k_yuan: Decimal,
    pub green_power_mwh: Decimal,
    pub energy: Vec<ProjectEnergy>,
    pub products: Vec<ProjectProduct>,
}

/// A product of a project with its designed yearly output and, where the file cites them,
/// the industry's advanced and benchmark energy intensities.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, schemars::JsonSchema)]
pub struct ProjectProduct {
    pub name: String,
    pub quantity: Decimal,
    pub unit: String,
    pub energy_share: Decimal,
    pub advanced_kgce_per_unit: Option<Decimal>,
    pub benchmark_kgce_per_unit: Option<Decimal>,
    pub source: Option<String>,
}

/// A product's intensity against the cited values.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ProductIntensity {
    #[serde(flatten)]
    pub product: ProjectProduct,
    pub energy_kgce_per_unit: Decimal,
    /// `advanced`, `benchmark` or `below_benchmark`; `None` without cited values.
    pub level: Option<&'static str>,
}

/// Each product's energy intensity (kgce per unit) from the project's `energy_tce`.
pub fn product_intensities(
    energy_tce: Decimal,
    products: &[ProjectProduct],
) -> Vec<ProductIntensity> {
    products
        .iter()
        .map(|p| {
            let kgce =
                (energy_tce * p.energy_share * Decimal::ONE_THOUSAND / p.quantity).round_dp(4);
            let level = match (p.advanced_kgce_per_unit, p.benchmark_kgce_per_unit) {
                (Some(a), _) if kgce <= a => Some("advanced"),
                (_, Some(b)) if kgce <= b => Some("benchmark"),
                (None, None) => None,
                (_, Some(_)) => Some("below_benchmark"),
                (Some(_), None) => Some("below_advanced"),
            };
            ProductIntensity {
                product: p.clone(),
                energy_kgce_per_unit: kgce.normalize(),
                level,
            }
        })
        .collect()
}

/// Why a project file was refused: every fault, each with where it is.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("project file {file}: {}", faults.join("; "))]
pub struct ProjectError {
    pub file: String,
    pub faults: Vec<String>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawProject {
    name: String,
    region: String,
    #[serde(default)]
    park: Option<String>,
    industry: String,
    year: i32,
    #[serde(deserialize_with = "exact")]
    output_10k_yuan: Decimal,
    #[serde(default, deserialize_with = "exact_opt")]
    green_power_mwh: Option<Decimal>,
    #[serde(default)]
    energy: Vec<RawEnergy>,
    #[serde(default)]
    products: Vec<RawProduct>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawProduct {
    name: String,
    #[serde(deserialize_with = "exact")]
    quantity: Decimal,
    unit: String,
    #[serde(default, deserialize_with = "exact_opt")]
    energy_share: Option<Decimal>,
    #[serde(default, deserialize_with = "exact_opt")]
    advanced_kgce_per_unit: Option<Decimal>,
    #[serde(default, deserialize_with = "exact_opt")]
    benchmark_kgce_per_unit: Option<Decimal>,
    #[serde(default)]
    source: Option<String>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawEnergy {
    carrier: String,
    #[serde(deserialize_with = "exact")]
    quantity: Decimal,
    unit: String,
    #[serde(default, deserialize_with = "exact_opt")]
    pressure_mpa: Option<Decimal>,
    #[serde(default, deserialize_with = "exact_opt")]
    temperature_c: Option<Decimal>,
}

#[derive(Deserialize)]
#[serde(untagged)]
enum Number {
    Int(i64),
    Float(f64),
    Text(String),
}

fn number(n: Number) -> Result<Decimal, String> {
    let text = match n {
        Number::Int(i) => return Ok(Decimal::from(i)),
        // Rust prints the shortest spelling that reads back to the same float.
        Number::Float(f) if f.is_finite() => format!("{f}"),
        Number::Float(f) => return Err(format!("{f} is not a number")),
        Number::Text(t) => t,
    };
    Decimal::from_str(text.trim())
        .or_else(|_| Decimal::from_scientific(text.trim()))
        .map_err(|_| format!("{text:?} is not a decimal number"))
}

fn exact<'de, D: Deserializer<'de>>(d: D) -> Result<Decimal, D::Error> {
    number(Number::deserialize(d)?).map_err(serde::de::Error::custom)
}

fn exact_opt<'de, D: Deserializer<'de>>(d: D) -> Result<Option<Decimal>, D::Error> {
    Option::<Number>::deserialize(d)?
        .map(number)
        .transpose()
        .map_err(serde::de::Error::custom)
}

/// Parses and validates a project file; `file` names it in the refusal.
pub fn parse_project(file: &str, text: &str) -> Result<Project, ProjectError> {
    let refuse = |faults: Vec<String>| ProjectError {
        file: file.to_string(),
        faults,
    };
    let raw: RawProject = toml::from_str(text).map_err(|e| refuse(vec![e.to_string()]))?;
    let mut faults = Vec::new();
    if raw.name.trim().is_empty() {
        faults.push("name is empty".to_string());
    }
    if raw.industry.trim().is_empty() {
        faults.push("industry is empty".to_string());
    }
    let region = match Region::parse_province(&raw.region) {
        Ok(r) => Some(r),
        Err(e) => {
            faults.push(format!("region: {e}"));
            None
        }
    };
    if !(1990..=2100).contains(&raw.year) {
        faults.push(format!("year {} is outside 1990-2100", raw.year));
    }
    if raw.output_10k_yuan <= Decimal::ZERO {
        faults.push(format!(
            "output_10k_yuan {} must be above zero (the intensities divide by it)",
            raw.output_10k_yuan
        ));
    }
    let green = raw.green_power_mwh.unwrap_or(Decimal::ZERO);
    if green < Decimal::ZERO {
        faults.push(format!("green_power_mwh {green} is negative"));
    }
    if raw.energy.is_empty() {
        faults.push("no [[energy]] table: the project's designed energy use is needed".into());
    }
    let mut energy = Vec::with_capacity(raw.energy.len());
    for (i, e) in raw.energy.iter().enumerate() {
        let at = format!("[[energy]] {} ({})", i + 1, e.carrier);
        let Some(carrier) = Carrier::parse(&e.carrier) else {
            faults.push(format!("{at}: unknown carrier {:?}", e.carrier));
            continue;
        };
        if carrier == Carrier::GreenCertificate {
            faults.push(format!(
                "{at}: planned green power goes in green_power_mwh, not in [[energy]]"
            ));
            continue;
        }
        let unit = match Unit::parse(&e.unit) {
            Ok(u) if carrier.accepts(u) => u,
            Ok(u) => {
                faults.push(format!(
                    "{at}: unit {} is not a unit of {carrier} ({:?})",
                    u.symbol(),
                    carrier.dimension()
                ));
                continue;
            }
            Err(err) => {
                faults.push(format!("{at}: {err}"));
                continue;
            }
        };
        if e.quantity < Decimal::ZERO {
            faults.push(format!("{at}: quantity {} is negative", e.quantity));
            continue;
        }
        if (e.pressure_mpa.is_some() || e.temperature_c.is_some()) && carrier != Carrier::Steam {
            faults.push(format!(
                "{at}: pressure_mpa and temperature_c apply to steam only"
            ));
            continue;
        }
        energy.push(ProjectEnergy {
            carrier,
            quantity: Quantity::new(e.quantity, unit),
            pressure_mpa: e.pressure_mpa,
            temperature_c: e.temperature_c,
        });
    }
    let products = products(&raw.products, &mut faults);
    match (faults.is_empty(), region) {
        (true, Some(region)) => Ok(Project {
            name: raw.name.trim().to_string(),
            region,
            park: raw
                .park
                .map(|p| p.trim().to_string())
                .filter(|p| !p.is_empty()),
            industry: raw.industry.trim().to_string(),
            year: raw.year,
            output_10k_yuan: raw.output_10k_yuan,
            green_power_mwh: green,
            energy,
            products,
        }),
        _ => Err(refuse(faults)),
    }
}

/// Validates the `[[products]]` tables, adding every fault to `faults`.
fn products(raw: &[RawProduct], faults: &mut Vec<String>) -> Vec<ProjectProduct> {
    let mut out = Vec::with_capacity(raw.len());
    for (i, p) in raw.iter().enumerate() {
        let at = format!("[[products]] {} ({})", i + 1, p.name);
        let mut ok = true;
        let mut fault = |m: String| {
            faults.push(format!("{at}: {m}"));
            ok = false;
        };
        if p.name.trim().is_empty() || p.unit.trim().is_empty() {
            fault("name and unit are needed".into());
        }
        if p.quantity <= Decimal::ZERO {
            fault(format!("quantity {} must be above zero", p.quantity));
        }
        let share = match (p.energy_share, raw.len()) {
            (Some(s), _) => s,
            (None, 1) => Decimal::ONE,
            (None, _) => {
                fault("energy_share is needed when a project has several products".into());
                Decimal::ZERO
            }
        };
        if share <= Decimal::ZERO || share > Decimal::ONE {
            fault(format!("energy_share {share} must be in (0, 1]"));
        }
        let cited = p.advanced_kgce_per_unit.is_some() || p.benchmark_kgce_per_unit.is_some();
        let source = p.source.as_deref().map(str::trim).filter(|s| !s.is_empty());
        if cited && source.is_none() {
            fault(
                "advanced or benchmark values need their source (the standard or notice cited)"
                    .into(),
            );
        }
        if let (Some(a), Some(b)) = (p.advanced_kgce_per_unit, p.benchmark_kgce_per_unit)
            && a > b
        {
            fault(format!(
                "advanced value {a} is above the benchmark value {b}: the advanced one is the lower"
            ));
        }
        if ok {
            out.push(ProjectProduct {
                name: p.name.trim().to_string(),
                quantity: p.quantity,
                unit: p.unit.trim().to_string(),
                energy_share: share,
                advanced_kgce_per_unit: p.advanced_kgce_per_unit,
                benchmark_kgce_per_unit: p.benchmark_kgce_per_unit,
                source: source.map(str::to_string),
            });
        }
    }
    let total: Decimal = out.iter().map(|p| p.energy_share).sum();
    if total > Decimal::ONE {
        faults.push(format!(
            "[[products]]: energy shares add up to {total}, more than the project's energy"
        ));
    }
    out
}

/// `num / den` rounded to 6 decimal places; `None` when `den` is not above zero.
pub fn ratio(num: Decimal, den: Decimal) -> Option<Decimal> {
    (den > Decimal::ZERO).then(|| (num / den).round_dp(6))
}

/// What is left of a yearly budget for new projects.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Remaining {
    pub budget: Decimal,
    /// What the existing enterprises are expected to use (forecast, else actual).
    pub used: Decimal,
    /// `budget - used`, never below zero.
    pub remaining: Decimal,
    /// Project / remaining, 6 decimal places; `None` when nothing remains.
    pub share: Option<Decimal>,
}

/// The share of `budget - used` that `project` takes.
pub fn remaining_share(project: Decimal, budget: Decimal, used: Decimal) -> Remaining {
    let remaining = (budget - used).max(Decimal::ZERO);
    Remaining {
        budget,
        used,
        remaining,
        share: ratio(project, remaining),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use rust_decimal_macros::dec;

    const FILE: &str = r#"
name = "示例项目"
region = "重庆"
park = "示例园区"
industry = "2651"
year = 2023
output_10k_yuan = 12345.6
green_power_mwh = "2000"

[[energy]]
carrier = "electricity"
quantity = 10000
unit = "MWh"

[[energy]]
carrier = "天然气"
quantity = 0.1
unit = "万m3"
"#;

    #[test]
    fn a_project_file_reads_exact_decimals() {
        let p = parse_project("p.toml", FILE).unwrap();
        assert_eq!(p.region.code(), "CQ");
        assert_eq!(p.output_10k_yuan, dec!(12345.6));
        assert_eq!(p.green_power_mwh, dec!(2000));
        assert_eq!(p.energy[1].carrier, Carrier::NaturalGas);
        assert_eq!(p.energy[1].quantity, Quantity::new(dec!(0.1), Unit::WanM3));
    }

    #[test]
    fn every_fault_is_named() {
        let bad = FILE
            .replace("重庆", "GRID-SW")
            .replace("\"MWh\"", "\"t\"")
            .replace("12345.6", "0");
        let e = parse_project("p.toml", &bad).unwrap_err();
        assert_eq!(e.faults.len(), 3, "{e}");
        assert!(
            e.to_string().contains("[[energy]] 1 (electricity): unit t"),
            "{e}"
        );
        let e = parse_project("p.toml", &format!("{FILE}\ngreen_power_mhw = 1")).unwrap_err();
        assert!(e.to_string().contains("green_power_mhw"), "{e}");
    }

    #[test]
    fn shares_of_what_remains() {
        let r = remaining_share(dec!(50), dec!(1000), dec!(800));
        assert_eq!((r.remaining, r.share), (dec!(200), Some(dec!(0.25))));
        let r = remaining_share(dec!(50), dec!(1000), dec!(1200));
        assert_eq!((r.remaining, r.share), (Decimal::ZERO, None));
    }
}
