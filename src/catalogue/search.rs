//! Catalogue search: combined filters, keyset pagination that stays stable under inserts, and
//! proximity ("near" a point, a commune or a venue) with a bounding-box pre-filter in SQL before
//! exact great-circle distances.

use chrono::NaiveDate;

use super::store::{self, ResourceRow};
use super::{index, positions};
use crate::db::DbConnection;
use crate::error::{Error, Result};
use crate::territory::geo::{great_circle_km, LatLon};

/// Largest page.
pub const MAX_LIMIT: i64 = 100;
/// Largest search radius, in km (the region is about 300 km across).
pub const MAX_RADIUS_KM: f64 = 1000.0;
/// Radius used when `near` is given without `radius_km`.
pub const DEFAULT_RADIUS_KM: f64 = 50.0;
/// Half the Earth's circumference on the API's sphere: a radius that holds every copy, used to
/// find the nearest resource beyond an empty radius.
const ANYWHERE_KM: f64 = 20_016.0;
/// Oldest age `age=` accepts, in years.
pub const MAX_AGE: i64 = 120;

/// Where a proximity search is measured from.
#[derive(Debug, Clone, PartialEq)]
pub enum Origin {
    /// A point given by the client (`near=LAT,LON`).
    Point(LatLon),
    /// The coordinates of a commune of the reference list (`near_commune=<INSEE>`).
    Commune(String),
    /// The coordinates of an organisation, typically the venue of the person searching
    /// (`near_venue=<id>`): the portal passes the user's venue, never coordinates.
    Venue(i64),
}

/// A validated search.
#[derive(Debug, Clone, Default)]
pub struct SearchFilter {
    /// Any of these kinds (empty: every kind).
    pub kinds: Vec<String>,
    /// Any of these themes (empty: every theme).
    pub themes: Vec<String>,
    /// Any of these audiences (empty: every audience).
    pub audiences: Vec<String>,
    /// From `age=`: the audiences that include that age (combined with `audiences`).
    pub age_audiences: Option<Vec<String>>,
    pub producer_id: Option<i64>,
    /// Folded words that must all appear, as whole words, in the title or description.
    pub words: Vec<String>,
    /// Proximity: where from and the radius in km, before the origin is resolved to a point.
    pub origin: Option<(Origin, f64)>,
    /// Period for which a free copy is wanted (first and last day of use).
    pub available: Option<(NaiveDate, NaiveDate)>,
    pub limit: i64,
    pub cursor: Option<Cursor>,
}

impl SearchFilter {
    /// Whether a filter of [`with_resource_filters!`] other than "not deleted" is set: keep it
    /// beside that macro, which applies the same fields (the in-memory proximity path asks the
    /// database for the matching resources only then).
    pub fn narrows_resources(&self) -> bool {
        !self.kinds.is_empty()
            || !self.themes.is_empty()
            || !self.audiences.is_empty()
            || self.age_audiences.as_ref().is_some_and(|a| !a.is_empty())
            || self.producer_id.is_some()
            || !self.words.is_empty()
    }

    /// The first page of 20 of every resource near a venue, within `radius_km` (default 50):
    /// what the portal asks for a venue's user, who never types coordinates. Other filters can
    /// be set on the result before calling [`crate::catalogue::service::search_resources`].
    pub fn near_venue(venue_id: i64, radius_km: Option<f64>) -> SearchFilter {
        SearchFilter {
            origin: Some((
                Origin::Venue(venue_id),
                radius_km.unwrap_or(DEFAULT_RADIUS_KM),
            )),
            limit: 20,
            ..SearchFilter::default()
        }
    }
}

/// Position after which the next page starts.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Cursor {
    /// Plain listing, by id.
    AfterId(i64),
    /// Proximity listing, by (distance, id).
    AfterDistance(f64, i64),
}

impl Cursor {
    /// Opaque text form given to clients.
    pub fn encode(self) -> String {
        match self {
            Cursor::AfterId(id) => format!("i{id}"),
            Cursor::AfterDistance(d, id) => format!("d{:016x}.{id}", d.to_bits()),
        }
    }

