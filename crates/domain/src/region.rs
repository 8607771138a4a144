//! Regions: the nation (`CN`) and the provincial-level divisions, by the two-letter codes
//! used in the grid-factor files, with their Chinese names and GB/T 2260 numeric prefixes;
//! and the seven regional power grids (`GRID-NC` ...) that grid factors are also published
//! for. An enterprise is always in a province; a grid region only ever names a factor.

use serde::{Deserialize, Serialize};
use std::fmt;

/// A provincial-level region or the nation.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct Region(&'static RegionInfo);

#[derive(Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct RegionInfo {
    pub code: &'static str,
    pub name_zh: &'static str,
    pub name_en: &'static str,
    /// First two digits of the GB/T 2260 division code (`00` for the nation).
    pub gb2260: &'static str,
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("unknown region {0:?}: use a province code such as CQ, SC, BJ (or CN for the nation)")]
pub struct RegionError(pub String);

macro_rules! regions {
    ($($code:literal, $zh:literal, $en:literal, $gb:literal;)*) => {
        static REGIONS: &[RegionInfo] = &[
            $(RegionInfo { code: $code, name_zh: $zh, name_en: $en, gb2260: $gb },)*
        ];
    };
}

regions! {
    "CN", "全国", "China", "00";
    "BJ", "北京", "Beijing", "11";
    "TJ", "天津", "Tianjin", "12";
    "HE", "河北", "Hebei", "13";
    "SX", "山西", "Shanxi", "14";
    "NM", "内蒙古", "Inner Mongolia", "15";
    "LN", "辽宁", "Liaoning", "21";
    "JL", "吉林", "Jilin", "22";
    "HL", "黑龙江", "Heilongjiang", "23";
    "SH", "上海", "Shanghai", "31";
    "JS", "江苏", "Jiangsu", "32";
    "ZJ", "浙江", "Zhejiang", "33";
    "AH", "安徽", "Anhui", "34";
    "FJ", "福建", "Fujian", "35";
    "JX", "江西", "Jiangxi", "36";
    "SD", "山东", "Shandong", "37";
    "HA", "河南", "Henan", "41";
    "HB", "湖北", "Hubei", "42";
    "HN", "湖南", "Hunan", "43";
    "GD", "广东", "Guangdong", "44";
    "GX", "广西", "Guangxi", "45";
    "HI", "海南", "Hainan", "46";
    "CQ", "重庆", "Chongqing", "50";
    "SC", "四川", "Sichuan", "51";
    "GZ", "贵州", "Guizhou", "52";
    "YN", "云南", "Yunnan", "53";
    "XZ", "西藏", "Tibet", "54";
    "SN", "陕西", "Shaanxi", "61";
    "GS", "甘肃", "Gansu", "62";
    "QH", "青海", "Qinghai", "63";
    "NX", "宁夏", "Ningxia", "64";
    "XJ", "新疆", "Xinjiang", "65";
}

/// The regional grids of the MEE/NBS factor notices. Which provinces each one covers is
/// reference data (`grid-regions.csv` of the factor catalog), not code.
static GRIDS: &[RegionInfo] = &[
    RegionInfo {
        code: "GRID-NC",
        name_zh: "华北电网",
        name_en: "North China Grid",
        gb2260: "",
    },
    RegionInfo {
        code: "GRID-NE",
        name_zh: "东北电网",
        name_en: "Northeast China Grid",
        gb2260: "",
    },
    RegionInfo {
        code: "GRID-EC",
        name_zh: "华东电网",
        name_en: "East China Grid",
        gb2260: "",
    },
    RegionInfo {
        code: "GRID-CC",
        name_zh: "华中电网",
        name_en: "Central China Grid",
        gb2260: "",
    },
    RegionInfo {
        code: "GRID-NW",
        name_zh: "西北电网",
        name_en: "Northwest China Grid",
        gb2260: "",
    },
    RegionInfo {
        code: "GRID-SG",
        name_zh: "南方电网",
        name_en: "China Southern Grid",
        gb2260: "",
    },
    RegionInfo {
        code: "GRID-SW",
        name_zh: "西南电网",
        name_en: "Southwest China Grid",
        gb2260: "",
    },
];

impl Region {
    pub const NATIONAL_CODE: &'static str = "CN";

    pub fn national() -> Region {
        Region(&REGIONS[0])
    }

