use leptos::prelude::*;

use crate::components::EmptyPage;
use crate::i18n::k;

#[component]
pub fn Wishes() -> impl IntoView {
    view! { <EmptyPage title=k::WISHES_TITLE body=k::WISHES_EMPTY /> }
}
