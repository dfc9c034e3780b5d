//! Condition rules: who files which report, what a failing report blocks, maintenance that
//! occupies a copy like a booking, retirement, wear and the producer's fleet.

use std::collections::HashMap;

use chrono::{NaiveDate, NaiveDateTime};

use super::lifecycle::{self, MaintenanceCause};
use super::model::{
    CompleteMaintenance, ConditionReport, FleetCopy, Maintenance, NewConditionReport,
    NewMaintenance, ReportLine, Stage, Wear,
};
use super::store::{self, LineRow, MaintenanceInsert, MaintenanceRow, ReportInsert, ReportRow};
use super::wear::{self, Loan, WearModel};
use crate::access::{policy, Principal};
use crate::booking::chaining::{self, next_chained, previous_chained};
use crate::booking::model::FlagReason;
use crate::booking::service::Settings;
use crate::booking::store::{self as bookings, OccupationInsert};
use crate::booking::BookingStatus;
use crate::catalogue::store::{self as catalogue, CopyRow};
use crate::catalogue::CopyStatus;
use crate::db::{write_transaction, DbConnection};
use crate::error::{Error, Result, Validator};
use crate::organization::model::stored;
use crate::outbox::{EventKind, SubjectType};
use crate::territory::geo::road_estimate_km;
use crate::territory::geo::LatLon;

/// Longest scheduled maintenance, in days.
const MAX_MAINTENANCE_DAYS: i64 = 366;

/// A copy of a live resource, with its producer.
fn copy_of_live_resource(conn: &mut DbConnection, copy_id: i64) -> Result<CopyRow> {
    let copy = catalogue::find_copy(conn, copy_id)?
        .ok_or_else(|| Error::NotFound(format!("copy {copy_id}")))?;
    catalogue::find_live_resource(conn, copy.resource_id)?
        .ok_or_else(|| Error::NotFound(format!("copy {copy_id}")))?;
    Ok(copy)
}

fn present(row: ReportRow, lines: Vec<LineRow>) -> Result<ConditionReport> {
    Ok(ConditionReport {
        id: row.id,
        copy_id: row.copy_id,
        booking_id: row.booking_id,
        stage: stored(&row.stage)?,
        grade: row.grade,
        notes: row.notes,
        passed: row.passed,
        missing_units: row.missing_units,
        damaged_units: row.damaged_units,
        components: lines
            .into_iter()
            .map(|l| ReportLine {
                component_id: l.component_id,
                expected_quantity: l.expected_quantity,
                present_quantity: l.present_quantity,
                damaged: l.damaged,
            })
            .collect(),
        reported_by_organization: row.reported_by_organization,
        reported_by_user: row.reported_by_user,
        created_at: row.created_at,
        maintenance_id: None,
        flagged_booking_ids: Vec::new(),
    })
}

/// Who may file a report at a stage, and which loan it belongs to.
fn authorise_report(
    conn: &mut DbConnection,
    p: &Principal,
    copy: &CopyRow,
    new: &NewConditionReport,
) -> Result<()> {
    let producer_side = policy::copy_producer_side(p, copy.producer_id);
    let found = match new.booking_id {
        Some(id) => bookings::find_booking(conn, id)?.filter(|b| b.copy_id == copy.id),
        None => None,
    };
    // Who may report, before anything about a named booking is told: only the copy's producer,
    // the agency, or the venue of that booking get past here.
    if !producer_side
        && new.booking_id.is_some()
        && !found.as_ref().is_some_and(|b| p.belongs_to(b.venue_id))
    {
        return Err(Error::Forbidden(
            "the copy's producer, the agency, or the borrowing venue of one of its bookings \
             files its condition reports"
                .into(),
        ));
    }
    let booking = match (new.booking_id, found) {
        (Some(_), None) => {
            return Err(Error::invalid("booking_id", "not a booking of this copy"));
        }
        (_, found) => found,
    };
    match new.stage {
        Stage::Dispatch | Stage::Inspection => {
            if !producer_side {
                return Err(Error::Forbidden(format!(
                    "the producer (or the agency) files {} reports",
                    new.stage
                )));
            }
            if new.stage == Stage::Dispatch && booking.is_none() {
                return Err(Error::invalid(
                    "booking_id",
                    "a dispatch belongs to a booking",
                ));
            }
        }
        Stage::Delivery | Stage::Return => {
            let Some(b) = &booking else {
                return Err(Error::invalid(
                    "booking_id",
                    "a delivery or return report belongs to a booking",
                ));
            };
            policy::report_at_venue(p, b.venue_id, new.stage.as_str())?;
            let status: BookingStatus = b.status;
            use BookingStatus as S;
            let fits = match new.stage {
                Stage::Delivery => matches!(status, S::InTransit | S::Delivered),
                _ => matches!(status, S::Delivered | S::Returned),
            };
            if !fits {
                return Err(Error::conflict(
                    crate::error::Code::InvalidTransition,
                    format!(
                        "a {} report does not fit a booking that is {status}",
                        new.stage
                    ),
                ));
            }
        }
    }
    Ok(())
}

