//! Scans over the store: per-meter hourly series, per-meter emissions by period (hourly
//! factor join), per-enterprise hourly matching, and the electricity-carbon map (电碳地图).
//! Work is spread over all cores by meter or enterprise; every result is an exact integer.

use crate::calendar::{HourGrid, Periods, Resolution};
use crate::error::Result;
use crate::kernels::{add_hourly_wh, grid_import, matched, sum_by_period, weighted_by_period};
use crate::par;
use crate::store::ReadingStore;

/// Hourly grid factors of one region over a grid, in ngCO2/Wh (numerically
/// 1e-9 tCO2/MWh), and which hours had no hourly factor and use a fallback value.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FactorSeries {
    pub ng_per_wh: Vec<u64>,
    /// `true` where the hour uses the fallback (e.g. the annual provincial factor).
    pub fallback: Vec<bool>,
}

impl FactorSeries {
    /// Every hour at the fallback value.
    pub fn fallback(grid: HourGrid, ng_per_wh: u64) -> FactorSeries {
        FactorSeries {
            ng_per_wh: vec![ng_per_wh; grid.hours],
            fallback: vec![true; grid.hours],
        }
    }

    /// Sets the hourly factor of the hour starting at `hour_start` (ignored outside the grid).
    pub fn set_hourly(&mut self, grid: HourGrid, hour_start: i64, ng_per_wh: u64) {
        if hour_start >= grid.start && hour_start < grid.end() {
            let h = ((hour_start - grid.start) / 3600) as usize;
            self.ng_per_wh[h] = ng_per_wh;
            self.fallback[h] = false;
        }
    }

    pub fn fallback_hours(&self) -> usize {
        self.fallback.iter().filter(|f| **f).count()
    }
}

/// A factor in tCO2/MWh, written as decimal text (`0.5703`), as ngCO2/Wh. Factors are kept
/// to 9 decimal places (finer digits are rounded half up); None for negative or non-numbers.
pub fn factor_ng_per_wh(tco2_per_mwh: &str) -> Option<u64> {
    let t = tco2_per_mwh.trim();
    let (int, frac) = t.split_once('.').unwrap_or((t, ""));
    if int.is_empty() && frac.is_empty()
        || !int.bytes().all(|b| b.is_ascii_digit())
        || !frac.bytes().all(|b| b.is_ascii_digit())
    {
        return None;
    }
    let int: u64 = if int.is_empty() { 0 } else { int.parse().ok()? };
    let mut f: u64 = 0;
    for (i, b) in frac.bytes().enumerate() {
        let d = (b - b'0') as u64;
        if i < 9 {
            f = f * 10 + d;
        } else if i == 9 {
            f += (d >= 5) as u64;
            break;
        }
    }
    for _ in frac.len()..9 {
        f *= 10;
    }
    int.checked_mul(1_000_000_000)?.checked_add(f)
}

/// Energy of a meter per hour of the grid, in Wh (0 where no reading).
pub fn meter_hourly(store: &ReadingStore, meter: &str, grid: HourGrid) -> Result<Vec<u64>> {
    let mut out = vec![0u64; grid.hours];
    for c in store.chunks_in(meter, grid.start, grid.end())? {
        add_hourly_wh(&c, grid, &mut out);
    }
    Ok(out)
}

fn add_meters(
    store: &ReadingStore,
    meters: &[String],
    grid: HourGrid,
    out: &mut [u64],
) -> Result<()> {
    for m in meters {
        for c in store.chunks_in(m, grid.start, grid.end())? {
            add_hourly_wh(&c, grid, out);
        }
    }
    Ok(())
}

/// A meter and the factor series (index) its energy is priced with.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MeterFactor {
    pub meter: String,
    pub factors: usize,
}

/// Energy and emissions of one meter per period.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MeterPeriods {
    pub energy_wh: Vec<u64>,
    pub emissions_ngco2: Vec<u128>,
}

