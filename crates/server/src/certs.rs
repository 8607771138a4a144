//! The granular certificate registry (绿电溯源): balances, bundles, the chain check, and
//! every registry action of `zeropark certs` over HTTP (issue, GEC import, hourly
//! matching, transfer, split, retire, claim, withdraw), the hourly matching report and the
//! evidence document. The page is its own area (`certs_page`).
//!
//! Everyone sees the balances of the bundles they may see: a bundle is visible when its
//! owner, or the consumer it was retired for, is an enterprise in the caller's scope.
//! Account holders act for an enterprise in their scope (an enterprise user for their own);
//! the registry itself refuses what that account may not do (only the owner transfers or
//! retires: 403) and what the bundle's state forbids (already cancelled: 409). Issuance,
//! GEC import and withdrawal are the registry administrator's (platform admin). Every
//! append is audit-logged by the store with the caller's name.

use crate::auth::CurrentUser;
use crate::extract::{Json, Multipart, Query};
use crate::layout::NavItem;
use crate::openapi::{Body as OpBody, Op, schema};
use crate::{AppError, AppState, Area, Config};
use axum::Router;
use axum::extract::State;
use axum::http::header::{CONTENT_DISPOSITION, CONTENT_TYPE};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use serde::{Deserialize, Serialize};
use zp_app::certs::{Actor, Balances, Bundle, BundleId, Consumption, SigningKey};
use zp_app::certs::{BundleFilter, Lifecycle};
use zp_app::certs::{EvidenceDoc, MatchReport, Summary};
use zp_app::readings::ReadingStore;
use zp_app::{Access, Role, Store};
use zp_domain::time::{Date, parse_timestamp};
use zp_domain::{CreditCode, Period};

pub const AREA: Area = Area {
    name: "certs",
    routes,
    ops: OPS,
    nav: &[NavItem {
        href: "/certs",
        label: "nav.certs",
        roles: &[],
        group: crate::layout::NavGroup::Accounts,
    }],
    strings: &[],
};

/// Longest window of local days one request may cover.
pub const MAX_DAYS: i64 = 366;

const WINDOW: &[(&str, &str, bool)] = &[
    ("org", "Consumer's credit code", true),
    ("from", "First local day YYYY-MM-DD (Asia/Shanghai)", true),
    (
        "to",
        "Last local day YYYY-MM-DD, inclusive (at most 366 days)",
        true,
    ),
];

