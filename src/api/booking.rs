//! Booking endpoints: requests, workflow actions, history, availability, waitlist, calendars.

use actix_web::http::StatusCode;
use actix_web::{delete, get, patch, post, web, HttpRequest, HttpResponse};
use chrono::NaiveDate;
use serde::Deserialize;
use utoipa::IntoParams;
use utoipa_actix_web::service_config::ServiceConfig;

use crate::access::Principal;
use crate::api::idempotency::{IdempotencyKey, Slot};
use crate::api::{act_on, run_json, shown};
use crate::booking::feeds::{self, CalendarToken, FeedAccess};
use crate::booking::model::{
    ActionNote, Availability, Booking, BookingAction, BookingConflict, BookingDates, BookingEvent,
    ClearFlag, NewBooking, NewWaitlistEntry, WaitlistEntry,
};
use crate::booking::service::{self, Settings};
use crate::booking::store::BookingFilter;
use crate::http::{ApiError, ApiResult, Problem};
use crate::state::AppState;

/// Media type of the calendar feeds.
const TEXT_CALENDAR: &str = "text/calendar; charset=utf-8";

/// Registers the booking routes.
pub fn routes(cfg: &mut ServiceConfig) {
    cfg.service(create_booking)
        .service(list_bookings)
        .service(get_booking)
        .service(change_dates)
        .service(booking_history)
        .service(clear_flag)
        .service(booking_action)
        .service(availability)
        .service(join_waitlist)
        .service(list_waitlist)
        .service(cancel_waitlist)
        .service(issue_calendar_token)
        .service(venue_calendar)
        .service(copy_calendar);
}

fn settings(state: &AppState) -> Settings {
    state.booking_settings()
}

/// Requests a resource for dates of use. The nearest free copy is assigned at once and held
/// (`requested`) until the producer approves or rejects it, the venue cancels it, or the hold
/// expires (`booking_hold_days`). The copy is occupied from `occupied_from` to `occupied_to`: the
/// dates of use widened by travel days (road distance from the copy's depot at
/// `transport_km_per_day`, plus handling days), set-up and take-down days, and the resource's
/// turnaround days. Two active bookings of one copy never share a day, even under concurrent
/// requests.
#[utoipa::path(
    tag = "bookings",
    security(("bearer" = [])),
    request_body = NewBooking,
    params(
        ("Idempotency-Key" = Option<String>, Header, description = "1–255 printable ASCII characters, unique per request of your organisation. A retry with the same key and body within 24 h replays the first answer (same status and body, header `Idempotent-Replayed: true`) and books nothing; the same key with another body is 422 `idempotency_key_reused`; while the first request runs, 409 `idempotency_key_in_progress` with `Retry-After: 1`."),
    ),
    responses(
        (status = 201, description = "The booking, `requested`", body = Booking),
        (status = 403, description = "Booking for another venue", body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "`booking_conflict`: no copy free; `alternatives` lists the nearest free periods. `request_limit_reached`: the venue holds `max_open_requests_per_venue` requests already. `idempotency_key_in_progress`: the first request with this key is still running (`Retry-After: 1`)", body = BookingConflict, content_type = "application/problem+json"),
        (status = 422, description = "Dates in the past, reversed or too long; unknown venue, resource or copy; a malformed `Idempotency-Key` (field `Idempotency-Key`); `idempotency_key_reused`", body = Problem, content_type = "application/problem+json"),
    )
)]
#[post("/bookings")]
async fn create_booking(
    state: web::Data<AppState>,
    principal: Principal,
    key: IdempotencyKey,
    req: HttpRequest,
    body: web::Json<NewBooking>,
) -> ApiResult<HttpResponse> {
    let clock = state.clock;
    let body = body.into_inner();
    let request = crate::api::idempotency::KeyedRequest::new(&principal, key, &req, &body)?;
    let settings = settings(&state);
    let state = &state;
    crate::api::idempotency::once(state, request, |slot| async move {
        // The key's answer is recorded in the booking's own transaction.
        let (_, body) = state
            .run(move |conn| {
                let now = clock.naive();
                service::request_then(conn, &principal, &settings, &body, now, |conn, booking| {
                    slot.record(conn, StatusCode::CREATED, booking, now)
                })
            })
            .await?;
        Ok(Slot::respond(StatusCode::CREATED, body))
    })
    .await
}

