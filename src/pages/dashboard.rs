use leptos::prelude::*;

use crate::components::EmptyPage;
use crate::i18n::k;

#[component]
pub fn Dashboard() -> impl IntoView {
    view! { <EmptyPage title=k::DASHBOARD_TITLE body=k::DASHBOARD_EMPTY /> }
}