/// What a report counted, checked against the resource's list of components.
struct Count {
    lines: Vec<LineRow>,
    missing_units: i32,
    damaged_units: i32,
    /// The verdict, once given ([`passes`]).
    passed: bool,
}

/// Checks the grade, the notes and the count of every component (each once, within its
/// quantity), reporting every fault at once.
fn count_components(
    conn: &mut DbConnection,
    resource_id: i64,
    new: &NewConditionReport,
) -> Result<Count> {
    let expected: HashMap<i64, (String, i32)> = catalogue::list_components(conn, resource_id)?
        .into_iter()
        .map(|c| (c.id, (c.name, c.quantity)))
        .collect();
    let mut v = Validator::new();
    v.in_range("grade", Some(new.grade), 1..=5);
    v.at_most_chars("notes", &new.notes, 5_000);
    let mut lines = Vec::new();
    let mut counted = std::collections::HashSet::new();
    for (i, count) in new.components.iter().enumerate() {
        let field = |f: &str| format!("components[{i}].{f}");
        let Some((_, quantity)) = expected.get(&count.component_id) else {
            v.add(&field("component_id"), "not a component of this resource");
            continue;
        };
        if !counted.insert(count.component_id) {
            v.add(&field("component_id"), "counted twice");
        }
        if count.present_quantity < 0 || count.present_quantity > *quantity {
            v.add(
                &field("present_quantity"),
                format!("must be between 0 and {quantity}"),
            );
        }
        if count.damaged < 0 || count.damaged > count.present_quantity.max(0) {
            v.add(
                &field("damaged"),
                "must be between 0 and the present quantity",
            );
        }
        lines.push(LineRow {
            report_id: 0,
            component_id: count.component_id,
            expected_quantity: *quantity,
            present_quantity: count.present_quantity,
            damaged: count.damaged,
        });
    }
    let mut missing_names: Vec<&str> = expected
        .iter()
        .filter(|(id, _)| !counted.contains(id))
        .map(|(_, (name, _))| name.as_str())
        .collect();
    missing_names.sort();
    if !missing_names.is_empty() {
        v.add(
            "components",
            format!(
                "count every component; missing: {}",
                missing_names.join(", ")
            ),
        );
    }
    v.finish()?;
    Ok(Count {
        missing_units: lines
            .iter()
            .map(|l| l.expected_quantity - l.present_quantity)
            .sum(),
        damaged_units: lines.iter().map(|l| l.damaged).sum(),
        lines,
        passed: false,
    })
}

/// The hand-over a caller reports at now on a loan it can see (the loan page and the copy page a
/// label's QR code opens both ask): its borrowing venue at delivery (the copy on its way) and at
/// return (at the venue); the producer's side (its producer, the agency) at dispatch (approved,
/// before the crate leaves) and at inspection (back at the depot). `None`: nothing is due from
/// this caller now.
pub fn stage_due(p: &Principal, booking: &crate::booking::Booking) -> Option<Stage> {
    use BookingStatus as S;
    let venue = p.kind == crate::organization::OrgKind::Venue && p.belongs_to(booking.venue_id);
    match (venue, booking.status) {
        (true, S::InTransit) => Some(Stage::Delivery),
        (true, S::Delivered) => Some(Stage::Return),
        (false, S::Approved) => Some(Stage::Dispatch),
        (false, S::Returned) => Some(Stage::Inspection),
        _ => None,
    }
}

/// The hand-over report a page offers this caller on a loan now: the one [`stage_due`] names,
/// unless it is already filed (reports are kept as filed; the link goes once the crate is
/// reported). `None`: nothing to report from this caller now.
pub fn report_due(
    conn: &mut DbConnection,
    p: &Principal,
    booking: &crate::booking::Booking,
) -> Result<Option<Stage>> {
    match stage_due(p, booking) {
        Some(stage) if !store::stage_filed(conn, booking.id, stage.as_str())? => Ok(Some(stage)),
        _ => Ok(None),
    }
}

