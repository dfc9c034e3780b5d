//! Database access shared by every domain: one connection type over SQLite and PostgreSQL, the
//! pool, migrations and the reference-data seed that runs with them.

use std::path::PathBuf;
use std::time::Duration;

use diesel::connection::SimpleConnection;
use diesel::pg::PgConnection;
use diesel::prelude::*;
use diesel::r2d2::{self, ManageConnection, PooledConnection};
use diesel::sqlite::SqliteConnection;
use diesel_migrations::{embed_migrations, EmbeddedMigrations, MigrationHarness};

use crate::error::{Code, Error};

pub mod gate;
pub mod queue;
pub mod vocabulary;

/// Declares a constant selection of columns, listed once: a diesel column is a unit struct, so
/// the tuple of their paths is both the constant's type and its value.
#[macro_export]
macro_rules! columns {
    ($(#[$meta:meta])* $vis:vis const $name:ident = ($($column:path),+ $(,)?);) => {
        $(#[$meta])*
        $vis const $name: ($($column,)+) = ($($column,)+);
    };
}

/// One connection to whichever backend the URL selected; queries are written once against it.
#[derive(diesel::MultiConnection)]
pub enum DbConnection {
    Sqlite(SqliteConnection),
    Postgres(PgConnection),
}

/// The diesel backend type of [`DbConnection`], for boxed queries built before they run.
pub type DbBackend = <DbConnection as diesel::Connection>::Backend;

/// The supported backends, named as `/health` reports them.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Backend {
    Sqlite,
    Postgres,
}

impl Backend {
    /// Stable lowercase name used in `/health` and logs.
    pub fn as_str(self) -> &'static str {
        match self {
            Backend::Sqlite => "sqlite",
            Backend::Postgres => "postgres",
        }
    }
}

impl DbConnection {
    /// Which backend this connection talks to, for the few places that need backend SQL.
    pub fn backend(&self) -> Backend {
        match self {
            DbConnection::Sqlite(_) => Backend::Sqlite,
            DbConnection::Postgres(_) => Backend::Postgres,
        }
    }
}

/// Why the database cannot be used, with the real cause (never a generic "invalid URL").
#[derive(Debug, thiserror::Error)]
pub enum DbError {
    #[error(
        "unsupported database URL {0:?}: use sqlite://PATH, a bare file path, or postgres://…"
    )]
    BadUrl(String),
    #[error("cannot create the data directory {path}: {source}")]
    DataDir {
        path: String,
        source: std::io::Error,
    },
    #[error("cannot connect to {backend} database: {source}")]
    Connect {
        backend: &'static str,
        source: diesel::ConnectionError,
    },
    #[error("database pool: {0}")]
    Pool(String),
    #[error("migrations failed: {0}")]
    Migration(String),
    #[error("database error: {0}")]
    Query(#[from] diesel::result::Error),
}

/// A parsed database URL: the backend and what its driver needs.
#[derive(Debug, Clone)]
pub struct DatabaseTarget {
    pub backend: Backend,
    /// File path for SQLite, the full URL for PostgreSQL.
    pub location: String,
}

impl DatabaseTarget {
    /// Picks the backend from the URL scheme; a bare path means a SQLite file.
    pub fn parse(url: &str) -> Result<DatabaseTarget, DbError> {
        let url = url.trim();
        if url.starts_with("postgres://") || url.starts_with("postgresql://") {
            return Ok(DatabaseTarget {
                backend: Backend::Postgres,
                location: url.to_string(),
            });
        }
        let path = if let Some(rest) = url.strip_prefix("sqlite://") {
            rest
        } else if let Some(rest) = url.strip_prefix("sqlite:") {
            rest
        } else if url.contains("://") || url.is_empty() {
            return Err(DbError::BadUrl(url.to_string()));
        } else {
            url
        };
        if path.is_empty() {
            return Err(DbError::BadUrl(url.to_string()));
        }
        Ok(DatabaseTarget {
            backend: Backend::Sqlite,
            location: path.to_string(),
        })
    }

