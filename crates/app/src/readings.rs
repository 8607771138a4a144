//! Use cases of interval meter data: importing and exporting readings, the
//! electricity-carbon map (电碳地图), and hourly energy for the certificate registry.
//!
//! The readings live in a [`ReadingStore`] directory next to the database; the SQL store
//! holds the meter registry, hourly grid factors, import batches and quarantined rows.

/// Readings-store types the adapters show and pass.
pub use zp_readings::{
    ExportFilter, ReadingStore, ReadingsError, Resolution, calendar, export_parquet, import_file,
    is_parquet,
};

use crate::{AppError, Caller, ImportError};
use serde::Serialize;
use std::collections::{BTreeMap, HashMap, HashSet};
use std::path::{Path, PathBuf};
use zp_domain::{CreditCode, Decimal, Region};
use zp_factors::Slot;
use zp_ingest::Limits;
use zp_ingest::ReadError;
use zp_readings::{EnterpriseMeters, FactorSeries, HourGrid};
use zp_store::{
    Access, BatchMeta, ImportCounts, MeterFilter, MeterKind, OrgFilter, Rejected, Store, StoreError,
};

pub use zp_readings::Progress;

/// The readings directory of a database: `explicit` when given, else `<db>.readings` next
/// to a SQLite file, `zeropark.readings` for PostgreSQL.
pub fn readings_dir(db: &str, explicit: Option<&Path>) -> PathBuf {
    explicit
        .map(Path::to_path_buf)
        .unwrap_or_else(|| ReadingStore::default_dir(db))
}

pub(crate) fn store_err(e: ReadingsError) -> AppError {
    AppError::Invalid(e.to_string())
}

/// Opens (creating if needed) the readings store of a database.
pub fn open_readings(db: &str, explicit: Option<&Path>) -> Result<ReadingStore, AppError> {
    ReadingStore::open(&readings_dir(db, explicit)).map_err(store_err)
}

/// Missing intervals of one meter, times in Asia/Shanghai.
#[derive(Debug, Clone, Serialize)]
pub struct GapReport {
    pub meter: String,
    pub interval_minutes: i64,
    pub missing_intervals: u64,
    /// The first runs of missing intervals as `[from, to)`.
    pub ranges: Vec<[String; 2]>,
}

/// Outcome of `import readings`: `read = accepted + quarantined`; `duplicates` and
/// `restated` are parts of `accepted`.
#[derive(Debug, Clone, Serialize)]
pub struct ReadingsImport {
    pub read: usize,
    pub accepted: usize,
    pub quarantined: usize,
    pub duplicates: usize,
    pub restated: usize,
    /// Meters with accepted rows.
    pub meters: usize,
    pub new_meters: usize,
    /// Missing intervals between each meter's first and last reading in the file.
    pub missing_intervals: u64,
    pub gaps: Vec<GapReport>,
    pub batch_id: i64,
    /// The file as recorded (uploads: the name given, not the server path).
    #[serde(skip)]
    pub file: String,
    /// SHA-256 of the file when hashed (uploads), else empty.
    #[serde(skip)]
    pub sha256: String,
    /// The quarantined rows, in row order.
    #[serde(skip)]
    pub rejected: Vec<Rejected>,
}

impl ReadingsImport {
    /// The outcome as every import reports it (uploads show this).
    pub fn outcome(&self) -> crate::ImportOutcome {
        crate::ImportOutcome {
            kind: crate::ImportKind::Readings.key(),
            file: self.file.clone(),
            sha256: self.sha256.clone(),
            counts: self.counts(),
            rejected: self.rejected.clone(),
            readings: Some(crate::ReadingsSummary {
                meters: self.meters,
                new_meters: self.new_meters,
                missing_intervals: self.missing_intervals,
            }),
        }
    }

    pub fn counts(&self) -> ImportCounts {
        ImportCounts {
            read: self.read,
            accepted: self.accepted,
            quarantined: self.quarantined,
            duplicates: self.duplicates,
            restated: self.restated,
        }
    }
}

