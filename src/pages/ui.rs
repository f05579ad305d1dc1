//! Small pieces the workflow pages share: words for core codes and times,
//! the joined/loading gate, a dispatch-and-report helper, wish list items
//! and a "show more" pager. Everything that decides a rule calls
//! linli-core; this only words it.
use leptos::prelude::*;
use leptos::task::spawn_local;
use leptos_router::components::A;
use linli_core::model::{Assignee, Member, Rating, Role, Status, Wish};
use linli_core::private::ContactRecord;
use linli_core::{MemberId, OpKind, Outcome, State, WishId};

pub use crate::browser::{now_ms, when};
use crate::components::form::Options;
pub use crate::i18n::label;
use crate::i18n::{I18n, Key, fill, k, tr, use_i18n};
use crate::state::{AppState, Load, use_app};
use crate::status::Status as Said;

/// Rows shown at once in a list; "show more" adds as many again.
pub use linli_core::views::PAGE;

/// Options read from the state, following every change of the replica.
fn state_options(
    app: AppState,
    of: impl Fn(&State) -> Vec<(String, String)> + Send + Sync + 'static,
) -> Options {
    Signal::derive(move || app.replica.with(|r| of(r.view())))
}

/// The community's grids, as options.
pub fn grid_options(app: AppState) -> Options {
    state_options(app, |s| {
        let c = s.community.as_ref();
        c.map(|c| c.grids.iter().map(|g| (g.clone(), g.clone())).collect())
            .unwrap_or_default()
    })
}

/// The service teams, as options (id, name).
pub fn team_options(app: AppState) -> Options {
    state_options(app, |s| {
        let teams = s.teams.values();
        teams.map(|t| (t.id.to_string(), t.name.clone())).collect()
    })
}

/// The partner units, as options (id, name).
pub fn partner_options(app: AppState) -> Options {
    state_options(app, |s| {
        let units = s.partners.values();
        units.map(|p| (p.id.to_string(), p.name.clone())).collect()
    })
}

/// Active members of `role`, as options (id, name).
pub fn member_options(app: AppState, role: Role) -> Options {
    state_options(app, move |s| {
        let members = s.members.values().filter(|m| m.active && m.role == role);
        members
            .map(|m| (m.id.to_string(), m.name.clone()))
            .collect()
    })
}

/// The first `shown` of the wishes `ids`, as they are now (a page of a list).
pub fn page_of(app: AppState, ids: &[WishId], shown: usize) -> Vec<Wish> {
    app.replica.with(|r| {
        let wishes = &r.view().wishes;
        let page = ids.iter().take(shown);
        page.filter_map(|id| wishes.get(id).cloned()).collect()
    })
}

pub fn status_label(i18n: I18n, s: Status) -> String {
    label(i18n, "status", s.code())
}

/// A member's display name, or "unknown member".
pub fn member_name(i18n: I18n, state: &State, id: &MemberId) -> String {
    state
        .members
        .get(id)
        .map(|m| m.name.clone())
        .unwrap_or_else(|| i18n.t(k::UI_UNKNOWN_MEMBER).to_owned())
}

/// The title of what a ledger entry or inbox item is about (its id if unknown).
pub fn subject_title(state: &State, about: &linli_core::reduce::Subject) -> String {
    use linli_core::reduce::Subject;
    match about {
        Subject::Wish(w) => state
            .wishes
            .get(w)
            .map_or_else(|| w.0.clone(), |x| x.title.clone()),
        Subject::Activity(a) => state
            .activities
            .get(a)
            .map_or_else(|| a.0.clone(), |x| x.title.clone()),
    }
}

/// Where a ledger entry or inbox item links to: a wish's page or an
/// activity's (`pages::activity_detail`).
pub fn subject_href(about: &linli_core::reduce::Subject) -> String {
    use linli_core::reduce::Subject;
    match about {
        Subject::Wish(w) => format!("/wishes/{w}"),
        Subject::Activity(a) => format!("/activities/{a}"),
    }
}

