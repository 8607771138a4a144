//! One error type for every handler: an HTTP status, a stable machine code and a message,
//! sent as `{"error": {"code": "...", "message": "..."}}`.

use axum::Json;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use zp_app::StoreError;

#[derive(Debug, thiserror::Error)]
pub enum AppError {
    /// 400: the request itself is wrong.
    #[error("{0}")]
    BadRequest(String),
    /// 401: no valid session or token.
    #[error("login required")]
    Unauthenticated,
    /// 401 at login: wrong username or password (one message for both).
    #[error("wrong username or password")]
    BadCredentials,
    /// 403: authenticated, but the role or scope does not allow it.
    #[error("{0}")]
    Forbidden(String),
    /// 404: absent, or outside the caller's scope (indistinguishable on purpose).
    #[error("{0}")]
    NotFound(String),
    /// 409
    #[error("{0}")]
    Conflict(String),
    /// 413
    #[error("upload larger than {0} bytes")]
    TooLarge(usize),
    /// 413 with the framework's own reason (a body over a limit).
    #[error("{0}")]
    PayloadTooLarge(String),
    /// 415: the body is not of the expected content type.
    #[error("{0}")]
    UnsupportedMediaType(String),
    /// 422: a file was read but cannot be imported.
    #[error("{0}")]
    Unprocessable(String),
    /// 429 (sent with `Retry-After`)
    #[error("too many login attempts; try again in {0} s")]
    RateLimited(u64),
    /// 507: the server has no room to keep the upload.
    #[error("{0}")]
    InsufficientStorage(String),
    /// 503 (sent with `Retry-After`): a read passed the server's deadline.
    #[error(
        "the server did not answer this read within its {} s deadline: ask for less (e.g. a shorter window) or try again later",
        .0.as_secs()
    )]
    DeadlineExceeded(std::time::Duration),
    /// 500: the details go to the log, not to the client.
    #[error("internal error")]
    Internal(String),
}

impl AppError {
    pub fn status(&self) -> StatusCode {
        match self {
            AppError::BadRequest(_) => StatusCode::BAD_REQUEST,
            AppError::Unauthenticated | AppError::BadCredentials => StatusCode::UNAUTHORIZED,
            AppError::Forbidden(_) => StatusCode::FORBIDDEN,
            AppError::NotFound(_) => StatusCode::NOT_FOUND,
            AppError::Conflict(_) => StatusCode::CONFLICT,
            AppError::TooLarge(_) | AppError::PayloadTooLarge(_) => StatusCode::PAYLOAD_TOO_LARGE,
            AppError::UnsupportedMediaType(_) => StatusCode::UNSUPPORTED_MEDIA_TYPE,
            AppError::InsufficientStorage(_) => StatusCode::INSUFFICIENT_STORAGE,
            AppError::DeadlineExceeded(_) => StatusCode::SERVICE_UNAVAILABLE,
            AppError::Unprocessable(_) => StatusCode::UNPROCESSABLE_ENTITY,
            AppError::RateLimited(_) => StatusCode::TOO_MANY_REQUESTS,
            AppError::Internal(_) => StatusCode::INTERNAL_SERVER_ERROR,
        }
    }

    pub fn code(&self) -> &'static str {
        match self {
            AppError::BadRequest(_) => "bad_request",
            AppError::Unauthenticated => "unauthenticated",
            AppError::BadCredentials => "bad_credentials",
            AppError::Forbidden(_) => "forbidden",
            AppError::NotFound(_) => "not_found",
            AppError::Conflict(_) => "conflict",
            AppError::TooLarge(_) | AppError::PayloadTooLarge(_) => "too_large",
            AppError::UnsupportedMediaType(_) => "unsupported_media_type",
            AppError::InsufficientStorage(_) => "insufficient_storage",
            AppError::DeadlineExceeded(_) => "deadline_exceeded",
            AppError::Unprocessable(_) => "unprocessable",
            AppError::RateLimited(_) => "rate_limited",
            AppError::Internal(_) => "internal",
        }
    }

    pub fn body(&self) -> serde_json::Value {
        serde_json::json!({ "error": { "code": self.code(), "message": self.to_string() } })
    }

    pub fn read_only() -> AppError {
        AppError::Forbidden("this account is read-only".into())
    }

    pub fn out_of_scope() -> AppError {
        AppError::Forbidden("outside your scope".into())
    }
}

impl IntoResponse for AppError {
    fn into_response(self) -> Response {
        if let AppError::Internal(detail) = &self {
            tracing::error!("internal error: {detail}");
        }
        if self.status().is_server_error() && !matches!(self, AppError::DeadlineExceeded(_)) {
            crate::metrics::STORE_ERRORS.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
        }
        let mut r = (self.status(), Json(self.body())).into_response();
        let retry_after = match self {
            AppError::RateLimited(secs) => Some(secs),
            AppError::DeadlineExceeded(d) => Some(d.as_secs().max(1)),
            _ => None,
        };
        if let Some(secs) = retry_after {
            r.headers_mut()
                .insert(axum::http::header::RETRY_AFTER, secs.into());
        }
        r
    }
}

impl From<StoreError> for AppError {
    fn from(e: StoreError) -> Self {
        match e {
            StoreError::NotFound(m) => AppError::NotFound(m),
            StoreError::Forbidden(m) => AppError::Forbidden(m),
            StoreError::Conflict(m) => AppError::Conflict(m),
            other => AppError::Internal(other.to_string()),
        }
    }
}

impl From<zp_app::AppError> for AppError {
    fn from(e: zp_app::AppError) -> Self {
        match e {
            zp_app::AppError::Store(s) => s.into(),
            zp_app::AppError::NotFound(m) => AppError::NotFound(m),
            zp_app::AppError::Invalid(m) => AppError::Unprocessable(m),
            zp_app::AppError::Accounting(a) => AppError::Unprocessable(a.to_string()),
            zp_app::AppError::Catalog(c) => AppError::Unprocessable(c.to_string()),
            zp_app::AppError::Certs(c) => c.into(),
        }
    }
}

/// A registry refusal: 403 when the caller's account may not do it, 404 for an unknown
/// bundle, 409 when the bundle's state forbids it (already cancelled, already issued).
impl From<zp_app::certs::CertError> for AppError {
    fn from(e: zp_app::certs::CertError) -> Self {
        use zp_app::certs::CertError as C;
        match e {
            C::NotOwner { .. } | C::NotRegistry(_) | C::NotBeneficiary { .. } => {
                AppError::Forbidden(e.to_string())
            }
            C::UnknownBundle(_) => AppError::NotFound(e.to_string()),
            C::NotActive { .. }
            | C::NotCancelled { .. }
            | C::SameOwner { .. }
            | C::AlreadyIssued { .. } => AppError::Conflict(e.to_string()),
            other => AppError::Unprocessable(other.to_string()),
        }
    }
}

impl From<zp_app::ReadError> for AppError {
    fn from(e: zp_app::ReadError) -> Self {
        match e {
            zp_app::ReadError::TooLarge { limit, .. } => AppError::TooLarge(limit as usize),
            other => AppError::Unprocessable(other.to_string()),
        }
    }
}

impl From<zp_app::ImportError> for AppError {
    fn from(e: zp_app::ImportError) -> Self {
        match e {
            zp_app::ImportError::Read(r) => r.into(),
            zp_app::ImportError::Store(s) => s.into(),
            other => AppError::Unprocessable(other.to_string()),
        }
    }
}
