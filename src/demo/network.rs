//! Demo network of the real Hauts-de-France region.
//!
//! `make run` starts the service with a reproducible demonstration dataset so
//! that the catalogue, the map and the booking screens can be explored without
//! any private data: one regional agency, a handful of producers placed where
//! science-culture producers really are, about sixty resources and 250 venues
//! drawn from the real communes of the region.
//!
//! The catalogue itself (producers, resources, components, copies, venue mix)
//! is data, in `data/demo-catalogue.json`, embedded at compile time.
//!
//! This module is pure: it only computes plain structs from the list of
//! communes and that catalogue (no database, no HTTP). The draws use a seeded SplitMix64 generator
//! and integer arithmetic only, and the communes are sorted by INSEE code
//! before drawing, so the same input gives exactly the same network on every
//! run and every platform. The demo setup inserts the result through the
//! domain services.

use std::collections::{BTreeMap, BTreeSet};

use serde::Deserialize;

use crate::rng::SplitMix64;

/// Password shared by every demo login (documented, demo only).
pub const DEMO_PASSWORD: &str = "demo-itinerance";

/// Number of venues generated when at least one commune is available.
pub const VENUE_COUNT: usize = 250;

/// INSEE code of Lille, home of the regional agency.
const AGENCY_COMMUNE: &str = "59350";

/// Domain of the demo login e-mails.
const EMAIL_DOMAIN: &str = "demo.itinerance.fr";

/// Seed of the venue draws; changing it changes the whole venue list.
const SEED: u64 = 0x4844_4632_3031_3921;

/// Redraws attempted before a duplicate venue name gets a numeric suffix.
const MAX_NAME_ATTEMPTS: usize = 16;

/// A commune of the reference list, as read from
/// `data/hauts-de-france-communes.csv`.
#[derive(Debug, Clone, PartialEq)]
pub struct CommuneRef {
    /// INSEE code, e.g. `"59350"` for Lille.
    pub insee_code: String,
    /// Official name with accents, e.g. `"Villeneuve-d'Ascq"`.
    pub name: String,
    /// Department code: `"02"`, `"59"`, `"60"`, `"62"` or `"80"`.
    pub department: String,
    /// Municipal population.
    pub population: i64,
}

/// The whole demo network, ready to be inserted.
#[derive(Debug, Clone, PartialEq)]
pub struct DemoNetwork {
    /// The regional agency that runs the network.
    pub agency: DemoOrg,
    /// Producers with their catalogue.
    pub producers: Vec<DemoProducer>,
    /// Borrowing venues (libraries, social centres, fablabs…).
    pub venues: Vec<DemoOrg>,
    /// Documented demo accounts, one admin per organisation kind and producer.
    pub logins: Vec<DemoLogin>,
}

/// An organisation of the demo network.
#[derive(Debug, Clone, PartialEq)]
pub struct DemoOrg {
    /// Stable slug, e.g. `"agency"`, `"producer-amiens"` or `"venue-0042"`.
    pub key: String,
    /// Display name.
    pub name: String,
    /// `"agency"`, `"producer"` or `"venue"`.
    pub kind: &'static str,
    /// Venue type for venues (`"library"`, `"social_centre"`…), `None` otherwise.
    pub venue_type: Option<&'static str>,
    /// INSEE code of the commune where the organisation is located.
    pub commune_insee: String,
}

/// A producer and the resources it lends.
#[derive(Debug, Clone, PartialEq)]
pub struct DemoProducer {
    /// The producer organisation (`kind == "producer"`).
    pub org: DemoOrg,
    /// Its catalogue.
    pub resources: Vec<DemoResource>,
}

/// A lendable resource of a producer's catalogue.
#[derive(Debug, Clone, PartialEq)]
pub struct DemoResource {
    /// `"exhibition"`, `"trunk"`, `"kit"` or `"model"`.
    pub kind: &'static str,
    /// French title.
    pub title: String,
    /// French description, one to three sentences.
    pub description: String,
    /// Theme codes (`"nature_environment"`, `"astronomy"`…).
    pub themes: Vec<&'static str>,
    /// Audience codes (`"primary"`, `"family"`…).
    pub audiences: Vec<&'static str>,
    /// Floor area needed once installed (exhibitions and models).
    pub floor_area_m2: Option<f64>,
    /// Shipping weight.
    pub weight_kg: Option<f64>,
    /// Shipping volume.
    pub volume_m3: Option<f64>,
    /// Number of crates or cases shipped.
    pub crates: Option<i32>,
    /// Days needed to set up at the venue.
    pub setup_days: i32,
    /// Days needed between two loans (checks, cleaning, repacking).
    pub turnaround_days: i32,
    /// Production cost in euro cents.
    pub production_cost_cents: i64,
    /// Contents as (name, quantity); always filled for kits and trunks.
    pub components: Vec<(String, i32)>,
    /// Physical copies.
    pub copies: Vec<DemoCopy>,
}

/// A physical copy of a resource.
#[derive(Debug, Clone, PartialEq)]
pub struct DemoCopy {
    /// Asset tag, unique within the producer, e.g. `"AMI-EXPO-POMME-01"`.
    pub asset_tag: String,
    /// Home commune when it differs from the producer's (satellite depot);
    /// `None` means the producer's commune.
    pub home_commune_insee: Option<String>,
}

