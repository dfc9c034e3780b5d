//! Catalogue search: combined filters, keyset pagination that stays stable under inserts, and
//! proximity ("near") with a bounding-box pre-filter in SQL before exact great-circle distances.

use chrono::NaiveDate;
use diesel::prelude::*;

use super::model::CopyStatus;
use super::store::ResourceRow;
use crate::db::{DbBackend, DbConnection};
use crate::error::{Error, Result};
use crate::schema::{
    copies, maintenance_records, occupations, resource_audiences, resource_themes, resources,
};
use crate::territory::geo::{bounding_box, great_circle_km, LatLon};

/// Largest page.
pub const MAX_LIMIT: i64 = 100;
/// Largest search radius, in km (the region is about 300 km across).
pub const MAX_RADIUS_KM: f64 = 1000.0;
/// Radius used when `near` is given without `radius_km`.
pub const DEFAULT_RADIUS_KM: f64 = 50.0;

/// A validated search.
#[derive(Debug, Clone, Default)]
pub struct SearchFilter {
    pub kind: Option<String>,
    pub theme: Option<String>,
    pub audience: Option<String>,
    pub producer_id: Option<i64>,
    /// Folded words that must all appear in the title or description.
    pub words: Vec<String>,
    /// Proximity: the point and the radius in km.
    pub near: Option<(LatLon, f64)>,
    /// Period for which a free copy is wanted (first and last day of use).
    pub available: Option<(NaiveDate, NaiveDate)>,
    pub limit: i64,
    pub cursor: Option<Cursor>,
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

/// Query parameters of `GET /api/v1/resources`, as received.
#[derive(Debug, Default, serde::Deserialize, utoipa::IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct SearchParams {
    /// `exhibition`, `trunk`, `kit` or `model`. (Read as text so that an unknown value is a 422
    /// naming the field, like in bodies; published as the vocabulary.)
    #[param(value_type = Option<super::model::ResourceKind>)]
    pub kind: Option<String>,
    /// One theme.
    #[param(value_type = Option<super::model::Theme>)]
    pub theme: Option<String>,
    /// One audience.
    #[param(value_type = Option<super::model::Audience>)]
    pub audience: Option<String>,
    /// Free text: every word must appear in the title or description (accents and case ignored).
    pub q: Option<String>,
    pub producer_id: Option<i64>,
    /// `LAT,LON`: only resources with a copy in service within `radius_km`, nearest first, each
    /// with `distance_km` (great-circle) to its nearest copy.
    pub near: Option<String>,
    /// Radius around `near`, in km (default 50, at most 1000).
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

impl SearchFilter {
    /// Validates the parameters, reporting every bad one against its name.
    pub fn from_params(params: SearchParams) -> Result<SearchFilter> {
        use super::model::{Audience, ResourceKind, Theme};
        let mut v = crate::error::Validator::new();
        let mut vocabulary =
            |field: &str,
             value: &Option<String>,
             check: fn(&str) -> std::result::Result<(), String>| {
                if let Some(value) = value {
                    if let Err(e) = check(value) {
                        v.add(field, e);
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
        let limit = params.limit.unwrap_or(20);
        v.check(
            (1..=MAX_LIMIT).contains(&limit),
            "limit",
            "must be between 1 and 100",
        );
        let near = match &params.near {
            None => {
                if params.radius_km.is_some() {
                    v.add("radius_km", "needs `near`");
                }
                None
            }
            Some(text) => match LatLon::parse(text) {
                None => {
                    v.add("near", "must be LAT,LON in degrees");
                    None
                }
                Some(point) => {
                    let radius = params.radius_km.unwrap_or(DEFAULT_RADIUS_KM);
                    if !(radius > 0.0 && radius <= MAX_RADIUS_KM) {
                        v.add("radius_km", "must be more than 0 and at most 1000");
                    }
                    Some((point, radius))
                }
            },
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
        let words = params
            .q
            .as_deref()
            .map(crate::text::fold)
            .unwrap_or_default()
            .split(' ')
            .filter(|w| !w.is_empty())
            .map(String::from)
            .collect();
        Ok(SearchFilter {
            kind: params.kind,
            theme: params.theme,
            audience: params.audience,
            producer_id: params.producer_id,
            words,
            near,
            available,
            limit,
            cursor,
        })
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
        if let Some(kind) = &filter.kind {
            query = query.filter(resources::kind.eq(kind.clone()));
        }
        if let Some(theme) = &filter.theme {
            query = query.filter(
                resources::id.eq_any(
                    resource_themes::table
                        .filter(resource_themes::theme.eq(theme.clone()))
                        .select(resource_themes::resource_id),
                ),
            );
        }
        if let Some(audience) = &filter.audience {
            query = query.filter(
                resources::id.eq_any(
                    resource_audiences::table
                        .filter(resource_audiences::audience.eq(audience.clone()))
                        .select(resource_audiences::resource_id),
                ),
            );
        }
        if let Some(producer_id) = filter.producer_id {
            query = query.filter(resources::producer_id.eq(producer_id));
        }
        for word in &filter.words {
            let pattern = format!("%{}%", crate::text::like_escape(word));
            query = query.filter(resources::search_text.like(pattern).escape('\\'));
        }
        query
    }};
}

/// Rows of one page, each with its distance in `near` searches, and where the next page starts.
pub type SearchPage = (Vec<(ResourceRow, Option<f64>)>, Option<Cursor>);

/// One page of matching resources, and the distance of each when searching near a point.
pub fn search(conn: &mut DbConnection, filter: &SearchFilter) -> Result<SearchPage> {
    match filter.near {
        None => search_by_id(conn, filter),
        Some((point, radius_km)) => search_near(conn, filter, point, radius_km),
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
    let mut rows: Vec<ResourceRow> = match filter.available {
        None => with_resource_filters!(resources::table.into_boxed::<DbBackend>(), filter)
            .filter(resources::id.gt(after))
            .order(resources::id.asc())
            .limit(filter.limit + 1)
            .select(ResourceRow::as_select())
            .load(conn)?,
        Some(period) => available_page(conn, filter, after, period)?,
    };
    let next = if rows.len() as i64 > filter.limit {
        rows.truncate(filter.limit as usize);
        rows.last().map(|r| Cursor::AfterId(r.id))
    } else {
        None
    };
    Ok((rows.into_iter().map(|r| (r, None)).collect(), next))
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
        let free: std::collections::HashSet<i64> = copies::table
            .filter(copies::resource_id.eq_any(&ids))
            .filter(copies::status.ne_all(CopyStatus::OUT_OF_SERVICE))
            .filter(diesel::dsl::not(occupied_over!(from, to)))
            .filter(diesel::dsl::not(under_repair!()))
            .select(copies::resource_id)
            .distinct()
            .load::<i64>(conn)?
            .into_iter()
            .collect();
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
    if let Some((from, to)) = filter.available {
        // Only copies free over the dates of use count, so the distance is to the nearest free one.
        query = query
            .filter(copies::status.ne(CopyStatus::Maintenance))
            .filter(diesel::dsl::not(occupied_over!(from, to)))
            .filter(diesel::dsl::not(under_repair!()));
    }
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
    let mut ranked: Vec<(f64, i64)> = nearest
        .into_iter()
        .map(|(id, d)| (d, id))
        .filter(|&(d, id)| (d, id) > (after_distance, after_id))
        .collect();
    ranked.sort_by(|a, b| a.0.total_cmp(&b.0).then(a.1.cmp(&b.1)));
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
    let page = ranked
        .into_iter()
        .filter_map(|(d, id)| rows.remove(&id).map(|r| (r, Some(d))))
        .collect();
    Ok((page, next))
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
}
