//! The indicator sets shipped with the program, embedded at build time.

use crate::scheme::{Scheme, SchemeCatalog};

/// `(file name, TOML text)` of every built-in set.
pub const BUILTIN_SCHEME_FILES: [(&str, &str); 4] = [
    (
        "zero_carbon_park_910.toml",
        include_str!("../schemes/zero_carbon_park_910.toml"),
    ),
    (
        "green_factory_gbt36132.toml",
        include_str!("../schemes/green_factory_gbt36132.toml"),
    ),
    (
        "near_zero_carbon_pilot.toml",
        include_str!("../schemes/near_zero_carbon_pilot.toml"),
    ),
    ("esg.toml", include_str!("../schemes/esg.toml")),
];

/// Id of the zero-carbon park set (发改环资〔2025〕910号).
pub const ZERO_CARBON_PARK: &str = "zero-carbon-park-910";
/// Id of the green factory set (GB/T 36132-2018).
pub const GREEN_FACTORY: &str = "green-factory-gbt36132";
/// Id of the near-zero-carbon pilot set.
pub const NEAR_ZERO_CARBON_PILOT: &str = "near-zero-carbon-pilot";
/// Id of the ESG set.
pub const ESG: &str = "esg-park-enterprise";

/// All built-in sets. They are checked by the tests, so parsing cannot fail at run time.
pub fn builtin_catalog() -> SchemeCatalog {
    let mut catalog = SchemeCatalog::new();
    for (file, text) in BUILTIN_SCHEME_FILES {
        let scheme = Scheme::from_toml_str(text)
            .unwrap_or_else(|e| panic!("built-in indicator set {file} is invalid: {e}"));
        catalog
            .add(scheme)
            .unwrap_or_else(|e| panic!("built-in indicator set {file}: {e}"));
    }
    catalog
}

fn builtin(id: &str) -> Scheme {
    builtin_catalog()
        .get(id, None)
        .cloned()
        .unwrap_or_else(|| panic!("built-in indicator set {id} exists"))
}

/// The zero-carbon park set (发改环资〔2025〕910号).
pub fn zero_carbon_park() -> Scheme {
    builtin(ZERO_CARBON_PARK)
}

/// The green factory set (GB/T 36132-2018).
pub fn green_factory() -> Scheme {
    builtin(GREEN_FACTORY)
}

/// The near-zero-carbon pilot set.
pub fn near_zero_carbon_pilot() -> Scheme {
    builtin(NEAR_ZERO_CARBON_PILOT)
}

/// The ESG set.
pub fn esg() -> Scheme {
    builtin(ESG)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_builtin_set_parses_and_has_a_version() {
        let catalog = builtin_catalog();
        assert_eq!(catalog.all().len(), BUILTIN_SCHEME_FILES.len());
        for id in [ZERO_CARBON_PARK, GREEN_FACTORY, NEAR_ZERO_CARBON_PILOT, ESG] {
            let s = catalog.get(id, None).unwrap();
            assert!(!s.version.is_empty());
            assert!(!s.basis.trim().is_empty());
        }
    }
}
