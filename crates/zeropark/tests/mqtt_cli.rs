//! `zeropark ingest mqtt` against a real broker: Debian's mosquitto, started on a free port
//! for each test. Readings published as JSON objects, JSON arrays and CSV lines land in the
//! readings store; bad messages are quarantined with their message number; redelivered
//! messages change nothing; messages published while the ingester is down arrive when it
//! comes back (persistent session, acknowledged only after storing).

mod common;

use common::{Db, carbon_map, d, num};
use rumqttc::{Client, Event, MqttOptions, Outgoing, Packet, QoS};
use serde_json::Value;
use std::net::{TcpListener, TcpStream};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

const ELEC: &str = "91500112MA60ELE02H";
const TOPIC: &str = "zeropark/readings/#";

/// A mosquitto broker on 127.0.0.1, stopped when dropped.
struct Broker {
    child: Child,
    port: u16,
    bin: String,
    dir: tempfile::TempDir,
}

impl Broker {
    /// Stops the broker the way a service manager does (SIGTERM: a persistent broker saves
    /// its sessions and queued messages) and starts it again on the same port.
    fn restart(&mut self) {
        let pid = self.child.id().to_string();
        let stopped = Command::new("kill").args(["-TERM", &pid]).status().unwrap();
        assert!(stopped.success());
        self.child.wait().unwrap();
        self.child = start_mosquitto(
            &self.bin,
            &self.dir.path().join("mosquitto.conf"),
            self.port,
        );
    }
}

fn start_mosquitto(bin: &str, conf: &std::path::Path, port: u16) -> Child {
    let child = Command::new(bin)
        .arg("-c")
        .arg(conf)
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let deadline = Instant::now() + Duration::from_secs(10);
    while TcpStream::connect(("127.0.0.1", port)).is_err() {
        assert!(
            Instant::now() < deadline,
            "mosquitto did not start on port {port}"
        );
        std::thread::sleep(Duration::from_millis(50));
    }
    child
}

