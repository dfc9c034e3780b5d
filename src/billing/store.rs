//! Diesel queries of the money domain: tariffs, the pricing policy, subsidy programmes and their
//! budgets, frozen quotes and the damage a loan's reports found.

pub mod ledger;

use chrono::{NaiveDate, NaiveDateTime};
use diesel::prelude::*;

use super::model::{PerClass, PricingPolicy, Tariff};
use crate::booking::store::BookingRow;
use crate::db::DbConnection;
use crate::schema::{
    booking_quotes, components, condition_report_lines, condition_reports, pricing_policy,
    subsidy_programs, tariffs,
};

/// The tariff of a resource, if its producer set one.
pub fn tariff(conn: &mut DbConnection, resource_id: i64) -> QueryResult<Option<Tariff>> {
    Ok(tariffs::table
        .find(resource_id)
        .select((
            tariffs::per_loan_cents,
            tariffs::per_week_cents,
            tariffs::deposit_cents,
        ))
        .first::<(i64, i64, i64)>(conn)
        .optional()?
        .map(|(per_loan_cents, per_week_cents, deposit_cents)| Tariff {
            per_loan_cents,
            per_week_cents,
            deposit_cents,
        }))
}

/// Sets the tariff of a resource (an update, else an insert: call inside a write transaction).
pub fn put_tariff(
    conn: &mut DbConnection,
    resource_id: i64,
    tariff: &Tariff,
    organization_id: i64,
    now: NaiveDateTime,
) -> QueryResult<()> {
    let values = (
        tariffs::per_loan_cents.eq(tariff.per_loan_cents),
        tariffs::per_week_cents.eq(tariff.per_week_cents),
        tariffs::deposit_cents.eq(tariff.deposit_cents),
        tariffs::updated_by_organization.eq(organization_id),
        tariffs::updated_at.eq(now),
    );
    let updated = diesel::update(tariffs::table.find(resource_id))
        .set(values)
        .execute(conn)?;
    if updated == 0 {
        diesel::insert_into(tariffs::table)
            .values((tariffs::resource_id.eq(resource_id), values))
            .execute(conn)?;
    }
    Ok(())
}

type PolicyRow = (i32, i32, i32, i32, i32, i32, i32, i32);

crate::columns! {
    const POLICY_COLUMNS = (
        pricing_policy::rate_village,
        pricing_policy::rate_small_town,
        pricing_policy::rate_medium_town,
        pricing_policy::rate_large_city,
        pricing_policy::transport_village,
        pricing_policy::transport_small_town,
        pricing_policy::transport_medium_town,
        pricing_policy::transport_large_city,
    );
}

crate::columns! {
    /// What pricing reads of a venue (a [`VenueRow`]): its kind and type, position, and its
    /// commune's population and EPCI.
    const VENUE_COLUMNS = (
        crate::schema::organizations::kind,
        crate::schema::organizations::venue_type,
        crate::schema::organizations::latitude,
        crate::schema::organizations::longitude,
        crate::schema::communes::population,
        crate::schema::communes::epci_siren,
    );
}

fn policy_of((v, s, m, l, tv, ts, tm, tl): PolicyRow) -> PricingPolicy {
    PricingPolicy {
        class_rate_percent: PerClass {
            village: v,
            small_town: s,
            medium_town: m,
            large_city: l,
        },
        transport_recharge_percent: PerClass {
            village: tv,
            small_town: ts,
            medium_town: tm,
            large_city: tl,
        },
    }
}

/// The policy in force (the migration writes its one row).
pub fn policy(conn: &mut DbConnection) -> QueryResult<PricingPolicy> {
    let row: PolicyRow = pricing_policy::table
        .find(1)
        .select(POLICY_COLUMNS)
        .first(conn)?;
    Ok(policy_of(row))
}

