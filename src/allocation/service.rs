//! Allocation rounds: the agency opens a round on contested resources, venues request dates,
//! `allocate` proposes a plan under a policy (nothing booked), `confirm` books the proposal in one
//! transaction or nothing at all.

use std::collections::{HashMap, HashSet};

use chrono::{Duration, NaiveDate, NaiveDateTime};

use super::model::{
    AllocationPolicy, AllocationRequestSnapshot, Comparison, Confirmation, Decision, NewRound,
    NewRoundRequest, Proposal, Round, RoundDetail, RoundRequest, RoundStatus,
};
use super::plan::{self, Placement, Standing, Territory, Wish};
use super::store::{self, RequestInsert, RequestRow, RoundInsert, RoundRow};
use crate::access::{policy, Principal};
use crate::booking::model::SystemNote;
use crate::booking::service::{self as booking, Settings};
use crate::catalogue::store as catalogue;
use crate::db::{write_transaction, DbConnection};
use crate::error::{Code, Error, FieldError, Result, Validator};
use crate::observatory::store as facts;
use crate::organization::OrgKind;
use crate::territory::CommuneClass;

/// Resources a round may hold.
const MAX_ROUND_RESOURCES: usize = 200;
/// Longest round period, in days.
const MAX_ROUND_DAYS: i64 = 366;
/// Rounds listed at most.
const MAX_ROUNDS_LISTED: i64 = 200;
/// The window of "the last 12 months" of the equity rule, in days.
const EQUITY_WINDOW_DAYS: i64 = 365;

fn to_round(row: RoundRow, resource_ids: Vec<i64>, request_count: i64) -> Round {
    Round {
        id: row.id,
        name: row.name,
        period_from: row.period_from,
        period_to: row.period_to,
        status: row.status,
        resource_ids,
        request_count,
        proposal_policy: row.proposal_policy,
        proposed_at: row.proposed_at,
        created_at: row.created_at,
        updated_at: row.updated_at,
    }
}

fn to_request(row: RequestRow) -> RoundRequest {
    let proposed_decision = decision_of(&row);
    RoundRequest {
        id: row.id,
        round_id: row.round_id,
        venue_id: row.venue_id,
        resource_id: row.resource_id,
        starts_on: row.starts_on,
        ends_on: row.ends_on,
        created_at: row.created_at,
        proposed_copy_id: row.proposed_copy_id,
        proposed_reason: row.proposed_reason,
        proposed_decision,
        booking_id: row.booking_id,
    }
}

/// The current proposal's decision on a request, as stored (none before a proposal, or for a
/// proposal older than the codes).
fn decision_of(row: &RequestRow) -> Option<Decision> {
    row.proposed_decision
        .as_deref()
        .and_then(|d| serde_json::from_str(d).ok())
}

/// Rounds with their resources and request counts.
fn rounds_with_facts(conn: &mut DbConnection, rows: Vec<RoundRow>) -> Result<Vec<Round>> {
    let ids: Vec<i64> = rows.iter().map(|r| r.id).collect();
    let mut resources: HashMap<i64, Vec<i64>> = HashMap::new();
    for (round, resource) in store::round_resources(conn, &ids)? {
        resources.entry(round).or_default().push(resource);
    }
    let counts: HashMap<i64, i64> = store::request_counts(conn, &ids)?.into_iter().collect();
    Ok(rows
        .into_iter()
        .map(|row| {
            let id = row.id;
            to_round(
                row,
                resources.remove(&id).unwrap_or_default(),
                counts.get(&id).copied().unwrap_or(0),
            )
        })
        .collect())
}

fn round_of(conn: &mut DbConnection, id: i64) -> Result<Round> {
    let row = store::find_round(conn, id)?
        .ok_or_else(|| Error::NotFound(format!("allocation round {id}")))?;
    rounds_with_facts(conn, vec![row])?
        .pop()
        .ok_or_else(|| Error::Internal("round vanished".into()))
}

