//! The HTTP side of `Idempotency-Key`: the header as an extractor, and [`once`], which a handler
//! wraps its work in (one line per idempotent operation).

use std::future::{ready, Future, Ready};
use std::sync::{Arc, Mutex};

use actix_web::body::{to_bytes, BoxBody};
use actix_web::dev::Payload;
use actix_web::http::{header, StatusCode};
use actix_web::{FromRequest, HttpRequest, HttpResponse, ResponseError};
use chrono::{Duration, NaiveDateTime};
use serde::Serialize;

use crate::access::Principal;
use crate::db::DbConnection;
use crate::error::Error;
use crate::http::{ApiError, ApiResult};
use crate::idempotency::{Claim, Key, Recorded, HEADER};
use crate::state::AppState;

/// Response header set on a replayed answer.
pub const REPLAYED_HEADER: &str = "Idempotent-Replayed";

/// The request's `Idempotency-Key`, if it sent one. One that is empty, longer than 255 or not
/// printable ASCII (non-ASCII bytes included, which are not even header text) is 422 naming the
/// header.
#[derive(Debug, Clone)]
pub struct IdempotencyKey(pub Option<Key>);

impl FromRequest for IdempotencyKey {
    type Error = ApiError;
    type Future = Ready<Result<Self, ApiError>>;

    fn from_request(req: &HttpRequest, _: &mut Payload) -> Self::Future {
        let parsed = match req.headers().get(HEADER) {
            None => Ok(IdempotencyKey(None)),
            Some(value) => match value.to_str() {
                Ok(text) => Key::parse(text)
                    .map(|k| IdempotencyKey(Some(k)))
                    .map_err(ApiError::from),
                Err(_) => Err(Error::invalid(HEADER, "must be printable ASCII").into()),
            },
        };
        ready(parsed)
    }
}

/// What identifies a keyed request: the caller's organisation (keys are scoped to it), the key,
/// and the fingerprint of method, path and parsed body. `None` inside when no key was sent.
pub struct KeyedRequest(Option<(i64, Key, String)>);

impl KeyedRequest {
    /// Takes what [`once`] needs from the request before the handler's work borrows its body.
    pub fn new(
        principal: &Principal,
        key: IdempotencyKey,
        req: &HttpRequest,
        body: &impl Serialize,
    ) -> ApiResult<KeyedRequest> {
        let Some(key) = key.0 else {
            return Ok(KeyedRequest(None));
        };
        let body = serde_json::to_value(body)
            .map_err(|e| Error::Internal(format!("cannot fingerprint the body: {e}")))?;
        let hash = crate::idempotency::fingerprint(req.method().as_str(), req.path(), &body);
        Ok(KeyedRequest(Some((principal.organization_id, key, hash))))
    }
}

/// The key a request holds while its work runs, for the work to record its answer in the
/// transaction of its effect ([`Slot::record`]): then a crash leaves both or neither, and a retry
/// never acts twice. Without a key it records nothing.
#[derive(Debug, Clone, Default)]
pub struct Slot(Option<Arc<Held>>);

#[derive(Debug)]
struct Held {
    id: i64,
    recorded: Mutex<Option<Recorded>>,
}

impl Slot {
    /// The answer `status` with `value` as its JSON body: recorded as the key's answer on `conn`
    /// (call it last in the transaction that makes the effect), and returned as the body to send
    /// (build the response with [`Slot::respond`]), so the first answer and its replays are the
    /// same bytes.
    pub fn record(
        &self,
        conn: &mut DbConnection,
        status: StatusCode,
        value: &impl Serialize,
        now: NaiveDateTime,
    ) -> crate::error::Result<String> {
        let body = serde_json::to_string(value)
            .map_err(|e| Error::Internal(format!("cannot serialise the answer: {e}")))?;
        if let Some(held) = &self.0 {
            let answer = Recorded {
                status: status.as_u16(),
                content_type: JSON.to_string(),
                body: body.clone(),
            };
            crate::idempotency::complete(conn, held.id, &answer, now)?;
            if let Ok(mut recorded) = held.recorded.lock() {
                *recorded = Some(answer);
            }
        }
        Ok(body)
    }

