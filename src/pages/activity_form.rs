//! Creating and editing an activity (coordinators, team leads, partner
//! units): `activities::Draft` in the shared form kit. Times are typed in
//! community time (`calendar::parse_local`). A new activity gets its
//! check-in key K from the browser's CSPRNG (`browser::new_activity_key`);
//! the op carries only K's check, and this device keeps K
//! (`AppState::remember_activity_key`).
use std::rc::Rc;

use leptos::prelude::*;
use leptos_router::components::A;
use leptos_router::hooks::use_navigate;
use linli_core::activities::{self, Draft};
use linli_core::activity::{Activity, Organiser, PointsMode};
use linli_core::{ActivityId, State, ValidationError, calendar};

use super::activities::{offset, organiser_name};
use super::activity_detail::route_activity;
use super::ui::{Gate, me, run};
use crate::browser::new_id;
use crate::components::form::{
    Bind, Form, Options, Radios, Select, TextArea, TextInput, coded_options,
};
use crate::i18n::{k, tr, use_i18n};
use crate::state::{AppState, use_app};
use crate::status::{Status as Said, StatusLine, Text};

/// The form's fields as typed.
#[derive(Clone, Copy)]
struct Fields {
    title: RwSignal<String>,
    theme: RwSignal<String>,
    description: RwSignal<String>,
    venue: RwSignal<String>,
    start: RwSignal<String>,
    end: RwSignal<String>,
    capacity: RwSignal<String>,
    organiser: RwSignal<String>,
    sign_up_by: RwSignal<String>,
    points: RwSignal<PointsMode>,
    fixed: RwSignal<String>,
}

/// The organiser's option value: "" the community, "team:<id>", "partner:<id>".
fn organiser_value(o: Option<&Organiser>) -> String {
    match o {
        None => String::new(),
        Some(Organiser::Team(t)) => format!("team:{t}"),
        Some(Organiser::Partner(p)) => format!("partner:{p}"),
    }
}

fn organiser_of(v: &str) -> Option<Organiser> {
    match v.split_once(':') {
        Some(("team", t)) => Some(Organiser::Team(t.into())),
        Some(("partner", p)) => Some(Organiser::Partner(p.into())),
        _ => None,
    }
}

/// A time field's value ("YYYY-MM-DDTHH:MM") in community time.
fn input_time(s: &State, ms: u64) -> String {
    activities::local_time(ms, offset(s)).replacen(' ', "T", 1)
}

/// A failure that marks one field of this form.
fn field_error(key: crate::i18n::Key, field: &'static str) -> Said {
    Said::Failed {
        text: Text::key(key),
        field: Some(field),
    }
}

impl Fields {
    fn new(s: &State, a: Option<&Activity>) -> Fields {
        let d = a.map(Draft::of);
        let text = |f: fn(&Draft) -> String| RwSignal::new(d.as_ref().map(f).unwrap_or_default());
        let time =
            |ms: Option<u64>| RwSignal::new(ms.map(|t| input_time(s, t)).unwrap_or_default());
        let theme = d
            .as_ref()
            .map(|d| d.theme.clone())
            .or_else(|| activities::themes(s).into_iter().next())
            .unwrap_or_default();
        Fields {
            title: text(|d| d.title.clone()),
            theme: RwSignal::new(theme),
            description: text(|d| d.description.clone()),
            venue: text(|d| d.venue.clone()),
            start: time(d.as_ref().map(|d| d.start)),
            end: time(d.as_ref().map(|d| d.end)),
            capacity: text(|d| d.capacity.map(|c| c.to_string()).unwrap_or_default()),
            organiser: RwSignal::new(organiser_value(a.and_then(|a| a.organiser.as_ref()))),
            sign_up_by: time(
                d.as_ref()
                    .and_then(|d| d.sign_up_by)
                    .filter(|b| Some(*b) != a.map(|a| a.start)),
            ),
            points: RwSignal::new(d.as_ref().map_or(PointsMode::ByTime, |d| d.points)),
            fixed: text(|d| {
                (d.points == PointsMode::Fixed)
                    .then(|| d.fixed_points.map(|f| f.to_string()))
                    .flatten()
                    .unwrap_or_default()
            }),
        }
    }

