//! The energy-carbon management centre end to end: the meter tree (`parent`, `end_use`
//! columns of `import meters`, bad trees quarantined), `report energy-flow` with the
//! balance of a master meter worked by hand, and `alerts check` finding an injected meter
//! fault, recording it once and posting it to a webhook (a real HTTP listener).

mod common;

use common::{Db, d, num, org, row_fields};
use serde_json::Value;
use std::io::{Read, Write};
use std::net::TcpListener;
use std::sync::mpsc;

/// One enterprise in CQ with master meter M, sub-meters M-hvac (hvac) and M-proc
/// (process), PV1 on the roof.
fn tree_db() -> Db {
    Db::with_org("示例制造有限公司", "3971")
}

#[test]
fn meter_tree_and_energy_flow_worked_by_hand() {
    let db = tree_db();
    let o = org();
    // Rows 5-8 are refused: an unknown parent, a meter its own parent, and a loop of two.
    let meters = db.write(
        "meters.csv",
        &format!(
            "meter,credit_code,kind,source,site,parent,end_use\n\
             M,{o},consumption,,厂区,,\n\
             M-hvac,{o},consumption,,厂区,M,暖通空调\n\
             M-proc,{o},consumption,,厂区,M,process\n\
             X,{o},consumption,,厂区,NOPE,process\n\
             S,{o},consumption,,厂区,S,process\n\
             A,{o},consumption,,厂区,B,process\n\
             B,{o},consumption,,厂区,A,process\n\
             PV1,{o},generation,solar,厂区,,\n"
        ),
    );
    let r = db.json(&["import", "meters", &meters]);
    assert_eq!(
        (
            r["read"].as_u64(),
            r["accepted"].as_u64(),
            r["quarantined"].as_u64()
        ),
        (Some(8), Some(4), Some(4)),
        "{r}"
    );
    let fields = row_fields(&db.json(&["quarantine", "list", "--kind", "meters"]));
    assert_eq!(
        fields,
        vec![
            (5, "parent".to_string()),
            (6, "parent".to_string()),
            (7, "parent".to_string()),
            (8, "parent".to_string())
        ]
    );
    // Again: nothing changes.
    let again = db.json(&["import", "meters", &meters]);
    assert_eq!(again["duplicates"].as_u64(), Some(4), "{again}");

    // 2023-07-10, every 15 minutes: M 100 kWh, M-hvac 30, M-proc 60 (10 unmetered);
    // PV1 20 kWh from 08:00 to 20:00 (48 intervals).
    let mut rows = String::from("meter,ts,kwh\n");
    for q in 0..96 {
        let ts = format!("2023-07-10T{:02}:{:02}:00+08:00", q / 4, 15 * (q % 4));
        rows += &format!("M,{ts},100\nM-hvac,{ts},30\nM-proc,{ts},60\n");
        if (32..80).contains(&q) {
            rows += &format!("PV1,{ts},20\n");
        }
    }
    db.json(&["import", "readings", &db.write("readings.csv", &rows)]);
    let gas = db.write(
        "activity.csv",
        &format!("credit_code,period,carrier,quantity,unit\n{o},2023-07,natural_gas,1000,m3\n"),
    );
    db.json(&["import", "activity", &gas]);

    let f = db.json(&["report", "energy-flow", "--org", &o, "--year", "2023"]);
    // Master 9,600 kWh; sub-meters 2,880 + 5,760 = 8,640; unmetered 960 kWh = 10 %.
    let m = &f["losses"][0];
    assert_eq!(m["meter"], "M");
    assert_eq!(
        (
            num(&m["master_kwh"]),
            num(&m["sub_meters_kwh"]),
            num(&m["unmetered_kwh"])
        ),
        (d("9600"), d("8640"), d("960"))
    );
    assert_eq!(num(&m["unmetered_share"]), d("0.1"));
    let link = |from: &str, to: &str| -> Value {
        f["links"]
            .as_array()
            .unwrap()
            .iter()
            .find(|l| l["source"] == from && l["target"] == to)
            .unwrap_or_else(|| panic!("no link {from} -> {to}: {f}"))
            .clone()
    };
    // PV 960 kWh used on site, grid 9,600 - 960 = 8,640 kWh; at 0.1229 kgce/kWh.
    assert_eq!(num(&link("own_generation", "electricity")["kwh"]), d("960"));
    assert_eq!(num(&link("grid", "electricity")["kwh"]), d("8640"));
    assert_eq!(
        num(&link("grid", "electricity")["value_tce"]),
        d("1.061856")
    );
    assert_eq!(num(&link("meter:M", "losses")["kwh"]), d("960"));
    assert_eq!(num(&link("meter:M-hvac", "use:hvac")["kwh"]), d("2880"));
    assert_eq!(
        num(&link("meter:M-proc", "use:process")["value_tce"]),
        d("0.707904")
    );
    // Gas reaches its use whole, in tce as the inventory counts it.
    let inv = db.json(&["report", "inventory", "--org", &o, "--year", "2023"]);
    let gas_tce = inv["lines"]
        .as_array()
        .unwrap()
        .iter()
        .find(|l| l["carrier"] == "natural_gas")
        .map(|l| num(&l["energy_tce"]))
        .unwrap();
    assert_eq!(
        num(&link("fuel:natural_gas", "use:combustion")["value_tce"]),
        gas_tce
    );
    assert_eq!(num(&f["total_tce"]), d("1.17984") + gas_tce);
    assert!(f["faults"].as_array().unwrap().is_empty(), "{f}");
    assert_eq!(f["metered"][0], o.as_str());

    // The park's flow: no meter nodes, the same figures.
    let p = db.json(&[
        "report",
        "energy-flow",
        "--park",
        "示例园区",
        "--year",
        "2023",
    ]);
    assert!(
        p["nodes"]
            .as_array()
            .unwrap()
            .iter()
            .all(|n| n["stage"] != "meter")
    );
    assert_eq!(num(&p["total_tce"]), num(&f["total_tce"]));
    // Neither scope: a refusal.
    let err = db.fails(
        &[
            "report",
            "energy-flow",
            "--park",
            "无此园区",
            "--year",
            "2023",
        ],
        2,
    );
    assert!(err.contains("无此园区"), "{err}");
}

