//! Revenue and cost recovery of a producer: what its resources earned in a year, who paid it
//! (venues, funders), what transport and maintenance cost, and how far each resource's production
//! cost is recovered, with a payback forecast. Aggregation is pure (`report`), over dated flows.

use std::collections::HashMap;

use chrono::{Datelike, Duration, NaiveDate};

use super::ledger::{self, Flow};
use super::model::{MonthRevenue, ResourceRevenue, RevenueReport, RevenueTotals};
use crate::access::Principal;
use crate::db::DbConnection;
use crate::error::{Error, Result, Validator};

/// A resource as the report names it.
#[derive(Debug, Clone)]
pub struct ResourceFacts {
    pub id: i64,
    pub title: String,
    pub production_cost_cents: Option<i64>,
}

fn percent_one_decimal(part: i64, whole: i64) -> f64 {
    (part as f64 * 1000.0 / whole as f64).round() / 10.0
}

/// Net of one flow: revenue minus costs (venue and funder shares are views of revenue).
fn net_of(flow: Flow) -> i64 {
    match flow {
        Flow::Earned(a) => a,
        Flow::Transport(c) | Flow::Maintenance(c) => -c,
        Flow::Subsidy(_) | Flow::VenuePaid(_) => 0,
    }
}

/// When a resource pays its production cost back: the day the cumulative net reached it, or a
/// forecast at the last 12 months' net rate; `None` if that rate does not cover what is left.
/// Costs already scheduled (maintenance) count in what is left.
fn payback_on(
    cost: i64,
    dated_net: &mut [(NaiveDate, i64)],
    today: NaiveDate,
) -> Option<NaiveDate> {
    dated_net.sort_by_key(|(day, _)| *day);
    let mut cumulative = 0;
    for (day, net) in dated_net.iter() {
        cumulative += net;
        if cumulative >= cost {
            return Some(*day);
        }
    }
    let year_ago = today - Duration::days(365);
    let last_year: i64 = dated_net
        .iter()
        .filter(|(day, _)| *day > year_ago && *day <= today)
        .map(|(_, net)| net)
        .sum();
    if last_year <= 0 {
        return None;
    }
    let rest = cost - cumulative;
    let days = (rest as i128 * 365 + last_year as i128 - 1) / last_year as i128;
    i64::try_from(days)
        .ok()
        .filter(|d| *d <= 365 * 200)
        .map(|d| today + Duration::days(d))
}

/// The report of a year from every flow of the producer's resources.
pub fn report(
    producer_id: i64,
    year: i32,
    resources: &[ResourceFacts],
    flows: &[(i64, NaiveDate, Flow)],
    today: NaiveDate,
) -> RevenueReport {
    let mut by_resource: HashMap<i64, Vec<(NaiveDate, Flow)>> = HashMap::new();
    for (resource, day, flow) in flows {
        by_resource
            .entry(*resource)
            .or_default()
            .push((*day, *flow));
    }
    let mut months: Vec<MonthRevenue> = (1..=12)
        .map(|month| MonthRevenue {
            month,
            ..MonthRevenue::default()
        })
        .collect();
    let mut rows = Vec::new();
    let mut totals = RevenueTotals::default();
    let (mut recovered_net, mut recovered_cost) = (0i64, 0i64);
    for r in resources {
        let own = by_resource.remove(&r.id).unwrap_or_default();
        let mut row = ResourceRevenue {
            resource_id: r.id,
            title: r.title.clone(),
            production_cost_cents: r.production_cost_cents,
            ..ResourceRevenue::default()
        };
        for (day, flow) in own.iter().filter(|(day, _)| day.year() == year) {
            let month = &mut months[day.month0() as usize];
            match *flow {
                Flow::Earned(a) => {
                    row.revenue_cents += a;
                    month.revenue_cents += a;
                }
                Flow::Subsidy(a) => row.subsidy_cents += a,
                Flow::VenuePaid(a) => row.venue_paid_cents += a,
                Flow::Transport(c) => {
                    row.transport_cost_cents += c;
                    month.transport_cost_cents += c;
                }
                Flow::Maintenance(c) => {
                    row.maintenance_cost_cents += c;
                    month.maintenance_cost_cents += c;
                }
            }
            month.net_cents =
                month.revenue_cents - month.transport_cost_cents - month.maintenance_cost_cents;
        }
        row.net_cents = row.revenue_cents - row.transport_cost_cents - row.maintenance_cost_cents;
        if let Some(cost) = r.production_cost_cents.filter(|c| *c > 0) {
            let mut dated: Vec<(NaiveDate, i64)> = own
                .iter()
                .map(|(day, flow)| (*day, net_of(*flow)))
                .collect();
            // Every recorded flow, maintenance already scheduled included: a decided cost.
            let all_time: i64 = dated.iter().map(|(_, n)| n).sum();
            row.recovered_percent = Some(percent_one_decimal(all_time, cost));
            row.payback_on = payback_on(cost, &mut dated, today);
            recovered_net += all_time;
            recovered_cost += cost;
            totals.production_cost_cents += cost;
        }
        totals.revenue_cents += row.revenue_cents;
        totals.venue_paid_cents += row.venue_paid_cents;
        totals.subsidy_cents += row.subsidy_cents;
        totals.transport_cost_cents += row.transport_cost_cents;
        totals.maintenance_cost_cents += row.maintenance_cost_cents;
        totals.net_cents += row.net_cents;
        rows.push(row);
    }
    totals.recovered_percent =
        (recovered_cost > 0).then(|| percent_one_decimal(recovered_net, recovered_cost));
    RevenueReport {
        producer_id,
        year,
        resources: rows,
        totals,
        months,
    }
}

