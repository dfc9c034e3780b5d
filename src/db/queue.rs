//! Leased queues: tables of work that the worker of every instance takes from (mail, webhook
//! deliveries). A row is pending until an attempt succeeds (its queue's done status) or its last
//! try fails (dead). A worker leases due rows under a random token and only the holder of a
//! lease records the outcome, so two instances never attempt one row at once; a lease that
//! expires (a crash mid-send) lets another worker take the row again: at least once. One
//! implementation for every queue, parameterised by the table ([`LeasedQueue`]): each statement
//! is written once for both backends, PostgreSQL's lease adding `FOR UPDATE SKIP LOCKED`
//! (SQLite has one writer at a time).

use chrono::{Duration, NaiveDateTime};
use diesel::query_dsl::methods::ExecuteDsl;
use diesel::sql_types::{BigInt, Nullable, Text, Timestamp};

use super::DbConnection;

/// The longest wait between two attempts.
const MAX_BACKOFF_SECONDS: i64 = 3600;

/// A queue table and its words. The table has the columns every queue has: `id` (BigInt),
/// `status`, `attempts`, `next_attempt_at`, `lease_token`, `leased_until`, `last_error`;
/// what else it keeps about an attempt is its store's business.
#[derive(Debug, Clone, Copy)]
pub struct LeasedQueue {
    /// The table's name in SQL.
    pub table: &'static str,
    /// The status of a row waiting for an attempt.
    pub pending: &'static str,
    /// The status of a row whose attempt succeeded (`sent`, `delivered`).
    pub done: &'static str,
    /// The status of a row given up.
    pub dead: &'static str,
    /// The column that records when it was done (`sent_at`, `delivered_at`).
    pub done_at: &'static str,
}

/// What a failed attempt leads to: when it is tried again, or whether it is given up.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Retry {
    pub next: NaiveDateTime,
    /// The next try would fall after the queue's time limit: the row is dead.
    pub dead: bool,
}

impl Retry {
    /// The outcome of the `attempts`-th failed attempt (this one included) of a row created at
    /// `created_at`, retried with exponential backoff from `base_seconds` and given up once the
    /// next try would come after `give_up_after`: the queues' one retry rule.
    pub fn after(
        now: NaiveDateTime,
        attempts: i32,
        base_seconds: i64,
        created_at: NaiveDateTime,
        give_up_after: Duration,
    ) -> Retry {
        let next = next_attempt(now, attempts, base_seconds);
        Retry {
            next,
            dead: next > created_at + give_up_after,
        }
    }
}

/// When a row that failed `attempts` times (this one included) is tried again: `base_seconds`
/// doubled after each failure, at most an hour apart.
pub fn next_attempt(now: NaiveDateTime, attempts: i32, base_seconds: i64) -> NaiveDateTime {
    let factor = 1_i64 << attempts.clamp(0, 20);
    now + Duration::seconds((base_seconds.max(1) * factor).min(MAX_BACKOFF_SECONDS))
}

/// A random lease token: whoever holds it may record the outcome of what it leased.
pub fn lease_token() -> crate::error::Result<String> {
    let mut bytes = [0u8; 16];
    getrandom::fill(&mut bytes)
        .map_err(|e| crate::error::Error::Internal(format!("no randomness: {e}")))?;
    Ok(bytes.iter().map(|b| format!("{b:02x}")).collect())
}

/// A lease a worker takes on a queue: under its `token`, at `now`, until `until`, at most `limit`
/// rows (named, so that the two times are not swapped).
#[derive(Debug, Clone, Copy)]
pub struct Lease<'a> {
    pub token: &'a str,
    pub now: NaiveDateTime,
    pub until: NaiveDateTime,
    pub limit: i64,
}

impl LeasedQueue {
    /// Takes `lease` on up to `limit` rows due at `now`: pending, due, and not under a live
    /// lease, oldest first. The lease condition is repeated in the outer update so that, on
    /// PostgreSQL, a row another instance leased meanwhile is re-checked and skipped. Returns how
    /// many rows it leased; the store reads them back by their token.
    pub fn lease(&self, conn: &mut DbConnection, lease: &Lease<'_>) -> diesel::QueryResult<usize> {
        let Lease {
            token,
            now,
            until,
            limit,
        } = *lease;
        let table = self.table;
        let skip_locked = match conn {
            DbConnection::Postgres(_) => " FOR UPDATE SKIP LOCKED",
            DbConnection::Sqlite(_) => "",
        };
        let sql = format!(
            "UPDATE {table} SET lease_token = $1, leased_until = $2 \
             WHERE id IN (SELECT id FROM {table} WHERE status = $3 \
               AND next_attempt_at <= $4 AND (leased_until IS NULL OR leased_until < $4) \
               ORDER BY id LIMIT $5{skip_locked}) \
             AND (leased_until IS NULL OR leased_until < $4)"
        );
        let query = diesel::sql_query(numbered(conn, &sql))
            .bind::<Text, _>(token)
            .bind::<Timestamp, _>(until)
            .bind::<Text, _>(self.pending)
            .bind::<Timestamp, _>(now)
            .bind::<BigInt, _>(limit);
        run(conn, query)
    }

