//! `zeropark backup` and `zeropark restore` end to end: a database with enterprises, a
//! ledger, meters, readings and hourly factors is backed up online and restored into a new
//! SQLite database (and, where PostgreSQL is available, a new PostgreSQL database); the
//! restored figures equal the original's; a second restore into a database in use and a
//! damaged backup are refused (exit 2) without writing.

mod common;

use common::{Db, args, data};

fn seeded() -> Db {
    let db = Db::with_meters();
    db.json(&["import", "readings", &data("readings_2023-07-10.csv")]);
    db.json(&["import", "activity", &data("activity_2023.csv")]);
    db
}

/// The figures a restore must give back: an inventory and the day's carbon map.
fn figures(db: &Db) -> (String, String) {
    let inv = db.ok(&args(
        "--json report inventory --region CQ --year 2023",
        &[],
    ));
    let map = db.ok(&args(
        "--json report carbon-map --region CQ --from 2023-07-10 --to 2023-07-11 --by hour",
        &[],
    ));
    (inv, map)
}

#[test]
fn a_backup_restores_whole_and_a_second_or_damaged_restore_is_refused() {
    let src = seeded();
    let out = src.file("backup");
    let b = src.json(&["backup", "--out", out.to_str().unwrap()]);
    assert!(b["tables"]["activity"].as_u64().unwrap() > 0, "{b}");
    assert!(b["readings_files"].as_u64().unwrap() > 0, "{b}");
    // Into a folder that is not empty: refused.
    let again = src.fails(&["backup", "--out", out.to_str().unwrap()], 2);
    assert!(again.contains("not empty"), "{again}");

    let dst = Db::new();
    let r = dst.json(&["restore", "--from", out.to_str().unwrap()]);
    assert_eq!(r["tables"], b["tables"]);
    assert_eq!(figures(&dst), figures(&src));
    // The audit trail came along.
    assert_eq!(dst.audit().len(), src.audit().len());

    // A database in use is refused, whole.
    let err = dst.fails(&["restore", "--from", out.to_str().unwrap()], 2);
    assert!(err.contains("in use"), "{err}");

    // A damaged backup is refused before anything is written.
    let jsonl = out.join("database.jsonl");
    let mut text = std::fs::read_to_string(&jsonl).unwrap();
    text = text.replacen("electricity", "electricitx", 1);
    std::fs::write(&jsonl, text).unwrap();
    let fresh = Db::new();
    let err = fresh.fails(&["restore", "--from", out.to_str().unwrap()], 2);
    assert!(err.contains("damaged"), "{err}");
    assert!(fresh.json(&["orgs", "list"]).as_array().unwrap().is_empty());
}

#[test]
fn a_sqlite_backup_restores_into_postgresql() {
    let Ok(url) = std::env::var("ZEROPARK_TEST_PG_URL") else {
        assert!(
            std::env::var_os("CI").is_none(),
            "CI runs with ZEROPARK_TEST_PG_URL: the PostgreSQL restore must be tested"
        );
        eprintln!("no ZEROPARK_TEST_PG_URL: PostgreSQL restore not tested in this run");
        return;
    };
    let src = seeded();
    let out = src.file("backup");
    src.json(&["backup", "--out", out.to_str().unwrap()]);
    // A database of its own on the test server.
    let name = format!("zp_restore_{}", std::process::id());
    let admin = std::process::Command::new("psql")
        .args([
            &url,
            "-c",
            &format!("DROP DATABASE IF EXISTS {name}"),
            "-c",
            &format!("CREATE DATABASE {name}"),
        ])
        .output()
        .expect("psql (Debian's postgresql-client) runs");
    assert!(
        admin.status.success(),
        "{}",
        String::from_utf8_lossy(&admin.stderr)
    );
    let pg = format!("{}/{name}", url.rsplit_once('/').unwrap().0);
    let readings = src.file("pg-readings");
    let run = |args: &[&str]| {
        let out = common::zeropark(&["--db", &pg, "--readings-dir", readings.to_str().unwrap()])
            .args(args)
            .output()
            .unwrap();
        assert!(
            out.status.success(),
            "{args:?}: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        String::from_utf8(out.stdout).unwrap()
    };
    run(&["restore", "--from", out.to_str().unwrap()]);
    let inv = run(&args(
        "--json report inventory --region CQ --year 2023",
        &[],
    ));
    let map = run(&args(
        "--json report carbon-map --region CQ --from 2023-07-10 --to 2023-07-11 --by hour",
        &[],
    ));
    assert_eq!((inv, map), figures(&src));
}
