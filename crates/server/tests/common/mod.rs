//! Test helpers: a seeded demo database (built once per test binary, copied per test),
//! one account and API token per role, and requests through `Router::oneshot`.

#![allow(dead_code)]

use axum::Router;
use axum::body::Body;
use axum::http::{Request, StatusCode};
use serde_json::Value;
use std::path::{Path, PathBuf};
use std::sync::OnceLock;
use tower::ServiceExt;
use zp_app::demo::{DEMO_PARK, DEMO_PARK_SC, demo_orgs};
use zp_app::{NewUser, Role, Store};
use zp_server::{AppState, Config};

pub const PASSWORD: &str = "correct-horse-battery";

/// The demo park, and one account and API token per role, written into `store`.
fn seed_into(store: &mut dyn Store, files: &Path) {
    zp_app::demo::seed(store, files, "test").unwrap();
    let hash = zp_server::auth::hash_password(PASSWORD).unwrap();
    for (name, role, scope) in accounts() {
        let user = NewUser {
            username: name.into(),
            password_hash: hash.clone(),
            role,
            scope,
        };
        let u = store.create_user(&user, "test").unwrap();
        let digest = zp_server::auth::token_digest(&token_of(name));
        store
            .create_api_token(&digest, u.id, "test", "test")
            .unwrap();
    }
}

/// The seeded database file, built once.
fn seeded() -> &'static Path {
    static DB: OnceLock<PathBuf> = OnceLock::new();
    DB.get_or_init(|| {
        let dir = tempfile::tempdir().unwrap().keep();
        let db = dir.join("seed.db");
        let mut store = zp_app::open(db.to_str().unwrap()).unwrap();
        seed_into(store.as_mut(), &dir.join("files"));
        drop(store);
        db
    })
}

/// The deterministic test token of `user` (only in this test database).
pub fn token_of(user: &str) -> String {
    format!("test-token-{user}-0123456789abcdef")
}

/// Enterprise A and B in the Chongqing park, C in the Sichuan park.
pub fn org_a() -> String {
    demo_orgs()
        .iter()
        .find(|o| o.park == DEMO_PARK)
        .unwrap()
        .code
        .to_string()
}

pub fn org_b() -> String {
    demo_orgs()
        .iter()
        .filter(|o| o.park == DEMO_PARK)
        .nth(1)
        .unwrap()
        .code
        .to_string()
}

pub fn org_c() -> String {
    demo_orgs()
        .iter()
        .find(|o| o.park == DEMO_PARK_SC)
        .unwrap()
        .code
        .to_string()
}

pub fn name_of(code: &str) -> String {
    demo_orgs()
        .into_iter()
        .find(|o| o.code.as_str() == code)
        .unwrap()
        .name
}

fn accounts() -> Vec<(&'static str, Role, String)> {
    vec![
        ("admin", Role::PlatformAdmin, String::new()),
        ("officer", Role::RegionOfficer, "CQ".into()),
        ("officer_sc", Role::RegionOfficer, "SC".into()),
        ("park", Role::ParkAdmin, DEMO_PARK.into()),
        ("park_sc", Role::ParkAdmin, DEMO_PARK_SC.into()),
        ("ent_a", Role::EnterpriseUser, org_a()),
        ("ent_b", Role::EnterpriseUser, org_b()),
        ("bank", Role::Bank, String::new()),
        ("verifier", Role::Verifier, String::new()),
    ]
}

/// A fresh copy of the seeded database and a server over it.
pub struct TestApp {
    pub state: AppState,
    pub router: Router,
    pub dir: tempfile::TempDir,
    /// The PostgreSQL database of this copy, dropped with it (declared last: dropped after
    /// the pool's connections).
    pg: Option<pg::Database>,
}

/// Where a [`TestApp`]'s database lives.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Backend {
    Sqlite,
    Postgres,
}

pub fn app() -> TestApp {
    app_with(|_| {})
}

