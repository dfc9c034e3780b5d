//! The agency's allocation rounds (`/rounds`): the rounds and a form to open one, then a round's
//! page (`/rounds/{id}`) with its requests, a form to add one and a box to paste many as CSV (all
//! or nothing, the refused lines listed), both policies compared side by side
//! (`/rounds/{id}/compare`, nothing stored) and the choice of one, which allocates under it and
//! confirms at once (one step). The same services as the API (`allocation::service`); who may
//! do it is [`crate::access::policy::coordinate_allocation`]: anyone else gets the 403 page.

use std::collections::HashMap;

use actix_web::http::StatusCode;
use actix_web::web;
use askama::Template;

use super::form::{refused_fields, Errors, Fields};
use super::lang::Lang;
use super::lang_agency::AgencyTexts;
use super::session::signed_in;
use super::session::SignedForm;
use super::Page;
use super::PathId;
use super::{render, see_other, words, Layout, PortalError, Req, State};
use crate::access::policy;
use crate::allocation::model::{
    AllocationPolicy, ClassOutcome, Comparison, NewRound, NewRoundRequest, Proposal, Round,
    RoundDetail, RoundStatus,
};
use crate::allocation::service as rounds;
use crate::auth::browser::BrowserSession;
use crate::catalogue::search::SearchFilter;
use crate::catalogue::service as catalogue;
use crate::error::{Code, Error, FieldError};
use crate::organization::{service as orgs, OrgKind};

/// Resources listed to tick in the form that opens a round.
const RESOURCES_LISTED: i64 = 50;
/// Venues offered in the form that adds a request.
const VENUES_LISTED: i64 = 500;

/// Registers the rounds' pages.
pub fn routes(cfg: &mut web::ServiceConfig) {
    cfg.service(
        web::resource("/rounds")
            .route(web::get().to(list))
            .route(web::post().to(create)),
    )
    .route("/rounds/{id}", web::get().to(round))
    .route("/rounds/{id}/compare", web::get().to(compare))
    .route("/rounds/{id}/requests", web::post().to(add_request))
    .route("/rounds/{id}/csv", web::post().to(add_csv))
    .route("/rounds/{id}/choose", web::post().to(choose));
}

/// The signed-in agency member (others: the 403 page).
async fn coordinator(state: &State, req: &Req) -> Result<BrowserSession, PortalError> {
    let s = signed_in(state, req).await?;
    policy::coordinate_allocation(&s.principal)?;
    Ok(s)
}

/// A round as the list shows it.
struct RoundLine {
    id: i64,
    name: String,
    period: String,
    resources: String,
    status: &'static str,
    requests: String,
}

/// A resource to tick when opening a round.
struct ResourceChoice {
    id: i64,
    title: String,
    checked: bool,
}

#[derive(Template)]
#[template(path = "portal/rounds.html")]
struct RoundsPage {
    layout: Layout,
    a: &'static AgencyTexts,
    errors: Errors,
    rounds: Vec<RoundLine>,
    choices: Vec<ResourceChoice>,
    /// More resources match than are listed.
    more: bool,
    values: RoundValues,
    csrf_token: String,
}

/// The form that opens a round, as typed.
#[derive(Default)]
struct RoundValues {
    q: String,
    name: String,
    period_from: String,
    period_to: String,
    /// Numbers typed.
    typed: String,
    /// Ticked.
    ticked: Vec<i64>,
}

fn status_label(a: &AgencyTexts, status: RoundStatus) -> &'static str {
    match status {
        RoundStatus::Open => a.rounds_open,
        RoundStatus::Confirmed => a.rounds_confirmed,
    }
}

fn policy_label(a: &AgencyTexts, policy: AllocationPolicy) -> &'static str {
    match policy {
        AllocationPolicy::Equity => a.round_equity,
        AllocationPolicy::FirstCome => a.round_first_come,
    }
}

