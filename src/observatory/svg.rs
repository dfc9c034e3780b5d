//! The region drawn by the service as SVG, with no tiles and no network: each EPCI as the area
//! nearer to its communes than to any other (a Voronoi diagram of the 3,782 commune points,
//! rasterised on a 2 km grid, cells farther than 7 km from every commune left out), shaded by
//! loans per 10,000 inhabitants, with the venues, the depots, a legend and a scale bar. Open
//! commune boundaries are not on the package registries, and concave hulls of the points gave
//! spikes and gaps where many communes share their EPCI's centroid; the rasterised Voronoi cells
//! tile the region without overlap. They depend only on the shipped communes: each instance
//! computes them once (tens of ms).

use std::collections::BTreeMap;
use std::fmt::Write;
use std::sync::OnceLock;

use super::coverage::Coverage;
use super::store::CommuneFacts;
use crate::territory::projection::Frame;

/// Pixels per km.
const SCALE: f64 = 2.9;
const MARGIN: f64 = 20.0;
const LEGEND_WIDTH: f64 = 230.0;

/// Shades for loans per 10,000 inhabitants, from none to most (colour-blind safe, print safe).
const SHADES: [&str; 5] = ["#f2f0f7", "#cbc9e2", "#9e9ac8", "#756bb1", "#54278f"];
const NO_LOAN: &str = "#fde0dd";

/// The region's frame: the communes at `SCALE` (the projection's one home is
/// `territory::projection`).
fn region_frame(communes: &[CommuneFacts]) -> Frame {
    Frame::at_scale(
        communes.iter().map(|c| (c.longitude, c.latitude)),
        SCALE,
        MARGIN,
    )
}

/// Runs of cells `(x, y, length)` in grid units, per EPCI.
type Areas = BTreeMap<String, Vec<(u32, u32, u32)>>;
/// Commune points `(x, y, index)` bucketed by tile.
type Tiles = BTreeMap<(i64, i64), Vec<(f64, f64, usize)>>;

/// Size of a cell of the drawing, in km.
const CELL_KM: f64 = 2.0;
/// A cell farther than this from every commune is outside the region (sea, Belgium, other
/// regions).
const REACH_KM: f64 = 7.0;

/// Each EPCI's area as rows of cells of the drawing: every cell of a grid over the region belongs
/// to the EPCI of the nearest commune point (a Voronoi diagram of the communes, rasterised at
/// `CELL_KM`), cells far from every commune left out. Returns, per EPCI, runs `(x, y, cells)` in
/// grid units.
fn epci_areas(communes: &[CommuneFacts], frame: &Frame) -> Areas {
    let points: Vec<(f64, f64, usize)> = communes
        .iter()
        .enumerate()
        .map(|(i, c)| {
            let (x, y) = frame.xy(c.longitude, c.latitude);
            (x, y, i)
        })
        .collect();
    let cell = CELL_KM * SCALE;
    let (cols, rows) = (
        (frame.width / cell).ceil() as u32,
        (frame.height / cell).ceil() as u32,
    );
    // Bucket the points by coarse tiles so that each cell looks at its neighbourhood only.
    let tile = REACH_KM * SCALE;
    let mut tiles: Tiles = BTreeMap::new();
    for p in &points {
        tiles
            .entry(((p.0 / tile) as i64, (p.1 / tile) as i64))
            .or_default()
            .push(*p);
    }
    let reach2 = tile * tile;
    let mut areas: Areas = BTreeMap::new();
    for row in 0..rows {
        let mut run: Option<(usize, u32, u32)> = None; // (commune's EPCI index, start, length)
        let mut flush = |run: &mut Option<(usize, u32, u32)>| {
            if let Some((commune, start, len)) = run.take() {
                areas
                    .entry(communes[commune].epci_siren.clone())
                    .or_default()
                    .push((start, row, len));
            }
        };
        for col in 0..cols {
            let (cx, cy) = ((col as f64 + 0.5) * cell, (row as f64 + 0.5) * cell);
            let (tx, ty) = ((cx / tile) as i64, (cy / tile) as i64);
            let mut best: Option<(f64, usize)> = None;
            for dx in -1..=1 {
                for dy in -1..=1 {
                    for (px, py, i) in tiles.get(&(tx + dx, ty + dy)).into_iter().flatten() {
                        let d2 = (px - cx).powi(2) + (py - cy).powi(2);
                        if d2 <= reach2 && best.is_none_or(|(b, _)| d2 < b) {
                            best = Some((d2, *i));
                        }
                    }
                }
            }
            match (best, run.as_mut()) {
                (Some((_, i)), Some((j, _, len)))
                    if communes[i].epci_siren == communes[*j].epci_siren =>
                {
                    *len += 1
                }
                (Some((_, i)), _) => {
                    flush(&mut run);
                    run = Some((i, col, 1));
                }
                (None, _) => flush(&mut run),
            }
        }
        flush(&mut run);
    }
    areas
}

static AREAS: OnceLock<Areas> = OnceLock::new();

/// A place drawn on the map.
#[derive(Debug, Clone)]
pub struct Marker {
    pub longitude: f64,
    pub latitude: f64,
    pub name: String,
}

fn escape(text: &str) -> String {
    text.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
}

/// Upper bounds of the shades: quartiles of the non-zero rates.
fn breaks(rates: &[f64]) -> [f64; 4] {
    let mut served: Vec<f64> = rates.iter().copied().filter(|r| *r > 0.0).collect();
    served.sort_by(f64::total_cmp);
    if served.is_empty() {
        return [0.0; 4];
    }
    let at = |q: f64| served[((served.len() - 1) as f64 * q).round() as usize];
    [at(0.25), at(0.5), at(0.75), at(1.0)]
}

