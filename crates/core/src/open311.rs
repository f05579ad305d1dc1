//! Open311 GeoReport v2 for a community: the rules behind the endpoint
//! (`crates/server/src/open311.rs`), pure and tested here. A city system
//! (a 12345 hotline, a city app) holds an API key a coordinator made; the
//! key has an identity in the community (a kiosk-role member named after the
//! key), and a request it posts becomes a `CreateWish` on the `city` channel
//! authored by that identity, exactly as a walk-up wish at the kiosk is.
//!
//! What is decided here: who manages keys (`may_manage_keys`), a key's
//! name (`key_name`), category ↔ `service_code` (`services`, `category`),
//! lifecycle → open/closed (`request_status`), datetimes in the community's
//! offset (`datetime`, `parse_datetime`), what a request shows
//! (`request`: never a phone, a name or an exact address), which requests a
//! key reads (`requests`, `Query`), what a POST may carry (`filing`), and
//! the JSON/XML shapes of the spec (`xml_*`). Reference: docs/open311.md.

use crate::calendar;
use crate::ids::{CommunityId, MemberId, WishId};
use crate::model::{Category, Channel, Community, Place, Role, Status, Urgency, Wish};
use crate::op::OpKind;
use crate::private::ContactRecord;
use crate::reduce::State;
use crate::validate;
use serde::Serialize;

/// Longest API key name ("12345 热线"), in characters.
pub const KEY_NAME_MAX_CHARS: usize = 40;
/// Most requests one `GET requests` answers (the spec's suggested cap).
pub const MAX_RESULTS: usize = 1000;
/// The default window of `GET requests` without dates: the last 90 days.
pub const DEFAULT_DAYS: u64 = 90;
/// Most ids in a `service_request_id` list.
pub const MAX_IDS: usize = 200;
/// Longest `Idempotency-Key`, in bytes.
pub const IDEMPOTENCY_KEY_MAX_BYTES: usize = 200;

/// Whether `member` may create, list and revoke the community's API keys:
/// active coordinators only. A key belongs to the community, not to the
/// coordinator who made it: it stays valid when its maker is demoted or
/// removed, until a coordinator revokes it.
pub fn may_manage_keys(state: &State, member: &MemberId) -> bool {
    state
        .members
        .get(member)
        .is_some_and(|m| m.active && m.role == Role::Coordinator)
}

/// Whether `member` may create, list and revoke a *street's* API keys
/// (`state` is the street's log): its active street coordinators
/// (`street::may_answer`). As for a community, a key outlives its maker.
pub fn may_manage_street_keys(state: &State, member: &MemberId) -> bool {
    state
        .members
        .get(member)
        .is_some_and(|m| crate::street::may_answer(m.role, m.active))
}

/// A key's name as typed: trimmed, 1 to `KEY_NAME_MAX_CHARS` characters,
/// no control characters. Errors are the stable reason codes
/// `key_name_empty`, `key_name_too_long`, `key_name_control`.
pub fn key_name(raw: &str) -> Result<String, &'static str> {
    let name = raw.trim();
    if name.is_empty() {
        Err("key_name_empty")
    } else if name.chars().count() > KEY_NAME_MAX_CHARS {
        Err("key_name_too_long")
    } else if name.chars().any(char::is_control) {
        Err("key_name_control")
    } else {
        Ok(name.to_owned())
    }
}

/// The op that gives a new key its identity: a kiosk-role member named
/// after the key (files on the city channel, names no requester, never
/// reads a contact record back).
pub fn identity_op(member: MemberId, name: &str) -> OpKind {
    OpKind::AddMember {
        member,
        name: name.to_owned(),
        role: Role::Kiosk,
        skills: Vec::new(),
        grids: Vec::new(),
        partner: None,
    }
}

/// The op that retires a revoked key's identity.
pub fn retire_op(member: MemberId) -> OpKind {
    OpKind::RemoveMember { member }
}

// ---- errors -----------------------------------------------------------

/// An Open311 error: the HTTP status (the spec's `code`), a stable code and
/// a description.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Error {
    /// HTTP status, the spec's numeric `code`.
    pub status: u16,
    /// Stable code (`codes::*`).
    pub code: &'static str,
    /// What went wrong, in English, for the city system's developers.
    pub description: String,
}

impl Error {
    /// An error with the status `codes::status` gives `code`.
    pub fn new(code: &'static str, description: impl Into<String>) -> Error {
        Error {
            status: codes::status(code),
            code,
            description: description.into(),
        }
    }
}