impl Drop for Broker {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn mosquitto() -> Option<String> {
    ["/usr/sbin/mosquitto", "/usr/bin/mosquitto"]
        .into_iter()
        .find(|p| std::path::Path::new(p).exists())
        .map(str::to_string)
}

/// Starts a broker, or `None` (with a note) where mosquitto is not installed; under CI a
/// missing broker fails the test.
fn broker() -> Option<Broker> {
    broker_with(false)
}

/// [`broker`], keeping sessions and queued messages on disk across restarts when
/// `persistent`.
fn broker_with(persistent: bool) -> Option<Broker> {
    let Some(bin) = mosquitto() else {
        assert!(
            std::env::var_os("CI").is_none(),
            "CI is set but mosquitto is not installed: the MQTT ingestion tests must run in CI"
        );
        eprintln!("mosquitto not installed (apt-get install mosquitto): MQTT ingestion not tested");
        return None;
    };
    let port = TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let dir = tempfile::tempdir().unwrap();
    let conf = dir.path().join("mosquitto.conf");
    let persistence = if persistent {
        format!(
            "persistence true\npersistence_location {}/\nmax_queued_messages 0\n",
            dir.path().display()
        )
    } else {
        "persistence false\n".to_string()
    };
    std::fs::write(
        &conf,
        format!("listener {port} 127.0.0.1\nallow_anonymous true\n{persistence}"),
    )
    .unwrap();
    let child = start_mosquitto(&bin, &conf, port);
    Some(Broker {
        child,
        port,
        bin,
        dir,
    })
}

/// Publishes each (topic, payload) with QoS 1 and waits until the broker has acknowledged all.
fn publish(port: u16, messages: &[(&str, &str)]) {
    let mut options = MqttOptions::new("zp-test-publisher", "127.0.0.1", port);
    options.set_keep_alive(Duration::from_secs(5));
    let (client, mut connection) = Client::new(options, 64);
    for (topic, payload) in messages {
        client
            .publish(*topic, QoS::AtLeastOnce, false, payload.as_bytes().to_vec())
            .unwrap();
    }
    let mut acked = 0;
    let deadline = Instant::now() + Duration::from_secs(10);
    while acked < messages.len() {
        assert!(
            Instant::now() < deadline,
            "broker acknowledged {acked} of {}",
            messages.len()
        );
        if let Ok(Ok(Event::Incoming(Packet::PubAck(_)))) =
            connection.recv_timeout(Duration::from_millis(200))
        {
            acked += 1;
        }
    }
    client.disconnect().unwrap();
    while let Ok(Ok(e)) = connection.recv_timeout(Duration::from_secs(1)) {
        if matches!(e, Event::Outgoing(Outgoing::Disconnect)) {
            break;
        }
    }
}

/// Runs the ingester until it has taken `messages` messages (or idled `idle_secs`), returns
/// its JSON lines.
fn ingest(db: &Db, port: u16, extra: &[&str]) -> Vec<Value> {
    let broker = format!("127.0.0.1:{port}");
    let mut args = vec![
        "ingest", "mqtt", "--broker", &broker, "--topic", TOPIC, "--json",
    ];
    args.extend_from_slice(extra);
    let out = db.run(&args);
    assert!(
        out.status.success(),
        "{args:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout)
        .unwrap()
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect()
}

/// ELEC's consumption and generation in the local hours 0 and 12 of 2023-07-10, MWh.
fn elec_hours(db: &Db) -> [(rust_decimal::Decimal, rust_decimal::Decimal); 2] {
    let map = db.json(&carbon_map(["--org", ELEC], "2023-07-10", "hour", None));
    let row = |hour: &str| {
        let r = map["rows"]
            .as_array()
            .unwrap()
            .iter()
            .find(|r| r["period"].as_str().unwrap().contains(hour))
            .unwrap_or_else(|| panic!("no row for {hour}: {map}"));
        (num(&r["consumption_mwh"]), num(&r["generation_mwh"]))
    };
    [row("T00:00"), row("T12:00")]
}

#[test]
fn readings_from_json_and_csv_messages_are_stored_and_bad_ones_quarantined() {
    let Some(broker) = broker() else { return };
    let db = Db::with_meters();
    // The first session subscribes; the broker keeps messages for it from then on.
    let first = ingest(&db, broker.port, &["--exit-idle-secs", "1"]);
    assert_eq!(first.last().unwrap()["messages"], 0);
    assert_eq!(first.last().unwrap()["stop"], "idle");

    publish(
        broker.port,
        &[
            (
                "zeropark/readings/ELEC-L1",
                r#"{"ts":"2023-07-10T00:00:00+08:00","kwh":500}"#,
            ),
            (
                "zeropark/readings",
                r#"[{"meter":"ELEC-L1","ts":"2023-07-10T00:15:00+08:00","kwh":500.0},
                    {"meter":"ELEC-L1","ts":"2023-07-10T00:30:00+08:00","kwh":"500"},
                    {"meter":"ELEC-L1","ts":"2023-07-10 00:45:00","kwh":500},
                    {"meter":"DC-L1","ts":"2023-07-10T00:00:00+08:00","kwh":250}]"#,
            ),
            (
                "zeropark/readings/csv",
                "ELEC-PV1,2023-07-10T12:00:00+08:00,750\nELEC-PV1,2023-07-10T12:15:00+08:00,750.5\n",
            ),
            ("zeropark/readings/ELEC-L1", "{oops"),
            (
                "zeropark/readings",
                r#"{"meter":"NOPE-1","ts":"2023-07-10T00:00:00+08:00","kwh":1}"#,
            ),
            (
                "zeropark/readings/ELEC-L1",
                r#"{"ts":"2023-07-10T01:00:00+08:00","kwh":-5}"#,
            ),
        ],
    );
    let metrics = db.file("ingest.prom");
    let lines = ingest(
        &db,
        broker.port,
        &[
            "--max-messages",
            "6",
            "--metrics-file",
            metrics.to_str().unwrap(),
        ],
    );
    let totals = lines.last().unwrap();
    // The textfile for Prometheus (node_exporter) holds the same counts and the lag.
    let prom = std::fs::read_to_string(&metrics).unwrap();
    let source = format!("mqtt://127.0.0.1:{}/{TOPIC}", broker.port);
    for line in [
        format!("zeropark_mqtt_messages_total{{source=\"{source}\"}} 6"),
        format!("zeropark_mqtt_rows_total{{source=\"{source}\",outcome=\"accepted\"}} 7"),
        format!("zeropark_mqtt_rows_total{{source=\"{source}\",outcome=\"quarantined\"}} 3"),
    ] {
        assert!(prom.lines().any(|l| l == line), "{line} not in\n{prom}");
    }
    let lag: f64 = prom
        .lines()
        .find_map(|l| {
            l.strip_prefix(&format!(
                "zeropark_mqtt_ingest_lag_seconds{{source=\"{source}\"}} "
            ))
        })
        .unwrap()
        .parse()
        .unwrap();
    assert!((0.0..60.0).contains(&lag), "{prom}");
    assert!(lines[0]["lag_ms"].as_u64().is_some(), "{lines:?}");
    assert_eq!(totals["messages"], 6, "{lines:?}");
    assert_eq!(totals["stop"], "max_messages");
    assert_eq!(totals["read"], 10, "9 readings and one unreadable message");
    assert_eq!(totals["accepted"], 7);
    assert_eq!(totals["quarantined"], 3);
    assert_eq!(totals["duplicates"], 0);
    let batches: u64 = lines[..lines.len() - 1]
        .iter()
        .map(|b| b["accepted"].as_u64().unwrap())
        .sum();
    assert_eq!(batches, 7, "the batch lines add up to the totals");

    let q = db.json(&["quarantine", "list", "--file", &source]);
    let mut rows: Vec<(i64, String, String)> = q
        .as_array()
        .unwrap()
        .iter()
        .map(|r| {
            (
                r["row"].as_i64().unwrap(),
                r["field"].as_str().unwrap().to_string(),
                r["reason"].as_str().unwrap().to_string(),
            )
        })
        .collect();
    rows.sort();
    assert_eq!(
        rows.iter().map(|r| (r.0, r.1.as_str())).collect::<Vec<_>>(),
        [(4, "payload"), (5, "meter"), (6, "kwh")],
        "{rows:?}"
    );
    assert!(rows[0].2.starts_with("invalid JSON"), "{rows:?}");
    assert!(
        rows[1].2.contains("NOPE-1") || rows[1].2.contains("unknown"),
        "{rows:?}"
    );

    // 4 x 500 kWh in hour 0; 750 + 750.5 kWh of PV in hour 12.
    assert_eq!(elec_hours(&db), [(d("2"), d("0")), (d("0"), d("1.5005"))]);

    // A redelivery (the same messages again) changes nothing.
    publish(
        broker.port,
        &[(
            "zeropark/readings/ELEC-L1",
            r#"{"ts":"2023-07-10T00:00:00+08:00","kwh":500}"#,
        )],
    );
    let again = ingest(&db, broker.port, &["--max-messages", "1"]);
    assert_eq!(
        again.last().unwrap()["accepted"],
        1,
        "{lines:?} then {again:?}"
    );
    assert_eq!(again.last().unwrap()["duplicates"], 1);
    assert_eq!(elec_hours(&db), [(d("2"), d("0")), (d("0"), d("1.5005"))]);
}

#[test]
fn an_unreachable_broker_is_a_clear_error() {
    let db = Db::with_meters();
    let port = TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let out = db.run(&[
        "ingest",
        "mqtt",
        "--broker",
        &format!("127.0.0.1:{port}"),
        "--max-messages",
        "1",
    ]);
    assert!(!out.status.success());
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains(&format!(
            "cannot connect to the MQTT broker at 127.0.0.1:{port}"
        )),
        "{err}"
    );
}

