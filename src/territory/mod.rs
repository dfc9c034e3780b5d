//! Territory: the communes of the region (reference data from `data/`), their size class and
//! inter-communal area, the ground every organisation and copy is located on.

pub mod geo;
pub mod holidays;
pub mod model;
pub mod store;

pub use model::{Commune, CommuneClass};
pub use store::seed_communes;
