//! Data access for organisations and users.

use chrono::{NaiveDate, NaiveDateTime};
use diesel::prelude::*;

use crate::db::DbConnection;
use crate::schema::{
    communes, legal_identities, opening_exceptions, opening_hours, organizations, users,
};

/// An organisation row.
#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = organizations)]
pub struct OrganizationRow {
    pub id: i64,
    pub name: String,
    pub kind: String,
    pub venue_type: Option<String>,
    pub commune_insee: String,
    pub address: Option<String>,
    pub latitude: f64,
    pub longitude: f64,
    pub created_at: NaiveDateTime,
    pub updated_at: NaiveDateTime,
    /// Digest of the venue's calendar-feed secret, if one was issued.
    pub calendar_token_hash: Option<String>,
    /// How school holidays change the week.
    pub school_holidays: super::model::SchoolHolidays,
}

/// Values of a new organisation.
#[derive(Debug, Insertable)]
#[diesel(table_name = organizations)]
pub struct OrganizationInsert<'a> {
    pub name: &'a str,
    pub kind: &'a str,
    pub venue_type: Option<&'a str>,
    pub commune_insee: &'a str,
    pub address: Option<&'a str>,
    pub latitude: f64,
    pub longitude: f64,
    pub created_at: NaiveDateTime,
    pub updated_at: NaiveDateTime,
    pub school_holidays: super::model::SchoolHolidays,
}

/// Changed values of an organisation.
#[derive(Debug, Default, AsChangeset)]
#[diesel(table_name = organizations)]
pub struct OrganizationChanges {
    pub name: Option<String>,
    pub venue_type: Option<Option<String>>,
    pub commune_insee: Option<String>,
    pub address: Option<Option<String>>,
    pub latitude: Option<f64>,
    pub longitude: Option<f64>,
    pub updated_at: Option<NaiveDateTime>,
    pub school_holidays: Option<super::model::SchoolHolidays>,
}

/// A user row (with the password hash: never serialise it).
#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = users)]
pub struct UserRow {
    pub id: i64,
    pub organization_id: i64,
    pub email: String,
    pub password_hash: String,
    pub role: String,
    pub created_at: NaiveDateTime,
    /// `fr` or `en`: the language of the user's mail.
    pub locale: String,
    /// Mail kinds turned off, comma-separated.
    pub muted_notifications: String,
    /// Set when the user was deactivated: no login, every token refused.
    pub deactivated_at: Option<NaiveDateTime>,
    /// Tokens issued before this are refused.
    pub password_changed_at: Option<NaiveDateTime>,
}

/// Values of a new user.
#[derive(Debug, Insertable)]
#[diesel(table_name = users)]
pub struct UserInsert<'a> {
    pub organization_id: i64,
    pub email: &'a str,
    pub password_hash: &'a str,
    pub role: &'a str,
    pub created_at: NaiveDateTime,
}

/// Inserts an organisation and returns it.
pub fn insert_organization(
    conn: &mut DbConnection,
    new: &OrganizationInsert<'_>,
) -> QueryResult<OrganizationRow> {
    diesel::insert_into(organizations::table)
        .values(new)
        .returning(organizations::all_columns)
        .get_result(conn)
}

/// One organisation.
pub fn find_organization(conn: &mut DbConnection, id: i64) -> QueryResult<Option<OrganizationRow>> {
    organizations::table
        .find(id)
        .select(OrganizationRow::as_select())
        .first(conn)
        .optional()
}

/// The name, commune name and commune population of each of these organisations, in one query.
pub fn places(
    conn: &mut DbConnection,
    ids: &[i64],
) -> QueryResult<Vec<(i64, String, String, i32)>> {
    organizations::table
        .inner_join(communes::table.on(communes::insee_code.eq(organizations::commune_insee)))
        .filter(organizations::id.eq_any(ids))
        .select((
            organizations::id,
            organizations::name,
            communes::name,
            communes::population,
        ))
        .load(conn)
}

/// Locks an organisation's row until the transaction ends, so that per-organisation limits
/// (open requests, waitlist entries) are checked and written by one request at a time. SQLite
/// already has one writer at a time (`write_transaction`).
pub fn lock_organization(conn: &mut DbConnection, id: i64) -> QueryResult<()> {
    if let DbConnection::Postgres(pg) = conn {
        diesel::sql_query("SELECT id FROM organizations WHERE id = $1 FOR UPDATE")
            .bind::<diesel::sql_types::BigInt, _>(id)
            .execute(pg)?;
    }
    Ok(())
}

