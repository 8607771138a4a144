//! Use cases of the granular certificate registry: the signing key at the edge, the event
//! log in the store, hourly meter data from the readings engine.

/// Registry types the adapters show and pass.
pub use zp_certs::{
    Actor, Balances, Bundle, BundleId, CertError, Consumption, EvidenceDoc, HourInput, MatchReport,
    Registry, SigningKey, Source, Status, Summary, cfe_figures,
};

mod verified;

use crate::AppError;
use std::collections::BTreeMap;
use std::path::Path;
use std::sync::Arc;
use zp_certs::{GenerationRow, Generator, HourlyLoad, SignedEvent, VerifyingKey};
use zp_domain::template::write;
use zp_domain::time::{Date, local_day_start};
use zp_domain::{CreditCode, Decimal};
use zp_store::{Access, CertEventRow, MeterFilter, MeterKind, Store};

/// Hourly metered energy, as the readings engine provides it.
pub trait HourlyReadings {
    /// Energy per hour start (UTC epoch seconds) for `meter`, hours in `[from, to)`, in Wh.
    fn meter_hourly_wh(&self, meter: &str, from: i64, to: i64) -> Result<HourlyWh, AppError>;
}

/// Energy per hour start (UTC epoch seconds), in Wh.
pub type HourlyWh = BTreeMap<i64, Decimal>;

/// Readings at hand in memory: Wh per (meter, hour start).
impl HourlyReadings for BTreeMap<(&str, i64), Decimal> {
    fn meter_hourly_wh(&self, meter: &str, from: i64, to: i64) -> Result<HourlyWh, AppError> {
        Ok(self
            .iter()
            .filter(|((m, h), _)| *m == meter && (from..to).contains(h))
            .map(|((_, h), wh)| (*h, *wh))
            .collect())
    }
}

pub(crate) const PUBLIC_KEY: &str = "public_key";

/// The registry signing key, kept in a file outside the database (mode 0600), never in
/// the repository. Created on first use; its public key is recorded in the database so a
/// different key cannot silently take over.
pub fn signing_key(store: &mut dyn Store, key_file: &Path) -> Result<SigningKey, AppError> {
    let io =
        |e: std::io::Error| AppError::Invalid(format!("registry key {}: {e}", key_file.display()));
    let secret: [u8; 32] = if key_file.exists() {
        let text = std::fs::read_to_string(key_file).map_err(io)?;
        hex::decode(text.trim())
            .ok()
            .and_then(|b| b.try_into().ok())
            .ok_or_else(|| {
                AppError::Invalid(format!(
                    "registry key {} is not 64 hex characters",
                    key_file.display()
                ))
            })?
    } else {
        let mut b = [0u8; 32];
        getrandom::fill(&mut b)
            .map_err(|e| AppError::Invalid(format!("no randomness for a registry key: {e}")))?;
        if let Some(dir) = key_file.parent().filter(|d| !d.as_os_str().is_empty()) {
            std::fs::create_dir_all(dir).map_err(io)?;
        }
        write_secret(key_file, &hex::encode(b)).map_err(io)?;
        b
    };
    let key = zp_certs::signing_key(&secret);
    let public = hex::encode(key.verifying_key().to_bytes());
    store.init_registry_meta(PUBLIC_KEY, &public).map_err(|e| {
        AppError::Invalid(format!(
            "{e}: the key in {} is not this registry's key",
            key_file.display()
        ))
    })?;
    Ok(key)
}

#[cfg(unix)]
fn write_secret(path: &Path, text: &str) -> std::io::Result<()> {
    use std::io::Write;
    use std::os::unix::fs::OpenOptionsExt;
    let mut f = std::fs::OpenOptions::new()
        .write(true)
        .create_new(true)
        .mode(0o600)
        .open(path)?;
    f.write_all(text.as_bytes())?;
    f.sync_all()
}

#[cfg(not(unix))]
fn write_secret(path: &Path, text: &str) -> std::io::Result<()> {
    std::fs::write(path, text)
}