    /// Parses a cursor given back by a client.
    pub fn decode(text: &str) -> Result<Cursor> {
        let bad = || Error::invalid("cursor", "not a cursor returned by this search");
        if let Some(id) = text.strip_prefix('i') {
            return id.parse().map(Cursor::AfterId).map_err(|_| bad());
        }
        if let Some(rest) = text.strip_prefix('d') {
            let (bits, id) = rest.split_once('.').ok_or_else(bad)?;
            let bits = u64::from_str_radix(bits, 16).map_err(|_| bad())?;
            let distance = f64::from_bits(bits);
            if !distance.is_finite() {
                return Err(bad());
            }
            return Ok(Cursor::AfterDistance(
                distance,
                id.parse().map_err(|_| bad())?,
            ));
        }
        Err(bad())
    }
}

/// Query parameters of `GET /api/v1/resources`, as received. `kind`, `theme` and `audience` may
/// be repeated (any of the values); every other parameter at most once.
#[derive(Debug, Default, serde::Deserialize, utoipa::IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct SearchParams {
    /// `exhibition`, `trunk`, `kit` or `model`; repeat for any of several
    /// (`kind=trunk&kind=kit`). (Read as text so that an unknown value is a 422 naming the
    /// field, like in bodies; published as the vocabulary.)
    #[param(value_type = Option<Vec<super::model::ResourceKind>>, style = Form, explode)]
    #[serde(default)]
    pub kind: Vec<String>,
    /// A theme; repeat for any of several.
    #[param(value_type = Option<Vec<super::model::Theme>>, style = Form, explode)]
    #[serde(default)]
    pub theme: Vec<String>,
    /// An audience; repeat for any of several (`audience=primary&audience=secondary`).
    #[param(value_type = Option<Vec<super::model::Audience>>, style = Form, explode)]
    #[serde(default)]
    pub audience: Vec<String>,
    /// Age of the visitors in years (0–120): resources whose audiences include it
    /// (`early_childhood` 0–5, `primary` 6–10, `secondary` 11–17, `adult` 18 and over; `family`
    /// and `all` any age). Combines with `audience`.
    #[param(minimum = 0, maximum = 120)]
    pub age: Option<i64>,
    /// Free text: every word must appear as a whole word in the title or description, accents,
    /// case and a plural `s`/`x` ignored (`eau` finds "L'eau" and "eaux", not "Beauvaisis";
    /// `energie` finds "énergies").
    pub q: Option<String>,
    pub producer_id: Option<i64>,
    /// `LAT,LON`: only resources with a copy in service within `radius_km`, nearest first, each
    /// with `distance_km` (great-circle) to its nearest copy. At most one of `near`,
    /// `near_commune` and `near_venue`.
    pub near: Option<String>,
    /// INSEE code of a commune of the reference list: like `near` at its coordinates.
    pub near_commune: Option<String>,
    /// Id of an organisation (a venue): like `near` at its coordinates.
    pub near_venue: Option<i64>,
    /// Radius around `near`, `near_commune` or `near_venue`, in km (default 50, at most 1000).
    pub radius_km: Option<f64>,
    /// First day of use (YYYY-MM-DD): only resources with a copy in service that no booking or
    /// maintenance occupies on any day from `available_from` to `available_to`. (Travel margins
    /// around the dates are checked when booking.)
    pub available_from: Option<NaiveDate>,
    /// Last day of use (YYYY-MM-DD), with `available_from`.
    pub available_to: Option<NaiveDate>,
    /// Page size, 1–100 (default 20).
    pub limit: Option<i64>,
    /// `next_cursor` of the previous page (same filters).
    pub cursor: Option<String>,
}

impl SearchParams {
    /// Reads a raw query string: the repeatable parameters are collected, the others are read
    /// as usual (an unknown, repeated or unparseable one is an `Err` with serde's words, for a
    /// 400).
    pub fn from_query(query: &str) -> std::result::Result<SearchParams, String> {
        let mut single = form_urlencoded::Serializer::new(String::new());
        let mut seen = std::collections::HashSet::new();
        let (mut kind, mut theme, mut audience) = (Vec::new(), Vec::new(), Vec::new());
        for (key, value) in form_urlencoded::parse(query.as_bytes()) {
            match key.as_ref() {
                "kind" => kind.push(value.into_owned()),
                "theme" => theme.push(value.into_owned()),
                "audience" => audience.push(value.into_owned()),
                other => {
                    if !seen.insert(other.to_string()) {
                        return Err(format!("duplicate field `{other}`"));
                    }
                    single.append_pair(other, &value);
                }
            }
        }
        let mut params: SearchParams =
            serde_urlencoded::from_str(&single.finish()).map_err(|e| e.to_string())?;
        params.kind = kind;
        params.theme = theme;
        params.audience = audience;
        Ok(params)
    }
}

