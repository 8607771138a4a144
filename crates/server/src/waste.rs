//! Hazardous waste transfers across provincial borders (危险废物跨省转移) over HTTP: an API
//! route for every `zeropark waste`, `zeropark calendar` and `zeropark report waste`
//! command, and the pages (`waste_pages.rs`: the applications, one application with its
//! manifests, forms to apply, decide, ship and receive).
//!
//! Who may do what is the use case's (`zp_app::waste`), from the caller's scope: an
//! enterprise applies for itself and sees the applications it generates or receives; a
//! province's officers see transfers leaving or entering it and decide their side only; a
//! platform administrator sees and may do everything. What the caller may not see is a 404.
//! Here only the role is checked: read-only accounts change nothing, decisions are the
//! officers', applications and manifests the enterprises', reference data the
//! administrator's. Every write is audit-logged by the store with the signed-in user.
//! Approval periods and the manifest tolerance are the shipped rules
//! (`crates/waste/data/transfer-rules.toml`).

#[path = "waste_pages.rs"]
mod pages;

use crate::auth::CurrentUser;
use crate::extract::{
    Json, Multipart, Path, Query, empty_as_none, need, need_code as credit_code, need_text as text,
};
use crate::layout::NavItem;
use crate::openapi::{Body as OpBody, Op, schema};
use crate::{AppError, AppState, Area};
use axum::Router;
use axum::extract::State;
use axum::routing::{get, post};
use serde::Deserialize;

use zp_app::waste::{
    self as uc, ApplicationView, DayInfo, ManifestView, NewApplication, NewManifest, Purpose,
    ReferenceKind, Side, Verdict, WasteCatalog, WasteCode, WasteReport, WasteRules,
};
use zp_app::{ImportOutcome, Role};
use zp_domain::time::Date;
use zp_domain::{Decimal, Region};

pub const AREA: Area = Area {
    name: "waste",
    routes,
    ops: OPS,
    nav: &[NavItem {
        href: "/waste",
        label: "nav.waste",
        roles: &[],
        group: crate::layout::NavGroup::Evaluate,
    }],
    strings: pages::STRINGS,
};