/// Replaces the policy in force.
pub fn put_policy(
    conn: &mut DbConnection,
    policy: &PricingPolicy,
    now: NaiveDateTime,
) -> QueryResult<usize> {
    let (rate, transport) = (policy.class_rate_percent, policy.transport_recharge_percent);
    diesel::update(pricing_policy::table.find(1))
        .set((
            pricing_policy::rate_village.eq(rate.village),
            pricing_policy::rate_small_town.eq(rate.small_town),
            pricing_policy::rate_medium_town.eq(rate.medium_town),
            pricing_policy::rate_large_city.eq(rate.large_city),
            pricing_policy::transport_village.eq(transport.village),
            pricing_policy::transport_small_town.eq(transport.small_town),
            pricing_policy::transport_medium_town.eq(transport.medium_town),
            pricing_policy::transport_large_city.eq(transport.large_city),
            pricing_policy::updated_at.eq(now),
        ))
        .execute(conn)
}

/// A subsidy programme row; lists are comma-separated, `NULL` for every value.
#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = subsidy_programs)]
pub struct ProgramRow {
    pub id: i64,
    pub name: String,
    pub funder: String,
    pub rate_percent: i32,
    pub budget_cents: i64,
    pub committed_cents: i64,
    pub valid_from: NaiveDate,
    pub valid_to: NaiveDate,
    pub commune_classes: Option<String>,
    pub epci_sirens: Option<String>,
    pub venue_types: Option<String>,
    pub created_at: NaiveDateTime,
    pub updated_at: NaiveDateTime,
}

/// Values of a new programme (or of a changed one).
#[derive(Debug, Clone, Insertable, AsChangeset)]
#[diesel(table_name = subsidy_programs)]
pub struct ProgramValues {
    pub name: String,
    pub funder: String,
    pub rate_percent: i32,
    pub budget_cents: i64,
    pub valid_from: NaiveDate,
    pub valid_to: NaiveDate,
    #[diesel(treat_none_as_null = true)]
    pub commune_classes: Option<String>,
    #[diesel(treat_none_as_null = true)]
    pub epci_sirens: Option<String>,
    #[diesel(treat_none_as_null = true)]
    pub venue_types: Option<String>,
    pub updated_at: NaiveDateTime,
}

/// Inserts a programme.
pub fn insert_program(
    conn: &mut DbConnection,
    values: &ProgramValues,
    now: NaiveDateTime,
) -> QueryResult<ProgramRow> {
    diesel::insert_into(subsidy_programs::table)
        .values((values, subsidy_programs::created_at.eq(now)))
        .returning(subsidy_programs::all_columns)
        .get_result(conn)
}

/// One programme.
pub fn program(conn: &mut DbConnection, id: i64) -> QueryResult<Option<ProgramRow>> {
    subsidy_programs::table
        .find(id)
        .select(ProgramRow::as_select())
        .first(conn)
        .optional()
}

/// Every programme, by id.
pub fn programs(conn: &mut DbConnection) -> QueryResult<Vec<ProgramRow>> {
    subsidy_programs::table
        .select(ProgramRow::as_select())
        .order(subsidy_programs::id.asc())
        .load(conn)
}

/// The programmes valid on a day (eligibility by venue is checked by the caller).
pub fn programs_valid_on(conn: &mut DbConnection, day: NaiveDate) -> QueryResult<Vec<ProgramRow>> {
    programs_meeting(conn, day, day)
}

/// Changes a programme unless its new budget is below what is committed at this moment (one
/// conditional update: a concurrent approval cannot slip between the check and the write).
pub fn update_program(
    conn: &mut DbConnection,
    id: i64,
    values: &ProgramValues,
) -> QueryResult<bool> {
    Ok(diesel::update(
        subsidy_programs::table
            .find(id)
            .filter(subsidy_programs::committed_cents.le(values.budget_cents)),
    )
    .set(values)
    .execute(conn)?
        == 1)
}

/// Commits `cents` of a programme's budget if that many are left: one conditional update, so
/// concurrent approvals never overdraw it (the CHECK on the table is the last guard).
pub fn commit_subsidy(
    conn: &mut DbConnection,
    id: i64,
    cents: i64,
    now: NaiveDateTime,
) -> QueryResult<bool> {
    use subsidy_programs::dsl as p;
    Ok(diesel::update(
        p::subsidy_programs
            .find(id)
            .filter((p::committed_cents + cents).le(p::budget_cents)),
    )
    .set((
        p::committed_cents.eq(p::committed_cents + cents),
        p::updated_at.eq(now),
    ))
    .execute(conn)?
        == 1)
}

