//! The JSON API. Every error is `{"error": {"code", "message"}}` with a
//! stable code, so clients can act on it and translate it.
use axum::Json;
use axum::Router;
use axum::extract::OriginalUri;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use linli_core::protocol::{ErrorBody, ErrorDetail, codes};
use serde::Serialize;

/// A JSON error: the core's wire type (`protocol::ErrorDetail`), whose
/// HTTP status follows from its code (`protocol::codes::status`).
#[derive(Debug, Clone)]
pub struct ApiError(pub Box<ErrorDetail>);

impl ApiError {
    pub fn new(code: &'static str, message: impl Into<String>) -> Self {
        ApiError(Box::new(ErrorDetail {
            code: code.to_owned(),
            message: message.into(),
            expected: None,
            index: None,
            reason: None,
            server_ms: None,
            retry_after_ms: None,
        }))
    }

    pub fn status(&self) -> StatusCode {
        codes::status(&self.0.code)
            .and_then(|s| StatusCode::from_u16(s).ok())
            .unwrap_or(StatusCode::INTERNAL_SERVER_ERROR)
    }

    pub fn with_index(mut self, i: usize) -> Self {
        self.0.index = Some(i);
        self
    }

    pub fn with_reason(mut self, r: &'static str) -> Self {
        self.0.reason = Some(r.to_owned());
        self
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let status = self.status();
        let retry = self.0.retry_after_ms;
        let mut res = (status, Json(ErrorBody { error: *self.0 })).into_response();
        if let Some(ms) = retry {
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
        codes::NOT_FOUND,
        format!("no API endpoint at {}", uri.path()),
    )
}

async fn method_not_allowed() -> ApiError {
    ApiError::new(
        codes::METHOD_NOT_ALLOWED,
        "this endpoint does not take that method",
    )
}

pub fn router(hub: std::sync::Arc<crate::hub::Hub>) -> Router {
    Router::new()
        .route("/health", get(health))
        .nest("/open311/v2", crate::open311::router(hub.clone()))
        .nest("/v1", crate::v1::router(hub))
        .method_not_allowed_fallback(method_not_allowed)
        .fallback(not_found)
}
