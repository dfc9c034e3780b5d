//! Service configuration: `config/default.toml` (compiled in, so the binary runs from anywhere),
//! an optional file named by `ITINERANCE_CONFIG`, then `ITINERANCE_*` environment variables.

use std::path::PathBuf;

use serde::Deserialize;

/// The defaults shipped with the source tree; every key is documented there.
const DEFAULT_TOML: &str = include_str!("../config/default.toml");

/// Prefix of the environment variables that override configuration keys.
const ENV_PREFIX: &str = "ITINERANCE_";

/// The furthest the clock may be moved: ten years either way keeps every date in range.
const MAX_CLOCK_OFFSET_SECONDS: i64 = 10 * 366 * 24 * 3600;

/// The longest a booking may ever last, whatever `booking_max_days` says: queries for the loans
/// meeting a period look no further back than this before its first day (so that they read a
/// bounded range of an index, not the whole history).
pub const MAX_BOOKING_DAYS: i64 = 3 * 366;

/// Whether the service may take shortcuts meant for a developer's machine.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Mode {
    Development,
    Production,
}

/// Everything the service reads at start-up; see `config/default.toml` for each key.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Config {
    pub mode: Mode,
    pub bind: String,
    pub data_dir: PathBuf,
    pub database_url: String,
    pub database_pool_size: u32,
    pub database_timeout_seconds: u64,
    pub jwt_secret: String,
    pub jwt_ttl_seconds: i64,
    pub body_limit_bytes: usize,
    pub shutdown_timeout_seconds: u64,
    pub workers: usize,
    pub log: String,
    pub smtp_url: String,
    /// The sender of notification mail, e.g. `Itinérance <notifications@example.org>`.
    pub mail_from: String,
    /// Where people open the service; mail links to bookings under it.
    pub public_base_url: String,
    /// First wait before a failed mail is tried again (doubling each time, at most one hour).
    pub notify_retry_base_seconds: i64,
    /// How often an idle notification worker looks for work.
    pub notify_poll_ms: u64,
    /// The pause between two busy rounds of the worker, so that a burst of events does not take
    /// the CPU from requests.
    pub notify_pace_ms: u64,
    /// Whether this instance runs the notification worker (mail and webhooks). Any number of
    /// instances may; turn it off to keep some instances for requests only.
    pub notify_worker: bool,
    /// First wait before a failed webhook delivery is tried again (doubling, at most one hour).
    pub webhook_retry_base_seconds: i64,
    /// The longest a webhook receiver may take to answer before the attempt counts as failed.
    pub webhook_timeout_ms: u64,
    /// Allow webhook URLs on loopback, private and link-local addresses (tests, closed
    /// networks); off by default against server-side request forgery.
    pub webhook_allow_private: bool,
    /// After this, a keyed request still in progress is deemed abandoned (its instance died)
    /// and a retry may run it again.
    pub idempotency_abandoned_after_seconds: i64,
    /// Seconds added to the system clock (tests and staging run the service at another date;
    /// refused in production mode). See [`crate::clock::Clock`].
    pub clock_offset_seconds: i64,
    pub booking_hold_days: i64,
    pub booking_max_days: i64,
    pub booking_horizon_days: i64,
    /// Bookings a venue may hold in `requested` at once.
    pub max_open_requests_per_venue: i64,
    pub transport_km_per_day: f64,
    pub transport_handling_days: i64,
    pub road_detour_factor: f64,
    pub jobs_interval_seconds: u64,
    pub condition_blocking_grade: i32,
    pub wear_weight_loan: f64,
    pub wear_weight_day: f64,
    pub wear_weight_km: f64,
    pub wear_weight_handling: f64,
    pub wear_maintenance_threshold: f64,
    pub maintenance_interval_days: i64,
    pub wear_retirement_index: f64,
    pub osrm_url: String,
    pub osrm_timeout_ms: u64,
    pub transport_avg_speed_kmh: f64,
    pub transport_cost_per_km_cents: i64,
    pub transport_handling_cost_cents: i64,
    pub transport_co2_g_per_km: f64,
    pub chain_max_gap_days: i64,
    pub routes_max_stops: usize,
    /// Minutes at every stop of a day plan (parking, signature).
    pub tour_stop_minutes: i64,
    /// Minutes per crate carried in or out.
    pub tour_minutes_per_crate: i64,
    /// Minutes of set-up help when a delivered resource needs setting up (`setup_days` > 0).
    pub tour_setup_help_minutes: i64,
    /// Solver time of a day plan, in milliseconds.
    pub tour_time_limit_ms: u64,
}

