//! What a driver takes along: the day plan as a printable page (one sheet per van, in French,
//! no JavaScript) and as an iCalendar file (one event per van's day and per stop) for the
//! driver's phone.

use askama::Template;

use super::model::{DayPlan, JobKind, Trip};
use crate::booking::calendar::{escape as ics_escape, fold};
use crate::page::{self, Frame};

fn action(kind: JobKind) -> &'static str {
    match kind {
        JobKind::Delivery => "Livrer",
        JobKind::Pickup => "Enlever",
    }
}

pub fn reason_fr(reason: super::model::UnassignedReason) -> &'static str {
    use super::model::UnassignedReason as R;
    match reason {
        R::TooLargeForAnyVan => "trop volumineux ou trop lourd pour chaque véhicule",
        R::WindowUnreachable => "horaires d'ouverture hors d'atteinte dans la journée",
        R::NoCapacityLeft => "plus de place dans les véhicules",
        R::ShiftTooShort => "plus de temps dans la journée des véhicules",
        R::ClosedThatDay => "lieu fermé ce jour-là",
    }
}

/// One stop of a van's sheet, written for reading.
pub struct SheetStop {
    pub number: usize,
    pub arrival: String,
    pub service: String,
    pub action: &'static str,
    pub venue: String,
    pub commune: String,
    pub tag: String,
    pub title: String,
    pub load: String,
    pub opening: String,
}

/// One van's sheet.
pub struct SheetTrip {
    pub number: i64,
    pub van: String,
    pub start: String,
    pub end: String,
    pub km: String,
    pub hours: String,
    pub volume: String,
    pub weight: String,
    pub collected_volume: String,
    pub collected_weight: String,
    pub stops: Vec<SheetStop>,
}

/// A movement the plan could not place.
pub struct SheetUnassigned {
    pub booking_id: i64,
    pub action: &'static str,
    pub tag: String,
    pub venue: String,
    pub reason: &'static str,
}

#[derive(Template)]
#[template(path = "transport/sheet.html")]
struct SheetPage {
    layout: Frame,
    /// The portal's stylesheet, also inline: a sheet saved to a file or printed offline keeps
    /// its layout and one van per printed page.
    stylesheet: &'static str,
    date: String,
    depot: String,
    commune: String,
    id: i64,
    km: String,
    hours: String,
    trips: Vec<SheetTrip>,
    unassigned: Vec<SheetUnassigned>,
}

fn sheet_trip(trip: &Trip) -> SheetTrip {
    SheetTrip {
        number: trip.number,
        van: trip.van_name.clone(),
        start: trip.start.clone(),
        end: trip.end.clone(),
        km: page::decimal(trip.km, 1),
        hours: page::decimal(trip.driving_hours, 2),
        volume: page::decimal(trip.volume_m3, 2),
        weight: page::decimal(trip.weight_kg, 0),
        collected_volume: page::decimal(trip.collected_volume_m3, 2),
        collected_weight: page::decimal(trip.collected_weight_kg, 0),
        stops: trip
            .stops
            .iter()
            .enumerate()
            .map(|(k, s)| SheetStop {
                number: k + 1,
                arrival: s.arrival.clone().unwrap_or_else(|| "—".into()),
                service: format!(
                    "{}–{} ({} min)",
                    s.service_start.as_deref().unwrap_or("—"),
                    s.departure.as_deref().unwrap_or("—"),
                    s.service_minutes
                ),
                action: action(s.kind),
                venue: s.venue_name.clone(),
                commune: s.commune_insee.clone(),
                tag: s.asset_tag.clone(),
                title: s.resource_title.clone(),
                load: format!(
                    "{} caisse(s), {} m³, {} kg · réservation {}",
                    s.crates,
                    page::decimal(s.volume_m3, 2),
                    page::decimal(s.weight_kg, 0),
                    s.booking_id
                ),
                opening: if s.opening.is_empty() {
                    "—".to_string()
                } else {
                    s.opening
                        .iter()
                        .map(|w| format!("{}–{}", w.start, w.end))
                        .collect::<Vec<_>>()
                        .join(", ")
                },
            })
            .collect(),
    }
}

/// The printable day sheets of a plan (the template `templates/transport/sheet.html`, on the
/// portal's layout and stylesheet; one van per printed page), the stylesheet also inline.
pub fn html(plan: &DayPlan) -> crate::error::Result<String> {
    sheets(plan, include_str!("../../static/portal.css"))
}

/// The same sheets as a portal page: the stylesheet linked only (the portal's pages allow no
/// inline style).
pub fn page(plan: &DayPlan) -> crate::error::Result<String> {
    sheets(plan, "")
}

fn sheets(plan: &DayPlan, stylesheet: &'static str) -> crate::error::Result<String> {
    let date = page::date(plan.date);
    SheetPage {
        layout: Frame::public(format!("Tournées du {date} — {}", plan.depot.name)),
        stylesheet,
        date,
        depot: plan.depot.name.clone(),
        commune: plan.depot.commune_insee.clone(),
        id: plan.id,
        km: page::decimal(plan.total_km, 1),
        hours: page::decimal(plan.total_driving_hours, 2),
        trips: plan.trips.iter().map(sheet_trip).collect(),
        unassigned: plan
            .unassigned
            .iter()
            .map(|u| SheetUnassigned {
                booking_id: u.booking_id,
                action: action(u.kind),
                tag: u.asset_tag.clone(),
                venue: u.venue_name.clone(),
                reason: reason_fr(u.reason),
            })
            .collect(),
    }
    .render()
    .map_err(|e| crate::error::Error::Internal(format!("template: {e}")))
}

/// The calendar's media type.
pub const ICS_TYPE: &str = "text/calendar; charset=utf-8";

/// The file name a plan's calendar is saved under.
pub fn ics_name(plan_id: i64) -> String {
    format!("tour-{plan_id}.ics")
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