/// The audiences that include visitors of `age` years.
pub fn audiences_for_age(age: i64) -> Vec<String> {
    let band = match age {
        0..=5 => "early_childhood",
        6..=10 => "primary",
        11..=17 => "secondary",
        _ => "adult",
    };
    [band, "family", "all"].map(String::from).to_vec()
}

/// Splits folded free text into search words, each without a plural `s`/`x` when longer than
/// three letters, so that singular and plural find each other.
fn search_words(q: Option<&str>) -> Vec<String> {
    let folded = q.map(crate::text::fold).unwrap_or_default();
    let mut words: Vec<String> = Vec::new();
    for word in folded.split(' ').filter(|w| !w.is_empty()) {
        let stem = match word.strip_suffix(['s', 'x']) {
            Some(stem) if stem.chars().count() >= 3 => stem,
            _ => word,
        };
        if !words.iter().any(|w| w == stem) {
            words.push(stem.to_string());
        }
    }
    words
}

impl SearchFilter {
    /// Validates the parameters, reporting every bad one against its name.
    pub fn from_params(params: SearchParams) -> Result<SearchFilter> {
        use super::model::{Audience, ResourceKind, Theme};
        let mut v = crate::error::Validator::new();
        let mut vocabulary =
            |field: &str, values: &[String], check: fn(&str) -> std::result::Result<(), String>| {
                for value in values {
                    if let Err(e) = check(value) {
                        v.add(field, e);
                        break;
                    }
                }
            };
        vocabulary("kind", &params.kind, |s| {
            s.parse::<ResourceKind>().map(|_| ())
        });
        vocabulary("theme", &params.theme, |s| s.parse::<Theme>().map(|_| ()));
        vocabulary("audience", &params.audience, |s| {
            s.parse::<Audience>().map(|_| ())
        });
        if let Some(age) = params.age {
            v.check(
                (0..=MAX_AGE).contains(&age),
                "age",
                "must be between 0 and 120 (years)",
            );
        }
        let limit = params.limit.unwrap_or(20);
        v.check(
            (1..=MAX_LIMIT).contains(&limit),
            "limit",
            "must be between 1 and 100",
        );
        let mut origins = Vec::new();
        if let Some(text) = &params.near {
            match LatLon::parse(text) {
                None => v.add("near", "must be LAT,LON in degrees"),
                Some(point) => origins.push(Origin::Point(point)),
            }
        }
        if let Some(insee) = &params.near_commune {
            origins.push(Origin::Commune(insee.clone()));
        }
        if let Some(id) = params.near_venue {
            origins.push(Origin::Venue(id));
        }
        let given = [
            ("near", params.near.is_some()),
            ("near_commune", params.near_commune.is_some()),
            ("near_venue", params.near_venue.is_some()),
        ];
        if given.iter().filter(|(_, on)| *on).count() > 1 {
            for (name, on) in given {
                if on {
                    v.add(name, "give only one of near, near_commune and near_venue");
                }
            }
        }
        let origin = match origins.pop() {
            None => {
                if params.radius_km.is_some() && !given.iter().any(|(_, on)| *on) {
                    v.add("radius_km", "needs `near`, `near_commune` or `near_venue`");
                }
                None
            }
            Some(origin) => {
                let radius = params.radius_km.unwrap_or(DEFAULT_RADIUS_KM);
                if !(radius > 0.0 && radius <= MAX_RADIUS_KM) {
                    v.add("radius_km", "must be more than 0 and at most 1000");
                }
                Some((origin, radius))
            }
        };
        let available = match (params.available_from, params.available_to) {
            (None, None) => None,
            (Some(from), Some(to)) => {
                if to < from {
                    v.add("available_to", "must not be before available_from");
                }
                Some((from, to))
            }
            (Some(_), None) => {
                v.add("available_to", "give both available_from and available_to");
                None
            }
            (None, Some(_)) => {
                v.add(
                    "available_from",
                    "give both available_from and available_to",
                );
                None
            }
        };
        let cursor = match params.cursor.as_deref() {
            None => None,
            Some(text) => match Cursor::decode(text) {
                Ok(c) => Some(c),
                Err(Error::Validation(fields)) => {
                    for f in fields {
                        v.add(&f.field, f.message);
                    }
                    None
                }
                Err(e) => return Err(e),
            },
        };
        v.finish()?;
        Ok(SearchFilter {
            kinds: params.kind,
            themes: params.theme,
            audiences: params.audience,
            age_audiences: params.age.map(audiences_for_age),
            producer_id: params.producer_id,
            words: search_words(params.q.as_deref()),
            origin,
            available,
            limit,
            cursor,
        })
    }
}

