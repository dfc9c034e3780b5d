//! The audit log's vocabulary: every action it records, with its wire name (the stored
//! `action`, e.g. `user.role_changed`) and the kind of object it is done to (the stored
//! `object_type`), each written here only.

crate::text_enum! {
    /// The kinds of object the log records (`object_type`): whoever reads an entry must be
    /// allowed to read such objects through their own route (`access::policy::read_audit_entry`).
    pub enum AuditObject {
        AllocationRound => "allocation_round",
        ApiKey => "api_key",
        Booking => "booking",
        Component => "component",
        Copy => "copy",
        Invitation => "invitation",
        Invoice => "invoice",
        Organization => "organization",
        PricingPolicy => "pricing_policy",
        Resource => "resource",
        ResourceMedia => "resource_media",
        SubsidyProgram => "subsidy_program",
        Tariff => "tariff",
        User => "user",
        Van => "van",
        Webhook => "webhook",
    }
}

/// Declares [`AuditAction`] from one line per action: variant, wire name, object kind.
macro_rules! audit_actions {
    ($($variant:ident => $name:literal on $object:ident),+ $(,)?) => {
        /// What a line of the log says was done; `as_str` is its stored name, `object` the kind
        /// of object it was done to.
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
        pub enum AuditAction {
            $($variant),+
        }

        impl AuditAction {
            /// Every action, in declaration order.
            pub const ALL: &'static [AuditAction] = &[$(AuditAction::$variant),+];

            /// The stored name (`user.role_changed`).
            pub const fn as_str(self) -> &'static str {
                match self {
                    $(AuditAction::$variant => $name),+
                }
            }

            /// The kind of object the action is done to.
            pub const fn object(self) -> AuditObject {
                match self {
                    $(AuditAction::$variant => AuditObject::$object),+
                }
            }
        }
    };
}

audit_actions! {
    AllocationRoundAllocated => "allocation_round.allocated" on AllocationRound,
    AllocationRoundConfirmed => "allocation_round.confirmed" on AllocationRound,
    AllocationRoundCreated => "allocation_round.created" on AllocationRound,
    ApiKeyCreated => "api_key.created" on ApiKey,
    ApiKeyRevoked => "api_key.revoked" on ApiKey,
    BookingFlagCleared => "booking.flag_cleared" on Booking,
    CalendarLinkReset => "calendar_link.reset" on Organization,
    ComponentCreated => "component.created" on Component,
    ComponentUpdated => "component.updated" on Component,
    CopyCreated => "copy.created" on Copy,
    CopyRetired => "copy.retired" on Copy,
    CopyUpdated => "copy.updated" on Copy,
    InvitationCreated => "invitation.created" on Invitation,
    InvoiceCredited => "invoice.credited" on Invoice,
    InvoiceIssued => "invoice.issued" on Invoice,
    MediaCreated => "media.created" on ResourceMedia,
    MediaDeleted => "media.deleted" on ResourceMedia,
    OpeningHoursSet => "opening_hours.set" on Organization,
    OrganizationCreated => "organization.created" on Organization,
    OrganizationLegalIdentitySet => "organization.legal_identity_set" on Organization,
    OrganizationUpdated => "organization.updated" on Organization,
    PricingPolicySet => "pricing_policy.set" on PricingPolicy,
    ResourceCreated => "resource.created" on Resource,
    ResourceDeleted => "resource.deleted" on Resource,
    ResourceUpdated => "resource.updated" on Resource,
    SubsidyProgramCreated => "subsidy_program.created" on SubsidyProgram,
    SubsidyProgramUpdated => "subsidy_program.updated" on SubsidyProgram,
    TariffSet => "tariff.set" on Resource,
    UserCreated => "user.created" on User,
    UserDeactivated => "user.deactivated" on User,
    UserPasswordChanged => "user.password_changed" on User,
    UserPasswordReset => "user.password_reset" on User,
    UserReactivated => "user.reactivated" on User,
    UserRoleChanged => "user.role_changed" on User,
    VanCreated => "van.created" on Van,
    VanUpdated => "van.updated" on Van,
    WebhookCreated => "webhook.created" on Webhook,
    WebhookDeleted => "webhook.deleted" on Webhook,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_action_has_one_dotted_name() {
        let mut seen = std::collections::HashSet::new();
        for action in AuditAction::ALL {
            let name = action.as_str();
            assert!(seen.insert(name), "{name} named twice");
            let (subject, verb) = name.split_once('.').expect("a dotted name");
            assert!(!subject.is_empty() && !verb.is_empty(), "{name}");
        }
    }
}
