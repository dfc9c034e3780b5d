//! Transport: distances between real places (great circle, road estimate, optional OSRM), the
//! legs of each loan with km, time, cost and CO2, chaining of loans venue to venue, optimised
//! delivery tours, day routing for several vans with pickups, time windows and capacities
//! (`vrp`), and day plans a driver can drive (opening hours, the depot's vans, printable sheets).

pub mod dayplan;
pub mod distance;
pub mod map;
pub mod model;
pub mod service;
pub mod sheet;
pub mod solve;
pub mod store;
pub mod tour;
pub mod vans;
pub mod vrp;
