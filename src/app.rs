//! Wiring: every route, the OpenAPI document and the HTTP server. The top of the import graph:
//! nothing imports `app` but `main`, `lib` and the tests.

use std::net::TcpListener;
use std::time::Duration;

use actix_web::dev::Server;
use actix_web::{get, web, HttpResponse, HttpServer};
use serde::Serialize;
use utoipa::openapi::security::{Http, HttpAuthScheme, SecurityScheme};
use utoipa::{Modify, OpenApi, ToSchema};
use utoipa_actix_web::service_config::ServiceConfig;
use utoipa_actix_web::{scope, AppExt};
use utoipa_swagger_ui::SwaggerUi;

use crate::error::Error;
use crate::http::{problem, ApiResult, Problem};
use crate::state::AppState;

/// Top-level document metadata; paths are collected from the registered services.
#[derive(OpenApi)]
#[openapi(
    info(
        title = "Itinérance API",
        description = "Logistics of a regional network lending itinerant science-culture \
resources (travelling exhibitions, educational trunks, kits, models): catalogue, bookings, \
condition and wear, transport, rental revenue and fair territorial access.\n\n\
Errors are `application/problem+json` bodies with a stable `code`. Authenticate with \
`Authorization: Bearer <token>`, where the token is an access token from `POST /api/v1/auth/login` \
or a partner API key.",
        license(name = "MIT", identifier = "MIT")
    ),
    servers((url = "/", description = "The host that serves this document (`/api-docs/openapi.json`)")),
    modifiers(&BearerSecurity),
    components(schemas(
        Problem,
        crate::error::FieldError,
        crate::booking::model::BookingAction,
        crate::condition::service::FleetSort,
        crate::api::booking::FeedLanguage,
        crate::booking::model::FlagReason,
        crate::notify::webhook::model::WebhookPayload
    )),
    tags(
        (name = "system", description = "Health and documentation"),
        (name = "auth", description = "Login, current user and partner API keys"),
        (name = "organizations", description = "Organisations of the network and their users"),
        (name = "territory", description = "Communes of the region (reference data), coverage, the observatory and public map layers"),
        (name = "catalogue", description = "Resources, physical copies and kit components"),
        (name = "media", description = "Photos and documents of a resource (setup guides, teacher booklets, crate lists): uploaded by its producer, type judged from the content, photos resized by the service"),
                (name = "bookings", description = "Booking calendars: requests, workflow, availability, waitlist, iCalendar feeds"),
                (name = "condition", description = "Condition reports, maintenance, wear, retirement and the producer's fleet"),
        (name = "transport", description = "Distances, legs and chaining, optimised tours, day plans"),
        (name = "billing", description = "Money: tariffs, the pricing policy, subsidy programmes, quotes, invoices and credit notes (Factur-X), revenue"),
        (name = "evaluation", description = "What loans did: venues report visitors, sessions, audiences and satisfaction; producers read them"),
        (name = "notifications", description = "Mail from the outbox: the agency's view of what was sent, waits or was given up"),
        (name = "webhooks", description = "Partners' webhooks: registration, signed deliveries (Standard Webhooks) of their own objects' events, the delivery log; payloads under `webhooks`"),
        (name = "allocation", description = "Allocation rounds for contested resources: requests, a plan under a policy (equity or first come) with reasons, confirmation"),
    )
)]
struct ApiDoc;

/// Declares the `bearer` scheme (access tokens and API keys) that protected paths reference.
struct BearerSecurity;

impl Modify for BearerSecurity {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        let components = openapi.components.get_or_insert_with(Default::default);
        components.add_security_scheme(
            "bearer",
            SecurityScheme::Http(Http::new(HttpAuthScheme::Bearer)),
        );
    }
}

/// Every documented route, for the server and for the OpenAPI document alike.
fn routes(cfg: &mut ServiceConfig) {
    cfg.service(health)
        .configure(crate::api::observatory::page_routes)
        .service(
            scope::scope("/api/v1")
                .configure(crate::api::auth::routes)
                .configure(crate::api::organization::routes)
                .configure(crate::api::account::routes)
                .configure(crate::api::territory::routes)
                .configure(crate::api::catalogue::routes)
                .configure(crate::api::media::routes)
                // Before booking's `/bookings/{id}/{action}`, which would take `/bookings/{id}/invoice`.
                .configure(crate::api::billing::routes)
                .configure(crate::api::evaluation::routes)
                .configure(crate::api::booking::routes)
                .configure(crate::api::condition::routes)
                .configure(crate::api::transport::routes)
                .configure(crate::api::observatory::routes)
                .configure(crate::api::allocation::routes)
                .configure(crate::api::notify::routes)
                .configure(crate::api::webhooks::routes)
                .configure(crate::api::audit::routes),
        );
}

