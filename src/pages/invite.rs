//! Coordinators: make invitation codes (shown with a link and a QR code),
//! withdraw them, and see or remove the devices that joined. Online only:
//! codes and devices live at the endpoint, not in the community log.
use leptos::prelude::*;
use leptos::task::spawn_local;
use linli_core::model::Role;
use linli_core::protocol::{CodeList, CreateCodeRequest, CreateCodeResponse, DeviceList};
use qrcode::QrCode;
use qrcode::render::svg;

use crate::i18n::{I18n, Key, fill, k, key_by_name, tr, use_i18n};
use crate::pages::role_text;
use crate::state::use_app;
use crate::store::Session;
use crate::sync::api::{ApiError, Client};

const HOURS: [u32; 4] = [24, 72, 168, 720];
const USES: [u32; 4] = [1, 10, 50, 200];

fn client(s: &Session) -> Client<'_> {
    Client {
        community: s.community.as_str(),
        token: &s.token,
    }
}

fn error_text(i18n: I18n, e: &ApiError) -> String {
    let reason = key_by_name(&format!("join.error.{}", e.code()))
        .or_else(|| key_by_name(&format!("sync.reason.{}", e.code())))
        .map(|k| i18n.t(k).to_owned())
        .unwrap_or_else(|| e.code().to_owned());
    fill(i18n.t(k::INVITE_ERROR), &[("reason", &reason)])
}

fn date_time(ms: u64) -> String {
    let d = js_sys::Date::new(&wasm_bindgen::JsValue::from_f64(ms as f64));
    format!(
        "{}-{:02}-{:02} {:02}:{:02}",
        d.get_full_year(),
        d.get_month() + 1,
        d.get_date(),
        d.get_hours(),
        d.get_minutes()
    )
}

fn join_link(code: &str) -> String {
    let origin = window().location().origin().unwrap_or_default();
    format!("{origin}/join?code={code}")
}

