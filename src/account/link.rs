//! One-time links of account mails: the random token, its stored digest, the mail that carries
//! it (notify forgets the link once the mail is out).

use std::collections::HashMap;

use chrono::NaiveDateTime;

use crate::db::DbConnection;
use crate::error::{Code, Error, Result};
use crate::notify::model::NotificationStatus;
use crate::notify::store::{self as notify_store, NotificationInsert};
use crate::notify::templates;
use crate::outbox::{EventKind, SubjectType};

/// A new link token: what goes in the mail, and what is stored.
pub struct LinkToken {
    /// 48 hex characters (192 random bits); never stored.
    pub secret: String,
    /// Hex SHA-256 of `secret`, the value stored and looked up.
    pub digest: String,
}

/// Draws a new random token.
pub fn new_token() -> Result<LinkToken> {
    let secret = crate::auth::apikey::random_secret("")?;
    Ok(LinkToken {
        digest: digest(&secret),
        secret,
    })
}

/// The stored form of a token.
pub fn digest(secret: &str) -> String {
    crate::auth::apikey::digest(secret.trim())
}

/// The one answer for a used, expired or unknown link (410 `link_expired`), so that a link
/// tells nothing about what it was.
pub fn expired() -> Error {
    Error::conflict(
        Code::LinkExpired,
        "this link was already used, has expired or does not exist; ask for a new one",
    )
}

/// Where the service is opened and whether mail is sent at all.
#[derive(Debug, Clone)]
pub struct MailContext {
    /// `public_base_url`, e.g. `https://itinerance.example.org`.
    pub base_url: String,
    /// False when no SMTP server is configured: no mail (and no link) is stored.
    pub enabled: bool,
}

impl MailContext {
    /// The context of the running service.
    pub fn of(config: &crate::config::Config) -> MailContext {
        MailContext {
            base_url: config.public_base_url.clone(),
            enabled: !config.smtp_url.trim().is_empty(),
        }
    }

    /// A portal page's address, e.g. `page("invitations", token)`.
    pub fn page(&self, section: &str, token: &str) -> String {
        format!("{}/{section}/{token}", self.base_url.trim_end_matches('/'))
    }
}

/// An account mail to queue.
pub struct AccountMail<'a> {
    /// `AccountInvitation` or `AccountPasswordReset`.
    pub kind: EventKind,
    /// `Invitation` or `PasswordReset`, with the row's id.
    pub subject_type: SubjectType,
    pub subject_id: i64,
    pub recipient: &'a str,
    pub user_id: Option<i64>,
    pub locale: &'a str,
    pub values: HashMap<&'static str, String>,
}

/// Queues an account mail in the caller's transaction: an outbox event (already processed: the
/// mail is rendered here, the only moment the link is known) and the rendered mail, which the
/// notification worker sends like any other. Nothing is queued when mail is off.
pub fn queue(
    conn: &mut DbConnection,
    ctx: &MailContext,
    mail: &AccountMail<'_>,
    now: NaiveDateTime,
) -> Result<()> {
    if !ctx.enabled {
        tracing::warn!(
            kind = mail.kind.as_str(),
            "no SMTP server configured: the account mail is not sent"
        );
        return Ok(());
    }
    let rendered = templates::render(mail.kind, mail.locale, &mail.values)
        .ok_or_else(|| Error::Internal(format!("no template for {}", mail.kind)))?;
    let event_id =
        crate::outbox::record_processed(conn, mail.kind, mail.subject_type, mail.subject_id, now)?;
    notify_store::insert_notification(
        conn,
        &NotificationInsert {
            event_id,
            kind: mail.kind,
            recipient: mail.recipient,
            user_id: mail.user_id,
            subject: &rendered.subject,
            body_text: &rendered.text,
            body_html: &rendered.html,
            status: NotificationStatus::Pending,
            attempts: 0,
            next_attempt_at: now,
            created_at: now,
        },
    )?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tokens_are_random_and_stored_as_their_digest() {
        let a = new_token().unwrap();
        let b = new_token().unwrap();
        assert_ne!(a.secret, b.secret);
        assert_eq!(a.secret.len(), 48);
        assert_eq!(a.digest, digest(&a.secret));
        assert_eq!(a.digest.len(), 64);
        assert_ne!(a.digest, a.secret);
    }
}
