//! Check-in codes and member passes (issue 14). Pure functions: the app
//! brings the randomness (`new_key` takes bytes from the browser's CSPRNG),
//! the core derives and checks.
//!
//! **Activity key.** Each activity has a secret key `K` (16 characters of
//! Crockford base32, 80 bits), made by the organiser's device when it
//! creates the activity. `K` is what the QR code (and the poster, and the
//! typed short code) carries; it is never written into the log before the
//! activity is over. The public `create_activity` op carries only
//! `key_check(activity, K)`, a SHA-256 commitment, so a device that was
//! handed `K` can tell a typo (`key_matches`) and everyone can check the
//! key once it is revealed.
//!
//! **Proof.** A member's own `check_in` op carries
//! `proof(activity, member, K)` = HMAC-SHA256(K, activity ‖ member), cut
//! to 32 hex digits. It is bound to the member: a proof read in the shared
//! log checks nobody else in. Nobody but the key holders can verify it
//! while the activity runs, so the reducer accepts a self check-in with a
//! well-formed proof provisionally (roster: "unverified"). After the end an
//! organiser's `verify_check_ins` op reveals `K`: the reducer checks it
//! against the commitment and every provisional proof against it; a check-in
//! whose proof does not match is rejected (`bad_checkin_code`) and its
//! points are taken back, pointing at the verifying op. Self check-ins that
//! reach the log after the reveal are void (`check_in_closed`): once `K` is
//! public anyone could compute any member's proof.
//!
//! **Member pass.** For the kiosk: a member's personal QR carries their id
//! and a random badge token; a PIN is 4–6 digits. `MemberPass` keeps only
//! salted hashes of both; it is a private record (like a contact record,
//! never in `State` or an `Op`), read by kiosks and coordinators. The kiosk
//! checks the badge or PIN locally and then mints `check_in`/`check_out` on
//! the member's behalf (its role allows that; no proof).

use crate::ids::{ActivityId, MemberId};
use crate::model::Role;
use crate::reduce::State;
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

/// Characters of an activity key (Crockford base32: no I, L, O, U).
pub const KEY_ALPHABET: &[u8; 32] = b"0123456789ABCDEFGHJKMNPQRSTVWXYZ";
/// Length of an activity key in characters (80 bits).
pub const KEY_CHARS: usize = 16;
/// Length of a check value (`key_check`) in hex digits.
pub const CHECK_HEX: usize = 64;
/// Length of a proof in hex digits (128 bits).
pub const PROOF_HEX: usize = 32;
/// PIN length, digits.
pub const PIN_DIGITS: std::ops::RangeInclusive<usize> = 4..=6;

fn hex(bytes: &[u8]) -> String {
    const DIGITS: &[u8; 16] = b"0123456789abcdef";
    let mut s = String::with_capacity(bytes.len() * 2);
    for b in bytes {
        s.push(DIGITS[usize::from(b >> 4)] as char);
        s.push(DIGITS[usize::from(b & 15)] as char);
    }
    s
}

/// Whether `s` is exactly `n` lowercase hex digits.
pub fn is_hex(s: &str, n: usize) -> bool {
    s.len() == n && s.bytes().all(|b| matches!(b, b'0'..=b'9' | b'a'..=b'f'))
}

/// HMAC-SHA256 (RFC 2104) over `sha2`, so the core needs no other crate.
pub fn hmac_sha256(key: &[u8], message: &[u8]) -> [u8; 32] {
    let mut block = [0u8; 64];
    if key.len() > 64 {
        block[..32].copy_from_slice(&Sha256::digest(key));
    } else {
        block[..key.len()].copy_from_slice(key);
    }
    let pad = |x: u8| block.map(|b| b ^ x);
    let inner = Sha256::new()
        .chain_update(pad(0x36))
        .chain_update(message)
        .finalize();
    Sha256::new()
        .chain_update(pad(0x5c))
        .chain_update(inner)
        .finalize()
        .into()
}

