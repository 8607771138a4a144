//! `GET /api/v1/inventory`: the energy and GHG inventory of an enterprise, a park or a
//! region with its lineage (the API equivalent of `zeropark report inventory`).

use crate::auth::CurrentUser;
use crate::extract::{Json, Query};
use crate::openapi::Op;
use crate::overview::{credit_code, grid_mode};
use crate::{AppError, AppState, Area};
use axum::Router;
use axum::extract::State;
use axum::routing::get;
use serde::Deserialize;
use zp_app::Access;
use zp_app::Inventory;
use zp_app::InventoryScope;
use zp_domain::Region;

pub const AREA: Area = Area::api("inventory", routes, OPS);

const OPS: &[Op] = &[Op::get(
    "/api/v1/inventory",
    "Inventory of an enterprise, park or region (exactly one of org, park, region), issued with \
     pinned factors; JSON keys as `zeropark report inventory --json`",
)
.query(&[
    ("org", "Enterprise credit code", false),
    ("park", "Park name", false),
    ("region", "Region code (e.g. CQ)", false),
    ("year", "Reporting year", true),
    ("grid_factor", "provincial (default) or national", false),
    (
        "lineage",
        "true: include each carrier line's input rows",
        false,
    ),
])
.returns(crate::openapi::response::<Inventory>)];

fn routes() -> Router<AppState> {
    Router::new().route("/api/v1/inventory", get(inventory))
}

#[derive(Deserialize)]
struct InventoryQuery {
    org: Option<String>,
    park: Option<String>,
    region: Option<String>,
    year: i32,
    grid_factor: Option<String>,
    #[serde(default)]
    lineage: bool,
}

/// The scope asked for; a region only for callers who see all of it.
fn scope(q: &InventoryQuery, access: &Access) -> Result<InventoryScope, AppError> {
    match (&q.org, &q.park, &q.region) {
        (Some(o), None, None) => Ok(InventoryScope::Org(credit_code(o)?)),
        (None, Some(p), None) => Ok(InventoryScope::Park(p.clone())),
        (None, None, Some(r)) => {
            let region = Region::parse(r).map_err(|e| AppError::BadRequest(e.to_string()))?;
            match access {
                Access::All => Ok(InventoryScope::Region(region)),
                Access::Region(mine) if *mine == region => Ok(InventoryScope::Region(region)),
                _ => Err(AppError::NotFound(format!("region {r}"))),
            }
        }
        _ => Err(AppError::BadRequest(
            "give exactly one of org, park, region".into(),
        )),
    }
}

/// Drops the input rows unless lineage was asked for.
pub fn without_inputs(mut inv: Inventory) -> Inventory {
    for l in &mut inv.lines {
        l.inputs.clear();
    }
    inv
}

async fn inventory(
    State(st): State<AppState>,
    who: CurrentUser,
    Query(q): Query<InventoryQuery>,
) -> Result<Json<Inventory>, AppError> {
    let scope = scope(&q, &who.access)?;
    let grid = grid_mode(q.grid_factor.as_deref())?;
    let (access, actor, year, lineage) = (who.access.clone(), who.actor(), q.year, q.lineage);
    let inv = st
        .run(move |s| Ok(zp_app::inventory(s, &access, &scope, year, grid, &actor)?))
        .await?;
    Ok(Json(if lineage { inv } else { without_inputs(inv) }))
}
