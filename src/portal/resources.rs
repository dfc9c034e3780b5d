//! Finding a resource near my venue, its page with my quote and free dates, and the request
//! (booked once per form, whatever the number of clicks: the form carries an idempotency key).

use std::collections::HashMap;

use actix_web::http::StatusCode;
use askama::Template;
use chrono::{Datelike, Duration, NaiveDate};

use super::form::{self, Errors, Fields};
use super::lang::Lang;
use super::session::signed_in;
use super::session::SignedForm;
use super::{render, see_other, words, Layout, PortalError, Req, State};
use super::{Page, PathId};
use crate::access::Principal;
use crate::auth::apikey;
use crate::auth::browser::BrowserSession;
use crate::billing::model::QuoteQuery;
use crate::billing::quote::PreviewAsk;
use crate::billing::{quote, LoanBilling};
use crate::booking::model::{Alternative, NewBooking};
use crate::booking::service as bookings;
use crate::catalogue::model::{Resource, ResourceKind, Theme};
use crate::catalogue::search::{SearchFilter, SearchParams, MAX_RADIUS_KM};
use crate::catalogue::service as catalogue;
use crate::db::DbConnection;
use crate::error::Error;
use crate::idempotency::{self, Claim, Key, Recorded};
use crate::media::model::Media;
use crate::media::MediaKind;

/// An option of a select list.
pub struct Choice {
    pub value: &'static str,
    pub label: &'static str,
    pub selected: bool,
}

/// One resource in the results.
pub struct Found {
    pub id: i64,
    pub title: String,
    pub kind: &'static str,
    pub summary: String,
    pub themes: Vec<&'static str>,
    pub audiences: Vec<&'static str>,
    pub distance: String,
    pub price: String,
    pub free: String,
}

#[derive(Template)]
#[template(path = "portal/find.html")]
struct FindPage {
    layout: Layout,
    errors: Errors,
    searched: bool,
    q: String,
    themes: Vec<Choice>,
    kinds: Vec<Choice>,
    audiences: Vec<Choice>,
    radii: Vec<Choice>,
    starts_on: String,
    ends_on: String,
    radius: String,
    age: String,
    results: Vec<Found>,
    /// Nothing within the radius: the nearest beyond it.
    beyond: Vec<Found>,
    /// How many resources match, every page together.
    total: i64,
    /// Whether this is a page after the first.
    later_page: bool,
    /// The address of the next page of results, if any.
    next_page: Option<String>,
}

/// What a search found, ready to show.
struct FoundPage {
    results: Vec<Found>,
    beyond: Vec<Found>,
    total: i64,
    next_cursor: Option<String>,
}

impl Found {
    /// Nothing found yet.
    fn page() -> FoundPage {
        FoundPage {
            results: Vec::new(),
            beyond: Vec::new(),
            total: 0,
            next_cursor: None,
        }
    }
}

const RADII: [(&str, &str); 6] = [
    ("10", "10 km"),
    ("25", "25 km"),
    ("50", "50 km"),
    ("100", "100 km"),
    ("200", "200 km"),
    // In words: `find_whole_region`.
    ("1000", ""),
];

/// Where a result's free week is looked for: from two weeks ahead, over four months.
fn free_week_window(today: NaiveDate) -> (NaiveDate, NaiveDate) {
    let from = today + Duration::days(14);
    (from, from + Duration::days(120))
}

/// What the results show beyond the catalogue, for all of them at once (a few queries, not a
/// few per result): each one's first free week, and my price for the chosen dates, else for a
/// week from that first free day. `None` as the price: no dates and no free week.
#[allow(clippy::type_complexity)]
fn prices_and_free_weeks(
    conn: &mut DbConnection,
    billing: &LoanBilling,
    p: &Principal,
    list: &[&Resource],
    dates: Option<(NaiveDate, NaiveDate)>,
    today: NaiveDate,
) -> crate::error::Result<HashMap<i64, (Option<i64>, Option<(NaiveDate, NaiveDate)>)>> {
    let ids: Vec<i64> = list.iter().map(|r| r.id).collect();
    // Chosen dates: the results say "free on your dates" (the search kept only those).
    let free: HashMap<i64, (NaiveDate, NaiveDate)> = match dates {
        Some(_) => HashMap::new(),
        None => {
            let (from, to) = free_week_window(today);
            bookings::availabilities(conn, &ids, from, to)?
                .iter()
                .filter_map(|a| Some((a.resource_id, a.first_free_week()?)))
                .collect()
        }
    };
    let asks: Vec<PreviewAsk> = ids
        .iter()
        .filter_map(|id| {
            let (starts_on, ends_on) = match (dates, free.get(id)) {
                (Some(d), _) => d,
                (None, Some((from, _))) => (*from, *from + Duration::days(6)),
                (None, None) => return None,
            };
            Some(PreviewAsk {
                resource_id: *id,
                starts_on,
                ends_on,
            })
        })
        .collect();
    let prices: HashMap<i64, i64> = quote::previews(conn, billing, p, None, &asks)?
        .into_iter()
        .map(|q| (q.resource_id, q.total_cents))
        .collect();
    Ok(ids
        .iter()
        .map(|id| (*id, (prices.get(id).copied(), free.get(id).copied())))
        .collect())
}

