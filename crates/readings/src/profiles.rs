//! Reference profiles of 2023 shipped with the crate (see `data/README.md`): BDEW standard
//! load profiles at 15 minutes, each scaled to 1 MWh a year, and the hourly output of 1 kWp
//! of rooftop PV at Chongqing. Used by the demo park and by tests.

const LOAD: &str = include_str!("../data/load_profiles_2023_15min.csv");
const PV: &str = include_str!("../data/pv_chongqing_2023_hourly.csv");

/// Names of the load profiles: `g0`, `g1`, `g3`, `industrial_2shift`.
pub const LOAD_PROFILES: [&str; 4] = ["g0", "g1", "g3", "industrial_2shift"];

fn column(text: &str, name: &str) -> Option<Vec<(i64, f64)>> {
    let mut lines = text.lines();
    let header: Vec<&str> = lines.next()?.split(',').collect();
    let col = header.iter().position(|h| *h == name)?;
    lines
        .filter(|l| !l.is_empty())
        .map(|l| {
            let cells: Vec<&str> = l.split(',').collect();
            let ts = crate::calendar::parse_ts(cells.first()?).ok()?;
            Some((ts, cells.get(col)?.parse().ok()?))
        })
        .collect()
}

/// A load profile as (interval start, kWh per 15 minutes for 1 MWh a year), 35,040 rows
/// for 2023. None for an unknown name.
pub fn load_profile_2023(name: &str) -> Option<Vec<(i64, f64)>> {
    column(LOAD, name)
}

/// Typical rooftop PV output at Chongqing as (hour start, kWh per kWp), 8,760 rows for
/// 2023 (812 kWh/kWp a year).
pub fn pv_chongqing_2023() -> Vec<(i64, f64)> {
    column(PV, "typical_kwh_per_kwp").expect("shipped PV profile parses")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn profiles_cover_2023() {
        for name in LOAD_PROFILES {
            let p = load_profile_2023(name).unwrap();
            assert_eq!(p.len(), 35_040, "{name}");
            let total: f64 = p.iter().map(|x| x.1).sum();
            assert!((total - 1000.0).abs() < 5.0, "{name}: {total} kWh");
        }
        let pv = pv_chongqing_2023();
        assert_eq!(pv.len(), 8_760);
        let total: f64 = pv.iter().map(|x| x.1).sum();
        assert!((total - 812.0).abs() < 5.0, "{total}");
        assert!(load_profile_2023("nope").is_none());
    }
}
