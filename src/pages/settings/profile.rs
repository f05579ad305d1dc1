//! The member's own name as others see it (an `update_member` op), and the
//! state's check code, which is equal on every device once they are synced.
use leptos::prelude::*;
use leptos::task::spawn_local;
use linli_core::OpKind;

use crate::i18n::{k, key_by_name, tr, use_i18n};
use crate::state::use_app;

#[component]
pub fn ProfilePanel() -> impl IntoView {
    let i18n = use_i18n();
    let app = use_app();
    let member = move || app.session.get().map(|s| s.member);
    let current = move || {
        let m = member()?;
        app.replica
            .with(|r| r.view().members.get(&m).map(|m| m.name.clone()))
    };
    let name = RwSignal::new(String::new());
    Effect::new(move |_| name.set(current().unwrap_or_default()));
    let msg = RwSignal::new((false, String::new()));
    let save = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        let Some(m) = member() else { return };
        let kind = OpKind::UpdateMember {
            member: m,
            name: Some(name.get_untracked().trim().to_owned()),
            skills: None,
            grids: None,
        };
        spawn_local(async move {
            msg.set(match app.dispatch(kind).await {
                Ok(_) => (false, i18n.t(k::SETTINGS_PROFILE_SAVED).to_owned()),
                Err(e) => (
                    true,
                    key_by_name(&e.key_name())
                        .map(|k| i18n.t(k).to_owned())
                        .unwrap_or_else(|| e.to_string()),
                ),
            });
        });
    };
    let check = move || app.replica.with(|r| r.view().hash()[..12].to_owned());
    view! {
        <Show when=move || member().is_some()>
            <section class="card" aria-labelledby="settings-profile">
                <h2 id="settings-profile">{tr(k::SETTINGS_PROFILE_TITLE)}</h2>
                <form on:submit=save novalidate>
                    <div class="field">
                        <label for="profile-name">{tr(k::SETTINGS_PROFILE_NAME_LABEL)}</label>
                        <input
                            id="profile-name"
                            type="text"
                            autocomplete="nickname"
                            prop:value=move || name.get()
                            on:input=move |ev| name.set(event_target_value(&ev))
                            aria-describedby="profile-status"
                        />
                    </div>
                    <div class="form-row">
                        <button type="submit">{tr(k::SETTINGS_PROFILE_SAVE)}</button>
                        <span id="profile-status" class="status-msg" class:error=move || msg.get().0 role="status">
                            {move || msg.get().1}
                        </span>
                    </div>
                </form>
                <p class="hint">
                    {tr(k::SETTINGS_CHECK_LABEL)}
                    <code data-testid="state-check">{check}</code>
                </p>
            </section>
        </Show>
    }
}

/// Coordinators find invitations and device management from here.
#[component]
pub fn InviteLink() -> impl IntoView {
    let app = use_app();
    let is_coordinator = move || app.role() == Some(linli_core::model::Role::Coordinator);
    view! {
        <Show when=is_coordinator>
            <p class="card">
                <leptos_router::components::A href="/invite">{tr(k::INVITE_LINK)}</leptos_router::components::A>
            </p>
        </Show>
    }
}
