//! Fixture builders, in the manner of crates.io's `src/tests/builders/`: one line per fixture
//! ("a producer with a trunk and 3 copies", "a venue in a village commune", "a booking that has
//! been delivered"), each built through the real HTTP API and asserting every step it takes.
//!
//! ```ignore
//! let net = Network::new(&app).await;                       // agency, producer and venue in Amiens
//! let venue = app.venue(&net.agency, VILLAGE).await;        // a venue in a village commune
//! let trunk = ResourceBuilder::trunk("Malle de l'eau").copies(3).build(&app, &net.producer).await;
//! let b = BookingBuilder::new(trunk.id, &net.venue, day(10), day(12))
//!     .status("delivered")
//!     .build(&app, &net.producer)
//!     .await;
//! ```

use std::sync::atomic::{AtomicU64, Ordering};

use chrono::{Duration, NaiveDate, Utc};
use serde_json::{json, Value};

use crate::common::{Actor, Resp, TestApp};

/// INSEE code of Amiens (136,449 inhabitants), home of most test producers.
pub const AMIENS: &str = "80021";
/// INSEE code of Achery, Aisne (584 inhabitants): a village (< 2,000).
pub const VILLAGE: &str = "02002";

/// `n` days from today (UTC, as the service counts).
pub fn day(n: i64) -> NaiveDate {
    Utc::now().date_naive() + Duration::days(n)
}

/// The `id` of a created object.
pub fn id_of(v: &Value) -> i64 {
    v["id"].as_i64().unwrap_or_else(|| panic!("no id in {v}"))
}

static TAGS: AtomicU64 = AtomicU64::new(0);

/// An asset tag no other copy of the test run has.
pub fn unique_tag(prefix: &str) -> String {
    format!("{prefix}-{}", TAGS.fetch_add(1, Ordering::SeqCst))
}

impl TestApp {
    /// A new producer organisation in `commune` and its administrator.
    pub async fn producer(&self, agency: &Actor, commune: &str) -> Actor {
        self.member_of_new_org(agency, "producer", "admin", commune)
            .await
    }

    /// A new venue (a library) in `commune` and its administrator.
    pub async fn venue(&self, agency: &Actor, commune: &str) -> Actor {
        self.member_of_new_org(agency, "venue", "admin", commune)
            .await
    }

    /// A new partner organisation in `commune` and its administrator.
    pub async fn partner(&self, agency: &Actor, commune: &str) -> Actor {
        self.member_of_new_org(agency, "partner", "admin", commune)
            .await
    }

    /// A new API key of `admin`'s organisation (default scopes: `read`), as an actor whose
    /// token is the key.
    pub async fn api_key_of(&self, admin: &Actor) -> Actor {
        self.api_key_with(admin, &["read"]).await
    }

    /// A new API key of `admin`'s organisation with these scopes.
    pub async fn api_key_with(&self, admin: &Actor, scopes: &[&str]) -> Actor {
        let res = self
            .post(
                "/api/v1/api-keys",
                Some(&admin.token),
                json!({"name": unique_tag("key"), "scopes": scopes}),
            )
            .await;
        assert_eq!(res.status, 201, "{}", res.text);
        assert_eq!(res.body["organization_id"], admin.org_id);
        let key = res.body["key"].as_str().expect("the key, shown once");
        Actor {
            token: key.to_string(),
            ..admin.clone()
        }
    }

    /// `POST /api/v1/bookings/{id}/{action}` with no body.
    pub async fn act(&self, who: &Actor, booking_id: i64, action: &str) -> Resp {
        self.send(
            "POST",
            &format!("/api/v1/bookings/{booking_id}/{action}"),
            Some(&who.token),
            None,
        )
        .await
    }

    /// Takes an action that must succeed and lead to `to`; returns the booking.
    pub async fn act_ok(&self, who: &Actor, booking_id: i64, action: &str, to: &str) -> Value {
        let res = self.act(who, booking_id, action).await;
        assert_eq!(res.status, 200, "{action} {booking_id}: {}", res.text);
        assert_eq!(res.body["status"], to, "{action}");
        res.body
    }
}

/// The agency, a producer and a venue, each with its administrator logged in.
pub struct Network {
    pub agency: Actor,
    pub producer: Actor,
    pub venue: Actor,
}

impl Network {
    /// Producer and venue both in Amiens.
    pub async fn new(app: &TestApp) -> Network {
        Self::at(app, AMIENS, AMIENS).await
    }

    /// A producer in Amiens and a village venue that borrowed one trunk, delivered, on days 2–5
    /// (coverage's one loan).
    pub async fn with_village_loan(app: &TestApp) -> Network {
        let net = Self::at(app, AMIENS, VILLAGE).await;
        let trunk = ResourceBuilder::trunk("Malle des saisons")
            .copies(2)
            .build(app, &net.producer)
            .await;
        BookingBuilder::new(trunk.id, &net.venue, day(2), day(5))
            .status("delivered")
            .build(app, &net.producer)
            .await;
        net
    }

