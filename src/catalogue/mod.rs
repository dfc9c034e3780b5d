//! The shared catalogue: resources (exhibitions, trunks, kits, models) published by producers,
//! their physical copies with asset tags, and the components a kit must come back with.

pub mod index;
pub mod model;
pub mod positions;
pub mod search;
pub mod service;
pub mod store;

pub use model::{Audience, Copy, CopyStatus, Resource, ResourceKind};
