//! Invitations: an organisation's administrator (or the agency) invites a colleague by e-mail;
//! the mail carries a link valid 7 days, used once; the invitee chooses a password and the
//! account is created then, with the role and language of the invitation.

use std::collections::HashMap;

use chrono::{Duration, NaiveDateTime};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use super::link::{self, AccountMail, MailContext};
use super::store::{self, InvitationRow};
use crate::access::normalize_email;
use crate::access::{password, policy, Principal};
use crate::audit::{self, Actor};
use crate::db::{write_transaction, DbConnection};
use crate::error::{Code, Error, Result, Validator};
use crate::organization::model::stored;
use crate::organization::store::{self as orgs, UserInsert};
use crate::organization::{Locale, Role, User};
use crate::outbox::{EventKind, SubjectType};

/// How long an invitation link works.
pub const VALID_DAYS: i64 = 7;

/// Body of `POST /api/v1/invitations`.
#[derive(Debug, Clone, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewInvitation {
    /// Where the invitation goes; the account will have this address.
    #[schema(example = "claire@mairie-exemple.fr")]
    pub email: String,
    /// The organisation the colleague joins (an administrator invites into their own).
    pub organization_id: i64,
    /// The role the account will have.
    pub role: Role,
    /// The language of the invitation mail and of the account (default `fr`).
    pub locale: Option<Locale>,
}

/// An invitation as its organisation's administrators see it (never the link).
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct Invitation {
    pub id: i64,
    pub email: String,
    pub organization_id: i64,
    pub role: Role,
    pub locale: Locale,
    /// UTC.
    #[serde(with = "crate::timestamp::utc")]
    pub created_at: NaiveDateTime,
    /// The link stops working then (UTC).
    #[serde(with = "crate::timestamp::utc")]
    pub expires_at: NaiveDateTime,
    /// When the invitee created the account (UTC), if they did.
    #[serde(with = "crate::timestamp::utc_option")]
    pub accepted_at: Option<NaiveDateTime>,
    /// The account created from the invitation.
    pub user_id: Option<i64>,
}

impl TryFrom<InvitationRow> for Invitation {
    type Error = Error;
    fn try_from(row: InvitationRow) -> Result<Invitation> {
        Ok(Invitation {
            id: row.id,
            email: row.email,
            organization_id: row.organization_id,
            role: stored(&row.role)?,
            locale: stored(&row.locale)?,
            created_at: row.created_at,
            expires_at: row.expires_at,
            accepted_at: row.accepted_at,
            user_id: row.user_id,
        })
    }
}

/// Invites a colleague: stores the invitation (the link's digest only) and queues the mail, in
/// one transaction. An address that already has an account → 409 `email_taken`.
pub fn invite(
    conn: &mut DbConnection,
    ctx: &MailContext,
    p: &Principal,
    new: &NewInvitation,
    now: NaiveDateTime,
) -> Result<Invitation> {
    let email = normalize_email(&new.email);
    let mut v = Validator::new();
    crate::organization::service::check_email(&mut v, &email);
    v.finish()?;
    let org = orgs::find_organization(conn, new.organization_id)?
        .ok_or_else(|| Error::invalid("organization_id", "no such organisation"))?;
    policy::invite_member(p, org.id)?;
    let inviter = match p.user_id {
        Some(id) => orgs::find_user(conn, id)?.map(|u| u.email),
        None => None,
    };
    let locale = new.locale.unwrap_or(Locale::Fr);
    let token = link::new_token()?;
    let expires_at = now + Duration::days(VALID_DAYS);
    write_transaction(conn, |conn| {
        if orgs::find_user_by_email(conn, &email)?.is_some() {
            return Err(Error::conflict(
                Code::EmailTaken,
                format!("a user with e-mail {email} exists"),
            ));
        }
        let row = store::insert_invitation(
            conn,
            &store::InvitationInsert {
                organization_id: org.id,
                email: &email,
                role: new.role.as_str(),
                locale: locale.as_str(),
                token_hash: &token.digest,
                invited_by: p.user_id,
                created_at: now,
                expires_at,
            },
        )?;
        link::queue(
            conn,
            ctx,
            &AccountMail {
                kind: EventKind::AccountInvitation,
                subject_type: SubjectType::Invitation,
                subject_id: row.id,
                recipient: &email,
                user_id: None,
                locale: locale.as_str(),
                values: HashMap::from([
                    ("organization", org.name.clone()),
                    ("inviter", inviter.clone().unwrap_or_default()),
                    ("role", role_label(new.role, locale).to_string()),
                    ("expires_on", expires_at.date().to_string()),
                    ("link", ctx.page("invitations", &token.secret)),
                ]),
            },
            now,
        )?;
        audit::record(
            conn,
            p.actor(),
            crate::audit::AuditAction::InvitationCreated,
            row.id,
            &serde_json::json!({"email": email, "organization_id": org.id, "role": new.role}),
            now,
        )?;
        row.try_into()
    })
}