/// Gives `cents` back to a programme's budget.
pub fn give_back_subsidy(
    conn: &mut DbConnection,
    id: i64,
    cents: i64,
    now: NaiveDateTime,
) -> QueryResult<usize> {
    use subsidy_programs::dsl as p;
    diesel::update(p::subsidy_programs.find(id))
        .set((
            p::committed_cents.eq(p::committed_cents - cents),
            p::updated_at.eq(now),
        ))
        .execute(conn)
}

/// A frozen quote.
#[derive(Debug, Clone, Queryable, Selectable, Insertable)]
#[diesel(table_name = booking_quotes)]
pub struct FrozenQuote {
    pub booking_id: i64,
    pub rental_cents: i64,
    pub class_discount_cents: i64,
    pub transport_cents: i64,
    pub subsidy_cents: i64,
    pub subsidy_program_id: Option<i64>,
    pub deposit_cents: i64,
    pub venue_class: String,
    pub class_rate_percent: i32,
    pub recharge_percent: i32,
    pub transport_cost_cents: i64,
    pub frozen_at: NaiveDateTime,
}

/// The frozen quote of a booking, if it was approved.
pub fn frozen_quote(conn: &mut DbConnection, booking_id: i64) -> QueryResult<Option<FrozenQuote>> {
    booking_quotes::table
        .find(booking_id)
        .select(FrozenQuote::as_select())
        .first(conn)
        .optional()
}

/// A booking, its resource's producer and its frozen quote if any, in one query.
pub fn booking_with_quote(
    conn: &mut DbConnection,
    booking_id: i64,
) -> QueryResult<Option<(BookingRow, i64, Option<FrozenQuote>)>> {
    use crate::schema::{bookings, resources};
    bookings::table
        .inner_join(resources::table.on(resources::id.eq(bookings::resource_id)))
        .left_join(booking_quotes::table.on(booking_quotes::booking_id.eq(bookings::id)))
        .filter(bookings::id.eq(booking_id))
        .select((
            bookings::all_columns,
            resources::producer_id,
            booking_quotes::all_columns.nullable(),
        ))
        .first(conn)
        .optional()
}

/// Stores a frozen quote.
pub fn insert_frozen_quote(conn: &mut DbConnection, quote: &FrozenQuote) -> QueryResult<usize> {
    diesel::insert_into(booking_quotes::table)
        .values(quote)
        .execute(conn)
}

/// Removes a frozen quote (a cancel, a reject, new dates).
pub fn delete_frozen_quote(conn: &mut DbConnection, booking_id: i64) -> QueryResult<usize> {
    diesel::delete(booking_quotes::table.find(booking_id)).execute(conn)
}

/// For each component of a booking's resource: its name, the most units any of the booking's
/// return and inspection reports found missing or damaged, and its unit cost.
pub fn damaged_units(
    conn: &mut DbConnection,
    booking_id: i64,
) -> QueryResult<Vec<(String, i64, i64)>> {
    let rows: Vec<(i64, String, i64, i32, i32, i32)> = condition_report_lines::table
        .inner_join(
            condition_reports::table
                .on(condition_reports::id.eq(condition_report_lines::report_id)),
        )
        .inner_join(components::table.on(components::id.eq(condition_report_lines::component_id)))
        .filter(condition_reports::booking_id.eq(booking_id))
        .filter(condition_reports::stage.eq_any(["return", "inspection"]))
        .select((
            components::id,
            components::name,
            components::unit_cost_cents,
            condition_report_lines::expected_quantity,
            condition_report_lines::present_quantity,
            condition_report_lines::damaged,
        ))
        .order(components::id.asc())
        .load(conn)?;
    let mut out: Vec<(i64, String, i64, i64)> = Vec::new();
    for (id, name, cost, expected, present, damaged) in rows {
        let units = i64::from((expected - present).max(0) + damaged);
        match out.last_mut() {
            Some(last) if last.0 == id => last.2 = last.2.max(units),
            _ => out.push((id, name, units, cost)),
        }
    }
    Ok(out
        .into_iter()
        .map(|(_, name, units, cost)| (name, units, cost))
        .collect())
}

