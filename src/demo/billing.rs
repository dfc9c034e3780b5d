//! The demo network's money, from `data/demo-billing.json`: the pricing policy, a tariff on every
//! resource (a share of its production cost), two subsidy programmes, and a past season of
//! closed loans over three years, priced and invoiced through the same functions as the API, so that `make run`
//! shows real quotes, budgets, invoices and revenue. Loaded once: skipped when invoices exist.

use chrono::{Duration, NaiveDateTime};
use serde::Deserialize;

use crate::access::Principal;
use crate::billing::model::{InvoiceRequest, NewSubsidyProgram, PricingPolicy, Tariff};
use crate::billing::{invoice, quote, store as billing_store, subsidy, LoanBilling};
use crate::booking::store::{self as booking_store, BookingInsert};
use crate::booking::BookingStatus;
use crate::catalogue::model::CopyStatus;
use crate::db::{write_transaction, DbConnection};
use crate::error::{Error, Result};
use crate::organization::{OrgKind, Role};
use crate::territory::geo::{great_circle_km, LatLon};

const BILLING_JSON: &str = include_str!("../../data/demo-billing.json");

#[derive(Deserialize)]
struct DemoBilling {
    pricing_policy: PricingPolicy,
    tariffs: TariffRule,
    programs: Vec<DemoProgram>,
    season: Season,
}

#[derive(Deserialize)]
struct TariffRule {
    per_loan_permille_of_cost: i64,
    per_week_permille_of_cost: i64,
    deposit_permille_of_cost: i64,
    round_to_cents: i64,
    min_per_loan_cents: i64,
    max_deposit_cents: i64,
}

impl TariffRule {
    fn tariff(&self, production_cost_cents: i64) -> Tariff {
        let share = |permille: i64| {
            let raw = production_cost_cents * permille / 1000;
            (raw + self.round_to_cents / 2) / self.round_to_cents * self.round_to_cents
        };
        Tariff {
            per_loan_cents: share(self.per_loan_permille_of_cost).max(self.min_per_loan_cents),
            per_week_cents: share(self.per_week_permille_of_cost),
            deposit_cents: share(self.deposit_permille_of_cost).min(self.max_deposit_cents),
        }
    }
}

#[derive(Deserialize)]
struct DemoProgram {
    name: String,
    funder: String,
    rate_percent: i32,
    budget_cents: i64,
    valid_from_days: i64,
    valid_to_days: i64,
    commune_classes: Option<Vec<crate::territory::CommuneClass>>,
    epci_sirens: Option<Vec<String>>,
}

#[derive(Deserialize)]
struct Season {
    loans_per_resource: i64,
    /// Venues are drawn with probability growing with their commune's size: the venue at rank
    /// `r` (largest commune first) of `n` is drawn as `n × u^bias`, `u` uniform.
    city_bias: f64,
    first_start_days_ago: i64,
    spacing_days: i64,
    days_of_use: i64,
    approved_days_before: i64,
    invoiced_days_after: i64,
}

/// How much of the demo's money a load added.
#[derive(Debug, Default, Clone, Copy)]
pub struct BillingSummary {
    pub tariffs: usize,
    pub programs: usize,
    pub invoices: usize,
}

fn agency(organization_id: i64) -> Principal {
    Principal {
        user_id: None,
        api_key_id: None,
        organization_id,
        kind: OrgKind::Agency,
        role: Role::Admin,
    }
}

fn producer(organization_id: i64) -> Principal {
    Principal {
        user_id: Some(0),
        api_key_id: None,
        organization_id,
        kind: OrgKind::Producer,
        role: Role::Admin,
    }
}

/// Loads the demo's money once (nothing when the database already has invoices).
pub fn load(
    conn: &mut DbConnection,
    billing: &LoanBilling,
    now: NaiveDateTime,
) -> Result<BillingSummary> {
    let demo: DemoBilling = serde_json::from_str(BILLING_JSON)
        .map_err(|e| Error::Internal(format!("data/demo-billing.json: {e}")))?;
    let mut summary = BillingSummary::default();
    if crate::billing::ledger::any_invoice(conn)? {
        return Ok(summary);
    }
    let today = now.date();
    let agency_id = crate::organization::store::first_of_kind(conn, OrgKind::Agency.as_str())?;
    write_transaction(conn, |conn| {
        billing_store::put_policy(conn, &demo.pricing_policy, now)?;
        let live = crate::catalogue::store::live_resources(conn)?;
        for (id, _, cost) in &live {
            if billing_store::tariff(conn, *id)?.is_none() {
                let tariff = demo.tariffs.tariff(cost.unwrap_or(0));
                billing_store::put_tariff(conn, *id, &tariff, agency_id, now)?;
                summary.tariffs += 1;
            }
        }
        if billing_store::programs(conn)?.is_empty() {
            for p in &demo.programs {
                subsidy::create(
                    conn,
                    &agency(agency_id),
                    &NewSubsidyProgram {
                        name: p.name.clone(),
                        funder: p.funder.clone(),
                        rate_percent: p.rate_percent,
                        budget_cents: p.budget_cents,
                        valid_from: today + Duration::days(p.valid_from_days),
                        valid_to: today + Duration::days(p.valid_to_days),
                        commune_classes: p.commune_classes.clone(),
                        epci_sirens: p.epci_sirens.clone(),
                        venue_types: None,
                    },
                    now,
                )?;
                summary.programs += 1;
            }
        }
        Ok::<_, Error>(())
    })?;
    summary.invoices = past_season(conn, billing, &demo.season, today)?;
    Ok(summary)
}

