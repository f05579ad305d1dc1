//! Photos in headless Chromium: a real JPEG with EXIF orientation 6 and
//! GPS tags (made here: canvas pixels + an EXIF block written by hand) is
//! made small by public/lazy/photo.js — within the size limits, turned
//! upright, no EXIF left; and a photo is stored with its op in one
//! transaction, or neither is.
#![cfg(target_arch = "wasm32")]

use js_sys::{Function, Promise, Reflect, Uint8Array};
use linli::store::Store;
use linli_core::photos;
use wasm_bindgen::{JsCast, JsValue};
use wasm_bindgen_futures::JsFuture;
use wasm_bindgen_test::*;

wasm_bindgen_test_configure!(run_in_browser);

/// Runs `body` (a JS async function body with arguments `args`) and
/// awaits it.
async fn js(args: &str, body: &str, values: &[JsValue]) -> JsValue {
    let f = Function::new_with_args(args, &format!("return (async () => {{ {body} }})();"));
    let a = js_sys::Array::new();
    for v in values {
        a.push(v);
    }
    let p: Promise = f.apply(&JsValue::NULL, &a).unwrap().unchecked_into();
    JsFuture::from(p).await.unwrap()
}

/// A `w`×`h` JPEG from a canvas: red left half, blue right half.
async fn canvas_jpeg(w: u32, h: u32) -> Vec<u8> {
    let out = js(
        "w, h",
        "const c = new OffscreenCanvas(w, h); const g = c.getContext('2d');
         g.fillStyle = '#ff0000'; g.fillRect(0, 0, w / 2, h);
         g.fillStyle = '#0000ff'; g.fillRect(w / 2, 0, w - w / 2, h);
         const b = await c.convertToBlob({ type: 'image/jpeg', quality: 0.9 });
         return new Uint8Array(await b.arrayBuffer());",
        &[w.into(), h.into()],
    )
    .await;
    out.unchecked_into::<Uint8Array>().to_vec()
}

/// An APP1 EXIF segment (big-endian TIFF): IFD0 with Orientation = 6 and
/// a GPS IFD with latitude N 31° 14'.
fn exif_app1() -> Vec<u8> {
    let mut t: Vec<u8> = b"MM\x00\x2a\x00\x00\x00\x08".to_vec();
    let entry = |t: &mut Vec<u8>, tag: u16, ty: u16, count: u32, value: [u8; 4]| {
        t.extend_from_slice(&tag.to_be_bytes());
        t.extend_from_slice(&ty.to_be_bytes());
        t.extend_from_slice(&count.to_be_bytes());
        t.extend_from_slice(&value);
    };
    // IFD0 at 8: 2 entries, ends at 8 + 2 + 24 + 4 = 38.
    t.extend_from_slice(&2u16.to_be_bytes());
    entry(&mut t, 0x0112, 3, 1, [0, 6, 0, 0]);
    entry(&mut t, 0x8825, 4, 1, 38u32.to_be_bytes());
    t.extend_from_slice(&0u32.to_be_bytes());
    // GPS IFD at 38: ends at 38 + 2 + 24 + 4 = 68, its rationals after.
    t.extend_from_slice(&2u16.to_be_bytes());
    entry(&mut t, 0x0001, 2, 2, *b"N\0\0\0");
    entry(&mut t, 0x0002, 5, 3, 68u32.to_be_bytes());
    t.extend_from_slice(&0u32.to_be_bytes());
    for (n, d) in [(31u32, 1u32), (14, 1), (0, 1)] {
        t.extend_from_slice(&n.to_be_bytes());
        t.extend_from_slice(&d.to_be_bytes());
    }
    let mut seg = vec![0xFF, 0xE1];
    seg.extend_from_slice(&((2 + 6 + t.len()) as u16).to_be_bytes());
    seg.extend_from_slice(b"Exif\0\0");
    seg.extend_from_slice(&t);
    seg
}

/// `jpeg` with the EXIF segment after its JFIF APP0 (where cameras put it).
fn with_exif(jpeg: &[u8]) -> Vec<u8> {
    let at = if jpeg[2..4] == [0xFF, 0xE0] {
        4 + usize::from(u16::from_be_bytes([jpeg[4], jpeg[5]]))
    } else {
        2
    };
    let mut out = jpeg[..at].to_vec();
    out.extend(exif_app1());
    out.extend_from_slice(&jpeg[at..]);
    out
}

fn contains(hay: &[u8], needle: &[u8]) -> bool {
    hay.windows(needle.len()).any(|w| w == needle)
}

/// The size of an encoded image and the colour of its pixel at (x, y).
async fn look(bytes: &[u8], x: f64, y: f64) -> (u32, u32, [u8; 3]) {
    let out = js(
        "bytes, x, y",
        "const bm = await createImageBitmap(new Blob([bytes]));
         const c = new OffscreenCanvas(bm.width, bm.height); const g = c.getContext('2d');
         g.drawImage(bm, 0, 0);
         const p = g.getImageData(Math.floor(x * bm.width), Math.floor(y * bm.height), 1, 1).data;
         return [bm.width, bm.height, p[0], p[1], p[2]];",
        &[Uint8Array::from(bytes).into(), x.into(), y.into()],
    )
    .await;
    let v: Vec<f64> = js_sys::Array::from(&out)
        .iter()
        .map(|x| x.as_f64().unwrap())
        .collect();
    (
        v[0] as u32,
        v[1] as u32,
        [v[2] as u8, v[3] as u8, v[4] as u8],
    )
}

