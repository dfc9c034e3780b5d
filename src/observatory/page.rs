//! `GET /observatory`: one public HTML page, readable without JavaScript, that the agency can link
//! to: the coverage map, the yearly indicators as SVG charts and a table, and the under-served
//! EPCIs (all of them). Everything is drawn by the service; the page is the template
//! `templates/observatory/page.html` on the portal's layout and stylesheet.

use std::fmt::Write;

use askama::Template;

use super::coverage::Coverage;
use super::indicators::Observatory;

use crate::page::{self, Frame};
use crate::text::html_escape as escape;

/// A bar chart of one value per year.
fn bars(title: &str, unit: &str, values: &[(i32, f64)], colour: &str, places: usize) -> String {
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
        let value = page::decimal(*value, places);
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

/// One year of the table "Prêts et territoire", written for reading.
pub struct LoansRow {
    pub year: i32,
    pub loans: String,
    pub venues: String,
    pub communes: String,
    pub epcis: String,
    pub village_share: String,
    pub village: String,
    pub small_town: String,
    pub medium_town: String,
    pub large_city: String,
}

/// One year of the table "Publics, transport et financement".
pub struct MoneyRow {
    pub year: i32,
    pub visitors: String,
    pub village_visitors: String,
    pub km: String,
    pub co2_kg: String,
    pub revenue: String,
    pub subsidy: String,
    pub school_time: String,
    pub holidays: String,
}

/// An EPCI no loan reached.
pub struct Unserved {
    pub name: String,
    pub population: String,
}

#[derive(Template)]
#[template(path = "observatory/page.html")]
struct ObservatoryPage<'a> {
    layout: Frame,
    from: String,
    to: String,
    from_iso: String,
    to_iso: String,
    gini: String,
    map_svg: &'a str,
    charts: Vec<String>,
    loans: Vec<LoansRow>,
    money: Vec<MoneyRow>,
    /// Every unserved EPCI, largest population first as the service lists them: never cut.
    unserved: Vec<Unserved>,
}

/// The page, on the portal's layout and stylesheet, numbers the French way.
pub fn render(
    map_svg: &str,
    coverage: &Coverage,
    observatory: &Observatory,
) -> crate::error::Result<String> {
    let years = &observatory.years;
    let charts = vec![
        bars(
            "Prêts par an",
            "prêts",
            &years
                .iter()
                .map(|y| (y.year, y.loans as f64))
                .collect::<Vec<_>>(),
            "#756bb1",
            0,
        ),
        bars(
            "Prêts pour 10 000 hab. dans les villages",
            "pour 10 000 hab.",
            &years
                .iter()
                .map(|y| (y.year, y.loans_per_10k_by_class.village))
                .collect::<Vec<_>>(),
            "#1b7837",
            2,
        ),
        bars(
            "Prêts pour 10 000 hab. dans les grandes villes",
            "pour 10 000 hab.",
            &years
                .iter()
                .map(|y| (y.year, y.loans_per_10k_by_class.large_city))
                .collect::<Vec<_>>(),
            "#d95f02",
            2,
        ),
    ];
    let page = ObservatoryPage {
        layout: Frame::public("Observatoire de l'itinérance scientifique"),
        from: page::date(coverage.from),
        to: page::date(coverage.to),
        from_iso: coverage.from.to_string(),
        to_iso: coverage.to.to_string(),
        gini: page::decimal(coverage.gini, 3),
        map_svg,
        charts,
        loans: years
            .iter()
            .map(|y| {
                let r = &y.loans_per_10k_by_class;
                LoansRow {
                    year: y.year,
                    loans: page::integer(y.loans),
                    venues: page::integer(y.venues_reached),
                    communes: page::integer(y.communes_reached),
                    epcis: page::integer(y.epcis_reached),
                    village_share: page::decimal(y.village_share_percent, 1),
                    village: page::decimal(r.village, 2),
                    small_town: page::decimal(r.small_town, 2),
                    medium_town: page::decimal(r.medium_town, 2),
                    large_city: page::decimal(r.large_city, 2),
                }
            })
            .collect(),
        money: years
            .iter()
            .map(|y| MoneyRow {
                year: y.year,
                visitors: page::integer(y.visitors),
                village_visitors: page::integer(y.visitors_by_class.village),
                km: page::decimal(y.km, 0),
                co2_kg: page::decimal(y.co2_kg, 0),
                revenue: page::cents(y.revenue_cents),
                subsidy: page::cents(y.subsidy_cents),
                school_time: page::integer(y.loans_in_school_time),
                holidays: page::integer(y.loans_in_school_holidays),
            })
            .collect(),
        unserved: coverage
            .unserved_epcis
            .iter()
            .map(|e| Unserved {
                name: e.epci_name.clone(),
                population: page::integer(e.population),
            })
            .collect(),
    };
    page.render()
        .map_err(|e| crate::error::Error::Internal(format!("template: {e}")))
}