/// Who holds a wish, in words.
pub fn holder_name(i18n: I18n, state: &State, a: &Assignee) -> String {
    match a {
        Assignee::Member(m) => member_name(i18n, state, m),
        Assignee::Team(t) => fill(
            i18n.t(k::WISH_DETAIL_TEAM),
            &[(
                "name",
                state.teams.get(t).map_or(t.as_str(), |t| t.name.as_str()),
            )],
        ),
        Assignee::Partner(p) => fill(
            i18n.t(k::WISH_DETAIL_PARTNER),
            &[(
                "name",
                state
                    .partners
                    .get(p)
                    .map_or(p.as_str(), |p| p.name.as_str()),
            )],
        ),
    }
}

/// Grid · building · unit · free text, or "no place given".
pub fn place_text(i18n: I18n, p: &linli_core::model::Place) -> String {
    let parts: Vec<&str> = [&p.grid, &p.building, &p.unit, &p.text]
        .into_iter()
        .filter_map(|s| s.as_deref())
        .filter(|s| !s.is_empty())
        .collect();
    if parts.is_empty() {
        i18n.t(k::WISH_PLACE_NONE).to_owned()
    } else {
        parts.join(" · ")
    }
}

/// A span in words: "2 天 3 小时" or "1 小时 20 分钟".
pub fn span(i18n: I18n, ms: u64) -> String {
    let minutes = ms / 60_000;
    let (d, h, m) = (minutes / 1440, minutes / 60 % 24, minutes % 60);
    if d > 0 {
        fill(
            i18n.t(k::UI_DURATION_DH),
            &[("d", &d.to_string()), ("h", &h.to_string())],
        )
    } else {
        fill(
            i18n.t(k::UI_DURATION_HM),
            &[("h", &h.to_string()), ("m", &m.to_string())],
        )
    }
}

/// The current member of this device, if joined and known to the log.
pub fn me(app: AppState) -> Option<Member> {
    let id = app.session.with(|s| s.as_ref().map(|s| s.member.clone()))?;
    app.replica.with(|r| r.view().members.get(&id).cloned())
}

pub fn rating_label(i18n: I18n, r: Rating) -> String {
    label(i18n, "rating", r.code())
}

/// Dispatches `kind` (checked by linli-core first); reports the result in
/// `status` and calls `done` when the op was applied (a void op is durable
/// too, but the user is told why it had no effect).
pub fn run(app: AppState, kind: OpKind, status: RwSignal<Said>, done: impl FnOnce() + 'static) {
    run_with(app, kind, None, status, done)
}

/// `run`, keeping a contact record with the op (a new wish's phone).
pub fn run_with(
    app: AppState,
    kind: OpKind,
    contact: Option<ContactRecord>,
    status: RwSignal<Said>,
    done: impl FnOnce() + 'static,
) {
    run_all(app, vec![kind], contact, status, done)
}

/// Several ops that belong together, written in one transaction
/// (`AppState::dispatch_all`); `done` runs when all were applied, else the
/// first void is reported.
pub fn run_all(
    app: AppState,
    kinds: Vec<OpKind>,
    contact: Option<ContactRecord>,
    status: RwSignal<Said>,
    done: impl FnOnce() + 'static,
) {
    run_boxed(
        app,
        kinds,
        contact,
        Vec::new(),
        Vec::new(),
        status,
        Box::new(done),
    )
}

/// `run_all` for ops that come with photos (`attach_photos`), kept in the
/// photo outbox in the same transaction. When the device is full the
/// status says the photos were not saved; the form keeps what was typed.
pub fn run_photos(
    app: AppState,
    kinds: Vec<OpKind>,
    contact: Option<ContactRecord>,
    photos: Vec<crate::state::LocalPhoto>,
    status: RwSignal<Said>,
    done: Box<dyn FnOnce()>,
) {
    run_boxed(app, kinds, contact, Vec::new(), photos, status, done)
}

/// `run_all` for ops that come with care records (a household's details, a
/// visit's note), kept in the care outbox in the same transaction; no ops
/// at all saves only the records.
pub fn run_care(
    app: AppState,
    kinds: Vec<OpKind>,
    care: Vec<linli_core::care::CareItem>,
    status: RwSignal<Said>,
    done: Box<dyn FnOnce()>,
) {
    run_boxed(app, kinds, None, care, Vec::new(), status, done)
}

