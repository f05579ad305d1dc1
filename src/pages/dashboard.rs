//! Dashboard: response, resolution and satisfaction rates, counts and
//! median times (`views::rates`) for a chosen month, by grid, category or
//! team. Numbers first; charts come later.
use leptos::prelude::*;
use linli_core::calendar::Period;
use linli_core::views::{self, GroupBy, Rates};
use linli_core::{State, permissions};

use super::ui::{Gate, label, me, span};
use crate::components::form::{Bind, Options, Select};
use crate::i18n::{I18n, k, tr, use_i18n};
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

pub(super) fn pct(x: Option<f64>) -> String {
    x.map_or_else(|| "—".to_owned(), |x| format!("{:.0}%", x * 100.0))
}

/// The words for a group's key: "all", "none" for "-", a category, a team's
/// name, or the grid or month as it is.
fn key_label(i18n: I18n, state: &State, by: GroupBy, key: &str) -> String {
    if key == "-" && by != GroupBy::All {
        return i18n.t(k::DASHBOARD_KEY_NONE).to_owned();
    }
    match by {
        GroupBy::All => i18n.t(k::DASHBOARD_GROUP_ALL).to_owned(),
        GroupBy::Category => label(i18n, "category", key),
        GroupBy::Team => state
            .teams
            .get(&key.into())
            .map_or_else(|| key.to_owned(), |t| t.name.clone()),
        GroupBy::Grid | GroupBy::Month => key.to_owned(),
    }
}

/// The rates of the whole period, and one row per group.
pub(super) type Data = (Option<Rates>, Vec<(String, Rates)>);

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
    let month_options: Options =
        Signal::derive(move || months.get().into_iter().map(|m| (m.clone(), m)).collect());
    let groups: Options = Signal::derive(move || {
        [
            GroupBy::Grid,
            GroupBy::Category,
            GroupBy::Team,
            GroupBy::Month,
        ]
        .into_iter()
        .map(|g| {
            (
                g.code().to_owned(),
                label(i18n, "dashboard.group", g.code()),
            )
        })
        .collect()
    });
    let export = move |_| {
        let rows: Vec<Rates> = data.with(|d| d.1.iter().map(|(_, r)| r.clone()).collect());
        let name = format!(
            "linli-rates-{}-{}.csv",
            group.get_untracked().code(),
            month.get_untracked()
        );
        let _ = download_csv(&name, &views::rates_csv(&rows));
    };
    let any = move || data.with(|d| d.0.as_ref().is_some_and(|a| a.total > 0));
    let care = me(app).is_some_and(|m| {
        matches!(
            m.role,
            linli_core::model::Role::Coordinator | linli_core::model::Role::GridWorker
        )
    });
    view! {
        <div class="filters">
            <Select id="dash-month" label=k::DASHBOARD_MONTH value=month options=month_options none=k::DASHBOARD_MONTH_ALL />
            <Select id="dash-group" label=k::DASHBOARD_GROUP value=Bind::coded(group) options=groups />
        </div>
        <Show when=any fallback=|| view! { <p class="empty">{tr(k::DASHBOARD_NONE)}</p> }>
            <Stats data=data />
            <p><button type="button" class="secondary" on:click=export>{tr(k::DASHBOARD_EXPORT)}</button></p>
            <Chart data=data />
            <Table data=data />
        </Show>
        <Participation month=month />
        {care.then(|| view! { <super::CoverageCard /> })}
    }
    .into_any()
}

