//! The energy-carbon management centre's daily commands: `report energy-flow` (能流分析)
//! and `alerts check|list|webhook` (预警). Refusals exit 2 with the reason on stderr.

use crate::ctx::{Ctx, Fail, credit_code, finish};
use crate::output::{self, num};
use clap::{Args, Subcommand};
use std::process::ExitCode;
use zp_app::alerts as uc;
use zp_app::flows::{FlowScope, energy_flow};
use zp_domain::time::Date;

#[derive(Args)]
pub struct FlowArgs {
    /// Enterprise credit code.
    #[arg(long, conflicts_with = "park", required_unless_present = "park")]
    pub org: Option<String>,
    /// Park name (sums its enterprises).
    #[arg(long)]
    pub park: Option<String>,
    #[arg(long, value_parser = crate::args::year)]
    pub year: i32,
}

/// `zeropark report energy-flow`.
pub fn flow(ctx: &Ctx, a: &FlowArgs) -> anyhow::Result<ExitCode> {
    finish((|| {
        let scope = match (&a.org, &a.park) {
            (Some(o), _) => FlowScope::Org(credit_code(o.trim(), "--org")?),
            (None, Some(p)) => FlowScope::Park(p.clone()),
            (None, None) => return Err(Fail::Refused("give --org or --park".into())),
        };
        let mut store = ctx.open()?;
        let readings = ctx.readings()?;
        let r = energy_flow(
            store.as_mut(),
            &ctx.caller(),
            Some(&readings),
            &scope,
            a.year,
        )?;
        output::either(ctx.json, &r, |r| {
            println!(
                "{} {} {}: {} tce",
                r.scope,
                r.name,
                r.year,
                num(r.flow.total_tce, 3)
            );
            output::table_of(&["from", "to", "tce", "kWh"], &r.flow.links, |l| {
                vec![
                    l.source.clone(),
                    l.target.clone(),
                    num(l.value_tce, 3),
                    l.kwh.map(|k| num(k, 0)).unwrap_or_default(),
                ]
            });
            if !r.flow.losses.is_empty() {
                println!("balance of master meters:");
                output::table_of(
                    &[
                        "meter",
                        "master kWh",
                        "sub-meters kWh",
                        "unmetered kWh",
                        "share",
                    ],
                    &r.flow.losses,
                    |b| {
                        vec![
                            b.meter.clone(),
                            num(b.master_kwh, 0),
                            num(b.sub_meters_kwh, 0),
                            num(b.unmetered_kwh, 0),
                            b.unmetered_share
                                .map(|s| format!("{:.1} %", s * rust_decimal::Decimal::from(100)))
                                .unwrap_or_default(),
                        ]
                    },
                );
            }
            for f in &r.flow.faults {
                println!("fault: {f}");
            }
            for n in &r.notes {
                println!("note: {n}");
            }
        })?;
        Ok(())
    })())
}

#[derive(Subcommand)]
pub enum AlertsCmd {
    /// Judge the meters' recent days against their baselines and the budgets' forecasts;
    /// record new findings and post undelivered alerts to the webhooks.
    Check {
        /// The last day judged (default yesterday, Asia/Shanghai).
        #[arg(long)]
        as_of: Option<Date>,
        /// How many days up to --as-of are judged.
        #[arg(long, default_value_t = 7)]
        days: u32,
        /// Only this enterprise.
        #[arg(long)]
        org: Option<String>,
    },
    /// Recorded alerts, newest first.
    List {
        #[arg(long, default_value_t = 50)]
        limit: usize,
    },
    /// Webhooks the alerts are posted to (platform administrators).
    #[command(subcommand)]
    Webhook(WebhookCmd),
}

#[derive(Subcommand)]
pub enum WebhookCmd {
    /// Add an http:// URL; every alert is POSTed to it as JSON {event, alert}.
    Add {
        url: String,
    },
    List,
    Remove {
        id: i64,
    },
}

