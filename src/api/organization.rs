//! Organisation and user endpoints.

use actix_web::{get, patch, post, put, web, HttpResponse};
use serde::Deserialize;
use utoipa::IntoParams;
use utoipa_actix_web::service_config::ServiceConfig;

use crate::access::Principal;
use crate::api::{run_json, shown};
use crate::http::{ApiResult, Problem};
use crate::organization::hours::{self, OpeningHours, OpeningHoursInput};
use crate::organization::legal::{self, LegalIdentityInput, LegalIdentityView};
use crate::organization::model::{
    NewOrganization, NewUser, OrgKind, Organization, OrganizationPage, OrganizationPatch, User,
};
use crate::organization::service;
use crate::state::AppState;

/// Registers the organisation and user routes.
pub fn routes(cfg: &mut ServiceConfig) {
    cfg.service(create_organization)
        .service(list_organizations)
        .service(get_organization)
        .service(update_organization)
        .service(get_opening_hours)
        .service(put_opening_hours)
        .service(get_legal_identity)
        .service(put_legal_identity)
        .service(create_user)
        .service(list_users)
        .service(get_user)
        .service(deactivate_user);
}

/// Admits an organisation into the network (agency only). Coordinates default to the commune's.
#[utoipa::path(
    tag = "organizations",
    security(("bearer" = [])),
    request_body = NewOrganization,
    responses(
        (status = 201, description = "The organisation", body = Organization),
        (status = 400, description = "Malformed body", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "Not the agency", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "Invalid fields (unknown commune, venue type on a non-venue, …)", body = Problem, content_type = "application/problem+json"),
    )
)]
#[post("/organizations")]
async fn create_organization(
    state: web::Data<AppState>,
    principal: Principal,
    body: web::Json<NewOrganization>,
) -> ApiResult<HttpResponse> {
    let clock = state.clock;
    let body = body.into_inner();
    let org = state
        .run(move |conn| service::create_organization(conn, &principal, &body, clock.naive()))
        .await?;
    Ok(HttpResponse::Created().json(org))
}

/// Query of the organisation directory.
#[derive(Debug, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct OrganizationQuery {
    /// Only organisations of this kind.
    kind: Option<OrgKind>,
    /// Page size, 1–500 (default 100).
    limit: Option<i64>,
    /// `next_cursor` of the previous page.
    cursor: Option<String>,
}

/// The directory of the network's organisations, visible to every authenticated caller.
#[utoipa::path(
    tag = "organizations",
    security(("bearer" = [])),
    params(OrganizationQuery),
    responses(
        (status = 200, description = "A page of organisations in id order", body = OrganizationPage),
        (status = 400, description = "Unknown parameter or kind", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "Bad limit or cursor", body = Problem, content_type = "application/problem+json"),
    )
)]
#[get("/organizations")]
async fn list_organizations(
    state: web::Data<AppState>,
    _principal: Principal,
    query: web::Query<OrganizationQuery>,
) -> ApiResult<web::Json<OrganizationPage>> {
    let query = query.into_inner();
    run_json(&state, move |conn| {
        service::list_organizations(
            conn,
            query.kind,
            query.cursor.as_deref(),
            query.limit.unwrap_or(100),
        )
    })
    .await
}

/// One organisation.
#[utoipa::path(
    tag = "organizations",
    security(("bearer" = [])),
    params(("id" = i64, Path, description = "Organisation id")),
    responses(
        (status = 200, description = "The organisation", body = Organization),
        (status = 404, description = "No such organisation", body = Problem, content_type = "application/problem+json"),
    )
)]
#[get("/organizations/{id}")]
async fn get_organization(
    state: web::Data<AppState>,
    _principal: Principal,
    id: web::Path<i64>,
) -> ApiResult<web::Json<Organization>> {
    let id = id.into_inner();
    run_json(&state, move |conn| service::get_organization(conn, id)).await
}

