//! Money: tariffs, the pricing policy, quotes frozen on approval, subsidy budgets never overdrawn
//! under concurrent approvals, invoices numbered without gaps under concurrent invoicing, credit
//! notes, damage and the Factur-X XML.

use futures_util::future::join_all;
use serde_json::{json, Value};

use crate::builders::{day, id_of, BookingBuilder, Network, ResourceBuilder, AMIENS, VILLAGE};
use crate::common::{Actor, TestApp};
use crate::on_both_backends;

async fn put(app: &TestApp, path: &str, token: &str, body: Value) -> crate::common::Resp {
    app.send("PUT", path, Some(token), Some(body)).await
}

async fn producers_set_tariffs_that_everyone_reads(app: TestApp) {
    let net = Network::new(&app).await;
    let other = app.producer(&net.agency, AMIENS).await;
    let trunk = ResourceBuilder::trunk("Malle du sol")
        .copies(1)
        .build(&app, &net.producer)
        .await;
    let path = format!("/api/v1/resources/{}/tariff", trunk.id);
    let zero = json!({"per_loan_cents": 0, "per_week_cents": 0, "deposit_cents": 0});
    let res = app.get(&path, Some(&net.venue.token)).await;
    assert_eq!(
        (res.status, &res.body),
        (200, &zero),
        "no tariff: lent free"
    );

    let tariff = json!({"per_loan_cents": 15000, "per_week_cents": 8000, "deposit_cents": 50000});
    let res = put(&app, &path, &net.producer.token, tariff.clone()).await;
    assert_eq!(res.status, 200, "{}", res.text);
    assert_eq!(res.body, tariff);
    for reader in [&net.venue, &other, &net.agency] {
        let res = app.get(&path, Some(&reader.token)).await;
        assert_eq!(res.body, tariff);
    }
    // Setting it again replaces it; the agency may too.
    let cheaper = json!({"per_loan_cents": 10000, "per_week_cents": 5000, "deposit_cents": 0});
    assert_eq!(
        put(&app, &path, &net.agency.token, cheaper.clone())
            .await
            .status,
        200
    );
    assert_eq!(app.get(&path, Some(&net.venue.token)).await.body, cheaper);

    // Nobody else writes it, and bad amounts change nothing.
    for intruder in [&other, &net.venue] {
        let res = put(&app, &path, &intruder.token, tariff.clone()).await;
        assert_eq!(res.status, 403, "{}", res.text);
        assert_eq!(res.code(), "forbidden");
    }
    let res = put(
        &app,
        &path,
        &net.producer.token,
        json!({"per_loan_cents": -1, "per_week_cents": 100000001, "deposit_cents": 0}),
    )
    .await;
    assert_eq!(res.status, 422, "{}", res.text);
    assert_eq!(res.fields(), vec!["per_loan_cents", "per_week_cents"]);
    let res = put(
        &app,
        &path,
        &net.producer.token,
        json!({"per_loan_cents": 1}),
    )
    .await;
    assert_eq!(res.status, 400, "a tariff names all three amounts");
    assert_eq!(app.get(&path, Some(&net.venue.token)).await.body, cheaper);

    let res = app
        .get("/api/v1/resources/999999/tariff", Some(&net.venue.token))
        .await;
    assert_eq!(res.status, 404);
    let res = app.get(&path, None).await;
    assert_eq!(res.status, 401);
}

async fn the_agency_sets_the_pricing_policy(app: TestApp) {
    let net = Network::new(&app).await;
    let res = app
        .get("/api/v1/pricing-policy", Some(&net.venue.token))
        .await;
    assert_eq!(res.status, 200, "{}", res.text);
    let full = json!({"village": 100, "small_town": 100, "medium_town": 100, "large_city": 100});
    assert_eq!(
        res.body,
        json!({"class_rate_percent": full, "transport_recharge_percent": full}),
        "until the agency sets it, every class pays the full price"
    );
    let rural = json!({
        "class_rate_percent": {"village": 40, "small_town": 70, "medium_town": 100, "large_city": 100},
        "transport_recharge_percent": {"village": 0, "small_town": 50, "medium_town": 100, "large_city": 100}
    });
    let res = put(
        &app,
        "/api/v1/pricing-policy",
        &net.agency.token,
        rural.clone(),
    )
    .await;
    assert_eq!(res.status, 200, "{}", res.text);
    assert_eq!(res.body, rural);
    assert_eq!(
        app.get("/api/v1/pricing-policy", Some(&net.producer.token))
            .await
            .body,
        rural
    );

    for intruder in [&net.producer, &net.venue] {
        let res = put(
            &app,
            "/api/v1/pricing-policy",
            &intruder.token,
            json!({
            "class_rate_percent": full, "transport_recharge_percent": full}),
        )
        .await;
        assert_eq!(res.status, 403, "{}", res.text);
    }
    let bad = json!({
        "class_rate_percent": {"village": 101, "small_town": 70, "medium_town": 100, "large_city": 100},
        "transport_recharge_percent": {"village": -1, "small_town": 50, "medium_town": 100, "large_city": 100}
    });
    let res = put(&app, "/api/v1/pricing-policy", &net.agency.token, bad).await;
    assert_eq!(res.status, 422, "{}", res.text);
    assert_eq!(
        res.fields(),
        vec![
            "class_rate_percent.village",
            "transport_recharge_percent.village"
        ]
    );
    assert_eq!(
        app.get("/api/v1/pricing-policy", Some(&net.agency.token))
            .await
            .body,
        rural,
        "a refused policy changes nothing"
    );
}

