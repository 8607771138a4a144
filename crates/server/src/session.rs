//! Logging in and out (page and API), the caller's identity, API tokens and accounts.

use crate::auth::{self, CurrentUser};
use crate::extract::{Form, Json, Path, Query};
use crate::i18n::{Entry, Lang};
use crate::layout::{PageResult, local_path, render_public};
use crate::openapi::{Op, schema};
use crate::{AppError, AppState, Area};
use askama::Template;
use axum::Router;
use axum::extract::State;
use axum::http::header::SET_COOKIE;
use axum::http::request::Parts;
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{delete, get, post};
use serde::{Deserialize, Serialize};
use zp_app::{Role, User};

pub const AREA: Area = Area {
    name: "session",
    routes,
    ops: OPS,
    nav: &[],
    strings: STRINGS,
};

const OPS: &[Op] = &[
    Op::post(
        "/api/v1/session",
        "Log in with {username, password}: sets the session cookie; returns the user and the CSRF token",
    )
    .json_body(schema::<LoginJson>)
    .public()
    .returns(crate::openapi::response::<SignedIn>),
    Op::delete("/api/v1/session", "Log out (ends the session, if any)").public()
    .returns(crate::openapi::response::<LoggedOut>),
    Op::get("/api/v1/me", "The caller: user, role, scope and the CSRF token of the session")
    .returns(crate::openapi::response::<SignedIn>),
    Op::post(
        "/api/v1/tokens",
        "Create an API token {name} for the caller; the secret is shown once",
    )
    .created()
    .json_body(schema::<NewToken>)
    .returns(crate::openapi::response::<CreatedToken>),
    Op::delete("/api/v1/tokens/{id}", "Revoke an API token (platform admin)")
    .returns(crate::openapi::response::<Revoked>),
    Op::get("/api/v1/users", "Accounts (platform admin)")
    .returns(crate::openapi::response::<Users>),
    Op::post(
        "/api/v1/users",
        "Create an account {username, role, scope, password} (platform admin)",
    )
    .created()
    .json_body(schema::<NewUserJson>)
    .returns(crate::openapi::response::<CreatedUser>),
];

const STRINGS: &[Entry] = &[
    ("login.title", "登录", "Log in"),
    ("login.username", "用户名", "Username"),
    ("login.password", "密码", "Password"),
    ("login.submit", "登录", "Log in"),
    (
        "login.hint",
        "演示账号与密码由 zeropark demo 启动时打印。",
        "Demo accounts and passwords are printed by zeropark demo when it starts.",
    ),
    (
        "login.failed",
        "用户名或密码错误",
        "Wrong username or password",
    ),
    ("login.seconds", "秒", "s"),
    (
        "login.limited",
        "登录尝试次数过多，请稍后再试",
        "Too many login attempts; please wait and try again",
    ),
];

fn routes() -> Router<AppState> {
    Router::new()
        .route("/login", get(login_page).post(login_form))
        .route("/logout", post(logout_form))
        .route("/api/v1/session", post(login_api).delete(logout_api))
        .route("/api/v1/me", get(me))
        .route("/api/v1/tokens", post(create_token))
        .route("/api/v1/tokens/{id}", delete(revoke_token))
        .route("/api/v1/users", get(list_users).post(create_user))
}

#[derive(Template)]
#[template(path = "login.html")]
struct LoginBody<'a> {
    lang: Lang,
    next: &'a str,
    username: &'a str,
    error: Option<String>,
}

#[derive(Deserialize)]
struct NextQuery {
    next: Option<String>,
}

async fn login_page(parts: Parts, Query(q): Query<NextQuery>) -> PageResult {
    let lang = Lang::of(&parts);
    let next = local_path(q.next.as_deref());
    let here = parts.uri.to_string();
    let body = LoginBody {
        lang,
        next: &next,
        username: "",
        error: None,
    };
    render_public(lang, &here, lang.t("login.title"), &body)
}

