//! Quotes: the formula applied to a loan (live before approval), frozen on approval with its
//! subsidy committed to the programme's budget, given back on a cancel or reject. Billing reacts
//! to booking transitions through `booking::hooks`, inside their transaction.

use chrono::{NaiveDate, NaiveDateTime};

use super::model::{Currency, Line, LineKind, PricingPolicy, Quote, QuoteQuery, Tariff};
use super::price::{self, Amounts, Inputs, Labels, Offer};
use super::store::{self, FrozenQuote, ProgramRow};
use crate::access::Principal;
use crate::booking::hooks::TransitionHook;
use crate::booking::store::BookingRow;
use crate::booking::{Booking, BookingStatus};
use crate::catalogue::model::CopyStatus;
use crate::catalogue::store as catalogue;
use crate::config::Config;
use crate::db::DbConnection;
use crate::error::{Error, Result, Validator};
use crate::organization::{OrgKind, VenueType};
use crate::territory::geo::LatLon;
use crate::territory::model::CommuneClass;
use crate::transport::distance::DistanceProvider;
use crate::transport::service::{self as transport, Costs, LegPlan};

/// Billing's reaction to booking transitions, and what pricing needs of the configuration.
pub struct LoanBilling {
    costs: Costs,
    provider: DistanceProvider,
}

impl LoanBilling {
    /// Transport costs and the road estimate, from the configuration.
    pub fn from_config(c: &Config) -> LoanBilling {
        LoanBilling {
            costs: Costs::from_config(c),
            provider: DistanceProvider::from_config(c),
        }
    }
}

impl TransitionHook for LoanBilling {
    fn on_transition(
        &self,
        conn: &mut DbConnection,
        booking: &BookingRow,
        from: BookingStatus,
        to: BookingStatus,
        now: NaiveDateTime,
    ) -> Result<()> {
        use BookingStatus as S;
        match (from, to) {
            // New dates of an approved loan: a new price, its subsidy re-committed.
            (S::Approved, S::Approved) => {
                release(conn, booking.id, now)?;
                freeze(conn, self, booking, now)
            }
            (_, S::Approved) => freeze(conn, self, booking, now),
            (_, S::Cancelled | S::Rejected | S::Expired) => release(conn, booking.id, now),
            _ => Ok(()),
        }
    }
}

/// What pricing needs to know of the borrowing venue.
#[derive(Debug, Clone)]
pub struct VenueFacts {
    pub class: CommuneClass,
    pub epci_siren: String,
    pub venue_type: Option<VenueType>,
    pub position: LatLon,
}

/// What pricing reads of a loan.
#[derive(Debug, Clone)]
pub struct Facts {
    pub venue: VenueFacts,
    pub policy: PricingPolicy,
    /// Zero amounts when none is set.
    pub tariff: Tariff,
    /// The copy's depot, when a copy was named.
    pub depot: Option<LatLon>,
    /// The programmes valid on the first day of use, with their budgets as read.
    pub programs: Vec<ProgramRow>,
    /// The copy's stays around the loan, when they were asked for (its legs depend on them).
    pub stays: Option<Vec<crate::booking::chaining::Stay>>,
}

impl Facts {
    /// What pricing reads of a loan ([`store::pricing_facts`], one query); `None` when the
    /// borrower is not a venue.
    fn of(row: store::PricingRow) -> Option<Facts> {
        let store::PricingRow {
            venue,
            policy,
            tariff,
            depot,
            programs,
            stays,
        } = row;
        Some(Facts {
            venue: venue_facts(venue)?,
            policy,
            tariff: tariff.unwrap_or_default(),
            depot: depot.map(|(lat, lon)| LatLon { lat, lon }),
            programs,
            stays,
        })
    }
}

