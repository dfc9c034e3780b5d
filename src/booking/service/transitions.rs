//! The approval workflow: acting on a booking (approve, reject, cancel, hand-overs), lifting a
//! flag, booking an approved loan on another copy, and changing dates.

use super::*;

/// The longest note an action may carry (it goes into the booking's history and mail).
pub const MAX_NOTE_CHARS: usize = 2_000;

/// Takes a workflow action (approve, reject, cancel, dispatch, deliver, return, close).
pub fn act(
    conn: &mut DbConnection,
    p: &Principal,
    settings: &Settings,
    id: i64,
    action: BookingAction,
    note: Option<&str>,
    now: NaiveDateTime,
) -> Result<Booking> {
    write_transaction(conn, |conn| {
        let (row, producer_id) = visible_booking(conn, p, id)?;
        policy::act_on_booking(p, action.side(), row.venue_id, producer_id)?;
        if note.is_some_and(|n| n.chars().count() > MAX_NOTE_CHARS) {
            return Err(Error::invalid(
                "note",
                format!("must be at most {MAX_NOTE_CHARS} characters"),
            ));
        }
        transition(conn, settings, &row, action, p, (note, None), now)?.try_into()
    })
}

/// Moves one booking by one action, inside the caller's transaction: the only place a workflow
/// action changes a booking's status (its copy, history, the other domains' hook, the waitlist).
pub(super) fn transition(
    conn: &mut DbConnection,
    settings: &Settings,
    row: &BookingRow,
    action: BookingAction,
    actor: &Principal,
    note: (Option<&str>, Option<&SystemNote>),
    now: NaiveDateTime,
) -> Result<BookingRow> {
    let id = row.id;
    let from: BookingStatus = row.status;
    let to = action.transition(from).ok_or_else(|| {
        Error::conflict(
            crate::error::Code::InvalidTransition,
            format!("cannot {action} a booking that is {from}"),
        )
    })?;
    if action == BookingAction::Dispatch {
        ensure_fit_to_travel(conn, row)?;
        take_from_today(conn, row, now)?;
    }
    if !store::set_status_if(conn, id, from, to, None, now)? {
        return Err(Error::conflict(
            crate::error::Code::InvalidTransition,
            "the booking changed meanwhile; read it again",
        ));
    }
    move_copy_for(conn, row, action, now)?;
    record(
        conn,
        id,
        action.as_str(),
        Some(from),
        to,
        Some(actor),
        note,
        true,
        now,
    )?;
    let updated =
        store::find_booking(conn, id)?.ok_or_else(|| Error::NotFound(format!("booking {id}")))?;
    settings.hook.on_transition(conn, &updated, from, to, now)?;
    if !to.is_active() {
        store::release_booking_occupation(conn, id)?;
        promote_waitlist(conn, settings, row.resource_id, now)?;
    }
    Ok(updated)
}

/// The producer (or the agency) lifts a booking's flag, saying why: the copy may serve it after
/// all. Written in the booking's history and the audit log. 409 when the booking has no flag.
pub fn clear_flag(
    conn: &mut DbConnection,
    p: &Principal,
    id: i64,
    reason: &str,
    now: NaiveDateTime,
) -> Result<Booking> {
    let reason = reason.trim();
    let mut v = Validator::new();
    v.check(!reason.is_empty(), "reason", "say why the flag is lifted");
    v.at_most_chars("reason", reason, 1_000);
    write_transaction(conn, |conn| {
        let (row, producer_id) = visible_booking(conn, p, id)?;
        policy::act_on_booking(p, policy::Side::Producer, row.venue_id, producer_id)?;
        v.finish()?;
        if !store::clear_flag(conn, id, now)? {
            return Err(Error::conflict(
                crate::error::Code::InvalidTransition,
                "the booking is not flagged",
            ));
        }
        store::insert_event(
            conn,
            &EventInsert {
                booking_id: id,
                action: "clear_flag",
                from_status: Some(row.status.as_str()),
                to_status: row.status.as_str(),
                actor_organization_id: Some(p.organization_id),
                actor_user_id: p.user_id,
                actor_api_key_id: p.api_key_id,
                note: Some(reason),
                created_at: now,
                system_note: None,
            },
        )?;
        crate::audit::record(
            conn,
            p.actor(),
            crate::audit::AuditAction::BookingFlagCleared,
            id,
            &serde_json::json!({ "reason": reason, "flag_reason": row.flag_reason }),
            now,
        )?;
        store::find_booking(conn, id)?
            .ok_or_else(|| Error::NotFound(format!("booking {id}")))?
            .try_into()
    })
}

