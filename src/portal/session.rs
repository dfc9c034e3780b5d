//! The browser's side of a session: the cookie (its name and flags), the extractor that turns it
//! into a [`Visitor`], and the CSRF check every form that changes something goes through. The
//! rules (what a session is, when it stands) are in [`crate::auth::browser`].

use actix_web::dev::Payload;
use actix_web::http::header;
use actix_web::{web, FromRequest, HttpMessage, HttpRequest};
use futures_util::future::LocalBoxFuture;

use crate::auth::browser::{self, BrowserSession};
use crate::state::AppState;

use super::lang::Lang;
use super::PortalError;

/// The cookie's name: with the `__Host-` prefix when the service is served over HTTPS (the
/// browser then insists on `Secure`, `Path=/` and no `Domain`).
pub fn cookie_name(state: &AppState) -> &'static str {
    if secure(state) {
        "__Host-itinerance_session"
    } else {
        "itinerance_session"
    }
}

/// A form posted by a signed-in visitor: its session and its fields, the CSRF token checked
/// against the session's before the handler runs. Every page handler that changes something
/// takes it, so none reads a body or checks a token by hand.
pub struct SignedForm(pub BrowserSession, pub super::form::Fields);

impl FromRequest for SignedForm {
    type Error = actix_web::Error;
    type Future = LocalBoxFuture<'static, Result<Self, Self::Error>>;

    fn from_request(req: &HttpRequest, payload: &mut Payload) -> Self::Future {
        posted(req, payload, |state, req, body| async move {
            let (session, form) = signed_form(&state, &req, &body).await?;
            Ok(SignedForm(session, form))
        })
    }
}

/// Reads a posted body (within the configured size) and hands it, with the application state
/// and the request, to `check`, which turns it into a form extractor or refuses it.
fn posted<T, Check, Checked>(
    req: &HttpRequest,
    payload: &mut Payload,
    check: Check,
) -> LocalBoxFuture<'static, Result<T, actix_web::Error>>
where
    T: 'static,
    Check: FnOnce(web::Data<AppState>, HttpRequest, web::Bytes) -> Checked + 'static,
    Checked: std::future::Future<Output = Result<T, PortalError>> + 'static,
{
    let body = web::Bytes::from_request(req, payload);
    let state = req.app_data::<web::Data<AppState>>().cloned();
    let req = req.clone();
    Box::pin(async move {
        let body = body.await?;
        let state = state.ok_or_else(|| {
            PortalError::from(crate::error::Error::Internal(
                "application state missing".into(),
            ))
        })?;
        Ok(check(state, req, body).await?)
    })
}

/// A form posted without a session (login, the links of account mails), its CSRF token checked
/// against the short-lived cookie [`anonymous_csrf`] set when the form was shown.
pub struct AnonymousForm(pub super::form::Fields);

impl FromRequest for AnonymousForm {
    type Error = actix_web::Error;
    type Future = LocalBoxFuture<'static, Result<Self, Self::Error>>;

    fn from_request(req: &HttpRequest, payload: &mut Payload) -> Self::Future {
        posted(req, payload, |state, req, body| async move {
            let form = super::form::Fields::parse(&body);
            check_anonymous_csrf(&state, &req, &form)?;
            Ok(AnonymousForm(form))
        })
    }
}

/// Name of the cookie holding the login form's CSRF token (before any session exists).
pub fn login_cookie_name(state: &AppState) -> &'static str {
    if secure(state) {
        "__Host-itinerance_login"
    } else {
        "itinerance_login"
    }
}

/// Whether people open the service over HTTPS (`public_base_url`), so cookies are `Secure`.
fn secure(state: &AppState) -> bool {
    state.config.public_base_url.starts_with("https://")
}

/// A `Set-Cookie` value: `HttpOnly`, `SameSite=Lax`, `Path=/`, `Secure` over HTTPS. `max_age`
/// `Some(0)` deletes the cookie; `None` makes it last as long as the browser session.
pub fn set_cookie(state: &AppState, name: &str, value: &str, max_age: Option<i64>) -> String {
    let mut cookie = format!("{name}={value}; Path=/; HttpOnly; SameSite=Lax");
    if let Some(age) = max_age {
        cookie.push_str(&format!("; Max-Age={age}"));
    }
    if secure(state) {
        cookie.push_str("; Secure");
    }
    cookie
}

