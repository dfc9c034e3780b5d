//! Signing in and out, and the accessibility statement.

use actix_web::http::{header, StatusCode};
use actix_web::{web, HttpResponse};
use askama::Template;

use super::form::{Errors, Fields};
use super::session::{self, Visitor};
use super::{page, render, see_other, Layout, PortalError, Req, State};
use crate::auth::{apikey, browser, service};
use crate::error::Error;

/// The login form.
#[derive(Template)]
#[template(path = "portal/login.html")]
struct LoginPage {
    layout: Layout,
    errors: Errors,
    email: String,
    next: String,
    csrf_token: String,
}

/// Where to go after login: a path of this site only (never another site's address).
fn safe_next(next: Option<&str>) -> String {
    match next {
        Some(n) if n.starts_with('/') && !n.starts_with("//") && !n.contains('\\') => n.to_string(),
        _ => "/".to_string(),
    }
}

/// The login form, with a fresh CSRF token in a short-lived cookie (there is no session yet).
fn login_form(
    state: &State,
    status: StatusCode,
    errors: Errors,
    email: String,
    next: String,
) -> Result<HttpResponse, PortalError> {
    let csrf_token = apikey::random_secret("")?;
    let page = LoginPage {
        layout: Layout::public("Se connecter"),
        errors,
        email,
        next,
        csrf_token: csrf_token.clone(),
    };
    let mut response = render(status, &page)?;
    let cookie = session::set_cookie(
        state,
        session::login_cookie_name(state),
        &csrf_token,
        Some(3600),
    );
    if let Ok(value) = header::HeaderValue::from_str(&cookie) {
        response.headers_mut().append(header::SET_COOKIE, value);
    }
    Ok(response)
}

/// `GET /login`.
pub async fn login_page(state: State, req: Req) -> Result<HttpResponse, PortalError> {
    if Visitor::of(&state, &req).await?.session.is_some() {
        return Ok(see_other("/"));
    }
    let query = Fields::query(req.query_string());
    login_form(
        &state,
        StatusCode::OK,
        Errors::default(),
        String::new(),
        safe_next(query.get("next")),
    )
}

/// `POST /login`: the same credential check and throttling as the API's login, then a session.
pub async fn login_submit(
    state: State,
    req: Req,
    body: web::Bytes,
) -> Result<HttpResponse, PortalError> {
    let clock = state.clock;
    let form = Fields::parse(&body);
    let expected = session::cookie(&req, session::login_cookie_name(&state));
    match (form.get("csrf_token"), expected) {
        (Some(sent), Some(expected)) if session::same_secret(sent, &expected) => {}
        _ => return Err(PortalError::Csrf),
    }
    let next = safe_next(form.get("next"));
    let email = form.value("email");
    let mut errors = Errors::default();
    if form.get("email").is_none() {
        errors.add("email", "Indiquez votre adresse e-mail.");
    }
    if form.get("password").is_none() {
        errors.add("password", "Indiquez votre mot de passe.");
    }
    if !errors.is_empty() {
        return login_form(
            &state,
            StatusCode::UNPROCESSABLE_ENTITY,
            errors,
            email,
            next,
        );
    }
    let password = form.value("password");
    let address = email.clone();
    let outcome = state
        .run(move |conn| {
            let principal = service::authenticate(conn, &address, &password, clock.naive())?;
            let user_id = principal
                .user_id
                .ok_or_else(|| Error::Internal("a login without a user".into()))?;
            browser::open(conn, user_id, clock.naive())
        })
        .await;
    let opened = match outcome {
        Ok(opened) => opened,
        Err(Error::InvalidCredentials) => {
            errors.add(
                "email",
                "L'adresse e-mail ou le mot de passe est incorrect.",
            );
            return login_form(&state, StatusCode::UNAUTHORIZED, errors, email, next);
        }
        Err(Error::TooManyAttempts { retry_after }) => {
            errors.add(
                "email",
                format!(
                    "Trop d'essais pour cette adresse. Réessayez dans {} minute(s).",
                    (retry_after + 59) / 60
                ),
            );
            return login_form(&state, StatusCode::TOO_MANY_REQUESTS, errors, email, next);
        }
        Err(e) => return Err(e.into()),
    };
    let mut response = see_other(&next);
    let cookies = [
        session::set_cookie(&state, session::cookie_name(&state), &opened.token, None),
        session::set_cookie(&state, session::login_cookie_name(&state), "", Some(0)),
    ];
    for cookie in cookies {
        if let Ok(value) = header::HeaderValue::from_str(&cookie) {
            response.headers_mut().append(header::SET_COOKIE, value);
        }
    }
    Ok(response)
}

/// `POST /logout`: deletes the session row (on every instance at once) and the cookie.
pub async fn logout(state: State, req: Req, body: web::Bytes) -> Result<HttpResponse, PortalError> {
    let form = Fields::parse(&body);
    let Some(signed) = Visitor::of(&state, &req).await?.session else {
        return Ok(see_other("/login"));
    };
    session::check_csrf(&signed, &form)?;
    if let Some(token) = session::cookie(&req, session::cookie_name(&state)) {
        state.run(move |conn| browser::close(conn, &token)).await?;
    }
    let mut response = see_other("/login");
    let cookie = session::set_cookie(&state, session::cookie_name(&state), "", Some(0));
    if let Ok(value) = header::HeaderValue::from_str(&cookie) {
        response.headers_mut().append(header::SET_COOKIE, value);
    }
    Ok(response)
}

/// The accessibility statement (déclaration d'accessibilité, RGAA 4.1).
#[derive(Template)]
#[template(path = "portal/accessibility.html")]
struct AccessibilityPage {
    layout: Layout,
}

/// `GET /accessibility`, public.
pub async fn accessibility(state: State, req: Req) -> Result<HttpResponse, PortalError> {
    let layout = match Visitor::of(&state, &req).await?.session {
        Some(s) => Layout::signed("Déclaration d'accessibilité", &s, ""),
        None => Layout::public("Déclaration d'accessibilité"),
    };
    page(&AccessibilityPage { layout })
}
