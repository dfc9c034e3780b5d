//! Loans of the coming weeks for the Amiens demo producer: three demo venues ask for three of its
//! kits (resources a van carries several of) over the same days and the producer approves them, through the booking service as
//! the API would, so that its days of tours (`/days`, `POST /tours/plan`) have deliveries, and
//! later pickups, to plan. Loaded once: skipped when the producer already has a loan ahead.

use chrono::{Datelike, Duration, NaiveDateTime, Weekday};

use crate::access::Principal;
use crate::booking::model::{BookingAction, NewBooking};
use crate::booking::service::{self as bookings, Settings};
use crate::booking::store::BookingFilter;
use crate::booking::BookingStatus;
use crate::catalogue::store as catalogue_store;
use crate::db::DbConnection;
use crate::error::Result;
use crate::organization::store as org_store;
use crate::organization::{OrgKind, Role};

/// The producer whose days the demo fills, and the venues that borrow.
const PRODUCER: &str = "amiens@demo.itinerance.fr";
const VENUES: [&str; 3] = [
    "bibliotheque@demo.itinerance.fr",
    "point-lecture@demo.itinerance.fr",
    "ecole@demo.itinerance.fr",
];

/// A demo login acting for its organisation (its user id: the loans' history names it).
fn principal(user: &org_store::UserRow, kind: OrgKind) -> Principal {
    Principal {
        user_id: Some(user.id),
        api_key_id: None,
        organization_id: user.organization_id,
        kind,
        role: Role::Admin,
    }
}

/// Books and approves the loans; the number approved.
pub fn load(conn: &mut DbConnection, settings: &Settings, now: NaiveDateTime) -> Result<usize> {
    let Some(user) = org_store::find_user_by_email(conn, PRODUCER)? else {
        return Ok(0);
    };
    let producer = principal(&user, OrgKind::Producer);
    let today = now.date();
    let ahead = bookings::list(
        conn,
        &producer,
        &BookingFilter {
            from: Some(today),
            limit: 500,
            ..Default::default()
        },
    )?;
    if ahead
        .iter()
        .any(|b| b.starts_on > today && b.status == BookingStatus::Approved)
    {
        return Ok(0);
    }
    let mut resources: Vec<i64> = catalogue_store::fleet_copies(conn, user.organization_id)?
        .into_iter()
        .map(|(copy, ..)| copy.resource_id)
        .collect();
    resources.dedup();
    // Kits a demo van carries several of (exhibitions fill a van on their own). Not the trunks:
    // the venues' own first loan in the demo is a trunk (the water trunk the village looks for),
    // whose copy must stay free to be dispatched at once.
    let mut small = Vec::new();
    for id in resources {
        let r = crate::catalogue::service::get_resource(conn, id)?;
        if r.kind == crate::catalogue::model::ResourceKind::Kit
            && r.volume_m3.unwrap_or(0.0) <= 4.0
            && r.weight_kg.unwrap_or(0.0) <= 300.0
        {
            small.push(id);
        }
    }
    let resources = small;
    // Uses starting on a Wednesday three weeks ahead (libraries are open all day then).
    let mut first = today + Duration::days(21);
    while first.weekday() != Weekday::Wed {
        first += Duration::days(1);
    }
    let mut approved = 0;
    for (k, email) in VENUES.iter().enumerate() {
        let Some(venue) = org_store::find_user_by_email(conn, email)? else {
            continue;
        };
        let asker = principal(&venue, OrgKind::Venue);
        'resource: for resource_id in resources.iter().skip(k).chain(resources.iter()) {
            for week in 0..4 {
                let starts_on = first + Duration::weeks(week);
                let new = NewBooking {
                    resource_id: *resource_id,
                    venue_id: venue.organization_id,
                    starts_on,
                    ends_on: starts_on + Duration::days(9),
                    copy_id: None,
                };
                let Ok(booking) = bookings::request(conn, &asker, settings, &new, now) else {
                    continue;
                };
                bookings::act(
                    conn,
                    &producer,
                    settings,
                    booking.id,
                    BookingAction::Approve,
                    Some("Livraison par notre utilitaire la veille du premier jour."),
                    now,
                )?;
                approved += 1;
                break 'resource;
            }
        }
    }
    Ok(approved)
}
