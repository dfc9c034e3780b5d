//! Demo network of the real Hauts-de-France region.
//!
//! `make run` starts the service with a reproducible demonstration dataset so
//! that the catalogue, the map and the booking screens can be explored without
//! any private data: one regional agency, a handful of producers placed where
//! science-culture producers really are, about sixty resources and 250 venues
//! drawn from the real communes of the region.
//!
//! This module is pure: it only computes plain structs from the list of
//! communes (no database, no HTTP). The draws use a seeded SplitMix64 generator
//! and integer arithmetic only, and the communes are sorted by INSEE code
//! before drawing, so the same input gives exactly the same network on every
//! run and every platform. The demo setup inserts the result through the
//! domain services.

use std::collections::{BTreeMap, BTreeSet};

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
/// is generated.
pub fn build(communes: &[CommuneRef]) -> DemoNetwork {
    let index = CommuneIndex::new(communes);

    let agency = DemoOrg {
        key: "agency".to_string(),
        name: "Agence régionale Itinérance Hauts-de-France".to_string(),
        kind: "agency",
        venue_type: None,
        commune_insee: index.resolve(AGENCY_COMMUNE),
    };

    let producers: Vec<DemoProducer> = PRODUCERS
        .iter()
        .enumerate()
        .map(|(position, spec)| build_producer(position, spec, &index))
        .collect();

    let venues = build_venues(&index);

    let mut logins = vec![login("agence", &agency.key)];
    for (spec, producer) in PRODUCERS.iter().zip(&producers) {
        logins.push(login(spec.login, &producer.org.key));
    }
    for (venue_type, local_part) in VENUE_LOGINS {
        if let Some(venue) = venues.iter().find(|v| v.venue_type == Some(venue_type)) {
            logins.push(login(local_part, &venue.key));
        }
    }

    DemoNetwork {
        agency,
        producers,
        venues,
        logins,
    }
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

/// Static description of a demo producer.
struct ProducerSpec {
    slug: &'static str,
    name: &'static str,
    insee: &'static str,
    tag_prefix: &'static str,
    login: &'static str,
    /// Commune of a satellite depot holding some copies.
    satellite: Option<&'static str>,
}

const AMIENS: usize = 0;
const VILLENEUVE: usize = 1;
const ARRAS: usize = 2;
const LILLE: usize = 3;
const DUNKERQUE: usize = 4;
const BEAUVAIS: usize = 5;
const LAON: usize = 6;

const PRODUCERS: [ProducerSpec; 7] = [
    ProducerSpec {
        slug: "amiens",
        name: "Centre de sciences d'Amiens (démo)",
        insee: "80021",
        tag_prefix: "AMI",
        login: "amiens",
        satellite: Some("80001"), // Abbeville
    },
    ProducerSpec {
        slug: "villeneuve-dascq",
        name: "Forum des sciences de Villeneuve-d'Ascq (démo)",
        insee: "59009",
        tag_prefix: "VDA",
        login: "villeneuve-dascq",
        satellite: None,
    },
    ProducerSpec {
        slug: "arras",
        name: "Association Sciences en Artois (démo)",
        insee: "62041",
        tag_prefix: "ARR",
        login: "arras",
        satellite: Some("62528"), // Loos-en-Gohelle
    },
    ProducerSpec {
        slug: "lille",
        name: "Atelier numérique de Lille (démo)",
        insee: "59350",
        tag_prefix: "LIL",
        login: "lille",
        satellite: Some("59512"), // Roubaix
    },
    ProducerSpec {
        slug: "dunkerque",
        name: "Planétarium et sciences du Dunkerquois (démo)",
        insee: "59131", // Cappelle-la-Grande
        tag_prefix: "DKQ",
        login: "dunkerque",
        satellite: Some("59273"), // Gravelines
    },
    ProducerSpec {
        slug: "beauvais",
        name: "Atelier des sciences du Beauvaisis (démo)",
        insee: "60057",
        tag_prefix: "BVS",
        login: "beauvais",
        satellite: Some("60159"), // Compiègne
    },
    ProducerSpec {
        slug: "laon",
        name: "Maison des sciences de l'Aisne (démo)",
        insee: "02408",
        tag_prefix: "AIS",
        login: "laon",
        satellite: Some("02691"), // Saint-Quentin
    },
];

const EXHIBITION: &str = "exhibition";
const TRUNK: &str = "trunk";
const KIT: &str = "kit";
const MODEL: &str = "model";

const NATURE: &str = "nature_environment";
const TECH: &str = "technology_digital";
const HEALTH: &str = "health_life";
const SOCIETY: &str = "science_society";
const INDUSTRY: &str = "industrial_heritage";
const ASTRO: &str = "astronomy";
const HISTORY: &str = "history_of_science";
const MPC: &str = "maths_physics_chemistry";
const OTHER: &str = "other";

const EARLY: &str = "early_childhood";
const PRIMARY: &str = "primary";
const SECONDARY: &str = "secondary";
const ADULT: &str = "adult";
const FAMILY: &str = "family";
const ALL: &str = "all";

/// Physical and logistic footprint of a resource.
#[derive(Clone, Copy)]
struct Footprint {
    floor_area_m2: Option<f64>,
    weight_kg: f64,
    volume_m3: f64,
    crates: i32,
    setup_days: i32,
    turnaround_days: i32,
    cost_eur: i64,
}

/// Footprint of an exhibition or a model: floor area (m²), weight (kg),
/// volume (m³), crates, setup days, turnaround days, cost (euros).
const fn installed(
    area: f64,
    weight: f64,
    volume: f64,
    crates: i32,
    setup: i32,
    turnaround: i32,
    cost_eur: i64,
) -> Footprint {
    Footprint {
        floor_area_m2: Some(area),
        weight_kg: weight,
        volume_m3: volume,
        crates,
        setup_days: setup,
        turnaround_days: turnaround,
        cost_eur,
    }
}

/// Footprint of a trunk or a kit: weight (kg), volume (m³), cases,
/// turnaround days, cost (euros); no floor area and no setup.
const fn case(weight: f64, volume: f64, cases: i32, turnaround: i32, cost_eur: i64) -> Footprint {
    Footprint {
        floor_area_m2: None,
        weight_kg: weight,
        volume_m3: volume,
        crates: cases,
        setup_days: 0,
        turnaround_days: turnaround,
        cost_eur,
    }
}

/// Static description of a catalogue entry.
struct Spec {
    producer: usize,
    kind: &'static str,
    /// Short code used in asset tags, unique within the producer and kind.
    code: &'static str,
    title: &'static str,
    description: &'static str,
    themes: &'static [&'static str],
    audiences: &'static [&'static str],
    footprint: Footprint,
    components: &'static [(&'static str, i32)],
    copies: usize,
    /// The last copy lives at the producer's satellite depot.
    satellite: bool,
}

