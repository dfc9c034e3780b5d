//! Data access for transport: where copies live, where their bookings take them, and the
//! deliveries leaving a depot on a day.

use std::collections::HashMap;

use chrono::{NaiveDate, NaiveDateTime};
use diesel::prelude::*;

use super::model::{Capacity, Shift, Van};
use crate::booking::chaining::Place;
use crate::booking::chaining::{stay_from_row, Stay, StayRow};
use crate::booking::store::stay_columns;
use crate::booking::BookingStatus;
use crate::clock::format_hhmm;
use crate::db::DbConnection;
use crate::schema::{bookings, communes, copies, organizations, resources, tour_plans, vans};

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

/// A copy moving between a depot and a venue on a day, with what it carries.
#[derive(Debug, Clone)]
pub struct Move {
    pub stay: Stay,
    pub asset_tag: String,
    pub resource_title: String,
    pub volume_m3: f64,
    pub weight_kg: f64,
    pub crates: i32,
    pub setup_days: i32,
}

type MoveRow = (
    StayRow,
    String,
    String,
    Option<f64>,
    Option<f64>,
    Option<i32>,
    i32,
);

fn move_from_row(
    (s, tag, title, volume, weight, crates, setup_days): MoveRow,
) -> crate::error::Result<Move> {
    Ok(Move {
        stay: stay_from_row(s)?,
        asset_tag: tag,
        resource_title: title,
        volume_m3: volume.unwrap_or(0.0),
        weight_kg: weight.unwrap_or(0.0),
        crates: crates.unwrap_or(1).max(1),
        setup_days,
    })
}

/// Which moves of a day: the copies leaving the depot, or those due back.
#[derive(Debug, Clone, Copy)]
enum Direction {
    Leaving,
    DueBack,
}

/// Approved deliveries of a producer's copies delivered on `day` (the booking's `delivery_on`).
pub fn departures(
    conn: &mut DbConnection,
    producer_id: i64,
    day: NaiveDate,
) -> crate::error::Result<Vec<Move>> {
    moves(conn, producer_id, day, Direction::Leaving)
}

/// Loans of a producer's copies picked up on `day` (the booking's `pickup_on`), still out or
/// about to be.
pub fn returns_due(
    conn: &mut DbConnection,
    producer_id: i64,
    day: NaiveDate,
) -> crate::error::Result<Vec<Move>> {
    moves(conn, producer_id, day, Direction::DueBack)
}

fn moves(
    conn: &mut DbConnection,
    producer_id: i64,
    day: NaiveDate,
    direction: Direction,
) -> crate::error::Result<Vec<Move>> {
    let query = bookings::table
        .inner_join(organizations::table.on(organizations::id.eq(bookings::venue_id)))
        .inner_join(copies::table.on(copies::id.eq(bookings::copy_id)))
        .inner_join(resources::table.on(resources::id.eq(bookings::resource_id)))
        .filter(copies::producer_id.eq(producer_id))
        .select((
            stay_columns(),
            copies::asset_tag,
            resources::title,
            resources::volume_m3,
            resources::weight_kg,
            resources::crates,
            resources::setup_days,
        ))
        .order(bookings::id.asc())
        .into_boxed::<crate::db::DbBackend>();
    let query = match direction {
        Direction::Leaving => query
            .filter(bookings::status.eq(BookingStatus::Approved))
            .filter(bookings::delivery_on.eq(day)),
        Direction::DueBack => query
            .filter(bookings::status.eq_any([
                BookingStatus::Approved,
                BookingStatus::InTransit,
                BookingStatus::Delivered,
            ]))
            .filter(bookings::pickup_on.eq(day)),
    };
    let rows: Vec<MoveRow> = query.load(conn)?;
    let mut found = Vec::with_capacity(rows.len());
    for row in rows {
        found.push(move_from_row(row)?);
    }
    Ok(found)
}

/// Keeps a planned day.
pub fn insert_tour_plan(
    conn: &mut DbConnection,
    depot_organization_id: i64,
    day: NaiveDate,
    created_by: i64,
    created_at: chrono::NaiveDateTime,
) -> QueryResult<i64> {
    diesel::insert_into(tour_plans::table)
        .values((
            tour_plans::depot_organization_id.eq(depot_organization_id),
            tour_plans::plan_date.eq(day),
            tour_plans::created_by_organization_id.eq(created_by),
            tour_plans::created_at.eq(created_at),
            tour_plans::plan.eq(""),
        ))
        .returning(tour_plans::id)
        .get_result(conn)
}

/// Stores the plan's body once its id is known (same transaction as the insert).
pub fn set_tour_plan_body(conn: &mut DbConnection, id: i64, body: &str) -> QueryResult<()> {
    diesel::update(tour_plans::table.find(id))
        .set(tour_plans::plan.eq(body))
        .execute(conn)
        .map(|_| ())
}

