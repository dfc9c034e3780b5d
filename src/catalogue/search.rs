//! Catalogue search: combined filters, keyset pagination that stays stable under inserts, and
//! proximity ("near" a point, a commune or a venue) with a bounding-box pre-filter in SQL before
//! exact great-circle distances.

use chrono::NaiveDate;
use diesel::prelude::*;

use super::model::CopyStatus;
use super::positions;
use super::store::{self, ResourceRow};
use crate::db::{DbBackend, DbConnection};
use crate::error::{Error, Result};
use crate::schema::{
    communes, copies, maintenance_records, occupations, organizations, resource_audiences,
    resource_themes, resources,
};
use crate::territory::geo::{bounding_box, great_circle_km, LatLon};

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
        Origin::Commune(insee) => communes::table
            .find(insee)
            .select((communes::latitude, communes::longitude))
            .first::<(f64, f64)>(conn)
            .optional()?
            .map(|(lat, lon)| LatLon { lat, lon })
            .ok_or_else(|| Error::invalid("near_commune", "no commune has this INSEE code")),
        Origin::Venue(id) => organizations::table
            .find(id)
            .select((organizations::latitude, organizations::longitude))
            .first::<(f64, f64)>(conn)
            .optional()?
            .map(|(lat, lon)| LatLon { lat, lon })
            .ok_or_else(|| Error::invalid("near_venue", "no organisation has this id")),
    }
}

/// Whether the copy in scope (`copies`) has an active occupation (booking or maintenance) on
/// any day of `[from, to]`.
macro_rules! occupied_over {
    ($from:expr, $to:expr) => {
        diesel::dsl::exists(
            occupations::table
                .filter(occupations::copy_id.eq(copies::id))
                .filter(occupations::active.eq(true))
                .filter(occupations::starts_on.le($to))
                .filter(occupations::ends_on.ge($from)),
        )
    };
}

/// "The copy is under an open-ended repair" (not completed, no end): out of service until then,
/// whatever its status says while it is still out on a loan.
macro_rules! under_repair {
    () => {
        diesel::dsl::exists(
            maintenance_records::table
                .filter(maintenance_records::copy_id.eq(copies::id))
                .filter(maintenance_records::completed_at.is_null())
                .filter(maintenance_records::ends_on.is_null()),
        )
    };
}

/// Adds every filter but proximity and pagination to a boxed query that has `resources` in its
/// FROM clause (the resources alone, or copies joined to their resource).
macro_rules! with_resource_filters {
    ($query:expr, $filter:expr) => {{
        let filter: &SearchFilter = $filter;
        let mut query = $query.filter(resources::deleted_at.is_null());
        if !filter.kinds.is_empty() {
            query = query.filter(resources::kind.eq_any(filter.kinds.clone()));
        }
        if !filter.themes.is_empty() {
            query = query.filter(
                resources::id.eq_any(
                    resource_themes::table
                        .filter(resource_themes::theme.eq_any(filter.themes.clone()))
                        .select(resource_themes::resource_id),
                ),
            );
        }
        for audiences in [Some(&filter.audiences), filter.age_audiences.as_ref()]
            .into_iter()
            .flatten()
            .filter(|a| !a.is_empty())
        {
            query = query.filter(
                resources::id.eq_any(
                    resource_audiences::table
                        .filter(resource_audiences::audience.eq_any(audiences.clone()))
                        .select(resource_audiences::resource_id),
                ),
            );
        }
        if let Some(producer_id) = filter.producer_id {
            query = query.filter(resources::producer_id.eq(producer_id));
        }
        for word in &filter.words {
            // Whole words: the folded text is words separated by single spaces, so a word is
            // found between two spaces once the text is padded with one at each end.
            let padded = || {
                " ".into_sql::<diesel::sql_types::Text>()
                    .concat(resources::search_text)
                    .concat(" ")
            };
            let w = crate::text::like_escape(word);
            query = query.filter(
                padded()
                    .like(format!("% {w} %"))
                    .escape('\\')
                    .or(padded().like(format!("% {w}s %")).escape('\\'))
                    .or(padded().like(format!("% {w}x %")).escape('\\')),
            );
        }
        query
    }};
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
}

