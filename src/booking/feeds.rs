//! Calendar feeds: a venue's bookings (subscribable with a per-venue secret in the URL, since
//! calendar apps cannot send a token) and a copy's bookings (for its producer and the agency).

use chrono::NaiveDateTime;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use super::calendar::{self, CalendarEvent};
use super::model::BookingStatus;
use super::store::FeedRow;
use crate::access::{policy, Principal};
use crate::auth::apikey;
use crate::db::{write_transaction, DbConnection};
use crate::error::{Error, Result};
use crate::organization::model::stored;
use crate::organization::OrgKind;

/// Prefix of calendar secrets.
const TOKEN_PREFIX: &str = "itc_";

/// A fresh calendar subscription link.
#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub struct CalendarToken {
    /// The secret (shown once; issuing a new one revokes the previous link).
    pub token: String,
    /// Path to subscribe to, relative to the service root.
    #[schema(example = "/api/v1/venues/12/calendar.ics?token=itc_…")]
    pub path: String,
}

/// Issues (or replaces) a venue's calendar secret: its members and the agency may.
pub fn issue_token(
    conn: &mut DbConnection,
    p: &Principal,
    venue_id: i64,
    now: NaiveDateTime,
) -> Result<CalendarToken> {
    policy::read_members(p, venue_id)?;
    // Replacing the link cuts every calendar subscribed to the old one: administrators only.
    if !p.is_admin() {
        return Err(Error::Forbidden(
            "only an administrator of the venue (or of the agency) issues calendar links".into(),
        ));
    }
    let kind = crate::organization::store::find_organization(conn, venue_id)?
        .map(|o| o.kind)
        .ok_or_else(|| Error::NotFound(format!("venue {venue_id}")))?;
    if kind != OrgKind::Venue.as_str() {
        return Err(Error::NotFound(format!("venue {venue_id}")));
    }
    let token = apikey::random_secret(TOKEN_PREFIX)?;
    let digest = apikey::digest(&token);
    write_transaction(conn, |conn| {
        crate::organization::store::set_calendar_token_hash(conn, venue_id, &digest)?;
        // Who cut the subscribed calendars, and when (never the secret).
        crate::audit::record(
            conn,
            p.actor(),
            crate::audit::AuditAction::CalendarLinkReset,
            venue_id,
            &serde_json::json!({}),
            now,
        )
    })?;
    Ok(CalendarToken {
        path: format!("/api/v1/venues/{venue_id}/calendar.ics?token={token}"),
        token,
    })
}

