//! 我的消息: what happened to the member's own work (linli-core
//! `inbox::items`), newest first; opening it marks everything read.
use leptos::prelude::*;
use leptos_router::components::A;
use linli_core::inbox::{Item, Kind};
use linli_core::model::AnswerKind;

use super::ui::{Gate, member_name, subject_href, subject_title, when};
use crate::i18n::{I18n, fill, k, tr, use_i18n};
use crate::inbox::{items, use_inbox};
use crate::state::use_app;

#[component]
pub fn Inbox() -> impl IntoView {
    view! {
        <Gate title=k::INBOX_TITLE empty=k::INBOX_EMPTY>
            <InboxBody />
        </Gate>
    }
}

#[component]
fn InboxBody() -> impl IntoView {
    let app = use_app();
    let inbox = use_inbox();
    let list = Memo::new(move |_| items(app));
    // What was new when the page opened stays marked as new while it is open.
    let seen_before = inbox.seen.get_untracked();
    Effect::new(move |_| {
        if let Some(newest) = list.with(|l| l.first().map(|i| i.at)) {
            inbox.mark_seen(newest);
        }
    });
    view! {
        <Show
            when=move || list.with(|l| !l.is_empty())
            fallback=|| view! { <p class="empty">{tr(k::INBOX_EMPTY)}</p> }
        >
            <ul class="plain inbox">
                <For each=move || list.get() key=|i| (i.op.clone(), i.about.clone()) let:item>
                    <InboxItem new={item.at > seen_before} item=item />
                </For>
            </ul>
        </Show>
    }
}

#[component]
fn InboxItem(item: Item, new: bool) -> impl IntoView {
    let app = use_app();
    let i18n = use_i18n();
    let title = app
        .replica
        .with_untracked(|r| subject_title(r.view(), &item.about));
    let what = describe(i18n, app, &item.kind);
    let points = item.points.map(|d| {
        let sign = if d > 0 { "+" } else { "" };
        fill(i18n.t(k::INBOX_POINTS), &[("delta", &format!("{sign}{d}"))])
    });
    let href = subject_href(&item.about);
    view! {
        <li class="card inbox-item" class:unread=new>
            <p class="hint">
                <time>{when(item.at)}</time>
                {new.then(|| view! { " · " <strong>{tr(k::INBOX_NEW)}</strong> })}
            </p>
            <p>
                <A href=href>{title}</A>
                {tr(k::INBOX_SEP)}
                {what}
                {points.map(|p| view! { " · " <span class="points">{p}</span> })}
            </p>
        </li>
    }
}

/// What happened, in words (the inbox and the void-op notices).
pub fn describe(i18n: I18n, app: crate::state::AppState, kind: &Kind) -> String {
    match kind {
        Kind::Completed => i18n.t(k::INBOX_COMPLETED).to_owned(),
        Kind::Accepted => i18n.t(k::INBOX_ACCEPTED).to_owned(),
        Kind::Rework => i18n.t(k::INBOX_REWORK).to_owned(),
        Kind::Lapsed => i18n.t(k::INBOX_LAPSED).to_owned(),
        Kind::Assigned => i18n.t(k::INBOX_ASSIGNED).to_owned(),
        Kind::LostClaim { winner, winner_at } => match (winner, winner_at) {
            (Some(w), Some(at)) => {
                let name = app
                    .replica
                    .with_untracked(|r| member_name(i18n, r.view(), w));
                fill(
                    i18n.t(k::INBOX_LOST_CLAIM),
                    &[("winner", &name), ("time", &when(*at))],
                )
            }
            _ => i18n.t(k::INBOX_LOST_CLAIM_UNKNOWN).to_owned(),
        },
        Kind::Attended => i18n.t(k::INBOX_ATTENDED).to_owned(),
        Kind::NoShow => i18n.t(k::INBOX_NO_SHOW).to_owned(),
        Kind::Waiting { position: Some(n) } => {
            fill(i18n.t(k::INBOX_WAITING_AT), &[("n", &n.to_string())])
        }
        Kind::Waiting { position: None } => i18n.t(k::INBOX_WAITING).to_owned(),
        Kind::Promoted => i18n.t(k::INBOX_PROMOTED).to_owned(),
        Kind::ActivityCancelled => i18n.t(k::INBOX_ACTIVITY_CANCELLED).to_owned(),
        Kind::CheckInRejected => i18n.t(k::INBOX_CHECK_IN_REJECTED).to_owned(),
        Kind::StreetAnswered { answer, from } => {
            let key = match answer {
                AnswerKind::Accepted => k::INBOX_STREET_ACCEPTED,
                AnswerKind::Returned => k::INBOX_STREET_RETURNED,
                AnswerKind::Resolved => k::INBOX_STREET_RESOLVED,
            };
            fill(i18n.t(key), &[("from", from)])
        }
    }
}
