//! Condition reports, blocking rules, maintenance, wear, retirement and the fleet view.

use chrono::Utc;
use serde_json::{json, Value};

use crate::builders::{day, id_of, BookingBuilder, CopyBuilder, Network, ResourceBuilder};
use crate::common::{Actor, Resp, TestApp};
use crate::on_both_backends;

struct Kit {
    agency: Actor,
    producer: Actor,
    venue: Actor,
    resource_id: i64,
    copy_id: i64,
    /// (id, quantity) of each component.
    components: Vec<(i64, i64)>,
}

/// A kit with two components and one copy in Amiens, a venue in Amiens.
async fn kit(app: &TestApp) -> Kit {
    let Network {
        agency,
        producer,
        venue,
    } = Network::new(app).await;
    let kit = ResourceBuilder::kit("Kit micro:bit")
        .with("themes", json!(["technology_digital"]))
        .with("audiences", json!(["secondary"]))
        .with("turnaround_days", 2)
        .component("Carte micro:bit", 12)
        .component("Câble USB", 12)
        .copy("MB-01")
        .build(app, &producer)
        .await;
    Kit {
        agency,
        producer,
        venue,
        resource_id: kit.id,
        copy_id: kit.copies[0],
        components: kit.components,
    }
}

fn full_count(k: &Kit) -> Value {
    json!(k
        .components
        .iter()
        .map(|(id, q)| json!({"component_id": id, "present_quantity": q, "damaged": 0}))
        .collect::<Vec<_>>())
}

async fn book(app: &TestApp, k: &Kit, start: i64, end: i64) -> i64 {
    let b = BookingBuilder::new(k.resource_id, &k.venue, day(start), day(end))
        .build(app, &k.producer)
        .await;
    id_of(&b)
}

async fn act(app: &TestApp, who: &Actor, booking: i64, action: &str) {
    let res = app.act(who, booking, action).await;
    assert_eq!(res.status, 200, "{action}: {}", res.text);
}

/// `POST /api/v1/copies/{id}/retire` with `reason`.
async fn retire(app: &TestApp, who: &Actor, copy_id: i64, reason: &str) -> Resp {
    app.post(
        &format!("/api/v1/copies/{copy_id}/retire"),
        Some(&who.token),
        json!({"reason": reason}),
    )
    .await
}

/// `POST /api/v1/bookings` by the kit's venue for days `start..=end`, on any copy or on `copy`.
async fn request_booking(app: &TestApp, k: &Kit, start: i64, end: i64, copy: Option<i64>) -> Resp {
    let mut body = json!({"resource_id": k.resource_id, "venue_id": k.venue.org_id,
                          "starts_on": day(start), "ends_on": day(end)});
    if let Some(copy) = copy {
        body["copy_id"] = json!(copy);
    }
    app.post("/api/v1/bookings", Some(&k.venue.token), body)
        .await
}

/// `POST /api/v1/copies/{id}/maintenance` on the kit's copy.
async fn schedule_maintenance(app: &TestApp, who: &Actor, k: &Kit, body: Value) -> Resp {
    app.post(
        &format!("/api/v1/copies/{}/maintenance", k.copy_id),
        Some(&who.token),
        body,
    )
    .await
}

async fn report(app: &TestApp, who: &Actor, k: &Kit, body: Value) -> Resp {
    app.post(
        &format!("/api/v1/copies/{}/condition-reports", k.copy_id),
        Some(&who.token),
        body,
    )
    .await
}

async fn free_periods(app: &TestApp, k: &Kit, from: i64, to: i64) -> Value {
    let res = app
        .get(
            &format!(
                "/api/v1/resources/{}/availability?from={}&to={}",
                k.resource_id,
                day(from),
                day(to)
            ),
            Some(&k.venue.token),
        )
        .await;
    assert_eq!(res.status, 200, "{}", res.text);
    res.body["copies"][0]["free"].clone()
}

