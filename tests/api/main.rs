//! Integration tests: real HTTP against the real server, on SQLite and on PostgreSQL.

mod builders;
mod common;
mod receiver;
mod smtp;

mod abuse;
mod access;
mod allocation;
mod auth;
mod billing;
mod bookings;
mod catalogue;
mod concurrency;
mod condition;
mod dayplans;
mod demo;
mod einvoice;
mod errors;
mod evaluation;
mod hygiene;
mod idempotency;
mod lifecycle;
mod methods;
mod migrations;
mod notifications;
mod observatory;
mod openapi;
mod organizations;
mod permissions;
mod process;
mod territory;
mod transport;
mod webhooks;
