//! `itinerance demo-data`: loads the demo network of the real region through the domain services,
//! idempotently (organisations by kind and name, users by e-mail, resources by producer and title,
//! copies by asset tag, components by name), in one transaction.

pub mod billing;
pub mod identity;
pub mod network;
pub mod upcoming;

use chrono::NaiveDateTime;
use std::collections::HashMap;

use crate::allocation::store as allocation;
use crate::catalogue::model::{NewComponent, NewCopy, NewResource};
use crate::catalogue::{service as catalogue, store as catalogue_store};
use crate::db::{write_transaction, DbConnection};
use crate::error::{Error, Result};
use crate::organization::model::{NewOrganization, NewUser};
use crate::organization::{service as organizations, store as org_store, OrgKind, Role, VenueType};
use crate::territory::store as territory;
use crate::transport::model::{Capacity, NewVan, Shift};
use crate::transport::vans;

pub use network::{DemoLogin, DEMO_PASSWORD};

/// What one run added (all zeros on a second run).
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct DemoSummary {
    pub organizations: usize,
    pub users: usize,
    pub resources: usize,
    pub copies: usize,
    pub components: usize,
    /// Vans, one per producer's depot.
    pub vans: usize,
    /// Venues given opening hours.
    pub timetables: usize,
    /// Allocation rounds opened (the one open round with contested requests).
    pub rounds: usize,
    /// The documented logins (whether or not this run created them).
    pub logins: Vec<(String, String)>,
}

/// Whether the database has no organisation yet (`make run` loads the demo only then).
pub fn database_is_empty(conn: &mut DbConnection) -> Result<bool> {
    Ok(!org_store::any_organization(conn)?)
}

fn parse<T: std::str::FromStr<Err = String>>(value: &str) -> Result<T> {
    value
        .parse()
        .map_err(|e| Error::Internal(format!("demo data: {e}")))
}

