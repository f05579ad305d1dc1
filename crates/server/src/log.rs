//! One community's log: a chain of numbered segment objects, each written
//! create-only at the next position (brief §3). The instance whose create
//! succeeds owns that position; one that loses reads the winner's segment,
//! folds it (it may hold the same device's retried ops, which then count
//! as accepted) and tries the next position. Nothing here is the truth but
//! the objects: `Cache` is a prefix of the log this instance has folded,
//! refreshed by probing forward.
//!
//! Pushes are group-committed: they queue, and whoever takes the log lock
//! writes every queued push into one segment (a push is never split).
//! Compaction merges chain segments into larger ones and writes a new
//! numbered manifest, all create-only.
use std::collections::{BTreeMap, HashMap};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex, RwLock};
use std::time::{Duration, Instant};

use linli_core::ids::{CommunityId, DeviceId, MemberId, WishId};
use linli_core::model::Role;
use linli_core::protocol::{Head, Segment, SegmentInfo};
use linli_core::{Action, LogEntry, Op, State};
use serde::{Deserialize, Serialize};
use tokio::sync::oneshot;

use object_store::ObjectStoreExt;

use crate::store::{self, Store, StoreError};

/// Compaction starts once this many chain segments follow the manifest.
pub const COMPACT_AFTER: usize = 64;
/// Most entries per merged segment.
pub const MERGED_ENTRIES: u64 = 2000;
/// Most bytes per merged segment (a fresh device downloads whole segments;
/// a segment is written once, so it must stay small enough to hold in memory).
pub const MERGED_BYTES: usize = 4 * 1024 * 1024;
/// Most ops written in one segment by one group commit (a single push of
/// up to `MAX_OPS_PER_PUSH` always fits).
const BATCH_OPS: usize = 4000;
/// Most op bytes in one group commit (a single push, at most one body of
/// `MAX_BODY_BYTES`, always fits).
const BATCH_BYTES: usize = 4 * 1024 * 1024;
/// How often a long-polled head probes the store for other instances' appends.
pub const WAIT_PROBE: Duration = Duration::from_secs(1);
/// Lost create races in a row before a push is answered `busy`.
const MAX_RACES: u32 = 200;

/// `manifests/{n}.json`: merged segments covering chain positions `1..=through_pos`.
#[derive(Clone, Debug, Default, Serialize, Deserialize)]
pub struct Manifest {
    pub n: u64,
    pub through_pos: u64,
    pub through_seq: u64,
    pub segments: Vec<SegmentInfo>,
}

/// `head.json`: a hint for readers; may be stale, never ahead.
#[derive(Clone, Debug, Default, Serialize, Deserialize)]
pub struct HeadHint {
    pub pos: u64,
    pub seq: u64,
    pub manifest: u64,
}

/// Where a segment name points.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum SegKey {
    Chain(u64),
    Merged(u64, u64),
}

pub fn chain_name(epoch: &str, pos: u64) -> String {
    format!("{epoch}-p{pos:010}")
}

pub fn merged_name(epoch: &str, first: u64, last: u64) -> String {
    format!("{epoch}-m{first:012}-{last:012}")
}

/// Parse a segment name of this epoch; anything else is `None`.
pub fn parse_name(epoch: &str, name: &str) -> Option<SegKey> {
    let rest = name.strip_prefix(epoch)?.strip_prefix('-')?;
    let digits = |s: &str, n: usize| {
        (s.len() == n && s.bytes().all(|b| b.is_ascii_digit()))
            .then(|| s.parse::<u64>().ok())
            .flatten()
    };
    if let Some(p) = rest.strip_prefix('p') {
        return digits(p, 10).filter(|&p| p > 0).map(SegKey::Chain);
    }
    let (a, b) = rest.strip_prefix('m')?.split_once('-')?;
    let (a, b) = (digits(a, 12)?, digits(b, 12)?);
    (a >= 1 && a <= b).then_some(SegKey::Merged(a, b))
}

/// Why an append did not happen.
#[derive(Debug, Clone)]
pub enum AppendError {
    /// The first new op is not the device's next seq.
    Gap {
        expected: u64,
    },
    Storage(String),
    Busy,
}

/// A successful append (or acknowledgement of ops already there).
#[derive(Debug, Clone, Copy)]
pub struct Appended {
    pub accepted_through: u64,
    pub head: u64,
}