async fn missing_component_sends_the_copy_to_maintenance_until_completed(app: TestApp) {
    let k = kit(&app).await;
    let first = book(&app, &k, 10, 12).await;
    let later = book(&app, &k, 40, 45).await;
    act(&app, &k.producer, first, "approve").await;
    act(&app, &k.producer, later, "approve").await;
    act(&app, &k.producer, first, "dispatch").await;
    act(&app, &k.producer, first, "deliver").await;
    // The venue hands the kit back with two cards missing.
    let mut counts = full_count(&k);
    counts[0]["present_quantity"] = json!(10);
    let res = report(
        &app,
        &k.venue,
        &k,
        json!({"booking_id": first, "stage": "return", "grade": 4, "components": counts,
               "notes": "deux cartes perdues"}),
    )
    .await;
    assert_eq!(res.status, 201, "{}", res.text);
    assert_eq!(res.body["passed"], false);
    assert_eq!(res.body["missing_units"], 2);
    let maintenance_id = res.body["maintenance_id"]
        .as_i64()
        .expect("automatic maintenance");
    // The later booking, made before the damage, is flagged; the one being returned is not.
    assert_eq!(res.body["flagged_booking_ids"], json!([later]));
    let flagged = app
        .get(&format!("/api/v1/bookings/{later}"), Some(&k.venue.token))
        .await;
    assert!(flagged.body["flagged_at"].is_string(), "{}", flagged.text);
    assert!(flagged.body["flag_reason"]
        .as_str()
        .unwrap()
        .contains("missing"));
    let first_booking = app
        .get(&format!("/api/v1/bookings/{first}"), Some(&k.venue.token))
        .await;
    assert!(first_booking.body["flagged_at"].is_null());
    // The event waits in the outbox for the notification sender.
    let events = app
        .state
        .run(move |conn| {
            Ok(itinerance::outbox::about(
                conn,
                itinerance::outbox::SubjectType::Booking,
                later,
            )?)
        })
        .await
        .unwrap();
    let flagged: Vec<_> = events
        .iter()
        .filter(|(kind, _)| kind == "booking.flagged")
        .collect();
    assert_eq!(flagged.len(), 1, "{events:?}");

    let copy = app
        .get(
            &format!("/api/v1/copies/{}", k.copy_id),
            Some(&k.venue.token),
        )
        .await;
    assert_eq!(copy.body["status"], "maintenance");
    // Not offered: no free period, no new booking, not found by an availability search.
    assert_eq!(free_periods(&app, &k, 60, 90).await, json!([]));
    let res = request_booking(&app, &k, 70, 72, None).await;
    assert_eq!(res.status, 409, "{}", res.text);
    assert_eq!(res.code(), "booking_conflict");
    let search = app
        .get(
            &format!(
                "/api/v1/resources?available_from={}&available_to={}",
                day(70),
                day(72)
            ),
            Some(&k.venue.token),
        )
        .await;
    assert_eq!(search.body["items"].as_array().unwrap().len(), 0);
    // Asking for that copy by name says why.
    let res = request_booking(&app, &k, 70, 72, Some(k.copy_id)).await;
    assert_eq!(res.status, 422, "{}", res.text);
    assert_eq!(res.fields(), vec!["copy_id"]);
    // A venue joining the waitlist now waits for the copy to come back.
    let entry = app
        .post(
            "/api/v1/waitlist",
            Some(&k.venue.token),
            json!({"resource_id": k.resource_id, "venue_id": k.venue.org_id,
                   "starts_on": day(80), "ends_on": day(81)}),
        )
        .await;
    assert_eq!(entry.status, 201, "{}", entry.text);
    assert_eq!(entry.body["status"], "waiting");

    // Back in service after completion, with its new grade.
    let done = app
        .post(
            &format!("/api/v1/maintenance/{maintenance_id}/complete"),
            Some(&k.producer.token),
            json!({"grade": 5, "cost_cents": 4500, "notes": "cartes remplacées"}),
        )
        .await;
    assert_eq!(done.status, 200, "{}", done.text);
    assert_eq!(done.body["grade_after"], 5);
    assert_eq!(done.body["cost_cents"], 4500);
    let again = app
        .post(
            &format!("/api/v1/maintenance/{maintenance_id}/complete"),
            Some(&k.producer.token),
            json!({"grade": 5}),
        )
        .await;
    assert_eq!(again.status, 409, "{}", again.text);
    assert_eq!(again.code(), "invalid_transition");
    let copy = app
        .get(
            &format!("/api/v1/copies/{}", k.copy_id),
            Some(&k.venue.token),
        )
        .await;
    assert_eq!(copy.body["status"], "available");
    assert_eq!(copy.body["condition_grade"], 5);
    // Completion handed the copy to the waiting venue (80..81, turnaround 2 days).
    let entries = app.get("/api/v1/waitlist", Some(&k.venue.token)).await;
    assert_eq!(entries.body[0]["status"], "fulfilled", "{}", entries.text);
    assert!(entries.body[0]["booking_id"].is_i64());
    assert_eq!(
        free_periods(&app, &k, 60, 90).await,
        json!([{"from": day(60), "to": day(79)}, {"from": day(84), "to": day(90)}])
    );
    assert_eq!(
        app.post(
            "/api/v1/bookings",
            Some(&k.venue.token),
            json!({"resource_id": k.resource_id, "venue_id": k.venue.org_id,
                   "starts_on": day(70), "ends_on": day(72)}),
        )
        .await
        .status,
        201
    );
}

async fn low_grade_and_damage_block_too_and_reports_are_append_only(app: TestApp) {
    let k = kit(&app).await;
    // A passing inspection changes nothing but the grade.
    let ok = report(
        &app,
        &k.producer,
        &k,
        json!({"stage": "inspection", "grade": 4, "components": full_count(&k)}),
    )
    .await;
    assert_eq!(ok.status, 201, "{}", ok.text);
    assert_eq!(ok.body["passed"], true);
    assert!(ok.body.get("maintenance_id").is_none());
    // Grade at the blocking threshold (2) fails even with every unit present.
    let low = report(
        &app,
        &k.producer,
        &k,
        json!({"stage": "inspection", "grade": 2, "components": full_count(&k)}),
    )
    .await;
    assert_eq!(low.body["passed"], false);
    assert!(low.body["maintenance_id"].is_i64());
    // A second failing report reuses the open automatic maintenance.
    let mut damaged = full_count(&k);
    damaged[1]["damaged"] = json!(1);
    let dmg = report(
        &app,
        &k.producer,
        &k,
        json!({"stage": "inspection", "grade": 4, "components": damaged}),
    )
    .await;
    assert_eq!(dmg.body["passed"], false);
    assert_eq!(dmg.body["damaged_units"], 1);
    assert_eq!(dmg.body["maintenance_id"], low.body["maintenance_id"]);
    let list = app
        .get(
            &format!("/api/v1/copies/{}/condition-reports", k.copy_id),
            Some(&k.producer.token),
        )
        .await;
    let grades: Vec<i64> = list
        .body
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["grade"].as_i64().unwrap())
        .collect();
    assert_eq!(grades, vec![4, 2, 4], "every report is kept, in order");
    assert_eq!(list.body[0]["components"].as_array().unwrap().len(), 2);
    // Bad reports change nothing.
    let before = list.body.as_array().unwrap().len();
    let mut too_many = full_count(&k);
    too_many[0]["present_quantity"] = json!(13);
    for (body, field) in [
        (
            json!({"stage": "inspection", "grade": 6, "components": full_count(&k)}),
            "grade",
        ),
        (
            json!({"stage": "inspection", "grade": 3, "components": too_many}),
            "components[0].present_quantity",
        ),
        (
            json!({"stage": "inspection", "grade": 3, "components": [full_count(&k)[0]]}),
            "components",
        ),
        (
            json!({"stage": "inspection", "grade": 3, "components": [{"component_id": 999999, "present_quantity": 1, "damaged": 0}, full_count(&k)[0], full_count(&k)[1]]}),
            "components[0].component_id",
        ),
    ] {
        let res = report(&app, &k.producer, &k, body).await;
        assert_eq!(res.status, 422, "{}", res.text);
        assert_eq!(res.fields(), vec![field.to_string()]);
    }
    let after = app
        .get(
            &format!("/api/v1/copies/{}/condition-reports", k.copy_id),
            Some(&k.producer.token),
        )
        .await;
    assert_eq!(after.body.as_array().unwrap().len(), before);
}

