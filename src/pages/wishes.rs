//! 点单: file a wish (for oneself, on behalf of a resident, or at the
//! kiosk) on the channels `rules::filing_channels` allows, with inline
//! errors from linli-core and a duplicate hint (`views::look_alikes`); the
//! member's own wishes and, for those who dispatch, every wish.
use leptos::prelude::*;
use linli_core::model::{Category, Channel, Place, Role, Status, TimeWindow, Urgency};
use linli_core::private::ContactRecord;
use linli_core::views::FirstPage;
use linli_core::{OpKind, WishId, permissions, rules, views};

use super::photos::{PhotoPicker, Picked};
use super::ui::{
    Gate, More, PAGE, WishItem, label, loading, me, member_options, page_of, pending_wishes,
    run_all, run_photos, status_label,
};
use crate::browser::{new_id, parse_local};
use crate::components::form::{
    Bind, Form, Group, Options, Radios, Select, TextArea, TextInput, coded_options,
};
use crate::i18n::{fill, k, tr, use_i18n};
use crate::state::use_app;
use crate::status::{Status as Said, StatusLine};

#[component]
pub fn Wishes() -> impl IntoView {
    view! {
        <Gate title=k::WISHES_TITLE empty=k::WISHES_EMPTY early=early_wishes>
            <WishesBody />
        </Gate>
    }
}

/// While the state loads: the lists as they were last shown, if kept.
fn early_wishes() -> AnyView {
    let app = use_app();
    (move || match app.early.get() {
        Some(page) => view! { <WishLists early=page /> }.into_any(),
        None => loading().into_any(),
    })
    .into_any()
}

#[component]
fn WishesBody() -> impl IntoView {
    let app = use_app();
    // A memo: the form is built again only if the channels change, not on
    // every change of the replica (that would empty it).
    let channels = Memo::new(move |_| {
        me(app).map_or_else(Vec::new, |m| {
            app.replica.with(|r| rules::filing_channels(r.view(), &m))
        })
    });
    // The kiosk leaves no personal data on screen: it only files.
    let sees_lists = move || me(app).is_some_and(|m| permissions::sees_lists(m.role));
    view! {
        {move || {
            let channels = channels.get();
            (!channels.is_empty()).then(|| view! { <WishForm channels=channels /> })
        }}
        <Show when=sees_lists>
            <WishLists />
        </Show>
    }
}

/// What the form holds while it is filled in.
#[derive(Clone, Copy)]
struct Draft {
    channel: RwSignal<Channel>,
    requester: RwSignal<String>,
    category: RwSignal<String>,
    title: RwSignal<String>,
    description: RwSignal<String>,
    grid: RwSignal<String>,
    building: RwSignal<String>,
    unit: RwSignal<String>,
    place_text: RwSignal<String>,
    urgency: RwSignal<Urgency>,
    from: RwSignal<String>,
    to: RwSignal<String>,
    phone: RwSignal<String>,
}

fn opt(s: RwSignal<String>) -> Option<String> {
    let s = s.get_untracked().trim().to_owned();
    (!s.is_empty()).then_some(s)
}

impl Draft {
    fn new(channel: Channel, grid: String) -> Draft {
        let text = || RwSignal::new(String::new());
        Draft {
            channel: RwSignal::new(channel),
            requester: text(),
            category: text(),
            title: text(),
            description: text(),
            grid: RwSignal::new(grid),
            building: text(),
            unit: text(),
            place_text: text(),
            urgency: RwSignal::new(Urgency::Normal),
            from: text(),
            to: text(),
            phone: text(),
        }
    }

