//! A producer's days of tours (issue 24), and the agency's for any producer: a day's vans and
//! moves, « Planifier la journée » (the service of `POST /api/v1/tours/plan`), a kept plan with
//! its rounds, a map drawn by the service and the form that moves a stop (the service of
//! `POST /api/v1/tours/{id}/moves`), the drivers' sheets to print and their calendar.

use std::collections::HashMap;

use actix_web::http::StatusCode;
use askama::Template;
use chrono::{Datelike, Duration, NaiveDate, Weekday};

use super::form::{Errors, Fields};
use super::lang::Lang;
use super::lang_producer::ProducerTexts;
use super::session::signed_in;
use super::session::SignedForm;
use super::{render, see_other, Layout, PortalError, Req, State};
use super::{Page, PathId};
use crate::access::policy;
use crate::auth::browser::BrowserSession;
use crate::error::{Code, Error};
use crate::organization::service as orgs;
use crate::organization::OrgKind;
use crate::transport::dayplan::{self, Handling};
use crate::transport::distance::DistanceProvider;
use crate::transport::model::{DayPlan, JobKind, PlanRequest, StopMove};
use crate::transport::service::Costs;
use crate::transport::{map, sheet};

/// The day a producer plans by default: the next working day (Monday to Friday).
fn next_working_day(today: NaiveDate) -> NaiveDate {
    let mut d = today + Duration::days(1);
    while matches!(d.weekday(), Weekday::Sat | Weekday::Sun) {
        d += Duration::days(1);
    }
    d
}

fn kind_word(p: &ProducerTexts, kind: JobKind) -> &'static str {
    match kind {
        JobKind::Delivery => p.delivery,
        JobKind::Pickup => p.pickup,
    }
}

fn load(lang: Lang, crates: i32, volume_m3: f64, weight_kg: f64) -> String {
    match lang {
        Lang::Fr => format!(
            "{crates} caisse(s), {} m³, {} kg",
            crate::page::decimal(volume_m3, 2),
            crate::page::decimal(weight_kg, 0)
        ),
        Lang::En => format!("{crates} crate(s), {volume_m3:.2} m³, {weight_kg:.0} kg"),
    }
}

/// A van of the day, as the page shows it.
pub struct VanLine {
    pub name: String,
    pub capacity: String,
    pub shift: String,
}

/// A move of the day.
pub struct JobLine {
    pub kind: &'static str,
    pub venue: String,
    pub commune: String,
    pub copy: String,
    pub load: String,
    pub opening: String,
}

/// A producer the agency may choose.
pub struct DepotChoice {
    pub id: i64,
    pub name: String,
    pub chosen: bool,
}

#[derive(Template)]
#[template(path = "portal/days.html")]
struct DaysPage {
    layout: Layout,
    p: &'static ProducerTexts,
    csrf_token: String,
    errors: Errors,
    date: String,
    depot: Option<i64>,
    depots: Vec<DepotChoice>,
    vans: Vec<VanLine>,
    jobs: Vec<JobLine>,
    /// Why the day cannot be planned (no van), if so.
    blocked: Option<&'static str>,
    kept: Vec<(i64, String)>,
}

/// The depot a page is about: the producer's own, or the one the agency chose (`depot`).
fn depot_of(s: &BrowserSession, fields: &Fields) -> Option<i64> {
    if policy::chooses_depot(&s.principal) {
        fields.get("depot").and_then(|d| d.parse().ok())
    } else {
        Some(s.principal.organization_id)
    }
}

/// `GET /days[?date=YYYY-MM-DD][&depot=ID]`: the day's vans and moves, the button that plans
/// it, and the plans kept for that day.
pub async fn days(state: State, req: Req) -> Page {
    let clock = state.clock;
    let s = signed_in(&state, &req).await?;
    policy::open_day_planning(&s.principal).map_err(PortalError::from)?;
    let query = Fields::query(req.query_string());
    let mut errors = Errors::default();
    let date = match query.get("date") {
        None => next_working_day(clock.today()),
        Some(_) => {
            let lang = Lang::of_session(&s);
            errors
                .date(lang, &query, "date", lang.producer().days_date_label)
                .unwrap_or_else(|| next_working_day(clock.today()))
        }
    };
    day_page(&state, &s, date, depot_of(&s, &query), errors).await
}

