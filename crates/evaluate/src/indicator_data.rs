//! Indicator data entered or imported by users (`import indicators FILE`), one row per
//! `scope_id,indicator,period,value,unit,evidence`.
//!
//! Units: percentages are accepted as `%` (also `％`, `percent`) and stored as a
//! `fraction` (85 % -> 0.85), so every share is compared as a fraction. Yes/no items use
//! the unit `bool` with values `1/0`, `yes/no`, `true/false`, `是/否`. Other units are kept
//! as written and must equal the unit the indicator set declares.

use crate::inputs::Source;
use crate::scheme::Scheme;
use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};
use std::collections::{BTreeMap, BTreeSet};
use std::str::FromStr;
use zp_domain::template::write;

/// Number of fields of an indicator data row.
pub const INDICATOR_ROW_FIELDS: usize = 6;
/// Header names, in order.
pub const INDICATOR_ROW_HEADER: [&str; INDICATOR_ROW_FIELDS] = [
    "scope_id",
    "indicator",
    "period",
    "value",
    "unit",
    "evidence",
];

/// One indicator value for a scope and period, with the evidence that supports it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
pub struct IndicatorValue {
    /// Credit code, park name or region code, as in the accounts.
    pub scope_id: String,
    /// Name referenced as `data.<indicator>` by indicator sets.
    pub indicator: String,
    /// `YYYY` (a year) or `YYYY-MM`.
    pub period: String,
    pub value: Decimal,
    /// Normalised unit (`fraction`, `bool`, or as declared by the indicator set).
    pub unit: String,
    /// Document, file or URL that proves the value (required).
    pub evidence: String,
}

/// Known `data.*` indicators and their units, collected from indicator sets, so imports can
/// be checked against what the sets expect. An empty catalogue accepts any indicator name.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct DataCatalogue {
    units: BTreeMap<String, BTreeSet<String>>,
}

impl DataCatalogue {
    pub fn from_schemes<'a>(schemes: impl IntoIterator<Item = &'a Scheme>) -> DataCatalogue {
        let mut units: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
        for scheme in schemes {
            for ind in &scheme.indicators {
                if let Source::Data(name) = &ind.source {
                    units
                        .entry(name.clone())
                        .or_default()
                        .insert(ind.unit.clone());
                }
            }
        }
        DataCatalogue { units }
    }

    /// Units the indicator may be given in; `None` when the name is unknown.
    pub fn units(&self, indicator: &str) -> Option<&BTreeSet<String>> {
        self.units.get(indicator)
    }

    pub fn is_empty(&self) -> bool {
        self.units.is_empty()
    }
}

/// The reasons an indicator row is refused with, as `(code, template)` pairs (issue 14: a
/// page recognises the code of a quarantined row's reason and writes it in its language).
pub const REASONS_EN: &[(&str, &str)] = &[
    (
        "indicators.fields",
        "{count} fields, expected {expected} ({header})",
    ),
    ("indicators.empty", "empty"),
    (
        "indicators.name",
        "{indicator} is not a lower_snake_case name",
    ),
    ("indicators.period", "{period} is not YYYY or YYYY-MM"),
    ("indicators.evidence", "required: a document, file or URL"),
    (
        "indicators.unused",
        "{indicator} is not used by any indicator set",
    ),
    (
        "indicators.unit",
        "{unit} does not match the indicator sets ({expected})",
    ),
    (
        "indicators.unit_empty",
        "empty (use fraction, %, bool or the set's unit)",
    ),
    ("indicators.bool", "{value} is not yes/no (1/0)"),
    ("indicators.not_a_number", "{value} is not a number"),
    ("indicators.fraction", "{value} is outside 0-1 (0-100 %)"),
];

/// A refusal of `field` with the reason `code` of [`REASONS_EN`] filled with `args`.
fn refusal(field: &'static str, code: &str, args: &[(&str, &str)]) -> FieldError {
    (field, write(REASONS_EN, code, args))
}

