//! The portal's words for the service's vocabularies (statuses, next steps, history events,
//! themes, kinds, audiences) in French and English, and the French formats of days and months
//! (the English ones are beside the other English words, in [`super::lang`]).

use chrono::{Datelike, NaiveDate};

use crate::billing::model::InvoiceKind;
use crate::booking::model::BookingStatus;
use crate::catalogue::model::{Audience, CopyStatus, ResourceKind, Theme};

use super::lang::Lang;

/// A booking's status in words.
pub fn status(lang: Lang, s: BookingStatus) -> &'static str {
    use BookingStatus as S;
    match (lang, s) {
        (Lang::Fr, S::Requested) => "Demandé, en attente de réponse",
        (Lang::Fr, S::Approved) => "Accepté",
        (Lang::Fr, S::Rejected) => "Refusé",
        (Lang::Fr, S::Cancelled) => "Annulé",
        (Lang::Fr, S::InTransit) => "En route vers vous",
        (Lang::Fr, S::Delivered) => "Chez vous",
        (Lang::Fr, S::Returned) => "Rendu au producteur",
        (Lang::Fr, S::Closed) => "Terminé",
        (Lang::Fr, S::Expired) => "Demande expirée (pas de réponse à temps)",
        (Lang::En, S::Requested) => "Requested, waiting for an answer",
        (Lang::En, S::Approved) => "Accepted",
        (Lang::En, S::Rejected) => "Refused",
        (Lang::En, S::Cancelled) => "Cancelled",
        (Lang::En, S::InTransit) => "On its way to you",
        (Lang::En, S::Delivered) => "With you",
        (Lang::En, S::Returned) => "Returned to the producer",
        (Lang::En, S::Closed) => "Finished",
        (Lang::En, S::Expired) => "Request expired (no answer in time)",
    }
}

/// A booking's status told by a third party (the copy page, read by the producer as well as the
/// venue): where the loan stands, not what it means for "you".
pub fn stage(lang: Lang, s: BookingStatus) -> &'static str {
    use BookingStatus as S;
    match (lang, s) {
        (Lang::Fr, S::InTransit) => "En route vers le lieu d'accueil",
        (Lang::Fr, S::Delivered) => "Au lieu d'accueil",
        (Lang::En, S::InTransit) => "On its way to the venue",
        (Lang::En, S::Delivered) => "At the venue",
        (lang, s) => status(lang, s),
    }
}

/// Where a copy stands in its life, in words.
pub fn copy_status(lang: Lang, s: CopyStatus) -> &'static str {
    use CopyStatus as C;
    match (lang, s) {
        (Lang::Fr, C::Available) => "Disponible",
        (Lang::Fr, C::OnLoan) => "En prêt",
        (Lang::Fr, C::InTransit) => "En transport",
        (Lang::Fr, C::Maintenance) => "En maintenance",
        (Lang::Fr, C::Retired) => "Retiré du service",
        (Lang::En, C::Available) => "Available",
        (Lang::En, C::OnLoan) => "On loan",
        (Lang::En, C::InTransit) => "In transit",
        (Lang::En, C::Maintenance) => "In maintenance",
        (Lang::En, C::Retired) => "Retired",
    }
}

/// What the venue has to do next for a loan in this status, if anything.
pub fn next_step(lang: Lang, s: BookingStatus) -> &'static str {
    use BookingStatus as S;
    match (lang, s) {
        (Lang::Fr, S::Requested) => "Le producteur doit accepter votre demande. Vous pouvez l'annuler tant qu'il n'a pas répondu.",
        (Lang::Fr, S::Approved) => "Préparez l'accueil : la ressource sera livrée le jour indiqué.",
        (Lang::Fr, S::InTransit) => "À l'arrivée, vérifiez le contenu et remplissez l'état des lieux d'arrivée.",
        (Lang::Fr, S::Delivered) => "Avant le départ, remplissez l'état des lieux de retour ; après le prêt, donnez votre bilan.",
        (Lang::Fr, S::Returned | S::Closed) => "Donnez votre bilan du prêt si ce n'est pas déjà fait.",
        (Lang::Fr, S::Rejected | S::Cancelled | S::Expired) => "Rien à faire. Vous pouvez chercher une autre ressource ou d'autres dates.",
        (Lang::En, S::Requested) => "The producer has to accept your request. You can cancel it as long as they have not answered.",
        (Lang::En, S::Approved) => "Get ready to host it: the resource will be delivered on the day shown.",
        (Lang::En, S::InTransit) => "On arrival, check the contents and fill in the arrival condition report.",
        (Lang::En, S::Delivered) => "Before it leaves, fill in the return condition report; after the loan, give your evaluation.",
        (Lang::En, S::Returned | S::Closed) => "Give your evaluation of the loan if you have not done so yet.",
        (Lang::En, S::Rejected | S::Cancelled | S::Expired) => "Nothing to do. You can look for another resource or other dates.",
    }
}

