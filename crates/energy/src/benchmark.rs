//! Benchmarking product energy intensity (单位产品能耗对标) against the national
//! energy-consumption limit standards (单位产品能源消耗限额, levels 1/2/3) and against peers.
//!
//! - [`allocate`]: an enterprise's energy (tce) shared out to its products, by route (the
//!   route's own ledger rows; shared rows by mass over all products) or by output mass.
//! - [`intensity_kgce_per_t`]: `energy_tce x 1000 / output_t`.
//! - [`classify`]: the level an intensity achieves; lower is better and a value exactly at
//!   a level's limit achieves it (`<=`).
//! - [`peers`]: count, min, median, max and rank of an intensity among peers' intensities.
//! - [`STANDARDS_CSV`]: the list of limit standards zeropark knows by number and title
//!   (`data/energy-limit-standards.csv`). Its level columns are **empty**: the values were
//!   not verified against the published texts, so users import them with their source
//!   (`zeropark import energy-limits`).
//!
//! Pure: no I/O.

use rust_decimal::Decimal;
use serde::Serialize;
use std::collections::BTreeMap;

/// The limit standards known by number and title (no values; see the file's header).
pub const STANDARDS_CSV: &str = include_str!("../data/energy-limit-standards.csv");

/// One listed standard: its number, title, the product it covers, unit and indicator.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ListedStandard {
    pub standard: String,
    pub title: String,
    pub product: String,
    pub unit: String,
    pub indicator: String,
}

/// The standards of [`STANDARDS_CSV`] (lines starting with `#` are comments).
pub fn listed_standards() -> Vec<ListedStandard> {
    STANDARDS_CSV
        .lines()
        .filter(|l| !l.trim().is_empty() && !l.starts_with('#'))
        .skip(1)
        .filter_map(|l| {
            let f: Vec<&str> = l.split(',').map(str::trim).collect();
            (f.len() >= 5).then(|| ListedStandard {
                standard: f[0].into(),
                title: f[1].into(),
                product: f[2].into(),
                unit: f[3].into(),
                indicator: f[4].into(),
            })
        })
        .collect()
}

/// The three levels of a limit standard for one product, kgce per unit; lower is better:
/// level 1 (advanced) <= level 2 <= level 3 (the limit existing plants must meet).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct Levels {
    pub level1: Decimal,
    pub level2: Decimal,
    pub level3: Decimal,
}

impl Levels {
    /// The levels, or why they are not ordered `level1 <= level2 <= level3` (all > 0).
    pub fn new(level1: Decimal, level2: Decimal, level3: Decimal) -> Result<Levels, String> {
        if level1 <= Decimal::ZERO {
            return Err(format!("level1 {level1} must be positive"));
        }
        if level1 > level2 || level2 > level3 {
            return Err(format!(
                "levels must satisfy level1 <= level2 <= level3 (lower is better): {level1}, {level2}, {level3}"
            ));
        }
        Ok(Levels {
            level1,
            level2,
            level3,
        })
    }
}

/// The level an intensity achieves.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize, schemars::JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum Level {
    Level1,
    Level2,
    Level3,
    /// Above level 3: over the limit (超限额).
    AboveLimit,
}

impl Level {
    /// `1`, `2`, `3` or `above_limit`.
    pub fn key(self) -> &'static str {
        match self {
            Level::Level1 => "1",
            Level::Level2 => "2",
            Level::Level3 => "3",
            Level::AboveLimit => "above_limit",
        }
    }

    /// Level 1 or 2 (a value exactly at level 2 is within it).
    pub fn within_level2(self) -> bool {
        matches!(self, Level::Level1 | Level::Level2)
    }
}

/// The best level whose value the intensity does not exceed.
pub fn classify(intensity: Decimal, levels: &Levels) -> Level {
    if intensity <= levels.level1 {
        Level::Level1
    } else if intensity <= levels.level2 {
        Level::Level2
    } else if intensity <= levels.level3 {
        Level::Level3
    } else {
        Level::AboveLimit
    }
}

/// `energy_tce x 1000 / output_t` kgce/t, rounded to 6 decimals; `None` without output.
pub fn intensity_kgce_per_t(energy_tce: Decimal, output_t: Decimal) -> Option<Decimal> {
    (output_t > Decimal::ZERO).then(|| (energy_tce * Decimal::ONE_THOUSAND / output_t).round_dp(6))
}