    /// The response carrying a body from [`Slot::record`].
    pub fn respond(status: StatusCode, body: String) -> HttpResponse {
        HttpResponse::build(status)
            .insert_header((header::CONTENT_TYPE, JSON))
            .body(body)
    }

    /// Whether `answer` is the one the work recorded in its transaction (nothing left to do).
    fn holds(&self, answer: &Recorded) -> bool {
        self.0.as_ref().is_some_and(|held| {
            held.recorded
                .lock()
                .map(|r| r.as_ref() == Some(answer))
                .unwrap_or(false)
        })
    }
}

const JSON: &str = "application/json";

/// Runs `work` at most once per key: without a key it just runs; with one, see the module
/// [`crate::idempotency`]. The work is given the [`Slot`] to record its answer in its own
/// transaction; an answer it did not record there is recorded here, after it.
pub async fn once<F, Fut>(
    state: &AppState,
    request: KeyedRequest,
    work: F,
) -> ApiResult<HttpResponse>
where
    F: FnOnce(Slot) -> Fut,
    Fut: Future<Output = ApiResult<HttpResponse>>,
{
    let clock = state.clock;
    let Some((organization_id, key, hash)) = request.0 else {
        return work(Slot::default()).await;
    };
    let abandoned_after = Duration::seconds(state.config.idempotency_abandoned_after_seconds);
    let claim = state
        .run(move |conn| {
            crate::idempotency::claim(
                conn,
                organization_id,
                &key,
                &hash,
                abandoned_after,
                clock.naive(),
            )
        })
        .await?;
    let id = match claim {
        Claim::Acquired { id } => id,
        Claim::Replay(recorded) => return Ok(replay(recorded)),
        Claim::InProgress => return Err(ApiError::IdempotencyKeyInProgress),
        Claim::Reused => return Err(ApiError::IdempotencyKeyReused),
    };
    let slot = Slot(Some(Arc::new(Held {
        id,
        recorded: Mutex::new(None),
    })));
    let response = match work(slot.clone()).await {
        Ok(response) => response,
        Err(e) => e.error_response(),
    };
    // Nothing was done when the server failed or the client left: the key is free again.
    if response.status().is_server_error()
        || response.status().as_u16() == crate::error::Code::ClientClosedRequest.status()
    {
        let released =
            crate::client::regardless(state.run(move |conn| crate::idempotency::release(conn, id)));
        if let Err(e) = released.await {
            tracing::warn!(error = %e, "could not release an idempotency key");
        }
        return Ok(response);
    }
    let (head, body) = response.into_parts();
    let bytes = to_bytes(body)
        .await
        .map_err(|e| Error::Internal(format!("cannot read the answer to record it: {e}")))?;
    let recorded = Recorded {
        status: head.status().as_u16(),
        content_type: head
            .headers()
            .get(header::CONTENT_TYPE)
            .and_then(|v| v.to_str().ok())
            .unwrap_or(JSON)
            .to_string(),
        body: String::from_utf8_lossy(&bytes).into_owned(),
    };
    if slot.holds(&recorded) {
        return Ok(head.set_body(BoxBody::new(bytes)));
    }
    let to_store = recorded.clone();
    // Recorded even when the client has left: its retry must get this answer, not a second
    // effect.
    let recorded_answer = crate::client::regardless(
        state.run(move |conn| crate::idempotency::complete(conn, id, &to_store, clock.naive())),
    );
    if let Err(e) = recorded_answer.await {
        // The effect happened; the answer is still the caller's. A retry within the abandonment
        // delay gets 409 in progress, and after it runs again (see the module doc).
        tracing::error!(error = %e, "could not record an idempotent answer");
    }
    Ok(head.set_body(BoxBody::new(bytes)))
}

/// The recorded answer, marked as a replay.
fn replay(recorded: Recorded) -> HttpResponse {
    HttpResponse::build(StatusCode::from_u16(recorded.status).unwrap_or(StatusCode::OK))
        .insert_header((header::CONTENT_TYPE, recorded.content_type))
        .insert_header((REPLAYED_HEADER, "true"))
        .body(recorded.body)
}
