//! `zeropark ingest mqtt`: streaming ingestion of interval readings from an MQTT broker
//! into the readings store, under the same rules as `import readings`.

use crate::ctx::{Ctx, actor};
use anyhow::{Context, anyhow};
use clap::{Args, Subcommand};
use serde::Serialize;
use std::process::ExitCode;
use std::time::Duration;
use zp_app::readings::ReadingsImport;
use zp_app::stream::{StreamReject, StreamRow, import_stream_batch};
use zp_mqtt::{Message, Settings, Stop};

#[derive(Subcommand)]
pub enum IngestCmd {
    /// Subscribe to an MQTT broker and store the interval readings published there.
    ///
    /// Payloads: a JSON object {"meter","ts","kwh"}, a JSON array of them, or text lines
    /// `meter,ts,kwh`; without a meter, the topic's last level names it. Messages are
    /// acknowledged only after their batch is stored, so a restart loses nothing and a
    /// redelivered message changes nothing. Bad rows go to the quarantine with the
    /// message number as their row. With --json, one JSON line per stored batch and a
    /// last line with the totals.
    Mqtt(MqttArgs),
}

#[derive(Args)]
pub struct MqttArgs {
    /// Broker address, `host:port` or `mqtt://host:port`.
    #[arg(long, default_value = "127.0.0.1:1883")]
    broker: String,
    /// Topic filter to subscribe to (repeat for more).
    #[arg(long = "topic", default_value = "zeropark/readings/#")]
    topics: Vec<String>,
    /// Client id; keep it stable so the broker keeps unacknowledged messages across restarts.
    #[arg(long, default_value = "zeropark-ingest")]
    client_id: String,
    /// User name; the password comes from the environment variable ZEROPARK_MQTT_PASSWORD.
    #[arg(long)]
    username: Option<String>,
    /// Store a batch once it holds this many readings.
    #[arg(long, default_value_t = 50_000)]
    flush_rows: usize,
    /// ... or this many messages: keep it below the broker's in-flight window for the
    /// ingester (mosquitto's `max_inflight_messages`, 20 by default), which sends nothing
    /// more until messages are acknowledged.
    #[arg(long, default_value_t = 16)]
    flush_messages: usize,
    /// ... or once its oldest message is this many seconds old.
    #[arg(long, default_value_t = 10)]
    flush_secs: u64,
    /// Stop after this many messages.
    #[arg(long)]
    max_messages: Option<u64>,
    /// Stop when no message came for this many seconds.
    #[arg(long)]
    exit_idle_secs: Option<u64>,
    /// After every batch, write the session's counters and ingest lag to this file in the
    /// Prometheus text format (for node_exporter's textfile collector), replaced atomically.
    #[arg(long)]
    metrics_file: Option<std::path::PathBuf>,
}

/// Totals of a session, the last JSON line.
#[derive(Debug, Default, Serialize)]
struct Totals {
    source: String,
    messages: u64,
    batches: u64,
    read: usize,
    accepted: usize,
    quarantined: usize,
    duplicates: usize,
    restated: usize,
    stop: &'static str,
}

impl Totals {
    fn add(&mut self, c: &ReadingsImport) {
        self.batches += 1;
        self.read += c.read;
        self.accepted += c.accepted;
        self.quarantined += c.quarantined;
        self.duplicates += c.duplicates;
        self.restated += c.restated;
    }
}

pub fn run(ctx: &Ctx, cmd: IngestCmd) -> anyhow::Result<ExitCode> {
    let json = ctx.json;
    let IngestCmd::Mqtt(args) = cmd;
    let settings = settings(&args)?;
    let source = settings.source();
    let mut store = ctx.open()?;
    let mut readings = ctx.readings()?;
    let actor = actor();
    let mut totals = Totals {
        source: source.clone(),
        ..Totals::default()
    };
    eprintln!("ingest: subscribed to {source} (Ctrl-C stops; unstored messages are redelivered)");
    let mut sink = |batch: &[Message]| -> Result<(), String> {
        let (rows, rejects) = split(batch);
        let c = import_stream_batch(
            store.as_mut(),
            &mut readings,
            &source,
            &rows,
            &rejects,
            &actor,
        )
        .map_err(|e| e.to_string())?;
        totals.add(&c);
        totals.messages = batch.last().map_or(totals.messages, |m| m.seq);
        // From the batch's first message arriving to its readings stored.
        let lag = batch
            .first()
            .map_or(0.0, |m| m.received.elapsed().as_secs_f64());
        if let Some(path) = &args.metrics_file {
            write_metrics(path, &totals, lag).map_err(|e| e.to_string())?;
        }
        report_batch(batch, &c, lag, json).map_err(|e| e.to_string())
    };
    let summary = zp_mqtt::run(&settings, &mut sink).context("MQTT ingestion")?;
    totals.messages = summary.messages;
    totals.stop = match summary.stop {
        Stop::MaxMessages => "max_messages",
        Stop::Idle => "idle",
    };
    if json {
        println!("{}", serde_json::to_string(&totals)?);
    } else {
        println!(
            "{source}: {} messages in {} batches: read {}, accepted {} (of which {} duplicates, {} restated), quarantined {}",
            totals.messages,
            totals.batches,
            totals.read,
            totals.accepted,
            totals.duplicates,
            totals.restated,
            totals.quarantined
        );
    }
    Ok(ExitCode::SUCCESS)
}

