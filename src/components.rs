//! Parts shared by every page: header, navigation, update prompt.
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
            <span
                class="net-status"
                class:offline=move || !online.get()
                role="status"
            >
                {move || i18n.t(if online.get() { k::NET_ONLINE } else { k::NET_OFFLINE })}
            </span>
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