/// Rural rates: villages pay 40 % of the rental and half the transport.
const RURAL: &str = r#"{
    "class_rate_percent": {"village": 40, "small_town": 70, "medium_town": 100, "large_city": 100},
    "transport_recharge_percent": {"village": 50, "small_town": 75, "medium_town": 100, "large_city": 100}
}"#;

/// 150 € per loan, 80 € per started week, 500 € deposit.
fn tariff() -> Value {
    json!({"per_loan_cents": 15000, "per_week_cents": 8000, "deposit_cents": 50000})
}

async fn set_prices(app: &TestApp, net: &Network, resource_id: i64) {
    let policy: Value = serde_json::from_str(RURAL).unwrap();
    assert_eq!(
        put(app, "/api/v1/pricing-policy", &net.agency.token, policy)
            .await
            .status,
        200
    );
    let path = format!("/api/v1/resources/{resource_id}/tariff");
    assert_eq!(
        put(app, &path, &net.producer.token, tariff()).await.status,
        200
    );
}

/// A programme as it stands now.
async fn budget_of(app: &TestApp, who: &Actor, program: &Value) -> Value {
    let res = app
        .get(
            &format!("/api/v1/subsidy-programs/{}", id_of(program)),
            Some(&who.token),
        )
        .await;
    assert_eq!(res.status, 200, "{}", res.text);
    res.body
}

async fn invoice(app: &TestApp, who: &Actor, booking_id: i64) -> crate::common::Resp {
    app.send(
        "POST",
        &format!("/api/v1/bookings/{booking_id}/invoice"),
        Some(&who.token),
        None,
    )
    .await
}

async fn program(app: &TestApp, agency: &Actor, body: Value) -> Value {
    let res = app
        .post("/api/v1/subsidy-programs", Some(&agency.token), body)
        .await;
    assert_eq!(res.status, 201, "{}", res.text);
    res.body
}

fn villages_program(rate: i64, budget: i64) -> Value {
    json!({"name": "Villages", "funder": "Région Hauts-de-France", "rate_percent": rate,
           "budget_cents": budget, "valid_from": day(0), "valid_to": day(400),
           "commune_classes": ["village"]})
}

fn line(quote: &Value, kind: &str) -> i64 {
    quote["lines"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|l| l["kind"] == kind)
        .map(|l| l["amount_cents"].as_i64().unwrap())
        .sum()
}

/// Half away from zero, as the contract rounds.
fn pct(amount: i64, percent: i64) -> i64 {
    let p = amount * percent;
    if p >= 0 {
        (p + 50) / 100
    } else {
        (p - 50) / 100
    }
}

