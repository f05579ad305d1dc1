//! Coordinators: make invitation codes (shown with a link and a QR code),
//! withdraw them, and see or remove the devices that joined. Online only:
//! codes and devices live at the endpoint, reached through `AppState`.
use leptos::prelude::*;
use leptos::task::spawn_local;
use leptos_router::components::A;
use linli_core::model::Role;
use linli_core::protocol::{CodeList, CreateCodeRequest, CreateCodeResponse, DeviceList};
use qrcode::QrCode;
use qrcode::render::svg;

use crate::browser::when;
use crate::components::form::{Bind, Form, Options, Select};
use crate::i18n::{Key, fill, k, tr, use_i18n};
use crate::pages::role_text;
use crate::pages::ui::Reader;
use crate::state::use_app;
use crate::status::Status;

const HOURS: [u32; 4] = [24, 72, 168, 720];
const USES: [u32; 4] = [1, 10, 50, 200];
/// The roles a code may give, the most asked for first.
const ROLES: [Role; 7] = [
    Role::Volunteer,
    Role::Resident,
    Role::GridWorker,
    Role::Partner,
    Role::Kiosk,
    Role::Viewer,
    Role::Coordinator,
];
/// The roles a street's code may give (issue 19): its viewers and coordinators.
const STREET_ROLES: [Role; 2] = [Role::Viewer, Role::Coordinator];

fn join_link(code: &str) -> String {
    let origin = window().location().origin().unwrap_or_default();
    format!("{origin}/join?code={code}")
}

pub(super) fn qr_svg(text: &str) -> String {
    QrCode::new(text.as_bytes())
        .map(|q| {
            q.render::<svg::Color>()
                .min_dimensions(200, 200)
                .quiet_zone(true)
                .build()
        })
        .unwrap_or_default()
}

#[component]
pub fn Invite() -> impl IntoView {
    let app = use_app();
    let is_coordinator = move || app.role() == Some(Role::Coordinator);
    view! {
        <h1>{tr(k::INVITE_TITLE)}</h1>
        <Show when=is_coordinator fallback=|| view! { <p class="empty">{tr(k::INVITE_ONLY_COORDINATORS)}</p> }>
            <Manage />
        </Show>
    }
}