    /// The draft, or the field that is wrong.
    fn draft(&self, s: &State) -> Result<Draft, Said> {
        // The fields' errors in the form's order: the title comes first.
        linli_core::validate::title(self.title.get_untracked().trim()).map_err(Said::invalid)?;
        let off = offset(s);
        let time = |f: RwSignal<String>| {
            let v = f.get_untracked();
            if v.trim().is_empty() {
                Ok(None)
            } else {
                calendar::parse_local(&v, off)
                    .map(Some)
                    .ok_or_else(|| field_error(k::ACT_FORM_BAD_TIME, "bad_time"))
            }
        };
        let required = |t: Option<u64>| {
            t.ok_or_else(|| field_error(k::ACT_FORM_TIME_REQUIRED, "time_required"))
        };
        let start = required(time(self.start)?)?;
        let end = time(self.end)
            .map_err(|_| field_error(k::ACT_FORM_BAD_TIME, "bad_end"))?
            .ok_or_else(|| field_error(k::ACT_FORM_TIME_REQUIRED, "end_required"))?;
        let sign_up_by = time(self.sign_up_by)
            .map_err(|_| field_error(k::ACT_FORM_BAD_TIME, "bad_sign_up_by"))?;
        let number = |f: RwSignal<String>, e: ValidationError| -> Result<Option<u32>, Said> {
            let v = f.get_untracked();
            let v = v.trim();
            if v.is_empty() {
                return Ok(None);
            }
            v.parse::<u32>().map(Some).map_err(|_| Said::invalid(e))
        };
        let capacity = number(self.capacity, ValidationError::CapacityOutOfRange)?;
        let points = self.points.get_untracked();
        let fixed_points = match points {
            PointsMode::Fixed => number(self.fixed, ValidationError::PointsOutOfRange)?,
            PointsMode::ByTime => None,
        };
        Ok(Draft {
            title: self.title.get_untracked(),
            theme: self.theme.get_untracked(),
            description: self.description.get_untracked(),
            venue: self.venue.get_untracked(),
            start,
            end,
            capacity,
            organiser: organiser_of(&self.organiser.get_untracked()),
            sign_up_by,
            points,
            fixed_points,
        })
    }
}

#[component]
pub fn ActivityNew() -> impl IntoView {
    view! {
        <Gate title=k::ACT_NEW_TITLE empty=k::ACT_EMPTY>
            <NewBody />
        </Gate>
    }
}

#[component]
fn NewBody() -> impl IntoView {
    let app = use_app();
    let may = me(app).is_some_and(|m| {
        app.replica
            .with_untracked(|r| !activities::organisers(r.view(), &m).is_empty())
    });
    if !may {
        return view! { <p class="empty">{tr(k::ACT_FORM_NOT_ALLOWED)}</p> }.into_any();
    }
    let fields = app.replica.with_untracked(|r| Fields::new(r.view(), None));
    view! { <ActivityForm fields=fields editing=None /> }.into_any()
}

#[component]
pub fn ActivityEdit() -> impl IntoView {
    view! {
        <Gate title=k::ACT_EDIT_TITLE empty=k::ACT_EMPTY>
            <EditBody />
        </Gate>
    }
}

#[component]
fn EditBody() -> impl IntoView {
    let app = use_app();
    let (_, activity) = route_activity();
    let Some(a) = activity.get_untracked() else {
        return view! { <p class="empty">{tr(k::ACT_NOT_FOUND)}</p> }.into_any();
    };
    let may = me(app).is_some_and(|m| {
        app.replica
            .with_untracked(|r| activities::manages(r.view(), &m, &a))
    });
    if !may {
        return view! { <p class="empty">{tr(k::ACT_FORM_NOT_ALLOWED)}</p> }.into_any();
    }
    let fields = app
        .replica
        .with_untracked(|r| Fields::new(r.view(), Some(&a)));
    view! {
        <p class="back"><A href=format!("/activities/{}", a.id)>{a.title.clone()}</A></p>
        <ActivityForm fields=fields editing=Some(a.id.clone()) />
    }
    .into_any()
}

/// Makes and dispatches the op; on success goes to the activity's page.
fn save(
    app: AppState,
    fields: Fields,
    editing: Option<ActivityId>,
    status: RwSignal<Said>,
    go: Rc<dyn Fn(String)>,
) {
    let made = app.replica.with_untracked(|r| {
        let s = r.view();
        let draft = fields.draft(s)?;
        match &editing {
            Some(id) => {
                let a = s
                    .activities
                    .get(id)
                    .ok_or_else(|| Said::void(linli_core::VoidReason::UnknownActivity))?;
                let kind = draft.update(a).map_err(Said::invalid)?;
                Ok((id.clone(), kind, None))
            }
            None => {
                let id = ActivityId::from(new_id("a"));
                let key = crate::browser::new_activity_key()
                    .ok_or_else(|| Said::failed(Text::key(k::ACT_FORM_NO_CRYPTO)))?;
                let kind = draft.create(id.clone(), &key).map_err(Said::invalid)?;
                Ok((id, kind, Some(key)))
            }
        }
    });
    let (id, kind, key) = match made {
        Ok(x) => x,
        Err(e) => {
            status.set(e);
            return;
        }
    };
    run(app, kind, status, move || {
        let href = format!("/activities/{id}");
        match key {
            Some(key) => leptos::task::spawn_local(async move {
                // K lives on this device (and the endpoint, for the other
                // organisers) until it is revealed: without it the code cannot
                // be shown, so say so if it was not kept.
                let kept = app.remember_activity_key(&id, &key).await.is_ok();
                if !kept || app.activity_key(&id).await.is_none() {
                    status.set(Said::failed(Text::key(k::ACT_FORM_KEY_NOT_KEPT)));
                    return;
                }
                go(href);
            }),
            None => go(href),
        }
    });
}

