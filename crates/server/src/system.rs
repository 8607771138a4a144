//! Health check, the OpenAPI document and the language switch.

use crate::extract::{Json, Path, Query};
use crate::i18n::{LANG_COOKIE, Lang};
use crate::layout::local_path;
use crate::openapi::Op;
use crate::{AppError, AppState, Area};
use axum::Router;
use axum::extract::State;
use axum::http::header::SET_COOKIE;
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::get;
use serde::Deserialize;
use serde_json::json;

pub const AREA: Area = Area::api("system", routes, OPS);

const OPS: &[Op] = &[
    Op::get("/api/v1/openapi.json", "This document (OpenAPI 3.1)")
        .public()
        .returns(crate::openapi::document_schema),
];

fn routes() -> Router<AppState> {
    Router::new()
        .route("/healthz", get(healthz))
        .route("/api/v1/openapi.json", get(openapi))
        .route("/lang/{code}", get(switch_lang))
}

/// `200 {"status":"ok"}` when the database answers.
async fn healthz(State(st): State<AppState>) -> Result<Json<serde_json::Value>, AppError> {
    let sets = st.run(|s| Ok(s.factor_sets()?.len())).await?;
    Ok(Json(
        json!({"status": "ok", "version": env!("CARGO_PKG_VERSION"), "factor_sets": sets}),
    ))
}

async fn openapi() -> Json<serde_json::Value> {
    Json(crate::openapi::document())
}

#[derive(Deserialize)]
struct Next {
    next: Option<String>,
}

/// Sets the language cookie (a year) and goes back.
async fn switch_lang(Path(code): Path<String>, Query(q): Query<Next>) -> Response {
    let lang = Lang::parse(&code).unwrap_or_default();
    let mut r = Redirect::to(&local_path(q.next.as_deref())).into_response();
    if let Ok(v) = format!(
        "{LANG_COOKIE}={}; Path=/; Max-Age=31536000; SameSite=Lax",
        lang.code()
    )
    .parse()
    {
        r.headers_mut().insert(SET_COOKIE, v);
    }
    r
}