/// A documented demo account.
#[derive(Debug, Clone, PartialEq)]
pub struct DemoLogin {
    /// Login e-mail, e.g. `"agence@demo.itinerance.fr"`.
    pub email: String,
    /// Always [`DEMO_PASSWORD`].
    pub password: &'static str,
    /// Key of the organisation the account belongs to.
    pub org_key: String,
    /// Role within the organisation (`"admin"`).
    pub role: &'static str,
}

/// Builds the demo network from the communes of the region.
///
/// Never panics: a wanted commune missing from `communes` is replaced by the
/// first commune of the slice (a satellite depot missing from the slice is
/// dropped, the copy stays at the producer); with an empty slice the agency
/// stays on Lille (`"59350"`), producers keep their intended codes and no venue
/// is generated. Fails only when the embedded `data/demo-catalogue.json` does
/// not parse or names an unknown producer (a unit test checks it does not).
pub fn build(communes: &[CommuneRef]) -> Result<DemoNetwork, String> {
    let catalogue = catalogue()?;
    let index = CommuneIndex::new(communes);

    let agency = DemoOrg {
        key: "agency".to_string(),
        name: "Agence régionale Itinérance Hauts-de-France".to_string(),
        kind: "agency",
        venue_type: None,
        commune_insee: index.resolve(AGENCY_COMMUNE),
    };

    let producers: Vec<DemoProducer> = catalogue
        .producers
        .iter()
        .map(|spec| build_producer(spec, &catalogue.resources, &index))
        .collect();

    let venues = build_venues(&catalogue.venue_types, &index);

    let mut logins = vec![login("agence", &agency.key)];
    for (spec, producer) in catalogue.producers.iter().zip(&producers) {
        logins.push(login(spec.login, &producer.org.key));
    }
    let mut venues = venues;
    for venue_login in &catalogue.venue_logins {
        // A login naming its own venue gets it, added after the drawn ones (which stay as they
        // were); the others log in to the first drawn venue of their type.
        if let (Some(name), Some(insee)) = (&venue_login.name, venue_login.insee) {
            if index.contains(insee) {
                let key = format!("venue-{}", venue_login.login);
                venues.push(DemoOrg {
                    key: key.clone(),
                    name: name.clone(),
                    kind: "venue",
                    venue_type: Some(venue_login.venue_type),
                    commune_insee: insee.to_string(),
                });
                logins.push(login(venue_login.login, &key));
            }
        } else if let Some(venue) = venues
            .iter()
            .find(|v| v.venue_type == Some(venue_login.venue_type))
        {
            logins.push(login(venue_login.login, &venue.key));
        }
    }

    Ok(DemoNetwork {
        agency,
        producers,
        venues,
        logins,
    })
}

fn login(local_part: &str, org_key: &str) -> DemoLogin {
    DemoLogin {
        email: format!("{local_part}@{EMAIL_DOMAIN}"),
        password: DEMO_PASSWORD,
        org_key: org_key.to_string(),
        role: "admin",
    }
}

// ---------------------------------------------------------------------------
// Communes
// ---------------------------------------------------------------------------

/// The input slice plus a copy sorted by INSEE code, so that lookups are
/// cheap and draws do not depend on the order of the input.
struct CommuneIndex<'a> {
    input: &'a [CommuneRef],
    sorted: Vec<&'a CommuneRef>,
}

impl<'a> CommuneIndex<'a> {
    fn new(input: &'a [CommuneRef]) -> Self {
        let mut sorted: Vec<&CommuneRef> = input.iter().collect();
        sorted.sort_by(|a, b| {
            (&a.insee_code, &a.name, &a.department, a.population).cmp(&(
                &b.insee_code,
                &b.name,
                &b.department,
                b.population,
            ))
        });
        Self { input, sorted }
    }

    fn contains(&self, insee: &str) -> bool {
        self.sorted
            .binary_search_by(|c| c.insee_code.as_str().cmp(insee))
            .is_ok()
    }

    /// The wanted code if known, else the first commune of the input, else
    /// the wanted code unchanged (empty input).
    fn resolve(&self, insee: &str) -> String {
        if self.contains(insee) {
            return insee.to_string();
        }
        match self.input.first() {
            Some(first) => first.insee_code.clone(),
            None => insee.to_string(),
        }
    }
}

// ---------------------------------------------------------------------------
// Producers and catalogue
// ---------------------------------------------------------------------------

/// The demo catalogue, written for this project (see `data/NOTICE.md`): the
/// producers, their resources (footprints, components, copies), the venue
/// type mix and the documented venue logins. Embedded at compile time, so
/// running the demo needs no file.
const CATALOGUE_JSON: &str = include_str!("../../data/demo-catalogue.json");

/// `data/demo-catalogue.json`. Codes (kinds, themes, audiences, venue types)
/// are borrowed from the embedded text; they never contain JSON escapes.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct Catalogue<'a> {
    #[serde(borrow)]
    producers: Vec<ProducerSpec<'a>>,
    #[serde(borrow)]
    resources: Vec<Spec<'a>>,
    #[serde(borrow)]
    venue_types: Vec<VenueKind<'a>>,
    #[serde(borrow)]
    venue_logins: Vec<VenueLogin<'a>>,
}