/// The list of rounds and the form to open one.
async fn list_page(
    state: &State,
    s: &BrowserSession,
    status: StatusCode,
    errors: Errors,
    values: RoundValues,
) -> Page {
    let lang = Lang::of_session(s);
    let a = lang.agency();
    let words: Vec<String> = crate::text::fold(&values.q)
        .split(' ')
        .filter(|w| !w.is_empty())
        .map(str::to_string)
        .collect();
    let (list, titles, found) = state
        .run(move |conn| {
            let list = rounds::list_rounds(conn)?;
            let mut ids: Vec<i64> = list.iter().flat_map(|r| r.resource_ids.clone()).collect();
            ids.sort_unstable();
            ids.dedup();
            let titles = catalogue::titles(conn, &ids)?;
            let found = catalogue::search_resources(
                conn,
                &SearchFilter {
                    words,
                    limit: RESOURCES_LISTED,
                    ..SearchFilter::default()
                },
            )?;
            Ok((list, titles, found))
        })
        .await?;
    let lines = list
        .iter()
        .map(|r: &Round| RoundLine {
            id: r.id,
            name: r.name.clone(),
            period: lang.dates(r.period_from, r.period_to),
            resources: r
                .resource_ids
                .iter()
                .map(|id| {
                    titles
                        .get(id)
                        .cloned()
                        .unwrap_or_else(|| format!("n° {id}"))
                })
                .collect::<Vec<_>>()
                .join(", "),
            status: status_label(a, r.status),
            requests: crate::page::integer(r.request_count),
        })
        .collect();
    let choices = found
        .items
        .iter()
        .map(|r| ResourceChoice {
            id: r.id,
            title: r.title.clone(),
            checked: values.ticked.contains(&r.id),
        })
        .collect();
    render(
        status,
        &RoundsPage {
            layout: Layout::signed(a.rounds_title, s, "rounds"),
            a,
            errors,
            rounds: lines,
            choices,
            more: found.total > RESOURCES_LISTED,
            values,
            csrf_token: s.csrf_token.clone(),
        },
    )
}

/// `GET /rounds?q=…`: the rounds, newest first, and the form to open one (the resources to tick
/// narrowed by `q`).
pub async fn list(state: State, req: Req) -> Page {
    let s = coordinator(&state, &req).await?;
    let query = Fields::query(req.query_string());
    let values = RoundValues {
        q: query.value("q"),
        ..RoundValues::default()
    };
    list_page(&state, &s, StatusCode::OK, Errors::default(), values).await
}

/// `POST /rounds`: opens a round (the API's `POST /allocation-rounds`), then its page.
pub async fn create(state: State, SignedForm(s, form): SignedForm) -> Page {
    let clock = state.clock;
    policy::coordinate_allocation(&s.principal)?;
    let lang = Lang::of_session(&s);
    let a = lang.agency();
    let mut errors = Errors::default();
    let ticked: Vec<i64> = form
        .all("resource_id")
        .iter()
        .filter_map(|v| v.parse().ok())
        .collect();
    let typed = form.value("resource_ids");
    let mut ids = ticked.clone();
    for part in typed.split([',', ' ', ';']).filter(|p| !p.is_empty()) {
        match part.trim_start_matches("n°").parse::<i64>() {
            Ok(id) => ids.push(id),
            Err(_) => {
                if errors.of("resource_ids").is_none() {
                    errors.add("resource_ids", a.rounds_bad_resources);
                }
            }
        }
    }
    let values = RoundValues {
        q: form.value("q"),
        name: form.value("name"),
        period_from: form.value("period_from"),
        period_to: form.value("period_to"),
        typed,
        ticked,
    };
    if values.name.is_empty() {
        errors.add("name", a.rounds_bad_name);
    }
    let from = errors.date(lang, &form, "period_from", a.rounds_from_name);
    let to = errors.date(lang, &form, "period_to", a.rounds_to_name);
    if ids.is_empty() && errors.of("resource_ids").is_none() {
        errors.add("resource_ids", a.rounds_bad_resources);
    }
    let (Some(period_from), Some(period_to), true) = (from, to, errors.is_empty()) else {
        return list_page(&state, &s, StatusCode::UNPROCESSABLE_ENTITY, errors, values).await;
    };
    let new = NewRound {
        name: values.name.clone(),
        period_from,
        period_to,
        resource_ids: ids,
    };
    let p = s.principal.clone();
    match state
        .run(move |conn| rounds::create_round(conn, &p, &new, clock.naive()))
        .await
    {
        Ok(round) => Ok(see_other(&format!("/rounds/{}?done=created", round.id))),
        Err(e) => match refused_fields(&e) {
            Some(fields) => {
                for field in fields {
                    let (id, message) = match field {
                        "name" => ("name", a.rounds_bad_name),
                        "resource_ids" => ("resource_ids", a.rounds_bad_resources),
                        _ => ("period_to", a.rounds_bad_period),
                    };
                    if errors.of(id).is_none() {
                        errors.add(id, message);
                    }
                }
                list_page(&state, &s, StatusCode::UNPROCESSABLE_ENTITY, errors, values).await
            }
            None => Err(e.into()),
        },
    }
}

