//! The observatory: the coverage indicators year by year, as the agency publishes them in its
//! yearly report (JSON, CSV).

use std::collections::{BTreeMap, HashSet};

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use super::coverage::{coverage_of, round2, GroupBy};
use super::store;
use crate::billing::model::LineKind;
use crate::db::DbConnection;
use crate::error::{Result, Validator};
use crate::territory::{holidays, CommuneClass};

/// Query of `GET /api/v1/observatory`.
#[derive(Debug, Clone, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct ObservatoryQuery {
    /// First year (2000–2100; default: four years before the last).
    pub from_year: Option<i32>,
    /// Last year (2000–2100; default: the current year). At most 30 years.
    pub to_year: Option<i32>,
}

/// Loans per 10,000 inhabitants of each commune class.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct RatesByClass {
    pub village: f64,
    pub small_town: f64,
    pub medium_town: f64,
    pub large_city: f64,
}

/// Visitors reported in each commune class.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct VisitorsByClass {
    pub village: i64,
    pub small_town: i64,
    pub medium_town: i64,
    pub large_city: i64,
}

/// One year of the observatory.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct YearIndicators {
    pub year: i32,
    /// Bookings delivered, returned or closed whose days of use meet the year.
    pub loans: i64,
    pub venues_reached: i64,
    pub communes_reached: i64,
    pub epcis_reached: i64,
    /// Share of the loans that went to venues in villages (one decimal).
    pub village_share_percent: f64,
    pub loans_per_10k_by_class: RatesByClass,
    /// Visitors reported by the venues' evaluations of these loans.
    pub visitors: i64,
    pub visitors_by_class: VisitorsByClass,
    /// Road km of the loans, out and back from the depot (chaining saves some of it).
    pub km: f64,
    pub co2_kg: f64,
    /// What producers invoiced that year but subsidies, credit notes deducted.
    pub revenue_cents: i64,
    /// What funders paid on that year's invoices.
    pub subsidy_cents: i64,
    /// Loans whose days of use fall mostly in school time (outside the school holidays of the
    /// venue's zone).
    pub loans_in_school_time: i64,
    /// Loans whose days of use fall mostly in the school holidays of the venue's zone (ties:
    /// school time). A venue without a zone (none outside metropolitan France) or a loan outside
    /// the national calendar counts in neither.
    pub loans_in_school_holidays: i64,
}

/// Loans of `[from, to]` in school time and in school holidays (see [`YearIndicators`]).
fn school_split(loans: &[(String, NaiveDate, NaiveDate)]) -> (i64, i64) {
    let (first, last) = holidays::coverage();
    let (mut school, mut holiday) = (0, 0);
    for (commune, starts_on, ends_on) in loans {
        let Some(zone) = holidays::zone_of_commune(commune) else {
            continue;
        };
        if *starts_on < first || *ends_on > last {
            continue;
        }
        let days = starts_on.iter_days().take_while(|d| d <= ends_on);
        let (on_holiday, total) = days.fold((0, 0), |(h, t), d| {
            (h + i64::from(holidays::is_holiday(zone, d)), t + 1)
        });
        if on_holiday * 2 > total {
            holiday += 1;
        } else {
            school += 1;
        }
    }
    (school, holiday)
}

/// The observatory over years.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct Observatory {
    pub years: Vec<YearIndicators>,
}

/// The years asked for, checked.
pub fn years(query: &ObservatoryQuery, this_year: i32) -> Result<(i32, i32)> {
    let to = query.to_year.unwrap_or(this_year);
    // Any i32 may come in: no arithmetic before the range checks (i32::MIN − 4 overflows).
    let from = query.from_year.unwrap_or(to.saturating_sub(4));
    let mut v = Validator::new();
    v.in_range("from_year", Some(from), 2000..=2100);
    v.in_range("to_year", Some(to), 2000..=2100);
    v.check(to >= from, "to_year", "must not be before from_year");
    v.check(
        i64::from(to) - i64::from(from) < 30,
        "to_year",
        "at most 30 years",
    );
    v.finish()?;
    Ok((from, to))
}

