//! A park's figures for the pages: its inventory (issued with pinned factors like `report
//! inventory`), its members, the monthly trend and the zero-carbon threshold, all within
//! the caller's access.

use crate::AppError;
use rust_decimal::Decimal;
use serde::Serialize;
use std::collections::{BTreeMap, HashMap};
use std::sync::{Arc, Mutex, MutexGuard};
use zp_accounting::{ActivityLine, GridFactorMode, Inventory, Options, aggregate, compute};
use zp_store::{Access, Designation, Org, OrgFilter, Park, Store};

/// Zero-carbon park core indicator (发改环资〔2025〕910号), read from the built-in 910
/// indicator set (`crates/evaluate/schemes/zero_carbon_park_910.toml`): the market-based
/// tCO2/tce threshold of the size band `energy_tce` falls in, so the overview and the
/// evaluation can never disagree.
pub fn zero_carbon_threshold(energy_tce: Decimal) -> Decimal {
    let scheme = zp_evaluate::builtin::zero_carbon_park();
    let threshold = scheme
        .indicators
        .iter()
        .find(|i| i.veto)
        .and_then(|i| i.threshold.as_ref());
    match threshold {
        Some(zp_evaluate::Threshold::Banded { bands, .. }) => bands
            .iter()
            .find(|b| b.contains(energy_tce))
            .map(|b| b.threshold),
        Some(zp_evaluate::Threshold::Fixed(t)) => Some(*t),
        None => None,
    }
    .expect("the built-in 910 set has a threshold for every size (its tests check it)")
}

/// Figures of one month, summed over the park (the park report's own type).
pub use zp_reports::park::MonthFigures;

/// A park's inventory with its members and monthly trend.
#[derive(Debug, Clone, Serialize)]
pub struct ParkView {
    pub park: Park,
    pub year: i32,
    pub years: Vec<i32>,
    pub inventory: Inventory,
    pub members: Vec<Inventory>,
    pub orgs: Vec<Org>,
    pub monthly: Vec<MonthFigures>,
    pub threshold_tco2_per_tce: Decimal,
    pub designations: Vec<Designation>,
}

/// Park views already computed, each kept with the store's data version at the time
/// ([`Store::data_version`], raised by every audited change, i.e. every change): a view is
/// served again only while nothing at all has changed since, so it is always the view a
/// fresh computation would give. Keyed by access, park, year and grid mode; at most
/// [`ViewCache::ENTRIES`] views (the whole cache is dropped when full). Requests for one key
/// compute one at a time, so after a change the first computes and the others wait for its
/// view instead of all computing at once. A server keeps one.
#[derive(Debug, Default)]
pub struct ViewCache {
    views: Mutex<HashMap<String, (i64, ParkView)>>,
    /// One gate per key: held while that key's view is computed.
    gates: Mutex<HashMap<String, Arc<Mutex<()>>>>,
}

/// Locks `m`; a panic elsewhere cannot leave a half-written entry (inserts are single calls).
fn lock<T>(m: &Mutex<T>) -> MutexGuard<'_, T> {
    m.lock().unwrap_or_else(|e| e.into_inner())
}

impl ViewCache {
    pub const ENTRIES: usize = 256;

    fn kept(&self, key: &str, version: i64) -> Option<ParkView> {
        lock(&self.views)
            .get(key)
            .filter(|(v, _)| *v == version)
            .map(|(_, view)| view.clone())
    }

    /// [`park_view`] for `caller`, served from the cache when the data has not changed
    /// since.
    pub fn park_view(
        &self,
        store: &mut dyn Store,
        caller: &crate::Caller,
        park: &str,
        year: Option<i32>,
        grid: GridFactorMode,
    ) -> Result<ParkView, AppError> {
        let access = &caller.access;
        let key = format!("{access:?}\u{1f}{park}\u{1f}{year:?}\u{1f}{}", grid.key());
        if let Some(view) = self.kept(&key, store.data_version()?) {
            return Ok(view);
        }
        let gate = lock(&self.gates).entry(key.clone()).or_default().clone();
        let _computing = lock(&gate);
        // Read before computing: a change during the computation raises the version past
        // the one kept with the view, so the next request computes again.
        let version = store.data_version()?;
        if let Some(view) = self.kept(&key, version) {
            return Ok(view);
        }
        let view = park_view(store, access, park, year, grid, &caller.actor)?;
        let mut views = lock(&self.views);
        if views.len() >= Self::ENTRIES {
            views.clear();
            lock(&self.gates).retain(|k, _| *k == key);
        }
        views.insert(key, (version, view.clone()));
        Ok(view)
    }
}