/// One page of matching resources, their total, and the distance of each when searching near
/// a point, a commune or a venue.
pub fn search(conn: &mut DbConnection, filter: &SearchFilter) -> Result<SearchPage> {
    match &filter.origin {
        None => search_by_id(conn, filter),
        Some((origin, radius_km)) => {
            let point = resolve_origin(conn, origin)?;
            let mut page = search_near(conn, filter, point, *radius_km)?;
            if page.total == 0 {
                let beyond = SearchFilter {
                    limit: 1,
                    cursor: None,
                    ..filter.clone()
                };
                page.nearest_beyond = search_near(conn, &beyond, point, ANYWHERE_KM)?
                    .rows
                    .pop()
                    .and_then(|(row, d)| d.map(|d| (row, d)));
            }
            Ok(page)
        }
    }
}

fn search_by_id(conn: &mut DbConnection, filter: &SearchFilter) -> Result<SearchPage> {
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
    let (mut rows, total): (Vec<ResourceRow>, i64) = match filter.available {
        None => (
            with_resource_filters!(resources::table.into_boxed::<DbBackend>(), filter)
                .filter(resources::id.gt(after))
                .order(resources::id.asc())
                .limit(filter.limit + 1)
                .select(ResourceRow::as_select())
                .load(conn)?,
            with_resource_filters!(resources::table.into_boxed::<DbBackend>(), filter)
                .count()
                .get_result(conn)?,
        ),
        Some(period) => (
            available_page(conn, filter, after, period)?,
            available_total(conn, filter, period)?,
        ),
    };
    let next = if rows.len() as i64 > filter.limit {
        rows.truncate(filter.limit as usize);
        rows.last().map(|r| Cursor::AfterId(r.id))
    } else {
        None
    };
    Ok(SearchPage {
        rows: rows.into_iter().map(|r| (r, None)).collect(),
        next,
        total,
        nearest_beyond: None,
    })
}

/// Candidates read per round of a dated search.
const AVAILABLE_CHUNK: i64 = 64;

/// A page of a dated search: resources matching the other filters, in id order, read a chunk at a
/// time, each chunk checked for a copy in service free over the dates in one query, until the
/// page is full. One correlated query (resources where a free copy exists) let PostgreSQL's
/// planner hash the whole anti-join of copies and a million occupations for a page of 20 (63 ms
/// median); a chunk of ids is probed through the indexes in a few milliseconds on both backends.
fn available_page(
    conn: &mut DbConnection,
    filter: &SearchFilter,
    mut after: i64,
    (from, to): (NaiveDate, NaiveDate),
) -> Result<Vec<ResourceRow>> {
    let wanted = (filter.limit + 1) as usize;
    let chunk = AVAILABLE_CHUNK.max(filter.limit + 1);
    let mut page: Vec<ResourceRow> = Vec::with_capacity(wanted);
    loop {
        let candidates: Vec<ResourceRow> =
            with_resource_filters!(resources::table.into_boxed::<DbBackend>(), filter)
                .filter(resources::id.gt(after))
                .order(resources::id.asc())
                .limit(chunk)
                .select(ResourceRow::as_select())
                .load(conn)?;
        let Some(last) = candidates.last().map(|r| r.id) else {
            return Ok(page);
        };
        let ids: Vec<i64> = candidates.iter().map(|r| r.id).collect();
        let free = free_among(conn, &ids, (from, to))?;
        for row in candidates {
            if free.contains(&row.id) {
                page.push(row);
                if page.len() == wanted {
                    return Ok(page);
                }
            }
        }
        if (ids.len() as i64) < chunk {
            return Ok(page);
        }
        after = last;
    }
}

/// Which of `ids` have a copy in service free over `[from, to]` (one query).
fn free_among(
    conn: &mut DbConnection,
    ids: &[i64],
    (from, to): (NaiveDate, NaiveDate),
) -> Result<std::collections::HashSet<i64>> {
    Ok(copies::table
        .filter(copies::resource_id.eq_any(ids))
        .filter(copies::status.ne_all(CopyStatus::OUT_OF_SERVICE))
        .filter(diesel::dsl::not(occupied_over!(from, to)))
        .filter(diesel::dsl::not(under_repair!()))
        .select(copies::resource_id)
        .distinct()
        .load::<i64>(conn)?
        .into_iter()
        .collect())
}

/// How many resources match a dated search: the candidates' ids, probed for a free copy a
/// chunk at a time like a page (the same plan on both backends).
fn available_total(
    conn: &mut DbConnection,
    filter: &SearchFilter,
    period: (NaiveDate, NaiveDate),
) -> Result<i64> {
    let ids: Vec<i64> = with_resource_filters!(resources::table.into_boxed::<DbBackend>(), filter)
        .select(resources::id)
        .load(conn)?;
    let mut total = 0;
    for chunk in ids.chunks(500) {
        total += free_among(conn, chunk, period)?.len() as i64;
    }
    Ok(total)
}

