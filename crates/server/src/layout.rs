//! The page frame every server-rendered page uses, and the [`Page`] extractor.
//!
//! A page handler takes a [`Page`] (the logged-in caller, their language, the CSRF token,
//! the path; anonymous visitors are sent to `/login`), renders its own body template and
//! wraps it with [`render`]:
//!
//! ```text
//! #[derive(askama::Template)]
//! #[template(path = "myarea.html")]          // crates/server/templates/myarea.html
//! struct Body { lang: Lang, rows: Vec<Row> }  // use {{ lang.t("myarea.title") }} inside
//!
//! async fn page(page: Page, State(st): State<AppState>) -> PageResult {
//!     let rows = st.run(move |s| ...).await?;
//!     render(&page, page.lang.t("myarea.title"), &Body { lang: page.lang, rows }, &["/assets/myarea.js"])
//! }
//! ```
//!
//! The frame holds the navigation (every area's [`NavItem`]s the caller's role may see), the
//! language switch, the user and logout, the stylesheet and ECharts when asked for.

use crate::auth::CurrentUser;
use crate::i18n::Lang;
use crate::{AREAS, AppError, AppState};
use askama::Template;
use axum::extract::FromRequestParts;
use axum::http::StatusCode;
use axum::http::request::Parts;
use axum::response::{Html, IntoResponse, Redirect, Response};
use zp_app::Role;

/// An entry of the navigation bar.
#[derive(Debug, Clone, Copy)]
pub struct NavItem {
    pub href: &'static str,
    /// UI string key of the label.
    pub label: &'static str,
    /// Roles that see the entry; empty means everyone.
    pub roles: &'static [Role],
    /// The menu it is listed under.
    pub group: NavGroup,
}

/// The menus of the navigation bar, in their order: what a park's work is grouped by.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum NavGroup {
    /// 监测: the park now (overview, map, energy centre, storage dispatch).
    Monitor,
    /// 核算: accounts and the assets they back (enterprises, certificates, carbon assets).
    Accounts,
    /// 评价审批: evaluations, buildings and projects, hazardous-waste approvals.
    Evaluate,
    /// 金融: climate finance.
    Finance,
    /// 数据: imports, quarantine, factors.
    Data,
    /// 系统: the audit log.
    System,
}

impl NavGroup {
    pub const ALL: [NavGroup; 6] = [
        NavGroup::Monitor,
        NavGroup::Accounts,
        NavGroup::Evaluate,
        NavGroup::Finance,
        NavGroup::Data,
        NavGroup::System,
    ];

    /// UI string key of the menu's label.
    pub fn label(self) -> &'static str {
        match self {
            NavGroup::Monitor => "nav.group.monitor",
            NavGroup::Accounts => "nav.group.accounts",
            NavGroup::Evaluate => "nav.group.evaluate",
            NavGroup::Finance => "nav.group.finance",
            NavGroup::Data => "nav.group.data",
            NavGroup::System => "nav.group.system",
        }
    }
}

/// A logged-in page request: who, in which language, the CSRF token for forms and
/// scripts, and the path (for the active navigation entry and the language switch).
#[derive(Debug, Clone)]
pub struct Page {
    pub user: CurrentUser,
    pub lang: Lang,
    pub csrf: String,
    pub path: String,
    /// Path with query, to come back to after switching language.
    pub here: String,
}

impl FromRequestParts<AppState> for Page {
    type Rejection = Response;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Page, Response> {
        let lang = Lang::of(parts);
        let here = parts
            .uri
            .path_and_query()
            .map(|p| p.as_str().to_string())
            .unwrap_or_else(|| "/".into());
        match crate::auth::authenticate(state, parts).await {
            Ok(Some(user)) => {
                let csrf = crate::auth::cookie(parts, crate::auth::SESSION_COOKIE)
                    .map(crate::csrf::token_for)
                    .unwrap_or_default();
                Ok(Page {
                    user,
                    lang,
                    csrf,
                    path: parts.uri.path().to_string(),
                    here,
                })
            }
            Ok(None) => {
                Err(Redirect::to(&format!("/login?next={}", encode(&here))).into_response())
            }
            Err(e) => Err(PageError(e, lang).into_response()),
        }
    }
}