async fn day_page(
    state: &State,
    s: &BrowserSession,
    date: NaiveDate,
    depot: Option<i64>,
    errors: Errors,
) -> Page {
    let lang = Lang::of_session(s);
    let pt = lang.producer();
    let p = s.principal.clone();
    let costs = Costs::from_config(&state.config);
    let handling = Handling::from_config(&state.config);
    let agency = policy::chooses_depot(&p);
    let (depots, day, kept, places) = state
        .run(move |conn| {
            let depots = if agency {
                orgs::list_organizations(conn, Some(OrgKind::Producer), None, 500)?.items
            } else {
                Vec::new()
            };
            let Some(depot) = depot else {
                return Ok((depots, None, Vec::new(), HashMap::new()));
            };
            let req = PlanRequest {
                date,
                depot_organization_id: depot,
                van_ids: None,
                vehicle: None,
            };
            let day = match dayplan::gather(conn, &p, &costs, &handling, &req) {
                Ok(day) => Some(day),
                // No active van at this depot: the page says so.
                Err(Error::Validation(_)) => None,
                Err(e) => return Err(e),
            };
            let kept = dayplan::kept(conn, &p, depot, date)?;
            let venue_ids: Vec<i64> = day
                .iter()
                .flat_map(|d| {
                    d.stops
                        .iter()
                        .map(|(s, _)| s.venue_id)
                        .chain(d.closed.iter().map(|s| s.venue_id))
                })
                .collect();
            let places = orgs::whereabouts(conn, &venue_ids)?;
            Ok((depots, day, kept, places))
        })
        .await?;
    let commune = |venue_id: i64, insee: &str| {
        places
            .get(&venue_id)
            .map(|w| w.commune.clone())
            .unwrap_or_else(|| insee.to_string())
    };
    let mut vans = Vec::new();
    let mut jobs = Vec::new();
    let blocked = match (&depot, &day) {
        (None, _) => Some(pt.days_choose_depot),
        (Some(_), None) => Some(pt.days_no_van),
        (Some(_), Some(day)) => {
            vans = day
                .vans
                .iter()
                .map(|v| VanLine {
                    name: v.spec.id.clone(),
                    capacity: match lang {
                        Lang::Fr => format!(
                            "{} m³, {} kg",
                            crate::page::decimal(v.spec.capacity.volume_m3, 1),
                            crate::page::decimal(v.spec.capacity.weight_kg, 0)
                        ),
                        Lang::En => format!(
                            "{} m³, {} kg",
                            v.spec.capacity.volume_m3, v.spec.capacity.weight_kg
                        ),
                    },
                    shift: format!(
                        "{}–{}",
                        crate::clock::format_hhmm(v.spec.shift.0),
                        crate::clock::format_hhmm(v.spec.shift.1)
                    ),
                })
                .collect();
            let line = |stop: &crate::transport::model::PlanStop, opening: String| JobLine {
                kind: kind_word(pt, stop.kind),
                venue: stop.venue_name.clone(),
                commune: commune(stop.venue_id, &stop.commune_insee),
                copy: format!("{} — {}", stop.asset_tag, stop.resource_title),
                load: load(lang, stop.crates, stop.volume_m3, stop.weight_kg),
                opening,
            };
            for (stop, _) in &day.stops {
                let opening = if stop.opening.is_empty() {
                    pt.days_unknown_hours.to_string()
                } else {
                    stop.opening
                        .iter()
                        .map(|w| format!("{}–{}", w.start, w.end))
                        .collect::<Vec<_>>()
                        .join(", ")
                };
                jobs.push(line(stop, opening));
            }
            for stop in &day.closed {
                jobs.push(line(stop, pt.days_closed.to_string()));
            }
            None
        }
    };
    let status = errors.status();
    render(
        status,
        &DaysPage {
            layout: Layout::signed(pt.days_title, s, "days"),
            p: pt,
            csrf_token: s.csrf_token.clone(),
            errors,
            date: date.to_string(),
            depot,
            depots: depots
                .into_iter()
                .map(|o| DepotChoice {
                    chosen: Some(o.id) == depot,
                    id: o.id,
                    name: o.name,
                })
                .collect(),
            vans,
            jobs,
            blocked,
            kept: kept
                .into_iter()
                .map(|(id, at)| {
                    (
                        id,
                        format!(
                            "{} {} {}",
                            pt.days_made_at,
                            lang.short_date(at.date()),
                            at.format("%H:%M")
                        ),
                    )
                })
                .collect(),
        },
    )
}