/// The stable codes of Open311 errors and their HTTP statuses.
pub mod codes {
    /// No `api_key` sent (403).
    pub const API_KEY_REQUIRED: &str = "api_key_required";
    /// An `api_key` nobody issued here (403).
    pub const INVALID_API_KEY: &str = "invalid_api_key";
    /// A revoked `api_key` (403).
    pub const API_KEY_REVOKED: &str = "api_key_revoked";
    /// `jurisdiction_id` is not this community (404).
    pub const JURISDICTION_NOT_FOUND: &str = "jurisdiction_not_found";
    /// No such community (404).
    pub const COMMUNITY_NOT_FOUND: &str = "community_not_found";
    /// No such street (404).
    pub const STREET_NOT_FOUND: &str = "street_not_found";
    /// A `service_code` that is no category (404 on `services/{code}`, 400 in a POST or filter).
    pub const UNKNOWN_SERVICE_CODE: &str = "unknown_service_code";
    /// A request id this key cannot read (404).
    pub const REQUEST_NOT_FOUND: &str = "request_not_found";
    /// Neither `.json` nor `.xml` (404).
    pub const BAD_FORMAT: &str = "bad_format";
    /// A required field is missing (400).
    pub const MISSING_FIELD: &str = "missing_field";
    /// lat/long not numbers in range (400).
    pub const BAD_LOCATION: &str = "bad_location";
    /// `address_id` is no grid or building of the community (400).
    pub const UNKNOWN_ADDRESS_ID: &str = "unknown_address_id";
    /// A date that is not W3C (400).
    pub const BAD_DATE: &str = "bad_date";
    /// A status filter other than open/closed (400).
    pub const BAD_STATUS: &str = "bad_status";
    /// A field over its limit or of the wrong shape (400; see the description).
    pub const INVALID: &str = "invalid";
    /// A POST body that is not form-encoded (415).
    pub const UNSUPPORTED_MEDIA_TYPE: &str = "unsupported_media_type";
    /// A body over the server's limit (413).
    pub const BODY_TOO_LARGE: &str = "body_too_large";
    /// A method the path does not take (405).
    pub const METHOD_NOT_ALLOWED: &str = "method_not_allowed";
    /// The community refused the wish (its identity left, 409).
    pub const REFUSED: &str = "refused";
    /// Storage failed (500).
    pub const STORAGE: &str = "storage";
    /// Too busy, retry (503).
    pub const BUSY: &str = "busy";

    /// Every code, for tests.
    pub const ALL: &[&str] = &[
        API_KEY_REQUIRED,
        INVALID_API_KEY,
        API_KEY_REVOKED,
        JURISDICTION_NOT_FOUND,
        COMMUNITY_NOT_FOUND,
        STREET_NOT_FOUND,
        UNKNOWN_SERVICE_CODE,
        REQUEST_NOT_FOUND,
        BAD_FORMAT,
        MISSING_FIELD,
        BAD_LOCATION,
        UNKNOWN_ADDRESS_ID,
        BAD_DATE,
        BAD_STATUS,
        INVALID,
        UNSUPPORTED_MEDIA_TYPE,
        BODY_TOO_LARGE,
        METHOD_NOT_ALLOWED,
        REFUSED,
        STORAGE,
        BUSY,
    ];

    /// The HTTP status of a code.
    pub fn status(code: &str) -> u16 {
        match code {
            API_KEY_REQUIRED | INVALID_API_KEY | API_KEY_REVOKED => 403,
            JURISDICTION_NOT_FOUND
            | COMMUNITY_NOT_FOUND
            | STREET_NOT_FOUND
            | REQUEST_NOT_FOUND
            | BAD_FORMAT => 404,
            METHOD_NOT_ALLOWED => 405,
            REFUSED => 409,
            BODY_TOO_LARGE => 413,
            UNSUPPORTED_MEDIA_TYPE => 415,
            STORAGE => 500,
            BUSY => 503,
            _ => 400,
        }
    }
}

// ---- services -----------------------------------------------------------

/// One service of `GET services` (a wish category).
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Service {
    /// The category's code, e.g. `repair`.
    pub service_code: String,
    /// Its name, e.g. 维修.
    pub service_name: String,
    /// What it covers.
    pub description: String,
    /// Always false: no extra attributes are asked.
    pub metadata: bool,
    /// Always `realtime`: a wish is in the log the moment it is posted.
    #[serde(rename = "type")]
    pub kind: String,
    /// Search words.
    pub keywords: String,
    /// The group: 社区服务.
    pub group: String,
}

/// Name and description of each category (the community's language).
fn category_words(c: Category) -> (&'static str, &'static str) {
    match c {
        Category::Repair => ("维修", "灯具、漏水、门牌、台阶等小修小补"),
        Category::Cleaning => ("保洁", "楼道杂物、院落清理"),
        Category::ElderlyCare => ("助老", "为老年居民上门服务"),
        Category::Parking => ("停车", "车位、充电、乱停车"),
        Category::Greening => ("绿化", "修剪、补种、无人管理的绿地"),
        Category::LegalAid => ("法律援助", "法律咨询与援助"),
        Category::Medical => ("医疗", "义诊、就医协助"),
        Category::Paperwork => ("代办", "证件、补贴、申请代办"),
        Category::Other => ("其他", "其他社区小事"),
    }
}

/// The service of a category.
pub fn service(c: Category) -> Service {
    let (name, description) = category_words(c);
    Service {
        service_code: c.code().to_owned(),
        service_name: name.to_owned(),
        description: description.to_owned(),
        metadata: false,
        kind: "realtime".to_owned(),
        keywords: format!("{name}, {}", c.code().replace('_', " ")),
        group: "社区服务".to_owned(),
    }
}

