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

/// A resident's contact details for one wish.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ContactRecord {
    /// The wish these details belong to.
    pub wish: WishId,
    /// Phone number.
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub phone: String,
    /// Exact address (room number etc.).
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub address: String,
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
}

impl ContactError {
    /// Stable code.
    pub fn code(&self) -> &'static str {
        match self {
            ContactError::BadPhone => "bad_phone",
            ContactError::AddressTooLong => "address_too_long",
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
