//! `.ci/bench-vrp`: quality and speed of the vehicle-routing solver against PyVRP.
//!
//! Instances are day plans from the Amiens depot (commune 80021) to real communes of
//! Hauts-de-France within [`RADIUS_KM`] (those placed by GeoNames, one per distinct point),
//! drawn with a fixed seed and weighted by the square root of the population so that towns
//! come up more often but villages still do: 60 %-ish deliveries and the rest pickups,
//! 0.1–2 m³ and 10–300 kg, 10–40 min of service, library-like opening hours (mornings,
//! afternoons, both as two windows, all day), vans on 08:00–18:00 shifts, 10 m³ / 1,000 kg
//! and 6 m³ / 700 kg, ⌈jobs / 8⌉ of them (⌈jobs / 10⌉ from 500 jobs, within 120 km above 600).
//! Each size also has *tight* days: 12 m³ / 1,200 kg vans, ⌈jobs / 10⌉ of them, volumes scaled
//! so that the day's deliveries (or pickups) fill 90 % of the fleet (six such days at 60 jobs,
//! three at 120 and 200). Distances are great-circle metres (rounded), travel
//! times seconds at 60 km/h. Each instance is written as JSON under `target/vrp-bench/` with
//! the API-shaped request and the integer data both solvers use.
//!
//! For each instance: our solver at its time limit ([`SIZES`]), then PyVRP
//! (`benches/reference_vrp.py` with `$ITINERANCE_REFERENCE_PYTHON`, default `python3`) for
//! `$VRP_BENCH_REFERENCE_SECONDS` (default 10 up to 200 jobs, 60 above) on the same matrices, one after the other,
//! then `benches/check_vrp.py` on both plans; the checker's recomputed figures are the ones
//! compared. `VRP_BENCH_REUSE_REFERENCE=1` reuses PyVRP plans cached by an earlier run (for
//! tuning only; the figures that count come from a same-run comparison).
//! `VRP_BENCH_ONLY=hdf-60` runs only the instances whose name contains that string, and
//! `VRP_BENCH_JOBS_PER_VAN=12` draws smaller fleets (instances named `…-v12`), and
//! `VRP_BENCH_DRAW_ONLY=1` only writes the instances (for runs of the solver outside the bench).
//!
//! Exits 1 when a plan is infeasible, when we leave more jobs unassigned than PyVRP, when
//! our time exceeds the limit, or when the distance gap exceeds the target of [`SIZES`].

use std::fmt::Write as _;
use std::process::{Command, ExitCode};
use std::time::{Duration, Instant};

use itinerance::rng::SplitMix64;
use itinerance::transport::vrp::{self, Job, JobKind, Limits, Problem, Vehicle};

const MANIFEST: &str = env!("CARGO_MANIFEST_DIR");
/// (jobs, our time limit in seconds, max distance gap to PyVRP in %, PyVRP's seconds by
/// default): issue 28's targets, 1 % of PyVRP-10 s with the API's default 2 s up to 200 jobs,
/// 3 % of PyVRP-60 s in 10 s at 500 and 1,000.
const SIZES: [(usize, f64, f64, f64); 5] = [
    (60, 2.0, 1.0, 10.0),
    (120, 2.0, 1.0, 10.0),
    (200, 2.0, 1.0, 10.0),
    (500, 10.0, 3.0, 60.0),
    (1000, 10.0, 3.0, 60.0),
];
/// Days this large or larger get one instance of each kind (seed 1) instead of [`SEEDS`].
const LARGE: usize = 500;
/// Large days draw one van per this many jobs (1,000 jobs: 100 vans, the API's most).
const LARGE_JOBS_PER_VAN: usize = 10;
/// Tight days: 12 m³ / 1,200 kg vans, one per this many jobs, and volumes scaled so that the
/// day's deliveries (or pickups, the larger) fill [`TIGHT_FILL`] of the fleet's volume.
const TIGHT_JOBS_PER_VAN: usize = 10;
const TIGHT_FILL: f64 = 0.9;
/// Fleet size: one van per this many jobs, rounded up (`$VRP_BENCH_JOBS_PER_VAN` overrides
/// it to stress plans that cannot serve every job).
const JOBS_PER_VAN: usize = 8;
/// Instances (seeds) per size.
const SEEDS: u64 = 3;
/// Tight 60-job days: twice as many. Whether such a day serves every stop depends on the
/// search's seeds as much as on the day: over 32 seed sets, `hdf-60-s4-tight` left a stop out
/// in 3 (docs/routing.md), which three days alone did not show.
const TIGHT_SEEDS_60: u64 = 6;
/// Jobs are drawn among communes this close to the depot ([`WIDE_RADIUS_KM`] above 600
/// jobs: there are about 900 distinct GeoNames points within 85 km of Amiens).
const RADIUS_KM: f64 = 85.0;
const WIDE_RADIUS_KM: f64 = 120.0;
const DEPOT_INSEE: &str = "80021";
const SPEED_KMH: f64 = 60.0;

