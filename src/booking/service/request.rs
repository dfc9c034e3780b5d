//! Placing a request: the dates checked, the candidate copies ranked by approach, the first
//! free one taken inside a write transaction, alternatives offered when none is free.

use super::*;

/// Checks dates of use: not reversed, not in the past, not absurdly long or far ahead.
pub(super) fn check_period(
    v: &mut Validator,
    settings: &Settings,
    today: NaiveDate,
    starts_on: NaiveDate,
    ends_on: NaiveDate,
) {
    if starts_on < today {
        v.add("starts_on", "must not be in the past");
    }
    if ends_on < starts_on {
        v.add("ends_on", "must not be before starts_on");
    } else if (ends_on - starts_on).num_days() + 1 > settings.max_days {
        v.add(
            "ends_on",
            format!("a booking lasts at most {} days", settings.max_days),
        );
    }
    if starts_on > today + Duration::days(settings.horizon_days) {
        v.add(
            "starts_on",
            format!("bookings open at most {} days ahead", settings.horizon_days),
        );
    }
}

/// A copy that could serve a booking, with what the trip to the venue costs it.
#[derive(Debug, Clone)]
pub(super) struct Candidate {
    pub(super) copy_id: i64,
    /// Road km between the copy's depot and the venue (its occupation is planned from there).
    pub(super) road_km: f64,
    /// Road km from where the copy will be: its previous venue when chained, else its depot.
    pub(super) approach_km: f64,
    pub(super) travel_days: i64,
    pub(super) widening: Widening,
    pub(super) needs: Needs,
    /// The venue's and the copy's depot's open days.
    pub(super) calendars: std::rc::Rc<(hours::Calendar, hours::Calendar)>,
}

impl Candidate {
    /// The loan's days on this copy: delivery, pick-up and occupation on open days.
    pub(super) fn loan_days(
        &self,
        starts_on: NaiveDate,
        ends_on: NaiveDate,
    ) -> std::result::Result<LoanDays, ClosedDays> {
        let (venue, depot) = &*self.calendars;
        period::loan_days(
            starts_on,
            ends_on,
            self.needs,
            &|day| venue.is_open(day),
            &|day| venue.is_open(day) && depot.is_open(day),
        )
    }
}

/// 422 `venue_closed`: no open day fits a hand-over or the set-up, naming the closed days tried.
pub(super) fn venue_closed(closed: &ClosedDays) -> Error {
    let first = closed.closed.iter().min();
    let last = closed.closed.iter().max();
    let range = match (first, last) {
        (Some(first), Some(last)) => format!(" (closed days tried: {first} to {last})"),
        _ => String::new(),
    };
    Error::Conflict {
        code: crate::error::Code::VenueClosed,
        detail: format!(
            "no day near {} is open at both the venue and the depot for the {}{range}; choose \
             other dates or ask the venue to open a day (opening hours, exceptions, school \
             holidays)",
            closed.natural, closed.step
        ),
        extra: Some(serde_json::json!({
            "step": closed.step,
            "natural_day": closed.natural,
            "closed_days": closed.closed,
        })),
    }
}

/// Open-day calendars, loaded once per organisation for one request.
#[derive(Default)]
pub(super) struct Calendars(std::collections::HashMap<i64, hours::Calendar>);

impl Calendars {
    fn get(&mut self, conn: &mut DbConnection, organization_id: i64) -> Result<hours::Calendar> {
        if let Some(found) = self.0.get(&organization_id) {
            return Ok(found.clone());
        }
        let loaded = hours::calendar(conn, organization_id)?;
        self.0.insert(organization_id, loaded.clone());
        Ok(loaded)
    }
}

/// Lendable copies of a resource, nearest depot to the venue first.
pub(super) fn candidates(
    conn: &mut DbConnection,
    settings: &Settings,
    resource: &ResourceRow,
    venue: (i64, LatLon),
    starts_on: NaiveDate,
    only_copy: Option<i64>,
) -> Result<Vec<Candidate>> {
    let rows: Vec<_> = catalogue::copies_with_depot(conn, resource.id)?
        .into_iter()
        .filter(|(copy, _, _)| only_copy.is_none_or(|id| id == copy.id))
        .collect();
    candidates_among(
        conn,
        settings,
        resource,
        venue,
        starts_on,
        rows,
        &mut Calendars::default(),
    )
}

