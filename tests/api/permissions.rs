//! The role × endpoint matrix: who may do what, 401 without a token, 404/403 for others' data.

use std::collections::BTreeSet;

use serde_json::{json, Value};

use crate::builders::{day, id_of, BookingBuilder, ResourceBuilder, AMIENS, VILLAGE};
use crate::common::{Actor, TestApp, PASSWORD};
use crate::on_both_backends;

/// What a successful answer must hold besides its status.
enum Check {
    /// Only the status.
    Status,
    /// `GET /me`: the caller's own user (none for a key) and organisation.
    Me,
    /// A list whose every item belongs to this organisation, and lists these e-mails.
    UsersOf(i64, Vec<String>),
    /// An object with this `id` (and, for a user, this e-mail).
    Object(i64, Option<String>),
    /// A list whose every item belongs to this organisation.
    ItemsOf(i64),
    /// A list whose every item belongs to the caller's organisation.
    ItemsOfCaller,
    /// The bookings list: exactly the bookings the caller may see.
    VisibleBookings,
}

struct Case {
    name: &'static str,
    method: &'static str,
    path: String,
    body: Option<Value>,
    check: Check,
}

fn ids_in(list: &Value) -> Result<BTreeSet<i64>, String> {
    list.as_array()
        .ok_or_else(|| format!("not a list: {list}"))?
        .iter()
        .map(|item| {
            item["id"]
                .as_i64()
                .ok_or_else(|| format!("no id in {item}"))
        })
        .collect()
}

fn all_of_org(list: &Value, org: i64) -> Result<(), String> {
    let items = list
        .as_array()
        .ok_or_else(|| format!("not a list: {list}"))?;
    match items.iter().find(|item| item["organization_id"] != org) {
        Some(foreign) => Err(format!(
            "an item of another organisation than {org}: {foreign}"
        )),
        None => Ok(()),
    }
}

