//! One wish: everything about it, its full timeline (void ops included,
//! with the reason in words), and the actions the member's role allows
//! from its current status.
use leptos::prelude::*;
use leptos_router::components::A;
use leptos_router::hooks::use_params_map;
use linli_core::model::{Assignee, Level, Rating, Status, Wish};
use linli_core::{Action, OpId, OpKind, WishId};

use super::ui::{
    Gate, Msg, StatusChip, StatusLine, available, holder_name, label, me, member_name, now_ms,
    place_text, rating_label, run, span, text_of, ticking_now, when,
};
use crate::i18n::{fill, k, tr, use_i18n};
use crate::state::use_app;

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
            <Actions wish=wish />
            <Resources wish=wish />
            <Timeline wish=wish />
        </Show>
    }
}

#[component]
fn Facts(wish: Wish) -> impl IntoView {
    let app = use_app();
    let i18n = use_i18n();
    let w = wish;
    let state = move |f: &dyn Fn(&linli_core::State) -> String| app.replica.with(|r| f(r.view()));
    let cat = w.category.code();
    let urg = w.urgency.code();
    let ch = w.channel.code();
    let place = w.place.clone();
    let window = w
        .window
        .map(|t| format!("{} – {}", when(t.from), when(t.to)));
    let requester = w.requester.clone();
    let created_by = w.created_by.clone();
    let holder = w.holder.clone();
    let lease = w.lease.clone();
    let row = |key, value: AnyView| {
        view! {
            <div class="fact">
                <dt>{tr(key)}</dt>
                <dd>{value}</dd>
            </div>
        }
    };
    let requester_row = requester.map(|r| {
        row(
            k::WISH_DETAIL_REQUESTER,
            view! { {move || state(&|s| member_name(i18n, s, &r))} }.into_any(),
        )
    });
    let holder_row = holder.map(|h| {
        row(
            k::WISH_DETAIL_HOLDER,
            view! { {move || state(&|s| holder_name(i18n, s, &h))} }.into_any(),
        )
    });
    let lease_row = lease.map(|l| {
        let clock = ticking_now();
        let due = when(l.deadline);
        let text = move || {
            clock.track();
            let now = now_ms();
            if l.deadline < now {
                fill(i18n.t(k::WISH_DETAIL_LEASE_OVERDUE), &[("when", &due)])
            } else {
                fill(
                    i18n.t(k::WISH_DETAIL_LEASE_LEFT),
                    &[("left", &span(i18n, l.deadline - now)), ("when", &due)],
                )
            }
        };
        row(
            k::WISH_DETAIL_LEASE,
            view! { <span class:overdue-text=move || {
                clock.track();
                l.deadline < now_ms()
            }>{text}</span> }
            .into_any(),
        )
    });
    // The standing report only: after rework the old one is in the timeline.
    let standing = matches!(w.status, Status::Completed | Status::Closed);
    let completion_row = w.completion.clone().filter(|_| standing).map(|c| {
        let at = when(c.at);
        row(
            k::WISH_DETAIL_COMPLETION,
            view! {
                {move || {
                    let by = state(&|s| member_name(i18n, s, &c.by));
                    fill(
                        i18n.t(k::WISH_DETAIL_COMPLETION_TEXT),
                        &[
                            ("by", &by),
                            ("when", &at),
                            ("minutes", &c.minutes.to_string()),
                            ("report", &c.report),
                        ],
                    )
                }}
            }
            .into_any(),
        )
    });
    let evaluations = (!w.evaluations.is_empty()).then(|| {
        let list = w
            .evaluations
            .iter()
            .map(|e| {
                let (rating, by, at, comment) =
                    (e.rating, e.by.clone(), when(e.at), e.comment.clone());
                view! {
                    <li>
                        <strong>{move || rating_label(i18n, rating)}</strong>
                        " · " {move || state(&|s| member_name(i18n, s, &by))} " · " {at}
                        {(!comment.is_empty()).then(|| view! { <br /> {comment.clone()} })}
                    </li>
                }
            })
            .collect_view();
        row(
            k::WISH_DETAIL_EVALUATIONS,
            view! { <ul class="plain">{list}</ul> }.into_any(),
        )
    });
    let link = |id: &WishId| {
        let href = format!("/wishes/{id}");
        let text = id.to_string();
        view! { <A href=href>{text}</A> }
    };
    view! {
        <div class="detail-head">
            <h1>{w.title.clone()}</h1>
            <StatusChip status=w.status />
        </div>
        {(!w.description.is_empty()).then(|| view! { <p class="description">{w.description.clone()}</p> })}
        <section class="card" aria-labelledby="facts-title">
            <h2 id="facts-title">{tr(k::WISH_DETAIL_INFO)}</h2>
            <dl class="facts">
                {row(k::WISH_DETAIL_CATEGORY, view! { {move || label(i18n, "category", cat)} }.into_any())}
                {row(k::WISH_DETAIL_URGENCY, view! { {move || label(i18n, "urgency", urg)} }.into_any())}
                {row(k::WISH_DETAIL_PLACE, view! { {move || place_text(i18n, &place)} }.into_any())}
                {window.map(|t| row(k::WISH_DETAIL_WINDOW, view! { {t} }.into_any()))}
                {row(k::WISH_DETAIL_CHANNEL, view! { {move || label(i18n, "channel", ch)} }.into_any())}
                {requester_row}
                {row(
                    k::WISH_DETAIL_FILED_BY,
                    view! { {move || state(&|s| member_name(i18n, s, &created_by))} }.into_any(),
                )}
                {row(k::WISH_DETAIL_FILED_AT, view! { {when(w.created_at)} }.into_any())}
                {holder_row}
                {lease_row}
                {w.rejection.clone().map(|r| row(k::WISH_DETAIL_REJECTION, view! { {r} }.into_any()))}
                {w.merged_into.as_ref().map(|t| row(k::WISH_DETAIL_MERGED_INTO, link(t).into_any()))}
                {(!w.duplicates.is_empty())
                    .then(|| {
                        let links = w.duplicates.iter().map(|d| view! { <span>{link(d)}" "</span> }).collect_view();
                        row(k::WISH_DETAIL_DUPLICATES, links.into_any())
                    })}
                {w.escalation.clone().map(|e| {
                    let level = e.level.code();
                    row(
                        k::WISH_DETAIL_ESCALATION,
                        view! { {move || label(i18n, "level", level)} ": " {e.note.clone()} }.into_any(),
                    )
                })}
                {completion_row}
                {evaluations}
                {(w.rework > 0).then(|| row(k::WISH_DETAIL_REWORK, view! { {w.rework} }.into_any()))}
            </dl>
        </section>
    }
}

