//! Open311 GeoReport v2 for a community (`/api/open311/v2/communities/{c}/…`)
//! and for a street (`/api/open311/v2/streets/{s}/…`), and the API keys of
//! either (`/api/v1/communities/{c or s}/open311/keys`). Effects only: every
//! rule (services, statuses, dates, what a request shows, what a POST may
//! carry, who manages keys) is `linli_core::open311`'s and `street`'s.
//! Reference: docs/open311.md.
//!
//! Storage (beside the community's or the street's other objects; `{c}` is
//! the street's id for its keys):
//! ```text
//! communities/{c}/open311/keys/{key_id}.json     StoredKey (create-only)
//! communities/{c}/open311/index/{sha256(key)}.json  {key_id} (create-only)
//! communities/{c}/open311/revoked/{key_id}       revocation marker (create-only)
//! communities/{c}/open311/used/{key_id}.json     last use (overwritten; a hint)
//! ```
use std::collections::HashMap;
use std::sync::{Arc, Mutex, OnceLock};

use axum::Router;
use axum::body::Body;
use axum::extract::{Path, RawQuery, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use linli_core::ids::{CommunityId, MemberId, OpId, WishId};
use linli_core::open311::{self as o, Error, KeyCreated, KeyInfo, KeyList, NewKey, codes as oc};
use linli_core::protocol::{self, codes};
use linli_core::{Hlc, Op, Outcome};
use serde::{Deserialize, Serialize};

use crate::api::ApiError;
use crate::hub::{AUTH_TTL, Auth, Hub, Now, now_ms, random_hex, sha256_hex};
use crate::log::Log;
use crate::store;
use crate::v1::{Hubs, P, json_body, no_store};
use linli_core::street;

/// A key as stored: never the key, only who it is.
#[derive(Clone, Serialize, Deserialize)]
struct StoredKey {
    key_id: String,
    name: String,
    member: MemberId,
    created_by: MemberId,
    created_ms: u64,
}

#[derive(Serialize, Deserialize)]
struct KeyIndex {
    key_id: String,
}

#[derive(Serialize, Deserialize)]
struct LastUsed {
    at_ms: u64,
}

fn dir(c: &CommunityId, part: &str) -> object_store::path::Path {
    store::path(&["communities", c.as_str(), "open311", part])
}

fn key_at(c: &CommunityId, key_id: &str) -> object_store::path::Path {
    store::path(&[
        "communities",
        c.as_str(),
        "open311",
        "keys",
        &format!("{key_id}.json"),
    ])
}

fn index_at(c: &CommunityId, hash: &str) -> object_store::path::Path {
    store::path(&[
        "communities",
        c.as_str(),
        "open311",
        "index",
        &format!("{hash}.json"),
    ])
}

fn revoked_at(c: &CommunityId, key_id: &str) -> object_store::path::Path {
    store::path(&["communities", c.as_str(), "open311", "revoked", key_id])
}

fn used_at(c: &CommunityId, key_id: &str) -> object_store::path::Path {
    store::path(&[
        "communities",
        c.as_str(),
        "open311",
        "used",
        &format!("{key_id}.json"),
    ])
}

/// The device id of the ops that give a key its identity and retire it.
fn identity_device(key_id: &str) -> String {
    format!("o311k-{key_id}")
}

// ---- the coordinator's endpoint: create, list, revoke ---------------------

/// An active coordinator of the community, or of the street when the
/// route's log is a street's (`caller.log.street`: a street member on its
/// own street's id).
async fn require_manager(caller: &crate::hub::Caller) -> Result<(), ApiError> {
    let street = caller.log.street;
    let may = caller
        .log
        .with_state(|s| {
            if street {
                o::may_manage_street_keys(s, &caller.member)
            } else {
                o::may_manage_keys(s, &caller.member)
            }
        })
        .await?;
    if may {
        Ok(())
    } else {
        Err(ApiError::new(
            codes::FORBIDDEN,
            "only an active coordinator manages the Open311 keys",
        ))
    }
}

/// Append an endpoint-minted op and say whether it applied.
async fn append(log: &Arc<Log>, op: Op) -> Result<bool, ApiError> {
    let id = op.id.clone();
    log.push_internal(op).await?;
    Ok(log
        .with_state(|s| s.outcome(&id) == Some(Outcome::Applied))
        .await?)
}

/// `POST …/open311/keys` `{name}`: a new key, shown once; its identity (a
/// kiosk-role member with the key's name) is added to the log first.
pub(crate) async fn key_create(
    State(hub): Hubs,
    Auth(caller): Now,
    body: Body,
) -> Result<Response, ApiError> {
    require_manager(&caller).await?;
    let req: NewKey = json_body(body).await?;
    let name = o::key_name(&req.name).map_err(|r| {
        ApiError::new(codes::INVALID, "the key's name must be 1 to 40 characters").with_reason(r)
    })?;
    let c = &caller.community;
    // A street's key has no identity op: a street's log takes only its
    // members, and the key files in its communities as the street
    // (`StreetFile`), by an id that is no member anywhere.
    let (key_id, member) = if caller.log.street {
        let member = street::key_author(&random_hex(8));
        (format!("s{}", random_hex(6)), member)
    } else {
        let key_id = format!("k{}", random_hex(6));
        let member = MemberId(format!("m-o311-{}", random_hex(8)));
        let op = Op::new(
            OpId::new(identity_device(&key_id), 1),
            caller.member.clone(),
            Hlc::at(now_ms()),
            o::identity_op(member.clone(), &name),
        );
        if !append(&caller.log, op).await? {
            return Err(ApiError::new(
                codes::FORBIDDEN,
                "the community refused the key's identity",
            ));
        }
        (key_id, member)
    };
    let stored = StoredKey {
        key_id: key_id.clone(),
        name,
        member,
        created_by: caller.member.clone(),
        created_ms: now_ms(),
    };
    if !store::create_json_or_same(&hub.store, &key_at(c, &key_id), &stored).await? {
        return Err(ApiError::new(codes::BUSY, "key id collision; retry"));
    }
    let key = format!("o311_{}", random_hex(16));
    let index = KeyIndex {
        key_id: key_id.clone(),
    };
    if !store::create_json_or_same(&hub.store, &index_at(c, &sha256_hex(&key)), &index).await? {
        return Err(ApiError::new(codes::BUSY, "key collision; retry"));
    }
    tracing::info!(community = %c, member = %caller.member, key_id = %key_id, "open311 key created");
    Ok(no_store(&KeyCreated {
        key,
        info: info(&hub, c, stored).await?,
    }))
}

async fn info(hub: &Hub, c: &CommunityId, k: StoredKey) -> Result<KeyInfo, ApiError> {
    let revoked = store::exists(&hub.store, &revoked_at(c, &k.key_id)).await?;
    let used: Option<LastUsed> = store::get_json(&hub.store, &used_at(c, &k.key_id)).await?;
    Ok(KeyInfo {
        key_id: k.key_id,
        name: k.name,
        member: k.member,
        created_by: k.created_by,
        created_ms: k.created_ms,
        last_used_ms: used.map(|u| u.at_ms),
        revoked,
    })
}

/// `GET …/open311/keys`: every key of the community, oldest first.
pub(crate) async fn key_list(State(hub): Hubs, Auth(caller): Now) -> Result<Response, ApiError> {
    require_manager(&caller).await?;
    let c = &caller.community;
    let mut keys = Vec::new();
    for m in store::list_flat(&hub.store, &dir(c, "keys")).await? {
        if let Some(k) = store::get_json::<StoredKey>(&hub.store, &m.location).await? {
            keys.push(info(&hub, c, k).await?);
        }
    }
    keys.sort_by(|a, b| (a.created_ms, &a.key_id).cmp(&(b.created_ms, &b.key_id)));
    Ok(no_store(&KeyList { keys }))
}

/// `DELETE …/open311/keys/{key_id}`: revoke (a marker, at once on every
/// instance) and retire the key's identity in the log.
pub(crate) async fn key_revoke(
    State(hub): Hubs,
    Auth(caller): Now,
    P((_, key_id)): P<(String, String)>,
) -> Result<Response, ApiError> {
    require_manager(&caller).await?;
    let c = &caller.community;
    let not_found = || ApiError::new(codes::NOT_FOUND, "no such Open311 key in this community");
    if key_id.is_empty() || key_id.len() > 64 {
        return Err(not_found());
    }
    let k: StoredKey = store::get_json(&hub.store, &key_at(c, &key_id))
        .await?
        .ok_or_else(not_found)?;
    store::create_or_same(&hub.store, &revoked_at(c, &key_id), now_ms().to_string()).await?;
    // A street's key is revoked by the marker alone (it has no identity).
    if !caller.log.street {
        let op = Op::new(
            OpId::new(identity_device(&key_id), 2),
            caller.member.clone(),
            Hlc::at(now_ms()),
            o::retire_op(k.member.clone()),
        );
        append(&caller.log, op).await?;
    }
    tracing::info!(community = %c, member = %caller.member, key_id = %key_id, "open311 key revoked");
    Ok(no_store(&info(&hub, c, k).await?))
}

// ---- GeoReport v2 ---------------------------------------------------------

/// Whose endpoint a request is on: a community's, or a street's (keys of
/// the street, wishes filed in its communities).
#[derive(Clone, Copy, PartialEq, Eq)]
enum Scope {
    Community,
    Street,
}

pub fn router(hub: Arc<Hub>) -> Router {
    Router::new()
        .merge(routes("/communities/{id}", Scope::Community))
        .merge(routes("/streets/{id}", Scope::Street))
        .method_not_allowed_fallback(|| async {
            let e = Error::new(
                oc::METHOD_NOT_ALLOWED,
                "this path does not take that method",
            );
            reply(Format::Json, Err(e))
        })
        .with_state(hub)
}

type Ids = Path<(String, String)>;

/// The same three routes under a community's or a street's base.
fn routes(base: &str, scope: Scope) -> Router<Arc<Hub>> {
    Router::new()
        .route(
            &format!("{base}/{{file}}"),
            get(move |h: State<Arc<Hub>>, p: Ids, q: RawQuery| top_get(scope, h, p, q)).post(
                move |h: State<Arc<Hub>>, p: Ids, q: RawQuery, hd: HeaderMap, b: Body| {
                    top_post(scope, h, p, q, hd, b)
                },
            ),
        )
        .route(
            &format!("{base}/services/{{file}}"),
            get(move |h: State<Arc<Hub>>, p: Ids, q: RawQuery| service_get(scope, h, p, q)),
        )
        .route(
            &format!("{base}/requests/{{file}}"),
            get(move |h: State<Arc<Hub>>, p: Ids, q: RawQuery| request_get(scope, h, p, q)),
        )
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum Format {
    Json,
    Xml,
}

/// `name.json` / `name.xml` → (name, format).
fn split(file: &str) -> Result<(&str, Format), Error> {
    let bad = || Error::new(oc::BAD_FORMAT, "ask for .json or .xml");
    let (name, ext) = file.rsplit_once('.').ok_or_else(bad)?;
    match ext {
        "json" => Ok((name, Format::Json)),
        "xml" => Ok((name, Format::Xml)),
        _ => Err(bad()),
    }
}

/// What a handler answers: its body as JSON and as XML.
struct Answer(String, String);

fn reply(f: Format, a: Result<Answer, Error>) -> Response {
    let (status, body) = match (a, f) {
        (Ok(Answer(json, _)), Format::Json) => (StatusCode::OK, json),
        (Ok(Answer(_, xml)), Format::Xml) => (StatusCode::OK, xml),
        (Err(e), Format::Json) => (status_of(&e), o::json_error(&e)),
        (Err(e), Format::Xml) => (status_of(&e), o::xml_error(&e)),
    };
    let kind = match f {
        Format::Json => "application/json; charset=utf-8",
        Format::Xml => "text/xml; charset=utf-8",
    };
    let mut res = (status, body).into_response();
    let h = res.headers_mut();
    h.insert(header::CONTENT_TYPE, HeaderValue::from_static(kind));
    h.insert(
        header::CACHE_CONTROL,
        HeaderValue::from_static(crate::v1::NO_STORE),
    );
    res
}

fn status_of(e: &Error) -> StatusCode {
    StatusCode::from_u16(e.status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR)
}

fn both<T: Serialize>(v: &T, xml: String) -> Answer {
    Answer(serde_json::to_string(v).unwrap_or_default(), xml)
}

/// The endpoint's own failures in Open311's shape.
fn from_api(e: ApiError) -> Error {
    match e.0.code.as_str() {
        codes::COMMUNITY_NOT_FOUND => Error::new(oc::COMMUNITY_NOT_FOUND, "no such community"),
        codes::BUSY => Error::new(oc::BUSY, "the log is too busy right now; retry"),
        _ => Error::new(
            oc::STORAGE,
            "the server could not read or write its storage; try again later",
        ),
    }
}

impl From<store::StoreError> for Error {
    fn from(e: store::StoreError) -> Self {
        from_api(e.into())
    }
}

fn query_pairs(q: Option<&str>) -> Result<Vec<(String, String)>, Error> {
    o::form_pairs(q.unwrap_or(""))
        .ok_or_else(|| Error::new(oc::INVALID, "the query is not URL-encoded UTF-8"))
}

fn field<'a>(pairs: &'a [(String, String)], k: &str) -> Option<&'a str> {
    pairs.iter().find(|(n, _)| n == k).map(|(_, v)| v.as_str())
}