    /// The op and the contact record, or why not (linli-core's codes).
    fn make(&self, wish: WishId) -> Result<(OpKind, Option<ContactRecord>), Said> {
        let category = Category::parse(&self.category.get_untracked()).map_err(Said::invalid)?;
        let contact = ContactRecord {
            wish: wish.clone(),
            phone: self.phone.get_untracked().trim().to_owned(),
            address: String::new(),
            ..ContactRecord::default()
        };
        contact.validate().map_err(Said::contact)?;
        let window = TimeWindow::from_ends(
            parse_local(&self.from.get_untracked()),
            parse_local(&self.to.get_untracked()),
        );
        let channel = self.channel.get_untracked();
        let kind = OpKind::CreateWish {
            wish,
            category,
            title: self.title.get_untracked().trim().to_owned(),
            description: self.description.get_untracked().trim().to_owned(),
            place: Place {
                grid: opt(self.grid),
                building: opt(self.building),
                unit: opt(self.unit),
                text: opt(self.place_text),
            },
            urgency: self.urgency.get_untracked(),
            window,
            channel,
            requester: (channel == Channel::OnBehalf)
                .then(|| opt(self.requester).map(Into::into))
                .flatten(),
        };
        // The phone stays on this device with the wish until the endpoint
        // has both; then only those `private::may_see` allows get it.
        Ok((kind, (!contact.phone.is_empty()).then_some(contact)))
    }

    /// Empties what is particular to one wish (category, grid and urgency stay).
    fn clear(&self) {
        for s in [
            self.title,
            self.description,
            self.unit,
            self.place_text,
            self.from,
            self.to,
            self.phone,
            self.requester,
        ] {
            s.set(String::new());
        }
    }
}

