//! One device's view of a community: the sequenced log folded into a
//! confirmed state, with the device's own pending ops on top (rebase, as
//! Replicache does). Pure: the browser store persists what this decides.
use serde::{Deserialize, Serialize};

use crate::hlc::Clock;
use crate::ids::{DeviceId, MemberId, OpId};
use crate::op::{LogEntry, Op, OpKind};
use crate::reduce::{Outcome, State, apply};
use crate::validate::{self, ValidationError};

/// The part of a device that mints ops: its id, next sequence number and
/// clock. Persisted in the same transaction as the op it minted, so a seq
/// is never reused after a crash.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Writer {
    /// This device.
    pub device: DeviceId,
    /// The seq the next op gets (starts at 1).
    pub next_seq: u64,
    /// Last stamp issued or observed.
    pub clock: Clock,
}

impl Writer {
    /// A device that has minted nothing yet.
    pub fn new(device: DeviceId) -> Self {
        Writer {
            device,
            next_seq: 1,
            clock: Clock::new(),
        }
    }

    /// Mints and validates the next op; on error nothing changes.
    pub fn mint(
        &mut self,
        author: MemberId,
        kind: OpKind,
        now_ms: u64,
    ) -> Result<Op, ValidationError> {
        let mut clock = self.clock;
        let hlc = clock.tick(now_ms);
        let op = Op::new(
            OpId::new(self.device.clone(), self.next_seq),
            author,
            hlc,
            kind,
        );
        validate::op(&op)?;
        self.clock = clock;
        self.next_seq += 1;
        Ok(op)
    }
}

/// Confirmed state ⊕ pending ops.
#[derive(Clone, Debug, Default)]
pub struct Replica {
    confirmed: State,
    pending: Vec<Op>,
    view: State,
    outcomes: Vec<Outcome>,
}

impl Replica {
    /// From a confirmed state (snapshot + log tail) and the outbox.
    pub fn new(confirmed: State, pending: Vec<Op>) -> Self {
        let mut r = Replica {
            confirmed,
            pending,
            ..Default::default()
        };
        r.drop_seen();
        r.rebase();
        r
    }

    /// What the pages show.
    pub fn view(&self) -> &State {
        &self.view
    }

    /// The fold of the sequenced log alone.
    pub fn confirmed(&self) -> &State {
        &self.confirmed
    }

    /// Ops of this device not yet in the log, in seq order.
    pub fn pending(&self) -> &[Op] {
        &self.pending
    }

    /// The optimistic outcome of each pending op (same order as `pending`).
    pub fn pending_outcomes(&self) -> &[Outcome] {
        &self.outcomes
    }

    /// A local op, already durable in the outbox: shown at once.
    pub fn push_local(&mut self, op: Op) -> Outcome {
        let outcome = crate::reduce::apply_op(&mut self.view, &op);
        self.pending.push(op);
        self.outcomes.push(outcome);
        outcome
    }

    /// Newly pulled log entries (in seq order). Pending ops that now appear
    /// in the log leave the pending list; the rest are rebased on top.
    /// Returns the outcomes of this device's ops among the entries.
    pub fn apply_pulled(
        &mut self,
        entries: &[LogEntry],
        device: &DeviceId,
    ) -> Vec<(OpId, Outcome)> {
        let mut mine = Vec::new();
        let from = self.confirmed.seq;
        for e in entries.iter().filter(|e| e.seq > from) {
            let outcome = apply(&mut self.confirmed, e);
            if &e.op.id.device == device {
                mine.push((e.op.id.clone(), outcome));
            }
        }
        self.drop_seen();
        self.rebase();
        mine
    }

    fn drop_seen(&mut self) {
        let confirmed = &self.confirmed;
        self.pending.retain(|op| !confirmed.is_seen(&op.id));
    }

    fn rebase(&mut self) {
        let (view, outcomes) = self.confirmed.rebase(&self.pending);
        self.view = view;
        self.outcomes = outcomes;
    }
}

/// Bytes of ops one push may carry: the endpoint's body limit, less room
/// for the envelope.
pub const PUSH_BYTES: usize = crate::protocol::MAX_BODY_BYTES * 3 / 4;

/// The next push from a device's outbox (sorted by seq): the ops after
/// `through`, at most `protocol::MAX_OPS_PER_PUSH` of them and at most
/// `PUSH_BYTES` of JSON — but always at least one, so an op near the limit
/// still leaves (the endpoint refuses it if it must).
pub fn next_batch(outbox: &[Op], through: u64) -> &[Op] {
    let from = outbox.partition_point(|op| op.id.seq <= through);
    let mut bytes = 0;
    let mut end = from;
    for op in &outbox[from..] {
        let size = validate::bytes(op);
        if end - from >= crate::protocol::MAX_OPS_PER_PUSH
            || (end > from && bytes + size > PUSH_BYTES)
        {
            break;
        }
        bytes += size;
        end += 1;
    }
    &outbox[from..end]
}

