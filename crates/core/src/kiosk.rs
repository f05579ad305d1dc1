//! The service-centre tablet (role `kiosk`): what it may hold, which pages it
//! shows, the completion slip's code, and the PIN that lets a coordinator
//! leave kiosk mode. The endpoint serves a kiosk `view` instead of the log
//! (docs/kiosk.md); everything here is pure and decided once for the app and
//! the endpoint.
use sha2::{Digest, Sha256};

use crate::activities;
use crate::checkin::{KEY_ALPHABET, hmac_sha256};
use crate::ids::{DeviceId, MemberId, TeamId, WishId};
use crate::model::{Member, Status, Wish};
use crate::op::Action;
use crate::permissions::{Rule, rule};
use crate::reduce::State;

/// The State a kiosk device holds: the community (name, grids, buildings,
/// settings), the kiosk's own member, today's activities with the members
/// on their rosters (id, name and role only) and the teams organising them
/// (name only), finished wishes it may take an evaluation for (`evaluable`),
/// stripped to their status and category, and the dedupe and void
/// records of its own device. No wish text, no ledger, no resource, no
/// other member. `now_ms` is the endpoint's clock ("today").
pub fn view(state: &State, member: &MemberId, device: &DeviceId, now_ms: u64) -> State {
    let mut v = State {
        seq: state.seq,
        clock: state.clock,
        community: state.community.clone(),
        ..State::default()
    };
    let keep = |v: &mut State, id: &MemberId| {
        if let Some(m) = state.members.get(id) {
            v.members.insert(id.clone(), named(m));
        }
    };
    keep(&mut v, member);
    for a in activities::today(state, now_ms) {
        let mut a = a.clone();
        for m in a.places.iter().chain(&a.waiting).chain(a.attendance.keys()) {
            keep(&mut v, m);
        }
        if let Some(crate::activity::Organiser::Team(t)) = &a.organiser {
            keep_team(state, &mut v, t);
        }
        if let Some(crate::activity::Organiser::Partner(p)) = &a.organiser
            && let Some(u) = state.partners.get(p)
        {
            v.partners.insert(p.clone(), u.clone());
        }
        // The key is revealed only after the day; the kiosk needs none.
        a.key = None;
        v.activity_ends.extend(
            state
                .activity_ends
                .iter()
                .filter(|(_, id)| *id == a.id)
                .cloned(),
        );
        v.activities.insert(a.id.clone(), a);
    }
    for w in state.wishes.values().filter(|w| evaluable(w)) {
        v.wishes.insert(w.id.clone(), stub(w));
    }
    if let Some(seen) = state.seen.get(device) {
        v.seen.insert(device.clone(), seen.clone());
    }
    v.voids = state
        .voids
        .iter()
        .filter(|(id, _)| &id.device == device)
        .map(|(k, r)| (k.clone(), *r))
        .collect();
    v
}

fn named(m: &Member) -> Member {
    Member {
        id: m.id.clone(),
        name: m.name.clone(),
        role: m.role,
        skills: Vec::new(),
        grids: Vec::new(),
        partner: None,
        active: m.active,
    }
}

fn keep_team(state: &State, v: &mut State, t: &TeamId) {
    if let Some(team) = state.teams.get(t) {
        let mut team = team.clone();
        team.members.clear();
        team.lead = None;
        v.teams.insert(t.clone(), team);
    }
}

fn stub(w: &Wish) -> Wish {
    let mut w = w.clone();
    w.title = String::new();
    w.description = String::new();
    w.place = Default::default();
    w.window = None;
    w.holder = None;
    w.lease = None;
    w.team = None;
    w.rejection = None;
    w.escalation = None;
    w.completion = None;
    w.evaluations.clear();
    w.duplicates.clear();
    w.timeline.clear();
    w
}

/// Whether a kiosk may take the evaluation of `w`: it is finished
/// (completed, not yet evaluated) and no member requested it, so nobody
/// could evaluate it in the app: it was filed at a kiosk or on behalf of a
/// resident. The reducer decides the same (`Rule::Walkup`).
pub fn evaluable(w: &Wish) -> bool {
    w.status == Status::Completed && w.requester.is_none()
}

/// Whether the endpoint accepts an op of `action` from a kiosk's token: the
/// ones the matrix lets a kiosk author at all (`permissions::rule`).
pub fn may_push(action: Action) -> bool {
    rule(crate::model::Role::Kiosk, action) != Rule::No
}

/// The app's routes a kiosk shows without the PIN; every other route sends
/// it to its home (`/`).
pub const ROUTES: &[&str] = &[
    "/",
    "/wishes",
    "/kiosk/check-in",
    "/kiosk/evaluate",
    "/kiosk/leave",
];

/// Whether a locked kiosk may show `path` (a query or fragment is ignored).
pub fn allows_route(path: &str) -> bool {
    let path = path.split(['?', '#']).next().unwrap_or("");
    let path = match path.strip_suffix('/') {
        Some(p) if !p.is_empty() => p,
        _ => path,
    };
    ROUTES.contains(&path)
}

