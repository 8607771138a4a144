//! Units of activity data and exact conversion between them.
//!
//! Every quantity carries its unit; conversion is only allowed inside one dimension and
//! is exact decimal arithmetic (the factors are powers of ten or 3.6).

use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};
use std::fmt;
use std::str::FromStr;

/// Physical dimension of a unit.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Dimension {
    Mass,
    Volume,
    Energy,
    /// Green electricity certificates counted as certificates (1 GEC = 1 MWh).
    Certificates,
}

/// A unit accepted in activity data.
#[derive(
    Debug,
    Clone,
    Copy,
    PartialEq,
    Eq,
    Hash,
    PartialOrd,
    Ord,
    Serialize,
    Deserialize,
    schemars::JsonSchema,
)]
pub enum Unit {
    #[serde(rename = "kWh")]
    Kwh,
    #[serde(rename = "MWh")]
    Mwh,
    /// 万千瓦时, 10^4 kWh.
    #[serde(rename = "万kWh")]
    WanKwh,
    /// 亿千瓦时, 10^8 kWh (a province's or a large plant's electricity).
    #[serde(rename = "亿kWh")]
    YiKwh,
    #[serde(rename = "GJ")]
    Gj,
    #[serde(rename = "MJ")]
    Mj,
    /// 万千焦, 10^4 kJ = 10 MJ (heat in older ledgers).
    #[serde(rename = "万kJ")]
    WanKj,
    #[serde(rename = "m3")]
    M3,
    /// 千立方米, 10^3 m3 (gas utilities' bills).
    #[serde(rename = "千m3")]
    QianM3,
    /// 万立方米, 10^4 m3.
    #[serde(rename = "万m3")]
    WanM3,
    #[serde(rename = "t")]
    Tonne,
    #[serde(rename = "kg")]
    Kg,
    /// 张: green electricity certificates.
    #[serde(rename = "certificate")]
    Certificate,
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum UnitError {
    #[error(
        "unknown unit {0:?} (accepted: kWh, MWh, 万kWh, 亿kWh, GJ, MJ, 万kJ, m3 or Nm3, 千m3, 万m3, t, kg, certificate)"
    )]
    Unknown(String),
    #[error("cannot convert {from} to {to}: {from_dim:?} is not {to_dim:?}")]
    Incompatible {
        from: Unit,
        to: Unit,
        from_dim: Dimension,
        to_dim: Dimension,
    },
}

impl Unit {
    pub const ALL: [Unit; 13] = [
        Unit::Kwh,
        Unit::Mwh,
        Unit::WanKwh,
        Unit::YiKwh,
        Unit::Gj,
        Unit::Mj,
        Unit::WanKj,
        Unit::M3,
        Unit::QianM3,
        Unit::WanM3,
        Unit::Tonne,
        Unit::Kg,
        Unit::Certificate,
    ];

    pub fn dimension(self) -> Dimension {
        match self {
            Unit::Kwh
            | Unit::Mwh
            | Unit::WanKwh
            | Unit::YiKwh
            | Unit::Gj
            | Unit::Mj
            | Unit::WanKj => Dimension::Energy,
            Unit::M3 | Unit::QianM3 | Unit::WanM3 => Dimension::Volume,
            Unit::Tonne | Unit::Kg => Dimension::Mass,
            Unit::Certificate => Dimension::Certificates,
        }
    }

    /// Size of one unit in the dimension's base unit (energy: MJ, volume: m3, mass: kg,
    /// certificates: MWh). All values are exact decimals.
    fn in_base(self) -> Decimal {
        match self {
            Unit::Mj => Decimal::ONE,
            Unit::Kwh => Decimal::new(36, 1),
            Unit::Mwh => Decimal::from(3_600),
            Unit::WanKwh => Decimal::from(36_000),
            Unit::YiKwh => Decimal::from(360_000_000),
            Unit::Gj => Decimal::from(1_000),
            Unit::WanKj => Decimal::from(10),
            Unit::M3 => Decimal::ONE,
            Unit::QianM3 => Decimal::from(1_000),
            Unit::WanM3 => Decimal::from(10_000),
            Unit::Kg => Decimal::ONE,
            Unit::Tonne => Decimal::from(1_000),
            Unit::Certificate => Decimal::ONE,
        }
    }