/// [`candidates`] among copies already read (`rows`, with their depot's position), open days
/// read once into `calendars` for all the requests of one reading (an allocation round's).
pub(super) fn candidates_among(
    conn: &mut DbConnection,
    settings: &Settings,
    resource: &ResourceRow,
    (venue_id, venue): (i64, LatLon),
    starts_on: NaiveDate,
    rows: Vec<(catalogue::CopyRow, f64, f64)>,
    calendars: &mut Calendars,
) -> Result<Vec<Candidate>> {
    let rows: Vec<_> = rows
        .into_iter()
        .filter(|(copy, _, _)| {
            copy.status != CopyStatus::Retired && copy.status != CopyStatus::Maintenance
        })
        .collect();
    let mut found: Vec<Candidate> = Vec::with_capacity(rows.len());
    for (copy, lat, lon) in rows {
        let road_km = road_estimate_km(LatLon { lat, lon }, venue, settings.detour);
        let travel_days =
            period::transport_days(road_km, settings.km_per_day, settings.handling_days);
        let venue_days = calendars.get(conn, venue_id)?;
        let depot_days = calendars.get(conn, copy.producer_id)?;
        found.push(Candidate {
            copy_id: copy.id,
            road_km,
            approach_km: road_km,
            travel_days,
            widening: Widening::new(
                i64::from(resource.setup_days),
                i64::from(resource.turnaround_days),
                travel_days,
                travel_days,
            ),
            needs: Needs {
                setup_days: i64::from(resource.setup_days),
                turnaround_days: i64::from(resource.turnaround_days),
                outbound_days: travel_days,
                return_days: travel_days,
            },
            calendars: std::rc::Rc::new((venue_days, depot_days)),
        });
    }
    // A copy under repair is out of service until the repair is completed, wherever it is.
    let all: Vec<i64> = found.iter().map(|c| c.copy_id).collect();
    let repairing = store::under_repair(conn, &all)?;
    found.retain(|c| !repairing.contains(&c.copy_id));
    // A copy whose previous loan ends shortly before comes straight from that venue (chaining):
    // prefer the copy that makes the shortest approach.
    let ids: Vec<i64> = found.iter().map(|c| c.copy_id).collect();
    let gap = Duration::days(settings.chain_gap_days);
    let before = crate::booking::store::stays_of(
        conn,
        &ids,
        BookingStatus::MOVING,
        starts_on - gap,
        starts_on - Duration::days(1),
    )?;
    for c in &mut found {
        let previous = crate::booking::chaining::chained_before(
            &before,
            c.copy_id,
            starts_on,
            settings.chain_gap_days,
        );
        if let Some(prev) = previous {
            let from = LatLon {
                lat: prev.venue.latitude,
                lon: prev.venue.longitude,
            };
            c.approach_km = road_estimate_km(from, venue, settings.detour);
        }
    }
    found.sort_by(|a, b| {
        a.approach_km
            .total_cmp(&b.approach_km)
            .then(a.road_km.total_cmp(&b.road_km))
            .then(a.copy_id.cmp(&b.copy_id))
    });
    Ok(found)
}

/// Tries the candidates in order and commits the first free one. `commit` runs in a savepoint, so
/// an overlap that the database refuses (a concurrent booking won the race) moves on to the next
/// candidate without losing the transaction. Each candidate's days follow the venue's and its
/// depot's open days; 422 `venue_closed` when no candidate has days that fit at all.
pub(super) fn first_free<T>(
    conn: &mut DbConnection,
    candidates: &[Candidate],
    starts_on: NaiveDate,
    ends_on: NaiveDate,
    except_booking: Option<i64>,
    mut commit: impl FnMut(&mut DbConnection, &Candidate, &LoanDays) -> Result<T>,
) -> Result<Option<T>> {
    let mut closed: Option<ClosedDays> = None;
    let mut any_open = false;
    for candidate in candidates {
        let days = match candidate.loan_days(starts_on, ends_on) {
            Ok(days) => days,
            Err(why) => {
                closed.get_or_insert(why);
                continue;
            }
        };
        any_open = true;
        let written = store::write_if_free(
            conn,
            candidate.copy_id,
            (days.occupied_from, days.occupied_to),
            except_booking,
            |conn| commit(conn, candidate, &days),
        )?;
        if written.is_some() {
            return Ok(written);
        }
    }
    match closed {
        Some(why) if !any_open => Err(venue_closed(&why)),
        _ => Ok(None),
    }
}