/// What pricing a loan reads, in one query (quotes are on every booking's path): the borrowing
/// organisation's kind, venue type, position, commune population and EPCI; the policy in force;
/// the resource's tariff if set; the position of the copy's depot (its home commune) if given;
/// the subsidy programmes valid on the first day of use (one row each); and, when a window is
/// given, the copy's stays over it (what its transport legs depend on: chaining).
#[allow(clippy::type_complexity)]
pub fn pricing_facts(
    conn: &mut DbConnection,
    venue_id: i64,
    resource_id: i64,
    copy_id: Option<i64>,
    starts_on: NaiveDate,
    stays_window: Option<(NaiveDate, NaiveDate)>,
) -> QueryResult<Option<PricingRow>> {
    use crate::booking::BookingStatus;
    use crate::schema::{bookings, communes, copies, organizations};
    let (home, stay, stay_venue) = diesel::alias!(
        communes as home,
        bookings as stay,
        organizations as stay_venue
    );
    // No stays asked for: the join finds none (no copy has id -1).
    let stays_copy = match stays_window {
        Some(_) => copy_id.unwrap_or(-1),
        None => -1,
    };
    let (stays_from, stays_to) = stays_window.unwrap_or((starts_on, starts_on));
    let rows: Vec<(
        VenueRow,
        PolicyRow,
        Option<(i64, i64, i64)>,
        Option<(f64, f64)>,
        Option<ProgramRow>,
        Option<crate::booking::chaining::StayRow>,
    )> = organizations::table
        .inner_join(communes::table.on(communes::insee_code.eq(organizations::commune_insee)))
        .inner_join(pricing_policy::table.on(pricing_policy::id.eq(1)))
        .left_join(tariffs::table.on(tariffs::resource_id.eq(resource_id)))
        .left_join(copies::table.on(copies::id.eq(copy_id.unwrap_or(-1))))
        .left_join(
            home.on(home
                .field(communes::insee_code)
                .eq(copies::home_commune_insee)),
        )
        .left_join(
            subsidy_programs::table.on(subsidy_programs::valid_from
                .le(starts_on)
                .and(subsidy_programs::valid_to.ge(starts_on))),
        )
        .left_join(
            stay.on(stay
                .field(bookings::copy_id)
                .eq(stays_copy)
                // BookingStatus::MOVING written as plain comparisons: a query with an IN list is
                // never a cached prepared statement, and this join is costly to plan each time.
                .and(stay.field(bookings::status).ne(BookingStatus::Rejected))
                .and(stay.field(bookings::status).ne(BookingStatus::Cancelled))
                .and(stay.field(bookings::status).ne(BookingStatus::Expired))
                .and(stay.field(bookings::ends_on).ge(stays_from))
                .and(stay.field(bookings::starts_on).le(stays_to))),
        )
        .left_join(
            stay_venue.on(stay_venue
                .field(organizations::id)
                .eq(stay.field(bookings::venue_id))),
        )
        .filter(organizations::id.eq(venue_id))
        .select((
            VENUE_COLUMNS,
            POLICY_COLUMNS,
            (
                tariffs::per_loan_cents,
                tariffs::per_week_cents,
                tariffs::deposit_cents,
            )
                .nullable(),
            (
                home.field(communes::latitude),
                home.field(communes::longitude),
            )
                .nullable(),
            subsidy_programs::all_columns.nullable(),
            (
                stay.field(bookings::id),
                stay.field(bookings::copy_id),
                stay.field(bookings::resource_id),
                stay.field(bookings::status),
                stay.field(bookings::starts_on),
                stay.field(bookings::ends_on),
                stay_venue.field(organizations::id),
                stay_venue.field(organizations::name),
                stay_venue.field(organizations::commune_insee),
                stay_venue.field(organizations::latitude),
                stay_venue.field(organizations::longitude),
            )
                .nullable(),
        ))
        .order(subsidy_programs::id.asc())
        .load(conn)?;
    // One row per (programme, stay): each appears once in the result.
    let mut programs: Vec<ProgramRow> = Vec::new();
    let mut stays: Vec<crate::booking::chaining::StayRow> = Vec::new();
    for r in &rows {
        if let Some(p) = &r.4 {
            if !programs.iter().any(|q| q.id == p.id) {
                programs.push(p.clone());
            }
        }
        if let Some(st) = &r.5 {
            if !stays.iter().any(|t| t.0 == st.0) {
                stays.push(st.clone());
            }
        }
    }
    // Ordered like booking::store::stays_of: by copy, first day, id.
    stays.sort_by_key(|s| (s.1, s.4, s.0));
    let stays = match stays_window {
        Some(_) => Some(
            stays
                .into_iter()
                .map(crate::booking::chaining::stay_from_row)
                .collect::<crate::error::Result<Vec<_>>>()
                .map_err(|e| diesel::result::Error::DeserializationError(e.to_string().into()))?,
        ),
        None => None,
    };
    Ok(rows
        .into_iter()
        .next()
        .map(|(venue, policy, tariff, depot, _, _)| PricingRow {
            venue,
            policy: policy_of(policy),
            tariff: tariff.map(|(per_loan_cents, per_week_cents, deposit_cents)| Tariff {
                per_loan_cents,
                per_week_cents,
                deposit_cents,
            }),
            depot,
            programs,
            stays,
        }))
}

