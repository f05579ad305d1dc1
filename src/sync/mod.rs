//! The sync engine: in the tab that holds the sync lock, push the outbox,
//! pull new log segments, fold them in, and fetch the contact records this
//! member may see. Effects only; what the ops mean is linli-core's business.
use std::cell::RefCell;

use futures::FutureExt;
use futures::channel::oneshot;
use leptos::prelude::*;
use leptos::task::spawn_local;
use linli_core::model::Role;
use linli_core::protocol::{self, codes};
use linli_core::replica::Writer;
use linli_core::replica::{Replica, next_batch};
use linli_core::{Op, OpId, Outcome, VoidReason};

use crate::browser::now_ms;
use crate::state::{AppState, Replicated};
use crate::store::{Session, Store, StoreError, keys};

pub mod api;
mod photos;
pub mod status;
mod street;

use api::{ApiError, Client};

/// Poll for others' changes this often while all is well (the live channel
/// usually brings them sooner).
const POLL_MS: u32 = 30_000;
/// How long one live request waits for news (the endpoint allows 25 s).
const LISTEN_MS: u32 = 20_000;
/// Pause of the live channel after an error.
const LISTEN_RETRY_MS: u32 = 5_000;
/// How often the live channel looks whether it may start (a cheap local check).
const LISTEN_IDLE_MS: u32 = 500;
/// Backoff after failures: from this, doubling, up to `MAX_BACKOFF_MS`.
const FIRST_BACKOFF_MS: u32 = 2_000;
const MAX_BACKOFF_MS: u32 = 5 * 60_000;
/// Write a snapshot after pulling more entries than this.
const SNAPSHOT_AFTER: u64 = 500;

#[derive(Clone, Debug, PartialEq)]
pub enum Status {
    /// Nothing to do yet (not joined, or not the syncing tab).
    Idle,
    Offline,
    Syncing {
        done: u64,
        total: u64,
    },
    /// Up to date at the last round.
    Synced,
    /// The endpoint refused in a way only the user can fix (join again…).
    NeedsUser(String),
    /// Something failed; retried by itself.
    Failed(String),
}

/// A void op of this device, to tell its author what happened.
#[derive(Clone, Debug, PartialEq)]
pub struct Notice {
    pub op: OpId,
    pub reason: VoidReason,
}

#[derive(Clone, Copy)]
pub struct SyncState {
    pub status: RwSignal<Status>,
    pub last_synced: RwSignal<Option<u64>>,
    pub notices: RwSignal<Vec<Notice>>,
}

thread_local! {
    static WAKE: RefCell<Option<oneshot::Sender<()>>> = const { RefCell::new(None) };
    /// A trigger that came while no round was waiting: the next wait is skipped.
    static MISSED: std::cell::Cell<bool> = const { std::cell::Cell::new(false) };
}

/// Asks the engine for a round now (a local write, back online, focus, the
/// store loaded).
pub fn trigger() {
    match WAKE.with(|w| w.borrow_mut().take()) {
        Some(tx) => {
            let _ = tx.send(());
        }
        None => MISSED.with(|m| m.set(true)),
    }
}

pub fn use_sync() -> SyncState {
    expect_context::<SyncState>()
}

impl SyncState {
    pub fn provide() -> SyncState {
        let state = SyncState {
            status: RwSignal::new(Status::Idle),
            last_synced: RwSignal::new(None),
            notices: RwSignal::new(Vec::new()),
        };
        provide_context(state);
        state
    }

    /// Runs the engine for the life of the page (called in the lock holder).
    pub fn start(self, app: AppState) {
        let wake = |_| trigger();
        for event in ["online", "focus"] {
            window_event_listener_untyped(event, wake);
        }
        spawn_local(self.listen(app));
        spawn_local(self.listen_street(app));
        spawn_local(async move {
            let mut failures = 0u32;
            loop {
                let delay = match self.round(app).await {
                    Ok(()) => {
                        failures = 0;
                        POLL_MS
                    }
                    Err(()) => {
                        failures += 1;
                        backoff(failures)
                    }
                };
                wait(delay).await;
            }
        });
    }

