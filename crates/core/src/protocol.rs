//! The sync protocol between devices and linli-server (`/api/v1`): request
//! and response bodies shared by the endpoint and the browser's sync engine.
//! Plain serde types, no HTTP crate. docs/sync-protocol.md describes every
//! endpoint, the storage layout and the error codes.
//!
//! In short: a device redeems a join code (`JoinRequest`) for a bearer token;
//! it pushes its ops in device-seq order (`PushRequest` → `PushResponse`);
//! it pulls by reading the head (`Head`) and then each immutable segment
//! (`Segment`) whose `last_seq` is past its cursor.

use crate::ids::{CommunityId, DeviceId, MemberId};
use crate::model::{Place, Role};
use crate::op::{LogEntry, Op};
use crate::private::ContactRecord;
use serde::{Deserialize, Serialize};

/// Path prefix of every sync endpoint.
pub const API_PREFIX: &str = "/api/v1";
/// Largest request body the endpoint reads (bytes); larger is `body_too_large`.
pub const MAX_BODY_BYTES: usize = 1024 * 1024;
/// Most ops in one push; more is `too_many_ops`.
pub const MAX_OPS_PER_PUSH: usize = 500;
/// Longest display name given when joining (characters).
pub const DISPLAY_NAME_MAX_CHARS: usize = crate::validate::NAME_MAX_CHARS;
/// Longest device name (characters): "三网格王阿姨的手机".
pub const DEVICE_NAME_MAX_CHARS: usize = 40;
/// Most uses a join code may allow.
pub const MAX_CODE_USES: u32 = 10_000;
/// Longest life of a join code (hours; 90 days).
pub const MAX_CODE_HOURS: u32 = 90 * 24;

/// `POST /api/v1/join`: redeem a join code for a device token.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct JoinRequest {
    /// The code as typed or scanned (case, spaces and dashes do not matter).
    pub code: String,
    /// The name the new member shows (ignored for codes bound to a member).
    #[serde(default)]
    pub display_name: String,
}

/// Answer to a join: who this device now is. Keep `token` secret; send it
/// as `Authorization: Bearer <token>` on every other call.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct JoinResponse {
    /// The community joined.
    pub community: CommunityId,
    /// The member this device acts for (the `author` of its ops).
    pub member: MemberId,
    /// This device's id (the `id.dev` of its ops; its seqs start at 1).
    pub device: DeviceId,
    /// The bearer token (shown once; the server keeps only its hash).
    pub token: String,
    /// The member's role when joining.
    pub role: Role,
    /// The place of a building poster's code: the wish form starts there.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub place: Option<Place>,
    /// The code was a street's (街道): `community` is the street's log, and
    /// the device also reads the street's communities (`StreetInfo`).
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub street: bool,
}

/// `GET /api/v1/streets/{street}` (its members): the street and its
/// communities, by name then id.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct StreetInfo {
    /// The street's log id.
    pub street: CommunityId,
    /// Its name (西关街道).
    pub name: String,
    /// The communities linked to it.
    pub communities: Vec<StreetCommunity>,
}

/// One community of a street.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct StreetCommunity {
    /// Community id.
    pub id: CommunityId,
    /// Its name.
    pub name: String,
}

/// `GET /api/v1/streets/{street}/heads?since=…&wait=MS` (its members): the
/// seq of every linked community's log, answered as soon as one is past
/// what the device holds (`since`) or when the wait is over — a street
/// device's live channel, like a community's `head?wait=`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct StreetHeads {
    /// One per linked community, in the street's order.
    pub heads: Vec<StreetHead>,
}

/// One community's log seq in `StreetHeads`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct StreetHead {
    /// The community.
    pub community: CommunityId,
    /// Its log's seq (the last entry's).
    pub seq: u64,
}

/// Most communities a `since` list names (a street has a few dozen).
pub const STREET_SINCE_MAX: usize = 200;

/// `since` of `StreetHeads`: `community:seq` pairs joined by commas (ids
/// are URL-safe and hold neither character).
pub fn street_since(held: &[(CommunityId, u64)]) -> String {
    held.iter()
        .map(|(c, n)| format!("{c}:{n}"))
        .collect::<Vec<_>>()
        .join(",")
}