fn open_round(conn: &mut DbConnection, id: i64) -> Result<RoundRow> {
    let row = store::find_round(conn, id)?
        .ok_or_else(|| Error::NotFound(format!("allocation round {id}")))?;
    if row.status != RoundStatus::Open {
        return Err(Error::conflict(
            Code::RoundClosed,
            format!("the round is {}", row.status),
        ));
    }
    Ok(row)
}

/// The agency opens a round on contested resources for a period.
pub fn create_round(
    conn: &mut DbConnection,
    p: &Principal,
    new: &NewRound,
    now: NaiveDateTime,
) -> Result<Round> {
    policy::coordinate_allocation(p)?;
    let mut v = Validator::new();
    let name = new.name.trim();
    if name.is_empty() || name.chars().count() > 200 {
        v.add("name", "between 1 and 200 characters");
    }
    if new.period_to < new.period_from {
        v.add("period_to", "must not be before period_from");
    } else if (new.period_to - new.period_from).num_days() + 1 > MAX_ROUND_DAYS {
        v.add(
            "period_to",
            format!("a round lasts at most {MAX_ROUND_DAYS} days"),
        );
    }
    if new.period_to < now.date() {
        v.add("period_to", "the period is over");
    }
    let mut resource_ids: Vec<i64> = new.resource_ids.clone();
    resource_ids.sort_unstable();
    resource_ids.dedup();
    if resource_ids.is_empty() || resource_ids.len() > MAX_ROUND_RESOURCES {
        v.add(
            "resource_ids",
            format!("between 1 and {MAX_ROUND_RESOURCES} resources"),
        );
    }
    v.finish()?;
    for id in &resource_ids {
        if catalogue::find_live_resource(conn, *id)?.is_none() {
            return Err(Error::invalid(
                "resource_ids",
                format!("no resource {id} in the catalogue"),
            ));
        }
    }
    write_transaction(conn, |conn| {
        let row = store::insert_round(
            conn,
            &RoundInsert {
                name,
                period_from: new.period_from,
                period_to: new.period_to,
                status: RoundStatus::Open,
                created_by_organization: p.organization_id,
                created_at: now,
                updated_at: now,
            },
            &resource_ids,
        )?;
        let round = to_round(row, resource_ids.clone(), 0);
        crate::audit::record(
            conn,
            p.actor(),
            crate::audit::AuditAction::AllocationRoundCreated,
            round.id,
            &serde_json::json!({
                "name": round.name,
                "period_from": round.period_from,
                "period_to": round.period_to,
                "resource_ids": round.resource_ids,
            }),
            now,
        )?;
        Ok(round)
    })
}

/// Every round, newest first: every member of the network may see which rounds exist.
pub fn list_rounds(conn: &mut DbConnection) -> Result<Vec<Round>> {
    let rows = store::list_rounds(conn, MAX_ROUNDS_LISTED)?;
    rounds_with_facts(conn, rows)
}

/// Whether the caller may see a request: the agency all, a venue its own, a producer those on
/// its resources.
fn sees_request(p: &Principal, row: &RequestRow, own_resources: &HashSet<i64>) -> bool {
    policy::read_allocation_request(p, row.venue_id, own_resources.contains(&row.resource_id))
}

/// A round and the requests the caller may see.
pub fn get_round(conn: &mut DbConnection, p: &Principal, id: i64) -> Result<RoundDetail> {
    let round = round_of(conn, id)?;
    let own_resources: HashSet<i64> = if p.kind == OrgKind::Producer {
        let mut own = HashSet::new();
        for resource in &round.resource_ids {
            if catalogue::find_live_resource(conn, *resource)?
                .is_some_and(|r| r.producer_id == p.organization_id)
            {
                own.insert(*resource);
            }
        }
        own
    } else {
        HashSet::new()
    };
    let requests = store::requests_of(conn, id)?
        .into_iter()
        .filter(|r| sees_request(p, r, &own_resources))
        .map(to_request)
        .collect();
    Ok(RoundDetail { round, requests })
}

