//! Charts drawn by the service as SVG, readable without JavaScript and printed as they are: bars
//! of several series side by side (a producer's months), and progress towards a goal (how far
//! each resource's production cost is paid back). Each bar carries its value as a `<title>` and
//! each chart an `aria-label`; the page beside it always has the same figures as a table.

use std::fmt::Write;

use crate::text::html_escape as escape;

/// One series of a bar chart: its name in the legend and its colour.
pub struct Series<'a> {
    pub name: &'a str,
    pub colour: &'a str,
}

/// Bars of `series` side by side for each group (`(label, one value per series)`), non-negative
/// values; `format` writes a value as the reader reads it (French euros).
pub fn grouped_bars(
    title: &str,
    series: &[Series],
    groups: &[(String, Vec<i64>)],
    format: impl Fn(i64) -> String,
) -> String {
    let (w, h, left, bottom, top) = (720.0, 260.0, 16.0, 28.0, 44.0);
    let max = groups
        .iter()
        .flat_map(|(_, v)| v.iter().copied())
        .max()
        .unwrap_or(0)
        .max(1) as f64;
    let step = (w - left - 10.0) / groups.len().max(1) as f64;
    let bar_w = step * 0.8 / series.len().max(1) as f64;
    let plot_h = h - bottom - top;
    let mut svg = format!(
        r#"<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {w} {h}" width="{w}" height="{h}" role="img" aria-label="{}" font-family="sans-serif" font-size="11">"#,
        escape(title)
    );
    let _ = write!(
        svg,
        r##"<text x="{left}" y="14" font-weight="bold" font-size="13">{}</text>"##,
        escape(title)
    );
    let mut x = left;
    for s in series {
        let _ = write!(
            svg,
            r#"<rect x="{x:.1}" y="22" width="12" height="12" fill="{}"/><text x="{:.1}" y="32">{}</text>"#,
            s.colour,
            x + 16.0,
            escape(s.name)
        );
        x += 24.0 + 7.0 * s.name.chars().count() as f64;
    }
    let _ = write!(
        svg,
        r##"<path d="M{left},{:.1} H{:.1}" stroke="#6f777b"/>"##,
        h - bottom,
        w - 10.0
    );
    for (i, (label, values)) in groups.iter().enumerate() {
        let x0 = left + i as f64 * step + step * 0.1;
        for (j, (value, s)) in values.iter().zip(series).enumerate() {
            let bar_h = plot_h * (*value).max(0) as f64 / max;
            let x = x0 + j as f64 * bar_w;
            let y = h - bottom - bar_h;
            let _ = write!(
                svg,
                r#"<rect x="{x:.1}" y="{y:.1}" width="{:.1}" height="{bar_h:.1}" fill="{}"><title>{} — {} : {}</title></rect>"#,
                bar_w * 0.92,
                s.colour,
                escape(label),
                escape(s.name),
                escape(&format(*value))
            );
        }
        let _ = write!(
            svg,
            r#"<text x="{:.1}" y="{:.1}" text-anchor="middle">{}</text>"#,
            x0 + step * 0.4,
            h - bottom + 16.0,
            escape(label)
        );
    }
    svg.push_str("</svg>");
    svg
}

/// One bar of a progress chart: its label, how far it has gone (percent, may pass 100) and a
/// note written after the bar (the payback day).
pub struct Progress {
    pub label: String,
    pub percent: f64,
    pub note: String,
}

/// Horizontal bars towards 100 %, the goal marked by a line; bars past the goal are drawn to
/// 150 % at most (their figure says the rest).
pub fn progress(title: &str, rows: &[Progress], format_percent: impl Fn(f64) -> String) -> String {
    let (w, row_h, label_w, top) = (720.0, 26.0, 230.0, 30.0);
    let bar_max = 300.0;
    let h = top + row_h * rows.len() as f64 + 12.0;
    let mut svg = format!(
        r#"<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {w} {h}" width="{w}" height="{h}" role="img" aria-label="{}" font-family="sans-serif" font-size="11">"#,
        escape(title)
    );
    let _ = write!(
        svg,
        r##"<text x="0" y="14" font-weight="bold" font-size="13">{}</text>"##,
        escape(title)
    );
    let goal_x = label_w + bar_max / 1.5;
    for (i, r) in rows.iter().enumerate() {
        let y = top + i as f64 * row_h;
        let width = bar_max * (r.percent.clamp(0.0, 150.0) / 150.0);
        let colour = if r.percent >= 100.0 {
            "#00703c"
        } else {
            "#1d70b8"
        };
        let label: String = r.label.chars().take(36).collect();
        let _ = write!(
            svg,
            r##"<text x="{:.1}" y="{:.1}" text-anchor="end">{}</text><rect x="{label_w}" y="{y:.1}" width="{bar_max}" height="16" fill="#f3f2f1"/><rect x="{label_w}" y="{y:.1}" width="{width:.1}" height="16" fill="{colour}"><title>{} : {}</title></rect><text x="{:.1}" y="{:.1}">{} {}</text>"##,
            label_w - 6.0,
            y + 12.0,
            escape(&label),
            escape(&r.label),
            escape(&format_percent(r.percent)),
            label_w + bar_max + 6.0,
            y + 12.0,
            escape(&format_percent(r.percent)),
            escape(&r.note)
        );
    }
    let _ = write!(
        svg,
        r##"<path d="M{goal_x:.1},{:.1} V{:.1}" stroke="#0b0c0c" stroke-dasharray="3 2"/><text x="{goal_x:.1}" y="{:.1}" text-anchor="middle">100 %</text>"##,
        top - 4.0,
        h - 8.0,
        top - 8.0
    );
    svg.push_str("</svg>");
    svg
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bars_scale_to_the_largest_value_and_say_their_values() {
        let svg = grouped_bars(
            "Mois",
            &[
                Series {
                    name: "Recettes",
                    colour: "#1d70b8",
                },
                Series {
                    name: "Coûts",
                    colour: "#d4351c",
                },
            ],
            &[
                ("janv.".into(), vec![100, 50]),
                ("févr.".into(), vec![0, 0]),
            ],
            |v| format!("{v} €"),
        );
        // The largest bar fills the plot (260 − 28 − 44 = 188), the half one half of it.
        assert!(
            svg.contains(r##"height="188.0" fill="#1d70b8"><title>janv. — Recettes : 100 €"##),
            "{svg}"
        );
        assert!(
            svg.contains(r##"height="94.0" fill="#d4351c"><title>janv. — Coûts : 50 €"##),
            "{svg}"
        );
        assert!(svg.contains("aria-label=\"Mois\""));
    }

    #[test]
    fn progress_marks_the_goal_and_caps_long_bars() {
        let svg = progress(
            "Amortissement",
            &[
                Progress {
                    label: "Malle".into(),
                    percent: 50.0,
                    note: "".into(),
                },
                Progress {
                    label: "Expo".into(),
                    percent: 400.0,
                    note: "amortie".into(),
                },
            ],
            |p| format!("{p} %"),
        );
        assert!(
            svg.contains(r##"width="100.0" height="16" fill="#1d70b8""##),
            "{svg}"
        );
        assert!(
            svg.contains(r##"width="300.0" height="16" fill="#00703c""##),
            "capped at 150 %: {svg}"
        );
        assert!(svg.contains("400 %"));
    }
}