/// Every service: the wish categories, in the order the wish form offers.
pub fn services() -> Vec<Service> {
    Category::ALL.iter().map(|c| service(*c)).collect()
}

/// The category a `service_code` names.
pub fn category(service_code: &str) -> Option<Category> {
    Category::from_code(service_code.trim())
}

// ---- requests -----------------------------------------------------------

/// Open311's two statuses.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum RequestStatus {
    /// Being dealt with.
    Open,
    /// Over.
    Closed,
}

impl RequestStatus {
    /// `open` or `closed`.
    pub fn code(self) -> &'static str {
        match self {
            RequestStatus::Open => "open",
            RequestStatus::Closed => "closed",
        }
    }
}

/// A wish's lifecycle as Open311 sees it: closed once the wish is over
/// (closed after evaluation, rejected, merged, cancelled), open otherwise —
/// a completed wish waiting for its evaluation is still open, since a
/// 不满意 sends the work back (`status_notes` says "completed").
pub fn request_status(s: Status) -> RequestStatus {
    if s.is_terminal() {
        RequestStatus::Closed
    } else {
        RequestStatus::Open
    }
}

/// The finer status, in the community's words, for `status_notes`.
fn status_words(s: Status) -> &'static str {
    match s {
        Status::Submitted => "已受理，待派单",
        Status::Published => "已发布，待志愿者接单",
        Status::Assigned => "已派单",
        Status::Claimed => "志愿者已接单",
        Status::InProgress => "服务中",
        Status::Completed => "服务已完成，待评价",
        Status::Closed => "已办结",
        Status::Reopened => "返工，待重新派单",
        Status::Rejected => "未受理",
        Status::Merged => "已与相同诉求合并办理",
        Status::Escalated => "已上报街道",
        Status::Cancelled => "已撤销",
    }
}

/// `YYYY-MM-DDThh:mm:ss±hh:mm` of `ms` at `offset_min` from UTC (W3C).
pub fn datetime(ms: u64, offset_min: i32) -> String {
    let day = calendar::local(ms, offset_min);
    let local = ms as i64 + i64::from(offset_min) * 60_000;
    let secs = local.rem_euclid(calendar::DAY_MS as i64) / 1000;
    let (h, m, s) = (secs / 3600, secs / 60 % 60, secs % 60);
    let sign = if offset_min < 0 { '-' } else { '+' };
    let off = offset_min.unsigned_abs();
    format!(
        "{:04}-{:02}-{:02}T{h:02}:{m:02}:{s:02}{sign}{:02}:{:02}",
        day.year,
        day.month,
        day.day,
        off / 60,
        off % 60
    )
}

/// The instant a W3C date or datetime names: `YYYY-MM-DD` (midnight in
/// community time), `YYYY-MM-DDThh:mm[:ss[.fff]]` followed by `Z`,
/// `±hh:mm`, `±hhmm` or nothing (community time). `None` for anything
/// else, a day that does not exist, or before 1970.
pub fn parse_datetime(value: &str, offset_min: i32) -> Option<u64> {
    let v = value.trim();
    let b = v.as_bytes();
    let num = |a: usize, n: usize| -> Option<i64> {
        let s = v.get(a..a + n)?;
        s.bytes()
            .all(|c| c.is_ascii_digit())
            .then(|| s.parse().ok())?
    };
    if b.len() < 10 || b[4] != b'-' || b[7] != b'-' {
        return None;
    }
    let (year, month, day) = (num(0, 4)?, num(5, 2)? as u32, num(8, 2)? as u32);
    if !(1..=12).contains(&month) || day == 0 || day > calendar::month_days(year, month) {
        return None;
    }
    let (mut secs, mut offset, mut i) = (0i64, i64::from(offset_min), 10);
    if b.len() > 10 {
        if !matches!(b[10], b'T' | b't' | b' ') || b.len() < 16 || b[13] != b':' {
            return None;
        }
        let (h, m) = (num(11, 2)?, num(14, 2)?);
        i = 16;
        let mut s = 0;
        if b.get(16) == Some(&b':') {
            s = num(17, 2)?;
            i = 19;
            if b.get(19) == Some(&b'.') {
                i = 20;
                while b.get(i).is_some_and(u8::is_ascii_digit) {
                    i += 1;
                }
                if i == 20 {
                    return None;
                }
            }
        }
        if h > 23 || m > 59 || s > 60 {
            return None;
        }
        secs = h * 3600 + m * 60 + s.min(59);
        match b.get(i) {
            None => {}
            Some(b'Z' | b'z') => {
                offset = 0;
                i += 1;
            }
            Some(c @ (b'+' | b'-')) => {
                let sign = if *c == b'-' { -1 } else { 1 };
                let (oh, om, len) = if b.get(i + 3) == Some(&b':') {
                    (num(i + 1, 2)?, num(i + 4, 2)?, 6)
                } else {
                    (num(i + 1, 2)?, num(i + 3, 2)?, 5)
                };
                if oh > 23 || om > 59 {
                    return None;
                }
                offset = sign * (oh * 60 + om);
                i += len;
            }
            Some(_) => return None,
        }
    }
    if i != b.len() {
        return None;
    }
    let ms = (calendar::days_from_civil(year, month, day) * 86_400 + secs - offset * 60) * 1000;
    u64::try_from(ms).ok()
}

