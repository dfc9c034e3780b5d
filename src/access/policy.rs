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

/// The agency coordinates the network: the lists it reads (vans, mail) are not narrowed
/// to one organisation.
pub fn sees_whole_network(p: &Principal) -> bool {
    p.is_agency()
}

/// The agency acts for every organisation; anyone else only for their own. The rule behind
/// "404 unless it is yours" for a copy's calendar, a waitlist entry, a maintenance, a van, a day
/// plan and a legal identity.
pub fn acts_for(p: &Principal, organization_id: i64) -> bool {
    p.is_agency() || p.belongs_to(organization_id)
}

/// The producer itself (not a venue sharing its id by mistake) or the agency: who reads a
/// producer's fleet and revenue and issues its invoices.
pub fn acts_for_producer(p: &Principal, producer_id: i64) -> bool {
    p.is_agency() || (p.kind == OrgKind::Producer && p.belongs_to(producer_id))
}

/// A producer's inbox of requests (and its fleet's pages) is the producer's own: venues and
/// partners have none, and the agency answers requests from each loan's page.
pub fn read_producer_inbox(p: &Principal) -> Result<()> {
    if p.kind == OrgKind::Producer {
        Ok(())
    } else {
        Err(forbidden("only a producer has an inbox of requests"))
    }
}

/// Coverage of the territory is read by the agency and the producers (where their resources go);
/// venues and partners are not told how the others are served.
pub fn read_coverage(p: &Principal) -> Result<()> {
    if matches!(p.kind, OrgKind::Agency | OrgKind::Producer) {
        Ok(())
    } else {
        Err(forbidden("coverage is for the agency and producers"))
    }
}

/// The agency watches the network as a whole: the network at a glance (requests waiting, loans
/// on the road and overdue, dead mail, disabled webhooks) and the coverage pages of the portal.
pub fn watch_network(p: &Principal) -> Result<()> {
    if p.is_agency() {
        Ok(())
    } else {
        Err(forbidden("the agency watches the network"))
    }
}

/// Only the agency follows the mail the network sends (addresses of every member).
pub fn follow_network_mail(p: &Principal) -> Result<()> {
    if sees_whole_network(p) {
        Ok(())
    } else {
        Err(forbidden("the agency follows the mail of the network"))
    }
}

/// Subsidy programmes are the agency's: funders' money it allocates across the network.
pub fn manage_subsidy_programmes(p: &Principal) -> Result<()> {
    if p.is_agency() {
        Ok(())
    } else {
        Err(forbidden("only the agency manages subsidy programmes"))
    }
}

/// The pricing policy (rural rates, who pays the road) is one for the network: the agency's.
pub fn set_pricing_policy(p: &Principal) -> Result<()> {
    if p.is_agency() {
        Ok(())
    } else {
        Err(forbidden(
            "only the agency sets the network's pricing policy",
        ))
    }
}

/// The vans are the network's fleet: the agency's administrators manage them.
pub fn manage_vans(p: &Principal) -> Result<()> {
    if p.is_agency() && p.is_admin() {
        Ok(())
    } else {
        Err(forbidden(
            "only the agency's administrators manage the vans",
        ))
    }
}

/// A producer plans the days of its own depot; the agency any depot's.
pub fn plan_tours(p: &Principal, depot_id: i64) -> Result<()> {
    if acts_for(p, depot_id) {
        Ok(())
    } else {
        Err(forbidden(
            "only the producer itself, or the agency, plans its tours",
        ))
    }
}

/// The agency chooses whose depot a day plan is about; a producer's days start from its own.
pub fn chooses_depot(p: &Principal) -> bool {
    sees_whole_network(p)
}

/// The day planning pages (`/days`): a producer plans its own depot's days, the agency any
/// producer's; venues have no vans to plan.
pub fn open_day_planning(p: &Principal) -> Result<()> {
    if p.kind == OrgKind::Producer || p.is_agency() {
        Ok(())
    } else {
        Err(forbidden(
            "only a producer, or the agency, plans days of tours",
        ))
    }
}

/// The producer of the loan (a human: keys need the billing scope, decided by `auth::scope`) or
/// the agency issues and credits its invoices.
pub fn issue_invoice(p: &Principal, seller_id: i64) -> Result<()> {
    if acts_for_producer(p, seller_id) {
        Ok(())
    } else {
        Err(forbidden(
            "only the producer of the loan, or the agency, issues its invoices",
        ))
    }
}

/// An invoice is read by its seller, its buyer and the agency; others are told it does not exist.
pub fn read_invoice(p: &Principal, seller_id: i64, buyer_id: i64) -> bool {
    p.is_agency() || p.belongs_to(seller_id) || p.belongs_to(buyer_id)
}