/// A venue asks for dates of a resource of an open round. A new request voids the current
/// proposal (it did not consider it).
pub fn add_request(
    conn: &mut DbConnection,
    p: &Principal,
    settings: &Settings,
    round_id: i64,
    new: &NewRoundRequest,
    now: NaiveDateTime,
) -> Result<RoundRequest> {
    let round = store::find_round(conn, round_id)?
        .ok_or_else(|| Error::NotFound(format!("allocation round {round_id}")))?;
    let mut v = Validator::new();
    if new.ends_on < new.starts_on {
        v.add("ends_on", "must not be before starts_on");
    } else if (new.ends_on - new.starts_on).num_days() + 1 > settings.max_days {
        v.add(
            "ends_on",
            format!("a booking lasts at most {} days", settings.max_days),
        );
    }
    if new.starts_on < now.date() {
        v.add("starts_on", "must not be in the past");
    }
    if new.starts_on < round.period_from || new.starts_on > round.period_to {
        v.add("starts_on", "must be inside the round's period");
    }
    if new.ends_on < round.period_from || new.ends_on > round.period_to {
        v.add("ends_on", "must be inside the round's period");
    }
    v.finish()?;
    policy::book_for_venue(p, new.venue_id)?;
    let is_venue = crate::organization::store::find_organization(conn, new.venue_id)?
        .is_some_and(|o| o.kind == OrgKind::Venue.as_str());
    if !is_venue {
        return Err(Error::invalid("venue_id", "not a venue of the network"));
    }
    write_transaction(conn, |conn| {
        open_round(conn, round_id)?;
        let in_round = store::round_resources(conn, &[round_id])?
            .iter()
            .any(|(_, r)| *r == new.resource_id);
        if !in_round {
            return Err(Error::invalid(
                "resource_id",
                "not a resource of this round",
            ));
        }
        let held = store::requests_of_venue(conn, round_id, new.venue_id)?;
        if held >= settings.max_open_requests {
            return Err(Error::conflict(
                Code::RequestLimitReached,
                format!(
                    "the venue already has {held} requests in this round (at most {})",
                    settings.max_open_requests
                ),
            ));
        }
        let row = store::insert_request(
            conn,
            &RequestInsert {
                round_id,
                venue_id: new.venue_id,
                resource_id: new.resource_id,
                starts_on: new.starts_on,
                ends_on: new.ends_on,
                requested_by: p.user_id,
                created_at: now,
            },
        )?;
        store::clear_proposal(conn, round_id, now)?;
        Ok(to_request(row))
    })
}

/// The columns of a CSV of requests, in the order of its header line.
pub const CSV_COLUMNS: [&str; 4] = ["venue_id", "resource_id", "starts_on", "ends_on"];
/// Requests a CSV may add at once.
const MAX_CSV_REQUESTS: usize = 1_000;

/// The column of a CSV line a refusal of [`add_request`] is about (`body`: the line as a whole).
fn refused_column(e: &Error) -> &'static str {
    match e.code() {
        Code::RequestLimitReached | Code::Forbidden => "venue_id",
        _ => "body",
    }
}