/// The verdict: a copy passes when nothing is missing or damaged and its grade is above the
/// blocking grade.
fn passes(count: &Count, grade: i32, blocking_grade: i32) -> bool {
    count.missing_units == 0 && count.damaged_units == 0 && grade > blocking_grade
}

/// Files a condition report. A report that finds a missing or damaged unit, or a grade at or
/// below the blocking grade, sends the copy into maintenance at once and flags the bookings this
/// copy can no longer serve; a passing inspection makes a returned copy lendable again.
pub fn file_report(
    conn: &mut DbConnection,
    p: &Principal,
    blocking_grade: i32,
    copy_id: i64,
    new: &NewConditionReport,
    now: NaiveDateTime,
) -> Result<ConditionReport> {
    let copy = copy_of_live_resource(conn, copy_id)?;
    // Who may report comes first: validation answers would tell outsiders about the copy.
    authorise_report(conn, p, &copy, new)?;
    let mut count = count_components(conn, copy.resource_id, new)?;
    count.passed = passes(&count, new.grade, blocking_grade);
    write_transaction(conn, |conn| {
        let row = store::insert_report(
            conn,
            &ReportInsert {
                copy_id,
                booking_id: new.booking_id,
                stage: new.stage.as_str(),
                grade: new.grade,
                notes: new.notes.trim(),
                passed: count.passed,
                missing_units: count.missing_units,
                damaged_units: count.damaged_units,
                reported_by_organization: p.organization_id,
                reported_by_user: p.user_id,
                created_at: now,
            },
            &count.lines,
        )?;
        catalogue::set_grade(conn, copy_id, new.grade, now)?;
        let mut saved_lines = count.lines.clone();
        saved_lines.sort_by_key(|l| l.component_id);
        for line in &mut saved_lines {
            line.report_id = row.id;
        }
        let mut report = present(row, saved_lines)?;
        apply_verdict(conn, p, &copy, new, &count, &mut report, now)?;
        Ok(report)
    })
}

/// What a report's verdict does to its copy: a failing one sends it into maintenance (flags,
/// outbox) unless it is retired; a passing inspection makes a returned copy lendable again.
fn apply_verdict(
    conn: &mut DbConnection,
    p: &Principal,
    copy: &CopyRow,
    new: &NewConditionReport,
    count: &Count,
    report: &mut ConditionReport,
    now: NaiveDateTime,
) -> Result<()> {
    let status: CopyStatus = copy.status;
    if !count.passed && status != CopyStatus::Retired {
        let reason = FlagReason::ConditionReport {
            report_id: report.id,
            stage: new.stage.as_str().to_string(),
            grade: new.grade,
            missing_units: count.missing_units,
            damaged_units: count.damaged_units,
        };
        let sent = lifecycle::send_to_maintenance(
            conn,
            copy.id,
            &MaintenanceCause {
                reason,
                report_id: Some(report.id),
                organization_id: p.organization_id,
                spare_booking_id: new.booking_id,
            },
            now,
        )?;
        report.maintenance_id = Some(sent.maintenance_id);
        report.flagged_booking_ids = sent.flagged_booking_ids;
    } else if count.passed && new.stage == Stage::Inspection {
        catalogue::set_needs_inspection(conn, copy.id, false, now)?;
    }
    Ok(())
}

/// The reports of a copy, for its producer, the agency and the venues that borrowed it.
pub fn list_reports(
    conn: &mut DbConnection,
    p: &Principal,
    copy_id: i64,
) -> Result<Vec<ConditionReport>> {
    let copy = copy_of_live_resource(conn, copy_id)?;
    let reports = store::list_reports(conn, copy_id)?;
    let producer_side = policy::copy_producer_side(p, copy.producer_id);
    reports
        .into_iter()
        .filter(|(r, _)| producer_side || r.reported_by_organization == p.organization_id)
        .map(|(r, l)| present(r, l))
        .collect()
}

