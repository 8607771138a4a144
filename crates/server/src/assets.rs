//! Static assets compiled into the binary: the stylesheet, the page scripts, the logo, and
//! the vendored Apache ECharts 5 and China map (`assets/vendor/`, see
//! `scripts/vendor-web.sh`). Nothing is loaded from a CDN.

use crate::extract::Path;
use crate::{AppState, Area};
use axum::Router;
use axum::http::StatusCode;
use axum::http::header::{CACHE_CONTROL, CONTENT_TYPE};
use axum::response::{IntoResponse, Response};
use axum::routing::get;

pub const AREA: Area = Area::api("assets", routes, &[]);

const JS: &str = "text/javascript; charset=utf-8";
const CSS: &str = "text/css; charset=utf-8";
const SVG: &str = "image/svg+xml";

/// One file of `assets/`: `(path under /assets/, content type, bytes)`.
macro_rules! asset {
    ($name:literal, $ctype:expr) => {
        ($name, $ctype, include_bytes!(concat!("../assets/", $name)))
    };
}

/// Every served asset. A page script of a new area gets one line here.
const FILES: &[(&str, &str, &[u8])] = &[
    asset!("app.css", CSS),
    asset!("app.js", JS),
    asset!("page.js", JS),
    asset!("logo.svg", SVG),
    asset!("overview.js", JS),
    asset!("map.js", JS),
    asset!("enterprise.js", JS),
    asset!("imports.js", JS),
    asset!("evaluate.js", JS),
    asset!("finance.js", JS),
    asset!("factors.js", JS),
    asset!("certs.js", JS),
    asset!("flex.js", JS),
    asset!("centre.js", JS),
    asset!("market.js", JS),
    asset!("vendor/echarts.min.js", JS),
    asset!("vendor/china.js", JS),
];

fn routes() -> Router<AppState> {
    Router::new().route("/assets/{*path}", get(asset))
}

async fn asset(Path(path): Path<String>) -> Response {
    match FILES.iter().find(|(p, _, _)| *p == path) {
        Some((_, ctype, bytes)) => {
            // Vendored files never change under a given name; our own may with a release.
            let cache = if path.starts_with("vendor/") {
                "public, max-age=604800, immutable"
            } else {
                "public, max-age=300"
            };
            ([(CONTENT_TYPE, *ctype), (CACHE_CONTROL, cache)], *bytes).into_response()
        }
        None => (StatusCode::NOT_FOUND, "no such asset").into_response(),
    }
}
