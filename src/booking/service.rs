//! Booking rules: placing a request on the nearest free copy, the approval workflow, date changes,
//! hold expiry, the waitlist and availability. Never a double booking: every placement checks the
//! copy's occupations inside a write transaction, and PostgreSQL's exclusion constraint refuses
//! an overlap that a concurrent request would slip in.

use chrono::{Duration, NaiveDate, NaiveDateTime};

use super::model::{
    Alternative, Availability, Booking, BookingAction, BookingDates, BookingEvent, BookingStatus,
    CopyAvailability, NetworkLoans, NewBooking, NewWaitlistEntry, SystemNote, WaitlistEntry,
    WaitlistStatus,
};
use super::period::{self, ClosedDays, LoanDays, Needs, Widening};
use super::store::{
    self, BookingFilter, BookingInsert, BookingRow, EventInsert, OccupationInsert, Placement,
    Scope, WaitlistRow,
};
use crate::access::{policy, Principal};
use crate::catalogue::store::{self as catalogue, ResourceRow};
use crate::catalogue::CopyStatus;
use crate::config::Config;
use crate::db::{write_transaction, DbConnection};
use crate::error::{Error, Result, Validator};
use crate::organization::model::stored;
use crate::organization::{hours, store as orgs, OrgKind};
use crate::outbox::{EventKind, SubjectType};
use crate::territory::geo::road_estimate_km;
use crate::territory::geo::LatLon;

/// How far around the wanted dates alternatives are looked for, in days.
const ALTERNATIVE_WINDOW_DAYS: i64 = 180;
/// Alternatives offered at most.
const MAX_ALTERNATIVES: usize = 5;
/// Longest availability range, in days.
const MAX_AVAILABILITY_DAYS: i64 = 3 * 366;

/// The booking parameters of the configuration, and the rule other domains run on each transition.
#[derive(Clone)]
pub struct Settings {
    pub hold_days: i64,
    pub max_days: i64,
    pub horizon_days: i64,
    pub km_per_day: f64,
    pub handling_days: i64,
    pub detour: f64,
    pub chain_gap_days: i64,
    /// Bookings a venue may hold in `requested` at once.
    pub max_open_requests: i64,
    /// Run in the transaction of every transition (billing's quote freeze and subsidy).
    pub hook: super::hooks::SharedHook,
}

impl Settings {
    /// Reads them from the configuration; `hook` is what the application wires (billing).
    pub fn new(c: &Config, hook: super::hooks::SharedHook) -> Settings {
        Settings {
            hold_days: c.booking_hold_days,
            max_days: c.booking_max_days,
            horizon_days: c.booking_horizon_days,
            km_per_day: c.transport_km_per_day,
            handling_days: c.transport_handling_days,
            detour: c.road_detour_factor,
            chain_gap_days: c.chain_max_gap_days,
            max_open_requests: c.max_open_requests_per_venue,
            hook,
        }
    }
}

impl TryFrom<BookingRow> for Booking {
    type Error = Error;
    fn try_from(row: BookingRow) -> Result<Booking> {
        Ok(Booking {
            id: row.id,
            resource_id: row.resource_id,
            copy_id: row.copy_id,
            venue_id: row.venue_id,
            starts_on: row.starts_on,
            ends_on: row.ends_on,
            occupied_from: row.occupied_from,
            occupied_to: row.occupied_to,
            delivery_on: row.delivery_on,
            pickup_on: row.pickup_on,
            outbound_days: row.outbound_days,
            return_days: row.return_days,
            distance_km: (row.distance_km * 10.0).round() / 10.0,
            status: row.status,
            hold_expires_at: row.hold_expires_at,
            waitlist_entry_id: row.waitlist_entry_id,
            created_at: row.created_at,
            updated_at: row.updated_at,
            flagged_at: row.flagged_at,
            flag_reason: row.flag_reason,
            // A code written by a newer version reads as none (the English words stay).
            flag: row
                .flag_code
                .as_deref()
                .and_then(|c| serde_json::from_str(c).ok()),
            overdue_at: row.overdue_at,
        })
    }
}

