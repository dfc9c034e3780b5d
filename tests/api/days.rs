//! The venue's real week (issue 25, point 2): deliveries and pick-ups on days the venue and the
//! depot are open, set-up days counted on open days, `venue_closed` when nothing fits, school
//! holidays (the calendar, a school closed during them, the observatory's counts).

use chrono::{Datelike, Duration, NaiveDate, Weekday};
use serde_json::{json, Value};

use crate::builders::{day, id_of, BookingBuilder, Network, ResourceBuilder, AMIENS, VILLAGE};
use crate::common::{Actor, TestApp};
use crate::on_both_backends;

/// The first `weekday` at least `n` days from today.
fn next(weekday: Weekday, n: i64) -> NaiveDate {
    let mut d = day(n);
    while d.weekday() != weekday {
        d += Duration::days(1);
    }
    d
}

/// Weekly hours 09:00–18:00 on these days.
fn week(days: &[&str]) -> Value {
    json!(days
        .iter()
        .map(|d| json!({"weekday": d, "opens": "09:00", "closes": "18:00"}))
        .collect::<Vec<_>>())
}

const TUE_SAT: [&str; 5] = ["tuesday", "wednesday", "thursday", "friday", "saturday"];

async fn set_hours(app: &TestApp, who: &Actor, body: Value) {
    let res = app
        .send(
            "PUT",
            &format!("/api/v1/organizations/{}/opening-hours", who.org_id),
            Some(&who.token),
            Some(body),
        )
        .await;
    assert_eq!(res.status, 200, "{}", res.text);
}

fn date(v: &Value) -> NaiveDate {
    v.as_str()
        .and_then(|s| s.parse().ok())
        .unwrap_or_else(|| panic!("not a date: {v}"))
}

async fn request(
    app: &TestApp,
    venue: &Actor,
    resource: i64,
    from: NaiveDate,
    to: NaiveDate,
) -> crate::common::Resp {
    app.post(
        "/api/v1/bookings",
        Some(&venue.token),
        json!({"resource_id": resource, "venue_id": venue.org_id, "starts_on": from, "ends_on": to}),
    )
    .await
}

/// A loan from Tuesday at a venue open Tuesday to Saturday is delivered on the Tuesday (the
/// natural day, Monday, is closed; Saturday is further away and holds the copy longer), and the
/// occupation starts that day; a venue without declared hours keeps the Monday.
async fn a_tuesday_start_at_a_tuesday_to_saturday_venue_is_delivered_on_tuesday(app: TestApp) {
    let net = Network::at(&app, AMIENS, VILLAGE).await;
    let open_always = app.venue(&net.agency, VILLAGE).await;
    set_hours(&app, &net.venue, json!({"weekly": week(&TUE_SAT)})).await;
    let trunk = ResourceBuilder::trunk("Malle de la semaine")
        .copies(2)
        .build(&app, &net.producer)
        .await;
    let tuesday = next(Weekday::Tue, 14);
    let b = BookingBuilder::new(trunk.id, &net.venue, tuesday, tuesday + Duration::days(2))
        .build(&app, &net.producer)
        .await;
    assert_eq!(date(&b["delivery_on"]), tuesday, "{b}");
    assert_eq!(date(&b["occupied_from"]), tuesday, "{b}");
    // Use ends Thursday: picked up Friday, an open day.
    assert_eq!(date(&b["pickup_on"]), tuesday + Duration::days(3), "{b}");
    let other = BookingBuilder::new(trunk.id, &open_always, tuesday, tuesday + Duration::days(2))
        .build(&app, &net.producer)
        .await;
    assert_eq!(
        date(&other["delivery_on"]),
        tuesday - Duration::days(1),
        "{other}"
    );
    assert_eq!(date(&other["occupied_from"]), tuesday - Duration::days(1));
}

/// A model needing a set-up day is set up on the Saturday before a Tuesday start (Sunday and
/// Monday are closed) and delivered the day before, Friday; when the depot is closed on Fridays
/// the delivery moves to Thursday, the nearest day both are open. Take-down likewise skips the
/// closed days after a Saturday end.
async fn set_up_days_skip_closed_days(app: TestApp) {
    let net = Network::at(&app, AMIENS, VILLAGE).await;
    set_hours(&app, &net.venue, json!({"weekly": week(&TUE_SAT)})).await;
    let kit = ResourceBuilder::kit("Maquette à monter")
        .with("setup_days", 1)
        .copies(2)
        .build(&app, &net.producer)
        .await;
    let tuesday = next(Weekday::Tue, 14);
    let saturday = tuesday + Duration::days(4);
    let b = BookingBuilder::new(kit.id, &net.venue, tuesday, saturday)
        .build(&app, &net.producer)
        .await;
    assert_eq!(date(&b["delivery_on"]), tuesday - Duration::days(4), "{b}");
    assert_eq!(
        date(&b["occupied_from"]),
        tuesday - Duration::days(4),
        "{b}"
    );
    // Take-down on the next Tuesday, pick-up on Wednesday.
    assert_eq!(date(&b["pickup_on"]), saturday + Duration::days(4), "{b}");

    set_hours(
        &app,
        &net.producer,
        json!({"weekly": week(&["monday", "tuesday", "wednesday", "thursday"])}),
    )
    .await;
    let next_week = tuesday + Duration::days(21);
    let b = BookingBuilder::new(kit.id, &net.venue, next_week, next_week + Duration::days(1))
        .build(&app, &net.producer)
        .await;
    assert_eq!(
        date(&b["delivery_on"]),
        next_week - Duration::days(5),
        "{b}"
    );
}

