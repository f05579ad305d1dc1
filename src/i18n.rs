//! Translations: zh-CN first, English second. Texts live in locales/*.json;
//! build.rs turns them into the `k` constants, so every key exists in every
//! locale at compile time.
use leptos::prelude::*;

use crate::lazy_pages::{NotLoaded, split_call};

/// A translation key (index into the generated tables).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Key(usize);

/// The generated keys, one constant per entry of locales/zh-CN.json.
pub mod k {
    use super::{Key, Table};
    include!(concat!(env!("OUT_DIR"), "/i18n_keys.rs"));
}

/// A generated table: its entries end to end, and where each one ends.
pub(crate) struct Table {
    text: &'static str,
    ends: &'static [u16],
}

impl Table {
    fn get(&self, i: usize) -> &'static str {
        let start = i.checked_sub(1).map_or(0, |p| usize::from(self.ends[p]));
        &self.text[start..usize::from(self.ends[i])]
    }
}

#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum Locale {
    #[default]
    ZhCn,
    En,
}

impl Locale {
    pub const ALL: [Locale; 2] = [Locale::ZhCn, Locale::En];

    /// BCP 47 tag, as used in `<html lang>` and in storage.
    pub fn tag(self) -> &'static str {
        match self {
            Locale::ZhCn => "zh-CN",
            Locale::En => "en",
        }
    }

    pub fn from_tag(tag: &str) -> Option<Locale> {
        Locale::ALL
            .into_iter()
            .find(|l| l.tag().eq_ignore_ascii_case(tag))
    }

    pub fn text(self, key: Key) -> &'static str {
        match self {
            Locale::ZhCn => k::ZH_CN.get(key.0),
            Locale::En => english().get(key.0),
        }
    }

    /// Whether this locale's table is in memory (zh-CN always is).
    pub fn is_loaded(self) -> bool {
        self == Locale::ZhCn || cfg!(not(feature = "split")) || ENGLISH.get().is_some()
    }
}

// Only the default locale is in the main wasm (issue 18): the English table
// is a chunk of its own (`linli_en`), loaded by `load` before the app shows
// English (at start for a device set to English, or when switched), and
// precached with every other chunk. Without the `split` feature (tests, an
// unsplit build) it is in the main wasm.

/// The English table once its chunk is loaded.
static ENGLISH: std::sync::OnceLock<&'static Table> = std::sync::OnceLock::new();

#[cfg_attr(
    feature = "split",
    leptos::wasm_split::wasm_split(linli_en, wasm_split_path = ::leptos::wasm_split, fallible)
)]
fn english_table() -> Result<&'static Table, NotLoaded> {
    static EN: Table = k::EN;
    Ok(&EN)
}

#[cfg(feature = "split")]
fn english() -> &'static Table {
    // Never reached before `load`: `I18n` only switches once it is loaded.
    static ZH: Table = k::ZH_CN;
    ENGLISH.get().copied().unwrap_or(&ZH)
}

#[cfg(not(feature = "split"))]
fn english() -> &'static Table {
    static EN: Table = k::EN;
    &EN
}

/// Loads `locale`'s table if it is not in memory yet.
pub async fn load(locale: Locale) -> Result<(), NotLoaded> {
    if !locale.is_loaded() {
        let table = split_call!(english_table())?;
        let _ = ENGLISH.set(table);
    }
    Ok(())
}

/// Looks a key up by its name, for codes that arrive as data (error codes
/// from linli-core or the endpoint).
pub fn key_by_name(name: &str) -> Option<Key> {
    (0..k::NAMES.ends.len())
        .find(|&i| k::NAMES.get(i) == name)
        .map(Key)
}

/// The words of `<prefix>.<code>` (a code from linli-core: a category, a
/// status…) in the current locale, or the code itself if there are none.
pub fn label(i18n: I18n, prefix: &str, code: &str) -> String {
    key_by_name(&format!("{prefix}.{code}"))
        .map(|key| i18n.t(key).to_owned())
        .unwrap_or_else(|| code.to_owned())
}

/// Replaces `{name}` placeholders.
pub fn fill(template: &str, args: &[(&str, &str)]) -> String {
    args.iter().fold(template.to_owned(), |s, (name, value)| {
        s.replace(&format!("{{{name}}}"), value)
    })
}

const STORAGE_KEY: &str = "linli.locale";

/// The current locale, shared through context. Kept in localStorage (read
/// synchronously, so the first paint is already in the right language).
#[derive(Clone, Copy)]
pub struct I18n {
    locale: RwSignal<Locale>,
}

impl I18n {
    pub fn locale(&self) -> Locale {
        self.locale.get()
    }

