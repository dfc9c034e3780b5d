//! Where the copies are, in memory: the index behind proximity search (`near`, `near_commune`,
//! `near_venue`) without dates.
//!
//! Why in memory: within 50 km of a town of the region lie a large share of all copies, so a
//! query, indexed or not, reads thousands of rows and computes as many distances for every
//! search (15–30 ms, ~150 req/s at 64 connections). The positions of the copies in service
//! change rarely (a copy is created, moved, retired; a resource deleted), so each instance keeps
//! them sorted by latitude and answers from memory in well under a millisecond.
//!
//! Why it stays true on every instance: the database counts every change of what this index
//! holds (`catalogue_positions_version`, bumped by triggers on `copies` and `resources` on both
//! backends). A search reads that number first — one primary-key lookup — and reloads the index
//! when it moved, so an instance never answers from positions older than the last committed
//! change it could see, and no instance needs another's memory.

use std::collections::HashMap;
use std::sync::{Arc, Mutex, OnceLock};

use crate::territory::geo::{bounding_box, great_circle_km, LatLon};

/// One copy in service (not retired) of a live resource.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct CopyPoint {
    pub resource_id: i64,
    pub lat: f64,
    pub lon: f64,
}

/// The positions of every copy in service at one version of the catalogue, sorted by latitude.
#[derive(Debug, Default)]
pub struct Positions {
    version: i64,
    lat: Vec<f64>,
    lon: Vec<f64>,
    /// Dense index of each copy's resource (into `resource_ids`).
    resource: Vec<u32>,
    resource_ids: Vec<i64>,
}

impl Positions {
    /// The index of `points`, read at `version`.
    pub fn new(version: i64, mut points: Vec<CopyPoint>) -> Positions {
        points.sort_by(|a, b| a.lat.total_cmp(&b.lat));
        let mut dense: HashMap<i64, u32> = HashMap::new();
        let mut resource_ids = Vec::new();
        let mut resource = Vec::with_capacity(points.len());
        for p in &points {
            let next = resource_ids.len() as u32;
            let d = *dense.entry(p.resource_id).or_insert_with(|| {
                resource_ids.push(p.resource_id);
                next
            });
            resource.push(d);
        }
        Positions {
            version,
            lat: points.iter().map(|p| p.lat).collect(),
            lon: points.iter().map(|p| p.lon).collect(),
            resource,
            resource_ids,
        }
    }

    /// The catalogue version these positions were read at.
    pub fn version(&self) -> i64 {
        self.version
    }

    /// Every resource with a copy within `radius_km` of `point`, with the great-circle distance
    /// to its nearest copy, in no particular order. The same bounding box and the same distance
    /// as a scan of every copy would use, so the answer is the scan's.
    pub fn within(&self, point: LatLon, radius_km: f64) -> Vec<(i64, f64)> {
        let bbox = bounding_box(point, radius_km);
        let start = self.lat.partition_point(|&lat| lat < bbox.min_lat);
        let end = self.lat.partition_point(|&lat| lat <= bbox.max_lat);
        let mut nearest = vec![f64::INFINITY; self.resource_ids.len()];
        for i in start..end {
            let lon = self.lon[i];
            if !bbox.contains(self.lat[i], lon) {
                continue;
            }
            let d = great_circle_km(
                point,
                LatLon {
                    lat: self.lat[i],
                    lon,
                },
            );
            let best = &mut nearest[self.resource[i] as usize];
            if d < *best {
                *best = d;
            }
        }
        nearest
            .into_iter()
            .enumerate()
            .filter(|&(_, d)| d <= radius_km)
            .map(|(i, d)| (self.resource_ids[i], d))
            .collect()
    }
}

/// The positions of each database this process serves, by the database's epoch (a server serves
/// one; the tests run many in one process). Each slot has its own lock, so that when the catalogue
/// moves, one search reloads while the others wait for its result instead of all reloading.
type Slot = Arc<Mutex<Option<Arc<Positions>>>>;

fn slots() -> &'static Mutex<HashMap<String, Slot>> {
    static SLOTS: OnceLock<Mutex<HashMap<String, Slot>>> = OnceLock::new();
    SLOTS.get_or_init(Default::default)
}

/// Databases remembered at once; beyond, every slot is dropped (tests only: a server has one).
const MAX_DATABASES: usize = 64;

/// The positions at `version` of the database `epoch`: the ones in memory when they are of that
/// version, else the ones `load` reads (then kept). `load` returns positions read at a version
/// at least as new as `version` (it reads the version before the copies).
pub fn current<E>(
    epoch: &str,
    version: i64,
    load: impl FnOnce() -> Result<Positions, E>,
) -> Result<Arc<Positions>, E> {
    let slot = {
        let mut all = slots().lock().unwrap_or_else(|e| e.into_inner());
        if all.len() >= MAX_DATABASES && !all.contains_key(epoch) {
            all.clear();
        }
        all.entry(epoch.to_string()).or_default().clone()
    };
    let mut held = slot.lock().unwrap_or_else(|e| e.into_inner());
    if let Some(positions) = held.as_ref() {
        if positions.version >= version {
            return Ok(positions.clone());
        }
    }
    let fresh = Arc::new(load()?);
    *held = Some(fresh.clone());
    Ok(fresh)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn scan(points: &[CopyPoint], point: LatLon, radius_km: f64) -> Vec<(i64, f64)> {
        let mut best: HashMap<i64, f64> = HashMap::new();
        for p in points {
            let d = great_circle_km(
                point,
                LatLon {
                    lat: p.lat,
                    lon: p.lon,
                },
            );
            if d <= radius_km {
                let e = best.entry(p.resource_id).or_insert(d);
                *e = e.min(d);
            }
        }
        let mut v: Vec<_> = best.into_iter().collect();
        v.sort_by_key(|&(id, _)| id);
        v
    }

    #[test]
    fn answers_what_a_scan_of_every_copy_answers() {
        let mut rng = crate::rng::SplitMix64::new(7);
        let points: Vec<CopyPoint> = (0..3_000)
            .map(|i| CopyPoint {
                resource_id: (i % 700) as i64 + 1,
                lat: 48.8 + rng.unit() * 2.4,
                lon: 1.3 + rng.unit() * 3.0,
            })
            .collect();
        let index = Positions::new(1, points.clone());
        for _ in 0..200 {
            let point = LatLon {
                lat: 48.5 + rng.unit() * 3.0,
                lon: 1.0 + rng.unit() * 3.6,
            };
            let radius = 1.0 + rng.unit() * 120.0;
            let mut got = index.within(point, radius);
            got.sort_by_key(|&(id, _)| id);
            assert_eq!(got, scan(&points, point, radius));
        }
    }

    #[test]
    fn reloads_only_when_the_version_moved() {
        let epoch = "positions-test-epoch";
        let loads = std::cell::Cell::new(0);
        let load = |v: i64| {
            loads.set(loads.get() + 1);
            Ok::<_, ()>(Positions::new(v, vec![]))
        };
        assert_eq!(current(epoch, 3, || load(3)).unwrap().version(), 3);
        assert_eq!(current(epoch, 3, || load(3)).unwrap().version(), 3);
        assert_eq!(loads.get(), 1);
        assert_eq!(current(epoch, 4, || load(4)).unwrap().version(), 4);
        assert_eq!(loads.get(), 2);
    }
}
