//! Itinérance: the logistics backbone of a regional network lending itinerant science-culture
//! resources. Each domain module holds its HTTP handlers (`http`), rules (`service`) and data
//! access (`store`); `app` wires them, `db` and `error` are shared.

#![cfg_attr(not(test), deny(clippy::unwrap_used, clippy::expect_used))]

pub mod access;
pub mod account;
pub mod allocation;
pub mod api;
pub mod app;
pub mod audit;
pub mod auth;
pub mod billing;
pub mod booking;
pub mod catalogue;
pub mod chart;
pub mod client;
pub mod clock;
pub mod condition;
pub mod config;
pub mod db;
pub mod demo;
pub mod error;
pub mod evaluation;
pub mod http;
pub mod idempotency;
pub mod jobs;
pub mod media;
pub mod money;
pub mod notify;
pub mod observatory;
pub mod organization;
pub mod outbox;
pub mod page;
pub mod pdf;
pub mod portal;
pub mod rng;
pub mod schema;
pub mod state;
pub mod territory;
pub mod text;
pub mod timestamp;
pub mod transport;

use std::sync::Arc;
use std::time::Duration;

use auth::token::TokenKeys;
use config::{Config, Mode};
use state::AppState;

/// Why the service could not start.
#[derive(Debug, thiserror::Error)]
pub enum StartError {
    #[error(transparent)]
    Config(#[from] config::ConfigError),
    #[error(transparent)]
    Database(#[from] db::DbError),
    #[error("{0}")]
    Other(String),
}

/// Connects to the database, runs migrations and builds the shared state: everything `serve`
/// needs before it binds, also used by the tests.
pub fn bootstrap(config: Config) -> Result<AppState, StartError> {
    let url = config.effective_database_url();
    let (pool, backend) = db::connect_pool(
        &url,
        config.database_pool_size,
        Duration::from_secs(config.database_timeout_seconds),
    )?;
    {
        let mut conn = pool.get().map_err(|e| StartError::Other(e.to_string()))?;
        let applied = migrate(&mut conn)?;
        if applied > 0 {
            tracing::info!(applied, backend = backend.as_str(), "migrations applied");
        }
    }
    let secret = jwt_secret(&config)?;
    Ok(AppState {
        pool,
        backend,
        tokens: Arc::new(TokenKeys::new(&secret, config.jwt_ttl_seconds)),
        transition_hook: Arc::new(billing::LoanBilling::from_config(&config)),
        user_gate: Arc::new(auth::session::UserGate::default()),
        queue: Arc::new(tokio::sync::Semaphore::new(
            config.database_pool_size.max(1) as usize,
        )),
        clients_gone: Default::default(),
        clock: config.clock(),
        config: Arc::new(config),
    })
}

/// Runs the migrations, then loads the communes of the territory (reference data) under the
/// same lock: what every start and `itinerance migrate` do.
pub fn migrate(conn: &mut db::DbConnection) -> Result<usize, db::DbError> {
    db::migrate(conn, territory::seed_communes)
}

/// Whether `serve` must warn that it made up a JWT secret.
pub fn jwt_secret_is_made_up(config: &Config) -> bool {
    config.jwt_secret.is_empty() && config.mode == Mode::Development
}

/// The configured secret, or in development a random one (tokens then die with the process and
/// are not shared between instances, which is why production refuses to start without one).
fn jwt_secret(config: &Config) -> Result<Vec<u8>, StartError> {
    if !config.jwt_secret.is_empty() {
        return Ok(config.jwt_secret.as_bytes().to_vec());
    }
    if config.mode == Mode::Production {
        return Err(config::ConfigError::MissingJwtSecret.into());
    }
    let mut secret = vec![0u8; 32];
    getrandom::fill(&mut secret).map_err(|e| StartError::Other(format!("no randomness: {e}")))?;
    Ok(secret)
}

#[cfg(test)]
mod wire_names {
    /// Every vocabulary serialises (and is published) under the name it is stored as.
    fn check<
        T: serde::Serialize + serde::de::DeserializeOwned + PartialEq + std::fmt::Debug + Copy,
    >(
        all: &[T],
        as_str: fn(T) -> &'static str,
    ) {
        for &value in all {
            let wire = serde_json::to_value(value).unwrap();
            assert_eq!(wire, serde_json::Value::from(as_str(value)), "{value:?}");
            let back: T = serde_json::from_value(wire).unwrap();
            assert_eq!(back, value);
        }
    }

    #[test]
    fn wire_names_match_stored_names() {
        use crate::booking::model::{BookingAction, BookingStatus, WaitlistStatus};
        use crate::catalogue::model::{Audience, CopyStatus, ResourceKind, Theme};
        use crate::condition::model::{MaintenanceKind, Stage};
        use crate::condition::service::FleetSort;
        use crate::organization::model::{OrgKind, Role, VenueType};
        use crate::territory::model::CommuneClass;
        use crate::transport::distance::Metric;
        use crate::transport::model::LegKind;
        check(BookingStatus::ALL, BookingStatus::as_str);
        check(BookingAction::ALL, BookingAction::as_str);
        check(WaitlistStatus::ALL, WaitlistStatus::as_str);
        check(Stage::ALL, Stage::as_str);
        check(MaintenanceKind::ALL, MaintenanceKind::as_str);
        check(FleetSort::ALL, FleetSort::as_str);
        check(LegKind::ALL, LegKind::as_str);
        check(Metric::ALL, Metric::as_str);
        check(CommuneClass::ALL, CommuneClass::as_str);
        check(ResourceKind::ALL, ResourceKind::as_str);
        check(Theme::ALL, Theme::as_str);
        check(Audience::ALL, Audience::as_str);
        check(CopyStatus::ALL, CopyStatus::as_str);
        check(OrgKind::ALL, OrgKind::as_str);
        check(Role::ALL, Role::as_str);
        check(VenueType::ALL, VenueType::as_str);
        check(crate::error::Code::ALL, crate::error::Code::as_str);
        check(
            crate::outbox::SubjectType::ALL,
            crate::outbox::SubjectType::as_str,
        );
        check(
            crate::audit::AuditObject::ALL,
            crate::audit::AuditObject::as_str,
        );
    }

    #[test]
    fn published_enums_list_the_wire_names() {
        let doc = serde_json::to_value(crate::app::openapi()).unwrap();
        let schemas = &doc["components"]["schemas"];
        assert_eq!(
            schemas["CommuneClass"]["enum"],
            serde_json::json!(["village", "small_town", "medium_town", "large_city"])
        );
        assert_eq!(schemas["OrgKind"]["enum"][0], "agency");
    }
}
