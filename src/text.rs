//! Text helpers shared by the searchable domains.

use unicode_normalization::UnicodeNormalization;

/// Folds a name for accent- and case-insensitive matching: "Villeneuve-d'Ascq" → "villeneuve d ascq".
/// Stored beside the original so that both backends can search with a plain indexed `LIKE`.
///
/// ```
/// use itinerance::text::fold;
/// assert_eq!(fold("Villeneuve-d'Ascq"), "villeneuve d ascq");
/// assert_eq!(fold("AMIENS"), fold("Amiens"));
/// assert_eq!(fold("Cœuvres-et-Valsery"), "coeuvres et valsery");
/// ```
pub fn fold(input: &str) -> String {
    let mut out = String::with_capacity(input.len());
    let mut last_space = true;
    for c in input.nfd() {
        if unicode_normalization::char::is_combining_mark(c) {
            continue;
        }
        let piece: &str = match c {
            'œ' | 'Œ' => "oe",
            'æ' | 'Æ' => "ae",
            'ß' => "ss",
            _ => "",
        };
        if !piece.is_empty() {
            out.push_str(piece);
            last_space = false;
        } else if c.is_alphanumeric() {
            out.extend(c.to_lowercase());
            last_space = false;
        } else if !last_space {
            out.push(' ');
            last_space = true;
        }
    }
    while out.ends_with(' ') {
        out.pop();
    }
    out
}

/// Escapes `%`, `_` and the escape character itself for a `LIKE … ESCAPE '\'` pattern.
pub fn like_escape(input: &str) -> String {
    let mut out = String::with_capacity(input.len());
    for c in input.chars() {
        if matches!(c, '%' | '_' | '\\') {
            out.push('\\');
        }
        out.push(c);
    }
    out
}

/// A text cell a spreadsheet will not run: one starting with `=`, `+`, `-`, `@`, a tab or a
/// carriage return is prefixed with `'` (OWASP "CSV injection"), so a title such as
/// `=HYPERLINK(…)` shows as text in Excel or LibreOffice.
pub fn spreadsheet_safe(cell: &str) -> String {
    if cell.starts_with(['=', '+', '-', '@', '\t', '\r']) {
        format!("'{cell}")
    } else {
        cell.to_string()
    }
}

/// A table as CSV (RFC 4180): a header line, then one line per row, fields separated by commas
/// and quoted (quotes doubled) when they hold a comma, a quote or a line break, lines ended by
/// CRLF. The one writer of the service's CSV answers (fleet, coverage, observatory, invoices);
/// text cells that people typed go through [`spreadsheet_safe`] first. Only the accountants'
/// journal (`billing::export`) is written otherwise: `;` and a byte-order mark for French
/// spreadsheets.
///
/// ```
/// use itinerance::text::csv;
/// let rows = vec![vec!["Amiens".to_string(), "Le \"Nord\", 59".to_string()]];
/// assert_eq!(csv(&["name", "note"], &rows), "name,note\r\nAmiens,\"Le \"\"Nord\"\", 59\"\r\n");
/// ```
pub fn csv<R: AsRef<[String]>>(header: &[&str], rows: &[R]) -> String {
    fn field(out: &mut String, cell: &str) {
        if cell.contains([',', '"', '\r', '\n']) {
            out.push('"');
            out.push_str(&cell.replace('"', "\"\""));
            out.push('"');
        } else {
            out.push_str(cell);
        }
    }
    let mut out = String::new();
    for (i, name) in header.iter().enumerate() {
        if i > 0 {
            out.push(',');
        }
        field(&mut out, name);
    }
    out.push_str("\r\n");
    for row in rows {
        for (i, cell) in row.as_ref().iter().enumerate() {
            if i > 0 {
                out.push(',');
            }
            field(&mut out, cell);
        }
        out.push_str("\r\n");
    }
    out
}

/// One record of a CSV file read by [`read_csv`]: its line (1 is the header) and its cells in
/// the order of the columns asked for.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CsvRecord {
    pub line: u64,
    pub cells: Vec<String>,
}