/// Where a copy of a resource could serve a venue for some dates, as a planner sees it.
#[derive(Debug, Clone)]
pub struct CopyOption {
    pub copy_id: i64,
    /// Road km from the copy's depot to the venue.
    pub road_km: f64,
    /// The days the copy would be taken: travel, set-up and turnaround around the dates of use.
    pub occupied: (NaiveDate, NaiveDate),
}

/// A resource as [`OptionsReading`] keeps it: its row and its copies with their depot's position.
type ReadResource = (ResourceRow, Vec<(catalogue::CopyRow, f64, f64)>);

/// What many placements read once for all (an allocation round's requests): each venue's
/// position, each resource with its copies, and the organisations' open days.
#[derive(Default)]
pub struct OptionsReading {
    venues: std::collections::HashMap<i64, Option<LatLon>>,
    resources: std::collections::HashMap<i64, Option<ReadResource>>,
    calendars: Calendars,
}

/// The copies in service that could serve `venue_id` from `starts_on` to `ends_on`, best first
/// (shortest approach, chaining included), with the days each would occupy: what a request would
/// try, for planners that place many requests before booking any (allocation rounds). `reading`
/// keeps what the requests of one plan share, so that a round of 40 requests does not read the
/// same venue, resource and open days 40 times.
pub fn copy_options(
    conn: &mut DbConnection,
    settings: &Settings,
    reading: &mut OptionsReading,
    resource_id: i64,
    venue_id: i64,
    (starts_on, ends_on): (NaiveDate, NaiveDate),
) -> Result<Vec<CopyOption>> {
    let venue = match reading.venues.get(&venue_id) {
        Some(known) => *known,
        None => {
            let found = venue_position(conn, venue_id)?;
            reading.venues.insert(venue_id, found);
            found
        }
    };
    if let std::collections::hash_map::Entry::Vacant(slot) = reading.resources.entry(resource_id) {
        let found = match catalogue::find_live_resource(conn, resource_id)? {
            Some(resource) => {
                let copies = catalogue::copies_with_depot(conn, resource_id)?;
                Some((resource, copies))
            }
            None => None,
        };
        slot.insert(found);
    }
    let (Some(venue), Some(Some((resource, copies)))) =
        (venue, reading.resources.get(&resource_id))
    else {
        return Ok(Vec::new());
    };
    Ok(candidates_among(
        conn,
        settings,
        resource,
        (venue_id, venue),
        starts_on,
        copies.clone(),
        &mut reading.calendars,
    )?
    .into_iter()
    // A copy whose depot or venue has no open day for the hand-overs cannot serve.
    .filter_map(|c| {
        let days = c.loan_days(starts_on, ends_on).ok()?;
        Some(CopyOption {
            copy_id: c.copy_id,
            road_km: c.road_km,
            occupied: (days.occupied_from, days.occupied_to),
        })
    })
    .collect())
}

/// Books a planned placement on one copy and approves it at once, inside the caller's
/// transaction (an allocation round's confirmation): the same occupation rules and history as a
/// request followed by an approval. `Ok(None)` when the copy is no longer free for these dates.
#[allow(clippy::too_many_arguments)]
pub fn book_approved(
    conn: &mut DbConnection,
    actor: &Principal,
    settings: &Settings,
    (resource_id, copy_id, venue_id): (i64, i64, i64),
    (starts_on, ends_on): (NaiveDate, NaiveDate),
    note: &SystemNote,
    now: NaiveDateTime,
) -> Result<Option<Booking>> {
    let venue = venue_position(conn, venue_id)?
        .ok_or_else(|| Error::invalid("venue_id", "not a venue of the network"))?;
    let resource = catalogue::find_live_resource(conn, resource_id)?
        .ok_or_else(|| Error::invalid("resource_id", "no such resource in the catalogue"))?;
    let cands = candidates(
        conn,
        settings,
        &resource,
        (venue_id, venue),
        starts_on,
        Some(copy_id),
    )?;
    let placed = first_free(conn, &cands, starts_on, ends_on, None, |conn, c, days| {
        insert_request(
            conn,
            settings,
            resource_id,
            venue_id,
            c,
            (starts_on, ends_on),
            days,
            Some(actor),
            None,
            // Approved at once below: nobody is asked to answer a request.
            false,
            now,
        )
    })?;
    let Some(row) = placed else {
        return Ok(None);
    };
    let approved = transition(
        conn,
        settings,
        &row,
        BookingAction::Approve,
        actor,
        (None, Some(note)),
        now,
    )?;
    Ok(Some(approved.try_into()?))
}

