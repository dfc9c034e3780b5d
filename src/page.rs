//! What the service's HTML pages outside the portal (the public observatory, the drivers' day
//! sheets) share with the portal's: the frame that `templates/portal/base.html` reads, and numbers
//! and dates written the French way (`92 085,44`, `18,3`, `04/12/2026`). Kernel: no database, no
//! domain, so that every domain's page can use it without importing the portal.

use chrono::NaiveDate;

/// The words of the frame every page shares (skip link, navigation, logout, footer), in one
/// language: the portal's pages and the public ones read the same.
pub struct FrameWords {
    pub skip_link: &'static str,
    pub nav_label: &'static str,
    pub nav_home: &'static str,
    pub nav_find: &'static str,
    pub nav_loans: &'static str,
    pub nav_invoices: &'static str,
    pub nav_legal: &'static str,
    pub nav_members: &'static str,
    pub nav_account: &'static str,
    pub log_out: &'static str,
    pub footer_accessibility: &'static str,
    pub footer_observatory: &'static str,
    pub footer_api: &'static str,
}

/// The frame's words in French (the default).
pub static FRAME_FR: FrameWords = FrameWords {
    skip_link: "Aller au contenu",
    nav_label: "Menu principal",
    nav_home: "Accueil",
    nav_find: "Trouver une ressource",
    nav_loans: "Mes prêts",
    nav_invoices: "Mes factures",
    nav_legal: "Identité légale",
    nav_members: "Membres",
    nav_account: "Mon compte",
    log_out: "Se déconnecter",
    footer_accessibility: "Accessibilité : partiellement conforme",
    footer_observatory: "Observatoire",
    footer_api: "API pour les partenaires",
};

/// The frame's words in English.
pub static FRAME_EN: FrameWords = FrameWords {
    skip_link: "Skip to content",
    nav_label: "Main menu",
    nav_home: "Home",
    nav_find: "Find a resource",
    nav_loans: "My loans",
    nav_invoices: "My invoices",
    nav_legal: "Legal identity",
    nav_members: "Members",
    nav_account: "My account",
    log_out: "Log out",
    footer_accessibility: "Accessibility: partially compliant",
    footer_observatory: "Observatory",
    footer_api: "API for partners",
};

/// An entry some visitors' menus add (a producer's requests and fleet): `key` is what a page
/// names as its current entry.
pub struct NavEntry {
    pub key: &'static str,
    pub href: &'static str,
    pub label: &'static str,
}

impl NavEntry {
    /// A menu from its entries as (key, path, label), in the order shown: one line an entry.
    pub fn menu(entries: &[(&'static str, &'static str, &'static str)]) -> Vec<NavEntry> {
        entries
            .iter()
            .map(|&(key, href, label)| NavEntry { key, href, label })
            .collect()
    }
}

/// The frame of a page drawn with the portal's layout by someone without a session: the fields
/// `templates/portal/base.html` reads (the portal's own `Layout` has the same, plus its
/// constructor for a signed-in visitor).
pub struct Frame {
    pub title: String,
    /// Never set here: the organisation and logout token of a signed-in visitor.
    pub signed_in: Option<(String, String)>,
    /// The navigation entry of the page (none outside the portal).
    pub current: &'static str,
    /// `<html lang>`: these pages are in French.
    pub lang: &'static str,
    /// The frame's words.
    pub words: &'static FrameWords,
    /// Never set here (the "Membres" entry of an administrator).
    pub admin: bool,
    /// Never set here (the entries that replace "Accueil": the agency's network and coverage).
    pub lead: Vec<NavEntry>,
    /// Never set here (the entries a kind of organisation adds to its menu).
    pub nav: Vec<NavEntry>,
}

impl Frame {
    /// The frame of a public page.
    pub fn public(title: impl Into<String>) -> Frame {
        Frame {
            title: title.into(),
            signed_in: None,
            current: "",
            lang: "fr",
            words: &FRAME_FR,
            admin: false,
            lead: Vec::new(),
            nav: Vec::new(),
        }
    }
}

/// The thousands separator of French numbers: a narrow no-break space (U+202F).
pub const THOUSANDS: char = '\u{202f}';

/// Digits grouped by three with [`THOUSANDS`].
fn grouped(digits: &str) -> String {
    let mut out = String::with_capacity(digits.len() + digits.len() / 3 * 3);
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push(THOUSANDS);
        }
        out.push(c);
    }
    out
}

/// A whole number the French way: `92 085`, `−12`.
pub fn integer(n: i64) -> String {
    let sign = if n < 0 { "−" } else { "" };
    format!("{sign}{}", grouped(&n.unsigned_abs().to_string()))
}

