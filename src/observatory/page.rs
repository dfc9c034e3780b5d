//! `GET /observatory`: one public HTML page, readable without JavaScript, that the agency can link
//! to: the coverage map, the yearly indicators as SVG charts and a table, and the under-served
//! EPCIs. Everything is drawn by the service.

use std::fmt::Write;

use super::coverage::Coverage;
use super::indicators::Observatory;

use crate::text::html_escape as escape;

/// A bar chart of one value per year.
fn bars(title: &str, unit: &str, values: &[(i32, f64)], colour: &str) -> String {
    let (w, h, left, bottom) = (460.0, 220.0, 50.0, 30.0);
    let max = values.iter().map(|v| v.1).fold(0.0, f64::max).max(1e-9);
    let step = (w - left - 10.0) / values.len().max(1) as f64;
    let mut svg = format!(
        r#"<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {w} {h}" width="{w}" height="{h}" role="img" aria-label="{}" font-family="sans-serif" font-size="11">"#,
        escape(title)
    );
    let _ = write!(
        svg,
        r##"<text x="{left}" y="14" font-weight="bold" font-size="12">{}</text><path d="M{left},{} H{}" stroke="#999999"/>"##,
        escape(title),
        h - bottom,
        w - 10.0
    );
    for (i, (year, value)) in values.iter().enumerate() {
        let bar_h = (h - bottom - 30.0) * value / max;
        let x = left + i as f64 * step + step * 0.15;
        let y = h - bottom - bar_h;
        let _ = write!(
            svg,
            r#"<rect x="{x:.1}" y="{y:.1}" width="{:.1}" height="{bar_h:.1}" fill="{colour}"><title>{year} : {value} {unit}</title></rect><text x="{:.1}" y="{:.1}" text-anchor="middle">{value}</text><text x="{:.1}" y="{}" text-anchor="middle">{year}</text>"#,
            step * 0.7,
            x + step * 0.35,
            y - 3.0,
            x + step * 0.35,
            h - bottom + 15.0
        );
    }
    svg.push_str("</svg>");
    svg
}

