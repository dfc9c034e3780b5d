//! A producer's pages (issue 24): the inbox of requests to answer, the fleet of copies, and a
//! copy's calendar over 52 weeks. Each handler reads the session, calls the domain services in
//! one batched read and renders a template; the answer to a request posts to the loan's own
//! `/bookings/{id}/decision` (see [`super::loans`]), which comes back here.

use actix_web::http::StatusCode;
use askama::Template;
use chrono::{Datelike, Duration, NaiveDate};

use super::form::{Errors, Fields};
use super::lang::Lang;
use super::lang_producer::ProducerTexts;
use super::pager::{paginate, Pager};
use super::session::signed_in;
use super::{render, words, Layout, PortalError, Req, State};
use super::{Page, PathId};
use crate::billing::{quote, LoanBilling};
use crate::booking::service as bookings;
use crate::booking::{Booking, BookingStatus};
use crate::catalogue::service as catalogue;
use crate::condition::service as condition;
use crate::condition::service::FleetSort;
use crate::organization::service as orgs;

/// One request of the inbox, as the producer reads it.
pub struct RequestLine {
    pub id: i64,
    pub title: String,
    pub venue: String,
    pub commune: String,
    pub class: &'static str,
    pub distance: String,
    pub dates: String,
    pub copy: String,
    pub price: String,
    pub held_until: String,
    /// The other requests and loans over these days, in words.
    pub conflicts: Vec<String>,
    pub free_copies: String,
}

#[derive(Template)]
#[template(path = "portal/requests.html")]
struct RequestsPage {
    layout: Layout,
    p: &'static ProducerTexts,
    csrf_token: String,
    requests: Vec<RequestLine>,
    decided: bool,
}

/// `GET /requests`: the producer's requests waiting for an answer, each with its venue (commune
/// and class), distance, dates, price and conflicts, and the form to answer it.
pub async fn requests(state: State, req: Req) -> Page {
    let s = signed_in(&state, &req).await?;
    let lang = Lang::of_session(&s);
    let p = s.principal.clone();
    let billing = LoanBilling::from_config(&state.config);
    let (pending, quotes, titles, tags, places) = state
        .run(move |conn| {
            let pending = bookings::pending_requests(conn, &p)?;
            let requests: Vec<Booking> = pending.iter().map(|r| r.booking.clone()).collect();
            let quotes = quote::request_quotes(conn, &billing, &requests)?;
            let titles = catalogue::titles(
                conn,
                &requests.iter().map(|b| b.resource_id).collect::<Vec<_>>(),
            )?;
            let copy_ids: Vec<i64> = requests.iter().map(|b| b.copy_id).collect();
            let tags = catalogue::asset_tags(conn, &copy_ids)?;
            let mut venue_ids: Vec<i64> = pending
                .iter()
                .flat_map(|r| {
                    std::iter::once(r.booking.venue_id)
                        .chain(r.overlapping.iter().map(|o| o.venue_id))
                })
                .collect();
            venue_ids.sort_unstable();
            venue_ids.dedup();
            let places = orgs::whereabouts(conn, &venue_ids)?;
            Ok((pending, quotes, titles, tags, places))
        })
        .await?;
    let name_of = |id: i64| places.get(&id).map(|w| w.name.clone()).unwrap_or_default();
    let requests = pending
        .into_iter()
        .map(|r| {
            let b = &r.booking;
            let place = places.get(&b.venue_id);
            RequestLine {
                id: b.id,
                title: titles.get(&b.resource_id).cloned().unwrap_or_default(),
                venue: name_of(b.venue_id),
                commune: place.map(|w| w.commune.clone()).unwrap_or_default(),
                class: place.map_or("", |w| lang.commune_class(w.class)),
                distance: words::km(b.distance_km),
                dates: lang.dates(b.starts_on, b.ends_on),
                copy: tags.get(&b.copy_id).cloned().unwrap_or_default(),
                price: quotes
                    .get(&b.id)
                    .map(|q| crate::page::euros(q.total_cents))
                    .unwrap_or_default(),
                held_until: b
                    .hold_expires_at
                    .map(|t| lang.short_date(t.date()))
                    .unwrap_or_default(),
                conflicts: r
                    .overlapping
                    .iter()
                    .map(|o| {
                        format!(
                            "{} — {} ({})",
                            name_of(o.venue_id),
                            lang.dates(o.starts_on, o.ends_on),
                            words::status(lang, o.status)
                        )
                    })
                    .collect(),
                free_copies: if r.free_copies == 0 {
                    lang.producer().requests_no_free_copy.to_string()
                } else {
                    lang.free_copies(r.free_copies)
                },
            }
        })
        .collect();
    let decided = Fields::query(req.query_string()).get("decided").is_some();
    render(
        StatusCode::OK,
        &RequestsPage {
            layout: Layout::signed(lang.producer().requests_title, &s, "requests"),
            p: lang.producer(),
            csrf_token: s.csrf_token.clone(),
            requests,
            decided,
        },
    )
}