/// A new activity key from 10 random bytes (the app's CSPRNG).
pub fn new_key(random: [u8; 10]) -> String {
    let mut bits: u128 = 0;
    for b in random {
        bits = bits << 8 | u128::from(b);
    }
    (0..KEY_CHARS)
        .rev()
        .map(|i| KEY_ALPHABET[((bits >> (5 * i)) & 31) as usize] as char)
        .collect()
}

/// A key as typed: upper case, without spaces and dashes, and the letters
/// people confuse with digits read as Crockford says (O → 0, I/L → 1).
/// `None` if it is not a key.
pub fn normalize_key(typed: &str) -> Option<String> {
    normalize_code(typed, KEY_CHARS)
}

/// `typed` read as a Crockford code of `len` characters (see
/// `normalize_key`); also the kiosk's slip codes.
pub fn normalize_code(typed: &str, len: usize) -> Option<String> {
    let k: String = typed
        .chars()
        .filter(|c| !matches!(c, ' ' | '-'))
        .map(|c| match c.to_ascii_uppercase() {
            'O' => '0',
            'I' | 'L' => '1',
            c => c,
        })
        .collect();
    (k.len() == len && k.bytes().all(|b| KEY_ALPHABET.contains(&b))).then_some(k)
}

/// A key for reading aloud or typing: four groups of four.
pub fn display_key(key: &str) -> String {
    key.as_bytes()
        .chunks(4)
        .map(|c| String::from_utf8_lossy(c).into_owned())
        .collect::<Vec<_>>()
        .join("-")
}

/// The public commitment to `key` written into `create_activity` (64 hex).
pub fn key_check(activity: &ActivityId, key: &str) -> String {
    let key = normalize_key(key).unwrap_or_default();
    hex(&Sha256::new()
        .chain_update(b"linli/check-in-key\n")
        .chain_update(activity.as_str())
        .chain_update(b"\n")
        .chain_update(key)
        .finalize())
}

/// Whether `key` is the key of the activity whose commitment is `check`.
pub fn key_matches(activity: &ActivityId, check: &str, key: &str) -> bool {
    normalize_key(key).is_some() && key_check(activity, key) == check
}

/// The proof a member's own check-in carries (32 hex digits).
pub fn proof(activity: &ActivityId, member: &MemberId, key: &str) -> String {
    let key = normalize_key(key).unwrap_or_default();
    let mut msg = b"linli/check-in\n".to_vec();
    msg.extend_from_slice(activity.as_str().as_bytes());
    msg.push(b'\n');
    msg.extend_from_slice(member.as_str().as_bytes());
    let mut h = hex(&hmac_sha256(key.as_bytes(), &msg));
    h.truncate(PROOF_HEX);
    h
}

/// A member's kiosk credentials, as salted hashes only. A private record:
/// never in `State` or an `Op`; the endpoint would hand it to kiosks and
/// coordinators (not built yet, see ARCHITECTURE.md "Activities").
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct MemberPass {
    /// Whose.
    pub member: MemberId,
    /// Random salt (hex), made by the member's device.
    pub salt: String,
    /// `secret_hash` of the PIN, or empty if none is set.
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub pin: String,
    /// `secret_hash` of the badge token in the member's personal QR.
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub badge: String,
}

/// Why a PIN is refused (stable codes).
#[derive(Clone, Copy, Debug, PartialEq, Eq, thiserror::Error)]
pub enum PinError {
    /// Not 4–6 digits.
    #[error("a PIN is 4 to 6 digits")]
    BadPin,
}

impl PinError {
    /// Stable code.
    pub fn code(&self) -> &'static str {
        "bad_pin"
    }
}

/// Salted hash of a PIN or badge token for `member` (64 hex). A PIN has
/// few values, so this slows nobody who has the record: the record is
/// private, and the kiosk that reads it is the service centre's own.
pub fn secret_hash(member: &MemberId, salt: &str, secret: &str) -> String {
    let mut msg = b"linli/member-pass\n".to_vec();
    msg.extend_from_slice(member.as_str().as_bytes());
    msg.push(b'\n');
    msg.extend_from_slice(secret.as_bytes());
    hex(&hmac_sha256(salt.as_bytes(), &msg))
}

