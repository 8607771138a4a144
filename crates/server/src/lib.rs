//! The zeropark server: a versioned JSON API under `/api/v1`, server-rendered pages in
//! Simplified Chinese and English, accounts with roles, and per-tenant authorisation.
//!
//! [`app`] builds the whole [`Router`] from an [`AppState`]; [`serve`] runs it on a socket.
//! The store is synchronous, so every call goes through [`AppState::run`], which takes the
//! store's lock on a blocking thread. Every tenant read passes the caller's
//! [`zp_app::Access`] to the store, which filters in SQL: what a user may not see is
//! simply absent (404), and writes outside the scope are refused (403).
//!
//! The server is a list of [`Area`]s ([`AREAS`]): each area is one module with its routes
//! (API and pages), the OpenAPI operations it serves, its navigation entries and its UI
//! strings. See `crates/server/README.md`, "How to add an area".

pub mod accounts;
pub mod assets;
pub mod assets_pages;
pub mod audit;
pub mod auth;
pub mod benchmark;
pub mod buildings;
pub mod carbon_map;
pub mod centre;
pub mod certs;
pub mod certs_page;
pub mod csrf;
pub mod deadline;
mod energy;
pub mod enterprise;
mod error;
pub mod evaluate;
mod evaluate_texts;
pub mod extract;
pub mod factors;
pub mod finance;
pub mod flex_page;
pub mod format;
pub mod headers;
pub mod i18n;
pub mod imports;
pub mod inclusion_page;
pub mod inventory;
mod inventory_notes;
pub mod layout;
pub mod market_page;
pub mod metrics;
mod month_range;
pub mod openapi;
pub mod overview;
pub mod readings;
pub mod registry;
mod report_files;
pub mod session;
pub mod system;
pub mod upload;
pub mod waste;

pub use error::AppError;

use axum::Router;
use axum::extract::DefaultBodyLimit;
use std::path::PathBuf;
use std::sync::{Arc, Mutex};
use tower_http::limit::RequestBodyLimitLayer;
use zp_app::{Store, StorePool};

/// One part of the server: its routes, the API operations it documents, its entries in the
/// navigation bar and its UI strings. Listed once in [`AREAS`].
pub struct Area {
    /// Short name (also the OpenAPI tag of its operations).
    pub name: &'static str,
    pub routes: fn() -> Router<AppState>,
    /// Every `/api/v1` route of `routes`, documented (a test checks they match).
    pub ops: &'static [openapi::Op],
    pub nav: &'static [layout::NavItem],
    /// `(key, zh-CN, en)` strings used by the area's pages (see [`i18n::t`]).
    pub strings: &'static [i18n::Entry],
}

impl Area {
    /// An area of API routes only: no navigation entry, no page strings.
    pub const fn api(
        name: &'static str,
        routes: fn() -> Router<AppState>,
        ops: &'static [openapi::Op],
    ) -> Area {
        Area {
            name,
            routes,
            ops,
            nav: &[],
            strings: &[],
        }
    }
}

/// Every area of the server, in navigation order. To add one: write
/// `crates/server/src/<area>.rs` with `pub const AREA: Area` and add it here.
pub const AREAS: &[&Area] = &[
    &system::AREA,
    &session::AREA,
    &overview::AREA,
    &carbon_map::AREA,
    &readings::AREA,
    &certs::AREA,
    &certs_page::AREA,
    &evaluate::AREA,
    &finance::AREA,
    &waste::AREA,
    &energy::AREA,
    &flex_page::AREA,
    &centre::AREA,
    &metrics::AREA,
    &buildings::AREA,
    &benchmark::AREA,
    &report_files::AREA,
    &assets_pages::AREA,
    &market_page::AREA,
    &inclusion_page::AREA,
    &registry::AREA,
    &enterprise::AREA,
    &inventory::AREA,
    &imports::AREA,
    &factors::AREA,
    &audit::AREA,
    &assets::AREA,
];

/// Server settings; [`Config::from_env`] reads the `ZEROPARK_*` overrides.
#[derive(Debug, Clone)]
pub struct Config {
    /// Mark the session cookie `Secure` (set when served over HTTPS).
    pub secure_cookies: bool,
    pub session_ttl_secs: i64,
    /// Largest accepted request body (uploads), bytes.
    pub max_upload_bytes: usize,
    /// Most data rows an uploaded file may hold.
    pub max_upload_rows: usize,
    /// Where uploaded files are kept (the evidence each imported row points to).
    pub upload_dir: PathBuf,
    /// Login attempts per (account, source) before the exponential backoff starts (four
    /// times as many per source over all accounts); see [`auth::LoginLimiter`].
    pub login_attempts: usize,
    /// Quiet time after which a source's failed attempts are forgotten.
    pub login_window_secs: u64,
    /// The first wait once the attempts are used up, doubled per further attempt (1 s).
    pub login_backoff: std::time::Duration,
    /// The interval readings store (`zp-readings`) behind the heatmaps; none: no heatmaps.
    pub readings_dir: Option<PathBuf>,
    /// The certificate registry's ed25519 signing key file (created on first use, mode
    /// 0600); none: the registry is read-only here (no issue, match, transfer, retire).
    pub registry_key: Option<PathBuf>,
    /// Reverse proxies whose `X-Forwarded-For` (client address, for the login throttle)
    /// and `X-Forwarded-Proto: https` (`Secure` cookies) are believed; empty: none.
    pub trusted_proxies: Vec<std::net::IpAddr>,
    /// Most bytes the upload directory may hold; an upload that would pass it is refused
    /// with 507 (the files kept there are the evidence of imported rows).
    pub max_upload_dir_bytes: u64,
    /// How long a read (`GET`, `HEAD`) may take before it is answered 503 (see
    /// [`deadline`]); writes run to their end.
    pub read_deadline: std::time::Duration,
    /// How often [`serve`] posts undelivered alerts to the webhooks; `None`: never (the
    /// CLI's `alerts check` still does).
    pub alert_delivery: Option<std::time::Duration>,
}

