//! linli-server: a thin, stateless HTTP service. It serves the built app
//! (the `dist/` directory Trunk writes) and the JSON API under `/api`,
//! including the sync endpoint `/api/v1` (docs/sync-protocol.md) over an object store.
//! Business rules are not decided here; they live in linli-core.
pub mod admin;
pub mod api;
pub mod care;
pub mod faults;
pub mod hub;
pub mod log;
pub mod open311;
pub mod photos;
pub mod security;
pub mod serverless;
pub mod static_files;
pub mod store;
pub mod streets;
pub mod transport;
pub mod v1;

use std::path::PathBuf;
use std::sync::Arc;

use axum::Router;
use tower_http::compression::CompressionLayer;
use tower_http::trace::TraceLayer;

pub use transport::{Limits, serve_router};

/// What an instance needs to know to serve.
#[derive(Clone, Debug, Default)]
pub struct Config {
    /// The built app (index.html, hashed assets, sw.js, manifest).
    pub dist: PathBuf,
    /// Where the embedded object store keeps its files.
    pub data: PathBuf,
    /// Seed (if missing) and offer the demo community (`GET /api/v1/demo`).
    pub demo: bool,
    /// Use this object store instead of the local filesystem under `data`
    /// (tests: `InMemory`, or one store shared by several instances).
    pub store: Option<store::Store>,
    /// Don't fsync local files after writes (benchmarks only; a crash of
    /// the process loses nothing either way, a power cut might).
    pub no_fsync: bool,
    /// Connection cap and timeouts of the serve loop.
    pub limits: Limits,
}

/// The object store a config names: `config.store`, else the local
/// filesystem under `config.data` (created if missing), with fsync.
pub fn open_store(config: &Config) -> std::io::Result<store::Store> {
    if let Some(s) = &config.store {
        return Ok(s.clone());
    }
    private_files();
    std::fs::create_dir_all(&config.data)?;
    let fs = object_store::local::LocalFileSystem::new_with_prefix(&config.data)
        .map_err(std::io::Error::other)?
        .with_fsync(!config.no_fsync);
    Ok(Arc::new(fs))
}

/// Make ring rustls' crypto provider the process default. reqwest is built
/// without one of its own (its default, aws-lc-rs, is a long C build), and
/// panics when it builds a client with none installed. Idempotent.
pub fn install_tls_provider() {
    let _ = rustls::crypto::ring::default_provider().install_default();
}

/// An S3-compatible bucket from `s3://BUCKET[/PREFIX]`, configured from the
/// environment as the AWS tools are (`AWS_ENDPOINT`, `AWS_ACCESS_KEY_ID`,
/// `AWS_SECRET_ACCESS_KEY`, `AWS_REGION`, `AWS_ALLOW_HTTP`, …). Create-only
/// puts are sent as `If-None-Match: *` (object_store's `ETagMatch`).
pub fn open_s3(url: &str) -> Result<store::Store, String> {
    use object_store::aws::{AmazonS3Builder, S3ConditionalPut};
    let rest = url
        .strip_prefix("s3://")
        .ok_or_else(|| format!("--store {url}: expected s3://BUCKET[/PREFIX]"))?;
    let (bucket, prefix) = rest.split_once('/').unwrap_or((rest, ""));
    if bucket.is_empty() {
        return Err(format!("--store {url}: the bucket name is missing"));
    }
    install_tls_provider();
    let s3 = AmazonS3Builder::from_env()
        .with_bucket_name(bucket)
        .with_conditional_put(S3ConditionalPut::ETagMatch)
        .build()
        .map_err(|e| format!("--store {url}: cannot configure the S3 client: {e}"))?;
    let prefix = prefix.trim_matches('/');
    Ok(if prefix.is_empty() {
        Arc::new(s3)
    } else {
        Arc::new(object_store::prefix::PrefixStore::new(s3, prefix))
    })
}

/// Files and directories this process creates are its own alone (0600 and
/// 0700): the data directory holds residents' phone numbers and addresses.
pub fn private_files() {
    #[cfg(unix)]
    rustix::process::umask(rustix::fs::Mode::from_raw_mode(0o077));
}

/// Open the store, seed the demo if asked, and build the router.
pub async fn app(config: &Config) -> std::io::Result<Router> {
    let store = open_store(config)?;
    store::check_create_only(&store)
        .await
        .map_err(std::io::Error::other)?;
    let mut hub = hub::Hub::new(store, None);
    if config.demo {
        let data = config.store.is_none().then_some(config.data.as_path());
        let demo = admin::ensure_demo(&hub, data)
            .await
            .map_err(std::io::Error::other)?;
        hub.demo = Some(demo);
    }
    Ok(router(config, Arc::new(hub)))
}

/// The whole HTTP surface: API first, then the app's static files.
pub fn router(config: &Config, hub: Arc<hub::Hub>) -> Router {
    Router::new()
        .nest("/api", api::router(hub))
        // `nest` leaves the bare prefixes to the fallback; they are API paths too.
        .route("/api", axum::routing::any(api::not_found))
        .route("/api/", axum::routing::any(api::not_found))
        .fallback_service(static_files::service(&config.dist))
        // Inside compression: it hashes index.html's scripts from the plain body.
        .layer(axum::middleware::from_fn(security::headers))
        .layer(CompressionLayer::new())
        .layer(TraceLayer::new_for_http())
}

/// Serves until `shutdown` resolves, then finishes requests in flight
/// (`serve_router` with `config.limits`).
pub async fn serve(
    listener: tokio::net::TcpListener,
    config: Config,
    shutdown: impl std::future::Future<Output = ()> + Send + 'static,
) -> std::io::Result<()> {
    let app = app(&config).await?;
    serve_router(listener, app, config.limits, shutdown).await
}

/// Resolves on Ctrl-C or SIGTERM.
pub async fn shutdown_signal() {
    let ctrl_c = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    #[cfg(unix)]
    let term = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut s) => {
                s.recv().await;
            }
            Err(_) => std::future::pending::<()>().await,
        }
    };
    #[cfg(not(unix))]
    let term = std::future::pending::<()>();
    tokio::select! {
        _ = ctrl_c => {},
        _ = term => {},
    }
    tracing::info!("shutting down: finishing requests in flight");
}