impl TryFrom<MaintenanceRow> for Maintenance {
    type Error = Error;
    fn try_from(row: MaintenanceRow) -> Result<Maintenance> {
        Ok(Maintenance {
            id: row.id,
            copy_id: row.copy_id,
            kind: stored(&row.kind)?,
            starts_on: row.starts_on,
            ends_on: row.ends_on,
            cost_cents: row.cost_cents,
            notes: row.notes,
            automatic: row.automatic,
            report_id: row.report_id,
            completed_at: row.completed_at,
            grade_after: row.grade_after,
            created_at: row.created_at,
        })
    }
}

fn producer_side(p: &Principal, copy: &CopyRow) -> Result<()> {
    policy::write_catalogue(p, copy.producer_id)
}

/// Schedules maintenance: it occupies the copy over its period exactly like a booking (the same
/// constraint refuses an overlap), and the copy shows as in maintenance once it starts.
pub fn schedule_maintenance(
    conn: &mut DbConnection,
    p: &Principal,
    copy_id: i64,
    new: &NewMaintenance,
    now: NaiveDateTime,
) -> Result<Maintenance> {
    let copy = copy_of_live_resource(conn, copy_id)?;
    producer_side(p, &copy)?;
    let today = now.date();
    let mut v = Validator::new();
    v.check(
        new.starts_on >= today,
        "starts_on",
        "must not be in the past",
    );
    // The same horizon as bookings: calendars are planned two years ahead, not further.
    v.check(
        (new.starts_on - today).num_days() <= MAINTENANCE_HORIZON_DAYS,
        "starts_on",
        "must be within two years (730 days) from today",
    );
    if new.ends_on < new.starts_on {
        v.add("ends_on", "must not be before starts_on");
    } else {
        v.check(
            (new.ends_on - new.starts_on).num_days() < MAX_MAINTENANCE_DAYS,
            "ends_on",
            "a maintenance lasts at most a year",
        );
    }
    crate::money::check_cents(&mut v, "cost_cents", new.cost_cents);
    v.at_most_chars("notes", &new.notes, 5_000);
    v.finish()?;
    if copy.status == CopyStatus::Retired {
        return Err(Error::conflict(
            crate::error::Code::CopyRetired,
            "a retired copy is not maintained",
        ));
    }
    write_transaction(conn, |conn| {
        let period = (new.starts_on, new.ends_on);
        let written = bookings::write_if_free(conn, copy_id, period, None, |conn| {
            let row = store::insert_maintenance(
                conn,
                &MaintenanceInsert {
                    copy_id,
                    kind: new.kind.as_str(),
                    starts_on: new.starts_on,
                    ends_on: Some(new.ends_on),
                    cost_cents: new.cost_cents,
                    notes: new.notes.trim(),
                    automatic: false,
                    report_id: None,
                    created_by_organization: Some(p.organization_id),
                    created_at: now,
                },
            )?;
            bookings::insert_occupation(
                conn,
                &OccupationInsert {
                    copy_id,
                    starts_on: new.starts_on,
                    ends_on: new.ends_on,
                    reason: "maintenance",
                    booking_id: None,
                    maintenance_id: Some(row.id),
                    active: true,
                    created_at: now,
                },
            )?;
            Ok(row)
        })?;
        let Some(row) = written else {
            return Err(maintenance_conflict(
                conn,
                copy_id,
                new.starts_on,
                new.ends_on,
            )?);
        };
        if new.starts_on <= today {
            catalogue::move_copy(conn, copy_id, CopyStatus::Maintenance.as_str(), None, now)?;
        }
        row.try_into()
    })
}

fn maintenance_conflict(
    conn: &mut DbConnection,
    copy_id: i64,
    from: NaiveDate,
    to: NaiveDate,
) -> Result<Error> {
    let (booking_ids, maintenance_ids) = bookings::occupiers(conn, copy_id, from, to)?;
    Ok(Error::Conflict {
        code: crate::error::Code::MaintenanceConflict,
        detail: "the copy is occupied on some of these days (bookings or another maintenance)"
            .into(),
        extra: Some(serde_json::json!({
            "conflicting_booking_ids": booking_ids,
            "conflicting_maintenance_ids": maintenance_ids,
        })),
    })
}

