//! `.ci/bench-tours` (or `make bench`): speed and quality of the delivery-tour optimiser.
//!
//! Instances are rounds through real communes of Hauts-de-France (those whose coordinates
//! come from GeoNames, so no two share a point), a depot plus 20, 50, 100 and 200 stops drawn
//! with a seeded generator, with great-circle distances. Each instance is solved
//! [`REPEATS`] times by `itinerance::transport::tour::solve` (release build); the reference is
//! the best tour LKH-3 finds on the same instances (`benches/reference_tours.py`, run with
//! `$ITINERANCE_REFERENCE_PYTHON`, default `python3`, which needs PyPI's `elkai`). Both are
//! measured on the same integer-metre matrix.
//!
//! Prints one line per size with the median and p99 solve time and the median and worst gap
//! to LKH-3, then PASS or MISS against the targets of [`TARGETS`]; exits 1 on a MISS or when
//! the reference cannot be computed, so that CI can gate on it.

use itinerance::rng::SplitMix64;
use std::collections::HashMap;
use std::io::Write;
use std::process::{Command, ExitCode, Stdio};
use std::time::Instant;

use itinerance::transport::tour::{self, DistanceMatrix};

const COMMUNES_CSV: &str = concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/data/hauts-de-france-communes.csv"
);
const REFERENCE_SCRIPT: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/benches/reference_tours.py");

/// Stops per round (the depot comes on top).
const SIZES: [usize; 4] = [20, 50, 100, 200];
/// Instances (seeds) per size.
const INSTANCES: u64 = 5;
/// Timed solves per instance, after one warm-up.
const REPEATS: usize = 11;
/// (stops, max median gap to LKH-3 in %, max median time in ms).
const TARGETS: [(usize, f64, f64); 2] = [(100, 2.0, 50.0), (200, 3.0, 200.0)];
/// Mean Earth radius (IUGG), as in `territory::geo`.
const EARTH_RADIUS_KM: f64 = 6371.0088;

/// Splits one CSV line on commas outside double quotes (`""` inside quotes is a quote).
fn split_csv_line(line: &str) -> Vec<String> {
    let mut fields = Vec::new();
    let mut field = String::new();
    let mut quoted = false;
    let mut chars = line.chars().peekable();
    while let Some(c) = chars.next() {
        match c {
            '"' if quoted && chars.peek() == Some(&'"') => {
                field.push('"');
                chars.next();
            }
            '"' => quoted = !quoted,
            ',' if !quoted => fields.push(std::mem::take(&mut field)),
            _ => field.push(c),
        }
    }
    fields.push(field);
    fields
}

/// (name, latitude, longitude) of the communes placed by GeoNames, one per distinct point.
fn geonames_communes() -> Result<Vec<(String, f64, f64)>, String> {
    let text = std::fs::read_to_string(COMMUNES_CSV)
        .map_err(|e| format!("cannot read {COMMUNES_CSV}: {e}"))?;
    let mut lines = text.lines();
    let header = split_csv_line(lines.next().unwrap_or_default());
    let column = |name: &str| {
        header
            .iter()
            .position(|h| h == name)
            .ok_or_else(|| format!("{COMMUNES_CSV}: no column {name}"))
    };
    let (name, lat, lon, source) = (
        column("name")?,
        column("latitude")?,
        column("longitude")?,
        column("coordinates_source")?,
    );
    let mut seen = std::collections::HashSet::new();
    let mut communes = Vec::new();
    for line in lines.filter(|l| !l.trim().is_empty()) {
        let fields = split_csv_line(line);
        if fields.len() != header.len() {
            return Err(format!("{COMMUNES_CSV}: malformed line {line:?}"));
        }
        if fields[source] != "geonames" || !seen.insert((fields[lat].clone(), fields[lon].clone()))
        {
            continue;
        }
        let parse = |s: &str| {
            s.parse::<f64>()
                .map_err(|e| format!("{COMMUNES_CSV}: bad coordinate {s:?}: {e}"))
        };
        communes.push((
            fields[name].clone(),
            parse(&fields[lat])?,
            parse(&fields[lon])?,
        ));
    }
    Ok(communes)
}