enum Work {
    /// A device's ops, consecutive in device seq, and their size as JSON.
    Push {
        device: DeviceId,
        ops: Vec<Op>,
        bytes: usize,
    },
    /// An op minted by the endpoint itself (a join's `add_member`);
    /// deduped by id, no gap rule.
    Internal(Box<Op>),
}

struct Request {
    work: Work,
    reply: oneshot::Sender<Result<Appended, AppendError>>,
}

/// A member as the endpoint needs to know it for auth (role, active).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct MemberView {
    pub role: Role,
    pub active: bool,
}

struct Cache {
    /// Last chain position folded.
    pos: u64,
    /// Last seq folded.
    seq: u64,
    /// The manifest in use (0: none) and what it covers.
    manifest: Manifest,
    /// Chain segments after `manifest.through_pos`, in order.
    chain: Vec<SegmentInfo>,
    state: State,
    /// Appends since the hint was last written.
    since_hint: u32,
}

pub struct Log {
    store: Store,
    pub community: CommunityId,
    pub epoch: String,
    /// A street's log (`CommunityMeta::street`): it takes no wishes.
    pub street: bool,
    cache: tokio::sync::Mutex<Cache>,
    queue: Mutex<Vec<Request>>,
    members: RwLock<BTreeMap<MemberId, MemberView>>,
    compacting: AtomicBool,
    /// When the last refresh began: every segment created before then is folded.
    refreshed: Mutex<Option<Instant>>,
    /// Wishes closed by ops folded since the last `purge_closed`.
    closed: Mutex<Vec<WishId>>,
    /// Highest folded seq per device (a copy of `State::seen` outside the
    /// cache lock, for the push budget).
    uptos: RwLock<HashMap<DeviceId, u64>>,
    /// The last folded seq, for long-polling heads (`wait_past`).
    seq_tx: tokio::sync::watch::Sender<u64>,
}

fn lock<T>(m: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    m.lock().unwrap_or_else(|e| e.into_inner())
}

fn corrupt(path: impl std::fmt::Display, why: impl std::fmt::Display) -> StoreError {
    StoreError::Corrupt {
        path: path.to_string(),
        why: why.to_string(),
    }
}

impl Log {
    /// Load a community's log from the store: the newest manifest (probing
    /// forward from the hint), its merged segments, then the chain after it.
    pub async fn open(store: Store, meta: &store::CommunityMeta) -> store::Result<Arc<Log>> {
        let c = &meta.id;
        let epoch = meta.epoch.clone();
        let hint: HeadHint = store::get_json(&store, &store::head_hint(c, &epoch))
            .await
            .ok()
            .flatten()
            .unwrap_or_default();
        let mut manifest = Manifest::default();
        let mut n = hint.manifest;
        if n > 0 {
            match store::get_json::<Manifest>(&store, &store::manifest(c, &epoch, n)).await? {
                Some(m) => manifest = m,
                None => n = 0,
            }
        }
        while let Some(m) =
            store::get_json::<Manifest>(&store, &store::manifest(c, &epoch, n + 1)).await?
        {
            manifest = m;
            n += 1;
        }
        let log = Log {
            store,
            community: c.clone(),
            epoch,
            street: meta.street,
            cache: tokio::sync::Mutex::new(Cache {
                pos: manifest.through_pos,
                seq: 0,
                manifest: Manifest::default(),
                chain: Vec::new(),
                state: State::new(),
                since_hint: 0,
            }),
            queue: Mutex::new(Vec::new()),
            members: RwLock::new(BTreeMap::new()),
            compacting: AtomicBool::new(false),
            refreshed: Mutex::new(None),
            closed: Mutex::new(Vec::new()),
            uptos: RwLock::new(HashMap::new()),
            seq_tx: tokio::sync::watch::Sender::new(0),
        };
        {
            let mut cache = log.cache.lock().await;
            for seg in &manifest.segments {
                let entries = log.read_segment(seg).await?;
                log.fold(&mut cache, &entries)?;
            }
            if cache.seq != manifest.through_seq {
                return Err(corrupt(
                    format!("manifest {}", manifest.n),
                    "segments do not reach through_seq",
                ));
            }
            cache.manifest = manifest;
            log.refresh(&mut cache).await?;
        }
        // History's closings are swept by listing instead.
        lock(&log.closed).clear();
        if let Err(e) = log.sweep_private().await {
            tracing::warn!(community = %log.community, "contact record sweep failed: {e}");
        }
        Ok(Arc::new(log))
    }

