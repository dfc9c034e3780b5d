//! Rules for organisations and their users.

use chrono::NaiveDateTime;

use super::model::{
    NewOrganization, NewUser, OrgKind, Organization, OrganizationPage, OrganizationPatch, Role,
    SchoolHolidays, User,
};
use super::store::{self, OrganizationChanges, OrganizationInsert, UserInsert};
use crate::access::{normalize_email, password, policy, Principal};
use crate::audit;
use crate::db::{write_transaction, DbConnection};
use crate::error::{Error, Result, Validator};
use crate::territory::store as territory;

/// Largest page of organisations.
pub const MAX_PAGE: i64 = 500;

fn check_coordinates(v: &mut Validator, latitude: Option<f64>, longitude: Option<f64>) {
    match (latitude, longitude) {
        (Some(lat), Some(lon)) => {
            v.check(
                (-90.0..=90.0).contains(&lat),
                "latitude",
                "must be between -90 and 90",
            );
            v.check(
                (-180.0..=180.0).contains(&lon),
                "longitude",
                "must be between -180 and 180",
            );
        }
        (None, None) => {}
        _ => v.add("latitude", "give both latitude and longitude, or neither"),
    }
}

/// How far an organisation may stand from its commune's centre: enough for the largest
/// commune of the region, not enough to move a venue out of it.
pub const MAX_KM_FROM_COMMUNE: f64 = 20.0;

/// Coordinates given for an organisation must lie within [`MAX_KM_FROM_COMMUNE`] of its
/// commune (distances, travel days and coverage all rest on them).
fn check_near_commune(
    v: &mut Validator,
    latitude: Option<f64>,
    longitude: Option<f64>,
    commune: &crate::territory::store::CommuneRow,
) {
    if let (Some(lat), Some(lon)) = (latitude, longitude) {
        let km = crate::territory::geo::great_circle_km(
            crate::territory::geo::LatLon { lat, lon },
            crate::territory::geo::LatLon {
                lat: commune.latitude,
                lon: commune.longitude,
            },
        );
        v.check(
            km <= MAX_KM_FROM_COMMUNE || km.is_nan(),
            "latitude",
            &format!(
                "must lie within {MAX_KM_FROM_COMMUNE} km of {} (the commune given): this point is {km:.0} km away",
                commune.name
            ),
        );
    }
}

fn check_name(v: &mut Validator, name: &str) {
    v.name("name", name, 200);
}

/// Longest postal address, in characters (a French address fits in six lines of 38).
pub const MAX_ADDRESS_CHARS: usize = 300;

fn check_address(v: &mut Validator, address: Option<&str>) {
    v.check(
        address.is_none_or(|a| a.chars().count() <= MAX_ADDRESS_CHARS),
        "address",
        "must be at most 300 characters",
    );
}

/// Creates an organisation located on a commune (agency only).
pub fn create_organization(
    conn: &mut DbConnection,
    p: &Principal,
    new: &NewOrganization,
    now: NaiveDateTime,
) -> Result<Organization> {
    policy::create_organization(p)?;
    write_transaction(conn, |conn| {
        let organization = insert_organization(conn, new, now)?;
        audit::record(
            conn,
            p.actor(),
            crate::audit::AuditAction::OrganizationCreated,
            organization.id,
            &serde_json::to_value(new).unwrap_or_default(),
            now,
        )?;
        Ok(organization)
    })
}

/// Inserts an organisation after validation, without a caller (CLI and demo data use it).
pub fn insert_organization(
    conn: &mut DbConnection,
    new: &NewOrganization,
    now: NaiveDateTime,
) -> Result<Organization> {
    let mut v = Validator::new();
    check_name(&mut v, &new.name);
    check_address(&mut v, new.address.as_deref());
    check_coordinates(&mut v, new.latitude, new.longitude);
    if new.venue_type.is_some() && new.kind != OrgKind::Venue {
        v.add("venue_type", "only venues have a venue type");
    }
    let commune = territory::find(conn, &new.commune_insee)?;
    match &commune {
        None => v.add(
            "commune_insee",
            "no commune of the region has this INSEE code",
        ),
        Some(commune) => check_near_commune(&mut v, new.latitude, new.longitude, commune),
    }
    v.finish()?;
    let commune = commune.ok_or_else(|| Error::invalid("commune_insee", "unknown commune"))?;
    let row = write_transaction(conn, |conn| {
        store::insert_organization(
            conn,
            &OrganizationInsert {
                name: new.name.trim(),
                kind: new.kind.as_str(),
                venue_type: new.venue_type.map(|t| t.as_str()),
                commune_insee: &commune.insee_code,
                address: new
                    .address
                    .as_deref()
                    .map(str::trim)
                    .filter(|a| !a.is_empty()),
                latitude: new.latitude.unwrap_or(commune.latitude),
                longitude: new.longitude.unwrap_or(commune.longitude),
                created_at: now,
                updated_at: now,
                school_holidays: new.school_holidays.unwrap_or(SchoolHolidays::Ignore),
            },
        )
    })?;
    row.try_into()
}