    /// Records an attempt that succeeded, if `token` still holds the row's lease; returns how
    /// many rows it changed (0: the lease was lost, another worker has the row).
    pub fn mark_done(
        &self,
        conn: &mut DbConnection,
        id: i64,
        token: &str,
        now: NaiveDateTime,
    ) -> diesel::QueryResult<usize> {
        let sql = format!(
            "UPDATE {} SET status = $1, attempts = attempts + 1, {} = $2, lease_token = NULL, \
             leased_until = NULL, last_error = NULL WHERE id = $3 AND lease_token = $4",
            self.table, self.done_at
        );
        let query = diesel::sql_query(numbered(conn, &sql))
            .bind::<Text, _>(self.done)
            .bind::<Timestamp, _>(now)
            .bind::<BigInt, _>(id)
            .bind::<Text, _>(token);
        run(conn, query)
    }

    /// Records a failed attempt and why, if `token` still holds the row's lease: tried again at
    /// `retry.next`, or dead. Returns how many rows it changed.
    pub fn mark_failed(
        &self,
        conn: &mut DbConnection,
        id: i64,
        token: &str,
        error: &str,
        retry: Retry,
    ) -> diesel::QueryResult<usize> {
        let sql = format!(
            "UPDATE {} SET status = $1, attempts = attempts + 1, next_attempt_at = $2, \
             lease_token = NULL, leased_until = NULL, last_error = $3 \
             WHERE id = $4 AND lease_token = $5",
            self.table
        );
        let status = if retry.dead { self.dead } else { self.pending };
        let query = diesel::sql_query(numbered(conn, &sql))
            .bind::<Text, _>(status)
            .bind::<Timestamp, _>(retry.next)
            .bind::<Nullable<Text>, _>(Some(error))
            .bind::<BigInt, _>(id)
            .bind::<Text, _>(token);
        run(conn, query)
    }
}

/// Adds a row to a queue unless `present` (a count by the queue's own key: one mail per event
/// and recipient, one delivery per event and webhook) finds one: a fan-out repeated after a crash
/// adds nothing. Run it in the fan-out's write transaction. Returns how many rows it added.
pub fn insert_if_absent<'q, P, I>(
    conn: &mut DbConnection,
    present: P,
    insert: I,
) -> diesel::QueryResult<usize>
where
    P: diesel::query_dsl::LoadQuery<'q, DbConnection, i64>,
    I: ExecuteDsl<DbConnection>,
{
    if diesel::RunQueryDsl::get_result::<i64>(present, conn)? > 0 {
        return Ok(0);
    }
    ExecuteDsl::execute(insert, conn)
}

/// A statement's text for the connection's backend: parameters are written `$n` (PostgreSQL's
/// form); SQLite numbers them `?n`.
fn numbered(conn: &DbConnection, sql: &str) -> String {
    match conn {
        DbConnection::Postgres(_) => sql.to_string(),
        DbConnection::Sqlite(_) => sql.replace('$', "?"),
    }
}

/// Runs a statement on whichever backend the connection is.
fn run<Q>(conn: &mut DbConnection, query: Q) -> diesel::QueryResult<usize>
where
    Q: ExecuteDsl<diesel::PgConnection> + ExecuteDsl<diesel::SqliteConnection>,
{
    match conn {
        DbConnection::Postgres(pg) => ExecuteDsl::execute(query, pg),
        DbConnection::Sqlite(lite) => ExecuteDsl::execute(query, lite),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn t0() -> NaiveDateTime {
        chrono::NaiveDate::from_ymd_opt(2027, 1, 1)
            .unwrap()
            .and_hms_opt(0, 0, 0)
            .unwrap()
    }

    #[test]
    fn backoff_doubles_and_is_capped() {
        let t0 = t0();
        assert_eq!(next_attempt(t0, 1, 30), t0 + Duration::seconds(60));
        assert_eq!(next_attempt(t0, 2, 30), t0 + Duration::seconds(120));
        assert_eq!(next_attempt(t0, 12, 30), t0 + Duration::seconds(3600));
        assert_eq!(next_attempt(t0, 60, 30), t0 + Duration::seconds(3600));
    }

    #[test]
    fn a_row_is_dead_once_its_next_try_would_pass_the_limit() {
        let created = t0();
        let day = Duration::hours(24);
        let early = Retry::after(created + Duration::hours(1), 3, 30, created, day);
        assert_eq!(
            early.next,
            created + Duration::hours(1) + Duration::seconds(240)
        );
        assert!(!early.dead);
        let late = Retry::after(created + Duration::hours(23), 20, 30, created, day);
        assert_eq!(late.next, created + Duration::hours(24));
        assert!(!late.dead, "a try exactly at the limit is still made");
        let later = Retry::after(
            created + Duration::minutes(23 * 60 + 1),
            20,
            30,
            created,
            day,
        );
        assert!(later.dead);
    }

    #[test]
    fn statements_are_numbered_for_sqlite() {
        let lite = DbConnection::Sqlite(
            <diesel::SqliteConnection as diesel::Connection>::establish(":memory:").unwrap(),
        );
        assert_eq!(numbered(&lite, "a = $1 AND b = $2"), "a = ?1 AND b = ?2");
    }
}
