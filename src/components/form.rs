//! The form kit: every field of every form, with its label, hint, required
//! mark and inline error wired once — `for`/`id`, `aria-describedby` (the
//! hint, then the error while it shows), `aria-invalid`, `aria-required`.
//! A field's error comes from the status of the `Form` around it: the field
//! lists the validation codes that are its own (`codes`), so the message of
//! `validate::title` shows under the title. Values are `String` signals, or
//! a coded enum's signal through `Bind::coded`.
use leptos::prelude::*;
use linli_core::code::Coded;

use crate::i18n::{Key, tr, use_i18n};
use crate::status::Status;

/// The status of the form a field is in (its inline errors).
#[derive(Clone, Copy)]
struct FormStatus(RwSignal<Status>);

/// A `<form>` whose fields show their errors from `status`. The browser's
/// own validation is off (linli-core validates); submit calls `on_submit`.
/// Name it with `attr:aria-label` or `attr:aria-labelledby` where needed.
#[component]
pub fn Form(
    status: RwSignal<Status>,
    on_submit: impl Fn() + 'static,
    /// Opened by a button (a wish action): bring it on screen and put the
    /// cursor in its first field, as a phone would otherwise hide it.
    #[prop(optional)]
    bring_into_view: bool,
    children: Children,
) -> impl IntoView {
    form(status, Box::new(on_submit), bring_into_view, children)
}

// Not generic: one copy of the form's view, not one per `on_submit`.
fn form(
    status: RwSignal<Status>,
    on_submit: Box<dyn Fn()>,
    bring_into_view: bool,
    children: Children,
) -> AnyView {
    provide_context(FormStatus(status));
    let form = NodeRef::<leptos::html::Form>::new();
    if bring_into_view {
        Effect::new(move |_| {
            if let Some(el) = form.get() {
                crate::browser::bring_into_view(&el);
            }
        });
    }
    view! {
        <form
            node_ref=form
            novalidate
            on:submit=move |ev| {
                ev.prevent_default();
                on_submit();
            }
        >
            {children()}
        </form>
    }
    .into_any()
}

/// What a field shows and sets: a `String` signal, or a coded enum's.
#[derive(Clone, Copy)]
pub struct Bind {
    get: Signal<String>,
    set: Callback<String>,
}

impl From<RwSignal<String>> for Bind {
    fn from(value: RwSignal<String>) -> Bind {
        Bind {
            get: value.into(),
            set: Callback::new(move |v| value.set(v)),
        }
    }
}

impl Bind {
    /// A value read by `get` and changed by `set`.
    pub fn new(
        get: impl Fn() -> String + Send + Sync + 'static,
        set: impl Fn(String) + Send + Sync + 'static,
    ) -> Bind {
        Bind {
            get: Signal::derive(get),
            set: Callback::new(set),
        }
    }

    /// Also runs `after` on every change (a filter resets its pager).
    pub fn then(self, after: impl Fn() + Send + Sync + 'static) -> Bind {
        let set = self.set;
        Bind {
            get: self.get,
            set: Callback::new(move |v| {
                set.run(v);
                after();
            }),
        }
    }

    /// A coded enum's signal, shown by its code; a value that is no code
    /// of `T` leaves it as it was (options only offer codes).
    pub fn coded<T: Coded + Send + Sync>(value: RwSignal<T>) -> Bind {
        Bind {
            get: Signal::derive(move || value.get().code().to_owned()),
            set: Callback::new(move |code: String| {
                if let Some(v) = T::from_code(&code) {
                    value.set(v);
                }
            }),
        }
    }
}

/// A label: a key, or text made from data ("李阿姨的角色").
pub enum Label {
    Key(Key),
    Text(Signal<String>),
}

impl From<Key> for Label {
    fn from(key: Key) -> Label {
        Label::Key(key)
    }
}

impl<F: Fn() -> String + Send + Sync + 'static> From<F> for Label {
    fn from(f: F) -> Label {
        Label::Text(Signal::derive(f))
    }
}

impl Label {
    fn view(self) -> AnyView {
        match self {
            Label::Key(key) => tr(key).into_any(),
            Label::Text(text) => text.into_any(),
        }
    }
}

/// (value, words) options in display order; words follow the language.
pub type Options = Signal<Vec<(String, String)>>;

/// The options of a coded enum: each code with the words of `<prefix>.<code>`.
pub fn coded_options<T: Coded>(prefix: &'static str) -> Options {
    let i18n = use_i18n();
    Signal::derive(move || {
        T::all()
            .iter()
            .map(|v| {
                let code = v.code();
                (code.to_owned(), crate::i18n::label(i18n, prefix, code))
            })
            .collect()
    })
}

/// How a field is wired to its form's status and its hint.
#[derive(Clone)]
struct Wire {
    status: Option<RwSignal<Status>>,
    codes: &'static [&'static str],
    hint: Option<String>,
    error: String,
}

