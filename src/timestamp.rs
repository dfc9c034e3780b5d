//! Moments on the wire. The database keeps naive UTC timestamps (the type both backends share);
//! partners get RFC 3339 in UTC with a `Z` (`2026-11-24T04:26:43.916Z`), which is what
//! `format: date-time` promises in the OpenAPI document. The fraction keeps every digit stored
//! (none, 3, 6 or 9), so a moment read from the API names exactly the stored instant. Use on every response
//! field that holds a moment: `#[serde(with = "crate::timestamp::utc")]`.

use chrono::{DateTime, NaiveDateTime, SecondsFormat};
use serde::{Deserialize, Deserializer, Serializer};

/// RFC 3339, UTC, `Z`, with the stored fraction of a second.
pub fn format(moment: NaiveDateTime) -> String {
    moment
        .and_utc()
        .to_rfc3339_opts(SecondsFormat::AutoSi, true)
}

/// Reads any RFC 3339 moment (any offset) as naive UTC.
pub fn parse(text: &str) -> Result<NaiveDateTime, chrono::ParseError> {
    DateTime::parse_from_rfc3339(text).map(|t| t.naive_utc())
}

/// `serde(with)` for `NaiveDateTime` fields holding UTC.
pub mod utc {
    use super::*;

    pub fn serialize<S: Serializer>(moment: &NaiveDateTime, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&format(*moment))
    }

    pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<NaiveDateTime, D::Error> {
        let text = String::deserialize(d)?;
        parse(&text).map_err(serde::de::Error::custom)
    }
}

/// `serde(with)` for `Option<NaiveDateTime>` fields holding UTC.
pub mod utc_option {
    use super::*;

    pub fn serialize<S: Serializer>(
        moment: &Option<NaiveDateTime>,
        s: S,
    ) -> Result<S::Ok, S::Error> {
        match moment {
            Some(m) => s.serialize_some(&format(*m)),
            None => s.serialize_none(),
        }
    }

    pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<Option<NaiveDateTime>, D::Error> {
        match Option::<String>::deserialize(d)? {
            Some(text) => parse(&text).map(Some).map_err(serde::de::Error::custom),
            None => Ok(None),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn utc_with_z_and_every_stored_digit() {
        let m = chrono::NaiveDate::from_ymd_opt(2026, 11, 24)
            .unwrap()
            .and_hms_nano_opt(4, 33, 4, 407_988_638)
            .unwrap();
        assert_eq!(format(m), "2026-11-24T04:33:04.407988638Z");
        assert_eq!(parse("2026-11-24T05:33:04.407988638+01:00").unwrap(), m);
        let whole = m.date().and_hms_opt(4, 33, 4).unwrap();
        assert_eq!(format(whole), "2026-11-24T04:33:04Z");
    }
}
