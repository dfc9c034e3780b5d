//! Reading bookings as a caller may: one booking, its history, lists and the pending requests.

use super::*;

/// A booking row and its producer, if the caller may read it (404 otherwise: another's booking
/// does not exist for them).
pub fn visible_booking(
    conn: &mut DbConnection,
    p: &Principal,
    id: i64,
) -> Result<(BookingRow, i64)> {
    let (row, producer_id) = store::find_booking_with_producer(conn, id)?
        .ok_or_else(|| Error::NotFound(format!("booking {id}")))?;
    policy::read_booking(p, row.venue_id, producer_id)
        .map_err(|_| Error::NotFound(format!("booking {id}")))?;
    Ok((row, producer_id))
}

/// One booking, for its venue, its producer and the agency.
pub fn get(conn: &mut DbConnection, p: &Principal, id: i64) -> Result<Booking> {
    visible_booking(conn, p, id)?.0.try_into()
}

/// The history of a booking, oldest first.
pub fn history(conn: &mut DbConnection, p: &Principal, id: i64) -> Result<Vec<BookingEvent>> {
    history_in(conn, p, id, "en")
}

/// The history of a booking with each line's `note` in a reader's language (`en`, else
/// French): the portal's loan page.
pub fn history_in(
    conn: &mut DbConnection,
    p: &Principal,
    id: i64,
    locale: &str,
) -> Result<Vec<BookingEvent>> {
    visible_booking(conn, p, id)?;
    store::list_events(conn, id)?
        .into_iter()
        .map(|e| {
            // A code written by a newer version than this one reads as no code (its English
            // words are lost, the actor's kept).
            let system_note: Option<SystemNote> = e
                .system_note
                .as_deref()
                .and_then(|n| serde_json::from_str(n).ok());
            Ok(BookingEvent {
                id: e.id,
                booking_id: e.booking_id,
                action: e.action,
                from_status: e.from_status.as_deref().map(stored).transpose()?,
                to_status: stored(&e.to_status)?,
                actor_organization_id: e.actor_organization_id,
                actor_user_id: e.actor_user_id,
                actor_api_key_id: e.actor_api_key_id,
                note: SystemNote::history_line(system_note.as_ref(), e.note.as_deref(), locale),
                system_note,
                created_at: e.created_at,
            })
        })
        .collect()
}

/// Which bookings the caller may list.
pub fn scope_of(p: &Principal) -> Option<Scope> {
    match p.kind {
        OrgKind::Agency => Some(Scope::All),
        OrgKind::Venue => Some(Scope::Venue(p.organization_id)),
        OrgKind::Producer => Some(Scope::Producer(p.organization_id)),
        OrgKind::Partner => None,
    }
}

/// Checks a list request: a page of 1–500 (default 100) and a range that is not reversed.
pub fn list_filter(mut filter: BookingFilter, limit: Option<i64>) -> Result<BookingFilter> {
    let mut v = Validator::new();
    let limit = limit.unwrap_or(100);
    v.in_range("limit", Some(limit), 1..=500);
    if let (Some(from), Some(to)) = (filter.from, filter.to) {
        v.check(to >= from, "to", "must not be before from");
    }
    v.finish()?;
    filter.limit = limit;
    Ok(filter)
}

/// Bookings visible to the caller, filtered.
pub fn list(
    conn: &mut DbConnection,
    p: &Principal,
    filter: &BookingFilter,
) -> Result<Vec<Booking>> {
    let Some(scope) = scope_of(p) else {
        return Ok(Vec::new());
    };
    store::list_bookings(conn, scope, filter)?
        .into_iter()
        .map(Booking::try_from)
        .collect()
}

/// A request waiting for its producer, with what deciding it needs to know: the other bookings
/// occupying a copy of the same resource on some of its days, and how many other copies of the
/// resource are free over all of them (the availability rule, [`availabilities`]).
#[derive(Debug, Clone)]
pub struct PendingRequest {
    pub booking: Booking,
    /// Other requests and loans of the resource whose occupied days meet this one's.
    pub overlapping: Vec<Booking>,
    /// Copies of the resource, besides the one held, free over the whole occupied period.
    pub free_copies: usize,
}

/// The caller's requests waiting for an answer (a producer's inbox), by first day of use, each
/// with its conflicts. Read in a fixed number of queries whatever the number of requests.
pub fn pending_requests(conn: &mut DbConnection, p: &Principal) -> Result<Vec<PendingRequest>> {
    policy::read_producer_inbox(p)?;
    let filter = BookingFilter {
        status: Some(BookingStatus::Requested.as_str().to_string()),
        limit: 500,
        ..BookingFilter::default()
    };
    let mut requests = list(conn, p, &filter)?;
    requests.sort_by_key(|b| (b.starts_on, b.id));
    let (Some(from), Some(to)) = (
        requests.iter().map(|b| b.occupied_from).min(),
        requests.iter().map(|b| b.occupied_to).max(),
    ) else {
        return Ok(Vec::new());
    };
    let mut resource_ids: Vec<i64> = requests.iter().map(|b| b.resource_id).collect();
    resource_ids.sort_unstable();
    resource_ids.dedup();
    let occupying: Vec<Booking> = store::occupying_bookings(conn, &resource_ids, from, to)?
        .into_iter()
        .map(Booking::try_from)
        .collect::<Result<_>>()?;
    let free: std::collections::HashMap<i64, Vec<CopyAvailability>> = availabilities(
        conn,
        &resource_ids,
        from,
        to.min(from + Duration::days(MAX_AVAILABILITY_DAYS)),
    )?
    .into_iter()
    .map(|a| (a.resource_id, a.copies))
    .collect();
    Ok(requests
        .into_iter()
        .map(|b| {
            let overlapping = occupying
                .iter()
                .filter(|o| {
                    o.id != b.id
                        && o.resource_id == b.resource_id
                        && period::meet(
                            (o.occupied_from, o.occupied_to),
                            (b.occupied_from, b.occupied_to),
                        )
                })
                .cloned()
                .collect();
            let free_copies = free.get(&b.resource_id).map_or(0, |copies| {
                copies
                    .iter()
                    .filter(|c| c.copy_id != b.copy_id)
                    .filter(|c| {
                        c.free
                            .iter()
                            .any(|f| f.from <= b.occupied_from && f.to >= b.occupied_to)
                    })
                    .count()
            });
            PendingRequest {
                booking: b,
                overlapping,
                free_copies,
            }
        })
        .collect())
}