impl Wire {
    fn new(id: &str, hint: bool, codes: &'static [&'static str]) -> Wire {
        Wire {
            status: use_context::<FormStatus>().map(|f| f.0),
            codes,
            hint: hint.then(|| format!("{id}-hint")),
            error: format!("{id}-error"),
        }
    }

    /// The form's error, if it is this field's.
    fn error(&self) -> Option<Status> {
        let codes = self.codes;
        self.status?.with(|s| {
            s.field()
                .is_some_and(|c| codes.contains(&c))
                .then(|| s.clone())
        })
    }

    fn invalid(&self) -> impl Fn() -> &'static str + Send + Sync + 'static {
        let w = self.clone();
        move || if w.error().is_some() { "true" } else { "false" }
    }

    fn described_by(&self) -> impl Fn() -> Option<String> + Send + Sync + 'static {
        let w = self.clone();
        move || {
            let ids: Vec<&str> = w
                .hint
                .iter()
                .map(String::as_str)
                .chain(w.error().is_some().then_some(w.error.as_str()))
                .collect();
            (!ids.is_empty()).then(|| ids.join(" "))
        }
    }

    /// The hint and the inline error under the control.
    fn notes(&self, hint: Option<Key>) -> impl IntoView {
        let i18n = use_i18n();
        let w = self.clone();
        let id = self.error.clone();
        view! {
            {hint.zip(self.hint.clone()).map(|(key, id)| view! { <span id=id class="hint">{tr(key)}</span> })}
            {move || {
                w.error()
                    .map(|s| view! { <span id=id.clone() class="field-error">{move || s.render(i18n)}</span> })
            }}
        }
    }
}

/// The label line: the label, and a mark when the field is required (outside
/// the label, so the field's name stays the label's words).
fn label_line(id: String, label: Label, required: bool, hidden: bool) -> impl IntoView {
    view! {
        <span class="label-line" class:visually-hidden=hidden>
            <label for=id>{label.view()}</label>
            {required.then(|| view! { <span class="required-mark" aria-hidden="true">"*"</span> })}
        </span>
    }
}

/// A one-line input (`kind`: text, search, tel, number, datetime-local).
#[component]
pub fn TextInput(
    #[prop(into)] id: String,
    #[prop(into)] label: Label,
    #[prop(into)] value: Bind,
    #[prop(optional)] hint: Option<Key>,
    /// Validation codes whose message shows under this field.
    #[prop(optional)]
    codes: &'static [&'static str],
    #[prop(optional)] required: bool,
    #[prop(default = "text")] kind: &'static str,
    #[prop(optional)] autocomplete: Option<&'static str>,
    #[prop(optional)] autocapitalize: Option<&'static str>,
    /// Bounds of a number field.
    #[prop(optional)]
    min: Option<u32>,
    #[prop(optional)] max: Option<u32>,
    /// Label and control in a row, without the field's block.
    #[prop(optional)]
    inline: bool,
    #[prop(optional, into)] disabled: MaybeProp<bool>,
) -> impl IntoView {
    let wire = Wire::new(&id, hint.is_some(), codes);
    let numeric = kind == "number";
    let control = view! {
        <input
            id=id.clone()
            type=kind
            inputmode=numeric.then_some("numeric")
            min=min.map(|n| n.to_string())
            max=max.map(|n| n.to_string())
            autocomplete=autocomplete
            autocapitalize=autocapitalize
            disabled=move || disabled.get().unwrap_or(false)
            aria-required=required.then_some("true")
            aria-invalid=wire.invalid()
            aria-describedby=wire.described_by()
            prop:value=move || value.get.get()
            on:input=move |ev| value.set.run(event_target_value(&ev))
        />
    };
    field(
        id,
        label,
        required,
        inline,
        control.into_any(),
        wire.notes(hint).into_any(),
    )
}

/// A multi-line text.
#[component]
pub fn TextArea(
    #[prop(into)] id: String,
    #[prop(into)] label: Label,
    #[prop(into)] value: Bind,
    #[prop(optional)] hint: Option<Key>,
    #[prop(optional)] codes: &'static [&'static str],
    #[prop(optional)] required: bool,
    #[prop(default = 3)] rows: u32,
) -> impl IntoView {
    let wire = Wire::new(&id, hint.is_some(), codes);
    let control = view! {
        <textarea
            id=id.clone()
            rows=rows
            aria-required=required.then_some("true")
            aria-invalid=wire.invalid()
            aria-describedby=wire.described_by()
            prop:value=move || value.get.get()
            on:input=move |ev| value.set.run(event_target_value(&ev))
        ></textarea>
    };
    field(
        id,
        label,
        required,
        false,
        control.into_any(),
        wire.notes(hint).into_any(),
    )
}