/// The page.
pub fn render(map_svg: &str, coverage: &Coverage, observatory: &Observatory) -> String {
    let mut html = String::with_capacity(map_svg.len() + 20_000);
    html.push_str(
        r#"<!DOCTYPE html>
<html lang="fr"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>Observatoire de l'itinérance scientifique — Hauts-de-France</title>
<style>
body{font-family:system-ui,sans-serif;margin:0 auto;max-width:1180px;padding:1rem 1.5rem;color:#222;line-height:1.45}
h1{font-size:1.6rem;margin-bottom:.2rem}h2{font-size:1.2rem;margin-top:2rem;border-bottom:1px solid #ddd}h3{font-size:1rem;margin:1.2rem 0 .4rem}
.charts{display:flex;flex-wrap:wrap;gap:1.5rem}table{border-collapse:collapse;font-size:.9rem}
td,th{border:1px solid #ddd;padding:.25rem .5rem;text-align:right}th{background:#f4f4f8}
td:first-child,th:first-child{text-align:left}.map svg{max-width:100%;height:auto}
.muted{color:#666;font-size:.9rem}
</style></head><body>
<h1>Observatoire de l'itinérance scientifique</h1>
<p class="muted">Ressources itinérantes de culture scientifique prêtées dans les 3 782 communes des Hauts-de-France. Un prêt est une réservation livrée, rendue ou close.</p>
"#,
    );
    let _ = write!(
        html,
        r#"<h2>Prêts pour 10 000 habitants par intercommunalité, du {} au {}</h2><div class="map">{map_svg}</div>
<p class="muted">Indice de Gini (prêts par habitant, pondéré par la population, entre EPCI) : <strong>{:.3}</strong> — 0 : accès égal partout ; vers 1 : prêts concentrés.</p>"#,
        coverage.from, coverage.to, coverage.gini
    );
    html.push_str(r#"<h2>Année après année</h2><div class="charts">"#);
    let years = &observatory.years;
    html.push_str(&bars(
        "Prêts par an",
        "prêts",
        &years
            .iter()
            .map(|y| (y.year, y.loans as f64))
            .collect::<Vec<_>>(),
        "#756bb1",
    ));
    html.push_str(&bars(
        "Prêts pour 10 000 hab. dans les villages",
        "pour 10 000 hab.",
        &years
            .iter()
            .map(|y| (y.year, y.loans_per_10k_by_class.village))
            .collect::<Vec<_>>(),
        "#1b7837",
    ));
    html.push_str(&bars(
        "Prêts pour 10 000 hab. dans les grandes villes",
        "pour 10 000 hab.",
        &years
            .iter()
            .map(|y| (y.year, y.loans_per_10k_by_class.large_city))
            .collect::<Vec<_>>(),
        "#d95f02",
    ));
    html.push_str("</div>");
    // Two tables rather than one of seventeen columns: each fits the page.
    html.push_str(
        "<h3>Prêts et territoire</h3><table><thead><tr><th>Année</th><th>Prêts</th><th>Lieux atteints</th><th>Communes</th><th>EPCI</th><th>Part des villages</th><th>Villages /10 000 hab.</th><th>Petites villes</th><th>Villes moyennes</th><th>Grandes villes</th></tr></thead><tbody>",
    );
    for y in years {
        let r = &y.loans_per_10k_by_class;
        let _ = write!(
            html,
            "<tr><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{} %</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td></tr>",
            y.year,
            y.loans,
            y.venues_reached,
            y.communes_reached,
            y.epcis_reached,
            y.village_share_percent,
            r.village,
            r.small_town,
            r.medium_town,
            r.large_city,
        );
    }
    html.push_str("</tbody></table>");
    html.push_str(
        "<h3>Publics, transport et financement</h3><table><thead><tr><th>Année</th><th>Visiteurs</th><th>dont villages</th><th>km</th><th>CO₂ (kg)</th><th>Recettes (€)</th><th>Subventions (€)</th><th>Prêts en temps scolaire</th><th>Prêts pendant les vacances</th></tr></thead><tbody>",
    );
    for y in years {
        let _ = write!(
            html,
            "<tr><td>{}</td><td>{}</td><td>{}</td><td>{:.0}</td><td>{:.0}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td></tr>",
            y.year,
            y.visitors,
            y.visitors_by_class.village,
            y.km,
            y.co2_kg,
            crate::money::euros(y.revenue_cents),
            crate::money::euros(y.subsidy_cents),
            y.loans_in_school_time,
            y.loans_in_school_holidays
        );
    }
    html.push_str("</tbody></table>");
    let _ = write!(
        html,
        "<h2>Intercommunalités sans aucun prêt ({} sur la période)</h2><table><thead><tr><th>EPCI</th><th>Population</th></tr></thead><tbody>",
        coverage.unserved_epcis.len()
    );
    for e in coverage.unserved_epcis.iter().take(25) {
        let _ = write!(
            html,
            "<tr><td>{}</td><td>{}</td></tr>",
            escape(&e.epci_name),
            e.population
        );
    }
    html.push_str("</tbody></table>");
    let _ = write!(
        html,
        r#"<h2>Données ouvertes</h2><p>Couches GeoJSON (QGIS, geojson.io, Leaflet, MapLibre) : <a href="/api/v1/map/venues.geojson">lieux</a>, <a href="/api/v1/map/copies.geojson">exemplaires</a>, <a href="/api/v1/map/coverage.geojson?from={}&amp;to={}">couverture par EPCI</a> ; indicateurs : <a href="/api/v1/observatory">JSON</a> (CSV avec <code>Accept: text/csv</code>).</p></body></html>"#,
        coverage.from, coverage.to
    );
    html
}