/// Reads `street_since`'s form; an empty string is an empty list.
pub fn parse_street_since(text: &str) -> Result<Vec<(CommunityId, u64)>, &'static str> {
    if text.is_empty() {
        return Ok(Vec::new());
    }
    let pairs: Vec<&str> = text.split(',').collect();
    if pairs.len() > STREET_SINCE_MAX {
        return Err("since names too many communities");
    }
    pairs
        .into_iter()
        .map(|p| {
            let (c, n) = p
                .rsplit_once(':')
                .ok_or("since takes community:seq pairs")?;
            let n = n.parse().map_err(|_| "since takes community:seq pairs")?;
            if c.is_empty() || c.len() > 64 {
                return Err("since names a community id that cannot be");
            }
            Ok((CommunityId::from(c), n))
        })
        .collect()
}

/// `POST /api/v1/communities/{id}/codes` (coordinator): make a join code.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct CreateCodeRequest {
    /// Role of the member a code creates (ignored when `member` is given).
    pub role: Role,
    /// Hours until the code expires (1 ..= `MAX_CODE_HOURS`).
    pub expires_in_hours: u32,
    /// How many devices may redeem it (1 ..= `MAX_CODE_USES`).
    pub max_uses: u32,
    /// Bind the code to an existing member (a second device for someone)
    /// instead of creating a new member.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub member: Option<MemberId>,
    /// A building poster (扫码点单): the grid and/or building its residents
    /// live in (resident codes only; `unknown_place` if the community has
    /// no such grid or building).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub place: Option<Place>,
}

/// A new join code. `code` is shown once; the server keeps only its hash.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct CreateCodeResponse {
    /// The secret code, formatted `XXXX-XXXX-XXXX`.
    pub code: String,
    /// Public id of the code (for listing and deleting).
    pub code_id: String,
    /// Role of the member the code creates or is bound to.
    pub role: Role,
    /// Bound member, if any.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub member: Option<MemberId>,
    /// A building poster's place, if any.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub place: Option<Place>,
    /// Expiry, epoch milliseconds.
    pub expires_at_ms: u64,
    /// Uses allowed.
    pub max_uses: u32,
}

/// One join code as listed by `GET …/codes` (never the secret).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct CodeInfo {
    /// Public id.
    pub code_id: String,
    /// Role of the member it creates or is bound to.
    pub role: Role,
    /// Bound member, if any.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub member: Option<MemberId>,
    /// A building poster's place, if any.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub place: Option<Place>,
    /// Who made it.
    pub created_by: MemberId,
    /// When, epoch milliseconds.
    pub created_ms: u64,
    /// Expiry, epoch milliseconds.
    pub expires_at_ms: u64,
    /// Uses allowed.
    pub max_uses: u32,
    /// Uses so far.
    pub uses: u32,
    /// Deleted by a coordinator.
    pub revoked: bool,
}

/// `GET …/codes`.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct CodeList {
    /// Codes, oldest first.
    pub codes: Vec<CodeInfo>,
}

/// One device as listed by `GET …/devices`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct DeviceInfo {
    /// Device id.
    pub device: DeviceId,
    /// Member it acts for.
    pub member: MemberId,
    /// The member's current role (none if the member is unknown to the log).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub role: Option<Role>,
    /// Name given when joining.
    pub display_name: String,
    /// The device's own name (its settings), if it gave one.
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub name: String,
    /// Joined, epoch milliseconds.
    pub created_ms: u64,
    /// Last authenticated request seen by the answering instance, if any.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub last_seen_ms: Option<u64>,
    /// Its token no longer works.
    pub revoked: bool,
}

/// `PUT …/devices/{device}/name`: a device names itself, so coordinators
/// can tell its entry from others of the same member. Empty clears it.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct DeviceName {
    /// The name, as `device_name` keeps it.
    pub name: String,
}

/// Why a device name is refused (a stable code).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum DeviceNameError {
    /// Over `DEVICE_NAME_MAX_CHARS`.
    TooLong,
    /// A control character (a newline, a NUL…).
    Control,
}