/// What pricing reads of a booked loan, with the cost of its legs: how `freeze` and a quote not
/// frozen yet price it live.
fn booking_facts(
    conn: &mut DbConnection,
    billing: &LoanBilling,
    row: &BookingRow,
    loan: &Loan,
) -> Result<(Facts, i64)> {
    let facts = store::pricing_facts(
        conn,
        loan.venue_id,
        loan.resource_id,
        Some(row.copy_id),
        loan.starts_on,
        Some(stays_window(billing, row)),
    )?
    .and_then(Facts::of)
    .ok_or_else(|| Error::Internal("booking without venue".into()))?;
    let transport_cost =
        booking_transport_cost(conn, billing, row, facts.depot, facts.stays.as_deref())?;
    Ok((facts, transport_cost))
}

/// What pricing knows of an organisation, `None` when it is not a venue (it borrows nothing).
fn venue_facts(
    (kind, venue_type, lat, lon, population, epci_siren): store::VenueRow,
) -> Option<VenueFacts> {
    (kind == OrgKind::Venue.as_str()).then(|| VenueFacts {
        class: CommuneClass::of_population(i64::from(population)),
        epci_siren,
        venue_type: venue_type.and_then(|t| t.parse().ok()),
        position: LatLon { lat, lon },
    })
}

/// Whether a programme's lists admit the venue (dates are checked by the query).
pub fn eligible(program: &ProgramRow, venue: &VenueFacts) -> bool {
    fn admits(list: &Option<String>, value: &str) -> bool {
        list.as_deref()
            .is_none_or(|l| l.split(',').any(|item| item == value))
    }
    admits(&program.commune_classes, venue.class.as_str())
        && admits(&program.epci_sirens, &venue.epci_siren)
        && venue.venue_type.map_or(program.venue_types.is_none(), |t| {
            admits(&program.venue_types, t.as_str())
        })
}

/// The eligible programme with the highest rate (then the lowest id), with what is left of it.
fn best_offer(programs: &[ProgramRow], venue: &VenueFacts) -> Option<Offer> {
    let mut best: Option<&ProgramRow> = None;
    for program in programs {
        if eligible(program, venue) && best.is_none_or(|b| program.rate_percent > b.rate_percent) {
            best = Some(program);
        }
    }
    best.map(|p| Offer {
        program_id: p.id,
        remaining_cents: p.budget_cents - p.committed_cents,
        name: p.name.clone(),
        funder: p.funder.clone(),
        rate_percent: p.rate_percent,
    })
}

/// A priced loan before damage: the amounts and what the labels say.
#[derive(Debug, Clone)]
struct Priced {
    amounts: Amounts,
    class: CommuneClass,
    class_rate_percent: i32,
    recharge_percent: i32,
    transport_cost_cents: i64,
    deposit_cents: i64,
    offer: Option<Offer>,
    frozen_at: Option<NaiveDateTime>,
}

/// The loan as pricing sees it.
struct Loan {
    resource_id: i64,
    venue_id: i64,
    starts_on: NaiveDate,
    ends_on: NaiveDate,
}

fn price_live(loan: &Loan, facts: &Facts, transport_cost_cents: i64) -> Result<Priced> {
    let (venue, policy, tariff) = (&facts.venue, &facts.policy, facts.tariff);
    let (days, _) = price::days_and_weeks(loan.starts_on, loan.ends_on);
    let inputs = Inputs {
        days,
        tariff,
        class: venue.class,
        class_rate_percent: policy.class_rate_percent.of(venue.class),
        transport_cost_cents,
        recharge_percent: policy.transport_recharge_percent.of(venue.class),
        offer: best_offer(&facts.programs, venue),
    };
    let amounts = price::amounts(&inputs);
    Ok(Priced {
        amounts,
        class: inputs.class,
        class_rate_percent: inputs.class_rate_percent,
        recharge_percent: inputs.recharge_percent,
        transport_cost_cents,
        deposit_cents: tariff.deposit_cents,
        offer: inputs.offer.filter(|_| amounts.subsidy_cents != 0),
        frozen_at: None,
    })
}

