//! City systems (Open311), on the coordinator's 邀请成员、管理设备 page:
//! make an API key (shown once, like a join code), list the keys by name,
//! when made and last used, revoke one. Online only: keys live at the
//! endpoint (docs/open311.md). The same card on a street device manages
//! the street's keys (`street`: the street's endpoint, and the communities
//! a request names as `jurisdiction_id`). Also the chip a wish that came
//! this way shows in lists (`CityChip`).
use leptos::prelude::*;
use leptos::task::spawn_local;
use linli_core::model::{Channel, Wish};
use linli_core::open311::{self, KeyCreated, KeyList};

use crate::browser::when;
use crate::components::form::{Form, TextInput};
use crate::i18n::{fill, k, tr, use_i18n};
use crate::pages::ui::Reader;
use crate::state::use_app;
use crate::status::{Status, StatusLine, Text};

/// The Open311 address of this community (or street) on this origin.
fn endpoint(id: &str, street: bool) -> String {
    let origin = window().location().origin().unwrap_or_default();
    let base = if street { "streets" } else { "communities" };
    format!("{origin}/api/open311/v2/{base}/{id}/")
}

/// The key card. `street`: the keys are the street's (this device is a
/// street's; the same API routes, on the street's id).
#[component]
pub fn Open311Keys(#[prop(optional)] street: bool) -> impl IntoView {
    let app = use_app();
    let i18n = use_i18n();
    let status = RwSignal::new(Status::Idle);
    let keys = Reader::new(move || async move { app.open311_keys().await });
    Effect::new(move |_| {
        if let Some(Err(failed)) = keys.get() {
            status.set(failed);
        }
    });
    let list = Signal::derive(move || {
        keys.get()
            .and_then(Result::ok)
            .unwrap_or_else(KeyList::default)
    });
    let name = RwSignal::new(String::new());
    let created = RwSignal::new(None::<KeyCreated>);
    let create = move || {
        let typed = name.get_untracked();
        let checked = match open311::key_name(&typed) {
            Ok(n) => n,
            Err(reason) => {
                let key = match reason {
                    "key_name_too_long" => k::OPEN311_NAME_TOO_LONG,
                    "key_name_control" => k::OPEN311_NAME_CONTROL,
                    _ => k::OPEN311_NAME_EMPTY,
                };
                status.set(Status::failed(Text::key(key)));
                return;
            }
        };
        status.set(Status::Busy(k::OPEN311_BUSY));
        spawn_local(async move {
            match app.create_open311_key(checked).await {
                Ok(c) => {
                    created.set(Some(c));
                    name.set(String::new());
                    status.set(Status::done(k::OPEN311_DONE));
                    keys.refetch();
                }
                Err(failed) => status.set(failed),
            }
        });
    };
    let revoke = Callback::new(move |key_id: String| {
        spawn_local(async move {
            match app.revoke_open311_key(key_id).await {
                Ok(()) => keys.refetch(),
                Err(failed) => status.set(failed),
            }
        });
    });
    let address = app
        .session
        .with_untracked(|s| s.as_ref().map(|s| endpoint(s.community.as_str(), street)))
        .unwrap_or_default();
    let intro = if street {
        k::OPEN311_STREET_INTRO
    } else {
        k::OPEN311_INTRO
    };
    view! {
        <section class="card" aria-labelledby="open311-title">
            <h2 id="open311-title">{tr(k::OPEN311_TITLE)}</h2>
            <p>{tr(intro)}</p>
            <p>{tr(k::OPEN311_ENDPOINT)}": "<code class="open311-secret" data-testid="open311-endpoint">{address}</code></p>
            {street.then(|| view! { <Jurisdictions /> })}
            <Form status=status on_submit=create>
                <TextInput id="open311-name" label=k::OPEN311_NAME value=name hint=k::OPEN311_NAME_HINT required=true />
                <div class="form-row">
                    <button type="submit" disabled=move || status.with(Status::is_busy)>{tr(k::OPEN311_CREATE)}</button>
                    <StatusLine status=status />
                </div>
            </Form>
            {move || created.get().map(|c| view! { <Created secret=c.key /> })}
            <h3>{tr(k::OPEN311_KEYS)}</h3>
            <Show when=move || !list.with(|l| l.keys.is_empty()) fallback=|| view! { <p class="empty">{tr(k::OPEN311_NONE)}</p> }>
                <ul class="plain-list" data-testid="open311-keys">
                    <For each=move || list.get().keys key=|k| (k.key_id.clone(), k.revoked, k.last_used_ms) let:key>
                        {
                            let row = {
                                let key = key.clone();
                                move || {
                                    let text = fill(i18n.t(k::OPEN311_ROW), &[("name", &key.name), ("since", &when(key.created_ms))]);
                                    let used = match key.last_used_ms {
                                        Some(t) => fill(i18n.t(k::OPEN311_USED), &[("when", &when(t))]),
                                        None => i18n.t(k::OPEN311_NEVER_USED).to_owned(),
                                    };
                                    format!("{text} · {used}")
                                }
                            };
                            let label = {
                                let n = key.name.clone();
                                move || fill(i18n.t(k::OPEN311_REVOKE_OF), &[("name", &n)])
                            };
                            let id = key.key_id.clone();
                            view! {
                                <li>
                                    <span>{row}</span>
                                    {if key.revoked {
                                        view! { <span class="chip">{tr(k::OPEN311_REVOKED)}</span> }.into_any()
                                    } else {
                                        view! { <button type="button" class="secondary" aria-label=label on:click=move |_| revoke.run(id.clone())>{tr(k::OPEN311_REVOKE)}</button> }.into_any()
                                    }}
                                </li>
                            }
                        }
                    </For>
                </ul>
            </Show>
            <button type="button" class="secondary" on:click=move |_| keys.refetch()>{tr(k::OPEN311_REFRESH)}</button>
        </section>
    }
}

