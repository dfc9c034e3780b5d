//! The words of the agency's directory of the network (`/organizations`): the organisations, their
//! accounts, adding one and inviting its first administrator, once per language, reached by
//! [`super::lang::Lang::organizations`].

use crate::organization::{OrgKind, VenueType};

/// The directory's pages in one language.
pub struct OrganizationsTexts {
    pub title: &'static str,
    pub lead: &'static str,
    pub filter: &'static str,
    pub kind: &'static str,
    pub every_kind: &'static str,
    pub show: &'static str,
    pub table: &'static str,
    pub name: &'static str,
    pub commune: &'static str,
    pub accounts: &'static str,
    pub no_account: &'static str,
    pub none: &'static str,
    /// « sur » in "1–50 sur 120".
    pub of: &'static str,
    pub pages: &'static str,
    pub previous: &'static str,
    pub next: &'static str,

    pub new_heading: &'static str,
    pub name_hint: &'static str,
    pub venue_type: &'static str,
    pub venue_type_hint: &'static str,
    pub venue_type_none: &'static str,
    pub commune_hint: &'static str,
    pub address: &'static str,
    pub address_hint: &'static str,
    pub create: &'static str,

    pub name_missing: &'static str,
    pub name_too_long: &'static str,
    pub kind_invalid: &'static str,
    pub venue_type_invalid: &'static str,
    pub venue_type_not_venue: &'static str,
    pub commune_missing: &'static str,
    pub commune_unknown: &'static str,
    /// Followed by the communes of that name, then [`Self::commune_several_end`].
    pub commune_several: &'static str,
    pub commune_several_end: &'static str,
    pub address_too_long: &'static str,
    pub refused: &'static str,

    pub created: &'static str,
    pub invited: &'static str,
    pub back: &'static str,
    pub facts: &'static str,
    pub created_on: &'static str,
    pub no_address: &'static str,
    pub accounts_heading: &'static str,
    pub accounts_none: &'static str,
    pub invite_first: &'static str,
    pub invite_lead: &'static str,
    pub invite_not_admin: &'static str,
}

impl OrganizationsTexts {
    /// A kind of organisation for a person.
    pub fn kind_label(&self, kind: OrgKind) -> &'static str {
        let fr = std::ptr::eq(self, &ORGANIZATIONS_FR);
        match (kind, fr) {
            (OrgKind::Agency, true) => "Agence régionale",
            (OrgKind::Producer, true) => "Structure productrice",
            (OrgKind::Venue, true) => "Lieu d'accueil",
            (OrgKind::Partner, true) => "Partenaire",
            (OrgKind::Agency, false) => "Regional agency",
            (OrgKind::Producer, false) => "Producer",
            (OrgKind::Venue, false) => "Venue",
            (OrgKind::Partner, false) => "Partner",
        }
    }

    /// A kind of venue for a person.
    pub fn venue_type_label(&self, venue_type: VenueType) -> &'static str {
        let fr = std::ptr::eq(self, &ORGANIZATIONS_FR);
        match (venue_type, fr) {
            (VenueType::Library, true) => "Bibliothèque, médiathèque",
            (VenueType::SocialCentre, true) => "Centre social",
            (VenueType::Environment, true) => "Éducation à l'environnement",
            (VenueType::Fablab, true) => "Fablab, tiers-lieu",
            (VenueType::Youth, true) => "Structure jeunesse",
            (VenueType::Culture, true) => "Lieu culturel",
            (VenueType::Insertion, true) => "Structure d'insertion",
            (VenueType::School, true) => "École, collège, lycée",
            (VenueType::Museum, true) => "Musée",
            (VenueType::Other, true) => "Autre",
            (VenueType::Library, false) => "Library",
            (VenueType::SocialCentre, false) => "Social centre",
            (VenueType::Environment, false) => "Environmental education",
            (VenueType::Fablab, false) => "Fablab, third place",
            (VenueType::Youth, false) => "Youth centre",
            (VenueType::Culture, false) => "Cultural venue",
            (VenueType::Insertion, false) => "Social integration",
            (VenueType::School, false) => "School",
            (VenueType::Museum, false) => "Museum",
            (VenueType::Other, false) => "Other",
        }
    }

    /// « 3 comptes actifs », « 1 compte actif ».
    pub fn active_accounts(&self, n: i64) -> String {
        let fr = std::ptr::eq(self, &ORGANIZATIONS_FR);
        let number = crate::page::integer(n);
        match (fr, n) {
            (true, 1) => "1 compte actif".to_string(),
            (true, _) => format!("{number} comptes actifs"),
            (false, 1) => "1 active account".to_string(),
            (false, _) => format!("{number} active accounts"),
        }
    }
}