/// `POST /days`: plans the day (`date`, and `depot` for the agency) with the service of
/// `POST /api/v1/tours/plan`, keeps it and shows it.
pub async fn plan(state: State, _req: Req, SignedForm(s, form): SignedForm) -> Page {
    let clock = state.clock;
    policy::open_day_planning(&s.principal).map_err(PortalError::from)?;
    let lang = Lang::of_session(&s);
    let mut errors = Errors::default();
    let date = errors.date(lang, &form, "date", lang.producer().days_date_label);
    let depot = depot_of(&s, &form);
    let (Some(date), Some(depot)) = (date, depot) else {
        let date = date.unwrap_or_else(|| next_working_day(clock.today()));
        return day_page(&state, &s, date, depot, errors).await;
    };
    let costs = Costs::from_config(&state.config);
    let handling = Handling::from_config(&state.config);
    let p = s.principal.clone();
    let req = PlanRequest {
        date,
        depot_organization_id: depot,
        van_ids: None,
        vehicle: None,
    };
    let day = match state
        .run(move |conn| dayplan::gather(conn, &p, &costs, &handling, &req))
        .await
    {
        Ok(day) => day,
        // No van: the day's page says so.
        Err(Error::Validation(_)) => return day_page(&state, &s, date, Some(depot), errors).await,
        Err(e) => return Err(e.into()),
    };
    let provider = DistanceProvider::from_config(&state.config);
    let limit = std::time::Duration::from_millis(state.config.tour_time_limit_ms);
    let plan = dayplan::plan(&provider, day, limit, clock.naive()).await?;
    let p = s.principal.clone();
    let plan = state.run(move |conn| dayplan::keep(conn, &p, plan)).await?;
    Ok(see_other(&format!("/days/{}", plan.id)))
}

/// One stop of a round.
pub struct StopLine {
    pub number: usize,
    pub arrival: String,
    pub departure: String,
    pub kind: &'static str,
    pub venue: String,
    pub commune: String,
    pub copy: String,
    pub load: String,
}

/// One van's round.
pub struct RoundLine {
    pub number: i64,
    pub van: String,
    /// The van's colour on the map (1–7, the stylesheet's `van-N`).
    pub colour: usize,
    pub summary: String,
    pub stops: Vec<StopLine>,
}

/// A move left out.
pub struct LeftOut {
    pub booking_id: i64,
    pub kind: &'static str,
    pub venue: String,
    pub copy: String,
    pub reason: &'static str,
}

/// An option of a select: value, words, chosen.
pub struct Choice {
    pub value: String,
    pub label: String,
    pub chosen: bool,
}

#[derive(Template)]
#[template(path = "portal/day_plan.html")]
struct PlanPage {
    layout: Layout,
    p: &'static ProducerTexts,
    csrf_token: String,
    errors: Errors,
    moved: bool,
    id: i64,
    date_iso: String,
    depot_query: String,
    title: String,
    summary: String,
    map: String,
    rounds: Vec<RoundLine>,
    unassigned: Vec<LeftOut>,
    stops: Vec<Choice>,
    vans: Vec<Choice>,
    position: String,
}

/// Reads a kept plan the caller may plan (the agency or the depot's producer; others 404 as
/// `GET /api/v1/tours/{id}`), with its venues' communes.
async fn plan_of(
    state: &State,
    s: &BrowserSession,
    id: i64,
) -> Result<(DayPlan, HashMap<i64, orgs::Whereabouts>), PortalError> {
    policy::open_day_planning(&s.principal).map_err(PortalError::from)?;
    let p = s.principal.clone();
    Ok(state
        .run(move |conn| {
            let plan = dayplan::read(conn, &p, id)?;
            let venue_ids: Vec<i64> = plan
                .trips
                .iter()
                .flat_map(|t| t.stops.iter().map(|s| s.venue_id))
                .chain(plan.depot.organization_id)
                .collect();
            let places = orgs::whereabouts(conn, &venue_ids)?;
            Ok((plan, places))
        })
        .await?)
}

/// `GET /days/{id}`: a kept plan: its map, each van's round, the moves left out with their
/// reason, and the form that moves a stop.
pub async fn day_plan(state: State, req: Req, id: PathId) -> Page {
    let s = signed_in(&state, &req).await?;
    let (plan, places) = plan_of(&state, &s, id.into_inner()).await?;
    let moved = Fields::query(req.query_string()).get("moved").is_some();
    plan_page(
        &s,
        &plan,
        &places,
        Errors::default(),
        &Fields::default(),
        moved,
    )
}

