//! Printable documents as PDF/A-3b: a small page layout (lines of text, right-aligned amounts,
//! wrapped paragraphs, rules, page breaks) drawn with `krilla`, the DejaVu Sans font embedded
//! (`assets/fonts/`, Bitstream Vera licence), and, for e-invoices, the CII XML attached as
//! `factur-x.xml` with the Factur-X XMP extension schema (Factur-X 1.0, EN 16931).
//!
//! Why krilla: it writes PDF/A-3 itself (output intent, font subsets with ToUnicode maps, XMP
//! identification, associated files with their `AFRelationship`) and refuses at export what would
//! break the standard; a hand-written PDF writer would have to get all of this right. It has no
//! hook for custom XMP, so the Factur-X description is inserted into the finished file's
//! metadata stream here ([`add_xmp`]), fixing its length and the cross-reference offsets.
//!
//! Pure: no database, no clock (dates come from the caller).

use std::sync::Arc;

use chrono::{Datelike, NaiveDate};
use krilla::configure::{Archival, ConfigurationBuilder};
use krilla::embed::{AssociationKind, EmbeddedFile, MimeType};
use krilla::geom::{PathBuilder, Point};
use krilla::metadata::{DateTime, Metadata};
use krilla::page::PageSettings;
use krilla::paint::Stroke;
use krilla::text::{Font, TextDirection};
use krilla::{Document, SerializeSettings};

use crate::error::{Error, Result};

static REGULAR: &[u8] = include_bytes!("../assets/fonts/DejaVuSans.ttf");
static BOLD: &[u8] = include_bytes!("../assets/fonts/DejaVuSans-Bold.ttf");

/// A4 in points.
pub const PAGE_WIDTH: f32 = 595.28;
const PAGE_HEIGHT: f32 = 841.89;
/// Left and right margin.
pub const MARGIN: f32 = 50.0;
const TOP: f32 = 60.0;
const BOTTOM: f32 = 60.0;

/// One thing drawn on a page.
#[derive(Debug, Clone)]
enum Op {
    Text {
        x: f32,
        y: f32,
        size: f32,
        bold: bool,
        text: String,
    },
    Rule {
        x1: f32,
        x2: f32,
        y: f32,
    },
}

/// A document laid out top to bottom: a cursor `y` (baseline of the next line) that moves down
/// and opens a new page when the bottom margin is reached.
#[derive(Debug, Clone)]
pub struct Layout {
    pages: Vec<Vec<Op>>,
    y: f32,
}

impl Default for Layout {
    fn default() -> Self {
        Layout::new()
    }
}

impl Layout {
    /// An empty first page.
    pub fn new() -> Layout {
        Layout {
            pages: vec![Vec::new()],
            y: TOP,
        }
    }

    fn page(&mut self) -> &mut Vec<Op> {
        if self.pages.is_empty() {
            self.pages.push(Vec::new());
        }
        let last = self.pages.len() - 1;
        &mut self.pages[last]
    }

    /// Opens a new page unless `height` points still fit on this one.
    pub fn keep(&mut self, height: f32) {
        if self.y + height > PAGE_HEIGHT - BOTTOM {
            self.pages.push(Vec::new());
            self.y = TOP;
        }
    }

    /// Moves the cursor down.
    pub fn down(&mut self, dy: f32) {
        self.y += dy;
    }

    /// Text at `x` on the current line (the cursor does not move).
    pub fn text_at(&mut self, x: f32, size: f32, bold: bool, text: &str) {
        let y = self.y;
        self.page().push(Op::Text {
            x,
            y,
            size,
            bold,
            text: text.to_string(),
        });
    }

    /// Text ending at `right` on the current line (amounts).
    pub fn right_at(&mut self, right: f32, size: f32, bold: bool, text: &str) {
        let x = right - width(text, size, bold);
        self.text_at(x, size, bold, text);
    }

    /// One line of text at the left margin, then the cursor moves to the next line.
    pub fn line(&mut self, size: f32, bold: bool, text: &str) {
        self.keep(size * 1.4);
        self.text_at(MARGIN, size, bold, text);
        self.down(size * 1.4);
    }

    /// A paragraph wrapped to `max_width` from `x`.
    pub fn paragraph_at(&mut self, x: f32, max_width: f32, size: f32, bold: bool, text: &str) {
        for line in wrap(text, max_width, size, bold) {
            self.keep(size * 1.4);
            self.text_at(x, size, bold, &line);
            self.down(size * 1.4);
        }
    }

    /// A paragraph across the text width.
    pub fn paragraph(&mut self, size: f32, bold: bool, text: &str) {
        self.paragraph_at(MARGIN, PAGE_WIDTH - 2.0 * MARGIN, size, bold, text);
    }

