//! Export this device's data as a file, or import one (dedupe by id).
use leptos::prelude::*;
use leptos::task::spawn_local;
use wasm_bindgen_futures::JsFuture;

use crate::browser::today;
use crate::i18n::{k, tr};
use crate::state::use_app;
use crate::status::{Status, StatusLine, Text};

#[component]
pub fn BackupPanel() -> impl IntoView {
    let app = use_app();
    let status = RwSignal::new(Status::Idle);

    let export = move |_| {
        spawn_local(async move {
            status.set(match app.export_backup().await {
                Ok(backup) => {
                    let text = serde_json::to_string(&backup).unwrap_or_default();
                    let name = format!("linli-backup-{}.json", today());
                    let _ = crate::components::save_file(&name, "application/json", &text);
                    let text = Text::key(k::SETTINGS_BACKUP_EXPORTED)
                        .arg("log", backup.log.len())
                        .arg("outbox", backup.outbox.len());
                    Status::Done(text)
                }
                Err(e) => Status::failed(e.text()),
            });
        });
    };

    let import = move |ev: leptos::ev::Event| {
        let input: web_sys::HtmlInputElement = event_target(&ev);
        let Some(file) = input.files().and_then(|f| f.get(0)) else {
            return;
        };
        input.set_value("");
        spawn_local(async move {
            let text = JsFuture::from(file.text())
                .await
                .ok()
                .and_then(|t| t.as_string())
                .unwrap_or_default();
            status.set(match app.import_backup(&text).await {
                Ok(report) => {
                    let mut text = Text::key(k::SETTINGS_BACKUP_IMPORTED)
                        .arg("log", report.log_added)
                        .arg("outbox", report.outbox_added);
                    if report.adopted_identity {
                        text = text.then(Text::key(k::SETTINGS_BACKUP_IMPORTED_IDENTITY));
                    }
                    if report.foreign_pending > 0 {
                        text = text.then(
                            Text::key(k::SETTINGS_BACKUP_FOREIGN).arg("n", report.foreign_pending),
                        );
                    }
                    Status::Done(text)
                }
                Err(e) => Status::failed(e.text()),
            });
        });
    };

    view! {
        <section class="card" aria-labelledby="settings-backup">
            <h2 id="settings-backup">{tr(k::SETTINGS_BACKUP_TITLE)}</h2>
            <p class="hint">{tr(k::SETTINGS_BACKUP_HINT)}</p>
            <div class="form-row">
                <button class="secondary" on:click=export>{tr(k::SETTINGS_BACKUP_EXPORT)}</button>
                <label class="button secondary file-button">
                    {tr(k::SETTINGS_BACKUP_IMPORT)}
                    <input type="file" accept="application/json,.json" class="visually-hidden" on:change=import />
                </label>
            </div>
            <StatusLine status=status />
        </section>
    }
}