/// Adds many requests at once from a CSV file (`venue_id,resource_id,starts_on,ends_on`, header
/// line required), all or nothing: each line goes through [`add_request`] (the same rules as one
/// request) inside one transaction, and if any line is refused nothing is added and the error
/// lists every refusal with its line and column.
pub fn add_requests_csv(
    conn: &mut DbConnection,
    p: &Principal,
    settings: &Settings,
    round_id: i64,
    csv: &str,
    now: NaiveDateTime,
) -> Result<Vec<RoundRequest>> {
    let at = |line: u64, field: &str, message: String| FieldError {
        field: field.to_string(),
        message,
        line: Some(line),
    };
    let records = crate::text::read_csv(csv, &CSV_COLUMNS).map_err(|problems| {
        Error::Validation(
            problems
                .into_iter()
                .map(|p| at(p.line, &p.field, p.message))
                .collect(),
        )
    })?;
    if records.is_empty() {
        return Err(Error::Validation(vec![at(
            2,
            "body",
            "no request after the header line".into(),
        )]));
    }
    if records.len() > MAX_CSV_REQUESTS {
        return Err(Error::Validation(vec![at(
            records[MAX_CSV_REQUESTS].line,
            "body",
            format!("at most {MAX_CSV_REQUESTS} requests a file"),
        )]));
    }
    // The round's own refusals (none, closed) are the whole file's, not a line's.
    open_round(conn, round_id)?;
    write_transaction(conn, |conn| {
        let mut errors: Vec<FieldError> = Vec::new();
        let mut added = Vec::with_capacity(records.len());
        for record in &records {
            let line = record.line;
            let before = errors.len();
            let mut id = |i: usize| match record.cells[i].parse::<i64>() {
                Ok(n) => Some(n),
                Err(_) => {
                    errors.push(at(line, CSV_COLUMNS[i], "not a whole number".into()));
                    None
                }
            };
            let (venue_id, resource_id) = (id(0), id(1));
            let mut date = |i: usize| match NaiveDate::parse_from_str(&record.cells[i], "%Y-%m-%d")
            {
                Ok(d) => Some(d),
                Err(_) => {
                    errors.push(at(line, CSV_COLUMNS[i], "not a date (YYYY-MM-DD)".into()));
                    None
                }
            };
            let (starts_on, ends_on) = (date(2), date(3));
            let (Some(venue_id), Some(resource_id), Some(starts_on), Some(ends_on)) =
                (venue_id, resource_id, starts_on, ends_on)
            else {
                debug_assert!(errors.len() > before);
                continue;
            };
            let new = NewRoundRequest {
                venue_id,
                resource_id,
                starts_on,
                ends_on,
            };
            match add_request(conn, p, settings, round_id, &new, now) {
                Ok(request) => added.push(request),
                Err(Error::Validation(fields)) => {
                    errors.extend(fields.into_iter().map(|f| at(line, &f.field, f.message)))
                }
                Err(
                    e @ Error::Conflict {
                        code: Code::RoundClosed,
                        ..
                    },
                ) => return Err(e),
                Err(e @ (Error::Conflict { .. } | Error::Forbidden(_))) => {
                    errors.push(at(line, refused_column(&e), e.to_string()))
                }
                Err(e) => return Err(e),
            }
        }
        if errors.is_empty() {
            Ok(added)
        } else {
            // Returning the error rolls every line back.
            Err(Error::Validation(errors))
        }
    })
}

/// A venue withdraws its request while the round is open (the agency may withdraw any).
pub fn withdraw_request(
    conn: &mut DbConnection,
    p: &Principal,
    round_id: i64,
    request_id: i64,
    now: NaiveDateTime,
) -> Result<()> {
    write_transaction(conn, |conn| {
        let row = store::find_request(conn, round_id, request_id)?
            .filter(|r| policy::acts_for(p, r.venue_id))
            .ok_or_else(|| Error::NotFound(format!("request {request_id} of round {round_id}")))?;
        policy::book_for_venue(p, row.venue_id)?;
        open_round(conn, round_id)?;
        store::delete_request(conn, request_id)?;
        store::clear_proposal(conn, round_id, now)?;
        Ok(())
    })
}

