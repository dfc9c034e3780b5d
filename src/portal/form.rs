//! Forms as browsers send them (`application/x-www-form-urlencoded`): read as a list of pairs, so
//! that no form body fails to parse, then each field checked with a message for a person, tied to
//! its field in the page.

use chrono::NaiveDate;

use super::lang::Lang;

/// The fields of a posted form, in order (a name may repeat: checkboxes).
#[derive(Debug, Default, Clone)]
pub struct Fields(Vec<(String, String)>);

impl Fields {
    /// Parses a form body; a body that is not a form reads as an empty form.
    pub fn parse(body: &[u8]) -> Fields {
        Fields::query(std::str::from_utf8(body).unwrap_or_default())
    }

    /// Parses a query string the same way.
    pub fn query(query: &str) -> Fields {
        // actix's query reader is serde_urlencoded, which is also the form format.
        actix_web::web::Query::<Vec<(String, String)>>::from_query(query)
            .map(|q| Fields(q.into_inner()))
            .unwrap_or_default()
    }

    /// The notice a page shows when a form sent the browser to it with `?done=<what>`
    /// (Post/Redirect/Get): the text paired with that word, if any.
    pub fn done_notice(query: &str, notices: &[(&str, &'static str)]) -> Option<&'static str> {
        let done = Fields::query(query);
        let done = done.get("done")?;
        notices
            .iter()
            .find(|(word, _)| *word == done)
            .map(|(_, text)| *text)
    }

    /// A form filled from known values (a saved answer shown again).
    pub fn from_pairs(pairs: Vec<(String, String)>) -> Fields {
        Fields(pairs)
    }

    /// The first value of a field, trimmed; `None` when absent or blank.
    pub fn get(&self, name: &str) -> Option<&str> {
        self.0
            .iter()
            .find(|(n, _)| n == name)
            .map(|(_, v)| v.trim())
            .filter(|v| !v.is_empty())
    }

    /// Every value of a field (checkboxes).
    pub fn all(&self, name: &str) -> Vec<&str> {
        self.0
            .iter()
            .filter(|(n, _)| n == name)
            .map(|(_, v)| v.trim())
            .filter(|v| !v.is_empty())
            .collect()
    }

    /// Every pair, in order (to rebuild an address).
    pub fn pairs(&self) -> impl Iterator<Item = (&str, &str)> {
        self.0.iter().map(|(n, v)| (n.as_str(), v.as_str()))
    }

    /// The value of a field as typed, for showing it again in the form.
    pub fn value(&self, name: &str) -> String {
        self.get(name).unwrap_or_default().to_string()
    }
}

/// One error of a form: the field's id (to link to it) and what to do, in plain words.
#[derive(Debug, Clone)]
pub struct FormError {
    pub field: String,
    pub message: String,
}

/// The errors of one form, in the order of its fields.
#[derive(Debug, Default, Clone)]
pub struct Errors(pub Vec<FormError>);

impl Errors {
    /// Records an error for a field.
    pub fn add(&mut self, field: &str, message: impl Into<String>) {
        self.0.push(FormError {
            field: field.to_string(),
            message: message.into(),
        });
    }

    /// Whether there is none.
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    /// The status of the page that shows the form: 200, or 422 when it comes back with errors.
    pub fn status(&self) -> actix_web::http::StatusCode {
        if self.is_empty() {
            actix_web::http::StatusCode::OK
        } else {
            actix_web::http::StatusCode::UNPROCESSABLE_ENTITY
        }
    }

    /// The message for a field, if it has one (shown beside the field).
    pub fn of(&self, field: &str) -> Option<&str> {
        self.0
            .iter()
            .find(|e| e.field == field)
            .map(|e| e.message.as_str())
    }

    /// A required date in `YYYY-MM-DD` (what `<input type="date">` sends); `label` names it
    /// in a sentence, in `lang` (« le premier jour »).
    pub fn date(
        &mut self,
        lang: Lang,
        fields: &Fields,
        name: &str,
        label: &str,
    ) -> Option<NaiveDate> {
        match fields.get(name) {
            None => {
                self.add(name, lang.missing(label));
                None
            }
            Some(text) => match NaiveDate::parse_from_str(text, "%Y-%m-%d") {
                Ok(d) => Some(d),
                Err(_) => {
                    self.add(name, lang.not_a_date(label));
                    None
                }
            },
        }
    }

    /// A required whole number within bounds; `label` names it in a sentence, in `lang`.
    pub fn number(
        &mut self,
        lang: Lang,
        fields: &Fields,
        name: &str,
        label: &str,
        range: std::ops::RangeInclusive<i64>,
    ) -> Option<i64> {
        let Some(text) = fields.get(name) else {
            self.add(name, lang.missing(label));
            return None;
        };
        match text.parse::<i64>() {
            Ok(n) if range.contains(&n) => Some(n),
            _ => {
                self.add(name, lang.not_a_number(label, *range.start(), *range.end()));
                None
            }
        }
    }
}

/// The dates of a form, checked for a person (both present, real dates, in order).
pub fn use_period(
    lang: Lang,
    form: &Fields,
    errors: &mut Errors,
) -> Option<(NaiveDate, NaiveDate)> {
    let t = lang.t();
    let from = errors.date(lang, form, "starts_on", t.first_day_of_use_name);
    let to = errors.date(lang, form, "ends_on", t.last_day_of_use_name);
    match (from, to) {
        (Some(f), Some(l)) if l < f => {
            errors.add("ends_on", t.last_day_before_first);
            None
        }
        (Some(f), Some(l)) => Some((f, l)),
        _ => None,
    }
}

/// A domain rule's message about dates, in the person's words for the form.
pub fn date_message(lang: Lang, message: &str) -> String {
    let t = lang.t();
    match message {
        "must not be in the past" => t.first_day_past.into(),
        "must not be before starts_on" => t.last_day_before_first.into(),
        other => format!("{}{} {other}.", t.dates_unsuitable, t.colon),
    }
}

/// The fields a service's validation refused (`Error::Validation`), or `None` for any other
/// error: the page then ties its own words to those fields, the rule staying in the service.
pub fn refused_fields(e: &crate::error::Error) -> Option<Vec<&str>> {
    match e {
        crate::error::Error::Validation(list) => {
            Some(list.iter().map(|f| f.field.as_str()).collect())
        }
        _ => None,
    }
}
