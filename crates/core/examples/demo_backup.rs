//! Prints a linli backup file (the format the app's Settings page imports)
//! holding the demo community, for seeding a browser in tests and demos
//! before the device has joined by code.
//!
//! ```text
//! cargo run -p linli-core --example demo_backup -- [--synthetic N | --street N | --activities N] <member-id> [start-ms|now] [device-id]
//! ```
//!
//! With `--synthetic N` the log is `demo::synthetic_log(N, …)` instead (a
//! load-test community of N wishes; members c1, v0–v59, r0–r29); with
//! `--street N`, the same with one wish in 200 escalated to the street
//! (`demo::synthetic_log_escalating`, the street benchmark's); with
//! `--activities N`, `demo::synthetic_activities(N, 20, …)` (N activities
//! of 20 attendances each; members c1, v0–v199, k1).
//!
//! The log is `demo::community_log(2024, start)`; by default it is placed so
//! that it ends two days before now (as the server's `--demo` mode does), so
//! live claims still hold their leases. The session names the member (see
//! `demo.rs`: c1 coordinator, g1 grid worker, v1–v5 volunteers, r1–r3
//! residents, p1–p3 partners, k1 kiosk, x1 viewer); the writer is a fresh
//! device that has minted nothing. The token is a placeholder: a device
//! seeded this way works offline until it joins for real.
use linli_core::replica::Writer;
use linli_core::{DeviceId, demo};
use std::time::{SystemTime, UNIX_EPOCH};

const SEED: u64 = 2024;
const DAY_MS: u64 = 86_400_000;

fn main() {
    let mut args = std::env::args().skip(1).peekable();
    let flag = args
        .next_if(|a| ["--synthetic", "--street", "--activities"].contains(&a.as_str()))
        .map(|f| {
            let n: usize = args.next().and_then(|n| n.parse().ok()).unwrap_or_else(|| {
                eprintln!("{f} needs a number");
                std::process::exit(2)
            });
            (f, n)
        });
    let make = |start: u64| match &flag {
        Some((f, n)) => {
            let log = match f.as_str() {
                "--activities" => demo::synthetic_activities(*n, 20, SEED, start),
                "--street" => demo::synthetic_log_escalating(*n, SEED, start, Some(200)),
                _ => demo::synthetic_log(*n, SEED, start),
            };
            let state = linli_core::fold(&log);
            (log, state)
        }
        None => {
            let b = demo::demo_builder(SEED, start);
            (b.log, b.state)
        }
    };
    let member = args.next().unwrap_or_else(|| "c1".into());
    let now = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|d| d.as_millis() as u64)
        .unwrap_or(0);
    let start = match args.next().as_deref() {
        None | Some("now") => {
            let span = make(0).0.iter().map(|e| e.op.hlc.ms).max().unwrap_or(0);
            now.saturating_sub(span + 2 * DAY_MS)
        }
        Some(ms) => ms.parse().unwrap_or_else(|_| {
            eprintln!("start must be epoch milliseconds or `now`");
            std::process::exit(2)
        }),
    };
    let (log, state) = make(start);
    if !state.members.contains_key(&member.as_str().into()) {
        eprintln!(
            "no member {member:?} in the demo; try one of: {}",
            state
                .members
                .keys()
                .map(|m| m.0.as_str())
                .collect::<Vec<_>>()
                .join(" ")
        );
        std::process::exit(2);
    }
    let device = args
        .next()
        .unwrap_or_else(|| format!("demo-{member}-{:x}", now ^ u64::from(std::process::id())));
    let community = state.community.as_ref().map(|c| c.id.clone());
    let backup = serde_json::json!({
        "format": "linli-backup",
        "version": 1,
        "writer": Writer::new(DeviceId(device)),
        "session": { "community": community, "member": member, "token": "demo-offline" },
        "log": log,
        "outbox": [],
    });
    println!("{backup}");
}