/// One organisation; the directory of the network is visible to every authenticated caller.
pub fn get_organization(conn: &mut DbConnection, id: i64) -> Result<Organization> {
    store::find_organization(conn, id)?
        .ok_or_else(|| Error::NotFound(format!("organisation {id}")))?
        .try_into()
}

/// Where an organisation is, as a list of loans shows it: its name, its commune and the
/// commune's class.
#[derive(Debug, Clone)]
pub struct Whereabouts {
    pub name: String,
    pub commune: String,
    pub class: crate::territory::CommuneClass,
}

/// [`Whereabouts`] of several organisations, by id, in one query (the directory is visible to
/// every authenticated caller).
pub fn whereabouts(
    conn: &mut DbConnection,
    ids: &[i64],
) -> Result<std::collections::HashMap<i64, Whereabouts>> {
    Ok(store::places(conn, ids)?
        .into_iter()
        .map(|(id, name, commune, population)| {
            (
                id,
                Whereabouts {
                    name,
                    commune,
                    class: crate::territory::CommuneClass::of_population(i64::from(population)),
                },
            )
        })
        .collect())
}

/// A page of organisations, optionally of one kind, in id order.
pub fn list_organizations(
    conn: &mut DbConnection,
    kind: Option<OrgKind>,
    cursor: Option<&str>,
    limit: i64,
) -> Result<OrganizationPage> {
    let after = match cursor {
        None => 0,
        Some(c) => c
            .parse::<i64>()
            .map_err(|_| Error::invalid("cursor", "not a cursor returned by this endpoint"))?,
    };
    if !(1..=MAX_PAGE).contains(&limit) {
        return Err(Error::invalid("limit", "must be between 1 and 500"));
    }
    let rows = store::list_organizations(conn, kind.map(|k| k.as_str()), after, limit + 1)?;
    let more = rows.len() as i64 > limit;
    let items = rows
        .into_iter()
        .take(limit as usize)
        .map(Organization::try_from)
        .collect::<Result<Vec<_>>>()?;
    let next_cursor = if more {
        items.last().map(|o| o.id.to_string())
    } else {
        None
    };
    Ok(OrganizationPage { items, next_cursor })
}

/// One line of the network's directory: an organisation, the commune it stands in, and how
/// many active accounts it has (none: nobody there can sign in yet, so the agency invites its
/// first administrator).
#[derive(Debug, Clone)]
pub struct DirectoryLine {
    pub organization: Organization,
    pub commune: String,
    pub active_accounts: i64,
}

/// A page of the network's directory for the agency, by name, and how many organisations the
/// list holds in all (so that a page says where it stands). Accounts are the agency's business:
/// others are refused ([`policy::watch_network`]).
pub fn directory(
    conn: &mut DbConnection,
    p: &Principal,
    kind: Option<OrgKind>,
    offset: i64,
    limit: i64,
) -> Result<(Vec<DirectoryLine>, i64)> {
    policy::watch_network(p)?;
    let kind = kind.map(|k| k.as_str());
    let total = store::count_organizations(conn, kind)?;
    let rows = store::directory_page(conn, kind, offset.max(0), limit.clamp(1, MAX_PAGE))?;
    let ids: Vec<i64> = rows.iter().map(|r| r.id).collect();
    let accounts: std::collections::HashMap<i64, i64> = store::active_account_counts(conn, &ids)?
        .into_iter()
        .collect();
    let places = whereabouts(conn, &ids)?;
    let lines = rows
        .into_iter()
        .map(|row| {
            let organization = Organization::try_from(row)?;
            Ok(DirectoryLine {
                commune: places
                    .get(&organization.id)
                    .map(|w| w.commune.clone())
                    .unwrap_or_else(|| organization.commune_insee.clone()),
                active_accounts: accounts.get(&organization.id).copied().unwrap_or(0),
                organization,
            })
        })
        .collect::<Result<Vec<_>>>()?;
    Ok((lines, total))
}

