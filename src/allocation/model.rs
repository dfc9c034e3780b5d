//! The shapes of allocation rounds on the wire and in the document.

use chrono::{NaiveDate, NaiveDateTime};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::territory::CommuneClass;

crate::stored_enum! {
    /// How `allocate` orders the requests of a round when they compete for the same copies.
    pub enum AllocationPolicy {
        /// Venues of the EPCIs with the fewest loans per inhabitant over the last 12 months first
        /// (counting what the plan already gave), then villages, then venues never served.
        Equity => "equity",
        /// In the order the requests arrived.
        FirstCome => "first_come",
    }
}

crate::stored_enum! {
    /// Where a round stands.
    pub enum RoundStatus {
        /// Taking requests; `allocate` may propose plans.
        Open => "open",
        /// The last proposal was booked; the round is over.
        Confirmed => "confirmed",
    }
}

/// Body of `POST /api/v1/allocation-rounds`.
#[derive(Debug, Clone, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewRound {
    #[schema(example = "Saison printemps 2027 — expositions très demandées")]
    pub name: String,
    /// First day requests may use.
    pub period_from: NaiveDate,
    /// Last day requests may use (inclusive; at most 366 days after `period_from`).
    pub period_to: NaiveDate,
    /// The contested resources (1 to 200).
    pub resource_ids: Vec<i64>,
}

/// An allocation round.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct Round {
    pub id: i64,
    pub name: String,
    pub period_from: NaiveDate,
    pub period_to: NaiveDate,
    pub status: RoundStatus,
    pub resource_ids: Vec<i64>,
    /// Requests received (all venues).
    pub request_count: i64,
    /// Policy of the current proposal; absent when there is none to confirm.
    pub proposal_policy: Option<AllocationPolicy>,
    #[serde(with = "crate::timestamp::utc_option")]
    pub proposed_at: Option<NaiveDateTime>,
    #[serde(with = "crate::timestamp::utc")]
    pub created_at: NaiveDateTime,
    #[serde(with = "crate::timestamp::utc")]
    pub updated_at: NaiveDateTime,
}

/// A round with the requests the caller may see (the agency all of them, a venue its own, a
/// producer those on its resources), each with what the current proposal gives it.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct RoundDetail {
    pub round: Round,
    pub requests: Vec<RoundRequest>,
}

/// Body of `POST /api/v1/allocation-rounds/{id}/requests`.
#[derive(Debug, Clone, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewRoundRequest {
    pub venue_id: i64,
    pub resource_id: i64,
    /// First day of use, inside the round's period.
    pub starts_on: NaiveDate,
    /// Last day of use, inclusive, inside the round's period.
    pub ends_on: NaiveDate,
}

/// A venue's request in a round.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct RoundRequest {
    pub id: i64,
    pub round_id: i64,
    pub venue_id: i64,
    pub resource_id: i64,
    pub starts_on: NaiveDate,
    pub ends_on: NaiveDate,
    #[serde(with = "crate::timestamp::utc")]
    pub created_at: NaiveDateTime,
    /// The copy the current proposal gives it (absent: none, or no proposal yet).
    pub proposed_copy_id: Option<i64>,
    /// Why the current proposal decided so, in English words.
    pub proposed_reason: Option<String>,
    /// The same as a code with its facts (absent for proposals older than the codes).
    pub proposed_decision: Option<Decision>,
    /// The booking made when the round was confirmed.
    pub booking_id: Option<i64>,
}

/// A venue's request in an allocation round as an event saw it (`allocation.refused`).
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct AllocationRequestSnapshot {
    pub id: i64,
    pub round_id: i64,
    pub venue_id: i64,
    pub resource_id: i64,
    pub starts_on: NaiveDate,
    pub ends_on: NaiveDate,
}