/// A demo producer.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct ProducerSpec<'a> {
    /// Key of the producer, used by its resources.
    slug: &'a str,
    name: String,
    insee: &'a str,
    /// Name of the commune `insee` (for the reader; checked by a test).
    #[allow(dead_code)]
    commune: String,
    tag_prefix: &'a str,
    login: &'a str,
    /// Commune of a satellite depot holding some copies.
    satellite: Option<&'a str>,
    /// Name of the commune `satellite` (for the reader; checked by a test).
    #[allow(dead_code)]
    satellite_commune: Option<String>,
}

/// Physical and logistic footprint of a resource.
#[derive(Debug, Clone, Copy, Deserialize)]
#[serde(deny_unknown_fields)]
struct Footprint {
    /// Floor area once installed (exhibitions and models only).
    floor_area_m2: Option<f64>,
    weight_kg: f64,
    volume_m3: f64,
    /// Crates or cases shipped.
    crates: i32,
    setup_days: i32,
    turnaround_days: i32,
    cost_eur: i64,
}

/// A component of a kit or trunk.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct ComponentSpec {
    name: String,
    quantity: i32,
}

/// A catalogue entry.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct Spec<'a> {
    /// `slug` of its producer.
    producer: &'a str,
    kind: &'a str,
    /// Short code used in asset tags, unique within the producer and kind.
    code: &'a str,
    title: String,
    description: String,
    #[serde(borrow)]
    themes: Vec<&'a str>,
    #[serde(borrow)]
    audiences: Vec<&'a str>,
    footprint: Footprint,
    components: Vec<ComponentSpec>,
    copies: usize,
    /// The last copy lives at the producer's satellite depot.
    satellite: bool,
}

/// Venue type mix of the 2019 regional survey, in percent, with the name
/// prefixes used for villages (< 2,000 inhabitants) and for larger communes,
/// and the preferred size class split (village, small town, town) in percent.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct VenueKind<'a> {
    venue_type: &'a str,
    percent: u64,
    village_names: Vec<String>,
    town_names: Vec<String>,
    class_split: [u64; 3],
}

/// A venue admin documented for the demo.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct VenueLogin<'a> {
    venue_type: &'a str,
    /// E-mail local part.
    login: &'a str,
    /// A venue of its own (the village's *point lecture*, the school): its name…
    name: Option<String>,
    /// …and commune; without them the login goes to the first drawn venue of the type.
    insee: Option<&'a str>,
    /// Name of the commune `insee` (for the reader; checked by a test).
    #[allow(dead_code)]
    commune: Option<String>,
}

/// Parses the embedded catalogue and checks that every resource names a known
/// producer.
fn catalogue() -> Result<Catalogue<'static>, String> {
    let catalogue: Catalogue<'static> = serde_json::from_str(CATALOGUE_JSON)
        .map_err(|e| format!("data/demo-catalogue.json: {e}"))?;
    if let Some(orphan) = catalogue
        .resources
        .iter()
        .find(|r| !catalogue.producers.iter().any(|p| p.slug == r.producer))
    {
        return Err(format!(
            "data/demo-catalogue.json: {:?} names an unknown producer {:?}",
            orphan.title, orphan.producer
        ));
    }
    Ok(catalogue)
}

fn kind_tag(kind: &str) -> &'static str {
    match kind {
        "exhibition" => "EXPO",
        "trunk" => "MALLE",
        "kit" => "KIT",
        _ => "MAQ",
    }
}

fn build_producer(
    spec: &ProducerSpec,
    catalogue: &[Spec<'static>],
    index: &CommuneIndex,
) -> DemoProducer {
    let org = DemoOrg {
        key: format!("producer-{}", spec.slug),
        name: spec.name.clone(),
        kind: "producer",
        venue_type: None,
        commune_insee: index.resolve(spec.insee),
    };
    // A satellite depot is only used when it really exists in the input and
    // differs from the producer's own commune.
    let satellite = spec
        .satellite
        .filter(|code| index.contains(code) && *code != org.commune_insee)
        .map(str::to_string);

    let resources = catalogue
        .iter()
        .filter(|entry| entry.producer == spec.slug)
        .map(|entry| build_resource(spec.tag_prefix, entry, satellite.as_deref()))
        .collect();
    DemoProducer { org, resources }
}

fn build_resource(prefix: &str, spec: &Spec<'static>, satellite: Option<&str>) -> DemoResource {
    let fp = spec.footprint;
    let copies = (1..=spec.copies)
        .map(|number| DemoCopy {
            asset_tag: format!("{prefix}-{}-{}-{number:02}", kind_tag(spec.kind), spec.code),
            home_commune_insee: if spec.satellite && number == spec.copies {
                satellite.map(str::to_string)
            } else {
                None
            },
        })
        .collect();
    DemoResource {
        kind: spec.kind,
        title: spec.title.clone(),
        description: spec.description.clone(),
        themes: spec.themes.clone(),
        audiences: spec.audiences.clone(),
        floor_area_m2: fp.floor_area_m2,
        weight_kg: Some(fp.weight_kg),
        volume_m3: Some(fp.volume_m3),
        crates: Some(fp.crates),
        setup_days: fp.setup_days,
        turnaround_days: fp.turnaround_days,
        production_cost_cents: fp.cost_eur * 100,
        components: spec
            .components
            .iter()
            .map(|c| (c.name.clone(), c.quantity))
            .collect(),
        copies,
    }
}

// ---------------------------------------------------------------------------
// Venues
// ---------------------------------------------------------------------------

/// Size class of a commune: 0 village (< 2,000), 1 small town (< 15,000),
/// 2 town.
fn size_class(population: i64) -> usize {
    if population < 2_000 {
        0
    } else if population < 15_000 {
        1
    } else {
        2
    }
}

/// The communes of one department, split by size class.
struct Department<'a> {
    population: u64,
    classes: [Vec<&'a CommuneRef>; 3],
}

impl<'a> Department<'a> {
    /// Draws a commune, preferring the size class given by `split`; falls back
    /// to small towns, villages then towns when the class is empty.
    fn draw(&self, split: &[u64; 3], rng: &mut SplitMix64) -> Option<&'a CommuneRef> {
        let total: u64 = split.iter().sum();
        let mut roll = rng.below(usize::try_from(total.max(1)).unwrap_or(1)) as u64;
        let mut wanted = 2;
        for (class, weight) in split.iter().enumerate() {
            if roll < *weight {
                wanted = class;
                break;
            }
            roll -= weight;
        }
        let class = [wanted, 1, 0, 2]
            .into_iter()
            .find(|class| !self.classes[*class].is_empty())?;
        let pool = &self.classes[class];
        pool.get(rng.below(pool.len())).copied()
    }
}

