//! linli-server: a thin, stateless HTTP service. It serves the built app
//! (the `dist/` directory Trunk writes) and the JSON API under `/api`.
//! Business rules are not decided here; they live in linli-core.
pub mod api;
pub mod static_files;

use std::net::SocketAddr;
use std::path::PathBuf;

use axum::Router;
use tower_http::compression::CompressionLayer;
use tower_http::trace::TraceLayer;

/// What an instance needs to know to serve.
#[derive(Clone, Debug)]
pub struct Config {
    /// The built app (index.html, hashed assets, sw.js, manifest).
    pub dist: PathBuf,
    /// Where the embedded object store keeps its files.
    pub data: PathBuf,
}

/// The whole HTTP surface: API first, then the app's static files.
pub fn router(config: &Config) -> Router {
    Router::new()
        .nest("/api", api::router())
        // `nest` leaves the bare prefixes to the fallback; they are API paths too.
        .route("/api", axum::routing::any(api::not_found))
        .route("/api/", axum::routing::any(api::not_found))
        .fallback_service(static_files::service(&config.dist))
        .layer(CompressionLayer::new())
        .layer(TraceLayer::new_for_http())
}

/// Serves until `shutdown` resolves, then finishes requests in flight.
pub async fn serve(
    listener: tokio::net::TcpListener,
    config: Config,
    shutdown: impl std::future::Future<Output = ()> + Send + 'static,
) -> std::io::Result<()> {
    std::fs::create_dir_all(&config.data)?;
    axum::serve(
        listener,
        router(&config).into_make_service_with_connect_info::<SocketAddr>(),
    )
    .with_graceful_shutdown(shutdown)
    .await
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