/// The registry public key recorded in the database.
pub fn public_key(store: &mut dyn Store) -> Result<VerifyingKey, AppError> {
    let hex_key = store.registry_meta(PUBLIC_KEY)?.ok_or_else(|| {
        AppError::NotFound(
            "the certificate registry has no key yet: issue or import certificates first".into(),
        )
    })?;
    zp_certs::public_key_from_hex(&hex_key)
        .ok_or_else(|| AppError::Invalid(format!("stored public key {hex_key:?} is invalid")))
}

fn to_signed(rows: Vec<CertEventRow>) -> Vec<SignedEvent> {
    rows.into_iter()
        .map(|r| SignedEvent {
            seq: r.seq as u64,
            prev_hash: r.prev_hash,
            payload: r.payload,
            hash: r.hash,
            signature: r.signature,
        })
        .collect()
}

fn to_rows(events: &[SignedEvent]) -> Vec<CertEventRow> {
    events
        .iter()
        .map(|e| CertEventRow {
            seq: e.seq as i64,
            prev_hash: e.prev_hash.clone(),
            payload: e.payload.clone(),
            hash: e.hash.clone(),
            signature: e.signature.clone(),
        })
        .collect()
}

/// The registry as stored, verified (every hash and signature, once per process: see
/// [`verified`]), to change and append to.
pub fn load(store: &mut dyn Store, public: &VerifyingKey) -> Result<Registry, AppError> {
    Ok(Arc::unwrap_or_clone(verified::registry(store, public)?))
}

/// Rebuilds the registry from the whole stored log, verifying every hash and signature.
fn load_all(store: &mut dyn Store, public: &VerifyingKey) -> Result<Registry, AppError> {
    let events = to_signed(store.cert_events()?);
    zp_certs::replay(&events, public)
        .map_err(|e| AppError::Invalid(format!("certificate log: {e}")))
}

fn commit(
    store: &mut dyn Store,
    reg: &mut Registry,
    drafts: Vec<zp_certs::Draft>,
    key: &SigningKey,
    actor: &str,
) -> Result<usize, AppError> {
    if drafts.is_empty() {
        return Ok(0);
    }
    // Another writer (a second CLI, the server) may append between our load and our
    // append: the store refuses our sequence numbers as a conflict. Then reload the log
    // and apply the same operations to the registry as it is now: they either succeed on
    // top of the other writer's events or fail with the registry's own reason ("bundle
    // ... is cancelled"), never with a raw constraint error.
    let mut attempt = 0;
    loop {
        let events = reg.append(drafts.clone(), key)?;
        match store.append_cert_events(&to_rows(&events), actor) {
            Ok(()) => {
                verified::written(reg, events.len());
                return Ok(events.len());
            }
            Err(zp_store::StoreError::Conflict(_)) if attempt < APPEND_RETRIES => {
                attempt += 1;
                backoff(attempt);
                *reg = load(store, &key.verifying_key())?;
            }
            Err(zp_store::StoreError::Conflict(e)) => {
                return Err(AppError::Invalid(format!(
                    "the certificate log kept changing under this operation ({e}); try again"
                )));
            }
            Err(e) => return Err(e.into()),
        }
    }
}

/// Times an append is retried on a newer log before giving up.
const APPEND_RETRIES: u32 = 64;

/// Waits before retry `attempt`: a jittered, growing pause (1 ms up to about 50 ms) so
/// writers that collided do not collide again in step.
fn backoff(attempt: u32) {
    let nanos = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.subsec_nanos())
        .unwrap_or(0);
    let cap_ms = (1u64 << attempt.min(6)).min(50);
    let ms = 1 + u64::from(nanos) % cap_ms;
    std::thread::sleep(std::time::Duration::from_millis(ms));
}

/// Outcome of an issuance.
#[derive(Debug, Clone, serde::Serialize, schemars::JsonSchema)]
pub struct IssueOutcome {
    pub bundles_issued: usize,
    pub energy_mwh: Decimal,
    pub already_issued_hours: usize,
    pub meters: usize,
}

