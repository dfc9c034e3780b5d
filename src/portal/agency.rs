//! The agency's pages: the network at a glance (its landing page) and coverage of the territory
//! by class, department, EPCI or commune, with every unserved EPCI listed page after page and the
//! same coverage as a CSV file. The counts come from each domain's service (booking, notify,
//! webhooks, observatory); who may see them from [`crate::access::policy::watch_network`].

use actix_web::http::StatusCode;
use actix_web::web;
use askama::Template;
use chrono::{Months, NaiveDate};

use super::form::{refused_fields, Errors, Fields};
use super::lang::Lang;
use super::lang_agency::AgencyTexts;
use super::pager::{paginate, Pager};
use super::session::signed_in;
use super::Page;
use super::{encode, page, render, Layout, PortalError, Req, State};
use crate::access::policy;
use crate::auth::browser::BrowserSession;
use crate::booking::service as bookings;
use crate::error::Error;
use crate::notify::webhook::service as webhooks;
use crate::observatory::coverage::{self, Coverage, CoverageQuery, GroupBy};

/// Rows of a table shown on one page (groups, unserved EPCIs).
const PER_PAGE: usize = 25;

/// Registers the agency's pages.
pub fn routes(cfg: &mut web::ServiceConfig) {
    cfg.route("/network", web::get().to(network))
        .route("/coverage", web::get().to(coverage_page))
        .route("/coverage.csv", web::get().to(coverage_csv));
}

/// The signed-in agency member (others: the 403 page).
pub(super) async fn agency_member(state: &State, req: &Req) -> Result<BrowserSession, PortalError> {
    let s = signed_in(state, req).await?;
    policy::watch_network(&s.principal)?;
    Ok(s)
}

/// One count of the network page, with where to follow it up.
pub struct Count {
    pub label: &'static str,
    pub value: String,
    pub detail: String,
    pub link: Option<(&'static str, &'static str)>,
}

#[derive(Template)]
#[template(path = "portal/network.html")]
struct NetworkPage {
    layout: Layout,
    a: &'static AgencyTexts,
    counts: Vec<Count>,
}

/// `GET /network`: the network at a glance for the agency: requests waiting (and how long the
/// oldest has), loans on the road, overdue loans, undelivered mail, disabled webhooks.
pub async fn network(state: State, req: Req) -> Page {
    let s = agency_member(&state, &req).await?;
    let now = state.clock.naive();
    let p = s.principal.clone();
    let (loans, dead_mail, disabled) = state
        .run(move |conn| {
            Ok((
                bookings::network_loans(conn, &p)?,
                crate::notify::service::dead_mail_count(conn, &p)?,
                webhooks::disabled_count(conn, &p)?,
            ))
        })
        .await?;
    let a = Lang::of_session(&s).agency();
    let see = Some(("/bookings", a.network_see));
    let counts = vec![
        Count {
            label: a.network_waiting,
            value: crate::page::integer(loans.waiting),
            detail: loans
                .oldest_waiting_since
                .map(|at| a.waiting_for((now - at).num_days()))
                .unwrap_or_default(),
            link: see,
        },
        Count {
            label: a.network_on_the_road,
            value: crate::page::integer(loans.on_the_road),
            detail: String::new(),
            link: see,
        },
        Count {
            label: a.network_overdue,
            value: crate::page::integer(loans.overdue),
            detail: String::new(),
            link: see,
        },
        Count {
            label: a.network_dead_mail,
            value: crate::page::integer(dead_mail),
            detail: a.network_dead_mail_how.to_string(),
            link: None,
        },
        Count {
            label: a.network_webhooks_disabled,
            value: crate::page::integer(disabled),
            detail: a.network_webhooks_how.to_string(),
            link: None,
        },
    ];
    page(&NetworkPage {
        layout: Layout::signed(a.network_title, &s, "network"),
        a,
        counts,
    })
}

/// One group of the coverage table, written for reading.
pub struct GroupLine {
    pub label: String,
    pub population: String,
    pub venues: String,
    pub served: String,
    pub served_share: String,
    pub loans: String,
    pub per_10k: String,
}