const CATALOGUE: &[Spec] = &[
    // --- Amiens -----------------------------------------------------------
    Spec {
        producer: AMIENS,
        kind: EXHIBITION,
        code: "POMME",
        title: "Patate ! La pomme de terre, des Andes à la Picardie",
        description: "Des Andes à la plaine picarde, l'exposition retrace l'histoire d'un tubercule qui a changé l'alimentation de l'Europe. Des manipulations abordent la botanique, la culture, la conservation et la transformation de la pomme de terre, premier légume des Hauts-de-France.",
        themes: &[NATURE, SOCIETY, HISTORY],
        audiences: &[PRIMARY, FAMILY],
        footprint: installed(90.0, 650.0, 14.0, 8, 2, 2, 24_000),
        components: &[],
        copies: 1,
        satellite: false,
    },
    Spec {
        producer: AMIENS,
        kind: EXHIBITION,
        code: "BAIE",
        title: "Baie de Somme, un littoral vivant",
        description: "Marées, mollières, phoques veaux-marins et oiseaux migrateurs : une exposition immersive sur l'un des estuaires les mieux préservés d'Europe. Elle montre les équilibres fragiles entre la nature et les activités humaines.",
        themes: &[NATURE],
        audiences: &[PRIMARY, SECONDARY, FAMILY],
        footprint: installed(120.0, 900.0, 18.0, 10, 2, 2, 35_000),
        components: &[],
        copies: 2,
        satellite: true,
    },
    Spec {
        producer: AMIENS,
        kind: EXHIBITION,
        code: "SOMMEIL",
        title: "Dormir, rêver : le sommeil dévoilé",
        description: "Pourquoi dort-on ? Que se passe-t-il dans le cerveau quand on rêve ? Une exposition interactive sur les cycles du sommeil, les rythmes biologiques et l'effet des écrans.",
        themes: &[HEALTH],
        audiences: &[SECONDARY, ADULT],
        footprint: installed(60.0, 380.0, 8.0, 5, 1, 2, 18_000),
        components: &[],
        copies: 1,
        satellite: false,
    },
    Spec {
        producer: AMIENS,
        kind: EXHIBITION,
        code: "ALIM",
        title: "À table ! Alimentation et santé",
        description: "Du champ à l'assiette puis au corps : des jeux et des manipulations pour comprendre la digestion, l'équilibre alimentaire et l'origine de nos aliments.",
        themes: &[HEALTH, SOCIETY],
        audiences: &[PRIMARY, FAMILY],
        footprint: installed(70.0, 450.0, 10.0, 6, 1, 2, 21_000),
        components: &[],
        copies: 2,
        satellite: false,
    },
    Spec {
        producer: AMIENS,
        kind: TRUNK,
        code: "EAU",
        title: "Malle L'eau, de la source au robinet",
        description: "Une malle d'expériences pour suivre le cycle de l'eau, de la nappe phréatique à la station d'épuration. Analyses simples, filtration et maquette de traitement permettent une séance complète en classe ou en bibliothèque.",
        themes: &[NATURE, MPC],
        audiences: &[PRIMARY],
        footprint: case(28.0, 0.25, 1, 2, 3_200),
        components: &[
            ("Maquette de station d'épuration", 1),
            ("Kit d'analyse pH et nitrates", 6),
            ("Flacon d'échantillonnage", 12),
            ("Entonnoir et filtres", 6),
            ("Fiche expérience", 10),
            ("Livret pédagogique", 1),
        ],
        copies: 5,
        satellite: true,
    },
    Spec {
        producer: AMIENS,
        kind: TRUNK,
        code: "CORPS",
        title: "Malle Le corps humain en jeu",
        description: "Un torse anatomique démontable, des stéthoscopes et des jeux de cartes pour découvrir les organes, la respiration et la circulation sanguine. Conçue pour des ateliers de 8 à 12 enfants.",
        themes: &[HEALTH],
        audiences: &[PRIMARY, SECONDARY],
        footprint: case(22.0, 0.2, 1, 2, 2_800),
        components: &[
            ("Torse anatomique démontable", 1),
            ("Squelette au 1/2", 1),
            ("Stéthoscope", 4),
            ("Jeu de cartes des organes", 2),
            ("Affiche de l'appareil circulatoire", 2),
            ("Livret pédagogique", 1),
        ],
        copies: 4,
        satellite: false,
    },
    Spec {
        producer: AMIENS,
        kind: KIT,
        code: "POLLIN",
        title: "Kit Insectes pollinisateurs",
        description: "Tout le nécessaire pour observer abeilles sauvages, syrphes et papillons au jardin, puis fabriquer un hôtel à insectes. Idéal au printemps avec un jardin partagé.",
        themes: &[NATURE],
        audiences: &[PRIMARY, FAMILY],
        footprint: case(9.0, 0.08, 1, 1, 1_200),
        components: &[
            ("Loupe de poche", 10),
            ("Boîte-loupe", 10),
            ("Filet à papillons", 4),
            ("Hôtel à insectes à monter", 1),
            ("Clé de détermination", 5),
            ("Guide de l'animateur", 1),
        ],
        copies: 4,
        satellite: false,
    },
    Spec {
        producer: AMIENS,
        kind: KIT,
        code: "MICRO",
        title: "Kit Microscopes : le monde invisible",
        description: "Six microscopes et une collection de lames préparées pour explorer cellules, pollens et micro-organismes de l'eau de mare.",
        themes: &[HEALTH, NATURE],
        audiences: &[PRIMARY, SECONDARY],
        footprint: case(18.0, 0.12, 1, 2, 2_400),
        components: &[
            ("Microscope optique", 6),
            ("Lame préparée", 40),
            ("Boîte de lamelles", 2),
            ("Pipette compte-gouttes", 20),
            ("Guide de l'animateur", 1),
        ],
        copies: 4,
        satellite: false,
    },
    Spec {
        producer: AMIENS,
        kind: MODEL,
        code: "HORTI",
        title: "Maquette des hortillonnages",
        description: "Une maquette en relief des jardins flottants d'Amiens, avec leurs canaux, leurs barques à cornet et leurs parcelles maraîchères. Elle sert de support pour parler de maraîchage, de biodiversité et de gestion de l'eau.",
        themes: &[NATURE, SOCIETY],
        audiences: &[ALL],
        footprint: installed(6.0, 120.0, 2.5, 2, 1, 1, 9_500),
        components: &[],
        copies: 1,
        satellite: false,
    },
    // --- Villeneuve-d'Ascq ------------------------------------------------
    Spec {
        producer: VILLENEUVE,
        kind: EXHIBITION,
        code: "INGE",
        title: "Ingénieux ! Le grand jeu des ingénieurs",
        description: "Une exposition-jeu où les visiteurs, par équipes, relèvent des défis de construction : ponts, grues, engrenages et circuits. Chaque module fait découvrir un métier de l'ingénierie et les principes physiques qui le sous-tendent.",
        themes: &[TECH, MPC],
        audiences: &[PRIMARY, SECONDARY, FAMILY],
        footprint: installed(150.0, 1_200.0, 28.0, 14, 3, 2, 65_000),
        components: &[],
        copies: 1,
        satellite: false,
    },
    Spec {
        producer: VILLENEUVE,
        kind: EXHIBITION,
        code: "MATHS",
        title: "Mathématiques en jeux",
        description: "Casse-têtes, pavages, probabilités et illusions géométriques : vingt manipulations pour faire des mathématiques avec les mains, sans calculatrice.",
        themes: &[MPC],
        audiences: &[SECONDARY, FAMILY],
        footprint: installed(100.0, 700.0, 16.0, 9, 2, 2, 38_000),
        components: &[],
        copies: 2,
        satellite: false,
    },
    Spec {
        producer: VILLENEUVE,
        kind: EXHIBITION,
        code: "LUMIERE",
        title: "Lumière ! Couleurs et illusions",
        description: "Prismes, miroirs, ombres colorées et illusions d'optique pour comprendre ce qu'est la lumière et comment notre cerveau interprète ce que voient nos yeux.",
        themes: &[MPC, HEALTH],
        audiences: &[ALL],
        footprint: installed(80.0, 520.0, 12.0, 7, 2, 2, 29_000),
        components: &[],
        copies: 2,
        satellite: false,
    },
    Spec {
        producer: VILLENEUVE,
        kind: EXHIBITION,
        code: "PETITS",
        title: "Les petits explorateurs",
        description: "Un parcours sensoriel pour les 3-6 ans : toucher, écouter, sentir et construire. Les tout-petits y mènent leurs premières expériences accompagnés de leurs parents.",
        themes: &[HEALTH, OTHER],
        audiences: &[EARLY, FAMILY],
        footprint: installed(40.0, 260.0, 7.0, 5, 1, 1, 15_000),
        components: &[],
        copies: 2,
        satellite: false,
    },
    Spec {
        producer: VILLENEUVE,
        kind: EXHIBITION,
        code: "HASARD",
        title: "Le hasard fait bien les choses ?",
        description: "Loteries, dés pipés, prévisions météo et sondages : une exposition sur les probabilités et les statistiques pour apprendre à raisonner face à l'incertitude.",
        themes: &[MPC, SOCIETY],
        audiences: &[SECONDARY, ADULT],
        footprint: installed(60.0, 350.0, 9.0, 5, 1, 2, 19_000),
        components: &[],
        copies: 1,
        satellite: false,
    },
    Spec {
        producer: VILLENEUVE,
        kind: TRUNK,
        code: "MECA",
        title: "Malle Leviers, poulies et engrenages",
        description: "Des éléments de construction robustes pour expérimenter les machines simples et comprendre comment démultiplier une force.",
        themes: &[MPC, TECH],
        audiences: &[PRIMARY],
        footprint: case(32.0, 0.3, 1, 2, 2_600),
        components: &[
            ("Jeu de poulies", 4),
            ("Bras de levier gradué", 4),
            ("Boîte d'engrenages", 6),
            ("Dynamomètre", 4),
            ("Jeu de masses", 2),
            ("Fiche défi", 12),
            ("Livret pédagogique", 1),
        ],
        copies: 3,
        satellite: false,
    },
    Spec {
        producer: VILLENEUVE,
        kind: KIT,
        code: "CHIMIE",
        title: "Kit Chimie de la cuisine",
        description: "Chou rouge, bicarbonate, vinaigre et levure : des expériences sans danger pour découvrir acides, bases et réactions chimiques avec des produits du quotidien.",
        themes: &[MPC, HEALTH],
        audiences: &[PRIMARY, FAMILY],
        footprint: case(12.0, 0.1, 1, 1, 900),
        components: &[
            ("Lunettes de protection", 12),
            ("Bécher gradué", 12),
            ("Indicateur coloré au chou rouge", 6),
            ("Pipette", 24),
            ("Plateau de manipulation", 6),
            ("Fiche expérience", 15),
        ],
        copies: 5,
        satellite: false,
    },
    Spec {
        producer: VILLENEUVE,
        kind: KIT,
        code: "ELEC",
        title: "Kit Circuits électriques",
        description: "Piles, ampoules, interrupteurs et moteurs à assembler pour comprendre le circuit électrique, les conducteurs et les isolants.",
        themes: &[MPC, TECH],
        audiences: &[PRIMARY],
        footprint: case(10.0, 0.08, 1, 1, 1_100),
        components: &[
            ("Support de pile", 12),
            ("Ampoule et douille", 24),
            ("Interrupteur", 12),
            ("Petit moteur", 6),
            ("Jeu de fils à pinces", 12),
            ("Fiche défi", 10),
        ],
        copies: 5,
        satellite: false,
    },
    Spec {
        producer: VILLENEUVE,
        kind: MODEL,
        code: "PONTS",
        title: "Maquettes Ponts et structures",
        description: "Trois maquettes de ponts (poutre, voûte, suspendu) à charger progressivement pour visualiser la répartition des forces et comparer les structures.",
        themes: &[MPC, TECH],
        audiences: &[PRIMARY, SECONDARY],
        footprint: installed(8.0, 95.0, 2.0, 3, 1, 1, 12_000),
        components: &[],
        copies: 1,
        satellite: false,
    },
    // --- Arras ------------------------------------------------------------
    Spec {
        producer: ARRAS,
        kind: EXHIBITION,
        code: "MINE",
        title: "Au fond de la mine : la géologie du charbon",
        description: "De la forêt carbonifère au terril : comment le charbon s'est formé, comment on l'a extrait et ce que l'exploitation minière a laissé dans les paysages et la mémoire du bassin minier.",
        themes: &[INDUSTRY, NATURE],
        audiences: &[SECONDARY, ADULT, FAMILY],
        footprint: installed(110.0, 850.0, 17.0, 10, 2, 2, 42_000),
        components: &[],
        copies: 2,
        satellite: true,
    },
    Spec {
        producer: ARRAS,
        kind: MODEL,
        code: "FOSSE",
        title: "Maquette d'une fosse de la mine de charbon",
        description: "Une maquette en coupe d'une fosse avec son chevalement, ses cages, ses galeries et ses tailles. Un éclairage séquentiel suit le trajet du mineur et du charbon.",
        themes: &[INDUSTRY, HISTORY],
        audiences: &[ALL],
        footprint: installed(12.0, 280.0, 5.0, 3, 1, 2, 24_000),
        components: &[],
        copies: 1,
        satellite: false,
    },
    Spec {
        producer: ARRAS,
        kind: EXHIBITION,
        code: "BOVES",
        title: "Sous nos pieds : carrières et boves",
        description: "Les sous-sols de craie de l'Artois racontés par la géologie, l'archéologie et l'histoire : carrières d'extraction, refuges et tunnels de la Grande Guerre.",
        themes: &[INDUSTRY, HISTORY, NATURE],
        audiences: &[SECONDARY, ADULT],
        footprint: installed(70.0, 480.0, 11.0, 6, 2, 2, 26_000),
        components: &[],
        copies: 1,
        satellite: false,
    },
    Spec {
        producer: ARRAS,
        kind: EXHIBITION,
        code: "SAVANTS",
        title: "Savants du Nord",
        description: "Portraits et expériences de chercheuses et de chercheurs ayant travaillé dans la région, de Pasteur à Lille aux laboratoires d'aujourd'hui.",
        themes: &[HISTORY, SOCIETY],
        audiences: &[SECONDARY, ADULT],
        footprint: installed(50.0, 300.0, 7.0, 4, 1, 2, 16_000),
        components: &[],
        copies: 1,
        satellite: false,
    },
    Spec {
        producer: ARRAS,
        kind: EXHIBITION,
        code: "FEMMES",
        title: "Sciences : où sont les femmes ?",
        description: "Une exposition sur la place des femmes dans l'histoire des sciences et sur les stéréotypes qui pèsent encore sur l'orientation des filles et des garçons.",
        themes: &[SOCIETY, HISTORY],
        audiences: &[SECONDARY, ADULT],
        footprint: installed(40.0, 220.0, 5.0, 3, 1, 1, 12_000),
        components: &[],
        copies: 2,
        satellite: false,
    },
    Spec {
        producer: ARRAS,
        kind: TRUNK,
        code: "ARCHEO",
        title: "Malle Archéologie : la fouille en classe",
        description: "Un bac de fouille reconstitué, des outils et des moulages d'objets pour initier les enfants à la démarche archéologique, de la fouille à l'interprétation.",
        themes: &[HISTORY, SOCIETY],
        audiences: &[PRIMARY],
        footprint: case(38.0, 0.35, 2, 2, 3_600),
        components: &[
            ("Bac de fouille stratifié", 1),
            ("Truelle", 8),
            ("Pinceau", 12),
            ("Moulage d'objet archéologique", 15),
            ("Carnet de fouille", 8),
            ("Guide de l'animateur", 1),
        ],
        copies: 3,
        satellite: false,
    },
    Spec {
        producer: ARRAS,
        kind: TRUNK,
        code: "DEBAT",
        title: "Malle Débats science et société",
        description: "Jeux de cartes, fiches controverses et protocoles d'animation pour organiser un débat argumenté sur les OGM, l'intelligence artificielle ou le climat.",
        themes: &[SOCIETY],
        audiences: &[SECONDARY, ADULT],
        footprint: case(6.0, 0.05, 1, 1, 1_500),
        components: &[
            ("Jeu de cartes-débat", 6),
            ("Fiche controverse", 20),
            ("Chronomètre", 2),
            ("Guide d'animation", 1),
        ],
        copies: 2,
        satellite: false,
    },
    Spec {
        producer: ARRAS,
        kind: KIT,
        code: "METEO",
        title: "Kit Station météo",
        description: "Thermomètres, pluviomètres et anémomètres pour installer une petite station météorologique. Les relevés locaux servent de point de départ pour parler du changement climatique.",
        themes: &[NATURE, MPC],
        audiences: &[PRIMARY, SECONDARY],
        footprint: case(14.0, 0.12, 1, 2, 1_700),
        components: &[
            ("Thermomètre mini-maxi", 6),
            ("Pluviomètre", 2),
            ("Anémomètre", 2),
            ("Baromètre", 1),
            ("Carnet de relevés", 10),
            ("Guide de l'animateur", 1),
        ],
        copies: 4,
        satellite: false,
    },
    // --- Lille ------------------------------------------------------------
    Spec {
        producer: LILLE,
        kind: KIT,
        code: "MICROBIT",
        title: "Kit micro:bit : programmer le monde",
        description: "Douze cartes micro:bit et leurs capteurs pour une initiation à la programmation par blocs : thermomètre connecté, podomètre, jeu de réflexes. Prévoir des ordinateurs ou des tablettes sur place.",
        themes: &[TECH],
        audiences: &[PRIMARY, SECONDARY],
        footprint: case(7.0, 0.06, 1, 1, 1_400),
        components: &[
            ("Carte micro:bit V2", 12),
            ("Câble USB", 12),
            ("Boîtier de piles", 12),
            ("Kit de capteurs", 6),
            ("Fiche défi", 20),
            ("Guide de l'animateur", 1),
        ],
        copies: 5,
        satellite: true,
    },
    Spec {
        producer: LILLE,
        kind: KIT,
        code: "IMP3D",
        title: "Kit Impression 3D",
        description: "Une imprimante 3D de bureau, des stylos 3D et une bibliothèque de modèles pour découvrir la fabrication additive, de la modélisation à l'objet.",
        themes: &[TECH],
        audiences: &[SECONDARY, ADULT],
        footprint: case(25.0, 0.3, 2, 2, 2_200),
        components: &[
            ("Imprimante 3D de bureau", 1),
            ("Bobine de filament PLA", 6),
            ("Stylo 3D", 4),
            ("Trousse d'outillage de finition", 1),
            ("Clé USB de modèles", 1),
            ("Guide de sécurité", 1),
        ],
        copies: 3,
        satellite: false,
    },
    Spec {
        producer: LILLE,
        kind: KIT,
        code: "ROBOT",
        title: "Kit Robotique : robots à programmer",
        description: "Huit petits robots éducatifs et leurs tablettes pour apprendre à coder des trajets, des capteurs et des comportements. Des défis progressifs de l'école au collège.",
        themes: &[TECH, MPC],
        audiences: &[PRIMARY, SECONDARY],
        footprint: case(16.0, 0.15, 1, 2, 3_800),
        components: &[
            ("Robot éducatif", 8),
            ("Tablette", 8),
            ("Tapis de jeu", 2),
            ("Chargeur", 8),
            ("Fiche défi", 30),
        ],
        copies: 5,
        satellite: false,
    },
    Spec {
        producer: LILLE,
        kind: KIT,
        code: "REPAR",
        title: "Kit Réparer plutôt que jeter",
        description: "Multimètres, outils et fiches pas à pas pour animer un atelier de réparation et comprendre comment fonctionnent les objets du quotidien.",
        themes: &[TECH, SOCIETY],
        audiences: &[ADULT, FAMILY],
        footprint: case(11.0, 0.08, 1, 1, 950),
        components: &[
            ("Multimètre", 4),
            ("Jeu de tournevis", 6),
            ("Fer à souder", 2),
            ("Lunettes de protection", 6),
            ("Fiche réparation", 12),
            ("Guide de l'animateur", 1),
        ],
        copies: 2,
        satellite: false,
    },
    Spec {
        producer: LILLE,
        kind: TRUNK,
        code: "CODE",
        title: "Malle Informatique débranchée",
        description: "Cartes binaires, réseaux de tri et jeux de pions pour comprendre les algorithmes et le codage de l'information sans aucun écran.",
        themes: &[TECH, MPC],
        audiences: &[PRIMARY],
        footprint: case(8.0, 0.07, 1, 1, 1_000),
        components: &[
            ("Jeu de cartes binaires", 8),
            ("Tapis de réseau de tri", 2),
            ("Pion", 60),
            ("Fiche activité", 15),
            ("Livret pédagogique", 1),
        ],
        copies: 5,
        satellite: false,
    },
    Spec {
        producer: LILLE,
        kind: EXHIBITION,
        code: "IA",
        title: "Intelligence artificielle : qui décide ?",
        description: "Des dispositifs interactifs pour entraîner soi-même un algorithme, découvrir ses biais et débattre de la place des machines dans nos décisions.",
        themes: &[TECH, SOCIETY],
        audiences: &[SECONDARY, ADULT],
        footprint: installed(80.0, 520.0, 12.0, 6, 2, 2, 48_000),
        components: &[],
        copies: 1,
        satellite: false,
    },
    Spec {
        producer: LILLE,
        kind: EXHIBITION,
        code: "DONNEES",
        title: "Nos données, notre vie privée",
        description: "Traces numériques, cookies, géolocalisation : une exposition pour comprendre ce que deviennent nos données personnelles et comment les protéger.",
        themes: &[TECH, SOCIETY],
        audiences: &[SECONDARY, ADULT],
        footprint: installed(45.0, 240.0, 6.0, 4, 1, 1, 17_000),
        components: &[],
        copies: 2,
        satellite: false,
    },
    Spec {
        producer: LILLE,
        kind: EXHIBITION,
        code: "JEUVIDEO",
        title: "Jeu vidéo : la science du game design",
        description: "Physique des mondes virtuels, mathématiques des déplacements et psychologie du joueur : une exposition jouable sur la fabrication des jeux vidéo.",
        themes: &[TECH, MPC],
        audiences: &[SECONDARY, FAMILY],
        footprint: installed(90.0, 600.0, 13.0, 7, 2, 2, 52_000),
        components: &[],
        copies: 1,
        satellite: false,
    },
    Spec {
        producer: LILLE,
        kind: MODEL,
        code: "ORDI",
        title: "Maquette géante d'un ordinateur",
        description: "Un ordinateur ouvert à l'échelle 10 dont on manipule les composants pour comprendre le rôle du processeur, de la mémoire et du stockage.",
        themes: &[TECH, HISTORY],
        audiences: &[PRIMARY, SECONDARY],
        footprint: installed(5.0, 70.0, 1.8, 2, 0, 1, 7_500),
        components: &[],
        copies: 1,
        satellite: false,
    },
    // --- Dunkerque area -----------------------------------------------------
    Spec {
        producer: DUNKERQUE,
        kind: EXHIBITION,
        code: "DOME",
        title: "Planétarium itinérant (dôme gonflable)",
        description: "Un dôme gonflable de 6 mètres de diamètre et son projecteur numérique pour des séances d'une trentaine de spectateurs : ciel du soir, constellations, voyage dans le système solaire. Une hauteur sous plafond de 4 mètres est nécessaire.",
        themes: &[ASTRO],
        audiences: &[ALL],
        footprint: installed(50.0, 180.0, 3.0, 3, 1, 1, 45_000),
        components: &[],
        copies: 2,
        satellite: true,
    },
    Spec {
        producer: DUNKERQUE,
        kind: EXHIBITION,
        code: "ENERGIE",
        title: "Énergies : produire, stocker, économiser",
        description: "Du charbon à l'éolien en mer, une exposition sur les sources d'énergie, leur stockage et la sobriété. Des manipulations permettent de mesurer sa propre consommation.",
        themes: &[MPC, NATURE, SOCIETY],
        audiences: &[SECONDARY, FAMILY],
        footprint: installed(120.0, 950.0, 19.0, 11, 2, 2, 55_000),
        components: &[],
        copies: 1,
        satellite: false,
    },
    Spec {
        producer: DUNKERQUE,
        kind: EXHIBITION,
        code: "PORT",
        title: "Le port, une ville industrielle sur la mer",
        description: "Écluses, portiques, sidérurgie et nouvelles industries : l'exposition explique le fonctionnement d'un grand port industriel et raconte son histoire.",
        themes: &[INDUSTRY, SOCIETY],
        audiences: &[ALL],
        footprint: installed(80.0, 560.0, 12.0, 7, 2, 2, 30_000),
        components: &[],
        copies: 1,
        satellite: false,
    },
    Spec {
        producer: DUNKERQUE,
        kind: EXHIBITION,
        code: "ESPACE",
        title: "Vivre dans l'espace",
        description: "Manger, dormir, se laver et faire du sport en apesanteur : une exposition sur la vie des astronautes à bord de la Station spatiale internationale.",
        themes: &[ASTRO, HEALTH, TECH],
        audiences: &[PRIMARY, SECONDARY, FAMILY],
        footprint: installed(100.0, 800.0, 16.0, 9, 2, 2, 46_000),
        components: &[],
        copies: 1,
        satellite: false,
    },
    Spec {
        producer: DUNKERQUE,
        kind: TRUNK,
        code: "ENERGIE",
        title: "Malle L'énergie au quotidien",
        description: "Panneaux solaires, éolienne de démonstration et dynamos pour comprendre comment on produit, transporte et consomme l'électricité.",
        themes: &[MPC, NATURE],
        audiences: &[PRIMARY],
        footprint: case(24.0, 0.22, 1, 2, 2_900),
        components: &[
            ("Panneau solaire miniature", 4),
            ("Éolienne de démonstration", 2),
            ("Dynamo à manivelle", 4),
            ("Wattmètre", 2),
            ("Ampoule", 12),
            ("Livret pédagogique", 1),
        ],
        copies: 5,
        satellite: true,
    },
    Spec {
        producer: DUNKERQUE,
        kind: TRUNK,
        code: "MER",
        title: "Malle La mer du Nord et ses habitants",
        description: "Coquillages, laisse de mer et aquarium pliable pour découvrir la faune de l'estran, les marées et la pollution des plages.",
        themes: &[NATURE],
        audiences: &[PRIMARY, FAMILY],
        footprint: case(17.0, 0.18, 1, 2, 1_800),
        components: &[
            ("Collection de laisse de mer", 1),
            ("Coquillage", 30),
            ("Aquarium pliable", 1),
            ("Clé de détermination", 8),
            ("Guide de l'animateur", 1),
        ],
        copies: 4,
        satellite: false,
    },
    Spec {
        producer: DUNKERQUE,
        kind: KIT,
        code: "CIEL",
        title: "Kit Observer le ciel",
        description: "Une lunette astronomique, des jumelles et des cartes du ciel tournantes pour organiser une soirée d'observation avec le public.",
        themes: &[ASTRO],
        audiences: &[PRIMARY, FAMILY],
        footprint: case(15.0, 0.14, 1, 1, 1_600),
        components: &[
            ("Lunette astronomique", 1),
            ("Paire de jumelles", 4),
            ("Carte du ciel tournante", 10),
            ("Lampe à lumière rouge", 6),
            ("Guide de l'animateur", 1),
        ],
        copies: 4,
        satellite: false,
    },
    Spec {
        producer: DUNKERQUE,
        kind: MODEL,
        code: "SYSSOL",
        title: "Maquette du système solaire",
        description: "Les huit planètes et le Soleil à l'échelle des tailles, avec un fil des distances à dérouler dans la rue pour mesurer l'immensité du système solaire.",
        themes: &[ASTRO],
        audiences: &[PRIMARY, FAMILY],
        footprint: installed(4.0, 35.0, 0.8, 1, 0, 1, 3_500),
        components: &[],
        copies: 2,
        satellite: false,
    },
    Spec {
        producer: DUNKERQUE,
        kind: MODEL,
        code: "ECLUSE",
        title: "Maquette fonctionnelle d'une écluse",
        description: "Une écluse en eau avec ses portes, ses vannes et un bateau flottant pour comprendre comment les canaux franchissent les dénivelés, des wateringues au port.",
        themes: &[INDUSTRY, MPC],
        audiences: &[PRIMARY, FAMILY],
        footprint: installed(8.0, 150.0, 2.5, 2, 1, 2, 14_000),
        components: &[],
        copies: 1,
        satellite: false,
    },
    // --- Beauvais -----------------------------------------------------------
    Spec {
        producer: BEAUVAIS,
        kind: EXHIBITION,
        code: "TEMPS",
        title: "Mesurer le temps : du cadran solaire à l'horloge atomique",
        description: "Cadrans solaires, clepsydres, horloges astronomiques et atomiques : comment l'humanité a appris à mesurer le temps en observant le ciel.",
        themes: &[HISTORY, ASTRO, MPC],
        audiences: &[ALL],
        footprint: installed(75.0, 500.0, 11.0, 6, 2, 2, 33_000),
        components: &[],
        copies: 1,
        satellite: false,
    },
    Spec {
        producer: BEAUVAIS,
        kind: EXHIBITION,
        code: "MICROBES",
        title: "Microbes : amis ou ennemis ?",
        description: "Bactéries, virus et champignons : une exposition sur les micro-organismes qui nous rendent malades, mais aussi sur ceux qui nous aident à digérer ou à fabriquer le fromage.",
        themes: &[HEALTH],
        audiences: &[PRIMARY, SECONDARY],
        footprint: installed(65.0, 420.0, 9.0, 5, 1, 2, 24_000),
        components: &[],
        copies: 1,
        satellite: false,
    },
    Spec {
        producer: BEAUVAIS,
        kind: EXHIBITION,
        code: "FORET",
        title: "La forêt, un écosystème à partager",
        description: "Des chênaies de Compiègne aux hêtraies du Beauvaisis, une exposition sur la vie de la forêt, sa gestion et les effets du changement climatique.",
        themes: &[NATURE],
        audiences: &[PRIMARY, FAMILY],
        footprint: installed(85.0, 600.0, 13.0, 7, 2, 2, 27_000),
        components: &[],
        copies: 2,
        satellite: true,
    },
    Spec {
        producer: BEAUVAIS,
        kind: EXHIBITION,
        code: "MEDIC",
        title: "Histoire des médicaments",
        description: "De l'apothicaire aux biotechnologies : comment naît un médicament, comment on le teste et pourquoi il faut l'utiliser avec précaution.",
        themes: &[HEALTH, HISTORY],
        audiences: &[SECONDARY, ADULT],
        footprint: installed(45.0, 260.0, 6.0, 4, 1, 1, 14_000),
        components: &[],
        copies: 1,
        satellite: false,
    },
    Spec {
        producer: BEAUVAIS,
        kind: TRUNK,
        code: "SENS",
        title: "Malle Les cinq sens",
        description: "Boîtes à odeurs, loto sonore et boîtes tactiles pour explorer les sens avec les plus jeunes, en crèche, en relais petite enfance ou en maternelle.",
        themes: &[HEALTH],
        audiences: &[EARLY, PRIMARY],
        footprint: case(13.0, 0.15, 1, 1, 1_300),
        components: &[
            ("Boîte à odeurs", 12),
            ("Loto sonore", 2),
            ("Boîte tactile", 8),
            ("Lunettes déformantes", 6),
            ("Livret pédagogique", 1),
        ],
        copies: 5,
        satellite: false,
    },
    Spec {
        producer: BEAUVAIS,
        kind: KIT,
        code: "ADN",
        title: "Kit Extraire l'ADN",
        description: "Un protocole simple pour extraire l'ADN d'une banane ou d'un kiwi et aborder la génétique et l'hérédité avec des adolescents.",
        themes: &[HEALTH, MPC],
        audiences: &[SECONDARY],
        footprint: case(8.0, 0.06, 1, 1, 700),
        components: &[
            ("Tube à essai", 30),
            ("Pipette", 30),
            ("Flacon de réactif", 6),
            ("Lunettes de protection", 12),
            ("Guide de l'animateur", 1),
        ],
        copies: 4,
        satellite: false,
    },
    Spec {
        producer: BEAUVAIS,
        kind: KIT,
        code: "GEOM",
        title: "Kit Géométrie et pavages",
        description: "Polyominos, miroirs et pièces de pavage pour explorer symétries et formes, des frises romanes aux carrelages.",
        themes: &[MPC],
        audiences: &[PRIMARY, SECONDARY],
        footprint: case(9.0, 0.07, 1, 1, 650),
        components: &[
            ("Jeu de polyominos", 8),
            ("Miroir plan", 10),
            ("Jeu de pièces de pavage", 6),
            ("Compas", 12),
            ("Fiche défi", 20),
        ],
        copies: 4,
        satellite: false,
    },
    Spec {
        producer: BEAUVAIS,
        kind: MODEL,
        code: "VOUTES",
        title: "Maquette Voûtes et arcs-boutants",
        description: "Une travée gothique démontable à assembler soi-même pour comprendre comment les bâtisseurs de la cathédrale de Beauvais ont élevé le chœur le plus haut du monde.",
        themes: &[HISTORY, MPC],
        audiences: &[ALL],
        footprint: installed(6.0, 110.0, 2.0, 2, 1, 1, 11_000),
        components: &[],
        copies: 1,
        satellite: false,
    },
    // --- Aisne --------------------------------------------------------------
    Spec {
        producer: LAON,
        kind: EXHIBITION,
        code: "SUCRE",
        title: "Du sucre et des betteraves",
        description: "De la graine à la sucrerie, l'histoire agricole et industrielle de la betterave sucrière, pilier de l'économie de l'Aisne depuis le XIXe siècle.",
        themes: &[INDUSTRY, NATURE, SOCIETY],
        audiences: &[ADULT, FAMILY],
        footprint: installed(70.0, 480.0, 10.0, 6, 1, 2, 22_000),
        components: &[],
        copies: 1,
        satellite: false,
    },
    Spec {
        producer: LAON,
        kind: EXHIBITION,
        code: "PAPILLONS",
        title: "Papillons des prairies et des marais",
        description: "Cycle de vie, migrations et menaces : une exposition sur les papillons de jour et de nuit de nos régions, avec des spécimens et des vidéos en macrophotographie.",
        themes: &[NATURE],
        audiences: &[ALL],
        footprint: installed(55.0, 330.0, 8.0, 5, 1, 2, 20_000),
        components: &[],
        copies: 2,
        satellite: true,
    },
    Spec {
        producer: LAON,
        kind: EXHIBITION,
        code: "ARTSCI",
        title: "Art et sciences : regards croisés",
        description: "Des œuvres d'artistes contemporains inspirées par la recherche scientifique, pour montrer ce que l'art et la science partagent : curiosité, observation et imagination.",
        themes: &[OTHER, SOCIETY],
        audiences: &[ALL],
        footprint: installed(60.0, 300.0, 9.0, 5, 2, 2, 25_000),
        components: &[],
        copies: 1,
        satellite: false,
    },
    Spec {
        producer: LAON,
        kind: TRUNK,
        code: "SOL",
        title: "Malle Le sol vivant",
        description: "Tamis, loupes et appareil de Berlese pour extraire et identifier vers de terre, collemboles et cloportes, et comprendre la fertilité du sol.",
        themes: &[NATURE],
        audiences: &[PRIMARY],
        footprint: case(19.0, 0.2, 1, 2, 1_500),
        components: &[
            ("Tamis", 6),
            ("Loupe de poche", 10),
            ("Appareil de Berlese", 1),
            ("Petite pelle", 6),
            ("Fiche d'identification", 10),
            ("Guide de l'animateur", 1),
        ],
        copies: 4,
        satellite: false,
    },
    Spec {
        producer: LAON,
        kind: TRUNK,
        code: "CHAMP",
        title: "Malle Du champ à l'assiette",
        description: "Graines, échantillons et jeux de rôle pour suivre le parcours des aliments, de l'exploitation agricole au magasin, et parler de saisonnalité.",
        themes: &[NATURE, HEALTH],
        audiences: &[PRIMARY],
        footprint: case(15.0, 0.16, 1, 2, 1_400),
        components: &[
            ("Collection de graines", 1),
            ("Bocal d'échantillon", 12),
            ("Jeu de rôle de la filière", 1),
            ("Calendrier des saisons", 4),
            ("Livret pédagogique", 1),
        ],
        copies: 3,
        satellite: false,
    },
    Spec {
        producer: LAON,
        kind: KIT,
        code: "OISEAUX",
        title: "Kit Observer les oiseaux",
        description: "Jumelles, guides et enregistrements de chants pour une sortie d'observation, suivie de la construction d'un nichoir.",
        themes: &[NATURE],
        audiences: &[PRIMARY, FAMILY],
        footprint: case(12.0, 0.1, 1, 1, 1_100),
        components: &[
            ("Paire de jumelles", 6),
            ("Guide ornithologique", 6),
            ("Nichoir à monter", 2),
            ("Clé USB de chants d'oiseaux", 1),
            ("Guide de l'animateur", 1),
        ],
        copies: 4,
        satellite: false,
    },
    Spec {
        producer: LAON,
        kind: KIT,
        code: "ENIGME",
        title: "Kit Escape game scientifique",
        description: "Coffres à cadenas, lampes UV et énigmes de physique et de chimie pour un jeu d'évasion de 45 minutes en équipe.",
        themes: &[OTHER, MPC],
        audiences: &[SECONDARY, FAMILY],
        footprint: case(14.0, 0.12, 1, 1, 1_300),
        components: &[
            ("Coffre à cadenas", 4),
            ("Cadenas à code", 8),
            ("Lampe UV", 4),
            ("Carnet d'énigmes", 10),
            ("Guide du maître du jeu", 1),
        ],
        copies: 2,
        satellite: false,
    },
    Spec {
        producer: LAON,
        kind: MODEL,
        code: "SAISONS",
        title: "Maquette Terre, Lune et saisons",
        description: "Un planétaire motorisé pour comprendre l'alternance du jour et de la nuit, les saisons, les phases de la Lune et les éclipses.",
        themes: &[ASTRO, NATURE],
        audiences: &[PRIMARY],
        footprint: installed(3.0, 30.0, 0.6, 1, 0, 1, 4_200),
        components: &[],
        copies: 2,
        satellite: false,
    },
];

