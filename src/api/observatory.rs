//! Observatory endpoints: coverage (agency and producers), the yearly observatory and the map
//! layers (public: the agency publishes them).

use actix_web::{get, web, HttpRequest, HttpResponse};
use chrono::Datelike;
use utoipa_actix_web::service_config::ServiceConfig;

use crate::access::Principal;
use crate::http::{ApiResult, Problem};
use crate::observatory::coverage::{self, Coverage, CoverageQuery, GroupBy};
use crate::observatory::indicators::{self, Observatory, ObservatoryQuery};
use crate::observatory::maps::{self, FeatureCollection};
use crate::observatory::{page, store, svg};
use crate::state::AppState;

/// Registers the observatory routes.
pub fn routes(cfg: &mut ServiceConfig) {
    cfg.service(get_coverage)
        .service(get_observatory)
        .service(venues_layer)
        .service(copies_layer)
        .service(coverage_layer)
        .service(coverage_svg);
}

/// Registers the public HTML page (outside `/api/v1`).
pub fn page_routes(cfg: &mut ServiceConfig) {
    cfg.service(observatory_page);
}

/// Coverage by EPCI over a period, the venues and the depots, drawn for [`coverage_svg`] and
/// the page.
fn drawn_map(
    conn: &mut crate::db::DbConnection,
    from: chrono::NaiveDate,
    to: chrono::NaiveDate,
) -> crate::error::Result<(String, Coverage)> {
    let (by_epci, communes) = coverage::coverage_with_communes(conn, from, to, GroupBy::Epci)?;
    let venues: Vec<svg::Marker> = store::venue_points(conn)?
        .into_iter()
        .map(|v| svg::Marker {
            longitude: v.longitude,
            latitude: v.latitude,
            name: v.name,
        })
        .collect();
    let depots: Vec<svg::Marker> = store::depots(conn)?
        .into_iter()
        .map(|(name, longitude, latitude)| svg::Marker {
            longitude,
            latitude,
            name,
        })
        .collect();
    let map = svg::coverage_map(&by_epci, &communes, &venues, &depots);
    Ok((map, by_epci))
}

/// The region drawn by the service as SVG (no tiles, no network): each EPCI as the concave hull
/// of its communes, shaded by loans per 10,000 inhabitants over the period, with venues, depots,
/// a legend and a scale bar. Public.
#[utoipa::path(
    tag = "territory",
    params(MapPeriod),
    responses(
        (status = 200, description = "The map", body = String, content_type = "image/svg+xml"),
        (status = 422, description = "A period inverted, longer than ten years, or outside 2000–2100", body = Problem, content_type = "application/problem+json"),
    ),
)]
#[get("/map/coverage.svg")]
async fn coverage_svg(
    state: web::Data<AppState>,
    query: web::Query<MapPeriod>,
) -> ApiResult<HttpResponse> {
    let MapPeriod { from, to } = query.into_inner();
    coverage::check_period(from, to)?;
    let (map, _) = state.run(move |conn| drawn_map(conn, from, to)).await?;
    Ok(HttpResponse::Ok()
        .content_type("image/svg+xml; charset=utf-8")
        .body(map))
}

/// The public observatory page: the map of the last 12 months, five years of indicators as
/// charts and a table, the EPCIs no loan reached. HTML readable without JavaScript.
#[utoipa::path(
    tag = "territory",
    responses(
        (status = 200, description = "The page", body = String, content_type = "text/html"),
        (status = 503, description = "`service_unavailable`: the database does not answer; retry", body = Problem, content_type = "application/problem+json"),
    ),
)]
#[get("/observatory")]
async fn observatory_page(state: web::Data<AppState>) -> ApiResult<HttpResponse> {
    let clock = state.clock;
    let today = clock.today();
    let from = today - chrono::Duration::days(365);
    let co2 = state.config.transport_co2_g_per_km;
    let html = state
        .run(move |conn| {
            let (map, by_epci) = drawn_map(conn, from, today)?;
            let years = indicators::observatory(conn, today.year() - 4, today.year(), co2)?;
            page::render(&map, &by_epci, &years)
        })
        .await?;
    Ok(HttpResponse::Ok()
        .content_type("text/html; charset=utf-8")
        .body(html))
}

const GEOJSON: &str = "application/geo+json";

