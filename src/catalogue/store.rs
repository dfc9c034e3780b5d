//! Data access for resources, copies and components.

pub mod maintenance;
pub mod occupancy;
pub mod scan;

use std::collections::HashMap;

use chrono::NaiveDateTime;
use diesel::prelude::*;

use super::model::CopyStatus;
use crate::db::DbConnection;
use crate::schema::{
    catalogue_positions_version, components, copies, resource_audiences, resource_themes, resources,
};

/// A resource row.
#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = resources)]
pub struct ResourceRow {
    pub id: i64,
    pub producer_id: i64,
    pub kind: String,
    pub title: String,
    pub description: String,
    pub search_text: String,
    pub floor_area_m2: Option<f64>,
    pub weight_kg: Option<f64>,
    pub volume_m3: Option<f64>,
    pub crates: Option<i32>,
    pub setup_days: i32,
    pub turnaround_days: i32,
    pub production_cost_cents: Option<i64>,
    pub created_at: NaiveDateTime,
    pub updated_at: NaiveDateTime,
    pub deleted_at: Option<NaiveDateTime>,
}

/// Values of a new resource.
#[derive(Debug, Insertable)]
#[diesel(table_name = resources)]
pub struct ResourceInsert<'a> {
    pub producer_id: i64,
    pub kind: &'a str,
    pub title: &'a str,
    pub description: &'a str,
    pub search_text: &'a str,
    pub floor_area_m2: Option<f64>,
    pub weight_kg: Option<f64>,
    pub volume_m3: Option<f64>,
    pub crates: Option<i32>,
    pub setup_days: i32,
    pub turnaround_days: i32,
    pub production_cost_cents: Option<i64>,
    pub created_at: NaiveDateTime,
    pub updated_at: NaiveDateTime,
}

/// Changed values of a resource.
#[derive(Debug, Default, AsChangeset)]
#[diesel(table_name = resources)]
pub struct ResourceChanges {
    pub kind: Option<String>,
    pub title: Option<String>,
    pub description: Option<String>,
    pub search_text: Option<String>,
    pub floor_area_m2: Option<f64>,
    pub weight_kg: Option<f64>,
    pub volume_m3: Option<f64>,
    pub crates: Option<i32>,
    pub setup_days: Option<i32>,
    pub turnaround_days: Option<i32>,
    pub production_cost_cents: Option<i64>,
    pub updated_at: Option<NaiveDateTime>,
}

/// A copy row.
#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = copies)]
pub struct CopyRow {
    pub id: i64,
    pub resource_id: i64,
    pub producer_id: i64,
    pub asset_tag: String,
    pub home_commune_insee: String,
    pub status: CopyStatus,
    pub condition_grade: i32,
    pub latitude: f64,
    pub longitude: f64,
    pub retirement_reason: Option<String>,
    pub created_at: NaiveDateTime,
    pub updated_at: NaiveDateTime,
    /// Back from a loan and not yet inspected: not fit to be dispatched.
    pub needs_inspection: bool,
    pub retired_on: Option<chrono::NaiveDate>,
}

/// Values of a new copy.
#[derive(Debug, Insertable)]
#[diesel(table_name = copies)]
pub struct CopyInsert<'a> {
    pub resource_id: i64,
    pub producer_id: i64,
    pub asset_tag: &'a str,
    pub home_commune_insee: &'a str,
    pub status: &'a str,
    pub condition_grade: i32,
    pub latitude: f64,
    pub longitude: f64,
    pub created_at: NaiveDateTime,
    pub updated_at: NaiveDateTime,
}

/// Changed values of a copy.
#[derive(Debug, Default, AsChangeset)]
#[diesel(table_name = copies)]
pub struct CopyChanges {
    pub asset_tag: Option<String>,
    pub home_commune_insee: Option<String>,
    pub status: Option<String>,
    pub condition_grade: Option<i32>,
    pub retirement_reason: Option<Option<String>>,
    pub updated_at: Option<NaiveDateTime>,
}