#[component]
fn Manage() -> impl IntoView {
    let app = use_app();
    let i18n = use_i18n();
    let status = RwSignal::new(Status::Idle);
    // Pressing "refresh" (or a change here) reads both lists again; the
    // newest read wins.
    let lists = Reader::new(move || async move { app.invitations().await });
    Effect::new(move |_| {
        if let Some(Err(failed)) = lists.get() {
            status.set(failed);
        }
    });
    let data = Signal::derive(move || lists.get().and_then(Result::ok).unwrap_or_default());
    let revoke = Callback::new(move |(device, id): (bool, String)| {
        spawn_local(async move {
            match app.revoke(device, id).await {
                Ok(()) => lists.refetch(),
                Err(failed) => status.set(failed),
            }
        })
    });
    let codes = Signal::derive(move || data.with(|d: &(CodeList, DeviceList)| d.0.clone()));
    // A street device: no posters (a community's); its own Open311 keys.
    let street = Memo::new(move |_| app.is_street());
    let devices = Signal::derive(move || data.with(|d| d.1.clone()));
    view! {
        <p class="status-msg error" role="alert">{move || status.with(|s| s.is_error().then(|| s.render(i18n)))}</p>
        <NewCode status=status on_created=move || lists.refetch() />
        <Show when=move || !street.get()>
            <p><A href="/posters">{tr(k::POSTERS_LINK)}</A></p>
        </Show>
        <section class="card" aria-labelledby="invite-codes">
            <h2 id="invite-codes">{tr(k::INVITE_CODES_TITLE)}</h2>
            <Show when=move || !codes.with(|c| c.codes.is_empty()) fallback=|| view! { <p class="empty">{tr(k::INVITE_CODES_NONE)}</p> }>
                <ul class="plain-list">
                    <For each=move || codes.get().codes key=|c| (c.code_id.clone(), c.revoked, c.uses) let:c>
                        {
                            let id = c.code_id.clone();
                            let until = when(c.expires_at_ms);
                            let (until2, role) = (until.clone(), c.role);
                            let place = c.place.clone();
                            let row = move || {
                                let args = [("role", role_text(i18n, c.role)), ("uses", &c.uses.to_string()), ("max", &c.max_uses.to_string()), ("until", &until)];
                                let text = fill(i18n.t(k::INVITE_CODES_ROW), &args);
                                // A building poster's code says which poster it is.
                                match &place {
                                    Some(p) => {
                                        let here = super::posters::place_words(i18n, p);
                                        format!("{} · {text}", fill(i18n.t(k::INVITE_CODES_PLACE), &[("place", &here)]))
                                    }
                                    None => text,
                                }
                            };
                            let name = move || fill(i18n.t(k::INVITE_CODES_REVOKE_OF), &[("role", role_text(i18n, role)), ("until", &until2)]);
                            view! { <Revocable text=Signal::derive(row) name=Signal::derive(name) revoked=c.revoked done=k::INVITE_CODES_REVOKED action=k::INVITE_CODES_REVOKE on_revoke=move || revoke.run((false, id.clone())) /> }
                        }
                    </For>
                </ul>
            </Show>
        </section>
        <section class="card" aria-labelledby="invite-devices">
            <h2 id="invite-devices">{tr(k::INVITE_DEVICES_TITLE)}</h2>
            <Show when=move || !devices.with(|d| d.devices.is_empty()) fallback=|| view! { <p class="empty">{tr(k::INVITE_DEVICES_NONE)}</p> }>
                <ul class="plain-list">
                    <For each=move || devices.get().devices key=|d| (d.device.clone(), d.revoked) let:d>
                        {
                            let id = d.device.to_string();
                            let this = app.device().is_some_and(|me| me == d.device);
                            // This device is not removed from itself: it would lock its coordinator out.
                            let revoked = d.revoked;
                            let (device_name, member) = (d.name.clone(), d.display_name.clone());
                            let device = Signal::derive(move || device_label(i18n, &device_name, &id, this));
                            let row = move || {
                                let role = d.role.map(|r| role_text(i18n, r)).unwrap_or("");
                                let since = when(d.created_ms);
                                let text = fill(i18n.t(k::INVITE_DEVICES_ROW), &[("device", &device.get()), ("name", &d.display_name), ("role", role), ("since", &since)]);
                                match d.last_seen_ms {
                                    Some(seen) => format!("{text} · {}", fill(i18n.t(k::INVITE_DEVICES_SEEN), &[("when", &when(seen))])),
                                    None => text,
                                }
                            };
                            let name = move || fill(i18n.t(k::INVITE_DEVICES_REVOKE_OF), &[("device", &device.get()), ("name", &member)]);
                            let target = d.device.to_string();
                            if this {
                                view! { <li><span>{row}</span></li> }.into_any()
                            } else {
                                view! { <Revocable text=Signal::derive(row) name=Signal::derive(name) revoked=revoked done=k::INVITE_DEVICES_REVOKED action=k::INVITE_DEVICES_REVOKE on_revoke=move || revoke.run((true, target.clone())) /> }.into_any()
                            }
                        }
                    </For>
                </ul>
            </Show>
            <button class="secondary" on:click=move |_| lists.refetch()>{tr(k::INVITE_REFRESH)}</button>
        </section>
        // A street's keys file into any of its communities (docs/open311.md).
        {move || view! { <super::Open311Keys street=street.get() /> }}
    }
}