#[component]
fn WishForm(channels: Vec<Channel>) -> impl IntoView {
    let app = use_app();
    let member = me(app);
    let is_kiosk = member.as_ref().is_some_and(|m| m.role == Role::Kiosk);
    // A resident files from home: their grid is the likely place.
    let home_grid = member
        .filter(|m| m.role == Role::Resident)
        .and_then(|m| m.grids.first().cloned())
        .unwrap_or_default();
    let draft = Draft::new(channels[0], home_grid);
    // Opened from a building poster (`/wishes?grid=…&building=…`): start
    // there, if the community has that grid and building.
    let query = leptos_router::hooks::use_query_map();
    app.replica.with_untracked(|r| {
        let Some(c) = r.view().community.as_ref() else {
            return;
        };
        query.with_untracked(|q| {
            if let Some(g) = q.get("grid").filter(|g| c.grids.contains(g)) {
                draft.grid.set(g);
            }
            if let Some(b) = q.get("building").filter(|b| c.buildings.contains(b)) {
                draft.building.set(b);
            }
        });
    });
    // Opened from a care visit (`/wishes?visit=…`): recorded on the
    // household's behalf and linked to the visit (`link_visit_wish`).
    let visit = query
        .with_untracked(|q| q.get("visit"))
        .map(linli_core::ids::VisitId::from)
        .filter(|v| {
            app.replica
                .with_untracked(|r| r.view().visits.contains_key(v))
        });
    if visit.is_some() && channels.contains(&Channel::OnBehalf) {
        draft.channel.set(Channel::OnBehalf);
    }
    let from_visit = visit.is_some();
    let status = RwSignal::new(Said::Idle);
    let last = RwSignal::new(None::<WishId>);
    let picked = RwSignal::new(Vec::<Picked>::new());
    let submit = move || {
        let wish = WishId::from(new_id("w"));
        match draft.make(wish.clone()) {
            Ok((kind, contact)) => {
                let mut kinds = vec![kind];
                kinds.extend(visit.clone().map(|visit| OpKind::LinkVisitWish {
                    visit,
                    wish: wish.clone(),
                }));
                let attached = picked.with_untracked(|p| {
                    super::photos::attach(&wish, linli_core::photos::Stage::Request, p)
                });
                let done = move || {
                    last.set(Some(wish));
                    draft.clear();
                };
                match attached {
                    Some((op, photos)) => {
                        kinds.push(op);
                        let done = move || {
                            super::photos::clear(picked);
                            done();
                        };
                        run_photos(app, kinds, contact, photos, status, Box::new(done))
                    }
                    None => run_all(app, kinds, contact, status, done),
                }
            }
            Err(e) => status.set(e),
        }
    };
    let categories = coded_options::<Category>("category");
    let urgencies = coded_options::<Urgency>("urgency");
    let new_wish = move || {
        (status.with(|s| matches!(s, Said::Saved(_))) && !is_kiosk)
            .then(|| last.get())
            .flatten()
            .map(|id| view! { <a href=format!("/wishes/{id}")>{tr(k::WISH_FORM_VIEW_NEW)}</a> })
    };
    view! {
        <section class="card" aria-labelledby="wish-form-title">
            <h2 id="wish-form-title">{tr(k::WISHES_NEW_TITLE)}</h2>
            {is_kiosk.then(|| view! { <p class="hint">{tr(k::WISH_FORM_KIOSK_HINT)}</p> })}
            {from_visit.then(|| view! { <p class="hint" role="note">{tr(k::WISH_FORM_FROM_VISIT)}</p> })}
            <Form status=status on_submit=submit attr:class="wish-form">
                <ChannelFields draft=draft channels=channels />
                <Select id="wish-category" label=k::WISH_FORM_CATEGORY value=draft.category options=categories none=k::WISH_FORM_CHOOSE codes=&["bad_category"] required=true />
                <TextInput id="wish-title" label=k::WISH_FORM_TITLE value=draft.title hint=k::WISH_FORM_TITLE_HINT codes=&["title_empty", "title_too_long"] required=true autocomplete="off" />
                <LookAlikes draft=draft />
                <TextArea id="wish-description" label=k::WISH_FORM_DESCRIPTION value=draft.description codes=&["description_too_long"] />
                <PlaceFields draft=draft />
                <Select id="wish-urgency" label=k::WISH_FORM_URGENCY value=Bind::coded(draft.urgency) options=urgencies />
                <Group legend=k::WISH_FORM_WINDOW>
                    <div class="field-row">
                        <TextInput id="wish-from" label=k::WISH_FORM_WINDOW_FROM value=draft.from kind="datetime-local" />
                        <TextInput id="wish-to" label=k::WISH_FORM_WINDOW_TO value=draft.to kind="datetime-local" codes=&["window_inverted"] />
                    </div>
                </Group>
                <PhotoPicker id="wish-photos" picked=picked stage=linli_core::photos::Stage::Request />
                <TextInput id="wish-phone" label=k::WISH_FORM_PHONE value=draft.phone kind="tel" hint=k::WISH_FORM_PHONE_HINT codes=&["bad_phone"] autocomplete="off" />
                <div class="form-row">
                    <button type="submit" disabled=move || status.with(Said::is_busy)>{tr(k::WISH_FORM_SUBMIT)}</button>
                    <StatusLine status=status />
                    {new_wish}
                </div>
            </Form>
        </section>
    }
}

/// Whose wish it is: the channels the member may file on (several only for
/// staff), and the resident a door-to-door record is for.
#[component]
fn ChannelFields(draft: Draft, channels: Vec<Channel>) -> impl IntoView {
    let app = use_app();
    let i18n = use_i18n();
    let several = channels.len() > 1;
    let options: Options = Signal::derive(move || {
        channels
            .iter()
            .map(|c| {
                (
                    c.code().to_owned(),
                    label(i18n, "wish.form.channel", c.code()),
                )
            })
            .collect()
    });
    let residents = member_options(app, Role::Resident);
    view! {
        {several.then(|| view! { <Radios name="channel" legend=k::WISH_FORM_CHANNEL value=Bind::coded(draft.channel) options=options /> })}
        <Show when=move || draft.channel.get() == Channel::OnBehalf>
            <Select id="wish-requester" label=k::WISH_FORM_REQUESTER value=draft.requester options=residents none=k::WISH_FORM_REQUESTER_NONE />
        </Show>
    }
}