/// A component row.
#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = components)]
pub struct ComponentRow {
    pub id: i64,
    pub resource_id: i64,
    pub name: String,
    pub quantity: i32,
    pub created_at: NaiveDateTime,
    pub unit_cost_cents: i64,
}

/// Inserts a resource with its themes and audiences.
pub fn insert_resource(
    conn: &mut DbConnection,
    new: &ResourceInsert<'_>,
    themes: &[&str],
    audiences: &[&str],
) -> QueryResult<ResourceRow> {
    let row: ResourceRow = diesel::insert_into(resources::table)
        .values(new)
        .returning(resources::all_columns)
        .get_result(conn)?;
    replace_tags(conn, row.id, Some(themes), Some(audiences))?;
    Ok(row)
}

/// Replaces the themes and/or audiences of a resource.
pub fn replace_tags(
    conn: &mut DbConnection,
    resource_id: i64,
    themes: Option<&[&str]>,
    audiences: Option<&[&str]>,
) -> QueryResult<()> {
    if let Some(themes) = themes {
        diesel::delete(resource_themes::table.filter(resource_themes::resource_id.eq(resource_id)))
            .execute(conn)?;
        for theme in themes {
            diesel::insert_into(resource_themes::table)
                .values((
                    resource_themes::resource_id.eq(resource_id),
                    resource_themes::theme.eq(*theme),
                ))
                .execute(conn)?;
        }
    }
    if let Some(audiences) = audiences {
        diesel::delete(
            resource_audiences::table.filter(resource_audiences::resource_id.eq(resource_id)),
        )
        .execute(conn)?;
        for audience in audiences {
            diesel::insert_into(resource_audiences::table)
                .values((
                    resource_audiences::resource_id.eq(resource_id),
                    resource_audiences::audience.eq(*audience),
                ))
                .execute(conn)?;
        }
    }
    Ok(())
}

/// A resource, deleted or not: documents of past loans still name what was lent.
pub fn find_resource(conn: &mut DbConnection, id: i64) -> QueryResult<Option<ResourceRow>> {
    resources::table
        .find(id)
        .select(ResourceRow::as_select())
        .first(conn)
        .optional()
}

/// A resource that is not deleted.
pub fn find_live_resource(conn: &mut DbConnection, id: i64) -> QueryResult<Option<ResourceRow>> {
    resources::table
        .find(id)
        .filter(resources::deleted_at.is_null())
        .select(ResourceRow::as_select())
        .first(conn)
        .optional()
}

/// The titles of resources by id, deleted ones included, in one query (lists of loans show what
/// each lent, a resource removed since included).
pub fn titles(conn: &mut DbConnection, ids: &[i64]) -> QueryResult<HashMap<i64, String>> {
    if ids.is_empty() {
        return Ok(HashMap::new());
    }
    Ok(resources::table
        .filter(resources::id.eq_any(ids))
        .select((resources::id, resources::title))
        .load::<(i64, String)>(conn)?
        .into_iter()
        .collect())
}

/// The asset tags of these copies, by id, in one query.
pub fn asset_tags(conn: &mut DbConnection, ids: &[i64]) -> QueryResult<HashMap<i64, String>> {
    if ids.is_empty() {
        return Ok(HashMap::new());
    }
    Ok(copies::table
        .filter(copies::id.eq_any(ids))
        .select((copies::id, copies::asset_tag))
        .load::<(i64, String)>(conn)?
        .into_iter()
        .collect())
}

/// A live resource by producer and exact title (demo data uses it to stay idempotent).
pub fn find_by_title(
    conn: &mut DbConnection,
    producer_id: i64,
    title: &str,
) -> QueryResult<Option<ResourceRow>> {
    resources::table
        .filter(resources::producer_id.eq(producer_id))
        .filter(resources::title.eq(title))
        .filter(resources::deleted_at.is_null())
        .select(ResourceRow::as_select())
        .first(conn)
        .optional()
}

