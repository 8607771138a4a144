//! The hot loops: hourly sums of a chunk onto an hour grid, sums and factor-weighted sums
//! per period, grid import and matching per hour. Integer arithmetic throughout: energy in
//! Wh (`u64`), factors in ngCO2/Wh (= 1e-9 tCO2/MWh, `u64`), emissions in ngCO2 (`u128`),
//! so every result is exact and independent of summation order.

use crate::calendar::{HourGrid, Periods};
use crate::chunk::Chunk;

#[inline(always)]
fn blocks<const K: usize>(values: &[u32], out: &mut [u64]) {
    for (o, c) in out.iter_mut().zip(values.chunks_exact(K)) {
        let mut s = 0u64;
        for v in c {
            s += *v as u64;
        }
        *o += s;
    }
}

/// The slot range of `chunk` inside `grid` (both ends on the chunk's interval grid).
fn overlap(chunk: &Chunk, grid: HourGrid) -> Option<(usize, usize)> {
    let iv = chunk.interval.seconds();
    let lo = chunk.start.max(grid.start);
    let hi = chunk.end().min(grid.end());
    if lo >= hi {
        return None;
    }
    Some((
        ((lo - chunk.start) / iv) as usize,
        ((hi - chunk.start) / iv) as usize,
    ))
}

/// Adds each hour's energy of `chunk` (Wh) to `out[h]`, `h` counting hours of `grid`.
/// Absent slots hold 0, so they add nothing.
pub fn add_hourly_wh(chunk: &Chunk, grid: HourGrid, out: &mut [u64]) {
    debug_assert_eq!(out.len(), grid.hours);
    let Some((mut s, s_hi)) = overlap(chunk, grid) else {
        return;
    };
    let iv = chunk.interval.seconds();
    let k = chunk.interval.per_hour();
    let v = &chunk.values;
    let hour = |s: usize| ((chunk.start + s as i64 * iv - grid.start) / 3600) as usize;
    while s < s_hi && (chunk.start + s as i64 * iv).rem_euclid(3600) != 0 {
        out[hour(s)] += v[s] as u64;
        s += 1;
    }
    let full = (s_hi - s) / k;
    if full > 0 {
        let h0 = hour(s);
        let (vals, o) = (&v[s..s + full * k], &mut out[h0..h0 + full]);
        match k {
            1 => blocks::<1>(vals, o),
            2 => blocks::<2>(vals, o),
            4 => blocks::<4>(vals, o),
            _ => blocks::<12>(vals, o),
        }
        s += full * k;
    }
    while s < s_hi {
        out[hour(s)] += v[s] as u64;
        s += 1;
    }
}

/// Sets `out[h]` for every hour of `grid` in which `chunk` has at least one reading.
pub fn mark_hours_present(chunk: &Chunk, grid: HourGrid, out: &mut [bool]) {
    let Some((s_lo, s_hi)) = overlap(chunk, grid) else {
        return;
    };
    let iv = chunk.interval.seconds();
    for s in s_lo..s_hi {
        if chunk.is_present(s) {
            out[((chunk.start + s as i64 * iv - grid.start) / 3600) as usize] = true;
        }
    }
}

/// `out[p] += sum of hourly[h]` over the hours of period `p`.
pub fn sum_by_period(hourly: &[u64], periods: &Periods, out: &mut [u64]) {
    for (p, o) in out.iter_mut().enumerate().take(periods.len()) {
        *o += hourly[periods.range(p)].iter().sum::<u64>();
    }
}

/// `out[p] += sum of wh[h] * factor[h]` over the hours of period `p` (Wh x ngCO2/Wh = ngCO2).
pub fn weighted_by_period(
    wh: &[u64],
    factor_ng_per_wh: &[u64],
    periods: &Periods,
    out: &mut [u128],
) {
    for (p, o) in out.iter_mut().enumerate().take(periods.len()) {
        let r = periods.range(p);
        let mut acc = 0u128;
        for (e, f) in wh[r.clone()].iter().zip(&factor_ng_per_wh[r]) {
            acc += (*e as u128) * (*f as u128);
        }
        *o += acc;
    }
}

/// Grid import per hour: `max(0, consumption - generation)`.
pub fn grid_import(consumption: &[u64], generation: &[u64], out: &mut [u64]) {
    for ((o, c), g) in out.iter_mut().zip(consumption).zip(generation) {
        *o = c.saturating_sub(*g);
    }
}