async fn each_stage_is_filed_by_its_side(app: TestApp) {
    let k = kit(&app).await;
    let other_venue = app.venue(&k.agency, "80021").await;
    let booking = book(&app, &k, 10, 12).await;
    act(&app, &k.producer, booking, "approve").await;
    let body = |stage: &str| json!({"booking_id": booking, "stage": stage, "grade": 5, "components": full_count(&k)});
    // Dispatch: the producer, not the venue.
    assert_eq!(
        report(&app, &k.venue, &k, body("dispatch")).await.status,
        403
    );
    assert_eq!(
        report(&app, &k.producer, &k, body("dispatch")).await.status,
        201
    );
    act(&app, &k.producer, booking, "dispatch").await;
    act(&app, &k.producer, booking, "deliver").await;
    // Delivery and return: the venue of the booking, not the producer nor another venue.
    assert_eq!(
        report(&app, &k.producer, &k, body("delivery")).await.status,
        403
    );
    assert_eq!(
        report(&app, &other_venue, &k, body("delivery"))
            .await
            .status,
        403
    );
    assert_eq!(
        report(&app, &k.venue, &k, body("delivery")).await.status,
        201
    );
    assert_eq!(report(&app, &k.venue, &k, body("return")).await.status, 201);
    // Inspection: the producer or the agency.
    let inspection = json!({"stage": "inspection", "grade": 5, "components": full_count(&k)});
    assert_eq!(
        report(&app, &k.venue, &k, inspection.clone()).await.status,
        403
    );
    assert_eq!(report(&app, &k.agency, &k, inspection).await.status, 201);
    // Delivery and return need the booking.
    let res = report(
        &app,
        &k.venue,
        &k,
        json!({"stage": "return", "grade": 5, "components": full_count(&k)}),
    )
    .await;
    assert_eq!(res.status, 422);
    assert_eq!(res.fields(), vec!["booking_id"]);
    // Anonymous.
    assert_eq!(
        app.post(
            &format!("/api/v1/copies/{}/condition-reports", k.copy_id),
            None,
            body("return")
        )
        .await
        .status,
        401
    );
}

async fn a_returned_copy_travels_again_only_after_a_passing_inspection(app: TestApp) {
    let k = kit(&app).await;
    let first = book(&app, &k, 5, 6).await;
    let second = book(&app, &k, 20, 22).await;
    for action in ["approve", "dispatch", "deliver", "return"] {
        act(&app, &k.producer, first, action).await;
    }
    act(&app, &k.producer, second, "approve").await;
    let copy = app
        .get(
            &format!("/api/v1/copies/{}", k.copy_id),
            Some(&k.producer.token),
        )
        .await;
    assert_eq!(copy.body["status"], "available");
    let res = app
        .post(
            &format!("/api/v1/bookings/{second}/dispatch"),
            Some(&k.producer.token),
            json!({}),
        )
        .await;
    assert_eq!(res.status, 409, "{}", res.text);
    assert_eq!(res.code(), "copy_not_ready");
    let fleet = app
        .get(
            &format!("/api/v1/producers/{}/fleet", k.producer.org_id),
            Some(&k.producer.token),
        )
        .await;
    assert_eq!(fleet.body[0]["needs_inspection"], true);
    let res = report(
        &app,
        &k.producer,
        &k,
        json!({"stage": "inspection", "grade": 5, "components": full_count(&k)}),
    )
    .await;
    assert_eq!(res.body["passed"], true);
    // Inspected: what now holds it back is only the first loan's turnaround (issue 25, point 3).
    let res = app.act(&k.producer, second, "dispatch").await;
    assert_eq!(res.code(), "invalid_transition", "{}", res.text);
    assert!(res.body["possible_from"].is_string(), "{}", res.text);
}

