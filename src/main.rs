fn main() {
    console_error_panic_hook::set_once();
    // A device set to English loads that table (a chunk) before the first paint.
    wasm_bindgen_futures::spawn_local(async {
        linli::i18n::load_stored().await;
        linli::landing::remove();
        leptos::mount::mount_to_body(linli::App);
    });
}