/// The log a request is answered on (the community's, or the street's,
/// where the street's keys are), read at most `AUTH_TTL` behind.
struct Base {
    scope: Scope,
    id: CommunityId,
    log: Arc<Log>,
}

async fn fresh_log(hub: &Hub, c: &CommunityId) -> Result<Arc<Log>, Error> {
    let log = hub.log(c).await.map_err(from_api)?;
    log.sync_within(AUTH_TTL)
        .await
        .map_err(|e| from_api(e.into()))?;
    Ok(log)
}

/// The route's community or street. A `jurisdiction_id`, if given, must
/// be the community's id, or a community of the street's
/// (`jurisdiction_not_found`); a street's POST requires one.
async fn base(
    hub: &Hub,
    scope: Scope,
    id: &str,
    pairs: &[(String, String)],
) -> Result<Base, Error> {
    let id = CommunityId::from(id);
    if scope == Scope::Community
        && let Some(j) = field(pairs, "jurisdiction_id")
        && j != id.as_str()
    {
        return Err(Error::new(
            oc::JURISDICTION_NOT_FOUND,
            "jurisdiction_id must be this community's id (or left out)",
        ));
    }
    let no_street = || Error::new(oc::STREET_NOT_FOUND, "no such street");
    let log = match fresh_log(hub, &id).await {
        Err(e) if scope == Scope::Street && e.code == oc::COMMUNITY_NOT_FOUND => {
            return Err(no_street());
        }
        r => r?,
    };
    // A street's id on the community routes, or a community's on the street's.
    match (scope, log.street) {
        (Scope::Community, true) => Err(Error::new(oc::COMMUNITY_NOT_FOUND, "no such community")),
        (Scope::Street, false) => Err(no_street()),
        (Scope::Community, false) => Ok(Base { scope, id, log }),
        (Scope::Street, true) => {
            let b = Base { scope, id, log };
            if let Ok(j) = o::street_jurisdiction(pairs) {
                linked_community(hub, &b, j).await?;
            }
            Ok(b)
        }
    }
}