fn haversine_km(a: (f64, f64), b: (f64, f64)) -> f64 {
    let (lat1, lat2) = (a.0.to_radians(), b.0.to_radians());
    let dlat = lat2 - lat1;
    let dlon = (b.1 - a.1).to_radians();
    let h = (dlat / 2.0).sin().powi(2) + lat1.cos() * lat2.cos() * (dlon / 2.0).sin().powi(2);
    2.0 * EARTH_RADIUS_KM * h.sqrt().min(1.0).asin()
}

/// One benchmark round: what the optimiser sees (km) and what both are scored on (metres).
struct Instance {
    name: String,
    stops: usize,
    matrix: DistanceMatrix,
    metres: Vec<Vec<u64>>,
}

/// A depot and `stops` distinct communes drawn without replacement.
fn draw(communes: &[(String, f64, f64)], stops: usize, seed: u64) -> Instance {
    let mut rng = SplitMix64::new(0x7045_5253 ^ ((stops as u64) << 32) ^ seed);
    let mut pool: Vec<usize> = (0..communes.len()).collect();
    for i in 0..=stops {
        let j = i + rng.below(pool.len() - i);
        pool.swap(i, j);
    }
    let points: Vec<(f64, f64)> = pool[..=stops]
        .iter()
        .map(|&c| (communes[c].1, communes[c].2))
        .collect();
    let matrix = DistanceMatrix::new(points.len(), |i, j| haversine_km(points[i], points[j]));
    let metres = (0..points.len())
        .map(|i| {
            (0..points.len())
                .map(|j| (matrix.get(i, j) * 1000.0).round() as u64)
                .collect()
        })
        .collect();
    Instance {
        name: format!("n{stops}-seed{seed}"),
        stops,
        matrix,
        metres,
    }
}

fn length_in_metres(metres: &[Vec<u64>], order: &[usize]) -> u64 {
    let next = order.iter().skip(1).chain(order.first());
    order.iter().zip(next).map(|(&a, &b)| metres[a][b]).sum()
}

/// Best known lengths (metres) by LKH-3, from `benches/reference_tours.py`.
fn reference_lengths(instances: &[Instance]) -> Result<HashMap<String, f64>, String> {
    let python =
        std::env::var("ITINERANCE_REFERENCE_PYTHON").unwrap_or_else(|_| "python3".to_string());
    let request = serde_json::json!({
        "instances": instances
            .iter()
            .map(|i| serde_json::json!({"name": i.name, "matrix": i.metres}))
            .collect::<Vec<_>>(),
    });
    let mut child = Command::new(&python)
        .arg(REFERENCE_SCRIPT)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::inherit())
        .spawn()
        .map_err(|e| format!("cannot run {python} {REFERENCE_SCRIPT}: {e}"))?;
    // A script that dies early (elkai missing) closes its stdin: its exit status, checked
    // below, says more than the broken pipe.
    let written = match child.stdin.take() {
        Some(mut stdin) => stdin.write_all(request.to_string().as_bytes()),
        None => Ok(()),
    };
    let output = child
        .wait_with_output()
        .map_err(|e| format!("{REFERENCE_SCRIPT} failed: {e}"))?;
    if let (true, Err(e)) = (output.status.success(), written) {
        return Err(format!("cannot write to {REFERENCE_SCRIPT}: {e}"));
    }
    if !output.status.success() {
        return Err(format!(
            "{python} {REFERENCE_SCRIPT} exited with {}",
            output.status
        ));
    }
    serde_json::from_slice(&output.stdout)
        .map_err(|e| format!("{REFERENCE_SCRIPT} answered something else than lengths: {e}"))
}