/// Splits `total` proportionally to `weights` with the largest-remainder
/// method (ties go to the earlier entry), in exact integer arithmetic. Equal
/// weights are used when all weights are zero.
fn largest_remainder(total: usize, weights: &[u64]) -> Vec<usize> {
    if weights.is_empty() {
        return Vec::new();
    }
    let sum: u128 = weights.iter().map(|w| u128::from(*w)).sum();
    let (weights, sum): (Vec<u128>, u128) = if sum == 0 {
        (vec![1; weights.len()], weights.len() as u128)
    } else {
        (weights.iter().map(|w| u128::from(*w)).collect(), sum)
    };
    let total_wide = total as u128;
    let mut counts: Vec<usize> = weights
        .iter()
        .map(|w| usize::try_from(total_wide * w / sum).unwrap_or(0))
        .collect();
    let mut order: Vec<(u128, usize)> = weights
        .iter()
        .enumerate()
        .map(|(i, w)| (total_wide * w % sum, i))
        .collect();
    // Largest remainder first, then original position.
    order.sort_by(|a, b| b.0.cmp(&a.0).then(a.1.cmp(&b.1)));
    let assigned: usize = counts.iter().sum();
    for (_, i) in order.iter().take(total.saturating_sub(assigned)) {
        counts[*i] += 1;
    }
    counts
}

/// Puts "de" before a commune name with French elision and contraction:
/// "de Laon", "d'Amiens", "du Quesnoy", "des Moëres".
fn of_commune(name: &str) -> String {
    const VOWELS: [char; 14] = [
        'A', 'E', 'I', 'O', 'U', 'Y', 'É', 'È', 'Ê', 'Â', 'Î', 'Ô', 'Œ', 'Û',
    ];
    if let Some(rest) = name.strip_prefix("Le ") {
        format!("du {rest}")
    } else if let Some(rest) = name.strip_prefix("Les ") {
        format!("des {rest}")
    } else if name.starts_with(VOWELS) {
        format!("d'{name}")
    } else {
        format!("de {name}")
    }
}

