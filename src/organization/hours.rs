//! Opening hours of an organisation: when a van can deliver to a library or collect from a
//! social centre. A week of opening spans, and dated exceptions (closed on a holiday, open only
//! in the morning during the summer). Day plans turn them into the time windows of a stop.

use chrono::{Datelike, NaiveDate, NaiveDateTime};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use super::model::SchoolHolidays;
use super::service::get_organization;
use super::store;
use crate::access::{policy, Principal};
use crate::audit;
use crate::clock::{format_hhmm, parse_hhmm, HHMM_RULE};
use crate::db::{write_transaction, DbConnection};
use crate::error::{Error, Result, Validator};
use crate::territory::holidays::{self, Zone};

crate::stored_enum! {
    /// A day of the week.
    pub enum Weekday {
        Monday => "monday",
        Tuesday => "tuesday",
        Wednesday => "wednesday",
        Thursday => "thursday",
        Friday => "friday",
        Saturday => "saturday",
        Sunday => "sunday",
    }
}

impl Weekday {
    /// ISO number, 1 = Monday (what the database stores).
    pub fn iso(self) -> i16 {
        match self {
            Weekday::Monday => 1,
            Weekday::Tuesday => 2,
            Weekday::Wednesday => 3,
            Weekday::Thursday => 4,
            Weekday::Friday => 5,
            Weekday::Saturday => 6,
            Weekday::Sunday => 7,
        }
    }

    fn from_iso(n: i16) -> Option<Weekday> {
        [
            Weekday::Monday,
            Weekday::Tuesday,
            Weekday::Wednesday,
            Weekday::Thursday,
            Weekday::Friday,
            Weekday::Saturday,
            Weekday::Sunday,
        ]
        .get(usize::try_from(n).ok()?.checked_sub(1)?)
        .copied()
    }
}

/// One opening span of a weekday.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct WeeklySpan {
    pub weekday: Weekday,
    /// "HH:MM".
    #[schema(example = "09:00")]
    pub opens: String,
    /// "HH:MM", after `opens` ("24:00" for midnight).
    #[schema(example = "12:00")]
    pub closes: String,
}

/// An opening span of an exceptional day.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct Span {
    #[schema(example = "09:00")]
    pub opens: String,
    #[schema(example = "12:00")]
    pub closes: String,
}

/// A date whose hours differ from the week: no spans means closed all day.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct OpeningException {
    pub date: NaiveDate,
    /// The spans of that day, replacing the weekday's; empty: closed.
    #[serde(default)]
    pub spans: Vec<Span>,
    /// Why (a public holiday, an inventory day…), at most 200 characters.
    pub note: Option<String>,
}

/// Body of `PUT /api/v1/organizations/{id}/opening-hours`: the whole timetable, replaced at once.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct OpeningHoursInput {
    /// Weekly spans; none at all means the hours are not known (open whenever a van comes).
    #[serde(default)]
    pub weekly: Vec<WeeklySpan>,
    /// Dated exceptions (at most one entry per date, at most 366 entries).
    #[serde(default)]
    pub exceptions: Vec<OpeningException>,
}

/// The timetable of an organisation.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct OpeningHours {
    pub organization_id: i64,
    /// Weekly spans by weekday, then opening time.
    pub weekly: Vec<WeeklySpan>,
    /// Exceptions by date.
    pub exceptions: Vec<OpeningException>,
}

/// Most spans a day may have (a library open morning, afternoon and evening has 3).
pub const MAX_SPANS_PER_DAY: usize = 4;
/// Most exceptions kept per organisation (a year of them).
pub const MAX_EXCEPTIONS: usize = 366;

/// Spans in minutes after midnight, sorted, disjoint.
pub type Minutes = Vec<(i32, i32)>;

impl OpeningHours {
    /// The open spans of a day, in minutes; `None` when no weekly hours are known at all (and
    /// no exception names that day): the caller decides what unknown means (a day plan: open).
    pub fn spans_on(&self, day: NaiveDate) -> Option<Minutes> {
        let to_minutes =
            |opens: &str, closes: &str| Some((parse_hhmm(opens)?, parse_hhmm(closes)?));
        if let Some(exception) = self.exceptions.iter().find(|e| e.date == day) {
            let mut spans: Minutes = exception
                .spans
                .iter()
                .filter_map(|s| to_minutes(&s.opens, &s.closes))
                .collect();
            spans.sort();
            return Some(spans);
        }
        if self.weekly.is_empty() {
            return None;
        }
        let weekday = Weekday::from_iso(day.weekday().number_from_monday() as i16)?;
        let mut spans: Minutes = self
            .weekly
            .iter()
            .filter(|s| s.weekday == weekday)
            .filter_map(|s| to_minutes(&s.opens, &s.closes))
            .collect();
        spans.sort();
        Some(spans)
    }
}

/// The open-day rule of an organisation: its timetable, then its school-holiday setting. One
/// rule for every question "is it open that day?" (day plans, delivery and pick-up days).
#[derive(Debug, Clone)]
pub struct Calendar {
    pub hours: OpeningHours,
    pub school_holidays: SchoolHolidays,
    pub zone: Option<Zone>,
}

