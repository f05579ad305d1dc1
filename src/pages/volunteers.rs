use leptos::prelude::*;

use crate::components::EmptyPage;
use crate::i18n::k;

#[component]
pub fn Volunteers() -> impl IntoView {
    view! { <EmptyPage title=k::VOLUNTEERS_TITLE body=k::VOLUNTEERS_EMPTY /> }
}
