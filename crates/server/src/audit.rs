//! The audit log (审计日志): every change with who, when, what, before and after, filtered
//! by who, action, object and Beijing-time days and paged back by id, all in SQL
//! (`audit_filtered`). Platform admins read all of it; everyone else (verifiers and banks
//! included) reads the entries they wrote themselves, with server file paths reduced to
//! file names.

use crate::auth::CurrentUser;
use crate::extract::{Json, Query, trimmed};
use crate::format::file_name;
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
use zp_app::{AuditEntry, AuditFilter, Store};
use zp_domain::time::Date;

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
    .query(&[
        ("limit", "Most entries (default 200, at most 5000)", false),
        (
            "actor",
            "Who (e.g. user:park, cli:local); others than admins see their own",
            false,
        ),
        (
            "action",
            "What was done (create, update, import, revert, ...)",
            false,
        ),
        (
            "object",
            "The entity kind (org, user, ...) or a part of its id",
            false,
        ),
        ("from", "First Beijing-time day YYYY-MM-DD", false),
        ("to", "Last Beijing-time day YYYY-MM-DD (inclusive)", false),
        (
            "before",
            "Only entries with a smaller id (the next page)",
            false,
        ),
    ])
    .returns(crate::openapi::response::<Entries>)];

const STRINGS: &[Entry] = &[
    ("nav.audit", "审计日志", "Audit log"),
    (
        "audit.title",
        "审计日志（只增不改）",
        "Audit log (append-only)",
    ),
    ("audit.action", "操作", "Action"),
    ("audit.object", "对象（类型或编号）", "Object (kind or id)"),
    ("audit.from", "起始日", "From"),
    ("audit.to", "截止日", "To"),
    ("audit.filter", "筛选", "Filter"),
    ("audit.older", "更早的记录 →", "Older entries →"),
    ("audit.action.create", "创建", "create"),
    ("audit.action.insert", "新增", "insert"),
    ("audit.action.update", "更新", "update"),
    ("audit.action.set", "设置", "set"),
    ("audit.action.issue", "出具", "issue"),
    ("audit.action.raise", "触发", "raise"),
    ("audit.action.import", "导入", "import"),
    ("audit.action.revert", "撤销导入", "revert"),
    ("audit.action.restate", "更正", "restate"),
    ("audit.action.approve", "批准", "approve"),
    ("audit.action.review", "审核", "review"),
    ("audit.action.disburse", "放款", "disburse"),
    ("audit.action.repay", "还款", "repay"),
    ("audit.action.close", "结清", "close"),
    ("audit.action.revoke", "吊销", "revoke"),
    ("audit.action.append", "追加", "append"),
    ("audit.action.assign", "指派", "assign"),
    ("audit.action.delete", "删除", "delete"),
    ("audit.action.login", "登录", "login"),
    ("audit.action.logout", "退出", "logout"),
    ("audit.action.set_password", "设置密码", "set password"),
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

/// The filter of the page and the API; empty values are absent.
#[derive(Deserialize, Default, Clone)]
struct AuditQuery {
    #[serde(default, deserialize_with = "crate::extract::empty_as_none")]
    limit: Option<usize>,
    actor: Option<String>,
    action: Option<String>,
    object: Option<String>,
    #[serde(default, deserialize_with = "crate::extract::empty_as_none")]
    from: Option<Date>,
    #[serde(default, deserialize_with = "crate::extract::empty_as_none")]
    to: Option<Date>,
    #[serde(default, deserialize_with = "crate::extract::empty_as_none")]
    before: Option<i64>,
}

/// The UTC time prefix of local midnight starting `d` (how `at` compares).
fn utc_prefix(d: Date) -> String {
    let t = jiff::Timestamp::from_second(zp_domain::time::local_day_start(d)).unwrap_or_default();
    t.to_string().trim_end_matches('Z').to_string()
}

impl AuditQuery {
    /// The store's filter as `who` may ask it: anyone but an admin sees only their own.
    fn filter(&self, who: &CurrentUser, default_limit: usize) -> Result<AuditFilter, AppError> {
        if let (Some(f), Some(t)) = (self.from, self.to)
            && t < f
        {
            return Err(AppError::BadRequest(format!("to {t} is before from {f}")));
        }
        let next_day = |d: Date| {
            d.tomorrow()
                .map_err(|e| AppError::BadRequest(format!("to: {e}")))
        };
        Ok(AuditFilter {
            actor: if who.sees_all() {
                trimmed(&self.actor)
            } else {
                Some(who.actor())
            },
            action: trimmed(&self.action),
            object: trimmed(&self.object),
            from_utc: self.from.map(utc_prefix),
            to_utc: self.to.map(next_day).transpose()?.map(utc_prefix),
            before_id: self.before,
            limit: self.limit.unwrap_or(default_limit).min(5000),
        })
    }
}

fn entries(
    s: &mut dyn Store,
    who: &CurrentUser,
    filter: &AuditFilter,
) -> Result<Vec<AuditEntry>, AppError> {
    let list = s.audit_filtered(filter)?;
    Ok(if who.sees_all() {
        list
    } else {
        list.into_iter().map(hide_paths).collect()
    })
}

/// `e` without server file paths: every absolute path in its before/after values (a JSON
/// string, or a word of plain text) becomes its file name.
pub fn hide_paths(mut e: AuditEntry) -> AuditEntry {
    e.before = e.before.as_deref().map(hide_paths_in);
    e.after = e.after.as_deref().map(hide_paths_in);
    e
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
            Value::String(s) if is_path(s) => *s = file_name(s).to_string(),
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
                    file_name(w).to_string()
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
    Query(q): Query<AuditQuery>,
) -> Result<Json<Entries>, AppError> {
    let filter = q.filter(&who, 200)?;
    let list = st.run(move |s| entries(s, &who, &filter)).await?;
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
    /// The filter as asked (to fill the form again).
    actor: String,
    action: String,
    object: String,
    from: String,
    to: String,
    /// The link to the next (older) page, when this one is full.
    older: Option<String>,
}

/// Entries per page.
const PAGE: usize = 100;

async fn page(page: Page, State(st): State<AppState>, Query(q): Query<AuditQuery>) -> PageResult {
    let lang = page.lang;
    let who = page.user.clone();
    let filter = q.filter(&who, PAGE).map_err(|e| PageError(e, lang))?;
    let limit = filter.limit;
    let entries = st
        .run(move |s| entries(s, &who, &filter))
        .await
        .map_err(|e| PageError(e, lang))?;
    let shown = |v: &Option<String>| trimmed(v).unwrap_or_default();
    let day = |d: Option<Date>| d.map(|d| d.to_string()).unwrap_or_default();
    let older = (entries.len() == limit).then(|| {
        let last = entries.last().map_or(0, |e| e.id);
        format!(
            "/audit?actor={}&action={}&object={}&from={}&to={}&before={last}",
            crate::layout::encode(&shown(&q.actor)),
            crate::layout::encode(&shown(&q.action)),
            crate::layout::encode(&shown(&q.object)),
            day(q.from),
            day(q.to),
        )
    });
    let body = Body {
        lang,
        own_only: !page.user.sees_all(),
        entries,
        actor: shown(&q.actor),
        action: shown(&q.action),
        object: shown(&q.object),
        from: day(q.from),
        to: day(q.to),
        older,
    };
    render(&page, lang.t("nav.audit"), &body, &[])
}