    /// Switches to `locale` once its table is loaded (at once if it is).
    /// A table that cannot be loaded (offline before the service worker
    /// has cached it) leaves the language as it is (a console warning).
    pub fn set_locale(&self, locale: Locale) {
        let this = *self;
        leptos::task::spawn_local(async move {
            if load(locale).await.is_err() {
                leptos::logging::warn!("linli: the {} texts could not be loaded", locale.tag());
                return;
            }
            this.locale.set(locale);
            if let Some(storage) = local_storage() {
                // A refused write only loses the preference, never user data.
                let _ = storage.set_item(STORAGE_KEY, locale.tag());
            }
        });
    }

    /// The text of `key` in the current locale; reactive when called in a view.
    pub fn t(&self, key: Key) -> &'static str {
        self.locale.get().text(key)
    }

    /// Items joined by the locale's list separator ("、" or ", ").
    pub fn list<S: AsRef<str>>(&self, items: &[S]) -> String {
        let parts: Vec<&str> = items.iter().map(AsRef::as_ref).collect();
        parts.join(self.t(k::UI_LIST_SEP))
    }

    /// "接单：title" / "Claim: title", an action's accessible name.
    pub fn about(&self, what: &str, title: &str) -> String {
        fill(self.t(k::UI_ABOUT), &[("what", what), ("title", title)])
    }

    /// "陈晓敏（志愿者）" / "陈晓敏 (Volunteer)".
    pub fn with_role(&self, name: &str, role: &str) -> String {
        fill(self.t(k::UI_WITH_ROLE), &[("name", name), ("role", role)])
    }
}

#[cfg(test)]
impl I18n {
    /// An `I18n` in `locale`, outside the app (unit tests).
    pub fn fixed(locale: Locale) -> I18n {
        I18n {
            locale: RwSignal::new(locale),
        }
    }
}

pub(crate) fn local_storage() -> Option<web_sys::Storage> {
    web_sys::window()?.local_storage().ok().flatten()
}

/// Loads the table of the locale this device is set to, before the app
/// mounts, so the first paint is already in the right language.
pub async fn load_stored() {
    // A table that cannot be loaded falls back to zh-CN (`provide_i18n`).
    let _ = load(stored_locale()).await;
}

fn stored_locale() -> Locale {
    local_storage()
        .and_then(|s| s.get_item(STORAGE_KEY).ok().flatten())
        .and_then(|tag| Locale::from_tag(&tag))
        .unwrap_or_default()
}

/// Creates the i18n context and keeps `<html lang>` in step with it.
pub fn provide_i18n() -> I18n {
    let stored = stored_locale();
    let i18n = I18n {
        locale: RwSignal::new(if stored.is_loaded() {
            stored
        } else {
            Locale::ZhCn
        }),
    };
    provide_context(i18n);
    if !stored.is_loaded() {
        // Chosen after `load_stored` ran (the landing page's switch, before
        // the app was here): switch once its table is loaded.
        i18n.set_locale(stored);
    }
    Effect::new(move |_| {
        let tag = i18n.locale.get().tag();
        if let Some(root) = web_sys::window()
            .and_then(|w| w.document())
            .and_then(|d| d.document_element())
        {
            let _ = root.set_attribute("lang", tag);
        }
    });
    i18n
}

pub fn use_i18n() -> I18n {
    expect_context::<I18n>()
}

/// A reactive text for use in views: `{tr(k::NAV_HOME)}`.
pub fn tr(key: Key) -> impl Fn() -> &'static str + Copy + Send + Sync + 'static {
    let i18n = use_i18n();
    move || i18n.t(key)
}

#[cfg(test)]
mod tests {
    use super::key_by_name;
    use linli_core::calendar::Weekday;
    use linli_core::code::Coded;
    use linli_core::lifecycle::Step;
    use linli_core::model::{Category, Channel, Level, Rating, Role, Status, Urgency};
    use linli_core::reduce::{PointsReason, VoidReason};
    use linli_core::views::{Column, Fit, GroupBy};

    fn worded<T: Coded>(prefix: &str) {
        for v in T::all() {
            let name = format!("{prefix}.{}", v.code());
            assert!(key_by_name(&name).is_some(), "no words for {name}");
        }
    }

    /// Every code a page puts into words (`label(prefix, code)`) has them.
    #[test]
    fn every_code_the_pages_show_has_words() {
        worded::<Category>("category");
        worded::<Urgency>("urgency");
        worded::<Status>("status");
        worded::<Rating>("rating");
        worded::<Level>("level");
        worded::<Channel>("channel");
        worded::<Channel>("wish.form.channel");
        worded::<Role>("role");
        worded::<Step>("step");
        worded::<VoidReason>("void");
        worded::<PointsReason>("points.reason");
        worded::<Column>("column");
        worded::<Fit>("fit");
        worded::<Weekday>("weekday");
        worded::<GroupBy>("dashboard.group");
        worded::<linli_core::care::Frequency>("care.frequency");
        worded::<linli_core::care::HouseholdStatus>("care.status");
        worded::<linli_core::care::VisitMode>("care.mode");
        worded::<linli_core::care::Outcome>("care.outcome");
        worded::<linli_core::street::StreetAction>("street.action");
    }
}