impl DeviceNameError {
    /// The code, for the UI's words and the API's `reason`.
    pub fn code(self) -> &'static str {
        match self {
            DeviceNameError::TooLong => "device_name_too_long",
            DeviceNameError::Control => "device_name_control",
        }
    }
}

/// A device name as kept: trimmed, at most `DEVICE_NAME_MAX_CHARS`, no
/// control characters. The settings page and the endpoint both ask this.
pub fn device_name(raw: &str) -> Result<String, DeviceNameError> {
    let name = raw.trim();
    if name.chars().count() > DEVICE_NAME_MAX_CHARS {
        return Err(DeviceNameError::TooLong);
    }
    if name.chars().any(char::is_control) {
        return Err(DeviceNameError::Control);
    }
    Ok(name.to_owned())
}

/// `GET …/devices`.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct DeviceList {
    /// Devices, oldest first.
    pub devices: Vec<DeviceInfo>,
}

/// Answer to `DELETE …/devices/{device}` and `DELETE …/members/{member}/tokens`.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Revoked {
    /// Devices whose tokens were revoked by this call (or already were).
    pub devices: Vec<DeviceId>,
}

/// `POST …/ops`: the device's next ops, in device-seq order, consecutive.
/// Ops at or below the device's last accepted seq are acknowledged again
/// (a retry is never appended twice); the first new one must be exactly the
/// next (`seq_gap` otherwise). An empty list just asks for `accepted_through`.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct PushRequest {
    /// Ops minted by the token's device, authored by the token's member.
    pub ops: Vec<Op>,
}

/// Answer to a push: everything up to `accepted_through` is in the log.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct PushResponse {
    /// Highest device seq now in the log (drop the outbox up to here).
    pub accepted_through: u64,
    /// The log's last seq after this push.
    pub head: u64,
    /// The log's epoch (see `Head::epoch`).
    pub epoch: String,
}

/// One immutable segment of the log as listed in the head.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct SegmentInfo {
    /// Name for `GET …/segments/{name}` (opaque).
    pub name: String,
    /// First log seq inside.
    pub first_seq: u64,
    /// Last log seq inside.
    pub last_seq: u64,
}

/// `GET …/head` (never cached): where the log ends and which segments
/// hold it. Segments are listed in order, without overlap, covering
/// `1..=seq` (with `?since=N` only those with `last_seq > N`).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Head {
    /// Last seq of the log (0: empty).
    pub seq: u64,
    /// Identity of this log generation. If it differs from the epoch a
    /// device pulled before, the log was reset: drop the pulled log and
    /// state, keep the unsynced ops, pull again and push them again.
    pub epoch: String,
    /// Segments in seq order.
    pub segments: Vec<SegmentInfo>,
}

impl Head {
    /// The segments a device with pull cursor `cursor` still has to fetch,
    /// in order. The first may start at or before the cursor (compaction
    /// merges small segments): skip entries with `seq <= cursor`.
    pub fn segments_after(&self, cursor: u64) -> impl Iterator<Item = &SegmentInfo> {
        self.segments.iter().filter(move |s| s.last_seq > cursor)
    }
}

/// `GET …/segments/{name}`: immutable, cacheable forever.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Segment {
    /// First log seq inside.
    pub first_seq: u64,
    /// Last log seq inside.
    pub last_seq: u64,
    /// Entries `first_seq..=last_seq`, in order, gap-free.
    pub entries: Vec<LogEntry>,
}

/// `GET …/private`: the contact records the caller may see now.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct PrivateRecords {
    /// Records of open wishes the caller may see (`private::may_see`).
    pub records: Vec<ContactRecord>,
}

/// `GET …/care`: the care list's private records the caller may see now
/// (`care::may_see`).
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct CareRecords {
    /// Household records (name, address, phone, notes).
    pub households: Vec<crate::care::HouseholdRecord>,
    /// Visit notes.
    pub notes: Vec<crate::care::VisitNote>,
}

/// `GET …/private/activities`: the keys of the activities the caller
/// organises (`checkin::may_hold_key`).
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct ActivityKeys {
    /// One record per activity, by activity id.
    pub keys: Vec<crate::checkin::ActivityKey>,
}