    /// The live channel: while the last round went well, a long-polled
    /// head tells this tab as soon as the log moves, and a round pulls it.
    async fn listen(self, app: AppState) {
        loop {
            let online = web_sys::window().is_some_and(|w| w.navigator().on_line());
            let ready = online && self.status.get_untracked() == Status::Synced;
            let Some(session) = app.session.get_untracked().filter(|_| ready) else {
                sleep(LISTEN_IDLE_MS).await;
                continue;
            };
            let cursor = app.replica.with_untracked(|r| r.confirmed().seq);
            let client = Client {
                community: session.community.as_str(),
                token: &session.token,
            };
            match client.head_wait(cursor, LISTEN_MS).await {
                Ok(head) if head.seq > cursor => {
                    trigger();
                    // Let the round pull it before asking again.
                    for _ in 0..50 {
                        sleep(200).await;
                        if app.replica.with_untracked(|r| r.confirmed().seq) >= head.seq
                            || self.status.get_untracked() != Status::Synced
                        {
                            break;
                        }
                    }
                }
                Ok(_) => {}
                Err(_) => sleep(LISTEN_RETRY_MS).await,
            }
        }
    }

    async fn round(self, app: AppState) -> Result<(), ()> {
        let Some(session) = app.session.get_untracked() else {
            self.status.set(Status::Idle);
            return Ok(());
        };
        if !web_sys::window().is_some_and(|w| w.navigator().on_line()) {
            self.status.set(Status::Offline);
            return Err(());
        }
        match self.sync(app, &session).await {
            Ok(()) => {
                self.status.set(Status::Synced);
                self.last_synced.set(Some(now_ms()));
                Ok(())
            }
            Err(Failure::Api(ApiError::Offline)) => {
                self.status.set(Status::Offline);
                Err(())
            }
            Err(Failure::Api(e)) if e.is_transient() => {
                self.status.set(Status::Failed(e.code().to_owned()));
                Err(())
            }
            Err(Failure::Api(e)) => {
                self.status.set(Status::NeedsUser(e.code().to_owned()));
                Err(())
            }
            Err(Failure::Store(e)) => {
                self.status
                    .set(Status::Failed(format!("store_{}", e.code())));
                Err(())
            }
        }
    }

    async fn sync(self, app: AppState, session: &Session) -> Result<(), Failure> {
        let store = Store::default_db().await?;
        let client = Client {
            community: session.community.as_str(),
            token: &session.token,
        };
        let pushed = push(&store, &client).await?;
        if session.street {
            // A street's own log holds members only: no contact, care,
            // check-in or photo records; then its linked communities.
            if let Some(device) = app.device() {
                send_device_name(&store, &client, device.as_str()).await?;
            }
            let pulled = self.pull(app, &store, &client).await?;
            let linked = self.sync_street(app, session).await?;
            if pushed || pulled > 0 || linked {
                app.changed();
            }
            return Ok(());
        }
        upload_private(&store, &client).await?;
        upload_care(&store, &client).await?;
        let uploaded = photos::upload(app, &store, &client).await?;
        if let Some(device) = app.device() {
            send_device_name(&store, &client, device.as_str()).await?;
        }
        // A kiosk holds the kiosk view, never the log (docs/kiosk.md); a
        // device that joined as one learns it from the first segment.
        let pulled = if app.role_untracked() == Some(Role::Kiosk) {
            self.pull_kiosk(app, &store, &client).await?
        } else {
            match self.pull(app, &store, &client).await {
                Err(Failure::Api(ApiError::Api { detail, .. }))
                    if detail.code == codes::KIOSK_VIEW_ONLY =>
                {
                    self.pull_kiosk(app, &store, &client).await?
                }
                other => other?,
            }
        };
        // Contact details: exactly what the endpoint lets this member see now.
        let records = client.private().await?;
        let contacts_changed = store.replace_private(&records.records).await?;
        // Care records likewise: what care::may_see allows now, so a device
        // that lost a household (reassigned, closed, removed) drops it here.
        let care = client.care().await?;
        let care_changed = store
            .replace_care(&linli_core::care::items(&care.households, &care.notes))
            .await?;
        let checkin_changed = sync_checkin(app, &store, &client, session).await?;
        // Photos: exactly what photos::may_see allows now (thumbnails).
        let photos_changed = photos::settle(app, &store, &client).await? || uploaded;
        if pushed
            || pulled > 0
            || contacts_changed
            || care_changed
            || checkin_changed
            || photos_changed
        {
            app.changed();
        }
        Ok(())
    }