/// Per meter and period: energy and emissions (each hour's energy times that hour's factor).
pub fn meter_emissions(
    store: &ReadingStore,
    grid: HourGrid,
    resolution: Resolution,
    meters: &[MeterFactor],
    factors: &[FactorSeries],
) -> Result<(Periods, Vec<MeterPeriods>)> {
    let periods = Periods::new(grid, resolution);
    let out = par::map(
        meters,
        || vec![0u64; grid.hours],
        |hourly, m| {
            hourly.fill(0);
            for c in store.chunks_in(&m.meter, grid.start, grid.end())? {
                add_hourly_wh(&c, grid, hourly);
            }
            let mut r = MeterPeriods {
                energy_wh: vec![0; periods.len()],
                emissions_ngco2: vec![0; periods.len()],
            };
            sum_by_period(hourly, &periods, &mut r.energy_wh);
            weighted_by_period(
                hourly,
                &factors[m.factors].ng_per_wh,
                &periods,
                &mut r.emissions_ngco2,
            );
            Ok(r)
        },
    )?;
    Ok((periods, out))
}

/// The meters of one enterprise and where its figures go.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EnterpriseMeters {
    pub consumption: Vec<String>,
    /// Own (behind-the-meter) generation, e.g. rooftop PV.
    pub generation: Vec<String>,
    /// Index of the output group (enterprise, park, industry, ...).
    pub group: usize,
    /// Index of the factor series of the enterprise's region.
    pub factors: usize,
}

/// Totals of an enterprise's hour-by-hour balance of consumption against own generation.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct MatchingTotals {
    pub consumption_wh: u64,
    pub generation_wh: u64,
    /// Sum over hours of `min(consumption, generation)`.
    pub matched_wh: u64,
    /// Sum over hours of `max(0, consumption - generation)`.
    pub grid_import_wh: u64,
    /// Sum over hours of `max(0, generation - consumption)` (exported or stored).
    pub surplus_wh: u64,
}

/// Consumption and own generation of an enterprise per hour of the grid, in Wh.
pub fn enterprise_hourly(
    store: &ReadingStore,
    grid: HourGrid,
    e: &EnterpriseMeters,
) -> Result<(Vec<u64>, Vec<u64>)> {
    let mut cons = vec![0u64; grid.hours];
    let mut generation = vec![0u64; grid.hours];
    add_meters(store, &e.consumption, grid, &mut cons)?;
    add_meters(store, &e.generation, grid, &mut generation)?;
    Ok((cons, generation))
}

/// Per enterprise: hourly matching of consumption against own generation over the grid.
pub fn enterprise_matching(
    store: &ReadingStore,
    grid: HourGrid,
    enterprises: &[EnterpriseMeters],
) -> Result<Vec<MatchingTotals>> {
    par::map(
        enterprises,
        || {
            (
                vec![0u64; grid.hours],
                vec![0u64; grid.hours],
                vec![0u64; grid.hours],
            )
        },
        |(cons, generation, m), e| {
            cons.fill(0);
            generation.fill(0);
            add_meters(store, &e.consumption, grid, cons)?;
            add_meters(store, &e.generation, grid, generation)?;
            matched(cons, generation, m);
            let consumption_wh: u64 = cons.iter().sum();
            let generation_wh: u64 = generation.iter().sum();
            let matched_wh: u64 = m.iter().sum();
            Ok(MatchingTotals {
                consumption_wh,
                generation_wh,
                matched_wh,
                grid_import_wh: consumption_wh - matched_wh,
                surplus_wh: generation_wh - matched_wh,
            })
        },
    )
}

/// One group in one period of the carbon map.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct CarbonCell {
    pub consumption_wh: u64,
    pub generation_wh: u64,
    /// Sum over the group's enterprises and hours of `max(0, consumption - own generation)`.
    pub grid_import_wh: u64,
    /// Sum over enterprises and hours of grid import x that hour's factor.
    pub emissions_ngco2: u128,
    /// Enterprise-hours with grid import priced with an hourly factor.
    pub hourly_factor_hours: u64,
    /// Enterprise-hours with grid import priced with the fallback factor.
    pub fallback_factor_hours: u64,
}

