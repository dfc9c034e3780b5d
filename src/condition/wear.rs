//! Wear arithmetic: a weighted index over loans, days on loan, km and hand-overs, when maintenance
//! is due, and when the copy should retire at its recent rate. Pure functions, no database.

use chrono::{Duration, NaiveDate};

use crate::config::Config;

/// Weights and thresholds of the wear model (configuration).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct WearModel {
    pub per_loan: f64,
    pub per_day: f64,
    pub per_km: f64,
    pub per_handling: f64,
    pub maintenance_threshold: f64,
    pub maintenance_interval_days: i64,
    pub retirement_index: f64,
    /// Road km = great circle × this (the transport estimate).
    pub road_detour: f64,
    /// Loans this close chain venue to venue (see transport).
    pub chain_gap_days: i64,
}

impl WearModel {
    /// Reads the model from the configuration.
    pub fn from_config(c: &Config) -> WearModel {
        WearModel {
            per_loan: c.wear_weight_loan,
            per_day: c.wear_weight_day,
            per_km: c.wear_weight_km,
            per_handling: c.wear_weight_handling,
            maintenance_threshold: c.wear_maintenance_threshold,
            maintenance_interval_days: c.maintenance_interval_days,
            retirement_index: c.wear_retirement_index,
            road_detour: c.road_detour_factor,
            chain_gap_days: c.chain_max_gap_days,
        }
    }

    /// Wear contributed by one loan.
    pub fn of_loan(&self, loan: &Loan) -> f64 {
        self.per_loan
            + self.per_day * loan.days as f64
            + self.per_km * loan.km
            + self.per_handling * loan.handlings as f64
    }
}

/// One loan of a copy that reached its venue.
#[derive(Debug, Clone, PartialEq)]
pub struct Loan {
    /// Last day of use.
    pub ends_on: NaiveDate,
    /// Days of use.
    pub days: i64,
    /// Km travelled for this loan so far.
    pub km: f64,
    /// Hand-overs recorded for this loan.
    pub handlings: i64,
}

/// The figures of a copy's wear.
#[derive(Debug, Clone, PartialEq)]
pub struct WearFigures {
    pub loans: i64,
    pub days_on_loan: i64,
    pub km_travelled: f64,
    pub handlings: i64,
    pub wear_index: f64,
    pub wear_since_maintenance: f64,
    pub maintenance_due: bool,
    pub predicted_retirement_on: Option<NaiveDate>,
}

/// Computes a copy's wear. `last_maintenance_on` is the day its last maintenance was completed;
/// `in_service_since` when it entered service (counts as a maintenance for the interval).
pub fn compute(
    model: &WearModel,
    loans: &[Loan],
    last_maintenance_on: Option<NaiveDate>,
    in_service_since: NaiveDate,
    today: NaiveDate,
) -> WearFigures {
    let wear_index: f64 = loans.iter().map(|l| model.of_loan(l)).sum();
    let since = last_maintenance_on.unwrap_or(in_service_since);
    let wear_since_maintenance: f64 = loans
        .iter()
        .filter(|l| last_maintenance_on.is_none_or(|m| l.ends_on > m))
        .map(|l| model.of_loan(l))
        .sum();
    let maintenance_due = wear_since_maintenance >= model.maintenance_threshold
        || (today - since).num_days() >= model.maintenance_interval_days;
    // Rate over the last 12 months, extrapolated to the retirement index.
    let year_ago = today - Duration::days(365);
    let recent: f64 = loans
        .iter()
        .filter(|l| l.ends_on > year_ago && l.ends_on <= today)
        .map(|l| model.of_loan(l))
        .sum();
    let predicted_retirement_on = if wear_index >= model.retirement_index {
        Some(today)
    } else if recent > 0.0 {
        let days_left = ((model.retirement_index - wear_index) * 365.0 / recent).ceil() as i64;
        today.checked_add_signed(Duration::days(days_left.min(365 * 200)))
    } else {
        None
    };
    WearFigures {
        loans: loans.len() as i64,
        days_on_loan: loans.iter().map(|l| l.days).sum(),
        km_travelled: loans.iter().map(|l| l.km).sum(),
        handlings: loans.iter().map(|l| l.handlings).sum(),
        wear_index,
        wear_since_maintenance,
        maintenance_due,
        predicted_retirement_on,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn model() -> WearModel {
        WearModel {
            per_loan: 1.0,
            per_day: 0.1,
            per_km: 0.01,
            per_handling: 0.5,
            maintenance_threshold: 10.0,
            maintenance_interval_days: 365,
            retirement_index: 100.0,
            road_detour: 1.3,
            chain_gap_days: 14,
        }
    }

    fn day(y: i32, m: u32, d: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, d).unwrap()
    }

    fn loan(ends_on: NaiveDate, days: i64, km: f64) -> Loan {
        Loan {
            ends_on,
            days,
            km,
            handlings: 3,
        }
    }

    #[test]
    fn index_is_the_weighted_sum() {
        let loans = [
            loan(day(2026, 3, 10), 10, 200.0),
            loan(day(2026, 6, 1), 5, 100.0),
        ];
        let w = compute(&model(), &loans, None, day(2026, 1, 1), day(2026, 7, 1));
        assert_eq!(w.loans, 2);
        assert_eq!(w.days_on_loan, 15);
        assert_eq!(w.km_travelled, 300.0);
        assert_eq!(w.handlings, 6);
        // 2 loans + 1.5 (days) + 3.0 (km) + 3.0 (handlings)
        assert!((w.wear_index - 9.5).abs() < 1e-9, "{}", w.wear_index);
        assert!(!w.maintenance_due);
    }

    #[test]
    fn maintenance_is_due_by_wear_or_by_interval() {
        let loans = [
            loan(day(2026, 3, 10), 10, 200.0),
            loan(day(2026, 6, 1), 5, 100.0),
        ];
        let mut m = model();
        m.maintenance_threshold = 9.0;
        assert!(compute(&m, &loans, None, day(2026, 1, 1), day(2026, 7, 1)).maintenance_due);
        // A maintenance after the first loan resets the wear that counts.
        let w = compute(
            &m,
            &loans,
            Some(day(2026, 4, 1)),
            day(2026, 1, 1),
            day(2026, 7, 1),
        );
        assert!((w.wear_since_maintenance - 4.0).abs() < 1e-9);
        assert!(!w.maintenance_due);
        // A year without maintenance.
        assert!(compute(&model(), &[], None, day(2025, 1, 1), day(2026, 1, 1)).maintenance_due);
    }

    #[test]
    fn retirement_follows_the_last_twelve_months() {
        // 10 index points in the last year, 40 in all: 60 to go at 10 per 365 days.
        let old = Loan {
            ends_on: day(2024, 1, 1),
            days: 0,
            km: 0.0,
            handlings: 0,
        };
        let mut m = model();
        m.per_loan = 10.0;
        m.per_handling = 0.0;
        let loans = [
            old.clone(),
            old.clone(),
            old.clone(),
            Loan {
                ends_on: day(2026, 3, 1),
                ..old
            },
        ];
        let w = compute(&m, &loans, None, day(2023, 1, 1), day(2026, 7, 1));
        assert!((w.wear_index - 40.0).abs() < 1e-9);
        assert_eq!(
            w.predicted_retirement_on,
            Some(day(2026, 7, 1) + Duration::days(2190))
        );
        // No recent wear: no forecast.
        let w = compute(&m, &loans[..3], None, day(2023, 1, 1), day(2026, 7, 1));
        assert_eq!(w.predicted_retirement_on, None);
    }
}