/// Changes an organisation's name, venue type, commune, address or coordinates (the agency, or an
/// administrator of the organisation). The kind never changes.
#[utoipa::path(
    tag = "organizations",
    security(("bearer" = [])),
    params(("id" = i64, Path, description = "Organisation id")),
    request_body = OrganizationPatch,
    responses(
        (status = 200, description = "The updated organisation", body = Organization),
        (status = 403, description = "Neither the agency nor an administrator of it", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such organisation", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "Invalid fields", body = Problem, content_type = "application/problem+json"),
    )
)]
#[patch("/organizations/{id}")]
async fn update_organization(
    state: web::Data<AppState>,
    principal: Principal,
    id: web::Path<i64>,
    body: web::Json<OrganizationPatch>,
) -> ApiResult<web::Json<Organization>> {
    let clock = state.clock;
    let id = id.into_inner();
    let body = body.into_inner();
    run_json(&state, move |conn| {
        service::update_organization(conn, &principal, id, &body, clock.naive())
    })
    .await
}

/// Creates a user: agency administrators in any organisation, an organisation's administrators in
/// their own.
#[utoipa::path(
    tag = "organizations",
    security(("bearer" = [])),
    request_body = NewUser,
    responses(
        (status = 201, description = "The user", body = User),
        (status = 403, description = "Not an administrator of that organisation", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "Organisation not visible to the caller", body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "`email_taken`", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "Invalid e-mail, short password, unknown organisation", body = Problem, content_type = "application/problem+json"),
    )
)]
#[post("/users")]
async fn create_user(
    state: web::Data<AppState>,
    principal: Principal,
    body: web::Json<NewUser>,
) -> ApiResult<HttpResponse> {
    let clock = state.clock;
    let body = body.into_inner();
    let user = state
        .run(move |conn| service::create_user(conn, &principal, &body, clock.naive()))
        .await?;
    Ok(HttpResponse::Created().json(user))
}

/// Query of the user list.
#[derive(Debug, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct UserQuery {
    /// Defaults to the caller's organisation.
    organization_id: Option<i64>,
}

/// Users of an organisation, for its members and the agency.
#[utoipa::path(
    tag = "organizations",
    security(("bearer" = [])),
    params(UserQuery),
    responses(
        (status = 200, description = "The users", body = [User]),
        (status = 404, description = "Organisation not visible to the caller", body = Problem, content_type = "application/problem+json"),
    )
)]
#[get("/users")]
async fn list_users(
    state: web::Data<AppState>,
    principal: Principal,
    query: web::Query<UserQuery>,
) -> ApiResult<web::Json<Vec<User>>> {
    let organization_id = query.organization_id;
    run_json(&state, move |conn| {
        service::list_users(conn, &principal, organization_id)
    })
    .await
}

/// One user, for members of the same organisation and the agency.
#[utoipa::path(
    tag = "organizations",
    security(("bearer" = [])),
    params(("id" = i64, Path, description = "User id")),
    responses(
        (status = 200, description = "The user", body = User),
        (status = 404, description = "No such user visible to the caller", body = Problem, content_type = "application/problem+json"),
    )
)]
#[get("/users/{id}")]
async fn get_user(
    state: web::Data<AppState>,
    principal: Principal,
    id: web::Path<i64>,
) -> ApiResult<web::Json<User>> {
    shown(&state, principal, id, service::get_user).await
}

/// Deactivates a user: no more logins, and every token of theirs is refused (401) on every
/// instance within seconds. The agency, or an administrator of the user's organisation; nobody
/// deactivates themselves.
#[utoipa::path(
    tag = "organizations",
    security(("bearer" = [])),
    params(("id" = i64, Path, description = "User id")),
    responses(
        (status = 200, description = "The user, deactivated", body = User),
        (status = 403, description = "Not an administrator of the user's organisation", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such user visible to the caller", body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "`invalid_transition`: the caller themselves", body = Problem, content_type = "application/problem+json"),
    )
)]
#[post("/users/{id}/deactivate")]
async fn deactivate_user(
    state: web::Data<AppState>,
    principal: Principal,
    id: web::Path<i64>,
) -> ApiResult<web::Json<User>> {
    let clock = state.clock;
    let id = id.into_inner();
    let gate = state.user_gate.clone();
    run_json(&state, move |conn| {
        service::deactivate_user(conn, gate.as_ref(), &principal, id, clock.naive())
    })
    .await
}

