//! Evaluation rules: who reports, when, what counts as a valid report, and who reads them.

use chrono::{Duration, NaiveDateTime};

use super::model::{Evaluation, EvaluationList, EvaluationPatch, EvaluationQuery, NewEvaluation};
use super::store::{self, EvaluationRow, EvaluationValues, Filter, LoanRef};
use crate::access::{policy, Principal};
use crate::booking::service::visible_booking;
use crate::booking::BookingStatus;
use crate::catalogue::Audience;
use crate::db::{write_transaction, DbConnection};
use crate::error::{Code, Error, Result, Validator};
use crate::organization::OrgKind;

/// How many days after the loan's last day of use an evaluation may still change.
pub const EDITABLE_DAYS: i64 = 30;
/// Evaluations listed at most.
const MAX_LISTED: i64 = 1_000;
const MAX_VISITORS: i32 = 1_000_000;
const MAX_SESSIONS: i32 = 10_000;
const MAX_COMMENT_CHARS: usize = 2_000;

fn to_evaluation(row: EvaluationRow) -> Evaluation {
    Evaluation {
        booking_id: row.booking_id,
        resource_id: row.resource_id,
        venue_id: row.venue_id,
        starts_on: row.starts_on,
        ends_on: row.ends_on,
        visitors: row.visitors,
        sessions: row.sessions,
        audiences: row
            .audiences
            .split(',')
            .filter_map(|a| a.parse().ok())
            .collect(),
        satisfaction: row.satisfaction,
        comment: row.comment,
        created_at: row.created_at,
        updated_at: row.updated_at,
        editable_until: editable_until(row.ends_on),
    }
}

/// The last moment an evaluation of a loan ending on `ends_on` may change: the end of the 30th
/// day after it (UTC), so a report written early stays open through the whole loan.
pub fn editable_until(ends_on: chrono::NaiveDate) -> NaiveDateTime {
    (ends_on + Duration::days(EDITABLE_DAYS + 1)).and_time(chrono::NaiveTime::MIN)
        - Duration::seconds(1)
}

/// The checked values of a report.
struct Checked {
    visitors: i32,
    sessions: i32,
    audiences: String,
    satisfaction: i32,
    comment: Option<String>,
}

impl Checked {
    fn values(&self, now: NaiveDateTime) -> EvaluationValues<'_> {
        EvaluationValues {
            visitors: self.visitors,
            sessions: self.sessions,
            audiences: &self.audiences,
            satisfaction: self.satisfaction,
            comment: self.comment.as_deref(),
            updated_at: now,
        }
    }
}

fn check(new: &NewEvaluation) -> Result<Checked> {
    let mut v = Validator::new();
    if !(0..=MAX_VISITORS).contains(&new.visitors) {
        v.add("visitors", format!("from 0 to {MAX_VISITORS}"));
    }
    if !(0..=MAX_SESSIONS).contains(&new.sessions) {
        v.add("sessions", format!("from 0 to {MAX_SESSIONS}"));
    }
    if !(1..=5).contains(&new.satisfaction) {
        v.add("satisfaction", "from 1 (poor) to 5 (excellent)");
    }
    let mut audiences: Vec<Audience> = new.audiences.clone();
    audiences.sort();
    audiences.dedup();
    if audiences.is_empty() {
        v.add("audiences", "name at least one audience reached");
    } else if audiences.contains(&Audience::All) {
        v.add("audiences", "`all` is not an audience reached: name them");
    }
    let comment = new
        .comment
        .as_deref()
        .map(str::trim)
        .filter(|c| !c.is_empty());
    if let Some(c) = comment {
        if c.chars().count() > MAX_COMMENT_CHARS {
            v.add("comment", format!("at most {MAX_COMMENT_CHARS} characters"));
        }
        if c.chars()
            .any(|ch| ch.is_control() && ch != '\n' && ch != '\t' && ch != '\r')
        {
            v.add("comment", "no control characters");
        }
    }
    v.finish()?;
    Ok(Checked {
        visitors: new.visitors,
        sessions: new.sessions,
        audiences: audiences
            .iter()
            .map(|a| a.as_str())
            .collect::<Vec<_>>()
            .join(","),
        satisfaction: new.satisfaction,
        comment: comment.map(str::to_string),
    })
}

