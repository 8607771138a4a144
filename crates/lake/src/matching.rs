//! Hourly certificate matching (24/7 CFE, 逐时匹配) over the lake, as one SQL plan
//! ([`matching_sql`]) that DataFusion runs in-process and Ballista runs on a cluster.
//!
//! Same semantics as the native `report matching` (`zp_app::certs::matching_report`):
//! the load is that of the enterprise's top consumption meters per hour; an hour counts
//! the certificates produced in it and cancelled for the enterprise and that same hour
//! (matched up to the load), and those still active in its account (the annual ratio
//! only). The plan does the scan, aggregation and joins; the figures are then computed by
//! the same pure function as the native engine's (`zp_certs::cfe_figures`).

use crate::plan::{collect, context, f64s, i64s, quote, register, runtime, strs};
use crate::{Engine, LakeError};
use std::path::Path;
use zp_app::certs::{HourInput, MatchReport, cfe_figures};
use zp_domain::{CreditCode, Decimal};

/// The plan's text with `{placeholders}` (`matching.sql`).
const MATCHING_SQL: &str = include_str!("matching.sql");

/// The matching plan of enterprise `org` (in `region`) over the lake's `meters`,
/// `readings`, `certificates` and `grid_hourly` for the UTC window `[start, end)`: one row
/// per hour with load (`hour`, `load_wh`, `retired_wh`, `unretired_wh`, `cfe_share`).
pub fn matching_sql(org: &CreditCode, region: &str, start: i64, end: i64) -> String {
    MATCHING_SQL
        .replace("{org}", &quote(org.as_str()))
        .replace("{region}", &quote(region))
        .replace("{start}", &start.to_string())
        .replace("{end}", &end.to_string())
}

/// Hourly matching of `consumer` over `[from, to)` (UTC epoch seconds, the local days of
/// `report matching`) computed by `engine` over the lake in `lake`.
pub fn lake_matching(
    lake: &Path,
    engine: &Engine,
    consumer: &CreditCode,
    (from, to): (i64, i64),
) -> Result<MatchReport, LakeError> {
    runtime()?.block_on(async {
        let ctx = context(engine).await?;
        register(&ctx, lake).await?;
        let sql = format!(
            "SELECT region FROM orgs WHERE credit_code = {}",
            quote(consumer.as_str())
        );
        let mut regions = Vec::new();
        for b in collect(&ctx, &sql).await? {
            regions.extend(strs(&b, "region")?);
        }
        let region = regions.first().ok_or_else(|| {
            LakeError::NotFound(format!(
                "enterprise {consumer} is not in the lake (export it with `zeropark lake export`)"
            ))
        })?;
        let mut inputs = Vec::new();
        for b in collect(&ctx, &matching_sql(consumer, region, from, to)).await? {
            let (hour, load) = (i64s(&b, "hour")?, i64s(&b, "load_wh")?);
            let (retired, unretired) = (i64s(&b, "retired_wh")?, i64s(&b, "unretired_wh")?);
            let share = f64s(&b, "cfe_share")?;
            for i in 0..b.num_rows() {
                let wh = |v: i64, what: &str| {
                    u64::try_from(v).map_err(|_| {
                        LakeError::Invalid(format!(
                            "negative {what} {v} Wh at {} for {consumer}",
                            zp_domain::time::format_local(hour[i])
                        ))
                    })
                };
                inputs.push(HourInput {
                    hour_start: hour[i],
                    load_wh: wh(load[i], "load")?,
                    retired_wh: wh(retired[i], "retired certificates")?,
                    unretired_wh: wh(unretired[i], "active certificates")?,
                    grid_cfe_share: share[i].and_then(|s| Decimal::try_from(s).ok()),
                });
            }
        }
        Ok(cfe_figures(&inputs))
    })
}
