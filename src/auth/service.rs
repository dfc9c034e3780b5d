//! Authentication rules: login, resolving a bearer credential, and API key management.

use chrono::NaiveDateTime;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use super::apikey;
use super::scope::Scope;
use super::store::{self, ApiKeyInsert, ApiKeyRow};
use super::token::TokenKeys;
use super::{session, throttle};
use crate::access::{normalize_email, password, policy, Principal};
use crate::db::{write_transaction, DbConnection};
use crate::error::{Error, Result, Validator};
use crate::organization::model::stored;
use crate::organization::{store as orgs, Organization, Role, User};

/// Body of `POST /api/v1/auth/login`.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct LoginRequest {
    #[schema(example = "agence@demo.itinerance.fr")]
    pub email: String,
    #[schema(example = "demo-itinerance")]
    pub password: String,
}

/// A bearer access token.
#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub struct TokenResponse {
    pub access_token: String,
    /// Always `Bearer`.
    #[schema(example = "Bearer")]
    pub token_type: String,
    /// Seconds until the token expires.
    pub expires_in: i64,
}

/// Checks credentials and issues a token. Unknown e-mail and wrong password get the same answer
/// after the same work.
pub fn login(
    conn: &mut DbConnection,
    keys: &TokenKeys,
    req: &LoginRequest,
    now: NaiveDateTime,
) -> Result<TokenResponse> {
    let principal = authenticate(conn, &req.email, &req.password, now)?;
    let user_id = principal
        .user_id
        .ok_or_else(|| Error::Internal("a login without a user".into()))?;
    Ok(TokenResponse {
        access_token: keys.issue(user_id, &principal)?,
        token_type: "Bearer".into(),
        expires_in: keys.ttl_seconds(),
    })
}

/// Checks an e-mail and password, throttled per e-mail: the one credential check of the API's
/// tokens and the portal's browser sessions. Unknown e-mail, wrong password and a deactivated
/// user get the same answer after the same work.
pub fn authenticate(
    conn: &mut DbConnection,
    email: &str,
    secret: &str,
    now: NaiveDateTime,
) -> Result<Principal> {
    let email = normalize_email(email);
    // Counted before the check: a failure stays recorded, a right password withdraws it.
    let attempt = throttle::admit(conn, &email, now)?;
    let Some(user) = orgs::find_user_by_email(conn, &email)? else {
        password::verify_against_dummy(secret);
        return Err(Error::InvalidCredentials);
    };
    if !password::verify(secret, &user.password_hash) {
        return Err(Error::InvalidCredentials);
    }
    throttle::withdraw(conn, attempt)?;
    if user.deactivated_at.is_some() {
        return Err(Error::InvalidCredentials);
    }
    principal_of_user(conn, user.id)
}

/// The principal a user acts as (their organisation's kind, their role).
pub fn principal_of_user(conn: &mut DbConnection, user_id: i64) -> Result<Principal> {
    let user = orgs::find_user(conn, user_id)?
        .ok_or_else(|| Error::Unauthenticated("the user no longer exists".into()))?;
    let org = orgs::find_organization(conn, user.organization_id)?
        .ok_or_else(|| Error::Internal(format!("user {} has no organisation", user.id)))?;
    Ok(Principal {
        user_id: Some(user.id),
        api_key_id: None,
        organization_id: org.id,
        kind: stored(&org.kind)?,
        role: stored(&user.role)?,
    })
}

/// Resolves an API key to the organisation it acts for (as a member), with its scopes.
pub fn authenticate_api_key(
    conn: &mut DbConnection,
    secret: &str,
    now: NaiveDateTime,
) -> Result<(Principal, Vec<Scope>)> {
    let (key, kind) = store::find_active_api_key(conn, &apikey::digest(secret))?
        .ok_or_else(|| Error::Unauthenticated("unknown or revoked API key".into()))?;
    // Best effort: a failed "last used" stamp must not refuse a valid key.
    if let Err(e) = store::touch_api_key(conn, key.id, now) {
        tracing::warn!(error = %e, key = key.id, "cannot record API key use");
    }
    let scopes = Scope::parse_list(&key.scopes);
    Ok((
        Principal {
            user_id: None,
            api_key_id: Some(key.id),
            organization_id: key.organization_id,
            kind: stored(&kind)?,
            role: Role::Member,
        },
        scopes,
    ))
}

/// Refuses an API key's call outside its scopes (403 `insufficient_scope`).
pub fn require_scope(granted: &[Scope], needed: Scope) -> Result<()> {
    if granted.contains(&needed) {
        Ok(())
    } else {
        Err(Error::InsufficientScope(needed.as_str()))
    }
}

