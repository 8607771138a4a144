//! The server's own extractors: [`Query`], [`Path`], [`Json`], [`Form`] and [`Multipart`]
//! behave like axum's, but a request they cannot read is answered with the API's error
//! format, `{"error": {"code": "...", "message": "..."}}`, never axum's `text/plain`
//! rejection:
//!
//! | rejection | status | code |
//! |---|---|---|
//! | malformed query string or path segment | 400 | `bad_request` |
//! | JSON body that is not JSON | 400 | `bad_request` |
//! | JSON body of the wrong shape (missing field, wrong type) | 422 | `unprocessable` |
//! | body without the expected `Content-Type` | 415 | `unsupported_media_type` |
//! | body over the limit | 413 | `too_large` |
//!
//! Empty parameters are absent: [`Query`] and [`Form`] drop `name=` pairs with an empty
//! value before deserialising, so `?year=` means the same as no `year` everywhere (an
//! `Option` field is `None`; a required one is reported missing). JSON bodies use
//! [`empty_as_none`] on optional fields for the same rule.

use crate::AppError;
use axum::extract::multipart::MultipartRejection;
use axum::extract::rejection::{FormRejection, JsonRejection, PathRejection};
use axum::extract::{FromRequest, FromRequestParts, Request};
use axum::http::StatusCode;
use axum::http::request::Parts;
use axum::response::{IntoResponse, Response};
use serde::Deserialize;
use serde::de::DeserializeOwned;
use zp_domain::CreditCode;

/// A rejection's status and text as an [`AppError`].
fn rejection(status: StatusCode, text: String) -> AppError {
    match status {
        StatusCode::UNSUPPORTED_MEDIA_TYPE => AppError::UnsupportedMediaType(text),
        StatusCode::PAYLOAD_TOO_LARGE => AppError::PayloadTooLarge(text),
        StatusCode::UNPROCESSABLE_ENTITY => AppError::Unprocessable(text),
        s if s.is_server_error() => AppError::Internal(text),
        _ => AppError::BadRequest(text),
    }
}

/// `a=1&b=&c=2` without the pairs whose value is empty (`b=`, `b`).
pub fn drop_empty_pairs(query: &str) -> String {
    query
        .split('&')
        .filter(|kv| match kv.split_once('=') {
            Some((k, v)) => !k.is_empty() && !v.is_empty(),
            None => false,
        })
        .collect::<Vec<_>>()
        .join("&")
}

/// Query string parameters; see the module docs.
#[derive(Debug, Clone, Copy, Default)]
pub struct Query<T>(pub T);

impl<T: DeserializeOwned, S: Send + Sync> FromRequestParts<S> for Query<T> {
    type Rejection = AppError;

    async fn from_request_parts(parts: &mut Parts, _: &S) -> Result<Self, AppError> {
        let query = drop_empty_pairs(parts.uri.query().unwrap_or(""));
        serde_urlencoded::from_str(&query)
            .map(Query)
            .map_err(|e| AppError::BadRequest(format!("query string: {e}")))
    }
}

/// Path parameters; see the module docs.
#[derive(Debug, Clone, Copy)]
pub struct Path<T>(pub T);

impl<T: DeserializeOwned + Send, S: Send + Sync> FromRequestParts<S> for Path<T> {
    type Rejection = AppError;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, AppError> {
        match axum::extract::Path::<T>::from_request_parts(parts, state).await {
            Ok(axum::extract::Path(v)) => Ok(Path(v)),
            Err(e) => Err(path_error(e)),
        }
    }
}

fn path_error(e: PathRejection) -> AppError {
    let status = e.status();
    let text = format!("path: {}", e.body_text());
    if status.is_server_error() {
        AppError::Internal(text)
    } else {
        AppError::BadRequest(text)
    }
}

/// A JSON request body, and a JSON response; see the module docs.
#[derive(Debug, Clone, Copy, Default)]
pub struct Json<T>(pub T);

impl<T: DeserializeOwned, S: Send + Sync> FromRequest<S> for Json<T> {
    type Rejection = AppError;

    async fn from_request(req: Request, state: &S) -> Result<Self, AppError> {
        match axum::Json::<T>::from_request(req, state).await {
            Ok(axum::Json(v)) => Ok(Json(v)),
            Err(e) => Err(json_error(e)),
        }
    }
}

fn json_error(e: JsonRejection) -> AppError {
    let status = e.status();
    let text = match &e {
        JsonRejection::MissingJsonContentType(_) => {
            "expected a body with Content-Type: application/json".to_string()
        }
        other => format!("JSON body: {}", other.body_text()),
    };
    rejection(status, text)
}

impl<T: serde::Serialize> IntoResponse for Json<T> {
    fn into_response(self) -> Response {
        axum::Json(self.0).into_response()
    }
}

impl<T> From<T> for Json<T> {
    fn from(v: T) -> Self {
        Json(v)
    }
}

/// A URL-encoded form body (or, for `GET`, the query); empty fields are absent.
#[derive(Debug, Clone, Copy, Default)]
pub struct Form<T>(pub T);

impl<T: DeserializeOwned, S: Send + Sync> FromRequest<S> for Form<T> {
    type Rejection = AppError;

