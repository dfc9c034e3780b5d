//! The domain error: what a rule refused and why, with a stable machine-readable code.
//! It knows nothing of HTTP; `http::problem` turns it into a problem response.

use serde::Serialize;
use utoipa::ToSchema;

/// One offending input field and what is wrong with it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, ToSchema)]
pub struct FieldError {
    /// Path of the field in the request, e.g. `themes[1]` or `weight_kg`; for a CSV body, the
    /// column (or `body` for the file as a whole).
    pub field: String,
    /// Human-readable explanation.
    pub message: String,
    /// For a CSV body, the line of the file (1 is the header line); absent otherwise.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub line: Option<u64>,
}

crate::text_enum! {
    /// Every stable problem `code` partners match on: the one list that the OpenAPI document
    /// (the `code` of `Problem`) and the README's table of codes are made from.
    pub enum Code {
        MalformedRequest => "malformed_request",
        Unauthenticated => "unauthenticated",
        InvalidCredentials => "invalid_credentials",
        Forbidden => "forbidden",
        InsufficientScope => "insufficient_scope",
        NotFound => "not_found",
        MethodNotAllowed => "method_not_allowed",
        AlreadyExists => "already_exists",
        EmailTaken => "email_taken",
        AssetTagTaken => "asset_tag_taken",
        ComponentExists => "component_exists",
        BookingConflict => "booking_conflict",
        OccupationOverlap => "occupation_overlap",
        InvalidTransition => "invalid_transition",
        CopyNotReady => "copy_not_ready",
        CopyRetired => "copy_retired",
        MaintenanceConflict => "maintenance_conflict",
        NoLegs => "no_legs",
        IdempotencyKeyInProgress => "idempotency_key_in_progress",
        AlreadyInvoiced => "already_invoiced",
        AlreadyCredited => "already_credited",
        LoanNotReturned => "loan_not_returned",
        AgreementNotReady => "agreement_not_ready",
        LegalIdentityIncomplete => "legal_identity_incomplete",
        BudgetBelowCommitted => "budget_below_committed",
        RequestLimitReached => "request_limit_reached",
        RoundClosed => "round_closed",
        NoProposal => "no_proposal",
        ProposalStale => "proposal_stale",
        LoanNotDelivered => "loan_not_delivered",
        AlreadyEvaluated => "already_evaluated",
        EvaluationLocked => "evaluation_locked",
        WebhookLimitReached => "webhook_limit_reached",
        RequestTimeout => "request_timeout",
        PayloadTooLarge => "payload_too_large",
        UnsupportedMediaType => "unsupported_media_type",
        NotAcceptable => "not_acceptable",
        ValidationFailed => "validation_failed",
        IdempotencyKeyReused => "idempotency_key_reused",
        VenueClosed => "venue_closed",
        MoveInfeasible => "move_infeasible",
        TooManyAttempts => "too_many_attempts",
        LinkExpired => "link_expired",
        InternalError => "internal_error",
        ServiceUnavailable => "service_unavailable",
        ClientClosedRequest => "client_closed_request",
    }
}

impl Code {
    /// The HTTP status that comes with the code.
    pub fn status(self) -> u16 {
        use Code as C;
        match self {
            C::MalformedRequest => 400,
            C::Unauthenticated | C::InvalidCredentials => 401,
            C::Forbidden | C::InsufficientScope => 403,
            C::NotFound => 404,
            C::MethodNotAllowed => 405,
            C::AlreadyExists
            | C::EmailTaken
            | C::AssetTagTaken
            | C::ComponentExists
            | C::BookingConflict
            | C::OccupationOverlap
            | C::InvalidTransition
            | C::CopyNotReady
            | C::CopyRetired
            | C::MaintenanceConflict
            | C::NoLegs
            | C::IdempotencyKeyInProgress
            | C::AlreadyInvoiced
            | C::WebhookLimitReached
            | C::AlreadyCredited
            | C::LoanNotReturned
            | C::AgreementNotReady
            | C::LegalIdentityIncomplete
            | C::BudgetBelowCommitted
            | C::RequestLimitReached
            | C::RoundClosed
            | C::NoProposal
            | C::ProposalStale
            | C::LoanNotDelivered
            | C::AlreadyEvaluated
            | C::EvaluationLocked => 409,
            C::RequestTimeout => 408,
            C::PayloadTooLarge => 413,
            C::TooManyAttempts => 429,
            C::LinkExpired => 410,
            C::UnsupportedMediaType => 415,
            C::NotAcceptable => 406,
            C::ValidationFailed | C::IdempotencyKeyReused | C::VenueClosed | C::MoveInfeasible => {
                422
            }
            C::InternalError => 500,
            C::ServiceUnavailable => 503,
            C::ClientClosedRequest => 499,
        }
    }