/// A result as shown: the catalogue's words, my price (for the chosen dates, else a week from
/// the first free day) and the free dates.
fn present(
    lang: Lang,
    r: &Resource,
    dates: Option<(NaiveDate, NaiveDate)>,
    (price_cents, free): (Option<i64>, Option<(NaiveDate, NaiveDate)>),
) -> Found {
    let t = lang.t();
    let (price, free_text) = match (dates, free, price_cents) {
        (Some(_), _, Some(cents)) => (
            format!("{} {}", crate::page::euros(cents), t.find_for_your_dates),
            t.find_free_on_your_dates.to_string(),
        ),
        (None, Some((from, to)), Some(cents)) => (
            format!("{} {}", crate::page::euros(cents), t.find_for_a_week),
            format!("{} {}", t.find_free, lang.period(from, to)),
        ),
        _ => (
            t.find_price_by_dates.to_string(),
            t.find_no_free_week.to_string(),
        ),
    };
    let summary: String = r.description.chars().take(220).collect();
    Found {
        id: r.id,
        title: r.title.clone(),
        kind: words::kind(lang, r.kind),
        summary: if summary.len() < r.description.len() {
            format!("{summary}…")
        } else {
            summary
        },
        themes: r.themes.iter().map(|t| words::theme(lang, *t)).collect(),
        audiences: r
            .audiences
            .iter()
            .map(|a| words::audience(lang, *a))
            .collect(),
        distance: r.distance_km.map(words::km).unwrap_or_default(),
        price,
        free: free_text,
    }
}

/// The checked values of a checkbox group that belong to a vocabulary (an unknown value, from
/// an edited address, is ignored rather than refused: the page shows what it searched).
fn checked<T: std::str::FromStr>(form: &Fields, name: &str) -> Vec<String> {
    form.all(name)
        .into_iter()
        .filter(|v| v.parse::<T>().is_ok())
        .map(str::to_string)
        .collect()
}

/// A checkbox group from a vocabulary, with what the form checked.
pub(super) fn choices<T: Copy>(
    all: &[T],
    value: impl Fn(T) -> &'static str,
    label: impl Fn(T) -> &'static str,
    checked: &[String],
) -> Vec<Choice> {
    all.iter()
        .map(|t| Choice {
            value: value(*t),
            label: label(*t),
            selected: checked.iter().any(|c| c == value(*t)),
        })
        .collect()
}

