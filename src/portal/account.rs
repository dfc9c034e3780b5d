//! Signing in and out, and the accessibility statement.

use actix_web::http::{header, StatusCode};
use actix_web::web;
use askama::Template;

use super::form::{refused_fields, Errors, Fields};
use super::lang::Lang;
use super::session::{self, signed_in, Visitor};
use super::session::{AnonymousForm, SignedForm};
use super::Page;
use super::{page, render, see_other, Layout, Req, State};
use crate::auth::service::{MePatch, PasswordChange};
use crate::auth::{browser, service};
use crate::error::Error;
use crate::organization::Locale;

/// The login form.
#[derive(Template)]
#[template(path = "portal/login.html")]
struct LoginPage {
    layout: Layout,
    errors: Errors,
    notice: Option<&'static str>,
    email: String,
    next: String,
    csrf_token: String,
}

/// Where to go after login: a path of this site only (never another site's address).
pub(super) fn safe_next(next: Option<&str>) -> String {
    match next {
        Some(n) if n.starts_with('/') && !n.starts_with("//") && !n.contains('\\') => n.to_string(),
        _ => "/".to_string(),
    }
}

/// The login form, in the browser's language, with a fresh CSRF token in a short-lived cookie
/// (there is no session yet).
fn login_form(
    state: &State,
    req: &Req,
    status: StatusCode,
    errors: Errors,
    email: String,
    next: String,
) -> Page {
    let lang = Lang::of_request(req);
    let t = lang.t();
    let (csrf_token, cookie) = session::anonymous_csrf(state)?;
    let notice = Fields::query(req.query_string())
        .get("reset")
        .map(|_| t.notice_password_reset);
    let page = LoginPage {
        layout: Layout::anonymous(t.login_title, lang),
        errors,
        notice,
        email,
        next,
        csrf_token,
    };
    Ok(session::with_cookies(render(status, &page)?, &[cookie]))
}

/// `GET /login`.
pub async fn login_page(state: State, req: Req) -> Page {
    if Visitor::of(&state, &req).await?.session.is_some() {
        return Ok(see_other("/"));
    }
    let query = Fields::query(req.query_string());
    login_form(
        &state,
        &req,
        StatusCode::OK,
        Errors::default(),
        String::new(),
        safe_next(query.get("next")),
    )
}

/// `POST /login`: the same credential check and throttling as the API's login, then a session.
pub async fn login_submit(state: State, req: Req, AnonymousForm(form): AnonymousForm) -> Page {
    let clock = state.clock;
    let t = Lang::of_request(&req).t();
    let next = safe_next(form.get("next"));
    let email = form.value("email");
    let mut errors = Errors::default();
    if form.get("email").is_none() {
        errors.add("email", t.email_missing);
    }
    if form.get("password").is_none() {
        errors.add("password", t.password_missing);
    }
    let mut status = StatusCode::UNPROCESSABLE_ENTITY;
    if errors.is_empty() {
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
        match outcome {
            Ok(opened) => {
                return Ok(session::with_cookies(
                    see_other(&next),
                    &session::signed_in_cookies(&state, &opened.token),
                ))
            }
            Err(Error::InvalidCredentials) => {
                errors.add("email", t.login_wrong);
                status = StatusCode::UNAUTHORIZED;
            }
            Err(Error::TooManyAttempts { retry_after }) => {
                let lang = Lang::of_request(&req);
                errors.add("email", lang.too_many_attempts(retry_after));
                status = StatusCode::TOO_MANY_REQUESTS;
            }
            Err(e) => return Err(e.into()),
        }
    }
    login_form(&state, &req, status, errors, email, next)
}