/// Characters of a slip code (Crockford base32, as the check-in keys).
pub const SLIP_CHARS: usize = 6;

/// The code printed on a wish's completion slip: 6 characters (30 bits) of
/// SHA-256 over the wish id. Not a secret from anyone who reads the log (it
/// is derived from the wish id); it keeps a walk-up person from rating a
/// service they hold no slip for, and a mistyped code from rating another.
pub fn slip_code(wish: &WishId) -> String {
    let h = Sha256::new()
        .chain_update(b"linli/slip\n")
        .chain_update(wish.as_str())
        .finalize();
    let bits = u32::from_be_bytes([h[0], h[1], h[2], h[3]]) >> 2;
    (0..SLIP_CHARS)
        .rev()
        .map(|i| KEY_ALPHABET[((bits >> (5 * i)) & 31) as usize] as char)
        .collect()
}

/// A slip code for reading: `ABC-DEF`.
pub fn display_slip(code: &str) -> String {
    if code.len() == SLIP_CHARS && code.is_ascii() {
        format!("{}-{}", &code[..3], &code[3..])
    } else {
        code.to_owned()
    }
}

/// A slip code as typed: upper case, no spaces or dashes, O → 0, I/L → 1.
/// `None` if it cannot be a slip code.
pub fn normalize_slip(typed: &str) -> Option<String> {
    crate::checkin::normalize_code(typed, SLIP_CHARS)
}

/// Why a typed slip code finds no wish to evaluate.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum SlipError {
    /// Not six letters and digits of the slip alphabet.
    Malformed,
    /// No finished wish this kiosk may evaluate has that code (unknown,
    /// already evaluated, not finished, or requested by a member).
    NotFound,
}

crate::code::coded!(SlipError {
    Malformed => "malformed",
    NotFound => "not_found",
});

/// The wish a typed slip code names, among those the kiosk may evaluate.
pub fn by_slip<'a>(state: &'a State, typed: &str) -> Result<&'a Wish, SlipError> {
    let code = normalize_slip(typed).ok_or(SlipError::Malformed)?;
    state
        .wishes
        .values()
        .find(|w| evaluable(w) && slip_code(&w.id) == code)
        .ok_or(SlipError::NotFound)
}

/// PBKDF2-HMAC-SHA256 rounds of a kiosk PIN hash.
pub const PIN_ROUNDS: u32 = 20_000;
/// PIN length, digits.
pub const PIN_DIGITS: std::ops::RangeInclusive<usize> = 4..=8;

/// Whether `pin` is 4–8 digits.
pub fn valid_pin(pin: &str) -> bool {
    PIN_DIGITS.contains(&pin.len()) && pin.bytes().all(|b| b.is_ascii_digit())
}

