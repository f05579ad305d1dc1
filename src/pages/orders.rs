//! 接单: open orders ranked for the member (`views::open_orders`), claimed
//! with one press; the member's own orders with the time left on the claim;
//! what they completed before. Start, complete and release are on the
//! wish's page (start also here, as it is the next step after claiming).
use leptos::prelude::*;
use linli_core::model::{Role, Wish};
use linli_core::permissions::{self, Rule};
use linli_core::views::{self, Fit};
use linli_core::{Action, OpKind, WishId, actions};

use super::ui::{
    Gate, More, PAGE, WishItem, label, me, now_ms, page_of, pending_wishes, run, span, ticking_now,
};
use crate::i18n::{fill, k, tr, use_i18n};
use crate::state::use_app;
use crate::status::{Status, StatusLine};

#[component]
pub fn Orders() -> impl IntoView {
    view! {
        <Gate title=k::ORDERS_TITLE empty=k::ORDERS_EMPTY>
            <OrdersBody />
        </Gate>
    }
}

#[component]
fn OrdersBody() -> impl IntoView {
    let app = use_app();
    let member = me(app);
    let role = member.as_ref().map(|m| m.role);
    let can_claim = role.is_some_and(|r| {
        permissions::rule(r, Action::Claim) != Rule::No
            || permissions::rule(r, Action::PartnerClaim) != Rule::No
    });
    if !role.is_some_and(permissions::sees_lists) {
        return view! { <p class="empty">{tr(k::ORDERS_NOT_VOLUNTEER)}</p> }.into_any();
    }
    let msg = RwSignal::new(Status::Idle);
    view! {
        <StatusLine status=msg />
        <MyOrders msg=msg />
        {if can_claim {
            view! { <OpenOrders msg=msg /> }.into_any()
        } else {
            view! { <p class="empty">{tr(k::ORDERS_NOT_VOLUNTEER)}</p> }.into_any()
        }}
        <DoneOrders />
    }
    .into_any()
}

#[component]
fn OpenOrders(msg: RwSignal<Status>) -> impl IntoView {
    let app = use_app();
    let i18n = use_i18n();
    let shown = RwSignal::new(PAGE);
    // Orders claimed here stay where they were for this visit, marked as
    // taken, so the list does not jump away from the user's place.
    let kept = RwSignal::new(Vec::<(usize, WishId)>::new());
    let rows = Memo::new(move |_| {
        let Some(m) = me(app) else {
            return Vec::<(WishId, Vec<Fit>)>::new();
        };
        app.replica.with(|r| {
            let s = r.view();
            let mut rows: Vec<(WishId, Vec<Fit>)> = views::open_orders(s, &m.id)
                .into_iter()
                .map(|o| (o.wish.id.clone(), o.fits))
                .collect();
            kept.with(|kept| {
                for (at, id) in kept {
                    let mine = s.wishes.get(id).is_some_and(|w| s.holds(&m.id, w));
                    if mine && !rows.iter().any(|(x, _)| x == id) {
                        rows.insert((*at).min(rows.len()), (id.clone(), Vec::new()));
                    }
                }
            });
            rows
        })
    });
    let total = Signal::derive(move || rows.with(Vec::len));
    let pending = Memo::new(move |_| pending_wishes(app));
    let items = move || {
        let m = me(app);
        let p = pending.get();
        let page: Vec<(Wish, Vec<Fit>)> = rows.with(|ids| {
            app.replica.with(|r| {
                ids.iter()
                    .take(shown.get())
                    .filter_map(|(id, f)| r.view().wishes.get(id).map(|w| (w.clone(), f.clone())))
                    .collect()
            })
        });
        page.into_iter()
            .map(|(w, fits)| {
                let id = w.id.clone();
                let title = w.title.clone();
                let is_pending = p.contains(&w.id);
                let partner = m.as_ref().and_then(|m| {
                    (m.role == Role::Partner)
                        .then(|| m.partner.clone())
                        .flatten()
                });
                let code = if partner.is_some() { "partner_claim" } else { "claim" };
                let taken = m.as_ref().is_some_and(|m| app.replica.with(|r| r.view().holds(&m.id, &w)));
                if taken {
                    return view! {
                        <WishItem wish=w pending=is_pending>
                            <p class="hint" role="status">{tr(k::ORDERS_TAKEN_HERE)}</p>
                        </WishItem>
                    }
                    .into_any();
                }
                view! {
                    <WishItem wish=w pending=is_pending>
                        <p class="wish-meta">
                            {fits
                                .into_iter()
                                .map(|f| view! { <span class="chip status-published">{move || label(i18n, "fit", f.code())}</span> })
                                .collect_view()}
                        </p>
                        <div class="quick">
                            <button
                                type="button"
                                aria-label=move || i18n.about(&label(i18n, "action", code), &title)
                                on:click=move |_| {
                                    let kind = match partner.clone() {
                                        Some(p) => OpKind::PartnerClaim { wish: id.clone(), partner: p, resource: None },
                                        None => OpKind::Claim { wish: id.clone() },
                                    };
                                    let at = rows.with_untracked(|r| r.iter().position(|(x, _)| *x == id));
                                    let id = id.clone();
                                    run(app, kind, msg, move || kept.update(|k| k.push((at.unwrap_or(0), id))));
                                }
                            >
                                {move || label(i18n, "action", code)}
                            </button>
                        </div>
                    </WishItem>
                }
                .into_any()
            })
            .collect_view()
    };
    view! {
        <section aria-labelledby="orders-open">
            <h2 id="orders-open">{tr(k::ORDERS_OPEN)}</h2>
            <Show
                when=move || { total.get() > 0 }
                fallback=|| view! { <p class="empty">{tr(k::ORDERS_NONE_OPEN)}</p> }
            >
                <ul class="wish-list">{items}</ul>
                <More shown=shown total=total />
            </Show>
        </section>
    }
}

