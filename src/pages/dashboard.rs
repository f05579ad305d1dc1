//! Dashboard: response, resolution and satisfaction rates, counts and
//! median times (`views::rates`) for a chosen month, by grid, category or
//! team. Numbers first; charts come later.
use leptos::prelude::*;
use linli_core::calendar::Period;
use linli_core::views::{self, GroupBy, Rates};
use linli_core::{State, permissions};

use super::ui::{Gate, MonthOptions, label, me, span};
use crate::i18n::{I18n, fill, k, tr, use_i18n};
use crate::state::use_app;

#[component]
pub fn Dashboard() -> impl IntoView {
    view! {
        <Gate title=k::DASHBOARD_TITLE empty=k::DASHBOARD_EMPTY>
            <DashboardBody />
        </Gate>
    }
}

/// Saves `text` as a CSV file.
fn download_csv(name: &str, text: &str) -> Result<(), wasm_bindgen::JsValue> {
    // A BOM so spreadsheet programs read the Chinese group names as UTF-8.
    crate::components::save_file(name, "text/csv;charset=utf-8", &format!("\u{feff}{text}"))
}

fn pct(x: Option<f64>) -> String {
    x.map_or_else(|| "—".to_owned(), |x| format!("{:.0}%", x * 100.0))
}

fn key_label(i18n: I18n, state: &State, by: GroupBy, key: &str) -> String {
    match (by, key) {
        (GroupBy::All, _) => i18n.t(k::DASHBOARD_GROUP_ALL).to_owned(),
        (_, "-") => i18n.t(k::DASHBOARD_KEY_NONE).to_owned(),
        (GroupBy::Category, c) => label(i18n, "category", c),
        (GroupBy::Team, t) => state
            .teams
            .get(&t.into())
            .map_or_else(|| t.to_owned(), |t| t.name.clone()),
        (_, key) => key.to_owned(),
    }
}

