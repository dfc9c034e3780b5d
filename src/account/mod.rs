//! Accounts that run themselves: an organisation's administrator invites a colleague by e-mail,
//! anyone asks for a password reset by e-mail, administrators change a member's role or
//! deactivate them. Plain service functions taking `now`, so that the API and the portal's
//! pages call the same rules; authorisation comes from `auth::policy`. Links carry a random
//! token (192 bits, `getrandom`); only its SHA-256 digest is stored, and the stored copy of a
//! mail loses its link once the mail is sent.

pub mod invitation;
pub mod link;
pub mod members;
pub mod reset;
pub mod store;