/// A venue sees its own quotes; the producer of the resource and the agency quote for any venue.
pub fn read_quote(p: &Principal, venue_id: i64, producer_id: i64) -> Result<()> {
    if p.is_agency() || p.belongs_to(venue_id) || p.belongs_to(producer_id) {
        Ok(())
    } else {
        Err(forbidden(
            "a venue sees its own quotes; producers and the agency quote for any venue",
        ))
    }
}

/// The copy's producer and the agency see every condition report of a copy and file those at
/// dispatch and inspection; a venue sees the reports it filed.
pub fn copy_producer_side(p: &Principal, producer_id: i64) -> bool {
    acts_for(p, producer_id)
}

/// Reports at delivery and return are filed by the borrowing venue (or the agency).
pub fn report_at_venue(p: &Principal, venue_id: i64, stage: &str) -> Result<()> {
    if acts_for(p, venue_id) {
        Ok(())
    } else {
        Err(forbidden(&format!(
            "the borrowing venue (or the agency) files {stage} reports"
        )))
    }
}

/// An allocation request is seen by the agency, its venue, and the producer of the resource asked
/// for (`own_resource`: the resource is the caller's).
pub fn read_allocation_request(p: &Principal, venue_id: i64, own_resource: bool) -> bool {
    acts_for(p, venue_id) || (p.kind == OrgKind::Producer && own_resource)
}

/// The organisations a rule is asked about, as the permission table plugs them in.
#[derive(Debug, Clone, Copy)]
struct Concerned {
    organization: i64,
    venue: i64,
    producer: i64,
}

type RuleCheck = fn(&Principal, Concerned) -> bool;

/// Every rule above with the words the API guide uses for it: the guide's table of who may do
/// what is computed from these (`markdown_table`), so the table cannot say what the code does not.
const RULES: &[(&str, RuleCheck)] = &[
    ("create organisations", |p, _| {
        create_organization(p).is_ok()
    }),
    ("edit an organisation", |p, c| {
        update_organization(p, c.organization).is_ok()
    }),
    ("read an organisation's users", |p, c| {
        read_members(p, c.organization).is_ok()
    }),
    (
        "invite, create, change or deactivate users; API keys",
        |p, c| {
            manage_members(p, c.organization).is_ok() && manage_api_keys(p, c.organization).is_ok()
        },
    ),
    ("read an organisation's legal identity", |p, c| {
        acts_for(p, c.organization)
    }),
    ("write resources, copies, components", |p, c| {
        write_catalogue(p, c.producer).is_ok()
    }),
    ("request bookings, join the waitlist", |p, c| {
        book_for_venue(p, c.venue).is_ok()
    }),
    ("see a booking", |p, c| {
        read_booking(p, c.venue, c.producer).is_ok()
    }),
    (
        "approve, reject, dispatch, deliver, return, close",
        |p, c| act_on_booking(p, Side::Producer, c.venue, c.producer).is_ok(),
    ),
    ("cancel a booking", |p, c| {
        act_on_booking(p, Side::Venue, c.venue, c.producer).is_ok()
    }),
    ("change a booking's dates", |p, c| {
        change_booking(p, c.venue, c.producer).is_ok()
    }),
    ("a quote for a venue", |p, c| {
        read_quote(p, c.venue, c.producer).is_ok()
    }),
    (
        "condition reports at dispatch / inspection, maintenance, a copy's calendar",
        |p, c| copy_producer_side(p, c.producer),
    ),
    ("condition reports at delivery / return", |p, c| {
        report_at_venue(p, c.venue, "delivery").is_ok()
    }),
    ("fleet, wear forecast, revenue and payback", |p, c| {
        acts_for_producer(p, c.producer)
    }),
    ("issue and credit invoices", |p, c| {
        issue_invoice(p, c.producer).is_ok()
    }),
    ("read an invoice", |p, c| {
        read_invoice(p, c.producer, c.venue)
    }),
    ("evaluate a loan", |p, c| evaluate_loan(p, c.venue).is_ok()),
    ("open, allocate, confirm allocation rounds", |p, _| {
        coordinate_allocation(p).is_ok()
    }),
    ("see a request of an allocation round", |p, c| {
        read_allocation_request(p, c.venue, c.producer == p.organization_id)
    }),
    (
        "plan a depot's days, read its day plans and vans",
        |p, c| plan_tours(p, c.producer).is_ok(),
    ),
    ("manage the vans", |p, _| manage_vans(p).is_ok()),
    ("read every organisation's vans", |p, _| {
        sees_whole_network(p)
    }),
    ("read the audit log", |p, _| read_audit(p).is_ok()),
    ("read coverage of the territory", |p, _| {
        read_coverage(p).is_ok()
    }),
    ("watch the network at a glance", |p, _| {
        watch_network(p).is_ok()
    }),
    ("follow the network's mail", |p, _| {
        follow_network_mail(p).is_ok()
    }),
    ("manage subsidy programmes", |p, _| {
        manage_subsidy_programmes(p).is_ok()
    }),
    ("set the pricing policy", |p, _| {
        set_pricing_policy(p).is_ok()
    }),
];