    /// Pulls this device's own community log into the app's replica.
    async fn pull(self, app: AppState, store: &Store, client: &Client<'_>) -> Result<u64, Failure> {
        match self
            .pull_into(app.replicated(), store, client, true)
            .await?
        {
            Pulled::Entries(n) => Ok(n),
            Pulled::Reset => {
                // The community's log was reset: the outbox is kept, pull again.
                app.reload().await;
                trigger();
                Ok(0)
            }
        }
    }

    /// Pulls segment by segment (a long-offline device never holds more than
    /// one in memory) from `client`'s community into `store` and folds each
    /// into `into`. `notify`: void ops of this device become notices (its
    /// own community; a street's linked communities show outcomes on their
    /// pages). Used for the device's community and for each community a
    /// street device reads (`sync::street`).
    pub(crate) async fn pull_into(
        self,
        into: Replicated,
        store: &Store,
        client: &Client<'_>,
        notify: bool,
    ) -> Result<Pulled, Failure> {
        let device = into
            .device()
            .ok_or(Failure::Store(StoreError::Failed("no writer".into())))?;
        let start = into.replica.with_untracked(|r| r.confirmed().seq);
        let head = client.head(start).await?;
        let stored_epoch: Option<String> = store.get_meta(keys::EPOCH).await?;
        match stored_epoch {
            Some(e) if e != head.epoch => {
                store.reset_log(&head.epoch).await?;
                return Ok(Pulled::Reset);
            }
            Some(_) => {}
            None => store.put_meta(keys::EPOCH, &head.epoch).await?,
        }
        let mut cursor = start;
        let total = head.seq.saturating_sub(start);
        let segments: Vec<_> = head.segments_after(start).collect();
        let mut next = match segments.first() {
            Some(seg) => Some(client.segment(&seg.name).await?),
            None => None,
        };
        for i in 0..segments.len() {
            let Some(segment) = next.take() else { break };
            if total > 0 {
                self.status.set(Status::Syncing {
                    done: cursor - start,
                    total,
                });
            }
            let entries: Vec<_> = segment
                .entries
                .into_iter()
                .filter(|e| e.seq > cursor)
                .collect();
            // The next segment downloads while this one is written: both
            // must succeed to go on. A failed write drops the download; a
            // failed download ends the round after this segment is folded
            // in (the next round starts from the cursor).
            let fetch_next = async {
                match segments.get(i + 1) {
                    Some(seg) => client.segment(&seg.name).await.map(Some),
                    None => Ok(None),
                }
            };
            let (stored, fetched) = if entries.is_empty() {
                (Ok(()), fetch_next.await)
            } else {
                futures::join!(store.append_log(&entries, Some(&device)), fetch_next)
            };
            stored?;
            if let Some(last) = entries.last().map(|e| e.seq) {
                if let Some(max) = entries.iter().map(|e| e.op.hlc).max() {
                    into.observe(max);
                }
                let mut mine = Vec::new();
                into.replica
                    .update(|r| mine = r.apply_pulled(&entries, &device));
                if notify {
                    let voids = mine.into_iter().filter_map(|(op, outcome)| match outcome {
                        Outcome::Void(reason) => Some(Notice { op, reason }),
                        Outcome::Applied | Outcome::Duplicate => None,
                    });
                    self.notices.update(|n| n.extend(voids));
                }
                cursor = last;
            }
            next = fetched?;
        }
        let pulled = cursor - start;
        if pulled > SNAPSHOT_AFTER {
            let state = into.replica.with_untracked(|r| r.confirmed().clone());
            store.write_snapshot(&state).await?;
        }
        Ok(Pulled::Entries(pulled))
    }
}

