//! The object store and where things live in it. Every fact of the sync
//! service is an object here; instances keep only caches. Objects that carry
//! facts are written create-only (`PutMode::Create`) and never rewritten;
//! the one overwritten object per log (`head.json`) is a hint.
//!
//! Layout (docs/sync-protocol.md, "Storage layout"):
//! ```text
//! communities/{c}/community.json                 CommunityMeta (create-only)
//! communities/{c}/log/{epoch}/p/{pos:010}.json   chain segment at position pos
//! communities/{c}/log/{epoch}/m/{a:012}-{b:012}.json  merged segment, seqs a..=b
//! communities/{c}/log/{epoch}/manifests/{n:010}.json  Manifest n
//! communities/{c}/log/{epoch}/head.json          HeadHint (overwritten; a hint)
//! communities/{c}/devices/{device}.json          DeviceRecord
//! communities/{c}/revoked/{device}               revocation marker
//! communities/{c}/codes/{code_id}.json           CodeRecord
//! communities/{c}/code-uses/{code_id}/{n:06}     use slot n of a code
//! communities/{c}/code-deleted/{code_id}         deletion marker
//! communities/{c}/private/{wish}.json            ContactRecord (overwritten; deleted when the wish closes)
//! communities/{c}/activity-keys/{activity}.json  checkin::ActivityKey (overwritten; deleted once revealed or cancelled)
//! communities/{c}/passes/{member}.json           checkin::MemberPass (overwritten by its member)
//! communities/{c}/photos/{sha256}                a photo's bytes (create-only; content-addressed)
//! communities/{c}/street.json                    StreetLink: the one street c belongs to (create-only)
//! streets/{s}/communities/{c}.json               StreetEntry: c is one of street s's communities (create-only)
//! tokens/{sha256(token)}.json                    TokenRecord
//! codes/{sha256(code)}.json                      CodeIndex
//! demo.json                                      the demo community's codes
//! probe/{nonce}.json                             start-up probe marker (deleted)
//! ```
use std::sync::Arc;

use bytes::Bytes;
use futures::TryStreamExt;
use linli_core::ids::{CommunityId, DeviceId, MemberId};
use linli_core::model::Role;
use object_store::path::Path;
use object_store::{ObjectMeta, ObjectStore, ObjectStoreExt, PutMode, PutOptions, PutPayload};
use serde::de::DeserializeOwned;
use serde::{Deserialize, Serialize};

pub type Store = Arc<dyn ObjectStore>;
pub type Result<T> = std::result::Result<T, StoreError>;

#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    #[error("object store: {0}")]
    Io(#[from] object_store::Error),
    #[error("stored object {path} is corrupt: {why}")]
    Corrupt { path: String, why: String },
    #[error(
        "object store: creating {path} keeps answering \"already exists\" but nothing is there; try again"
    )]
    Conflict { path: String },
    #[error(
        "this object store cannot hold linli's logs: {why}. linli needs create-only writes \
         (PutMode::Create, If-None-Match: * on S3) so that two instances never both append at \
         one position; use SeaweedFS, MinIO, AWS S3, Cloudflare R2 or the local filesystem \
         (docs/sync-protocol.md, \"Object stores\")"
    )]
    NoCreateOnly { why: String },
    #[error(
        "the start-up check could not write a test object to the store (check its address, \
         bucket and credentials): {0}"
    )]
    Probe(object_store::Error),
}

/// A path from parts; each part is percent-encoded by object_store, so an id
/// can never climb out of its directory.
pub fn path(parts: &[&str]) -> Path {
    Path::from_iter(parts.iter().copied())
}

/// Read an object; `None` if it does not exist.
pub async fn get(store: &Store, at: &Path) -> Result<Option<Bytes>> {
    match store.get(at).await {
        Ok(r) => Ok(Some(r.bytes().await?)),
        Err(object_store::Error::NotFound { .. }) => Ok(None),
        Err(e) => Err(e.into()),
    }
}

/// Read and decode a JSON object; `None` if it does not exist.
pub async fn get_json<T: DeserializeOwned>(store: &Store, at: &Path) -> Result<Option<T>> {
    match get(store, at).await? {
        None => Ok(None),
        Some(b) => serde_json::from_slice(&b)
            .map(Some)
            .map_err(|e| StoreError::Corrupt {
                path: at.to_string(),
                why: e.to_string(),
            }),
    }
}

