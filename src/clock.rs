//! The service's clock, and times of day as people write them on a timetable ("09:00", "17:30"):
//! opening hours, van shifts, time windows and day sheets all use them, so parsing and printing
//! live here once.
//!
//! Services never read the system clock: the fronts (API handlers, portal pages, background jobs)
//! read [`Clock::now`] once per request and pass `now` down, so the portal and the API agree on
//! "today", and a test (or a staging instance) can run the whole service at another date.

use chrono::{DateTime, Duration, NaiveDate, NaiveDateTime, Utc};

/// The moment the service believes it is: the system's UTC time shifted by a configured offset
/// (`clock_offset_seconds`, zero in production). The same configuration gives every instance the
/// same time, so nothing depends on which instance answers.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Clock {
    offset: Duration,
}

impl Clock {
    /// The system's clock, unshifted.
    pub fn system() -> Self {
        Clock::default()
    }

    /// The system's clock moved by `seconds` (positive: into the future).
    pub fn shifted(seconds: i64) -> Self {
        Clock {
            offset: Duration::seconds(seconds),
        }
    }

    /// Now, in UTC.
    pub fn now(&self) -> DateTime<Utc> {
        Utc::now() + self.offset
    }

    /// Now, as the naive UTC timestamp the database stores.
    pub fn naive(&self) -> NaiveDateTime {
        self.now().naive_utc()
    }

    /// Today's date in UTC (the service's dates of use are whole days).
    pub fn today(&self) -> NaiveDate {
        self.now().date_naive()
    }
}

/// Minutes in a day; "24:00" is the end of the day, allowed as a closing time.
pub const DAY_MINUTES: i32 = 24 * 60;

/// Minutes after midnight of an "HH:MM" time (00:00–24:00), or `None` when it is not one.
///
/// ```
/// use itinerance::clock::parse_hhmm;
/// assert_eq!(parse_hhmm("09:30"), Some(570));
/// assert_eq!(parse_hhmm("24:00"), Some(1440));
/// assert_eq!(parse_hhmm("24:01"), None);
/// assert_eq!(parse_hhmm("9:30"), None);
/// ```
pub fn parse_hhmm(text: &str) -> Option<i32> {
    let bytes = text.as_bytes();
    if bytes.len() != 5 || bytes[2] != b':' {
        return None;
    }
    let digit = |i: usize| {
        bytes[i]
            .is_ascii_digit()
            .then(|| i32::from(bytes[i] - b'0'))
    };
    let hours = digit(0)? * 10 + digit(1)?;
    let minutes = digit(3)? * 10 + digit(4)?;
    let total = hours * 60 + minutes;
    (minutes < 60 && total <= DAY_MINUTES).then_some(total)
}

/// "HH:MM" of minutes after midnight (clamped to the day).
pub fn format_hhmm(minutes: i32) -> String {
    let m = minutes.clamp(0, DAY_MINUTES);
    format!("{:02}:{:02}", m / 60, m % 60)
}

/// What an "HH:MM" field must look like, for problems.
pub const HHMM_RULE: &str = "a time of day \"HH:MM\" between 00:00 and 24:00";

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn round_trips_every_minute_of_the_day() {
        for m in 0..=DAY_MINUTES {
            assert_eq!(parse_hhmm(&format_hhmm(m)), Some(m));
        }
    }

    #[test]
    fn refuses_what_is_not_a_time() {
        for bad in [
            "",
            "12",
            "12:60",
            "25:00",
            "-1:00",
            "12h30",
            "1230 ",
            "１２:00",
            "12:3x",
        ] {
            assert_eq!(parse_hhmm(bad), None, "{bad}");
        }
    }
}