#[component]
fn Actions(wish: Memo<Option<Wish>>) -> impl IntoView {
    let app = use_app();
    let i18n = use_i18n();
    let msg = RwSignal::new(Msg::None);
    let open = RwSignal::new(None::<Action>);
    // Re-read when the wish changes (status, holder).
    let actions = Memo::new(move |_| {
        let w = wish.get()?;
        let m = me(app)?;
        Some(app.replica.with(|r| {
            let s = r.view();
            let mut a = available(s, &m, &w);
            let overdue = w.lease.as_ref().is_some_and(|l| l.deadline < now_ms());
            if overdue && s.allows(&m, Action::ExpireLease, &w) {
                a.insert(0, Action::ExpireLease);
            }
            a
        }))
    });
    let wid = move || {
        wish.with(|w| w.as_ref().map(|w| w.id.clone()))
            .unwrap_or_default()
    };
    let click = move |a: Action| {
        let w = wid();
        let kind = match a {
            Action::Publish => Some(OpKind::Publish { wish: w }),
            Action::Claim => Some(OpKind::Claim { wish: w }),
            Action::Start => Some(OpKind::Start { wish: w }),
            Action::Release => Some(OpKind::Release { wish: w }),
            Action::ExpireLease => Some(OpKind::ExpireLease { wish: w }),
            Action::PartnerClaim => me(app)
                .and_then(|m| m.partner)
                .map(|p| OpKind::PartnerClaim {
                    wish: w,
                    partner: p,
                    resource: None,
                }),
            _ => None,
        };
        match kind {
            Some(kind) => {
                open.set(None);
                run(app, kind, msg, || {});
            }
            None => {
                msg.set(Msg::None);
                open.update(|o| *o = if *o == Some(a) { None } else { Some(a) });
            }
        }
    };
    view! {
        <section class="card actions" aria-labelledby="actions-title">
            <h2 id="actions-title">{tr(k::WISH_DETAIL_ACTIONS)}</h2>
            {move || match actions.get() {
                Some(list) if !list.is_empty() => {
                    view! {
                        <div class="action-buttons">
                            {list
                                .into_iter()
                                .map(|a| {
                                    let code = a.code();
                                    let opens = !matches!(
                                        a,
                                        Action::Publish | Action::Claim | Action::Start | Action::Release
                                            | Action::ExpireLease | Action::PartnerClaim
                                    );
                                    view! {
                                        <button
                                            type="button"
                                            class:secondary=matches!(a, Action::Cancel | Action::Reject | Action::Release)
                                            aria-expanded=move || {
                                                opens.then(|| if open.get() == Some(a) { "true" } else { "false" })
                                            }
                                            on:click=move |_| click(a)
                                        >
                                            {move || label(i18n, "action", code)}
                                        </button>
                                    }
                                })
                                .collect_view()}
                        </div>
                    }
                        .into_any()
                }
                _ => view! { <p class="hint">{tr(k::WISH_DETAIL_NO_ACTIONS)}</p> }.into_any(),
            }}
            {move || open.get().map(|a| view! { <ActionForm action=a wish=wish msg=msg open=open /> })}
            <StatusLine msg=msg />
        </section>
    }
}