/// `zeropark import readings FILE` and readings uploads: CSV or Parquet with columns
/// `meter,ts,kwh`, recorded as `name`. Meters must be registered (`import meters`) to an
/// enterprise the caller sees: rows of any other meter are quarantined and never written,
/// and for a scoped caller the reason does not say whether the meter exists. Bad rows are
/// quarantined with row, field and reason. With `limits`, a file of more rows is refused
/// before anything is written and the file's SHA-256 is recorded (uploads); without, the
/// file is not hashed (readings files run to gigabytes).
pub fn import_readings(
    store: &mut dyn Store,
    readings: &mut ReadingStore,
    caller: &Caller,
    path: &Path,
    name: &str,
    limits: Option<Limits>,
    progress: Progress<'_>,
) -> Result<ReadingsImport, ImportError> {
    if let Err(e) = std::fs::metadata(path) {
        return Err(ReadError::Io {
            file: name.to_string(),
            reason: e.to_string(),
        }
        .into());
    }
    let mut sha256 = String::new();
    if let Some(limits) = limits {
        let rows = count_rows(path, name)?;
        if rows > limits.max_rows as u64 {
            return Err(ReadError::Format {
                file: name.to_string(),
                reason: format!(
                    "{rows} rows, more than the {} a file may hold",
                    limits.max_rows
                ),
            }
            .into());
        }
        sha256 = file_sha256(path, name)?;
    }
    let mut report = import_file_report(store, readings, &caller.access, path, name, progress)?;
    if !caller.is_unscoped() {
        for r in &mut report.rejected {
            r.reason = scoped_reason(&r.reason);
        }
    }
    let mut out = record_readings_batch(
        store,
        &report,
        &|row| row as i64,
        Vec::new(),
        name.to_string(),
        &caller.actor,
        sha256,
    )?;
    out.file = name.to_string();
    Ok(out)
}

/// For a caller with a scope, an unregistered meter and another enterprise's meter read
/// the same.
fn scoped_reason(reason: &str) -> String {
    match reason
        .strip_prefix("unknown meter ")
        .and_then(|rest| rest.split_once(": register"))
    {
        Some((meter, _)) => format!(
            "meter {meter} is not registered to an enterprise in your scope: rows for it are not written"
        ),
        None => reason.to_string(),
    }
}

/// Data rows of a readings file: Parquet rows from its metadata, CSV lines after the header.
fn count_rows(path: &Path, name: &str) -> Result<u64, ImportError> {
    use std::io::BufRead;
    let io = |e: std::io::Error| {
        ImportError::Read(ReadError::Io {
            file: name.to_string(),
            reason: e.to_string(),
        })
    };
    if zp_readings::is_parquet(path) {
        return zp_readings::parquet_rows(path).map_err(|reason| {
            ImportError::Read(ReadError::Format {
                file: name.to_string(),
                reason: format!("not a readable Parquet file: {reason}"),
            })
        });
    }
    let mut lines = 0u64;
    let mut reader = std::io::BufReader::new(std::fs::File::open(path).map_err(io)?);
    let mut line = Vec::new();
    while reader.read_until(b'\n', &mut line).map_err(io)? > 0 {
        if !line.iter().all(u8::is_ascii_whitespace) {
            lines += 1;
        }
        line.clear();
    }
    Ok(lines.saturating_sub(1))
}

fn file_sha256(path: &Path, name: &str) -> Result<String, ImportError> {
    use sha2::{Digest, Sha256};
    use std::io::Read;
    let io = |e: std::io::Error| {
        ImportError::Read(ReadError::Io {
            file: name.to_string(),
            reason: e.to_string(),
        })
    };
    let mut file = std::fs::File::open(path).map_err(io)?;
    let mut hasher = Sha256::new();
    let mut buf = vec![0u8; 1 << 16];
    loop {
        let n = file.read(&mut buf).map_err(io)?;
        if n == 0 {
            break;
        }
        hasher.update(&buf[..n]);
    }
    Ok(hex::encode(hasher.finalize()))
}

/// Validates and merges a readings file into the store; rows of meters not in the registry
/// are quarantined.
pub(crate) fn import_file_report(
    store: &mut dyn Store,
    readings: &mut ReadingStore,
    access: &Access,
    path: &Path,
    file: &str,
    progress: Progress<'_>,
) -> Result<zp_readings::ImportReport, ImportError> {
    let known: HashSet<String> = store
        .meters(access, &MeterFilter::default())?
        .into_iter()
        .map(|m| m.meter)
        .collect();
    zp_readings::import_file(readings, path, &|m| known.contains(m), progress).map_err(
        |e| match e {
            ReadingsError::Io { path: p, reason } if p == path => {
                ImportError::Read(ReadError::Io {
                    file: file.to_string(),
                    reason,
                })
            }
            ReadingsError::Format { file: f, reason } => {
                ImportError::Read(ReadError::Format { file: f, reason })
            }
            ReadingsError::Limit(reason) => ImportError::Read(ReadError::Format {
                file: file.to_string(),
                reason,
            }),
            other => ImportError::Store(StoreError::Corrupt(other.to_string())),
        },
    )
}