/// `GET /resources`: the search form and its results (a GET form: results can be bookmarked).
/// It asks the catalogue's search for what the API's `GET /resources` answers: distances from
/// the user's own venue (`near_venue`, never coordinates), `age` in years, themes, kinds and
/// audiences meaning *any of*, the total, and the nearest resource beyond an empty radius.
pub async fn find(state: State, req: Req) -> Page {
    let clock = state.clock;
    let s = signed_in(&state, &req).await?;
    let lang = Lang::of_session(&s);
    let t = lang.t();
    let form = Fields::query(req.query_string());
    let searched = form.get("searched").is_some();
    let mut errors = Errors::default();
    let themes = checked::<Theme>(&form, "theme");
    let kinds = checked::<ResourceKind>(&form, "kind");
    let audiences = checked::<crate::catalogue::model::Audience>(&form, "audience");
    let age = match form.get("age") {
        None => None,
        Some(_) => errors.number(
            lang,
            &form,
            "age",
            t.find_age_name,
            0..=crate::catalogue::search::MAX_AGE,
        ),
    };
    let radius: f64 = form
        .get("radius_km")
        .and_then(|r| r.parse().ok())
        .filter(|r: &f64| *r > 0.0 && *r <= MAX_RADIUS_KM)
        .unwrap_or(50.0);
    let dates = match (form.get("starts_on"), form.get("ends_on")) {
        (None, None) => None,
        _ => {
            let from = errors.date(lang, &form, "starts_on", t.first_day_name);
            let to = errors.date(lang, &form, "ends_on", t.last_day_name);
            match (from, to) {
                (Some(f), Some(l)) if l < f => {
                    errors.add("ends_on", t.find_last_before_first);
                    None
                }
                (Some(f), Some(l)) => Some((f, l)),
                _ => None,
            }
        }
    };
    let cursor = form.get("cursor").map(str::to_string);
    let mut found = Found::page();
    if searched && errors.is_empty() {
        let p = s.principal.clone();
        let billing = LoanBilling::from_config(&state.config);
        let params = SearchParams {
            kind: kinds.clone(),
            theme: themes.clone(),
            audience: audiences.clone(),
            age,
            q: form.get("q").map(str::to_string),
            near_venue: Some(p.organization_id),
            radius_km: Some(radius),
            available_from: dates.map(|d| d.0),
            available_to: dates.map(|d| d.1),
            limit: Some(20),
            cursor: cursor.clone(),
            ..SearchParams::default()
        };
        let answer = state
            .run(move |conn| {
                let today = clock.today();
                let page = catalogue::search_resources(conn, &SearchFilter::from_params(params)?)?;
                let all: Vec<&Resource> = page
                    .items
                    .iter()
                    .chain(page.nearest_beyond.iter())
                    .collect();
                let extras = prices_and_free_weeks(conn, &billing, &p, &all, dates, today)?;
                let show = |list: &mut dyn Iterator<Item = &Resource>| {
                    list.map(|r| {
                        let extra = extras.get(&r.id).copied().unwrap_or_default();
                        present(lang, r, dates, extra)
                    })
                    .collect::<Vec<_>>()
                };
                Ok(FoundPage {
                    results: show(&mut page.items.iter()),
                    beyond: show(&mut page.nearest_beyond.iter()),
                    total: page.total,
                    next_cursor: page.next_cursor,
                })
            })
            .await;
        match answer {
            Ok(page) => found = page,
            Err(Error::Validation(fields)) => {
                for f in fields {
                    let field = if f.field.starts_with("available_from") {
                        "starts_on"
                    } else if f.field.starts_with("available_to") {
                        "ends_on"
                    } else if f.field.starts_with("age") {
                        "age"
                    } else {
                        "q"
                    };
                    errors.add(
                        field,
                        format!("{}{} {}.", t.search_impossible, t.colon, f.message),
                    );
                }
            }
            Err(e) => return Err(e.into()),
        }
    }
    let status = errors.status();
    // The same search, one page further: the form's fields as sent, with the next cursor.
    let next_page = found.next_cursor.as_ref().map(|c| {
        let mut query = form_urlencoded::Serializer::new(String::new());
        for (name, value) in form.pairs() {
            if name != "cursor" {
                query.append_pair(name, value);
            }
        }
        query.append_pair("cursor", c);
        format!("/resources?{}", query.finish())
    });
    render(
        status,
        &FindPage {
            layout: Layout::signed(t.find_title, &s, "find"),
            errors,
            searched,
            q: form.value("q"),
            age: form.value("age"),
            themes: choices(
                Theme::ALL,
                Theme::as_str,
                |x| words::theme(lang, x),
                &themes,
            ),
            kinds: choices(
                ResourceKind::ALL,
                ResourceKind::as_str,
                |x| words::kind(lang, x),
                &kinds,
            ),
            audiences: choices(
                crate::catalogue::model::Audience::ALL,
                crate::catalogue::model::Audience::as_str,
                |x| words::audience(lang, x),
                &audiences,
            ),
            radii: RADII
                .iter()
                .map(|(v, l)| Choice {
                    value: v,
                    label: if *v == "1000" { t.find_whole_region } else { l },
                    selected: form.get("radius_km").unwrap_or("50") == *v,
                })
                .collect(),
            starts_on: form.value("starts_on"),
            ends_on: form.value("ends_on"),
            radius: format!("{radius}"),
            results: found.results,
            beyond: found.beyond,
            total: found.total,
            later_page: cursor.is_some(),
            next_page,
        },
    )
}