    /// A thin horizontal rule across the text width, a little below the cursor.
    pub fn rule(&mut self) {
        let y = self.y - 8.0;
        self.page().push(Op::Rule {
            x1: MARGIN,
            x2: PAGE_WIDTH - MARGIN,
            y,
        });
    }

    /// The cursor's position from the top of the page.
    pub fn y(&self) -> f32 {
        self.y
    }

    /// Puts the cursor back to `y` (to lay out a second column beside the first).
    pub fn set_y(&mut self, y: f32) {
        self.y = y;
    }
}

/// Advance widths of DejaVu Sans (regular) in 1/2048 em for the characters of amounts, dates and
/// most French text; other characters are counted at an average width. Good enough to right-align
/// amounts (digits are exact) and to wrap paragraphs with some slack.
fn advance(c: char, bold: bool) -> f32 {
    let regular = match c {
        '0'..='9' | '€' => 1303.0,
        ' ' | '\u{202f}' | '\u{a0}' => 651.0,
        ',' | '.' | ':' | ';' => 651.0,
        '-' => 739.0,
        '−' => 1716.0,
        'i' | 'l' | 'j' | '\'' | '’' | '|' => 569.0,
        'f' | 't' | 'r' | '(' | ')' | '/' => 800.0,
        'm' | 'w' => 1950.0,
        'M' | 'W' => 1980.0,
        'A'..='Z' => 1450.0,
        _ => 1230.0,
    };
    if bold {
        regular * 1.1
    } else {
        regular
    }
}

/// Estimated width of `text` at `size` points.
pub fn width(text: &str, size: f32, bold: bool) -> f32 {
    text.chars().map(|c| advance(c, bold)).sum::<f32>() / 2048.0 * size
}

/// Splits `text` into lines no wider than `max_width` (a word longer than a line stands alone).
/// Explicit newlines are kept.
pub fn wrap(text: &str, max_width: f32, size: f32, bold: bool) -> Vec<String> {
    let mut lines = Vec::new();
    for source in text.lines() {
        let mut current = String::new();
        for word in source.split_whitespace() {
            let candidate = if current.is_empty() {
                word.to_string()
            } else {
                format!("{current} {word}")
            };
            if !current.is_empty() && width(&candidate, size, bold) > max_width {
                lines.push(std::mem::take(&mut current));
                current = word.to_string();
            } else {
                current = candidate;
            }
        }
        lines.push(current);
    }
    lines
}

/// The Factur-X attachment of an e-invoice.
pub struct FacturX<'a> {
    /// The CII XML.
    pub xml: &'a [u8],
    /// `INVOICE` for invoices and credit notes alike (Factur-X's document type).
    pub document_type: &'a str,
}

/// What the PDF says about itself.
pub struct Info<'a> {
    pub title: &'a str,
    pub author: &'a str,
    /// Creation and modification date (the document's issue date, so that the same document
    /// gives the same bytes).
    pub date: NaiveDate,
}

fn pdf_date(d: NaiveDate) -> DateTime {
    let year = u16::try_from(d.year()).unwrap_or(2000);
    DateTime::new(year)
        .month(u8::try_from(d.month()).unwrap_or(1))
        .day(u8::try_from(d.day()).unwrap_or(1))
        .hour(0)
        .minute(0)
        .second(0)
        .utc_offset_hour(0)
        .utc_offset_minute(0)
}

/// Text as an embedded face can draw it: a character it has no glyph for (a noncharacter such as
/// U+FFFF, a script DejaVu lacks) becomes « ? ». A name typed anywhere in the network then never
/// turns a PDF/A into an invalid one, whose validator refuses the .notdef glyph.
fn drawable<'t>(text: &'t str, face: &ttf_parser::Face) -> std::borrow::Cow<'t, str> {
    // Glyph 0 is .notdef itself (a cmap's last segment maps U+FFFF to it).
    let drawn = |c: char| face.glyph_index(c).is_some_and(|g| g.0 != 0);
    if text.chars().all(drawn) {
        return std::borrow::Cow::Borrowed(text);
    }
    std::borrow::Cow::Owned(
        text.chars()
            .map(|c| if drawn(c) { c } else { '?' })
            .collect(),
    )
}

fn internal(what: &str) -> impl Fn(String) -> Error + '_ {
    move |detail| Error::Internal(format!("pdf {what}: {detail}"))
}

