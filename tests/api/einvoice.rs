//! E-invoices French public venues can receive (issue 26): organisations' legal identity checked
//! field by field, invoices refused for a seller without one, public buyers' references required
//! as they set, and issued invoices frozen (issue 27, finding 8): the XML does not change when a
//! party renames itself or moves.

use serde_json::{json, Value};
use sha2::{Digest, Sha256};

use crate::builders::{day, id_of, BookingBuilder, Network, ResourceBuilder, AMIENS, VILLAGE};
use crate::common::{Actor, TestApp};
use crate::on_both_backends;

/// A producer's identity: an association outside VAT, paid on a French IBAN.
pub fn seller_identity() -> Value {
    json!({
        "siret": "120 027 016 00357",
        "vat_exemption": "TVA non applicable, art. 261-7-1° du CGI",
        "address_line": "12 rue des Sciences",
        "postcode": "80000",
        "city": "Amiens",
        "iban": "FR14 2004 1010 0505 0001 3M02 606",
        "bic": "BDFEFRPP",
        "electronic_address": "factures@producteur.example.fr",
    })
}

/// A venue's identity: a commune's library with a VAT number.
pub fn buyer_identity() -> Value {
    json!({
        "siret": "40483304800022",
        "vat_id": "FR83404833048",
        "address_line": "1 place de la Mairie",
        "postcode": "80470",
        "city": "Ailly-sur-Somme",
        "electronic_address": "40483304800022",
    })
}

/// Sets an organisation's legal identity as its administrator (200 expected).
pub async fn set_identity(app: &TestApp, who: &Actor, body: Value) {
    let res = app
        .send(
            "PUT",
            &format!("/api/v1/organizations/{}/legal-identity", who.org_id),
            Some(&who.token),
            Some(body),
        )
        .await;
    assert_eq!(res.status, 200, "{}", res.text);
}

pub async fn returned_loan(app: &TestApp, net: &Network) -> i64 {
    let trunk = ResourceBuilder::trunk("Malle des énergies")
        .copies(1)
        .build(app, &net.producer)
        .await;
    let b = BookingBuilder::new(trunk.id, &net.venue, day(10), day(12))
        .status("returned")
        .build(app, &net.producer)
        .await;
    id_of(&b)
}

/// The producer invoices a returned loan: the invoice's id and number.
pub async fn invoice(app: &TestApp, net: &Network, booking: i64) -> (i64, String) {
    let issued = app
        .post(
            &format!("/api/v1/bookings/{booking}/invoice"),
            Some(&net.producer.token),
            json!({}),
        )
        .await;
    assert_eq!(issued.status, 201, "{}", issued.text);
    (
        issued.body["id"].as_i64().unwrap(),
        issued.body["number"].as_str().unwrap().to_string(),
    )
}

/// A returned loan of the network invoiced by its producer: the invoice's id and number.
pub async fn invoiced_loan(app: &TestApp, net: &Network) -> (i64, String) {
    let booking = returned_loan(app, net).await;
    invoice(app, net, booking).await
}

async fn xml(app: &TestApp, who: &Actor, invoice_id: i64) -> String {
    let res = app
        .get(
            &format!("/api/v1/invoices/{invoice_id}/facturx.xml"),
            Some(&who.token),
        )
        .await;
    assert_eq!(res.status, 200, "{}", res.text);
    res.text
}

fn sha256(text: &str) -> String {
    format!("{:x}", Sha256::digest(text.as_bytes()))
}

