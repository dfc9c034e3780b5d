//! What search filters on, in memory: the resources' facts (kind, producer, words, themes,
//! audiences), which of their copies can be lent, and every copy's occupied days. Behind every
//! search but the rows of its page.
//!
//! Why in memory: a dated search ("free from … to …") asks, for each of thousands of candidate
//! resources, whether one of its copies has no occupation over the dates; in SQL that is an
//! anti-join against a million occupations for every search (20–50 ms, 32–76 req/s at 64
//! connections on 2 cores). In memory it is a few hundred thousand comparisons (well under a
//! millisecond), and the filters on words, themes and audiences cost no query either.
//!
//! Why it stays true on every instance:
//! - the facts change rarely and move the catalogue's version (`catalogue_positions_version`,
//!   bumped by triggers on both backends); a search reads that number first and reloads the facts
//!   when it moved, like [`super::positions`];
//! - occupations change with every booking, so the database logs each change with its copy
//!   (`occupation_changes`, filled by triggers); before a dated search the instance reads the
//!   copies logged since it last looked (one indexed query, [`super::store::occupancy_changes`])
//!   and reloads only their occupations. An instance never answers from occupations older than
//!   the last change committed before its search began, and no instance needs another's memory.

use std::collections::HashMap;
use std::ops::Range;
use std::sync::{Arc, Mutex, OnceLock, RwLock};
use std::time::{Duration, Instant};

use chrono::NaiveDate;

use super::search::SearchFilter;
use crate::territory::geo::{bounding_box, great_circle_km, LatLon};

/// A live resource as search filters it.
#[derive(Debug, Clone, PartialEq)]
pub struct ResourceFacts {
    pub id: i64,
    pub kind: String,
    pub producer_id: i64,
    /// The folded search text with one space at each end, so that a whole word is found as
    /// " word ".
    pub padded_text: String,
    pub themes: Vec<String>,
    pub audiences: Vec<String>,
    /// Its copies in [`SearchFacts::copies`].
    copies: Range<usize>,
}

/// A copy in service (not retired) of a live resource.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct CopyFacts {
    pub id: i64,
    pub resource_id: i64,
    pub lat: f64,
    pub lon: f64,
    /// Whether it can be lent at all: not in maintenance and not under an open-ended repair.
    pub lendable: bool,
}

/// The facts of every live resource and its copies in service, at one catalogue version.
#[derive(Debug, Default)]
pub struct SearchFacts {
    version: i64,
    /// By id.
    resources: Vec<ResourceFacts>,
    /// Grouped by resource, in the resources' order.
    copies: Vec<CopyFacts>,
}

impl SearchFacts {
    /// The facts read at `version`: `resources` as (id, kind, producer, folded search text),
    /// `themes` and `audiences` as (resource, value), `copies` of any resource (those of a resource
    /// not in `resources` are left out).
    pub fn new(
        version: i64,
        mut resources: Vec<(i64, String, i64, String)>,
        themes: Vec<(i64, String)>,
        audiences: Vec<(i64, String)>,
        mut copies: Vec<CopyFacts>,
    ) -> SearchFacts {
        resources.sort_by_key(|r| r.0);
        // Sorted like the store's extras, which the page shows in the same order.
        let (mut themes, mut audiences) = (themes, audiences);
        themes.sort();
        audiences.sort();
        let mut themes_of: HashMap<i64, Vec<String>> = HashMap::new();
        for (id, theme) in themes {
            themes_of.entry(id).or_default().push(theme);
        }
        let mut audiences_of: HashMap<i64, Vec<String>> = HashMap::new();
        for (id, audience) in audiences {
            audiences_of.entry(id).or_default().push(audience);
        }
        copies.sort_by_key(|c| (c.resource_id, c.id));
        let mut kept = Vec::with_capacity(copies.len());
        let mut next = copies.iter().peekable();
        let resources = resources
            .into_iter()
            .map(|(id, kind, producer_id, text)| {
                while next.next_if(|c| c.resource_id < id).is_some() {}
                let start = kept.len();
                while let Some(c) = next.next_if(|c| c.resource_id == id) {
                    kept.push(*c);
                }
                ResourceFacts {
                    id,
                    kind,
                    producer_id,
                    padded_text: format!(" {text} "),
                    themes: themes_of.remove(&id).unwrap_or_default(),
                    audiences: audiences_of.remove(&id).unwrap_or_default(),
                    copies: start..kept.len(),
                }
            })
            .collect();
        SearchFacts {
            version,
            resources,
            copies: kept,
        }
    }