/// The contract's formula, recomputed here from the legs the API shows.
async fn quotes_follow_the_formula_and_freeze_on_approval(app: TestApp) {
    let net = Network::at(&app, AMIENS, VILLAGE).await;
    let trunk = ResourceBuilder::trunk("Malle de l'eau")
        .copies(1)
        .build(&app, &net.producer)
        .await;
    set_prices(&app, &net, trunk.id).await;
    let villages = program(&app, &net.agency, villages_program(50, 1_000_000)).await;
    let (starts, ends) = (day(30), day(39)); // 10 days: 2 started weeks

    let preview = app
        .get(
            &format!(
                "/api/v1/resources/{}/quote?starts_on={starts}&ends_on={ends}",
                trunk.id
            ),
            Some(&net.venue.token),
        )
        .await;
    assert_eq!(preview.status, 200, "{}", preview.text);
    assert_eq!(preview.body["booking_id"], Value::Null);
    assert_eq!(
        (
            preview.body["days"].as_i64(),
            preview.body["weeks"].as_i64()
        ),
        (Some(10), Some(2))
    );
    assert_eq!(
        app.get("/api/v1/subsidy-programs", Some(&net.agency.token))
            .await
            .body[0]["committed_cents"],
        0,
        "a preview commits nothing"
    );

    let booking = BookingBuilder::new(trunk.id, &net.venue, starts, ends)
        .build(&app, &net.producer)
        .await;
    let id = id_of(&booking);
    let legs = app
        .get(
            &format!("/api/v1/bookings/{id}/legs"),
            Some(&net.venue.token),
        )
        .await;
    assert_eq!(legs.status, 200, "{}", legs.text);
    let legs_cost: i64 = legs
        .body
        .as_array()
        .unwrap()
        .iter()
        .map(|l| l["cost_cents"].as_i64().unwrap())
        .sum();
    let rental = 15000 + 8000 * 2;
    let discount = -pct(rental, 60);
    let transport = pct(legs_cost, 50);
    let subsidy = -pct(rental + discount + transport, 50);
    let expected = json!([rental, discount, transport, subsidy]);

    let quote = app
        .get(
            &format!("/api/v1/bookings/{id}/quote"),
            Some(&net.venue.token),
        )
        .await;
    assert_eq!(quote.status, 200, "{}", quote.text);
    let q = &quote.body;
    let got = json!([
        line(q, "rental"),
        line(q, "class_discount"),
        line(q, "transport"),
        line(q, "subsidy")
    ]);
    assert_eq!(got, expected, "{q}");
    assert_eq!(q["total_cents"], rental + discount + transport + subsidy);
    assert_eq!(q["deposit_cents"], 50000);
    assert_eq!(q["currency"], "EUR");
    assert_eq!(q["frozen_at"], Value::Null);
    assert_eq!(q["subsidy_program_id"], villages["id"]);
    assert_eq!(
        preview.body["total_cents"], q["total_cents"],
        "one copy, no chaining: the preview is the quote"
    );

    // Approval freezes it and commits the subsidy.
    app.act_ok(&net.producer, id, "approve", "approved").await;
    let frozen = app
        .get(
            &format!("/api/v1/bookings/{id}/quote"),
            Some(&net.producer.token),
        )
        .await
        .body;
    assert!(frozen["frozen_at"].as_str().unwrap().ends_with('Z'));
    let p = budget_of(&app, &net.venue, &villages).await;
    assert_eq!(p["committed_cents"], -subsidy);
    assert_eq!(p["remaining_cents"], 1_000_000 + subsidy);
    // A new tariff does not move a frozen quote...
    let path = format!("/api/v1/resources/{}/tariff", trunk.id);
    put(
        &app,
        &path,
        &net.producer.token,
        json!({"per_loan_cents": 99900, "per_week_cents": 0, "deposit_cents": 0}),
    )
    .await;
    let again = app
        .get(
            &format!("/api/v1/bookings/{id}/quote"),
            Some(&net.venue.token),
        )
        .await
        .body;
    assert_eq!(again["lines"], frozen["lines"]);
    assert_eq!(again["total_cents"], frozen["total_cents"]);
    // ...and others cannot see it.
    let stranger = app.venue(&net.agency, AMIENS).await;
    assert_eq!(
        app.get(
            &format!("/api/v1/bookings/{id}/quote"),
            Some(&stranger.token)
        )
        .await
        .status,
        404
    );
    let res = app
        .get(
            &format!(
                "/api/v1/resources/{}/quote?venue_id={}&starts_on={starts}&ends_on={ends}",
                trunk.id, net.venue.org_id
            ),
            Some(&stranger.token),
        )
        .await;
    assert_eq!(res.status, 403, "{}", res.text);
    let res = app
        .get(
            &format!(
                "/api/v1/resources/{}/quote?starts_on={ends}&ends_on={starts}",
                trunk.id
            ),
            Some(&net.venue.token),
        )
        .await;
    assert_eq!(res.status, 422, "{}", res.text);

    // A city venue pays full price and gets no village subsidy.
    let city = app.venue(&net.agency, AMIENS).await;
    let res = app
        .get(
            &format!(
                "/api/v1/resources/{}/quote?starts_on={starts}&ends_on={ends}",
                trunk.id
            ),
            Some(&city.token),
        )
        .await;
    assert_eq!(line(&res.body, "class_discount"), 0);
    assert_eq!(line(&res.body, "subsidy"), 0);
    assert_eq!(
        line(&res.body, "rental"),
        99900,
        "previews use today's tariff"
    );

    // A cancel gives the subsidy back.
    app.act_ok(&net.venue, id, "cancel", "cancelled").await;
    let p = budget_of(&app, &net.agency, &villages).await;
    assert_eq!(
        (p["committed_cents"].as_i64(), p["remaining_cents"].as_i64()),
        (Some(0), Some(1_000_000))
    );
}