/// Grid and building from the community's lists, unit and free text.
#[component]
fn PlaceFields(draft: Draft) -> impl IntoView {
    let app = use_app();
    let list = move |pick: fn(&linli_core::model::Community) -> &Vec<String>| -> Options {
        Signal::derive(move || {
            app.replica.with(|r| {
                let names = r
                    .view()
                    .community
                    .as_ref()
                    .map(pick)
                    .cloned()
                    .unwrap_or_default();
                names.into_iter().map(|n| (n.clone(), n)).collect()
            })
        })
    };
    let (grids, buildings) = (list(|c| &c.grids), list(|c| &c.buildings));
    view! {
        <Group legend=k::WISH_FORM_PLACE class="place">
            <div class="field-row">
                <Select id="wish-grid" label=k::WISH_FORM_GRID value=draft.grid options=grids none=k::UI_NONE />
                <Select id="wish-building" label=k::WISH_FORM_BUILDING value=draft.building options=buildings none=k::UI_NONE />
                <TextInput id="wish-unit" label=k::WISH_FORM_UNIT value=draft.unit codes=&["place_too_long"] />
            </div>
            <TextInput id="wish-place-text" label=k::WISH_FORM_PLACE_TEXT value=draft.place_text codes=&["place_too_long"] />
        </Group>
    }
}