#[derive(Deserialize)]
struct LoginForm {
    username: String,
    password: String,
    next: Option<String>,
}

async fn login_form(
    State(st): State<AppState>,
    source: auth::ClientSource,
    parts: Parts,
    Form(f): Form<LoginForm>,
) -> PageResult {
    let lang = Lang::of(&parts);
    let next = local_path(f.next.as_deref());
    match auth::login(&st, &f.username, &f.password, &source).await {
        Ok((_, token)) => {
            let mut r = Redirect::to(&next).into_response();
            set_cookie(&mut r, &auth::session_cookie(&token, &st));
            Ok(r)
        }
        Err(e @ (AppError::BadCredentials | AppError::RateLimited(_))) => {
            let (status, message, wait) = match e {
                AppError::RateLimited(secs) => (
                    StatusCode::TOO_MANY_REQUESTS,
                    format!(
                        "{} ({secs} {})",
                        lang.t("login.limited"),
                        lang.t("login.seconds")
                    ),
                    Some(secs),
                ),
                _ => (
                    StatusCode::UNAUTHORIZED,
                    lang.t("login.failed").to_string(),
                    None,
                ),
            };
            let body = LoginBody {
                lang,
                next: &next,
                username: &f.username,
                error: Some(message),
            };
            let mut r = render_public(lang, "/login", lang.t("login.title"), &body)?;
            *r.status_mut() = status;
            if let Some(secs) = wait {
                r.headers_mut()
                    .insert(axum::http::header::RETRY_AFTER, secs.into());
            }
            Ok(r)
        }
        Err(e) => Err(crate::layout::PageError(e, lang)),
    }
}

fn set_cookie(r: &mut Response, value: &str) {
    if let Ok(v) = value.parse() {
        r.headers_mut().append(SET_COOKIE, v);
    }
}

async fn logout_form(State(st): State<AppState>, parts: Parts) -> Result<Response, AppError> {
    auth::logout(&st, &parts).await?;
    let mut r = Redirect::to("/login").into_response();
    set_cookie(&mut r, &auth::clear_cookie(&st));
    Ok(r)
}

#[derive(Deserialize, schemars::JsonSchema)]
struct LoginJson {
    username: String,
    password: String,
}

/// An account as the API shows it (no id, no password hash).
#[derive(Serialize, schemars::JsonSchema)]
pub struct UserView {
    username: String,
    role: Role,
    scope: String,
    disabled: bool,
    created_at: String,
}

impl From<&User> for UserView {
    fn from(u: &User) -> UserView {
        UserView {
            username: u.username.clone(),
            role: u.role,
            scope: u.scope.clone(),
            disabled: u.disabled,
            created_at: u.created_at.clone(),
        }
    }
}

/// A signed-in user and the CSRF token of the session (none for a bearer token).
#[derive(Serialize, schemars::JsonSchema)]
pub struct SignedIn {
    user: UserView,
    csrf_token: Option<String>,
    /// `GET /api/v1/me` only: whether the role may change data.
    #[serde(skip_serializing_if = "Option::is_none")]
    can_write: Option<bool>,
}

/// The answer of `DELETE /api/v1/session`.
#[derive(Serialize, schemars::JsonSchema)]
pub struct LoggedOut {
    logged_out: bool,
}

/// A new API token: the secret, shown once, and its record.
#[derive(Serialize, schemars::JsonSchema)]
pub struct CreatedToken {
    token: String,
    info: zp_app::ApiTokenInfo,
    usage: &'static str,
}

/// The answer of `DELETE /api/v1/tokens/{id}`.
#[derive(Serialize, schemars::JsonSchema)]
pub struct Revoked {
    revoked: i64,
}

/// The accounts.
#[derive(Serialize, schemars::JsonSchema)]
pub struct Users {
    users: Vec<UserView>,
}