/// The cost of a booking's legs (chaining included), on the road estimate.
fn booking_transport_cost(
    conn: &mut DbConnection,
    billing: &LoanBilling,
    row: &BookingRow,
    depot: Option<LatLon>,
    stays: Option<&[crate::booking::chaining::Stay]>,
) -> Result<i64> {
    let booking: Booking = row.clone().try_into()?;
    legs_cost(conn, billing, &booking, depot, stays)
}

/// [`booking_transport_cost`] of a booking already read.
fn legs_cost(
    conn: &mut DbConnection,
    billing: &LoanBilling,
    booking: &Booking,
    depot: Option<LatLon>,
    stays: Option<&[crate::booking::chaining::Stay]>,
) -> Result<i64> {
    let cost = match (depot, stays) {
        (Some(depot), Some(stays)) => transport::estimated_legs_cost_from_stays(
            &billing.provider,
            &billing.costs,
            booking,
            depot,
            stays,
        ),
        // No depot position (or no stays read): the legs read what they need.
        _ => transport::leg_plans(conn, booking, &billing.costs).map(|plans: Vec<LegPlan>| {
            transport::estimated_cost_cents(&billing.provider, &billing.costs, &plans)
        }),
    };
    match cost {
        Ok(cost) => Ok(cost),
        // A booking that no longer travels (cancelled) has no transport to price.
        Err(Error::Conflict { .. }) => Ok(0),
        Err(e) => Err(e),
    }
}

/// The days whose stays of the copy the pricing query reads with the rest (its legs depend on
/// them: chaining), so that a quote makes no query of its own for them.
fn stays_window(billing: &LoanBilling, row: &BookingRow) -> (NaiveDate, NaiveDate) {
    transport::neighbourhood(row.starts_on, row.ends_on, &billing.costs)
}

fn loan_of(row: &BookingRow) -> Loan {
    Loan {
        resource_id: row.resource_id,
        venue_id: row.venue_id,
        starts_on: row.starts_on,
        ends_on: row.ends_on,
    }
}

/// Freezes a booking's quote and commits its subsidy. The commit is a conditional update: if a
/// concurrent approval took the budget first, the quote is priced again with what is left.
pub fn freeze(
    conn: &mut DbConnection,
    billing: &LoanBilling,
    row: &BookingRow,
    now: NaiveDateTime,
) -> Result<()> {
    if store::frozen_quote(conn, row.id)?.is_some() {
        return Ok(());
    }
    let loan = loan_of(row);
    let (mut facts, transport_cost) = booking_facts(conn, billing, row, &loan)?;
    for attempt in 0..16 {
        if attempt > 0 {
            // A concurrent approval took the budget first: read what is left.
            facts.programs = store::programs_valid_on(conn, loan.starts_on)?;
        }
        let priced = price_live(&loan, &facts, transport_cost)?;
        let program_id = priced.offer.as_ref().map(|o| o.program_id);
        if let Some(id) = program_id {
            if !store::commit_subsidy(conn, id, -priced.amounts.subsidy_cents, now)? {
                continue;
            }
        }
        store::insert_frozen_quote(
            conn,
            &FrozenQuote {
                booking_id: row.id,
                rental_cents: priced.amounts.rental_cents,
                class_discount_cents: priced.amounts.class_discount_cents,
                transport_cents: priced.amounts.transport_cents,
                subsidy_cents: priced.amounts.subsidy_cents,
                subsidy_program_id: program_id,
                deposit_cents: priced.deposit_cents,
                venue_class: priced.class.as_str().to_string(),
                class_rate_percent: priced.class_rate_percent,
                recharge_percent: priced.recharge_percent,
                transport_cost_cents: priced.transport_cost_cents,
                frozen_at: now,
            },
        )?;
        return Ok(());
    }
    Err(Error::Unavailable(
        "the subsidy budget kept changing under concurrent approvals; retry".into(),
    ))
}