/// Whether an object exists.
pub async fn exists(store: &Store, at: &Path) -> Result<bool> {
    match store.head(at).await {
        Ok(_) => Ok(true),
        Err(object_store::Error::NotFound { .. }) => Ok(false),
        Err(e) => Err(e.into()),
    }
}

/// Create an object if none is there (`PutMode::Create`). `Ok(true)`: the
/// object now holds exactly `bytes`; `Ok(false)`: another writer's is there.
///
/// An `AlreadyExists` answer alone does not mean we lost: object_store
/// retries a PUT after a 5xx, 429 or timeout, so a create that won but
/// whose answer was lost comes back as `AlreadyExists` from its own object.
/// So the object is read and compared. Equal bytes are the same fact
/// (callers make a writer's bytes unique where it matters: a code use
/// slot carries a random claim). S3 may also answer `409` to concurrent
/// creates of one key (object_store reports that as `AlreadyExists` too)
/// while none of them landed: then the object is missing and we try again.
pub async fn create_or_same(store: &Store, at: &Path, bytes: impl Into<Bytes>) -> Result<bool> {
    let bytes: Bytes = bytes.into();
    for _ in 0..CREATE_ATTEMPTS {
        let opts = PutOptions {
            mode: PutMode::Create,
            ..Default::default()
        };
        match store
            .put_opts(at, PutPayload::from_bytes(bytes.clone()), opts)
            .await
        {
            Ok(_) => return Ok(true),
            Err(object_store::Error::AlreadyExists { .. }) => match get(store, at).await? {
                Some(there) => return Ok(there == bytes),
                None => continue,
            },
            Err(e) => return Err(e.into()),
        }
    }
    Err(StoreError::Conflict {
        path: at.to_string(),
    })
}

/// `create_or_same` with an object's JSON.
pub async fn create_json_or_same<T: Serialize>(
    store: &Store,
    at: &Path,
    value: &T,
) -> Result<bool> {
    create_or_same(store, at, to_json(value)).await
}

/// Tries of `create_or_same` when the store says "exists" but has nothing.
const CREATE_ATTEMPTS: usize = 5;

/// Where the start-up probe writes (then deletes) its markers.
pub fn probe_marker(nonce: &str) -> Path {
    path(&["probe", &format!("{nonce}.json")])
}

/// Refuse a store that does not honour create-only writes: create a marker,
/// then create it again with other bytes; the second must fail with
/// `AlreadyExists`. A store that lets both succeed (Garage 2.5 ignores
/// `If-None-Match: *` on PUT) would let two instances own one log position,
/// and one of them would overwrite acknowledged ops.
pub async fn check_create_only(store: &Store) -> Result<()> {
    let at = probe_marker(&random_nonce());
    let unsupported = |e: object_store::Error| StoreError::NoCreateOnly {
        why: format!("the store has no create-only put ({e})"),
    };
    // The first create may itself come back ambiguous: decided by reading.
    match create_or_same(store, &at, &b"first"[..]).await {
        Ok(true) => {}
        Ok(false) => {
            return Err(StoreError::NoCreateOnly {
                why: "a fresh random key already held other bytes".into(),
            });
        }
        Err(StoreError::Io(e @ object_store::Error::NotImplemented { .. })) => {
            return Err(unsupported(e));
        }
        Err(StoreError::Io(e)) => return Err(StoreError::Probe(e)),
        Err(e) => return Err(e),
    }
    let opts = PutOptions {
        mode: PutMode::Create,
        ..Default::default()
    };
    let second = store
        .put_opts(&at, PutPayload::from_static(b"second"), opts)
        .await;
    let _ = store.delete(&at).await;
    match second {
        Err(object_store::Error::AlreadyExists { .. }) => Ok(()),
        Ok(_) => Err(StoreError::NoCreateOnly {
            why: "a second create of the same key succeeded (the store ignores If-None-Match: *)"
                .into(),
        }),
        Err(e @ object_store::Error::NotImplemented { .. }) => Err(unsupported(e)),
        Err(e) => Err(StoreError::Probe(e)),
    }
}

/// 64 random bits as hex.
fn random_nonce() -> String {
    let mut buf = [0u8; 8];
    getrandom::fill(&mut buf).expect("the OS random source failed");
    buf.iter().map(|b| format!("{b:02x}")).collect()
}

