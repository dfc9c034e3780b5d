//! The legal identity of an organisation (issue 26): what an invoice must say about its seller
//! and buyer under French law and EN 16931 — SIRET, intra-community VAT number or the VAT
//! exemption printed on the invoice, postal address, IBAN and BIC, electronic address — and
//! whether it is a public buyer (Chorus Pro) requiring a service code and a commitment number.
//!
//! The checksums are checked here, without HTTP: SIREN/SIRET with the Luhn key (and La Poste's
//! known exception), the French VAT key computed from the SIREN, the IBAN with ISO 13616 mod-97.

use chrono::NaiveDateTime;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use super::store::LegalIdentityRow;
use crate::access::{policy, Principal};
use crate::db::{write_transaction, DbConnection};
use crate::error::{Error, Result, Validator};

/// SIREN of La Poste: its establishments' SIRETs do not follow the Luhn key; their digits sum
/// to a multiple of 5 instead (INSEE's documented exception).
const LA_POSTE_SIREN: &str = "356000000";

/// The Luhn check over a string of ASCII digits (SIREN and SIRET keys).
fn luhn(digits: &str) -> bool {
    let mut sum = 0u32;
    for (i, c) in digits.bytes().rev().enumerate() {
        let mut d = u32::from(c - b'0');
        if i % 2 == 1 {
            d *= 2;
            if d > 9 {
                d -= 9;
            }
        }
        sum += d;
    }
    sum.is_multiple_of(10)
}

fn all_digits(s: &str, len: usize) -> bool {
    s.len() == len && s.bytes().all(|b| b.is_ascii_digit())
}

/// Whether a SIREN (9 digits) carries a valid Luhn key.
pub fn siren_valid(siren: &str) -> bool {
    all_digits(siren, 9) && luhn(siren)
}

/// Whether a SIRET (14 digits) is valid: its SIREN's key and the SIRET's Luhn key, except for
/// La Poste's establishments, whose digits sum to a multiple of 5.
pub fn siret_valid(siret: &str) -> bool {
    if !all_digits(siret, 14) {
        return false;
    }
    if siret.starts_with(LA_POSTE_SIREN) {
        let sum: u32 = siret.bytes().map(|b| u32::from(b - b'0')).sum();
        return luhn(siret) || sum.is_multiple_of(5);
    }
    siren_valid(&siret[..9]) && luhn(siret)
}

/// The French intra-community VAT number of a SIREN: `FR` + key + SIREN, where the key is
/// (12 + 3 × (SIREN mod 97)) mod 97.
pub fn vat_number_of(siren: &str) -> Option<String> {
    if !all_digits(siren, 9) {
        return None;
    }
    let n: u64 = siren.parse().ok()?;
    let key = (12 + 3 * (n % 97)) % 97;
    Some(format!("FR{key:02}{siren}"))
}

/// Whether an IBAN (spaces removed, upper case) passes ISO 13616: country, check digits, length
/// 15–34 (27 for France), and the mod-97 remainder 1.
pub fn iban_valid(iban: &str) -> bool {
    let b = iban.as_bytes();
    if !(15..=34).contains(&b.len())
        || !b[..2].iter().all(u8::is_ascii_uppercase)
        || !b[2..4].iter().all(u8::is_ascii_digit)
        || !b
            .iter()
            .all(|c| c.is_ascii_uppercase() || c.is_ascii_digit())
    {
        return false;
    }
    if iban.starts_with("FR") && b.len() != 27 {
        return false;
    }
    let mut rem = 0u32;
    for &c in b[4..].iter().chain(&b[..4]) {
        let v = if c.is_ascii_digit() {
            u32::from(c - b'0')
        } else {
            u32::from(c - b'A') + 10
        };
        rem = if v >= 10 {
            (rem * 100 + v) % 97
        } else {
            (rem * 10 + v) % 97
        };
    }
    rem == 1
}

/// An IBAN's check digits for a country and BBAN (the demo data makes its identifiers with it).
pub fn iban_with_key(country: &str, bban: &str) -> String {
    let mut rem = 0u32;
    for c in format!("{bban}{country}00").bytes() {
        let v = if c.is_ascii_digit() {
            u32::from(c - b'0')
        } else {
            u32::from(c.to_ascii_uppercase() - b'A') + 10
        };
        rem = if v >= 10 {
            (rem * 100 + v) % 97
        } else {
            (rem * 10 + v) % 97
        };
    }
    format!("{country}{:02}{bban}", 98 - rem)
}

