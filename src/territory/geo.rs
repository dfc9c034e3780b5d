//! Great-circle geometry on the sphere of docs/api.md (radius 6371.0088 km, geo's `Haversine`).

use ::geo::{Distance, Haversine, Point};

/// Kilometres per degree of latitude on that sphere.
const KM_PER_DEGREE: f64 = 6371.0088 * std::f64::consts::PI / 180.0;

/// A WGS 84 position in degrees.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct LatLon {
    pub lat: f64,
    pub lon: f64,
}

impl LatLon {
    /// Parses `"LAT,LON"` (the `near` query form); `None` when malformed or out of range.
    pub fn parse(text: &str) -> Option<LatLon> {
        let (lat, lon) = text.split_once(',')?;
        let lat: f64 = lat.trim().parse().ok()?;
        let lon: f64 = lon.trim().parse().ok()?;
        let point = LatLon { lat, lon };
        point.is_valid().then_some(point)
    }

    /// Whether the coordinates are finite and within the usual ranges.
    pub fn is_valid(&self) -> bool {
        self.lat.is_finite()
            && self.lon.is_finite()
            && (-90.0..=90.0).contains(&self.lat)
            && (-180.0..=180.0).contains(&self.lon)
    }
}

/// Great-circle (haversine) distance in km.
///
/// ```
/// use itinerance::territory::geo::{great_circle_km, LatLon};
/// let amiens = LatLon { lat: 49.9, lon: 2.3 };
/// let lille = LatLon { lat: 50.63391, lon: 3.05512 };
/// assert!((great_circle_km(amiens, lille) - 97.7).abs() < 0.1);
/// ```
pub fn great_circle_km(a: LatLon, b: LatLon) -> f64 {
    Haversine.distance(Point::new(a.lon, a.lat), Point::new(b.lon, b.lat)) / 1000.0
}

/// The road estimate: great-circle km × the detour factor (no network needed); booking,
/// condition and transport all price or plan with it.
pub fn road_estimate_km(a: LatLon, b: LatLon, detour: f64) -> f64 {
    great_circle_km(a, b) * detour
}

/// A latitude/longitude box that contains every point within a radius of a centre.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct BoundingBox {
    pub min_lat: f64,
    pub max_lat: f64,
    /// When `min_lon > max_lon` the box crosses the antimeridian.
    pub min_lon: f64,
    pub max_lon: f64,
}

impl BoundingBox {
    /// Whether the longitude range wraps around ±180°.
    pub fn crosses_antimeridian(&self) -> bool {
        self.min_lon > self.max_lon
    }

    /// Whether the point is inside the box (the pre-filter every proximity search applies
    /// before the exact distance, so that all of them answer alike).
    pub fn contains(&self, lat: f64, lon: f64) -> bool {
        let in_lon = if self.crosses_antimeridian() {
            lon >= self.min_lon || lon <= self.max_lon
        } else {
            lon >= self.min_lon && lon <= self.max_lon
        };
        lat >= self.min_lat && lat <= self.max_lat && in_lon
    }
}

/// The box around `centre` holding the circle of `radius_km`; a cheap, indexable pre-filter
/// before the exact distance.
pub fn bounding_box(centre: LatLon, radius_km: f64) -> BoundingBox {
    let dlat = radius_km / KM_PER_DEGREE;
    let min_lat = (centre.lat - dlat).max(-90.0);
    let max_lat = (centre.lat + dlat).min(90.0);
    // Longitude degrees shrink with latitude; use the widest latitude in the box.
    let widest = min_lat.abs().max(max_lat.abs());
    if widest >= 89.9 {
        return BoundingBox {
            min_lat,
            max_lat,
            min_lon: -180.0,
            max_lon: 180.0,
        };
    }
    let dlon = (radius_km / (KM_PER_DEGREE * widest.to_radians().cos())).min(180.0);
    let wrap = |lon: f64| {
        if lon < -180.0 {
            lon + 360.0
        } else if lon > 180.0 {
            lon - 360.0
        } else {
            lon
        }
    };
    if dlon >= 180.0 {
        return BoundingBox {
            min_lat,
            max_lat,
            min_lon: -180.0,
            max_lon: 180.0,
        };
    }
    BoundingBox {
        min_lat,
        max_lat,
        min_lon: wrap(centre.lon - dlon),
        max_lon: wrap(centre.lon + dlon),
    }
}

/// Two towns the tests of distances measure between (97.7 km apart as the crow flies).
#[cfg(test)]
pub(crate) mod places {
    use super::LatLon;

    pub const AMIENS: LatLon = LatLon {
        lat: 49.9,
        lon: 2.3,
    };
    pub const LILLE: LatLon = LatLon {
        lat: 50.63391,
        lon: 3.05512,
    };
}

#[cfg(test)]
mod tests {
    use super::places::{AMIENS, LILLE};
    use super::*;

    #[test]
    fn amiens_lille_is_about_97_7_km() {
        let d = great_circle_km(AMIENS, LILLE);
        assert!((d - 97.7).abs() < 0.1, "{d}");
        assert_eq!(great_circle_km(AMIENS, AMIENS), 0.0);
    }

    #[test]
    fn the_box_contains_the_circle() {
        let bbox = bounding_box(AMIENS, 100.0);
        for bearing in 0..360 {
            // Walk 99.9 km in each direction and check the point stays inside the box.
            let b = (bearing as f64).to_radians();
            let d: f64 = 99.9 / 6371.0088;
            let lat1 = AMIENS.lat.to_radians();
            let lon1 = AMIENS.lon.to_radians();
            let lat2 = (lat1.sin() * d.cos() + lat1.cos() * d.sin() * b.cos()).asin();
            let lon2 =
                lon1 + (b.sin() * d.sin() * lat1.cos()).atan2(d.cos() - lat1.sin() * lat2.sin());
            let (lat2, lon2) = (lat2.to_degrees(), lon2.to_degrees());
            assert!(lat2 >= bbox.min_lat && lat2 <= bbox.max_lat, "{bearing}");
            assert!(lon2 >= bbox.min_lon && lon2 <= bbox.max_lon, "{bearing}");
        }
        assert!(!bbox.crosses_antimeridian());
        let wrapped = bounding_box(
            LatLon {
                lat: 0.0,
                lon: 179.5,
            },
            200.0,
        );
        assert!(wrapped.crosses_antimeridian());
    }

    #[test]
    fn parses_near_parameters() {
        assert_eq!(LatLon::parse("49.9,2.3"), Some(AMIENS));
        assert_eq!(LatLon::parse(" 49.9 , 2.3 "), Some(AMIENS));
        assert_eq!(LatLon::parse("91,2"), None);
        assert_eq!(LatLon::parse("49.9"), None);
        assert_eq!(LatLon::parse("a,b"), None);
        assert_eq!(LatLon::parse("NaN,2"), None);
    }
}
