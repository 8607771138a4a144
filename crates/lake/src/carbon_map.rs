//! The electricity-carbon map (电碳地图) over the lake, as one SQL plan ([`carbon_map_sql`])
//! that DataFusion runs in-process and Ballista runs on a cluster, unchanged.
//!
//! Same semantics as the native engine (`zp_app::readings::carbon_map`): top meters only;
//! per enterprise and hour, load = consumption + battery charge and own supply =
//! generation + battery discharge; grid import = max(0, load - own supply) per hour;
//! emissions = grid import x the hour's factor of the enterprise's region (the imported
//! hourly factor, else the catalog's annual factor of the hour's local year, else 0);
//! groups sum their enterprises per local hour, day or month; a group-period with neither
//! consumption nor generation is not a row. Energy sums are exact integers (Wh) and
//! emissions an exact DECIMAL(38,0) of ngCO2, as in the native engine.

use crate::plan::{collect, context, i64s, i128s, quote, register, runtime, strs};
use crate::{Engine, LakeError};
use datafusion::prelude::SessionContext;
use std::path::Path;
use zp_app::grid_factors::AnnualGridFactor;
use zp_app::readings::{CarbonMap, CarbonMapQuery, MapFactor, MapFigures, MapGroup, MapScope};
use zp_domain::Decimal;
use zp_readings::HourGrid;

/// The scope as a condition on `orgs o`.
fn scope_sql(scope: &MapScope) -> String {
    match scope {
        MapScope::Org(c) => format!("o.credit_code = {}", quote(c.as_str())),
        MapScope::Park(p) => format!("o.park = {}", quote(p)),
        MapScope::Region(r) => format!("o.region = {}", quote(r.code())),
    }
}

/// The plan's text with `{placeholders}` (`carbon_map.sql`).
const CARBON_MAP_SQL: &str = include_str!("carbon_map.sql");

/// The carbon map's plan over the lake's tables (`orgs`, `meters`, `readings`,
/// `grid_hourly`, `grid_annual`) for the UTC window `[start, end)`: one row per group and
/// period start (UTC epoch seconds of the local hour, day or month).
pub fn carbon_map_sql(q: &CarbonMapQuery, start: i64, end: i64) -> String {
    let (key, name) = match q.group {
        MapGroup::Enterprise => ("e.credit_code", "e.name"),
        MapGroup::Park => ("e.park", "e.park"),
        MapGroup::Industry => ("e.industry", "e.industry"),
    };
    // Local (UTC+8) period starts, as UTC epoch seconds.
    let period = match q.by {
        zp_readings::Resolution::Hour => "p.hour",
        zp_readings::Resolution::Day => "p.hour - ((p.hour + 28800) % 86400)",
        zp_readings::Resolution::Month => {
            "CAST(to_unixtime(date_trunc('month', to_timestamp_seconds(p.hour + 28800))) AS BIGINT) - 28800"
        }
    };
    CARBON_MAP_SQL
        .replace("{scope}", &scope_sql(&q.scope))
        .replace("{start}", &start.to_string())
        .replace("{end}", &end.to_string())
        .replace("{key}", key)
        .replace("{name}", name)
        .replace("{period}", period)
}

/// A sum the plan computes, which cannot be negative (the lake's energies are whole
/// non-negative Wh): refused by name if it is.
fn unsigned<T: TryInto<U> + Copy + std::fmt::Display, U>(
    v: T,
    what: &str,
    of: &dyn Fn() -> String,
) -> Result<U, LakeError> {
    v.try_into()
        .map_err(|_| LakeError::Invalid(format!("{what} of {} is negative: {v}", of())))
}

/// The carbon map of `q` computed by `engine` over the lake in `lake` (written by
/// [`crate::export_lake`]). Rows and totals are those of the native engine; `factors`
/// lists the lake's factors of the regions in scope.
pub fn lake_carbon_map(
    lake: &Path,
    engine: &Engine,
    q: &CarbonMapQuery,
) -> Result<CarbonMap, LakeError> {
    let grid = HourGrid::days_inclusive(&q.from, &q.to).ok_or_else(|| {
        LakeError::Invalid(format!(
            "--from {} --to {}: dates YYYY-MM-DD with from <= to",
            q.from, q.to
        ))
    })?;
    runtime()?.block_on(async {
        let ctx = context(engine).await?;
        register(&ctx, lake).await?;
        run(&ctx, grid, q).await
    })
}