/// The plans kept for a depot's day, newest first: ids and creation times.
pub fn tour_plans_of(
    conn: &mut DbConnection,
    depot_organization_id: i64,
    day: NaiveDate,
) -> QueryResult<Vec<(i64, chrono::NaiveDateTime)>> {
    tour_plans::table
        .filter(tour_plans::depot_organization_id.eq(depot_organization_id))
        .filter(tour_plans::plan_date.eq(day))
        .order(tour_plans::id.desc())
        .select((tour_plans::id, tour_plans::created_at))
        .load(conn)
}

/// A kept plan: its depot and body.
pub fn find_tour_plan(conn: &mut DbConnection, id: i64) -> QueryResult<Option<(i64, String)>> {
    tour_plans::table
        .find(id)
        .select((tour_plans::depot_organization_id, tour_plans::plan))
        .first(conn)
        .optional()
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

/// A van row.
#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = vans)]
struct VanRow {
    id: i64,
    name: String,
    depot_organization_id: i64,
    volume_m3: f64,
    weight_kg: f64,
    shift_start_minute: i32,
    shift_end_minute: i32,
    active: bool,
    created_at: NaiveDateTime,
    updated_at: NaiveDateTime,
}

impl From<VanRow> for Van {
    fn from(r: VanRow) -> Van {
        Van {
            id: r.id,
            name: r.name,
            depot_organization_id: r.depot_organization_id,
            capacity: Capacity {
                volume_m3: r.volume_m3,
                weight_kg: r.weight_kg,
            },
            shift: Shift {
                start: format_hhmm(r.shift_start_minute),
                end: format_hhmm(r.shift_end_minute),
            },
            active: r.active,
            created_at: r.created_at,
            updated_at: r.updated_at,
        }
    }
}

/// What a van row holds, written by `insert_van` and `update_van`.
pub struct VanValues<'a> {
    pub name: &'a str,
    pub depot_organization_id: i64,
    pub capacity: &'a Capacity,
    /// Minutes after midnight.
    pub shift: (i32, i32),
    pub active: bool,
}

/// The columns of a van that its [`VanValues`] set, on insert and update alike.
type VanColumns<'a> = (
    diesel::dsl::Eq<vans::name, &'a str>,
    diesel::dsl::Eq<vans::depot_organization_id, i64>,
    diesel::dsl::Eq<vans::volume_m3, f64>,
    diesel::dsl::Eq<vans::weight_kg, f64>,
    diesel::dsl::Eq<vans::shift_start_minute, i32>,
    diesel::dsl::Eq<vans::shift_end_minute, i32>,
    diesel::dsl::Eq<vans::active, bool>,
);

impl<'a> VanValues<'a> {
    /// The van's columns as these values set them.
    fn columns(&self) -> VanColumns<'a> {
        (
            vans::name.eq(self.name),
            vans::depot_organization_id.eq(self.depot_organization_id),
            vans::volume_m3.eq(self.capacity.volume_m3),
            vans::weight_kg.eq(self.capacity.weight_kg),
            vans::shift_start_minute.eq(self.shift.0),
            vans::shift_end_minute.eq(self.shift.1),
            vans::active.eq(self.active),
        )
    }
}

/// Adds a van; its id.
pub fn insert_van(conn: &mut DbConnection, v: &VanValues, now: NaiveDateTime) -> QueryResult<i64> {
    diesel::insert_into(vans::table)
        .values((
            v.columns(),
            vans::created_at.eq(now),
            vans::updated_at.eq(now),
        ))
        .returning(vans::id)
        .get_result(conn)
}

/// Rewrites a van.
pub fn update_van(
    conn: &mut DbConnection,
    id: i64,
    v: &VanValues,
    now: NaiveDateTime,
) -> QueryResult<()> {
    diesel::update(vans::table.find(id))
        .set((v.columns(), vans::updated_at.eq(now)))
        .execute(conn)
        .map(|_| ())
}

/// One van.
pub fn find_van(conn: &mut DbConnection, id: i64) -> QueryResult<Option<Van>> {
    Ok(vans::table
        .find(id)
        .select(VanRow::as_select())
        .first::<VanRow>(conn)
        .optional()?
        .map(Van::from))
}

/// Vans by id: of one depot if given, only those leaving from `visible_to`'s depot if given,
/// retired ones too if asked.
pub fn list_vans(
    conn: &mut DbConnection,
    depot: Option<i64>,
    visible_to: Option<i64>,
    include_retired: bool,
) -> QueryResult<Vec<Van>> {
    let mut query = vans::table
        .select(VanRow::as_select())
        .into_boxed::<crate::db::DbBackend>();
    if let Some(depot) = depot {
        query = query.filter(vans::depot_organization_id.eq(depot));
    }
    if let Some(org) = visible_to {
        query = query.filter(vans::depot_organization_id.eq(org));
    }
    if !include_retired {
        query = query.filter(vans::active.eq(true));
    }
    Ok(query
        .order(vans::id.asc())
        .load::<VanRow>(conn)?
        .into_iter()
        .map(Van::from)
        .collect())
}
