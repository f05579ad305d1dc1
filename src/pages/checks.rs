//! A fieldset of checkboxes over a list of (value, label) options, for the
//! "any of these" choices of the resource and team forms (categories,
//! weekdays, grids, members). Nothing ticked means "any" where the form
//! says so in its hint.
use leptos::prelude::*;

use crate::i18n::{Key, tr};

#[component]
pub fn CheckList(
    legend: Key,
    #[prop(optional)] hint: Option<Key>,
    /// Prefix of the checkboxes' ids, unique on the page.
    #[prop(into)]
    id_prefix: String,
    /// (value, label), in display order.
    #[prop(into)]
    options: Signal<Vec<(String, String)>>,
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
