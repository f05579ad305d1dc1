use leptos::prelude::*;

use crate::components::EmptyPage;
use crate::i18n::k;

#[component]
pub fn Board() -> impl IntoView {
    view! { <EmptyPage title=k::BOARD_TITLE body=k::BOARD_EMPTY /> }
}