/// A request of the round as its page shows it.
struct RequestLine {
    venue: String,
    commune: String,
    resource: String,
    dates: String,
    /// What the round gives it: a loan (confirmed), or nothing.
    booking_id: Option<i64>,
    outcome: String,
}

/// One commune class of a plan.
struct ClassLine {
    label: &'static str,
    requested: String,
    served: String,
}

/// One decision of a plan.
struct DecisionLine {
    venue: String,
    resource: String,
    dates: String,
    copy: String,
    reason: String,
}

/// One policy's plan, written for reading.
struct PlanView {
    policy: &'static str,
    title: &'static str,
    how: &'static str,
    classes: Vec<ClassLine>,
    gap: String,
    km: String,
    assignments: Vec<DecisionLine>,
    unassigned: Vec<DecisionLine>,
}

/// A venue or resource option of the form that adds a request.
struct Choice {
    id: i64,
    label: String,
}

/// A refused line of a pasted CSV.
struct CsvLine {
    line: u64,
    field: String,
    message: String,
    /// Whether `message` is in the page's language (else it is the API's English).
    in_page_language: bool,
}

/// The form that adds one request, and the pasted CSV, as typed.
#[derive(Default)]
struct RequestValues {
    venue_id: String,
    resource_id: String,
    starts_on: String,
    ends_on: String,
    csv: String,
}

#[derive(Template)]
#[template(path = "portal/round.html")]
struct RoundPage {
    layout: Layout,
    a: &'static AgencyTexts,
    errors: Errors,
    notice: Option<&'static str>,
    id: i64,
    name: String,
    period: String,
    open: bool,
    kept: Option<&'static str>,
    requests: Vec<RequestLine>,
    venues: Vec<Choice>,
    resources: Vec<Choice>,
    values: RequestValues,
    csv_errors: Vec<CsvLine>,
    plans: Vec<PlanView>,
    csrf_token: String,
}

/// What a round's page is drawn from.
struct Seen {
    detail: RoundDetail,
    places: HashMap<i64, orgs::Whereabouts>,
    titles: HashMap<i64, String>,
    tags: HashMap<i64, String>,
    venues: Vec<Choice>,
    comparison: Option<Comparison>,
}

/// What the page says besides its content.
#[derive(Default)]
struct Shown {
    errors: Errors,
    notice: Option<&'static str>,
    values: RequestValues,
    csv_errors: Vec<CsvLine>,
    compare: bool,
}