/// Write an object unconditionally (hints and last-writer-wins records only).
pub async fn overwrite_json<T: Serialize>(store: &Store, at: &Path, value: &T) -> Result<()> {
    store
        .put(at, PutPayload::from_bytes(to_json(value).into()))
        .await?;
    Ok(())
}

pub fn to_json<T: Serialize>(value: &T) -> Vec<u8> {
    // Our own types serialize infallibly (no non-string map keys).
    serde_json::to_vec(value).unwrap_or_default()
}

/// Every object under a prefix (recursively).
pub async fn list(store: &Store, prefix: &Path) -> Result<Vec<ObjectMeta>> {
    Ok(store.list(Some(prefix)).try_collect().await?)
}

/// Objects directly under a prefix (not in sub-"directories").
pub async fn list_flat(store: &Store, prefix: &Path) -> Result<Vec<ObjectMeta>> {
    Ok(store.list_with_delimiter(Some(prefix)).await?.objects)
}

// ---- keys ----

pub fn community_meta(c: &CommunityId) -> Path {
    path(&["communities", c.as_str(), "community.json"])
}

pub fn chain_segment(c: &CommunityId, epoch: &str, pos: u64) -> Path {
    path(&[
        "communities",
        c.as_str(),
        "log",
        epoch,
        "p",
        &format!("{pos:010}.json"),
    ])
}

pub fn merged_segment(c: &CommunityId, epoch: &str, first: u64, last: u64) -> Path {
    path(&[
        "communities",
        c.as_str(),
        "log",
        epoch,
        "m",
        &format!("{first:012}-{last:012}.json"),
    ])
}

pub fn manifest(c: &CommunityId, epoch: &str, n: u64) -> Path {
    path(&[
        "communities",
        c.as_str(),
        "log",
        epoch,
        "manifests",
        &format!("{n:010}.json"),
    ])
}

pub fn head_hint(c: &CommunityId, epoch: &str) -> Path {
    path(&["communities", c.as_str(), "log", epoch, "head.json"])
}

pub fn device(c: &CommunityId, d: &DeviceId) -> Path {
    path(&[
        "communities",
        c.as_str(),
        "devices",
        &format!("{}.json", d.as_str()),
    ])
}

pub fn devices(c: &CommunityId) -> Path {
    path(&["communities", c.as_str(), "devices"])
}

/// A device's own name (`PUT …/devices/{device}/name`), overwritten.
pub fn device_name(c: &CommunityId, d: &DeviceId) -> Path {
    path(&[
        "communities",
        c.as_str(),
        "device-names",
        &format!("{}.json", d.as_str()),
    ])
}

pub fn revoked(c: &CommunityId, d: &DeviceId) -> Path {
    path(&["communities", c.as_str(), "revoked", d.as_str()])
}

pub fn code(c: &CommunityId, code_id: &str) -> Path {
    path(&[
        "communities",
        c.as_str(),
        "codes",
        &format!("{code_id}.json"),
    ])
}

pub fn codes(c: &CommunityId) -> Path {
    path(&["communities", c.as_str(), "codes"])
}

pub fn code_uses(c: &CommunityId, code_id: &str) -> Path {
    path(&["communities", c.as_str(), "code-uses", code_id])
}

pub fn code_use(c: &CommunityId, code_id: &str, n: u32) -> Path {
    path(&[
        "communities",
        c.as_str(),
        "code-uses",
        code_id,
        &format!("{n:06}"),
    ])
}

pub fn code_deleted(c: &CommunityId, code_id: &str) -> Path {
    path(&["communities", c.as_str(), "code-deleted", code_id])
}

pub fn private_record(c: &CommunityId, wish: &str) -> Path {
    path(&[
        "communities",
        c.as_str(),
        "private",
        &format!("{wish}.json"),
    ])
}

/// The wish a listed contact record belongs to (from its object name).
pub fn private_wish(at: &Path) -> Option<linli_core::WishId> {
    let file = at.filename()?.strip_suffix(".json")?;
    Some(linli_core::WishId(percent_decode(file)?))
}

