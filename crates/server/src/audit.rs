//! The audit log (审计日志): every change with who, when, what, before and after.
//! Platform admins and unscoped verifiers read all of it; everyone else reads the entries
//! they wrote themselves.

use crate::auth::CurrentUser;
use crate::i18n::{Entry, Lang};
use crate::layout::{NavItem, Page, PageError, PageResult, render};
use crate::openapi::Op;
use crate::{AppError, AppState, Area};
use askama::Template;
use axum::extract::{Query, State};
use axum::routing::get;
use axum::{Json, Router};
use serde::Deserialize;
use serde_json::{Value, json};
use zp_app::{AuditEntry, Store};

pub const AREA: Area = Area {
    name: "audit",
    routes,
    ops: OPS,
    nav: &[NavItem {
        href: "/audit",
        label: "nav.audit",
        roles: &[],
    }],
    strings: STRINGS,
};

const OPS: &[Op] = &[
    Op::get("/api/v1/audit", "Audit log, newest first").query(&[(
        "limit",
        "Most entries (default 200, at most 5000)",
        false,
    )]),
];

const STRINGS: &[Entry] = &[
    ("nav.audit", "审计日志", "Audit log"),
    (
        "audit.title",
        "审计日志（只增不改）",
        "Audit log (append-only)",
    ),
    ("audit.action", "操作", "Action"),
    ("audit.entity", "对象", "Entity"),
    ("audit.before", "修改前", "Before"),
    ("audit.after", "修改后", "After"),
    (
        "audit.own",
        "仅显示您本人的操作记录。",
        "Showing the changes you made.",
    ),
];

fn routes() -> Router<AppState> {
    Router::new()
        .route("/audit", get(page))
        .route("/api/v1/audit", get(api))
}

#[derive(Deserialize)]
struct Limit {
    limit: Option<usize>,
}

fn entries(
    s: &mut dyn Store,
    who: &CurrentUser,
    limit: usize,
) -> Result<Vec<AuditEntry>, AppError> {
    Ok(if who.sees_all() {
        s.audit(limit)?
    } else {
        s.audit_by_actor(&who.actor(), limit)?
    })
}

async fn api(
    State(st): State<AppState>,
    who: CurrentUser,
    Query(q): Query<Limit>,
) -> Result<Json<Value>, AppError> {
    let limit = q.limit.unwrap_or(200).min(5000);
    let list = st.run(move |s| entries(s, &who, limit)).await?;
    Ok(Json(json!({ "entries": list })))
}

#[derive(Template)]
#[template(path = "audit.html")]
struct Body {
    lang: Lang,
    own_only: bool,
    entries: Vec<AuditEntry>,
}

async fn page(page: Page, State(st): State<AppState>, Query(q): Query<Limit>) -> PageResult {
    let lang = page.lang;
    let who = page.user.clone();
    let limit = q.limit.unwrap_or(200).min(5000);
    let entries = st
        .run(move |s| entries(s, &who, limit))
        .await
        .map_err(|e| PageError(e, lang))?;
    let body = Body {
        lang,
        own_only: !page.user.sees_all(),
        entries,
    };
    render(&page, lang.t("nav.audit"), &body, &[])
}