/// Shares `total` by `weights` exactly: each share is `total x w / sum(w)`, the last one
/// takes what the others leave, so the shares add up to `total`. All zero without weight.
pub fn split(total: Decimal, weights: &[Decimal]) -> Vec<Decimal> {
    let sum: Decimal = weights.iter().copied().sum();
    if sum <= Decimal::ZERO || weights.is_empty() {
        return vec![Decimal::ZERO; weights.len()];
    }
    let mut out: Vec<Decimal> = weights.iter().map(|w| total * *w / sum).collect();
    let given: Decimal = out[..out.len() - 1].iter().copied().sum();
    let last = out.len() - 1;
    out[last] = total - given;
    out
}

/// One product line to allocate to: its output and the route (site) it is made on.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ProductOutput {
    pub output_t: Decimal,
    /// Empty when the production records name no route.
    pub route: String,
}

/// How the energy was allocated.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, schemars::JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum Method {
    /// One product: all of the enterprise's energy.
    WholeEnterprise,
    /// Each route's own ledger rows (products on one route by mass); rows under no route's
    /// site split by mass over all products.
    Route,
    /// Output mass share of the enterprise's total energy.
    MassShare,
}

/// The energy of each product (in `products` order) and the method used. `by_route` asks
/// for route allocation: it is used only when every product names a route present in
/// `routes_tce` (each route's own ledger energy), else the mass share is used.
pub fn allocate(
    total_tce: Decimal,
    routes_tce: &BTreeMap<String, Decimal>,
    products: &[ProductOutput],
    by_route: bool,
) -> (Vec<Decimal>, Method) {
    if products.len() == 1 {
        return (vec![total_tce], Method::WholeEnterprise);
    }
    let masses: Vec<Decimal> = products.iter().map(|p| p.output_t).collect();
    let all_routed = products.iter().all(|p| routes_tce.contains_key(&p.route));
    if !(by_route && all_routed) {
        return (split(total_tce, &masses), Method::MassShare);
    }
    // Routes used by the products, each split by mass among its products.
    let mut out = vec![Decimal::ZERO; products.len()];
    let mut used = Decimal::ZERO;
    let mut by: BTreeMap<&str, Vec<usize>> = BTreeMap::new();
    for (i, p) in products.iter().enumerate() {
        by.entry(p.route.as_str()).or_default().push(i);
    }
    for (route, idx) in &by {
        let tce = routes_tce[*route];
        used += tce;
        let w: Vec<Decimal> = idx.iter().map(|i| masses[*i]).collect();
        for (i, share) in idx.iter().zip(split(tce, &w)) {
            out[*i] += share;
        }
    }
    // Shared rows (under no route's site) by mass over all products.
    let shared = (total_tce - used).max(Decimal::ZERO);
    for (o, s) in out.iter_mut().zip(split(shared, &masses)) {
        *o += s;
    }
    (out, Method::Route)
}

/// Where an intensity stands among peers (lower is better). `count` includes the subject.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, schemars::JsonSchema)]
pub struct PeerStats {
    pub count: usize,
    pub min_kgce_per_t: Decimal,
    pub median_kgce_per_t: Decimal,
    pub max_kgce_per_t: Decimal,
    /// 1 = the lowest intensity; ties share the better rank.
    pub rank: usize,
}

