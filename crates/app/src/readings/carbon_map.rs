//! The electricity-carbon map (电碳地图): per enterprise and hour, grid import against own
//! generation, times the hour's grid factor of its region, summed by group and period. The
//! store reads ([`carbon_map_inputs`]) are apart from the computation
//! ([`carbon_map_compute`]), so a server holds no connection while it computes.

use super::store_err;
use crate::AppError;
use crate::grid_factors::AnnualGridFactor;
use serde::Serialize;
use std::collections::{BTreeMap, HashMap};
use zp_domain::{CreditCode, Decimal, Region};
use zp_readings::{EnterpriseMeters, FactorSeries, HourGrid, ReadingStore, Resolution};
use zp_store::{Access, MeterFilter, MeterKind, OrgFilter, Store};

/// What a carbon map covers.
#[derive(Debug, Clone)]
pub enum MapScope {
    Org(CreditCode),
    Park(String),
    Region(Region),
}

/// How rows are grouped.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum MapGroup {
    Enterprise,
    Park,
    Industry,
}

impl MapGroup {
    pub fn key(self) -> &'static str {
        match self {
            MapGroup::Enterprise => "enterprise",
            MapGroup::Park => "park",
            MapGroup::Industry => "industry",
        }
    }
}

/// A carbon map request: local days `from ..= to` (`YYYY-MM-DD`, `to` inclusive).
#[derive(Debug, Clone)]
pub struct CarbonMapQuery {
    pub scope: MapScope,
    pub from: String,
    pub to: String,
    pub by: Resolution,
    pub group: MapGroup,
}

/// One group in one period.
#[derive(Debug, Clone, Serialize, schemars::JsonSchema)]
pub struct CarbonMapRow {
    /// Credit code, park name or industry code.
    pub group: String,
    /// Enterprise name, park name or industry code.
    pub name: String,
    /// `2023-07-10T10:00:00+08:00`, `2023-07-10` or `2023-07`.
    pub period: String,
    pub consumption_mwh: Decimal,
    pub generation_mwh: Decimal,
    pub grid_import_mwh: Decimal,
    pub emissions_tco2: Decimal,
    /// `hourly` (every hour of grid import priced with an hourly factor), `annual` (all
    /// with the region's annual factor), `mixed`, or `none` (no grid import).
    pub factor_source: &'static str,
    /// Enterprise-hours of grid import priced with the annual factor.
    pub fallback_hours: u64,
}

/// Factors used for one region.
#[derive(Debug, Clone, Serialize, schemars::JsonSchema)]
pub struct MapFactor {
    pub region: String,
    /// Hours of the window with an hourly factor (`import grid-hourly`).
    pub hourly_hours: usize,
    /// Hours priced with the annual factor instead.
    pub fallback_hours: usize,
    /// Catalog factors used as the fallback (id, value tCO2/MWh, note).
    pub annual: Vec<AnnualGridFactor>,
}

/// Totals over all rows.
#[derive(Debug, Clone, Default, Serialize, schemars::JsonSchema)]
pub struct CarbonMapTotals {
    pub consumption_mwh: Decimal,
    pub generation_mwh: Decimal,
    pub grid_import_mwh: Decimal,
    pub emissions_tco2: Decimal,
}

/// The electricity-carbon map of a scope.
#[derive(Debug, Clone, Serialize, schemars::JsonSchema)]
pub struct CarbonMap {
    pub scope: String,
    pub from: String,
    pub to: String,
    pub by: &'static str,
    pub group: &'static str,
    pub rows: Vec<CarbonMapRow>,
    pub totals: CarbonMapTotals,
    /// Hours of the window (summed over regions) without an hourly factor.
    pub fallback_hours: usize,
    pub factors: Vec<MapFactor>,
    pub enterprises: usize,
    pub meters: usize,
    pub notes: Vec<String>,
}

fn mwh(wh: u64) -> Decimal {
    Decimal::new(wh as i64, 6).normalize()
}