    async fn read_segment(&self, info: &SegmentInfo) -> store::Result<Vec<LogEntry>> {
        let key = match parse_name(&self.epoch, &info.name) {
            Some(k) => self.key(k),
            None => return Err(corrupt(&info.name, "bad segment name in manifest")),
        };
        let seg: Segment = store::get_json(&self.store, &key)
            .await?
            .ok_or_else(|| corrupt(&key, "segment listed but missing"))?;
        Ok(seg.entries)
    }

    /// The object behind a segment key.
    pub fn key(&self, k: SegKey) -> object_store::path::Path {
        match k {
            SegKey::Chain(p) => store::chain_segment(&self.community, &self.epoch, p),
            SegKey::Merged(a, b) => store::merged_segment(&self.community, &self.epoch, a, b),
        }
    }

    /// Fold entries that continue the cache's log.
    fn fold(&self, cache: &mut Cache, entries: &[LogEntry]) -> store::Result<()> {
        let mut members_changed = false;
        let mut uptos = self.uptos.write().unwrap_or_else(|e| e.into_inner());
        for e in entries {
            if e.seq != cache.seq + 1 {
                return Err(corrupt(
                    &self.community,
                    format!("log seq {} follows {}", e.seq, cache.seq),
                ));
            }
            let wish = e.op.kind.wish().cloned();
            let open =
                |st: &State, w: &WishId| st.wishes.get(w).is_some_and(|x| !x.status.is_terminal());
            let was_open = wish.as_ref().is_some_and(|w| open(&cache.state, w));
            cache.state.apply(e);
            cache.seq = e.seq;
            let upto = uptos.entry(e.op.id.device.clone()).or_default();
            *upto = (*upto).max(e.op.id.seq);
            if let Some(w) = wish
                && was_open
                && !open(&cache.state, &w)
            {
                lock(&self.closed).push(w);
            }
            members_changed |= matches!(
                e.op.kind.action(),
                Some(
                    Action::CreateCommunity
                        | Action::AddMember
                        | Action::SetRole
                        | Action::RemoveMember
                )
            );
        }
        self.seq_tx.send_if_modified(|v| {
            let changed = *v != cache.seq;
            *v = cache.seq;
            changed
        });
        if members_changed {
            let view = cache
                .state
                .members
                .iter()
                .map(|(id, m)| {
                    (
                        id.clone(),
                        MemberView {
                            role: m.role,
                            active: m.active,
                        },
                    )
                })
                .collect();
            *self.members.write().unwrap_or_else(|e| e.into_inner()) = view;
        }
        Ok(())
    }

    /// Fold every chain segment other instances wrote after ours.
    async fn refresh(&self, cache: &mut Cache) -> store::Result<()> {
        let started = Instant::now();
        loop {
            let key = store::chain_segment(&self.community, &self.epoch, cache.pos + 1);
            let Some(seg) = store::get_json::<Segment>(&self.store, &key).await? else {
                *self.refreshed.lock().unwrap_or_else(|e| e.into_inner()) = Some(started);
                return Ok(());
            };
            let len = seg.entries.len() as u64;
            if seg.first_seq != cache.seq + 1
                || len == 0
                || seg.first_seq.checked_add(len - 1) != Some(seg.last_seq)
            {
                return Err(corrupt(&key, "segment does not continue the log"));
            }
            self.fold(cache, &seg.entries)?;
            cache.pos += 1;
            cache.chain.push(SegmentInfo {
                name: chain_name(&self.epoch, cache.pos),
                first_seq: seg.first_seq,
                last_seq: seg.last_seq,
            });
        }
    }

    /// The device's highest op seq this instance has folded (0: none).
    pub fn device_upto(&self, d: &DeviceId) -> u64 {
        self.uptos
            .read()
            .unwrap_or_else(|e| e.into_inner())
            .get(d)
            .copied()
            .unwrap_or(0)
    }

