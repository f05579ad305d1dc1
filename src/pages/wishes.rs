//! 点单: file a wish (for oneself, on behalf of a resident, or at the
//! kiosk), with inline errors from linli-core and a duplicate hint; the
//! member's own wishes and, for those who dispatch, every wish.
use leptos::prelude::*;
use linli_core::model::{Category, Channel, Place, Role, Status, TimeWindow, Urgency, Wish};
use linli_core::private::ContactRecord;
use linli_core::{OpKind, WishId, views};
use linli_core::{permissions, rules};

use super::ui::{
    Gate, More, Msg, PAGE, StatusLine, WishItem, label, me, new_id, parse_local, pending_wishes,
    run_with, status_label, text_of,
};
use crate::i18n::{k, tr, use_i18n};
use crate::state::use_app;

#[component]
pub fn Wishes() -> impl IntoView {
    view! {
        <Gate title=k::WISHES_TITLE empty=k::WISHES_EMPTY>
            <WishesBody />
        </Gate>
    }
}

#[component]
fn WishesBody() -> impl IntoView {
    let app = use_app();
    let may_file = move || {
        me(app).is_some_and(|m| {
            app.replica
                .with(|r| !rules::filing_channels(r.view(), &m).is_empty())
        })
    };
    // The kiosk leaves no personal data on screen: it only files.
    let sees_lists = move || me(app).is_some_and(|m| permissions::sees_lists(m.role));
    view! {
        <Show when=may_file>
            <WishForm />
        </Show>
        <Show when=sees_lists>
            <WishLists />
        </Show>
    }
}

/// Texts that look alike: share at least 40% of their character pairs.
fn looks_alike(a: &str, b: &str) -> bool {
    fn pairs(s: &str) -> std::collections::BTreeSet<(char, char)> {
        let cs: Vec<char> = s.chars().filter(|c| !c.is_whitespace()).collect();
        cs.windows(2).map(|w| (w[0], w[1])).collect()
    }
    let (pa, pb) = (pairs(a), pairs(b));
    if pa.is_empty() || pb.is_empty() {
        return a.trim() == b.trim() && !a.trim().is_empty();
    }
    let common = pa.intersection(&pb).count();
    common * 5 >= pa.len().min(pb.len()) * 2
}

/// The field a validation code belongs to.
fn field_of(code: &str) -> &'static str {
    match code {
        "title_empty" | "title_too_long" => "title",
        "description_too_long" => "description",
        "place_too_long" => "place",
        "window_inverted" => "window",
        "bad_category" => "category",
        "bad_phone" => "phone",
        _ => "",
    }
}

fn opt(s: String) -> Option<String> {
    let s = s.trim().to_owned();
    (!s.is_empty()).then_some(s)
}