/// The inputs one action needs, and its confirm button.
#[component]
fn ActionForm(
    action: Action,
    wish: Memo<Option<Wish>>,
    msg: RwSignal<Msg>,
    open: RwSignal<Option<Action>>,
) -> impl IntoView {
    let app = use_app();
    let i18n = use_i18n();
    let text = RwSignal::new(String::new());
    let minutes = RwSignal::new(String::from("60"));
    let choice = RwSignal::new(String::new());
    let rating = RwSignal::new(Rating::Satisfied);
    let level = RwSignal::new(Level::Street);
    let wid = move || {
        wish.with_untracked(|w| w.as_ref().map(|w| w.id.clone()))
            .unwrap_or_default()
    };

    let text_key = match action {
        Action::Reject | Action::Reopen => k::FORM_REASON,
        Action::Cancel => k::FORM_REASON_OPTIONAL,
        Action::Complete => k::FORM_REPORT,
        Action::Evaluate => k::FORM_COMMENT,
        _ => k::FORM_NOTE,
    };
    let needs_text = !matches!(action, Action::Assign | Action::Merge);
    let text_invalid = move || {
        msg.with(|m| {
            m.validation_code()
                .is_some_and(|c| c != "minutes_out_of_range")
        })
    };
    let minutes_invalid = move || msg.with(|m| m.validation_code() == Some("minutes_out_of_range"));

    // Options for assign (members who can take orders, teams, partner
    // units) and merge (other open wishes of the same category).
    let options: Vec<(String, String)> = app.replica.with_untracked(|r| {
        let s = r.view();
        let Some(w) = wish.get_untracked() else {
            return Vec::new();
        };
        match action {
            Action::Assign => linli_core::rules::assignees(s, &w)
                .into_iter()
                .map(|a| {
                    let (key, name) = match &a {
                        Assignee::Member(m) => (
                            format!("m:{m}"),
                            s.members.get(m).map_or_else(
                                || m.to_string(),
                                |m| format!("{}（{}）", m.name, label(i18n, "role", m.role.code())),
                            ),
                        ),
                        Assignee::Team(t) => (format!("t:{t}"), holder_name(i18n, s, &a)),
                        Assignee::Partner(p) => (format!("p:{p}"), holder_name(i18n, s, &a)),
                    };
                    (key, name)
                })
                .collect(),
            Action::Merge => linli_core::rules::merge_targets(s, &w)
                .into_iter()
                .take(100)
                .map(|o| {
                    (
                        o.id.0.clone(),
                        format!(
                            "{} · {} · {}",
                            o.title,
                            place_text(i18n, &o.place),
                            when(o.created_at)
                        ),
                    )
                })
                .collect(),
            _ => Vec::new(),
        }
    });
    if let Some((first, _)) = options.first() {
        choice.set(first.clone());
    }

    let submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        let w = wid();
        let t = text.get_untracked().trim().to_owned();
        let kind = match action {
            Action::Assign => {
                let c = choice.get_untracked();
                let to = match c.split_once(':') {
                    Some(("m", id)) => Assignee::Member(id.into()),
                    Some(("t", id)) => Assignee::Team(id.into()),
                    Some(("p", id)) => Assignee::Partner(id.into()),
                    _ => {
                        msg.set(Msg::Err("validation.id_empty".into()));
                        return;
                    }
                };
                OpKind::Assign { wish: w, to }
            }
            Action::Merge => OpKind::Merge {
                wish: w,
                into: choice.get_untracked().as_str().into(),
            },
            Action::Reject => OpKind::Reject { wish: w, reason: t },
            Action::Reopen => OpKind::Reopen { wish: w, reason: t },
            Action::Cancel => OpKind::Cancel { wish: w, reason: t },
            Action::Escalate => OpKind::Escalate {
                wish: w,
                level: level.get_untracked(),
                note: t,
            },
            Action::Complete => OpKind::Complete {
                wish: w,
                report: t,
                minutes: minutes.get_untracked().trim().parse().unwrap_or(0),
            },
            Action::Evaluate => OpKind::Evaluate {
                wish: w,
                rating: rating.get_untracked(),
                comment: t,
            },
            _ => OpKind::Note { wish: w, text: t },
        };
        run(app, kind, msg, move || open.set(None));
    };
    let form_label = move || label(i18n, "action", action.code());
    view! {
        <form class="action-form" on:submit=submit novalidate aria-label=form_label>
            {matches!(action, Action::Assign | Action::Merge)
                .then(|| {
                    let key = if action == Action::Assign { k::FORM_ASSIGN_TO } else { k::FORM_MERGE_INTO };
                    view! {
                        <div class="field">
                            <label for="action-choice">{tr(key)}</label>
                            <select
                                id="action-choice"
                                prop:value=move || choice.get()
                                on:change=move |ev| choice.set(event_target_value(&ev))
                            >
                                {options
                                    .iter()
                                    .map(|(v, l)| view! { <option value=v.clone()>{l.clone()}</option> })
                                    .collect_view()}
                            </select>
                        </div>
                    }
                })}
            {(action == Action::Escalate)
                .then(|| {
                    view! {
                        <div class="field">
                            <label for="action-level">{tr(k::FORM_LEVEL)}</label>
                            <select
                                id="action-level"
                                on:change=move |ev| {
                                    if let Some(l) = Level::from_code(&event_target_value(&ev)) {
                                        level.set(l);
                                    }
                                }
                            >
                                {Level::ALL
                                    .into_iter()
                                    .map(|l| {
                                        let c = l.code();
                                        view! { <option value=c>{move || label(i18n, "level", c)}</option> }
                                    })
                                    .collect_view()}
                            </select>
                        </div>
                    }
                })}
            {(action == Action::Evaluate)
                .then(|| {
                    view! {
                        <fieldset class="field">
                            <legend>{tr(k::FORM_RATING)}</legend>
                            {Rating::ALL
                                .into_iter()
                                .map(|r| {
                                    let id = format!("rating-{}", r.code());
                                    let for_id = id.clone();
                                    view! {
                                        <label class="radio" for=for_id>
                                            <input
                                                type="radio"
                                                id=id
                                                name="rating"
                                                prop:checked=move || rating.get() == r
                                                on:change=move |_| rating.set(r)
                                            />
                                            {move || rating_label(i18n, r)}
                                        </label>
                                    }
                                })
                                .collect_view()}
                        </fieldset>
                    }
                })}
            {(action == Action::Complete)
                .then(|| {
                    view! {
                        <div class="field">
                            <label for="action-minutes">{tr(k::FORM_MINUTES)}</label>
                            <input
                                id="action-minutes"
                                type="number"
                                inputmode="numeric"
                                min="1"
                                max="6000"
                                aria-invalid=move || if minutes_invalid() { "true" } else { "false" }
                                prop:value=move || minutes.get()
                                on:input=move |ev| minutes.set(event_target_value(&ev))
                            />
                        </div>
                    }
                })}
            {needs_text
                .then(|| {
                    view! {
                        <div class="field">
                            <label for="action-text">{tr(text_key)}</label>
                            <textarea
                                id="action-text"
                                rows="3"
                                aria-invalid=move || if text_invalid() { "true" } else { "false" }
                                prop:value=move || text.get()
                                on:input=move |ev| text.set(event_target_value(&ev))
                            ></textarea>
                        </div>
                    }
                })}
            <div class="form-row">
                <button type="submit" disabled=move || msg.get() == Msg::Busy>{form_label}</button>
                <button type="button" class="secondary" on:click=move |_| open.set(None)>
                    {tr(k::UI_CLOSE)}
                </button>
            </div>
        </form>
    }
}

