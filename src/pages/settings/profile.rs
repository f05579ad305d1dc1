//! The member's own name as others see it (an `update_member` op), and the
//! state's check code, which is equal on every device once they are synced.
use leptos::prelude::*;
use linli_core::OpKind;

use crate::components::form::{Form, TextInput};
use crate::i18n::{k, tr};
use crate::pages::ui::run;
use crate::state::use_app;
use crate::status::{Status, StatusLine};

#[component]
pub fn ProfilePanel() -> impl IntoView {
    let app = use_app();
    let member = move || app.session.get().map(|s| s.member);
    let current = move || {
        let m = member()?;
        app.replica
            .with(|r| r.view().members.get(&m).map(|m| m.name.clone()))
    };
    let name = RwSignal::new(String::new());
    // Shows the name the log holds (a rename from another device too).
    Effect::new(move |_| name.set(current().unwrap_or_default()));
    let status = RwSignal::new(Status::Idle);
    let save = move || {
        let Some(m) = member() else { return };
        let kind = OpKind::UpdateMember {
            member: m,
            name: Some(name.get_untracked().trim().to_owned()),
            skills: None,
            grids: None,
        };
        run(app, kind, status, move || {
            status.set(Status::done(k::SETTINGS_PROFILE_SAVED))
        });
    };
    let check = move || app.replica.with(|r| r.view().hash()[..12].to_owned());
    view! {
        <Show when=move || member().is_some()>
            <section class="card" aria-labelledby="settings-profile">
                <h2 id="settings-profile">{tr(k::SETTINGS_PROFILE_TITLE)}</h2>
                <Form status=status on_submit=save>
                    <TextInput id="profile-name" label=k::SETTINGS_PROFILE_NAME_LABEL value=name codes=&["name_empty", "name_too_long"] autocomplete="nickname" />
                    <div class="form-row">
                        <button type="submit">{tr(k::SETTINGS_PROFILE_SAVE)}</button>
                        <StatusLine status=status id="profile-status" />
                    </div>
                </Form>
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