#[component]
fn WishForm() -> impl IntoView {
    let app = use_app();
    let i18n = use_i18n();
    let member = me(app);
    let role = member.as_ref().map(|m| m.role);
    let channels: Vec<Channel> = member.as_ref().map_or_else(Vec::new, |m| {
        app.replica
            .with_untracked(|r| rules::filing_channels(r.view(), m))
    });
    let Some(first_channel) = channels.first().copied() else {
        return ().into_any();
    };
    let category = RwSignal::new(String::new());
    let title = RwSignal::new(String::new());
    let description = RwSignal::new(String::new());
    let grid = RwSignal::new(
        member
            .as_ref()
            .and_then(|m| (m.role == Role::Resident).then(|| m.grids.first().cloned()))
            .flatten()
            .unwrap_or_default(),
    );
    let building = RwSignal::new(String::new());
    let unit = RwSignal::new(String::new());
    let place_free = RwSignal::new(String::new());
    let urgency = RwSignal::new(Urgency::Normal);
    let from = RwSignal::new(String::new());
    let to = RwSignal::new(String::new());
    let channel = RwSignal::new(first_channel);
    let requester = RwSignal::new(String::new());
    let phone = RwSignal::new(String::new());
    let msg = RwSignal::new(Msg::None);
    let last = RwSignal::new(None::<String>);

    let (grids, buildings, residents) = app.replica.with_untracked(|r| {
        let s = r.view();
        let c = s.community.as_ref();
        (
            c.map(|c| c.grids.clone()).unwrap_or_default(),
            c.map(|c| c.buildings.clone()).unwrap_or_default(),
            s.members
                .values()
                .filter(|m| m.active && m.role == Role::Resident)
                .map(|m| (m.id.0.clone(), m.name.clone()))
                .collect::<Vec<_>>(),
        )
    });

    let error_for = move |field: &'static str| {
        move || {
            msg.with(|m| {
                m.validation_code()
                    .or(match m {
                        Msg::Err(n) => n.strip_prefix("contact.error."),
                        _ => None,
                    })
                    .filter(|c| field_of(c) == field)
                    .map(|c| c.to_owned())
            })
        }
    };
    let invalid = move |field: &'static str| {
        move || {
            if error_for(field)().is_some() {
                "true"
            } else {
                "false"
            }
        }
    };
    let field_error = move |field: &'static str, id: &'static str| {
        move || {
            error_for(field)().map(|code| {
                let name = if field == "phone" {
                    format!("contact.error.{code}")
                } else {
                    format!("validation.{code}")
                };
                view! { <span id=id class="field-error">{move || text_of(i18n, &name)}</span> }
            })
        }
    };

    // Open wishes in the same category and place whose title looks alike.
    let duplicates = Memo::new(move |_| {
        let (cat, t, g, b) = (category.get(), title.get(), grid.get(), building.get());
        if cat.is_empty() || t.trim().chars().count() < 2 {
            return Vec::<(WishId, String, Status)>::new();
        }
        app.replica.with(|r| {
            r.view()
                .wishes
                .values()
                .filter(|w| !w.status.is_terminal() && w.category.code() == cat)
                .filter(|w| {
                    (g.is_empty() || w.place.grid.as_deref() == Some(g.as_str()))
                        && (b.is_empty() || w.place.building.as_deref() == Some(b.as_str()))
                })
                .filter(|w| looks_alike(&w.title, &t))
                .take(3)
                .map(|w| (w.id.clone(), w.title.clone(), w.status))
                .collect()
        })
    });

    let submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        let Ok(cat) = Category::parse(&category.get_untracked()) else {
            msg.set(Msg::Err("validation.bad_category".into()));
            return;
        };
        let contact = ContactRecord {
            wish: WishId::from(""),
            phone: phone.get_untracked().trim().to_owned(),
            address: String::new(),
        };
        if let Err(e) = contact.validate() {
            msg.set(Msg::Err(format!("contact.error.{}", e.code())));
            return;
        }
        let window = match (
            parse_local(&from.get_untracked()),
            parse_local(&to.get_untracked()),
        ) {
            (Some(f), Some(t)) => Some(TimeWindow { from: f, to: t }),
            (Some(f), None) => Some(TimeWindow {
                from: f,
                to: f + 3_600_000,
            }),
            (None, Some(t)) => Some(TimeWindow {
                from: t.saturating_sub(3_600_000),
                to: t,
            }),
            (None, None) => None,
        };
        let urgency = urgency.get_untracked();
        let ch = channel.get_untracked();
        let wish = WishId::from(new_id("w").as_str());
        let kind = OpKind::CreateWish {
            wish: wish.clone(),
            category: cat,
            title: title.get_untracked().trim().to_owned(),
            description: description.get_untracked().trim().to_owned(),
            place: Place {
                grid: opt(grid.get_untracked()),
                building: opt(building.get_untracked()),
                unit: opt(unit.get_untracked()),
                text: opt(place_free.get_untracked()),
            },
            urgency,
            window,
            channel: ch,
            requester: if ch == Channel::OnBehalf {
                opt(requester.get_untracked()).map(Into::into)
            } else {
                None
            },
        };
        // The phone stays on this device with the wish until the endpoint
        // has both; then only those `private::may_see` allows get it.
        let contact = (!contact.phone.is_empty()).then(|| ContactRecord {
            wish: wish.clone(),
            ..contact
        });
        run_with(app, kind, contact, msg, move || {
            last.set(Some(wish.0.clone()));
            for s in [
                title,
                description,
                unit,
                place_free,
                from,
                to,
                phone,
                requester,
            ] {
                s.set(String::new());
            }
        });
    };

    let is_kiosk = role == Some(Role::Kiosk);
    let multi_channel = channels.len() > 1;
    view! {
        <section class="card" aria-labelledby="wish-form-title">
            <h2 id="wish-form-title">{tr(k::WISHES_NEW_TITLE)}</h2>
            {is_kiosk.then(|| view! { <p class="hint">{tr(k::WISH_FORM_KIOSK_HINT)}</p> })}
            <form class="wish-form" on:submit=submit novalidate>
                {multi_channel
                    .then(|| {
                        view! {
                            <fieldset class="field">
                                <legend>{tr(k::WISH_FORM_CHANNEL)}</legend>
                                {channels
                                    .iter()
                                    .map(|c| {
                                        let c = *c;
                                        let id = format!("channel-{}", c.code());
                                        let for_id = id.clone();
                                        view! {
                                            <label class="radio" for=for_id>
                                                <input
                                                    type="radio"
                                                    id=id
                                                    name="channel"
                                                    prop:checked=move || channel.get() == c
                                                    on:change=move |_| channel.set(c)
                                                />
                                                {move || label(i18n, "wish.form.channel", c.code())}
                                            </label>
                                        }
                                    })
                                    .collect_view()}
                            </fieldset>
                        }
                    })}
                <Show when=move || channel.get() == Channel::OnBehalf>
                    <div class="field">
                        <label for="wish-requester">{tr(k::WISH_FORM_REQUESTER)}</label>
                        <select
                            id="wish-requester"
                            on:change=move |ev| requester.set(event_target_value(&ev))
                            prop:value=move || requester.get()
                        >
                            <option value="">{tr(k::WISH_FORM_REQUESTER_NONE)}</option>
                            {residents
                                .clone()
                                .into_iter()
                                .map(|(id, name)| view! { <option value=id>{name}</option> })
                                .collect_view()}
                        </select>
                    </div>
                </Show>
                <div class="field">
                    <label for="wish-category">{tr(k::WISH_FORM_CATEGORY)}</label>
                    <select
                        id="wish-category"
                        aria-invalid=invalid("category")
                        aria-describedby="wish-category-error"
                        prop:value=move || category.get()
                        on:change=move |ev| category.set(event_target_value(&ev))
                    >
                        <option value="">{tr(k::WISH_FORM_CHOOSE)}</option>
                        {Category::ALL
                            .into_iter()
                            .map(|c| {
                                view! {
                                    <option value=c.code()>{move || label(i18n, "category", c.code())}</option>
                                }
                            })
                            .collect_view()}
                    </select>
                    {field_error("category", "wish-category-error")}
                </div>
                <div class="field">
                    <label for="wish-title">{tr(k::WISH_FORM_TITLE)}</label>
                    <input
                        id="wish-title"
                        type="text"
                        autocomplete="off"
                        aria-invalid=invalid("title")
                        aria-describedby="wish-title-hint wish-title-error"
                        prop:value=move || title.get()
                        on:input=move |ev| title.set(event_target_value(&ev))
                    />
                    <span id="wish-title-hint" class="hint">{tr(k::WISH_FORM_TITLE_HINT)}</span>
                    {field_error("title", "wish-title-error")}
                </div>
                <Show when=move || duplicates.with(|d| !d.is_empty())>
                    <div class="duplicate-hint" role="note" aria-labelledby="dup-title">
                        <p id="dup-title"><strong>{tr(k::WISH_DUPLICATE_TITLE)}</strong></p>
                        <ul>
                            {move || {
                                duplicates
                                    .get()
                                    .into_iter()
                                    .map(|(id, t, s)| {
                                        view! {
                                            <li>
                                                <a href=format!("/wishes/{id}")>{t}</a>
                                                " ("
                                                {move || status_label(i18n, s)}
                                                ")"
                                            </li>
                                        }
                                    })
                                    .collect_view()
                            }}
                        </ul>
                        <p class="hint">{tr(k::WISH_DUPLICATE_HINT)}</p>
                    </div>
                </Show>
                <div class="field">
                    <label for="wish-description">{tr(k::WISH_FORM_DESCRIPTION)}</label>
                    <textarea
                        id="wish-description"
                        rows="3"
                        aria-invalid=invalid("description")
                        aria-describedby="wish-description-error"
                        prop:value=move || description.get()
                        on:input=move |ev| description.set(event_target_value(&ev))
                    ></textarea>
                    {field_error("description", "wish-description-error")}
                </div>
                <fieldset class="field place" aria-describedby="wish-place-error">
                    <legend>{tr(k::WISH_FORM_PLACE)}</legend>
                    <div class="field-row">
                        <div class="field">
                            <label for="wish-grid">{tr(k::WISH_FORM_GRID)}</label>
                            <select
                                id="wish-grid"
                                prop:value=move || grid.get()
                                on:change=move |ev| grid.set(event_target_value(&ev))
                            >
                                <option value="">{tr(k::UI_NONE)}</option>
                                {grids
                                    .iter()
                                    .map(|g| {
                                        let g2 = g.clone();
                                        view! {
                                            <option value=g.clone() selected=move || grid.get_untracked() == g2>
                                                {g.clone()}
                                            </option>
                                        }
                                    })
                                    .collect_view()}
                            </select>
                        </div>
                        <div class="field">
                            <label for="wish-building">{tr(k::WISH_FORM_BUILDING)}</label>
                            <select
                                id="wish-building"
                                prop:value=move || building.get()
                                on:change=move |ev| building.set(event_target_value(&ev))
                            >
                                <option value="">{tr(k::UI_NONE)}</option>
                                {buildings
                                    .iter()
                                    .map(|b| view! { <option value=b.clone()>{b.clone()}</option> })
                                    .collect_view()}
                            </select>
                        </div>
                        <div class="field">
                            <label for="wish-unit">{tr(k::WISH_FORM_UNIT)}</label>
                            <input
                                id="wish-unit"
                                type="text"
                                aria-invalid=invalid("place")
                                prop:value=move || unit.get()
                                on:input=move |ev| unit.set(event_target_value(&ev))
                            />
                        </div>
                    </div>
                    <div class="field">
                        <label for="wish-place-text">{tr(k::WISH_FORM_PLACE_TEXT)}</label>
                        <input
                            id="wish-place-text"
                            type="text"
                            aria-invalid=invalid("place")
                            prop:value=move || place_free.get()
                            on:input=move |ev| place_free.set(event_target_value(&ev))
                        />
                    </div>
                    {field_error("place", "wish-place-error")}
                </fieldset>
                <div class="field">
                    <label for="wish-urgency">{tr(k::WISH_FORM_URGENCY)}</label>
                    <select
                        id="wish-urgency"
                        prop:value=move || urgency.get().code()
                        on:change=move |ev| {
                            if let Some(u) = Urgency::from_code(&event_target_value(&ev)) {
                                urgency.set(u);
                            }
                        }
                    >
                        {Urgency::ALL
                            .into_iter()
                            .map(|u| {
                                view! {
                                    <option value=u.code() selected=u == Urgency::Normal>
                                        {move || label(i18n, "urgency", u.code())}
                                    </option>
                                }
                            })
                            .collect_view()}
                    </select>
                </div>
                <fieldset class="field" aria-describedby="wish-window-error">
                    <legend>{tr(k::WISH_FORM_WINDOW)}</legend>
                    <div class="field-row">
                        <div class="field">
                            <label for="wish-from">{tr(k::WISH_FORM_WINDOW_FROM)}</label>
                            <input
                                id="wish-from"
                                type="datetime-local"
                                aria-invalid=invalid("window")
                                prop:value=move || from.get()
                                on:input=move |ev| from.set(event_target_value(&ev))
                            />
                        </div>
                        <div class="field">
                            <label for="wish-to">{tr(k::WISH_FORM_WINDOW_TO)}</label>
                            <input
                                id="wish-to"
                                type="datetime-local"
                                aria-invalid=invalid("window")
                                prop:value=move || to.get()
                                on:input=move |ev| to.set(event_target_value(&ev))
                            />
                        </div>
                    </div>
                    {field_error("window", "wish-window-error")}
                </fieldset>
                <div class="field">
                    <label for="wish-phone">{tr(k::WISH_FORM_PHONE)}</label>
                    <input
                        id="wish-phone"
                        type="tel"
                        autocomplete="off"
                        aria-invalid=invalid("phone")
                        aria-describedby="wish-phone-hint wish-phone-error"
                        prop:value=move || phone.get()
                        on:input=move |ev| phone.set(event_target_value(&ev))
                    />
                    <span id="wish-phone-hint" class="hint">{tr(k::WISH_FORM_PHONE_HINT)}</span>
                    {field_error("phone", "wish-phone-error")}
                </div>
                <div class="form-row">
                    <button type="submit" disabled=move || msg.get() == Msg::Busy>
                        {tr(k::WISH_FORM_SUBMIT)}
                    </button>
                    <StatusLine msg=msg />
                    {move || {
                        (msg.get() == Msg::Ok(k::UI_SAVED_LOCAL) && !is_kiosk)
                            .then(|| last.get())
                            .flatten()
                            .map(|id| {
                                view! {
                                    <a href=format!("/wishes/{id}")>{tr(k::WISH_FORM_VIEW_NEW)}</a>
                                }
                            })
                    }}
                </div>
            </form>
        </section>
    }
    .into_any()
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum Tab {
    Mine,
    All,
}