fn kind_tag(kind: &str) -> &'static str {
    match kind {
        EXHIBITION => "EXPO",
        TRUNK => "MALLE",
        KIT => "KIT",
        _ => "MAQ",
    }
}

fn build_producer(position: usize, spec: &ProducerSpec, index: &CommuneIndex) -> DemoProducer {
    let org = DemoOrg {
        key: format!("producer-{}", spec.slug),
        name: spec.name.to_string(),
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

    let resources = CATALOGUE
        .iter()
        .filter(|entry| entry.producer == position)
        .map(|entry| build_resource(spec.tag_prefix, entry, satellite.as_deref()))
        .collect();
    DemoProducer { org, resources }
}

fn build_resource(prefix: &str, spec: &Spec, satellite: Option<&str>) -> DemoResource {
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
        title: spec.title.to_string(),
        description: spec.description.to_string(),
        themes: spec.themes.to_vec(),
        audiences: spec.audiences.to_vec(),
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
            .map(|(name, quantity)| (name.to_string(), *quantity))
            .collect(),
        copies,
    }
}

// ---------------------------------------------------------------------------
// Venues
// ---------------------------------------------------------------------------

/// Venue type mix of the 2019 regional survey, in percent, with the name
/// prefixes used for villages (< 2,000 inhabitants) and for larger communes,
/// and the preferred size class split (village, small town, town) in percent.
struct VenueKind {
    venue_type: &'static str,
    percent: u64,
    village_names: &'static [&'static str],
    town_names: &'static [&'static str],
    class_split: [u64; 3],
}