/// The `password_changed_at` that ends every token issued up to `now` (a password change, a
/// reset, a role change): the instant itself, compared with a token's issue time to the
/// millisecond, so a token issued after it stands and one issued before does not.
pub fn tokens_refused_before(now: NaiveDateTime) -> NaiveDateTime {
    now
}

/// Body of `POST /api/v1/me/password`.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct PasswordChange {
    pub current_password: String,
    pub new_password: String,
}

/// A user changes their password; every token issued before is refused from then on (log in
/// again). A wrong current password counts as a failed login.
pub fn change_password(
    conn: &mut DbConnection,
    gate: &session::UserGate,
    p: &Principal,
    change: &PasswordChange,
    now: NaiveDateTime,
) -> Result<()> {
    let Some(user_id) = p.user_id else {
        return Err(Error::Forbidden("an API key has no password".into()));
    };
    let user = orgs::find_user(conn, user_id)?
        .ok_or_else(|| Error::Unauthenticated("the user no longer exists".into()))?;
    let attempt = throttle::admit(conn, &user.email, now)?;
    if !password::verify(&change.current_password, &user.password_hash) {
        return Err(Error::invalid("current_password", "is not your password"));
    }
    throttle::withdraw(conn, attempt)?;
    let mut v = Validator::new();
    password::check_new(&mut v, "new_password", &change.new_password);
    v.finish()?;
    let hash = password::hash(&change.new_password)?;
    let changed_at = tokens_refused_before(now);
    write_transaction(conn, |conn| {
        orgs::set_password(conn, user_id, &hash, changed_at)?;
        crate::audit::record(
            conn,
            p.actor(),
            crate::audit::AuditAction::UserPasswordChanged,
            user_id,
            &serde_json::json!({}),
            now,
        )?;
        Ok::<(), Error>(())
    })?;
    gate.forget(user_id);
    Ok(())
}

/// The caller and their organisation.
#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub struct Me {
    /// Absent when the caller authenticated with an API key.
    pub user: Option<User>,
    pub organization: Organization,
    /// The API key used, if any.
    pub api_key_id: Option<i64>,
}

/// Loads what `GET /api/v1/me` shows.
pub fn me(conn: &mut DbConnection, p: &Principal) -> Result<Me> {
    let user = match p.user_id {
        Some(id) => Some(
            orgs::find_user(conn, id)?
                .ok_or_else(|| Error::Unauthenticated("the user no longer exists".into()))?
                .try_into()?,
        ),
        None => None,
    };
    let organization = orgs::find_organization(conn, p.organization_id)?
        .ok_or_else(|| Error::Unauthenticated("the organisation no longer exists".into()))?
        .try_into()?;
    Ok(Me {
        user,
        organization,
        api_key_id: p.api_key_id,
    })
}

/// Body of `PATCH /api/v1/me`: the caller's mail preferences (absent fields stay as they are).
#[derive(Debug, Clone, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct MePatch {
    /// The language of your mail.
    pub locale: Option<crate::organization::Locale>,
    /// The mail kinds you do not want (the whole list; `[]` turns every kind back on).
    pub muted_notifications: Option<Vec<crate::outbox::MailKind>>,
}

/// A user changes their own mail preferences. API keys have none (403).
pub fn update_me(conn: &mut DbConnection, p: &Principal, patch: &MePatch) -> Result<Me> {
    let Some(user_id) = p.user_id else {
        return Err(Error::Forbidden(
            "preferences belong to a user; an API key has none".into(),
        ));
    };
    crate::db::write_transaction(conn, |conn| {
        let row = orgs::find_user(conn, user_id)?
            .ok_or_else(|| Error::Unauthenticated("the user no longer exists".into()))?;
        let locale = patch
            .locale
            .map(|l| l.as_str().to_string())
            .unwrap_or(row.locale);
        let muted = match &patch.muted_notifications {
            Some(kinds) => {
                let mut kinds = kinds.clone();
                kinds.dedup();
                crate::outbox::MailKind::join(&kinds)
            }
            None => row.muted_notifications,
        };
        orgs::set_preferences(conn, user_id, &locale, &muted)?;
        Ok::<(), Error>(())
    })?;
    me(conn, p)
}

/// Body of `POST /api/v1/api-keys`.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewApiKey {
    /// What the key is for, e.g. the partner's system.
    #[schema(example = "Portail culturel du département")]
    pub name: String,
    /// Organisation the key acts for; defaults to the caller's (only agency admins may name another).
    pub organization_id: Option<i64>,
    /// What the key may do; default `["read"]`. A call outside them → 403 `insufficient_scope`.
    pub scopes: Option<Vec<Scope>>,
}