/// What a pull did.
pub(crate) enum Pulled {
    /// This many entries came in.
    Entries(u64),
    /// The log was reset (a new epoch): the pulled log is forgotten, the
    /// outbox kept; the replica must be loaded again from the store.
    Reset,
}

impl SyncState {
    /// A kiosk's pull: the kiosk view replaces the confirmed state (and the
    /// stored snapshot; the log stays empty), its pending ops go on top as
    /// usual. Returns 1 if anything changed.
    async fn pull_kiosk(
        self,
        app: AppState,
        store: &Store,
        client: &Client<'_>,
    ) -> Result<u64, Failure> {
        let device = app
            .device()
            .ok_or(Failure::Store(StoreError::Failed("no writer".into())))?;
        let view = client.kiosk().await?;
        let stored_epoch: Option<String> = store.get_meta(keys::EPOCH).await?;
        match stored_epoch {
            Some(e) if e == view.epoch => {}
            Some(_) => store.reset_log(&view.epoch).await?,
            None => store.put_meta(keys::EPOCH, &view.epoch).await?,
        }
        let state = view.state;
        store
            .write_kiosk_view(&state, &device, view.pin.as_deref())
            .await?;
        if app.replica.with_untracked(|r| *r.confirmed() == state) {
            return Ok(0);
        }
        app.observe(linli_core::Hlc {
            ms: state.clock,
            c: 0,
        });
        let voids: Vec<Notice> = app.replica.with_untracked(|r| {
            r.pending()
                .iter()
                .filter_map(|op| match state.outcome(&op.id) {
                    Some(Outcome::Void(reason)) => Some(Notice {
                        op: op.id.clone(),
                        reason,
                    }),
                    _ => None,
                })
                .collect()
        });
        self.notices.update(|n| n.extend(voids));
        app.replica
            .update(|r| *r = Replica::new(state, r.pending().to_vec()));
        Ok(1)
    }
}

pub(crate) enum Failure {
    Api(ApiError),
    Store(StoreError),
}

impl From<ApiError> for Failure {
    fn from(e: ApiError) -> Self {
        Failure::Api(e)
    }
}

impl From<StoreError> for Failure {
    fn from(e: StoreError) -> Self {
        Failure::Store(e)
    }
}

/// Pushes the outbox past the push cursor, in batches under the limits.
/// Returns whether anything was accepted.
pub(crate) async fn push(store: &Store, client: &Client<'_>) -> Result<bool, Failure> {
    let mut through: u64 = store.get_meta(keys::PUSHED_THROUGH).await?.unwrap_or(0);
    let outbox = store.outbox().await?;
    let start = through;
    loop {
        let batch = next_batch(&outbox, through);
        if batch.is_empty() {
            return Ok(through > start);
        }
        match client.push(batch).await {
            Ok(res) => through = res.accepted_through,
            Err(ApiError::Api { detail, .. }) if detail.code == codes::SEQ_GAP => {
                // Our cursor was ahead of the endpoint's: resend from there.
                through = detail.expected.unwrap_or(1).saturating_sub(1);
            }
            Err(e) => return Err(e.into()),
        }
        store.put_meta(keys::PUSHED_THROUGH, &through).await?;
        if next_batch(&outbox, through).first().map(|op| op.id.seq)
            == batch.first().map(|op| op.id.seq)
        {
            // No progress (the endpoint acknowledged less than we sent).
            return Ok(through > start);
        }
    }
}