fn tco2(ng: u128) -> Decimal {
    Decimal::from_i128_with_scale(ng as i128, 15).normalize()
}

/// The exact figures of one group and period, or a sum of them, as every engine computes
/// them (whole Wh, ngCO2, enterprise-hours): a map's rows and totals are made from these
/// alone, so the engines cannot differ in units, rounding or labels.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct MapFigures {
    pub consumption_wh: u64,
    pub generation_wh: u64,
    pub grid_import_wh: u64,
    pub emissions_ngco2: u128,
    /// Enterprise-hours of grid import priced with an hourly factor.
    pub hourly_hours: u64,
    /// Enterprise-hours of grid import priced with the annual factor.
    pub fallback_hours: u64,
}

impl MapFigures {
    /// Neither consumption nor generation: not a row of the map.
    pub fn is_empty(&self) -> bool {
        self.consumption_wh == 0 && self.generation_wh == 0
    }

    pub fn add(&mut self, o: &MapFigures) {
        self.consumption_wh += o.consumption_wh;
        self.generation_wh += o.generation_wh;
        self.grid_import_wh += o.grid_import_wh;
        self.emissions_ngco2 += o.emissions_ngco2;
        self.hourly_hours += o.hourly_hours;
        self.fallback_hours += o.fallback_hours;
    }

    /// The row of group `group` (`name`) in the period labelled `period`.
    pub fn row(&self, group: String, name: String, period: String) -> CarbonMapRow {
        CarbonMapRow {
            group,
            name,
            period,
            consumption_mwh: mwh(self.consumption_wh),
            generation_mwh: mwh(self.generation_wh),
            grid_import_mwh: mwh(self.grid_import_wh),
            emissions_tco2: tco2(self.emissions_ngco2),
            factor_source: match (self.hourly_hours, self.fallback_hours) {
                (0, 0) => "none",
                (_, 0) => "hourly",
                (0, _) => "annual",
                _ => "mixed",
            },
            fallback_hours: self.fallback_hours,
        }
    }

    pub fn totals(&self) -> CarbonMapTotals {
        CarbonMapTotals {
            consumption_mwh: mwh(self.consumption_wh),
            generation_mwh: mwh(self.generation_wh),
            grid_import_mwh: mwh(self.grid_import_wh),
            emissions_tco2: tco2(self.emissions_ngco2),
        }
    }
}

impl MapFactor {
    /// The note a map carries when some of the region's `hourly_hours + fallback_hours`
    /// hours have no hourly factor.
    pub fn note(&self) -> Option<String> {
        (self.fallback_hours > 0).then(|| {
            format!(
                "{}: {} of {} hours have no hourly grid factor; the annual factor {} applies there",
                self.region,
                self.fallback_hours,
                self.hourly_hours + self.fallback_hours,
                self.annual
                    .iter()
                    .map(|a| a.id.as_str())
                    .collect::<Vec<_>>()
                    .join(", ")
            )
        })
    }
}

/// `zeropark report carbon-map`: per enterprise and hour, grid import =
/// max(0, consumption - own generation) and emissions = grid import x that hour's factor
/// of the enterprise's region (hourly factor where imported, else the region's annual
/// factor from the catalog, reported); groups sum their enterprises per period.
///
/// The two halves, [`carbon_map_inputs`] (store reads) and [`carbon_map_compute`] (no
/// store), let a server hand its connection back before the computation.
pub fn carbon_map(
    store: &mut dyn Store,
    access: &Access,
    readings: &ReadingStore,
    q: &CarbonMapQuery,
) -> Result<CarbonMap, AppError> {
    let inputs = carbon_map_inputs(store, access, q)?;
    carbon_map_compute(readings, inputs)
}

/// What a carbon map reads from the SQL store: the enterprises and meters in scope and the
/// grid factors of their regions over the window. Owns its data: the connection it was
/// read with is free again while [`carbon_map_compute`] runs.
#[derive(Debug, Clone)]
pub struct CarbonMapInputs {
    query: CarbonMapQuery,
    grid: HourGrid,
    scope: String,
    orgs: Vec<zp_store::Org>,
    meters: Vec<zp_store::Meter>,
    regions: Vec<RegionFactors>,
}

