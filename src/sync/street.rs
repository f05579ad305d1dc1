//! The street part of a round on a street device (docs/street.md "The
//! app"): fetch the street's info (its communities), then per linked
//! community push its outbox and pull its log into its own database, with
//! the same code as the device's own community (`push`, `pull_into`). A
//! community that fails keeps its failure in its status; the others go on.
use leptos::prelude::*;
use linli_core::CommunityId;
use linli_core::protocol::StreetInfo;

use super::api::{self, ApiError, Client};
use super::{
    Failure, LISTEN_IDLE_MS, LISTEN_MS, LISTEN_RETRY_MS, Pulled, Status, SyncState, push, sleep,
    trigger,
};
use crate::browser::now_ms;
use crate::state::AppState;
use crate::store::{Session, Store, keys};
use crate::street::{LinkStatus, Linked};

/// What this device holds of each linked community whose last round did
/// not fail: (id, confirmed seq). A failing one is left to the rounds, or
/// the live channel would wake for it again and again.
fn held(app: AppState) -> Vec<(CommunityId, u64)> {
    app.street.linked.with_untracked(|l| {
        l.iter()
            .filter(|c| !matches!(c.status.get_untracked(), LinkStatus::Failed(_)))
            .map(|c| {
                let seq = c.at.replica.with_untracked(|r| r.confirmed().seq);
                (c.id.clone(), seq)
            })
            .collect()
    })
}

impl SyncState {
    /// A street device's live channel for its communities' logs (its own
    /// log has `listen`'s): while the last round went well, one long-polled
    /// `GET /streets/{S}/heads` tells it as soon as any community's log
    /// moves, and a round pulls it.
    pub(super) async fn listen_street(self, app: AppState) {
        loop {
            let online = web_sys::window().is_some_and(|w| w.navigator().on_line());
            let ready = online
                && self.status.get_untracked() == Status::Synced
                && app.street.ready.get_untracked();
            let session = app.session.get_untracked().filter(|s| ready && s.street);
            let now = held(app);
            let Some(session) = session.filter(|_| !now.is_empty()) else {
                sleep(LISTEN_IDLE_MS).await;
                continue;
            };
            let heads =
                api::street_heads(session.community.as_str(), &session.token, &now, LISTEN_MS);
            match heads.await {
                Ok(h) => {
                    // Past what it held of a community it named.
                    let behind = |h: &linli_core::protocol::StreetHeads| {
                        h.heads.iter().any(|x| {
                            held(app)
                                .iter()
                                .any(|(c, n)| c == &x.community && x.seq > *n)
                        })
                    };
                    if behind(&h) {
                        trigger();
                        // Let the round pull it before asking again.
                        for _ in 0..50 {
                            sleep(200).await;
                            if !behind(&h) || self.status.get_untracked() != Status::Synced {
                                break;
                            }
                        }
                    }
                }
                Err(_) => sleep(LISTEN_RETRY_MS).await,
            }
        }
    }

    /// Returns whether anything changed (pages read again).
    pub(super) async fn sync_street(
        self,
        app: AppState,
        session: &Session,
    ) -> Result<bool, Failure> {
        // Until the communities' databases are read (`StreetState::reload`
        // triggers a round when they are).
        if !app.street.ready.get_untracked() {
            return Ok(false);
        }
        let device = app
            .device()
            .ok_or(Failure::Store(crate::store::StoreError::Failed(
                "no writer".into(),
            )))?;
        let info = api::street(session.community.as_str(), &session.token).await?;
        let mut changed = false;
        let held: Option<StreetInfo> = app.street.info.get_untracked();
        if held.as_ref() != Some(&info) {
            Store::default_db()
                .await?
                .put_meta(keys::STREET_INFO, &info)
                .await?;
            app.street.reload(&device, &session.member).await?;
            changed = true;
        }
        let linked = app.street.linked.get_untracked();
        for community in &linked {
            match self.sync_linked(app, community, session).await {
                Ok(c) => {
                    changed |= c;
                    community.status.set(LinkStatus::Synced(now_ms()));
                }
                Err(Failure::Api(e)) => community
                    .status
                    .set(LinkStatus::Failed(e.code().to_owned())),
                Err(Failure::Store(e)) => community
                    .status
                    .set(LinkStatus::Failed(format!("store_{}", e.code()))),
            }
        }
        if changed {
            app.street.remember().await;
        }
        // Offline half-way: the round is offline, not synced.
        if linked
            .iter()
            .any(|c| c.status.get_untracked() == LinkStatus::Failed("offline".into()))
        {
            return Err(Failure::Api(ApiError::Offline));
        }
        Ok(changed)
    }

    /// Push, then pull, one linked community.
    async fn sync_linked(
        self,
        app: AppState,
        community: &Linked,
        session: &Session,
    ) -> Result<bool, Failure> {
        let store = Store::community(&community.id).await?;
        let client = Client {
            community: community.id.as_str(),
            token: &session.token,
        };
        let pushed = push(&store, &client).await?;
        match self.pull_into(community.at, &store, &client, false).await? {
            Pulled::Entries(n) => Ok(pushed || n > 0),
            Pulled::Reset => {
                if let Some(device) = community.at.device() {
                    app.street
                        .reload_one(&community.id, &device, &session.member)
                        .await?;
                }
                Ok(true)
            }
        }
    }
}