impl Default for Config {
    fn default() -> Self {
        Config {
            secure_cookies: false,
            session_ttl_secs: 8 * 3600,
            max_upload_bytes: 32 * 1024 * 1024,
            max_upload_rows: 1_000_000,
            upload_dir: std::env::temp_dir().join("zeropark-uploads"),
            login_attempts: 5,
            login_window_secs: 300,
            login_backoff: std::time::Duration::from_secs(1),
            readings_dir: None,
            registry_key: None,
            trusted_proxies: Vec::new(),
            max_upload_dir_bytes: 10 * 1024 * 1024 * 1024,
            read_deadline: std::time::Duration::from_secs(30),
            alert_delivery: Some(std::time::Duration::from_secs(60)),
        }
    }
}

impl Config {
    /// Defaults with environment overrides: `ZEROPARK_SECURE_COOKIES` (1/true),
    /// `ZEROPARK_UPLOAD_DIR`, `ZEROPARK_MAX_UPLOAD_MB`, `ZEROPARK_MAX_UPLOAD_ROWS`,
    /// `ZEROPARK_SESSION_HOURS`, `ZEROPARK_REGISTRY_KEY`, `ZEROPARK_TRUSTED_PROXIES`
    /// (comma-separated addresses), `ZEROPARK_MAX_UPLOAD_DIR_MB`, `ZEROPARK_READ_DEADLINE_SECS`,
    /// `ZEROPARK_ALERT_DELIVERY_SECS` (0: no delivery from the server).
    pub fn from_env() -> Config {
        let mut c = Config::default();
        let var = |k: &str| std::env::var(k).ok().filter(|v| !v.is_empty());
        if let Some(v) = var("ZEROPARK_SECURE_COOKIES") {
            c.secure_cookies = matches!(v.as_str(), "1" | "true" | "yes");
        }
        if let Some(v) = var("ZEROPARK_UPLOAD_DIR") {
            c.upload_dir = PathBuf::from(v);
        }
        if let Some(mb) = var("ZEROPARK_MAX_UPLOAD_MB").and_then(|v| v.parse::<usize>().ok()) {
            c.max_upload_bytes = mb * 1024 * 1024;
        }
        if let Some(n) = var("ZEROPARK_MAX_UPLOAD_ROWS").and_then(|v| v.parse::<usize>().ok()) {
            c.max_upload_rows = n;
        }
        if let Some(h) = var("ZEROPARK_SESSION_HOURS").and_then(|v| v.parse::<i64>().ok()) {
            c.session_ttl_secs = h * 3600;
        }
        if let Some(v) = var("ZEROPARK_REGISTRY_KEY") {
            c.registry_key = Some(PathBuf::from(v));
        }
        if let Some(v) = var("ZEROPARK_TRUSTED_PROXIES") {
            c.trusted_proxies = v.split(',').filter_map(|a| a.trim().parse().ok()).collect();
        }
        if let Some(mb) = var("ZEROPARK_MAX_UPLOAD_DIR_MB").and_then(|v| v.parse::<u64>().ok()) {
            c.max_upload_dir_bytes = mb * 1024 * 1024;
        }
        if let Some(s) = var("ZEROPARK_READ_DEADLINE_SECS").and_then(|v| v.parse::<u64>().ok()) {
            c.read_deadline = std::time::Duration::from_secs(s);
        }
        if let Some(s) = var("ZEROPARK_ALERT_DELIVERY_SECS").and_then(|v| v.parse::<u64>().ok()) {
            c.alert_delivery = (s > 0).then(|| std::time::Duration::from_secs(s));
        }
        c
    }
}

/// Shared by every handler: the store behind one lock, the settings, the login limiter.
#[derive(Clone)]
pub struct AppState {
    /// A connection per request (up to the pool's size), never one lock for all.
    store: Arc<StorePool>,
    pub config: Arc<Config>,
    limiter: Arc<Mutex<auth::LoginLimiter>>,
    /// Park views, kept while the data is unchanged.
    pub views: Arc<zp_app::park::ViewCache>,
    /// Request counts and latencies for `/metrics`.
    pub metrics: Arc<metrics::Metrics>,
}

