//! The planner of an allocation round, pure: given the requests, where each could be served and
//! what the calendar already holds, it orders the requests under a policy and places each on the
//! first copy free for its dates (travel, set-up and turnaround days included, exactly like a
//! booking), explaining every decision.

use std::cmp::Ordering;
use std::collections::{HashMap, HashSet};

use chrono::{NaiveDate, NaiveDateTime};

use super::model::{
    AllocationPolicy, Assignment, ByClass, ClassOutcome, CopyTaken, Decision, EquityRule,
    EquityStanding, Summary, Turn, Unassigned,
};
use crate::territory::CommuneClass;

/// A request as the planner sees it.
#[derive(Debug, Clone)]
pub struct Wish {
    pub request_id: i64,
    pub venue_id: i64,
    pub resource_id: i64,
    pub starts_on: NaiveDate,
    pub ends_on: NaiveDate,
    pub created_at: NaiveDateTime,
    /// Copies that could serve it, best first, with the days each would occupy.
    pub options: Vec<Placement>,
}

/// A copy that could serve a request: the days it would occupy and how far its depot is.
#[derive(Debug, Clone, Copy)]
pub struct Placement {
    pub copy_id: i64,
    /// Travel, set-up and turnaround days around the dates of use.
    pub occupied: (NaiveDate, NaiveDate),
    /// Road km from the copy's depot to the venue (the booking rule's distance).
    pub road_km: f64,
}

/// Where a venue stands in the territory.
#[derive(Debug, Clone)]
pub struct Standing {
    pub epci_siren: String,
    pub epci_name: String,
    pub class: CommuneClass,
    /// It had at least one loan before the round.
    pub served_before: bool,
}

/// The territory's loans over the last 12 months, and who the venues are.
#[derive(Debug, Clone, Default)]
pub struct Territory {
    pub venues: HashMap<i64, Standing>,
    pub epci_population: HashMap<String, i64>,
    pub epci_loans: HashMap<String, i64>,
    pub class_population: HashMap<CommuneClass, i64>,
    pub class_loans: HashMap<CommuneClass, i64>,
}

/// What the planner decided.
#[derive(Debug, Clone, Default)]
pub struct Plan {
    /// In the order the requests were considered.
    pub assignments: Vec<Assignment>,
    pub unassigned: Vec<Unassigned>,
    /// Request id → the order in which it was considered (1-based).
    pub rank: HashMap<i64, i32>,
    pub summary: Summary,
}

fn per_10k(loans: i64, population: i64) -> f64 {
    if population <= 0 {
        return if loans > 0 { f64::INFINITY } else { 0.0 };
    }
    loans as f64 * 10_000.0 / population as f64
}

fn class_rank(class: CommuneClass) -> u8 {
    match class {
        CommuneClass::Village => 0,
        CommuneClass::SmallTown => 1,
        CommuneClass::MediumTown => 2,
        CommuneClass::LargeCity => 3,
    }
}

/// The equity standing of a request at one step of the plan.
#[derive(Debug, Clone, Copy)]
struct EquityKey {
    epci_rate: f64,
    class: CommuneClass,
    served: bool,
    created_at: NaiveDateTime,
    request_id: i64,
}

impl EquityKey {
    /// Which rule separates `self` (placed first) from `next`, for the reason.
    fn decided_by(&self, next: &EquityKey) -> EquityRule {
        if rate_cmp(self.epci_rate, next.epci_rate) != Ordering::Equal {
            EquityRule::FewerLoans {
                loans_per_10k: finite(self.epci_rate),
                next_loans_per_10k: finite(next.epci_rate),
            }
        } else if self.class != next.class {
            EquityRule::SmallerCommune {
                class: self.class,
                next_class: next.class,
            }
        } else if self.served != next.served {
            EquityRule::NeverServed
        } else {
            EquityRule::Arrival
        }
    }

