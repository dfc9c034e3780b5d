//! Commune endpoints: public reference data, readable without authentication.

use actix_web::{get, web};
use serde::Deserialize;
use utoipa::IntoParams;
use utoipa_actix_web::service_config::ServiceConfig;

use crate::error::{Error, Validator};
use crate::http::{ApiResult, Problem};
use crate::state::AppState;
use crate::territory::holidays::{self, SchoolHoliday, Zone};
use crate::territory::model::Commune;
use crate::territory::store::{self, CommuneFilter};

/// Departments of Hauts-de-France.
const DEPARTMENTS: [&str; 5] = ["02", "59", "60", "62", "80"];

/// Registers the territory routes.
pub fn routes(cfg: &mut ServiceConfig) {
    cfg.service(list_communes)
        .service(get_commune)
        .service(list_school_holidays);
}

/// Query of the commune search.
#[derive(Debug, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct CommuneQuery {
    /// Name prefix; accents, case, hyphens and apostrophes are ignored ("villeneuve d" finds
    /// Villeneuve-d'Ascq).
    q: Option<String>,
    /// Department number: `02`, `59`, `60`, `62` or `80`.
    department: Option<String>,
    /// At most this many communes (1–200, default 20), largest population first.
    limit: Option<i64>,
}

/// Searches communes by name prefix and/or department.
#[utoipa::path(
    tag = "territory",
    params(CommuneQuery),
    responses(
        (status = 200, description = "Matching communes, largest first", body = [Commune]),
        (status = 400, description = "Unparseable or unknown query parameter", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "Invalid department or limit", body = Problem, content_type = "application/problem+json"),
    )
)]
#[get("/communes")]
async fn list_communes(
    state: web::Data<AppState>,
    query: web::Query<CommuneQuery>,
) -> ApiResult<web::Json<Vec<Commune>>> {
    let query = query.into_inner();
    let mut v = Validator::new();
    let limit = query.limit.unwrap_or(20);
    v.check(
        (1..=200).contains(&limit),
        "limit",
        "must be between 1 and 200",
    );
    if let Some(d) = &query.department {
        v.check(
            DEPARTMENTS.contains(&d.as_str()),
            "department",
            "must be one of 02, 59, 60, 62, 80",
        );
    }
    v.finish()?;
    let name_prefix = query.q.map(|q| crate::text::fold(&q));
    if name_prefix.as_deref() == Some("") {
        // Only punctuation: no name can match it.
        return Ok(web::Json(Vec::new()));
    }
    let filter = CommuneFilter {
        name_prefix,
        department: query.department,
        limit,
    };
    let rows = state
        .run(move |conn| Ok(store::search(conn, &filter)?))
        .await?;
    Ok(web::Json(rows.into_iter().map(Commune::from).collect()))
}

/// One commune by INSEE code.
#[utoipa::path(
    tag = "territory",
    params(("insee_code" = String, Path, description = "INSEE code, e.g. 80021")),
    responses(
        (status = 200, description = "The commune", body = Commune),
        (status = 404, description = "No such commune", body = Problem, content_type = "application/problem+json"),
    )
)]
#[get("/communes/{insee_code}")]
async fn get_commune(
    state: web::Data<AppState>,
    insee_code: web::Path<String>,
) -> ApiResult<web::Json<Commune>> {
    let code = insee_code.into_inner();
    let row = state
        .run(move |conn| {
            store::find(conn, &code)?.ok_or_else(|| Error::NotFound(format!("commune {code}")))
        })
        .await?;
    Ok(web::Json(row.into()))
}

/// Query of the school-holiday calendar.
#[derive(Debug, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct SchoolHolidayQuery {
    /// `A`, `B` or `C` (Hauts-de-France is in zone B); every zone when absent.
    zone: Option<String>,
    /// Periods ending on or after this day (default: the first day of the calendar).
    from: Option<chrono::NaiveDate>,
    /// Periods starting on or before this day (default: the last day of the calendar).
    to: Option<chrono::NaiveDate>,
}

/// The official French school holidays (reference data of the Ministry of Education, Licence
/// Ouverte 2.0, school years 2023–2024 to 2027–2028), by first day: each period names its zone,
/// its first and its last day without school. A venue that closes during school holidays (or
/// opens only then) follows its department's zone.
#[utoipa::path(
    tag = "territory",
    params(SchoolHolidayQuery),
    responses(
        (status = 200, description = "Holiday periods touching the range, by first day", body = [SchoolHoliday]),
        (status = 400, description = "Unparseable or unknown query parameter", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "Unknown zone, or `to` before `from`", body = Problem, content_type = "application/problem+json"),
    )
)]
#[get("/school-holidays")]
async fn list_school_holidays(
    query: web::Query<SchoolHolidayQuery>,
) -> ApiResult<web::Json<Vec<SchoolHoliday>>> {
    let query = query.into_inner();
    let mut v = Validator::new();
    let zone = match query.zone.as_deref().map(str::parse::<Zone>) {
        Some(Ok(zone)) => Some(zone),
        Some(Err(_)) => {
            v.add("zone", "must be A, B or C");
            None
        }
        None => None,
    };
    let (first, last) = holidays::coverage();
    let from = query.from.unwrap_or(first);
    let to = query.to.unwrap_or(last);
    v.check(to >= from, "to", "must not be before from");
    v.finish()?;
    Ok(web::Json(holidays::between(zone, from, to)))
}