/// Why a plan serves a request or not, as a code with its facts: stored with the proposal
/// (`allocation_requests.proposed_decision`), sent with `allocation.refused` (`details.decision`)
/// and put in each reader's language when read (the refusal mail); `reason` is its English
/// words. Like `booking::model::FlagReason`, one `render` per language.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
#[serde(tag = "code", rename_all = "snake_case")]
pub enum Decision {
    /// Served on a copy, in this turn.
    Served { copy_id: i64, turn: Turn },
    /// The resource has no copy in service.
    NoCopyInService,
    /// Every copy that could serve it is taken on its days (travel and turnaround included).
    NoCopyFree { copies: Vec<CopyTaken>, turn: Turn },
}

/// A copy a refused request could have had, and who holds it then.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct CopyTaken {
    pub copy_id: i64,
    /// The request of the round that got it, considered earlier; absent when a booking or a
    /// maintenance already held it.
    pub request_id: Option<i64>,
}

/// When the policy considered a request, and why then.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
#[serde(tag = "policy", rename_all = "snake_case")]
pub enum Turn {
    /// In order of arrival.
    FirstCome {
        #[serde(with = "crate::timestamp::utc")]
        requested_at: NaiveDateTime,
        step: i32,
        total: i32,
    },
    /// The equity order: the venue's standing, and the rule that put it before the next.
    Equity {
        step: i32,
        total: i32,
        /// Absent for a venue outside the territory's figures.
        standing: Option<EquityStanding>,
        decided_by: EquityRule,
    },
}

/// Where a venue stood when the equity policy considered its request.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct EquityStanding {
    pub epci_name: String,
    /// Loans per 10,000 inhabitants of its EPCI over 12 months (the plan's included); absent
    /// when the EPCI has no inhabitants on record.
    pub loans_per_10k: Option<f64>,
    pub class: CommuneClass,
    pub served_before: bool,
}

/// The equity rule that put a request before the next one.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
#[serde(tag = "rule", rename_all = "snake_case")]
pub enum EquityRule {
    /// Its EPCI had fewer loans per 10,000 inhabitants (absent: none on record).
    FewerLoans {
        loans_per_10k: Option<f64>,
        next_loans_per_10k: Option<f64>,
    },
    /// Same rate; its commune class comes first (villages first).
    SmallerCommune {
        class: CommuneClass,
        next_class: CommuneClass,
    },
    /// Same rate and class; the venue was never served.
    NeverServed,
    /// A tie on every rule, broken by arrival.
    Arrival,
    /// No other request was left.
    LastLeft,
}

/// A rate as the reasons print it (two decimals, French ones the way pages print numbers; `inf`
/// when there is no population).
fn rate(r: Option<f64>, en: bool) -> String {
    match r {
        Some(r) if en => format!("{r:.2}"),
        Some(r) => crate::page::decimal(r, 2),
        None => "inf".to_string(),
    }
}

fn class_words(class: CommuneClass, en: bool) -> &'static str {
    match (class, en) {
        (CommuneClass::Village, true) => "village",
        (CommuneClass::SmallTown, true) => "small town",
        (CommuneClass::MediumTown, true) => "medium town",
        (CommuneClass::LargeCity, true) => "large city",
        (CommuneClass::Village, false) => "village",
        (CommuneClass::SmallTown, false) => "petite ville",
        (CommuneClass::MediumTown, false) => "ville moyenne",
        (CommuneClass::LargeCity, false) => "grande ville",
    }
}