fn settings(args: &MqttArgs) -> anyhow::Result<Settings> {
    let address = args.broker.strip_prefix("mqtt://").unwrap_or(&args.broker);
    let (host, port) = match address.rsplit_once(':') {
        Some((host, port)) => (
            host,
            port.parse::<u16>()
                .map_err(|_| anyhow!("--broker {}: the port must be a number", args.broker))?,
        ),
        None => (address, 1883),
    };
    if host.is_empty() {
        return Err(anyhow!("--broker {}: no host", args.broker));
    }
    let mut s = Settings::new(host, port, &args.topics[0]);
    s.topics.clone_from(&args.topics);
    s.client_id.clone_from(&args.client_id);
    s.flush_rows = args.flush_rows.max(1);
    s.flush_messages = args.flush_messages.max(1);
    s.flush_after = Duration::from_secs(args.flush_secs);
    s.max_messages = args.max_messages;
    s.exit_idle = args.exit_idle_secs.map(Duration::from_secs);
    if let Some(user) = &args.username {
        let password = std::env::var("ZEROPARK_MQTT_PASSWORD")
            .context("--username needs the password in ZEROPARK_MQTT_PASSWORD")?;
        s.credentials = Some((user.clone(), password));
    }
    Ok(s)
}

/// The readings and refusals of a batch, each tagged with its message number.
fn split(batch: &[Message]) -> (Vec<StreamRow>, Vec<StreamReject>) {
    let mut rows = Vec::new();
    let mut rejects = Vec::new();
    for m in batch {
        rows.extend(m.parsed.readings.iter().map(|r| StreamRow {
            meter: r.meter.clone(),
            ts: r.ts.clone(),
            kwh: r.kwh.clone(),
            message: m.seq,
        }));
        rejects.extend(m.parsed.refused.iter().map(|r| StreamReject {
            message: m.seq,
            field: r.field.clone(),
            reason: r.reason.clone(),
            raw: format!("{} | {}", m.topic, r.raw),
        }));
    }
    (rows, rejects)
}

/// The session's counters in the Prometheus text format, written to a temporary file and
/// renamed over `path`.
fn write_metrics(path: &std::path::Path, t: &Totals, lag_secs: f64) -> anyhow::Result<()> {
    let src = t.source.replace('\\', "\\\\").replace('"', "\\\"");
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0.0, |d| d.as_secs_f64());
    let mut out = String::new();
    let mut metric = |name: &str, kind: &str, help: &str, values: &[(&str, String)]| {
        out += &format!("# HELP {name} {help}\n# TYPE {name} {kind}\n");
        for (labels, v) in values {
            out += &format!("{name}{{source=\"{src}\"{labels}}} {v}\n");
        }
    };
    metric(
        "zeropark_mqtt_messages_total",
        "counter",
        "Messages taken from the broker in this session.",
        &[("", t.messages.to_string())],
    );
    metric(
        "zeropark_mqtt_batches_total",
        "counter",
        "Batches stored in this session.",
        &[("", t.batches.to_string())],
    );
    metric(
        "zeropark_mqtt_rows_total",
        "counter",
        "Readings read in this session, by outcome (read = accepted + quarantined; duplicates are part of accepted).",
        &[
            (",outcome=\"accepted\"", t.accepted.to_string()),
            (",outcome=\"quarantined\"", t.quarantined.to_string()),
            (",outcome=\"duplicate\"", t.duplicates.to_string()),
        ],
    );
    metric(
        "zeropark_mqtt_ingest_lag_seconds",
        "gauge",
        "From the last batch's first message arriving to its readings stored.",
        &[("", format!("{lag_secs:.3}"))],
    );
    metric(
        "zeropark_mqtt_last_batch_timestamp_seconds",
        "gauge",
        "When the last batch was stored (Unix time): staleness = time() - this.",
        &[("", format!("{now:.3}"))],
    );
    let tmp = path.with_extension("tmp");
    std::fs::write(&tmp, out).with_context(|| format!("writing {}", tmp.display()))?;
    std::fs::rename(&tmp, path).with_context(|| format!("writing {}", path.display()))?;
    Ok(())
}

#[derive(Serialize)]
struct BatchLine<'a> {
    first_message: u64,
    last_message: u64,
    /// From the batch's first message arriving to its readings stored, milliseconds.
    lag_ms: u64,
    #[serde(flatten)]
    counts: &'a ReadingsImport,
}

fn report_batch(
    batch: &[Message],
    c: &ReadingsImport,
    lag_secs: f64,
    json: bool,
) -> anyhow::Result<()> {
    let (first, last) = (
        batch.first().map_or(0, |m| m.seq),
        batch.last().map_or(0, |m| m.seq),
    );
    if json {
        let line = BatchLine {
            first_message: first,
            last_message: last,
            lag_ms: (lag_secs * 1000.0) as u64,
            counts: c,
        };
        println!("{}", serde_json::to_string(&line)?);
    } else {
        eprintln!(
            "  messages {first}..{last}: read {}, accepted {}, quarantined {} (batch {})",
            c.read, c.accepted, c.quarantined, c.batch_id
        );
    }
    Ok(())
}