/// Applies changes to a resource.
pub fn update_resource(
    conn: &mut DbConnection,
    id: i64,
    changes: &ResourceChanges,
) -> QueryResult<ResourceRow> {
    diesel::update(resources::table.find(id))
        .set(changes)
        .returning(resources::all_columns)
        .get_result(conn)
}

/// Soft-deletes a resource: the row stays for the bookings and invoices that name it.
pub fn soft_delete_resource(
    conn: &mut DbConnection,
    id: i64,
    now: NaiveDateTime,
) -> QueryResult<usize> {
    diesel::update(
        resources::table
            .find(id)
            .filter(resources::deleted_at.is_null()),
    )
    .set((
        resources::deleted_at.eq(Some(now)),
        resources::updated_at.eq(now),
    ))
    .execute(conn)
}

/// Themes, audiences and copies in service of the given resources, keyed by resource id.
#[derive(Debug, Default, PartialEq)]
pub struct ResourceExtras {
    pub themes: HashMap<i64, Vec<String>>,
    pub audiences: HashMap<i64, Vec<String>>,
    pub copies_in_service: HashMap<i64, i64>,
}

/// Loads the tags and copy counts of a page of resources in three queries.
pub fn load_extras(conn: &mut DbConnection, ids: &[i64]) -> QueryResult<ResourceExtras> {
    let mut themes: HashMap<i64, Vec<String>> = HashMap::new();
    for (id, theme) in resource_themes::table
        .filter(resource_themes::resource_id.eq_any(ids))
        .select((resource_themes::resource_id, resource_themes::theme))
        .order((resource_themes::resource_id, resource_themes::theme))
        .load::<(i64, String)>(conn)?
    {
        themes.entry(id).or_default().push(theme);
    }
    let mut audiences: HashMap<i64, Vec<String>> = HashMap::new();
    for (id, audience) in resource_audiences::table
        .filter(resource_audiences::resource_id.eq_any(ids))
        .select((
            resource_audiences::resource_id,
            resource_audiences::audience,
        ))
        .order((
            resource_audiences::resource_id,
            resource_audiences::audience,
        ))
        .load::<(i64, String)>(conn)?
    {
        audiences.entry(id).or_default().push(audience);
    }
    let copies_in_service = copies::table
        .filter(copies::resource_id.eq_any(ids))
        .filter(copies::status.ne(CopyStatus::Retired))
        .group_by(copies::resource_id)
        .select((copies::resource_id, diesel::dsl::count_star()))
        .load::<(i64, i64)>(conn)?
        .into_iter()
        .collect();
    Ok(ResourceExtras {
        themes,
        audiences,
        copies_in_service,
    })
}

/// Inserts a copy.
pub fn insert_copy(conn: &mut DbConnection, new: &CopyInsert<'_>) -> QueryResult<CopyRow> {
    diesel::insert_into(copies::table)
        .values(new)
        .returning(copies::all_columns)
        .get_result(conn)
}

/// One copy.
pub fn find_copy(conn: &mut DbConnection, id: i64) -> QueryResult<Option<CopyRow>> {
    copies::table
        .find(id)
        .select(CopyRow::as_select())
        .first(conn)
        .optional()
}

/// A copy as it is now, as events keep it (`outbox` snapshot); `None` when there is no such copy.
pub fn copy_snapshot(
    conn: &mut DbConnection,
    id: i64,
) -> QueryResult<Option<super::model::CopySnapshot>> {
    Ok(find_copy(conn, id)?.map(|c| super::model::CopySnapshot {
        id: c.id,
        resource_id: c.resource_id,
        producer_id: c.producer_id,
        asset_tag: c.asset_tag,
        status: c.status,
    }))
}

