//! Booking calendars: requests that hold a copy, the approval workflow, occupied periods that
//! include travel, set-up and turnaround, never a double booking, the waitlist, availability and
//! iCalendar feeds.

pub mod calendar;
pub mod chaining;
pub mod feeds;
pub mod hooks;
pub mod model;
pub mod period;
pub mod service;
pub mod store;

pub use model::{Booking, BookingStatus};
