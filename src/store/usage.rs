//! How much the browser lets this origin keep (`navigator.storage`):
//! usage, quota and whether the data is persisted.
use wasm_bindgen::JsCast;
use wasm_bindgen_futures::JsFuture;

#[derive(Clone, Copy, Debug, PartialEq, Default)]
pub struct Usage {
    pub used: Option<f64>,
    pub quota: Option<f64>,
    pub persisted: bool,
}

fn storage_manager() -> Option<web_sys::StorageManager> {
    let nav = web_sys::window()?.navigator();
    // Absent on insecure origins and very old browsers.
    js_sys::Reflect::get(&nav, &"storage".into())
        .ok()
        .filter(|s| !s.is_undefined())?;
    Some(nav.storage())
}

pub async fn read() -> Usage {
    let Some(sm) = storage_manager() else {
        return Usage::default();
    };
    let mut usage = Usage::default();
    if let Ok(p) = sm.estimate()
        && let Ok(est) = JsFuture::from(p).await
        && let Ok(est) = est.dyn_into::<web_sys::StorageEstimate>()
    {
        usage.used = est.get_usage();
        usage.quota = est.get_quota();
    }
    if let Ok(p) = sm.persisted() {
        usage.persisted = JsFuture::from(p)
            .await
            .map(|v| v.is_truthy())
            .unwrap_or(false);
    }
    usage
}

/// Asks the browser to keep this origin's data (granted or not by its own rules).
pub async fn persist() -> bool {
    let Some(sm) = storage_manager() else {
        return false;
    };
    match sm.persist() {
        Ok(p) => JsFuture::from(p)
            .await
            .map(|v| v.is_truthy())
            .unwrap_or(false),
        Err(_) => false,
    }
}
