//! Joining a community: a code (typed, or from a join link `/join?code=…`)
//! and a display name. The demo server also offers ready-made identities.
use leptos::prelude::*;
use leptos::task::spawn_local;
use leptos_router::hooks::{use_navigate, use_query_map};
use linli_core::protocol::Demo;

use super::scan::ScanCode;
use crate::i18n::{fill, k, key_by_name, tr, use_i18n};
use crate::state::use_app;
use crate::sync;

#[derive(Clone, Debug, PartialEq)]
enum Status {
    Idle,
    Joining,
    Scanned,
    Error(String),
}

/// The words for a role code, e.g. "coordinator" → 协调员.
pub fn role_text(i18n: crate::i18n::I18n, role: linli_core::model::Role) -> &'static str {
    key_by_name(&format!("role.{}", role.code()))
        .map(|k| i18n.t(k))
        .unwrap_or(role.code())
}

#[component]
pub fn Join() -> impl IntoView {
    let i18n = use_i18n();
    let app = use_app();
    let query = use_query_map();
    let code = RwSignal::new(query.with_untracked(|q| q.get("code").unwrap_or_default()));
    let name = RwSignal::new(String::new());
    let status = RwSignal::new(Status::Idle);
    let demo = RwSignal::new(None::<Demo>);
    spawn_local(async move {
        if let Ok(d) = sync::api::demo().await {
            demo.set(Some(d));
        }
    });
    let navigate = use_navigate();
    let go = move |code_text: String| {
        if code_text.trim().is_empty() {
            status.set(Status::Error("join.error.empty".into()));
            return;
        }
        status.set(Status::Joining);
        let navigate = navigate.clone();
        spawn_local(async move {
            match sync::join(app, &code_text, name.get_untracked().trim()).await {
                Ok(()) => {
                    status.set(Status::Idle);
                    navigate("/", Default::default());
                }
                Err(e) => status.set(Status::Error(e.key_name())),
            }
        });
    };
    let go_form = go.clone();
    let submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        go_form(code.get_untracked());
    };
    let message = move || match status.get() {
        Status::Idle => String::new(),
        Status::Joining => i18n.t(k::JOIN_JOINING).to_owned(),
        Status::Scanned => i18n.t(k::JOIN_SCAN_FOUND).to_owned(),
        Status::Error(key) => key_by_name(&key)
            .or_else(|| key_by_name("join.error.offline").filter(|_| key.ends_with(".offline")))
            .map(|k| i18n.t(k).to_owned())
            .unwrap_or_else(|| fill(i18n.t(k::SYNC_REASON_OTHER), &[("code", &key)])),
    };
    let current = move || {
        let member = app.session.get()?.member;
        let name = app
            .replica
            .with(|r| r.view().members.get(&member).map(|m| m.name.clone()))?;
        Some(fill(i18n.t(k::JOIN_CURRENT), &[("name", &name)]))
    };
    view! {
        <h1>{tr(k::JOIN_TITLE)}</h1>
        <p>{tr(k::JOIN_INTRO)}</p>
        {move || current().map(|text| view! { <p class="empty">{text}</p> })}
        <form class="card" on:submit=submit novalidate>
            <div class="field">
                <label for="join-code">{tr(k::JOIN_CODE_LABEL)}</label>
                <input
                    id="join-code"
                    type="text"
                    autocomplete="one-time-code"
                    autocapitalize="characters"
                    aria-describedby="join-code-hint join-status"
                    prop:value=move || code.get()
                    on:input=move |ev| code.set(event_target_value(&ev))
                />
                <span id="join-code-hint" class="hint">{tr(k::JOIN_CODE_HINT)}</span>
                <ScanCode on_code=Callback::new(move |c: String| {
                    code.set(c);
                    status.set(Status::Scanned);
                }) />
            </div>
            <div class="field">
                <label for="join-name">{tr(k::JOIN_NAME_LABEL)}</label>
                <input
                    id="join-name"
                    type="text"
                    autocomplete="nickname"
                    aria-describedby="join-name-hint"
                    prop:value=move || name.get()
                    on:input=move |ev| name.set(event_target_value(&ev))
                />
                <span id="join-name-hint" class="hint">{tr(k::JOIN_NAME_HINT)}</span>
            </div>
            <div class="form-row">
                <button type="submit" disabled=move || status.get() == Status::Joining>{tr(k::JOIN_SUBMIT)}</button>
                <span
                    id="join-status"
                    class="status-msg"
                    class:error=move || matches!(status.get(), Status::Error(_))
                    role="status"
                    aria-live="polite"
                >
                    {message}
                </span>
            </div>
        </form>
        {move || {
            let go = go.clone();
            demo.get()
                .map(|d| {
                    view! {
                        <section class="card" aria-labelledby="join-demo">
                            <h2 id="join-demo">{tr(k::JOIN_DEMO_TITLE)}</h2>
                            <p>{tr(k::JOIN_DEMO_INTRO)}</p>
                            <ul class="demo-codes">
                                {d.codes
                                    .into_iter()
                                    .map(|c| {
                                        let go = go.clone();
                                        let label = move || {
                                            fill(
                                                i18n.t(k::JOIN_DEMO_AS),
                                                &[("role", role_text(i18n, c.role)), ("name", &c.name)],
                                            )
                                        };
                                        let code_text = c.code.clone();
                                        view! {
                                            <li>
                                                <button class="secondary" on:click=move |_| go(code_text.clone())>
                                                    {label}
                                                </button>
                                            </li>
                                        }
                                    })
                                    .collect_view()}
                            </ul>
                        </section>
                    }
                })
        }}
    }
}
