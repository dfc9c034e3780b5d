//! An organisation's administrator runs its accounts (`/members`): the list of members and of
//! invitations, inviting by e-mail, changing a member's role, deactivating and reactivating. The
//! same services as the API (`account::invitation`, `account::members`,
//! `organization::service::list_users`); who may do it is their policy (`invite_member`,
//! `change_member`): anyone else gets the 403 page.

use actix_web::http::StatusCode;
use askama::Template;

use super::form::{refused_fields, Errors, Fields};
use super::lang::{Lang, Texts};
use super::session::signed_in;
use super::session::SignedForm;
use super::{render, see_other, Layout, PortalError, Req, State};
use super::{Page, PathId};
use crate::account::invitation::{self, Invitation, NewInvitation};
use crate::account::link::MailContext;
use crate::account::members::{self, UserPatch};
use crate::auth::browser::BrowserSession;
use crate::error::{Code, Error};
use crate::organization::{service as organizations, Locale, Role, User};

/// A member as the list shows them.
struct MemberLine {
    id: i64,
    email: String,
    role: &'static str,
    role_label: &'static str,
    active: bool,
    /// The administrator looking at the page (nobody changes themselves).
    you: bool,
}

/// An invitation as the lists show it (an administrator's `/members`, the agency's page of an
/// organisation: the macro `invitation_list`).
pub(super) struct InvitationLine {
    pub email: String,
    pub role_label: &'static str,
    pub state: String,
}

#[derive(Template)]
#[template(path = "portal/members.html")]
struct MembersPage {
    layout: Layout,
    errors: Errors,
    notice: Option<&'static str>,
    members: Vec<MemberLine>,
    invitations: Vec<InvitationLine>,
    email: String,
    role: String,
    locale: String,
    csrf_token: String,
}

pub(super) fn role_label(t: &Texts, role: Role) -> &'static str {
    match role {
        Role::Admin => t.role_admin,
        Role::Member => t.role_member,
    }
}

/// The values of the invitation form shown again (an administrator's `/members`, or the
/// agency's page of an organisation).
#[derive(Default)]
pub(super) struct InviteValues {
    pub email: String,
    pub role: String,
    pub locale: String,
}

/// An invitation form refused: the status, the errors and the values to show it again with.
pub(super) struct InvitationRefused {
    pub status: StatusCode,
    pub errors: Errors,
    pub values: InviteValues,
}

/// The page, with the errors of the form just posted (if any). The invitation list comes first:
/// its policy (`invite_member`) is what turns a non-administrator away (403).
async fn members_form(
    state: &State,
    s: &BrowserSession,
    status: StatusCode,
    errors: Errors,
    notice: Option<&'static str>,
    values: InviteValues,
) -> Page {
    let clock = state.clock;
    let principal = s.principal.clone();
    let (invitations, users): (Vec<Invitation>, Vec<User>) = state
        .run(move |conn| {
            let invitations = invitation::list(conn, &principal, None)?;
            let users = organizations::list_users(conn, &principal, None)?;
            Ok((invitations, users))
        })
        .await?;
    let lang = Lang::of_session(s);
    let t = lang.t();
    let now = clock.naive();
    let members = users
        .into_iter()
        .map(|u| MemberLine {
            id: u.id,
            email: u.email,
            role: u.role.as_str(),
            role_label: role_label(t, u.role),
            active: u.deactivated_at.is_none(),
            you: s.principal.user_id == Some(u.id),
        })
        .collect();
    let invitations = invitation_lines(lang, invitations, now);
    render(
        status,
        &MembersPage {
            layout: Layout::signed(t.members_title, s, "members"),
            errors,
            notice,
            members,
            invitations,
            email: values.email,
            role: if values.role.is_empty() {
                "member".into()
            } else {
                values.role
            },
            locale: if values.locale.is_empty() {
                s.locale.clone()
            } else {
                values.locale
            },
            csrf_token: s.csrf_token.clone(),
        },
    )
}

/// `GET /members`.
pub async fn members_page(state: State, req: Req) -> Page {
    let s = signed_in(&state, &req).await?;
    let t = Lang::of_session(&s).t();
    let notice = Fields::done_notice(
        req.query_string(),
        &[("invited", t.invite_done), ("changed", t.members_changed)],
    );
    members_form(
        &state,
        &s,
        StatusCode::OK,
        Errors::default(),
        notice,
        InviteValues::default(),
    )
    .await
}