/// The OpenAPI document generated from the code (`make openapi` writes it to `openapi/openapi.json`).
pub fn openapi() -> utoipa::openapi::OpenApi {
    let (_, doc) = actix_web::App::new()
        .into_utoipa_app()
        .openapi(ApiDoc::openapi())
        .configure(routes)
        .split_for_parts();
    let mut doc = crate::http::openapi::complete(doc);
    crate::api::webhooks::document(&mut doc);
    doc
}

/// The OpenAPI document as the pretty JSON committed to the repository.
pub fn openapi_json() -> String {
    let mut text = openapi().to_pretty_json().unwrap_or_default();
    text.push('\n');
    text
}

/// Starts the HTTP server on an already bound listener; SIGTERM/SIGINT stop it gracefully,
/// letting requests in flight finish within `shutdown_timeout_seconds`.
pub fn server(state: AppState, listener: TcpListener) -> std::io::Result<Server> {
    let doc = openapi();
    let known_paths = web::Data::new(crate::http::methods::KnownPaths::from_openapi(&doc));
    let config = state.config.clone();
    crate::jobs::spawn(state.clone());
    crate::notify::worker::spawn(state.clone());
    let data = web::Data::new(state);
    let body_limit = config.body_limit_bytes;
    let mut http = HttpServer::new(move || {
        let (app, _) = actix_web::App::new()
            .app_data(data.clone())
            .app_data(known_paths.clone())
            .app_data(
                web::JsonConfig::default()
                    .limit(body_limit)
                    .error_handler(problem::json_error),
            )
            .app_data(web::PayloadConfig::default().limit(body_limit))
            .app_data(web::QueryConfig::default().error_handler(problem::query_error))
            .app_data(web::PathConfig::default().error_handler(problem::path_error))
            // Innermost: the portal's error pages in the visitor's language, before the
            // headers and the request log see the answer.
            .wrap(actix_web::middleware::from_fn(
                crate::portal::localise_errors,
            ))
            .wrap(actix_web::middleware::from_fn(
                crate::http::methods::head_as_get,
            ))
            .wrap(actix_web::middleware::from_fn(
                crate::http::hygiene::clean_input,
            ))
            .wrap(actix_web::middleware::from_fn(
                crate::http::hygiene::security_headers,
            ))
            .wrap(actix_web::middleware::from_fn(crate::http::watch_client))
            .wrap(actix_web::middleware::from_fn(crate::http::log_requests))
            .default_service(web::to(problem::no_route))
            .into_utoipa_app()
            .configure(routes)
            .split_for_parts();
        app.route(
            "/docs",
            web::get().to(|| async {
                HttpResponse::PermanentRedirect()
                    .insert_header(("Location", "/docs/"))
                    .finish()
            }),
        )
        .service(SwaggerUi::new("/docs/{_:.*}").url("/api-docs/openapi.json", doc.clone()))
        .configure(crate::portal::routes)
    })
    .on_connect(|connection, data| {
        if let Some(peer) = crate::client::Peer::of_connection(connection) {
            data.insert(peer);
        }
    })
    .shutdown_timeout(config.shutdown_timeout_seconds)
    .client_request_timeout(Duration::from_secs(30));
    if config.workers > 0 {
        http = http.workers(config.workers);
    }
    Ok(http.listen(listener)?.run())
}

/// Liveness and database reachability.
#[derive(Debug, Serialize, ToSchema)]
pub struct Health {
    #[schema(example = "ok")]
    pub status: &'static str,
    /// `sqlite` or `postgres`.
    #[schema(example = "sqlite")]
    pub database: &'static str,
}

/// Health check: 200 when the database answers, 503 otherwise. Needs no authentication, for load
/// balancers.
#[utoipa::path(
    tag = "system",
    responses(
        (status = 200, description = "Service and database are up", body = Health),
        (status = 503, description = "Database unreachable", body = Problem, content_type = "application/problem+json"),
    )
)]
#[get("/health")]
async fn health(state: web::Data<AppState>) -> ApiResult<web::Json<Health>> {
    let backend = state.backend;
    state
        .run(|conn| {
            use diesel::RunQueryDsl;
            diesel::sql_query("SELECT 1").execute(conn).map_err(|e| {
                // The cause names the database's host and name: logged, never shown.
                tracing::warn!(cause = %e, "health check: database does not answer");
                Error::Unavailable("the database does not answer".into())
            })
        })
        .await?;
    Ok(web::Json(Health {
        status: "ok",
        database: backend.as_str(),
    }))
}
