//! The bridge to public/pwa.js, which registers the service worker: it
//! announces a waiting update with a `linli-update-available` event and
//! activates it on `linliApplyUpdate()`.
use leptos::prelude::*;
use wasm_bindgen::JsValue;
use wasm_bindgen::prelude::*;

const UPDATE_EVENT: &str = "linli-update-available";

/// A signal that turns true when a new version of the app is waiting.
pub fn update_available() -> ReadSignal<bool> {
    let (waiting, set_waiting) = signal(already_waiting());
    let handle = window_event_listener_untyped(UPDATE_EVENT, move |_| set_waiting.set(true));
    on_cleanup(move || handle.remove());
    waiting
}

fn already_waiting() -> bool {
    js_sys::Reflect::get(&window(), &JsValue::from_str("__linliUpdateWaiting"))
        .map(|v| v.is_truthy())
        .unwrap_or(false)
}

/// Lets the waiting version take over; the page reloads when it has.
pub fn apply_update() {
    let apply = js_sys::Reflect::get(&window(), &JsValue::from_str("linliApplyUpdate"));
    match apply
        .ok()
        .and_then(|f| f.dyn_into::<js_sys::Function>().ok())
    {
        Some(f) => {
            let _ = f.call0(&JsValue::NULL);
        }
        None => {
            let _ = window().location().reload();
        }
    }
}

/// Whether the browser says it is online, kept up to date.
pub fn online() -> ReadSignal<bool> {
    let (online, set_online) = signal(window().navigator().on_line());
    let on = window_event_listener_untyped("online", move |_| set_online.set(true));
    let off = window_event_listener_untyped("offline", move |_| set_online.set(false));
    on_cleanup(move || {
        on.remove();
        off.remove();
    });
    online
}