/// Undo object_store's percent-encoding of a path part.
pub fn percent_decode(s: &str) -> Option<String> {
    let b = s.as_bytes();
    let mut out = Vec::with_capacity(b.len());
    let mut i = 0;
    while i < b.len() {
        if b[i] == b'%' {
            let h = s.get(i + 1..i + 3)?;
            out.push(u8::from_str_radix(h, 16).ok()?);
            i += 3;
        } else {
            out.push(b[i]);
            i += 1;
        }
    }
    String::from_utf8(out).ok()
}

/// A care household's private record (`care::HouseholdRecord`).
pub fn care_record(c: &CommunityId, household: &str) -> Path {
    path(&[
        "communities",
        c.as_str(),
        "care",
        "households",
        &format!("{household}.json"),
    ])
}

/// A visit's private note, under its household so a listing can filter
/// by household without reading the notes.
pub fn care_note(c: &CommunityId, household: &str, visit: &str) -> Path {
    path(&[
        "communities",
        c.as_str(),
        "care",
        "notes",
        household,
        &format!("{visit}.json"),
    ])
}

/// Where a community's care records and notes live.
pub fn care_dir(c: &CommunityId) -> Path {
    path(&["communities", c.as_str(), "care"])
}

/// The stored form of the PIN that leaves kiosk mode (`kiosk::hash_pin`).
pub fn kiosk_pin(c: &CommunityId) -> Path {
    path(&["communities", c.as_str(), "kiosk-pin.json"])
}

pub fn private_records(c: &CommunityId) -> Path {
    path(&["communities", c.as_str(), "private"])
}

/// A photo's bytes, named by their SHA-256 (`linli_core::photos`).
pub fn photo(c: &CommunityId, sha256: &str) -> Path {
    path(&["communities", c.as_str(), "photos", sha256])
}

pub fn activity_keys(c: &CommunityId) -> Path {
    path(&["communities", c.as_str(), "activity-keys"])
}

pub fn activity_key(c: &CommunityId, activity: &str) -> Path {
    path(&[
        "communities",
        c.as_str(),
        "activity-keys",
        &format!("{activity}.json"),
    ])
}

pub fn passes(c: &CommunityId) -> Path {
    path(&["communities", c.as_str(), "passes"])
}

pub fn pass(c: &CommunityId, member: &str) -> Path {
    path(&[
        "communities",
        c.as_str(),
        "passes",
        &format!("{member}.json"),
    ])
}

/// The id a listed `{id}.json` object is named by (activity or member).
pub fn record_id(at: &Path) -> Option<String> {
    percent_decode(at.filename()?.strip_suffix(".json")?)
}

pub fn token(hash: &str) -> Path {
    path(&["tokens", &format!("{hash}.json")])
}

pub fn code_index(hash: &str) -> Path {
    path(&["codes", &format!("{hash}.json")])
}

pub fn demo() -> Path {
    path(&["demo.json"])
}

/// The street demo's codes (`admin::ensure_demo`), beside `demo.json` so a
/// store seeded before streets existed gets its street on the next start.
pub fn demo_street() -> Path {
    path(&["demo-street.json"])
}

/// The street community `c` belongs to (`StreetLink`, create-only: a
/// community belongs to at most one street, and for good).
pub fn street_of(c: &CommunityId) -> Path {
    path(&["communities", c.as_str(), "street.json"])
}

/// Street `s`'s record of its community `c` (`StreetEntry`, create-only).
pub fn street_community(s: &CommunityId, c: &CommunityId) -> Path {
    path(&[
        "streets",
        s.as_str(),
        "communities",
        &format!("{}.json", c.as_str()),
    ])
}

/// Where street `s`'s community records live.
pub fn street_communities(s: &CommunityId) -> Path {
    path(&["streets", s.as_str(), "communities"])
}

// ---- records ----

/// `community.json`: written once when the community is created.
#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct CommunityMeta {
    pub id: CommunityId,
    pub name: String,
    /// Names this log generation (random hex); part of every segment name.
    pub epoch: String,
    pub created_ms: u64,
    /// A street's log (街道, docs/street.md): its members are street
    /// coordinators and viewers, and it takes no wishes. Left out when
    /// false, so metas written before streets read and compare the same.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub street: bool,
}

/// `communities/{c}/street.json`: c belongs to `street`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct StreetLink {
    pub street: CommunityId,
}

/// `streets/{s}/communities/{c}.json`: one of a street's communities, with
/// its name when it was linked.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct StreetEntry {
    pub community: CommunityId,
    pub name: String,
}