/// Gives a frozen quote's subsidy back to its programme and forgets the quote.
pub fn release(conn: &mut DbConnection, booking_id: i64, now: NaiveDateTime) -> Result<()> {
    if let Some(quote) = store::frozen_quote(conn, booking_id)? {
        if let Some(program) = quote.subsidy_program_id {
            store::give_back_subsidy(conn, program, -quote.subsidy_cents, now)?;
        }
        store::delete_frozen_quote(conn, booking_id)?;
    }
    Ok(())
}

fn priced_from_frozen(conn: &mut DbConnection, q: &FrozenQuote) -> Result<Priced> {
    let offer = match q.subsidy_program_id {
        Some(id) => store::program(conn, id)?.map(|p| Offer {
            program_id: p.id,
            name: p.name,
            funder: p.funder,
            rate_percent: p.rate_percent,
            remaining_cents: p.budget_cents - p.committed_cents,
        }),
        None => None,
    };
    Ok(Priced {
        amounts: Amounts {
            rental_cents: q.rental_cents,
            class_discount_cents: q.class_discount_cents,
            transport_cents: q.transport_cents,
            subsidy_cents: q.subsidy_cents,
        },
        class: q
            .venue_class
            .parse()
            .map_err(|_| Error::Internal("stored commune class".into()))?,
        class_rate_percent: q.class_rate_percent,
        recharge_percent: q.recharge_percent,
        transport_cost_cents: q.transport_cost_cents,
        deposit_cents: q.deposit_cents,
        offer,
        frozen_at: Some(q.frozen_at),
    })
}

fn quote_of(booking_id: Option<i64>, loan: &Loan, priced: &Priced, damage: &[Line]) -> Quote {
    let (days, weeks) = price::days_and_weeks(loan.starts_on, loan.ends_on);
    let lines = price::lines(
        &priced.amounts,
        &Labels {
            days,
            class: priced.class,
            class_rate_percent: priced.class_rate_percent,
            recharge_percent: priced.recharge_percent,
            transport_cost_cents: priced.transport_cost_cents,
            subsidy: priced
                .offer
                .as_ref()
                .map(|o| (o.name.as_str(), o.funder.as_str(), o.rate_percent)),
        },
        damage,
    );
    let lines = with_transport_line(lines, priced);
    Quote {
        booking_id,
        resource_id: loan.resource_id,
        venue_id: loan.venue_id,
        starts_on: loan.starts_on,
        ends_on: loan.ends_on,
        days,
        weeks,
        currency: Currency::Eur,
        total_cents: lines.iter().map(|l| l.amount_cents).sum(),
        lines,
        deposit_cents: priced.deposit_cents,
        subsidy_program_id: priced.offer.as_ref().map(|o| o.program_id),
        frozen_at: priced.frozen_at,
        transport_cost_cents: priced.transport_cost_cents,
        transport_share_percent: priced.recharge_percent,
    }
}

/// The quote always shows the road: when the venue's share of the legs is nothing (0 % is a
/// share, the network absorbs the cost), the zero line that [`price::lines`] leaves out is put
/// back after the class discount, naming the full cost of the legs.
fn with_transport_line(mut lines: Vec<Line>, priced: &Priced) -> Vec<Line> {
    if lines.iter().any(|l| l.kind == LineKind::Transport) {
        return lines;
    }
    let at = lines
        .iter()
        .position(|l| !matches!(l.kind, LineKind::Rental | LineKind::ClassDiscount))
        .unwrap_or(lines.len());
    let label = if priced.transport_cost_cents == 0 {
        "Transport : aucun trajet à payer".to_string()
    } else {
        format!(
            "Transport : {} % de {} de trajets, le reste pris en charge par le réseau",
            priced.recharge_percent,
            crate::page::euros(priced.transport_cost_cents)
        )
    };
    lines.insert(
        at,
        Line {
            kind: LineKind::Transport,
            label,
            amount_cents: 0,
        },
    );
    lines
}