/// Issue 19 (MQTT under load): 2,000 messages of up to 10 readings (100 meters x 2 days of
/// 15-minute readings) published at full speed while the ingester runs, with the broker
/// restarted twice (once while the ingester is connected, once while messages are queued
/// for it) and the ingester killed (`SIGKILL`) mid-stream: every published reading is
/// stored exactly once, and the store equals a clean CSV import of the same readings.
#[test]
fn under_load_with_broker_and_ingester_restarts_every_published_reading_is_stored_once() {
    const METERS: usize = 100;
    const INTERVALS: usize = 2 * 96;
    let Some(mut broker) = broker_with(true) else {
        return;
    };
    let registered = || Db::with_consumption_meters("L", METERS);
    let start = jiff::civil::date(2023, 7, 10).at(0, 0, 0, 0);
    let reading = |m: usize, i: usize| {
        let t = start + jiff::Span::new().minutes(15 * i as i64);
        (
            format!("L{m}"),
            format!("{t}+08:00"),
            (m * 13 + i * 7) % 101,
        )
    };
    // The reference: the same readings as one CSV file.
    let reference = registered();
    let mut csv = String::from("meter,ts,kwh\n");
    for m in 0..METERS {
        for i in 0..INTERVALS {
            let (meter, ts, kwh) = reading(m, i);
            csv += &format!("{meter},{ts},{kwh}\n");
        }
    }
    let csv_path = reference.file("all.csv");
    std::fs::write(&csv_path, csv).unwrap();
    reference.json(&["import", "readings", csv_path.to_str().unwrap()]);

    let messages: Vec<(String, String)> = (0..METERS)
        .flat_map(|m| {
            (0..INTERVALS).step_by(10).map(move |first| {
                let items: Vec<String> = (first..(first + 10).min(INTERVALS))
                    .map(|i| {
                        let (meter, ts, kwh) = reading(m, i);
                        format!(r#"{{"meter":"{meter}","ts":"{ts}","kwh":{kwh}}}"#)
                    })
                    .collect();
                (
                    "zeropark/readings".to_string(),
                    format!("[{}]", items.join(",")),
                )
            })
        })
        .collect();
    assert_eq!(messages.len(), METERS * INTERVALS.div_ceil(10));
    let thirds: Vec<Vec<(&str, &str)>> = messages
        .chunks(messages.len().div_ceil(3))
        .map(|c| c.iter().map(|(t, p)| (t.as_str(), p.as_str())).collect())
        .collect();

    let db = registered();
    // The first session subscribes; the broker keeps messages for it from then on.
    ingest(&db, broker.port, &["--exit-idle-secs", "1"]);
    let broker_addr = format!("127.0.0.1:{}", broker.port);
    let mut running = db
        .command(&[
            "ingest",
            "mqtt",
            "--broker",
            &broker_addr,
            "--topic",
            TOPIC,
            "--flush-rows",
            "500",
            "--flush-secs",
            "1",
        ])
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    publish(broker.port, &thirds[0]);
    broker.restart(); // while the ingester is connected
    publish(broker.port, &thirds[1]);
    std::thread::sleep(Duration::from_millis(300));
    let _ = running.kill(); // SIGKILL, mid-stream
    let _ = running.wait();
    publish(broker.port, &thirds[2]); // queued for the ingester's session
    broker.restart(); // while messages are queued
    let lines = ingest(&db, broker.port, &["--exit-idle-secs", "5"]);
    let totals = lines.last().unwrap();
    assert_eq!(totals["quarantined"], 0, "{totals}");

    // Every published reading stored once: the store is the clean import's.
    let (stored, bytes) = db.export_readings();
    assert_eq!(stored, (METERS * INTERVALS) as u64);
    assert!(
        bytes == reference.export_readings().1,
        "the store differs from a clean import"
    );
}