/// Whether a BIC (ISO 9362) has its shape: 4 letters (bank), 2 letters (country), 2 letters or
/// digits (location), optionally 3 more (branch).
pub fn bic_valid(bic: &str) -> bool {
    let b = bic.as_bytes();
    (b.len() == 8 || b.len() == 11)
        && b[..6].iter().all(u8::is_ascii_uppercase)
        && b[6..]
            .iter()
            .all(|c| c.is_ascii_uppercase() || c.is_ascii_digit())
}

/// The EN 16931 scheme (EAS code) of an electronic address (BT-34 / BT-49): `EM` for an e-mail
/// address, `0009` for a SIRET, `0002` for a SIREN; None when it is none of them.
pub fn electronic_scheme(address: &str) -> Option<&'static str> {
    if siret_valid(address) {
        return Some("0009");
    }
    if siren_valid(address) {
        return Some("0002");
    }
    let (local, domain) = address.split_once('@')?;
    let ok = !local.is_empty()
        && domain.contains('.')
        && !domain.starts_with('.')
        && !domain.ends_with('.')
        && address.len() <= 254
        && !domain.contains('@')
        && address
            .chars()
            .all(|c| c.is_ascii_graphic() && c != '<' && c != '>');
    ok.then_some("EM")
}

/// An organisation's legal identity as the service keeps it (the API shows it as [`LegalIdentityView`]).
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct LegalIdentity {
    pub organization_id: i64,
    #[serde(flatten)]
    pub details: LegalIdentityInput,
    /// The SIREN (the SIRET's first 9 digits).
    pub siren: String,
    /// UTC.
    #[serde(with = "crate::timestamp::utc")]
    pub updated_at: NaiveDateTime,
}

/// An organisation's legal identity on the wire: every field at the top level. A type of its own
/// (not `LegalIdentity` with the input flattened) because the input refuses unknown fields, and a
/// schema composed from it would refuse the identity's own `organization_id`, `siren` and
/// `updated_at`.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema, PartialEq)]
pub struct LegalIdentityView {
    pub organization_id: i64,
    /// SIRET of the establishment (14 digits).
    #[schema(example = "13002526500013")]
    pub siret: String,
    /// The SIREN (the SIRET's first 9 digits).
    #[schema(example = "130025265")]
    pub siren: String,
    /// Intra-community VAT number (BT-31 / BT-48).
    pub vat_id: Option<String>,
    /// The VAT exemption mention printed on invoices (BT-120).
    pub vat_exemption: Option<String>,
    /// Street line of the postal address (BT-35 / BT-50).
    pub address_line: String,
    /// Post code (5 digits).
    pub postcode: String,
    /// Commune of the postal address.
    pub city: String,
    /// IBAN where the organisation is paid (BT-84).
    pub iban: Option<String>,
    /// BIC of the IBAN's bank (BT-86).
    pub bic: Option<String>,
    /// Electronic address for e-invoices (BT-34 / BT-49).
    pub electronic_address: Option<String>,
    /// A public body invoiced through Chorus Pro.
    pub public_buyer: bool,
    /// A public buyer requiring its service code (BT-10) on every invoice.
    pub service_code_required: bool,
    /// A public buyer requiring its commitment number (BT-13).
    pub commitment_required: bool,
    /// UTC.
    #[serde(with = "crate::timestamp::utc")]
    pub updated_at: NaiveDateTime,
}

impl From<LegalIdentity> for LegalIdentityView {
    fn from(id: LegalIdentity) -> Self {
        let d = id.details;
        LegalIdentityView {
            organization_id: id.organization_id,
            siret: d.siret,
            siren: id.siren,
            vat_id: d.vat_id,
            vat_exemption: d.vat_exemption,
            address_line: d.address_line,
            postcode: d.postcode,
            city: d.city,
            iban: d.iban,
            bic: d.bic,
            electronic_address: d.electronic_address,
            public_buyer: d.public_buyer,
            service_code_required: d.service_code_required,
            commitment_required: d.commitment_required,
            updated_at: id.updated_at,
        }
    }
}

