use leptos::prelude::*;
use leptos_router::components::A;

use crate::i18n::{k, tr};

#[component]
pub fn NotFound() -> impl IntoView {
    view! {
        <h1>{tr(k::NOTFOUND_TITLE)}</h1>
        <p>{tr(k::NOTFOUND_BODY)}</p>
        <p><A href="/">{tr(k::NOTFOUND_BACK)}</A></p>
    }
}
