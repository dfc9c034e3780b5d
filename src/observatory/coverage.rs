//! Coverage: population, venues, venues served, loans and loans per 10,000 inhabitants by commune
//! class, EPCI or department; the EPCIs no loan reached; the population-weighted Gini of loans per
//! inhabitant across EPCIs. The aggregation is pure (`coverage_of`).

use std::collections::{BTreeMap, HashMap};

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use super::store::{self, CommuneFacts, LoanFacts};
use crate::access::Principal;
use crate::db::DbConnection;
use crate::error::{Result, Validator};
use crate::territory::CommuneClass;

crate::stored_enum! {
    /// How coverage groups the region.
    pub enum GroupBy {
        /// Village, small town, medium town, large city.
        Class => "class",
        /// Inter-communal areas (EPCI).
        Epci => "epci",
        /// The five departments.
        Department => "department",
        /// Every commune of the region, one row each (about 3,800).
        Commune => "commune",
    }
}

/// Query of `GET /api/v1/territory/coverage`.
#[derive(Debug, Clone, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct CoverageQuery {
    /// First day of the period (required).
    pub from: NaiveDate,
    /// Last day of the period, inclusive (required; at most ten years after `from`).
    pub to: NaiveDate,
    /// `class` (default), `epci`, `department` or `commune`.
    pub by: Option<GroupBy>,
}

/// One group of communes (with `by=commune`, one commune).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct CoverageRow {
    /// Class name, EPCI SIREN, department number or commune INSEE code.
    pub key: String,
    pub label: String,
    /// Every commune of the group, with or without a venue.
    pub population: i64,
    pub venues: i64,
    /// Venues with at least one loan in the period.
    pub venues_served: i64,
    pub loans: i64,
    /// loans / population × 10,000 (two decimals).
    pub loans_per_10k: f64,
    /// Visitors the venues reported in their evaluations of these loans.
    pub visitors: i64,
    /// With `by=commune` only: the commune's class (absent otherwise).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub class: Option<CommuneClass>,
    /// With `by=commune` only: the SIREN of the commune's EPCI.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub epci_siren: Option<String>,
    /// With `by=commune` only: the name of the commune's EPCI.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub epci_name: Option<String>,
    /// With `by=commune` only: the commune's department number.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub department: Option<String>,
}

impl CoverageRow {
    /// An empty row for the group of `c` (its place filled in when the group is one commune).
    fn empty(by: GroupBy, c: &CommuneFacts) -> CoverageRow {
        let (key, label) = group_of(by, c);
        let commune = by == GroupBy::Commune;
        CoverageRow {
            key,
            label,
            population: 0,
            venues: 0,
            venues_served: 0,
            loans: 0,
            loans_per_10k: 0.0,
            visitors: 0,
            class: commune.then(|| CommuneClass::of_population(i64::from(c.population))),
            epci_siren: commune.then(|| c.epci_siren.clone()),
            epci_name: commune.then(|| c.epci_name.clone()),
            department: commune.then(|| c.department.clone()),
        }
    }
}

/// An EPCI that no loan reached in the period.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct UnservedEpci {
    pub epci_siren: String,
    pub epci_name: String,
    pub population: i64,
}

/// Coverage of the region over a period.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct Coverage {
    pub from: NaiveDate,
    pub to: NaiveDate,
    pub by: GroupBy,
    pub rows: Vec<CoverageRow>,
    /// Largest population first.
    pub unserved_epcis: Vec<UnservedEpci>,
    /// Population-weighted Gini of loans per inhabitant across EPCIs: 0 = every EPCI equally
    /// served, towards 1 = loans concentrated in few. 0 when there is no loan.
    pub gini: f64,
}

/// Names of the departments of Hauts-de-France.
pub fn department_name(code: &str) -> &'static str {
    match code {
        "02" => "Aisne",
        "59" => "Nord",
        "60" => "Oise",
        "62" => "Pas-de-Calais",
        "80" => "Somme",
        _ => "",
    }
}