/// The territory as the equity rule reads it: loans of the last 12 months per EPCI and class,
/// every commune's population, and which venues were ever served.
fn territory(conn: &mut DbConnection, today: NaiveDate) -> Result<Territory> {
    let communes = facts::communes(conn)?;
    let venue_communes = facts::venue_communes(conn)?;
    let recent = facts::loans_per_venue(conn, today - Duration::days(EQUITY_WINDOW_DAYS), today)?;
    let ever: HashSet<i64> = facts::venues_ever_served(conn)?.into_iter().collect();
    let by_code: HashMap<&str, &facts::CommuneFacts> = communes
        .iter()
        .map(|c| (c.insee_code.as_str(), c))
        .collect();
    let mut t = Territory::default();
    for c in &communes {
        *t.epci_population.entry(c.epci_siren.clone()).or_insert(0) += i64::from(c.population);
        *t.class_population
            .entry(CommuneClass::of_population(i64::from(c.population)))
            .or_insert(0) += i64::from(c.population);
    }
    for (venue, code) in &venue_communes {
        if let Some(c) = by_code.get(code.as_str()) {
            t.venues.insert(
                *venue,
                Standing {
                    epci_siren: c.epci_siren.clone(),
                    epci_name: c.epci_name.clone(),
                    class: CommuneClass::of_population(i64::from(c.population)),
                    served_before: ever.contains(venue),
                },
            );
        }
    }
    for (venue, loans) in recent {
        if let Some(s) = t.venues.get(&venue) {
            *t.epci_loans.entry(s.epci_siren.clone()).or_insert(0) += loans;
            *t.class_loans.entry(s.class).or_insert(0) += loans;
        }
    }
    Ok(t)
}

/// What a round's plans are computed from: its requests as read, each with the copies that
/// could serve it, the calendar those copies already hold, and the territory's standing.
struct PlanInputs {
    requests: Vec<RequestRow>,
    wishes: Vec<Wish>,
    busy: HashMap<i64, Vec<(NaiveDate, NaiveDate)>>,
    territory: Territory,
}

impl PlanInputs {
    /// Reads an open round's inputs (the policy of who may ask is the caller's).
    fn read(
        conn: &mut DbConnection,
        settings: &Settings,
        round_id: i64,
        now: NaiveDateTime,
    ) -> Result<PlanInputs> {
        open_round(conn, round_id)?;
        let requests = store::requests_of(conn, round_id)?;
        let mut wishes: Vec<Wish> = Vec::with_capacity(requests.len());
        let mut reading = booking::OptionsReading::default();
        for r in &requests {
            let options = booking::copy_options(
                conn,
                settings,
                &mut reading,
                r.resource_id,
                r.venue_id,
                (r.starts_on, r.ends_on),
            )?;
            wishes.push(Wish {
                request_id: r.id,
                venue_id: r.venue_id,
                resource_id: r.resource_id,
                starts_on: r.starts_on,
                ends_on: r.ends_on,
                created_at: r.created_at,
                options: options
                    .into_iter()
                    .map(|o| Placement {
                        copy_id: o.copy_id,
                        occupied: o.occupied,
                        road_km: o.road_km,
                    })
                    .collect(),
            });
        }
        let busy = calendar_of(conn, &wishes)?;
        let territory = territory(conn, now.date())?;
        Ok(PlanInputs {
            requests,
            wishes,
            busy,
            territory,
        })
    }

    /// The plan under a policy, as a proposal (its summary from the planner: one home).
    fn propose(&self, round_id: i64, policy: AllocationPolicy) -> (plan::Plan, Proposal) {
        let planned = plan::plan(policy, &self.wishes, &self.territory, &self.busy);
        let proposal = Proposal {
            round_id,
            policy,
            assignments: planned.assignments.clone(),
            unassigned: planned.unassigned.clone(),
            summary: planned.summary,
        };
        (planned, proposal)
    }
}

/// Both policies' plans for an open round, side by side, from the same reading of the round;
/// nothing is stored (the current proposal stays as it was). The agency only.
pub fn compare(
    conn: &mut DbConnection,
    p: &Principal,
    settings: &Settings,
    round_id: i64,
    now: NaiveDateTime,
) -> Result<Comparison> {
    policy::coordinate_allocation(p)?;
    let inputs = PlanInputs::read(conn, settings, round_id, now)?;
    Ok(Comparison {
        equity: inputs.propose(round_id, AllocationPolicy::Equity).1,
        first_come: inputs.propose(round_id, AllocationPolicy::FirstCome).1,
    })
}