impl MemberPass {
    /// A pass for `member` with `salt`, a PIN and a badge token.
    pub fn new(member: MemberId, salt: String, pin: &str, badge: &str) -> Result<Self, PinError> {
        if !pin.is_empty() && !valid_pin(pin) {
            return Err(PinError::BadPin);
        }
        let hash = |s: &str| {
            if s.is_empty() {
                String::new()
            } else {
                secret_hash(&member, &salt, s)
            }
        };
        Ok(Self {
            pin: hash(pin),
            badge: hash(badge),
            member,
            salt,
        })
    }

    /// Whether `pin` is this member's PIN.
    pub fn check_pin(&self, pin: &str) -> bool {
        !self.pin.is_empty()
            && valid_pin(pin)
            && secret_hash(&self.member, &self.salt, pin) == self.pin
    }

    /// Whether `token` (read from the member's QR) is this member's badge.
    pub fn check_badge(&self, token: &str) -> bool {
        !self.badge.is_empty()
            && !token.is_empty()
            && secret_hash(&self.member, &self.salt, token) == self.badge
    }
}

/// Length of a pass's salt in hex digits (the app makes 16 random bytes).
pub const SALT_HEX: std::ops::RangeInclusive<usize> = 16..=64;

impl MemberPass {
    /// Whether the record has the form `new` gives it: a hex salt and
    /// 64-hex hashes (at least one of PIN and badge). Stable code on error.
    pub fn validate(&self) -> Result<(), &'static str> {
        let salt_ok =
            SALT_HEX.contains(&self.salt.len()) && self.salt.bytes().all(|b| b.is_ascii_hexdigit());
        let hash_ok = |h: &str| h.is_empty() || is_hex(h, CHECK_HEX);
        if !salt_ok || !hash_ok(&self.pin) || !hash_ok(&self.badge) {
            return Err("bad_pass");
        }
        if self.pin.is_empty() && self.badge.is_empty() {
            return Err("empty_pass");
        }
        Ok(())
    }
}

/// An activity's key as organisers' devices share it through the endpoint
/// (`PUT/GET …/private/activities/{id}`): a private record, never in
/// `State` or an `Op` while it matters.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ActivityKey {
    /// Whose key.
    pub activity: ActivityId,
    /// The key (normalized, `KEY_CHARS` characters).
    pub key: String,
}

/// Why an activity key is not accepted (the endpoint's codes).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum KeyVerdict {
    /// The activity is not in the log (yet).
    UnknownActivity,
    /// The caller does not organise it (or was removed).
    Forbidden,
    /// The key was revealed or the activity cancelled: nothing to keep.
    Retired,
    /// Not the key the activity committed to.
    WrongKey,
}

/// Whether the endpoint (and a device) keeps the key of `activity`: while
/// it is secret and useful — the activity exists, is not cancelled, and
/// `verify_check_ins` has not revealed the key (then it is in the log).
pub fn should_keep_key(state: &State, activity: &ActivityId) -> bool {
    state
        .activities
        .get(activity)
        .is_some_and(|a| a.key.is_none() && a.status != crate::activity::ActivityStatus::Cancelled)
}

/// Whether `member` may read and write the key of `activity`: an active
/// member who organises it (`State::organises`: a coordinator, the
/// organising team's lead, a member of the organising unit), while the key
/// is kept (`should_keep_key`). The one rule the endpoint and the app use.
pub fn may_hold_key(state: &State, member: &MemberId, activity: &ActivityId) -> bool {
    let (Some(m), Some(a)) = (state.members.get(member), state.activities.get(activity)) else {
        return false;
    };
    should_keep_key(state, activity) && state.organises(m, a)
}

