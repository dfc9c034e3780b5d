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

/// How far (in days) a delivery or a pick-up may move from its natural day, and how far set-up
/// and take-down may reach past closed days, before the request is refused (`venue_closed`).
pub const MAX_SHIFT_DAYS: i64 = 14;

/// What a loan needs around its dates of use.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Needs {
    pub setup_days: i64,
    pub turnaround_days: i64,
    pub outbound_days: i64,
    pub return_days: i64,
}

/// The days of a loan: when the copy reaches the venue and leaves it, and the period it is held.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct LoanDays {
    pub delivery_on: NaiveDate,
    pub pickup_on: NaiveDate,
    pub occupied_from: NaiveDate,
    pub occupied_to: NaiveDate,
}

/// Why no loan days fit: which hand-over, its natural day, and the closed days that were tried.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ClosedDays {
    /// `delivery`, `set-up`, `take-down` or `pick-up`.
    pub step: &'static str,
    pub natural: NaiveDate,
    pub closed: Vec<NaiveDate>,
}

/// Counts `count` days on which `open` holds, walking from `from` by `step` (±1 day), at most
/// `count + MAX_SHIFT_DAYS` days; the last one found (`from - step` when `count` is 0).
fn count_open(
    from: NaiveDate,
    step: i64,
    count: i64,
    open: &dyn Fn(NaiveDate) -> bool,
) -> Result<NaiveDate, Vec<NaiveDate>> {
    let mut last = from - Duration::days(step);
    let mut found = 0;
    let mut closed = Vec::new();
    let mut day = from;
    while found < count {
        if closed.len() as i64 > MAX_SHIFT_DAYS {
            return Err(closed);
        }
        if open(day) {
            found += 1;
            last = day;
        } else {
            closed.push(day);
        }
        day += Duration::days(step);
    }
    Ok(last)
}

/// The open day nearest to `natural` within `[low, high]`; ties go to `prefer_later` or not.
fn nearest_open(
    natural: NaiveDate,
    (low, high): (NaiveDate, NaiveDate),
    prefer_later: bool,
    open: &dyn Fn(NaiveDate) -> bool,
) -> Result<NaiveDate, Vec<NaiveDate>> {
    let mut day = low;
    let mut best: Option<NaiveDate> = None;
    let mut closed = Vec::new();
    while day <= high {
        if open(day) {
            let better = best.is_none_or(|b| {
                let (db, dd) = (
                    (b - natural).num_days().abs(),
                    (day - natural).num_days().abs(),
                );
                dd < db || (dd == db && prefer_later)
            });
            if better {
                best = Some(day);
            }
        } else {
            closed.push(day);
        }
        day += Duration::days(1);
    }
    best.ok_or(closed)
}