/// Changes an organisation (agency, or its own administrators).
pub fn update_organization(
    conn: &mut DbConnection,
    p: &Principal,
    id: i64,
    patch: &OrganizationPatch,
    now: NaiveDateTime,
) -> Result<Organization> {
    let current = get_organization(conn, id)?;
    policy::update_organization(p, id)?;
    let mut v = Validator::new();
    if let Some(name) = &patch.name {
        check_name(&mut v, name);
    }
    check_address(&mut v, patch.address.as_deref());
    check_coordinates(&mut v, patch.latitude, patch.longitude);
    if patch.venue_type.is_some() && current.kind != OrgKind::Venue {
        v.add("venue_type", "only venues have a venue type");
    }
    let mut changes = OrganizationChanges {
        name: patch.name.as_ref().map(|n| n.trim().to_string()),
        venue_type: patch.venue_type.map(|t| Some(t.as_str().to_string())),
        address: patch
            .address
            .as_ref()
            .map(|a| Some(a.trim().to_string()).filter(|a| !a.is_empty())),
        latitude: patch.latitude,
        longitude: patch.longitude,
        updated_at: Some(now),
        school_holidays: patch.school_holidays,
        ..Default::default()
    };
    let commune_code = patch
        .commune_insee
        .clone()
        .unwrap_or_else(|| current.commune_insee.clone());
    match territory::find(conn, &commune_code)? {
        None => v.add(
            "commune_insee",
            "no commune of the region has this INSEE code",
        ),
        Some(commune) => {
            check_near_commune(&mut v, patch.latitude, patch.longitude, &commune);
            if patch.commune_insee.is_some() {
                if patch.latitude.is_none() {
                    changes.latitude = Some(commune.latitude);
                    changes.longitude = Some(commune.longitude);
                }
                changes.commune_insee = Some(commune.insee_code);
            }
        }
    }
    v.finish()?;
    write_transaction(conn, |conn| {
        let row = store::update_organization(conn, id, &changes)?;
        audit::record(
            conn,
            p.actor(),
            crate::audit::AuditAction::OrganizationUpdated,
            id,
            &serde_json::to_value(patch).unwrap_or_default(),
            now,
        )?;
        Ok::<_, Error>(row)
    })?
    .try_into()
}

fn validate_new_user(v: &mut Validator, email: &str, password: &str) {
    check_email(v, email);
    password::check_new(v, "password", password);
}

/// The rule of an e-mail address (of a user, or of an invitation that will become one).
pub fn check_email(v: &mut Validator, email: &str) {
    let valid_email = email
        .split_once('@')
        .map(|(local, domain)| {
            !local.is_empty()
                && domain.contains('.')
                && !domain.starts_with('.')
                && !domain.ends_with('.')
        })
        .unwrap_or(false);
    v.check(
        valid_email && email.len() <= 254 && !email.contains(char::is_whitespace),
        "email",
        "must be an e-mail address",
    );
}

/// Creates a user in an organisation (agency administrators anywhere, administrators in their own).
pub fn create_user(
    conn: &mut DbConnection,
    p: &Principal,
    new: &NewUser,
    now: NaiveDateTime,
) -> Result<User> {
    let org = store::find_organization(conn, new.organization_id)?;
    if org.is_none() {
        return Err(Error::invalid("organization_id", "no such organisation"));
    }
    policy::manage_members(p, new.organization_id)?;
    write_transaction(conn, |conn| {
        let user = insert_user(conn, new, now)?;
        audit::record(
            conn,
            p.actor(),
            crate::audit::AuditAction::UserCreated,
            user.id,
            &serde_json::json!({"email": user.email, "organization_id": new.organization_id,
                                "role": new.role}),
            now,
        )?;
        Ok(user)
    })
}