pub fn app_with(tweak: impl FnOnce(&mut Config)) -> TestApp {
    app_on_with(Backend::Sqlite, tweak).expect("SQLite is always there")
}

/// A server over a fresh copy of the seeded database on `backend`; `None` when PostgreSQL
/// is wanted and there is none (a panic under CI). Call it outside any async runtime: the
/// PostgreSQL client runs its own (see [`backends!`]).
pub fn app_on(backend: Backend) -> Option<TestApp> {
    app_on_with(backend, |_| {})
}

pub fn app_on_with(backend: Backend, tweak: impl FnOnce(&mut Config)) -> Option<TestApp> {
    let dir = tempfile::tempdir().unwrap();
    let (pool, pg) = match backend {
        Backend::Sqlite => {
            let db = dir.path().join("test.db");
            std::fs::copy(seeded(), &db).unwrap();
            (
                zp_app::StorePool::open(db.to_str().unwrap(), 4).unwrap(),
                None,
            )
        }
        Backend::Postgres => {
            let db = pg::copy_of_seed()?;
            (zp_app::StorePool::open(&db.url, 4).unwrap(), Some(db))
        }
    };
    let mut config = Config {
        upload_dir: dir.path().join("uploads"),
        ..Config::default()
    };
    tweak(&mut config);
    let state = AppState::with_pool(pool, config);
    Some(TestApp {
        router: zp_server::app(state.clone()),
        state,
        dir,
        pg,
    })
}

/// `backends!(test_a, test_b)`: each `async fn test_a(t: &TestApp)` of the calling file
/// becomes one test per backend, `sqlite::test_a` and `postgres::test_a` (issue 22 #16:
/// the tenancy tests ran on SQLite only). The server is built before and dropped after
/// the test's runtime, because the PostgreSQL client blocks on a runtime of its own.
#[allow(unused_macros)]
macro_rules! backends {
    ($($name:ident),* $(,)?) => {
        mod sqlite {
            $( #[test] fn $name() {
                crate::common::run_on(crate::common::Backend::Sqlite, |t| Box::pin(super::$name(t)))
            } )*
        }
        mod postgres {
            $( #[test] fn $name() {
                crate::common::run_on(crate::common::Backend::Postgres, |t| Box::pin(super::$name(t)))
            } )*
        }
    };
}
#[allow(unused_imports)]
pub(crate) use backends;

/// Runs `test` against a fresh server on `backend` (see [`backends!`]).
pub fn run_on(
    backend: Backend,
    test: impl for<'a> FnOnce(&'a TestApp) -> std::pin::Pin<Box<dyn Future<Output = ()> + 'a>>,
) {
    let Some(t) = app_on(backend) else { return };
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    rt.block_on(test(&t));
    drop(rt);
    drop(t);
}

/// The PostgreSQL side: one seeded template database per test binary, copied per test
/// with `CREATE DATABASE ... TEMPLATE` and dropped with its [`TestApp`].
mod pg {
    use std::sync::{Mutex, OnceLock};
    use zp_store::{Conn, PgConn};

    /// A database of its own on the test server.
    pub struct Database {
        pub url: String,
        name: String,
        admin_url: String,
    }

    impl Drop for Database {
        fn drop(&mut self) {
            if let Ok(mut admin) = PgConn::connect(&self.admin_url) {
                let _ = admin.batch(&format!(
                    "DROP DATABASE IF EXISTS {} WITH (FORCE)",
                    self.name
                ));
            }
        }
    }