    /// The catalogue version these facts were read at.
    pub fn version(&self) -> i64 {
        self.version
    }

    /// The live resources matching every filter of `filter` but proximity, dates and paging, by
    /// id.
    pub fn matching<'a>(
        &'a self,
        filter: &'a SearchFilter,
    ) -> impl Iterator<Item = &'a ResourceFacts> + 'a {
        self.resources.iter().filter(move |r| r.matches(filter))
    }

    /// The live resource `id`, if any.
    pub fn resource(&self, id: i64) -> Option<&ResourceFacts> {
        self.resources
            .binary_search_by_key(&id, |r| r.id)
            .ok()
            .map(|i| &self.resources[i])
    }

    /// The themes, audiences and number of copies in service of these live resources, as the
    /// store's [`super::store::load_extras`] reads them: a page of search results costs no query
    /// for them.
    pub fn extras(&self, ids: &[i64]) -> super::store::ResourceExtras {
        let mut extras = super::store::ResourceExtras::default();
        for r in ids.iter().filter_map(|&id| self.resource(id)) {
            extras.themes.insert(r.id, r.themes.clone());
            extras.audiences.insert(r.id, r.audiences.clone());
            extras
                .copies_in_service
                .insert(r.id, self.copies_of(r).len() as i64);
        }
        extras
    }

    /// Every copy in service as a point, for the positions index ([`super::positions`]), which
    /// is built from these facts rather than read again.
    pub fn copy_points(&self) -> Vec<super::positions::CopyPoint> {
        self.copies
            .iter()
            .map(|c| super::positions::CopyPoint {
                resource_id: c.resource_id,
                lat: c.lat,
                lon: c.lon,
            })
            .collect()
    }

    /// The copies in service of a resource.
    pub fn copies_of(&self, resource: &ResourceFacts) -> &[CopyFacts] {
        &self.copies[resource.copies.clone()]
    }

    /// Whether `resource` has a copy that can be lent and is free over `[from, to]`.
    pub fn has_free_copy(
        &self,
        occupancy: &Occupancy,
        resource: &ResourceFacts,
        (from, to): (NaiveDate, NaiveDate),
    ) -> bool {
        self.copies_of(resource)
            .iter()
            .any(|c| c.lendable && occupancy.is_free(c.id, from, to))
    }

    /// The distance from `point` to the nearest copy of `resource` within `radius_km` — among its
    /// copies free over `dates` when given —, by the same bounding box and great-circle distance
    /// as the positions index.
    pub fn nearest_copy(
        &self,
        resource: &ResourceFacts,
        point: LatLon,
        radius_km: f64,
        free: Option<(&Occupancy, (NaiveDate, NaiveDate))>,
    ) -> Option<f64> {
        let bbox = bounding_box(point, radius_km);
        self.copies_of(resource)
            .iter()
            .filter(|c| bbox.contains(c.lat, c.lon))
            .filter(|c| match free {
                None => true,
                Some((occupancy, (from, to))) => c.lendable && occupancy.is_free(c.id, from, to),
            })
            .map(|c| {
                great_circle_km(
                    point,
                    LatLon {
                        lat: c.lat,
                        lon: c.lon,
                    },
                )
            })
            .filter(|&d| d <= radius_km)
            .min_by(f64::total_cmp)
    }
}

impl ResourceFacts {
    /// Whether this resource passes the non-spatial, undated filters: the same rules as the
    /// SQL of `with_resource_filters!` (any of the kinds, themes and audiences; every word whole,
    /// or with a plural `s`/`x`).
    pub fn matches(&self, filter: &SearchFilter) -> bool {
        let any = |wanted: &[String], have: &[String]| {
            wanted.is_empty() || have.iter().any(|h| wanted.contains(h))
        };
        (filter.kinds.is_empty() || filter.kinds.contains(&self.kind))
            && any(&filter.themes, &self.themes)
            && any(&filter.audiences, &self.audiences)
            && filter
                .age_audiences
                .as_ref()
                .is_none_or(|a| any(a, &self.audiences))
            && filter.producer_id.is_none_or(|p| p == self.producer_id)
            && filter.words.iter().all(|w| {
                ["", "s", "x"]
                    .iter()
                    .any(|plural| self.padded_text.contains(&format!(" {w}{plural} ")))
            })
    }
}

