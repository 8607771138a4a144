//! The API of the carbon asset registry and of compliance: a route for every `zeropark
//! assets` and `zeropark compliance` command (the area, its operations and its pages are
//! in `assets_pages.rs`).
//!
//! Scope is the use case's (`zp_app::assets`): every enterprise an operation names must be
//! in the caller's scope (404 otherwise), and reads list only the enterprises in scope, so
//! an enterprise account sees its own holdings only. Roles are checked here: the registry
//! operator (platform admin) allocates, issues and sets deadlines; account holders
//! (enterprise users, park administrators, the platform admin) transfer, pledge, release,
//! surrender and cancel; verified emissions are entered by the platform admin or a region's
//! officer; bank and verifier accounts only read. Every operation appends to the
//! hash-chained log and the audit log with the signed-in user.

use crate::auth::CurrentUser;
use crate::extract::{Json, Query, empty_as_none, need, need_code as code, need_text as text};
use crate::{AppError, AppState};
use axum::extract::State;
use serde::Deserialize;
use zp_app::Role;
use zp_app::assets::{self as uc, Balance, ComplianceStatus, CoverageRow, LogSummary, Op, Pledge};
use zp_domain::time::Date;

/// The registry operator.
const OPERATOR: &[Role] = &[Role::PlatformAdmin];
/// Holders of registry accounts (for enterprises in their scope).
pub(crate) const HOLDERS: &[Role] = &[Role::PlatformAdmin, Role::ParkAdmin, Role::EnterpriseUser];
/// Who enters a verifier's figure (the competent authority).
pub(super) const AUTHORITIES: &[Role] = &[Role::PlatformAdmin, Role::RegionOfficer];

/// Today in Asia/Shanghai.
pub(crate) fn today() -> Date {
    zp_domain::time::local(now()).date()
}

fn now() -> i64 {
    jiff::Timestamp::now().as_second()
}

/// An operation, by the CLI command's name.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Action {
    Allocate,
    Issue,
    Transfer,
    Pledge,
    Release,
    Surrender,
    Cancel,
    SetVerified,
    SetDeadline,
}

impl Action {
    pub(super) fn parse(s: &str) -> Result<Action, AppError> {
        Ok(match s.trim() {
            "allocate" => Action::Allocate,
            "issue" => Action::Issue,
            "transfer" => Action::Transfer,
            "pledge" => Action::Pledge,
            "release" => Action::Release,
            "surrender" => Action::Surrender,
            "cancel" => Action::Cancel,
            "set-verified" => Action::SetVerified,
            "set-deadline" => Action::SetDeadline,
            other => return Err(AppError::BadRequest(format!("unknown operation {other:?}"))),
        })
    }

    /// The roles that may ask for it.
    pub(super) fn roles(self) -> &'static [Role] {
        match self {
            Action::Allocate | Action::Issue | Action::SetDeadline => OPERATOR,
            Action::SetVerified => AUTHORITIES,
            _ => HOLDERS,
        }
    }
}

/// The fields of every operation; the names are the CLI's flags (`to` of a pledge is the
/// pledgee; of a transfer, the receiving enterprise). Numbers may come as JSON numbers or
/// as text (forms).
#[derive(Deserialize, Default, Debug, schemars::JsonSchema)]
pub(crate) struct OpBody {
    pub scheme: Option<String>,
    #[serde(default, deserialize_with = "empty_as_none")]
    pub year: Option<i32>,
    pub org: Option<String>,
    pub kind: Option<String>,
    #[serde(default, deserialize_with = "empty_as_none")]
    pub vintage: Option<i32>,
    #[serde(default, deserialize_with = "empty_as_none")]
    pub units: Option<u64>,
    pub project: Option<String>,
    pub from: Option<String>,
    pub to: Option<String>,
    #[serde(default, deserialize_with = "empty_as_none")]
    pub pledge: Option<u64>,
    pub claim: Option<String>,
    #[serde(default, deserialize_with = "empty_as_none")]
    pub tco2: Option<u64>,
    pub date: Option<String>,
}

impl OpBody {
    /// The registry operation asked for.
    pub(super) fn op(&self, action: Action) -> Result<Op, AppError> {
        let b = self;
        Ok(match action {
            Action::Allocate => Op::Allocate {
                scheme: text("scheme", &b.scheme)?,
                year: need("year", b.year)?,
                org: code("org", &b.org)?,
                units: need("units", b.units)?,
            },
            Action::Issue => Op::Issue {
                kind: text("kind", &b.kind)?,
                vintage: need("vintage", b.vintage)?,
                org: code("org", &b.org)?,
                units: need("units", b.units)?,
                project: text("project", &b.project).ok(),
            },
            Action::Transfer => Op::Transfer {
                kind: text("kind", &b.kind)?,
                vintage: need("vintage", b.vintage)?,
                from: code("from", &b.from)?,
                to: code("to", &b.to)?,
                units: need("units", b.units)?,
            },
            Action::Pledge => Op::Pledge {
                kind: text("kind", &b.kind)?,
                vintage: need("vintage", b.vintage)?,
                org: code("org", &b.org)?,
                units: need("units", b.units)?,
                pledgee: text("to", &b.to)?,
            },
            Action::Release => Op::Release {
                pledge: need("pledge", b.pledge)?,
            },
            Action::Surrender => Op::Surrender {
                scheme: text("scheme", &b.scheme)?,
                year: need("year", b.year)?,
                org: code("org", &b.org)?,
                kind: text("kind", &b.kind)?,
                vintage: need("vintage", b.vintage)?,
                units: need("units", b.units)?,
            },
            Action::Cancel => Op::Cancel {
                kind: text("kind", &b.kind)?,
                vintage: need("vintage", b.vintage)?,
                org: code("org", &b.org)?,
                units: need("units", b.units)?,
                claim: text("claim", &b.claim)?,
            },
            Action::SetVerified => Op::SetVerified {
                scheme: text("scheme", &b.scheme)?,
                org: code("org", &b.org)?,
                year: need("year", b.year)?,
                tco2: need("tco2", b.tco2)?,
            },
            Action::SetDeadline => Op::SetDeadline {
                scheme: text("scheme", &b.scheme)?,
                year: need("year", b.year)?,
                date: text("date", &b.date)?,
            },
        })
    }
}