/// The organisation every table cell is asked for: the caller's own.
const OWN: i64 = 1;

/// Someone else's organisations, for the "any" cells.
const OTHERS: Concerned = Concerned {
    organization: 99,
    venue: 97,
    producer: 98,
};

/// A member and an administrator (humans) of an organisation of this kind.
fn member_and_admin(kind: OrgKind) -> [Principal; 2] {
    [super::Role::Member, super::Role::Admin].map(|role| Principal {
        user_id: Some(1),
        api_key_id: None,
        organization_id: OWN,
        kind,
        role,
    })
}

/// The caller's own organisation in the place the rule reads for its kind: a venue's own venue,
/// a producer's own resources or depot.
fn own(kind: OrgKind) -> Concerned {
    Concerned {
        organization: OWN,
        venue: if kind == OrgKind::Venue {
            OWN
        } else {
            OTHERS.venue
        },
        producer: if kind == OrgKind::Producer {
            OWN
        } else {
            OTHERS.producer
        },
    }
}

/// What one kind of organisation may do under one rule, in the guide's words: `any` (of every
/// organisation) or `own` (its own organisation, venue, resources or depot) for rules about one
/// organisation, `✓` for network-wide ones, `(admin)` when only administrators may, `–` when
/// nobody of that kind may.
fn cell(kind: OrgKind, check: RuleCheck, about_one_organisation: bool) -> String {
    let [member, admin] = member_and_admin(kind);
    let who = |c: Concerned| match (check(&member, c), check(&admin, c)) {
        (true, _) => Some(""),
        (false, true) => Some(" (admin)"),
        (false, false) => None,
    };
    match (who(OTHERS), who(own(kind))) {
        (Some(role), _) if !about_one_organisation => format!("✓{role}"),
        (Some(role), _) => format!("any{role}"),
        (None, Some(role)) => format!("own{role}"),
        (None, None) => "–".to_string(),
    }
}

/// The API guide's table of who may do what, computed from the rules of this module for a member
/// and an administrator of each kind of organisation.
pub fn markdown_table() -> String {
    let kinds = [OrgKind::Agency, OrgKind::Producer, OrgKind::Venue];
    let mut out = String::from("| | agency | producer | venue |\n|---|---|---|---|\n");
    for (label, check) in RULES {
        let about_one_organisation = kinds.iter().any(|k| {
            member_and_admin(*k)
                .iter()
                .any(|p| check(p, own(*k)) != check(p, OTHERS))
        });
        let cells: Vec<String> = kinds
            .iter()
            .map(|k| cell(*k, *check, about_one_organisation))
            .collect();
        out.push_str(&format!("| {label} | {} |\n", cells.join(" | ")));
    }
    out
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

/// The route that reads an audited object (the template its guard is decided on); an unknown
/// kind is guarded like people, the strictest.
pub fn audited_object_route(object_type: &str) -> &'static str {
    use crate::audit::AuditObject;
    match object_type.parse::<AuditObject>() {
        Ok(AuditObject::Organization) => "/api/v1/organizations/{id}",
        Ok(AuditObject::Resource) => "/api/v1/resources/{id}",
        Ok(AuditObject::Component) => "/api/v1/resources/{id}/components",
        Ok(AuditObject::Copy) => "/api/v1/copies/{id}",
        Ok(AuditObject::ResourceMedia) => "/api/v1/media/{id}",
        Ok(AuditObject::Tariff) => "/api/v1/resources/{id}/tariff",
        Ok(AuditObject::PricingPolicy) => "/api/v1/pricing-policy",
        Ok(AuditObject::SubsidyProgram) => "/api/v1/subsidy-programs",
        Ok(AuditObject::Booking) => "/api/v1/bookings/{id}",
        Ok(AuditObject::Invoice) => "/api/v1/invoices/{id}",
        Ok(AuditObject::AllocationRound) => "/api/v1/allocation-rounds/{id}",
        Ok(AuditObject::Webhook) => "/api/v1/webhooks",
        Ok(AuditObject::Van) => "/api/v1/vans",
        Ok(AuditObject::ApiKey) => "/api/v1/api-keys",
        Ok(AuditObject::Invitation) => "/api/v1/invitations",
        Ok(AuditObject::User) | Err(_) => "/api/v1/users/{id}",
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
