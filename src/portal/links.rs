//! The pages the links of account mails open, and the request for one: accepting an invitation
//! (`/invitations/{token}`), asking for a new password (`/password/forgot`) and choosing it
//! (`/password-reset/{token}`). Nobody is signed in here: the forms carry the pre-session CSRF
//! token (as the login form does), the words follow the browser's language, and every rule (the
//! link's life, the password's length, throttling) is the service's, shared with the API.

use actix_web::http::StatusCode;
use actix_web::web;
use askama::Template;

use super::form::{refused_fields, Errors, Fields};
use super::lang::{Lang, Texts};
use super::session::{self, AnonymousForm};
use super::Page;
use super::{render, see_other, Layout, PortalError, Req, State};
use crate::account::invitation::{self, Acceptance, Welcome};
use crate::account::link::MailContext;
use crate::account::reset::{self, ResetConfirmation, ResetRequest};
use crate::auth::browser;
use crate::error::{Code, Error};
use crate::organization::Role;

/// A page that only says something: a link that no longer works, a mail on its way.
#[derive(Template)]
#[template(path = "portal/message.html")]
struct MessagePage {
    layout: Layout,
    heading: &'static str,
    text: &'static str,
    /// Whether to offer the login and "password forgotten" links.
    offer_links: bool,
}

fn message(
    req: &Req,
    status: StatusCode,
    heading: fn(&Texts) -> &'static str,
    text: fn(&Texts) -> &'static str,
) -> Page {
    let lang = Lang::of_request(req);
    let t = lang.t();
    render(
        status,
        &MessagePage {
            layout: Layout::anonymous(heading(t), lang),
            heading: heading(t),
            text: text(t),
            offer_links: true,
        },
    )
}

/// The one page for a used, expired or unknown link (410, as the API's `link_expired`).
fn link_expired(req: &Req) -> Page {
    message(
        req,
        StatusCode::GONE,
        |t| t.link_expired_title,
        |t| t.link_expired_text,
    )
}

fn is_code(e: &Error, wanted: Code) -> bool {
    matches!(e, Error::Conflict { code, .. } if *code == wanted)
}

/// The errors of the two password fields of a form (present, the same twice); the length is the
/// service's rule, checked there.
fn password_errors(lang: Lang, form: &Fields, field: &str) -> Errors {
    let mut errors = Errors::default();
    if form.get(field).is_none() {
        errors.add(field, lang.password_too_short());
    } else if form.get("password_confirmation") != form.get(field) {
        errors.add("password_confirmation", lang.t().confirmation_differs);
    }
    errors
}

/// The invitation's form.
#[derive(Template)]
#[template(path = "portal/invitation.html")]
struct InvitationPage {
    layout: Layout,
    errors: Errors,
    token: String,
    organization: String,
    email: String,
    role: &'static str,
    csrf_token: String,
}

fn invitation_form(
    state: &State,
    req: &Req,
    status: StatusCode,
    errors: Errors,
    token: String,
    welcome: Welcome,
) -> Page {
    let lang = Lang::of_request(req);
    let t = lang.t();
    let (csrf_token, cookie) = session::anonymous_csrf(state)?;
    let page = InvitationPage {
        layout: Layout::anonymous(t.invitation_title, lang),
        errors,
        token,
        organization: welcome.organization_name,
        email: welcome.invitation.email,
        role: match welcome.invitation.role {
            Role::Admin => t.role_admin,
            Role::Member => t.role_member,
        },
        csrf_token,
    };
    Ok(session::with_cookies(render(status, &page)?, &[cookie]))
}

/// The invitation a link opens, or the page saying the link no longer works.
async fn welcome_or_gone(state: &State, token: &str) -> Result<Option<Welcome>, PortalError> {
    let clock = state.clock;
    let token = token.to_string();
    match state
        .run(move |conn| invitation::welcome(conn, &token, clock.naive()))
        .await
    {
        Ok(w) => Ok(Some(w)),
        Err(e) if is_code(&e, Code::LinkExpired) => Ok(None),
        Err(e) => Err(e.into()),
    }
}