/// The quote of a booking as it stands: frozen since approval, else computed afresh; with the
/// damage its reports found. Callers authorise first.
pub fn booking_quote(
    conn: &mut DbConnection,
    billing: &LoanBilling,
    row: &BookingRow,
) -> Result<Quote> {
    use BookingStatus as S;
    // Only approval freezes, and a cancel, reject or expiry forgets: no lookup for those.
    let may_be_frozen = !matches!(
        row.status,
        S::Requested | S::Rejected | S::Cancelled | S::Expired
    );
    let frozen = if may_be_frozen {
        store::frozen_quote(conn, row.id)?
    } else {
        None
    };
    quote_with(conn, billing, row, frozen)
}

/// A booking's quote from its frozen quote if it has one, else priced now.
fn quote_with(
    conn: &mut DbConnection,
    billing: &LoanBilling,
    row: &BookingRow,
    frozen: Option<FrozenQuote>,
) -> Result<Quote> {
    use BookingStatus as S;
    let loan = loan_of(row);
    let priced = match frozen {
        Some(frozen) => priced_from_frozen(conn, &frozen)?,
        None => {
            let (facts, transport_cost) = booking_facts(conn, billing, row, &loan)?;
            price_live(&loan, &facts, transport_cost)?
        }
    };
    // Damage is what the venue's loan did: reports count once the copy reached the venue.
    let damage: Vec<Line> = if matches!(row.status, S::Delivered | S::Returned | S::Closed) {
        price::damage_line(&store::damaged_units(conn, row.id)?)
            .into_iter()
            .collect()
    } else {
        Vec::new()
    };
    Ok(quote_of(Some(row.id), &loan, &priced, &damage))
}

/// The live quotes of several requests at once, by booking id: what [`booking_quote`] gives each
/// `requested` booking (the same facts and formula; a request has no frozen quote and no damage
/// yet), read together so that a producer's inbox prices every line without a round of queries
/// per request: seven queries whatever their number. Callers authorise first and pass requests.
pub fn request_quotes(
    conn: &mut DbConnection,
    billing: &LoanBilling,
    requests: &[Booking],
) -> Result<std::collections::HashMap<i64, Quote>> {
    let mut quotes = std::collections::HashMap::new();
    let (Some(first), Some(last)) = (
        requests.iter().map(|b| b.starts_on).min(),
        requests.iter().map(|b| b.starts_on).max(),
    ) else {
        return Ok(quotes);
    };
    let ids = |f: fn(&Booking) -> i64| requests.iter().map(f).collect::<Vec<i64>>();
    let (venue_ids, resource_ids, copy_ids) = (
        ids(|b| b.venue_id),
        ids(|b| b.resource_id),
        ids(|b| b.copy_id),
    );
    let venues = store::venue_rows(conn, &venue_ids)?;
    let policy = store::policy(conn)?;
    let terms = store::resource_terms(conn, &resource_ids)?;
    let depots = store::copy_depots(conn, &copy_ids)?;
    let programs = store::programs_meeting(conn, first, last)?;
    let windows: Vec<(NaiveDate, NaiveDate)> = requests
        .iter()
        .map(|b| transport::neighbourhood(b.starts_on, b.ends_on, &billing.costs))
        .collect();
    let (Some(from), Some(to)) = (
        windows.iter().map(|w| w.0).min(),
        windows.iter().map(|w| w.1).max(),
    ) else {
        return Ok(quotes);
    };
    let stays = crate::booking::store::stays_of(conn, &copy_ids, BookingStatus::MOVING, from, to)?;
    for (b, (w_from, w_to)) in requests.iter().zip(windows) {
        let venue = venues
            .get(&b.venue_id)
            .cloned()
            .and_then(venue_facts)
            .ok_or_else(|| Error::Internal("booking without venue".into()))?;
        let depot = depots
            .get(&b.copy_id)
            .map(|&(lat, lon)| LatLon { lat, lon });
        // The copy's stays over the booking's neighbourhood, as `store::pricing_facts` reads them.
        let own: Vec<crate::booking::chaining::Stay> = stays
            .iter()
            .filter(|s| s.copy_id == b.copy_id && s.ends_on >= w_from && s.starts_on <= w_to)
            .cloned()
            .collect();
        let facts = Facts {
            venue,
            policy,
            tariff: terms
                .get(&b.resource_id)
                .and_then(|t| t.tariff)
                .unwrap_or_default(),
            depot,
            programs: programs
                .iter()
                .filter(|pr| pr.valid_from <= b.starts_on && pr.valid_to >= b.starts_on)
                .cloned()
                .collect(),
            stays: None,
        };
        let transport_cost = legs_cost(conn, billing, b, depot, Some(&own))?;
        let loan = Loan {
            resource_id: b.resource_id,
            venue_id: b.venue_id,
            starts_on: b.starts_on,
            ends_on: b.ends_on,
        };
        let priced = price_live(&loan, &facts, transport_cost)?;
        quotes.insert(b.id, quote_of(Some(b.id), &loan, &priced, &[]));
    }
    Ok(quotes)
}

