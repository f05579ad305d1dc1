//! Export this device's data as a file, or import one (dedupe by id).
use leptos::prelude::*;
use leptos::task::spawn_local;
use wasm_bindgen_futures::JsFuture;

use crate::i18n::{fill, k, key_by_name, tr, use_i18n};
use crate::state::use_app;
use crate::store::{Backup, ImportError, Store};

#[derive(Clone, Debug, PartialEq)]
enum Msg {
    None,
    Text(String),
    Error(String),
}

#[component]
pub fn BackupPanel() -> impl IntoView {
    let i18n = use_i18n();
    let app = use_app();
    let msg = RwSignal::new(Msg::None);
    let error_text = move |code: &str| {
        let key = key_by_name(&format!("import.error.{code}"))
            .or_else(|| key_by_name(&format!("store.error.{code}")));
        key.map(|k| i18n.t(k).to_owned())
            .unwrap_or_else(|| code.to_owned())
    };

    let export = move |_| {
        spawn_local(async move {
            let result = async { Store::default_db().await?.export().await }.await;
            msg.set(match result {
                Ok(backup) => {
                    let text = serde_json::to_string(&backup).unwrap_or_default();
                    let day = js_sys::Date::new_0()
                        .to_iso_string()
                        .as_string()
                        .unwrap_or_default();
                    let name = format!("linli-backup-{}.json", &day[..10.min(day.len())]);
                    let _ = crate::components::save_file(&name, "application/json", &text);
                    let n = |x: usize| x.to_string();
                    Msg::Text(fill(
                        i18n.t(k::SETTINGS_BACKUP_EXPORTED),
                        &[
                            ("log", &n(backup.log.len())),
                            ("outbox", &n(backup.outbox.len())),
                        ],
                    ))
                }
                Err(e) => Msg::Error(error_text(e.code())),
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
            let result: Result<_, ImportError> = async {
                let backup = Backup::parse(&text)?;
                Store::default_db().await?.import(&backup).await
            }
            .await;
            match result {
                Ok(report) => {
                    let n = |x: usize| x.to_string();
                    let mut text = fill(
                        i18n.t(k::SETTINGS_BACKUP_IMPORTED),
                        &[
                            ("log", &n(report.log_added)),
                            ("outbox", &n(report.outbox_added)),
                        ],
                    );
                    if report.adopted_identity {
                        text = format!("{text} {}", i18n.t(k::SETTINGS_BACKUP_IMPORTED_IDENTITY));
                    }
                    if report.foreign_pending > 0 {
                        text = format!(
                            "{text} {}",
                            fill(
                                i18n.t(k::SETTINGS_BACKUP_FOREIGN),
                                &[("n", &n(report.foreign_pending))]
                            )
                        );
                    }
                    msg.set(Msg::Text(text));
                    app.reload().await;
                    app.changed();
                }
                Err(e) => msg.set(Msg::Error(error_text(e.code()))),
            }
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
            <p class="status-msg" class:error=move || matches!(msg.get(), Msg::Error(_)) role="status" aria-live="polite">
                {move || match msg.get() {
                    Msg::None => String::new(),
                    Msg::Text(t) | Msg::Error(t) => t,
                }}
            </p>
        </section>
    }
}