/// The community a street's `jurisdiction_id` names, if it is linked to
/// the street (`404 jurisdiction_not_found` otherwise, whether it exists,
/// is another street's or in none: nothing tells which).
async fn linked_community(
    hub: &Hub,
    b: &Base,
    j: CommunityId,
) -> Result<(CommunityId, Arc<Log>), Error> {
    let not_found = || {
        Error::new(
            oc::JURISDICTION_NOT_FOUND,
            "jurisdiction_id must be the id of a community of this street",
        )
    };
    if hub.street_of(&j).await.map_err(from_api)?.as_ref() != Some(&b.id) {
        return Err(not_found());
    }
    let log = fresh_log(hub, &j).await.map_err(|e| {
        if e.code == oc::COMMUNITY_NOT_FOUND {
            not_found()
        } else {
            e
        }
    })?;
    Ok((j, log))
}

/// The logs whose wishes a GET reads: the community's; for a street, its
/// linked communities (only the one `jurisdiction_id` names, if given).
async fn targets(hub: &Hub, b: &Base, pairs: &[(String, String)]) -> Result<Vec<Arc<Log>>, Error> {
    if b.scope == Scope::Community {
        return Ok(vec![b.log.clone()]);
    }
    if let Ok(j) = o::street_jurisdiction(pairs) {
        return Ok(vec![linked_community(hub, b, j).await?.1]);
    }
    let mut logs = Vec::new();
    for c in crate::streets::linked(hub, &b.id).await.map_err(from_api)? {
        logs.push(fresh_log(hub, &c.id).await?);
    }
    Ok(logs)
}

