//! The words of the producer's pages (issue 24): the inbox of requests, the fleet and a copy's
//! calendar, once per language, reached by [`super::lang::Lang::producer`]. Numbers, amounts and
//! dates are written by `crate::page` (French format on French pages).

use super::lang::Lang;
use crate::catalogue::CopyStatus;
use crate::condition::model::MaintenanceKind;
use crate::page::NavEntry;
use crate::territory::CommuneClass;

/// The sentences of the producer's pages, one field per sentence.
pub struct ProducerTexts {
    pub nav_requests: &'static str,
    pub nav_fleet: &'static str,
    // The inbox.
    pub requests_title: &'static str,
    pub requests_lead: &'static str,
    pub requests_waiting: &'static str,
    pub requests_none: &'static str,
    pub requests_decided: &'static str,
    pub requests_venue: &'static str,
    pub requests_distance: &'static str,
    pub requests_dates: &'static str,
    pub requests_copy: &'static str,
    pub requests_price: &'static str,
    pub requests_held_until: &'static str,
    pub requests_conflicts: &'static str,
    pub requests_no_conflict: &'static str,
    pub requests_no_free_copy: &'static str,
    pub requests_loan_link: &'static str,
    // The fleet.
    pub fleet_title: &'static str,
    pub fleet_lead: &'static str,
    pub fleet_none: &'static str,
    pub fleet_caption: &'static str,
    pub fleet_copy: &'static str,
    pub fleet_resource: &'static str,
    pub fleet_status: &'static str,
    pub fleet_grade: &'static str,
    pub fleet_wear: &'static str,
    pub fleet_next_maintenance: &'static str,
    pub fleet_maintenance_due: &'static str,
    pub fleet_retirement: &'static str,
    pub fleet_next_loan: &'static str,
    pub fleet_calendar: &'static str,
    pub fleet_inspection: &'static str,
    pub fleet_of: &'static str,
    pub fleet_pages: &'static str,
    pub fleet_previous: &'static str,
    pub fleet_next: &'static str,
    pub none: &'static str,
    // A copy's calendar.
    pub calendar_title: &'static str,
    pub calendar_lead: &'static str,
    pub calendar_caption: &'static str,
    pub calendar_row: &'static str,
    pub calendar_loans: &'static str,
    pub calendar_travel: &'static str,
    pub calendar_maintenance: &'static str,
    pub calendar_holds: &'static str,
    pub calendar_week: &'static str,
    pub calendar_earlier: &'static str,
    pub calendar_later: &'static str,
    pub calendar_list: &'static str,
    pub calendar_list_none: &'static str,
    pub calendar_change_dates: &'static str,
    pub calendar_open_ended: &'static str,
    pub calendar_from_invalid: &'static str,
    pub calendar_scroll: &'static str,
    pub calendar_go: &'static str,
    pub back_to_fleet: &'static str,
    // Revenue and payback.
    pub nav_revenue: &'static str,
    pub revenue_title: &'static str,
    pub revenue_lead: &'static str,
    pub revenue_year: &'static str,
    pub revenue_show: &'static str,
    pub revenue_year_invalid: &'static str,
    pub revenue_previous: &'static str,
    pub revenue_next: &'static str,
    pub revenue_totals: &'static str,
    pub revenue_earned: &'static str,
    pub revenue_venue_paid: &'static str,
    pub revenue_subsidy: &'static str,
    pub revenue_transport: &'static str,
    pub revenue_maintenance: &'static str,
    pub revenue_net: &'static str,
    pub revenue_production_cost: &'static str,
    pub revenue_recovered: &'static str,
    pub revenue_months_chart: &'static str,
    pub revenue_series_earned: &'static str,
    pub revenue_series_costs: &'static str,
    pub revenue_payback_chart: &'static str,
    pub revenue_paid_back: &'static str,
    pub revenue_payback_on: &'static str,
    pub revenue_payback_never: &'static str,
    pub revenue_no_cost: &'static str,
    pub revenue_table: &'static str,
    pub revenue_resource: &'static str,
    pub revenue_months_table: &'static str,
    pub revenue_month: &'static str,
    /// The months as a chart's axis writes them, January first.
    pub revenue_months_short: [&'static str; 12],
    pub revenue_none: &'static str,
}

static FR: ProducerTexts = ProducerTexts {
    nav_requests: "Demandes reçues",
    nav_fleet: "Mon parc",
    requests_title: "Demandes à traiter",
    requests_lead: "Les demandes de prêt de vos ressources qui attendent votre réponse, de la plus proche à la plus lointaine. Le lieu lit votre message sur la page de son prêt et dans le courriel qui lui annonce votre réponse.",
    requests_waiting: "Demandes en attente",
    requests_none: "Aucune demande n'attend votre réponse.",
    requests_decided: "Votre réponse est enregistrée ; le lieu en est informé.",
    requests_venue: "Lieu d'accueil",
    requests_distance: "Distance depuis le dépôt",
    requests_dates: "Dates d'utilisation",
    requests_copy: "Exemplaire réservé",
    requests_price: "Prix (devis)",
    requests_held_until: "Réservé jusqu'au",
    requests_conflicts: "Conflits",
    requests_no_conflict: "Aucun : pas d'autre demande ni d'autre prêt de cette ressource sur ces jours.",
    requests_no_free_copy: "Aucun autre exemplaire n'est libre sur ces jours.",
    requests_loan_link: "Voir la demande en détail",
    fleet_title: "Mon parc d'exemplaires",
    fleet_lead: "Chaque exemplaire de vos ressources : son état, son usure, son prochain entretien et sa fin de vie prévue. Le calendrier d'un exemplaire montre ses prêts, ses transports et ses entretiens sur 52 semaines.",
    fleet_none: "Vous n'avez encore aucun exemplaire.",
    fleet_caption: "Les exemplaires de vos ressources, les plus usés d'abord",
    fleet_copy: "Exemplaire",
    fleet_resource: "Ressource",
    fleet_status: "État",
    fleet_grade: "Note d'état (sur 5)",
    fleet_wear: "Usure",
    fleet_next_maintenance: "Prochain entretien",
    fleet_maintenance_due: "à prévoir (usure)",
    fleet_retirement: "Fin de vie prévue",
    fleet_next_loan: "Prochain prêt",
    fleet_calendar: "Calendrier",
    fleet_inspection: "à inspecter",
    fleet_of: "sur",
    fleet_pages: "Pages du parc",
    fleet_previous: "Exemplaires précédents",
    fleet_next: "Exemplaires suivants",
    none: "—",
    calendar_title: "Calendrier de l'exemplaire",
    calendar_lead: "52 semaines, une colonne par semaine (du lundi au dimanche) : les prêts avec leur lieu, les jours de transport et d'installation, les entretiens et les demandes en attente. Les dates d'un prêt se changent depuis sa page.",
    calendar_caption: "Occupation de l'exemplaire, semaine par semaine",
    calendar_row: "Occupation",
    calendar_loans: "Prêts",
    calendar_travel: "Transport et installation",
    calendar_maintenance: "Entretien",
    calendar_holds: "Demandes en attente",
    calendar_week: "Semaine du",
    calendar_earlier: "52 semaines précédentes",
    calendar_later: "52 semaines suivantes",
    calendar_list: "Sur ces 52 semaines",
    calendar_list_none: "Rien n'est prévu pour cet exemplaire sur ces 52 semaines.",
    calendar_change_dates: "changer les dates",
    calendar_open_ended: "sans date de fin",
    calendar_from_invalid: "La date de début doit être une date réelle, par exemple 2027-03-15.",
    calendar_scroll: "Tableau des 52 semaines (défilement horizontal)",
    calendar_go: "Afficher",
    back_to_fleet: "Retour à mon parc",
    nav_revenue: "Recettes",
    revenue_title: "Recettes et amortissement",
    revenue_lead: "Ce que vos ressources ont rapporté dans l'année (factures et avoirs, qui a payé), ce qu'ont coûté les transports et les entretiens, et où en est le remboursement du coût de production de chaque ressource, avec la date prévue au rythme des 12 derniers mois.",
    revenue_year: "Année",
    revenue_show: "Afficher",
    revenue_year_invalid: "L'année doit être un nombre entre 2000 et 2999, par exemple 2026.",
    revenue_previous: "Année précédente",
    revenue_next: "Année suivante",
    revenue_totals: "L'année en bref",
    revenue_earned: "Recettes (locations, transports et dommages facturés, aides comprises)",
    revenue_venue_paid: "Payé par les lieux",
    revenue_subsidy: "Payé par les financeurs (aides)",
    revenue_transport: "Coût des transports",
    revenue_maintenance: "Coût des entretiens",
    revenue_net: "Résultat (recettes moins coûts)",
    revenue_production_cost: "Coût de production des ressources",
    revenue_recovered: "Part du coût de production remboursée (depuis le début)",
    revenue_months_chart: "Recettes et coûts mois par mois",
    revenue_series_earned: "Recettes",
    revenue_series_costs: "Coûts (transports et entretiens)",
    revenue_payback_chart: "Amortissement du coût de production, par ressource",
    revenue_paid_back: "remboursée le",
    revenue_payback_on: "prévue le",
    revenue_payback_never: "pas au rythme actuel",
    revenue_no_cost: "Coût de production non renseigné : pas d'amortissement à calculer.",
    revenue_table: "Par ressource",
    revenue_resource: "Ressource",
    revenue_months_table: "Mois par mois",
    revenue_month: "Mois",
    revenue_months_short: [
        "janv.", "févr.", "mars", "avr.", "mai", "juin", "juil.", "août", "sept.", "oct.", "nov.", "déc.",
    ],
    revenue_none: "Aucune ressource pour l'instant.",
};

static EN: ProducerTexts = ProducerTexts {
    nav_requests: "Requests received",
    nav_fleet: "My fleet",
    requests_title: "Requests to answer",
    requests_lead: "Loan requests for your resources waiting for your answer, soonest first. The venue reads your message on its loan page and in the mail announcing your answer.",
    requests_waiting: "Requests waiting",
    requests_none: "No request is waiting for your answer.",
    requests_decided: "Your answer is recorded; the venue is told.",
    requests_venue: "Venue",
    requests_distance: "Distance from the depot",
    requests_dates: "Days of use",
    requests_copy: "Copy held",
    requests_price: "Price (quote)",
    requests_held_until: "Held until",
    requests_conflicts: "Conflicts",
    requests_no_conflict: "None: no other request or loan of this resource on these days.",
    requests_no_free_copy: "No other copy is free on these days.",
    requests_loan_link: "See the request in detail",
    fleet_title: "My fleet of copies",
    fleet_lead: "Every copy of your resources: its condition, wear, next maintenance and forecast retirement. A copy's calendar shows its loans, transport and maintenance over 52 weeks.",
    fleet_none: "You have no copy yet.",
    fleet_caption: "The copies of your resources, most worn first",
    fleet_copy: "Copy",
    fleet_resource: "Resource",
    fleet_status: "Status",
    fleet_grade: "Condition grade (out of 5)",
    fleet_wear: "Wear",
    fleet_next_maintenance: "Next maintenance",
    fleet_maintenance_due: "due (wear)",
    fleet_retirement: "Forecast retirement",
    fleet_next_loan: "Next loan",
    fleet_calendar: "Calendar",
    fleet_inspection: "to inspect",
    fleet_of: "of",
    fleet_pages: "Pages of the fleet",
    fleet_previous: "Previous copies",
    fleet_next: "Next copies",
    none: "—",
    calendar_title: "Calendar of copy",
    calendar_lead: "52 weeks, one column a week (Monday to Sunday): loans with their venue, days of transport and set-up, maintenance and requests waiting. A loan's dates are changed from its page.",
    calendar_caption: "What occupies the copy, week by week",
    calendar_row: "Occupation",
    calendar_loans: "Loans",
    calendar_travel: "Transport and set-up",
    calendar_maintenance: "Maintenance",
    calendar_holds: "Requests waiting",
    calendar_week: "Week of",
    calendar_earlier: "Previous 52 weeks",
    calendar_later: "Next 52 weeks",
    calendar_list: "Over these 52 weeks",
    calendar_list_none: "Nothing is planned for this copy over these 52 weeks.",
    calendar_change_dates: "change the dates",
    calendar_open_ended: "no end date",
    calendar_from_invalid: "The first day must be a real date, for example 2027-03-15.",
    calendar_scroll: "Table of the 52 weeks (scrolls sideways)",
    calendar_go: "Show",
    back_to_fleet: "Back to my fleet",
    nav_revenue: "Revenue",
    revenue_title: "Revenue and payback",
    revenue_lead: "What your resources earned in the year (invoices and credit notes, who paid), what transport and maintenance cost, and how far each resource's production cost is paid back, with the expected day at the last 12 months' pace.",
    revenue_year: "Year",
    revenue_show: "Show",
    revenue_year_invalid: "The year must be a number between 2000 and 2999, for example 2026.",
    revenue_previous: "Previous year",
    revenue_next: "Next year",
    revenue_totals: "The year in short",
    revenue_earned: "Revenue (rental, transport and damage invoiced, subsidies included)",
    revenue_venue_paid: "Paid by venues",
    revenue_subsidy: "Paid by funders (subsidies)",
    revenue_transport: "Transport cost",
    revenue_maintenance: "Maintenance cost",
    revenue_net: "Result (revenue minus costs)",
    revenue_production_cost: "Production cost of the resources",
    revenue_recovered: "Share of the production cost paid back (all time)",
    revenue_months_chart: "Revenue and costs month by month",
    revenue_series_earned: "Revenue",
    revenue_series_costs: "Costs (transport and maintenance)",
    revenue_payback_chart: "Payback of the production cost, by resource",
    revenue_paid_back: "paid back on",
    revenue_payback_on: "expected on",
    revenue_payback_never: "not at the current pace",
    revenue_no_cost: "No production cost given: no payback to compute.",
    revenue_table: "By resource",
    revenue_resource: "Resource",
    revenue_months_table: "Month by month",
    revenue_month: "Month",
    revenue_months_short: [
        "Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec",
    ],
    revenue_none: "No resource yet.",
};

impl ProducerTexts {
    /// The words of the producer's pages in `lang`.
    pub fn of(lang: Lang) -> &'static ProducerTexts {
        match lang {
            Lang::Fr => &FR,
            Lang::En => &EN,
        }
    }