    /// The member's role and whether active, as of what this instance folded.
    pub fn member(&self, m: &MemberId) -> Option<MemberView> {
        self.members
            .read()
            .unwrap_or_else(|e| e.into_inner())
            .get(m)
            .copied()
    }

    /// Catch up with the store (other instances' appends).
    pub async fn sync(&self) -> store::Result<()> {
        let mut cache = self.cache.lock().await;
        self.refresh(&mut cache).await
    }

    /// Catch up unless a refresh began less than `max_age` ago.
    pub async fn sync_within(&self, max_age: Duration) -> store::Result<()> {
        let last = *self.refreshed.lock().unwrap_or_else(|e| e.into_inner());
        if last.is_some_and(|t| t.elapsed() < max_age) {
            return Ok(());
        }
        self.sync().await
    }

    /// Run `f` on the up-to-date state.
    pub async fn with_state<T>(&self, f: impl FnOnce(&State) -> T) -> store::Result<T> {
        let mut cache = self.cache.lock().await;
        self.refresh(&mut cache).await?;
        Ok(f(&cache.state))
    }

    /// The head: last seq, epoch, segments (with `last_seq > since`).
    pub async fn head(&self, since: u64) -> store::Result<Head> {
        let mut cache = self.cache.lock().await;
        self.refresh(&mut cache).await?;
        let segments = cache
            .manifest
            .segments
            .iter()
            .chain(cache.chain.iter())
            .filter(|s| s.last_seq > since)
            .cloned()
            .collect();
        Ok(Head {
            seq: cache.seq,
            epoch: self.epoch.clone(),
            segments,
        })
    }

    /// The log's seq as this instance last read it (`sync_within` first for
    /// a fresher one).
    pub fn seq_now(&self) -> u64 {
        *self.seq_tx.borrow()
    }

    /// Wait until the log is past `since` or `deadline` comes. Appends on
    /// this instance wake it at once; other instances' are found by a
    /// probe of the store at most every `WAIT_PROBE` (shared by all waiters).
    pub async fn wait_past(&self, since: u64, deadline: Instant) {
        let mut rx = self.seq_tx.subscribe();
        loop {
            if *rx.borrow_and_update() > since {
                return;
            }
            let now = Instant::now();
            if now >= deadline {
                return;
            }
            let tick = (deadline - now).min(WAIT_PROBE);
            tokio::select! {
                r = rx.changed() => if r.is_err() { return },
                _ = tokio::time::sleep(tick) => {
                    if let Err(e) = self.sync_within(WAIT_PROBE).await {
                        tracing::warn!(community = %self.community, "probe while waiting: {e}");
                        return;
                    }
                }
            }
        }
    }

    /// Append a device's ops (consecutive device seqs; checked by the caller).
    pub async fn push(
        self: &Arc<Self>,
        device: DeviceId,
        ops: Vec<Op>,
        bytes: usize,
    ) -> Result<Appended, AppendError> {
        self.submit(Work::Push { device, ops, bytes }).await
    }

    /// Append an endpoint-minted op unless its id is already in the log.
    pub async fn push_internal(self: &Arc<Self>, op: Op) -> Result<Appended, AppendError> {
        self.submit(Work::Internal(Box::new(op))).await
    }

    async fn submit(self: &Arc<Self>, work: Work) -> Result<Appended, AppendError> {
        let (reply, rx) = oneshot::channel();
        self.queue
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .push(Request { work, reply });
        // The flush runs in its own task so a client that hangs up cannot
        // cancel a write half-way for everyone in the batch.
        let this = self.clone();
        tokio::spawn(async move { this.flush().await });
        rx.await
            .unwrap_or_else(|_| Err(AppendError::Storage("append task ended".into())))
    }

    fn take_batch(&self) -> Vec<Request> {
        let mut q = self.queue.lock().unwrap_or_else(|e| e.into_inner());
        let (mut n, mut ops, mut bytes) = (0, 0, 0);
        for r in q.iter() {
            let (k, b) = match &r.work {
                Work::Push { ops, bytes, .. } => (ops.len(), *bytes),
                Work::Internal(_) => (1, 0),
            };
            if n > 0 && (ops + k > BATCH_OPS || bytes + b > BATCH_BYTES) {
                break;
            }
            ops += k;
            bytes += b;
            n += 1;
        }
        q.drain(..n).collect()
    }

