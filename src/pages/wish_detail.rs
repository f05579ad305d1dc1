//! One wish: everything about it, its full timeline (void ops included,
//! with the reason in words), and the actions the member is offered — the
//! rows of `linli_core::actions::TABLE` that `actions::available` returns,
//! each with the form its `Needs` describe.
use leptos::prelude::*;
use leptos_router::components::A;
use leptos_router::hooks::use_params_map;
use linli_core::actions::{self, Choice, Input, WishAction};
use linli_core::model::{Level, Rating, Status, Wish};
use linli_core::{Action, OpId, OpKind, WishId, rules, validate};

use super::ui::{
    Gate, Reader, StatusChip, holder_name, label, me, member_name, now_ms, place_text,
    rating_label, run, span, ticking_now, when,
};
use crate::components::form::{
    Bind, Form, Options, Radios, Select, TextArea, TextInput, coded_options,
};
use crate::i18n::{I18n, Key, fill, k, key_by_name, tr, use_i18n};
use crate::state::{AppState, use_app};
use crate::status::{Status as Said, StatusLine, Text};

#[component]
pub fn WishDetail() -> impl IntoView {
    view! {
        <Gate title=k::WISH_DETAIL_INFO empty=k::WISHES_EMPTY own_heading=true>
            <DetailBody />
        </Gate>
    }
}

#[component]
fn DetailBody() -> impl IntoView {
    let app = use_app();
    let params = use_params_map();
    let id = Memo::new(move |_| WishId::from(params.with(|p| p.get("id").unwrap_or_default())));
    let wish = Memo::new(move |_| {
        let id = id.get();
        app.replica.with(|r| r.view().wishes.get(&id).cloned())
    });
    view! {
        <p class="back"><A href="/wishes">{tr(k::WISH_DETAIL_BACK)}</A></p>
        {move || match wish.get() {
            None => {
                view! {
                    <h1>{tr(k::WISH_DETAIL_INFO)}</h1>
                    <p class="empty">{tr(k::WISH_DETAIL_NOT_FOUND)}</p>
                }
                    .into_any()
            }
            Some(w) => view! { <Facts wish=w /> }.into_any(),
        }}
        <Show when=move || wish.with(Option::is_some)>
            <Contact wish=id />
            <super::photos::WishPhotos wish=wish />
            <super::Slip wish=wish />
            <Actions wish=wish />
            <Resources wish=wish />
            <Timeline wish=wish />
        </Show>
    }
}

/// One row of the facts list.
fn fact(key: Key, value: impl IntoView + 'static) -> AnyView {
    view! {
        <div class="fact">
            <dt>{tr(key)}</dt>
            <dd>{value}</dd>
        </div>
    }
    .into_any()
}

/// A member's name, kept current (a rename shows at once).
fn name_of(app: AppState, i18n: I18n, id: linli_core::MemberId) -> impl Fn() -> String {
    move || app.replica.with(|r| member_name(i18n, r.view(), &id))
}

/// Who filed it: a member's name, or a street filing's signature.
fn filer_of(app: AppState, i18n: I18n, w: Wish) -> impl Fn() -> String {
    move || {
        app.replica.with(|r| {
            linli_core::open311::filer(&w, r.view())
                .unwrap_or_else(|| i18n.t(k::UI_UNKNOWN_MEMBER).to_owned())
        })
    }
}

fn wish_link(id: &WishId) -> AnyView {
    let (href, text) = (format!("/wishes/{id}"), id.to_string());
    view! { <A href=href>{text}</A> }.into_any()
}

