//! A day plan drawn by the service as SVG, with no tiles and no network: the depot, each van's
//! round as straight lines from stop to stop in the van's colour, the stops numbered in their
//! order, a legend and a scale bar. The projection is the region's (`territory::projection`).
//! The page lists the same stops in tables: the drawing is a picture of them, not their only
//! form.

use std::fmt::Write;

use super::model::{DayPlan, JobKind};
use crate::territory::projection::Frame;
use crate::text::html_escape as escape;

/// One colour per van, told apart by most colour-blind readers (Okabe and Ito), then again.
pub const VAN_COLOURS: [&str; 7] = [
    "#0072b2", "#d55e00", "#009e73", "#cc79a7", "#e69f00", "#56b4e9", "#000000",
];

/// Which of the colours (1–7) the van `number` (1, 2, …) of a plan wears; pages name it in a
/// class (`van-3`) of the stylesheet, which has the same colours.
pub fn van_colour_index(number: i64) -> usize {
    (number.max(1) as usize - 1) % VAN_COLOURS.len() + 1
}

/// The colour of the van `number` (1, 2, …) of a plan.
pub fn van_colour(number: i64) -> &'static str {
    VAN_COLOURS[van_colour_index(number) - 1]
}

const WIDTH: f64 = 640.0;
const HEIGHT: f64 = 440.0;
const MARGIN: f64 = 24.0;
const LEGEND_WIDTH: f64 = 220.0;
/// Pixels per km at most (a day of a few close stops is not blown up).
const MAX_SCALE: f64 = 40.0;

/// The plan's map; `title` is its accessible name (the page's words).
pub fn day_svg(plan: &DayPlan, title: &str) -> String {
    let depot = (plan.depot.longitude, plan.depot.latitude);
    let points: Vec<(f64, f64)> = std::iter::once(depot)
        .chain(
            plan.trips
                .iter()
                .flat_map(|t| t.stops.iter().map(|s| (s.longitude, s.latitude))),
        )
        .collect();
    let frame = Frame::fitting(points.iter().copied(), WIDTH, HEIGHT, MARGIN, MAX_SCALE);
    let (w, h) = (frame.width + LEGEND_WIDTH, frame.height.max(160.0));
    let mut svg = String::with_capacity(8_000);
    let _ = write!(
        svg,
        r##"<svg xmlns="http://www.w3.org/2000/svg" class="day-map" viewBox="0 0 {w:.0} {h:.0}" width="{w:.0}" height="{h:.0}" font-family="sans-serif" role="img" aria-labelledby="day-map-title"><title id="day-map-title">{}</title><rect width="100%" height="100%" fill="#ffffff"/>"##,
        escape(title)
    );
    let (dx, dy) = frame.xy(depot.0, depot.1);
    for t in &plan.trips {
        let colour = van_colour(t.van_number.max(t.number));
        let mut d = format!("M{dx:.1},{dy:.1}");
        for s in &t.stops {
            let (x, y) = frame.xy(s.longitude, s.latitude);
            let _ = write!(d, "L{x:.1},{y:.1}");
        }
        let _ = write!(d, "L{dx:.1},{dy:.1}");
        let _ = write!(
            svg,
            r#"<g class="round"><path d="{d}" fill="none" stroke="{colour}" stroke-width="3" stroke-linejoin="round" stroke-opacity="0.85"/>"#
        );
        for (k, s) in t.stops.iter().enumerate() {
            let (x, y) = frame.xy(s.longitude, s.latitude);
            let shape = match s.kind {
                JobKind::Delivery => format!(
                    r##"<circle cx="{x:.1}" cy="{y:.1}" r="9" fill="{colour}" stroke="#ffffff" stroke-width="1.5"/>"##
                ),
                JobKind::Pickup => format!(
                    r##"<rect x="{:.1}" y="{:.1}" width="18" height="18" fill="{colour}" stroke="#ffffff" stroke-width="1.5"/>"##,
                    x - 9.0,
                    y - 9.0
                ),
            };
            let _ = write!(
                svg,
                r##"<g>{shape}<text x="{x:.1}" y="{:.1}" font-size="11" font-weight="bold" fill="#ffffff" text-anchor="middle">{}</text><text x="{:.1}" y="{:.1}" font-size="11" fill="#333333">{}</text><title>{} {} — {}</title></g>"##,
                y + 4.0,
                k + 1,
                x + 12.0,
                y + 4.0,
                escape(&s.venue_name),
                escape(&t.van_name),
                k + 1,
                escape(&s.venue_name)
            );
        }
        svg.push_str("</g>");
    }
    let _ = write!(
        svg,
        r##"<path d="M{:.1},{:.1}l8,14h-16z" fill="#333333" stroke="#ffffff" stroke-width="1"><title>{}</title></path>"##,
        dx,
        dy - 9.0,
        escape(&plan.depot.name)
    );
    // Legend: the vans, the shapes, the scale.
    let lx = frame.width + 10.0;
    svg.push_str(r#"<g class="legend" font-size="12">"#);
    let mut y = 24.0;
    for t in &plan.trips {
        let _ = write!(
            svg,
            r##"<rect x="{lx}" y="{:.1}" width="24" height="6" fill="{}"/><text x="{}" y="{y:.1}">{}</text>"##,
            y - 7.0,
            van_colour(t.van_number.max(t.number)),
            lx + 30.0,
            format_args!("Tournée {}", t.number)
        );
        y += 20.0;
    }
    let _ = write!(
        svg,
        r##"<circle cx="{}" cy="{:.1}" r="6" fill="#555555"/><text x="{}" y="{y:.1}">livraison</text>"##,
        lx + 8.0,
        y - 4.0,
        lx + 30.0
    );
    y += 20.0;
    let _ = write!(
        svg,
        r##"<rect x="{}" y="{:.1}" width="12" height="12" fill="#555555"/><text x="{}" y="{y:.1}">reprise</text>"##,
        lx + 2.0,
        y - 10.0,
        lx + 30.0
    );
    y += 20.0;
    let _ = write!(
        svg,
        r##"<path d="M{},{:.1}l6,11h-12z" fill="#333333"/><text x="{}" y="{y:.1}">dépôt</text>"##,
        lx + 8.0,
        y - 11.0,
        lx + 30.0
    );
    y += 28.0;
    let km = scale_km(frame.scale);
    let _ = write!(
        svg,
        r##"<path d="M{lx},{y:.1}h{:.1}" stroke="#333333" stroke-width="3"/><text x="{lx}" y="{:.1}">{km} km</text></g>"##,
        km as f64 * frame.scale,
        y - 6.0
    );
    svg.push_str("</svg>");
    svg
}

/// A round length for the scale bar: about 120 pixels at most.
fn scale_km(scale: f64) -> i64 {
    [1, 2, 5, 10, 20, 50, 100]
        .into_iter()
        .rev()
        .find(|&km| km as f64 * scale <= 160.0)
        .unwrap_or(1)
}