/// Uploads the contact records typed here, once the endpoint has their
/// wish. A record the endpoint refuses for good (the wish closed, the
/// member may no longer write it) is dropped: nobody could ever read it.
async fn upload_private(store: &Store, client: &Client<'_>) -> Result<(), Failure> {
    for record in store.pending_private().await? {
        match client.put_private(&record).await {
            Ok(_) => {}
            // The create op is still in the outbox (a later batch): next round.
            Err(ApiError::Api { detail, .. }) if detail.code == codes::UNKNOWN_WISH => continue,
            Err(ApiError::Api { detail, .. })
                if [codes::WISH_CLOSED, codes::FORBIDDEN, codes::INVALID]
                    .contains(&detail.code.as_str()) => {}
            // Offline, or the token is no good: keep it, say so in the header.
            Err(e) => return Err(e.into()),
        }
        store.settle_private(&record).await?;
    }
    Ok(())
}

/// Uploads the care records typed here once the endpoint has the household
/// (or visit) they belong to; one refused for good is dropped, as contact
/// records are.
async fn upload_care(store: &Store, client: &Client<'_>) -> Result<(), Failure> {
    for item in store.pending_care().await? {
        match client.put_care(&item).await {
            Ok(_) => {}
            Err(ApiError::Api { detail, .. }) if detail.code == codes::UNKNOWN_HOUSEHOLD => {
                continue;
            }
            Err(ApiError::Api { detail, .. })
                if [codes::FORBIDDEN, codes::INVALID, codes::BAD_REQUEST]
                    .contains(&detail.code.as_str()) => {}
            Err(e) => return Err(e.into()),
        }
        store.settle_care(&item).await?;
    }
    Ok(())
}

/// Check-in records (issue 14): sends the keys made here and the member's
/// pass, then pulls the keys of the activities the member organises and,
/// on a kiosk, the passes of the members on today's rosters (nothing more:
/// the kiosk keeps no list of people beyond them). Returns whether the
/// records changed.
async fn sync_checkin(
    app: AppState,
    store: &Store,
    client: &Client<'_>,
    session: &Session,
) -> Result<bool, Failure> {
    let held = store.checkin().await?;
    let mut sent = Vec::new();
    for id in &held.unsent_keys {
        let Some(key) = held.keys.iter().find(|k| &k.activity == id) else {
            sent.push(id.clone());
            continue;
        };
        match client.put_activity_key(key).await {
            Ok(_) => sent.push(id.clone()),
            // The create op is still on its way: next round.
            Err(ApiError::Api { detail, .. }) if detail.code == codes::UNKNOWN_ACTIVITY => {}
            // Refused for good: keep it here (this device made it), stop sending.
            Err(ApiError::Api { detail, .. })
                if [
                    codes::FORBIDDEN,
                    codes::WRONG_KEY,
                    codes::KEY_RETIRED,
                    codes::BAD_REQUEST,
                ]
                .contains(&detail.code.as_str()) =>
            {
                sent.push(id.clone())
            }
            Err(e) => return Err(e.into()),
        }
    }
    let mut pass_sent = false;
    if let (Some(pass), true) = (&held.pass, held.pass_unsent) {
        match client.put_pass(pass).await {
            Ok(_) => pass_sent = true,
            Err(ApiError::Api { detail, .. })
                if [codes::FORBIDDEN, codes::INVALID, codes::BAD_REQUEST]
                    .contains(&detail.code.as_str()) =>
            {
                pass_sent = true
            }
            Err(e) => return Err(e.into()),
        }
    }
    let (organises, kiosk, today) = app.replica.with_untracked(|r| {
        let s = r.view();
        let me = s.members.get(&session.member);
        let organises = me.is_some_and(|m| {
            s.activities
                .values()
                .any(|a| linli_core::checkin::should_keep_key(s, &a.id) && s.organises(m, a))
        });
        let kiosk = me.is_some_and(|m| m.role == linli_core::model::Role::Kiosk);
        let today = linli_core::checkin::kiosk_members(s, now_ms());
        (organises, kiosk, today)
    });
    let pulled_keys = if organises {
        Some(client.activity_keys().await?.keys)
    } else {
        None
    };
    let passes = if kiosk {
        let all = client.passes().await?.passes;
        all.into_iter()
            .filter(|p| today.contains(&p.member))
            .collect()
    } else {
        Vec::new()
    };
    let ((), changed) = store
        .update_checkin(|c| {
            c.unsent_keys.retain(|id| !sent.contains(id));
            if pass_sent && c.pass.as_ref() == held.pass.as_ref() {
                c.pass_unsent = false;
            }
            if let Some(pulled) = pulled_keys {
                // What the endpoint hands over, plus what is still to be sent.
                let unsent: Vec<_> = c
                    .keys
                    .iter()
                    .filter(|k| c.unsent_keys.contains(&k.activity))
                    .cloned()
                    .collect();
                c.keys = pulled;
                for k in unsent {
                    if c.key(&k.activity).is_none() {
                        c.keys.push(k);
                    }
                }
            }
            c.passes = passes;
        })
        .await?;
    Ok(changed)
}

