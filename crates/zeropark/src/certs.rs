//! `zeropark certs ...` and `zeropark report matching`: the granular certificate registry
//! from the command line. The registry's signing key lives in a file outside the database
//! (`--key-file`, default next to the SQLite file); every command that appends events
//! needs it, reading commands do not.

use crate::ctx::{Ctx, actor, open};
use crate::output;
use anyhow::{Context, anyhow, bail};
use clap::{Args, Subcommand, ValueEnum};
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use zp_app::certs::{Actor, BundleId, Consumption};
use zp_app::certs::{BundleFilter, Lifecycle};
use zp_app::{Access, Store};
use zp_domain::time::{Date, format_local, parse_timestamp};
use zp_domain::{CreditCode, Decimal, Period};

#[derive(Args)]
pub struct KeyArgs {
    /// The registry's ed25519 signing key (created with mode 0600 on first use).
    /// Default: `<db>.registry.key` next to a SQLite database, `zeropark-registry.key`
    /// for PostgreSQL.
    #[arg(long, env = "ZEROPARK_REGISTRY_KEY")]
    pub key_file: Option<PathBuf>,
}

/// Local calendar days, both inclusive (Asia/Shanghai).
#[derive(Args, Clone)]
pub struct DaysArgs {
    /// First day, YYYY-MM-DD (Asia/Shanghai).
    #[arg(long)]
    pub from: Date,
    /// Last day, YYYY-MM-DD, inclusive.
    #[arg(long)]
    pub to: Date,
}

impl DaysArgs {
    /// `[from 00:00, to+1 00:00)` as UTC epoch seconds.
    pub fn window(&self) -> anyhow::Result<(i64, i64)> {
        if self.to < self.from {
            bail!("--to {} is before --from {}", self.to, self.from);
        }
        zp_app::certs::day_window(self.from, self.to).map_err(|e| anyhow!("--to {}: {e}", self.to))
    }
}

#[derive(Clone, Copy, ValueEnum)]
pub enum EvidenceFormat {
    Json,
    Pdf,
}

#[derive(Subcommand)]
pub enum CertsCmd {
    /// Issue one certificate bundle per generation meter and metered hour (Wh, rounded
    /// down). Hours already issued are skipped, so re-running issues nothing twice.
    Issue {
        #[command(flatten)]
        days: DaysArgs,
        /// Only this generation meter.
        #[arg(long)]
        meter: Option<String>,
        #[command(flatten)]
        key: KeyArgs,
    },
    /// Import blocks of Chinese green electricity certificates (GEC, 绿证): columns
    /// serial_start,serial_end,mwh,plant,production_month,owner[,technology,region].
    ImportGec {
        file: PathBuf,
        #[command(flatten)]
        key: KeyArgs,
    },
    /// Retire the consumer's own certificates hour by hour against its metered load
    /// (same hour only).
    Match {
        /// Consumer's credit code.
        #[arg(long)]
        consumer: String,
        #[command(flatten)]
        days: DaysArgs,
        #[command(flatten)]
        key: KeyArgs,
    },
    /// Transfer a bundle (or its first --wh) to another account.
    Transfer {
        #[arg(long)]
        bundle: u64,
        /// Receiving enterprise's credit code.
        #[arg(long)]
        to: String,
        /// Transfer only this many Wh (the bundle is split first).
        #[arg(long)]
        wh: Option<u64>,
        /// Acting account holder (must own the bundle).
        #[arg(long = "as")]
        as_org: String,
        #[command(flatten)]
        key: KeyArgs,
    },
    /// Split a bundle: it keeps its first --wh, a new bundle gets the rest.
    Split {
        #[arg(long)]
        bundle: u64,
        #[arg(long)]
        wh: u64,
        #[arg(long = "as")]
        as_org: String,
        #[command(flatten)]
        key: KeyArgs,
    },
    /// Cancel (retire) a bundle, or its first --wh, for a consumer and consumption hour
    /// (granular certificates) or month (GECs).
    Retire {
        #[arg(long)]
        bundle: u64,
        #[arg(long)]
        wh: Option<u64>,
        /// Consumer's credit code.
        #[arg(long)]
        consumer: String,
        /// Consumption hour start (RFC 3339 or local time), for granular certificates.
        #[arg(long, conflicts_with = "month")]
        hour: Option<String>,
        /// Consumption month YYYY-MM, for GECs.
        #[arg(long)]
        month: Option<String>,
        #[arg(long = "as")]
        as_org: String,
        #[command(flatten)]
        key: KeyArgs,
    },
    /// Claim a cancelled bundle (its consumer or the owner who cancelled it).
    Claim {
        #[arg(long)]
        bundle: u64,
        #[arg(long = "as")]
        as_org: String,
        #[command(flatten)]
        key: KeyArgs,
    },
    /// Withdraw an active bundle (registry administrator), with a reason.
    Withdraw {
        #[arg(long)]
        bundle: u64,
        #[arg(long)]
        reason: String,
        #[command(flatten)]
        key: KeyArgs,
    },
    /// List bundles.
    List {
        #[arg(long)]
        owner: Option<String>,
        /// active, cancelled, claimed or withdrawn.
        #[arg(long)]
        status: Option<String>,
        #[arg(long)]
        meter: Option<String>,
        #[arg(long, default_value_t = 200)]
        limit: usize,
    },
    /// Registry balances: issued, active, cancelled, claimed, withdrawn (Wh).
    Balances,
    /// Re-walk the hash chain, the signatures and the balances; exit 1 naming the first
    /// bad event if anything was altered.
    Verify,
    /// The registry's public key (hex), for third-party verification of evidence.
    PublicKey,
    /// Evidence of a consumer's hourly matching: per hour consumption, matched
    /// certificate ids, generator, technology, location, and the signed events.
    Evidence {
        #[arg(long)]
        org: String,
        #[command(flatten)]
        days: DaysArgs,
        #[arg(long, value_enum, default_value = "json")]
        format: EvidenceFormat,
        /// Write to this file instead of stdout (required for pdf).
        #[arg(long)]
        out: Option<PathBuf>,
    },
}

