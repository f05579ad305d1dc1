//! What an instance knows between requests: the object store, the logs it
//! has loaded, and short-lived caches (tokens, last seen, code use slots).
//! Any number of instances may share one store; every decision that must
//! hold across instances is a create-only object.
use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use axum::extract::{FromRequestParts, Path};
use axum::http::request::Parts;
use axum::http::{HeaderMap, header};
use linli_core::ids::{CommunityId, DeviceId, MemberId, OpId};
use linli_core::model::{Place, Role};
use linli_core::protocol::{
    self, CodeInfo, CodeList, CreateCodeRequest, CreateCodeResponse, Demo, DeviceInfo, DeviceList,
    DeviceName, JoinRequest, JoinResponse, Revoked, codes,
};
use linli_core::{Hlc, Op, OpKind, street, validate};
use sha2::{Digest, Sha256};

use crate::api::ApiError;
use crate::log::{AppendError, Log};
use crate::store::{self, CodeIndex, CodeRecord, CodeUse, CommunityMeta, DeviceRecord, Store};

/// How long an instance trusts a token lookup (and its revocation status),
/// and how far behind the store its member view may be, for pushes and
/// pulls. Revocation and role changes on this instance are immediate;
/// privileged answers (`Fresh::Now`) always read the store first.
pub const AUTH_TTL: Duration = Duration::from_secs(2);

/// How current an instance's view of tokens and members must be before it
/// answers a request.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Fresh {
    /// Read the revocation marker and every newer log segment first: for
    /// answers that hand out power or personal data (join codes, devices,
    /// contact records).
    Now,
    /// At most `AUTH_TTL` behind the store: pushes (the reducer judges
    /// every op in log order anyway) and pulls.
    Recent,
}
/// Letters of join codes: no 0/O, 1/I/L.
const CODE_ALPHABET: &[u8] = b"23456789ABCDEFGHJKMNPQRSTUVWXYZ";
/// Characters in a join code (31^12 ≈ 2^59).
const CODE_LEN: usize = 12;

pub fn now_ms() -> u64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_millis() as u64)
        .unwrap_or(0)
}