/// A copy by producer and asset tag.
pub fn find_copy_by_tag(
    conn: &mut DbConnection,
    producer_id: i64,
    asset_tag: &str,
) -> QueryResult<Option<CopyRow>> {
    copies::table
        .filter(copies::producer_id.eq(producer_id))
        .filter(copies::asset_tag.eq(asset_tag))
        .select(CopyRow::as_select())
        .first(conn)
        .optional()
}

/// The copies of a resource, by id.
pub fn list_copies(conn: &mut DbConnection, resource_id: i64) -> QueryResult<Vec<CopyRow>> {
    copies::table
        .filter(copies::resource_id.eq(resource_id))
        .select(CopyRow::as_select())
        .order(copies::id.asc())
        .load(conn)
}

/// The live resources among `resource_ids`, and their copies by resource and id, in two queries
/// whatever their number: what a list of results needs to show each one's free days.
pub fn copies_of_live(
    conn: &mut DbConnection,
    resource_ids: &[i64],
) -> QueryResult<(Vec<i64>, Vec<CopyRow>)> {
    if resource_ids.is_empty() {
        return Ok((Vec::new(), Vec::new()));
    }
    let live = resources::table
        .filter(resources::id.eq_any(resource_ids))
        .filter(resources::deleted_at.is_null())
        .select(resources::id)
        .load(conn)?;
    let copies = copies::table
        .filter(copies::resource_id.eq_any(&live))
        .select(CopyRow::as_select())
        .order((copies::resource_id.asc(), copies::id.asc()))
        .load(conn)?;
    Ok((live, copies))
}

/// The copies of a resource with the coordinates of their depot commune.
pub fn copies_with_depot(
    conn: &mut DbConnection,
    resource_id: i64,
) -> QueryResult<Vec<(CopyRow, f64, f64)>> {
    use crate::schema::communes;
    copies::table
        .inner_join(communes::table.on(communes::insee_code.eq(copies::home_commune_insee)))
        .filter(copies::resource_id.eq(resource_id))
        .select((
            CopyRow::as_select(),
            communes::latitude,
            communes::longitude,
        ))
        .order(copies::id.asc())
        .load(conn)
}

/// Sets a copy's status and, when given, where it now is.
pub fn move_copy(
    conn: &mut DbConnection,
    id: i64,
    status: &str,
    position: Option<(f64, f64)>,
    now: NaiveDateTime,
) -> QueryResult<usize> {
    match position {
        Some((lat, lon)) => diesel::update(copies::table.find(id))
            .set((
                copies::status.eq(status),
                copies::latitude.eq(lat),
                copies::longitude.eq(lon),
                copies::updated_at.eq(now),
            ))
            .execute(conn),
        None => diesel::update(copies::table.find(id))
            .set((copies::status.eq(status), copies::updated_at.eq(now)))
            .execute(conn),
    }
}

/// Sets a copy's condition grade (each condition report and maintenance does).
pub fn set_grade(
    conn: &mut DbConnection,
    id: i64,
    grade: i32,
    now: NaiveDateTime,
) -> QueryResult<usize> {
    diesel::update(copies::table.find(id))
        .set((
            copies::condition_grade.eq(grade),
            copies::updated_at.eq(now),
        ))
        .execute(conn)
}

/// Shows a copy in maintenance if it is idle (not on loan, travelling or retired).
pub fn enter_maintenance(
    conn: &mut DbConnection,
    id: i64,
    now: NaiveDateTime,
) -> QueryResult<usize> {
    diesel::update(
        copies::table
            .find(id)
            .filter(copies::status.eq(CopyStatus::Available)),
    )
    .set((
        copies::status.eq(CopyStatus::Maintenance),
        copies::updated_at.eq(now),
    ))
    .execute(conn)
}

/// Retires a copy for good.
pub fn retire(
    conn: &mut DbConnection,
    id: i64,
    reason: &str,
    now: NaiveDateTime,
) -> QueryResult<usize> {
    diesel::update(copies::table.find(id))
        .set((
            copies::status.eq(CopyStatus::Retired),
            copies::retirement_reason.eq(Some(reason)),
            copies::retired_on.eq(Some(now.date())),
            copies::updated_at.eq(now),
        ))
        .execute(conn)
}

