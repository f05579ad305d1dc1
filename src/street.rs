//! A street device (issue 19 §1; docs/street.md "The app"): a device that
//! joined with a street's code. The street's own log (its members and
//! name) is the app's replica as for any device (`AppState`, database
//! `linli`); each community linked to the street has a database of its own
//! (`Store::community`, `linli-c-{id}`, the same schema) with its own writer
//! — the street token's device id, seqs from 1 in each community log — and
//! outbox. This module holds those replicas in signals; pages read them and
//! call `dispatch`, and never touch IndexedDB or the network.
use leptos::prelude::*;
use linli_core::protocol::StreetInfo;
use linli_core::replica::{Replica, Writer};
use linli_core::street::{self, InboxRow};
use linli_core::{CommunityId, DeviceId, MemberId, OpKind, Outcome, State};

use crate::browser::now_ms;
use crate::state::{DispatchError, Replicated};
use crate::store::{Store, StoreError, keys, tabs};

/// How the last sync of one linked community went (shown on the street
/// pages: a failing community does not stop the others).
#[derive(Clone, Debug, PartialEq)]
pub enum LinkStatus {
    /// Not synced since the page loaded.
    Waiting,
    /// Synced at this time (ms).
    Synced(u64),
    /// The last round failed with this code (`offline`, an endpoint error
    /// code, `store_<code>`).
    Failed(String),
}

/// One community a street device reads.
#[derive(Clone)]
pub struct Linked {
    pub id: CommunityId,
    pub name: String,
    /// Its replica and the writer of this device's ops in its log.
    pub at: Replicated,
    pub status: RwSignal<LinkStatus>,
}

#[derive(Clone, Copy)]
pub struct StreetState {
    /// The street's name and communities, as last fetched (cached in the
    /// main database's meta `street_info`).
    pub info: RwSignal<Option<StreetInfo>>,
    /// The linked communities in `info`'s order (by name).
    pub linked: RwSignal<Vec<Linked>>,
    /// Whether `linked` holds every community's database as read at
    /// start-up; until then the inbox shows `cached`.
    pub ready: RwSignal<bool>,
    /// The inbox as last shown (meta `street_inbox`): what the inbox page
    /// paints while the communities' databases are read.
    pub cached: RwSignal<Vec<InboxRow>>,
}

impl Default for StreetState {
    fn default() -> Self {
        Self::new()
    }
}

impl StreetState {
    pub fn new() -> StreetState {
        StreetState {
            info: RwSignal::new(None),
            linked: RwSignal::new(Vec::new()),
            ready: RwSignal::new(false),
            cached: RwSignal::new(Vec::new()),
        }
    }

    /// The street's inbox (`street::inbox` over every linked community,
    /// pending answers included); the cached one until they are read.
    /// Tracks the replicas.
    pub fn inbox(&self) -> Vec<InboxRow> {
        if !self.ready.get() {
            return self.cached.get();
        }
        self.with_states(|names, states| {
            let pairs: Vec<(&CommunityId, &State)> = names
                .iter()
                .map(|(id, _)| id)
                .zip(states.iter().copied())
                .collect();
            street::inbox(&pairs)
        })
    }

    /// Runs `of` over every linked community's state (id, name, state), in
    /// the street's order; tracks them all.
    pub fn with_states<T>(&self, of: impl FnOnce(&[(CommunityId, String)], &[&State]) -> T) -> T {
        let linked = self.linked.get();
        let guards: Vec<_> = linked.iter().map(|c| c.at.replica.read()).collect();
        let states: Vec<&State> = guards.iter().map(|g| g.view()).collect();
        let names: Vec<(CommunityId, String)> = linked
            .iter()
            .map(|c| (c.id.clone(), c.name.clone()))
            .collect();
        of(&names, &states)
    }

    /// Keeps the inbox as it is now for the next start (after a load, a
    /// sync that changed something, an answer). A failure costs only the
    /// early paint.
    pub async fn remember(&self) {
        if !self.ready.get_untracked() {
            return;
        }
        let rows = untrack(|| self.inbox());
        self.cached.set(rows.clone());
        if let Ok(db) = Store::default_db().await {
            let _ = db.put_meta(keys::STREET_INBOX, &rows).await;
        }
    }

    /// The community `id`, if the street links it.
    pub fn find(&self, id: &CommunityId) -> Option<Linked> {
        self.linked
            .with_untracked(|l| l.iter().find(|c| &c.id == id).cloned())
    }

    /// Forgets everything (the device is no longer a street's).
    pub fn clear(&self) {
        self.info.set(None);
        self.linked.set(Vec::new());
        self.ready.set(false);
        self.cached.set(Vec::new());
    }