/// Completes a maintenance: the copy returns to service with its new grade, inspected; an unused
/// end of the scheduled period is freed for bookings (and the waitlist).
pub fn complete_maintenance(
    conn: &mut DbConnection,
    p: &Principal,
    settings: &Settings,
    id: i64,
    body: &CompleteMaintenance,
    now: NaiveDateTime,
) -> Result<Maintenance> {
    let row = store::find_maintenance(conn, id)?
        .ok_or_else(|| Error::NotFound(format!("maintenance {id}")))?;
    let copy = copy_of_live_resource(conn, row.copy_id)?;
    if !policy::acts_for(p, copy.producer_id) {
        return Err(Error::NotFound(format!("maintenance {id}")));
    }
    let mut v = Validator::new();
    v.in_range("grade", Some(body.grade), 1..=5);
    if let Some(cost) = body.cost_cents {
        crate::money::check_cents(&mut v, "cost_cents", cost);
    }
    v.finish()?;
    write_transaction(conn, |conn| {
        let notes = body.notes.clone().unwrap_or_else(|| row.notes.clone());
        let completion = lifecycle::Completion {
            grade: body.grade,
            cost_cents: body.cost_cents.unwrap_or(row.cost_cents),
            notes: &notes,
        };
        lifecycle::complete_maintenance(conn, settings, &row, &completion, now)?;
        store::find_maintenance(conn, id)?
            .ok_or_else(|| Error::NotFound(format!("maintenance {id}")))?
            .try_into()
    })
}

/// The maintenance records of a copy (its producer and the agency).
pub fn list_maintenance(
    conn: &mut DbConnection,
    p: &Principal,
    copy_id: i64,
) -> Result<Vec<Maintenance>> {
    let copy = copy_of_live_resource(conn, copy_id)?;
    producer_side(p, &copy)?;
    store::list_maintenance(conn, copy_id)?
        .into_iter()
        .map(Maintenance::try_from)
        .collect()
}

/// Shows scheduled maintenance that has started: its copies are in maintenance now. Run by the
/// background jobs; idempotent.
pub fn start_due_maintenance(conn: &mut DbConnection, now: NaiveDateTime) -> Result<usize> {
    let mut moved = 0;
    for copy_id in store::started_maintenance(conn, now.date())? {
        moved += write_transaction(conn, |conn| {
            catalogue::enter_maintenance(conn, copy_id, now)
        })?;
    }
    Ok(moved)
}

/// How far ahead maintenance may be scheduled (the bookings' horizon).
pub const MAINTENANCE_HORIZON_DAYS: i64 = 730;

/// Days before a scheduled maintenance starts that its reminder goes out.
pub const MAINTENANCE_DUE_DAYS: i64 = 3;

/// Announces, once per record, scheduled maintenance starting within three days, so that the
/// producer gets the copy back to the workshop. Run by the background jobs on every instance.
pub fn remind_maintenance_due(conn: &mut DbConnection, now: NaiveDateTime) -> Result<usize> {
    let today = now.date();
    let due = store::unannounced_maintenance_starting(
        conn,
        today,
        today + chrono::Duration::days(MAINTENANCE_DUE_DAYS),
        EventKind::CopyMaintenanceDue,
        500,
    )?;
    let mut announced = 0;
    for id in due {
        announced += write_transaction(conn, |conn| {
            Ok::<usize, Error>(
                crate::outbox::record_once(
                    conn,
                    EventKind::CopyMaintenanceDue,
                    SubjectType::Maintenance,
                    id,
                    now,
                )?
                .into(),
            )
        })?;
    }
    Ok(announced)
}

/// Retires a copy for good: it leaves search and availability, and the bookings it was to serve
/// are flagged.
pub fn retire(
    conn: &mut DbConnection,
    p: &Principal,
    copy_id: i64,
    reason: &str,
    now: NaiveDateTime,
) -> Result<crate::catalogue::Copy> {
    let copy = copy_of_live_resource(conn, copy_id)?;
    producer_side(p, &copy)?;
    let reason = reason.trim();
    let mut v = Validator::new();
    v.check(!reason.is_empty(), "reason", "say why the copy is retired");
    v.at_most_chars("reason", reason, 1_000);
    v.finish()?;
    if copy.status == CopyStatus::Retired {
        return Err(Error::conflict(
            crate::error::Code::CopyRetired,
            "the copy is already retired",
        ));
    }
    write_transaction(conn, |conn| {
        lifecycle::retire(conn, copy_id, reason, now)?;
        crate::audit::record(
            conn,
            p.actor(),
            crate::audit::AuditAction::CopyRetired,
            copy_id,
            &serde_json::json!({ "reason": reason }),
            now,
        )?;
        catalogue::find_copy(conn, copy_id)?
            .ok_or_else(|| Error::NotFound(format!("copy {copy_id}")))?
            .try_into()
    })
}

