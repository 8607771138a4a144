//! `/metrics` in the Prometheus text format (version 0.0.4), for platform administrators
//! (a scrape job sends an API token as `Authorization: Bearer ...`):
//!
//! - `zeropark_http_requests_total{method,route,status}` and
//!   `zeropark_http_request_duration_seconds{method,route}` (a histogram) per matched route
//!   template (`/api/v1/orgs/{code}`, never the raw path: bounded label values);
//! - `zeropark_store_errors_total`: answers 500 (store or internal errors);
//! - `zeropark_import_rows_total{kind,outcome}` (read, accepted, quarantined) and
//!   `zeropark_imports_total{kind}`: imports done by this process ([`zp_app::metrics`]);
//! - `zeropark_data_version`: the store's change counter (every audited change raises it);
//! - `zeropark_uptime_seconds`.

use crate::auth::CurrentUser;
use crate::openapi::Op;
use crate::{AppError, AppState, Area};
use axum::Router;
use axum::extract::{MatchedPath, Request, State};
use axum::http::header;
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::sync::Mutex;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Instant;
use zp_app::Role;

pub const AREA: Area = Area::api("metrics", routes, OPS);

const OPS: &[Op] = &[];

fn routes() -> Router<AppState> {
    Router::new().route("/metrics", get(metrics))
}

/// Upper bounds of the latency histogram's buckets, seconds.
const BUCKETS: [f64; 12] = [
    0.001, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0,
];

#[derive(Default)]
struct Histogram {
    counts: [u64; BUCKETS.len()],
    count: u64,
    sum: f64,
}

/// Request figures since the server started.
pub struct Metrics {
    started: Instant,
    /// (method, route, status) -> count.
    requests: Mutex<BTreeMap<(String, String, u16), u64>>,
    /// (method, route) -> latency.
    latency: Mutex<BTreeMap<(String, String), Histogram>>,
}

impl Default for Metrics {
    fn default() -> Metrics {
        Metrics {
            started: Instant::now(),
            requests: Mutex::default(),
            latency: Mutex::default(),
        }
    }
}

/// Answers 500 since the process started (counted where the error becomes a response).
pub static STORE_ERRORS: AtomicU64 = AtomicU64::new(0);

impl Metrics {
    fn observe(&self, method: &str, route: &str, status: u16, seconds: f64) {
        let key = (method.to_string(), route.to_string());
        {
            let mut r = self.requests.lock().unwrap_or_else(|p| p.into_inner());
            *r.entry((key.0.clone(), key.1.clone(), status)).or_insert(0) += 1;
        }
        let mut l = self.latency.lock().unwrap_or_else(|p| p.into_inner());
        let h = l.entry(key).or_default();
        h.count += 1;
        h.sum += seconds;
        for (i, le) in BUCKETS.iter().enumerate() {
            if seconds <= *le {
                h.counts[i] += 1;
            }
        }
    }
}

/// Middleware: counts each request under its route template and times it.
pub async fn track(State(state): State<AppState>, req: Request, next: Next) -> Response {
    let route = req
        .extensions()
        .get::<MatchedPath>()
        .map(|m| m.as_str().to_string())
        .unwrap_or_else(|| "unmatched".into());
    let method = req.method().as_str().to_string();
    let started = Instant::now();
    let response = next.run(req).await;
    let seconds = started.elapsed().as_secs_f64();
    let status = response.status().as_u16();
    state.metrics.observe(&method, &route, status, seconds);
    // The access log, one structured event per request (`ZEROPARK_LOG=zp_server::access=info`).
    tracing::info!(
        target: "zp_server::access",
        method = %method,
        route = %route,
        status,
        ms = seconds * 1000.0,
    );
    response
}

/// A label value with `\`, `"` and newlines escaped.
fn label(v: &str) -> String {
    v.replace('\\', "\\\\")
        .replace('"', "\\\"")
        .replace('\n', "\\n")
}