/// An API key as listed (never the secret).
#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub struct ApiKey {
    pub id: i64,
    pub organization_id: i64,
    pub name: String,
    /// First characters of the key, to recognise it.
    #[schema(example = "itk_3fa85f64")]
    pub prefix: String,
    #[serde(with = "crate::timestamp::utc")]
    pub created_at: NaiveDateTime,
    #[serde(with = "crate::timestamp::utc_option")]
    pub last_used_at: Option<NaiveDateTime>,
    #[serde(with = "crate::timestamp::utc_option")]
    pub revoked_at: Option<NaiveDateTime>,
    /// What the key may do.
    pub scopes: Vec<Scope>,
}

impl From<ApiKeyRow> for ApiKey {
    fn from(row: ApiKeyRow) -> Self {
        ApiKey {
            id: row.id,
            organization_id: row.organization_id,
            name: row.name,
            prefix: row.prefix,
            created_at: row.created_at,
            last_used_at: row.last_used_at,
            revoked_at: row.revoked_at,
            scopes: Scope::parse_list(&row.scopes),
        }
    }
}

/// A new API key with its secret, shown only in this response.
#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub struct CreatedApiKey {
    #[serde(flatten)]
    pub api_key: ApiKey,
    /// The secret to send as `Authorization: Bearer <key>`. It is not stored and cannot be shown
    /// again.
    #[schema(example = "itk_3fa85f6457174562b3fc2c963f66afa6a1b2c3d4e5f6a7b8")]
    pub key: String,
}

/// Creates an API key for the caller's organisation (or, for agency admins, another one).
pub fn create_api_key(
    conn: &mut DbConnection,
    p: &Principal,
    req: &NewApiKey,
    now: NaiveDateTime,
) -> Result<CreatedApiKey> {
    let organization_id = req.organization_id.unwrap_or(p.organization_id);
    let name = req.name.trim();
    let mut v = Validator::new();
    v.name("name", name, 200);
    let mut scopes: Vec<Scope> = Vec::new();
    for scope in req.scopes.as_deref().unwrap_or(&[Scope::Read]) {
        if !scopes.contains(scope) {
            scopes.push(*scope);
        }
    }
    v.check(!scopes.is_empty(), "scopes", "name at least one scope");
    v.finish()?;
    if orgs::find_organization(conn, organization_id)?.is_none() {
        return Err(Error::invalid("organization_id", "no such organisation"));
    }
    policy::manage_api_keys(p, organization_id)?;
    let created_by = p
        .user_id
        .ok_or_else(|| Error::Forbidden("API keys cannot create API keys".into()))?;
    let generated = apikey::generate()?;
    let row = write_transaction(conn, |conn| {
        let row = store::insert_api_key(
            conn,
            &ApiKeyInsert {
                organization_id,
                name,
                prefix: &generated.prefix,
                key_hash: &generated.digest,
                created_by,
                created_at: now,
                scopes: &Scope::join(&scopes),
            },
        )?;
        crate::audit::record(
            conn,
            p.actor(),
            crate::audit::AuditAction::ApiKeyCreated,
            row.id,
            &serde_json::json!({"name": name, "organization_id": organization_id,
                                "prefix": row.prefix, "scopes": scopes}),
            now,
        )?;
        Ok::<_, Error>(row)
    })?;
    Ok(CreatedApiKey {
        api_key: row.into(),
        key: generated.secret,
    })
}

/// Keys of an organisation (default: the caller's).
pub fn list_api_keys(
    conn: &mut DbConnection,
    p: &Principal,
    organization_id: Option<i64>,
) -> Result<Vec<ApiKey>> {
    let organization_id = organization_id.unwrap_or(p.organization_id);
    policy::manage_api_keys(p, organization_id)?;
    Ok(store::list_api_keys(conn, organization_id)?
        .into_iter()
        .map(ApiKey::from)
        .collect())
}

/// Revokes a key; revoking twice is harmless.
pub fn revoke_api_key(
    conn: &mut DbConnection,
    p: &Principal,
    id: i64,
    now: NaiveDateTime,
) -> Result<ApiKey> {
    let key =
        store::find_api_key(conn, id)?.ok_or_else(|| Error::NotFound(format!("API key {id}")))?;
    policy::read_members(p, key.organization_id)
        .map_err(|_| Error::NotFound(format!("API key {id}")))?;
    policy::manage_api_keys(p, key.organization_id)?;
    write_transaction(conn, |conn| {
        if store::revoke_api_key(conn, id, now)? == 1 {
            crate::audit::record(
                conn,
                p.actor(),
                crate::audit::AuditAction::ApiKeyRevoked,
                id,
                &serde_json::json!({"prefix": key.prefix}),
                now,
            )?;
        }
        Ok::<(), Error>(())
    })?;
    let key =
        store::find_api_key(conn, id)?.ok_or_else(|| Error::NotFound(format!("API key {id}")))?;
    Ok(key.into())
}
