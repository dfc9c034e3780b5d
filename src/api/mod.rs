//! The JSON API's handlers, one file per domain: each reads the request, asks the shared state for
//! a connection and the clock, calls its domain's service and writes the answer. They sit above
//! every domain (a front, like the portal), so no domain module imports a handler or the state
//! they share; `app` wires their routes.

pub mod account;
pub mod allocation;
pub mod audit;
pub mod auth;
pub mod billing;
pub mod booking;
pub mod catalogue;
pub mod condition;
pub mod evaluation;
pub mod idempotency;
pub mod media;
pub mod notify;
pub mod observatory;
pub mod organization;
pub mod territory;
pub mod transport;
pub mod webhooks;