/// Activity participation (`activities::participation`) over the chosen
/// month, by month, organising team, participants' teams or theme.
#[component]
fn Participation(month: RwSignal<String>) -> impl IntoView {
    use linli_core::activities::{self, GroupBy as By};
    let app = use_app();
    let i18n = use_i18n();
    let group = RwSignal::new(By::Month);
    let rows = Memo::new(move |_| {
        let (period, by) = (Period::from_key(&month.get()), group.get());
        app.replica.with(|r| {
            let s = r.view();
            activities::participation(s, by, &period)
                .into_iter()
                .map(|p| {
                    let name = match (by, p.key.as_str()) {
                        (By::Team | By::MemberTeam, "-") => {
                            i18n.t(k::DASHBOARD_KEY_NONE).to_owned()
                        }
                        (By::Team, key) if key.starts_with("p:") => s
                            .partners
                            .get(&key[2..].into())
                            .map_or_else(|| key.to_owned(), |u| u.name.clone()),
                        (By::Team | By::MemberTeam, key) => key_label(i18n, s, GroupBy::Team, key),
                        (_, key) => key.to_owned(),
                    };
                    (name, p)
                })
                .collect::<Vec<_>>()
        })
    });
    let groups: Options = Signal::derive(move || {
        [By::Month, By::Team, By::MemberTeam, By::Theme]
            .into_iter()
            .map(|g| (g.code().to_owned(), label(i18n, "activity.group", g.code())))
            .collect()
    });
    let heads = [
        k::ACT_PART_ACTIVITIES,
        k::ACT_PART_SIGN_UPS,
        k::ACT_PART_WAITING,
        k::ACT_PART_ATTENDED,
        k::ACT_PART_WALK_INS,
        k::ACT_PART_NO_SHOWS,
        k::ACT_PART_HOURS,
    ];
    let row = |(name, p): (String, activities::Participation)| {
        let hours = format!("{:.1}", p.minutes as f64 / 60.0);
        view! {
            <tr>
                <th scope="row">{name}</th>
                <td class="num">{p.activities}</td>
                <td class="num">{p.sign_ups}</td>
                <td class="num">{p.waiting}</td>
                <td class="num">{p.attended}</td>
                <td class="num">{p.walk_ins}</td>
                <td class="num">{p.no_shows}</td>
                <td class="num">{hours}</td>
            </tr>
        }
    };
    view! {
        <section class="card" aria-labelledby="part-title">
            <h2 id="part-title">{tr(k::ACT_PART_TITLE)}</h2>
            <Select id="part-group" label=k::ACT_PART_GROUP value=Bind::coded(group) options=groups />
            <Show
                when=move || rows.with(|r| !r.is_empty())
                fallback=|| view! { <p class="hint">{tr(k::ACT_PART_NONE)}</p> }
            >
                <div class="table-wrap" tabindex="0" role="region" aria-labelledby="part-caption">
                    <table class="data wide">
                        <caption id="part-caption" class="visually-hidden">{tr(k::ACT_PART_TABLE)}</caption>
                        <thead>
                            <tr>
                                <th scope="col">{tr(k::DASHBOARD_COL_GROUP)}</th>
                                {heads.into_iter().map(|key| view! { <th scope="col" class="num">{tr(key)}</th> }).collect_view()}
                            </tr>
                        </thead>
                        <tbody>{move || rows.get().into_iter().map(row).collect_view()}</tbody>
                    </table>
                </div>
            </Show>
        </section>
    }
}

/// The whole period's figures, in big numbers.
#[component]
fn Stats(data: Memo<Data>) -> impl IntoView {
    let i18n = use_i18n();
    let all = move || data.with(|d| d.0.clone()).unwrap_or_default();
    let hours = move |ms: Option<u64>| ms.map_or_else(|| "—".to_owned(), |ms| span(i18n, ms));
    let stat = move |key, value: fn(&Rates) -> Option<f64>| {
        view! { <div class="stat"><span class="value">{move || pct(value(&all()))}</span><span class="name">{tr(key)}</span></div> }
    };
    let count = move |key, value: fn(&Rates) -> String| {
        view! { <div class="stat"><span class="value">{move || value(&all())}</span><span class="name">{tr(key)}</span></div> }
    };
    view! {
        <div class="stats">
            {stat(k::DASHBOARD_COL_RESPONSE_RATE, Rates::response_rate)}
            {stat(k::DASHBOARD_COL_RESOLUTION_RATE, Rates::resolution_rate)}
            {stat(k::DASHBOARD_COL_SATISFACTION_RATE, Rates::satisfaction_rate)}
            {count(k::DASHBOARD_COL_TOTAL, |r| r.total.to_string())}
            <div class="stat"><span class="value">{move || hours(all().median_respond_ms)}</span><span class="name">{tr(k::DASHBOARD_COL_MEDIAN_RESPOND)}</span></div>
            <div class="stat"><span class="value">{move || hours(all().median_resolve_ms)}</span><span class="name">{tr(k::DASHBOARD_COL_MEDIAN_RESOLVE)}</span></div>
            {count(k::DASHBOARD_COL_EVALUATIONS, |r| r.evaluations.to_string())}
            {count(k::DASHBOARD_COL_REWORK, |r| r.rework.to_string())}
        </div>
    }
}