impl Turn {
    fn render(&self, en: bool) -> String {
        match self {
            Turn::FirstCome {
                requested_at,
                step,
                total,
            } => {
                if en {
                    let at = crate::timestamp::format(*requested_at);
                    format!("first come: requested at {at}, {step} of {total}")
                } else {
                    let at = requested_at.format("%d/%m/%Y à %H:%M:%S UTC");
                    format!("premier arrivé, premier servi : demandé le {at}, {step} sur {total}")
                }
            }
            Turn::Equity {
                step,
                total,
                standing,
                decided_by,
            } => {
                let whose = match standing {
                    Some(s) if en => format!(
                        "EPCI {} at {} loans per 10,000 inhabitants over 12 months, {}, {}",
                        s.epci_name,
                        rate(s.loans_per_10k, en),
                        class_words(s.class, en),
                        if s.served_before {
                            "served before"
                        } else {
                            "never served"
                        }
                    ),
                    Some(s) => format!(
                        "EPCI {} à {} prêts pour 10 000 habitants sur 12 mois, {}, {}",
                        s.epci_name,
                        rate(s.loans_per_10k, en),
                        class_words(s.class, en),
                        if s.served_before {
                            "déjà servi"
                        } else {
                            "jamais servi"
                        }
                    ),
                    None if en => "unknown venue".to_string(),
                    None => "lieu inconnu".to_string(),
                };
                let decided = decided_by.render(en);
                if en {
                    format!("equity, {step} of {total} ({whose}): {decided}")
                } else {
                    format!("équité territoriale, {step} sur {total} ({whose}) : {decided}")
                }
            }
        }
    }
}

impl EquityRule {
    fn render(&self, en: bool) -> String {
        match self {
            EquityRule::FewerLoans {
                loans_per_10k,
                next_loans_per_10k,
            } => {
                let (a, b) = (rate(*loans_per_10k, en), rate(*next_loans_per_10k, en));
                if en {
                    format!(
                        "its EPCI had fewer loans per 10,000 inhabitants ({a} against {b} for the \
                         next request)"
                    )
                } else {
                    format!(
                        "son EPCI avait moins de prêts pour 10 000 habitants ({a} contre {b} pour \
                         la demande suivante)"
                    )
                }
            }
            EquityRule::SmallerCommune { class, next_class } => {
                if en {
                    format!(
                        "same EPCI rate, and a {} comes before a {}",
                        class_words(*class, en),
                        class_words(*next_class, en)
                    )
                } else {
                    format!(
                        "même taux d'EPCI, et un lieu de {} passe avant un lieu de {}",
                        class_words(*class, en),
                        class_words(*next_class, en)
                    )
                }
            }
            EquityRule::NeverServed => if en {
                "same EPCI rate and class, and the venue was never served"
            } else {
                "même taux d'EPCI et même taille de commune, et le lieu n'a jamais été servi"
            }
            .to_string(),
            EquityRule::Arrival => if en {
                "a tie on every equity rule, broken by arrival (first come)"
            } else {
                "égalité sur chaque règle d'équité, départagée par l'ordre d'arrivée"
            }
            .to_string(),
            EquityRule::LastLeft => if en {
                "no other request was left"
            } else {
                "il ne restait aucune autre demande"
            }
            .to_string(),
        }
    }
}

impl Decision {
    /// The decision in a language (`en`, else French).
    pub fn render(&self, locale: &str) -> String {
        let en = locale == "en";
        match self {
            Decision::Served { copy_id, turn } => {
                if en {
                    format!("served on copy {copy_id}; {}", turn.render(en))
                } else {
                    format!("servie par l'exemplaire n° {copy_id} ; {}", turn.render(en))
                }
            }
            Decision::NoCopyInService => if en {
                "no copy of this resource is in service"
            } else {
                "aucun exemplaire de cette ressource n'est en service"
            }
            .to_string(),
            Decision::NoCopyFree { copies, turn } => {
                let holders: Vec<String> = copies
                    .iter()
                    .map(|c| match (c.request_id, en) {
                        (Some(id), true) => {
                            format!(
                                "copy {} goes to request {id}, considered earlier",
                                c.copy_id
                            )
                        }
                        (None, true) => format!(
                            "copy {} is already booked or in maintenance then",
                            c.copy_id
                        ),
                        (Some(id), false) => format!(
                            "l'exemplaire n° {} va à la demande n° {id}, examinée avant",
                            c.copy_id
                        ),
                        (None, false) => format!(
                            "l'exemplaire n° {} est déjà réservé ou en maintenance à ces dates",
                            c.copy_id
                        ),
                    })
                    .collect();
                if en {
                    format!(
                        "no copy is free for these dates with travel and turnaround: {}; {}",
                        holders.join(", "),
                        turn.render(en)
                    )
                } else {
                    format!(
                        "aucun exemplaire n'est libre à ces dates, transport et remise en état \
                         compris : {} ; {}",
                        holders.join(", "),
                        turn.render(en)
                    )
                }
            }
        }
    }
}

