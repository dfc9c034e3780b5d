//! Mail templates, one file per event kind and language under `src/notify/templates/`, named
//! after the kind's variant (`BookingApproved.<fr|en>.txt`, so that the event's dotted name stays
//! written once, in `outbox::EventKind`), with `--- subject`, `--- text` and `--- html` sections,
//! compiled in and looked up by the kind. Placeholders are `{{name}}`; values are HTML-escaped
//! in the HTML body.

use std::collections::HashMap;

use crate::outbox::EventKind;

/// Both languages of each kind's template files, compiled in.
macro_rules! templates {
    ($($kind:ident),* $(,)?) => {
        &[$(
            (EventKind::$kind, "fr", include_str!(concat!("templates/", stringify!($kind), ".fr.txt"))),
            (EventKind::$kind, "en", include_str!(concat!("templates/", stringify!($kind), ".en.txt"))),
        )*]
    };
}

/// The templates shipped: (event kind, locale, file text).
const TEMPLATES: &[(EventKind, &str, &str)] = templates!(
    // Account mails (src/account): sent to one address, never muted.
    AccountInvitation,
    AccountPasswordReset,
    BookingRequested,
    BookingApproved,
    BookingRejected,
    BookingDispatched,
    BookingHoldExpiring,
    BookingDeliveryDue,
    BookingReturnDue,
    BookingOverdue,
    BookingFlagged,
    BookingRescheduled,
    AllocationRefused,
    CopyMaintenanceDue,
    WebhookDisabled,
);

/// A mail ready to send.
#[derive(Debug, Clone, PartialEq)]
pub struct Rendered {
    pub subject: String,
    pub text: String,
    pub html: String,
}

/// Whether mail exists for an event kind.
pub fn has_template(kind: EventKind) -> bool {
    TEMPLATES.iter().any(|(k, _, _)| *k == kind)
}

fn section<'a>(file: &'a str, name: &str) -> &'a str {
    let marker = format!("--- {name}\n");
    file.split_once(&marker)
        .map(|(_, rest)| rest.split("\n--- ").next().unwrap_or(rest))
        .unwrap_or("")
        .trim()
}

fn escape_html(value: &str) -> String {
    value
        .replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
        .replace('\'', "&#39;")
}

fn fill(template: &str, values: &HashMap<&str, String>, escape: bool) -> String {
    let mut out = template.to_string();
    for (name, value) in values {
        let value = if escape {
            escape_html(value)
        } else {
            value.clone()
        };
        out = out.replace(&format!("{{{{{name}}}}}"), &value);
    }
    out
}

/// Renders an event's mail in a locale (`en`, else French). `None` without a template.
pub fn render(kind: EventKind, locale: &str, values: &HashMap<&str, String>) -> Option<Rendered> {
    let locale = if locale == "en" { "en" } else { "fr" };
    let (_, _, file) = TEMPLATES
        .iter()
        .find(|(k, l, _)| *k == kind && *l == locale)?;
    Some(Rendered {
        // A subject is one line: no value may break it.
        subject: fill(section(file, "subject"), values, false).replace(['\r', '\n'], " "),
        text: fill(section(file, "text"), values, false),
        html: fill(section(file, "html"), values, true),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_template_has_its_sections_and_both_languages() {
        for (kind, locale, file) in TEMPLATES {
            for name in ["subject", "text", "html"] {
                assert!(
                    !section(file, name).is_empty(),
                    "{kind}.{locale}: no {name}"
                );
            }
            let other = if *locale == "fr" { "en" } else { "fr" };
            assert!(TEMPLATES.iter().any(|(k, l, _)| k == kind && *l == other));
        }
    }

    #[test]
    fn every_mail_kind_has_its_template() {
        for kind in crate::outbox::MailKind::ALL {
            assert!(has_template(kind.get()), "{kind}");
        }
    }

    #[test]
    fn values_fill_and_are_escaped_in_html_only() {
        let values = HashMap::from([
            ("resource", "Sons & <lumières>".to_string()),
            ("venue", "Médiathèque\nd'Achery".to_string()),
            ("commune", "Achery".to_string()),
            ("starts_on", "2027-03-01".to_string()),
            ("ends_on", "2027-03-10".to_string()),
            ("copy", "EXP-1".to_string()),
            ("hold_until", "2026-12-01".to_string()),
            ("link", "http://x/bookings/1".to_string()),
        ]);
        let fr = render(EventKind::BookingRequested, "fr", &values).unwrap();
        assert!(!fr.subject.contains('\n'));
        assert!(fr
            .subject
            .starts_with("Nouvelle demande : Sons & <lumières>"));
        assert!(fr.text.contains("http://x/bookings/1"));
        assert!(fr.html.contains("Sons &amp; &lt;lumières&gt;"));
        assert!(!fr.html.contains("{{"));
        let en = render(EventKind::BookingRequested, "en", &values).unwrap();
        assert!(en.subject.starts_with("New request"));
        assert!(render(EventKind::BookingRequested, "de", &values)
            .unwrap()
            .subject
            .starts_with("Nouvelle"));
        assert!(render(EventKind::BookingClosed, "fr", &values).is_none());
    }
}
