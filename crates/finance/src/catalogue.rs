//! The green finance support catalogue (绿色金融支持项目目录, 2025 edition) as data: a
//! documented subset of its categories, embedded from `data/green-finance-catalogue-2025.toml`.

use crate::FinanceError;
use crate::project::{Project, ProjectKind};
use serde::{Deserialize, Serialize};

const BUILTIN: &str = include_str!("../data/green-finance-catalogue-2025.toml");

/// One category (first, second or third level).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
pub struct Category {
    pub code: String,
    pub name_zh: String,
    pub name_en: String,
    #[serde(default)]
    pub parent: Option<String>,
    /// Project kinds a leaf category covers.
    #[serde(default)]
    pub project_kinds: Vec<ProjectKind>,
    /// Meets the climate investment and financing mitigation criteria.
    #[serde(default)]
    pub climate: bool,
}

/// The catalogue: edition, source and categories.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
pub struct SupportCatalogue {
    pub edition: String,
    pub source: String,
    #[serde(rename = "category")]
    pub categories: Vec<Category>,
}

/// A project's category with its full path, as shown to a bank.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
pub struct Tag {
    pub code: String,
    /// `节能降碳产业 / 能效提升 / 工业领域节能改造`.
    pub path_zh: String,
    pub climate: bool,
}

impl SupportCatalogue {
    /// The embedded subset of the 2025 edition.
    pub fn builtin() -> SupportCatalogue {
        // The embedded file is checked by the tests; a parse failure is a build defect.
        Self::parse(BUILTIN).expect("embedded green finance catalogue parses")
    }

    /// Parses a catalogue file; parents must exist and codes be unique.
    pub fn parse(text: &str) -> Result<SupportCatalogue, FinanceError> {
        let c: SupportCatalogue =
            toml::from_str(text).map_err(|e| FinanceError::Catalogue(e.to_string()))?;
        for (i, cat) in c.categories.iter().enumerate() {
            if c.categories[..i].iter().any(|o| o.code == cat.code) {
                return Err(FinanceError::Catalogue(format!(
                    "duplicate code {}",
                    cat.code
                )));
            }
            if let Some(p) = &cat.parent
                && c.get(p).is_none()
            {
                return Err(FinanceError::Catalogue(format!(
                    "{}: unknown parent {p}",
                    cat.code
                )));
            }
        }
        Ok(c)
    }

    pub fn get(&self, code: &str) -> Option<&Category> {
        self.categories.iter().find(|c| c.code == code)
    }

    pub fn is_leaf(&self, code: &str) -> bool {
        !self
            .categories
            .iter()
            .any(|c| c.parent.as_deref() == Some(code))
    }

    /// Names from the first level down to `code`.
    pub fn path_zh(&self, code: &str) -> Option<String> {
        let mut names = Vec::new();
        let mut cur = self.get(code);
        while let Some(c) = cur {
            names.push(c.name_zh.as_str());
            cur = c.parent.as_deref().and_then(|p| self.get(p));
        }
        if names.is_empty() {
            return None;
        }
        names.reverse();
        Some(names.join(" / "))
    }

    /// Leaf categories that cover a project kind.
    pub fn suggest(&self, kind: ProjectKind) -> Vec<&Category> {
        self.categories
            .iter()
            .filter(|c| c.project_kinds.contains(&kind))
            .collect()
    }

    /// Checks a project's tags: each must be a leaf of this catalogue that covers the
    /// project's kind. Returns the tags with their paths.
    pub fn tag(&self, p: &Project) -> Result<Vec<Tag>, FinanceError> {
        let bad = |reason: String| FinanceError::Project {
            id: p.id.clone(),
            reason,
        };
        if p.categories.is_empty() {
            let hint: Vec<String> = self
                .suggest(p.kind)
                .iter()
                .map(|c| format!("{} {}", c.code, c.name_zh))
                .collect();
            return Err(bad(format!(
                "no green finance catalogue category; for {} use one of: {}",
                p.kind.key(),
                hint.join(", ")
            )));
        }
        p.categories
            .iter()
            .map(|code| {
                let c = self.get(code).ok_or_else(|| {
                    bad(format!(
                        "category {code} is not in the catalogue ({} edition subset)",
                        self.edition
                    ))
                })?;
                if !self.is_leaf(code) {
                    return Err(bad(format!(
                        "category {code} {} is not a leaf; tag the specific category",
                        c.name_zh
                    )));
                }
                if !c.project_kinds.contains(&p.kind) {
                    return Err(bad(format!(
                        "category {code} {} does not cover {} projects",
                        c.name_zh,
                        p.kind.key()
                    )));
                }
                Ok(Tag {
                    code: code.clone(),
                    path_zh: self.path_zh(code).unwrap_or_default(),
                    climate: c.climate,
                })
            })
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn builtin_catalogue_parses_with_paths() {
        let c = SupportCatalogue::builtin();
        assert_eq!(c.edition, "2025");
        assert!(c.source.contains("subset"));
        // The catalogue's issuers are the PBOC, NFRA and CSRC (not the NDRC), and its
        // first-level categories keep their official order.
        assert!(c.source.starts_with("中国人民银行 金融监管总局 中国证监会"));
        assert_eq!(c.get("4").unwrap().name_zh, "能源绿色低碳转型");
        assert_eq!(c.get("3").unwrap().name_zh, "资源循环利用产业");
        assert_eq!(c.get("6").unwrap().name_zh, "基础设施绿色升级");
        assert_eq!(
            c.path_zh("1.1.1").unwrap(),
            "节能降碳产业 / 能效提升 / 工业领域节能改造"
        );
        assert_eq!(
            c.path_zh("4.1.1").unwrap(),
            "能源绿色低碳转型 / 清洁能源设施建设和运营 / 分布式光伏"
        );
        assert!(c.is_leaf("1.1.1"));
        assert!(!c.is_leaf("1.1"));
        let pv: Vec<_> = c
            .suggest(ProjectKind::DistributedPv)
            .iter()
            .map(|c| c.code.clone())
            .collect();
        assert_eq!(pv, ["4.1.1"]);
        // Every kind has a home in the subset.
        for k in ProjectKind::ALL {
            assert!(!c.suggest(*k).is_empty(), "{k:?}");
        }
    }

    #[test]
    fn rejects_unknown_parents_and_duplicates() {
        let dup = "edition='x'\nsource='s'\n[[category]]\ncode='1'\nname_zh='a'\nname_en='a'\n[[category]]\ncode='1'\nname_zh='b'\nname_en='b'\n";
        assert!(SupportCatalogue::parse(dup).is_err());
        let orphan = "edition='x'\nsource='s'\n[[category]]\ncode='1.1'\nparent='9'\nname_zh='a'\nname_en='a'\n";
        assert!(SupportCatalogue::parse(orphan).is_err());
    }
}
