//! The device's IndexedDB database, through idb (the crate rexie wraps; see
//! ARCHITECTURE.md for why we use it directly). Effects only: what to
//! store is decided by linli-core (`replica`); this module reads and writes
//! it, one transaction per logical change, so nothing is ever half-written.
//!
//! Inside a transaction only IndexedDB requests are awaited (no timers, no
//! fetch): anything else lets the transaction commit early.
use std::cell::RefCell;
use std::rc::Rc;

use idb::builder::{DatabaseBuilder, ObjectStoreBuilder};
use idb::{Database, Factory, KeyRange, Query, Transaction, TransactionMode, TransactionResult};
use linli_core::care::CareItem;
use linli_core::replica::Writer;
use linli_core::views::FirstPage;
use linli_core::{LogEntry, Op, State, WishId, private::ContactRecord};
use serde::{Deserialize, Serialize, de::DeserializeOwned};
use wasm_bindgen::JsValue;
use wasm_bindgen::prelude::*;
use web_sys::IdbTransaction;

mod backup;
pub mod checkin;
pub mod photos;
pub mod tabs;
pub mod usage;

pub use backup::{Backup, ImportError, ImportReport};
pub use checkin::CheckinRecords;

/// The database name used by the app.
pub const DB_NAME: &str = "linli";
/// Schema version. Every bump keeps an upgrade path from every earlier
/// released version (`SCHEMA_HISTORY`, tested in tests/store_browser.rs).
pub const DB_VERSION: u32 = 5;

/// Small key → value records: settings, identity, writer, cursors.
pub const META: &str = "meta";
/// Schema 2–4: one pulled log entry per record, key = community seq. Empty
/// from schema 5 on (`Store::open` moves what it holds into `LOG_CHUNKS`).
pub const LOG: &str = "log";
/// Pulled log entries, a run of them per record (a JSON array in seq
/// order), key = the highest seq in it: one `put` per pulled segment, not
/// one per entry (100,000 puts were two thirds of a first pull).
pub const LOG_CHUNKS: &str = "log_chunks";
/// This device's ops not yet seen in the log, key = device seq.
pub const OUTBOX: &str = "outbox";
/// The folded state at some seq, so start-up replays only the tail.
pub const SNAPSHOT: &str = "snapshot";
/// Contact records this device may see, key = wish id.
pub const PRIVATE: &str = "private";
/// Contact records typed on this device and not yet accepted by the
/// endpoint, key = wish id. Written with the wish's create op, so neither
/// is kept without the other.
pub const PRIVATE_OUTBOX: &str = "private_outbox";

/// Care-list records this device may see (`care::CareItem`, key
/// `CareItem::key`): exactly what the endpoint last handed it.
pub const CARE: &str = "care";
/// Care records typed here and not yet accepted by the endpoint, written
/// with the op they go with (a visit and its note) in one transaction.
pub const CARE_OUTBOX: &str = "care_outbox";

/// Photos this device may show (`store::photos`), key = SHA-256.
pub const PHOTOS: &str = "photos";
/// Photos made here and not yet uploaded, key = SHA-256; written with the
/// op that names them, in one transaction.
pub const PHOTO_OUTBOX: &str = "photo_outbox";

/// The object stores of each released schema version.
pub const SCHEMA_HISTORY: &[(u32, &[&str])] = &[
    (1, &[META]),
    (2, &[META, LOG, OUTBOX, SNAPSHOT, PRIVATE]),
    (3, &[META, LOG, OUTBOX, SNAPSHOT, PRIVATE, PRIVATE_OUTBOX]),
    (
        4,
        &[
            META,
            LOG,
            OUTBOX,
            SNAPSHOT,
            PRIVATE,
            PRIVATE_OUTBOX,
            CARE,
            CARE_OUTBOX,
        ],
    ),
    (
        5,
        &[
            META,
            LOG,
            OUTBOX,
            SNAPSHOT,
            PRIVATE,
            PRIVATE_OUTBOX,
            CARE,
            CARE_OUTBOX,
            PHOTOS,
            PHOTO_OUTBOX,
            LOG_CHUNKS,
        ],
    ),
];

/// Meta keys.
pub mod keys {
    pub const DEVICE_NAME: &str = "device_name";
    /// The device name the endpoint last accepted (`DEVICE_NAME` differs:
    /// the next sync round sends it).
    pub const DEVICE_NAME_SENT: &str = "device_name_sent";
    /// `linli_core::replica::Writer`: device id, next seq, clock.
    pub const WRITER: &str = "writer";
    /// `Session`: community, member, token.
    pub const SESSION: &str = "session";
    /// Highest device seq the endpoint acknowledged (push cursor).
    pub const PUSHED_THROUGH: &str = "pushed_through";
    /// Epoch of the community log last pulled (a change means a reset).
    pub const EPOCH: &str = "epoch";
    /// The newest inbox item the member has looked at (HLC ms).
    pub const INBOX_SEEN: &str = "inbox_seen";
    /// `checkin::CheckinRecords`: activity keys, the member's badge and
    /// pass, a kiosk's passes.
    pub const CHECKIN: &str = "checkin";
    /// A kiosk: the stored form of the PIN that leaves kiosk mode
    /// (`linli_core::kiosk::hash_pin`, from the kiosk view).
    pub const KIOSK_PIN: &str = "kiosk_pin";
    /// A kiosk: wrong PINs in a row and when the last was typed
    /// (`KioskFails`), so a reload does not reset the wait.
    pub const KIOSK_FAILS: &str = "kiosk_fails";
    /// A street device (main database): the street's name and communities
    /// (`protocol::StreetInfo`) as last fetched, so an offline start knows
    /// which community databases to open.
    pub const STREET_INFO: &str = "street_info";
    /// A street device (main database): the inbox it last showed
    /// (`Vec<street::InboxRow>`), painted at start-up before the
    /// communities' databases are read (`StreetState::reload`).
    pub const STREET_INBOX: &str = "street_inbox";
    /// The wishes page as it opened last (`linli_core::views::FirstPage`),
    /// painted at the next start before the state is read
    /// (`Store::first_page`).
    pub const WISHES_FIRST: &str = "wishes_first";
}

