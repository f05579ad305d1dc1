//! The member's inbox (linli-core `inbox::items`) and how far they have
//! read it, kept in the store so the count survives a reload. Effects only.
use leptos::prelude::*;
use leptos::task::spawn_local;
use linli_core::inbox::{self, Item};

use crate::state::AppState;
use crate::store::{Store, keys};

#[derive(Clone, Copy)]
pub struct InboxState {
    /// The newest item looked at (HLC ms; 0: none).
    pub seen: RwSignal<u64>,
}

impl InboxState {
    pub fn provide() -> InboxState {
        let state = InboxState {
            seen: RwSignal::new(0),
        };
        provide_context(state);
        spawn_local(async move {
            if let Ok(store) = Store::default_db().await
                && let Ok(Some(at)) = store.get_meta::<u64>(keys::INBOX_SEEN).await
            {
                state.seen.update(|s| *s = (*s).max(at));
            }
        });
        state
    }

    /// Everything read up to `at`.
    pub fn mark_seen(self, at: u64) {
        if at <= self.seen.get_untracked() {
            return;
        }
        self.seen.set(at);
        spawn_local(async move {
            if let Ok(store) = Store::default_db().await {
                // Losing this write only shows an item as new once more.
                let _ = store.put_meta(keys::INBOX_SEEN, &at).await;
            }
        });
    }
}

pub fn use_inbox() -> InboxState {
    expect_context::<InboxState>()
}

/// The member's inbox, newest first (reactive).
pub fn items(app: AppState) -> Vec<Item> {
    let Some(member) = app.session.with(|s| s.as_ref().map(|s| s.member.clone())) else {
        return Vec::new();
    };
    app.replica.with(|r| inbox::items(r.view(), &member))
}

/// How many items are new (reactive).
pub fn unread(app: AppState, state: InboxState) -> usize {
    inbox::unread(&items(app), state.seen.get())
}
