//! A period's invoices for the seller's accountant: a ZIP of their Factur-X PDFs with the journal,
//! and the journal alone as CSV (number, date, parties with their SIRET, public buyers'
//! references, totals). These are the files a producer deposits on Chorus Pro by hand or hands
//! to its accountant: the service reaches no outside system, so nothing is submitted from here.
//!
//! The journal is written the way a French spreadsheet opens it without an import dialog:
//! UTF-8 with a byte-order mark, `;` between fields, a decimal comma, one line per document,
//! credit notes with negative amounts so that a column's sum is the period's net.

use std::io::Write;

use chrono::NaiveDate;

use super::invoice::{self, Printable};
use super::invoice_pdf;
use super::ledger;
use super::model::InvoicePeriod;
use crate::access::Principal;
use crate::db::DbConnection;
use crate::error::{Error, Result, Validator};

/// The most documents one export holds: past it, the caller chooses a shorter period.
pub const MAX_DOCUMENTS: i64 = 10_000;
/// The longest period one export covers, in days (a leap year).
pub const MAX_DAYS: i64 = 366;

/// The documents issued over the period that the caller may read, in the journal's order.
pub fn documents(
    conn: &mut DbConnection,
    p: &Principal,
    period: &InvoicePeriod,
) -> Result<Vec<Printable>> {
    let mut v = Validator::new();
    let days = (period.to - period.from).num_days() + 1;
    v.check(days >= 1, "to", "must not be before `from`");
    v.check(
        days <= MAX_DAYS,
        "to",
        "at most 366 days after `from`: export a year at a time",
    );
    v.finish()?;
    let rows = ledger::issued_between(
        conn,
        invoice::scope_of(p),
        period.seller_id,
        period.from,
        period.to,
        MAX_DOCUMENTS + 1,
    )?;
    if rows.len() as i64 > MAX_DOCUMENTS {
        let mut v = Validator::new();
        v.check(
            false,
            "to",
            "the period holds more than 10000 documents: choose a shorter one",
        );
        v.finish()?;
    }
    rows.into_iter()
        .map(|row| invoice::printable_row(conn, row))
        .collect()
}

/// Cents as a French spreadsheet reads an amount: `-1234,50`.
fn amount(cents: i64) -> String {
    let sign = if cents < 0 { "-" } else { "" };
    let c = cents.unsigned_abs();
    format!("{sign}{},{:02}", c / 100, c % 100)
}

/// The journal's columns.
pub const JOURNAL_COLUMNS: [&str; 16] = [
    "numero",
    "type",
    "date_emission",
    "vendeur",
    "siret_vendeur",
    "acheteur",
    "siret_acheteur",
    "code_service",
    "numero_engagement",
    "reservation",
    "total_ht",
    "tva",
    "total_ttc",
    "devise",
    "facture_annulee",
    "fichier",
];

/// The journal of the documents, one line each, after the byte-order mark (the `csv` crate
/// quotes what needs quoting).
pub fn journal_csv(docs: &[Printable]) -> Result<String> {
    let internal = |e: csv::Error| Error::Internal(format!("journal: {e}"));
    let mut writer = csv::WriterBuilder::new()
        .delimiter(b';')
        .terminator(csv::Terminator::CRLF)
        .from_writer("\u{feff}".as_bytes().to_vec());
    writer.write_record(JOURNAL_COLUMNS).map_err(internal)?;
    for doc in docs {
        let i = &doc.invoice;
        let (seller, buyer) = (&doc.parties.seller, &doc.parties.buyer);
        let kind = if doc.is_credit_note() {
            "avoir"
        } else {
            "facture"
        };
        writer
            .write_record([
                i.number.as_str(),
                kind,
                &i.issued_on.format("%Y-%m-%d").to_string(),
                &seller.name,
                seller.siret.as_deref().unwrap_or(""),
                &buyer.name,
                buyer.siret.as_deref().unwrap_or(""),
                i.buyer_service_code.as_deref().unwrap_or(""),
                i.commitment_number.as_deref().unwrap_or(""),
                &i.booking_id.to_string(),
                &amount(i.total_cents),
                &amount(0),
                &amount(i.total_cents),
                "EUR",
                doc.preceding
                    .as_ref()
                    .map(|(n, _)| n.as_str())
                    .unwrap_or(""),
                &path_in_zip(doc),
            ])
            .map_err(internal)?;
    }
    let bytes = writer
        .into_inner()
        .map_err(|e| Error::Internal(format!("journal: {e}")))?;
    String::from_utf8(bytes).map_err(|e| Error::Internal(format!("journal: {e}")))
}

