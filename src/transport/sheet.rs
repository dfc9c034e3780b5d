//! What a driver takes along: the day plan as a printable page (one sheet per van, in French,
//! no JavaScript) and as an iCalendar file (one event per van's day and per stop) for the
//! driver's phone.

use std::fmt::Write;

use super::model::{DayPlan, JobKind, Trip};
use crate::booking::calendar::{escape as ics_escape, fold};
use crate::text::html_escape as escape;

fn action(kind: JobKind) -> &'static str {
    match kind {
        JobKind::Delivery => "Livrer",
        JobKind::Pickup => "Enlever",
    }
}

fn reason_fr(reason: super::model::UnassignedReason) -> &'static str {
    use super::model::UnassignedReason as R;
    match reason {
        R::TooLargeForAnyVan => "trop volumineux ou trop lourd pour chaque véhicule",
        R::WindowUnreachable => "horaires d'ouverture hors d'atteinte dans la journée",
        R::NoCapacityLeft => "plus de place dans les véhicules",
        R::ShiftTooShort => "plus de temps dans la journée des véhicules",
        R::ClosedThatDay => "lieu fermé ce jour-là",
    }
}

/// The printable day sheets of a plan.
pub fn html(plan: &DayPlan) -> String {
    let mut out = String::new();
    let date = plan.date.format("%d/%m/%Y");
    let _ = write!(
        out,
        r#"<!DOCTYPE html><html lang="fr"><head><meta charset="utf-8"><title>Tournées du {date} — {depot}</title>
<style>body{{font-family:system-ui,sans-serif;margin:1.5em;color:#111}}table{{border-collapse:collapse;width:100%;margin:.5em 0 1.5em}}th,td{{border:1px solid #999;padding:.3em .4em;text-align:left;vertical-align:top;font-size:.92em}}th{{background:#eee}}.num{{text-align:right}}.sign{{width:9em}}section{{margin-bottom:2em}}@media print{{section{{page-break-after:always}}body{{margin:0}}}}</style></head><body>
<h1>Tournées du {date}</h1><p>Dépôt : <strong>{depot}</strong> (commune {commune}). {trips} véhicule(s), {km} km, {hours} h de conduite. Plan n° {id}.</p>"#,
        depot = escape(&plan.depot.name),
        commune = escape(&plan.depot.commune_insee),
        trips = plan.trips.len(),
        km = plan.total_km,
        hours = plan.total_driving_hours,
        id = plan.id,
    );
    for trip in &plan.trips {
        trip_section(&mut out, trip);
    }
    if !plan.unassigned.is_empty() {
        out.push_str("<section><h2>Mouvements non planifiés</h2><table><tr><th>Réservation</th><th>Action</th><th>Exemplaire</th><th>Lieu</th><th>Motif</th></tr>");
        for u in &plan.unassigned {
            let _ = write!(
                out,
                "<tr><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td></tr>",
                u.booking_id,
                action(u.kind),
                escape(&u.asset_tag),
                escape(&u.venue_name),
                reason_fr(u.reason)
            );
        }
        out.push_str("</table></section>");
    }
    out.push_str("</body></html>");
    out
}

fn trip_section(out: &mut String, trip: &Trip) {
    let _ = write!(
        out,
        r#"<section><h2>Tournée {n} — {van}</h2><p>Départ du dépôt <strong>{start}</strong>, retour <strong>{end}</strong> · {km} km · {hours} h de conduite · au départ {v} m³ / {w} kg à livrer · au retour {cv} m³ / {cw} kg collectés.</p>
<table><tr><th class="num">#</th><th>Arrivée</th><th>Service</th><th>Action</th><th>Lieu</th><th>Exemplaire</th><th>Ouverture</th><th class="sign">Signature</th></tr>"#,
        n = trip.number,
        van = escape(&trip.van_name),
        start = trip.start,
        end = trip.end,
        km = trip.km,
        hours = trip.driving_hours,
        v = trip.volume_m3,
        w = trip.weight_kg,
        cv = trip.collected_volume_m3,
        cw = trip.collected_weight_kg,
    );
    for (k, s) in trip.stops.iter().enumerate() {
        let opening = if s.opening.is_empty() {
            "—".to_string()
        } else {
            s.opening
                .iter()
                .map(|w| format!("{}–{}", w.start, w.end))
                .collect::<Vec<_>>()
                .join(", ")
        };
        let _ = write!(
            out,
            "<tr><td class=\"num\">{k}</td><td>{arrival}</td><td>{start}–{departure} ({minutes} min)</td><td><strong>{action}</strong></td><td>{venue}<br><small>commune {commune}</small></td><td>{tag} — {title}<br><small>{crates} caisse(s), {volume} m³, {weight} kg · réservation {booking}</small></td><td>{opening}</td><td class=\"sign\"></td></tr>",
            k = k + 1,
            arrival = s.arrival.as_deref().unwrap_or("—"),
            start = s.service_start.as_deref().unwrap_or("—"),
            departure = s.departure.as_deref().unwrap_or("—"),
            minutes = s.service_minutes,
            action = action(s.kind),
            venue = escape(&s.venue_name),
            commune = escape(&s.commune_insee),
            tag = escape(&s.asset_tag),
            title = escape(&s.resource_title),
            crates = s.crates,
            volume = s.volume_m3,
            weight = s.weight_kg,
            booking = s.booking_id,
        );
    }
    out.push_str("</table></section>");
}

/// Europe/Paris, the wall clock of every time of a plan (the rules of the EU since 1996).
const PARIS: &[&str] = &[
    "BEGIN:VTIMEZONE",
    "TZID:Europe/Paris",
    "BEGIN:DAYLIGHT",
    "TZOFFSETFROM:+0100",
    "TZOFFSETTO:+0200",
    "TZNAME:CEST",
    "DTSTART:19700329T020000",
    "RRULE:FREQ=YEARLY;BYMONTH=3;BYDAY=-1SU",
    "END:DAYLIGHT",
    "BEGIN:STANDARD",
    "TZOFFSETFROM:+0200",
    "TZOFFSETTO:+0100",
    "TZNAME:CET",
    "DTSTART:19701025T030000",
    "RRULE:FREQ=YEARLY;BYMONTH=10;BYDAY=-1SU",
    "END:STANDARD",
    "END:VTIMEZONE",
];

/// The plan as a calendar: each van's day, and each of its stops, as timed events in
/// Europe/Paris; `trip` keeps one van's. UIDs are stable for a plan.
pub fn ics(plan: &DayPlan, trip: Option<i64>) -> String {
    let mut out = String::new();
    let mut line = |text: String| out.push_str(&fold(&text));
    line("BEGIN:VCALENDAR".into());
    line("VERSION:2.0".into());
    line("PRODID:-//Itinerance//Tours//FR".into());
    line("CALSCALE:GREGORIAN".into());
    line("METHOD:PUBLISH".into());
    line(format!(
        "X-WR-CALNAME:{}",
        ics_escape(&format!("Tournées {} — {}", plan.date, plan.depot.name))
    ));
    for l in PARIS {
        line((*l).to_string());
    }
    let day = plan.date.format("%Y%m%d").to_string();
    let at = |hhmm: &str| format!("{day}T{}00", hhmm.replace(':', ""));
    let stamp = plan.created_at.format("%Y%m%dT%H%M%SZ").to_string();
    for t in plan
        .trips
        .iter()
        .filter(|t| trip.is_none_or(|n| n == t.number))
    {
        let mut event = |uid: String,
                         start: &str,
                         end: &str,
                         summary: String,
                         description: String,
                         location: String| {
            line("BEGIN:VEVENT".into());
            line(format!("UID:{uid}"));
            line(format!("DTSTAMP:{stamp}"));
            line(format!("DTSTART;TZID=Europe/Paris:{}", at(start)));
            line(format!("DTEND;TZID=Europe/Paris:{}", at(end)));
            line(format!("SUMMARY:{}", ics_escape(&summary)));
            line(format!("DESCRIPTION:{}", ics_escape(&description)));
            line(format!("LOCATION:{}", ics_escape(&location)));
            line("END:VEVENT".into());
        };
        let stops: Vec<String> = t
            .stops
            .iter()
            .map(|s| {
                format!(
                    "{} {} {} — {} ({})",
                    s.arrival.as_deref().unwrap_or("—"),
                    action(s.kind),
                    s.asset_tag,
                    s.venue_name,
                    s.commune_insee
                )
            })
            .collect();
        event(
            format!("tour-{}-{}@itinerance", plan.id, t.number),
            &t.start,
            &t.end,
            format!(
                "Tournée {} — {} ({} arrêts, {} km)",
                t.number,
                t.van_name,
                t.stops.len(),
                t.km
            ),
            stops.join("\n"),
            plan.depot.name.clone(),
        );
        for s in &t.stops {
            let (Some(arrival), Some(departure)) = (&s.arrival, &s.departure) else {
                continue;
            };
            event(
                format!(
                    "tour-{}-{}-{}-{}@itinerance",
                    plan.id,
                    t.number,
                    s.booking_id,
                    s.kind.as_str()
                ),
                arrival,
                departure,
                format!("{} {} — {}", action(s.kind), s.resource_title, s.venue_name),
                format!(
                    "Exemplaire {} ({} caisse(s), {} m³, {} kg), réservation {}. Service {} min.",
                    s.asset_tag,
                    s.crates,
                    s.volume_m3,
                    s.weight_kg,
                    s.booking_id,
                    s.service_minutes
                ),
                format!("{} ({})", s.venue_name, s.commune_insee),
            );
        }
    }
    line("END:VCALENDAR".into());
    out
}