    /// The server's URL: `ZEROPARK_TEST_PG_URL`, else a cluster started by
    /// `scripts/pg-test.sh`; `None` without one (a panic when `CI` is set).
    fn admin_url() -> Option<String> {
        static URL: OnceLock<Option<String>> = OnceLock::new();
        let url = URL
            .get_or_init(|| {
                if let Ok(url) = std::env::var("ZEROPARK_TEST_PG_URL") {
                    return Some(url);
                }
                let script = concat!(env!("CARGO_MANIFEST_DIR"), "/../../scripts/pg-test.sh");
                let out = std::process::Command::new("bash")
                    .arg(script)
                    .output()
                    .ok()?;
                if !out.status.success() {
                    eprintln!(
                        "scripts/pg-test.sh failed: {}",
                        String::from_utf8_lossy(&out.stderr)
                    );
                    return None;
                }
                Some(String::from_utf8_lossy(&out.stdout).trim().to_string())
            })
            .clone();
        if url.is_none() {
            if std::env::var_os("CI").is_some() {
                panic!(
                    "CI is set but no PostgreSQL server could be started: the server's tests must run on PostgreSQL in CI"
                );
            }
            eprintln!(
                "no PostgreSQL (install Debian's postgresql or set ZEROPARK_TEST_PG_URL): backend not tested in this run"
            );
        }
        url
    }

    fn url_of(admin: &str, name: &str) -> String {
        let base = admin.rsplit_once('/').map(|(b, _)| b).unwrap();
        format!("{base}/{name}")
    }

    /// Drops the databases of test binaries that are no longer running
    /// (`zp_srv_<pid>_...`): a killed run leaves its copies behind.
    fn drop_stale(admin: &mut PgConn) {
        let rows = admin
            .query(
                "SELECT datname::text FROM pg_database WHERE datname LIKE 'zp\\_srv\\_%'",
                &[],
            )
            .unwrap();
        for r in rows {
            let name = r.text(0);
            let pid = name.split('_').nth(2).unwrap_or_default();
            if pid != std::process::id().to_string()
                && !std::path::Path::new("/proc").join(pid).exists()
            {
                let _ = admin.batch(&format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)"));
            }
        }
    }

    /// The seeded template database's name, built once per test binary.
    fn template(admin_url: &str) -> &'static str {
        static NAME: OnceLock<String> = OnceLock::new();
        NAME.get_or_init(|| {
            let name = format!("zp_srv_{}_seed", std::process::id());
            let mut admin = PgConn::connect(admin_url).unwrap();
            drop_stale(&mut admin);
            admin
                .batch(&format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)"))
                .unwrap();
            admin.batch(&format!("CREATE DATABASE {name}")).unwrap();
            let files = tempfile::tempdir().unwrap().keep();
            let mut store = zp_app::open(&url_of(admin_url, &name)).unwrap();
            super::seed_into(store.as_mut(), &files.join("files"));
            drop(store); // a template must have no connections
            name
        })
    }

    /// A fresh copy of the seeded database, or `None` without a server.
    pub fn copy_of_seed() -> Option<Database> {
        static COPIES: Mutex<usize> = Mutex::new(0);
        let admin_url = admin_url()?;
        let template = template(&admin_url);
        // One copy at a time: CREATE DATABASE refuses a template another copy is reading.
        let mut n = COPIES.lock().unwrap_or_else(|e| e.into_inner());
        *n += 1;
        let name = format!("zp_srv_{}_{}", std::process::id(), *n);
        let mut admin = PgConn::connect(&admin_url).unwrap();
        admin
            .batch(&format!("CREATE DATABASE {name} TEMPLATE {template}"))
            .unwrap();
        Some(Database {
            url: url_of(&admin_url, &name),
            name,
            admin_url,
        })
    }
}

pub struct Resp {
    pub status: StatusCode,
    pub headers: axum::http::HeaderMap,
    pub text: String,
    /// The body as sent (downloads).
    pub bytes: Vec<u8>,
}

impl Resp {
    pub fn json(&self) -> Value {
        serde_json::from_str(&self.text).unwrap_or_else(|e| panic!("not JSON ({e}): {}", self.text))
    }

    /// The header `name` up to its first `;` (a cookie's `name=value`, a bare media type).
    pub fn header_head(&self, name: &str) -> String {
        let value = self.headers[name].to_str().unwrap();
        value.split(';').next().unwrap().to_string()
    }
}