async fn scheduled_maintenance_occupies_the_copy_like_a_booking(app: TestApp) {
    let k = kit(&app).await;
    let booking = book(&app, &k, 30, 32).await;
    // Overlapping the booking's occupied period: refused, with the booking named.
    let res = schedule_maintenance(&app, &k.producer, &k, json!({"kind": "refurbishment", "starts_on": day(33), "ends_on": day(40), "cost_cents": 120000})).await;
    assert_eq!(res.status, 409, "{}", res.text);
    assert_eq!(res.code(), "maintenance_conflict");
    assert_eq!(res.body["conflicting_booking_ids"], json!([booking]));
    // After the turnaround (2 days): accepted, and it blocks bookings exactly like one.
    let res = schedule_maintenance(&app, &k.producer, &k, json!({"kind": "refurbishment", "starts_on": day(35), "ends_on": day(40), "cost_cents": 120000, "notes": "panneaux"})).await;
    assert_eq!(res.status, 201, "{}", res.text);
    let free = free_periods(&app, &k, 25, 45).await;
    assert_eq!(
        free,
        json!([{"from": day(25), "to": day(29)}, {"from": day(41), "to": day(45)}])
    );
    let res = request_booking(&app, &k, 38, 39, None).await;
    assert_eq!(res.status, 409, "{}", res.text);
    assert_eq!(res.code(), "booking_conflict");
    // A venue may not schedule maintenance; bad periods are refused.
    let res = schedule_maintenance(
        &app,
        &k.venue,
        &k,
        json!({"kind": "cleaning", "starts_on": day(50), "ends_on": day(51)}),
    )
    .await;
    assert_eq!(res.status, 403);
    let res = schedule_maintenance(
        &app,
        &k.producer,
        &k,
        json!({"kind": "cleaning", "starts_on": day(-3), "ends_on": day(-5), "cost_cents": -1}),
    )
    .await;
    assert_eq!(res.status, 422);
    let mut fields = res.fields();
    fields.sort();
    assert_eq!(fields, vec!["cost_cents", "ends_on", "starts_on"]);
    let list = app
        .get(
            &format!("/api/v1/copies/{}/maintenance", k.copy_id),
            Some(&k.producer.token),
        )
        .await;
    assert_eq!(list.body.as_array().unwrap().len(), 1);
}

/// Writes a scripted history of finished loans straight into the database (the API only takes
/// bookings from today on).
async fn scripted_loans(app: &TestApp, k: &Kit, loans: &[(i64, i64)], handovers_each: usize) {
    use itinerance::booking::store::{self, BookingInsert, EventInsert};
    let (copy_id, resource_id, venue_id) = (k.copy_id, k.resource_id, k.venue.org_id);
    let loans = loans.to_vec();
    app.state
        .run(move |conn| {
            let now = Utc::now().naive_utc();
            for (start, end) in loans {
                let row = store::insert_booking(
                    conn,
                    &BookingInsert {
                        resource_id,
                        copy_id,
                        venue_id,
                        starts_on: day(start),
                        ends_on: day(end),
                        occupied_from: day(start - 1),
                        occupied_to: day(end + 3),
                        delivery_on: day(start - 1),
                        pickup_on: day(end + 1),
                        outbound_days: 1,
                        return_days: 1,
                        distance_km: 50.0,
                        status: itinerance::booking::BookingStatus::Closed,
                        hold_expires_at: None,
                        requested_by: None,
                        waitlist_entry_id: None,
                        created_at: now,
                        updated_at: now,
                    },
                )?;
                for action in ["dispatch", "deliver", "return"]
                    .iter()
                    .take(handovers_each)
                {
                    store::insert_event(
                        conn,
                        &EventInsert {
                            booking_id: row.id,
                            action,
                            from_status: None,
                            to_status: "closed",
                            actor_organization_id: None,
                            actor_user_id: None,
                            actor_api_key_id: None,
                            note: None,
                            created_at: now,
                            system_note: None,
                        },
                    )?;
                }
            }
            Ok(())
        })
        .await
        .unwrap();
}

/// Moves the kit's venue to Villeneuve-d'Ascq (59009), a road leg away from the Amiens depot.
async fn move_venue_to_villeneuve(app: &TestApp, k: &Kit) {
    let moved = app
        .patch(
            &format!("/api/v1/organizations/{}", k.venue.org_id),
            Some(&k.agency.token),
            json!({"commune_insee": "59009"}),
        )
        .await;
    assert_eq!(moved.status, 200, "{}", moved.text);
    assert_eq!(moved.body["commune_insee"], "59009");
}

async fn wear_adds_up_a_scripted_history(app: TestApp) {
    let k = kit(&app).await;
    // The venue sits 'Villeneuve-d'Ascq' away from the Amiens depot.
    move_venue_to_villeneuve(&app, &k).await;
    // Road estimate: great circle × 1.3.
    let leg_km = 1.3 * haversine_km((49.9, 2.3), (50.61669, 3.16664));
    // Three loans of 5, 10 and 3 days, each with its three hand-overs.
    scripted_loans(&app, &k, &[(-400, -396), (-200, -191), (-30, -28)], 3).await;
    let wear = app
        .get(
            &format!("/api/v1/copies/{}/wear", k.copy_id),
            Some(&k.producer.token),
        )
        .await;
    assert_eq!(wear.status, 200, "{}", wear.text);
    assert_eq!(wear.body["loans"], 3);
    assert_eq!(wear.body["days_on_loan"], 18);
    assert_eq!(wear.body["handlings"], 9);
    let km = wear.body["km_travelled"].as_f64().unwrap();
    assert!((km - 6.0 * leg_km).abs() < 0.1, "{km} vs {}", 6.0 * leg_km);
    // Default weights: 1 per loan, 0.1 per day, 0.01 per km, 0.5 per hand-over.
    let expected = 3.0 + 1.8 + 0.01 * 6.0 * leg_km + 4.5;
    let index = wear.body["wear_index"].as_f64().unwrap();
    assert!((index - expected).abs() < 0.01, "{index} vs {expected}");
    // Wear since maintenance is below 25, but the copy has not been maintained for a year? No:
    // it entered service today, so nothing is due.
    assert_eq!(wear.body["maintenance_due"], false);
    // Forecast: the last 12 months hold the 2nd and 3rd loans.
    let recent = (1.0 + 1.0 + 0.02 * leg_km + 1.5) + (1.0 + 0.3 + 0.02 * leg_km + 1.5);
    let days_left = ((200.0 - expected) * 365.0 / recent).ceil() as i64;
    assert_eq!(wear.body["predicted_retirement_on"], json!(day(days_left)));
    // Only the producer and the agency read wear.
    assert_eq!(
        app.get(
            &format!("/api/v1/copies/{}/wear", k.copy_id),
            Some(&k.venue.token)
        )
        .await
        .status,
        403
    );
    assert_eq!(
        app.get(
            &format!("/api/v1/copies/{}/wear", k.copy_id),
            Some(&k.agency.token)
        )
        .await
        .status,
        200
    );
}

