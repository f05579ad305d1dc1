//! The service-centre tablet (role `kiosk`) clears itself for the next
//! person: after the community's `Settings::kiosk_idle_seconds` without a
//! touch, a countdown of `COUNTDOWN_S` seconds that any touch cancels, then
//! a full load of the home page, so nothing the last person typed is left in
//! the page or in memory (a wish they filed waits in the outbox until it is
//! uploaded). While in kiosk mode the screen is kept awake.
use leptos::leptos_dom::helpers::{set_interval_with_handle, window_event_listener_untyped};
use leptos::prelude::*;
use leptos_router::NavigateOptions;
use leptos_router::hooks::{use_location, use_navigate};
use linli_core::model::Role;
use wasm_bindgen::{JsCast, JsValue};

use crate::i18n::{fill, k, tr, use_i18n};
use crate::state::use_app;

/// Seconds of warning before the tablet clears itself.
pub const COUNTDOWN_S: u32 = 10;

/// Inputs that count as someone using the tablet.
const ACTIVITY: [&str; 5] = ["pointerdown", "keydown", "input", "wheel", "touchstart"];

/// Mounted on every page; the timers and listeners exist only while this
/// device is a kiosk.
#[component]
pub fn KioskIdle() -> impl IntoView {
    let app = use_app();
    let is_kiosk = Memo::new(move |_| app.role() == Some(Role::Kiosk));
    view! {
        <Show when=move || is_kiosk.get()>
            <Countdown />
        </Show>
    }
}

#[component]
fn Countdown() -> impl IntoView {
    let app = use_app();
    let i18n = use_i18n();
    let limit = Memo::new(move |_| app.replica.with(|r| r.view().settings().kiosk_idle_seconds));
    let idle = RwSignal::new(0u32);
    for event in ACTIVITY {
        let handle = window_event_listener_untyped(event, move |_| idle.set(0));
        on_cleanup(move || handle.remove());
    }
    if let Ok(handle) = set_interval_with_handle(
        move || {
            let now = idle.get_untracked() + 1;
            if now >= limit.get_untracked() + COUNTDOWN_S {
                clear();
            } else {
                idle.set(now);
            }
        },
        std::time::Duration::from_secs(1),
    ) {
        on_cleanup(move || handle.clear());
    }
    keep_awake();
    // Kiosk mode: large type and targets (style/main.css, `body[data-kiosk]`).
    if let Some(body) = document().body() {
        let _ = body.set_attribute("data-kiosk", "");
        on_cleanup(move || {
            let _ = body.remove_attribute("data-kiosk");
        });
    }
    // A locked kiosk shows only its own routes (`kiosk::allows_route`):
    // anything else goes back to its home.
    let location = use_location();
    let navigate = use_navigate();
    Effect::new(move |_| {
        let path = location.pathname.get();
        if !app.kiosk_unlocked.get() && !linli_core::kiosk::allows_route(&path) {
            navigate(
                "/",
                NavigateOptions {
                    replace: true,
                    ..Default::default()
                },
            );
        }
    });
    let left = move || (limit.get() + COUNTDOWN_S).saturating_sub(idle.get());
    let warning = move || idle.get() >= limit.get();
    let relock = move |_| {
        app.kiosk_unlocked.set(false);
        clear();
    };
    view! {
        <Show when=move || app.kiosk_unlocked.get()>
            <div class="update-banner kiosk-unlocked" role="status">
                <span>{tr(k::KIOSK_UNLOCKED)}</span>
                <button type="button" on:click=relock>{tr(k::KIOSK_RELOCK)}</button>
            </div>
        </Show>
        <Show when=warning>
            <div class="update-banner kiosk-countdown" role="alert">
                <span>{move || fill(i18n.t(k::KIOSK_COUNTDOWN), &[("n", &left().to_string())])}</span>
                <button type="button" on:click=move |_| idle.set(0)>{tr(k::KIOSK_STAY)}</button>
            </div>
        </Show>
    }
}

/// A fresh load of the home page in place of this history entry: the DOM,
/// the signals and every typed value go with the old page.
fn clear() {
    // Nothing to do if the browser refuses; the countdown starts over.
    let _ = window().location().replace("/");
}

/// Screen Wake Lock where the browser has it (`navigator.wakeLock`); the
/// lock lapses when the page is hidden and is asked for again on return.
fn keep_awake() {
    let nav: JsValue = window().navigator().into();
    let Ok(lock) = js_sys::Reflect::get(&nav, &"wakeLock".into()) else {
        return;
    };
    let request = js_sys::Reflect::get(&lock, &"request".into())
        .ok()
        .and_then(|f| f.dyn_into::<js_sys::Function>().ok());
    if let Some(request) = request {
        // A refusal (battery saver, no permission) only lets the screen sleep.
        let _ = request.call1(&lock, &"screen".into());
    }
}