/// The nearest free periods of the same length on any candidate copy.
pub(super) fn alternatives(
    conn: &mut DbConnection,
    settings: &Settings,
    candidates: &[Candidate],
    starts_on: NaiveDate,
    ends_on: NaiveDate,
    today: NaiveDate,
    except_booking: Option<i64>,
) -> Result<Vec<Alternative>> {
    let length = (ends_on - starts_on).num_days();
    let earliest = today.max(starts_on - Duration::days(ALTERNATIVE_WINDOW_DAYS));
    let latest = (today + Duration::days(settings.horizon_days))
        .min(starts_on + Duration::days(ALTERNATIVE_WINDOW_DAYS));
    let mut found: Vec<(i64, f64, Alternative)> = Vec::new();
    for c in candidates {
        let busy_from = earliest - Duration::days(c.widening.before + 1);
        let busy_to = latest + Duration::days(length + c.widening.after + 1);
        let busy = store::busy_periods(conn, c.copy_id, busy_from, busy_to, except_booking)?;
        for start in period::fitting_starts(starts_on, length, c.widening, busy, earliest, latest) {
            if c.loan_days(start, start + Duration::days(length)).is_err() {
                continue;
            }
            found.push((
                (start - starts_on).num_days().abs(),
                c.road_km,
                Alternative {
                    copy_id: c.copy_id,
                    starts_on: start,
                    ends_on: start + Duration::days(length),
                },
            ));
        }
    }
    found.sort_by(|a, b| a.0.cmp(&b.0).then(a.1.total_cmp(&b.1)));
    let mut offered: Vec<Alternative> = Vec::new();
    for (_, _, alternative) in found {
        if !offered.iter().any(|o| o.starts_on == alternative.starts_on) {
            offered.push(alternative);
        }
        if offered.len() == MAX_ALTERNATIVES {
            break;
        }
    }
    Ok(offered)
}

pub(super) fn conflict(alternatives: Vec<Alternative>) -> Error {
    let detail = if alternatives.is_empty() {
        "no copy of this resource is free for these dates, nor within six months of them"
            .to_string()
    } else {
        "no copy of this resource is free for these dates; see the nearest free periods in `alternatives`, or join the waitlist".to_string()
    };
    Error::Conflict {
        code: crate::error::Code::BookingConflict,
        detail,
        extra: Some(serde_json::json!({ "alternatives": alternatives })),
    }
}

/// Places a use of `period` on the first candidate copy free for it, through `commit` (a new
/// request's insert, or a booking's move), or refuses with 409 `booking_conflict` naming the
/// nearest free periods: the one skeleton a request and a change of dates share.
pub(super) fn place_or_refuse<T>(
    conn: &mut DbConnection,
    settings: &Settings,
    candidates: &[Candidate],
    (starts_on, ends_on): (NaiveDate, NaiveDate),
    today: NaiveDate,
    except_booking: Option<i64>,
    commit: impl FnMut(&mut DbConnection, &Candidate, &LoanDays) -> Result<T>,
) -> Result<T> {
    match first_free(conn, candidates, starts_on, ends_on, except_booking, commit)? {
        Some(placed) => Ok(placed),
        None => {
            let free = alternatives(
                conn,
                settings,
                candidates,
                starts_on,
                ends_on,
                today,
                except_booking,
            )?;
            Err(conflict(free))
        }
    }
}

