//! The member's kiosk pass (`/pass`): their personal QR (member id and a
//! random badge token) and a kiosk PIN; only salted hashes of both leave the
//! device (`checkin::MemberPass`). And the kiosk's check-in screen
//! (`/kiosk/check-in`): today's activities; a volunteer shows their QR or
//! picks their name and types their PIN; the kiosk checks them in or out
//! for them (`desk`). It holds no list of people beyond today's rosters.
use leptos::prelude::*;
use leptos::task::spawn_local;
use linli_core::activities::{self, Input, Place};
use linli_core::checkin::{self, MemberPass};
use linli_core::model::Role;
use linli_core::op::Action;
use linli_core::{ActivityId, MemberId};

use super::invite::qr_svg;
use super::scan::ScanCode;
use super::ui::{Gate, Reader, loading, me, member_name, run, ticking_now};
use crate::browser::{clock_time, now_ms};
use crate::components::form::{Form, Options, Select, TextInput};
use crate::i18n::{k, tr, use_i18n};
use crate::state::use_app;
use crate::status::{Status, StatusLine, Text};

#[component]
pub fn MemberPassPage() -> impl IntoView {
    view! {
        <Gate title=k::PASS_TITLE empty=k::CHECKIN_NOT_JOINED>
            <PassBody />
        </Gate>
    }
}

#[component]
fn PassBody() -> impl IntoView {
    let app = use_app();
    let i18n = use_i18n();
    let badge = Reader::new(move || {
        app.revision.track();
        async move { app.member_badge().await.ok() }
    });
    let pin = RwSignal::new(String::new());
    let status = RwSignal::new(Status::Idle);
    let kiosk = move || me(app).is_some_and(|m| !linli_core::activity::takes_part(m.role));
    let save = move || {
        let typed = pin.get_untracked();
        status.set(Status::Busy(k::UI_SAVING));
        spawn_local(async move {
            match app.set_kiosk_pin(&typed).await {
                Ok(()) => {
                    pin.set(String::new());
                    status.set(Status::done(k::PASS_PIN_SAVED));
                }
                Err(s) => status.set(s),
            }
        });
    };
    // Only the QR and the PIN line follow the badge: the form stays the same
    // elements while a sync round rewrites the pass (re-creating it under a
    // tap lost the tap and the typing's focus).
    let mine = move || badge.get().flatten();
    let loaded = move || mine().is_some();
    let svg = move || {
        let member = me(app).map(|m| m.id).unwrap_or_default();
        mine().map_or_else(String::new, |(token, _)| {
            qr_svg(&checkin::badge_text(&member, &token))
        })
    };
    let pin_line = move || {
        let set = mine().is_some_and(|(_, set)| set);
        tr(if set {
            k::PASS_PIN_IS_SET
        } else {
            k::PASS_PIN_NOT_SET
        })
    };
    view! {
        <Show when=move || !kiosk() fallback=|| view! { <p class="empty">{tr(k::PASS_NOT_FOR_ROLE)}</p> }>
            <Show when=loaded fallback=loading>
                <section class="card pass" aria-labelledby="pass-qr">
                    <h2 id="pass-qr">{tr(k::PASS_QR_TITLE)}</h2>
                    <p class="hint">{tr(k::PASS_QR_HINT)}</p>
                    <div class="qr pass-qr" role="img" aria-label=move || i18n.t(k::PASS_QR_LABEL) inner_html=svg></div>
                </section>
                <section class="card" aria-labelledby="pass-pin">
                    <h2 id="pass-pin">{tr(k::PASS_PIN_TITLE)}</h2>
                    <p>{pin_line}</p>
                    <Form status=status on_submit=save>
                        <TextInput id="pass-pin-input" label=k::PASS_PIN_LABEL value=pin hint=k::PASS_PIN_HINT
                            kind="password" autocomplete="new-password" required=true />
                        <div class="form-row">
                            <button type="submit" disabled=move || status.with(Status::is_busy)>{tr(k::PASS_PIN_SAVE)}</button>
                            <StatusLine status=status id="pass-status" />
                        </div>
                    </Form>
                </section>
            </Show>
        </Show>
    }
}

#[component]
pub fn KioskCheckIn() -> impl IntoView {
    let app = use_app();
    let is_kiosk = move || app.role() == Some(Role::Kiosk);
    view! {
        <Gate title=k::KIOSK_CHECKIN_TITLE empty=k::CHECKIN_NOT_JOINED>
            <Show when=is_kiosk fallback=|| view! { <p class="empty">{tr(k::KIOSK_CHECKIN_ONLY_KIOSK)}</p> }>
                <KioskBody />
            </Show>
        </Gate>
    }
}

/// The `desk` row of `TABLE` for `action` (done for someone else).
fn desk(action: Action) -> Option<&'static activities::ActivityAction> {
    activities::TABLE
        .iter()
        .find(|r| r.action == action && r.for_others)
}

