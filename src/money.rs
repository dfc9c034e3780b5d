//! Amounts of money, shared by every domain that prices something: integer cents (EUR), whole
//! percentages, and the one rounding rule of the network (half away from zero, to the cent).

/// Largest amount accepted in a price, a cost or a budget: 1,000,000.00 EUR. A guard against typing
/// errors and against overflow in sums, far above any real loan or programme.
pub const MAX_CENTS: i64 = 100_000_000;

/// Largest budget of a subsidy programme: 100,000,000.00 EUR (a region's whole cultural budget).
pub const MAX_BUDGET_CENTS: i64 = 10_000_000_000;

/// The one check of a money or cost input: between 0 and [`MAX_CENTS`] (a huge cost once
/// overflowed the revenue report's sums).
pub fn check_cents(v: &mut crate::error::Validator, field: &str, cents: i64) {
    v.check(
        (0..=MAX_CENTS).contains(&cents),
        field,
        "must be between 0 and 100000000 cents (1,000,000.00 EUR)",
    );
}

/// `amount × percent / 100`, rounded half away from zero to the cent. Exact (integer arithmetic);
/// the product is computed in 128 bits so that no amount the API accepts can overflow.
pub fn percent_of(amount_cents: i64, percent: i64) -> i64 {
    let product = i128::from(amount_cents) * i128::from(percent);
    let half_away = if product >= 0 {
        (product + 50) / 100
    } else {
        (product - 50) / 100
    };
    i64::try_from(half_away).unwrap_or(if product >= 0 { i64::MAX } else { i64::MIN })
}

/// An amount in euros for people (`1 234,50 €` is for the locale; here `1234.50`): CSV exports and
/// labels.
pub fn euros(cents: i64) -> String {
    let sign = if cents < 0 { "-" } else { "" };
    let abs = cents.unsigned_abs();
    format!("{sign}{}.{:02}", abs / 100, abs % 100)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn percentages_round_half_away_from_zero() {
        assert_eq!(percent_of(1000, 40), 400);
        assert_eq!(percent_of(5, 50), 3); // 2.5 → 3
        assert_eq!(percent_of(-5, 50), -3); // −2.5 → −3
        assert_eq!(percent_of(4, 50), 2);
        assert_eq!(percent_of(3, 50), 2); // 1.5 → 2
        assert_eq!(percent_of(1, 49), 0); // 0.49 → 0
        assert_eq!(percent_of(-1, 49), 0);
        assert_eq!(percent_of(MAX_BUDGET_CENTS, 100), MAX_BUDGET_CENTS);
        assert_eq!(percent_of(i64::MAX, 100), i64::MAX);
    }

    #[test]
    fn euros_are_written_with_two_decimals() {
        assert_eq!(euros(0), "0.00");
        assert_eq!(euros(123450), "1234.50");
        assert_eq!(euros(-7), "-0.07");
        assert_eq!(euros(i64::MIN), "-92233720368547758.08");
    }
}