/// One request as `GET requests` shows it: only what the community log
/// shows of the wish (its public place, never a phone, a name or an exact
/// address).
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct ServiceRequest {
    /// The wish id.
    pub service_request_id: String,
    /// `open` or `closed` (`request_status`).
    pub status: String,
    /// The finer status, and a rejection's reason.
    pub status_notes: String,
    /// The category's name.
    pub service_name: String,
    /// The category's code.
    pub service_code: String,
    /// The wish's description (its title if it has none).
    pub description: String,
    /// The community.
    pub agency_responsible: String,
    /// What the community does next.
    pub service_notice: String,
    /// Filed, in community time.
    pub requested_datetime: String,
    /// Last step on its timeline, in community time.
    pub updated_datetime: String,
    /// The deadline of its lease while someone holds it.
    pub expected_datetime: Option<String>,
    /// The public place (grid, building, unit, text).
    pub address: String,
    /// The building (or grid) it is at, as `address_id` names them.
    pub address_id: Option<String>,
    /// Not kept.
    pub zipcode: Option<String>,
    /// Not shown (an exact position is private).
    pub lat: Option<f64>,
    /// Not shown.
    pub long: Option<f64>,
    /// Not kept.
    pub media_url: Option<String>,
}

/// The public place in one line.
pub fn place_text(p: &Place) -> String {
    [&p.grid, &p.building, &p.unit, &p.text]
        .into_iter()
        .flatten()
        .map(String::as_str)
        .collect::<Vec<_>>()
        .join(" ")
}

/// What the community does next, for `service_notice`.
fn notice(w: &Wish, lease_hours: u32) -> String {
    match request_status(w.status) {
        RequestStatus::Closed => "本诉求已结束办理".to_owned(),
        RequestStatus::Open if w.holder.is_some() => "已有人承办，办结后请居民评价".to_owned(),
        RequestStatus::Open => {
            format!("社区派单后由志愿者承办，接单后 {lease_hours} 小时内须开始服务")
        }
    }
}

/// The request a wish shows: `community` names the agency, times in its offset.
pub fn request(w: &Wish, community: Option<&Community>) -> ServiceRequest {
    let settings = community.map(|c| c.settings.clone()).unwrap_or_default();
    let off = settings.utc_offset_minutes;
    let mut notes = status_words(w.status).to_owned();
    if let (Status::Rejected, Some(r)) = (w.status, &w.rejection) {
        notes = format!("{notes}：{r}");
    }
    let updated = w.timeline.last().map_or(w.created_at, |t| t.at);
    let held = w.status.is_held() && w.status != Status::Completed;
    ServiceRequest {
        service_request_id: w.id.to_string(),
        status: request_status(w.status).code().to_owned(),
        status_notes: notes,
        service_name: category_words(w.category).0.to_owned(),
        service_code: w.category.code().to_owned(),
        description: if w.description.is_empty() {
            w.title.clone()
        } else {
            w.description.clone()
        },
        agency_responsible: community.map_or_else(String::new, |c| c.name.clone()),
        service_notice: notice(w, settings.lease_hours),
        requested_datetime: datetime(w.created_at, off),
        updated_datetime: datetime(updated.max(w.created_at), off),
        expected_datetime: w
            .lease
            .as_ref()
            .filter(|_| held)
            .map(|l| datetime(l.deadline, off)),
        address: place_text(&w.place),
        address_id: w.place.building.clone().or_else(|| w.place.grid.clone()),
        zipcode: None,
        lat: None,
        long: None,
        media_url: None,
    }
}

/// What `GET requests` asks, parsed (`parse_query`).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Query {
    /// `service_request_id` (comma list): these only; overrides the rest.
    pub ids: Option<Vec<String>>,
    /// `service_code` (comma list).
    pub categories: Option<Vec<Category>>,
    /// `start_date`.
    pub start: Option<u64>,
    /// `end_date`.
    pub end: Option<u64>,
    /// `status` (comma list).
    pub statuses: Option<Vec<RequestStatus>>,
}

fn list(v: &str) -> Vec<&str> {
    v.split(',')
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .collect()
}