async fn maintenance_falls_due_with_wear_and_resets_when_done(app: TestApp) {
    let k = kit(&app).await;
    // Eight loans of ten days with three hand-overs each: 8 × (1 + 1 + 1.5) = 28 ≥ 25.
    let loans: Vec<(i64, i64)> = (0..8).map(|i| (-300 + i * 30, -291 + i * 30)).collect();
    scripted_loans(&app, &k, &loans, 3).await;
    let wear = app
        .get(
            &format!("/api/v1/copies/{}/wear", k.copy_id),
            Some(&k.producer.token),
        )
        .await;
    assert!(
        (wear.body["wear_index"].as_f64().unwrap() - 28.0).abs() < 0.01,
        "{}",
        wear.text
    );
    assert_eq!(wear.body["maintenance_due"], true);
    let m = schedule_maintenance(
        &app,
        &k.producer,
        &k,
        json!({"kind": "cleaning", "starts_on": day(0), "ends_on": day(1)}),
    )
    .await;
    assert_eq!(m.status, 201, "{}", m.text);
    let copy = app
        .get(
            &format!("/api/v1/copies/{}", k.copy_id),
            Some(&k.producer.token),
        )
        .await;
    assert_eq!(
        copy.body["status"], "maintenance",
        "maintenance starting today shows at once"
    );
    let id = m.body["id"].as_i64().unwrap();
    let done = app
        .post(
            &format!("/api/v1/maintenance/{id}/complete"),
            Some(&k.producer.token),
            json!({"grade": 4}),
        )
        .await;
    assert_eq!(done.status, 200, "{}", done.text);
    let wear = app
        .get(
            &format!("/api/v1/copies/{}/wear", k.copy_id),
            Some(&k.producer.token),
        )
        .await;
    assert_eq!(wear.body["wear_since_maintenance"], 0.0);
    assert_eq!(wear.body["maintenance_due"], false);
    // The unused second day is free again.
    assert_eq!(
        free_periods(&app, &k, 1, 3).await,
        json!([{"from": day(1), "to": day(3)}])
    );
}

async fn retired_copies_leave_search_and_flag_their_bookings(app: TestApp) {
    let k = kit(&app).await;
    let booking = book(&app, &k, 20, 22).await;
    let res = retire(&app, &k.producer, k.copy_id, " ").await;
    assert_eq!(res.status, 422);
    let res = retire(&app, &k.venue, k.copy_id, "usé").await;
    assert_eq!(res.status, 403);
    let res = retire(&app, &k.producer, k.copy_id, "boîtier cassé").await;
    assert_eq!(res.status, 200, "{}", res.text);
    assert_eq!(res.body["status"], "retired");
    assert_eq!(res.body["retirement_reason"], "boîtier cassé");
    let flagged = app
        .get(&format!("/api/v1/bookings/{booking}"), Some(&k.venue.token))
        .await;
    assert!(flagged.body["flag_reason"]
        .as_str()
        .unwrap()
        .contains("retired"));
    assert_eq!(free_periods(&app, &k, 30, 40).await, json!([]));
    let search = app
        .get(
            "/api/v1/resources?near=49.9,2.3&radius_km=10",
            Some(&k.venue.token),
        )
        .await;
    assert_eq!(search.body["items"].as_array().unwrap().len(), 0);
    let again = retire(&app, &k.producer, k.copy_id, "x").await;
    assert_eq!(again.status, 409, "{}", again.text);
    assert_eq!(again.code(), "copy_retired");
}