pub fn sha256_hex(s: &str) -> String {
    hex(&Sha256::digest(s.as_bytes()))
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

/// `n` random bytes from the OS, as hex.
pub fn random_hex(n: usize) -> String {
    let mut buf = vec![0u8; n];
    getrandom::fill(&mut buf).expect("the OS random source failed");
    hex(&buf)
}

/// A new join code, `XXXX-XXXX-XXXX`.
pub fn random_code() -> String {
    let mut buf = [0u8; CODE_LEN];
    getrandom::fill(&mut buf).expect("the OS random source failed");
    let chars: Vec<char> = buf
        .iter()
        // 256 = 8·31 + 8: the bias is under 1%, harmless for 59 bits.
        .map(|b| CODE_ALPHABET[*b as usize % CODE_ALPHABET.len()] as char)
        .collect();
    chars
        .chunks(4)
        .map(|c| c.iter().collect::<String>())
        .collect::<Vec<_>>()
        .join("-")
}

/// The answer to a storage failure. The cause (paths, OS errors) goes to the
/// log, never to the client.
pub fn storage_error() -> ApiError {
    ApiError::new(
        codes::STORAGE,
        "the server could not read or write its storage; try again later",
    )
}

impl From<store::StoreError> for ApiError {
    fn from(e: store::StoreError) -> Self {
        tracing::error!("storage: {e}");
        storage_error()
    }
}

impl From<AppendError> for ApiError {
    fn from(e: AppendError) -> Self {
        match e {
            AppendError::Gap { expected } => {
                let mut err = ApiError::new(
                    codes::SEQ_GAP,
                    format!("the device's next op must have seq {expected}; push from there"),
                );
                err.0.expected = Some(expected);
                err
            }
            AppendError::Storage(m) => {
                tracing::error!("append: {m}");
                storage_error()
            }
            AppendError::Busy => ApiError::new(codes::BUSY, "the log is too busy right now; retry"),
        }
    }
}

fn err(code: &'static str, msg: impl Into<String>) -> ApiError {
    ApiError::new(code, msg)
}

fn inactive(of: &str) -> ApiError {
    err(
        codes::MEMBER_INACTIVE,
        format!("this member is not (or no longer) in the {of}"),
    )
}

fn forbidden(msg: impl Into<String>) -> ApiError {
    err(codes::FORBIDDEN, msg)
}

/// What a new join code gives: a role, or an existing member's second
/// device; a building poster's place; its life and its uses.
#[derive(Clone, Debug)]
pub struct CodeTerms {
    pub role: Role,
    pub member: Option<MemberId>,
    pub place: Option<Place>,
    pub hours: u32,
    pub max_uses: u32,
}

/// An authenticated request.
#[derive(Clone)]
pub struct Caller {
    /// The community of the route (also for a street member).
    pub community: CommunityId,
    pub member: MemberId,
    pub device: DeviceId,
    /// The member's role: in the community, or for a street member
    /// (`street` is set) in the street's log.
    pub role: Role,
    /// The community's log.
    pub log: Arc<Log>,
    /// Set when the caller is a member of the street `community` belongs
    /// to, not of the community (docs/street.md, "The endpoint"): it reads
    /// the log and pushes the street's answers, nothing else.
    pub street: Option<CommunityId>,
    /// The street's log, where `member` and `role` are, when `street` is set.
    pub street_log: Option<Arc<Log>>,
}

impl Caller {
    /// Check the member again after the log was refreshed (a head answer
    /// reads the newest segments anyway, so it costs nothing; a street
    /// member's street log is refreshed if older than `AUTH_TTL`).
    pub async fn still_active(&self) -> Result<(), ApiError> {
        let Some(street_log) = &self.street_log else {
            return match self.log.member(&self.member) {
                Some(v) if v.active => Ok(()),
                _ => Err(inactive("community")),
            };
        };
        street_log.sync_within(AUTH_TTL).await?;
        match street_log.member(&self.member) {
            Some(v) if street::may_read(v.role, v.active) => Ok(()),
            _ => Err(inactive("street")),
        }
    }

    pub fn require(&self, roles: &[Role]) -> Result<(), ApiError> {
        if roles.contains(&self.role) {
            Ok(())
        } else {
            Err(forbidden(format!(
                "a {} may not do this",
                self.role.code().replace('_', " ")
            )))
        }
    }
}

/// What a device has left of its push budget (`protocol::PUSH_BUDGET`).
struct Budget {
    ops: f64,
    bytes: f64,
    at: Instant,
}

/// The authenticated caller of a `/communities/{community}/…` route, as an
/// extractor: `Now` reads tokens and members fresh (answers that hand out
/// power or personal data), `Recent` allows `AUTH_TTL` of staleness
/// (pushes and pulls). It runs before the body is read, so a stranger's
/// body costs nothing.
///
/// `STREET`: whether a member of the community's street may call the route
/// (`LogRoute`: head, segments, ops). Every other route answers such a
/// caller `403 street_no_access` here, the one place that decides it.
pub struct Auth<const NOW: bool, const STREET: bool = false>(pub Caller);
/// `Fresh::Now` authentication.
pub type Now = Auth<true>;
/// `Fresh::Recent` authentication.
pub type Recent = Auth<false>;
/// `Fresh::Recent` authentication of the log's routes (head, segments,
/// ops), which a street member of the community's street may call too.
pub type LogRoute = Auth<false, true>;

impl<const NOW: bool, const STREET: bool> FromRequestParts<Arc<Hub>> for Auth<NOW, STREET> {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, hub: &Arc<Hub>) -> Result<Self, ApiError> {
        let params = Path::<HashMap<String, String>>::from_request_parts(parts, hub)
            .await
            .map_err(|e| ApiError::new(codes::BAD_REQUEST, e.body_text()))?;
        let c = CommunityId(params.0.get("community").cloned().unwrap_or_default());
        let fresh = if NOW { Fresh::Now } else { Fresh::Recent };
        let caller = hub.authenticate(&parts.headers, &c, fresh).await?;
        if caller.street.is_some() && !STREET {
            return Err(err(
                codes::STREET_NO_ACCESS,
                "a street member reads a community's log and answers its escalations; nothing else of it",
            ));
        }
        Ok(Auth(caller))
    }
}

struct CachedToken {
    rec: store::TokenRecord,
    revoked: bool,
    at: Instant,
}