/// Bad SIRET, VAT number, IBAN, BIC, post code and electronic address are each named (422) and
/// nothing is stored; a good identity is stored normalised and read by the organisation and the
/// agency only (others are told it does not exist).
async fn legal_identity_is_checked_field_by_field(app: TestApp) {
    let net = Network::new(&app).await;
    let path = format!("/api/v1/organizations/{}/legal-identity", net.venue.org_id);
    let none = app.get(&path, Some(&net.venue.token)).await;
    assert_eq!(none.status, 404, "{}", none.text);
    let bad = app
        .send(
            "PUT",
            &path,
            Some(&net.venue.token),
            Some(json!({
                "siret": "40483304800023",
                "vat_id": "FR84404833048",
                "address_line": "1 place de la Mairie",
                "postcode": "8047",
                "city": "Ailly-sur-Somme",
                "iban": "FR1420041010050500013M02607",
                "bic": "BDF",
                "electronic_address": "pas une adresse",
            })),
        )
        .await;
    assert_eq!(
        (bad.status, bad.code()),
        (422, "validation_failed"),
        "{}",
        bad.text
    );
    let fields = bad.fields();
    for f in ["siret", "postcode", "iban", "bic", "electronic_address"] {
        assert!(fields.iter().any(|x| x == f), "{f} not named: {}", bad.text);
    }
    // A valid SIRET with the wrong VAT key is named too.
    let mut wrong_vat = buyer_identity();
    wrong_vat["vat_id"] = json!("FR84404833048");
    let res = app
        .send("PUT", &path, Some(&net.venue.token), Some(wrong_vat))
        .await;
    assert_eq!(res.status, 422, "{}", res.text);
    assert_eq!(res.fields(), vec!["vat_id".to_string()], "{}", res.text);
    assert_eq!(app.get(&path, Some(&net.venue.token)).await.status, 404);

    // La Poste's establishments escape the Luhn key.
    let mut la_poste = buyer_identity();
    la_poste["siret"] = json!("35600000049837");
    la_poste["vat_id"] = Value::Null;
    let res = app
        .send("PUT", &path, Some(&net.venue.token), Some(la_poste))
        .await;
    assert_eq!(res.status, 200, "{}", res.text);

    let res = app
        .send("PUT", &path, Some(&net.venue.token), Some(buyer_identity()))
        .await;
    assert_eq!(res.status, 200, "{}", res.text);
    assert_eq!(res.body["siren"], "404833048");
    assert_eq!(res.body["vat_id"], "FR83404833048");
    let agency = app.get(&path, Some(&net.agency.token)).await;
    assert_eq!(agency.status, 200);
    assert_eq!(agency.body["siret"], "40483304800022");
    let stranger = app.get(&path, Some(&net.producer.token)).await;
    assert_eq!(stranger.status, 404, "{}", stranger.text);
    let put_by_other = app
        .send(
            "PUT",
            &path,
            Some(&net.producer.token),
            Some(buyer_identity()),
        )
        .await;
    assert_eq!(put_by_other.status, 403);
}

/// A seller without a complete legal identity cannot invoice (409 listing what lacks); once it
/// has one, the invoice carries both parties' identifiers, and renaming or moving either party
/// afterwards changes neither the invoice's XML nor its credit note's.
async fn issued_invoices_freeze_their_parties(app: TestApp) {
    let net = Network::at(&app, AMIENS, VILLAGE).await;
    let booking = returned_loan(&app, &net).await;
    let path = format!("/api/v1/bookings/{booking}/invoice");
    let refused = app.post(&path, Some(&net.producer.token), json!({})).await;
    assert_eq!(
        (refused.status, refused.code()),
        (409, "legal_identity_incomplete"),
        "{}",
        refused.text
    );
    let mut no_iban = seller_identity();
    no_iban["iban"] = Value::Null;
    no_iban["bic"] = Value::Null;
    set_identity(&app, &net.producer, no_iban).await;
    let refused = app.post(&path, Some(&net.producer.token), json!({})).await;
    assert_eq!(refused.status, 409, "{}", refused.text);
    assert!(refused.text.contains("iban"), "{}", refused.text);
    let none = app.get("/api/v1/invoices", Some(&net.producer.token)).await;
    assert_eq!(
        none.body.as_array().map(Vec::len),
        Some(0),
        "nothing issued"
    );

    set_identity(&app, &net.producer, seller_identity()).await;
    set_identity(&app, &net.venue, buyer_identity()).await;
    let issued = app.post(&path, Some(&net.producer.token), json!({})).await;
    assert_eq!(issued.status, 201, "{}", issued.text);
    let id = issued.body["id"].as_i64().unwrap();
    let before = xml(&app, &net.venue, id).await;
    for expected in [
        "<ram:GlobalID schemeID=\"0009\">12002701600357</ram:GlobalID>",
        "<ram:ID schemeID=\"0002\">120027016</ram:ID>",
        "<ram:ID schemeID=\"0009\">40483304800022</ram:ID>",
        "<ram:ID schemeID=\"VA\">FR83404833048</ram:ID>",
        "<ram:ID schemeID=\"FC\">120027016</ram:ID>",
        "<ram:IBANID>FR1420041010050500013M02606</ram:IBANID>",
        "<ram:BICID>BDFEFRPP</ram:BICID>",
        "<ram:URIID schemeID=\"EM\">factures@producteur.example.fr</ram:URIID>",
        "<ram:LineOne>1 place de la Mairie</ram:LineOne>",
        "TVA non applicable, art. 261-7-1° du CGI",
    ] {
        assert!(before.contains(expected), "missing {expected} in\n{before}");
    }

    // The buyer renames itself and moves; the seller changes bank.
    let renamed = app
        .patch(
            &format!("/api/v1/organizations/{}", net.venue.org_id),
            Some(&net.venue.token),
            json!({"name": "Médiathèque intercommunale", "address": "9 rue Neuve"}),
        )
        .await;
    assert_eq!(renamed.status, 200, "{}", renamed.text);
    let mut moved = buyer_identity();
    moved["address_line"] = json!("9 rue Neuve");
    set_identity(&app, &net.venue, moved).await;
    let mut new_bank = seller_identity();
    new_bank["iban"] = json!("DE89370400440532013000");
    set_identity(&app, &net.producer, new_bank).await;

    let after = xml(&app, &net.venue, id).await;
    assert_eq!(sha256(&after), sha256(&before), "the issued XML changed");
    let note = app
        .post(
            &format!("/api/v1/invoices/{id}/credit-note"),
            Some(&net.producer.token),
            json!({}),
        )
        .await;
    assert_eq!(note.status, 201, "{}", note.text);
    let note_xml = xml(&app, &net.agency, note.body["id"].as_i64().unwrap()).await;
    assert!(note_xml.contains("<ram:LineOne>1 place de la Mairie</ram:LineOne>"));
    assert!(!note_xml.contains("intercommunale"), "{note_xml}");
    assert!(!note_xml.contains("DE89370400440532013000"), "{note_xml}");
}