/// The database of a community a street device reads: `linli-c-{id}`, with
/// the same schema as the main one (its own log, snapshot, writer, outbox,
/// cursors). The street's own log stays in `DB_NAME`.
pub fn community_db_name(community: &linli_core::CommunityId) -> String {
    format!("linli-c-{community}")
}

const SNAPSHOT_KEY: &str = "state";
/// Entries per chunk when the legacy per-entry log moves into chunks.
const LEGACY_CHUNK: usize = 1000;

#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum StoreError {
    /// IndexedDB is missing or refused (private mode, blocked site data…).
    #[error("storage unavailable: {0}")]
    Unavailable(String),
    /// The browser refused to store more (QuotaExceededError).
    #[error("storage full: {0}")]
    Quota(String),
    /// A read or write failed; the transaction was rolled back.
    #[error("storage error: {0}")]
    Failed(String),
    /// A stored value did not decode; the data is left as it is.
    #[error("stored data unreadable: {0}")]
    Corrupt(String),
}

impl StoreError {
    /// Stable code for translation (`store.error.<code>` in locales/).
    pub fn code(&self) -> &'static str {
        match self {
            StoreError::Unavailable(_) => "unavailable",
            StoreError::Quota(_) => "quota",
            StoreError::Failed(_) => "failed",
            StoreError::Corrupt(_) => "corrupt",
        }
    }

    /// The words for the user (`store.error.<code>`); the detail is for logs.
    pub fn text(&self) -> crate::status::Text {
        crate::status::Text::key(match self {
            StoreError::Unavailable(_) => crate::i18n::k::STORE_ERROR_UNAVAILABLE,
            StoreError::Quota(_) => crate::i18n::k::STORE_ERROR_QUOTA,
            StoreError::Failed(_) => crate::i18n::k::STORE_ERROR_FAILED,
            StoreError::Corrupt(_) => crate::i18n::k::STORE_ERROR_CORRUPT,
        })
    }
}

impl From<idb::Error> for StoreError {
    fn from(e: idb::Error) -> Self {
        let text = e.to_string();
        if text.contains("QuotaExceededError") {
            StoreError::Quota(text)
        } else {
            StoreError::Failed(text)
        }
    }
}

/// Who this device is in its community (set by joining).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Session {
    pub community: linli_core::CommunityId,
    pub member: linli_core::MemberId,
    pub token: String,
    /// Joined with a street's code (`JoinResponse::street`): `community` is
    /// the street, and the device also reads the street's communities, each
    /// in its own database (`community_db_name`).
    #[serde(default)]
    pub street: bool,
}

/// Everything start-up needs, read in one transaction.
#[derive(Debug, Default)]
pub struct Loaded {
    pub writer: Option<Writer>,
    pub session: Option<Session>,
    /// Snapshot (if any) with the log tail after it folded in.
    pub confirmed: State,
    /// Log entries replayed on top of the snapshot.
    pub replayed: usize,
    pub outbox: Vec<Op>,
}

#[derive(Serialize, Deserialize)]
struct SnapshotRecord {
    seq: u64,
    state: State,
    /// The `SCHEMA_VERSION` that folded it (0: written before it was kept).
    /// An older build folded ops of a newer schema as `Unknown` (void), so
    /// its snapshot is not used where the log can be replayed instead.
    #[serde(default)]
    schema: u16,
}

impl SnapshotRecord {
    fn of(state: &State) -> SnapshotRecord {
        SnapshotRecord {
            seq: state.seq,
            state: state.clone(),
            schema: linli_core::SCHEMA_VERSION,
        }
    }
}

/// An open database.
#[derive(Clone)]
pub struct Store {
    db: Rc<Database>,
}

thread_local! {
    static DEFAULT: RefCell<Option<Store>> = const { RefCell::new(None) };
    /// The linked communities' databases opened so far (a street device).
    static COMMUNITIES: RefCell<Vec<(String, Store)>> = const { RefCell::new(Vec::new()) };
}

fn js_key(n: u64) -> JsValue {
    JsValue::from_f64(n as f64)
}

fn to_json<T: Serialize>(value: &T) -> Result<JsValue, StoreError> {
    serde_json::to_string(value)
        .map(|s| JsValue::from_str(&s))
        .map_err(|e| StoreError::Failed(e.to_string()))
}

