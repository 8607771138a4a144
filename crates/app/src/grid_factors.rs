//! A region's grid factors over a window, as the carbon map and the flexibility planner
//! both use them: the imported hourly factors (逐时因子) where there are any, else the
//! region's annual location factor of the catalog for the hour's local year. One function,
//! so a plan's carbon and the map's carbon of the same hour are the same number.

use crate::AppError;
use serde::Serialize;
use std::str::FromStr;
use zp_domain::time::format_local;
use zp_domain::{Decimal, Region};
use zp_factors::{Catalog, Slot};
use zp_readings::calendar::local_year;
use zp_store::Store;

/// The catalog's annual location factor used for hours without an hourly one.
#[derive(Debug, Clone, Serialize, schemars::JsonSchema)]
pub struct AnnualGridFactor {
    pub id: String,
    pub tco2_per_mwh: Decimal,
    pub note: Option<String>,
}

/// A region's factors over `[from, to)`.
#[derive(Debug, Clone)]
pub struct RegionGridFactors {
    pub region: Region,
    /// The annual factor of each local year the window touches, in order.
    pub annual: Vec<(i32, AnnualGridFactor)>,
    /// Imported hourly factors: (hour start, tCO2/MWh), in time order.
    pub hourly: Vec<(i64, Decimal)>,
    /// The carbon-free share of the grid mix where the hourly import gives one, 0..=1.
    pub cfe_share: Vec<(i64, Decimal)>,
}

impl RegionGridFactors {
    /// The factor of each hour of `[from, from + 3600 x hours)` and whether it is an hourly
    /// one (`false`: the annual factor of its year applies).
    pub fn per_hour(&self, from: i64, hours: usize) -> Vec<(Decimal, bool)> {
        let mut out: Vec<(Decimal, bool)> = (0..hours)
            .map(|i| {
                let year = local_year(from + i as i64 * 3600);
                let annual = self
                    .annual
                    .iter()
                    .find(|(y, _)| *y == year)
                    .or(self.annual.last())
                    .map(|(_, f)| f.tco2_per_mwh)
                    .unwrap_or_default();
                (annual, false)
            })
            .collect();
        for (ts, f) in &self.hourly {
            let i = (ts - from).div_euclid(3600);
            if (0..hours as i64).contains(&i) {
                out[i as usize] = (*f, true);
            }
        }
        out
    }
}

/// Reads the factors of `region` over `[from, to)` (UTC epoch seconds).
pub fn region_grid_factors(
    store: &mut dyn Store,
    catalog: &Catalog,
    region: Region,
    from: i64,
    to: i64,
) -> Result<RegionGridFactors, AppError> {
    let mut annual = Vec::new();
    for year in local_year(from)..=local_year((to - 1).max(from)) {
        let sel = catalog.select(Slot::LocationGrid { region, year })?;
        annual.push((
            year,
            AnnualGridFactor {
                id: sel.factor.id.clone(),
                tco2_per_mwh: sel.factor.value,
                note: sel.note.clone(),
            },
        ));
    }
    let rows = store.grid_hourly(region, from, to)?;
    let cfe_share = rows
        .iter()
        .filter_map(|h| {
            h.cfe_share
                .and_then(|c| Decimal::try_from(c).ok())
                .map(|c| (h.ts, c))
        })
        .collect();
    let hourly = rows
        .into_iter()
        .map(|h| {
            let text = h.tco2_per_mwh.to_string();
            Decimal::from_str(&text).map(|d| (h.ts, d)).map_err(|_| {
                AppError::Invalid(format!(
                    "hourly factor {text} tCO2/MWh of {region} at {} is not usable",
                    format_local(h.ts)
                ))
            })
        })
        .collect::<Result<_, _>>()?;
    Ok(RegionGridFactors {
        region,
        annual,
        hourly,
        cfe_share,
    })
}