/// The key a request carries (`api_key`), checked: known, not revoked, and
/// for a community's key its identity still active (a street's key has
/// none; its revocation is the marker alone).
async fn authenticate(hub: &Hub, b: &Base, pairs: &[(String, String)]) -> Result<StoredKey, Error> {
    let key = field(pairs, "api_key")
        .map(str::trim)
        .filter(|k| !k.is_empty())
        .ok_or_else(|| Error::new(oc::API_KEY_REQUIRED, "api_key was not provided"))?;
    let invalid = || Error::new(oc::INVALID_API_KEY, "api_key is not valid here");
    if key.len() > 200 {
        return Err(invalid());
    }
    let c = &b.id;
    let index: KeyIndex = store::get_json(&hub.store, &index_at(c, &sha256_hex(key)))
        .await?
        .ok_or_else(invalid)?;
    let k: StoredKey = store::get_json(&hub.store, &key_at(c, &index.key_id))
        .await?
        .ok_or_else(invalid)?;
    let by = match b.scope {
        Scope::Community => "community",
        Scope::Street => "street",
    };
    let revoked = || {
        Error::new(
            oc::API_KEY_REVOKED,
            format!("api_key was revoked by the {by}"),
        )
    };
    if store::exists(&hub.store, &revoked_at(c, &k.key_id)).await? {
        return Err(revoked());
    }
    if b.scope == Scope::Community && !b.log.member(&k.member).is_some_and(|v| v.active) {
        return Err(revoked());
    }
    mark_used(hub, c, &k.key_id).await;
    Ok(k)
}