/// What the endpoint says to `member` storing `record`: `Ok` to store it,
/// else why not. Order: unknown activity, not an organiser, retired, key.
pub fn judge_key(state: &State, member: &MemberId, record: &ActivityKey) -> Result<(), KeyVerdict> {
    let Some(a) = state.activities.get(&record.activity) else {
        return Err(KeyVerdict::UnknownActivity);
    };
    let organises = state
        .members
        .get(member)
        .is_some_and(|m| state.organises(m, a));
    if !organises {
        return Err(KeyVerdict::Forbidden);
    }
    if !should_keep_key(state, &record.activity) {
        return Err(KeyVerdict::Retired);
    }
    if normalize_key(&record.key).as_deref() != Some(record.key.as_str())
        || !key_matches(&record.activity, &a.check, &record.key)
    {
        return Err(KeyVerdict::WrongKey);
    }
    Ok(())
}

/// Whether `author` may set the pass of `member`: only the member themself,
/// active, in a role that takes part in activities (not a kiosk, not a viewer).
pub fn may_write_pass(state: &State, author: &MemberId, member: &MemberId) -> bool {
    author == member
        && state
            .members
            .get(member)
            .is_some_and(|m| m.active && crate::activity::takes_part(m.role))
}

/// Whether `reader` may read the pass of `member`: the member themself, a
/// kiosk (it checks badges and PINs) and coordinators; both active, and the
/// pass's member still one who takes part.
pub fn may_read_pass(state: &State, reader: &MemberId, member: &MemberId) -> bool {
    let (Some(r), Some(m)) = (state.members.get(reader), state.members.get(member)) else {
        return false;
    };
    r.active
        && m.active
        && crate::activity::takes_part(m.role)
        && (reader == member || matches!(r.role, Role::Kiosk | Role::Coordinator))
}

/// The members a kiosk may hold passes of at `now_ms`: those on the
/// rosters of today's activities (places, waiting list, attendance). The
/// kiosk keeps no list of people beyond them; the endpoint hands a kiosk
/// only their passes.
pub fn kiosk_members(state: &State, now_ms: u64) -> std::collections::BTreeSet<MemberId> {
    let mut members = std::collections::BTreeSet::new();
    for a in crate::activities::today(state, now_ms) {
        members.extend(a.places.iter().cloned());
        members.extend(a.waiting.iter().cloned());
        members.extend(a.attendance.keys().cloned());
    }
    members
}

/// What a member's personal QR carries: `linli-pass:<badge>:<member>`.
pub fn badge_text(member: &MemberId, badge: &str) -> String {
    format!("linli-pass:{badge}:{member}")
}

/// The member and badge token a scanned personal QR carries.
pub fn parse_badge(text: &str) -> Option<(MemberId, String)> {
    let rest = text.trim().strip_prefix("linli-pass:")?;
    let (badge, member) = rest.split_once(':')?;
    (!badge.is_empty() && !member.is_empty()).then(|| (MemberId::from(member), badge.to_owned()))
}

/// The check-in link an organiser's QR carries:
/// `<origin>/activities/<id>/check-in?k=<KEY>` (the id percent-encoded by
/// the caller if it needs it).
pub fn check_in_path(activity: &ActivityId, key: &str) -> String {
    format!("/activities/{activity}/check-in?k={key}")
}

/// The key in a scanned or pasted text: the `k` of a check-in link, or the
/// text itself when it is a key as typed. Normalized; `None` if there is none.
pub fn key_in(text: &str) -> Option<String> {
    let text = text.trim();
    match text.split_once('?') {
        Some((_, query)) => query
            .split('#')
            .next()
            .unwrap_or_default()
            .split('&')
            .find_map(|p| p.strip_prefix("k="))
            .and_then(normalize_key),
        None => normalize_key(text),
    }
}