/// `GET …/private/passes`: the member passes the caller may read
/// (`checkin::may_read_pass`): all of them for kiosks and coordinators,
/// the caller's own for anyone else.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct MemberPasses {
    /// One pass per member, by member id.
    pub passes: Vec<crate::checkin::MemberPass>,
}

/// `GET …/kiosk`: what a kiosk device holds instead of the log
/// (`kiosk::view`), and the stored form of the PIN that leaves kiosk mode.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct KioskView {
    /// The log's epoch (a new one means the log was reset).
    pub epoch: String,
    /// The kiosk's state, at the log's `seq`.
    pub state: crate::reduce::State,
    /// `kiosk::hash_pin` of the coordinator's PIN; `None` until one is set.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub pin: Option<String>,
}

/// `PUT …/kiosk/pin`: a coordinator sets the PIN that leaves kiosk mode
/// (`kiosk::valid_pin`; the endpoint keeps only `kiosk::hash_pin` of it).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct KioskPin {
    /// 4–8 digits.
    pub pin: String,
}

/// The answer to `PUT …/kiosk/pin`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct KioskPinSet {
    /// Always true.
    pub set: bool,
}

/// One demo join code (`GET /api/v1/demo`, only on a `serve --demo` server).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct DemoCode {
    /// The code (reusable).
    pub code: String,
    /// Demo member it is bound to.
    pub member: MemberId,
    /// That member's name.
    pub name: String,
    /// That member's role.
    pub role: Role,
}

/// `GET /api/v1/demo`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Demo {
    /// The demo community.
    pub community: CommunityId,
    /// Codes bound to demo members of different roles.
    pub codes: Vec<DemoCode>,
    /// The demo street (its coordinator and viewer), when seeded.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub street: Option<DemoStreet>,
}

/// The demo street of `GET /api/v1/demo`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct DemoStreet {
    /// The street's log id.
    pub street: CommunityId,
    /// Codes bound to its demo members.
    pub codes: Vec<DemoCode>,
}

/// Every error body: `{"error": {"code", "message", …}}`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ErrorBody {
    /// The error.
    pub error: ErrorDetail,
}

/// An error: a stable snake_case `code` (see `codes`), an English message,
/// and, for some codes, details.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ErrorDetail {
    /// Stable code.
    pub code: String,
    /// English explanation for logs and developers.
    pub message: String,
    /// `seq_gap`, `invalid_op`, `stamp_in_future`: the device seq the
    /// endpoint expects next.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub expected: Option<u64>,
    /// Index in the pushed `ops` of the op concerned.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub index: Option<usize>,
    /// `invalid_op`: the core's validation code (`title_too_long`, …).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reason: Option<String>,
    /// `stamp_in_future`: the endpoint's clock, epoch milliseconds.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub server_ms: Option<u64>,
    /// `rate_limited`: how long to wait before pushing again, milliseconds.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub retry_after_ms: Option<u64>,
}