/// Records one transition in the booking's history.
#[allow(clippy::too_many_arguments)]
pub(super) fn record(
    conn: &mut DbConnection,
    booking_id: i64,
    action: &str,
    from: Option<BookingStatus>,
    to: BookingStatus,
    actor: Option<&Principal>,
    (note, system): (Option<&str>, Option<&SystemNote>),
    announced: bool,
    now: NaiveDateTime,
) -> Result<()> {
    let system_json = system
        .map(serde_json::to_string)
        .transpose()
        .map_err(|e| Error::Internal(e.to_string()))?;
    store::insert_event(
        conn,
        &EventInsert {
            booking_id,
            action,
            from_status: from.map(|s| s.as_str()),
            to_status: to.as_str(),
            actor_organization_id: actor.map(|p| p.organization_id),
            actor_user_id: actor.and_then(|p| p.user_id),
            actor_api_key_id: actor.and_then(|p| p.api_key_id),
            note: note.map(str::trim).filter(|n| !n.is_empty()),
            created_at: now,
            system_note: system_json,
        },
    )?;
    // Every change of status is announced (mail, webhooks) from the outbox, written here in the
    // same transaction: committed means announced, eventually. The actor's words go as `note`,
    // the service's as `system_note` (a code, told in each reader's language).
    if announced && from != Some(to) {
        let mut details = serde_json::json!({ "action": action, "from": from, "to": to });
        if let Some(note) = note.map(str::trim).filter(|n| !n.is_empty()) {
            details["note"] = note.into();
        }
        if let Some(system) = system {
            details["system_note"] =
                serde_json::to_value(system).map_err(|e| Error::Internal(e.to_string()))?;
        }
        announce(conn, booking_id, to.event_kind(), &details, now)?;
    }
    Ok(())
}

/// Records an event about a booking with the booking as it is now (its snapshot): mail and
/// webhooks tell what was true when the event happened, whatever happened since.
pub(super) fn announce(
    conn: &mut DbConnection,
    booking_id: i64,
    kind: EventKind,
    details: &serde_json::Value,
    now: NaiveDateTime,
) -> Result<()> {
    let snapshot = store::snapshot(conn, booking_id)?
        .map(|s| serde_json::to_value(s).map_err(|e| Error::Internal(e.to_string())))
        .transpose()?;
    crate::outbox::record_with_snapshot(
        conn,
        kind,
        SubjectType::Booking,
        booking_id,
        details,
        snapshot.as_ref(),
        now,
    )?;
    Ok(())
}

pub(super) fn venue_position(conn: &mut DbConnection, venue_id: i64) -> Result<Option<LatLon>> {
    Ok(orgs::find_organization(conn, venue_id)?
        .filter(|o| o.kind == OrgKind::Venue.as_str())
        .map(|o| LatLon {
            lat: o.latitude,
            lon: o.longitude,
        }))
}

/// Inserts a `requested` booking on a candidate with its occupation and first history line.
#[allow(clippy::too_many_arguments)]
pub(super) fn insert_request(
    conn: &mut DbConnection,
    settings: &Settings,
    resource_id: i64,
    venue_id: i64,
    candidate: &Candidate,
    (starts_on, ends_on): (NaiveDate, NaiveDate),
    days: &LoanDays,
    actor: Option<&Principal>,
    waitlist_entry_id: Option<i64>,
    announced: bool,
    now: NaiveDateTime,
) -> Result<BookingRow> {
    let row = store::insert_booking(
        conn,
        &BookingInsert {
            resource_id,
            copy_id: candidate.copy_id,
            venue_id,
            starts_on,
            ends_on,
            occupied_from: days.occupied_from,
            occupied_to: days.occupied_to,
            delivery_on: days.delivery_on,
            pickup_on: days.pickup_on,
            outbound_days: candidate.travel_days as i32,
            return_days: candidate.travel_days as i32,
            distance_km: candidate.road_km,
            status: BookingStatus::Requested,
            hold_expires_at: Some(now + Duration::days(settings.hold_days)),
            requested_by: actor.and_then(|p| p.user_id),
            waitlist_entry_id,
            created_at: now,
            updated_at: now,
        },
    )?;
    store::insert_occupation(
        conn,
        &OccupationInsert::booking(
            candidate.copy_id,
            (days.occupied_from, days.occupied_to),
            row.id,
            now,
        ),
    )?;
    let (action, system) = match waitlist_entry_id {
        Some(entry) => (
            "promote",
            Some(SystemNote::FromWaitlist {
                waitlist_entry_id: entry,
            }),
        ),
        None => ("request", None),
    };
    record(
        conn,
        row.id,
        action,
        None,
        BookingStatus::Requested,
        actor,
        (None, system.as_ref()),
        announced,
        now,
    )?;
    Ok(row)
}