async fn role_endpoint_matrix(app: TestApp) {
    let agency_admin = app.agency_admin().await;
    let agency_member = app
        .user_in(&agency_admin, agency_admin.org_id, "member")
        .await;
    let producer_admin = app.producer(&agency_admin, AMIENS).await;
    let producer_member = app
        .user_in(&agency_admin, producer_admin.org_id, "member")
        .await;
    let venue_admin = app.venue(&agency_admin, VILLAGE).await;
    let venue_member = app
        .user_in(&venue_admin, venue_admin.org_id, "member")
        .await;
    let partner_admin = app.partner(&agency_admin, "59350").await;
    // Another producer and another venue, whose users and bookings nobody above may see
    // (except the agency, and each producer the bookings of its own resources).
    let other_producer = app.producer(&agency_admin, "59350").await;
    let other_venue = app.venue(&agency_admin, AMIENS).await;
    let trunk = ResourceBuilder::trunk("Malle de l'eau")
        .copies(3)
        .build(&app, &producer_admin)
        .await;
    let foreign_trunk = ResourceBuilder::trunk("Malle d'ailleurs")
        .copies(1)
        .build(&app, &other_producer)
        .await;
    let venue_booking = BookingBuilder::new(trunk.id, &venue_admin, day(20), day(22))
        .build(&app, &producer_admin)
        .await;
    let venue_foreign_booking =
        BookingBuilder::new(foreign_trunk.id, &venue_admin, day(20), day(22))
            .status("approved")
            .build(&app, &other_producer)
            .await;
    let other_venue_booking = BookingBuilder::new(trunk.id, &other_venue, day(20), day(22))
        .status("approved")
        .build(&app, &producer_admin)
        .await;
    let other_foreign_booking =
        BookingBuilder::new(foreign_trunk.id, &other_venue, day(30), day(32))
            .build(&app, &other_producer)
            .await;
    let visible_bookings = |org: Option<i64>| -> BTreeSet<i64> {
        let all = [
            (&venue_booking, venue_admin.org_id, producer_admin.org_id),
            (
                &venue_foreign_booking,
                venue_admin.org_id,
                other_producer.org_id,
            ),
            (
                &other_venue_booking,
                other_venue.org_id,
                producer_admin.org_id,
            ),
            (
                &other_foreign_booking,
                other_venue.org_id,
                other_producer.org_id,
            ),
        ];
        all.iter()
            .filter(|(_, venue, producer)| {
                org == Some(agency_admin.org_id) || org == Some(*venue) || org == Some(*producer)
            })
            .map(|(b, _, _)| id_of(b))
            .collect()
    };
    // Every e-mail of the network, with its organisation: none may reach another organisation
    // (the agency sees them all).
    let emails: Vec<(String, i64)> = [
        &agency_admin,
        &agency_member,
        &producer_admin,
        &producer_member,
        &venue_admin,
        &venue_member,
        &partner_admin,
        &other_producer,
        &other_venue,
    ]
    .iter()
    .map(|a| (a.email.clone(), a.org_id))
    .collect();
    let partner_key = app.api_key_of(&partner_admin).await;

    // The target of the "other organisation" cases is the venue; the producer is a stranger to it.
    let venue = venue_admin.org_id;
    let venue_user = venue_member.user_id;
    let venue_emails = vec![venue_admin.email.clone(), venue_member.email.clone()];
    let mut n = 0;
    let cases =
        |name: &'static str, method: &'static str, path: String, body: Option<Value>| Case {
            name,
            method,
            path,
            body,
            check: Check::Status,
        };
    let mut new_user = |org: i64| {
        n += 1;
        Some(
            json!({"email": format!("new{n}-{org}@x.test"), "password": PASSWORD, "organization_id": org, "role": "member"}),
        )
    };
    let matrix: Vec<(Case, [u16; 8])> = vec![
        // columns: agency admin, agency member, producer admin, producer member, venue admin, venue member, partner key, anonymous
        (
            cases("me", "GET", "/api/v1/me".into(), None).with(Check::Me),
            [200, 200, 200, 200, 200, 200, 200, 401],
        ),
        (
            cases(
                "create organisation",
                "POST",
                "/api/v1/organizations".into(),
                Some(json!({"name": "N", "kind": "venue", "commune_insee": "80021"})),
            ),
            [201, 201, 403, 403, 403, 403, 403, 401],
        ),
        (
            cases("directory", "GET", "/api/v1/organizations".into(), None),
            [200, 200, 200, 200, 200, 200, 200, 401],
        ),
        (
            cases(
                "read venue",
                "GET",
                format!("/api/v1/organizations/{venue}"),
                None,
            )
            .with(Check::Object(venue, None)),
            [200, 200, 200, 200, 200, 200, 200, 401],
        ),
        (
            cases(
                "edit venue",
                "PATCH",
                format!("/api/v1/organizations/{venue}"),
                Some(json!({"address": "2 rue de la Gare"})),
            )
            .with(Check::Object(venue, None)),
            [200, 200, 403, 403, 200, 403, 403, 401],
        ),
        (
            cases(
                "create user in venue",
                "POST",
                "/api/v1/users".into(),
                new_user(venue),
            ),
            // A key without the `admin` scope is refused on the route alone (403, whatever the
            // organisation: nothing is learnt of another's users).
            [201, 403, 404, 404, 201, 403, 403, 401],
        ),
        (
            cases(
                "list venue users",
                "GET",
                format!("/api/v1/users?organization_id={venue}"),
                None,
            )
            .with(Check::UsersOf(venue, venue_emails.clone())),
            [200, 200, 404, 404, 200, 200, 403, 401],
        ),
        (
            cases(
                "read venue user",
                "GET",
                format!("/api/v1/users/{venue_user}"),
                None,
            )
            .with(Check::Object(venue_user, Some(venue_member.email.clone()))),
            [200, 200, 404, 404, 200, 200, 403, 401],
        ),
        (
            cases(
                "venue API keys",
                "GET",
                format!("/api/v1/api-keys?organization_id={venue}"),
                None,
            )
            .with(Check::ItemsOf(venue)),
            [200, 403, 404, 404, 200, 403, 403, 401],
        ),
        (
            cases("own API keys", "GET", "/api/v1/api-keys".into(), None)
                .with(Check::ItemsOfCaller),
            [200, 403, 200, 403, 200, 403, 403, 401],
        ),
        (
            cases("list bookings", "GET", "/api/v1/bookings".into(), None)
                .with(Check::VisibleBookings),
            [200, 200, 200, 200, 200, 200, 200, 401],
        ),
        (
            cases(
                "read the venue's booking",
                "GET",
                format!("/api/v1/bookings/{}", id_of(&venue_booking)),
                None,
            )
            .with(Check::Object(id_of(&venue_booking), None)),
            [200, 200, 200, 200, 200, 200, 404, 401],
        ),
        (
            cases(
                "read another venue's booking",
                "GET",
                format!("/api/v1/bookings/{}", id_of(&other_foreign_booking)),
                None,
            ),
            [200, 200, 404, 404, 404, 404, 404, 401],
        ),
        (
            cases(
                "communes are public",
                "GET",
                "/api/v1/communes?q=lille".into(),
                None,
            ),
            [200, 200, 200, 200, 200, 200, 200, 200],
        ),
    ];
    let actors: [Option<&Actor>; 8] = [
        Some(&agency_admin),
        Some(&agency_member),
        Some(&producer_admin),
        Some(&producer_member),
        Some(&venue_admin),
        Some(&venue_member),
        Some(&partner_key),
        None,
    ];
    let labels = [
        "agency admin",
        "agency member",
        "producer admin",
        "producer member",
        "venue admin",
        "venue member",
        "partner key",
        "anonymous",
    ];
    let mut failures = Vec::new();
    for (case, expected) in &matrix {
        for (i, actor) in actors.iter().enumerate() {
            let mut body = case.body.clone();
            // Each allowed user creation needs a fresh e-mail.
            if let Some(b) = body.as_mut() {
                if let Some(email) = b.get("email").and_then(|e| e.as_str()).map(String::from) {
                    b["email"] = json!(format!("{i}-{email}"));
                }
            }
            let res = app
                .send(
                    case.method,
                    &case.path,
                    actor.map(|a| a.token.as_str()),
                    body,
                )
                .await;
            if res.status != expected[i] {
                failures.push(format!(
                    "{} as {}: expected {}, got {} {}",
                    case.name, labels[i], expected[i], res.status, res.text
                ));
            }
            if res.status >= 400 {
                let _ = res.code();
            } else if let Some(caller) = actor {
                let org = caller.org_id;
                let checked = match &case.check {
                    Check::Status => Ok(()),
                    Check::Me => {
                        let user_ok = if i == 6 {
                            res.body["user"].is_null()
                        } else {
                            res.body["user"]["id"] == caller.user_id
                                && res.body["user"]["email"] == caller.email.as_str()
                        };
                        if user_ok && res.body["organization"]["id"] == org {
                            Ok(())
                        } else {
                            Err(format!("not the caller's own: {}", res.text))
                        }
                    }
                    Check::UsersOf(owner, wanted) => all_of_org(&res.body, *owner).and_then(|()| {
                        let listed: Vec<&str> = res
                            .body
                            .as_array()
                            .into_iter()
                            .flatten()
                            .filter_map(|u| u["email"].as_str())
                            .collect();
                        match wanted.iter().find(|e| !listed.contains(&e.as_str())) {
                            Some(missing) => Err(format!("{missing} not listed")),
                            None => Ok(()),
                        }
                    }),
                    Check::Object(id, email) => {
                        if res.body["id"] != *id {
                            Err(format!("not object {id}: {}", res.text))
                        } else if email
                            .as_ref()
                            .is_some_and(|e| res.body["email"] != e.as_str())
                        {
                            Err(format!("not {email:?}: {}", res.text))
                        } else {
                            Ok(())
                        }
                    }
                    Check::ItemsOf(owner) => all_of_org(&res.body, *owner),
                    Check::ItemsOfCaller => all_of_org(&res.body, org),
                    Check::VisibleBookings => ids_in(&res.body).and_then(|listed| {
                        let wanted = visible_bookings(Some(org));
                        if listed == wanted {
                            Ok(())
                        } else {
                            Err(format!("listed {listed:?}, may see {wanted:?}"))
                        }
                    }),
                };
                if let Err(why) = checked {
                    failures.push(format!("{} as {}: {why}", case.name, labels[i]));
                }
                if org != agency_admin.org_id {
                    for (email, owner) in &emails {
                        if *owner != org && res.text.contains(email.as_str()) {
                            failures.push(format!(
                                "{} as {}: leaks {email} of organisation {owner}",
                                case.name, labels[i]
                            ));
                        }
                    }
                }
            }
        }
    }
    assert!(
        failures.is_empty(),
        "permission matrix:\n{}",
        failures.join("\n")
    );
}

impl Case {
    fn with(self, check: Check) -> Case {
        Case { check, ..self }
    }
}

on_both_backends!(role_endpoint_matrix);

/// The API guide's table of who may do what (docs/api.md) is the one computed from
/// `access::policy`'s rules: a rule changed in the code without the guide fails here.
#[test]
fn the_guide_permission_table_is_the_policy() {
    let doc = std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/docs/api.md"))
        .expect("docs/api.md");
    let (_, rest) = doc
        .split_once("<!-- permissions:begin -->\n")
        .expect("docs/api.md has the permissions markers");
    let (table, _) = rest.split_once("<!-- permissions:end -->").unwrap();
    let expected = itinerance::access::policy::markdown_table();
    assert!(
        table == expected,
        "docs/api.md's table of who may do what is out of date; put this between the markers:\n{expected}"
    );
}