/// What the lender (the producer, or the agency for it) has to do next for a loan in this status:
/// the same page read from the other side.
pub fn lender_next_step(lang: Lang, s: BookingStatus) -> &'static str {
    use BookingStatus as S;
    match (lang, s) {
        (Lang::Fr, S::Requested) => "Acceptez ou refusez la demande ; sans réponse, elle expire.",
        (Lang::Fr, S::Approved) => "Préparez l'exemplaire et faites le constat de départ ; il sera livré le jour indiqué.",
        (Lang::Fr, S::InTransit) => "L'exemplaire est en route ; le lieu fera l'état des lieux d'arrivée.",
        (Lang::Fr, S::Delivered) => "Le lieu utilise la ressource ; la reprise est prévue le jour indiqué.",
        (Lang::Fr, S::Returned) => "Au retour au dépôt, faites l'inspection, puis facturez le prêt.",
        (Lang::Fr, S::Closed) => "Le prêt est terminé ; sa facture est dans « Mes factures ».",
        (Lang::Fr, S::Rejected | S::Cancelled | S::Expired) => "Rien à faire : ce prêt n'aura pas lieu.",
        (Lang::En, S::Requested) => "Accept or refuse the request; without an answer, it expires.",
        (Lang::En, S::Approved) => "Get the copy ready and file the dispatch report; it will be delivered on the day shown.",
        (Lang::En, S::InTransit) => "The copy is on its way; the venue will file the arrival report.",
        (Lang::En, S::Delivered) => "The venue is using the resource; the pick-up is planned on the day shown.",
        (Lang::En, S::Returned) => "Back at the depot, inspect it, then invoice the loan.",
        (Lang::En, S::Closed) => "The loan is over; its invoice is under « My invoices ».",
        (Lang::En, S::Rejected | S::Cancelled | S::Expired) => "Nothing to do: this loan will not take place.",
    }
}

/// An action of a booking's history in words (an unknown one as it is stored).
pub fn action(lang: Lang, action: &str) -> &str {
    let en = lang == Lang::En;
    match action {
        "request" if en => "Request sent",
        "request" => "Demande envoyée",
        "promote" if en => "Request made from the waiting list",
        "promote" => "Demande créée depuis la liste d'attente",
        "approve" if en => "Request accepted by the producer",
        "approve" => "Demande acceptée par le producteur",
        "reject" if en => "Request refused",
        "reject" => "Demande refusée",
        "cancel" if en => "Loan cancelled",
        "cancel" => "Prêt annulé",
        "dispatch" if en => "Left the depot",
        "dispatch" => "Parti du dépôt",
        "deliver" if en => "Delivered to you",
        "deliver" => "Livré chez vous",
        "return" if en => "Returned to the producer",
        "return" => "Rendu au producteur",
        "close" if en => "Loan finished",
        "close" => "Prêt terminé",
        "expire" if en => "Request expired",
        "expire" => "Demande expirée",
        "change_dates" | "reschedule" if en => "Dates changed",
        "change_dates" | "reschedule" => "Dates modifiées",
        other => other,
    }
}

/// A kind of invoice in words.
pub fn invoice_kind(lang: Lang, k: InvoiceKind) -> &'static str {
    match (lang, k) {
        (Lang::Fr, InvoiceKind::Invoice) => "Facture",
        (Lang::Fr, InvoiceKind::CreditNote) => "Avoir",
        (Lang::En, InvoiceKind::Invoice) => "Invoice",
        (Lang::En, InvoiceKind::CreditNote) => "Credit note",
    }
}