#[component]
fn Facts(wish: Wish) -> impl IntoView {
    let app = use_app();
    let i18n = use_i18n();
    let w = wish;
    let (cat, urg, ch) = (w.category.code(), w.urgency.code(), w.channel.code());
    let place = w.place.clone();
    let holder = w.holder.clone().map(|h| {
        fact(k::WISH_DETAIL_HOLDER, move || {
            app.replica.with(|r| holder_name(i18n, r.view(), &h))
        })
    });
    let answer = w
        .escalation
        .as_ref()
        .and_then(|e| e.answers.last().cloned())
        .map(|a| street_answer_fact(i18n, a));
    let escalation = w.escalation.clone().map(|e| {
        let level = e.level.code();
        fact(
            k::WISH_DETAIL_ESCALATION,
            view! { {move || label(i18n, "level", level)} ": " {e.note} },
        )
    });
    let duplicates = (!w.duplicates.is_empty()).then(|| {
        let links = w
            .duplicates
            .iter()
            .map(|d| view! { <span>{wish_link(d)}" "</span> });
        fact(k::WISH_DETAIL_DUPLICATES, links.collect_view())
    });
    view! {
        <div class="detail-head">
            <h1>{w.title.clone()}</h1>
            <StatusChip status=w.status />
        </div>
        {(!w.description.is_empty()).then(|| view! { <p class="description">{w.description.clone()}</p> })}
        <section class="card" aria-labelledby="facts-title">
            <h2 id="facts-title">{tr(k::WISH_DETAIL_INFO)}</h2>
            <dl class="facts">
                {fact(k::WISH_DETAIL_CATEGORY, move || label(i18n, "category", cat))}
                {fact(k::WISH_DETAIL_URGENCY, move || label(i18n, "urgency", urg))}
                {fact(k::WISH_DETAIL_PLACE, move || place_text(i18n, &place))}
                {w.window.map(|t| fact(k::WISH_DETAIL_WINDOW, format!("{} – {}", when(t.from), when(t.to))))}
                {fact(k::WISH_DETAIL_CHANNEL, move || label(i18n, "channel", ch))}
                {w.requester.clone().map(|r| fact(k::WISH_DETAIL_REQUESTER, name_of(app, i18n, r)))}
                {fact(k::WISH_DETAIL_FILED_BY, filer_of(app, i18n, w.clone()))}
                {fact(k::WISH_DETAIL_FILED_AT, when(w.created_at))}
                {holder}
                {w.lease.as_ref().map(|l| lease_fact(i18n, l.deadline))}
                {w.rejection.clone().map(|r| fact(k::WISH_DETAIL_REJECTION, r))}
                {w.merged_into.as_ref().map(|t| fact(k::WISH_DETAIL_MERGED_INTO, wish_link(t)))}
                {duplicates}
                {escalation}
                {answer}
                {completion_fact(app, i18n, &w)}
                {evaluations_fact(app, i18n, &w)}
                {(w.rework > 0).then(|| fact(k::WISH_DETAIL_REWORK, w.rework))}
            </dl>
        </section>
    }
}

/// The street's latest answer to an escalation (issue 19): who signed it,
/// the holder once accepted, the guidance or report, when.
fn street_answer_fact(i18n: I18n, a: linli_core::model::StreetAnswer) -> AnyView {
    use linli_core::model::AnswerKind;
    let key = match a.kind {
        AnswerKind::Accepted => k::STREET_ANSWER_ACCEPTED,
        AnswerKind::Returned => k::STREET_ANSWER_RETURNED,
        AnswerKind::Resolved => k::STREET_ANSWER_RESOLVED,
    };
    let (from, holder, at) = (a.from, a.holder, when(a.at));
    let head = move || fill(i18n.t(key), &[("from", &from), ("holder", &holder)]);
    let text = (!a.text.is_empty()).then(|| view! { <br /> {a.text} });
    fact(
        k::STREET_ANSWER,
        view! { <span data-testid="street-answer">{head} " · " <time>{at}</time>{text}</span> },
    )
}

/// The lease: time left, or overdue, kept current by the minute.
fn lease_fact(i18n: I18n, deadline: u64) -> AnyView {
    let clock = ticking_now();
    let due = when(deadline);
    let overdue = move || {
        clock.track();
        deadline < now_ms()
    };
    let text = move || {
        clock.track();
        let now = now_ms();
        if deadline < now {
            fill(i18n.t(k::WISH_DETAIL_LEASE_OVERDUE), &[("when", &due)])
        } else {
            let left = span(i18n, deadline - now);
            fill(
                i18n.t(k::WISH_DETAIL_LEASE_LEFT),
                &[("left", &left), ("when", &due)],
            )
        }
    };
    fact(
        k::WISH_DETAIL_LEASE,
        view! { <span class:overdue-text=overdue>{text}</span> },
    )
}