async fn the_agency_manages_programmes_and_budgets_hold(app: TestApp) {
    let net = Network::at(&app, AMIENS, VILLAGE).await;
    let trunk = ResourceBuilder::trunk("Malle du ciel")
        .copies(1)
        .build(&app, &net.producer)
        .await;
    set_prices(&app, &net, trunk.id).await;
    let body = json!({"name": "Pévèle rurale", "funder": "CC Pévèle Carembault", "rate_percent": 30,
        "budget_cents": 500000, "valid_from": day(0), "valid_to": day(200),
        "epci_sirens": ["200041960"], "venue_types": ["library", "social_centre"]});
    for intruder in [&net.producer, &net.venue] {
        let res = app
            .post(
                "/api/v1/subsidy-programs",
                Some(&intruder.token),
                body.clone(),
            )
            .await;
        assert_eq!(res.status, 403, "{}", res.text);
    }
    let bad = json!({"name": " ", "funder": "X", "rate_percent": 101, "budget_cents": -1,
        "valid_from": day(10), "valid_to": day(0), "commune_classes": [], "epci_sirens": ["12"]});
    let res = app
        .post("/api/v1/subsidy-programs", Some(&net.agency.token), bad)
        .await;
    assert_eq!(res.status, 422, "{}", res.text);
    assert_eq!(
        res.fields(),
        vec![
            "name",
            "rate_percent",
            "budget_cents",
            "valid_to",
            "commune_classes",
            "epci_sirens"
        ]
    );
    let res = app
        .post(
            "/api/v1/subsidy-programs",
            Some(&net.agency.token),
            json!({"name": "x"}),
        )
        .await;
    assert_eq!(res.status, 400);
    assert_eq!(
        app.get("/api/v1/subsidy-programs", Some(&net.agency.token))
            .await
            .body,
        json!([]),
        "nothing written"
    );

    let created = program(&app, &net.agency, body).await;
    assert_eq!(created["commune_classes"], Value::Null);
    assert_eq!(created["venue_types"], json!(["library", "social_centre"]));
    assert_eq!(
        (
            created["committed_cents"].as_i64(),
            created["remaining_cents"].as_i64()
        ),
        (Some(0), Some(500000))
    );
    let villages = program(&app, &net.agency, villages_program(50, 5_000)).await;
    let b = BookingBuilder::new(trunk.id, &net.venue, day(20), day(26))
        .status("approved")
        .build(&app, &net.producer)
        .await;
    let q = app
        .get(
            &format!("/api/v1/bookings/{}/quote", id_of(&b)),
            Some(&net.venue.token),
        )
        .await
        .body;
    assert_eq!(
        q["subsidy_program_id"], villages["id"],
        "the only eligible programme (wrong EPCI for the other)"
    );
    assert_eq!(
        line(&q, "subsidy"),
        -5_000,
        "capped by what is left of the budget"
    );
    let path = format!("/api/v1/subsidy-programs/{}", id_of(&villages));
    let res = app
        .patch(
            &path,
            Some(&net.agency.token),
            json!({"budget_cents": 4_999}),
        )
        .await;
    assert_eq!(res.status, 409, "{}", res.text);
    assert_eq!(res.code(), "budget_below_committed");
    let res = app
        .patch(
            &path,
            Some(&net.agency.token),
            json!({"budget_cents": 20_000, "name": "Villages 2027"}),
        )
        .await;
    assert_eq!(res.status, 200, "{}", res.text);
    assert_eq!(
        (
            res.body["remaining_cents"].as_i64(),
            res.body["name"].as_str()
        ),
        (Some(15_000), Some("Villages 2027"))
    );
    assert_eq!(
        app.patch(&path, Some(&net.producer.token), json!({"budget_cents": 1}))
            .await
            .status,
        403
    );
    assert_eq!(
        app.get("/api/v1/subsidy-programs/999999", Some(&net.venue.token))
            .await
            .status,
        404
    );
}

/// Many approvals at once on a budget that covers two and a half of them: the budget is spent
/// exactly, never more, and what the quotes say is what the programme committed.
async fn concurrent_approvals_never_overdraw_a_budget(app: TestApp) {
    const LOANS: usize = 12;
    let net = Network::at(&app, AMIENS, VILLAGE).await;
    let trunk = ResourceBuilder::trunk("Malle des abeilles")
        .copies(LOANS)
        .build(&app, &net.producer)
        .await;
    set_prices(&app, &net, trunk.id).await;
    let mut ids = Vec::new();
    for _ in 0..LOANS {
        let b = BookingBuilder::new(trunk.id, &net.venue, day(40), day(46))
            .build(&app, &net.producer)
            .await;
        ids.push(id_of(&b));
    }
    let one = app
        .get(
            &format!("/api/v1/bookings/{}/quote", ids[0]),
            Some(&net.venue.token),
        )
        .await
        .body;
    let full = -line(&one, "subsidy");
    assert_eq!(full, 0, "no programme yet");
    let base = line(&one, "rental") + line(&one, "class_discount") + line(&one, "transport");
    let each = pct(base, 100);
    let budget = each * 5 / 2;
    let villages = program(&app, &net.agency, villages_program(100, budget)).await;
    let approvals = ids.iter().map(|id| app.act(&net.producer, *id, "approve"));
    for res in join_all(approvals).await {
        assert_eq!(res.status, 200, "{}", res.text);
    }
    let p = budget_of(&app, &net.agency, &villages).await;
    assert_eq!(p["committed_cents"], budget, "spent exactly");
    assert_eq!(p["remaining_cents"], 0);
    let mut subsidies = Vec::new();
    for id in &ids {
        let q = app
            .get(
                &format!("/api/v1/bookings/{id}/quote"),
                Some(&net.venue.token),
            )
            .await
            .body;
        subsidies.push(-line(&q, "subsidy"));
    }
    assert_eq!(
        subsidies.iter().sum::<i64>(),
        budget,
        "the quotes say what was committed: {subsidies:?}"
    );
    subsidies.sort();
    assert_eq!(
        subsidies.iter().filter(|s| **s == each).count(),
        2,
        "{subsidies:?}"
    );
    assert_eq!(
        subsidies.iter().filter(|s| **s == each / 2).count(),
        1,
        "{subsidies:?}"
    );
    // Cancelling all gives everything back, concurrently too.
    let cancels = ids.iter().map(|id| app.act(&net.venue, *id, "cancel"));
    for res in join_all(cancels).await {
        assert_eq!(res.status, 200, "{}", res.text);
    }
    let p = budget_of(&app, &net.agency, &villages).await;
    assert_eq!(
        (p["committed_cents"].as_i64(), p["remaining_cents"].as_i64()),
        (Some(0), Some(budget))
    );
}