/// The point an origin stands for; an unknown commune or organisation is a 422 on its field.
pub fn resolve_origin(conn: &mut DbConnection, origin: &Origin) -> Result<LatLon> {
    match origin {
        Origin::Point(point) => Ok(*point),
        Origin::Commune(insee) => crate::territory::store::find(conn, insee)?
            .map(|c| LatLon {
                lat: c.latitude,
                lon: c.longitude,
            })
            .ok_or_else(|| Error::invalid("near_commune", "no commune has this INSEE code")),
        Origin::Venue(id) => crate::organization::store::find_organization(conn, *id)?
            .map(|o| LatLon {
                lat: o.latitude,
                lon: o.longitude,
            })
            .ok_or_else(|| Error::invalid("near_venue", "no organisation has this id")),
    }
}

/// One page of a search.
#[derive(Debug, Default)]
pub struct SearchPage {
    /// The page's rows, each with its distance in km in proximity searches.
    pub rows: Vec<(ResourceRow, Option<f64>)>,
    /// Where the next page starts; `None` on the last page.
    pub next: Option<Cursor>,
    /// How many resources match the whole search (every page together).
    pub total: i64,
    /// In a proximity search that finds nothing within its radius: the nearest resource
    /// matching the other filters, however far, with its distance in km.
    pub nearest_beyond: Option<(ResourceRow, f64)>,
    /// Themes, audiences and copy counts of the rows and of `nearest_beyond`, when the search
    /// had them in memory.
    pub extras: Option<store::ResourceExtras>,
}

/// One page of matching resources, their total, and the distance of each when searching near
/// a point, a commune or a venue: the filters and the dates answered from memory
/// ([`super::index`], brought up to date from the database first), then the page's rows read.
pub fn search(conn: &mut DbConnection, filter: &SearchFilter) -> Result<SearchPage> {
    let (epoch, version) = store::positions_version(conn)?;
    let facts = index::facts(&epoch, version, || store::load_search_facts(conn))?;
    let mut page = paged(conn, filter, |conn, filter, near| {
        found_in_memory(conn, filter, near, (&epoch, version), &facts)
    })?;
    let shown: Vec<i64> = page
        .rows
        .iter()
        .map(|(r, _)| r.id)
        .chain(page.nearest_beyond.iter().map(|(r, _)| r.id))
        .collect();
    page.extras = Some(facts.extras(&shown));
    Ok(page)
}

/// The same search answered by scanning the database (every matching resource, every copy,
/// every occupation), without the indexes: the reference the tests compare [`search`] with.
pub fn search_by_scan(conn: &mut DbConnection, filter: &SearchFilter) -> Result<SearchPage> {
    paged(conn, filter, found_by_scan)
}

/// Every resource a search finds (all pages, unordered), each with its distance in km when
/// searching near a point.
type Found = Result<Vec<(i64, Option<f64>)>>;

/// A page of the search, from what `find` finds.
fn paged(
    conn: &mut DbConnection,
    filter: &SearchFilter,
    mut find: impl FnMut(&mut DbConnection, &SearchFilter, Option<(LatLon, f64)>) -> Found,
) -> Result<SearchPage> {
    match &filter.origin {
        None => {
            let after = match filter.cursor {
                None => 0,
                Some(Cursor::AfterId(id)) => id,
                Some(Cursor::AfterDistance(..)) => {
                    return Err(Error::invalid(
                        "cursor",
                        "this cursor belongs to a `near` search",
                    ))
                }
            };
            let found = find(conn, filter, None)?;
            page_by_id(conn, filter, found, after)
        }
        Some((origin, radius_km)) => {
            let (after_distance, after_id) = match filter.cursor {
                None => (f64::NEG_INFINITY, 0),
                Some(Cursor::AfterDistance(d, id)) => (d, id),
                Some(Cursor::AfterId(_)) => {
                    return Err(Error::invalid(
                        "cursor",
                        "this cursor belongs to a search without `near`",
                    ))
                }
            };
            let point = resolve_origin(conn, origin)?;
            let found = find(conn, filter, Some((point, *radius_km)))?;
            let mut page = page_by_distance(conn, filter, found, (after_distance, after_id))?;
            if page.total == 0 {
                let anywhere = find(conn, filter, Some((point, ANYWHERE_KM)))?;
                page.nearest_beyond = page_by_distance(
                    conn,
                    &SearchFilter {
                        limit: 1,
                        ..filter.clone()
                    },
                    anywhere,
                    (f64::NEG_INFINITY, 0),
                )?
                .rows
                .pop()
                .and_then(|(row, d)| d.map(|d| (row, d)));
            }
            Ok(page)
        }
    }
}

