//! Organisations and users as the API shows them, and the vocabularies they use.

use chrono::NaiveDateTime;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use super::store::{OrganizationRow, UserRow};
use crate::error::Error;

/// The vocabularies authorization reads live with the policy (`access`), below this module.
pub use crate::access::{OrgKind, Role};

crate::stored_enum! {
    /// Kind of venue, following the 2019 regional survey of proximity structures.
    pub enum VenueType {
        Library => "library",
        SocialCentre => "social_centre",
        Environment => "environment",
        Fablab => "fablab",
        Youth => "youth",
        Culture => "culture",
        Insertion => "insertion",
        School => "school",
        Museum => "museum",
        Other => "other",
    }
}

crate::stored_enum! {
    /// How school holidays change an organisation's week (the zone is its department's).
    pub enum SchoolHolidays {
        /// Open as its hours say, holidays or not (the default).
        Ignore => "ignore",
        /// Closed during the school holidays of its zone (a school).
        Closed => "closed",
        /// Open only during the school holidays of its zone (a holiday centre).
        Only => "only",
    }
}

/// Parses a stored vocabulary value; a bad one is a data fault, not the caller's.
pub(crate) fn stored<T: std::str::FromStr<Err = String>>(value: &str) -> Result<T, Error> {
    value
        .parse()
        .map_err(|e| Error::Internal(format!("stored value: {e}")))
}

/// An organisation of the network.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct Organization {
    pub id: i64,
    pub name: String,
    pub kind: OrgKind,
    /// Only for venues.
    pub venue_type: Option<VenueType>,
    /// INSEE code of the commune the organisation is located in.
    pub commune_insee: String,
    pub address: Option<String>,
    pub latitude: f64,
    pub longitude: f64,
    /// UTC.
    #[serde(with = "crate::timestamp::utc")]
    pub created_at: NaiveDateTime,
    /// How school holidays change the week: `ignore`, `closed` (closed during holidays) or
    /// `only` (open only during holidays); deliveries and pick-ups follow.
    pub school_holidays: SchoolHolidays,
    /// The school-holiday zone of its department (`A`, `B`, `C`); none for Corsica and overseas.
    #[schema(value_type = Option<String>, example = "B")]
    pub school_zone: Option<crate::territory::holidays::Zone>,
}

impl TryFrom<OrganizationRow> for Organization {
    type Error = Error;
    fn try_from(row: OrganizationRow) -> Result<Self, Error> {
        Ok(Organization {
            id: row.id,
            name: row.name,
            kind: stored(&row.kind)?,
            venue_type: row.venue_type.as_deref().map(stored).transpose()?,
            commune_insee: row.commune_insee.clone(),
            address: row.address,
            latitude: row.latitude,
            longitude: row.longitude,
            created_at: row.created_at,
            school_holidays: row.school_holidays,
            school_zone: crate::territory::holidays::zone_of_commune(&row.commune_insee),
        })
    }
}

crate::stored_enum! {
    /// The language of a user's mail.
    pub enum Locale {
        /// French (the default).
        Fr => "fr",
        /// English.
        En => "en",
    }
}

/// A user account (never shows the password hash).
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct User {
    pub id: i64,
    pub email: String,
    pub organization_id: i64,
    pub role: Role,
    /// UTC.
    #[serde(with = "crate::timestamp::utc")]
    pub created_at: NaiveDateTime,
    /// The language of the user's mail.
    pub locale: Locale,
    /// Mail kinds the user turned off.
    pub muted_notifications: Vec<crate::outbox::MailKind>,
    /// Set (UTC) when the user was deactivated: no login, every token refused.
    #[serde(with = "crate::timestamp::utc_option")]
    pub deactivated_at: Option<NaiveDateTime>,
}

impl TryFrom<UserRow> for User {
    type Error = Error;
    fn try_from(row: UserRow) -> Result<Self, Error> {
        Ok(User {
            id: row.id,
            email: row.email,
            organization_id: row.organization_id,
            role: stored(&row.role)?,
            created_at: row.created_at,
            locale: stored(&row.locale)?,
            muted_notifications: crate::outbox::MailKind::parse_list(&row.muted_notifications),
            deactivated_at: row.deactivated_at,
        })
    }
}

/// Body of `POST /api/v1/organizations`.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewOrganization {
    pub name: String,
    pub kind: OrgKind,
    /// INSEE code of an existing commune of the region.
    pub commune_insee: String,
    /// Only for venues.
    pub venue_type: Option<VenueType>,
    /// Postal address, at most 300 characters.
    #[schema(max_length = 300)]
    pub address: Option<String>,
    /// Defaults to the commune's coordinates (give both or neither).
    pub latitude: Option<f64>,
    pub longitude: Option<f64>,
    /// `ignore` (default), `closed` or `only`: how school holidays change the week.
    #[serde(default)]
    pub school_holidays: Option<SchoolHolidays>,
}

/// Body of `PATCH /api/v1/organizations/{id}`: only the fields given change.
#[derive(Debug, Clone, Default, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct OrganizationPatch {
    pub name: Option<String>,
    pub venue_type: Option<VenueType>,
    /// Moving to another commune also moves the coordinates there unless they are given.
    pub commune_insee: Option<String>,
    /// Postal address, at most 300 characters.
    #[schema(max_length = 300)]
    pub address: Option<String>,
    pub latitude: Option<f64>,
    pub longitude: Option<f64>,
    /// `ignore`, `closed` (closed during school holidays) or `only` (open only then).
    pub school_holidays: Option<SchoolHolidays>,
}

/// Body of `POST /api/v1/users`.
#[derive(Debug, Clone, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewUser {
    #[schema(example = "marie@mediatheque-exemple.fr")]
    pub email: String,
    /// At least 10 characters.
    pub password: String,
    pub organization_id: i64,
    pub role: Role,
}

/// A page of organisations.
#[derive(Debug, Serialize, ToSchema)]
pub struct OrganizationPage {
    pub items: Vec<Organization>,
    /// Pass as `cursor` to get the next page; absent on the last page.
    pub next_cursor: Option<String>,
}
