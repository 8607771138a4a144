//! The audit log (审计日志): every change with who, when, what, before and after.
//! Platform admins read all of it; everyone else (verifiers and banks included) reads the
//! entries they wrote themselves, filtered in SQL (`audit_by_actor`), with server file
//! paths reduced to file names.

use crate::auth::CurrentUser;
use crate::extract::{Json, Query};
use crate::i18n::{Entry, Lang};
use crate::layout::{NavItem, Page, PageError, PageResult, render};
use crate::openapi::Op;
use crate::{AppError, AppState, Area};
use askama::Template;
use axum::Router;
use axum::extract::State;
use axum::routing::get;
use serde::Deserialize;
use serde_json::Value;
use zp_app::{AuditEntry, Store};

pub const AREA: Area = Area {
    name: "audit",
    routes,
    ops: OPS,
    nav: &[NavItem {
        href: "/audit",
        label: "nav.audit",
        roles: &[],
        group: crate::layout::NavGroup::System,
    }],
    strings: STRINGS,
};

const OPS: &[Op] = &[Op::get("/api/v1/audit", "Audit log, newest first")
    .query(&[("limit", "Most entries (default 200, at most 5000)", false)])
    .returns(crate::openapi::response::<Entries>)];

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
            .into_iter()
            .map(hide_paths)
            .collect()
    })
}

/// `e` without server file paths: every absolute path in its before/after values (a JSON
/// string, or a word of plain text) becomes its file name.
pub fn hide_paths(mut e: AuditEntry) -> AuditEntry {
    e.before = e.before.as_deref().map(hide_paths_in);
    e.after = e.after.as_deref().map(hide_paths_in);
    e
}

fn file_name(p: &str) -> String {
    p.rsplit(['/', '\\']).next().unwrap_or("").to_string()
}

fn is_path(s: &str) -> bool {
    let b = s.as_bytes();
    s.starts_with('/')
        || s.starts_with("\\\\")
        || (b.len() > 2
            && b[0].is_ascii_alphabetic()
            && b[1] == b':'
            && matches!(b[2], b'\\' | b'/'))
}

fn hide_paths_in(text: &str) -> String {
    fn walk(v: &mut Value) {
        match v {
            Value::String(s) if is_path(s) => *s = file_name(s),
            Value::Array(a) => a.iter_mut().for_each(walk),
            Value::Object(o) => o.values_mut().for_each(walk),
            _ => {}
        }
    }
    match serde_json::from_str::<Value>(text) {
        Ok(mut v) if v.is_object() || v.is_array() || v.is_string() => {
            walk(&mut v);
            v.to_string()
        }
        _ => text
            .split(' ')
            .map(|w| {
                if is_path(w) {
                    file_name(w)
                } else {
                    w.to_string()
                }
            })
            .collect::<Vec<_>>()
            .join(" "),
    }
}

async fn api(
    State(st): State<AppState>,
    who: CurrentUser,
    Query(q): Query<Limit>,
) -> Result<Json<Entries>, AppError> {
    let limit = q.limit.unwrap_or(200).min(5000);
    let list = st.run(move |s| entries(s, &who, limit)).await?;
    Ok(Json(Entries { entries: list }))
}

/// The answer of `GET /api/v1/audit`.
#[derive(serde::Serialize, schemars::JsonSchema)]
pub struct Entries {
    entries: Vec<AuditEntry>,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn paths_are_reduced_to_file_names() {
        assert_eq!(
            hide_paths_in(r#"{"file":"/srv/zp/uploads/1-ab/orgs.csv","rows":3}"#),
            r#"{"file":"orgs.csv","rows":3}"#
        );
        assert_eq!(
            hide_paths_in("imported /home/u/ledger.xlsx (3 rows)"),
            "imported ledger.xlsx (3 rows)"
        );
        assert_eq!(hide_paths_in(r#"["C:\\data\\a.csv"]"#), r#"["a.csv"]"#);
        assert_eq!(hide_paths_in("plain 1/2"), "plain 1/2");
    }
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
