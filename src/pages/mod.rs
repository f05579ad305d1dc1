//! One file per route. Pages render state and dispatch operations.
mod board;
mod dashboard;
mod home;
mod invite;
mod join;
mod not_found;
mod orders;
mod resources;
mod scan;
mod settings;
mod ui;
mod volunteers;
mod wish_detail;
mod wishes;

pub use board::Board;
pub use dashboard::Dashboard;
pub use home::Home;
pub use invite::Invite;
pub use join::{Join, role_text};
pub use not_found::NotFound;
pub use orders::Orders;
pub use resources::Resources;
pub use settings::Settings;
pub use volunteers::Volunteers;
pub use wish_detail::WishDetail;
pub use wishes::Wishes;