/// Checks dates of use: not reversed, not in the past, not absurdly long or far ahead.
fn check_period(
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
struct Candidate {
    copy_id: i64,
    /// Road km between the copy's depot and the venue (its occupation is planned from there).
    road_km: f64,
    /// Road km from where the copy will be: its previous venue when chained, else its depot.
    approach_km: f64,
    travel_days: i64,
    widening: Widening,
    needs: Needs,
    /// The venue's and the copy's depot's open days.
    calendars: std::rc::Rc<(hours::Calendar, hours::Calendar)>,
}

impl Candidate {
    /// The loan's days on this copy: delivery, pick-up and occupation on open days.
    fn loan_days(
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
fn venue_closed(closed: &ClosedDays) -> Error {
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
struct Calendars(std::collections::HashMap<i64, hours::Calendar>);

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
fn candidates(
    conn: &mut DbConnection,
    settings: &Settings,
    resource: &ResourceRow,
    (venue_id, venue): (i64, LatLon),
    starts_on: NaiveDate,
    only_copy: Option<i64>,
) -> Result<Vec<Candidate>> {
    let rows: Vec<_> = catalogue::copies_with_depot(conn, resource.id)?
        .into_iter()
        .filter(|(copy, _, _)| only_copy.is_none_or(|id| id == copy.id))
        .filter(|(copy, _, _)| {
            copy.status != CopyStatus::Retired && copy.status != CopyStatus::Maintenance
        })
        .collect();
    let mut calendars = Calendars::default();
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
fn first_free<T>(
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
fn alternatives(
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

fn conflict(alternatives: Vec<Alternative>) -> Error {
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

/// Records one transition in the booking's history.
#[allow(clippy::too_many_arguments)]
fn record(
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
fn announce(
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

fn venue_position(conn: &mut DbConnection, venue_id: i64) -> Result<Option<LatLon>> {
    Ok(orgs::find_organization(conn, venue_id)?
        .filter(|o| o.kind == OrgKind::Venue.as_str())
        .map(|o| LatLon {
            lat: o.latitude,
            lon: o.longitude,
        }))
}

/// Inserts a `requested` booking on a candidate with its occupation and first history line.
#[allow(clippy::too_many_arguments)]
fn insert_request(
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
        let placed = first_free(
            conn,
            &cands,
            new.starts_on,
            new.ends_on,
            None,
            |conn, c, days| {
                insert_request(
                    conn,
                    settings,
                    resource.id,
                    new.venue_id,
                    c,
                    (new.starts_on, new.ends_on),
                    days,
                    Some(p),
                    None,
                    true,
                    now,
                )
            },
        )?;
        let booking: Booking = match placed {
            Some(row) => row.try_into()?,
            None => {
                return Err(conflict(alternatives(
                    conn,
                    settings,
                    &cands,
                    new.starts_on,
                    new.ends_on,
                    today,
                    None,
                )?))
            }
        };
        let after = then(conn, &booking)?;
        Ok((booking, after))
    })
}

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
    v.check(
        (1..=500).contains(&limit),
        "limit",
        "must be between 1 and 500",
    );
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
fn transition(
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
    v.check(
        reason.chars().count() <= 1_000,
        "reason",
        "must be at most 1,000 characters",
    );
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
            "booking.flag_cleared",
            "booking",
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

/// The copies in service that could serve `venue_id` from `starts_on` to `ends_on`, best first
/// (shortest approach, chaining included), with the days each would occupy: what a request would
/// try, for planners that place many requests before booking any (allocation rounds).
pub fn copy_options(
    conn: &mut DbConnection,
    settings: &Settings,
    resource_id: i64,
    venue_id: i64,
    (starts_on, ends_on): (NaiveDate, NaiveDate),
) -> Result<Vec<CopyOption>> {
    let (Some(venue), Some(resource)) = (
        venue_position(conn, venue_id)?,
        catalogue::find_live_resource(conn, resource_id)?,
    ) else {
        return Ok(Vec::new());
    };
    Ok(candidates(
        conn,
        settings,
        &resource,
        (venue_id, venue),
        starts_on,
        None,
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
fn ensure_fit_to_travel(conn: &mut DbConnection, row: &BookingRow) -> Result<()> {
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
fn take_from_today(conn: &mut DbConnection, row: &BookingRow, now: NaiveDateTime) -> Result<()> {
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
    reason: &super::model::FlagReason,
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
fn move_copy_for(
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
        let mut cands = candidates(
            conn,
            settings,
            &resource,
            (row.venue_id, venue),
            dates.starts_on,
            None,
        )?;
        // Keep the same copy when it is free.
        cands.sort_by_key(|c| c.copy_id != row.copy_id);
        let placed = first_free(
            conn,
            &cands,
            dates.starts_on,
            dates.ends_on,
            Some(id),
            |conn, c, days| {
                store::release_booking_occupation(conn, id)?;
                store::insert_occupation(
                    conn,
                    &OccupationInsert::booking(
                        c.copy_id,
                        (days.occupied_from, days.occupied_to),
                        id,
                        now,
                    ),
                )?;
                let updated = store::update_placement(
                    conn,
                    id,
                    &Placement {
                        copy_id: c.copy_id,
                        starts_on: dates.starts_on,
                        ends_on: dates.ends_on,
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
                    id,
                    "change_dates",
                    Some(status),
                    status,
                    Some(p),
                    (said, Some(&moved)),
                    true,
                    now,
                )?;
                // Both sides learn the new dates (the status did not change, so `record`
                // announced nothing).
                let mut details = serde_json::json!({
                    "action": "change_dates",
                    "previous_starts_on": row.starts_on,
                    "previous_ends_on": row.ends_on,
                    "previous_copy_id": row.copy_id,
                });
                if let Some(said) = said {
                    details["note"] = said.into();
                }
                announce(conn, id, EventKind::BookingRescheduled, &details, now)?;
                Ok(updated)
            },
        )?;
        match placed {
            Some(updated) => {
                settings
                    .hook
                    .on_transition(conn, &updated, status, status, now)?;
                promote_waitlist(conn, settings, row.resource_id, now)?;
                updated.try_into()
            }
            None => Err(conflict(alternatives(
                conn,
                settings,
                &cands,
                dates.starts_on,
                dates.ends_on,
                today,
                Some(id),
            )?)),
        }
    })
}

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
fn announce_once(
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

/// Free periods of each copy of a resource over `[from, to]`. Maintenance and retirement count as
/// busy; so does every active booking's whole occupied period.
pub fn availability(
    conn: &mut DbConnection,
    resource_id: i64,
    from: NaiveDate,
    to: NaiveDate,
) -> Result<Availability> {
    check_availability_range(from, to)?;
    catalogue::find_live_resource(conn, resource_id)?
        .ok_or_else(|| Error::NotFound(format!("resource {resource_id}")))?;
    let copies = catalogue::list_copies(conn, resource_id)?;
    Ok(Availability {
        resource_id,
        from,
        to,
        copies: copies_availability(conn, copies, from, to)?
            .into_iter()
            .map(|(_, copy)| copy)
            .collect(),
    })
}

/// [`availability`] of several resources at once, in the order asked, for those still live (a
/// list of search results shows each one's first free week without a round of queries per
/// result): the same rule, over the copies of all of them read together.
pub fn availabilities(
    conn: &mut DbConnection,
    resource_ids: &[i64],
    from: NaiveDate,
    to: NaiveDate,
) -> Result<Vec<Availability>> {
    check_availability_range(from, to)?;
    let (live, copies) = catalogue::copies_of_live(conn, resource_ids)?;
    let mut copies_of: std::collections::HashMap<i64, Vec<CopyAvailability>> =
        live.into_iter().map(|id| (id, Vec::new())).collect();
    for copy in copies_availability(conn, copies, from, to)? {
        if let Some(list) = copies_of.get_mut(&copy.0) {
            list.push(copy.1);
        }
    }
    Ok(resource_ids
        .iter()
        .filter_map(|id| {
            copies_of.remove(id).map(|copies| Availability {
                resource_id: *id,
                from,
                to,
                copies,
            })
        })
        .collect())
}

/// The range an availability may span: `to` not before `from`, at most three years.
fn check_availability_range(from: NaiveDate, to: NaiveDate) -> Result<()> {
    let mut v = Validator::new();
    if to < from {
        v.add("to", "must not be before from");
    } else if (to - from).num_days() > MAX_AVAILABILITY_DAYS {
        v.add("to", "the range spans at most three years");
    }
    v.finish()
}

/// The one rule of availability, over copies of one resource or several (in their order, with
/// each one's resource): a retired copy, one in maintenance or under an open repair is never
/// free; any other is free outside its active occupations. Two queries whatever the number of
/// copies.
fn copies_availability(
    conn: &mut DbConnection,
    copies: Vec<catalogue::CopyRow>,
    from: NaiveDate,
    to: NaiveDate,
) -> Result<Vec<(i64, CopyAvailability)>> {
    let ids: Vec<i64> = copies.iter().map(|c| c.id).collect();
    if ids.is_empty() {
        return Ok(Vec::new());
    }
    let repairing = store::under_repair(conn, &ids)?;
    let mut busy: std::collections::HashMap<i64, Vec<(NaiveDate, NaiveDate)>> =
        std::collections::HashMap::new();
    for (copy_id, b_from, b_to) in store::busy_periods_of(conn, &ids, from, to)? {
        busy.entry(copy_id).or_default().push((b_from, b_to));
    }
    Ok(copies
        .into_iter()
        .map(|copy| {
            let status: CopyStatus = copy.status;
            let free = if matches!(status, CopyStatus::Retired | CopyStatus::Maintenance)
                || repairing.contains(&copy.id)
            {
                Vec::new()
            } else {
                period::free_periods(from, to, busy.remove(&copy.id).unwrap_or_default())
            };
            (
                copy.resource_id,
                CopyAvailability {
                    copy_id: copy.id,
                    asset_tag: copy.asset_tag,
                    status,
                    free,
                },
            )
        })
        .collect())
}

impl TryFrom<WaitlistRow> for WaitlistEntry {
    type Error = Error;
    fn try_from(row: WaitlistRow) -> Result<WaitlistEntry> {
        Ok(WaitlistEntry {
            id: row.id,
            resource_id: row.resource_id,
            venue_id: row.venue_id,
            starts_on: row.starts_on,
            ends_on: row.ends_on,
            status: row.status,
            booking_id: row.booking_id,
            created_at: row.created_at,
        })
    }
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