fn plan_page(
    s: &BrowserSession,
    plan: &DayPlan,
    places: &HashMap<i64, orgs::Whereabouts>,
    errors: Errors,
    form: &Fields,
    moved: bool,
) -> Page {
    let lang = Lang::of_session(s);
    let pt = lang.producer();
    let number = |x: f64, places: usize| match lang {
        Lang::Fr => crate::page::decimal(x, places),
        Lang::En => format!("{x:.places$}"),
    };
    let title = format!(
        "{} {} — {}",
        pt.plan_title,
        lang.short_date(plan.date),
        plan.depot.name
    );
    let rounds: Vec<RoundLine> = plan
        .trips
        .iter()
        .map(|t| RoundLine {
            number: t.number,
            van: t.van_name.clone(),
            colour: map::van_colour_index(t.van_number.max(t.number)),
            summary: format!(
                "{} {} · {} {} · {} km · {} {} · {} {} m³ / {} kg · {} {} m³ / {} kg",
                pt.plan_leaves,
                t.start,
                pt.plan_back_at,
                t.end,
                number(t.km, 1),
                number(t.driving_hours, 2),
                pt.plan_hours,
                pt.plan_aboard,
                number(t.volume_m3, 2),
                number(t.weight_kg, 0),
                pt.plan_collected,
                number(t.collected_volume_m3, 2),
                number(t.collected_weight_kg, 0),
            ),
            stops: t
                .stops
                .iter()
                .enumerate()
                .map(|(k, stop)| StopLine {
                    number: k + 1,
                    arrival: stop.arrival.clone().unwrap_or_default(),
                    departure: stop.departure.clone().unwrap_or_default(),
                    kind: kind_word(pt, stop.kind),
                    venue: stop.venue_name.clone(),
                    commune: places
                        .get(&stop.venue_id)
                        .map(|w| w.commune.clone())
                        .unwrap_or_else(|| stop.commune_insee.clone()),
                    copy: format!("{} — {}", stop.asset_tag, stop.resource_title),
                    load: load(lang, stop.crates, stop.volume_m3, stop.weight_kg),
                })
                .collect(),
        })
        .collect();
    let chosen_stop = form.value("stop");
    let stops = plan
        .trips
        .iter()
        .flat_map(|t| {
            t.stops
                .iter()
                .enumerate()
                .map(move |(k, stop)| (t, k, stop))
        })
        .map(|(t, k, stop)| {
            let value = format!("{}:{}", stop.booking_id, stop.kind.as_str());
            Choice {
                chosen: value == chosen_stop,
                label: format!(
                    "{} {} ({}), {} {} — {} {}, {}",
                    pt.plan_round,
                    t.number,
                    t.van_name,
                    pt.plan_stop.to_lowercase(),
                    k + 1,
                    kind_word(pt, stop.kind),
                    stop.asset_tag,
                    stop.venue_name
                ),
                value,
            }
        })
        // A move the solver left out is placed by hand the same way.
        .chain(
            plan.unassigned
                .iter()
                .filter(|u| u.stop.is_some())
                .map(|u| {
                    let value = format!("{}:{}", u.booking_id, u.kind.as_str());
                    Choice {
                        chosen: value == chosen_stop,
                        label: format!(
                            "{} — {} {}, {}",
                            pt.plan_left_out,
                            kind_word(pt, u.kind),
                            u.asset_tag,
                            u.venue_name
                        ),
                        value,
                    }
                }),
        )
        .collect();
    let chosen_van = form.value("van");
    let vans = plan
        .vans
        .iter()
        .map(|v| Choice {
            value: v.number.to_string(),
            label: v.name.clone(),
            chosen: v.number.to_string() == chosen_van,
        })
        .collect();
    let status = errors.status();
    let depot_query = match (
        policy::chooses_depot(&s.principal),
        plan.depot.organization_id,
    ) {
        (true, Some(id)) => format!("&depot={id}"),
        _ => String::new(),
    };
    render(
        status,
        &PlanPage {
            layout: Layout::signed(title.clone(), s, "days"),
            p: pt,
            csrf_token: s.csrf_token.clone(),
            errors,
            moved,
            id: plan.id,
            date_iso: plan.date.to_string(),
            depot_query,
            summary: format!(
                "{} ({}) · {} {} · {} {} · {} {}",
                plan.depot.name,
                plan.depot
                    .organization_id
                    .and_then(|id| places.get(&id))
                    .map_or(plan.depot.commune_insee.clone(), |w| w.commune.clone()),
                plan.trips.len(),
                pt.plan_summary,
                number(plan.total_km, 1),
                pt.plan_km,
                number(plan.total_driving_hours, 2),
                pt.plan_hours
            ),
            map: map::day_svg(plan, &format!("{} — {title}", pt.plan_map)),
            title,
            rounds,
            unassigned: plan
                .unassigned
                .iter()
                .map(|u| LeftOut {
                    booking_id: u.booking_id,
                    kind: kind_word(pt, u.kind),
                    venue: u.venue_name.clone(),
                    copy: u.asset_tag.clone(),
                    reason: sheet::reason_fr(u.reason),
                })
                .collect(),
            stops,
            vans,
            position: form.value("position"),
        },
    )
}

