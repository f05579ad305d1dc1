//! Joining a community: a code (typed, or from a join link `/join?code=…`)
//! and a display name. The demo server also offers ready-made identities.
use leptos::prelude::*;
use leptos::task::spawn_local;
use leptos_router::hooks::{use_navigate, use_query_map};

use super::scan::ScanCode;
use super::ui::Reader;
use crate::components::form::{Form, TextInput};
use crate::i18n::{fill, k, key_by_name, tr, use_i18n};
use crate::state::use_app;
use crate::status::{Status, StatusLine, Text};

/// The words for a role code, e.g. "coordinator" → 协调员.
pub fn role_text(i18n: crate::i18n::I18n, role: linli_core::model::Role) -> &'static str {
    key_by_name(&format!("role.{}", role.code()))
        .map(|k| i18n.t(k))
        .unwrap_or(role.code())
}

#[component]
pub fn Join() -> impl IntoView {
    let i18n = use_i18n();
    let app = use_app();
    let query = use_query_map();
    let code = RwSignal::new(query.with_untracked(|q| q.get("code").unwrap_or_default()));
    let name = RwSignal::new(String::new());
    let status = RwSignal::new(Status::Idle);
    let navigate = use_navigate();
    let go = move |code_text: String| {
        if code_text.trim().is_empty() {
            status.set(Status::Failed {
                text: Text::key(k::JOIN_ERROR_EMPTY),
                field: Some("code_empty"),
            });
            return;
        }
        status.set(Status::Busy(k::JOIN_JOINING));
        let navigate = navigate.clone();
        spawn_local(async move {
            match app.join(&code_text, name.get_untracked().trim()).await {
                Ok(place) => {
                    status.set(Status::Idle);
                    // A building poster's code: straight to the wish form, there.
                    let to = place.map_or_else(|| "/".to_owned(), |p| wish_form_href(&p));
                    navigate(&to, Default::default());
                }
                Err(e) => status.set(Status::failed(e.text())),
            }
        });
    };
    // A poster scanned by someone already in its community: no second join,
    // straight to the form at the poster's place.
    let poster = query.with_untracked(|q| {
        let place = linli_core::model::Place {
            grid: q.get("grid").filter(|g| !g.is_empty()),
            building: q.get("building").filter(|b| !b.is_empty()),
            ..Default::default()
        };
        let community = q.get("c").unwrap_or_default();
        (place.grid.is_some() || place.building.is_some()).then_some((community, place))
    });
    if let Some((community, place)) = poster {
        let navigate = use_navigate();
        Effect::new(move |done: Option<bool>| {
            if done == Some(true) {
                return true;
            }
            let here = app.session.with(|s| {
                s.as_ref()
                    .is_some_and(|s| s.community.as_str() == community)
            });
            if here {
                navigate(&wish_form_href(&place), Default::default());
            }
            here
        });
    }
    let go_form = go.clone();
    let submit = move || go_form(code.get_untracked());
    let current = move || {
        let member = app.session.get()?.member;
        let name = app
            .replica
            .with(|r| r.view().members.get(&member).map(|m| m.name.clone()))?;
        Some(fill(i18n.t(k::JOIN_CURRENT), &[("name", &name)]))
    };
    let scanned = Callback::new(move |c: String| {
        code.set(c);
        status.set(Status::done(k::JOIN_SCAN_FOUND));
    });
    view! {
        <h1>{tr(k::JOIN_TITLE)}</h1>
        <p>{tr(k::JOIN_INTRO)}</p>
        {move || current().map(|text| view! { <p class="empty">{text}</p> })}
        <Form status=status on_submit=submit attr:class="card">
            <TextInput id="join-code" label=k::JOIN_CODE_LABEL value=code hint=k::JOIN_CODE_HINT codes=&["code_empty"] required=true autocomplete="one-time-code" autocapitalize="characters" />
            <ScanCode on_code=scanned />
            <TextInput id="join-name" label=k::JOIN_NAME_LABEL value=name hint=k::JOIN_NAME_HINT autocomplete="nickname" />
            <div class="form-row">
                <button type="submit" disabled=move || status.with(Status::is_busy)>{tr(k::JOIN_SUBMIT)}</button>
                <StatusLine status=status id="join-status" />
            </div>
        </Form>
        <DemoCodes go=go />
    }
}

/// The wish form with `place` chosen ("/wishes?grid=…&building=…").
pub fn wish_form_href(place: &linli_core::model::Place) -> String {
    format!("/wishes?{}", place_query(place))
}

/// A place's grid and building as query parameters, "grid=…&building=…"
/// (the wish form reads them; a poster's link carries them).
pub fn place_query(place: &linli_core::model::Place) -> String {
    let enc = |s: &str| String::from(js_sys::encode_uri_component(s));
    let pairs = [("grid", &place.grid), ("building", &place.building)];
    let query: Vec<String> = pairs
        .into_iter()
        .filter_map(|(name, v)| v.as_ref().map(|v| format!("{name}={}", enc(v))))
        .collect();
    query.join("&")
}

/// The demo server's identities, one button each.
#[component]
fn DemoCodes(go: impl Fn(String) + Clone + Send + Sync + 'static) -> impl IntoView {
    let i18n = use_i18n();
    let app = use_app();
    let demo = Reader::new(move || async move { app.demo().await });
    move || {
        demo.get().flatten().map(|d| {
            // The demo street's members (a street coordinator, a viewer) too.
            let street = d.street.map(|s| s.codes).unwrap_or_default();
            let codes = d.codes.into_iter().map(|c| (c, false)).chain(street.into_iter().map(|c| (c, true)));
            let buttons = codes.map(|(c, street)| {
                let key = if street { k::STREET_DEMO_AS } else { k::JOIN_DEMO_AS };
                let text = move || fill(i18n.t(key), &[("role", role_text(i18n, c.role)), ("name", &c.name)]);
                let (code, go) = (c.code.clone(), go.clone());
                view! { <li><button class="secondary" on:click=move |_| go(code.clone())>{text}</button></li> }
            });
            view! {
                <section class="card" aria-labelledby="join-demo">
                    <h2 id="join-demo">{tr(k::JOIN_DEMO_TITLE)}</h2>
                    <p>{tr(k::JOIN_DEMO_INTRO)}</p>
                    <ul class="demo-codes">{buttons.collect_view()}</ul>
                </section>
            }
        })
    }
}