/// Why the configuration cannot be used; the service refuses to start with any of these.
#[derive(Debug, thiserror::Error)]
pub enum ConfigError {
    #[error("cannot read configuration file {path}: {source}")]
    Read {
        path: String,
        source: std::io::Error,
    },
    #[error("invalid configuration: {0}")]
    Invalid(String),
    #[error("ITINERANCE_JWT_SECRET is required in production mode (at least 32 bytes)")]
    MissingJwtSecret,
}

impl Config {
    /// Loads defaults, the optional file and the environment, then checks the result.
    pub fn load() -> Result<Config, ConfigError> {
        let env: Vec<(String, String)> = std::env::vars().collect();
        Self::from_sources(&env)
    }

    /// Same as [`Config::load`] with an explicit environment, so tests need not mutate the process.
    pub fn from_sources(env: &[(String, String)]) -> Result<Config, ConfigError> {
        let mut table: toml::Table = DEFAULT_TOML
            .parse()
            .map_err(|e| ConfigError::Invalid(format!("config/default.toml: {e}")))?;
        if let Some((_, path)) = env.iter().find(|(k, _)| k == "ITINERANCE_CONFIG") {
            let text = std::fs::read_to_string(path).map_err(|source| ConfigError::Read {
                path: path.clone(),
                source,
            })?;
            let overlay: toml::Table = text
                .parse()
                .map_err(|e| ConfigError::Invalid(format!("{path}: {e}")))?;
            table.extend(overlay);
        }
        for (key, value) in env {
            let Some(name) = key.strip_prefix(ENV_PREFIX) else {
                continue;
            };
            let name = name.to_ascii_lowercase();
            if name == "config" {
                continue;
            }
            // Only keys the defaults know are overrides; anything else is left to other tools.
            let Some(default) = table.get(&name) else {
                continue;
            };
            let parsed = match default {
                toml::Value::Integer(_) => value
                    .parse::<i64>()
                    .map(toml::Value::Integer)
                    .map_err(|_| ConfigError::Invalid(format!("{key} must be a whole number")))?,
                toml::Value::Boolean(_) => value
                    .parse::<bool>()
                    .map(toml::Value::Boolean)
                    .map_err(|_| ConfigError::Invalid(format!("{key} must be true or false")))?,
                toml::Value::Float(_) => value
                    .parse::<f64>()
                    .map(toml::Value::Float)
                    .map_err(|_| ConfigError::Invalid(format!("{key} must be a number")))?,
                _ => toml::Value::String(value.clone()),
            };
            table.insert(name, parsed);
        }
        let config: Config = toml::Value::Table(table)
            .try_into()
            .map_err(|e: toml::de::Error| ConfigError::Invalid(e.to_string()))?;
        config.validate()
    }

