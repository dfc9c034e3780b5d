//! The shapes of the money domain on the wire and in the document: tariffs, the pricing policy,
//! quotes, subsidy programmes, invoices and the revenue report.

use chrono::{NaiveDate, NaiveDateTime};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use crate::organization::VenueType;
use crate::territory::model::CommuneClass;

/// What a producer charges for a resource. A resource without a tariff is lent free of charge.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct Tariff {
    /// Charged once per loan (handling, set-up), in cents.
    #[schema(example = 15000, minimum = 0, maximum = 100000000)]
    pub per_loan_cents: i64,
    /// Charged per started week of use, in cents.
    #[schema(example = 8000, minimum = 0, maximum = 100000000)]
    pub per_week_cents: i64,
    /// Held against damage and loss, returned otherwise; shown on quotes, in cents.
    #[schema(example = 50000, minimum = 0, maximum = 100000000)]
    pub deposit_cents: i64,
}

/// One whole percentage per commune class of the venue.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct PerClass {
    /// Communes under 2,000 inhabitants.
    #[schema(minimum = 0, maximum = 100)]
    pub village: i32,
    /// 2,000 to 14,999.
    #[schema(minimum = 0, maximum = 100)]
    pub small_town: i32,
    /// 15,000 to 99,999.
    #[schema(minimum = 0, maximum = 100)]
    pub medium_town: i32,
    /// 100,000 and more.
    #[schema(minimum = 0, maximum = 100)]
    pub large_city: i32,
}

impl PerClass {
    /// The same percentage for every class.
    pub const fn all(percent: i32) -> PerClass {
        PerClass {
            village: percent,
            small_town: percent,
            medium_town: percent,
            large_city: percent,
        }
    }

    /// The percentage of one class.
    pub fn of(&self, class: crate::territory::model::CommuneClass) -> i32 {
        use crate::territory::model::CommuneClass as C;
        match class {
            C::Village => self.village,
            C::SmallTown => self.small_town,
            C::MediumTown => self.medium_town,
            C::LargeCity => self.large_city,
        }
    }

    /// (field name, value) of each class, for validation messages.
    pub fn fields(&self) -> [(&'static str, i32); 4] {
        [
            ("village", self.village),
            ("small_town", self.small_town),
            ("medium_town", self.medium_town),
            ("large_city", self.large_city),
        ]
    }
}

/// The network's pricing policy: villages pay a share of the city price, and a share of the
/// transport cost is recharged to the venue, both by the commune class of the venue.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct PricingPolicy {
    /// Percent of the rental a venue of each class pays (100 = the full price).
    pub class_rate_percent: PerClass,
    /// Percent of the transport cost recharged to a venue of each class (0 = carried by the
    /// network).
    pub transport_recharge_percent: PerClass,
}

crate::stored_enum! {
    /// What a line of a quote or an invoice is, in the order lines are listed.
    pub enum LineKind {
        /// The producer's tariff: per loan plus per started week of use.
        Rental => "rental",
        /// What the venue's commune class does not pay of the rental (negative).
        ClassDiscount => "class_discount",
        /// The share of the legs' cost recharged to the venue.
        Transport => "transport",
        /// Units missing or damaged at return or inspection, at their replacement cost.
        Damage => "damage",
        /// What a funder's programme pays instead of the venue (negative).
        Subsidy => "subsidy",
    }
}

/// The one currency of the network. Published as a string (ISO 4217 `EUR`), not an enum: enum
/// values in the document are lower case like the wire's vocabularies, and this code is not.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
pub enum Currency {
    #[default]
    #[serde(rename = "EUR")]
    Eur,
}

impl Currency {
    /// ISO 4217 code.
    pub const fn as_str(self) -> &'static str {
        "EUR"
    }
}

/// One line of a quote or an invoice.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct Line {
    pub kind: LineKind,
    /// For people and for the e-invoice (French).
    #[schema(example = "Location : forfait + 2 semaine(s)")]
    pub label: String,
    /// Negative for discounts and subsidies, in cents.
    pub amount_cents: i64,
}

/// The price of a loan, line by line. Before approval it is computed afresh on each read; approval
/// freezes rental, discount, transport and subsidy (`frozen_at`); damage is added as reports come.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct Quote {
    /// `null` for a preview (`GET /resources/{id}/quote`).
    pub booking_id: Option<i64>,
    pub resource_id: i64,
    pub venue_id: i64,
    pub starts_on: NaiveDate,
    pub ends_on: NaiveDate,
    /// Days of use, both ends counted.
    pub days: i64,
    /// Started weeks of use: ⌈days / 7⌉.
    pub weeks: i64,
    /// ISO 4217: always `EUR`.
    #[schema(value_type = String, example = "EUR")]
    pub currency: Currency,
    /// Zero lines are left out, except `transport`, always shown (with 0 when the network pays
    /// the whole road: `transport_cost_cents` says what it costs).
    pub lines: Vec<Line>,
    /// What the venue pays, in cents.
    pub total_cents: i64,
    /// Held against damage and loss, returned otherwise (not in the total), in cents.
    pub deposit_cents: i64,
    /// The programme paying the subsidy line, if any.
    pub subsidy_program_id: Option<i64>,
    /// When approval froze it (UTC); `null` while it is still computed afresh.
    #[serde(with = "crate::timestamp::utc_option")]
    pub frozen_at: Option<NaiveDateTime>,
    /// The full cost of the loan's legs (out and back, or its share of a chain), in cents,
    /// whoever pays it: what the loan costs the network on the road.
    pub transport_cost_cents: i64,
    /// The share of `transport_cost_cents` the venue pays, in percent (0: the network pays it
    /// all); the `transport` line is this share.
    pub transport_share_percent: i32,
}

