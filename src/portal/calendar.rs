//! The calendar link of my venue: the address of the iCalendar feed of its loans, for a
//! calendar app that cannot sign in (`GET /api/v1/venues/{id}/calendar.ics?token=…`). The
//! service keeps only a digest of the link's secret, so the page shows the whole link once,
//! when an administrator creates it; creating a new one cuts the previous link.

use actix_web::http::StatusCode;
use askama::Template;

use super::session::signed_in;
use super::session::SignedForm;
use super::Page;
use super::{page, render, Layout, Req, State};
use crate::booking::feeds;

#[derive(Template)]
#[template(path = "portal/calendar.html")]
struct CalendarPage {
    layout: Layout,
    csrf_token: String,
    /// Whether the visitor may create a new link (the service decides; this only hides the button).
    admin: bool,
    /// The full address of a link just created (shown once).
    link: Option<String>,
}

/// `GET /calendar`: what the link is for, and the button to create a new one.
pub async fn calendar(state: State, req: Req) -> Page {
    let s = signed_in(&state, &req).await?;
    page(&CalendarPage {
        layout: Layout::signed("Le lien d'agenda de mes prêts", &s, "loans"),
        csrf_token: s.csrf_token.clone(),
        admin: s.principal.is_admin(),
        link: None,
    })
}

/// `POST /calendar`: creates a new link (the previous one stops working) and shows it once.
pub async fn reset(state: State, SignedForm(s, _): SignedForm) -> Page {
    let clock = state.clock;
    let p = s.principal.clone();
    let venue_id = p.organization_id;
    let token = state
        .run(move |conn| feeds::issue_token(conn, &p, venue_id, clock.naive()))
        .await?;
    let base = state.config.public_base_url.trim_end_matches('/');
    render(
        StatusCode::OK,
        &CalendarPage {
            layout: Layout::signed("Le lien d'agenda de mes prêts", &s, "loans"),
            csrf_token: s.csrf_token.clone(),
            admin: true,
            link: Some(format!("{base}{}", token.path)),
        },
    )
}