/// An organisation by kind and exact name (demo data uses it to stay idempotent).
pub fn find_organization_by_name(
    conn: &mut DbConnection,
    kind: &str,
    name: &str,
) -> QueryResult<Option<OrganizationRow>> {
    organizations::table
        .filter(organizations::kind.eq(kind))
        .filter(organizations::name.eq(name))
        .select(OrganizationRow::as_select())
        .order(organizations::id.asc())
        .first(conn)
        .optional()
}

/// Whether any organisation exists (an empty database gets the demo network).
pub fn any_organization(conn: &mut DbConnection) -> QueryResult<bool> {
    diesel::select(diesel::dsl::exists(
        organizations::table.select(organizations::id),
    ))
    .get_result(conn)
}

/// Organisations of a kind (or all), by id after `after_id`.
pub fn list_organizations(
    conn: &mut DbConnection,
    kind: Option<&str>,
    after_id: i64,
    limit: i64,
) -> QueryResult<Vec<OrganizationRow>> {
    let mut query = organizations::table
        .select(OrganizationRow::as_select())
        .filter(organizations::id.gt(after_id))
        .into_boxed();
    if let Some(kind) = kind {
        query = query.filter(organizations::kind.eq(kind.to_string()));
    }
    query.order(organizations::id.asc()).limit(limit).load(conn)
}

/// Applies changes and returns the updated organisation.
pub fn update_organization(
    conn: &mut DbConnection,
    id: i64,
    changes: &OrganizationChanges,
) -> QueryResult<OrganizationRow> {
    diesel::update(organizations::table.find(id))
        .set(changes)
        .returning(organizations::all_columns)
        .get_result(conn)
}

/// Inserts a user and returns it.
pub fn insert_user(conn: &mut DbConnection, new: &UserInsert<'_>) -> QueryResult<UserRow> {
    diesel::insert_into(users::table)
        .values(new)
        .returning(users::all_columns)
        .get_result(conn)
}

/// A user by normalised e-mail.
pub fn find_user_by_email(conn: &mut DbConnection, email: &str) -> QueryResult<Option<UserRow>> {
    users::table
        .filter(users::email.eq(email))
        .select(UserRow::as_select())
        .first(conn)
        .optional()
}

/// A user by id.
pub fn find_user(conn: &mut DbConnection, id: i64) -> QueryResult<Option<UserRow>> {
    users::table
        .find(id)
        .select(UserRow::as_select())
        .first(conn)
        .optional()
}

/// The users of one organisation.
pub fn list_users(conn: &mut DbConnection, organization_id: i64) -> QueryResult<Vec<UserRow>> {
    users::table
        .filter(users::organization_id.eq(organization_id))
        .select(UserRow::as_select())
        .order(users::id.asc())
        .load(conn)
}

/// Replaces a user's password; tokens issued before `changed_at` are refused from then on.
pub fn set_password(
    conn: &mut DbConnection,
    user_id: i64,
    password_hash: &str,
    changed_at: NaiveDateTime,
) -> QueryResult<usize> {
    diesel::update(users::table.find(user_id))
        .set((
            users::password_hash.eq(password_hash),
            users::password_changed_at.eq(Some(changed_at)),
        ))
        .execute(conn)
}

/// Deactivates a user (keeps the first time).
pub fn deactivate_user(
    conn: &mut DbConnection,
    user_id: i64,
    now: NaiveDateTime,
) -> QueryResult<usize> {
    diesel::update(
        users::table
            .find(user_id)
            .filter(users::deactivated_at.is_null()),
    )
    .set(users::deactivated_at.eq(Some(now)))
    .execute(conn)
}

/// Stores the digest of a venue's calendar-feed secret (replacing the previous one).
pub fn set_calendar_token_hash(
    conn: &mut DbConnection,
    id: i64,
    digest: &str,
) -> QueryResult<usize> {
    diesel::update(organizations::table.find(id))
        .set(organizations::calendar_token_hash.eq(Some(digest)))
        .execute(conn)
}

/// Changes a user's role.
pub fn set_role(conn: &mut DbConnection, user_id: i64, role: &str) -> QueryResult<usize> {
    diesel::update(users::table.find(user_id))
        .set(users::role.eq(role))
        .execute(conn)
}

