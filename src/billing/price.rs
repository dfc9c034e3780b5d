//! The quote formula of `docs/api.md` "Money", pure: from a tariff, the venue's class rate, the legs'
//! cost, damage and a programme, the lines a venue pays. No database, no HTTP: tested alone.

use super::model::{Line, LineKind, Tariff};
use crate::money::percent_of;
use crate::territory::model::CommuneClass;

/// Days of use (both ends counted) and started weeks.
pub fn days_and_weeks(starts_on: chrono::NaiveDate, ends_on: chrono::NaiveDate) -> (i64, i64) {
    let days = (ends_on - starts_on).num_days() + 1;
    (days, (days + 6) / 7)
}

/// The subsidy a programme offers, with what is left of its budget.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Offer {
    pub program_id: i64,
    pub name: String,
    pub funder: String,
    pub rate_percent: i32,
    pub remaining_cents: i64,
}

/// Everything the formula needs.
#[derive(Debug, Clone)]
pub struct Inputs {
    pub days: i64,
    pub tariff: Tariff,
    pub class: CommuneClass,
    pub class_rate_percent: i32,
    /// Σ cost of the booking's legs, before recharge.
    pub transport_cost_cents: i64,
    pub recharge_percent: i32,
    pub offer: Option<Offer>,
}

/// The frozen part of a quote: everything but damage.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Amounts {
    pub rental_cents: i64,
    pub class_discount_cents: i64,
    pub transport_cents: i64,
    /// Zero or negative.
    pub subsidy_cents: i64,
}

impl Amounts {
    /// What the subsidy rate applies to: rental after discount, plus transport.
    pub fn subsidised_base(&self) -> i64 {
        self.rental_cents + self.class_discount_cents + self.transport_cents
    }
}

/// Applies the formula.
pub fn amounts(inputs: &Inputs) -> Amounts {
    let weeks = (inputs.days + 6) / 7;
    let rental = inputs.tariff.per_loan_cents + inputs.tariff.per_week_cents * weeks;
    let class_discount = -percent_of(rental, i64::from(100 - inputs.class_rate_percent));
    let transport = percent_of(
        inputs.transport_cost_cents,
        i64::from(inputs.recharge_percent),
    );
    let mut out = Amounts {
        rental_cents: rental,
        class_discount_cents: class_discount,
        transport_cents: transport,
        subsidy_cents: 0,
    };
    if let Some(offer) = &inputs.offer {
        let wanted = percent_of(out.subsidised_base(), i64::from(offer.rate_percent));
        out.subsidy_cents = -wanted.min(offer.remaining_cents).max(0);
    }
    out
}

/// What labels say about the loan (kept with a frozen quote so that its labels do not move).
#[derive(Debug, Clone)]
pub struct Labels<'a> {
    pub days: i64,
    pub class: CommuneClass,
    pub class_rate_percent: i32,
    pub recharge_percent: i32,
    pub transport_cost_cents: i64,
    pub subsidy: Option<(&'a str, &'a str, i32)>,
}

fn class_name(class: CommuneClass) -> &'static str {
    match class {
        CommuneClass::Village => "village",
        CommuneClass::SmallTown => "petite ville",
        CommuneClass::MediumTown => "ville moyenne",
        CommuneClass::LargeCity => "grande ville",
    }
}

/// The lines of a quote, zero lines left out, in the order of `LineKind`.
pub fn lines(amounts: &Amounts, labels: &Labels, damage: &[Line]) -> Vec<Line> {
    let (days, weeks) = (labels.days, (labels.days + 6) / 7);
    let mut lines = vec![
        Line {
            kind: LineKind::Rental,
            label: format!(
                "Location : {days} jour(s) d'utilisation, {weeks} semaine(s) entamée(s)"
            ),
            amount_cents: amounts.rental_cents,
        },
        Line {
            kind: LineKind::ClassDiscount,
            label: format!(
                "Tarif {} : {} % du prix",
                class_name(labels.class),
                labels.class_rate_percent
            ),
            amount_cents: amounts.class_discount_cents,
        },
        Line {
            kind: LineKind::Transport,
            label: format!(
                "Transport : {} % de {} de trajets",
                labels.recharge_percent,
                crate::page::euros(labels.transport_cost_cents)
            ),
            amount_cents: amounts.transport_cents,
        },
    ];
    lines.extend(damage.iter().cloned());
    if let Some((name, funder, rate)) = labels.subsidy {
        lines.push(Line {
            kind: LineKind::Subsidy,
            label: format!("Subvention « {name} » ({funder}), {rate} %"),
            amount_cents: amounts.subsidy_cents,
        });
    }
    lines.retain(|l| l.amount_cents != 0);
    lines
}