/// Stable error codes of the API.
pub mod codes {
    /// 400: the body is not JSON of the expected shape.
    pub const MALFORMED_JSON: &str = "malformed_json";
    /// 400: a path part or field is unusable (e.g. record for another wish).
    pub const BAD_REQUEST: &str = "bad_request";
    /// 401: no, malformed or unknown bearer token.
    pub const UNAUTHORIZED: &str = "unauthorized";
    /// 401: the token was revoked; join again with a new code.
    pub const TOKEN_REVOKED: &str = "token_revoked";
    /// 403: the caller's role may not do this.
    pub const FORBIDDEN: &str = "forbidden";
    /// 403: the token belongs to another community.
    pub const WRONG_COMMUNITY: &str = "wrong_community";
    /// 403: an op's `id.dev` is not the token's device.
    pub const WRONG_DEVICE: &str = "wrong_device";
    /// 403: an op's `author` is not the token's member.
    pub const WRONG_AUTHOR: &str = "wrong_author";
    /// 403: the member was removed from the community (or never reached the log).
    pub const MEMBER_INACTIVE: &str = "member_inactive";
    /// 403: a kiosk's token reads the kiosk view (`GET …/kiosk`), never
    /// the log's segments.
    pub const KIOSK_VIEW_ONLY: &str = "kiosk_view_only";
    /// 403: a kiosk pushed an op a kiosk may not author (`kiosk::may_push`;
    /// `index` names it).
    pub const KIOSK_FORBIDDEN: &str = "kiosk_forbidden";
    /// 403: a street member's token opens only the log (head, segments) and
    /// the street's answers (ops) of the street's communities.
    pub const STREET_NO_ACCESS: &str = "street_no_access";
    /// 404: no such endpoint.
    pub const NOT_FOUND: &str = "not_found";
    /// 404: no such community.
    pub const COMMUNITY_NOT_FOUND: &str = "community_not_found";
    /// 404: no such segment.
    pub const SEGMENT_NOT_FOUND: &str = "segment_not_found";
    /// 404: no such join code.
    pub const CODE_NOT_FOUND: &str = "code_not_found";
    /// 404: no such device.
    pub const DEVICE_NOT_FOUND: &str = "device_not_found";
    /// 404: no such member.
    pub const MEMBER_NOT_FOUND: &str = "member_not_found";
    /// 404: the wish is not (yet) in the log; push its ops first.
    pub const UNKNOWN_WISH: &str = "unknown_wish";
    /// The household (or the visit) is not in the log yet: push its ops first.
    pub const UNKNOWN_HOUSEHOLD: &str = "unknown_household";
    /// 404: the activity is not (yet) in the log; push its ops first.
    pub const UNKNOWN_ACTIVITY: &str = "unknown_activity";
    /// 404: no photo in the log has this hash (push the op that attaches it
    /// first), or its bytes were not uploaded yet (`GET`).
    pub const UNKNOWN_PHOTO: &str = "unknown_photo";
    /// 413: a photo over `photos::PHOTO_MAX_BYTES` (a thumbnail over
    /// `photos::THUMB_MAX_BYTES`).
    pub const PHOTO_TOO_LARGE: &str = "photo_too_large";
    /// 415: the bytes are not a WebP or JPEG image.
    pub const UNSUPPORTED_TYPE: &str = "unsupported_type";
    /// 422: the bytes' SHA-256 is not the one in the path, or their size is
    /// not the one the op declared.
    pub const HASH_MISMATCH: &str = "hash_mismatch";
    /// 405: wrong method.
    pub const METHOD_NOT_ALLOWED: &str = "method_not_allowed";
    /// 408: the body did not arrive in time (slow link); retry.
    pub const REQUEST_TIMEOUT: &str = "request_timeout";
    /// 409: the first new op is not the device's next seq (`expected`).
    pub const SEQ_GAP: &str = "seq_gap";
    /// 409: the wish is closed; its contact record is gone.
    pub const WISH_CLOSED: &str = "wish_closed";
    /// 409: the activity's key was revealed or the activity cancelled; its
    /// key is no longer kept.
    pub const KEY_RETIRED: &str = "key_retired";
    /// 410: the join code expired.
    pub const CODE_EXPIRED: &str = "code_expired";
    /// 410: the join code was deleted (or its maker lost the right to make it).
    pub const CODE_REVOKED: &str = "code_revoked";
    /// 410: the join code has no uses left.
    pub const CODE_USED_UP: &str = "code_used_up";
    /// 413: the body is over `MAX_BODY_BYTES`.
    pub const BODY_TOO_LARGE: &str = "body_too_large";
    /// 413: more than `MAX_OPS_PER_PUSH` ops.
    pub const TOO_MANY_OPS: &str = "too_many_ops";
    /// 422: an op fails validation (`index`, `reason`); it can never be
    /// accepted: drop it and renumber the device's later pending ops from
    /// `expected`.
    pub const INVALID_OP: &str = "invalid_op";
    /// 422: an op is stamped more than 10 minutes ahead of the endpoint's
    /// clock (`server_ms`): fix the clock and re-stamp, or wait.
    pub const STAMP_IN_FUTURE: &str = "stamp_in_future";
    /// 422: the key does not match the activity's commitment (`key_check`).
    pub const WRONG_KEY: &str = "wrong_key";
    /// 422: a field of a non-op body is invalid (`reason`).
    pub const INVALID: &str = "invalid";
    /// 500: the object store failed; retry (pushes are idempotent).
    pub const STORAGE: &str = "storage";
    /// 503: too much contention on the log; retry.
    pub const BUSY: &str = "busy";
    /// 429: the device pushed more than its budget (`PUSH_BUDGET`); retry
    /// after `retry_after_ms`.
    pub const RATE_LIMITED: &str = "rate_limited";