fn class_label(class: CommuneClass) -> &'static str {
    match class {
        CommuneClass::Village => "Villages (< 2 000 hab.)",
        CommuneClass::SmallTown => "Petites villes (2 000 – 14 999)",
        CommuneClass::MediumTown => "Villes moyennes (15 000 – 99 999)",
        CommuneClass::LargeCity => "Grandes villes (100 000 et plus)",
    }
}

/// The group of a commune: (key, label).
fn group_of(by: GroupBy, c: &CommuneFacts) -> (String, String) {
    match by {
        GroupBy::Class => {
            let class = CommuneClass::of_population(i64::from(c.population));
            (class.as_str().to_string(), class_label(class).to_string())
        }
        GroupBy::Epci => (c.epci_siren.clone(), c.epci_name.clone()),
        GroupBy::Department => (
            c.department.clone(),
            department_name(&c.department).to_string(),
        ),
        GroupBy::Commune => (c.insee_code.clone(), c.name.clone()),
    }
}

/// Two decimals, for rates people read.
pub fn round2(x: f64) -> f64 {
    (x * 100.0).round() / 100.0
}

/// Population-weighted Gini of `(population, value per inhabitant)`: the mean absolute
/// difference between two inhabitants' values, over twice the mean.
pub fn weighted_gini(groups: &[(f64, f64)]) -> f64 {
    let mut g: Vec<(f64, f64)> = groups.iter().copied().filter(|(p, _)| *p > 0.0).collect();
    let total: f64 = g.iter().map(|(p, _)| p).sum();
    if g.is_empty() {
        return 0.0;
    }
    let mean = g.iter().map(|(p, x)| p * x).sum::<f64>() / total;
    if mean <= 0.0 {
        return 0.0;
    }
    g.sort_by(|a, b| a.1.total_cmp(&b.1));
    // Σ_i Σ_j p_i p_j |x_i − x_j| = 2 Σ_i p_i x_i (P_before(i)) − 2 Σ_i p_i (Σ_{j<i} p_j x_j)
    let (mut weight_before, mut value_before, mut sum) = (0.0, 0.0, 0.0);
    for (p, x) in &g {
        sum += p * (x * weight_before - value_before);
        weight_before += p;
        value_before += p * x;
    }
    (2.0 * sum) / (2.0 * total * total * mean)
}

/// The pure aggregation.
pub fn coverage_of(
    from: NaiveDate,
    to: NaiveDate,
    by: GroupBy,
    communes: &[CommuneFacts],
    venue_communes: &HashMap<i64, String>,
    facts: &LoanFacts,
) -> Coverage {
    let commune_index: HashMap<&str, &CommuneFacts> = communes
        .iter()
        .map(|c| (c.insee_code.as_str(), c))
        .collect();
    let mut rows: BTreeMap<String, CoverageRow> = BTreeMap::new();
    let mut epcis: BTreeMap<&str, (&str, i64, i64)> = BTreeMap::new();
    for c in communes {
        let row = rows
            .entry(group_of(by, c).0)
            .or_insert_with(|| CoverageRow::empty(by, c));
        row.population += i64::from(c.population);
        let e = epcis
            .entry(c.epci_siren.as_str())
            .or_insert((c.epci_name.as_str(), 0, 0));
        e.1 += i64::from(c.population);
    }
    for commune in venue_communes.values() {
        if let Some(c) = commune_index.get(commune.as_str()) {
            if let Some(row) = rows.get_mut(&group_of(by, c).0) {
                row.venues += 1;
            }
        }
    }
    let commune_of = |venue: &i64| {
        venue_communes
            .get(venue)
            .and_then(|code| commune_index.get(code.as_str()))
            .copied()
    };
    for (venue, visitors) in &facts.visitors {
        if let Some(row) = commune_of(venue).and_then(|c| rows.get_mut(&group_of(by, c).0)) {
            row.visitors += visitors;
        }
    }
    for (venue, loans) in &facts.loans {
        let Some(c) = commune_of(venue) else {
            continue;
        };
        if let Some(row) = rows.get_mut(&group_of(by, c).0) {
            row.loans += loans;
            row.venues_served += i64::from(*loans > 0);
        }
        if let Some(e) = epcis.get_mut(c.epci_siren.as_str()) {
            e.2 += loans;
        }
    }
    let mut rows: Vec<CoverageRow> = rows.into_values().collect();
    for row in &mut rows {
        row.loans_per_10k = if row.population > 0 {
            round2(row.loans as f64 * 10_000.0 / row.population as f64)
        } else {
            0.0
        };
    }
    if by == GroupBy::Class {
        rows.sort_by_key(|r| r.key.parse::<CommuneClass>().map_or(u8::MAX, |c| c as u8));
    }
    let mut unserved_epcis: Vec<UnservedEpci> = epcis
        .iter()
        .filter(|(_, (_, _, loans))| *loans == 0)
        .map(|(siren, (name, population, _))| UnservedEpci {
            epci_siren: siren.to_string(),
            epci_name: name.to_string(),
            population: *population,
        })
        .collect();
    unserved_epcis.sort_by(|a, b| {
        b.population
            .cmp(&a.population)
            .then(a.epci_siren.cmp(&b.epci_siren))
    });
    let per_inhabitant: Vec<(f64, f64)> = epcis
        .values()
        .map(|(_, population, loans)| {
            let p = *population as f64;
            (p, if p > 0.0 { *loans as f64 / p } else { 0.0 })
        })
        .collect();
    Coverage {
        from,
        to,
        by,
        rows,
        unserved_epcis,
        gini: (weighted_gini(&per_inhabitant) * 10_000.0).round() / 10_000.0,
    }
}

