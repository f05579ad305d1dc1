//! Photos on wishes, the browser side (docs/photos.md): making a picked
//! photo small (`/lazy/photo.js`, in a Worker where the browser has
//! OffscreenCanvas) and showing bytes. The picker and the wish page's
//! photos are `pages::photos`; who sees what is
//! `linli_core::photos::may_see`; the bytes wait in IndexedDB with their op
//! (`store::photos`) and go up after it (`sync::upload_photos`).
use js_sys::{Array, Reflect, Uint8Array};
use linli_core::WishId;
use linli_core::photos::{self, PhotoRef};
use wasm_bindgen::{JsCast, JsValue};
use wasm_bindgen_futures::JsFuture;

use crate::store::photos::LocalPhoto;

/// Where the shrinking script is served (copied from public/lazy/, precached).
pub const SCRIPT_URL: &str = "/lazy/photo.js";

/// A picked photo, made small: what the op names and the store keeps.
#[derive(Clone, Debug, PartialEq)]
pub struct Shrunk {
    pub full: Vec<u8>,
    pub thumb: Vec<u8>,
    pub mime: String,
    pub width: u32,
    pub height: u32,
    /// How long the shrinking took, ms.
    pub ms: f64,
}

impl Shrunk {
    /// The op's reference to it.
    pub fn reference(&self, volunteers: bool) -> PhotoRef {
        PhotoRef {
            sha256: photos::sha256_hex(&self.full),
            bytes: self.full.len() as u32,
            thumb: photos::sha256_hex(&self.thumb),
            thumb_bytes: self.thumb.len() as u32,
            volunteers,
        }
    }

    /// The two images the device keeps until they are uploaded.
    pub fn locals(&self, wish: &WishId) -> [LocalPhoto; 2] {
        let r = self.reference(false);
        let one = |sha: String, bytes: &Vec<u8>| LocalPhoto {
            sha,
            wish: wish.clone(),
            mime: self.mime.clone(),
            bytes: bytes.clone(),
        };
        [one(r.sha256, &self.full), one(r.thumb, &self.thumb)]
    }
}

/// Loads the shrinking script once.
async fn load_script() -> Result<js_sys::Function, JsValue> {
    let w = web_sys::window().ok_or(JsValue::NULL)?;
    let f = Reflect::get(&w, &"linliShrink".into())?;
    if f.is_function() {
        return Ok(f.unchecked_into());
    }
    let doc = w.document().ok_or(JsValue::NULL)?;
    let script = doc.create_element("script")?;
    script.set_attribute("src", SCRIPT_URL)?;
    let loaded = js_sys::Promise::new(&mut |resolve, reject| {
        let _ = script.add_event_listener_with_callback("load", &resolve);
        let _ = script.add_event_listener_with_callback("error", &reject);
    });
    doc.body().ok_or(JsValue::NULL)?.append_child(&script)?;
    JsFuture::from(loaded).await?;
    Reflect::get(&w, &"linliShrink".into())?.dyn_into()
}

/// Decodes `file` (EXIF orientation honoured), scales it to at most
/// `photos::MAX_SIDE` px, re-encodes it (WebP, else JPEG) within
/// `photos::TARGET_BYTES`, and a thumbnail within `THUMB_MAX_BYTES`:
/// only pixels survive, no metadata.
pub async fn shrink(file: &web_sys::Blob) -> Result<Shrunk, JsValue> {
    let f = load_script().await?;
    let out = JsFuture::from(js_sys::Promise::from(f.call1(&JsValue::NULL, file)?)).await?;
    let bytes = |k: &str| -> Result<Vec<u8>, JsValue> {
        Ok(Reflect::get(&out, &k.into())?
            .dyn_into::<Uint8Array>()?
            .to_vec())
    };
    let num = |k: &str| Reflect::get(&out, &k.into()).ok().and_then(|v| v.as_f64());
    let shrunk = Shrunk {
        full: bytes("full")?,
        thumb: bytes("thumb")?,
        mime: Reflect::get(&out, &"type".into())?
            .as_string()
            .unwrap_or_default(),
        width: num("width").unwrap_or(0.0) as u32,
        height: num("height").unwrap_or(0.0) as u32,
        ms: num("ms").unwrap_or(0.0),
    };
    // The endpoint would refuse anything else; say so here, not later.
    let ok = shrunk.full.len() <= photos::PHOTO_MAX_BYTES as usize
        && shrunk.thumb.len() <= photos::THUMB_MAX_BYTES as usize
        && photos::ImageType::sniff(&shrunk.full).is_some();
    if ok {
        Ok(shrunk)
    } else {
        Err(JsValue::from_str("photo out of bounds"))
    }
}

/// An object URL showing `bytes` (revoke it with `revoke`).
pub fn object_url(bytes: &[u8], mime: &str) -> Option<String> {
    let parts = Array::of1(&Uint8Array::from(bytes).into());
    let bag = web_sys::BlobPropertyBag::new();
    bag.set_type(mime);
    let blob = web_sys::Blob::new_with_u8_array_sequence_and_options(&parts, &bag).ok()?;
    web_sys::Url::create_object_url_with_blob(&blob).ok()
}

pub fn revoke(url: &str) {
    let _ = web_sys::Url::revoke_object_url(url);
}