fn from_json<T: DeserializeOwned>(what: &str, value: &JsValue) -> Result<T, StoreError> {
    let text = value
        .as_string()
        .ok_or_else(|| StoreError::Corrupt(format!("{what}: not a JSON string")))?;
    serde_json::from_str(&text).map_err(|e| StoreError::Corrupt(format!("{what}: {e}")))
}

/// A read-write transaction and its JS handle, which keeps the abort reason
/// (`error`) that tells a full disk from other failures.
fn write_tx(db: &Database, stores: &[&str]) -> Result<(Transaction, IdbTransaction), StoreError> {
    let raw: IdbTransaction = db.transaction(stores, TransactionMode::ReadWrite)?.into();
    Ok((Transaction::from(raw.clone()), raw))
}

/// Waits for the end of a write transaction whose requests gave `body`.
/// Succeeds only if every request did and the transaction committed; else
/// the transaction is (or gets) aborted and nothing of it stays.
async fn finish<T>(
    tx: Transaction,
    raw: IdbTransaction,
    body: Result<T, StoreError>,
) -> Result<T, StoreError> {
    let ended = match &body {
        Ok(_) => tx.await,
        Err(_) => {
            let _ = raw.abort();
            Transaction::from(raw.clone()).await
        }
    };
    let quota = raw
        .error()
        .filter(|e| e.name() == "QuotaExceededError")
        .map(|e| StoreError::Quota(e.message()));
    match (body, ended) {
        (Ok(v), Ok(TransactionResult::Committed)) => Ok(v),
        _ if quota.is_some() => Err(quota.unwrap_or_else(|| StoreError::Failed(String::new()))),
        (Err(e), _) => Err(e),
        (Ok(_), Ok(TransactionResult::Aborted)) => Err(StoreError::Failed(
            raw.error()
                .map(|e| e.message())
                .unwrap_or_else(|| "transaction aborted".into()),
        )),
        (Ok(_), Err(e)) => Err(e.into()),
    }
}

/// The entries with seq > `after` held in `chunks` (records of
/// `LOG_CHUNKS` whose key is > `after`), in seq order, each once: chunks
/// may overlap or interleave (a backup import fills gaps).
fn entries_after(chunks: &[JsValue], after: u64) -> Result<Vec<LogEntry>, StoreError> {
    let mut entries = Vec::new();
    let mut sorted = true;
    for chunk in chunks {
        let part: Vec<LogEntry> = from_json("log chunk", chunk)?;
        for e in part.into_iter().filter(|e| e.seq > after) {
            sorted &= entries.last().is_none_or(|l: &LogEntry| l.seq < e.seq);
            entries.push(e);
        }
    }
    if !sorted {
        linli_core::lean::sort_stable(&mut entries, &|a, b| a.seq.cmp(&b.seq));
        entries.dedup_by_key(|e| e.seq);
    }
    Ok(entries)
}

fn read_tx(db: &Database, stores: &[&str]) -> Result<Transaction, StoreError> {
    Ok(db.transaction(stores, TransactionMode::ReadOnly)?)
}

fn range_after(seq: u64) -> Result<Option<Query>, StoreError> {
    Ok(Some(Query::KeyRange(KeyRange::lower_bound(
        &js_key(seq),
        Some(true),
    )?)))
}

impl Store {
    /// The app's database, opened once per page and shared.
    pub async fn default_db() -> Result<Store, StoreError> {
        if let Some(store) = DEFAULT.with(|d| d.borrow().clone()) {
            return Ok(store);
        }
        let store = Store::open(DB_NAME).await?;
        DEFAULT.with(|d| *d.borrow_mut() = Some(store.clone()));
        Ok(store)
    }

    /// The database of `community` on a street device
    /// (`community_db_name`), opened once per page and shared.
    pub async fn community(community: &linli_core::CommunityId) -> Result<Store, StoreError> {
        let name = community_db_name(community);
        let held = COMMUNITIES.with(|c| {
            c.borrow()
                .iter()
                .find(|(n, _)| *n == name)
                .map(|(_, s)| s.clone())
        });
        if let Some(store) = held {
            return Ok(store);
        }
        let store = Store::open(&name).await?;
        COMMUNITIES.with(|c| c.borrow_mut().push((name, store.clone())));
        Ok(store)
    }

    /// Opens (creating or upgrading) the database `name` at `DB_VERSION`.
    pub async fn open(name: &str) -> Result<Store, StoreError> {
        Store::open_version(name, DB_VERSION).await
    }

    /// Opens `name` with the stores of an earlier released version: for
    /// migration tests, which create an old database and upgrade it.
    pub async fn open_version(name: &str, version: u32) -> Result<Store, StoreError> {
        let stores = SCHEMA_HISTORY
            .iter()
            .find(|(v, _)| *v == version)
            .map(|(_, s)| *s)
            .ok_or_else(|| StoreError::Unavailable(format!("unknown schema version {version}")))?;
        // Upgrades only add stores (the builder creates the missing ones and
        // keeps the data of the rest); a change of shape needs code here.
        let db = stores
            .iter()
            .fold(DatabaseBuilder::new(name).version(version), |b, s| {
                b.add_object_store(ObjectStoreBuilder::new(s))
            })
            .build()
            .await
            .map_err(|e| StoreError::Unavailable(e.to_string()))?;
        // A newer version of the app in another tab wants to upgrade: let it.
        // This tab's next access fails and the user is asked to reload.
        let raw: web_sys::IdbDatabase = db.into();
        let handle = raw.clone();
        let on_change = Closure::<dyn FnMut(web_sys::Event)>::new(move |_| handle.close());
        raw.set_onversionchange(Some(on_change.as_ref().unchecked_ref()));
        on_change.forget();
        let store = Store {
            db: Rc::new(Database::from(raw)),
        };
        if stores.contains(&LOG_CHUNKS) {
            store.move_legacy_log().await?;
        }
        Ok(store)
    }

