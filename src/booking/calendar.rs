//! iCalendar (RFC 5545) feeds of bookings, readable by common calendar apps: CRLF lines folded at
//! 75 octets, text escaped, all-day events (`VALUE=DATE`, exclusive end), stable UIDs.

use chrono::{Duration, NaiveDate, NaiveDateTime};

/// One all-day event of a feed.
#[derive(Debug, Clone)]
pub struct CalendarEvent {
    /// Stable identifier: the same booking keeps its UID when it changes.
    pub uid: String,
    pub first_day: NaiveDate,
    /// Inclusive last day.
    pub last_day: NaiveDate,
    pub summary: String,
    pub description: String,
    pub location: String,
    /// `TENTATIVE`, `CONFIRMED` or `CANCELLED`.
    pub status: &'static str,
    /// Last change, UTC.
    pub stamp: NaiveDateTime,
    /// Increases with each change so that clients replace their copy.
    pub sequence: i64,
}

/// Escapes a TEXT value (backslash, semicolon, comma, newline).
pub fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '\\' => out.push_str("\\\\"),
            ';' => out.push_str("\\;"),
            ',' => out.push_str("\\,"),
            '\n' => out.push_str("\\n"),
            '\r' => {}
            _ => out.push(c),
        }
    }
    out
}

/// Folds a content line at 75 octets without splitting a UTF-8 character; continuation lines start
/// with a space.
pub fn fold(line: &str) -> String {
    let mut out = String::with_capacity(line.len() + line.len() / 70 * 3);
    let mut width = 0;
    for c in line.chars() {
        let len = c.len_utf8();
        if width + len > 75 {
            out.push_str("\r\n ");
            width = 1;
        }
        out.push(c);
        width += len;
    }
    out.push_str("\r\n");
    out
}

fn date(d: NaiveDate) -> String {
    d.format("%Y%m%d").to_string()
}

/// Renders a whole calendar.
pub fn render(name: &str, events: &[CalendarEvent]) -> String {
    let mut out = String::new();
    let mut line = |text: String| out.push_str(&fold(&text));
    line("BEGIN:VCALENDAR".into());
    line("VERSION:2.0".into());
    line("PRODID:-//Itinerance//Bookings//FR".into());
    line("CALSCALE:GREGORIAN".into());
    line("METHOD:PUBLISH".into());
    line(format!("X-WR-CALNAME:{}", escape(name)));
    for e in events {
        line("BEGIN:VEVENT".into());
        line(format!("UID:{}", e.uid));
        line(format!("DTSTAMP:{}", e.stamp.format("%Y%m%dT%H%M%SZ")));
        line(format!("DTSTART;VALUE=DATE:{}", date(e.first_day)));
        line(format!(
            "DTEND;VALUE=DATE:{}",
            date(e.last_day + Duration::days(1))
        ));
        line(format!("SEQUENCE:{}", e.sequence));
        line(format!("SUMMARY:{}", escape(&e.summary)));
        line(format!("DESCRIPTION:{}", escape(&e.description)));
        line(format!("LOCATION:{}", escape(&e.location)));
        line(format!("STATUS:{}", e.status));
        line("TRANSP:TRANSPARENT".into());
        line("END:VEVENT".into());
    }
    line("END:VCALENDAR".into());
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escapes_text() {
        assert_eq!(escape("a,b;c\\d\ne"), "a\\,b\\;c\\\\d\\ne");
    }

    #[test]
    fn folds_at_75_octets_on_character_boundaries() {
        let long = format!("SUMMARY:{}", "é".repeat(80));
        let folded = fold(&long);
        for physical in folded.split("\r\n").filter(|l| !l.is_empty()) {
            assert!(physical.len() <= 75, "{} octets", physical.len());
        }
        let unfolded = folded.replace("\r\n ", "");
        assert_eq!(unfolded, format!("{long}\r\n"));
        assert_eq!(fold("SHORT"), "SHORT\r\n");
    }
}