/// Where a document lies in the ZIP: a folder per seller (its SIRET, or its id when it has none:
/// numbers are per seller, so two sellers each have a `facture-2027-000001.pdf`), then the name
/// a download of the PDF gets.
pub fn path_in_zip(doc: &Printable) -> String {
    let seller = &doc.parties.seller;
    let folder = match &seller.siret {
        Some(siret) => siret.clone(),
        None => format!("organisation-{}", seller.id),
    };
    format!("{folder}/{}", invoice_pdf::file_name(doc))
}

/// The ZIP of a period: `journal.csv` then each document's Factur-X PDF under its seller's folder.
/// PDFs are stored, not deflated (they are compressed already); they are drawn on every core.
pub fn zip(docs: &[Printable]) -> Result<Vec<u8>> {
    let pdfs = render_all(docs)?;
    let internal = |e: zip::result::ZipError| Error::Internal(format!("zip: {e}"));
    let mut writer = zip::ZipWriter::new(std::io::Cursor::new(Vec::new()));
    let deflated = zip::write::SimpleFileOptions::default()
        .compression_method(zip::CompressionMethod::Deflated)
        .last_modified_time(zip::DateTime::default());
    let stored = deflated.compression_method(zip::CompressionMethod::Stored);
    writer
        .start_file("journal.csv", deflated)
        .map_err(internal)?;
    writer
        .write_all(journal_csv(docs)?.as_bytes())
        .map_err(|e| Error::Internal(format!("zip: {e}")))?;
    for (doc, pdf) in docs.iter().zip(pdfs) {
        writer
            .start_file(path_in_zip(doc), stored)
            .map_err(internal)?;
        writer
            .write_all(&pdf)
            .map_err(|e| Error::Internal(format!("zip: {e}")))?;
    }
    Ok(writer.finish().map_err(internal)?.into_inner())
}

/// Every document's PDF, in order, drawn by as many threads as there are cores.
fn render_all(docs: &[Printable]) -> Result<Vec<Vec<u8>>> {
    let threads = std::thread::available_parallelism()
        .map(|n| n.get())
        .unwrap_or(1)
        .min(docs.len().max(1));
    let chunk = docs.len().div_ceil(threads).max(1);
    std::thread::scope(|scope| {
        let workers: Vec<_> = docs
            .chunks(chunk)
            .map(|part| {
                scope.spawn(move || {
                    part.iter()
                        .map(invoice_pdf::render)
                        .collect::<Result<Vec<_>>>()
                })
            })
            .collect();
        let mut all = Vec::with_capacity(docs.len());
        for worker in workers {
            let part = worker
                .join()
                .map_err(|_| Error::Internal("pdf worker panicked".into()))??;
            all.extend(part);
        }
        Ok(all)
    })
}

/// The file name of a period's download: `factures-2026-01-01-2026-12-31.zip`.
pub fn file_name(from: NaiveDate, to: NaiveDate, extension: &str) -> String {
    format!("factures-{from}-{to}.{extension}")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn amounts_have_a_decimal_comma_and_their_sign() {
        assert_eq!(amount(123_450), "1234,50");
        assert_eq!(amount(-5), "-0,05");
        assert_eq!(amount(0), "0,00");
    }
}