    /// Schema ≤ 4 kept one record per entry in `LOG`: they move into
    /// `LOG_CHUNKS` in one transaction (all or nothing; the next open
    /// tries again). The stored JSON texts are joined, not decoded.
    async fn move_legacy_log(&self) -> Result<(), StoreError> {
        let (tx, raw) = write_tx(&self.db, &[LOG, LOG_CHUNKS])?;
        let body = async {
            let log = tx.object_store(LOG)?;
            if log.count(None)?.await? == 0 {
                return Ok(());
            }
            let keys = log.get_all_keys(None, None)?.await?;
            let values = log.get_all(None, None)?.await?;
            let chunks = tx.object_store(LOG_CHUNKS)?;
            for (keys, values) in keys.chunks(LEGACY_CHUNK).zip(values.chunks(LEGACY_CHUNK)) {
                let mut text = String::from("[");
                for (i, v) in values.iter().enumerate() {
                    if i > 0 {
                        text.push(',');
                    }
                    text.push_str(&v.as_string().ok_or_else(|| {
                        StoreError::Corrupt("log entry: not a JSON string".into())
                    })?);
                }
                text.push(']');
                let last = keys.last().cloned().unwrap_or(JsValue::UNDEFINED);
                chunks.put(&JsValue::from_str(&text), Some(&last))?;
            }
            log.clear()?.await?;
            Ok(())
        }
        .await;
        finish(tx, raw, body).await
    }

    /// Closes this connection once no clone of it is left. A deletion or a
    /// schema upgrade elsewhere waits until every connection is closed.
    pub fn close(self) {
        if let Ok(db) = Rc::try_unwrap(self.db) {
            db.close();
        }
    }

    /// Deletes the database `name` (tests, and a future "reset device").
    pub async fn delete(name: &str) -> Result<(), StoreError> {
        Factory::new()?.delete(name)?.await?;
        Ok(())
    }

    pub fn store_names(&self) -> Vec<String> {
        self.db.store_names()
    }

    pub async fn get_meta<T: DeserializeOwned>(&self, key: &str) -> Result<Option<T>, StoreError> {
        let tx = read_tx(&self.db, &[META])?;
        let value = tx.object_store(META)?.get(JsValue::from_str(key))?.await?;
        tx.await?;
        match value {
            None => Ok(None),
            Some(v) if v.is_undefined() => Ok(None),
            Some(v) => serde_wasm_bindgen::from_value(v)
                .map(Some)
                .map_err(|e| StoreError::Corrupt(format!("{key}: {e}"))),
        }
    }

    /// The wishes page kept by `AppState::remember_first_page`, if it is the
    /// joined member's (a device that joined elsewhere paints nothing):
    /// one small read, before `load` reads and decodes the state.
    pub async fn first_page(&self) -> Result<Option<FirstPage>, StoreError> {
        let tx = read_tx(&self.db, &[META])?;
        let meta = tx.object_store(META)?;
        let session = meta.get(JsValue::from_str(keys::SESSION))?.await?;
        let page = meta.get(JsValue::from_str(keys::WISHES_FIRST))?.await?;
        tx.await?;
        let session: Option<Session> = opt_meta(session, keys::SESSION)?;
        let page = match page {
            Some(v) if !v.is_undefined() => Some(from_json::<FirstPage>(keys::WISHES_FIRST, &v)?),
            _ => None,
        };
        Ok(page.filter(|p| session.is_some_and(|s| !s.street && s.member == p.member)))
    }

    /// Keeps `page` for `first_page`. JSON text, as the snapshot: the wasm
    /// then has one decoder of a wish, not a second for JS objects.
    pub async fn keep_first_page(&self, page: &FirstPage) -> Result<(), StoreError> {
        self.put_meta_js(keys::WISHES_FIRST, to_json(page)?).await
    }

    /// Writes one record in its own transaction; returns once it is durable.
    pub async fn put_meta<T: Serialize>(&self, key: &str, value: &T) -> Result<(), StoreError> {
        self.put_meta_js(key, meta_value(value)?).await
    }

    async fn put_meta_js(&self, key: &str, js: JsValue) -> Result<(), StoreError> {
        let (tx, raw) = write_tx(&self.db, &[META])?;
        let body = async {
            Ok(tx
                .object_store(META)?
                .put(&js, Some(&JsValue::from_str(key)))?
                .await
                .map(drop)?)
        }
        .await;
        finish(tx, raw, body).await
    }

    /// A local op: into the outbox together with the writer that minted it,
    /// in one transaction. Only after this returns may the op be shown.
    pub async fn append_local(&self, op: &Op, writer: &Writer) -> Result<(), StoreError> {
        self.append_local_with(op, writer, None).await
    }