/// Records an import batch (counts and quarantined rows) for a readings report. The
/// report's rejected rows are quarantined under the row `row_of` gives their row number in
/// the source, beside the rows `earlier` refused before the import; all in row order.
pub(crate) fn record_readings_batch(
    store: &mut dyn Store,
    report: &zp_readings::ImportReport,
    row_of: &dyn Fn(u64) -> i64,
    earlier: Vec<Rejected>,
    file: String,
    actor: &str,
    sha256: String,
) -> Result<ReadingsImport, ImportError> {
    let mut rejected = earlier;
    rejected.extend(report.rejected.iter().map(|r| Rejected {
        row: row_of(r.row),
        field: r.field.clone(),
        reason: r.reason.clone(),
        raw: r.raw.clone(),
    }));
    rejected.sort_by_key(|r| r.row);
    let quarantined = rejected.len();
    let mut out = ReadingsImport {
        read: report.accepted + quarantined,
        accepted: report.accepted,
        quarantined,
        duplicates: report.duplicates,
        restated: report.restated,
        meters: report.meters,
        new_meters: report.new_meters,
        missing_intervals: report.missing_intervals,
        gaps: report
            .gaps
            .iter()
            .map(|g| GapReport {
                meter: g.meter.clone(),
                interval_minutes: g.interval.minutes(),
                missing_intervals: g.missing_intervals,
                ranges: g
                    .ranges
                    .iter()
                    .map(|r| {
                        [
                            zp_domain::time::format_local(r.from),
                            zp_domain::time::format_local(r.to),
                        ]
                    })
                    .collect(),
            })
            .collect(),
        batch_id: 0,
        file: String::new(),
        sha256: String::new(),
        rejected: Vec::new(),
    };
    let meta = BatchMeta {
        kind: "readings".into(),
        file,
        sha256: sha256.clone(),
        actor: actor.into(),
    };
    out.batch_id = store.record_batch(&meta, &out.counts().checked(), &rejected)?;
    out.sha256 = sha256;
    out.rejected = rejected;
    Ok(out)
}

/// Outcome of `export readings`.
#[derive(Debug, Clone, Serialize)]
pub struct ReadingsExport {
    pub file: String,
    pub readings: u64,
}

/// `zeropark export readings --format parquet`: readings of all or one meter, optionally
/// limited to the local days `from ..= to` (`YYYY-MM-DD`).
pub fn export_readings(
    readings: &ReadingStore,
    out: &Path,
    meter: Option<&str>,
    from: Option<&str>,
    to: Option<&str>,
) -> Result<ReadingsExport, AppError> {
    let day = |s: &str| {
        zp_readings::calendar::parse_date(s)
            .ok_or_else(|| AppError::Invalid(format!("{s:?} is not a date YYYY-MM-DD")))
    };
    let filter = zp_readings::ExportFilter {
        meters: meter.map(|m| vec![m.to_string()]).unwrap_or_default(),
        from: from.map(day).transpose()?,
        to: to.map(day).transpose()?.map(|t| t + 86_400),
    };
    if let Some(m) = meter
        && readings.interval(m).is_none()
    {
        return Err(AppError::NotFound(format!("no readings for meter {m:?}")));
    }
    let n = zp_readings::export_parquet(readings, out, &filter).map_err(store_err)?;
    Ok(ReadingsExport {
        file: out.display().to_string(),
        readings: n,
    })
}

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
#[derive(Debug, Clone, Serialize)]
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
#[derive(Debug, Clone, Serialize)]
pub struct MapFactor {
    pub region: String,
    /// Hours of the window with an hourly factor (`import grid-hourly`).
    pub hourly_hours: usize,
    /// Hours priced with the annual factor instead.
    pub fallback_hours: usize,
    /// Catalog factors used as the fallback (id, value tCO2/MWh, note).
    pub annual: Vec<MapAnnualFactor>,
}

#[derive(Debug, Clone, Serialize)]
pub struct MapAnnualFactor {
    pub id: String,
    pub tco2_per_mwh: Decimal,
    pub note: Option<String>,
}

/// Totals over all rows.
#[derive(Debug, Clone, Default, Serialize)]
pub struct CarbonMapTotals {
    pub consumption_mwh: Decimal,
    pub generation_mwh: Decimal,
    pub grid_import_mwh: Decimal,
    pub emissions_tco2: Decimal,
}

