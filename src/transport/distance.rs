//! Distances between real places: the great circle, a road estimate (great circle × a detour
//! factor), and, when one is configured, an OSRM server's road network, with a timeout and a
//! fallback to the estimate so that a routing outage never stops the service.

use std::time::Duration;

use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::territory::geo::{great_circle_km, road_estimate_km, LatLon};

crate::stored_enum! {
    /// How distances are measured.
    pub enum Metric {
        /// Great circle on a sphere of radius 6371.0088 km.
        Haversine => "haversine",
        /// By road: OSRM when configured, else the great circle × `road_detour_factor`.
        Road => "road",
    }
}

/// Where a set of distances came from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum DistanceSource {
    /// Great circle.
    Haversine,
    /// Great circle × detour factor.
    RoadEstimate,
    /// An OSRM server.
    Osrm,
}

/// Distances and travel times between every pair of points, in km and hours.
#[derive(Debug, Clone, PartialEq)]
pub struct Matrix {
    pub km: Vec<Vec<f64>>,
    pub hours: Vec<Vec<f64>>,
    pub source: DistanceSource,
}

/// The configured way of measuring distances.
#[derive(Debug, Clone)]
pub struct DistanceProvider {
    detour: f64,
    speed_kmh: f64,
    osrm: Option<Osrm>,
}

#[derive(Debug, Clone)]
struct Osrm {
    base: String,
    timeout: Duration,
}

/// Why an OSRM answer was not used (logged; the estimate is used instead).
#[derive(Debug, thiserror::Error)]
pub enum OsrmError {
    #[error("OSRM request failed: {0}")]
    Request(String),
    #[error("OSRM answered {0}")]
    Status(u16),
    #[error("OSRM answer unusable: {0}")]
    Body(String),
}

impl DistanceProvider {
    /// A provider from settings; an empty OSRM URL means estimates only.
    pub fn new(detour: f64, speed_kmh: f64, osrm_url: &str, osrm_timeout: Duration) -> Self {
        let osrm = (!osrm_url.trim().is_empty()).then(|| Osrm {
            base: osrm_url.trim().trim_end_matches('/').to_string(),
            timeout: osrm_timeout,
        });
        DistanceProvider {
            detour,
            speed_kmh,
            osrm,
        }
    }

    /// The provider of the configuration.
    pub fn from_config(c: &crate::config::Config) -> Self {
        Self::new(
            c.road_detour_factor,
            c.transport_avg_speed_kmh,
            &c.osrm_url,
            Duration::from_millis(c.osrm_timeout_ms),
        )
    }

    /// Road estimate between two points (no network): great circle × detour factor.
    pub fn estimate_km(&self, a: LatLon, b: LatLon) -> f64 {
        road_estimate_km(a, b, self.detour)
    }

    /// Hours to drive a distance at the average speed.
    pub fn hours_for(&self, km: f64) -> f64 {
        km / self.speed_kmh
    }

    fn computed(&self, points: &[LatLon], metric: Metric) -> Matrix {
        let factor = match metric {
            Metric::Haversine => 1.0,
            Metric::Road => self.detour,
        };
        let km: Vec<Vec<f64>> = points
            .iter()
            .map(|a| {
                points
                    .iter()
                    .map(|b| great_circle_km(*a, *b) * factor)
                    .collect()
            })
            .collect();
        let hours = km
            .iter()
            .map(|row| row.iter().map(|k| self.hours_for(*k)).collect())
            .collect();
        Matrix {
            km,
            hours,
            source: match metric {
                Metric::Haversine => DistanceSource::Haversine,
                Metric::Road => DistanceSource::RoadEstimate,
            },
        }
    }

    /// Every pairwise distance. By road with OSRM configured, its `/table` service is asked
    /// first; any failure or timeout falls back to the estimate (and is logged).
    pub async fn matrix(&self, points: &[LatLon], metric: Metric) -> Matrix {
        if metric == Metric::Road && points.len() > 1 {
            if let Some(osrm) = &self.osrm {
                match osrm.table(points).await {
                    Ok(m) => return m,
                    Err(e) => {
                        tracing::warn!(error = %e, "OSRM table failed; using the road estimate")
                    }
                }
            }
        }
        self.computed(points, metric)
    }

    /// One road distance (km) and duration (hours), from OSRM's `/route` when configured, else
    /// estimated.
    pub async fn route(&self, a: LatLon, b: LatLon) -> (f64, f64, DistanceSource) {
        if let Some(osrm) = &self.osrm {
            match osrm.route(a, b).await {
                Ok((km, hours)) => return (km, hours, DistanceSource::Osrm),
                Err(e) => tracing::warn!(error = %e, "OSRM route failed; using the road estimate"),
            }
        }
        let km = self.estimate_km(a, b);
        (km, self.hours_for(km), DistanceSource::RoadEstimate)
    }
}

/// Longest road distance believed from OSRM, in metres (half the Earth's circumference: a
/// hostile or broken answer of 1e300 m would wrap costs negative).
pub const MAX_METRES: f64 = 20_000_000.0;
/// Longest drive believed from OSRM, in seconds (a week).
pub const MAX_SECONDS: f64 = 604_800.0;

/// Whether an OSRM figure can be believed: finite, non-negative, at most `max`. Any other makes
/// the whole answer fall back to the estimate.
fn plausible(value: f64, max: f64) -> bool {
    value.is_finite() && (0.0..=max).contains(&value)
}

/// `lon,lat;lon,lat;…` as OSRM expects.
fn coordinates(points: &[LatLon]) -> String {
    points
        .iter()
        .map(|p| format!("{:.6},{:.6}", p.lon, p.lat))
        .collect::<Vec<_>>()
        .join(";")
}

