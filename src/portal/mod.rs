//! The portal: the browser's front door, server-rendered pages in French from compiled templates
//! (`templates/portal/`), one stylesheet, no JavaScript needed. It sits beside the API's handlers
//! and calls the same domain services (never the handlers, never its own SQL); authorisation comes
//! from [`crate::access::policy`] through those services. Nothing imports this module but `app`.

mod account;
mod agency;
mod audit;
mod calendar;
mod catalogue;
mod days;
mod documents;
mod form;
mod labels;
mod lang;
mod lang_agency;
mod lang_catalogue;
mod lang_organizations;
mod lang_producer;
mod legal;
mod links;
mod loans;
mod media;
mod members;
mod organizations;
mod pager;
mod producer;
mod resources;
mod revenue;
mod rounds;
mod session;
mod subsidies;
pub mod words;

use actix_web::body::{BoxBody, MessageBody};
use actix_web::dev::{ServiceRequest, ServiceResponse};
use actix_web::http::{header, StatusCode};
use actix_web::middleware::Next;
use actix_web::{web, HttpMessage, HttpRequest, HttpResponse, ResponseError};
use askama::Template;

use crate::auth::browser::BrowserSession;
use crate::error::Error;
use crate::state::AppState;
use lang::{Lang, Texts};

/// The stylesheet, compiled into the binary (the only file the portal serves besides its pages).
const STYLESHEET: &str = include_str!("../../static/portal.css");

/// The Content Security Policy of portal pages: nothing but this server's stylesheet, forms that
/// post only here, no scripts at all.
/// (`connect-src 'self'`: no script may run, but audit tools such as Lighthouse read
/// `/robots.txt` from within the page.)
const PAGE_CSP: &str = "default-src 'none'; style-src 'self'; img-src 'self'; \
     connect-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'";

