//! Identifiers. All are strings chosen by the device that creates the thing
//! (so ids can be minted offline), wrapped in newtypes so a wish id can never
//! be passed where a member id is expected.

use serde::{Deserialize, Serialize};
use std::fmt;

macro_rules! string_id {
    ($(#[$doc:meta])* $name:ident) => {
        $(#[$doc])*
        #[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Default, Serialize, Deserialize)]
        #[serde(transparent)]
        pub struct $name(pub String);

        impl $name {
            /// Borrow the id as text, e.g. for keys in storage.
            pub fn as_str(&self) -> &str {
                &self.0
            }
        }

        impl AsRef<str> for $name {
            fn as_ref(&self) -> &str {
                &self.0
            }
        }

        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str(&self.0)
            }
        }

        impl From<&str> for $name {
            fn from(s: &str) -> Self {
                Self(s.to_owned())
            }
        }

        impl From<String> for $name {
            fn from(s: String) -> Self {
                Self(s)
            }
        }
    };
}

string_id!(
    /// One installation of the app (a phone, a kiosk tablet); it numbers its own ops.
    DeviceId
);
string_id!(
    /// A person or a shared identity (kiosk) that authors ops and holds a role.
    MemberId
);
string_id!(
    /// A micro-wish (微心愿): one order on the demand list.
    WishId
);
string_id!(
    /// A volunteer service team (志愿服务队).
    TeamId
);
string_id!(
    /// A co-construction unit (共建单位) that lists resources.
    PartnerId
);
string_id!(
    /// One item of a partner's resource list (资源清单).
    ResourceId
);
string_id!(
    /// The community whose log this is; one log per community.
    CommunityId
);
string_id!(
    /// A themed activity (活动): a Red Saturday clean-up, a festival, a drill.
    ActivityId
);
string_id!(
    /// A household on the care list (关爱名单).
    HouseholdId
);
string_id!(
    /// One visit to a household (上门走访).
    VisitId
);

/// Globally unique op id: the device that minted it and that device's own
/// sequence number (1, 2, 3, …). Lets the endpoint and the reducer drop
/// retried pushes without any coordination.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub struct OpId {
    /// Minting device.
    #[serde(rename = "dev")]
    pub device: DeviceId,
    /// Per-device sequence, starting at 1.
    pub seq: u64,
}

impl OpId {
    /// Shorthand used by tests, fixtures and the app.
    pub fn new(device: impl Into<DeviceId>, seq: u64) -> Self {
        Self {
            device: device.into(),
            seq,
        }
    }
}

impl fmt::Display for OpId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}#{}", self.device, self.seq)
    }
}
