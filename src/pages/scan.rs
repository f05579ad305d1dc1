//! Scanning a join code with the camera, where the browser has
//! `BarcodeDetector` (Chrome on Android, ChromeOS and macOS; not desktop
//! Linux or Firefox). Typing the code and opening a join link work everywhere.
use gloo_timers::future::TimeoutFuture;
use js_sys::{Array, Object, Reflect};
use leptos::prelude::*;
use leptos::task::spawn_local;
use wasm_bindgen::prelude::*;
use wasm_bindgen::{JsCast, JsValue};
use wasm_bindgen_futures::JsFuture;

use crate::i18n::{k, tr};

#[wasm_bindgen]
extern "C" {
    type BarcodeDetector;
    #[wasm_bindgen(constructor, catch)]
    fn new(options: &JsValue) -> Result<BarcodeDetector, JsValue>;
    #[wasm_bindgen(method)]
    fn detect(this: &BarcodeDetector, source: &web_sys::HtmlVideoElement) -> js_sys::Promise;
}

/// Look at the picture this often (detection costs a frame's decode).
const EVERY_MS: u32 = 250;

/// The browser can scan: a barcode detector and a camera API.
pub fn supported() -> bool {
    let Some(w) = web_sys::window() else {
        return false;
    };
    Reflect::has(&w, &"BarcodeDetector".into()).unwrap_or(false)
        && Reflect::has(&w.navigator(), &"mediaDevices".into()).unwrap_or(false)
}

/// The join code a QR code carries: the `code` of a join link, or the
/// text itself when it is not a link.
pub fn code_in(text: &str) -> Option<String> {
    let text = text.trim();
    if text.contains("://") || text.starts_with('/') {
        let query = text.split_once('?')?.1;
        let query = query.split('#').next().unwrap_or(query);
        let raw = query
            .split('&')
            .find_map(|pair| pair.strip_prefix("code="))?;
        let decoded = js_sys::decode_uri_component(&raw.replace('+', " "))
            .ok()
            .and_then(|s| s.as_string())
            .unwrap_or_else(|| raw.to_owned());
        return Some(decoded.trim().to_owned()).filter(|c| !c.is_empty());
    }
    // A join code is short; anything long is some other QR code.
    (!text.is_empty() && text.chars().count() <= 64).then(|| text.to_owned())
}

#[derive(Clone, Copy, Debug, PartialEq)]
enum Scan {
    Idle,
    Starting,
    Scanning,
    Failed,
}

async fn open_camera() -> Result<web_sys::MediaStream, JsValue> {
    let window = web_sys::window().ok_or(JsValue::NULL)?;
    let video = Object::new();
    Reflect::set(&video, &"facingMode".into(), &"environment".into())?;
    let constraints = Object::new();
    Reflect::set(&constraints, &"video".into(), &video)?;
    Reflect::set(&constraints, &"audio".into(), &false.into())?;
    let promise = window
        .navigator()
        .media_devices()?
        .get_user_media_with_constraints(constraints.unchecked_ref())?;
    Ok(JsFuture::from(promise).await?.unchecked_into())
}

/// Turns the camera off (and its light).
fn stop_tracks(stream: &web_sys::MediaStream) {
    for track in stream.get_tracks().iter() {
        track.unchecked_into::<web_sys::MediaStreamTrack>().stop();
    }
}

fn detector() -> Result<BarcodeDetector, JsValue> {
    let options = Object::new();
    Reflect::set(
        &options,
        &"formats".into(),
        &Array::of1(&"qr_code".into()).into(),
    )?;
    BarcodeDetector::new(&options)
}

/// A "scan a code" button that opens the rear camera in place and hands
/// the first join code it sees to `on_code`. Renders nothing where the
/// browser cannot scan.
#[component]
pub fn ScanCode(on_code: Callback<String>) -> impl IntoView {
    let state = RwSignal::new(Scan::Idle);
    let video = NodeRef::<leptos::html::Video>::new();
    let stream = StoredValue::new_local(None::<web_sys::MediaStream>);
    // Turns the camera off (its light too); safe to call twice.
    let stop = move || {
        if let Some(Some(s)) = stream.try_update_value(Option::take) {
            stop_tracks(&s);
        }
        if let Some(v) = video.try_get_untracked().flatten() {
            v.set_src_object(None);
        }
        let _ = state.try_set(Scan::Idle);
    };
    on_cleanup(stop);
    let start = move |_| {
        state.set(Scan::Starting);
        spawn_local(async move {
            let fail = move || {
                stop();
                let _ = state.try_set(Scan::Failed);
            };
            let (Ok(detector), Some(v)) = (detector(), video.get_untracked()) else {
                return fail();
            };
            let Ok(camera) = open_camera().await else {
                return fail();
            };
            // The page may have been left while the browser asked for the
            // camera: then nobody will stop it but us.
            if stream.try_set_value(Some(camera.clone())).is_some() {
                return stop_tracks(&camera);
            }
            // "Stop" was pressed while the browser asked.
            if state.try_get_untracked() != Some(Scan::Starting) {
                return stop();
            }
            v.set_src_object(Some(&camera));
            let _ = v.play();
            let _ = state.try_set(Scan::Scanning);
            while state.try_get_untracked() == Some(Scan::Scanning) {
                TimeoutFuture::new(EVERY_MS).await;
                // HAVE_CURRENT_DATA: there is a frame to look at.
                if v.ready_state() < 2 {
                    continue;
                }
                let Ok(found) = JsFuture::from(detector.detect(&v)).await else {
                    continue;
                };
                let code = found.unchecked_into::<Array>().iter().find_map(|b| {
                    Reflect::get(&b, &"rawValue".into())
                        .ok()?
                        .as_string()
                        .and_then(|t| code_in(&t))
                });
                if let Some(code) = code {
                    stop();
                    on_code.run(code);
                }
            }
        });
    };
    let video_label = tr(k::JOIN_SCAN_VIDEO);
    let active = move || matches!(state.get(), Scan::Starting | Scan::Scanning);
    supported().then(|| {
        view! {
            <div class="scan">
                <Show
                    when=active
                    fallback=move || {
                        view! {
                            <button type="button" class="secondary" on:click=start>
                                {tr(k::JOIN_SCAN_START)}
                            </button>
                        }
                    }
                >
                    <button type="button" class="secondary" on:click=move |_| stop()>
                        {tr(k::JOIN_SCAN_STOP)}
                    </button>
                    <p class="hint">{tr(k::JOIN_SCAN_HINT)}</p>
                </Show>
                <video
                    node_ref=video
                    class="scan-video"
                    hidden=move || !active()
                    muted=true
                    playsinline=true
                    aria-label=video_label
                ></video>
                {move || {
                    (state.get() == Scan::Failed)
                        .then(|| view! { <p class="status-msg error" role="alert">{tr(k::JOIN_SCAN_FAILED)}</p> })
                }}
            </div>
        }
    })
}
