//! The legal identity form (issue 26): the same service as `PUT /organizations/{id}/legal-identity`
//! behind a page; refused fields come back on the form in the reader's words and nothing is
//! written; only the organisation's administrators change it; no CSRF token, no change.

use crate::builders::Network;
use crate::common::{TestApp, PASSWORD};
use crate::portal::{hidden, Browser};

/// A valid SIRET (Luhn keys of SIREN and SIRET), IBAN (mod 97) and a VAT exemption.
const SIRET: &str = "130 025 265 00013";
const IBAN: &str = "FR76 3000 1007 9412 3456 7890 185";

async fn legal_of(app: &TestApp, net: &Network) -> crate::common::Resp {
    app.get(
        &format!("/api/v1/organizations/{}/legal-identity", net.venue.org_id),
        Some(&net.venue.token),
    )
    .await
}

async fn an_admin_fills_the_legal_identity_and_errors_come_back_on_the_form(app: TestApp) {
    let net = Network::new(&app).await;
    let mut browser = Browser::new(&app);
    assert_eq!(browser.log_in(&net.venue.email, PASSWORD).await.status, 303);
    let form = browser.get("/organization/legal").await;
    assert_eq!(form.status, 200, "{}", form.text);
    assert!(
        form.text.contains("Identité légale et facturation"),
        "{}",
        form.text
    );
    let csrf = hidden(&form.text, "csrf_token");

    // A SIRET with a wrong key and an IBAN with wrong check digits: the form again, both named,
    // the values kept, nothing written.
    let bad = browser
        .post(
            "/organization/legal",
            &[
                ("csrf_token", &csrf),
                ("siret", "13002526500014"),
                ("vat_exemption", "TVA non applicable, art. 293 B du CGI"),
                ("address_line", "3 rue de la Science"),
                ("postcode", "80000"),
                ("city", "Amiens"),
                ("iban", "FR7630001007941234567890186"),
            ],
        )
        .await;
    assert_eq!(bad.status, 422, "{}", bad.text);
    assert!(bad.text.contains("Un SIRET a 14 chiffres"), "{}", bad.text);
    assert!(bad.text.contains("Cet IBAN n&#39;a pas"), "{}", bad.text);
    assert!(
        bad.text.contains("href=\"#siret\""),
        "errors link to their fields: {}",
        bad.text
    );
    assert!(
        bad.text.contains("value=\"3 rue de la Science\""),
        "{}",
        bad.text
    );
    assert_eq!(
        legal_of(&app, &net).await.status,
        404,
        "nothing was written"
    );

    // Without the CSRF token: refused, nothing written.
    let forged = browser
        .post(
            "/organization/legal",
            &[
                ("siret", SIRET),
                ("address_line", "x"),
                ("postcode", "80000"),
                ("city", "Amiens"),
            ],
        )
        .await;
    assert_eq!(forged.status, 403, "{}", forged.text);
    assert_eq!(legal_of(&app, &net).await.status, 404);

    let good = browser
        .post(
            "/organization/legal",
            &[
                ("csrf_token", &csrf),
                ("siret", SIRET),
                ("vat_exemption", "TVA non applicable, art. 293 B du CGI"),
                ("address_line", "3 rue de la Science"),
                ("postcode", "80000"),
                ("city", "Amiens"),
                ("iban", IBAN),
                ("electronic_address", "factures@exemple.fr"),
                ("public_buyer", "1"),
                ("commitment_required", "1"),
            ],
        )
        .await;
    assert_eq!(good.status, 303, "{}", good.text);
    assert_eq!(good.location, "/organization/legal?done=saved");
    let stored = legal_of(&app, &net).await;
    assert_eq!(stored.status, 200, "{}", stored.text);
    assert_eq!(stored.body["siret"], "13002526500013");
    assert_eq!(stored.body["iban"], "FR7630001007941234567890185");
    assert_eq!(stored.body["public_buyer"], true);
    assert_eq!(stored.body["commitment_required"], true);
    assert_eq!(stored.body["service_code_required"], false);
    let shown = browser.get("/organization/legal?done=saved").await;
    assert!(
        shown.text.contains("Identité légale enregistrée"),
        "{}",
        shown.text
    );
    assert!(
        shown.text.contains("value=\"13002526500013\""),
        "{}",
        shown.text
    );
}

async fn a_member_reads_the_legal_identity_and_cannot_change_it(app: TestApp) {
    let net = Network::new(&app).await;
    let member = app.user_in(&net.agency, net.venue.org_id, "member").await;
    let mut browser = Browser::new(&app);
    assert_eq!(browser.log_in(&member.email, PASSWORD).await.status, 303);
    let page = browser.get("/organization/legal").await;
    assert_eq!(page.status, 200, "{}", page.text);
    assert!(
        !page.text.contains("action=\"/organization/legal\""),
        "{}",
        page.text
    );
    let csrf = hidden(&page.text, "csrf_token");
    let tried = browser
        .post(
            "/organization/legal",
            &[
                ("csrf_token", &csrf),
                ("siret", SIRET),
                ("vat_exemption", "TVA non applicable, art. 293 B du CGI"),
                ("address_line", "3 rue de la Science"),
                ("postcode", "80000"),
                ("city", "Amiens"),
            ],
        )
        .await;
    assert_eq!(tried.status, 403, "{}", tried.text);
    assert_eq!(
        legal_of(&app, &net).await.status,
        404,
        "nothing was written"
    );
}

crate::on_both_backends!(
    an_admin_fills_the_legal_identity_and_errors_come_back_on_the_form,
    a_member_reads_the_legal_identity_and_cannot_change_it,
);
