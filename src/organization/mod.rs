//! Organisations of the network (agency, producers, venues, partners) and their users.

pub mod hours;
pub mod legal;
pub mod model;
pub mod service;
pub mod store;

pub use model::{Locale, OrgKind, Organization, Role, User, VenueType};
