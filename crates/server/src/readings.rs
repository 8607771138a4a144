//! Interval readings through the API: the electricity-carbon map report (the JSON of
//! `zeropark report carbon-map --json`) and the Parquet export of the readings
//! (`zeropark export readings --format parquet`), both within the caller's scope. Uploads
//! are `POST /api/v1/imports/readings` (see `upload_readings.rs`).

use crate::auth::CurrentUser;
use crate::extract::{Json, Query};
use crate::openapi::Op;
use crate::{AppError, AppState, Area};
use axum::Router;
use axum::extract::State;
use axum::http::header::{CONTENT_DISPOSITION, CONTENT_TYPE};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use serde::Deserialize;
use zp_app::MeterFilter;
use zp_app::readings::{CarbonMap, CarbonMapQuery, MapGroup, MapScope};
use zp_app::readings::{ReadingStore, Resolution};
use zp_domain::{CreditCode, Region};

pub const AREA: Area = Area::api("readings", routes, OPS);

const OPS: &[Op] = &[
    Op::get(
        "/api/v1/reports/carbon-map",
        "Electricity-carbon map from interval readings (as `zeropark report carbon-map --json`): per group and period consumption, generation, grid import and emissions at hourly grid factors (annual fallback reported). Windows are bounded: at most 366 days with by=hour, 3,653 days (ten years) with by=day or by=month; longer is a 422",
    )
    .query(&[
        ("park", "Park name (one of park, region, org)", false),
        ("region", "Region code, e.g. CQ", false),
        ("org", "Enterprise credit code", false),
        ("from", "First local day YYYY-MM-DD", true),
        ("to", "Last local day YYYY-MM-DD (inclusive)", true),
        ("by", "hour, day (default) or month", false),
        ("group", "enterprise (default), park or industry", false),
    ])
    .returns(crate::openapi::response::<CarbonMap>),
    Op::get(
        "/api/v1/readings/export",
        "Readings of the meters in the caller's scope as a Parquet file (meter, ts, kwh), as `zeropark export readings --format parquet`",
    )
    .query(&[
        ("format", "parquet (the only format)", false),
        ("meter", "Only this meter", false),
        ("from", "First local day YYYY-MM-DD", false),
        ("to", "Last local day YYYY-MM-DD (inclusive)", false),
    ]),
];

fn routes() -> Router<AppState> {
    Router::new()
        .route("/api/v1/reports/carbon-map", get(carbon_map))
        .route("/api/v1/readings/export", get(export))
}

/// The readings store of this server, or a clear error without one.
pub(crate) fn open_store(st: &AppState) -> Result<ReadingStore, AppError> {
    let dir = st.config.readings_dir.as_deref().ok_or_else(|| {
        AppError::NotFound("this server has no readings store (no readings directory)".into())
    })?;
    ReadingStore::open(dir).map_err(|e| AppError::Internal(format!("readings store: {e}")))
}

#[derive(Deserialize)]
struct MapParams {
    park: Option<String>,
    region: Option<String>,
    org: Option<String>,
    from: Option<String>,
    to: Option<String>,
    by: Option<String>,
    group: Option<String>,
}

fn given(v: &Option<String>) -> Option<&str> {
    v.as_deref().map(str::trim).filter(|s| !s.is_empty())
}

/// The scope named by `org`, `park` or `region` (the first given, in that order); `None`
/// when none is given.
pub(crate) fn scope_param(
    org: &Option<String>,
    park: &Option<String>,
    region: &Option<String>,
) -> Result<Option<MapScope>, AppError> {
    let bad = |m: String| AppError::BadRequest(m);
    Ok(Some(match (given(org), given(park), given(region)) {
        (Some(o), _, _) => {
            MapScope::Org(CreditCode::parse(o).map_err(|e| bad(format!("org {o:?}: {e}")))?)
        }
        (None, Some(p), _) => MapScope::Park(p.to_string()),
        (None, None, Some(r)) => {
            MapScope::Region(Region::parse(r).map_err(|e| bad(format!("region {r:?}: {e}")))?)
        }
        (None, None, None) => return Ok(None),
    }))
}

impl MapParams {
    fn query(&self) -> Result<CarbonMapQuery, AppError> {
        let bad = |m: String| AppError::BadRequest(m);
        let scope = scope_param(&self.org, &self.park, &self.region)?
            .ok_or_else(|| bad("give one of park, region or org".into()))?;
        let day = |v: &Option<String>, name: &str| {
            given(v)
                .map(str::to_string)
                .ok_or_else(|| bad(format!("give {name}=YYYY-MM-DD")))
        };
        let b = given(&self.by).unwrap_or("day");
        let by =
            Resolution::parse(b).ok_or_else(|| bad(format!("by={b:?}: use hour, day or month")))?;
        let group = match given(&self.group).unwrap_or("enterprise") {
            "enterprise" => MapGroup::Enterprise,
            "park" => MapGroup::Park,
            "industry" => MapGroup::Industry,
            g => {
                return Err(bad(format!(
                    "group={g:?}: use enterprise, park or industry"
                )));
            }
        };
        let (from, to) = (day(&self.from, "from")?, day(&self.to, "to")?);
        bound_window(&from, &to, by)?;
        Ok(CarbonMapQuery {
            scope,
            from,
            to,
            by,
            group,
        })
    }
}

