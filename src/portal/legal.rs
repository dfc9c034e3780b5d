//! An organisation's legal identity as a form (`/organization/legal`, issue 26): SIRET, VAT
//! number or exemption, postal address, IBAN and BIC, electronic address, and whether it is a
//! public buyer (Chorus Pro) requiring a service code or a commitment number. The same service as
//! `PUT /api/v1/organizations/{id}/legal-identity` (`organization::legal`): its checks (Luhn,
//! the VAT key, mod 97) and its policy (the organisation's administrators and the agency) are the
//! only ones; this page ties their refusals to its fields in the reader's language.

use actix_web::http::StatusCode;
use askama::Template;

use super::form::{refused_fields, Errors, Fields};
use super::lang::{Lang, Texts};
use super::session::signed_in;
use super::session::SignedForm;
use super::Page;
use super::{render, see_other, Layout, Req, State};
use crate::auth::browser::BrowserSession;
use crate::error::Error;
use crate::organization::legal::{self, LegalIdentityInput};

/// The form's text fields, in the order of the page (name, label, hint, width in characters:
/// an IBAN is 27 characters in France, up to 34 abroad).
fn text_fields(t: &Texts) -> [(&'static str, &'static str, &'static str, u8); 9] {
    [
        ("siret", t.legal_siret, t.legal_siret_hint, 20),
        ("vat_id", t.legal_vat_id, t.legal_vat_id_hint, 16),
        (
            "vat_exemption",
            t.legal_vat_exemption,
            t.legal_vat_exemption_hint,
            50,
        ),
        ("address_line", t.legal_address_line, "", 40),
        ("postcode", t.legal_postcode, "", 6),
        ("city", t.legal_city, "", 30),
        ("iban", t.legal_iban, t.legal_iban_hint, 38),
        ("bic", t.legal_bic, "", 12),
        (
            "electronic_address",
            t.legal_electronic_address,
            t.legal_electronic_address_hint,
            40,
        ),
    ]
}

/// The boxes of a public buyer (name, label).
fn check_fields(t: &Texts) -> [(&'static str, &'static str); 3] {
    [
        ("public_buyer", t.legal_public_buyer),
        ("service_code_required", t.legal_service_code_required),
        ("commitment_required", t.legal_commitment_required),
    ]
}

/// What to do about a field the service refused, in plain words.
fn advice(t: &Texts, field: &str) -> &'static str {
    match field {
        "siret" => t.legal_siret_invalid,
        "vat_id" => t.legal_vat_id_invalid,
        "postcode" => t.legal_postcode_invalid,
        "iban" => t.legal_iban_invalid,
        "bic" => t.legal_bic_invalid,
        "electronic_address" => t.legal_electronic_address_invalid,
        "public_buyer" => t.legal_public_buyer_invalid,
        _ => t.legal_text_invalid,
    }
}

struct TextField {
    name: &'static str,
    label: &'static str,
    hint: &'static str,
    value: String,
    /// The input's extra attributes (its width).
    extra: String,
}

struct CheckField {
    name: &'static str,
    label: &'static str,
    checked: bool,
}

#[derive(Template)]
#[template(path = "portal/legal.html")]
struct LegalPage {
    layout: Layout,
    errors: Errors,
    notice: Option<&'static str>,
    /// Whether the visitor may change it (else the page only shows it).
    editable: bool,
    texts: Vec<TextField>,
    checks: Vec<CheckField>,
    csrf_token: String,
}

fn page_of(
    s: &BrowserSession,
    errors: Errors,
    notice: Option<&'static str>,
    input: &LegalIdentityInput,
) -> LegalPage {
    let t = Lang::of_session(s).t();
    let value = |name: &str| -> String {
        let v = match name {
            "siret" => Some(&input.siret),
            "vat_id" => input.vat_id.as_ref(),
            "vat_exemption" => input.vat_exemption.as_ref(),
            "address_line" => Some(&input.address_line),
            "postcode" => Some(&input.postcode),
            "city" => Some(&input.city),
            "iban" => input.iban.as_ref(),
            "bic" => input.bic.as_ref(),
            "electronic_address" => input.electronic_address.as_ref(),
            _ => None,
        };
        v.cloned().unwrap_or_default()
    };
    let checked = |name: &str| match name {
        "public_buyer" => input.public_buyer,
        "service_code_required" => input.service_code_required,
        _ => input.commitment_required,
    };
    LegalPage {
        layout: Layout::signed(t.legal_title, s, "legal"),
        errors,
        notice,
        editable: crate::access::policy::update_organization(
            &s.principal,
            s.principal.organization_id,
        )
        .is_ok(),
        texts: text_fields(t)
            .into_iter()
            .map(|(name, label, hint, width)| TextField {
                name,
                label,
                hint,
                value: value(name),
                extra: format!("size=\"{width}\""),
            })
            .collect(),
        checks: check_fields(t)
            .into_iter()
            .map(|(name, label)| CheckField {
                name,
                label,
                checked: checked(name),
            })
            .collect(),
        csrf_token: s.csrf_token.clone(),
    }
}

/// `GET /organization/legal`: the organisation's identity (an empty form when it has none yet).
pub async fn legal_page(state: State, req: Req) -> Page {
    let s = signed_in(&state, &req).await?;
    let t = Lang::of_session(&s).t();
    let principal = s.principal.clone();
    let org = principal.organization_id;
    let found = state
        .run(move |conn| match legal::get(conn, &principal, org) {
            Ok(identity) => Ok(Some(identity)),
            Err(Error::NotFound(_)) => Ok(None),
            Err(e) => Err(e),
        })
        .await?;
    let input = found.map(|i| i.details).unwrap_or_default();
    let notice = Fields::done_notice(req.query_string(), &[("saved", t.legal_saved)]);
    render(
        StatusCode::OK,
        &page_of(&s, Errors::default(), notice, &input),
    )
}

/// `POST /organization/legal`: replaces the identity through the service; refused fields come
/// back on the form, and nothing is written.
pub async fn legal_submit(state: State, SignedForm(s, form): SignedForm) -> Page {
    let clock = state.clock;
    let t = Lang::of_session(&s).t();
    let optional = |name: &str| form.get(name).map(str::to_string);
    let input = LegalIdentityInput {
        siret: form.value("siret"),
        vat_id: optional("vat_id"),
        vat_exemption: optional("vat_exemption"),
        address_line: form.value("address_line"),
        postcode: form.value("postcode"),
        city: form.value("city"),
        iban: optional("iban"),
        bic: optional("bic"),
        electronic_address: optional("electronic_address"),
        public_buyer: form.get("public_buyer").is_some(),
        service_code_required: form.get("service_code_required").is_some(),
        commitment_required: form.get("commitment_required").is_some(),
    };
    let principal = s.principal.clone();
    let org = principal.organization_id;
    let sent = input.clone();
    let outcome = state
        .run(move |conn| legal::put(conn, &principal, org, &sent, clock.naive()))
        .await;
    match outcome {
        Ok(_) => Ok(see_other("/organization/legal?done=saved")),
        Err(e) => match refused_fields(&e) {
            Some(fields) => {
                let mut errors = Errors::default();
                // In the order of the page, each field once.
                for (name, _, _, _) in text_fields(t) {
                    if fields.contains(&name) {
                        errors.add(name, advice(t, name));
                    }
                }
                for (name, _) in check_fields(t) {
                    if fields.contains(&name) {
                        errors.add(name, advice(t, name));
                    }
                }
                render(
                    StatusCode::UNPROCESSABLE_ENTITY,
                    &page_of(&s, errors, None, &input),
                )
            }
            None => Err(e.into()),
        },
    }
}