/// Sends this device's name (settings) when it changed since the endpoint
/// last took it. One the endpoint refuses for good is not sent again.
async fn send_device_name(store: &Store, client: &Client<'_>, device: &str) -> Result<(), Failure> {
    let name: String = store.get_meta(keys::DEVICE_NAME).await?.unwrap_or_default();
    let sent: Option<String> = store.get_meta(keys::DEVICE_NAME_SENT).await?;
    if sent.as_deref() == Some(name.as_str()) || (sent.is_none() && name.is_empty()) {
        return Ok(());
    }
    let req = protocol::DeviceName { name: name.clone() };
    match client.name_device(device, &req).await {
        Ok(_) => {}
        Err(ApiError::Api { detail, .. })
            if [codes::INVALID, codes::FORBIDDEN].contains(&detail.code.as_str()) => {}
        Err(e) => return Err(e.into()),
    }
    store.put_meta(keys::DEVICE_NAME_SENT, &name).await?;
    Ok(())
}

/// The wait after `failures` failed rounds in a row: 2 s doubling up to
/// 5 min, times `jitter` in 0..1 mapped to 50–150 %, so devices that lost
/// the network together do not come back in step.
fn backoff_ms(failures: u32, jitter: f64) -> u32 {
    let base = FIRST_BACKOFF_MS
        .saturating_mul(1 << (failures.clamp(1, 10) - 1))
        .min(MAX_BACKOFF_MS);
    (f64::from(base) * (0.5 + jitter.clamp(0.0, 1.0))) as u32
}

fn backoff(failures: u32) -> u32 {
    backoff_ms(failures, js_sys::Math::random())
}

async fn sleep(ms: u32) {
    gloo_timers::future::TimeoutFuture::new(ms).await;
}

/// Sleeps `ms`, or less if `trigger` is called.
async fn wait(ms: u32) {
    if MISSED.with(|m| m.replace(false)) {
        return;
    }
    let (tx, rx) = oneshot::channel();
    WAKE.with(|w| *w.borrow_mut() = Some(tx));
    let timer = gloo_timers::future::TimeoutFuture::new(ms).fuse();
    let woken = rx.fuse();
    futures::pin_mut!(timer, woken);
    futures::select! {
        _ = timer => {},
        _ = woken => {},
    }
}