    /// Opens one connection, with the SQLite pragmas every connection needs.
    pub fn connect(&self) -> Result<DbConnection, DbError> {
        match self.backend {
            Backend::Sqlite => {
                let mut conn = SqliteConnection::establish(&self.location).map_err(|source| {
                    DbError::Connect {
                        backend: "sqlite",
                        source,
                    }
                })?;
                // WAL lets readers proceed during a write; busy_timeout makes writers queue
                // instead of failing; foreign keys are off in SQLite unless asked for.
                conn.batch_execute(
                    "PRAGMA journal_mode = WAL; PRAGMA synchronous = NORMAL; \
                     PRAGMA foreign_keys = ON; PRAGMA busy_timeout = 15000;",
                )
                .map_err(DbError::Query)?;
                Ok(DbConnection::Sqlite(conn))
            }
            Backend::Postgres => PgConnection::establish(&self.location)
                .map(DbConnection::Postgres)
                .map_err(|source| DbError::Connect {
                    backend: "postgres",
                    source,
                }),
        }
    }

    /// Creates the directory of a SQLite file so that a fresh machine needs no set-up.
    pub fn prepare(&self) -> Result<(), DbError> {
        if self.backend == Backend::Sqlite && self.location != ":memory:" {
            if let Some(parent) = PathBuf::from(&self.location).parent() {
                if !parent.as_os_str().is_empty() {
                    std::fs::create_dir_all(parent).map_err(|source| DbError::DataDir {
                        path: parent.display().to_string(),
                        source,
                    })?;
                }
            }
        }
        Ok(())
    }
}

/// Writes a consistent copy of a SQLite database to `to` while the service runs (`VACUUM INTO`:
/// one read transaction, so writers go on and the copy is a single point in time, compacted).
/// PostgreSQL is backed up with its own tools (`pg_dump`, or base backups with WAL archiving for
/// point-in-time recovery); the error says so.
pub fn backup(database_url: &str, to: &std::path::Path) -> Result<(), String> {
    let target = DatabaseTarget::parse(database_url).map_err(|e| e.to_string())?;
    if target.backend == Backend::Postgres {
        return Err(
            "PostgreSQL is backed up with its own tools: `pg_dump -Fc` for a copy, or base \
             backups with WAL archiving for point-in-time recovery (see docs/operations.md)"
                .into(),
        );
    }
    let path = to
        .to_str()
        .ok_or_else(|| format!("{} is not a UTF-8 path", to.display()))?;
    // The copy holds password hashes and webhook secrets: it is created here, readable by its
    // owner only (0600), and never through a symlink (`create_new` is O_CREAT|O_EXCL, which
    // refuses any existing name, a dangling symlink included). SQLite then fills the empty file.
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create_new(true);
    #[cfg(unix)]
    std::os::unix::fs::OpenOptionsExt::mode(&mut options, 0o600);
    options.open(to).map_err(|e| match e.kind() {
        std::io::ErrorKind::AlreadyExists => format!(
            "{} exists (or is a symlink); a backup never overwrites a file",
            to.display()
        ),
        _ => format!("cannot create {}: {e}", to.display()),
    })?;
    let copied = target
        .connect()
        .map_err(|e| e.to_string())
        .and_then(|mut conn| {
            conn.batch_execute(&format!("VACUUM INTO '{}'", path.replace('\'', "''")))
                .map_err(|e| format!("backup failed: {e}"))
        });
    if copied.is_err() {
        let _ = std::fs::remove_file(to);
    }
    copied
}

/// r2d2 manager that chooses the backend from the URL itself (diesel's derive would try each
/// backend in turn and hide the real error behind the pool timeout).
#[derive(Debug, Clone)]
pub struct ConnectionManager {
    target: DatabaseTarget,
}

impl ManageConnection for ConnectionManager {
    type Connection = DbConnection;
    type Error = r2d2::Error;

    fn connect(&self) -> Result<DbConnection, r2d2::Error> {
        self.target.connect().map_err(|e| match e {
            DbError::Connect { source, .. } => r2d2::Error::ConnectionError(source),
            DbError::Query(q) => r2d2::Error::QueryError(q),
            other => r2d2::Error::ConnectionError(diesel::ConnectionError::BadConnection(
                other.to_string(),
            )),
        })
    }