/// The electricity-carbon map of a scope.
#[derive(Debug, Clone, Serialize)]
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
    annual: Vec<(i32, u64, MapAnnualFactor)>,
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
    let (y0, y1) = (
        zp_readings::calendar::local_year(grid.start),
        zp_readings::calendar::local_year(grid.end() - 1),
    );
    let mut regions = Vec::new();
    for region in codes {
        let mut annual = Vec::new();
        for year in y0..=y1 {
            let sel = catalog.select(Slot::LocationGrid { region, year })?;
            let ng =
                zp_readings::factor_ng_per_wh(&sel.factor.value.to_string()).ok_or_else(|| {
                    AppError::Invalid(format!("factor {} is not usable", sel.factor.id))
                })?;
            let factor = MapAnnualFactor {
                id: sel.factor.id.clone(),
                tco2_per_mwh: sel.factor.value,
                note: sel.note.clone(),
            };
            annual.push((year, ng, factor));
        }
        let mut hourly = Vec::new();
        for h in store.grid_hourly(region, grid.start, grid.end())? {
            let text = format!("{}", h.tco2_per_mwh);
            let ng = zp_readings::factor_ng_per_wh(&text).ok_or_else(|| {
                AppError::Invalid(format!(
                    "hourly factor {text} tCO2/MWh of {region} at {} is not usable",
                    zp_domain::time::format_local(h.ts)
                ))
            })?;
            hourly.push((h.ts, ng));
        }
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
        if fallback_hours > 0 {
            notes.push(format!(
                "{region}: {fallback_hours} of {} hours have no hourly grid factor; the annual factor {} applies there",
                grid.hours,
                annual.iter().map(|a| a.id.as_str()).collect::<Vec<_>>().join(", ")
            ));
        }
        factors.push(MapFactor {
            region: region.code().to_string(),
            hourly_hours: grid.hours - fallback_hours,
            fallback_hours,
            annual,
        });
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
    for m in &meters {
        if let Some(e) = by_org.get_mut(m.credit_code.as_str()) {
            match m.kind {
                MeterKind::Consumption => e.consumption.push(m.meter.clone()),
                MeterKind::Generation => e.generation.push(m.meter.clone()),
            }
        }
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
    let mut totals = (0u64, 0u64, 0u64, 0u128);
    let mut order: Vec<usize> = (0..group_keys.len()).collect();
    order.sort_by(|a, b| group_keys[*a].0.cmp(&group_keys[*b].0));
    for g in order {
        for p in 0..map.periods.len() {
            let c = map.cell(g, p);
            if c.consumption_wh == 0 && c.generation_wh == 0 {
                continue;
            }
            totals.0 += c.consumption_wh;
            totals.1 += c.generation_wh;
            totals.2 += c.grid_import_wh;
            totals.3 += c.emissions_ngco2;
            rows.push(CarbonMapRow {
                group: group_keys[g].0.clone(),
                name: group_keys[g].1.clone(),
                period: map.periods.label(p),
                consumption_mwh: mwh(c.consumption_wh),
                generation_mwh: mwh(c.generation_wh),
                grid_import_mwh: mwh(c.grid_import_wh),
                emissions_tco2: tco2(c.emissions_ngco2),
                factor_source: match (c.hourly_factor_hours, c.fallback_factor_hours) {
                    (0, 0) => "none",
                    (_, 0) => "hourly",
                    (0, _) => "annual",
                    _ => "mixed",
                },
                fallback_hours: c.fallback_factor_hours,
            });
        }
    }
    Ok(CarbonMap {
        scope,
        from: q.from.clone(),
        to: q.to.clone(),
        by: q.by.key(),
        group: q.group.key(),
        rows,
        totals: CarbonMapTotals {
            consumption_mwh: mwh(totals.0),
            generation_mwh: mwh(totals.1),
            grid_import_mwh: mwh(totals.2),
            emissions_tco2: tco2(totals.3),
        },
        fallback_hours: factors.iter().map(|f| f.fallback_hours).sum(),
        factors,
        enterprises: enterprises.len(),
        meters: meters.len(),
        notes,
    })
}

impl crate::certs::HourlyReadings for ReadingStore {
    fn meter_hourly_wh(
        &self,
        meter: &str,
        from: i64,
        to: i64,
    ) -> Result<BTreeMap<i64, Decimal>, AppError> {
        Ok(self
            .hourly_wh(meter, from, to)
            .map_err(store_err)?
            .into_iter()
            .filter(|(h, _)| *h >= from && *h < to)
            .map(|(h, wh)| (h, Decimal::from(wh)))
            .collect())
    }
}
