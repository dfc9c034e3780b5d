//! The network's vans: where each leaves from, what it carries and when it drives. Day plans
//! (`POST /tours/plan`) share a depot's day among its active vans.

use chrono::NaiveDateTime;

use super::model::{Capacity, NewVan, Shift, Van, VanPatch, VanQuery};
use super::store;
use crate::access::Principal;
use crate::audit;
use crate::clock::{parse_hhmm, HHMM_RULE};
use crate::db::{write_transaction, DbConnection};
use crate::error::{Error, Result, Validator};
use crate::organization::OrgKind;

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
    let ok = store::place_of(conn, id)?
        .is_some_and(|(_, k)| k == OrgKind::Producer.as_str() || k == OrgKind::Agency.as_str());
    v.check(
        ok,
        "depot_organization_id",
        "not a producer or the agency of the network",
    );
    Ok(())
}

fn only_agency(p: &Principal) -> Result<()> {
    crate::access::policy::manage_vans(p)
}

/// Registers a van (the agency's administrators).
pub fn create(
    conn: &mut DbConnection,
    p: &Principal,
    new: &NewVan,
    now: NaiveDateTime,
) -> Result<Van> {
    only_agency(p)?;
    let mut v = Validator::new();
    check_name(&mut v, &new.name);
    check_capacity(&mut v, "capacity", &new.capacity);
    let shift = check_shift(&mut v, "shift", &new.shift);
    check_depot(conn, &mut v, new.depot_organization_id)?;
    v.finish()?;
    let (start, end) = shift.ok_or_else(|| Error::Internal("validated shift lost".into()))?;
    write_transaction(conn, |conn| {
        let van = insert(conn, new, (start, end), now)?;
        audit::record(
            conn,
            p.actor(),
            crate::audit::AuditAction::VanCreated,
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
    let id = store::insert_van(
        conn,
        &store::VanValues {
            name: new.name.trim(),
            depot_organization_id: new.depot_organization_id,
            capacity: &new.capacity,
            shift: (start, end),
            active: true,
        },
        now,
    )?;
    find(conn, id)?.ok_or_else(|| Error::Internal(format!("van {id} lost")))
}

/// Changes a van (the agency's administrators); `active: false` retires it.
pub fn update(
    conn: &mut DbConnection,
    p: &Principal,
    id: i64,
    patch: &VanPatch,
    now: NaiveDateTime,
) -> Result<Van> {
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
    write_transaction(conn, |conn| {
        store::update_van(
            conn,
            id,
            &store::VanValues {
                name: patch
                    .name
                    .as_deref()
                    .map_or(current.name.as_str(), str::trim),
                depot_organization_id: patch
                    .depot_organization_id
                    .unwrap_or(current.depot_organization_id),
                capacity: &capacity,
                shift: (start, end),
                active: patch.active.unwrap_or(current.active),
            },
            now,
        )?;
        audit::record(
            conn,
            p.actor(),
            crate::audit::AuditAction::VanUpdated,
            id,
            &serde_json::to_value(patch).unwrap_or_default(),
            now,
        )?;
        find(conn, id)?.ok_or_else(|| Error::Internal(format!("van {id} lost")))
    })
}

/// One van, if it exists.
pub fn find(conn: &mut DbConnection, id: i64) -> Result<Option<Van>> {
    Ok(store::find_van(conn, id)?)
}

/// One van, for the agency and the producer it leaves from (404 for others).
pub fn get(conn: &mut DbConnection, p: &Principal, id: i64) -> Result<Van> {
    find(conn, id)?
        .filter(|van| crate::access::policy::acts_for(p, van.depot_organization_id))
        .ok_or_else(|| Error::NotFound(format!("van {id}")))
}

/// The vans a caller may see: all for the agency, a producer's own depot's for a producer.
pub fn list(conn: &mut DbConnection, p: &Principal, q: &VanQuery) -> Result<Vec<Van>> {
    let visible_to = (!crate::access::policy::sees_whole_network(p)).then_some(p.organization_id);
    Ok(store::list_vans(
        conn,
        q.depot_organization_id,
        visible_to,
        q.include_retired.unwrap_or(false),
    )?)
}

/// The active vans of a depot, by id: the fleet a day plan shares out.
pub fn active_at(conn: &mut DbConnection, depot_organization_id: i64) -> Result<Vec<Van>> {
    Ok(store::list_vans(
        conn,
        Some(depot_organization_id),
        None,
        false,
    )?)
}