/// Body of `PUT /api/v1/organizations/{id}/legal-identity` (replaces the whole identity).
/// Spaces inside SIRET, VAT number, IBAN and BIC are ignored; letters are upper-cased.
#[derive(Debug, Clone, Default, Serialize, Deserialize, ToSchema, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct LegalIdentityInput {
    /// SIRET of the establishment (14 digits, Luhn key; La Poste's exception admitted).
    #[schema(example = "13002526500013")]
    pub siret: String,
    /// Intra-community VAT number: `FR`, the key computed from the SIREN, the SIREN (BT-31 / BT-48).
    #[schema(example = "FR58130025265")]
    pub vat_id: Option<String>,
    /// For a seller not subject to VAT: the mention printed on its invoices (BT-120), e.g.
    /// "TVA non applicable, art. 293 B du CGI". A seller needs a VAT number or this mention.
    #[schema(example = "TVA non applicable, art. 261-7-1° du CGI")]
    pub vat_exemption: Option<String>,
    /// Street line of the postal address (BT-35 / BT-50).
    #[schema(example = "3 rue de la Science")]
    pub address_line: String,
    /// Post code (5 digits).
    #[schema(example = "80000")]
    pub postcode: String,
    /// Commune of the postal address.
    #[schema(example = "Amiens")]
    pub city: String,
    /// IBAN where the organisation is paid (BT-84); required to issue invoices.
    #[schema(example = "FR7630001007941234567890185")]
    pub iban: Option<String>,
    /// BIC of the IBAN's bank (BT-86), 8 or 11 characters.
    #[schema(example = "BDFEFRPPCCT")]
    pub bic: Option<String>,
    /// Electronic address for e-invoices (BT-34 / BT-49): an e-mail address, a SIRET or a SIREN.
    #[schema(example = "factures@mediatheque-exemple.fr")]
    pub electronic_address: Option<String>,
    /// A public body invoiced through Chorus Pro.
    #[serde(default)]
    pub public_buyer: bool,
    /// A public buyer requiring its service code (BT-10) on every invoice.
    #[serde(default)]
    pub service_code_required: bool,
    /// A public buyer requiring its commitment number (numéro d'engagement, BT-13).
    #[serde(default)]
    pub commitment_required: bool,
}

impl From<LegalIdentityRow> for LegalIdentity {
    fn from(r: LegalIdentityRow) -> Self {
        LegalIdentity {
            organization_id: r.organization_id,
            siren: r.siret.chars().take(9).collect(),
            details: LegalIdentityInput {
                siret: r.siret,
                vat_id: r.vat_id,
                vat_exemption: r.vat_exemption,
                address_line: r.address_line,
                postcode: r.postcode,
                city: r.city,
                iban: r.iban,
                bic: r.bic,
                electronic_address: r.electronic_address,
                public_buyer: r.public_buyer,
                service_code_required: r.service_code_required,
                commitment_required: r.commitment_required,
            },
            updated_at: r.updated_at,
        }
    }
}

fn compact(s: &str) -> String {
    s.chars()
        .filter(|c| !c.is_whitespace())
        .flat_map(char::to_uppercase)
        .collect()
}

fn trimmed(s: &Option<String>) -> Option<String> {
    s.as_deref()
        .map(str::trim)
        .filter(|t| !t.is_empty())
        .map(str::to_string)
}

fn check_text(v: &mut Validator, field: &str, value: &str, max: usize) {
    v.check(!value.trim().is_empty(), field, "must not be empty");
    v.check(
        value.chars().count() <= max,
        field,
        &format!("must be at most {max} characters"),
    );
    v.check(
        !value.chars().any(char::is_control),
        field,
        "must not contain control characters",
    );
}

