//! Parts shared by every page: header, navigation, update prompt.
pub mod form;
pub mod kiosk;

use leptos::prelude::*;
use leptos_router::components::A;

use crate::i18n::{Locale, k, tr, use_i18n};
use crate::pwa;
use linli_core::nav::Page;

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
            <InboxLink />
            <button class="lang-switch" on:click=move |_| i18n.set_locale(other())>
                <span class="visually-hidden">{tr(k::LANG_SWITCH_LABEL)}</span>
                <span lang=move || other().tag()>{tr(k::LANG_SWITCH_TEXT)}</span>
            </button>
        </header>
    }
}

/// 消息 with the count of new items, once joined.
#[component]
fn InboxLink() -> impl IntoView {
    let i18n = use_i18n();
    let app = crate::state::use_app();
    let inbox = crate::inbox::use_inbox();
    let unread = Memo::new(move |_| crate::inbox::unread(app, inbox));
    let label = move || {
        crate::i18n::fill(
            i18n.t(k::INBOX_LINK_LABEL),
            &[("n", &unread.get().to_string())],
        )
    };
    view! {
        <Show when=move || app.session.with(Option::is_some)>
            <A href="/inbox" attr:class="inbox-link" attr:aria-label=label>
                // The space keeps the count a word of its own, so the link's
                // name ("Inbox: 2 new") contains its visible text ("Inbox 2").
                {tr(k::INBOX_LINK)}
                " "
                <Show when=move || { unread.get() > 0 }>
                    <span class="count" aria-hidden="true">{move || unread.get()}</span>
                </Show>
            </A>
        </Show>
    }
}

/// The tabs this member's role uses (`linli_core::nav::pages`).
#[component]
pub fn MainNav() -> impl IntoView {
    let app = crate::state::use_app();
    // A locked kiosk offers no navigation: its screens link to each other.
    let pages = Memo::new(move |_| match app.role() {
        role if app.is_street() => linli_core::nav::street_pages(role),
        Some(linli_core::model::Role::Kiosk) if !app.kiosk_unlocked.get() => Vec::new(),
        role => linli_core::nav::pages(role),
    });
    let key = |p: Page| match p {
        Page::Home => k::NAV_HOME,
        Page::Wishes => k::NAV_WISHES,
        Page::Board => k::NAV_BOARD,
        Page::Orders => k::NAV_ORDERS,
        Page::Activities => k::NAV_ACTIVITIES,
        Page::Volunteers => k::NAV_VOLUNTEERS,
        Page::Dashboard => k::NAV_DASHBOARD,
        Page::Settings => k::NAV_SETTINGS,
        Page::StreetInbox => k::NAV_STREET_INBOX,
        Page::StreetDashboard => k::NAV_STREET_DASHBOARD,
    };
    view! {
        <nav class="bottom-nav" aria-label=tr(k::NAV_LABEL)>
            <ul>
                <For each=move || pages.get() key=|p| p.path() let:page>
                    <li>
                        <A href=page.path() exact=true>
                            {tr(key(page))}
                        </A>
                    </li>
                </For>
            </ul>
        </nav>
    }
}

/// Tells the author of a void op what happened, naming the wish ("someone
/// else took this order: 杨志强 at 14:07"), in a bar that stays in view.
#[component]
pub fn Notices() -> impl IntoView {
    let i18n = use_i18n();
    let app = crate::state::use_app();
    let sync = crate::sync::use_sync();
    let reason = move |r: linli_core::VoidReason| crate::status::Status::void(r).render(i18n);
    // The wish an op was about, and for a lost claim who won and when.
    let about = move |op: &linli_core::OpId| {
        let member = app.session.with(|s| s.as_ref().map(|s| s.member.clone()))?;
        app.replica.with(|r| {
            let s = r.view();
            let wish = s
                .wishes
                .values()
                .find(|w| w.timeline.iter().any(|t| t.op == *op))?;
            let lost = linli_core::inbox::items(s, &member)
                .into_iter()
                .find(|i| i.op == *op)
                .map(|i| i.kind);
            Some((wish.id.clone(), wish.title.clone(), lost))
        })
    };
    view! {
        <div class="notices">
            <For each=move || sync.notices.get() key=|n| n.op.clone() let:notice>
                <div class="update-banner notice" role="alert">
                    <span>
                        {
                            let op = notice.op.clone();
                            let code = notice.reason;
                            move || match about(&op) {
                                Some((id, title, Some(kind))) => {
                                    let what = crate::pages::inbox_words(i18n, app, &kind);
                                    view! {
                                        <A href=format!("/wishes/{}", id.0)>{title}</A>
                                        {tr(k::INBOX_SEP)}
                                        {what}
                                    }
                                        .into_any()
                                }
                                Some((id, title, None)) => {
                                    view! {
                                        <A href=format!("/wishes/{}", id.0)>{title}</A>
                                        {tr(k::INBOX_SEP)}
                                        {crate::i18n::fill(i18n.t(k::NOTICE_VOID), &[("reason", &reason(code))])}
                                    }
                                        .into_any()
                                }
                                None => {
                                    crate::i18n::fill(i18n.t(k::NOTICE_VOID), &[("reason", &reason(code))])
                                        .into_any()
                                }
                            }
                        }
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
        </div>
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
