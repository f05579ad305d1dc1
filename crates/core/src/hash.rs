//! Canonical state hash for convergence checks: two devices that folded the
//! same log must print the same hex string. It is SHA-256 over the compact
//! JSON of the state (every map is a `BTreeMap`, so key order is fixed),
//! leaving out only the pull cursor `seq`, which says how far a device has
//! read, not what it knows.

use crate::reduce::State;
use serde::Serialize;
use sha2::{Digest, Sha256};

struct HashWriter(Sha256);

impl std::io::Write for HashWriter {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.0.update(buf);
        Ok(buf.len())
    }
    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

/// Everything in `State` but the cursor, borrowed, in a fixed field order.
#[derive(Serialize)]
struct Canonical<'a> {
    schema: u16,
    clock: u64,
    community: &'a Option<crate::model::Community>,
    members: &'a std::collections::BTreeMap<crate::ids::MemberId, crate::model::Member>,
    teams: &'a std::collections::BTreeMap<crate::ids::TeamId, crate::model::Team>,
    partners: &'a std::collections::BTreeMap<crate::ids::PartnerId, crate::model::PartnerUnit>,
    resources: &'a std::collections::BTreeMap<crate::ids::ResourceId, crate::model::Resource>,
    wishes: &'a std::collections::BTreeMap<crate::ids::WishId, crate::model::Wish>,
    ledger: &'a std::collections::BTreeMap<crate::ids::MemberId, Vec<crate::reduce::PointsEntry>>,
    #[serde(serialize_with = "voids_as_pairs")]
    voids: &'a std::collections::BTreeMap<crate::ids::OpId, crate::reduce::VoidReason>,
    seen: &'a std::collections::BTreeMap<crate::ids::DeviceId, crate::reduce::DeviceSeen>,
    leases: &'a std::collections::BTreeSet<(u64, crate::ids::WishId)>,
    served: &'a std::collections::BTreeMap<crate::ids::MemberId, u64>,
    activities: &'a std::collections::BTreeMap<crate::ids::ActivityId, crate::activity::Activity>,
    activity_ends: &'a std::collections::BTreeSet<(u64, crate::ids::ActivityId)>,
    /// Left out while empty, so logs without photos hash as before.
    #[serde(skip_serializing_if = "no_photos")]
    photos: &'a Photos,
}

type Photos = std::collections::BTreeMap<crate::ids::WishId, Vec<crate::photos::Photo>>;

fn no_photos(p: &&Photos) -> bool {
    p.is_empty()
}

type Voids = std::collections::BTreeMap<crate::ids::OpId, crate::reduce::VoidReason>;

fn voids_as_pairs<S: serde::Serializer>(v: &&Voids, s: S) -> Result<S::Ok, S::Error> {
    crate::pairs::serialize(v, s)
}

/// SHA-256 of the canonical serialization, lowercase hex (64 chars).
pub fn state_hash(s: &State) -> String {
    let c = Canonical {
        schema: crate::SCHEMA_VERSION,
        clock: s.clock,
        community: &s.community,
        members: &s.members,
        teams: &s.teams,
        partners: &s.partners,
        resources: &s.resources,
        wishes: &s.wishes,
        ledger: &s.ledger,
        voids: &s.voids,
        seen: &s.seen,
        leases: &s.leases,
        served: &s.served,
        activities: &s.activities,
        activity_ends: &s.activity_ends,
        photos: &s.photos,
    };
    let mut w = HashWriter(Sha256::new());
    // Plain data with string keys (the one struct-keyed map goes through
    // `pairs`) into an infallible writer: this cannot fail.
    // Buffered: serde_json emits many tiny writes. Dropping the buffer flushes it.
    let _ = serde_json::to_writer(std::io::BufWriter::with_capacity(1 << 16, &mut w), &c);
    hex(&w.0.finalize())
}

fn hex(bytes: &[u8]) -> String {
    const DIGITS: &[u8; 16] = b"0123456789abcdef";
    let mut s = String::with_capacity(bytes.len() * 2);
    for b in bytes {
        s.push(DIGITS[usize::from(b >> 4)] as char);
        s.push(DIGITS[usize::from(b & 15)] as char);
    }
    s
}

impl State {
    /// See `state_hash`.
    pub fn hash(&self) -> String {
        state_hash(self)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hash_is_hex_and_sees_small_changes() {
        let a = State::new();
        let mut b = State::new();
        b.clock = 1;
        assert_eq!(a.hash().len(), 64);
        assert!(a.hash().bytes().all(|c| c.is_ascii_hexdigit()));
        assert_ne!(a.hash(), b.hash());
        // The cursor is not part of the hash.
        let mut c = State::new();
        c.seq = 99;
        assert_eq!(a.hash(), c.hash());
    }
}