    async fn from_request(req: Request, state: &S) -> Result<Self, AppError> {
        let form = axum::Form::<Vec<(String, String)>>::from_request(req, state)
            .await
            .map_err(form_error)?;
        let pairs: Vec<(String, String)> =
            form.0.into_iter().filter(|(_, v)| !v.is_empty()).collect();
        let encoded = serde_urlencoded::to_string(&pairs)
            .map_err(|e| AppError::BadRequest(format!("form: {e}")))?;
        serde_urlencoded::from_str(&encoded)
            .map(Form)
            .map_err(|e| AppError::Unprocessable(format!("form: {e}")))
    }
}

fn form_error(e: FormRejection) -> AppError {
    rejection(e.status(), format!("form: {}", e.body_text()))
}

/// A `multipart/form-data` body (uploads).
pub struct Multipart(pub axum::extract::Multipart);

impl<S: Send + Sync> FromRequest<S> for Multipart {
    type Rejection = AppError;

    async fn from_request(req: Request, state: &S) -> Result<Self, AppError> {
        axum::extract::Multipart::from_request(req, state)
            .await
            .map(Multipart)
            .map_err(multipart_error)
    }
}

fn multipart_error(e: MultipartRejection) -> AppError {
    let text = match &e {
        MultipartRejection::InvalidBoundary(_) => {
            "expected a body with Content-Type: multipart/form-data; boundary=...".to_string()
        }
        other => format!("upload: {}", other.body_text()),
    };
    match e.status() {
        // axum answers a missing multipart content type with 400; it is a media type error.
        StatusCode::BAD_REQUEST => AppError::UnsupportedMediaType(text),
        s => rejection(s, text),
    }
}

impl std::ops::Deref for Multipart {
    type Target = axum::extract::Multipart;
    fn deref(&self) -> &Self::Target {
        &self.0
    }
}

impl std::ops::DerefMut for Multipart {
    fn deref_mut(&mut self) -> &mut Self::Target {
        &mut self.0
    }
}

/// Serde helper for optional fields: an empty (or all-blank) string is `None`, anything
/// else is parsed as `T` from its text (so `"year": ""` and `"year": "2023"` both work in
/// a JSON body, as do `2023` and `null`). Use with `#[serde(default, deserialize_with =
/// "empty_as_none")]`.
pub fn empty_as_none<'de, D, T>(de: D) -> Result<Option<T>, D::Error>
where
    D: serde::Deserializer<'de>,
    T: std::str::FromStr,
    T::Err: std::fmt::Display,
{
    use serde_json::Value;
    let text = match Option::<Value>::deserialize(de)? {
        None | Some(Value::Null) => return Ok(None),
        Some(Value::String(s)) => s,
        Some(Value::Number(n)) => n.to_string(),
        Some(Value::Bool(b)) => b.to_string(),
        Some(other) => {
            return Err(serde::de::Error::custom(format!(
                "expected a value or an empty string, got {other}"
            )));
        }
    };
    let text = text.trim();
    if text.is_empty() {
        return Ok(None);
    }
    text.parse::<T>()
        .map(Some)
        .map_err(|e| serde::de::Error::custom(format!("{text:?}: {e}")))
}

/// A required field of a body: absent is a 400 naming the field.
pub(crate) fn need<T>(field: &str, v: Option<T>) -> Result<T, AppError> {
    v.ok_or_else(|| AppError::BadRequest(format!("{field} is required")))
}

/// An optional text field, trimmed; blank counts as absent.
pub(crate) fn trimmed(v: &Option<String>) -> Option<String> {
    v.as_deref()
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .map(String::from)
}

/// A required text field, trimmed; blank counts as absent.
pub(crate) fn need_text(field: &str, v: &Option<String>) -> Result<String, AppError> {
    need(field, trimmed(v))
}

/// A required unified social credit code (GB 32100).
pub(crate) fn need_code(field: &str, v: &Option<String>) -> Result<CreditCode, AppError> {
    let s = need_text(field, v)?;
    CreditCode::parse(&s).map_err(|e| AppError::BadRequest(format!("{field} {s:?}: {e}")))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn empty_pairs_are_dropped() {
        assert_eq!(drop_empty_pairs("a=1&b=&c=2&d&=x"), "a=1&c=2");
        assert_eq!(drop_empty_pairs(""), "");
    }

    #[derive(Deserialize)]
    struct Opt {
        #[serde(default, deserialize_with = "empty_as_none")]
        year: Option<i32>,
    }

    #[test]
    fn empty_as_none_reads_blank_text_as_absent() {
        let y = |s: &str| serde_json::from_str::<Opt>(s).map(|o| o.year).ok();
        assert_eq!(y(r#"{"year": ""}"#), Some(None));
        assert_eq!(y(r#"{"year": " "}"#), Some(None));
        assert_eq!(y(r#"{}"#), Some(None));
        assert_eq!(y(r#"{"year": null}"#), Some(None));
        assert_eq!(y(r#"{"year": "2023"}"#), Some(Some(2023)));
        assert_eq!(y(r#"{"year": 2023}"#), Some(Some(2023)));
        assert_eq!(y(r#"{"year": "x"}"#), None);
    }
}
