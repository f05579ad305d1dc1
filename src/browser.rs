//! What the app takes from the browser itself: the wall clock, local time
//! for display, and randomness for ids. One place each, so every page shows
//! times the same way and every id is minted the same way.
use wasm_bindgen::JsValue;

/// The wall clock, epoch ms.
pub fn now_ms() -> u64 {
    js_sys::Date::now() as u64
}

fn date(ms: u64) -> js_sys::Date {
    js_sys::Date::new(&JsValue::from_f64(ms as f64))
}

/// Local date and time for display, "2026-03-05 14:07".
pub fn when(ms: u64) -> String {
    let d = date(ms);
    format!(
        "{:04}-{:02}-{:02} {}",
        d.get_full_year(),
        d.get_month() + 1,
        d.get_date(),
        clock_time(ms)
    )
}

/// Local time of day for display, "14:07".
pub fn clock_time(ms: u64) -> String {
    let d = date(ms);
    format!("{:02}:{:02}", d.get_hours(), d.get_minutes())
}

/// Local date, "2026-03-05" (file names).
pub fn today() -> String {
    when(now_ms())[..10].to_owned()
}

/// Epoch ms of a `datetime-local` value (local time), if it parses.
pub fn parse_local(value: &str) -> Option<u64> {
    if value.is_empty() {
        return None;
    }
    let t = js_sys::Date::new(&JsValue::from_str(value)).get_time();
    (t.is_finite() && t > 0.0).then_some(t as u64)
}

/// `N` random bytes from the browser's CSPRNG. Without crypto (a very old
/// browser) the clock and `Math.random` still make a collision within one
/// community very unlikely.
fn random_bytes<const N: usize>() -> [u8; N] {
    let mut bytes = [0u8; N];
    let filled = web_sys::window()
        .and_then(|w| w.crypto().ok())
        .is_some_and(|c| c.get_random_values_with_u8_array(&mut bytes).is_ok());
    if !filled {
        for (i, chunk) in bytes.chunks_mut(8).enumerate() {
            let seed = (js_sys::Date::now() as u64).rotate_left(i as u32 * 13)
                ^ ((js_sys::Math::random() * u64::MAX as f64) as u64);
            chunk.copy_from_slice(&seed.to_le_bytes()[..chunk.len()]);
        }
    }
    bytes
}

/// `N` random bytes as hex.
fn random_hex<const N: usize>() -> String {
    random_bytes::<N>()
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

/// A fresh activity check-in key K (`checkin::new_key`, 80 bits). Only the
/// CSPRNG will do for a secret: without `crypto` there is no key.
pub fn new_activity_key() -> Option<String> {
    let mut bytes = [0u8; 10];
    let crypto = web_sys::window().and_then(|w| w.crypto().ok())?;
    crypto.get_random_values_with_u8_array(&mut bytes).ok()?;
    Some(linli_core::checkin::new_key(bytes))
}

/// A fresh id: `prefix` + "-" + 64 random bits ("w" wishes, "r" resources,
/// "t" teams, "u" partner units).
pub fn new_id(prefix: &str) -> String {
    format!("{prefix}-{}", random_hex::<8>())
}

/// A fresh random token (badge tokens, salts): 128 random bits as hex.
pub fn random_token() -> String {
    random_hex::<16>()
}

/// A fresh device id: 128 random bits.
pub fn new_device_id() -> String {
    random_hex::<16>()
}

/// Scrolls `el` up from below the screen's edge and focuses its first
/// field (or, with none, its first button).
pub fn bring_into_view(el: &web_sys::Element) {
    use wasm_bindgen::JsCast;
    el.scroll_into_view_with_bool(false);
    let first = el
        .query_selector("input, select, textarea, button")
        .ok()
        .flatten()
        .and_then(|f| f.dyn_into::<web_sys::HtmlElement>().ok());
    if let Some(f) = first {
        // Focus after the scroll; a refused focus only leaves it unfocused.
        let _ = f.focus();
    }
}
