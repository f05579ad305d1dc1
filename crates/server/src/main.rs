use std::net::SocketAddr;
use std::path::PathBuf;
use std::time::Duration;

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
        /// Keep the data in an S3-compatible bucket instead of --data:
        /// s3://BUCKET[/PREFIX], configured by AWS_ENDPOINT, AWS_ACCESS_KEY_ID,
        /// AWS_SECRET_ACCESS_KEY, AWS_REGION and AWS_ALLOW_HTTP. The store
        /// must honour create-only writes (checked at start).
        #[arg(long, value_name = "s3://BUCKET[/PREFIX]")]
        store: Option<String>,
        /// Seed the demo community if missing, print its join codes (also
        /// written to <data>/demo-codes.txt) and offer them at /api/v1/demo.
        #[arg(long)]
        demo: bool,
        /// Skip fsync after writes (benchmarks; a power cut may lose data).
        #[arg(long)]
        no_fsync: bool,
        /// Seconds a client has to send a request's headers (and how long
        /// an idle connection stays open).
        #[arg(long, default_value_t = 10, value_parser = clap::value_parser!(u64).range(1..))]
        header_timeout: u64,
        /// Seconds a client has to send a request's body.
        #[arg(long, default_value_t = 30, value_parser = clap::value_parser!(u64).range(1..))]
        body_timeout: u64,
        /// Connections served at once (lowered to fit the open-file limit).
        #[arg(long, default_value_t = 1024, value_parser = clap::value_parser!(u64).range(1..))]
        max_connections: u64,
    },
    /// Manage communities in the data directory.
    Community {
        #[command(subcommand)]
        command: CommunityCommand,
    },
    /// Manage streets (街道): a street groups communities and answers
    /// their escalated wishes (docs/street.md).
    Street {
        #[command(subcommand)]
        command: StreetCommand,
    },
    /// Benchmarks only: seed a synthetic community of `ops` ops (compacted
    /// as the endpoint does) into an empty data directory and print it and
    /// a coordinator join code as one JSON line (tests/bench/pull.mjs).
    #[command(hide = true)]
    BenchSeed {
        /// Directory of the embedded object store.
        #[arg(long)]
        data: PathBuf,
        /// Keep the data in an S3-compatible bucket instead of --data:
        /// s3://BUCKET[/PREFIX], configured by AWS_ENDPOINT, AWS_ACCESS_KEY_ID,
        /// AWS_SECRET_ACCESS_KEY, AWS_REGION and AWS_ALLOW_HTTP. The store
        /// must honour create-only writes (checked at start).
        #[arg(long, value_name = "s3://BUCKET[/PREFIX]")]
        store: Option<String>,
        /// Ops in the log.
        #[arg(long, default_value_t = 100_000)]
        ops: u64,
        /// Seed of `linli_core::demo::synthetic_log`.
        #[arg(long, default_value_t = 7)]
        seed: u64,
        /// Devices that may join with the code.
        #[arg(long, default_value_t = 1000)]
        code_uses: u32,
    },
}

/// The store a command names: `--store s3://…`, else the local filesystem
/// under `data`; refused unless it honours create-only writes.
async fn open_checked(
    data: &std::path::Path,
    store: Option<&str>,
    no_fsync: bool,
) -> Result<linli_server::store::Store, String> {
    let opened = match store {
        Some(url) => linli_server::open_s3(url)?,
        None => {
            let config = Config {
                data: data.into(),
                no_fsync,
                ..Default::default()
            };
            linli_server::open_store(&config)
                .map_err(|e| format!("cannot open {}: {e}", data.display()))?
        }
    };
    linli_server::store::check_create_only(&opened)
        .await
        .map_err(|e| e.to_string())?;
    Ok(opened)
}

async fn bench_seed(
    data: PathBuf,
    store: Option<String>,
    ops: u64,
    seed: u64,
    code_uses: u32,
) -> std::process::ExitCode {
    let store = match open_checked(&data, store.as_deref(), true).await {
        Ok(s) => s,
        Err(e) => {
            eprintln!("error: {e}");
            return std::process::ExitCode::from(2);
        }
    };
    let hub = linli_server::hub::Hub::new(store, None);
    match linli_server::admin::seed_synthetic(&hub, ops, seed, code_uses).await {
        Ok(s) => {
            println!("{}", serde_json::to_string(&s).unwrap_or_default());
            std::process::ExitCode::SUCCESS
        }
        Err(e) => {
            eprintln!("error: {e}");
            std::process::ExitCode::FAILURE
        }
    }
}