/// A new account.
#[derive(Serialize, schemars::JsonSchema)]
pub struct CreatedUser {
    user: UserView,
}

async fn login_api(
    State(st): State<AppState>,
    source: auth::ClientSource,
    Json(b): Json<LoginJson>,
) -> Result<Response, AppError> {
    let (user, token) = auth::login(&st, &b.username, &b.password, &source).await?;
    let mut r = Json(SignedIn {
        user: UserView::from(&user),
        csrf_token: Some(crate::csrf::token_for(&token)),
        can_write: None,
    })
    .into_response();
    set_cookie(&mut r, &auth::session_cookie(&token, &st));
    Ok(r)
}

async fn logout_api(State(st): State<AppState>, parts: Parts) -> Result<Response, AppError> {
    auth::logout(&st, &parts).await?;
    let mut r = Json(LoggedOut { logged_out: true }).into_response();
    set_cookie(&mut r, &auth::clear_cookie(&st));
    Ok(r)
}

async fn me(who: CurrentUser, headers: HeaderMap) -> Json<SignedIn> {
    let csrf = headers
        .get_all(axum::http::header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .filter_map(|kv| kv.trim().split_once('='))
        .find(|(k, _)| *k == auth::SESSION_COOKIE)
        .map(|(_, v)| crate::csrf::token_for(v));
    Json(SignedIn {
        user: UserView::from(&who.user),
        csrf_token: csrf,
        can_write: Some(who.role().can_write()),
    })
}

#[derive(Deserialize, schemars::JsonSchema)]
struct NewToken {
    name: String,
}

async fn create_token(
    State(st): State<AppState>,
    who: CurrentUser,
    Json(b): Json<NewToken>,
) -> Result<(StatusCode, Json<CreatedToken>), AppError> {
    let name = b.name.trim().to_string();
    if name.is_empty() || name.chars().count() > 80 {
        return Err(AppError::BadRequest(
            "token name: 1 to 80 characters".into(),
        ));
    }
    let secret = auth::new_token()?;
    let digest = auth::token_digest(&secret);
    let (uid, actor) = (who.user.id, who.actor());
    let info = st
        .run(move |s| Ok(s.create_api_token(&digest, uid, &name, &actor)?))
        .await?;
    Ok((
        StatusCode::CREATED,
        Json(CreatedToken {
            token: secret,
            info,
            usage: "Authorization: Bearer <token>",
        }),
    ))
}

async fn revoke_token(
    State(st): State<AppState>,
    who: CurrentUser,
    Path(id): Path<i64>,
) -> Result<Json<Revoked>, AppError> {
    who.require_role(&[Role::PlatformAdmin])?;
    let actor = who.actor();
    st.run(move |s| Ok(s.revoke_api_token(id, &actor)?)).await?;
    Ok(Json(Revoked { revoked: id }))
}

async fn list_users(State(st): State<AppState>, who: CurrentUser) -> Result<Json<Users>, AppError> {
    who.require_role(&[Role::PlatformAdmin])?;
    let users = st.run(|s| Ok(s.users()?)).await?;
    Ok(Json(Users {
        users: users.iter().map(UserView::from).collect(),
    }))
}

#[derive(Deserialize, schemars::JsonSchema)]
struct NewUserJson {
    username: String,
    role: String,
    #[serde(default)]
    scope: String,
    password: String,
}

async fn create_user(
    State(st): State<AppState>,
    who: CurrentUser,
    Json(b): Json<NewUserJson>,
) -> Result<(StatusCode, Json<CreatedUser>), AppError> {
    who.require_role(&[Role::PlatformAdmin])?;
    let actor = who.actor();
    let user = st
        .run(move |s| {
            crate::accounts::add_user(s, &b.username, &b.role, &b.scope, &b.password, &actor)
        })
        .await?;
    Ok((
        StatusCode::CREATED,
        Json(CreatedUser {
            user: UserView::from(&user),
        }),
    ))
}