/// An EPCI no loan reached.
pub struct UnservedLine {
    pub name: String,
    pub population: String,
}

/// The coverage form as asked (shown again as typed).
struct Asked {
    from: String,
    to: String,
    by: String,
    page: usize,
    unserved_page: usize,
}

impl Asked {
    /// The address of the coverage page for this form at pages `page` and `unserved_page`.
    fn link(&self, page: usize, unserved_page: usize, anchor: &str) -> String {
        format!(
            "/coverage?from={}&to={}&by={}&page={page}&unserved_page={unserved_page}#{anchor}",
            encode(&self.from),
            encode(&self.to),
            encode(&self.by)
        )
    }
}

/// Reads the coverage form (the last 12 months by class when nothing is asked): the form as
/// typed, and the query or the errors with their status (400 for an unknown grouping, 422 for
/// dates that are not dates).
fn read_form(
    lang: Lang,
    req: &Req,
    today: NaiveDate,
) -> (Asked, Result<CoverageQuery, (StatusCode, Errors)>) {
    let a = lang.agency();
    let form = Fields::query(req.query_string());
    let year_ago = today.checked_sub_months(Months::new(12)).unwrap_or(today);
    let number = |name: &str| {
        form.get(name)
            .and_then(|v| v.parse::<usize>().ok())
            .unwrap_or(1)
    };
    let asked = Asked {
        from: form
            .get("from")
            .map_or_else(|| year_ago.to_string(), str::to_string),
        to: form
            .get("to")
            .map_or_else(|| today.to_string(), str::to_string),
        by: form.value("by"),
        page: number("page"),
        unserved_page: number("unserved_page"),
    };
    let filled = Fields::from_pairs(vec![
        ("from".to_string(), asked.from.clone()),
        ("to".to_string(), asked.to.clone()),
    ]);
    let mut errors = Errors::default();
    let from = errors.date(lang, &filled, "from", a.coverage_from_name);
    let to = errors.date(lang, &filled, "to", a.coverage_to_name);
    let by = match form.get("by") {
        None => Some(GroupBy::Class),
        Some(text) => text.parse::<GroupBy>().ok(),
    };
    if by.is_none() {
        errors.add("by", a.coverage_bad_by);
    }
    match (from, to, by) {
        (Some(from), Some(to), Some(by)) => (
            asked,
            Ok(CoverageQuery {
                from,
                to,
                by: Some(by),
            }),
        ),
        _ if by.is_none() => (asked, Err((StatusCode::BAD_REQUEST, errors))),
        _ => (asked, Err((StatusCode::UNPROCESSABLE_ENTITY, errors))),
    }
}

/// Coverage for the agency member, or the errors of a period the service refused (422).
async fn covered(
    state: &State,
    s: &BrowserSession,
    query: CoverageQuery,
) -> Result<Result<Coverage, (StatusCode, Errors)>, PortalError> {
    let p = s.principal.clone();
    match state
        .run(move |conn| coverage::coverage(conn, &p, &query))
        .await
    {
        Ok(c) => Ok(Ok(c)),
        Err(e @ Error::Validation(_)) => {
            let a = Lang::of_session(s).agency();
            let mut errors = Errors::default();
            for field in refused_fields(&e).unwrap_or_default() {
                if errors.of(field).is_none() {
                    errors.add(field, a.coverage_bad_period);
                }
            }
            Ok(Err((StatusCode::UNPROCESSABLE_ENTITY, errors)))
        }
        Err(e) => Err(e.into()),
    }
}

#[derive(Template)]
#[template(path = "portal/coverage.html")]
struct CoveragePage {
    layout: Layout,
    a: &'static AgencyTexts,
    errors: Errors,
    from: String,
    to: String,
    /// The grouping as asked (`class` when none).
    by: String,
    /// The period read and counted, `None` when the form has errors.
    result: Option<Counted>,
}