const OPS: &[Op] = &[
    Op::get(
        "/api/v1/certs/bundles",
        "Certificate bundles visible to the caller, with the balances of those bundles",
    )
    .query(&[
        ("owner", "Owner's credit code", false),
        ("status", "active, cancelled, claimed or withdrawn", false),
        ("limit", "Most bundles (default 500, at most 10000)", false),
    ])
    .returns(crate::openapi::response::<Bundles>),
    Op::get(
        "/api/v1/certs/verify",
        "Re-walk the signed hash chain and the balances of the whole registry",
    )
    .returns(crate::openapi::response::<Verified>),
    Op::get(
        "/api/v1/certs/public-key",
        "The registry's ed25519 public key (hex), to verify evidence and the event log",
    )
    .returns(crate::openapi::response::<PublicKey>),
    Op::get(
        "/api/v1/certs/matching",
        "Hourly matching of an enterprise in scope, as `report matching --json`: load_mwh, \
         matched_mwh, cfe_score, annual_match_ratio, missing_grid_cfe_hours and the hourly \
         rows (load_wh, matched_wh, grid_wh, grid_cfe_share, cfe_wh)",
    )
    .query(WINDOW)
    .returns(crate::openapi::response::<Matching>),
    Op::get(
        "/api/v1/certs/evidence",
        "Evidence of an enterprise's hourly matching (certificate ids, generators, signed \
         events) as JSON or PDF, as a download",
    )
    .query(&[
        ("org", "Consumer's credit code", true),
        ("from", "First local day YYYY-MM-DD", true),
        ("to", "Last local day YYYY-MM-DD, inclusive", true),
        ("format", "json (default) or pdf", false),
    ])
    .returns(crate::openapi::response::<EvidenceDoc>),
    Op::post(
        "/api/v1/certs/issue",
        "Issue one bundle per generation meter and metered hour {from, to, meter?} (local \
         days; platform admin); hours already issued are skipped",
    )
    .json_body(schema::<IssueBody>)
    .returns(crate::openapi::response::<zp_app::certs::IssueOutcome>),
    Op::post(
        "/api/v1/certs/import-gec",
        "Import Chinese green electricity certificates (GEC, multipart field `file`): CSV \
         serial_start,serial_end,mwh,plant,production_month,owner[,technology,region] \
         (platform admin); returns {read, accepted, quarantined, duplicates, rejected}",
    )
    .body(OpBody::Upload)
    .returns(crate::openapi::response::<zp_app::certs::GecImportOutcome>),
    Op::post(
        "/api/v1/certs/match",
        "Retire the consumer's own certificates hour by hour against its metered load \
         {consumer, from, to}; returns the events appended and the matching figures",
    )
    .json_body(schema::<MatchBody>)
    .returns(crate::openapi::response::<Matching>),
    Op::post(
        "/api/v1/certs/transfer",
        "Transfer a bundle, or its first `wh` (split off first), {bundle, to, wh?, as?}; \
         only the owner (`as`, default: an enterprise user's own enterprise)",
    )
    .json_body(schema::<ActionBody>)
    .returns(crate::openapi::response::<Appended>),
    Op::post(
        "/api/v1/certs/split",
        "Split a bundle {bundle, wh, as?}: it keeps its first `wh`, a new bundle the rest",
    )
    .json_body(schema::<ActionBody>)
    .returns(crate::openapi::response::<Appended>),
    Op::post(
        "/api/v1/certs/retire",
        "Cancel (retire) a bundle, or its first `wh`, for a consumer and a consumption hour \
         (granular) or month (GEC) {bundle, consumer, hour | month, wh?, as?}; only the owner",
    )
    .json_body(schema::<ActionBody>)
    .returns(crate::openapi::response::<Appended>),
    Op::post(
        "/api/v1/certs/claim",
        "Claim a cancelled bundle {bundle, as?} (its consumer or the owner who cancelled it)",
    )
    .json_body(schema::<ActionBody>)
    .returns(crate::openapi::response::<Appended>),
    Op::post(
        "/api/v1/certs/withdraw",
        "Withdraw an active bundle {bundle, reason} (registry administrator: platform admin)",
    )
    .json_body(schema::<ActionBody>)
    .returns(crate::openapi::response::<Appended>),
];

fn routes() -> Router<AppState> {
    // The lifecycle actions share one handler; the action is named by the path.
    Router::new()
        .route("/api/v1/certs/bundles", get(bundles_api))
        .route("/api/v1/certs/verify", get(verify_api))
        .route("/api/v1/certs/public-key", get(public_key_api))
        .route("/api/v1/certs/matching", get(matching_api))
        .route("/api/v1/certs/evidence", get(evidence_api))
        .route("/api/v1/certs/issue", post(issue_api))
        .route("/api/v1/certs/import-gec", post(import_gec_api))
        .route("/api/v1/certs/match", post(match_api))
        .route(
            "/api/v1/certs/transfer",
            post(|st, who, b| act(st, who, Action::Transfer, b)),
        )
        .route(
            "/api/v1/certs/split",
            post(|st, who, b| act(st, who, Action::Split, b)),
        )
        .route(
            "/api/v1/certs/retire",
            post(|st, who, b| act(st, who, Action::Retire, b)),
        )
        .route(
            "/api/v1/certs/claim",
            post(|st, who, b| act(st, who, Action::Claim, b)),
        )
        .route(
            "/api/v1/certs/withdraw",
            post(|st, who, b| act(st, who, Action::Withdraw, b)),
        )
}

#[derive(Deserialize, Default)]
pub(crate) struct BundleQuery {
    pub owner: Option<String>,
    pub status: Option<String>,
    pub limit: Option<usize>,
}