/// Record a key's last use, at most once a minute per instance (a hint).
async fn mark_used(hub: &Hub, c: &CommunityId, key_id: &str) {
    static SEEN: OnceLock<Mutex<HashMap<String, u64>>> = OnceLock::new();
    let now = now_ms();
    {
        let mut seen = SEEN
            .get_or_init(Default::default)
            .lock()
            .unwrap_or_else(|e| e.into_inner());
        if seen.get(key_id).is_some_and(|t| now < t + 60_000) {
            return;
        }
        if seen.len() > 10_000 {
            seen.clear();
        }
        seen.insert(key_id.to_owned(), now);
    }
    if let Err(e) =
        store::overwrite_json(&hub.store, &used_at(c, key_id), &LastUsed { at_ms: now }).await
    {
        tracing::warn!("open311 last use of {key_id}: {e}");
    }
}

/// The key's requests matching the query `pairs` (`q` overrides its ids),
/// over every log it reads, in one answer (`open311::find`, `merge`).
/// Dates without a zone are read in each community's time.
async fn key_requests(
    hub: &Hub,
    b: &Base,
    k: &StoredKey,
    pairs: &[(String, String)],
    ids: Option<Vec<String>>,
) -> Result<Vec<o::ServiceRequest>, Error> {
    let parse = |s: &linli_core::State| {
        let mut q = o::parse_query(pairs, s.settings().utc_offset_minutes)?;
        if ids.is_some() {
            q.ids = ids.clone();
        }
        Ok::<_, Error>(q)
    };
    // Bad filters are refused even on a street with no community yet.
    b.log.with_state(parse).await??;
    let now = now_ms();
    let mut parts = Vec::new();
    for log in targets(hub, b, pairs).await? {
        let part = log
            .with_state(|s| {
                let q = parse(s)?;
                Ok::<_, Error>(match b.scope {
                    Scope::Community => o::find(s, &q, now, |w| o::readable(w, &k.member)),
                    Scope::Street => o::find(s, &q, now, |w| o::street_readable(w, &k.member)),
                })
            })
            .await??;
        parts.push(part);
    }
    Ok(o::merge(parts))
}