/// The standing report only: after rework the old one is in the timeline.
fn completion_fact(app: AppState, i18n: I18n, w: &Wish) -> Option<AnyView> {
    let standing = matches!(w.status, Status::Completed | Status::Closed);
    let c = w.completion.clone().filter(|_| standing)?;
    let at = when(c.at);
    let by = name_of(app, i18n, c.by.clone());
    let text = move || {
        let args = [
            ("by", by()),
            ("when", at.clone()),
            ("minutes", c.minutes.to_string()),
            ("report", c.report.clone()),
        ];
        let args: Vec<(&str, &str)> = args.iter().map(|(n, v)| (*n, v.as_str())).collect();
        fill(i18n.t(k::WISH_DETAIL_COMPLETION_TEXT), &args)
    };
    Some(fact(k::WISH_DETAIL_COMPLETION, text))
}

fn evaluations_fact(app: AppState, i18n: I18n, w: &Wish) -> Option<AnyView> {
    let items = w.evaluations.iter().map(|e| {
        let (rating, comment) = (e.rating, e.comment.clone());
        view! {
            <li>
                <strong>{move || rating_label(i18n, rating)}</strong>
                " · " {name_of(app, i18n, e.by.clone())} " · " {when(e.at)}
                {(!comment.is_empty()).then(|| view! { <br /> {comment.clone()} })}
            </li>
        }
    });
    let list = items.collect_view();
    (!w.evaluations.is_empty()).then(|| {
        fact(
            k::WISH_DETAIL_EVALUATIONS,
            view! { <ul class="plain">{list}</ul> },
        )
    })
}

/// The actions `actions::available` offers this member: a press makes the
/// op at once when it needs nothing, else opens its form.
#[component]
fn Actions(wish: Memo<Option<Wish>>) -> impl IntoView {
    let app = use_app();
    let i18n = use_i18n();
    let status = RwSignal::new(Said::Idle);
    let open = RwSignal::new(None::<Action>);
    let offered = Memo::new(move |_| {
        let (w, m) = (wish.get()?, me(app)?);
        let list = app
            .replica
            .with(|r| actions::available(r.view(), &m, &w, now_ms()));
        Some(list.into_iter().map(|a| a.action).collect::<Vec<_>>())
    });
    let press = move |a: &'static WishAction| {
        let Some((w, m)) = wish.get_untracked().zip(me(app)) else {
            return;
        };
        if !a.needs.nothing() {
            status.set(Said::Idle);
            open.update(|o| *o = (*o != Some(a.action)).then_some(a.action));
            return;
        }
        open.set(None);
        match a.op(w.id, &Input::for_member(&m)) {
            Ok(kind) => run(app, kind, status, || {}),
            Err(e) => status.set(Said::invalid(e)),
        }
    };
    let button = move |a: &'static WishAction| {
        let expanded = (!a.needs.nothing()).then_some(move || open.get() == Some(a.action));
        let code = a.action.code();
        view! {
            <button
                type="button"
                class:secondary=a.quiet
                aria-expanded=move || expanded.map(|e| if e() { "true" } else { "false" })
                on:click=move |_| press(a)
            >
                {move || label(i18n, "action", code)}
            </button>
        }
    };
    view! {
        <section class="card actions" aria-labelledby="actions-title">
            <h2 id="actions-title">{tr(k::WISH_DETAIL_ACTIONS)}</h2>
            {move || match offered.get() {
                Some(list) if !list.is_empty() => {
                    let buttons = list.into_iter().filter_map(actions::entry_of).map(button);
                    view! { <div class="action-buttons">{buttons.collect_view()}</div> }.into_any()
                }
                Some(_) | None => view! { <p class="hint">{tr(k::WISH_DETAIL_NO_ACTIONS)}</p> }.into_any(),
            }}
            {move || {
                open.get()
                    .and_then(actions::entry_of)
                    .map(|a| view! { <ActionForm action=a wish=wish status=status open=open /> })
            }}
            <StatusLine status=status />
        </section>
    }
}