async fn fleet_lists_every_copy_sorted_by_wear_and_as_csv(app: TestApp) {
    let k = kit(&app).await;
    CopyBuilder::default()
        .tag("MB-02")
        .build(&app, &k.producer, k.resource_id)
        .await;
    scripted_loans(&app, &k, &[(-60, -50)], 3).await;
    let booking = book(&app, &k, 15, 16).await;
    let fleet = app
        .get(
            &format!("/api/v1/producers/{}/fleet?sort=wear", k.producer.org_id),
            Some(&k.producer.token),
        )
        .await;
    assert_eq!(fleet.status, 200, "{}", fleet.text);
    let items = fleet.body.as_array().unwrap();
    assert_eq!(items.len(), 2);
    assert_eq!(items[0]["asset_tag"], "MB-01", "the worn copy first");
    assert!(items[0]["wear_index"].as_f64().unwrap() > 0.0);
    assert_eq!(items[1]["wear_index"], 0.0);
    let next: Vec<&Value> = items.iter().map(|i| &i["next_booking_id"]).collect();
    assert!(next.contains(&&json!(booking)));
    let csv = app
        .raw(
            "GET",
            &format!(
                "/api/v1/producers/{}/fleet?sort=asset_tag",
                k.producer.org_id
            ),
            Some(&k.producer.token),
            None,
            Vec::new(),
        )
        .await;
    assert_eq!(csv.status, 200);
    // Accept header variant.
    let csv = fetch_csv(&app, &k).await;
    let lines: Vec<&str> = csv.lines().collect();
    assert_eq!(lines.len(), 3, "{csv}");
    assert!(lines[0].starts_with("copy_id,asset_tag,resource_id,resource_title,status"));
    assert!(lines[1].contains(",MB-01,") && lines[2].contains(",MB-02,"));
    assert!(lines[1].contains("Kit micro:bit"));
    // Only the producer itself and the agency.
    assert_eq!(
        app.get(
            &format!("/api/v1/producers/{}/fleet", k.producer.org_id),
            Some(&k.venue.token)
        )
        .await
        .status,
        404
    );
    assert_eq!(
        app.get(
            &format!("/api/v1/producers/{}/fleet", k.producer.org_id),
            Some(&k.agency.token)
        )
        .await
        .status,
        200
    );
}

async fn fetch_csv(app: &TestApp, k: &Kit) -> String {
    let client = awc::Client::default();
    let mut res = client
        .get(format!(
            "{}/api/v1/producers/{}/fleet?sort=asset_tag",
            app.base, k.producer.org_id
        ))
        .insert_header(("Authorization", format!("Bearer {}", k.producer.token)))
        .insert_header(("Accept", "text/csv"))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status().as_u16(), 200);
    assert!(res
        .headers()
        .get("content-type")
        .unwrap()
        .to_str()
        .unwrap()
        .starts_with("text/csv"));
    String::from_utf8(res.body().await.unwrap().to_vec()).unwrap()
}

fn haversine_km(a: (f64, f64), b: (f64, f64)) -> f64 {
    let (lat1, lon1) = (a.0.to_radians(), a.1.to_radians());
    let (lat2, lon2) = (b.0.to_radians(), b.1.to_radians());
    let h = ((lat2 - lat1) / 2.0).sin().powi(2)
        + lat1.cos() * lat2.cos() * ((lon2 - lon1) / 2.0).sin().powi(2);
    2.0 * 6371.0088 * h.sqrt().asin()
}

on_both_backends!(
    missing_component_sends_the_copy_to_maintenance_until_completed,
    low_grade_and_damage_block_too_and_reports_are_append_only,
    each_stage_is_filed_by_its_side,
    a_returned_copy_travels_again_only_after_a_passing_inspection,
    scheduled_maintenance_occupies_the_copy_like_a_booking,
    wear_adds_up_a_scripted_history,
    maintenance_falls_due_with_wear_and_resets_when_done,
    retired_copies_leave_search_and_flag_their_bookings,
    fleet_lists_every_copy_sorted_by_wear_and_as_csv,
);

async fn joining_a_waitlist_while_a_copy_is_free_books_it_at_once(app: TestApp) {
    let k = kit(&app).await;
    let entry = app
        .post(
            "/api/v1/waitlist",
            Some(&k.venue.token),
            json!({"resource_id": k.resource_id, "venue_id": k.venue.org_id,
                   "starts_on": day(20), "ends_on": day(21)}),
        )
        .await;
    assert_eq!(entry.status, 201, "{}", entry.text);
    assert_eq!(entry.body["status"], "fulfilled");
    let booking = entry.body["booking_id"].as_i64().unwrap();
    let b = app
        .get(&format!("/api/v1/bookings/{booking}"), Some(&k.venue.token))
        .await;
    assert_eq!(b.body["status"], "requested");
    assert_eq!(b.body["waitlist_entry_id"], entry.body["id"]);
}

async fn chained_loans_travel_venue_to_venue(app: TestApp) {
    let k = kit(&app).await;
    move_venue_to_villeneuve(&app, &k).await;
    let leg_km = 1.3 * haversine_km((49.9, 2.3), (50.61669, 3.16664));
    // Two loans at the same venue five days apart: out, a transfer of 0 km, back once.
    scripted_loans(&app, &k, &[(-50, -45), (-40, -38)], 3).await;
    let wear = app
        .get(
            &format!("/api/v1/copies/{}/wear", k.copy_id),
            Some(&k.producer.token),
        )
        .await;
    let km = wear.body["km_travelled"].as_f64().unwrap();
    assert!((km - 2.0 * leg_km).abs() < 0.1, "{km} vs {}", 2.0 * leg_km);
}

mod extra {
    use super::*;
    on_both_backends!(
        joining_a_waitlist_while_a_copy_is_free_books_it_at_once,
        chained_loans_travel_venue_to_venue,
    );
}

async fn copy_status(app: &TestApp, k: &Kit) -> Value {
    let res = app
        .get(
            &format!("/api/v1/copies/{}", k.copy_id),
            Some(&k.producer.token),
        )
        .await;
    assert_eq!(res.status, 200, "{}", res.text);
    res.body["status"].clone()
}

/// Runs the job that starts due maintenance as of `days` from now; returns how many copies it
/// moved into maintenance.
async fn start_due_maintenance_in(app: &TestApp, days: i64) -> usize {
    app.state
        .run(move |conn| {
            let now = Utc::now().naive_utc() + chrono::Duration::days(days);
            itinerance::condition::service::start_due_maintenance(conn, now)
        })
        .await
        .expect("start due maintenance")
}

