//! Day arithmetic of the calendars: how long a loan really takes a copy, what is left free, and
//! the nearest free periods when the requested one is taken. Pure functions, no database.
//!
//! Every period is a closed range of whole days: a copy serves one occupation per day, so a
//! booking whose occupation ends on day D and another whose occupation starts on day D conflict.

use chrono::{Duration, NaiveDate};

use super::model::FreePeriod;

/// How a loan widens around its dates of use.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Widening {
    /// Days before the first day of use: travel there, then set-up.
    pub before: i64,
    /// Days after the last day of use: take-down, travel back, then turnaround checks.
    pub after: i64,
}

impl Widening {
    /// Widening for a resource's set-up/turnaround days and the travel days each way.
    pub fn new(
        setup_days: i64,
        turnaround_days: i64,
        outbound_days: i64,
        return_days: i64,
    ) -> Self {
        Widening {
            before: outbound_days + setup_days,
            after: setup_days + return_days + turnaround_days,
        }
    }

    /// The occupied period around dates of use.
    pub fn occupied(self, starts_on: NaiveDate, ends_on: NaiveDate) -> (NaiveDate, NaiveDate) {
        (
            starts_on - Duration::days(self.before),
            ends_on + Duration::days(self.after),
        )
    }
}

/// The most driving days one way: the region is crossed in one or two; more means a venue or a
/// depot placed far away, and must not block a copy for months.
pub const MAX_DRIVING_DAYS: i64 = 5;

/// Travel days for a road distance: `ceil(km / km_per_day) + handling_days` (0 km: handling
/// only), driving capped at [`MAX_DRIVING_DAYS`].
///
/// ```
/// use itinerance::booking::period::transport_days;
/// assert_eq!(transport_days(127.0, 250.0, 0), 1); // Amiens → Lille by road
/// assert_eq!(transport_days(0.0, 250.0, 1), 1);
/// assert_eq!(transport_days(26_000.0, 250.0, 1), 6); // the Pacific: capped
/// ```
pub fn transport_days(road_km: f64, km_per_day: f64, handling_days: i64) -> i64 {
    let driving = if road_km <= 0.0 || road_km.is_nan() {
        0
    } else {
        ((road_km / km_per_day).ceil() as i64).min(MAX_DRIVING_DAYS)
    };
    driving + handling_days
}

/// Merges overlapping or adjacent busy periods, sorted by start.
pub fn merge(mut busy: Vec<(NaiveDate, NaiveDate)>) -> Vec<(NaiveDate, NaiveDate)> {
    busy.sort();
    let mut merged: Vec<(NaiveDate, NaiveDate)> = Vec::with_capacity(busy.len());
    for (from, to) in busy {
        match merged.last_mut() {
            Some(last) if from <= last.1 + Duration::days(1) => {
                if to > last.1 {
                    last.1 = to;
                }
            }
            _ => merged.push((from, to)),
        }
    }
    merged
}

/// The days of `[from, to]` not covered by any busy period.
pub fn free_periods(
    from: NaiveDate,
    to: NaiveDate,
    busy: Vec<(NaiveDate, NaiveDate)>,
) -> Vec<FreePeriod> {
    let mut free = Vec::new();
    let mut cursor = from;
    for (b_from, b_to) in merge(busy) {
        if b_to < cursor {
            continue;
        }
        if b_from > to {
            break;
        }
        if b_from > cursor {
            free.push(FreePeriod {
                from: cursor,
                to: b_from - Duration::days(1),
            });
        }
        cursor = b_to + Duration::days(1);
        if cursor > to {
            return free;
        }
    }
    if cursor <= to {
        free.push(FreePeriod { from: cursor, to });
    }
    free
}

/// The first day of use nearest to `wanted` such that the widened occupation of a use of
/// `length_days` (last day − first day) fits between the busy periods, with the first day of use
/// in `[earliest, latest]`. `None` when nothing fits in that window.
pub fn nearest_start(
    wanted: NaiveDate,
    length_days: i64,
    widening: Widening,
    busy: Vec<(NaiveDate, NaiveDate)>,
    earliest: NaiveDate,
    latest: NaiveDate,
) -> Option<NaiveDate> {
    fitting_starts(wanted, length_days, widening, busy, earliest, latest)
        .into_iter()
        .next()
}

