//! Catalogue rules: who writes what, validation with field-level errors, soft deletion, copies
//! and components.

use chrono::NaiveDateTime;

use super::model::{
    Audience, Component, ComponentPatch, Copy, CopyPatch, CopyStatus, NewComponent, NewCopy,
    NewResource, Resource, ResourceKind, ResourcePage, ResourcePatch, Theme,
};
use super::search::{self, SearchFilter};
use super::store::{
    self, ComponentRow, CopyChanges, CopyInsert, CopyRow, ResourceChanges, ResourceInsert,
    ResourceRow,
};
use crate::access::{policy, Principal};
use crate::db::{write_transaction, DbConnection};
use crate::error::{Error, Result, Validator};
use crate::organization::model::stored;
use crate::organization::{store as orgs, OrgKind};
use crate::territory::store as territory;

/// Longest title.
const MAX_TITLE: usize = 200;
/// Longest description.
const MAX_DESCRIPTION: usize = 10_000;

/// Checks a list of vocabulary values, reporting each bad one against its index.
fn check_vocabulary<T: std::str::FromStr<Err = String> + PartialEq>(
    v: &mut Validator,
    field: &str,
    values: &[String],
) -> Vec<T> {
    let mut parsed: Vec<T> = Vec::new();
    for (i, value) in values.iter().enumerate() {
        match value.parse::<T>() {
            Ok(t) if !parsed.contains(&t) => parsed.push(t),
            Ok(_) => v.add(&format!("{field}[{i}]"), "listed twice"),
            Err(e) => v.add(&format!("{field}[{i}]"), e),
        }
    }
    parsed
}

fn check_non_negative(v: &mut Validator, field: &str, value: Option<f64>) {
    if let Some(x) = value {
        v.check(x.is_finite() && x >= 0.0, field, "must not be negative");
    }
}

/// Field checks shared by creation and update (fields absent from a patch are skipped).
struct ResourceFields<'a> {
    kind: Option<&'a str>,
    title: Option<&'a str>,
    description: Option<&'a str>,
    themes: Option<&'a [String]>,
    audiences: Option<&'a [String]>,
    floor_area_m2: Option<f64>,
    weight_kg: Option<f64>,
    volume_m3: Option<f64>,
    crates: Option<i32>,
    setup_days: Option<i32>,
    turnaround_days: Option<i32>,
    production_cost_cents: Option<i64>,
}

/// Parsed vocabularies of a valid resource body.
struct CheckedTags {
    themes: Option<Vec<Theme>>,
    audiences: Option<Vec<Audience>>,
}

fn check_resource(v: &mut Validator, f: &ResourceFields<'_>) -> CheckedTags {
    if let Some(kind) = f.kind {
        if let Err(e) = kind.parse::<ResourceKind>() {
            v.add("kind", e);
        }
    }
    if let Some(title) = f.title {
        v.name("title", title, MAX_TITLE);
    }
    if let Some(description) = f.description {
        v.at_most_chars("description", description, MAX_DESCRIPTION);
    }
    let themes = f.themes.map(|t| {
        if t.is_empty() {
            v.add("themes", "give at least one theme");
        }
        check_vocabulary::<Theme>(v, "themes", t)
    });
    let audiences = f.audiences.map(|a| {
        if a.is_empty() {
            v.add("audiences", "give at least one audience");
        }
        check_vocabulary::<Audience>(v, "audiences", a)
    });
    check_non_negative(v, "floor_area_m2", f.floor_area_m2);
    check_non_negative(v, "weight_kg", f.weight_kg);
    check_non_negative(v, "volume_m3", f.volume_m3);
    if let Some(crates) = f.crates {
        v.check(crates >= 0, "crates", "must not be negative");
    }
    v.in_range("setup_days", f.setup_days, 0..=30);
    v.in_range("turnaround_days", f.turnaround_days, 0..=60);
    if let Some(cost) = f.production_cost_cents {
        crate::money::check_cents(v, "production_cost_cents", cost);
    }
    CheckedTags { themes, audiences }
}

fn search_text(title: &str, description: &str) -> String {
    crate::text::fold(&format!("{title} {description}"))
}