pub struct Hub {
    pub store: Store,
    logs: tokio::sync::Mutex<HashMap<CommunityId, Arc<Log>>>,
    tokens: Mutex<HashMap<String, CachedToken>>,
    last_seen: Mutex<HashMap<DeviceId, u64>>,
    code_slots: Mutex<HashMap<String, u32>>,
    budgets: Mutex<HashMap<DeviceId, Budget>>,
    /// The street each community belongs to (`store::street_of`), with
    /// when it was read: a link is create-only and permanent, so a found
    /// one is kept; "none" is read again after `AUTH_TTL`.
    links: Mutex<HashMap<CommunityId, (Option<CommunityId>, Instant)>>,
    /// Set when serving with `--demo`.
    pub demo: Option<Demo>,
}

fn lock<T>(m: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    m.lock().unwrap_or_else(|e| e.into_inner())
}

/// An id as it may appear in a path (the core's bound, in bytes).
fn valid_id(s: &str) -> bool {
    !s.is_empty() && s.len() <= validate::ID_MAX_BYTES && !s.chars().any(char::is_control)
}

impl Hub {
    pub fn new(store: Store, demo: Option<Demo>) -> Self {
        Hub {
            store,
            logs: Default::default(),
            tokens: Default::default(),
            last_seen: Default::default(),
            code_slots: Default::default(),
            budgets: Default::default(),
            links: Default::default(),
            demo,
        }
    }

    /// The community's log, loaded on first use.
    pub async fn log(&self, c: &CommunityId) -> Result<Arc<Log>, ApiError> {
        let not_found = || err(codes::COMMUNITY_NOT_FOUND, format!("no community {c}"));
        if !valid_id(c.as_str()) {
            return Err(not_found());
        }
        let mut logs = self.logs.lock().await;
        if let Some(l) = logs.get(c) {
            return Ok(l.clone());
        }
        let meta: CommunityMeta = store::get_json(&self.store, &store::community_meta(c))
            .await?
            .ok_or_else(not_found)?;
        let log = Log::open(self.store.clone(), &meta).await?;
        logs.insert(c.clone(), log.clone());
        Ok(log)
    }

