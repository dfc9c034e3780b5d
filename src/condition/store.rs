//! Data access for condition reports and the wear inputs (maintenance records are the
//! catalogue's: see the re-export below).

use std::collections::HashMap;

use chrono::NaiveDateTime;
use diesel::prelude::*;

use crate::booking::model::BookingAction;
use crate::db::DbConnection;
use crate::schema::{booking_events, condition_report_lines, condition_reports};

// Maintenance records belong to the copy's calendar, which the catalogue owns (search reads it);
// condition writes and reads them through the catalogue's store.
pub use crate::catalogue::store::maintenance::{
    complete_maintenance, find_maintenance, insert_maintenance, last_maintenance, list_maintenance,
    maintenance_meeting, next_maintenance, open_maintenance, started_maintenance,
    unannounced_maintenance_starting, MaintenanceInsert, MaintenanceRow,
};

/// A report row.
#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = condition_reports)]
pub struct ReportRow {
    pub id: i64,
    pub copy_id: i64,
    pub booking_id: Option<i64>,
    pub stage: String,
    pub grade: i32,
    pub notes: String,
    pub passed: bool,
    pub missing_units: i32,
    pub damaged_units: i32,
    pub reported_by_organization: i64,
    pub reported_by_user: Option<i64>,
    pub created_at: NaiveDateTime,
}

/// Values of a new report.
#[derive(Debug, Clone, Insertable)]
#[diesel(table_name = condition_reports)]
pub struct ReportInsert<'a> {
    pub copy_id: i64,
    pub booking_id: Option<i64>,
    pub stage: &'a str,
    pub grade: i32,
    pub notes: &'a str,
    pub passed: bool,
    pub missing_units: i32,
    pub damaged_units: i32,
    pub reported_by_organization: i64,
    pub reported_by_user: Option<i64>,
    pub created_at: NaiveDateTime,
}

/// One counted component.
#[derive(Debug, Clone, Queryable, Selectable, Insertable)]
#[diesel(table_name = condition_report_lines)]
pub struct LineRow {
    pub report_id: i64,
    pub component_id: i64,
    pub expected_quantity: i32,
    pub present_quantity: i32,
    pub damaged: i32,
}

/// Inserts a report and its lines.
pub fn insert_report(
    conn: &mut DbConnection,
    new: &ReportInsert<'_>,
    lines: &[LineRow],
) -> QueryResult<ReportRow> {
    let row: ReportRow = diesel::insert_into(condition_reports::table)
        .values(new)
        .returning(condition_reports::all_columns)
        .get_result(conn)?;
    for line in lines {
        diesel::insert_into(condition_report_lines::table)
            .values(LineRow {
                report_id: row.id,
                ..line.clone()
            })
            .execute(conn)?;
    }
    Ok(row)
}

/// The reports of a copy, oldest first, with their lines.
pub fn list_reports(
    conn: &mut DbConnection,
    copy_id: i64,
) -> QueryResult<Vec<(ReportRow, Vec<LineRow>)>> {
    let reports: Vec<ReportRow> = condition_reports::table
        .filter(condition_reports::copy_id.eq(copy_id))
        .select(ReportRow::as_select())
        .order(condition_reports::id.asc())
        .load(conn)?;
    let ids: Vec<i64> = reports.iter().map(|r| r.id).collect();
    let mut lines: HashMap<i64, Vec<LineRow>> = HashMap::new();
    for line in condition_report_lines::table
        .filter(condition_report_lines::report_id.eq_any(&ids))
        .select(LineRow::as_select())
        .order((
            condition_report_lines::report_id,
            condition_report_lines::component_id,
        ))
        .load::<LineRow>(conn)?
    {
        lines.entry(line.report_id).or_default().push(line);
    }
    Ok(reports
        .into_iter()
        .map(|r| {
            let l = lines.remove(&r.id).unwrap_or_default();
            (r, l)
        })
        .collect())
}

/// Hand-overs (dispatch, delivery, return) recorded for each booking.
pub fn handovers_of(
    conn: &mut DbConnection,
    booking_ids: &[i64],
) -> QueryResult<HashMap<i64, i64>> {
    Ok(booking_events::table
        .filter(booking_events::booking_id.eq_any(booking_ids))
        .filter(booking_events::action.eq_any(BookingAction::HANDOVERS))
        .group_by(booking_events::booking_id)
        .select((booking_events::booking_id, diesel::dsl::count_star()))
        .load::<(i64, i64)>(conn)?
        .into_iter()
        .collect())
}

/// Whether a report of this hand-over (`stage`) is already filed on a loan.
pub fn stage_filed(conn: &mut DbConnection, booking_id: i64, stage: &str) -> QueryResult<bool> {
    diesel::select(diesel::dsl::exists(
        condition_reports::table
            .filter(condition_reports::booking_id.eq(booking_id))
            .filter(condition_reports::stage.eq(stage)),
    ))
    .get_result(conn)
}
