//! The network's vans: where each leaves from, what it carries and when it drives. Day plans
//! (`POST /tours/plan`) share a depot's day among its active vans.

use chrono::{NaiveDateTime, Utc};
use diesel::prelude::*;
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use super::model::{Capacity, Shift};
use crate::audit;
use crate::auth::Principal;
use crate::clock::{format_hhmm, parse_hhmm, HHMM_RULE};
use crate::db::{write_transaction, DbConnection};
use crate::error::{Error, Result, Validator};
use crate::organization::OrgKind;
use crate::schema::{organizations, vans};

/// A van of the network.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct Van {
    pub id: i64,
    pub name: String,
    /// The producer (or the agency) whose site it leaves from and comes back to.
    pub depot_organization_id: i64,
    pub capacity: Capacity,
    pub shift: Shift,
    /// Retired vans stay for the plans that named them, and are planned no more.
    pub active: bool,
    #[serde(with = "crate::timestamp::utc")]
    pub created_at: NaiveDateTime,
    #[serde(with = "crate::timestamp::utc")]
    pub updated_at: NaiveDateTime,
}

/// Body of `POST /api/v1/vans`.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewVan {
    /// 1–100 characters, e.g. "Kangoo Amiens".
    pub name: String,
    pub depot_organization_id: i64,
    pub capacity: Capacity,
    pub shift: Shift,
}

/// Body of `PATCH /api/v1/vans/{id}`: the fields to change.
#[derive(Debug, Clone, Default, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct VanPatch {
    pub name: Option<String>,
    pub depot_organization_id: Option<i64>,
    pub capacity: Option<Capacity>,
    pub shift: Option<Shift>,
    pub active: Option<bool>,
}

/// Query of `GET /api/v1/vans`.
#[derive(Debug, Clone, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct VanQuery {
    /// Only the vans of this depot.
    pub depot_organization_id: Option<i64>,
    /// Retired vans too (default false).
    pub include_retired: Option<bool>,
}

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

/// A van's shift in minutes after midnight, and its capacity: what the solver needs.
impl Van {
    pub fn shift_minutes(&self) -> (i32, i32) {
        (
            parse_hhmm(&self.shift.start).unwrap_or(0),
            parse_hhmm(&self.shift.end).unwrap_or(crate::clock::DAY_MINUTES),
        )
    }
}

/// Largest van capacity accepted, so that a typo (50,000 m³) is caught.
const MAX_VOLUME_M3: f64 = 100.0;
const MAX_WEIGHT_KG: f64 = 40_000.0;

/// Checks a capacity, naming fields under `prefix`.
pub fn check_capacity(v: &mut Validator, prefix: &str, c: &Capacity) {
    v.check(
        c.volume_m3.is_finite() && c.volume_m3 > 0.0 && c.volume_m3 <= MAX_VOLUME_M3,
        &format!("{prefix}.volume_m3"),
        &format!("must be more than 0 and at most {MAX_VOLUME_M3}"),
    );
    v.check(
        c.weight_kg.is_finite() && c.weight_kg > 0.0 && c.weight_kg <= MAX_WEIGHT_KG,
        &format!("{prefix}.weight_kg"),
        &format!("must be more than 0 and at most {MAX_WEIGHT_KG}"),
    );
}

/// Checks a shift and returns it in minutes when valid.
pub fn check_shift(v: &mut Validator, prefix: &str, s: &Shift) -> Option<(i32, i32)> {
    let start = parse_hhmm(&s.start);
    let end = parse_hhmm(&s.end);
    if start.is_none() {
        v.add(&format!("{prefix}.start"), format!("must be {HHMM_RULE}"));
    }
    if end.is_none() {
        v.add(&format!("{prefix}.end"), format!("must be {HHMM_RULE}"));
    }
    let (start, end) = (start?, end?);
    if end <= start {
        v.add(&format!("{prefix}.end"), "must be after start");
        return None;
    }
    Some((start, end))
}

fn check_name(v: &mut Validator, name: &str) {
    let n = name.trim().chars().count();
    v.check((1..=100).contains(&n), "name", "1–100 characters");
}

/// Whether an organisation can be a depot (a producer or the agency).
fn check_depot(conn: &mut DbConnection, v: &mut Validator, id: i64) -> Result<()> {
    let kind: Option<String> = organizations::table
        .find(id)
        .select(organizations::kind)
        .first(conn)
        .optional()?;
    let ok = kind.is_some_and(|k| k == OrgKind::Producer.as_str() || k == OrgKind::Agency.as_str());
    v.check(
        ok,
        "depot_organization_id",
        "not a producer or the agency of the network",
    );
    Ok(())
}

fn only_agency(p: &Principal) -> Result<()> {
    if p.is_agency() && p.is_admin() {
        Ok(())
    } else {
        Err(Error::Forbidden(
            "only the agency's administrators manage the vans".into(),
        ))
    }
}

