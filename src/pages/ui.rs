//! Small pieces the workflow pages share: labels for core codes, times,
//! the "who may do what here" question, the joined/loading gate, a
//! dispatch-and-report helper, wish list items and a "show more" pager.
//! Everything that decides a rule calls linli-core; this only words it.
use leptos::prelude::*;
use leptos::task::spawn_local;
use leptos_router::components::A;
use linli_core::lifecycle::{self, Step};
use linli_core::model::{Assignee, Member, Rating, Status, Wish};
use linli_core::{Action, MemberId, OpKind, Outcome, State};
use wasm_bindgen::JsValue;

use crate::i18n::{I18n, Key, fill, k, key_by_name, tr, use_i18n};
use crate::state::{AppState, Load, use_app};

/// Rows shown at once in a list; "show more" adds as many again.
pub const PAGE: usize = 50;

/// The text of `<prefix>.<code>` in the current locale, or the code itself.
pub fn label(i18n: I18n, prefix: &str, code: &str) -> String {
    key_by_name(&format!("{prefix}.{code}"))
        .map(|key| i18n.t(key).to_owned())
        .unwrap_or_else(|| code.to_owned())
}

/// The text of a key given by name (error codes), or the name itself.
pub fn text_of(i18n: I18n, name: &str) -> String {
    key_by_name(name)
        .map(|key| i18n.t(key).to_owned())
        .unwrap_or_else(|| name.to_owned())
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

/// Local date and time, "2026-03-05 14:07".
pub fn when(ms: u64) -> String {
    let d = js_sys::Date::new(&JsValue::from_f64(ms as f64));
    format!(
        "{:04}-{:02}-{:02} {:02}:{:02}",
        d.get_full_year(),
        d.get_month() + 1,
        d.get_date(),
        d.get_hours(),
        d.get_minutes()
    )
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

/// Epoch ms of a `datetime-local` value (local time), if it parses.
pub fn parse_local(value: &str) -> Option<u64> {
    if value.is_empty() {
        return None;
    }
    let t = js_sys::Date::new(&JsValue::from_str(value)).get_time();
    (t.is_finite() && t > 0.0).then_some(t as u64)
}

/// The current member of this device, if joined and known to the log.
pub fn me(app: AppState) -> Option<Member> {
    let id = app.session.with(|s| s.as_ref().map(|s| s.member.clone()))?;
    app.replica.with(|r| r.view().members.get(&id).cloned())
}

/// The lifecycle step an action takes (evaluate: either verdict).
fn step_of(action: Action) -> Option<Step> {
    Some(match action {
        Action::Publish => Step::Publish,
        Action::Assign => Step::Assign,
        Action::Claim => Step::Claim,
        Action::PartnerClaim => Step::PartnerClaim,
        Action::Release => Step::Release,
        Action::Start => Step::Start,
        Action::Note => Step::Note,
        Action::Complete => Step::Complete,
        Action::Evaluate => Step::Accept,
        Action::Reopen => Step::Reopen,
        Action::Reject => Step::Reject,
        Action::Merge => Step::Merge,
        Action::Escalate => Step::Escalate,
        Action::Cancel => Step::Cancel,
        _ => return None,
    })
}

/// The actions shown on a wish for `me`: allowed by the matrix and by the
/// lifecycle from the wish's current status.
pub fn available(state: &State, me: &Member, w: &Wish) -> Vec<Action> {
    const ORDER: [Action; 14] = [
        Action::Claim,
        Action::PartnerClaim,
        Action::Start,
        Action::Complete,
        Action::Evaluate,
        Action::Publish,
        Action::Assign,
        Action::Merge,
        Action::Reject,
        Action::Escalate,
        Action::Reopen,
        Action::Note,
        Action::Release,
        Action::Cancel,
    ];
    ORDER
        .into_iter()
        .filter(|a| {
            step_of(*a).is_some_and(|s| lifecycle::next(w.status, s).is_some())
                && state.allows(me, *a, w)
        })
        .collect()
}

pub fn rating_label(i18n: I18n, r: Rating) -> String {
    label(i18n, "rating", r.code())
}

/// What happened to the last thing the user asked for, as key names (so
/// the text follows a language switch).
#[derive(Clone, Debug, PartialEq)]
pub enum Msg {
    None,
    Busy,
    Ok(Key),
    /// A key name: `validation.<code>`, `void.<code>`, `store.error.<code>`…
    Err(String),
}

impl Msg {
    pub fn text(&self, i18n: I18n) -> String {
        match self {
            Msg::None => String::new(),
            Msg::Busy => i18n.t(k::UI_SAVING).to_owned(),
            Msg::Ok(key) => i18n.t(*key).to_owned(),
            Msg::Err(name) => text_of(i18n, name),
        }
    }
    pub fn is_err(&self) -> bool {
        matches!(self, Msg::Err(_))
    }
    /// The validation code, when the error is one (to mark the field).
    pub fn validation_code(&self) -> Option<&str> {
        match self {
            Msg::Err(name) => name.strip_prefix("validation."),
            _ => None,
        }
    }
}

/// Dispatches `kind`; reports the result in `msg` and calls `done` when the
/// op was applied (a void op is durable too, but the user is told why it had
/// no effect).
pub fn run(app: AppState, kind: OpKind, msg: RwSignal<Msg>, done: impl FnOnce() + 'static) {
    run_with(app, kind, None, msg, done)
}

/// `run`, keeping a contact record with the op (a new wish's phone).
pub fn run_with(
    app: AppState,
    kind: OpKind,
    contact: Option<linli_core::private::ContactRecord>,
    msg: RwSignal<Msg>,
    done: impl FnOnce() + 'static,
) {
    if let Err(e) = linli_core::validate::kind(&kind) {
        msg.set(Msg::Err(format!("validation.{}", e.code())));
        return;
    }
    msg.set(Msg::Busy);
    spawn_local(async move {
        match app.dispatch_with(kind, contact).await {
            Ok(Outcome::Applied | Outcome::Duplicate) => {
                msg.set(Msg::Ok(k::UI_SAVED_LOCAL));
                done();
            }
            Ok(Outcome::Void(reason)) => msg.set(Msg::Err(format!("void.{}", reason.code()))),
            Err(e) => msg.set(Msg::Err(e.key_name())),
        }
    });
}

/// A live status line for `msg`.
#[component]
pub fn StatusLine(msg: RwSignal<Msg>, #[prop(optional)] id: &'static str) -> impl IntoView {
    let i18n = use_i18n();
    view! {
        <p
            id=id
            class="status-msg"
            class:error=move || msg.with(Msg::is_err)
            role="status"
            aria-live="polite"
        >
            {move || msg.with(|m| m.text(i18n))}
        </p>
    }
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
            (Load::Loading, _, _) => {
                view! { <p class="empty" role="status">{tr(k::UI_LOADING)}</p> }.into_any()
            }
            (Load::Failed(e), _, _) => {
                view! {
                    <p class="empty error" role="alert">
                        {move || text_of(i18n, &format!("store.error.{}", e.code()))}
                    </p>
                }
                    .into_any()
            }
            (Load::Ready, false, _) => view! { <p class="empty">{tr(empty)}</p> }.into_any(),
            (Load::Ready, true, false) => {
                view! { <p class="empty" role="status">{tr(k::UI_NOT_MEMBER)}</p> }.into_any()
            }
            (Load::Ready, true, true) => children().into_any(),
        }}
    }
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
    view! {
        <li class="wish-item" class:overdue=overdue>
            <div class="wish-item-head">
                <A href=href attr:class="wish-title">{wish.title.clone()}</A>
                <StatusChip status=wish.status />
            </div>
            <p class="wish-meta">
                <span class="chip">{move || label(i18n, "category", cat)}</span>
                <span class="chip" class:urgent=urgent>{move || label(i18n, "urgency", urg)}</span>
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
        r.pending()
            .iter()
            .filter_map(|op| op.kind.wish().cloned())
            .collect()
    })
}