impl TestApp {
    pub async fn send(&self, req: Request<Body>) -> Resp {
        let r = self.router.clone().oneshot(req).await.unwrap();
        let status = r.status();
        let headers = r.headers().clone();
        let bytes = axum::body::to_bytes(r.into_body(), usize::MAX)
            .await
            .unwrap();
        Resp {
            status,
            headers,
            text: String::from_utf8_lossy(&bytes).into_owned(),
            bytes: bytes.to_vec(),
        }
    }

    /// GET as `user` (bearer token); `None` = anonymous.
    pub async fn get(&self, user: Option<&str>, uri: &str) -> Resp {
        let mut b = Request::get(uri);
        if let Some(u) = user {
            b = b.header("authorization", format!("Bearer {}", token_of(u)));
        }
        self.send(b.body(Body::empty()).unwrap()).await
    }

    pub async fn post_json(&self, user: &str, uri: &str, body: Value) -> Resp {
        let req = Request::post(uri)
            .header("authorization", format!("Bearer {}", token_of(user)))
            .header("content-type", "application/json")
            .body(Body::from(body.to_string()))
            .unwrap();
        self.send(req).await
    }

    /// A multipart upload of `content` as field `file` named `name`.
    pub async fn upload(&self, user: &str, uri: &str, name: &str, content: &[u8]) -> Resp {
        let boundary = "zp-test-boundary-7MA4YWxkTrZu0gW";
        let mut body = Vec::new();
        body.extend_from_slice(
            format!(
                "--{boundary}\r\nContent-Disposition: form-data; name=\"file\"; filename=\"{name}\"\r\nContent-Type: text/csv\r\n\r\n"
            )
            .as_bytes(),
        );
        body.extend_from_slice(content);
        body.extend_from_slice(format!("\r\n--{boundary}--\r\n").as_bytes());
        let req = Request::post(uri)
            .header("authorization", format!("Bearer {}", token_of(user)))
            .header(
                "content-type",
                format!("multipart/form-data; boundary={boundary}"),
            )
            .body(Body::from(body))
            .unwrap();
        self.send(req).await
    }

    /// Runs `f` on the store directly (to check what a refused request did not change).
    pub async fn store<T: Send + 'static>(
        &self,
        f: impl FnOnce(&mut dyn Store) -> T + Send + 'static,
    ) -> T {
        self.state.run(move |s| Ok(f(s))).await.unwrap()
    }
}

impl TestApp {
    /// The carbon map's regions of the demo year as the park administrator sees them
    /// (`GET /api/v1/carbon-map/regions`).
    pub async fn map_regions(&self) -> serde_json::Value {
        let uri = format!(
            "/api/v1/carbon-map/regions?year={}",
            zp_app::demo::DEMO_YEAR
        );
        self.get(Some("park"), &uri).await.json()
    }

    /// The carbon map's demo park of the demo year as the park administrator sees it
    /// (`GET /api/v1/carbon-map/parks/{park}`).
    pub async fn map_demo_park(&self) -> serde_json::Value {
        let uri = format!(
            "/api/v1/carbon-map/parks/{}?year={}",
            enc(DEMO_PARK),
            zp_app::demo::DEMO_YEAR
        );
        self.get(Some("park"), &uri).await.json()
    }
}

/// The region `code` of a carbon-map regions answer.
pub fn map_region(regions: &serde_json::Value, code: &str) -> serde_json::Value {
    regions["regions"]
        .as_array()
        .unwrap()
        .iter()
        .find(|x| x["code"] == code)
        .unwrap_or_else(|| panic!("no region {code}"))
        .clone()
}

/// Percent-encodes a path segment (park names are Chinese).
pub fn enc(s: &str) -> String {
    s.bytes()
        .map(|b| {
            if b.is_ascii_alphanumeric() || b"-_.~".contains(&b) {
                (b as char).to_string()
            } else {
                format!("%{b:02X}")
            }
        })
        .collect()
}