    async fn flush(self: Arc<Self>) {
        let mut cache = self.cache.lock().await;
        loop {
            let batch = self.take_batch();
            if batch.is_empty() {
                break;
            }
            self.write_batch(&mut cache, batch).await;
        }
        let compact = cache.chain.len() >= COMPACT_AFTER;
        drop(cache);
        if compact && !self.compacting.swap(true, Ordering::AcqRel) {
            let this = self.clone();
            tokio::spawn(async move {
                if let Err(e) = this.compact().await {
                    tracing::warn!(community = %this.community, "compaction failed: {e}");
                }
                if let Err(e) = this.sweep_private().await {
                    tracing::warn!(community = %this.community, "contact record sweep failed: {e}");
                }
                this.compacting.store(false, Ordering::Release);
            });
        }
    }

    async fn write_batch(&self, cache: &mut Cache, batch: Vec<Request>) {
        let mut races = 0;
        loop {
            if let Err(e) = self.refresh(cache).await {
                return reply_all(batch, Err(AppendError::Storage(e.to_string())));
            }
            // Plan: what each request adds, given what the log holds now.
            let mut next = cache.seq + 1;
            let mut entries: Vec<LogEntry> = Vec::new();
            let mut upto: BTreeMap<&DeviceId, u64> = BTreeMap::new();
            let mut outcomes: Vec<(Result<u64, AppendError>, bool)> = Vec::new();
            for r in &batch {
                let out = match &r.work {
                    Work::Push { device, ops, .. } => {
                        let last = *upto
                            .entry(device)
                            .or_insert_with(|| cache.state.seen.get(device).map_or(0, |d| d.upto));
                        let fresh: Vec<&Op> = ops.iter().filter(|o| o.id.seq > last).collect();
                        match fresh.first() {
                            None => (Ok(last), false),
                            Some(first) if Some(first.id.seq) != last.checked_add(1) => (
                                Err(AppendError::Gap {
                                    expected: last.saturating_add(1),
                                }),
                                false,
                            ),
                            Some(_) => {
                                for op in fresh {
                                    entries.push(LogEntry {
                                        seq: next,
                                        op: op.clone(),
                                    });
                                    next += 1;
                                }
                                let through = ops.last().map_or(last, |o| o.id.seq);
                                upto.insert(device, through);
                                (Ok(through), true)
                            }
                        }
                    }
                    Work::Internal(op) => {
                        let dup =
                            cache.state.is_seen(&op.id) || entries.iter().any(|e| e.op.id == op.id);
                        if !dup {
                            entries.push(LogEntry {
                                seq: next,
                                op: (**op).clone(),
                            });
                            next += 1;
                        }
                        (Ok(op.id.seq), !dup)
                    }
                };
                outcomes.push(out);
            }
            if entries.is_empty() {
                let head = cache.seq;
                return reply_each(batch, outcomes, head);
            }
            let seg = Segment {
                first_seq: cache.seq + 1,
                last_seq: next - 1,
                entries,
            };
            let pos = cache.pos + 1;
            let key = store::chain_segment(&self.community, &self.epoch, pos);
            match store::create_or_same(&self.store, &key, store::to_json(&seg)).await {
                // Ours, also when a retried create found our own segment.
                Ok(true) => {
                    if let Err(e) = self.fold(cache, &seg.entries) {
                        // Our own segment does not fold: never expected;
                        // the next refresh starts over from the store.
                        tracing::error!("{e}");
                    }
                    cache.pos = pos;
                    cache.chain.push(SegmentInfo {
                        name: chain_name(&self.epoch, pos),
                        first_seq: seg.first_seq,
                        last_seq: seg.last_seq,
                    });
                    self.write_hint(cache);
                    let head = cache.seq;
                    return reply_each(batch, outcomes, head);
                }
                Ok(false) => {
                    // Another instance owns this position: fold it, replan.
                    races += 1;
                    if races >= MAX_RACES {
                        return reply_all(batch, Err(AppendError::Busy));
                    }
                }
                Err(e) => {
                    // Unknown whether it landed; requests that added ops
                    // must retry (and will be deduped if it did).
                    let msg = e.to_string();
                    for (r, (out, added)) in batch.into_iter().zip(outcomes) {
                        let res = if added {
                            Err(AppendError::Storage(msg.clone()))
                        } else {
                            out.map(|t| Appended {
                                accepted_through: t,
                                head: cache.seq,
                            })
                        };
                        let _ = r.reply.send(res);
                    }
                    return;
                }
            }
        }
    }