    /// The entries a producer's menu adds: its requests, its fleet and its revenue.
    pub fn nav(&'static self) -> Vec<NavEntry> {
        vec![
            NavEntry {
                key: "requests",
                href: "/requests",
                label: self.nav_requests,
            },
            NavEntry {
                key: "fleet",
                href: "/fleet",
                label: self.nav_fleet,
            },
            NavEntry {
                key: "revenue",
                href: "/revenue",
                label: self.nav_revenue,
            },
        ]
    }
}

impl Lang {
    /// A commune's class in words: « village », « petite ville »…
    pub fn commune_class(self, class: CommuneClass) -> &'static str {
        match (self, class) {
            (Lang::Fr, CommuneClass::Village) => "village",
            (Lang::Fr, CommuneClass::SmallTown) => "petite ville",
            (Lang::Fr, CommuneClass::MediumTown) => "ville moyenne",
            (Lang::Fr, CommuneClass::LargeCity) => "grande ville",
            (Lang::En, CommuneClass::Village) => "village",
            (Lang::En, CommuneClass::SmallTown) => "small town",
            (Lang::En, CommuneClass::MediumTown) => "medium town",
            (Lang::En, CommuneClass::LargeCity) => "large city",
        }
    }

    /// A copy's status in words.
    pub fn copy_status(self, status: CopyStatus) -> &'static str {
        match (self, status) {
            (Lang::Fr, CopyStatus::Available) => "disponible",
            (Lang::Fr, CopyStatus::OnLoan) => "en prêt",
            (Lang::Fr, CopyStatus::InTransit) => "en route",
            (Lang::Fr, CopyStatus::Maintenance) => "en entretien",
            (Lang::Fr, CopyStatus::Retired) => "retiré",
            (Lang::En, CopyStatus::Available) => "available",
            (Lang::En, CopyStatus::OnLoan) => "on loan",
            (Lang::En, CopyStatus::InTransit) => "in transit",
            (Lang::En, CopyStatus::Maintenance) => "in maintenance",
            (Lang::En, CopyStatus::Retired) => "retired",
        }
    }

    /// How many other copies are free over a request's days.
    pub fn free_copies(self, n: usize) -> String {
        match (self, n) {
            (Lang::Fr, 1) => "1 autre exemplaire est libre sur ces jours.".into(),
            (Lang::Fr, n) => format!("{n} autres exemplaires sont libres sur ces jours."),
            (Lang::En, 1) => "1 other copy is free on these days.".into(),
            (Lang::En, n) => format!("{n} other copies are free on these days."),
        }
    }

    /// A period as dates: « du 04/12/2026 au 12/12/2026 » (`crate::page::date` in French).
    pub fn dates(self, from: chrono::NaiveDate, to: chrono::NaiveDate) -> String {
        match self {
            Lang::Fr => format!(
                "du {} au {}",
                crate::page::date(from),
                crate::page::date(to)
            ),
            Lang::En => format!("{from} to {to}"),
        }
    }

    /// A date alone (`04/12/2026` in French, ISO in English).
    pub fn short_date(self, d: chrono::NaiveDate) -> String {
        match self {
            Lang::Fr => crate::page::date(d),
            Lang::En => d.to_string(),
        }
    }

    /// A wear index (a weighted sum of days, km and hand-overs): « 12,4 ».
    pub fn wear(self, index: f64) -> String {
        match self {
            Lang::Fr => crate::page::decimal(index, 1),
            Lang::En => format!("{index:.1}"),
        }
    }

    /// A kind of maintenance in words.
    pub fn maintenance_kind(self, kind: MaintenanceKind) -> &'static str {
        match (self, kind) {
            (Lang::Fr, MaintenanceKind::Repair) => "réparation",
            (Lang::Fr, MaintenanceKind::Refurbishment) => "remise en état",
            (Lang::Fr, MaintenanceKind::ContentUpdate) => "mise à jour du contenu",
            (Lang::Fr, MaintenanceKind::Cleaning) => "nettoyage",
            (Lang::En, MaintenanceKind::Repair) => "repair",
            (Lang::En, MaintenanceKind::Refurbishment) => "refurbishment",
            (Lang::En, MaintenanceKind::ContentUpdate) => "content update",
            (Lang::En, MaintenanceKind::Cleaning) => "cleaning",
        }
    }

    /// « j » (days), after a number in a calendar cell.
    pub fn days_short(self) -> &'static str {
        match self {
            Lang::Fr => "j",
            Lang::En => "d",
        }
    }

    /// A week's column heading: its Monday, `07/12` in French.
    pub fn week_label(self, monday: chrono::NaiveDate) -> String {
        match self {
            Lang::Fr => monday.format("%d/%m").to_string(),
            Lang::En => monday.format("%m-%d").to_string(),
        }
    }
}