/// Consumption covered by own generation in the same hour: `min(consumption, generation)`.
pub fn matched(consumption: &[u64], generation: &[u64], out: &mut [u64]) {
    for ((o, c), g) in out.iter_mut().zip(consumption).zip(generation) {
        *o = (*c).min(*g);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::calendar::{Interval, Resolution};
    use proptest::prelude::*;

    /// Reference: one reading at a time, hour by division.
    fn reference_hourly(chunk: &Chunk, grid: HourGrid) -> Vec<u64> {
        let mut out = vec![0u64; grid.hours];
        for (ts, wh) in chunk.readings() {
            if ts >= grid.start && ts < grid.end() {
                out[((ts - grid.start) / 3600) as usize] += wh as u64;
            }
        }
        out
    }

    fn arb_chunk() -> impl Strategy<Value = Chunk> {
        (0usize..4, 0i64..200, 0usize..400).prop_flat_map(|(iv, off, n)| {
            let interval = Interval::ALL[iv];
            let start = 1_672_502_400 + off * interval.seconds();
            prop::collection::vec(prop::option::of(0u32..=crate::MAX_WH_PER_INTERVAL), n).prop_map(
                move |vals| {
                    let mut c = Chunk::empty(interval, start, vals.len());
                    for (i, v) in vals.into_iter().enumerate() {
                        if let Some(v) = v {
                            c.set(i, v);
                        }
                    }
                    c
                },
            )
        })
    }

    proptest! {
        #[test]
        fn hourly_sums_match_reference(c in arb_chunk(), from_h in 0i64..200, hours in 0usize..150) {
            let grid = HourGrid { start: 1_672_502_400 + from_h * 3600 - 7200, hours };
            let mut out = vec![0u64; hours];
            add_hourly_wh(&c, grid, &mut out);
            prop_assert_eq!(out, reference_hourly(&c, grid));
            let mut seen = vec![false; hours];
            mark_hours_present(&c, grid, &mut seen);
            let mut want = vec![false; hours];
            for (ts, _) in c.readings() {
                if ts >= grid.start && ts < grid.end() {
                    want[((ts - grid.start) / 3600) as usize] = true;
                }
            }
            prop_assert_eq!(seen, want);
        }

        #[test]
        fn period_sums_match_reference(
            hourly in prop::collection::vec((0u64..1_000_000_000, 0u64..2_000_000_000), 0..2000),
            start_h in 0i64..9000, res in 0usize..3,
        ) {
            let grid = HourGrid { start: 1_672_502_400 + start_h * 3600, hours: hourly.len() };
            let resolution = [Resolution::Hour, Resolution::Day, Resolution::Month][res];
            let periods = Periods::new(grid, resolution);
            let wh: Vec<u64> = hourly.iter().map(|x| x.0).collect();
            let f: Vec<u64> = hourly.iter().map(|x| x.1).collect();
            let mut sums = vec![0u64; periods.len()];
            let mut em = vec![0u128; periods.len()];
            sum_by_period(&wh, &periods, &mut sums);
            weighted_by_period(&wh, &f, &periods, &mut em);
            // Reference: a map keyed by each hour's own label.
            let mut want: std::collections::BTreeMap<String, (u64, u128)> = Default::default();
            for h in 0..grid.hours {
                let e = want.entry(resolution.label(grid.hour_start(h))).or_default();
                e.0 += wh[h];
                e.1 += wh[h] as u128 * f[h] as u128;
            }
            let got: std::collections::BTreeMap<String, (u64, u128)> = (0..periods.len())
                .map(|p| (periods.label(p), (sums[p], em[p]))).collect();
            prop_assert_eq!(got, want);
        }

        #[test]
        fn import_and_matching_partition_consumption(
            pairs in prop::collection::vec((0u64..1_000_000, 0u64..1_000_000), 0..100)
        ) {
            let c: Vec<u64> = pairs.iter().map(|p| p.0).collect();
            let g: Vec<u64> = pairs.iter().map(|p| p.1).collect();
            let mut imp = vec![0; c.len()];
            let mut m = vec![0; c.len()];
            grid_import(&c, &g, &mut imp);
            matched(&c, &g, &mut m);
            for i in 0..c.len() {
                prop_assert_eq!(imp[i] + m[i], c[i]);
                prop_assert_eq!(imp[i], c[i].saturating_sub(g[i]));
            }
        }
    }
}