/// What a venue's previews of several resources share, in one query: the venue's kind, type,
/// position, population and EPCI (as [`pricing_facts`] reads them), the policy in force, and the
/// programmes valid on some day of `[first, last]` (by id: each preview keeps those valid on its
/// own first day). `None` when there is no such organisation.
pub fn venue_terms(
    conn: &mut DbConnection,
    venue_id: i64,
    first: NaiveDate,
    last: NaiveDate,
) -> QueryResult<Option<(VenueRow, PricingPolicy, Vec<ProgramRow>)>> {
    use crate::schema::{communes, organizations};
    let rows: Vec<(VenueRow, PolicyRow, Option<ProgramRow>)> = organizations::table
        .inner_join(communes::table.on(communes::insee_code.eq(organizations::commune_insee)))
        .inner_join(pricing_policy::table.on(pricing_policy::id.eq(1)))
        .left_join(
            subsidy_programs::table.on(subsidy_programs::valid_from
                .le(last)
                .and(subsidy_programs::valid_to.ge(first))),
        )
        .filter(organizations::id.eq(venue_id))
        .select((
            VENUE_COLUMNS,
            POLICY_COLUMNS,
            subsidy_programs::all_columns.nullable(),
        ))
        .order(subsidy_programs::id.asc())
        .load(conn)?;
    let programs = rows.iter().filter_map(|r| r.2.clone()).collect();
    Ok(rows
        .into_iter()
        .next()
        .map(|(venue, policy, _)| (venue, policy_of(policy), programs)))
}

/// What pricing reads of several venues (a [`VenueRow`] each, as [`pricing_facts`] reads one),
/// by organisation id, in one query (a producer's inbox prices many requests).
pub fn venue_rows(
    conn: &mut DbConnection,
    venue_ids: &[i64],
) -> QueryResult<std::collections::HashMap<i64, VenueRow>> {
    use crate::schema::{communes, organizations};
    let rows: Vec<(i64, VenueRow)> = organizations::table
        .inner_join(communes::table.on(communes::insee_code.eq(organizations::commune_insee)))
        .filter(organizations::id.eq_any(venue_ids))
        .select((organizations::id, VENUE_COLUMNS))
        .load(conn)?;
    Ok(rows.into_iter().collect())
}

/// The depot (home commune's latitude, longitude) of each of these copies, as [`pricing_facts`]
/// reads one's, in one query.
pub fn copy_depots(
    conn: &mut DbConnection,
    copy_ids: &[i64],
) -> QueryResult<std::collections::HashMap<i64, (f64, f64)>> {
    use crate::schema::{communes, copies};
    let rows: Vec<(i64, (f64, f64))> = copies::table
        .inner_join(communes::table.on(communes::insee_code.eq(copies::home_commune_insee)))
        .filter(copies::id.eq_any(copy_ids))
        .select((copies::id, (communes::latitude, communes::longitude)))
        .load(conn)?;
    Ok(rows.into_iter().collect())
}

