//! Password reset by e-mail: anyone asks with an address and gets the same answer whether it
//! belongs to an account or not; a known, active user gets a mail with a link valid 1 hour, used
//! once. Choosing the new password ends every earlier token and session of the user (the
//! password-change mechanism: tokens issued before `password_changed_at` are refused) and every
//! other reset link of theirs. Requests are throttled per address and per client, counted in the
//! database so every instance agrees, whether the address is known or not.

use std::collections::HashMap;

use chrono::{Duration, NaiveDateTime};
use serde::Deserialize;
use utoipa::ToSchema;

use super::link::{self, AccountMail, MailContext};
use super::store;
use crate::access::normalize_email;
use crate::access::password;
use crate::audit::{self, Actor};
use crate::auth::service::tokens_refused_before;
use crate::auth::session::UserGate;
use crate::db::{write_transaction, DbConnection};
use crate::error::{Error, Result, Validator};
use crate::organization::store as orgs;
use crate::outbox::{EventKind, SubjectType};

/// How long a reset link works, in minutes.
pub const VALID_MINUTES: i64 = 60;
/// Requests accepted per address within [`WINDOW_MINUTES`].
pub const PER_ADDRESS: usize = 3;
/// Requests accepted per client (IP address) within [`WINDOW_MINUTES`].
pub const PER_CLIENT: usize = 20;
/// The throttling window, in minutes.
pub const WINDOW_MINUTES: i64 = 60;

/// Body of `POST /api/v1/auth/password-reset`.
#[derive(Debug, Clone, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ResetRequest {
    /// The address of the account.
    #[schema(example = "bibliotheque@demo.itinerance.fr")]
    pub email: String,
}

/// Body of `POST /api/v1/auth/password-reset/confirm`.
#[derive(Debug, Clone, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ResetConfirmation {
    /// The token of the reset link (the last part of its address).
    pub token: String,
    /// At least 10 characters.
    pub new_password: String,
}

/// Refuses a request when `recent` (the window's requests, newest first, at most `max`) is full;
/// the error says when the oldest of them leaves the window.
fn refuse_when_full(recent: &[NaiveDateTime], max: usize, now: NaiveDateTime) -> Result<()> {
    if recent.len() < max {
        return Ok(());
    }
    let oldest = recent[max - 1];
    let retry_after = (oldest + Duration::minutes(WINDOW_MINUTES) - now)
        .num_seconds()
        .max(1);
    Err(Error::TooManyAttempts { retry_after })
}

/// Throttles reset requests: [`PER_ADDRESS`] per address and [`PER_CLIENT`] per client within
/// the window (429 `too_many_attempts` with `Retry-After`), counting every request, for known and
/// unknown addresses alike.
fn throttle(conn: &mut DbConnection, email: &str, client: &str, now: NaiveDateTime) -> Result<()> {
    let since = now - Duration::minutes(WINDOW_MINUTES);
    let by_address = store::reset_requests_by_address(conn, email, since, PER_ADDRESS as i64)?;
    refuse_when_full(&by_address, PER_ADDRESS, now)?;
    let by_client = store::reset_requests_by_client(conn, client, since, PER_CLIENT as i64)?;
    refuse_when_full(&by_client, PER_CLIENT, now)
}

