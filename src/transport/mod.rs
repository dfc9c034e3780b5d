//! Transport: distances between real places (great circle, road estimate, optional OSRM), the
//! legs of each loan with km, time, cost and CO2, chaining of loans venue to venue, optimised
//! delivery tours and day plans that fit the van.

pub mod distance;
pub mod http;
pub mod model;
pub mod service;
pub mod store;
pub mod tour;
