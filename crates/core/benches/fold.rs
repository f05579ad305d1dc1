//! linli-core benchmarks (divan). Run:
//!   CARGO_TARGET_DIR=/work/core-target cargo bench -p linli-core --bench fold
//! Figures are recorded in crates/core/BENCH-core.md.

use divan::{Bencher, black_box};
use linli_core::demo::{synthetic_activities, synthetic_log};
use linli_core::op::LogEntry;
use linli_core::views::{GroupBy, board, rates};
use linli_core::{State, fold};
use std::sync::OnceLock;

const T0: u64 = 1_700_000_000_000;

fn main() {
    divan::main();
}

/// ~100k ops: 16,400 wishes through the whole lifecycle.
fn log_100k() -> &'static [LogEntry] {
    static LOG: OnceLock<Vec<LogEntry>> = OnceLock::new();
    LOG.get_or_init(|| {
        let log = synthetic_log(16_400, 1, T0);
        assert!(log.len() >= 100_000, "{}", log.len());
        log
    })
}

/// State with 10k wishes.
fn state_10k() -> &'static State {
    static S: OnceLock<State> = OnceLock::new();
    S.get_or_init(|| fold(&synthetic_log(10_000, 2, T0)))
}

#[divan::bench(sample_count = 10)]
fn fold_100k_ops(b: Bencher) {
    let log = log_100k();
    b.counter(divan::counter::ItemsCount::new(log.len()))
        .bench(|| fold(black_box(log)));
}

#[divan::bench(sample_count = 10)]
fn decode_100k_ops_json(b: Bencher) {
    let json = serde_json::to_vec(log_100k()).unwrap();
    b.counter(divan::counter::BytesCount::new(json.len()))
        .bench(|| serde_json::from_slice::<Vec<LogEntry>>(black_box(&json)).unwrap());
}

#[divan::bench(sample_count = 30)]
fn board_10k_wishes(b: Bencher) {
    let s = state_10k();
    b.bench(|| board(black_box(s)));
}

#[divan::bench(sample_count = 30, args = [GroupBy::All, GroupBy::Grid, GroupBy::Category, GroupBy::Month])]
fn rates_10k_wishes(b: Bencher, by: GroupBy) {
    let s = state_10k();
    b.bench(|| rates(black_box(s), by));
}

#[divan::bench(sample_count = 10)]
fn hash_10k_wishes(b: Bencher) {
    let s = state_10k();
    b.bench(|| s.hash());
}

/// 1,000 activities with 20 attendances each (20,000), about 62k ops.
fn activities_log() -> &'static [LogEntry] {
    static LOG: OnceLock<Vec<LogEntry>> = OnceLock::new();
    LOG.get_or_init(|| synthetic_activities(1_000, 20, 3, T0))
}

#[divan::bench(sample_count = 10)]
fn fold_1k_activities_20k_attendances(b: Bencher) {
    let log = activities_log();
    b.counter(divan::counter::ItemsCount::new(log.len()))
        .bench(|| fold(black_box(log)));
}

#[divan::bench(sample_count = 30)]
fn calendar_and_roster_1k_activities(b: Bencher) {
    static S: OnceLock<State> = OnceLock::new();
    let s = S.get_or_init(|| fold(activities_log()));
    let month = linli_core::activities::months(s)[0].clone();
    let a = s.activities.values().next().unwrap();
    b.bench(|| {
        let days = linli_core::activities::days(black_box(s), &month);
        let roster = linli_core::activities::roster(s, a, T0);
        (days.len(), roster.len())
    });
}
