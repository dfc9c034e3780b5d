//! Allocation rounds for contested resources: the agency opens a round, venues request dates, a
//! planner proposes who gets what under a policy (`equity` favours the under-served territory,
//! `first_come` the order of arrival) and the agency confirms, booking the plan in one
//! transaction. Sits above booking (it books through it) and the observatory (it reads the
//! territory's loans).

pub mod model;
pub mod plan;
pub mod service;
pub mod store;
