//! Webhooks for partners (a departmental library network, a regional portal): registration
//! with event types and a secret shown once, deliveries signed per the Standard Webhooks
//! specification, retried with backoff for a day, a delivery log per webhook, automatic
//! disabling after a day of failures, and only the organisation's own objects. URLs must be
//! public addresses (server-side request forgery) unless the operator allows private ones.

pub mod address;
pub mod delivery;
pub mod model;
pub mod outgoing;
pub mod service;
pub mod signature;
pub mod store;