/// Normalises and checks an identity; every faulty field is named (422).
pub fn normalize(input: &LegalIdentityInput) -> Result<LegalIdentityInput> {
    let mut v = Validator::new();
    let siret = compact(&input.siret);
    v.check(
        siret_valid(&siret),
        "siret",
        "must be 14 digits with a valid key (Luhn)",
    );
    let vat_id = input
        .vat_id
        .as_deref()
        .map(compact)
        .filter(|s| !s.is_empty());
    if let Some(vat) = &vat_id {
        match vat_number_of(siret.get(..9).unwrap_or_default()) {
            Some(expected) if siret_valid(&siret) => v.check(
                *vat == expected,
                "vat_id",
                &format!("must be the VAT number of the SIRET's SIREN ({expected}): FR, its key, the SIREN"),
            ),
            _ => v.check(
                vat.len() == 13
                    && vat.starts_with("FR")
                    && vat_number_of(&vat[4..]).as_deref() == Some(vat.as_str()),
                "vat_id",
                "must be FR, a key computed from the SIREN, and the SIREN",
            ),
        };
    }
    let vat_exemption = trimmed(&input.vat_exemption);
    if let Some(text) = &vat_exemption {
        check_text(&mut v, "vat_exemption", text, 200);
    }
    check_text(&mut v, "address_line", &input.address_line, 200);
    let postcode = input.postcode.trim().to_string();
    v.check(all_digits(&postcode, 5), "postcode", "must be 5 digits");
    check_text(&mut v, "city", &input.city, 100);
    let iban = input.iban.as_deref().map(compact).filter(|s| !s.is_empty());
    if let Some(iban) = &iban {
        v.check(
            iban_valid(iban),
            "iban",
            "must be an IBAN with valid check digits (mod 97)",
        );
    }
    let bic = input.bic.as_deref().map(compact).filter(|s| !s.is_empty());
    if let Some(bic) = &bic {
        v.check(
            bic_valid(bic),
            "bic",
            "must be a BIC of 8 or 11 characters (bank, country, location, branch)",
        );
        v.check(iban.is_some(), "bic", "give the IBAN with the BIC");
    }
    let electronic_address = trimmed(&input.electronic_address);
    if let Some(address) = &electronic_address {
        v.check(
            electronic_scheme(address).is_some(),
            "electronic_address",
            "must be an e-mail address, a SIRET or a SIREN",
        );
    }
    v.check(
        input.public_buyer || !(input.service_code_required || input.commitment_required),
        "public_buyer",
        "only a public buyer requires a service code or a commitment number",
    );
    v.finish()?;
    Ok(LegalIdentityInput {
        siret,
        vat_id,
        vat_exemption,
        address_line: input.address_line.trim().to_string(),
        postcode,
        city: input.city.trim().to_string(),
        iban,
        bic,
        electronic_address,
        public_buyer: input.public_buyer,
        service_code_required: input.service_code_required,
        commitment_required: input.commitment_required,
    })
}

/// The stored identity of an organisation, if any (no caller check: invoicing reads it).
pub fn find(conn: &mut DbConnection, organization_id: i64) -> Result<Option<LegalIdentity>> {
    Ok(super::store::find_legal_identity(conn, organization_id)?.map(LegalIdentity::from))
}

/// An organisation's identity for the agency and its own members (others are told it does not
/// exist, as for its users); 404 too when the organisation has none yet.
pub fn get(conn: &mut DbConnection, p: &Principal, organization_id: i64) -> Result<LegalIdentity> {
    super::service::get_organization(conn, organization_id)?;
    if !policy::acts_for(p, organization_id) {
        return Err(Error::NotFound(format!(
            "legal identity of organisation {organization_id}"
        )));
    }
    find(conn, organization_id)?.ok_or_else(|| {
        Error::NotFound(format!(
            "organisation {organization_id} has no legal identity yet"
        ))
    })
}

/// Replaces an organisation's identity (the agency, or an administrator of the organisation).
/// Invoices already issued keep the identity they were issued with.
pub fn put(
    conn: &mut DbConnection,
    p: &Principal,
    organization_id: i64,
    input: &LegalIdentityInput,
    now: NaiveDateTime,
) -> Result<LegalIdentity> {
    super::service::get_organization(conn, organization_id)?;
    policy::update_organization(p, organization_id)?;
    let clean = normalize(input)?;
    write_transaction(conn, |conn| {
        store(conn, organization_id, &clean, now)?;
        crate::audit::record(
            conn,
            p.actor(),
            crate::audit::AuditAction::OrganizationLegalIdentitySet,
            organization_id,
            &serde_json::to_value(&clean).unwrap_or_default(),
            now,
        )?;
        find(conn, organization_id)?
            .ok_or_else(|| Error::Internal("legal identity vanished".into()))
    })
}