fn credit_code(field: &str, s: &str) -> Result<CreditCode, AppError> {
    CreditCode::parse(s.trim()).map_err(|e| AppError::BadRequest(format!("{field} {s:?}: {e}")))
}

/// Bundles the caller may see (owner or consumer in scope), newest first, and their
/// balances.
pub(crate) fn visible(
    s: &mut dyn Store,
    who: &CurrentUser,
    q: &BundleQuery,
) -> Result<(Vec<Bundle>, Balances), AppError> {
    let owner = q
        .owner
        .as_deref()
        .map(|o| credit_code("owner", o))
        .transpose()?;
    if let Some(st) = &q.status
        && !["active", "cancelled", "claimed", "withdrawn"].contains(&st.as_str())
    {
        return Err(AppError::BadRequest(format!(
            "status {st:?}: use active, cancelled, claimed or withdrawn"
        )));
    }
    let filter = BundleFilter {
        owner,
        status: q.status.clone(),
        ..Default::default()
    };
    let caller = who.caller();
    let limit = q.limit.unwrap_or(500).min(10_000);
    Ok(zp_app::certs::visible_bundles(s, &caller, &filter, limit)?)
}

async fn bundles_api(
    State(st): State<AppState>,
    who: CurrentUser,
    Query(q): Query<BundleQuery>,
) -> Result<Json<Bundles>, AppError> {
    let (bundles, balances) = st.run(move |s| visible(s, &who, &q)).await?;
    Ok(Json(Bundles { balances, bundles }))
}

/// The bundles the caller sees and the registry's balances.
#[derive(Serialize, schemars::JsonSchema)]
pub struct Bundles {
    balances: Balances,
    bundles: Vec<Bundle>,
}

/// A verified log (an empty one has no summary).
#[derive(Serialize, schemars::JsonSchema)]
pub struct Verified {
    verified: bool,
    summary: Option<Summary>,
    #[serde(skip_serializing_if = "Option::is_none")]
    note: Option<&'static str>,
}

/// The registry's Ed25519 public key, hex.
#[derive(Serialize, schemars::JsonSchema)]
pub struct PublicKey {
    public_key: String,
}

/// What a lifecycle action appended.
#[derive(Serialize, schemars::JsonSchema)]
pub struct Appended {
    events_appended: usize,
    bundle: u64,
}

async fn verify_api(
    State(st): State<AppState>,
    _who: CurrentUser,
) -> Result<Json<Verified>, AppError> {
    let summary = st.run(|s| Ok(zp_app::certs::verify(s)?)).await?;
    // An empty registry answers no summary (with a note), as it always has.
    let summary = (summary.events > 0).then_some(summary);
    let note = summary
        .is_none()
        .then_some("the registry has no events yet");
    Ok(Json(Verified {
        verified: true,
        summary,
        note,
    }))
}

async fn public_key_api(
    State(st): State<AppState>,
    _who: CurrentUser,
) -> Result<Json<PublicKey>, AppError> {
    let key = st.run(|s| Ok(zp_app::certs::public_key(s)?)).await?;
    Ok(Json(PublicKey {
        public_key: hex::encode(key.as_bytes()),
    }))
}

/// Local days `from..=to` as `[start, end)` UTC epoch seconds, at most [`MAX_DAYS`].
pub(crate) fn window(from: &str, to: &str) -> Result<(i64, i64), AppError> {
    let date = |field: &str, v: &str| {
        v.trim().parse::<Date>().map_err(|e| {
            AppError::BadRequest(format!("{field} {v:?}: not a date YYYY-MM-DD ({e})"))
        })
    };
    let (start, end) = zp_app::certs::day_window(date("from", from)?, date("to", to)?)
        .map_err(|e| AppError::BadRequest(e.to_string()))?;
    if end - start > MAX_DAYS * 86_400 {
        return Err(AppError::BadRequest(format!(
            "{from} to {to} is longer than {MAX_DAYS} days"
        )));
    }
    Ok((start, end))
}

