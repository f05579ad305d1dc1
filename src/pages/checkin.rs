//! Activity check-in (issue 14): the organiser's check-in code
//! (`/activities/:id/code`: QR of the check-in link, the short code, print
//! layout) and a member's own check-in (`/activities/:id/check-in`: `?k=`
//! from the QR, typed, or scanned; the key is checked against the
//! activity's commitment before anything is dispatched, so a forwarded
//! link without the code checks nobody in). Works offline: the op waits in
//! the outbox.
use leptos::prelude::*;
use leptos_router::components::A;
use leptos_router::hooks::{use_params_map, use_query_map};
use linli_core::activities::{self, Input, Place};
use linli_core::checkin;
use linli_core::op::Action;
use linli_core::{ActivityId, OpKind};

use super::invite::qr_svg;
use super::scan::ScanCode;
use super::ui::{Gate, Reader, me, run, ticking_now};
use crate::browser::{clock_time, now_ms, when};
use crate::components::form::{Form, TextInput};
use crate::i18n::{fill, k, tr, use_i18n};
use crate::state::{AppState, use_app};
use crate::status::{Status, StatusLine, Text};

/// The activity id of the route.
fn route_id() -> Memo<ActivityId> {
    let params = use_params_map();
    Memo::new(move |_| ActivityId::from(params.with(|p| p.get("id").unwrap_or_default())))
}

/// The check-in link for `activity` with `key`, on this origin.
pub(super) fn check_in_link(activity: &ActivityId, key: &str) -> String {
    let origin = window().location().origin().unwrap_or_default();
    let id = ActivityId::from(String::from(js_sys::encode_uri_component(
        activity.as_str(),
    )));
    format!("{origin}{}", checkin::check_in_path(&id, key))
}

/// The key this device holds for `id`, read again when the store changes.
fn held_key(app: AppState, id: Memo<ActivityId>) -> Reader<Option<String>> {
    Reader::new(move || {
        app.revision.track();
        let id = id.get();
        async move { app.activity_key(&id).await }
    })
}

/// The activity's title and time, or `None` if this device does not know it.
fn heading(app: AppState, id: Memo<ActivityId>) -> Memo<Option<(String, String)>> {
    Memo::new(move |_| {
        let id = id.get();
        app.replica.with(|r| {
            r.view().activities.get(&id).map(|a| {
                let time = format!("{} – {}", when(a.start), clock_time(a.end));
                (a.title.clone(), time)
            })
        })
    })
}

#[component]
pub fn CheckinCode() -> impl IntoView {
    view! {
        <Gate title=k::CHECKIN_CODE_TITLE empty=k::CHECKIN_NOT_JOINED>
            <CodeBody />
        </Gate>
    }
}

#[component]
fn CodeBody() -> impl IntoView {
    let app = use_app();
    let i18n = use_i18n();
    let id = route_id();
    let head = heading(app, id);
    let organises = Memo::new(move |_| {
        let (Some(m), id) = (me(app), id.get()) else {
            return false;
        };
        app.replica.with(|r| {
            let s = r.view();
            s.activities.get(&id).is_some_and(|a| s.organises(&m, a))
        })
    });
    let key = held_key(app, id);
    move || {
        let Some((title, time)) = head.get() else {
            return view! { <p class="empty">{tr(k::CHECKIN_UNKNOWN)}</p> }.into_any();
        };
        if !organises.get() {
            return view! { <p class="empty">{tr(k::CHECKIN_CODE_NOT_ORGANISER)}</p> }.into_any();
        }
        let Some(Some(key)) = key.get() else {
            return view! { <p class="empty" role="status">{tr(k::CHECKIN_CODE_NO_KEY)}</p> }
                .into_any();
        };
        let link = check_in_link(&id.get_untracked(), &key);
        let svg = qr_svg(&link);
        let short = checkin::display_key(&key);
        let title2 = title.clone();
        view! {
            <section class="checkin-sheet" aria-labelledby="checkin-code-title">
                <h2 id="checkin-code-title" class="checkin-title">{title}</h2>
                <p class="checkin-time">{time}</p>
                <p class="checkin-call">{tr(k::CHECKIN_CODE_CALL)}</p>
                <div class="qr checkin-qr" role="img" data-link=link
                    aria-label=move || fill(i18n.t(k::CHECKIN_CODE_QR), &[("title", &title2)])
                    inner_html=svg></div>
                <p class="checkin-or">{tr(k::CHECKIN_CODE_OR_TYPE)}</p>
                <p class="checkin-key" lang="en" translate="no">{short}</p>
                <p class="hint no-print">{tr(k::CHECKIN_CODE_HINT)}</p>
                <div class="form-row no-print">
                    <button type="button" on:click=move |_| { let _ = window().print(); }>{tr(k::CHECKIN_CODE_PRINT)}</button>
                    <A href=move || format!("/activities/{}", id.get())>{tr(k::CHECKIN_BACK)}</A>
                </div>
            </section>
        }
        .into_any()
    }
}