    /// Check the bearer token for a request to community `c`.
    pub async fn authenticate(
        &self,
        headers: &HeaderMap,
        c: &CommunityId,
        fresh: Fresh,
    ) -> Result<Caller, ApiError> {
        let unauthorized = |m: &str| err(codes::UNAUTHORIZED, m);
        let token = headers
            .get(header::AUTHORIZATION)
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.strip_prefix("Bearer "))
            .map(str::trim)
            .ok_or_else(|| unauthorized("send Authorization: Bearer <device token>"))?;
        if token.is_empty() || token.len() > 200 {
            return Err(unauthorized("the token is not valid"));
        }
        let hash = sha256_hex(token);
        let cached = lock(&self.tokens)
            .get(&hash)
            .filter(|t| fresh == Fresh::Recent && t.at.elapsed() < AUTH_TTL)
            .map(|t| (t.rec.clone(), t.revoked));
        let (rec, revoked) = match cached {
            Some(x) => x,
            None => {
                let rec: store::TokenRecord = store::get_json(&self.store, &store::token(&hash))
                    .await?
                    .ok_or_else(|| unauthorized("the token is not valid"))?;
                let revoked =
                    store::exists(&self.store, &store::revoked(&rec.community, &rec.device))
                        .await?;
                let mut tokens = lock(&self.tokens);
                if tokens.len() > 100_000 {
                    tokens.clear();
                }
                tokens.insert(
                    hash,
                    CachedToken {
                        rec: rec.clone(),
                        revoked,
                        at: Instant::now(),
                    },
                );
                (rec, revoked)
            }
        };
        if revoked {
            return Err(err(
                codes::TOKEN_REVOKED,
                "this device's token was revoked; join again with a new code",
            ));
        }
        if rec.community != *c {
            return self.authenticate_street(rec, c, fresh).await;
        }
        let log = self.log(c).await?;
        match fresh {
            Fresh::Now => log.sync().await?,
            Fresh::Recent => log.sync_within(AUTH_TTL).await?,
        }
        let view = match log.member(&rec.member) {
            Some(v) => Some(v),
            // A member added since (a join on another instance).
            None => {
                log.sync().await?;
                log.member(&rec.member)
            }
        };
        let role = match view {
            Some(v) if v.active => v.role,
            _ => {
                return Err(err(
                    codes::MEMBER_INACTIVE,
                    "this member is not (or no longer) in the community",
                ));
            }
        };
        lock(&self.last_seen).insert(rec.device.clone(), now_ms());
        Ok(Caller {
            community: rec.community,
            member: rec.member,
            device: rec.device,
            role,
            log,
            street: None,
            street_log: None,
        })
    }

    /// The street community `c` belongs to, if any (cached: `links`).
    pub async fn street_of(&self, c: &CommunityId) -> Result<Option<CommunityId>, ApiError> {
        let cached = lock(&self.links)
            .get(c)
            .filter(|(s, at)| s.is_some() || at.elapsed() < AUTH_TTL)
            .map(|(s, _)| s.clone());
        if let Some(s) = cached {
            return Ok(s);
        }
        let link: Option<store::StreetLink> = if valid_id(c.as_str()) {
            store::get_json(&self.store, &store::street_of(c)).await?
        } else {
            None
        };
        let street = link.map(|l| l.street);
        let mut links = lock(&self.links);
        if links.len() > 100_000 {
            links.clear();
        }
        links.insert(c.clone(), (street.clone(), Instant::now()));
        Ok(street)
    }

    /// A token of another log on community `c`'s route: a member of the
    /// street `c` belongs to (`street::may_read`, by its role in the
    /// street's log, read as fresh as `fresh` asks, like a community
    /// member's); anyone else is `wrong_community`. Revocation was checked
    /// by the caller (the marker is in the street's log, as the token's).
    async fn authenticate_street(
        &self,
        rec: store::TokenRecord,
        c: &CommunityId,
        fresh: Fresh,
    ) -> Result<Caller, ApiError> {
        if self.street_of(c).await?.as_ref() != Some(&rec.community) {
            return Err(err(
                codes::WRONG_COMMUNITY,
                "this token belongs to another community",
            ));
        }
        let street_log = self.log(&rec.community).await?;
        let log = self.log(c).await?;
        for l in [&street_log, &log] {
            match fresh {
                Fresh::Now => l.sync().await?,
                Fresh::Recent => l.sync_within(AUTH_TTL).await?,
            }
        }
        let view = match street_log.member(&rec.member) {
            Some(v) => Some(v),
            None => {
                street_log.sync().await?;
                street_log.member(&rec.member)
            }
        };
        let role = match view {
            Some(v) if street::may_read(v.role, v.active) => v.role,
            Some(v) if v.active => {
                return Err(err(
                    codes::STREET_NO_ACCESS,
                    "only a street's coordinators and viewers read its communities",
                ));
            }
            _ => return Err(inactive("street")),
        };
        lock(&self.last_seen).insert(rec.device.clone(), now_ms());
        Ok(Caller {
            community: c.clone(),
            member: rec.member,
            device: rec.device,
            role,
            log,
            street: Some(rec.community),
            street_log: Some(street_log),
        })
    }

    /// Take `ops` ops of `bytes` bytes from the device's push budget, or
    /// say when it will have enough again. The budget lives in this
    /// instance's memory: n instances allow n budgets, a restart refills it.
    pub fn charge(&self, device: &DeviceId, ops: usize, bytes: usize) -> Result<(), ApiError> {
        let b = protocol::PUSH_BUDGET;
        let (ops, bytes) = (ops as f64, bytes as f64);
        let mut budgets = lock(&self.budgets);
        let now = Instant::now();
        let left = budgets.entry(device.clone()).or_insert(Budget {
            ops: b.ops as f64,
            bytes: b.bytes as f64,
            at: now,
        });
        let hours = now.duration_since(left.at).as_secs_f64() / 3600.0;
        left.ops = (left.ops + hours * b.ops_per_hour as f64).min(b.ops as f64);
        left.bytes = (left.bytes + hours * b.bytes_per_hour as f64).min(b.bytes as f64);
        left.at = now;
        if left.ops >= ops && left.bytes >= bytes {
            left.ops -= ops;
            left.bytes -= bytes;
            return Ok(());
        }
        let wait_h = f64::max(
            (ops - left.ops) / b.ops_per_hour as f64,
            (bytes - left.bytes) / b.bytes_per_hour as f64,
        );
        let mut e = err(
            codes::RATE_LIMITED,
            "this device has pushed too much for now; it will be able to push again later",
        );
        e.0.retry_after_ms = Some((wait_h * 3_600_000.0).ceil() as u64);
        Err(e)
    }

    /// Make a device and its token for `member` (join, admin CLI).
    pub async fn issue_device(
        &self,
        c: &CommunityId,
        member: &MemberId,
        display_name: &str,
        code_id: Option<&str>,
    ) -> Result<(DeviceId, String), ApiError> {
        let device = DeviceId(format!("d{}", random_hex(8)));
        let created_ms = now_ms();
        let rec = DeviceRecord {
            device: device.clone(),
            member: member.clone(),
            display_name: display_name.to_owned(),
            created_ms,
            code_id: code_id.map(str::to_owned),
        };
        // Device first: a crash before the token leaves a listed, unusable device.
        if !store::create_json_or_same(&self.store, &store::device(c, &device), &rec).await? {
            return Err(err(codes::BUSY, "device id collision; retry"));
        }
        let token = format!("lnt_{}", random_hex(16));
        let trec = store::TokenRecord {
            community: c.clone(),
            member: member.clone(),
            device: device.clone(),
            created_ms,
        };
        let key = store::token(&sha256_hex(&token));
        if !store::create_json_or_same(&self.store, &key, &trec).await? {
            return Err(err(codes::BUSY, "token collision; retry"));
        }
        Ok((device, token))
    }

    /// Make a join code (API and admin CLI); returns the secret and the record.
    pub async fn make_code(
        &self,
        c: &CommunityId,
        created_by: &MemberId,
        terms: CodeTerms,
    ) -> Result<(String, CodeRecord), ApiError> {
        let CodeTerms {
            role,
            member,
            place,
            hours,
            max_uses,
        } = terms;
        let code = random_code();
        let now = now_ms();
        let rec = CodeRecord {
            code_id: format!("k{}", random_hex(6)),
            community: c.clone(),
            role,
            member,
            place,
            created_by: created_by.clone(),
            created_ms: now,
            expires_at_ms: now + u64::from(hours) * 3_600_000,
            max_uses,
        };
        if !store::create_json_or_same(&self.store, &store::code(c, &rec.code_id), &rec).await? {
            return Err(err(codes::BUSY, "code id collision; retry"));
        }
        let index = CodeIndex {
            community: c.clone(),
            code_id: rec.code_id.clone(),
        };
        let key = store::code_index(&sha256_hex(&protocol::normalize_code(&code)));
        if !store::create_json_or_same(&self.store, &key, &index).await? {
            return Err(err(codes::BUSY, "code collision; retry"));
        }
        Ok((code, rec))
    }

    pub async fn create_code(
        &self,
        caller: &Caller,
        req: CreateCodeRequest,
    ) -> Result<CreateCodeResponse, ApiError> {
        caller.require(&[Role::Coordinator])?;
        let invalid = |r: &'static str, m: &str| err(codes::INVALID, m).with_reason(r);
        if !(1..=protocol::MAX_CODE_HOURS).contains(&req.expires_in_hours) {
            return Err(invalid(
                "expires_out_of_range",
                "expires_in_hours must be 1 to 2160",
            ));
        }
        if !(1..=protocol::MAX_CODE_USES).contains(&req.max_uses) {
            return Err(invalid(
                "max_uses_out_of_range",
                "max_uses must be 1 to 10000",
            ));
        }
        if let Some(place) = &req.place {
            self.check_poster_place(caller, &req, place).await?;
        }
        // A street's codes make street coordinators and viewers only.
        if caller.log.street && req.member.is_none() && !street::code_role_ok(req.role) {
            return Err(invalid(
                "street_role",
                "a street's codes are for street coordinators and viewers",
            ));
        }
        let role = match &req.member {
            None => req.role,
            Some(m) => match caller.log.member(m) {
                Some(v) if v.active => v.role,
                _ => {
                    return Err(err(
                        codes::MEMBER_NOT_FOUND,
                        format!("no active member {m}"),
                    ));
                }
            },
        };
        let (code, rec) = self
            .make_code(
                &caller.community,
                &caller.member,
                CodeTerms {
                    role,
                    member: req.member,
                    place: req.place,
                    hours: req.expires_in_hours,
                    max_uses: req.max_uses,
                },
            )
            .await?;
        Ok(CreateCodeResponse {
            code,
            code_id: rec.code_id,
            role: rec.role,
            member: rec.member,
            place: rec.place,
            expires_at_ms: rec.expires_at_ms,
            max_uses: rec.max_uses,
        })
    }

    /// A poster's code (a place on it): residents only, a new member each
    /// use, and a grid and building the community has.
    async fn check_poster_place(
        &self,
        caller: &Caller,
        req: &CreateCodeRequest,
        place: &Place,
    ) -> Result<(), ApiError> {
        let invalid = |r: &'static str, m: &str| err(codes::INVALID, m).with_reason(r);
        if req.role != Role::Resident || req.member.is_some() {
            return Err(invalid(
                "place_needs_resident",
                "a code with a place is for new residents only",
            ));
        }
        let known = caller
            .log
            .with_state(|s| {
                s.community.as_ref().is_some_and(|c| {
                    let has = |list: &[String], v: &Option<String>| {
                        v.as_ref().is_none_or(|v| list.contains(v))
                    };
                    has(&c.grids, &place.grid)
                        && has(&c.buildings, &place.building)
                        && place.unit.is_none()
                        && place.text.is_none()
                        && (place.grid.is_some() || place.building.is_some())
                })
            })
            .await?;
        if !known {
            return Err(invalid(
                "unknown_place",
                "the place must be a grid and/or building of the community",
            ));
        }
        Ok(())
    }

    async fn code_info(&self, rec: CodeRecord) -> Result<CodeInfo, ApiError> {
        let c = &rec.community;
        let uses = store::list(&self.store, &store::code_uses(c, &rec.code_id))
            .await?
            .len() as u32;
        let revoked = store::exists(&self.store, &store::code_deleted(c, &rec.code_id)).await?;
        Ok(CodeInfo {
            code_id: rec.code_id,
            role: rec.role,
            member: rec.member,
            place: rec.place,
            created_by: rec.created_by,
            created_ms: rec.created_ms,
            expires_at_ms: rec.expires_at_ms,
            max_uses: rec.max_uses,
            uses,
            revoked,
        })
    }

    pub async fn list_codes(&self, caller: &Caller) -> Result<CodeList, ApiError> {
        caller.require(&[Role::Coordinator])?;
        let mut codes = Vec::new();
        for meta in store::list_flat(&self.store, &store::codes(&caller.community)).await? {
            if let Some(rec) = store::get_json::<CodeRecord>(&self.store, &meta.location).await? {
                codes.push(self.code_info(rec).await?);
            }
        }
        codes.sort_by(|a, b| (a.created_ms, &a.code_id).cmp(&(b.created_ms, &b.code_id)));
        Ok(CodeList { codes })
    }

    pub async fn delete_code(&self, caller: &Caller, code_id: &str) -> Result<CodeInfo, ApiError> {
        caller.require(&[Role::Coordinator])?;
        let rec = self.code_record(&caller.community, code_id).await?;
        // A marker: whoever wrote it, the code is withdrawn.
        store::create_or_same(
            &self.store,
            &store::code_deleted(&caller.community, code_id),
            now_ms().to_string(),
        )
        .await?;
        self.code_info(rec).await
    }

    async fn code_record(&self, c: &CommunityId, code_id: &str) -> Result<CodeRecord, ApiError> {
        let not_found = || err(codes::CODE_NOT_FOUND, "no such join code");
        if !valid_id(code_id) {
            return Err(not_found());
        }
        store::get_json(&self.store, &store::code(c, code_id))
            .await?
            .ok_or_else(not_found)
    }

    /// Redeem a join code.
    pub async fn join(&self, req: JoinRequest) -> Result<JoinResponse, ApiError> {
        let gone = |code: &'static str, m: &str| err(code, m);
        let norm = protocol::normalize_code(&req.code);
        let not_found = || {
            err(
                codes::CODE_NOT_FOUND,
                "no such join code; check it and try again",
            )
        };
        if norm.is_empty() || norm.len() > 64 {
            return Err(not_found());
        }
        let index: CodeIndex = store::get_json(&self.store, &store::code_index(&sha256_hex(&norm)))
            .await?
            .ok_or_else(not_found)?;
        let c = index.community.clone();
        let rec = self.code_record(&c, &index.code_id).await?;
        if store::exists(&self.store, &store::code_deleted(&c, &rec.code_id)).await? {
            return Err(gone(codes::CODE_REVOKED, "this join code was withdrawn"));
        }
        let now = now_ms();
        if now >= rec.expires_at_ms {
            return Err(gone(codes::CODE_EXPIRED, "this join code has expired"));
        }
        let log = self.log(&c).await?;
        log.sync().await?;
        let name = req.display_name.trim().to_owned();
        // A code is the power of its maker: it stops working when the maker
        // is no longer an active coordinator, bound or not.
        let maker = log.member(&rec.created_by);
        if !maker.is_some_and(|v| v.active && v.role == Role::Coordinator) {
            return Err(gone(
                codes::CODE_REVOKED,
                "the coordinator who made this code can no longer add members",
            ));
        }
        // A code bound to a member: that member must still be active.
        let (member, display_name) = match &rec.member {
            Some(m) => {
                if !log.member(m).is_some_and(|v| v.active) {
                    return Err(gone(codes::CODE_REVOKED, "this member left the community"));
                }
                let shown = if name.is_empty() {
                    log.with_state(|s| s.members.get(m).map(|x| x.name.clone()))
                        .await?
                        .unwrap_or_default()
                } else {
                    name.clone()
                };
                (Some(m.clone()), shown)
            }
            None => {
                let op_check = validate::kind(&OpKind::AddMember {
                    member: "m".into(),
                    name: name.clone(),
                    role: rec.role,
                    skills: Vec::new(),
                    grids: Vec::new(),
                    partner: None,
                });
                if let Err(e) = op_check {
                    return Err(
                        err(codes::INVALID, format!("display name: {e}")).with_reason(e.code())
                    );
                }
                (None, name.clone())
            }
        };
        if display_name.chars().count() > protocol::DISPLAY_NAME_MAX_CHARS {
            return Err(
                err(codes::INVALID, "display name is too long").with_reason("name_too_long")
            );
        }
        let n = self.claim_use(&c, &rec).await?;
        let member = match member {
            Some(m) => m,
            None => {
                // Unguessable, so nobody can add the member first and be
                // handed out in its place.
                let member = MemberId(format!("m-{}", random_hex(8)));
                let op_id = OpId::new(format!("join-{}", rec.code_id), u64::from(n));
                let op = Op::new(
                    op_id.clone(),
                    rec.created_by.clone(),
                    Hlc::at(now),
                    OpKind::AddMember {
                        member: member.clone(),
                        name: display_name.clone(),
                        role: rec.role,
                        skills: Vec::new(),
                        grids: Vec::new(),
                        partner: None,
                    },
                );
                log.push_internal(op).await?;
                // Hand out only the member this very op created.
                let ours = log
                    .with_state(|s| s.outcome(&op_id) == Some(linli_core::Outcome::Applied))
                    .await?;
                if !ours || !log.member(&member).is_some_and(|v| v.active) {
                    return Err(err(
                        codes::CODE_REVOKED,
                        "the community refused the new member",
                    ));
                }
                member
            }
        };
        let (device, token) = self
            .issue_device(&c, &member, &display_name, Some(&rec.code_id))
            .await?;
        let use_rec = CodeUse {
            device: device.clone(),
            member: member.clone(),
            at_ms: now,
        };
        // The slot is already ours; record who took it (best effort).
        let _ = store::overwrite_json(&self.store, &store::code_use(&c, &rec.code_id, n), &use_rec)
            .await;
        let role = log.member(&member).map_or(rec.role, |v| v.role);
        Ok(JoinResponse {
            community: c,
            member,
            device,
            token,
            role,
            place: rec.place,
            street: log.street,
        })
    }

    /// Take the next free use slot of a code, create-only, so concurrent
    /// instances can never exceed `max_uses`.
    async fn claim_use(&self, c: &CommunityId, rec: &CodeRecord) -> Result<u32, ApiError> {
        let known = lock(&self.code_slots).contains_key(&rec.code_id);
        if !known {
            let used = store::list(&self.store, &store::code_uses(c, &rec.code_id))
                .await?
                .len() as u32;
            lock(&self.code_slots)
                .entry(rec.code_id.clone())
                .or_insert(used + 1);
        }
        loop {
            // Reserve a slot number locally, so joins on this instance try
            // different slots; the create-only write decides across instances.
            let n = {
                let mut slots = lock(&self.code_slots);
                let next = slots.entry(rec.code_id.clone()).or_insert(1);
                let n = *next;
                *next = n.saturating_add(1);
                n
            };
            if n > rec.max_uses {
                return Err(err(codes::CODE_USED_UP, "this join code has been used up"));
            }
            let key = store::code_use(c, &rec.code_id, n);
            // A random claim, so our own retried create is told apart from
            // another instance's join taking the same slot.
            let claim = format!("{{\"claim\":\"{}\",\"at_ms\":{}}}", random_hex(8), now_ms());
            if store::create_or_same(&self.store, &key, claim).await? {
                return Ok(n);
            }
        }
    }

    async fn device_records(&self, c: &CommunityId) -> Result<Vec<DeviceRecord>, ApiError> {
        let mut out = Vec::new();
        for meta in store::list_flat(&self.store, &store::devices(c)).await? {
            if let Some(rec) = store::get_json::<DeviceRecord>(&self.store, &meta.location).await? {
                out.push(rec);
            }
        }
        out.sort_by(|a, b| (a.created_ms, &a.device).cmp(&(b.created_ms, &b.device)));
        Ok(out)
    }

    pub async fn list_devices(&self, caller: &Caller) -> Result<DeviceList, ApiError> {
        caller.require(&[Role::Coordinator])?;
        let c = &caller.community;
        let mut devices = Vec::new();
        for rec in self.device_records(c).await? {
            let revoked = store::exists(&self.store, &store::revoked(c, &rec.device)).await?;
            let name =
                store::get_json::<DeviceName>(&self.store, &store::device_name(c, &rec.device))
                    .await?
                    .map(|n| n.name)
                    .unwrap_or_default();
            devices.push(DeviceInfo {
                name,
                role: caller.log.member(&rec.member).map(|v| v.role),
                last_seen_ms: lock(&self.last_seen).get(&rec.device).copied(),
                device: rec.device,
                member: rec.member,
                display_name: rec.display_name,
                created_ms: rec.created_ms,
                revoked,
            });
        }
        Ok(DeviceList { devices })
    }

    /// A device names itself (any role: it is the device's own label).
    pub async fn name_device(
        &self,
        caller: &Caller,
        device: &str,
        req: DeviceName,
    ) -> Result<DeviceName, ApiError> {
        if device != caller.device.as_str() {
            return Err(err(codes::FORBIDDEN, "a device may name only itself"));
        }
        let name = protocol::device_name(&req.name)
            .map_err(|e| err(codes::INVALID, "device name refused").with_reason(e.code()))?;
        let at = store::device_name(&caller.community, &caller.device);
        let kept = DeviceName { name };
        store::overwrite_json(&self.store, &at, &kept).await?;
        Ok(kept)
    }

    async fn revoke(&self, c: &CommunityId, device: &DeviceId) -> Result<(), ApiError> {
        // A marker: whoever wrote it, the device is revoked.
        store::create_or_same(
            &self.store,
            &store::revoked(c, device),
            now_ms().to_string(),
        )
        .await?;
        lock(&self.tokens).retain(|_, t| t.rec.device != *device);
        Ok(())
    }

    pub async fn revoke_device(&self, caller: &Caller, device: &str) -> Result<Revoked, ApiError> {
        caller.require(&[Role::Coordinator])?;
        let c = &caller.community;
        let device = DeviceId::from(device);
        let known = valid_id(device.as_str())
            && store::exists(&self.store, &store::device(c, &device)).await?;
        if !known {
            return Err(err(
                codes::DEVICE_NOT_FOUND,
                "no such device in this community",
            ));
        }
        self.revoke(c, &device).await?;
        Ok(Revoked {
            devices: vec![device],
        })
    }

    pub async fn revoke_member(&self, caller: &Caller, member: &str) -> Result<Revoked, ApiError> {
        caller.require(&[Role::Coordinator])?;
        let c = &caller.community;
        let member = MemberId::from(member);
        let devices: Vec<DeviceId> = self
            .device_records(c)
            .await?
            .into_iter()
            .filter(|d| d.member == member)
            .map(|d| d.device)
            .collect();
        if devices.is_empty() && caller.log.member(&member).is_none() {
            return Err(err(
                codes::MEMBER_NOT_FOUND,
                "no such member in this community",
            ));
        }
        for d in &devices {
            self.revoke(c, d).await?;
        }
        Ok(Revoked { devices })
    }
}
