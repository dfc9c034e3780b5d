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

/// What a person typed for a commune, read against the region's communes.
#[derive(Debug, Clone)]
pub enum CommuneMatch {
    /// Exactly one commune: an INSEE code, or a name only one commune has.
    One(store::CommuneRow),
    /// No commune of the region has this code or name.
    None,
    /// Several communes bear this name (largest first): the code tells them apart.
    Several(Vec<store::CommuneRow>),
}

/// Reads a commune as a person gives it on a form: its INSEE code (« 80021 ») or its name, with
/// or without accents, hyphens and capitals (« amiens », « Saint Quentin »). A form then never
/// asks for a code nobody knows by heart, and homonyms are told apart by the code.
pub fn match_commune(
    conn: &mut crate::db::DbConnection,
    typed: &str,
) -> crate::error::Result<CommuneMatch> {
    let typed = typed.trim();
    if typed.len() == 5 && typed.chars().all(|c| c.is_ascii_alphanumeric()) {
        if let Some(commune) = store::find(conn, &typed.to_ascii_uppercase())? {
            return Ok(CommuneMatch::One(commune));
        }
    }
    let folded = crate::text::fold(typed);
    if folded.is_empty() {
        return Ok(CommuneMatch::None);
    }
    let mut same_name: Vec<store::CommuneRow> = store::search(
        conn,
        &store::CommuneFilter {
            name_prefix: Some(folded.clone()),
            department: None,
            limit: 200,
        },
    )?
    .into_iter()
    .filter(|c| c.search_name == folded)
    .collect();
    Ok(match same_name.len() {
        0 => CommuneMatch::None,
        1 => CommuneMatch::One(same_name.remove(0)),
        _ => CommuneMatch::Several(same_name),
    })
}