/// Turns rows into API resources with their tags and copy counts (three queries per page).
fn present(
    conn: &mut DbConnection,
    rows: Vec<(ResourceRow, Option<f64>)>,
) -> Result<Vec<Resource>> {
    let ids: Vec<i64> = rows.iter().map(|(r, _)| r.id).collect();
    let mut extras = store::load_extras(conn, &ids)?;
    present_with(rows, &mut extras)
}

/// [`present`] with the themes, audiences and copy counts already at hand.
fn present_with(
    rows: Vec<(ResourceRow, Option<f64>)>,
    extras: &mut store::ResourceExtras,
) -> Result<Vec<Resource>> {
    rows.into_iter()
        .map(|(row, distance)| {
            let themes = extras
                .themes
                .remove(&row.id)
                .unwrap_or_default()
                .iter()
                .map(|t| stored(t))
                .collect::<Result<Vec<Theme>>>()?;
            let audiences = extras
                .audiences
                .remove(&row.id)
                .unwrap_or_default()
                .iter()
                .map(|a| stored(a))
                .collect::<Result<Vec<Audience>>>()?;
            Ok(Resource {
                id: row.id,
                producer_id: row.producer_id,
                kind: stored(&row.kind)?,
                title: row.title,
                description: row.description,
                themes,
                audiences,
                floor_area_m2: row.floor_area_m2,
                weight_kg: row.weight_kg,
                volume_m3: row.volume_m3,
                crates: row.crates,
                setup_days: row.setup_days,
                turnaround_days: row.turnaround_days,
                production_cost_cents: row.production_cost_cents,
                copies_in_service: extras.copies_in_service.get(&row.id).copied().unwrap_or(0),
                distance_km: distance.map(|d| (d * 1000.0).round() / 1000.0),
                created_at: row.created_at,
                updated_at: row.updated_at,
            })
        })
        .collect()
}

fn present_one(conn: &mut DbConnection, row: ResourceRow) -> Result<Resource> {
    present(conn, vec![(row, None)])?
        .pop()
        .ok_or_else(|| Error::Internal("resource vanished".into()))
}

fn live_resource(conn: &mut DbConnection, id: i64) -> Result<ResourceRow> {
    store::find_live_resource(conn, id)?.ok_or_else(|| Error::NotFound(format!("resource {id}")))
}

/// Publishes a resource in the producer's catalogue.
pub fn create_resource(
    conn: &mut DbConnection,
    p: &Principal,
    new: &NewResource,
    now: NaiveDateTime,
) -> Result<Resource> {
    let producer_id = match (p.kind, new.producer_id) {
        (_, Some(id)) => Some(id),
        (OrgKind::Agency, None) => None,
        (_, None) => Some(p.organization_id),
    };
    policy::write_catalogue(p, producer_id.unwrap_or(p.organization_id))?;
    let is_producer = match producer_id {
        Some(id) => {
            orgs::find_organization(conn, id)?.is_some_and(|o| o.kind == OrgKind::Producer.as_str())
        }
        None => false,
    };
    // Report a bad producer together with every other faulty field.
    let mut v = Validator::new();
    match producer_id {
        None => v.add(
            "producer_id",
            "the agency must name the producer that owns the resource",
        ),
        Some(_) if !is_producer => v.add("producer_id", "not a producer of the network"),
        Some(_) => {}
    }
    check_resource(&mut v, &resource_fields(new));
    v.finish()?;
    let producer_id =
        producer_id.ok_or_else(|| Error::Internal("validated producer missing".into()))?;
    write_transaction(conn, |conn| {
        let resource = insert_resource(conn, producer_id, new, now)?;
        audit_change(
            conn,
            p,
            crate::audit::AuditAction::ResourceCreated,
            resource.id,
            new,
            now,
        )?;
        Ok(resource)
    })
}

/// Records a change of the catalogue in the audit log, with the fields given.
fn audit_change(
    conn: &mut DbConnection,
    p: &Principal,
    action: crate::audit::AuditAction,
    id: i64,
    given: &impl serde::Serialize,
    now: NaiveDateTime,
) -> Result<()> {
    crate::audit::record(
        conn,
        p.actor(),
        action,
        id,
        &serde_json::to_value(given).unwrap_or_default(),
        now,
    )
}

