//! Partner API keys: random secrets shown once, stored only as a SHA-256 digest.
//! (A fast digest is enough: the keys carry 192 bits of randomness, unlike passwords.)

use chrono::NaiveDateTime;
use diesel::prelude::*;
use sha2::{Digest, Sha256};

use crate::db::DbConnection;
use crate::error::{Error, Result};
use crate::schema::{api_keys, organizations};

/// Every key starts with this, so a bearer credential can be told from an access token.
pub const KEY_PREFIX: &str = "itk_";

/// How many characters of a key are kept in clear to recognise it in a list.
const SHOWN_CHARS: usize = 12;

/// A freshly generated key: the secret (shown once) and what is stored.
pub struct GeneratedKey {
    pub secret: String,
    pub prefix: String,
    pub digest: String,
}

/// A random secret of 192 bits in hex behind a prefix that says what it is for.
pub fn random_secret(prefix: &str) -> Result<String> {
    let mut bytes = [0u8; 24];
    getrandom::fill(&mut bytes).map_err(|e| Error::Internal(format!("no randomness: {e}")))?;
    Ok(format!("{prefix}{}", hex(&bytes)))
}

/// Generates a new random key.
pub fn generate() -> Result<GeneratedKey> {
    let secret = random_secret(KEY_PREFIX)?;
    Ok(GeneratedKey {
        prefix: secret.chars().take(SHOWN_CHARS).collect(),
        digest: digest(&secret),
        secret,
    })
}

/// Hex SHA-256 of a key, the value stored and looked up.
pub fn digest(secret: &str) -> String {
    hex(&Sha256::digest(secret.as_bytes()))
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

/// A stored key (never the secret).
#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = api_keys)]
pub struct ApiKeyRow {
    pub id: i64,
    pub organization_id: i64,
    pub name: String,
    pub prefix: String,
    pub key_hash: String,
    pub created_by: i64,
    pub created_at: NaiveDateTime,
    pub last_used_at: Option<NaiveDateTime>,
    pub revoked_at: Option<NaiveDateTime>,
    /// What the key may do, comma-separated [`super::scope::Scope`] names.
    pub scopes: String,
}

/// Values of a new key.
#[derive(Debug, Insertable)]
#[diesel(table_name = api_keys)]
pub struct ApiKeyInsert<'a> {
    pub organization_id: i64,
    pub name: &'a str,
    pub prefix: &'a str,
    pub key_hash: &'a str,
    pub created_by: i64,
    pub created_at: NaiveDateTime,
    pub scopes: &'a str,
}

/// Inserts a key.
pub fn insert(conn: &mut DbConnection, new: &ApiKeyInsert<'_>) -> QueryResult<ApiKeyRow> {
    diesel::insert_into(api_keys::table)
        .values(new)
        .returning(api_keys::all_columns)
        .get_result(conn)
}

/// An active (not revoked) key by digest, with its organisation's kind.
pub fn find_active_by_digest(
    conn: &mut DbConnection,
    digest: &str,
) -> QueryResult<Option<(ApiKeyRow, String)>> {
    api_keys::table
        .inner_join(organizations::table)
        .filter(api_keys::key_hash.eq(digest))
        .filter(api_keys::revoked_at.is_null())
        .select((ApiKeyRow::as_select(), organizations::kind))
        .first(conn)
        .optional()
}

/// Records use, at most once a minute per key to keep reads cheap.
pub fn touch(conn: &mut DbConnection, id: i64, now: NaiveDateTime) -> QueryResult<usize> {
    let stale = now - chrono::Duration::minutes(1);
    diesel::update(
        api_keys::table.find(id).filter(
            api_keys::last_used_at
                .is_null()
                .or(api_keys::last_used_at.lt(stale)),
        ),
    )
    .set(api_keys::last_used_at.eq(Some(now)))
    .execute(conn)
}

/// Keys of an organisation, newest first.
pub fn list(conn: &mut DbConnection, organization_id: i64) -> QueryResult<Vec<ApiKeyRow>> {
    api_keys::table
        .filter(api_keys::organization_id.eq(organization_id))
        .select(ApiKeyRow::as_select())
        .order(api_keys::id.desc())
        .load(conn)
}

/// One key by id.
pub fn find(conn: &mut DbConnection, id: i64) -> QueryResult<Option<ApiKeyRow>> {
    api_keys::table
        .find(id)
        .select(ApiKeyRow::as_select())
        .first(conn)
        .optional()
}

/// Marks a key revoked (keeps the first revocation time).
pub fn revoke(conn: &mut DbConnection, id: i64, now: NaiveDateTime) -> QueryResult<usize> {
    diesel::update(
        api_keys::table
            .find(id)
            .filter(api_keys::revoked_at.is_null()),
    )
    .set(api_keys::revoked_at.eq(Some(now)))
    .execute(conn)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keys_are_random_prefixed_and_digested() {
        let a = generate().unwrap();
        let b = generate().unwrap();
        assert_ne!(a.secret, b.secret);
        assert!(a.secret.starts_with(KEY_PREFIX));
        assert_eq!(a.secret.len(), KEY_PREFIX.len() + 48);
        assert!(a.secret.starts_with(&a.prefix));
        assert_eq!(a.digest, digest(&a.secret));
        assert_eq!(a.digest.len(), 64);
    }
}