#[component]
fn DashboardBody() -> impl IntoView {
    let app = use_app();
    let i18n = use_i18n();
    if !me(app).is_some_and(|m| permissions::sees_lists(m.role)) {
        return view! { <p class="empty">{tr(k::DASHBOARD_EMPTY)}</p> }.into_any();
    }
    let months = Memo::new(move |_| app.replica.with(|r| views::wish_months(r.view())));
    let month = RwSignal::new(months.get_untracked().first().cloned().unwrap_or_default());
    let group = RwSignal::new(GroupBy::Grid);
    let data = Memo::new(move |_| {
        let (period, by) = (Period::from_key(&month.get()), group.get());
        app.replica.with(|r| {
            let s = r.view();
            let all = views::rates_in(s, GroupBy::All, &period).into_iter().next();
            let rows: Vec<(String, Rates)> = views::rates_in(s, by, &period)
                .into_iter()
                .map(|row| (key_label(i18n, s, by, &row.key), row))
                .collect();
            (all, rows)
        })
    });
    let hours = move |ms: Option<u64>| ms.map_or_else(|| "—".to_owned(), |ms| span(i18n, ms));
    let stat = move |key, value: Box<dyn Fn() -> String + Send + Sync>| {
        view! {
            <div class="stat">
                <span class="value">{value}</span>
                <span class="name">{tr(key)}</span>
            </div>
        }
    };
    let all = move || data.with(|d| d.0.clone()).unwrap_or_default();
    view! {
        <div class="filters">
            <div class="field">
                <label for="dash-month">{tr(k::DASHBOARD_MONTH)}</label>
                <select
                    id="dash-month"
                    prop:value=move || month.get()
                    on:change=move |ev| month.set(event_target_value(&ev))
                >
                    <MonthOptions months month all=k::DASHBOARD_MONTH_ALL />
                </select>
            </div>
            <div class="field">
                <label for="dash-group">{tr(k::DASHBOARD_GROUP)}</label>
                <select
                    id="dash-group"
                    on:change=move |ev| {
                        if let Some(g) = GroupBy::from_code(&event_target_value(&ev)) {
                            group.set(g);
                        }
                    }
                >
                    {[GroupBy::Grid, GroupBy::Category, GroupBy::Team, GroupBy::Month]
                        .into_iter()
                        .map(|g| {
                            view! {
                                <option value=g.code() selected=g == GroupBy::Grid>
                                    {move || label(i18n, "dashboard.group", g.code())}
                                </option>
                            }
                        })
                        .collect_view()}
                </select>
            </div>
        </div>
        <Show
            when=move || { all().total > 0 }
            fallback=|| view! { <p class="empty">{tr(k::DASHBOARD_NONE)}</p> }
        >
            <div class="stats">
                {stat(k::DASHBOARD_COL_RESPONSE_RATE, Box::new(move || pct(all().response_rate())))}
                {stat(k::DASHBOARD_COL_RESOLUTION_RATE, Box::new(move || pct(all().resolution_rate())))}
                {stat(k::DASHBOARD_COL_SATISFACTION_RATE, Box::new(move || pct(all().satisfaction_rate())))}
                {stat(k::DASHBOARD_COL_TOTAL, Box::new(move || all().total.to_string()))}
                {stat(k::DASHBOARD_COL_MEDIAN_RESPOND, Box::new(move || hours(all().median_respond_ms)))}
                {stat(k::DASHBOARD_COL_MEDIAN_RESOLVE, Box::new(move || hours(all().median_resolve_ms)))}
                {stat(k::DASHBOARD_COL_EVALUATIONS, Box::new(move || all().evaluations.to_string()))}
                {stat(k::DASHBOARD_COL_REWORK, Box::new(move || all().rework.to_string()))}
            </div>
            <p>
                <button
                    type="button"
                    class="secondary"
                    on:click=move |_| {
                        let rows: Vec<Rates> = data.with(|d| d.1.iter().map(|(_, r)| r.clone()).collect());
                        let name = format!("linli-rates-{}-{}.csv", group.get_untracked().code(), month.get_untracked());
                        let _ = download_csv(&name, &views::rates_csv(&rows));
                    }
                >
                    {tr(k::DASHBOARD_EXPORT)}
                </button>
            </p>
            <figure class="chart" aria-labelledby="dash-chart-title">
                <figcaption id="dash-chart-title">{tr(k::DASHBOARD_CHART)}</figcaption>
                <ul class="plain">
                    {move || {
                        data.get()
                            .1
                            .into_iter()
                            .map(|(name, r)| {
                                let bars = [
                                    ("response", k::DASHBOARD_BAR_RESPONSE, r.response_rate()),
                                    ("resolution", k::DASHBOARD_BAR_RESOLUTION, r.resolution_rate()),
                                    ("satisfaction", k::DASHBOARD_BAR_SATISFACTION, r.satisfaction_rate()),
                                ];
                                view! {
                                    <li class="chart-group">
                                        <span class="chart-name">{name}</span>
                                        {bars
                                            .into_iter()
                                            .map(|(class, key, rate)| {
                                                // style:width goes through CSSOM; a style="…" attribute would be refused by the CSP.
                                                let width = format!("{:.0}%", rate.unwrap_or(0.0) * 100.0);
                                                view! {
                                                    <span class="chart-row">
                                                        <span class="chart-label">{tr(key)} " " {pct(rate)}</span>
                                                        <span class="bar-track" aria-hidden="true">
                                                            <span class=format!("bar {class}") style:width=width></span>
                                                        </span>
                                                    </span>
                                                }
                                            })
                                            .collect_view()}
                                    </li>
                                }
                            })
                            .collect_view()
                    }}
                </ul>
            </figure>
            <div class="table-wrap" tabindex="0" role="region" aria-labelledby="dash-table-caption">
                <table class="data wide">
                    <caption id="dash-table-caption" class="visually-hidden">{tr(k::DASHBOARD_TABLE)}</caption>
                    <thead>
                        <tr>
                            <th scope="col">{tr(k::DASHBOARD_COL_GROUP)}</th>
                            <th scope="col" class="num">{tr(k::DASHBOARD_COL_TOTAL)}</th>
                            <th scope="col" class="num">{tr(k::DASHBOARD_COL_RESPONSE_RATE)}</th>
                            <th scope="col" class="num">{tr(k::DASHBOARD_COL_RESOLUTION_RATE)}</th>
                            <th scope="col" class="num">{tr(k::DASHBOARD_COL_SATISFACTION_RATE)}</th>
                            <th scope="col" class="num">{tr(k::DASHBOARD_COL_EVALUATIONS)}</th>
                            <th scope="col" class="num">{tr(k::DASHBOARD_COL_REWORK)}</th>
                            <th scope="col" class="num">{tr(k::DASHBOARD_COL_MEDIAN_RESPOND)}</th>
                            <th scope="col" class="num">{tr(k::DASHBOARD_COL_MEDIAN_RESOLVE)}</th>
                        </tr>
                    </thead>
                    <tbody>
                        {move || {
                            data.get()
                                .1
                                .into_iter()
                                .map(|(name, r)| {
                                    let counts = |n: u32, d: u32| fill("{n}/{d}", &[("n", &n.to_string()), ("d", &d.to_string())]);
                                    view! {
                                        <tr>
                                            <th scope="row">{name}</th>
                                            <td class="num">{r.total}</td>
                                            <td class="num">{pct(r.response_rate())}<br /><span class="hint">{counts(r.responded, r.total)}</span></td>
                                            <td class="num">{pct(r.resolution_rate())}<br /><span class="hint">{counts(r.resolved, r.total)}</span></td>
                                            <td class="num">{pct(r.satisfaction_rate())}<br /><span class="hint">{counts(r.satisfied, r.evaluations)}</span></td>
                                            <td class="num">{r.evaluations}</td>
                                            <td class="num">{r.rework}</td>
                                            <td class="num">{hours(r.median_respond_ms)}</td>
                                            <td class="num">{hours(r.median_resolve_ms)}</td>
                                        </tr>
                                    }
                                })
                                .collect_view()
                        }}
                    </tbody>
                </table>
            </div>
        </Show>
    }
    .into_any()
}
