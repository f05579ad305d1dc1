//! `/api/v1`: the sync endpoint. Handlers take the caller first (the
//! `hub::Now`/`hub::Recent` extractors), then read the body (so a stranger's
//! huge body costs nothing), then act. Every answer is JSON; every error is
//! `{"error": {"code", "message", …}}` (`protocol::ErrorBody`).
use std::sync::Arc;

use axum::Json;
use axum::Router;
use axum::body::Body;
use axum::extract::{FromRequestParts, RawQuery, State};
use axum::http::request::Parts;
use axum::http::{HeaderValue, header};
use axum::response::{IntoResponse, Response};
use axum::routing::{delete, get, post, put};
use bytes::Bytes;
use linli_core::checkin::{self, ActivityKey, KeyVerdict, MemberPass};
use linli_core::ids::WishId;
use linli_core::model::Role;
use linli_core::private::{ContactRecord, may_see, may_write};
use linli_core::protocol::{
    self, ActivityKeys, CreateCodeRequest, DeviceName, JoinRequest, KioskPin, KioskPinSet,
    KioskView, MemberPasses, PrivateRecords, PushRequest, PushResponse, codes,
};
use linli_core::{Op, State as CoreState, kiosk, street, validate};
use serde::de::DeserializeOwned;

use crate::api::ApiError;
use crate::hub::{Auth, Hub, LogRoute, Now, Recent, now_ms};
use crate::log::parse_name;
use crate::store;

pub const NO_STORE: &str = "no-store";
pub const IMMUTABLE_PRIVATE: &str = "private, max-age=31536000, immutable";

pub(crate) type Hubs = State<Arc<Hub>>;

pub fn router(hub: Arc<Hub>) -> Router {
    let c = "/communities/{community}";
    Router::new()
        .route("/join", post(join))
        .route("/demo", get(demo))
        .route("/streets/{street}", get(crate::streets::info))
        .route("/streets/{street}/heads", get(crate::streets::heads))
        .route(&format!("{c}/ops"), post(push))
        .route(&format!("{c}/head"), get(head))
        .route(&format!("{c}/segments/{{name}}"), get(segment))
        .route(&format!("{c}/kiosk"), get(kiosk_view))
        .route(&format!("{c}/kiosk/pin"), put(kiosk_pin))
        .route(&format!("{c}/private"), get(private_list))
        .route(&format!("{c}/private/{{wish}}"), put(private_put))
        .route(&format!("{c}/care"), get(crate::care::list))
        .route(
            &format!("{c}/photos/{{sha256}}"),
            put(crate::photos::put).get(crate::photos::get),
        )
        .route(
            &format!("{c}/care/households/{{household}}"),
            put(crate::care::put_household),
        )
        .route(
            &format!("{c}/care/notes/{{visit}}"),
            put(crate::care::put_note),
        )
        .route(&format!("{c}/private/activities"), get(key_list))
        .route(
            &format!("{c}/private/activities/{{activity}}"),
            put(key_put).get(key_get),
        )
        .route(&format!("{c}/private/passes"), get(pass_list))
        .route(
            &format!("{c}/private/passes/{{member}}"),
            put(pass_put).get(pass_get),
        )
        .route(
            &format!("{c}/open311/keys"),
            post(crate::open311::key_create).get(crate::open311::key_list),
        )
        .route(
            &format!("{c}/open311/keys/{{key_id}}"),
            delete(crate::open311::key_revoke),
        )
        .route(&format!("{c}/codes"), post(code_create).get(code_list))
        .route(&format!("{c}/codes/{{code_id}}"), delete(code_delete))
        .route(&format!("{c}/devices"), get(device_list))
        .route(&format!("{c}/devices/{{device}}"), delete(device_revoke))
        .route(&format!("{c}/devices/{{device}}/name"), put(device_name))
        .route(
            &format!("{c}/members/{{member}}/tokens"),
            delete(member_revoke),
        )
        .method_not_allowed_fallback(|| async {
            ApiError::new(
                codes::METHOD_NOT_ALLOWED,
                "this endpoint does not take that method",
            )
        })
        .with_state(hub)
}

