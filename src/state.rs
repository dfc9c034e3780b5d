//! The state every request handler and background job shares. It sits low in the import graph
//! (it knows the database, the token keys and the configuration, no domain), so that the domain
//! modules' handlers can use it while `app`, above them, wires their routes.

use std::sync::Arc;

use actix_web::web;

use crate::auth::token::TokenKeys;
use crate::booking::hooks::SharedHook;
use crate::booking::service::Settings;
use crate::config::Config;
use crate::db::{Backend, DbConnection, Pool};
use crate::error::{Error, Result};

/// Everything a request handler may need; cheap to clone, identical on every instance (no state
/// lives only in one instance's memory).
#[derive(Clone)]
pub struct AppState {
    pub pool: Pool,
    pub backend: Backend,
    pub tokens: Arc<TokenKeys>,
    pub config: Arc<Config>,
    /// The service's clock: fronts read `now` here once and pass it to the services.
    pub clock: crate::clock::Clock,
    /// What billing does on each booking transition (wired at start-up, above every domain).
    pub transition_hook: SharedHook,
    /// Users' standing, remembered a few seconds (deactivation, password change).
    pub user_gate: Arc<crate::auth::session::UserGate>,
    /// The first-come-first-served queue for pooled connections (see [`AppState::run`]).
    pub queue: Arc<tokio::sync::Semaphore>,
    /// Requests dropped at their turn for the database because their client had gone (see
    /// [`crate::client`]); counted for the logs and the tests.
    pub clients_gone: Arc<std::sync::atomic::AtomicU64>,
}

impl AppState {
    /// The booking settings of the configuration, with the wired transition hook.
    pub fn booking_settings(&self) -> Settings {
        Settings::new(&self.config, self.transition_hook.clone())
    }

    /// Runs blocking database work on actix's thread pool with a pooled connection. Callers
    /// queue for a connection first come, first served (a FIFO semaphore with one permit per
    /// pooled connection): the pool's own wait wakes an arbitrary waiter, which under 64
    /// concurrent writers left a few requests waiting for seconds while later ones went through.
    /// A request whose client left while it waited gives its turn away ([`Error::ClientGone`]):
    /// nothing of it was done, and nobody behind it waits for an answer no one will read.
    pub async fn run<T, F>(&self, f: F) -> Result<T>
    where
        F: FnOnce(&mut DbConnection) -> Result<T> + Send + 'static,
        T: Send + 'static,
    {
        let wait = std::time::Duration::from_secs(self.config.database_timeout_seconds);
        let _turn = match actix_web::rt::time::timeout(wait, self.queue.acquire()).await {
            Ok(Ok(permit)) => permit,
            _ => {
                tracing::warn!("no database connection within the timeout");
                return Err(Error::Unavailable(
                    "no database connection is available; retry shortly".into(),
                ));
            }
        };
        if crate::client::gone() {
            let dropped = self
                .clients_gone
                .fetch_add(1, std::sync::atomic::Ordering::Relaxed)
                + 1;
            tracing::info!(dropped, "client gone before its turn; request dropped");
            return Err(Error::ClientGone);
        }
        let pool = self.pool.clone();
        web::block(move || {
            let mut conn = pool.get().map_err(|e| {
                // The cause may name the database's host and name: logged, never shown.
                tracing::warn!(cause = %e, "no database connection");
                Error::Unavailable("no database connection is available; retry shortly".into())
            })?;
            f(&mut conn)
        })
        .await
        .map_err(|e| Error::Internal(format!("blocking task failed: {e}")))?
    }
}
