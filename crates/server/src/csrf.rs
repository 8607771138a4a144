//! CSRF protection for cookie-authenticated writes.
//!
//! The token is derived from the session secret (SHA-256 of a label and the session token),
//! so it needs no storage and dies with the session. Every request that changes something
//! (`POST`, `PUT`, `PATCH`, `DELETE`) and carries the session cookie must present it, either
//! in the `X-CSRF-Token` header (scripts, uploads) or as the `csrf` field of a URL-encoded
//! form. Requests authenticated by a valid API token (`Authorization: Bearer`) carry no
//! ambient credentials and are not checked; neither is the login itself (there is no session yet; the cookie is `SameSite=Lax`).

use crate::auth::SESSION_COOKIE;
use crate::{AppError, AppState};
use axum::body::{Body, to_bytes};
use axum::extract::{Request, State};
use axum::http::header::{CONTENT_TYPE, COOKIE};
use axum::http::{HeaderMap, Method};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use sha2::{Digest, Sha256};

pub const HEADER: &str = "x-csrf-token";
/// Largest form body read to find the `csrf` field.
const MAX_FORM_BYTES: usize = 64 * 1024;

/// The CSRF token of a session.
pub fn token_for(session_token: &str) -> String {
    let mut h = Sha256::new();
    h.update(b"zeropark-csrf-v1:");
    h.update(session_token.as_bytes());
    hex::encode(&h.finalize()[..16])
}

fn session_cookie(headers: &HeaderMap) -> Option<String> {
    headers
        .get_all(COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .filter_map(|kv| kv.trim().split_once('='))
        .find(|(k, _)| *k == SESSION_COOKIE)
        .map(|(_, v)| v.to_string())
}

/// Constant-time comparison of two tokens.
fn same(a: &str, b: &str) -> bool {
    a.len() == b.len()
        && a.bytes()
            .zip(b.bytes())
            .fold(0u8, |acc, (x, y)| acc | (x ^ y))
            == 0
}

fn form_field(body: &[u8], name: &str) -> Option<String> {
    std::str::from_utf8(body)
        .ok()?
        .split('&')
        .filter_map(|kv| kv.split_once('='))
        .find(|(k, _)| *k == name)
        .map(|(_, v)| v.to_string())
}

/// Middleware: refuses cookie-authenticated writes without the session's token. Only a
/// request whose `Authorization: Bearer` token is a valid API token is exempt; any other
/// `Authorization` header (`Basic x`, a wrong or revoked token) changes nothing.
pub async fn check(State(state): State<AppState>, req: Request, next: Next) -> Response {
    let safe = matches!(*req.method(), Method::GET | Method::HEAD | Method::OPTIONS);
    let session = session_cookie(req.headers());
    let (Some(session), false) = (session, safe) else {
        return next.run(req).await;
    };
    match crate::auth::has_valid_api_token(&state, req.headers()).await {
        Ok(true) => return next.run(req).await,
        Ok(false) => {}
        Err(e) => return e.into_response(),
    }
    let expected = token_for(&session);
    if let Some(h) = req.headers().get(HEADER).and_then(|v| v.to_str().ok()) {
        return if same(h, &expected) {
            next.run(req).await
        } else {
            refuse()
        };
    }
    let is_form = req
        .headers()
        .get(CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.starts_with("application/x-www-form-urlencoded"));
    if !is_form {
        return refuse();
    }
    let (parts, body) = req.into_parts();
    let Ok(bytes) = to_bytes(body, MAX_FORM_BYTES).await else {
        return AppError::TooLarge(MAX_FORM_BYTES).into_response();
    };
    match form_field(&bytes, "csrf") {
        Some(t) if same(&t, &expected) => {
            next.run(Request::from_parts(parts, Body::from(bytes)))
                .await
        }
        _ => refuse(),
    }
}

fn refuse() -> Response {
    AppError::Forbidden("missing or wrong CSRF token; reload the page".into()).into_response()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tokens_depend_on_the_session() {
        let a = token_for("session-a");
        assert_eq!(a, token_for("session-a"));
        assert_ne!(a, token_for("session-b"));
        assert_eq!(a.len(), 32);
        assert!(same(&a, &a.clone()));
        assert!(!same(&a, &token_for("session-b")));
        assert_eq!(form_field(b"x=1&csrf=abc", "csrf").as_deref(), Some("abc"));
    }
}