/// Partner resources that fit this wish (`views::match_resources`), for
/// coordinators and partner units while the wish waits for someone; a
/// partner may claim it with one of its own unit's resources.
#[component]
fn Resources(wish: Memo<Option<Wish>>) -> impl IntoView {
    let app = use_app();
    let i18n = use_i18n();
    let msg = RwSignal::new(Msg::None);
    type Row = (
        linli_core::ResourceId,
        String,
        String,
        u32,
        Vec<&'static str>,
        bool,
    );
    let rows = Memo::new(move |_| -> Vec<Row> {
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
            let may_claim = s.allows(&m, Action::PartnerClaim, &w)
                && linli_core::lifecycle::next(w.status, linli_core::lifecycle::Step::PartnerClaim)
                    .is_some();
            linli_core::views::match_resources(s, &w.id)
                .into_iter()
                .take(5)
                .map(|x| {
                    let unit = s
                        .partners
                        .get(&x.resource.partner)
                        .map_or_else(|| x.resource.partner.0.clone(), |p| p.name.clone());
                    let fits = [
                        (x.category, "category"),
                        (x.general, "general"),
                        (x.time, "time"),
                        (x.place, "place"),
                    ]
                    .into_iter()
                    .filter_map(|(ok, c)| ok.then_some(c))
                    .collect();
                    let own = may_claim && m.partner.as_ref() == Some(&x.resource.partner);
                    (
                        x.resource.id.clone(),
                        x.resource.title.clone(),
                        unit,
                        x.resource.capacity,
                        fits,
                        own,
                    )
                })
                .collect()
        })
    });
    view! {
        <Show when=move || rows.with(|r| !r.is_empty())>
            <section class="card" aria-labelledby="resources-title">
                <h2 id="resources-title">{tr(k::WISH_DETAIL_RESOURCES)}</h2>
                <ul class="plain">
                    {move || {
                        rows.get()
                            .into_iter()
                            .map(|(id, title, unit, capacity, fits, own)| {
                                let claim_label = title.clone();
                                view! {
                                    <li>
                                        <strong>{title}</strong>
                                        " · " {unit} " · "
                                        {move || fill(i18n.t(k::WISH_DETAIL_CAPACITY), &[("n", &capacity.to_string())])}
                                        " "
                                        {fits
                                            .into_iter()
                                            .map(|f| view! { <span class="chip status-published">{move || label(i18n, "match", f)}</span> " " })
                                            .collect_view()}
                                        {own.then(move || {
                                            view! {
                                                <div class="quick">
                                                    <button
                                                        type="button"
                                                        aria-label=move || format!("{}：{}", label(i18n, "action", "partner_claim"), claim_label)
                                                        on:click=move |_| {
                                                            let (Some(w), Some(p)) = (
                                                                wish.get_untracked().map(|w| w.id),
                                                                me(app).and_then(|m| m.partner),
                                                            ) else {
                                                                return;
                                                            };
                                                            run(
                                                                app,
                                                                OpKind::PartnerClaim { wish: w, partner: p, resource: Some(id.clone()) },
                                                                msg,
                                                                || {},
                                                            );
                                                        }
                                                    >
                                                        {move || label(i18n, "action", "partner_claim")}
                                                    </button>
                                                </div>
                                            }
                                        })}
                                    </li>
                                }
                            })
                            .collect_view()
                    }}
                </ul>
                <StatusLine msg=msg />
            </section>
        </Show>
    }
}