/// `GET services.json|xml`, `GET requests.json|xml`.
async fn top_get(
    scope: Scope,
    State(hub): State<Arc<Hub>>,
    Path((id, file)): Ids,
    RawQuery(q): RawQuery,
) -> Response {
    let (name, f) = match split(&file) {
        Ok(x) => x,
        Err(e) => return reply(Format::Json, Err(e)),
    };
    let answer = async {
        let pairs = query_pairs(q.as_deref())?;
        let b = base(&hub, scope, &id, &pairs).await?;
        match name {
            "services" => {
                let s = o::services();
                Ok(both(&s, o::xml_services(&s)))
            }
            "requests" => {
                let k = authenticate(&hub, &b, &pairs).await?;
                let rs = key_requests(&hub, &b, &k, &pairs, None).await?;
                Ok(both(&rs, o::xml_requests(&rs)))
            }
            _ => Err(Error::new(
                oc::REQUEST_NOT_FOUND,
                "no such Open311 resource",
            )),
        }
    }
    .await;
    reply(f, answer)
}

/// `GET services/{code}.json|xml`.
async fn service_get(
    scope: Scope,
    State(hub): State<Arc<Hub>>,
    Path((id, file)): Ids,
    RawQuery(q): RawQuery,
) -> Response {
    let (code, f) = match split(&file) {
        Ok(x) => x,
        Err(e) => return reply(Format::Json, Err(e)),
    };
    let answer = async {
        let pairs = query_pairs(q.as_deref())?;
        base(&hub, scope, &id, &pairs).await?;
        let cat = o::category(code)
            .ok_or_else(|| Error::new(oc::UNKNOWN_SERVICE_CODE, format!("no service {code:?}")))?;
        let d = o::Definition {
            service_code: cat.code().to_owned(),
            attributes: Vec::new(),
        };
        Ok(both(&d, o::xml_definition(&d)))
    }
    .await;
    let answer = answer.map_err(|mut e: Error| {
        if e.code == oc::UNKNOWN_SERVICE_CODE {
            e.status = 404;
        }
        e
    });
    reply(f, answer)
}

/// `GET requests/{id}.json|xml`: one request, as a list of one (the spec).
async fn request_get(
    scope: Scope,
    State(hub): State<Arc<Hub>>,
    Path((id, file)): Ids,
    RawQuery(q): RawQuery,
) -> Response {
    let (wish, f) = match split(&file) {
        Ok(x) => x,
        Err(e) => return reply(Format::Json, Err(e)),
    };
    let answer = async {
        let pairs = query_pairs(q.as_deref())?;
        let b = base(&hub, scope, &id, &pairs).await?;
        let k = authenticate(&hub, &b, &pairs).await?;
        let rs = key_requests(&hub, &b, &k, &pairs, Some(vec![wish.to_owned()])).await?;
        if rs.is_empty() {
            return Err(Error::new(
                oc::REQUEST_NOT_FOUND,
                "no request with this id was filed with this api_key",
            ));
        }
        Ok(both(&rs, o::xml_requests(&rs)))
    }
    .await;
    reply(f, answer)
}

/// `POST requests.json|xml` (form-encoded): file a wish on the city channel.
async fn top_post(
    scope: Scope,
    State(hub): State<Arc<Hub>>,
    Path((id, file)): Ids,
    RawQuery(q): RawQuery,
    headers: HeaderMap,
    body: Body,
) -> Response {
    let (name, f) = match split(&file) {
        Ok(x) => x,
        Err(e) => return reply(Format::Json, Err(e)),
    };
    if name != "requests" {
        let e = Error::new(oc::METHOD_NOT_ALLOWED, "only requests takes a POST");
        return reply(f, Err(e));
    }
    reply(
        f,
        post_request(&hub, scope, &id, q.as_deref(), &headers, body).await,
    )
}