impl AppState {
    /// A server over the one connection `store` (requests take turns).
    pub fn new(store: Box<dyn Store>, config: Config) -> AppState {
        AppState::with_pool(StorePool::single(store), config)
    }

    /// A server over a pool of connections (`zeropark serve`).
    pub fn with_pool(pool: StorePool, config: Config) -> AppState {
        AppState {
            store: Arc::new(pool),
            limiter: Arc::new(Mutex::new(
                auth::LoginLimiter::new(
                    config.login_attempts,
                    std::time::Duration::from_secs(config.login_window_secs),
                )
                .first_backoff(config.login_backoff),
            )),
            config: Arc::new(config),
            views: Arc::default(),
            metrics: Arc::default(),
        }
    }

    /// Runs `f` on a blocking thread with a connection of its own from the pool.
    pub async fn run<T, F>(&self, f: F) -> Result<T, AppError>
    where
        T: Send + 'static,
        F: FnOnce(&mut dyn Store) -> Result<T, AppError> + Send + 'static,
    {
        let pool = self.store.clone();
        tokio::task::spawn_blocking(move || {
            let mut store = pool.get()?;
            f(&mut *store)
        })
        .await
        .map_err(|e| AppError::Internal(format!("blocking task: {e}")))?
    }
}

/// The whole server: every area's routes, the CSRF check and the body limit.
pub fn app(state: AppState) -> Router {
    let limit = state.config.max_upload_bytes;
    let mut router = Router::new();
    for area in AREAS {
        router = router.merge((area.routes)());
    }
    router
        .fallback(layout::not_found)
        .layer(axum::middleware::from_fn_with_state(
            state.clone(),
            csrf::check,
        ))
        .layer(axum::middleware::from_fn_with_state(
            state.clone(),
            deadline::reads,
        ))
        // Multipart bodies are bounded by the tower-http layer below, not axum's 2 MB default.
        .layer(DefaultBodyLimit::disable())
        .layer(RequestBodyLimitLayer::new(limit))
        .layer(axum::middleware::from_fn_with_state(
            state.clone(),
            headers::secure,
        ))
        .layer(axum::middleware::from_fn_with_state(
            state.clone(),
            metrics::track,
        ))
        .with_state(state)
}

/// Binds `addr` (e.g. `127.0.0.1:8080`; port 0 picks a free one).
pub async fn bind(addr: &str) -> std::io::Result<tokio::net::TcpListener> {
    tokio::net::TcpListener::bind(addr).await
}

/// Serves [`app`] on `listener` until Ctrl-C (or SIGTERM).
pub async fn serve(listener: tokio::net::TcpListener, state: AppState) -> std::io::Result<()> {
    if let Some(every) = state.config.alert_delivery {
        tokio::spawn(deliver_alerts(state.clone(), every));
    }
    tokio::spawn(warm_registry(state.clone()));
    let service = app(state).into_make_service_with_connect_info::<std::net::SocketAddr>();
    axum::serve(listener, service)
        .with_graceful_shutdown(shutdown_signal())
        .await
}

/// Verifies the certificate registry once as the server starts, in the background, so
/// that the first inventory a visitor asks for does not wait for every signature of the
/// log; a log that fails verification is logged here and refused to every reader.
async fn warm_registry(state: AppState) {
    let started = std::time::Instant::now();
    match state.run(|s| Ok(zp_app::certs::warm_registry(s)?)).await {
        Ok(events) => tracing::info!(
            events,
            seconds = started.elapsed().as_secs_f64(),
            "certificate registry verified"
        ),
        Err(e) => tracing::warn!(error = %e, "certificate registry not verified"),
    }
}

/// Posts undelivered alerts to the webhooks every `every` (a webhook that fails keeps its
/// alerts for the next round), logging what was delivered and what failed.
async fn deliver_alerts(state: AppState, every: std::time::Duration) {
    let mut tick = tokio::time::interval(every);
    tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    loop {
        tick.tick().await;
        match state.run(|s| Ok(zp_app::alerts::deliver(s)?)).await {
            Ok(done) => {
                for d in done.iter().filter(|d| d.delivered > 0 || d.error.is_some()) {
                    tracing::info!(
                        webhook = d.webhook,
                        delivered = d.delivered,
                        pending = d.pending,
                        error = d.error.as_deref().unwrap_or(""),
                        "alert delivery"
                    );
                }
            }
            Err(e) => tracing::warn!("alert delivery: {e}"),
        }
    }
}

async fn shutdown_signal() {
    #[cfg(unix)]
    {
        use tokio::signal::unix::{SignalKind, signal};
        match signal(SignalKind::terminate()) {
            Ok(mut term) => {
                tokio::select! {
                    _ = tokio::signal::ctrl_c() => {},
                    _ = term.recv() => {},
                }
            }
            Err(_) => {
                let _ = tokio::signal::ctrl_c().await;
            }
        }
    }
    #[cfg(not(unix))]
    {
        let _ = tokio::signal::ctrl_c().await;
    }
}
