//! Early warning (预警): meters that depart from their own baseline and enterprises whose
//! year-end forecast exceeds their budget, recorded once each and posted to webhooks.
//!
//! `zeropark alerts check --as-of DATE [--days N] [--org CODE]` judges each visible
//! consumption meter's days in the `N` days up to `as_of` ([`zp_energy::anomaly`], the
//! method is in the result) and each enterprise budget of `as_of`'s year
//! ([`crate::budget::budget_report`]); new findings are recorded (an alert's key makes it
//! unique, so running the check every hour records each finding once); [`deliver`] posts
//! every alert a webhook has not received yet to it as JSON (the CLI right after the check,
//! `zeropark serve` every minute). A webhook that fails keeps its
//! alerts for the next run (at-least-once delivery; receivers deduplicate on `key`).
//!
//! The sender speaks plain HTTP/1.1 (`http://` URLs, 5-second timeouts): a receiver
//! reached over TLS sits behind a relay on the local network.

use crate::readings::store_err;
use crate::{AppError, Caller};
use jiff::civil::Date;
use serde::Serialize;
use std::collections::BTreeMap;
use std::io::{Read, Write};
use std::net::{TcpStream, ToSocketAddrs};
use std::time::Duration;
use zp_domain::Calendar;
use zp_domain::time::{local, local_day_start};
use zp_energy::anomaly::{Day, DayKind, Finding, Method, judge};
use zp_readings::ReadingStore;
use zp_store::{Alert, BudgetScope, MeterFilter, MeterKind, NewAlert, OrgFilter, Store, Webhook};

pub use zp_energy::anomaly::Anomaly;

/// A meter's anomalous day.
#[derive(Debug, Clone, Serialize, schemars::JsonSchema)]
pub struct MeterAnomaly {
    pub credit_code: String,
    pub meter: String,
    #[serde(flatten)]
    pub anomaly: Anomaly,
}

/// What one check found and did.
#[derive(Debug, Clone, Serialize, schemars::JsonSchema)]
pub struct CheckReport {
    pub as_of: Date,
    pub days: u32,
    pub method: String,
    pub meters_checked: usize,
    pub meter_days_judged: usize,
    pub anomalies: Vec<MeterAnomaly>,
    /// Enterprise budgets whose year-end forecast exceeds the budget.
    pub budget_warnings: Vec<BudgetWarning>,
    /// Alerts recorded by this check (earlier findings are not recorded again).
    pub new_alerts: Vec<Alert>,
    /// What `alerts check` posted after recording (the CLI as the platform); empty from the
    /// API, whose server posts in the background (`zp_server::Config::alert_delivery`).
    pub deliveries: Vec<Delivery>,
}

#[derive(Debug, Clone, Serialize, schemars::JsonSchema)]
pub struct BudgetWarning {
    pub credit_code: String,
    pub year: i32,
    pub warnings: Vec<String>,
}

/// The outcome of posting to one webhook.
#[derive(Debug, Clone, Serialize, schemars::JsonSchema)]
pub struct Delivery {
    pub webhook: i64,
    pub url: String,
    pub delivered: usize,
    pub pending: usize,
    pub error: Option<String>,
}

/// The enterprises the caller sees, or the one asked for.
fn orgs(
    store: &mut dyn Store,
    caller: &Caller,
    org: Option<&zp_domain::CreditCode>,
) -> Result<Vec<zp_store::Org>, AppError> {
    match org {
        Some(code) => Ok(vec![crate::energy::visible_org(store, caller, code)?]),
        None => Ok(store.orgs(&caller.access, &OrgFilter::default())?),
    }
}

fn add_days(d: Date, n: i64) -> Result<Date, AppError> {
    d.checked_add(jiff::Span::new().days(n))
        .map_err(|e| AppError::Invalid(format!("date {d} + {n} days: {e}")))
}

