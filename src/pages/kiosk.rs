//! The service-centre tablet's own screens (role `kiosk`, docs/kiosk.md):
//! the walk-up home with three big actions, evaluating a finished service by
//! the code on its completion slip, and leaving kiosk mode with the
//! coordinator's PIN. What a kiosk may show and do is `linli_core::kiosk`.
use leptos::prelude::*;
use leptos::task::spawn_local;
use leptos_router::components::A;
use leptos_router::hooks::use_navigate;
use linli_core::kiosk::{self, SlipError};
use linli_core::model::{Category, Rating};
use linli_core::{OpKind, WishId, activities};

use super::ui::{label, run};
use crate::browser::now_ms;
use crate::components::form::{Bind, Form, Radios, TextArea, TextInput, coded_options};
use crate::i18n::{k, tr, use_i18n};
use crate::state::{PinRefusal, use_app};
use crate::status::{Status as Said, StatusLine, Text};

/// The kiosk's home: the community's name and three big actions, Chinese
/// first; check-in only on a day with an open activity.
#[component]
pub fn KioskHome() -> impl IntoView {
    let app = use_app();
    let name = Memo::new(move |_| {
        app.replica.with(|r| {
            r.view()
                .community
                .as_ref()
                .map(|c| c.name.clone())
                .unwrap_or_default()
        })
    });
    let today = Memo::new(move |_| {
        app.replica
            .with(|r| !activities::today(r.view(), now_ms()).is_empty())
    });
    view! {
        <div class="kiosk-home">
            <h1>
                <span class="kiosk-community">{name}</span>
                {tr(k::KIOSK_HOME_TITLE)}
            </h1>
            <p class="kiosk-lead">{tr(k::KIOSK_HOME_LEAD)}</p>
            <ul class="kiosk-actions" aria-label=tr(k::KIOSK_HOME_ACTIONS)>
                <li>
                    <A href="/wishes" attr:class="kiosk-action">
                        <span class="kiosk-action-title">{tr(k::KIOSK_HOME_WISH)}</span>
                        <span class="kiosk-action-hint">{tr(k::KIOSK_HOME_WISH_HINT)}</span>
                    </A>
                </li>
                <Show when=move || today.get()>
                    <li>
                        <A href="/kiosk/check-in" attr:class="kiosk-action">
                            <span class="kiosk-action-title">{tr(k::KIOSK_HOME_CHECK_IN)}</span>
                            <span class="kiosk-action-hint">{tr(k::KIOSK_HOME_CHECK_IN_HINT)}</span>
                        </A>
                    </li>
                </Show>
                <li>
                    <A href="/kiosk/evaluate" attr:class="kiosk-action">
                        <span class="kiosk-action-title">{tr(k::KIOSK_HOME_EVALUATE)}</span>
                        <span class="kiosk-action-hint">{tr(k::KIOSK_HOME_EVALUATE_HINT)}</span>
                    </A>
                </li>
            </ul>
            <p class="kiosk-staff">
                <A href="/kiosk/leave">{tr(k::KIOSK_HOME_STAFF)}</A>
            </p>
        </div>
    }
}

fn back_home() -> impl IntoView {
    view! {
        <p class="kiosk-back">
            <A href="/" attr:class="button secondary">{tr(k::KIOSK_BACK)}</A>
        </p>
    }
}

