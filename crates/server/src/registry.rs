//! Registry (登记): enterprises, parks, regions, sites, designations, output values; and
//! the enterprise list page.
//!
//! Reads pass the caller's `Access` to the store (SQL filter). Writes first look the target
//! up with the same `Access`: a target outside the scope is a 404, exactly as if it did not
//! exist, and read-only roles get 403.

use crate::auth::CurrentUser;
use crate::extract::{Json, Path, Query};
use crate::i18n::{Entry, Lang};
use crate::layout::{NavItem, Page, PageResult, render};
use crate::openapi::{Op, schema};
use crate::overview::{credit_code, industry_name};
use crate::{AppError, AppState, Area};
use askama::Template;
use axum::Router;
use axum::extract::State;
use axum::http::StatusCode;
use axum::routing::{get, post};
use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};
use zp_app::{
    Access, Designation, DesignationKind, DesignationLevel, Org, OrgFilter, Park, Role, Site,
    Store, Upsert,
};
use zp_domain::records::ActivityRecord;
use zp_domain::{CreditCode, Region};

pub const AREA: Area = Area {
    name: "registry",
    routes,
    ops: OPS,
    nav: &[NavItem {
        href: "/orgs",
        label: "nav.orgs",
        roles: &[],
        group: crate::layout::NavGroup::Accounts,
    }],
    strings: STRINGS,
};

const OPS: &[Op] = &[
    Op::get("/api/v1/regions", "Provincial regions and their codes")
    .returns(crate::openapi::response::<Regions>),
    Op::get("/api/v1/parks", "Parks visible to the caller")
    .returns(crate::openapi::response::<Parks>),
    Op::post(
        "/api/v1/parks",
        "Register a park {name, region} (platform admin; region officer in their region)",
    )
    .created()
    .json_body(schema::<NewPark>)
    .returns(crate::openapi::response::<CreatedPark>),
    Op::get("/api/v1/orgs", "Enterprises visible to the caller").query(&[
        ("park", "Park name", false),
        ("region", "Region code", false),
    ])
    .returns(crate::openapi::response::<Orgs>),
    Op::get(
        "/api/v1/orgs/{code}",
        "One enterprise with its sites and designations",
    )
    .returns(crate::openapi::response::<OrgDetail>),
    Op::get(
        "/api/v1/orgs/{code}/history",
        "Every version (current and superseded) of the enterprise's ledger rows",
    )
    .returns(crate::openapi::response::<History>),
    Op::post(
        "/api/v1/orgs/{code}/output",
        "Set the gross output value {year, value_10k_yuan} (万元)",
    )
    .json_body(schema::<OutputValue>)
    .returns(crate::openapi::response::<OutputSet>),
    Op::get("/api/v1/orgs/{code}/sites", "Sites of an enterprise")
    .returns(crate::openapi::response::<Sites>),
    Op::post(
        "/api/v1/orgs/{code}/sites",
        "Add or update a site {name, address, lat, lon}",
    )
    .json_body(schema::<NewSite>)
    .returns(crate::openapi::response::<SiteStored>),
    Op::get("/api/v1/designations", "Designations visible to the caller").query(&[(
        "scope_id",
        "Credit code or park name",
        false,
    )])
    .returns(crate::openapi::response::<Designations>),
    Op::post(
        "/api/v1/designations",
        "Add a designation {scope_kind: org|park, scope_id, kind, level, granted_on, expires_on, notice}",
    )
    .created()
    .json_body(schema::<NewDesignation>)
    .returns(crate::openapi::response::<CreatedDesignation>),
];

const STRINGS: &[Entry] = &[
    ("nav.orgs", "企业", "Enterprises"),
    ("orgs.title", "企业名录", "Enterprises"),
    ("orgs.count", "家企业", "enterprises"),
    ("orgs.search", "搜索名称或代码", "Search name or code"),
];

fn routes() -> Router<AppState> {
    Router::new()
        .route("/orgs", get(page))
        .route("/api/v1/regions", get(regions))
        .route("/api/v1/parks", get(parks).post(add_park))
        .route("/api/v1/orgs", get(orgs))
        .route("/api/v1/orgs/{code}", get(org))
        .route("/api/v1/orgs/{code}/history", get(history))
        .route("/api/v1/orgs/{code}/output", post(set_output))
        .route("/api/v1/orgs/{code}/sites", get(sites).post(add_site))
        .route(
            "/api/v1/designations",
            get(designations).post(add_designation),
        )
}

type ApiResult<T> = Result<Json<T>, AppError>;