fn resource_fields(new: &NewResource) -> ResourceFields<'_> {
    ResourceFields {
        kind: Some(&new.kind),
        title: Some(&new.title),
        description: Some(&new.description),
        themes: Some(&new.themes),
        audiences: Some(&new.audiences),
        floor_area_m2: new.floor_area_m2,
        weight_kg: new.weight_kg,
        volume_m3: new.volume_m3,
        crates: new.crates,
        setup_days: new.setup_days,
        turnaround_days: new.turnaround_days,
        production_cost_cents: new.production_cost_cents,
    }
}

/// Inserts a validated resource for a producer, without a caller (demo data uses it).
pub fn insert_resource(
    conn: &mut DbConnection,
    producer_id: i64,
    new: &NewResource,
    now: NaiveDateTime,
) -> Result<Resource> {
    let mut v = Validator::new();
    let tags = check_resource(&mut v, &resource_fields(new));
    v.finish()?;
    let themes: Vec<&str> = tags
        .themes
        .unwrap_or_default()
        .iter()
        .map(|t| t.as_str())
        .collect();
    let audiences: Vec<&str> = tags
        .audiences
        .unwrap_or_default()
        .iter()
        .map(|a| a.as_str())
        .collect();
    let title = new.title.trim();
    let description = new.description.trim();
    let row = write_transaction(conn, |conn| {
        store::insert_resource(
            conn,
            &ResourceInsert {
                producer_id,
                kind: &new.kind,
                title,
                description,
                search_text: &search_text(title, description),
                floor_area_m2: new.floor_area_m2,
                weight_kg: new.weight_kg,
                volume_m3: new.volume_m3,
                crates: new.crates,
                setup_days: new.setup_days.unwrap_or(0),
                turnaround_days: new.turnaround_days.unwrap_or(0),
                production_cost_cents: new.production_cost_cents,
                created_at: now,
                updated_at: now,
            },
            &themes,
            &audiences,
        )
    })?;
    present_one(conn, row)
}

/// One live resource (every authenticated caller may read the catalogue).
pub fn get_resource(conn: &mut DbConnection, id: i64) -> Result<Resource> {
    let row = live_resource(conn, id)?;
    present_one(conn, row)
}

/// The titles of resources by id (deleted ones too: a loan keeps showing what it lent), in one
/// query rather than a resource read per line of a list of loans.
pub fn titles(
    conn: &mut DbConnection,
    ids: &[i64],
) -> Result<std::collections::HashMap<i64, String>> {
    Ok(super::store::titles(conn, ids)?)
}

/// The asset tags of copies, by id, in one query (a list of loans names each one's copy).
pub fn asset_tags(
    conn: &mut DbConnection,
    ids: &[i64],
) -> Result<std::collections::HashMap<i64, String>> {
    Ok(super::store::asset_tags(conn, ids)?)
}