#[component]
fn ActivityForm(fields: Fields, editing: Option<ActivityId>) -> impl IntoView {
    let app = use_app();
    let i18n = use_i18n();
    let status = RwSignal::new(Said::Idle);
    let themes: Options = Signal::derive(move || {
        app.replica.with(|r| {
            activities::themes(r.view())
                .into_iter()
                .map(|t| (t.clone(), t))
                .collect()
        })
    });
    let organisers: Options = Signal::derive(move || {
        let Some(m) = me(app) else {
            return Vec::new();
        };
        app.replica.with(|r| {
            let s = r.view();
            activities::organisers(s, &m)
                .into_iter()
                .map(|o| {
                    (
                        organiser_value(o.as_ref()),
                        organiser_name(i18n, s, o.as_ref()),
                    )
                })
                .collect()
        })
    });
    // A team lead or a partner has no "community" choice: start on theirs.
    if let Some((first, _)) = organisers
        .get_untracked()
        .first()
        .filter(|_| editing.is_none())
    {
        fields.organiser.set(first.clone());
    }
    let creating = editing.is_none();
    let editing = StoredValue::new(editing);
    let navigate = use_navigate();
    let go: Rc<dyn Fn(String)> = Rc::new(move |href: String| navigate(&href, Default::default()));
    let submit = move || save(app, fields, editing.get_value(), status, go.clone());
    let modes = coded_options::<PointsMode>("activity.points");
    let fixed = move || fields.points.get() == PointsMode::Fixed;
    view! {
        <Form status=status on_submit=submit attr:class="activity-form" attr:aria-label=move || i18n.t(if creating { k::ACT_NEW_TITLE } else { k::ACT_EDIT_TITLE })>
            <TextInput id="act-title" label=k::ACT_FORM_TITLE value=fields.title codes=&["title_empty", "title_too_long"] required=true />
            <Select id="act-theme" label=k::ACT_THEME value=fields.theme options=themes codes=&["name_empty", "name_too_long", "unknown_theme"] required=true />
            <TextArea id="act-description" label=k::ACT_FORM_DESCRIPTION value=fields.description codes=&["description_too_long"] />
            <TextInput id="act-venue" label=k::ACT_VENUE value=fields.venue codes=&["place_too_long"] />
            <TextInput id="act-start" label=k::ACT_FORM_START value=fields.start kind="datetime-local" hint=k::ACT_FORM_TIME_HINT codes=&["time_required", "bad_time", "window_inverted", "activity_too_long"] required=true />
            <TextInput id="act-end" label=k::ACT_FORM_END value=fields.end kind="datetime-local" codes=&["end_required", "bad_end"] required=true />
            <TextInput id="act-capacity" label=k::ACT_FORM_CAPACITY value=fields.capacity kind="number" min=1 hint=k::ACT_FORM_CAPACITY_HINT codes=&["capacity_out_of_range"] />
            {creating.then(|| view! {
                <Select id="act-organiser" label=k::ACT_ORGANISER value=fields.organiser options=organisers codes=&["id_empty", "id_too_long"] />
            })}
            <TextInput id="act-sign-up-by" label=k::ACT_FORM_SIGN_UP_BY value=fields.sign_up_by kind="datetime-local" hint=k::ACT_FORM_SIGN_UP_BY_HINT codes=&["bad_sign_up_by", "sign_up_after_end"] />
            <Radios name="act-points" legend=k::ACT_POINTS value=Bind::coded(fields.points) options=modes />
            <Show when=fixed>
                <TextInput id="act-fixed" label=k::ACT_FORM_FIXED value=fields.fixed kind="number" min=0 hint=k::ACT_FORM_FIXED_HINT codes=&["points_out_of_range"] />
            </Show>
            <div class="form-row">
                <button type="submit" disabled=move || status.with(Said::is_busy)>
                    {tr(if creating { k::ACT_FORM_CREATE } else { k::ACT_FORM_SAVE })}
                </button>
            </div>
            <StatusLine status=status />
        </Form>
    }
}