#[derive(Subcommand)]
enum CommunityCommand {
    /// Create a community and print a coordinator join code and its QR code.
    Create {
        /// The community's name.
        #[arg(long)]
        name: String,
        /// Its id in URLs (letters, digits, - and _); random if omitted.
        #[arg(long)]
        id: Option<String>,
        /// Directory of the embedded object store.
        #[arg(long, default_value = "data")]
        data: PathBuf,
        /// Keep the data in an S3-compatible bucket instead of --data:
        /// s3://BUCKET[/PREFIX], configured by AWS_ENDPOINT, AWS_ACCESS_KEY_ID,
        /// AWS_SECRET_ACCESS_KEY, AWS_REGION and AWS_ALLOW_HTTP. The store
        /// must honour create-only writes (checked at start).
        #[arg(long, value_name = "s3://BUCKET[/PREFIX]")]
        store: Option<String>,
        /// Name of the founding coordinator.
        #[arg(long, default_value = "协调员")]
        coordinator_name: String,
        /// Hours until the coordinator's join code expires.
        #[arg(long, default_value_t = 72)]
        code_hours: u32,
        /// Devices that may join with that code.
        #[arg(long, default_value_t = 3)]
        code_uses: u32,
        /// Address of the app, for the join link in the QR code.
        #[arg(long, default_value = "http://127.0.0.1:8080")]
        url: String,
    },
}

#[derive(Subcommand)]
enum StreetCommand {
    /// Create a street and print a street coordinator's join code and its QR code.
    Create {
        /// The street's name (e.g. 西关街道).
        #[arg(long)]
        name: String,
        /// Its id in URLs (letters, digits, - and _); random if omitted.
        #[arg(long)]
        id: Option<String>,
        /// Directory of the embedded object store.
        #[arg(long, default_value = "data")]
        data: PathBuf,
        /// Keep the data in an S3-compatible bucket instead of --data
        /// (as for `community create`).
        #[arg(long, value_name = "s3://BUCKET[/PREFIX]")]
        store: Option<String>,
        /// Name of the founding street coordinator.
        #[arg(long, default_value = "街道协调员")]
        coordinator_name: String,
        /// Hours until the coordinator's join code expires.
        #[arg(long, default_value_t = 72)]
        code_hours: u32,
        /// Devices that may join with that code.
        #[arg(long, default_value_t = 3)]
        code_uses: u32,
        /// Address of the app, for the join link in the QR code.
        #[arg(long, default_value = "http://127.0.0.1:8080")]
        url: String,
    },
    /// Put a community in a street (once; a community belongs to one street).
    AddCommunity {
        /// The street's id.
        #[arg(long)]
        street: String,
        /// The community's id.
        #[arg(long)]
        community: String,
        /// Directory of the embedded object store.
        #[arg(long, default_value = "data")]
        data: PathBuf,
        /// Keep the data in an S3-compatible bucket instead of --data.
        #[arg(long, value_name = "s3://BUCKET[/PREFIX]")]
        store: Option<String>,
    },
}

async fn street(cmd: StreetCommand) -> std::process::ExitCode {
    match cmd {
        StreetCommand::Create {
            name,
            id,
            data,
            store,
            coordinator_name,
            code_hours,
            code_uses,
            url,
        } => {
            create(
                true,
                CommunityCommand::Create {
                    name,
                    id,
                    data,
                    store,
                    coordinator_name,
                    code_hours,
                    code_uses,
                    url,
                },
            )
            .await
        }
        StreetCommand::AddCommunity {
            street,
            community,
            data,
            store,
        } => {
            let store = match open_checked(&data, store.as_deref(), false).await {
                Ok(s) => s,
                Err(e) => {
                    eprintln!("error: {e}");
                    return std::process::ExitCode::from(2);
                }
            };
            let hub = linli_server::hub::Hub::new(store, None);
            let (s, c) = (street.into(), community.into());
            match linli_server::admin::link_community(&hub, &s, &c).await {
                Ok(l) => {
                    let how = if l.new { "added to" } else { "was already in" };
                    println!(
                        "community {} ({}) {how} street {} ({})",
                        l.community, l.name, l.street, l.street_name
                    );
                    std::process::ExitCode::SUCCESS
                }
                Err(e) => {
                    eprintln!("error: {e}");
                    std::process::ExitCode::FAILURE
                }
            }
        }
    }
}