/// Every copy of a producer's live resources with the resource title and depot coordinates.
pub fn fleet_copies(
    conn: &mut DbConnection,
    producer_id: i64,
) -> QueryResult<Vec<(CopyRow, String, f64, f64)>> {
    use crate::schema::communes;
    copies::table
        .inner_join(resources::table)
        .inner_join(communes::table.on(communes::insee_code.eq(copies::home_commune_insee)))
        .filter(copies::producer_id.eq(producer_id))
        .filter(resources::deleted_at.is_null())
        .select((
            CopyRow::as_select(),
            resources::title,
            communes::latitude,
            communes::longitude,
        ))
        .order(copies::id.asc())
        .load(conn)
}

/// Marks a copy as awaiting (or cleared by) an inspection.
pub fn set_needs_inspection(
    conn: &mut DbConnection,
    id: i64,
    needs: bool,
    now: NaiveDateTime,
) -> QueryResult<usize> {
    diesel::update(copies::table.find(id))
        .set((
            copies::needs_inspection.eq(needs),
            copies::updated_at.eq(now),
        ))
        .execute(conn)
}

/// Applies changes to a copy.
pub fn update_copy(
    conn: &mut DbConnection,
    id: i64,
    changes: &CopyChanges,
) -> QueryResult<CopyRow> {
    diesel::update(copies::table.find(id))
        .set(changes)
        .returning(copies::all_columns)
        .get_result(conn)
}

/// Inserts a component.
pub fn insert_component(
    conn: &mut DbConnection,
    resource_id: i64,
    name: &str,
    quantity: i32,
    unit_cost_cents: i64,
    now: NaiveDateTime,
) -> QueryResult<ComponentRow> {
    diesel::insert_into(components::table)
        .values((
            components::resource_id.eq(resource_id),
            components::name.eq(name),
            components::quantity.eq(quantity),
            components::unit_cost_cents.eq(unit_cost_cents),
            components::created_at.eq(now),
        ))
        .returning(components::all_columns)
        .get_result(conn)
}

/// Changes a component of a resource; `None` when the resource has no such component.
pub fn update_component(
    conn: &mut DbConnection,
    resource_id: i64,
    component_id: i64,
    quantity: i32,
    unit_cost_cents: i64,
) -> QueryResult<Option<ComponentRow>> {
    diesel::update(
        components::table
            .find(component_id)
            .filter(components::resource_id.eq(resource_id)),
    )
    .set((
        components::quantity.eq(quantity),
        components::unit_cost_cents.eq(unit_cost_cents),
    ))
    .returning(components::all_columns)
    .get_result(conn)
    .optional()
}

/// The components of a resource, by id.
pub fn list_components(
    conn: &mut DbConnection,
    resource_id: i64,
) -> QueryResult<Vec<ComponentRow>> {
    components::table
        .filter(components::resource_id.eq(resource_id))
        .select(ComponentRow::as_select())
        .order(components::id.asc())
        .load(conn)
}

/// The database's epoch and the version of the copies' positions (see
/// [`super::positions`]): one primary-key lookup before every proximity search.
pub fn positions_version(conn: &mut DbConnection) -> QueryResult<(String, i64)> {
    catalogue_positions_version::table
        .filter(catalogue_positions_version::id.eq(1))
        .select((
            catalogue_positions_version::epoch,
            catalogue_positions_version::version,
        ))
        .first(conn)
}

