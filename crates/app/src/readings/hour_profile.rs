//! The hour-of-day profile of the electricity-carbon map: for a year or one month of it,
//! each enterprise's grid import and its emissions at each hour of the day (00:00-01:00 ..
//! 23:00-24:00, Beijing time), summed over the period's days, and each region's mean
//! hourly grid factor at that hour. The map's hour slider shows it at every level.
//!
//! The figures are the carbon map's at hourly resolution ([`carbon_map`]), folded by the
//! hour of the day: an enterprise's 24 hours add up to its carbon map over the period, and
//! an hour's figure is the sum of the heatmap's row for that hour.

use super::{CarbonMapQuery, MapGroup, MapScope, carbon_map};
use crate::AppError;
use serde::Serialize;
use std::collections::BTreeMap;
use zp_domain::{Decimal, Region};
use zp_readings::{ReadingStore, Resolution};
use zp_store::{Access, OrgFilter, Store};

/// What a profile covers: the enterprises of a region, a park or one enterprise, or every
/// enterprise the caller sees.
#[derive(Debug, Clone)]
pub enum ProfileScope {
    All,
    Map(MapScope),
}

/// One enterprise's day, hour by hour.
#[derive(Debug, Clone, Serialize, schemars::JsonSchema)]
pub struct OrgHours {
    pub credit_code: String,
    pub name: String,
    pub region: String,
    pub park: Option<String>,
    /// Grid import (consumption minus own generation, hour by hour) at each hour of the
    /// day, summed over the period's days; index 0 is 00:00-01:00.
    pub grid_import_mwh: Vec<Decimal>,
    /// Its emissions (Scope 2, location-based: the hour's grid factor, the annual factor
    /// where the region has no hourly one).
    pub emissions_tco2: Vec<Decimal>,
}

/// A region's mean hourly grid factor at each hour of the day (regions without hourly
/// factors in the period are not listed: the annual factor applies there).
#[derive(Debug, Clone, Serialize, schemars::JsonSchema)]
pub struct RegionHours {
    pub region: String,
    /// Mean of the imported hourly factors at that hour over the period's days, to 4
    /// decimals; `None` at an hour with no hourly factor (the annual factor applies).
    pub grid_tco2_per_mwh: Vec<Option<f64>>,
    /// Hours of the period with an hourly factor.
    pub hourly_hours: usize,
}

/// The hour-of-day profile of a scope over a year or a month.
#[derive(Debug, Clone, Serialize, schemars::JsonSchema)]
pub struct HourProfile {
    pub year: i32,
    pub month: Option<u32>,
    pub from: String,
    pub to: String,
    pub orgs: Vec<OrgHours>,
    pub regions: Vec<RegionHours>,
    /// Enterprise-hours of grid import priced with the annual factor.
    pub fallback_hours: u64,
}

/// The local hour (0-23) of a carbon map period label `2023-07-10T10:00:00+08:00`.
fn hour_of_label(label: &str) -> Option<usize> {
    label
        .get(11..13)
        .and_then(|h| h.parse::<usize>().ok())
        .filter(|h| *h < 24)
}