/// One answer shape per operation (the OpenAPI document's response schemas).
mod answer {
    use super::*;

    /// A region with its names.
    #[derive(Serialize, schemars::JsonSchema)]
    pub struct RegionName {
        pub code: &'static str,
        pub name_zh: &'static str,
        pub name_en: &'static str,
    }

    #[derive(Serialize, schemars::JsonSchema)]
    pub struct Regions {
        pub regions: Vec<RegionName>,
    }

    #[derive(Serialize, schemars::JsonSchema)]
    pub struct Parks {
        pub parks: Vec<Park>,
    }

    #[derive(Serialize, schemars::JsonSchema)]
    pub struct CreatedPark {
        pub park: Park,
    }

    #[derive(Serialize, schemars::JsonSchema)]
    pub struct Orgs {
        pub orgs: Vec<Org>,
    }

    /// An enterprise with its sites and designations.
    #[derive(Serialize, schemars::JsonSchema)]
    pub struct OrgDetail {
        pub org: Org,
        pub sites: Vec<Site>,
        pub designations: Vec<Designation>,
    }

    /// An enterprise's ledger lines with their restatements.
    #[derive(Serialize, schemars::JsonSchema)]
    pub struct History {
        pub credit_code: CreditCode,
        pub rows: Vec<ActivityRecord>,
    }

    /// An output value (产值) stored.
    #[derive(Serialize, schemars::JsonSchema)]
    pub struct OutputSet {
        pub credit_code: CreditCode,
        pub year: i32,
        pub value_10k_yuan: Decimal,
        pub result: Upsert,
    }

    #[derive(Serialize, schemars::JsonSchema)]
    pub struct Sites {
        pub sites: Vec<Site>,
    }

    /// A site stored.
    #[derive(Serialize, schemars::JsonSchema)]
    pub struct SiteStored {
        pub site: Site,
        pub result: Upsert,
    }

    #[derive(Serialize, schemars::JsonSchema)]
    pub struct Designations {
        pub designations: Vec<Designation>,
    }

    #[derive(Serialize, schemars::JsonSchema)]
    pub struct CreatedDesignation {
        pub designation: Designation,
    }
}

use answer::*;

async fn regions(_who: CurrentUser) -> Json<Regions> {
    Json(Regions {
        regions: Region::all()
            .map(|r| RegionName {
                code: r.code(),
                name_zh: r.name_zh(),
                name_en: r.name_en(),
            })
            .collect(),
    })
}

async fn parks(State(st): State<AppState>, who: CurrentUser) -> ApiResult<Parks> {
    let access = who.access.clone();
    let parks = st.run(move |s| Ok(s.parks(&access)?)).await?;
    Ok(Json(Parks { parks }))
}

#[derive(Deserialize, schemars::JsonSchema)]
struct NewPark {
    name: String,
    region: String,
}

async fn add_park(
    State(st): State<AppState>,
    who: CurrentUser,
    Json(b): Json<NewPark>,
) -> Result<(StatusCode, Json<CreatedPark>), AppError> {
    who.require_write()?;
    who.require_role(&[Role::PlatformAdmin, Role::RegionOfficer])?;
    let region = Region::parse(&b.region).map_err(|e| AppError::BadRequest(e.to_string()))?;
    if let Access::Region(r) = &who.access
        && *r != region
    {
        return Err(AppError::out_of_scope());
    }
    let name = b.name.trim().to_string();
    if name.is_empty() {
        return Err(AppError::BadRequest("park name is empty".into()));
    }
    // Invisible and control characters are refused (and keep `auth::NO_PARTY` unused).
    if name.chars().any(|c| {
        c.is_control()
            || matches!(c, '\u{200B}'..='\u{200F}' | '\u{2060}'..='\u{206F}' | '\u{FEFF}')
    }) {
        return Err(AppError::BadRequest(
            "park name holds a control or invisible character".into(),
        ));
    }
    let actor = who.actor();
    let park = st
        .run(move |s| Ok(s.upsert_park(&name, region, &actor)?))
        .await?;
    Ok((StatusCode::CREATED, Json(CreatedPark { park })))
}

#[derive(Deserialize)]
struct OrgQuery {
    park: Option<String>,
    region: Option<String>,
}

