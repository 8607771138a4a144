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
    _dir: tempfile::TempDir,
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
    std::fs::write(
        &conf,
        format!("listener {port} 127.0.0.1\nallow_anonymous true\npersistence false\n"),
    )
    .unwrap();
    let child = Command::new(bin)
        .arg("-c")
        .arg(&conf)
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
    Some(Broker {
        child,
        port,
        _dir: dir,
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