/// Parse the query of `GET requests` (decoded pairs; unknown keys ignored,
/// the first of a repeated key counts).
pub fn parse_query(pairs: &[(String, String)], offset_min: i32) -> Result<Query, Error> {
    let mut q = Query::default();
    let get = |k: &str| pairs.iter().find(|(n, _)| n == k).map(|(_, v)| v.as_str());
    if let Some(v) = get("service_request_id") {
        let ids: Vec<String> = list(v).into_iter().map(str::to_owned).collect();
        if ids.len() > MAX_IDS || ids.iter().any(|i| i.len() > validate::ID_MAX_BYTES) {
            return Err(Error::new(
                codes::INVALID,
                format!("service_request_id: at most {MAX_IDS} ids of at most 64 bytes"),
            ));
        }
        q.ids = Some(ids);
    }
    if let Some(v) = get("service_code") {
        let mut cs = Vec::new();
        for c in list(v) {
            cs.push(category(c).ok_or_else(|| {
                Error::new(
                    codes::UNKNOWN_SERVICE_CODE,
                    format!("no service with service_code {c:?}; GET services lists them"),
                )
            })?);
        }
        q.categories = Some(cs);
    }
    for (key, slot) in [("start_date", &mut q.start), ("end_date", &mut q.end)] {
        if let Some(v) = get(key) {
            *slot = Some(parse_datetime(v, offset_min).ok_or_else(|| {
                Error::new(
                    codes::BAD_DATE,
                    format!("{key} must be a W3C datetime, e.g. 2010-01-01T00:00:00Z"),
                )
            })?);
        }
    }
    if let (Some(a), Some(b)) = (q.start, q.end)
        && a > b
    {
        return Err(Error::new(codes::BAD_DATE, "start_date is after end_date"));
    }
    if let Some(v) = get("status") {
        let mut ss = Vec::new();
        for s in list(v) {
            ss.push(match s {
                "open" => RequestStatus::Open,
                "closed" => RequestStatus::Closed,
                _ => {
                    return Err(Error::new(
                        codes::BAD_STATUS,
                        "status must be open, closed or both (comma separated)",
                    ));
                }
            });
        }
        q.statuses = Some(ss);
    }
    Ok(q)
}

/// The wishes a key reads: those its identity filed (a city system reads
/// what it sent, not the community's other wishes).
pub fn readable(w: &Wish, filer: &MemberId) -> bool {
    w.created_by == *filer && w.channel == Channel::City
}

/// The wishes a street's key reads: those it filed (`StreetFile`), in
/// any community of the street. The key's id is no member of any
/// community, so nothing else is authored by it; the signature tells a
/// street filing from a community key's.
pub fn street_readable(w: &Wish, key: &MemberId) -> bool {
    readable(w, key) && w.signature.is_some()
}

/// The name a wish shows as its filer: a street filing's signature
/// ("西关街道 · 12345 热线": its author is no member here), else the filing
/// member's name (a community key's identity is named after the key);
/// `None` for an unknown member.
pub fn filer(w: &Wish, state: &State) -> Option<String> {
    w.signature
        .clone()
        .or_else(|| state.members.get(&w.created_by).map(|m| m.name.clone()))
}

/// A request found in one community's state, with its place in the answer
/// (`merge`): the position asked for with ids, else newest first.
#[derive(Clone, Debug, PartialEq)]
pub struct Found {
    rank: (u64, WishId),
    /// The request.
    pub request: ServiceRequest,
}

/// `GET requests` over one community's state: the requests `may_read`
/// lets through matching `q`, at most `MAX_RESULTS`. With ids, exactly
/// those (unknown ones left out); otherwise filtered by code, status and
/// dates, the dates defaulting to the `DEFAULT_DAYS` before `now_ms` (or
/// after `start`). `merge` orders what one or more communities found.
pub fn find(state: &State, q: &Query, now_ms: u64, may_read: impl Fn(&Wish) -> bool) -> Vec<Found> {
    let community = state.community.as_ref();
    let found = |rank: u64, w: &Wish| Found {
        rank: (rank, w.id.clone()),
        request: request(w, community),
    };
    if let Some(ids) = &q.ids {
        return ids
            .iter()
            .enumerate()
            .filter_map(|(i, id)| Some((i, state.wishes.get(&WishId::from(id.as_str()))?)))
            .filter(|(_, w)| may_read(w))
            .take(MAX_RESULTS)
            .map(|(i, w)| found(i as u64, w))
            .collect();
    }
    let span = DEFAULT_DAYS * calendar::DAY_MS;
    let (start, end) = match (q.start, q.end) {
        (Some(a), Some(b)) => (a, b),
        (Some(a), None) => (a, a.saturating_add(span)),
        (None, Some(b)) => (b.saturating_sub(span), b),
        (None, None) => (now_ms.saturating_sub(span), u64::MAX),
    };
    let mut hits: Vec<&Wish> = state
        .wishes
        .values()
        .filter(|w| may_read(w))
        .filter(|w| (start..=end).contains(&w.created_at))
        .filter(|w| {
            q.categories
                .as_ref()
                .is_none_or(|c| c.contains(&w.category))
        })
        .filter(|w| {
            q.statuses
                .as_ref()
                .is_none_or(|s| s.contains(&request_status(w.status)))
        })
        .collect();
    crate::lean::sort_by_key(&mut hits, |w| {
        (std::cmp::Reverse(w.created_at), w.id.clone())
    });
    hits.into_iter()
        .take(MAX_RESULTS)
        .map(|w| found(u64::MAX - w.created_at, w))
        .collect()
}

/// What one or more communities found, as one answer: in the order the
/// ids were asked, else newest first (then by id), at most `MAX_RESULTS`.
pub fn merge(parts: impl IntoIterator<Item = Vec<Found>>) -> Vec<ServiceRequest> {
    let mut all: Vec<Found> = parts.into_iter().flatten().collect();
    crate::lean::sort_by_key(&mut all, |f| f.rank.clone());
    all.into_iter()
        .take(MAX_RESULTS)
        .map(|f| f.request)
        .collect()
}