/// Query of the booking list.
#[derive(Debug, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct BookingQuery {
    venue_id: Option<i64>,
    resource_id: Option<i64>,
    copy_id: Option<i64>,
    /// One status (see `BookingStatus`).
    status: Option<crate::booking::model::BookingStatus>,
    /// Bookings whose dates of use end on or after this day.
    from: Option<NaiveDate>,
    /// Bookings whose dates of use start on or before this day.
    to: Option<NaiveDate>,
    /// Page size, 1–500 (default 100).
    limit: Option<i64>,
    /// `id` of the last booking of the previous page.
    after_id: Option<i64>,
}

/// Bookings the caller may see (a venue its own, a producer those of its resources, the agency
/// all), filtered, by id. `Accept: text/csv` gives the same page as a CSV file.
#[utoipa::path(
    tag = "bookings",
    security(("bearer" = [])),
    params(BookingQuery),
    responses(
        (status = 200, description = "The bookings (JSON, or CSV with `Accept: text/csv`)", content((Vec<Booking> = "application/json"), (String = "text/csv"))),
        (status = 400, description = "Unknown parameter or bad value", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "Bad range or limit", body = Problem, content_type = "application/problem+json"),
    )
)]
#[get("/bookings")]
async fn list_bookings(
    state: web::Data<AppState>,
    principal: Principal,
    query: web::Query<BookingQuery>,
    req: HttpRequest,
) -> ApiResult<HttpResponse> {
    let q = query.into_inner();
    let filter = service::list_filter(
        BookingFilter {
            venue_id: q.venue_id,
            resource_id: q.resource_id,
            copy_id: q.copy_id,
            status: q.status.map(|s| s.as_str().to_string()),
            from: q.from,
            to: q.to,
            after_id: q.after_id.unwrap_or(0),
            limit: 0,
            active_only: false,
        },
        q.limit,
    )?;
    let list = state
        .run(move |conn| service::list(conn, &principal, &filter))
        .await?;
    Ok(crate::http::json_or_csv(
        &req,
        &list[..],
        "bookings.csv",
        crate::booking::model::csv,
    ))
}

/// One booking (its venue, its producer and the agency see it; others get 404).
#[utoipa::path(
    tag = "bookings",
    security(("bearer" = [])),
    params(("id" = i64, Path, description = "Booking id")),
    responses(
        (status = 200, description = "The booking", body = Booking),
        (status = 404, description = "No such booking visible to the caller", body = Problem, content_type = "application/problem+json"),
    )
)]
#[get("/bookings/{id}")]
async fn get_booking(
    state: web::Data<AppState>,
    principal: Principal,
    id: web::Path<i64>,
) -> ApiResult<web::Json<Booking>> {
    shown(&state, principal, id, service::get).await
}

/// Changes the dates of a `requested` or `approved` booking, re-checked like a new booking: the
/// same copy if it is free, else another free copy; otherwise 409 with alternatives and nothing
/// changes.
#[utoipa::path(
    tag = "bookings",
    security(("bearer" = [])),
    params(("id" = i64, Path, description = "Booking id")),
    request_body = BookingDates,
    responses(
        (status = 200, description = "The booking with its new dates", body = Booking),
        (status = 404, description = "No such booking visible to the caller", body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "`booking_conflict` (with `alternatives`) or `invalid_transition` (booking past approval)", body = BookingConflict, content_type = "application/problem+json"),
        (status = 422, description = "Dates in the past, reversed or too long", body = Problem, content_type = "application/problem+json"),
    )
)]
#[patch("/bookings/{id}")]
async fn change_dates(
    state: web::Data<AppState>,
    principal: Principal,
    id: web::Path<i64>,
    body: web::Json<BookingDates>,
) -> ApiResult<web::Json<Booking>> {
    let clock = state.clock;
    let id = id.into_inner();
    let body = body.into_inner();
    let settings = settings(&state);
    run_json(&state, move |conn| {
        service::change_dates(conn, &principal, &settings, id, &body, clock.naive())
    })
    .await
}