/// An organisation's opening hours: weekly spans and dated exceptions. Day plans deliver and
/// collect only when the venue is open; without weekly hours a venue counts as open all day.
#[utoipa::path(
    tag = "organizations",
    security(("bearer" = [])),
    params(("id" = i64, Path, description = "Organisation id")),
    responses(
        (status = 200, description = "The timetable", body = OpeningHours),
        (status = 404, description = "No such organisation", body = Problem, content_type = "application/problem+json"),
    )
)]
#[get("/organizations/{id}/opening-hours")]
async fn get_opening_hours(
    state: web::Data<AppState>,
    _principal: Principal,
    id: web::Path<i64>,
) -> ApiResult<web::Json<OpeningHours>> {
    let id = id.into_inner();
    run_json(&state, move |conn| hours::get(conn, id)).await
}

/// Replaces an organisation's opening hours at once (the agency, or an administrator of the
/// organisation): up to 4 spans a day, an exception per date (no spans: closed that day).
#[utoipa::path(
    tag = "organizations",
    security(("bearer" = [])),
    params(("id" = i64, Path, description = "Organisation id")),
    request_body = OpeningHoursInput,
    responses(
        (status = 200, description = "The timetable as stored", body = OpeningHours),
        (status = 400, description = "Malformed body or unknown weekday", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "Neither the agency nor an administrator of it", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such organisation", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "Every faulty span listed: not \"HH:MM\", closing before opening, overlapping, a date listed twice", body = Problem, content_type = "application/problem+json"),
    )
)]
#[put("/organizations/{id}/opening-hours")]
async fn put_opening_hours(
    state: web::Data<AppState>,
    principal: Principal,
    id: web::Path<i64>,
    body: web::Json<OpeningHoursInput>,
) -> ApiResult<web::Json<OpeningHours>> {
    let clock = state.clock;
    let id = id.into_inner();
    let input = body.into_inner();
    run_json(&state, move |conn| {
        hours::replace(conn, &principal, id, &input, clock.naive())
    })
    .await
}

/// An organisation's legal identity (SIRET, VAT number or exemption, postal address, IBAN, BIC,
/// electronic address, public-buyer settings), for the agency and the organisation's members.
#[utoipa::path(
    tag = "organizations",
    security(("bearer" = [])),
    params(("id" = i64, Path, description = "Organisation id")),
    responses(
        (status = 200, description = "The legal identity", body = LegalIdentityView),
        (status = 401, description = "Not authenticated", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such organisation, no legal identity yet, or the caller is neither the agency nor a member of it", body = Problem, content_type = "application/problem+json"),
    )
)]
#[get("/organizations/{id}/legal-identity")]
async fn get_legal_identity(
    state: web::Data<AppState>,
    principal: Principal,
    id: web::Path<i64>,
) -> ApiResult<web::Json<LegalIdentityView>> {
    let id = id.into_inner();
    Ok(web::Json(
        state
            .run(move |conn| legal::get(conn, &principal, id))
            .await?
            .into(),
    ))
}

/// Sets an organisation's legal identity at once (the agency, or an administrator of the
/// organisation). SIRET (Luhn key), VAT number (key of the SIREN) and IBAN (mod 97) are checked;
/// invoices already issued keep the identity they were issued with.
#[utoipa::path(
    tag = "organizations",
    security(("bearer" = [])),
    params(("id" = i64, Path, description = "Organisation id")),
    request_body = LegalIdentityInput,
    responses(
        (status = 200, description = "The legal identity as stored", body = LegalIdentityView),
        (status = 400, description = "Malformed body", body = Problem, content_type = "application/problem+json"),
        (status = 401, description = "Not authenticated", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "Neither the agency nor an administrator of it", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such organisation", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "Every faulty field named: `siret`, `vat_id`, `iban`, `bic`, `postcode`, `electronic_address`, …", body = Problem, content_type = "application/problem+json"),
    )
)]
#[put("/organizations/{id}/legal-identity")]
async fn put_legal_identity(
    state: web::Data<AppState>,
    principal: Principal,
    id: web::Path<i64>,
    body: web::Json<LegalIdentityInput>,
) -> ApiResult<web::Json<LegalIdentityView>> {
    let clock = state.clock;
    let id = id.into_inner();
    let input = body.into_inner();
    Ok(web::Json(
        state
            .run(move |conn| legal::put(conn, &principal, id, &input, clock.naive()))
            .await?
            .into(),
    ))
}