/// The programmes valid on some day of `[first, last]`, by id (each loan keeps those valid on its
/// own first day).
pub fn programs_meeting(
    conn: &mut DbConnection,
    first: NaiveDate,
    last: NaiveDate,
) -> QueryResult<Vec<ProgramRow>> {
    subsidy_programs::table
        .filter(subsidy_programs::valid_from.le(last))
        .filter(subsidy_programs::valid_to.ge(first))
        .select(ProgramRow::as_select())
        .order(subsidy_programs::id.asc())
        .load(conn)
}

/// What a preview reads of one resource: its producer, its tariff if set, and the depot
/// positions (latitude, longitude) of its copies that are not retired.
#[derive(Debug, Clone)]
pub struct ResourceTerms {
    pub producer_id: i64,
    pub tariff: Option<Tariff>,
    pub depots: Vec<(f64, f64)>,
}

/// [`ResourceTerms`] of the live resources among `resource_ids`, in one query (a list of
/// results prices each of them).
pub fn resource_terms(
    conn: &mut DbConnection,
    resource_ids: &[i64],
) -> QueryResult<std::collections::HashMap<i64, ResourceTerms>> {
    use crate::catalogue::model::CopyStatus;
    use crate::schema::{communes, copies, resources};
    let mut terms = std::collections::HashMap::new();
    if resource_ids.is_empty() {
        return Ok(terms);
    }
    // (resource, producer, tariff, a copy's status, its depot's position)
    type Row = (
        i64,
        i64,
        Option<(i64, i64, i64)>,
        Option<CopyStatus>,
        Option<(f64, f64)>,
    );
    let rows: Vec<Row> = resources::table
        .left_join(tariffs::table.on(tariffs::resource_id.eq(resources::id)))
        .left_join(copies::table.on(copies::resource_id.eq(resources::id)))
        .left_join(communes::table.on(communes::insee_code.eq(copies::home_commune_insee)))
        .filter(resources::id.eq_any(resource_ids))
        .filter(resources::deleted_at.is_null())
        .select((
            resources::id,
            resources::producer_id,
            (
                tariffs::per_loan_cents,
                tariffs::per_week_cents,
                tariffs::deposit_cents,
            )
                .nullable(),
            copies::status.nullable(),
            (communes::latitude, communes::longitude).nullable(),
        ))
        .load(conn)?;
    for (id, producer_id, tariff, status, depot) in rows {
        let entry = terms.entry(id).or_insert_with(|| ResourceTerms {
            producer_id,
            tariff: tariff.map(|(per_loan_cents, per_week_cents, deposit_cents)| Tariff {
                per_loan_cents,
                per_week_cents,
                deposit_cents,
            }),
            depots: Vec::new(),
        });
        if let (Some(status), Some(depot)) = (status, depot) {
            if status != CopyStatus::Retired {
                entry.depots.push(depot);
            }
        }
    }
    Ok(terms)
}

/// What [`pricing_facts`] read.
#[derive(Debug, Clone)]
pub struct PricingRow {
    pub venue: VenueRow,
    pub policy: PricingPolicy,
    pub tariff: Option<Tariff>,
    /// (latitude, longitude) of the copy's home commune.
    pub depot: Option<(f64, f64)>,
    /// The programmes valid on the first day of use, by id.
    pub programs: Vec<ProgramRow>,
    /// The stays of the copy over the window asked for, ordered like `booking::store::stays_of`.
    pub stays: Option<Vec<crate::booking::chaining::Stay>>,
}

/// (kind, venue type, latitude, longitude, commune population, EPCI SIREN) of an organisation.
pub type VenueRow = (String, Option<String>, f64, f64, i32, String);

#[cfg(test)]
mod tests {
    use crate::booking::BookingStatus;

    /// `pricing_facts` reads the stays of `BookingStatus::MOVING` as "not rejected, cancelled or
    /// expired": the two must stay the same list.
    #[test]
    fn the_stays_join_excludes_exactly_what_moving_leaves_out() {
        for status in BookingStatus::ALL {
            let excluded = matches!(
                status,
                BookingStatus::Rejected | BookingStatus::Cancelled | BookingStatus::Expired
            );
            assert_eq!(
                !excluded,
                BookingStatus::MOVING.contains(status),
                "{status}"
            );
        }
    }
}