/// The choices of a form (`rules::assignees`, `rules::merge_targets`), as
/// (key, words) options.
fn choice_options(app: AppState, i18n: I18n, wish: &Wish, choice: Choice) -> Vec<(String, String)> {
    app.replica.with_untracked(|r| {
        let s = r.view();
        match choice {
            Choice::Assignee => rules::assignees(s, wish)
                .into_iter()
                .map(|a| {
                    let words = match &a {
                        linli_core::model::Assignee::Member(m) => s.members.get(m).map_or_else(
                            || m.to_string(),
                            |m| i18n.with_role(&m.name, &label(i18n, "role", m.role.code())),
                        ),
                        other => holder_name(i18n, s, other),
                    };
                    (a.key(), words)
                })
                .collect(),
            Choice::MergeInto => rules::merge_targets(s, wish)
                .into_iter()
                .take(100)
                .map(|o| {
                    let words = format!(
                        "{} · {} · {}",
                        o.title,
                        place_text(i18n, &o.place),
                        when(o.created_at)
                    );
                    (o.id.to_string(), words)
                })
                .collect(),
        }
    })
}

/// The key of a text field's label: `form.<text>`, or `form.<text>_optional`.
fn text_key(t: actions::TextField) -> String {
    let suffix = if t.required { "" } else { "_optional" };
    format!("form.{}{suffix}", t.text.code())
}

/// The label of a text field (every one exists: `every_wish_action_has_its_words`).
fn text_label(t: actions::TextField) -> Key {
    key_by_name(&text_key(t)).unwrap_or(k::FORM_NOTE)
}

/// The form of one action: exactly the fields its `Needs` list.
#[component]
fn ActionForm(
    action: &'static WishAction,
    wish: Memo<Option<Wish>>,
    status: RwSignal<Said>,
    open: RwSignal<Option<Action>>,
) -> impl IntoView {
    let app = use_app();
    let i18n = use_i18n();
    let needs = action.needs;
    let (choice, text, minutes) = (
        RwSignal::new(String::new()),
        RwSignal::new(String::new()),
        RwSignal::new(String::from("60")),
    );
    let (level, rating) = (
        RwSignal::new(Level::Street),
        RwSignal::new(Rating::Satisfied),
    );
    let list = needs
        .choice
        .zip(wish.get_untracked())
        .map(|(c, w)| choice_options(app, i18n, &w, c))
        .unwrap_or_default();
    if let Some((first, _)) = list.first() {
        choice.set(first.clone());
    }
    let options: Options = Signal::derive(move || list.clone());
    // The completion report may carry photos (`attach_photos`, after it).
    let with_photos = action.action == Action::Complete;
    let picked = RwSignal::new(Vec::<super::photos::Picked>::new());
    let submit = move || {
        let (Some(w), Some(m)) = (wish.get_untracked(), me(app)) else {
            return;
        };
        let input = Input {
            choice: choice.get_untracked(),
            level: level.get_untracked(),
            rating: rating.get_untracked(),
            minutes: minutes.get_untracked().trim().parse().ok(),
            text: text.get_untracked(),
            ..Input::for_member(&m)
        };
        let attached = picked.with_untracked(|p| {
            super::photos::attach(&w.id, linli_core::photos::Stage::Completion, p)
        });
        match (action.op(w.id, &input), attached) {
            (Ok(kind), Some((op, photos))) if with_photos => {
                let done = move || {
                    super::photos::clear(picked);
                    open.set(None);
                };
                super::ui::run_photos(app, vec![kind, op], None, photos, status, Box::new(done))
            }
            (Ok(kind), _) => run(app, kind, status, move || open.set(None)),
            (Err(e), _) => status.set(Said::invalid(e)),
        }
    };
    let name = move || label(i18n, "action", action.action.code());
    let text_codes: &'static [&'static str] = &[
        "note_required",
        "reason_required",
        "report_required",
        "text_too_long",
    ];
    let range = validate::MINUTES_RANGE;
    let (levels, ratings) = (
        coded_options::<Level>("level"),
        coded_options::<Rating>("rating"),
    );
    view! {
        <Form status=status on_submit=submit bring_into_view=true attr:class="action-form" attr:aria-label=name>
            {needs.choice.map(|c| {
                let key = if c == Choice::Assignee { k::FORM_TARGET_ASSIGNEE } else { k::FORM_TARGET_MERGE_INTO };
                view! { <Select id="action-choice" label=key value=choice options=options codes=&["id_empty"] required=true /> }
            })}
            {needs.level.then(|| view! { <Select id="action-level" label=k::FORM_LEVEL value=Bind::coded(level) options=levels /> })}
            {needs.rating.then(|| view! { <Radios name="rating" legend=k::FORM_RATING value=Bind::coded(rating) options=ratings /> })}
            {needs.minutes.then(|| view! {
                <TextInput id="action-minutes" label=k::FORM_MINUTES value=minutes kind="number" min=*range.start() max=*range.end() codes=&["minutes_out_of_range"] required=true />
            })}
            {needs.text.map(|t| view! { <TextArea id="action-text" label=text_label(t) value=text codes=text_codes required=t.required /> })}
            {with_photos.then(|| view! { <super::photos::PhotoPicker id="action-photos" picked=picked stage=linli_core::photos::Stage::Completion /> })}
            <div class="form-row">
                <button type="submit" disabled=move || status.with(Said::is_busy)>{name}</button>
                <button type="button" class="secondary" on:click=move |_| open.set(None)>{tr(k::UI_CLOSE)}</button>
            </div>
        </Form>
    }
}