/// One month of the availability calendar: the free periods that meet it, and the school
/// holidays of my zone in it (a school is closed then, a leisure centre open).
pub struct Month {
    pub name: String,
    pub free: Vec<String>,
    pub holidays: Vec<String>,
}

#[derive(Template)]
#[template(path = "portal/resource.html")]
struct ResourcePage {
    layout: Layout,
    csrf_token: String,
    errors: Errors,
    r: Resource,
    kind: &'static str,
    themes: Vec<&'static str>,
    audiences: Vec<&'static str>,
    producer: String,
    producer_address: String,
    components: Vec<(String, i32)>,
    dimensions: Vec<(String, String)>,
    months: Vec<Month>,
    starts_on: String,
    ends_on: String,
    period: String,
    quote: Vec<(String, String)>,
    total: String,
    deposit: String,
    idempotency_key: String,
    alternatives: Vec<(String, String, String)>,
    photos: Vec<MediaLine>,
    documents: Vec<MediaLine>,
    /// Whether the visitor writes this resource's catalogue (its producer, the agency): the
    /// upload form, the remove buttons and the labels.
    can_edit: bool,
    media_title: String,
}

/// A photo or document as the resource page lists it.
pub struct MediaLine {
    pub id: i64,
    pub title: String,
    pub size: String,
}

/// Everything the resource page shows; `dates` adds my quote for them.
#[allow(clippy::too_many_arguments)]
pub(super) async fn resource_page(
    state: &State,
    s: &BrowserSession,
    id: i64,
    form: &Fields,
    dates: Option<(NaiveDate, NaiveDate)>,
    mut errors: Errors,
    alternatives: Vec<Alternative>,
    status: StatusCode,
) -> Page {
    let clock = state.clock;
    let p = s.principal.clone();
    let lang = Lang::of_session(s);
    let t = lang.t();
    let billing = LoanBilling::from_config(&state.config);
    let today = clock.today();
    let (r, producer, components, availability, q, zone, media, can_edit) = state
        .run(move |conn| {
            let r = catalogue::get_resource(conn, id)?;
            let media = crate::media::service::list(conn, id)?;
            let can_edit = crate::access::policy::write_catalogue(&p, r.producer_id).is_ok();
            let producer = crate::organization::service::get_organization(conn, r.producer_id)?;
            let zone = crate::organization::service::get_organization(conn, p.organization_id)?
                .school_zone;
            let components = catalogue::list_components(conn, id)?;
            let availability =
                bookings::availability(conn, id, today, today + Duration::days(120))?;
            let q = dates.map(|(from, to)| {
                let query = QuoteQuery {
                    venue_id: None,
                    starts_on: from,
                    ends_on: to,
                };
                quote::preview(conn, &billing, &p, id, &query)
            });
            Ok((
                r,
                producer,
                components,
                availability,
                q,
                zone,
                media,
                can_edit,
            ))
        })
        .await?;
    let q = match q {
        Some(Ok(q)) => Some(q),
        Some(Err(Error::Validation(fields))) => {
            for f in fields {
                errors.add(
                    "ends_on",
                    format!("{}{} {}.", t.dates_impossible, t.colon, f.message),
                );
            }
            None
        }
        Some(Err(e)) => return Err(e.into()),
        None => None,
    };
    let mut months = Vec::new();
    let mut first = today.with_day0(0).unwrap_or(today);
    for _ in 0..4 {
        let next = (first + Duration::days(32)).with_day0(0).unwrap_or(first);
        let last = next - Duration::days(1);
        let mut free: Vec<(NaiveDate, NaiveDate)> = availability
            .copies
            .iter()
            .flat_map(|c| c.free.iter())
            .filter(|f| f.from <= last && f.to >= first)
            .map(|f| (f.from.max(first).max(today), f.to.min(last)))
            .filter(|(a, b)| a <= b)
            .collect();
        free.sort();
        free.dedup();
        let holidays = zone
            .map(|zone| crate::territory::holidays::between(Some(zone), first, last))
            .unwrap_or_default()
            .into_iter()
            .map(|h| {
                let (a, b) = (h.starts_on.max(first), h.ends_on.min(last));
                let when = if a == b {
                    lang.on_day(a)
                } else {
                    lang.period(a, b)
                };
                format!("{} (zone {}){} {when}", h.description, h.zone, t.colon)
            })
            .collect();
        months.push(Month {
            holidays,
            name: lang.month(first),
            free: if free.is_empty() {
                vec![t.resource_no_free_day.to_string()]
            } else {
                free.iter()
                    .map(|(a, b)| {
                        if a == b {
                            lang.on_day(*a)
                        } else {
                            lang.period(*a, *b)
                        }
                    })
                    .collect()
            },
        });
        first = next;
    }
    let mut dimensions = Vec::new();
    if let Some(a) = r.floor_area_m2 {
        dimensions.push((t.resource_floor_area.to_string(), format!("{a} m²")));
    }
    if let Some(w) = r.weight_kg {
        dimensions.push((t.resource_weight.to_string(), format!("{w} kg")));
    }
    if let Some(v) = r.volume_m3 {
        dimensions.push((t.resource_volume.to_string(), format!("{v} m³")));
    }
    if let Some(c) = r.crates {
        dimensions.push((t.resource_crates.to_string(), c.to_string()));
    }
    dimensions.push((
        t.resource_setup.to_string(),
        format!("{} {}", r.setup_days, t.resource_days),
    ));
    let page = ResourcePage {
        layout: Layout::signed(r.title.clone(), s, "find"),
        csrf_token: s.csrf_token.clone(),
        errors,
        kind: words::kind(lang, r.kind),
        themes: r.themes.iter().map(|x| words::theme(lang, *x)).collect(),
        audiences: r
            .audiences
            .iter()
            .map(|a| words::audience(lang, *a))
            .collect(),
        producer: producer.name,
        producer_address: producer.address.unwrap_or_default(),
        components: components
            .into_iter()
            .map(|c| (c.name, c.quantity))
            .collect(),
        dimensions,
        months,
        starts_on: form.value("starts_on"),
        ends_on: form.value("ends_on"),
        period: dates.map(|(a, b)| lang.period(a, b)).unwrap_or_default(),
        quote: q
            .as_ref()
            .map(|q| {
                q.lines
                    .iter()
                    .map(|l| (l.label.clone(), crate::page::euros(l.amount_cents)))
                    .collect()
            })
            .unwrap_or_default(),
        total: q
            .as_ref()
            .map(|q| crate::page::euros(q.total_cents))
            .unwrap_or_default(),
        deposit: q
            .as_ref()
            .map(|q| crate::page::euros(q.deposit_cents))
            .unwrap_or_default(),
        idempotency_key: apikey::random_secret("portal-")?,
        alternatives: alternatives
            .iter()
            .map(|a| {
                (
                    a.starts_on.to_string(),
                    a.ends_on.to_string(),
                    lang.period(a.starts_on, a.ends_on),
                )
            })
            .collect(),
        photos: media_lines(lang, &media, MediaKind::Photo),
        documents: media_lines(lang, &media, MediaKind::Document),
        can_edit,
        media_title: form.value("title"),
        r,
    };
    render(status, &page)
}

