//! Storage use and persistence, and what this device still has to sync.
use leptos::prelude::*;
use leptos::task::spawn_local;

use crate::i18n::{fill, k, tr, use_i18n};
use crate::pages::ui::Reader;
use crate::state::{Usage, use_app};

fn human(bytes: f64) -> String {
    match bytes {
        b if b >= 1024.0 * 1024.0 * 1024.0 => format!("{:.1} GB", b / (1024.0 * 1024.0 * 1024.0)),
        b if b >= 1024.0 * 1024.0 => format!("{:.1} MB", b / (1024.0 * 1024.0)),
        b => format!("{:.0} KB", b / 1024.0),
    }
}

#[component]
pub fn StoragePanel() -> impl IntoView {
    let i18n = use_i18n();
    let app = use_app();
    let usage = Reader::new(move || {
        app.revision.track();
        async move { app.storage_usage().await }
    });
    let ask = move |_| {
        spawn_local(async move {
            app.persist_storage().await;
            usage.refetch();
        })
    };
    let usage_text = move || match usage.get() {
        Some(Usage {
            used: Some(u),
            quota: Some(q),
            ..
        }) => fill(
            i18n.t(k::SETTINGS_STORAGE_USAGE),
            &[("used", &human(u)), ("quota", &human(q))],
        ),
        Some(_) => i18n.t(k::SETTINGS_STORAGE_UNKNOWN).to_owned(),
        None => i18n.t(k::SETTINGS_LOADING).to_owned(),
    };
    // Photos are most of what a device keeps beyond the log (docs/photos.md).
    let photo_usage = Reader::new(move || {
        app.revision.track();
        async move { app.photo_usage().await }
    });
    let photos_text = move || {
        let u = photo_usage.get().unwrap_or_default();
        fill(
            i18n.t(k::PHOTOS_STORAGE),
            &[
                ("count", &u.count.to_string()),
                ("size", &human(u.bytes)),
                ("pending", &u.pending.to_string()),
            ],
        )
    };
    let persisted = move || usage.get().is_some_and(|u| u.persisted);
    let pending = move || app.replica.with(|r| r.pending().len()).to_string();
    let records = move || app.replica.with(|r| r.confirmed().seq).to_string();
    view! {
        <section class="card" aria-labelledby="settings-storage">
            <h2 id="settings-storage">{tr(k::SETTINGS_STORAGE_TITLE)}</h2>
            <p>{usage_text}</p>
            <p data-testid="photo-usage">{photos_text}</p>
            <p data-testid="pending-count">{move || fill(i18n.t(k::SETTINGS_STORAGE_PENDING), &[("n", &pending())])}</p>
            <p>{move || fill(i18n.t(k::SETTINGS_STORAGE_LOG), &[("n", &records())])}</p>
            <p data-testid="sync-leader">
                {move || i18n.t(if app.leader.get() { k::SETTINGS_STORAGE_LEADER } else { k::SETTINGS_STORAGE_FOLLOWER })}
            </p>
            <p>
                {move || i18n.t(if persisted() { k::SETTINGS_STORAGE_PERSISTED } else { k::SETTINGS_STORAGE_NOT_PERSISTED })}
            </p>
            <Show when=move || !persisted()>
                <button class="secondary" on:click=ask>{tr(k::SETTINGS_STORAGE_PERSIST)}</button>
            </Show>
        </section>
    }
}