/// The form for a new code, and the code once made (shown only this once).
#[component]
fn NewCode(
    status: RwSignal<Status>,
    on_created: impl Fn() + Copy + Send + Sync + 'static,
) -> impl IntoView {
    let app = use_app();
    let i18n = use_i18n();
    let street = app.is_street();
    let role = RwSignal::new(if street {
        Role::Viewer
    } else {
        Role::Volunteer
    });
    let (hours, uses) = (
        RwSignal::new("72".to_owned()),
        RwSignal::new("10".to_owned()),
    );
    let created = RwSignal::new(None::<CreateCodeResponse>);
    let create = move || {
        let req = CreateCodeRequest {
            role: role.get_untracked(),
            expires_in_hours: hours.get_untracked().parse().unwrap_or(72),
            max_uses: uses.get_untracked().parse().unwrap_or(10),
            member: None,
            place: None,
        };
        spawn_local(async move {
            match app.create_code(req).await {
                Ok(res) => {
                    created.set(Some(res));
                    on_created();
                }
                Err(failed) => status.set(failed),
            }
        });
    };
    let roles: Options = Signal::derive(move || {
        let roles: &[Role] = if street { &STREET_ROLES } else { &ROLES };
        roles
            .iter()
            .map(|r| (r.code().to_owned(), role_text(i18n, *r).to_owned()))
            .collect()
    });
    let hour_options: Options = Signal::derive(move || {
        let days = |h: u32| {
            fill(
                i18n.t(k::INVITE_DAYS_OPTION),
                &[("n", &(h / 24).to_string())],
            )
        };
        let hours = |h: u32| fill(i18n.t(k::INVITE_HOURS_OPTION), &[("n", &h.to_string())]);
        HOURS
            .iter()
            .map(|h| {
                (
                    h.to_string(),
                    if h % 24 == 0 { days(*h) } else { hours(*h) },
                )
            })
            .collect()
    });
    let use_options: Options = Signal::derive(|| {
        USES.iter()
            .map(|u| (u.to_string(), u.to_string()))
            .collect()
    });
    view! {
        <section class="card" aria-labelledby="invite-new">
            <h2 id="invite-new">{tr(k::INVITE_NEW_TITLE)}</h2>
            <Form status=status on_submit=create>
                <Select id="invite-role" label=k::INVITE_ROLE_LABEL value=Bind::coded(role) options=roles />
                <Select id="invite-hours" label=k::INVITE_HOURS_LABEL value=hours options=hour_options />
                <Select id="invite-uses" label=k::INVITE_USES_LABEL value=uses options=use_options />
                <button type="submit">{tr(k::INVITE_CREATE)}</button>
            </Form>
            {move || created.get().map(|c| view! { <Created code=c.code /> })}
        </section>
    }
}

/// A new code with its link, QR code and a copy button.
#[component]
fn Created(code: String) -> impl IntoView {
    let link = join_link(&code);
    let svg = qr_svg(&link);
    let copied = RwSignal::new(false);
    let copy = {
        let link = link.clone();
        move |_| {
            let clipboard = window().navigator().clipboard();
            let link = link.clone();
            spawn_local(async move {
                if wasm_bindgen_futures::JsFuture::from(clipboard.write_text(&link))
                    .await
                    .is_ok()
                {
                    copied.set(true);
                }
            });
        }
    };
    view! {
        <div class="invite-created" role="status">
            <p>{tr(k::INVITE_CREATED)}</p>
            <p class="invite-code" data-testid="invite-code">{code}</p>
            <p>{tr(k::INVITE_LINK_LABEL)}": "<a href=link.clone() data-testid="invite-link">{link.clone()}</a></p>
            <div class="qr" role="img" aria-label=tr(k::INVITE_QR_LABEL) inner_html=svg></div>
            <div class="form-row">
                <button class="secondary" on:click=copy>{tr(k::INVITE_COPY)}</button>
                <Show when=move || copied.get()>
                    <span>{tr(k::INVITE_COPIED)}</span>
                </Show>
            </div>
        </div>
    }
}

/// A device as a coordinator tells it apart: its own name, else its id's
/// start; "this device" for the one in hand.
fn device_label(i18n: crate::i18n::I18n, name: &str, id: &str, this: bool) -> String {
    let named = if name.is_empty() {
        let short: String = id.chars().take(7).collect();
        fill(i18n.t(k::INVITE_DEVICES_UNNAMED), &[("id", &short)])
    } else {
        name.to_owned()
    };
    if this {
        format!("{named} · {}", i18n.t(k::INVITE_DEVICES_THIS))
    } else {
        named
    }
}

/// One entry that can be withdrawn: its text, then "withdrawn" or the button
/// (named after the entry, so each button says which it removes).
#[component]
fn Revocable(
    text: Signal<String>,
    name: Signal<String>,
    revoked: bool,
    done: Key,
    action: Key,
    on_revoke: impl Fn() + 'static,
) -> impl IntoView {
    view! {
        <li>
            <span>{text}</span>
            {if revoked {
                view! { <span class="chip">{tr(done)}</span> }.into_any()
            } else {
                view! { <button class="secondary" aria-label=name on:click=move |_| on_revoke()>{tr(action)}</button> }.into_any()
            }}
        </li>
    }
}