/// The interval readings store behind issuance, load and matching.
pub(crate) fn readings(config: &Config) -> Result<ReadingStore, AppError> {
    let dir = config.readings_dir.as_deref().ok_or_else(|| {
        AppError::Unprocessable(
            "this server has no interval readings store (start it with zeropark serve)".into(),
        )
    })?;
    ReadingStore::open(dir).map_err(|e| AppError::Internal(format!("readings store: {e}")))
}

/// The registry's signing key; a server without one serves the registry read-only.
fn signing_key(s: &mut dyn Store, config: &Config) -> Result<SigningKey, AppError> {
    let path = config.registry_key.as_deref().ok_or_else(|| {
        AppError::Unprocessable(
            "this server has no registry signing key (ZEROPARK_REGISTRY_KEY): the \
             certificate registry is read-only here"
                .into(),
        )
    })?;
    zp_app::certs::signing_key(s, path).map_err(|e| AppError::Internal(e.to_string()))
}

fn now() -> i64 {
    jiff::Timestamp::now().as_second()
}

#[derive(Deserialize)]
pub(crate) struct WindowQuery {
    pub org: String,
    pub from: String,
    pub to: String,
}

/// The hourly matching report of an enterprise: the keys of `report matching --json` plus
/// the request's `org`, `from` and `to`.
#[derive(Serialize, schemars::JsonSchema)]
pub struct Matching {
    #[serde(flatten)]
    pub report: MatchReport,
    pub org: CreditCode,
    pub from: String,
    pub to: String,
    /// `POST /api/v1/certs/match` only: the retirement events the matching appended.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub events_appended: Option<usize>,
}

/// The hourly matching report of `org` (visible through `access`).
pub(crate) fn matching(
    s: &mut dyn Store,
    access: &Access,
    config: &Config,
    q: &WindowQuery,
) -> Result<Matching, AppError> {
    let org = credit_code("org", &q.org)?;
    let (from, to) = window(&q.from, &q.to)?;
    let rs = readings(config)?;
    let report = zp_app::certs::matching_report(s, access, &rs, &org, (from, to))?;
    Ok(Matching {
        report,
        org,
        from: q.from.trim().to_string(),
        to: q.to.trim().to_string(),
        events_appended: None,
    })
}

async fn matching_api(
    State(st): State<AppState>,
    who: CurrentUser,
    Query(q): Query<WindowQuery>,
) -> Result<Json<Matching>, AppError> {
    let config = st.config.clone();
    let m = st
        .run(move |s| matching(s, &who.access, &config, &q))
        .await?;
    Ok(Json(m))
}

#[derive(Deserialize)]
struct EvidenceQuery {
    #[serde(flatten)]
    window: WindowQuery,
    format: Option<String>,
}

async fn evidence_api(
    State(st): State<AppState>,
    who: CurrentUser,
    Query(q): Query<EvidenceQuery>,
) -> Result<Response, AppError> {
    let pdf = match q.format.as_deref().unwrap_or("json") {
        "json" => false,
        "pdf" => true,
        other => {
            return Err(AppError::BadRequest(format!(
                "format {other:?}: use json or pdf"
            )));
        }
    };
    let org = credit_code("org", &q.window.org)?;
    let (from, to) = window(&q.window.from, &q.window.to)?;
    let config = st.config.clone();
    let lookup = org.clone();
    let doc = st
        .run(move |s| {
            let rs = readings(&config)?;
            Ok(zp_app::certs::evidence(
                s,
                &who.access,
                &rs,
                &lookup,
                (from, to),
            )?)
        })
        .await?;
    let name = format!(
        "evidence-{org}-{}-{}",
        q.window.from.trim(),
        q.window.to.trim()
    );
    let (ctype, file, bytes) = if pdf {
        (
            "application/pdf",
            format!("{name}.pdf"),
            zp_app::evidence_pdf::render(&doc),
        )
    } else {
        let text =
            serde_json::to_vec_pretty(&doc).map_err(|e| AppError::Internal(e.to_string()))?;
        ("application/json", format!("{name}.json"), text)
    };
    let disposition = format!("attachment; filename=\"{file}\"");
    Ok((
        [
            (CONTENT_TYPE, ctype.to_string()),
            (CONTENT_DISPOSITION, disposition),
        ],
        bytes,
    )
        .into_response())
}