/// The loan, if the caller may report on it and it reached its venue.
fn evaluable(conn: &mut DbConnection, p: &Principal, booking_id: i64) -> Result<LoanRef> {
    let (row, _) = visible_booking(conn, p, booking_id)?;
    policy::evaluate_loan(p, row.venue_id)?;
    if !BookingStatus::LOANS.contains(&row.status) {
        return Err(Error::conflict(
            Code::LoanNotDelivered,
            format!(
                "the booking is {}: report on it once it has been delivered",
                row.status
            ),
        ));
    }
    Ok(LoanRef {
        booking_id,
        venue_id: row.venue_id,
        starts_on: row.starts_on,
        ends_on: row.ends_on,
    })
}

/// The venue reports on a loan that reached it, once.
pub fn create(
    conn: &mut DbConnection,
    p: &Principal,
    booking_id: i64,
    new: &NewEvaluation,
    now: NaiveDateTime,
) -> Result<Evaluation> {
    write_transaction(conn, |conn| {
        let loan = evaluable(conn, p, booking_id)?;
        if store::find(conn, booking_id)?.is_some() {
            return Err(Error::conflict(
                Code::AlreadyEvaluated,
                "this loan has an evaluation; change it with PATCH",
            ));
        }
        let c = check(new)?;
        store::insert(conn, loan, &c.values(now), p.user_id, now)?;
        found(conn, booking_id)
    })
}

fn found(conn: &mut DbConnection, booking_id: i64) -> Result<Evaluation> {
    store::find(conn, booking_id)?
        .map(to_evaluation)
        .ok_or_else(|| Error::NotFound(format!("evaluation of booking {booking_id}")))
}

/// The venue changes its report, until 30 days after the loan's last day.
pub fn patch(
    conn: &mut DbConnection,
    p: &Principal,
    booking_id: i64,
    patch: &EvaluationPatch,
    now: NaiveDateTime,
) -> Result<Evaluation> {
    write_transaction(conn, |conn| {
        evaluable(conn, p, booking_id)?;
        let current = found(conn, booking_id)?;
        if now > current.editable_until {
            return Err(Error::conflict(
                Code::EvaluationLocked,
                format!(
                    "the evaluation could be changed until {}",
                    crate::timestamp::format(current.editable_until)
                ),
            ));
        }
        let merged = NewEvaluation {
            visitors: patch.visitors.unwrap_or(current.visitors),
            sessions: patch.sessions.unwrap_or(current.sessions),
            audiences: patch.audiences.clone().unwrap_or(current.audiences),
            satisfaction: patch.satisfaction.unwrap_or(current.satisfaction),
            comment: patch.comment.clone().or(current.comment),
        };
        let c = check(&merged)?;
        store::update(conn, booking_id, &c.values(now))?;
        found(conn, booking_id)
    })
}

/// The evaluation of a booking, for whoever may read the booking.
pub fn get(conn: &mut DbConnection, p: &Principal, booking_id: i64) -> Result<Evaluation> {
    visible_booking(conn, p, booking_id)?;
    found(conn, booking_id)
}

/// The evaluations the caller may read: a venue its own, a producer those of its resources, a
/// partner none, the agency all.
pub fn list(conn: &mut DbConnection, p: &Principal, q: &EvaluationQuery) -> Result<EvaluationList> {
    if let (Some(from), Some(to)) = (q.from, q.to) {
        if to < from {
            return Err(Error::invalid("to", "must not be before from"));
        }
    }
    let mut filter = Filter {
        producer_id: None,
        venue_id: q.venue_id,
        resource_id: q.resource_id,
        from: q.from,
        to: q.to,
    };
    match p.kind {
        OrgKind::Agency => {}
        OrgKind::Producer => filter.producer_id = Some(p.organization_id),
        OrgKind::Venue => {
            if q.venue_id.is_some_and(|v| v != p.organization_id) {
                return Err(Error::Forbidden(
                    "a venue reads its own evaluations only".into(),
                ));
            }
            filter.venue_id = Some(p.organization_id);
        }
        _ => {
            return Err(Error::Forbidden(
                "evaluations are read by venues, producers and the agency".into(),
            ))
        }
    }
    let items: Vec<Evaluation> = store::list(conn, &filter, MAX_LISTED)?
        .into_iter()
        .map(to_evaluation)
        .collect();
    let figures = store::figures(conn, &filter)?;
    let count = figures.len() as i64;
    let visitors = figures.iter().map(|f| i64::from(f.0)).sum();
    let sessions = figures.iter().map(|f| i64::from(f.1)).sum();
    let mean_satisfaction = (count > 0).then(|| {
        let sum: i64 = figures.iter().map(|f| i64::from(f.2)).sum();
        (sum as f64 / count as f64 * 100.0).round() / 100.0
    });
    Ok(EvaluationList {
        items,
        count,
        visitors,
        sessions,
        mean_satisfaction,
    })
}