/// One partner resource that fits the wish (`views::match_resources`).
#[derive(Clone, PartialEq)]
struct Fitting {
    id: linli_core::ResourceId,
    title: String,
    unit: String,
    capacity: u32,
    fits: Vec<&'static str>,
    /// This member's unit may claim the wish with it.
    own: bool,
}

/// Partner resources that fit this wish, for those who keep resource lists
/// (`permissions::manages_resources`) while the wish waits for someone; a
/// partner may claim it with one of its own unit's resources.
#[component]
fn Resources(wish: Memo<Option<Wish>>) -> impl IntoView {
    let app = use_app();
    let status = RwSignal::new(Said::Idle);
    let rows = Memo::new(move |_| -> Vec<Fitting> {
        let (Some(w), Some(m)) = (wish.get(), me(app)) else {
            return Vec::new();
        };
        if !linli_core::permissions::manages_resources(m.role)
            || w.status.is_terminal()
            || w.status.is_held()
        {
            return Vec::new();
        }
        app.replica.with(|r| {
            let s = r.view();
            let may_claim = actions::may(s, &m, &w, Action::PartnerClaim, now_ms());
            let matches = linli_core::views::match_resources(s, &w.id)
                .into_iter()
                .take(5);
            matches
                .map(|x| Fitting {
                    id: x.resource.id.clone(),
                    title: x.resource.title.clone(),
                    unit: s
                        .partners
                        .get(&x.resource.partner)
                        .map_or_else(|| x.resource.partner.to_string(), |p| p.name.clone()),
                    capacity: x.resource.capacity,
                    fits: [
                        (x.category, "category"),
                        (x.general, "general"),
                        (x.time, "time"),
                        (x.place, "place"),
                    ]
                    .into_iter()
                    .filter_map(|(ok, c)| ok.then_some(c))
                    .collect(),
                    own: may_claim && m.partner.as_ref() == Some(&x.resource.partner),
                })
                .collect()
        })
    });
    view! {
        <Show when=move || rows.with(|r| !r.is_empty())>
            <section class="card" aria-labelledby="resources-title">
                <h2 id="resources-title">{tr(k::WISH_DETAIL_RESOURCES)}</h2>
                <ul class="plain">
                    {move || rows.get().into_iter().map(|f| view! { <FittingItem fitting=f wish=wish status=status /> }).collect_view()}
                </ul>
                <StatusLine status=status />
            </section>
        </Show>
    }
}