fn search_near(
    conn: &mut DbConnection,
    filter: &SearchFilter,
    point: LatLon,
    radius_km: f64,
) -> Result<SearchPage> {
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
    let nearest: Vec<(i64, f64)> = match filter.available {
        None => nearest_in_service(conn, filter, point, radius_km)?,
        Some(period) => nearest_free(conn, filter, point, radius_km, period)?,
    };
    let total = nearest.len() as i64;
    let mut ranked: Vec<(f64, i64)> = nearest
        .into_iter()
        .map(|(id, d)| (d, id))
        .filter(|&(d, id)| (d, id) > (after_distance, after_id))
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
    let mut rows: std::collections::HashMap<i64, ResourceRow> = resources::table
        .filter(resources::id.eq_any(&ids))
        .select(ResourceRow::as_select())
        .load::<ResourceRow>(conn)?
        .into_iter()
        .map(|r| (r.id, r))
        .collect();
    let next = if more {
        ranked.last().map(|&(d, id)| Cursor::AfterDistance(d, id))
    } else {
        None
    };
    let rows = ranked
        .into_iter()
        .filter_map(|(d, id)| rows.remove(&id).map(|r| (r, Some(d))))
        .collect();
    Ok(SearchPage {
        rows,
        next,
        total,
        nearest_beyond: None,
    })
}

/// The resources with a copy in service free over `[from, to]` within `radius_km` of `point`,
/// each with the distance to its nearest such copy: occupations change with every booking, so
/// this one reads the database (the copies in the bounding box, then exact distances).
fn nearest_free(
    conn: &mut DbConnection,
    filter: &SearchFilter,
    point: LatLon,
    radius_km: f64,
    (from, to): (NaiveDate, NaiveDate),
) -> Result<Vec<(i64, f64)>> {
    let bbox = bounding_box(point, radius_km);
    // Copies in service inside the box, of resources matching the other filters.
    let mut query = with_resource_filters!(
        copies::table
            .inner_join(resources::table)
            .filter(copies::status.ne(CopyStatus::Retired))
            .filter(copies::latitude.between(bbox.min_lat, bbox.max_lat))
            .select((copies::resource_id, copies::latitude, copies::longitude))
            .into_boxed::<DbBackend>(),
        filter
    );
    // Only copies free over the dates of use count, so the distance is to the nearest free one.
    query = query
        .filter(copies::status.ne(CopyStatus::Maintenance))
        .filter(diesel::dsl::not(occupied_over!(from, to)))
        .filter(diesel::dsl::not(under_repair!()));
    if bbox.crosses_antimeridian() {
        query = query.filter(
            copies::longitude
                .ge(bbox.min_lon)
                .or(copies::longitude.le(bbox.max_lon)),
        );
    } else {
        query = query.filter(copies::longitude.between(bbox.min_lon, bbox.max_lon));
    }
    let positions: Vec<(i64, f64, f64)> = query.load(conn)?;

    // Nearest copy of each resource, within the radius.
    let mut nearest: std::collections::HashMap<i64, f64> = std::collections::HashMap::new();
    for (resource_id, lat, lon) in positions {
        let d = great_circle_km(point, LatLon { lat, lon });
        if d <= radius_km {
            nearest
                .entry(resource_id)
                .and_modify(|best| *best = best.min(d))
                .or_insert(d);
        }
    }
    Ok(nearest.into_iter().collect())
}

/// The resources with a copy in service within `radius_km` of `point` and matching the other
/// filters, each with the distance to its nearest copy: positions from memory
/// ([`super::positions`], reloaded when the database's version of them moved), the other
/// filters as the database applies them to every search.
fn nearest_in_service(
    conn: &mut DbConnection,
    filter: &SearchFilter,
    point: LatLon,
    radius_km: f64,
) -> Result<Vec<(i64, f64)>> {
    let (epoch, version) = store::positions_version(conn)?;
    let positions = positions::current(&epoch, version, || store::load_positions(conn))?;
    let mut found = positions.within(point, radius_km);
    if filter.narrows_resources() {
        let matching: std::collections::HashSet<i64> =
            with_resource_filters!(resources::table.into_boxed::<DbBackend>(), filter)
                .select(resources::id)
                .load::<i64>(conn)?
                .into_iter()
                .collect();
        found.retain(|(id, _)| matching.contains(id));
    }
    Ok(found)
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