/// The private contact record, when the endpoint handed it to this device
/// (only coordinators, the requester, the filer and the current holder get
/// it) and the member may still see it; devices drop it when the wish closes.
#[component]
fn Contact(wish: Memo<WishId>) -> impl IntoView {
    let app = use_app();
    let record = RwSignal::new(None::<linli_core::private::ContactRecord>);
    Effect::new(move |_| {
        app.revision.track();
        let id = wish.get();
        leptos::task::spawn_local(async move {
            let found = match crate::store::Store::default_db().await {
                Ok(store) => store
                    .private_records()
                    .await
                    .unwrap_or_default()
                    .into_iter()
                    .find(|c| c.wish == id),
                Err(_) => None,
            };
            record.set(found);
        });
    });
    let visible = move || {
        let rec = record.get()?;
        let m = me(app)?;
        app.replica
            .with(|r| linli_core::private::may_see(r.view(), &m.id, &rec.wish))
            .then_some(rec)
    };
    view! {
        {move || {
            visible()
                .map(|c| {
                    let tel = format!("tel:{}", c.phone.replace(' ', ""));
                    view! {
                        <section class="card" aria-labelledby="contact-title">
                            <h2 id="contact-title">{tr(k::WISH_DETAIL_CONTACT)}</h2>
                            {(!c.phone.is_empty()).then(|| view! { <p><a href=tel>{c.phone.clone()}</a></p> })}
                            {(!c.address.is_empty()).then(|| view! { <p>{c.address.clone()}</p> })}
                            <p class="hint">{tr(k::WISH_DETAIL_CONTACT_HINT)}</p>
                        </section>
                    }
                })
        }}
    }
}