const OPS: &[Op] = &[
    Op::get(
        "/api/v1/waste/applications",
        "Transfer applications the caller sees (`waste list`), with status, due date and \
         overdue flag",
    )
    .query(&[
        ("year", "Submission year", false),
        (
            "today",
            "Judge overdue as of this day (default today)",
            false,
        ),
    ])
    .returns(crate::openapi::response::<Vec<ApplicationView>>),
    Op::post(
        "/api/v1/waste/applications",
        "Submit an application (`waste apply`) {generator, receiver, code, tonnes, \
         from_province, to_province, submitted?, planned_to?, transport?, purpose?}: checks, \
         whitelist, due date in working days",
    )
    .json_body(schema::<ApplyBody>)
    .returns(crate::openapi::response::<ApplicationView>),
    Op::get(
        "/api/v1/waste/applications/{id}",
        "An application's status, due date, working days taken and overdue flag (`waste status`)",
    )
    .query(&[(
        "today",
        "Judge overdue as of this day (default today)",
        false,
    )])
    .returns(crate::openapi::response::<ApplicationView>),
    Op::post(
        "/api/v1/waste/applications/{id}/decisions",
        "One province's decision (`waste decide`) {side: export|import, approve: true | \
         reject: REASON, date?}; officers of that province only",
    )
    .json_body(schema::<DecideBody>)
    .returns(crate::openapi::response::<ApplicationView>),
    Op::get(
        "/api/v1/waste/applications/{id}/manifests",
        "Manifests (联单) of an application with the discrepancy flag (`waste manifest list`)",
    )
    .returns(crate::openapi::response::<Vec<ManifestView>>),
    Op::post(
        "/api/v1/waste/applications/{id}/manifests",
        "The generator hands a shipment over (`waste manifest ship`) {tonnes, date?, \
         transporters: [..]}",
    )
    .json_body(schema::<ShipBody>)
    .returns(crate::openapi::response::<ManifestView>),
    Op::post(
        "/api/v1/waste/manifests/{id}/receipt",
        "The receiver signs with the weighed tonnes (`waste manifest receive`) {tonnes, date?}",
    )
    .json_body(schema::<ReceiveBody>)
    .returns(crate::openapi::response::<ManifestView>),
    Op::post(
        "/api/v1/waste/permits",
        "Import receivers' permits (`waste import-permits`, multipart field `file`: \
         permit_no,holder,province,codes,capacity_t,valid_from,valid_to,source; platform admin)",
    )
    .body(OpBody::Upload)
    .returns(crate::openapi::response::<ImportOutcome>),
    Op::post(
        "/api/v1/waste/whitelist",
        "Import whitelist entries (`waste import-whitelist`, multipart field `file`: \
         agreement,from_province,to_province,generator,receiver,codes,yearly_cap_t,valid_from,\
         valid_to,source; platform admin)",
    )
    .body(OpBody::Upload)
    .returns(crate::openapi::response::<ImportOutcome>),
    Op::post(
        "/api/v1/waste/declarations",
        "Import generators' declared wastes (`waste import-declarations`, multipart field \
         `file`: generator,code,annual_t,year,source; platform admin)",
    )
    .body(OpBody::Upload)
    .returns(crate::openapi::response::<ImportOutcome>),
    Op::get(
        "/api/v1/waste/codes",
        "Codes of the National Hazardous Waste List (2021) as shipped (`waste codes`)",
    )
    .query(&[("category", "Category, e.g. HW08", false)])
    .returns(crate::openapi::response::<Vec<&'static WasteCode>>),
    Op::get(
        "/api/v1/waste/report",
        "A province's yearly statistics from the applications the caller sees (`report waste`)",
    )
    .query(&[
        ("region", "Province code (SC, CQ, ...)", true),
        ("year", "Submission year", true),
        (
            "as_of",
            "Judge overdue as of this day (default today)",
            false,
        ),
    ])
    .returns(crate::openapi::response::<WasteReport>),
    Op::get(
        "/api/v1/calendar/add-working-days",
        "The N-th working day after a day (`calendar add-working-days`): {date}",
    )
    .query(&[
        ("from", "YYYY-MM-DD; counting starts the day after", true),
        ("days", "Working days", true),
    ])
    .returns(crate::openapi::response::<WorkingDay>),
    Op::get(
        "/api/v1/calendar/days/{date}",
        "Whether a day is a working day, and the holiday or make-up day it is \
         (`calendar is-working-day`)",
    )
    .returns(crate::openapi::response::<DayInfo>),
];

fn routes() -> Router<AppState> {
    Router::new()
        .route("/waste", get(pages::list_page))
        .route("/waste/apply", post(pages::apply_form))
        .route("/waste/{id}", get(pages::detail_page))
        .route("/waste/{id}/decide", post(pages::decide_form))
        .route("/waste/{id}/ship", post(pages::ship_form))
        .route("/waste/manifests/{id}/receive", post(pages::receive_form))
        .route(
            "/api/v1/waste/applications",
            get(applications).post(apply_api),
        )
        .route("/api/v1/waste/applications/{id}", get(status))
        .route(
            "/api/v1/waste/applications/{id}/decisions",
            post(decide_api),
        )
        .route(
            "/api/v1/waste/applications/{id}/manifests",
            get(manifests).post(ship_api),
        )
        .route("/api/v1/waste/manifests/{id}/receipt", post(receive_api))
        .route("/api/v1/waste/permits", post(import_permits))
        .route("/api/v1/waste/whitelist", post(import_whitelist))
        .route("/api/v1/waste/declarations", post(import_declarations))
        .route("/api/v1/waste/codes", get(codes))
        .route("/api/v1/waste/report", get(report))
        .route("/api/v1/calendar/add-working-days", get(add_working_days))
        .route("/api/v1/calendar/days/{date}", get(day))
}

/// Who submits applications and ships or receives under them.
const APPLICANTS: &[Role] = &[Role::PlatformAdmin, Role::ParkAdmin, Role::EnterpriseUser];
/// Who decides for a province.
const OFFICERS: &[Role] = &[Role::PlatformAdmin, Role::RegionOfficer];

/// Today in Asia/Shanghai.
pub(crate) fn today() -> Date {
    zp_domain::time::local(jiff::Timestamp::now().as_second()).date()
}

/// The shipped rules (approval periods, manifest tolerance).
fn rules() -> WasteRules {
    WasteRules::builtin()
}

fn province(field: &str, v: &Option<String>) -> Result<Region, AppError> {
    let s = text(field, v)?;
    Region::parse(&s).map_err(|e| AppError::BadRequest(format!("{field} {s:?}: {e}")))
}

/// An application as submitted; the names are the CLI's flags. JSON numbers and text
/// both work for `tonnes` and the dates, so a form posts the same fields.
#[derive(Deserialize, Default, schemars::JsonSchema)]
pub(crate) struct ApplyBody {
    pub generator: Option<String>,
    pub receiver: Option<String>,
    pub code: Option<String>,
    #[serde(default, deserialize_with = "empty_as_none")]
    pub tonnes: Option<Decimal>,
    pub from_province: Option<String>,
    pub to_province: Option<String>,
    /// Submission day (default today).
    #[serde(default, deserialize_with = "empty_as_none")]
    #[schemars(schema_with = "crate::openapi::optional_date")]
    pub submitted: Option<Date>,
    #[serde(default, deserialize_with = "empty_as_none")]
    #[schemars(schema_with = "crate::openapi::optional_date")]
    pub planned_to: Option<Date>,
    /// Default `road`.
    pub transport: Option<String>,
    /// `utilise` or `dispose` (default).
    pub purpose: Option<String>,
}

impl ApplyBody {
    pub(crate) fn request(&self) -> Result<NewApplication, AppError> {
        let purpose = self.purpose.as_deref().map(str::trim).unwrap_or("dispose");
        Ok(NewApplication {
            generator: credit_code("generator", &self.generator)?,
            receiver: credit_code("receiver", &self.receiver)?,
            code: text("code", &self.code)?,
            tonnes_t: need("tonnes", self.tonnes)?,
            from_province: province("from_province", &self.from_province)?,
            to_province: province("to_province", &self.to_province)?,
            submitted_on: self.submitted.unwrap_or_else(today),
            planned_to: self.planned_to,
            transport: text("transport", &self.transport).unwrap_or_else(|_| "road".into()),
            purpose: Purpose::parse(purpose).map_err(|e| AppError::BadRequest(e.to_string()))?,
        })
    }
}

/// A decision: `approve: true` or `reject: REASON` (the CLI's `--approve`/`--reject`).
#[derive(Deserialize, Default, schemars::JsonSchema)]
pub(crate) struct DecideBody {
    pub side: Option<String>,
    #[serde(default, deserialize_with = "empty_as_none")]
    pub approve: Option<bool>,
    pub reject: Option<String>,
    /// Day of the decision (default today).
    #[serde(default, deserialize_with = "empty_as_none")]
    #[schemars(schema_with = "crate::openapi::optional_date")]
    pub date: Option<Date>,
}

impl DecideBody {
    pub(crate) fn decision(&self) -> Result<(Side, Verdict, Date), AppError> {
        let side = Side::parse(&text("side", &self.side)?)
            .map_err(|e| AppError::BadRequest(e.to_string()))?;
        let reason = self
            .reject
            .as_deref()
            .map(str::trim)
            .filter(|r| !r.is_empty());
        let verdict = match (self.approve.unwrap_or(false), reason) {
            (true, None) => Verdict::Approve,
            (false, Some(r)) => Verdict::Reject(r.to_string()),
            (true, Some(_)) => {
                return Err(AppError::BadRequest("approve or reject, not both".into()));
            }
            (false, None) => {
                return Err(AppError::BadRequest(
                    "give approve: true or reject: REASON".into(),
                ));
            }
        };
        Ok((side, verdict, self.date.unwrap_or_else(today)))
    }
}

/// A shipment handed over: tonnes, day and the transporters in order.
#[derive(Deserialize, Default, schemars::JsonSchema)]
pub(crate) struct ShipBody {
    #[serde(default, deserialize_with = "empty_as_none")]
    pub tonnes: Option<Decimal>,
    #[serde(default, deserialize_with = "empty_as_none")]
    #[schemars(schema_with = "crate::openapi::optional_date")]
    pub date: Option<Date>,
    #[serde(default)]
    pub transporters: Vec<String>,
}

impl ShipBody {
    pub(crate) fn manifest(&self) -> Result<NewManifest, AppError> {
        let transporters: Vec<String> = self
            .transporters
            .iter()
            .map(|t| t.trim().to_string())
            .filter(|t| !t.is_empty())
            .collect();
        if transporters.is_empty() {
            return Err(AppError::BadRequest(
                "transporters: name at least one, in order".into(),
            ));
        }
        Ok(NewManifest {
            shipped_t: need("tonnes", self.tonnes)?,
            shipped_on: self.date.unwrap_or_else(today),
            transporters,
        })
    }
}

/// The receiver's weighing.
#[derive(Deserialize, Default, schemars::JsonSchema)]
pub(crate) struct ReceiveBody {
    #[serde(default, deserialize_with = "empty_as_none")]
    pub tonnes: Option<Decimal>,
    #[serde(default, deserialize_with = "empty_as_none")]
    #[schemars(schema_with = "crate::openapi::optional_date")]
    pub date: Option<Date>,
}

impl ReceiveBody {
    pub(crate) fn receipt(&self) -> Result<(Decimal, Date), AppError> {
        Ok((
            need("tonnes", self.tonnes)?,
            self.date.unwrap_or_else(today),
        ))
    }
}

/// The writes, shared by the API and the page forms: role checked, one use case called.
pub(crate) async fn apply(
    st: &AppState,
    who: CurrentUser,
    body: ApplyBody,
) -> Result<ApplicationView, AppError> {
    who.require_write()?;
    who.require_role(APPLICANTS)?;
    let req = body.request()?;
    let c = who.caller();
    st.run(move |s| Ok(uc::apply(s, &c, &req, &rules())?)).await
}

pub(crate) async fn decide(
    st: &AppState,
    who: CurrentUser,
    id: i64,
    body: DecideBody,
) -> Result<ApplicationView, AppError> {
    who.require_write()?;
    who.require_role(OFFICERS)?;
    let (side, verdict, on) = body.decision()?;
    let c = who.caller();
    st.run(move |s| Ok(uc::decide(s, &c, id, side, &verdict, on)?))
        .await
}

pub(crate) async fn ship(
    st: &AppState,
    who: CurrentUser,
    id: i64,
    body: ShipBody,
) -> Result<ManifestView, AppError> {
    who.require_write()?;
    who.require_role(APPLICANTS)?;
    let new = body.manifest()?;
    let c = who.caller();
    st.run(move |s| Ok(uc::ship(s, &c, id, &new, &rules())?))
        .await
}

pub(crate) async fn receive(
    st: &AppState,
    who: CurrentUser,
    manifest: i64,
    body: ReceiveBody,
) -> Result<ManifestView, AppError> {
    who.require_write()?;
    who.require_role(APPLICANTS)?;
    let (tonnes, on) = body.receipt()?;
    let c = who.caller();
    st.run(move |s| Ok(uc::receive(s, &c, manifest, tonnes, on, &rules())?))
        .await
}

#[derive(Deserialize, Default)]
pub(crate) struct ListQuery {
    pub year: Option<i32>,
    #[serde(default, deserialize_with = "empty_as_none")]
    pub today: Option<Date>,
}

async fn applications(
    State(st): State<AppState>,
    who: CurrentUser,
    Query(q): Query<ListQuery>,
) -> Result<Json<Vec<ApplicationView>>, AppError> {
    let c = who.caller();
    let today = q.today.unwrap_or_else(today);
    let list = st
        .run(move |s| Ok(uc::applications(s, &c, q.year, today)?))
        .await?;
    Ok(Json(list))
}

async fn apply_api(
    State(st): State<AppState>,
    who: CurrentUser,
    Json(b): Json<ApplyBody>,
) -> Result<Json<ApplicationView>, AppError> {
    apply(&st, who, b).await.map(Json)
}

#[derive(Deserialize)]
struct TodayQuery {
    #[serde(default, deserialize_with = "empty_as_none")]
    today: Option<Date>,
}

async fn status(
    State(st): State<AppState>,
    who: CurrentUser,
    Path(id): Path<i64>,
    Query(q): Query<TodayQuery>,
) -> Result<Json<ApplicationView>, AppError> {
    let c = who.caller();
    let today = q.today.unwrap_or_else(today);
    let v = st.run(move |s| Ok(uc::status(s, &c, id, today)?)).await?;
    Ok(Json(v))
}

async fn decide_api(
    State(st): State<AppState>,
    who: CurrentUser,
    Path(id): Path<i64>,
    Json(b): Json<DecideBody>,
) -> Result<Json<ApplicationView>, AppError> {
    decide(&st, who, id, b).await.map(Json)
}

async fn manifests(
    State(st): State<AppState>,
    who: CurrentUser,
    Path(id): Path<i64>,
) -> Result<Json<Vec<ManifestView>>, AppError> {
    let c = who.caller();
    let list = st
        .run(move |s| Ok(uc::manifests(s, &c, id, &rules())?))
        .await?;
    Ok(Json(list))
}

async fn ship_api(
    State(st): State<AppState>,
    who: CurrentUser,
    Path(id): Path<i64>,
    Json(b): Json<ShipBody>,
) -> Result<Json<ManifestView>, AppError> {
    ship(&st, who, id, b).await.map(Json)
}

async fn receive_api(
    State(st): State<AppState>,
    who: CurrentUser,
    Path(id): Path<i64>,
    Json(b): Json<ReceiveBody>,
) -> Result<Json<ManifestView>, AppError> {
    receive(&st, who, id, b).await.map(Json)
}

/// Imports an uploaded reference file (platform admin); the file is kept as the evidence
/// of the rows, and named by its file name, never its server path.
async fn import(
    st: AppState,
    who: CurrentUser,
    kind: ReferenceKind,
    mut multipart: Multipart,
) -> Result<Json<ImportOutcome>, AppError> {
    who.require_write()?;
    who.require_role(&[Role::PlatformAdmin])?;
    let saved = crate::imports::save_upload(&st.config, &mut multipart).await?;
    let (path, name) = (saved.path.clone(), saved.name.clone());
    let c = who.caller();
    let mut out = st
        .run(move |s| {
            let shown = path.display().to_string();
            uc::import_reference(s, &c, kind, &path).map_err(|e| match AppError::from(e) {
                AppError::Unprocessable(m) => AppError::Unprocessable(m.replace(&shown, &name)),
                other => other,
            })
        })
        .await?;
    out.file = saved.name.clone();
    saved.keep();
    Ok(Json(out))
}

async fn import_permits(
    State(st): State<AppState>,
    who: CurrentUser,
    multipart: Multipart,
) -> Result<Json<ImportOutcome>, AppError> {
    import(st, who, ReferenceKind::Permits, multipart).await
}

async fn import_whitelist(
    State(st): State<AppState>,
    who: CurrentUser,
    multipart: Multipart,
) -> Result<Json<ImportOutcome>, AppError> {
    import(st, who, ReferenceKind::Whitelist, multipart).await
}

async fn import_declarations(
    State(st): State<AppState>,
    who: CurrentUser,
    multipart: Multipart,
) -> Result<Json<ImportOutcome>, AppError> {
    import(st, who, ReferenceKind::Declarations, multipart).await
}

#[derive(Deserialize)]
struct CodesQuery {
    category: Option<String>,
}

async fn codes(_who: CurrentUser, Query(q): Query<CodesQuery>) -> Json<Vec<&'static WasteCode>> {
    let list: Vec<_> = WasteCatalog::builtin()
        .codes()
        .filter(|c| q.category.as_deref().is_none_or(|k| c.category == k.trim()))
        .collect();
    Json(list)
}