/// Draws the layout as a PDF/A-3b document; with `facturx`, the XML is attached as
/// `factur-x.xml` (relationship `Alternative`) and described in the XMP as Factur-X EN 16931.
pub fn render(layout: &Layout, info: &Info, facturx: Option<&FacturX>) -> Result<Vec<u8>> {
    let configuration = ConfigurationBuilder::new()
        .with_archival_validator(Archival::A3_B)
        .finish()
        .map_err(|e| internal("configuration")(format!("{e:?}")))?;
    let settings = SerializeSettings {
        configuration,
        ..SerializeSettings::default()
    };
    let mut document = Document::new_with(settings);
    let regular = Font::new(REGULAR.into(), 0)
        .ok_or_else(|| internal("font")("DejaVu Sans unreadable".into()))?;
    let bold = Font::new(BOLD.into(), 0)
        .ok_or_else(|| internal("font")("DejaVu Sans Bold unreadable".into()))?;
    let regular_face =
        ttf_parser::Face::parse(REGULAR, 0).map_err(|e| internal("font")(e.to_string()))?;
    let bold_face =
        ttf_parser::Face::parse(BOLD, 0).map_err(|e| internal("font")(e.to_string()))?;
    let page_settings = PageSettings::from_wh(PAGE_WIDTH, PAGE_HEIGHT)
        .ok_or_else(|| internal("page")("bad size".into()))?;
    for ops in &layout.pages {
        let mut page = document.start_page_with(page_settings.clone());
        let mut surface = page.surface();
        for op in ops {
            match op {
                Op::Text {
                    x,
                    y,
                    size,
                    bold: is_bold,
                    text,
                } => {
                    let (font, face) = if *is_bold {
                        (bold.clone(), &bold_face)
                    } else {
                        (regular.clone(), &regular_face)
                    };
                    surface.draw_text(
                        Point::from_xy(*x, *y),
                        font,
                        *size,
                        &drawable(text, face),
                        false,
                        TextDirection::Auto,
                    );
                }
                Op::Rule { x1, x2, y } => {
                    let mut path = PathBuilder::new();
                    path.move_to(*x1, *y);
                    path.line_to(*x2, *y);
                    if let Some(path) = path.finish() {
                        surface.set_fill(None);
                        surface.set_stroke(Some(Stroke {
                            width: 0.5,
                            ..Stroke::default()
                        }));
                        surface.draw_path(&path);
                        surface.set_stroke(None);
                        surface.set_fill(Some(krilla::paint::Fill::default()));
                    }
                }
            }
        }
        surface.finish();
        page.finish();
    }
    let when = pdf_date(info.date);
    document.set_metadata(
        Metadata::new()
            .title(info.title.to_string())
            .authors(vec![info.author.to_string()])
            .creator("Itinérance".to_string())
            .language("fr-FR".to_string())
            .creation_date(when),
    );
    if let Some(fx) = facturx {
        let data: Arc<Vec<u8>> = Arc::new(fx.xml.to_vec());
        document
            .embed_file(EmbeddedFile {
                path: FACTURX_FILE_NAME.to_string(),
                mime_type: MimeType::new("text/xml"),
                description: Some("Factur-X XML (EN 16931)".to_string()),
                association_kind: AssociationKind::Alternative,
                data: data.into(),
                modification_date: Some(when),
                // Stored as is (a few kilobytes): anyone can see the XML in the file.
                compress: Some(false),
                location: None,
            })
            .ok_or_else(|| internal("attachment")("refused".into()))?;
    }
    let bytes = document
        .finish()
        .map_err(|e| internal("export")(format!("{e:?}")))?;
    match facturx {
        Some(fx) => {
            let (schema, values) = facturx_xmp(fx.document_type);
            add_xmp(bytes, |xmp| extend_xmp(xmp, &schema, &values))
        }
        None => Ok(bytes),
    }
}

/// The name Factur-X readers look for.
pub const FACTURX_FILE_NAME: &str = "factur-x.xml";

