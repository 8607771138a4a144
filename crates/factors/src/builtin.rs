//! The built-in set: every row of the reference CSV files in `data/`, compiled in.

use crate::factor::{Factor, FactorKind};
use std::str::FromStr;
use zp_domain::{Decimal, Region};

/// Name (and version) of the built-in set.
pub const BUILTIN_SET: &str = "builtin-2025.1";

const ENERGY_CONVERSION: &str = include_str!("../data/energy-conversion.csv");
const FUEL_COMBUSTION: &str = include_str!("../data/fuel-combustion-defaults.csv");
const GRID: &str = include_str!("../data/grid-emission-factors.csv");
const OTHER: &str = include_str!("../data/other-factors.csv");
const GRID_REGIONS: &str = include_str!("../data/grid-regions.csv");

type Row = std::collections::HashMap<String, String>;

fn rows(file: &'static str, text: &'static str) -> Vec<(String, Row)> {
    let mut reader = csv::Reader::from_reader(text.as_bytes());
    let headers = reader
        .headers()
        .expect("built-in factor file has a header")
        .clone();
    reader
        .records()
        .enumerate()
        .map(|(i, rec)| {
            let rec = rec.unwrap_or_else(|e| panic!("{file} row {}: {e}", i + 2));
            let row = headers
                .iter()
                .map(str::to_string)
                .zip(rec.iter().map(str::to_string));
            (format!("{file} row {}", i + 2), row.collect())
        })
        .collect()
}

fn field<'a>(at: &str, row: &'a Row, name: &str) -> &'a str {
    row.get(name)
        .map(|s| s.trim())
        .unwrap_or_else(|| panic!("{at}: no column {name}"))
}

fn decimal(at: &str, row: &Row, name: &str) -> Decimal {
    let s = field(at, row, name);
    Decimal::from_str(s).unwrap_or_else(|e| panic!("{at}: {name} {s:?}: {e}"))
}

/// `grid`: region and year, which grid factors have and other factors do not.
fn factor(
    kind: FactorKind,
    subject: &str,
    grid: Option<(Region, i32)>,
    value: Decimal,
    unit: &str,
    publisher: &str,
    notice: &str,
) -> Factor {
    let (region, year) = (grid.map(|g| g.0), grid.map(|g| g.1));
    Factor {
        id: Factor::make_id(BUILTIN_SET, kind, subject, year),
        set: BUILTIN_SET.to_string(),
        kind,
        subject: subject.to_string(),
        region,
        year,
        value,
        unit: unit.to_string(),
        publisher: publisher.to_string(),
        notice: notice.to_string(),
    }
}

/// The regional grid each province belongs to (`grid-regions.csv`), for the location-based
/// fallback: province, then its regional grid, then the nation.
pub fn builtin_grid_regions() -> std::collections::BTreeMap<Region, Region> {
    let mut out = std::collections::BTreeMap::new();
    for (at, row) in rows("grid-regions.csv", GRID_REGIONS) {
        let grid = Region::parse(field(&at, &row, "grid")).unwrap_or_else(|e| panic!("{at}: {e}"));
        assert!(grid.is_grid(), "{at}: {grid} is not a regional grid");
        for p in field(&at, &row, "provinces").split(';') {
            let province = Region::parse_province(p).unwrap_or_else(|e| panic!("{at}: {e}"));
            if let Some(other) = out.insert(province, grid) {
                panic!("{at}: {province} is in both {other} and {grid}");
            }
        }
    }
    out
}

/// A built-in factor's unit and notice in Chinese (the files' `*_zh` columns), for pages in
/// Chinese; the [`Factor`] keeps the English (API and CLI unchanged). References (a
/// repository file at a commit, a web address, a formula) are in backticks: names, not prose.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FactorZh {
    pub unit: String,
    pub notice: String,
}

/// All built-in factors. Panics only if the compiled-in data is malformed, which the
/// tests of this crate rule out.
pub fn builtin_factors() -> Vec<Factor> {
    builtin().into_iter().map(|(f, _)| f).collect()
}

/// The Chinese unit and notice of a built-in factor, by its id (`None` for a factor of an
/// imported set, whose notice is the importer's own text).
pub fn builtin_zh(id: &str) -> Option<&'static FactorZh> {
    static ZH: std::sync::OnceLock<std::collections::HashMap<String, FactorZh>> =
        std::sync::OnceLock::new();
    ZH.get_or_init(|| builtin().into_iter().map(|(f, zh)| (f.id, zh)).collect())
        .get(id)
}

/// `notice` in Chinese: the `_zh` column, or the notice itself when it is Chinese already
/// (an empty `_zh`).
fn zh_or<'a>(at: &str, row: &'a Row, name: &str) -> &'a str {
    match field(at, row, &format!("{name}_zh")) {
        "" => field(at, row, name),
        zh => zh,
    }
}

