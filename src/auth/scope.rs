//! What an API key may do. A key carries scopes (default `read`); each route needs one, decided
//! here from its method and path template alone, in one table, so that no handler can forget the
//! check (the extractor of the caller applies it) and a test proves every documented operation
//! has its rule. Scopes only narrow a key: the organisation's rules (a producer writes only its
//! own resources, …) still apply on top.

use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

/// One permission of an API key (docs/api.md, "Auth").
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, ToSchema)]
pub enum Scope {
    /// Every `GET`, and the computations that change nothing (route optimisation, tour plans).
    #[serde(rename = "read")]
    Read,
    /// Bookings, their workflow, the waitlist, allocation requests, evaluations.
    #[serde(rename = "bookings:write")]
    BookingsWrite,
    /// Resources, copies, components.
    #[serde(rename = "catalogue:write")]
    CatalogueWrite,
    /// Condition reports, maintenance, retirement.
    #[serde(rename = "condition:write")]
    ConditionWrite,
    /// Tariffs, the pricing policy, subsidy programmes, invoices and credit notes.
    #[serde(rename = "billing:write")]
    BillingWrite,
    /// The organisation's webhooks.
    #[serde(rename = "webhooks:write")]
    WebhooksWrite,
    /// Organisations (and their opening hours), users, API keys, calendar links, vans:
    /// administration, and reading users.
    #[serde(rename = "admin")]
    Admin,
}

impl Scope {
    pub const ALL: &'static [Scope] = &[
        Scope::Read,
        Scope::BookingsWrite,
        Scope::CatalogueWrite,
        Scope::ConditionWrite,
        Scope::BillingWrite,
        Scope::WebhooksWrite,
        Scope::Admin,
    ];

    /// The stored and serialised name.
    pub fn as_str(self) -> &'static str {
        match self {
            Scope::Read => "read",
            Scope::BookingsWrite => "bookings:write",
            Scope::CatalogueWrite => "catalogue:write",
            Scope::ConditionWrite => "condition:write",
            Scope::BillingWrite => "billing:write",
            Scope::WebhooksWrite => "webhooks:write",
            Scope::Admin => "admin",
        }
    }

    fn of(name: &str) -> Option<Scope> {
        Scope::ALL.iter().copied().find(|s| s.as_str() == name)
    }

    /// Scopes from their stored list.
    pub fn parse_list(stored: &str) -> Vec<Scope> {
        crate::outbox::parse_names(stored, Scope::of)
    }

    /// The stored form of a list.
    pub fn join(scopes: &[Scope]) -> String {
        crate::outbox::join_names(scopes.iter().map(|s| s.as_str()))
    }
}

/// The scopes of the API key a request came with (absent for a user's token, whose role rules
/// apply instead), kept in the request's extensions by the `Principal` extractor.
#[derive(Debug, Clone)]
pub struct Granted(pub Vec<Scope>);

/// Field-level rule: an action whose scope depends on what it changes rather than on its route
/// (a copy's service status or grade is `condition:write` work, whichever route carries it)
/// refuses an API key without that scope (403 `insufficient_scope`).
pub fn require_granted(req: &actix_web::HttpRequest, needed: Scope) -> crate::error::Result<()> {
    use actix_web::HttpMessage;
    match req.extensions().get::<Granted>() {
        Some(Granted(scopes)) => super::service::require_scope(scopes, needed),
        None => Ok(()),
    }
}

/// The scope a route needs, from its method and path template (as routed, e.g.
/// `/api/v1/bookings/{id}/{action}`). A write no rule names needs `admin`, the safe default (a
/// test proves every documented operation has its rule).
pub fn required(method: &str, template: &str) -> Scope {
    rule(method, template).unwrap_or(Scope::Admin)
}

/// The rule for a route, if one names it.
pub fn rule(method: &str, template: &str) -> Option<Scope> {
    let path = template.strip_prefix("/api/v1").unwrap_or(template);
    let first = path.trim_start_matches('/').split('/').next().unwrap_or("");
    let reads_people = matches!(first, "users" | "api-keys" | "invitations");
    if matches!(method, "GET" | "HEAD") {
        return Some(if reads_people {
            Scope::Admin
        } else {
            Scope::Read
        });
    }
    if reads_people || matches!(first, "organizations" | "me") {
        return Some(Scope::Admin);
    }
    if path.ends_with("/invoice")
        || path.ends_with("/tariff")
        || matches!(first, "invoices" | "pricing-policy" | "subsidy-programs")
    {
        return Some(Scope::BillingWrite);
    }
    if path.ends_with("/condition-reports")
        || path.ends_with("/maintenance")
        || path.ends_with("/retire")
        || first == "maintenance"
    {
        return Some(Scope::ConditionWrite);
    }
    match first {
        "bookings" | "waitlist" | "allocation-rounds" => Some(Scope::BookingsWrite),
        "resources" | "copies" | "media" => Some(Scope::CatalogueWrite),
        "webhooks" => Some(Scope::WebhooksWrite),
        "routes" | "tours" => Some(Scope::Read),
        "venues" if path.ends_with("/calendar-token") => Some(Scope::Admin),
        // The agency's fleet: administration.
        "vans" => Some(Scope::Admin),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn routes_need_the_scope_of_their_domain() {
        use Scope as S;
        for (method, path, scope) in [
            ("GET", "/api/v1/bookings/{id}", S::Read),
            ("GET", "/api/v1/users", S::Admin),
            ("GET", "/api/v1/api-keys", S::Admin),
            ("POST", "/api/v1/bookings", S::BookingsWrite),
            ("POST", "/api/v1/bookings/{id}/{action}", S::BookingsWrite),
            ("POST", "/api/v1/bookings/{id}/invoice", S::BillingWrite),
            ("POST", "/api/v1/bookings/{id}/evaluation", S::BookingsWrite),
            ("PUT", "/api/v1/resources/{id}/tariff", S::BillingWrite),
            ("POST", "/api/v1/resources", S::CatalogueWrite),
            ("PATCH", "/api/v1/copies/{id}", S::CatalogueWrite),
            ("POST", "/api/v1/copies/{id}/maintenance", S::ConditionWrite),
            (
                "POST",
                "/api/v1/maintenance/{id}/complete",
                S::ConditionWrite,
            ),
            ("POST", "/api/v1/organizations", S::Admin),
            ("POST", "/api/v1/venues/{id}/calendar-token", S::Admin),
            ("POST", "/api/v1/webhooks", S::WebhooksWrite),
            ("POST", "/api/v1/tours/plan", S::Read),
            ("POST", "/api/v1/routes/solve", S::Read),
            ("POST", "/api/v1/vans", S::Admin),
            ("PUT", "/api/v1/organizations/{id}/opening-hours", S::Admin),
            ("POST", "/api/v1/something-new", S::Admin),
        ] {
            assert_eq!(required(method, path), scope, "{method} {path}");
        }
    }

    #[test]
    fn scopes_serialise_as_their_names() {
        for scope in Scope::ALL {
            assert_eq!(
                serde_json::to_value(scope).unwrap(),
                serde_json::json!(scope.as_str())
            );
        }
        assert_eq!(Scope::parse_list(&Scope::join(Scope::ALL)), Scope::ALL);
    }
}
