//! Security headers on every response, and `Secure` cookies behind TLS.
//!
//! - `Content-Security-Policy`: scripts, styles, images, fonts and requests from this
//!   server only; no plugins, no `<base>`, forms post here, no framing
//!   (`frame-ancestors 'none'`). Pages have no inline script or event handler (shared
//!   behaviour lives in `assets/page.js`; data travels in `<script type="application/json">`
//!   elements, which are not executed). Styles allow `'unsafe-inline'` because ECharts
//!   writes `style` attributes into its tooltips and a few templates set a height inline;
//!   scripts never do.
//! - `X-Frame-Options: DENY` for browsers without CSP level 2, `X-Content-Type-Options:
//!   nosniff`, `Referrer-Policy: same-origin`.
//! - `Cache-Control: no-store` on everything but the static assets, so tenant data never
//!   sits in a shared or browser cache (Back after logout shows nothing).
//! - Every `Set-Cookie` gets `Secure` when `Config::secure_cookies` is set or a trusted
//!   proxy (`Config::trusted_proxies`) says `X-Forwarded-Proto: https`.

use crate::AppState;
use crate::auth::ClientSource;
use axum::extract::{Request, State};
use axum::http::header::{
    CACHE_CONTROL, CONTENT_SECURITY_POLICY, REFERRER_POLICY, SET_COOKIE, X_CONTENT_TYPE_OPTIONS,
    X_FRAME_OPTIONS,
};
use axum::http::{HeaderValue, header::HeaderName};
use axum::middleware::Next;
use axum::response::Response;

/// The policy every response carries.
pub const CSP: &str = "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; \
     img-src 'self' data:; font-src 'self'; connect-src 'self'; object-src 'none'; \
     base-uri 'none'; form-action 'self'; frame-ancestors 'none'";

/// Middleware: adds the headers above.
pub async fn secure(State(state): State<AppState>, req: Request, next: Next) -> Response {
    let (parts, body) = req.into_parts();
    let secure_cookies =
        state.config.secure_cookies || ClientSource::forwarded_https(&parts, &state.config);
    let static_asset = parts.uri.path().starts_with("/assets/");
    let mut r = next.run(Request::from_parts(parts, body)).await;
    let h = r.headers_mut();
    let set = |h: &mut axum::http::HeaderMap, k: HeaderName, v: &'static str| {
        h.insert(k, HeaderValue::from_static(v));
    };
    set(h, CONTENT_SECURITY_POLICY, CSP);
    set(h, X_CONTENT_TYPE_OPTIONS, "nosniff");
    set(h, REFERRER_POLICY, "same-origin");
    set(h, X_FRAME_OPTIONS, "DENY");
    if !static_asset && !h.contains_key(CACHE_CONTROL) {
        set(h, CACHE_CONTROL, "no-store");
    }
    if secure_cookies {
        let cookies: Vec<HeaderValue> = h.get_all(SET_COOKIE).iter().cloned().collect();
        if !cookies.is_empty() {
            h.remove(SET_COOKIE);
            for c in cookies {
                let text = c.to_str().unwrap_or_default();
                let has_secure = text
                    .split(';')
                    .any(|a| a.trim().eq_ignore_ascii_case("secure"));
                let v = if has_secure || text.is_empty() {
                    c
                } else {
                    HeaderValue::from_str(&format!("{text}; Secure")).unwrap_or(c)
                };
                h.append(SET_COOKIE, v);
            }
        }
    }
    r
}