impl CarbonCell {
    fn add(&mut self, o: &CarbonCell) {
        self.consumption_wh += o.consumption_wh;
        self.generation_wh += o.generation_wh;
        self.grid_import_wh += o.grid_import_wh;
        self.emissions_ngco2 += o.emissions_ngco2;
        self.hourly_factor_hours += o.hourly_factor_hours;
        self.fallback_factor_hours += o.fallback_factor_hours;
    }
}

/// The electricity-carbon map: `cells[group * periods.len() + period]`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CarbonMap {
    pub periods: Periods,
    pub groups: usize,
    pub cells: Vec<CarbonCell>,
}

impl CarbonMap {
    pub fn cell(&self, group: usize, period: usize) -> &CarbonCell {
        &self.cells[group * self.periods.len() + period]
    }
}

/// Computes the carbon map: per enterprise and hour, grid import =
/// max(0, consumption - own generation) and emissions = grid import x the hour's factor of
/// the enterprise's region; groups sum their enterprises per period.
pub fn carbon_map(
    store: &ReadingStore,
    grid: HourGrid,
    resolution: Resolution,
    enterprises: &[EnterpriseMeters],
    factors: &[FactorSeries],
    groups: usize,
) -> Result<CarbonMap> {
    let periods = Periods::new(grid, resolution);
    let np = periods.len();
    struct Acc {
        cons: Vec<u64>,
        generation: Vec<u64>,
        import: Vec<u64>,
        cells: Vec<CarbonCell>,
    }
    let accs = par::fold(
        enterprises,
        || Acc {
            cons: vec![0; grid.hours],
            generation: vec![0; grid.hours],
            import: vec![0; grid.hours],
            cells: vec![CarbonCell::default(); groups * np],
        },
        |a, e| {
            a.cons.fill(0);
            a.generation.fill(0);
            add_meters(store, &e.consumption, grid, &mut a.cons)?;
            add_meters(store, &e.generation, grid, &mut a.generation)?;
            grid_import(&a.cons, &a.generation, &mut a.import);
            let f = &factors[e.factors];
            for p in 0..np {
                let r = periods.range(p);
                let cell = &mut a.cells[e.group * np + p];
                cell.consumption_wh += a.cons[r.clone()].iter().sum::<u64>();
                cell.generation_wh += a.generation[r.clone()].iter().sum::<u64>();
                for h in r {
                    let imp = a.import[h];
                    if imp == 0 {
                        continue;
                    }
                    cell.grid_import_wh += imp;
                    cell.emissions_ngco2 += imp as u128 * f.ng_per_wh[h] as u128;
                    if f.fallback[h] {
                        cell.fallback_factor_hours += 1;
                    } else {
                        cell.hourly_factor_hours += 1;
                    }
                }
            }
            Ok(())
        },
    )?;
    let mut cells = vec![CarbonCell::default(); groups * np];
    for a in accs {
        for (c, o) in cells.iter_mut().zip(&a.cells) {
            c.add(o);
        }
    }
    Ok(CarbonMap {
        periods,
        groups,
        cells,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn factors_parse_to_nanograms_per_wh() {
        assert_eq!(factor_ng_per_wh("0.5"), Some(500_000_000));
        assert_eq!(factor_ng_per_wh("0.5703"), Some(570_300_000));
        assert_eq!(factor_ng_per_wh("1"), Some(1_000_000_000));
        assert_eq!(factor_ng_per_wh(".25"), Some(250_000_000));
        assert_eq!(factor_ng_per_wh("0.1234567895"), Some(123_456_790));
        assert_eq!(factor_ng_per_wh("-0.5"), None);
        assert_eq!(factor_ng_per_wh("1e-3"), None);
        assert_eq!(factor_ng_per_wh(""), None);
    }
}
