//! What a loan did: once a resource has reached its venue, the venue reports visitors, sessions,
//! audiences reached and its satisfaction (once, editable for 30 days). The observatory totals
//! visitors; producers read the evaluations of their resources. Sits above booking.

pub mod model;
pub mod service;
pub mod store;
