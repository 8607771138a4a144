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
    conf: std::path::PathBuf,
    _dir: tempfile::TempDir,
}

impl Drop for Broker {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

impl Broker {
    fn spawn(bin: &str, conf: &std::path::Path, port: u16) -> Child {
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

    /// Stops the broker as an operator does (SIGTERM: a persistent broker saves its
    /// sessions and queued messages) and starts it again on the same port and files.
    fn restart(&mut self) {
        let stopped = Command::new("kill")
            .args(["-TERM", &self.child.id().to_string()])
            .status()
            .unwrap();
        assert!(stopped.success());
        self.child.wait().unwrap();
        self.child = Broker::spawn(&self.bin, &self.conf, self.port);
    }
}

fn mosquitto() -> Option<String> {
    ["/usr/sbin/mosquitto", "/usr/bin/mosquitto"]
        .into_iter()
        .find(|p| std::path::Path::new(p).exists())
        .map(str::to_string)
}

/// Starts a broker (keeping sessions and queued messages on disk across restarts when
/// `persistent`), or `None` (with a note) where mosquitto is not installed; under CI a
/// missing broker fails the test.
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
        // mosquitto started as root runs as the `mosquitto` user: it must be able to
        // write its database there.
        use std::os::unix::fs::PermissionsExt;
        let store = dir.path().join("persistence");
        std::fs::create_dir(&store).unwrap();
        std::fs::set_permissions(dir.path(), std::fs::Permissions::from_mode(0o755)).unwrap();
        std::fs::set_permissions(&store, std::fs::Permissions::from_mode(0o777)).unwrap();
        format!(
            "persistence true\npersistence_location {0}/\nlog_dest file {0}/broker.log\nlog_type all\n\
             max_queued_messages 100000\n",
            store.display()
        )
    } else {
        "persistence false\n".to_string()
    };
    std::fs::write(
        &conf,
        format!("listener {port} 127.0.0.1\nallow_anonymous true\n{persistence}"),
    )
    .unwrap();
    let child = Broker::spawn(&bin, &conf, port);
    Some(Broker {
        child,
        port,
        bin,
        conf,
        _dir: dir,
    })
}

