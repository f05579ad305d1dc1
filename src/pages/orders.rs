use leptos::prelude::*;

use crate::components::EmptyPage;
use crate::i18n::k;

#[component]
pub fn Orders() -> impl IntoView {
    view! { <EmptyPage title=k::ORDERS_TITLE body=k::ORDERS_EMPTY /> }
}