/// One copy of the fleet, as the producer reads it.
pub struct FleetLine {
    pub copy_id: i64,
    pub asset_tag: String,
    pub resource_id: i64,
    pub title: String,
    pub status: &'static str,
    pub grade: i32,
    pub needs_inspection: bool,
    pub wear: String,
    pub maintenance_due: bool,
    /// The scheduled (or running) maintenance: its kind and days.
    pub next_maintenance: Option<String>,
    pub retirement: String,
    pub next_loan: Option<(i64, String)>,
}

#[derive(Template)]
#[template(path = "portal/fleet.html")]
struct FleetPage {
    layout: Layout,
    p: &'static ProducerTexts,
    copies: Vec<FleetLine>,
    pager: Pager,
}

/// Copies a fleet page lists (a producer may have thousands: the page stays light).
pub const FLEET_PER_PAGE: usize = 50;

/// `GET /fleet`: the producer's copies with wear, next maintenance and retirement forecast
/// (`condition::service::fleet`, as `GET /api/v1/producers/{id}/fleet`).
pub async fn fleet(state: State, req: Req) -> Page {
    let clock = state.clock;
    let s = signed_in(&state, &req).await?;
    crate::access::policy::read_producer_inbox(&s.principal).map_err(PortalError::from)?;
    let lang = Lang::of_session(&s);
    let p = s.principal.clone();
    let model = crate::condition::wear::WearModel::from_config(&state.config);
    let producer_id = p.organization_id;
    let today = clock.today();
    let fleet = state
        .run(move |conn| condition::fleet(conn, &p, &model, producer_id, FleetSort::Wear, today))
        .await?;
    let pt = lang.producer();
    let asked = Fields::query(req.query_string())
        .get("page")
        .and_then(|n| n.parse::<usize>().ok())
        .unwrap_or(1);
    let (shown, pager) = paginate(&fleet, asked, FLEET_PER_PAGE, pt.fleet_of, |n| {
        format!("/fleet?page={n}")
    });
    let copies = shown
        .iter()
        .cloned()
        .map(|f| FleetLine {
            copy_id: f.copy_id,
            asset_tag: f.asset_tag,
            resource_id: f.resource_id,
            title: f.resource_title,
            status: lang.copy_status(f.status),
            grade: f.condition_grade,
            needs_inspection: f.needs_inspection,
            wear: lang.wear(f.wear_index),
            maintenance_due: f.maintenance_due,
            next_maintenance: match (f.next_maintenance_kind, f.next_maintenance_starts_on) {
                (Some(kind), Some(from)) => Some(format!(
                    "{} — {}",
                    lang.maintenance_kind(kind),
                    match f.next_maintenance_ends_on {
                        Some(to) => lang.dates(from, to),
                        None => format!("{} ({})", lang.short_date(from), pt.calendar_open_ended),
                    }
                )),
                _ => None,
            },
            retirement: f
                .predicted_retirement_on
                .map(|d| lang.short_date(d))
                .unwrap_or_else(|| pt.none.to_string()),
            next_loan: f
                .next_booking_id
                .zip(f.next_booking_starts_on)
                .map(|(id, d)| (id, lang.short_date(d))),
        })
        .collect();
    render(
        StatusCode::OK,
        &FleetPage {
            layout: Layout::signed(pt.fleet_title, &s, "fleet"),
            p: pt,
            copies,
            pager,
        },
    )
}

/// Weeks a copy's calendar shows.
pub const CALENDAR_WEEKS: i64 = 52;

/// One week's column.
pub struct Week {
    /// Its Monday, `04/12` in French.
    pub label: String,
    pub monday: String,
}

/// A cell: what the week holds on one row, each with the loan it links to (if any).
#[derive(Default)]
pub struct Cell {
    pub items: Vec<(Option<i64>, String)>,
}

/// One row of the calendar: its heading and a cell per week.
pub struct CalendarRow {
    pub heading: &'static str,
    pub kind: &'static str,
    pub cells: Vec<Cell>,
}

/// One booking or maintenance in the list under the calendar.
pub struct Planned {
    pub booking_id: Option<i64>,
    pub text: String,
    pub can_change: bool,
}

#[derive(Template)]
#[template(path = "portal/copy_calendar.html")]
struct CopyCalendarPage {
    layout: Layout,
    p: &'static ProducerTexts,
    errors: Errors,
    copy_id: i64,
    asset_tag: String,
    resource_id: i64,
    title: String,
    from: String,
    weeks: Vec<Week>,
    rows: Vec<CalendarRow>,
    planned: Vec<Planned>,
    earlier: String,
    later: String,
}

