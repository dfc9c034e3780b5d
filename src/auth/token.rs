//! Short-lived access tokens (JWT, HS256). Stateless, so any instance can check any token.

use chrono::Utc;
use jsonwebtoken::{decode, encode, Algorithm, DecodingKey, EncodingKey, Header, Validation};
use serde::{Deserialize, Serialize};

use crate::access::Principal;
use crate::error::{Error, Result};
use crate::organization::model::stored;

/// Issuer written into and required from every token.
const ISSUER: &str = "itinerance";

/// What a token asserts about its bearer.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Claims {
    /// User id.
    pub sub: String,
    /// Organisation id.
    pub org: i64,
    /// Organisation kind.
    pub kind: String,
    /// Role in the organisation.
    pub role: String,
    pub iss: String,
    pub iat: i64,
    pub exp: i64,
    /// Issue time in Unix milliseconds, so that a token issued just after a password change
    /// stands (`iat` has whole seconds only); absent in older tokens (then `iat`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub iat_ms: Option<i64>,
}

/// Clock difference tolerated between instances for a token's issue time.
pub const ISSUED_AT_SKEW_SECONDS: i64 = 5;

/// The keys derived from the configured secret, and the token lifetime.
pub struct TokenKeys {
    encoding: EncodingKey,
    decoding: DecodingKey,
    validation: Validation,
    ttl_seconds: i64,
}

impl TokenKeys {
    /// Keys for an HMAC secret.
    pub fn new(secret: &[u8], ttl_seconds: i64) -> TokenKeys {
        let mut validation = Validation::new(Algorithm::HS256);
        validation.set_issuer(&[ISSUER]);
        validation.set_required_spec_claims(&["exp", "iss", "sub"]);
        validation.leeway = 0;
        TokenKeys {
            encoding: EncodingKey::from_secret(secret),
            decoding: DecodingKey::from_secret(secret),
            validation,
            ttl_seconds,
        }
    }

    /// Lifetime of issued tokens, in seconds.
    pub fn ttl_seconds(&self) -> i64 {
        self.ttl_seconds
    }

    /// Signs arbitrary claims (tests use it to forge expired tokens with the real key).
    pub fn sign(&self, claims: &Claims) -> Result<String> {
        encode(&Header::new(Algorithm::HS256), claims, &self.encoding)
            .map_err(|e| Error::Internal(format!("token signing failed: {e}")))
    }

    /// Issues a token for a user.
    pub fn issue(&self, user_id: i64, principal: &Principal) -> Result<String> {
        let now_ms = Utc::now().timestamp_millis();
        let now = now_ms.div_euclid(1000);
        self.sign(&Claims {
            sub: user_id.to_string(),
            org: principal.organization_id,
            kind: principal.kind.as_str().to_string(),
            role: principal.role.as_str().to_string(),
            iss: ISSUER.to_string(),
            iat: now,
            exp: now + self.ttl_seconds,
            iat_ms: Some(now_ms),
        })
    }

    /// Checks signature, issuer and expiry, and returns the caller.
    pub fn verify(&self, token: &str) -> Result<Principal> {
        Ok(self.verify_issued(token)?.0)
    }

    /// Same, with when the token was issued (Unix milliseconds), to refuse tokens older than the
    /// user's last password change. A token issued in the future, or living longer than the
    /// configured lifetime, is refused: only a leaked secret could have signed it.
    pub fn verify_issued(&self, token: &str) -> Result<(Principal, i64)> {
        let data = decode::<Claims>(token, &self.decoding, &self.validation).map_err(|e| {
            use jsonwebtoken::errors::ErrorKind;
            let why = match e.kind() {
                ErrorKind::ExpiredSignature => "the access token has expired",
                ErrorKind::InvalidSignature => "the access token signature is invalid",
                _ => "the access token is invalid",
            };
            Error::Unauthenticated(why.to_string())
        })?;
        let claims = data.claims;
        let now = Utc::now().timestamp();
        let issued_ms = claims.iat_ms.unwrap_or(claims.iat.saturating_mul(1000));
        if claims.iat > now + ISSUED_AT_SKEW_SECONDS
            || claims.exp.saturating_sub(claims.iat) > self.ttl_seconds
            || issued_ms.div_euclid(1000) != claims.iat
        {
            return Err(Error::Unauthenticated(
                "the access token is invalid (issued in the future or for too long)".into(),
            ));
        }
        let user_id = claims
            .sub
            .parse::<i64>()
            .map_err(|_| Error::Unauthenticated("the access token is invalid".into()))?;
        let principal = Principal {
            user_id: Some(user_id),
            api_key_id: None,
            organization_id: claims.org,
            kind: stored(&claims.kind)
                .map_err(|_| Error::Unauthenticated("the access token is invalid".into()))?,
            role: stored(&claims.role)
                .map_err(|_| Error::Unauthenticated("the access token is invalid".into()))?,
        };
        Ok((principal, issued_ms))
    }
}
