//! The transitions of a copy's service status, one function each. Every caller goes through them
//! (a failing condition report, the retire endpoint, a PATCH of the copy), so that what a
//! transition entails (the bookings the copy can no longer serve are flagged, the outbox event is
//! written) cannot be skipped. Each runs inside its caller's transaction.

use chrono::NaiveDateTime;

use super::model::MaintenanceKind;
use super::store::{self, MaintenanceInsert, MaintenanceRow};
use crate::booking::model::FlagReason;
use crate::booking::service::{flag_bookings_of_copy, promote_waitlist, Settings};
use crate::booking::store as bookings;
use crate::catalogue::store as catalogue;
use crate::catalogue::CopyStatus;
use crate::db::DbConnection;
use crate::error::{Error, Result};
use crate::outbox::{EventKind, SubjectType};

/// Retires a copy for good and flags the bookings it was to serve.
pub fn retire(
    conn: &mut DbConnection,
    copy_id: i64,
    reason: &str,
    now: NaiveDateTime,
) -> Result<()> {
    catalogue::retire(conn, copy_id, reason, now)?;
    let why = FlagReason::Retired {
        reason: reason.to_string(),
    };
    flag_bookings_of_copy(conn, copy_id, None, &why, now)?;
    announce(
        conn,
        EventKind::CopyRetired,
        copy_id,
        &serde_json::json!({ "reason": reason }),
        now,
    )
}

/// Records an event about a copy with the copy as it is now (its snapshot), in the caller's
/// transaction: webhooks tell the copy as the event saw it, even if it was repaired or moved
/// before they were sent.
fn announce(
    conn: &mut DbConnection,
    kind: EventKind,
    copy_id: i64,
    details: &serde_json::Value,
    now: NaiveDateTime,
) -> Result<()> {
    let snapshot = catalogue::copy_snapshot(conn, copy_id)?
        .map(|s| serde_json::to_value(s).map_err(|e| Error::Internal(e.to_string())))
        .transpose()?;
    crate::outbox::record_with_snapshot(
        conn,
        kind,
        SubjectType::Copy,
        copy_id,
        details,
        snapshot.as_ref(),
        now,
    )?;
    Ok(())
}

/// Why a copy goes into maintenance now.
pub struct MaintenanceCause {
    /// Written on the maintenance record and on the flagged bookings (in English words), and
    /// told to their venues and producers in their language.
    pub reason: FlagReason,
    /// The condition report that found the fault, if one did.
    pub report_id: Option<i64>,
    pub organization_id: i64,
    /// A booking not to flag (the one whose hand-over found the fault).
    pub spare_booking_id: Option<i64>,
}

/// What sending a copy into maintenance did.
pub struct SentToMaintenance {
    pub maintenance_id: i64,
    pub flagged_booking_ids: Vec<i64>,
}

/// Takes a copy out of service at once, for an open-ended repair (reusing the automatic record
/// already open, if any), and flags the bookings it can no longer serve.
pub fn send_to_maintenance(
    conn: &mut DbConnection,
    copy_id: i64,
    cause: &MaintenanceCause,
    now: NaiveDateTime,
) -> Result<SentToMaintenance> {
    let already_open = store::open_maintenance(conn, copy_id)?
        .into_iter()
        .find(|m| m.automatic);
    let maintenance = match already_open {
        Some(m) => m,
        None => store::insert_maintenance(
            conn,
            &MaintenanceInsert {
                copy_id,
                kind: MaintenanceKind::Repair.as_str(),
                starts_on: now.date(),
                ends_on: None,
                cost_cents: 0,
                notes: &cause.reason.render("en"),
                automatic: true,
                report_id: cause.report_id,
                created_by_organization: Some(cause.organization_id),
                created_at: now,
            },
        )?,
    };
    catalogue::move_copy(conn, copy_id, CopyStatus::Maintenance.as_str(), None, now)?;
    let flagged_booking_ids =
        flag_bookings_of_copy(conn, copy_id, cause.spare_booking_id, &cause.reason, now)?;
    announce(
        conn,
        EventKind::CopyMaintenance,
        copy_id,
        &serde_json::json!({"report_id": cause.report_id, "maintenance_id": maintenance.id,
                            "flagged_booking_ids": flagged_booking_ids}),
        now,
    )?;
    Ok(SentToMaintenance {
        maintenance_id: maintenance.id,
        flagged_booking_ids,
    })
}

/// How a maintenance ends.
pub struct Completion<'a> {
    pub grade: i32,
    pub cost_cents: i64,
    pub notes: &'a str,
}

/// Completes a maintenance record: the copy returns to service (unless retired) with its new
/// grade, inspected; the unused end of a scheduled period is freed and the waitlist served.
pub fn complete_maintenance(
    conn: &mut DbConnection,
    settings: &Settings,
    record: &MaintenanceRow,
    completion: &Completion<'_>,
    now: NaiveDateTime,
) -> Result<()> {
    let today = now.date();
    let ends_on = today.max(record.starts_on);
    if !store::complete_maintenance(
        conn,
        record.id,
        ends_on,
        completion.grade,
        completion.cost_cents,
        completion.notes.trim(),
        now,
    )? {
        return Err(Error::conflict(
            crate::error::Code::InvalidTransition,
            "this maintenance is already completed",
        ));
    }
    // Free what is left of the scheduled period.
    bookings::end_maintenance_occupation(conn, record.id, today)?;
    let copy = catalogue::find_copy(conn, record.copy_id)?
        .ok_or_else(|| Error::NotFound(format!("copy {}", record.copy_id)))?;
    let status: CopyStatus = copy.status;
    if status != CopyStatus::Retired {
        catalogue::move_copy(conn, copy.id, CopyStatus::Available.as_str(), None, now)?;
    }
    catalogue::set_grade(conn, copy.id, completion.grade, now)?;
    catalogue::set_needs_inspection(conn, copy.id, false, now)?;
    promote_waitlist(conn, settings, copy.resource_id, now)?;
    Ok(())
}

/// Returns a copy to service by hand: every open maintenance record is completed (at the copy's
/// current grade, with its recorded cost and notes), exactly as completing each would; a copy with
/// none simply becomes available.
pub fn return_to_service(
    conn: &mut DbConnection,
    settings: &Settings,
    copy_id: i64,
    grade: i32,
    now: NaiveDateTime,
) -> Result<()> {
    let open = store::open_maintenance(conn, copy_id)?;
    if open.is_empty() {
        catalogue::move_copy(conn, copy_id, CopyStatus::Available.as_str(), None, now)?;
    }
    for record in &open {
        let completion = Completion {
            grade,
            cost_cents: record.cost_cents,
            notes: &record.notes,
        };
        complete_maintenance(conn, settings, record, &completion, now)?;
    }
    Ok(())
}