fn qr_svg(text: &str) -> String {
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
    let i18n = use_i18n();
    let app = use_app();
    let role = RwSignal::new(Role::Volunteer);
    let hours = RwSignal::new(72u32);
    let uses = RwSignal::new(10u32);
    let created = RwSignal::new(None::<CreateCodeResponse>);
    let codes = RwSignal::new(CodeList::default());
    let devices = RwSignal::new(DeviceList::default());
    let error = RwSignal::new(None::<String>);
    let copied = RwSignal::new(false);

    let refresh = move || {
        spawn_local(async move {
            let Some(s) = app.session.get_untracked() else {
                return;
            };
            let c = client(&s);
            match (c.codes().await, c.devices().await) {
                (Ok(cl), Ok(dl)) => {
                    codes.set(cl);
                    devices.set(dl);
                    error.set(None);
                }
                (Err(e), _) | (_, Err(e)) => error.set(Some(error_text(i18n, &e))),
            }
        })
    };
    refresh();

    let create = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        let req = CreateCodeRequest {
            role: role.get_untracked(),
            expires_in_hours: hours.get_untracked(),
            max_uses: uses.get_untracked(),
            member: None,
        };
        spawn_local(async move {
            let Some(s) = app.session.get_untracked() else {
                return;
            };
            match client(&s).create_code(&req).await {
                Ok(res) => {
                    copied.set(false);
                    created.set(Some(res));
                    refresh();
                }
                Err(e) => error.set(Some(error_text(i18n, &e))),
            }
        });
    };
    // Withdraws a code or removes a device, then shows the lists again.
    let withdraw = move |device: bool, id: String| {
        spawn_local(async move {
            let Some(s) = app.session.get_untracked() else {
                return;
            };
            let c = client(&s);
            let done = if device {
                c.revoke_device(&id).await.map(drop)
            } else {
                c.revoke_code(&id).await.map(drop)
            };
            match done {
                Ok(()) => refresh(),
                Err(e) => error.set(Some(error_text(i18n, &e))),
            }
        })
    };
    let revoke_code = move |id: String| withdraw(false, id);
    let revoke_device = move |id: String| withdraw(true, id);
    let copy = move |link: String| {
        let clipboard = window().navigator().clipboard();
        spawn_local(async move {
            if wasm_bindgen_futures::JsFuture::from(clipboard.write_text(&link))
                .await
                .is_ok()
            {
                copied.set(true);
            }
        });
    };
    let roles = [
        Role::Volunteer,
        Role::Resident,
        Role::GridWorker,
        Role::Partner,
        Role::Kiosk,
        Role::Viewer,
        Role::Coordinator,
    ];

    view! {
        <p class="status-msg error" role="alert">{move || error.get()}</p>
        <section class="card" aria-labelledby="invite-new">
            <h2 id="invite-new">{tr(k::INVITE_NEW_TITLE)}</h2>
            <form on:submit=create>
                <div class="field">
                    <label for="invite-role">{tr(k::INVITE_ROLE_LABEL)}</label>
                    <select id="invite-role" on:change=move |ev| {
                        let v = event_target_value(&ev);
                        if let Some(r) = Role::ALL.into_iter().find(|r| r.code() == v) {
                            role.set(r);
                        }
                    }>
                        {roles
                            .into_iter()
                            .map(|r| view! { <option value=r.code() selected=move || role.get() == r>{move || role_text(i18n, r)}</option> })
                            .collect_view()}
                    </select>
                </div>
                <div class="field">
                    <label for="invite-hours">{tr(k::INVITE_HOURS_LABEL)}</label>
                    <select id="invite-hours" on:change=move |ev| hours.set(event_target_value(&ev).parse().unwrap_or(72))>
                        {HOURS
                            .into_iter()
                            .map(|h| {
                                let text = move || {
                                    if h % 24 == 0 {
                                        fill(i18n.t(k::INVITE_DAYS_OPTION), &[("n", &(h / 24).to_string())])
                                    } else {
                                        fill(i18n.t(k::INVITE_HOURS_OPTION), &[("n", &h.to_string())])
                                    }
                                };
                                view! { <option value=h.to_string() selected=move || hours.get() == h>{text}</option> }
                            })
                            .collect_view()}
                    </select>
                </div>
                <div class="field">
                    <label for="invite-uses">{tr(k::INVITE_USES_LABEL)}</label>
                    <select id="invite-uses" on:change=move |ev| uses.set(event_target_value(&ev).parse().unwrap_or(10))>
                        {USES
                            .into_iter()
                            .map(|u| view! { <option value=u.to_string() selected=move || uses.get() == u>{u}</option> })
                            .collect_view()}
                    </select>
                </div>
                <button type="submit">{tr(k::INVITE_CREATE)}</button>
            </form>
            {move || {
                created.get().map(|c| {
                    let link = join_link(&c.code);
                    let svg = qr_svg(&link);
                    let copy_link = link.clone();
                    view! {
                        <div class="invite-created" role="status">
                            <p>{tr(k::INVITE_CREATED)}</p>
                            <p class="invite-code" data-testid="invite-code">{c.code.clone()}</p>
                            <p>
                                {tr(k::INVITE_LINK_LABEL)}": "
                                <a href=link.clone() data-testid="invite-link">{link.clone()}</a>
                            </p>
                            <div class="qr" role="img" aria-label=tr(k::INVITE_QR_LABEL) inner_html=svg></div>
                            <div class="form-row">
                                <button class="secondary" on:click=move |_| copy(copy_link.clone())>{tr(k::INVITE_COPY)}</button>
                                <Show when=move || copied.get()>
                                    <span>{tr(k::INVITE_COPIED)}</span>
                                </Show>
                            </div>
                        </div>
                    }
                })
            }}
        </section>
        <section class="card" aria-labelledby="invite-codes">
            <h2 id="invite-codes">{tr(k::INVITE_CODES_TITLE)}</h2>
            <Show when=move || !codes.with(|c| c.codes.is_empty()) fallback=|| view! { <p class="empty">{tr(k::INVITE_CODES_NONE)}</p> }>
                <ul class="plain-list">
                    <For each=move || codes.get().codes key=|c| (c.code_id.clone(), c.revoked, c.uses) let:c>
                        {
                            let id = c.code_id.clone();
                            let row = move || {
                                fill(
                                    i18n.t(k::INVITE_CODES_ROW),
                                    &[
                                        ("role", role_text(i18n, c.role)),
                                        ("uses", &c.uses.to_string()),
                                        ("max", &c.max_uses.to_string()),
                                        ("until", &date_time(c.expires_at_ms)),
                                    ],
                                )
                            };
                            view! {
                                <RevocableItem
                                    text=Signal::derive(row)
                                    revoked=c.revoked
                                    revoked_label=k::INVITE_CODES_REVOKED
                                    action_label=k::INVITE_CODES_REVOKE
                                    on_revoke=Callback::new(move |()| revoke_code(id.clone()))
                                />
                            }
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
                            let row = {
                                let d = d.clone();
                                move || {
                                    let role = d.role.map(|r| role_text(i18n, r)).unwrap_or("");
                                    let mut text = fill(
                                        i18n.t(k::INVITE_DEVICES_ROW),
                                        &[("name", &d.display_name), ("role", role), ("since", &date_time(d.created_ms))],
                                    );
                                    if let Some(seen) = d.last_seen_ms {
                                        text = format!("{text} · {}", fill(i18n.t(k::INVITE_DEVICES_SEEN), &[("when", &date_time(seen))]));
                                    }
                                    text
                                }
                            };
                            view! {
                                <RevocableItem
                                    text=Signal::derive(row)
                                    revoked=d.revoked
                                    revoked_label=k::INVITE_DEVICES_REVOKED
                                    action_label=k::INVITE_DEVICES_REVOKE
                                    on_revoke=Callback::new(move |()| revoke_device(id.clone()))
                                />
                            }
                        }
                    </For>
                </ul>
            </Show>
            <button class="secondary" on:click=move |_| refresh()>{tr(k::INVITE_REFRESH)}</button>
        </section>
    }
}

/// One entry that can be withdrawn: its text, then "withdrawn" or the button.
#[component]
fn RevocableItem(
    text: Signal<String>,
    revoked: bool,
    revoked_label: Key,
    action_label: Key,
    on_revoke: Callback<()>,
) -> impl IntoView {
    view! {
        <li>
            <span>{text}</span>
            {if revoked {
                view! { <span class="chip">{tr(revoked_label)}</span> }.into_any()
            } else {
                view! {
                    <button class="secondary" on:click=move |_| on_revoke.run(())>
                        {tr(action_label)}
                    </button>
                }
                    .into_any()
            }}
        </li>
    }
}
