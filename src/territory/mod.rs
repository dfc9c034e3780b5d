//! Territory: the communes of the region (reference data from `data/`), their size class and
//! inter-communal area, the ground every organisation and copy is located on.

pub mod geo;
pub mod holidays;
pub mod model;
pub mod projection;
pub mod store;

pub use model::{Commune, CommuneClass};
pub use store::seed_communes;

/// The name of a commune for a person ("Amiens"), its INSEE code when the code is unknown (a
/// label or a page still says where).
pub fn commune_name(
    conn: &mut crate::db::DbConnection,
    insee_code: &str,
) -> crate::error::Result<String> {
    Ok(store::find(conn, insee_code)?
        .map(|c| c.name)
        .unwrap_or_else(|| insee_code.to_string()))
}