#[component]
fn MyOrders(msg: RwSignal<Status>) -> impl IntoView {
    let app = use_app();
    let i18n = use_i18n();
    let rows = Memo::new(move |_| {
        let Some(m) = me(app) else {
            return Vec::<(Wish, bool)>::new();
        };
        app.replica.with(|r| {
            let s = r.view();
            views::my_orders(s, &m.id)
                .holding
                .into_iter()
                .map(|w| (w.clone(), actions::may(s, &m, w, Action::Start, now_ms())))
                .collect()
        })
    });
    let pending = Memo::new(move |_| pending_wishes(app));
    let clock = ticking_now();
    view! {
        <section aria-labelledby="orders-mine">
            <h2 id="orders-mine">{tr(k::ORDERS_MINE)}</h2>
            <Show
                when=move || rows.with(|r| !r.is_empty())
                fallback=|| view! { <p class="empty">{tr(k::ORDERS_NONE_MINE)}</p> }
            >
                <ul class="wish-list">
                    {move || {
                        clock.track();
                        let now = now_ms();
                        let p = pending.get();
                        rows.get()
                            .into_iter()
                            .map(|(w, can_start)| {
                                let id = w.id.clone();
                                let title = w.title.clone();
                                let lease = w.lease.as_ref().map(|l| l.deadline);
                                let overdue = lease.is_some_and(|d| d < now);
                                let is_pending = p.contains(&w.id);
                                view! {
                                    <WishItem wish=w overdue=overdue pending=is_pending>
                                        {lease.map(|d| {
                                            view! {
                                                <p class="wish-meta" class:overdue-text=overdue>
                                                    {move || {
                                                        if d < now {
                                                            i18n.t(k::ORDERS_LEASE_OVERDUE).to_owned()
                                                        } else {
                                                            fill(i18n.t(k::ORDERS_LEASE_LEFT), &[("left", &span(i18n, d - now))])
                                                        }
                                                    }}
                                                </p>
                                            }
                                        })}
                                        {can_start.then(move || {
                                            view! {
                                                <div class="quick">
                                                    <button
                                                        type="button"
                                                        aria-label=move || i18n.about(&label(i18n, "action", "start"), &title)
                                                        on:click=move |_| run(app, OpKind::Start { wish: id.clone() }, msg, || {})
                                                    >
                                                        {move || label(i18n, "action", "start")}
                                                    </button>
                                                </div>
                                            }
                                        })}
                                    </WishItem>
                                }
                            })
                            .collect_view()
                    }}
                </ul>
            </Show>
        </section>
    }
}

#[component]
fn DoneOrders() -> impl IntoView {
    let app = use_app();
    let shown = RwSignal::new(PAGE / 5);
    let rows = Memo::new(move |_| {
        let Some(m) = me(app) else {
            return Vec::<WishId>::new();
        };
        app.replica.with(|r| {
            views::my_orders(r.view(), &m.id)
                .done
                .into_iter()
                .map(|w| w.id.clone())
                .collect()
        })
    });
    let total = Signal::derive(move || rows.with(Vec::len));
    view! {
        <Show when=move || { total.get() > 0 }>
            <section aria-labelledby="orders-done">
                <h2 id="orders-done">{tr(k::ORDERS_DONE)}</h2>
                <ul class="wish-list">
                    {move || {
                        let page = rows.with(|ids| page_of(app, ids, shown.get()));
                        page.into_iter().map(|w| view! { <WishItem wish=w /> }).collect_view()
                    }}
                </ul>
                <More shown=shown total=total />
            </section>
        </Show>
    }
}
