//! The JSON API. Every error is `{"error": {"code", "message"}}` with a
//! stable code, so clients can act on it and translate it.
use axum::Json;
use axum::Router;
use axum::extract::OriginalUri;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use serde::Serialize;

/// A JSON error with a stable code (the shape of
/// `linli_core::protocol::ErrorDetail`; codes in `protocol::codes`).
#[derive(Debug, Clone, Serialize)]
pub struct ApiError {
    #[serde(skip)]
    pub status: StatusCode,
    pub code: &'static str,
    pub message: String,
    /// The device seq the endpoint expects next (`seq_gap`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub expected: Option<u64>,
    /// Index of the op concerned in a push.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub index: Option<u32>,
    /// The core's validation code (`invalid_op`, `invalid`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub reason: Option<&'static str>,
    /// The endpoint's clock (`stamp_in_future`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub server_ms: Option<u64>,
    /// When to try again (`rate_limited`); also sent as `Retry-After`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub retry_after_ms: Option<u32>,
}

impl ApiError {
    pub fn new(status: StatusCode, code: &'static str, message: impl Into<String>) -> Self {
        ApiError {
            status,
            code,
            message: message.into(),
            expected: None,
            index: None,
            reason: None,
            server_ms: None,
            retry_after_ms: None,
        }
    }

    pub fn with_index(mut self, i: usize) -> Self {
        // A push holds at most MAX_OPS_PER_PUSH ops.
        self.index = Some(u32::try_from(i).unwrap_or(u32::MAX));
        self
    }

    pub fn with_reason(mut self, r: &'static str) -> Self {
        self.reason = Some(r);
        self
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        #[derive(Serialize)]
        struct Body<'a> {
            error: &'a ApiError,
        }
        let mut res = (self.status, Json(Body { error: &self })).into_response();
        if let Some(ms) = self.retry_after_ms {
            res.headers_mut()
                .insert(axum::http::header::RETRY_AFTER, ms.div_ceil(1000).into());
        }
        res
    }
}

#[derive(Serialize)]
struct Health {
    status: &'static str,
    version: &'static str,
    schema: u16,
}

async fn health() -> Json<Health> {
    Json(Health {
        status: "ok",
        version: env!("CARGO_PKG_VERSION"),
        schema: linli_core::SCHEMA_VERSION,
    })
}

pub async fn not_found(OriginalUri(uri): OriginalUri) -> ApiError {
    ApiError::new(
        StatusCode::NOT_FOUND,
        "not_found",
        format!("no API endpoint at {}", uri.path()),
    )
}

async fn method_not_allowed() -> ApiError {
    ApiError::new(
        StatusCode::METHOD_NOT_ALLOWED,
        "method_not_allowed",
        "this endpoint does not take that method",
    )
}

pub fn router(hub: std::sync::Arc<crate::hub::Hub>) -> Router {
    Router::new()
        .route("/health", get(health))
        .nest("/v1", crate::v1::router(hub))
        .method_not_allowed_fallback(method_not_allowed)
        .fallback(not_found)
}