fn media_lines(lang: Lang, media: &[Media], kind: MediaKind) -> Vec<MediaLine> {
    media
        .iter()
        .filter(|m| m.kind == kind)
        .map(|m| MediaLine {
            id: m.id,
            title: m.title.clone(),
            size: super::media::megabytes(lang, m.byte_size),
        })
        .collect()
}

/// `GET /resources/{id}`: description, producer, components, dimensions, free dates, my quote.
pub async fn resource(state: State, req: Req, id: PathId) -> Page {
    let s = signed_in(&state, &req).await?;
    let form = Fields::query(req.query_string());
    let mut errors = Errors::default();
    let dates = if form.get("starts_on").is_some() || form.get("ends_on").is_some() {
        form::use_period(Lang::of_session(&s), &form, &mut errors)
    } else {
        None
    };
    let status = errors.status();
    resource_page(
        &state,
        &s,
        id.into_inner(),
        &form,
        dates,
        errors,
        Vec::new(),
        status,
    )
    .await
}

/// `POST /bookings`: the request. The form's idempotency key makes a double submit book once:
/// the second answer is the first one's page.
pub async fn request(state: State, SignedForm(s, form): SignedForm) -> Page {
    let clock = state.clock;
    let Some(resource_id) = form.get("resource_id").and_then(|r| r.parse::<i64>().ok()) else {
        return Err(Error::NotFound("resource".into()).into());
    };
    let lang = Lang::of_session(&s);
    let t = lang.t();
    let mut errors = Errors::default();
    let dates = form::use_period(lang, &form, &mut errors);
    let Some((starts_on, ends_on)) = dates.filter(|_| errors.is_empty()) else {
        return resource_page(
            &state,
            &s,
            resource_id,
            &form,
            None,
            errors,
            Vec::new(),
            StatusCode::UNPROCESSABLE_ENTITY,
        )
        .await;
    };
    let key = form
        .get("idempotency_key")
        .map(Key::parse)
        .transpose()
        .map_err(|_| Error::invalid("idempotency_key", "malformed"))?;
    let new = NewBooking {
        resource_id,
        venue_id: s.principal.organization_id,
        starts_on,
        ends_on,
        copy_id: None,
    };
    let fingerprint = idempotency::fingerprint(
        "POST",
        "/bookings",
        &serde_json::json!({ "resource_id": resource_id, "starts_on": starts_on, "ends_on": ends_on }),
    );
    let org = s.principal.organization_id;
    // Claim the key first; a second submit of the same form waits for the first one's answer.
    let mut claim_id = None;
    let abandoned_after = Duration::seconds(state.config.idempotency_abandoned_after_seconds);
    if let Some(key) = key.clone() {
        for _ in 0..50 {
            let (k, f) = (key.clone(), fingerprint.clone());
            let claim = state
                .run(move |conn| {
                    idempotency::claim(conn, org, &k, &f, abandoned_after, clock.naive())
                })
                .await?;
            match claim {
                Claim::Acquired { id } => {
                    claim_id = Some(id);
                    break;
                }
                Claim::Replay(recorded) => return Ok(see_other(&recorded.body)),
                Claim::InProgress => {
                    actix_web::rt::time::sleep(std::time::Duration::from_millis(100)).await
                }
                Claim::Reused => return Err(PortalError::Csrf),
            }
        }
        if claim_id.is_none() {
            return Err(Error::Unavailable("the first submit is still running".into()).into());
        }
    }
    let settings = state.booking_settings();
    let p = s.principal.clone();
    let outcome = state
        .run(move |conn| {
            let now = clock.naive();
            // The key's answer is recorded in the booking's own transaction.
            let (_, location) =
                bookings::request_then(conn, &p, &settings, &new, now, |conn, booking| {
                    let location = format!("/bookings/{}?created=1", booking.id);
                    if let Some(id) = claim_id {
                        let answer = Recorded {
                            status: 303,
                            content_type: "text/uri-list".into(),
                            body: location.clone(),
                        };
                        idempotency::complete(conn, id, &answer, now)?;
                    }
                    Ok(location)
                })?;
            Ok(location)
        })
        .await;
    let error = match outcome {
        Ok(location) => return Ok(see_other(&location)),
        Err(e) => e,
    };
    // Nothing was booked: the key is free again for a corrected submit.
    if let Some(id) = claim_id {
        let released =
            crate::client::regardless(state.run(move |conn| idempotency::release(conn, id)));
        if let Err(e) = released.await {
            tracing::warn!(error = %e, "could not release an idempotency key");
        }
    }
    let mut errors = Errors::default();
    let mut alternatives = Vec::new();
    match error {
        Error::Validation(fields) => {
            for f in fields {
                let field = if f.field == "ends_on" {
                    "ends_on"
                } else {
                    "starts_on"
                };
                errors.add(field, form::date_message(lang, &f.message));
            }
        }
        Error::Conflict {
            code: crate::error::Code::BookingConflict,
            extra,
            ..
        } => {
            alternatives = extra
                .and_then(|x| {
                    serde_json::from_value::<Vec<Alternative>>(x["alternatives"].clone()).ok()
                })
                .unwrap_or_default();
            errors.add(
                "starts_on",
                if alternatives.is_empty() {
                    t.request_no_copy
                } else {
                    t.request_no_copy_alternatives
                },
            );
        }
        Error::Conflict {
            code: crate::error::Code::RequestLimitReached,
            ..
        } => {
            errors.add("starts_on", t.request_limit);
        }
        other => return Err(other.into()),
    }
    resource_page(
        &state,
        &s,
        resource_id,
        &form,
        Some((starts_on, ends_on)),
        errors,
        alternatives,
        StatusCode::UNPROCESSABLE_ENTITY,
    )
    .await
}