/// Every transition of a booking: who, when, from which status to which, and the note.
#[utoipa::path(
    tag = "bookings",
    security(("bearer" = [])),
    params(("id" = i64, Path, description = "Booking id")),
    responses(
        (status = 200, description = "The history, oldest first", body = [BookingEvent]),
        (status = 404, description = "No such booking visible to the caller", body = Problem, content_type = "application/problem+json"),
    )
)]
#[get("/bookings/{id}/history")]
async fn booking_history(
    state: web::Data<AppState>,
    principal: Principal,
    id: web::Path<i64>,
) -> ApiResult<web::Json<Vec<BookingEvent>>> {
    shown(&state, principal, id, service::history).await
}

/// Lifts a booking's flag: its producer (or the agency) judges that the copy may serve it after
/// all, and says why (kept in the history and the audit log). A flag otherwise stays until the
/// booking is moved to another copy or to dates its copy can serve; a flagged booking is not
/// dispatched.
#[utoipa::path(
    tag = "bookings",
    security(("bearer" = [])),
    params(("id" = i64, Path, description = "Booking id")),
    request_body = ClearFlag,
    responses(
        (status = 200, description = "The booking, no longer flagged", body = Booking),
        (status = 401, description = "Not authenticated", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "Not the booking's producer or the agency", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such booking visible to the caller", body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "`invalid_transition`: the booking is not flagged", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "No reason, or one over 1,000 characters", body = Problem, content_type = "application/problem+json"),
    )
)]
#[post("/bookings/{id}/clear-flag")]
async fn clear_flag(
    state: web::Data<AppState>,
    principal: Principal,
    id: web::Path<i64>,
    body: web::Json<ClearFlag>,
) -> ApiResult<web::Json<Booking>> {
    let clock = state.clock;
    let id = id.into_inner();
    let body = body.into_inner();
    run_json(&state, move |conn| {
        service::clear_flag(conn, &principal, id, &body.reason, clock.naive())
    })
    .await
}

/// Takes a workflow action. The venue cancels (while `requested` or `approved`); the producer
/// approves or rejects a request, then dispatches, delivers, takes back (`return`) and closes;
/// the agency may take any action. Rejection, cancellation and closing free the copy, and the
/// waitlist gets it. An action not allowed from the current status → 409 `invalid_transition`.
/// A dispatch before the booking's occupation begins takes the copy from today (`occupied_from`
/// moves to today), or answers 409 `invalid_transition` with `possible_from` when another booking
/// or a maintenance holds the days in between; a copy under repair, or a flagged booking, is not
/// dispatched (409 `copy_not_ready`). A copy returned while a repair is open goes back to
/// maintenance, not on offer.
#[utoipa::path(
    tag = "bookings",
    security(("bearer" = [])),
    params(
        ("id" = i64, Path, description = "Booking id"),
        ("action" = BookingAction, Path, description = "approve, reject, cancel, dispatch, deliver, return or close"),
    ),
    request_body(content = Option<ActionNote>, description = "Optional note for the history"),
    responses(
        (status = 200, description = "The booking in its new status", body = Booking),
        (status = 403, description = "The other side's action", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such booking visible to the caller, or unknown action", body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "`invalid_transition` (with `possible_from` for a dispatch that is too early) or `copy_not_ready`", body = Problem, content_type = "application/problem+json"),
    )
)]
#[post("/bookings/{id}/{action}")]
async fn booking_action(
    state: web::Data<AppState>,
    principal: Principal,
    path: web::Path<(i64, String)>,
    body: web::Bytes,
    req: HttpRequest,
) -> ApiResult<web::Json<Booking>> {
    let clock = state.clock;
    let (id, action) = path.into_inner();
    let action: BookingAction = action.parse().map_err(|_| ApiError::NoRoute {
        method: req.method().to_string(),
        path: req.path().to_string(),
    })?;
    let note: ActionNote = crate::http::optional_json(&body)?;
    let settings = settings(&state);
    run_json(&state, move |conn| {
        service::act(
            conn,
            &principal,
            &settings,
            id,
            action,
            note.note.as_deref(),
            clock.naive(),
        )
    })
    .await
}

/// Range of an availability query.
#[derive(Debug, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct AvailabilityQuery {
    /// First day (YYYY-MM-DD).
    from: NaiveDate,
    /// Last day, inclusive (at most three years after `from`).
    to: NaiveDate,
}