#[derive(Deserialize)]
struct TableAnswer {
    code: String,
    distances: Option<Vec<Vec<Option<f64>>>>,
    durations: Option<Vec<Vec<Option<f64>>>>,
}

#[derive(Deserialize)]
struct RouteAnswer {
    code: String,
    routes: Option<Vec<RouteLeg>>,
}

#[derive(Deserialize)]
struct RouteLeg {
    distance: f64,
    duration: f64,
}

impl Osrm {
    async fn get(&self, path: &str) -> Result<Vec<u8>, OsrmError> {
        let client = awc::Client::builder().timeout(self.timeout).finish();
        let mut res = client
            .get(format!("{}{}", self.base, path))
            .send()
            .await
            .map_err(|e| OsrmError::Request(e.to_string()))?;
        if !res.status().is_success() {
            return Err(OsrmError::Status(res.status().as_u16()));
        }
        let body = res
            .body()
            .limit(32 * 1024 * 1024)
            .await
            .map_err(|e| OsrmError::Request(e.to_string()))?;
        Ok(body.to_vec())
    }

    async fn table(&self, points: &[LatLon]) -> Result<Matrix, OsrmError> {
        let body = self
            .get(&format!(
                "/table/v1/driving/{}?annotations=distance,duration",
                coordinates(points)
            ))
            .await?;
        let answer: TableAnswer =
            serde_json::from_slice(&body).map_err(|e| OsrmError::Body(e.to_string()))?;
        if answer.code != "Ok" {
            return Err(OsrmError::Body(format!("code {}", answer.code)));
        }
        let n = points.len();
        let square = |m: Option<Vec<Vec<Option<f64>>>>, scale: f64, max: f64, what: &str| {
            let m = m.ok_or_else(|| OsrmError::Body(format!("no {what}")))?;
            if m.len() != n || m.iter().any(|row| row.len() != n) {
                return Err(OsrmError::Body(format!("{what} is not {n}×{n}")));
            }
            m.into_iter()
                .map(|row| {
                    row.into_iter()
                        .map(|v| {
                            v.filter(|v| plausible(*v, max))
                                .map(|v| v / scale)
                                .ok_or_else(|| {
                                    OsrmError::Body(format!("unroutable pair in {what}"))
                                })
                        })
                        .collect::<Result<Vec<f64>, OsrmError>>()
                })
                .collect::<Result<Vec<Vec<f64>>, OsrmError>>()
        };
        Ok(Matrix {
            km: square(answer.distances, 1000.0, MAX_METRES, "distances")?,
            hours: square(answer.durations, 3600.0, MAX_SECONDS, "durations")?,
            source: DistanceSource::Osrm,
        })
    }

    async fn route(&self, a: LatLon, b: LatLon) -> Result<(f64, f64), OsrmError> {
        let body = self
            .get(&format!(
                "/route/v1/driving/{}?overview=false",
                coordinates(&[a, b])
            ))
            .await?;
        let answer: RouteAnswer =
            serde_json::from_slice(&body).map_err(|e| OsrmError::Body(e.to_string()))?;
        if answer.code != "Ok" {
            return Err(OsrmError::Body(format!("code {}", answer.code)));
        }
        let leg = answer
            .routes
            .and_then(|r| r.into_iter().next())
            .ok_or_else(|| OsrmError::Body("no route".into()))?;
        if !(plausible(leg.distance, MAX_METRES) && plausible(leg.duration, MAX_SECONDS)) {
            return Err(OsrmError::Body("bad route figures".into()));
        }
        Ok((leg.distance / 1000.0, leg.duration / 3600.0))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::territory::geo::places::{AMIENS, LILLE};

    #[test]
    fn estimates_apply_the_detour_factor() {
        let p = DistanceProvider::new(1.3, 60.0, "", Duration::from_secs(1));
        let gc = great_circle_km(AMIENS, LILLE);
        assert!((p.estimate_km(AMIENS, LILLE) - gc * 1.3).abs() < 1e-9);
        assert!((p.hours_for(120.0) - 2.0).abs() < 1e-12);
    }

    #[actix_web::test]
    async fn matrices_without_osrm_are_computed() {
        let p = DistanceProvider::new(1.3, 60.0, "", Duration::from_secs(1));
        let m = p.matrix(&[AMIENS, LILLE], Metric::Haversine).await;
        assert_eq!(m.source, DistanceSource::Haversine);
        assert_eq!(m.km[0][0], 0.0);
        assert!((m.km[0][1] - 97.7).abs() < 0.1);
        let r = p.matrix(&[AMIENS, LILLE], Metric::Road).await;
        assert_eq!(r.source, DistanceSource::RoadEstimate);
        assert!((r.km[1][0] - m.km[1][0] * 1.3).abs() < 1e-9);
    }

    #[test]
    fn hostile_osrm_figures_are_not_believed() {
        for (v, max) in [
            (1e300, MAX_METRES),
            (-1.0, MAX_SECONDS),
            (f64::NAN, MAX_METRES),
            (f64::INFINITY, MAX_SECONDS),
            (MAX_METRES + 1.0, MAX_METRES),
        ] {
            assert!(!plausible(v, max), "{v}");
        }
        assert!(plausible(0.0, MAX_METRES));
        assert!(plausible(123_456.0, MAX_METRES));
        assert!(plausible(3_600.0, MAX_SECONDS));
    }

    #[test]
    fn coordinates_are_longitude_first() {
        assert_eq!(
            coordinates(&[AMIENS, LILLE]),
            "2.300000,49.900000;3.055120,50.633910"
        );
    }
}