/// Where the registry key lives for `db`.
fn key_path(db: &str, key: &KeyArgs) -> PathBuf {
    key.key_file.clone().unwrap_or_else(|| default_key_file(db))
}

/// The registry key file of `db` when none is given: next to a SQLite database.
pub fn default_key_file(db: &str) -> PathBuf {
    if db.starts_with("postgres://") || db.starts_with("postgresql://") {
        PathBuf::from("zeropark-registry.key")
    } else {
        PathBuf::from(format!("{db}.registry.key"))
    }
}

fn code(s: &str, what: &str) -> anyhow::Result<CreditCode> {
    CreditCode::parse(s.trim()).map_err(|e| anyhow!("{what} {s:?}: {e}"))
}

fn now() -> i64 {
    jiff::Timestamp::now().as_second()
}

pub fn run(ctx: &Ctx, cmd: CertsCmd) -> anyhow::Result<ExitCode> {
    let (db, json) = (ctx.db.as_str(), ctx.json);
    let mut store = open(db)?;
    let store = store.as_mut();
    let signing = |store: &mut dyn Store, key: &KeyArgs| {
        let path = key_path(db, key);
        zp_app::certs::signing_key(store, &path)
            .with_context(|| format!("registry key {}", path.display()))
    };
    match cmd {
        CertsCmd::Issue { days, meter, key } => {
            let window = days.window()?;
            let key = signing(store, &key)?;
            let readings = ctx.hourly_readings()?;
            let out = zp_app::certs::issue(
                store,
                &key,
                readings.as_ref(),
                meter.as_deref(),
                window,
                now(),
                &actor(),
            )?;
            output::either(json, &out, |_| {
                println!(
                    "issued {} bundle(s), {} MWh, from {} generation meter(s); {} hour(s) were already issued",
                    out.bundles_issued,
                    output::num(out.energy_mwh, 6),
                    out.meters,
                    out.already_issued_hours
                );
            })?;
        }
        CertsCmd::ImportGec { file, key } => {
            let key = signing(store, &key)?;
            match zp_app::certs::import_gec(store, &key, &file, now(), &actor()) {
                Ok(out) => {
                    output::either(
                        json,
                        &serde_json::json!({
                            "read": out.read,
                            "accepted": out.accepted,
                            "quarantined": out.quarantined,
                            "duplicates": out.duplicates,
                        }),
                        |_| {
                            println!(
                                "{}: read {}, accepted {} (of which {} duplicates), quarantined {}",
                                file.display(),
                                out.read,
                                out.accepted,
                                out.duplicates,
                                out.quarantined
                            );
                        },
                    )?;
                    for r in &out.rejected {
                        eprintln!(
                            "  {}: row {}, field {}: {}",
                            file.display(),
                            r.row,
                            r.field,
                            r.reason
                        );
                    }
                }
                Err(zp_app::ImportError::Read(e)) => {
                    return Ok(crate::ctx::refuse(e));
                }
                Err(e) => return Err(e.into()),
            }
        }
        CertsCmd::Match {
            consumer,
            days,
            key,
        } => {
            let consumer = code(&consumer, "--consumer")?;
            let window = days.window()?;
            let key = signing(store, &key)?;
            let readings = ctx.hourly_readings()?;
            let events = zp_app::certs::match_consumer(
                store,
                &key,
                readings.as_ref(),
                &consumer,
                window,
                now(),
                &actor(),
            )?;
            let report = zp_app::certs::matching_report(
                store,
                &Access::All,
                readings.as_ref(),
                &consumer,
                window,
            )?;
            output::either(
                json,
                &serde_json::json!({
                    "events_appended": events,
                    "load_mwh": report.load_mwh,
                    "matched_mwh": report.matched_mwh,
                }),
                |_| {
                    println!(
                        "{events} event(s) appended; matched {} of {} MWh load",
                        output::num(report.matched_mwh, 6),
                        output::num(report.load_mwh, 6)
                    );
                },
            )?;
        }
        CertsCmd::Transfer {
            bundle,
            to,
            wh,
            as_org,
            key,
        } => {
            let action = Lifecycle::Transfer {
                bundle: BundleId(bundle),
                to: code(&to, "--to")?,
                energy_wh: wh,
            };
            let key = signing(store, &key)?;
            lifecycle(store, &key, &action, &as_org, json)?;
        }
        CertsCmd::Split {
            bundle,
            wh,
            as_org,
            key,
        } => {
            let action = Lifecycle::Split {
                bundle: BundleId(bundle),
                first_energy_wh: wh,
            };
            let key = signing(store, &key)?;
            lifecycle(store, &key, &action, &as_org, json)?;
        }
        CertsCmd::Retire {
            bundle,
            wh,
            consumer,
            hour,
            month,
            as_org,
            key,
        } => {
            let consumption = match (hour, month) {
                (Some(h), None) => Consumption::Hour {
                    hour_start: parse_timestamp(&h).map_err(|e| anyhow!("--hour {h:?}: {e}"))?,
                },
                (None, Some(m)) => Consumption::Month {
                    period: Period::parse(&m).map_err(|e| anyhow!("--month {m:?}: {e}"))?,
                },
                _ => bail!(
                    "give the consumption interval: --hour TS (granular) or --month YYYY-MM (GEC)"
                ),
            };
            let action = Lifecycle::Retire {
                bundle: BundleId(bundle),
                energy_wh: wh,
                consumer: code(&consumer, "--consumer")?,
                consumption,
            };
            let key = signing(store, &key)?;
            lifecycle(store, &key, &action, &as_org, json)?;
        }
        CertsCmd::Claim {
            bundle,
            as_org,
            key,
        } => {
            let action = Lifecycle::Claim {
                bundle: BundleId(bundle),
            };
            let key = signing(store, &key)?;
            lifecycle(store, &key, &action, &as_org, json)?;
        }
        CertsCmd::Withdraw {
            bundle,
            reason,
            key,
        } => {
            let key = signing(store, &key)?;
            let action = Lifecycle::Withdraw {
                bundle: BundleId(bundle),
                reason,
            };
            let n = zp_app::certs::apply(store, &key, &action, &Actor::Registry, now(), &actor())?;
            report_events(n, json)?;
        }
        CertsCmd::List {
            owner,
            status,
            meter,
            limit,
        } => {
            let filter = BundleFilter {
                owner: owner.map(|o| code(&o, "--owner")).transpose()?,
                status,
                meter,
                ..Default::default()
            };
            let (bundles, _) = zp_app::certs::bundles(store, &filter)?;
            let shown = &bundles[..bundles.len().min(limit)];
            if json {
                output::json(&serde_json::json!({"total": bundles.len(), "bundles": shown}))?;
            } else {
                let rows: Vec<Vec<String>> = shown
                    .iter()
                    .map(|b| {
                        vec![
                            b.id.0.to_string(),
                            format!("{}-{}", b.ids.start, b.ids.end),
                            b.energy_wh.to_string(),
                            b.owner.to_string(),
                            b.meter_or_plant().to_string(),
                            b.production_hour_start()
                                .map(format_local)
                                .unwrap_or_else(|| "monthly (GEC)".into()),
                            b.technology.clone(),
                            b.status.name().to_string(),
                        ]
                    })
                    .collect();
                output::table(
                    &[
                        "bundle",
                        "ids",
                        "Wh",
                        "owner",
                        "meter/plant",
                        "produced",
                        "tech",
                        "status",
                    ],
                    &rows,
                );
                if bundles.len() > shown.len() {
                    println!("({} of {} shown; --limit)", shown.len(), bundles.len());
                }
            }
        }
        CertsCmd::Balances => {
            let (_, b) = zp_app::certs::bundles(store, &BundleFilter::default())?;
            if json {
                output::json(&b)?;
            } else {
                let mwh = |wh: u64| output::num(Decimal::from(wh) / Decimal::from(1_000_000), 6);
                output::table(
                    &["issued MWh", "active", "cancelled", "claimed", "withdrawn"],
                    &[vec![
                        mwh(b.issued_wh),
                        mwh(b.active_wh),
                        mwh(b.cancelled_wh),
                        mwh(b.claimed_wh),
                        mwh(b.withdrawn_wh),
                    ]],
                );
            }
        }
        CertsCmd::Verify => {
            let summary = zp_app::certs::verify(store)?;
            output::either(json, &summary, |_| {
                println!(
                    "certificate log verified: {} event(s), chain head {}, balances consistent",
                    summary.events, summary.head_hash
                );
            })?;
        }
        CertsCmd::PublicKey => {
            let key = zp_app::certs::public_key(store)?;
            let hex_key = hex::encode(key.as_bytes());
            output::either(json, &serde_json::json!({ "public_key": hex_key }), |_| {
                println!("{hex_key}");
            })?;
        }
        CertsCmd::Evidence {
            org,
            days,
            format,
            out,
        } => {
            let org = code(&org, "--org")?;
            let (from, to) = days.window()?;
            let readings = ctx.hourly_readings()?;
            let doc =
                zp_app::certs::evidence(store, &Access::All, readings.as_ref(), &org, (from, to))?;
            match format {
                EvidenceFormat::Json => {
                    let text = serde_json::to_string_pretty(&doc)?;
                    match &out {
                        Some(p) => write_file(p, text.as_bytes())?,
                        None => println!("{text}"),
                    }
                }
                EvidenceFormat::Pdf => {
                    let Some(p) = &out else {
                        bail!("--format pdf writes a file: give --out FILE.pdf");
                    };
                    write_file(p, &zp_app::evidence_pdf::render(&doc))?;
                }
            }
            if let Some(p) = &out {
                eprintln!(
                    "evidence for {org}: {} hour(s), matched {} of {} Wh, chain head {} -> {}",
                    doc.hours.len(),
                    doc.matched_wh,
                    doc.consumption_wh,
                    doc.head_hash,
                    p.display()
                );
            }
        }
    }
    Ok(ExitCode::SUCCESS)
}