fn build_venues(venue_mix: &[VenueKind<'static>], index: &CommuneIndex) -> Vec<DemoOrg> {
    // Departments in code order, communes in INSEE order within each class.
    let mut departments: BTreeMap<&str, Department> = BTreeMap::new();
    for commune in &index.sorted {
        let department = departments
            .entry(commune.department.as_str())
            .or_insert_with(|| Department {
                population: 0,
                classes: [Vec::new(), Vec::new(), Vec::new()],
            });
        department.population = department
            .population
            .saturating_add(u64::try_from(commune.population).unwrap_or(0));
        department.classes[size_class(commune.population)].push(commune);
    }
    if departments.is_empty() {
        return Vec::new();
    }
    let departments: Vec<Department> = departments.into_values().collect();

    let mut rng = SplitMix64::new(SEED);

    // One slot per venue: its department (by population) and its type (by
    // the survey mix, shuffled across the region).
    let dept_weights: Vec<u64> = departments.iter().map(|d| d.population).collect();
    let mut slots: Vec<usize> = Vec::with_capacity(VENUE_COUNT);
    for (dept, count) in largest_remainder(VENUE_COUNT, &dept_weights)
        .into_iter()
        .enumerate()
    {
        slots.extend(std::iter::repeat_n(dept, count));
    }
    let type_weights: Vec<u64> = venue_mix.iter().map(|k| k.percent).collect();
    let mut types: Vec<usize> = Vec::with_capacity(VENUE_COUNT);
    for (kind, count) in largest_remainder(VENUE_COUNT, &type_weights)
        .into_iter()
        .enumerate()
    {
        types.extend(std::iter::repeat_n(kind, count));
    }
    rng.shuffle(&mut types);

    let mut names: BTreeSet<String> = BTreeSet::new();
    let mut venues = Vec::with_capacity(VENUE_COUNT);
    for (dept, kind) in slots.into_iter().zip(types) {
        let (Some(department), Some(venue_kind)) = (departments.get(dept), venue_mix.get(kind))
        else {
            continue;
        };
        let mut candidate: Option<(String, &CommuneRef)> = None;
        for _ in 0..MAX_NAME_ATTEMPTS {
            let Some(commune) = department.draw(&venue_kind.class_split, &mut rng) else {
                break;
            };
            let prefixes = if commune.population < 2_000 {
                &venue_kind.village_names
            } else {
                &venue_kind.town_names
            };
            let prefix = prefixes
                .get(rng.below(prefixes.len()))
                .map(String::as_str)
                .unwrap_or("Lieu");
            let name = format!("{prefix} {}", of_commune(&commune.name));
            let unique = !names.contains(&name);
            candidate = Some((name, commune));
            if unique {
                break;
            }
        }
        let Some((mut name, commune)) = candidate else {
            continue;
        };
        if names.contains(&name) {
            let base = name.clone();
            let mut site = 2;
            while names.contains(&name) {
                name = format!("{base} (site {site})");
                site += 1;
            }
        }
        names.insert(name.clone());
        venues.push(DemoOrg {
            key: format!("venue-{:04}", venues.len() + 1),
            name,
            kind: "venue",
            venue_type: Some(venue_kind.venue_type),
            commune_insee: commune.insee_code.clone(),
        });
    }
    venues
}

#[cfg(test)]
mod tests {
    use super::*;

    const CSV: &str = include_str!("../../data/hauts-de-france-communes.csv");

    /// Splits one CSV line, honouring double quotes (`"a, b"` and `""`).
    fn split_csv_line(line: &str) -> Vec<String> {
        let mut fields = Vec::new();
        let mut current = String::new();
        let mut quoted = false;
        let mut chars = line.chars().peekable();
        while let Some(c) = chars.next() {
            match c {
                '"' if quoted && chars.peek() == Some(&'"') => {
                    current.push('"');
                    chars.next();
                }
                '"' => quoted = !quoted,
                ',' if !quoted => fields.push(std::mem::take(&mut current)),
                _ => current.push(c),
            }
        }
        fields.push(current);
        fields
    }

    fn communes() -> Vec<CommuneRef> {
        let mut lines = CSV.lines();
        let header = split_csv_line(lines.next().expect("header"));
        assert_eq!(header[0], "insee_code");
        assert_eq!(header[4], "population");
        lines
            .filter(|line| !line.trim().is_empty())
            .map(|line| {
                let fields = split_csv_line(line.trim_end_matches('\r'));
                assert_eq!(fields.len(), 10, "bad line {line}");
                CommuneRef {
                    insee_code: fields[0].clone(),
                    name: fields[1].clone(),
                    department: fields[2].clone(),
                    population: fields[4].parse().expect("population"),
                }
            })
            .collect()
    }

    fn by_code(communes: &[CommuneRef]) -> BTreeMap<String, CommuneRef> {
        communes
            .iter()
            .map(|c| (c.insee_code.clone(), c.clone()))
            .collect()
    }

    fn resources(network: &DemoNetwork) -> impl Iterator<Item = &DemoResource> {
        network.producers.iter().flat_map(|p| p.resources.iter())
    }

    /// FNV-1a (64 bits) of a text: a fingerprint stable across platforms and toolchains.
    fn fnv1a(text: &str) -> u64 {
        text.bytes().fold(0xcbf2_9ce4_8422_2325, |hash, byte| {
            (hash ^ u64::from(byte)).wrapping_mul(0x0100_0000_01b3)
        })
    }

    /// The network built from the real communes, pinned by counts and fingerprints recorded
    /// while the catalogue was still Rust literals: the move to `data/demo-catalogue.json`
    /// changed nothing.
    #[test]
    fn network_matches_its_recorded_fingerprints() {
        let network = build(&communes()).expect("demo network");
        let resources: Vec<&DemoResource> = resources(&network).collect();
        let copies: usize = resources.iter().map(|r| r.copies.len()).sum();
        let components: usize = resources.iter().map(|r| r.components.len()).sum();
        let catalogue: Vec<_> = network.producers.iter().collect();
        assert_eq!(network.producers.len(), 7);
        assert_eq!(resources.len(), 60);
        assert_eq!(copies, 146);
        assert_eq!(components, 138);
        // 250 drawn, then the village's point lecture and the school.
        assert_eq!(network.venues.len(), 252);
        assert_eq!(network.logins.len(), 13);
        assert_eq!(fnv1a(&format!("{catalogue:?}")), 0xa723_e384_0849_dfb7);
        // Without the two venues named by their logins, the network is the one recorded: adding
        // them moved nothing else.
        let mut drawn = network.clone();
        let named = ["venue-point-lecture", "venue-ecole"];
        drawn.venues.retain(|v| !named.contains(&v.key.as_str()));
        drawn
            .logins
            .retain(|l| !named.contains(&l.org_key.as_str()));
        assert_eq!(fnv1a(&format!("{drawn:?}")), 0xd65e_0aff_2904_083d);
    }

    /// `data/demo-catalogue.json` parses; its codes are the API's vocabularies, its communes the
    /// ones it names, and its asset-tag codes unique within each producer and kind.
    #[test]
    fn catalogue_file_parses_and_agrees_with_the_vocabularies_and_communes() {
        use crate::catalogue::model::{Audience, ResourceKind, Theme};
        use crate::organization::VenueType;
        let catalogue = catalogue().expect("data/demo-catalogue.json");
        assert_eq!(catalogue.producers.len(), 7);
        assert_eq!(catalogue.resources.len(), 60);
        let codes = by_code(&communes());
        let name_of = |insee: &str| codes.get(insee).map(|c| c.name.clone());
        for l in &catalogue.venue_logins {
            assert_eq!(l.insee.and_then(name_of), l.commune.clone(), "{}", l.login);
            assert!(l.venue_type.parse::<VenueType>().is_ok(), "{}", l.login);
        }
        for p in &catalogue.producers {
            assert_eq!(name_of(p.insee), Some(p.commune.clone()), "{}", p.slug);
            assert_eq!(
                p.satellite.and_then(name_of),
                p.satellite_commune.clone(),
                "{}",
                p.slug
            );
        }
        let mut tags = BTreeSet::new();
        for r in &catalogue.resources {
            assert!(
                r.kind.parse::<ResourceKind>().is_ok(),
                "{}: {}",
                r.title,
                r.kind
            );
            for theme in &r.themes {
                assert!(theme.parse::<Theme>().is_ok(), "{}: {theme}", r.title);
            }
            for audience in &r.audiences {
                assert!(
                    audience.parse::<Audience>().is_ok(),
                    "{}: {audience}",
                    r.title
                );
            }
            assert!(r.copies >= 1, "{}", r.title);
            assert!(
                tags.insert((r.producer, kind_tag(r.kind), r.code)),
                "asset tag code {} used twice",
                r.code
            );
        }
        let mix: u64 = catalogue.venue_types.iter().map(|k| k.percent).sum();
        assert_eq!(mix, 100);
        for k in &catalogue.venue_types {
            assert!(
                k.venue_type.parse::<VenueType>().is_ok(),
                "{}",
                k.venue_type
            );
        }
    }

    #[test]
    fn csv_is_parsed_with_quoted_fields() {
        let communes = communes();
        assert_eq!(communes.len(), 3_782);
        let fields = split_csv_line(r#"1,"a, ""b""",c"#);
        assert_eq!(fields, vec!["1", r#"a, "b""#, "c"]);
    }

    #[test]
    fn build_is_deterministic_and_order_independent() {
        let communes = communes();
        let first = build(&communes).expect("demo network");
        assert_eq!(first, build(&communes).expect("demo network"));
        let mut reversed = communes.clone();
        reversed.reverse();
        assert_eq!(first, build(&reversed).expect("demo network"));
    }

    #[test]
    fn venues_follow_the_survey_mix() {
        let network = build(&communes()).expect("demo network");
        assert_eq!(network.venues.len(), VENUE_COUNT + 2);
        let mut counts: BTreeMap<&str, usize> = BTreeMap::new();
        for venue in &network.venues[..VENUE_COUNT] {
            assert_eq!(venue.kind, "venue");
            *counts.entry(venue.venue_type.expect("type")).or_default() += 1;
        }
        let expected: BTreeMap<&str, usize> = [
            ("library", 135),
            ("social_centre", 48),
            ("environment", 18),
            ("fablab", 12),
            ("youth", 12),
            ("culture", 10),
            ("insertion", 10),
            ("other", 5),
        ]
        .into_iter()
        .collect();
        assert_eq!(counts, expected);
    }

    #[test]
    fn venues_are_spread_over_the_region_and_small_communes() {
        let communes = communes();
        let codes = by_code(&communes);
        let network = build(&communes).expect("demo network");
        let mut departments: BTreeMap<&str, usize> = BTreeMap::new();
        let mut small = 0;
        for venue in &network.venues {
            let commune = codes.get(&venue.commune_insee).expect("known commune");
            *departments.entry(commune.department.as_str()).or_default() += 1;
            if commune.population < 15_000 {
                small += 1;
            }
        }
        let present: Vec<&str> = departments.keys().copied().collect();
        assert_eq!(present, vec!["02", "59", "60", "62", "80"]);
        // Nord is the most populated department, the Aisne the least.
        assert!(departments["59"] > departments["62"]);
        assert!(departments["62"] > departments["02"]);
        assert!(small * 100 >= network.venues.len() * 70, "{small} small");
    }

    #[test]
    fn venue_names_and_keys_are_unique() {
        let network = build(&communes()).expect("demo network");
        let names: BTreeSet<&str> = network.venues.iter().map(|v| v.name.as_str()).collect();
        assert_eq!(names.len(), network.venues.len());
        let mut keys: BTreeSet<&str> = network.venues.iter().map(|v| v.key.as_str()).collect();
        keys.insert(network.agency.key.as_str());
        for producer in &network.producers {
            keys.insert(producer.org.key.as_str());
        }
        assert_eq!(
            keys.len(),
            network.venues.len() + network.producers.len() + 1
        );
        assert_eq!(network.venues[0].key, "venue-0001");
        assert!(names.iter().any(|n| n.starts_with("Médiathèque ")));
    }

    #[test]
    fn agency_and_producers_sit_on_their_real_communes() {
        let network = build(&communes()).expect("demo network");
        assert_eq!(network.agency.kind, "agency");
        assert_eq!(network.agency.commune_insee, "59350");
        assert_eq!(
            network.agency.name,
            "Agence régionale Itinérance Hauts-de-France"
        );
        let placed: Vec<&str> = network
            .producers
            .iter()
            .map(|p| p.org.commune_insee.as_str())
            .collect();
        assert_eq!(
            placed,
            vec!["80021", "59009", "62041", "59350", "59131", "60057", "02408"]
        );
        for producer in &network.producers {
            assert_eq!(producer.org.kind, "producer");
            assert!(producer.org.name.ends_with("(démo)"));
            assert!(producer.resources.len() >= 7);
        }
    }

    #[test]
    fn catalogue_covers_every_kind_and_theme() {
        let network = build(&communes()).expect("demo network");
        let kinds: BTreeSet<&str> = resources(&network).map(|r| r.kind).collect();
        assert_eq!(
            kinds,
            ["exhibition", "kit", "model", "trunk"]
                .into_iter()
                .collect()
        );
        let themes: BTreeSet<&str> = resources(&network)
            .flat_map(|r| r.themes.iter().copied())
            .collect();
        let all_themes: BTreeSet<&str> = [
            "nature_environment",
            "technology_digital",
            "health_life",
            "science_society",
            "industrial_heritage",
            "astronomy",
            "history_of_science",
            "maths_physics_chemistry",
            "other",
        ]
        .into_iter()
        .collect();
        assert_eq!(themes, all_themes);
        let all_audiences: BTreeSet<&str> = [
            "early_childhood",
            "primary",
            "secondary",
            "adult",
            "family",
            "all",
        ]
        .into_iter()
        .collect();
        for resource in resources(&network) {
            assert!(!resource.themes.is_empty() && !resource.audiences.is_empty());
            assert!(resource.audiences.iter().all(|a| all_audiences.contains(a)));
        }
        let count = resources(&network).count();
        assert!((55..=65).contains(&count), "{count} resources");
    }

    #[test]
    fn footprints_are_realistic() {
        let network = build(&communes()).expect("demo network");
        for r in resources(&network) {
            let weight = r.weight_kg.expect("weight");
            assert!((50_000..=8_000_000).contains(&r.production_cost_cents));
            assert!(r.title.len() > 5 && r.description.len() > 40);
            match r.kind {
                "exhibition" => {
                    let area = r.floor_area_m2.expect("area");
                    assert!((30.0..=200.0).contains(&area), "{}", r.title);
                    assert!((100.0..=1_500.0).contains(&weight), "{}", r.title);
                    assert!(r.crates.expect("crates") >= 3, "{}", r.title);
                    assert!((1..=3).contains(&r.setup_days));
                }
                "trunk" | "kit" => {
                    assert!((5.0..=40.0).contains(&weight), "{}", r.title);
                    assert_eq!(r.setup_days, 0);
                    assert!((1..=3).contains(&r.turnaround_days));
                    assert!((3..=12).contains(&r.components.len()), "{}", r.title);
                    assert!(r.components.iter().all(|(_, q)| *q > 0));
                }
                _ => assert!(r.floor_area_m2.is_some()),
            }
        }
    }

    #[test]
    fn copies_are_counted_tagged_and_homed() {
        let communes = communes();
        let codes = by_code(&communes);
        let network = build(&communes).expect("demo network");
        let total: usize = resources(&network).map(|r| r.copies.len()).sum();
        assert!((130..=170).contains(&total), "{total} copies");
        let mut elsewhere = 0;
        for producer in &network.producers {
            let mut tags = BTreeSet::new();
            for resource in &producer.resources {
                assert!((1..=5).contains(&resource.copies.len()));
                for copy in &resource.copies {
                    assert!(tags.insert(copy.asset_tag.as_str()), "{}", copy.asset_tag);
                    if let Some(home) = &copy.home_commune_insee {
                        assert!(codes.contains_key(home));
                        assert_ne!(home, &producer.org.commune_insee);
                        elsewhere += 1;
                    }
                }
            }
        }
        assert!(
            (3..=15).contains(&elsewhere),
            "{elsewhere} satellite copies"
        );
        let first = &network.producers[0].resources[0].copies[0];
        assert_eq!(first.asset_tag, "AMI-EXPO-POMME-01");
    }

    #[test]
    fn every_commune_code_exists() {
        let communes = communes();
        let codes = by_code(&communes);
        let network = build(&communes).expect("demo network");
        let mut used = vec![&network.agency.commune_insee];
        used.extend(network.producers.iter().map(|p| &p.org.commune_insee));
        used.extend(network.venues.iter().map(|v| &v.commune_insee));
        for code in used {
            assert!(codes.contains_key(code), "unknown commune {code}");
        }
    }

    /// The village login is a library of a village under 1,000 inhabitants of the Aisne or the
    /// Somme, beyond the search's default radius from every copy of the water trunk (the rural
    /// journey: the nearest is far, and the transport shows in the price); the school login is a
    /// school.
    #[test]
    fn the_village_and_the_school_logins_have_their_own_venues() {
        use crate::territory::geo::{great_circle_km, LatLon};
        let communes = communes();
        let codes = by_code(&communes);
        let network = build(&communes).expect("demo network");
        let venue_of = |login: &str| {
            let email = format!("{login}@{EMAIL_DOMAIN}");
            let key = &network
                .logins
                .iter()
                .find(|l| l.email == email)
                .expect(login)
                .org_key;
            network
                .venues
                .iter()
                .find(|v| &v.key == key)
                .expect("venue")
        };
        let village = venue_of("point-lecture");
        assert_eq!(village.venue_type, Some("library"));
        let commune = codes.get(&village.commune_insee).expect("commune");
        assert!(commune.population < 1_000, "{}", commune.population);
        assert!(["02", "80"].contains(&commune.department.as_str()));
        assert_eq!(venue_of("ecole").venue_type, Some("school"));

        let position = |insee: &str| {
            let line = CSV
                .lines()
                .find(|l| l.starts_with(&format!("{insee},")))
                .expect(insee);
            let f = split_csv_line(line.trim_end_matches('\r'));
            LatLon {
                lat: f[7].parse().expect("lat"),
                lon: f[8].parse().expect("lon"),
            }
        };
        let amiens = network
            .producers
            .iter()
            .find(|p| p.org.key == "producer-amiens")
            .expect("Amiens");
        let water = amiens
            .resources
            .iter()
            .find(|r| r.title.starts_with("Malle L'eau"))
            .expect("the water trunk");
        let here = position(&village.commune_insee);
        for copy in &water.copies {
            let home = copy
                .home_commune_insee
                .as_deref()
                .unwrap_or(&amiens.org.commune_insee);
            let km = great_circle_km(here, position(home));
            assert!(
                km > crate::catalogue::search::DEFAULT_RADIUS_KM + 25.0,
                "{} is only {km:.0} km from {home}",
                copy.asset_tag
            );
        }
    }

    #[test]
    fn logins_cover_agency_producers_and_some_venues() {
        let network = build(&communes()).expect("demo network");
        let emails: BTreeSet<&str> = network.logins.iter().map(|l| l.email.as_str()).collect();
        assert_eq!(emails.len(), network.logins.len());
        assert!(emails.contains("agence@demo.itinerance.fr"));
        assert!(emails.contains("amiens@demo.itinerance.fr"));
        for producer in &network.producers {
            assert!(network.logins.iter().any(|l| l.org_key == producer.org.key));
        }
        let venue_logins: Vec<&DemoLogin> = network
            .logins
            .iter()
            .filter(|l| l.org_key.starts_with("venue-"))
            .collect();
        assert_eq!(venue_logins.len(), 5);
        let first_library = network
            .venues
            .iter()
            .find(|v| v.venue_type == Some("library"))
            .expect("a library");
        assert!(venue_logins.iter().any(|l| l.org_key == first_library.key));
        for l in &network.logins {
            assert_eq!(l.password, DEMO_PASSWORD);
            assert_eq!(l.role, "admin");
        }
    }

    #[test]
    fn small_or_empty_inputs_do_not_panic() {
        let empty = build(&[]).expect("demo network");
        assert_eq!(empty.agency.commune_insee, "59350");
        assert!(empty.venues.is_empty());
        assert_eq!(empty.producers.len(), 7);

        let few = vec![
            CommuneRef {
                insee_code: "80001".into(),
                name: "Abbeville".into(),
                department: "80".into(),
                population: 22_395,
            },
            CommuneRef {
                insee_code: "02001".into(),
                name: "Abbécourt".into(),
                department: "02".into(),
                population: 518,
            },
        ];
        let network = build(&few).expect("demo network");
        assert_eq!(network.agency.commune_insee, "80001");
        assert_eq!(network.venues.len(), VENUE_COUNT);
        let names: BTreeSet<&str> = network.venues.iter().map(|v| v.name.as_str()).collect();
        assert_eq!(names.len(), VENUE_COUNT);
        let codes: BTreeSet<&str> = few.iter().map(|c| c.insee_code.as_str()).collect();
        assert!(network
            .venues
            .iter()
            .all(|v| codes.contains(v.commune_insee.as_str())));
        // Amiens' satellite (Abbeville) is its fallback commune: no copy moves.
        assert!(network.producers[0]
            .resources
            .iter()
            .flat_map(|r| &r.copies)
            .all(|c| c.home_commune_insee.is_none()));
    }

    #[test]
    fn elision_follows_french_usage() {
        assert_eq!(of_commune("Amiens"), "d'Amiens");
        assert_eq!(of_commune("Étaples"), "d'Étaples");
        assert_eq!(of_commune("Le Quesnoy"), "du Quesnoy");
        assert_eq!(of_commune("Les Moëres"), "des Moëres");
        assert_eq!(of_commune("La Bassée"), "de La Bassée");
        assert_eq!(of_commune("Laon"), "de Laon");
    }

    #[test]
    fn largest_remainder_matches_the_survey_rounding() {
        assert_eq!(
            largest_remainder(250, &[54, 19, 7, 5, 5, 4, 4, 2]),
            vec![135, 48, 18, 12, 12, 10, 10, 5]
        );
        assert_eq!(largest_remainder(3, &[0, 0]), vec![2, 1]);
        assert!(largest_remainder(5, &[]).is_empty());
    }
}