#[derive(Clone, Debug, PartialEq, thiserror::Error)]
pub enum JoinError {
    #[error("{0}")]
    Api(String),
    #[error(transparent)]
    Store(#[from] StoreError),
    /// Unsynced changes of another community are on this device.
    #[error("this device has unsynced changes of another community")]
    OtherCommunity,
}

impl JoinError {
    /// What the user is told.
    pub fn text(&self) -> crate::status::Text {
        use crate::status::Text;
        match self {
            JoinError::Api(code) => {
                Text::code(&["join.error"], code, crate::i18n::k::SYNC_REASON_OTHER)
            }
            JoinError::Store(e) => e.text(),
            JoinError::OtherCommunity => Text::key(crate::i18n::k::JOIN_ERROR_OTHER_COMMUNITY),
        }
    }
}

/// Redeems a join code: this device becomes the endpoint's device for the
/// member. Unsynced ops of the same community are minted again under the
/// new device id, so nothing written offline is lost.
/// Redeems `code`; returns the place of a building poster's code (the wish
/// form opens there).
pub async fn join(
    app: AppState,
    code: &str,
    display_name: &str,
) -> Result<Option<linli_core::model::Place>, JoinError> {
    let res = api::join(code, display_name)
        .await
        .map_err(|e| JoinError::Api(e.code().to_owned()))?;
    let store = Store::default_db().await?;
    let loaded = store.load().await?;
    let same = loaded
        .session
        .as_ref()
        .is_some_and(|s| s.community == res.community);
    if !same && loaded.session.is_some() && !loaded.outbox.is_empty() {
        return Err(JoinError::OtherCommunity);
    }
    let clock = loaded.writer.map(|w| w.clock).unwrap_or_default();
    let mut writer = Writer {
        device: res.device.clone(),
        next_seq: 1,
        clock,
    };
    let outbox: Vec<Op> = loaded
        .outbox
        .into_iter()
        .filter_map(|op| writer.mint(res.member.clone(), op.kind, now_ms()).ok())
        .collect();
    let session = Session {
        community: res.community,
        member: res.member,
        token: res.token,
        street: res.street,
    };
    store
        .set_identity(&writer, &session, &outbox, !same)
        .await?;
    app.reload().await;
    app.changed();
    trigger();
    Ok(res.place)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn backoff_doubles_to_five_minutes_with_jitter() {
        let middle: Vec<u32> = (1..=12).map(|n| backoff_ms(n, 0.5)).collect();
        assert_eq!(&middle[..4], &[2_000, 4_000, 8_000, 16_000]);
        assert!(middle.windows(2).all(|w| w[0] <= w[1]));
        assert_eq!(backoff_ms(8, 0.5), 256_000);
        assert_eq!(backoff_ms(9, 0.5), MAX_BACKOFF_MS);
        assert_eq!(backoff_ms(100, 0.5), MAX_BACKOFF_MS);
        assert_eq!(backoff_ms(0, 0.5), FIRST_BACKOFF_MS);
        // 50–150 %.
        assert_eq!(backoff_ms(1, 0.0), 1_000);
        assert_eq!(backoff_ms(1, 1.0), 3_000);
        assert_eq!(backoff_ms(20, 1.0), MAX_BACKOFF_MS / 2 * 3);
    }

    #[test]
    fn backoff_jitter_stays_within_half_and_one_and_a_half_times() {
        for failures in 0..=40 {
            let base = backoff_ms(failures, 0.5);
            let mut last = 0;
            for step in 0..=20 {
                let jitter = f64::from(step) / 20.0;
                let wait = backoff_ms(failures, jitter);
                assert!(
                    wait >= base / 2 && wait <= base / 2 * 3,
                    "{failures} failures, jitter {jitter}: {wait} ms"
                );
                assert!(wait >= last, "more jitter never waits less");
                last = wait;
            }
        }
        // A jitter outside 0..1 is clamped, never a wait outside the bounds.
        assert_eq!(backoff_ms(3, -1.0), backoff_ms(3, 0.0));
        assert_eq!(backoff_ms(3, 7.0), backoff_ms(3, 1.0));
        assert_eq!(backoff_ms(u32::MAX, 1.0), MAX_BACKOFF_MS / 2 * 3);
    }
}