    /// Producer in `producer_commune`, venue in `venue_commune`.
    pub async fn at(app: &TestApp, producer_commune: &str, venue_commune: &str) -> Network {
        let agency = app.agency_admin().await;
        let producer = app.producer(&agency, producer_commune).await;
        let venue = app.venue(&agency, venue_commune).await;
        Network {
            agency,
            producer,
            venue,
        }
    }
}

/// A resource to publish, with its copies and components.
pub struct ResourceBuilder {
    body: Value,
    /// (asset tag, home commune) of each copy, in order.
    copies: Vec<(String, Option<String>)>,
    components: Vec<(String, i64)>,
}

/// A published resource: its copies and components in creation order.
#[derive(Debug, Clone)]
pub struct Resource {
    pub id: i64,
    pub copies: Vec<i64>,
    /// (id, quantity) of each component.
    pub components: Vec<(i64, i64)>,
}

impl ResourceBuilder {
    /// A resource of `kind` with the fewest fields the API accepts plus a description.
    pub fn new(kind: &str, title: &str) -> Self {
        ResourceBuilder {
            body: json!({
                "kind": kind,
                "title": title,
                "description": "Une ressource itinérante",
                "themes": ["other"],
                "audiences": ["all"],
            }),
            copies: Vec::new(),
            components: Vec::new(),
        }
    }

    /// A resource with exactly this request body.
    pub fn from_body(body: Value) -> Self {
        ResourceBuilder {
            body,
            copies: Vec::new(),
            components: Vec::new(),
        }
    }

    pub fn trunk(title: &str) -> Self {
        Self::new("trunk", title)
    }

    pub fn kit(title: &str) -> Self {
        Self::new("kit", title)
    }

    pub fn exhibition(title: &str) -> Self {
        Self::new("exhibition", title)
    }

    /// Sets one field of the request body (`themes`, `turnaround_days`, `volume_m3`…).
    pub fn with(mut self, field: &str, value: impl Into<Value>) -> Self {
        self.body[field] = value.into();
        self
    }

    /// Adds `n` copies at the producer's commune, with unique tags.
    pub fn copies(mut self, n: usize) -> Self {
        for _ in 0..n {
            self.copies.push((unique_tag("CP"), None));
        }
        self
    }

    /// Adds one copy with this tag at the producer's commune.
    pub fn copy(mut self, tag: &str) -> Self {
        self.copies.push((tag.to_string(), None));
        self
    }

    /// Adds a component (kits and trunks list their contents).
    pub fn component(mut self, name: &str, quantity: i64) -> Self {
        self.components.push((name.to_string(), quantity));
        self
    }

    /// Publishes the resource as `producer`, then its components and copies, asserting each
    /// answer (201, and the fields sent echoed back).
    pub async fn build(self, app: &TestApp, producer: &Actor) -> Resource {
        let res = app
            .post(
                "/api/v1/resources",
                Some(&producer.token),
                self.body.clone(),
            )
            .await;
        assert_eq!(res.status, 201, "{}: {}", self.body, res.text);
        for (field, value) in self.body.as_object().expect("object") {
            match value {
                Value::Number(n) => assert_eq!(res.body[field].as_f64(), n.as_f64(), "{field}"),
                Value::String(_) => assert_eq!(&res.body[field], value, "{field}"),
                _ => {}
            }
        }
        let id = id_of(&res.body);
        let mut components = Vec::new();
        for (name, quantity) in &self.components {
            let c = app
                .post(
                    &format!("/api/v1/resources/{id}/components"),
                    Some(&producer.token),
                    json!({"name": name, "quantity": quantity}),
                )
                .await;
            assert_eq!(c.status, 201, "{}", c.text);
            components.push((id_of(&c.body), *quantity));
        }
        let mut copies = Vec::new();
        for (tag, commune) in &self.copies {
            let copy = CopyBuilder {
                tag: tag.clone(),
                commune: commune.clone(),
            }
            .build(app, producer, id)
            .await;
            copies.push(id_of(&copy));
        }
        Resource {
            id,
            copies,
            components,
        }
    }
}

/// One more copy of an existing resource.
pub struct CopyBuilder {
    tag: String,
    commune: Option<String>,
}

impl Default for CopyBuilder {
    /// A copy with a unique tag at the producer's commune.
    fn default() -> Self {
        CopyBuilder {
            tag: unique_tag("CP"),
            commune: None,
        }
    }
}

impl CopyBuilder {
    pub fn tag(mut self, tag: &str) -> Self {
        self.tag = tag.to_string();
        self
    }

    /// The copy's depot.
    pub fn at(mut self, commune: &str) -> Self {
        self.commune = Some(commune.to_string());
        self
    }

    /// Adds the copy as `producer` (asserting 201 and the tag); returns it.
    pub async fn build(self, app: &TestApp, producer: &Actor, resource_id: i64) -> Value {
        let mut body = json!({"asset_tag": self.tag});
        if let Some(commune) = &self.commune {
            body["home_commune_insee"] = json!(commune);
        }
        let res = app
            .post(
                &format!("/api/v1/resources/{resource_id}/copies"),
                Some(&producer.token),
                body,
            )
            .await;
        assert_eq!(res.status, 201, "{}", res.text);
        assert_eq!(res.body["asset_tag"], self.tag.as_str());
        assert_eq!(res.body["resource_id"], resource_id);
        res.body
    }
}