/// Maintenance scheduled for later leaves the copy available until its first day; then the
/// background job (its function, run as of that day) puts the copy in maintenance, once.
async fn scheduled_maintenance_is_started_by_the_job_on_its_first_day(app: TestApp) {
    let k = kit(&app).await;
    let res = schedule_maintenance(&app, &k.producer, &k, json!({"kind": "refurbishment", "starts_on": day(3), "ends_on": day(5), "cost_cents": 9000})).await;
    assert_eq!(res.status, 201, "{}", res.text);
    assert_eq!(copy_status(&app, &k).await, "available");
    // Every job as the background loop runs them today, then the maintenance one the day before:
    // nothing has started.
    itinerance::jobs::run_once(&app.state)
        .await
        .expect("jobs run");
    assert_eq!(start_due_maintenance_in(&app, 2).await, 0);
    assert_eq!(copy_status(&app, &k).await, "available");
    // On its first day the copy goes into maintenance, and a second run changes nothing.
    assert_eq!(start_due_maintenance_in(&app, 3).await, 1);
    assert_eq!(copy_status(&app, &k).await, "maintenance");
    assert_eq!(start_due_maintenance_in(&app, 4).await, 0);
    assert_eq!(copy_status(&app, &k).await, "maintenance");
}

/// Another producer reads a copy in the catalogue but cannot see its wear or maintenance, nor
/// schedule, complete or retire: 403 where it may read the copy, 404 for what it may not see
/// (a maintenance record, the fleet); nothing changes.
async fn other_producers_cannot_touch_a_producers_copies(app: TestApp) {
    let k = kit(&app).await;
    let stranger = app.producer(&k.agency, "59350").await;
    let scheduled = schedule_maintenance(&app, &k.producer, &k, json!({"kind": "refurbishment", "starts_on": day(10), "ends_on": day(12), "cost_cents": 100})).await;
    assert_eq!(scheduled.status, 201, "{}", scheduled.text);
    let maintenance_id = scheduled.body["id"].as_i64().unwrap();
    let copy = format!("/api/v1/copies/{}", k.copy_id);
    let attempts = [
        ("GET", format!("{copy}/wear"), None, 403, "forbidden"),
        ("GET", format!("{copy}/maintenance"), None, 403, "forbidden"),
        (
            "POST",
            format!("{copy}/maintenance"),
            Some(
                json!({"kind": "repair", "starts_on": day(20), "ends_on": day(21), "cost_cents": 1}),
            ),
            403,
            "forbidden",
        ),
        (
            "POST",
            format!("/api/v1/maintenance/{maintenance_id}/complete"),
            Some(json!({"grade": 5})),
            404,
            "not_found",
        ),
        (
            "POST",
            format!("{copy}/retire"),
            Some(json!({"reason": "volée"})),
            403,
            "forbidden",
        ),
        (
            "GET",
            format!("/api/v1/producers/{}/fleet", k.producer.org_id),
            None,
            404,
            "not_found",
        ),
    ];
    for (method, path, body, status, code) in attempts {
        let res = app.send(method, &path, Some(&stranger.token), body).await;
        assert_eq!(res.status, status, "{method} {path}: {}", res.text);
        assert_eq!(res.code(), code, "{method} {path}");
        assert!(
            !res.text.contains(&k.producer.email),
            "{method} {path}: {}",
            res.text
        );
    }
    // Nothing changed: the copy is in service, with the one maintenance, still to be done.
    assert_eq!(app.get(&copy, Some(&stranger.token)).await.status, 200);
    assert_eq!(copy_status(&app, &k).await, "available");
    let records = app
        .get(&format!("{copy}/maintenance"), Some(&k.producer.token))
        .await;
    assert_eq!(records.status, 200, "{}", records.text);
    let records = records.body.as_array().unwrap().clone();
    assert_eq!(records.len(), 1, "{records:?}");
    assert!(records[0]["completed_at"].is_null(), "{records:?}");
    // The owner's own fleet answers.
    let fleet = app
        .get(
            &format!("/api/v1/producers/{}/fleet", k.producer.org_id),
            Some(&k.producer.token),
        )
        .await;
    assert_eq!(fleet.status, 200, "{}", fleet.text);
}

mod jobs_and_strangers {
    use super::*;
    on_both_backends!(
        scheduled_maintenance_is_started_by_the_job_on_its_first_day,
        other_producers_cannot_touch_a_producers_copies,
    );
}

/// `POST /api/v1/bookings/{id}/clear-flag` with `reason`.
async fn clear_flag(app: &TestApp, who: &Actor, booking: i64, reason: &str) -> Resp {
    app.post(
        &format!("/api/v1/bookings/{booking}/clear-flag"),
        Some(&who.token),
        json!({ "reason": reason }),
    )
    .await
}

/// A count with one card missing and one cable damaged.
fn one_missing_one_damaged(k: &Kit) -> Value {
    let mut counts = full_count(k);
    counts[0]["present_quantity"] = json!(k.components[0].1 - 1);
    counts[1]["damaged"] = json!(1);
    counts
}

