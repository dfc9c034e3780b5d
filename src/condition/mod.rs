//! Condition and wear: hand-over condition reports, the blocking rules that keep an unfit copy
//! from travelling, maintenance, wear figures and forecasts, retirement, and the producer's fleet.

pub mod lifecycle;
pub mod model;
pub mod service;
pub mod store;
pub mod wear;