/// Concurrent invoicing of many returned loans gives numbers 1..N of the seller's year without
/// gaps or repeats; credit notes take the next numbers; repeats are refused.
async fn invoices_are_numbered_without_gaps_and_never_change(app: TestApp) {
    const LOANS: usize = 8;
    let net = Network::at(&app, AMIENS, VILLAGE).await;
    crate::einvoice::set_identity(&app, &net.producer, crate::einvoice::seller_identity()).await;
    let trunk = ResourceBuilder::trunk("Malle des volcans")
        .copies(LOANS + 1)
        .build(&app, &net.producer)
        .await;
    set_prices(&app, &net, trunk.id).await;
    let mut ids = Vec::new();
    for _ in 0..LOANS {
        let b = BookingBuilder::new(trunk.id, &net.venue, day(10), day(12))
            .status("returned")
            .build(&app, &net.producer)
            .await;
        ids.push(id_of(&b));
    }
    let approved = BookingBuilder::new(trunk.id, &net.venue, day(10), day(12))
        .status("approved")
        .build(&app, &net.producer)
        .await;
    let res = app
        .post(
            &format!("/api/v1/bookings/{}/invoice", id_of(&approved)),
            Some(&net.producer.token),
            json!({}),
        )
        .await;
    assert_eq!(
        (res.status, res.code()),
        (409, "loan_not_returned"),
        "{}",
        res.text
    );
    let res = app
        .send(
            "POST",
            &format!("/api/v1/bookings/{}/invoice", ids[0]),
            Some(&net.venue.token),
            None,
        )
        .await;
    assert_eq!(res.status, 403, "a venue does not invoice: {}", res.text);
    let key = app.api_key_of(&net.producer).await;
    let res = app
        .send(
            "POST",
            &format!("/api/v1/bookings/{}/invoice", ids[0]),
            Some(&key.token),
            None,
        )
        .await;
    assert_eq!(res.status, 403, "a key needs billing:write: {}", res.text);
    // A body that is not JSON is refused and issues nothing (it once passed for "no body").
    for body in [b"\x00".to_vec(), b"{".to_vec()] {
        let res = app
            .raw(
                "POST",
                &format!("/api/v1/bookings/{}/invoice", ids[0]),
                Some(&net.producer.token),
                Some("application/json"),
                body,
            )
            .await;
        assert_eq!(
            (res.status, res.code()),
            (400, "malformed_request"),
            "{}",
            res.text
        );
    }

    let issues = ids.iter().enumerate().map(|(i, id)| {
        let who = if i % 2 == 0 {
            &net.producer
        } else {
            &net.agency
        };
        invoice(&app, who, *id)
    });
    let mut numbers = Vec::new();
    let year = chrono::Utc::now().format("%Y").to_string();
    for res in join_all(issues).await {
        assert_eq!(res.status, 201, "{}", res.text);
        assert_eq!(res.body["kind"], "invoice");
        assert_eq!(res.body["seller_id"], net.producer.org_id);
        assert_eq!(res.body["buyer_id"], net.venue.org_id);
        let sum: i64 = res.body["lines"]
            .as_array()
            .unwrap()
            .iter()
            .map(|l| l["amount_cents"].as_i64().unwrap())
            .sum();
        assert_eq!(res.body["total_cents"], sum);
        numbers.push(res.body["number"].as_str().unwrap().to_string());
    }
    numbers.sort();
    let expected: Vec<String> = (1..=LOANS).map(|n| format!("{year}-{n:06}")).collect();
    assert_eq!(numbers, expected, "one gapless sequence");
    let again = ids.iter().map(|id| invoice(&app, &net.producer, *id));
    for res in join_all(again).await {
        assert_eq!(
            (res.status, res.code()),
            (409, "already_invoiced"),
            "{}",
            res.text
        );
    }

    let list = app.get("/api/v1/invoices", Some(&net.venue.token)).await;
    assert_eq!(
        list.body.as_array().unwrap().len(),
        LOANS,
        "the buyer sees its invoices"
    );
    let stranger = app.venue(&net.agency, AMIENS).await;
    assert_eq!(
        app.get("/api/v1/invoices", Some(&stranger.token))
            .await
            .body,
        json!([])
    );
    let first = list
        .body
        .as_array()
        .unwrap()
        .iter()
        .find(|i| i["number"] == expected[0])
        .unwrap()
        .clone();
    let first_id = id_of(&first);
    assert_eq!(
        app.get(
            &format!("/api/v1/invoices/{first_id}"),
            Some(&stranger.token)
        )
        .await
        .status,
        404
    );
    assert_eq!(
        app.get(
            &format!("/api/v1/invoices/{first_id}"),
            Some(&net.producer.token)
        )
        .await
        .body,
        first
    );

    // A credit note: negated lines, the next number; once only; then the loan may be invoiced anew.
    let note = app
        .send(
            "POST",
            &format!("/api/v1/invoices/{first_id}/credit-note"),
            Some(&net.producer.token),
            None,
        )
        .await;
    assert_eq!(note.status, 201, "{}", note.text);
    assert_eq!(note.body["kind"], "credit_note");
    assert_eq!(note.body["number"], format!("{year}-{:06}", LOANS + 1));
    assert_eq!(note.body["credits_invoice_id"], first_id);
    assert_eq!(
        note.body["total_cents"].as_i64().unwrap(),
        -first["total_cents"].as_i64().unwrap()
    );
    for (a, b) in note.body["lines"]
        .as_array()
        .unwrap()
        .iter()
        .zip(first["lines"].as_array().unwrap())
    {
        assert_eq!(
            a["amount_cents"].as_i64().unwrap(),
            -b["amount_cents"].as_i64().unwrap()
        );
    }
    let res = app
        .send(
            "POST",
            &format!("/api/v1/invoices/{first_id}/credit-note"),
            Some(&net.producer.token),
            None,
        )
        .await;
    assert_eq!((res.status, res.code()), (409, "already_credited"));
    assert_eq!(
        app.get(
            &format!("/api/v1/invoices/{first_id}"),
            Some(&net.venue.token)
        )
        .await
        .body,
        first,
        "an invoice never changes"
    );
    let res = app
        .send(
            "POST",
            &format!("/api/v1/bookings/{}/invoice", first["booking_id"]),
            Some(&net.producer.token),
            None,
        )
        .await;
    assert_eq!(res.status, 201, "{}", res.text);
    assert_eq!(res.body["number"], format!("{year}-{:06}", LOANS + 2));

    // CSV and Factur-X.
    let csv = app
        .raw_with(
            "GET",
            &format!("/api/v1/invoices?year={year}"),
            Some(&net.agency.token),
            None,
            &[("accept", "text/csv")],
            Vec::new(),
        )
        .await;
    assert_eq!(csv.status, 200);
    let text = csv.text;
    assert!(text.starts_with("id,number,kind,issued_on,"), "{text}");
    assert_eq!(text.lines().count(), 1 + LOANS + 2, "{text}");
    let xml = app
        .get(
            &format!("/api/v1/invoices/{first_id}/facturx.xml"),
            Some(&net.venue.token),
        )
        .await;
    assert_eq!(xml.status, 200);
    assert!(
        xml.text
            .contains(&format!("<ram:ID>{}</ram:ID>", expected[0])),
        "{}",
        xml.text
    );
    assert!(xml.text.contains("urn:cen.eu:en16931:2017"));
}