/// One active occupation: (copy, first day, last day).
pub type Occupied = (i64, NaiveDate, NaiveDate);

/// Every copy's active occupations (bookings and maintenance), as (first, last) days.
#[derive(Debug, Default)]
pub struct Occupancy {
    busy: HashMap<i64, Vec<(NaiveDate, NaiveDate)>>,
}

impl Occupancy {
    /// The occupancy of these (copy, first day, last day) rows.
    pub fn new(rows: Vec<Occupied>) -> Occupancy {
        let mut occupancy = Occupancy::default();
        occupancy.add(rows);
        occupancy
    }

    fn add(&mut self, rows: Vec<Occupied>) {
        for (copy, from, to) in rows {
            self.busy.entry(copy).or_default().push((from, to));
        }
    }

    /// Replaces the occupations of `copies` by `rows` (theirs, read after the change was seen).
    fn replace(&mut self, copies: &[i64], rows: Vec<Occupied>) {
        for copy in copies {
            self.busy.remove(copy);
        }
        self.add(rows);
    }

    /// Whether no active occupation of `copy` meets `[from, to]`.
    pub fn is_free(&self, copy: i64, from: NaiveDate, to: NaiveDate) -> bool {
        self.busy
            .get(&copy)
            .is_none_or(|periods| !periods.iter().any(|&(s, e)| s <= to && e >= from))
    }
}

/// What the database says about occupations since an instance last looked.
pub enum OccupancyUpdate {
    /// Every active occupation, read after `cursor` was taken.
    Whole { cursor: i64, rows: Vec<Occupied> },
    /// The copies whose occupations changed since the previous cursor, and their active
    /// occupations read after `cursor` was taken.
    Changed {
        cursor: i64,
        copies: Vec<i64>,
        rows: Vec<Occupied>,
    },
}

/// After this long without a look, an instance reads every occupation again rather than the
/// log (which keeps a day; see [`super::store::prune_occupancy_changes`]).
const STALE_AFTER: Duration = Duration::from_secs(6 * 3600);

struct Tracked {
    occupancy: Occupancy,
    cursor: i64,
    looked_at: Instant,
}

/// One database's facts and occupancy in this process.
#[derive(Default)]
struct Slot {
    facts: Mutex<Option<Arc<SearchFacts>>>,
    /// Held by the one search bringing the occupancy up to date; the others wait for it.
    refreshing: Mutex<()>,
    occupancy: RwLock<Option<Tracked>>,
}

/// Databases remembered at once; beyond, every slot is dropped (tests only: a server has one).
const MAX_DATABASES: usize = 64;

fn slot(epoch: &str) -> Arc<Slot> {
    static SLOTS: OnceLock<Mutex<HashMap<String, Arc<Slot>>>> = OnceLock::new();
    let mut all = SLOTS
        .get_or_init(Default::default)
        .lock()
        .unwrap_or_else(|e| e.into_inner());
    if all.len() >= MAX_DATABASES && !all.contains_key(epoch) {
        all.clear();
    }
    all.entry(epoch.to_string()).or_default().clone()
}

/// The facts at `version` of the database `epoch`: the ones in memory when they are that new,
/// else the ones `load` reads (then kept; `load` reads the version before the facts).
pub fn facts<E>(
    epoch: &str,
    version: i64,
    load: impl FnOnce() -> Result<SearchFacts, E>,
) -> Result<Arc<SearchFacts>, E> {
    let slot = slot(epoch);
    let mut held = slot.facts.lock().unwrap_or_else(|e| e.into_inner());
    if let Some(facts) = held.as_ref() {
        if facts.version >= version {
            return Ok(facts.clone());
        }
    }
    let fresh = Arc::new(load()?);
    *held = Some(fresh.clone());
    Ok(fresh)
}