    /// `append_local`, and the contact record typed with the op (a new
    /// wish's phone) into the private outbox in the same transaction.
    pub async fn append_local_with(
        &self,
        op: &Op,
        writer: &Writer,
        contact: Option<&ContactRecord>,
    ) -> Result<(), StoreError> {
        self.append_local_all(std::slice::from_ref(op), writer, contact, &[])
            .await
    }

    /// Several local ops (minted in turn by `writer`) in one transaction:
    /// all of them are durable, or none.
    pub async fn append_local_all(
        &self,
        ops: &[Op],
        writer: &Writer,
        contact: Option<&ContactRecord>,
        care: &[CareItem],
    ) -> Result<(), StoreError> {
        self.append_local_full(ops, writer, contact, care, &[])
            .await
    }

    /// `append_local_all`, and the photos the ops name into the photo
    /// outbox, in the same transaction: the op and its photos, or neither.
    pub async fn append_local_full(
        &self,
        ops: &[Op],
        writer: &Writer,
        contact: Option<&ContactRecord>,
        care: &[CareItem],
        photos: &[photos::LocalPhoto],
    ) -> Result<(), StoreError> {
        let photos = photos
            .iter()
            .map(photos::LocalPhoto::to_js)
            .collect::<Result<Vec<_>, _>>()?;
        let values = ops
            .iter()
            .map(|op| Ok::<_, StoreError>((to_json(op)?, js_key(op.id.seq))))
            .collect::<Result<Vec<_>, _>>()?;
        let writer = meta_value(writer)?;
        let contact = contact
            .map(|c| Ok::<_, StoreError>((to_json(c)?, JsValue::from_str(c.wish.as_str()))))
            .transpose()?;
        let care = care_values(care)?;
        let mut scope = vec![OUTBOX, META];
        if contact.is_some() {
            scope.push(PRIVATE_OUTBOX);
        }
        if !care.is_empty() {
            scope.push(CARE_OUTBOX);
        }
        if !photos.is_empty() {
            scope.push(PHOTO_OUTBOX);
        }
        let (tx, raw) = write_tx(&self.db, &scope)?;
        let body = async {
            // `add`, not `put`: a seq is never written twice.
            let outbox = tx.object_store(OUTBOX)?;
            for (value, key) in &values {
                outbox.add(value, Some(key))?.await?;
            }
            tx.object_store(META)?
                .put(&writer, Some(&JsValue::from_str(keys::WRITER)))?
                .await?;
            if let Some((value, key)) = &contact {
                tx.object_store(PRIVATE_OUTBOX)?
                    .put(value, Some(key))?
                    .await?;
            }
            if !care.is_empty() {
                let outbox = tx.object_store(CARE_OUTBOX)?;
                for (value, key) in &care {
                    outbox.put(value, Some(key))?.await?;
                }
            }
            if !photos.is_empty() {
                let outbox = tx.object_store(PHOTO_OUTBOX)?;
                for (value, key) in &photos {
                    outbox.put(value, Some(key))?.await?;
                }
            }
            Ok(())
        }
        .await;
        finish(tx, raw, body).await
    }

    /// Pulled entries into the log; this device's ops among them leave the
    /// outbox in the same transaction (the log now holds them).
    pub async fn append_log(
        &self,
        entries: &[LogEntry],
        device: Option<&linli_core::DeviceId>,
    ) -> Result<(), StoreError> {
        if entries.is_empty() {
            return Ok(());
        }
        let value = to_json(&entries)?;
        let key = js_key(entries.iter().map(|e| e.seq).max().unwrap_or(0));
        let (tx, raw) = write_tx(&self.db, &[LOG_CHUNKS, OUTBOX])?;
        let body = async {
            tx.object_store(LOG_CHUNKS)?
                .put(&value, Some(&key))?
                .await?;
            if let Some(device) = device {
                let outbox = tx.object_store(OUTBOX)?;
                for e in entries.iter().filter(|e| &e.op.id.device == device) {
                    outbox.delete(js_key(e.op.id.seq))?.await?;
                }
            }
            Ok(())
        }
        .await;
        finish(tx, raw, body).await
    }

    /// The folded state at its seq, written in one put (atomic).
    pub async fn write_snapshot(&self, state: &State) -> Result<(), StoreError> {
        self.put_snapshot(&SnapshotRecord::of(state)).await
    }

    /// `write_snapshot` as a build of `schema` would have written it (tests
    /// of the start-up after an update).
    #[doc(hidden)]
    pub async fn write_snapshot_of_schema(
        &self,
        state: &State,
        schema: u16,
    ) -> Result<(), StoreError> {
        self.put_snapshot(&SnapshotRecord {
            schema,
            ..SnapshotRecord::of(state)
        })
        .await
    }

    async fn put_snapshot(&self, record: &SnapshotRecord) -> Result<(), StoreError> {
        let value = to_json(record)?;
        let (tx, raw) = write_tx(&self.db, &[SNAPSHOT])?;
        let body = async {
            Ok(tx
                .object_store(SNAPSHOT)?
                .put(&value, Some(&JsValue::from_str(SNAPSHOT_KEY)))?
                .await
                .map(drop)?)
        }
        .await;
        finish(tx, raw, body).await
    }