/// `GET /invitations/{token}`: the organisation, the role, and the password to choose.
pub async fn invitation_page(state: State, req: Req, token: web::Path<String>) -> Page {
    let token = token.into_inner();
    match welcome_or_gone(&state, &token).await? {
        Some(welcome) => invitation_form(
            &state,
            &req,
            StatusCode::OK,
            Errors::default(),
            token,
            welcome,
        ),
        None => link_expired(&req),
    }
}

/// `POST /invitations/{token}`: creates the account (the service's `accept`, as the API's) and
/// signs the new member in.
pub async fn invitation_submit(
    state: State,
    req: Req,
    token: web::Path<String>,
    AnonymousForm(form): AnonymousForm,
) -> Page {
    let clock = state.clock;
    let token = token.into_inner();
    let lang = Lang::of_request(&req);
    let mut errors = password_errors(lang, &form, "password");
    if errors.is_empty() {
        let acceptance = Acceptance {
            token: token.clone(),
            password: form.value("password"),
        };
        let outcome = state
            .run(move |conn| {
                let now = clock.naive();
                let user = invitation::accept(conn, &acceptance, now)?;
                browser::open(conn, user.id, now)
            })
            .await;
        match outcome {
            Ok(opened) => {
                return Ok(session::with_cookies(
                    see_other("/"),
                    &session::signed_in_cookies(&state, &opened.token),
                ))
            }
            Err(e) if is_code(&e, Code::LinkExpired) => return link_expired(&req),
            Err(e) if is_code(&e, Code::EmailTaken) => {
                return message(
                    &req,
                    StatusCode::CONFLICT,
                    |t| t.link_expired_title,
                    |t| t.email_taken_meanwhile,
                )
            }
            Err(e) => match refused_fields(&e) {
                Some(_) => errors.add("password", lang.password_too_short()),
                None => return Err(e.into()),
            },
        }
    }
    match welcome_or_gone(&state, &token).await? {
        Some(welcome) => invitation_form(
            &state,
            &req,
            StatusCode::UNPROCESSABLE_ENTITY,
            errors,
            token,
            welcome,
        ),
        None => link_expired(&req),
    }
}

/// The "password forgotten" form.
#[derive(Template)]
#[template(path = "portal/forgot.html")]
struct ForgotPage {
    layout: Layout,
    errors: Errors,
    email: String,
    csrf_token: String,
}

fn forgot_form(
    state: &State,
    req: &Req,
    status: StatusCode,
    errors: Errors,
    email: String,
) -> Page {
    let lang = Lang::of_request(req);
    let (csrf_token, cookie) = session::anonymous_csrf(state)?;
    let page = ForgotPage {
        layout: Layout::anonymous(lang.t().forgot_title, lang),
        errors,
        email,
        csrf_token,
    };
    Ok(session::with_cookies(render(status, &page)?, &[cookie]))
}

/// `GET /password/forgot`.
pub async fn forgot_page(state: State, req: Req) -> Page {
    forgot_form(
        &state,
        &req,
        StatusCode::OK,
        Errors::default(),
        String::new(),
    )
}

