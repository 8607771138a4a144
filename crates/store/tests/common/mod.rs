//! The backend setup every store suite shares: one behaviour, two backends.
//!
//! PostgreSQL comes from `ZEROPARK_TEST_PG_URL`, or a throwaway cluster started by
//! `scripts/pg-test.sh` when Debian's postgresql package is installed; each call gets a
//! database of its own. Under CI (`CI` set) a missing server is a failure, not a skip.

use std::sync::atomic::{AtomicUsize, Ordering};
use zp_store::*;

/// A migrated in-memory SQLite store.
pub fn sqlite() -> Box<dyn Store> {
    let mut s = SqlStore::new(SqliteConn::memory().unwrap());
    s.migrate().unwrap();
    Box::new(s)
}

/// The server URL, looked up (and the cluster started) once per test binary.
fn pg_url() -> Option<String> {
    static URL: std::sync::OnceLock<Option<String>> = std::sync::OnceLock::new();
    URL.get_or_init(|| {
        if let Ok(url) = std::env::var("ZEROPARK_TEST_PG_URL") {
            return Some(url);
        }
        let script = concat!(env!("CARGO_MANIFEST_DIR"), "/../../scripts/pg-test.sh");
        match std::process::Command::new("bash").arg(script).output() {
            Ok(out) if out.status.success() => {
                Some(String::from_utf8_lossy(&out.stdout).trim().to_string())
            }
            Ok(out) => {
                eprintln!(
                    "scripts/pg-test.sh failed: {}",
                    String::from_utf8_lossy(&out.stderr)
                );
                None
            }
            Err(e) => {
                eprintln!("scripts/pg-test.sh: {e}");
                None
            }
        }
    })
    .clone()
}

/// The URL of a fresh PostgreSQL database named `{prefix}_{pid}_{n}`, or `None` when there
/// is no server (a panic under CI).
pub fn pg_database(prefix: &str) -> Option<String> {
    static DB_COUNTER: AtomicUsize = AtomicUsize::new(0);
    let Some(url) = pg_url() else {
        if std::env::var_os("CI").is_some() {
            panic!(
                "CI is set but no PostgreSQL server could be started: the PostgreSQL suite must run in CI"
            );
        }
        eprintln!(
            "no PostgreSQL (install Debian's postgresql or set ZEROPARK_TEST_PG_URL): backend not tested in this run"
        );
        return None;
    };
    let name = format!(
        "{prefix}_{}_{}",
        std::process::id(),
        DB_COUNTER.fetch_add(1, Ordering::SeqCst)
    );
    let mut admin = PgConn::connect(&url).unwrap();
    admin
        .batch(&format!("DROP DATABASE IF EXISTS {name}"))
        .unwrap();
    admin.batch(&format!("CREATE DATABASE {name}")).unwrap();
    let base = url.rsplit_once('/').map(|(b, _)| b).unwrap();
    Some(format!("{base}/{name}"))
}

/// A migrated store on a fresh PostgreSQL database (see [`pg_database`]).
pub fn postgres(prefix: &str) -> Option<Box<dyn Store>> {
    pg_database(prefix).map(|url| Box::new(open_postgres(&url).unwrap()) as Box<dyn Store>)
}

/// `suite!("zp_prefix"; test_a, test_b)`: each `fn test_a(s: &mut dyn Store)` of the calling
/// file becomes one `#[test]` per backend (`sqlite_backend::test_a`, `postgres_backend::test_a`).
#[allow(unused_macros)]
macro_rules! suite {
    ($prefix:literal; $($name:ident),* $(,)?) => {
        mod sqlite_backend {
            $( #[test] fn $name() { super::$name(crate::common::sqlite().as_mut()) } )*
        }
        mod postgres_backend {
            $( #[test] fn $name() {
                if let Some(mut s) = crate::common::postgres($prefix) { super::$name(s.as_mut()) }
            } )*
        }
    };
}
#[allow(unused_imports)]
pub(crate) use suite;

/// Fixtures the suites share; each test binary uses its own part.
#[allow(dead_code)]
pub mod fixtures {
    use zp_domain::records::BatchMeta;
    use zp_domain::{CreditCode, Region};
    use zp_store::{Org, Store};

    /// Test enterprise `n` (its credit code's check digit completed).
    pub fn code(n: u32) -> CreditCode {
        CreditCode::complete(&format!("91500105MA5YRE{n:02}B")).unwrap()
    }

    /// Enterprise `n` (企业n) of `industry` in CQ's `park`.
    pub fn org(n: u32, park: &str, industry: &str) -> Org {
        Org {
            credit_code: code(n),
            name: format!("企业{n}"),
            region: Region::parse("CQ").unwrap(),
            park: Some(park.into()),
            industry: industry.into(),
            attrs: Default::default(),
        }
    }

    /// Park 园区 in CQ holding enterprises 1 and 2 of industry 3011, set up by `test`.
    pub fn two_enterprises(s: &mut dyn Store) {
        s.upsert_park("园区", Region::parse("CQ").unwrap(), "test")
            .unwrap();
        for n in [1, 2] {
            s.upsert_org(&org(n, "园区", "3011"), "test").unwrap();
        }
    }

    /// A batch of `kind` from `file` imported by `test`.
    pub fn meta(kind: &str, file: &str) -> BatchMeta {
        BatchMeta {
            kind: kind.into(),
            file: file.into(),
            sha256: format!("sha-{file}"),
            actor: "test".into(),
            readings_txn: None,
        }
    }
}