fn builtin() -> Vec<(Factor, FactorZh)> {
    let mut out = Vec::new();
    let zh = |unit: &str, notice: String| FactorZh {
        unit: unit.to_string(),
        notice,
    };
    for (at, row) in rows("energy-conversion.csv", ENERGY_CONVERSION) {
        let file_key = field(&at, &row, "carrier");
        // The file may spell a carrier by an alias (`steam_low_pressure` for `steam`).
        let carrier = zp_domain::Carrier::parse(file_key)
            .map(|c| c.key())
            .unwrap_or(file_key);
        let unit = format!("kgce/{}", field(&at, &row, "unit"));
        let source = field(&at, &row, "source");
        let source_zh = field(&at, &row, "source_zh");
        let value = decimal(&at, &row, "kgce_per_unit");
        out.push((
            factor(
                FactorKind::TceCoefficient,
                carrier,
                None,
                value,
                &unit,
                "",
                source,
            ),
            zh(&unit, source_zh.into()),
        ));
        if carrier == "steam" {
            // 3763 kJ/kg is 3.763 GJ/t. Kept (under the file's own subject, so the ids
            // pinned by results issued before steam was priced by enthalpy still resolve)
            // for those results only: new results use IAPWS-IF97 enthalpy.
            let gj_per_t = decimal(&at, &row, "ncv") / Decimal::from(1000);
            out.push((
                factor(
                    FactorKind::SteamHeatContent,
                    file_key,
                    None,
                    gj_per_t,
                    "GJ/t",
                    "",
                    source,
                ),
                zh("GJ/t", source_zh.into()),
            ));
        }
    }
    for (at, row) in rows("fuel-combustion-defaults.csv", FUEL_COMBUSTION) {
        let carrier = field(&at, &row, "carrier");
        let source = field(&at, &row, "source");
        let source_zh = field(&at, &row, "source_zh");
        let ncv_unit = if matches!(carrier, "natural_gas" | "coke_oven_gas") {
            "GJ/10^4 Nm3"
        } else {
            "GJ/t"
        };
        for (kind, col, unit, unit_zh) in [
            (
                FactorKind::NetCalorificValue,
                "ncv_gj_per_t_or_1e4m3",
                ncv_unit,
                ncv_unit,
            ),
            (
                FactorKind::CarbonContent,
                "carbon_content_tc_per_tj",
                "tC/TJ",
                "tC/TJ",
            ),
            (
                FactorKind::OxidationRate,
                "oxidation_rate",
                "fraction",
                "比例",
            ),
        ] {
            let value = decimal(&at, &row, col);
            out.push((
                factor(kind, carrier, None, value, unit, "", source),
                zh(unit_zh, source_zh.into()),
            ));
        }
    }
    for (at, row) in rows("grid-emission-factors.csv", GRID) {
        let region =
            Region::parse(field(&at, &row, "region")).unwrap_or_else(|e| panic!("{at}: {e}"));
        let kind = FactorKind::parse(field(&at, &row, "kind"))
            .unwrap_or_else(|| panic!("{at}: unknown kind"));
        let year: i32 = field(&at, &row, "year")
            .parse()
            .unwrap_or_else(|e| panic!("{at}: {e}"));
        let notice_zh = format!(
            "{}；读取自：{}",
            zh_or(&at, &row, "notice"),
            field(&at, &row, "source_zh")
        );
        out.push((
            factor(
                kind,
                region.code(),
                Some((region, year)),
                decimal(&at, &row, "tco2_per_mwh"),
                "tCO2/MWh",
                field(&at, &row, "published_by"),
                &format!(
                    "{}; read from: {}",
                    field(&at, &row, "notice"),
                    field(&at, &row, "source")
                ),
            ),
            zh("tCO2/MWh", notice_zh),
        ));
    }
    for (at, row) in rows("other-factors.csv", OTHER) {
        let name = field(&at, &row, "name");
        let kind = match name {
            "purchased_heat" => FactorKind::HeatEmission,
            "cement_clinker_process" => FactorKind::ClinkerProcess,
            _ => FactorKind::Parameter,
        };
        let note = field(&at, &row, "note");
        let source = field(&at, &row, "source");
        let notice = if note.is_empty() {
            source.to_string()
        } else {
            format!("{source} ({note})")
        };
        let (source_zh, note_zh) = (field(&at, &row, "source_zh"), field(&at, &row, "note_zh"));
        let notice_zh = if note_zh.is_empty() {
            source_zh.to_string()
        } else {
            format!("{source_zh}（{note_zh}）")
        };
        out.push((
            factor(
                kind,
                name,
                None,
                decimal(&at, &row, "value"),
                field(&at, &row, "unit"),
                "",
                &notice,
            ),
            zh(field(&at, &row, "unit_zh"), notice_zh),
        ));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use rust_decimal_macros::dec;

    fn data_rows(text: &str) -> usize {
        text.lines()
            .skip(1)
            .filter(|l| !l.trim().is_empty())
            .count()
    }

    #[test]
    fn every_row_of_every_file_is_shipped() {
        let f = builtin_factors();
        let count = |k: FactorKind| f.iter().filter(|x| x.kind == k).count();
        assert_eq!(
            count(FactorKind::TceCoefficient),
            data_rows(ENERGY_CONVERSION)
        );
        assert_eq!(
            count(FactorKind::NetCalorificValue),
            data_rows(FUEL_COMBUSTION)
        );
        assert_eq!(count(FactorKind::CarbonContent), data_rows(FUEL_COMBUSTION));
        assert_eq!(count(FactorKind::OxidationRate), data_rows(FUEL_COMBUSTION));
        let grid = f.iter().filter(|x| x.kind.is_grid()).count();
        assert_eq!(grid, data_rows(GRID));
        let other = count(FactorKind::HeatEmission)
            + count(FactorKind::ClinkerProcess)
            + count(FactorKind::Parameter);
        assert_eq!(other, data_rows(OTHER));
    }

    #[test]
    fn every_province_has_exactly_one_regional_grid() {
        let map = builtin_grid_regions();
        for r in Region::all().filter(|r| !r.is_national()) {
            assert!(map.contains_key(&r), "{r} has no regional grid");
        }
        assert_eq!(map.len(), 31);
        assert_eq!(map[&Region::parse("YN").unwrap()].code(), "GRID-SG");
        assert_eq!(map[&Region::parse("CQ").unwrap()].code(), "GRID-SW");
    }

    #[test]
    fn every_builtin_factor_has_its_unit_and_notice_in_chinese_with_references_as_names() {
        let f = builtin_factors();
        for x in &f {
            let zh = builtin_zh(&x.id).unwrap_or_else(|| panic!("{}: no Chinese", x.id));
            assert!(!zh.notice.is_empty(), "{}", x.id);
            // Outside backticked references, only units, codes in capitals and digits.
            let prose: String = zh.notice.split('`').step_by(2).collect();
            for text in [prose.as_str(), zh.unit.as_str()] {
                for word in text
                    .split(|c: char| !c.is_ascii_alphabetic())
                    .filter(|w| !w.is_empty())
                {
                    let unit = [
                        "kgce", "tCO", "tCO2", "tce", "kWh", "MWh", "GJ", "MJ", "kJ", "kg", "t",
                        "m", "tC", "TJ", "Nm", "e", "CaO",
                    ];
                    assert!(
                        unit.contains(&word) || word.chars().all(|c| c.is_ascii_uppercase()),
                        "{}: {word:?} in {text:?}",
                        x.id
                    );
                }
            }
        }
    }

    #[test]
    fn ids_are_unique() {
        let f = builtin_factors();
        let mut ids: Vec<_> = f.iter().map(|x| x.id.as_str()).collect();
        ids.sort();
        ids.dedup();
        assert_eq!(ids.len(), f.len());
    }

    #[test]
    fn carrier_base_units_agree_with_the_conversion_file() {
        for f in builtin_factors()
            .iter()
            .filter(|f| f.kind == FactorKind::TceCoefficient)
        {
            let carrier = zp_domain::Carrier::parse(&f.subject).unwrap_or_else(|| {
                panic!("carrier {} of the conversion file is unknown", f.subject)
            });
            assert_eq!(
                f.unit,
                format!("kgce/{}", carrier.base_unit().symbol()),
                "{}",
                f.subject
            );
        }
    }

    #[test]
    fn reference_values() {
        let f = builtin_factors();
        let get = |id: &str| {
            f.iter()
                .find(|x| x.id == id)
                .unwrap_or_else(|| panic!("{id}"))
                .value
        };
        assert_eq!(get("builtin-2025.1/grid_average/CQ/2023"), dec!(0.5581));
        assert_eq!(
            get("builtin-2025.1/grid_excluding_market_non_fossil/CN/2023"),
            dec!(0.6096)
        );
        assert_eq!(
            get("builtin-2025.1/tce_coefficient/electricity"),
            dec!(0.1229)
        );
        assert_eq!(
            get("builtin-2025.1/steam_heat_content/steam_low_pressure"),
            dec!(3.763)
        );
        assert_eq!(
            get("builtin-2025.1/heat_emission/purchased_heat"),
            dec!(0.11)
        );
        assert_eq!(
            get("builtin-2025.1/net_calorific_value/natural_gas"),
            dec!(389.31)
        );
    }
}
