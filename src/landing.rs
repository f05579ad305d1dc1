//! The newcomer's landing page that index.html paints before the app is
//! loaded (tools/prerender.mjs): the app removes it as it mounts, and keeps
//! the flag that tells index.html's script not to paint it on a device that
//! has joined (it cannot read IndexedDB before the first paint).

const JOINED_KEY: &str = "linli.joined";

/// Removes the static landing page; called just before the app mounts in
/// its place, in the same task, so no frame shows neither.
pub fn remove() {
    if let Some(page) = web_sys::window()
        .and_then(|w| w.document())
        .and_then(|d| d.get_element_by_id("landing"))
    {
        page.remove();
    }
}

/// Remembers whether this device joined a community or a street.
pub fn remember_joined(joined: bool) {
    let Some(storage) = crate::i18n::local_storage() else {
        return;
    };
    // A refused write only costs a wrong first paint, never user data.
    let _ = if joined {
        storage.set_item(JOINED_KEY, "1")
    } else {
        storage.remove_item(JOINED_KEY)
    };
}