/// Coverage of the region over a period, by commune class, EPCI, department or commune:
/// population (every commune, with or without a venue), venues, venues served, loans (bookings
/// delivered, returned or closed whose days of use meet the period) and loans per 10,000
/// inhabitants; with `by=commune` each row also names the commune's class, EPCI and department;
/// the EPCIs no loan reached; the population-weighted Gini of loans per inhabitant across EPCIs.
/// The agency and producers. `Accept: text/csv` gives the rows as a CSV file (a header line,
/// commas, RFC 4180), for every `by`.
#[utoipa::path(
    tag = "territory",
    security(("bearer" = [])),
    params(CoverageQuery),
    responses(
        (status = 200, description = "Coverage (JSON, or the rows as CSV with `Accept: text/csv`)", content((Coverage = "application/json"), (String = "text/csv"))),
        (status = 403, description = "Not the agency or a producer", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "A period inverted, longer than ten years, or outside 2000–2100", body = Problem, content_type = "application/problem+json"),
    )
)]
#[get("/territory/coverage")]
async fn get_coverage(
    state: web::Data<AppState>,
    principal: Principal,
    query: web::Query<CoverageQuery>,
    req: HttpRequest,
) -> ApiResult<HttpResponse> {
    let query = query.into_inner();
    let coverage = state
        .run(move |conn| coverage::coverage(conn, &principal, &query))
        .await?;
    Ok(crate::http::json_or_csv(
        &req,
        &coverage,
        &coverage::csv_name(&coverage),
        coverage::csv,
    ))
}

/// The observatory: loans, venues, communes and EPCIs reached, the villages' share, rates by
/// class, km and CO2, revenue and subsidies, year by year (the last five by default). Public: the
/// agency publishes it. `Accept: text/csv` gives a CSV file.
#[utoipa::path(
    tag = "territory",
    params(ObservatoryQuery),
    responses(
        (status = 200, description = "The years (JSON, or CSV with `Accept: text/csv`)", content((Observatory = "application/json"), (String = "text/csv"))),
        (status = 422, description = "Years outside 2000–2100, inverted, or more than 30", body = Problem, content_type = "application/problem+json"),
    )
)]
#[get("/observatory")]
async fn get_observatory(
    state: web::Data<AppState>,
    query: web::Query<ObservatoryQuery>,
    req: HttpRequest,
) -> ApiResult<HttpResponse> {
    let clock = state.clock;
    let (from, to) = indicators::years(&query.into_inner(), clock.now().year())?;
    let co2 = state.config.transport_co2_g_per_km;
    let observatory = state
        .run(move |conn| indicators::observatory(conn, from, to, co2))
        .await?;
    Ok(crate::http::json_or_csv(
        &req,
        &observatory,
        &format!("observatory-{from}-{to}.csv"),
        indicators::csv,
    ))
}

/// Venues as a public GeoJSON layer: name, type, commune and its class.
#[utoipa::path(
    tag = "territory",
    responses(
        (status = 200, description = "RFC 7946 FeatureCollection of points", body = FeatureCollection, content_type = "application/geo+json"),
        (status = 503, description = "`service_unavailable`: the database does not answer; retry", body = Problem, content_type = "application/problem+json"),
    ),
)]
#[get("/map/venues.geojson")]
async fn venues_layer(state: web::Data<AppState>) -> ApiResult<HttpResponse> {
    let layer = state
        .run(|conn| Ok(maps::venues(&store::venue_points(conn)?)))
        .await?;
    Ok(HttpResponse::Ok().content_type(GEOJSON).json(layer))
}

/// Copies where they are now, as a public GeoJSON layer (resource, kind, status; no costs).
#[utoipa::path(
    tag = "territory",
    responses(
        (status = 200, description = "RFC 7946 FeatureCollection of points", body = FeatureCollection, content_type = "application/geo+json"),
        (status = 503, description = "`service_unavailable`: the database does not answer; retry", body = Problem, content_type = "application/problem+json"),
    ),
)]
#[get("/map/copies.geojson")]
async fn copies_layer(state: web::Data<AppState>) -> ApiResult<HttpResponse> {
    let layer = state
        .run(|conn| Ok(maps::copies(&store::copy_points(conn)?)))
        .await?;
    Ok(HttpResponse::Ok().content_type(GEOJSON).json(layer))
}

/// Coverage per EPCI over a period as a public GeoJSON layer: one point per EPCI (the
/// population-weighted centre of its communes) with population, venues, loans and loans per
/// 10,000 inhabitants.
#[utoipa::path(
    tag = "territory",
    params(MapPeriod),
    responses(
        (status = 200, description = "RFC 7946 FeatureCollection of points", body = FeatureCollection, content_type = "application/geo+json"),
        (status = 422, description = "A period inverted, longer than ten years, or outside 2000–2100", body = Problem, content_type = "application/problem+json"),
    ),
)]
#[get("/map/coverage.geojson")]
async fn coverage_layer(
    state: web::Data<AppState>,
    query: web::Query<MapPeriod>,
) -> ApiResult<HttpResponse> {
    let MapPeriod { from, to } = query.into_inner();
    coverage::check_period(from, to)?;
    let layer = state
        .run(move |conn| {
            let (by_epci, communes) =
                coverage::coverage_with_communes(conn, from, to, GroupBy::Epci)?;
            Ok(maps::coverage(&by_epci, &communes))
        })
        .await?;
    Ok(HttpResponse::Ok().content_type(GEOJSON).json(layer))
}

/// The period of a public map.
#[derive(Debug, Clone, serde::Deserialize, utoipa::IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct MapPeriod {
    /// First day (required).
    pub from: chrono::NaiveDate,
    /// Last day, inclusive (required).
    pub to: chrono::NaiveDate,
}