/// Loads (or completes) the demo network.
pub fn load(conn: &mut DbConnection, now: NaiveDateTime) -> Result<DemoSummary> {
    let communes: Vec<network::CommuneRef> = territory::all(conn)?
        .into_iter()
        .map(|c| network::CommuneRef {
            insee_code: c.insee_code,
            name: c.name,
            department: c.department,
            population: i64::from(c.population),
        })
        .collect();
    let demo = network::build(&communes).map_err(|e| Error::Internal(format!("demo data: {e}")))?;
    write_transaction(conn, |conn| {
        let mut summary = DemoSummary::default();
        let mut org_ids: HashMap<String, i64> = HashMap::new();
        let orgs = std::iter::once(&demo.agency)
            .chain(demo.producers.iter().map(|p| &p.org))
            .chain(demo.venues.iter());
        for org in orgs {
            let id = match org_store::find_organization_by_name(conn, org.kind, &org.name)? {
                Some(existing) => existing.id,
                None => {
                    summary.organizations += 1;
                    organizations::insert_organization(
                        conn,
                        &NewOrganization {
                            name: org.name.clone(),
                            kind: parse::<OrgKind>(org.kind)?,
                            commune_insee: org.commune_insee.clone(),
                            venue_type: org.venue_type.map(parse::<VenueType>).transpose()?,
                            address: None,
                            latitude: None,
                            longitude: None,
                            school_holidays: None,
                        },
                        now,
                    )?
                    .id
                }
            };
            org_ids.insert(org.key.clone(), id);
        }
        for login in &demo.logins {
            let organization_id = *org_ids.get(&login.org_key).ok_or_else(|| {
                Error::Internal(format!("demo login for unknown {}", login.org_key))
            })?;
            if org_store::find_user_by_email(conn, &login.email)?.is_none() {
                summary.users += 1;
                organizations::insert_user(
                    conn,
                    &NewUser {
                        email: login.email.clone(),
                        password: login.password.to_string(),
                        organization_id,
                        role: parse::<Role>(login.role)?,
                    },
                    now,
                )?;
            }
            summary
                .logins
                .push((login.email.clone(), login.password.to_string()));
        }
        for producer in &demo.producers {
            let producer_id = *org_ids
                .get(&producer.org.key)
                .ok_or_else(|| Error::Internal("demo producer missing".into()))?;
            for resource in &producer.resources {
                let row = match catalogue_store::find_by_title(conn, producer_id, &resource.title)?
                {
                    Some(row) => row,
                    None => {
                        summary.resources += 1;
                        let created = catalogue::insert_resource(
                            conn,
                            producer_id,
                            &NewResource {
                                producer_id: Some(producer_id),
                                kind: resource.kind.to_string(),
                                title: resource.title.clone(),
                                description: resource.description.clone(),
                                themes: resource.themes.iter().map(|t| t.to_string()).collect(),
                                audiences: resource
                                    .audiences
                                    .iter()
                                    .map(|a| a.to_string())
                                    .collect(),
                                floor_area_m2: resource.floor_area_m2,
                                weight_kg: resource.weight_kg,
                                volume_m3: resource.volume_m3,
                                crates: resource.crates,
                                setup_days: Some(resource.setup_days),
                                turnaround_days: Some(resource.turnaround_days),
                                production_cost_cents: Some(resource.production_cost_cents),
                            },
                            now,
                        )?;
                        catalogue_store::find_live_resource(conn, created.id)?
                            .ok_or_else(|| Error::Internal("demo resource vanished".into()))?
                    }
                };
                let existing: Vec<String> = catalogue_store::list_components(conn, row.id)?
                    .into_iter()
                    .map(|c| c.name)
                    .collect();
                for (name, quantity) in &resource.components {
                    if !existing.contains(name) {
                        summary.components += 1;
                        catalogue::insert_component(
                            conn,
                            None,
                            row.id,
                            &NewComponent {
                                name: name.clone(),
                                quantity: *quantity,
                                unit_cost_cents: 0,
                            },
                            now,
                        )?;
                    }
                }
                for copy in &resource.copies {
                    if catalogue_store::find_copy_by_tag(conn, producer_id, &copy.asset_tag)?
                        .is_none()
                    {
                        summary.copies += 1;
                        catalogue::insert_copy(
                            conn,
                            &row,
                            &NewCopy {
                                asset_tag: copy.asset_tag.clone(),
                                home_commune_insee: copy.home_commune_insee.clone(),
                                condition_grade: None,
                            },
                            now,
                        )?;
                    }
                }
            }
        }
        // A van at each producer's depot, and libraries' usual hours at each venue, so that day
        // plans (`POST /tours/plan`) have something to share out.
        for producer in &demo.producers {
            let producer_id = *org_ids
                .get(&producer.org.key)
                .ok_or_else(|| Error::Internal("demo producer missing".into()))?;
            if vans::active_at(conn, producer_id)?.is_empty() {
                summary.vans += 1;
                vans::insert(
                    conn,
                    &NewVan {
                        name: format!("Utilitaire {}", producer.org.name),
                        depot_organization_id: producer_id,
                        capacity: Capacity {
                            volume_m3: 12.0,
                            weight_kg: 1_000.0,
                        },
                        shift: Shift {
                            start: "08:00".into(),
                            end: "18:00".into(),
                        },
                    },
                    (8 * 60, 18 * 60),
                    now,
                )?;
            }
        }
        for (n, venue) in demo.venues.iter().enumerate() {
            let venue_id = *org_ids
                .get(&venue.key)
                .ok_or_else(|| Error::Internal("demo venue missing".into()))?;
            if org_store::weekly_hours(conn, venue_id)?.is_empty() {
                summary.timetables += 1;
                org_store::replace_opening_hours(conn, venue_id, &demo_hours(n), &[])?;
            }
        }
        if allocation::find_round_by_name(conn, DEMO_ROUND)?.is_none() {
            summary.rounds += 1;
            demo_round(conn, &demo, &communes, &org_ids, now)?;
        }
        let all = std::iter::once(&demo.agency)
            .chain(demo.producers.iter().map(|p| &p.org))
            .chain(demo.venues.iter());
        for org in all {
            let id = *org_ids
                .get(&org.key)
                .ok_or_else(|| Error::Internal("demo organisation missing".into()))?;
            if crate::organization::legal::find(conn, id)?.is_none() {
                let commune = territory::find(conn, &org.commune_insee)?
                    .ok_or_else(|| Error::Internal("demo commune missing".into()))?;
                let input = identity::identity(org, &commune.postcode, &commune.name);
                let clean = crate::organization::legal::normalize(&input)?;
                crate::organization::legal::store(conn, id, &clean, now)?;
            }
        }
        Ok(summary)
    })
}