/// How the caller of a feed proved it may read it.
pub enum FeedAccess<'a> {
    Principal(&'a Principal),
    Token(&'a str),
}

/// Domain of the UIDs: fixed, so that a booking keeps its UID whatever host name the feed is
/// fetched through.
const UID_DOMAIN: &str = "itinerance";

/// How long a booking that will not happen (cancelled, rejected, expired) stays in feeds as
/// `STATUS:CANCELLED`, so that subscribed calendars remove it rather than keep it.
pub const CANCELLED_KEPT_DAYS: i64 = 30;

/// The statuses of bookings that will not happen.
const CALLED_OFF: &[BookingStatus] = &[
    BookingStatus::Cancelled,
    BookingStatus::Rejected,
    BookingStatus::Expired,
];

/// A feed's summary and description in a language (`en`, else French).
fn texts(
    locale: &str,
    (id, title, tag, status): (i64, &str, &str, BookingStatus),
    (occupied_from, occupied_to): (chrono::NaiveDate, chrono::NaiveDate),
) -> (String, String) {
    let words = status.words(locale);
    if locale == "en" {
        (
            format!("{title} ({words})"),
            format!(
                "Booking {id}, copy {tag}. The copy is occupied from {occupied_from} to \
                 {occupied_to} (travel, set-up and checks included). Status: {words}."
            ),
        )
    } else {
        (
            format!("{title} ({words})"),
            format!(
                "Réservation n° {id}, exemplaire {tag}. L'exemplaire est occupé du \
                 {occupied_from} au {occupied_to} (transport, installation et vérifications \
                 compris). Statut : {words}."
            ),
        )
    }
}

fn events(conn: &mut DbConnection, rows: Vec<FeedRow>, locale: &str) -> Result<Vec<CalendarEvent>> {
    let ids: Vec<i64> = rows.iter().map(|r| r.0).collect();
    // Each recorded change (dates, status) raises the sequence, so clients replace their copy.
    let changes = super::store::event_counts(conn, &ids)?;
    rows.into_iter()
        .map(
            |(
                id,
                starts_on,
                ends_on,
                occupied_from,
                occupied_to,
                status,
                _created_at,
                updated_at,
                title,
                tag,
                venue,
                _,
            )| {
                let status: BookingStatus = stored(&status)?;
                let (summary, description) = texts(
                    locale,
                    (id, &title, &tag, status),
                    (occupied_from, occupied_to),
                );
                Ok(CalendarEvent {
                    uid: format!("booking-{id}@{UID_DOMAIN}"),
                    first_day: starts_on,
                    last_day: ends_on,
                    summary,
                    description,
                    location: venue,
                    status: if CALLED_OFF.contains(&status) {
                        "CANCELLED"
                    } else if status == BookingStatus::Requested {
                        "TENTATIVE"
                    } else {
                        "CONFIRMED"
                    },
                    stamp: updated_at,
                    sequence: changes.get(&id).copied().unwrap_or(1).max(1) - 1,
                })
            },
        )
        .collect()
}

/// How far a venue's feed shows school holidays: the last month and the coming year and a half
/// (the embedded calendar's reach).
const HOLIDAYS_BEHIND_DAYS: i64 = 31;
const HOLIDAYS_AHEAD_DAYS: i64 = 550;

/// The school holidays of the venue's zone as all-day events (a venue plans its loans around
/// them: a school is closed, a leisure centre open only then); none outside metropolitan zones.
fn school_holidays(commune_insee: &str, locale: &str, now: NaiveDateTime) -> Vec<CalendarEvent> {
    let Some(zone) = crate::territory::holidays::zone_of_commune(commune_insee) else {
        return Vec::new();
    };
    let today = now.date();
    crate::territory::holidays::between(
        Some(zone),
        today - chrono::Duration::days(HOLIDAYS_BEHIND_DAYS),
        today + chrono::Duration::days(HOLIDAYS_AHEAD_DAYS),
    )
    .into_iter()
    .map(|h| {
        let (summary, description) = if locale == "en" {
            (
                format!("School holidays: {} (zone {zone})", h.description),
                format!(
                    "French school holidays of zone {zone}, from the national calendar: no \
                     school from {} to {}.",
                    h.starts_on, h.ends_on
                ),
            )
        } else {
            (
                format!("{} (zone {zone})", h.description),
                format!(
                    "Vacances scolaires de la zone {zone}, calendrier national : pas de classe \
                     du {} au {}.",
                    h.starts_on, h.ends_on
                ),
            )
        };
        CalendarEvent {
            uid: format!("school-holidays-{zone}-{}@{UID_DOMAIN}", h.starts_on),
            first_day: h.starts_on,
            last_day: h.ends_on,
            summary,
            description,
            location: String::new(),
            status: "CONFIRMED",
            stamp: h.starts_on.and_hms_opt(0, 0, 0).unwrap_or_default(),
            sequence: 0,
        }
    })
    .collect()
}

/// The bookings of a feed: those that move their copy, and those called off within the last
/// [`CANCELLED_KEPT_DAYS`] days.
fn feed_query(
    conn: &mut DbConnection,
    venue_id: Option<i64>,
    copy_id: Option<i64>,
    now: NaiveDateTime,
) -> Result<Vec<FeedRow>> {
    let since = now - chrono::Duration::days(CANCELLED_KEPT_DAYS);
    Ok(super::store::feed_rows(
        conn, venue_id, copy_id, CALLED_OFF, since,
    )?)
}

/// The language of a feed's texts: `?lang=` when the address says; else the language of the user
/// whose credential fetched it (their account's `locale`), as their mail and pages are; else
/// French. A calendar link (`?token=`) is the venue's, not a person's: French unless it says
/// `lang=en`.
fn feed_locale(
    conn: &mut DbConnection,
    asked: Option<&str>,
    reader: Option<&Principal>,
) -> Result<String> {
    if let Some(lang) = asked {
        return Ok(lang.to_string());
    }
    let user = match reader.and_then(|p| p.user_id) {
        Some(id) => crate::organization::store::find_user(conn, id)?,
        None => None,
    };
    Ok(match user {
        Some(u) if u.locale == "en" => "en".to_string(),
        _ => "fr".to_string(),
    })
}

/// The feed of a venue's bookings, in the language `lang` names, else the reader's (see
/// `feed_locale`).
pub fn venue_feed(
    conn: &mut DbConnection,
    access: FeedAccess<'_>,
    venue_id: i64,
    lang: Option<&str>,
    now: NaiveDateTime,
) -> Result<String> {
    let venue = crate::organization::store::find_organization(conn, venue_id)?
        .filter(|o| o.kind == OrgKind::Venue.as_str())
        .ok_or_else(|| Error::NotFound(format!("venue {venue_id}")))?;
    let reader = match access {
        FeedAccess::Principal(p) => Some(p),
        FeedAccess::Token(_) => None,
    };
    match access {
        FeedAccess::Principal(p) => policy::read_members(p, venue_id)?,
        FeedAccess::Token(token) => {
            if venue.calendar_token_hash.as_deref() != Some(apikey::digest(token).as_str()) {
                return Err(Error::Unauthenticated(
                    "unknown or replaced calendar link".into(),
                ));
            }
        }
    }
    let locale = feed_locale(conn, lang, reader)?;
    let rows = feed_query(conn, Some(venue_id), None, now)?;
    let mut events = events(conn, rows, &locale)?;
    events.extend(school_holidays(&venue.commune_insee, &locale, now));
    Ok(calendar::render(
        &format!("Itinérance – {}", venue.name),
        &events,
    ))
}

/// The feed of one copy's bookings, for its producer and the agency, in the language `lang`
/// names, else the reader's.
pub fn copy_feed(
    conn: &mut DbConnection,
    p: &Principal,
    copy_id: i64,
    lang: Option<&str>,
    now: NaiveDateTime,
) -> Result<String> {
    let (tag, producer_id) = crate::catalogue::store::find_copy(conn, copy_id)?
        .map(|c| (c.asset_tag, c.producer_id))
        .ok_or_else(|| Error::NotFound(format!("copy {copy_id}")))?;
    if !policy::acts_for(p, producer_id) {
        return Err(Error::NotFound(format!("copy {copy_id} calendar")));
    }
    let locale = feed_locale(conn, lang, Some(p))?;
    let rows = feed_query(conn, None, Some(copy_id), now)?;
    Ok(calendar::render(
        &format!("Itinérance – {tag}"),
        &events(conn, rows, &locale)?,
    ))
}
