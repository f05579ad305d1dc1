//! The app's in-memory state: the device's replica (log ⊕ pending ops),
//! loaded from the store at start and kept in step with other tabs. Pages
//! read it through signals and change it only with `dispatch`.
use std::collections::BTreeMap;

use leptos::prelude::*;
use leptos::task::spawn_local;
use linli_core::care::CareItem;
use linli_core::private::ContactRecord;
use linli_core::replica::{Replica, Writer};
use linli_core::views::{self, FirstPage};
use linli_core::{DeviceId, OpId, OpKind, Outcome, ValidationError, WishId};

use crate::browser::{new_device_id, now_ms};
use crate::i18n::k;
use crate::status::{Status, Text};
pub use crate::store::photos::{LocalPhoto, PhotoUsage};
pub use crate::store::usage::Usage;
use crate::store::{
    Backup, ImportError, ImportReport, Session, Store, StoreError, keys, tabs, usage,
};
use crate::sync::api::{ApiError, Client};
use linli_core::protocol::{CodeList, CreateCodeRequest, CreateCodeResponse, DeviceList};

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
    #[error(transparent)]
    Care(linli_core::care::RecordError),
}

impl DispatchError {
    /// The device's storage is full (the write was refused whole).
    pub fn is_quota(&self) -> bool {
        matches!(self, DispatchError::Store(StoreError::Quota(_)))
    }

    /// What the user is told.
    pub fn status(&self) -> Status {
        match self {
            DispatchError::NotJoined => Status::failed(Text::key(k::DISPATCH_ERROR_NOT_JOINED)),
            DispatchError::NotReady => Status::failed(Text::key(k::DISPATCH_ERROR_NOT_READY)),
            DispatchError::Invalid(e) => Status::invalid(*e),
            DispatchError::Store(e) => Status::failed(e.text()),
            DispatchError::Care(e) => {
                Status::failed(Text::code(&["care.error"], e.code(), k::SYNC_REASON_OTHER))
            }
        }
    }
}

/// A replica and the writer that mints its ops: the device's own community
/// (`AppState`) or one a street device reads (`street::Linked`).
#[derive(Clone, Copy)]
pub struct Replicated {
    pub replica: RwSignal<Replica>,
    pub writer: StoredValue<Option<Writer>>,
}

impl Replicated {
    /// The device id its ops carry, once loaded.
    pub fn device(&self) -> Option<DeviceId> {
        self.writer
            .with_value(|w| w.as_ref().map(|w| w.device.clone()))
    }

    /// Lets the clock order the next op after a pulled stamp.
    pub fn observe(&self, remote: linli_core::Hlc) {
        self.writer.update_value(|w| {
            if let Some(w) = w {
                w.clock.observe(remote, now_ms());
            }
        });
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
    /// A kiosk left kiosk mode with its PIN (in memory only: a reload, the
    /// idle reset included, locks it again).
    pub kiosk_unlocked: RwSignal<bool>,
    /// A street device's linked communities (`crate::street`); empty on
    /// every other device.
    pub street: crate::street::StreetState,
    /// Until the first load ends: the wishes page this device showed last
    /// (`Store::first_page`), painted while the state is read and decoded
    /// (a 15 MB snapshot takes ~0.3 s: BENCHMARKS "Issue 18").
    pub early: RwSignal<Option<FirstPage>>,
    writer: StoredValue<Option<Writer>>,
    /// The wishes page last kept, so an unchanged one is not written again.
    kept: StoredValue<Option<FirstPage>>,
}

/// Why a kiosk PIN was not taken.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum PinRefusal {
    /// Too many wrong PINs: the next try is taken in this many seconds.
    Wait(u64),
    /// Wrong PIN; the next one waits this many seconds (0: at once).
    Wrong(u64),
    /// The store could not be read or written.
    Store,
}