/// `GET requests`: the key's requests matching `q` (`find`, `merge`).
pub fn requests(state: &State, filer: &MemberId, q: &Query, now_ms: u64) -> Vec<ServiceRequest> {
    merge([find(state, q, now_ms, |w| readable(w, filer))])
}

// ---- POST requests ------------------------------------------------------

/// What a POST files: the wish's public fields and the private contact
/// record (empty fields when none were sent).
#[derive(Clone, Debug, PartialEq)]
pub struct Filing {
    /// Category.
    pub category: Category,
    /// Title: the description's first line (at most `TITLE_MAX_CHARS`), or
    /// the service's name.
    pub title: String,
    /// Description.
    pub description: String,
    /// Public place: the grid or building `address_id` names.
    pub place: Place,
    /// Name, email, phone and exact address (`address_string`, lat/long):
    /// the private record, never the log.
    pub contact: ContactRecord,
}

impl Filing {
    /// The `CreateWish` of this filing on the city channel.
    pub fn op(&self, wish: WishId) -> OpKind {
        OpKind::CreateWish {
            wish,
            category: self.category,
            title: self.title.clone(),
            description: self.description.clone(),
            place: self.place.clone(),
            urgency: Urgency::Normal,
            window: None,
            channel: Channel::City,
            requester: None,
        }
    }

    /// The `StreetFile` of this filing by a street's key, signed `from`
    /// (`street::filing_signature`): the same wish, made for the street.
    pub fn street_op(&self, wish: WishId, from: &str) -> OpKind {
        OpKind::StreetFile {
            wish,
            category: self.category,
            title: self.title.clone(),
            description: self.description.clone(),
            place: self.place.clone(),
            from: from.to_owned(),
        }
    }

    /// Whether the private record holds anything worth storing.
    pub fn has_contact(&self) -> bool {
        let c = &self.contact;
        !(c.phone.is_empty() && c.address.is_empty() && c.name.is_empty() && c.email.is_empty())
    }
}

fn coordinate(v: &str, max: f64) -> Option<f64> {
    let x: f64 = v.trim().parse().ok()?;
    (x.is_finite() && x.abs() <= max).then_some(x)
}

/// Parse the fields of `POST requests` (decoded form pairs, the first of a
/// repeated key counts, unknown keys — `attribute[…]`, `device_id`,
/// `account_id`, `media_url` — ignored). Required: `service_code` and a
/// location (`lat` + `long`, `address_string` or `address_id`).
pub fn filing(pairs: &[(String, String)], community: Option<&Community>) -> Result<Filing, Error> {
    let get = |k: &str| {
        pairs
            .iter()
            .find(|(n, _)| n == k)
            .map(|(_, v)| v.trim())
            .filter(|v| !v.is_empty())
    };
    let missing = |f: &str| Error::new(codes::MISSING_FIELD, format!("{f} is required"));
    let code = get("service_code").ok_or_else(|| missing("service_code"))?;
    let category = category(code).ok_or_else(|| {
        Error::new(
            codes::UNKNOWN_SERVICE_CODE,
            format!("no service with service_code {code:?}; GET services lists them"),
        )
    })?;
    let (lat, long) = (get("lat"), get("long"));
    let (address_string, address_id) = (get("address_string"), get("address_id"));
    if (lat.is_none() || long.is_none()) && address_string.is_none() && address_id.is_none() {
        return Err(missing(
            "a location (lat and long, address_string or address_id)",
        ));
    }
    let mut place = Place::default();
    if let Some(id) = address_id {
        let known = |list: &[String]| list.iter().any(|x| x == id);
        match community {
            Some(c) if known(&c.buildings) => place.building = Some(id.to_owned()),
            Some(c) if known(&c.grids) => place.grid = Some(id.to_owned()),
            _ => {
                return Err(Error::new(
                    codes::UNKNOWN_ADDRESS_ID,
                    "address_id must be a building or grid of the community",
                ));
            }
        }
    }
    let mut address = address_string.unwrap_or("").to_owned();
    if lat.is_some() || long.is_some() {
        let bad = || {
            Error::new(
                codes::BAD_LOCATION,
                "lat and long must both be decimal degrees (WGS84)",
            )
        };
        let la = lat.and_then(|v| coordinate(v, 90.0)).ok_or_else(bad)?;
        let lo = long.and_then(|v| coordinate(v, 180.0)).ok_or_else(bad)?;
        let pos = format!("({la}, {lo})");
        address = if address.is_empty() {
            pos
        } else {
            format!("{address} {pos}")
        };
    }
    let description = get("description").unwrap_or("").to_owned();
    let name = match (get("first_name"), get("last_name")) {
        // Chinese order: family name first.
        (Some(f), Some(l)) if !f.is_ascii() || !l.is_ascii() => format!("{l}{f}"),
        (Some(f), Some(l)) => format!("{f} {l}"),
        (a, b) => a.or(b).unwrap_or("").to_owned(),
    };
    let contact = ContactRecord {
        wish: WishId::from(""),
        phone: get("phone").unwrap_or("").to_owned(),
        address,
        name,
        email: get("email").unwrap_or("").to_owned(),
    };
    if let Err(e) = contact.validate() {
        return Err(Error::new(codes::INVALID, format!("{}: {e}", e.code())));
    }
    let first_line = description.lines().next().unwrap_or("").trim();
    let title: String = if first_line.is_empty() {
        category_words(category).0.to_owned()
    } else {
        first_line.chars().take(validate::TITLE_MAX_CHARS).collect()
    };
    let filing = Filing {
        category,
        title,
        description,
        place,
        contact,
    };
    if let Err(e) = validate::kind(&filing.op(WishId::from("w"))) {
        return Err(Error::new(codes::INVALID, format!("{}: {e}", e.code())));
    }
    Ok(filing)
}