/// Closed loans of the last three years, each approved (quote frozen, subsidy committed) and
/// invoiced on its day; venues drawn with a bias to larger communes, so that the observatory
/// shows the gaps the 2019 survey found.
fn past_season(
    conn: &mut DbConnection,
    billing: &LoanBilling,
    season: &Season,
    today: chrono::NaiveDate,
) -> Result<usize> {
    // Largest communes first, then by id: the draw below favours them.
    let venues = crate::organization::store::places_by_population(conn, OrgKind::Venue.as_str())?;
    let mut rng = crate::rng::SplitMix64::new(2019);
    if venues.is_empty() {
        return Ok(0);
    }
    let live = crate::catalogue::store::live_resources(conn)?;
    let mut issued = 0;
    for (resource_id, producer_id, _) in live {
        let copies = crate::catalogue::store::copies_with_depot(conn, resource_id)?;
        let Some((copy, depot_lat, depot_lon)) = copies
            .into_iter()
            .find(|(c, _, _)| c.status != CopyStatus::Retired)
        else {
            continue;
        };
        for k in 0..season.loans_per_resource {
            let u = rng.below(1_000_000) as f64 / 1_000_000.0;
            let rank = (venues.len() as f64 * u.powf(season.city_bias)) as usize;
            let (venue_id, lat, lon) = venues[rank.min(venues.len() - 1)];
            let starts_on =
                today - Duration::days(season.first_start_days_ago - k * season.spacing_days);
            let ends_on = starts_on + Duration::days(season.days_of_use - 1);
            let at = |date: chrono::NaiveDate| -> NaiveDateTime {
                date.and_hms_opt(9, 0, 0).unwrap_or_default()
            };
            let approved_at = at(starts_on - Duration::days(season.approved_days_before));
            let invoiced_at = at(ends_on + Duration::days(season.invoiced_days_after));
            if invoiced_at.date() >= today {
                continue;
            }
            let km = great_circle_km(
                LatLon {
                    lat: depot_lat,
                    lon: depot_lon,
                },
                LatLon { lat, lon },
            ) * 1.3;
            write_transaction(conn, |conn| {
                let row = booking_store::insert_booking(
                    conn,
                    &BookingInsert {
                        resource_id,
                        copy_id: copy.id,
                        venue_id,
                        starts_on,
                        ends_on,
                        occupied_from: starts_on - Duration::days(1),
                        occupied_to: ends_on + Duration::days(1),
                        outbound_days: 1,
                        return_days: 1,
                        distance_km: km,
                        status: BookingStatus::Closed,
                        hold_expires_at: None,
                        requested_by: None,
                        waitlist_entry_id: None,
                        created_at: approved_at,
                        updated_at: invoiced_at,
                        delivery_on: starts_on - Duration::days(1),
                        pickup_on: ends_on + Duration::days(1),
                    },
                )?;
                quote::freeze(conn, billing, &row, approved_at)?;
                // Public buyers get their Chorus Pro references on the invoice.
                let request = match crate::organization::legal::find(conn, venue_id)? {
                    Some(buyer) if buyer.details.public_buyer => InvoiceRequest {
                        buyer_service_code: Some("SERVICE-CULTURE".into()),
                        commitment_number: Some(format!("EJ-{}", row.id)),
                    },
                    _ => InvoiceRequest::default(),
                };
                invoice::issue(
                    conn,
                    billing,
                    &producer(producer_id),
                    row.id,
                    &request,
                    invoiced_at,
                )?;
                // Four venues in five report on the loan: visitors, sessions, audiences (drawn
                // from the booking id, so that the season's draws stay as they were).
                let evaluation_draw = (row.id as u64).wrapping_mul(0x9E37_79B9_7F4A_7C15) >> 40;
                if !evaluation_draw.is_multiple_of(5) {
                    let sessions = 2 + (evaluation_draw % 11) as i32;
                    let audiences = ["primary", "family", "secondary,primary", "adult,family"];
                    crate::evaluation::store::insert(
                        conn,
                        crate::evaluation::store::LoanRef {
                            booking_id: row.id,
                            venue_id: row.venue_id,
                            starts_on: row.starts_on,
                            ends_on: row.ends_on,
                        },
                        &crate::evaluation::store::EvaluationValues {
                            visitors: sessions * (15 + (evaluation_draw % 23) as i32),
                            sessions,
                            audiences: audiences[(evaluation_draw % 4) as usize],
                            satisfaction: 3 + (evaluation_draw % 3) as i32,
                            comment: None,
                            updated_at: invoiced_at,
                        },
                        None,
                        invoiced_at,
                    )?;
                }
                Ok::<_, Error>(())
            })?;
            issued += 1;
        }
    }
    Ok(issued)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_demo_billing_file_parses_and_tariffs_follow_cost() {
        let demo: DemoBilling = serde_json::from_str(BILLING_JSON).unwrap();
        assert_eq!(demo.programs.len(), 2);
        let t = demo.tariffs.tariff(2_000_000); // a 20,000 € exhibition
        assert_eq!(
            (t.per_loan_cents, t.per_week_cents, t.deposit_cents),
            (30_000, 16_000, 150_000)
        );
        let t = demo.tariffs.tariff(0);
        assert_eq!(t.per_loan_cents, 5_000);
    }
}
