//! The catalogue search answered by scanning the database, without the in-memory indexes: the
//! reference the tests compare the indexed search with (`search::search_by_scan`).

use std::collections::HashSet;

use chrono::NaiveDate;
use diesel::prelude::*;

use crate::catalogue::model::CopyStatus;
use crate::catalogue::search::SearchFilter;
use crate::db::{DbBackend, DbConnection};
use crate::schema::{
    copies, maintenance_records, occupations, resource_audiences, resource_themes, resources,
};

/// Whether the copy in scope (`copies`) has an active occupation (booking or maintenance) on
/// any day of `[from, to]`.
macro_rules! occupied_over {
    ($from:expr, $to:expr) => {
        diesel::dsl::exists(
            occupations::table
                .filter(occupations::copy_id.eq(copies::id))
                .filter(occupations::active.eq(true))
                .filter(occupations::starts_on.le($to))
                .filter(occupations::ends_on.ge($from)),
        )
    };
}

/// "The copy is under an open-ended repair" (not completed, no end): out of service until then,
/// whatever its status says while it is still out on a loan.
macro_rules! under_repair {
    () => {
        diesel::dsl::exists(
            maintenance_records::table
                .filter(maintenance_records::copy_id.eq(copies::id))
                .filter(maintenance_records::completed_at.is_null())
                .filter(maintenance_records::ends_on.is_null()),
        )
    };
}

/// Adds every filter but proximity and pagination to a boxed query that has `resources` in its
/// FROM clause (the resources alone, or copies joined to their resource).
macro_rules! with_resource_filters {
    ($query:expr, $filter:expr) => {{
        let filter: &SearchFilter = $filter;
        let mut query = $query.filter(resources::deleted_at.is_null());
        if !filter.kinds.is_empty() {
            query = query.filter(resources::kind.eq_any(filter.kinds.clone()));
        }
        if !filter.themes.is_empty() {
            query = query.filter(
                resources::id.eq_any(
                    resource_themes::table
                        .filter(resource_themes::theme.eq_any(filter.themes.clone()))
                        .select(resource_themes::resource_id),
                ),
            );
        }
        for audiences in [Some(&filter.audiences), filter.age_audiences.as_ref()]
            .into_iter()
            .flatten()
            .filter(|a| !a.is_empty())
        {
            query = query.filter(
                resources::id.eq_any(
                    resource_audiences::table
                        .filter(resource_audiences::audience.eq_any(audiences.clone()))
                        .select(resource_audiences::resource_id),
                ),
            );
        }
        if let Some(producer_id) = filter.producer_id {
            query = query.filter(resources::producer_id.eq(producer_id));
        }
        for word in &filter.words {
            // Whole words: the folded text is words separated by single spaces, so a word is
            // found between two spaces once the text is padded with one at each end.
            let padded = || {
                " ".into_sql::<diesel::sql_types::Text>()
                    .concat(resources::search_text)
                    .concat(" ")
            };
            let w = crate::text::like_escape(word);
            query = query.filter(
                padded()
                    .like(format!("% {w} %"))
                    .escape('\\')
                    .or(padded().like(format!("% {w}s %")).escape('\\'))
                    .or(padded().like(format!("% {w}x %")).escape('\\')),
            );
        }
        query
    }};
}

/// The ids of the live resources matching every filter but proximity, dates and pagination.
pub fn resources_matching(conn: &mut DbConnection, filter: &SearchFilter) -> QueryResult<Vec<i64>> {
    with_resource_filters!(resources::table.into_boxed::<DbBackend>(), filter)
        .select(resources::id)
        .load(conn)
}

/// Where the copies in service of `resource_ids` stand: `(resource_id, latitude, longitude)`;
/// with dates, only the copies free over them.
pub fn copy_points(
    conn: &mut DbConnection,
    resource_ids: &[i64],
    available: Option<(NaiveDate, NaiveDate)>,
) -> QueryResult<Vec<(i64, f64, f64)>> {
    let mut query = copies::table
        .filter(copies::resource_id.eq_any(resource_ids))
        .filter(copies::status.ne(CopyStatus::Retired))
        .select((copies::resource_id, copies::latitude, copies::longitude))
        .into_boxed::<DbBackend>();
    if let Some((from, to)) = available {
        // Only copies free over the dates of use count: the distance is to the nearest one.
        query = query
            .filter(copies::status.ne_all(CopyStatus::OUT_OF_SERVICE))
            .filter(diesel::dsl::not(occupied_over!(from, to)))
            .filter(diesel::dsl::not(under_repair!()));
    }
    query.load(conn)
}

/// Which of `ids` have a copy in service free over `[from, to]` (one query).
pub fn free_among(
    conn: &mut DbConnection,
    ids: &[i64],
    (from, to): (NaiveDate, NaiveDate),
) -> QueryResult<HashSet<i64>> {
    Ok(copies::table
        .filter(copies::resource_id.eq_any(ids))
        .filter(copies::status.ne_all(CopyStatus::OUT_OF_SERVICE))
        .filter(diesel::dsl::not(occupied_over!(from, to)))
        .filter(diesel::dsl::not(under_repair!()))
        .select(copies::resource_id)
        .distinct()
        .load::<i64>(conn)?
        .into_iter()
        .collect())
}