/// Checks a period: both ends, in order, at most ten years, within 2000–2100.
pub fn check_period(from: NaiveDate, to: NaiveDate) -> Result<()> {
    let mut v = Validator::new();
    let in_range = |d: NaiveDate| (2000..=2100).contains(&chrono::Datelike::year(&d));
    v.check(in_range(from), "from", "must be in the years 2000–2100");
    v.check(in_range(to), "to", "must be in the years 2000–2100");
    v.check(to >= from, "to", "must not be before from");
    v.check(
        (to - from).num_days() <= 3_660,
        "to",
        "the period spans at most ten years",
    );
    v.finish()
}

/// Coverage of a period grouped `by`, with the communes it was computed on (maps place their
/// features with them). No authorisation: callers decide who sees it.
pub fn coverage_with_communes(
    conn: &mut DbConnection,
    from: NaiveDate,
    to: NaiveDate,
    by: GroupBy,
) -> Result<(Coverage, Vec<CommuneFacts>)> {
    let communes = store::communes(conn)?;
    let venues = store::venue_communes(conn)?;
    let facts = store::loan_facts(conn, from, to)?;
    let coverage = coverage_of(from, to, by, &communes, &venues, &facts);
    Ok((coverage, communes))
}

/// Coverage for the agency and producers (venues and partners: 403).
pub fn coverage(conn: &mut DbConnection, p: &Principal, query: &CoverageQuery) -> Result<Coverage> {
    crate::access::policy::read_coverage(p)?;
    check_period(query.from, query.to)?;
    let by = query.by.unwrap_or(GroupBy::Class);
    Ok(coverage_with_communes(conn, query.from, query.to, by)?.0)
}

/// Coverage's rows as CSV (RFC 4180), one line per group, the columns of the JSON rows (a
/// commune's class, EPCI and department empty for other groupings). The EPCIs no loan reached and
/// the Gini stay in the JSON.
pub fn csv(c: &Coverage) -> String {
    let rows: Vec<Vec<String>> = c
        .rows
        .iter()
        .map(|r| {
            vec![
                r.key.clone(),
                crate::text::spreadsheet_safe(&r.label),
                r.population.to_string(),
                r.venues.to_string(),
                r.venues_served.to_string(),
                r.loans.to_string(),
                r.loans_per_10k.to_string(),
                r.visitors.to_string(),
                r.class.map(|c| c.as_str().to_string()).unwrap_or_default(),
                r.epci_siren.clone().unwrap_or_default(),
                r.epci_name
                    .as_deref()
                    .map(crate::text::spreadsheet_safe)
                    .unwrap_or_default(),
                r.department.clone().unwrap_or_default(),
            ]
        })
        .collect();
    crate::text::csv(
        &[
            "key",
            "label",
            "population",
            "venues",
            "venues_served",
            "loans",
            "loans_per_10k",
            "visitors",
            "class",
            "epci_siren",
            "epci_name",
            "department",
        ],
        &rows,
    )
}