impl Calendar {
    /// The open spans of a day, in minutes, like [`OpeningHours::spans_on`] (`None`: hours not
    /// known, open whenever a van comes), with the school holidays applied: a dated exception
    /// wins; otherwise `closed` closes the days of the zone's holidays and `only` every other day
    /// the national calendar covers.
    pub fn spans_on(&self, day: NaiveDate) -> Option<Minutes> {
        let excepted = self.hours.exceptions.iter().any(|e| e.date == day);
        if !excepted {
            if let Some(zone) = self.zone {
                let (first, last) = holidays::coverage();
                let known = first <= day && day <= last;
                let holiday = holidays::is_holiday(zone, day);
                let closed = match self.school_holidays {
                    SchoolHolidays::Ignore => false,
                    SchoolHolidays::Closed => holiday,
                    SchoolHolidays::Only => known && !holiday,
                };
                if closed {
                    return Some(Vec::new());
                }
            }
        }
        self.hours.spans_on(day)
    }

    /// Whether the organisation is open at some time of `day` (unknown hours: open).
    pub fn is_open(&self, day: NaiveDate) -> bool {
        self.spans_on(day).is_none_or(|spans| !spans.is_empty())
    }
}

/// The open-day rule of an organisation (see [`Calendar`]).
pub fn calendar(conn: &mut DbConnection, organization_id: i64) -> Result<Calendar> {
    let org = store::find_organization(conn, organization_id)?
        .ok_or_else(|| Error::NotFound(format!("organisation {organization_id}")))?;
    Ok(Calendar {
        hours: load(conn, organization_id)?,
        school_holidays: org.school_holidays,
        zone: holidays::zone_of_commune(&org.commune_insee),
    })
}

/// Checks spans of one day: valid times, opening before closing, no overlap, not too many.
fn check_spans(v: &mut Validator, field: &str, spans: &[(&str, &str)]) {
    let mut parsed = Vec::new();
    for (i, (opens, closes)) in spans.iter().enumerate() {
        let o = parse_hhmm(opens);
        let c = parse_hhmm(closes);
        if o.is_none() {
            v.add(
                &format!("{field}[{i}].opens"),
                format!("must be {HHMM_RULE}"),
            );
        }
        if c.is_none() {
            v.add(
                &format!("{field}[{i}].closes"),
                format!("must be {HHMM_RULE}"),
            );
        }
        if let (Some(o), Some(c)) = (o, c) {
            if c <= o {
                v.add(&format!("{field}[{i}].closes"), "must be after opens");
            } else {
                parsed.push((o, c, i));
            }
        }
    }
    parsed.sort();
    for pair in parsed.windows(2) {
        if pair[1].0 < pair[0].1 {
            v.add(
                &format!("{field}[{}]", pair[1].2),
                "overlaps another span of the same day",
            );
        }
    }
    if spans.len() > MAX_SPANS_PER_DAY {
        v.add(field, format!("at most {MAX_SPANS_PER_DAY} spans a day"));
    }
}

/// Validates a timetable, listing every faulty field.
pub fn check(input: &OpeningHoursInput) -> Result<()> {
    let mut v = Validator::new();
    for weekday in [
        Weekday::Monday,
        Weekday::Tuesday,
        Weekday::Wednesday,
        Weekday::Thursday,
        Weekday::Friday,
        Weekday::Saturday,
        Weekday::Sunday,
    ] {
        let spans: Vec<(&str, &str)> = input
            .weekly
            .iter()
            .filter(|s| s.weekday == weekday)
            .map(|s| (s.opens.as_str(), s.closes.as_str()))
            .collect();
        check_spans(&mut v, &format!("weekly.{}", weekday.as_str()), &spans);
    }
    if input.exceptions.len() > MAX_EXCEPTIONS {
        v.add("exceptions", format!("at most {MAX_EXCEPTIONS} exceptions"));
    }
    let mut dates = std::collections::HashSet::new();
    for (i, e) in input.exceptions.iter().enumerate() {
        if !dates.insert(e.date) {
            v.add(
                &format!("exceptions[{i}].date"),
                "this date is listed twice",
            );
        }
        let spans: Vec<(&str, &str)> = e
            .spans
            .iter()
            .map(|s| (s.opens.as_str(), s.closes.as_str()))
            .collect();
        check_spans(&mut v, &format!("exceptions[{i}].spans"), &spans);
        if e.note.as_ref().is_some_and(|n| n.chars().count() > 200) {
            v.add(&format!("exceptions[{i}].note"), "at most 200 characters");
        }
    }
    v.finish()
}

/// The timetable of an organisation (every authenticated caller: opening hours are public).
pub fn get(conn: &mut DbConnection, organization_id: i64) -> Result<OpeningHours> {
    get_organization(conn, organization_id)?;
    load(conn, organization_id)
}

