//! A copy's service status changes by one path per transition: PATCHing the status does what the
//! dedicated endpoints do (flags, outbox, maintenance record), never a bare write.

use serde_json::json;

use crate::builders::{day, id_of, BookingBuilder, Network, ResourceBuilder};
use crate::common::TestApp;
use crate::on_both_backends;

/// Outbox events about `copy_id`, oldest first.
async fn events_of_copy(app: &TestApp, copy_id: i64) -> Vec<String> {
    use diesel::prelude::*;
    use itinerance::schema::domain_events as e;
    app.state
        .run(move |conn| {
            Ok(e::table
                .filter(e::subject_type.eq("copy"))
                .filter(e::subject_id.eq(copy_id))
                .order(e::id.asc())
                .select(e::kind)
                .load::<String>(conn)?)
        })
        .await
        .unwrap()
}

async fn retiring_by_patch_flags_and_announces_like_the_retire_endpoint(app: TestApp) {
    let net = Network::new(&app).await;
    let trunk = ResourceBuilder::trunk("Malle des étoiles")
        .copies(2)
        .build(&app, &net.producer)
        .await;
    let (by_patch, by_endpoint) = (trunk.copies[0], trunk.copies[1]);
    let mut bookings = Vec::new();
    for copy in [by_patch, by_endpoint] {
        let b = BookingBuilder::new(trunk.id, &net.venue, day(30), day(32))
            .copy(copy)
            .status("approved")
            .build(&app, &net.producer)
            .await;
        bookings.push(id_of(&b));
    }
    let patched = app
        .patch(
            &format!("/api/v1/copies/{by_patch}"),
            Some(&net.producer.token),
            json!({"status": "retired", "retirement_reason": "water damage"}),
        )
        .await;
    assert_eq!(patched.status, 200, "{}", patched.text);
    assert_eq!(patched.body["status"], "retired");
    let retired = app
        .post(
            &format!("/api/v1/copies/{by_endpoint}/retire"),
            Some(&net.producer.token),
            json!({"reason": "water damage"}),
        )
        .await;
    assert_eq!(retired.status, 200, "{}", retired.text);
    for (copy, booking) in [by_patch, by_endpoint].into_iter().zip(bookings) {
        assert_eq!(events_of_copy(&app, copy).await, vec!["copy.retired"]);
        let b = app
            .get(
                &format!("/api/v1/bookings/{booking}"),
                Some(&net.venue.token),
            )
            .await;
        assert!(b.body["flagged_at"].is_string(), "{}", b.text);
        assert_eq!(b.body["flag_reason"], "copy retired: water damage");
    }
}

async fn maintenance_by_patch_opens_a_record_and_available_completes_it(app: TestApp) {
    let net = Network::new(&app).await;
    let trunk = ResourceBuilder::trunk("Malle des marées")
        .copies(1)
        .build(&app, &net.producer)
        .await;
    let copy = trunk.copies[0];
    let booking = BookingBuilder::new(trunk.id, &net.venue, day(30), day(32))
        .status("approved")
        .build(&app, &net.producer)
        .await;
    let path = format!("/api/v1/copies/{copy}");
    let res = app
        .patch(
            &path,
            Some(&net.producer.token),
            json!({"status": "maintenance"}),
        )
        .await;
    assert_eq!(res.status, 200, "{}", res.text);
    assert_eq!(res.body["status"], "maintenance");
    assert_eq!(events_of_copy(&app, copy).await, vec!["copy.maintenance"]);
    let records = app
        .get(&format!("{path}/maintenance"), Some(&net.producer.token))
        .await;
    let records = records.body.as_array().unwrap().clone();
    assert_eq!(records.len(), 1, "an open maintenance record");
    let flagged = app
        .get(
            &format!("/api/v1/bookings/{}", id_of(&booking)),
            Some(&net.venue.token),
        )
        .await;
    assert!(flagged.body["flagged_at"].is_string());

    // Back to service by PATCH: the open record is completed, as its completion endpoint would.
    let back = app
        .patch(
            &path,
            Some(&net.producer.token),
            json!({"status": "available"}),
        )
        .await;
    assert_eq!(back.status, 200, "{}", back.text);
    assert_eq!(back.body["status"], "available");
    let records = app
        .get(&format!("{path}/maintenance"), Some(&net.producer.token))
        .await;
    let record = &records.body.as_array().unwrap()[0];
    assert!(record["completed_at"].is_string(), "{record}");
    let again = app
        .post(
            &format!("/api/v1/maintenance/{}/complete", id_of(record)),
            Some(&net.producer.token),
            json!({"grade": 4}),
        )
        .await;
    assert_eq!(again.status, 409, "{}", again.text);
    assert_eq!(again.code(), "invalid_transition");
}

/// Scheduling over another maintenance is refused, naming it (the conflict used to list only
/// bookings, found in memory among the copy's first 100).
async fn a_maintenance_conflict_names_bookings_and_maintenance(app: TestApp) {
    let net = Network::new(&app).await;
    let trunk = ResourceBuilder::trunk("Malle des volcans")
        .copies(1)
        .build(&app, &net.producer)
        .await;
    let copy = trunk.copies[0];
    let path = format!("/api/v1/copies/{copy}/maintenance");
    let first = app
        .post(
            &path,
            Some(&net.producer.token),
            json!({"kind": "cleaning", "starts_on": day(40), "ends_on": day(45), "cost_cents": 0, "notes": ""}),
        )
        .await;
    assert_eq!(first.status, 201, "{}", first.text);
    let booking = BookingBuilder::new(trunk.id, &net.venue, day(80), day(82))
        .build(&app, &net.producer)
        .await;
    let over_both = app
        .post(
            &path,
            Some(&net.producer.token),
            json!({"kind": "repair", "starts_on": day(43), "ends_on": day(90), "cost_cents": 0, "notes": ""}),
        )
        .await;
    assert_eq!(over_both.status, 409, "{}", over_both.text);
    assert_eq!(over_both.code(), "maintenance_conflict");
    assert_eq!(
        over_both.body["conflicting_maintenance_ids"],
        json!([id_of(&first.body)])
    );
    assert_eq!(
        over_both.body["conflicting_booking_ids"],
        json!([id_of(&booking)])
    );
}

on_both_backends!(
    a_maintenance_conflict_names_bookings_and_maintenance,
    retiring_by_patch_flags_and_announces_like_the_retire_endpoint,
    maintenance_by_patch_opens_a_record_and_available_completes_it,
);