/// 评价服务: the resident types the code of their completion slip; the
/// kiosk finds the finished wish in its view (`kiosk::by_slip`), shows only
/// its category, and takes a rating and a comment.
#[component]
pub fn KioskEvaluate() -> impl IntoView {
    let app = use_app();
    let i18n = use_i18n();
    let code = RwSignal::new(String::new());
    let found = RwSignal::new(None::<(WishId, Category)>);
    let find_status = RwSignal::new(Said::Idle);
    let rating = RwSignal::new(Rating::Satisfied);
    let comment = RwSignal::new(String::new());
    let status = RwSignal::new(Said::Idle);
    let thanked = RwSignal::new(false);
    let find = move || {
        thanked.set(false);
        let typed = code.get_untracked();
        let hit = app.replica.with_untracked(|r| {
            kiosk::by_slip(r.view(), &typed).map(|w| (w.id.clone(), w.category))
        });
        match hit {
            Ok(w) => {
                find_status.set(Said::Idle);
                status.set(Said::Idle);
                found.set(Some(w));
            }
            Err(SlipError::Malformed) => {
                find_status.set(Said::failed(Text::key(k::KIOSK_EVAL_MALFORMED)))
            }
            Err(SlipError::NotFound) => {
                find_status.set(Said::failed(Text::key(k::KIOSK_EVAL_NOT_FOUND)))
            }
        }
    };
    let submit = move || {
        let Some((wish, _)) = found.get_untracked() else {
            return;
        };
        let kind = OpKind::Evaluate {
            wish,
            rating: rating.get_untracked(),
            comment: comment.get_untracked(),
        };
        run(app, kind, status, move || {
            found.set(None);
            code.set(String::new());
            comment.set(String::new());
            rating.set(Rating::Satisfied);
            thanked.set(true);
        });
    };
    let ratings = coded_options::<Rating>("rating");
    let category = move || {
        found
            .get()
            .map(|(_, c)| label(i18n, "category", linli_core::code::Coded::code(c)))
    };
    view! {
        <div class="kiosk-page">
            <h1>{tr(k::KIOSK_EVAL_TITLE)}</h1>
            <Show when=move || thanked.get()>
                <p class="kiosk-thanks" role="status">{tr(k::KIOSK_EVAL_THANKS)}</p>
            </Show>
            <Show
                when=move || found.with(Option::is_some)
                fallback=move || {
                    view! {
                        <p>{tr(k::KIOSK_EVAL_INTRO)}</p>
                        <Form status=find_status on_submit=find>
                            <TextInput id="slip-code" label=k::KIOSK_EVAL_CODE value=code hint=k::KIOSK_EVAL_CODE_HINT required=true autocomplete="off" autocapitalize="characters" />
                            <div class="form-row">
                                <button type="submit">{tr(k::KIOSK_EVAL_FIND)}</button>
                                <StatusLine status=find_status />
                            </div>
                        </Form>
                    }
                }
            >
                <section class="card" aria-labelledby="kiosk-eval-found">
                    <h2 id="kiosk-eval-found">{tr(k::KIOSK_EVAL_FOUND)}</h2>
                    <p class="kiosk-category">{category}</p>
                    <Form status=status on_submit=submit>
                        <Radios name="kiosk-rating" legend=k::KIOSK_EVAL_RATING value=Bind::coded(rating) options=ratings />
                        <TextArea id="kiosk-comment" label=k::KIOSK_EVAL_COMMENT value=comment codes=&["text_too_long"] />
                        <div class="form-row">
                            <button type="submit" disabled=move || status.with(Said::is_busy)>{tr(k::KIOSK_EVAL_SUBMIT)}</button>
                            <button type="button" class="secondary" on:click=move |_| found.set(None)>{tr(k::KIOSK_EVAL_CANCEL)}</button>
                            <StatusLine status=status />
                        </div>
                    </Form>
                </section>
            </Show>
            {back_home()}
        </div>
    }
}