/// The page after `after` of `found`, by id.
fn page_by_id(
    conn: &mut DbConnection,
    filter: &SearchFilter,
    found: Vec<(i64, Option<f64>)>,
    after: i64,
) -> Result<SearchPage> {
    let total = found.len() as i64;
    let mut ids: Vec<i64> = found
        .into_iter()
        .map(|(id, _)| id)
        .filter(|&id| id > after)
        .collect();
    ids.sort_unstable();
    ids.truncate(filter.limit as usize + 1);
    let more = ids.len() as i64 > filter.limit;
    ids.truncate(filter.limit as usize);
    let mut rows = store::resource_rows(conn, &ids)?;
    let next = if more {
        ids.last().map(|&id| Cursor::AfterId(id))
    } else {
        None
    };
    Ok(SearchPage {
        rows: ids
            .iter()
            .filter_map(|id| rows.remove(id).map(|r| (r, None)))
            .collect(),
        next,
        total,
        nearest_beyond: None,
        extras: None,
    })
}

/// The page after `(distance, id)` of `found`, nearest first (ties by id).
fn page_by_distance(
    conn: &mut DbConnection,
    filter: &SearchFilter,
    found: Vec<(i64, Option<f64>)>,
    after: (f64, i64),
) -> Result<SearchPage> {
    let total = found.len() as i64;
    let mut ranked: Vec<(f64, i64)> = found
        .into_iter()
        .map(|(id, d)| (d.unwrap_or(f64::INFINITY), id))
        .filter(|&(d, id)| (d, id) > after)
        .collect();
    let order = |a: &(f64, i64), b: &(f64, i64)| a.0.total_cmp(&b.0).then(a.1.cmp(&b.1));
    // Only the page and the one after it are ordered (thousands may be within the radius).
    let keep = filter.limit as usize + 1;
    if ranked.len() > keep {
        ranked.select_nth_unstable_by(keep, order);
        ranked.truncate(keep);
    }
    ranked.sort_by(order);
    let more = ranked.len() as i64 > filter.limit;
    ranked.truncate(filter.limit as usize);
    let ids: Vec<i64> = ranked.iter().map(|&(_, id)| id).collect();
    let mut rows = store::resource_rows(conn, &ids)?;
    let next = if more {
        ranked.last().map(|&(d, id)| Cursor::AfterDistance(d, id))
    } else {
        None
    };
    Ok(SearchPage {
        rows: ranked
            .into_iter()
            .filter_map(|(d, id)| rows.remove(&id).map(|r| (r, Some(d))))
            .collect(),
        next,
        total,
        nearest_beyond: None,
        extras: None,
    })
}

/// What a search finds, from memory: the catalogue's facts at the database's current version;
/// the positions for proximity without dates; the occupancy, brought up to date from the log
/// of changes, for dates.
fn found_in_memory(
    conn: &mut DbConnection,
    filter: &SearchFilter,
    near: Option<(LatLon, f64)>,
    (epoch, version): (&str, i64),
    facts: &index::SearchFacts,
) -> Found {
    match (filter.available, near) {
        (None, None) => Ok(facts.matching(filter).map(|r| (r.id, None)).collect()),
        (None, Some((point, radius_km))) => {
            let positions = positions::current(epoch, version, || {
                Ok::<_, Error>(positions::Positions::new(
                    facts.version(),
                    facts.copy_points(),
                ))
            })?;
            let mut within = positions.within(point, radius_km);
            if filter.narrows_resources() {
                within.retain(|&(id, _)| facts.resource(id).is_some_and(|r| r.matches(filter)));
            }
            Ok(within.into_iter().map(|(id, d)| (id, Some(d))).collect())
        }
        (Some(dates), near) => index::with_occupancy(
            epoch,
            |cursor| occupancy_update(conn, cursor),
            |occupancy| {
                facts
                    .matching(filter)
                    .filter_map(|r| match near {
                        None => facts
                            .has_free_copy(occupancy, r, dates)
                            .then_some((r.id, None)),
                        Some((point, radius_km)) => facts
                            .nearest_copy(r, point, radius_km, Some((occupancy, dates)))
                            .map(|d| (r.id, Some(d))),
                    })
                    .collect()
            },
        ),
    }
}