    fn validate(self) -> Result<Config, ConfigError> {
        if self.mode == Mode::Production && self.jwt_secret.len() < 32 {
            return Err(ConfigError::MissingJwtSecret);
        }
        if self.jwt_ttl_seconds <= 0 {
            return Err(ConfigError::Invalid(
                "jwt_ttl_seconds must be positive".into(),
            ));
        }
        if self.booking_max_days > MAX_BOOKING_DAYS {
            return Err(ConfigError::Invalid(format!(
                "booking_max_days must be at most {MAX_BOOKING_DAYS} (three years)"
            )));
        }
        if self.clock_offset_seconds != 0 && self.mode == Mode::Production {
            return Err(ConfigError::Invalid(
                "clock_offset_seconds must be 0 in production mode".into(),
            ));
        }
        if self.clock_offset_seconds.abs() > MAX_CLOCK_OFFSET_SECONDS {
            return Err(ConfigError::Invalid(format!(
                "clock_offset_seconds must be within {MAX_CLOCK_OFFSET_SECONDS} seconds (ten years)"
            )));
        }
        if self.idempotency_abandoned_after_seconds < 1 {
            return Err(ConfigError::Invalid(
                "idempotency_abandoned_after_seconds must be at least 1".into(),
            ));
        }
        if self.booking_hold_days < 1
            || self.booking_max_days < 1
            || self.booking_horizon_days < 1
            || self.max_open_requests_per_venue < 1
        {
            return Err(ConfigError::Invalid(
                "booking_hold_days, booking_max_days, booking_horizon_days and \
                 max_open_requests_per_venue must be at least 1"
                    .into(),
            ));
        }
        if self.transport_km_per_day.is_nan()
            || self.transport_km_per_day <= 0.0
            || self.transport_handling_days < 0
        {
            return Err(ConfigError::Invalid(
                "transport_km_per_day must be positive and transport_handling_days not negative"
                    .into(),
            ));
        }
        if self.road_detour_factor.is_nan() || self.road_detour_factor < 1.0 {
            return Err(ConfigError::Invalid(
                "road_detour_factor must be at least 1".into(),
            ));
        }
        if !(1..=5).contains(&self.condition_blocking_grade) {
            return Err(ConfigError::Invalid(
                "condition_blocking_grade must be between 1 and 5".into(),
            ));
        }
        let weights = [
            self.wear_weight_loan,
            self.wear_weight_day,
            self.wear_weight_km,
            self.wear_weight_handling,
            self.wear_maintenance_threshold,
            self.wear_retirement_index,
        ];
        if weights.iter().any(|w| w.is_nan() || *w < 0.0) || self.maintenance_interval_days < 1 {
            return Err(ConfigError::Invalid(
                "wear weights and thresholds must not be negative, maintenance_interval_days at least 1"
                    .into(),
            ));
        }
        if self.transport_avg_speed_kmh.is_nan()
            || self.transport_avg_speed_kmh <= 0.0
            || self.transport_co2_g_per_km.is_nan()
            || self.transport_co2_g_per_km < 0.0
            || self.transport_cost_per_km_cents < 0
            || self.transport_handling_cost_cents < 0
            || self.chain_max_gap_days < 0
            || self.routes_max_stops < 2
            || !(0..=240).contains(&self.tour_stop_minutes)
            || !(0..=120).contains(&self.tour_minutes_per_crate)
            || !(0..=480).contains(&self.tour_setup_help_minutes)
            || !(100..=10_000).contains(&self.tour_time_limit_ms)
            || self.osrm_timeout_ms == 0
        {
            return Err(ConfigError::Invalid(
                "transport settings: speed positive, costs and CO2 not negative, \
                 routes_max_stops at least 2, osrm_timeout_ms at least 1, tour minutes within \
                 0–240 (stop), 0–120 (crate), 0–480 (set-up help), tour_time_limit_ms 100–10000"
                    .into(),
            ));
        }
        if self.jobs_interval_seconds == 0 {
            return Err(ConfigError::Invalid(
                "jobs_interval_seconds must be at least 1".into(),
            ));
        }
        if self.database_pool_size == 0 {
            return Err(ConfigError::Invalid(
                "database_pool_size must be at least 1".into(),
            ));
        }
        Ok(self)
    }

    /// The service's clock, shifted as configured.
    pub fn clock(&self) -> crate::clock::Clock {
        crate::clock::Clock::shifted(self.clock_offset_seconds)
    }

    /// The database URL, defaulting to the SQLite file under the data directory.
    pub fn effective_database_url(&self) -> String {
        if self.database_url.trim().is_empty() {
            format!("sqlite://{}", self.data_dir.join("itinerance.db").display())
        } else {
            self.database_url.clone()
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn env(pairs: &[(&str, &str)]) -> Vec<(String, String)> {
        pairs
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect()
    }

    #[test]
    fn defaults_load_in_development() {
        let config = Config::from_sources(&[]).unwrap();
        assert_eq!(config.mode, Mode::Development);
        assert_eq!(config.bind, "127.0.0.1:8080");
        assert_eq!(
            config.effective_database_url(),
            "sqlite://var/itinerance.db"
        );
    }

    #[test]
    fn environment_overrides_defaults() {
        let config = Config::from_sources(&env(&[
            ("ITINERANCE_BIND", "0.0.0.0:9000"),
            ("ITINERANCE_DATABASE_URL", "postgres://x@h/db"),
            ("ITINERANCE_JWT_TTL_SECONDS", "60"),
        ]))
        .unwrap();
        assert_eq!(config.bind, "0.0.0.0:9000");
        assert_eq!(config.effective_database_url(), "postgres://x@h/db");
        assert_eq!(config.jwt_ttl_seconds, 60);
    }

    #[test]
    fn production_requires_a_jwt_secret() {
        let err = Config::from_sources(&env(&[("ITINERANCE_MODE", "production")])).unwrap_err();
        assert!(matches!(err, ConfigError::MissingJwtSecret));
        let ok = Config::from_sources(&env(&[
            ("ITINERANCE_MODE", "production"),
            ("ITINERANCE_JWT_SECRET", "0123456789abcdef0123456789abcdef"),
        ]));
        assert!(ok.is_ok());
    }

    #[test]
    fn bad_numbers_and_modes_are_refused() {
        assert!(Config::from_sources(&env(&[("ITINERANCE_WORKERS", "many")])).is_err());
        assert!(Config::from_sources(&env(&[("ITINERANCE_MODE", "staging")])).is_err());
    }
}