/// What is wrong with a CSV file: the line (1 is the header) and the column, or `body` for the
/// file as a whole.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CsvProblem {
    pub line: u64,
    pub field: String,
    pub message: String,
}

/// Reads a CSV file (RFC 4180, comma-separated, quotes allowed) strictly: a header line naming
/// exactly `columns`, in any order, then one record per line with one cell per column; blank
/// lines are skipped and cells trimmed. Every problem is listed with its line and column, never
/// only the first; the records come back with their cells in the order of `columns`.
///
/// ```
/// use itinerance::text::read_csv;
/// let read = read_csv("b,a\r\n2,1\n", &["a", "b"]).unwrap();
/// assert_eq!((read[0].line, read[0].cells.clone()), (2, vec!["1".to_string(), "2".to_string()]));
/// assert_eq!(read_csv("a\n1,2\n", &["a"]).unwrap_err()[0].line, 2);
/// ```
pub fn read_csv(input: &str, columns: &[&str]) -> Result<Vec<CsvRecord>, Vec<CsvProblem>> {
    let problem = |line: u64, field: &str, message: String| CsvProblem {
        line,
        field: field.to_string(),
        message,
    };
    // Line ends as LF alone (what browsers send from a text area is CRLF).
    let input = input
        .strip_prefix('\u{feff}')
        .unwrap_or(input)
        .replace("\r\n", "\n")
        .replace('\r', "\n");
    // The reader's own line numbers lag behind blank lines: the line of a record is counted from
    // its first character.
    let line_at = |byte: u64| {
        let start = (byte as usize).min(input.len());
        let first = input[start..]
            .find(|c| c != '\n')
            .map_or(input.len(), |i| start + i);
        1 + input.as_bytes()[..first]
            .iter()
            .filter(|b| **b == b'\n')
            .count() as u64
    };
    let mut reader = ::csv::ReaderBuilder::new()
        .has_headers(false)
        .flexible(true)
        .trim(::csv::Trim::All)
        .from_reader(input.as_bytes());
    let mut problems = Vec::new();
    let mut order: Option<Vec<usize>> = None;
    let mut records = Vec::new();
    for (n, record) in reader.records().enumerate() {
        let record = match record {
            Ok(r) => r,
            Err(e) => {
                let line = e.position().map_or(n as u64 + 1, |p| line_at(p.byte()));
                problems.push(problem(line, "body", format!("not CSV: {e}")));
                break;
            }
        };
        let line = record
            .position()
            .map_or(n as u64 + 1, |p| line_at(p.byte()));
        if record.iter().all(str::is_empty) {
            continue;
        }
        let Some(order) = &order else {
            // The header: each column once, nothing else.
            let names: Vec<&str> = record.iter().collect();
            let mut found = Vec::with_capacity(columns.len());
            for column in columns {
                match names.iter().position(|n| n == column) {
                    Some(i) => found.push(i),
                    None => problems.push(problem(
                        line,
                        column,
                        format!("the header line lacks the column `{column}`"),
                    )),
                }
            }
            for name in &names {
                if !columns.contains(name) || names.iter().filter(|n| *n == name).count() > 1 {
                    problems.push(problem(
                        line,
                        "body",
                        format!(
                            "unexpected column `{name}` in the header line (expected {})",
                            columns.join(",")
                        ),
                    ));
                }
            }
            if !problems.is_empty() {
                return Err(problems);
            }
            order = Some(found);
            continue;
        };
        if record.len() != columns.len() {
            problems.push(problem(
                line,
                "body",
                format!(
                    "{} cells where the header has {}",
                    record.len(),
                    columns.len()
                ),
            ));
            continue;
        }
        records.push(CsvRecord {
            line,
            cells: order.iter().map(|i| record[*i].to_string()).collect(),
        });
    }
    if order.is_none() && problems.is_empty() {
        problems.push(problem(
            1,
            "body",
            format!("no header line (expected {})", columns.join(",")),
        ));
    }
    if problems.is_empty() {
        Ok(records)
    } else {
        Err(problems)
    }
}