async fn orgs(
    State(st): State<AppState>,
    who: CurrentUser,
    Query(q): Query<OrgQuery>,
) -> ApiResult<Orgs> {
    let region = q
        .region
        .as_deref()
        .map(Region::parse)
        .transpose()
        .map_err(|e| AppError::BadRequest(e.to_string()))?;
    let filter = OrgFilter {
        park: q.park,
        region,
    };
    let orgs = st.run(move |s| visible_orgs(s, &who, &filter)).await?;
    Ok(Json(Orgs { orgs }))
}

/// The enterprises `who` sees: those of its access, or, for a bank or verifier, each of
/// its parties' enterprises (each read with `Access::Org`, so the filter stays in SQL).
pub fn visible_orgs(
    s: &mut dyn Store,
    who: &CurrentUser,
    filter: &OrgFilter,
) -> Result<Vec<zp_app::Org>, AppError> {
    match &who.parties {
        None => Ok(s.orgs(&who.access, filter)?),
        Some(codes) => {
            let mut out = Vec::new();
            for c in codes {
                out.extend(s.orgs(&Access::Org(c.clone()), filter)?);
            }
            Ok(out)
        }
    }
}

/// The enterprise `code` as `access` sees it, or 404.
pub fn visible_org(
    s: &mut dyn Store,
    access: &Access,
    code: &str,
) -> Result<zp_app::Org, AppError> {
    let code = credit_code(code)?;
    s.org(access, &code)?
        .ok_or_else(|| AppError::NotFound(format!("enterprise {code}")))
}

/// Runs `f` on the enterprise `code` if the caller can see it (404 otherwise), with the
/// caller's access and audit name.
async fn on_visible_org<T, F>(st: &AppState, who: &CurrentUser, code: String, f: F) -> ApiResult<T>
where
    T: Send + 'static,
    F: FnOnce(&mut dyn Store, &Access, zp_app::Org, &str) -> ApiResult<T> + Send + 'static,
{
    let (access, actor) = (who.access.clone(), who.actor());
    st.run(move |s| {
        let org = visible_org(s, &access, &code)?;
        f(s, &access, org, &actor)
    })
    .await
}

async fn org(
    State(st): State<AppState>,
    who: CurrentUser,
    Path(code): Path<String>,
) -> ApiResult<OrgDetail> {
    on_visible_org(&st, &who, code, |s, access, org, _| {
        let sites = s.sites(access, &org.credit_code)?;
        let designations = s.designations(access, Some(org.credit_code.as_str()))?;
        Ok(Json(OrgDetail {
            org,
            sites,
            designations,
        }))
    })
    .await
}

async fn history(
    State(st): State<AppState>,
    who: CurrentUser,
    Path(code): Path<String>,
) -> ApiResult<History> {
    on_visible_org(&st, &who, code, |s, access, org, _| {
        let rows = s.activity_history(access, &org.credit_code)?;
        Ok(Json(History {
            credit_code: org.credit_code,
            rows,
        }))
    })
    .await
}

#[derive(Deserialize, schemars::JsonSchema)]
struct OutputValue {
    year: i32,
    value_10k_yuan: Decimal,
}

async fn set_output(
    State(st): State<AppState>,
    who: CurrentUser,
    Path(code): Path<String>,
    Json(b): Json<OutputValue>,
) -> ApiResult<OutputSet> {
    who.require_write()?;
    who.require_role(&[Role::PlatformAdmin, Role::ParkAdmin, Role::EnterpriseUser])?;
    if b.value_10k_yuan < Decimal::ZERO {
        return Err(AppError::BadRequest(
            "value_10k_yuan must not be negative".into(),
        ));
    }
    on_visible_org(&st, &who, code, move |s, _, org, actor| {
        let r = s.set_output_value(&org.credit_code, b.year, b.value_10k_yuan, actor)?;
        Ok(Json(OutputSet {
            credit_code: org.credit_code,
            year: b.year,
            value_10k_yuan: b.value_10k_yuan,
            result: r,
        }))
    })
    .await
}

async fn sites(
    State(st): State<AppState>,
    who: CurrentUser,
    Path(code): Path<String>,
) -> ApiResult<Sites> {
    on_visible_org(&st, &who, code, |s, access, org, _| {
        Ok(Json(Sites {
            sites: s.sites(access, &org.credit_code)?,
        }))
    })
    .await
}

#[derive(Deserialize, schemars::JsonSchema)]
struct NewSite {
    name: String,
    #[serde(default)]
    address: String,
    lat: Option<f64>,
    lon: Option<f64>,
}