/// The wish (and op seq) a POST makes. With an `Idempotency-Key` they are
/// derived from it, so the same key posted again names the same op, which
/// the log holds once; without one, from `random` (a fresh number each
/// POST: two identical bodies are two requests, as the spec has it).
/// Seqs stay in 2^52..2^53, above any counter and exact in JavaScript.
pub fn filing_id(key_id: &str, idempotency: Option<&str>, random: u64) -> (WishId, u64) {
    let n = match idempotency {
        Some(k) => {
            use sha2::{Digest, Sha256};
            let d = Sha256::digest(format!("{key_id}\n{k}").as_bytes());
            u64::from_be_bytes([d[0], d[1], d[2], d[3], d[4], d[5], d[6], d[7]])
        }
        None => random,
    };
    let seq = (1u64 << 52) | (n & ((1u64 << 52) - 1));
    (WishId(format!("c-{key_id}-{seq:x}")), seq)
}

/// The community a street key's POST files in: `jurisdiction_id`,
/// required (`missing_field`); whether it is linked to the street is the
/// endpoint's to check (`jurisdiction_not_found`).
pub fn street_jurisdiction(pairs: &[(String, String)]) -> Result<CommunityId, Error> {
    pairs
        .iter()
        .find(|(n, _)| n == "jurisdiction_id")
        .map(|(_, v)| v.trim())
        .filter(|v| !v.is_empty())
        .map(CommunityId::from)
        .ok_or_else(|| {
            Error::new(
                codes::MISSING_FIELD,
                "jurisdiction_id is required: the id of a community of the street",
            )
        })
}

/// The `Idempotency-Key` of a street key's POST, bound to its community:
/// the same header sent to another community is another request.
pub fn street_idempotency(jurisdiction: &CommunityId, key: &str) -> String {
    format!("{jurisdiction}\n{key}")
}

/// The device id of the ops a key files (`filing_id` gives their seqs).
pub fn filing_device(key_id: &str) -> String {
    format!("o311-{key_id}")
}

/// Whether an `Idempotency-Key` header is usable (1..=200 visible ASCII).
pub fn idempotency_key_ok(k: &str) -> bool {
    !k.is_empty() && k.len() <= IDEMPOTENCY_KEY_MAX_BYTES && k.bytes().all(|b| b.is_ascii_graphic())
}

/// The POST's answer.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Posted {
    /// The new wish's id.
    pub service_request_id: String,
    /// What happens next.
    pub service_notice: String,
    /// Not used.
    pub account_id: Option<String>,
}

/// The answer to a POST that filed `wish`.
pub fn posted(wish: &WishId, community: Option<&Community>) -> Posted {
    let hours = community.map_or(72, |c| c.settings.lease_hours);
    Posted {
        service_request_id: wish.to_string(),
        service_notice: format!("社区派单后由志愿者承办，接单后 {hours} 小时内须开始服务"),
        account_id: None,
    }
}

/// A service definition (`GET services/{code}`): no attributes are asked.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Definition {
    /// The code.
    pub service_code: String,
    /// Always empty.
    pub attributes: Vec<()>,
}

// ---- XML ----------------------------------------------------------------

/// Escape text for XML content.
pub fn xml_escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&apos;"),
            // Not allowed in XML 1.0 at all.
            c if (c as u32) < 0x20 && !matches!(c, '\t' | '\n' | '\r') => {}
            c => out.push(c),
        }
    }
    out
}

const XML_HEAD: &str = "<?xml version=\"1.0\" encoding=\"utf-8\"?>\n";

fn element(out: &mut String, name: &str, value: Option<&str>) {
    match value {
        Some(v) => out.push_str(&format!("<{name}>{}</{name}>", xml_escape(v))),
        None => out.push_str(&format!("<{name}/>")),
    }
}

fn xml_list<T>(root: &str, item: &str, items: &[T], fields: impl Fn(&T, &mut String)) -> String {
    let mut out = format!("{XML_HEAD}<{root}>");
    for i in items {
        out.push_str(&format!("<{item}>"));
        fields(i, &mut out);
        out.push_str(&format!("</{item}>"));
    }
    out.push_str(&format!("</{root}>\n"));
    out
}