/// Registers a van (the agency's administrators).
pub fn create(conn: &mut DbConnection, p: &Principal, new: &NewVan) -> Result<Van> {
    only_agency(p)?;
    let mut v = Validator::new();
    check_name(&mut v, &new.name);
    check_capacity(&mut v, "capacity", &new.capacity);
    let shift = check_shift(&mut v, "shift", &new.shift);
    check_depot(conn, &mut v, new.depot_organization_id)?;
    v.finish()?;
    let (start, end) = shift.ok_or_else(|| Error::Internal("validated shift lost".into()))?;
    let now = Utc::now().naive_utc();
    write_transaction(conn, |conn| {
        let van = insert(conn, new, (start, end), now)?;
        audit::record(
            conn,
            p.actor(),
            "van.created",
            "van",
            van.id,
            &serde_json::to_value(new).unwrap_or_default(),
            now,
        )?;
        Ok::<_, Error>(van)
    })
}

/// Writes a checked van (inside the caller's transaction; demo data uses it directly).
pub fn insert(
    conn: &mut DbConnection,
    new: &NewVan,
    (start, end): (i32, i32),
    now: NaiveDateTime,
) -> Result<Van> {
    let id: i64 = diesel::insert_into(vans::table)
        .values((
            vans::name.eq(new.name.trim()),
            vans::depot_organization_id.eq(new.depot_organization_id),
            vans::volume_m3.eq(new.capacity.volume_m3),
            vans::weight_kg.eq(new.capacity.weight_kg),
            vans::shift_start_minute.eq(start),
            vans::shift_end_minute.eq(end),
            vans::active.eq(true),
            vans::created_at.eq(now),
            vans::updated_at.eq(now),
        ))
        .returning(vans::id)
        .get_result(conn)?;
    find(conn, id)?.ok_or_else(|| Error::Internal(format!("van {id} lost")))
}

/// Changes a van (the agency's administrators); `active: false` retires it.
pub fn update(conn: &mut DbConnection, p: &Principal, id: i64, patch: &VanPatch) -> Result<Van> {
    only_agency(p)?;
    let current = find(conn, id)?.ok_or_else(|| Error::NotFound(format!("van {id}")))?;
    let mut v = Validator::new();
    if let Some(name) = &patch.name {
        check_name(&mut v, name);
    }
    if let Some(c) = &patch.capacity {
        check_capacity(&mut v, "capacity", c);
    }
    let shift = match &patch.shift {
        Some(s) => check_shift(&mut v, "shift", s),
        None => Some(current.shift_minutes()),
    };
    if let Some(depot) = patch.depot_organization_id {
        check_depot(conn, &mut v, depot)?;
    }
    v.finish()?;
    let (start, end) = shift.ok_or_else(|| Error::Internal("validated shift lost".into()))?;
    let capacity = patch.capacity.clone().unwrap_or(current.capacity.clone());
    let now = Utc::now().naive_utc();
    write_transaction(conn, |conn| {
        diesel::update(vans::table.find(id))
            .set((
                vans::name.eq(patch
                    .name
                    .as_deref()
                    .map(str::trim)
                    .unwrap_or(&current.name)),
                vans::depot_organization_id.eq(patch
                    .depot_organization_id
                    .unwrap_or(current.depot_organization_id)),
                vans::volume_m3.eq(capacity.volume_m3),
                vans::weight_kg.eq(capacity.weight_kg),
                vans::shift_start_minute.eq(start),
                vans::shift_end_minute.eq(end),
                vans::active.eq(patch.active.unwrap_or(current.active)),
                vans::updated_at.eq(now),
            ))
            .execute(conn)?;
        audit::record(
            conn,
            p.actor(),
            "van.updated",
            "van",
            id,
            &serde_json::to_value(patch).unwrap_or_default(),
            now,
        )?;
        find(conn, id)?.ok_or_else(|| Error::Internal(format!("van {id} lost")))
    })
}

/// One van, if it exists.
pub fn find(conn: &mut DbConnection, id: i64) -> Result<Option<Van>> {
    Ok(vans::table
        .find(id)
        .select(VanRow::as_select())
        .first(conn)
        .optional()?
        .map(Van::from))
}

/// One van, for the agency and the producer it leaves from (404 for others).
pub fn get(conn: &mut DbConnection, p: &Principal, id: i64) -> Result<Van> {
    find(conn, id)?
        .filter(|van| p.is_agency() || p.belongs_to(van.depot_organization_id))
        .ok_or_else(|| Error::NotFound(format!("van {id}")))
}

/// The vans a caller may see: all for the agency, a producer's own depot's for a producer.
pub fn list(conn: &mut DbConnection, p: &Principal, q: &VanQuery) -> Result<Vec<Van>> {
    let mut query = vans::table.select(VanRow::as_select()).into_boxed();
    if let Some(depot) = q.depot_organization_id {
        query = query.filter(vans::depot_organization_id.eq(depot));
    }
    if !p.is_agency() {
        query = query.filter(vans::depot_organization_id.eq(p.organization_id));
    }
    if !q.include_retired.unwrap_or(false) {
        query = query.filter(vans::active.eq(true));
    }
    Ok(query
        .order(vans::id.asc())
        .load::<VanRow>(conn)?
        .into_iter()
        .map(Van::from)
        .collect())
}

/// The active vans of a depot, by id: the fleet a day plan shares out.
pub fn active_at(conn: &mut DbConnection, depot_organization_id: i64) -> Result<Vec<Van>> {
    Ok(vans::table
        .filter(vans::depot_organization_id.eq(depot_organization_id))
        .filter(vans::active.eq(true))
        .select(VanRow::as_select())
        .order(vans::id.asc())
        .load::<VanRow>(conn)?
        .into_iter()
        .map(Van::from)
        .collect())
}
