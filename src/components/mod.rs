//! Parts shared by every page: header, navigation, update prompt.
pub mod form;

use leptos::prelude::*;
use leptos_router::components::A;

use crate::i18n::{Locale, k, tr, use_i18n};
use crate::pwa;

#[component]
pub fn AppHeader() -> impl IntoView {
    let i18n = use_i18n();
    let online = pwa::online();
    let other = move || match i18n.locale() {
        Locale::ZhCn => Locale::En,
        Locale::En => Locale::ZhCn,
    };
    view! {
        <header class="app-header">
            <div class="brand">
                <A href="/" attr:class="brand-name">{tr(k::APP_NAME)}</A>
                <span class="tagline">{tr(k::APP_TAGLINE)}</span>
            </div>
            <crate::sync::status::SyncBadge online />
            <button class="lang-switch" on:click=move |_| i18n.set_locale(other())>
                <span class="visually-hidden">{tr(k::LANG_SWITCH_LABEL)}</span>
                <span lang=move || other().tag()>{tr(k::LANG_SWITCH_TEXT)}</span>
            </button>
        </header>
    }
}

#[component]
pub fn MainNav() -> impl IntoView {
    let items = [
        ("/", k::NAV_HOME),
        ("/wishes", k::NAV_WISHES),
        ("/board", k::NAV_BOARD),
        ("/orders", k::NAV_ORDERS),
        ("/volunteers", k::NAV_VOLUNTEERS),
        ("/dashboard", k::NAV_DASHBOARD),
        ("/settings", k::NAV_SETTINGS),
    ];
    view! {
        <nav class="bottom-nav" aria-label=tr(k::NAV_LABEL)>
            <ul>
                {items
                    .into_iter()
                    .map(|(href, key)| view! { <li><A href=href exact=true>{tr(key)}</A></li> })
                    .collect_view()}
            </ul>
        </nav>
    }
}

/// Tells the author of a void op what happened ("someone else took this order").
#[component]
pub fn Notices() -> impl IntoView {
    let i18n = use_i18n();
    let sync = crate::sync::use_sync();
    let reason = move |r: linli_core::VoidReason| crate::status::Status::void(r).render(i18n);
    view! {
        <For each=move || sync.notices.get() key=|n| n.op.clone() let:notice>
            <div class="update-banner notice" role="alert">
                <span>
                    {move || crate::i18n::fill(i18n.t(k::NOTICE_VOID), &[("reason", &reason(notice.reason))])}
                </span>
                <button
                    class="secondary"
                    on:click={
                        let op = notice.op.clone();
                        move |_| sync.notices.update(|n| n.retain(|x| x.op != op))
                    }
                >
                    {tr(k::NOTICE_DISMISS)}
                </button>
            </div>
        </For>
    }
}

#[component]
pub fn UpdateBanner() -> impl IntoView {
    let waiting = pwa::update_available();
    view! {
        <Show when=move || waiting.get()>
            <div class="update-banner" role="alert">
                <span>{tr(k::UPDATE_AVAILABLE)}</span>
                <button class="secondary" on:click=|_| pwa::apply_update()>
                    {tr(k::UPDATE_RELOAD)}
                </button>
            </div>
        </Show>
    }
}

/// A page heading with an honest empty state below it.
#[component]
pub fn EmptyPage(title: crate::i18n::Key, body: crate::i18n::Key) -> impl IntoView {
    view! {
        <h1>{tr(title)}</h1>
        <p class="empty">{tr(body)}</p>
    }
}

/// Saves `text` as a file through a temporary link (no network): backups,
/// CSV exports.
pub fn save_file(name: &str, mime: &str, text: &str) -> Result<(), wasm_bindgen::JsValue> {
    use wasm_bindgen::JsCast;
    let parts = js_sys::Array::of1(&text.into());
    let opts = web_sys::BlobPropertyBag::new();
    opts.set_type(mime);
    let blob = web_sys::Blob::new_with_str_sequence_and_options(&parts, &opts)?;
    let url = web_sys::Url::create_object_url_with_blob(&blob)?;
    let a: web_sys::HtmlAnchorElement = document().create_element("a")?.unchecked_into();
    a.set_href(&url);
    a.set_download(name);
    a.click();
    web_sys::Url::revoke_object_url(&url)
}
