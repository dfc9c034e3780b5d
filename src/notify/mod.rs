//! Notifications: the outbox's events become mail to the people who must act. Fan-out renders
//! each event for its recipients (French or English templates kept as files) into
//! `notifications`; the worker of every instance leases due mail, sends it over SMTP (lettre) and
//! records the outcome, retrying with exponential backoff for 24 hours. A change committed is
//! announced at least once, whatever crashes in between. Sits above booking and organization
//! (it reads who to tell), below nothing.

pub mod fanout;
pub mod mail;
pub mod model;
pub mod service;
pub mod store;
pub mod templates;
pub mod webhook;
pub mod worker;