/// A round's page: its requests, the forms, and both plans when `shown.compare`.
async fn round_page(
    state: &State,
    s: &BrowserSession,
    id: i64,
    status: StatusCode,
    shown: Shown,
) -> Page {
    let lang = Lang::of_session(s);
    let a = lang.agency();
    let p = s.principal.clone();
    let settings = state.booking_settings();
    let now = state.clock.naive();
    let compare = shown.compare;
    let seen = state
        .run(move |conn| {
            let detail = rounds::get_round(conn, &p, id)?;
            let comparison = if compare && detail.round.status == RoundStatus::Open {
                Some(rounds::compare(conn, &p, &settings, id, now)?)
            } else {
                None
            };
            let venues_page =
                orgs::list_organizations(conn, Some(OrgKind::Venue), None, VENUES_LISTED)?;
            let mut venue_ids: Vec<i64> = detail.requests.iter().map(|r| r.venue_id).collect();
            venue_ids.extend(venues_page.items.iter().map(|o| o.id));
            venue_ids.sort_unstable();
            venue_ids.dedup();
            let places = orgs::whereabouts(conn, &venue_ids)?;
            let titles = catalogue::titles(conn, &detail.round.resource_ids)?;
            let mut copies: Vec<i64> = comparison
                .iter()
                .flat_map(|c| [&c.equity, &c.first_come])
                .flat_map(|plan| plan.assignments.iter().map(|x| x.copy_id))
                .collect();
            copies.sort_unstable();
            copies.dedup();
            let tags = catalogue::asset_tags(conn, &copies)?;
            let mut venues: Vec<Choice> = venues_page
                .items
                .into_iter()
                .map(|o| Choice {
                    id: o.id,
                    label: match places.get(&o.id) {
                        Some(w) => format!("{} — {}", o.name, w.commune),
                        None => o.name,
                    },
                })
                .collect();
            venues.sort_by(|x, y| x.label.cmp(&y.label));
            Ok(Seen {
                detail,
                places,
                titles,
                tags,
                venues,
                comparison,
            })
        })
        .await?;
    let round = &seen.detail.round;
    let venue_name = |id: i64| {
        seen.places
            .get(&id)
            .map_or_else(|| format!("n° {id}"), |w| w.name.clone())
    };
    let title = |id: i64| {
        seen.titles
            .get(&id)
            .cloned()
            .unwrap_or_else(|| format!("n° {id}"))
    };
    let requests = seen
        .detail
        .requests
        .iter()
        .map(|r| RequestLine {
            venue: venue_name(r.venue_id),
            commune: seen
                .places
                .get(&r.venue_id)
                .map(|w| format!("{} ({})", w.commune, lang.commune_class(w.class)))
                .unwrap_or_default(),
            resource: title(r.resource_id),
            dates: lang.dates(r.starts_on, r.ends_on),
            booking_id: r.booking_id,
            outcome: match (round.status, r.booking_id) {
                (RoundStatus::Confirmed, None) => a.round_not_served.to_string(),
                (RoundStatus::Open, _) => a.round_pending.to_string(),
                _ => String::new(),
            },
        })
        .collect();
    let decision_line = |request_id: i64, copy: Option<i64>, reason: String| {
        let r = seen.detail.requests.iter().find(|r| r.id == request_id);
        DecisionLine {
            venue: r.map(|r| venue_name(r.venue_id)).unwrap_or_default(),
            resource: r.map(|r| title(r.resource_id)).unwrap_or_default(),
            dates: r
                .map(|r| lang.dates(r.starts_on, r.ends_on))
                .unwrap_or_default(),
            copy: copy
                .map(|c| {
                    seen.tags
                        .get(&c)
                        .cloned()
                        .unwrap_or_else(|| format!("n° {c}"))
                })
                .unwrap_or_default(),
            reason,
        }
    };
    let plan_view = |plan: &Proposal| {
        let class = |label: &'static str, o: &ClassOutcome| ClassLine {
            label,
            requested: crate::page::integer(o.requested),
            served: crate::page::integer(o.served),
        };
        let by = &plan.summary.by_class;
        use crate::territory::CommuneClass as C;
        PlanView {
            policy: plan.policy.as_str(),
            title: policy_label(a, plan.policy),
            how: match plan.policy {
                AllocationPolicy::Equity => a.round_equity_how,
                AllocationPolicy::FirstCome => a.round_first_come_how,
            },
            classes: vec![
                class(lang.commune_class(C::Village), &by.village),
                class(lang.commune_class(C::SmallTown), &by.small_town),
                class(lang.commune_class(C::MediumTown), &by.medium_town),
                class(lang.commune_class(C::LargeCity), &by.large_city),
            ],
            gap: match plan.summary.village_city_served_gap_points {
                Some(points) => format!(
                    "{}{}\u{a0}{}",
                    if points > 0.0 { "+" } else { "" },
                    crate::page::decimal(points, 1),
                    a.round_points
                ),
                None => a.round_gap_none.to_string(),
            },
            km: words::km(plan.summary.total_km),
            assignments: plan
                .assignments
                .iter()
                .map(|x| {
                    decision_line(
                        x.request_id,
                        Some(x.copy_id),
                        x.decision.render(lang.code()),
                    )
                })
                .collect(),
            unassigned: plan
                .unassigned
                .iter()
                .map(|x| decision_line(x.request_id, None, x.decision.render(lang.code())))
                .collect(),
        }
    };
    let plans = seen
        .comparison
        .as_ref()
        .map(|c| vec![plan_view(&c.equity), plan_view(&c.first_come)])
        .unwrap_or_default();
    let resources = round
        .resource_ids
        .iter()
        .map(|id| Choice {
            id: *id,
            label: title(*id),
        })
        .collect();
    let page = RoundPage {
        layout: Layout::signed(round.name.clone(), s, "rounds"),
        a,
        errors: shown.errors,
        notice: shown.notice,
        id,
        name: round.name.clone(),
        period: lang.dates(round.period_from, round.period_to),
        open: round.status == RoundStatus::Open,
        kept: match round.status {
            RoundStatus::Confirmed => round.proposal_policy.map(|p| policy_label(a, p)),
            RoundStatus::Open => None,
        },
        requests,
        venues: seen.venues,
        resources,
        values: shown.values,
        csv_errors: shown.csv_errors,
        plans,
        csrf_token: s.csrf_token.clone(),
    };
    render(status, &page)
}