/// The three rates per group as bars (hidden from screen readers: the
/// numbers are in the text and the table).
#[component]
pub(super) fn Chart(
    data: Memo<Data>,
    /// Prefix of the element ids (several charts on one page: the street's).
    #[prop(default = "dash")]
    id: &'static str,
) -> impl IntoView {
    let group = |(name, r): (String, Rates)| {
        let bars = [
            ("response", k::DASHBOARD_BAR_RESPONSE, r.response_rate()),
            (
                "resolution",
                k::DASHBOARD_BAR_RESOLUTION,
                r.resolution_rate(),
            ),
            (
                "satisfaction",
                k::DASHBOARD_BAR_SATISFACTION,
                r.satisfaction_rate(),
            ),
        ];
        let bar = |(class, key, rate): (&str, _, Option<f64>)| {
            // style:width goes through CSSOM; a style="…" attribute would be refused by the CSP.
            let width = format!("{:.0}%", rate.unwrap_or(0.0) * 100.0);
            view! {
                <span class="chart-row">
                    <span class="chart-label">{tr(key)} " " {pct(rate)}</span>
                    <span class="bar-track" aria-hidden="true"><span class=format!("bar {class}") style:width=width></span></span>
                </span>
            }
        };
        view! { <li class="chart-group"><span class="chart-name">{name}</span>{bars.into_iter().map(bar).collect_view()}</li> }
    };
    let (title, labelled) = (format!("{id}-chart-title"), format!("{id}-chart-title"));
    view! {
        <figure class="chart" aria-labelledby=labelled>
            <figcaption id=title>{tr(k::DASHBOARD_CHART)}</figcaption>
            <ul class="plain">{move || data.get().1.into_iter().map(group).collect_view()}</ul>
        </figure>
    }
}

#[component]
pub(super) fn Table(
    data: Memo<Data>,
    /// Prefix of the element ids (several tables on one page).
    #[prop(default = "dash")]
    id: &'static str,
) -> impl IntoView {
    let i18n = use_i18n();
    let hours = move |ms: Option<u64>| ms.map_or_else(|| "—".to_owned(), |ms| span(i18n, ms));
    let counts = |n: u32, d: u32| format!("{n}/{d}");
    let row = move |(name, r): (String, Rates)| {
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
    };
    let heads = [
        k::DASHBOARD_COL_TOTAL,
        k::DASHBOARD_COL_RESPONSE_RATE,
        k::DASHBOARD_COL_RESOLUTION_RATE,
        k::DASHBOARD_COL_SATISFACTION_RATE,
        k::DASHBOARD_COL_EVALUATIONS,
        k::DASHBOARD_COL_REWORK,
        k::DASHBOARD_COL_MEDIAN_RESPOND,
        k::DASHBOARD_COL_MEDIAN_RESOLVE,
    ];
    let (caption, labelled) = (format!("{id}-table-caption"), format!("{id}-table-caption"));
    view! {
        <div class="table-wrap" tabindex="0" role="region" aria-labelledby=labelled>
            <table class="data wide">
                <caption id=caption class="visually-hidden">{tr(k::DASHBOARD_TABLE)}</caption>
                <thead>
                    <tr>
                        <th scope="col">{tr(k::DASHBOARD_COL_GROUP)}</th>
                        {heads.into_iter().map(|key| view! { <th scope="col" class="num">{tr(key)}</th> }).collect_view()}
                    </tr>
                </thead>
                <tbody>{move || data.get().1.into_iter().map(row).collect_view()}</tbody>
            </table>
        </div>
    }
}