#[derive(Deserialize)]
struct ReportQuery {
    region: Option<String>,
    year: Option<i32>,
    #[serde(default, deserialize_with = "empty_as_none")]
    as_of: Option<Date>,
}

async fn report(
    State(st): State<AppState>,
    who: CurrentUser,
    Query(q): Query<ReportQuery>,
) -> Result<Json<WasteReport>, AppError> {
    let region = province("region", &q.region)?;
    let year = need("year", q.year)?;
    let as_of = q.as_of.unwrap_or_else(today);
    let c = who.caller();
    let r = st
        .run(move |s| Ok(uc::report(s, &c, region, year, as_of)?))
        .await?;
    Ok(Json(r))
}

#[derive(Deserialize)]
struct AddQuery {
    #[serde(default, deserialize_with = "empty_as_none")]
    from: Option<Date>,
    days: Option<u32>,
}

async fn add_working_days(
    _who: CurrentUser,
    Query(q): Query<AddQuery>,
) -> Result<Json<WorkingDay>, AppError> {
    let date = uc::add_working_days(need("from", q.from)?, need("days", q.days)?)?;
    Ok(Json(WorkingDay { date }))
}

/// The working day reached.
#[derive(serde::Serialize, schemars::JsonSchema)]
pub struct WorkingDay {
    date: Date,
}

async fn day(_who: CurrentUser, Path(date): Path<String>) -> Result<Json<DayInfo>, AppError> {
    let d: Date = date
        .trim()
        .parse()
        .map_err(|e| AppError::BadRequest(format!("date {date:?}: not YYYY-MM-DD ({e})")))?;
    Ok(Json(uc::day(d)?))
}