/// A number with `places` decimals the French way: `92 085,44`, `0,318`, `18,3`.
pub fn decimal(value: f64, places: usize) -> String {
    if !value.is_finite() {
        return "—".to_string();
    }
    let text = format!("{:.*}", places, value.abs());
    let (units, fraction) = text.split_once('.').unwrap_or((&text, ""));
    let zero = text.chars().all(|c| c == '0' || c == '.');
    let sign = if value < 0.0 && !zero { "−" } else { "" };
    if fraction.is_empty() {
        format!("{sign}{}", grouped(units))
    } else {
        format!("{sign}{},{fraction}", grouped(units))
    }
}

/// A percentage the French way, with a no-break space before the sign: `18,3 %`.
pub fn percent(value: f64, places: usize) -> String {
    format!("{}\u{a0}%", decimal(value, places))
}

/// Cents as euros without the sign: `92 085,44`.
pub fn cents(c: i64) -> String {
    let sign = if c < 0 { "−" } else { "" };
    let abs = c.unsigned_abs();
    format!(
        "{sign}{},{:02}",
        grouped(&(abs / 100).to_string()),
        abs % 100
    )
}

/// An amount typed by a person, in euros, as cents: `150`, `82,50`, `1 234.5 €`; `None` when it is
/// not one (more than two decimals, letters, a sign).
pub fn parse_euros(text: &str) -> Option<i64> {
    let cleaned: String = text
        .trim()
        .trim_end_matches('€')
        .chars()
        .filter(|c| !c.is_whitespace() && *c != '\u{a0}' && *c != '\u{202f}')
        .collect();
    let (units, fraction) = match cleaned.split_once([',', '.']) {
        Some((u, f)) => (u, Some(f)),
        None => (cleaned.as_str(), None),
    };
    let digits = |s: &str| !s.is_empty() && s.chars().all(|c| c.is_ascii_digit());
    let fraction = match fraction {
        Some(f) if digits(f) && f.len() <= 2 => f,
        Some(_) => return None,
        None => "",
    };
    if !digits(units) {
        return None;
    }
    let euros: i64 = units.parse().ok()?;
    let cents: i64 = format!("{fraction:0<2}").parse().ok()?;
    euros.checked_mul(100)?.checked_add(cents)
}

/// A number typed by a person, with a decimal comma or point: `2,5`, `12`.
pub fn parse_decimal(text: &str) -> Option<f64> {
    text.trim()
        .replace(',', ".")
        .parse::<f64>()
        .ok()
        .filter(|x| x.is_finite())
}

/// An amount for people: `1 234,50 €` (invoices, quotes, PDFs: one way to write money).
pub fn euros(c: i64) -> String {
    format!("{}\u{a0}€", cents(c))
}

/// A date the French way: `04/12/2026`.
pub fn date(d: NaiveDate) -> String {
    d.format("%d/%m/%Y").to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn typed_euros_become_cents_and_anything_else_is_refused() {
        assert_eq!(parse_euros("150"), Some(15_000));
        assert_eq!(parse_euros("82,50"), Some(8_250));
        assert_eq!(parse_euros("82,5"), Some(8_250));
        assert_eq!(parse_euros(" 1 234.05 € "), Some(123_405));
        assert_eq!(parse_euros("1\u{202f}234,00"), Some(123_400));
        for bad in ["", "-5", "12,345", "douze", "1,2,3", ",50", "5,"] {
            assert_eq!(parse_euros(bad), None, "{bad}");
        }
        assert_eq!(parse_decimal("2,5"), Some(2.5));
        assert_eq!(parse_decimal("NaN"), None);
    }

    #[test]
    fn numbers_and_dates_read_the_french_way() {
        assert_eq!(cents(9_208_544), "92\u{202f}085,44");
        assert_eq!(cents(-5), "−0,05");
        assert_eq!(integer(1_234_567), "1\u{202f}234\u{202f}567");
        assert_eq!(integer(999), "999");
        assert_eq!(integer(-1000), "−1\u{202f}000");
        assert_eq!(decimal(18.25, 1), "18,2");
        assert_eq!(decimal(92085.444, 2), "92\u{202f}085,44");
        assert_eq!(decimal(0.3181, 3), "0,318");
        assert_eq!(decimal(1234.6, 0), "1\u{202f}235");
        assert_eq!(decimal(-0.001, 1), "0,0");
        assert_eq!(decimal(f64::NAN, 1), "—");
        assert_eq!(percent(18.25, 1), "18,2\u{a0}%");
        assert_eq!(
            date(NaiveDate::from_ymd_opt(2026, 12, 4).unwrap()),
            "04/12/2026"
        );
    }

    #[test]
    fn amounts_in_french() {
        assert_eq!(euros(123_456), "1\u{202f}234,56\u{a0}€");
        assert_eq!(euros(-5), "−0,05\u{a0}€");
        assert_eq!(euros(100_000_000), "1\u{202f}000\u{202f}000,00\u{a0}€");
    }
}