fn write_file(path: &Path, bytes: &[u8]) -> anyhow::Result<()> {
    std::fs::write(path, bytes).with_context(|| format!("writing {}", path.display()))
}

fn lifecycle(
    store: &mut dyn Store,
    key: &zp_app::certs::SigningKey,
    action: &Lifecycle,
    as_org: &str,
    json: bool,
) -> anyhow::Result<()> {
    let who = Actor::Account(code(as_org, "--as")?);
    let n = zp_app::certs::apply(store, key, action, &who, now(), &actor())?;
    report_events(n, json)
}

fn report_events(n: usize, json: bool) -> anyhow::Result<()> {
    if json {
        output::json(&serde_json::json!({ "events_appended": n }))
    } else {
        println!("{n} event(s) appended to the certificate log");
        Ok(())
    }
}

/// `report matching --org CODE --from DATE --to DATE [--engine E --lake DIR]`.
pub fn matching_report(
    ctx: &Ctx,
    org: &str,
    days: &DaysArgs,
    on: &crate::lake::EngineArgs,
) -> anyhow::Result<ExitCode> {
    let json = ctx.json;
    let org = code(org, "--org")?;
    let (from, to) = days.window()?;
    let r = if on.engine == zp_lake::Engine::Native {
        let mut store = open(&ctx.db)?;
        let readings = ctx.hourly_readings()?;
        zp_app::certs::matching_report(
            store.as_mut(),
            &Access::All,
            readings.as_ref(),
            &org,
            (from, to),
        )?
    } else {
        match crate::lake::on_lake(on, |lake| {
            zp_lake::lake_matching(lake, &on.engine, &org, (from, to))
        }) {
            Ok(r) => r,
            Err(end) => return end,
        }
    };
    if json {
        output::json(&r)?;
        return Ok(ExitCode::SUCCESS);
    }
    output::table(
        &["load MWh", "matched MWh", "CFE score", "annual match ratio"],
        &[vec![
            output::num(r.load_mwh, 6),
            output::num(r.matched_mwh, 6),
            output::opt_num(r.cfe_score, 4),
            output::opt_num(r.annual_match_ratio, 4),
        ]],
    );
    Ok(ExitCode::SUCCESS)
}
