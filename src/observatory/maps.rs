//! Public map layers as RFC 7946 GeoJSON (`[longitude, latitude]`, WGS 84): venues, copies (no
//! costs) and coverage per EPCI (one point each, at the population-weighted centre of its
//! communes). They open in QGIS, geojson.io, Leaflet or MapLibre.

use std::collections::BTreeMap;

use serde_json::{json, Value};

use super::coverage::{Coverage, CoverageRow};
use super::store::{CommuneFacts, CopyPoint, VenuePoint};
use crate::territory::CommuneClass;

fn feature(lon: f64, lat: f64, properties: Value) -> Value {
    json!({
        "type": "Feature",
        "geometry": {"type": "Point", "coordinates": [round6(lon), round6(lat)]},
        "properties": properties,
    })
}

fn round6(x: f64) -> f64 {
    (x * 1e6).round() / 1e6
}

fn collection(features: Vec<Value>) -> Value {
    json!({"type": "FeatureCollection", "features": features})
}

/// Venues with their type and commune class.
pub fn venues(points: &[VenuePoint]) -> Value {
    collection(
        points
            .iter()
            .map(|v| {
                feature(
                    v.longitude,
                    v.latitude,
                    json!({
                        "id": v.id,
                        "name": v.name,
                        "venue_type": v.venue_type,
                        "commune_insee": v.commune_insee,
                        "commune_name": v.commune_name,
                        "class": CommuneClass::of_population(i64::from(v.population)).as_str(),
                    }),
                )
            })
            .collect(),
    )
}

/// Copies where they are now.
pub fn copies(points: &[CopyPoint]) -> Value {
    collection(
        points
            .iter()
            .map(|c| {
                feature(
                    c.longitude,
                    c.latitude,
                    json!({
                        "id": c.id,
                        "resource_id": c.resource_id,
                        "title": c.title,
                        "kind": c.kind,
                        "producer_id": c.producer_id,
                        "status": c.status,
                    }),
                )
            })
            .collect(),
    )
}

/// The population-weighted centre of each EPCI's communes: (longitude, latitude).
pub fn epci_centres(communes: &[CommuneFacts]) -> BTreeMap<String, (f64, f64)> {
    let mut sums: BTreeMap<String, (f64, f64, f64)> = BTreeMap::new();
    for c in communes {
        let w = f64::from(c.population.max(1));
        let s = sums.entry(c.epci_siren.clone()).or_insert((0.0, 0.0, 0.0));
        s.0 += c.longitude * w;
        s.1 += c.latitude * w;
        s.2 += w;
    }
    sums.into_iter()
        .map(|(k, (lon, lat, w))| (k, (lon / w, lat / w)))
        .collect()
}

/// One point per EPCI with its coverage (`coverage` grouped by EPCI).
pub fn coverage(coverage: &Coverage, communes: &[CommuneFacts]) -> Value {
    let centres = epci_centres(communes);
    collection(
        coverage
            .rows
            .iter()
            .filter_map(|row: &CoverageRow| {
                let (lon, lat) = centres.get(&row.key)?;
                Some(feature(
                    *lon,
                    *lat,
                    json!({
                        "epci_siren": row.key,
                        "epci_name": row.label,
                        "population": row.population,
                        "venues": row.venues,
                        "venues_served": row.venues_served,
                        "loans": row.loans,
                        "loans_per_10k": row.loans_per_10k,
                    }),
                ))
            })
            .collect(),
    )
}

/// A GeoJSON FeatureCollection of points (documentation of the layers' shape).
#[derive(Debug, Clone, serde::Serialize, serde::Deserialize, utoipa::ToSchema)]
pub struct FeatureCollection {
    /// Always `FeatureCollection`.
    #[serde(rename = "type")]
    #[schema(example = "FeatureCollection")]
    pub kind: String,
    pub features: Vec<PointFeature>,
}

/// A GeoJSON Feature with a Point geometry.
#[derive(Debug, Clone, serde::Serialize, serde::Deserialize, utoipa::ToSchema)]
pub struct PointFeature {
    /// Always `Feature`.
    #[serde(rename = "type")]
    #[schema(example = "Feature")]
    pub kind: String,
    pub geometry: PointGeometry,
    /// The layer's attributes.
    #[schema(value_type = Object)]
    pub properties: serde_json::Value,
}

/// A GeoJSON Point: `[longitude, latitude]`.
#[derive(Debug, Clone, serde::Serialize, serde::Deserialize, utoipa::ToSchema)]
pub struct PointGeometry {
    /// Always `Point`.
    #[serde(rename = "type")]
    #[schema(example = "Point")]
    pub kind: String,
    #[schema(example = json!([2.2957, 49.8941]))]
    pub coordinates: Vec<f64>,
}