/// A booking's quote for its venue, its producer or the agency (others: 404).
pub fn quote_for(
    conn: &mut DbConnection,
    billing: &LoanBilling,
    p: &Principal,
    booking_id: i64,
) -> Result<Quote> {
    // The booking, its producer and its frozen quote in one read (quotes are on every
    // booking's path); the same visibility rule as the booking itself.
    let (row, producer_id, frozen) = store::booking_with_quote(conn, booking_id)?
        .ok_or_else(|| Error::NotFound(format!("booking {booking_id}")))?;
    crate::access::policy::read_booking(p, row.venue_id, producer_id)
        .map_err(|_| Error::NotFound(format!("booking {booking_id}")))?;
    quote_with(conn, billing, &row, frozen)
}

/// What a venue would pay for a resource over some days, before it asks: the nearest copy's depot,
/// an outbound and a return leg (a booking may chain and pay less transport), today's budgets.
pub fn preview(
    conn: &mut DbConnection,
    billing: &LoanBilling,
    p: &Principal,
    resource_id: i64,
    query: &QuoteQuery,
) -> Result<Quote> {
    let resource = catalogue::find_live_resource(conn, resource_id)?
        .ok_or_else(|| Error::NotFound(format!("resource {resource_id}")))?;
    let venue_id = borrowing_venue(p, query.venue_id)?;
    check_preview_days(query.starts_on, query.ends_on)?;
    crate::access::policy::read_quote(p, venue_id, resource.producer_id)?;
    let facts = store::pricing_facts(conn, venue_id, resource_id, None, query.starts_on, None)?
        .and_then(Facts::of)
        .ok_or_else(not_a_venue)?;
    let depots = catalogue::copies_with_depot(conn, resource_id)?
        .into_iter()
        .filter(|(copy, _, _)| copy.status != CopyStatus::Retired)
        .map(|(_, lat, lon)| (lat, lon));
    let transport_cost = preview_transport_cost(billing, depots, facts.venue.position);
    let loan = Loan {
        resource_id,
        venue_id,
        starts_on: query.starts_on,
        ends_on: query.ends_on,
    };
    let priced = price_live(&loan, &facts, transport_cost)?;
    Ok(quote_of(None, &loan, &priced, &[]))
}

/// One resource and its days in [`previews`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PreviewAsk {
    pub resource_id: i64,
    pub starts_on: NaiveDate,
    pub ends_on: NaiveDate,
}