/// `certs issue`: one bundle per generation meter and hour in `[from, to)` (UTC epoch
/// seconds).
pub fn issue(
    store: &mut dyn Store,
    key: &SigningKey,
    readings: &dyn HourlyReadings,
    meter: Option<&str>,
    (from, to): (i64, i64),
    now: i64,
    actor: &str,
) -> Result<IssueOutcome, AppError> {
    let mut reg = load(store, &key.verifying_key())?;
    let meters: Vec<_> = store
        .meters(&Access::All, &MeterFilter::default())?
        .into_iter()
        .filter(|m| m.kind == MeterKind::Generation && meter.is_none_or(|x| x == m.meter))
        .collect();
    if let Some(m) = meter
        && meters.is_empty()
    {
        return Err(AppError::NotFound(format!("no generation meter {m:?}")));
    }
    let mut rows = Vec::new();
    let mut generators = Vec::new();
    for m in &meters {
        let org = store
            .org(&Access::All, &m.credit_code)?
            .ok_or_else(|| AppError::NotFound(m.credit_code.to_string()))?;
        for (hour_start, energy_wh) in readings.meter_hourly_wh(&m.meter, from, to)? {
            rows.push(GenerationRow {
                meter_id: m.meter.clone(),
                hour_start,
                energy_wh,
            });
        }
        let location = [org.park.clone().unwrap_or_default(), m.site.clone()]
            .into_iter()
            .filter(|s| !s.is_empty())
            .collect::<Vec<_>>()
            .join(" / ");
        generators.push(Generator {
            meter_id: m.meter.clone(),
            owner: org.credit_code,
            technology: m.source.clone(),
            region: org.region,
            location,
        });
    }
    let plan = reg.issue(&rows, &generators, now)?;
    let energy_wh: u64 = plan
        .drafts
        .iter()
        .filter_map(|d| match d.change() {
            zp_certs::Change::Issued { energy_wh, .. } => Some(*energy_wh),
            _ => None,
        })
        .sum();
    let outcome = IssueOutcome {
        bundles_issued: plan.drafts.len(),
        energy_mwh: Decimal::from(energy_wh) / Decimal::from(1_000_000),
        already_issued_hours: plan.already_issued.len(),
        meters: meters.len(),
    };
    commit(store, &mut reg, plan.drafts, key, actor)?;
    Ok(outcome)
}

/// Hourly load (sum of the enterprise's consumption meters) in `[from, to)`.
pub fn hourly_load(
    store: &mut dyn Store,
    readings: &dyn HourlyReadings,
    org: &CreditCode,
    from: i64,
    to: i64,
) -> Result<Vec<HourlyLoad>, AppError> {
    let meters = store.meters(&Access::All, &MeterFilter::of_org(org))?;
    let mut by_hour: BTreeMap<i64, Decimal> = BTreeMap::new();
    for m in meters
        .iter()
        .filter(|m| m.kind == MeterKind::Consumption && m.is_top())
    {
        for (h, wh) in readings.meter_hourly_wh(&m.meter, from, to)? {
            *by_hour.entry(h).or_default() += wh;
        }
    }
    by_hour
        .into_iter()
        .map(|(hour_start, wh)| {
            let load_wh = u64::try_from(wh.floor().mantissa() / 10i128.pow(wh.floor().scale()))
                .map_err(|_| AppError::Invalid(format!("negative load at {hour_start}")))?;
            Ok(HourlyLoad {
                hour_start,
                load_wh,
            })
        })
        .collect()
}

/// `certs match`: retire the consumer's own certificates hour by hour against its load.
pub fn match_consumer(
    store: &mut dyn Store,
    key: &SigningKey,
    readings: &dyn HourlyReadings,
    consumer: &CreditCode,
    (from, to): (i64, i64),
    now: i64,
    actor: &str,
) -> Result<usize, AppError> {
    if store.org(&Access::All, consumer)?.is_none() {
        return Err(AppError::NotFound(format!(
            "enterprise {consumer} is not registered"
        )));
    }
    let mut reg = load(store, &key.verifying_key())?;
    let loads = hourly_load(store, readings, consumer, from, to)?;
    let drafts = reg.match_hourly(consumer, &loads, now)?;
    commit(store, &mut reg, drafts, key, actor)
}