/// The occupations to bring this instance's copy up to date: all of them on a first (or stale)
/// look, else those of the copies logged since `cursor`.
fn occupancy_update(
    conn: &mut DbConnection,
    cursor: Option<i64>,
) -> Result<index::OccupancyUpdate> {
    Ok(match cursor {
        None => {
            let (cursor, rows) = store::load_occupancy(conn)?;
            index::OccupancyUpdate::Whole { cursor, rows }
        }
        Some(since) => {
            let (cursor, copies) = store::occupancy_changes(conn, since)?;
            let rows = if copies.is_empty() {
                Vec::new()
            } else {
                store::active_occupations_of(conn, &copies)?
            };
            index::OccupancyUpdate::Changed {
                cursor,
                copies,
                rows,
            }
        }
    })
}

/// What a search finds, by scanning the database: the matching resources by SQL, then those with
/// a copy free over the dates (by SQL), then every copy's exact distance.
fn found_by_scan(
    conn: &mut DbConnection,
    filter: &SearchFilter,
    near: Option<(LatLon, f64)>,
) -> Found {
    let mut ids = store::scan::resources_matching(conn, filter)?;
    if let Some(period) = filter.available {
        let mut free = std::collections::HashSet::new();
        for chunk in ids.chunks(500) {
            free.extend(store::scan::free_among(conn, chunk, period)?);
        }
        ids.retain(|id| free.contains(id));
    }
    let Some((point, radius_km)) = near else {
        return Ok(ids.into_iter().map(|id| (id, None)).collect());
    };
    let mut nearest: std::collections::HashMap<i64, f64> = std::collections::HashMap::new();
    for chunk in ids.chunks(500) {
        for (id, lat, lon) in store::scan::copy_points(conn, chunk, filter.available)? {
            let d = great_circle_km(point, LatLon { lat, lon });
            if d <= radius_km {
                let best = nearest.entry(id).or_insert(d);
                *best = best.min(d);
            }
        }
    }
    Ok(nearest.into_iter().map(|(id, d)| (id, Some(d))).collect())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cursors_round_trip_exactly() {
        for cursor in [
            Cursor::AfterId(42),
            Cursor::AfterDistance(97.712_345_678_9, 7),
            Cursor::AfterDistance(0.0, 1),
        ] {
            assert_eq!(Cursor::decode(&cursor.encode()).unwrap(), cursor);
        }
        assert!(Cursor::decode("x1").is_err());
        assert!(Cursor::decode("d12.z").is_err());
        assert!(Cursor::decode("dzz.1").is_err());
    }

    #[test]
    fn repeated_vocabulary_parameters_are_collected() {
        let p = SearchParams::from_query("audience=primary&audience=secondary&kind=kit&limit=5")
            .unwrap();
        assert_eq!(p.audience, ["primary", "secondary"]);
        assert_eq!(p.kind, ["kit"]);
        assert_eq!(p.limit, Some(5));
        assert!(SearchParams::from_query("limit=5&limit=6").is_err());
        assert!(SearchParams::from_query("colour=blue").is_err());
        assert!(SearchParams::from_query("limit=many").is_err());
    }

    #[test]
    fn ages_map_to_audiences() {
        assert_eq!(audiences_for_age(4), ["early_childhood", "family", "all"]);
        assert_eq!(audiences_for_age(10), ["primary", "family", "all"]);
        assert_eq!(audiences_for_age(11), ["secondary", "family", "all"]);
        assert_eq!(audiences_for_age(40), ["adult", "family", "all"]);
    }

    #[test]
    fn words_drop_a_plural_ending() {
        assert_eq!(
            search_words(Some("Les Énergies, l'EAUX")),
            ["les", "energie", "l", "eau"]
        );
        assert_eq!(search_words(Some("bus gaz")), ["bus", "gaz"]);
    }
}
