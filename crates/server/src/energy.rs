//! API twins of `report bill`, `flex plan` and `flex verify`: a month's bill under the enterprise's
//! time-of-use tariff, and a day-ahead battery plan (energy-carbon centre and flexibility
//! issues). Both read the readings store and are scoped to the caller's enterprises.

use crate::auth::CurrentUser;
use crate::extract::{Json, Query, need, need_code, need_text};
use crate::openapi::{Op, Param};
use crate::readings::open_store;
use crate::{AppError, AppState, Area};
use axum::Router;
use axum::extract::State;
use axum::routing::get;
use serde::Deserialize;
use zp_app::energy::{Battery, BillReport, Objective};
use zp_app::flex::{FlexReport, FlexRequest, FlexVerifyReport};
use zp_domain::Decimal;

pub const AREA: Area = Area::api("energy", routes, OPS);

/// The query of `flex plan` and `flex verify` (the CLI's flags).
const FLEX_PARAMS: &[Param] = &[
    ("org", "Enterprise credit code", true),
    ("date", "YYYY-MM-DD", true),
    ("battery_mwh", "Battery capacity, MWh", true),
    ("battery_mw", "Battery power, MW", true),
    ("efficiency", "Round-trip efficiency (default 0.9)", false),
    (
        "soc_start_mwh",
        "State of charge at 00:00, MWh (default 0)",
        false,
    ),
    (
        "soc_min_mwh",
        "Lowest state of charge, MWh (default 0)",
        false,
    ),
    (
        "soc_max_mwh",
        "Highest state of charge, MWh (default the capacity)",
        false,
    ),
    (
        "grid_cap_mw",
        "Demand cap on grid import, MW (an hour's average; default none)",
        false,
    ),
    (
        "objective",
        "cost | carbon | cost+carbon (default cost)",
        false,
    ),
    (
        "carbon_price_yuan",
        "Yuan per tCO2 for cost+carbon (default 80)",
        false,
    ),
];

const OPS: &[Op] = &[
    Op::get(
        "/api/v1/reports/bill",
        "A month's electricity bill from the 15-minute readings under the enterprise's \
         time-of-use tariff (`report bill`): {energy_kwh, cost_yuan, periods}",
    )
    .query(&[
        ("org", "Enterprise credit code", true),
        ("month", "YYYY-MM", true),
    ])
    .returns(crate::openapi::response::<BillReport>),
    Op::get(
        "/api/v1/flex/plan",
        "Day-ahead battery plan on the enterprise's metered day (`flex plan`): baseline and \
         plan cost and tCO2, hours",
    )
    .query(FLEX_PARAMS)
    .returns(crate::openapi::response::<FlexReport>),
    Op::get(
        "/api/v1/flex/verify",
        "The plan of the same day and battery against the battery's meters (`flex verify`): \
         baseline, plan and realised cost and tCO2, plan_followed_share, matching, hours",
    )
    .query(FLEX_PARAMS)
    .returns(crate::openapi::response::<FlexVerifyReport>),
];

fn routes() -> Router<AppState> {
    Router::new()
        .route("/api/v1/reports/bill", get(bill))
        .route("/api/v1/flex/plan", get(plan))
        .route("/api/v1/flex/verify", get(verify))
}

#[derive(Deserialize)]
struct BillQuery {
    org: Option<String>,
    month: Option<String>,
}

async fn bill(
    State(st): State<AppState>,
    who: CurrentUser,
    Query(q): Query<BillQuery>,
) -> Result<Json<BillReport>, AppError> {
    let org = need_code("org", &q.org)?;
    let month = need_text("month", &q.month)?;
    let readings = open_store(&st)?;
    let c = who.caller();
    let r = st
        .run(move |s| Ok(zp_app::energy::bill(s, &c, &readings, &org, &month)?))
        .await?;
    Ok(Json(r))
}

#[derive(Deserialize)]
struct PlanQuery {
    org: Option<String>,
    date: Option<String>,
    battery_mwh: Option<Decimal>,
    battery_mw: Option<Decimal>,
    efficiency: Option<Decimal>,
    soc_start_mwh: Option<Decimal>,
    soc_min_mwh: Option<Decimal>,
    soc_max_mwh: Option<Decimal>,
    grid_cap_mw: Option<Decimal>,
    objective: Option<String>,
    carbon_price_yuan: Option<Decimal>,
}

/// The request of a plan or verification query.
fn flex_request(q: PlanQuery) -> Result<FlexRequest, AppError> {
    let org = need_code("org", &q.org)?;
    let date_text = need_text("date", &q.date)?;
    let date = date_text
        .parse()
        .map_err(|e| AppError::BadRequest(format!("date {date_text:?}: {e}")))?;
    let o = q.objective.as_deref().unwrap_or("cost");
    let objective = Objective::parse(o).ok_or_else(|| {
        AppError::BadRequest(format!("objective {o:?}: use cost, carbon or cost+carbon"))
    })?;
    let req = FlexRequest {
        org,
        date,
        battery: Battery::new(
            need("battery_mwh", q.battery_mwh)?,
            need("battery_mw", q.battery_mw)?,
            q.efficiency.unwrap_or(Decimal::new(9, 1)),
            q.soc_start_mwh.unwrap_or_default(),
        )
        .with_limits(q.soc_min_mwh, q.soc_max_mwh),
        objective,
        carbon_price_yuan_per_t: q.carbon_price_yuan.unwrap_or(Decimal::from(80)),
        fleets: Vec::new(),
        grid_cap_mw: q.grid_cap_mw,
    };
    Ok(req)
}

async fn plan(
    State(st): State<AppState>,
    who: CurrentUser,
    Query(q): Query<PlanQuery>,
) -> Result<Json<FlexReport>, AppError> {
    let req = flex_request(q)?;
    let readings = open_store(&st)?;
    let c = who.caller();
    let r = st
        .run(move |s| Ok(zp_app::flex::flex_plan(s, &c, &readings, &req)?))
        .await?;
    Ok(Json(r))
}

async fn verify(
    State(st): State<AppState>,
    who: CurrentUser,
    Query(q): Query<PlanQuery>,
) -> Result<Json<FlexVerifyReport>, AppError> {
    let req = flex_request(q)?;
    let readings = open_store(&st)?;
    let c = who.caller();
    let r = st
        .run(move |s| Ok(zp_app::flex::flex_verify(s, &c, &readings, &req)?))
        .await?;
    Ok(Json(r))
}