/// Proposes a plan for an open round under a policy and keeps it as the round's proposal;
/// nothing is booked. The agency only.
pub fn allocate(
    conn: &mut DbConnection,
    p: &Principal,
    settings: &Settings,
    round_id: i64,
    policy: AllocationPolicy,
    now: NaiveDateTime,
) -> Result<Proposal> {
    policy::coordinate_allocation(p)?;
    let inputs = PlanInputs::read(conn, settings, round_id, now)?;
    let requests = &inputs.requests;
    let (planned, proposal) = inputs.propose(round_id, policy);
    let json = |d: &Decision| serde_json::to_string(d).map_err(|e| Error::Internal(e.to_string()));
    let mut decisions: Vec<store::ProposedDecision<'_>> = Vec::with_capacity(requests.len());
    for a in &planned.assignments {
        decisions.push(store::ProposedDecision {
            request_id: a.request_id,
            copy_id: Some(a.copy_id),
            reason: &a.reason,
            decision: json(&a.decision)?,
            rank: planned.rank.get(&a.request_id).copied().unwrap_or(0),
        });
    }
    for u in &planned.unassigned {
        decisions.push(store::ProposedDecision {
            request_id: u.request_id,
            copy_id: None,
            reason: &u.reason,
            decision: json(&u.decision)?,
            rank: planned.rank.get(&u.request_id).copied().unwrap_or(0),
        });
    }
    write_transaction(conn, |conn| {
        // A request that came meanwhile voids this plan: keep it only if the round is as read.
        open_round(conn, round_id)?;
        if store::requests_of(conn, round_id)?.len() != requests.len() {
            return Err(Error::conflict(
                Code::ProposalStale,
                "requests changed while the plan was computed; allocate again",
            ));
        }
        store::save_proposal(conn, round_id, policy, &decisions, now)?;
        crate::audit::record(
            conn,
            p.actor(),
            crate::audit::AuditAction::AllocationRoundAllocated,
            round_id,
            &serde_json::json!({
                "policy": policy,
                "assigned": planned.assignments.len(),
                "unassigned": planned.unassigned.len(),
            }),
            now,
        )
    })?;
    Ok(proposal)
}

/// The current occupations of every copy the wishes could use.
fn calendar_of(
    conn: &mut DbConnection,
    wishes: &[Wish],
) -> Result<HashMap<i64, Vec<(NaiveDate, NaiveDate)>>> {
    let mut copies: Vec<i64> = wishes
        .iter()
        .flat_map(|w| w.options.iter().map(|o| o.copy_id))
        .collect();
    copies.sort_unstable();
    copies.dedup();
    let from = wishes
        .iter()
        .flat_map(|w| w.options.iter().map(|o| o.occupied.0))
        .min();
    let to = wishes
        .iter()
        .flat_map(|w| w.options.iter().map(|o| o.occupied.1))
        .max();
    let mut busy: HashMap<i64, Vec<(NaiveDate, NaiveDate)>> = HashMap::new();
    if let (Some(from), Some(to)) = (from, to) {
        for (copy, start, end) in crate::booking::store::busy_periods_of(conn, &copies, from, to)? {
            busy.entry(copy).or_default().push((start, end));
        }
    }
    Ok(busy)
}