#[component]
fn FittingItem(
    fitting: Fitting,
    wish: Memo<Option<Wish>>,
    status: RwSignal<Said>,
) -> impl IntoView {
    let app = use_app();
    let i18n = use_i18n();
    let Fitting {
        id,
        title,
        unit,
        capacity,
        fits,
        own,
    } = fitting;
    let claim = move |_| {
        let (Some(w), Some(p)) = (wish.get_untracked(), me(app).and_then(|m| m.partner)) else {
            return;
        };
        let kind = OpKind::PartnerClaim {
            wish: w.id,
            partner: p,
            resource: Some(id.clone()),
        };
        run(app, kind, status, || {});
    };
    let claim_label = {
        let title = title.clone();
        move || i18n.about(&label(i18n, "action", Action::PartnerClaim.code()), &title)
    };
    view! {
        <li>
            <strong>{title}</strong>
            " · " {unit} " · "
            {move || fill(i18n.t(k::WISH_DETAIL_CAPACITY), &[("n", &capacity.to_string())])}
            " "
            {fits.into_iter().map(|f| view! { <span class="chip status-published">{move || label(i18n, "match", f)}</span> " " }).collect_view()}
            {own.then(move || view! {
                <div class="quick">
                    <button type="button" aria-label=claim_label on:click=claim>
                        {move || label(i18n, "action", Action::PartnerClaim.code())}
                    </button>
                </div>
            })}
        </li>
    }
}

/// The private contact record, when the endpoint handed it to this device
/// and the member may still see it (`private::may_see`); read again on every
/// change of the store, the newest read winning (`ui::Reader`).
#[component]
fn Contact(wish: Memo<WishId>) -> impl IntoView {
    let app = use_app();
    let record = Reader::new(move || {
        app.revision.track();
        let id = wish.get();
        async move { app.contact(id).await }
    });
    let visible = move || {
        let rec = record.get().flatten()?;
        let m = me(app)?;
        app.replica
            .with(|r| linli_core::private::may_see(r.view(), &m.id, &rec.wish))
            .then_some(rec)
    };
    // Entitled by an op still in the outbox (an offline claim): the endpoint
    // hands the record over only once the log has the claim, so say so.
    let waiting = move || {
        let m = me(app)?;
        let wish = wish.get();
        app.replica
            .with(|r| {
                linli_core::private::may_see(r.view(), &m.id, &wish)
                    && !linli_core::private::may_see(r.confirmed(), &m.id, &wish)
            })
            .then(|| {
                view! {
                    <section class="card" aria-labelledby="contact-title">
                        <h2 id="contact-title">{tr(k::WISH_DETAIL_CONTACT)}</h2>
                        <p class="hint" data-testid="contact-waiting">{tr(k::WISH_DETAIL_CONTACT_WAITING)}</p>
                    </section>
                }
            })
    };
    move || {
        let Some(c) = visible() else {
            return waiting().into_any();
        };
        let tel = format!("tel:{}", c.phone.replace(' ', ""));
        view! {
            <section class="card" aria-labelledby="contact-title">
                <h2 id="contact-title">{tr(k::WISH_DETAIL_CONTACT)}</h2>
                {(!c.name.is_empty()).then(|| view! { <p>{c.name.clone()}</p> })}
                {(!c.phone.is_empty()).then(|| view! { <p><a href=tel>{c.phone.clone()}</a></p> })}
                {(!c.email.is_empty()).then(|| { let mail = format!("mailto:{}", c.email); view! { <p><a href=mail>{c.email.clone()}</a></p> } })}
                {(!c.address.is_empty()).then(|| view! { <p>{c.address.clone()}</p> })}
                <p class="hint">{tr(k::WISH_DETAIL_CONTACT_HINT)}</p>
            </section>
        }
        .into_any()
    }
}