/// Units missing or damaged at return become a damage line at their replacement cost.
async fn damage_found_at_return_is_charged(app: TestApp) {
    let net = Network::at(&app, AMIENS, VILLAGE).await;
    crate::einvoice::set_identity(&app, &net.producer, crate::einvoice::seller_identity()).await;
    let kit = ResourceBuilder::kit("Kit robotique")
        .copies(1)
        .build(&app, &net.producer)
        .await;
    set_prices(&app, &net, kit.id).await;
    let res = app
        .post(
            &format!("/api/v1/resources/{}/components", kit.id),
            Some(&net.producer.token),
            json!({"name": "Robot", "quantity": 6, "unit_cost_cents": 4500}),
        )
        .await;
    assert_eq!(res.status, 201, "{}", res.text);
    assert_eq!(res.body["unit_cost_cents"], 4500);
    let robot = id_of(&res.body);
    let res = app
        .post(
            &format!("/api/v1/resources/{}/components", kit.id),
            Some(&net.producer.token),
            json!({"name": "Câble", "quantity": 6, "unit_cost_cents": -1}),
        )
        .await;
    assert_eq!(res.status, 422, "{}", res.text);
    // A producer prices the components it listed before: the next loans are charged so.
    let cable = ResourceBuilder::kit("Kit câblé")
        .component("Câble", 4)
        .build(&app, &net.producer)
        .await;
    let path = format!(
        "/api/v1/resources/{}/components/{}",
        cable.id, cable.components[0].0
    );
    let res = app
        .patch(
            &path,
            Some(&net.producer.token),
            json!({"unit_cost_cents": 800}),
        )
        .await;
    assert_eq!(res.status, 200, "{}", res.text);
    assert_eq!(
        (
            res.body["unit_cost_cents"].as_i64(),
            res.body["quantity"].as_i64()
        ),
        (Some(800), Some(4))
    );
    let res = app
        .patch(
            &path,
            Some(&net.producer.token),
            json!({"unit_cost_cents": -5, "quantity": 0}),
        )
        .await;
    assert_eq!(res.status, 422, "{}", res.text);
    assert_eq!(res.fields(), vec!["quantity", "unit_cost_cents"]);
    assert_eq!(
        app.patch(&path, Some(&net.venue.token), json!({"quantity": 5}))
            .await
            .status,
        403
    );
    let wrong = format!("/api/v1/resources/{}/components/{robot}", cable.id);
    assert_eq!(
        app.patch(&wrong, Some(&net.producer.token), json!({"quantity": 5}))
            .await
            .status,
        404
    );
    let listed = app
        .get(
            &format!("/api/v1/resources/{}/components", cable.id),
            Some(&net.venue.token),
        )
        .await;
    assert_eq!(
        listed.body[0]["unit_cost_cents"], 800,
        "a refused change changed nothing"
    );
    let b = BookingBuilder::new(kit.id, &net.venue, day(5), day(8))
        .status("delivered")
        .build(&app, &net.producer)
        .await;
    let id = id_of(&b);
    let before = app
        .get(
            &format!("/api/v1/bookings/{id}/quote"),
            Some(&net.venue.token),
        )
        .await
        .body;
    assert_eq!(line(&before, "damage"), 0);
    app.act_ok(&net.producer, id, "return", "returned").await;
    let report = json!({"booking_id": id, "stage": "return", "grade": 3, "notes": "",
        "components": [{"component_id": robot, "present_quantity": 5, "damaged": 1}]});
    let res = app
        .post(
            &format!("/api/v1/copies/{}/condition-reports", kit.copies[0]),
            Some(&net.venue.token),
            report,
        )
        .await;
    assert_eq!(res.status, 201, "{}", res.text);
    let after = app
        .get(
            &format!("/api/v1/bookings/{id}/quote"),
            Some(&net.venue.token),
        )
        .await
        .body;
    assert_eq!(
        line(&after, "damage"),
        2 * 4500,
        "1 missing + 1 damaged robot"
    );
    assert_eq!(
        after["total_cents"].as_i64().unwrap(),
        before["total_cents"].as_i64().unwrap() + 9000
    );
    let invoice = app
        .send(
            "POST",
            &format!("/api/v1/bookings/{id}/invoice"),
            Some(&net.producer.token),
            None,
        )
        .await;
    assert_eq!(invoice.status, 201, "{}", invoice.text);
    assert_eq!(line(&invoice.body, "damage"), 9000);
    assert_eq!(invoice.body["total_cents"], after["total_cents"]);
    // Its e-invoice goes to the contract stage, which runs the CEN EN 16931 rules on it
    // (`make test`: this suite runs first; the demo has no damaged loan).
    let xml = app
        .get(
            &format!("/api/v1/invoices/{}/facturx.xml", invoice.body["id"]),
            Some(&net.producer.token),
        )
        .await;
    assert_eq!(xml.status, 200, "{}", xml.text);
    let samples = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("target/einvoice-samples");
    std::fs::create_dir_all(&samples).unwrap();
    std::fs::write(
        samples.join(format!("damage-{}-{id}.xml", std::process::id())),
        xml.text,
    )
    .unwrap();
}