/// Writes a normalised identity (an update, else an insert: call inside a write transaction).
pub fn store(
    conn: &mut DbConnection,
    organization_id: i64,
    clean: &LegalIdentityInput,
    now: NaiveDateTime,
) -> Result<()> {
    let row = LegalIdentityRow {
        organization_id,
        siret: clean.siret.clone(),
        vat_id: clean.vat_id.clone(),
        vat_exemption: clean.vat_exemption.clone(),
        address_line: clean.address_line.clone(),
        postcode: clean.postcode.clone(),
        city: clean.city.clone(),
        iban: clean.iban.clone(),
        bic: clean.bic.clone(),
        electronic_address: clean.electronic_address.clone(),
        public_buyer: clean.public_buyer,
        service_code_required: clean.service_code_required,
        commitment_required: clean.commitment_required,
        updated_at: now,
    };
    super::store::upsert_legal_identity(conn, &row)?;
    Ok(())
}

/// What a seller's identity lacks to issue an invoice (empty when complete).
pub fn missing_for_seller(identity: Option<&LegalIdentity>) -> Vec<&'static str> {
    match identity {
        None => vec!["legal_identity"],
        Some(id) => {
            let mut missing = Vec::new();
            if id.details.vat_id.is_none() && id.details.vat_exemption.is_none() {
                missing.push("vat_id or vat_exemption");
            }
            if id.details.iban.is_none() {
                missing.push("iban");
            }
            missing
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn siret_keys() {
        // SIRET of the INSEE's head office: a valid key.
        assert!(siret_valid("12002701600357"));
        assert!(!siret_valid("12002701600358"));
        assert!(!siret_valid("1200270160035"));
        assert!(!siret_valid("1200270160035a"));
        // La Poste: digits summing to a multiple of 5, the Luhn key aside.
        assert!(siret_valid("35600000000048"));
        assert!(siret_valid("35600000049837"));
        assert!(!siret_valid("35600000049838"));
        assert!(siren_valid("356000000"));
    }

    #[test]
    fn vat_key_follows_the_siren() {
        assert_eq!(vat_number_of("404833048").as_deref(), Some("FR83404833048"));
        assert_eq!(vat_number_of("12345"), None);
    }

    #[test]
    fn iban_mod_97() {
        assert!(iban_valid("FR1420041010050500013M02606"));
        assert!(!iban_valid("FR1420041010050500013M02607"));
        assert!(iban_valid("DE89370400440532013000"));
        assert!(!iban_valid("FR14200410100505"));
        let made = iban_with_key("FR", "30001007941234567890185");
        assert!(iban_valid(&made), "{made}");
    }

    #[test]
    fn bic_shape_and_addresses() {
        assert!(bic_valid("BDFEFRPPCCT"));
        assert!(bic_valid("AGRIFRPP"));
        assert!(!bic_valid("AGRIFRP"));
        assert!(!bic_valid("1GRIFRPP"));
        assert_eq!(electronic_scheme("a@b.fr"), Some("EM"));
        assert_eq!(electronic_scheme("12002701600357"), Some("0009"));
        assert_eq!(electronic_scheme("a@@b.fr"), None);
        assert_eq!(electronic_scheme("nobody"), None);
    }

    #[test]
    fn every_bad_field_is_named() {
        let bad = LegalIdentityInput {
            siret: "12345678901234".into(),
            vat_id: Some("FR00123456789".into()),
            address_line: " ".into(),
            postcode: "8000".into(),
            city: "Amiens".into(),
            iban: Some("FR7630001007941234567890186".into()),
            bic: Some("XX".into()),
            electronic_address: Some("nope".into()),
            service_code_required: true,
            ..Default::default()
        };
        let Err(Error::Validation(errors)) = normalize(&bad) else {
            panic!("accepted");
        };
        let fields: Vec<&str> = errors.iter().map(|e| e.field.as_str()).collect();
        for f in [
            "siret",
            "vat_id",
            "address_line",
            "postcode",
            "iban",
            "bic",
            "electronic_address",
            "public_buyer",
        ] {
            assert!(fields.contains(&f), "{f} not named in {fields:?}");
        }
    }
}