    fn cmp(&self, other: &EquityKey) -> Ordering {
        rate_cmp(self.epci_rate, other.epci_rate)
            .then(class_rank(self.class).cmp(&class_rank(other.class)))
            .then(self.served.cmp(&other.served))
            .then(self.created_at.cmp(&other.created_at))
            .then(self.request_id.cmp(&other.request_id))
    }
}

/// A rate as decisions keep it: `None` when infinite (no population on record).
fn finite(rate: f64) -> Option<f64> {
    rate.is_finite().then_some(rate)
}

/// Rates equal to a millionth are a tie (they come from integer counts).
fn rate_cmp(a: f64, b: f64) -> Ordering {
    if (a - b).abs() < 1e-6 {
        Ordering::Equal
    } else {
        a.total_cmp(&b)
    }
}

/// Who holds a copy on some days in the plan being built.
#[derive(Debug, Clone, Copy)]
enum Holder {
    Calendar,
    Request(i64),
}

/// Per copy, the days taken and by whom.
type Holdings = HashMap<i64, Vec<((NaiveDate, NaiveDate), Holder)>>;

fn overlaps(a: (NaiveDate, NaiveDate), b: (NaiveDate, NaiveDate)) -> bool {
    a.0 <= b.1 && b.0 <= a.1
}

/// Plans a round. `busy` holds the copies' current occupations (bookings and maintenance).
pub fn plan(
    policy: AllocationPolicy,
    wishes: &[Wish],
    territory: &Territory,
    busy: &HashMap<i64, Vec<(NaiveDate, NaiveDate)>>,
) -> Plan {
    let mut held: Holdings = busy
        .iter()
        .map(|(copy, periods)| {
            (
                *copy,
                periods.iter().map(|p| (*p, Holder::Calendar)).collect(),
            )
        })
        .collect();
    let mut extra_epci_loans: HashMap<&str, i64> = HashMap::new();
    let mut served_now: HashSet<i64> = HashSet::new();
    let mut remaining: Vec<&Wish> = wishes.iter().collect();
    remaining.sort_by(|a, b| {
        a.created_at
            .cmp(&b.created_at)
            .then(a.request_id.cmp(&b.request_id))
    });
    let total = remaining.len() as i32;
    let mut out = Plan::default();

    let key_of = |w: &Wish, extra: &HashMap<&str, i64>, served_now: &HashSet<i64>| {
        let standing = territory.venues.get(&w.venue_id);
        let (rate, class, served) = match standing {
            Some(s) => {
                let loans = territory
                    .epci_loans
                    .get(&s.epci_siren)
                    .copied()
                    .unwrap_or(0)
                    + extra.get(s.epci_siren.as_str()).copied().unwrap_or(0);
                let population = territory
                    .epci_population
                    .get(&s.epci_siren)
                    .copied()
                    .unwrap_or(0);
                (
                    per_10k(loans, population),
                    s.class,
                    s.served_before || served_now.contains(&w.venue_id),
                )
            }
            None => (f64::INFINITY, CommuneClass::LargeCity, true),
        };
        EquityKey {
            epci_rate: rate,
            class,
            served,
            created_at: w.created_at,
            request_id: w.request_id,
        }
    };

    let mut step: i32 = 0;
    while !remaining.is_empty() {
        step += 1;
        // The request considered now, and why it comes before the next one.
        let (index, turn) = match policy {
            AllocationPolicy::FirstCome => {
                let w = remaining[0];
                (
                    0,
                    Turn::FirstCome {
                        requested_at: w.created_at,
                        step,
                        total,
                    },
                )
            }
            AllocationPolicy::Equity => {
                let keys: Vec<EquityKey> = remaining
                    .iter()
                    .map(|w| key_of(w, &extra_epci_loans, &served_now))
                    .collect();
                let mut best = 0;
                for i in 1..keys.len() {
                    if keys[i].cmp(&keys[best]) == Ordering::Less {
                        best = i;
                    }
                }
                let mut runner_up: Option<usize> = None;
                for i in 0..keys.len() {
                    if i != best
                        && runner_up.is_none_or(|r| keys[i].cmp(&keys[r]) == Ordering::Less)
                    {
                        runner_up = Some(i);
                    }
                }
                let k = keys[best];
                let standing =
                    territory
                        .venues
                        .get(&remaining[best].venue_id)
                        .map(|s| EquityStanding {
                            epci_name: s.epci_name.clone(),
                            loans_per_10k: finite(k.epci_rate),
                            class: s.class,
                            served_before: k.served,
                        });
                let decided_by = match runner_up {
                    Some(r) => k.decided_by(&keys[r]),
                    None => EquityRule::LastLeft,
                };
                (
                    best,
                    Turn::Equity {
                        step,
                        total,
                        standing,
                        decided_by,
                    },
                )
            }
        };
        let wish = remaining.remove(index);
        out.rank.insert(wish.request_id, step);
        let placed = wish.options.iter().find(|o| {
            held.get(&o.copy_id)
                .is_none_or(|h| !h.iter().any(|(p, _)| overlaps(*p, o.occupied)))
        });
        match placed {
            Some(o) => {
                held.entry(o.copy_id)
                    .or_default()
                    .push((o.occupied, Holder::Request(wish.request_id)));
                if let Some(s) = territory.venues.get(&wish.venue_id) {
                    *extra_epci_loans.entry(s.epci_siren.as_str()).or_insert(0) += 1;
                }
                served_now.insert(wish.venue_id);
                let decision = Decision::Served {
                    copy_id: o.copy_id,
                    turn,
                };
                out.assignments.push(Assignment {
                    request_id: wish.request_id,
                    venue_id: wish.venue_id,
                    resource_id: wish.resource_id,
                    copy_id: o.copy_id,
                    starts_on: wish.starts_on,
                    ends_on: wish.ends_on,
                    road_km: round2(o.road_km),
                    reason: decision.render("en"),
                    decision,
                });
            }
            None => {
                let decision = refusal(wish, &held, turn);
                out.unassigned.push(Unassigned {
                    request_id: wish.request_id,
                    venue_id: wish.venue_id,
                    resource_id: wish.resource_id,
                    reason: decision.render("en"),
                    decision,
                })
            }
        }
    }
    out.summary = summary(wishes, &out.assignments, territory);
    out
}