/// `POST /password/forgot`: the API's reset request (same answer whether the address has an
/// account or not, the same throttling per address and per client).
pub async fn forgot_submit(state: State, req: Req, AnonymousForm(form): AnonymousForm) -> Page {
    let clock = state.clock;
    let lang = Lang::of_request(&req);
    let t = lang.t();
    let email = form.value("email");
    let mut errors = Errors::default();
    if form.get("email").is_none() {
        errors.add("email", t.email_missing);
        return forgot_form(
            &state,
            &req,
            StatusCode::UNPROCESSABLE_ENTITY,
            errors,
            email,
        );
    }
    let ctx = MailContext::of(&state.config);
    // The connection's own address, as the API takes it.
    let client = req
        .peer_addr()
        .map(|a| a.ip().to_string())
        .unwrap_or_default();
    let asked = ResetRequest {
        email: email.clone(),
    };
    let outcome = state
        .run(move |conn| reset::request(conn, &ctx, &asked, &client, clock.naive()))
        .await;
    match outcome {
        Ok(()) => message(
            &req,
            StatusCode::OK,
            |t| t.forgot_sent_title,
            |t| t.forgot_sent_text,
        ),
        Err(Error::TooManyAttempts { retry_after }) => {
            errors.add("email", lang.too_many_attempts(retry_after));
            forgot_form(&state, &req, StatusCode::TOO_MANY_REQUESTS, errors, email)
        }
        Err(e) => match refused_fields(&e) {
            Some(_) => {
                errors.add("email", t.email_invalid);
                forgot_form(
                    &state,
                    &req,
                    StatusCode::UNPROCESSABLE_ENTITY,
                    errors,
                    email,
                )
            }
            None => Err(e.into()),
        },
    }
}

/// The new password's form.
#[derive(Template)]
#[template(path = "portal/reset.html")]
struct ResetPage {
    layout: Layout,
    errors: Errors,
    token: String,
    csrf_token: String,
}

fn reset_form(state: &State, req: &Req, status: StatusCode, errors: Errors, token: String) -> Page {
    let lang = Lang::of_request(req);
    let (csrf_token, cookie) = session::anonymous_csrf(state)?;
    let page = ResetPage {
        layout: Layout::anonymous(lang.t().reset_title, lang),
        errors,
        token,
        csrf_token,
    };
    Ok(session::with_cookies(render(status, &page)?, &[cookie]))
}

/// Whether a reset link works (the service's `open`), or the page saying it does not.
async fn reset_link_works(state: &State, token: &str) -> Result<bool, PortalError> {
    let clock = state.clock;
    let token = token.to_string();
    match state
        .run(move |conn| reset::open(conn, &token, clock.naive()))
        .await
    {
        Ok(_) => Ok(true),
        Err(e) if is_code(&e, Code::LinkExpired) => Ok(false),
        Err(e) => Err(e.into()),
    }
}

/// `GET /password-reset/{token}`.
pub async fn reset_page(state: State, req: Req, token: web::Path<String>) -> Page {
    let token = token.into_inner();
    if !reset_link_works(&state, &token).await? {
        return link_expired(&req);
    }
    reset_form(&state, &req, StatusCode::OK, Errors::default(), token)
}

/// `POST /password-reset/{token}`: the API's confirmation (every earlier session and token of
/// the person ends, every other reset link of theirs too), then the login page.
pub async fn reset_submit(
    state: State,
    req: Req,
    token: web::Path<String>,
    AnonymousForm(form): AnonymousForm,
) -> Page {
    let clock = state.clock;
    let token = token.into_inner();
    let lang = Lang::of_request(&req);
    let mut errors = password_errors(lang, &form, "new_password");
    if errors.is_empty() {
        let confirmation = ResetConfirmation {
            token: token.clone(),
            new_password: form.value("new_password"),
        };
        let gate = state.user_gate.clone();
        let outcome = state
            .run(move |conn| reset::confirm(conn, &gate, &confirmation, clock.naive()))
            .await;
        match outcome {
            Ok(()) => {
                let gone = session::set_cookie(&state, session::cookie_name(&state), "", Some(0));
                return Ok(session::with_cookies(see_other("/login?reset=1"), &[gone]));
            }
            Err(e) if is_code(&e, Code::LinkExpired) => return link_expired(&req),
            Err(e) => match refused_fields(&e) {
                Some(_) => errors.add("new_password", lang.password_too_short()),
                None => return Err(e.into()),
            },
        }
    }
    if !reset_link_works(&state, &token).await? {
        return link_expired(&req);
    }
    reset_form(
        &state,
        &req,
        StatusCode::UNPROCESSABLE_ENTITY,
        errors,
        token,
    )
}
