//! Static assets compiled into the binary: the stylesheet, the page scripts, the logo, and
//! the vendored Apache ECharts 5 and China map (`assets/vendor/`, see
//! `scripts/vendor-web.sh`). Nothing is loaded from a CDN.

use crate::{AppState, Area};
use axum::Router;
use axum::extract::Path;
use axum::http::StatusCode;
use axum::http::header::{CACHE_CONTROL, CONTENT_TYPE};
use axum::response::{IntoResponse, Response};
use axum::routing::get;

pub const AREA: Area = Area {
    name: "assets",
    routes,
    ops: &[],
    nav: &[],
    strings: &[],
};

/// `(path under /assets/, content type, bytes)`.
const FILES: &[(&str, &str, &[u8])] = &[
    (
        "app.css",
        "text/css; charset=utf-8",
        include_bytes!("../assets/app.css"),
    ),
    (
        "app.js",
        "text/javascript; charset=utf-8",
        include_bytes!("../assets/app.js"),
    ),
    (
        "overview.js",
        "text/javascript; charset=utf-8",
        include_bytes!("../assets/overview.js"),
    ),
    (
        "logo.svg",
        "image/svg+xml",
        include_bytes!("../assets/logo.svg"),
    ),
    (
        "vendor/echarts.min.js",
        "text/javascript; charset=utf-8",
        include_bytes!("../assets/vendor/echarts.min.js"),
    ),
    (
        "vendor/china.js",
        "text/javascript; charset=utf-8",
        include_bytes!("../assets/vendor/china.js"),
    ),
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