/// Tells a venue that the confirmed round does not serve its request, and why
/// (`allocation.refused`: mail to the venue, webhooks of the venue), with the request as it was.
fn announce_refusal(conn: &mut DbConnection, r: &RequestRow, now: NaiveDateTime) -> Result<()> {
    let snapshot = AllocationRequestSnapshot {
        id: r.id,
        round_id: r.round_id,
        venue_id: r.venue_id,
        resource_id: r.resource_id,
        starts_on: r.starts_on,
        ends_on: r.ends_on,
    };
    let snapshot = serde_json::to_value(snapshot).map_err(|e| Error::Internal(e.to_string()))?;
    crate::outbox::record_with_snapshot(
        conn,
        crate::outbox::EventKind::AllocationRefused,
        crate::outbox::SubjectType::AllocationRequest,
        r.id,
        &serde_json::json!({
            "round_id": r.round_id,
            "reason": r.proposed_reason.as_deref().unwrap_or("no copy was free for these dates"),
            "decision": decision_of(r),
        }),
        Some(&snapshot),
        now,
    )?;
    Ok(())
}

/// Keeps one policy's plan of a round in one step (the portal's « Retenir cette répartition »):
/// plans the round with `policy`, then books that proposal as `confirm` does. A round already
/// confirmed is refused by `allocate` before anything is stored.
pub fn allocate_and_confirm(
    conn: &mut DbConnection,
    p: &Principal,
    settings: &Settings,
    round_id: i64,
    policy: AllocationPolicy,
    now: NaiveDateTime,
) -> Result<Confirmation> {
    allocate(conn, p, settings, round_id, policy, now)?;
    confirm(conn, p, settings, round_id, now)
}

/// Books the round's current proposal, every assignment `approved`, in one transaction: if any
/// copy was taken meanwhile nothing is booked (409 `proposal_stale`); the requests it does not
/// serve are told why. The agency only.
pub fn confirm(
    conn: &mut DbConnection,
    p: &Principal,
    settings: &Settings,
    round_id: i64,
    now: NaiveDateTime,
) -> Result<Confirmation> {
    policy::coordinate_allocation(p)?;
    let booking_ids = write_transaction(conn, |conn| {
        let round = open_round(conn, round_id)?;
        let Some(policy) = round.proposal_policy else {
            return Err(Error::conflict(
                Code::NoProposal,
                "the round has no current proposal; allocate first",
            ));
        };
        // Taken first: a concurrent confirmation waits here, then finds the round confirmed.
        if !store::set_round_status_if(
            conn,
            round_id,
            RoundStatus::Open,
            RoundStatus::Confirmed,
            now,
        )? {
            return Err(Error::conflict(
                Code::RoundClosed,
                "the round was confirmed meanwhile",
            ));
        }
        let (mut assigned, refused): (Vec<RequestRow>, Vec<RequestRow>) =
            store::requests_of(conn, round_id)?
                .into_iter()
                .partition(|r| r.proposed_copy_id.is_some());
        assigned.sort_by_key(|r| (r.proposed_rank, r.id));
        let note = SystemNote::AllocationRound {
            round_id,
            policy: policy.as_str().to_string(),
        };
        let mut booked = Vec::with_capacity(assigned.len());
        for r in &assigned {
            let Some(copy_id) = r.proposed_copy_id else {
                continue;
            };
            let made = booking::book_approved(
                conn,
                p,
                settings,
                (r.resource_id, copy_id, r.venue_id),
                (r.starts_on, r.ends_on),
                &note,
                now,
            )?;
            let Some(made) = made else {
                return Err(Error::conflict(
                    Code::ProposalStale,
                    format!(
                        "copy {copy_id} is no longer free for request {} ({} to {}); nothing \
                         was booked: allocate again",
                        r.id, r.starts_on, r.ends_on
                    ),
                ));
            };
            store::set_request_booking(conn, r.id, made.id)?;
            booked.push(made.id);
        }
        for r in &refused {
            announce_refusal(conn, r, now)?;
        }
        crate::audit::record(
            conn,
            p.actor(),
            crate::audit::AuditAction::AllocationRoundConfirmed,
            round_id,
            &serde_json::json!({ "policy": policy, "booking_ids": booked }),
            now,
        )?;
        Ok(booked)
    })?;
    Ok(Confirmation {
        round: round_of(conn, round_id)?,
        booking_ids,
    })
}