/// Query of `GET /api/v1/resources/{id}/quote`: what a venue would pay, before it asks.
#[derive(Debug, Clone, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct QuoteQuery {
    /// The venue borrowing (a venue's own id by default).
    pub venue_id: Option<i64>,
    /// First day of use.
    pub starts_on: NaiveDate,
    /// Last day of use (inclusive).
    pub ends_on: NaiveDate,
}

/// Body of `POST /api/v1/subsidy-programs`.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewSubsidyProgram {
    #[schema(example = "Culture scientifique dans les villages")]
    pub name: String,
    /// Who pays: the region, a department, an inter-communal area.
    #[schema(example = "Région Hauts-de-France")]
    pub funder: String,
    /// Share of the venue's price (rental after discount, plus transport) the programme pays.
    #[schema(example = 50, minimum = 0, maximum = 100)]
    pub rate_percent: i32,
    /// In cents; never overdrawn.
    #[schema(example = 2000000, minimum = 0, maximum = 10000000000_i64)]
    pub budget_cents: i64,
    /// Loans starting on or after this day are eligible.
    pub valid_from: NaiveDate,
    /// ... and on or before this day.
    pub valid_to: NaiveDate,
    /// Eligible commune classes of the venue (every class when left out).
    pub commune_classes: Option<Vec<CommuneClass>>,
    /// Eligible EPCI (SIREN, 9 digits) of the venue's commune (every EPCI when left out).
    pub epci_sirens: Option<Vec<String>>,
    /// Eligible venue types (every type when left out).
    pub venue_types: Option<Vec<VenueType>>,
}

/// Body of `PATCH /api/v1/subsidy-programs/{id}`: the fields given change. Rate and eligibility
/// apply to approvals from now on; quotes already frozen keep their subsidy.
#[derive(Debug, Clone, Default, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct SubsidyProgramPatch {
    pub name: Option<String>,
    pub funder: Option<String>,
    pub rate_percent: Option<i32>,
    /// Never below what is already committed.
    pub budget_cents: Option<i64>,
    pub valid_from: Option<NaiveDate>,
    pub valid_to: Option<NaiveDate>,
    /// `[]` is refused: leave the field out to keep the list.
    pub commune_classes: Option<Vec<CommuneClass>>,
    pub epci_sirens: Option<Vec<String>>,
    pub venue_types: Option<Vec<VenueType>>,
}

/// A funder's programme with its budget as it stands.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct SubsidyProgram {
    pub id: i64,
    pub name: String,
    pub funder: String,
    pub rate_percent: i32,
    pub budget_cents: i64,
    /// Subsidies frozen on approved quotes (given back when a loan is cancelled or rejected).
    pub committed_cents: i64,
    /// `budget_cents − committed_cents`.
    pub remaining_cents: i64,
    pub valid_from: NaiveDate,
    pub valid_to: NaiveDate,
    /// `null`: every class.
    pub commune_classes: Option<Vec<CommuneClass>>,
    /// `null`: every EPCI.
    pub epci_sirens: Option<Vec<String>>,
    /// `null`: every venue type.
    pub venue_types: Option<Vec<VenueType>>,
    #[serde(with = "crate::timestamp::utc")]
    pub created_at: NaiveDateTime,
    #[serde(with = "crate::timestamp::utc")]
    pub updated_at: NaiveDateTime,
}

crate::stored_enum! {
    /// An invoice, or a credit note that cancels one (French rules: issued documents never change).
    pub enum InvoiceKind {
        Invoice => "invoice",
        CreditNote => "credit_note",
    }
}

/// An issued invoice or credit note. Immutable.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct Invoice {
    pub id: i64,
    /// `YYYY-NNNNNN`: one gapless sequence per seller and year, credit notes included.
    #[schema(example = "2026-000042")]
    pub number: String,
    pub kind: InvoiceKind,
    pub issued_on: NaiveDate,
    /// The producer.
    pub seller_id: i64,
    /// The venue.
    pub buyer_id: i64,
    pub booking_id: i64,
    pub lines: Vec<Line>,
    pub total_cents: i64,
    /// ISO 4217: always `EUR`.
    #[schema(value_type = String, example = "EUR")]
    pub currency: Currency,
    /// For a credit note: the invoice it cancels.
    pub credits_invoice_id: Option<i64>,
    #[serde(with = "crate::timestamp::utc")]
    pub created_at: NaiveDateTime,
    /// A public buyer's service code (Chorus Pro "code service", EN 16931 BT-10).
    pub buyer_service_code: Option<String>,
    /// A public buyer's commitment number ("numéro d'engagement", EN 16931 BT-13).
    pub commitment_number: Option<String>,
}