/// Why no copy could take a request: who holds each.
fn refusal(wish: &Wish, held: &Holdings, turn: Turn) -> Decision {
    if wish.options.is_empty() {
        return Decision::NoCopyInService;
    }
    let copies = wish
        .options
        .iter()
        .map(|o| {
            let by = held
                .get(&o.copy_id)
                .and_then(|h| h.iter().find(|(p, _)| overlaps(*p, o.occupied)))
                .map(|(_, holder)| *holder);
            CopyTaken {
                copy_id: o.copy_id,
                request_id: match by {
                    Some(Holder::Request(id)) => Some(id),
                    _ => None,
                },
            }
        })
        .collect();
    Decision::NoCopyFree { copies, turn }
}

fn summary(wishes: &[Wish], assignments: &[Assignment], territory: &Territory) -> Summary {
    let served: HashSet<i64> = assignments.iter().map(|a| a.request_id).collect();
    let mut by_class: HashMap<CommuneClass, ClassOutcome> = HashMap::new();
    let mut requesting: HashSet<(CommuneClass, i64)> = HashSet::new();
    let mut served_venues: HashSet<(CommuneClass, i64)> = HashSet::new();
    for w in wishes {
        let Some(s) = territory.venues.get(&w.venue_id) else {
            continue;
        };
        let o = by_class.entry(s.class).or_default();
        o.requested += 1;
        requesting.insert((s.class, w.venue_id));
        if served.contains(&w.request_id) {
            o.served += 1;
            served_venues.insert((s.class, w.venue_id));
        }
    }
    let outcome = |class: CommuneClass| {
        let mut o = by_class.get(&class).copied().unwrap_or_default();
        o.venues_requesting = requesting.iter().filter(|(c, _)| *c == class).count() as i64;
        o.venues_served = served_venues.iter().filter(|(c, _)| *c == class).count() as i64;
        let population = territory.class_population.get(&class).copied().unwrap_or(0);
        let loans = territory.class_loans.get(&class).copied().unwrap_or(0);
        o.loans_per_10k_before = round2(per_10k(loans, population));
        o.loans_per_10k_after = round2(per_10k(loans + o.served, population));
        o
    };
    let by_class = ByClass {
        village: outcome(CommuneClass::Village),
        small_town: outcome(CommuneClass::SmallTown),
        medium_town: outcome(CommuneClass::MediumTown),
        large_city: outcome(CommuneClass::LargeCity),
    };
    Summary {
        city_village_gap_before: round2(
            by_class.large_city.loans_per_10k_before - by_class.village.loans_per_10k_before,
        ),
        city_village_gap_after: round2(
            by_class.large_city.loans_per_10k_after - by_class.village.loans_per_10k_after,
        ),
        village_city_served_gap_points: served_share(&by_class.village)
            .zip(served_share(&by_class.large_city))
            .map(|(village, city)| round2(village - city)),
        total_km: round2(assignments.iter().map(|a| a.road_km).sum()),
        by_class,
    }
}