/// A public buyer that requires its service code and commitment number gets no invoice without
/// them (422 naming each, nothing issued); with them, they are BT-10 and BT-13 of the XML.
async fn public_buyers_get_their_references(app: TestApp) {
    let net = Network::at(&app, AMIENS, VILLAGE).await;
    set_identity(&app, &net.producer, seller_identity()).await;
    let mut public = buyer_identity();
    public["public_buyer"] = json!(true);
    public["service_code_required"] = json!(true);
    public["commitment_required"] = json!(true);
    set_identity(&app, &net.venue, public).await;
    let booking = returned_loan(&app, &net).await;
    let path = format!("/api/v1/bookings/{booking}/invoice");
    let refused = app
        .post(
            &path,
            Some(&net.producer.token),
            json!({"buyer_service_code": "  "}),
        )
        .await;
    assert_eq!(refused.status, 422, "{}", refused.text);
    let mut fields = refused.fields();
    fields.sort();
    assert_eq!(fields, vec!["buyer_service_code", "commitment_number"]);
    let none = app.get("/api/v1/invoices", Some(&net.producer.token)).await;
    assert_eq!(
        none.body.as_array().map(Vec::len),
        Some(0),
        "nothing issued"
    );

    let issued = app
        .post(
            &path,
            Some(&net.producer.token),
            json!({"buyer_service_code": "SERV-MEDIA", "commitment_number": "EJ-2026-0042"}),
        )
        .await;
    assert_eq!(issued.status, 201, "{}", issued.text);
    assert_eq!(issued.body["buyer_service_code"], "SERV-MEDIA");
    assert_eq!(issued.body["commitment_number"], "EJ-2026-0042");
    let text = xml(&app, &net.venue, issued.body["id"].as_i64().unwrap()).await;
    assert!(
        text.contains("<ram:BuyerReference>SERV-MEDIA</ram:BuyerReference>"),
        "{text}"
    );
    assert!(
        text.contains("<ram:BuyerOrderReferencedDocument><ram:IssuerAssignedID>EJ-2026-0042</ram:IssuerAssignedID>"),
        "{text}"
    );
}

on_both_backends!(
    legal_identity_is_checked_field_by_field,
    issued_invoices_freeze_their_parties,
    public_buyers_get_their_references,
);
