//! Photos and documents of a resource: what a producer hands every host (setup guide, teacher
//! booklet, crate list) and what a venue looks at before asking for a loan.
//!
//! A file's type is sniffed from its first bytes, never taken from its name or the declared
//! content type; photos are resized by the service (a thumbnail and a page size); everything is
//! kept in the database, so that every instance serves it and a backup holds it.

pub mod model;
mod resize;
pub mod service;
pub mod sniff;
pub mod store;

pub use model::{Media, MediaKind, Variant};
