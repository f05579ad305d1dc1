//! Contact details live outside the community log (brief §3): this type is
//! never part of `State` and never inside an `Op`. The endpoint stores it
//! separately and hands it only to those `may_see` allows; devices drop it
//! once `should_keep` says the wish is over.

use crate::ids::{MemberId, WishId};
use crate::model::Role;
use crate::model::{Member, Wish};
use crate::reduce::State;
use serde::{Deserialize, Serialize};

/// Longest phone number, in characters.
pub const PHONE_MAX_CHARS: usize = 20;
/// Longest exact address, in characters.
pub const ADDRESS_MAX_CHARS: usize = 200;
/// Longest requester name, in characters.
pub const NAME_MAX_CHARS: usize = 60;
/// Longest email address, in bytes (RFC 5321's path limit).
pub const EMAIL_MAX_BYTES: usize = 254;

/// A resident's contact details for one wish.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct ContactRecord {
    /// The wish these details belong to.
    pub wish: WishId,
    /// Phone number.
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub phone: String,
    /// Exact address (room number etc.).
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub address: String,
    /// The requester's name, when a city system sent one (Open311
    /// `first_name`/`last_name`).
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub name: String,
    /// The requester's email, when a city system sent one.
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub email: String,
}

/// Why a contact record is unacceptable (stable codes).
#[derive(Clone, Copy, Debug, PartialEq, Eq, thiserror::Error)]
pub enum ContactError {
    /// Phone has characters other than digits, spaces, `+` and `-`, or is too long.
    #[error("phone number is invalid")]
    BadPhone,
    /// Address over `ADDRESS_MAX_CHARS`.
    #[error("address is too long")]
    AddressTooLong,
    /// Name over `NAME_MAX_CHARS` or with control characters.
    #[error("name is too long or has control characters")]
    BadName,
    /// Email without one `@` between non-empty parts, with spaces, or too long.
    #[error("email address is invalid")]
    BadEmail,
}

impl ContactError {
    /// Stable code.
    pub fn code(&self) -> &'static str {
        match self {
            ContactError::BadPhone => "bad_phone",
            ContactError::AddressTooLong => "address_too_long",
            ContactError::BadName => "bad_name",
            ContactError::BadEmail => "bad_email",
        }
    }
}

impl ContactRecord {
    /// Check the record before storing it.
    pub fn validate(&self) -> Result<(), ContactError> {
        let ok = self.phone.chars().count() <= PHONE_MAX_CHARS
            && self
                .phone
                .chars()
                .all(|c| c.is_ascii_digit() || matches!(c, ' ' | '+' | '-'));
        if !ok {
            return Err(ContactError::BadPhone);
        }
        if self.address.chars().count() > ADDRESS_MAX_CHARS {
            return Err(ContactError::AddressTooLong);
        }
        if self.name.chars().count() > NAME_MAX_CHARS || self.name.chars().any(char::is_control) {
            return Err(ContactError::BadName);
        }
        let e = &self.email;
        let email_ok = e.is_empty()
            || (e.len() <= EMAIL_MAX_BYTES
                && !e.chars().any(|c| c.is_whitespace() || c.is_control())
                && e.split_once('@')
                    .is_some_and(|(a, b)| !a.is_empty() && !b.is_empty() && !b.contains('@')));
        if !email_ok {
            return Err(ContactError::BadEmail);
        }
        Ok(())
    }
}

/// Whether `member` may read the contact record of `wish`: coordinators,
/// grid workers of the wish's grid (who visit door to door), the requester,
/// the filer (not a kiosk), and whoever currently holds the open wish. Once
/// the wish is closed only coordinators, until the endpoint deletes it.
pub fn may_see(state: &State, member: &MemberId, wish: &WishId) -> bool {
    let (Some(m), Some(w)) = (state.members.get(member), state.wishes.get(wish)) else {
        return false;
    };
    if !m.active || w.status.is_terminal() && m.role != Role::Coordinator {
        return false;
    }
    staff_or_requester(m, w)
        || (w.created_by == m.id && m.role != Role::Kiosk)
        || state.holds(member, w)
}

/// Whether `member` may set the contact record of `wish` (the endpoint's
/// `PUT …/private/{wish}`): coordinators, grid workers of its grid, the
/// requester and the filer (a kiosk too: it sends what was typed at it,
/// and never reads it back), only while the wish is open.
pub fn may_write(state: &State, member: &MemberId, wish: &WishId) -> bool {
    let (Some(m), Some(w)) = (state.members.get(member), state.wishes.get(wish)) else {
        return false;
    };
    m.active && !w.status.is_terminal() && (staff_or_requester(m, w) || w.created_by == m.id)
}

fn staff_or_requester(m: &Member, w: &Wish) -> bool {
    let in_grid = || w.place.grid.as_ref().is_some_and(|g| m.grids.contains(g));
    m.role == Role::Coordinator
        || (m.role == Role::GridWorker && in_grid())
        || w.requester.as_ref() == Some(&m.id)
}

/// Whether a device should keep the record: false once the wish is closed,
/// rejected, merged or cancelled (or unknown).
pub fn should_keep(state: &State, wish: &WishId) -> bool {
    state
        .wishes
        .get(wish)
        .is_some_and(|w| !w.status.is_terminal())
}
