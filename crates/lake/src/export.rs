//! `zeropark lake export`: the readings and the registry tables they join, as the caller
//! sees them, written as the lake of [`crate::schema`].
//!
//! The window is widened to whole local months, so every partition written is complete and
//! a second export of the same window replaces its partitions with the same rows.

use crate::write::{PartitionWriter, ROW_GROUP_ROWS, remove_partition, replace_partition};
use crate::{LakeError, schema};
use arrow::array::{ArrayRef, Float64Builder, Int64Builder, RecordBatch, StringBuilder};
use serde::Serialize;
use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};
use std::sync::Arc;
use zp_app::{Caller, MeterFilter, OrgFilter, Store};
use zp_domain::Region;
use zp_readings::ReadingStore;
use zp_readings::calendar::{local_date, month_start, parse_date, year_bounds};

/// What an export wrote.
#[derive(Debug, Clone, Serialize)]
pub struct LakeExport {
    pub out: String,
    /// First local day of the window (a month start).
    pub from: String,
    /// Last local day of the window, inclusive (a month end).
    pub to: String,
    pub orgs: usize,
    pub meters: usize,
    pub readings: u64,
    /// Readings partitions written (region, year, month).
    pub partitions: usize,
    /// Readings files written (a partition is split into files of at most `file_rows`).
    pub files: usize,
    pub grid_hourly: usize,
    /// Bytes of the readings files written.
    pub readings_bytes: u64,
    /// Granular certificate bundles written (produced in the window, owned by or
    /// cancelled for an enterprise the caller sees).
    pub certificates: usize,
}

fn start_of_next_month(t: i64) -> i64 {
    month_start(month_start(t) + 32 * 86_400)
}

/// The partition directory of `table` for `region` and the local month starting at `m0`,
/// with that month's year and number.
fn month_partition(out: &Path, table: &str, region: &str, m0: i64) -> (PathBuf, i32, u32) {
    let (y, mo, _) = local_date(m0);
    let dir = out
        .join(table)
        .join(format!("region={region}"))
        .join(format!("year={y:04}"))
        .join(format!("month={mo:02}"));
    (dir, y, mo)
}

fn day_label(t: i64) -> String {
    let (y, m, d) = local_date(t);
    format!("{y:04}-{m:02}-{d:02}")
}

fn strings(values: impl IntoIterator<Item = Option<String>>) -> ArrayRef {
    let mut b = StringBuilder::new();
    for v in values {
        b.append_option(v);
    }
    Arc::new(b.finish())
}

fn ints(values: impl IntoIterator<Item = i64>) -> ArrayRef {
    let mut b = Int64Builder::new();
    for v in values {
        b.append_value(v);
    }
    Arc::new(b.finish())
}

fn opt_ints(values: impl IntoIterator<Item = Option<i64>>) -> ArrayRef {
    let mut b = Int64Builder::new();
    for v in values {
        b.append_option(v);
    }
    Arc::new(b.finish())
}

fn floats(values: impl IntoIterator<Item = Option<f64>>) -> ArrayRef {
    let mut b = Float64Builder::new();
    for v in values {
        b.append_option(v);
    }
    Arc::new(b.finish())
}

fn decimal_f64(d: zp_domain::Decimal) -> f64 {
    d.to_string().parse().unwrap_or(f64::NAN)
}

fn ng(d: zp_domain::Decimal, what: &dyn Fn() -> String) -> Result<i64, LakeError> {
    zp_readings::factor_ng_per_wh(&d.to_string())
        .and_then(|n| i64::try_from(n).ok())
        .ok_or_else(|| LakeError::Invalid(format!("{} is not usable", what())))
}