fn shade(rate: f64, breaks: &[f64; 4]) -> &'static str {
    if rate <= 0.0 {
        return NO_LOAN;
    }
    let i = breaks.iter().position(|b| rate <= *b).unwrap_or(3);
    SHADES[i + 1]
}

/// The map: `coverage` must be grouped by EPCI.
pub fn coverage_map(
    coverage: &Coverage,
    communes: &[CommuneFacts],
    venues: &[Marker],
    depots: &[Marker],
) -> String {
    let frame = region_frame(communes);
    let areas = AREAS.get_or_init(|| epci_areas(communes, &frame));
    let cell = CELL_KM * SCALE;
    let rates: BTreeMap<&str, (f64, &str, i64)> = coverage
        .rows
        .iter()
        .map(|r| (r.key.as_str(), (r.loans_per_10k, r.label.as_str(), r.loans)))
        .collect();
    let all_rates: Vec<f64> = rates.values().map(|r| r.0).collect();
    let bounds = breaks(&all_rates);
    let (w, h) = (frame.width + LEGEND_WIDTH, frame.height.max(420.0));
    let mut svg = String::with_capacity(400_000);
    let _ = write!(
        svg,
        r#"<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {w:.0} {h:.0}" width="{w:.0}" height="{h:.0}" font-family="sans-serif" role="img" aria-labelledby="map-title">"#
    );
    let _ = write!(
        svg,
        r##"<title id="map-title">Prêts pour 10 000 habitants par EPCI, du {} au {}</title><rect width="100%" height="100%" fill="#ffffff"/>"##,
        coverage.from, coverage.to
    );
    svg.push_str(r#"<g id="epcis" shape-rendering="crispEdges">"#);
    for (siren, runs) in areas {
        let (rate, label, loans) = rates.get(siren.as_str()).copied().unwrap_or((0.0, "", 0));
        let mut d = String::new();
        for (x, y, len) in runs {
            let _ = write!(
                d,
                "M{:.1},{:.1}h{:.1}v{:.1}h-{:.1}z",
                f64::from(*x) * cell,
                f64::from(*y) * cell,
                f64::from(*len) * cell,
                cell,
                f64::from(*len) * cell
            );
        }
        let _ = write!(
            svg,
            r#"<path d="{d}" fill="{}"><title>{}: {loans} prêt(s), {rate} pour 10 000 hab.</title></path>"#,
            shade(rate, &bounds),
            escape(label)
        );
    }
    svg.push_str("</g>");
    svg.push_str(r##"<g id="venues" fill="#1b7837" fill-opacity="0.8">"##);
    for v in venues {
        let (x, y) = frame.xy(v.longitude, v.latitude);
        let _ = write!(
            svg,
            r#"<circle cx="{x:.1}" cy="{y:.1}" r="2.2"><title>{}</title></circle>"#,
            escape(&v.name)
        );
    }
    svg.push_str("</g>");
    svg.push_str(r##"<g id="depots" fill="#d95f02" stroke="#ffffff" stroke-width="0.8">"##);
    for d in depots {
        let (x, y) = frame.xy(d.longitude, d.latitude);
        let _ = write!(
            svg,
            r#"<path d="M{:.1},{:.1}l5,9h-10z"><title>{}</title></path>"#,
            x,
            y - 6.0,
            escape(&d.name)
        );
    }
    svg.push_str("</g>");
    // Legend.
    let lx = frame.width + 10.0;
    let _ = write!(
        svg,
        r#"<g id="legend" font-size="12"><text x="{lx}" y="30" font-weight="bold">Prêts pour 10 000 hab.</text>"#
    );
    let mut entries: Vec<(String, &str)> = vec![("aucun prêt".into(), NO_LOAN)];
    let mut low = 0.0;
    for (i, b) in bounds.iter().enumerate() {
        entries.push((format!("{low:.1} – {b:.1}"), SHADES[i + 1]));
        low = *b;
    }
    for (i, (label, colour)) in entries.iter().enumerate() {
        let y = 45.0 + i as f64 * 20.0;
        let _ = write!(
            svg,
            r##"<rect x="{lx}" y="{y}" width="16" height="14" fill="{colour}" stroke="#999999"/><text x="{}" y="{}">{label}</text>"##,
            lx + 22.0,
            y + 11.0
        );
    }
    let y = 45.0 + entries.len() as f64 * 20.0 + 10.0;
    let _ = write!(
        svg,
        r##"<circle cx="{}" cy="{y}" r="3" fill="#1b7837"/><text x="{}" y="{}">lieu emprunteur</text><path d="M{},{}l5,9h-10z" fill="#d95f02"/><text x="{}" y="{}">dépôt d'un producteur</text>"##,
        lx + 8.0,
        lx + 22.0,
        y + 4.0,
        lx + 8.0,
        y + 14.0,
        lx + 22.0,
        y + 24.0
    );
    // Scale bar: 50 km.
    let bar = 50.0 * SCALE;
    let sy = frame.height - 12.0;
    let _ = write!(
        svg,
        r##"<path d="M{lx},{sy}h{bar:.1}" stroke="#333333" stroke-width="3"/><text x="{lx}" y="{}">50 km</text></g>"##,
        sy - 6.0
    );
    svg.push_str("</svg>");
    svg
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn breaks_split_the_served_rates_and_zero_is_apart() {
        let b = breaks(&[0.0, 1.0, 2.0, 3.0, 4.0]);
        assert_eq!(b, [2.0, 3.0, 3.0, 4.0]);
        assert_eq!(shade(0.0, &b), NO_LOAN);
        assert_eq!(shade(4.0, &b), SHADES[4]);
        assert_eq!(breaks(&[0.0, 0.0]), [0.0; 4]);
    }
}