fn visible_consumer(
    store: &mut dyn Store,
    access: &Access,
    consumer: &CreditCode,
) -> Result<zp_store::Org, AppError> {
    store.org(access, consumer)?.ok_or_else(|| {
        AppError::NotFound(format!(
            "enterprise {consumer} is not registered (or not visible to you)"
        ))
    })
}

/// Local calendar days `from..=to` (Asia/Shanghai) as `[from 00:00, to+1 00:00)` in UTC
/// epoch seconds.
pub fn day_window(from: Date, to: Date) -> Result<(i64, i64), AppError> {
    if to < from {
        return Err(AppError::Invalid(format!("to {to} is before from {from}")));
    }
    let next = to
        .tomorrow()
        .map_err(|e| AppError::Invalid(format!("to {to}: {e}")))?;
    Ok((local_day_start(from), local_day_start(next)))
}

/// The registry's state, replayed and verified from the event log; an empty registry when
/// nothing was ever issued (no key recorded yet).
pub fn registry(store: &mut dyn Store) -> Result<Registry, AppError> {
    match store.registry_meta(PUBLIC_KEY)? {
        Some(_) => {
            let public = public_key(store)?;
            load(store, &public)
        }
        None => Ok(Registry::new(
            zp_certs::signing_key(&[0; 32]).verifying_key(),
        )),
    }
}

/// `report matching`.
pub fn matching_report(
    store: &mut dyn Store,
    access: &Access,
    readings: &dyn HourlyReadings,
    consumer: &CreditCode,
    (from, to): (i64, i64),
) -> Result<MatchReport, AppError> {
    let org = visible_consumer(store, access, consumer)?;
    let reg = registry(store)?;
    let loads = hourly_load(store, readings, consumer, from, to)?;
    let cfe: BTreeMap<i64, Decimal> = store
        .grid_hourly(org.region, from, to)?
        .into_iter()
        .filter_map(|h| {
            h.cfe_share
                .and_then(|c| Decimal::try_from(c).ok())
                .map(|c| (h.ts, c))
        })
        .collect();
    reg.hourly_report(consumer, &loads, &cfe)
        .map_err(AppError::from)
}

/// `certs verify`: re-walks the chain and balances. An empty log verifies without a key
/// (a registry whose first issue was interrupted after writing its key file but before
/// recording the public key has no events yet).
pub fn verify(store: &mut dyn Store) -> Result<Summary, AppError> {
    let events = to_signed(store.cert_events()?);
    if events.is_empty() {
        return Ok(Summary::empty());
    }
    let public = public_key(store)?;
    zp_certs::verify(&events, &public)
        .map_err(|e| AppError::Invalid(format!("certificate log verification failed: {e}")))
}

/// `certs evidence`, for a consumer visible through `access`.
pub fn evidence(
    store: &mut dyn Store,
    access: &Access,
    readings: &dyn HourlyReadings,
    consumer: &CreditCode,
    (from, to): (i64, i64),
) -> Result<EvidenceDoc, AppError> {
    visible_consumer(store, access, consumer)?;
    let public = public_key(store)?;
    let reg = load(store, &public)?;
    let loads = hourly_load(store, readings, consumer, from, to)?;
    reg.evidence(consumer, from, to, &loads)
        .map_err(AppError::from)
}

/// The reasons a GEC row is quarantined with, as `(code, template)` pairs (issue 14: a page
/// recognises the code and writes the reason in its language); a block overlapping an
/// imported one as the registry (`zp_certs::CertError::Gec`) words it. Credit codes,
/// periods and regions are refused with the domain's words.
pub const REASONS_EN: &[(&str, &str)] = &[
    ("gec.serial", "not a serial number"),
    ("gec.mwh", "not a whole number of MWh"),
    (
        "gec.count",
        "serials {start}..={end} hold {held} certificates, not {mwh} (1 GEC = 1 MWh)",
    ),
    ("gec.owner_unknown", "unknown organisation {code}"),
    ("gec.plant_empty", "plant is empty"),
    (
        "gec.overlap",
        "GEC serials {serials}: overlaps the imported block [{start}, {end}]",
    ),
];