/// The Factur-X 1.0 XMP: the PDF/A extension schema declaring the `fx` properties (PDF/A needs
/// every non-standard property declared), and their values, profile EN 16931.
fn facturx_xmp(document_type: &str) -> (String, String) {
    let property = |name: &str, description: &str| {
        format!(
            "<rdf:li rdf:parseType=\"Resource\"><pdfaProperty:name>{name}</pdfaProperty:name>\
             <pdfaProperty:valueType>Text</pdfaProperty:valueType>\
             <pdfaProperty:category>external</pdfaProperty:category>\
             <pdfaProperty:description>{description}</pdfaProperty:description></rdf:li>"
        )
    };
    let schema = format!(
        "<rdf:li rdf:parseType=\"Resource\">\
         <pdfaSchema:schema>Factur-X PDFA Extension Schema</pdfaSchema:schema>\
         <pdfaSchema:namespaceURI>{FX_NS}</pdfaSchema:namespaceURI>\
         <pdfaSchema:prefix>fx</pdfaSchema:prefix>\
         <pdfaSchema:property><rdf:Seq>{}{}{}{}</rdf:Seq></pdfaSchema:property></rdf:li>",
        property("DocumentFileName", "The name of the embedded XML document"),
        property(
            "DocumentType",
            "The type of the hybrid document in capital letters, e.g. INVOICE or ORDER"
        ),
        property(
            "Version",
            "The actual version of the standard applying to the embedded XML document"
        ),
        property(
            "ConformanceLevel",
            "The conformance level of the embedded XML document"
        ),
    );
    let values = format!(
        "<rdf:Description rdf:about=\"\" xmlns:fx=\"{FX_NS}\">\
         <fx:DocumentType>{document_type}</fx:DocumentType>\
         <fx:DocumentFileName>{FACTURX_FILE_NAME}</fx:DocumentFileName>\
         <fx:Version>1.0</fx:Version>\
         <fx:ConformanceLevel>EN 16931</fx:ConformanceLevel>\
         </rdf:Description>"
    );
    (schema, values)
}

/// Adds an extension schema and a description to an XMP packet: the schema joins the packet's
/// `pdfaExtension:schemas` bag (one such property per packet), or comes in a description of its
/// own when there is none; the description goes before `</rdf:RDF>`.
fn extend_xmp(xmp: &str, schema: &str, description: &str) -> Option<String> {
    let mut out = xmp.to_string();
    let end_rdf = out.find("</rdf:RDF>")?;
    out.insert_str(end_rdf, description);
    const BAG_END: &str = "</rdf:Bag></pdfaExtension:schemas>";
    match out.find(BAG_END) {
        Some(at) => out.insert_str(at, schema),
        None => out.insert_str(
            end_rdf,
            &format!(
                "<rdf:Description rdf:about=\"\" \
                 xmlns:pdfaExtension=\"http://www.aiim.org/pdfa/ns/extension/\" \
                 xmlns:pdfaSchema=\"http://www.aiim.org/pdfa/ns/schema#\" \
                 xmlns:pdfaProperty=\"http://www.aiim.org/pdfa/ns/property#\">\
                 <pdfaExtension:schemas><rdf:Bag>{schema}</rdf:Bag></pdfaExtension:schemas>\
                 </rdf:Description>"
            ),
        ),
    }
    Some(out)
}

const FX_NS: &str = "urn:factur-x:pdfa:CrossIndustryDocument:invoice:1p0#";

fn find(haystack: &[u8], needle: &[u8]) -> Option<usize> {
    haystack.windows(needle.len()).position(|w| w == needle)
}

fn rfind(haystack: &[u8], needle: &[u8]) -> Option<usize> {
    haystack.windows(needle.len()).rposition(|w| w == needle)
}