/// The indicators of each year.
pub fn observatory(
    conn: &mut DbConnection,
    from_year: i32,
    to_year: i32,
    co2_g_per_km: f64,
) -> Result<Observatory> {
    let communes = store::communes(conn)?;
    let venues = store::venue_communes(conn)?;
    let epci_of: BTreeMap<&str, &str> = communes
        .iter()
        .map(|c| (c.insee_code.as_str(), c.epci_siren.as_str()))
        .collect();
    let mut years = Vec::new();
    for year in from_year..=to_year {
        let (Some(from), Some(to)) = (
            NaiveDate::from_ymd_opt(year, 1, 1),
            NaiveDate::from_ymd_opt(year, 12, 31),
        ) else {
            continue;
        };
        let facts = store::loan_facts(conn, from, to)?;
        let loans = &facts.loans;
        let by_class = coverage_of(from, to, GroupBy::Class, &communes, &venues, &facts);
        let visitors_of = |class: CommuneClass| {
            by_class
                .rows
                .iter()
                .find(|r| r.key == class.as_str())
                .map_or(0, |r| r.visitors)
        };
        let rate = |class: CommuneClass| {
            by_class
                .rows
                .iter()
                .find(|r| r.key == class.as_str())
                .map_or(0.0, |r| r.loans_per_10k)
        };
        let total: i64 = by_class.rows.iter().map(|r| r.loans).sum();
        let village: i64 = by_class
            .rows
            .iter()
            .filter(|r| r.key == CommuneClass::Village.as_str())
            .map(|r| r.loans)
            .sum();
        let reached_communes: HashSet<&str> = loans
            .iter()
            .filter(|(_, n)| *n > 0)
            .filter_map(|(venue, _)| venues.get(venue).map(String::as_str))
            .collect();
        let reached_epcis: HashSet<&str> = reached_communes
            .iter()
            .filter_map(|c| epci_of.get(c).copied())
            .collect();
        let km = 2.0 * store::loan_distance_km(conn, from, to)?;
        let invoiced = store::invoiced_by_kind(conn, year)?;
        let (in_school_time, in_holidays) = school_split(&store::loan_periods(conn, from, to)?);
        years.push(YearIndicators {
            year,
            loans: total,
            venues_reached: loans.iter().filter(|(_, n)| *n > 0).count() as i64,
            communes_reached: reached_communes.len() as i64,
            epcis_reached: reached_epcis.len() as i64,
            village_share_percent: if total > 0 {
                (village as f64 * 1000.0 / total as f64).round() / 10.0
            } else {
                0.0
            },
            loans_per_10k_by_class: RatesByClass {
                village: rate(CommuneClass::Village),
                small_town: rate(CommuneClass::SmallTown),
                medium_town: rate(CommuneClass::MediumTown),
                large_city: rate(CommuneClass::LargeCity),
            },
            visitors: by_class.rows.iter().map(|r| r.visitors).sum(),
            visitors_by_class: VisitorsByClass {
                village: visitors_of(CommuneClass::Village),
                small_town: visitors_of(CommuneClass::SmallTown),
                medium_town: visitors_of(CommuneClass::MediumTown),
                large_city: visitors_of(CommuneClass::LargeCity),
            },
            km: round2(km),
            co2_kg: round2(km * co2_g_per_km / 1000.0),
            revenue_cents: invoiced
                .iter()
                .filter(|(kind, _)| *kind != LineKind::Subsidy)
                .map(|(_, a)| a)
                .sum(),
            subsidy_cents: -invoiced
                .iter()
                .filter(|(kind, _)| *kind == LineKind::Subsidy)
                .map(|(_, a)| a)
                .sum::<i64>(),
            loans_in_school_time: in_school_time,
            loans_in_school_holidays: in_holidays,
        });
    }
    Ok(Observatory { years })
}

/// The observatory as CSV, one line per year.
pub fn csv(o: &Observatory) -> String {
    let rows: Vec<Vec<String>> = o
        .years
        .iter()
        .map(|y| {
            let r = &y.loans_per_10k_by_class;
            let v = &y.visitors_by_class;
            vec![
                y.year.to_string(),
                y.loans.to_string(),
                y.venues_reached.to_string(),
                y.communes_reached.to_string(),
                y.epcis_reached.to_string(),
                y.village_share_percent.to_string(),
                r.village.to_string(),
                r.small_town.to_string(),
                r.medium_town.to_string(),
                r.large_city.to_string(),
                y.visitors.to_string(),
                v.village.to_string(),
                v.small_town.to_string(),
                v.medium_town.to_string(),
                v.large_city.to_string(),
                y.km.to_string(),
                y.co2_kg.to_string(),
                y.revenue_cents.to_string(),
                y.subsidy_cents.to_string(),
                y.loans_in_school_time.to_string(),
                y.loans_in_school_holidays.to_string(),
            ]
        })
        .collect();
    crate::text::csv(
        &[
            "year",
            "loans",
            "venues_reached",
            "communes_reached",
            "epcis_reached",
            "village_share_percent",
            "loans_per_10k_village",
            "loans_per_10k_small_town",
            "loans_per_10k_medium_town",
            "loans_per_10k_large_city",
            "visitors",
            "visitors_village",
            "visitors_small_town",
            "visitors_medium_town",
            "visitors_large_city",
            "km",
            "co2_kg",
            "revenue_cents",
            "subsidy_cents",
            "loans_in_school_time",
            "loans_in_school_holidays",
        ],
        &rows,
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn any_year_is_checked_without_overflow() {
        let q = |from_year, to_year| ObservatoryQuery { from_year, to_year };
        assert_eq!(years(&q(None, None), 2026).unwrap(), (2022, 2026));
        assert!(years(&q(None, Some(i32::MIN)), 2026).is_err());
        assert!(years(&q(Some(i32::MIN), Some(i32::MAX)), 2026).is_err());
        assert!(years(&q(Some(2001), Some(2040)), 2026).is_err());
        assert!(years(&q(Some(2030), Some(2020)), 2026).is_err());
    }
}