/// Issue 25, point 1: a copy found damaged at return stays out of service after the return,
/// until its repair is completed; the booking it can no longer serve stays flagged (a PATCH to
/// the same dates cannot keep it on that copy), is not dispatched, and only its producer lifts
/// the flag, with a reason, audited.
async fn a_damaged_copy_stays_out_of_service_after_its_return(app: TestApp) {
    let k = kit(&app).await;
    let first = book(&app, &k, 10, 12).await;
    let later = book(&app, &k, 40, 45).await;
    act(&app, &k.producer, first, "approve").await;
    act(&app, &k.producer, later, "approve").await;
    act(&app, &k.producer, first, "dispatch").await;
    act(&app, &k.producer, first, "deliver").await;
    let res = report(
        &app,
        &k.venue,
        &k,
        json!({"booking_id": first, "stage": "return", "grade": 4,
               "components": one_missing_one_damaged(&k)}),
    )
    .await;
    assert_eq!(res.status, 201, "{}", res.text);
    let maintenance_id = res.body["maintenance_id"].as_i64().expect("a repair");
    assert_eq!(res.body["flagged_booking_ids"], json!([later]));

    act(&app, &k.producer, first, "return").await;
    assert_eq!(copy_status(&app, &k).await, "maintenance");
    assert_eq!(free_periods(&app, &k, 40, 90).await, json!([]));
    let search = app
        .get(
            &format!(
                "/api/v1/resources?available_from={}&available_to={}",
                day(40),
                day(45)
            ),
            Some(&k.venue.token),
        )
        .await;
    assert_eq!(search.body["items"], json!([]), "{}", search.text);
    // The same dates cannot keep the broken copy: refused, still flagged.
    let res = app
        .patch(
            &format!("/api/v1/bookings/{later}"),
            Some(&k.venue.token),
            json!({"starts_on": day(40), "ends_on": day(45)}),
        )
        .await;
    assert_eq!(res.status, 409, "{}", res.text);
    assert_eq!(res.code(), "booking_conflict");
    let b = app
        .get(&format!("/api/v1/bookings/{later}"), Some(&k.venue.token))
        .await;
    assert!(b.body["flagged_at"].is_string(), "{}", b.text);
    // Not dispatched while flagged or under repair.
    let res = app.act(&k.producer, later, "dispatch").await;
    assert_eq!(res.status, 409, "{}", res.text);
    assert_eq!(res.code(), "copy_not_ready");

    // Only the producer lifts the flag, and says why.
    assert_eq!(clear_flag(&app, &k.venue, later, "ok").await.status, 403);
    let res = clear_flag(&app, &k.producer, later, "  ").await;
    assert_eq!(res.status, 422, "{}", res.text);
    assert_eq!(res.fields(), vec!["reason"]);
    let res = clear_flag(&app, &k.producer, later, "câble remplacé avant le départ").await;
    assert_eq!(res.status, 200, "{}", res.text);
    assert!(res.body["flagged_at"].is_null());
    assert!(res.body["flag_reason"].is_null());
    assert_eq!(
        clear_flag(&app, &k.producer, later, "encore").await.code(),
        "invalid_transition"
    );
    let history = app
        .get(
            &format!("/api/v1/bookings/{later}/history"),
            Some(&k.venue.token),
        )
        .await;
    let last = history.body.as_array().unwrap().last().unwrap().clone();
    assert_eq!(last["action"], "clear_flag");
    assert_eq!(last["note"], "câble remplacé avant le départ");
    let audit = app
        .get(
            &format!("/api/v1/audit?object_type=booking&object_id={later}"),
            Some(&k.agency.token),
        )
        .await;
    assert_eq!(
        audit.body[0]["action"], "booking.flag_cleared",
        "{}",
        audit.text
    );
    assert_eq!(
        audit.body[0]["details"]["reason"],
        "câble remplacé avant le départ"
    );
    // The repair is still open: the copy does not travel yet.
    let res = app.act(&k.producer, later, "dispatch").await;
    assert_eq!(res.code(), "copy_not_ready", "{}", res.text);
    let done = app
        .post(
            &format!("/api/v1/maintenance/{maintenance_id}/complete"),
            Some(&k.producer.token),
            json!({"grade": 5}),
        )
        .await;
    assert_eq!(done.status, 200, "{}", done.text);
    assert_eq!(copy_status(&app, &k).await, "available");
    // Fit again; dispatching it weeks early waits for the first loan's turnaround to end.
    let res = app.act(&k.producer, later, "dispatch").await;
    assert_eq!(res.code(), "invalid_transition", "{}", res.text);
    assert!(res.body["possible_from"].is_string(), "{}", res.text);
}

/// Issue 25, point 1: damage found at delivery, while the copy is out on its loan, keeps it out
/// of service: nothing offers it after the loan, and its return sends it to the workshop.
async fn damage_found_at_delivery_outlasts_the_loan(app: TestApp) {
    let k = kit(&app).await;
    let first = book(&app, &k, 10, 12).await;
    act(&app, &k.producer, first, "approve").await;
    act(&app, &k.producer, first, "dispatch").await;
    let res = report(
        &app,
        &k.venue,
        &k,
        json!({"booking_id": first, "stage": "delivery", "grade": 4,
               "components": one_missing_one_damaged(&k)}),
    )
    .await;
    assert_eq!(res.status, 201, "{}", res.text);
    act(&app, &k.producer, first, "deliver").await;
    assert_eq!(free_periods(&app, &k, 40, 90).await, json!([]));
    let res = request_booking(&app, &k, 40, 45, None).await;
    assert_eq!(res.code(), "booking_conflict", "{}", res.text);
    act(&app, &k.producer, first, "return").await;
    assert_eq!(copy_status(&app, &k).await, "maintenance");
}

mod out_of_service {
    use super::*;
    on_both_backends!(
        a_damaged_copy_stays_out_of_service_after_its_return,
        damage_found_at_delivery_outlasts_the_loan,
    );
}