/// `tokens/{hash}.json`.
#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct TokenRecord {
    pub community: CommunityId,
    pub member: MemberId,
    pub device: DeviceId,
    pub created_ms: u64,
}

/// `communities/{c}/devices/{device}.json`.
#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct DeviceRecord {
    pub device: DeviceId,
    pub member: MemberId,
    pub display_name: String,
    pub created_ms: u64,
    /// The code redeemed (none for devices made by the admin CLI).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub code_id: Option<String>,
}

/// `communities/{c}/codes/{code_id}.json`.
#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct CodeRecord {
    pub code_id: String,
    pub community: CommunityId,
    pub role: Role,
    /// Bound to this member; else each use creates a new member.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub member: Option<MemberId>,
    /// A poster's place: where its new residents live (wish form prefill).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub place: Option<linli_core::model::Place>,
    pub created_by: MemberId,
    pub created_ms: u64,
    pub expires_at_ms: u64,
    pub max_uses: u32,
}

/// `codes/{hash}.json`: from a code's hash to its record.
#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct CodeIndex {
    pub community: CommunityId,
    pub code_id: String,
}

/// `communities/{c}/code-uses/{code_id}/{n}`: who took use slot n.
#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct CodeUse {
    pub device: DeviceId,
    pub member: MemberId,
    pub at_ms: u64,
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::faults::{Fault, Faulty};

    fn mem() -> Store {
        Arc::new(object_store::memory::InMemory::new())
    }

    #[tokio::test]
    async fn a_create_that_won_but_reads_already_exists_is_ours() {
        let store = Faulty::wrap(mem(), Fault::WonButAlreadyExists { every: 1 });
        let at = path(&["x.json"]);
        assert!(create_or_same(&store, &at, "mine").await.unwrap());
        assert_eq!(get(&store, &at).await.unwrap().unwrap(), "mine");
        // Our own create again: still ours (a retry after a lost answer).
        assert!(create_or_same(&store, &at, "mine").await.unwrap());
        // Another writer's bytes: lost, and the object is unchanged.
        assert!(!create_or_same(&store, &at, "theirs").await.unwrap());
        assert_eq!(get(&store, &at).await.unwrap().unwrap(), "mine");
    }

    #[tokio::test]
    async fn already_exists_with_nothing_there_is_tried_again() {
        // Creates 2, 4, … answer "exists" without writing (S3's 409).
        let store = Faulty::wrap(mem(), Fault::ConflictNotWritten { every: 2 });
        assert!(create_or_same(&store, &path(&["a"]), "a").await.unwrap());
        assert!(create_or_same(&store, &path(&["b"]), "b").await.unwrap());
        assert_eq!(get(&store, &path(&["b"])).await.unwrap().unwrap(), "b");
        // Always "exists" and never there: a clear error, not a loop.
        let stuck = Faulty::wrap(mem(), Fault::ConflictNotWritten { every: 1 });
        let err = create_or_same(&stuck, &path(&["c"]), "c")
            .await
            .unwrap_err();
        assert!(matches!(err, StoreError::Conflict { .. }), "{err}");
        assert!(err.to_string().contains("already exists"), "{err}");
    }

    #[tokio::test]
    async fn the_probe_refuses_a_store_that_ignores_create_only() {
        let garage = Faulty::wrap(mem(), Fault::IgnoresCreate);
        let err = check_create_only(&garage).await.unwrap_err();
        assert!(matches!(err, StoreError::NoCreateOnly { .. }), "{err}");
        let msg = err.to_string();
        assert!(msg.contains("If-None-Match"), "{msg}");
        assert!(msg.contains("SeaweedFS"), "{msg}");
        // Working stores pass, also when creates come back ambiguous; the
        // marker is gone afterwards.
        let dir = tempfile::tempdir().unwrap();
        let fs: Store =
            Arc::new(object_store::local::LocalFileSystem::new_with_prefix(dir.path()).unwrap());
        for store in [
            mem(),
            fs,
            Faulty::wrap(mem(), Fault::WonButAlreadyExists { every: 1 }),
            Faulty::wrap(mem(), Fault::ConflictNotWritten { every: 2 }),
        ] {
            check_create_only(&store).await.unwrap();
            assert!(list(&store, &path(&["probe"])).await.unwrap().is_empty());
        }
    }
}
