//! Catalogue vocabularies and the shapes the API shows.

use chrono::NaiveDateTime;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

crate::stored_enum! {
    /// What kind of itinerant resource it is.
    pub enum ResourceKind {
        /// A travelling exhibition (panels, installations, floor space).
        Exhibition => "exhibition",
        /// An educational trunk (malle pédagogique).
        Trunk => "trunk",
        /// A kit of tools or devices for workshops.
        Kit => "kit",
        /// A model or mock-up (maquette).
        Model => "model",
    }
}

crate::stored_enum! {
    /// Scientific theme of a resource.
    pub enum Theme {
        NatureEnvironment => "nature_environment",
        TechnologyDigital => "technology_digital",
        HealthLife => "health_life",
        ScienceSociety => "science_society",
        IndustrialHeritage => "industrial_heritage",
        Astronomy => "astronomy",
        HistoryOfScience => "history_of_science",
        MathsPhysicsChemistry => "maths_physics_chemistry",
        Other => "other",
    }
}

crate::stored_enum! {
    /// Audience a resource is designed for.
    pub enum Audience {
        EarlyChildhood => "early_childhood",
        Primary => "primary",
        Secondary => "secondary",
        Adult => "adult",
        Family => "family",
        All => "all",
    }
}

/// A copy as an event saw it (`copy.maintenance`, `copy.retired`), in a webhook payload: stored
/// with the event when it is recorded, so that a repair done before the event is sent does not
/// rewrite it (read the copy as it is now with `GET /api/v1/copies/{id}`).
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct CopySnapshot {
    pub id: i64,
    pub resource_id: i64,
    pub producer_id: i64,
    pub asset_tag: String,
    pub status: CopyStatus,
}

crate::stored_enum! {
    /// Where a physical copy stands in its life.
    pub enum CopyStatus {
        /// In its depot or a venue, lendable.
        Available => "available",
        OnLoan => "on_loan",
        InTransit => "in_transit",
        /// Being repaired, refurbished, updated or cleaned: not lendable.
        Maintenance => "maintenance",
        /// Out of service for good: never offered again.
        Retired => "retired",
    }
}

impl CopyStatus {
    /// Copies that cannot be lent now (nor placed, nor found by an availability search).
    pub const OUT_OF_SERVICE: &'static [CopyStatus] =
        &[CopyStatus::Maintenance, CopyStatus::Retired];
}

/// A resource of the shared catalogue.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct Resource {
    pub id: i64,
    /// The producer organisation that owns and lends it.
    pub producer_id: i64,
    pub kind: ResourceKind,
    pub title: String,
    pub description: String,
    pub themes: Vec<Theme>,
    pub audiences: Vec<Audience>,
    pub floor_area_m2: Option<f64>,
    pub weight_kg: Option<f64>,
    pub volume_m3: Option<f64>,
    /// Number of crates or cases it travels in.
    pub crates: Option<i32>,
    /// Days needed on site to set it up (and as many to take it down).
    pub setup_days: i32,
    /// Days needed between two loans to check and prepare it.
    pub turnaround_days: i32,
    /// What it cost to produce, in cents (for cost recovery).
    pub production_cost_cents: Option<i64>,
    /// Copies that are not retired.
    pub copies_in_service: i64,
    /// With `near`: great-circle distance in km from the point to its nearest copy in service.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub distance_km: Option<f64>,
    /// UTC.
    #[serde(with = "crate::timestamp::utc")]
    pub created_at: NaiveDateTime,
    /// UTC.
    #[serde(with = "crate::timestamp::utc")]
    pub updated_at: NaiveDateTime,
}

/// Body of `POST /api/v1/resources`. Vocabulary fields are checked by the service so that a wrong
/// value is reported against its field (`themes[1]`), not as an unparseable body.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewResource {
    /// Producer that owns it: a producer's own id (the default), or any producer for the agency.
    pub producer_id: Option<i64>,
    #[schema(value_type = ResourceKind)]
    pub kind: String,
    pub title: String,
    #[serde(default)]
    pub description: String,
    #[schema(value_type = Vec<Theme>)]
    #[serde(default)]
    pub themes: Vec<String>,
    #[schema(value_type = Vec<Audience>)]
    #[serde(default)]
    pub audiences: Vec<String>,
    pub floor_area_m2: Option<f64>,
    pub weight_kg: Option<f64>,
    pub volume_m3: Option<f64>,
    pub crates: Option<i32>,
    /// 0–30, default 0.
    pub setup_days: Option<i32>,
    /// 0–60, default 0.
    pub turnaround_days: Option<i32>,
    pub production_cost_cents: Option<i64>,
}

/// Body of `PATCH /api/v1/resources/{id}`: only the fields given change.
#[derive(Debug, Clone, Default, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ResourcePatch {
    #[schema(value_type = Option<ResourceKind>)]
    pub kind: Option<String>,
    pub title: Option<String>,
    pub description: Option<String>,
    #[schema(value_type = Option<Vec<Theme>>)]
    pub themes: Option<Vec<String>>,
    #[schema(value_type = Option<Vec<Audience>>)]
    pub audiences: Option<Vec<String>>,
    pub floor_area_m2: Option<f64>,
    pub weight_kg: Option<f64>,
    pub volume_m3: Option<f64>,
    pub crates: Option<i32>,
    pub setup_days: Option<i32>,
    pub turnaround_days: Option<i32>,
    pub production_cost_cents: Option<i64>,
}

