//! Fair territorial access: who is reached and who is not. Coverage of the region by commune
//! class, EPCI or department over any period (every commune counted, with or without a venue),
//! the yearly indicators of the observatory, and public map layers. Sits above booking and
//! billing (it reads their facts), below nothing.

pub mod coverage;
pub mod indicators;
pub mod maps;
pub mod page;
pub mod store;
pub mod svg;