/// For each free gap that can hold the use, the first day of use in it nearest to `wanted`;
/// nearest first (ties: the earlier day).
pub fn fitting_starts(
    wanted: NaiveDate,
    length_days: i64,
    widening: Widening,
    busy: Vec<(NaiveDate, NaiveDate)>,
    earliest: NaiveDate,
    latest: NaiveDate,
) -> Vec<NaiveDate> {
    if earliest > latest {
        return Vec::new();
    }
    let merged = merge(busy);
    // Free gaps as (first free day, last free day); None = unbounded.
    let mut gaps: Vec<(Option<NaiveDate>, Option<NaiveDate>)> =
        Vec::with_capacity(merged.len() + 1);
    let mut previous_end: Option<NaiveDate> = None;
    for (from, to) in &merged {
        gaps.push((
            previous_end.map(|e| e + Duration::days(1)),
            Some(*from - Duration::days(1)),
        ));
        previous_end = Some(*to);
    }
    gaps.push((previous_end.map(|e| e + Duration::days(1)), None));

    let mut starts: Vec<NaiveDate> = Vec::new();
    for (gap_from, gap_to) in gaps {
        // First day of use s must satisfy s - before >= gap_from and s + length + after <= gap_to.
        let low = gap_from
            .map(|g| g + Duration::days(widening.before))
            .unwrap_or(earliest)
            .max(earliest);
        let high = gap_to
            .map(|g| g - Duration::days(length_days + widening.after))
            .unwrap_or(latest)
            .min(latest);
        if low > high {
            continue;
        }
        starts.push(wanted.clamp(low, high));
    }
    starts.sort_by_key(|s| ((*s - wanted).num_days().abs(), *s));
    starts
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(day: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(2027, 3, day).unwrap()
    }

    #[test]
    fn occupation_widens_by_travel_setup_and_turnaround() {
        let w = Widening::new(2, 3, 1, 1);
        assert_eq!(
            w,
            Widening {
                before: 3,
                after: 6
            }
        );
        assert_eq!(w.occupied(d(10), d(12)), (d(7), d(18)));
        assert_eq!(
            Widening::new(0, 0, 0, 0).occupied(d(10), d(10)),
            (d(10), d(10))
        );
    }

    #[test]
    fn travel_days_round_up() {
        assert_eq!(transport_days(0.0, 250.0, 0), 0);
        assert_eq!(transport_days(1.0, 250.0, 0), 1);
        assert_eq!(transport_days(250.0, 250.0, 0), 1);
        assert_eq!(transport_days(251.0, 250.0, 1), 3);
    }

    #[test]
    fn free_periods_are_the_complement() {
        let busy = vec![(d(5), d(7)), (d(6), d(9)), (d(15), d(16))];
        assert_eq!(
            free_periods(d(1), d(20), busy.clone()),
            vec![
                FreePeriod {
                    from: d(1),
                    to: d(4)
                },
                FreePeriod {
                    from: d(10),
                    to: d(14)
                },
                FreePeriod {
                    from: d(17),
                    to: d(20)
                },
            ]
        );
        assert_eq!(
            free_periods(d(6), d(8), busy.clone()),
            Vec::<FreePeriod>::new()
        );
        assert_eq!(
            free_periods(d(10), d(12), busy),
            vec![FreePeriod {
                from: d(10),
                to: d(12)
            }]
        );
        assert_eq!(
            free_periods(d(1), d(3), vec![]),
            vec![FreePeriod {
                from: d(1),
                to: d(3)
            }]
        );
    }

    #[test]
    fn nearest_start_respects_widening_and_window() {
        let w = Widening {
            before: 1,
            after: 2,
        };
        // Busy 10..=20; want to use 12..=14 (length 2).
        let busy = vec![(d(10), d(20))];
        // Before: s + 2 + 2 <= 9 → s <= 5. After: s - 1 >= 21 → s >= 22. 5 is 7 days away, 22 is 10.
        assert_eq!(
            nearest_start(d(12), 2, w, busy.clone(), d(1), d(31)),
            Some(d(5))
        );
        // Not before the 6th: the next fit is the 22nd.
        assert_eq!(
            nearest_start(d(12), 2, w, busy.clone(), d(6), d(31)),
            Some(d(22))
        );
        // Nothing inside [6, 21].
        assert_eq!(nearest_start(d(12), 2, w, busy.clone(), d(6), d(21)), None);
        // Both sides are offered, nearest first.
        assert_eq!(
            fitting_starts(d(12), 2, w, busy, d(1), d(31)),
            vec![d(5), d(22)]
        );
        // Free calendar: the wanted day itself.
        assert_eq!(nearest_start(d(12), 2, w, vec![], d(1), d(31)), Some(d(12)));
    }
}