/// The form fields of a POST (body first, then the query, which may carry
/// `api_key`) and its `Idempotency-Key`.
async fn post_fields(
    q: Option<&str>,
    headers: &HeaderMap,
    body: Body,
) -> Result<(Vec<(String, String)>, Option<String>), Error> {
    let form = headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.split(';').next())
        .is_some_and(|v| {
            v.trim()
                .eq_ignore_ascii_case("application/x-www-form-urlencoded")
        });
    if !form {
        return Err(Error::new(
            oc::UNSUPPORTED_MEDIA_TYPE,
            "POST requests takes application/x-www-form-urlencoded",
        ));
    }
    let bytes = axum::body::to_bytes(body, protocol::MAX_BODY_BYTES)
        .await
        .map_err(|_| {
            Error::new(
                oc::BODY_TOO_LARGE,
                format!("the body is larger than {} bytes", protocol::MAX_BODY_BYTES),
            )
        })?;
    let text = std::str::from_utf8(&bytes)
        .map_err(|_| Error::new(oc::INVALID, "the body is not UTF-8"))?;
    let mut pairs = o::form_pairs(text)
        .ok_or_else(|| Error::new(oc::INVALID, "the body is not URL-encoded UTF-8"))?;
    pairs.extend(query_pairs(q)?);
    let idempotency = match headers.get("idempotency-key") {
        None => None,
        Some(v) => Some(
            v.to_str()
                .ok()
                .filter(|k| o::idempotency_key_ok(k))
                .ok_or_else(|| {
                    Error::new(
                        oc::INVALID,
                        "Idempotency-Key must be 1 to 200 visible ASCII characters",
                    )
                })?
                .to_owned(),
        ),
    };
    Ok((pairs, idempotency))
}

async fn post_request(
    hub: &Hub,
    scope: Scope,
    id: &str,
    q: Option<&str>,
    headers: &HeaderMap,
    body: Body,
) -> Result<Answer, Error> {
    let (pairs, mut idempotency) = post_fields(q, headers, body).await?;
    let b = base(hub, scope, id, &pairs).await?;
    let k = authenticate(hub, &b, &pairs).await?;
    // Where the wish goes: the community; for a street's key, the
    // community `jurisdiction_id` names, which must be the street's.
    let (c, log) = match scope {
        Scope::Community => (b.id.clone(), b.log.clone()),
        Scope::Street => {
            let (c, log) = linked_community(hub, &b, o::street_jurisdiction(&pairs)?).await?;
            idempotency = idempotency.map(|i| o::street_idempotency(&c, &i));
            (c, log)
        }
    };
    let filing = log
        .with_state(|s| o::filing(&pairs, s.community.as_ref()))
        .await??;
    let random = u64::from_str_radix(&random_hex(8), 16).unwrap_or(0);
    let (wish, seq) = o::filing_id(&k.key_id, idempotency.as_deref(), random);
    let kind = match scope {
        Scope::Community => filing.op(wish.clone()),
        Scope::Street => {
            let street_name = b
                .log
                .with_state(|s| s.community.as_ref().map(|c| c.name.clone()))
                .await?
                .unwrap_or_default();
            filing.street_op(
                wish.clone(),
                &street::filing_signature(&street_name, &k.name),
            )
        }
    };
    let op = Op::new(
        OpId::new(o::filing_device(&k.key_id), seq),
        k.member.clone(),
        Hlc::at(now_ms()),
        kind,
    );
    if !append(&log, op).await.map_err(from_api)? {
        return Err(Error::new(
            oc::REFUSED,
            "the community refused the request (the key's identity may have left)",
        ));
    }
    if filing.has_contact() {
        store_contact(hub, &c, &log, &wish, filing.contact).await?;
    }
    tracing::info!(community = %c, base = %b.id, key_id = %k.key_id, wish = %wish, "open311 request filed");
    let posted = log
        .with_state(|s| o::posted(&wish, s.community.as_ref()))
        .await?;
    Ok(both(&[&posted], o::xml_posted(&posted)))
}

/// The requester's details go where the wish form's phone goes: the
/// private contact record, while the wish is open (never the log).
async fn store_contact(
    hub: &Hub,
    c: &CommunityId,
    log: &Log,
    wish: &WishId,
    mut contact: linli_core::private::ContactRecord,
) -> Result<(), Error> {
    if !is_open(log, wish).await? {
        // A replay of a request whose wish is over: nothing to keep.
        return Ok(());
    }
    contact.wish = wish.clone();
    store::overwrite_json(
        &hub.store,
        &store::private_record(c, wish.as_str()),
        &contact,
    )
    .await?;
    if !is_open(log, wish).await? {
        log.delete_private(wish).await;
    }
    Ok(())
}

async fn is_open(log: &Log, wish: &WishId) -> store::Result<bool> {
    log.with_state(|s| s.wishes.get(wish).is_some_and(|w| !w.status.is_terminal()))
        .await
}