    /// Write the head hint now and then (every 8 appends); a hint only.
    fn write_hint(&self, cache: &mut Cache) {
        cache.since_hint += 1;
        if cache.since_hint < 8 {
            return;
        }
        cache.since_hint = 0;
        let hint = HeadHint {
            pos: cache.pos,
            seq: cache.seq,
            manifest: cache.manifest.n,
        };
        let store = self.store.clone();
        let key = store::head_hint(&self.community, &self.epoch);
        tokio::spawn(async move {
            let _ = store::overwrite_json(&store, &key, &hint).await;
        });
    }

    /// Merge chain segments (and a small last merged segment) into
    /// segments of `MERGED_ENTRIES`, then write manifest n+1. Everything is
    /// create-only; a merged segment's name fixes its content (a seq
    /// range of an immutable log), so an existing one is the same.
    pub async fn compact(&self) -> store::Result<()> {
        let (old, chain) = {
            let cache = self.cache.lock().await;
            (cache.manifest.clone(), cache.chain.clone())
        };
        let c = &self.community;
        // Someone may have compacted already.
        if let Some(m) =
            store::get_json::<Manifest>(&self.store, &store::manifest(c, &self.epoch, old.n + 1))
                .await?
        {
            self.install(m).await;
            return Ok(());
        }
        if chain.is_empty() {
            return Ok(());
        }
        let mut keep = old.segments.clone();
        let mut redo: Vec<SegmentInfo> = Vec::new();
        // A short last merged segment is merged again with what follows,
        // unless it is short because its entries are big.
        if let Some(last) = keep.last()
            && last.last_seq - last.first_seq + 1 < MERGED_ENTRIES
        {
            let size = match parse_name(&self.epoch, &last.name) {
                Some(k) => {
                    self.store
                        .head(&self.key(k))
                        .await
                        .map_err(StoreError::from)?
                        .size
                }
                None => return Err(corrupt(&last.name, "bad segment name in manifest")),
            };
            if size < (MERGED_BYTES / 2) as u64 {
                redo.extend(keep.pop());
            }
        }
        redo.extend(chain.iter().cloned());
        // Streamed: one source segment and one merged chunk in memory at a time.
        let mut chunk: Vec<LogEntry> = Vec::new();
        let mut chunk_bytes = 0;
        for s in &redo {
            for e in self.read_segment(s).await? {
                let size = store::to_json(&e).len();
                let full = chunk.len() as u64 >= MERGED_ENTRIES
                    || (!chunk.is_empty() && chunk_bytes + size > MERGED_BYTES);
                if full {
                    keep.push(self.write_merged(std::mem::take(&mut chunk)).await?);
                    chunk_bytes = 0;
                }
                chunk.push(e);
                chunk_bytes += size;
            }
        }
        if !chunk.is_empty() {
            keep.push(self.write_merged(chunk).await?);
        }
        let through = chain.last().map(|s| (s.name.clone(), s.last_seq));
        let Some((last_name, through_seq)) = through else {
            return Ok(());
        };
        let Some(SegKey::Chain(through_pos)) = parse_name(&self.epoch, &last_name) else {
            return Ok(());
        };
        let m = Manifest {
            n: old.n + 1,
            through_pos,
            through_seq,
            segments: keep,
        };
        let key = store::manifest(c, &self.epoch, m.n);
        if !store::create_json_or_same(&self.store, &key, &m).await? {
            // Lost the race: use the winner's manifest.
            match store::get_json::<Manifest>(&self.store, &key).await? {
                Some(w) => self.install(w).await,
                None => return Err(corrupt(&key, "manifest vanished")),
            }
        } else {
            self.install(m).await;
        }
        Ok(())
    }