/// Percent-encodes a path for a query value.
pub fn encode(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for b in s.bytes() {
        if b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b'.' | b'~' | b'/') {
            out.push(b as char);
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

/// A redirect target from a (decoded) query value: only a same-site relative path, never
/// another site. Accepted: starts with exactly one `/`, holds no `\\`, no control
/// character and no whitespace (browsers drop tabs and newlines from URLs, so `/\t/host`
/// would become `//host`). Anything else gives `/`. Non-ASCII characters (park names) are
/// percent-encoded so the result is always a valid `Location` header.
pub fn local_path(next: Option<&str>) -> String {
    let Some(n) = next else {
        return "/".into();
    };
    let ok = n.starts_with('/')
        && !n.starts_with("//")
        && !n.contains('\\')
        && !n.chars().any(|c| c.is_control() || c.is_whitespace());
    if !ok {
        return "/".into();
    }
    let mut out = String::with_capacity(n.len());
    for c in n.chars() {
        if c.is_ascii() {
            out.push(c);
        } else {
            let mut buf = [0u8; 4];
            for b in c.encode_utf8(&mut buf).bytes() {
                out.push_str(&format!("%{b:02X}"));
            }
        }
    }
    out
}

/// A navigation entry as shown.
pub struct NavLink {
    pub href: &'static str,
    pub label: &'static str,
    pub active: bool,
}

/// A menu as shown: its entries the caller may see; active when one of them is.
pub struct NavMenu {
    pub key: &'static str,
    pub label: &'static str,
    pub active: bool,
    pub links: Vec<NavLink>,
}

#[derive(Template)]
#[template(path = "layout.html")]
struct Frame<'a> {
    lang: Lang,
    title: &'a str,
    nav: Vec<NavMenu>,
    user: Option<&'a CurrentUser>,
    role_label: &'static str,
    csrf: &'a str,
    here: &'a str,
    body: String,
    scripts: &'a [&'a str],
    charts: bool,
}

/// A page's result: HTML, or an error page.
pub type PageResult = Result<Response, PageError>;

/// Wraps `body` in the frame. `scripts` are extra script URLs (after ECharts, which is
/// loaded whenever a script is given).
pub fn render(page: &Page, title: &str, body: &impl Template, scripts: &[&str]) -> PageResult {
    let body = body
        .render()
        .map_err(|e| PageError(AppError::Internal(format!("template: {e}")), page.lang))?;
    let role = page.user.role();
    let nav = NavGroup::ALL
        .into_iter()
        .map(|g| {
            let links: Vec<NavLink> = AREAS
                .iter()
                .flat_map(|a| a.nav.iter())
                .filter(|n| n.group == g && (n.roles.is_empty() || n.roles.contains(&role)))
                .map(|n| NavLink {
                    href: n.href,
                    label: page.lang.t(n.label),
                    active: if n.href == "/" {
                        page.path == "/"
                    } else {
                        page.path.starts_with(n.href)
                    },
                })
                .collect();
            NavMenu {
                key: g.label().trim_start_matches("nav.group."),
                label: page.lang.t(g.label()),
                active: links.iter().any(|l| l.active),
                links,
            }
        })
        .filter(|m| !m.links.is_empty())
        .collect();
    let frame = Frame {
        lang: page.lang,
        title,
        nav,
        user: Some(&page.user),
        role_label: page.lang.t(&format!("role.{}", role.key())),
        csrf: &page.csrf,
        here: &page.here,
        body,
        charts: !scripts.is_empty(),
        scripts,
    };
    frame
        .render()
        .map(|html| Html(html).into_response())
        .map_err(|e| PageError(AppError::Internal(format!("template: {e}")), page.lang))
}

/// A page without a logged-in user (the login page).
pub fn render_public(lang: Lang, here: &str, title: &str, body: &impl Template) -> PageResult {
    let body = body
        .render()
        .map_err(|e| PageError(AppError::Internal(format!("template: {e}")), lang))?;
    Frame {
        lang,
        title,
        nav: Vec::new(),
        user: None,
        role_label: "",
        csrf: "",
        here,
        body,
        scripts: &[],
        charts: false,
    }
    .render()
    .map(|html| Html(html).into_response())
    .map_err(|e| PageError(AppError::Internal(format!("template: {e}")), lang))
}

/// An error shown as a page (API handlers return [`AppError`] as JSON instead).
#[derive(Debug)]
pub struct PageError(pub AppError, pub Lang);

impl From<AppError> for PageError {
    fn from(e: AppError) -> Self {
        PageError(e, Lang::default())
    }
}

#[derive(Template)]
#[template(path = "error.html")]
struct ErrorPage<'a> {
    lang: Lang,
    status: u16,
    message: &'a str,
}

impl IntoResponse for PageError {
    fn into_response(self) -> Response {
        let PageError(err, lang) = self;
        if let AppError::Internal(detail) = &err {
            tracing::error!("internal error: {detail}");
        }
        let status = err.status();
        let message = match &err {
            AppError::NotFound(_) => lang.t("error.not_found").to_string(),
            other => other.to_string(),
        };
        let html = ErrorPage {
            lang,
            status: status.as_u16(),
            message: &message,
        }
        .render()
        .unwrap_or_else(|_| message.clone());
        (status, Html(html)).into_response()
    }
}

/// Unknown paths: JSON under `/api/`, a page elsewhere.
pub async fn not_found(uri: axum::http::Uri) -> Response {
    if uri.path().starts_with("/api/") {
        AppError::NotFound(format!("no route {}", uri.path())).into_response()
    } else {
        let mut r =
            PageError(AppError::NotFound(uri.path().into()), Lang::default()).into_response();
        *r.status_mut() = StatusCode::NOT_FOUND;
        r
    }
}
