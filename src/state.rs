//! The app's in-memory state: the device's replica (log ⊕ pending ops),
//! loaded from the store at start and kept in step with other tabs. Pages
//! read it through signals and change it only with `dispatch`.
use leptos::prelude::*;
use leptos::task::spawn_local;
use linli_core::private::ContactRecord;
use linli_core::replica::{Replica, Writer};
use linli_core::{OpKind, Outcome, ValidationError, WishId};

use crate::store::{Session, Store, StoreError, tabs};

/// Write a snapshot when start-up had to replay more entries than this.
const SNAPSHOT_AFTER: usize = 500;

#[derive(Clone, Debug, PartialEq)]
pub enum Load {
    Loading,
    Ready,
    Failed(StoreError),
}

#[derive(Clone, Debug, PartialEq, thiserror::Error)]
pub enum DispatchError {
    #[error("this device has not joined a community")]
    NotJoined,
    #[error("the store is not ready")]
    NotReady,
    #[error(transparent)]
    Invalid(#[from] ValidationError),
    #[error(transparent)]
    Store(#[from] StoreError),
}

impl DispatchError {
    /// Translation key name for the message (`locales/*.json`).
    pub fn key_name(&self) -> String {
        match self {
            DispatchError::NotJoined => "dispatch.error.not_joined".into(),
            DispatchError::NotReady => "dispatch.error.not_ready".into(),
            DispatchError::Invalid(e) => format!("validation.{}", e.code()),
            DispatchError::Store(e) => format!("store.error.{}", e.code()),
        }
    }
}

#[derive(Clone, Copy)]
pub struct AppState {
    pub replica: RwSignal<Replica>,
    pub session: RwSignal<Option<Session>>,
    pub load: RwSignal<Load>,
    /// This tab holds the sync lock.
    pub leader: RwSignal<bool>,
    /// Bumped whenever the store changed (here or in another tab), so
    /// pages that read other records (settings) read them again.
    pub revision: RwSignal<u64>,
    writer: StoredValue<Option<Writer>>,
}

impl AppState {
    /// Creates the state, loads it from the store and listens to other tabs.
    pub fn provide() -> AppState {
        let state = AppState {
            replica: RwSignal::new(Replica::default()),
            session: RwSignal::new(None),
            load: RwSignal::new(Load::Loading),
            leader: RwSignal::new(false),
            revision: RwSignal::new(0),
            writer: StoredValue::new(None),
        };
        provide_context(state);
        let sync = crate::sync::SyncState::provide();
        spawn_local(async move { state.reload().await });
        tabs::on_change(move || {
            spawn_local(async move { state.reload().await });
            // Another tab wrote: if this tab syncs, push it now.
            crate::sync::trigger();
        });
        tabs::request_leadership(move || {
            state.leader.set(true);
            sync.start(state);
        });
        state
    }

    /// The role of the member this device acts for (reactive).
    pub fn role(&self) -> Option<linli_core::model::Role> {
        let member = self
            .session
            .with(|s| s.as_ref().map(|s| s.member.clone()))?;
        self.replica
            .with(|r| r.view().members.get(&member).map(|m| m.role))
    }

    /// This device's id, once the store is loaded.
    pub fn device(&self) -> Option<linli_core::DeviceId> {
        self.writer
            .with_value(|w| w.as_ref().map(|w| w.device.clone()))
    }

    /// Lets the clock order this device's next op after a pulled stamp.
    pub fn observe(&self, remote: linli_core::Hlc) {
        self.writer.update_value(|w| {
            if let Some(w) = w {
                w.clock.observe(remote, now_ms());
            }
        });
    }

    /// Reads everything again from the store (start-up, another tab wrote).
    pub async fn reload(&self) {
        match load_all().await {
            Ok((replica, writer, session, replayed)) => {
                let snapshot = (replayed > SNAPSHOT_AFTER).then(|| replica.confirmed().clone());
                self.writer.set_value(Some(writer));
                self.session.set(session);
                self.replica.set(replica);
                self.load.set(Load::Ready);
                self.revision.update(|r| *r += 1);
                // The sync engine may have started before the session was read.
                crate::sync::trigger();
                if let Some(state) = snapshot {
                    // Background: the next start replays only what follows.
                    spawn_local(async move {
                        if let Ok(store) = Store::default_db().await {
                            let _ = store.write_snapshot(&state).await;
                        }
                    });
                }
                self.prune_private().await;
            }
            Err(e) => self.load.set(Load::Failed(e)),
        }
    }

    /// Mints `kind` as this device's next op, makes it durable in the
    /// outbox, then shows it. On any error nothing is written or shown.
    pub async fn dispatch(&self, kind: OpKind) -> Result<Outcome, DispatchError> {
        self.dispatch_with(kind, None).await
    }

    /// `dispatch`, keeping `contact` (typed with a new wish) in the private
    /// outbox in the same transaction; the sync engine uploads it once the
    /// endpoint has the wish.
    pub async fn dispatch_with(
        &self,
        kind: OpKind,
        contact: Option<ContactRecord>,
    ) -> Result<Outcome, DispatchError> {
        let session = self
            .session
            .get_untracked()
            .ok_or(DispatchError::NotJoined)?;
        let mut writer = self.writer.get_value().ok_or(DispatchError::NotReady)?;
        let op = writer.mint(session.member.clone(), kind, now_ms())?;
        Store::default_db()
            .await?
            .append_local_with(&op, &writer, contact.as_ref())
            .await?;
        self.writer.set_value(Some(writer));
        let mut outcome = Outcome::Applied;
        self.replica.update(|r| outcome = r.push_local(op));
        self.revision.update(|r| *r += 1);
        tabs::announce_change();
        crate::sync::trigger();
        Ok(outcome)
    }

    /// Tells the other tabs (and this one's pages) that the store changed.
    pub fn changed(&self) {
        self.revision.update(|r| *r += 1);
        tabs::announce_change();
    }

    /// Drops contact records this device may no longer keep (the wish
    /// closed, or the member lost access).
    async fn prune_private(&self) {
        let Ok(store) = Store::default_db().await else {
            return;
        };
        let Ok(records) = store.private_records().await else {
            return;
        };
        let member = self.session.get_untracked().map(|s| s.member);
        let stale: Vec<WishId> = self.replica.with_untracked(|r| {
            let state = r.view();
            records
                .iter()
                .filter(|c| {
                    !linli_core::private::should_keep(state, &c.wish)
                        || member
                            .as_ref()
                            .is_none_or(|m| !linli_core::private::may_see(state, m, &c.wish))
                })
                .map(|c| c.wish.clone())
                .collect()
        });
        let _ = store.drop_private(&stale).await;
    }
}

pub fn use_app() -> AppState {
    expect_context::<AppState>()
}

async fn load_all() -> Result<(Replica, Writer, Option<Session>, usize), StoreError> {
    let store = Store::default_db().await?;
    let loaded = store.load().await?;
    let writer = match loaded.writer {
        Some(w) => w,
        None => {
            // First start: this device gets its id, durable before any op.
            let w = Writer::new(new_device_id().into());
            store.put_meta(crate::store::keys::WRITER, &w).await?;
            w
        }
    };
    Ok((
        Replica::new(loaded.confirmed, loaded.outbox),
        writer,
        loaded.session,
        loaded.replayed,
    ))
}

pub fn now_ms() -> u64 {
    js_sys::Date::now() as u64
}

/// 128 random bits from the browser's CSPRNG, as hex.
fn new_device_id() -> String {
    let mut bytes = [0u8; 16];
    let filled = web_sys::window()
        .and_then(|w| w.crypto().ok())
        .map(|c| c.get_random_values_with_u8_array(&mut bytes).is_ok())
        .unwrap_or(false);
    if !filled {
        // No crypto (very old browser): time and Math.random still make a
        // collision within one community very unlikely.
        let seed =
            (js_sys::Date::now() as u64) ^ ((js_sys::Math::random() * u64::MAX as f64) as u64);
        bytes[..8].copy_from_slice(&seed.to_le_bytes());
        bytes[8..]
            .copy_from_slice(&((js_sys::Math::random() * u64::MAX as f64) as u64).to_le_bytes());
    }
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}
