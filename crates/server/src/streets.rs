//! `GET /api/v1/streets/{street}`: a street (街道) and its communities, and
//! `…/heads`, the live channel of a street device, for the street's own
//! members (docs/street.md, "The endpoint"). Who may read
//! a community's log as a street member is `Hub::authenticate`'s; which ops
//! a street pushes, `v1::push`'s; the rules are `linli_core::street`'s.
use std::time::{Duration, Instant};

use axum::extract::RawQuery;
use axum::http::HeaderMap;
use axum::response::Response;
use linli_core::ids::CommunityId;
use linli_core::protocol::{self, StreetCommunity, StreetHead, StreetHeads, StreetInfo, codes};
use linli_core::street;

use crate::api::ApiError;
use crate::hub::{AUTH_TTL, Caller, Fresh, Hub};
use crate::store;
use crate::v1::{Hubs, MAX_HEAD_WAIT_MS, P, no_store};

/// The caller, if an active member of street `s` (`street::may_read`).
async fn member_of(hub: &Hub, headers: &HeaderMap, s: &CommunityId) -> Result<Caller, ApiError> {
    let caller = hub.authenticate(headers, s, Fresh::Recent).await?;
    let not_a_street = || ApiError::new(codes::NOT_FOUND, format!("there is no street {s}"));
    // A street member on a community's id, or a community's own member.
    if caller.street.is_some() || !caller.log.street {
        return Err(not_a_street());
    }
    if !street::may_read(caller.role, true) {
        return Err(ApiError::new(
            codes::STREET_NO_ACCESS,
            "only a street's coordinators and viewers read it",
        ));
    }
    Ok(caller)
}

/// The communities linked to street `s`, by name then id: those whose own
/// link (written first, create-only) names it.
pub(crate) async fn linked(hub: &Hub, s: &CommunityId) -> Result<Vec<StreetCommunity>, ApiError> {
    let mut communities = Vec::new();
    for meta in store::list_flat(&hub.store, &store::street_communities(s)).await? {
        let Some(e) = store::get_json::<store::StreetEntry>(&hub.store, &meta.location).await?
        else {
            continue;
        };
        if hub.street_of(&e.community).await?.as_ref() == Some(s) {
            communities.push(StreetCommunity {
                id: e.community,
                name: e.name,
            });
        }
    }
    communities.sort_by(|a, b| (&a.name, &a.id).cmp(&(&b.name, &b.id)));
    Ok(communities)
}

/// Any active member of the street, `Fresh::Recent`: the street's name and
/// its communities, by name then id.
pub(crate) async fn info(
    axum::extract::State(hub): Hubs,
    headers: HeaderMap,
    P(s): P<String>,
) -> Result<Response, ApiError> {
    let s = CommunityId(s);
    let caller = member_of(&hub, &headers, &s).await?;
    let name = caller
        .log
        .with_state(|st| st.community.as_ref().map(|c| c.name.clone()))
        .await?
        .unwrap_or_default();
    let communities = linked(&hub, &s).await?;
    Ok(no_store(&StreetInfo {
        street: s,
        name,
        communities,
    }))
}

/// `GET …/heads?since=C:N,…&wait=MS`: every linked community's log seq,
/// as soon as one of those `since` names is past the seq it says the
/// device holds, or when the wait (≤ 25 s) is over (at once if it names
/// none of them). One request instead of a long poll per community: a
/// browser holds only six connections to a host.
pub(crate) async fn heads(
    axum::extract::State(hub): Hubs,
    headers: HeaderMap,
    P(s): P<String>,
    RawQuery(q): RawQuery,
) -> Result<Response, ApiError> {
    let s = CommunityId(s);
    let caller = member_of(&hub, &headers, &s).await?;
    let bad = |m: &str| ApiError::new(codes::BAD_REQUEST, m.to_owned());
    let (mut since, mut wait) = (Vec::new(), 0u64);
    for pair in q.as_deref().unwrap_or("").split('&') {
        if let Some(v) = pair.strip_prefix("since=") {
            since = protocol::parse_street_since(v).map_err(bad)?;
        } else if let Some(v) = pair.strip_prefix("wait=") {
            wait = v.parse().map_err(|_| bad("wait must be milliseconds"))?;
        }
    }
    let held = |c: &CommunityId| since.iter().find(|(id, _)| id == c).map(|(_, n)| *n);
    let mut logs = Vec::new();
    for c in linked(&hub, &s).await? {
        let log = hub.log(&c.id).await?;
        log.sync_within(AUTH_TTL).await?;
        logs.push((c.id, log));
    }
    let deadline = Instant::now() + Duration::from_millis(wait.min(MAX_HEAD_WAIT_MS));
    let waits: Vec<_> = logs
        .iter()
        .filter_map(|(c, log)| Some(Box::pin(log.wait_past(held(c)?, deadline))))
        .collect();
    if wait > 0 && !waits.is_empty() {
        futures::future::select_all(waits).await;
    }
    caller.still_active().await?;
    Ok(no_store(&StreetHeads {
        heads: logs
            .iter()
            .map(|(c, log)| StreetHead {
                community: c.clone(),
                seq: log.seq_now(),
            })
            .collect(),
    }))
}