#[component]
fn Timeline(wish: Memo<Option<Wish>>) -> impl IntoView {
    let app = use_app();
    let i18n = use_i18n();
    // Devices by name: this one, and others a coordinator's device list
    // names; a device without a name is not shown (its id says nothing).
    let names = super::ui::Reader::new(move || async move { app.device_names().await });
    let this = app.device();
    let device_of = move |op: &OpId| -> Option<String> {
        if this.as_ref() == Some(&op.device) {
            return Some(String::new());
        }
        names.get().and_then(|n| n.get(&op.device).cloned())
    };
    let pending = Memo::new(move |_| {
        app.replica.with(|r| {
            r.pending()
                .iter()
                .map(|op| op.id.clone())
                .collect::<Vec<OpId>>()
        })
    });
    let entries = move || {
        let Some(w) = wish.get() else {
            return Vec::new();
        };
        let p = pending.get();
        app.replica.with(|r| {
            let s = r.view();
            // A street's answer is signed by the street ("西关街道 · 王主任"):
            // its author is a member of the street's log, not this one's.
            let who = |e: &linli_core::model::TimelineEntry| match linli_core::street::answer_of(
                &w, &e.op,
            ) {
                Some(a) if !a.holder.is_empty() => Some(fill(
                    i18n.t(k::STREET_TIMELINE_HOLDER),
                    &[("from", &a.from), ("holder", &a.holder)],
                )),
                Some(a) => Some(a.from.clone()),
                // A street's Open311 filing is signed as the street's answers.
                None if e.op == w.created_op && w.signature.is_some() => w.signature.clone(),
                None => e.by.as_ref().map(|m| member_name(i18n, s, m)),
            };
            w.timeline
                .iter()
                .map(|e| {
                    let photos =
                        linli_core::photos::stage_of_entry(&w, e).map(|s| (w.id.clone(), s));
                    (
                        e.clone(),
                        who(e),
                        p.contains(&e.op),
                        device_of(&e.op),
                        photos,
                    )
                })
                .collect::<Vec<_>>()
        })
    };
    view! {
        <section class="card" aria-labelledby="timeline-title">
            <h2 id="timeline-title">{tr(k::WISH_DETAIL_TIMELINE)}</h2>
            <ol class="timeline">
                {move || {
                    entries()
                        .into_iter()
                        .map(|(e, who, is_pending, device, photos)| view! { <TimelineItem entry=e who=who pending=is_pending device=device photos=photos /> })
                        .collect_view()
                }}
            </ol>
        </section>
    }
}

#[component]
fn TimelineItem(
    entry: linli_core::model::TimelineEntry,
    who: Option<String>,
    pending: bool,
    /// The device's name; "" for this device; none: not shown.
    device: Option<String>,
    /// The photos shown beside it (`photos::stage_of_entry`).
    photos: Option<(WishId, linli_core::photos::Stage)>,
) -> impl IntoView {
    let i18n = use_i18n();
    let step = entry.step.code();
    let void = entry.void.map(|v| {
        let reason = Text::code(&["void"], v.code(), k::SYNC_REASON_OTHER);
        let text = move || {
            fill(
                i18n.t(k::WISH_DETAIL_VOID),
                &[("reason", &reason.render(i18n))],
            )
        };
        view! { <p class="void-reason">{text}</p> }
    });
    view! {
        <li class:void=entry.void.is_some()>
            <p class="timeline-head">
                <time>{when(entry.at)}</time>
                " · "
                {who.unwrap_or_default()}
                " "
                <strong>{move || label(i18n, "step", step)}</strong>
                {pending.then(|| view! { " " <span class="chip pending">{tr(k::UI_PENDING)}</span> })}
            </p>
            {void}
            {(!entry.text.is_empty()).then(|| view! { <p class="timeline-text">{entry.text.clone()}</p> })}
            {photos.map(|(wish, stage)| view! { <super::photos::PhotoStrip wish=wish stage=stage /> })}
            {device.map(|d| {
                let text = move || {
                    if d.is_empty() {
                        i18n.t(k::WISH_DETAIL_THIS_DEVICE).to_owned()
                    } else {
                        fill(i18n.t(k::WISH_DETAIL_DEVICE), &[("device", &d)])
                    }
                };
                view! { <p class="hint device">{text}</p> }
            })}
        </li>
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Every row of the action table has its button's words and its text
    /// field's label, in every locale (build.rs keeps the locales equal).
    #[test]
    fn every_wish_action_has_its_words() {
        for a in actions::TABLE {
            let name = format!("action.{}", a.action.code());
            assert!(key_by_name(&name).is_some(), "{name}");
            if let Some(t) = a.needs.text {
                assert!(key_by_name(&text_key(t)).is_some(), "{}", text_key(t));
            }
        }
    }
}