    /// Canonical symbol, as written in reports and accepted on input.
    pub fn symbol(self) -> &'static str {
        match self {
            Unit::Kwh => "kWh",
            Unit::Mwh => "MWh",
            Unit::WanKwh => "万kWh",
            Unit::YiKwh => "亿kWh",
            Unit::Gj => "GJ",
            Unit::Mj => "MJ",
            Unit::WanKj => "万kJ",
            Unit::M3 => "m3",
            Unit::QianM3 => "千m3",
            Unit::WanM3 => "万m3",
            Unit::Tonne => "t",
            Unit::Kg => "kg",
            Unit::Certificate => "certificate",
        }
    }

    /// Parses the spellings found in Chinese ledgers as well as the canonical symbols.
    pub fn parse(s: &str) -> Result<Unit, UnitError> {
        let t = s.trim();
        let norm: String = t
            .chars()
            .filter(|c| !c.is_whitespace())
            .map(|c| match c {
                '³' => '3',
                c => c,
            })
            .collect::<String>()
            .to_lowercase();
        let unit = match norm.as_str() {
            "kwh" | "千瓦时" | "度" | "kw·h" | "kw.h" => Unit::Kwh,
            "mwh" | "兆瓦时" => Unit::Mwh,
            "万kwh" | "万千瓦时" | "万度" | "10^4kwh" | "10000kwh" => Unit::WanKwh,
            "亿kwh" | "亿千瓦时" | "亿度" | "10^8kwh" => Unit::YiKwh,
            "gj" | "吉焦" => Unit::Gj,
            "mj" | "兆焦" => Unit::Mj,
            "万kj" | "万千焦" | "10^4kj" => Unit::WanKj,
            "m3" | "nm3" | "立方米" | "标准立方米" | "方" => Unit::M3,
            "千m3" | "千nm3" | "千立方米" | "千标准立方米" | "10^3m3" | "1000m3" => {
                Unit::QianM3
            }
            "万m3" | "万nm3" | "万立方米" | "万方" | "10^4m3" | "10^4nm3" | "10000m3" => {
                Unit::WanM3
            }
            "t" | "吨" | "tonne" | "tonnes" => Unit::Tonne,
            "kg" | "千克" | "公斤" => Unit::Kg,
            "certificate" | "certificates" | "张" | "个" | "gec" => Unit::Certificate,
            _ => return Err(UnitError::Unknown(t.to_string())),
        };
        Ok(unit)
    }

    /// Factor by which a value in `self` is multiplied to express it in `to`.
    pub fn factor_to(self, to: Unit) -> Result<Decimal, UnitError> {
        if self.dimension() != to.dimension() {
            return Err(UnitError::Incompatible {
                from: self,
                to,
                from_dim: self.dimension(),
                to_dim: to.dimension(),
            });
        }
        Ok(self.in_base() / to.in_base())
    }
}

impl fmt::Display for Unit {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.symbol())
    }
}

impl FromStr for Unit {
    type Err = UnitError;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Unit::parse(s)
    }
}

/// An exact amount with its unit.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
pub struct Quantity {
    pub value: Decimal,
    pub unit: Unit,
}

impl Quantity {
    pub fn new(value: Decimal, unit: Unit) -> Self {
        Quantity { value, unit }
    }

    /// The same amount expressed in `to`.
    pub fn to(self, to: Unit) -> Result<Quantity, UnitError> {
        Ok(Quantity {
            value: self.value * self.unit.factor_to(to)?,
            unit: to,
        })
    }

    /// The value expressed in `to`.
    pub fn value_in(self, to: Unit) -> Result<Decimal, UnitError> {
        Ok(self.to(to)?.value)
    }
}