/// Computes the view of `park` for `year` (default: latest year with data) as `access`.
/// Inventories are issued with pinned factors like `report inventory` does.
pub fn park_view(
    store: &mut dyn Store,
    access: &Access,
    park: &str,
    year: Option<i32>,
    grid: GridFactorMode,
    actor: &str,
) -> Result<ParkView, AppError> {
    let park = store
        .park(access, park)?
        .ok_or_else(|| AppError::NotFound(format!("park {park:?}")))?;
    let years = store.activity_years(access)?;
    let orgs = store.orgs(
        access,
        &OrgFilter {
            park: Some(park.name.clone()),
            region: None,
        },
    )?;
    let year = match year {
        Some(y) => y,
        None => default_year(store, access, &orgs, &years)?,
    };
    let catalog = crate::catalog(store)?;
    // Read once per request, not once per enterprise: the registry (its whole signed
    // chain is verified on load) and each enterprise's ledger, which serves the year and
    // its months.
    let certs = crate::certs::stored_registry(store)?;
    let mut members = Vec::with_capacity(orgs.len());
    let mut months: BTreeMap<String, MonthFigures> = BTreeMap::new();
    for org in &orgs {
        let lines = crate::inventory::ledger_lines(store, access, &org.credit_code, year)?;
        let (input, notes) = crate::inventory::org_input_from(
            store,
            org.clone(),
            year,
            lines.clone(),
            certs.as_deref(),
        )?;
        let (inv, mut pins) = crate::inventory::issue(store, &catalog, input, notes, grid, actor)?;
        for m in monthly_from(&catalog, org, year, grid, lines, &mut pins)? {
            let e = months
                .entry(m.period.clone())
                .or_insert_with(|| MonthFigures {
                    period: m.period.clone(),
                    ..Default::default()
                });
            e.energy_tce += m.energy_tce;
            e.scope1_tco2 += m.scope1_tco2;
            e.scope2_location_tco2 += m.scope2_location_tco2;
            e.scope2_market_tco2 += m.scope2_market_tco2;
            e.electricity_mwh += m.electricity_mwh;
        }
        members.push(inv);
    }
    let inventory = aggregate("park", &park.name, year, &members);
    let designations = store.designations(access, Some(&park.name))?;
    Ok(ParkView {
        threshold_tco2_per_tce: zero_carbon_threshold(inventory.energy_tce),
        park,
        year,
        years,
        inventory,
        members,
        orgs,
        monthly: months.into_values().collect(),
        designations,
    })
}

/// The year a page opens on: the latest **complete** year, the one in which most of `orgs`
/// have ledger rows for all twelve months; among equals, the one in which most have any
/// rows, then the latest. So a half-reported current year, or a few enterprises reporting
/// early for the next one, never make the default. Falls back to last year when nothing
/// has data.
pub fn default_year(
    store: &mut dyn Store,
    access: &Access,
    orgs: &[Org],
    years: &[i32],
) -> Result<i32, AppError> {
    let mut best: Option<((usize, usize), i32)> = None;
    for &y in years {
        let (mut complete, mut any) = (0, 0);
        for o in orgs {
            let rows = store.activity(access, &o.credit_code, y)?;
            let months: std::collections::BTreeSet<u32> =
                rows.iter().map(|r| r.period.month()).collect();
            any += usize::from(!months.is_empty());
            complete += usize::from(months.len() == 12);
        }
        let rank = (complete, any);
        if best.is_none_or(|(br, by)| rank > br || (rank == br && y > by)) {
            best = Some((rank, y));
        }
    }
    Ok(best
        .map(|(_, y)| y)
        .unwrap_or_else(|| jiff::Zoned::now().year() as i32 - 1))
}