/// What search filters on (see [`super::index`]): every live resource's facts, its themes and
/// audiences, its copies in service and whether each can be lent, read after the catalogue's
/// version (so the facts are at least that new).
pub fn load_search_facts(conn: &mut DbConnection) -> QueryResult<super::index::SearchFacts> {
    use super::index::{CopyFacts, SearchFacts};
    use crate::schema::maintenance_records;
    let (_, version) = positions_version(conn)?;
    let live: Vec<(i64, String, i64, String)> = resources::table
        .filter(resources::deleted_at.is_null())
        .select((
            resources::id,
            resources::kind,
            resources::producer_id,
            resources::search_text,
        ))
        .load(conn)?;
    let themes: Vec<(i64, String)> = resource_themes::table
        .select((resource_themes::resource_id, resource_themes::theme))
        .load(conn)?;
    let audiences: Vec<(i64, String)> = resource_audiences::table
        .select((
            resource_audiences::resource_id,
            resource_audiences::audience,
        ))
        .load(conn)?;
    // Open-ended repairs (not completed, no end) keep a copy from being lent whatever its status.
    let under_repair: std::collections::HashSet<i64> = maintenance_records::table
        .filter(maintenance_records::completed_at.is_null())
        .filter(maintenance_records::ends_on.is_null())
        .select(maintenance_records::copy_id)
        .load::<i64>(conn)?
        .into_iter()
        .collect();
    let in_service: Vec<(i64, i64, f64, f64, CopyStatus)> = copies::table
        .filter(copies::status.ne(CopyStatus::Retired))
        .select((
            copies::id,
            copies::resource_id,
            copies::latitude,
            copies::longitude,
            copies::status,
        ))
        .load(conn)?;
    let copies = in_service
        .into_iter()
        .map(|(id, resource_id, lat, lon, status)| CopyFacts {
            id,
            resource_id,
            lat,
            lon,
            lendable: !CopyStatus::OUT_OF_SERVICE.contains(&status) && !under_repair.contains(&id),
        })
        .collect();
    Ok(SearchFacts::new(version, live, themes, audiences, copies))
}

#[derive(QueryableByName)]
struct Horizon {
    #[diesel(sql_type = diesel::sql_types::BigInt)]
    horizon: i64,
}

#[derive(QueryableByName)]
struct ChangedCopy {
    #[diesel(sql_type = diesel::sql_types::BigInt)]
    horizon: i64,
    #[diesel(sql_type = diesel::sql_types::Nullable<diesel::sql_types::BigInt>)]
    copy_id: Option<i64>,
}

/// Where the log of occupation changes stands now: on PostgreSQL the oldest transaction still
/// running (every change by an older one is committed and visible from here on); on SQLite,
/// where one writer commits at a time, the last change's id.
fn occupancy_horizon(conn: &mut DbConnection) -> QueryResult<i64> {
    let sql = match conn {
        DbConnection::Postgres(_) => {
            "SELECT pg_snapshot_xmin(pg_current_snapshot())::text::bigint AS horizon"
        }
        DbConnection::Sqlite(_) => "SELECT COALESCE(MAX(id), 0) AS horizon FROM occupation_changes",
    };
    Ok(diesel::sql_query(sql).get_result::<Horizon>(conn)?.horizon)
}

/// Every active occupation (bookings and maintenance) as (copy, first day, last day), and the
/// log's horizon taken before them, for [`occupancy_changes`] to go on from.
pub fn load_occupancy(conn: &mut DbConnection) -> QueryResult<(i64, Vec<super::index::Occupied>)> {
    use crate::schema::occupations;
    let horizon = occupancy_horizon(conn)?;
    let rows = occupations::table
        .filter(occupations::active.eq(true))
        .select((
            occupations::copy_id,
            occupations::starts_on,
            occupations::ends_on,
        ))
        .load(conn)?;
    Ok((horizon, rows))
}