/// Runs one operation as `who` (role checked; scope and the registry's rules are the use
/// case's): `{operation, event_ids, blocks, pledge}` as `--json` prints it.
pub(super) async fn run(
    st: &AppState,
    who: CurrentUser,
    action: Action,
    body: OpBody,
) -> Result<Executed, AppError> {
    who.require_write()?;
    who.require_role(action.roles())?;
    let op = body.op(action)?;
    let c = who.caller();
    let out = st
        .run(move |s| Ok(uc::execute(s, &c, &op, now()).map(|o| (op.to_string(), o))?))
        .await?;
    let (operation, o) = out;
    Ok(Executed {
        operation,
        event_ids: o.event_ids,
        blocks: o.blocks,
        pledge: o.pledge,
    })
}

/// What a registry operation did: the events appended and the blocks (and pledge) made.
#[derive(serde::Serialize, schemars::JsonSchema)]
pub struct Executed {
    operation: String,
    event_ids: Vec<u64>,
    blocks: Vec<u64>,
    pledge: Option<u64>,
}

pub(super) async fn op_api(
    st: AppState,
    who: CurrentUser,
    action: Action,
    body: OpBody,
) -> Result<Json<Executed>, AppError> {
    run(&st, who, action, body).await.map(Json)
}

#[derive(Deserialize)]
pub(super) struct BalancesQuery {
    org: Option<String>,
}

pub(super) async fn balances(
    State(st): State<AppState>,
    who: CurrentUser,
    Query(q): Query<BalancesQuery>,
) -> Result<Json<Vec<Balance>>, AppError> {
    let org = q.org.is_some().then(|| code("org", &q.org)).transpose()?;
    let c = who.caller();
    let rows = st
        .run(move |s| Ok(uc::balances(s, &c, org.as_ref())?))
        .await?;
    Ok(Json(rows))
}

pub(super) async fn pledges(
    State(st): State<AppState>,
    who: CurrentUser,
) -> Result<Json<Vec<Pledge>>, AppError> {
    let c = who.caller();
    Ok(Json(st.run(move |s| Ok(uc::pledges(s, &c)?)).await?))
}

pub(super) async fn verify(
    State(st): State<AppState>,
    _who: CurrentUser,
) -> Result<Json<LogSummary>, AppError> {
    Ok(Json(st.run(|s| Ok(uc::verify(s)?)).await?))
}

pub(super) async fn kinds(_who: CurrentUser) -> Json<&'static zp_app::assets::AssetCatalog> {
    Json(uc::catalog())
}

#[derive(Deserialize)]
pub(super) struct CoverageQuery {
    scheme: Option<String>,
    year: Option<i32>,
}

pub(super) async fn coverage(
    State(st): State<AppState>,
    who: CurrentUser,
    Query(q): Query<CoverageQuery>,
) -> Result<Json<Vec<CoverageRow>>, AppError> {
    let scheme = text("scheme", &q.scheme)?;
    let year = need("year", q.year)?;
    let c = who.caller();
    let rows = st
        .run(move |s| Ok(uc::coverage(s, &c, &scheme, year)?))
        .await?;
    Ok(Json(rows))
}

#[derive(Deserialize)]
pub(super) struct StatusQuery {
    pub scheme: Option<String>,
    pub org: Option<String>,
    pub year: Option<i32>,
    #[serde(default, deserialize_with = "empty_as_none")]
    pub today: Option<Date>,
}

pub(super) async fn status(
    State(st): State<AppState>,
    who: CurrentUser,
    Query(q): Query<StatusQuery>,
) -> Result<Json<ComplianceStatus>, AppError> {
    let scheme = text("scheme", &q.scheme)?;
    let org = code("org", &q.org)?;
    let year = need("year", q.year)?;
    let today = q.today.unwrap_or_else(today);
    let c = who.caller();
    let s = st
        .run(move |s| Ok(uc::compliance_status(s, &c, &scheme, &org, year, today)?))
        .await?;
    Ok(Json(s))
}

pub(super) async fn overview(
    State(st): State<AppState>,
    who: CurrentUser,
    Query(q): Query<StatusQuery>,
) -> Result<Json<Vec<ComplianceStatus>>, AppError> {
    let scheme = text("scheme", &q.scheme)?;
    let year = need("year", q.year)?;
    let today = q.today.unwrap_or_else(today);
    let c = who.caller();
    let rows = st
        .run(move |s| Ok(uc::compliance_overview(s, &c, &scheme, year, today)?))
        .await?;
    Ok(Json(rows))
}