/// How many months of a year have figures (a year's page says "6/12 months" when this is
/// under 12, and marks its intensities as those of an incomplete year).
pub fn months_with_figures(monthly: &[MonthFigures]) -> usize {
    monthly
        .iter()
        .filter(|m| !m.energy_tce.is_zero() || !m.electricity_mwh.is_zero())
        .count()
}

/// Year-on-year (同比) and month-on-month (环比) changes of one monthly figure, in percent
/// to one place. Year on year compares the same months of both years (the months with
/// figures this year and the one before), so a part year is compared with the same part
/// of the last; month on month compares the latest month with figures with the one before
/// it. `None` where there is nothing to compare with (or it was zero).
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Changes {
    pub yoy_pct: Option<Decimal>,
    /// The months compared year on year (`01-06`), when not all twelve.
    pub yoy_months: Option<String>,
    pub mom_pct: Option<Decimal>,
    /// The month compared with the month before it (`2024-06`).
    pub mom_month: Option<String>,
}

fn pct_change(now: Decimal, before: Decimal) -> Option<Decimal> {
    (!before.is_zero()).then(|| ((now - before) / before * Decimal::ONE_HUNDRED).round_dp(1))
}

pub fn changes(
    current: &[MonthFigures],
    previous: &[MonthFigures],
    figure: fn(&MonthFigures) -> Decimal,
) -> Changes {
    let month = |m: &MonthFigures| m.period.get(5..7).unwrap_or_default().to_string();
    let with_figures: Vec<&MonthFigures> =
        current.iter().filter(|m| !figure(m).is_zero()).collect();
    let before: BTreeMap<String, Decimal> =
        previous.iter().map(|m| (month(m), figure(m))).collect();
    let shared: Vec<&&MonthFigures> = with_figures
        .iter()
        .filter(|m| before.get(&month(m)).is_some_and(|v| !v.is_zero()))
        .collect();
    let (now, then) = shared
        .iter()
        .fold((Decimal::ZERO, Decimal::ZERO), |(n, t), m| {
            (n + figure(m), t + before[&month(m)])
        });
    let yoy_months = (!shared.is_empty() && shared.len() < 12)
        .then(|| format!("{}-{}", month(shared[0]), month(shared[shared.len() - 1])));
    let (mom_pct, mom_month) = match with_figures.as_slice() {
        [.., a, b] => (pct_change(figure(b), figure(a)), Some(b.period.clone())),
        _ => (None, None),
    };
    Changes {
        yoy_pct: if shared.is_empty() {
            None
        } else {
            pct_change(now, then)
        },
        yoy_months,
        mom_pct,
        mom_month,
    }
}

/// The park a page opens on when none is asked for: the one with the most enterprises
/// (the first by name among equals), not merely the first by name.
pub fn busiest_park(
    store: &mut dyn Store,
    access: &Access,
    parks: &[Park],
) -> Result<Option<Park>, AppError> {
    // One read of the visible enterprises, counted by park.
    let mut counts: HashMap<String, usize> = HashMap::new();
    for o in store.orgs(access, &OrgFilter::default())? {
        if let Some(p) = o.park {
            *counts.entry(p).or_default() += 1;
        }
    }
    let mut best: Option<(usize, &Park)> = None;
    for p in parks {
        let n = counts.get(&p.name).copied().unwrap_or(0);
        if best.is_none_or(|(bn, _)| n > bn) {
            best = Some((n, p));
        }
    }
    Ok(best.map(|(_, p)| p.clone()))
}

