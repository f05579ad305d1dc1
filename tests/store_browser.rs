//! Browser tests of the IndexedDB store (wasm-bindgen-test, headless Chromium).
#![cfg(target_arch = "wasm32")]

use linli::store::{Store, StoreError};
use wasm_bindgen_test::*;

wasm_bindgen_test_configure!(run_in_browser);

#[wasm_bindgen_test]
async fn meta_round_trip_survives_reopening() {
    let name = "linli-test-round-trip";
    Store::delete(name).await.unwrap();
    let store = Store::open(name).await.unwrap();
    assert_eq!(store.get_meta::<String>("device_name").await.unwrap(), None);
    store
        .put_meta("device_name", &"三网格王阿姨的手机".to_string())
        .await
        .unwrap();
    store
        .put_meta("device_name", &"服务中心平板".to_string())
        .await
        .unwrap();
    store.close();

    // A second connection (as after a reload) reads what the first wrote.
    let reopened = Store::open(name).await.unwrap();
    assert_eq!(
        reopened
            .get_meta::<String>("device_name")
            .await
            .unwrap()
            .as_deref(),
        Some("服务中心平板")
    );
    reopened.close();
    Store::delete(name).await.unwrap();
}

#[wasm_bindgen_test]
async fn a_value_of_another_shape_is_reported_not_misread() {
    let name = "linli-test-corrupt";
    Store::delete(name).await.unwrap();
    let store = Store::open(name).await.unwrap();
    store.put_meta("count", &42u32).await.unwrap();
    match store.get_meta::<String>("count").await {
        Err(StoreError::Corrupt(msg)) => assert!(msg.contains("count"), "{msg}"),
        other => panic!("expected Corrupt, got {other:?}"),
    }
    // The record is still there for a reader that understands it.
    assert_eq!(store.get_meta::<u32>("count").await.unwrap(), Some(42));
    store.close();
    Store::delete(name).await.unwrap();
}