    /// The HTTP status that goes with a code: the one place they are paired.
    /// `None` for a code this version does not know.
    pub fn status(code: &str) -> Option<u16> {
        Some(match code {
            MALFORMED_JSON | BAD_REQUEST => 400,
            UNAUTHORIZED | TOKEN_REVOKED => 401,
            FORBIDDEN | WRONG_COMMUNITY | WRONG_DEVICE | WRONG_AUTHOR | MEMBER_INACTIVE
            | KIOSK_VIEW_ONLY | KIOSK_FORBIDDEN | STREET_NO_ACCESS => 403,
            NOT_FOUND | COMMUNITY_NOT_FOUND | SEGMENT_NOT_FOUND | CODE_NOT_FOUND
            | DEVICE_NOT_FOUND | MEMBER_NOT_FOUND | UNKNOWN_WISH | UNKNOWN_HOUSEHOLD
            | UNKNOWN_ACTIVITY | UNKNOWN_PHOTO => 404,
            METHOD_NOT_ALLOWED => 405,
            REQUEST_TIMEOUT => 408,
            SEQ_GAP | WISH_CLOSED | KEY_RETIRED => 409,
            CODE_EXPIRED | CODE_REVOKED | CODE_USED_UP => 410,
            BODY_TOO_LARGE | TOO_MANY_OPS | PHOTO_TOO_LARGE => 413,
            UNSUPPORTED_TYPE => 415,
            INVALID_OP | STAMP_IN_FUTURE | INVALID | WRONG_KEY | HASH_MISMATCH => 422,
            RATE_LIMITED => 429,
            STORAGE => 500,
            BUSY => 503,
            _ => return None,
        })
    }

    /// Every code, for tests that check an answer carries a known one.
    pub const ALL: &[&str] = &[
        MALFORMED_JSON,
        BAD_REQUEST,
        UNAUTHORIZED,
        TOKEN_REVOKED,
        FORBIDDEN,
        WRONG_COMMUNITY,
        STREET_NO_ACCESS,
        WRONG_DEVICE,
        WRONG_AUTHOR,
        MEMBER_INACTIVE,
        KIOSK_VIEW_ONLY,
        KIOSK_FORBIDDEN,
        NOT_FOUND,
        COMMUNITY_NOT_FOUND,
        SEGMENT_NOT_FOUND,
        CODE_NOT_FOUND,
        DEVICE_NOT_FOUND,
        MEMBER_NOT_FOUND,
        UNKNOWN_WISH,
        UNKNOWN_HOUSEHOLD,
        METHOD_NOT_ALLOWED,
        REQUEST_TIMEOUT,
        SEQ_GAP,
        WISH_CLOSED,
        CODE_EXPIRED,
        CODE_REVOKED,
        CODE_USED_UP,
        BODY_TOO_LARGE,
        TOO_MANY_OPS,
        INVALID_OP,
        STAMP_IN_FUTURE,
        INVALID,
        STORAGE,
        BUSY,
        RATE_LIMITED,
        UNKNOWN_ACTIVITY,
        KEY_RETIRED,
        WRONG_KEY,
        UNKNOWN_PHOTO,
        PHOTO_TOO_LARGE,
        UNSUPPORTED_TYPE,
        HASH_MISMATCH,
    ];
}

/// What one device may push to one endpoint instance: a burst of `ops`
/// ops and `bytes` bytes (as JSON), regained at `per_hour` of each per
/// hour. A week's offline work of a busy coordinator (~1,500 ops, ~1 MB)
/// goes through at once; a device pushing junk is stopped after the burst.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct PushBudget {
    /// Most ops in a burst.
    pub ops: u64,
    /// Most bytes in a burst.
    pub bytes: u64,
    /// Ops regained per hour.
    pub ops_per_hour: u64,
    /// Bytes regained per hour.
    pub bytes_per_hour: u64,
}

/// The endpoint's push budget per device and instance.
pub const PUSH_BUDGET: PushBudget = PushBudget {
    ops: 4_000,
    bytes: 4 * 1024 * 1024,
    ops_per_hour: 1_000,
    bytes_per_hour: 1024 * 1024,
};