impl From<NewResource> for ResourcePatch {
    /// A whole description given again (a form that shows every field) as a change of each.
    fn from(n: NewResource) -> ResourcePatch {
        ResourcePatch {
            kind: Some(n.kind),
            title: Some(n.title),
            description: Some(n.description),
            themes: Some(n.themes),
            audiences: Some(n.audiences),
            floor_area_m2: n.floor_area_m2,
            weight_kg: n.weight_kg,
            volume_m3: n.volume_m3,
            crates: n.crates,
            setup_days: n.setup_days,
            turnaround_days: n.turnaround_days,
            production_cost_cents: n.production_cost_cents,
        }
    }
}

/// A page of resources.
#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub struct ResourcePage {
    pub items: Vec<Resource>,
    /// Pass as `cursor` (with the same filters) for the next page; absent on the last page.
    pub next_cursor: Option<String>,
    /// How many resources match the search, all pages together.
    pub total: i64,
    /// In a search near a point, commune or venue that finds nothing within its radius: the
    /// nearest resource matching the other filters beyond it, with its `distance_km` (so a
    /// page can say "nothing within 50 km; the nearest is 86 km away"). Absent otherwise.
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub nearest_beyond: Option<Resource>,
}

/// A physical copy of a resource, identified by its asset tag.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct Copy {
    pub id: i64,
    pub resource_id: i64,
    pub producer_id: i64,
    /// Unique within the producer.
    #[schema(example = "AMI-EXPO-POMME-01")]
    pub asset_tag: String,
    /// Commune of the depot the copy returns to.
    pub home_commune_insee: String,
    pub status: CopyStatus,
    /// 1 (unusable) … 5 (as new).
    pub condition_grade: i32,
    /// Where the copy is now (WGS 84).
    pub latitude: f64,
    pub longitude: f64,
    pub retirement_reason: Option<String>,
    /// UTC.
    #[serde(with = "crate::timestamp::utc")]
    pub created_at: NaiveDateTime,
    #[serde(with = "crate::timestamp::utc")]
    pub updated_at: NaiveDateTime,
}

/// Body of `POST /api/v1/resources/{id}/copies`.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewCopy {
    /// 1–64 letters, digits, `-`, `_`, `.` or `/`; unique within the producer.
    pub asset_tag: String,
    /// Depot commune; defaults to the producer's commune. The copy starts there.
    pub home_commune_insee: Option<String>,
    /// 1–5, default 5 (as new).
    pub condition_grade: Option<i32>,
}

impl CopyPatch {
    /// Whether the patch does condition work (service status, retirement, grade): an API key
    /// then needs `condition:write`, as on the condition routes, whatever it may do to the
    /// catalogue.
    pub fn changes_condition(&self) -> bool {
        self.status.is_some() || self.retirement_reason.is_some() || self.condition_grade.is_some()
    }
}

/// Body of `PATCH /api/v1/copies/{id}`.
#[derive(Debug, Clone, Default, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CopyPatch {
    /// A new asset tag (still unique within the producer).
    pub asset_tag: Option<String>,
    /// Moves the depot (not the copy's current position).
    pub home_commune_insee: Option<String>,
    /// `available`, `maintenance` or `retired` (with `retirement_reason`); a retired copy stays
    /// retired.
    pub status: Option<CopyStatus>,
    pub retirement_reason: Option<String>,
    pub condition_grade: Option<i32>,
}

/// A component a kit or trunk must come back with.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct Component {
    pub id: i64,
    pub resource_id: i64,
    #[schema(example = "Carte micro:bit")]
    pub name: String,
    pub quantity: i32,
    /// What replacing one unit costs, in cents: a unit missing or damaged at return or inspection
    /// becomes a damage line of the loan's quote at this price.
    #[schema(example = 2500)]
    pub unit_cost_cents: i64,
}

/// Body of `PATCH /api/v1/resources/{id}/components/{component_id}`: the fields given change
/// (the count future condition checks expect; the price of a unit lost or damaged from now on).
#[derive(Debug, Clone, Default, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ComponentPatch {
    #[schema(minimum = 1, maximum = 100000)]
    pub quantity: Option<i32>,
    #[schema(minimum = 0, maximum = 100000000)]
    pub unit_cost_cents: Option<i64>,
}

/// Body of `POST /api/v1/resources/{id}/components`.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewComponent {
    pub name: String,
    /// At least 1.
    #[schema(minimum = 1, maximum = 100000)]
    pub quantity: i32,
    /// Replacement cost of one unit, in cents (0 to 100,000,000; 0 when left out).
    #[serde(default)]
    #[schema(example = 2500, minimum = 0, maximum = 100000000)]
    pub unit_cost_cents: i64,
}
