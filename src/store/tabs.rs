//! Several tabs of the app on one device: one of them (the holder of a Web
//! Lock) runs sync; every write is announced on a BroadcastChannel so the
//! others re-read the store within a moment, without reloading.
use std::cell::RefCell;

use wasm_bindgen::JsCast;
use wasm_bindgen::prelude::*;

const CHANNEL: &str = "linli";
/// Held for the life of the tab that syncs; the next tab gets it on close.
pub const SYNC_LOCK: &str = "linli-sync";

thread_local! {
    static CHANNEL_HANDLE: RefCell<Option<web_sys::BroadcastChannel>> = const { RefCell::new(None) };
}

fn channel() -> Option<web_sys::BroadcastChannel> {
    CHANNEL_HANDLE.with(|c| {
        if c.borrow().is_none() {
            *c.borrow_mut() = web_sys::BroadcastChannel::new(CHANNEL).ok();
        }
        c.borrow().clone()
    })
}

/// Tells the other tabs that the store changed.
pub fn announce_change() {
    if let Some(ch) = channel() {
        let _ = ch.post_message(&JsValue::from_str("changed"));
    }
}

/// Calls `on_change` whenever another tab announces a change. Lives as long
/// as the page (the app subscribes once).
pub fn on_change(on_change: impl Fn() + 'static) {
    if let Some(ch) = channel() {
        let cb = Closure::<dyn Fn(web_sys::MessageEvent)>::new(move |_| on_change());
        ch.set_onmessage(Some(cb.as_ref().unchecked_ref()));
        cb.forget();
    }
}

/// Asks for the sync lock; `on_acquired` runs once this tab holds it (at
/// once, or when the holding tab closes). Without Web Locks every tab
/// believes it leads, which is safe: pushes are deduplicated by the endpoint.
pub fn request_leadership(on_acquired: impl FnOnce() + 'static) {
    // Through Reflect: web-sys' typed binding needs the unstable `Lock` type.
    let locks = web_sys::window()
        .and_then(|w| js_sys::Reflect::get(&w.navigator(), &JsValue::from_str("locks")).ok())
        .filter(|l| !l.is_undefined() && !l.is_null());
    let request = locks
        .as_ref()
        .and_then(|l| js_sys::Reflect::get(l, &JsValue::from_str("request")).ok())
        .and_then(|f| f.dyn_into::<js_sys::Function>().ok());
    let (Some(locks), Some(request)) = (locks, request) else {
        return on_acquired();
    };
    let mut once = Some(on_acquired);
    let cb = Closure::<dyn FnMut(JsValue) -> js_sys::Promise>::new(move |_lock: JsValue| {
        if let Some(f) = once.take() {
            f();
        }
        // Never resolves: the lock is released when the tab goes away.
        js_sys::Promise::new(&mut |_, _| {})
    });
    let _ = request.call2(
        &locks,
        &JsValue::from_str(SYNC_LOCK),
        cb.as_ref().unchecked_ref(),
    );
    cb.forget();
}