/// A cookie's value from the request, if it was sent.
pub fn cookie(req: &HttpRequest, name: &str) -> Option<String> {
    req.headers()
        .get_all(header::COOKIE)
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .filter_map(|pair| pair.trim().split_once('='))
        .find(|(n, _)| *n == name)
        .map(|(_, v)| v.trim().to_string())
        .filter(|v| !v.is_empty())
}

/// The person at the browser: their session if it stands.
pub struct Visitor {
    pub session: Option<BrowserSession>,
}

impl Visitor {
    /// Reads the session cookie and the session row it names.
    pub async fn of(
        state: &web::Data<AppState>,
        req: &HttpRequest,
    ) -> Result<Visitor, PortalError> {
        let clock = state.clock;
        let Some(token) = cookie(req, cookie_name(state)) else {
            return Ok(Visitor { session: None });
        };
        let session = state
            .run(move |conn| browser::resolve(conn, &token, clock.naive()))
            .await?;
        if let Some(s) = &session {
            // For the error page, should this request end in one (`super::localise_errors`).
            req.extensions_mut().insert(Lang::of_session(s));
        }
        Ok(Visitor { session })
    }
}

/// The session of a signed-in visitor (or a redirect to `/login`).
pub async fn signed_in(
    state: &web::Data<AppState>,
    req: &HttpRequest,
) -> Result<BrowserSession, PortalError> {
    let next = if req.method() == actix_web::http::Method::GET {
        req.uri().path_and_query().map(|p| p.as_str().to_string())
    } else {
        None
    };
    Visitor::of(state, req)
        .await?
        .session
        .ok_or_else(|| PortalError::LogIn {
            next: next.unwrap_or_else(|| "/".into()),
        })
}

/// Compares two secrets in time that does not depend on where they differ.
pub fn same_secret(a: &str, b: &str) -> bool {
    a.len() == b.len()
        && a.bytes()
            .zip(b.bytes())
            .fold(0u8, |acc, (x, y)| acc | (x ^ y))
            == 0
}

/// Refuses a form whose `csrf_token` is not the session's (403, before anything is read or
/// changed).
pub fn check_csrf(session: &BrowserSession, form: &super::form::Fields) -> Result<(), PortalError> {
    match form.get("csrf_token") {
        Some(sent) if same_secret(sent, &session.csrf_token) => Ok(()),
        _ => Err(PortalError::Csrf),
    }
}

/// A form posted by a signed-in person: the session, then the form's fields once its CSRF token
/// is the session's (else 403 and nothing changes). Every portal form that changes something
/// starts here.
pub async fn signed_form(
    state: &web::Data<AppState>,
    req: &HttpRequest,
    body: &[u8],
) -> Result<(BrowserSession, super::form::Fields), PortalError> {
    let session = signed_in(state, req).await?;
    let form = super::form::Fields::parse(body);
    check_csrf(&session, &form)?;
    Ok((session, form))
}

/// A fresh CSRF token for a form shown without a session (login, the links of account mails),
/// with the short-lived cookie that holds it: the form's post must carry the same value.
pub fn anonymous_csrf(state: &AppState) -> Result<(String, String), PortalError> {
    let token = crate::auth::apikey::random_secret("")?;
    let cookie = set_cookie(state, login_cookie_name(state), &token, Some(3600));
    Ok((token, cookie))
}

/// Refuses a form posted without a session whose `csrf_token` is not its cookie's (403).
pub fn check_anonymous_csrf(
    state: &AppState,
    req: &HttpRequest,
    form: &super::form::Fields,
) -> Result<(), PortalError> {
    match (
        form.get("csrf_token"),
        cookie(req, login_cookie_name(state)),
    ) {
        (Some(sent), Some(expected)) if same_secret(sent, &expected) => Ok(()),
        _ => Err(PortalError::Csrf),
    }
}

/// Adds `Set-Cookie` headers to an answer.
pub fn with_cookies(
    mut response: actix_web::HttpResponse,
    cookies: &[String],
) -> actix_web::HttpResponse {
    for cookie in cookies {
        if let Ok(value) = header::HeaderValue::from_str(cookie) {
            response.headers_mut().append(header::SET_COOKIE, value);
        }
    }
    response
}

/// The cookies that sign a browser in with a new session (and drop the pre-session token).
pub fn signed_in_cookies(state: &AppState, token: &str) -> Vec<String> {
    vec![
        set_cookie(state, cookie_name(state), token, None),
        set_cookie(state, login_cookie_name(state), "", Some(0)),
    ]
}