/// The name a coverage CSV is saved under: `coverage-<by>-<from>-<to>.csv`.
pub fn csv_name(c: &Coverage) -> String {
    format!("coverage-{}-{}-{}.csv", c.by.as_str(), c.from, c.to)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn commune(code: &str, population: i32, epci: &str) -> CommuneFacts {
        CommuneFacts {
            insee_code: code.into(),
            name: code.into(),
            department: "80".into(),
            population,
            epci_siren: epci.into(),
            epci_name: format!("CC {epci}"),
            latitude: 50.0,
            longitude: 2.0,
        }
    }

    #[test]
    fn gini_is_zero_when_equal_and_grows_with_concentration() {
        assert_eq!(weighted_gini(&[(100.0, 0.1), (300.0, 0.1)]), 0.0);
        assert_eq!(weighted_gini(&[(100.0, 0.0), (300.0, 0.0)]), 0.0);
        // Two equal populations, all loans in one: G = 0.5.
        assert!((weighted_gini(&[(100.0, 0.0), (100.0, 0.2)]) - 0.5).abs() < 1e-12);
        // Brute force on an uneven case.
        let g = [(50.0, 0.3), (200.0, 0.0), (120.0, 0.05), (30.0, 1.0)];
        let total: f64 = g.iter().map(|(p, _)| p).sum();
        let mean = g.iter().map(|(p, x)| p * x).sum::<f64>() / total;
        let mut pairs = 0.0;
        for (pi, xi) in &g {
            for (pj, xj) in &g {
                pairs += pi * pj * (xi - xj).abs();
            }
        }
        let brute = pairs / (2.0 * total * total * mean);
        assert!(
            (weighted_gini(&g) - brute).abs() < 1e-12,
            "{} vs {brute}",
            weighted_gini(&g)
        );
    }

    #[test]
    fn every_commune_counts_and_unserved_epcis_are_listed() {
        let communes = [
            commune("80001", 500, "A"),
            commune("80002", 150_000, "B"),
            commune("80003", 1_500, "C"),
        ];
        let venues: HashMap<i64, String> = [
            (1, "80001".to_string()),
            (2, "80002".to_string()),
            (3, "80002".to_string()),
        ]
        .into_iter()
        .collect();
        let c = coverage_of(
            NaiveDate::MIN,
            NaiveDate::MAX,
            GroupBy::Class,
            &communes,
            &venues,
            &LoanFacts {
                loans: vec![(2, 3), (1, 1)],
                visitors: HashMap::from([(2, 40), (3, 2)]),
            },
        );
        let village = &c.rows[0];
        assert_eq!(village.key, "village");
        assert_eq!(
            (
                village.population,
                village.venues,
                village.venues_served,
                village.loans
            ),
            (2_000, 1, 1, 1)
        );
        assert_eq!(village.loans_per_10k, 5.0);
        let city = c.rows.iter().find(|r| r.key == "large_city").unwrap();
        assert_eq!((city.venues, city.venues_served, city.loans), (2, 1, 3));
        assert_eq!((village.visitors, city.visitors), (0, 42));
        assert_eq!(c.unserved_epcis.len(), 1);
        assert_eq!(c.unserved_epcis[0].epci_siren, "C");
        let by_epci = coverage_of(
            NaiveDate::MIN,
            NaiveDate::MAX,
            GroupBy::Epci,
            &communes,
            &venues,
            &LoanFacts::default(),
        );
        assert_eq!(by_epci.rows.len(), 3);
        assert_eq!(by_epci.gini, 0.0);
        assert_eq!(by_epci.unserved_epcis.len(), 3);
    }
}