#[derive(Deserialize, schemars::JsonSchema)]
struct IssueBody {
    from: String,
    to: String,
    meter: Option<String>,
}

async fn issue_api(
    State(st): State<AppState>,
    who: CurrentUser,
    Json(b): Json<IssueBody>,
) -> Result<Json<zp_app::certs::IssueOutcome>, AppError> {
    who.require_write()?;
    who.require_role(&[Role::PlatformAdmin])?;
    let window = window(&b.from, &b.to)?;
    let config = st.config.clone();
    let out = st
        .run(move |s| {
            let key = signing_key(s, &config)?;
            let rs = readings(&config)?;
            let meter = b.meter.as_deref().map(str::trim).filter(|m| !m.is_empty());
            Ok(zp_app::certs::issue(
                s,
                &key,
                &rs,
                meter,
                window,
                now(),
                &who.actor(),
            )?)
        })
        .await?;
    Ok(Json(out))
}

/// The uploaded GEC file is kept under the upload folder (the evidence of the import).
async fn import_gec_api(
    State(st): State<AppState>,
    who: CurrentUser,
    mut multipart: Multipart,
) -> Result<Json<zp_app::certs::GecImportOutcome>, AppError> {
    who.require_write()?;
    who.require_role(&[Role::PlatformAdmin])?;
    let saved = crate::imports::save_upload(&st.config, &mut multipart).await?;
    let config = st.config.clone();
    let (path, name) = (saved.path.clone(), saved.name.clone());
    let out = st
        .run(move |s| {
            let key = signing_key(s, &config)?;
            let shown = path.display().to_string();
            zp_app::certs::import_gec(s, &key, &path, now(), &who.actor()).map_err(|e| {
                match AppError::from(e) {
                    AppError::Unprocessable(m) => AppError::Unprocessable(m.replace(&shown, &name)),
                    other => other,
                }
            })
        })
        .await;
    let out = out?;
    saved.keep();
    Ok(Json(out))
}

#[derive(Deserialize, schemars::JsonSchema)]
struct MatchBody {
    consumer: String,
    from: String,
    to: String,
}

async fn match_api(
    State(st): State<AppState>,
    who: CurrentUser,
    Json(b): Json<MatchBody>,
) -> Result<Json<Matching>, AppError> {
    who.require_write()?;
    who.require_role(&[Role::PlatformAdmin, Role::ParkAdmin, Role::EnterpriseUser])?;
    let consumer = credit_code("consumer", &b.consumer)?;
    let window = window(&b.from, &b.to)?;
    let config = st.config.clone();
    st.run(move |s| {
        let consumer = acting_account(s, &who, Some(consumer.as_str()))?;
        let key = signing_key(s, &config)?;
        let rs = readings(&config)?;
        let events =
            zp_app::certs::match_consumer(s, &key, &rs, &consumer, window, now(), &who.actor())?;
        let q = WindowQuery {
            org: consumer.to_string(),
            from: b.from,
            to: b.to,
        };
        let mut report = matching(s, &who.access, &config, &q)?;
        report.events_appended = Some(events);
        Ok(Json(report))
    })
    .await
}

/// The account `who` acts for: `as` when given, else an enterprise user's own
/// enterprise. It must be in the caller's scope (403 otherwise).
fn acting_account(
    s: &mut dyn Store,
    who: &CurrentUser,
    as_org: Option<&str>,
) -> Result<CreditCode, AppError> {
    let code = match (as_org, &who.access) {
        (Some(a), _) => credit_code("as", a)?,
        (None, Access::Org(own)) => own.clone(),
        (None, _) => {
            return Err(AppError::BadRequest(
                "as: give the credit code of the account holder you act for".into(),
            ));
        }
    };
    if s.org(&who.access, &code)?.is_none() {
        return Err(AppError::Forbidden(format!(
            "you may act only for enterprises in your scope; {code} is not"
        )));
    }
    Ok(code)
}