/// When no day near the dates is open, the request is refused with 422 `venue_closed` naming
/// the days, and so is a date change onto them; nothing is booked.
async fn no_open_day_refuses_with_venue_closed(app: TestApp) {
    let net = Network::at(&app, AMIENS, VILLAGE).await;
    let trunk = ResourceBuilder::trunk("Malle fermée")
        .copies(1)
        .build(&app, &net.producer)
        .await;
    let start = day(40);
    let closed: Vec<Value> = (0..=20)
        .map(|n| json!({"date": start - Duration::days(n), "note": "travaux"}))
        .collect();
    set_hours(
        &app,
        &net.venue,
        json!({"weekly": week(&TUE_SAT), "exceptions": closed}),
    )
    .await;
    let res = request(&app, &net.venue, trunk.id, start, start + Duration::days(2)).await;
    assert_eq!(res.status, 422, "{}", res.text);
    assert_eq!(res.code(), "venue_closed");
    assert_eq!(res.body["step"], "delivery", "{}", res.text);
    let days = res.body["closed_days"].as_array().unwrap();
    assert!(
        days.contains(&json!(start - Duration::days(1))),
        "{}",
        res.text
    );
    assert!(days.contains(&json!(start)), "{}", res.text);
    assert!(res.text.contains(&(start - Duration::days(1)).to_string()));
    let list = app
        .get("/api/v1/bookings?limit=500", Some(&net.venue.token))
        .await;
    assert_eq!(list.body.as_array().map(Vec::len), Some(0), "{}", list.text);

    // Booked later, then moved onto the closed days: refused, the booking unchanged.
    let later = start + Duration::days(20);
    let b = BookingBuilder::new(trunk.id, &net.venue, later, later + Duration::days(2))
        .build(&app, &net.producer)
        .await;
    let res = app
        .send(
            "PATCH",
            &format!("/api/v1/bookings/{}", id_of(&b)),
            Some(&net.venue.token),
            Some(json!({"starts_on": start, "ends_on": start + Duration::days(2)})),
        )
        .await;
    assert_eq!(res.status, 422, "{}", res.text);
    assert_eq!(res.code(), "venue_closed");
    let again = app
        .get(
            &format!("/api/v1/bookings/{}", id_of(&b)),
            Some(&net.venue.token),
        )
        .await;
    assert_eq!(again.body["starts_on"], json!(later));
}

/// The first zone-B holiday starting at least `n` days from today.
async fn holiday_b(app: &TestApp, n: i64) -> (NaiveDate, NaiveDate) {
    let res = app
        .get(
            &format!("/api/v1/school-holidays?zone=B&from={}", day(n)),
            None,
        )
        .await;
    assert_eq!(res.status, 200, "{}", res.text);
    let first = res
        .body
        .as_array()
        .unwrap()
        .iter()
        .find(|h| date(&h["starts_on"]) >= day(n) && h["description"] != "Pont de l'Ascension")
        .cloned()
        .expect("a holiday ahead");
    (date(&first["starts_on"]), date(&first["ends_on"]))
}

/// A school (`school_holidays: closed`, Amiens: zone B) takes no delivery during the holidays:
/// a loan starting the day school resumes is delivered that morning, not on the last day of the
/// holidays as at a venue that ignores them.
async fn a_school_closed_in_holidays_takes_no_delivery_then(app: TestApp) {
    let net = Network::at(&app, AMIENS, VILLAGE).await;
    let school = app.venue(&net.agency, VILLAGE).await;
    let res = app
        .send(
            "PATCH",
            &format!("/api/v1/organizations/{}", school.org_id),
            Some(&school.token),
            Some(json!({"school_holidays": "closed"})),
        )
        .await;
    assert_eq!(res.status, 200, "{}", res.text);
    assert_eq!(res.body["school_holidays"], "closed");
    assert_eq!(res.body["school_zone"], "B");
    let plain = app
        .get(
            &format!("/api/v1/organizations/{}", net.venue.org_id),
            Some(&net.venue.token),
        )
        .await;
    assert_eq!(plain.body["school_holidays"], "ignore");

    let (_, last) = holiday_b(&app, 3).await;
    let back = last + Duration::days(1);
    let trunk = ResourceBuilder::trunk("Malle de la rentrée")
        .copies(2)
        .build(&app, &net.producer)
        .await;
    let b = BookingBuilder::new(trunk.id, &school, back, back + Duration::days(2))
        .build(&app, &net.producer)
        .await;
    assert_eq!(date(&b["delivery_on"]), back, "{b}");
    let other = BookingBuilder::new(trunk.id, &net.venue, back, back + Duration::days(2))
        .build(&app, &net.producer)
        .await;
    assert_eq!(date(&other["delivery_on"]), last, "{other}");
}

