//! Property tests of the scans against straightforward reference implementations on
//! random data: readings per meter, enterprises with consumption and generation meters,
//! hourly factors with gaps priced by a fallback.

use proptest::prelude::*;
use std::collections::BTreeMap;
use zp_readings::{
    EnterpriseMeters, FactorSeries, HourGrid, MeterFactor, ReadingStore, Resolution, carbon_map,
    enterprise_matching, import_csv, meter_emissions,
};

/// 2023-01-31 00:00 local: windows cross a month end.
const T0: i64 = 1_675_094_400;

#[derive(Debug, Clone)]
struct Case {
    /// (enterprise, is_generation, interval index)
    meters: Vec<(usize, bool, usize)>,
    /// (meter, slot offset, Wh)
    readings: Vec<(usize, i64, u32)>,
    groups: Vec<usize>,
    hourly_factor: Vec<Option<u64>>,
    fallback: u64,
    res: usize,
}

fn case() -> impl Strategy<Value = Case> {
    (1usize..5, 1usize..7).prop_flat_map(|(n_ent, n_meters)| {
        (
            prop::collection::vec((0..n_ent, any::<bool>(), 0usize..4), n_meters),
            prop::collection::vec((0..n_meters, 0i64..600, 0u32..5_000_000), 0..300),
            prop::collection::vec(0usize..3, n_ent),
            prop::collection::vec(prop::option::of(0u64..2_000_000_000), 24 * 4),
            0u64..2_000_000_000,
            0usize..3,
        )
            .prop_map(
                |(meters, readings, groups, hourly_factor, fallback, res)| Case {
                    meters,
                    readings,
                    groups,
                    hourly_factor,
                    fallback,
                    res,
                },
            )
    })
}

const INTERVALS: [i64; 4] = [300, 900, 1800, 3600];

