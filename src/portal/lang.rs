//! The portal's languages: French (the default) and English. Every sentence of the frame (nav,
//! footer, error summary), of the login, home and account pages, of a loan, its condition report
//! and evaluation, of a resource and of the error pages lives here, once per language, so that a
//! page never writes its own words (the vocabularies, statuses, themes and such, are in
//! [`super::words`]). A
//! signed-in person reads the pages in their account's language (`/account`); someone without a
//! session in the language their browser asks for first (`Accept-Language`), French otherwise.

use actix_web::http::header;
use actix_web::HttpRequest;
use chrono::{Datelike, NaiveDate};

use crate::auth::browser::BrowserSession;

/// A language of the pages.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Lang {
    Fr,
    En,
}

impl Lang {
    /// The words of the page frame (nav, footer) in this language.
    pub fn frame(self) -> &'static crate::page::FrameWords {
        match self {
            Lang::Fr => &crate::page::FRAME_FR,
            Lang::En => &crate::page::FRAME_EN,
        }
    }

    /// The language of an account (`users.locale`); anything but `en` reads as French.
    pub fn of_locale(locale: &str) -> Lang {
        if locale.trim().eq_ignore_ascii_case("en") {
            Lang::En
        } else {
            Lang::Fr
        }
    }

    /// The language of a signed-in person: their account's.
    pub fn of_session(session: &BrowserSession) -> Lang {
        Lang::of_locale(&session.locale)
    }

    /// The language a browser asks for: the first of French or English in `Accept-Language` by
    /// preference (`q`), French when it names neither.
    pub fn of_request(req: &HttpRequest) -> Lang {
        let header = req
            .headers()
            .get(header::ACCEPT_LANGUAGE)
            .and_then(|v| v.to_str().ok())
            .unwrap_or("");
        Lang::of_accept_language(header)
    }

    /// Reads an `Accept-Language` value (see [`Lang::of_request`]).
    pub fn of_accept_language(value: &str) -> Lang {
        let mut best: Option<(f32, usize, Lang)> = None;
        for (position, item) in value.split(',').enumerate() {
            let mut parts = item.split(';');
            let tag = parts.next().unwrap_or("").trim().to_ascii_lowercase();
            let q = parts
                .filter_map(|p| p.trim().strip_prefix("q="))
                .find_map(|q| q.trim().parse::<f32>().ok())
                .unwrap_or(1.0);
            let primary = tag.split('-').next().unwrap_or("");
            let lang = match primary {
                "fr" => Lang::Fr,
                "en" => Lang::En,
                _ => continue,
            };
            if q <= 0.0 {
                continue;
            }
            // The highest q wins; among equals, the first listed.
            let better = match best {
                None => true,
                Some((bq, bp, _)) => q > bq || (q == bq && position < bp),
            };
            if better {
                best = Some((q, position, lang));
            }
        }
        best.map(|(_, _, l)| l).unwrap_or(Lang::Fr)
    }

    /// The value of `<html lang>`.
    pub fn code(self) -> &'static str {
        match self {
            Lang::Fr => "fr",
            Lang::En => "en",
        }
    }

    /// The words of the agency's pages in this language.
    pub fn agency(self) -> &'static super::lang_agency::AgencyTexts {
        match self {
            Lang::Fr => &super::lang_agency::AGENCY_FR,
            Lang::En => &super::lang_agency::AGENCY_EN,
        }
    }

    /// The words of the pages in this language.
    pub fn t(self) -> &'static Texts {
        match self {
            Lang::Fr => &FR,
            Lang::En => &EN,
        }
    }

    /// The words of the producer's pages in this language.
    pub fn producer(self) -> &'static super::lang_producer::ProducerTexts {
        super::lang_producer::ProducerTexts::of(self)
    }

    /// Too many attempts for an address: wait `seconds` (shown in whole minutes).
    pub fn too_many_attempts(self, seconds: i64) -> String {
        let minutes = (seconds.max(1) + 59) / 60;
        match self {
            Lang::Fr => {
                format!("Trop d'essais pour cette adresse. Réessayez dans {minutes} minute(s).")
            }
            Lang::En => {
                format!("Too many attempts for this address. Try again in {minutes} minute(s).")
            }
        }
    }

    /// A new password the rule refuses (the rule is [`crate::access::password::check_new`]).
    pub fn password_too_short(self) -> String {
        let min = crate::access::password::MIN_PASSWORD_CHARS;
        match self {
            Lang::Fr => format!("Le mot de passe doit compter au moins {min} caractères."),
            Lang::En => format!("The password must have at least {min} characters."),
        }
    }

    /// From one day to another: « du mardi 12 janvier 2027 au … », "from Tuesday 12 … to …".
    pub fn period(self, from: NaiveDate, to: NaiveDate) -> String {
        match self {
            Lang::Fr => format!("du {} au {}", self.day(from), self.day(to)),
            Lang::En => format!("from {} to {}", self.day(from), self.day(to)),
        }
    }

    /// One day in a list of periods: « le mardi 12 janvier 2027 », "Tuesday 12 January 2027".
    pub fn on_day(self, d: NaiveDate) -> String {
        match self {
            Lang::Fr => format!("le {}", self.day(d)),
            Lang::En => self.day(d),
        }
    }

    /// An event of a loan's history with the note written with it.
    pub fn with_note(self, event: &str, note: &str) -> String {
        match self {
            Lang::Fr => format!("{event} — note : « {note} »"),
            Lang::En => format!("{event} — note: “{note}”"),
        }
    }

    /// A leg of a loan's transport: where from, where to, how far, how long.
    pub fn leg(self, from: &str, to: &str, km: f64, hours: f64) -> String {
        let (km, hours) = (super::words::km(km), (hours * 10.0).round() / 10.0);
        match self {
            Lang::Fr => format!(
                "de {from} à {to} : {km}, environ {} h de route",
                crate::page::decimal(hours, 1)
            ),
            Lang::En => format!("from {from} to {to}: {km}, about {hours} h on the road"),
        }
    }

    /// Why the copy planned for a loan can no longer serve it (`reason` in the reader's words).
    pub fn flagged(self, reason: &str) -> String {
        match self {
            Lang::Fr => format!("l'exemplaire prévu ne peut plus servir ce prêt ({reason}) ; le producteur vous proposera une solution"),
            Lang::En => format!("the planned copy can no longer serve this loan ({reason}); the producer will offer you a solution"),
        }
    }

    /// A form's field left empty; `name` says what it asks for (« le premier jour »).
    pub fn missing(self, name: &str) -> String {
        match self {
            Lang::Fr => format!("Indiquez {name}."),
            Lang::En => format!("Enter {name}."),
        }
    }

    /// A date field that does not hold a real date.
    pub fn not_a_date(self, name: &str) -> String {
        match self {
            Lang::Fr => format!(
                "{} doit être une date réelle, par exemple 2027-03-15.",
                capital(name)
            ),
            Lang::En => format!(
                "{} must be a real date, for example 2027-03-15.",
                capital(name)
            ),
        }
    }

    /// A number field outside its bounds (or not a whole number).
    pub fn not_a_number(self, name: &str, min: i64, max: i64) -> String {
        match self {
            Lang::Fr => format!(
                "{} doit être un nombre entier entre {min} et {max}.",
                capital(name)
            ),
            Lang::En => format!(
                "{} must be a whole number between {min} and {max}.",
                capital(name)
            ),
        }
    }

    /// What a condition report's count asks for: how many of `item` are present.
    pub fn present_count(self, item: &str) -> String {
        match self {
            Lang::Fr => format!("le nombre de « {item} » présents"),
            Lang::En => format!("the number of “{item}” present"),
        }
    }

    /// What a condition report's count asks for: how many of `item` are damaged.
    pub fn damaged_count(self, item: &str) -> String {
        match self {
            Lang::Fr => format!("le nombre de « {item} » abîmés"),
            Lang::En => format!("the number of “{item}” damaged"),
        }
    }

    /// More of `item` said damaged than present.
    pub fn more_damaged_than_present(self, item: &str) -> String {
        match self {
            Lang::Fr => {
                format!("Il ne peut pas y avoir plus de « {item} » abîmés que de présents.")
            }
            Lang::En => format!("There cannot be more “{item}” damaged than present."),
        }
    }

    /// A month as people write it: « janvier 2027 », "January 2027".
    pub fn month(self, d: NaiveDate) -> String {
        match self {
            Lang::Fr => super::words::month(d),
            Lang::En => format!("{} {}", EN_MONTHS[d.month0() as usize], d.year()),
        }
    }

    /// A day as people write it: « mardi 12 janvier 2027 », "Tuesday 12 January 2027".
    pub fn day(self, d: NaiveDate) -> String {
        match self {
            Lang::Fr => super::words::day(d),
            Lang::En => format!(
                "{} {} {} {}",
                EN_DAYS[d.weekday().num_days_from_monday() as usize],
                d.day(),
                EN_MONTHS[d.month0() as usize],
                d.year()
            ),
        }
    }
}

