//! The sync status shown in the header of every page.
use leptos::prelude::*;
use leptos_router::components::A;

use super::{Status, use_sync};
use crate::i18n::{fill, k, use_i18n};
use crate::state::use_app;
use crate::status::Text;

use crate::browser::clock_time;

#[component]
pub fn SyncBadge(online: ReadSignal<bool>) -> impl IntoView {
    let i18n = use_i18n();
    let app = use_app();
    let sync = use_sync();
    let joined = move || app.session.with(Option::is_some);
    let pending = move || app.replica.with(|r| r.pending().len());
    let needs_user = move || {
        if let Status::NeedsUser(code) = sync.status.get() {
            Some(code)
        } else {
            None
        }
    };
    let text = move || {
        let n = pending();
        let with_pending = |s: String| {
            if n > 0 {
                format!(
                    "{s} · {}",
                    fill(i18n.t(k::SYNC_PENDING), &[("n", &n.to_string())])
                )
            } else {
                s
            }
        };
        if !online.get() {
            return with_pending(i18n.t(k::SYNC_OFFLINE).to_owned());
        }
        if !app.leader.get() {
            return with_pending(i18n.t(k::SYNC_OTHER_TAB).to_owned());
        }
        match sync.status.get() {
            Status::Idle => with_pending(i18n.t(k::SYNC_SYNCING).to_owned()),
            Status::Offline => with_pending(i18n.t(k::SYNC_OFFLINE).to_owned()),
            Status::Syncing { done, total } => fill(
                i18n.t(k::SYNC_SYNCING_PROGRESS),
                &[("done", &done.to_string()), ("total", &total.to_string())],
            ),
            Status::Synced if n > 0 => fill(i18n.t(k::SYNC_PENDING), &[("n", &n.to_string())]),
            Status::Synced => match sync.last_synced.get() {
                Some(ms) => fill(i18n.t(k::SYNC_SYNCED_AT), &[("time", &clock_time(ms))]),
                None => i18n.t(k::SYNC_SYNCED).to_owned(),
            },
            Status::Failed(_) => with_pending(i18n.t(k::SYNC_FAILED).to_owned()),
            Status::NeedsUser(_) => i18n.t(k::SYNC_REJOIN).to_owned(),
        }
    };
    let reason = move || {
        needs_user()
            .map(|code| Text::code(&["sync.reason"], &code, k::SYNC_REASON_OTHER).render(i18n))
    };
    view! {
        <Show
            when=joined
            fallback=move || view! { <A href="/join" attr:class="net-status offline">{move || i18n.t(k::SYNC_NOT_JOINED)}</A> }
        >
            <span
                class="net-status"
                class:offline=move || !online.get() || needs_user().is_some()
                role="status"
                aria-label=move || format!("{}: {}", i18n.t(k::SYNC_LABEL), text())
                title=move || reason().unwrap_or_default()
            >
                {text}
            </span>
            <button
                type="button"
                class="sync-now"
                aria-label=move || i18n.t(k::SYNC_NOW)
                title=move || i18n.t(k::SYNC_NOW)
                disabled=move || !online.get()
                on:click=move |_| super::trigger()
            >
                <span aria-hidden="true">"↻"</span>
            </button>
        </Show>
        {move || reason().map(|r| view! { <A href="/join" attr:class="visually-hidden">{r}</A> })}
    }
}