/// French.
pub static ORGANIZATIONS_FR: OrganizationsTexts = OrganizationsTexts {
    title: "Organisations du réseau",
    lead: "Les structures productrices, les lieux d'accueil et les partenaires du réseau, avec leurs comptes. Une organisation sans compte actif ne peut rien réserver ni prêter : invitez sa première administratrice ou son premier administrateur.",
    filter: "Filtrer la liste",
    kind: "Type d'organisation",
    every_kind: "Tous les types",
    show: "Afficher",
    table: "Organisations, par nom",
    name: "Nom",
    commune: "Commune",
    accounts: "Comptes",
    no_account: "Aucun compte : à inviter",
    none: "Aucune organisation de ce type.",
    of: "sur",
    pages: "Pages de la liste des organisations",
    previous: "Page précédente",
    next: "Page suivante",

    new_heading: "Ajouter une organisation",
    name_hint: "Son nom tel que ses membres le connaissent, par exemple « Médiathèque de Conty ».",
    venue_type: "Type de lieu",
    venue_type_hint: "Pour un lieu d'accueil seulement.",
    venue_type_none: "Non précisé",
    commune_hint: "Son nom (« Conty ») ou son code INSEE (« 80211 »). Les distances et la couverture du territoire partent de là.",
    address: "Adresse postale",
    address_hint: "Facultative ; 300 caractères au plus. Elle figure sur les factures et les feuilles de route.",
    create: "Ajouter l'organisation",

    name_missing: "Indiquez le nom de l'organisation.",
    name_too_long: "Le nom compte 200 caractères au plus.",
    kind_invalid: "Choisissez le type d'organisation.",
    venue_type_invalid: "Choisissez un type de lieu de la liste.",
    venue_type_not_venue: "Seul un lieu d'accueil a un type de lieu : choisissez « Non précisé » ou le type « Lieu d'accueil ».",
    commune_missing: "Indiquez la commune de l'organisation.",
    commune_unknown: "Aucune commune des Hauts-de-France ne porte ce nom ni ce code INSEE.",
    commune_several: "Plusieurs communes portent ce nom :",
    commune_several_end: "Indiquez son code INSEE.",
    address_too_long: "L'adresse compte 300 caractères au plus.",
    refused: "Cette valeur n'est pas acceptée.",

    created: "L'organisation est ajoutée. Invitez maintenant sa première administratrice ou son premier administrateur.",
    invited: "L'invitation est envoyée : la personne reçoit un lien valable 7 jours.",
    back: "Toutes les organisations",
    facts: "Fiche",
    created_on: "Ajoutée le",
    no_address: "Non renseignée",
    accounts_heading: "Comptes",
    accounts_none: "Personne ne peut encore se connecter pour cette organisation.",
    invite_first: "Inviter sa première administratrice ou son premier administrateur",
    invite_lead: "La personne invitée reçoit un lien par e-mail pour choisir son mot de passe ; administratrice, elle invitera ensuite ses collègues elle-même.",
    invite_not_admin: "Seuls les administrateurs de l'agence invitent des personnes dans une autre organisation.",
};

/// English.
pub static ORGANIZATIONS_EN: OrganizationsTexts = OrganizationsTexts {
    title: "Organisations of the network",
    lead: "The network's producers, venues and partners, with their accounts. An organisation without an active account can neither book nor lend: invite its first administrator.",
    filter: "Filter the list",
    kind: "Kind of organisation",
    every_kind: "Every kind",
    show: "Show",
    table: "Organisations, by name",
    name: "Name",
    commune: "Commune",
    accounts: "Accounts",
    no_account: "No account: to invite",
    none: "No organisation of this kind.",
    of: "of",
    pages: "Pages of the list of organisations",
    previous: "Previous page",
    next: "Next page",

    new_heading: "Add an organisation",
    name_hint: "Its name as its members know it, for example “Médiathèque de Conty”.",
    venue_type: "Kind of venue",
    venue_type_hint: "For a venue only.",
    venue_type_none: "Not given",
    commune_hint: "Its name (“Conty”) or its INSEE code (“80211”). Distances and coverage start from there.",
    address: "Postal address",
    address_hint: "Optional; at most 300 characters. It appears on invoices and drivers' sheets.",
    create: "Add the organisation",

    name_missing: "Enter the organisation's name.",
    name_too_long: "The name has at most 200 characters.",
    kind_invalid: "Choose the kind of organisation.",
    venue_type_invalid: "Choose a kind of venue from the list.",
    venue_type_not_venue: "Only a venue has a kind of venue: choose “Not given” or the kind “Venue”.",
    commune_missing: "Enter the organisation's commune.",
    commune_unknown: "No commune of Hauts-de-France has this name or INSEE code.",
    commune_several: "Several communes have this name:",
    commune_several_end: "Enter its INSEE code.",
    address_too_long: "The address has at most 300 characters.",
    refused: "This value is not accepted.",

    created: "The organisation is added. Now invite its first administrator.",
    invited: "The invitation is sent: the person receives a link valid for 7 days.",
    back: "Every organisation",
    facts: "Details",
    created_on: "Added on",
    no_address: "Not given",
    accounts_heading: "Accounts",
    accounts_none: "Nobody can sign in for this organisation yet.",
    invite_first: "Invite its first administrator",
    invite_lead: "The person invited receives a link by e-mail to choose a password; as an administrator, they then invite their colleagues themselves.",
    invite_not_admin: "Only the agency's administrators invite people into another organisation.",
};