/// `GET /rounds/{id}`: the round, its requests and its forms.
pub async fn round(state: State, req: Req, id: PathId) -> Page {
    let s = coordinator(&state, &req).await?;
    let a = Lang::of_session(&s).agency();
    let notice = Fields::done_notice(
        req.query_string(),
        &[
            ("created", a.rounds_created),
            ("added", a.round_added),
            ("csv", a.round_csv_added),
            ("kept", a.round_kept),
        ],
    );
    let shown = Shown {
        notice,
        ..Shown::default()
    };
    round_page(&state, &s, id.into_inner(), StatusCode::OK, shown).await
}

/// `GET /rounds/{id}/compare`: the round with both plans side by side (the API's `compare`:
/// nothing stored, so a link, not a form).
pub async fn compare(state: State, req: Req, id: PathId) -> Page {
    let s = coordinator(&state, &req).await?;
    let shown = Shown {
        compare: true,
        ..Shown::default()
    };
    round_page(&state, &s, id.into_inner(), StatusCode::OK, shown).await
}

/// The page again after a refusal of the round itself (closed: 409 with its sentence).
async fn closed(
    state: &State,
    s: &BrowserSession,
    id: i64,
    message: &'static str,
    field: &str,
    values: RequestValues,
) -> Page {
    let mut errors = Errors::default();
    errors.add(field, message);
    let shown = Shown {
        errors,
        values,
        ..Shown::default()
    };
    round_page(state, s, id, StatusCode::CONFLICT, shown).await
}

/// `POST /rounds/{id}/requests`: adds one request (the API's JSON request).
pub async fn add_request(state: State, id: PathId, SignedForm(s, form): SignedForm) -> Page {
    let clock = state.clock;
    let id = id.into_inner();
    policy::coordinate_allocation(&s.principal)?;
    let lang = Lang::of_session(&s);
    let a = lang.agency();
    let values = RequestValues {
        venue_id: form.value("venue_id"),
        resource_id: form.value("resource_id"),
        starts_on: form.value("starts_on"),
        ends_on: form.value("ends_on"),
        csv: String::new(),
    };
    let mut errors = Errors::default();
    let venue_id = form.get("venue_id").and_then(|v| v.parse::<i64>().ok());
    if venue_id.is_none() {
        errors.add("venue_id", a.round_bad_venue);
    }
    let resource_id = form.get("resource_id").and_then(|v| v.parse::<i64>().ok());
    if resource_id.is_none() {
        errors.add("resource_id", a.round_bad_resource);
    }
    let starts_on = errors.date(lang, &form, "starts_on", a.round_from_name);
    let ends_on = errors.date(lang, &form, "ends_on", a.round_to_name);
    let (Some(venue_id), Some(resource_id), Some(starts_on), Some(ends_on)) =
        (venue_id, resource_id, starts_on, ends_on)
    else {
        let shown = Shown {
            errors,
            values,
            ..Shown::default()
        };
        return round_page(&state, &s, id, StatusCode::UNPROCESSABLE_ENTITY, shown).await;
    };
    let new = NewRoundRequest {
        venue_id,
        resource_id,
        starts_on,
        ends_on,
    };
    let p = s.principal.clone();
    let settings = state.booking_settings();
    let outcome = state
        .run(move |conn| rounds::add_request(conn, &p, &settings, id, &new, clock.naive()))
        .await;
    let status = match outcome {
        Ok(_) => return Ok(see_other(&format!("/rounds/{id}?done=added"))),
        Err(Error::Conflict {
            code: Code::RoundClosed,
            ..
        }) => return closed(&state, &s, id, a.round_closed_form, "venue_id", values).await,
        Err(e @ Error::Validation(_)) => {
            for field in refused_fields(&e).unwrap_or_default() {
                let (field, message) = match field {
                    "venue_id" => ("venue_id", a.round_bad_venue),
                    "resource_id" => ("resource_id", a.round_bad_resource),
                    "ends_on" => ("ends_on", a.round_bad_dates),
                    _ => ("starts_on", a.round_bad_dates),
                };
                if errors.of(field).is_none() {
                    errors.add(field, message);
                }
            }
            StatusCode::UNPROCESSABLE_ENTITY
        }
        Err(Error::Conflict { .. }) => {
            errors.add("venue_id", a.round_refused_request);
            StatusCode::CONFLICT
        }
        Err(e) => return Err(e.into()),
    };
    let shown = Shown {
        errors,
        values,
        ..Shown::default()
    };
    round_page(&state, &s, id, status, shown).await
}