/// The revenue report of a producer, for itself or the agency (others: 404).
pub fn producer_revenue(
    conn: &mut DbConnection,
    p: &Principal,
    producer_id: i64,
    year: Option<i32>,
    today: NaiveDate,
) -> Result<RevenueReport> {
    let year = year.unwrap_or(today.year());
    let mut v = Validator::new();
    v.in_range("year", Some(year), 2000..=2999);
    v.finish()?;
    if !crate::access::policy::acts_for_producer(p, producer_id) {
        return Err(Error::NotFound(format!(
            "revenue of producer {producer_id}"
        )));
    }
    let flows = ledger::flows_of_producer(conn, producer_id)?;
    let with_flows: std::collections::HashSet<i64> = flows.iter().map(|(r, _, _)| *r).collect();
    let facts: Vec<ResourceFacts> =
        crate::catalogue::store::production_costs_of(conn, producer_id)?
            .into_iter()
            // A withdrawn resource stays in the report while it has money to show.
            .filter(|(id, _, _, live)| *live || with_flows.contains(id))
            .map(|(id, title, production_cost_cents, _)| ResourceFacts {
                id,
                title,
                production_cost_cents,
            })
            .collect();
    Ok(report(producer_id, year, &facts, &flows, today))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(s: &str) -> NaiveDate {
        NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap()
    }

    #[test]
    fn a_year_is_summed_and_recovery_counts_all_time() {
        let resources = [ResourceFacts {
            id: 1,
            title: "Malle".into(),
            production_cost_cents: Some(100_000),
        }];
        let flows = [
            // 2025: an invoice of 300 € rental − 100 € subsidy, transport 50 €.
            (1, d("2025-06-01"), Flow::Earned(30_000)),
            (1, d("2025-06-01"), Flow::Subsidy(10_000)),
            (1, d("2025-06-01"), Flow::VenuePaid(20_000)),
            (1, d("2025-06-01"), Flow::Transport(5_000)),
            // 2026: 400 € earned, 100 € maintenance.
            (1, d("2026-03-01"), Flow::Earned(40_000)),
            (1, d("2026-03-01"), Flow::VenuePaid(40_000)),
            (1, d("2026-04-01"), Flow::Maintenance(10_000)),
        ];
        let r = report(7, 2026, &resources, &flows, d("2026-11-24"));
        let row = &r.resources[0];
        assert_eq!(row.revenue_cents, 40_000);
        assert_eq!(row.venue_paid_cents, 40_000);
        assert_eq!(row.subsidy_cents, 0);
        assert_eq!(row.net_cents, 30_000);
        // All time: 300 − 50 + 400 − 100 = 550 € of 1,000 €.
        assert_eq!(row.recovered_percent, Some(55.0));
        // Last 12 months: 400 − 100 = 300 €/year; 450 € left → 548 days.
        assert_eq!(row.payback_on, Some(d("2026-11-24") + Duration::days(548)));
        assert_eq!(r.totals.net_cents, 30_000);
        assert_eq!(r.totals.recovered_percent, Some(55.0));
        let r2025 = report(7, 2025, &resources, &flows, d("2026-11-24"));
        assert_eq!(r2025.resources[0].subsidy_cents, 10_000);
        assert_eq!(r2025.resources[0].net_cents, 25_000);
        // The months of 2026: March earned 400 €, April cost 100 € of maintenance.
        assert_eq!(r.months.len(), 12);
        assert_eq!(r.months[2].month, 3);
        assert_eq!(r.months[2].revenue_cents, 40_000);
        assert_eq!(r.months[3].maintenance_cost_cents, 10_000);
        assert_eq!(r.months[3].net_cents, -10_000);
        let by_month: i64 = r.months.iter().map(|m| m.net_cents).sum();
        assert_eq!(
            by_month, r.totals.net_cents,
            "the months add up to the year"
        );
        assert_eq!(r2025.months[5].transport_cost_cents, 5_000);
    }

    #[test]
    fn payback_is_the_day_reached_or_never() {
        let resources = [ResourceFacts {
            id: 1,
            title: "Kit".into(),
            production_cost_cents: Some(10_000),
        }];
        let paid = [
            (1, d("2026-01-10"), Flow::Earned(6_000)),
            (1, d("2026-02-10"), Flow::Earned(6_000)),
        ];
        let r = report(1, 2026, &resources, &paid, d("2026-11-24"));
        assert_eq!(r.resources[0].payback_on, Some(d("2026-02-10")));
        assert_eq!(r.resources[0].recovered_percent, Some(120.0));
        let losing = [(1, d("2026-01-10"), Flow::Maintenance(6_000))];
        let r = report(1, 2026, &resources, &losing, d("2026-11-24"));
        assert_eq!(r.resources[0].payback_on, None);
        let no_cost = [ResourceFacts {
            id: 1,
            title: "Kit".into(),
            production_cost_cents: None,
        }];
        let r = report(1, 2026, &no_cost, &paid, d("2026-11-24"));
        assert_eq!(
            (r.resources[0].recovered_percent, r.resources[0].payback_on),
            (None, None)
        );
        assert_eq!(r.totals.recovered_percent, None);
    }
}