fn load_script() {
    // The test page does not serve /lazy/: the script is run inline; its
    // worker then fails to start and it shrinks on this thread instead.
    let code = include_str!("../public/lazy/photo.js");
    Function::new_no_args(code).call0(&JsValue::NULL).unwrap();
    let w: JsValue = web_sys::window().unwrap().into();
    assert!(
        Reflect::get(&w, &"linliShrink".into())
            .unwrap()
            .is_function()
    );
}

#[wasm_bindgen_test]
async fn a_camera_jpeg_is_turned_upright_shrunk_and_stripped() {
    load_script();
    let original = with_exif(&canvas_jpeg(3000, 1500).await);
    assert!(contains(&original, b"Exif\0\0"));
    // The browser reads the fixture as a sideways photo: 1500 wide, 3000 high.
    let (w, h, _) = look(&original, 0.5, 0.5).await;
    assert_eq!(
        (w, h),
        (1500, 3000),
        "the fixture's EXIF orientation is read"
    );

    let blob = web_sys::Blob::new_with_u8_array_sequence(&js_sys::Array::of1(
        &Uint8Array::from(&original[..]).into(),
    ))
    .unwrap();
    let shrunk = linli::photos::shrink(&blob).await.unwrap();
    assert!(shrunk.full.len() <= photos::TARGET_BYTES as usize);
    assert!(shrunk.thumb.len() <= photos::THUMB_MAX_BYTES as usize);
    assert_eq!(shrunk.mime, "image/webp", "Chromium encodes WebP");
    assert_eq!(
        photos::ImageType::sniff(&shrunk.full),
        Some(photos::ImageType::Webp)
    );
    for out in [&shrunk.full, &shrunk.thumb] {
        assert!(!contains(out, b"Exif"), "no EXIF left");
        assert!(!contains(out, b"EXIF"), "no WebP EXIF chunk");
        assert!(!contains(out, b"XMP"), "no XMP");
    }
    // Upright: 640 × 1280, the left (red) half now on top.
    assert_eq!((shrunk.width, shrunk.height), (640, 1280));
    let (w, h, top) = look(&shrunk.full, 0.5, 0.1).await;
    assert_eq!((w, h), (640, 1280));
    assert!(top[0] > 200 && top[2] < 60, "top is red: {top:?}");
    let (_, _, bottom) = look(&shrunk.full, 0.5, 0.9).await;
    assert!(
        bottom[2] > 200 && bottom[0] < 60,
        "bottom is blue: {bottom:?}"
    );
    let (tw, th, _) = look(&shrunk.thumb, 0.5, 0.5).await;
    assert_eq!(tw.max(th), photos::THUMB_SIDE);
    // The op's reference names exactly these bytes.
    let r = shrunk.reference(true);
    assert_eq!(r.sha256, photos::sha256_hex(&shrunk.full));
    assert_eq!(r.bytes as usize, shrunk.full.len());
    assert!(linli_core::validate::photo_refs(&[r]).is_ok());
}

#[wasm_bindgen_test]
async fn a_photo_is_stored_with_its_op_or_not_at_all() {
    use linli_core::OpKind;
    use linli_core::replica::Writer;
    let name = "linli-test-photos";
    Store::delete(name).await.unwrap();
    let store = Store::open(name).await.unwrap();
    let mut writer = Writer::new("dev-a".into());
    let shrunk = linli::photos::Shrunk {
        full: vec![0xFF, 0xD8, 0xFF, 1, 2, 3],
        thumb: vec![0xFF, 0xD8, 0xFF, 4],
        mime: "image/jpeg".into(),
        width: 1,
        height: 1,
        ms: 0.0,
    };
    let locals = shrunk.locals(&"w1".into());
    let kind = OpKind::AttachPhotos {
        wish: "w1".into(),
        stage: photos::Stage::Request,
        photos: vec![shrunk.reference(false)],
    };
    let op = writer.mint("m1".into(), kind, 1_700_000_000_000).unwrap();
    store
        .append_local_full(std::slice::from_ref(&op), &writer, None, &[], &locals)
        .await
        .unwrap();
    assert_eq!(store.pending_photos().await.unwrap(), locals.to_vec());
    // A retry of the same seq with other photos is refused whole: no new photo.
    let other = linli::photos::Shrunk {
        full: vec![0xFF, 0xD8, 0xFF, 9],
        ..shrunk.clone()
    };
    let err = store
        .append_local_full(
            std::slice::from_ref(&op),
            &writer,
            None,
            &[],
            &other.locals(&"w1".into()),
        )
        .await;
    assert!(err.is_err());
    assert_eq!(store.pending_photos().await.unwrap().len(), 2);
    assert!(
        store
            .photo(&photos::sha256_hex(&other.full))
            .await
            .unwrap()
            .is_none()
    );
    // Uploaded: it moves from the outbox to what the device shows.
    let full_sha = photos::sha256_hex(&shrunk.full);
    store.settle_photo(&full_sha, true).await.unwrap();
    assert_eq!(store.held_photos().await.unwrap(), vec![full_sha.clone()]);
    assert_eq!(store.pending_photos().await.unwrap().len(), 1);
    assert_eq!(
        store.photo(&full_sha).await.unwrap().unwrap().bytes,
        shrunk.full
    );
    let usage = store.photo_usage().await.unwrap();
    assert_eq!((usage.count, usage.pending, usage.bytes), (2, 1, 10.0));
    // Refused for good: gone. Dropped: gone.
    store
        .settle_photo(&photos::sha256_hex(&shrunk.thumb), false)
        .await
        .unwrap();
    store
        .drop_photos(std::slice::from_ref(&full_sha))
        .await
        .unwrap();
    assert!(store.photo(&full_sha).await.unwrap().is_none());
    assert_eq!(store.photo_usage().await.unwrap().count, 0);
    store.close();
    Store::delete(name).await.unwrap();
}