// Not generic: one copy of the dispatch future, not one per `done`.
fn run_boxed(
    app: AppState,
    kinds: Vec<OpKind>,
    contact: Option<ContactRecord>,
    care: Vec<linli_core::care::CareItem>,
    photos: Vec<crate::state::LocalPhoto>,
    status: RwSignal<Said>,
    done: Box<dyn FnOnce()>,
) {
    if let Some(e) = kinds
        .iter()
        .find_map(|k| linli_core::validate::kind(k).err())
    {
        status.set(Said::invalid(e));
        return;
    }
    status.set(Said::Busy(k::UI_SAVING));
    let with_photos = !photos.is_empty();
    spawn_local(async move {
        match app.dispatch_full(kinds, contact, care, photos).await {
            Ok(outcomes) => match outcomes.iter().find_map(|(_, o)| match *o {
                Outcome::Void(reason) => Some(reason),
                Outcome::Applied | Outcome::Duplicate => None,
            }) {
                Some(reason) => status.set(Said::void(reason)),
                None => {
                    status.set(Said::Saved(
                        outcomes.into_iter().map(|(id, _)| id).collect(),
                    ));
                    done();
                }
            },
            Err(e) if with_photos && e.is_quota() => {
                status.set(Said::failed(crate::status::Text::key(k::PHOTOS_QUOTA)))
            }
            Err(e) => status.set(e.status()),
        }
    });
}

/// The page heading, then: loading, a store failure, "not joined", "waiting
/// for the community's data", or the page.
#[component]
pub fn Gate(
    title: Key,
    empty: Key,
    children: ChildrenFn,
    /// The page writes its own `<h1>` once it shows (a wish's title).
    #[prop(optional)]
    own_heading: bool,
    /// Shown while the state loads instead of "loading" (a page painted
    /// from what the device kept: the wishes page).
    #[prop(optional, into)]
    early: Option<ViewFn>,
) -> impl IntoView {
    let app = use_app();
    let i18n = use_i18n();
    // A memo, so the page below is built once, not again on every change
    // of the replica (that would reset forms and filters).
    let state = Memo::new(move |_| {
        let load = app.load.get();
        let joined = app.session.with(Option::is_some);
        let known = joined && me(app).is_some();
        (load, joined, known)
    });
    let state = move || state.get();
    let ready = move || matches!(state(), (Load::Ready, true, true));
    view! {
        <Show when=move || !(own_heading && ready())>
            <h1>{tr(title)}</h1>
        </Show>
        {move || match state() {
            (Load::Loading, _, _) => match &early {
                Some(early) => early.run(),
                None => loading().into_any(),
            },
            (Load::Failed(e), _, _) => {
                let text = e.text();
                view! { <p class="empty error" role="alert">{move || text.render(i18n)}</p> }.into_any()
            }
            (Load::Ready, false, _) => view! { <p class="empty">{tr(empty)}</p> }.into_any(),
            (Load::Ready, true, false) => {
                view! { <p class="empty" role="status">{tr(k::UI_NOT_MEMBER)}</p> }.into_any()
            }
            (Load::Ready, true, true) => children().into_any(),
        }}
    }
}

/// "Loading", while the state is read.
pub fn loading() -> impl IntoView {
    view! { <p class="empty" role="status">{tr(k::UI_LOADING)}</p> }
}

/// A status chip.
#[component]
pub fn StatusChip(status: Status) -> impl IntoView {
    let i18n = use_i18n();
    view! {
        <span class=format!("chip status-{}", status.code())>
            {move || status_label(i18n, status)}
        </span>
    }
}