/// Body of `POST /api/v1/allocation-rounds/{id}/allocate`.
#[derive(Debug, Clone, Copy, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct AllocateBody {
    pub policy: AllocationPolicy,
}

/// A request the plan serves: the copy and the dates of use (the requested ones).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct Assignment {
    pub request_id: i64,
    pub venue_id: i64,
    pub resource_id: i64,
    pub copy_id: i64,
    pub starts_on: NaiveDate,
    pub ends_on: NaiveDate,
    /// Road km from the copy's depot to the venue: the distance the booking rule uses to choose
    /// the nearest copy (road distance, or haversine when no road is known).
    pub road_km: f64,
    /// The rule that decided, in English words.
    pub reason: String,
    /// The same as a code with its facts, for any language.
    pub decision: Decision,
}

/// A request the plan cannot serve, and why.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct Unassigned {
    pub request_id: i64,
    pub venue_id: i64,
    pub resource_id: i64,
    /// Why, in English words.
    pub reason: String,
    /// The same as a code with its facts, for any language.
    pub decision: Decision,
}

/// What a plan gives one commune class.
#[derive(Debug, Clone, Copy, Default, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct ClassOutcome {
    /// Requests of venues of this class.
    pub requested: i64,
    /// Of which the plan serves.
    pub served: i64,
    pub venues_requesting: i64,
    /// Venues with at least one request served.
    pub venues_served: i64,
    /// Loans per 10,000 inhabitants of the class over the last 12 months.
    pub loans_per_10k_before: f64,
    /// The same once the plan's loans are added.
    pub loans_per_10k_after: f64,
}

/// The outcome per commune class of the venues.
#[derive(Debug, Clone, Copy, Default, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct ByClass {
    pub village: ClassOutcome,
    pub small_town: ClassOutcome,
    pub medium_town: ClassOutcome,
    pub large_city: ClassOutcome,
}

/// What a plan changes for the territory.
#[derive(Debug, Clone, Copy, Default, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct Summary {
    pub by_class: ByClass,
    /// Large-city minus village loans per 10,000 inhabitants over the last 12 months.
    pub city_village_gap_before: f64,
    /// The same once the plan's loans are added: what the plan does to the gap.
    pub city_village_gap_after: f64,
    /// The village–city gap of the plan itself, in percentage points: the share of village
    /// venues' requests it serves minus the share of large-city venues' requests it serves
    /// (`+100`: every village request served and no city one; `0`: served alike). Absent when
    /// villages or large cities made no request.
    pub village_city_served_gap_points: Option<f64>,
    /// Road km from each served request's copy depot to its venue, summed (the distance the
    /// booking rule uses; one way).
    pub total_km: f64,
}

/// A plan for a round; nothing is booked until `confirm`.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct Proposal {
    pub round_id: i64,
    pub policy: AllocationPolicy,
    /// In the order the policy considered the requests.
    pub assignments: Vec<Assignment>,
    pub unassigned: Vec<Unassigned>,
    pub summary: Summary,
}

/// Both policies' plans for a round, side by side; nothing is stored.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct Comparison {
    pub equity: Proposal,
    pub first_come: Proposal,
}

/// What `confirm` booked.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct Confirmation {
    pub round: Round,
    /// The bookings made, `approved`, one per assignment.
    pub booking_ids: Vec<i64>,
}