/// The actions that take a booking from `requested` to `status` (API.md's workflow; `expired`
/// is reached by the hold-expiry job, not by an action).
pub fn path_to(status: &str) -> &'static [(&'static str, &'static str)] {
    match status {
        "requested" => &[],
        "approved" => &[("approve", "approved")],
        "rejected" => &[("reject", "rejected")],
        "cancelled" => &[("cancel", "cancelled")],
        "in_transit" => &[("approve", "approved"), ("dispatch", "in_transit")],
        "delivered" => &[
            ("approve", "approved"),
            ("dispatch", "in_transit"),
            ("deliver", "delivered"),
        ],
        "returned" => &[
            ("approve", "approved"),
            ("dispatch", "in_transit"),
            ("deliver", "delivered"),
            ("return", "returned"),
        ],
        "closed" => &[
            ("approve", "approved"),
            ("dispatch", "in_transit"),
            ("deliver", "delivered"),
            ("return", "returned"),
            ("close", "closed"),
        ],
        other => panic!("no path of actions to {other}"),
    }
}

/// A booking requested by a venue for itself, then brought to a status by the workflow actions.
pub struct BookingBuilder {
    body: Value,
    venue: Actor,
    status: &'static str,
}

impl BookingBuilder {
    /// A request by `venue` for itself, from `starts_on` to `ends_on` (any free copy).
    pub fn new(resource_id: i64, venue: &Actor, starts_on: NaiveDate, ends_on: NaiveDate) -> Self {
        BookingBuilder {
            body: json!({
                "resource_id": resource_id,
                "venue_id": venue.org_id,
                "starts_on": starts_on,
                "ends_on": ends_on,
            }),
            venue: venue.clone(),
            status: "requested",
        }
    }

    /// Asks for this copy.
    pub fn copy(mut self, copy_id: i64) -> Self {
        self.body["copy_id"] = json!(copy_id);
        self
    }

    /// The status to bring the booking to (`requested` by default).
    pub fn status(mut self, status: &'static str) -> Self {
        self.status = status;
        self
    }

    /// Requests the booking (asserting 201 and what was asked), then takes the actions to its
    /// status, each as the venue (cancel) or `producer` (the producer or the agency), asserting
    /// every transition. Returns the booking as the last answer gave it.
    pub async fn build(self, app: &TestApp, producer: &Actor) -> Value {
        let res = app
            .post(
                "/api/v1/bookings",
                Some(&self.venue.token),
                self.body.clone(),
            )
            .await;
        assert_eq!(res.status, 201, "{}: {}", self.body, res.text);
        let mut b = res.body;
        assert_eq!(b["status"], "requested");
        for field in ["resource_id", "venue_id", "starts_on", "ends_on", "copy_id"] {
            if !self.body[field].is_null() {
                assert_eq!(b[field], self.body[field], "{field}");
            }
        }
        let booking_id = id_of(&b);
        for (action, to) in path_to(self.status) {
            let who = if *action == "cancel" {
                &self.venue
            } else {
                producer
            };
            b = app.act_ok(who, booking_id, action, to).await;
        }
        b
    }
}

/// The builders themselves: a producer with a trunk and 3 copies, a venue in a village, and a
/// booking brought to each status the workflow reaches by actions.
async fn builders_build_what_they_say(app: TestApp) {
    let net = Network::new(&app).await;
    let village = app.venue(&net.agency, VILLAGE).await;
    let org = app
        .get(
            &format!("/api/v1/organizations/{}", village.org_id),
            Some(&village.token),
        )
        .await;
    assert_eq!(org.body["commune_insee"], VILLAGE);
    let commune = app.get(&format!("/api/v1/communes/{VILLAGE}"), None).await;
    assert_eq!(commune.body["class"], "village");
    let statuses = [
        "requested",
        "approved",
        "rejected",
        "cancelled",
        "in_transit",
        "delivered",
        "returned",
        "closed",
    ];
    let trunk = ResourceBuilder::trunk("Malle de l'eau")
        .copies(statuses.len())
        .build(&app, &net.producer)
        .await;
    let copies = app
        .get(
            &format!("/api/v1/resources/{}/copies", trunk.id),
            Some(&net.producer.token),
        )
        .await;
    assert_eq!(copies.body.as_array().map(Vec::len), Some(statuses.len()));
    for (n, (status, copy)) in statuses.iter().zip(&trunk.copies).enumerate() {
        let on = day(10 + 3 * n as i64);
        let b = BookingBuilder::new(trunk.id, &village, on, on)
            .copy(*copy)
            .status(status)
            .build(&app, &net.producer)
            .await;
        assert_eq!(b["status"], *status);
        assert_eq!(b["copy_id"], *copy);
    }
}

crate::on_both_backends!(builders_build_what_they_say);
