use leptos::prelude::*;
use leptos::task::spawn_local;

use crate::i18n::{Locale, fill, k, tr, use_i18n};
use crate::state::use_app;
use crate::store::{Store, StoreError, keys};

mod backup;
mod profile;
mod storage;

/// Longest device name accepted, in characters.
pub const DEVICE_NAME_MAX_CHARS: usize = 40;

#[derive(Clone, Debug, PartialEq)]
enum Status {
    Loading,
    Idle,
    Saving,
    Saved,
    TooLong,
    Storage(String),
}

#[component]
pub fn Settings() -> impl IntoView {
    let i18n = use_i18n();
    let app = use_app();
    let name = RwSignal::new(String::new());
    // What the store held at the last read: a change from another tab is
    // shown unless the user is in the middle of editing.
    let stored = RwSignal::new(String::new());
    let status = RwSignal::new(Status::Loading);

    Effect::new(move |_| {
        app.revision.track();
        spawn_local(async move {
            let loaded: Result<Option<String>, StoreError> =
                async { Store::default_db().await?.get_meta(keys::DEVICE_NAME).await }.await;
            match loaded {
                Ok(value) => {
                    let value = value.unwrap_or_default();
                    if name.get_untracked() == stored.get_untracked() {
                        name.set(value.clone());
                    }
                    stored.set(value);
                    if status.get_untracked() == Status::Loading {
                        status.set(Status::Idle);
                    }
                }
                Err(e) => status.set(Status::Storage(e.to_string())),
            }
        });
    });

    let save = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        let value = name.get_untracked().trim().to_owned();
        if value.chars().count() > DEVICE_NAME_MAX_CHARS {
            status.set(Status::TooLong);
            return;
        }
        status.set(Status::Saving);
        spawn_local(async move {
            let saved = async {
                Store::default_db()
                    .await?
                    .put_meta(keys::DEVICE_NAME, &value)
                    .await
            }
            .await;
            status.set(match saved {
                Ok(()) => {
                    stored.set(value);
                    app.changed();
                    Status::Saved
                }
                Err(e) => Status::Storage(e.to_string()),
            });
        });
    };

    let message = move || match status.get() {
        Status::Loading => i18n.t(k::SETTINGS_LOADING).to_owned(),
        Status::Idle => String::new(),
        Status::Saving => i18n.t(k::SETTINGS_SAVING).to_owned(),
        Status::Saved => i18n.t(k::SETTINGS_SAVED).to_owned(),
        Status::TooLong => fill(
            i18n.t(k::SETTINGS_ERROR_TOO_LONG),
            &[("max", &DEVICE_NAME_MAX_CHARS.to_string())],
        ),
        Status::Storage(detail) => fill(i18n.t(k::SETTINGS_ERROR_STORAGE), &[("detail", &detail)]),
    };
    let is_error = move || matches!(status.get(), Status::TooLong | Status::Storage(_));

    view! {
        <h1>{tr(k::SETTINGS_TITLE)}</h1>
        <section class="card" aria-labelledby="settings-device">
            <h2 id="settings-device">{tr(k::SETTINGS_DEVICE_TITLE)}</h2>
            <form on:submit=save novalidate>
                <div class="field">
                    <label for="device-name">{tr(k::SETTINGS_DEVICE_NAME_LABEL)}</label>
                    <input
                        id="device-name"
                        type="text"
                        autocomplete="off"
                        aria-describedby="device-name-hint device-name-status"
                        aria-invalid=move || if status.get() == Status::TooLong { "true" } else { "false" }
                        prop:value=move || name.get()
                        on:input=move |ev| name.set(event_target_value(&ev))
                        disabled=move || status.get() == Status::Loading
                    />
                    <span id="device-name-hint" class="hint">{tr(k::SETTINGS_DEVICE_NAME_HINT)}</span>
                </div>
                <div class="form-row">
                    <button type="submit" disabled=move || matches!(status.get(), Status::Loading | Status::Saving)>
                        {tr(k::SETTINGS_SAVE)}
                    </button>
                    <span id="device-name-status" class="status-msg" class:error=is_error role="status" aria-live="polite">
                        {message}
                    </span>
                </div>
            </form>
        </section>
        <profile::ProfilePanel />
        <profile::InviteLink />
        <storage::StoragePanel />
        <backup::BackupPanel />
        <section class="card" aria-labelledby="settings-language">
            <h2 id="settings-language">{tr(k::SETTINGS_LANGUAGE_TITLE)}</h2>
            <div class="field">
                <label for="language">{tr(k::SETTINGS_LANGUAGE_LABEL)}</label>
                <select
                    id="language"
                    on:change=move |ev| {
                        if let Some(locale) = Locale::from_tag(&event_target_value(&ev)) {
                            i18n.set_locale(locale);
                        }
                    }
                >
                    {Locale::ALL
                        .into_iter()
                        .map(|l| {
                            let key = if l == Locale::ZhCn { k::LANG_ZH_CN } else { k::LANG_EN };
                            view! {
                                <option value=l.tag() lang=l.tag() selected=move || i18n.locale() == l>
                                    {tr(key)}
                                </option>
                            }
                        })
                        .collect_view()}
                </select>
            </div>
        </section>
    }
}