/// An invoice or credit note as an event saw it (`invoice.issued`), in a webhook payload: stored
/// with the event, in the transaction that numbered it.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct InvoiceSnapshot {
    pub id: i64,
    pub number: String,
    pub kind: InvoiceKind,
    pub seller_id: i64,
    pub buyer_id: i64,
    pub booking_id: i64,
    pub total_cents: i64,
    pub issued_on: NaiveDate,
}

/// Optional body of `POST /api/v1/bookings/{id}/invoice`: the references a public buyer
/// requires (its legal identity says which are mandatory).
#[derive(Debug, Clone, Default, Deserialize, Serialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct InvoiceRequest {
    /// The buyer's service code (BT-10), at most 100 characters.
    #[schema(example = "SERV-MEDIATHEQUE")]
    pub buyer_service_code: Option<String>,
    /// The buyer's commitment number (BT-13), at most 50 characters.
    #[schema(example = "EJ-2026-000123")]
    pub commitment_number: Option<String>,
}

/// Query of `GET /api/v1/invoices`.
#[derive(Debug, Clone, Default, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct InvoiceFilter {
    pub seller_id: Option<i64>,
    pub buyer_id: Option<i64>,
    /// Year of issue.
    pub year: Option<i32>,
    /// At most this many, newest first (1–10,000; default 1,000).
    pub limit: Option<i64>,
}

/// Query of the period export (`GET /invoices/export`, a ZIP or the CSV journal): the documents
/// issued from `from` to `to`, both days included (at most 366 days), for a seller's accountant.
#[derive(Debug, Clone, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct InvoicePeriod {
    /// First day of issue, included.
    pub from: NaiveDate,
    /// Last day of issue, included.
    pub to: NaiveDate,
    /// Only this seller's documents (the agency exports one producer's books this way).
    pub seller_id: Option<i64>,
}

/// Query of `GET /api/v1/producers/{id}/revenue`.
#[derive(Debug, Clone, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct RevenueQuery {
    /// Year of the invoices (the current year by default).
    pub year: Option<i32>,
}

/// Money of one resource over a year, and how far its production cost is recovered.
#[derive(Debug, Clone, Default, Serialize, Deserialize, ToSchema)]
pub struct ResourceRevenue {
    pub resource_id: i64,
    pub title: String,
    /// `null` when the producer did not say what it cost.
    pub production_cost_cents: Option<i64>,
    /// What the producer earns (invoice and credit-note lines but subsidies), whoever pays.
    pub revenue_cents: i64,
    /// What venues paid (invoice totals).
    pub venue_paid_cents: i64,
    /// What funders paid.
    pub subsidy_cents: i64,
    /// Full cost of the legs of the loans invoiced that year.
    pub transport_cost_cents: i64,
    /// Maintenance started that year.
    pub maintenance_cost_cents: i64,
    /// `revenue − transport − maintenance`.
    pub net_cents: i64,
    /// All-time net / production cost × 100 (one decimal); `null` without a production cost.
    pub recovered_percent: Option<f64>,
    /// When the last 12 months' net rate covers what is left; `null` if it never does.
    pub payback_on: Option<NaiveDate>,
}

/// Sums over the producer's resources.
#[derive(Debug, Clone, Default, Serialize, Deserialize, ToSchema)]
pub struct RevenueTotals {
    pub production_cost_cents: i64,
    pub revenue_cents: i64,
    pub venue_paid_cents: i64,
    pub subsidy_cents: i64,
    pub transport_cost_cents: i64,
    pub maintenance_cost_cents: i64,
    pub net_cents: i64,
    /// All-time net / production cost of the resources with one × 100.
    pub recovered_percent: Option<f64>,
}

/// Money of all the producer's resources in one month of the year: what a chart of the year
/// draws, the same flows as the totals.
#[derive(Debug, Clone, Default, Serialize, Deserialize, ToSchema, PartialEq, Eq)]
pub struct MonthRevenue {
    /// 1 (January) to 12.
    pub month: u32,
    pub revenue_cents: i64,
    pub transport_cost_cents: i64,
    pub maintenance_cost_cents: i64,
    /// `revenue − transport − maintenance`.
    pub net_cents: i64,
}

/// Revenue and cost recovery of a producer for a year.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct RevenueReport {
    pub producer_id: i64,
    pub year: i32,
    pub resources: Vec<ResourceRevenue>,
    pub totals: RevenueTotals,
    /// The twelve months of the year, January first: their sums over every resource.
    pub months: Vec<MonthRevenue>,
}