/// Inserts a user after validation, without a caller (CLI and demo data use it).
pub fn insert_user(conn: &mut DbConnection, new: &NewUser, now: NaiveDateTime) -> Result<User> {
    let email = normalize_email(&new.email);
    let mut v = Validator::new();
    validate_new_user(&mut v, &email, &new.password);
    v.finish()?;
    let hash = password::hash(&new.password)?;
    let row = write_transaction(conn, |conn| {
        if store::find_user_by_email(conn, &email)?.is_some() {
            return Err(Error::conflict(
                crate::error::Code::EmailTaken,
                format!("a user with e-mail {email} exists"),
            ));
        }
        Ok(store::insert_user(
            conn,
            &UserInsert {
                organization_id: new.organization_id,
                email: &email,
                password_hash: &hash,
                role: new.role.as_str(),
                created_at: now,
            },
        )?)
    })?;
    row.try_into()
}

/// Users of an organisation (default: the caller's), for its members and the agency.
pub fn list_users(
    conn: &mut DbConnection,
    p: &Principal,
    organization_id: Option<i64>,
) -> Result<Vec<User>> {
    let organization_id = organization_id.unwrap_or(p.organization_id);
    policy::read_members(p, organization_id)?;
    store::list_users(conn, organization_id)?
        .into_iter()
        .map(User::try_from)
        .collect()
}

/// One user, for members of the same organisation and the agency.
pub fn get_user(conn: &mut DbConnection, p: &Principal, id: i64) -> Result<User> {
    let row = store::find_user(conn, id)?.ok_or_else(|| Error::NotFound(format!("user {id}")))?;
    policy::read_members(p, row.organization_id)
        .map_err(|_| Error::NotFound(format!("user {id}")))?;
    row.try_into()
}

/// Deactivates a user (the agency, or an administrator of the user's organisation): no more
/// logins, and their tokens are refused on every instance within seconds. Nobody deactivates
/// themselves (an organisation would lose its last administrator by mistake).
pub fn deactivate_user(
    conn: &mut DbConnection,
    gate: &dyn crate::access::Standings,
    p: &Principal,
    id: i64,
    now: NaiveDateTime,
) -> Result<User> {
    let row = store::find_user(conn, id)?.ok_or_else(|| Error::NotFound(format!("user {id}")))?;
    policy::read_members(p, row.organization_id)
        .map_err(|_| Error::NotFound(format!("user {id}")))?;
    policy::manage_members(p, row.organization_id)?;
    if p.user_id == Some(id) {
        return Err(Error::conflict(
            crate::error::Code::InvalidTransition,
            "you cannot deactivate yourself; ask another administrator",
        ));
    }
    write_transaction(conn, |conn| {
        if store::deactivate_user(conn, id, now)? == 1 {
            audit::record(
                conn,
                p.actor(),
                crate::audit::AuditAction::UserDeactivated,
                id,
                &serde_json::json!({"email": row.email}),
                now,
            )?;
        }
        Ok::<(), Error>(())
    })?;
    gate.forget(id);
    store::find_user(conn, id)?
        .ok_or_else(|| Error::NotFound(format!("user {id}")))?
        .try_into()
}

/// What `admin create-agency` did.
#[derive(Debug)]
pub enum AgencySetup {
    Created {
        organization: Organization,
        user: User,
    },
    AlreadyThere {
        user: User,
    },
}

/// Creates an agency and its first administrator; idempotent per e-mail (nothing changes when a
/// user with that e-mail exists).
pub fn create_agency_with_admin(
    conn: &mut DbConnection,
    name: &str,
    email: &str,
    password: &str,
    commune_insee: &str,
    now: NaiveDateTime,
) -> Result<AgencySetup> {
    if let Some(existing) = store::find_user_by_email(conn, &normalize_email(email))? {
        return Ok(AgencySetup::AlreadyThere {
            user: existing.try_into()?,
        });
    }
    let mut v = Validator::new();
    validate_new_user(&mut v, &normalize_email(email), password);
    v.finish()?;
    // Through the write queue like every other write: a plain transaction here held SQLite's
    // lock outside the queue while `insert_organization` waited in it for its turn.
    write_transaction(conn, |conn| {
        let organization = insert_organization(
            conn,
            &NewOrganization {
                name: name.to_string(),
                kind: OrgKind::Agency,
                commune_insee: commune_insee.to_string(),
                venue_type: None,
                address: None,
                latitude: None,
                longitude: None,
                school_holidays: None,
            },
            now,
        )?;
        let user = insert_user(
            conn,
            &NewUser {
                email: email.to_string(),
                password: password.to_string(),
                organization_id: organization.id,
                role: Role::Admin,
            },
            now,
        )?;
        Ok(AgencySetup::Created { organization, user })
    })
}