/// A region's factors over a carbon map's window: the annual factor of each local year it
/// touches and the imported hourly factors, both as ngCO2/Wh.
#[derive(Debug, Clone)]
struct RegionFactors {
    region: Region,
    /// (local year, ngCO2/Wh, the catalog's factor)
    annual: Vec<(i32, u64, AnnualGridFactor)>,
    /// (hour start, ngCO2/Wh)
    hourly: Vec<(i64, u64)>,
}

/// The store half of [`carbon_map`]: checks the scope and window and reads everything the
/// computation needs.
pub fn carbon_map_inputs(
    store: &mut dyn Store,
    access: &Access,
    q: &CarbonMapQuery,
) -> Result<CarbonMapInputs, AppError> {
    let grid = HourGrid::days_inclusive(&q.from, &q.to).ok_or_else(|| {
        AppError::Invalid(format!(
            "--from {} --to {}: dates YYYY-MM-DD with from <= to",
            q.from, q.to
        ))
    })?;
    let (orgs, filter, scope) = match &q.scope {
        MapScope::Org(code) => {
            let org = store.org(access, code)?.ok_or_else(|| {
                AppError::NotFound(format!(
                    "enterprise {code} is not registered (or not visible to you)"
                ))
            })?;
            let f = MeterFilter {
                org: Some(code.clone()),
                ..Default::default()
            };
            (vec![org], f, format!("org {code}"))
        }
        MapScope::Park(name) => {
            if store.park(access, name)?.is_none() {
                return Err(AppError::NotFound(format!(
                    "park {name:?} does not exist (or is not visible to you)"
                )));
            }
            let orgs = store.orgs(
                access,
                &OrgFilter {
                    park: Some(name.clone()),
                    ..Default::default()
                },
            )?;
            let f = MeterFilter {
                park: Some(name.clone()),
                ..Default::default()
            };
            (orgs, f, format!("park {name}"))
        }
        MapScope::Region(r) => {
            let orgs = store.orgs(
                access,
                &OrgFilter {
                    region: Some(*r),
                    ..Default::default()
                },
            )?;
            let f = MeterFilter {
                region: Some(*r),
                ..Default::default()
            };
            (orgs, f, format!("region {r}"))
        }
    };
    let meters = store.meters(access, &filter)?;
    let catalog = crate::catalog(store)?;
    let mut codes: Vec<Region> = orgs.iter().map(|o| o.region).collect();
    codes.sort_by_key(|r| r.code().to_string());
    codes.dedup();
    let mut regions = Vec::new();
    for region in codes {
        let f = crate::grid_factors::region_grid_factors(
            store,
            &catalog,
            region,
            grid.start,
            grid.end(),
        )?;
        let ng = |text: String, what: &dyn Fn() -> String| {
            zp_readings::factor_ng_per_wh(&text)
                .ok_or_else(|| AppError::Invalid(format!("{} is not usable", what())))
        };
        let annual = f
            .annual
            .into_iter()
            .map(|(year, a)| {
                let n = ng(a.tco2_per_mwh.to_string(), &|| format!("factor {}", a.id))?;
                Ok((year, n, a))
            })
            .collect::<Result<_, AppError>>()?;
        let hourly = f
            .hourly
            .into_iter()
            .map(|(ts, d)| {
                let n = ng(d.to_string(), &|| {
                    format!(
                        "hourly factor {d} tCO2/MWh of {region} at {}",
                        zp_domain::time::format_local(ts)
                    )
                })?;
                Ok((ts, n))
            })
            .collect::<Result<_, AppError>>()?;
        regions.push(RegionFactors {
            region,
            annual,
            hourly,
        });
    }
    Ok(CarbonMapInputs {
        query: q.clone(),
        grid,
        scope,
        orgs,
        meters,
        regions,
    })
}

