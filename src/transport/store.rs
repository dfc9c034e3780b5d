//! Data access for transport: where copies live, where their bookings take them, and the
//! deliveries leaving a depot on a day.

use std::collections::HashMap;

use chrono::NaiveDate;
use diesel::prelude::*;

use super::model::Place;
use crate::booking::BookingStatus;
use crate::chaining::{stay_from_row, Stay, StayRow, STAY_COLUMNS};
use crate::db::DbConnection;
use crate::schema::{bookings, communes, copies, organizations, resources};

/// The depot of each copy: its home commune, named after its producer.
pub fn depots(conn: &mut DbConnection, copy_ids: &[i64]) -> QueryResult<HashMap<i64, Place>> {
    Ok(copies::table
        .inner_join(communes::table.on(communes::insee_code.eq(copies::home_commune_insee)))
        .inner_join(organizations::table.on(organizations::id.eq(copies::producer_id)))
        .filter(copies::id.eq_any(copy_ids))
        .select((
            copies::id,
            organizations::id,
            organizations::name,
            communes::insee_code,
            communes::latitude,
            communes::longitude,
        ))
        .load::<(i64, i64, String, String, f64, f64)>(conn)?
        .into_iter()
        .map(|(copy_id, producer_id, name, commune, lat, lon)| {
            (
                copy_id,
                Place {
                    kind: "depot".into(),
                    organization_id: Some(producer_id),
                    name,
                    commune_insee: commune,
                    latitude: lat,
                    longitude: lon,
                },
            )
        })
        .collect())
}

/// Copies of the bookings starting in `[from, to]` visible in a scope (a producer's or all).
pub fn copies_booked_between(
    conn: &mut DbConnection,
    producer_id: Option<i64>,
    from: NaiveDate,
    to: NaiveDate,
) -> QueryResult<Vec<i64>> {
    let mut query = bookings::table
        .inner_join(resources::table.on(resources::id.eq(bookings::resource_id)))
        .filter(bookings::status.eq_any(BookingStatus::MOVING))
        .filter(bookings::starts_on.between(from, to))
        .select(bookings::copy_id)
        .distinct()
        .into_boxed::<crate::db::DbBackend>();
    if let Some(p) = producer_id {
        query = query.filter(resources::producer_id.eq(p));
    }
    query.load(conn)
}

/// A delivery leaving a depot, with what it carries.
#[derive(Debug, Clone)]
pub struct Departure {
    pub stay: Stay,
    pub asset_tag: String,
    pub resource_title: String,
    pub volume_m3: f64,
    pub weight_kg: f64,
}

type DepartureRow = (StayRow, String, String, Option<f64>, Option<f64>);

/// Approved deliveries of a producer's copies whose trip starts on `day` (first occupied day).
pub fn departures(
    conn: &mut DbConnection,
    producer_id: i64,
    day: NaiveDate,
) -> crate::error::Result<Vec<Departure>> {
    let rows: Vec<DepartureRow> = bookings::table
        .inner_join(organizations::table.on(organizations::id.eq(bookings::venue_id)))
        .inner_join(copies::table.on(copies::id.eq(bookings::copy_id)))
        .inner_join(resources::table.on(resources::id.eq(bookings::resource_id)))
        .filter(copies::producer_id.eq(producer_id))
        .filter(bookings::status.eq(BookingStatus::Approved))
        .filter(bookings::occupied_from.eq(day))
        .select((
            STAY_COLUMNS,
            copies::asset_tag,
            resources::title,
            resources::volume_m3,
            resources::weight_kg,
        ))
        .order(bookings::id.asc())
        .load(conn)?;
    rows.into_iter()
        .map(|(s, tag, title, volume, weight)| {
            Ok(Departure {
                stay: stay_from_row(s)?,
                asset_tag: tag,
                resource_title: title,
                volume_m3: volume.unwrap_or(0.0),
                weight_kg: weight.unwrap_or(0.0),
            })
        })
        .collect()
}

/// An organisation as a place (a depot or a venue).
pub fn place_of(
    conn: &mut DbConnection,
    organization_id: i64,
) -> QueryResult<Option<(Place, String)>> {
    organizations::table
        .find(organization_id)
        .select((
            organizations::name,
            organizations::kind,
            organizations::commune_insee,
            organizations::latitude,
            organizations::longitude,
        ))
        .first::<(String, String, String, f64, f64)>(conn)
        .optional()
        .map(|o| {
            o.map(|(name, kind, commune, lat, lon)| {
                (
                    Place {
                        kind: "depot".into(),
                        organization_id: Some(organization_id),
                        name,
                        commune_insee: commune,
                        latitude: lat,
                        longitude: lon,
                    },
                    kind,
                )
            })
        })
}