/// `services.xml`.
pub fn xml_services(services: &[Service]) -> String {
    xml_list("services", "service", services, |s, out| {
        element(out, "service_code", Some(&s.service_code));
        element(out, "service_name", Some(&s.service_name));
        element(out, "description", Some(&s.description));
        element(
            out,
            "metadata",
            Some(if s.metadata { "true" } else { "false" }),
        );
        element(out, "type", Some(&s.kind));
        element(out, "keywords", Some(&s.keywords));
        element(out, "group", Some(&s.group));
    })
}

/// `services/{code}.xml`.
pub fn xml_definition(d: &Definition) -> String {
    format!(
        "{XML_HEAD}<service_definition><service_code>{}</service_code><attributes/></service_definition>\n",
        xml_escape(&d.service_code)
    )
}

/// `requests.xml` and `requests/{id}.xml`.
pub fn xml_requests(requests: &[ServiceRequest]) -> String {
    xml_list("service_requests", "request", requests, |r, out| {
        element(out, "service_request_id", Some(&r.service_request_id));
        element(out, "status", Some(&r.status));
        element(out, "status_notes", Some(&r.status_notes));
        element(out, "service_name", Some(&r.service_name));
        element(out, "service_code", Some(&r.service_code));
        element(out, "description", Some(&r.description));
        element(out, "agency_responsible", Some(&r.agency_responsible));
        element(out, "service_notice", Some(&r.service_notice));
        element(out, "requested_datetime", Some(&r.requested_datetime));
        element(out, "updated_datetime", Some(&r.updated_datetime));
        element(out, "expected_datetime", r.expected_datetime.as_deref());
        element(out, "address", Some(&r.address));
        element(out, "address_id", r.address_id.as_deref());
        element(out, "zipcode", None);
        element(out, "lat", None);
        element(out, "long", None);
        element(out, "media_url", None);
    })
}

/// The POST's answer as XML.
pub fn xml_posted(p: &Posted) -> String {
    xml_list(
        "service_requests",
        "request",
        std::slice::from_ref(p),
        |p, out| {
            element(out, "service_request_id", Some(&p.service_request_id));
            element(out, "service_notice", Some(&p.service_notice));
            element(out, "account_id", p.account_id.as_deref());
        },
    )
}

/// An error in the spec's JSON shape, `[{"code": 403, "description": …}]`,
/// with the stable code as `error_code`.
pub fn json_error(e: &Error) -> String {
    serde_json::json!([{
        "code": e.status,
        "description": e.description,
        "error_code": e.code,
    }])
    .to_string()
}

/// An error in the spec's XML shape.
pub fn xml_error(e: &Error) -> String {
    format!(
        "{XML_HEAD}<errors><error><code>{}</code><description>{}</description><error_code>{}</error_code></error></errors>\n",
        e.status,
        xml_escape(&e.description),
        e.code
    )
}

// ---- form / query decoding ------------------------------------------------

/// Decode `application/x-www-form-urlencoded` (also a query string):
/// `+` is a space, `%XX` a byte; pairs that are not UTF-8 once decoded
/// are `None` (the caller answers 400).
pub fn form_pairs(s: &str) -> Option<Vec<(String, String)>> {
    fn decode(s: &str) -> Option<String> {
        let b = s.as_bytes();
        let mut out = Vec::with_capacity(b.len());
        let mut i = 0;
        while i < b.len() {
            match b[i] {
                b'+' => out.push(b' '),
                b'%' => {
                    let hex = s.get(i + 1..i + 3)?;
                    if !hex.bytes().all(|c| c.is_ascii_hexdigit()) {
                        return None;
                    }
                    out.push(u8::from_str_radix(hex, 16).ok()?);
                    i += 2;
                }
                c => out.push(c),
            }
            i += 1;
        }
        String::from_utf8(out).ok()
    }
    s.split('&')
        .filter(|p| !p.is_empty())
        .map(|p| {
            let (k, v) = p.split_once('=').unwrap_or((p, ""));
            Some((decode(k)?, decode(v)?))
        })
        .collect()
}

// ---- API keys on the wire (the coordinator's endpoint) --------------------

/// `POST …/open311/keys`: a new key's name ("12345 热线").
#[derive(Clone, Debug, PartialEq, Eq, Serialize, serde::Deserialize)]
pub struct NewKey {
    /// The name the wishes it files show as their filer.
    pub name: String,
}

/// A key as listed (never the key itself: only its hash is kept).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, serde::Deserialize)]
pub struct KeyInfo {
    /// Id.
    pub key_id: String,
    /// Name.
    pub name: String,
    /// Its identity in the community (the filer of its wishes).
    pub member: MemberId,
    /// The coordinator who made it.
    pub created_by: MemberId,
    /// When.
    pub created_ms: u64,
    /// Last time a request used it (per instance, at most once a minute).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub last_used_ms: Option<u64>,
    /// Revoked.
    #[serde(default)]
    pub revoked: bool,
}

/// `POST …/open311/keys`'s answer: the key, shown this once.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, serde::Deserialize)]
pub struct KeyCreated {
    /// The secret `api_key`.
    pub key: String,
    /// The key as listed.
    pub info: KeyInfo,
}

/// `GET …/open311/keys`.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, serde::Deserialize)]
pub struct KeyList {
    /// Oldest first.
    pub keys: Vec<KeyInfo>,
}