/// Counts of a GEC file import.
#[derive(Debug, Clone, serde::Serialize, schemars::JsonSchema)]
pub struct GecImportOutcome {
    pub read: usize,
    pub accepted: usize,
    pub quarantined: usize,
    pub duplicates: usize,
    pub rejected: Vec<zp_store::Rejected>,
}

/// `certs import-gec FILE`: blocks of Chinese green electricity certificates, columns
/// `serial_start,serial_end,mwh,plant,production_month,owner[,technology,region]`.
pub fn import_gec(
    store: &mut dyn Store,
    key: &SigningKey,
    path: &Path,
    now: i64,
    actor: &str,
) -> Result<GecImportOutcome, crate::ImportError> {
    use zp_store::Rejected;
    let table = zp_ingest::read_table(path, zp_ingest::Limits::default())?;
    let col = |name: &str| table.column(name);
    let required = [
        "serial_start",
        "serial_end",
        "mwh",
        "plant",
        "production_month",
        "owner",
    ];
    let missing: Vec<&str> = required
        .iter()
        .copied()
        .filter(|c| col(c).is_none())
        .collect();
    if !missing.is_empty() {
        return Err(zp_ingest::ReadError::Columns {
            file: table.file.clone(),
            missing: missing.join(", "),
            found: table.headers.join(", "),
        }
        .into());
    }
    let mut reg = load(store, &key.verifying_key())
        .map_err(|e| crate::ImportError::Store(zp_store::StoreError::Corrupt(e.to_string())))?;
    let mut out = GecImportOutcome {
        read: table.rows.len(),
        accepted: 0,
        quarantined: 0,
        duplicates: 0,
        rejected: Vec::new(),
    };
    for (row, cells) in &table.rows {
        let get = |name: &str| {
            col(name)
                .and_then(|i| cells.get(i))
                .map(|s| s.trim())
                .unwrap_or("")
        };
        let reject = |field: &str, reason: String| Rejected {
            row: *row,
            field: field.into(),
            reason,
            raw: zp_ingest::Table::raw(cells),
        };
        let why = |code: &str, args: &[(&str, &str)]| write(REASONS_EN, code, args);
        let parsed = (|| {
            let start: u64 = get("serial_start")
                .parse()
                .map_err(|_| reject("serial_start", why("gec.serial", &[])))?;
            let end: u64 = get("serial_end")
                .parse()
                .map_err(|_| reject("serial_end", why("gec.serial", &[])))?;
            let mwh: u64 = get("mwh")
                .parse()
                .map_err(|_| reject("mwh", why("gec.mwh", &[])))?;
            let serials = zp_certs::IdRange { start, end };
            if end < start || serials.count() != mwh {
                let held = (end.saturating_sub(start) + 1).to_string();
                let (start, end, mwh) = (start.to_string(), end.to_string(), mwh.to_string());
                return Err(reject(
                    "mwh",
                    why(
                        "gec.count",
                        &[
                            ("start", &start),
                            ("end", &end),
                            ("held", &held),
                            ("mwh", &mwh),
                        ],
                    ),
                ));
            }
            let owner =
                CreditCode::parse(get("owner")).map_err(|e| reject("owner", e.to_string()))?;
            if store.org(&Access::All, &owner).ok().flatten().is_none() {
                let code = owner.to_string();
                return Err(reject(
                    "owner",
                    why("gec.owner_unknown", &[("code", &code)]),
                ));
            }
            let production_month = zp_domain::Period::parse(get("production_month"))
                .map_err(|e| reject("production_month", e.to_string()))?;
            let region_text = get("region");
            let region = if region_text.is_empty() {
                zp_domain::Region::national()
            } else {
                zp_domain::Region::parse(region_text)
                    .map_err(|e| reject("region", e.to_string()))?
            };
            let technology = match get("technology") {
                "" => "unspecified".to_string(),
                t => t.to_ascii_lowercase(),
            };
            let plant = get("plant").to_string();
            if plant.is_empty() {
                return Err(reject("plant", why("gec.plant_empty", &[])));
            }
            Ok(zp_certs::GecImport {
                serials,
                energy_mwh: mwh,
                plant,
                production_month,
                owner,
                technology,
                region,
            })
        })();
        let gec = match parsed {
            Ok(g) => g,
            Err(r) => {
                out.rejected.push(r);
                continue;
            }
        };
        match reg.import_gec(&gec, now) {
            Ok(Some(draft)) => {
                commit(store, &mut reg, vec![draft], key, actor).map_err(|e| {
                    crate::ImportError::Store(zp_store::StoreError::Corrupt(e.to_string()))
                })?;
                out.accepted += 1;
            }
            Ok(None) => {
                out.accepted += 1;
                out.duplicates += 1;
            }
            Err(e) => out.rejected.push(reject_row(*row, cells, e.to_string())),
        }
    }
    out.quarantined = out.rejected.len();
    let meta = crate::batch::batch_meta("gec", &table, actor);
    let counts = zp_store::ImportCounts {
        read: out.read,
        accepted: out.accepted,
        quarantined: out.quarantined,
        duplicates: out.duplicates,
        restated: 0,
    };
    store.record_batch(&meta, &counts, &out.rejected)?;
    Ok(out)
}