/// The revenue report adds up what the invoices, legs and maintenance say, per resource and in
/// total, and only the producer and the agency read it.
async fn revenue_and_cost_recovery_add_up(app: TestApp) {
    let net = Network::at(&app, AMIENS, VILLAGE).await;
    crate::einvoice::set_identity(&app, &net.producer, crate::einvoice::seller_identity()).await;
    let trunk = ResourceBuilder::trunk("Malle des marées")
        .with("production_cost_cents", 500_000)
        .copies(3)
        .build(&app, &net.producer)
        .await;
    set_prices(&app, &net, trunk.id).await;
    program(&app, &net.agency, villages_program(50, 1_000_000)).await;
    let mut legs_cost = 0;
    let mut invoices = Vec::new();
    for _ in 0..2 {
        let b = BookingBuilder::new(trunk.id, &net.venue, day(3), day(9))
            .status("returned")
            .build(&app, &net.producer)
            .await;
        let legs = app
            .get(
                &format!("/api/v1/bookings/{}/legs", id_of(&b)),
                Some(&net.producer.token),
            )
            .await;
        legs_cost += legs
            .body
            .as_array()
            .unwrap()
            .iter()
            .map(|l| l["cost_cents"].as_i64().unwrap())
            .sum::<i64>();
        let res = invoice(&app, &net.producer, id_of(&b)).await;
        assert_eq!(res.status, 201, "{}", res.text);
        invoices.push(res.body);
    }
    // A credit note takes its invoice back out of the revenue.
    let credited = app
        .send(
            "POST",
            &format!("/api/v1/invoices/{}/credit-note", id_of(&invoices[1])),
            Some(&net.agency.token),
            None,
        )
        .await;
    assert_eq!(credited.status, 201);
    let res = app.post(&format!("/api/v1/copies/{}/maintenance", trunk.copies[2]), Some(&net.producer.token),
        json!({"kind": "refurbishment", "starts_on": day(1), "ends_on": day(2), "cost_cents": 12_345, "notes": ""})).await;
    assert_eq!(res.status, 201, "{}", res.text);

    let year_of = |d: chrono::NaiveDate| d.format("%Y").to_string();
    let invoice_year = year_of(day(0));
    let report = app
        .get(
            &format!(
                "/api/v1/producers/{}/revenue?year={invoice_year}",
                net.producer.org_id
            ),
            Some(&net.producer.token),
        )
        .await;
    assert_eq!(report.status, 200, "{}", report.text);
    let r = &report.body;
    assert_eq!(r["resources"].as_array().unwrap().len(), 1);
    let row = &r["resources"][0];
    let first = &invoices[0];
    let earned = line(first, "rental") + line(first, "class_discount") + line(first, "transport");
    assert_eq!(
        row["revenue_cents"], earned,
        "the credited invoice nets out: {row}"
    );
    assert_eq!(row["venue_paid_cents"], first["total_cents"]);
    assert_eq!(row["subsidy_cents"], -line(first, "subsidy"));
    assert_eq!(
        row["transport_cost_cents"], legs_cost,
        "both loans travelled"
    );
    let maintenance = if year_of(day(1)) == invoice_year {
        12_345
    } else {
        0
    };
    assert_eq!(row["maintenance_cost_cents"], maintenance);
    let net_cents = earned - legs_cost - maintenance;
    assert_eq!(row["net_cents"], net_cents);
    let all_time_net = earned - legs_cost - 12_345;
    let recovered = (all_time_net as f64 * 1000.0 / 500_000.0).round() / 10.0;
    assert_eq!(row["recovered_percent"].as_f64(), Some(recovered));
    assert_eq!(r["totals"]["net_cents"], net_cents);
    assert_eq!(r["totals"]["production_cost_cents"], 500_000);

    let agency = app
        .get(
            &format!(
                "/api/v1/producers/{}/revenue?year={invoice_year}",
                net.producer.org_id
            ),
            Some(&net.agency.token),
        )
        .await;
    assert_eq!(agency.body, report.body);
    let other = app.producer(&net.agency, AMIENS).await;
    for intruder in [&other, &net.venue] {
        let res = app
            .get(
                &format!("/api/v1/producers/{}/revenue", net.producer.org_id),
                Some(&intruder.token),
            )
            .await;
        assert_eq!(res.status, 404, "{}", res.text);
    }
    let res = app
        .get(
            &format!(
                "/api/v1/producers/{}/revenue?year=1999",
                net.producer.org_id
            ),
            Some(&net.producer.token),
        )
        .await;
    assert_eq!(res.status, 422);
    let empty = app
        .get(
            &format!(
                "/api/v1/producers/{}/revenue?year=2001",
                net.producer.org_id
            ),
            Some(&net.producer.token),
        )
        .await;
    assert_eq!(empty.body["totals"]["revenue_cents"], 0);
}