    /// Write one merged segment, create-only: its name (a seq range of an
    /// immutable log) fixes its content, so an existing one is the same.
    async fn write_merged(&self, entries: Vec<LogEntry>) -> store::Result<SegmentInfo> {
        let (a, b) = match (entries.first(), entries.last()) {
            (Some(f), Some(l)) => (f.seq, l.seq),
            _ => return Err(corrupt(&self.community, "empty merged segment")),
        };
        let seg = Segment {
            first_seq: a,
            last_seq: b,
            entries,
        };
        let key = store::merged_segment(&self.community, &self.epoch, a, b);
        // Existing is fine: the same seq range of one log.
        store::create_or_same(&self.store, &key, store::to_json(&seg)).await?;
        Ok(SegmentInfo {
            name: merged_name(&self.epoch, a, b),
            first_seq: a,
            last_seq: b,
        })
    }

    async fn install(&self, m: Manifest) {
        let mut cache = self.cache.lock().await;
        if m.n <= cache.manifest.n || m.through_pos > cache.pos {
            // Older than ours, or ahead of what we folded (next time).
            return;
        }
        let through = m.through_pos;
        cache.chain.retain(
            |s| matches!(parse_name(&self.epoch, &s.name), Some(SegKey::Chain(p)) if p > through),
        );
        cache.manifest = m;
        let hint = HeadHint {
            pos: cache.pos,
            seq: cache.seq,
            manifest: cache.manifest.n,
        };
        let _ = store::overwrite_json(
            &self.store,
            &store::head_hint(&self.community, &self.epoch),
            &hint,
        )
        .await;
    }

    /// Delete the contact records of wishes closed since the last call
    /// (personal data lives only while the wish is open).
    pub async fn purge_closed(&self) {
        let wishes = std::mem::take(&mut *lock(&self.closed));
        for w in wishes {
            self.delete_private(&w).await;
        }
    }

    /// Delete one wish's contact record (gone already is fine).
    pub async fn delete_private(&self, w: &WishId) {
        let key = store::private_record(&self.community, w.as_str());
        match self.store.delete(&key).await {
            Ok(()) | Err(object_store::Error::NotFound { .. }) => {}
            Err(e) => tracing::warn!(community = %self.community, "deleting a contact record: {e}"),
        }
    }

    /// Delete every stored contact record whose wish is closed: catches what
    /// `purge_closed` missed (a crash, a record written on another instance
    /// as the wish closed). Returns how many it deleted.
    pub async fn sweep_private(&self) -> store::Result<usize> {
        let listed =
            store::list_flat(&self.store, &store::private_records(&self.community)).await?;
        let wishes: Vec<WishId> = listed
            .iter()
            .filter_map(|m| store::private_wish(&m.location))
            .collect();
        let closed: Vec<WishId> = self
            .with_state(|s| {
                wishes
                    .into_iter()
                    .filter(|w| s.wishes.get(w).is_some_and(|x| x.status.is_terminal()))
                    .collect()
            })
            .await?;
        for w in &closed {
            self.delete_private(w).await;
        }
        Ok(closed.len())
    }

    /// Number of chain segments after the manifest (for tests).
    pub async fn chain_len(&self) -> usize {
        self.cache.lock().await.chain.len()
    }
}

fn reply_all(batch: Vec<Request>, res: Result<Appended, AppendError>) {
    for r in batch {
        let _ = r.reply.send(res.clone());
    }
}

fn reply_each(batch: Vec<Request>, outcomes: Vec<(Result<u64, AppendError>, bool)>, head: u64) {
    for (r, (out, _)) in batch.into_iter().zip(outcomes) {
        let _ = r.reply.send(out.map(|t| Appended {
            accepted_through: t,
            head,
        }));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn segment_names_round_trip_and_reject_junk() {
        let e = "0123456789abcdef";
        assert_eq!(parse_name(e, &chain_name(e, 7)), Some(SegKey::Chain(7)));
        assert_eq!(
            parse_name(e, &merged_name(e, 1, 2000)),
            Some(SegKey::Merged(1, 2000))
        );
        for bad in [
            "",
            "0123456789abcdef",
            "0123456789abcdef-p",
            "0123456789abcdef-p0000000000",
            "0123456789abcdef-p00000000001",
            "0123456789abcdef-p../../etc",
            "ffffffffffffffff-p0000000001",
            "0123456789abcdef-m000000000009-000000000001",
            "0123456789abcdef-x0000000001",
        ] {
            assert_eq!(parse_name(e, bad), None, "{bad}");
        }
    }
}
