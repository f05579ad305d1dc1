//! linli on AWS Lambda (feature `lambda`): the same axum router as `serve`,
//! behind lambda_http (API Gateway REST and HTTP APIs, function URLs), on an
//! S3-compatible bucket. Stateless like any instance: every decision that
//! must hold across instances is a create-only object in the bucket. The
//! app's static files come from the bucket or a CDN, not from here.
//!
//! Environment: `LINLI_STORE=s3://BUCKET[/PREFIX]` and the AWS_* variables
//! (on Lambda the role's credentials and AWS_REGION are already set).
use linli_server::Config;

#[tokio::main]
async fn main() -> Result<(), lambda_http::Error> {
    // CloudWatch stamps each line itself; no colours in its log.
    tracing_subscriber::fmt()
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_default_env()
                .unwrap_or_else(|_| "info,tower_http=warn".into()),
        )
        .with_ansi(false)
        .without_time()
        .init();
    let url = std::env::var("LINLI_STORE")
        .map_err(|_| "set LINLI_STORE=s3://BUCKET[/PREFIX] (and the AWS_* environment)")?;
    let store = linli_server::open_s3(&url)?;
    let config = Config {
        // Nothing to serve: index.html and assets live on the bucket or CDN.
        dist: std::env::var_os("LINLI_DIST").map_or_else(|| "/nonexistent".into(), Into::into),
        store: Some(store),
        ..Default::default()
    };
    // Refuses a store without create-only writes before taking events.
    let app = linli_server::serverless::app(&config).await?;
    lambda_http::run(app).await
}