/// A drop-down over `options`; `none` puts a first option "" with its words.
#[component]
pub fn Select(
    #[prop(into)] id: String,
    #[prop(into)] label: Label,
    #[prop(into)] value: Bind,
    #[prop(into)] options: Options,
    #[prop(optional)] none: Option<Key>,
    #[prop(optional)] hint: Option<Key>,
    #[prop(optional)] codes: &'static [&'static str],
    #[prop(optional)] required: bool,
    #[prop(optional)] inline: bool,
    /// The label is for screen readers only (a select in a table row).
    #[prop(optional)]
    hide_label: bool,
    #[prop(optional, into)] disabled: MaybeProp<bool>,
) -> impl IntoView {
    let wire = Wire::new(&id, hint.is_some(), codes);
    let current = value.get;
    let control = view! {
        <select
            id=id.clone()
            disabled=move || disabled.get().unwrap_or(false)
            aria-required=required.then_some("true")
            aria-invalid=wire.invalid()
            aria-describedby=wire.described_by()
            prop:value=move || current.get()
            on:change=move |ev| value.set.run(event_target_value(&ev))
        >
            {none.map(|key| view! { <option value="" selected=move || current.with(String::is_empty)>{tr(key)}</option> })}
            {move || {
                options
                    .get()
                    .into_iter()
                    .map(|(v, words)| {
                        let mine = v.clone();
                        view! { <option value=v selected=move || current.with(|c| *c == mine)>{words}</option> }
                    })
                    .collect_view()
            }}
        </select>
    };
    let label = label_line(id, label, required, hide_label).into_any();
    let notes = wire.notes(hint).into_any();
    if inline {
        view! { {label} {control} {notes} }.into_any()
    } else {
        view! { <div class="field">{label} {control} {notes}</div> }.into_any()
    }
}

fn field(
    id: String,
    label: Label,
    required: bool,
    inline: bool,
    control: AnyView,
    notes: AnyView,
) -> AnyView {
    let label = label_line(id, label, required, false);
    if inline {
        view! { {label} {control} {notes} }.into_any()
    } else {
        view! { <div class="field">{label} {control} {notes}</div> }.into_any()
    }
}

/// Fields that belong together under a legend (a place, a time window).
#[component]
pub fn Group(
    legend: Key,
    #[prop(optional)] class: &'static str,
    children: Children,
) -> impl IntoView {
    view! {
        <fieldset class=format!("field {class}")>
            <legend>{tr(legend)}</legend>
            {children()}
        </fieldset>
    }
}

/// One choice of a few, as radio buttons (`name` groups them; ids are
/// `<name>-<value>`).
#[component]
pub fn Radios(
    name: &'static str,
    legend: Key,
    #[prop(into)] value: Bind,
    #[prop(into)] options: Options,
) -> impl IntoView {
    view! {
        <fieldset class="field">
            <legend>{tr(legend)}</legend>
            {move || {
                options
                    .get()
                    .into_iter()
                    .map(|(v, words)| {
                        let id = format!("{name}-{v}");
                        let for_id = id.clone();
                        let (mine, pick) = (v.clone(), v);
                        view! {
                            <label class="radio" for=for_id>
                                <input
                                    type="radio"
                                    id=id
                                    name=name
                                    prop:checked=move || value.get.with(|c| *c == mine)
                                    on:change=move |_| value.set.run(pick.clone())
                                />
                                {words}
                            </label>
                        }
                    })
                    .collect_view()
            }}
        </fieldset>
    }
}

/// Any of several, as checkboxes (categories, weekdays, grids, members).
/// Nothing ticked means "any" where the form says so in its hint.
#[component]
pub fn CheckList(
    legend: Key,
    #[prop(optional)] hint: Option<Key>,
    /// Prefix of the checkboxes' ids, unique on the page.
    #[prop(into)]
    id_prefix: String,
    #[prop(into)] options: Options,
    selected: RwSignal<Vec<String>>,
) -> impl IntoView {
    view! {
        <fieldset class="field">
            <legend>{tr(legend)}</legend>
            {hint.map(|h| view! { <p class="hint">{tr(h)}</p> })}
            {move || {
                let id_prefix = id_prefix.clone();
                options
                    .get()
                    .into_iter()
                    .enumerate()
                    .map(|(i, (value, text))| {
                        let id = format!("{id_prefix}-{i}");
                        let for_id = id.clone();
                        let v = value.clone();
                        view! {
                            <label class="radio" for=for_id>
                                <input
                                    type="checkbox"
                                    id=id
                                    prop:checked=move || selected.with(|s| s.contains(&v))
                                    on:change=move |ev| {
                                        let on = event_target_checked(&ev);
                                        selected
                                            .update(|s| {
                                                s.retain(|x| *x != value);
                                                if on {
                                                    s.push(value.clone());
                                                }
                                            });
                                    }
                                />
                                {text}
                            </label>
                        }
                    })
                    .collect_view()
            }}
        </fieldset>
    }
}