/// `POST /days/{id}/moves`: moves a stop (`stop` = `booking:kind`, `van`, `position`) with the
/// service of `POST /api/v1/tours/{id}/moves`; a move that breaks a rule comes back on the page
/// with the reason, the plan unchanged.
pub async fn move_stop(state: State, id: PathId, SignedForm(s, form): SignedForm) -> Page {
    let id = id.into_inner();
    let (plan, places) = plan_of(&state, &s, id).await?;
    let lang = Lang::of_session(&s);
    let pt = lang.producer();
    let mut errors = Errors::default();
    let stop = form.get("stop").and_then(|v| {
        let (booking, kind) = v.split_once(':')?;
        Some((booking.parse::<i64>().ok()?, kind.parse::<JobKind>().ok()?))
    });
    if stop.is_none() {
        errors.add("stop", pt.move_choose_stop);
    }
    let van = form.get("van").and_then(|v| v.parse::<i64>().ok());
    if van.is_none() {
        errors.add("van", pt.move_choose_van);
    }
    let position = errors.number(lang, &form, "position", pt.move_position_label, 1..=1000);
    let (Some((booking_id, kind)), Some(van_number), Some(position)) = (stop, van, position) else {
        return plan_page(&s, &plan, &places, errors, &form, false);
    };
    let mv = StopMove {
        booking_id,
        kind,
        van_number,
        position,
    };
    let provider = DistanceProvider::from_config(&state.config);
    let moved = match dayplan::move_stop(&provider, plan.clone(), &mv).await {
        Ok(moved) => moved,
        Err(e) => {
            match &e {
                Error::Conflict {
                    code: Code::MoveInfeasible,
                    extra,
                    ..
                } => {
                    let reason = extra
                        .as_ref()
                        .and_then(|x| x.get("reason"))
                        .and_then(|r| r.as_str());
                    errors.add(
                        "stop",
                        match reason {
                            Some("over_capacity") => pt.move_over_capacity,
                            Some("outside_opening_hours") => pt.move_outside_hours,
                            _ => pt.move_after_shift,
                        },
                    );
                }
                Error::Validation(list) => {
                    for f in list {
                        match f.field.as_str() {
                            "position" => errors.add(
                                "position",
                                lang.not_a_number(
                                    pt.move_position,
                                    1,
                                    plan.trips
                                        .iter()
                                        .filter(|t| t.van_number == van_number)
                                        .map(|t| t.stops.len() as i64)
                                        .sum::<i64>()
                                        + 1,
                                ),
                            ),
                            "van_number" if plan.vans.is_empty() => {
                                errors.add("van", pt.move_old_plan)
                            }
                            "van_number" => errors.add("van", pt.move_choose_van),
                            _ => errors.add("stop", pt.move_choose_stop),
                        }
                    }
                }
                _ => return Err(e.into()),
            }
            return plan_page(&s, &plan, &places, errors, &form, false);
        }
    };
    let p = s.principal.clone();
    state
        .run(move |conn| dayplan::replace(conn, &p, &moved))
        .await?;
    Ok(see_other(&format!("/days/{id}?moved=1")))
}

/// `GET /days/{id}/sheet`: the drivers' sheets, one van per printed page.
pub async fn print_sheet(state: State, req: Req, id: PathId) -> Page {
    let s = signed_in(&state, &req).await?;
    let (plan, _) = plan_of(&state, &s, id.into_inner()).await?;
    Ok(super::html(StatusCode::OK, sheet::page(&plan)?))
}

/// `GET /days/{id}/tour.ics`: the plan in the drivers' calendars (as `GET /api/v1/tours/{id}/tour.ics`).
pub async fn calendar(state: State, req: Req, id: PathId) -> Page {
    let s = signed_in(&state, &req).await?;
    let id = id.into_inner();
    let (plan, _) = plan_of(&state, &s, id).await?;
    Ok(crate::http::attachment(
        sheet::ICS_TYPE,
        &sheet::ics_name(id),
        sheet::ics(&plan, None),
    ))
}