fn setup(c: &Case) -> (tempfile::TempDir, ReadingStore, BTreeMap<(usize, i64), u64>) {
    let d = tempfile::tempdir().unwrap();
    let mut text = String::from("meter,ts,kwh\n");
    // The reference keeps the first value per (meter, ts), as the import does.
    let mut first: BTreeMap<(usize, i64), u64> = BTreeMap::new();
    for (m, off, wh) in &c.readings {
        let iv = INTERVALS[c.meters[*m].2];
        let ts = T0 - 3600 * 6 + off * iv;
        first.entry((*m, ts)).or_insert(*wh as u64);
        text += &format!(
            "M{m},{},{}\n",
            zp_domain::time::format_local(ts),
            zp_readings::value::format_kwh(*wh as u64)
        );
    }
    let p = d.path().join("r.csv");
    std::fs::write(&p, text).unwrap();
    let mut s = ReadingStore::open(&d.path().join("store")).unwrap();
    let _ = import_csv(&mut s, &p, &|_| true, &mut |_, _| {}).unwrap();
    (d, s, first)
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 48, ..ProptestConfig::default() })]

    #[test]
    fn carbon_map_matches_reference(c in case()) {
        let (_d, s, first) = setup(&c);
        // Interval of a meter in the store may be coarser than declared when the random
        // readings happen to align; the energy per hour does not depend on it.
        let grid = HourGrid { start: T0, hours: 24 * 4 };
        let resolution = [Resolution::Hour, Resolution::Day, Resolution::Month][c.res];
        let mut factors = FactorSeries::fallback(grid, c.fallback);
        for (h, f) in c.hourly_factor.iter().enumerate() {
            if let Some(f) = f {
                factors.set_hourly(grid, grid.hour_start(h), *f);
            }
        }
        let n_ent = c.groups.len();
        let enterprises: Vec<EnterpriseMeters> = (0..n_ent)
            .map(|e| EnterpriseMeters {
                consumption: c.meters.iter().enumerate()
                    .filter(|(_, m)| m.0 == e && !m.1).map(|(i, _)| format!("M{i}")).collect(),
                generation: c.meters.iter().enumerate()
                    .filter(|(_, m)| m.0 == e && m.1).map(|(i, _)| format!("M{i}")).collect(),
                group: c.groups[e],
                factors: 0,
            })
            .collect();
        let map = carbon_map(&s, grid, resolution, &enterprises, std::slice::from_ref(&factors), 3).unwrap();

        // Reference: per enterprise and hour, then grouped by each hour's period label.
        let mut cons: BTreeMap<(usize, i64), u64> = BTreeMap::new();
        let mut generation: BTreeMap<(usize, i64), u64> = BTreeMap::new();
        for ((m, ts), wh) in &first {
            if *ts < grid.start || *ts >= grid.end() { continue; }
            let (e, is_gen, _) = c.meters[*m];
            let hour = ts - ts.rem_euclid(3600);
            let target = if is_gen { &mut generation } else { &mut cons };
            *target.entry((e, hour)).or_default() += wh;
        }
        let mut want: BTreeMap<(usize, String), (u64, u64, u64, u128)> = BTreeMap::new();
        for e in 0..n_ent {
            for h in 0..grid.hours {
                let t = grid.hour_start(h);
                let cw = cons.get(&(e, t)).copied().unwrap_or(0);
                let gw = generation.get(&(e, t)).copied().unwrap_or(0);
                let imp = cw.saturating_sub(gw);
                let f = c.hourly_factor[h].unwrap_or(c.fallback);
                let r = want.entry((c.groups[e], resolution.label(t))).or_default();
                r.0 += cw;
                r.1 += gw;
                r.2 += imp;
                r.3 += imp as u128 * f as u128;
            }
        }
        for ((g, label), w) in &want {
            let p = (0..map.periods.len()).find(|p| &map.periods.label(*p) == label).unwrap();
            let cell = map.cell(*g, p);
            prop_assert_eq!(
                (cell.consumption_wh, cell.generation_wh, cell.grid_import_wh, cell.emissions_ngco2),
                *w, "group {} period {}", g, label
            );
        }

        // Matching totals against the same reference.
        let totals = enterprise_matching(&s, grid, &enterprises).unwrap();
        for (e, t) in totals.iter().enumerate() {
            let mut want = (0u64, 0u64, 0u64);
            for h in 0..grid.hours {
                let ts = grid.hour_start(h);
                let cw = cons.get(&(e, ts)).copied().unwrap_or(0);
                let gw = generation.get(&(e, ts)).copied().unwrap_or(0);
                want.0 += cw;
                want.1 += gw;
                want.2 += cw.min(gw);
            }
            prop_assert_eq!((t.consumption_wh, t.generation_wh, t.matched_wh), want);
            prop_assert_eq!(t.grid_import_wh + t.matched_wh, t.consumption_wh);
        }

        // Per-meter emissions by period.
        let meters: Vec<MeterFactor> = (0..c.meters.len())
            .map(|i| MeterFactor { meter: format!("M{i}"), factors: 0 })
            .collect();
        let (periods, per_meter) = meter_emissions(&s, grid, resolution, &meters, std::slice::from_ref(&factors)).unwrap();
        for (i, mp) in per_meter.iter().enumerate() {
            let mut want: BTreeMap<String, (u64, u128)> = BTreeMap::new();
            for ((m, ts), wh) in &first {
                if *m != i || *ts < grid.start || *ts >= grid.end() { continue; }
                let h = ((ts - grid.start) / 3600) as usize;
                let e = want.entry(resolution.label(grid.hour_start(h))).or_default();
                e.0 += wh;
                e.1 += *wh as u128 * c.hourly_factor[h].unwrap_or(c.fallback) as u128;
            }
            for p in 0..periods.len() {
                let w = want.get(&periods.label(p)).copied().unwrap_or_default();
                prop_assert_eq!((mp.energy_wh[p], mp.emissions_ngco2[p]), w);
            }
        }
    }
}

#[test]
fn to_is_inclusive_and_periods_are_local() {
    let g = HourGrid::days_inclusive("2023-07-10", "2023-07-10").unwrap();
    assert_eq!(g.hours, 24);
    assert_eq!(
        zp_domain::time::format_local(g.start),
        "2023-07-10T00:00:00+08:00"
    );
    assert_eq!(
        zp_domain::time::format_local(g.end()),
        "2023-07-11T00:00:00+08:00"
    );
    assert!(HourGrid::days_inclusive("2023-07-11", "2023-07-10").is_none());
}