/// `POST /logout`: deletes the session row (on every instance at once) and the cookie.
pub async fn logout(state: State, req: Req, body: web::Bytes) -> Page {
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
pub async fn accessibility(state: State, req: Req) -> Page {
    let layout = match Visitor::of(&state, &req).await?.session {
        Some(s) => Layout::signed("Déclaration d'accessibilité", &s, ""),
        None => Layout::public("Déclaration d'accessibilité"),
    };
    page(&AccessibilityPage { layout })
}

/// My account: my password and my language.
#[derive(Template)]
#[template(path = "portal/account.html")]
struct AccountPage {
    layout: Layout,
    errors: Errors,
    notice: Option<&'static str>,
    email: String,
    /// The language ticked: the account's, or the one just posted.
    locale: String,
    csrf_token: String,
}

/// The account page, with the errors of the form just posted (if any).
async fn account_form(
    state: &State,
    s: &browser::BrowserSession,
    status: StatusCode,
    errors: Errors,
    notice: Option<&'static str>,
    locale: Option<String>,
) -> Page {
    let principal = s.principal.clone();
    let me = state.run(move |conn| service::me(conn, &principal)).await?;
    let user = me
        .user
        .ok_or_else(|| Error::Internal("a browser session without a user".into()))?;
    let t = Lang::of_session(s).t();
    render(
        status,
        &AccountPage {
            layout: Layout::signed(t.account_title, s, "account"),
            errors,
            notice,
            email: user.email,
            locale: locale.unwrap_or_else(|| user.locale.as_str().to_string()),
            csrf_token: s.csrf_token.clone(),
        },
    )
}

/// `GET /account`.
pub async fn account_page(state: State, req: Req) -> Page {
    let s = signed_in(&state, &req).await?;
    let t = Lang::of_session(&s).t();
    let notice = Fields::done_notice(
        req.query_string(),
        &[
            ("password", t.account_password_done),
            ("locale", t.account_locale_done),
        ],
    );
    account_form(&state, &s, StatusCode::OK, Errors::default(), notice, None).await
}

/// `POST /account/password`: the API's password change (current password required, counted as
/// a login attempt). Every earlier session and token of the user ends; this browser gets a new
/// session opened at the same instant, so it stays signed in.
pub async fn password_submit(state: State, req: Req, SignedForm(s, form): SignedForm) -> Page {
    let clock = state.clock;
    let lang = Lang::of_session(&s);
    let t = lang.t();
    let mut errors = Errors::default();
    if form.get("current_password").is_none() {
        errors.add("current_password", t.password_missing);
    }
    if form.get("new_password").is_none() {
        errors.add("new_password", lang.password_too_short());
    } else if form.get("password_confirmation") != form.get("new_password") {
        errors.add("password_confirmation", t.confirmation_differs);
    }
    let mut status = StatusCode::UNPROCESSABLE_ENTITY;
    if errors.is_empty() {
        let change = PasswordChange {
            current_password: form.value("current_password"),
            new_password: form.value("new_password"),
        };
        let principal = s.principal.clone();
        let gate = state.user_gate.clone();
        let old = session::cookie(&req, session::cookie_name(&state));
        let outcome = state
            .run(move |conn| {
                let now = clock.naive();
                service::change_password(conn, &gate, &principal, &change, now)?;
                if let Some(old) = old {
                    browser::close(conn, &old)?;
                }
                let user_id = principal
                    .user_id
                    .ok_or_else(|| Error::Internal("a browser session without a user".into()))?;
                browser::open(conn, user_id, now)
            })
            .await;
        match outcome {
            Ok(opened) => {
                let cookie = &opened.token;
                let name = session::cookie_name(&state);
                return Ok(session::with_cookies(
                    see_other("/account?done=password"),
                    &[session::set_cookie(&state, name, cookie, None)],
                ));
            }
            Err(Error::TooManyAttempts { retry_after }) => {
                errors.add("current_password", lang.too_many_attempts(retry_after));
                status = StatusCode::TOO_MANY_REQUESTS;
            }
            Err(e) => {
                let Some(fields) = refused_fields(&e) else {
                    return Err(e.into());
                };
                if fields.contains(&"current_password") {
                    errors.add("current_password", t.current_password_wrong);
                }
                if fields.contains(&"new_password") {
                    errors.add("new_password", lang.password_too_short());
                }
            }
        }
    }
    account_form(&state, &s, status, errors, None, None).await
}

/// `POST /account/locale`: the API's `PATCH /me` with the language only.
pub async fn locale_submit(state: State, SignedForm(s, form): SignedForm) -> Page {
    let locale = match form.get("locale") {
        Some("fr") => Locale::Fr,
        Some("en") => Locale::En,
        other => {
            let mut errors = Errors::default();
            errors.add("locale-fr", Lang::of_session(&s).t().locale_invalid);
            let shown = other.unwrap_or_default().to_string();
            return account_form(
                &state,
                &s,
                StatusCode::UNPROCESSABLE_ENTITY,
                errors,
                None,
                Some(shown),
            )
            .await;
        }
    };
    let patch = MePatch {
        locale: Some(locale),
        muted_notifications: None,
    };
    let principal = s.principal.clone();
    state
        .run(move |conn| service::update_me(conn, &principal, &patch))
        .await?;
    Ok(see_other("/account?done=locale"))
}
