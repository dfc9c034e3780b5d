//! French school holidays: the national calendar (zones A, B and C) shipped in
//! `data/school-holidays.csv` and embedded in the binary (no download at run time), and the zone
//! of each metropolitan department. Pure reference data, no database.

use std::sync::OnceLock;

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

/// A school-holiday zone of metropolitan France, written as the Ministry names it (`A`, `B`,
/// `C`); a string in the OpenAPI document (the capital letter is the official name).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
pub enum Zone {
    A,
    B,
    C,
}

impl Zone {
    /// The zone's letter.
    pub fn as_str(self) -> &'static str {
        match self {
            Zone::A => "A",
            Zone::B => "B",
            Zone::C => "C",
        }
    }
}

impl std::fmt::Display for Zone {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

impl std::str::FromStr for Zone {
    type Err = String;
    fn from_str(s: &str) -> Result<Zone, String> {
        match s {
            "A" | "a" => Ok(Zone::A),
            "B" | "b" => Ok(Zone::B),
            "C" | "c" => Ok(Zone::C),
            other => Err(format!("unknown zone {other:?}; expected A, B or C")),
        }
    }
}

/// One holiday period of one zone (both days included).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct SchoolHoliday {
    /// `A`, `B` or `C`.
    #[schema(value_type = String, example = "B")]
    pub zone: Zone,
    /// The official name ("Vacances de Noël", "Pont de l'Ascension"…).
    #[schema(example = "Vacances d'hiver")]
    pub description: String,
    /// First day without school.
    pub starts_on: NaiveDate,
    /// Last day without school (the day before school resumes).
    pub ends_on: NaiveDate,
}

const CSV: &str = include_str!("../../data/school-holidays.csv");

/// Every period of the embedded calendar, by first day then zone.
pub fn all() -> &'static [SchoolHoliday] {
    static PERIODS: OnceLock<Vec<SchoolHoliday>> = OnceLock::new();
    PERIODS.get_or_init(|| {
        let mut periods: Vec<SchoolHoliday> = CSV
            .lines()
            .skip(1)
            .filter_map(|line| {
                let mut f = line.split(',');
                let zone: Zone = f.next()?.parse().ok()?;
                let description = f.next()?.to_string();
                let starts_on = f.next()?.parse().ok()?;
                let ends_on = f.next()?.trim().parse().ok()?;
                Some(SchoolHoliday {
                    zone,
                    description,
                    starts_on,
                    ends_on,
                })
            })
            .collect();
        periods.sort_by_key(|h| (h.starts_on, h.zone));
        periods
    })
}

/// First and last day the embedded calendar covers (outside, no day counts as a holiday).
pub fn coverage() -> (NaiveDate, NaiveDate) {
    let first = all().iter().map(|h| h.starts_on).min();
    let last = all().iter().map(|h| h.ends_on).max();
    (
        first.unwrap_or(NaiveDate::MIN),
        last.unwrap_or(NaiveDate::MIN),
    )
}

/// The periods of a zone (every zone when `None`) that touch `[from, to]`.
pub fn between(zone: Option<Zone>, from: NaiveDate, to: NaiveDate) -> Vec<SchoolHoliday> {
    all()
        .iter()
        .filter(|h| zone.is_none_or(|z| z == h.zone))
        .filter(|h| h.ends_on >= from && h.starts_on <= to)
        .cloned()
        .collect()
}

/// Whether `day` falls in a holiday of `zone`.
pub fn is_holiday(zone: Zone, day: NaiveDate) -> bool {
    all()
        .iter()
        .any(|h| h.zone == zone && h.starts_on <= day && day <= h.ends_on)
}

/// Departments by zone (académies of each zone since 2016). Corsica and overseas departments
/// have calendars of their own: no zone.
const ZONES: [(Zone, &[&str]); 3] = [
    (
        Zone::A,
        &[
            // Besançon, Bordeaux, Clermont-Ferrand, Dijon, Grenoble, Limoges, Lyon, Poitiers.
            "25", "39", "70", "90", "24", "33", "40", "47", "64", "03", "15", "43", "63", "21",
            "58", "71", "89", "07", "26", "38", "73", "74", "19", "23", "87", "01", "42", "69",
            "16", "17", "79", "86",
        ],
    ),
    (
        Zone::B,
        &[
            // Aix-Marseille, Amiens, Lille, Nancy-Metz, Nantes, Nice, Normandie, Orléans-Tours,
            // Reims, Rennes, Strasbourg.
            "04", "05", "13", "84", "02", "60", "80", "59", "62", "54", "55", "57", "88", "44",
            "49", "53", "72", "85", "06", "83", "14", "50", "61", "27", "76", "18", "28", "36",
            "37", "41", "45", "08", "10", "51", "52", "22", "29", "35", "56", "67", "68",
        ],
    ),
    (
        Zone::C,
        &[
            // Créteil, Montpellier, Paris, Toulouse, Versailles.
            "77", "93", "94", "11", "30", "34", "48", "66", "75", "09", "12", "31", "32", "46",
            "65", "81", "82", "78", "91", "92", "95",
        ],
    ),
];

/// The zone of a department number (`"59"`), if it has one.
pub fn zone_of_department(department: &str) -> Option<Zone> {
    ZONES
        .iter()
        .find(|(_, departments)| departments.contains(&department))
        .map(|(zone, _)| *zone)
}

/// The zone of a commune, from its INSEE code (its first two characters are its department).
pub fn zone_of_commune(insee: &str) -> Option<Zone> {
    zone_of_department(insee.get(..2)?)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(y: i32, m: u32, day: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, day).unwrap()
    }

    #[test]
    fn every_metropolitan_department_has_one_zone() {
        let mut seen: Vec<&str> = ZONES.iter().flat_map(|(_, d)| d.iter().copied()).collect();
        assert_eq!(seen.len(), 94);
        seen.sort();
        seen.dedup();
        assert_eq!(seen.len(), 94, "a department is in two zones");
        for hdf in ["02", "59", "60", "62", "80"] {
            assert_eq!(zone_of_department(hdf), Some(Zone::B));
        }
        assert_eq!(zone_of_commune("75056"), Some(Zone::C));
        assert_eq!(zone_of_commune("2A004"), None);
    }

    #[test]
    fn the_calendar_covers_five_school_years() {
        let (first, last) = coverage();
        assert!(first <= d(2023, 9, 1) && last >= d(2028, 8, 31));
        for zone in [Zone::A, Zone::B, Zone::C] {
            for year in 2023..=2027 {
                let christmas = between(Some(zone), d(year, 12, 24), d(year, 12, 26));
                assert_eq!(christmas.len(), 1, "{zone} {year}");
            }
        }
        assert!(is_holiday(Zone::B, d(2027, 2, 22)));
        assert!(!is_holiday(Zone::B, d(2027, 1, 12)));
    }
}
