//! Background jobs on bookings: reminders of lapsing holds and of loans due, overdue loans,
//! expired holds; and the network's loans at a glance.

use super::*;

/// Announces, once per booking, the requests whose hold lapses within 24 hours (the producer gets
/// a reminder to answer). Safe on every instance at once: the check and the event are written in
/// one write transaction. Returns how many were announced.
pub fn remind_expiring_holds(conn: &mut DbConnection, now: NaiveDateTime) -> Result<usize> {
    let mut announced = 0;
    for id in store::holds_lapsing(conn, now, now + Duration::days(1), 500)? {
        announced += announce_once(conn, id, EventKind::BookingHoldExpiring, now)?;
    }
    Ok(announced)
}

/// Days before the first day of use that the delivery reminder goes out.
pub const DELIVERY_DUE_DAYS: i64 = 3;
/// Days before the last day of use that the return reminder goes out.
pub const RETURN_DUE_DAYS: i64 = 2;

/// Announces, once per booking, approved loans starting within three days (delivery due) and
/// loans at their venue ending within two (return due). Safe on every instance at once: each
/// announcement re-checks the outbox inside its write transaction. Returns how many.
pub fn remind_loans_due(conn: &mut DbConnection, now: NaiveDateTime) -> Result<usize> {
    let today = now.date();
    let deliveries = store::unannounced_in_window(
        conn,
        &[BookingStatus::Approved],
        store::ReminderDay::Start,
        today,
        today + Duration::days(DELIVERY_DUE_DAYS),
        EventKind::BookingDeliveryDue,
        500,
    )?;
    let returns = store::unannounced_in_window(
        conn,
        &[BookingStatus::InTransit, BookingStatus::Delivered],
        store::ReminderDay::End,
        today,
        today + Duration::days(RETURN_DUE_DAYS),
        EventKind::BookingReturnDue,
        500,
    )?;
    let mut announced = 0;
    for (ids, kind) in [
        (deliveries, EventKind::BookingDeliveryDue),
        (returns, EventKind::BookingReturnDue),
    ] {
        for id in ids {
            announced += announce_once(conn, id, kind, now)?;
        }
    }
    Ok(announced)
}

/// Records `kind` about a booking unless it was already recorded (one write transaction, so two
/// instances announce it once between them). Returns 1 when this call recorded it.
pub(super) fn announce_once(
    conn: &mut DbConnection,
    booking_id: i64,
    kind: EventKind,
    now: NaiveDateTime,
) -> Result<usize> {
    write_transaction(conn, |conn| {
        Ok::<usize, Error>(
            crate::outbox::record_once(conn, kind, SubjectType::Booking, booking_id, now)?.into(),
        )
    })
}

/// The network's loans at a glance (requests waiting, on the road, overdue), for the agency.
pub fn network_loans(conn: &mut DbConnection, p: &Principal) -> Result<NetworkLoans> {
    policy::watch_network(p)?;
    let (waiting, oldest_waiting_since, on_the_road, overdue) = store::network_counts(conn)?;
    Ok(NetworkLoans {
        waiting,
        oldest_waiting_since,
        on_the_road,
        overdue,
    })
}

/// Marks the loans not back by their last day plus return travel as overdue: the mark on the
/// booking, a line in its history and `booking.overdue` in the outbox, together and once (a
/// conditional update that only one instance wins). Returns how many were marked.
pub fn mark_overdue_loans(conn: &mut DbConnection, now: NaiveDateTime) -> Result<usize> {
    let today = now.date();
    let mut marked = 0;
    for (id, ends_on, return_days, status) in store::loans_out_past_end(conn, today, 500)? {
        let due_on = return_due_on(ends_on, return_days);
        if due_on >= today {
            continue;
        }
        marked += write_transaction(conn, |conn| {
            if !store::mark_overdue_if_out(conn, id, status, now)? {
                return Ok::<usize, Error>(0);
            }
            store::insert_event(
                conn,
                &EventInsert {
                    booking_id: id,
                    action: "overdue",
                    from_status: Some(status.as_str()),
                    to_status: status.as_str(),
                    actor_organization_id: None,
                    actor_user_id: None,
                    actor_api_key_id: None,
                    note: None,
                    created_at: now,
                    system_note: serde_json::to_string(&SystemNote::NotReturned { due_on }).ok(),
                },
            )?;
            announce(
                conn,
                id,
                EventKind::BookingOverdue,
                &serde_json::json!({ "due_on": due_on, "status": status }),
                now,
            )?;
            Ok(1)
        })?;
    }
    Ok(marked)
}

/// The day a loan is due back at its producer: its last day of use plus return travel.
pub fn return_due_on(ends_on: NaiveDate, return_days: i32) -> NaiveDate {
    ends_on + Duration::days(i64::from(return_days.max(0)))
}

/// Expires lapsed holds and hands their copies to the waitlist. Safe on every instance at once:
/// each booking moves from `requested` to `expired` by a conditional update that only one wins.
pub fn expire_holds(
    conn: &mut DbConnection,
    settings: &Settings,
    now: NaiveDateTime,
) -> Result<usize> {
    let mut expired = 0;
    for id in store::lapsed_holds(conn, now, 500)? {
        let done = write_transaction(conn, |conn| {
            if !store::set_status_if(
                conn,
                id,
                BookingStatus::Requested,
                BookingStatus::Expired,
                None,
                now,
            )? {
                return Ok::<_, Error>(false);
            }
            store::release_booking_occupation(conn, id)?;
            record(
                conn,
                id,
                "expire",
                Some(BookingStatus::Requested),
                BookingStatus::Expired,
                None,
                (None, Some(&SystemNote::HoldLapsed)),
                true,
                now,
            )?;
            if let Some(row) = store::find_booking(conn, id)? {
                settings.hook.on_transition(
                    conn,
                    &row,
                    BookingStatus::Requested,
                    BookingStatus::Expired,
                    now,
                )?;
                promote_waitlist(conn, settings, row.resource_id, now)?;
            }
            Ok(true)
        })?;
        if done {
            expired += 1;
        }
    }
    Ok(expired)
}