/// Changes a copy's tag, depot, grade or service status (PATCH): the catalogue checks and writes
/// its fields, and a status change goes through the same transition as its dedicated endpoint
/// (retirement, maintenance, return to service), all in one transaction, so its consequences are
/// the same whichever route asked.
pub fn update_copy(
    conn: &mut DbConnection,
    p: &Principal,
    settings: &Settings,
    id: i64,
    patch: &crate::catalogue::model::CopyPatch,
    now: NaiveDateTime,
) -> Result<crate::catalogue::Copy> {
    let update = crate::catalogue::service::check_copy_update(conn, p, id, patch, now)?;
    write_transaction(conn, |conn| {
        crate::catalogue::service::apply_copy_update(conn, p, &update, now)?;
        match update.status_change {
            Some(CopyStatus::Retired) => lifecycle::retire(
                conn,
                id,
                update.retirement_reason.as_deref().unwrap_or_default(),
                now,
            )?,
            Some(CopyStatus::Maintenance) => {
                lifecycle::send_to_maintenance(
                    conn,
                    id,
                    &MaintenanceCause {
                        reason: FlagReason::TakenOutOfService,
                        report_id: None,
                        organization_id: p.organization_id,
                        spare_booking_id: None,
                    },
                    now,
                )?;
            }
            Some(_) => lifecycle::return_to_service(conn, settings, id, update.grade, now)?,
            None => {}
        }
        catalogue::find_copy(conn, id)?
            .ok_or_else(|| Error::NotFound(format!("copy {id}")))?
            .try_into()
    })
}

/// A copy as wear sees it: when it entered service and where its depot is (the km of its loans
/// are measured from there).
struct AtDepot {
    id: i64,
    created_on: NaiveDate,
    depot: LatLon,
}

impl AtDepot {
    fn new(copy: &CopyRow, latitude: f64, longitude: f64) -> AtDepot {
        AtDepot {
            id: copy.id,
            created_on: copy.created_at.date(),
            depot: LatLon {
                lat: latitude,
                lon: longitude,
            },
        }
    }
}

/// Wear figures of several copies of one producer, computed with a fixed number of queries.
fn wear_of(
    conn: &mut DbConnection,
    model: &WearModel,
    copies: &[AtDepot],
    today: NaiveDate,
) -> Result<HashMap<i64, Wear>> {
    let estimate = |a: LatLon, b: LatLon| road_estimate_km(a, b, model.road_detour);
    let chain_gap_days = model.chain_gap_days;
    let ids: Vec<i64> = copies.iter().map(|c| c.id).collect();
    let loans = crate::booking::store::all_stays_of(conn, &ids, BookingStatus::LOANS)?;
    let booking_ids: Vec<i64> = loans.iter().map(|l| l.booking_id).collect();
    let handovers = store::handovers_of(conn, &booking_ids)?;
    let last = store::last_maintenance(conn, &ids)?;
    let depots: HashMap<i64, LatLon> = copies.iter().map(|c| (c.id, c.depot)).collect();
    let at_venue = |stay: &chaining::Stay| LatLon {
        lat: stay.venue.latitude,
        lon: stay.venue.longitude,
    };
    // Km from the loans' legs (road estimates): from the depot, or straight from the previous
    // venue when the loans chain; back to the depot unless the next loan chains (its transfer is
    // counted with it) or the copy is still at the venue.
    let mut per_copy: HashMap<i64, Vec<Loan>> = HashMap::new();
    for (i, stay) in loans.iter().enumerate() {
        let venue = at_venue(stay);
        let depot = depots.get(&stay.copy_id).copied().unwrap_or(venue);
        let km_in = match previous_chained(&loans, i, chain_gap_days) {
            Some(prev) => estimate(at_venue(prev), venue),
            None => estimate(depot, venue),
        };
        let still_there = stay.status == BookingStatus::Delivered;
        let km_out = if still_there || next_chained(&loans, i, chain_gap_days).is_some() {
            0.0
        } else {
            estimate(venue, depot)
        };
        per_copy.entry(stay.copy_id).or_default().push(Loan {
            ends_on: stay.ends_on,
            days: (stay.ends_on - stay.starts_on).num_days() + 1,
            km: km_in + km_out,
            handlings: handovers.get(&stay.booking_id).copied().unwrap_or(0),
        });
    }
    Ok(copies
        .iter()
        .map(|c| {
            let loans = per_copy.remove(&c.id).unwrap_or_default();
            let f = wear::compute(model, &loans, last.get(&c.id).copied(), c.created_on, today);
            (
                c.id,
                Wear {
                    copy_id: c.id,
                    loans: f.loans,
                    days_on_loan: f.days_on_loan,
                    km_travelled: (f.km_travelled * 10.0).round() / 10.0,
                    handlings: f.handlings,
                    wear_index: (f.wear_index * 100.0).round() / 100.0,
                    wear_since_maintenance: (f.wear_since_maintenance * 100.0).round() / 100.0,
                    maintenance_due: f.maintenance_due,
                    predicted_retirement_on: f.predicted_retirement_on,
                },
            )
        })
        .collect())
}

