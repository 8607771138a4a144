//! A deadline for reads (issue 22 #20): a `GET` or `HEAD` that has not answered within
//! [`crate::Config::read_deadline`] gets `503` with the API's JSON error
//! (`deadline_exceeded`) and `Retry-After`, instead of keeping its client waiting while the
//! server works. Writes are not cut off: an import or a ledger action runs to its end and
//! reports what it did (a client told "timed out" could not know whether it happened).
//!
//! Query windows are bounded where they are parsed (the carbon map's `from`/`to`), so a
//! read's work is bounded too; the deadline is the backstop for what a bound misses.

use crate::{AppError, AppState};
use axum::extract::{Request, State};
use axum::http::Method;
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use std::time::Duration;

/// Middleware: reads past the deadline answer 503.
pub async fn reads(State(state): State<AppState>, req: Request, next: Next) -> Response {
    apply(state.config.read_deadline, req, next).await
}

/// `next`'s answer, or for a read that takes longer than `deadline`, the deadline error.
async fn apply(deadline: Duration, req: Request, next: Next) -> Response {
    if !matches!(*req.method(), Method::GET | Method::HEAD) {
        return next.run(req).await;
    }
    match tokio::time::timeout(deadline, next.run(req)).await {
        Ok(r) => r,
        Err(_) => AppError::DeadlineExceeded(deadline).into_response(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use axum::Router;
    use axum::body::Body;
    use axum::routing::get;
    use tower::ServiceExt;

    /// A route that takes `secs` seconds (of tokio's paused clock) for reads and writes,
    /// behind a read deadline.
    fn slow(secs: u64, deadline: Duration) -> Router {
        let wait = move || async move {
            tokio::time::sleep(Duration::from_secs(secs)).await;
            "done"
        };
        Router::new()
            .route("/slow", get(wait).post(wait))
            .layer(axum::middleware::from_fn(move |req, next| {
                apply(deadline, req, next)
            }))
    }

    async fn call(router: &Router, method: Method) -> (u16, String) {
        let req = Request::builder()
            .method(method)
            .uri("/slow")
            .body(Body::empty())
            .unwrap();
        let r = router.clone().oneshot(req).await.unwrap();
        let status = r.status().as_u16();
        let retry = r
            .headers()
            .get("retry-after")
            .map(|v| v.to_str().unwrap().to_string());
        let body = axum::body::to_bytes(r.into_body(), usize::MAX)
            .await
            .unwrap();
        let text = String::from_utf8(body.to_vec()).unwrap();
        (status, format!("{retry:?} {text}"))
    }

    #[tokio::test(start_paused = true)]
    async fn a_read_past_its_deadline_is_a_503_json_error() {
        let router = slow(3600, Duration::from_secs(30));
        let started = tokio::time::Instant::now();
        let (status, text) = call(&router, Method::GET).await;
        assert_eq!(status, 503);
        assert_eq!(
            text,
            r#"Some("30") {"error":{"code":"deadline_exceeded","message":"the server did not answer this read within its 30 s deadline: ask for less (e.g. a shorter window) or try again later"}}"#
        );
        // Cut off at the deadline, not when the work would have ended.
        assert_eq!(started.elapsed(), Duration::from_secs(30));
    }

    #[tokio::test(start_paused = true)]
    async fn reads_within_the_deadline_and_writes_are_not_cut_off() {
        let (status, text) = call(&slow(60, Duration::from_secs(61)), Method::GET).await;
        assert_eq!((status, text.as_str()), (200, "None done"));
        // A write takes its 60 s, past a 30 s read deadline.
        let started = tokio::time::Instant::now();
        let (status, text) = call(&slow(60, Duration::from_secs(30)), Method::POST).await;
        assert_eq!((status, text.as_str()), (200, "None done"));
        assert_eq!(started.elapsed(), Duration::from_secs(60));
    }
}
