//! What happened to the last thing the user asked for, the one message type
//! of every page: always words from the locales (a key, with `{name}`
//! arguments that may be keys too), never a `Display` text, so a message
//! follows a language switch. Codes from linli-core, the store or the
//! endpoint become keys by name (`validation.<code>`, `void.<code>`…).
use leptos::prelude::*;
use linli_core::ValidationError;
use linli_core::private::ContactError;
use linli_core::replica::Replica;
use linli_core::{OpId, Outcome, VoidReason};

use crate::i18n::{I18n, Key, fill, k, key_by_name, use_i18n};

/// An argument of a message: text as it is, another key's words, or a
/// whole message (a reason inside "failed: {reason}").
#[derive(Clone, Debug, PartialEq)]
pub enum Arg {
    Plain(String),
    Key(Key),
    Text(Text),
}

/// One or more sentences, each a key and its arguments.
#[derive(Clone, Debug, PartialEq)]
pub struct Text(Vec<(Key, Vec<(&'static str, Arg)>)>);

impl Text {
    pub fn key(key: Key) -> Text {
        Text(vec![(key, Vec::new())])
    }

    /// The words of the first `<prefix>.<code>` key that exists, else
    /// `fallback` with the code as its `{code}`.
    pub fn code(prefixes: &[&str], code: &str, fallback: Key) -> Text {
        prefixes
            .iter()
            .find_map(|p| key_by_name(&format!("{p}.{code}")))
            .map_or_else(|| Text::key(fallback).arg("code", code), Text::key)
    }

    /// Fills `{name}` of the last sentence with `value`.
    pub fn arg(mut self, name: &'static str, value: impl ToString) -> Text {
        if let Some((_, args)) = self.0.last_mut() {
            args.push((name, Arg::Plain(value.to_string())));
        }
        self
    }

    /// Fills `{name}` of the last sentence with the words of `key`.
    pub fn arg_text(mut self, name: &'static str, key: Key) -> Text {
        if let Some((_, args)) = self.0.last_mut() {
            args.push((name, Arg::Key(key)));
        }
        self
    }

    /// Fills `{name}` of the last sentence with the words of `text`.
    pub fn arg_words(mut self, name: &'static str, text: Text) -> Text {
        if let Some((_, args)) = self.0.last_mut() {
            args.push((name, Arg::Text(text)));
        }
        self
    }

    /// Adds a sentence.
    pub fn then(mut self, more: Text) -> Text {
        self.0.extend(more.0);
        self
    }

    /// The words in the current language.
    pub fn render(&self, i18n: I18n) -> String {
        let sentences: Vec<String> = self
            .0
            .iter()
            .map(|(key, args)| {
                let values: Vec<(&str, String)> = args
                    .iter()
                    .map(|(name, arg)| {
                        let value = match arg {
                            Arg::Plain(s) => s.clone(),
                            Arg::Key(k) => i18n.t(*k).to_owned(),
                            Arg::Text(t) => t.render(i18n),
                        };
                        (*name, value)
                    })
                    .collect();
                let refs: Vec<(&str, &str)> =
                    values.iter().map(|(n, v)| (*n, v.as_str())).collect();
                fill(i18n.t(*key), &refs)
            })
            .collect();
        sentences.join(" ")
    }
}

/// The state of the last request of a form or a panel.
#[derive(Clone, Debug, Default, PartialEq)]
pub enum Status {
    #[default]
    Idle,
    /// Under way ("saving…", "reading…").
    Busy(Key),
    Done(Text),
    /// These ops are durable in the outbox. What the line says follows
    /// them: "saved on this device" while pending, "synced" once the log
    /// has them, nothing once one came back void (the notice says why).
    Saved(Vec<OpId>),
    /// Failed; `field` is the validation code that marks a field
    /// (`components::form` shows the error beside it).
    Failed {
        text: Text,
        field: Option<&'static str>,
    },
}

impl Status {
    pub fn done(key: Key) -> Status {
        Status::Done(Text::key(key))
    }

    pub fn failed(text: Text) -> Status {
        Status::Failed { text, field: None }
    }

    /// A validation error of linli-core, which marks its field.
    pub fn invalid(e: ValidationError) -> Status {
        Status::Failed {
            text: Text::code(&["validation"], e.code(), k::SYNC_REASON_OTHER),
            field: Some(e.code()),
        }
    }

    /// A contact record the core refused (the phone field).
    pub fn contact(e: ContactError) -> Status {
        Status::Failed {
            text: Text::code(&["contact.error"], e.code(), k::SYNC_REASON_OTHER),
            field: Some(e.code()),
        }
    }

    /// An op that folded as void, with the reason in words.
    pub fn void(reason: VoidReason) -> Status {
        Status::failed(Text::code(&["void"], reason.code(), k::SYNC_REASON_OTHER))
    }

    pub fn is_busy(&self) -> bool {
        matches!(self, Status::Busy(_))
    }

    pub fn is_error(&self) -> bool {
        matches!(self, Status::Failed { .. })
    }

    /// The code of the field the error belongs to, if it marks one.
    pub fn field(&self) -> Option<&'static str> {
        match self {
            Status::Failed { field, .. } => *field,
            Status::Idle | Status::Busy(_) | Status::Done(_) | Status::Saved(_) => None,
        }
    }

    pub fn render(&self, i18n: I18n) -> String {
        match self {
            Status::Idle => String::new(),
            Status::Busy(key) => i18n.t(*key).to_owned(),
            Status::Saved(_) => i18n.t(k::UI_SAVED_LOCAL).to_owned(),
            Status::Done(text) | Status::Failed { text, .. } => text.render(i18n),
        }
    }
}

/// Where saved ops stand: all in the log (`Some(true)`), one void there
/// (`Some(false)`), or some still only on this device (`None`).
pub fn synced(replica: &Replica, ops: &[OpId]) -> Option<bool> {
    let outcomes: Option<Vec<Outcome>> = ops
        .iter()
        .map(|id| replica.confirmed().outcome(id))
        .collect();
    outcomes.map(|o| !o.iter().any(|x| matches!(x, Outcome::Void(_))))
}

/// A live line for `status` (`role="status"`, polite).
#[component]
pub fn StatusLine(status: RwSignal<Status>, #[prop(optional)] id: &'static str) -> impl IntoView {
    let i18n = use_i18n();
    let app = crate::state::use_app();
    let words = move || {
        status.with(|s| match s {
            Status::Saved(ops) => match app.replica.with(|r| synced(r, ops)) {
                None => i18n.t(k::UI_SAVED_LOCAL).to_owned(),
                Some(true) => i18n.t(k::UI_SAVED_SYNCED).to_owned(),
                Some(false) => String::new(),
            },
            s => s.render(i18n),
        })
    };
    view! {
        <p
            id=id
            class="status-msg"
            class:error=move || status.with(Status::is_error)
            role="status"
            aria-live="polite"
        >
            {words}
        </p>
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::i18n::Locale;

    /// A coordinator's failed call: the reason is a message of its own,
    /// worded in the language shown now, not the one of the moment it failed.
    #[test]
    fn a_reason_inside_a_message_follows_the_language() {
        let reason = Text::code(
            &["join.error", "sync.reason"],
            "offline",
            k::SYNC_REASON_OTHER,
        );
        let text = Text::key(k::INVITE_ERROR).arg_words("reason", reason);
        let en = I18n::fixed(Locale::En);
        let zh = I18n::fixed(Locale::ZhCn);
        let words = |i18n: I18n| {
            let reason = i18n.t(key_by_name("join.error.offline").unwrap());
            fill(i18n.t(k::INVITE_ERROR), &[("reason", reason)])
        };
        assert_eq!(text.render(en), words(en));
        assert_eq!(text.render(zh), words(zh));
        assert_ne!(text.render(en), text.render(zh));
        // An unknown code is worded by the fallback, naming the code.
        let odd = Text::key(k::INVITE_ERROR).arg_words(
            "reason",
            Text::code(&["join.error"], "no_such_code", k::SYNC_REASON_OTHER),
        );
        assert!(
            odd.render(en).contains("no_such_code"),
            "{}",
            odd.render(en)
        );
    }
}