fn reject_row(row: i64, cells: &[String], reason: String) -> zp_store::Rejected {
    zp_store::Rejected {
        row,
        field: "serial_start".into(),
        reason,
        raw: zp_ingest::Table::raw(cells),
    }
}

/// An account holder's or the registry administrator's action on one bundle.
#[derive(Debug, Clone)]
pub enum Lifecycle {
    /// Transfer the whole bundle, or its first `energy_wh` (split off first).
    Transfer {
        bundle: BundleId,
        to: CreditCode,
        energy_wh: Option<u64>,
    },
    /// Split: the bundle keeps its first `first_energy_wh`, a new bundle gets the rest.
    Split {
        bundle: BundleId,
        first_energy_wh: u64,
    },
    /// Cancel (retire) the whole bundle or its first `energy_wh` for a consumer and a
    /// consumption hour (granular) or month (GEC).
    Retire {
        bundle: BundleId,
        energy_wh: Option<u64>,
        consumer: CreditCode,
        consumption: Consumption,
    },
    /// The consumer's claim of a cancelled bundle.
    Claim { bundle: BundleId },
    /// Withdrawal by the registry administrator, with a reason.
    Withdraw { bundle: BundleId, reason: String },
}

/// Applies one lifecycle action as `actor` (an account holder, or the registry for a
/// withdrawal). The registry refuses what the actor may not do (only the owner transfers
/// or retires) and what would break an invariant ([`AppError::Certs`]); the store refuses
/// a concurrent append to the same log position, so a certificate cannot be retired
/// twice. Returns the events appended.
pub fn apply(
    store: &mut dyn Store,
    key: &SigningKey,
    action: &Lifecycle,
    actor: &Actor,
    now: i64,
    audit_actor: &str,
) -> Result<usize, AppError> {
    let mut reg = load(store, &key.verifying_key())?;
    let drafts = match action {
        Lifecycle::Transfer {
            bundle,
            to,
            energy_wh,
        } => {
            require_registered(store, to)?;
            reg.transfer(*bundle, to, *energy_wh, actor, now)?
        }
        Lifecycle::Split {
            bundle,
            first_energy_wh,
        } => reg.split(*bundle, *first_energy_wh, actor, now)?,
        Lifecycle::Retire {
            bundle,
            energy_wh,
            consumer,
            consumption,
        } => {
            require_registered(store, consumer)?;
            reg.retire(*bundle, *energy_wh, consumer, *consumption, actor, now)?
        }
        Lifecycle::Claim { bundle } => reg.claim(*bundle, actor, now)?,
        Lifecycle::Withdraw { bundle, reason } => reg.withdraw(*bundle, reason, actor, now)?,
    };
    commit(store, &mut reg, drafts, key, audit_actor)
}