/// An enterprise's figures month by month, with the factors its issued inventory is pinned
/// to (nothing is issued here). Certificates count in the month they were retired.
pub fn monthly(
    store: &mut dyn Store,
    access: &Access,
    catalog: &zp_factors::Catalog,
    org: &Org,
    year: i32,
    grid: GridFactorMode,
) -> Result<Vec<MonthFigures>, AppError> {
    let lines = crate::inventory::ledger_lines(store, access, &org.credit_code, year)?;
    let mut pins = store
        .issued(org.credit_code.as_str(), year, grid.key())?
        .map(|i| i.pins)
        .unwrap_or_default();
    monthly_from(catalog, org, year, grid, lines, &mut pins)
}

/// [`monthly`] from ledger lines already read, with the pins of the issued inventory.
fn monthly_from(
    catalog: &zp_factors::Catalog,
    org: &Org,
    year: i32,
    grid: GridFactorMode,
    lines: Vec<ActivityLine>,
    pins: &mut zp_factors::Pins,
) -> Result<Vec<MonthFigures>, AppError> {
    let mut by_month: BTreeMap<String, Vec<ActivityLine>> = BTreeMap::new();
    for line in lines {
        by_month
            .entry(line.period.to_string())
            .or_default()
            .push(line);
    }
    let mut out = Vec::with_capacity(by_month.len());
    for (period, lines) in by_month {
        let input = crate::product_energy::part_input(org, year, lines);
        let inv = compute(&input, catalog, pins, Options { grid }).map_err(AppError::from)?;
        out.push(MonthFigures {
            period,
            energy_tce: inv.energy_tce,
            scope1_tco2: inv.scope1_tco2,
            scope2_location_tco2: inv.scope2_location_tco2,
            scope2_market_tco2: inv.scope2_market_tco2,
            electricity_mwh: inv.electricity_mwh,
        });
    }
    Ok(out)
}

#[cfg(test)]
mod change_tests {
    use super::*;
    use rust_decimal_macros::dec;

    fn months(year: i32, values: &[(u32, Decimal)]) -> Vec<MonthFigures> {
        values
            .iter()
            .map(|(m, v)| MonthFigures {
                period: format!("{year}-{m:02}"),
                energy_tce: *v,
                ..Default::default()
            })
            .collect()
    }

    #[test]
    fn year_on_year_compares_the_same_months_and_month_on_month_the_last_two() {
        // 2024 has January to March; 2023 all year. Same months: (110 + 90 + 120) against
        // (100 + 100 + 100) = +6.7 %; March against February: 120 / 90 - 1 = +33.3 %.
        let this = months(2024, &[(1, dec!(110)), (2, dec!(90)), (3, dec!(120))]);
        let last = months(2023, &(1..=12).map(|m| (m, dec!(100))).collect::<Vec<_>>());
        let c = changes(&this, &last, |m| m.energy_tce);
        assert_eq!(c.yoy_pct, Some(dec!(6.7)));
        assert_eq!(c.yoy_months.as_deref(), Some("01-03"));
        assert_eq!(c.mom_pct, Some(dec!(33.3)));
        assert_eq!(c.mom_month.as_deref(), Some("2024-03"));
        // A whole year against a whole year names no months; no previous year, no 同比.
        let c = changes(&last, &last, |m| m.energy_tce);
        assert_eq!(
            (c.yoy_pct, c.yoy_months, c.mom_pct),
            (Some(dec!(0.0)), None, Some(dec!(0.0)))
        );
        let c = changes(&this, &[], |m| m.energy_tce);
        assert_eq!((c.yoy_pct, c.mom_pct), (None, Some(dec!(33.3))));
        // One month: nothing before it to compare.
        let c = changes(&this[..1], &[], |m| m.energy_tce);
        assert_eq!(c, Changes::default());
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn threshold_bands_come_from_the_910_set() {
        let t = |tce: i64| zero_carbon_threshold(Decimal::from(tce));
        assert_eq!(t(150_000), Decimal::new(20, 2)); // reference value, outside the set's scope
        assert_eq!(t(300_000), Decimal::new(20, 2));
        assert_eq!(t(999_999), Decimal::new(20, 2));
        assert_eq!(t(1_000_000), Decimal::new(30, 2));
    }
}
