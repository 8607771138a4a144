//! `report carbon-map` and `report matching` with `--engine ballista://HOST:PORT` (build
//! with `--features ballista`; `.ci/run` runs the workspace's tests with `--features
//! zeropark/ballista`; alone: `cargo test -p zeropark --features ballista --test
//! ballista_cli`): a Ballista scheduler and two executors started in this process on
//! loopback (ephemeral ports) run the same SQL plans as in-process DataFusion over the same
//! lake, and the binary's three engines give the same map (every row's energies exactly,
//! emissions to 1e-6 tCO2) and the same hourly certificate matching (energies exactly, hour
//! by hour; scores to 1e-6).
#![cfg(feature = "ballista")]

mod common;

use common::{Db, assert_same_map, assert_same_matching, data, issue_and_match, matching};
use serde_json::Value;

const PARK: &str = "两江示例园区";

fn map(db: &Db, by: &str, group: &str, engine: &[&str]) -> Value {
    let mut args = vec![
        "report",
        "carbon-map",
        "--park",
        PARK,
        "--from",
        "2023-07-10",
        "--to",
        "2023-07-10",
        "--by",
        by,
        "--group",
        group,
    ];
    args.extend(engine);
    db.json(&args)
}

#[test]
fn native_datafusion_and_ballista_on_two_executors_give_the_same_map() {
    let db = Db::with_meters();
    db.json(&["import", "readings", &data("readings_2023-07-10.csv")]);
    issue_and_match(&db);
    let lake = db.file("lake");
    let lake = lake.to_str().unwrap();
    db.json(&["lake", "export", "--out", lake]);
    let addr = zp_lake::ballista::start_local_cluster(2, 2).unwrap();
    let url = format!("ballista://{addr}");
    let ballista = ["--engine", url.as_str(), "--lake", lake];
    let datafusion = ["--engine", "datafusion", "--lake", lake];
    for (by, group) in [("hour", "enterprise"), ("day", "park"), ("day", "industry")] {
        let native = map(&db, by, group, &[]);
        let local = map(&db, by, group, &datafusion);
        let remote = map(&db, by, group, &ballista);
        assert_same_map(&native, &local, &format!("datafusion by {by} per {group}"));
        assert_same_map(&native, &remote, &format!("ballista by {by} per {group}"));
        assert_same_map(
            &local,
            &remote,
            &format!("datafusion vs ballista by {by} per {group}"),
        );
    }
    // Hourly certificate matching: one plan, three engines.
    let native = matching(&db, &[]);
    let local = matching(&db, &datafusion);
    let remote = matching(&db, &ballista);
    assert_same_matching(&native, &local, "matching on datafusion");
    assert_same_matching(&native, &remote, "matching on ballista");
    // A scheduler nobody listens on: a failure naming the engine, not a hang.
    let out = db.fails(
        &[
            "report",
            "carbon-map",
            "--park",
            PARK,
            "--from",
            "2023-07-10",
            "--to",
            "2023-07-10",
            "--engine",
            "ballista://127.0.0.1:1",
            "--lake",
            lake,
        ],
        1,
    );
    assert!(!out.is_empty());
}