/// Reactivates a deactivated user.
pub fn reactivate_user(conn: &mut DbConnection, user_id: i64) -> QueryResult<usize> {
    diesel::update(users::table.find(user_id))
        .set(users::deactivated_at.eq(None::<NaiveDateTime>))
        .execute(conn)
}

/// Refuses every token of a user issued before `before` (a role change, a reactivation).
pub fn refuse_tokens_before(
    conn: &mut DbConnection,
    user_id: i64,
    before: NaiveDateTime,
) -> QueryResult<usize> {
    diesel::update(users::table.find(user_id))
        .set(users::password_changed_at.eq(Some(before)))
        .execute(conn)
}

/// Stores a user's mail preferences.
pub fn set_preferences(
    conn: &mut DbConnection,
    user_id: i64,
    locale: &str,
    muted_notifications: &str,
) -> QueryResult<usize> {
    diesel::update(users::table.find(user_id))
        .set((
            users::locale.eq(locale),
            users::muted_notifications.eq(muted_notifications),
        ))
        .execute(conn)
}

/// A line of a stored exception: the date, its span in minutes (none: closed), its note.
pub type ExceptionLine = (NaiveDate, Option<(i32, i32)>, Option<String>);

/// Weekly spans `(ISO weekday, opens, closes)` in minutes, by weekday then opening.
pub fn weekly_hours(
    conn: &mut DbConnection,
    organization_id: i64,
) -> QueryResult<Vec<(i16, i32, i32)>> {
    opening_hours::table
        .filter(opening_hours::organization_id.eq(organization_id))
        .select((
            opening_hours::weekday,
            opening_hours::opens_minute,
            opening_hours::closes_minute,
        ))
        .order((
            opening_hours::weekday.asc(),
            opening_hours::opens_minute.asc(),
        ))
        .load(conn)
}

/// Exception lines by date then opening (a closed day has one line without minutes).
pub fn opening_exceptions(
    conn: &mut DbConnection,
    organization_id: i64,
) -> QueryResult<Vec<ExceptionLine>> {
    type Row = (NaiveDate, Option<i32>, Option<i32>, Option<String>);
    let rows: Vec<Row> = opening_exceptions::table
        .filter(opening_exceptions::organization_id.eq(organization_id))
        .select((
            opening_exceptions::on_date,
            opening_exceptions::opens_minute,
            opening_exceptions::closes_minute,
            opening_exceptions::note,
        ))
        .order((
            opening_exceptions::on_date.asc(),
            opening_exceptions::opens_minute.asc(),
        ))
        .load(conn)?;
    Ok(rows
        .into_iter()
        .map(|(date, opens, closes, note)| (date, opens.zip(closes), note))
        .collect())
}

/// Replaces the whole timetable (inside the caller's transaction).
pub fn replace_opening_hours(
    conn: &mut DbConnection,
    organization_id: i64,
    weekly: &[(i16, i32, i32)],
    exceptions: &[ExceptionLine],
) -> QueryResult<()> {
    diesel::delete(opening_hours::table.filter(opening_hours::organization_id.eq(organization_id)))
        .execute(conn)?;
    diesel::delete(
        opening_exceptions::table.filter(opening_exceptions::organization_id.eq(organization_id)),
    )
    .execute(conn)?;
    for &(weekday, opens, closes) in weekly {
        diesel::insert_into(opening_hours::table)
            .values((
                opening_hours::organization_id.eq(organization_id),
                opening_hours::weekday.eq(weekday),
                opening_hours::opens_minute.eq(opens),
                opening_hours::closes_minute.eq(closes),
            ))
            .execute(conn)?;
    }
    for (date, span, note) in exceptions {
        diesel::insert_into(opening_exceptions::table)
            .values((
                opening_exceptions::organization_id.eq(organization_id),
                opening_exceptions::on_date.eq(*date),
                opening_exceptions::opens_minute.eq(span.map(|s| s.0)),
                opening_exceptions::closes_minute.eq(span.map(|s| s.1)),
                opening_exceptions::note.eq(note.as_deref()),
            ))
            .execute(conn)?;
    }
    Ok(())
}