/// Sets the hours of `grid` inside the local year `[year_start, year_end)` to `ng`; returns
/// how many hours it set. Each hour of the window belongs to one year, so filling every
/// year of a window touches each hour once: work linear in the window (it was hours x years,
/// 5 s for 1,000 years, issue 22 #20).
fn fill_year(
    s: &mut FactorSeries,
    grid: HourGrid,
    (year_start, year_end): (i64, i64),
    ng: u64,
) -> usize {
    let hour = |t: i64| (t.clamp(grid.start, grid.end()) - grid.start) as usize / 3600;
    let (a, b) = (hour(year_start), hour(year_end));
    s.ng_per_wh[a..b].fill(ng);
    b - a
}

/// The computation half of [`carbon_map`]: factor series, hour-by-hour balances and
/// groups, reading the readings store only.
pub fn carbon_map_compute(
    readings: &ReadingStore,
    inputs: CarbonMapInputs,
) -> Result<CarbonMap, AppError> {
    let CarbonMapInputs {
        query: q,
        grid,
        scope,
        orgs,
        meters,
        regions: region_factors,
    } = inputs;
    let q = &q;
    // Factor series per region: hourly where imported, the annual factor elsewhere.
    let regions: Vec<Region> = region_factors.iter().map(|r| r.region).collect();
    let mut series = Vec::new();
    let mut factors = Vec::new();
    let mut notes = Vec::new();
    for rf in region_factors {
        let region = rf.region;
        let mut s = FactorSeries::fallback(grid, 0);
        let mut annual = Vec::new();
        for (year, ng, factor) in rf.annual {
            fill_year(&mut s, grid, zp_readings::calendar::year_bounds(year), ng);
            annual.push(factor);
        }
        for (ts, ng) in rf.hourly {
            s.set_hourly(grid, ts, ng);
        }
        let fallback_hours = s.fallback_hours();
        let factor = MapFactor {
            region: region.code().to_string(),
            hourly_hours: grid.hours - fallback_hours,
            fallback_hours,
            annual,
        };
        notes.extend(factor.note());
        factors.push(factor);
        series.push(s);
    }

    // Groups and enterprises.
    let mut group_keys: Vec<(String, String)> = Vec::new();
    let mut group_ix: HashMap<String, usize> = HashMap::new();
    let mut by_org: BTreeMap<String, EnterpriseMeters> = BTreeMap::new();
    for o in &orgs {
        let (key, name) = match q.group {
            MapGroup::Enterprise => (o.credit_code.to_string(), o.name.clone()),
            MapGroup::Park => {
                let p = o.park.clone().unwrap_or_else(|| "(no park)".into());
                (p.clone(), p)
            }
            MapGroup::Industry => (o.industry.clone(), o.industry.clone()),
        };
        let g = *group_ix.entry(key.clone()).or_insert_with(|| {
            group_keys.push((key, name));
            group_keys.len() - 1
        });
        let f = regions
            .iter()
            .position(|r| *r == o.region)
            .expect("region listed");
        by_org.insert(
            o.credit_code.to_string(),
            EnterpriseMeters {
                consumption: Vec::new(),
                generation: Vec::new(),
                group: g,
                factors: f,
            },
        );
    }
    for m in meters.iter().filter(|m| m.is_top()) {
        if let Some(e) = by_org.get_mut(m.credit_code.as_str()) {
            match m.kind {
                // A battery's charge is load and its discharge supplies load: with them
                // the hour's balance is the site's real grid import.
                MeterKind::Consumption | MeterKind::BatteryCharge => {
                    e.consumption.push(m.meter.clone())
                }
                MeterKind::Generation | MeterKind::BatteryDischarge => {
                    e.generation.push(m.meter.clone())
                }
            }
        }
    }
    let batteries = meters
        .iter()
        .filter(|m| {
            matches!(
                m.kind,
                MeterKind::BatteryCharge | MeterKind::BatteryDischarge
            )
        })
        .count();
    if batteries > 0 {
        notes.push(format!(
            "{batteries} battery meter(s): charge counts as load and discharge as on-site supply, so grid import is the sites' real one; own generation includes battery discharge"
        ));
    }
    let without = by_org
        .values()
        .filter(|e| e.consumption.is_empty() && e.generation.is_empty())
        .count();
    if without > 0 {
        notes.push(format!(
            "{without} of {} enterprises in scope have no meters",
            by_org.len()
        ));
    }
    let enterprises: Vec<EnterpriseMeters> = by_org.into_values().collect();
    let map = zp_readings::carbon_map(
        readings,
        grid,
        q.by,
        &enterprises,
        &series,
        group_keys.len(),
    )
    .map_err(store_err)?;

    let mut rows = Vec::new();
    let mut totals = MapFigures::default();
    let mut order: Vec<usize> = (0..group_keys.len()).collect();
    order.sort_by(|a, b| group_keys[*a].0.cmp(&group_keys[*b].0));
    for g in order {
        for p in 0..map.periods.len() {
            let c = map.cell(g, p);
            let cell = MapFigures {
                consumption_wh: c.consumption_wh,
                generation_wh: c.generation_wh,
                grid_import_wh: c.grid_import_wh,
                emissions_ngco2: c.emissions_ngco2,
                hourly_hours: c.hourly_factor_hours,
                fallback_hours: c.fallback_factor_hours,
            };
            if cell.is_empty() {
                continue;
            }
            totals.add(&cell);
            let (key, name) = &group_keys[g];
            rows.push(cell.row(key.clone(), name.clone(), map.periods.label(p)));
        }
    }
    Ok(CarbonMap {
        scope,
        from: q.from.clone(),
        to: q.to.clone(),
        by: q.by.key(),
        group: q.group.key(),
        rows,
        totals: totals.totals(),
        fallback_hours: factors.iter().map(|f| f.fallback_hours).sum(),
        factors,
        enterprises: enterprises.len(),
        meters: meters.len(),
        notes,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use zp_readings::calendar::{local_year, year_bounds};

    /// Issue 22 #20: the annual factors of a ten-year window are laid over its hours with
    /// each hour written once (before, every year walked every hour of the window: work
    /// grew with years x hours, 5 s for 1,000 years).
    #[test]
    fn annual_factor_fill_is_linear_in_the_window() {
        // 2021-01-01 ..= 2030-12-31: 3,652 days (leap days in 2024 and 2028), 87,648 hours.
        let grid = HourGrid::days_inclusive("2021-01-01", "2030-12-31").unwrap();
        assert_eq!(grid.hours, 87_648);
        let mut s = FactorSeries::fallback(grid, 0);
        let touched: Vec<usize> = (2021..=2030)
            .map(|y| fill_year(&mut s, grid, year_bounds(y), y as u64))
            .collect();
        // 8,760 hours a year, 8,784 in a leap year.
        assert_eq!(
            touched,
            [8760, 8760, 8760, 8784, 8760, 8760, 8760, 8784, 8760, 8760]
        );
        assert_eq!(touched.iter().sum::<usize>(), grid.hours);
        // Every hour holds its own local year's value.
        for h in 0..grid.hours {
            assert_eq!(s.ng_per_wh[h], local_year(grid.hour_start(h)) as u64, "{h}");
        }
        // Years outside the window touch nothing; one straddling its start only its part.
        assert_eq!(fill_year(&mut s, grid, year_bounds(2031), 1), 0);
        let half = HourGrid::days_inclusive("2020-12-31", "2021-01-01").unwrap();
        let mut t = FactorSeries::fallback(half, 0);
        assert_eq!(fill_year(&mut t, half, year_bounds(2020), 7), 24);
        assert_eq!(fill_year(&mut t, half, year_bounds(2021), 8), 24);
        assert_eq!((t.ng_per_wh[23], t.ng_per_wh[24]), (7, 8));
    }
}