/// Which bundles to list.
#[derive(Debug, Clone, Default)]
pub struct BundleFilter {
    pub owner: Option<CreditCode>,
    /// `active`, `cancelled`, `claimed` or `withdrawn`.
    pub status: Option<String>,
    pub meter: Option<String>,
    /// Production hour (granular) within `[from, to)`, UTC epoch seconds.
    pub from: Option<i64>,
    pub to: Option<i64>,
}

/// The bundles `caller` may see, newest first, at most `limit`, and their balances. A
/// bundle is visible when its owner or the consumer it was retired for is an enterprise
/// of the caller's scope; the scope is the SQL-filtered enterprise list of the caller's
/// access (the registry itself is replayed from its event log, not a table to filter).
pub fn visible_bundles(
    store: &mut dyn Store,
    caller: &crate::Caller,
    filter: &BundleFilter,
    limit: usize,
) -> Result<(Vec<Bundle>, Balances), AppError> {
    let (all, _) = bundles(store, filter)?;
    let in_scope: Option<std::collections::HashSet<CreditCode>> = if caller.is_unscoped() {
        None
    } else {
        Some(
            store
                .orgs(&caller.access, &zp_store::OrgFilter::default())?
                .into_iter()
                .map(|o| o.credit_code)
                .collect(),
        )
    };
    let mut list: Vec<Bundle> = all
        .into_iter()
        .filter(|b| {
            in_scope.as_ref().is_none_or(|codes| {
                codes.contains(&b.owner)
                    || b.status
                        .retirement()
                        .is_some_and(|(c, _, _)| codes.contains(c))
            })
        })
        .collect();
    let mut balances = Balances::default();
    for b in &list {
        balances.issued_wh += b.energy_wh;
        balances.add_by_status(b);
    }
    list.sort_by_key(|b| std::cmp::Reverse(b.id.0));
    list.truncate(limit);
    Ok((list, balances))
}

/// The certificate registry as stored (verified, shared with this process's other
/// readers), or `None` before its first event.
pub(crate) fn stored_registry(store: &mut dyn Store) -> Result<Option<Arc<Registry>>, AppError> {
    if store.registry_meta(PUBLIC_KEY)?.is_none() {
        return Ok(None);
    }
    let public = public_key(store)?;
    verified::registry(store, &public).map(Some)
}

/// Verifies the stored registry and keeps it for this process's readers (a server does
/// this as it starts, so its first page with inventories does not wait for a whole log's
/// signature checks). Returns the number of events verified; 0 before the first.
pub fn warm_registry(store: &mut dyn Store) -> Result<usize, AppError> {
    Ok(stored_registry(store)?.map_or(0, |r| r.log().len()))
}

/// The registry's bundles (read-only; no signing key needed), and its balances.
pub fn bundles(
    store: &mut dyn Store,
    filter: &BundleFilter,
) -> Result<(Vec<Bundle>, Balances), AppError> {
    let Some(reg) = stored_registry(store)? else {
        return Ok((Vec::new(), Balances::default()));
    };
    let list = reg
        .bundles()
        .filter(|b| filter.owner.as_ref().is_none_or(|o| &b.owner == o))
        .filter(|b| {
            filter
                .status
                .as_deref()
                .is_none_or(|s| b.status.name() == s)
        })
        .filter(|b| {
            filter
                .meter
                .as_deref()
                .is_none_or(|m| b.meter_or_plant() == m)
        })
        .filter(
            |b| match (b.production_hour_start(), filter.from, filter.to) {
                (_, None, None) => true,
                (Some(h), from, to) => from.is_none_or(|f| h >= f) && to.is_none_or(|t| h < t),
                (None, _, _) => false,
            },
        )
        .cloned()
        .collect();
    Ok((list, reg.balances()))
}

/// Refuses (404) an enterprise the registry does not know.
fn require_registered(store: &mut dyn Store, code: &CreditCode) -> Result<(), AppError> {
    match store.org(&Access::All, code)? {
        Some(_) => Ok(()),
        None => Err(AppError::NotFound(format!(
            "enterprise {code} is not registered"
        ))),
    }
}