/// A label with its first letter in capitals, to start a sentence.
fn capital(label: &str) -> String {
    let mut chars = label.chars();
    match chars.next() {
        Some(first) => first.to_uppercase().chain(chars).collect(),
        None => String::new(),
    }
}

const EN_DAYS: [&str; 7] = [
    "Monday",
    "Tuesday",
    "Wednesday",
    "Thursday",
    "Friday",
    "Saturday",
    "Sunday",
];
const EN_MONTHS: [&str; 12] = [
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
];

/// The sentences of the pages, one field per sentence.
pub struct Texts {
    // The frame.
    pub error_summary: &'static str,
    pub error_prefix: &'static str,
    pub back_home: &'static str,
    // Login.
    pub login_title: &'static str,
    pub login_lead: &'static str,
    pub email: &'static str,
    pub password: &'static str,
    pub login_button: &'static str,
    pub forgot_link: &'static str,
    pub email_missing: &'static str,
    pub password_missing: &'static str,
    pub login_wrong: &'static str,
    pub notice_password_reset: &'static str,
    // Home and the venue's pages (headings).
    pub home_title: &'static str,
    pub home_hello: &'static str,
    pub home_today: &'static str,
    pub home_find: &'static str,
    pub home_current: &'static str,
    pub home_none: &'static str,
    pub home_none_link: &'static str,
    pub home_use: &'static str,
    pub home_to: &'static str,
    pub home_delivery: &'static str,
    pub home_todo: &'static str,
    pub home_all_loans: &'static str,
    pub find_title: &'static str,
    pub loans_title: &'static str,
    pub loan_title: &'static str,
    pub invoices_title: &'static str,
    // Invoices and exports.
    pub invoices_document: &'static str,
    pub invoices_pdf: &'static str,
    pub invoices_list: &'static str,
    pub resource_school_holidays: &'static str,
    pub loan_decide_heading: &'static str,
    pub loan_next_decide: &'static str,
    pub loan_decide_note: &'static str,
    pub loan_decide_hint: &'static str,
    pub loan_approve_button: &'static str,
    pub loan_reject_button: &'static str,
    pub export_heading: &'static str,
    pub export_lead: &'static str,
    pub export_from: &'static str,
    pub export_to: &'static str,
    pub export_zip: &'static str,
    pub export_csv: &'static str,
    pub export_from_invalid: &'static str,
    pub export_to_invalid: &'static str,
    pub export_period_invalid: &'static str,
    pub agreement_link: &'static str,
    // Invitation.
    pub invitation_title: &'static str,
    pub invitation_lead: &'static str,
    pub invitation_as: &'static str,
    pub role_admin: &'static str,
    pub role_member: &'static str,
    pub new_password: &'static str,
    pub new_password_hint: &'static str,
    pub password_confirmation: &'static str,
    pub invitation_button: &'static str,
    pub confirmation_differs: &'static str,
    pub link_expired_title: &'static str,
    pub link_expired_text: &'static str,
    pub email_taken_meanwhile: &'static str,
    // Password forgotten and reset.
    pub forgot_title: &'static str,
    pub forgot_lead: &'static str,
    pub forgot_button: &'static str,
    pub forgot_sent_title: &'static str,
    pub forgot_sent_text: &'static str,
    pub email_invalid: &'static str,
    pub reset_title: &'static str,
    pub reset_lead: &'static str,
    pub reset_button: &'static str,
    // My account.
    pub account_title: &'static str,
    pub account_signed_as: &'static str,
    pub account_password_heading: &'static str,
    pub current_password: &'static str,
    pub current_password_wrong: &'static str,
    pub account_password_button: &'static str,
    pub account_password_done: &'static str,
    pub account_locale_heading: &'static str,
    pub account_locale_legend: &'static str,
    pub locale_fr: &'static str,
    pub locale_en: &'static str,
    pub locale_invalid: &'static str,
    pub account_locale_button: &'static str,
    pub account_locale_done: &'static str,
    // Members.
    pub members_title: &'static str,
    pub members_lead: &'static str,
    pub members_heading: &'static str,
    pub member_email: &'static str,
    pub member_role: &'static str,
    pub member_state: &'static str,
    pub member_actions: &'static str,
    pub member_active: &'static str,
    pub member_deactivated: &'static str,
    pub member_you: &'static str,
    pub member_change_role: &'static str,
    pub member_deactivate: &'static str,
    pub member_reactivate: &'static str,
    pub member_role_of: &'static str,
    pub members_changed: &'static str,
    pub invite_heading: &'static str,
    pub invite_email_hint: &'static str,
    pub invite_role: &'static str,
    pub invite_locale: &'static str,
    pub invite_button: &'static str,
    pub invite_done: &'static str,
    pub invite_email_taken: &'static str,
    pub role_invalid: &'static str,
    pub invitations_heading: &'static str,
    pub invitations_none: &'static str,
    pub invitation_pending: &'static str,
    pub invitation_accepted: &'static str,
    pub invitation_expired: &'static str,
    // Legal identity (issue 26).
    pub legal_title: &'static str,
    pub legal_lead: &'static str,
    pub legal_saved: &'static str,
    pub legal_read_only: &'static str,
    pub legal_siret: &'static str,
    pub legal_siret_hint: &'static str,
    pub legal_vat_id: &'static str,
    pub legal_vat_id_hint: &'static str,
    pub legal_vat_exemption: &'static str,
    pub legal_vat_exemption_hint: &'static str,
    pub legal_address_line: &'static str,
    pub legal_postcode: &'static str,
    pub legal_city: &'static str,
    pub legal_iban: &'static str,
    pub legal_iban_hint: &'static str,
    pub legal_bic: &'static str,
    pub legal_electronic_address: &'static str,
    pub legal_electronic_address_hint: &'static str,
    pub legal_public_heading: &'static str,
    pub legal_public_buyer: &'static str,
    pub legal_service_code_required: &'static str,
    pub legal_commitment_required: &'static str,
    pub legal_button: &'static str,
    pub legal_siret_invalid: &'static str,
    pub legal_vat_id_invalid: &'static str,
    pub legal_postcode_invalid: &'static str,
    pub legal_iban_invalid: &'static str,
    pub legal_bic_invalid: &'static str,
    pub legal_electronic_address_invalid: &'static str,
    pub legal_public_buyer_invalid: &'static str,
    pub legal_text_invalid: &'static str,
    // Error pages, a loan, its condition report and evaluation, a resource (issue 23).
    pub colon: &'static str,
    pub error_csrf_title: &'static str,
    pub error_csrf_text: &'static str,
    pub error_not_found_title: &'static str,
    pub error_not_found_text: &'static str,
    pub error_forbidden_title: &'static str,
    pub error_forbidden_text: &'static str,
    pub error_unavailable_title: &'static str,
    pub error_unavailable_text: &'static str,
    pub error_refused_title: &'static str,
    pub error_refused_text: &'static str,
    pub error_internal_title: &'static str,
    pub error_internal_text: &'static str,
    pub loan_created: &'static str,
    pub loan_created_text: &'static str,
    pub loan_number: &'static str,
    pub loan_status: &'static str,
    pub loan_next_step: &'static str,
    pub loan_report_link: &'static str,
    pub loan_evaluation_link: &'static str,
    pub loan_dates: &'static str,
    pub loan_resource_link: &'static str,
    pub loan_price: &'static str,
    pub loan_transport: &'static str,
    pub loan_history: &'static str,
    pub loan_history_caption: &'static str,
    pub loan_history_date: &'static str,
    pub loan_history_event: &'static str,
    pub loan_cancel_heading: &'static str,
    pub loan_cancel_button: &'static str,
    pub loan_use: &'static str,
    pub loan_use_days: &'static str,
    pub loan_delivery: &'static str,
    pub loan_pickup: &'static str,
    pub loan_held_until: &'static str,
    pub loan_held_note: &'static str,
    pub loan_distance: &'static str,
    pub loan_warning: &'static str,
    pub leg_outbound: &'static str,
    pub leg_return: &'static str,
    pub leg_transfer: &'static str,
    pub price_caption: &'static str,
    pub price_line: &'static str,
    pub price_amount: &'static str,
    pub price_total: &'static str,
    pub back_to_loan: &'static str,
    pub report_arrival_title: &'static str,
    pub report_return_title: &'static str,
    pub report_lead: &'static str,
    pub report_expected: &'static str,
    pub report_present: &'static str,
    pub report_damaged: &'static str,
    pub report_grade: &'static str,
    pub report_grade_name: &'static str,
    pub report_notes: &'static str,
    pub report_button: &'static str,
    pub evaluation_title: &'static str,
    pub evaluation_done: &'static str,
    pub evaluation_visitors_short: &'static str,
    pub evaluation_sessions_short: &'static str,
    pub evaluation_audiences_short: &'static str,
    pub evaluation_satisfaction_short: &'static str,
    pub evaluation_out_of_5: &'static str,
    pub evaluation_comment_short: &'static str,
    pub evaluation_visitors: &'static str,
    pub evaluation_visitors_hint: &'static str,
    pub evaluation_visitors_name: &'static str,
    pub evaluation_sessions: &'static str,
    pub evaluation_sessions_name: &'static str,
    pub evaluation_audiences: &'static str,
    pub evaluation_audiences_unknown: &'static str,
    pub evaluation_audiences_missing: &'static str,
    pub evaluation_satisfaction: &'static str,
    pub evaluation_satisfaction_name: &'static str,
    pub evaluation_comment: &'static str,
    pub evaluation_button: &'static str,
    pub back_to_search: &'static str,
    pub resource_audiences: &'static str,
    pub resource_producer: &'static str,
    pub resource_copies: &'static str,
    pub resource_in_service: &'static str,
    pub resource_floor_area: &'static str,
    pub resource_weight: &'static str,
    pub resource_volume: &'static str,
    pub resource_crates: &'static str,
    pub resource_setup: &'static str,
    pub resource_days: &'static str,
    pub resource_contents: &'static str,
    pub resource_availability: &'static str,
    pub resource_availability_hint: &'static str,
    pub resource_no_free_day: &'static str,
    pub resource_request_heading: &'static str,
    pub first_day_of_use: &'static str,
    pub last_day_of_use: &'static str,
    pub first_day_of_use_name: &'static str,
    pub last_day_of_use_name: &'static str,
    pub last_day_before_first: &'static str,
    pub first_day_past: &'static str,
    pub dates_unsuitable: &'static str,
    pub dates_impossible: &'static str,
    pub resource_see_price: &'static str,
    pub resource_free_nearby: &'static str,
    pub resource_your_price: &'static str,
    pub resource_price_caption: &'static str,
    pub resource_deposit: &'static str,
    pub resource_request_button: &'static str,
    pub media_heading: &'static str,
    pub media_none: &'static str,
    pub media_photos: &'static str,
    pub media_documents: &'static str,
    pub media_enlarge: &'static str,
    pub media_pdf_of: &'static str,
    pub media_add_heading: &'static str,
    pub media_add_hint: &'static str,
    pub media_title_label: &'static str,
    pub media_file_label: &'static str,
    pub media_add_button: &'static str,
    pub media_remove_button: &'static str,
    pub media_title_missing: &'static str,
    pub media_file_missing: &'static str,
    pub media_wrong_type: &'static str,
    pub media_too_large: &'static str,
    pub media_resource_full: &'static str,
    pub media_unreadable: &'static str,
    pub media_megabytes: &'static str,
    pub media_kilobytes: &'static str,
    pub labels_link: &'static str,
    pub labels_title: &'static str,
    pub labels_hint: &'static str,
    pub labels_qr_alt: &'static str,
    pub labels_none: &'static str,
    pub copy_title: &'static str,
    pub copy_of: &'static str,
    pub copy_status: &'static str,
    pub copy_grade: &'static str,
    pub copy_grade_of: &'static str,
    pub copy_loans: &'static str,
    pub copy_no_loan: &'static str,
    pub copy_open_loan: &'static str,
    pub copy_report: &'static str,
    pub request_no_copy: &'static str,
    pub request_no_copy_alternatives: &'static str,
    pub request_limit: &'static str,
    pub find_age_name: &'static str,
    pub first_day_name: &'static str,
    pub last_day_name: &'static str,
    pub find_last_before_first: &'static str,
    pub search_impossible: &'static str,
    pub find_lead: &'static str,
    pub find_words: &'static str,
    pub find_words_hint: &'static str,
    pub find_age: &'static str,
    pub find_age_hint: &'static str,
    pub find_distance: &'static str,
    pub find_within: &'static str,
    pub find_whole_region: &'static str,
    pub find_any_hint: &'static str,
    pub find_themes: &'static str,
    pub find_kinds: &'static str,
    pub find_dates: &'static str,
    pub find_first_day: &'static str,
    pub find_last_day: &'static str,
    pub find_button: &'static str,
    pub find_results: &'static str,
    pub find_none: &'static str,
    pub find_km_of_you: &'static str,
    pub find_on_these_dates: &'static str,
    pub find_nearest_beyond: &'static str,
    pub find_total_within: &'static str,
    pub find_on_this_page: &'static str,
    pub find_nearest_first: &'static str,
    pub find_distance_short: &'static str,
    pub find_availability: &'static str,
    pub find_next_page: &'static str,
    pub find_for_your_dates: &'static str,
    pub find_free_on_your_dates: &'static str,
    pub find_for_a_week: &'static str,
    pub find_free: &'static str,
    pub find_price_by_dates: &'static str,
    pub find_no_free_week: &'static str,
    pub loans_calendar: &'static str,
    pub loans_calendar_link: &'static str,
    pub loans_none: &'static str,
    pub loans_caption: &'static str,
    pub loans_resource: &'static str,
    pub loans_status: &'static str,
    pub invoices_none: &'static str,
    pub invoices_caption: &'static str,
    pub invoice_number: &'static str,
    pub invoice_kind: &'static str,
    pub invoice_date: &'static str,
    pub invoice_loan: &'static str,
}