    /// A kiosk's state from the endpoint's kiosk view: it replaces the
    /// snapshot, the log is emptied (a kiosk holds no log), this device's
    /// ops the view has seen leave the outbox, and the PIN's stored form is
    /// kept — one transaction.
    pub async fn write_kiosk_view(
        &self,
        state: &State,
        device: &linli_core::DeviceId,
        pin: Option<&str>,
    ) -> Result<(), StoreError> {
        let value = to_json(&SnapshotRecord::of(state))?;
        let pin = pin.map(|p| meta_value(&p)).transpose()?;
        let upto = state.seen.get(device).map_or(0, |s| s.upto);
        let (tx, raw) = write_tx(&self.db, &[META, LOG_CHUNKS, OUTBOX, SNAPSHOT])?;
        let body = async {
            tx.object_store(LOG_CHUNKS)?.clear()?.await?;
            tx.object_store(SNAPSHOT)?
                .put(&value, Some(&JsValue::from_str(SNAPSHOT_KEY)))?
                .await?;
            if upto > 0 {
                let range = KeyRange::upper_bound(&js_key(upto), Some(false))?;
                tx.object_store(OUTBOX)?
                    .delete(Query::KeyRange(range))?
                    .await?;
            }
            let meta = tx.object_store(META)?;
            let key = JsValue::from_str(keys::KIOSK_PIN);
            match &pin {
                Some(p) => meta.put(p, Some(&key))?.await.map(drop)?,
                None => meta.delete(key)?.await?,
            }
            Ok(())
        }
        .await;
        finish(tx, raw, body).await
    }

    /// Start-up: snapshot, the log after it, the outbox, identity; one
    /// read-only transaction so the parts agree with each other.
    pub async fn load(&self) -> Result<Loaded, StoreError> {
        let tx = read_tx(&self.db, &[META, LOG_CHUNKS, OUTBOX, SNAPSHOT])?;
        let meta = tx.object_store(META)?;
        let writer = meta.get(JsValue::from_str(keys::WRITER))?.await?;
        let session = meta.get(JsValue::from_str(keys::SESSION))?.await?;
        let snapshot = tx
            .object_store(SNAPSHOT)?
            .get(JsValue::from_str(SNAPSHOT_KEY))?
            .await?;
        let from = match &snapshot {
            Some(v) if !v.is_undefined() => from_json::<SnapshotRecord>("snapshot", v).ok(),
            _ => None,
        };
        // A snapshot of another schema: the whole log is replayed instead
        // (then a new snapshot is written), unless there is no log (a kiosk).
        let stale = from
            .as_ref()
            .is_some_and(|s| s.schema != linli_core::SCHEMA_VERSION);
        let tail = tx
            .object_store(LOG_CHUNKS)?
            .get_all(
                range_after(if stale {
                    0
                } else {
                    from.as_ref().map_or(0, |s| s.seq)
                })?,
                None,
            )?
            .await?;
        let outbox = tx.object_store(OUTBOX)?.get_all(None, None)?.await?;
        tx.await?;
        let (mut confirmed, after) = match from {
            Some(s) if !stale || tail.is_empty() => (s.state, s.seq),
            _ => (State::new(), 0),
        };

        let tail = entries_after(&tail, after)?;
        let replayed = tail.len();
        for entry in &tail {
            linli_core::apply(&mut confirmed, entry);
        }
        Ok(Loaded {
            writer: opt_meta(writer, keys::WRITER)?,
            session: opt_meta(session, keys::SESSION)?,
            confirmed,
            replayed,
            outbox: outbox
                .iter()
                .map(|v| from_json("outbox op", v))
                .collect::<Result<_, _>>()?,
        })
    }

    /// Every sequenced entry with seq > `after`, in order.
    pub async fn log_after(&self, after: u64) -> Result<Vec<LogEntry>, StoreError> {
        let tx = read_tx(&self.db, &[LOG_CHUNKS])?;
        let values = tx
            .object_store(LOG_CHUNKS)?
            .get_all(range_after(after)?, None)?
            .await?;
        tx.await?;
        entries_after(&values, after)
    }

    pub async fn outbox(&self) -> Result<Vec<Op>, StoreError> {
        let tx = read_tx(&self.db, &[OUTBOX])?;
        let values = tx.object_store(OUTBOX)?.get_all(None, None)?.await?;
        tx.await?;
        values.iter().map(|v| from_json("outbox op", v)).collect()
    }