/// The damage line of a loan: each component's units missing or damaged (the most any of the
/// loan's return and inspection reports found, so a unit found missing at return and again at
/// inspection is charged once) at its replacement cost. `None` when nothing is charged.
pub fn damage_line(units: &[(String, i64, i64)]) -> Option<Line> {
    let charged: Vec<&(String, i64, i64)> = units
        .iter()
        .filter(|(_, count, cost)| *count > 0 && *cost > 0)
        .collect();
    let amount: i64 = charged.iter().map(|(_, count, cost)| count * cost).sum();
    (amount > 0).then(|| Line {
        kind: LineKind::Damage,
        label: format!(
            "Dommages : {}",
            charged
                .iter()
                .map(|(name, count, _)| format!("{count} × {name}"))
                .collect::<Vec<_>>()
                .join(", ")
        ),
        amount_cents: amount,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::NaiveDate;

    fn inputs(days: i64, rate: i32, transport: i64, recharge: i32, offer: Option<Offer>) -> Inputs {
        Inputs {
            days,
            tariff: Tariff {
                per_loan_cents: 15_000,
                per_week_cents: 8_000,
                deposit_cents: 50_000,
            },
            class: CommuneClass::Village,
            class_rate_percent: rate,
            transport_cost_cents: transport,
            recharge_percent: recharge,
            offer,
        }
    }

    fn offer(rate: i32, remaining: i64) -> Offer {
        Offer {
            program_id: 1,
            name: "Villages".into(),
            funder: "Région".into(),
            rate_percent: rate,
            remaining_cents: remaining,
        }
    }

    #[test]
    fn weeks_are_started_weeks_of_use() {
        let d = |s: &str| NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap();
        assert_eq!(days_and_weeks(d("2027-03-01"), d("2027-03-01")), (1, 1));
        assert_eq!(days_and_weeks(d("2027-03-01"), d("2027-03-07")), (7, 1));
        assert_eq!(days_and_weeks(d("2027-03-01"), d("2027-03-08")), (8, 2));
    }

    #[test]
    fn the_formula_of_the_contract() {
        // 10 days: 2 weeks. rental 150 + 2 × 80 = 310 €; village at 40 %: −186 €;
        // transport 30 % of 123.45 € = 37.035 → 37.04 €; subsidy 50 % of (310 − 186 + 37.04)
        // = 80.52 €.
        let a = amounts(&inputs(10, 40, 12_345, 30, Some(offer(50, 1_000_000))));
        assert_eq!(a.rental_cents, 31_000);
        assert_eq!(a.class_discount_cents, -18_600);
        assert_eq!(a.transport_cents, 3_704);
        assert_eq!(a.subsidy_cents, -8_052);
    }

    #[test]
    fn the_subsidy_stops_at_the_budget() {
        let a = amounts(&inputs(7, 100, 0, 0, Some(offer(100, 5_000))));
        assert_eq!(a.subsidy_cents, -5_000);
        let a = amounts(&inputs(7, 100, 0, 0, Some(offer(100, 0))));
        assert_eq!(a.subsidy_cents, 0);
    }

    #[test]
    fn zero_lines_are_left_out() {
        let a = amounts(&inputs(7, 100, 0, 0, None));
        let labels = Labels {
            days: 7,
            class: CommuneClass::LargeCity,
            class_rate_percent: 100,
            recharge_percent: 0,
            transport_cost_cents: 0,
            subsidy: None,
        };
        let l = lines(&a, &labels, &[]);
        assert_eq!(l.len(), 1);
        assert_eq!(l[0].kind, LineKind::Rental);
        assert_eq!(l[0].amount_cents, 23_000);
    }

    #[test]
    fn damage_counts_units_at_their_cost() {
        let line = damage_line(&[
            ("Carte micro:bit".into(), 2, 2_500),
            ("Notice".into(), 1, 0),
            ("Câble".into(), 0, 300),
        ])
        .unwrap();
        assert_eq!(line.amount_cents, 5_000);
        assert_eq!(line.label, "Dommages : 2 × Carte micro:bit");
        assert!(damage_line(&[]).is_none());
    }
}