/// The copies whose occupations changed since `horizon` (from [`load_occupancy`] or an earlier
/// call), and the new horizon, in one statement (one snapshot). On PostgreSQL the changes of
/// transactions from the old horizon's on are read again — some twice, none missed.
pub fn occupancy_changes(conn: &mut DbConnection, horizon: i64) -> QueryResult<(i64, Vec<i64>)> {
    let sql = match conn {
        DbConnection::Postgres(_) => {
            "SELECT pg_snapshot_xmin(pg_current_snapshot())::text::bigint AS horizon, c.copy_id \
             FROM (SELECT 1) AS one LEFT JOIN \
             (SELECT DISTINCT copy_id FROM occupation_changes WHERE tx >= $1) AS c ON true"
        }
        DbConnection::Sqlite(_) => {
            "SELECT (SELECT COALESCE(MAX(id), 0) FROM occupation_changes) AS horizon, c.copy_id \
             FROM (SELECT 1) AS one LEFT JOIN \
             (SELECT DISTINCT copy_id FROM occupation_changes WHERE id > ?) AS c ON 1"
        }
    };
    let rows: Vec<ChangedCopy> = diesel::sql_query(sql)
        .bind::<diesel::sql_types::BigInt, _>(horizon)
        .load(conn)?;
    let new_horizon = rows.first().map_or(horizon, |r| r.horizon);
    Ok((
        new_horizon,
        rows.into_iter().filter_map(|r| r.copy_id).collect(),
    ))
}

/// The active occupations of `copy_ids`, as (copy, first day, last day).
pub fn active_occupations_of(
    conn: &mut DbConnection,
    copy_ids: &[i64],
) -> QueryResult<Vec<super::index::Occupied>> {
    use crate::schema::occupations;
    let mut rows = Vec::new();
    for chunk in copy_ids.chunks(500) {
        rows.extend(
            occupations::table
                .filter(occupations::copy_id.eq_any(chunk))
                .filter(occupations::active.eq(true))
                .select((
                    occupations::copy_id,
                    occupations::starts_on,
                    occupations::ends_on,
                ))
                .load::<super::index::Occupied>(conn)?,
        );
    }
    Ok(rows)
}

/// Forgets occupation changes older than a day (by the database's own clock, which stamped
/// them). Instances look at the log far more often; one that has not looked for six hours reads
/// every occupation again instead.
pub fn prune_occupancy_changes(conn: &mut DbConnection) -> QueryResult<usize> {
    let sql = match conn {
        DbConnection::Postgres(_) => {
            "DELETE FROM occupation_changes \
             WHERE changed_at < (now() AT TIME ZONE 'UTC') - interval '1 day'"
        }
        DbConnection::Sqlite(_) => {
            "DELETE FROM occupation_changes WHERE changed_at < datetime('now', '-1 day')"
        }
    };
    diesel::sql_query(sql).execute(conn)
}

/// The rows of these resources, by id (a search's page).
pub fn resource_rows(
    conn: &mut DbConnection,
    ids: &[i64],
) -> QueryResult<HashMap<i64, ResourceRow>> {
    Ok(resources::table
        .filter(resources::id.eq_any(ids))
        .select(ResourceRow::as_select())
        .load::<ResourceRow>(conn)?
        .into_iter()
        .map(|r| (r.id, r))
        .collect())
}

/// A resource's id, title, production cost and whether it is live.
pub type ProductionCost = (i64, String, Option<i64>, bool);

/// Every resource of a producer, withdrawn ones too, by id (revenue reports it).
pub fn production_costs_of(
    conn: &mut DbConnection,
    producer_id: i64,
) -> QueryResult<Vec<ProductionCost>> {
    resources::table
        .filter(resources::producer_id.eq(producer_id))
        .select((
            resources::id,
            resources::title,
            resources::production_cost_cents,
            resources::deleted_at.is_null(),
        ))
        .order(resources::id.asc())
        .load(conn)
}

/// Every live resource, by id: its id, producer and production cost (demo data prices them).
pub fn live_resources(conn: &mut DbConnection) -> QueryResult<Vec<(i64, i64, Option<i64>)>> {
    resources::table
        .filter(resources::deleted_at.is_null())
        .select((
            resources::id,
            resources::producer_id,
            resources::production_cost_cents,
        ))
        .order(resources::id.asc())
        .load(conn)
}
