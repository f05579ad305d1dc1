use std::net::SocketAddr;
use std::path::PathBuf;

use clap::{Parser, Subcommand};
use linli_server::Config;

/// linli-server: the sync endpoint and static host of the linli app.
#[derive(Parser)]
#[command(version, about)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Serve the built app and the API.
    Serve {
        /// Address to listen on.
        #[arg(long, default_value = "127.0.0.1:8080")]
        addr: SocketAddr,
        /// The built app (Trunk's dist directory).
        #[arg(long, default_value = "dist")]
        dist: PathBuf,
        /// Directory of the embedded object store.
        #[arg(long, default_value = "data")]
        data: PathBuf,
    },
}

#[tokio::main]
async fn main() -> std::process::ExitCode {
    tracing_subscriber::fmt()
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_default_env()
                .unwrap_or_else(|_| "info,tower_http=warn".into()),
        )
        .init();
    match Cli::parse().command {
        Command::Serve { addr, dist, data } => {
            if !dist.join("index.html").is_file() {
                eprintln!(
                    "error: {} has no index.html; build the app first (./dev serve does)",
                    dist.display()
                );
                return std::process::ExitCode::from(2);
            }
            let listener = match tokio::net::TcpListener::bind(addr).await {
                Ok(l) => l,
                Err(e) => {
                    eprintln!("error: cannot listen on {addr}: {e}");
                    return std::process::ExitCode::from(2);
                }
            };
            let local = listener
                .local_addr()
                .map(|a| a.to_string())
                .unwrap_or_else(|_| addr.to_string());
            println!(
                "linli is serving at http://{local}/  (data in {}; Ctrl-C to stop)",
                data.display()
            );
            match linli_server::serve(
                listener,
                Config { dist, data },
                linli_server::shutdown_signal(),
            )
            .await
            {
                Ok(()) => std::process::ExitCode::SUCCESS,
                Err(e) => {
                    eprintln!("error: {e}");
                    std::process::ExitCode::FAILURE
                }
            }
        }
    }
}