    /// A new identity (joining): writer, session and the re-minted outbox
    /// in one transaction. `fresh_log` also forgets the pulled log (another
    /// community, or a reset one) and the sync cursors.
    pub async fn set_identity(
        &self,
        writer: &Writer,
        session: &Session,
        outbox: &[Op],
        fresh_log: bool,
    ) -> Result<(), StoreError> {
        let values = outbox
            .iter()
            .map(|op| Ok((to_json(op)?, js_key(op.id.seq))))
            .collect::<Result<Vec<_>, StoreError>>()?;
        let (writer, session) = (meta_value(writer)?, meta_value(session)?);
        let (tx, raw) = write_tx(
            &self.db,
            &[META, LOG_CHUNKS, OUTBOX, SNAPSHOT, PRIVATE, PHOTOS],
        )?;
        let body = async {
            let out = tx.object_store(OUTBOX)?;
            out.clear()?.await?;
            for (value, key) in &values {
                out.add(value, Some(key))?.await?;
            }
            let meta = tx.object_store(META)?;
            meta.put(&writer, Some(&JsValue::from_str(keys::WRITER)))?
                .await?;
            meta.put(&session, Some(&JsValue::from_str(keys::SESSION)))?
                .await?;
            meta.delete(JsValue::from_str(keys::PUSHED_THROUGH))?
                .await?;
            if fresh_log {
                meta.delete(JsValue::from_str(keys::EPOCH))?.await?;
                meta.delete(JsValue::from_str(keys::STREET_INFO))?.await?;
                meta.delete(JsValue::from_str(keys::STREET_INBOX))?.await?;
                meta.delete(JsValue::from_str(keys::WISHES_FIRST))?.await?;
                for store in [LOG_CHUNKS, SNAPSHOT, PRIVATE, PHOTOS] {
                    tx.object_store(store)?.clear()?.await?;
                }
            }
            Ok(())
        }
        .await;
        finish(tx, raw, body).await
    }

    /// A street device's community database takes the street token's device
    /// (`writer`, seqs from 1) with its outbox minted again under it, in one
    /// transaction; the push cursor starts over. Used when the device joined
    /// again (a new device id) and the community still holds ops of the old.
    pub async fn adopt_writer(&self, writer: &Writer, outbox: &[Op]) -> Result<(), StoreError> {
        let values = outbox
            .iter()
            .map(|op| Ok((to_json(op)?, js_key(op.id.seq))))
            .collect::<Result<Vec<_>, StoreError>>()?;
        let writer = meta_value(writer)?;
        let (tx, raw) = write_tx(&self.db, &[META, OUTBOX])?;
        let body = async {
            let out = tx.object_store(OUTBOX)?;
            out.clear()?.await?;
            for (value, key) in &values {
                out.add(value, Some(key))?.await?;
            }
            let meta = tx.object_store(META)?;
            meta.put(&writer, Some(&JsValue::from_str(keys::WRITER)))?
                .await?;
            meta.delete(JsValue::from_str(keys::PUSHED_THROUGH))?
                .await?;
            Ok(())
        }
        .await;
        finish(tx, raw, body).await
    }

    /// The community's log was reset: forget what was pulled, keep the outbox.
    pub async fn reset_log(&self, epoch: &str) -> Result<(), StoreError> {
        let epoch = meta_value(&epoch)?;
        let (tx, raw) = write_tx(&self.db, &[META, LOG_CHUNKS, SNAPSHOT])?;
        let body = async {
            tx.object_store(LOG_CHUNKS)?.clear()?.await?;
            tx.object_store(SNAPSHOT)?.clear()?.await?;
            let meta = tx.object_store(META)?;
            meta.delete(JsValue::from_str(keys::PUSHED_THROUGH))?
                .await?;
            meta.delete(JsValue::from_str(keys::WISHES_FIRST))?.await?;
            meta.put(&epoch, Some(&JsValue::from_str(keys::EPOCH)))?
                .await?;
            Ok(())
        }
        .await;
        finish(tx, raw, body).await
    }

    /// The contact records this device may see now: exactly `records`.
    /// Returns whether that changed anything (pages then read them again).
    pub async fn replace_private(&self, records: &[ContactRecord]) -> Result<bool, StoreError> {
        let mut wanted = records.to_vec();
        linli_core::lean::sort_stable(&mut wanted, &|a, b| a.wish.cmp(&b.wish));
        let values = wanted
            .iter()
            .map(|r| Ok((to_json(r)?, JsValue::from_str(r.wish.as_str()))))
            .collect::<Result<Vec<_>, StoreError>>()?;
        self.replace_exactly(PRIVATE, &values).await
    }

    /// The contact records this device may show: those the endpoint handed
    /// it, and those typed here and not uploaded yet (these win: newer).
    pub async fn private_records(&self) -> Result<Vec<ContactRecord>, StoreError> {
        let tx = read_tx(&self.db, &[PRIVATE, PRIVATE_OUTBOX])?;
        let pulled = tx.object_store(PRIVATE)?.get_all(None, None)?.await?;
        let pending = tx
            .object_store(PRIVATE_OUTBOX)?
            .get_all(None, None)?
            .await?;
        tx.await?;
        let mut records: Vec<ContactRecord> = pending
            .iter()
            .map(|v| from_json("contact record", v))
            .collect::<Result<_, _>>()?;
        for v in &pulled {
            let r: ContactRecord = from_json("contact record", v)?;
            if !records.iter().any(|p| p.wish == r.wish) {
                records.push(r);
            }
        }
        Ok(records)
    }

    /// Contact records waiting to be uploaded.
    pub async fn pending_private(&self) -> Result<Vec<ContactRecord>, StoreError> {
        let tx = read_tx(&self.db, &[PRIVATE_OUTBOX])?;
        let values = tx
            .object_store(PRIVATE_OUTBOX)?
            .get_all(None, None)?
            .await?;
        tx.await?;
        values
            .iter()
            .map(|v| from_json("contact record", v))
            .collect()
    }