/// Two loans of one copy close together chain: the copy goes from the first venue straight to the
/// second. Each quote prices the legs its booking really has (a transfer, not the depot), the
/// same as `/legs` shows, before and after approval.
async fn chained_loans_are_quoted_on_their_transfer(app: TestApp) {
    let net = Network::at(&app, AMIENS, VILLAGE).await;
    let city = app.venue(&net.agency, AMIENS).await;
    let trunk = ResourceBuilder::trunk("Malle chaînée")
        .copies(1)
        .build(&app, &net.producer)
        .await;
    set_prices(&app, &net, trunk.id).await;
    let first = BookingBuilder::new(trunk.id, &net.venue, day(30), day(35))
        .build(&app, &net.producer)
        .await;
    let second = BookingBuilder::new(trunk.id, &city, day(44), day(46))
        .build(&app, &net.producer)
        .await;
    for (booking, who) in [(&first, &net.venue), (&second, &city)] {
        let id = id_of(booking);
        let legs = app
            .get(&format!("/api/v1/bookings/{id}/legs"), Some(&who.token))
            .await;
        assert_eq!(legs.status, 200, "{}", legs.text);
        let kinds: Vec<&str> = legs
            .body
            .as_array()
            .unwrap()
            .iter()
            .map(|l| l["kind"].as_str().unwrap())
            .collect();
        assert!(kinds.contains(&"transfer"), "the loans chain: {kinds:?}");
        let legs_cost: i64 = legs
            .body
            .as_array()
            .unwrap()
            .iter()
            .map(|l| l["cost_cents"].as_i64().unwrap())
            .sum();
        let quote = app
            .get(&format!("/api/v1/bookings/{id}/quote"), Some(&who.token))
            .await;
        assert_eq!(quote.status, 200, "{}", quote.text);
        let recharge = if who.org_id == net.venue.org_id {
            50
        } else {
            100
        };
        assert_eq!(
            line(&quote.body, "transport"),
            pct(legs_cost, recharge),
            "booking {id}: {kinds:?}, {}",
            quote.text
        );
    }
}

on_both_backends!(
    chained_loans_are_quoted_on_their_transfer,
    revenue_and_cost_recovery_add_up,
    producers_set_tariffs_that_everyone_reads,
    the_agency_sets_the_pricing_policy,
    quotes_follow_the_formula_and_freeze_on_approval,
    the_agency_manages_programmes_and_budgets_hold,
    concurrent_approvals_never_overdraw_a_budget,
    invoices_are_numbered_without_gaps_and_never_change,
    damage_found_at_return_is_charged,
);
