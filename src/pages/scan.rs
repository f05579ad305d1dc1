//! The one camera QR reader (joining, self check-in, the kiosk): the
//! browser's `BarcodeDetector` where it has one (Chrome on Android,
//! ChromeOS and macOS), else jsQR on frames drawn into a canvas (desktop
//! Linux Chromium, Firefox): `/lazy/jsqr.js`, copied there by
//! tools/precache.mjs and precached, its script tag added only when a scan
//! starts, so it costs nothing at start and works offline. Typing the code
//! works everywhere.
use gloo_timers::future::TimeoutFuture;
use js_sys::{Array, Object, Reflect};
use leptos::prelude::*;
use leptos::task::spawn_local;
use wasm_bindgen::prelude::*;
use wasm_bindgen::{JsCast, JsValue};
use wasm_bindgen_futures::JsFuture;

use crate::i18n::{Key, k, tr};

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

/// Where jsQR is served (tools/precache.mjs).
const JSQR_URL: &str = "/lazy/jsqr.js";
/// Frames are scaled to at most this width for jsQR.
const JS_WIDTH: u32 = 640;

/// The browser can scan: a camera API (and a decoder: its own or jsQR).
pub fn supported() -> bool {
    web_sys::window()
        .is_some_and(|w| Reflect::has(&w.navigator(), &"mediaDevices".into()).unwrap_or(false))
}

fn has_detector() -> bool {
    web_sys::window().is_some_and(|w| Reflect::has(&w, &"BarcodeDetector".into()).unwrap_or(false))
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

/// jsQR, loading its script the first time.
async fn load_jsqr() -> Result<js_sys::Function, JsValue> {
    let w = web_sys::window().ok_or(JsValue::NULL)?;
    let f = Reflect::get(&w, &"jsQR".into())?;
    if f.is_function() {
        return Ok(f.unchecked_into());
    }
    let doc = w.document().ok_or(JsValue::NULL)?;
    let script = doc.create_element("script")?;
    script.set_attribute("src", JSQR_URL)?;
    let loaded = js_sys::Promise::new(&mut |resolve, reject| {
        let _ = script.add_event_listener_with_callback("load", &resolve);
        let _ = script.add_event_listener_with_callback("error", &reject);
    });
    doc.body().ok_or(JsValue::NULL)?.append_child(&script)?;
    JsFuture::from(loaded).await?;
    Reflect::get(&w, &"jsQR".into())?.dyn_into()
}

/// How frames are read.
enum Decoder {
    Native(BarcodeDetector),
    Js(js_sys::Function, web_sys::CanvasRenderingContext2d),
}

impl Decoder {
    async fn new() -> Result<Decoder, JsValue> {
        if has_detector() {
            return Ok(Decoder::Native(detector()?));
        }
        let f = load_jsqr().await?;
        let doc = web_sys::window()
            .and_then(|w| w.document())
            .ok_or(JsValue::NULL)?;
        let canvas: web_sys::HtmlCanvasElement = doc.create_element("canvas")?.dyn_into()?;
        let options = Object::new();
        Reflect::set(&options, &"willReadFrequently".into(), &true.into())?;
        let ctx = canvas
            .get_context_with_context_options("2d", &options)?
            .ok_or(JsValue::NULL)?
            .dyn_into()?;
        Ok(Decoder::Js(f, ctx))
    }

    /// The texts of the QR codes in the video's current frame.
    async fn read(&self, v: &web_sys::HtmlVideoElement) -> Vec<String> {
        match self {
            Decoder::Native(d) => match JsFuture::from(d.detect(v)).await {
                Ok(found) => found
                    .unchecked_into::<Array>()
                    .iter()
                    .filter_map(|b| Reflect::get(&b, &"rawValue".into()).ok()?.as_string())
                    .collect(),
                Err(_) => Vec::new(),
            },
            Decoder::Js(f, ctx) => {
                let (vw, vh) = (v.video_width(), v.video_height());
                if vw == 0 || vh == 0 {
                    return Vec::new();
                }
                let w = vw.min(JS_WIDTH);
                let h = (u64::from(vh) * u64::from(w) / u64::from(vw)).max(1) as u32;
                if let Some(c) = ctx.canvas()
                    && (c.width() != w || c.height() != h)
                {
                    c.set_width(w);
                    c.set_height(h);
                }
                let read = || -> Result<Option<String>, JsValue> {
                    ctx.draw_image_with_html_video_element_and_dw_and_dh(
                        v,
                        0.0,
                        0.0,
                        f64::from(w),
                        f64::from(h),
                    )?;
                    // Through JS: web-sys types its arguments differently
                    // with and without `web_sys_unstable_apis`.
                    let get: js_sys::Function =
                        Reflect::get(ctx, &"getImageData".into())?.dyn_into()?;
                    let img =
                        get.apply(ctx, &Array::of4(&0.into(), &0.into(), &w.into(), &h.into()))?;
                    // The pixels stay in JS: no copy through wasm memory.
                    let data = Reflect::get(&img, &"data".into())?;
                    let found = f.call3(&JsValue::NULL, &data, &w.into(), &h.into())?;
                    if found.is_null() || found.is_undefined() {
                        return Ok(None);
                    }
                    Ok(Reflect::get(&found, &"data".into())?.as_string())
                };
                read().ok().flatten().into_iter().collect()
            }
        }
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
/// the first QR text `read` accepts (default `code_in`: a join code) to
/// `on_code`. Renders nothing where the browser has no camera API.
#[component]
pub fn ScanCode(
    on_code: Callback<String>,
    #[prop(optional)] read: Option<fn(&str) -> Option<String>>,
    #[prop(optional)] start_label: Option<Key>,
    #[prop(optional)] hint: Option<Key>,
) -> impl IntoView {
    let read = read.unwrap_or(code_in);
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
            let (Ok(decoder), Some(v)) = (Decoder::new().await, video.get_untracked()) else {
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
                let texts = decoder.read(&v).await;
                if state.try_get_untracked() != Some(Scan::Scanning) {
                    break;
                }
                if let Some(code) = texts.iter().find_map(|t| read(t)) {
                    stop();
                    on_code.run(code);
                }
            }
        });
    };
    let video_label = tr(k::JOIN_SCAN_VIDEO);
    let start_label = tr(start_label.unwrap_or(k::JOIN_SCAN_START));
    let hint = tr(hint.unwrap_or(k::JOIN_SCAN_HINT));
    let active = move || matches!(state.get(), Scan::Starting | Scan::Scanning);
    supported().then(|| {
        view! {
            <div class="scan">
                <Show
                    when=active
                    fallback=move || {
                        view! {
                            <button type="button" class="secondary" on:click=start>
                                {start_label}
                            </button>
                        }
                    }
                >
                    <button type="button" class="secondary" on:click=move |_| stop()>
                        {tr(k::JOIN_SCAN_STOP)}
                    </button>
                    <p class="hint">{hint}</p>
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
