//! The audit log (issue 27, finding 6): it shows no more than its reader may read through each
//! object's own route, and the changes an operator is asked about leave their line.

use serde_json::{json, Value};

use crate::builders::{day, id_of, BookingBuilder, Network, ResourceBuilder, AMIENS, VILLAGE};
use crate::common::{Actor, TestApp};
use crate::einvoice::{seller_identity, set_identity};
use crate::on_both_backends;

async fn audit(app: &TestApp, who: &Actor, query: &str) -> Vec<Value> {
    let res = app
        .get(&format!("/api/v1/audit?limit=500{query}"), Some(&who.token))
        .await;
    assert_eq!(res.status, 200, "{}", res.text);
    res.body.as_array().cloned().unwrap_or_default()
}

/// A `read` key of the agency, refused `GET /users`, cannot read users' e-mails through the
/// audit log either: asking for `object_type=user` is refused with the same problem, and in a
/// mixed page the entries about users, API keys and invitations come without their details.
/// The agency's administrator, and a key with `admin`, read them.
async fn the_audit_log_leaks_nothing_its_reader_may_not_read(app: TestApp) {
    let net = Network::new(&app).await;
    let read_key = app.api_key_of(&net.agency).await;
    let admin_key = app.api_key_with(&net.agency, &["read", "admin"]).await;
    // The rule of the object's own route.
    let users = app.get("/api/v1/users", Some(&read_key.token)).await;
    assert_eq!(users.status, 403, "{}", users.text);
    let refused = app
        .get("/api/v1/audit?object_type=user", Some(&read_key.token))
        .await;
    assert_eq!(refused.status, 403, "{}", refused.text);
    assert_eq!(refused.code(), users.code());
    let mixed = audit(&app, &read_key, "").await;
    let about_people: Vec<&Value> = mixed
        .iter()
        .filter(|e| matches!(e["object_type"].as_str(), Some("user" | "api_key")))
        .collect();
    assert!(!about_people.is_empty(), "{mixed:?}");
    for entry in &about_people {
        assert_eq!(entry["redacted"], true, "{entry}");
        assert_eq!(entry["details"], json!({}), "{entry}");
    }
    assert!(
        !serde_json::to_string(&mixed).unwrap().contains('@'),
        "an e-mail shows through a read key: {mixed:?}"
    );
    // Entries about what the key may read keep their details.
    assert!(mixed
        .iter()
        .any(|e| e["object_type"] == "organization" && e["redacted"] == false));
    for reader in [&net.agency, &admin_key] {
        let seen = audit(&app, reader, "&object_type=user").await;
        assert!(
            seen.iter()
                .any(|e| e["details"]["email"] == net.venue.email.as_str()),
            "{seen:?}"
        );
        assert!(seen.iter().all(|e| e["redacted"] == false));
    }
}

/// Calendar-link resets, components, invoices, credit notes and allocation rounds each leave an
/// audit line naming the object and who acted.
async fn every_audited_change_leaves_its_line(app: TestApp) {
    let net = Network::at(&app, AMIENS, VILLAGE).await;
    let reset = app
        .post(
            &format!("/api/v1/venues/{}/calendar-token", net.venue.org_id),
            Some(&net.venue.token),
            json!({}),
        )
        .await;
    assert_eq!(reset.status, 201, "{}", reset.text);
    let kit = ResourceBuilder::kit("Kit audité")
        .copies(2)
        .build(&app, &net.producer)
        .await;
    let component = app
        .post(
            &format!("/api/v1/resources/{}/components", kit.id),
            Some(&net.producer.token),
            json!({"name": "Loupe", "quantity": 4}),
        )
        .await;
    assert_eq!(component.status, 201, "{}", component.text);
    let component_id = id_of(&component.body);
    let changed = app
        .patch(
            &format!("/api/v1/resources/{}/components/{component_id}", kit.id),
            Some(&net.producer.token),
            json!({"quantity": 5}),
        )
        .await;
    assert_eq!(changed.status, 200, "{}", changed.text);
    set_identity(&app, &net.producer, seller_identity()).await;
    let loan = BookingBuilder::new(kit.id, &net.venue, day(10), day(12))
        .status("returned")
        .build(&app, &net.producer)
        .await;
    let invoice = app
        .post(
            &format!("/api/v1/bookings/{}/invoice", id_of(&loan)),
            Some(&net.producer.token),
            json!({}),
        )
        .await;
    assert_eq!(invoice.status, 201, "{}", invoice.text);
    let credit = app
        .post(
            &format!("/api/v1/invoices/{}/credit-note", id_of(&invoice.body)),
            Some(&net.producer.token),
            json!({}),
        )
        .await;
    assert_eq!(credit.status, 201, "{}", credit.text);
    let round = app
        .post(
            "/api/v1/allocation-rounds",
            Some(&net.agency.token),
            json!({"name": "Saison auditée", "period_from": day(30), "period_to": day(120),
                   "resource_ids": [kit.id]}),
        )
        .await;
    assert_eq!(round.status, 201, "{}", round.text);
    let round_id = id_of(&round.body);
    let wish = app
        .post(
            &format!("/api/v1/allocation-rounds/{round_id}/requests"),
            Some(&net.venue.token),
            json!({"venue_id": net.venue.org_id, "resource_id": kit.id,
                   "starts_on": day(40), "ends_on": day(42)}),
        )
        .await;
    assert_eq!(wish.status, 201, "{}", wish.text);
    for step in ["allocate", "confirm"] {
        let res = app
            .post(
                &format!("/api/v1/allocation-rounds/{round_id}/{step}"),
                Some(&net.agency.token),
                json!({"policy": "first_come"}),
            )
            .await;
        assert_eq!(res.status, 200, "{step}: {}", res.text);
    }
    let log = audit(&app, &net.agency, "").await;
    let line = |action: &str, object_type: &str, object_id: i64, by: &Actor| {
        assert!(
            log.iter().any(|e| e["action"] == action
                && e["object_type"] == object_type
                && e["object_id"] == object_id
                && e["actor_organization_id"] == by.org_id
                && e["actor_user_id"] == by.user_id),
            "no {action} line for {object_type} {object_id}: {log:?}"
        );
    };
    line(
        "calendar_link.reset",
        "organization",
        net.venue.org_id,
        &net.venue,
    );
    line(
        "component.created",
        "component",
        component_id,
        &net.producer,
    );
    line(
        "component.updated",
        "component",
        component_id,
        &net.producer,
    );
    line(
        "invoice.issued",
        "invoice",
        id_of(&invoice.body),
        &net.producer,
    );
    line(
        "invoice.credited",
        "invoice",
        id_of(&credit.body),
        &net.producer,
    );
    for action in [
        "allocation_round.created",
        "allocation_round.allocated",
        "allocation_round.confirmed",
    ] {
        line(action, "allocation_round", round_id, &net.agency);
    }
    // Never the calendar secret.
    let token = reset.body["token"].as_str().unwrap();
    assert!(!serde_json::to_string(&log).unwrap().contains(token));
}

on_both_backends!(
    the_audit_log_leaks_nothing_its_reader_may_not_read,
    every_audited_change_leaves_its_line,
);