/// The share of a class's requests a plan serves, in percent (`None` without requests).
fn served_share(o: &ClassOutcome) -> Option<f64> {
    (o.requested > 0).then(|| o.served as f64 * 100.0 / o.requested as f64)
}

fn round2(x: f64) -> f64 {
    if x.is_finite() {
        (x * 100.0).round() / 100.0
    } else {
        0.0
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn day(d: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(2027, 3, d).unwrap()
    }

    fn at(minute: u32) -> NaiveDateTime {
        day(1).and_hms_opt(9, minute, 0).unwrap()
    }

    /// Two EPCIs of 10,000 inhabitants: a city one with 5 loans, a rural one with none.
    fn territory() -> Territory {
        let mut t = Territory::default();
        for (venue, epci, class, served) in [
            (1, "city", CommuneClass::LargeCity, true),
            (2, "rural", CommuneClass::Village, false),
            (3, "rural", CommuneClass::SmallTown, false),
            (4, "city", CommuneClass::LargeCity, true),
        ] {
            t.venues.insert(
                venue,
                Standing {
                    epci_siren: epci.into(),
                    epci_name: epci.into(),
                    class,
                    served_before: served,
                },
            );
        }
        t.epci_population.insert("city".into(), 10_000);
        t.epci_population.insert("rural".into(), 10_000);
        t.epci_loans.insert("city".into(), 5);
        t.class_population.insert(CommuneClass::LargeCity, 10_000);
        t.class_population.insert(CommuneClass::Village, 5_000);
        t.class_population.insert(CommuneClass::SmallTown, 5_000);
        t.class_loans.insert(CommuneClass::LargeCity, 5);
        t
    }

    /// One copy, occupied two days either side of the dates of use.
    fn wish(id: i64, venue: i64, minute: u32, from: u32, to: u32) -> Wish {
        Wish {
            request_id: id,
            venue_id: venue,
            resource_id: 7,
            starts_on: day(from),
            ends_on: day(to),
            created_at: at(minute),
            options: vec![Placement {
                copy_id: 70,
                occupied: (day(from - 2), day(to + 2)),
                road_km: 12.5,
            }],
        }
    }

    #[test]
    fn first_come_serves_the_earliest_and_equity_the_under_served() {
        let wishes = [wish(1, 1, 0, 10, 12), wish(2, 2, 5, 10, 12)];
        let t = territory();
        let fc = plan(AllocationPolicy::FirstCome, &wishes, &t, &HashMap::new());
        assert_eq!(fc.assignments.len(), 1);
        assert_eq!(fc.assignments[0].request_id, 1);
        assert!(fc.unassigned[0].reason.contains("goes to request 1"));
        let eq = plan(AllocationPolicy::Equity, &wishes, &t, &HashMap::new());
        assert_eq!(eq.assignments[0].request_id, 2);
        assert!(eq.assignments[0].reason.contains("fewer loans per 10,000"));
        assert_eq!(eq.summary.by_class.village.served, 1);
        assert_eq!(eq.summary.by_class.large_city.served, 0);
        assert_eq!(eq.summary.city_village_gap_before, 5.0);
        assert_eq!(eq.summary.city_village_gap_after, 3.0);
        // Villages: 1 of 1 served; cities: 0 of 1 — 100 points; first come the reverse.
        assert_eq!(eq.summary.village_city_served_gap_points, Some(100.0));
        assert_eq!(fc.summary.village_city_served_gap_points, Some(-100.0));
        assert_eq!(eq.summary.total_km, 12.5);
        assert_eq!(eq.assignments[0].road_km, 12.5);
    }

    #[test]
    fn travel_and_turnaround_days_count_like_a_booking() {
        // Dates of use 10–12 and 14–16 do not meet, but their occupations (±2 days) do.
        let wishes = [wish(1, 2, 0, 10, 12), wish(2, 3, 1, 14, 16)];
        let p = plan(
            AllocationPolicy::Equity,
            &wishes,
            &territory(),
            &HashMap::new(),
        );
        assert_eq!(p.assignments.len(), 1);
        // Far enough apart, both fit.
        let wishes = [wish(1, 2, 0, 10, 12), wish(2, 3, 1, 17, 19)];
        let p = plan(
            AllocationPolicy::Equity,
            &wishes,
            &territory(),
            &HashMap::new(),
        );
        assert_eq!(p.assignments.len(), 2);
    }

    #[test]
    fn the_calendar_already_booked_is_respected() {
        let busy = HashMap::from([(70, vec![(day(12), day(13))])]);
        let p = plan(
            AllocationPolicy::FirstCome,
            &[wish(1, 1, 0, 10, 12)],
            &territory(),
            &busy,
        );
        assert!(p.assignments.is_empty());
        assert!(p.unassigned[0].reason.contains("already booked"));
    }

    #[test]
    fn equity_counts_what_the_plan_already_gave_then_prefers_villages() {
        // Rural EPCI: a village and a small town; city: one served venue. Three copies' worth of
        // separate dates for the rural EPCI, one contested slot for all.
        let t = territory();
        let wishes = [
            wish(1, 3, 0, 10, 12), // small town, rural
            wish(2, 2, 9, 10, 12), // village, rural: same EPCI rate, village first
        ];
        let p = plan(AllocationPolicy::Equity, &wishes, &t, &HashMap::new());
        assert_eq!(p.assignments[0].request_id, 2);
        assert!(p.assignments[0]
            .reason
            .contains("village comes before a small town"));
        // Rural gets 6 loans in the plan: its rate passes the city's, so the city venue comes
        // before the 7th rural request.
        let mut wishes: Vec<Wish> = (0..6)
            .map(|i| wish(10 + i, 2, i as u32, 3 + 4 * i as u32, 3 + 4 * i as u32))
            .map(|mut w| {
                w.options = vec![Placement {
                    copy_id: 100 + w.request_id,
                    occupied: (w.starts_on, w.ends_on),
                    road_km: 1.0,
                }];
                w
            })
            .collect();
        wishes.push(wish(30, 2, 20, 28, 28));
        wishes.push(wish(31, 1, 30, 28, 28));
        let p = plan(AllocationPolicy::Equity, &wishes, &t, &HashMap::new());
        let order: Vec<i64> = p.assignments.iter().map(|a| a.request_id).collect();
        assert_eq!(&order[..6], &[10, 11, 12, 13, 14, 15]);
        assert_eq!(order[6], 31, "the city venue now comes first: {order:?}");
    }
}