const VENUE_MIX: [VenueKind; 8] = [
    VenueKind {
        venue_type: "library",
        percent: 54,
        village_names: &["Bibliothèque", "Point lecture", "Médiathèque"],
        town_names: &[
            "Médiathèque",
            "Médiathèque municipale",
            "Bibliothèque municipale",
        ],
        class_split: [55, 35, 10],
    },
    VenueKind {
        venue_type: "social_centre",
        percent: 19,
        village_names: &["Espace de vie sociale", "Centre social rural"],
        town_names: &["Centre social", "Centre socioculturel"],
        class_split: [15, 50, 35],
    },
    VenueKind {
        venue_type: "environment",
        percent: 7,
        village_names: &["CPIE", "Maison de la nature", "Jardin pédagogique"],
        town_names: &["CPIE", "Maison de la nature", "Jardin pédagogique"],
        class_split: [65, 30, 5],
    },
    VenueKind {
        venue_type: "fablab",
        percent: 5,
        village_names: &["Fablab", "Atelier numérique"],
        town_names: &["Fablab", "Atelier numérique"],
        class_split: [15, 40, 45],
    },
    VenueKind {
        venue_type: "youth",
        percent: 5,
        village_names: &["Maison des jeunes", "Accueil jeunes"],
        town_names: &["Maison des jeunes", "Point information jeunesse"],
        class_split: [35, 45, 20],
    },
    VenueKind {
        venue_type: "culture",
        percent: 4,
        village_names: &["Espace culturel", "Maison des arts"],
        town_names: &["Espace culturel", "Centre culturel"],
        class_split: [30, 45, 25],
    },
    VenueKind {
        venue_type: "insertion",
        percent: 4,
        village_names: &["Chantier d'insertion", "Jardin d'insertion"],
        town_names: &["Chantier d'insertion", "Ressourcerie"],
        class_split: [35, 45, 20],
    },
    VenueKind {
        venue_type: "other",
        percent: 2,
        village_names: &["Tiers-lieu", "Café associatif"],
        town_names: &["Tiers-lieu", "Café associatif"],
        class_split: [50, 35, 15],
    },
];