/// 工作人员退出: the coordinator's PIN unlocks the rest of the app until
/// the next reload (the idle reset included).
#[component]
pub fn KioskLeave() -> impl IntoView {
    let app = use_app();
    let pin = RwSignal::new(String::new());
    let status = RwSignal::new(Said::Idle);
    let navigate = use_navigate();
    let has_pin = RwSignal::new(true);
    spawn_local(async move { has_pin.set(app.kiosk_has_pin().await) });
    let submit = move || {
        let typed = pin.get_untracked();
        pin.set(String::new());
        status.set(Said::Busy(k::KIOSK_LEAVE_CHECKING));
        let navigate = navigate.clone();
        spawn_local(async move {
            let said = match app.leave_kiosk(&typed).await {
                Ok(()) => {
                    status.set(Said::Idle);
                    navigate("/settings", Default::default());
                    return;
                }
                Err(PinRefusal::Wait(s)) => Text::key(k::KIOSK_LEAVE_WAIT).arg("n", s),
                Err(PinRefusal::Wrong(0)) => Text::key(k::KIOSK_LEAVE_WRONG),
                Err(PinRefusal::Wrong(s)) => Text::key(k::KIOSK_LEAVE_WRONG_WAIT).arg("n", s),
                Err(PinRefusal::Store) => Text::key(k::KIOSK_LEAVE_STORE),
            };
            status.set(Said::failed(said));
        });
    };
    view! {
        <div class="kiosk-page">
            <h1>{tr(k::KIOSK_LEAVE_TITLE)}</h1>
            <p>{tr(k::KIOSK_LEAVE_INTRO)}</p>
            <Show when=move || !has_pin.get()>
                <p class="hint">{tr(k::KIOSK_LEAVE_NO_PIN)}</p>
            </Show>
            <Form status=status on_submit=submit>
                <TextInput id="kiosk-pin" label=k::KIOSK_LEAVE_PIN value=pin kind="password" autocomplete="off" />
                <div class="form-row">
                    <button type="submit" disabled=move || status.with(Said::is_busy)>{tr(k::KIOSK_LEAVE_SUBMIT)}</button>
                    <StatusLine status=status />
                </div>
            </Form>
            {back_home()}
        </div>
    }
}

/// 社区管理: a coordinator sets the PIN that leaves kiosk mode (sent to the
/// endpoint, which keeps a salted hash for the kiosks).
#[component]
pub fn KioskPinForm() -> impl IntoView {
    let app = use_app();
    let pin = RwSignal::new(String::new());
    let status = RwSignal::new(Said::Idle);
    let submit = move || {
        let typed = pin.get_untracked();
        if !kiosk::valid_pin(&typed) {
            status.set(Said::failed(Text::key(k::KIOSK_PIN_INVALID)));
            return;
        }
        status.set(Said::Busy(k::KIOSK_LEAVE_CHECKING));
        spawn_local(async move {
            match app.set_kiosk_leave_pin(typed).await {
                Ok(()) => {
                    pin.set(String::new());
                    status.set(Said::done(k::KIOSK_PIN_SET));
                }
                Err(e) => status.set(e),
            }
        });
    };
    view! {
        <section class="card" aria-labelledby="kiosk-pin-title">
            <h2 id="kiosk-pin-title">{tr(k::KIOSK_PIN_TITLE)}</h2>
            <Form status=status on_submit=submit>
                <TextInput id="kiosk-new-pin" label=k::KIOSK_PIN_LABEL value=pin kind="password" hint=k::KIOSK_PIN_HINT autocomplete="new-password" required=true />
                <div class="form-row">
                    <button type="submit" disabled=move || status.with(Said::is_busy)>{tr(k::KIOSK_PIN_SUBMIT)}</button>
                    <StatusLine status=status />
                </div>
            </Form>
        </section>
    }
}

/// 服务回执: on a finished wish no member requested, the code the resident
/// evaluates it with at the kiosk (`kiosk::slip_code`), printable.
#[component]
pub fn Slip(wish: Memo<Option<linli_core::model::Wish>>) -> impl IntoView {
    let code = move || {
        wish.with(|w| {
            w.as_ref()
                .filter(|w| kiosk::evaluable(w))
                .map(|w| kiosk::display_slip(&kiosk::slip_code(&w.id)))
        })
    };
    let i18n = use_i18n();
    move || {
        code().map(|c| {
            let text = crate::i18n::fill(i18n.t(k::KIOSK_SLIP_CODE), &[("code", &c)]);
            view! {
                <section class="card slip" aria-labelledby="slip-title">
                    <h2 id="slip-title">{tr(k::KIOSK_SLIP_TITLE)}</h2>
                    <p class="slip-code">{text}</p>
                    <p class="hint">{tr(k::KIOSK_SLIP_HINT)}</p>
                    <button type="button" class="secondary no-print" on:click=move |_| { let _ = window().print(); }>{tr(k::KIOSK_SLIP_PRINT)}</button>
                </section>
            }
        })
    }
}