/// `zeropark alerts ...`.
pub fn alerts(ctx: &Ctx, cmd: AlertsCmd) -> anyhow::Result<ExitCode> {
    finish(match cmd {
        AlertsCmd::Check { as_of, days, org } => check(ctx, as_of, days, org.as_deref()),
        AlertsCmd::List { limit } => list(ctx, limit),
        AlertsCmd::Webhook(w) => webhook(ctx, w),
    })
}

fn check(ctx: &Ctx, as_of: Option<Date>, days: u32, org: Option<&str>) -> Result<(), Fail> {
    let org = org.map(|o| credit_code(o.trim(), "--org")).transpose()?;
    let as_of = match as_of {
        Some(d) => d,
        None => zp_domain::time::today()
            .yesterday()
            .map_err(|e| Fail::Other(e.into()))?,
    };
    let mut store = ctx.open()?;
    let readings = ctx.readings()?;
    let mut r = uc::check(
        store.as_mut(),
        &ctx.caller(),
        &readings,
        org.as_ref(),
        as_of,
        days,
    )?;
    // The CLI runs as the platform operator: it posts what the webhooks have not received.
    r.deliveries = uc::deliver(store.as_mut())?;
    output::either(ctx.json, &r, |r| {
        println!(
            "{} meter(s), {} meter-day(s) judged up to {}: {} anomal(ies), {} budget warning(s), {} new alert(s)",
            r.meters_checked,
            r.meter_days_judged,
            r.as_of,
            r.anomalies.len(),
            r.budget_warnings.len(),
            r.new_alerts.len()
        );
        output::table_of(
            &["meter", "day", "finding", "kWh", "baseline kWh", "z"],
            &r.anomalies,
            |a| {
                let x = &a.anomaly;
                vec![
                    a.meter.clone(),
                    x.date.to_string(),
                    x.finding.key().into(),
                    x.kwh.map(|k| format!("{k:.1}")).unwrap_or_default(),
                    format!("{:.1}", x.baseline_kwh),
                    x.z.map(|z| format!("{z:.1}")).unwrap_or_default(),
                ]
            },
        );
        for w in &r.budget_warnings {
            println!(
                "budget {} {}: {}",
                w.credit_code,
                w.year,
                w.warnings.join("; ")
            );
        }
        for d in &r.deliveries {
            println!(
                "webhook {} {}: {} delivered, {} pending{}",
                d.webhook,
                d.url,
                d.delivered,
                d.pending,
                d.error
                    .as_deref()
                    .map(|e| format!(" ({e})"))
                    .unwrap_or_default()
            );
        }
        println!("method: {}", r.method);
    })?;
    Ok(())
}

fn list(ctx: &Ctx, limit: usize) -> Result<(), Fail> {
    let mut store = ctx.open()?;
    let rows = uc::alerts(store.as_mut(), &ctx.caller(), limit)?;
    output::either(ctx.json, &rows, |rows| {
        output::table_of(&["id", "kind", "org", "day", "message"], rows, |a| {
            vec![
                a.id.to_string(),
                a.alert.kind.clone(),
                a.alert.credit_code.clone(),
                a.alert.day.clone(),
                a.alert.message.clone(),
            ]
        })
    })?;
    Ok(())
}

fn webhook(ctx: &Ctx, cmd: WebhookCmd) -> Result<(), Fail> {
    let mut store = ctx.open()?;
    let caller = ctx.caller();
    match cmd {
        WebhookCmd::Add { url } => {
            let w = uc::add_webhook(store.as_mut(), &caller, &url)?;
            output::either(ctx.json, &w, |w| println!("webhook {}: {}", w.id, w.url))?;
        }
        WebhookCmd::List => {
            let rows = uc::webhooks(store.as_mut(), &caller)?;
            output::either(ctx.json, &rows, |rows| {
                output::table_of(&["id", "url", "by", "at"], rows, |w| {
                    vec![
                        w.id.to_string(),
                        w.url.clone(),
                        w.created_by.clone(),
                        w.created_at.clone(),
                    ]
                })
            })?;
        }
        WebhookCmd::Remove { id } => {
            uc::remove_webhook(store.as_mut(), &caller, id)?;
            output::either(ctx.json, &serde_json::json!({"removed": id}), |_| {
                println!("webhook {id} removed")
            })?;
        }
    }
    Ok(())
}