/// Changes a resource (its producer or the agency).
pub fn update_resource(
    conn: &mut DbConnection,
    p: &Principal,
    id: i64,
    patch: &ResourcePatch,
    now: NaiveDateTime,
) -> Result<Resource> {
    let current = live_resource(conn, id)?;
    policy::write_catalogue(p, current.producer_id)?;
    let mut v = Validator::new();
    let tags = check_resource(
        &mut v,
        &ResourceFields {
            kind: patch.kind.as_deref(),
            title: patch.title.as_deref(),
            description: patch.description.as_deref(),
            themes: patch.themes.as_deref(),
            audiences: patch.audiences.as_deref(),
            floor_area_m2: patch.floor_area_m2,
            weight_kg: patch.weight_kg,
            volume_m3: patch.volume_m3,
            crates: patch.crates,
            setup_days: patch.setup_days,
            turnaround_days: patch.turnaround_days,
            production_cost_cents: patch.production_cost_cents,
        },
    );
    v.finish()?;
    let title = patch
        .title
        .as_deref()
        .map(str::trim)
        .unwrap_or(&current.title);
    let description = patch
        .description
        .as_deref()
        .map(str::trim)
        .unwrap_or(&current.description);
    let changes = ResourceChanges {
        kind: patch.kind.clone(),
        title: patch.title.as_ref().map(|t| t.trim().to_string()),
        description: patch.description.as_ref().map(|d| d.trim().to_string()),
        search_text: Some(search_text(title, description)),
        floor_area_m2: patch.floor_area_m2,
        weight_kg: patch.weight_kg,
        volume_m3: patch.volume_m3,
        crates: patch.crates,
        setup_days: patch.setup_days,
        turnaround_days: patch.turnaround_days,
        production_cost_cents: patch.production_cost_cents,
        updated_at: Some(now),
    };
    let themes: Option<Vec<&str>> = tags
        .themes
        .as_ref()
        .map(|t| t.iter().map(|x| x.as_str()).collect());
    let audiences: Option<Vec<&str>> = tags
        .audiences
        .as_ref()
        .map(|a| a.iter().map(|x| x.as_str()).collect());
    let row = write_transaction(conn, |conn| {
        let row = store::update_resource(conn, id, &changes)?;
        store::replace_tags(conn, id, themes.as_deref(), audiences.as_deref())?;
        audit_change(
            conn,
            p,
            crate::audit::AuditAction::ResourceUpdated,
            id,
            patch,
            now,
        )?;
        Ok::<_, Error>(row)
    })?;
    present_one(conn, row)
}

/// Withdraws a resource from the catalogue. The row is kept (soft delete) for the bookings,
/// invoices and history that refer to it; it disappears from search and reads.
pub fn delete_resource(
    conn: &mut DbConnection,
    p: &Principal,
    id: i64,
    now: NaiveDateTime,
) -> Result<()> {
    let current = live_resource(conn, id)?;
    policy::write_catalogue(p, current.producer_id)?;
    write_transaction(conn, |conn| {
        store::soft_delete_resource(conn, id, now)?;
        audit_change(
            conn,
            p,
            crate::audit::AuditAction::ResourceDeleted,
            id,
            &serde_json::json!({}),
            now,
        )
    })?;
    Ok(())
}

/// Brings this instance's search index (facts and occupations, see [`super::index`]) up to
/// date: run by the background jobs on every tick, so that the first dated search after a start
/// or a quiet night does not wait for a million occupations, and the index never goes stale.
pub fn refresh_search_index(conn: &mut DbConnection, today: chrono::NaiveDate) -> Result<()> {
    search::search(
        conn,
        &SearchFilter {
            available: Some((today, today)),
            limit: 1,
            ..SearchFilter::default()
        },
    )?;
    Ok(())
}

/// Keeps the log of occupation changes that dated search reads (see [`super::index`]) to a
/// day: run by the background jobs on every instance (deleting twice is harmless).
pub fn prune_search_log(conn: &mut DbConnection) -> Result<usize> {
    Ok(super::store::prune_occupancy_changes(conn)?)
}

/// Searches the catalogue: the API's search and the portal's (which sets `origin` to the
/// user's venue, see [`SearchFilter::near_venue`]).
pub fn search_resources(conn: &mut DbConnection, filter: &SearchFilter) -> Result<ResourcePage> {
    let page = search::search(conn, filter)?;
    let mut extras = page.extras;
    let mut show = |conn: &mut DbConnection, rows| match extras.as_mut() {
        Some(extras) => present_with(rows, extras),
        None => present(conn, rows),
    };
    let nearest_beyond = match page.nearest_beyond {
        None => None,
        Some((row, d)) => show(conn, vec![(row, Some(d))])?.pop(),
    };
    Ok(ResourcePage {
        items: show(conn, page.rows)?,
        next_cursor: page.next.map(|c| c.encode()),
        total: page.total,
        nearest_beyond,
    })
}

impl TryFrom<CopyRow> for Copy {
    type Error = Error;
    fn try_from(row: CopyRow) -> Result<Copy> {
        Ok(Copy {
            id: row.id,
            resource_id: row.resource_id,
            producer_id: row.producer_id,
            asset_tag: row.asset_tag,
            home_commune_insee: row.home_commune_insee,
            status: row.status,
            condition_grade: row.condition_grade,
            latitude: row.latitude,
            longitude: row.longitude,
            retirement_reason: row.retirement_reason,
            created_at: row.created_at,
            updated_at: row.updated_at,
        })
    }
}