/// The subject's intensity among `others` (the subject not included in `others`).
pub fn peers(subject: Decimal, others: &[Decimal]) -> PeerStats {
    let mut all: Vec<Decimal> = others.to_vec();
    all.push(subject);
    all.sort();
    let n = all.len();
    let median = if n % 2 == 1 {
        all[n / 2]
    } else {
        (all[n / 2 - 1] + all[n / 2]) / Decimal::TWO
    };
    PeerStats {
        count: n,
        min_kgce_per_t: all[0],
        median_kgce_per_t: median,
        max_kgce_per_t: all[n - 1],
        rank: 1 + others.iter().filter(|o| **o < subject).count(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use rust_decimal_macros::dec;

    fn levels() -> Levels {
        Levels::new(dec!(100), dec!(110), dec!(120)).unwrap()
    }

    #[test]
    fn a_value_exactly_at_a_level_achieves_it() {
        let l = levels();
        assert_eq!(classify(dec!(100), &l), Level::Level1);
        assert_eq!(classify(dec!(100.000001), &l), Level::Level2);
        assert_eq!(classify(dec!(110), &l), Level::Level2);
        assert!(classify(dec!(110), &l).within_level2());
        assert_eq!(classify(dec!(110.000001), &l), Level::Level3);
        assert!(!classify(dec!(110.000001), &l).within_level2());
        assert_eq!(classify(dec!(120), &l), Level::Level3);
        assert_eq!(classify(dec!(120.01), &l), Level::AboveLimit);
        assert_eq!(Level::AboveLimit.key(), "above_limit");
    }

    #[test]
    fn levels_must_be_ordered_lower_is_better() {
        assert!(Levels::new(dec!(120), dec!(110), dec!(100)).is_err());
        assert!(Levels::new(dec!(0), dec!(1), dec!(2)).is_err());
        assert!(Levels::new(dec!(100), dec!(100), dec!(100)).is_ok());
    }

    #[test]
    fn mass_share_by_hand() {
        // 1,000 tce over 3,000 t + 1,000 t: 750 and 250 tce; 250 and 250 kgce/t.
        let p = [
            ProductOutput {
                output_t: dec!(3000),
                route: String::new(),
            },
            ProductOutput {
                output_t: dec!(1000),
                route: String::new(),
            },
        ];
        let (e, m) = allocate(dec!(1000), &BTreeMap::new(), &p, true);
        assert_eq!(e, vec![dec!(750), dec!(250)]);
        assert_eq!(m, Method::MassShare);
        assert_eq!(intensity_kgce_per_t(e[0], dec!(3000)), Some(dec!(250)));
    }

    #[test]
    fn route_allocation_splits_shared_rows_by_mass() {
        // Kiln 800 tce, mill 100 tce, 100 tce shared: kiln product 800 + 100 x 3/4 = 875,
        // mill product 100 + 100 x 1/4 = 125.
        let p = [
            ProductOutput {
                output_t: dec!(3000),
                route: "kiln".into(),
            },
            ProductOutput {
                output_t: dec!(1000),
                route: "mill".into(),
            },
        ];
        let routes: BTreeMap<String, Decimal> =
            [("kiln".into(), dec!(800)), ("mill".into(), dec!(100))].into();
        let (e, m) = allocate(dec!(1000), &routes, &p, true);
        assert_eq!((e, m), (vec![dec!(875), dec!(125)], Method::Route));
        // Asked for mass, or a route without rows: mass share.
        assert_eq!(
            allocate(dec!(1000), &routes, &p, false).1,
            Method::MassShare
        );
        let (_, m) = allocate(dec!(1000), &BTreeMap::new(), &p, true);
        assert_eq!(m, Method::MassShare);
    }

    #[test]
    fn split_adds_up_exactly() {
        let s = split(dec!(100), &[dec!(1), dec!(1), dec!(1)]);
        assert_eq!(s.iter().copied().sum::<Decimal>(), dec!(100));
        assert_eq!(split(dec!(5), &[dec!(0), dec!(0)]), vec![dec!(0), dec!(0)]);
    }

    #[test]
    fn peer_quantiles_and_rank() {
        // Subject 105 among 100, 110, 130: sorted 100, 105, 110, 130; median (105+110)/2.
        let p = peers(dec!(105), &[dec!(130), dec!(100), dec!(110)]);
        assert_eq!(p.count, 4);
        assert_eq!(p.min_kgce_per_t, dec!(100));
        assert_eq!(p.median_kgce_per_t, dec!(107.5));
        assert_eq!(p.max_kgce_per_t, dec!(130));
        assert_eq!(p.rank, 2);
        // Alone: rank 1 of 1.
        let alone = peers(dec!(90), &[]);
        assert_eq!(
            (alone.count, alone.rank, alone.median_kgce_per_t),
            (1, 1, dec!(90))
        );
        // Ties share the better rank.
        assert_eq!(peers(dec!(100), &[dec!(100), dec!(90)]).rank, 2);
    }

    #[test]
    fn the_standards_list_has_no_values() {
        let l = listed_standards();
        assert!(l.iter().any(|s| s.standard == "GB 16780-2021"));
        assert!(
            l.iter()
                .all(|s| !s.standard.is_empty() && !s.product.is_empty())
        );
        // No level value is shipped: columns 6-8 of every data line are empty.
        for l in STANDARDS_CSV
            .lines()
            .filter(|l| !l.starts_with('#'))
            .skip(1)
        {
            let f: Vec<&str> = l.split(',').collect();
            assert_eq!(f.len(), 9, "{l}");
            assert!(f[5..8].iter().all(|v| v.is_empty()), "{l}");
        }
    }
}