/// A copy leaves only when it is in service (no repair open), inspected since its last loan, not
/// retired, and the booking is not flagged (the producer moves it or clears the flag first).
pub(super) fn ensure_fit_to_travel(conn: &mut DbConnection, row: &BookingRow) -> Result<()> {
    let copy_id = row.copy_id;
    let copy = catalogue::find_copy(conn, copy_id)?
        .ok_or_else(|| Error::Internal("booking without copy".into()))?;
    let why = if copy.status == CopyStatus::Retired {
        Some("the copy is retired")
    } else if copy.status == CopyStatus::Maintenance
        || store::under_repair(conn, &[copy_id])?.contains(&copy_id)
    {
        Some("the copy is in maintenance until its repair is completed")
    } else if row.flagged_at.is_some() {
        Some("the booking is flagged (the copy may not serve it); clear the flag with a reason")
    } else if copy.needs_inspection {
        Some("the copy came back from a loan and has not passed an inspection yet")
    } else {
        None
    };
    match why {
        Some(why) => Err(Error::conflict(
            crate::error::Code::CopyNotReady,
            format!("{why}; move the booking to another copy or inspect the copy first"),
        )),
        None => Ok(()),
    }
}

/// A copy dispatched before its booking's occupation begins is taken from today: the occupation
/// is extended in the same transaction, or 409 `invalid_transition` naming the first day it may
/// leave when another booking or a maintenance holds the days in between.
pub(super) fn take_from_today(
    conn: &mut DbConnection,
    row: &BookingRow,
    now: NaiveDateTime,
) -> Result<()> {
    let today = now.date();
    if today >= row.occupied_from {
        return Ok(());
    }
    let gap = (today, row.occupied_from - Duration::days(1));
    let extended = store::write_if_free(conn, row.copy_id, gap, Some(row.id), |conn| {
        store::extend_occupation_from(conn, row.id, today, now)?;
        Ok(())
    })?;
    if extended.is_some() {
        return Ok(());
    }
    let held = store::busy_periods(conn, row.copy_id, gap.0, gap.1, Some(row.id))?;
    let possible_from = held
        .iter()
        .map(|(_, to)| *to + Duration::days(1))
        .max()
        .unwrap_or(row.occupied_from)
        .min(row.occupied_from);
    Err(Error::Conflict {
        code: crate::error::Code::InvalidTransition,
        detail: format!(
            "the copy is held by another booking or a maintenance before {}; dispatch is \
             possible from {possible_from}",
            row.occupied_from
        ),
        extra: Some(serde_json::json!({ "possible_from": possible_from })),
    })
}

/// Flags the copy's bookings that it can no longer serve (requested or approved, not yet over),
/// except one, and records an event for each so that the owners can be told (the reason whole,
/// for each reader's language). Returns their ids.
pub fn flag_bookings_of_copy(
    conn: &mut DbConnection,
    copy_id: i64,
    except_booking: Option<i64>,
    reason: &crate::booking::model::FlagReason,
    now: NaiveDateTime,
) -> Result<Vec<i64>> {
    let words = reason.render("en");
    let code = serde_json::to_string(reason).map_err(|e| Error::Internal(e.to_string()))?;
    let flagged = store::flag_upcoming(conn, copy_id, except_booking, (&words, &code), now)?;
    for id in &flagged {
        announce(
            conn,
            *id,
            EventKind::BookingFlagged,
            &serde_json::json!({ "copy_id": copy_id, "reason": words, "flag": reason }),
            now,
        )?;
    }
    Ok(flagged)
}

/// Where the copy goes, and in which state, with each hand-over.
pub(super) fn move_copy_for(
    conn: &mut DbConnection,
    row: &BookingRow,
    action: BookingAction,
    now: NaiveDateTime,
) -> Result<()> {
    match action {
        BookingAction::Dispatch => {
            catalogue::move_copy(conn, row.copy_id, CopyStatus::InTransit.as_str(), None, now)?;
        }
        BookingAction::Deliver => {
            let venue = orgs::find_organization(conn, row.venue_id)?
                .ok_or_else(|| Error::Internal("booking without venue".into()))?;
            catalogue::move_copy(
                conn,
                row.copy_id,
                CopyStatus::OnLoan.as_str(),
                Some((venue.latitude, venue.longitude)),
                now,
            )?;
        }
        BookingAction::Return => {
            let depot = catalogue::find_copy(conn, row.copy_id)?
                .map(|c| c.home_commune_insee)
                .map(|code| crate::territory::store::find(conn, &code))
                .transpose()?
                .flatten();
            // A copy found damaged or incomplete goes to the workshop, not back on offer.
            let back_as = if store::in_maintenance_on(conn, row.copy_id, now.date())? {
                CopyStatus::Maintenance
            } else {
                CopyStatus::Available
            };
            catalogue::move_copy(
                conn,
                row.copy_id,
                back_as.as_str(),
                depot.map(|c| (c.latitude, c.longitude)),
                now,
            )?;
            // Not lendable again until an inspection report passes.
            catalogue::set_needs_inspection(conn, row.copy_id, true, now)?;
        }
        _ => {}
    }
    Ok(())
}

