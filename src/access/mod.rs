//! Who is calling and what they may do: the caller ([`Principal`]), the kinds of organisation and
//! the roles the rules read, the one policy home ([`policy`]), and the credential primitives
//! (password hashing, e-mail normalisation). It sits below `organization` and `auth`, so that the
//! directory of organisations authorises through the same rules that `auth` resolves callers for,
//! and neither imports the other both ways.

pub mod password;
pub mod policy;
pub mod principal;

pub use principal::Principal;

crate::stored_enum! {
    /// What an organisation does in the network; decides what its users may do.
    pub enum OrgKind {
        /// The regional agency that coordinates the network.
        Agency => "agency",
        /// Produces and lends resources (science centre, museum, association).
        Producer => "producer",
        /// Borrows resources (library, social centre, school, …).
        Venue => "venue",
        /// Integrates through the API (API keys).
        Partner => "partner",
    }
}

crate::stored_enum! {
    /// A user's role inside their organisation.
    pub enum Role {
        /// Manages the organisation's users and API keys.
        Admin => "admin",
        Member => "member",
    }
}

/// Normalises an e-mail address for storage and lookup.
pub fn normalize_email(email: &str) -> String {
    email.trim().to_lowercase()
}

/// What a service that changes a user's standing (deactivation, role change) needs from the
/// per-instance memory of standings kept by `auth`: to forget the user, so that this instance
/// reads the new standing at once. Other instances read it within seconds.
pub trait Standings {
    /// Forgets what this instance remembers of a user's standing.
    fn forget(&self, user_id: i64);
}
