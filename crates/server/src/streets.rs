//! `GET /api/v1/streets/{street}`: a street (街道) and its communities, for
//! the street's own members (docs/street.md, "The endpoint"). Who may read
//! a community's log as a street member is `Hub::authenticate`'s; which ops
//! a street pushes, `v1::push`'s; the rules are `linli_core::street`'s.
use axum::http::HeaderMap;
use axum::response::Response;
use linli_core::ids::CommunityId;
use linli_core::protocol::{StreetCommunity, StreetInfo, codes};
use linli_core::street;

use crate::api::ApiError;
use crate::hub::Fresh;
use crate::store;
use crate::v1::{Hubs, P, no_store};

/// Any active member of the street (`street::may_read`), `Fresh::Recent`:
/// the street's name and its communities, by name then id.
pub(crate) async fn info(
    axum::extract::State(hub): Hubs,
    headers: HeaderMap,
    P(s): P<String>,
) -> Result<Response, ApiError> {
    let s = CommunityId(s);
    let caller = hub.authenticate(&headers, &s, Fresh::Recent).await?;
    let not_a_street = || ApiError::new(codes::NOT_FOUND, format!("there is no street {s}"));
    // A street member on a community's id, or a community's own member.
    if caller.street.is_some() {
        return Err(not_a_street());
    }
    if !caller.log.street {
        return Err(not_a_street());
    }
    if !street::may_read(caller.role, true) {
        return Err(ApiError::new(
            codes::STREET_NO_ACCESS,
            "only a street's coordinators and viewers read it",
        ));
    }
    let name = caller
        .log
        .with_state(|st| st.community.as_ref().map(|c| c.name.clone()))
        .await?
        .unwrap_or_default();
    let mut communities = Vec::new();
    for meta in store::list_flat(&hub.store, &store::street_communities(&s)).await? {
        let Some(e) = store::get_json::<store::StreetEntry>(&hub.store, &meta.location).await?
        else {
            continue;
        };
        // The community's own link decides (written first, create-only).
        if hub.street_of(&e.community).await?.as_ref() == Some(&s) {
            communities.push(StreetCommunity {
                id: e.community,
                name: e.name,
            });
        }
    }
    communities.sort_by(|a, b| (&a.name, &a.id).cmp(&(&b.name, &b.id)));
    Ok(no_store(&StreetInfo {
        street: s,
        name,
        communities,
    }))
}