/// The role in words, in the mail's language.
fn role_label(role: Role, locale: Locale) -> &'static str {
    match (role, locale) {
        (Role::Admin, Locale::En) => "administrator",
        (Role::Member, Locale::En) => "member",
        (Role::Admin, Locale::Fr) => "administratrice ou administrateur",
        (Role::Member, Locale::Fr) => "membre",
    }
}

/// The invitations of an organisation (default: the caller's), newest first, for those who may
/// invite into it.
pub fn list(
    conn: &mut DbConnection,
    p: &Principal,
    organization_id: Option<i64>,
) -> Result<Vec<Invitation>> {
    let organization_id = organization_id.unwrap_or(p.organization_id);
    policy::invite_member(p, organization_id)?;
    store::invitations_of(conn, organization_id)?
        .into_iter()
        .map(Invitation::try_from)
        .collect()
}

/// The invitation a link opens, while it works (the portal shows it before asking for a
/// password). A used, expired or unknown link → 410 `link_expired`.
pub fn open(conn: &mut DbConnection, token: &str, now: NaiveDateTime) -> Result<Invitation> {
    let row = store::find_invitation_by_digest(conn, &link::digest(token))?
        .filter(|row| row.accepted_at.is_none() && row.expires_at > now)
        .ok_or_else(link::expired)?;
    row.try_into()
}

/// What an invitee sees before choosing a password: the invitation and the name of the
/// organisation it opens.
#[derive(Debug, Clone)]
pub struct Welcome {
    pub invitation: Invitation,
    pub organization_name: String,
}

/// The invitation a link opens and its organisation, while the link works (the portal's page).
/// A used, expired or unknown link → 410 `link_expired`.
pub fn welcome(conn: &mut DbConnection, token: &str, now: NaiveDateTime) -> Result<Welcome> {
    let invitation = open(conn, token, now)?;
    let organization_name = orgs::find_organization(conn, invitation.organization_id)?
        .map(|o| o.name)
        .unwrap_or_default();
    Ok(Welcome {
        invitation,
        organization_name,
    })
}

/// Body of `POST /api/v1/invitations/accept`.
#[derive(Debug, Clone, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct Acceptance {
    /// The token of the invitation link (the last part of its address).
    pub token: String,
    /// The password the invitee chooses (at least 10 characters).
    pub password: String,
}

/// Accepts an invitation: creates the account with the password chosen, the invitation's role
/// and language, and uses the link up. A used, expired or unknown link → 410 `link_expired`; a
/// short password → 422 and the link still works.
pub fn accept(
    conn: &mut DbConnection,
    acceptance: &Acceptance,
    now: NaiveDateTime,
) -> Result<User> {
    let invitation = open(conn, &acceptance.token, now)?;
    let mut v = Validator::new();
    password::check_new(&mut v, "password", &acceptance.password);
    v.finish()?;
    let hash = password::hash(&acceptance.password)?;
    let user = write_transaction(conn, |conn| {
        // Conditional: of two acceptances at once, one wins, the other finds the link used.
        let taken = store::take_invitation(conn, invitation.id, now)?;
        if taken != 1 {
            return Err(link::expired());
        }
        if orgs::find_user_by_email(conn, &invitation.email)?.is_some() {
            return Err(Error::conflict(
                Code::EmailTaken,
                format!("a user with e-mail {} exists", invitation.email),
            ));
        }
        let user = orgs::insert_user(
            conn,
            &UserInsert {
                organization_id: invitation.organization_id,
                email: &invitation.email,
                password_hash: &hash,
                role: invitation.role.as_str(),
                created_at: now,
            },
        )?;
        orgs::set_preferences(conn, user.id, invitation.locale.as_str(), "")?;
        store::set_invitation_user(conn, invitation.id, user.id)?;
        audit::record(
            conn,
            Actor {
                organization_id: Some(invitation.organization_id),
                user_id: Some(user.id),
                api_key_id: None,
            },
            crate::audit::AuditAction::UserCreated,
            user.id,
            &serde_json::json!({"email": invitation.email, "organization_id": invitation.organization_id,
                                "role": invitation.role, "invitation_id": invitation.id}),
            now,
        )?;
        Ok::<_, Error>(user.id)
    })?;
    orgs::find_user(conn, user)?
        .ok_or_else(|| Error::Internal(format!("user {user} vanished")))?
        .try_into()
}