/// What the page shows once the period is counted.
struct Counted {
    /// The address of the CSV file of this coverage.
    csv: String,
    gini: String,
    groups: Vec<GroupLine>,
    groups_pager: Pager,
    unserved: Vec<UnservedLine>,
    unserved_total: usize,
    unserved_pager: Pager,
}

/// The rows of `c` written for reading (a commune with its department).
fn group_lines(rows: &[coverage::CoverageRow]) -> Vec<GroupLine> {
    use crate::page::{decimal, integer, percent};
    rows.iter()
        .map(|r| GroupLine {
            label: match &r.department {
                Some(d) if r.class.is_some() => format!("{} ({d})", r.label),
                _ => r.label.clone(),
            },
            population: integer(r.population),
            venues: integer(r.venues),
            served: integer(r.venues_served),
            served_share: if r.venues > 0 {
                percent(r.venues_served as f64 * 100.0 / r.venues as f64, 1)
            } else {
                "—".to_string()
            },
            loans: integer(r.loans),
            per_10k: decimal(r.loans_per_10k, 2),
        })
        .collect()
}

/// `GET /coverage?from=…&to=…&by=class|department|epci|commune&page=…&unserved_page=…`: coverage
/// of the territory over a period (the last 12 months by default), 25 groups a page, and every
/// EPCI no loan reached, 25 a page; a link to the same as CSV. A grouping it does not know is a
/// 400, a period it cannot count a 422, both with the form and its errors.
pub async fn coverage_page(state: State, req: Req) -> Page {
    let s = agency_member(&state, &req).await?;
    let lang = Lang::of_session(&s);
    let (asked, query) = read_form(lang, &req, state.clock.today());
    let counted = match query {
        Ok(query) => covered(&state, &s, query).await?,
        Err(e) => Err(e),
    };
    let a = lang.agency();
    let (status, errors, result) = match counted {
        Err((status, errors)) => (status, errors, None),
        Ok(c) => {
            let (groups, groups_pager) =
                paginate(&c.rows, asked.page, PER_PAGE, a.coverage_of, |n| {
                    asked.link(n, asked.unserved_page, "groupes")
                });
            let (unserved, unserved_pager) = paginate(
                &c.unserved_epcis,
                asked.unserved_page,
                PER_PAGE,
                a.coverage_of,
                |n| asked.link(asked.page, n, "sans-pret"),
            );
            let result = Counted {
                csv: format!(
                    "/coverage.csv?from={}&to={}&by={}",
                    c.from,
                    c.to,
                    c.by.as_str()
                ),
                gini: crate::page::decimal(c.gini, 3),
                groups: group_lines(groups),
                groups_pager,
                unserved: unserved
                    .iter()
                    .map(|e| UnservedLine {
                        name: e.epci_name.clone(),
                        population: crate::page::integer(e.population),
                    })
                    .collect(),
                unserved_total: c.unserved_epcis.len(),
                unserved_pager,
            };
            (StatusCode::OK, Errors::default(), Some(result))
        }
    };
    render(
        status,
        &CoveragePage {
            layout: Layout::signed(a.coverage_title, &s, "coverage"),
            a,
            errors,
            by: if asked.by.is_empty() {
                GroupBy::Class.as_str().to_string()
            } else {
                asked.by.clone()
            },
            from: asked.from,
            to: asked.to,
            result,
        },
    )
}

/// `GET /coverage.csv?from=…&to=…&by=…`: the coverage the page shows, as the API's CSV file (the
/// same service and the same writer). Bad input brings the page back with its errors.
pub async fn coverage_csv(state: State, req: Req) -> Page {
    let s = agency_member(&state, &req).await?;
    let (_, query) = read_form(Lang::of_session(&s), &req, state.clock.today());
    if let Ok(query) = query {
        if let Ok(c) = covered(&state, &s, query).await? {
            return Ok(crate::http::csv_attachment(
                &coverage::csv_name(&c),
                coverage::csv(&c),
            ));
        }
    }
    coverage_page(state, req).await
}