/// Registers the portal's pages (outside `/api/v1` and outside the OpenAPI document).
pub fn routes(cfg: &mut web::ServiceConfig) {
    cfg.route("/portal.css", web::get().to(stylesheet))
        .route("/robots.txt", web::get().to(robots))
        .route("/favicon.ico", web::get().to(favicon))
        .route("/accessibility", web::get().to(account::accessibility))
        .service(
            web::resource("/login")
                .route(web::get().to(account::login_page))
                .route(web::post().to(account::login_submit)),
        )
        .route("/logout", web::post().to(account::logout))
        .route("/", web::get().to(loans::home))
        .route("/resources", web::get().to(resources::find))
        .service(
            web::resource("/resources/new")
                .route(web::get().to(catalogue::new_form))
                .route(web::post().to(catalogue::create)),
        )
        .route("/resources/{id}", web::get().to(resources::resource))
        .service(
            web::resource("/resources/{id}/edit")
                .route(web::get().to(catalogue::edit))
                .route(web::post().to(catalogue::save_description)),
        )
        .route(
            "/resources/{id}/tariff",
            web::post().to(catalogue::save_tariff),
        )
        .route(
            "/resources/{id}/components",
            web::post().to(catalogue::add_component),
        )
        .route(
            "/resources/{id}/copies",
            web::post().to(catalogue::add_copy),
        )
        .service(
            web::resource("/bookings")
                .route(web::get().to(loans::bookings))
                .route(web::post().to(resources::request)),
        )
        .route("/bookings/{id}", web::get().to(loans::booking))
        .route("/resources/{id}/media", web::post().to(media::upload))
        .route("/resources/{id}/labels", web::get().to(labels::labels))
        .route("/copies/{id}", web::get().to(labels::copy))
        .route("/copies/{id}/qr.svg", web::get().to(labels::qr))
        .route("/media/{id}", web::get().to(media::original))
        .route("/media/{id}/thumbnail", web::get().to(media::thumbnail))
        .route("/media/{id}/page", web::get().to(media::page_size))
        .route("/media/{id}/delete", web::post().to(media::remove))
        .service(
            web::resource("/days")
                .route(web::get().to(days::days))
                .route(web::post().to(days::plan)),
        )
        .route("/days/{id}", web::get().to(days::day_plan))
        .route("/days/{id}/moves", web::post().to(days::move_stop))
        .route("/days/{id}/sheet", web::get().to(days::print_sheet))
        .route("/days/{id}/tour.ics", web::get().to(days::calendar))
        .route("/requests", web::get().to(producer::requests))
        .route("/fleet", web::get().to(producer::fleet))
        .route("/revenue", web::get().to(revenue::revenue))
        .route(
            "/copies/{id}/calendar",
            web::get().to(producer::copy_calendar),
        )
        .service(web::resource("/bookings/{id}/cancel").route(web::post().to(loans::cancel)))
        .service(web::resource("/bookings/{id}/decision").route(web::post().to(loans::decide)))
        .service(web::resource("/bookings/{id}/dates").route(web::post().to(loans::change_dates)))
        .service(web::resource("/bookings/{id}/invoice").route(web::post().to(loans::invoice)))
        .service(web::resource("/invoices/{id}/credit").route(web::post().to(documents::credit)))
        .service(
            web::resource("/bookings/{id}/report")
                .route(web::get().to(loans::report_form))
                .route(web::post().to(loans::report_submit)),
        )
        .service(
            web::resource("/bookings/{id}/evaluation")
                .route(web::get().to(loans::evaluation_form))
                .route(web::post().to(loans::evaluation_submit)),
        )
        .route("/invoices", web::get().to(documents::invoices))
        .route("/invoices/export", web::get().to(documents::export))
        .route(
            "/invoices/{id}/facturx.pdf",
            web::get().to(documents::invoice_pdf),
        )
        .route(
            "/bookings/{id}/agreement.pdf",
            web::get().to(documents::agreement_pdf),
        )
        .service(
            web::resource("/invitations/{token}")
                .route(web::get().to(links::invitation_page))
                .route(web::post().to(links::invitation_submit)),
        )
        .service(
            web::resource("/password/forgot")
                .route(web::get().to(links::forgot_page))
                .route(web::post().to(links::forgot_submit)),
        )
        .service(
            web::resource("/password-reset/{token}")
                .route(web::get().to(links::reset_page))
                .route(web::post().to(links::reset_submit)),
        )
        .route("/account", web::get().to(account::account_page))
        .route(
            "/account/password",
            web::post().to(account::password_submit),
        )
        .route("/account/locale", web::post().to(account::locale_submit))
        .service(
            web::resource("/organization/legal")
                .route(web::get().to(legal::legal_page))
                .route(web::post().to(legal::legal_submit)),
        )
        .route("/members", web::get().to(members::members_page))
        .route("/members/invite", web::post().to(members::invite_submit))
        .route("/members/{id}", web::post().to(members::member_submit))
        .service(
            web::resource("/calendar")
                .route(web::get().to(calendar::calendar))
                .route(web::post().to(calendar::reset)),
        )
        .configure(agency::routes)
        .configure(rounds::routes)
        .configure(audit::routes)
        .configure(subsidies::routes)
        .configure(organizations::routes);
}

/// What every page's frame shows: its title, who is signed in, where we are.
pub struct Layout {
    pub title: String,
    /// The signed-in visitor's organisation, and the token of the logout form.
    pub signed_in: Option<(String, String)>,
    /// The navigation entry of this page (`home`, `find`, `loans`, `invoices`, `account`,
    /// `members`), for `aria-current`.
    pub current: &'static str,
    /// The page's language (`<html lang>`) and its words.
    pub lang: &'static str,
    pub t: &'static Texts,
    /// The frame's words (nav, footer), shared with the public pages ([`crate::page::Frame`]).
    pub words: &'static crate::page::FrameWords,
    /// Whether the visitor administers their organisation's accounts (the "Membres" entry).
    pub admin: bool,
    /// The entries that replace "Accueil" at the head of the menu (the agency's network and
    /// coverage); empty for others.
    pub lead: Vec<crate::page::NavEntry>,
    /// The entries the visitor's kind of organisation adds to the menu (a producer's requests
    /// and fleet).
    pub nav: Vec<crate::page::NavEntry>,
}