/// Rewrites the XMP packet (`<x:xmpmeta …</x:xmpmeta>`) of a finished PDF with `edit`: the
/// metadata stream's `/Length`, every cross-reference offset after it and `startxref` move by the
/// number of bytes added. krilla writes the metadata uncompressed and a classic cross-reference
/// table, so this is plain byte work; anything else is refused.
pub fn add_xmp(pdf: Vec<u8>, edit: impl FnOnce(&str) -> Option<String>) -> Result<Vec<u8>> {
    let fail = |what: &str| Error::Internal(format!("pdf xmp: {what}"));
    let start = find(&pdf, b"<x:xmpmeta").ok_or_else(|| fail("no x:xmpmeta"))?;
    let end = find(&pdf[start..], b"</x:xmpmeta>").ok_or_else(|| fail("no x:xmpmeta end"))?
        + start
        + b"</x:xmpmeta>".len();
    let xmp = std::str::from_utf8(&pdf[start..end]).map_err(|_| fail("xmp not UTF-8"))?;
    let edited = edit(xmp).ok_or_else(|| fail("cannot edit"))?;
    let added = edited
        .len()
        .checked_sub(xmp.len())
        .ok_or_else(|| fail("the edit removed bytes"))?;
    // The metadata object's dictionary: the last `/Length` before the packet.
    let length_at = rfind(&pdf[..start], b"/Length ").ok_or_else(|| fail("no /Length"))?;
    let digits_from = length_at + b"/Length ".len();
    let digits_len = pdf[digits_from..]
        .iter()
        .take_while(|b| b.is_ascii_digit())
        .count();
    let old_length: usize = std::str::from_utf8(&pdf[digits_from..digits_from + digits_len])
        .ok()
        .and_then(|s| s.parse().ok())
        .ok_or_else(|| fail("bad /Length"))?;
    let new_length = (old_length + added).to_string();
    let delta = added + new_length.len() - digits_len;

    let startxref_at = rfind(&pdf, b"startxref").ok_or_else(|| fail("no startxref"))?;
    let xref_offset: usize = std::str::from_utf8(&pdf[startxref_at + 9..])
        .ok()
        .and_then(|s| s.split_whitespace().next())
        .and_then(|s| s.parse().ok())
        .ok_or_else(|| fail("bad startxref"))?;
    if xref_offset <= end || !pdf[xref_offset..].starts_with(b"xref") {
        return Err(fail("no cross-reference table after the metadata"));
    }

    let mut out = Vec::with_capacity(pdf.len() + delta + 16);
    out.extend_from_slice(&pdf[..digits_from]);
    out.extend_from_slice(new_length.as_bytes());
    out.extend_from_slice(&pdf[digits_from + digits_len..start]);
    out.extend_from_slice(edited.as_bytes());
    out.extend_from_slice(&pdf[end..xref_offset]);

    // The table: `xref`, then sections `first count` and 20-byte entries `oooooooooo ggggg n\r\n`.
    let table_end = startxref_at;
    let table = std::str::from_utf8(&pdf[xref_offset..table_end]).map_err(|_| fail("xref"))?;
    let mut rewritten = String::with_capacity(table.len());
    for line in table.split_inclusive('\n') {
        let fields: Vec<&str> = line.split_whitespace().collect();
        if fields.len() == 3 && fields[2] == "n" && fields[0].len() == 10 {
            let offset: usize = fields[0].parse().map_err(|_| fail("xref entry"))?;
            let moved = if offset > digits_from {
                offset + delta
            } else {
                offset
            };
            let ending = if line.ends_with("\r\n") {
                "\r\n"
            } else {
                " \n"
            };
            rewritten.push_str(&format!("{moved:010} {} n{ending}", fields[1]));
        } else {
            rewritten.push_str(line);
        }
    }
    out.extend_from_slice(rewritten.as_bytes());
    out.extend_from_slice(format!("startxref\n{}\n%%EOF\n", xref_offset + delta).as_bytes());
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::page::euros;

    #[test]
    fn text_the_font_cannot_draw_still_makes_a_pdf_a() {
        let mut layout = Layout::new();
        layout.line(12.0, true, "Médiathèque \u{ffff} 图书馆");
        layout.line(10.0, false, "Association \u{ffff}\u{10ffff}");
        let info = Info {
            title: "Convention \u{ffff}",
            author: "Itinérance",
            date: NaiveDate::from_ymd_opt(2026, 12, 7).unwrap(),
        };
        let pdf = render(&layout, &info, None).expect("a PDF/A despite the missing glyphs");
        assert!(pdf.starts_with(b"%PDF-"));
        let face = ttf_parser::Face::parse(REGULAR, 0).unwrap();
        assert_eq!(drawable("été \u{ffff}", &face), "été ?");
    }

    #[test]
    fn wrapping_keeps_words_whole() {
        let lines = wrap("un deux trois quatre cinq six sept", 60.0, 10.0, false);
        assert!(lines.len() > 1);
        assert_eq!(lines.join(" "), "un deux trois quatre cinq six sept");
    }

    #[test]
    fn a_facturx_pdf_carries_its_xml_and_xmp() {
        let mut layout = Layout::new();
        layout.line(12.0, true, "Facture n° 2026-000001 — été");
        layout.right_at(500.0, 10.0, false, &euros(12_345));
        let xml = b"<?xml version=\"1.0\"?><x/>";
        let pdf = render(
            &layout,
            &Info {
                title: "Facture",
                author: "Producteur",
                date: NaiveDate::from_ymd_opt(2026, 12, 5).unwrap_or_default(),
            },
            Some(&FacturX {
                xml,
                document_type: "INVOICE",
            }),
        )
        .unwrap_or_default();
        assert!(pdf.starts_with(b"%PDF-"));
        assert!(find(&pdf, b"<fx:ConformanceLevel>EN 16931</fx:ConformanceLevel>").is_some());
        assert!(find(&pdf, b"factur-x.xml").is_some());
        // startxref points at the table.
        let at = rfind(&pdf, b"startxref").unwrap_or_default();
        let offset: usize = std::str::from_utf8(&pdf[at + 9..])
            .unwrap_or_default()
            .split_whitespace()
            .next()
            .and_then(|s| s.parse().ok())
            .unwrap_or_default();
        assert!(pdf[offset..].starts_with(b"xref"));
    }
}
