//! Data access for communes, and the seed that loads them from the shipped CSV.

use diesel::prelude::*;

use super::model::{Commune, CommuneClass};
use crate::db::{DbConnection, DbError};
use crate::schema::communes;

/// The real communes of Hauts-de-France (see `data/NOTICE.md` for sources and licence).
const COMMUNES_CSV: &str = include_str!("../../data/hauts-de-france-communes.csv");

/// A commune row as stored.
#[derive(Debug, Clone, Queryable, Selectable, Insertable)]
#[diesel(table_name = communes)]
pub struct CommuneRow {
    pub insee_code: String,
    pub name: String,
    pub search_name: String,
    pub department: String,
    pub postcode: String,
    pub population: i32,
    pub epci_siren: String,
    pub epci_name: String,
    pub latitude: f64,
    pub longitude: f64,
    pub coordinates_source: String,
}

impl From<CommuneRow> for Commune {
    fn from(row: CommuneRow) -> Self {
        Commune {
            class: CommuneClass::of_population(i64::from(row.population)),
            insee_code: row.insee_code,
            name: row.name,
            department: row.department,
            postcode: row.postcode,
            population: row.population,
            epci_siren: row.epci_siren,
            epci_name: row.epci_name,
            latitude: row.latitude,
            longitude: row.longitude,
            coordinates_source: row.coordinates_source,
        }
    }
}

/// Parses the shipped CSV; a malformed file is a build defect, reported as a migration error.
pub fn shipped_communes() -> Result<Vec<CommuneRow>, DbError> {
    let mut reader = csv::Reader::from_reader(COMMUNES_CSV.as_bytes());
    let mut rows = Vec::with_capacity(3_800);
    for (line, record) in reader.records().enumerate() {
        let record = record
            .map_err(|e| DbError::Migration(format!("communes CSV line {}: {e}", line + 2)))?;
        let field = |i: usize| record.get(i).unwrap_or_default().to_string();
        let number = |i: usize| -> Result<f64, DbError> {
            field(i).parse::<f64>().map_err(|e| {
                DbError::Migration(format!("communes CSV line {}, column {i}: {e}", line + 2))
            })
        };
        let name = field(1);
        rows.push(CommuneRow {
            insee_code: field(0),
            search_name: crate::text::fold(&name),
            name,
            department: field(2),
            postcode: field(3),
            population: number(4)? as i32,
            epci_siren: field(5),
            epci_name: field(6),
            latitude: number(7)?,
            longitude: number(8)?,
            coordinates_source: field(9),
        });
    }
    Ok(rows)
}

/// Loads the communes when the table is empty; runs with the migrations (under their lock), so
/// it is safe when several instances start together and does nothing on later starts.
pub fn seed_communes(conn: &mut DbConnection) -> Result<usize, DbError> {
    let present: i64 = communes::table.count().get_result(conn)?;
    if present > 0 {
        return Ok(0);
    }
    let rows = shipped_communes()?;
    conn.transaction(|conn| {
        for chunk in rows.chunks(500) {
            match conn {
                DbConnection::Sqlite(c) => {
                    diesel::insert_into(communes::table)
                        .values(chunk)
                        .execute(c)?;
                }
                DbConnection::Postgres(c) => {
                    diesel::insert_into(communes::table)
                        .values(chunk)
                        .execute(c)?;
                }
            }
        }
        Ok::<_, DbError>(())
    })?;
    Ok(rows.len())
}

/// Filters of the commune search.
#[derive(Debug, Default, Clone)]
pub struct CommuneFilter {
    /// Already folded name prefix.
    pub name_prefix: Option<String>,
    pub department: Option<String>,
    pub limit: i64,
}

/// Communes matching the filter, largest first (the one a user most likely means).
pub fn search(conn: &mut DbConnection, filter: &CommuneFilter) -> QueryResult<Vec<CommuneRow>> {
    let mut query = communes::table.select(CommuneRow::as_select()).into_boxed();
    if let Some(prefix) = &filter.name_prefix {
        let pattern = format!("{}%", crate::text::like_escape(prefix));
        query = query.filter(communes::search_name.like(pattern).escape('\\'));
    }
    if let Some(department) = &filter.department {
        query = query.filter(communes::department.eq(department));
    }
    query
        .order((communes::population.desc(), communes::insee_code.asc()))
        .limit(filter.limit)
        .load(conn)
}

/// Every commune, by INSEE code.
pub fn all(conn: &mut DbConnection) -> QueryResult<Vec<CommuneRow>> {
    communes::table
        .select(CommuneRow::as_select())
        .order(communes::insee_code.asc())
        .load(conn)
}

/// One commune by INSEE code.
pub fn find(conn: &mut DbConnection, insee_code: &str) -> QueryResult<Option<CommuneRow>> {
    communes::table
        .find(insee_code)
        .select(CommuneRow::as_select())
        .first(conn)
        .optional()
}