/// A page of organisations, optionally of one kind, by name (the agency's directory).
pub fn directory_page(
    conn: &mut DbConnection,
    kind: Option<&str>,
    offset: i64,
    limit: i64,
) -> QueryResult<Vec<OrganizationRow>> {
    let mut query = organizations::table
        .select(OrganizationRow::as_select())
        .into_boxed();
    if let Some(kind) = kind {
        query = query.filter(organizations::kind.eq(kind.to_string()));
    }
    query
        .order((organizations::name.asc(), organizations::id.asc()))
        .offset(offset)
        .limit(limit)
        .load(conn)
}

/// How many organisations there are, optionally of one kind.
pub fn count_organizations(conn: &mut DbConnection, kind: Option<&str>) -> QueryResult<i64> {
    let mut query = organizations::table.count().into_boxed();
    if let Some(kind) = kind {
        query = query.filter(organizations::kind.eq(kind.to_string()));
    }
    query.get_result(conn)
}

/// Active accounts of each of these organisations (absent: none).
pub fn active_account_counts(
    conn: &mut DbConnection,
    organization_ids: &[i64],
) -> QueryResult<Vec<(i64, i64)>> {
    users::table
        .filter(users::organization_id.eq_any(organization_ids))
        .filter(users::deactivated_at.is_null())
        .group_by(users::organization_id)
        .select((users::organization_id, diesel::dsl::count_star()))
        .load(conn)
}

/// What decides whether a user's tokens stand: when they were deactivated, when their password
/// last changed, their organisation, its kind and their role.
pub type StandingRow = (
    Option<NaiveDateTime>,
    Option<NaiveDateTime>,
    i64,
    crate::organization::OrgKind,
    crate::organization::Role,
);

/// A user's [`StandingRow`], read in one query (`None` for an unknown user).
pub fn standing_of_user(conn: &mut DbConnection, user_id: i64) -> QueryResult<Option<StandingRow>> {
    users::table
        .inner_join(organizations::table)
        .filter(users::id.eq(user_id))
        .select((
            users::deactivated_at,
            users::password_changed_at,
            users::organization_id,
            organizations::kind,
            users::role,
        ))
        .first(conn)
        .optional()
}

/// A stored legal identity row.
#[derive(Debug, Clone, Queryable, Selectable, Insertable, AsChangeset)]
#[diesel(table_name = legal_identities)]
#[diesel(treat_none_as_null = true)]
pub struct LegalIdentityRow {
    pub organization_id: i64,
    pub siret: String,
    pub vat_id: Option<String>,
    pub vat_exemption: Option<String>,
    pub address_line: String,
    pub postcode: String,
    pub city: String,
    pub iban: Option<String>,
    pub bic: Option<String>,
    pub electronic_address: Option<String>,
    pub public_buyer: bool,
    pub service_code_required: bool,
    pub commitment_required: bool,
    pub updated_at: NaiveDateTime,
}

/// The stored legal identity of an organisation, if any.
pub fn find_legal_identity(
    conn: &mut DbConnection,
    organization_id: i64,
) -> QueryResult<Option<LegalIdentityRow>> {
    legal_identities::table
        .find(organization_id)
        .select(LegalIdentityRow::as_select())
        .first(conn)
        .optional()
}

/// Writes a legal identity: an update, else an insert (call inside a write transaction).
pub fn upsert_legal_identity(conn: &mut DbConnection, row: &LegalIdentityRow) -> QueryResult<()> {
    let updated = diesel::update(legal_identities::table.find(row.organization_id))
        .set(row)
        .execute(conn)?;
    if updated == 0 {
        diesel::insert_into(legal_identities::table)
            .values(row)
            .execute(conn)?;
    }
    Ok(())
}

/// The first organisation of a kind, by id (the agency, for demo data).
pub fn first_of_kind(conn: &mut DbConnection, kind: &str) -> QueryResult<i64> {
    organizations::table
        .filter(organizations::kind.eq(kind))
        .select(organizations::id)
        .order(organizations::id.asc())
        .first(conn)
}

/// The organisations of a kind with their coordinates, largest communes first, then by id.
pub fn places_by_population(
    conn: &mut DbConnection,
    kind: &str,
) -> QueryResult<Vec<(i64, f64, f64)>> {
    organizations::table
        .inner_join(communes::table.on(communes::insee_code.eq(organizations::commune_insee)))
        .filter(organizations::kind.eq(kind))
        .select((
            organizations::id,
            organizations::latitude,
            organizations::longitude,
        ))
        .order((communes::population.desc(), organizations::id.asc()))
        .load(conn)
}
