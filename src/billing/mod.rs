//! Money: what producers charge (tariffs), what each class of commune pays of it (the network's
//! pricing policy), funders' subsidy programmes, quotes frozen on approval, invoices and credit
//! notes (gapless numbers, Factur-X), and each producer's revenue and cost recovery. Amounts are
//! integer cents (EUR); rates whole percent.

pub mod agreement;
pub mod export;
pub mod facturx;
pub mod invoice;
pub mod invoice_pdf;
pub use store::ledger;
pub mod model;
pub mod parties;
pub mod price;
pub mod quote;
pub mod revenue;
pub mod service;
pub mod store;
pub mod subsidy;

pub use quote::LoanBilling;
