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

/// The seeded database file, built once.
fn seeded() -> &'static Path {
    static DB: OnceLock<PathBuf> = OnceLock::new();
    DB.get_or_init(|| {
        let dir = tempfile::tempdir().unwrap().keep();
        let db = dir.join("seed.db");
        let mut store = zp_app::open(db.to_str().unwrap()).unwrap();
        zp_app::demo::seed(store.as_mut(), &dir.join("files"), "test").unwrap();
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
}

pub fn app() -> TestApp {
    app_with(|_| {})
}

pub fn app_with(tweak: impl FnOnce(&mut Config)) -> TestApp {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("test.db");
    std::fs::copy(seeded(), &db).unwrap();
    let pool = zp_app::StorePool::open(db.to_str().unwrap(), 4).unwrap();
    let mut config = Config {
        upload_dir: dir.path().join("uploads"),
        ..Config::default()
    };
    tweak(&mut config);
    let state = AppState::with_pool(pool, config);
    TestApp {
        router: zp_server::app(state.clone()),
        state,
        dir,
    }
}

pub struct Resp {
    pub status: StatusCode,
    pub headers: axum::http::HeaderMap,
    pub text: String,
}

impl Resp {
    pub fn json(&self) -> Value {
        serde_json::from_str(&self.text).unwrap_or_else(|e| panic!("not JSON ({e}): {}", self.text))
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