/// The stored timetable, without checking that the organisation exists.
pub fn load(conn: &mut DbConnection, organization_id: i64) -> Result<OpeningHours> {
    let weekly = store::weekly_hours(conn, organization_id)?
        .into_iter()
        .filter_map(|(weekday, opens, closes)| {
            Some(WeeklySpan {
                weekday: Weekday::from_iso(weekday)?,
                opens: format_hhmm(opens),
                closes: format_hhmm(closes),
            })
        })
        .collect();
    let mut exceptions: Vec<OpeningException> = Vec::new();
    for (date, span, note) in store::opening_exceptions(conn, organization_id)? {
        if exceptions.last().is_none_or(|e| e.date != date) {
            exceptions.push(OpeningException {
                date,
                spans: Vec::new(),
                note: None,
            });
        }
        if let Some(last) = exceptions.last_mut() {
            if let Some((opens, closes)) = span {
                last.spans.push(Span {
                    opens: format_hhmm(opens),
                    closes: format_hhmm(closes),
                });
            }
            last.note = last.note.take().or(note);
        }
    }
    Ok(OpeningHours {
        organization_id,
        weekly,
        exceptions,
    })
}

/// Replaces an organisation's timetable (the agency, or an administrator of the organisation),
/// in one transaction with its audit line.
pub fn replace(
    conn: &mut DbConnection,
    p: &Principal,
    organization_id: i64,
    input: &OpeningHoursInput,
    now: NaiveDateTime,
) -> Result<OpeningHours> {
    get_organization(conn, organization_id)?;
    policy::update_organization(p, organization_id)?;
    check(input)?;
    let minutes = |opens: &str, closes: &str| {
        (
            parse_hhmm(opens).unwrap_or_default(),
            parse_hhmm(closes).unwrap_or_default(),
        )
    };
    let weekly: Vec<(i16, i32, i32)> = input
        .weekly
        .iter()
        .map(|s| {
            let (o, c) = minutes(&s.opens, &s.closes);
            (s.weekday.iso(), o, c)
        })
        .collect();
    let mut exceptions: Vec<store::ExceptionLine> = Vec::new();
    for e in &input.exceptions {
        let note = e.note.as_deref().map(str::trim).filter(|n| !n.is_empty());
        if e.spans.is_empty() {
            exceptions.push((e.date, None, note.map(str::to_string)));
        }
        for s in &e.spans {
            exceptions.push((
                e.date,
                Some(minutes(&s.opens, &s.closes)),
                note.map(str::to_string),
            ));
        }
    }
    write_transaction(conn, |conn| {
        store::replace_opening_hours(conn, organization_id, &weekly, &exceptions)?;
        audit::record(
            conn,
            p.actor(),
            crate::audit::AuditAction::OpeningHoursSet,
            organization_id,
            &serde_json::to_value(input).unwrap_or_default(),
            now,
        )?;
        Ok::<_, Error>(())
    })?;
    load(conn, organization_id)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn span(weekday: Weekday, opens: &str, closes: &str) -> WeeklySpan {
        WeeklySpan {
            weekday,
            opens: opens.into(),
            closes: closes.into(),
        }
    }

    #[test]
    fn exceptions_replace_the_week_and_unknown_hours_stay_unknown() {
        let monday = NaiveDate::from_ymd_opt(2026, 11, 23).unwrap();
        let hours = OpeningHours {
            organization_id: 1,
            weekly: vec![
                span(Weekday::Monday, "14:00", "18:00"),
                span(Weekday::Monday, "09:00", "12:00"),
            ],
            exceptions: vec![OpeningException {
                date: monday + chrono::Duration::days(7),
                spans: vec![],
                note: Some("inventaire".into()),
            }],
        };
        assert_eq!(hours.spans_on(monday), Some(vec![(540, 720), (840, 1080)]));
        assert_eq!(
            hours.spans_on(monday + chrono::Duration::days(1)),
            Some(vec![])
        );
        assert_eq!(
            hours.spans_on(monday + chrono::Duration::days(7)),
            Some(vec![])
        );
        let unknown = OpeningHours {
            organization_id: 1,
            weekly: vec![],
            exceptions: vec![],
        };
        assert_eq!(unknown.spans_on(monday), None);
    }

    #[test]
    fn overlapping_reversed_and_malformed_spans_are_each_named() {
        let input = OpeningHoursInput {
            weekly: vec![
                span(Weekday::Tuesday, "09:00", "12:00"),
                span(Weekday::Tuesday, "11:00", "13:00"),
                span(Weekday::Friday, "18:00", "08:00"),
                span(Weekday::Sunday, "9h", "12:00"),
            ],
            exceptions: vec![],
        };
        let Err(Error::Validation(fields)) = check(&input) else {
            panic!("accepted");
        };
        let names: Vec<&str> = fields.iter().map(|f| f.field.as_str()).collect();
        assert!(names.contains(&"weekly.tuesday[1]"), "{names:?}");
        assert!(names.contains(&"weekly.friday[0].closes"), "{names:?}");
        assert!(names.contains(&"weekly.sunday[0].opens"), "{names:?}");
    }
}
