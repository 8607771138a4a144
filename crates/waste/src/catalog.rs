//! The National Hazardous Waste List (国家危险废物名录（2021年版）, 生态环境部令第15号): its
//! categories (HW01..HW50) and the 8-digit codes (`900-249-08`: industry, sequence, category)
//! shipped in `data/hw-categories.csv` and `data/hw-codes.csv`, each row citing its source.

use crate::WasteError;
use serde::Serialize;
use std::collections::BTreeMap;
use std::sync::OnceLock;

const CATEGORIES_CSV: &str = include_str!("../data/hw-categories.csv");
const CODES_CSV: &str = include_str!("../data/hw-codes.csv");

/// A category of the list (`HW08` 废矿物油与含矿物油废物).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, schemars::JsonSchema)]
pub struct Category {
    pub category: String,
    pub name_zh: String,
    pub name_en: String,
    pub source: String,
}

/// One code of the list.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, schemars::JsonSchema)]
pub struct WasteCode {
    pub code: String,
    pub category: String,
    /// 行业来源.
    pub industry_source_zh: String,
    pub name_zh: String,
    /// 危险特性: T toxicity, C corrosivity, I ignitability, R reactivity, In infectivity.
    pub hazard_traits: Vec<String>,
    pub source: String,
}

/// The categories and codes.
#[derive(Debug, Clone)]
pub struct Catalog {
    categories: BTreeMap<String, Category>,
    codes: BTreeMap<String, WasteCode>,
}

/// Whether `s` is shaped like a code: `NNN-NNN-NN`.
pub fn is_code_shape(s: &str) -> bool {
    let b = s.as_bytes();
    b.len() == 10
        && b[3] == b'-'
        && b[7] == b'-'
        && b.iter()
            .enumerate()
            .all(|(i, c)| i == 3 || i == 7 || c.is_ascii_digit())
}

fn records(
    csv_text: &str,
    file: &str,
    header: &[&str],
) -> Result<Vec<(usize, Vec<String>)>, WasteError> {
    let mut r = csv::ReaderBuilder::new()
        .has_headers(true)
        .from_reader(csv_text.as_bytes());
    let found: Vec<String> = r
        .headers()
        .map_err(|e| WasteError::Data(format!("{file}: {e}")))?
        .iter()
        .map(str::to_string)
        .collect();
    if found != header {
        return Err(WasteError::Data(format!(
            "{file}: expected columns {header:?}, found {found:?}"
        )));
    }
    let mut out = Vec::new();
    for (i, rec) in r.records().enumerate() {
        let rec = rec.map_err(|e| WasteError::Data(format!("{file} line {}: {e}", i + 2)))?;
        out.push((i + 2, rec.iter().map(|c| c.trim().to_string()).collect()));
    }
    Ok(out)
}

impl Catalog {
    /// The list as shipped, parsed once.
    pub fn builtin() -> &'static Catalog {
        static CATALOG: OnceLock<Catalog> = OnceLock::new();
        CATALOG.get_or_init(|| {
            Catalog::parse(CATEGORIES_CSV, CODES_CSV).expect("crates/waste/data lists are valid")
        })
    }

    /// Parses the two lists; a code whose last two digits do not name its category, or
    /// whose category is not listed, is an error.
    pub fn parse(categories_csv: &str, codes_csv: &str) -> Result<Catalog, WasteError> {
        let mut categories = BTreeMap::new();
        for (line, c) in records(
            categories_csv,
            "hw-categories.csv",
            &["category", "name_zh", "name_en", "source"],
        )? {
            let cat = Category {
                category: c[0].clone(),
                name_zh: c[1].clone(),
                name_en: c[2].clone(),
                source: c[3].clone(),
            };
            if !(cat.category.len() == 4
                && cat.category.starts_with("HW")
                && cat.category[2..].bytes().all(|b| b.is_ascii_digit()))
            {
                return Err(WasteError::Data(format!(
                    "hw-categories.csv line {line}: category {:?} is not HWnn",
                    cat.category
                )));
            }
            categories.insert(cat.category.clone(), cat);
        }
        let mut codes = BTreeMap::new();
        for (line, c) in records(
            codes_csv,
            "hw-codes.csv",
            &[
                "code",
                "category",
                "industry_source_zh",
                "name_zh",
                "hazard_traits",
                "source",
            ],
        )? {
            let code = WasteCode {
                code: c[0].clone(),
                category: c[1].clone(),
                industry_source_zh: c[2].clone(),
                name_zh: c[3].clone(),
                hazard_traits: c[4]
                    .split(';')
                    .map(|t| t.trim().to_string())
                    .filter(|t| !t.is_empty())
                    .collect(),
                source: c[5].clone(),
            };
            let bad = |why: String| WasteError::Data(format!("hw-codes.csv line {line}: {why}"));
            if !is_code_shape(&code.code) {
                return Err(bad(format!("code {:?} is not NNN-NNN-NN", code.code)));
            }
            if !categories.contains_key(&code.category) || code.code[8..] != code.category[2..] {
                return Err(bad(format!(
                    "code {} does not belong to a listed category {}",
                    code.code, code.category
                )));
            }
            codes.insert(code.code.clone(), code);
        }
        Ok(Catalog { categories, codes })
    }

    pub fn code(&self, code: &str) -> Option<&WasteCode> {
        self.codes.get(code)
    }

    pub fn category(&self, category: &str) -> Option<&Category> {
        self.categories.get(category)
    }

    pub fn categories(&self) -> impl Iterator<Item = &Category> {
        self.categories.values()
    }

    pub fn codes(&self) -> impl Iterator<Item = &WasteCode> {
        self.codes.values()
    }

    /// Checks a code or category named in a permit or an agreement (`900-249-08` or `HW08`).
    pub fn check_scope_item(&self, item: &str) -> Result<(), String> {
        if item.starts_with("HW") {
            self.category(item).map(|_| ()).ok_or_else(|| {
                format!("{item} is not a category of the National Hazardous Waste List")
            })
        } else if self.code(item).is_some() {
            Ok(())
        } else {
            Err(format!(
                "{item} is not a code of the National Hazardous Waste List (2021) as shipped"
            ))
        }
    }
}

/// Whether a list of codes and categories (`HW08`, `900-249-08`) covers `code`.
pub fn scope_covers(scope: &[String], code: &str) -> bool {
    scope.iter().any(|s| {
        s == code
            || (s.len() == 4 && s.starts_with("HW") && code.len() == 10 && code[8..] == s[2..])
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_shipped_list_has_46_categories_and_the_contract_code() {
        let c = Catalog::builtin();
        // The 2021 list numbers HW01..HW50 without HW41-HW44: 46 categories.
        assert_eq!(c.categories().count(), 46);
        let oil = c.code("900-249-08").unwrap();
        assert_eq!(oil.category, "HW08");
        assert_eq!(oil.hazard_traits, vec!["T", "I"]);
        assert!(c.check_scope_item("HW08").is_ok());
        assert!(c.check_scope_item("HW99").is_err());
        assert!(c.check_scope_item("900-249-09").is_err());
    }

    #[test]
    fn categories_cover_their_codes() {
        let scope = vec!["HW08".to_string(), "900-041-49".to_string()];
        assert!(scope_covers(&scope, "900-249-08"));
        assert!(scope_covers(&scope, "900-041-49"));
        assert!(!scope_covers(&scope, "900-042-49"));
    }
}
