//! Which methods each known path answers, so that a known path called with another method gets
//! 405 with `Allow` (not a 404 that says the path does not exist), and `HEAD` is answered wherever
//! `GET` is: load balancers and uptime probes health-check with `HEAD`.

use actix_web::body::MessageBody;
use actix_web::dev::{ResourceDef, ServiceRequest, ServiceResponse};
use actix_web::http::Method;
use actix_web::middleware::Next;

/// The route table, read from the OpenAPI document (every documented route) plus the few routes
/// the document does not describe (the documentation itself).
pub struct KnownPaths {
    routes: Vec<(ResourceDef, Vec<Method>)>,
}

/// Routes served outside the OpenAPI document.
const UNDOCUMENTED_GET_ROUTES: &[&str] = &["/docs", "/docs/{tail:.*}", "/api-docs/openapi.json"];

impl KnownPaths {
    /// Every path and method of `doc`, with `HEAD` wherever `GET` is.
    pub fn from_openapi(doc: &utoipa::openapi::OpenApi) -> KnownPaths {
        let mut routes: Vec<(ResourceDef, Vec<Method>)> = doc
            .paths
            .paths
            .iter()
            .map(|(path, item)| {
                let mut methods: Vec<Method> = [
                    (item.get.is_some(), Method::GET),
                    (item.post.is_some(), Method::POST),
                    (item.put.is_some(), Method::PUT),
                    (item.patch.is_some(), Method::PATCH),
                    (item.delete.is_some(), Method::DELETE),
                ]
                .into_iter()
                .filter_map(|(present, method)| present.then_some(method))
                .collect();
                if item.get.is_some() {
                    methods.insert(1, Method::HEAD);
                }
                (ResourceDef::new(path.as_str()), methods)
            })
            .collect();
        for path in UNDOCUMENTED_GET_ROUTES {
            routes.push((ResourceDef::new(*path), vec![Method::GET, Method::HEAD]));
        }
        KnownPaths { routes }
    }

    /// The methods `path` answers, or `None` when no route has that shape. Where several
    /// templates match (`/bookings/{id}/history` and `/bookings/{id}/{action}`), the most literal
    /// one names the resource, as a reader of the document would take it.
    pub fn allowed(&self, path: &str) -> Option<Vec<Method>> {
        let matching = self.routes.iter().filter(|(def, _)| def.is_match(path));
        let fewest_variables = matching.clone().map(|(def, _)| variables(def)).min()?;
        let mut allowed: Vec<Method> = Vec::new();
        for (_, methods) in matching.filter(|(def, _)| variables(def) == fewest_variables) {
            for m in methods {
                if !allowed.contains(m) {
                    allowed.push(m.clone());
                }
            }
        }
        Some(allowed)
    }
}

/// How many `{…}` segments a template has.
fn variables(def: &ResourceDef) -> usize {
    def.pattern().map_or(0, |p| p.matches('{').count())
}

/// Serves `HEAD` as `GET`: the route runs as for `GET` and the HTTP codec, which remembers that
/// the request was a `HEAD`, sends the headers (with the length the body would have) and no body.
pub async fn head_as_get(
    mut req: ServiceRequest,
    next: Next<impl MessageBody>,
) -> Result<ServiceResponse<impl MessageBody>, actix_web::Error> {
    if req.method() == Method::HEAD {
        req.head_mut().method = Method::GET;
    }
    next.call(req).await
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn known_paths_come_from_the_document_with_head_beside_get() {
        let known = KnownPaths::from_openapi(&crate::app::openapi());
        assert_eq!(
            known.allowed("/api/v1/bookings/12"),
            Some(vec![Method::GET, Method::HEAD, Method::PATCH])
        );
        assert_eq!(
            known.allowed("/api/v1/bookings"),
            Some(vec![Method::GET, Method::HEAD, Method::POST])
        );
        assert_eq!(
            known.allowed("/health"),
            Some(vec![Method::GET, Method::HEAD])
        );
        assert_eq!(known.allowed("/api/v1/nothing-here"), None);
        assert_eq!(
            known.allowed("/api/v1/bookings/12/history"),
            Some(vec![Method::GET, Method::HEAD])
        );
        assert_eq!(
            known.allowed("/api/v1/bookings/12/approve"),
            Some(vec![Method::POST])
        );
        assert_eq!(
            known.allowed("/docs/index.css"),
            Some(vec![Method::GET, Method::HEAD])
        );
    }
}