/// PBKDF2-HMAC-SHA256 (RFC 8018), one 32-byte block.
pub fn pbkdf2_sha256(password: &[u8], salt: &[u8], rounds: u32) -> [u8; 32] {
    let mut first = salt.to_vec();
    first.extend_from_slice(&1u32.to_be_bytes());
    let mut u = hmac_sha256(password, &first);
    let mut t = u;
    for _ in 1..rounds {
        u = hmac_sha256(password, &u);
        for (t, u) in t.iter_mut().zip(u) {
            *t ^= u;
        }
    }
    t
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

/// The stored form of a kiosk PIN: `pbkdf2-sha256$ROUNDS$SALT$HASH` (salt
/// and hash in hex). `salt` is 16 random bytes from the endpoint.
pub fn hash_pin(pin: &str, salt: &[u8; 16]) -> String {
    let salt = hex(salt);
    let h = pbkdf2_sha256(pin.as_bytes(), salt.as_bytes(), PIN_ROUNDS);
    format!("pbkdf2-sha256${PIN_ROUNDS}${salt}${}", hex(&h))
}

/// Whether `pin` is the PIN whose stored form is `stored`.
pub fn pin_matches(stored: &str, pin: &str) -> bool {
    let mut parts = stored.split('$');
    let (Some("pbkdf2-sha256"), Some(rounds), Some(salt), Some(want), None) = (
        parts.next(),
        parts.next(),
        parts.next(),
        parts.next(),
        parts.next(),
    ) else {
        return false;
    };
    let Ok(rounds) = rounds.parse::<u32>() else {
        return false;
    };
    if !valid_pin(pin) || !(1..=1_000_000).contains(&rounds) {
        return false;
    }
    let got = hex(&pbkdf2_sha256(pin.as_bytes(), salt.as_bytes(), rounds));
    // Not secret-dependent timing that matters (the hash is on the device),
    // but compare every byte anyway.
    got.len() == want.len()
        && got
            .bytes()
            .zip(want.bytes())
            .fold(0, |d, (a, b)| d | (a ^ b))
            == 0
}

/// Wrong PINs allowed before the device makes the next one wait.
pub const PIN_FREE_TRIES: u32 = 3;
/// The first wait; each further wrong PIN doubles it, up to `PIN_MAX_WAIT_MS`.
pub const PIN_FIRST_WAIT_MS: u64 = 30_000;
/// The longest wait between two tries.
pub const PIN_MAX_WAIT_MS: u64 = 60 * 60_000;

/// How long after the last of `failures` wrong PINs in a row the next try
/// is taken: none for the first three, then 30 s doubling to an hour.
pub fn pin_wait_ms(failures: u32) -> u64 {
    if failures < PIN_FREE_TRIES {
        return 0;
    }
    let doublings = (failures - PIN_FREE_TRIES).min(20);
    PIN_FIRST_WAIT_MS
        .saturating_mul(1 << doublings)
        .min(PIN_MAX_WAIT_MS)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pbkdf2_matches_rfc_7914_vectors() {
        assert_eq!(
            hex(&pbkdf2_sha256(b"password", b"salt", 1)),
            "120fb6cffcf8b32c43e7225256c4f837a86548c92ccc35480805987cb70be17b"
        );
        assert_eq!(
            hex(&pbkdf2_sha256(b"password", b"salt", 2)),
            "ae4d0c95af6b46d32d0adff928f06dd02a303f8ef3c251dfd6e2d85a95474c43"
        );
        assert_eq!(
            hex(&pbkdf2_sha256(b"password", b"salt", 4096)),
            "c5e478d59288c841aa530db6845c4c8d962893a001ce4e11a4963873aa98134a"
        );
    }

    #[test]
    fn pins_hash_salted_and_check() {
        assert!(valid_pin("1234") && valid_pin("12345678"));
        assert!(!valid_pin("123") && !valid_pin("123456789") && !valid_pin("12a4"));
        let a = hash_pin("2468", &[1; 16]);
        let b = hash_pin("2468", &[2; 16]);
        assert_ne!(a, b, "salted");
        assert!(a.starts_with("pbkdf2-sha256$20000$0101"));
        assert!(pin_matches(&a, "2468") && pin_matches(&b, "2468"));
        assert!(!pin_matches(&a, "2469") && !pin_matches(&a, "24680"));
        assert!(!pin_matches("", "2468") && !pin_matches("md5$1$x$y", "2468"));
        assert!(!pin_matches("pbkdf2-sha256$0$00$00", "2468"));
    }

    #[test]
    fn wrong_pins_wait_longer_and_longer() {
        let w: Vec<u64> = (0..8).map(pin_wait_ms).collect();
        assert_eq!(w, [0, 0, 0, 30_000, 60_000, 120_000, 240_000, 480_000]);
        assert_eq!(pin_wait_ms(12), PIN_MAX_WAIT_MS);
        assert_eq!(pin_wait_ms(u32::MAX), PIN_MAX_WAIT_MS);
    }

    #[test]
    fn slip_codes_are_short_stable_and_forgiving() {
        let w = WishId::from("w-1");
        let c = slip_code(&w);
        assert_eq!(c.len(), SLIP_CHARS);
        assert_eq!(c, slip_code(&WishId::from("w-1")));
        assert_ne!(c, slip_code(&WishId::from("w-2")));
        let shown = display_slip(&c);
        assert_eq!(shown.len(), 7);
        assert_eq!(
            normalize_slip(&shown.to_lowercase()).as_deref(),
            Some(c.as_str())
        );
        assert_eq!(normalize_slip(" o1l-abc ").as_deref(), Some("011ABC"));
        assert_eq!(normalize_slip("ABCDE"), None);
        assert_eq!(normalize_slip("ABCDEU"), None, "U is not in the alphabet");
        // 10,000 wishes: codes spread (few collisions in 2^30).
        let codes =
            crate::lean::set((0..10_000).map(|i| slip_code(&WishId::from(format!("w{i}")))));
        assert!(codes.len() >= 9_990, "{}", codes.len());
    }

    #[test]
    fn a_locked_kiosk_shows_only_its_routes() {
        for p in [
            "/",
            "/wishes",
            "/wishes?grid=g1&building=3",
            "/kiosk/evaluate",
            "/kiosk/leave/",
            "/kiosk/check-in",
        ] {
            assert!(allows_route(p), "{p}");
        }
        for p in [
            "/settings",
            "/board",
            "/wishes/w1",
            "/admin",
            "/join",
            "/invite",
            "/kiosk",
            "/x",
        ] {
            assert!(!allows_route(p), "{p}");
        }
    }

    #[test]
    fn a_kiosk_pushes_only_what_it_may_author() {
        for a in Action::ALL {
            assert_eq!(
                may_push(a),
                matches!(
                    a,
                    Action::CreateWish
                        | Action::ExpireLease
                        | Action::CheckIn
                        | Action::CheckOut
                        | Action::Evaluate
                        | Action::AttachPhotos
                ),
                "{a:?}"
            );
        }
    }
}