/// Français (par défaut).
pub static FR: Texts = Texts {
    error_summary: "Il y a un problème",
    error_prefix: "Erreur :",
    back_home: "Revenir à l'accueil",
    login_title: "Se connecter",
    login_lead: "Connectez-vous pour trouver une ressource, la demander et suivre vos prêts.",
    email: "Adresse e-mail",
    password: "Mot de passe",
    login_button: "Se connecter",
    forgot_link: "Mot de passe oublié ?",
    email_missing: "Indiquez votre adresse e-mail.",
    password_missing: "Indiquez votre mot de passe.",
    login_wrong: "L'adresse e-mail ou le mot de passe est incorrect.",
    notice_password_reset: "Votre mot de passe est changé. Connectez-vous avec le nouveau.",
    home_title: "Accueil",
    home_hello: "Bonjour",
    home_today: "Nous sommes le",
    home_find: "Trouver une ressource",
    home_current: "Mes prêts en cours",
    home_none: "Vous n'avez aucun prêt en cours.",
    home_none_link: "Cherchez une exposition, une malle ou un kit près de chez vous",
    home_use: "utilisation du",
    home_to: "au",
    home_delivery: "livraison le",
    home_todo: "À faire :",
    home_all_loans: "Voir tous mes prêts",
    find_title: "Trouver une ressource",
    loans_title: "Mes prêts",
    loan_title: "Prêt",
    invoices_title: "Mes factures",
    invoices_document: "Document",
    invoices_pdf: "PDF (Factur-X)",
    invoices_list: "Factures et avoirs",
    resource_school_holidays: "Vacances scolaires",
    loan_decide_heading: "Répondre à la demande",
    loan_next_decide: "Acceptez ou refusez cette demande (en bas de la page) ; sans réponse, elle expire à la date indiquée.",
    loan_decide_note: "Votre message au lieu (facultatif)",
    loan_decide_hint: "Le lieu le lit dans le courriel qui lui annonce votre réponse et sur la page du prêt. 1 000 caractères au plus.",
    loan_approve_button: "Accepter la demande",
    loan_reject_button: "Refuser la demande",
    export_heading: "Exporter une période",
    export_lead: "Pour votre comptable ou un dépôt sur Chorus Pro : les factures et avoirs émis entre deux dates, en PDF Factur-X avec leur journal (ZIP), ou le journal seul (CSV à ouvrir dans un tableur). Au plus un an.",
    export_from: "Du (AAAA-MM-JJ)",
    export_to: "Au (AAAA-MM-JJ)",
    export_zip: "Télécharger les PDF et le journal (ZIP)",
    export_csv: "Télécharger le journal (CSV)",
    export_from_invalid: "Indiquez la date de début sous la forme AAAA-MM-JJ, par exemple 2027-01-01.",
    export_to_invalid: "Indiquez la date de fin sous la forme AAAA-MM-JJ, par exemple 2027-01-31.",
    export_period_invalid: "La date de fin doit suivre la date de début, au plus un an après.",
    agreement_link: "Convention de prêt à signer (PDF)",
    invitation_title: "Rejoindre votre structure",
    invitation_lead: "Vous êtes invité·e à rejoindre",
    invitation_as: "avec le rôle",
    role_admin: "administratrice ou administrateur",
    role_member: "membre",
    new_password: "Nouveau mot de passe",
    new_password_hint: "Au moins 10 caractères. Une phrase facile à retenir convient très bien.",
    password_confirmation: "Confirmez le mot de passe",
    invitation_button: "Créer mon compte",
    confirmation_differs: "Les deux mots de passe ne sont pas identiques.",
    link_expired_title: "Ce lien ne fonctionne plus",
    link_expired_text: "Ce lien a déjà servi, il a expiré ou il n'existe pas. Demandez une nouvelle invitation à l'administratrice de votre structure, ou un nouveau lien depuis « Mot de passe oublié ».",
    email_taken_meanwhile: "Un compte existe déjà pour cette adresse. Connectez-vous, ou demandez un nouveau mot de passe.",
    forgot_title: "Mot de passe oublié",
    forgot_lead: "Indiquez l'adresse e-mail de votre compte : nous vous envoyons un lien pour choisir un nouveau mot de passe. Le lien fonctionne une heure, une seule fois.",
    forgot_button: "Recevoir un lien",
    forgot_sent_title: "Regardez vos e-mails",
    forgot_sent_text: "Si cette adresse est celle d'un compte actif, un e-mail vient de partir avec un lien valable une heure. Pensez à regarder dans les indésirables.",
    email_invalid: "Indiquez une adresse e-mail, par exemple nom@exemple.fr.",
    reset_title: "Choisir un nouveau mot de passe",
    reset_lead: "Les connexions ouvertes avec l'ancien mot de passe seront fermées, sur tous les appareils.",
    reset_button: "Enregistrer le mot de passe",
    account_title: "Mon compte",
    account_signed_as: "Vous êtes connecté·e avec l'adresse",
    account_password_heading: "Changer de mot de passe",
    current_password: "Mot de passe actuel",
    current_password_wrong: "Ce n'est pas votre mot de passe actuel.",
    account_password_button: "Changer le mot de passe",
    account_password_done: "Votre mot de passe est changé. Vos autres connexions sont fermées.",
    account_locale_heading: "Langue",
    account_locale_legend: "Langue des pages et des e-mails",
    locale_fr: "Français",
    locale_en: "English",
    locale_invalid: "Choisissez le français ou l'anglais.",
    account_locale_button: "Enregistrer la langue",
    account_locale_done: "La langue est enregistrée.",
    members_title: "Membres",
    members_lead: "Les comptes de votre structure : invitez une collègue, changez un rôle, désactivez un compte.",
    members_heading: "Comptes",
    member_email: "Adresse e-mail",
    member_role: "Rôle",
    member_state: "État",
    member_actions: "Actions",
    member_active: "Actif",
    member_deactivated: "Désactivé",
    member_you: "C'est vous : une autre administratrice peut changer votre compte.",
    member_change_role: "Changer le rôle",
    member_deactivate: "Désactiver",
    member_reactivate: "Réactiver",
    member_role_of: "Rôle de",
    members_changed: "Le compte est modifié.",
    invite_heading: "Inviter une personne",
    invite_email_hint: "Elle recevra un lien valable 7 jours pour choisir son mot de passe.",
    invite_role: "Rôle",
    invite_locale: "Langue de l'e-mail",
    invite_button: "Envoyer l'invitation",
    invite_done: "L'invitation est envoyée.",
    invite_email_taken: "Cette adresse a déjà un compte.",
    role_invalid: "Choisissez membre ou administratrice.",
    invitations_heading: "Invitations",
    invitations_none: "Aucune invitation.",
    invitation_pending: "En attente, jusqu'au",
    invitation_accepted: "Acceptée",
    invitation_expired: "Expirée",
    legal_title: "Identité légale et facturation",
    legal_lead: "Ce que les factures disent de votre structure : SIRET, TVA, adresse, coordonnées bancaires et, pour un acheteur public, ce que Chorus Pro exige.",
    legal_saved: "Identité légale enregistrée. Les factures déjà émises gardent celle de leur émission.",
    legal_read_only: "Seuls les administrateurs de votre structure et l'agence peuvent la modifier.",
    legal_siret: "SIRET",
    legal_siret_hint: "14 chiffres, espaces permis.",
    legal_vat_id: "Numéro de TVA intracommunautaire",
    legal_vat_id_hint: "FR, une clé de 2 chiffres, puis le SIREN. Laissez vide si votre structure n'est pas assujettie, et donnez la mention ci-dessous.",
    legal_vat_exemption: "Mention d'exonération de TVA",
    legal_vat_exemption_hint: "Par exemple : TVA non applicable, art. 293 B du CGI.",
    legal_address_line: "Adresse (numéro et rue)",
    legal_postcode: "Code postal",
    legal_city: "Commune",
    legal_iban: "IBAN",
    legal_iban_hint: "Où vous êtes payé ; nécessaire pour émettre des factures.",
    legal_bic: "BIC",
    legal_electronic_address: "Adresse électronique de facturation",
    legal_electronic_address_hint: "Une adresse mail, un SIRET ou un SIREN.",
    legal_public_heading: "Acheteur public (Chorus Pro)",
    legal_public_buyer: "Notre structure est un acheteur public",
    legal_service_code_required: "Nous exigeons notre code service sur chaque facture",
    legal_commitment_required: "Nous exigeons un numéro d'engagement sur chaque facture",
    legal_button: "Enregistrer",
    legal_siret_invalid: "Un SIRET a 14 chiffres et une clé de contrôle valide : vérifiez-le sur votre avis de situation.",
    legal_vat_id_invalid: "Le numéro de TVA est FR, une clé calculée sur le SIREN de votre SIRET, puis ce SIREN.",
    legal_postcode_invalid: "Un code postal a 5 chiffres.",
    legal_iban_invalid: "Cet IBAN n'a pas une clé de contrôle valide (ou un BIC est donné sans IBAN).",
    legal_bic_invalid: "Un BIC a 8 ou 11 caractères, et va avec un IBAN.",
    legal_electronic_address_invalid: "Donnez une adresse mail, un SIRET ou un SIREN.",
    legal_public_buyer_invalid: "Seul un acheteur public exige un code service ou un numéro d'engagement.",
    legal_text_invalid: "Ce champ est requis (200 caractères au plus, sans caractère de contrôle) ; pour la TVA, un numéro ou une mention d'exonération.",
    colon: " :",
    error_csrf_title: "Ce formulaire a expiré",
    error_csrf_text: "Rien n'a été enregistré. Revenez à la page précédente, rechargez-la et envoyez le formulaire à nouveau.",
    error_not_found_title: "Page introuvable",
    error_not_found_text: "Cette page n'existe pas, ou elle concerne une autre structure que la vôtre.",
    error_forbidden_title: "Action non autorisée",
    error_forbidden_text: "Votre compte ne permet pas cette action. Rien n'a été modifié.",
    error_unavailable_title: "Service momentanément indisponible",
    error_unavailable_text: "Le service est très sollicité. Réessayez dans quelques instants.",
    error_refused_title: "Cette action n'est pas possible",
    error_refused_text: "Rien n'a été modifié. Revenez à la page précédente pour vérifier la situation.",
    error_internal_title: "Désolé, une erreur s'est produite",
    error_internal_text: "Rien n'a été modifié. L'erreur est enregistrée ; réessayez plus tard.",
    loan_created: "Votre demande est envoyée.",
    loan_created_text: "Le producteur va y répondre ; l'exemplaire vous est réservé en attendant.",
    loan_number: "Prêt n°",
    loan_status: "État :",
    loan_next_step: "Prochaine étape",
    loan_report_link: "Remplir l'état des lieux",
    loan_evaluation_link: "Donner le bilan du prêt",
    loan_dates: "Dates",
    loan_resource_link: "Voir la fiche de la ressource",
    loan_price: "Prix",
    loan_transport: "Transport",
    loan_history: "Historique",
    loan_history_caption: "Historique du prêt, du plus ancien au plus récent",
    loan_history_date: "Date",
    loan_history_event: "Événement",
    loan_cancel_heading: "Annuler",
    loan_cancel_button: "Annuler ce prêt",
    loan_use: "Utilisation",
    loan_use_days: "Jours d'utilisation",
    loan_delivery: "Livraison",
    loan_pickup: "Reprise",
    loan_held_until: "Réservé jusqu'au",
    loan_held_note: "sans réponse du producteur, la demande expire",
    loan_distance: "Distance du dépôt",
    loan_warning: "Attention",
    leg_outbound: "Aller",
    leg_return: "Retour",
    leg_transfer: "Transfert direct",
    price_caption: "Détail du prix",
    price_line: "Ligne",
    price_amount: "Montant",
    price_total: "Total à payer",
    back_to_loan: "Retour au prêt",
    report_arrival_title: "État des lieux d'arrivée",
    report_return_title: "État des lieux de retour",
    report_lead: "Comptez chaque élément. Indiquez combien sont présents et, parmi eux, combien sont abîmés. Un élément manquant ou abîmé envoie la ressource en réparation.",
    report_expected: "attendu(s)",
    report_present: "Présents",
    report_damaged: "Dont abîmés",
    report_grade: "État général, de 1 (inutilisable) à 5 (comme neuf)",
    report_grade_name: "l'état général",
    report_notes: "Remarques (facultatif)",
    report_button: "Envoyer l'état des lieux",
    evaluation_title: "Bilan du prêt",
    evaluation_done: "Merci, votre bilan est enregistré.",
    evaluation_visitors_short: "Visiteurs",
    evaluation_sessions_short: "Séances",
    evaluation_audiences_short: "Publics",
    evaluation_satisfaction_short: "Satisfaction",
    evaluation_out_of_5: "sur 5",
    evaluation_comment_short: "Commentaire",
    evaluation_visitors: "Nombre de visiteurs",
    evaluation_visitors_hint: "Toutes les personnes venues voir ou utiliser la ressource.",
    evaluation_visitors_name: "le nombre de visiteurs",
    evaluation_sessions: "Nombre de séances ou d'ateliers",
    evaluation_sessions_name: "le nombre de séances",
    evaluation_audiences: "Publics accueillis",
    evaluation_audiences_unknown: "Choisissez les publics dans la liste.",
    evaluation_audiences_missing: "Cochez au moins un public accueilli.",
    evaluation_satisfaction: "Satisfaction, de 1 (pas du tout satisfait) à 5 (très satisfait)",
    evaluation_satisfaction_name: "votre satisfaction",
    evaluation_comment: "Commentaire (facultatif)",
    evaluation_button: "Envoyer le bilan",
    back_to_search: "Retour à la recherche",
    resource_audiences: "Publics",
    resource_producer: "Producteur",
    resource_copies: "Exemplaires",
    resource_in_service: "en service",
    resource_floor_area: "Surface au sol",
    resource_weight: "Poids",
    resource_volume: "Volume",
    resource_crates: "Caisses",
    resource_setup: "Montage",
    resource_days: "jour(s)",
    resource_contents: "Contenu",
    resource_availability: "Disponibilités des quatre prochains mois",
    resource_availability_hint: "Jours où au moins un exemplaire est libre. Prévoyez aussi le transport et le montage avant le premier jour.",
    resource_no_free_day: "Aucun jour libre",
    resource_request_heading: "Votre prix et votre demande",
    first_day_of_use: "Premier jour d'utilisation",
    last_day_of_use: "Dernier jour d'utilisation",
    first_day_of_use_name: "le premier jour d'utilisation",
    last_day_of_use_name: "le dernier jour d'utilisation",
    last_day_before_first: "Le dernier jour doit être le même que le premier ou après.",
    first_day_past: "Le premier jour ne peut pas être déjà passé.",
    dates_unsuitable: "Ces dates ne conviennent pas",
    dates_impossible: "Dates impossibles",
    resource_see_price: "Voir mon prix",
    resource_free_nearby: "Dates libres proches",
    resource_your_price: "Votre prix",
    resource_price_caption: "Détail de votre prix",
    resource_deposit: "Caution (rendue si tout revient en bon état, non comprise dans le total) :",
    resource_request_button: "Demander cette ressource pour ces dates",
    media_heading: "Photos et documents",
    media_none: "Pas encore de photo ni de document pour cette ressource.",
    media_photos: "Photos",
    media_documents: "Documents à lire ou imprimer",
    media_enlarge: "agrandir",
    media_pdf_of: "PDF de",
    media_add_heading: "Ajouter une photo ou un document",
    media_add_hint: "Photos JPEG, PNG ou WebP (réduites par le service), documents PDF : guide de montage, livret enseignant, liste des caisses. 10 Mo au plus par fichier, 50 Mo pour la ressource.",
    media_title_label: "Titre (ce que c'est, par exemple « Guide de montage »)",
    media_file_label: "Fichier",
    media_add_button: "Ajouter le fichier",
    media_remove_button: "Retirer",
    media_title_missing: "Donnez un titre au fichier (200 caractères au plus).",
    media_file_missing: "Choisissez un fichier à envoyer.",
    media_wrong_type: "Ce fichier n'est ni une photo (JPEG, PNG, WebP) ni un document PDF : son contenu a été vérifié, pas son nom.",
    media_too_large: "Ce fichier dépasse 10 Mo.",
    media_resource_full: "Les fichiers de cette ressource dépasseraient 50 Mo ensemble : retirez-en un avant d'en ajouter.",
    media_unreadable: "Cette photo ne peut pas être lue : envoyez-la de nouveau ou dans un autre format.",
    media_megabytes: "Mo",
    media_kilobytes: "Ko",
    labels_link: "Imprimer les étiquettes des exemplaires",
    labels_title: "Étiquettes",
    labels_hint: "Imprimez cette page et collez une étiquette sur chaque caisse. Le code QR ouvre la fiche de l'exemplaire : au départ comme au retour, un téléphone mène droit au bon constat.",
    labels_qr_alt: "Code QR de la fiche de l'exemplaire",
    labels_none: "Cette ressource n'a pas encore d'exemplaire.",
    copy_title: "Exemplaire",
    copy_of: "de la ressource",
    copy_status: "État",
    copy_grade: "Note d'état",
    copy_grade_of: "sur 5",
    copy_loans: "Prêts en cours et à venir",
    copy_no_loan: "Aucun prêt en cours ni à venir que vous puissiez voir.",
    copy_open_loan: "Voir le prêt",
    copy_report: "Faire le constat",
    request_no_copy: "Aucun exemplaire n'est libre à ces dates, ni dans les six mois autour. Choisissez une autre ressource.",
    request_no_copy_alternatives: "Aucun exemplaire n'est libre à ces dates. Choisissez d'autres dates (propositions ci-dessous).",
    request_limit: "Vous avez déjà le nombre maximal de demandes en attente. Attendez une réponse ou annulez une demande.",
    find_age_name: "l'âge des visiteurs",
    first_day_name: "le premier jour",
    last_day_name: "le dernier jour",
    find_last_before_first: "Le dernier jour doit être après le premier jour.",
    search_impossible: "Recherche impossible",
    find_lead: "Expositions, malles pédagogiques, kits et maquettes, autour de votre structure.",
    find_words: "Mots-clés",
    find_words_hint: "Par exemple : eau, énergie, planétarium.",
    find_age: "Âge des visiteurs, en années (facultatif)",
    find_age_hint: "Par exemple 10 : les ressources dont les publics comprennent cet âge.",
    find_distance: "Distance de votre structure",
    find_within: "À moins de",
    find_whole_region: "Toute la région",
    find_any_hint: "Cochez plusieurs cases pour chercher l'une ou l'autre ; sans case cochée, tout est cherché.",
    find_themes: "Thèmes",
    find_kinds: "Types",
    find_dates: "Dates d'utilisation (facultatif)",
    find_first_day: "Premier jour",
    find_last_day: "Dernier jour",
    find_button: "Rechercher",
    find_results: "Résultats",
    find_none: "Aucune ressource ne correspond à moins de",
    find_km_of_you: "km de votre structure",
    find_on_these_dates: "à ces dates",
    find_nearest_beyond: "La plus proche au-delà de",
    find_total_within: "ressource(s) à moins de",
    find_on_this_page: "sur cette page",
    find_nearest_first: "la plus proche d'abord. Les prix sont les vôtres, avec la tarification rurale et les aides dont vous bénéficiez.",
    find_distance_short: "Distance",
    find_availability: "Disponibilité",
    find_next_page: "Résultats suivants",
    find_for_your_dates: "pour vos dates",
    find_free_on_your_dates: "Libre à vos dates",
    find_for_a_week: "pour une semaine",
    find_free: "Libre",
    find_price_by_dates: "Prix selon les dates",
    find_no_free_week: "Pas de semaine libre dans les quatre prochains mois",
    loans_calendar: "Vos prêts dans votre agenda :",
    loans_calendar_link: "le lien d'agenda de mes prêts",
    loans_none: "Aucun prêt pour l'instant.",
    loans_caption: "Tous les prêts de votre structure, les plus récents d'abord",
    loans_resource: "Ressource",
    loans_status: "État",
    invoices_none: "Aucune facture pour l'instant. Une facture est émise quand un prêt est rendu.",
    invoices_caption: "Factures et avoirs, les plus récents d'abord",
    invoice_number: "Numéro",
    invoice_kind: "Type",
    invoice_date: "Date",
    invoice_loan: "Prêt",
};