#[component]
fn Timeline(wish: Memo<Option<Wish>>) -> impl IntoView {
    let app = use_app();
    let i18n = use_i18n();
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
            w.timeline
                .iter()
                .map(|e| {
                    let who = e.by.as_ref().map(|m| member_name(i18n, s, m));
                    (e.clone(), who, p.contains(&e.op))
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
                        .map(|(e, who, is_pending)| {
                            let step = e.step.code();
                            let void = e.void;
                            let device = e.op.device.to_string();
                            view! {
                                <li class:void=void.is_some()>
                                    <p class="timeline-head">
                                        <time>{when(e.at)}</time>
                                        " · "
                                        {who.unwrap_or_default()}
                                        " "
                                        <strong>{move || label(i18n, "step", step)}</strong>
                                        {is_pending.then(|| view! { " " <span class="chip pending">{tr(k::UI_PENDING)}</span> })}
                                    </p>
                                    {void.map(|v| {
                                        let name = format!("void.{}", v.code());
                                        view! {
                                            <p class="void-reason">
                                                {move || fill(i18n.t(k::WISH_DETAIL_VOID), &[("reason", &text_of(i18n, &name))])}
                                            </p>
                                        }
                                    })}
                                    {(!e.text.is_empty()).then(|| view! { <p class="timeline-text">{e.text.clone()}</p> })}
                                    <p class="hint device">
                                        {move || fill(i18n.t(k::WISH_DETAIL_DEVICE), &[("device", &device)])}
                                    </p>
                                </li>
                            }
                        })
                        .collect_view()
                }}
            </ol>
        </section>
    }
}
