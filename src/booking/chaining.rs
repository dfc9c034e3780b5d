//! Chaining: a loan that starts shortly after the previous loan of the same copy ends takes the
//! copy straight on from the previous venue instead of through the depot. One home for the rule
//! and for a loan's stay (the query of "the loans of these copies, in order" is
//! [`super::store::stays_of`]), which booking (the copy with the shortest
//! approach), transport (legs, the chaining report, day plans) and condition (km of wear) all
//! need. It knows bookings and places, no domain service, so all of them can use it.

use chrono::NaiveDate;

use super::BookingStatus;
use crate::error::{Error, Result};

// Chaining takes a copy from one place to the next; transport shows places in legs and day plans.
/// One end of a leg.
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize, utoipa::ToSchema)]
pub struct Place {
    /// `depot` (the copy's home commune) or `venue`.
    pub kind: String,
    /// The venue (for venues) or the producer (for depots).
    pub organization_id: Option<i64>,
    pub name: String,
    pub commune_insee: String,
    pub latitude: f64,
    pub longitude: f64,
}

/// The chaining rule: a loan starting at most `gap_days` after the previous one ends takes the
/// copy straight on from the previous venue instead of through the depot.
pub fn chains(prev_ends_on: NaiveDate, next_starts_on: NaiveDate, gap_days: i64) -> bool {
    next_starts_on > prev_ends_on && (next_starts_on - prev_ends_on).num_days() <= gap_days
}

/// A booking with where it takes its copy.
#[derive(Debug, Clone, PartialEq)]
pub struct Stay {
    pub booking_id: i64,
    pub copy_id: i64,
    pub resource_id: i64,
    pub status: BookingStatus,
    pub starts_on: NaiveDate,
    pub ends_on: NaiveDate,
    pub venue: Place,
}

/// Whether `next` follows `prev` on the same copy closely enough for the copy to go straight on.
pub fn chained(prev: &Stay, next: &Stay, gap_days: i64) -> bool {
    prev.copy_id == next.copy_id && chains(prev.ends_on, next.starts_on, gap_days)
}

/// In stays ordered by copy then first day (as [`stays_of`] gives them), the stay the copy comes
/// straight from before `stays[at]`, if they chain.
pub fn previous_chained(stays: &[Stay], at: usize, gap_days: i64) -> Option<&Stay> {
    let this = stays.get(at)?;
    let prev = stays.get(at.checked_sub(1)?)?;
    chained(prev, this, gap_days).then_some(prev)
}

/// In stays ordered like [`stays_of`]'s, the stay the copy goes straight on to after `stays[at]`.
pub fn next_chained(stays: &[Stay], at: usize, gap_days: i64) -> Option<&Stay> {
    let this = stays.get(at)?;
    let next = stays.get(at + 1)?;
    chained(this, next, gap_days).then_some(next)
}

/// The stay of `copy_id` that a loan starting on `starts_on` would chain from: the last one
/// ending before that day, if it chains (for a loan not in `stays`, e.g. one being placed).
pub fn chained_before(
    stays: &[Stay],
    copy_id: i64,
    starts_on: NaiveDate,
    gap_days: i64,
) -> Option<&Stay> {
    stays
        .iter()
        .filter(|s| s.copy_id == copy_id && s.ends_on < starts_on)
        .max_by_key(|s| (s.ends_on, s.booking_id))
        .filter(|prev| chains(prev.ends_on, starts_on, gap_days))
}

/// The columns a [`Stay`] is read from, for queries that select more around it.
pub type StayRow = (
    i64,
    i64,
    i64,
    String,
    NaiveDate,
    NaiveDate,
    i64,
    String,
    String,
    f64,
    f64,
);

/// A [`Stay`] from its columns.
pub fn stay_from_row(
    (
        booking_id,
        copy_id,
        resource_id,
        status,
        starts_on,
        ends_on,
        venue_id,
        name,
        commune,
        lat,
        lon,
    ): StayRow,
) -> Result<Stay> {
    Ok(Stay {
        booking_id,
        copy_id,
        resource_id,
        status: status
            .parse()
            .map_err(|e| Error::Internal(format!("booking {booking_id}: {e}")))?,
        starts_on,
        ends_on,
        venue: Place {
            kind: "venue".into(),
            organization_id: Some(venue_id),
            name,
            commune_insee: commune,
            latitude: lat,
            longitude: lon,
        },
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(booking: i64, copy: i64, starts: i64, ends: i64) -> Stay {
        let day0 = NaiveDate::from_ymd_opt(2027, 1, 1).unwrap();
        Stay {
            booking_id: booking,
            copy_id: copy,
            resource_id: 1,
            status: BookingStatus::Approved,
            starts_on: day0 + chrono::Duration::days(starts),
            ends_on: day0 + chrono::Duration::days(ends),
            venue: Place {
                kind: "venue".into(),
                organization_id: Some(1),
                name: "v".into(),
                commune_insee: "80021".into(),
                latitude: 49.9,
                longitude: 2.3,
            },
        }
    }

    #[test]
    fn chaining_needs_a_following_loan_of_the_same_copy_within_the_gap() {
        assert!(chained(&at(1, 1, 0, 5), &at(2, 1, 10, 12), 14));
        assert!(chained(&at(1, 1, 0, 5), &at(2, 1, 19, 20), 14));
        assert!(!chained(&at(1, 1, 0, 5), &at(2, 1, 20, 21), 14));
        assert!(!chained(&at(2, 1, 10, 12), &at(1, 1, 0, 5), 14));
        assert!(
            !chained(&at(1, 1, 0, 5), &at(2, 2, 10, 12), 14),
            "another copy"
        );
    }

    #[test]
    fn neighbours_in_an_ordered_list_stay_on_their_copy() {
        let stays = vec![
            at(1, 1, 0, 5),
            at(2, 1, 8, 9),
            at(3, 2, 10, 12),
            at(4, 2, 40, 41),
        ];
        assert_eq!(
            previous_chained(&stays, 1, 14).map(|s| s.booking_id),
            Some(1)
        );
        assert_eq!(next_chained(&stays, 0, 14).map(|s| s.booking_id), Some(2));
        assert_eq!(
            next_chained(&stays, 1, 14),
            None,
            "the next one is another copy's"
        );
        assert_eq!(previous_chained(&stays, 2, 14), None);
        assert_eq!(previous_chained(&stays, 3, 14), None, "too far apart");
        let day0 = NaiveDate::from_ymd_opt(2027, 1, 1).unwrap();
        let starts = day0 + chrono::Duration::days(12);
        assert_eq!(
            chained_before(&stays, 1, starts, 14).map(|s| s.booking_id),
            Some(2)
        );
        assert_eq!(chained_before(&stays, 2, starts, 14), None);
    }
}