impl Layout {
    /// The frame of a page for a signed-in visitor, in their language.
    pub fn signed(
        title: impl Into<String>,
        session: &BrowserSession,
        current: &'static str,
    ) -> Self {
        let lang = Lang::of_session(session);
        Layout {
            title: title.into(),
            signed_in: Some((
                session.organization_name.clone(),
                session.csrf_token.clone(),
            )),
            current,
            lang: lang.code(),
            t: lang.t(),
            words: lang.frame(),
            admin: crate::access::policy::manage_members(
                &session.principal,
                session.principal.organization_id,
            )
            .is_ok(),
            lead: if crate::access::policy::watch_network(&session.principal).is_ok() {
                lang.agency().nav()
            } else {
                Vec::new()
            },
            nav: if crate::access::policy::read_producer_inbox(&session.principal).is_ok() {
                lang.producer().nav()
            } else {
                Vec::new()
            },
        }
    }

    /// The frame of a page seen without a session, in French (errors).
    pub fn public(title: impl Into<String>) -> Self {
        Layout::anonymous(title, Lang::Fr)
    }

    /// The frame of a page seen without a session, in `lang` (login, links of mails).
    pub fn anonymous(title: impl Into<String>, lang: Lang) -> Self {
        Layout {
            title: title.into(),
            signed_in: None,
            current: "",
            lang: lang.code(),
            t: lang.t(),
            words: lang.frame(),
            admin: false,
            lead: Vec::new(),
            nav: Vec::new(),
        }
    }

    /// The frame of a page for whoever is there: signed in (their language) or not (the
    /// browser's).
    pub fn of_visitor(
        title: impl Into<String>,
        session: Option<&BrowserSession>,
        req: &HttpRequest,
        current: &'static str,
    ) -> Self {
        match session {
            Some(s) => Layout::signed(title, s, current),
            None => Layout::anonymous(title, Lang::of_request(req)),
        }
    }
}

/// An HTML answer with the portal's headers (no caching: pages show a person's own data).
pub fn html(status: StatusCode, body: String) -> HttpResponse {
    HttpResponse::build(status)
        .content_type("text/html; charset=utf-8")
        .insert_header((header::CACHE_CONTROL, "no-store"))
        .insert_header((header::CONTENT_SECURITY_POLICY, PAGE_CSP))
        .insert_header(("Referrer-Policy", "same-origin"))
        .body(body)
}

/// Renders a page with status 200.
pub fn page(template: &impl Template) -> Result<HttpResponse, PortalError> {
    render(StatusCode::OK, template)
}

/// Renders a page with a status (a form shown again with its errors is 422).
pub fn render(status: StatusCode, template: &impl Template) -> Result<HttpResponse, PortalError> {
    let body = template
        .render()
        .map_err(|e| Error::Internal(format!("template: {e}")))?;
    Ok(html(status, body))
}

/// A redirect after a form succeeded (Post/Redirect/Get: a reload does not post again).
pub fn see_other(location: &str) -> HttpResponse {
    HttpResponse::SeeOther()
        .insert_header((header::LOCATION, location))
        .insert_header((header::CACHE_CONTROL, "no-store"))
        .finish()
}

/// Why a page could not be shown, answered as a page (never JSON, never a raw 500).
#[derive(Debug)]
pub enum PortalError {
    /// Not signed in: to the login page, then back to `next`.
    LogIn { next: String },
    /// A form that changes something came without its session's CSRF token.
    Csrf,
    /// What a service refused or a fault of ours.
    Domain(Error),
}

impl From<Error> for PortalError {
    fn from(e: Error) -> Self {
        PortalError::Domain(e)
    }
}

impl std::fmt::Display for PortalError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            PortalError::LogIn { .. } => write!(f, "not signed in"),
            PortalError::Csrf => write!(f, "missing or wrong CSRF token"),
            PortalError::Domain(e) => write!(f, "{e}"),
        }
    }
}

/// The error page.
#[derive(Template)]
#[template(path = "portal/error.html")]
struct ErrorPage {
    layout: Layout,
    heading: &'static str,
    explanation: &'static str,
}

impl ResponseError for PortalError {
    fn status_code(&self) -> StatusCode {
        match self {
            PortalError::LogIn { .. } => StatusCode::SEE_OTHER,
            PortalError::Csrf => StatusCode::FORBIDDEN,
            PortalError::Domain(e) => {
                StatusCode::from_u16(e.code().status()).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR)
            }
        }
    }

    fn error_response(&self) -> HttpResponse {
        if let PortalError::Domain(e) = self {
            if e.code().status() >= 500 && !matches!(e, Error::Unavailable(_)) {
                tracing::error!(error = %e, "portal page failed");
            }
        }
        // In French, the default: [`localise_errors`] puts it in the visitor's language, which
        // only the request knows.
        self.page(Lang::Fr)
    }
}