/// Uniform integer in `lo..=hi` from the crate's seeded generator (reproducible instances).
fn range(rng: &mut SplitMix64, lo: i64, hi: i64) -> i64 {
    lo + (rng.unit() * (hi - lo + 1) as f64) as i64
}

struct Commune {
    insee: String,
    name: String,
    population: f64,
    lat: f64,
    lon: f64,
    geonames: bool,
}

/// The communes the service ships (`data/hauts-de-france-communes.csv`); those placed by
/// GeoNames only once per distinct point (EPCI centroids stand for several communes).
fn communes() -> Result<Vec<Commune>, String> {
    let rows = itinerance::territory::store::shipped_communes().map_err(|e| e.to_string())?;
    let mut seen = std::collections::HashSet::new();
    let mut out = Vec::new();
    for row in rows {
        let geonames = row.coordinates_source == "geonames";
        if geonames && !seen.insert((row.latitude.to_bits(), row.longitude.to_bits())) {
            continue;
        }
        out.push(Commune {
            insee: row.insee_code,
            name: row.name,
            population: f64::from(row.population),
            lat: row.latitude,
            lon: row.longitude,
            geonames,
        });
    }
    Ok(out)
}

/// The service's great circle (territory::geo, radius 6371.0088 km), on (latitude, longitude).
fn haversine_km(a: (f64, f64), b: (f64, f64)) -> f64 {
    use itinerance::territory::geo::{great_circle_km, LatLon};
    great_circle_km(LatLon { lat: a.0, lon: a.1 }, LatLon { lat: b.0, lon: b.1 })
}

struct Instance {
    name: String,
    jobs: usize,
    time_limit: f64,
    target_gap: f64,
    problem: Problem,
    json: String,
}

fn hhmm(seconds: i64) -> String {
    format!("{:02}:{:02}", seconds / 3600, seconds % 3600 / 60)
}

/// Library-like opening hours, in seconds since midnight.
fn windows(rng: &mut SplitMix64) -> Vec<(i64, i64)> {
    let h = |hh: i64, mm: i64| hh * 3600 + mm * 60;
    let x = rng.unit();
    if x < 0.25 {
        vec![(h(9, 0), h(12, 0))]
    } else if x < 0.45 {
        vec![(h(14, 0), h(17, 30))]
    } else if x < 0.70 {
        vec![(h(9, 0), h(12, 0)), (h(14, 0), h(17, 30))]
    } else if x < 0.90 {
        vec![(h(10, 0), h(18, 0))]
    } else {
        vec![(h(13, 30), h(17, 0))]
    }
}

fn list<T>(items: impl IntoIterator<Item = T>, f: impl Fn(T) -> String) -> String {
    items.into_iter().map(f).collect::<Vec<_>>().join(",")
}

