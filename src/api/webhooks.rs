//! HTTP handlers of webhooks: register, list, delete, and the delivery log.

use actix_web::{delete, get, post, web, HttpResponse};
use utoipa_actix_web::service_config::ServiceConfig;

use crate::access::Principal;
use crate::api::{act_on, run_json};
use crate::error::Error;
use crate::http::{ApiResult, Problem};
use crate::notify::webhook::model::{
    CreatedWebhook, DeliveryQuery, NewWebhook, Webhook, WebhookDelivery,
};
use crate::notify::webhook::service;
use crate::state::AppState;

/// Registers the webhook routes.
pub fn routes(cfg: &mut ServiceConfig) {
    cfg.service(create_webhook)
        .service(list_webhooks)
        .service(delete_webhook)
        .service(list_deliveries);
}

/// Registers a webhook for the caller's organisation: deliveries of the chosen events about its
/// own objects are POSTed to `url`, signed per Standard Webhooks with the secret in this answer
/// (shown once). Organisation administrators and the organisation's API keys register webhooks.
/// The URL must resolve to public addresses (loopback, private and link-local ones are refused
/// unless the operator set `ITINERANCE_WEBHOOK_ALLOW_PRIVATE=true`). See `webhooks` in this
/// document for the payloads.
#[utoipa::path(
    tag = "webhooks",
    security(("bearer" = [])),
    request_body = NewWebhook,
    responses(
        (status = 201, description = "The webhook, with its signing secret shown once", body = CreatedWebhook),
        (status = 403, description = "Neither an administrator nor an API key of the organisation", body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "`webhook_limit_reached`: 20 active webhooks already", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "No events, a malformed URL, or one that does not resolve to public addresses", body = Problem, content_type = "application/problem+json"),
    )
)]
#[post("/webhooks")]
async fn create_webhook(
    state: web::Data<AppState>,
    principal: Principal,
    body: web::Json<NewWebhook>,
) -> ApiResult<HttpResponse> {
    let clock = state.clock;
    let body = body.into_inner();
    service::may_manage(&principal)?;
    let target = service::check_new(&body)?;
    // DNS may take a while: resolved on the blocking pool, holding no database connection.
    let allow_private = state.config.webhook_allow_private;
    web::block(move || service::check_reachable(&target, allow_private))
        .await
        .map_err(|e| Error::Internal(e.to_string()))??;
    let created = state
        .run(move |conn| service::register(conn, &principal, &body, clock.naive()))
        .await?;
    Ok(HttpResponse::Created().json(created))
}

/// The caller's organisation's webhooks, newest first, with whether each is active and since
/// when it has been failing (secrets are never shown again).
#[utoipa::path(
    tag = "webhooks",
    security(("bearer" = [])),
    responses(
        (status = 200, description = "The webhooks", body = Vec<Webhook>),
    )
)]
#[get("/webhooks")]
async fn list_webhooks(
    state: web::Data<AppState>,
    principal: Principal,
) -> ApiResult<web::Json<Vec<Webhook>>> {
    run_json(&state, move |conn| service::list(conn, &principal)).await
}

/// Deletes a webhook of the caller's organisation: nothing more is sent to it, and its delivery
/// log goes with it.
#[utoipa::path(
    tag = "webhooks",
    security(("bearer" = [])),
    params(("id" = i64, Path, description = "Webhook id")),
    responses(
        (status = 204, description = "Deleted"),
        (status = 403, description = "Neither an administrator nor an API key of the organisation", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such webhook in the caller's organisation", body = Problem, content_type = "application/problem+json"),
    )
)]
#[delete("/webhooks/{id}")]
async fn delete_webhook(
    state: web::Data<AppState>,
    principal: Principal,
    id: web::Path<i64>,
) -> ApiResult<HttpResponse> {
    act_on(&state, principal, id, service::delete).await?;
    Ok(HttpResponse::NoContent().finish())
}

/// A webhook's delivery log, newest first: each event sent to it, its attempts, the last
/// answer's status or error, and when it is tried again.
#[utoipa::path(
    tag = "webhooks",
    security(("bearer" = [])),
    params(("id" = i64, Path, description = "Webhook id"), DeliveryQuery),
    responses(
        (status = 200, description = "The deliveries", body = Vec<WebhookDelivery>),
        (status = 404, description = "No such webhook in the caller's organisation", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "`limit` outside 1–500", body = Problem, content_type = "application/problem+json"),
    )
)]
#[get("/webhooks/{id}/deliveries")]
async fn list_deliveries(
    state: web::Data<AppState>,
    principal: Principal,
    id: web::Path<i64>,
    query: web::Query<DeliveryQuery>,
) -> ApiResult<web::Json<Vec<WebhookDelivery>>> {
    let id = id.into_inner();
    let query = query.into_inner();
    run_json(&state, move |conn| {
        service::deliveries(conn, &principal, id, &query)
    })
    .await
}

/// Publishes the deliveries in the document as OpenAPI 3.1 `webhooks`: one entry per event,
/// each a `POST` of [`WebhookPayload`] with the Standard Webhooks headers. utoipa has no
/// `webhooks` field, so the entries go in through the document's top-level map.
pub fn document(doc: &mut utoipa::openapi::OpenApi) {
    use crate::notify::webhook::model::WebhookEvent;
    let header = |name: &str, description: &str| {
        serde_json::json!({
            "name": name, "in": "header", "required": true,
            "description": description, "schema": {"type": "string"}
        })
    };
    let parameters = serde_json::json!([
        header("webhook-id", "The event's id, the same on every retry: deduplicate by it."),
        header("webhook-timestamp", "Unix seconds of this attempt; refuse attempts more than five minutes off your clock."),
        header("webhook-signature", "`v1,<base64 HMAC-SHA256>` of `<webhook-id>.<webhook-timestamp>.<body>` with the key of the `whsec_` secret; verify with a Standard Webhooks library."),
    ]);
    let mut webhooks = serde_json::Map::new();
    for event in WebhookEvent::ALL {
        webhooks.insert(
            event.as_str().to_string(),
            serde_json::json!({
                "post": {
                    "tags": ["webhooks"],
                    "operationId": format!("webhook_{}", event.as_str().replace('.', "_")),
                    // The service calls the partner: no credential of ours, the signature instead.
                    "security": [],
                    "summary": format!("`{}`, POSTed to the webhooks that subscribed to it", event.as_str()),
                    "description": "Sent about the receiving organisation's own objects only. Answer 2xx within the timeout (10 s by default); anything else is retried with exponential backoff for 24 hours, and a webhook that fails for a whole day is disabled.",
                    "parameters": parameters,
                    "requestBody": {
                        "required": true,
                        "content": {"application/json": {"schema": {"$ref": "#/components/schemas/WebhookPayload"}}}
                    },
                    "responses": {"2XX": {"description": "Received"}}
                }
            }),
        );
    }
    doc.extensions
        .get_or_insert_with(Default::default)
        .insert("webhooks".into(), serde_json::Value::Object(webhooks));
}
