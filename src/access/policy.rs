//! Authorisation rules, one function per rule, so that each is written and tested once.
//!
//! Convention (docs/api.md): data the caller may not even read answers 404 `not_found`; data it may
//! read but not change answers 403 `forbidden`.

use super::OrgKind;
use super::Principal;
use crate::error::{Error, Result};

fn forbidden(what: &str) -> Error {
    Error::Forbidden(what.to_string())
}

/// Only the agency admits organisations into the network.
pub fn create_organization(p: &Principal) -> Result<()> {
    if p.is_agency() {
        Ok(())
    } else {
        Err(forbidden("only the regional agency creates organisations"))
    }
}

/// The agency, or an administrator of the organisation itself, edits an organisation.
pub fn update_organization(p: &Principal, organization_id: i64) -> Result<()> {
    if p.is_agency() || (p.is_admin() && p.belongs_to(organization_id)) {
        Ok(())
    } else {
        Err(forbidden(
            "only the agency or an administrator of this organisation may change it",
        ))
    }
}

/// Members of an organisation and the agency see its users; others are told nothing exists.
pub fn read_members(p: &Principal, organization_id: i64) -> Result<()> {
    if p.is_agency() || p.belongs_to(organization_id) {
        Ok(())
    } else {
        Err(Error::NotFound(format!(
            "organisation {organization_id} users"
        )))
    }
}

/// Agency administrators create users anywhere; an organisation's administrators, in their own.
pub fn manage_members(p: &Principal, organization_id: i64) -> Result<()> {
    read_members(p, organization_id)?;
    if p.is_admin() && (p.is_agency() || p.belongs_to(organization_id)) {
        Ok(())
    } else {
        Err(forbidden(
            "only an administrator of this organisation or of the agency may manage its users",
        ))
    }
}

/// API keys follow the same rule as users: they are credentials of the organisation.
pub fn manage_api_keys(p: &Principal, organization_id: i64) -> Result<()> {
    manage_members(p, organization_id)
}

/// The owning producer (any of its users or keys) or the agency writes a producer's catalogue.
pub fn write_catalogue(p: &Principal, producer_id: i64) -> Result<()> {
    if p.is_agency() || (p.kind == OrgKind::Producer && p.belongs_to(producer_id)) {
        Ok(())
    } else {
        Err(forbidden(
            "only the producer that owns this resource, or the agency, may change it",
        ))
    }
}

/// The agency coordinates allocation rounds: it opens them, proposes plans and confirms them.
pub fn coordinate_allocation(p: &Principal) -> Result<()> {
    if p.is_agency() {
        Ok(())
    } else {
        Err(forbidden(
            "only the regional agency opens, allocates and confirms allocation rounds",
        ))
    }
}

/// A venue reports on the loans it received; the agency may correct any report.
pub fn evaluate_loan(p: &Principal, venue_id: i64) -> Result<()> {
    if p.is_agency() || (p.kind == OrgKind::Venue && p.belongs_to(venue_id)) {
        Ok(())
    } else {
        Err(forbidden(
            "only the venue that received the loan, or the agency, reports on it",
        ))
    }
}

/// A venue books for itself; the agency may book for any venue.
pub fn book_for_venue(p: &Principal, venue_id: i64) -> Result<()> {
    if p.is_agency() || (p.kind == OrgKind::Venue && p.belongs_to(venue_id)) {
        Ok(())
    } else {
        Err(forbidden(
            "only the venue itself, or the agency, books for a venue",
        ))
    }
}

/// A booking is seen by its venue, the producer of its resource and the agency; others are told
/// it does not exist.
pub fn read_booking(p: &Principal, venue_id: i64, producer_id: i64) -> Result<()> {
    if p.is_agency() || p.belongs_to(venue_id) || p.belongs_to(producer_id) {
        Ok(())
    } else {
        Err(Error::NotFound("booking".into()))
    }
}

/// Which side of the loan may take an action (each booking action names its side).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Side {
    /// The borrowing venue.
    Venue,
    /// The producer that owns the resource.
    Producer,
}