/// English.
pub static EN: Texts = Texts {
    error_summary: "There is a problem",
    error_prefix: "Error:",
    back_home: "Back to the home page",
    login_title: "Log in",
    login_lead: "Log in to find a resource, request it and follow your loans.",
    email: "E-mail address",
    password: "Password",
    login_button: "Log in",
    forgot_link: "Forgotten your password?",
    email_missing: "Enter your e-mail address.",
    password_missing: "Enter your password.",
    login_wrong: "The e-mail address or the password is wrong.",
    notice_password_reset: "Your password is changed. Log in with the new one.",
    home_title: "Home",
    home_hello: "Hello",
    home_today: "Today is",
    home_find: "Find a resource",
    home_current: "My current loans",
    home_none: "You have no current loan.",
    home_none_link: "Look for an exhibition, a trunk or a kit near you",
    home_use: "in use from",
    home_to: "to",
    home_delivery: "delivered on",
    home_todo: "To do:",
    home_all_loans: "See all my loans",
    find_title: "Find a resource",
    loans_title: "My loans",
    loan_title: "Loan",
    invoices_title: "My invoices",
    invoices_document: "Document",
    invoices_pdf: "PDF (Factur-X)",
    invoices_list: "Invoices and credit notes",
    resource_school_holidays: "School holidays",
    loan_decide_heading: "Answer the request",
    loan_next_decide: "Approve or reject this request (at the bottom of the page); without an answer it expires on the date shown.",
    loan_decide_note: "Your message to the venue (optional)",
    loan_decide_hint: "The venue reads it in the mail announcing your answer and on the loan page. 1,000 characters at most.",
    loan_approve_button: "Approve the request",
    loan_reject_button: "Reject the request",
    export_heading: "Export a period",
    export_lead: "For your accountant or a deposit on Chorus Pro: the invoices and credit notes issued between two dates, as Factur-X PDFs with their journal (ZIP), or the journal alone (CSV for a spreadsheet). One year at most.",
    export_from: "From (YYYY-MM-DD)",
    export_to: "To (YYYY-MM-DD)",
    export_zip: "Download the PDFs and the journal (ZIP)",
    export_csv: "Download the journal (CSV)",
    export_from_invalid: "Give the start date as YYYY-MM-DD, for example 2027-01-01.",
    export_to_invalid: "Give the end date as YYYY-MM-DD, for example 2027-01-31.",
    export_period_invalid: "The end date must follow the start date, at most one year later.",
    agreement_link: "Loan agreement to sign (PDF)",
    invitation_title: "Join your organisation",
    invitation_lead: "You are invited to join",
    invitation_as: "as",
    role_admin: "administrator",
    role_member: "member",
    new_password: "New password",
    new_password_hint: "At least 10 characters. An easy-to-remember sentence is fine.",
    password_confirmation: "Confirm the password",
    invitation_button: "Create my account",
    confirmation_differs: "The two passwords are not the same.",
    link_expired_title: "This link no longer works",
    link_expired_text: "This link was already used, has expired or does not exist. Ask your organisation's administrator for a new invitation, or for a new link from \"Forgotten your password?\".",
    email_taken_meanwhile: "An account already exists for this address. Log in, or ask for a new password.",
    forgot_title: "Forgotten password",
    forgot_lead: "Enter your account's e-mail address: we send you a link to choose a new password. The link works for one hour, once.",
    forgot_button: "Send me a link",
    forgot_sent_title: "Check your e-mail",
    forgot_sent_text: "If this address belongs to an active account, an e-mail has just been sent with a link valid for one hour. Look in your spam folder too.",
    email_invalid: "Enter an e-mail address, for example name@example.org.",
    reset_title: "Choose a new password",
    reset_lead: "Sessions opened with the old password will end, on every device.",
    reset_button: "Save the password",
    account_title: "My account",
    account_signed_as: "You are logged in with the address",
    account_password_heading: "Change your password",
    current_password: "Current password",
    current_password_wrong: "This is not your current password.",
    account_password_button: "Change the password",
    account_password_done: "Your password is changed. Your other sessions have ended.",
    account_locale_heading: "Language",
    account_locale_legend: "Language of the pages and e-mails",
    locale_fr: "Français",
    locale_en: "English",
    locale_invalid: "Choose French or English.",
    account_locale_button: "Save the language",
    account_locale_done: "The language is saved.",
    members_title: "Members",
    members_lead: "Your organisation's accounts: invite a colleague, change a role, deactivate an account.",
    members_heading: "Accounts",
    member_email: "E-mail address",
    member_role: "Role",
    member_state: "State",
    member_actions: "Actions",
    member_active: "Active",
    member_deactivated: "Deactivated",
    member_you: "This is you: another administrator can change your account.",
    member_change_role: "Change the role",
    member_deactivate: "Deactivate",
    member_reactivate: "Reactivate",
    member_role_of: "Role of",
    members_changed: "The account is changed.",
    invite_heading: "Invite someone",
    invite_email_hint: "They will get a link valid for 7 days to choose their password.",
    invite_role: "Role",
    invite_locale: "Language of the e-mail",
    invite_button: "Send the invitation",
    invite_done: "The invitation is sent.",
    invite_email_taken: "This address already has an account.",
    role_invalid: "Choose member or administrator.",
    invitations_heading: "Invitations",
    invitations_none: "No invitation.",
    invitation_pending: "Pending, until",
    invitation_accepted: "Accepted",
    invitation_expired: "Expired",
    legal_title: "Legal identity and invoicing",
    legal_lead: "What invoices say about your organisation: SIRET, VAT, address, bank details and, for a public buyer, what Chorus Pro requires.",
    legal_saved: "Legal identity saved. Invoices already issued keep the identity they were issued with.",
    legal_read_only: "Only your organisation's administrators and the agency may change it.",
    legal_siret: "SIRET",
    legal_siret_hint: "14 digits, spaces allowed.",
    legal_vat_id: "Intra-community VAT number",
    legal_vat_id_hint: "FR, a 2-digit key, then the SIREN. Leave empty if your organisation is not subject to VAT, and give the mention below.",
    legal_vat_exemption: "VAT exemption mention",
    legal_vat_exemption_hint: "For example: TVA non applicable, art. 293 B du CGI.",
    legal_address_line: "Address (number and street)",
    legal_postcode: "Post code",
    legal_city: "Town",
    legal_iban: "IBAN",
    legal_iban_hint: "Where you are paid; needed to issue invoices.",
    legal_bic: "BIC",
    legal_electronic_address: "Electronic invoicing address",
    legal_electronic_address_hint: "An e-mail address, a SIRET or a SIREN.",
    legal_public_heading: "Public buyer (Chorus Pro)",
    legal_public_buyer: "Our organisation is a public buyer",
    legal_service_code_required: "We require our service code on every invoice",
    legal_commitment_required: "We require a commitment number on every invoice",
    legal_button: "Save",
    legal_siret_invalid: "A SIRET has 14 digits and a valid check key: check it on your INSEE notice.",
    legal_vat_id_invalid: "The VAT number is FR, a key computed from your SIRET's SIREN, then that SIREN.",
    legal_postcode_invalid: "A post code has 5 digits.",
    legal_iban_invalid: "This IBAN's check digits are wrong (or a BIC is given without an IBAN).",
    legal_bic_invalid: "A BIC has 8 or 11 characters and goes with an IBAN.",
    legal_electronic_address_invalid: "Give an e-mail address, a SIRET or a SIREN.",
    legal_public_buyer_invalid: "Only a public buyer requires a service code or a commitment number.",
    legal_text_invalid: "This field is required (200 characters at most, no control characters); for VAT, a number or an exemption mention.",
    colon: ":",
    error_csrf_title: "This form has expired",
    error_csrf_text: "Nothing was saved. Go back to the previous page, reload it and send the form again.",
    error_not_found_title: "Page not found",
    error_not_found_text: "This page does not exist, or it belongs to another organisation than yours.",
    error_forbidden_title: "Action not allowed",
    error_forbidden_text: "Your account does not allow this action. Nothing was changed.",
    error_unavailable_title: "Service briefly unavailable",
    error_unavailable_text: "The service is very busy. Try again in a few moments.",
    error_refused_title: "This action is not possible",
    error_refused_text: "Nothing was changed. Go back to the previous page to check the situation.",
    error_internal_title: "Sorry, something went wrong",
    error_internal_text: "Nothing was changed. The error is logged; try again later.",
    loan_created: "Your request is sent.",
    loan_created_text: "The producer will answer it; the copy is held for you meanwhile.",
    loan_number: "Loan no.",
    loan_status: "Status:",
    loan_next_step: "Next step",
    loan_report_link: "Fill in the condition report",
    loan_evaluation_link: "Give your evaluation of the loan",
    loan_dates: "Dates",
    loan_resource_link: "See the resource's page",
    loan_price: "Price",
    loan_transport: "Transport",
    loan_history: "History",
    loan_history_caption: "The loan's history, oldest first",
    loan_history_date: "Date",
    loan_history_event: "Event",
    loan_cancel_heading: "Cancel",
    loan_cancel_button: "Cancel this loan",
    loan_use: "Use",
    loan_use_days: "Days of use",
    loan_delivery: "Delivery",
    loan_pickup: "Collection",
    loan_held_until: "Held until",
    loan_held_note: "without an answer from the producer, the request expires",
    loan_distance: "Distance from the depot",
    loan_warning: "Warning",
    leg_outbound: "Outbound",
    leg_return: "Return",
    leg_transfer: "Direct transfer",
    price_caption: "Price details",
    price_line: "Line",
    price_amount: "Amount",
    price_total: "Total to pay",
    back_to_loan: "Back to the loan",
    report_arrival_title: "Arrival condition report",
    report_return_title: "Return condition report",
    report_lead: "Count every item. Say how many are present and, of those, how many are damaged. A missing or damaged item sends the resource for repair.",
    report_expected: "expected",
    report_present: "Present",
    report_damaged: "Of which damaged",
    report_grade: "Overall condition, from 1 (unusable) to 5 (as new)",
    report_grade_name: "the overall condition",
    report_notes: "Remarks (optional)",
    report_button: "Send the condition report",
    evaluation_title: "Evaluation of the loan",
    evaluation_done: "Thank you, your evaluation is saved.",
    evaluation_visitors_short: "Visitors",
    evaluation_sessions_short: "Sessions",
    evaluation_audiences_short: "Audiences",
    evaluation_satisfaction_short: "Satisfaction",
    evaluation_out_of_5: "out of 5",
    evaluation_comment_short: "Comment",
    evaluation_visitors: "Number of visitors",
    evaluation_visitors_hint: "Everyone who came to see or use the resource.",
    evaluation_visitors_name: "the number of visitors",
    evaluation_sessions: "Number of sessions or workshops",
    evaluation_sessions_name: "the number of sessions",
    evaluation_audiences: "Audiences welcomed",
    evaluation_audiences_unknown: "Choose the audiences from the list.",
    evaluation_audiences_missing: "Tick at least one audience welcomed.",
    evaluation_satisfaction: "Satisfaction, from 1 (not at all satisfied) to 5 (very satisfied)",
    evaluation_satisfaction_name: "your satisfaction",
    evaluation_comment: "Comment (optional)",
    evaluation_button: "Send the evaluation",
    back_to_search: "Back to the search",
    resource_audiences: "Audiences",
    resource_producer: "Producer",
    resource_copies: "Copies",
    resource_in_service: "in service",
    resource_floor_area: "Floor area",
    resource_weight: "Weight",
    resource_volume: "Volume",
    resource_crates: "Crates",
    resource_setup: "Set-up",
    resource_days: "day(s)",
    resource_contents: "Contents",
    resource_availability: "Availability over the next four months",
    resource_availability_hint: "Days when at least one copy is free. Allow for transport and set-up before the first day too.",
    resource_no_free_day: "No free day",
    resource_request_heading: "Your price and your request",
    first_day_of_use: "First day of use",
    last_day_of_use: "Last day of use",
    first_day_of_use_name: "the first day of use",
    last_day_of_use_name: "the last day of use",
    last_day_before_first: "The last day must be the same as the first or after.",
    first_day_past: "The first day cannot be in the past.",
    dates_unsuitable: "These dates do not suit",
    dates_impossible: "Impossible dates",
    resource_see_price: "See my price",
    resource_free_nearby: "Free dates nearby",
    resource_your_price: "Your price",
    resource_price_caption: "Details of your price",
    resource_deposit: "Deposit (returned if everything comes back in good condition, not included in the total):",
    resource_request_button: "Request this resource for these dates",
    media_heading: "Photos and documents",
    media_none: "No photo or document for this resource yet.",
    media_photos: "Photos",
    media_documents: "Documents to read or print",
    media_enlarge: "enlarge",
    media_pdf_of: "PDF of",
    media_add_heading: "Add a photo or a document",
    media_add_hint: "JPEG, PNG or WebP photos (resized by the service), PDF documents: setup guide, teacher booklet, crate list. At most 10 MB a file, 50 MB for the resource.",
    media_title_label: "Title (what it is, e.g. “Setup guide”)",
    media_file_label: "File",
    media_add_button: "Add the file",
    media_remove_button: "Remove",
    media_title_missing: "Give the file a title (at most 200 characters).",
    media_file_missing: "Choose a file to send.",
    media_wrong_type: "This file is neither a photo (JPEG, PNG, WebP) nor a PDF document: its content was checked, not its name.",
    media_too_large: "This file is larger than 10 MB.",
    media_resource_full: "This resource's files would exceed 50 MB together: remove one before adding another.",
    media_unreadable: "This photo cannot be read: send it again or in another format.",
    media_megabytes: "MB",
    media_kilobytes: "KB",
    labels_link: "Print the copies' labels",
    labels_title: "Labels",
    labels_hint: "Print this page and stick one label on each crate. The QR code opens the copy's page: at packing and unpacking, a phone leads straight to the right condition report.",
    labels_qr_alt: "QR code of the copy's page",
    labels_none: "This resource has no copy yet.",
    copy_title: "Copy",
    copy_of: "of the resource",
    copy_status: "Status",
    copy_grade: "Condition grade",
    copy_grade_of: "out of 5",
    copy_loans: "Loans under way and to come",
    copy_no_loan: "No loan under way or to come that you may see.",
    copy_open_loan: "See the loan",
    copy_report: "Fill in the condition report",
    request_no_copy: "No copy is free on these dates, nor in the six months around them. Choose another resource.",
    request_no_copy_alternatives: "No copy is free on these dates. Choose other dates (suggestions below).",
    request_limit: "You already have the most requests allowed waiting for an answer. Wait for an answer or cancel a request.",
    find_age_name: "the visitors' age",
    first_day_name: "the first day",
    last_day_name: "the last day",
    find_last_before_first: "The last day must be after the first day.",
    search_impossible: "Search impossible",
    find_lead: "Exhibitions, educational trunks, kits and models, around your organisation.",
    find_words: "Keywords",
    find_words_hint: "For example: eau, énergie, planétarium (the catalogue is in French).",
    find_age: "Visitors' age, in years (optional)",
    find_age_hint: "For example 10: the resources whose audiences include this age.",
    find_distance: "Distance from your organisation",
    find_within: "Within",
    find_whole_region: "The whole region",
    find_any_hint: "Tick several boxes to look for any of them; with none ticked, everything is searched.",
    find_themes: "Themes",
    find_kinds: "Kinds",
    find_dates: "Dates of use (optional)",
    find_first_day: "First day",
    find_last_day: "Last day",
    find_button: "Search",
    find_results: "Results",
    find_none: "No resource matches within",
    find_km_of_you: "km of your organisation",
    find_on_these_dates: "on these dates",
    find_nearest_beyond: "The nearest beyond",
    find_total_within: "resource(s) within",
    find_on_this_page: "on this page",
    find_nearest_first: "nearest first. The prices are yours, with the rural rates and the grants you are entitled to.",
    find_distance_short: "Distance",
    find_availability: "Availability",
    find_next_page: "Next results",
    find_for_your_dates: "for your dates",
    find_free_on_your_dates: "Free on your dates",
    find_for_a_week: "for a week",
    find_free: "Free",
    find_price_by_dates: "Price depending on the dates",
    find_no_free_week: "No free week in the next four months",
    loans_calendar: "Your loans in your calendar:",
    loans_calendar_link: "my loans' calendar link",
    loans_none: "No loan yet.",
    loans_caption: "All your organisation's loans, newest first",
    loans_resource: "Resource",
    loans_status: "Status",
    invoices_none: "No invoice yet. An invoice is issued when a loan is returned.",
    invoices_caption: "Invoices and credit notes, newest first",
    invoice_number: "Number",
    invoice_kind: "Type",
    invoice_date: "Date",
    invoice_loan: "Loan",
};

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_browser_s_first_french_or_english_wins_and_french_is_the_default() {
        assert_eq!(Lang::of_accept_language(""), Lang::Fr);
        assert_eq!(Lang::of_accept_language("de-DE,de;q=0.9"), Lang::Fr);
        assert_eq!(
            Lang::of_accept_language("en-GB,en;q=0.9,fr;q=0.8"),
            Lang::En
        );
        assert_eq!(
            Lang::of_accept_language("fr-FR,fr;q=0.9,en;q=0.8"),
            Lang::Fr
        );
        assert_eq!(Lang::of_accept_language("de,en;q=0.5,fr;q=0.7"), Lang::Fr);
        assert_eq!(Lang::of_accept_language("en;q=0,fr;q=0.1"), Lang::Fr);
        assert_eq!(Lang::of_locale("en"), Lang::En);
        assert_eq!(Lang::of_locale("fr"), Lang::Fr);
        let d = NaiveDate::from_ymd_opt(2027, 1, 12).unwrap();
        assert_eq!(Lang::En.day(d), "Tuesday 12 January 2027");
    }
}