/// `community create`, or `street create` when `street`.
async fn create(street: bool, cmd: CommunityCommand) -> std::process::ExitCode {
    let CommunityCommand::Create {
        name,
        id,
        data,
        store,
        coordinator_name,
        code_hours,
        code_uses,
        url,
    } = cmd;
    let store = match open_checked(&data, store.as_deref(), false).await {
        Ok(s) => s,
        Err(e) => {
            eprintln!("error: {e}");
            return std::process::ExitCode::from(2);
        }
    };
    let hub = linli_server::hub::Hub::new(store, None);
    let req = linli_server::admin::NewCommunity {
        id,
        name,
        coordinator_name,
        code_hours,
        code_uses,
    };
    let created = if street {
        linli_server::admin::create_street(&hub, req).await
    } else {
        linli_server::admin::create_community(&hub, req).await
    };
    let what = if street { "street" } else { "community" };
    match created {
        Ok(c) => {
            let link = format!(
                "{}/join?code={}",
                url.trim_end_matches('/'),
                linli_core::protocol::normalize_code(&c.code)
            );
            println!(
                "{what} {} created; founder member {}",
                c.community, c.founder
            );
            let whose = if street {
                "street coordinator"
            } else {
                "coordinator"
            };
            println!(
                "{whose} join code: {}  ({} uses, valid {} hours)",
                c.code, c.max_uses, code_hours
            );
            println!("join link: {link}");
            println!("{}", linli_server::admin::qr(&link));
            std::process::ExitCode::SUCCESS
        }
        Err(e) => {
            eprintln!("error: {e}");
            std::process::ExitCode::FAILURE
        }
    }
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
        Command::Community { command } => create(false, command).await,
        Command::Street { command } => street(command).await,
        Command::BenchSeed {
            data,
            store,
            ops,
            seed,
            code_uses,
        } => bench_seed(data, store, ops, seed, code_uses).await,
        Command::Serve {
            addr,
            dist,
            data,
            store,
            demo,
            no_fsync,
            header_timeout,
            body_timeout,
            max_connections,
        } => {
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
            // Checked before anything is written or announced (app() checks again).
            let opened = open_checked(&data, store.as_deref(), no_fsync).await;
            let s3 = match opened {
                Ok(s) => store.is_some().then_some(s),
                Err(e) => {
                    eprintln!("error: {e}");
                    return std::process::ExitCode::from(2);
                }
            };
            let local = listener
                .local_addr()
                .map(|a| a.to_string())
                .unwrap_or_else(|_| addr.to_string());
            let place = store.unwrap_or_else(|| data.display().to_string());
            println!("linli is serving at http://{local}/  (data in {place}; Ctrl-C to stop)");
            // Before the cap is derived from it (transport::connection_cap).
            linli_server::transport::raise_nofile_limit();
            let config = Config {
                dist,
                data,
                demo,
                store: s3,
                no_fsync,
                limits: linli_server::Limits {
                    header_timeout: Duration::from_secs(header_timeout),
                    body_timeout: Duration::from_secs(body_timeout),
                    max_connections: usize::try_from(max_connections).unwrap_or(usize::MAX),
                },
            };
            if demo {
                let seeded = match linli_server::open_store(&config) {
                    Ok(store) => {
                        let hub = linli_server::hub::Hub::new(store, None);
                        let data = config.store.is_none().then_some(config.data.as_path());
                        linli_server::admin::ensure_demo(&hub, data)
                            .await
                            .map_err(|e| e.to_string())
                    }
                    Err(e) => Err(e.to_string()),
                };
                match seeded {
                    Ok(d) => print!("{}", linli_server::admin::demo_text(&d)),
                    Err(e) => {
                        eprintln!("error: cannot seed the demo: {e}");
                        return std::process::ExitCode::FAILURE;
                    }
                }
            }
            match linli_server::serve(listener, config, linli_server::shutdown_signal()).await {
                Ok(()) => std::process::ExitCode::SUCCESS,
                Err(e) => {
                    eprintln!("error: {e}");
                    std::process::ExitCode::FAILURE
                }
            }
        }
    }
}