impl PortalError {
    /// The answer to this error in `lang`: the error page (or the way to the login page).
    fn page(&self, lang: Lang) -> HttpResponse {
        if let PortalError::LogIn { next } = self {
            return see_other(&format!("/login?next={}", encode(next)));
        }
        let t = lang.t();
        let (heading, explanation) = match self {
            PortalError::Csrf => (t.error_csrf_title, t.error_csrf_text),
            PortalError::Domain(Error::NotFound(_)) => {
                (t.error_not_found_title, t.error_not_found_text)
            }
            PortalError::Domain(Error::Forbidden(_)) => {
                (t.error_forbidden_title, t.error_forbidden_text)
            }
            PortalError::Domain(Error::Unavailable(_)) => {
                (t.error_unavailable_title, t.error_unavailable_text)
            }
            PortalError::Domain(e) if e.code().status() < 500 => {
                (t.error_refused_title, t.error_refused_text)
            }
            _ => (t.error_internal_title, t.error_internal_text),
        };
        let page = ErrorPage {
            layout: Layout::anonymous(heading, lang),
            heading,
            explanation,
        };
        let body = page.render().unwrap_or_else(|_| heading.to_string());
        html(self.status_code(), body)
    }
}

/// Middleware: an error page of the portal in the visitor's language. A handler's error becomes
/// its answer without the request (`ResponseError`), so in French; here, with the request, it is
/// rendered again in the language [`session::signed_in`] found (the account's), else the one the
/// browser asks for. Every other answer passes untouched (a look at its error, no more).
pub async fn localise_errors(
    req: ServiceRequest,
    next: Next<impl MessageBody + 'static>,
) -> Result<ServiceResponse<BoxBody>, actix_web::Error> {
    let res = next.call(req).await?.map_into_boxed_body();
    let page = match res
        .response()
        .error()
        .and_then(|e| e.as_error::<PortalError>())
    {
        None | Some(PortalError::LogIn { .. }) => return Ok(res),
        Some(error) => {
            let lang = res
                .request()
                .extensions()
                .get::<Lang>()
                .copied()
                .unwrap_or_else(|| Lang::of_request(res.request()));
            if lang == Lang::Fr {
                return Ok(res);
            }
            error.page(lang)
        }
    };
    let body = page.into_body();
    Ok(res.map_body(|_, _| body))
}

/// Percent-encodes a value for a query string.
pub fn encode(value: &str) -> String {
    let mut out = String::with_capacity(value.len());
    for b in value.bytes() {
        if b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b'.' | b'~' | b'/') {
            out.push(b as char);
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

/// What crawlers may read: the pages (a venue's need a session anyway, so only the public ones
/// can be indexed), not the API.
const ROBOTS: &str = "User-agent: *\nDisallow: /api/\nAllow: /\n";

async fn robots() -> HttpResponse {
    HttpResponse::Ok()
        .content_type("text/plain; charset=utf-8")
        .insert_header((header::CACHE_CONTROL, "public, max-age=86400"))
        .body(ROBOTS)
}

/// No icon: an empty answer rather than a 404 that browsers log on every page.
async fn favicon() -> HttpResponse {
    HttpResponse::NoContent()
        .insert_header((header::CACHE_CONTROL, "public, max-age=86400"))
        .finish()
}

async fn stylesheet() -> HttpResponse {
    HttpResponse::Ok()
        .content_type("text/css; charset=utf-8")
        .insert_header((header::CACHE_CONTROL, "public, max-age=3600"))
        .body(STYLESHEET)
}

/// Shared by the page handlers: the state and request types.
type State = web::Data<AppState>;
type Req = HttpRequest;
/// What a page handler answers: a page, a redirect or a file, or the error page.
type Page = Result<HttpResponse, PortalError>;
/// The numeric id in a page's path (`/bookings/{id}`).
type PathId = web::Path<i64>;