    /// The endpoint took `record` (or refused it for good): it leaves the
    /// private outbox, unless a newer one for the same wish replaced it.
    pub async fn settle_private(&self, record: &ContactRecord) -> Result<(), StoreError> {
        let key = JsValue::from_str(record.wish.as_str());
        self.settle_in(PRIVATE_OUTBOX, key, &to_json(record)?).await
    }

    /// Drops the contact records of these wishes (closed, or no longer ours).
    pub async fn drop_private(&self, wishes: &[WishId]) -> Result<(), StoreError> {
        if wishes.is_empty() {
            return Ok(());
        }
        let (tx, raw) = write_tx(&self.db, &[PRIVATE])?;
        let body = async {
            let store = tx.object_store(PRIVATE)?;
            for w in wishes {
                store.delete(JsValue::from_str(w.as_str()))?.await?;
            }
            Ok(())
        }
        .await;
        finish(tx, raw, body).await
    }
}

impl Store {
    /// Makes object store `name` hold exactly `values` ((JSON text, key),
    /// in key order); returns whether that changed anything. Records are
    /// compared as the JSON text this code writes.
    async fn replace_exactly(
        &self,
        name: &str,
        values: &[(JsValue, JsValue)],
    ) -> Result<bool, StoreError> {
        let (tx, raw) = write_tx(&self.db, &[name])?;
        let body = async {
            let store = tx.object_store(name)?;
            // get_all returns them in key order.
            let held = store.get_all(None, None)?.await?;
            let same = held.len() == values.len()
                && held
                    .iter()
                    .zip(values)
                    .all(|(h, (v, _))| h.as_string() == v.as_string());
            if same {
                return Ok(false);
            }
            store.clear()?.await?;
            for (value, key) in values {
                store.put(value, Some(key))?.await?;
            }
            Ok(true)
        }
        .await;
        finish(tx, raw, body).await
    }

    /// An outbox record the endpoint took (or refused for good) leaves
    /// store `name`, unless a newer one under the same key replaced it.
    async fn settle_in(&self, name: &str, key: JsValue, sent: &JsValue) -> Result<(), StoreError> {
        let (tx, raw) = write_tx(&self.db, &[name])?;
        let body = async {
            let store = tx.object_store(name)?;
            let current = store.get(key.clone())?.await?;
            if current.is_some_and(|c| c.as_string() == sent.as_string()) {
                store.delete(key.clone())?.await?;
            }
            Ok(())
        }
        .await;
        finish(tx, raw, body).await
    }
}

fn care_values(items: &[CareItem]) -> Result<Vec<(JsValue, JsValue)>, StoreError> {
    items
        .iter()
        .map(|i| Ok((to_json(i)?, JsValue::from_str(&i.key()))))
        .collect()
}

impl Store {
    /// The care records this device may see now: exactly `items` (what the
    /// endpoint answered). Returns whether that changed anything.
    pub async fn replace_care(&self, items: &[CareItem]) -> Result<bool, StoreError> {
        let mut wanted = items.to_vec();
        linli_core::lean::sort_stable(&mut wanted, &|a, b| a.key().cmp(&b.key()));
        self.replace_exactly(CARE, &care_values(&wanted)?).await
    }

    /// The care records this device may show: pulled ones and those typed
    /// here and not uploaded yet (these win: newer).
    pub async fn care_items(&self) -> Result<Vec<CareItem>, StoreError> {
        let tx = read_tx(&self.db, &[CARE, CARE_OUTBOX])?;
        let pulled = tx.object_store(CARE)?.get_all(None, None)?.await?;
        let pending = tx.object_store(CARE_OUTBOX)?.get_all(None, None)?.await?;
        tx.await?;
        let mut items: Vec<CareItem> = pending
            .iter()
            .map(|v| from_json("care record", v))
            .collect::<Result<_, _>>()?;
        for v in &pulled {
            let r: CareItem = from_json("care record", v)?;
            if !items.iter().any(|p| p.key() == r.key()) {
                items.push(r);
            }
        }
        Ok(items)
    }

    /// Care records waiting to be uploaded.
    pub async fn pending_care(&self) -> Result<Vec<CareItem>, StoreError> {
        let tx = read_tx(&self.db, &[CARE_OUTBOX])?;
        let values = tx.object_store(CARE_OUTBOX)?.get_all(None, None)?.await?;
        tx.await?;
        values.iter().map(|v| from_json("care record", v)).collect()
    }

    /// The endpoint took `item` (or refused it for good): it leaves the
    /// outbox, unless a newer one under the same key replaced it.
    pub async fn settle_care(&self, item: &CareItem) -> Result<(), StoreError> {
        let key = JsValue::from_str(&item.key());
        self.settle_in(CARE_OUTBOX, key, &to_json(item)?).await
    }
}

fn meta_value<T: Serialize>(value: &T) -> Result<JsValue, StoreError> {
    value
        .serialize(&serde_wasm_bindgen::Serializer::json_compatible())
        .map_err(|e| StoreError::Failed(e.to_string()))
}

fn opt_meta<T: DeserializeOwned>(
    value: Option<JsValue>,
    key: &str,
) -> Result<Option<T>, StoreError> {
    match value {
        Some(v) if !v.is_undefined() => serde_wasm_bindgen::from_value(v)
            .map(Some)
            .map_err(|e| StoreError::Corrupt(format!("{key}: {e}"))),
        _ => Ok(None),
    }
}