    /// When it is given, in a line (for the README and the OpenAPI document).
    pub fn meaning(self) -> &'static str {
        use Code as C;
        match self {
            C::MalformedRequest => "the body, query string or a header cannot be parsed; an unknown query parameter",
            C::Unauthenticated => "no token, or a bad, expired or revoked one",
            C::InvalidCredentials => "wrong e-mail or password (the same answer for both)",
            C::Forbidden => "a change you may not make to something you can read",
            C::InsufficientScope => "the API key's scopes do not cover this call (`read` by default; see API keys)",
            C::NotFound => "no such route or object, or another organisation's that you may not read",
            C::MethodNotAllowed => "a known path with another method (`Allow` lists the right ones)",
            C::AlreadyExists => "a record with the same unique value exists (or the venue already waits for this resource over these days)",
            C::EmailTaken => "a user with this e-mail exists",
            C::AssetTagTaken => "the producer already has a copy with this asset tag",
            C::ComponentExists => "the resource already lists a component of this name",
            C::BookingConflict => "no copy is free for these dates (`alternatives` lists the nearest free periods)",
            C::OccupationOverlap => "the copy is already occupied on some of these days",
            C::InvalidTransition => "the action is not allowed from the current status",
            C::CopyNotReady => "a returned copy is dispatched before an inspection passed, or the copy is out of service",
            C::CopyRetired => "the copy is retired",
            C::MaintenanceConflict => "the copy is occupied on some of these days (`conflicting_booking_ids`, `conflicting_maintenance_ids`)",
            C::NoLegs => "a cancelled, rejected or expired booking does not travel",
            C::IdempotencyKeyInProgress => "the first request with this `Idempotency-Key` is still running (`Retry-After: 1`)",
            C::AlreadyInvoiced => "the booking has an invoice (credit it first to invoice it again)",
            C::AlreadyCredited => "the invoice already has a credit note",
            C::LoanNotReturned => "only a `returned` or `closed` loan is invoiced",
            C::AgreementNotReady => "a loan agreement exists once the booking is approved (not while requested, nor after a refusal, cancellation or expiry)",
            C::LegalIdentityIncomplete => "the seller's legal identity (SIRET, VAT number or exemption, IBAN) is missing or incomplete: invoices cannot be issued",
            C::BudgetBelowCommitted => "a programme's budget cannot go below what approved loans committed",
            C::RequestLimitReached => "the venue already holds `max_open_requests_per_venue` requested bookings (or as many waitlist entries)",
            C::RoundClosed => "the allocation round is confirmed: it takes no more requests or proposals",
            C::NoProposal => "the round has no current proposal to confirm (`allocate` first, again after a new request)",
            C::ProposalStale => "the calendar changed since the proposal: a copy it assigns is taken; nothing was booked, `allocate` again",
            C::LoanNotDelivered => "only a loan that reached its venue (`delivered`, `returned`, `closed`) is evaluated",
            C::AlreadyEvaluated => "the booking has an evaluation: change it with PATCH",
            C::EvaluationLocked => "an evaluation can be changed for 30 days after it was written",
            C::WebhookLimitReached => "the organisation already has 20 active webhooks: delete one first",
            C::RequestTimeout => "the body did not arrive within 10 s",
            C::PayloadTooLarge => "the body is larger than the configured limit; a file is over 10 MB, or a resource's files would weigh over 50 MB",
            C::UnsupportedMediaType => "the body is not `application/json`; an uploaded file is neither a JPEG, PNG or WebP photo nor a PDF (judged from its content)",
            C::NotAcceptable => "the `Accept` header names no type the operation serves (an invoice: `application/json`, `application/pdf`)",
            C::ValidationFailed => "the request parses but breaks a rule (`errors` lists the fields)",
            C::IdempotencyKeyReused => "this `Idempotency-Key` was used for another request in the last 24 hours",
            C::MoveInfeasible => "a stop moved by hand would break a rule of the day plan: `reason` is `over_capacity`, `outside_opening_hours` or `after_shift_end`, `van_number` the van whose round breaks it; nothing changed",
            C::VenueClosed => "no day near the dates is open at both the venue and the depot for the delivery, the pick-up or the set-up days (`closed_days` names them)",
            C::TooManyAttempts => "5 failed logins for this e-mail within 15 minutes, or too many password-reset requests for one address or from one client: wait `Retry-After` seconds",
            C::LinkExpired => "an invitation or password-reset link that was used, has expired or never existed (one answer for the three)",
            C::InternalError => "a fault of ours, logged with its detail (never shown)",
            C::ServiceUnavailable => "the database does not answer, or no connection is free; retry",
            C::ClientClosedRequest => "never received: the client closed its connection while the request waited for the database, so it was dropped before any work (seen in the server's log only)",
        }
    }

    /// The README's table of codes, generated from this list (a test compares them).
    pub fn markdown_table() -> String {
        let mut out = String::from("| code | status | when |\n|---|---|---|\n");
        for code in Code::ALL {
            out.push_str(&format!(
                "| `{}` | {} | {} |\n",
                code.as_str(),
                code.status(),
                code.meaning()
            ));
        }
        out
    }
}