/// The wear of one copy (its producer and the agency).
pub fn copy_wear(
    conn: &mut DbConnection,
    p: &Principal,
    model: &WearModel,
    copy_id: i64,
    today: NaiveDate,
) -> Result<Wear> {
    let copy = copy_of_live_resource(conn, copy_id)?;
    producer_side(p, &copy)?;
    let with_depot: Vec<AtDepot> = catalogue::copies_with_depot(conn, copy.resource_id)?
        .iter()
        .filter(|(c, _, _)| c.id == copy_id)
        .map(|(c, lat, lon)| AtDepot::new(c, *lat, *lon))
        .collect();
    wear_of(conn, model, &with_depot, today)?
        .remove(&copy_id)
        .ok_or_else(|| Error::Internal("wear of a missing copy".into()))
}

crate::stored_enum! {
    /// Order of the fleet list.
    pub enum FleetSort {
        /// Most worn first.
        Wear => "wear",
        AssetTag => "asset_tag",
        /// Lowest condition grade first.
        Grade => "grade",
    }
}

/// Every copy of a producer with its state, wear and next booking (the producer and the agency).
pub fn fleet(
    conn: &mut DbConnection,
    p: &Principal,
    model: &WearModel,
    producer_id: i64,
    sort: FleetSort,
    today: NaiveDate,
) -> Result<Vec<FleetCopy>> {
    if !policy::acts_for_producer(p, producer_id) {
        return Err(Error::NotFound(format!("fleet of producer {producer_id}")));
    }
    let copies = catalogue::fleet_copies(conn, producer_id)?;
    let with_depot: Vec<AtDepot> = copies
        .iter()
        .map(|(c, _, lat, lon)| AtDepot::new(c, *lat, *lon))
        .collect();
    let mut wear = wear_of(conn, model, &with_depot, today)?;
    let ids: Vec<i64> = copies.iter().map(|(c, ..)| c.id).collect();
    let next = bookings::next_bookings(conn, &ids, today)?;
    let overdue = bookings::overdue_loans(conn, &ids)?;
    let mut maintenance = store::next_maintenance(conn, &ids, today)?;
    let mut fleet = copies
        .into_iter()
        .map(|(c, title, _, _)| {
            let w = wear.remove(&c.id);
            let n = next.get(&c.id);
            let late = overdue.get(&c.id);
            let upkeep = maintenance
                .remove(&c.id)
                .map(Maintenance::try_from)
                .transpose()?;
            Ok(FleetCopy {
                copy_id: c.id,
                resource_id: c.resource_id,
                resource_title: title,
                asset_tag: c.asset_tag,
                status: c.status,
                condition_grade: c.condition_grade,
                needs_inspection: c.needs_inspection,
                wear_index: w.as_ref().map(|w| w.wear_index).unwrap_or(0.0),
                maintenance_due: w.as_ref().is_some_and(|w| w.maintenance_due),
                predicted_retirement_on: w.and_then(|w| w.predicted_retirement_on),
                next_booking_id: n.map(|(id, _)| *id),
                next_booking_starts_on: n.map(|(_, d)| *d),
                overdue_booking_id: late.map(|(id, _)| *id),
                overdue_since: late.map(|(_, at)| *at),
                next_maintenance_id: upkeep.as_ref().map(|m| m.id),
                next_maintenance_kind: upkeep.as_ref().map(|m| m.kind),
                next_maintenance_starts_on: upkeep.as_ref().map(|m| m.starts_on),
                next_maintenance_ends_on: upkeep.and_then(|m| m.ends_on),
            })
        })
        .collect::<Result<Vec<_>>>()?;
    match sort {
        FleetSort::Wear => fleet.sort_by(|a, b| {
            b.wear_index
                .total_cmp(&a.wear_index)
                .then(a.asset_tag.cmp(&b.asset_tag))
        }),
        FleetSort::AssetTag => fleet.sort_by(|a, b| a.asset_tag.cmp(&b.asset_tag)),
        FleetSort::Grade => fleet.sort_by(|a, b| {
            a.condition_grade
                .cmp(&b.condition_grade)
                .then(a.asset_tag.cmp(&b.asset_tag))
        }),
    }
    Ok(fleet)
}