/// Each workflow action belongs to one side of the loan; the agency may take any.
pub fn act_on_booking(p: &Principal, side: Side, venue_id: i64, producer_id: i64) -> Result<()> {
    read_booking(p, venue_id, producer_id)?;
    let allowed = p.is_agency()
        || match side {
            Side::Venue => p.belongs_to(venue_id),
            Side::Producer => p.belongs_to(producer_id),
        };
    if allowed {
        Ok(())
    } else {
        Err(forbidden(match side {
            Side::Venue => "only the venue (or the agency) takes this action",
            Side::Producer => "only the producer (or the agency) takes this action",
        }))
    }
}

/// Dates of a booking change at the request of its venue, its producer or the agency.
pub fn change_booking(p: &Principal, venue_id: i64, producer_id: i64) -> Result<()> {
    read_booking(p, venue_id, producer_id)
}

/// Inviting a colleague creates a user on acceptance: the same people as for creating one.
pub fn invite_member(p: &Principal, organization_id: i64) -> Result<()> {
    manage_members(p, organization_id)
}

/// A member's role and activity are changed by the same people who create members; a person
/// changes neither of their own (an organisation must not lose its last administrator by
/// mistake: another administrator, or the agency, does it).
pub fn change_member(p: &Principal, organization_id: i64, user_id: i64) -> Result<()> {
    manage_members(p, organization_id)?;
    if p.user_id == Some(user_id) {
        return Err(forbidden(
            "you cannot change your own role or deactivate yourself; ask another administrator",
        ));
    }
    Ok(())
}

/// The audit log is the agency's.
pub fn read_audit(p: &Principal) -> Result<()> {
    if p.is_agency() {
        Ok(())
    } else {
        Err(forbidden("the agency reads the audit log"))
    }
}

/// An audit entry shows no more than its reader may read through the object's own route: the
/// entry about a user (its e-mail, its name) is read by whoever may `GET /users`, an API key
/// only with the scope that route needs. `route_open` answers the rule of a route for this
/// caller (for an API key, its scopes); an object type without a route of its own is guarded
/// like people, the strictest.
pub fn read_audit_entry(
    p: &Principal,
    object_type: &str,
    route_open: impl Fn(&str) -> Result<()>,
) -> Result<()> {
    read_audit(p)?;
    route_open(audited_object_route(object_type))
}

/// The route that reads an audited object (the template its guard is decided on).
pub fn audited_object_route(object_type: &str) -> &'static str {
    match object_type {
        "organization" => "/api/v1/organizations/{id}",
        "resource" => "/api/v1/resources/{id}",
        "component" => "/api/v1/resources/{id}/components",
        "copy" => "/api/v1/copies/{id}",
        "tariff" => "/api/v1/resources/{id}/tariff",
        "pricing_policy" => "/api/v1/pricing-policy",
        "subsidy_program" => "/api/v1/subsidy-programs",
        "booking" => "/api/v1/bookings/{id}",
        "invoice" => "/api/v1/invoices/{id}",
        "allocation_round" => "/api/v1/allocation-rounds/{id}",
        "webhook" => "/api/v1/webhooks",
        "van" => "/api/v1/vans",
        "api_key" => "/api/v1/api-keys",
        "invitation" => "/api/v1/invitations",
        _ => "/api/v1/users/{id}",
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::access::Role;

    fn who(kind: OrgKind, role: Role, org: i64) -> Principal {
        Principal {
            user_id: Some(1),
            api_key_id: None,
            organization_id: org,
            kind,
            role,
        }
    }

    #[test]
    fn member_management_rules() {
        let agency_admin = who(OrgKind::Agency, Role::Admin, 1);
        let agency_member = who(OrgKind::Agency, Role::Member, 1);
        let venue_admin = who(OrgKind::Venue, Role::Admin, 7);
        let venue_member = who(OrgKind::Venue, Role::Member, 7);
        assert!(manage_members(&agency_admin, 7).is_ok());
        assert!(matches!(
            manage_members(&agency_member, 7),
            Err(Error::Forbidden(_))
        ));
        assert!(manage_members(&venue_admin, 7).is_ok());
        assert!(matches!(
            manage_members(&venue_member, 7),
            Err(Error::Forbidden(_))
        ));
        assert!(matches!(
            manage_members(&venue_admin, 8),
            Err(Error::NotFound(_))
        ));
        let key = Principal {
            user_id: None,
            api_key_id: Some(3),
            role: Role::Member,
            ..venue_admin
        };
        assert!(manage_api_keys(&key, 7).is_err());
    }
}