#[component]
pub fn SelfCheckIn() -> impl IntoView {
    view! {
        <Gate title=k::CHECKIN_TITLE empty=k::CHECKIN_NOT_JOINED>
            <SelfBody />
        </Gate>
    }
}

/// The action row of `TABLE` for a member's own `action`.
fn own(action: Action) -> Option<&'static activities::ActivityAction> {
    activities::TABLE
        .iter()
        .find(|r| r.action == action && !r.for_others)
}

#[component]
fn SelfBody() -> impl IntoView {
    let app = use_app();
    let i18n = use_i18n();
    let id = route_id();
    let head = heading(app, id);
    let query = use_query_map();
    let typed = RwSignal::new(
        query
            .with_untracked(|q| q.get("k"))
            .and_then(|k| checkin::normalize_key(&k))
            .map(|k| checkin::display_key(&k))
            .unwrap_or_default(),
    );
    let status = RwSignal::new(Status::Idle);
    let now = ticking_now();
    let place = Memo::new(move |_| {
        now.track();
        let m = me(app)?;
        let id = id.get();
        app.replica.with(|r| {
            r.view()
                .activities
                .get(&id)
                .map(|a| activities::place(a, &m.id, now_ms()).place)
        })
    });
    // Dispatches the member's own check-in or check-out. A key that is not
    // this activity's never reaches the log.
    let act = move |action: Action| {
        let Some(m) = me(app) else { return };
        let input = Input {
            key: typed.get_untracked(),
            ..Input::default()
        };
        let made: Option<Result<OpKind, _>> = app.replica.with_untracked(|r| {
            let a = r.view().activities.get(&id.get_untracked())?;
            if action == Action::CheckIn && !checkin::key_matches(&a.id, &a.check, &input.key) {
                return Some(Err(()));
            }
            Some(own(action)?.op(a, &m.id, &input).map_err(|_| ()))
        });
        match made {
            None => status.set(Status::failed(Text::key(k::CHECKIN_UNKNOWN))),
            Some(Err(())) => status.set(Status::failed(Text::key(k::CHECKIN_WRONG_KEY))),
            Some(Ok(kind)) => run(app, kind, status, || {}),
        }
    };
    let scanned = Callback::new(move |key: String| {
        typed.set(checkin::display_key(&key));
        act(Action::CheckIn);
    });
    let back = move || format!("/activities/{}", id.get());
    move || {
        let Some((title, time)) = head.get() else {
            return view! { <p class="empty">{tr(k::CHECKIN_UNKNOWN)}</p> }.into_any();
        };
        let top = view! {
            <h2 class="checkin-title">{title}</h2>
            <p class="checkin-time">{time}</p>
        };
        let body = match place.get() {
            Some(Place::CheckedIn { since }) => view! {
                <p class="checkin-done" role="status">
                    {move || fill(i18n.t(k::CHECKIN_SINCE), &[("time", &clock_time(since))])}
                </p>
                <div class="form-row">
                    <button type="button" class="big" on:click=move |_| act(Action::CheckOut)>{tr(k::CHECKIN_OUT)}</button>
                </div>
                <StatusLine status=status />
            }
            .into_any(),
            Some(Place::CheckedOut) => view! {
                <p class="checkin-done" role="status">{tr(k::CHECKIN_OUT_DONE)}</p>
                <StatusLine status=status />
            }
            .into_any(),
            _ => view! {
                <p>{tr(k::CHECKIN_ASK)}</p>
                <Form status=status on_submit=move || act(Action::CheckIn)>
                    <TextInput id="checkin-key" label=k::CHECKIN_KEY_LABEL value=typed hint=k::CHECKIN_KEY_HINT
                        codes=&["bad_code"] required=true autocomplete="off" autocapitalize="characters" />
                    <ScanCode on_code=scanned read=checkin::key_in start_label=k::CHECKIN_SCAN hint=k::CHECKIN_SCAN_HINT />
                    <div class="form-row">
                        <button type="submit" class="big" disabled=move || status.with(Status::is_busy)>{tr(k::CHECKIN_SUBMIT)}</button>
                    </div>
                    <StatusLine status=status id="checkin-status" />
                </Form>
            }
            .into_any(),
        };
        view! {
            <section class="card checkin" aria-label=tr(k::CHECKIN_TITLE)>
                {top}
                {body}
                <p><A href=back>{tr(k::CHECKIN_BACK)}</A></p>
            </section>
        }
        .into_any()
    }
}