/// Everything a domain service can refuse; each case has one stable `code`.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    #[error("{0}")]
    Unauthenticated(String),
    #[error("invalid e-mail or password")]
    InvalidCredentials,
    #[error("{0}")]
    Forbidden(String),
    /// An API key called outside its scopes.
    #[error("this API key lacks the `{0}` scope for this call")]
    InsufficientScope(&'static str),
    /// Too many failed logins for one e-mail (or password-reset requests): wait `retry_after`
    /// seconds.
    #[error("too many attempts; retry in {retry_after} s")]
    TooManyAttempts { retry_after: i64 },
    #[error("{0} not found")]
    NotFound(String),
    #[error("the request breaks {} rule(s)", .0.len())]
    Validation(Vec<FieldError>),
    /// A rule about the current state of things (a duplicate, a taken period, a wrong status).
    #[error("{detail}")]
    Conflict {
        code: Code,
        detail: String,
        /// Extra members added to the problem body (e.g. booking alternatives).
        extra: Option<serde_json::Value>,
    },
    #[error("{0}")]
    Unavailable(String),
    /// The client closed its connection before the request's turn for the database came; nobody
    /// reads the answer (logged with nginx's 499).
    #[error("the client closed the connection before the request was served")]
    ClientGone,
    /// A fault of ours; the detail is logged, never shown.
    #[error("internal error: {0}")]
    Internal(String),
}

/// Result of a domain service.
pub type Result<T> = std::result::Result<T, Error>;

impl Error {
    /// The stable snake_case code partners match on.
    pub fn code(&self) -> Code {
        match self {
            Error::Unauthenticated(_) => Code::Unauthenticated,
            Error::InvalidCredentials => Code::InvalidCredentials,
            Error::Forbidden(_) => Code::Forbidden,
            Error::InsufficientScope(_) => Code::InsufficientScope,
            Error::TooManyAttempts { .. } => Code::TooManyAttempts,
            Error::NotFound(_) => Code::NotFound,
            Error::Validation(_) => Code::ValidationFailed,
            Error::Conflict { code, .. } => *code,
            Error::Unavailable(_) => Code::ServiceUnavailable,
            Error::ClientGone => Code::ClientClosedRequest,
            Error::Internal(_) => Code::InternalError,
        }
    }