/// Free periods of each copy of a resource over a range. A day is busy when it falls in an active
/// booking's occupied period (travel, set-up, use, take-down, turnaround) or a maintenance; copies
/// retired or in maintenance have no free period.
#[utoipa::path(
    tag = "bookings",
    security(("bearer" = [])),
    params(("id" = i64, Path, description = "Resource id"), AvailabilityQuery),
    responses(
        (status = 200, description = "Free periods per copy", body = Availability),
        (status = 400, description = "Missing or unparseable dates", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such resource", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "Reversed or too long range", body = Problem, content_type = "application/problem+json"),
    )
)]
#[get("/resources/{id}/availability")]
async fn availability(
    state: web::Data<AppState>,
    _principal: Principal,
    id: web::Path<i64>,
    query: web::Query<AvailabilityQuery>,
) -> ApiResult<web::Json<Availability>> {
    let id = id.into_inner();
    let q = query.into_inner();
    run_json(&state, move |conn| {
        service::availability(conn, id, q.from, q.to)
    })
    .await
}

/// Joins the waitlist of a resource for a period. When a hold is released (rejection,
/// cancellation, expiry, a date change), the first waiting venue whose period now fits gets the
/// copy as a `requested` booking.
#[utoipa::path(
    tag = "bookings",
    security(("bearer" = [])),
    request_body = NewWaitlistEntry,
    responses(
        (status = 201, description = "The entry, `waiting`", body = WaitlistEntry),
        (status = 403, description = "For another venue", body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "`already_exists`: the venue already waits for this resource over some of these days; `request_limit_reached`: it has `max_open_requests_per_venue` entries waiting", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "Bad dates, venue or resource", body = Problem, content_type = "application/problem+json"),
    )
)]
#[post("/waitlist")]
async fn join_waitlist(
    state: web::Data<AppState>,
    principal: Principal,
    body: web::Json<NewWaitlistEntry>,
) -> ApiResult<HttpResponse> {
    let clock = state.clock;
    let body = body.into_inner();
    let settings = settings(&state);
    let entry = state
        .run(move |conn| service::join_waitlist(conn, &principal, &settings, &body, clock.naive()))
        .await?;
    Ok(HttpResponse::Created().json(entry))
}

/// Query of the waitlist.
#[derive(Debug, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct WaitlistQuery {
    /// For the agency: one venue's entries.
    venue_id: Option<i64>,
}

/// Waitlist entries: a venue's own; all (or one venue's) for the agency.
#[utoipa::path(
    tag = "bookings",
    security(("bearer" = [])),
    params(WaitlistQuery),
    responses(
        (status = 200, description = "Entries, newest first", body = [WaitlistEntry]),
    )
)]
#[get("/waitlist")]
async fn list_waitlist(
    state: web::Data<AppState>,
    principal: Principal,
    query: web::Query<WaitlistQuery>,
) -> ApiResult<web::Json<Vec<WaitlistEntry>>> {
    let venue_id = query.venue_id;
    run_json(&state, move |conn| {
        service::list_waitlist(conn, &principal, venue_id)
    })
    .await
}

/// Leaves the waitlist.
#[utoipa::path(
    tag = "bookings",
    security(("bearer" = [])),
    params(("id" = i64, Path, description = "Waitlist entry id")),
    responses(
        (status = 200, description = "The entry, `cancelled`", body = WaitlistEntry),
        (status = 404, description = "No such entry of the caller's venue", body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "Already fulfilled or cancelled", body = Problem, content_type = "application/problem+json"),
    )
)]
#[delete("/waitlist/{id}")]
async fn cancel_waitlist(
    state: web::Data<AppState>,
    principal: Principal,
    id: web::Path<i64>,
) -> ApiResult<web::Json<WaitlistEntry>> {
    Ok(web::Json(
        act_on(&state, principal, id, service::cancel_waitlist).await?,
    ))
}

/// Issues a secret subscription link to a venue's calendar, for calendar apps that cannot log in.
/// A new link replaces the previous one.
#[utoipa::path(
    tag = "bookings",
    security(("bearer" = [])),
    params(("id" = i64, Path, description = "Venue id")),
    responses(
        (status = 201, description = "The link (shown once)", body = CalendarToken),
        (status = 403, description = "Not an administrator of the venue or the agency (API keys neither)", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "Not a venue of the caller (or the agency)", body = Problem, content_type = "application/problem+json"),
    )
)]
#[post("/venues/{id}/calendar-token")]
async fn issue_calendar_token(
    state: web::Data<AppState>,
    principal: Principal,
    id: web::Path<i64>,
) -> ApiResult<HttpResponse> {
    let token = act_on(&state, principal, id, feeds::issue_token).await?;
    Ok(HttpResponse::Created().json(token))
}

