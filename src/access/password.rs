//! Password hashing with Argon2id (salted, memory-hard), and equal-time refusal of unknown users.

use std::sync::OnceLock;

use argon2::password_hash::{PasswordHash, PasswordHasher, PasswordVerifier, SaltString};
use argon2::Argon2;

use crate::error::{Error, Result};

/// Shortest accepted password.
pub const MIN_PASSWORD_CHARS: usize = 10;

/// The rule of a new password: 10 characters at least, 1,024 bytes at most (argon2 work).
pub fn check_new(v: &mut crate::error::Validator, field: &str, password: &str) {
    v.check(
        password.chars().count() >= MIN_PASSWORD_CHARS,
        field,
        "must be at least 10 characters",
    );
    v.check(password.len() <= 1024, field, "must be at most 1024 bytes");
}

/// Hashes a password with a fresh random salt (PHC string format).
pub fn hash(password: &str) -> Result<String> {
    let mut salt = [0u8; 16];
    getrandom::fill(&mut salt).map_err(|e| Error::Internal(format!("no randomness: {e}")))?;
    let salt = SaltString::encode_b64(&salt).map_err(|e| Error::Internal(e.to_string()))?;
    Argon2::default()
        .hash_password(password.as_bytes(), &salt)
        .map(|h| h.to_string())
        .map_err(|e| Error::Internal(format!("password hashing failed: {e}")))
}

/// Whether `password` matches the stored hash; a corrupt hash never matches.
pub fn verify(password: &str, stored_hash: &str) -> bool {
    PasswordHash::new(stored_hash)
        .map(|parsed| {
            Argon2::default()
                .verify_password(password.as_bytes(), &parsed)
                .is_ok()
        })
        .unwrap_or(false)
}

/// Spends the same work as a real verification, so an unknown e-mail cannot be told apart from a
/// wrong password by timing.
pub fn verify_against_dummy(password: &str) {
    static DUMMY: OnceLock<String> = OnceLock::new();
    let dummy = DUMMY.get_or_init(|| hash("not-a-real-password").unwrap_or_default());
    let _ = verify(password, dummy);
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hashes_are_salted_and_verify() {
        let a = hash("correct horse battery").unwrap();
        let b = hash("correct horse battery").unwrap();
        assert_ne!(a, b);
        assert!(a.starts_with("$argon2id$"));
        assert!(verify("correct horse battery", &a));
        assert!(!verify("wrong", &a));
        assert!(!verify("anything", "not a hash"));
    }
}