    /// A single-field validation error.
    pub fn invalid(field: &str, message: impl Into<String>) -> Error {
        Error::Validation(vec![FieldError {
            field: field.to_string(),
            message: message.into(),
            line: None,
        }])
    }

    /// A conflict without extra members.
    pub fn conflict(code: Code, detail: impl Into<String>) -> Error {
        Error::Conflict {
            code,
            detail: detail.into(),
            extra: None,
        }
    }
}

/// A count as the messages write it, thousands grouped by commas (10,000).
fn grouped(n: usize) -> String {
    let digits = n.to_string();
    let mut out = String::new();
    for (i, d) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(d);
    }
    out
}

/// Collects field errors so a request is answered with all its faults at once.
#[derive(Debug, Default)]
pub struct Validator {
    errors: Vec<FieldError>,
}

impl Validator {
    /// An empty collector.
    pub fn new() -> Self {
        Self::default()
    }

    /// Records `message` for `field` unless `ok`.
    pub fn check(&mut self, ok: bool, field: &str, message: &str) -> &mut Self {
        if !ok {
            self.add(field, message);
        }
        self
    }

    /// Records "must be between a and b" for `field` when `value` is given and lies outside
    /// `range` (a value a patch leaves out is not checked).
    pub fn in_range<T: PartialOrd + std::fmt::Display>(
        &mut self,
        field: &str,
        value: Option<T>,
        range: std::ops::RangeInclusive<T>,
    ) -> &mut Self {
        if let Some(value) = value {
            if !range.contains(&value) {
                let (low, high) = range.into_inner();
                self.add(field, format!("must be between {low} and {high}"));
            }
        }
        self
    }

    /// Records "must be at most N characters" for `field` when `text` is longer than `max`
    /// characters (not bytes: « é » is one).
    pub fn at_most_chars(&mut self, field: &str, text: &str, max: usize) -> &mut Self {
        if text.chars().count() > max {
            self.add(
                field,
                format!("must be at most {} characters", grouped(max)),
            );
        }
        self
    }

    /// A name or title: not blank, and at most `max` characters.
    pub fn name(&mut self, field: &str, text: &str, max: usize) -> &mut Self {
        self.check(!text.trim().is_empty(), field, "must not be empty");
        self.at_most_chars(field, text, max)
    }

    /// Records a fault unconditionally.
    pub fn add(&mut self, field: &str, message: impl Into<String>) {
        self.errors.push(FieldError {
            field: field.to_string(),
            message: message.into(),
            line: None,
        });
    }

    /// Whether nothing has been recorded.
    pub fn is_ok(&self) -> bool {
        self.errors.is_empty()
    }

    /// `Ok` when nothing was recorded, else the validation error with every fault.
    pub fn finish(self) -> Result<()> {
        if self.errors.is_empty() {
            Ok(())
        } else {
            Err(Error::Validation(self.errors))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn messages(v: Validator) -> Vec<String> {
        match v.finish() {
            Err(Error::Validation(errors)) => errors.into_iter().map(|e| e.message).collect(),
            _ => Vec::new(),
        }
    }

    /// The shared checks say what the hand-written ones said (the API's messages do not move).
    #[test]
    fn shared_checks_word_their_limits() {
        let mut v = Validator::new();
        v.name("name", "  ", 200)
            .at_most_chars("notes", &"é".repeat(10_001), 10_000)
            .at_most_chars("short", "éé", 2)
            .in_range("grade", Some(6), 1..=5)
            .in_range("days", None::<i32>, 0..=30)
            .in_range("year", Some(2000), 2000..=2999);
        assert_eq!(
            messages(v),
            [
                "must not be empty",
                "must be at most 10,000 characters",
                "must be between 1 and 5",
            ]
        );
        assert_eq!(grouped(999), "999");
        assert_eq!(grouped(1_000), "1,000");
        assert_eq!(grouped(1_000_000), "1,000,000");
    }
}