async fn add_site(
    State(st): State<AppState>,
    who: CurrentUser,
    Path(code): Path<String>,
    Json(b): Json<NewSite>,
) -> ApiResult<SiteStored> {
    who.require_write()?;
    who.require_role(&[Role::PlatformAdmin, Role::ParkAdmin, Role::EnterpriseUser])?;
    if b.name.trim().is_empty() {
        return Err(AppError::BadRequest("site name is empty".into()));
    }
    if b.lat.is_some_and(|v| !(-90.0..=90.0).contains(&v))
        || b.lon.is_some_and(|v| !(-180.0..=180.0).contains(&v))
    {
        return Err(AppError::BadRequest("lat/lon out of range".into()));
    }
    on_visible_org(&st, &who, code, move |s, _, org, actor| {
        let site = Site {
            credit_code: org.credit_code,
            name: b.name.trim().into(),
            address: b.address,
            lat: b.lat,
            lon: b.lon,
        };
        let r = s.upsert_site(&site, actor)?;
        Ok(Json(SiteStored { site, result: r }))
    })
    .await
}

#[derive(Deserialize)]
struct DesignationQuery {
    scope_id: Option<String>,
}

async fn designations(
    State(st): State<AppState>,
    who: CurrentUser,
    Query(q): Query<DesignationQuery>,
) -> ApiResult<Designations> {
    let access = who.access.clone();
    let list = st
        .run(move |s| Ok(s.designations(&access, q.scope_id.as_deref())?))
        .await?;
    Ok(Json(Designations { designations: list }))
}

#[derive(Deserialize, schemars::JsonSchema)]
struct NewDesignation {
    scope_kind: String,
    scope_id: String,
    kind: String,
    level: String,
    granted_on: String,
    expires_on: Option<String>,
    #[serde(default)]
    notice: String,
}

async fn add_designation(
    State(st): State<AppState>,
    who: CurrentUser,
    Json(b): Json<NewDesignation>,
) -> Result<(StatusCode, Json<CreatedDesignation>), AppError> {
    who.require_write()?;
    who.require_role(&[Role::PlatformAdmin, Role::RegionOfficer, Role::ParkAdmin])?;
    let kind = DesignationKind::parse(&b.kind)
        .ok_or_else(|| AppError::BadRequest(format!("unknown designation kind {:?}", b.kind)))?;
    let level = DesignationLevel::parse(&b.level)
        .ok_or_else(|| AppError::BadRequest(format!("unknown level {:?}", b.level)))?;
    for date in std::iter::once(&b.granted_on).chain(b.expires_on.iter()) {
        if date.parse::<jiff::civil::Date>().is_err() {
            return Err(AppError::BadRequest(format!("{date:?} is not YYYY-MM-DD")));
        }
    }
    let (access, actor) = (who.access.clone(), who.actor());
    let d = st
        .run(move |s| {
            let scope_id = match b.scope_kind.as_str() {
                "org" => visible_org(s, &access, &b.scope_id)?
                    .credit_code
                    .to_string(),
                "park" => {
                    s.park(&access, b.scope_id.trim())?
                        .ok_or_else(|| AppError::NotFound(format!("park {:?}", b.scope_id)))?
                        .name
                }
                other => {
                    return Err(AppError::BadRequest(format!(
                        "scope_kind {other:?}: org or park"
                    )));
                }
            };
            let d = Designation {
                scope_kind: b.scope_kind,
                scope_id,
                kind,
                level,
                granted_on: b.granted_on,
                expires_on: b.expires_on,
                notice: b.notice,
            };
            s.add_designation(&d, &actor)?;
            Ok(d)
        })
        .await?;
    Ok((
        StatusCode::CREATED,
        Json(CreatedDesignation { designation: d }),
    ))
}

struct OrgRow {
    code: String,
    name: String,
    industry: String,
    park: String,
    region: String,
}

#[derive(Template)]
#[template(path = "orgs.html")]
struct Body {
    lang: Lang,
    rows: Vec<OrgRow>,
}

async fn page(page: Page, State(st): State<AppState>) -> PageResult {
    let who = page.user.clone();
    let lang = page.lang;
    let orgs = st
        .run(move |s| visible_orgs(s, &who, &OrgFilter::default()))
        .await
        .map_err(|e| crate::layout::PageError(e, lang))?;
    let rows = orgs
        .into_iter()
        .map(|o| OrgRow {
            industry: industry_name(&o.industry, lang),
            region: lang.region(o.region).to_string(),
            park: o.park.unwrap_or_default(),
            code: o.credit_code.to_string(),
            name: o.name,
        })
        .collect();
    render(&page, lang.t("orgs.title"), &Body { lang, rows }, &[])
}
