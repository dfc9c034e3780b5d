//! Authentication (passwords, access tokens, partner API keys) and authorisation rules.

pub mod apikey;
pub mod browser;
pub mod scope;
pub mod service;
pub mod session;
pub mod store;
pub mod throttle;
pub mod token;
