use leptos::prelude::*;

use crate::i18n::{k, tr};

#[component]
pub fn Home() -> impl IntoView {
    view! {
        <h1>{tr(k::HOME_TITLE)}</h1>
        <p>{tr(k::HOME_INTRO)}</p>
        <p class="empty">{tr(k::HOME_NOT_JOINED)}</p>
        <h2>{tr(k::HOME_STEPS_TITLE)}</h2>
        <ol class="steps">
            <li>{tr(k::HOME_STEP_LIST)}</li>
            <li>{tr(k::HOME_STEP_DISPATCH)}</li>
            <li>{tr(k::HOME_STEP_TAKE)}</li>
            <li>{tr(k::HOME_STEP_EVALUATE)}</li>
        </ol>
    }
}