/// Longest carbon-map window per resolution, in days (both ends inclusive): a year of
/// hours (366 days, 8,784 rows per group), ten years of days or months (3,653 days: ten
/// years with three leap days). Each bound keeps one request to a few hundred milliseconds;
/// a longer window is a 422 naming the limit, never minutes of work.
pub const MAX_MAP_DAYS_HOURLY: i64 = 366;
pub const MAX_MAP_DAYS: i64 = 3653;

/// Refuses `from`..=`to` windows that are not dates, run backwards or exceed the bound of
/// `by` (see [`MAX_MAP_DAYS_HOURLY`]).
pub fn bound_window(from: &str, to: &str, by: Resolution) -> Result<(), AppError> {
    let date = |name: &str, v: &str| {
        zp_app::readings::calendar::parse_date(v)
            .ok_or_else(|| AppError::BadRequest(format!("{name}={v:?} is not a date YYYY-MM-DD")))
    };
    let (f, t) = (date("from", from)?, date("to", to)?);
    if t < f {
        return Err(AppError::Unprocessable(format!(
            "from={from} is after to={to}"
        )));
    }
    let days = (t - f) / 86_400 + 1;
    let (max, what) = match by {
        Resolution::Hour => (MAX_MAP_DAYS_HOURLY, "by=hour"),
        _ => (MAX_MAP_DAYS, "by=day or by=month"),
    };
    if days > max {
        return Err(AppError::Unprocessable(format!(
            "from={from} to={to} spans {days} days; {what} allows at most {max} days: \
             ask for a shorter window"
        )));
    }
    Ok(())
}

async fn carbon_map(
    State(st): State<AppState>,
    who: CurrentUser,
    Query(p): Query<MapParams>,
) -> Result<Json<CarbonMap>, AppError> {
    let q = p.query()?;
    let readings = open_store(&st)?;
    // The store reads with a pooled connection, the computation without one: a long map
    // never keeps other requests waiting for a connection.
    let inputs = st
        .run(move |s| Ok(zp_app::readings::carbon_map_inputs(s, &who.access, &q)?))
        .await?;
    let map = tokio::task::spawn_blocking(move || {
        zp_app::readings::carbon_map_compute(&readings, inputs)
    })
    .await
    .map_err(|e| AppError::Internal(format!("blocking task: {e}")))??;
    Ok(Json(map))
}

#[derive(Deserialize)]
struct ExportParams {
    format: Option<String>,
    meter: Option<String>,
    from: Option<String>,
    to: Option<String>,
}

/// The meters the export covers: `meter` when the caller sees it, else every meter of the
/// caller's scope with readings; a meter outside the scope is a 404.
fn export_meters(
    s: &mut dyn zp_app::Store,
    who: &CurrentUser,
    readings: &ReadingStore,
    meter: Option<&str>,
) -> Result<Vec<String>, AppError> {
    let visible: Vec<String> = s
        .meters(&who.access, &MeterFilter::default())?
        .into_iter()
        .map(|m| m.meter)
        .filter(|m| meter.is_none_or(|want| want == m))
        .filter(|m| readings.interval(m).is_some())
        .collect();
    if visible.is_empty() {
        return Err(AppError::NotFound(match meter {
            Some(m) => format!("no readings for meter {m:?} in your scope"),
            None => "no meters with readings in your scope".into(),
        }));
    }
    Ok(visible)
}

async fn export(
    State(st): State<AppState>,
    who: CurrentUser,
    Query(p): Query<ExportParams>,
) -> Result<Response, AppError> {
    if let Some(f) = given(&p.format).filter(|f| *f != "parquet") {
        return Err(AppError::BadRequest(format!(
            "format={f:?}: readings export as parquet"
        )));
    }
    let day = |v: &Option<String>, name: &str| {
        given(v)
            .map(|d| {
                zp_app::readings::calendar::parse_date(d).ok_or_else(|| {
                    AppError::BadRequest(format!("{name}={d:?} is not a date YYYY-MM-DD"))
                })
            })
            .transpose()
    };
    let from = day(&p.from, "from")?;
    let to = day(&p.to, "to")?.map(|t| t + 86_400);
    let readings = open_store(&st)?;
    let out = st.config.upload_dir.join(format!(
        "export-{}.parquet",
        &crate::auth::new_token()?[..16]
    ));
    let (bytes, meters) = st
        .run(move |s| {
            let meters = export_meters(s, &who, &readings, p.meter.as_deref())?;
            let filter = zp_app::readings::ExportFilter {
                meters: meters.clone(),
                from,
                to,
            };
            std::fs::create_dir_all(out.parent().unwrap_or(&out))
                .map_err(|e| AppError::Internal(format!("export: {e}")))?;
            let written = zp_app::readings::export_parquet(&readings, &out, &filter)
                .map_err(|e| AppError::Internal(format!("export: {e}")));
            let bytes = written.and_then(|_| {
                std::fs::read(&out).map_err(|e| AppError::Internal(format!("export: {e}")))
            });
            let _ = std::fs::remove_file(&out);
            Ok((bytes?, meters.len()))
        })
        .await?;
    let name = if meters == 1 {
        "readings-meter.parquet"
    } else {
        "readings.parquet"
    };
    Ok((
        [
            (CONTENT_TYPE, "application/vnd.apache.parquet".to_string()),
            (
                CONTENT_DISPOSITION,
                format!("attachment; filename=\"{name}\""),
            ),
        ],
        bytes,
    )
        .into_response())
}