/// A fresh id from the browser's CSPRNG: `prefix` + "-" + 16 hex digits
/// ("w" wishes, "r" resources, "t" teams, "u" partner units).
pub fn new_id(prefix: &str) -> String {
    let mut bytes = [0u8; 8];
    let ok = web_sys::window()
        .and_then(|w| w.crypto().ok())
        .is_some_and(|c| c.get_random_values_with_u8_array(&mut bytes).is_ok());
    if !ok {
        let seed = (js_sys::Date::now() as u64) ^ ((js_sys::Math::random() * 1e15) as u64);
        bytes = seed.to_le_bytes();
    }
    let hex: String = bytes.iter().map(|b| format!("{b:02x}")).collect();
    format!("{prefix}-{hex}")
}

pub fn now_ms() -> u64 {
    js_sys::Date::now() as u64
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

/// The options of a month picker: each month, then "all" (value "").
#[component]
pub fn MonthOptions(months: Memo<Vec<String>>, month: RwSignal<String>, all: Key) -> impl IntoView {
    view! {
        {move || {
            months
                .get()
                .into_iter()
                .map(|m| {
                    let (s, v) = (m.clone(), m.clone());
                    view! { <option value=v selected=move || month.get_untracked() == s>{m}</option> }
                })
                .collect_view()
        }}
        <option value="">{tr(all)}</option>
    }
}