fn json_str(s: &str) -> String {
    let mut out = String::from("\"");
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            c if (c as u32) < 0x20 => out.push_str(&format!("\\u{:04x}", c as u32)),
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

/// Fleets of an instance: the usual mixed fleet, or a tight one (see [`TIGHT_FILL`]).
#[derive(Clone, Copy, PartialEq, Eq)]
enum Fleet {
    Mixed,
    Tight,
}

fn draw(
    all: &[Commune],
    jobs: usize,
    seed: u64,
    per_van: usize,
    fleet: Fleet,
    time_limit: f64,
    target_gap: f64,
) -> Instance {
    let mut rng = SplitMix64::new(0x5652_5000 ^ ((jobs as u64) << 32) ^ seed);
    let radius = if jobs > 600 {
        WIDE_RADIUS_KM
    } else {
        RADIUS_KM
    };
    let depot = all
        .iter()
        .find(|c| c.insee == DEPOT_INSEE)
        .expect("depot commune");
    let dpos = (depot.lat, depot.lon);
    let mut pool: Vec<&Commune> = all
        .iter()
        .filter(|c| c.geonames && c.insee != DEPOT_INSEE)
        .filter(|c| haversine_km(dpos, (c.lat, c.lon)) <= radius)
        .collect();
    // Weighted sampling without replacement (Efraimidis–Spirakis): key = u^(1/w).
    let mut keyed: Vec<(f64, usize)> = pool
        .iter()
        .enumerate()
        .map(|(i, c)| {
            let w = c.population.max(10.0).sqrt();
            (rng.unit().powf(1.0 / w), i)
        })
        .collect();
    keyed.sort_by(|a, b| b.0.total_cmp(&a.0).then(a.1.cmp(&b.1)));
    let chosen: Vec<&Commune> = keyed[..jobs].iter().map(|&(_, i)| pool[i]).collect();
    pool.clear();

    let mut points = vec![dpos];
    let mut js = Vec::new();
    let mut api_jobs = Vec::new();
    for (i, c) in chosen.iter().enumerate() {
        points.push((c.lat, c.lon));
        let kind = if rng.unit() < 0.6 {
            JobKind::Delivery
        } else {
            JobKind::Pickup
        };
        let litres = range(&mut rng, 10, 200) * 10;
        let kg = range(&mut rng, 10, 300);
        let service = range(&mut rng, 2, 8) * 5 * 60;
        let w = windows(&mut rng);
        api_jobs.push(format!(
            "{{\"id\":\"job-{i}\",\"name\":{},\"kind\":\"{}\",\"latitude\":{},\"longitude\":{},\"volume_m3\":{},\"weight_kg\":{kg},\"service_minutes\":{},\"time_windows\":[{}]}}",
            json_str(&c.name),
            if kind == JobKind::Delivery { "delivery" } else { "pickup" },
            c.lat,
            c.lon,
            litres as f64 / 1000.0,
            service / 60,
            list(&w, |&(a, b)| format!("{{\"start\":\"{}\",\"end\":\"{}\"}}", hhmm(a), hhmm(b)))
        ));
        js.push(Job {
            kind,
            demand: [litres, kg],
            service,
            windows: w,
        });
    }
    let per_van = match fleet {
        Fleet::Tight => TIGHT_JOBS_PER_VAN,
        Fleet::Mixed if jobs >= LARGE => LARGE_JOBS_PER_VAN,
        Fleet::Mixed => per_van,
    };
    let vans = jobs.div_ceil(per_van);
    let vehicles: Vec<Vehicle> = (0..vans)
        .map(|v| Vehicle {
            capacity: if fleet == Fleet::Tight {
                [12000, 1200]
            } else if v % 3 == 2 {
                [6000, 700]
            } else {
                [10000, 1000]
            },
            shift_start: 8 * 3600,
            shift_end: 18 * 3600,
        })
        .collect();
    if fleet == Fleet::Tight {
        // Scale the volumes (in steps of 10 L) so that the larger of the day's deliveries and
        // pickups fills TIGHT_FILL of the fleet: the vans are just enough.
        let total =
            |k: JobKind| -> i64 { js.iter().filter(|j| j.kind == k).map(|j| j.demand[0]).sum() };
        let most = total(JobKind::Delivery).max(total(JobKind::Pickup)).max(1);
        let f = TIGHT_FILL * (vans as f64 * 12000.0) / most as f64;
        for (j, api) in js.iter_mut().zip(api_jobs.iter_mut()) {
            let litres = (((j.demand[0] as f64 * f) / 10.0).round() as i64 * 10).clamp(10, 12000);
            let old = format!("\"volume_m3\":{},", j.demand[0] as f64 / 1000.0);
            let new = format!("\"volume_m3\":{},", litres as f64 / 1000.0);
            *api = api.replacen(&old, &new, 1);
            j.demand[0] = litres;
        }
    }
    let distance: Vec<Vec<i64>> = points
        .iter()
        .map(|&a| {
            points
                .iter()
                .map(|&b| (haversine_km(a, b) * 1000.0).round() as i64)
                .collect()
        })
        .collect();
    let duration: Vec<Vec<i64>> = distance
        .iter()
        .map(|row| {
            row.iter()
                .map(|&m| (m as f64 * 3.6 / SPEED_KMH).round() as i64)
                .collect()
        })
        .collect();
    let problem = Problem {
        vehicles,
        jobs: js,
        distance,
        duration,
    };
    let name = match fleet {
        Fleet::Tight => format!("hdf-{jobs}-s{seed}-tight"),
        Fleet::Mixed if per_van == JOBS_PER_VAN || jobs >= LARGE => format!("hdf-{jobs}-s{seed}"),
        Fleet::Mixed => format!("hdf-{jobs}-s{seed}-v{per_van}"),
    };
    let p = &problem;
    let mut json = String::new();
    let _ = write!(
        json,
        "{{\"name\":\"{name}\",\"request\":{{\"depot\":{{\"latitude\":{},\"longitude\":{},\"name\":{}}},\"vehicles\":[{}],\"jobs\":[{}],\"metric\":\"distance\",\"speed_kmh\":{SPEED_KMH}}},",
        depot.lat,
        depot.lon,
        json_str(&depot.name),
        list(p.vehicles.iter().enumerate(), |(i, v)| format!(
            "{{\"id\":\"van-{i}\",\"capacity\":{{\"volume_m3\":{},\"weight_kg\":{}}},\"shift\":{{\"start\":\"{}\",\"end\":\"{}\"}}}}",
            v.capacity[0] as f64 / 1000.0,
            v.capacity[1],
            hhmm(v.shift_start),
            hhmm(v.shift_end)
        )),
        api_jobs.join(",")
    );
    let mat = |m: &Vec<Vec<i64>>| list(m, |row| format!("[{}]", list(row, |x| x.to_string())));
    let _ = write!(
        json,
        "\"solver\":{{\"units\":[\"litres\",\"kg\"],\"capacities\":[{}],\"shifts\":[{}],\"kinds\":[{}],\"demands\":[{}],\"services\":[{}],\"windows\":[{}],\"distance\":[{}],\"duration\":[{}]}}}}",
        list(&p.vehicles, |v| format!("[{},{}]", v.capacity[0], v.capacity[1])),
        list(&p.vehicles, |v| format!("[{},{}]", v.shift_start, v.shift_end)),
        list(&p.jobs, |j| if j.kind == JobKind::Delivery { "\"delivery\"".into() } else { "\"pickup\"".into() }),
        list(&p.jobs, |j| format!("[{},{}]", j.demand[0], j.demand[1])),
        list(&p.jobs, |j| j.service.to_string()),
        list(&p.jobs, |j| format!("[{}]", list(&j.windows, |&(a, b)| format!("[{a},{b}]")))),
        mat(&p.distance),
        mat(&p.duration),
    );
    Instance {
        name,
        jobs,
        time_limit,
        target_gap,
        problem,
        json,
    }
}

fn solution_json(s: &vrp::Solution, seconds: f64) -> String {
    let ints = |v: &[i64]| list(v, |x| x.to_string());
    format!(
        "{{\"solver\":\"vrp\",\"seconds\":{seconds},\"distance\":{},\"unassigned\":[{}],\"routes\":[{}]}}",
        s.distance,
        list(&s.unassigned, |&(j, r)| format!("[{j},\"{r:?}\"]")),
        list(&s.routes, |r| format!(
            "{{\"vehicle\":{},\"jobs\":[{}],\"depot_departure\":{},\"arrivals\":[{}],\"service_starts\":[{}],\"departures\":[{}],\"depot_return\":{},\"distance\":{}}}",
            r.vehicle,
            list(&r.jobs, |j| j.to_string()),
            r.depot_departure,
            ints(&r.arrivals),
            ints(&r.service_starts),
            ints(&r.departures),
            r.depot_return,
            r.distance
        ))
    )
}

/// Runs the independent checker; returns (unassigned, metres) or the violation.
fn check(python: &str, instance: &str, solution: &str) -> Result<(usize, i64), String> {
    let out = Command::new(python)
        .arg(format!("{MANIFEST}/benches/check_vrp.py"))
        .args([instance, solution])
        .output()
        .map_err(|e| format!("cannot run {python}: {e}"))?;
    let text = String::from_utf8_lossy(&out.stdout).trim().to_string();
    if !out.status.success() {
        return Err(format!(
            "{text}{}",
            String::from_utf8_lossy(&out.stderr).trim()
        ));
    }
    let field = |key: &str| {
        text.split_whitespace()
            .find_map(|w| w.strip_prefix(key))
            .and_then(|v| v.parse::<i64>().ok())
            .ok_or_else(|| format!("checker said {text:?}"))
    };
    Ok((field("unassigned=")? as usize, field("distance=")?))
}

fn main() -> ExitCode {
    // `cargo bench` passes `--bench`; nothing else is expected.
    let python =
        std::env::var("ITINERANCE_REFERENCE_PYTHON").unwrap_or_else(|_| "python3".to_string());
    let ref_override: Option<f64> = std::env::var("VRP_BENCH_REFERENCE_SECONDS")
        .ok()
        .and_then(|s| s.parse().ok());
    let reuse = std::env::var("VRP_BENCH_REUSE_REFERENCE").is_ok_and(|v| v == "1");
    let per_van: usize = std::env::var("VRP_BENCH_JOBS_PER_VAN")
        .ok()
        .and_then(|s| s.parse().ok())
        .filter(|&n| n > 0)
        .unwrap_or(JOBS_PER_VAN);
    let only: Option<String> = std::env::var("VRP_BENCH_ONLY").ok();
    let draw_only = std::env::var("VRP_BENCH_DRAW_ONLY").is_ok_and(|v| v == "1");
    let dir = format!("{MANIFEST}/target/vrp-bench");
    if let Err(e) = std::fs::create_dir_all(&dir) {
        eprintln!("bench-vrp: cannot create {dir}: {e}");
        return ExitCode::FAILURE;
    }
    let all = match communes() {
        Ok(c) => c,
        Err(e) => {
            eprintln!("bench-vrp: {e}");
            return ExitCode::FAILURE;
        }
    };
    let mut ok = true;
    println!(
        "{:>5} {:<18} {:>6} {:>10} {:>7} | {:>6} {:>10} {:>7} | {:>7} {:>6}  verdict",
        "jobs",
        "instance",
        "unass",
        "ours km",
        "ours s",
        "unass",
        "pyvrp km",
        "py s",
        "gap %",
        "target"
    );
    let mut gaps: Vec<f64> = Vec::new();
    let mut references: Vec<f64> = Vec::new();
    let instances = SIZES.iter().flat_map(|&(jobs, limit, target, reference)| {
        [Fleet::Mixed, Fleet::Tight]
            .into_iter()
            .flat_map(move |fleet| {
                let seeds = match fleet {
                    _ if jobs >= LARGE => 1,
                    Fleet::Tight if jobs == 60 => TIGHT_SEEDS_60,
                    _ => SEEDS,
                };
                (1..=seeds).map(move |seed| (jobs, limit, target, reference, fleet, seed))
            })
    });
    {
        for (jobs, limit, target, reference, fleet, seed) in instances {
            let ref_seconds = ref_override.unwrap_or(reference);
            let inst = draw(&all, jobs, seed, per_van, fleet, limit, target);
            if only.as_deref().is_some_and(|o| !inst.name.contains(o)) {
                continue;
            }
            let ipath = format!("{dir}/{}.json", inst.name);
            if let Err(e) = std::fs::write(&ipath, &inst.json) {
                eprintln!("bench-vrp: cannot write {ipath}: {e}");
                return ExitCode::FAILURE;
            }
            if let Err(errors) = vrp::validate(&inst.problem) {
                eprintln!("bench-vrp: {} invalid: {errors:?}", inst.name);
                return ExitCode::FAILURE;
            }
            if draw_only {
                println!("{ipath}");
                continue;
            }
            let began = Instant::now();
            let ours = vrp::solve(
                &inst.problem,
                &Limits {
                    time_limit: Duration::from_secs_f64(inst.time_limit),
                },
            );
            let ours_s = began.elapsed().as_secs_f64();
            let opath = format!("{dir}/{}.ours.json", inst.name);
            let _ = std::fs::write(&opath, solution_json(&ours, ours_s));
            let rpath = format!("{dir}/{}.pyvrp-{ref_seconds}s.json", inst.name);
            let cached = reuse && std::path::Path::new(&rpath).exists();
            if !cached {
                let status = Command::new(&python)
                    .arg(format!("{MANIFEST}/benches/reference_vrp.py"))
                    .args([&ipath, &rpath, &ref_seconds.to_string()])
                    .status();
                if !status.as_ref().is_ok_and(|s| s.success()) {
                    eprintln!("bench-vrp: PyVRP failed on {} ({status:?}); is pyvrp installed for {python}?", inst.name);
                    return ExitCode::FAILURE;
                }
            }
            let py_s = std::fs::read_to_string(&rpath)
                .ok()
                .and_then(|t| {
                    let i = t.find("\"seconds\":")? + 10;
                    let rest = &t[i..];
                    let end = rest.find([',', '}'])?;
                    rest[..end].trim().parse::<f64>().ok()
                })
                .unwrap_or(f64::NAN);
            let (o, p) = (
                check(&python, &ipath, &opath),
                check(&python, &ipath, &rpath),
            );
            let ((ou, od), (pu, pd)) = match (o, p) {
                (Ok(o), Ok(p)) => (o, p),
                (o, p) => {
                    println!(
                        "{:>5} {:<18} ours: {o:?} pyvrp: {p:?}  FAIL (infeasible)",
                        jobs, inst.name
                    );
                    ok = false;
                    continue;
                }
            };
            let gap = (od - pd) as f64 / pd.max(1) as f64 * 100.0;
            references.push(ref_seconds);
            let pass = ou <= pu && ours_s <= inst.time_limit && (ou < pu || gap <= inst.target_gap);
            ok &= pass;
            gaps.push(gap);
            println!(
                "{:>5} {:<18} {:>6} {:>10.1} {:>7.2} | {:>6} {:>10.1} {:>7.1} | {:>7.2} {:>6.1}  {}{}",
                inst.jobs,
                inst.name,
                ou,
                od as f64 / 1000.0,
                ours_s,
                pu,
                pd as f64 / 1000.0,
                py_s,
                gap,
                inst.target_gap,
                if pass { "PASS" } else { "MISS" },
                if cached { " (cached PyVRP)" } else { "" }
            );
        }
    }
    if !gaps.is_empty() {
        println!(
            "mean gap {:.2} %, reference PyVRP {:?} s{}",
            gaps.iter().sum::<f64>() / gaps.len() as f64,
            {
                references.dedup();
                references
            },
            if reuse {
                ", cached where available"
            } else {
                ", same run"
            }
        );
    }
    if ok {
        ExitCode::SUCCESS
    } else {
        ExitCode::FAILURE
    }
}