    fn is_valid(&self, conn: &mut DbConnection) -> Result<(), r2d2::Error> {
        diesel::sql_query("SELECT 1")
            .execute(conn)
            .map(|_| ())
            .map_err(r2d2::Error::QueryError)
    }

    fn has_broken(&self, _conn: &mut DbConnection) -> bool {
        false
    }
}

/// The pool every request borrows connections from.
pub type Pool = r2d2::Pool<ConnectionManager>;
/// A connection borrowed from the pool.
pub type PooledConn = PooledConnection<ConnectionManager>;

/// Builds the pool after one direct connection attempt, so a bad URL or an unreachable server
/// is reported at once with its real cause.
pub fn connect_pool(url: &str, size: u32, timeout: Duration) -> Result<(Pool, Backend), DbError> {
    let target = DatabaseTarget::parse(url)?;
    target.prepare()?;
    drop(target.connect()?);
    let backend = target.backend;
    let pool = r2d2::Pool::builder()
        .max_size(size)
        // No idle connection kept warm: with `Some(1)` the pool reopened one in a background
        // thread while the first was in use, and a command exiting during that connect crashed
        // in libpq's exit handlers (a segfault in ~1 of 30 `demo-data` runs on PostgreSQL).
        .min_idle(Some(0))
        .connection_timeout(timeout)
        .build(ConnectionManager { target })
        .map_err(|e| DbError::Pool(e.to_string()))?;
    Ok((pool, backend))
}

const SQLITE_MIGRATIONS: EmbeddedMigrations = embed_migrations!("migrations/sqlite");
const POSTGRES_MIGRATIONS: EmbeddedMigrations = embed_migrations!("migrations/postgres");

/// Key of the PostgreSQL advisory lock that serialises migrations across instances.
const MIGRATION_LOCK_KEY: i64 = 0x6974_696e_6572;

/// A loader of reference data run right after the migrations, under the same lock (the wiring
/// passes the territory's communes; the database layer knows no domain).
pub type Seed = fn(&mut DbConnection) -> Result<usize, DbError>;

/// Runs pending migrations and then `seed`, safely when several instances start at once.
/// Returns how many migrations were applied.
pub fn migrate(conn: &mut DbConnection, seed: Seed) -> Result<usize, DbError> {
    match conn {
        DbConnection::Sqlite(c) => {
            let applied = c
                .run_pending_migrations(SQLITE_MIGRATIONS)
                .map_err(|e| DbError::Migration(e.to_string()))?
                .len();
            seed(conn)?;
            Ok(applied)
        }
        DbConnection::Postgres(c) => {
            c.batch_execute(&format!("SELECT pg_advisory_lock({MIGRATION_LOCK_KEY})"))?;
            let result = c
                .run_pending_migrations(POSTGRES_MIGRATIONS)
                .map(|v| v.len())
                .map_err(|e| DbError::Migration(e.to_string()));
            let result = result.and_then(|applied| seed(conn).map(|_| applied));
            if let DbConnection::Postgres(c) = conn {
                c.batch_execute(&format!("SELECT pg_advisory_unlock({MIGRATION_LOCK_KEY})"))?;
            }
            result
        }
    }
}

/// Runs `f` in a write transaction that holds the database's write lock from its first statement,
/// so check-then-write rules (no double booking, unique tags) cannot race between requests.
///
/// PostgreSQL relies on row locks and constraints inside an ordinary transaction. SQLite starts
/// deferred transactions as readers, and a reader that later writes fails at once if another
/// writer went first; writing to the one-row `write_gate` table first takes the write lock (the
/// effect of `BEGIN IMMEDIATE`) and makes concurrent writers queue on `busy_timeout` instead.
pub fn write_transaction<T, E>(
    conn: &mut DbConnection,
    f: impl FnOnce(&mut DbConnection) -> Result<T, E>,
) -> Result<T, E>
where
    E: From<diesel::result::Error>,
{
    // SQLite writers of one file queue first come, first served in the process (`gate`).
    let _turn = match conn {
        DbConnection::Sqlite(lite) => {
            // A plain transaction around this one would hold SQLite's lock outside the queue
            // while this one waits in it: two writers then wait on each other for `busy_timeout`.
            debug_assert!(
                gate::held_here()
                    || <diesel::connection::AnsiTransactionManager as
                        diesel::connection::TransactionManager<SqliteConnection>>::
                        transaction_manager_status_mut(lite)
                    .transaction_depth()
                    .ok()
                    .flatten()
                    .is_none(),
                "write_transaction inside a transaction that did not enter the write queue"
            );
            Some(gate::enter(&sqlite_file(lite)?))
        }
        DbConnection::Postgres(_) => None,
    };
    conn.transaction(|conn| {
        if conn.backend() == Backend::Sqlite {
            conn.batch_execute("UPDATE write_gate SET generation = generation + 1 WHERE id = 1")?;
        }
        f(conn)
    })
}

