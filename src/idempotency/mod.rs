//! `Idempotency-Key`: partners retry on timeouts, and a retried `POST` must never act twice.
//!
//! The first request with a key claims it in the database (unique per organisation) *before*
//! its effect runs, so concurrent duplicates on any instance agree on which one acts; the others
//! get 409 `idempotency_key_in_progress` (retry in a second) until the answer is recorded, then
//! that answer, replayed. The same key with another request is 422 `idempotency_key_reused`.
//! Every answer but a 5xx is recorded and replayed (a 4xx is as much the answer as a 2xx); a 5xx
//! gives the claim back so that the retry runs again. Records expire after 24 hours.
//!
//! A claim whose request never finished (its instance died) is taken over after
//! `idempotency_abandoned_after_seconds` ([`ABANDONED_AFTER`] by default). That is safe only if an
//! unanswered claim means "nothing was done": an operation whose effect is one transaction records
//! its answer in that same transaction ([`http::Slot::record`]), so after a crash either both the
//! effect and the answer exist (the retry replays it) or neither does (the retry runs it, once).
//! An operation that does not (its answer recorded just after its effect) keeps a window of a few
//! milliseconds in which a crash lets a late retry act again; every operation whose second run
//! would not be refused by its own state (`POST /bookings`) records in its transaction.

pub mod store;

use chrono::{Duration, NaiveDateTime};
use sha2::{Digest, Sha256};

use crate::db::DbConnection;
use crate::error::{Error, Result};

/// How long a key is remembered.
pub const RETENTION: Duration = Duration::hours(24);

/// After this (by default), a claim still in progress is deemed abandoned and may be taken over.
pub const ABANDONED_AFTER: Duration = Duration::seconds(60);

/// Longest accepted key.
pub const MAX_KEY_LENGTH: usize = 255;

/// Name of the header, for documentation and error fields.
pub const HEADER: &str = "Idempotency-Key";

/// A well-formed key: 1 to 255 printable ASCII characters.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Key(String);

impl Key {
    /// Validates a header value.
    pub fn parse(text: &str) -> Result<Key> {
        if text.is_empty() || text.len() > MAX_KEY_LENGTH {
            return Err(Error::invalid(HEADER, "must be 1 to 255 characters"));
        }
        if !text.bytes().all(|b| (0x20..=0x7e).contains(&b)) {
            return Err(Error::invalid(HEADER, "must be printable ASCII"));
        }
        Ok(Key(text.to_string()))
    }

    /// The key as sent.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// What identifies "the same request": method, path and the parsed body in canonical form (keys
/// sorted, no spacing), so that a retry serialised differently is still the same request.
pub fn fingerprint(method: &str, path: &str, body: &serde_json::Value) -> String {
    let mut hasher = Sha256::new();
    hasher.update(method.as_bytes());
    hasher.update(b" ");
    hasher.update(path.as_bytes());
    hasher.update(b"\n");
    hasher.update(body.to_string().as_bytes());
    hasher
        .finalize()
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

/// A recorded answer.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Recorded {
    pub status: u16,
    pub content_type: String,
    pub body: String,
}

/// The outcome of presenting a key.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Claim {
    /// This request holds the key: run it, then [`complete`] or [`release`].
    Acquired { id: i64 },
    /// The same request was answered: replay this.
    Replay(Recorded),
    /// The same request is running elsewhere.
    InProgress,
    /// The key was used for another request.
    Reused,
}

/// Presents `key` for a request of `organization_id` with fingerprint `request_hash`; a claim
/// unanswered for `abandoned_after` is taken over.
pub fn claim(
    conn: &mut DbConnection,
    organization_id: i64,
    key: &Key,
    request_hash: &str,
    abandoned_after: Duration,
    now: NaiveDateTime,
) -> Result<Claim> {
    use diesel::result::{DatabaseErrorKind, Error as D};
    // A record can vanish (released, purged) or be taken over between our insert and our read;
    // each such race is retried, and three in a row mean heavy contention on one key.
    for _ in 0..3 {
        match store::insert_claim(conn, organization_id, key.as_str(), request_hash, now) {
            Ok(id) => return Ok(Claim::Acquired { id }),
            Err(D::DatabaseError(DatabaseErrorKind::UniqueViolation, _)) => {}
            Err(e) => return Err(e.into()),
        }
        let Some(row) = store::find(conn, organization_id, key.as_str())? else {
            continue;
        };
        if row.created_at <= now - RETENTION {
            if store::take_over(conn, &row, request_hash, now)? {
                return Ok(Claim::Acquired { id: row.id });
            }
            continue;
        }
        if row.request_hash != request_hash {
            return Ok(Claim::Reused);
        }
        if let (Some(status), Some(content_type), Some(body)) = (
            row.response_status,
            row.response_content_type.clone(),
            row.response_body.clone(),
        ) {
            return Ok(Claim::Replay(Recorded {
                status: u16::try_from(status).unwrap_or(500),
                content_type,
                body,
            }));
        }
        if row.created_at <= now - abandoned_after {
            if store::take_over(conn, &row, request_hash, now)? {
                return Ok(Claim::Acquired { id: row.id });
            }
            continue;
        }
        return Ok(Claim::InProgress);
    }
    Ok(Claim::InProgress)
}

/// Records the answer of an acquired claim.
pub fn complete(
    conn: &mut DbConnection,
    id: i64,
    answer: &Recorded,
    now: NaiveDateTime,
) -> Result<()> {
    store::complete(
        conn,
        id,
        i32::from(answer.status),
        &answer.content_type,
        &answer.body,
        now,
    )?;
    Ok(())
}

/// Gives an acquired claim back, so that a retry runs the request again.
pub fn release(conn: &mut DbConnection, id: i64) -> Result<()> {
    store::release(conn, id)?;
    Ok(())
}

/// Forgets keys older than [`RETENTION`]; safe on every instance at once.
pub fn purge_expired(conn: &mut DbConnection, now: NaiveDateTime) -> Result<usize> {
    Ok(store::purge_before(conn, now - RETENTION)?)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keys_are_printable_ascii_up_to_255() {
        assert!(Key::parse("retry-2026-11-24/abc").is_ok());
        assert!(Key::parse(&"k".repeat(255)).is_ok());
        assert!(Key::parse("").is_err());
        assert!(Key::parse(&"k".repeat(256)).is_err());
        assert!(Key::parse("tab\there").is_err());
        assert!(Key::parse("clé").is_err());
    }

    #[test]
    fn the_fingerprint_ignores_formatting_but_not_content() {
        let a: serde_json::Value = serde_json::from_str(r#"{"b": 1, "a": [1, 2]}"#).unwrap();
        let b: serde_json::Value = serde_json::from_str(r#"{"a":[1,2],"b":1}"#).unwrap();
        let c: serde_json::Value = serde_json::from_str(r#"{"a":[2,1],"b":1}"#).unwrap();
        let p = "/api/v1/bookings";
        assert_eq!(fingerprint("POST", p, &a), fingerprint("POST", p, &b));
        assert_ne!(fingerprint("POST", p, &a), fingerprint("POST", p, &c));
        assert_ne!(
            fingerprint("POST", p, &a),
            fingerprint("POST", "/api/v1/x", &a)
        );
    }
}