async fn run(
    ctx: &SessionContext,
    grid: HourGrid,
    q: &CarbonMapQuery,
) -> Result<CarbonMap, LakeError> {
    let (start, end) = (grid.start, grid.end());
    let scope = scope_sql(&q.scope);
    // The enterprises in scope and their regions.
    let mut orgs = Vec::new();
    for b in collect(
        ctx,
        &format!("SELECT o.credit_code, o.region FROM orgs o WHERE {scope}"),
    )
    .await?
    {
        orgs.extend(
            strs(&b, "credit_code")?
                .into_iter()
                .zip(strs(&b, "region")?),
        );
    }
    let scope_label = match &q.scope {
        MapScope::Org(c) => format!("org {c}"),
        MapScope::Park(p) => format!("park {p}"),
        MapScope::Region(r) => format!("region {r}"),
    };
    if orgs.is_empty() && !matches!(q.scope, MapScope::Region(_)) {
        return Err(LakeError::NotFound(format!(
            "{scope_label} has no enterprise in the lake"
        )));
    }
    let mut meters = 0;
    for b in collect(
        ctx,
        &format!(
            "SELECT COUNT(*) AS n FROM meters m JOIN orgs o ON m.credit_code = o.credit_code WHERE {scope}"
        ),
    )
    .await?
    {
        meters += i64s(&b, "n")?.iter().sum::<i64>() as usize;
    }

    // The map itself.
    let mut rows = Vec::new();
    let mut totals = MapFigures::default();
    for b in collect(ctx, &carbon_map_sql(q, start, end)).await? {
        let (grp, name, period) = (
            strs(&b, "grp")?,
            strs(&b, "name")?,
            i64s(&b, "period_start")?,
        );
        let (cons, generation, import) = (
            i64s(&b, "consumption_wh")?,
            i64s(&b, "generation_wh")?,
            i64s(&b, "grid_import_wh")?,
        );
        let ng = i128s(&b, "emissions_ngco2")?;
        let (hourly, fallback) = (i64s(&b, "hourly_hours")?, i64s(&b, "fallback_hours")?);
        for i in 0..b.num_rows() {
            let what = || format!("group {} at {}", grp[i], q.by.label(period[i]));
            let cell = MapFigures {
                consumption_wh: unsigned(cons[i], "consumption", &what)?,
                generation_wh: unsigned(generation[i], "generation", &what)?,
                grid_import_wh: unsigned(import[i], "grid import", &what)?,
                emissions_ngco2: unsigned(ng[i], "emissions", &what)?,
                hourly_hours: unsigned(hourly[i], "hourly hours", &what)?,
                fallback_hours: unsigned(fallback[i], "fallback hours", &what)?,
            };
            totals.add(&cell);
            rows.push(cell.row(grp[i].clone(), name[i].clone(), q.by.label(period[i])));
        }
    }
    rows.sort_by(|a, b| a.group.cmp(&b.group));

    // The factors of the regions in scope.
    let regions: std::collections::BTreeSet<String> = orgs.iter().map(|(_, r)| r.clone()).collect();
    let mut factors = Vec::new();
    let mut notes = Vec::new();
    for region in regions {
        let r = quote(&region);
        let mut hourly_hours = 0usize;
        for b in collect(
            ctx,
            &format!(
                "SELECT COUNT(DISTINCT ts) AS n FROM grid_hourly WHERE region = {r} AND ts >= {start} AND ts < {end}"
            ),
        )
        .await?
        {
            hourly_hours += i64s(&b, "n")?.iter().sum::<i64>() as usize;
        }
        let mut annual = Vec::new();
        for b in collect(
            ctx,
            &format!(
                "SELECT factor_id, ng_per_wh, note FROM grid_annual WHERE region = {r} \
                 AND year_end > {start} AND year_start < {end} ORDER BY year_start"
            ),
        )
        .await?
        {
            let (ids, ngs, notes) = (
                strs(&b, "factor_id")?,
                i64s(&b, "ng_per_wh")?,
                strs(&b, "note")?,
            );
            for i in 0..b.num_rows() {
                annual.push(AnnualGridFactor {
                    id: ids[i].clone(),
                    tco2_per_mwh: Decimal::new(ngs[i], 9).normalize(),
                    note: (!notes[i].is_empty()).then(|| notes[i].clone()),
                });
            }
        }
        let factor = MapFactor {
            region,
            hourly_hours,
            fallback_hours: grid.hours.saturating_sub(hourly_hours),
            annual,
        };
        notes.extend(factor.note());
        factors.push(factor);
    }
    Ok(CarbonMap {
        scope: scope_label,
        from: q.from.clone(),
        to: q.to.clone(),
        by: q.by.key(),
        group: q.group.key(),
        rows,
        totals: totals.totals(),
        fallback_hours: factors.iter().map(|f| f.fallback_hours).sum(),
        factors,
        enterprises: orgs.len(),
        meters,
        notes,
    })
}