/// `GET /api/v1/school-holidays`: the national calendar by zone and range, public, checked.
async fn the_school_holidays_endpoint_lists_the_calendar(app: TestApp) {
    let res = app
        .get(
            "/api/v1/school-holidays?zone=B&from=2027-01-01&to=2027-12-31",
            None,
        )
        .await;
    assert_eq!(res.status, 200, "{}", res.text);
    let list = res.body.as_array().unwrap();
    assert!(list.iter().all(|h| h["zone"] == "B"), "{}", res.text);
    assert!(
        list.contains(&json!({"zone": "B", "description": "Vacances d'hiver",
                              "starts_on": "2027-02-20", "ends_on": "2027-03-07"})),
        "{}",
        res.text
    );
    // The Christmas holidays of 2026 end in 2027: they touch the range.
    assert_eq!(list[0]["starts_on"], "2026-12-19", "{}", res.text);
    let all = app
        .get(
            "/api/v1/school-holidays?from=2027-02-01&to=2027-02-28",
            None,
        )
        .await;
    let zones: Vec<&str> = all
        .body
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|h| h["zone"].as_str())
        .collect();
    assert_eq!(zones, vec!["C", "A", "B"], "{}", all.text);
    let wide = app.get("/api/v1/school-holidays?zone=C", None).await;
    let years: Vec<&str> = wide
        .body
        .as_array()
        .unwrap()
        .iter()
        .filter(|h| h["description"] == "Vacances de Noël")
        .filter_map(|h| h["starts_on"].as_str())
        .collect();
    assert!(years.len() >= 5, "2023 to 2027: {years:?}");
    let res = app.get("/api/v1/school-holidays?zone=D", None).await;
    assert_eq!(res.status, 422, "{}", res.text);
    let res = app
        .get(
            "/api/v1/school-holidays?from=2027-03-01&to=2027-02-01",
            None,
        )
        .await;
    assert_eq!(res.status, 422, "{}", res.text);
}

/// The observatory counts the loans of a year in school time and in school holidays (the
/// venue's zone; most days of use decide).
async fn the_observatory_counts_loans_in_school_time_and_in_holidays(app: TestApp) {
    let net = Network::at(&app, AMIENS, VILLAGE).await;
    let trunk = ResourceBuilder::trunk("Malle des vacances")
        .copies(3)
        .build(&app, &net.producer)
        .await;
    let (first, last) = holiday_b(&app, 3).await;
    let in_holidays = (first + Duration::days(1), first + Duration::days(3));
    let in_school = (last + Duration::days(3), last + Duration::days(5));
    // Two days of holidays out of three: a holiday loan.
    let straddling = (last - Duration::days(1), last + Duration::days(1));
    for (copy, (from, to)) in trunk
        .copies
        .iter()
        .zip([in_holidays, in_school, straddling])
    {
        BookingBuilder::new(trunk.id, &net.venue, from, to)
            .copy(*copy)
            .status("delivered")
            .build(&app, &net.producer)
            .await;
    }
    let (mut school, mut holidays) = (0, 0);
    for year in [first.year(), last.year() + 1] {
        let res = app
            .get(
                &format!(
                    "/api/v1/observatory?from_year={}&to_year={year}",
                    first.year()
                ),
                None,
            )
            .await;
        assert_eq!(res.status, 200, "{}", res.text);
        if year == last.year() + 1 {
            for y in res.body["years"].as_array().unwrap() {
                school += y["loans_in_school_time"].as_i64().unwrap();
                holidays += y["loans_in_school_holidays"].as_i64().unwrap();
            }
        }
    }
    assert_eq!((school, holidays), (1, 2));
}

on_both_backends!(
    a_tuesday_start_at_a_tuesday_to_saturday_venue_is_delivered_on_tuesday,
    set_up_days_skip_closed_days,
    no_open_day_refuses_with_venue_closed,
    a_school_closed_in_holidays_takes_no_delivery_then,
    the_school_holidays_endpoint_lists_the_calendar,
    the_observatory_counts_loans_in_school_time_and_in_holidays,
);
