//! Commune reference data as the API shows it.

use serde::Serialize;
use utoipa::ToSchema;

crate::stored_enum! {
    /// Size class of a commune, as used by the 2019 regional survey of proximity structures.
    pub enum CommuneClass {
        /// Fewer than 2,000 inhabitants.
        Village => "village",
        /// 2,000 to 14,999 inhabitants.
        SmallTown => "small_town",
        /// 15,000 to 99,999 inhabitants.
        MediumTown => "medium_town",
        /// 100,000 inhabitants or more.
        LargeCity => "large_city",
    }
}

impl CommuneClass {
    /// Derives the class from the municipal population.
    ///
    /// ```
    /// use itinerance::territory::CommuneClass;
    /// assert_eq!(CommuneClass::of_population(584), CommuneClass::Village);
    /// assert_eq!(CommuneClass::of_population(136_449), CommuneClass::LargeCity);
    /// ```
    pub fn of_population(population: i64) -> CommuneClass {
        match population {
            p if p < 2_000 => CommuneClass::Village,
            p if p < 15_000 => CommuneClass::SmallTown,
            p if p < 100_000 => CommuneClass::MediumTown,
            _ => CommuneClass::LargeCity,
        }
    }

    /// The population range `[min, max)` of the class, for filtering in SQL.
    pub fn population_range(self) -> (i32, i32) {
        match self {
            CommuneClass::Village => (0, 2_000),
            CommuneClass::SmallTown => (2_000, 15_000),
            CommuneClass::MediumTown => (15_000, 100_000),
            CommuneClass::LargeCity => (100_000, i32::MAX),
        }
    }
}

/// A commune of the region.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct Commune {
    /// Official INSEE code, e.g. `80021` for Amiens.
    #[schema(example = "80021")]
    pub insee_code: String,
    #[schema(example = "Amiens")]
    pub name: String,
    /// Department number (`02`, `59`, `60`, `62`, `80`).
    #[schema(example = "80")]
    pub department: String,
    pub postcode: String,
    /// Municipal population.
    pub population: i32,
    pub class: CommuneClass,
    /// SIREN of the inter-communal body (EPCI) the commune belongs to.
    pub epci_siren: String,
    pub epci_name: String,
    /// WGS 84 degrees.
    pub latitude: f64,
    pub longitude: f64,
    /// `geonames` (the commune's own point) or `epci_centroid` (approximate).
    pub coordinates_source: String,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn classes_follow_the_survey_thresholds() {
        assert_eq!(CommuneClass::of_population(0), CommuneClass::Village);
        assert_eq!(CommuneClass::of_population(1_999), CommuneClass::Village);
        assert_eq!(CommuneClass::of_population(2_000), CommuneClass::SmallTown);
        assert_eq!(CommuneClass::of_population(14_999), CommuneClass::SmallTown);
        assert_eq!(
            CommuneClass::of_population(15_000),
            CommuneClass::MediumTown
        );
        assert_eq!(
            CommuneClass::of_population(99_999),
            CommuneClass::MediumTown
        );
        assert_eq!(
            CommuneClass::of_population(100_000),
            CommuneClass::LargeCity
        );
    }
}