/// Asks for a reset of the account of `email`, from `client` (the caller's IP address). The
/// answer is the same whether the address has an account or not; only a known, active user gets
/// a mail (in their language).
pub fn request(
    conn: &mut DbConnection,
    ctx: &MailContext,
    req: &ResetRequest,
    client: &str,
    now: NaiveDateTime,
) -> Result<()> {
    let email = normalize_email(&req.email);
    let mut v = Validator::new();
    v.check(
        !email.is_empty() && email.len() <= 254,
        "email",
        "must be an e-mail address",
    );
    v.finish()?;
    let token = link::new_token()?;
    write_transaction(conn, |conn| {
        throttle(conn, &email, client, now)?;
        store::insert_reset_request(conn, &email, client, now)?;
        let Some(user) = orgs::find_user_by_email(conn, &email)? else {
            return Ok(());
        };
        if user.deactivated_at.is_some() {
            return Ok(());
        }
        let reset_id = store::insert_reset(
            conn,
            user.id,
            &token.digest,
            now,
            now + Duration::minutes(VALID_MINUTES),
        )?;
        link::queue(
            conn,
            ctx,
            &AccountMail {
                kind: EventKind::AccountPasswordReset,
                subject_type: SubjectType::PasswordReset,
                subject_id: reset_id,
                recipient: &user.email,
                user_id: Some(user.id),
                locale: &user.locale,
                values: HashMap::from([
                    ("email", user.email.clone()),
                    ("minutes", VALID_MINUTES.to_string()),
                    ("link", ctx.page("password-reset", &token.secret)),
                ]),
            },
            now,
        )?;
        Ok::<(), Error>(())
    })
}

/// The user a reset link works for, while it works (the portal checks a link before showing its
/// form). A used, expired or unknown link, or a deactivated user → 410 `link_expired`.
pub fn open(conn: &mut DbConnection, token: &str, now: NaiveDateTime) -> Result<(i64, i64)> {
    let (reset_id, user_id) =
        store::find_usable_reset(conn, &link::digest(token), now)?.ok_or_else(link::expired)?;
    let active = orgs::find_user(conn, user_id)?.is_some_and(|u| u.deactivated_at.is_none());
    if !active {
        return Err(link::expired());
    }
    Ok((reset_id, user_id))
}

/// Sets the new password of a reset link: every token issued before is refused from then on
/// (on every instance within seconds, at once on this one), and every reset link of the user is
/// used up. A used, expired or unknown link → 410 `link_expired`; a short password → 422 and the
/// link still works.
pub fn confirm(
    conn: &mut DbConnection,
    gate: &UserGate,
    confirmation: &ResetConfirmation,
    now: NaiveDateTime,
) -> Result<()> {
    let (reset_id, user_id) = open(conn, &confirmation.token, now)?;
    let mut v = Validator::new();
    password::check_new(&mut v, "new_password", &confirmation.new_password);
    v.finish()?;
    let hash = password::hash(&confirmation.new_password)?;
    write_transaction(conn, |conn| {
        // Conditional: of two confirmations at once, one wins.
        let taken = store::take_reset(conn, reset_id, now)?;
        if taken != 1 {
            return Err(link::expired());
        }
        store::use_up_resets_of(conn, user_id, now)?;
        orgs::set_password(conn, user_id, &hash, tokens_refused_before(now))?;
        let organization_id = orgs::find_user(conn, user_id)?.map(|u| u.organization_id);
        audit::record(
            conn,
            Actor {
                organization_id,
                user_id: Some(user_id),
                api_key_id: None,
            },
            crate::audit::AuditAction::UserPasswordReset,
            user_id,
            &serde_json::json!({"password_reset_id": reset_id}),
            now,
        )?;
        Ok::<(), Error>(())
    })?;
    gate.forget(user_id);
    Ok(())
}

/// Forgets reset requests older than a day (background jobs; the throttle looks back an hour).
pub fn purge(conn: &mut DbConnection, now: NaiveDateTime) -> Result<usize> {
    let requests = store::delete_reset_requests_before(conn, now - Duration::days(1))?;
    Ok(requests)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_full_window_says_when_its_oldest_request_leaves() {
        let t = |m: i64| {
            chrono::NaiveDate::from_ymd_opt(2027, 1, 1)
                .unwrap()
                .and_hms_opt(12, 0, 0)
                .unwrap()
                + Duration::minutes(m)
        };
        let now = t(0);
        assert!(refuse_when_full(&[t(-1), t(-2)], 3, now).is_ok());
        match refuse_when_full(&[t(-1), t(-2), t(-10)], 3, now) {
            Err(Error::TooManyAttempts { retry_after }) => assert_eq!(retry_after, 50 * 60),
            other => panic!("{other:?}"),
        }
    }
}