/// The file of a SQLite connection's main database (its write queue's name).
fn sqlite_file(conn: &mut SqliteConnection) -> QueryResult<String> {
    #[derive(QueryableByName)]
    struct Database {
        #[diesel(sql_type = diesel::sql_types::Text)]
        name: String,
        #[diesel(sql_type = diesel::sql_types::Text)]
        file: String,
    }
    let databases: Vec<Database> = diesel::sql_query("PRAGMA database_list").load(conn)?;
    Ok(databases
        .into_iter()
        .find(|d| d.name == "main")
        .map(|d| d.file)
        .unwrap_or_default())
}

// The database's errors as the service's: here, in the database layer, so the kernel's error
// type knows nothing of diesel.
impl From<diesel::result::Error> for Error {
    fn from(e: diesel::result::Error) -> Self {
        use diesel::result::{DatabaseErrorKind, Error as D};
        match e {
            D::NotFound => Error::NotFound("resource".into()),
            D::DatabaseError(DatabaseErrorKind::UniqueViolation, info) => Error::conflict(
                Code::AlreadyExists,
                format!(
                    "a record with the same unique value exists ({})",
                    info.message()
                ),
            ),
            D::DatabaseError(DatabaseErrorKind::ExclusionViolation, _) => Error::conflict(
                Code::OccupationOverlap,
                "the copy is already occupied on some of these days",
            ),
            D::DatabaseError(DatabaseErrorKind::SerializationFailure, _) => {
                Error::Unavailable("concurrent update, please retry".into())
            }
            other => Error::Internal(other.to_string()),
        }
    }
}

impl From<DbError> for Error {
    fn from(e: DbError) -> Self {
        match e {
            DbError::Query(q) => q.into(),
            other => Error::Unavailable(other.to_string()),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn urls_select_the_backend() {
        let t = DatabaseTarget::parse("postgres://u@h/d").unwrap();
        assert_eq!(t.backend, Backend::Postgres);
        let t = DatabaseTarget::parse("sqlite://var/x.db").unwrap();
        assert_eq!(
            (t.backend, t.location.as_str()),
            (Backend::Sqlite, "var/x.db")
        );
        let t = DatabaseTarget::parse("/tmp/x.db").unwrap();
        assert_eq!(
            (t.backend, t.location.as_str()),
            (Backend::Sqlite, "/tmp/x.db")
        );
        assert!(matches!(
            DatabaseTarget::parse("mysql://u@h/d"),
            Err(DbError::BadUrl(_))
        ));
        assert!(DatabaseTarget::parse("").is_err());
    }

    #[test]
    fn unreachable_postgres_fails_fast_with_the_cause() {
        let started = std::time::Instant::now();
        let err = connect_pool(
            "postgres://nobody@127.0.0.1:1/none",
            2,
            Duration::from_secs(30),
        )
        .unwrap_err();
        assert!(started.elapsed() < Duration::from_secs(10));
        let text = err.to_string();
        // The cause after the fixed prefix: libpq's own words, naming the port it could not reach.
        let cause = text
            .strip_prefix("cannot connect to postgres database: ")
            .unwrap_or_else(|| panic!("prefix: {text}"));
        assert!(cause.contains("Connection refused"), "{text}");
        assert!(cause.contains("port 1"), "{text}");
    }
}