/// Brings the occupancy of the database `epoch` up to date and answers `read` from it.
/// `update` gets the cursor of the last look (`None` when there is none or it is stale) and
/// returns what changed since.
pub fn with_occupancy<T, E>(
    epoch: &str,
    update: impl FnOnce(Option<i64>) -> Result<OccupancyUpdate, E>,
    read: impl FnOnce(&Occupancy) -> T,
) -> Result<T, E> {
    let slot = slot(epoch);
    {
        let _one_at_a_time = slot.refreshing.lock().unwrap_or_else(|e| e.into_inner());
        let cursor = slot
            .occupancy
            .read()
            .unwrap_or_else(|e| e.into_inner())
            .as_ref()
            .filter(|t| t.looked_at.elapsed() < STALE_AFTER)
            .map(|t| t.cursor);
        let looked_at = Instant::now();
        let change = update(cursor)?;
        let mut held = slot.occupancy.write().unwrap_or_else(|e| e.into_inner());
        match (change, held.as_mut()) {
            (
                OccupancyUpdate::Changed {
                    cursor,
                    copies,
                    rows,
                },
                Some(tracked),
            ) => {
                tracked.occupancy.replace(&copies, rows);
                tracked.cursor = cursor;
                tracked.looked_at = looked_at;
            }
            (OccupancyUpdate::Changed { cursor, rows, .. }, None)
            | (OccupancyUpdate::Whole { cursor, rows }, _) => {
                *held = Some(Tracked {
                    occupancy: Occupancy::new(rows),
                    cursor,
                    looked_at,
                });
            }
        }
    }
    let held = slot.occupancy.read().unwrap_or_else(|e| e.into_inner());
    let empty = Occupancy::default();
    Ok(read(held.as_ref().map_or(&empty, |t| &t.occupancy)))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn day(d: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(2027, 3, d).unwrap()
    }

    #[test]
    fn a_copy_is_free_unless_an_occupation_meets_the_days() {
        let o = Occupancy::new(vec![(1, day(5), day(9)), (1, day(20), day(22))]);
        assert!(o.is_free(1, day(1), day(4)));
        assert!(!o.is_free(1, day(1), day(5)));
        assert!(!o.is_free(1, day(9), day(12)));
        assert!(o.is_free(1, day(10), day(19)));
        assert!(!o.is_free(1, day(1), day(31)));
        assert!(o.is_free(2, day(1), day(31)));
    }

    #[test]
    fn words_are_whole_with_a_plural() {
        let facts = SearchFacts::new(
            1,
            vec![(1, "trunk".into(), 7, "l eau des rivieres".into())],
            vec![(1, "water".into())],
            vec![(1, "primary".into())],
            vec![],
        );
        let r = &facts.resources[0];
        let with = |words: &[&str]| SearchFilter {
            words: words.iter().map(|w| w.to_string()).collect(),
            ..SearchFilter::default()
        };
        assert!(r.matches(&with(&["eau"])));
        assert!(r.matches(&with(&["riviere"])));
        assert!(!r.matches(&with(&["ea"])));
        assert!(!r.matches(&with(&["eau", "mer"])));
        let theme = SearchFilter {
            themes: vec!["space".into(), "water".into()],
            age_audiences: Some(vec!["secondary".into()]),
            ..SearchFilter::default()
        };
        assert!(!r.matches(&theme));
    }

    #[test]
    fn a_later_look_replaces_only_the_changed_copies() {
        let epoch = "index-test-epoch";
        let free = |o: &Occupancy| (o.is_free(1, day(5), day(5)), o.is_free(2, day(5), day(5)));
        let whole = with_occupancy(
            epoch,
            |cursor| {
                assert_eq!(cursor, None);
                Ok::<_, ()>(OccupancyUpdate::Whole {
                    cursor: 10,
                    rows: vec![(1, day(1), day(9)), (2, day(1), day(9))],
                })
            },
            free,
        );
        assert_eq!(whole, Ok((false, false)));
        let changed = with_occupancy(
            epoch,
            |cursor| {
                assert_eq!(cursor, Some(10));
                Ok::<_, ()>(OccupancyUpdate::Changed {
                    cursor: 12,
                    copies: vec![1],
                    rows: vec![(1, day(20), day(25))],
                })
            },
            free,
        );
        assert_eq!(changed, Ok((true, false)));
    }
}
