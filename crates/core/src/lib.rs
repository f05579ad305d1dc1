//! linli-core: the domain of linli. Plain Rust, no browser and no HTTP
//! crates, so the same rules run on every device and on the endpoint.
//!
//! Start at `op` (what can happen), `reduce` (what it does), `lifecycle`
//! (the status table) and `permissions` (the role matrix); `views` derives
//! what pages show; `hash` checks convergence; `demo` makes a sample log.

#![forbid(unsafe_code)]
#![warn(missing_docs)]

pub mod actions;
pub mod activities;
pub mod activity;
pub mod calendar;
pub mod care;
pub mod checkin;
pub mod code;
pub mod demo;
pub mod hash;
pub mod hlc;
pub mod ids;
pub mod inbox;
pub mod kiosk;
pub mod lean;
pub mod lifecycle;
pub mod model;
pub mod nav;
pub mod op;
pub mod open311;
mod pairs;
pub mod permissions;
pub mod photos;
pub mod private;
pub mod protocol;
pub mod reduce;
pub mod replica;
pub mod rules;
pub mod street;
pub mod validate;
pub mod views;

/// Version of the wire schema of operations and protocol types. Bump it when
/// an op kind is added or reshaped; readers keep unknown kinds as `Unknown`.
pub const SCHEMA_VERSION: u16 = 6;

pub use hlc::{Clock, Hlc};
pub use ids::{
    ActivityId, CommunityId, DeviceId, MemberId, OpId, PartnerId, ResourceId, TeamId, WishId,
};
pub use op::{Action, LogEntry, Op, OpKind};
pub use reduce::{Outcome, State, VoidReason, apply, apply_op, fold};
pub use validate::ValidationError;