#[component]
fn KioskBody() -> impl IntoView {
    let app = use_app();
    let i18n = use_i18n();
    let now = ticking_now();
    let today = Memo::new(move |_| {
        now.track();
        app.replica.with(|r| {
            activities::today(r.view(), now_ms())
                .into_iter()
                .map(|a| {
                    (
                        a.id.clone(),
                        a.title.clone(),
                        clock_time(a.start),
                        clock_time(a.end),
                    )
                })
                .collect::<Vec<_>>()
        })
    });
    let chosen = RwSignal::new(None::<ActivityId>);
    let passes = Reader::new(move || {
        chosen.track();
        async move { app.kiosk_passes().await }
    });
    let who = RwSignal::new(String::new());
    let pin = RwSignal::new(String::new());
    let status = RwSignal::new(Status::Idle);
    let roster: Options = Signal::derive(move || {
        let Some(id) = chosen.get() else {
            return Vec::new();
        };
        app.replica.with(|r| {
            let s = r.view();
            let Some(a) = s.activities.get(&id) else {
                return Vec::new();
            };
            activities::roster(s, a, now_ms())
                .into_iter()
                .map(|row| (row.member.to_string(), member_name(i18n, s, row.member)))
                .collect()
        })
    });
    // Checks `member` in, or out if they are in, for them.
    let act_for = move |member: MemberId| {
        let Some(id) = chosen.get_untracked() else {
            return;
        };
        let Some(author) = me(app) else { return };
        let made = app.replica.with_untracked(|r| {
            let s = r.view();
            let a = s.activities.get(&id)?;
            let here = matches!(
                activities::place(a, &member, now_ms()).place,
                Place::CheckedIn { .. }
            );
            let action = if here {
                Action::CheckOut
            } else {
                Action::CheckIn
            };
            let input = Input {
                member: Some(member.clone()),
                ..Input::default()
            };
            let kind = desk(action)?.op(a, &author.id, &input).ok()?;
            Some((kind, here, member_name(i18n, s, &member)))
        });
        let Some((kind, out, name)) = made else {
            status.set(Status::failed(Text::key(k::CHECKIN_UNKNOWN)));
            return;
        };
        pin.set(String::new());
        who.set(String::new());
        let done = if out {
            k::KIOSK_CHECKIN_OUT_DONE
        } else {
            k::KIOSK_CHECKIN_IN_DONE
        };
        run(app, kind, status, move || {
            status.set(Status::Done(Text::key(done).arg("name", name)));
        });
    };
    let pass_of = move |member: &MemberId| -> Option<MemberPass> {
        passes
            .get()
            .unwrap_or_default()
            .into_iter()
            .find(|p| &p.member == member)
    };
    let scanned = Callback::new(move |text: String| {
        let Some((member, badge)) = checkin::parse_badge(&text) else {
            return;
        };
        spawn_local(async move {
            match app.kiosk_pass(&member).await {
                Some(p) if p.check_badge(&badge) => act_for(member),
                _ => status.set(Status::failed(Text::key(k::KIOSK_CHECKIN_BAD_BADGE))),
            }
        });
    });
    let by_pin = move || {
        let member = MemberId::from(who.get_untracked());
        if member.as_str().is_empty() {
            status.set(Status::failed(Text::key(k::KIOSK_CHECKIN_PICK_NAME)));
            return;
        }
        match pass_of(&member) {
            Some(p) if p.check_pin(&pin.get_untracked()) => act_for(member),
            Some(_) => {
                pin.set(String::new());
                status.set(Status::failed(Text::key(k::KIOSK_CHECKIN_WRONG_PIN)));
            }
            None => status.set(Status::failed(Text::key(k::KIOSK_CHECKIN_NO_PASS))),
        }
    };
    fn badge_only(t: &str) -> Option<String> {
        checkin::parse_badge(t).map(|_| t.trim().to_owned())
    }
    view! {
        <section class="card kiosk-today" aria-labelledby="kiosk-today">
            <h2 id="kiosk-today">{tr(k::KIOSK_CHECKIN_TODAY)}</h2>
            <Show when=move || today.with(|t| t.is_empty())>
                <p class="empty">{tr(k::KIOSK_CHECKIN_NONE)}</p>
            </Show>
            <ul class="kiosk-activities">
                <For each=move || today.get() key=|t| t.0.clone() let:t>
                    {
                        let (id, title, from, to) = t;
                        let id2 = id.clone();
                        let pressed = move || chosen.with(|c| c.as_ref() == Some(&id2)).to_string();
                        view! {
                            <li>
                                <button type="button" class="big secondary" aria-pressed=pressed
                                    on:click=move |_| { status.set(Status::Idle); chosen.set(Some(id.clone())); }>
                                    {title}" "{from}"–"{to}
                                </button>
                            </li>
                        }
                    }
                </For>
            </ul>
        </section>
        <Show when=move || chosen.with(Option::is_some)>
            <section class="card" aria-labelledby="kiosk-qr">
                <h2 id="kiosk-qr">{tr(k::KIOSK_CHECKIN_BY_QR)}</h2>
                <ScanCode on_code=scanned read=badge_only start_label=k::KIOSK_CHECKIN_SCAN hint=k::KIOSK_CHECKIN_SCAN_HINT />
            </section>
            <section class="card" aria-labelledby="kiosk-pin">
                <h2 id="kiosk-pin">{tr(k::KIOSK_CHECKIN_BY_PIN)}</h2>
                <Form status=status on_submit=by_pin>
                    <Select id="kiosk-who" label=k::KIOSK_CHECKIN_NAME value=who options=roster none=k::KIOSK_CHECKIN_PICK />
                    <TextInput id="kiosk-pin-input" label=k::PASS_PIN_LABEL value=pin kind="password" autocomplete="off" />
                    <div class="form-row">
                        <button type="submit" class="big" disabled=move || status.with(Status::is_busy)>{tr(k::KIOSK_CHECKIN_GO)}</button>
                    </div>
                </Form>
            </section>
        </Show>
        <div class="kiosk-result"><StatusLine status=status id="kiosk-status" /></div>
        <p class="hint">{tr(k::KIOSK_CHECKIN_PRIVACY)}</p>
    }
}
