//! The serve loop: hyper's HTTP/1 server with the limits a public endpoint
//! needs against slow or idle clients (slowloris): a cap on connections
//! that stays below the descriptor limit, a header read timeout, a body
//! deadline, and graceful shutdown. docs/operations.md, "Connection limits".
use std::future::Future;
use std::io;
use std::sync::Arc;
use std::time::Duration;

use axum::Router;
use axum::extract::ConnectInfo;
use axum::http::Request;
use hyper::body::Incoming;
use hyper_util::rt::{TokioIo, TokioTimer};
use hyper_util::server::graceful::GracefulShutdown;
use hyper_util::service::TowerToHyperService;
use tokio::net::TcpListener;
use tokio::sync::Semaphore;
use tower::ServiceBuilder;
use tower_http::timeout::{DeadlineBody, RequestBodyDeadlineLayer};

/// Limits of the serve loop (`Config::limits`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Limits {
    /// Time a client has for a request line and its headers, counted from
    /// when the server starts waiting for them; an idle keep-alive
    /// connection is closed after it too.
    pub header_timeout: Duration,
    /// Time a client has for a request body, counted from the end of its
    /// headers (a deadline, not reset by each byte). Then `408`.
    pub body_timeout: Duration,
    /// Connections served at once. Further ones wait in the listen backlog
    /// until one closes. Lowered to fit RLIMIT_NOFILE (`connection_cap`).
    pub max_connections: usize,
}

impl Default for Limits {
    fn default() -> Self {
        Limits {
            header_timeout: Duration::from_secs(10),
            body_timeout: Duration::from_secs(30),
            max_connections: 1024,
        }
    }
}

/// Descriptors kept for what is not a connection: stdio, the runtime's
/// epoll and wakers, the listener, the log, the store's directory.
pub const FD_RESERVE: u64 = 32;

/// Pause after an accept error that is not about one connection (EMFILE,
/// ENFILE, ENOBUFS): retrying at once would spin on the same error.
const ACCEPT_BACKOFF: Duration = Duration::from_millis(250);

/// The soft RLIMIT_NOFILE (`None`: unlimited).
pub fn nofile_limit() -> Option<u64> {
    rustix::process::getrlimit(rustix::process::Resource::Nofile).current
}

/// Raise the soft RLIMIT_NOFILE to the hard one (as Go and nginx do): the
/// default soft limit of 1024 would hold the cap at 496. Returns the new
/// soft limit.
pub fn raise_nofile_limit() -> Option<u64> {
    use rustix::process::{Resource, Rlimit, getrlimit, setrlimit};
    let lim = getrlimit(Resource::Nofile);
    if let (Some(cur), Some(max)) = (lim.current, lim.maximum)
        && cur < max
    {
        let _ = setrlimit(
            Resource::Nofile,
            Rlimit {
                current: Some(max),
                maximum: Some(max),
            },
        );
    }
    nofile_limit()
}

/// The connection cap for a descriptor limit: each connection may hold its
/// socket and one open file (a static file being sent, an object being
/// read), so half of what the reserve leaves, and never above `wanted`.
pub fn connection_cap(wanted: usize, nofile: Option<u64>) -> usize {
    match nofile {
        Some(n) => {
            let fit = usize::try_from(n.saturating_sub(FD_RESERVE) / 2).unwrap_or(usize::MAX);
            wanted.min(fit).max(1)
        }
        None => wanted.max(1),
    }
}

/// Serves `app` on `listener` until `shutdown` resolves, then stops
/// accepting and waits for the connections to finish their requests.
/// Handlers can extract `ConnectInfo<SocketAddr>`.
pub async fn serve_router(
    listener: TcpListener,
    app: Router,
    limits: Limits,
    shutdown: impl Future<Output = ()> + Send + 'static,
) -> io::Result<()> {
    let nofile = nofile_limit();
    let cap = connection_cap(limits.max_connections, nofile);
    tracing::info!(
        cap,
        nofile = %nofile.map_or_else(|| "unlimited".into(), |n| n.to_string()),
        header_timeout_ms = limits.header_timeout.as_millis() as u64,
        body_timeout_ms = limits.body_timeout.as_millis() as u64,
        "connection limits"
    );
    // HTTP/1 only: there is no TLS here, so no browser would speak h2 (and
    // hyper-util's auto mode would wait for a silent client to show its
    // version with no timeout running).
    let mut builder = hyper::server::conn::http1::Builder::new();
    builder
        .timer(TokioTimer::new())
        .header_read_timeout(limits.header_timeout);
    let slots = Arc::new(Semaphore::new(cap));
    let graceful = GracefulShutdown::new();
    let mut shutdown = std::pin::pin!(shutdown);
    loop {
        // Take a slot before accepting: over the cap, new connections wait
        // in the kernel's backlog (no descriptor of ours) instead of being
        // accepted and dropped, so a real client is served once the slow
        // ones time out rather than refused for as long as the attack lasts.
        let permit = tokio::select! {
            p = slots.clone().acquire_owned() => p.expect("the semaphore is never closed"),
            _ = &mut shutdown => break,
        };
        let (stream, addr) = tokio::select! {
            r = listener.accept() => match r {
                Ok(c) => c,
                Err(e) if is_connection_error(&e) => continue,
                Err(e) => {
                    tracing::warn!("accept failed: {e}; pausing {ACCEPT_BACKOFF:?}");
                    tokio::select! {
                        _ = tokio::time::sleep(ACCEPT_BACKOFF) => continue,
                        _ = &mut shutdown => break,
                    }
                }
            },
            _ = &mut shutdown => break,
        };
        let _ = stream.set_nodelay(true);
        let svc = ServiceBuilder::new()
            .layer(RequestBodyDeadlineLayer::new(limits.body_timeout))
            .map_request(move |mut req: Request<DeadlineBody<Incoming>>| {
                req.extensions_mut().insert(ConnectInfo(addr));
                req
            })
            .service(app.clone());
        let conn = builder.serve_connection(TokioIo::new(stream), TowerToHyperService::new(svc));
        let conn = graceful.watch(conn);
        tokio::spawn(async move {
            // Header timeouts, resets and aborted bodies end up here: the
            // client's doing, not worth more than a debug line.
            if let Err(e) = conn.await {
                tracing::debug!(%addr, "connection ended: {e}");
            }
            drop(permit);
        });
    }
    drop(listener);
    graceful.shutdown().await;
    Ok(())
}

/// Accept errors about one connection (it went away before we took it).
fn is_connection_error(e: &io::Error) -> bool {
    matches!(
        e.kind(),
        io::ErrorKind::ConnectionRefused
            | io::ErrorKind::ConnectionAborted
            | io::ErrorKind::ConnectionReset
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_cap_fits_the_descriptor_limit() {
        assert_eq!(connection_cap(1024, None), 1024);
        assert_eq!(connection_cap(1024, Some(1_048_576)), 1024);
        assert_eq!(connection_cap(1024, Some(1024)), 496);
        assert_eq!(connection_cap(1024, Some(128)), 48);
        assert_eq!(connection_cap(1024, Some(16)), 1);
        assert_eq!(connection_cap(0, None), 1);
    }
}