/// Open wishes the new one may duplicate (`views::look_alikes`).
#[component]
fn LookAlikes(draft: Draft) -> impl IntoView {
    let app = use_app();
    let i18n = use_i18n();
    let found = Memo::new(move |_| {
        let Some(category) = Category::from_code(&draft.category.get()) else {
            return Vec::<(WishId, String, Status)>::new();
        };
        let (title, grid, building) = (draft.title.get(), draft.grid.get(), draft.building.get());
        let some = |s: &String| (!s.is_empty()).then(|| s.clone());
        app.replica.with(|r| {
            views::look_alikes(
                r.view(),
                category,
                &title,
                some(&grid).as_deref(),
                some(&building).as_deref(),
                3,
            )
            .into_iter()
            .map(|w| (w.id.clone(), w.title.clone(), w.status))
            .collect()
        })
    });
    view! {
        <Show when=move || found.with(|d| !d.is_empty())>
            <div class="duplicate-hint" role="note" aria-labelledby="dup-title">
                <p id="dup-title"><strong>{tr(k::WISH_DUPLICATE_TITLE)}</strong></p>
                <ul>
                    {move || {
                        found
                            .get()
                            .into_iter()
                            .map(|(id, t, s)| {
                                view! { <li><a href=format!("/wishes/{id}")>{t}</a>" (" {move || status_label(i18n, s)} ")"</li> }
                            })
                            .collect_view()
                    }}
                </ul>
                <p class="hint">{tr(k::WISH_DUPLICATE_HINT)}</p>
            </div>
        </Show>
    }
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum Tab {
    Mine,
    All,
}

/// The lists. `early`: the page this device kept, shown while the state
/// loads (`AppState::early`) with its controls disabled until it is read.
#[component]
fn WishLists(#[prop(optional)] early: Option<FirstPage>) -> impl IntoView {
    let app = use_app();
    let i18n = use_i18n();
    let waiting = early.is_some();
    let all = early.as_ref().map_or_else(
        || me(app).is_some_and(|m| views::lists_all_first(m.role)),
        |p| p.all,
    );
    let tab = RwSignal::new(if all { Tab::All } else { Tab::Mine });
    let (status, search) = (RwSignal::new(String::new()), RwSignal::new(String::new()));
    let shown = RwSignal::new(PAGE);
    // A new filter starts the list from its top.
    let filter = move |s: RwSignal<String>| Bind::from(s).then(move || shown.set(PAGE));
    let kept = StoredValue::new(early);
    // Ids only: the list re-renders cheaply; items read their wish.
    let rows = Memo::new(move |_| {
        if let Some(ids) = kept.with_value(|k| {
            k.as_ref()
                .map(|p| p.wishes.iter().map(|w| w.id.clone()).collect())
        }) {
            return ids;
        }
        let (t, st, q) = (tab.get(), status.get(), search.get());
        let Some(member) = me(app) else {
            return Vec::<WishId>::new();
        };
        app.replica.with(|r| {
            views::wish_list(r.view(), &member.id, t == Tab::Mine, &st, q.trim())
                .into_iter()
                .map(|w| w.id.clone())
                .collect()
        })
    });
    let total = Signal::derive(move || {
        kept.with_value(|k| k.as_ref().map(|p| p.total))
            .unwrap_or_else(|| rows.with(Vec::len))
    });
    // The list as it opens is kept for the next start to paint at once.
    Effect::new(move |_| {
        let ids = rows.get();
        let opening = (tab.get() == Tab::All) == all && status.with(String::is_empty);
        if waiting || !opening || !search.with(String::is_empty) {
            return;
        }
        let Some(member) = me(app).map(|m| m.id) else {
            return;
        };
        let page = FirstPage {
            member,
            all,
            total: ids.len(),
            wishes: page_of(app, &ids, PAGE),
        };
        leptos::task::spawn_local(async move { app.remember_first_page(Some(page)).await });
    });
    let statuses = coded_options::<Status>("status");
    let heading = move |mine, all| move || i18n.t(if tab.get() == Tab::Mine { mine } else { all });
    let tab_button = move |t: Tab, key| {
        let pressed = move || if tab.get() == t { "true" } else { "false" };
        let pick = move |_| {
            tab.set(t);
            shown.set(PAGE);
        };
        view! { <button type="button" class="tab" aria-pressed=pressed disabled=waiting on:click=pick>{tr(key)}</button> }
    };
    view! {
        <section aria-labelledby="wish-list-title">
            <h2 id="wish-list-title">{heading(k::WISHES_MINE, k::WISHES_ALL)}</h2>
            <div class="toolbar" role="group" aria-label=tr(k::WISHES_VIEW_LABEL)>
                {tab_button(Tab::Mine, k::WISHES_MINE)}
                {tab_button(Tab::All, k::WISHES_ALL)}
            </div>
            <div class="filters">
                <Select id="wish-filter-status" label=k::WISHES_FILTER_STATUS value=filter(status) options=statuses none=k::UI_FILTER_ALL disabled=waiting />
                <TextInput id="wish-search" label=k::WISHES_SEARCH value=filter(search) kind="search" disabled=waiting />
            </div>
            <p class="count" role="status">{move || fill(i18n.t(k::UI_COUNT), &[("n", &total.get().to_string())])}</p>
            <Show
                when=move || { total.get() > 0 }
                fallback=move || view! { <p class="empty">{heading(k::WISHES_MINE_NONE, k::WISHES_NONE)}</p> }
            >
                <ul class="wish-list" aria-busy=waiting.then_some("true")>
                    <WishPage rows=rows shown=shown kept=kept />
                </ul>
                <Show when=move || !waiting>
                    <More shown=shown total=total />
                </Show>
            </Show>
        </section>
    }
}

/// The first `shown` wishes of `rows`, marked when this device has unsynced ops on them.
#[component]
fn WishPage(
    rows: Memo<Vec<WishId>>,
    shown: RwSignal<usize>,
    kept: StoredValue<Option<FirstPage>>,
) -> impl IntoView {
    let app = use_app();
    let pending = Memo::new(move |_| pending_wishes(app));
    move || {
        let p = pending.get();
        let page = kept
            .with_value(|k| k.as_ref().map(|k| k.wishes.clone()))
            .unwrap_or_else(|| rows.with(|ids| page_of(app, ids, shown.get())));
        page.into_iter()
            .map(|w| {
                let is_pending = p.contains(&w.id);
                view! { <WishItem wish=w pending=is_pending /> }
            })
            .collect_view()
    }
}