/// A theme in words.
pub fn theme(lang: Lang, t: Theme) -> &'static str {
    use Theme as T;
    match (lang, t) {
        (Lang::Fr, T::NatureEnvironment) => "Nature et environnement",
        (Lang::Fr, T::TechnologyDigital) => "Technologie et numérique",
        (Lang::Fr, T::HealthLife) => "Santé et vivant",
        (Lang::Fr, T::ScienceSociety) => "Sciences et société",
        (Lang::Fr, T::IndustrialHeritage) => "Patrimoine industriel",
        (Lang::Fr, T::Astronomy) => "Astronomie",
        (Lang::Fr, T::HistoryOfScience) => "Histoire des sciences",
        (Lang::Fr, T::MathsPhysicsChemistry) => "Maths, physique, chimie",
        (Lang::Fr, T::Other) => "Autre",
        (Lang::En, T::NatureEnvironment) => "Nature and environment",
        (Lang::En, T::TechnologyDigital) => "Technology and digital",
        (Lang::En, T::HealthLife) => "Health and life",
        (Lang::En, T::ScienceSociety) => "Science and society",
        (Lang::En, T::IndustrialHeritage) => "Industrial heritage",
        (Lang::En, T::Astronomy) => "Astronomy",
        (Lang::En, T::HistoryOfScience) => "History of science",
        (Lang::En, T::MathsPhysicsChemistry) => "Maths, physics, chemistry",
        (Lang::En, T::Other) => "Other",
    }
}

/// A kind of resource in words.
pub fn kind(lang: Lang, k: ResourceKind) -> &'static str {
    use ResourceKind as K;
    match (lang, k) {
        (Lang::Fr, K::Exhibition) => "Exposition",
        (Lang::Fr, K::Trunk) => "Malle pédagogique",
        (Lang::Fr, K::Kit) => "Kit",
        (Lang::Fr, K::Model) => "Maquette",
        (Lang::En, K::Exhibition) => "Exhibition",
        (Lang::En, K::Trunk) => "Educational trunk",
        (Lang::En, K::Kit) => "Kit",
        (Lang::En, K::Model) => "Model",
    }
}

/// An audience in words.
pub fn audience(lang: Lang, a: Audience) -> &'static str {
    use Audience as A;
    match (lang, a) {
        (Lang::Fr, A::EarlyChildhood) => "Petite enfance",
        (Lang::Fr, A::Primary) => "Primaire (6-11 ans)",
        (Lang::Fr, A::Secondary) => "Collège et lycée (11-18 ans)",
        (Lang::Fr, A::Adult) => "Adultes",
        (Lang::Fr, A::Family) => "Familles",
        (Lang::Fr, A::All) => "Tous publics",
        (Lang::En, A::EarlyChildhood) => "Early childhood",
        (Lang::En, A::Primary) => "Primary school (6-11 years)",
        (Lang::En, A::Secondary) => "Secondary school (11-18 years)",
        (Lang::En, A::Adult) => "Adults",
        (Lang::En, A::Family) => "Families",
        (Lang::En, A::All) => "All audiences",
    }
}

const DAYS: [&str; 7] = [
    "lundi", "mardi", "mercredi", "jeudi", "vendredi", "samedi", "dimanche",
];
const MONTHS: [&str; 12] = [
    "janvier",
    "février",
    "mars",
    "avril",
    "mai",
    "juin",
    "juillet",
    "août",
    "septembre",
    "octobre",
    "novembre",
    "décembre",
];

/// A day as people write it: « mardi 12 janvier 2027 ».
pub fn day(d: NaiveDate) -> String {
    format!(
        "{} {} {} {}",
        DAYS[d.weekday().num_days_from_monday() as usize],
        d.day(),
        MONTHS[d.month0() as usize],
        d.year()
    )
}

/// A month as people write it: « janvier 2027 ».
pub fn month(d: NaiveDate) -> String {
    format!("{} {}", MONTHS[d.month0() as usize], d.year())
}

/// Kilometres rounded for reading: « 8 km », « 86 km ».
pub fn km(distance: f64) -> String {
    format!("{}\u{a0}km", distance.round() as i64)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::page::euros;

    #[test]
    fn money_and_days_read_the_french_way() {
        assert_eq!(euros(123_450), "1\u{202f}234,50\u{a0}€");
        assert_eq!(euros(-500), "−5,00\u{a0}€");
        assert_eq!(euros(7), "0,07\u{a0}€");
        let d = NaiveDate::from_ymd_opt(2027, 1, 12).unwrap();
        assert_eq!(day(d), "mardi 12 janvier 2027");
    }
}