/// Writes the lake of everything `caller` may see into `out`: orgs, meters, the readings of
/// the local months covering `from ..= to` (`YYYY-MM-DD`; all stored years when absent),
/// and the grid factors of the enterprises' regions over the same months. Readings
/// partitions are split into files of at most `file_rows` rows ([`crate::FILE_ROWS`] by
/// default, about 1 GB) and streamed: one batch of about a million rows is held at a time.
/// `progress` receives one line per partition written.
#[allow(clippy::too_many_arguments)]
pub fn export_lake(
    store: &mut dyn Store,
    caller: &Caller,
    readings: &ReadingStore,
    out: &Path,
    from: Option<&str>,
    to: Option<&str>,
    file_rows: usize,
    progress: &mut dyn FnMut(&str),
) -> Result<LakeExport, LakeError> {
    let access = &caller.access;
    let orgs = store
        .orgs(access, &OrgFilter::default())
        .map_err(zp_app::AppError::from)?;
    let meters = store
        .meters(access, &MeterFilter::default())
        .map_err(zp_app::AppError::from)?;
    let day = |s: &str| {
        parse_date(s).ok_or_else(|| LakeError::Invalid(format!("{s:?} is not a date YYYY-MM-DD")))
    };
    // The window: whole local months.
    let years: BTreeSet<i32> = meters
        .iter()
        .map(|m| readings.years(&m.meter))
        .collect::<Result<Vec<_>, _>>()?
        .into_iter()
        .flatten()
        .collect();
    let (from_day, to_day) = (from.map(day).transpose()?, to.map(day).transpose()?);
    if let (Some(f), Some(t)) = (from_day, to_day)
        && f > t
    {
        return Err(LakeError::Invalid(format!(
            "--from {} --to {}: from must not be after to",
            from.unwrap_or_default(),
            to.unwrap_or_default()
        )));
    }
    let start = match from_day {
        Some(f) => month_start(f),
        None => years.first().map(|y| year_bounds(*y).0).unwrap_or(0),
    };
    let end = match to_day {
        Some(t) => start_of_next_month(t + 86_400 - 1),
        None => years.last().map(|y| year_bounds(*y).1).unwrap_or(0),
    };
    // Every table has its directory, even without rows, so the lake always registers whole.
    for table in schema::TABLES {
        let dir = out.join(table);
        std::fs::create_dir_all(&dir).map_err(|e| LakeError::io(&dir, e))?;
    }

    // Registry tables: replaced whole.
    let batch = RecordBatch::try_new(
        schema::arrow_schema(schema::ORGS),
        vec![
            strings(orgs.iter().map(|o| Some(o.credit_code.to_string()))),
            strings(orgs.iter().map(|o| Some(o.name.clone()))),
            strings(orgs.iter().map(|o| Some(o.region.code().to_string()))),
            strings(orgs.iter().map(|o| o.park.clone())),
            strings(orgs.iter().map(|o| Some(o.industry.clone()))),
        ],
    )?;
    replace_partition(
        &out.join("orgs"),
        schema::arrow_schema(schema::ORGS),
        &batch,
    )?;
    let batch = RecordBatch::try_new(
        schema::arrow_schema(schema::METERS),
        vec![
            strings(meters.iter().map(|m| Some(m.meter.clone()))),
            strings(meters.iter().map(|m| Some(m.credit_code.to_string()))),
            strings(meters.iter().map(|m| Some(m.kind.key().to_string()))),
            strings(meters.iter().map(|m| Some(m.parent.clone()))),
            strings(meters.iter().map(|m| Some(m.source.clone()))),
            strings(meters.iter().map(|m| Some(m.site.clone()))),
            strings(meters.iter().map(|m| Some(m.end_use.clone()))),
        ],
    )?;
    replace_partition(
        &out.join("meters"),
        schema::arrow_schema(schema::METERS),
        &batch,
    )?;

    // Readings by region, then month.
    let region_of: BTreeMap<String, Region> = orgs
        .iter()
        .map(|o| (o.credit_code.to_string(), o.region))
        .collect();
    let mut by_region: BTreeMap<&'static str, Vec<&zp_app::Meter>> = BTreeMap::new();
    for m in &meters {
        if let Some(r) = region_of.get(m.credit_code.as_str()) {
            by_region.entry(r.code()).or_default().push(m);
        }
    }
    let mut export = LakeExport {
        out: out.display().to_string(),
        from: day_label(start),
        to: day_label(end - 1),
        orgs: orgs.len(),
        meters: meters.len(),
        readings: 0,
        partitions: 0,
        files: 0,
        grid_hourly: 0,
        readings_bytes: 0,
        certificates: 0,
    };
    let months: Vec<i64> = {
        let mut v = Vec::new();
        let mut t = start;
        while t < end {
            v.push(t);
            t = start_of_next_month(t);
        }
        v
    };
    for (region, ms) in &by_region {
        for &m0 in &months {
            let m1 = start_of_next_month(m0);
            let (dir, y, mo) = month_partition(out, "readings", region, m0);
            let schema = schema::arrow_schema(schema::READINGS);
            let mut w = PartitionWriter::new(&dir, schema.clone(), file_rows)?;
            let mut rows = ReadingRows::default();
            for m in ms {
                for (t, v) in readings.readings(&m.meter, m0, m1)? {
                    rows.push(m, t, v);
                }
                if rows.ts.len() >= ROW_GROUP_ROWS {
                    w.write(&rows.take(&schema)?)?;
                }
            }
            if !rows.ts.is_empty() {
                w.write(&rows.take(&schema)?)?;
            }
            let n = w.rows();
            let files = w.files();
            let bytes = w.finish()?;
            if n == 0 {
                continue;
            }
            export.readings += n;
            export.partitions += 1;
            export.files += files;
            export.readings_bytes += bytes;
            progress(&format!(
                "readings region={region} year={y:04} month={mo:02}: {n} rows in {files} file(s), {bytes} bytes"
            ));
        }
    }

    // Grid factors of the regions, over the same months.
    let catalog = zp_app::catalog(store)?;
    let regions: BTreeSet<(&'static str, Region)> =
        orgs.iter().map(|o| (o.region.code(), o.region)).collect();
    for (code, region) in regions {
        if end <= start {
            break;
        }
        let f = zp_app::grid_factors::region_grid_factors(store, &catalog, region, start, end)?;
        for (year, a) in &f.annual {
            let (ys, ye) = year_bounds(*year);
            let n = ng(a.tco2_per_mwh, &|| format!("factor {}", a.id))?;
            let batch = RecordBatch::try_new(
                schema::arrow_schema(schema::GRID_ANNUAL),
                vec![
                    strings([Some(a.id.clone())]),
                    floats([Some(decimal_f64(a.tco2_per_mwh))]),
                    ints([n]),
                    strings([a.note.clone()]),
                    ints([ys]),
                    ints([ye]),
                ],
            )?;
            let dir = out
                .join("grid_annual")
                .join(format!("region={code}"))
                .join(format!("year={year:04}"));
            replace_partition(&dir, schema::arrow_schema(schema::GRID_ANNUAL), &batch)?;
        }
        let cfe: BTreeMap<i64, zp_domain::Decimal> = f.cfe_share.iter().copied().collect();
        for &m0 in &months {
            let m1 = start_of_next_month(m0);
            let (dir, y, mo) = month_partition(out, "grid_hourly", code, m0);
            let hours: Vec<&(i64, zp_domain::Decimal)> = f
                .hourly
                .iter()
                .filter(|(t, _)| *t >= m0 && *t < m1)
                .collect();
            if hours.is_empty() {
                remove_partition(&dir)?;
                continue;
            }
            let ngs = hours
                .iter()
                .map(|(t, d)| {
                    ng(*d, &|| {
                        format!(
                            "hourly factor {d} of {code} at {}",
                            zp_domain::time::format_local(*t)
                        )
                    })
                })
                .collect::<Result<Vec<_>, _>>()?;
            let batch = RecordBatch::try_new(
                schema::arrow_schema(schema::GRID_HOURLY),
                vec![
                    ints(hours.iter().map(|(t, _)| *t)),
                    floats(hours.iter().map(|(_, d)| Some(decimal_f64(*d)))),
                    ints(ngs),
                    floats(
                        hours
                            .iter()
                            .map(|(t, _)| cfe.get(t).map(|c| decimal_f64(*c))),
                    ),
                ],
            )?;
            replace_partition(&dir, schema::arrow_schema(schema::GRID_HOURLY), &batch)?;
            export.grid_hourly += hours.len();
            progress(&format!(
                "grid_hourly region={code} year={y:04} month={mo:02}: {} hours",
                hours.len()
            ));
        }
    }

    export.certificates = export_certificates(store, &orgs, out, &months, progress)?;

    let manifest = serde_json::json!({
        "version": schema::LAKE_VERSION,
        "written_by": "zeropark lake export",
        "time": "ts columns are UTC epoch seconds; partitions are local (Asia/Shanghai, UTC+8) years and months",
        "last_export": &export,
        "tables": schema::describe(),
    });
    let path = out.join("manifest.json");
    let text = serde_json::to_string_pretty(&manifest).expect("manifest serialises");
    std::fs::write(&path, text + "\n").map_err(|e| LakeError::io(&path, e))?;
    Ok(export)
}

/// Writes the registry's granular bundles produced in `months` that an enterprise of
/// `orgs` owns or had cancelled for it, by producing region and local month; returns how
/// many.
fn export_certificates(
    store: &mut dyn Store,
    orgs: &[zp_app::Org],
    out: &Path,
    months: &[i64],
    progress: &mut dyn FnMut(&str),
) -> Result<usize, LakeError> {
    use zp_app::certs::Source;
    let visible: BTreeSet<&str> = orgs.iter().map(|o| o.credit_code.as_str()).collect();
    let registry = zp_app::certs::registry(store)?;
    // (region, month start) -> bundles produced there and then.
    let mut parts: BTreeMap<(&'static str, i64), Vec<(&zp_app::certs::Bundle, i64)>> =
        BTreeMap::new();
    let regions: BTreeSet<&'static str> = registry.bundles().map(|b| b.region.code()).collect();
    for b in registry.bundles() {
        let Source::Granular {
            production_hour_start: t,
            ..
        } = b.source
        else {
            continue;
        };
        let consumer = b.status.retirement().map(|(c, _, _)| c.as_str());
        if !visible.contains(b.owner.as_str()) && !consumer.is_some_and(|c| visible.contains(c)) {
            continue;
        }
        let month = month_start(t);
        if months.contains(&month) {
            parts
                .entry((b.region.code(), month))
                .or_default()
                .push((b, t));
        }
    }
    let mut written = 0;
    for region in regions {
        for &m0 in months {
            let (dir, y, mo) = month_partition(out, "certificates", region, m0);
            let Some(bundles) = parts.get(&(region, m0)) else {
                remove_partition(&dir)?;
                continue;
            };
            let hour = |b: &zp_app::certs::Bundle| match b.status.retirement() {
                Some((_, zp_app::certs::Consumption::Hour { hour_start }, _)) => Some(hour_start),
                _ => None,
            };
            let batch = RecordBatch::try_new(
                schema::arrow_schema(schema::CERTIFICATES),
                vec![
                    ints(bundles.iter().map(|(b, _)| b.id.0 as i64)),
                    strings(bundles.iter().map(|(b, _)| Some(b.owner.to_string()))),
                    ints(bundles.iter().map(|(b, _)| b.energy_wh as i64)),
                    ints(bundles.iter().map(|(_, t)| *t)),
                    strings(bundles.iter().map(|(b, _)| Some(b.technology.clone()))),
                    strings(
                        bundles
                            .iter()
                            .map(|(b, _)| Some(b.status.name().to_string())),
                    ),
                    strings(
                        bundles
                            .iter()
                            .map(|(b, _)| b.status.retirement().map(|(c, _, _)| c.to_string())),
                    ),
                    opt_ints(bundles.iter().map(|(b, _)| hour(b))),
                ],
            )?;
            replace_partition(&dir, schema::arrow_schema(schema::CERTIFICATES), &batch)?;
            written += bundles.len();
            progress(&format!(
                "certificates region={region} year={y:04} month={mo:02}: {} bundles",
                bundles.len()
            ));
        }
    }
    Ok(written)
}

/// The columns of `readings` being gathered for the next batch.
#[derive(Default)]
struct ReadingRows {
    meter: Vec<Option<String>>,
    code: Vec<Option<String>>,
    ts: Vec<i64>,
    wh: Vec<i64>,
    kind: Vec<Option<String>>,
}

impl ReadingRows {
    fn push(&mut self, m: &zp_app::Meter, t: i64, wh: u32) {
        self.meter.push(Some(m.meter.clone()));
        self.code.push(Some(m.credit_code.to_string()));
        self.ts.push(t);
        self.wh.push(i64::from(wh));
        self.kind.push(Some(m.kind.key().to_string()));
    }

    /// The rows gathered as a batch; empties the buffers.
    fn take(&mut self, schema: &arrow::datatypes::SchemaRef) -> Result<RecordBatch, LakeError> {
        let r = std::mem::take(self);
        Ok(RecordBatch::try_new(
            schema.clone(),
            vec![
                strings(r.meter),
                strings(r.code),
                ints(r.ts),
                ints(r.wh),
                strings(r.kind),
            ],
        )?)
    }
}