    /// Accepts the two-letter code (any case), the Chinese name with or without its
    /// suffix (重庆, 重庆市), the English name, or the two-digit GB/T 2260 prefix.
    pub fn parse(s: &str) -> Result<Region, RegionError> {
        let t = s.trim();
        let upper = t.to_ascii_uppercase();
        let stripped = t
            .trim_end_matches("维吾尔自治区")
            .trim_end_matches("壮族自治区")
            .trim_end_matches("回族自治区")
            .trim_end_matches("自治区")
            .trim_end_matches('省')
            .trim_end_matches('市');
        REGIONS
            .iter()
            .find(|r| {
                r.code == upper
                    || r.name_zh == stripped
                    || r.name_en.eq_ignore_ascii_case(t)
                    || (t.len() == 2 && r.gb2260 == t)
            })
            .or_else(|| GRIDS.iter().find(|g| g.code == upper || g.name_zh == t))
            .map(Region)
            .ok_or_else(|| RegionError(t.to_string()))
    }

    /// A province or the nation, never a regional grid: what an enterprise's region is.
    pub fn parse_province(s: &str) -> Result<Region, RegionError> {
        Region::parse(s).and_then(|r| {
            if r.is_grid() {
                Err(RegionError(format!(
                    "{s} (a regional grid, not a province)"
                )))
            } else {
                Ok(r)
            }
        })
    }

    /// The seven regional grids.
    pub fn grids() -> impl Iterator<Item = Region> {
        GRIDS.iter().map(Region)
    }

    /// True for a regional grid (`GRID-..`).
    pub fn is_grid(self) -> bool {
        self.0.gb2260.is_empty()
    }

    /// The province a GB/T 2260 division code (e.g. from a credit code) belongs to.
    pub fn from_division_code(division: &str) -> Option<Region> {
        let prefix = division.get(..2)?;
        REGIONS
            .iter()
            .skip(1)
            .find(|r| r.gb2260 == prefix)
            .map(Region)
    }

    pub fn all() -> impl Iterator<Item = Region> {
        REGIONS.iter().map(Region)
    }

    pub fn code(self) -> &'static str {
        self.0.code
    }

    pub fn name_zh(self) -> &'static str {
        self.0.name_zh
    }

    pub fn name_en(self) -> &'static str {
        self.0.name_en
    }

    pub fn is_national(self) -> bool {
        self.0.code == Self::NATIONAL_CODE
    }
}

impl fmt::Display for Region {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.0.code)
    }
}

impl TryFrom<String> for Region {
    type Error = RegionError;
    fn try_from(s: String) -> Result<Self, Self::Error> {
        Region::parse(&s)
    }
}

impl From<Region> for String {
    fn from(r: Region) -> String {
        r.0.code.to_string()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_codes_and_names() {
        assert_eq!(Region::parse("cq").unwrap().code(), "CQ");
        assert_eq!(Region::parse("重庆市").unwrap().code(), "CQ");
        assert_eq!(Region::parse("四川省").unwrap().code(), "SC");
        assert_eq!(Region::parse("Liaoning").unwrap().code(), "LN");
        assert_eq!(Region::parse("50").unwrap().code(), "CQ");
        assert_eq!(Region::parse("广西壮族自治区").unwrap().code(), "GX");
        assert_eq!(
            Region::parse("XX").unwrap_err().to_string(),
            "unknown region \"XX\": use a province code such as CQ, SC, BJ (or CN for the nation)"
        );
    }

    #[test]
    fn grids_parse_but_are_not_provinces() {
        let g = Region::parse("grid-sw").unwrap();
        assert!(g.is_grid());
        assert_eq!(g.name_zh(), "西南电网");
        assert_eq!(Region::parse("华北电网").unwrap().code(), "GRID-NC");
        assert_eq!(
            Region::parse_province("GRID-NC").unwrap_err().to_string(),
            "unknown region \"GRID-NC (a regional grid, not a province)\": use a province code such as CQ, SC, BJ (or CN for the nation)"
        );
        assert!(!Region::parse_province("CQ").unwrap().is_grid());
        assert_eq!(Region::grids().count(), 7);
        assert!(Region::all().all(|r| !r.is_grid()));
    }

    #[test]
    fn credit_code_division_maps_to_province() {
        assert_eq!(Region::from_division_code("500105").unwrap().code(), "CQ");
        assert_eq!(Region::from_division_code("210100").unwrap().code(), "LN");
        assert!(Region::from_division_code("990000").is_none());
    }

    #[test]
    fn codes_are_unique() {
        let mut codes: Vec<_> = Region::all().map(Region::code).collect();
        let n = codes.len();
        codes.sort();
        codes.dedup();
        assert_eq!(codes.len(), n);
        assert_eq!(n, 32);
    }
}