/// The anomalous days of the consumption meters of `orgs` the caller sees, in the `days`
/// days up to `as_of`.
fn meter_anomalies(
    store: &mut dyn Store,
    access: &zp_store::Access,
    readings: &ReadingStore,
    orgs: &[zp_store::Org],
    as_of: Date,
    days: u32,
) -> Result<(Vec<MeterAnomaly>, usize, usize), AppError> {
    if !(1..=366).contains(&days) {
        return Err(AppError::Invalid(format!(
            "--days {days}: give 1 to 366 days"
        )));
    }
    let method = Method::default();
    let first = add_days(as_of, -(i64::from(days) - 1))?;
    let start = add_days(first, -(method.window_days as i64))?;
    let (from, to) = (local_day_start(start), local_day_start(add_days(as_of, 1)?));
    let calendar = Calendar::china();
    let mut out = Vec::new();
    let (mut checked, mut judged) = (0, 0);
    for o in orgs {
        let meters = store.meters(access, &MeterFilter::of_org(&o.credit_code))?;
        for m in meters.iter().filter(|m| m.kind == MeterKind::Consumption) {
            let rows = readings.readings(&m.meter, from, to).map_err(store_err)?;
            if rows.is_empty() {
                continue;
            }
            checked += 1;
            let mut by_day: BTreeMap<Date, u64> = BTreeMap::new();
            for (ts, wh) in rows {
                *by_day.entry(local(ts).date()).or_insert(0) += u64::from(wh);
            }
            let mut series = Vec::new();
            let mut d = start;
            while d <= as_of {
                series.push(Day {
                    date: d,
                    kwh: by_day.get(&d).map(|wh| *wh as f64 / 1000.0),
                    kind: DayKind::of(d, calendar),
                });
                d = add_days(d, 1)?;
            }
            let j = judge(&series, first, &method);
            judged += j.judged_days;
            out.extend(j.anomalies.into_iter().map(|a| MeterAnomaly {
                credit_code: o.credit_code.to_string(),
                meter: m.meter.clone(),
                anomaly: a,
            }));
        }
    }
    Ok((out, checked, judged))
}

fn meter_alert(a: &MeterAnomaly) -> NewAlert {
    let x = &a.anomaly;
    let what = match x.finding {
        Finding::High => "above",
        Finding::Low => "below",
        Finding::Missing => "missing",
    };
    let message = match x.kwh {
        Some(kwh) => format!(
            "meter {} on {}: {kwh:.1} kWh, {what} its baseline of {:.1} kWh (z = {:.1})",
            a.meter,
            x.date,
            x.baseline_kwh,
            x.z.unwrap_or_default()
        ),
        None => format!(
            "meter {} on {}: no readings (baseline {:.1} kWh)",
            a.meter, x.date, x.baseline_kwh
        ),
    };
    NewAlert {
        key: format!("meter/{}/{}", a.meter, x.date),
        kind: "meter".into(),
        credit_code: a.credit_code.clone(),
        subject: a.meter.clone(),
        day: x.date.to_string(),
        message,
        detail: serde_json::to_string(a).unwrap_or_default(),
    }
}

/// Runs the check: finds, records, posts. See the module documentation.
pub fn check(
    store: &mut dyn Store,
    caller: &Caller,
    readings: &ReadingStore,
    org: Option<&zp_domain::CreditCode>,
    as_of: Date,
    days: u32,
) -> Result<CheckReport, AppError> {
    let orgs = orgs(store, caller, org)?;
    let (anomalies, meters_checked, meter_days_judged) =
        meter_anomalies(store, &caller.access, readings, &orgs, as_of, days)?;
    let mut alerts: Vec<NewAlert> = anomalies.iter().map(meter_alert).collect();
    let year = i32::from(as_of.year());
    let mut budget_warnings = Vec::new();
    for o in &orgs {
        let scope = BudgetScope::Org(o.credit_code.clone());
        if store.budget(&scope, year)?.is_none() {
            continue;
        }
        let r = crate::budget::budget_report(store, caller, &scope, year, as_of)?;
        if !r.warning {
            continue;
        }
        // One alert per enterprise and month closed: a warning that persists is raised
        // again when a new month's figures confirm it.
        alerts.push(NewAlert {
            key: format!("budget/{}/{year}/{:02}", o.credit_code, r.months_closed),
            kind: "budget".into(),
            credit_code: o.credit_code.to_string(),
            subject: year.to_string(),
            day: as_of.to_string(),
            message: format!("{} {}: {}", o.credit_code, o.name, r.warnings.join("; ")),
            detail: serde_json::json!({
                "budget_tce": r.budget_tce, "forecast_tce": r.forecast_tce,
                "budget_tco2": r.budget_tco2, "forecast_tco2": r.forecast_tco2,
                "method": r.method,
                "name": o.name, "warnings": r.warning_codes,
            })
            .to_string(),
        });
        budget_warnings.push(BudgetWarning {
            credit_code: o.credit_code.to_string(),
            year,
            warnings: r.warnings,
        });
    }
    let new_alerts = store.record_alerts(&alerts, &caller.actor)?;
    Ok(CheckReport {
        as_of,
        days,
        method: Method::default().describe(),
        meters_checked,
        meter_days_judged,
        anomalies,
        budget_warnings,
        new_alerts,
        deliveries: Vec::new(),
    })
}

/// Posts every undelivered alert to every webhook, oldest first; stops at a webhook's
/// first failure (the rest wait for the next run).
pub fn deliver(store: &mut dyn Store) -> Result<Vec<Delivery>, AppError> {
    let mut out = Vec::new();
    for hook in store.webhooks()? {
        let pending = store.undelivered(hook.id)?;
        let mut d = Delivery {
            webhook: hook.id,
            url: hook.url.clone(),
            delivered: 0,
            pending: pending.len(),
            error: None,
        };
        for a in &pending {
            let body = serde_json::json!({"event": "zeropark.alert", "alert": a}).to_string();
            match post_json(&hook.url, &body) {
                Ok(()) => {
                    store.mark_delivered(a.id, hook.id)?;
                    d.delivered += 1;
                    d.pending -= 1;
                }
                Err(e) => {
                    d.error = Some(e);
                    break;
                }
            }
        }
        out.push(d);
    }
    Ok(out)
}