/// `POST /rounds/{id}/csv`: adds the pasted CSV's requests, all or nothing (the API's CSV
/// body); a refusal brings the page back with every refused line, nothing added.
pub async fn add_csv(state: State, id: PathId, SignedForm(s, form): SignedForm) -> Page {
    let clock = state.clock;
    let id = id.into_inner();
    policy::coordinate_allocation(&s.principal)?;
    let a = Lang::of_session(&s).agency();
    // As pasted (not trimmed away), so that the lines keep their numbers.
    let csv = form
        .pairs()
        .find(|(n, _)| *n == "csv")
        .map(|(_, v)| v.to_string())
        .unwrap_or_default();
    let values = RequestValues {
        csv: csv.clone(),
        ..RequestValues::default()
    };
    let p = s.principal.clone();
    let settings = state.booking_settings();
    let outcome = state
        .run(move |conn| rounds::add_requests_csv(conn, &p, &settings, id, &csv, clock.naive()))
        .await;
    match outcome {
        Ok(_) => Ok(see_other(&format!("/rounds/{id}?done=csv"))),
        Err(Error::Conflict {
            code: Code::RoundClosed,
            ..
        }) => closed(&state, &s, id, a.round_closed_form, "csv", values).await,
        Err(Error::Validation(list)) => {
            let mut errors = Errors::default();
            errors.add("csv", a.round_csv_refused);
            let shown = Shown {
                errors,
                values,
                csv_errors: list
                    .into_iter()
                    .map(
                        |FieldError {
                             field,
                             message,
                             line,
                         }| {
                            let (message, in_page_language) = a.csv_problem(&message);
                            CsvLine {
                                line: line.unwrap_or(1),
                                field,
                                message,
                                in_page_language,
                            }
                        },
                    )
                    .collect(),
                ..Shown::default()
            };
            round_page(&state, &s, id, StatusCode::UNPROCESSABLE_ENTITY, shown).await
        }
        Err(e) => Err(e.into()),
    }
}

/// `POST /rounds/{id}/choose` with `policy`: keeps that policy's allocation in one step, the
/// API's `allocate` then `confirm`; a round already confirmed says so (409) and books nothing
/// more.
pub async fn choose(state: State, id: PathId, SignedForm(s, form): SignedForm) -> Page {
    let clock = state.clock;
    let id = id.into_inner();
    policy::coordinate_allocation(&s.principal)?;
    let a = Lang::of_session(&s).agency();
    let Some(chosen) = form
        .get("policy")
        .and_then(|p| p.parse::<AllocationPolicy>().ok())
    else {
        let mut errors = Errors::default();
        errors.add("compare", a.round_bad_policy);
        let shown = Shown {
            errors,
            compare: true,
            ..Shown::default()
        };
        return round_page(&state, &s, id, StatusCode::UNPROCESSABLE_ENTITY, shown).await;
    };
    let p = s.principal.clone();
    let settings = state.booking_settings();
    let outcome = state
        .run(move |conn| {
            rounds::allocate_and_confirm(conn, &p, &settings, id, chosen, clock.naive())
        })
        .await;
    match outcome {
        Ok(_) => Ok(see_other(&format!("/rounds/{id}?done=kept"))),
        Err(Error::Conflict {
            code: Code::RoundClosed,
            ..
        }) => {
            closed(
                &state,
                &s,
                id,
                a.round_already_confirmed,
                "requests",
                RequestValues::default(),
            )
            .await
        }
        Err(Error::Conflict {
            code: Code::ProposalStale,
            ..
        }) => {
            closed(
                &state,
                &s,
                id,
                a.round_stale,
                "compare",
                RequestValues::default(),
            )
            .await
        }
        Err(e) => Err(e.into()),
    }
}