fn broker() -> Option<Broker> {
    broker_with(false)
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

/// A publisher that survives broker restarts: publishes a chunk with QoS 1, waits for every
/// acknowledgement, and on a connection error connects again and publishes the whole
/// chunk again (QoS 1 is at least once: the store must absorb the duplicates).
struct Publisher {
    port: u16,
    sessions: u32,
}

impl Publisher {
    /// Returns once the broker has acknowledged every message of `chunk`.
    fn publish_chunk(&mut self, chunk: &[(String, String)]) {
        let deadline = Instant::now() + Duration::from_secs(60);
        loop {
            assert!(Instant::now() < deadline, "chunk not acknowledged in 60 s");
            self.sessions += 1;
            let mut options = MqttOptions::new(
                format!("zp-test-publisher-{}", self.sessions),
                "127.0.0.1",
                self.port,
            );
            options.set_keep_alive(Duration::from_secs(5));
            let (client, mut connection) = Client::new(options, chunk.len() + 8);
            for (topic, payload) in chunk {
                client
                    .publish(topic, QoS::AtLeastOnce, false, payload.as_bytes().to_vec())
                    .unwrap();
            }
            let mut acked = 0;
            let failed = loop {
                match connection.recv_timeout(Duration::from_secs(5)) {
                    Ok(Ok(Event::Incoming(Packet::PubAck(_)))) => {
                        acked += 1;
                        if acked == chunk.len() {
                            break false;
                        }
                    }
                    Ok(Ok(_)) => {}
                    Ok(Err(_)) | Err(_) => break true,
                }
            };
            let _ = client.disconnect();
            while let Ok(Ok(e)) = connection.recv_timeout(Duration::from_millis(500)) {
                if matches!(e, Event::Outgoing(Outgoing::Disconnect)) {
                    break;
                }
            }
            if !failed {
                return;
            }
            std::thread::sleep(Duration::from_millis(200));
        }
    }
}

/// The ingester as a child process (killed when dropped).
struct Ingester(Child);

impl Drop for Ingester {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

/// Starts the ingester; its output goes to `ingest-{n}.out` and `.err` in the test folder.
fn start_ingester(db: &Db, port: u16, n: u32) -> Ingester {
    let broker = format!("127.0.0.1:{port}");
    let out = std::fs::File::create(db.file(&format!("ingest-{n}.out"))).unwrap();
    let err = std::fs::File::create(db.file(&format!("ingest-{n}.err"))).unwrap();
    let child = db
        .command(&[
            "ingest",
            "mqtt",
            "--broker",
            &broker,
            "--topic",
            TOPIC,
            "--json",
            "--exit-idle-secs",
            "4",
        ])
        .stdout(out)
        .stderr(err)
        .spawn()
        .unwrap();
    Ingester(child)
}

/// Issue 19: 2,000 QoS 1 messages (8,000 readings) published while the broker is restarted
/// twice and the ingester is killed (SIGKILL) mid-stream and started again: every reading
/// published is stored exactly once (the store's count equals the distinct readings
/// published, their sum the sum published), whatever was redelivered.
#[test]
fn every_reading_published_is_stored_once_across_broker_and_ingester_restarts() {
    let Some(mut broker) = broker_with(true) else {
        return;
    };
    let db = Db::with_consumption_meters("RST-", 4);
    // The first session subscribes (the broker keeps messages for it from then on).
    let first = ingest(&db, broker.port, &["--exit-idle-secs", "1"]);
    assert_eq!(first.last().unwrap()["messages"], 0);

    // Message i: the four meters' readings of the i-th quarter hour from 2023-07-01 00:00
    // local, meter m reading i * 4 + m + 1 Wh (written in kWh, exact).
    const MESSAGES: usize = 2_000;
    let start = 1_688_140_800i64; // 2023-07-01T00:00:00+08:00
    let messages: Vec<(String, String)> = (0..MESSAGES)
        .map(|i| {
            let ts = jiff::Timestamp::from_second(start + 900 * i as i64).unwrap();
            let body: Vec<String> = (0..4)
                .map(|m| {
                    let wh = i * 4 + m + 1;
                    format!(
                        r#"{{"meter":"RST-{m}","ts":"{ts}","kwh":"{}.{:03}"}}"#,
                        wh / 1000,
                        wh % 1000
                    )
                })
                .collect();
            (
                "zeropark/readings".to_string(),
                format!("[{}]", body.join(",")),
            )
        })
        .collect();
    let mut publisher = Publisher {
        port: broker.port,
        sessions: 0,
    };
    let mut ingester = start_ingester(&db, broker.port, 1);
    for (n, chunk) in messages.chunks(100).enumerate() {
        publisher.publish_chunk(chunk);
        match n {
            // Broker restarts with messages queued and in flight to the ingester.
            4 | 13 => broker.restart(),
            // The ingester killed mid-stream and started again with the same client id.
            8 => {
                drop(ingester);
                ingester = start_ingester(&db, broker.port, 2);
            }
            _ => {}
        }
    }
    // The ingester stops after 4 s without a message; everything must be stored by then.
    let deadline = Instant::now() + Duration::from_secs(120);
    while ingester.0.try_wait().unwrap().is_none() {
        if Instant::now() > deadline {
            let log = |n: u32, ext: &str| {
                std::fs::read_to_string(db.file(&format!("ingest-{n}.{ext}"))).unwrap_or_default()
            };
            let broker_log =
                std::fs::read_to_string(broker._dir.path().join("persistence/broker.log"))
                    .unwrap_or_default();
            let tail: Vec<&str> = broker_log
                .lines()
                .filter(|l| !l.contains("zp-test-publisher") && !l.contains("PUBACK"))
                .rev()
                .take(60)
                .collect();
            panic!(
                "the ingester did not drain in 120 s; stored {}\nbroker: {}\n1: {}{}\n2: {}{}",
                db.export_readings().0,
                tail.join("\n"),
                log(1, "out"),
                log(1, "err"),
                log(2, "out"),
                log(2, "err")
            );
        }
        std::thread::sleep(Duration::from_millis(200));
    }
    assert!(ingester.0.wait().unwrap().success());
    let (stored, _) = db.export_readings();
    let log = |n: u32, ext: &str| {
        std::fs::read_to_string(db.file(&format!("ingest-{n}.{ext}"))).unwrap_or_default()
    };
    assert_eq!(
        stored,
        (MESSAGES * 4) as u64,
        "readings stored; ingester 1: {}{}\ningester 2: {}{}",
        log(1, "out"),
        log(1, "err"),
        log(2, "out"),
        log(2, "err")
    );
    // The sum: 1 + 2 + ... + 8,000 Wh.
    let n = (MESSAGES * 4) as i64;
    let map = db.json(&[
        "report",
        "carbon-map",
        "--org",
        "91500112MA60ELE02H",
        "--from",
        "2023-07-01",
        "--to",
        "2023-07-31",
        "--by",
        "month",
    ]);
    assert_eq!(
        num(&map["totals"]["consumption_mwh"]),
        rust_decimal::Decimal::new(n * (n + 1) / 2, 6),
        "{}",
        map["totals"]
    );
    assert!(
        publisher.sessions >= 20,
        "{} publisher sessions",
        publisher.sessions
    );
}