fn check_asset_tag(v: &mut Validator, tag: &str) {
    let ok = !tag.is_empty()
        && tag.len() <= 64
        && tag
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.' | '/'));
    v.check(
        ok,
        "asset_tag",
        "must be 1–64 letters, digits, '-', '_', '.' or '/'",
    );
}

fn tag_taken(tag: &str) -> Error {
    Error::conflict(
        crate::error::Code::AssetTagTaken,
        format!("this producer already has a copy tagged {tag}"),
    )
}

/// Adds a physical copy; it starts at its depot (the home commune).
pub fn create_copy(
    conn: &mut DbConnection,
    p: &Principal,
    resource_id: i64,
    new: &NewCopy,
    now: NaiveDateTime,
) -> Result<Copy> {
    let resource = live_resource(conn, resource_id)?;
    policy::write_catalogue(p, resource.producer_id)?;
    write_transaction(conn, |conn| {
        let copy = insert_copy(conn, &resource, new, now)?;
        audit_change(
            conn,
            p,
            crate::audit::AuditAction::CopyCreated,
            copy.id,
            new,
            now,
        )?;
        Ok(copy)
    })
}

/// Inserts a validated copy of a resource, without a caller (demo data uses it).
pub fn insert_copy(
    conn: &mut DbConnection,
    resource: &ResourceRow,
    new: &NewCopy,
    now: NaiveDateTime,
) -> Result<Copy> {
    let tag = new.asset_tag.trim();
    let mut v = Validator::new();
    check_asset_tag(&mut v, tag);
    let grade = new.condition_grade.unwrap_or(5);
    v.in_range("condition_grade", Some(grade), 1..=5);
    let home = match &new.home_commune_insee {
        Some(code) => territory::find(conn, code)?,
        None => {
            let producer = orgs::find_organization(conn, resource.producer_id)?
                .ok_or_else(|| Error::Internal("resource without producer".into()))?;
            territory::find(conn, &producer.commune_insee)?
        }
    };
    if home.is_none() {
        v.add(
            "home_commune_insee",
            "no commune of the region has this INSEE code",
        );
    }
    v.finish()?;
    let home = home.ok_or_else(|| Error::invalid("home_commune_insee", "unknown commune"))?;
    let row = write_transaction(conn, |conn| {
        if store::find_copy_by_tag(conn, resource.producer_id, tag)?.is_some() {
            return Err(tag_taken(tag));
        }
        Ok(store::insert_copy(
            conn,
            &CopyInsert {
                resource_id: resource.id,
                producer_id: resource.producer_id,
                asset_tag: tag,
                home_commune_insee: &home.insee_code,
                status: CopyStatus::Available.as_str(),
                condition_grade: grade,
                latitude: home.latitude,
                longitude: home.longitude,
                created_at: now,
                updated_at: now,
            },
        )?)
    })?;
    row.try_into()
}

/// A copy of a live resource (copies of a withdrawn resource are gone with it).
fn live_copy(conn: &mut DbConnection, id: i64) -> Result<CopyRow> {
    let copy = store::find_copy(conn, id)?.ok_or_else(|| Error::NotFound(format!("copy {id}")))?;
    store::find_live_resource(conn, copy.resource_id)?
        .ok_or_else(|| Error::NotFound(format!("copy {id}")))?;
    Ok(copy)
}

/// One copy.
pub fn get_copy(conn: &mut DbConnection, id: i64) -> Result<Copy> {
    live_copy(conn, id)?.try_into()
}

/// The copies of a live resource, retired ones included (they carry their history).
pub fn list_copies(conn: &mut DbConnection, resource_id: i64) -> Result<Vec<Copy>> {
    live_resource(conn, resource_id)?;
    store::list_copies(conn, resource_id)?
        .into_iter()
        .map(Copy::try_from)
        .collect()
}