/// Venue admins documented for the demo: (venue type, e-mail local part).
const VENUE_LOGINS: [(&str, &str); 3] = [
    ("library", "bibliotheque"),
    ("social_centre", "centre-social"),
    ("fablab", "fablab"),
];

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

fn build_venues(index: &CommuneIndex) -> Vec<DemoOrg> {
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
    let type_weights: Vec<u64> = VENUE_MIX.iter().map(|k| k.percent).collect();
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
        let (Some(department), Some(venue_kind)) = (departments.get(dept), VENUE_MIX.get(kind))
        else {
            continue;
        };
        let mut candidate: Option<(String, &CommuneRef)> = None;
        for _ in 0..MAX_NAME_ATTEMPTS {
            let Some(commune) = department.draw(&venue_kind.class_split, &mut rng) else {
                break;
            };
            let prefixes = if commune.population < 2_000 {
                venue_kind.village_names
            } else {
                venue_kind.town_names
            };
            let prefix = prefixes.get(rng.below(prefixes.len())).unwrap_or(&"Lieu");
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

    /// The network built from the real communes, pinned by counts and fingerprints (recorded
    /// before the catalogue moved from Rust literals to `data/demo-catalogue.json`).
    #[test]
    fn network_matches_its_recorded_fingerprints() {
        let network = build(&communes());
        let resources: Vec<&DemoResource> = resources(&network).collect();
        let copies: usize = resources.iter().map(|r| r.copies.len()).sum();
        let components: usize = resources.iter().map(|r| r.components.len()).sum();
        let catalogue: Vec<_> = network.producers.iter().collect();
        assert_eq!(network.producers.len(), 7);
        assert_eq!(resources.len(), 60);
        assert_eq!(copies, 146);
        assert_eq!(components, 138);
        assert_eq!(network.venues.len(), 250);
        assert_eq!(network.logins.len(), 11);
        assert_eq!(fnv1a(&format!("{catalogue:?}")), 0xa723_e384_0849_dfb7);
        assert_eq!(fnv1a(&format!("{network:?}")), 0xd65e_0aff_2904_083d);
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
        let first = build(&communes);
        assert_eq!(first, build(&communes));
        let mut reversed = communes.clone();
        reversed.reverse();
        assert_eq!(first, build(&reversed));
    }

    #[test]
    fn venues_follow_the_survey_mix() {
        let network = build(&communes());
        assert_eq!(network.venues.len(), VENUE_COUNT);
        let mut counts: BTreeMap<&str, usize> = BTreeMap::new();
        for venue in &network.venues {
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
        let network = build(&communes);
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
        let network = build(&communes());
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
        let network = build(&communes());
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
        let network = build(&communes());
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
        let network = build(&communes());
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
        let network = build(&communes);
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
        let network = build(&communes);
        let mut used = vec![&network.agency.commune_insee];
        used.extend(network.producers.iter().map(|p| &p.org.commune_insee));
        used.extend(network.venues.iter().map(|v| &v.commune_insee));
        for code in used {
            assert!(codes.contains_key(code), "unknown commune {code}");
        }
    }

    #[test]
    fn logins_cover_agency_producers_and_some_venues() {
        let network = build(&communes());
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
        assert_eq!(venue_logins.len(), 3);
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
        let empty = build(&[]);
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
        let network = build(&few);
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
