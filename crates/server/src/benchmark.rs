//! API twins of `report benchmark` and `report footprint`: the same use cases
//! (`zp_app::benchmark`, `zp_app::footprint`) within the caller's scope, the same JSON.
//! The imports (`energy-limits`, `materials`) go through the generic upload
//! `/api/v1/imports/{kind}`.

use crate::auth::CurrentUser;
use crate::extract::{Json, Query, need_code, need_text};
use crate::openapi::Op;
use crate::{AppError, AppState, Area};
use axum::Router;
use axum::extract::State;
use axum::routing::get;
use serde::Deserialize;
use zp_app::benchmark::BenchmarkReport;
use zp_app::footprint::FootprintReport;

pub const AREA: Area = Area::api("benchmark", routes, OPS);

const OPS: &[Op] = &[
    Op::get(
        "/api/v1/reports/benchmark",
        "Each product's energy intensity (kgce/t) against the imported limit standard's levels \
         and peers of the same product in the park and region, anonymised unless the caller \
         is unscoped (`report benchmark`)",
    )
    .query(&[
        ("org", "Enterprise credit code", true),
        ("year", "Year", true),
    ])
    .returns(crate::openapi::response::<BenchmarkReport>),
    Op::get(
        "/api/v1/reports/footprint",
        "A product's cradle-to-gate carbon footprint by stage, tCO2e and kgCO2e/t \
         (`report footprint`)",
    )
    .query(&[
        ("org", "Enterprise credit code", true),
        ("product", "Product name or CN code", true),
        ("year", "Year", true),
        ("allocation", "mass (default) or route", false),
    ])
    .returns(crate::openapi::response::<FootprintReport>),
];

fn routes() -> Router<AppState> {
    Router::new()
        .route("/api/v1/reports/benchmark", get(benchmark))
        .route("/api/v1/reports/footprint", get(footprint))
}

fn year(q: &Option<String>) -> Result<i32, AppError> {
    let text = need_text("year", q)?;
    match text.parse::<i32>() {
        Ok(y) if text.len() == 4 && (1990..=2100).contains(&y) => Ok(y),
        _ => Err(AppError::BadRequest(format!(
            "year {text:?}: not a four-digit year between 1990 and 2100"
        ))),
    }
}

#[derive(Deserialize)]
struct BenchmarkQuery {
    org: Option<String>,
    year: Option<String>,
}

async fn benchmark(
    State(st): State<AppState>,
    who: CurrentUser,
    Query(q): Query<BenchmarkQuery>,
) -> Result<Json<BenchmarkReport>, AppError> {
    let org = need_code("org", &q.org)?;
    let year = year(&q.year)?;
    let c = who.caller();
    let r = st
        .run(move |s| Ok(zp_app::benchmark::benchmark_report(s, &c, &org, year)?))
        .await?;
    Ok(Json(r))
}

#[derive(Deserialize)]
struct FootprintQuery {
    org: Option<String>,
    product: Option<String>,
    year: Option<String>,
    allocation: Option<String>,
}

async fn footprint(
    State(st): State<AppState>,
    who: CurrentUser,
    Query(q): Query<FootprintQuery>,
) -> Result<Json<FootprintReport>, AppError> {
    let org = need_code("org", &q.org)?;
    let product = need_text("product", &q.product)?;
    let year = year(&q.year)?;
    let by_route = match q.allocation.as_deref().map(str::trim) {
        None | Some("") | Some("mass") => false,
        Some("route") => true,
        Some(a) => {
            return Err(AppError::BadRequest(format!(
                "allocation {a:?}: use mass or route"
            )));
        }
    };
    let c = who.caller();
    let r = st
        .run(move |s| {
            Ok(zp_app::footprint::footprint_report(
                s, &c, &org, &product, year, by_route,
            )?)
        })
        .await?;
    Ok(Json(r))
}