    /// Reads the cached street info and every linked community's database
    /// (start-up, another tab wrote). A community whose database fails
    /// shows the failure and an empty replica; the others load. Before the
    /// first load, the inbox last shown is painted from `cached` (reading
    /// and decoding every community's state takes seconds on a big street:
    /// BENCHMARKS "Street level").
    pub async fn reload(&self, device: &DeviceId, member: &MemberId) -> Result<(), StoreError> {
        let Some(info) = self.paint_cached().await? else {
            // Not fetched yet (a device that just joined): nothing to read;
            // the sync round fetches it and reloads.
            self.clear();
            self.ready.set(true);
            return Ok(());
        };
        // Every database is opened and read at once; only the decoding and
        // folding (CPU) take turns.
        let loads = futures::future::join_all(
            info.communities
                .iter()
                .map(|c| load_community(&c.id, device, member)),
        )
        .await;
        let mut list = Vec::new();
        for (c, loaded) in info.communities.iter().zip(loads) {
            let linked = self.find(&c.id).unwrap_or_else(|| Linked {
                id: c.id.clone(),
                name: c.name.clone(),
                at: Replicated {
                    replica: RwSignal::new(Replica::default()),
                    writer: StoredValue::new(None),
                },
                status: RwSignal::new(LinkStatus::Waiting),
            });
            let linked = Linked {
                name: c.name.clone(),
                ..linked
            };
            match loaded {
                Ok((replica, writer)) => {
                    linked.at.writer.set_value(Some(writer));
                    linked.at.replica.set(replica);
                }
                Err(e) => linked
                    .status
                    .set(LinkStatus::Failed(format!("store_{}", e.code()))),
            }
            list.push(linked);
        }
        self.info.set(Some(info));
        self.linked.set(list);
        let first = !self.ready.get_untracked();
        self.ready.set(true);
        self.remember().await;
        if first {
            // The sync round skips the communities until they are read.
            crate::sync::trigger();
        }
        Ok(())
    }

    /// The first half of `reload`: the cached street info, and before the
    /// first load the inbox last shown (`cached`, what `inbox` answers).
    pub async fn paint_cached(&self) -> Result<Option<StreetInfo>, StoreError> {
        let main = Store::default_db().await?;
        let info: Option<StreetInfo> = main.get_meta(keys::STREET_INFO).await?;
        if let Some(info) = &info
            && !self.ready.get_untracked()
        {
            let cached: Option<Vec<InboxRow>> =
                main.get_meta(keys::STREET_INBOX).await.ok().flatten();
            self.cached.set(cached.unwrap_or_default());
            self.info.set(Some(info.clone()));
        }
        Ok(info)
    }

    /// Loads one community again from its database (its log was reset).
    pub async fn reload_one(
        &self,
        id: &CommunityId,
        device: &DeviceId,
        member: &MemberId,
    ) -> Result<(), StoreError> {
        let Some(linked) = self.find(id) else {
            return Ok(());
        };
        let (replica, writer) = load_community(id, device, member).await?;
        linked.at.writer.set_value(Some(writer));
        linked.at.replica.set(replica);
        self.remember().await;
        Ok(())
    }

    /// Mints `kind` as this device's next op in community `id`'s log
    /// (authored by `member`, the street member), makes it durable in that
    /// community's outbox, then shows it; nothing is written or shown on
    /// an error. The sync round pushes it when online.
    pub async fn dispatch(
        &self,
        id: &CommunityId,
        member: MemberId,
        kind: OpKind,
    ) -> Result<Outcome, DispatchError> {
        let linked = self.find(id).ok_or(DispatchError::NotJoined)?;
        let mut writer = linked
            .at
            .writer
            .get_value()
            .ok_or(DispatchError::NotReady)?;
        let op = writer.mint(member, kind, now_ms())?;
        Store::community(id)
            .await?
            .append_local_all(std::slice::from_ref(&op), &writer, None, &[])
            .await?;
        linked.at.writer.set_value(Some(writer));
        let mut outcome = Outcome::Applied;
        linked.at.replica.update(|r| outcome = r.push_local(op));
        self.remember().await;
        tabs::announce_change();
        crate::sync::trigger();
        Ok(outcome)
    }
}

/// A community's database as a replica and its writer. The writer is the
/// street token's device with seqs from 1 in this log; a database holding
/// another device's writer (the device joined again) takes the new one,
/// with its unsynced ops minted again under it (nothing is lost).
async fn load_community(
    id: &CommunityId,
    device: &DeviceId,
    member: &MemberId,
) -> Result<(Replica, Writer), StoreError> {
    let store = Store::community(id).await?;
    let loaded = store.load().await?;
    let (writer, outbox) = match loaded.writer {
        Some(w) if &w.device == device => (w, loaded.outbox),
        held => {
            let mut writer = Writer::new(device.clone());
            if let Some(old) = held {
                writer.clock = old.clock;
            }
            let outbox: Vec<_> = loaded
                .outbox
                .into_iter()
                .filter_map(|op| writer.mint(member.clone(), op.kind, now_ms()).ok())
                .collect();
            store.adopt_writer(&writer, &outbox).await?;
            (writer, outbox)
        }
    };
    if loaded.replayed > SNAPSHOT_AFTER {
        // The next start replays only what follows (as the main database does).
        let state = loaded.confirmed.clone();
        leptos::task::spawn_local(async move {
            let _ = store.write_snapshot(&state).await;
        });
    }
    Ok((Replica::new(loaded.confirmed, outbox), writer))
}

/// Write a community's snapshot when loading it replayed more entries than this.
const SNAPSHOT_AFTER: usize = 500;
