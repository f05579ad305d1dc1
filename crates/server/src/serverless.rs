//! The router as a serverless function runs it (`linli-lambda`, feature
//! `lambda`): the same `app()`, plus the one difference of an API Gateway
//! REST API, whose stage lambda_http puts in front of the path
//! (`/prod/api/v1/…`). Kept free of lambda crates, so the normal build and
//! its tests see it.
use axum::Router;
use axum::http::{Request, Uri};
use tower::util::MapRequest;

use crate::Config;

/// The router behind the stage fix, for requests with body `B`.
pub type Function<B> = MapRequest<Router, fn(Request<B>) -> Request<B>>;

/// `app()` for a function: requests under `/{stage}/api` are served as
/// `/api`. A service around the router, not a layer in it: a layer runs
/// after routing, too late to change the path.
pub async fn app<B>(config: &Config) -> std::io::Result<Function<B>> {
    let router = crate::app(config).await?;
    Ok(MapRequest::new(router, strip_stage::<B>))
}

/// `/{stage}/api…` → `/api…`; anything else as it is.
fn strip_stage<B>(mut req: Request<B>) -> Request<B> {
    if let Some(uri) = without_stage(req.uri()) {
        *req.uri_mut() = uri;
    }
    req
}

fn without_stage(uri: &Uri) -> Option<Uri> {
    let path = uri.path();
    let rest = path.strip_prefix('/')?;
    let (stage, tail) = rest.split_once('/')?;
    let api = tail == "api" || tail.starts_with("api/");
    if stage.is_empty() || stage == "api" || !api {
        return None;
    }
    let pq = match uri.query() {
        Some(q) => format!("/{tail}?{q}"),
        None => format!("/{tail}"),
    };
    pq.parse().ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_stage_in_front_of_api_is_dropped() {
        let strip = |s: &str| without_stage(&s.parse().unwrap()).map(|u| u.to_string());
        assert_eq!(
            strip("/prod/api/v1/communities/c/head?since=3").as_deref(),
            Some("/api/v1/communities/c/head?since=3")
        );
        assert_eq!(strip("/prod/api").as_deref(), Some("/api"));
        for kept in [
            "/api/v1/join",
            "/api",
            "/",
            "/wishes",
            "/prod/apis",
            "/x/y/api",
        ] {
            assert_eq!(strip(kept), None, "{kept}");
        }
    }
}