#[cfg(test)]
mod tests {
    use super::*;

    fn note(seq: u64, len: usize) -> Op {
        let kind = OpKind::Note {
            wish: "w1".into(),
            text: "字".repeat(len),
        };
        Op::new(OpId::new("d1", seq), "m1", crate::Hlc::at(1), kind)
    }

    #[test]
    fn batches_follow_the_cursor_and_the_limits() {
        let outbox: Vec<Op> = (1..=1200).map(|seq| note(seq, 10)).collect();
        assert_eq!(
            next_batch(&outbox, 0).len(),
            crate::protocol::MAX_OPS_PER_PUSH
        );
        assert_eq!(next_batch(&outbox, 0)[0].id.seq, 1);
        assert_eq!(next_batch(&outbox, 1000).len(), 200);
        assert_eq!(next_batch(&outbox, 1000)[0].id.seq, 1001);
        assert!(next_batch(&outbox, 1200).is_empty());
        assert!(next_batch(&[], 0).is_empty());
        // Large ops: cut by bytes, never below one op.
        let big: Vec<Op> = (1..=400).map(|seq| note(seq, 1000)).collect();
        let batch = next_batch(&big, 0);
        let bytes: usize = batch.iter().map(validate::bytes).sum();
        assert!(
            bytes <= PUSH_BYTES && batch.len() < 400,
            "{} ops, {bytes} B",
            batch.len()
        );
        assert!(bytes + validate::bytes(&big[batch.len()]) > PUSH_BYTES);
        let huge = [note(1, 20_000)];
        assert_eq!(next_batch(&huge, 0).len(), 1);
    }

    #[test]
    fn batches_start_after_the_cursor_wherever_it_falls() {
        // An outbox that starts later (earlier ops already left it), with a gap.
        let outbox: Vec<Op> = [5, 6, 9, 10].into_iter().map(|s| note(s, 10)).collect();
        let seqs = |through| -> Vec<u64> {
            next_batch(&outbox, through)
                .iter()
                .map(|op| op.id.seq)
                .collect()
        };
        assert_eq!(seqs(0), [5, 6, 9, 10]);
        assert_eq!(seqs(5), [6, 9, 10]);
        assert_eq!(seqs(7), [9, 10], "a cursor inside a gap");
        assert_eq!(seqs(10), Vec::<u64>::new());
        assert_eq!(seqs(u64::MAX), Vec::<u64>::new());
        // Exactly the op limit left: one batch takes all of it.
        let full: Vec<Op> = (1..=crate::protocol::MAX_OPS_PER_PUSH as u64)
            .map(|seq| note(seq, 1))
            .collect();
        assert_eq!(next_batch(&full, 0).len(), full.len());
    }

    #[test]
    fn an_op_too_large_for_the_batch_waits_for_the_next_one() {
        let outbox = [note(1, 10), note(2, 10), note(3, 300_000), note(4, 10)];
        assert!(validate::bytes(&outbox[2]) > PUSH_BYTES);
        let first = next_batch(&outbox, 0);
        assert_eq!(first.len(), 2, "the small ops leave first");
        let second = next_batch(&outbox, 2);
        assert_eq!(second.len(), 1, "then the large one alone");
        assert_eq!(second[0].id.seq, 3);
        assert_eq!(next_batch(&outbox, 3)[0].id.seq, 4);
    }
    use crate::demo;

    #[test]
    fn minting_is_gapless_and_monotonic_and_refuses_invalid_ops() {
        let mut w = Writer::new("d1".into());
        let ok = OpKind::ExpireLease { wish: "w1".into() };
        let a = w.mint("m1".into(), ok.clone(), 1_000).unwrap();
        let b = w.mint("m1".into(), ok.clone(), 500).unwrap(); // clock went back
        assert_eq!((a.id.seq, b.id.seq), (1, 2));
        assert!(b.hlc > a.hlc);
        let before = w.clone();
        let bad = OpKind::ExpireLease { wish: "".into() };
        assert!(w.mint("m1".into(), bad, 2_000).is_err());
        assert_eq!(w, before, "a refused op consumes no seq and no stamp");
    }

    #[test]
    fn pending_ops_show_at_once_and_leave_when_sequenced() {
        let log = demo::community_log(7, 1_700_000_000_000);
        let (head, tail) = log.split_at(log.len() - 5);
        // The tail's ops play the part of this device's pending ops.
        let device = tail[0].op.id.device.clone();
        let mine: Vec<Op> = tail
            .iter()
            .filter(|e| e.op.id.device == device)
            .map(|e| e.op.clone())
            .collect();
        let mut r = Replica::new(crate::fold(head), Vec::new());
        for op in &mine {
            r.push_local(op.clone());
        }
        assert_eq!(r.pending().len(), mine.len());
        r.apply_pulled(tail, &device);
        assert!(r.pending().is_empty());
        assert_eq!(r.view().hash(), crate::fold(&log).hash());
        assert_eq!(r.confirmed().hash(), r.view().hash());
    }
}