/// The days of a loan on a real week. With every day open it is the [`Widening`]: delivery on
/// the first occupied day (one day before set-up, the travel day), set-up days right before the
/// first day of use, take-down right after the last, pick-up the next day. Otherwise:
/// - set-up (and take-down) days are counted on days the venue is open (`venue_open`), walking
///   back from the day before use (forward from the day after);
/// - the delivery falls on a day both the venue and the depot are open (`both_open`): the natural
///   day (the day before the first set-up day) when open, else the open day nearest to it, no
///   later than the first set-up day (or the first day of use without set-up), ties to the later
///   day (the shorter occupation); the pick-up likewise, no earlier than the last take-down day
///   (or the last day of use), ties to the earlier day;
/// - each may move at most [`MAX_SHIFT_DAYS`]; beyond, `Err` names the closed days tried.
///
/// Travel days beyond the day of the hand-over itself widen the occupation before the delivery
/// and after the pick-up, and the turnaround follows the pick-up.
pub fn loan_days(
    starts_on: NaiveDate,
    ends_on: NaiveDate,
    needs: Needs,
    venue_open: &dyn Fn(NaiveDate) -> bool,
    both_open: &dyn Fn(NaiveDate) -> bool,
) -> Result<LoanDays, ClosedDays> {
    let out_hop = needs.outbound_days.clamp(0, 1);
    let back_hop = needs.return_days.clamp(0, 1);
    let shift = Duration::days(MAX_SHIFT_DAYS);
    let first_setup = count_open(
        starts_on - Duration::days(1),
        -1,
        needs.setup_days,
        venue_open,
    )
    .map_err(|closed| ClosedDays {
        step: "set-up",
        natural: starts_on - Duration::days(needs.setup_days),
        closed,
    })?;
    let natural = first_setup - Duration::days(out_hop);
    let delivery_on = nearest_open(natural, (natural - shift, first_setup), true, both_open)
        .map_err(|closed| ClosedDays {
            step: "delivery",
            natural,
            closed,
        })?;
    let last_takedown = count_open(ends_on + Duration::days(1), 1, needs.setup_days, venue_open)
        .map_err(|closed| ClosedDays {
            step: "take-down",
            natural: ends_on + Duration::days(needs.setup_days),
            closed,
        })?;
    let natural = last_takedown + Duration::days(back_hop);
    let pickup_on = nearest_open(natural, (last_takedown, natural + shift), false, both_open)
        .map_err(|closed| ClosedDays {
            step: "pick-up",
            natural,
            closed,
        })?;
    Ok(LoanDays {
        delivery_on,
        pickup_on,
        occupied_from: delivery_on - Duration::days(needs.outbound_days - out_hop),
        occupied_to: pickup_on
            + Duration::days(needs.return_days - back_hop + needs.turnaround_days),
    })
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

/// Whether two periods (first and last day, inclusive) share a day.
pub fn meet(a: (NaiveDate, NaiveDate), b: (NaiveDate, NaiveDate)) -> bool {
    a.0 <= b.1 && b.0 <= a.1
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

    #[test]
    fn periods_meet_when_they_share_a_day() {
        let d = |n: u32| NaiveDate::from_ymd_opt(2027, 3, n).unwrap();
        assert!(meet((d(1), d(5)), (d(5), d(9))));
        assert!(meet((d(3), d(4)), (d(1), d(9))));
        assert!(!meet((d(1), d(4)), (d(5), d(9))));
        assert!(!meet((d(6), d(9)), (d(1), d(5))));
    }

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

    fn jan(day: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(2027, 1, day).unwrap()
    }

    /// Tuesday to Saturday (2027-01-12 is a Tuesday).
    fn tue_sat(day: NaiveDate) -> bool {
        use chrono::Datelike;
        !matches!(day.weekday(), chrono::Weekday::Sun | chrono::Weekday::Mon)
    }

    fn needs(setup: i64, travel: i64) -> Needs {
        Needs {
            setup_days: setup,
            turnaround_days: 1,
            outbound_days: travel,
            return_days: travel,
        }
    }

    #[test]
    fn an_open_week_gives_the_widening() {
        for (setup, travel) in [(0, 0), (0, 1), (2, 1), (1, 2), (3, 0)] {
            let n = needs(setup, travel);
            let days = loan_days(jan(12), jan(15), n, &|_| true, &|_| true).unwrap();
            let w = Widening::new(setup, 1, travel, travel);
            assert_eq!(
                (days.occupied_from, days.occupied_to),
                w.occupied(jan(12), jan(15)),
                "{n:?}"
            );
        }
    }

    #[test]
    fn closed_days_move_hand_overs_and_set_up() {
        // Use Tue 12 – Thu 14: the natural delivery (Mon 11) is closed: Tuesday morning.
        let d = loan_days(jan(12), jan(14), needs(0, 1), &tue_sat, &tue_sat).unwrap();
        assert_eq!((d.delivery_on, d.occupied_from), (jan(12), jan(12)));
        assert_eq!(d.pickup_on, jan(15));
        // One set-up day: Saturday 9 (Sun 10 and Mon 11 closed), delivered Friday 8.
        let d = loan_days(jan(12), jan(14), needs(1, 1), &tue_sat, &tue_sat).unwrap();
        assert_eq!(d.delivery_on, jan(8));
        // Use until Saturday 16: take-down Tuesday 19, pick-up Wednesday 20.
        let d = loan_days(jan(12), jan(16), needs(1, 1), &tue_sat, &tue_sat).unwrap();
        assert_eq!((d.pickup_on, d.occupied_to), (jan(20), jan(21)));
        // Never open: refused, naming the closed days.
        let e = loan_days(jan(12), jan(14), needs(0, 1), &|_| false, &|_| false).unwrap_err();
        assert_eq!(e.step, "delivery");
        assert_eq!(e.closed.len() as i64, MAX_SHIFT_DAYS + 2);
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