/// `http://host[:port]/path` split, or why not.
fn parse_url(url: &str) -> Result<(String, u16, String), String> {
    let rest = url.strip_prefix("http://").ok_or_else(|| {
        format!(
            "{url}: only http:// webhooks are sent (put a TLS relay in front of an https receiver)"
        )
    })?;
    let (authority, path) = match rest.find('/') {
        Some(i) => (&rest[..i], &rest[i..]),
        None => (rest, "/"),
    };
    let (host, port) = match authority.rsplit_once(':') {
        Some((h, p)) => (
            h,
            p.parse::<u16>()
                .map_err(|_| format!("{url}: port {p:?} is not a number"))?,
        ),
        None => (authority, 80),
    };
    if host.is_empty() || host.contains(['@', ' ']) {
        return Err(format!("{url}: no host"));
    }
    Ok((host.to_string(), port, path.to_string()))
}

/// Checks a webhook URL before it is stored.
pub fn valid_webhook_url(url: &str) -> Result<(), AppError> {
    if url.len() > 2000 {
        return Err(AppError::Invalid(
            "webhook URL longer than 2,000 characters".into(),
        ));
    }
    parse_url(url).map(|_| ()).map_err(AppError::Invalid)
}

/// POSTs `body` as JSON; Ok on a 2xx status.
fn post_json(url: &str, body: &str) -> Result<(), String> {
    let (host, port, path) = parse_url(url)?;
    let timeout = Duration::from_secs(5);
    let addr = (host.as_str(), port)
        .to_socket_addrs()
        .map_err(|e| format!("{host}: {e}"))?
        .next()
        .ok_or_else(|| format!("{host}: no address"))?;
    let mut s = TcpStream::connect_timeout(&addr, timeout).map_err(|e| format!("{url}: {e}"))?;
    s.set_read_timeout(Some(timeout))
        .map_err(|e| e.to_string())?;
    s.set_write_timeout(Some(timeout))
        .map_err(|e| e.to_string())?;
    let request = format!(
        "POST {path} HTTP/1.1\r\nHost: {host}:{port}\r\nContent-Type: application/json\r\nUser-Agent: zeropark\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}",
        body.len()
    );
    s.write_all(request.as_bytes())
        .map_err(|e| format!("{url}: {e}"))?;
    let mut head = [0u8; 64];
    let n = s.read(&mut head).map_err(|e| format!("{url}: {e}"))?;
    let status_line = String::from_utf8_lossy(&head[..n]);
    let code = status_line
        .split_whitespace()
        .nth(1)
        .and_then(|c| c.parse::<u16>().ok())
        .ok_or_else(|| format!("{url}: no HTTP status in the answer"))?;
    if (200..300).contains(&code) {
        Ok(())
    } else {
        Err(format!("{url}: HTTP {code}"))
    }
}

/// At most this many webhooks (each is tried on every delivery round).
pub const MAX_WEBHOOKS: usize = 20;

/// Adds a webhook (platform administrators only).
pub fn add_webhook(store: &mut dyn Store, caller: &Caller, url: &str) -> Result<Webhook, AppError> {
    only_platform(caller)?;
    valid_webhook_url(url)?;
    if store.webhooks()?.len() >= MAX_WEBHOOKS {
        return Err(AppError::Invalid(format!(
            "at most {MAX_WEBHOOKS} webhooks: remove one first"
        )));
    }
    Ok(store.add_webhook(url.trim(), &caller.actor)?)
}

pub fn webhooks(store: &mut dyn Store, caller: &Caller) -> Result<Vec<Webhook>, AppError> {
    only_platform(caller)?;
    Ok(store.webhooks()?)
}

pub fn remove_webhook(store: &mut dyn Store, caller: &Caller, id: i64) -> Result<(), AppError> {
    only_platform(caller)?;
    if store.remove_webhook(id, &caller.actor)? {
        Ok(())
    } else {
        Err(AppError::NotFound(format!("webhook {id}")))
    }
}

fn only_platform(caller: &Caller) -> Result<(), AppError> {
    if caller.is_unscoped() {
        Ok(())
    } else {
        Err(AppError::Invalid(
            "webhooks are the platform's: only a platform administrator manages them".into(),
        ))
    }
}

/// The recorded alerts the caller may see, newest first.
pub fn alerts(
    store: &mut dyn Store,
    caller: &Caller,
    limit: usize,
) -> Result<Vec<Alert>, AppError> {
    Ok(store.alerts(&caller.access, limit.clamp(1, 1000))?)
}