/// Canonical form of a join code: letters upper-cased, everything but
/// letters and digits dropped (people type dashes and spaces freely).
pub fn normalize_code(code: &str) -> String {
    code.chars()
        .filter(char::is_ascii_alphanumeric)
        .map(|c| c.to_ascii_uppercase())
        .collect()
}

/// Path of a community's endpoint, e.g. `community_path("c1", "head")`
/// = `/api/v1/communities/c1/head`.
pub fn community_path(community: &str, rest: &str) -> String {
    format!("{API_PREFIX}/communities/{community}/{rest}")
}

#[cfg(test)]
mod tests {
    #[test]
    fn street_since_round_trips_and_refuses_junk() {
        use super::{STREET_SINCE_MAX, parse_street_since, street_since};
        let held = vec![("changshou-road".into(), 12), ("ximen-li".into(), 0)];
        assert_eq!(street_since(&held), "changshou-road:12,ximen-li:0");
        assert_eq!(parse_street_since(&street_since(&held)), Ok(held));
        assert_eq!(parse_street_since(""), Ok(Vec::new()));
        for bad in [
            "c",
            "c:",
            ":3",
            "c:-1",
            "c:x",
            "c:1,,d:2",
            &format!("{}:1", "c".repeat(65)),
        ] {
            assert!(parse_street_since(bad).is_err(), "{bad}");
        }
        let many = vec!["c:1"; STREET_SINCE_MAX + 1].join(",");
        assert!(parse_street_since(&many).is_err());
    }

    use super::*;

    #[test]
    fn device_names() {
        assert_eq!(
            device_name("  王阿姨的手机 ").as_deref(),
            Ok("王阿姨的手机")
        );
        assert_eq!(device_name("").as_deref(), Ok(""));
        let longest = "机".repeat(DEVICE_NAME_MAX_CHARS);
        assert_eq!(device_name(&longest), Ok(longest.clone()));
        assert_eq!(
            device_name(&format!("{longest}机")),
            Err(DeviceNameError::TooLong)
        );
        assert_eq!(device_name("手\n机"), Err(DeviceNameError::Control));
        assert_eq!(device_name("手\u{0}机"), Err(DeviceNameError::Control));
    }

    #[test]
    fn codes_normalize() {
        assert_eq!(normalize_code(" ab12-cd34 ef56 "), "AB12CD34EF56");
        assert_eq!(normalize_code("邻里"), "");
    }

    #[test]
    fn segments_after_cursor() {
        let seg = |a, b| SegmentInfo {
            name: format!("s{a}"),
            first_seq: a,
            last_seq: b,
        };
        let head = Head {
            seq: 30,
            epoch: "e".into(),
            segments: vec![seg(1, 10), seg(11, 20), seg(21, 30)],
        };
        let names: Vec<_> = head.segments_after(15).map(|s| s.name.as_str()).collect();
        assert_eq!(names, ["s11", "s21"]);
        assert_eq!(head.segments_after(30).count(), 0);
    }

    #[test]
    fn every_code_has_one_status() {
        for code in codes::ALL {
            let s = codes::status(code).unwrap_or_else(|| panic!("{code} has no status"));
            assert!((400..600).contains(&s), "{code}: {s}");
        }
        let mut unique = codes::ALL.to_vec();
        unique.sort();
        unique.dedup();
        assert_eq!(unique.len(), codes::ALL.len(), "a code is listed twice");
        assert_eq!(codes::status("from_the_future"), None);
    }

    #[test]
    fn error_body_round_trips_and_omits_empty_details() {
        let e = ErrorBody {
            error: ErrorDetail {
                code: codes::SEQ_GAP.into(),
                message: "gap".into(),
                expected: Some(7),
                index: None,
                reason: None,
                server_ms: None,
                retry_after_ms: None,
            },
        };
        let json = serde_json::to_string(&e).unwrap();
        assert_eq!(
            json,
            r#"{"error":{"code":"seq_gap","message":"gap","expected":7}}"#
        );
        assert_eq!(serde_json::from_str::<ErrorBody>(&json).unwrap(), e);
    }
}