/// Sends the invitation an invitation form posted, into `organization_id`, through the API's
/// service (`account::invitation::invite`: the mail, the 7-day link). Bad input, or an address
/// that already has an account, comes back to be shown on the form; nothing is sent then.
pub(super) async fn send_invitation(
    state: &State,
    s: &BrowserSession,
    form: &Fields,
    organization_id: i64,
) -> Result<Result<(), InvitationRefused>, PortalError> {
    let clock = state.clock;
    let t = Lang::of_session(s).t();
    let values = InviteValues {
        email: form.value("email"),
        role: form.value("role"),
        locale: form.value("locale"),
    };
    let mut errors = Errors::default();
    let Some((role, locale)) = read_invitation(form, t, &mut errors) else {
        let status = StatusCode::UNPROCESSABLE_ENTITY;
        return Ok(Err(InvitationRefused {
            status,
            errors,
            values,
        }));
    };
    let new = NewInvitation {
        email: values.email.clone(),
        organization_id,
        role,
        locale: Some(locale),
    };
    let ctx = MailContext::of(&state.config);
    let principal = s.principal.clone();
    let outcome = state
        .run(move |conn| invitation::invite(conn, &ctx, &principal, &new, clock.naive()))
        .await;
    match outcome {
        Ok(_) => Ok(Ok(())),
        Err(e) => {
            let status = invitation_refused(e, t, &mut errors)?;
            Ok(Err(InvitationRefused {
                status,
                errors,
                values,
            }))
        }
    }
}

/// Reads the invitation form (address, role, language of the mail) as a person filled it,
/// adding its mistakes to `errors`; the role and language when both are readable. Shared by an
/// administrator's members page and the agency's page of an organisation.
fn read_invitation(form: &Fields, t: &Texts, errors: &mut Errors) -> Option<(Role, Locale)> {
    if form.get("email").is_none() {
        errors.add("email", t.email_invalid);
    }
    let role = parse_role(form.get("role"));
    if role.is_none() {
        errors.add("role", t.role_invalid);
    }
    let locale = match form.get("locale") {
        Some("fr") => Some(Locale::Fr),
        Some("en") => Some(Locale::En),
        _ => {
            errors.add("locale", t.locale_invalid);
            None
        }
    };
    match (role, locale, errors.is_empty()) {
        (Some(role), Some(locale), true) => Some((role, locale)),
        _ => None,
    }
}

/// How the page answers the invitation service's refusal: an address that already has an
/// account (409) or an unreadable one (422), said on the e-mail field; anything else is the
/// error page's.
fn invitation_refused(e: Error, t: &Texts, errors: &mut Errors) -> Result<StatusCode, Error> {
    match e {
        Error::Conflict {
            code: Code::EmailTaken,
            ..
        } => {
            errors.add("email", t.invite_email_taken);
            Ok(StatusCode::CONFLICT)
        }
        e if refused_fields(&e).is_some() => {
            errors.add("email", t.email_invalid);
            Ok(StatusCode::UNPROCESSABLE_ENTITY)
        }
        e => Err(e),
    }
}

/// The invitations as the lists show them, in `lang`.
pub(super) fn invitation_lines(
    lang: Lang,
    invitations: Vec<Invitation>,
    now: chrono::NaiveDateTime,
) -> Vec<InvitationLine> {
    invitations
        .into_iter()
        .map(|i| InvitationLine {
            state: invitation_state(lang, &i, now),
            role_label: role_label(lang.t(), i.role),
            email: i.email,
        })
        .collect()
}

/// Where an invitation stands, in words: accepted, expired, or pending until a day.
fn invitation_state(lang: Lang, i: &Invitation, now: chrono::NaiveDateTime) -> String {
    let t = lang.t();
    if i.accepted_at.is_some() {
        t.invitation_accepted.to_string()
    } else if i.expires_at <= now {
        t.invitation_expired.to_string()
    } else {
        format!("{} {}", t.invitation_pending, lang.day(i.expires_at.date()))
    }
}

fn parse_role(value: Option<&str>) -> Option<Role> {
    match value {
        Some("admin") => Some(Role::Admin),
        Some("member") => Some(Role::Member),
        _ => None,
    }
}

/// `POST /members/invite`: the API's invitation, into the administrator's own organisation.
pub async fn invite_submit(state: State, SignedForm(s, form): SignedForm) -> Page {
    let organization_id = s.principal.organization_id;
    match send_invitation(&state, &s, &form, organization_id).await? {
        Ok(()) => Ok(see_other("/members?done=invited")),
        Err(r) => members_form(&state, &s, r.status, r.errors, None, r.values).await,
    }
}

/// `POST /members/{id}`: the API's `PATCH /users/{id}` (a new `role`, or `active` false/true).
pub async fn member_submit(state: State, id: PathId, SignedForm(s, form): SignedForm) -> Page {
    let clock = state.clock;
    let id = id.into_inner();
    let t = Lang::of_session(&s).t();
    let role = match form.get("role") {
        None => None,
        value => match parse_role(value) {
            Some(r) => Some(r),
            None => {
                let mut errors = Errors::default();
                errors.add(&format!("role-{id}"), t.role_invalid);
                return members_form(
                    &state,
                    &s,
                    StatusCode::UNPROCESSABLE_ENTITY,
                    errors,
                    None,
                    InviteValues::default(),
                )
                .await;
            }
        },
    };
    let active = match form.get("active") {
        Some("true") => Some(true),
        Some("false") => Some(false),
        _ => None,
    };
    let patch = UserPatch { role, active };
    let principal = s.principal.clone();
    let gate = state.user_gate.clone();
    state
        .run(move |conn| members::update_member(conn, &gate, &principal, id, &patch, clock.naive()))
        .await?;
    Ok(see_other("/members?done=changed"))
}
