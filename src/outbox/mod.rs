//! Domain events recorded in the database, in the same transaction as the change they describe,
//! for the notification sender to deliver later (an outbox: nothing is lost if a mail server is
//! down, and every instance can read it). The event vocabulary lives here (`model`): every kind
//! of event and every kind of subject, each wire name written once, and the subsets that mail
//! and webhooks announce.

pub mod model;
pub mod store;

pub use model::{
    join_names, parse_names, EventKind, MailKind, SubjectType, WebhookEvent, WebhookObject,
};
pub use store::{about, exists, record, record_once, record_processed, record_with_snapshot};