/// Path parameters, with a JSON error instead of axum's text rejection.
pub(crate) struct P<T>(pub(crate) T);

impl<S: Send + Sync, T: DeserializeOwned + Send> FromRequestParts<S> for P<T> {
    type Rejection = ApiError;
    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, ApiError> {
        axum::extract::Path::<T>::from_request_parts(parts, state)
            .await
            .map(|p| P(p.0))
            .map_err(|e| ApiError::new(codes::BAD_REQUEST, e.body_text()))
    }
}

/// Read a body up to `MAX_BODY_BYTES`, within the serve loop's body deadline.
pub(crate) async fn read_body(body: Body) -> Result<Bytes, ApiError> {
    axum::body::to_bytes(body, protocol::MAX_BODY_BYTES)
        .await
        .map_err(|e| {
            if is_timeout(&e) {
                ApiError::new(codes::REQUEST_TIMEOUT, "the body did not arrive in time")
            } else {
                ApiError::new(
                    codes::BODY_TOO_LARGE,
                    format!("the body is larger than {} bytes", protocol::MAX_BODY_BYTES),
                )
            }
        })
}

/// Whether a body error is the body deadline (`transport::Limits`).
fn is_timeout(e: &(dyn std::error::Error + 'static)) -> bool {
    let mut cur = Some(e);
    while let Some(e) = cur {
        if e.is::<tower_http::timeout::TimeoutError>() {
            return true;
        }
        cur = e.source();
    }
    false
}

fn malformed(e: impl std::fmt::Display) -> ApiError {
    ApiError::new(
        codes::MALFORMED_JSON,
        format!("the body is not the expected JSON: {e}"),
    )
}

pub(crate) async fn json_body<T: DeserializeOwned>(body: Body) -> Result<T, ApiError> {
    let bytes = read_body(body).await?;
    serde_json::from_slice(&bytes).map_err(malformed)
}

pub(crate) fn no_store<T: serde::Serialize>(value: &T) -> Response {
    let mut res = Json(value).into_response();
    res.headers_mut()
        .insert(header::CACHE_CONTROL, HeaderValue::from_static(NO_STORE));
    res
}

async fn join(State(hub): Hubs, body: Body) -> Result<Response, ApiError> {
    let req: JoinRequest = json_body(body).await?;
    Ok(no_store(&hub.join(req).await?))
}

async fn demo(State(hub): Hubs) -> Result<Response, ApiError> {
    match &hub.demo {
        Some(d) => Ok(no_store(d)),
        None => Err(ApiError::new(
            codes::NOT_FOUND,
            "this server has no demo community (start it with --demo)",
        )),
    }
}

/// Decode a push body; tells a malformed body from an op that does not decode.
fn parse_push(bytes: &[u8]) -> Result<PushRequest, ApiError> {
    match serde_json::from_slice::<PushRequest>(bytes) {
        Ok(r) => Ok(r),
        Err(e) => {
            let value: serde_json::Value = serde_json::from_slice(bytes).map_err(malformed)?;
            let Some(ops) = value.get("ops").and_then(|o| o.as_array()) else {
                return Err(malformed(e));
            };
            for (i, op) in ops.iter().enumerate() {
                if let Err(e) = serde_json::from_value::<Op>(op.clone()) {
                    return Err(ApiError::new(
                        codes::INVALID_OP,
                        format!("op {i} does not decode: {e}"),
                    )
                    .with_index(i)
                    .with_reason("undecodable"));
                }
            }
            Err(malformed(e))
        }
    }
}

async fn push(State(hub): Hubs, Auth(caller): LogRoute, body: Body) -> Result<Response, ApiError> {
    if caller.role == Role::Viewer {
        return Err(ApiError::new(codes::FORBIDDEN, "a viewer cannot push ops"));
    }
    // A street member answers escalations: its street's active coordinators
    // only (`authenticate` read the role from the street's log).
    if caller.street.is_some() && !street::may_answer(caller.role, true) {
        return Err(ApiError::new(
            codes::FORBIDDEN,
            "only a street coordinator answers a community's escalations",
        ));
    }
    let req = parse_push(&read_body(body).await?)?;
    if req.ops.len() > protocol::MAX_OPS_PER_PUSH {
        return Err(ApiError::new(
            codes::TOO_MANY_OPS,
            format!(
                "at most {} ops per push; send the rest in the next one",
                protocol::MAX_OPS_PER_PUSH
            ),
        ));
    }
    let now = now_ms();
    for (i, op) in req.ops.iter().enumerate() {
        // A street's Open311 filing is minted by the endpoint only, which
        // vouches for its author (a key of the community's street): no
        // device pushes one, whoever it is (docs/open311.md).
        if street::endpoint_only(&op.kind) {
            return Err(ApiError::new(
                codes::FORBIDDEN,
                format!("op {i}: only the street's Open311 endpoint files for the street"),
            )
            .with_index(i)
            .with_reason("street_file"));
        }
        // A kind this build does not know folds as void everywhere; it is let
        // through as for every role (forward compatibility).
        if caller.role == Role::Kiosk && op.kind.action().is_some_and(|a| !kiosk::may_push(a)) {
            return Err(ApiError::new(
                codes::KIOSK_FORBIDDEN,
                format!("op {i}: a kiosk may not author this kind of op"),
            )
            .with_index(i));
        }
        // A street member pushes the street's answers and nothing else; a
        // street's own log takes its members and name, no wishes
        // (docs/street.md, "The endpoint").
        if caller.street.is_some() && !street::is_street_op(&op.kind) {
            return Err(ApiError::new(
                codes::FORBIDDEN,
                format!("op {i}: a street member pushes only the street's answers to a community"),
            )
            .with_index(i)
            .with_reason("street_ops_only"));
        }
        if caller.log.street && !street::may_push_to_street(&op.kind) {
            return Err(ApiError::new(
                codes::FORBIDDEN,
                format!("op {i}: a street's log takes its members and name only"),
            )
            .with_index(i)
            .with_reason("street_log"));
        }
        // Only the Open311 endpoint files on the city channel (docs/open311.md).
        if matches!(
            op.kind,
            linli_core::OpKind::CreateWish {
                channel: linli_core::model::Channel::City,
                ..
            }
        ) {
            return Err(ApiError::new(
                codes::FORBIDDEN,
                format!("op {i}: only the Open311 endpoint files on the city channel"),
            )
            .with_index(i)
            .with_reason("city_channel"));
        }
        if op.id.device != caller.device {
            return Err(ApiError::new(
                codes::WRONG_DEVICE,
                format!("op {i} was minted by another device"),
            )
            .with_index(i));
        }
        if op.author != caller.member {
            return Err(ApiError::new(
                codes::WRONG_AUTHOR,
                format!("op {i} is authored by another member"),
            )
            .with_index(i));
        }
        if let Err(e) = validate::op(op) {
            return Err(ApiError::new(codes::INVALID_OP, format!("op {i}: {e}"))
                .with_index(i)
                .with_reason(e.code()));
        }
        if let Err(e) = validate::stamp(op.hlc, now) {
            let mut err = ApiError::new(
                codes::STAMP_IN_FUTURE,
                format!("op {i}: {e}; the device clock runs ahead"),
            )
            .with_index(i);
            err.0.server_ms = Some(now);
            return Err(err);
        }
        if i > 0 && Some(op.id.seq) != req.ops[i - 1].id.seq.checked_add(1) {
            return Err(ApiError::new(
                codes::INVALID_OP,
                format!("op {i}: the ops of a push must have consecutive seqs"),
            )
            .with_index(i)
            .with_reason("not_consecutive"));
        }
    }
    // Only ops the log does not hold yet cost budget: retries are free.
    let upto = caller.log.device_upto(&caller.device);
    let (mut fresh_ops, mut fresh_bytes, mut bytes) = (0usize, 0usize, 0usize);
    for op in &req.ops {
        let n = validate::bytes(op);
        bytes = bytes.saturating_add(n);
        if op.id.seq > upto {
            fresh_ops += 1;
            fresh_bytes = fresh_bytes.saturating_add(n);
        }
    }
    hub.charge(&caller.device, fresh_ops, fresh_bytes)?;
    let done = caller
        .log
        .push(caller.device.clone(), req.ops, bytes)
        .await?;
    // Personal data lives while its wish is open (ARCHITECTURE.md, "Threat model").
    caller.log.purge_closed().await;
    Ok(no_store(&PushResponse {
        accepted_through: done.accepted_through,
        head: done.head,
        epoch: caller.log.epoch.clone(),
    }))
}

/// Longest a head request may wait for news (`wait=`, milliseconds).
pub const MAX_HEAD_WAIT_MS: u64 = 25_000;

/// `GET head[?since=N][&wait=MS]`: with `wait`, a long poll that answers as
/// soon as the log is past `since` (or when the wait is over): the live
/// channel that tells online devices to pull. Segments stay the data path.
async fn head(Auth(caller): LogRoute, RawQuery(q): RawQuery) -> Result<Response, ApiError> {
    caller.log.purge_closed().await;
    let (mut since, mut wait) = (0, 0u64);
    for pair in q.as_deref().unwrap_or("").split('&') {
        if let Some(v) = pair.strip_prefix("since=") {
            since = v
                .parse()
                .map_err(|_| ApiError::new(codes::BAD_REQUEST, "since must be a log seq"))?;
        } else if let Some(v) = pair.strip_prefix("wait=") {
            wait = v
                .parse()
                .map_err(|_| ApiError::new(codes::BAD_REQUEST, "wait must be milliseconds"))?;
        }
    }
    if wait > 0 {
        let deadline = std::time::Instant::now()
            + std::time::Duration::from_millis(wait.min(MAX_HEAD_WAIT_MS));
        caller.log.wait_past(since, deadline).await;
    }
    let head = caller.log.head(since).await?;
    caller.still_active().await?;
    Ok(no_store(&head))
}

async fn segment(
    State(hub): Hubs,
    Auth(caller): LogRoute,
    P((_, name)): P<(String, String)>,
) -> Result<Response, ApiError> {
    if caller.role == Role::Kiosk {
        return Err(ApiError::new(
            codes::KIOSK_VIEW_ONLY,
            "a kiosk reads the kiosk view (GET …/kiosk), not the log",
        ));
    }
    let not_found = || ApiError::new(codes::SEGMENT_NOT_FOUND, format!("no segment {name}"));
    let key = parse_name(&caller.log.epoch, &name).ok_or_else(not_found)?;
    let bytes = store::get(&hub.store, &caller.log.key(key))
        .await?
        .ok_or_else(not_found)?;
    Ok((
        [
            (header::CONTENT_TYPE, "application/json"),
            (header::CACHE_CONTROL, IMMUTABLE_PRIVATE),
        ],
        bytes,
    )
        .into_response())
}

/// `GET …/kiosk`: the kiosk's view of the community (`kiosk::view`, "today"
/// on the endpoint's clock) and the stored form of its PIN. Kiosks only.
async fn kiosk_view(State(hub): Hubs, Auth(caller): Recent) -> Result<Response, ApiError> {
    caller.require(&[Role::Kiosk])?;
    let now = now_ms();
    let state = caller
        .log
        .with_state(|s| kiosk::view(s, &caller.member, &caller.device, now))
        .await?;
    caller.still_active().await?;
    let pin: Option<StoredPin> =
        store::get_json(&hub.store, &store::kiosk_pin(&caller.community)).await?;
    Ok(no_store(&KioskView {
        epoch: caller.log.epoch.clone(),
        state,
        pin: pin.map(|p| p.hash),
    }))
}

/// What `communities/{c}/kiosk-pin.json` holds.
#[derive(serde::Serialize, serde::Deserialize)]
struct StoredPin {
    hash: String,
}

/// `PUT …/kiosk/pin`: a coordinator sets the PIN that leaves kiosk mode; the
/// endpoint keeps a salted, slow hash of it, served to kiosks only.
async fn kiosk_pin(State(hub): Hubs, Auth(caller): Now, body: Body) -> Result<Response, ApiError> {
    caller.require(&[Role::Coordinator])?;
    let req: KioskPin = json_body(body).await?;
    if !kiosk::valid_pin(&req.pin) {
        return Err(
            ApiError::new(codes::INVALID, "the PIN must be 4 to 8 digits").with_reason("pin"),
        );
    }
    let mut salt = [0u8; 16];
    getrandom::fill(&mut salt).expect("the OS random source failed");
    let stored = StoredPin {
        hash: kiosk::hash_pin(&req.pin, &salt),
    };
    store::overwrite_json(&hub.store, &store::kiosk_pin(&caller.community), &stored).await?;
    Ok(no_store(&KioskPinSet { set: true }))
}

/// Whether `member` may read the contact record of `wish` now: the core's
/// `may_see`, and never for a closed wish.
fn may_read(state: &CoreState, member: &linli_core::MemberId, wish: &WishId) -> bool {
    let Some(w) = state.wishes.get(wish) else {
        return false;
    };
    !w.status.is_terminal() && may_see(state, member, wish)
}

async fn private_list(State(hub): Hubs, Auth(caller): Now) -> Result<Response, ApiError> {
    let listed = store::list_flat(&hub.store, &store::private_records(&caller.community)).await?;
    let wishes: Vec<(WishId, object_store::path::Path)> = listed
        .into_iter()
        .filter_map(|m| Some((store::private_wish(&m.location)?, m.location)))
        .collect();
    let visible: Vec<object_store::path::Path> = caller
        .log
        .with_state(|s| {
            wishes
                .into_iter()
                .filter(|(w, _)| may_read(s, &caller.member, w))
                .map(|(_, p)| p)
                .collect()
        })
        .await?;
    let mut records = Vec::new();
    for p in visible {
        if let Some(r) = store::get_json::<ContactRecord>(&hub.store, &p).await? {
            records.push(r);
        }
    }
    records.sort_by(|a, b| a.wish.cmp(&b.wish));
    Ok(no_store(&PrivateRecords { records }))
}

async fn private_put(
    State(hub): Hubs,
    Auth(caller): Now,
    P((_, wish)): P<(String, String)>,
    body: Body,
) -> Result<Response, ApiError> {
    let rec: ContactRecord = json_body(body).await?;
    if rec.wish.as_str() != wish {
        return Err(ApiError::new(
            codes::BAD_REQUEST,
            "the record's wish is not the wish in the path",
        ));
    }
    if let Err(e) = rec.validate() {
        return Err(ApiError::new(codes::INVALID, e.to_string()).with_reason(e.code()));
    }
    let wish = rec.wish.clone();
    let verdict = caller
        .log
        .with_state(|s| {
            let w = s.wishes.get(&wish)?;
            Some(if w.status.is_terminal() {
                Err(codes::WISH_CLOSED)
            } else if may_write(s, &caller.member, &wish) {
                Ok(())
            } else {
                Err(codes::FORBIDDEN)
            })
        })
        .await?;
    match verdict {
        None => Err(ApiError::new(
            codes::UNKNOWN_WISH,
            "the wish is not in the log yet; push its ops first",
        )),
        Some(Err(code)) if code == codes::WISH_CLOSED => Err(wish_closed()),
        Some(Err(_)) => Err(ApiError::new(
            codes::FORBIDDEN,
            "only the requester, the filer, a coordinator or a grid worker of the wish's grid may set contact details",
        )),
        Some(Ok(())) => {
            let key = store::private_record(&caller.community, wish.as_str());
            store::overwrite_json(&hub.store, &key, &rec).await?;
            // The wish may have closed on another instance meanwhile: then
            // the record must not outlive it.
            let closed = caller
                .log
                .with_state(|s| s.wishes.get(&wish).is_none_or(|w| w.status.is_terminal()))
                .await?;
            if closed {
                caller.log.delete_private(&wish).await;
                return Err(wish_closed());
            }
            Ok(no_store(&rec))
        }
    }
}

fn wish_closed() -> ApiError {
    ApiError::new(
        codes::WISH_CLOSED,
        "the wish is closed; its contact details are no longer kept",
    )
}

// ---- check-in records: activity keys and member passes (docs/activities.md) ----

/// The stored `{id}.json` records under `prefix`, with their ids.
async fn listed(
    hub: &Hub,
    prefix: &object_store::path::Path,
) -> Result<Vec<(String, object_store::path::Path)>, ApiError> {
    Ok(store::list_flat(&hub.store, prefix)
        .await?
        .into_iter()
        .filter_map(|m| Some((store::record_id(&m.location)?, m.location)))
        .collect())
}

async fn delete_quietly(hub: &Hub, at: &object_store::path::Path) {
    use object_store::ObjectStoreExt as _;
    match hub.store.delete(at).await {
        Ok(()) | Err(object_store::Error::NotFound { .. }) => {}
        Err(e) => tracing::warn!("deleting {at}: {e}"),
    }
}

/// `GET …/private/activities`: the keys of the activities the caller
/// organises (`checkin::may_hold_key`). Keys no longer kept (revealed in
/// the log, or the activity cancelled) are deleted on the way.
async fn key_list(State(hub): Hubs, Auth(caller): Now) -> Result<Response, ApiError> {
    let stored = listed(&hub, &store::activity_keys(&caller.community)).await?;
    let (visible, retired) = caller
        .log
        .with_state(|s| {
            let (mut visible, mut retired) = (Vec::new(), Vec::new());
            for (id, p) in stored {
                let id = linli_core::ActivityId::from(id.as_str());
                if !s.activities.contains_key(&id) {
                    // Not in this instance's log yet: neither shown nor deleted.
                } else if !checkin::should_keep_key(s, &id) {
                    retired.push(p);
                } else if checkin::may_hold_key(s, &caller.member, &id) {
                    visible.push(p);
                }
            }
            (visible, retired)
        })
        .await?;
    for p in retired {
        delete_quietly(&hub, &p).await;
    }
    let mut keys = Vec::new();
    for p in visible {
        if let Some(r) = store::get_json::<ActivityKey>(&hub.store, &p).await? {
            keys.push(r);
        }
    }
    keys.sort_by(|a, b| a.activity.cmp(&b.activity));
    Ok(no_store(&ActivityKeys { keys }))
}

fn key_error(v: KeyVerdict) -> ApiError {
    match v {
        KeyVerdict::UnknownActivity => ApiError::new(
            codes::UNKNOWN_ACTIVITY,
            "the activity is not in the log yet; push its ops first",
        ),
        KeyVerdict::Forbidden => ApiError::new(
            codes::FORBIDDEN,
            "only those who organise the activity hold its check-in key",
        ),
        KeyVerdict::Retired => ApiError::new(
            codes::KEY_RETIRED,
            "the activity was cancelled or its key revealed; the key is no longer kept",
        ),
        KeyVerdict::WrongKey => ApiError::new(
            codes::WRONG_KEY,
            "the key does not match the activity's check-in commitment",
        ),
    }
}

/// `GET …/private/activities/{activity}`: one key, for its organisers.
async fn key_get(
    State(hub): Hubs,
    Auth(caller): Now,
    P((_, activity)): P<(String, String)>,
) -> Result<Response, ApiError> {
    let id = linli_core::ActivityId::from(activity.as_str());
    let verdict = caller
        .log
        .with_state(|s| {
            let a = s.activities.get(&id).ok_or(KeyVerdict::UnknownActivity)?;
            let m = s.members.get(&caller.member);
            if !m.is_some_and(|m| s.organises(m, a)) {
                return Err(KeyVerdict::Forbidden);
            }
            if !checkin::should_keep_key(s, &id) {
                return Err(KeyVerdict::Retired);
            }
            Ok(())
        })
        .await?;
    verdict.map_err(key_error)?;
    let at = store::activity_key(&caller.community, &activity);
    match store::get_json::<ActivityKey>(&hub.store, &at).await? {
        Some(r) => Ok(no_store(&r)),
        None => Err(ApiError::new(
            codes::NOT_FOUND,
            "no device has stored this activity's key yet",
        )),
    }
}

/// `PUT …/private/activities/{activity}` with `{activity, key}`: an
/// organiser's device shares the key it made (or was handed) with the
/// activity's other organisers. Only the key the activity committed to.
async fn key_put(
    State(hub): Hubs,
    Auth(caller): Now,
    P((_, activity)): P<(String, String)>,
    body: Body,
) -> Result<Response, ApiError> {
    let rec: ActivityKey = json_body(body).await?;
    if rec.activity.as_str() != activity {
        return Err(ApiError::new(
            codes::BAD_REQUEST,
            "the record's activity is not the activity in the path",
        ));
    }
    caller
        .log
        .with_state(|s| checkin::judge_key(s, &caller.member, &rec))
        .await?
        .map_err(key_error)?;
    let at = store::activity_key(&caller.community, &activity);
    // The one key that matches the commitment: writing it again is the same write.
    store::overwrite_json(&hub.store, &at, &rec).await?;
    tracing::info!(community = %caller.community, member = %caller.member, device = %caller.device, activity = %activity, "activity key stored");
    // The key may have been revealed on another instance meanwhile.
    let kept = caller
        .log
        .with_state(|s| checkin::should_keep_key(s, &rec.activity))
        .await?;
    if !kept {
        delete_quietly(&hub, &at).await;
        return Err(key_error(KeyVerdict::Retired));
    }
    Ok(no_store(&rec))
}

/// `GET …/private/passes`: every pass the caller may read
/// (`checkin::may_read_pass`): all for a coordinator, those of today's
/// rosters for a kiosk (`checkin::kiosk_members`), the caller's own for
/// anyone else. Passes of removed members are deleted.
async fn pass_list(State(hub): Hubs, Auth(caller): Now) -> Result<Response, ApiError> {
    let stored = listed(&hub, &store::passes(&caller.community)).await?;
    let (visible, stale) = caller
        .log
        .with_state(|s| {
            let mut visible = Vec::new();
            let mut stale = Vec::new();
            // A kiosk gets the passes of today's rosters only.
            let kiosk = s
                .members
                .get(&caller.member)
                .is_some_and(|m| m.role == Role::Kiosk);
            let today = kiosk.then(|| checkin::kiosk_members(s, now_ms()));
            for (id, p) in stored {
                let m = linli_core::MemberId::from(id.as_str());
                if s.members.get(&m).is_some_and(|m| !m.active) {
                    stale.push(p);
                } else if checkin::may_read_pass(s, &caller.member, &m)
                    && today.as_ref().is_none_or(|t| t.contains(&m))
                {
                    visible.push(p);
                }
            }
            (visible, stale)
        })
        .await?;
    for p in stale {
        delete_quietly(&hub, &p).await;
    }
    let mut passes = Vec::new();
    for p in visible {
        if let Some(r) = store::get_json::<MemberPass>(&hub.store, &p).await? {
            passes.push(r);
        }
    }
    passes.sort_by(|a, b| a.member.cmp(&b.member));
    Ok(no_store(&MemberPasses { passes }))
}

/// `GET …/private/passes/{member}`.
async fn pass_get(
    State(hub): Hubs,
    Auth(caller): Now,
    P((_, member)): P<(String, String)>,
) -> Result<Response, ApiError> {
    let m = linli_core::MemberId::from(member.as_str());
    let may = caller
        .log
        .with_state(|s| checkin::may_read_pass(s, &caller.member, &m))
        .await?;
    if !may {
        return Err(ApiError::new(
            codes::FORBIDDEN,
            "only the member, a kiosk or a coordinator may read a member's pass",
        ));
    }
    match store::get_json::<MemberPass>(&hub.store, &store::pass(&caller.community, &member))
        .await?
    {
        Some(p) => Ok(no_store(&p)),
        None => Err(ApiError::new(
            codes::NOT_FOUND,
            "this member has set no pass",
        )),
    }
}

/// `PUT …/private/passes/{member}`: the member's own device sets the salted
/// hashes of their badge and PIN (never the PIN itself).
async fn pass_put(
    State(hub): Hubs,
    Auth(caller): Now,
    P((_, member)): P<(String, String)>,
    body: Body,
) -> Result<Response, ApiError> {
    let pass: MemberPass = json_body(body).await?;
    if pass.member.as_str() != member {
        return Err(ApiError::new(
            codes::BAD_REQUEST,
            "the pass's member is not the member in the path",
        ));
    }
    if let Err(reason) = pass.validate() {
        return Err(
            ApiError::new(codes::INVALID, "a pass holds a hex salt and 64-hex hashes")
                .with_reason(reason),
        );
    }
    let may = caller
        .log
        .with_state(|s| checkin::may_write_pass(s, &caller.member, &pass.member))
        .await?;
    if !may {
        return Err(ApiError::new(
            codes::FORBIDDEN,
            "only the member themself sets their pass",
        ));
    }
    store::overwrite_json(&hub.store, &store::pass(&caller.community, &member), &pass).await?;
    tracing::info!(community = %caller.community, member = %caller.member, device = %caller.device, "member pass stored");
    Ok(no_store(&pass))
}

async fn code_create(
    State(hub): Hubs,
    Auth(caller): Now,
    body: Body,
) -> Result<Response, ApiError> {
    caller.require(&[Role::Coordinator])?;
    let req: CreateCodeRequest = json_body(body).await?;
    Ok(no_store(&hub.create_code(&caller, req).await?))
}

async fn code_list(State(hub): Hubs, Auth(caller): Now) -> Result<Response, ApiError> {
    Ok(no_store(&hub.list_codes(&caller).await?))
}

async fn code_delete(
    State(hub): Hubs,
    Auth(caller): Now,
    P((_, code_id)): P<(String, String)>,
) -> Result<Response, ApiError> {
    Ok(no_store(&hub.delete_code(&caller, &code_id).await?))
}

async fn device_list(State(hub): Hubs, Auth(caller): Now) -> Result<Response, ApiError> {
    Ok(no_store(&hub.list_devices(&caller).await?))
}

async fn device_revoke(
    State(hub): Hubs,
    Auth(caller): Now,
    P((_, device)): P<(String, String)>,
) -> Result<Response, ApiError> {
    Ok(no_store(&hub.revoke_device(&caller, &device).await?))
}

async fn device_name(
    State(hub): Hubs,
    Auth(caller): Now,
    P((_, device)): P<(String, String)>,
    body: Body,
) -> Result<Response, ApiError> {
    let req: DeviceName = json_body(body).await?;
    Ok(no_store(&hub.name_device(&caller, &device, req).await?))
}

async fn member_revoke(
    State(hub): Hubs,
    Auth(caller): Now,
    P((_, member)): P<(String, String)>,
) -> Result<Response, ApiError> {
    Ok(no_store(&hub.revoke_member(&caller, &member).await?))
}

#[cfg(test)]
mod tests {
    use crate::store::percent_decode;

    #[test]
    fn percent_decoding() {
        assert_eq!(percent_decode("w%2F1").as_deref(), Some("w/1"));
        assert_eq!(percent_decode("plain").as_deref(), Some("plain"));
        assert_eq!(percent_decode("bad%2"), None);
    }
}
