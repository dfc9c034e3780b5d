//! Crate labels and the copy page their QR code opens. A producer prints one label per copy (the
//! resource, the asset tag, the depot, a QR code of the copy's page); at packing and unpacking a
//! phone camera opens that page, which leads to the loan under way and its condition report.

use actix_web::HttpResponse;
use askama::Template;
use chrono::Duration;

use super::lang::Lang;
use super::session::signed_in;
use super::{page, words, Layout, PortalError, Req, State};
use super::{Page, PathId};
use crate::access::policy;
use crate::booking::service as bookings;
use crate::booking::store::BookingFilter;
use crate::catalogue::model::CopyStatus;
use crate::catalogue::service as catalogue;
use crate::error::Error;

/// One label: what is written on it and its QR code's image (`/copies/{id}/qr.svg`).
struct Label {
    copy_id: i64,
    asset_tag: String,
    depot: String,
    qr_alt: String,
}

#[derive(Template)]
#[template(path = "portal/labels.html")]
struct LabelsPage {
    layout: Layout,
    resource_id: i64,
    title: String,
    producer: String,
    labels: Vec<Label>,
}

/// The address a label's QR code opens: the copy's page on this service's public address.
fn copy_url(state: &State, copy_id: i64) -> String {
    format!(
        "{}/copies/{copy_id}",
        state.config.public_base_url.trim_end_matches('/')
    )
}

/// A QR code of `url` as an SVG document. Error correction M: a label scuffed by a season on the
/// road still reads.
fn qr_svg(url: &str) -> Result<String, PortalError> {
    let code = qrcode::QrCode::with_error_correction_level(url.as_bytes(), qrcode::EcLevel::M)
        .map_err(|e| Error::Internal(format!("QR code of {url}: {e}")))?;
    Ok(code
        .render::<qrcode::render::svg::Color>()
        .min_dimensions(144, 144)
        .quiet_zone(true)
        .build())
}

/// `GET /copies/{id}/qr.svg`: the QR code of a copy's page, an image of its own so that a sheet of
/// labels stays a light page and each code is drawn once per browser (cached a day).
pub async fn qr(state: State, req: Req, id: PathId) -> Page {
    signed_in(&state, &req).await?;
    let id = id.into_inner();
    state.run(move |conn| catalogue::get_copy(conn, id)).await?;
    let svg = qr_svg(&copy_url(&state, id))?;
    Ok(HttpResponse::Ok()
        .content_type("image/svg+xml")
        .insert_header((
            actix_web::http::header::CACHE_CONTROL,
            "private, max-age=86400",
        ))
        .body(svg))
}

/// `GET /resources/{id}/labels`: one label per copy in service, to print (the producer of the
/// resource or the agency).
pub async fn labels(state: State, req: Req, id: PathId) -> Page {
    let s = signed_in(&state, &req).await?;
    let id = id.into_inner();
    let p = s.principal.clone();
    let (resource, producer, copies) = state
        .run(move |conn| {
            let r = catalogue::get_resource(conn, id)?;
            policy::write_catalogue(&p, r.producer_id)?;
            let producer = crate::organization::service::get_organization(conn, r.producer_id)?;
            let mut copies = Vec::new();
            let mut depots = std::collections::HashMap::new();
            for c in catalogue::list_copies(conn, id)? {
                if c.status == CopyStatus::Retired {
                    continue;
                }
                if !depots.contains_key(&c.home_commune_insee) {
                    let name = crate::territory::commune_name(conn, &c.home_commune_insee)?;
                    depots.insert(c.home_commune_insee.clone(), name);
                }
                let depot = depots[&c.home_commune_insee].clone();
                copies.push((c, depot));
            }
            Ok((r, producer, copies))
        })
        .await?;
    let lang = Lang::of_session(&s);
    let t = lang.t();
    let mut labels = Vec::new();
    for (c, depot) in copies {
        labels.push(Label {
            copy_id: c.id,
            qr_alt: format!("{} {}", t.labels_qr_alt, c.asset_tag),
            asset_tag: c.asset_tag,
            depot,
        });
    }
    page(&LabelsPage {
        layout: Layout::signed(
            format!("{} — {}", t.labels_title, resource.title),
            &s,
            "find",
        ),
        resource_id: resource.id,
        title: resource.title,
        producer: producer.name,
        labels,
    })
}

/// A loan of the copy as its page lists it.
struct CopyLoan {
    id: i64,
    status: &'static str,
    period: String,
    venue: String,
    report: bool,
}

#[derive(Template)]
#[template(path = "portal/copy.html")]
struct CopyPage {
    layout: Layout,
    asset_tag: String,
    resource_id: i64,
    resource_title: String,
    status: &'static str,
    grade: i32,
    loans: Vec<CopyLoan>,
    /// The copy's id, and whether the visitor may open its calendar (its producer, the agency).
    copy_id: i64,
    calendar: bool,
}

/// `GET /copies/{id}`: the copy a label names: its resource, status and condition, and the loans
/// under way or to come that the visitor may see (a venue its own, the producer all of its
/// copy's), each with its condition report when one is due.
pub async fn copy(state: State, req: Req, id: PathId) -> Page {
    let s = signed_in(&state, &req).await?;
    let id = id.into_inner();
    let p = s.principal.clone();
    let today = state.clock.today();
    let (copy, resource, loans) = state
        .run(move |conn| {
            let copy = catalogue::get_copy(conn, id)?;
            let resource = catalogue::get_resource(conn, copy.resource_id)?;
            let filter = bookings::list_filter(
                BookingFilter {
                    copy_id: Some(id),
                    active_only: true,
                    from: Some(today - Duration::days(60)),
                    ..BookingFilter::default()
                },
                Some(100),
            )?;
            let mut loans = bookings::list(conn, &p, &filter)?;
            loans.sort_by_key(|b| (b.starts_on, b.id));
            let mut venues = std::collections::HashMap::new();
            for b in &loans {
                if let std::collections::hash_map::Entry::Vacant(e) = venues.entry(b.venue_id) {
                    e.insert(
                        crate::organization::service::get_organization(conn, b.venue_id)?.name,
                    );
                }
            }
            let loans: Vec<_> = loans
                .into_iter()
                .map(|b| {
                    let venue = venues.get(&b.venue_id).cloned().unwrap_or_default();
                    let due = crate::condition::service::report_due(conn, &p, &b)?;
                    Ok((b, venue, due.is_some()))
                })
                .collect::<crate::error::Result<_>>()?;
            Ok((copy, resource, loans))
        })
        .await?;
    let lang = Lang::of_session(&s);
    let t = lang.t();
    page(&CopyPage {
        layout: Layout::signed(format!("{} {}", t.copy_title, copy.asset_tag), &s, "find"),
        asset_tag: copy.asset_tag,
        copy_id: id,
        calendar: crate::access::policy::acts_for(&s.principal, resource.producer_id),
        resource_id: resource.id,
        resource_title: resource.title,
        status: words::copy_status(lang, copy.status),
        grade: copy.condition_grade,
        loans: loans
            .into_iter()
            .map(|(b, venue, report)| CopyLoan {
                id: b.id,
                status: words::stage(lang, b.status),
                period: lang.period(b.starts_on, b.ends_on),
                venue,
                report,
            })
            .collect(),
    })
}