/// Why a row was refused: the field name (from [`INDICATOR_ROW_HEADER`], or `row`) and the
/// reason.
pub type FieldError = (&'static str, String);

/// Validates one row given as its six fields in header order (already trimmed or not).
/// The adapters (CSV, XLSX, forms) do the reading; this decides what a valid value is.
pub fn indicator_row(
    fields: &[&str],
    catalogue: &DataCatalogue,
) -> Result<IndicatorValue, FieldError> {
    let fields: Vec<&str> = fields.iter().map(|f| f.trim()).collect();
    if fields.len() != INDICATOR_ROW_FIELDS {
        return Err(refusal(
            "row",
            "indicators.fields",
            &[
                ("count", &fields.len().to_string()),
                ("expected", &INDICATOR_ROW_FIELDS.to_string()),
                ("header", &INDICATOR_ROW_HEADER.join(",")),
            ],
        ));
    }
    let [scope_id, indicator, period, value, unit, evidence] =
        [0, 1, 2, 3, 4, 5].map(|k| fields[k]);
    if scope_id.is_empty() {
        return Err(refusal("scope_id", "indicators.empty", &[]));
    }
    let indicator_ok = !indicator.is_empty()
        && indicator
            .chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_');
    if !indicator_ok {
        let quoted = format!("{indicator:?}");
        return Err(refusal(
            "indicator",
            "indicators.name",
            &[("indicator", &quoted)],
        ));
    }
    let period = normalise_period(period).ok_or_else(|| {
        let quoted = format!("{period:?}");
        refusal("period", "indicators.period", &[("period", &quoted)])
    })?;
    let (value, unit) = normalise_value(value, unit)?;
    if evidence.is_empty() {
        return Err(refusal("evidence", "indicators.evidence", &[]));
    }
    if !catalogue.is_empty() {
        let Some(units) = catalogue.units(indicator) else {
            let quoted = format!("{indicator:?}");
            return Err(refusal(
                "indicator",
                "indicators.unused",
                &[("indicator", &quoted)],
            ));
        };
        if !units.contains(&unit) {
            let expected: Vec<&str> = units.iter().map(String::as_str).collect();
            let quoted = format!("{unit:?}");
            return Err(refusal(
                "unit",
                "indicators.unit",
                &[("unit", &quoted), ("expected", &expected.join(", "))],
            ));
        }
    }
    Ok(IndicatorValue {
        scope_id: scope_id.to_string(),
        indicator: indicator.to_string(),
        period,
        value,
        unit,
        evidence: evidence.to_string(),
    })
}

fn normalise_period(s: &str) -> Option<String> {
    if s.len() == 4 && s.chars().all(|c| c.is_ascii_digit()) {
        let year: i32 = s.parse().ok()?;
        return (1990..=2100).contains(&year).then(|| s.to_string());
    }
    zp_domain::Period::parse(s).ok().map(|p| p.to_string())
}

fn normalise_value(value: &str, unit: &str) -> Result<(Decimal, String), FieldError> {
    if unit.is_empty() {
        return Err(refusal("unit", "indicators.unit_empty", &[]));
    }
    if unit == "bool" {
        let v = match value.to_ascii_lowercase().as_str() {
            "1" | "yes" | "true" | "是" | "y" => Decimal::ONE,
            "0" | "no" | "false" | "否" | "n" => Decimal::ZERO,
            _ => {
                let quoted = format!("{value:?}");
                return Err(refusal("value", "indicators.bool", &[("value", &quoted)]));
            }
        };
        return Ok((v, "bool".into()));
    }
    let number = Decimal::from_str(value)
        .or_else(|_| Decimal::from_scientific(value))
        .map_err(|_| {
            let quoted = format!("{value:?}");
            refusal("value", "indicators.not_a_number", &[("value", &quoted)])
        })?;
    let (number, unit) = match unit {
        "%" | "％" | "percent" => (number / Decimal::ONE_HUNDRED, "fraction".to_string()),
        other => (number, other.to_string()),
    };
    if unit == "fraction" && !(Decimal::ZERO..=Decimal::ONE).contains(&number) {
        return Err(refusal("value", "indicators.fraction", &[("value", value)]));
    }
    Ok((number.normalize(), unit))
}

#[cfg(test)]
mod tests {
    use super::*;
    use rust_decimal_macros::dec;

    fn row(line: &str, cat: &DataCatalogue) -> Result<IndicatorValue, FieldError> {
        let fields: Vec<&str> = line.split(',').collect();
        indicator_row(&fields, cat)
    }

    #[test]
    fn percent_becomes_fraction_and_bad_fields_are_named() {
        let any = DataCatalogue::default();
        let v = row("P1,water_reuse,2024,85,%,water-balance-2024.pdf", &any).unwrap();
        assert_eq!((v.value, v.unit.as_str()), (dec!(0.85), "fraction"));
        let v = row("P1,basic_compliance,2024,是,bool,permit.pdf", &any).unwrap();
        assert_eq!(v.value, Decimal::ONE);
        let v = row("P1,water_reuse,2024年6月,0.9,fraction,x", &any).unwrap();
        assert_eq!(v.period, "2024-06");
        let cases = [
            ("P1,waste_heat_use,2024,abc,fraction,x", "value"),
            ("P1,waste_heat_use,2024,1.2,fraction,x", "value"),
            ("P1,waste_heat_use,24,0.5,fraction,x", "period"),
            ("P1,water_reuse,2024,0.9,fraction,", "evidence"),
            (",water_reuse,2024,0.9,fraction,x", "scope_id"),
            ("P1,Water Reuse,2024,0.9,fraction,x", "indicator"),
            ("P1,water_reuse,2024,0.9,,x", "unit"),
            ("P1,too,few", "row"),
        ];
        for (line, field) in cases {
            assert_eq!(row(line, &any).unwrap_err().0, field, "{line}");
        }
    }

    #[test]
    fn catalogue_checks_names_and_units() {
        let scheme = crate::builtin::zero_carbon_park();
        let cat = DataCatalogue::from_schemes([&scheme]);
        assert!(row("P1,water_reuse,2024,80,%,a", &cat).is_ok());
        assert_eq!(
            row("P1,water_reuse_typo,2024,80,%,a", &cat).unwrap_err().0,
            "indicator"
        );
        assert_eq!(
            row("P1,water_reuse,2023,80,t,a", &cat).unwrap_err().0,
            "unit"
        );
    }

    #[test]
    fn every_refusal_is_written_from_its_template() {
        let any = DataCatalogue::default();
        let scheme = crate::builtin::zero_carbon_park();
        let cat = DataCatalogue::from_schemes([&scheme]);
        let cases = [
            ("P1,too,few", &any, "indicators.fields"),
            (",water_reuse,2024,0.9,fraction,x", &any, "indicators.empty"),
            (
                "P1,Water Reuse,2024,0.9,fraction,x",
                &any,
                "indicators.name",
            ),
            (
                "P1,waste_heat_use,24,0.5,fraction,x",
                &any,
                "indicators.period",
            ),
            (
                "P1,water_reuse,2024,0.9,fraction,",
                &any,
                "indicators.evidence",
            ),
            ("P1,water_reuse_typo,2024,80,%,a", &cat, "indicators.unused"),
            ("P1,water_reuse,2023,80,t,a", &cat, "indicators.unit"),
            ("P1,water_reuse,2024,0.9,,x", &any, "indicators.unit_empty"),
            (
                "P1,basic_compliance,2024,maybe,bool,x",
                &any,
                "indicators.bool",
            ),
            (
                "P1,waste_heat_use,2024,abc,fraction,x",
                &any,
                "indicators.not_a_number",
            ),
            (
                "P1,waste_heat_use,2024,1.2,fraction,x",
                &any,
                "indicators.fraction",
            ),
        ];
        for (line, catalogue, code) in cases {
            let (_, reason) = row(line, catalogue).unwrap_err();
            let back = zp_domain::template::recognise(&reason, REASONS_EN).map(|(c, _)| c);
            assert_eq!(back, Some(code), "{line}: {reason}");
        }
    }
}