/// Wrong kiosk PINs in a row and when the last was typed (IndexedDB meta
/// `kiosk_fails`, so a reload does not reset the wait).
#[derive(Clone, Copy, Debug, Default, serde::Serialize, serde::Deserialize)]
struct KioskFails {
    n: u32,
    at_ms: u64,
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
            kiosk_unlocked: RwSignal::new(false),
            street: crate::street::StreetState::new(),
            early: RwSignal::new(None),
            writer: StoredValue::new(None),
            kept: StoredValue::new(None),
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
            spawn_local(crate::lazy_pages::start_sync(sync, state));
        });
        state
    }

    /// The role of the member this device acts for, without tracking.
    pub fn role_untracked(&self) -> Option<linli_core::model::Role> {
        let member = self
            .session
            .with_untracked(|s| s.as_ref().map(|s| s.member.clone()))?;
        self.replica
            .with_untracked(|r| r.view().members.get(&member).map(|m| m.role))
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
        self.replicated().observe(remote);
    }

    /// The device's own community: its replica and writer (what a pull
    /// folds into).
    pub fn replicated(&self) -> Replicated {
        Replicated {
            replica: self.replica,
            writer: self.writer,
        }
    }

    /// Reads everything again from the store (start-up, another tab wrote).
    pub async fn reload(&self) {
        if self.load.get_untracked() == Load::Loading
            && let Ok(store) = Store::default_db().await
            && let Ok(Some(page)) = store.first_page().await
        {
            // Painted while `load_all` waits for the snapshot.
            self.early.set(Some(page));
        }
        match load_all().await {
            Ok((replica, writer, session, replayed)) => {
                let snapshot = (replayed > SNAPSHOT_AFTER).then(|| replica.confirmed().clone());
                let street = session
                    .as_ref()
                    .filter(|s| s.street)
                    .map(|s| (writer.device.clone(), s.member.clone()));
                if street.is_none() {
                    self.street.clear();
                }
                self.writer.set_value(Some(writer));
                crate::landing::remember_joined(session.is_some());
                self.session.set(session);
                self.replica.set(replica);
                self.load.set(Load::Ready);
                self.early.set(None);
                self.revision.update(|r| *r += 1);
                // The sync engine may have started before the session was read.
                crate::sync::trigger();
                // A street device: its linked communities' databases too,
                // after the pages can paint (the inbox from its cache).
                if let Some((device, member)) = street
                    && let Err(e) = self.street.reload(&device, &member).await
                {
                    self.load.set(Load::Failed(e));
                    return;
                }
                if let Some(state) = snapshot {
                    // Background: the next start replays only what follows.
                    spawn_local(async move {
                        if let Ok(store) = Store::default_db().await {
                            let _ = store.write_snapshot(&state).await;
                        }
                    });
                }
                self.prune_private().await;
                // After the pages painted: the next start paints this.
                let app = *self;
                spawn_local(async move {
                    gloo_timers::future::TimeoutFuture::new(1_000).await;
                    app.remember_first_page(None).await;
                });
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
        let outcomes = self.dispatch_all(vec![kind], contact).await?;
        Ok(outcomes.first().map_or(Outcome::Applied, |(_, o)| *o))
    }

    /// Mints `kinds` in turn as this device's next ops and makes them all
    /// durable in one transaction (all or none), then shows them. Each is
    /// checked before any is written. Returns each op's id and outcome.
    pub async fn dispatch_all(
        &self,
        kinds: Vec<OpKind>,
        contact: Option<ContactRecord>,
    ) -> Result<Vec<(OpId, Outcome)>, DispatchError> {
        self.dispatch_care(kinds, contact, Vec::new()).await
    }

    /// `dispatch_all`, keeping care records typed with the ops (a new
    /// household's name and phone, a visit's note) in the care outbox in the
    /// same transaction.
    pub async fn dispatch_care(
        &self,
        kinds: Vec<OpKind>,
        contact: Option<ContactRecord>,
        care: Vec<CareItem>,
    ) -> Result<Vec<(OpId, Outcome)>, DispatchError> {
        self.dispatch_full(kinds, contact, care, Vec::new()).await
    }

    /// `dispatch_care`, keeping the photos an `attach_photos` op names in
    /// the photo outbox in the same transaction (the op and its photos, or
    /// neither); the sync engine uploads them once the log has the op.
    pub async fn dispatch_full(
        &self,
        kinds: Vec<OpKind>,
        contact: Option<ContactRecord>,
        care: Vec<CareItem>,
        photos: Vec<crate::store::photos::LocalPhoto>,
    ) -> Result<Vec<(OpId, Outcome)>, DispatchError> {
        for item in &care {
            item.validate().map_err(DispatchError::Care)?;
        }
        let session = self
            .session
            .get_untracked()
            .ok_or(DispatchError::NotJoined)?;
        let mut writer = self.writer.get_value().ok_or(DispatchError::NotReady)?;
        let ops = kinds
            .into_iter()
            .map(|kind| writer.mint(session.member.clone(), kind, now_ms()))
            .collect::<Result<Vec<_>, _>>()?;
        Store::default_db()
            .await?
            .append_local_full(&ops, &writer, contact.as_ref(), &care, &photos)
            .await?;
        self.writer.set_value(Some(writer));
        let mut outcomes = Vec::new();
        self.replica.update(|r| {
            outcomes = ops
                .into_iter()
                .map(|op| (op.id.clone(), r.push_local(op)))
                .collect()
        });
        self.revision.update(|r| *r += 1);
        tabs::announce_change();
        crate::sync::trigger();
        Ok(outcomes)
    }

    /// A street device: mints `kind` as its next op in the log of linked
    /// community `community` (`StreetState::dispatch`), authored by the
    /// street member this device acts for.
    pub async fn dispatch_street(
        &self,
        community: &linli_core::CommunityId,
        kind: OpKind,
    ) -> Result<Outcome, DispatchError> {
        let session = self
            .session
            .get_untracked()
            .filter(|s| s.street)
            .ok_or(DispatchError::NotJoined)?;
        let outcome = self
            .street
            .dispatch(community, session.member, kind)
            .await?;
        self.revision.update(|r| *r += 1);
        Ok(outcome)
    }

    /// Whether this device joined with a street's code (reactive).
    pub fn is_street(&self) -> bool {
        self.session.with(|s| s.as_ref().is_some_and(|s| s.street))
    }

    /// The care records (household details, visit notes) this device holds:
    /// what the endpoint last handed it and what was typed here and not yet
    /// uploaded. The endpoint decides who gets them (`care::may_see`).
    pub async fn care_items(&self) -> Vec<CareItem> {
        match Store::default_db().await {
            Ok(store) => store.care_items().await.unwrap_or_default(),
            Err(_) => Vec::new(),
        }
    }

    /// The contact record of `wish` this device holds (pulled, or typed here
    /// and not yet uploaded), if any. Whether the member may see it is
    /// `private::may_see`'s to say.
    pub async fn contact(&self, wish: WishId) -> Option<ContactRecord> {
        let store = Store::default_db().await.ok()?;
        let records = store.private_records().await.ok()?;
        records.into_iter().find(|c| c.wish == wish)
    }

    /// Keeps the check-in key K of `activity` on this device (made here when
    /// the activity was created, or typed by an organiser) and queues it for
    /// the endpoint, which hands it to the activity's other organisers
    /// (`checkin::may_hold_key`). K never goes into the log while it matters.
    pub async fn remember_activity_key(
        &self,
        activity: &linli_core::ActivityId,
        key: &str,
    ) -> Result<(), StoreError> {
        let key = linli_core::checkin::normalize_key(key)
            .ok_or_else(|| StoreError::Failed("not an activity key".into()))?;
        Store::default_db()
            .await?
            .update_checkin(|c| c.remember(activity, key))
            .await?;
        self.changed();
        crate::sync::trigger();
        Ok(())
    }

    /// The check-in key of `activity` this device holds (made here or pulled
    /// from the endpoint), if any, and only if it matches the activity's
    /// commitment. A demo community's keys are derived from the id
    /// (`demo::activity_key`, public by design).
    pub async fn activity_key(&self, activity: &linli_core::ActivityId) -> Option<String> {
        let check = self
            .replica
            .with_untracked(|r| r.view().activities.get(activity).map(|a| a.check.clone()))?;
        let held = match Store::default_db().await {
            Ok(store) => store
                .checkin()
                .await
                .ok()
                .and_then(|c| c.key(activity).map(str::to_owned)),
            Err(_) => None,
        };
        let demo = linli_core::demo::activity_key(activity);
        held.into_iter()
            .chain([demo])
            .find(|k| linli_core::checkin::key_matches(activity, &check, k))
    }

    /// The member's badge token (their personal QR) and whether a PIN is set,
    /// making and queueing a pass with a new badge the first time.
    pub async fn member_badge(&self) -> Result<(String, bool), StoreError> {
        let member = self
            .session
            .get_untracked()
            .map(|s| s.member)
            .ok_or_else(|| StoreError::Failed("not joined".into()))?;
        let store = Store::default_db().await?;
        let fresh_badge = crate::browser::random_token();
        let fresh_salt = crate::browser::random_token();
        let ((badge, pin), changed) = store
            .update_checkin(|c| {
                let mine = c.pass.as_ref().is_some_and(|p| p.member == member);
                if c.badge.is_empty() || !mine {
                    c.badge = fresh_badge;
                    c.pass = linli_core::checkin::MemberPass::new(
                        member.clone(),
                        fresh_salt,
                        "",
                        &c.badge,
                    )
                    .ok();
                    c.pass_unsent = true;
                }
                let pin = c.pass.as_ref().is_some_and(|p| !p.pin.is_empty());
                (c.badge.clone(), pin)
            })
            .await?;
        if changed {
            self.changed();
            crate::sync::trigger();
        }
        Ok((badge, pin))
    }

    /// Sets the member's kiosk PIN (`checkin::valid_pin`): only its salted
    /// hash leaves the device, in the pass with the badge's.
    pub async fn set_kiosk_pin(&self, pin: &str) -> Result<(), Status> {
        if !linli_core::checkin::valid_pin(pin) {
            return Err(Status::failed(Text::key(k::PASS_PIN_BAD)));
        }
        let (badge, _) = self
            .member_badge()
            .await
            .map_err(|e| Status::failed(e.text()))?;
        let member = self.session.get_untracked().map(|s| s.member);
        let Some(member) = member else {
            return Err(DispatchError::NotJoined.status());
        };
        let pass = linli_core::checkin::MemberPass::new(
            member,
            crate::browser::random_token(),
            pin,
            &badge,
        )
        .map_err(|_| Status::failed(Text::key(k::PASS_PIN_BAD)))?;
        Store::default_db()
            .await
            .map_err(|e| Status::failed(e.text()))?
            .update_checkin(|c| {
                c.pass = Some(pass);
                c.pass_unsent = true;
            })
            .await
            .map_err(|e| Status::failed(e.text()))?;
        self.changed();
        crate::sync::trigger();
        Ok(())
    }

    /// The pass of `member` whose QR a kiosk just read: asked of the endpoint
    /// while online (a walk-in is on no roster yet), else from the passes of
    /// today's rosters pulled in the last sync round.
    pub async fn kiosk_pass(
        &self,
        member: &linli_core::MemberId,
    ) -> Option<linli_core::checkin::MemberPass> {
        let id = member.as_str().to_owned();
        if let Ok(p) = self.client(async |c| c.pass(&id).await).await {
            return Some(p);
        }
        let store = Store::default_db().await.ok()?;
        let held = store.checkin().await.ok()?;
        held.passes.into_iter().find(|p| &p.member == member)
    }

    /// The passes a kiosk holds (today's rosters), fetched again first when
    /// online so a pass set a minute ago works.
    pub async fn kiosk_passes(&self) -> Vec<linli_core::checkin::MemberPass> {
        if let Ok(list) = self.client(async |c| c.passes().await).await {
            let today = self
                .replica
                .with_untracked(|r| linli_core::checkin::kiosk_members(r.view(), now_ms()));
            return list
                .passes
                .into_iter()
                .filter(|p| today.contains(&p.member))
                .collect();
        }
        match Store::default_db().await {
            Ok(store) => store.checkin().await.map(|c| c.passes).unwrap_or_default(),
            Err(_) => Vec::new(),
        }
    }

    /// This device's name (settings), as stored.
    pub async fn device_name(&self) -> Result<String, StoreError> {
        let name: Option<String> = Store::default_db()
            .await?
            .get_meta(keys::DEVICE_NAME)
            .await?;
        Ok(name.unwrap_or_default())
    }

    /// Stores this device's name and tells the other tabs.
    pub async fn set_device_name(&self, name: &str) -> Result<(), StoreError> {
        Store::default_db()
            .await?
            .put_meta(keys::DEVICE_NAME, &name)
            .await?;
        self.changed();
        // The endpoint hears of it in the next round (now, if online).
        crate::sync::trigger();
        Ok(())
    }

    /// Everything this device holds, as a backup (`store::backup`).
    pub async fn export_backup(&self) -> Result<Backup, StoreError> {
        Store::default_db().await?.export().await
    }

    /// Merges a backup file into the store, then reads everything again.
    pub async fn import_backup(&self, text: &str) -> Result<ImportReport, ImportError> {
        let backup = Backup::parse(text)?;
        let report = Store::default_db().await?.import(&backup).await?;
        self.reload().await;
        self.changed();
        Ok(report)
    }

    /// The endpoint client of this device's session (coordinators' calls).
    fn client<T>(
        &self,
        call: impl AsyncFnOnce(&Client<'_>) -> Result<T, ApiError>,
    ) -> impl Future<Output = Result<T, ApiError>> {
        let session = self.session.get_untracked();
        async move {
            // Not joined: there is no endpoint to reach.
            let s = session.ok_or(ApiError::Offline)?;
            let client = Client {
                community: s.community.as_str(),
                token: &s.token,
            };
            call(&client).await
        }
    }

    /// Redeems a join code: this device becomes the member's (`sync::join`).
    pub async fn join(
        &self,
        code: &str,
        display_name: &str,
    ) -> Result<Option<linli_core::model::Place>, crate::sync::JoinError> {
        crate::sync::join(*self, code, display_name).await
    }

    /// The ready-made identities of a demo server, if this is one.
    pub async fn demo(&self) -> Option<linli_core::protocol::Demo> {
        crate::sync::api::demo().await.ok()
    }

    /// The community's join codes and devices (coordinators).
    pub async fn invitations(&self) -> Result<(CodeList, DeviceList), Status> {
        self.client(async |c| Ok((c.codes().await?, c.devices().await?)))
            .await
            .map_err(|e| invite_failed(&e))
    }

    /// Names of the community's devices, for a coordinator online (the
    /// device list); empty for everyone else or offline. Unnamed devices
    /// are left out.
    pub async fn device_names(&self) -> BTreeMap<DeviceId, String> {
        if self.role_untracked() != Some(linli_core::model::Role::Coordinator) {
            return BTreeMap::new();
        }
        let list = self.client(async |c| c.devices().await).await;
        list.map(|l| {
            l.devices
                .into_iter()
                .filter(|d| !d.name.is_empty())
                .map(|d| (d.device, d.name))
                .collect()
        })
        .unwrap_or_default()
    }

    /// A new join code (coordinators).
    pub async fn create_code(&self, req: CreateCodeRequest) -> Result<CreateCodeResponse, Status> {
        self.client(async |c| c.create_code(&req).await)
            .await
            .map_err(|e| invite_failed(&e))
    }

    /// Sets the PIN that leaves kiosk mode (coordinators; the endpoint keeps
    /// a salted hash and hands it to kiosks).
    pub async fn set_kiosk_leave_pin(&self, pin: String) -> Result<(), Status> {
        self.client(async |c| c.set_kiosk_pin(&pin).await.map(drop))
            .await
            .map_err(|e| invite_failed(&e))
    }

    /// A kiosk leaves kiosk mode with the coordinator's PIN, checked here
    /// offline against the hash the kiosk view brought. Wrong PINs wait
    /// longer and longer (`kiosk::pin_wait_ms`), counted in IndexedDB. With
    /// no PIN set yet, leaving is open (a tablet being set up).
    pub async fn leave_kiosk(&self, pin: &str) -> Result<(), PinRefusal> {
        use linli_core::kiosk;
        let store = Store::default_db().await.map_err(|_| PinRefusal::Store)?;
        let stored: Option<String> = store
            .get_meta(keys::KIOSK_PIN)
            .await
            .map_err(|_| PinRefusal::Store)?;
        let fails: KioskFails = store
            .get_meta(keys::KIOSK_FAILS)
            .await
            .map_err(|_| PinRefusal::Store)?
            .unwrap_or_default();
        let now = now_ms();
        let ready_at = fails.at_ms.saturating_add(kiosk::pin_wait_ms(fails.n));
        if now < ready_at {
            return Err(PinRefusal::Wait((ready_at - now).div_ceil(1000)));
        }
        if stored.as_deref().is_none_or(|h| kiosk::pin_matches(h, pin)) {
            let _ = store
                .put_meta(keys::KIOSK_FAILS, &KioskFails::default())
                .await;
            self.kiosk_unlocked.set(true);
            return Ok(());
        }
        let n = fails.n.saturating_add(1);
        store
            .put_meta(keys::KIOSK_FAILS, &KioskFails { n, at_ms: now })
            .await
            .map_err(|_| PinRefusal::Store)?;
        Err(PinRefusal::Wrong(kiosk::pin_wait_ms(n).div_ceil(1000)))
    }

    /// Whether this kiosk has a PIN from its coordinator yet.
    pub async fn kiosk_has_pin(&self) -> bool {
        let Ok(store) = Store::default_db().await else {
            return false;
        };
        matches!(store.get_meta::<String>(keys::KIOSK_PIN).await, Ok(Some(_)))
    }

    /// Withdraws a join code (`device` false) or removes a device (true).
    pub async fn revoke(&self, device: bool, id: String) -> Result<(), Status> {
        self.client(async |c| {
            if device {
                c.revoke_device(&id).await.map(drop)
            } else {
                c.revoke_code(&id).await.map(drop)
            }
        })
        .await
        .map_err(|e| invite_failed(&e))
    }

    /// The community's Open311 API keys (coordinators, online).
    pub async fn open311_keys(&self) -> Result<linli_core::open311::KeyList, Status> {
        self.client(async |c| c.open311_keys().await)
            .await
            .map_err(|e| invite_failed(&e))
    }

    /// A new Open311 API key named `name`; the key is in the answer only.
    pub async fn create_open311_key(
        &self,
        name: String,
    ) -> Result<linli_core::open311::KeyCreated, Status> {
        self.client(async |c| c.create_open311_key(&name).await)
            .await
            .map_err(|e| invite_failed(&e))
    }

    /// Revokes an Open311 API key.
    pub async fn revoke_open311_key(&self, key_id: String) -> Result<(), Status> {
        self.client(async |c| c.revoke_open311_key(&key_id).await.map(drop))
            .await
            .map_err(|e| invite_failed(&e))
    }

    /// Storage use and persistence of this origin.
    pub async fn storage_usage(&self) -> Usage {
        usage::read().await
    }

    /// The photos this device holds: count, bytes, waiting to upload.
    pub async fn photo_usage(&self) -> PhotoUsage {
        match Store::default_db().await {
            Ok(s) => s.photo_usage().await.unwrap_or_default(),
            Err(_) => PhotoUsage::default(),
        }
    }

    /// A photo (full size or thumbnail) this device holds, if it does.
    pub async fn held_photo(&self, sha: &str) -> Option<LocalPhoto> {
        let store = Store::default_db().await.ok()?;
        store.photo(sha).await.ok().flatten()
    }

    /// A photo at full size: held, else fetched from the endpoint (checked
    /// against its hash) and kept for next time — under storage pressure
    /// simply not kept.
    pub async fn full_photo(&self, sha: &str) -> Result<LocalPhoto, ()> {
        if let Some(p) = self.held_photo(sha).await {
            return Ok(p);
        }
        let wish = self
            .replica
            .with_untracked(|r| linli_core::photos::find(r.view(), sha).map(|(w, _, _)| w.clone()));
        let session = self.session.get_untracked().ok_or(())?;
        let client = Client {
            community: session.community.as_str(),
            token: &session.token,
        };
        let (bytes, mime) = client.photo(sha).await.map_err(drop)?;
        if linli_core::photos::sha256_hex(&bytes) != sha {
            return Err(());
        }
        let p = LocalPhoto {
            sha: sha.to_owned(),
            wish: wish.ok_or(())?,
            mime,
            bytes,
        };
        if let Ok(store) = Store::default_db().await {
            let _ = store.put_photo(&p).await;
        }
        Ok(p)
    }

    /// Asks the browser to keep this origin's data.
    pub async fn persist_storage(&self) -> bool {
        usage::persist().await
    }

    /// Keeps the wishes page as it opens (`views::first_page`, or `shown`
    /// when the page just showed it) for the next start to paint, unless it
    /// is what was kept already. A failure costs only the early paint.
    pub async fn remember_first_page(&self, shown: Option<FirstPage>) {
        let Some(member) = self
            .session
            .with_untracked(|s| s.as_ref().filter(|s| !s.street).map(|s| s.member.clone()))
        else {
            return;
        };
        let Some(role) = self.role_untracked() else {
            return;
        };
        if !linli_core::permissions::sees_lists(role) {
            return;
        }
        let page = shown.unwrap_or_else(|| {
            self.replica
                .with_untracked(|r| views::first_page(r.view(), &member, role, views::PAGE))
        });
        if self.kept.with_value(|k| k.as_ref() == Some(&page)) {
            return;
        }
        if let Ok(store) = Store::default_db().await
            && store.keep_first_page(&page).await.is_ok()
        {
            self.kept.set_value(Some(page));
        }
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

/// A coordinator's call failed: "Failed: <reason>", the reason in words
/// where the locales have them.
fn invite_failed(e: &ApiError) -> Status {
    let reason = e.reason(&["join.error", "sync.reason"]);
    Status::failed(Text::key(k::INVITE_ERROR).arg_words("reason", reason))
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
