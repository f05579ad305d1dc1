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
use linli_core::{CommunityId, DeviceId, MemberId, OpKind, Outcome};

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
    }

    /// Reads the cached street info and every linked community's database
    /// (start-up, another tab wrote). A community whose database fails
    /// shows the failure and an empty replica; the others load.
    pub async fn reload(&self, device: &DeviceId, member: &MemberId) -> Result<(), StoreError> {
        let info: Option<StreetInfo> = Store::default_db()
            .await?
            .get_meta(keys::STREET_INFO)
            .await?;
        let Some(info) = info else {
            self.clear();
            return Ok(());
        };
        let mut list = Vec::new();
        for c in &info.communities {
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
            match load_community(&c.id, device, member).await {
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
        Ok(())
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
