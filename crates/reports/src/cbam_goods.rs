//! Which goods CBAM covers: the CN headings of Annex I to Regulation (EU) 2023/956 by
//! sector. A production record must name a CN code under one of them.
//!
//! The check works on the headings and subheadings the Annex lists (and the exclusions it
//! makes inside chapter 72: ferro-alloys other than ferro-manganese, ferro-chromium and
//! ferro-nickel, and ferrous waste and scrap, 7204). It refuses codes outside CBAM; it does
//! not replace the declarant's own classification of the full eight-digit code.

use serde::Serialize;

/// A CBAM sector (Annex I).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Sector {
    Cement,
    IronSteel,
    Aluminium,
    Fertilisers,
    Hydrogen,
    Electricity,
}

impl Sector {
    pub fn key(self) -> &'static str {
        match self {
            Sector::Cement => "cement",
            Sector::IronSteel => "iron_steel",
            Sector::Aluminium => "aluminium",
            Sector::Fertilisers => "fertilisers",
            Sector::Hydrogen => "hydrogen",
            Sector::Electricity => "electricity",
        }
    }

    pub fn name(self, lang: crate::Lang) -> &'static str {
        match self {
            Sector::Cement => lang.pick("水泥", "cement"),
            Sector::IronSteel => lang.pick("钢铁", "iron and steel"),
            Sector::Aluminium => lang.pick("铝", "aluminium"),
            Sector::Fertilisers => lang.pick("化肥", "fertilisers"),
            Sector::Hydrogen => lang.pick("氢", "hydrogen"),
            Sector::Electricity => lang.pick("电力", "electricity"),
        }
    }
}

/// (CN prefix, sector), Annex I to Regulation (EU) 2023/956.
const COVERED: &[(&str, Sector)] = &[
    ("25070080", Sector::Cement),
    ("2523", Sector::Cement),
    ("2716", Sector::Electricity),
    ("2808", Sector::Fertilisers),
    ("2814", Sector::Fertilisers),
    ("283421", Sector::Fertilisers),
    ("3102", Sector::Fertilisers),
    ("3105", Sector::Fertilisers),
    ("260112", Sector::IronSteel),
    ("72", Sector::IronSteel),
    ("7301", Sector::IronSteel),
    ("7302", Sector::IronSteel),
    ("7303", Sector::IronSteel),
    ("7304", Sector::IronSteel),
    ("7305", Sector::IronSteel),
    ("7306", Sector::IronSteel),
    ("7307", Sector::IronSteel),
    ("7308", Sector::IronSteel),
    ("7309", Sector::IronSteel),
    ("7310", Sector::IronSteel),
    ("7311", Sector::IronSteel),
    ("7318", Sector::IronSteel),
    ("7326", Sector::IronSteel),
    ("7601", Sector::Aluminium),
    ("7603", Sector::Aluminium),
    ("7604", Sector::Aluminium),
    ("7605", Sector::Aluminium),
    ("7606", Sector::Aluminium),
    ("7607", Sector::Aluminium),
    ("7608", Sector::Aluminium),
    ("7609", Sector::Aluminium),
    ("7610", Sector::Aluminium),
    ("7611", Sector::Aluminium),
    ("7612", Sector::Aluminium),
    ("7613", Sector::Aluminium),
    ("7614", Sector::Aluminium),
    ("7616", Sector::Aluminium),
    ("28041000", Sector::Hydrogen),
];

/// Inside chapter 72, not covered: ferro-alloys other than 7202 1x (ferro-manganese),
/// 7202 4x (ferro-chromium) and 7202 60 (ferro-nickel); 7204 waste and scrap. Inside 3105:
/// 3105 60 00.
const EXCLUDED: &[&str] = &[
    "72022", "72023", "72025", "72027", "72028", "72029", "7204", "310560",
];

/// The CN code as eight (or fewer) digits, spaces and dots removed.
pub fn normalize_cn(s: &str) -> Result<String, String> {
    let digits: String = s.chars().filter(|c| !matches!(c, ' ' | '.')).collect();
    if digits.is_empty() || !digits.chars().all(|c| c.is_ascii_digit()) {
        return Err(format!(
            "{s:?} is not a CN code (8 digits, e.g. 2523 10 00)"
        ));
    }
    if !matches!(digits.len(), 4 | 6 | 8) {
        return Err(format!(
            "{s:?} has {} digits; a CN code has 8 (a heading 4, a subheading 6)",
            digits.len()
        ));
    }
    Ok(digits)
}

/// The sector of a CBAM good, or why the code is not one.
pub fn sector(cn: &str) -> Result<Sector, String> {
    let cn = normalize_cn(cn)?;
    if EXCLUDED.iter().any(|p| cn.starts_with(p)) {
        return Err(format!(
            "CN {cn} is excluded from CBAM in Annex I to Regulation (EU) 2023/956"
        ));
    }
    COVERED
        .iter()
        .filter(|(p, _)| cn.starts_with(p))
        .max_by_key(|(p, _)| p.len())
        .map(|(_, s)| *s)
        .ok_or_else(|| {
            format!(
                "CN {cn} is not a CBAM good (Annex I to Regulation (EU) 2023/956: cement, iron and steel, aluminium, fertilisers, hydrogen, electricity)"
            )
        })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn covered_excluded_and_malformed_codes() {
        assert_eq!(sector("2523 10 00"), Ok(Sector::Cement));
        assert_eq!(sector("25232900"), Ok(Sector::Cement));
        assert_eq!(sector("7208 51 20"), Ok(Sector::IronSteel));
        assert_eq!(sector("72021120"), Ok(Sector::IronSteel));
        assert_eq!(sector("76012000"), Ok(Sector::Aluminium));
        assert_eq!(sector("2804 10 00"), Ok(Sector::Hydrogen));
        assert_eq!(sector("31021010"), Ok(Sector::Fertilisers));
        assert!(sector("7204 10 00").unwrap_err().contains("excluded"));
        assert!(sector("72022100").unwrap_err().contains("excluded"));
        assert!(
            sector("8501 10 00")
                .unwrap_err()
                .contains("not a CBAM good")
        );
        assert!(sector("25230").unwrap_err().contains("5 digits"));
        assert!(sector("cement").unwrap_err().contains("not a CN code"));
    }
}