/// Moves a `requested` or `approved` booking to new dates, re-checked like a new booking (its own
/// copy first, then any other free copy).
pub fn change_dates(
    conn: &mut DbConnection,
    p: &Principal,
    settings: &Settings,
    id: i64,
    dates: &BookingDates,
    now: NaiveDateTime,
) -> Result<Booking> {
    let today = now.date();
    let mut v = Validator::new();
    check_period(&mut v, settings, today, dates.starts_on, dates.ends_on);
    v.check(
        dates
            .note
            .as_deref()
            .is_none_or(|n| n.chars().count() <= MAX_NOTE_CHARS),
        "note",
        "must be at most 2,000 characters",
    );
    v.finish()?;
    write_transaction(conn, |conn| {
        let (row, producer_id) = visible_booking(conn, p, id)?;
        policy::change_booking(p, row.venue_id, producer_id)?;
        let status: BookingStatus = row.status;
        if !status.dates_can_change() {
            return Err(Error::conflict(
                crate::error::Code::InvalidTransition,
                format!("the dates of a booking that is {status} can no longer change"),
            ));
        }
        let resource = catalogue::find_live_resource(conn, row.resource_id)?.ok_or_else(|| {
            Error::conflict(
                crate::error::Code::InvalidTransition,
                "the resource was withdrawn",
            )
        })?;
        let venue = venue_position(conn, row.venue_id)?
            .ok_or_else(|| Error::Internal("booking without venue".into()))?;
        let venue = (row.venue_id, venue);
        let mut cands = candidates(conn, settings, &resource, venue, dates.starts_on, None)?;
        // Keep the same copy when it is free.
        cands.sort_by_key(|c| c.copy_id != row.copy_id);
        let period = (dates.starts_on, dates.ends_on);
        let updated = place_or_refuse(
            conn,
            settings,
            &cands,
            period,
            today,
            Some(id),
            |conn, c, days| {
                let updated = move_booking(conn, id, c, days, period, now)?;
                tell_new_dates(conn, p, &row, dates, now)?;
                Ok(updated)
            },
        )?;
        settings
            .hook
            .on_transition(conn, &updated, status, status, now)?;
        promote_waitlist(conn, settings, row.resource_id, now)?;
        updated.try_into()
    })
}

/// Moves a booking's occupation to the copy `c` for `period` (its loan `days` there), with the
/// placement of that copy; a flag on the old dates is lifted.
fn move_booking(
    conn: &mut DbConnection,
    id: i64,
    c: &Candidate,
    days: &LoanDays,
    (starts_on, ends_on): (NaiveDate, NaiveDate),
    now: NaiveDateTime,
) -> Result<BookingRow> {
    store::release_booking_occupation(conn, id)?;
    let occupied = (days.occupied_from, days.occupied_to);
    store::insert_occupation(
        conn,
        &OccupationInsert::booking(c.copy_id, occupied, id, now),
    )?;
    let updated = store::update_placement(
        conn,
        id,
        &Placement {
            copy_id: c.copy_id,
            starts_on,
            ends_on,
            occupied_from: days.occupied_from,
            occupied_to: days.occupied_to,
            delivery_on: days.delivery_on,
            pickup_on: days.pickup_on,
            outbound_days: c.travel_days as i32,
            return_days: c.travel_days as i32,
            distance_km: c.road_km,
            updated_at: now,
            flagged_at: Some(None),
            flag_reason: Some(None),
            flag_code: Some(None),
        },
    )?;
    Ok(updated)
}

/// Writes the change of dates into the booking's history (with the caller's note) and tells
/// both sides: the status did not change, so [`record`] announces nothing by itself.
fn tell_new_dates(
    conn: &mut DbConnection,
    p: &Principal,
    row: &BookingRow,
    dates: &BookingDates,
    now: NaiveDateTime,
) -> Result<()> {
    let status: BookingStatus = row.status;
    let said = dates
        .note
        .as_deref()
        .map(str::trim)
        .filter(|n| !n.is_empty());
    let moved = SystemNote::DatesChanged {
        previous_starts_on: row.starts_on,
        previous_ends_on: row.ends_on,
        starts_on: dates.starts_on,
        ends_on: dates.ends_on,
    };
    record(
        conn,
        row.id,
        "change_dates",
        Some(status),
        status,
        Some(p),
        (said, Some(&moved)),
        true,
        now,
    )?;
    let mut details = serde_json::json!({
        "action": "change_dates",
        "previous_starts_on": row.starts_on,
        "previous_ends_on": row.ends_on,
        "previous_copy_id": row.copy_id,
    });
    if let Some(said) = said {
        details["note"] = said.into();
    }
    announce(conn, row.id, EventKind::BookingRescheduled, &details, now)
}
