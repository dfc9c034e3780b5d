//! The waitlist: joining, listing and leaving it, and promoting its entries when a copy frees up.

use super::*;

/// Gives freed copies to the waitlist, first come first served: each waiting venue whose period
/// now fits gets a `requested` booking. Returns the bookings made.
pub fn promote_waitlist(
    conn: &mut DbConnection,
    settings: &Settings,
    resource_id: i64,
    now: NaiveDateTime,
) -> Result<Vec<i64>> {
    let today = now.date();
    let mut made = Vec::new();
    let Some(resource) = catalogue::find_live_resource(conn, resource_id)? else {
        return Ok(made);
    };
    for entry in store::waiting_for(conn, resource_id)? {
        if entry.starts_on < today {
            store::close_waitlist(conn, entry.id, WaitlistStatus::Cancelled, None, now)?;
            continue;
        }
        let Some(venue) = venue_position(conn, entry.venue_id)? else {
            continue;
        };
        // The request cap holds for promotions as for `POST /bookings`: a venue at its cap
        // keeps waiting (the entry is served when one of its requests is answered).
        if store::open_requests_of_venue(conn, entry.venue_id)? >= settings.max_open_requests {
            continue;
        }
        // The venue (and whoever joined the waitlist) asked for it: the history says so.
        let on_behalf = Principal {
            user_id: entry.created_by,
            api_key_id: None,
            organization_id: entry.venue_id,
            kind: OrgKind::Venue,
            role: crate::organization::Role::Member,
        };
        let cands = candidates(
            conn,
            settings,
            &resource,
            (entry.venue_id, venue),
            entry.starts_on,
            None,
        )?;
        let placed = first_free(
            conn,
            &cands,
            entry.starts_on,
            entry.ends_on,
            None,
            |conn, c, days| {
                let row = insert_request(
                    conn,
                    settings,
                    resource.id,
                    entry.venue_id,
                    c,
                    (entry.starts_on, entry.ends_on),
                    days,
                    Some(&on_behalf),
                    Some(entry.id),
                    true,
                    now,
                )?;
                store::close_waitlist(
                    conn,
                    entry.id,
                    WaitlistStatus::Fulfilled,
                    Some(row.id),
                    now,
                )?;
                Ok(row.id)
            },
        )
        .or_else(|e| match e.code() {
            // No open day fits: the entry keeps waiting.
            crate::error::Code::VenueClosed => Ok(None),
            _ => Err(e),
        })?;
        if let Some(booking_id) = placed {
            tracing::info!(booking_id, entry = entry.id, "waitlist entry promoted");
            made.push(booking_id);
        }
    }
    Ok(made)
}

/// Puts a venue on the waitlist of a resource for a period.
pub fn join_waitlist(
    conn: &mut DbConnection,
    p: &Principal,
    settings: &Settings,
    new: &NewWaitlistEntry,
    now: NaiveDateTime,
) -> Result<WaitlistEntry> {
    policy::book_for_venue(p, new.venue_id)?;
    let mut v = Validator::new();
    check_period(&mut v, settings, now.date(), new.starts_on, new.ends_on);
    if venue_position(conn, new.venue_id)?.is_none() {
        v.add("venue_id", "not a venue of the network");
    }
    if catalogue::find_live_resource(conn, new.resource_id)?.is_none() {
        v.add("resource_id", "no such resource in the catalogue");
    }
    v.finish()?;
    write_transaction(conn, |conn| {
        orgs::lock_organization(conn, new.venue_id)?;
        let waiting = store::waiting_entries_of_venue(conn, new.venue_id)?;
        if let Some(same) = waiting.iter().find(|w| {
            w.resource_id == new.resource_id
                && w.starts_on <= new.ends_on
                && new.starts_on <= w.ends_on
        }) {
            return Err(Error::conflict(
                crate::error::Code::AlreadyExists,
                format!(
                    "the venue already waits for this resource from {} to {} (entry {}); \
                     cancel it to change the days",
                    same.starts_on, same.ends_on, same.id
                ),
            ));
        }
        if waiting.len() as i64 >= settings.max_open_requests {
            return Err(Error::conflict(
                crate::error::Code::RequestLimitReached,
                format!(
                    "the venue already has {} waitlist entries (at most {}); cancel one first",
                    waiting.len(),
                    settings.max_open_requests
                ),
            ));
        }
        let entry = store::insert_waitlist(
            conn,
            new.resource_id,
            new.venue_id,
            new.starts_on,
            new.ends_on,
            p.user_id,
            now,
        )?;
        // A copy free right now serves the entry at once.
        promote_waitlist(conn, settings, new.resource_id, now)?;
        store::find_waitlist(conn, entry.id)?
            .ok_or_else(|| Error::Internal("waitlist entry vanished".into()))?
            .try_into()
    })
}

/// Waitlist entries: a venue's own, or any (optionally one venue's) for the agency.
pub fn list_waitlist(
    conn: &mut DbConnection,
    p: &Principal,
    venue_id: Option<i64>,
) -> Result<Vec<WaitlistEntry>> {
    let venue = match p.kind {
        OrgKind::Agency => venue_id,
        OrgKind::Venue => Some(p.organization_id),
        _ => return Ok(Vec::new()),
    };
    store::list_waitlist(conn, venue)?
        .into_iter()
        .map(WaitlistEntry::try_from)
        .collect()
}

/// Leaves the waitlist.
pub fn cancel_waitlist(
    conn: &mut DbConnection,
    p: &Principal,
    id: i64,
    now: NaiveDateTime,
) -> Result<WaitlistEntry> {
    write_transaction(conn, |conn| {
        let entry = store::find_waitlist(conn, id)?
            .filter(|e| policy::acts_for(p, e.venue_id))
            .ok_or_else(|| Error::NotFound(format!("waitlist entry {id}")))?;
        if !store::close_waitlist(conn, id, WaitlistStatus::Cancelled, None, now)? {
            return Err(Error::conflict(
                crate::error::Code::InvalidTransition,
                format!("the entry is already {}", entry.status),
            ));
        }
        store::find_waitlist(conn, id)?
            .ok_or_else(|| Error::NotFound(format!("waitlist entry {id}")))?
            .try_into()
    })
}
