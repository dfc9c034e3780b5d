//! Completes the generated OpenAPI document with the answers every operation shares, which the
//! per-handler annotations would otherwise have to repeat (and did forget): the extractors refuse
//! an unreadable body or query string with 400, an oversized body with 413 and a body that is not
//! JSON with 415, on every operation that takes one. It also states who may call what
//! (`security: []` on public operations, a 401 on every protected one), and keeps one copy of
//! each problem answer: the 401/403/404/422 an operation documents point at a shared component,
//! keeping the operation's own sentence as the reference's description.

use utoipa::openapi::path::{Operation, ParameterIn};
use utoipa::openapi::{ContentBuilder, OpenApi, Ref, RefOr, Response, ResponseBuilder};

use super::problem::PROBLEM_JSON;

/// Shared responses: (status, component name, description).
const MALFORMED: (&str, &str, &str) = (
    "400",
    "MalformedRequest",
    "`malformed_request`: the body, the query string or a header cannot be parsed (wrong JSON, \
     a wrong type, an unknown enum value, an unknown parameter).",
);
const TOO_LARGE: (&str, &str, &str) = (
    "413",
    "PayloadTooLarge",
    "`payload_too_large`: the body is larger than the configured limit.",
);
const NOT_JSON: (&str, &str, &str) = (
    "415",
    "UnsupportedMediaType",
    "`unsupported_media_type`: the body is not `application/json`.",
);

const TIMEOUT: (&str, &str, &str) = (
    "408",
    "RequestTimeout",
    "`request_timeout`: the body did not arrive within 10 s.",
);
const CONTROL: (&str, &str, &str) = (
    "422",
    "ControlCharacters",
    "`validation_failed`: the path, the query string or a text of the body contains a control \
     character (tabs and line breaks are allowed in body text); `errors` names where.",
);

const SCOPE: (&str, &str, &str) = (
    "403",
    "InsufficientScope",
    "`insufficient_scope`: the API key's scopes do not cover this call (or `forbidden`: a rule \
     of the organisation refuses it).",
);

/// The problem answers every operation words in its own sentence, shared as components:
/// (status, component name, description).
const UNAUTHENTICATED: (&str, &str, &str) = (
    "401",
    "Unauthenticated",
    "`unauthenticated`: no credential, or an expired, revoked or invalid one.",
);
const FORBIDDEN: (&str, &str, &str) = (
    "403",
    "Forbidden",
    "`forbidden`: the caller may read this but not do that to it.",
);
const NOT_FOUND: (&str, &str, &str) = (
    "404",
    "NotFound",
    "`not_found`: no such object, or another organisation's that the caller may not read.",
);
const INVALID: (&str, &str, &str) = (
    "422",
    "ValidationFailed",
    "`validation_failed`: a value is out of its range or refers to nothing; `errors` names \
     which.",
);

/// Adds the shared error responses as components and references them from every operation that
/// can give them.
pub fn complete(mut doc: OpenApi) -> OpenApi {
    let components = doc.components.get_or_insert_with(Default::default);
    for (_, name, description) in [
        MALFORMED,
        TOO_LARGE,
        NOT_JSON,
        TIMEOUT,
        CONTROL,
        SCOPE,
        UNAUTHENTICATED,
        FORBIDDEN,
        NOT_FOUND,
        INVALID,
    ] {
        components.responses.insert(
            name.to_string(),
            RefOr::T(
                ResponseBuilder::new()
                    .description(description)
                    .content(
                        PROBLEM_JSON,
                        ContentBuilder::new()
                            .schema(Some(Ref::from_schema_name("Problem")))
                            .build(),
                    )
                    .build(),
            ),
        );
    }
    for item in doc.paths.paths.values_mut() {
        for op in [
            &mut item.get,
            &mut item.post,
            &mut item.put,
            &mut item.patch,
            &mut item.delete,
        ]
        .into_iter()
        .flatten()
        {
            let reads_parameters = op
                .parameters
                .iter()
                .flatten()
                .any(|p| matches!(p.parameter_in, ParameterIn::Query | ParameterIn::Header));
            if op.request_body.is_some() {
                for shared in [MALFORMED, TOO_LARGE, NOT_JSON, TIMEOUT] {
                    add_shared(op, shared);
                }
            } else if reads_parameters {
                add_shared(op, MALFORMED);
            }
            // Any path segment or query string may carry an encoded control character.
            let takes_text = op.request_body.is_some()
                || op
                    .parameters
                    .iter()
                    .flatten()
                    .any(|p| matches!(p.parameter_in, ParameterIn::Query | ParameterIn::Path));
            if takes_text {
                add_shared(op, CONTROL);
            }
            // Every authenticated call may come with an API key that lacks its scope, or with
            // no valid credential at all; a public one says so with `security: []`.
            if op.security.as_ref().is_some_and(|s| !s.is_empty()) {
                add_shared(op, SCOPE);
                add_shared(op, UNAUTHENTICATED);
            } else {
                op.security.get_or_insert_with(Vec::new);
            }
            for shared in [UNAUTHENTICATED, FORBIDDEN, NOT_FOUND, INVALID] {
                refer_to_shared(op, shared);
            }
            declare_files_binary(op);
        }
    }
    doc
}

/// Files (PDF, ZIP) are bytes, not the array of integers utoipa makes of a `Vec<u8>`: their
/// schema is `{"type": "string", "format": "binary"}`.
fn declare_files_binary(op: &mut Operation) {
    for response in op.responses.responses.values_mut() {
        if let RefOr::T(response) = response {
            for (media_type, content) in response.content.iter_mut() {
                if matches!(media_type.as_str(), "application/pdf" | "application/zip") {
                    content.schema = Some(RefOr::T(utoipa::openapi::Schema::Object(
                        utoipa::openapi::ObjectBuilder::new()
                            .schema_type(utoipa::openapi::Type::String)
                            .format(Some(utoipa::openapi::SchemaFormat::KnownFormat(
                                utoipa::openapi::KnownFormat::Binary,
                            )))
                            .build(),
                    )));
                }
            }
        }
    }
}

/// Replaces an operation's own problem answer for a shared status by a reference to the shared
/// component, keeping the operation's sentence as the reference's description (OpenAPI 3.1).
fn refer_to_shared(op: &mut Operation, (status, name, description): (&str, &str, &str)) {
    let Some(answer) = op.responses.responses.get_mut(status) else {
        return;
    };
    let RefOr::T(response) = answer else {
        return;
    };
    if !is_plain_problem(response) {
        return;
    }
    let mut reference = Ref::new(format!("#/components/responses/{name}"));
    if response.description != description {
        reference.description = std::mem::take(&mut response.description);
    }
    *answer = RefOr::Ref(reference);
}

/// A response that is only a `Problem` body, with no headers or links of its own.
fn is_plain_problem(response: &Response) -> bool {
    response.headers.is_empty()
        && response.links.is_empty()
        && response.extensions.is_none()
        && response.content.len() == 1
        && response.content.get(PROBLEM_JSON).is_some_and(|content| {
            content.example.is_none()
                && content.examples.is_empty()
                && content.encoding.is_empty()
                && content.extensions.is_none()
                && matches!(&content.schema, Some(RefOr::Ref(r)) if r.ref_location == "#/components/schemas/Problem")
        })
}

/// References a shared response unless the operation documents that status itself.
fn add_shared(op: &mut Operation, (status, name, _): (&str, &str, &str)) {
    op.responses
        .responses
        .entry(status.to_string())
        .or_insert_with(|| RefOr::Ref(Ref::new(format!("#/components/responses/{name}"))));
}