/// The body of a lifecycle action; which fields count depends on the action.
#[derive(Deserialize, schemars::JsonSchema)]
struct ActionBody {
    bundle: u64,
    #[serde(rename = "as")]
    as_org: Option<String>,
    to: Option<String>,
    wh: Option<u64>,
    consumer: Option<String>,
    hour: Option<String>,
    month: Option<String>,
    reason: Option<String>,
}

#[derive(Clone, Copy)]
enum Action {
    Transfer,
    Split,
    Retire,
    Claim,
    Withdraw,
}

fn required<'a>(field: &str, v: &'a Option<String>) -> Result<&'a str, AppError> {
    v.as_deref()
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .ok_or_else(|| AppError::BadRequest(format!("{field} is required")))
}

/// The consumption interval of a retirement: an hour (granular) or a month (GEC).
fn consumption(b: &ActionBody) -> Result<Consumption, AppError> {
    let blank = |v: &Option<String>| v.as_deref().is_none_or(|s| s.trim().is_empty());
    match (blank(&b.hour), blank(&b.month)) {
        (false, true) => {
            let h = required("hour", &b.hour)?;
            Ok(Consumption::Hour {
                hour_start: parse_timestamp(h)
                    .map_err(|e| AppError::BadRequest(format!("hour {h:?}: {e}")))?,
            })
        }
        (true, false) => {
            let m = required("month", &b.month)?;
            Ok(Consumption::Month {
                period: Period::parse(m)
                    .map_err(|e| AppError::BadRequest(format!("month {m:?}: {e}")))?,
            })
        }
        _ => Err(AppError::BadRequest(
            "give the consumption interval: hour (granular certificates) or month \
             YYYY-MM (GECs), not both"
                .into(),
        )),
    }
}

fn lifecycle(action: Action, b: &ActionBody) -> Result<Lifecycle, AppError> {
    let bundle = BundleId(b.bundle);
    Ok(match action {
        Action::Transfer => Lifecycle::Transfer {
            bundle,
            to: credit_code("to", required("to", &b.to)?)?,
            energy_wh: b.wh,
        },
        Action::Split => Lifecycle::Split {
            bundle,
            first_energy_wh: b
                .wh
                .ok_or_else(|| AppError::BadRequest("wh is required".into()))?,
        },
        Action::Retire => Lifecycle::Retire {
            bundle,
            energy_wh: b.wh,
            consumer: credit_code("consumer", required("consumer", &b.consumer)?)?,
            consumption: consumption(b)?,
        },
        Action::Claim => Lifecycle::Claim { bundle },
        Action::Withdraw => Lifecycle::Withdraw {
            bundle,
            reason: required("reason", &b.reason)?.to_string(),
        },
    })
}

/// Applies one lifecycle action: a withdrawal as the registry (platform admin), anything
/// else as the account the caller acts for.
async fn act(
    State(st): State<AppState>,
    who: CurrentUser,
    action: Action,
    Json(b): Json<ActionBody>,
) -> Result<Json<Appended>, AppError> {
    who.require_write()?;
    match action {
        Action::Withdraw => who.require_role(&[Role::PlatformAdmin])?,
        _ => who.require_role(&[Role::PlatformAdmin, Role::ParkAdmin, Role::EnterpriseUser])?,
    }
    let plan = lifecycle(action, &b)?;
    let config = st.config.clone();
    st.run(move |s| {
        let actor = match action {
            Action::Withdraw => Actor::Registry,
            _ => Actor::Account(acting_account(s, &who, b.as_org.as_deref())?),
        };
        let key = signing_key(s, &config)?;
        let n = zp_app::certs::apply(s, &key, &plan, &actor, now(), &who.actor())?;
        Ok(Json(Appended {
            events_appended: n,
            bundle: b.bundle,
        }))
    })
    .await
}
