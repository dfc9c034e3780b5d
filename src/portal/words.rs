//! The French words of the portal for the service's vocabularies (statuses, themes, kinds,
//! audiences), and the formats of dates and money a person reads.

use chrono::{Datelike, NaiveDate};

use crate::booking::model::BookingStatus;
use crate::catalogue::model::{Audience, ResourceKind, Theme};

/// A booking's status in words.
pub fn status(s: BookingStatus) -> &'static str {
    use BookingStatus as S;
    match s {
        S::Requested => "Demandé, en attente de réponse",
        S::Approved => "Accepté",
        S::Rejected => "Refusé",
        S::Cancelled => "Annulé",
        S::InTransit => "En route vers vous",
        S::Delivered => "Chez vous",
        S::Returned => "Rendu au producteur",
        S::Closed => "Terminé",
        S::Expired => "Demande expirée (pas de réponse à temps)",
    }
}

/// What the venue has to do next for a loan in this status, if anything.
pub fn next_step(s: BookingStatus) -> &'static str {
    use BookingStatus as S;
    match s {
        S::Requested => "Le producteur doit accepter votre demande. Vous pouvez l'annuler tant qu'il n'a pas répondu.",
        S::Approved => "Préparez l'accueil : la ressource sera livrée le jour indiqué.",
        S::InTransit => "À l'arrivée, vérifiez le contenu et remplissez l'état des lieux d'arrivée.",
        S::Delivered => "Avant le départ, remplissez l'état des lieux de retour ; après le prêt, donnez votre bilan.",
        S::Returned | S::Closed => "Donnez votre bilan du prêt si ce n'est pas déjà fait.",
        S::Rejected | S::Cancelled | S::Expired => "Rien à faire. Vous pouvez chercher une autre ressource ou d'autres dates.",
    }
}

/// A theme in words.
pub fn theme(t: Theme) -> &'static str {
    use Theme as T;
    match t {
        T::NatureEnvironment => "Nature et environnement",
        T::TechnologyDigital => "Technologie et numérique",
        T::HealthLife => "Santé et vivant",
        T::ScienceSociety => "Sciences et société",
        T::IndustrialHeritage => "Patrimoine industriel",
        T::Astronomy => "Astronomie",
        T::HistoryOfScience => "Histoire des sciences",
        T::MathsPhysicsChemistry => "Maths, physique, chimie",
        T::Other => "Autre",
    }
}

/// A kind of resource in words.
pub fn kind(k: ResourceKind) -> &'static str {
    use ResourceKind as K;
    match k {
        K::Exhibition => "Exposition",
        K::Trunk => "Malle pédagogique",
        K::Kit => "Kit",
        K::Model => "Maquette",
    }
}

/// An audience in words.
pub fn audience(a: Audience) -> &'static str {
    use Audience as A;
    match a {
        A::EarlyChildhood => "Petite enfance",
        A::Primary => "Primaire (6-11 ans)",
        A::Secondary => "Collège et lycée (11-18 ans)",
        A::Adult => "Adultes",
        A::Family => "Familles",
        A::All => "Tous publics",
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