/// Declares a closed vocabulary written as text: serde and OpenAPI in snake_case, parsing with the
/// list of accepted values in the error. A vocabulary the database stores is declared with
/// `stored_enum!` (the database layer, `db::vocabulary`), which adds the diesel mapping.
///
/// The wire name is given twice on purpose: serde and utoipa both derive it from the variant with
/// `rename_all = "snake_case"` (utoipa cannot read a `rename` passed through a macro fragment, which
/// once published every enum in PascalCase), and `$text` is what `as_str` stores. The unit test
/// `wire_names_match_stored_names` proves, for every vocabulary, that the two agree.
#[macro_export]
macro_rules! text_enum {
    ($(#[$meta:meta])* $vis:vis enum $name:ident { $($(#[$vmeta:meta])* $variant:ident => $text:literal),+ $(,)? }) => {
        $(#[$meta])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord,
                 serde::Serialize, serde::Deserialize, utoipa::ToSchema)]
        #[serde(rename_all = "snake_case")]
        $vis enum $name {
            $($(#[$vmeta])* $variant),+
        }

        impl $name {
            /// Every value, in declaration order.
            pub const ALL: &'static [$name] = &[$($name::$variant),+];

            /// The stored and serialised name.
            pub const fn as_str(self) -> &'static str {
                match self { $($name::$variant => $text),+ }
            }

            /// The accepted names, for error messages.
            pub fn expected() -> String {
                [$($text),+].join(", ")
            }
        }

        impl std::str::FromStr for $name {
            type Err = String;
            fn from_str(s: &str) -> ::std::result::Result<Self, String> {
                match s {
                    $($text => Ok($name::$variant),)+
                    other => Err(format!("unknown value {other:?}; expected one of {}", Self::expected())),
                }
            }
        }

        impl std::fmt::Display for $name {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str(self.as_str())
            }
        }
    };
}

/// Declares a published subset of a vocabulary (the events mail announces, the subjects webhooks
/// carry): a newtype over the parent's values that serialises as the parent's wire names, refuses
/// the others, and is published in the OpenAPI document under its own name listing only its
/// values, in the order of `$members` (the parent's const slice that says which values belong).
/// The wire names stay written once, in the parent.
#[macro_export]
macro_rules! vocabulary_subset {
    ($(#[doc = $doc:literal])* $vis:vis struct $name:ident($parent:ty) = $members:expr;) => {
        $(#[doc = $doc])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
        $vis struct $name($parent);

        impl $name {
            /// Every value, in the published order.
            pub const ALL: &'static [$name] = &{
                const MEMBERS: &[$parent] = $members;
                let mut all = [$name(MEMBERS[0]); MEMBERS.len()];
                let mut i = 1;
                while i < MEMBERS.len() {
                    all[i] = $name(MEMBERS[i]);
                    i += 1;
                }
                all
            };

            /// The value of the parent vocabulary, if it belongs to this subset.
            pub fn of(value: $parent) -> Option<$name> {
                Self::ALL.iter().copied().find(|v| v.0 == value)
            }

            /// The value of a wire name, if it names one of this subset.
            pub fn parse(name: &str) -> Option<$name> {
                name.parse::<$parent>().ok().and_then(Self::of)
            }

            /// The value in the parent vocabulary.
            pub const fn get(self) -> $parent {
                self.0
            }

            /// The wire name (the parent's).
            pub const fn as_str(self) -> &'static str {
                self.0.as_str()
            }
        }

        impl From<$name> for $parent {
            fn from(value: $name) -> $parent {
                value.0
            }
        }

        impl std::fmt::Display for $name {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str(self.as_str())
            }
        }

        impl serde::Serialize for $name {
            fn serialize<S: serde::Serializer>(&self, s: S) -> ::std::result::Result<S::Ok, S::Error> {
                s.serialize_str(self.as_str())
            }
        }

        impl<'de> serde::Deserialize<'de> for $name {
            fn deserialize<D: serde::Deserializer<'de>>(d: D) -> ::std::result::Result<Self, D::Error> {
                let name = <std::borrow::Cow<'de, str> as serde::Deserialize>::deserialize(d)?;
                $name::parse(&name).ok_or_else(|| {
                    let expected: Vec<&str> = $name::ALL.iter().map(|v| v.as_str()).collect();
                    serde::de::Error::custom(format!(
                        "unknown variant `{name}`, expected one of `{}`",
                        expected.join("`, `")
                    ))
                })
            }
        }

        impl utoipa::PartialSchema for $name {
            fn schema() -> utoipa::openapi::RefOr<utoipa::openapi::schema::Schema> {
                let doc: Vec<&str> = [$($doc),*].iter().map(|line| line.trim()).collect();
                utoipa::openapi::schema::ObjectBuilder::new()
                    .schema_type(utoipa::openapi::schema::Type::String)
                    .description(Some(doc.join("\n")))
                    .enum_values(Some($name::ALL.iter().map(|v| v.as_str())))
                    .into()
            }
        }

        impl utoipa::ToSchema for $name {
            fn name() -> std::borrow::Cow<'static, str> {
                std::borrow::Cow::Borrowed(stringify!($name))
            }
        }
    };
}

