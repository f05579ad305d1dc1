//! Building posters (扫码点单): one A4 poster per building of the
//! community, with a QR code of a resident join link bound to that grid and
//! building (`CreateCodeRequest::place`). Scanned, it joins a new resident
//! and opens the wish form there; someone already in the community goes
//! straight to the form. The endpoint keeps only a code's hash, so each
//! printing makes new codes; older posters work until withdrawn on the
//! invite page, where poster codes are listed with their building.
use leptos::prelude::*;
use leptos::task::spawn_local;
use linli_core::model::{Place, Role};
use linli_core::protocol::{self, CreateCodeRequest};

use super::invite::qr_svg;
use super::join::place_query;
use super::ui::grid_options;
use crate::components::form::{Form, Select};
use crate::i18n::{I18n, fill, k, tr, use_i18n};
use crate::state::use_app;
use crate::status::{Status, StatusLine, Text};

/// A poster: its place, and the link its QR code carries.
#[derive(Clone, PartialEq)]
struct Poster {
    place: Place,
    link: String,
    code: String,
}

/// The link a poster carries: the code, the community (so a member of it
/// skips joining) and the place.
fn poster_link(code: &str, community: &str, place: &Place) -> String {
    let origin = window().location().origin().unwrap_or_default();
    let enc = |s: &str| String::from(js_sys::encode_uri_component(s));
    let (code, community) = (enc(code), enc(community));
    format!(
        "{origin}/join?code={code}&c={community}&{}",
        place_query(place)
    )
}

/// A poster's place in words, "一网格、3号楼" (the poster, its QR code's
/// name, its code on the invite page).
pub(super) fn place_words(i18n: I18n, place: &Place) -> String {
    let parts: Vec<&String> = [&place.grid, &place.building]
        .into_iter()
        .flatten()
        .collect();
    i18n.list(&parts)
}

#[component]
pub fn Posters() -> impl IntoView {
    let app = use_app();
    let is_coordinator = move || app.role() == Some(Role::Coordinator);
    view! {
        <h1 class="no-print">{tr(k::POSTERS_TITLE)}</h1>
        <Show when=is_coordinator fallback=|| view! { <p class="empty">{tr(k::INVITE_ONLY_COORDINATORS)}</p> }>
            <Make />
        </Show>
    }
}

#[component]
fn Make() -> impl IntoView {
    let app = use_app();
    let status = RwSignal::new(Status::Idle);
    let grid = RwSignal::new(String::new());
    let posters = RwSignal::new(Vec::<Poster>::new());
    let community = Memo::new(move |_| app.replica.with(|r| r.view().community.clone()));
    let grids = grid_options(app);
    let make = move || {
        let Some(c) = community.get_untracked() else {
            return;
        };
        if c.buildings.is_empty() {
            status.set(Status::failed(Text::key(k::POSTERS_NO_BUILDINGS)));
            return;
        }
        let grid = Some(grid.get_untracked()).filter(|g| !g.is_empty());
        status.set(Status::Busy(k::POSTERS_MAKING));
        spawn_local(async move {
            let mut made = Vec::new();
            for building in &c.buildings {
                let place = Place {
                    grid: grid.clone(),
                    building: Some(building.clone()),
                    ..Place::default()
                };
                let req = CreateCodeRequest {
                    role: Role::Resident,
                    expires_in_hours: protocol::MAX_CODE_HOURS,
                    max_uses: protocol::MAX_CODE_USES,
                    member: None,
                    place: Some(place.clone()),
                };
                match app.create_code(req).await {
                    Ok(res) => made.push(Poster {
                        link: poster_link(&res.code, c.id.as_str(), &place),
                        code: res.code,
                        place,
                    }),
                    Err(failed) => {
                        status.set(failed);
                        return;
                    }
                }
            }
            let n = made.len();
            posters.set(made);
            status.set(Status::Done(Text::key(k::POSTERS_MADE).arg("n", n)));
        });
    };
    let name = move || community.with(|c| c.as_ref().map(|c| c.name.clone()).unwrap_or_default());
    view! {
        <section class="card no-print" aria-labelledby="posters-make">
            <h2 id="posters-make">{tr(k::POSTERS_MAKE_TITLE)}</h2>
            <p class="hint">{tr(k::POSTERS_INTRO)}</p>
            <Form status=status on_submit=make>
                <Select id="posters-grid" label=k::POSTERS_GRID value=grid options=grids none=k::POSTERS_ANY_GRID />
                <div class="form-row">
                    <button type="submit" disabled=move || status.with(Status::is_busy)>{tr(k::POSTERS_MAKE)}</button>
                    <Show when=move || posters.with(|p| !p.is_empty())>
                        <button type="button" class="secondary" on:click=move |_| { let _ = window().print(); }>{tr(k::POSTERS_PRINT)}</button>
                    </Show>
                </div>
                <StatusLine status=status />
            </Form>
        </section>
        <div class="posters">
            <For each=move || posters.get() key=|p| p.code.clone() let:p>
                <PosterSheet poster=p community=Signal::derive(name) />
            </For>
        </div>
    }
}

/// One A4 sheet: community, building, the QR code and what to do.
#[component]
fn PosterSheet(poster: Poster, community: Signal<String>) -> impl IntoView {
    let i18n = use_i18n();
    let Poster { place, link, code } = poster;
    let here = place_words(i18n, &place);
    let svg = qr_svg(&link);
    let (here2, here3) = (here.clone(), here.clone());
    view! {
        <section class="poster" aria-label=move || fill(i18n.t(k::POSTERS_SHEET), &[("place", &here2)])>
            <p class="poster-community">{community}</p>
            <p class="poster-place">{here}</p>
            <p class="poster-call">{tr(k::POSTERS_CALL)}</p>
            <div class="qr poster-qr" role="img" aria-label=move || fill(i18n.t(k::POSTERS_QR), &[("place", &here3)]) inner_html=svg data-link=link></div>
            <p class="poster-how">{tr(k::POSTERS_HOW)}</p>
            <p class="poster-code">{move || fill(i18n.t(k::POSTERS_CODE), &[("code", &code)])}</p>
        </section>
    }
}