/// A receiver that answers 200 to each request and hands over the bodies.
fn receiver() -> (String, mpsc::Receiver<String>) {
    let l = TcpListener::bind("127.0.0.1:0").unwrap();
    let url = format!("http://{}/hook", l.local_addr().unwrap());
    let (tx, rx) = mpsc::channel();
    std::thread::spawn(move || {
        for s in l.incoming() {
            let mut s = s.unwrap();
            let mut buf = Vec::new();
            let mut chunk = [0u8; 4096];
            // Read the head, then the body's Content-Length bytes.
            loop {
                let n = s.read(&mut chunk).unwrap();
                buf.extend_from_slice(&chunk[..n]);
                let text = String::from_utf8_lossy(&buf).to_string();
                if let Some(i) = text.find("\r\n\r\n") {
                    let len: usize = text
                        .lines()
                        .find_map(|l| l.strip_prefix("Content-Length: "))
                        .unwrap()
                        .trim()
                        .parse()
                        .unwrap();
                    if buf.len() >= i + 4 + len {
                        tx.send(text[i + 4..].to_string()).unwrap();
                        break;
                    }
                }
                if n == 0 {
                    break;
                }
            }
            s.write_all(b"HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n")
                .unwrap();
        }
    });
    (url, rx)
}

#[test]
fn an_injected_meter_fault_is_found_recorded_once_and_posted() {
    let db = tree_db();
    let o = org();
    let meters = db.write(
        "meters.csv",
        &format!("meter,credit_code,kind,source\nL1,{o},consumption,\n"),
    );
    db.json(&["import", "meters", &meters]);
    // 40 days from 2023-06-01, hourly: 40 kWh in working hours, 10 at night, on every day;
    // the fault: 2023-07-05 reads double.
    let mut rows = String::from("meter,ts,kwh\n");
    let start = jiff::civil::date(2023, 6, 1);
    for day in 0..40 {
        let date = start.checked_add(jiff::Span::new().days(day)).unwrap();
        for h in 0..24 {
            let base = if (8..18).contains(&h) { 40 } else { 10 };
            let kwh = if date == jiff::civil::date(2023, 7, 5) {
                2 * base
            } else {
                base
            };
            rows += &format!("L1,{date}T{h:02}:00:00+08:00,{kwh}\n");
        }
    }
    db.json(&["import", "readings", &db.write("readings.csv", &rows)]);
    let (url, bodies) = receiver();
    db.json(&["alerts", "webhook", "add", &url]);
    let err = db.fails(&["alerts", "webhook", "add", "https://example.com/x"], 2);
    assert!(err.contains("only http://"), "{err}");

    let check = |as_of: &str| db.json(&["alerts", "check", "--as-of", as_of, "--days", "7"]);
    let r = check("2023-07-10");
    // Seven days judged; only 07-05 departs: 2 x (10 h x 40 + 14 h x 10) = 1,080 kWh
    // against a baseline of 540.
    assert_eq!(r["meter_days_judged"].as_u64(), Some(7), "{r}");
    let found: Vec<(String, String)> = r["anomalies"]
        .as_array()
        .unwrap()
        .iter()
        .map(|a| {
            (
                a["date"].as_str().unwrap().to_string(),
                a["finding"].as_str().unwrap().to_string(),
            )
        })
        .collect();
    assert_eq!(
        found,
        vec![("2023-07-05".to_string(), "high".to_string())],
        "{r}"
    );
    assert_eq!(r["anomalies"][0]["baseline_kwh"].as_f64(), Some(540.0));
    assert_eq!(r["new_alerts"].as_array().unwrap().len(), 1);
    assert_eq!(r["deliveries"][0]["delivered"].as_u64(), Some(1), "{r}");
    let body: Value = serde_json::from_str(&bodies.recv().unwrap()).unwrap();
    assert_eq!(body["event"], "zeropark.alert");
    assert_eq!(body["alert"]["key"], "meter/L1/2023-07-05");

    // The next day has no readings (they end on 07-10): missing, a new alert; the fault
    // of 07-05 is not new and is not posted twice.
    let r = check("2023-07-11");
    assert_eq!(r["anomalies"].as_array().unwrap().len(), 2, "{r}");
    assert_eq!(r["anomalies"][1]["finding"], "missing");
    let new = r["new_alerts"].as_array().unwrap();
    assert_eq!(new.len(), 1, "{r}");
    assert_eq!(new[0]["key"], "meter/L1/2023-07-11");
    assert_eq!(r["deliveries"][0]["delivered"].as_u64(), Some(1));
    let body: Value = serde_json::from_str(&bodies.recv().unwrap()).unwrap();
    assert_eq!(body["alert"]["key"], "meter/L1/2023-07-11");
    // Run again: nothing new, nothing posted.
    let r = check("2023-07-11");
    assert!(r["new_alerts"].as_array().unwrap().is_empty(), "{r}");
    assert_eq!(r["deliveries"][0]["delivered"].as_u64(), Some(0));
    assert!(bodies.try_recv().is_err());
    let listed = db.json(&["alerts", "list"]);
    assert_eq!(listed.as_array().unwrap().len(), 2);
    assert!(db.audit().iter().any(|e| e["entity"] == "alert"));
}