/// A venue asks for a resource: the nearest free copy is assigned and held (`requested`) at once.
pub fn request(
    conn: &mut DbConnection,
    p: &Principal,
    settings: &Settings,
    new: &NewBooking,
    now: NaiveDateTime,
) -> Result<Booking> {
    request_then(conn, p, settings, new, now, |_, _| Ok(())).map(|(booking, ())| booking)
}

/// [`request`], then `then` on the booking made, in the booking's own transaction (the answer
/// of an `Idempotency-Key` is recorded there, so the booking and its answer commit together).
pub fn request_then<T>(
    conn: &mut DbConnection,
    p: &Principal,
    settings: &Settings,
    new: &NewBooking,
    now: NaiveDateTime,
    then: impl FnOnce(&mut DbConnection, &Booking) -> Result<T>,
) -> Result<(Booking, T)> {
    let today = now.date();
    let mut v = Validator::new();
    check_period(&mut v, settings, today, new.starts_on, new.ends_on);
    v.finish()?;
    policy::book_for_venue(p, new.venue_id)?;
    let mut v = Validator::new();
    let venue = venue_position(conn, new.venue_id)?;
    if venue.is_none() {
        v.add("venue_id", "not a venue of the network");
    }
    let resource = catalogue::find_live_resource(conn, new.resource_id)?;
    if resource.is_none() {
        v.add("resource_id", "no such resource in the catalogue");
    }
    if let (Some(copy_id), Some(resource)) = (new.copy_id, &resource) {
        match catalogue::find_copy(conn, copy_id)? {
            Some(copy) if copy.resource_id != resource.id => {
                v.add("copy_id", "not a copy of this resource")
            }
            Some(copy)
                if copy.status == CopyStatus::Retired
                    || copy.status == CopyStatus::Maintenance
                    || store::under_repair(conn, &[copy.id])?.contains(&copy.id) =>
            {
                v.add(
                    "copy_id",
                    "this copy is not in service (maintenance or retired)",
                )
            }
            Some(_) => {}
            None => v.add("copy_id", "not a copy of this resource"),
        }
    }
    v.finish()?;
    let (Some(venue), Some(resource)) = (venue, resource) else {
        return Err(Error::Internal(
            "validated booking lost its venue or resource".into(),
        ));
    };
    write_transaction(conn, |conn| {
        orgs::lock_organization(conn, new.venue_id)?;
        let open = store::open_requests_of_venue(conn, new.venue_id)?;
        if open >= settings.max_open_requests {
            return Err(Error::conflict(
                crate::error::Code::RequestLimitReached,
                format!(
                    "the venue already holds {open} requested bookings (at most {}); wait for \
                     approvals or cancel one",
                    settings.max_open_requests
                ),
            ));
        }
        let cands = candidates(
            conn,
            settings,
            &resource,
            (new.venue_id, venue),
            new.starts_on,
            new.copy_id,
        )?;
        let period = (new.starts_on, new.ends_on);
        let placed = place_or_refuse(
            conn,
            settings,
            &cands,
            period,
            today,
            None,
            |conn, c, days| {
                insert_request(
                    conn,
                    settings,
                    resource.id,
                    new.venue_id,
                    c,
                    period,
                    days,
                    Some(p),
                    None,
                    true,
                    now,
                )
            },
        )?;
        let booking: Booking = placed.try_into()?;
        let after = then(conn, &booking)?;
        Ok((booking, after))
    })
}
