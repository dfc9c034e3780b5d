//! A producer's money (issue 24): what its resources earned in a year, who paid, what transport
//! and maintenance cost, month by month, and how far each resource's production cost is paid
//! back — the report of `GET /api/v1/producers/{id}/revenue` (`billing::revenue`), with its two
//! charts drawn by the service (`crate::chart`) and the same figures as tables.

use askama::Template;
use chrono::{Datelike, NaiveDate};

use super::form::{Errors, Fields};
use super::lang::Lang;
use super::lang_producer::ProducerTexts;
use super::session::signed_in;
use super::Page;
use super::{render, Layout, PortalError, Req, State};
use crate::billing::revenue;
use crate::chart::{self, Progress, Series};
use crate::page::{euros, percent};

/// One resource's line of the year.
pub struct ResourceLine {
    pub id: i64,
    pub title: String,
    pub earned: String,
    pub costs: String,
    pub net: String,
    pub recovered: String,
    pub payback: String,
}

/// One month's line (the table under the chart).
pub struct MonthLine {
    pub name: String,
    pub earned: String,
    pub costs: String,
    pub net: String,
}

#[derive(Template)]
#[template(path = "portal/revenue.html")]
struct RevenuePage {
    layout: Layout,
    p: &'static ProducerTexts,
    errors: Errors,
    year: String,
    previous: i32,
    next: i32,
    /// The year's sums, label and value, in the reader's words.
    totals: Vec<(&'static str, String)>,
    months_svg: String,
    payback_svg: Option<String>,
    months: Vec<MonthLine>,
    resources: Vec<ResourceLine>,
}

/// `GET /revenue[?year=YYYY]`: the producer's year (this year by default); a year that is not one
/// comes back on the form (422). Only producers have one (others: 403); the agency reads a
/// producer's through the API.
pub async fn revenue(state: State, req: Req) -> Page {
    let today = state.clock.today();
    let s = signed_in(&state, &req).await?;
    crate::access::policy::read_producer_inbox(&s.principal).map_err(PortalError::from)?;
    let lang = Lang::of_session(&s);
    let pt = lang.producer();
    let query = Fields::query(req.query_string());
    let mut errors = Errors::default();
    let asked = match query.get("year") {
        None => Some(today.year()),
        Some(text) => match text.parse::<i32>() {
            Ok(y) if (2000..=2999).contains(&y) => Some(y),
            _ => {
                errors.add("year", pt.revenue_year_invalid);
                None
            }
        },
    };
    let year = asked.unwrap_or(today.year());
    let p = s.principal.clone();
    let producer_id = p.organization_id;
    let report = state
        .run(move |conn| revenue::producer_revenue(conn, &p, producer_id, Some(year), today))
        .await?;
    let t = &report.totals;
    let mut totals = vec![
        (pt.revenue_earned, euros(t.revenue_cents)),
        (pt.revenue_venue_paid, euros(t.venue_paid_cents)),
        (pt.revenue_subsidy, euros(t.subsidy_cents)),
        (pt.revenue_transport, euros(t.transport_cost_cents)),
        (pt.revenue_maintenance, euros(t.maintenance_cost_cents)),
        (pt.revenue_net, euros(t.net_cents)),
        (pt.revenue_production_cost, euros(t.production_cost_cents)),
    ];
    if let Some(r) = t.recovered_percent {
        totals.push((pt.revenue_recovered, percent(r, 1)));
    }
    let month_name = |m: u32| {
        let first = NaiveDate::from_ymd_opt(year, m, 1).unwrap_or(today);
        lang.month(first)
    };
    let months_svg = chart::grouped_bars(
        &format!("{} {year}", pt.revenue_months_chart),
        &[
            Series {
                name: pt.revenue_series_earned,
                colour: "#1d70b8",
            },
            Series {
                name: pt.revenue_series_costs,
                colour: "#d4351c",
            },
        ],
        &report
            .months
            .iter()
            .map(|m| {
                (
                    pt.revenue_months_short[(m.month as usize - 1) % 12].to_string(),
                    vec![
                        m.revenue_cents,
                        m.transport_cost_cents + m.maintenance_cost_cents,
                    ],
                )
            })
            .collect::<Vec<_>>(),
        euros,
    );
    let payback_note =
        |r: &crate::billing::model::ResourceRevenue| match (r.recovered_percent, r.payback_on) {
            (None, _) => pt.revenue_no_cost.to_string(),
            (Some(p), Some(day)) if p >= 100.0 => {
                format!("{} {}", pt.revenue_paid_back, lang.short_date(day))
            }
            (Some(_), Some(day)) => format!("{} {}", pt.revenue_payback_on, lang.short_date(day)),
            (Some(_), None) => pt.revenue_payback_never.to_string(),
        };
    let with_cost: Vec<Progress> = report
        .resources
        .iter()
        .filter_map(|r| {
            r.recovered_percent.map(|p| Progress {
                label: r.title.clone(),
                percent: p,
                note: payback_note(r),
            })
        })
        .collect();
    let payback_svg = (!with_cost.is_empty())
        .then(|| chart::progress(pt.revenue_payback_chart, &with_cost, |p| percent(p, 1)));
    let months = report
        .months
        .iter()
        .map(|m| MonthLine {
            name: month_name(m.month),
            earned: euros(m.revenue_cents),
            costs: euros(m.transport_cost_cents + m.maintenance_cost_cents),
            net: euros(m.net_cents),
        })
        .collect();
    let resources = report
        .resources
        .iter()
        .map(|r| ResourceLine {
            id: r.resource_id,
            title: r.title.clone(),
            earned: euros(r.revenue_cents),
            costs: euros(r.transport_cost_cents + r.maintenance_cost_cents),
            net: euros(r.net_cents),
            recovered: r
                .recovered_percent
                .map(|p| percent(p, 1))
                .unwrap_or_else(|| pt.none.to_string()),
            payback: payback_note(r),
        })
        .collect();
    render(
        errors.status(),
        &RevenuePage {
            layout: Layout::signed(pt.revenue_title, &s, "revenue"),
            p: pt,
            year: query
                .get("year")
                .map_or_else(|| year.to_string(), str::to_string),
            errors,
            previous: year - 1,
            next: year + 1,
            totals,
            months_svg,
            payback_svg,
            months,
            resources,
        },
    )
}