/// Query of the venue feed.
#[derive(Debug, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct FeedQuery {
    /// The venue's calendar secret (instead of a bearer token).
    token: Option<String>,
    /// The language of summaries and descriptions: `fr` or `en`. By default the language of the
    /// user whose bearer token fetches the feed (`locale`, `PATCH /api/v1/me`); French with a
    /// calendar link's `token`.
    lang: Option<FeedLanguage>,
}

/// Query of the copy feed.
#[derive(Debug, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct CopyFeedQuery {
    /// The language of summaries and descriptions: `fr` or `en`; by default the calling user's
    /// (`locale`), French for an API key.
    lang: Option<FeedLanguage>,
}

crate::text_enum! {
    /// The language of a calendar feed's texts.
    pub enum FeedLanguage {
        Fr => "fr",
        En => "en",
    }
}

/// The venue's bookings as an iCalendar feed (RFC 5545): one all-day event per booking over its
/// dates of use, tentative while requested; a booking cancelled, rejected or expired stays 30
/// days as `STATUS:CANCELLED`, so that subscribed calendars drop it. Texts in `lang`, else in the
/// language of the user whose bearer token fetches it, else (a calendar link) in French. Readable with a bearer token of the venue or the
/// agency, or by calendar apps with `?token=` from `calendar-token`.
#[utoipa::path(
    tag = "bookings",
    security((), ("bearer" = [])),
    params(("id" = i64, Path, description = "Venue id"), FeedQuery),
    responses(
        (status = 200, description = "The feed", content_type = "text/calendar", body = String),
        (status = 401, description = "No credential, or a wrong or replaced link", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "Not a venue of the caller", body = Problem, content_type = "application/problem+json"),
    )
)]
#[get("/venues/{id}/calendar.ics")]
async fn venue_calendar(
    state: web::Data<AppState>,
    principal: Option<Principal>,
    id: web::Path<i64>,
    query: web::Query<FeedQuery>,
) -> ApiResult<HttpResponse> {
    let id = id.into_inner();
    let clock = state.clock;
    let FeedQuery { token, lang } = query.into_inner();
    let lang = lang.map(FeedLanguage::as_str);
    let body = state
        .run(move |conn| {
            let access = match (&token, &principal) {
                (Some(t), _) => FeedAccess::Token(t),
                (None, Some(p)) => FeedAccess::Principal(p),
                (None, None) => {
                    return Err(crate::error::Error::Unauthenticated(
                        "send a bearer token or the calendar link's token".into(),
                    ))
                }
            };
            feeds::venue_feed(conn, access, id, lang, clock.naive())
        })
        .await?;
    Ok(HttpResponse::Ok().content_type(TEXT_CALENDAR).body(body))
}

/// One copy's bookings as an iCalendar feed, for its producer and the agency (called-off
/// bookings kept 30 days as `STATUS:CANCELLED`; texts in `lang`, else in the calling user's
/// language, else French).
#[utoipa::path(
    tag = "bookings",
    security(("bearer" = [])),
    params(("id" = i64, Path, description = "Copy id"), CopyFeedQuery),
    responses(
        (status = 200, description = "The feed", content_type = "text/calendar", body = String),
        (status = 404, description = "No such copy of the caller's", body = Problem, content_type = "application/problem+json"),
    )
)]
#[get("/copies/{id}/calendar.ics")]
async fn copy_calendar(
    state: web::Data<AppState>,
    principal: Principal,
    id: web::Path<i64>,
    query: web::Query<CopyFeedQuery>,
) -> ApiResult<HttpResponse> {
    let id = id.into_inner();
    let clock = state.clock;
    let lang = query.into_inner().lang.map(FeedLanguage::as_str);
    let body = state
        .run(move |conn| feeds::copy_feed(conn, &principal, id, lang, clock.naive()))
        .await?;
    Ok(HttpResponse::Ok().content_type(TEXT_CALENDAR).body(body))
}