impl fmt::Display for Quantity {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} {}", self.value.normalize(), self.unit)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;
    use rust_decimal_macros::dec;

    #[test]
    fn chinese_spellings_parse() {
        assert_eq!(Unit::parse("万kWh").unwrap(), Unit::WanKwh);
        assert_eq!(Unit::parse("万千瓦时").unwrap(), Unit::WanKwh);
        assert_eq!(Unit::parse("万m³").unwrap(), Unit::WanM3);
        assert_eq!(Unit::parse(" 吨 ").unwrap(), Unit::Tonne);
        assert_eq!(Unit::parse("度").unwrap(), Unit::Kwh);
        assert!(matches!(Unit::parse("barrel"), Err(UnitError::Unknown(u)) if u == "barrel"));
    }

    #[test]
    fn exact_conversions() {
        let q = Quantity::new(dec!(1), Unit::WanKwh);
        assert_eq!(q.value_in(Unit::Kwh).unwrap(), dec!(10000));
        assert_eq!(q.value_in(Unit::Mwh).unwrap(), dec!(10));
        assert_eq!(
            Quantity::new(dec!(1), Unit::Mwh)
                .value_in(Unit::Gj)
                .unwrap(),
            dec!(3.6)
        );
        assert_eq!(
            Quantity::new(dec!(10), Unit::WanM3)
                .value_in(Unit::M3)
                .unwrap(),
            dec!(100000)
        );
        assert_eq!(
            Quantity::new(dec!(50000), Unit::Kg)
                .value_in(Unit::Tonne)
                .unwrap(),
            dec!(50)
        );
    }

    #[test]
    fn dimensions_never_mix() {
        let err = Quantity::new(dec!(1), Unit::Tonne)
            .to(Unit::M3)
            .unwrap_err();
        assert!(matches!(err, UnitError::Incompatible { .. }));
        assert!(err.to_string().contains("t to m3"));
    }

    /// Issue 14 #1: the larger and older units of Chinese ledgers, exactly: 1 亿kWh =
    /// 10^8 kWh = 100,000 MWh; 1 千立方米 = 1,000 m3; 1 万kJ = 10 MJ = 0.01 GJ.
    #[test]
    fn ledger_units_convert_exactly() {
        let q = |v: i64, u: &str| Quantity::new(Decimal::from(v), Unit::parse(u).unwrap());
        assert_eq!(
            q(2, "亿千瓦时").to(Unit::Mwh).unwrap().value,
            Decimal::from(200_000)
        );
        assert_eq!(
            q(3, "千立方米").to(Unit::M3).unwrap().value,
            Decimal::from(3_000)
        );
        assert_eq!(
            q(3, "千Nm3").to(Unit::WanM3).unwrap().value,
            Decimal::new(3, 1)
        );
        assert_eq!(
            q(250, "万kJ").to(Unit::Gj).unwrap().value,
            Decimal::new(25, 1)
        );
        assert!(Unit::parse("千kWh").is_err());
    }

    #[test]
    fn every_symbol_parses_back() {
        for u in Unit::ALL {
            assert_eq!(Unit::parse(u.symbol()).unwrap(), u);
        }
    }

    fn unit() -> impl Strategy<Value = Unit> {
        proptest::sample::select(Unit::ALL.to_vec())
    }

    fn same_dimension(a: Unit) -> impl Strategy<Value = Unit> {
        let peers: Vec<Unit> = Unit::ALL
            .into_iter()
            .filter(|u| u.dimension() == a.dimension())
            .collect();
        proptest::sample::select(peers)
    }

    fn unit_triple() -> impl Strategy<Value = (Unit, Unit, Unit)> {
        unit().prop_flat_map(|a| (Just(a), same_dimension(a), same_dimension(a)))
    }

    proptest! {
        #[test]
        fn conversion_round_trips(mantissa in -10_000_000_000i64..10_000_000_000, scale in 0u32..6,
                                  (a, b, _) in unit_triple()) {
            let q = Quantity::new(Decimal::new(mantissa, scale), a);
            let back = q.to(b).unwrap().to(a).unwrap();
            // Exact for powers of ten; within 1e-15 relative where 3.6 divides.
            let diff = (back.value - q.value).abs();
            prop_assert!(diff <= q.value.abs() * dec!(0.000000000000001), "{q} -> {back}");
        }

        #[test]
        fn conversion_is_transitive(v in 0i64..1_000_000_000, (a, b, c) in unit_triple()) {
            let q = Quantity::new(Decimal::from(v), a);
            let direct = q.value_in(c).unwrap();
            let via = q.to(b).unwrap().value_in(c).unwrap();
            prop_assert!((direct - via).abs() <= direct.abs() * dec!(0.000000000000001));
        }
    }
}
