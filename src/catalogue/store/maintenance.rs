//! Diesel queries of maintenance records: a copy's repairs and scheduled maintenance, part of its
//! calendar with its occupations. The catalogue owns them because search and availability read
//! them below booking and condition; condition opens, completes and lists them through here.

use std::collections::HashMap;

use chrono::{NaiveDate, NaiveDateTime};
use diesel::prelude::*;

use crate::db::DbConnection;
use crate::schema::maintenance_records;

/// A maintenance row.
#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = maintenance_records)]
pub struct MaintenanceRow {
    pub id: i64,
    pub copy_id: i64,
    pub kind: String,
    pub starts_on: NaiveDate,
    pub ends_on: Option<NaiveDate>,
    pub cost_cents: i64,
    pub notes: String,
    pub automatic: bool,
    pub report_id: Option<i64>,
    pub completed_at: Option<NaiveDateTime>,
    pub grade_after: Option<i32>,
    pub created_by_organization: Option<i64>,
    pub created_at: NaiveDateTime,
}

/// Values of a new maintenance record.
#[derive(Debug, Clone, Insertable)]
#[diesel(table_name = maintenance_records)]
pub struct MaintenanceInsert<'a> {
    pub copy_id: i64,
    pub kind: &'a str,
    pub starts_on: NaiveDate,
    pub ends_on: Option<NaiveDate>,
    pub cost_cents: i64,
    pub notes: &'a str,
    pub automatic: bool,
    pub report_id: Option<i64>,
    pub created_by_organization: Option<i64>,
    pub created_at: NaiveDateTime,
}

/// Inserts a maintenance record.
pub fn insert_maintenance(
    conn: &mut DbConnection,
    new: &MaintenanceInsert<'_>,
) -> QueryResult<MaintenanceRow> {
    diesel::insert_into(maintenance_records::table)
        .values(new)
        .returning(maintenance_records::all_columns)
        .get_result(conn)
}

/// One maintenance record.
pub fn find_maintenance(conn: &mut DbConnection, id: i64) -> QueryResult<Option<MaintenanceRow>> {
    maintenance_records::table
        .find(id)
        .select(MaintenanceRow::as_select())
        .first(conn)
        .optional()
}

/// The maintenance records of a copy, oldest first.
pub fn list_maintenance(conn: &mut DbConnection, copy_id: i64) -> QueryResult<Vec<MaintenanceRow>> {
    maintenance_records::table
        .filter(maintenance_records::copy_id.eq(copy_id))
        .select(MaintenanceRow::as_select())
        .order(maintenance_records::id.asc())
        .load(conn)
}

/// Open (not completed) maintenance of a copy.
pub fn open_maintenance(conn: &mut DbConnection, copy_id: i64) -> QueryResult<Vec<MaintenanceRow>> {
    maintenance_records::table
        .filter(maintenance_records::copy_id.eq(copy_id))
        .filter(maintenance_records::completed_at.is_null())
        .select(MaintenanceRow::as_select())
        .load(conn)
}

/// The next maintenance not completed of each of these copies (under way on `today` or to come,
/// the earliest first day), in one query: what a fleet row shows as scheduled.
pub fn next_maintenance(
    conn: &mut DbConnection,
    copy_ids: &[i64],
    today: NaiveDate,
) -> QueryResult<std::collections::HashMap<i64, MaintenanceRow>> {
    let rows: Vec<MaintenanceRow> = maintenance_records::table
        .filter(maintenance_records::copy_id.eq_any(copy_ids))
        .filter(maintenance_records::completed_at.is_null())
        .filter(
            maintenance_records::ends_on
                .is_null()
                .or(maintenance_records::ends_on.ge(today)),
        )
        .select(MaintenanceRow::as_select())
        .order((
            maintenance_records::starts_on.asc(),
            maintenance_records::id.asc(),
        ))
        .load(conn)?;
    let mut next = std::collections::HashMap::new();
    for row in rows {
        next.entry(row.copy_id).or_insert(row);
    }
    Ok(next)
}