/// The street's communities, by the id a request names as `jurisdiction_id`.
#[component]
fn Jurisdictions() -> impl IntoView {
    let app = use_app();
    let communities = move || {
        app.street
            .info
            .with(|i| i.as_ref().map(|i| i.communities.clone()))
            .unwrap_or_default()
    };
    view! {
        <p>{tr(k::OPEN311_JURISDICTIONS)}</p>
        <ul class="plain-list" data-testid="open311-jurisdictions">
            <For each=communities key=|c| c.id.clone() let:c>
                <li><span>{c.name}</span>" · "<code>{c.id.to_string()}</code></li>
            </For>
        </ul>
    }
}

/// A new key, with a copy button; shown this once.
#[component]
fn Created(secret: String) -> impl IntoView {
    let key = secret;
    let copied = RwSignal::new(false);
    let copy = {
        let key = key.clone();
        move |_| {
            let clipboard = window().navigator().clipboard();
            let key = key.clone();
            spawn_local(async move {
                if wasm_bindgen_futures::JsFuture::from(clipboard.write_text(&key))
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
            <p>{tr(k::OPEN311_CREATED)}</p>
            <p>{tr(k::OPEN311_KEY_LABEL)}": "<code class="open311-secret" data-testid="open311-key">{key}</code></p>
            <div class="form-row">
                <button type="button" class="secondary" on:click=copy>{tr(k::OPEN311_COPY)}</button>
                <Show when=move || copied.get()>
                    <span>{tr(k::OPEN311_COPIED)}</span>
                </Show>
            </div>
        </div>
    }
}

/// The chip of a wish a city system forwarded: "城市系统 · 12345 热线"
/// (a community key's name is its identity's name in the log), or for a
/// street's key its signature, "城市系统 · 西关街道 · 12345 热线"
/// (`open311::filer`).
#[component]
pub fn CityChip(wish: Wish) -> impl IntoView {
    let app = use_app();
    let i18n = use_i18n();
    (wish.channel == Channel::City).then(move || {
        let text = move || {
            let name = app
                .replica
                .with(|r| open311::filer(&wish, r.view()))
                .unwrap_or_default();
            fill(i18n.t(k::OPEN311_CHIP), &[("name", &name)])
        };
        view! { <span class="chip city" data-testid="city-chip">{text}</span> }
    })
}