/// `GET /copies/{id}/calendar[?from=YYYY-MM-DD]`: 52 weeks as columns from the week of `from`
/// (this week by default): loans with their venue, transport and set-up days, maintenance and
/// requests waiting (`condition::service::copy_schedule`, one batched read).
pub async fn copy_calendar(state: State, req: Req, id: PathId) -> Page {
    let clock = state.clock;
    let s = signed_in(&state, &req).await?;
    let lang = Lang::of_session(&s);
    let pt = lang.producer();
    let query = Fields::query(req.query_string());
    let mut errors = Errors::default();
    let from = match query.get("from") {
        None => clock.today(),
        Some(text) => NaiveDate::parse_from_str(text, "%Y-%m-%d").unwrap_or_else(|_| {
            errors.add("from", pt.calendar_from_invalid);
            clock.today()
        }),
    };
    let first = from - Duration::days(i64::from(from.weekday().num_days_from_monday()));
    let last = first + Duration::days(7 * CALENDAR_WEEKS - 1);
    let p = s.principal.clone();
    let copy_id = id.into_inner();
    let schedule = state
        .run(move |conn| condition::copy_schedule(conn, &p, copy_id, (first, last)))
        .await?;
    let mondays: Vec<NaiveDate> = (0..CALENDAR_WEEKS)
        .map(|w| first + Duration::days(7 * w))
        .collect();
    let venue = |b: &Booking| {
        schedule
            .venues
            .get(&b.venue_id)
            .cloned()
            .unwrap_or_default()
    };
    let mut rows: Vec<CalendarRow> = [
        (pt.calendar_loans, "loan"),
        (pt.calendar_travel, "travel"),
        (pt.calendar_maintenance, "maintenance"),
        (pt.calendar_holds, "hold"),
    ]
    .into_iter()
    .map(|(heading, kind)| CalendarRow {
        heading,
        kind,
        cells: mondays.iter().map(|_| Cell::default()).collect(),
    })
    .collect();
    for (w, monday) in mondays.iter().enumerate() {
        let week = (*monday, *monday + Duration::days(6));
        for b in &schedule.bookings {
            let link = Some(b.id);
            if b.status == BookingStatus::Requested {
                if meets((b.occupied_from, b.occupied_to), week) {
                    rows[3].cells[w].items.push((link, venue(b)));
                }
                continue;
            }
            if meets((b.starts_on, b.ends_on), week) {
                rows[0].cells[w].items.push((link, venue(b)));
            }
            let travel = days_in(week, (b.occupied_from, b.starts_on - Duration::days(1)))
                + days_in(week, (b.ends_on + Duration::days(1), b.occupied_to));
            if travel > 0 {
                rows[1].cells[w]
                    .items
                    .push((link, format!("{} {}", travel, lang.days_short())));
            }
        }
        for m in &schedule.maintenance {
            if meets((m.starts_on, m.ends_on.unwrap_or(last)), week) {
                rows[2].cells[w]
                    .items
                    .push((None, lang.maintenance_kind(m.kind).to_string()));
            }
        }
    }
    let mut planned: Vec<Planned> = schedule
        .bookings
        .iter()
        .map(|b| Planned {
            booking_id: Some(b.id),
            text: format!(
                "{} — {} ({})",
                venue(b),
                lang.dates(b.starts_on, b.ends_on),
                words::status(lang, b.status)
            ),
            can_change: b.status.dates_can_change(),
        })
        .collect();
    planned.extend(schedule.maintenance.iter().map(|m| Planned {
        booking_id: None,
        text: format!(
            "{} — {}",
            lang.maintenance_kind(m.kind),
            match m.ends_on {
                Some(to) => lang.dates(m.starts_on, to),
                None => format!(
                    "{} ({})",
                    lang.short_date(m.starts_on),
                    pt.calendar_open_ended
                ),
            }
        ),
        can_change: false,
    }));
    let status = errors.status();
    render(
        status,
        &CopyCalendarPage {
            layout: Layout::signed(
                format!("{} {}", pt.calendar_title, schedule.asset_tag),
                &s,
                "fleet",
            ),
            p: pt,
            errors,
            copy_id,
            asset_tag: schedule.asset_tag,
            resource_id: schedule.resource_id,
            title: schedule.resource_title,
            from: first.to_string(),
            weeks: mondays
                .iter()
                .map(|d| Week {
                    label: lang.week_label(*d),
                    monday: lang.short_date(*d),
                })
                .collect(),
            rows,
            planned,
            earlier: (first - Duration::days(7 * CALENDAR_WEEKS)).to_string(),
            later: (last + Duration::days(1)).to_string(),
        },
    )
}

/// Whether two periods share a day (the booking domain's rule).
fn meets(a: (NaiveDate, NaiveDate), b: (NaiveDate, NaiveDate)) -> bool {
    crate::booking::period::meet(a, b)
}

/// How many days of `period` fall in `week` (none when the period is empty).
fn days_in(week: (NaiveDate, NaiveDate), period: (NaiveDate, NaiveDate)) -> i64 {
    let (from, to) = (week.0.max(period.0), week.1.min(period.1));
    if from > to {
        0
    } else {
        (to - from).num_days() + 1
    }
}