/// A checked change of a copy, not yet written: the catalogue's fields, and the service status
/// the caller asked for. Service status is condition's transition (retirement, maintenance,
/// return to service), so condition applies both in one transaction
/// (`condition::service::update_copy`); the catalogue only checks and writes its own fields.
#[derive(Debug)]
pub struct CopyUpdate {
    /// The copy.
    pub id: i64,
    /// Its status before the change.
    pub current_status: CopyStatus,
    /// The status asked for, when it differs from the current one.
    pub status_change: Option<CopyStatus>,
    /// The grade the copy has after the change (asked for, or kept).
    pub grade: i32,
    /// The retirement reason asked for, trimmed.
    pub retirement_reason: Option<String>,
    producer_id: i64,
    changes: CopyChanges,
    audited: serde_json::Value,
}

/// Checks a change of a copy's tag, depot, grade or service status (its producer or the agency):
/// authorization and every field, before anything is written.
pub fn check_copy_update(
    conn: &mut DbConnection,
    p: &Principal,
    id: i64,
    patch: &CopyPatch,
    now: chrono::NaiveDateTime,
) -> Result<CopyUpdate> {
    let current = live_copy(conn, id)?;
    policy::write_catalogue(p, current.producer_id)?;
    let current_status: CopyStatus = current.status;
    let mut v = Validator::new();
    if let Some(tag) = &patch.asset_tag {
        check_asset_tag(&mut v, tag.trim());
    }
    v.in_range("condition_grade", patch.condition_grade, 1..=5);
    if let Some(status) = patch.status {
        if !matches!(
            status,
            CopyStatus::Available | CopyStatus::Maintenance | CopyStatus::Retired
        ) {
            v.add(
                "status",
                "only available, maintenance or retired can be set by hand; loans move the others",
            );
        }
        if current_status == CopyStatus::Retired && status != CopyStatus::Retired {
            v.add("status", "a retired copy stays retired");
        }
        if status == CopyStatus::Retired
            && patch
                .retirement_reason
                .as_deref()
                .map(str::trim)
                .unwrap_or("")
                .is_empty()
        {
            v.add("retirement_reason", "say why the copy is retired");
        }
    }
    let retiring =
        patch.status == Some(CopyStatus::Retired) || current_status == CopyStatus::Retired;
    if patch.retirement_reason.is_some() && !retiring {
        v.add(
            "retirement_reason",
            "only a retired copy (or one being retired) has a retirement reason",
        );
    }
    let home = match &patch.home_commune_insee {
        Some(code) => {
            let found = territory::find(conn, code)?;
            if found.is_none() {
                v.add(
                    "home_commune_insee",
                    "no commune of the region has this INSEE code",
                );
            }
            found
        }
        None => None,
    };
    v.finish()?;
    let retirement_reason = patch
        .retirement_reason
        .as_ref()
        .map(|r| r.trim().to_string());
    let changes = CopyChanges {
        asset_tag: patch.asset_tag.as_ref().map(|t| t.trim().to_string()),
        home_commune_insee: home.map(|h| h.insee_code),
        // Status changes go through the copy's lifecycle (condition), never through a plain write.
        status: None,
        condition_grade: patch.condition_grade,
        retirement_reason: retirement_reason.clone().map(Some),
        updated_at: Some(now),
    };
    Ok(CopyUpdate {
        id,
        current_status,
        status_change: patch.status.filter(|s| *s != current_status),
        grade: patch.condition_grade.unwrap_or(current.condition_grade),
        retirement_reason,
        producer_id: current.producer_id,
        changes,
        audited: serde_json::to_value(patch).unwrap_or_default(),
    })
}

/// Writes a checked change's catalogue fields and its audit entry, inside the caller's write
/// transaction (409 `asset_tag_taken` when another copy of the producer has the tag).
pub fn apply_copy_update(
    conn: &mut DbConnection,
    p: &Principal,
    update: &CopyUpdate,
    now: NaiveDateTime,
) -> Result<()> {
    if let Some(tag) = &update.changes.asset_tag {
        if let Some(other) = store::find_copy_by_tag(conn, update.producer_id, tag)? {
            if other.id != update.id {
                return Err(tag_taken(tag));
            }
        }
    }
    store::update_copy(conn, update.id, &update.changes)?;
    audit_change(
        conn,
        p,
        crate::audit::AuditAction::CopyUpdated,
        update.id,
        &update.audited,
        now,
    )
}