/// 4–6 ASCII digits.
pub fn valid_pin(pin: &str) -> bool {
    PIN_DIGITS.contains(&pin.len()) && pin.bytes().all(|b| b.is_ascii_digit())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hmac_matches_rfc_4231_case_2() {
        let mac = hmac_sha256(b"Jefe", b"what do ya want for nothing?");
        assert_eq!(
            hex(&mac),
            "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843"
        );
        // A key longer than a block is hashed first (RFC 4231 case 6).
        let mac = hmac_sha256(
            &[0xaa; 131],
            b"Test Using Larger Than Block-Size Key - Hash Key First",
        );
        assert_eq!(
            hex(&mac),
            "60e431591ee0b67f0d8a26aacbf5b77f8e0bc6213728c5140546040f0ee37f54"
        );
    }

    #[test]
    fn keys_are_typed_forgivingly_and_checked() {
        let k = new_key([1, 2, 3, 4, 5, 6, 7, 8, 9, 10]);
        assert_eq!(k.len(), KEY_CHARS);
        assert_eq!(normalize_key(&k), Some(k.clone()));
        let shown = display_key(&k);
        assert_eq!(shown.len(), KEY_CHARS + 3);
        assert_eq!(normalize_key(&shown.to_lowercase()), Some(k.clone()));
        assert_eq!(normalize_key("0000-0000-0000-000O"), Some("0".repeat(16)));
        assert_eq!(normalize_key("short"), None);
        assert_eq!(normalize_key("UUUUUUUUUUUUUUUU"), None);
        let a = ActivityId::from("a1");
        let check = key_check(&a, &k);
        assert!(is_hex(&check, CHECK_HEX));
        assert!(key_matches(&a, &check, &shown));
        assert!(!key_matches(&"a2".into(), &check, &k));
        assert!(!key_matches(&a, &check, &new_key([0; 10])));
        assert_ne!(new_key([0; 10]), new_key([0, 0, 0, 0, 0, 0, 0, 0, 0, 1]));
    }

    #[test]
    fn proofs_are_bound_to_member_activity_and_key() {
        let k = new_key([7; 10]);
        let (a, m) = (ActivityId::from("a1"), MemberId::from("v1"));
        let p = proof(&a, &m, &k);
        assert!(is_hex(&p, PROOF_HEX));
        assert_eq!(p, proof(&a, &m, &display_key(&k)));
        assert_ne!(p, proof(&a, &"v2".into(), &k));
        assert_ne!(p, proof(&"a2".into(), &m, &k));
        assert_ne!(p, proof(&a, &m, &new_key([8; 10])));
    }

    #[test]
    fn badges_and_links_read_back() {
        let m = MemberId::from("v:1");
        assert_eq!(
            parse_badge(&badge_text(&m, "ab12")),
            Some((m.clone(), "ab12".into()))
        );
        assert_eq!(parse_badge("linli-pass::v1"), None);
        assert_eq!(parse_badge("https://x/join?code=1"), None);
        let k = new_key([5; 10]);
        let link = format!("https://linli.example{}", check_in_path(&"a1".into(), &k));
        assert_eq!(key_in(&link), Some(k.clone()));
        assert_eq!(key_in(&format!("{link}#x")), Some(k.clone()));
        assert_eq!(key_in(&display_key(&k).to_lowercase()), Some(k.clone()));
        assert_eq!(key_in("https://linli.example/activities/a1/check-in"), None);
        assert_eq!(
            key_in("https://linli.example/activities/a1/check-in?k=123"),
            None
        );
    }

    #[test]
    fn member_passes_keep_hashes_only() {
        let pass = MemberPass::new("v1".into(), "5a17".into(), "2468", "badge-token").unwrap();
        assert!(!pass.pin.contains("2468") && is_hex(&pass.pin, 64));
        assert!(pass.check_pin("2468"));
        assert!(!pass.check_pin("2469"));
        assert!(!pass.check_pin(""));
        assert!(pass.check_badge("badge-token"));
        assert!(!pass.check_badge("other"));
        // The same PIN for another member or salt hashes differently.
        let other = MemberPass::new("v2".into(), "5a17".into(), "2468", "").unwrap();
        assert_ne!(other.pin, pass.pin);
        assert!(!other.check_badge(""));
        assert_eq!(
            MemberPass::new("v1".into(), "s".into(), "12a4", ""),
            Err(PinError::BadPin)
        );
        assert_eq!(PinError::BadPin.code(), "bad_pin");
        assert!(!valid_pin("123") && !valid_pin("1234567") && valid_pin("123456"));
    }
}