/// The exposition text.
pub fn render(m: &Metrics, data_version: i64) -> String {
    let mut out = String::new();
    let _ = writeln!(
        out,
        "# HELP zeropark_http_requests_total HTTP requests by method, route template and status.\n# TYPE zeropark_http_requests_total counter"
    );
    for ((method, route, status), n) in m.requests.lock().unwrap_or_else(|p| p.into_inner()).iter()
    {
        let _ = writeln!(
            out,
            "zeropark_http_requests_total{{method=\"{}\",route=\"{}\",status=\"{status}\"}} {n}",
            label(method),
            label(route)
        );
    }
    let _ = writeln!(
        out,
        "# HELP zeropark_http_request_duration_seconds Time to answer, by method and route template.\n# TYPE zeropark_http_request_duration_seconds histogram"
    );
    for ((method, route), h) in m.latency.lock().unwrap_or_else(|p| p.into_inner()).iter() {
        let labels = format!("method=\"{}\",route=\"{}\"", label(method), label(route));
        for (i, le) in BUCKETS.iter().enumerate() {
            let _ = writeln!(
                out,
                "zeropark_http_request_duration_seconds_bucket{{{labels},le=\"{le}\"}} {}",
                h.counts[i]
            );
        }
        let _ = writeln!(
            out,
            "zeropark_http_request_duration_seconds_bucket{{{labels},le=\"+Inf\"}} {}\nzeropark_http_request_duration_seconds_sum{{{labels}}} {}\nzeropark_http_request_duration_seconds_count{{{labels}}} {}",
            h.count, h.sum, h.count
        );
    }
    let _ = writeln!(
        out,
        "# HELP zeropark_store_errors_total Answers 500 (store or internal errors).\n# TYPE zeropark_store_errors_total counter\nzeropark_store_errors_total {}",
        STORE_ERRORS.load(Ordering::Relaxed)
    );
    let imports = zp_app::metrics::imports();
    let _ = writeln!(
        out,
        "# HELP zeropark_imports_total Imports by kind.\n# TYPE zeropark_imports_total counter"
    );
    for (kind, t) in &imports {
        let _ = writeln!(
            out,
            "zeropark_imports_total{{kind=\"{}\"}} {}",
            label(kind),
            t.imports
        );
    }
    let _ = writeln!(
        out,
        "# HELP zeropark_import_rows_total Rows of imports by kind and outcome (read = accepted + quarantined).\n# TYPE zeropark_import_rows_total counter"
    );
    for (kind, t) in &imports {
        for (outcome, n) in [
            ("read", t.read),
            ("accepted", t.accepted),
            ("quarantined", t.quarantined),
        ] {
            let _ = writeln!(
                out,
                "zeropark_import_rows_total{{kind=\"{}\",outcome=\"{outcome}\"}} {n}",
                label(kind)
            );
        }
    }
    let _ = writeln!(
        out,
        "# HELP zeropark_data_version The store's change counter.\n# TYPE zeropark_data_version gauge\nzeropark_data_version {data_version}\n# HELP zeropark_uptime_seconds Seconds since the server started.\n# TYPE zeropark_uptime_seconds gauge\nzeropark_uptime_seconds {:.0}",
        m.started.elapsed().as_secs_f64()
    );
    out
}

async fn metrics(State(st): State<AppState>, who: CurrentUser) -> Result<Response, AppError> {
    who.require_role(&[Role::PlatformAdmin])?;
    let version = st.run(|s| Ok(s.data_version()?)).await?;
    let body = render(&st.metrics, version);
    Ok((
        [(
            header::CONTENT_TYPE,
            "text/plain; version=0.0.4; charset=utf-8",
        )],
        body,
    )
        .into_response())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_request_is_counted_in_its_buckets_and_labels_are_escaped() {
        let m = Metrics::default();
        m.observe("GET", "/api/v1/orgs/{code}", 200, 0.02);
        m.observe("GET", "/api/v1/orgs/{code}", 404, 0.3);
        m.observe("POST", "/x\"y", 201, 0.0005);
        let text = render(&m, 7);
        assert!(text.contains(
            "zeropark_http_requests_total{method=\"GET\",route=\"/api/v1/orgs/{code}\",status=\"404\"} 1"
        ));
        // 0.02 s is in every bucket from 0.025 up; 0.3 s from 0.5 up.
        assert!(text.contains(
            "zeropark_http_request_duration_seconds_bucket{method=\"GET\",route=\"/api/v1/orgs/{code}\",le=\"0.01\"} 0"
        ));
        assert!(text.contains(
            "zeropark_http_request_duration_seconds_bucket{method=\"GET\",route=\"/api/v1/orgs/{code}\",le=\"0.025\"} 1"
        ));
        assert!(text.contains(
            "zeropark_http_request_duration_seconds_bucket{method=\"GET\",route=\"/api/v1/orgs/{code}\",le=\"0.5\"} 2"
        ));
        assert!(text.contains("route=\"/x\\\"y\""));
        assert!(text.contains("zeropark_data_version 7"));
    }
}