fn percentile(sorted: &[f64], p: f64) -> f64 {
    if sorted.is_empty() {
        return f64::NAN;
    }
    let index = ((sorted.len() as f64 - 1.0) * p).round() as usize;
    sorted[index.min(sorted.len() - 1)]
}

fn main() -> ExitCode {
    // `cargo test --benches` runs this binary with `--bench` absent: stay quick there.
    if !std::env::args().any(|a| a == "--bench") {
        println!("tour benchmarks run with `.ci/bench-tours` (cargo bench --bench tours)");
        return ExitCode::SUCCESS;
    }
    let communes = match geonames_communes() {
        Ok(communes) => communes,
        Err(e) => {
            eprintln!("tours: {e}");
            return ExitCode::FAILURE;
        }
    };
    let instances: Vec<Instance> = SIZES
        .iter()
        .flat_map(|&stops| (1..=INSTANCES).map(move |seed| (stops, seed)))
        .map(|(stops, seed)| draw(&communes, stops, seed))
        .collect();
    println!(
        "tours: {} instances drawn from {} GeoNames-placed communes; reference: LKH-3 (elkai)",
        instances.len(),
        communes.len()
    );
    let started = Instant::now();
    let reference = reference_lengths(&instances);
    match &reference {
        Ok(_) => println!(
            "tours: reference tours in {:.1} s",
            started.elapsed().as_secs_f64()
        ),
        Err(e) => eprintln!("tours: no reference tours, gaps unavailable: {e}"),
    }

    let mut all_pass = reference.is_ok();
    for &stops in &SIZES {
        let mut times_ms = Vec::new();
        let mut gaps = Vec::new();
        let mut construction_gaps = Vec::new();
        for instance in instances.iter().filter(|i| i.stops == stops) {
            let tour = tour::solve(&instance.matrix); // warm-up, and the tour to score
            for _ in 0..REPEATS {
                let started = Instant::now();
                let again =
                    std::hint::black_box(tour::solve(std::hint::black_box(&instance.matrix)));
                times_ms.push(started.elapsed().as_secs_f64() * 1000.0);
                assert_eq!(
                    again.order, tour.order,
                    "{}: solve is not deterministic",
                    instance.name
                );
            }
            if let Ok(Some(best)) = reference.as_ref().map(|r| r.get(&instance.name)) {
                let ours = length_in_metres(&instance.metres, &tour.order) as f64;
                gaps.push(100.0 * (ours / best - 1.0));
                construction_gaps.push(100.0 * (tour.construction_length * 1000.0 / best - 1.0));
            }
        }
        times_ms.sort_by(f64::total_cmp);
        gaps.sort_by(f64::total_cmp);
        construction_gaps.sort_by(f64::total_cmp);
        let (median_ms, p99_ms) = (percentile(&times_ms, 0.5), percentile(&times_ms, 0.99));
        let gap_text = if gaps.len() as u64 == INSTANCES {
            format!(
                "gap to LKH-3: median {:.2} %  worst {:.2} %  (construction {:.1} %)",
                percentile(&gaps, 0.5),
                percentile(&gaps, 1.0),
                percentile(&construction_gaps, 0.5),
            )
        } else {
            "gap to LKH-3: unavailable".to_string()
        };
        let verdict = match TARGETS.iter().find(|t| t.0 == stops) {
            Some(&(_, max_gap, max_ms)) => {
                let pass = gaps.len() as u64 == INSTANCES
                    && percentile(&gaps, 0.5) <= max_gap
                    && median_ms < max_ms;
                all_pass &= pass;
                format!(
                    "{} (target ≤ {max_gap} % in < {max_ms} ms)",
                    if pass { "PASS" } else { "MISS" }
                )
            }
            None => "(no target)".to_string(),
        };
        println!(
            "tours n={stops:<4} median {median_ms:>6.1} ms  p99 {p99_ms:>6.1} ms  {gap_text}  ({INSTANCES} instances)  {verdict}",
        );
    }
    if all_pass {
        ExitCode::SUCCESS
    } else {
        ExitCode::FAILURE
    }
}
