//! An invoice or credit note as a Factur-X PDF/A-3b: the readable French invoice (seller, buyer,
//! lines with the subsidy, totals, payment terms and IBAN, the mentions of the seller's VAT
//! status and of late payment) with its CII XML attached as `factur-x.xml`.
//!
//! The printed amounts follow the XML: a credit note shows the credited amounts with the sign
//! of an invoice, under the title *Avoir*.

use super::invoice::Printable;
use super::parties::FrozenParty;
use crate::error::Result;
use crate::pdf::{self, Layout, MARGIN, PAGE_WIDTH};

const RIGHT: f32 = PAGE_WIDTH - MARGIN;
const COLUMN: f32 = 320.0;

/// IBAN in groups of four, as printed on paper.
fn grouped(iban: &str) -> String {
    iban.as_bytes()
        .chunks(4)
        .map(|c| String::from_utf8_lossy(c).into_owned())
        .collect::<Vec<_>>()
        .join(" ")
}

/// A party's block: name, address, identifiers.
fn party_lines(party: &FrozenParty) -> Vec<String> {
    let mut lines = Vec::new();
    if let Some(street) = &party.address_line {
        lines.push(street.clone());
    }
    let city = format!("{} {}", party.postcode, party.city);
    if !city.trim().is_empty() {
        lines.push(city.trim().to_string());
    }
    if let Some(siret) = &party.siret {
        lines.push(format!("SIRET : {siret}"));
    }
    if let Some(vat) = &party.vat_id {
        lines.push(format!("N° TVA intracommunautaire : {vat}"));
    }
    lines
}

