//! Legal identities of the demo organisations (issue 26): plausible identifiers with valid keys
//! (SIRET Luhn, VAT key, IBAN mod 97), drawn from each organisation's stable key so that a second
//! load gives the same ones. They are made up, not real bodies' numbers.

use super::network::DemoOrg;
use crate::organization::legal::{iban_with_key, vat_number_of, LegalIdentityInput};

/// 64-bit FNV-1a of the organisation's key: the draw behind its numbers.
fn draw(key: &str) -> u64 {
    key.bytes().fold(0xcbf2_9ce4_8422_2325, |h, b| {
        (h ^ u64::from(b)).wrapping_mul(0x0100_0000_01b3)
    })
}

/// The digit completing `digits` to a valid Luhn number.
fn luhn_digit(digits: &str) -> char {
    for d in b'0'..=b'9' {
        let candidate = format!("{digits}{}", d as char);
        let mut sum = 0u32;
        for (i, c) in candidate.bytes().rev().enumerate() {
            let mut v = u32::from(c - b'0');
            if i % 2 == 1 {
                v = if v * 2 > 9 { v * 2 - 9 } else { v * 2 };
            }
            sum += v;
        }
        if sum.is_multiple_of(10) {
            return d as char;
        }
    }
    '0'
}

/// The identity of a demo organisation at its commune (post code and name). Venues of public
/// kinds (libraries, social centres, schools) are public buyers: a commune's body, SIREN starting
/// with 2, exempt from nothing they sell; producers are associations (SIREN starting with 7 or 8)
/// outside VAT, with the exemption mention of article 261-7-1° of the CGI.
pub fn identity(org: &DemoOrg, postcode: &str, city: &str) -> LegalIdentityInput {
    let h = draw(&org.key);
    let public = org.kind == "agency"
        || matches!(org.venue_type, Some("library" | "social_centre" | "school"));
    let lead = if public {
        '2'
    } else if h.is_multiple_of(2) {
        '7'
    } else {
        '8'
    };
    let body = format!("{lead}{:07}", (h >> 8) % 10_000_000);
    let siren = format!("{body}{}", luhn_digit(&body));
    let establishment = format!("{siren}{:04}", 1 + (h >> 40) % 90);
    let siret = format!("{establishment}{}", luhn_digit(&establishment));
    let producer = org.kind == "producer";
    let bban = format!(
        "30001{:05}{:011}{:02}",
        (h >> 20) % 100_000,
        h % 100_000_000_000,
        0
    );
    // The RIB key (last 2 digits) is not checked by ISO 13616; the IBAN's key is.
    let iban = iban_with_key("FR", &bban);
    let street = match org.kind {
        "agency" => "151 boulevard Hoover",
        "producer" => "12 rue des Sciences",
        _ if public => "1 place de la Mairie",
        _ => "5 rue de la République",
    };
    LegalIdentityInput {
        siret,
        vat_id: if producer {
            None
        } else {
            vat_number_of(&siren)
        },
        vat_exemption: producer.then(|| "TVA non applicable, art. 261-7-1° du CGI".to_string()),
        address_line: street.to_string(),
        postcode: postcode.to_string(),
        city: city.to_string(),
        iban: Some(iban),
        bic: Some("BDFEFRPPCCT".to_string()),
        electronic_address: Some(format!("factures@{}.demo.itinerance.fr", org.key)),
        public_buyer: org.kind == "venue" && public,
        service_code_required: false,
        commitment_required: false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::organization::legal::normalize;

    #[test]
    fn demo_identities_pass_the_checks() {
        for (key, kind, venue_type) in [
            ("agency", "agency", None),
            ("producer-amiens", "producer", None),
            ("venue-0001", "venue", Some("library")),
            ("venue-0002", "venue", Some("fablab")),
        ] {
            let org = DemoOrg {
                key: key.into(),
                name: key.into(),
                kind,
                venue_type,
                commune_insee: "80021".into(),
            };
            let id = identity(&org, "80000", "Amiens");
            assert_eq!(normalize(&id).unwrap(), id, "{key}");
        }
    }
}