/// The name of the demo's open allocation round.
pub const DEMO_ROUND: &str = "Printemps — expositions très demandées";

/// An open allocation round on two resources of one copy each, each wanted on overlapping days
/// first by a venue of one of the largest communes, then by a venue of one of the smallest: first
/// come serves the towns, equity the villages, so both policies have something to compare.
fn demo_round(
    conn: &mut DbConnection,
    demo: &network::DemoNetwork,
    communes: &[network::CommuneRef],
    org_ids: &HashMap<String, i64>,
    now: NaiveDateTime,
) -> Result<()> {
    let id_of = |key: &str| {
        org_ids
            .get(key)
            .copied()
            .ok_or_else(|| Error::Internal(format!("demo organisation {key} missing")))
    };
    let population: HashMap<&str, i64> = communes
        .iter()
        .map(|c| (c.insee_code.as_str(), c.population))
        .collect();
    let mut venues: Vec<(i64, &str)> = demo
        .venues
        .iter()
        .map(|v| {
            (
                population
                    .get(v.commune_insee.as_str())
                    .copied()
                    .unwrap_or(0),
                v.key.as_str(),
            )
        })
        .collect();
    venues.sort();
    let mut contested = Vec::new();
    for producer in &demo.producers {
        let producer_id = id_of(&producer.org.key)?;
        for r in producer.resources.iter().filter(|r| r.copies.len() == 1) {
            if let Some(row) = catalogue_store::find_by_title(conn, producer_id, &r.title)? {
                contested.push(row.id);
            }
        }
    }
    let (Some(&first), Some(&second), true) =
        (contested.first(), contested.get(1), venues.len() >= 4)
    else {
        return Ok(());
    };
    let today = now.date();
    let round = allocation::insert_round(
        conn,
        &allocation::RoundInsert {
            name: DEMO_ROUND,
            period_from: today + chrono::Duration::days(14),
            period_to: today + chrono::Duration::days(120),
            status: crate::allocation::model::RoundStatus::Open,
            created_by_organization: id_of(&demo.agency.key)?,
            created_at: now,
            updated_at: now,
        },
        &[first, second],
    )?;
    let last = venues.len() - 1;
    // (resource, venue, first day, last day, arrival in seconds after `now`)
    let requests = [
        (first, venues[last].1, 40, 46, 0),
        (first, venues[0].1, 42, 48, 60),
        (second, venues[last - 1].1, 60, 66, 120),
        (second, venues[1].1, 61, 65, 180),
    ];
    for (resource_id, venue, from, to, after) in requests {
        allocation::insert_request(
            conn,
            &allocation::RequestInsert {
                round_id: round.id,
                venue_id: id_of(venue)?,
                resource_id,
                starts_on: today + chrono::Duration::days(from),
                ends_on: today + chrono::Duration::days(to),
                requested_by: None,
                created_at: now + chrono::Duration::seconds(after),
            },
        )?;
    }
    Ok(())
}

/// Usual opening hours of a small library or social centre (ISO weekday, minutes): closed on
/// Mondays and Sundays, afternoons on Tuesdays, Thursdays and Fridays, all day on Wednesdays and
/// Saturdays; one venue in three opens its afternoons at 13:30 instead of 14:00.
fn demo_hours(n: usize) -> Vec<(i16, i32, i32)> {
    let afternoon = if n.is_multiple_of(3) {
        13 * 60 + 30
    } else {
        14 * 60
    };
    let mut spans = Vec::new();
    for weekday in 2..=6 {
        if weekday == 3 || weekday == 6 {
            spans.push((weekday, 9 * 60 + 30, 12 * 60));
        }
        spans.push((weekday, afternoon, 18 * 60));
    }
    spans
}