impl From<ComponentRow> for Component {
    fn from(row: ComponentRow) -> Self {
        Component {
            id: row.id,
            resource_id: row.resource_id,
            name: row.name,
            quantity: row.quantity,
            unit_cost_cents: row.unit_cost_cents,
        }
    }
}

/// Adds a component to the list a condition check counts (its producer or the agency).
pub fn create_component(
    conn: &mut DbConnection,
    p: &Principal,
    resource_id: i64,
    new: &NewComponent,
    now: NaiveDateTime,
) -> Result<Component> {
    let resource = live_resource(conn, resource_id)?;
    policy::write_catalogue(p, resource.producer_id)?;
    insert_component(conn, Some(p), resource.id, new, now)
}

/// The quantity and unit cost of a component, new or changed (a value a patch leaves out is
/// not checked).
fn check_component_numbers(v: &mut Validator, quantity: Option<i32>, unit_cost: Option<i64>) {
    if let Some(quantity) = quantity {
        let ok = (1..=100_000).contains(&quantity);
        v.check(ok, "quantity", "must be between 1 and 100,000");
    }
    if let Some(cost) = unit_cost {
        let ok = (0..=crate::money::MAX_CENTS).contains(&cost);
        v.check(
            ok,
            "unit_cost_cents",
            "must be between 0 and 100000000 cents",
        );
    }
}

/// Inserts a validated component; by `caller`, audited (none: demo data).
pub fn insert_component(
    conn: &mut DbConnection,
    caller: Option<&Principal>,
    resource_id: i64,
    new: &NewComponent,
    now: NaiveDateTime,
) -> Result<Component> {
    let name = new.name.trim();
    let mut v = Validator::new();
    v.name("name", name, 200);
    check_component_numbers(&mut v, Some(new.quantity), Some(new.unit_cost_cents));
    v.finish()?;
    let row = write_transaction(conn, |conn| {
        if store::list_components(conn, resource_id)?
            .iter()
            .any(|c| c.name == name)
        {
            return Err(Error::conflict(
                crate::error::Code::ComponentExists,
                format!("the resource already lists a component named {name:?}"),
            ));
        }
        let row = store::insert_component(
            conn,
            resource_id,
            name,
            new.quantity,
            new.unit_cost_cents,
            now,
        )?;
        if let Some(p) = caller {
            audit_change(
                conn,
                p,
                crate::audit::AuditAction::ComponentCreated,
                row.id,
                new,
                now,
            )?;
        }
        Ok(row)
    })?;
    Ok(row.into())
}

/// Changes a component's expected quantity or unit cost (its producer or the agency).
pub fn update_component(
    conn: &mut DbConnection,
    p: &Principal,
    resource_id: i64,
    component_id: i64,
    patch: &ComponentPatch,
    now: NaiveDateTime,
) -> Result<Component> {
    let resource = live_resource(conn, resource_id)?;
    policy::write_catalogue(p, resource.producer_id)?;
    let mut v = Validator::new();
    check_component_numbers(&mut v, patch.quantity, patch.unit_cost_cents);
    v.finish()?;
    write_transaction(conn, |conn| {
        let current = store::list_components(conn, resource_id)?
            .into_iter()
            .find(|c| c.id == component_id)
            .ok_or_else(|| Error::NotFound(format!("component {component_id}")))?;
        let row = store::update_component(
            conn,
            resource_id,
            component_id,
            patch.quantity.unwrap_or(current.quantity),
            patch.unit_cost_cents.unwrap_or(current.unit_cost_cents),
        )?
        .ok_or_else(|| Error::NotFound(format!("component {component_id}")))?;
        audit_change(
            conn,
            p,
            crate::audit::AuditAction::ComponentUpdated,
            component_id,
            patch,
            now,
        )?;
        Ok(row.into())
    })
}

/// The components of a live resource.
pub fn list_components(conn: &mut DbConnection, resource_id: i64) -> Result<Vec<Component>> {
    live_resource(conn, resource_id)?;
    Ok(store::list_components(conn, resource_id)?
        .into_iter()
        .map(Component::from)
        .collect())
}