/// The hour-of-day profile of `scope` over `year` (or its `month`), from the interval
/// readings; enterprises without readings are left out.
pub fn hour_profile(
    store: &mut dyn Store,
    access: &Access,
    readings: &ReadingStore,
    scope: &ProfileScope,
    year: i32,
    month: Option<u32>,
) -> Result<HourProfile, AppError> {
    let bad = |e: jiff::Error| AppError::Invalid(format!("year {year}, month {month:?}: {e}"));
    let y = i16::try_from(year).map_err(|_| AppError::Invalid(format!("year {year}")))?;
    let first = jiff::civil::Date::new(y, month.unwrap_or(1) as i8, 1).map_err(bad)?;
    let last = match month {
        Some(_) => first.last_of_month(),
        None => jiff::civil::Date::new(y, 12, 31).map_err(bad)?,
    };
    let scopes: Vec<MapScope> = match scope {
        ProfileScope::Map(s) => vec![s.clone()],
        // Every region the caller has an enterprise in.
        ProfileScope::All => {
            let mut regions: Vec<Region> = store
                .orgs(access, &OrgFilter::default())?
                .iter()
                .map(|o| o.region)
                .collect();
            regions.sort_by(|a, b| a.code().cmp(b.code()));
            regions.dedup();
            regions.into_iter().map(MapScope::Region).collect()
        }
    };
    let mut by_org: BTreeMap<String, OrgHours> = BTreeMap::new();
    // The regions whose hourly factors are averaged: every province for the whole
    // country, else the regions of the enterprises in scope.
    let mut regions: Vec<Region> = match scope {
        ProfileScope::All => Region::all().filter(|r| !r.is_national()).collect(),
        ProfileScope::Map(_) => Vec::new(),
    };
    let mut fallback_hours = 0;
    for s in scopes {
        let orgs = match &s {
            MapScope::Org(code) => store.org(access, code)?.into_iter().collect(),
            MapScope::Park(p) => store.orgs(
                access,
                &OrgFilter {
                    park: Some(p.clone()),
                    ..Default::default()
                },
            )?,
            MapScope::Region(r) => store.orgs(
                access,
                &OrgFilter {
                    region: Some(*r),
                    ..Default::default()
                },
            )?,
        };
        let map = carbon_map(
            store,
            access,
            readings,
            &CarbonMapQuery {
                scope: s,
                from: first.to_string(),
                to: last.to_string(),
                by: Resolution::Hour,
                group: MapGroup::Enterprise,
            },
        )?;
        let info: BTreeMap<String, &zp_store::Org> = orgs
            .iter()
            .map(|o| (o.credit_code.to_string(), o))
            .collect();
        for row in &map.rows {
            let hour = hour_of_label(&row.period).ok_or_else(|| {
                AppError::Invalid(format!("carbon map period {:?} has no hour", row.period))
            })?;
            let Some(o) = info.get(&row.group) else {
                continue;
            };
            let e = by_org.entry(row.group.clone()).or_insert_with(|| OrgHours {
                credit_code: row.group.clone(),
                name: row.name.clone(),
                region: o.region.code().to_string(),
                park: o.park.clone(),
                grid_import_mwh: vec![Decimal::ZERO; 24],
                emissions_tco2: vec![Decimal::ZERO; 24],
            });
            e.grid_import_mwh[hour] += row.grid_import_mwh;
            e.emissions_tco2[hour] += row.emissions_tco2;
            fallback_hours += row.fallback_hours;
        }
        for o in &orgs {
            if !regions.contains(&o.region) {
                regions.push(o.region);
            }
        }
    }
    regions.sort_by(|a, b| a.code().cmp(b.code()));
    let from = zp_domain::time::local_day_start(first);
    let to = zp_domain::time::local_day_start(last.tomorrow().map_err(bad)?);
    let mut region_hours = Vec::new();
    for region in regions {
        let mut sum = [0f64; 24];
        let mut n = [0usize; 24];
        for f in store.grid_hourly(region, from, to)? {
            let h = zp_domain::time::local(f.ts).hour() as usize;
            sum[h] += f.tco2_per_mwh;
            n[h] += 1;
        }
        if n.iter().all(|k| *k == 0) {
            continue;
        }
        region_hours.push(RegionHours {
            region: region.code().to_string(),
            grid_tco2_per_mwh: (0..24)
                .map(|h| (n[h] > 0).then(|| (sum[h] / n[h] as f64 * 1e4).round() / 1e4))
                .collect(),
            hourly_hours: n.iter().sum(),
        });
    }
    Ok(HourProfile {
        year,
        month,
        from: first.to_string(),
        to: last.to_string(),
        orgs: by_org.into_values().collect(),
        regions: region_hours,
        fallback_hours,
    })
}

#[cfg(test)]
mod tests {
    use super::hour_of_label;

    #[test]
    fn the_hour_is_read_from_the_local_label() {
        assert_eq!(hour_of_label("2023-07-10T10:00:00+08:00"), Some(10));
        assert_eq!(hour_of_label("2023-07-10T00:00:00+08:00"), Some(0));
        assert_eq!(hour_of_label("2023-07-10T23:00:00+08:00"), Some(23));
        assert_eq!(hour_of_label("2023-07-10"), None);
        assert_eq!(hour_of_label("2023-07-10T24:00:00+08:00"), None);
    }
}
