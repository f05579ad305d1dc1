//! Storage use and persistence, and what this device still has to sync.
use leptos::prelude::*;
use leptos::task::spawn_local;
use wasm_bindgen::JsCast;
use wasm_bindgen_futures::JsFuture;

use crate::i18n::{fill, k, tr, use_i18n};
use crate::state::use_app;

#[derive(Clone, Copy, Debug, PartialEq, Default)]
struct Usage {
    used: Option<f64>,
    quota: Option<f64>,
    persisted: bool,
}

fn storage_manager() -> Option<web_sys::StorageManager> {
    let nav = web_sys::window()?.navigator();
    // Absent on insecure origins and very old browsers.
    js_sys::Reflect::get(&nav, &"storage".into())
        .ok()
        .filter(|s| !s.is_undefined())?;
    Some(nav.storage())
}

async fn read_usage() -> Usage {
    let Some(sm) = storage_manager() else {
        return Usage::default();
    };
    let mut usage = Usage::default();
    if let Ok(p) = sm.estimate()
        && let Ok(est) = JsFuture::from(p).await
        && let Ok(est) = est.dyn_into::<web_sys::StorageEstimate>()
    {
        usage.used = est.get_usage();
        usage.quota = est.get_quota();
    }
    if let Ok(p) = sm.persisted() {
        usage.persisted = JsFuture::from(p)
            .await
            .map(|v| v.is_truthy())
            .unwrap_or(false);
    }
    usage
}

/// Asks the browser to keep this origin's data (granted or not by its own rules).
pub async fn request_persistence() -> bool {
    let Some(sm) = storage_manager() else {
        return false;
    };
    match sm.persist() {
        Ok(p) => JsFuture::from(p)
            .await
            .map(|v| v.is_truthy())
            .unwrap_or(false),
        Err(_) => false,
    }
}

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
    let usage = RwSignal::new(None::<Usage>);
    Effect::new(move |_| {
        app.revision.track();
        spawn_local(async move { usage.set(Some(read_usage().await)) });
    });
    let ask = move |_| {
        spawn_local(async move {
            request_persistence().await;
            usage.set(Some(read_usage().await));
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
    let persisted = move || usage.get().is_some_and(|u| u.persisted);
    let pending = move || app.replica.with(|r| r.pending().len()).to_string();
    let records = move || app.replica.with(|r| r.confirmed().seq).to_string();
    view! {
        <section class="card" aria-labelledby="settings-storage">
            <h2 id="settings-storage">{tr(k::SETTINGS_STORAGE_TITLE)}</h2>
            <p>{usage_text}</p>
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