/// One wish in a list: title (link to its page), status, category,
/// urgency, place, filing time, and an optional highlight.
#[component]
pub fn WishItem(
    wish: Wish,
    #[prop(optional)] overdue: bool,
    #[prop(optional)] lapsing: bool,
    #[prop(optional)] pending: bool,
    /// Extra lines inside the item (quick actions, lease time).
    #[prop(optional)]
    children: Option<Children>,
) -> impl IntoView {
    let i18n = use_i18n();
    let href = format!("/wishes/{}", wish.id);
    let cat = wish.category.code();
    let urg = wish.urgency.code();
    let urgent = matches!(
        wish.urgency,
        linli_core::model::Urgency::High | linli_core::model::Urgency::Urgent
    );
    let place_of = wish.place.clone();
    let place = move || place_text(i18n, &place_of);
    let at = when(wish.created_at);
    let city = wish.clone();
    view! {
        <li class="wish-item" class:overdue=overdue>
            <div class="wish-item-head">
                <A href=href attr:class="wish-title">{wish.title.clone()}</A>
                <StatusChip status=wish.status />
            </div>
            <p class="wish-meta">
                <span class="chip">{move || label(i18n, "category", cat)}</span>
                <span class="chip" class:urgent=urgent>{move || label(i18n, "urgency", urg)}</span>
                <super::CityChip wish=city />
                {overdue.then(|| view! { <span class="chip warn">{tr(k::BOARD_OVERDUE)}</span> })}
                {lapsing.then(|| view! { <span class="chip urgent">{tr(k::BOARD_LAPSING)}</span> })}
                {pending.then(|| view! { <span class="chip pending">{tr(k::UI_PENDING)}</span> })}
            </p>
            <p class="wish-place">{place}" · "<time>{at}</time></p>
            {children.map(|c| c())}
        </li>
    }
}

/// "Show more (n left)" under a list of `total` rows showing `shown`.
#[component]
pub fn More(shown: RwSignal<usize>, total: Signal<usize>) -> impl IntoView {
    let i18n = use_i18n();
    view! {
        <Show when=move || { total.get() > shown.get() }>
            <button
                class="secondary more"
                on:click=move |_| shown.update(|n| *n += PAGE)
            >
                {move || fill(
                    i18n.t(k::UI_SHOW_MORE),
                    &[("n", &(total.get().saturating_sub(shown.get())).to_string())],
                )}
            </button>
        </Show>
    }
}

/// Wishes touched by this device's not-yet-synced ops.
pub fn pending_wishes(app: AppState) -> std::collections::BTreeSet<linli_core::WishId> {
    app.replica.with(|r| {
        linli_core::lean::set(r.pending().iter().filter_map(|op| op.kind.wish().cloned()))
    })
}

/// The wall clock, moving once a minute while the calling component lives
/// (so "2 h left" and "overdue" stay true on a screen left open). Readers
/// `track()` it and read `now_ms()`, so a re-render for another reason is
/// exact too.
pub fn ticking_now() -> Signal<u64> {
    let now = RwSignal::new(now_ms());
    if let Ok(handle) = leptos::leptos_dom::helpers::set_interval_with_handle(
        move || now.set(now_ms()),
        std::time::Duration::from_secs(60),
    ) {
        on_cleanup(move || handle.clear());
    }
    now.into()
}

/// What a page reads from the store or the endpoint, as `LocalResource`
/// did: `None` until the first read ends; read again when a signal that
/// `fetch` reads (before its future) changes, or on `refetch`; the newest
/// read wins. An effect and a signal instead of an async derived, whose
/// machinery was compiled once per value type (≈ 3 KB of wasm each).
pub struct Reader<T: 'static> {
    value: RwSignal<Option<T>, LocalStorage>,
    again: Trigger,
}

impl<T> Clone for Reader<T> {
    fn clone(&self) -> Self {
        *self
    }
}

impl<T> Copy for Reader<T> {}

impl<T: Clone + 'static> Reader<T> {
    pub fn new<Fut: Future<Output = T> + 'static>(fetch: impl Fn() -> Fut + 'static) -> Reader<T> {
        let value = RwSignal::new_local(None);
        let again = Trigger::new();
        let newest = std::rc::Rc::new(std::cell::Cell::new(0u64));
        Effect::new(move |_| {
            again.track();
            let read = fetch();
            let n = newest.get() + 1;
            newest.set(n);
            let newest = newest.clone();
            spawn_local(async move {
                let v = read.await;
                if newest.get() == n {
                    value.set(Some(v));
                }
            });
        });
        Reader { value, again }
    }

    /// The last value read (tracked).
    pub fn get(&self) -> Option<T> {
        self.value.get()
    }

    /// Reads again.
    pub fn refetch(&self) {
        self.again.notify();
    }
}