/// Text made safe inside HTML elements and double-quoted attributes (the pages the service
/// draws itself: the observatory, the drivers' day sheets).
pub fn html_escape(text: &str) -> String {
    text.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn csv_is_read_strictly_with_lines_and_columns() {
        let cols = ["venue_id", "resource_id"];
        // Columns in any order, quotes, a blank line, a byte-order mark, CRLF.
        let read = read_csv(
            "\u{feff}resource_id,venue_id\r\n\"7\",3\r\n\r\n 8 , 4\n",
            &cols,
        )
        .unwrap();
        assert_eq!(read.len(), 2);
        assert_eq!(
            (read[0].line, &read[0].cells[..]),
            (2, &["3".to_string(), "7".to_string()][..])
        );
        assert_eq!(
            (read[1].line, &read[1].cells[..]),
            (4, &["4".to_string(), "8".to_string()][..])
        );
        // No header at all, a missing column, an unknown one.
        assert_eq!(read_csv("", &cols).unwrap_err()[0].line, 1);
        let e = read_csv("venue_id,colour\n1,2\n", &cols).unwrap_err();
        assert_eq!(e.len(), 2, "{e:?}");
        assert_eq!((e[0].line, e[0].field.as_str()), (1, "resource_id"));
        assert!(e[1].message.contains("colour"));
        // Every short or long line is listed, not only the first.
        let e = read_csv("venue_id,resource_id\n1\n1,2\n1,2,3\n", &cols).unwrap_err();
        let lines: Vec<u64> = e.iter().map(|p| p.line).collect();
        assert_eq!(lines, [2, 4]);
        // A header alone reads as no record.
        assert!(read_csv("venue_id,resource_id\n", &cols)
            .unwrap()
            .is_empty());
    }

    #[test]
    fn folds_accents_case_and_punctuation() {
        assert_eq!(fold("Villeneuve-d'Ascq"), "villeneuve d ascq");
        assert_eq!(fold("ABBEVILLE"), "abbeville");
        assert_eq!(fold("Œuilly  Église"), "oeuilly eglise");
        assert_eq!(fold("  Saint-Quentin "), "saint quentin");
    }

    #[test]
    fn formulas_do_not_run_in_spreadsheets() {
        assert_eq!(spreadsheet_safe("=1+1"), "'=1+1");
        assert_eq!(spreadsheet_safe("@SUM(A1)"), "'@SUM(A1)");
        assert_eq!(spreadsheet_safe("-2+3"), "'-2+3");
        assert_eq!(spreadsheet_safe("Malle = sons"), "Malle = sons");
    }

    #[test]
    fn escapes_like_wildcards() {
        assert_eq!(like_escape("50%_a\\"), "50\\%\\_a\\\\");
    }
}