/// The readable invoice, laid out on A4 pages.
pub fn layout(doc: &Printable) -> Layout {
    let invoice = &doc.invoice;
    let seller = &doc.parties.seller;
    let buyer = &doc.parties.buyer;
    let credit = doc.is_credit_note();
    let sign = if credit { -1 } else { 1 };
    let mut l = Layout::new();

    // Seller at the left, the document's identity at the right.
    let top = l.y();
    l.paragraph_at(MARGIN, COLUMN - MARGIN - 12.0, 13.0, true, &seller.name);
    for line in party_lines(seller) {
        l.line(9.0, false, &line);
    }
    let after_seller = l.y();
    l.set_y(top);
    let title = if credit { "AVOIR" } else { "FACTURE" };
    l.text_at(COLUMN, 18.0, true, title);
    l.down(22.0);
    l.text_at(COLUMN, 10.0, false, &format!("N° {}", invoice.number));
    l.down(14.0);
    l.text_at(
        COLUMN,
        10.0,
        false,
        &format!("Date d'émission : {}", crate::page::date(invoice.issued_on)),
    );
    l.down(14.0);
    if let Some((number, day)) = &doc.preceding {
        l.text_at(
            COLUMN,
            10.0,
            false,
            &format!(
                "Annule la facture n° {number} du {}",
                crate::page::date(*day)
            ),
        );
        l.down(14.0);
    }
    l.set_y(l.y().max(after_seller) + 16.0);

    // Buyer.
    l.text_at(COLUMN, 9.0, true, "Facturé à");
    l.down(14.0);
    l.text_at(COLUMN, 11.0, true, &buyer.name);
    l.down(14.0);
    let mut buyer_lines = party_lines(buyer);
    if let Some(code) = &invoice.buyer_service_code {
        buyer_lines.push(format!("Code service : {code}"));
    }
    if let Some(commitment) = &invoice.commitment_number {
        buyer_lines.push(format!("N° d'engagement : {commitment}"));
    }
    for line in buyer_lines {
        l.text_at(COLUMN, 9.0, false, &line);
        l.down(12.0);
    }
    l.down(14.0);

    // Object.
    let mut object = format!(
        "Prêt de ressource itinérante, réservation n° {}",
        invoice.booking_id
    );
    if let Some((from, to)) = doc.period {
        object.push_str(&format!(
            " ; période d'utilisation du {} au {}",
            crate::page::date(from),
            crate::page::date(to)
        ));
    }
    l.paragraph(10.0, false, &format!("Objet : {object}."));
    l.down(10.0);

    // Lines.
    l.keep(40.0);
    l.text_at(MARGIN, 10.0, true, "Désignation");
    l.right_at(RIGHT, 10.0, true, "Montant (€)");
    l.down(4.0);
    l.rule();
    l.down(14.0);
    for line in &invoice.lines {
        l.keep(16.0);
        let label = pdf::wrap(&line.label, COLUMN + 60.0 - MARGIN, 10.0, false);
        let amount = crate::page::euros(sign * line.amount_cents);
        for (i, part) in label.iter().enumerate() {
            l.text_at(MARGIN, 10.0, false, part);
            if i == 0 {
                l.right_at(RIGHT, 10.0, false, &amount);
            }
            l.down(13.0);
        }
        l.down(2.0);
    }
    l.down(2.0);
    l.rule();
    l.down(14.0);

    // Totals: exempt from VAT, so HT = TTC.
    let total = sign * invoice.total_cents;
    let totals = [
        ("Total hors taxes", crate::page::euros(total), false),
        ("TVA (0 %, exonération)", crate::page::euros(0), false),
        ("Total TTC", crate::page::euros(total), false),
        (
            if credit {
                "Montant de l'avoir"
            } else {
                "Net à payer"
            },
            crate::page::euros(total),
            true,
        ),
    ];
    for (label, amount, bold) in totals {
        l.keep(16.0);
        l.text_at(COLUMN, 10.0, bold, label);
        l.right_at(RIGHT, 10.0, bold, &amount);
        l.down(15.0);
    }
    l.down(12.0);

    // Mentions.
    l.paragraph(9.0, true, seller.exemption_reason());
    l.down(4.0);
    if !credit {
        l.paragraph(
            9.0,
            false,
            "Conditions de paiement : payable à réception, par virement SEPA. \
             Pas d'escompte pour paiement anticipé.",
        );
        if let Some(iban) = &seller.iban {
            let mut account = format!("IBAN : {}", grouped(iban));
            if let Some(bic) = &seller.bic {
                account.push_str(&format!("   BIC : {bic}"));
            }
            l.paragraph(9.0, false, &account);
        }
        l.paragraph(
            9.0,
            false,
            "En cas de retard de paiement : pénalités au taux d'intérêt appliqué par la Banque \
             centrale européenne à son opération de refinancement la plus récente majoré de \
             10 points, et, pour un professionnel, indemnité forfaitaire pour frais de \
             recouvrement de 40 € (articles L441-10 et D441-5 du code de commerce). Pour un \
             acheteur public, intérêts moratoires selon le code de la commande publique.",
        );
    } else {
        l.paragraph(
            9.0,
            false,
            "Cet avoir annule la facture citée ; il n'appelle aucun paiement.",
        );
    }
    l.down(8.0);
    l.paragraph(
        8.0,
        false,
        &format!(
            "Facture électronique Factur-X, profil EN 16931 : les données structurées \
             (CII, UN/CEFACT) sont jointes à ce PDF/A-3 sous le nom {}.",
            pdf::FACTURX_FILE_NAME
        ),
    );
    l
}

/// The Factur-X PDF/A-3b of an invoice or credit note.
pub fn render(doc: &Printable) -> Result<Vec<u8>> {
    let xml = doc.cii_xml();
    let title = format!(
        "{} {}",
        if doc.is_credit_note() {
            "Avoir"
        } else {
            "Facture"
        },
        doc.invoice.number
    );
    pdf::render(
        &layout(doc),
        &pdf::Info {
            title: &title,
            author: &doc.parties.seller.name,
            date: doc.invoice.issued_on,
        },
        Some(&pdf::FacturX {
            xml: xml.as_bytes(),
            document_type: "INVOICE",
        }),
    )
}

/// The file name a download gets: `facture-2026-000042.pdf`, `avoir-2026-000043.pdf`.
pub fn file_name(doc: &Printable) -> String {
    let kind = if doc.is_credit_note() {
        "avoir"
    } else {
        "facture"
    };
    let safe: String = doc
        .invoice
        .number
        .chars()
        .filter(|c| c.is_ascii_alphanumeric() || *c == '-')
        .collect();
    format!("{kind}-{safe}.pdf")
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::billing::facturx;

    #[test]
    fn iban_in_groups_of_four() {
        assert_eq!(
            grouped("FR7630006000011234567890189"),
            "FR76 3000 6000 0112 3456 7890 189"
        );
    }

    #[test]
    fn exemption_default_is_printed() {
        assert!(facturx::VAT_EXEMPTION_REASON.starts_with("TVA non applicable"));
    }
}
