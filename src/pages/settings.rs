//! This device's settings: its name, the member's profile, storage, backup
//! and the language. Reads and writes go through `AppState`.
use leptos::prelude::*;
use leptos::task::spawn_local;
use linli_core::protocol::{self, DeviceNameError};

use crate::components::form::{Bind, Form, Select, TextInput};
use crate::i18n::{Locale, k, tr, use_i18n};
use crate::pages::ui::Reader;
use crate::state::use_app;
use crate::status::{Status, StatusLine, Text};

mod backup;
mod profile;
mod storage;

#[component]
pub fn Settings() -> impl IntoView {
    let i18n = use_i18n();
    let languages = Signal::derive(move || {
        Locale::ALL
            .into_iter()
            .map(|l| {
                let key = if l == Locale::ZhCn {
                    k::LANG_ZH_CN
                } else {
                    k::LANG_EN
                };
                (l.tag().to_owned(), i18n.t(key).to_owned())
            })
            .collect()
    });
    let language = Bind::new(
        move || i18n.locale().tag().to_owned(),
        move |tag| {
            if let Some(locale) = Locale::from_tag(&tag) {
                i18n.set_locale(locale);
            }
        },
    );
    view! {
        <h1>{tr(k::SETTINGS_TITLE)}</h1>
        <DeviceName />
        <profile::ProfilePanel />
        <profile::InviteLink />
        <storage::StoragePanel />
        <backup::BackupPanel />
        <section class="card" aria-labelledby="settings-language">
            <h2 id="settings-language">{tr(k::SETTINGS_LANGUAGE_TITLE)}</h2>
            <Select id="language" label=k::SETTINGS_LANGUAGE_LABEL value=language options=languages />
        </section>
    }
}

/// The device's own name. A change from another tab shows unless the user
/// is in the middle of editing.
#[component]
fn DeviceName() -> impl IntoView {
    let app = use_app();
    let name = RwSignal::new(String::new());
    // What the store held at the last read.
    let stored = RwSignal::new(String::new());
    let status = RwSignal::new(Status::Busy(k::SETTINGS_LOADING));
    let read = Reader::new(move || {
        app.revision.track();
        async move { app.device_name().await }
    });
    // Synchronizes the form with what the store said (an outside change).
    Effect::new(move |_| match read.get() {
        Some(Ok(value)) => {
            if name.get_untracked() == stored.get_untracked() {
                name.set(value.clone());
            }
            stored.set(value);
            if status.get_untracked() == Status::Busy(k::SETTINGS_LOADING) {
                status.set(Status::Idle);
            }
        }
        Some(Err(e)) => status.set(Status::failed(e.text())),
        None => {}
    });
    let save = move || {
        let value = match protocol::device_name(&name.get_untracked()) {
            Ok(value) => value,
            Err(e) => {
                let text = match e {
                    DeviceNameError::TooLong => Text::key(k::SETTINGS_ERROR_TOO_LONG)
                        .arg("max", protocol::DEVICE_NAME_MAX_CHARS),
                    DeviceNameError::Control => Text::key(k::SETTINGS_ERROR_CONTROL),
                };
                status.set(Status::Failed {
                    text,
                    field: Some(e.code()),
                });
                return;
            }
        };
        status.set(Status::Busy(k::SETTINGS_SAVING));
        spawn_local(async move {
            status.set(match app.set_device_name(&value).await {
                Ok(()) => {
                    stored.set(value);
                    Status::done(k::SETTINGS_SAVED)
                }
                Err(e) => Status::failed(e.text()),
            });
        });
    };
    let loading = move || status.with(|s| *s == Status::Busy(k::SETTINGS_LOADING));
    view! {
        <section class="card" aria-labelledby="settings-device">
            <h2 id="settings-device">{tr(k::SETTINGS_DEVICE_TITLE)}</h2>
            <Form status=status on_submit=save>
                <TextInput
                    id="device-name"
                    label=k::SETTINGS_DEVICE_NAME_LABEL
                    value=name
                    hint=k::SETTINGS_DEVICE_NAME_HINT
                    codes=&["device_name_too_long", "device_name_control"]
                    autocomplete="off"
                    disabled=Signal::derive(loading)
                />
                <div class="form-row">
                    <button type="submit" disabled=move || status.with(Status::is_busy)>{tr(k::SETTINGS_SAVE)}</button>
                    <StatusLine status=status id="device-name-status" />
                </div>
            </Form>
        </section>
    }
}