#[component]
fn WishLists() -> impl IntoView {
    let app = use_app();
    let i18n = use_i18n();
    let role = me(app).map(|m| m.role);
    let dispatcher = matches!(
        role,
        Some(Role::Coordinator | Role::GridWorker | Role::Viewer)
    );
    let tab = RwSignal::new(if dispatcher { Tab::All } else { Tab::Mine });
    let status = RwSignal::new(String::new());
    let search = RwSignal::new(String::new());
    let shown = RwSignal::new(PAGE);

    // Ids only: the list re-renders cheaply; items read their wish.
    let rows = Memo::new(move |_| {
        let (t, st, q) = (tab.get(), status.get(), search.get());
        let q = q.trim().to_owned();
        let Some(member) = me(app) else {
            return Vec::<WishId>::new();
        };
        app.replica.with(|r| {
            let s = r.view();
            let keep = |w: &&Wish| {
                (st.is_empty() || w.status.code() == st)
                    && (q.is_empty() || w.title.contains(&q) || w.description.contains(&q))
            };
            match t {
                Tab::Mine => views::my_orders(s, &member.id)
                    .requested
                    .into_iter()
                    .filter(keep)
                    .map(|w| w.id.clone())
                    .collect(),
                Tab::All => {
                    let mut v: Vec<&Wish> = s.wishes.values().filter(keep).collect();
                    views::sort_stable(&mut v, &views::by_newest);
                    v.into_iter().map(|w| w.id.clone()).collect()
                }
            }
        })
    });
    let total = Signal::derive(move || rows.with(Vec::len));
    let pending = Memo::new(move |_| pending_wishes(app));

    let tab_button = move |t: Tab, key| {
        view! {
            <button
                type="button"
                class="tab"
                aria-pressed=move || if tab.get() == t { "true" } else { "false" }
                on:click=move |_| {
                    tab.set(t);
                    shown.set(PAGE);
                }
            >
                {tr(key)}
            </button>
        }
    };
    view! {
        <section aria-labelledby="wish-list-title">
            <h2 id="wish-list-title">{move || {
                i18n.t(if tab.get() == Tab::Mine { k::WISHES_MINE } else { k::WISHES_ALL })
            }}</h2>
            <div class="toolbar" role="group" aria-label=tr(k::WISHES_VIEW_LABEL)>
                {tab_button(Tab::Mine, k::WISHES_MINE)}
                {tab_button(Tab::All, k::WISHES_ALL)}
            </div>
            <div class="filters">
                <div class="field">
                    <label for="wish-filter-status">{tr(k::WISHES_FILTER_STATUS)}</label>
                    <select
                        id="wish-filter-status"
                        on:change=move |ev| {
                            status.set(event_target_value(&ev));
                            shown.set(PAGE);
                        }
                    >
                        <option value="">{tr(k::UI_FILTER_ALL)}</option>
                        {Status::ALL
                            .into_iter()
                            .map(|s| view! { <option value=s.code()>{move || status_label(i18n, s)}</option> })
                            .collect_view()}
                    </select>
                </div>
                <div class="field">
                    <label for="wish-search">{tr(k::WISHES_SEARCH)}</label>
                    <input
                        id="wish-search"
                        type="search"
                        on:input=move |ev| {
                            search.set(event_target_value(&ev));
                            shown.set(PAGE);
                        }
                    />
                </div>
            </div>
            <p class="count" role="status">
                {move || crate::i18n::fill(i18n.t(k::UI_COUNT), &[("n", &total.get().to_string())])}
            </p>
            <Show
                when=move || { total.get() > 0 }
                fallback=move || {
                    view! {
                        <p class="empty">
                            {move || i18n.t(if tab.get() == Tab::Mine { k::WISHES_MINE_NONE } else { k::WISHES_NONE })}
                        </p>
                    }
                }
            >
                <ul class="wish-list">
                    {move || {
                        let p = pending.get();
                        let page: Vec<Wish> = rows.with(|ids| {
                            app.replica.with(|r| {
                                ids.iter()
                                    .take(shown.get())
                                    .filter_map(|id| r.view().wishes.get(id).cloned())
                                    .collect()
                            })
                        });
                        page.into_iter()
                            .map(|w| {
                                let is_pending = p.contains(&w.id);
                                view! { <WishItem wish=w pending=is_pending /> }
                            })
                            .collect_view()
                    }}
                </ul>
                <More shown=shown total=total />
            </Show>
        </section>
    }
}