/// The maintenance records of a copy meeting `[from, to]` (an open-ended one until it is
/// completed), by first day.
pub fn maintenance_meeting(
    conn: &mut DbConnection,
    copy_id: i64,
    from: NaiveDate,
    to: NaiveDate,
) -> QueryResult<Vec<MaintenanceRow>> {
    maintenance_records::table
        .filter(maintenance_records::copy_id.eq(copy_id))
        .filter(maintenance_records::starts_on.le(to))
        .filter(
            maintenance_records::ends_on
                .ge(from)
                .or(maintenance_records::ends_on
                    .is_null()
                    .and(maintenance_records::completed_at.is_null())),
        )
        .select(MaintenanceRow::as_select())
        .order((
            maintenance_records::starts_on.asc(),
            maintenance_records::id.asc(),
        ))
        .load(conn)
}

/// Marks a record completed unless it already is; returns whether it did.
pub fn complete_maintenance(
    conn: &mut DbConnection,
    id: i64,
    ends_on: NaiveDate,
    grade_after: i32,
    cost_cents: i64,
    notes: &str,
    now: NaiveDateTime,
) -> QueryResult<bool> {
    let changed = diesel::update(
        maintenance_records::table
            .find(id)
            .filter(maintenance_records::completed_at.is_null()),
    )
    .set((
        maintenance_records::ends_on.eq(Some(ends_on)),
        maintenance_records::grade_after.eq(Some(grade_after)),
        maintenance_records::cost_cents.eq(cost_cents),
        maintenance_records::notes.eq(notes),
        maintenance_records::completed_at.eq(Some(now)),
    ))
    .execute(conn)?;
    Ok(changed == 1)
}

/// Scheduled maintenance that has started but whose copy is not yet shown in maintenance.
pub fn started_maintenance(conn: &mut DbConnection, today: NaiveDate) -> QueryResult<Vec<i64>> {
    maintenance_records::table
        .filter(maintenance_records::completed_at.is_null())
        .filter(maintenance_records::starts_on.le(today))
        .select(maintenance_records::copy_id)
        .load(conn)
}

/// Scheduled maintenance (not opened by a fault) starting within `[from, to]`, not completed,
/// and not yet announced as `kind`: ids.
pub fn unannounced_maintenance_starting(
    conn: &mut DbConnection,
    from: NaiveDate,
    to: NaiveDate,
    kind: crate::outbox::EventKind,
    limit: i64,
) -> QueryResult<Vec<i64>> {
    maintenance_records::table
        .filter(maintenance_records::completed_at.is_null())
        .filter(maintenance_records::automatic.eq(false))
        .filter(maintenance_records::starts_on.ge(from))
        .filter(maintenance_records::starts_on.le(to))
        .filter(crate::not_yet_announced!(
            crate::outbox::SubjectType::Maintenance,
            maintenance_records::id,
            kind
        ))
        .select(maintenance_records::id)
        .order(maintenance_records::id.asc())
        .limit(limit)
        .load(conn)
}

/// Day of the last completed maintenance of each copy.
pub fn last_maintenance(
    conn: &mut DbConnection,
    copy_ids: &[i64],
) -> QueryResult<HashMap<i64, NaiveDate>> {
    let rows: Vec<(i64, Option<NaiveDateTime>)> = maintenance_records::table
        .filter(maintenance_records::copy_id.eq_any(copy_ids))
        .filter(maintenance_records::completed_at.is_not_null())
        .select((
            maintenance_records::copy_id,
            maintenance_records::completed_at,
        ))
        .load(conn)?;
    let mut last: HashMap<i64, NaiveDate> = HashMap::new();
    for (copy_id, at) in rows {
        if let Some(day) = at.map(|t| t.date()) {
            let entry = last.entry(copy_id).or_insert(day);
            if day > *entry {
                *entry = day;
            }
        }
    }
    Ok(last)
}