/// What occupies one copy over some days, for its calendar.
#[derive(Debug, Clone)]
pub struct CopySchedule {
    pub copy_id: i64,
    pub asset_tag: String,
    pub resource_id: i64,
    pub resource_title: String,
    /// Its bookings that move it (requests, loans, past ones too) whose occupied days meet the
    /// period, by first day.
    pub bookings: Vec<crate::booking::Booking>,
    /// The names of their venues, by id.
    pub venues: HashMap<i64, String>,
    /// Its maintenance meeting the period, by first day.
    pub maintenance: Vec<Maintenance>,
}

/// The schedule of a copy over `[from, to]`, for its producer and the agency (others: 404, the
/// rule of the copy's calendar feed), in five queries whatever the length.
pub fn copy_schedule(
    conn: &mut DbConnection,
    p: &Principal,
    copy_id: i64,
    (from, to): (NaiveDate, NaiveDate),
) -> Result<CopySchedule> {
    let copy = catalogue::find_copy(conn, copy_id)?
        .filter(|c| policy::acts_for(p, c.producer_id))
        .ok_or_else(|| Error::NotFound(format!("copy {copy_id}")))?;
    let resource_title = catalogue::titles(conn, &[copy.resource_id])?
        .remove(&copy.resource_id)
        .unwrap_or_default();
    let bookings: Vec<crate::booking::Booking> =
        bookings::bookings_of_copy(conn, copy_id, BookingStatus::MOVING, from, to)?
            .into_iter()
            .map(crate::booking::Booking::try_from)
            .collect::<Result<_>>()?;
    let mut venue_ids: Vec<i64> = bookings.iter().map(|b| b.venue_id).collect();
    venue_ids.sort_unstable();
    venue_ids.dedup();
    let venues = crate::organization::service::whereabouts(conn, &venue_ids)?
        .into_iter()
        .map(|(id, w)| (id, w.name))
        .collect();
    let maintenance = store::maintenance_meeting(conn, copy_id, from, to)?
        .into_iter()
        .map(Maintenance::try_from)
        .collect::<Result<_>>()?;
    Ok(CopySchedule {
        copy_id,
        asset_tag: copy.asset_tag,
        resource_id: copy.resource_id,
        resource_title,
        bookings,
        venues,
        maintenance,
    })
}

/// The fleet as CSV (RFC 4180), for spreadsheets.
pub fn fleet_csv(fleet: &[FleetCopy]) -> String {
    let rows: Vec<Vec<String>> = fleet
        .iter()
        .map(|f| {
            vec![
                f.copy_id.to_string(),
                crate::text::spreadsheet_safe(&f.asset_tag),
                f.resource_id.to_string(),
                crate::text::spreadsheet_safe(&f.resource_title),
                f.status.to_string(),
                f.condition_grade.to_string(),
                f.needs_inspection.to_string(),
                format!("{:.2}", f.wear_index),
                f.maintenance_due.to_string(),
                f.predicted_retirement_on
                    .map(|d| d.to_string())
                    .unwrap_or_default(),
                f.next_booking_id.map(|d| d.to_string()).unwrap_or_default(),
                f.next_booking_starts_on
                    .map(|d| d.to_string())
                    .unwrap_or_default(),
                f.overdue_booking_id
                    .map(|d| d.to_string())
                    .unwrap_or_default(),
                f.overdue_since
                    .map(|t| {
                        t.and_utc()
                            .to_rfc3339_opts(chrono::SecondsFormat::Secs, true)
                    })
                    .unwrap_or_default(),
            ]
        })
        .collect();
    crate::text::csv(
        &[
            "copy_id",
            "asset_tag",
            "resource_id",
            "resource_title",
            "status",
            "condition_grade",
            "needs_inspection",
            "wear_index",
            "maintenance_due",
            "predicted_retirement_on",
            "next_booking_id",
            "next_booking_starts_on",
            "overdue_booking_id",
            "overdue_since",
        ],
        &rows,
    )
}