/// [`preview`] of several resources for one venue (`venue_id`, else the caller's own), in the
/// order asked: a list of results shows each one's price without a round of queries per result.
/// What the previews share (the venue, the policy, the programmes) is read once, the resources'
/// tariffs and depots together: two queries in all. The same errors as [`preview`].
pub fn previews(
    conn: &mut DbConnection,
    billing: &LoanBilling,
    p: &Principal,
    venue_id: Option<i64>,
    asks: &[PreviewAsk],
) -> Result<Vec<Quote>> {
    let (Some(first), Some(last)) = (
        asks.iter().map(|a| a.starts_on).min(),
        asks.iter().map(|a| a.starts_on).max(),
    ) else {
        return Ok(Vec::new());
    };
    let ids: Vec<i64> = asks.iter().map(|a| a.resource_id).collect();
    let resources = store::resource_terms(conn, &ids)?;
    // Checked ask by ask in the order `preview` checks one.
    let mut borrower = None;
    for ask in asks {
        let resource = resources
            .get(&ask.resource_id)
            .ok_or_else(|| Error::NotFound(format!("resource {}", ask.resource_id)))?;
        let venue_id = match borrower {
            Some(id) => id,
            None => *borrower.insert(borrowing_venue(p, venue_id)?),
        };
        check_preview_days(ask.starts_on, ask.ends_on)?;
        crate::access::policy::read_quote(p, venue_id, resource.producer_id)?;
    }
    let venue_id = borrower.ok_or_else(|| Error::Internal("previews without asks".into()))?;
    let (venue, policy, programs) = store::venue_terms(conn, venue_id, first, last)?
        .and_then(|(venue, policy, programs)| Some((venue_facts(venue)?, policy, programs)))
        .ok_or_else(not_a_venue)?;
    asks.iter()
        .map(|ask| {
            let resource = resources
                .get(&ask.resource_id)
                .ok_or_else(|| Error::NotFound(format!("resource {}", ask.resource_id)))?;
            let facts = Facts {
                venue: venue.clone(),
                policy,
                tariff: resource.tariff.unwrap_or_default(),
                depot: None,
                // Those valid on the first day of use, as `pricing_facts` reads them.
                programs: programs
                    .iter()
                    .filter(|pr| pr.valid_from <= ask.starts_on && pr.valid_to >= ask.starts_on)
                    .cloned()
                    .collect(),
                stays: None,
            };
            let transport_cost =
                preview_transport_cost(billing, resource.depots.iter().copied(), venue.position);
            let loan = Loan {
                resource_id: ask.resource_id,
                venue_id,
                starts_on: ask.starts_on,
                ends_on: ask.ends_on,
            };
            let priced = price_live(&loan, &facts, transport_cost)?;
            Ok(quote_of(None, &loan, &priced, &[]))
        })
        .collect()
}

/// The venue a preview is for: the one named, else the caller's own if it is a venue.
fn borrowing_venue(p: &Principal, venue_id: Option<i64>) -> Result<i64> {
    match (venue_id, p.kind) {
        (Some(id), _) => Ok(id),
        (None, OrgKind::Venue) => Ok(p.organization_id),
        (None, _) => Err(Error::invalid("venue_id", "name the borrowing venue")),
    }
}

/// The days a preview may price: the last not before the first, less than a year.
fn check_preview_days(starts_on: NaiveDate, ends_on: NaiveDate) -> Result<()> {
    let mut v = Validator::new();
    v.check(
        ends_on >= starts_on,
        "ends_on",
        "must not be before starts_on",
    );
    v.check(
        (ends_on - starts_on).num_days() < 366,
        "ends_on",
        "a loan lasts less than a year",
    );
    v.finish()
}

fn not_a_venue() -> Error {
    Error::invalid("venue_id", "not a venue")
}

/// A preview's transport: an outbound and a return leg from the nearest depot (by the road
/// estimate) of the copies offered, nothing when there is none.
fn preview_transport_cost(
    billing: &LoanBilling,
    depots: impl Iterator<Item = (f64, f64)>,
    venue: LatLon,
) -> i64 {
    depots
        .map(|(lat, lon)| billing.provider.estimate_km(LatLon { lat, lon }, venue))
        .min_by(f64::total_cmp)
        .map_or(0, |km| 2 * billing.costs.cost_cents(km))
}
