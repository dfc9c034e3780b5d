//! The agency's directory of the network (`/organizations`): every organisation by name with its
//! commune and its active accounts (paged, never silently cut), adding an organisation, and on an
//! organisation's page its accounts, its invitations and the invitation of its first
//! administrator. The same services as the API (`organization::service::create_organization`,
//! `directory`, `list_users`, `account::invitation`); who may see and do it is their policy
//! (`watch_network`, `create_organization`, `invite_member`): anyone else gets the 403 page.

use actix_web::http::StatusCode;
use actix_web::web;
use askama::Template;

use super::agency::agency_member;
use super::form::{refused_fields, Errors, Fields};
use super::lang::Lang;
use super::lang_organizations::OrganizationsTexts;
use super::members::{invitation_lines, role_label, send_invitation, InvitationLine, InviteValues};
use super::pager::Pager;
use super::session::SignedForm;
use super::{render, see_other, Layout, Req, State};
use super::{Page, PathId};
use crate::access::policy;
use crate::account::invitation::{self};
use crate::auth::browser::BrowserSession;
use crate::organization::model::NewOrganization;
use crate::organization::{service as organizations, OrgKind, VenueType};
use crate::territory::{self, CommuneMatch};

/// Organisations listed on one page.
const PER_PAGE: i64 = 50;

/// The kinds the agency adds (a second agency is not a thing the network has).
const KINDS_ADDED: [OrgKind; 3] = [OrgKind::Producer, OrgKind::Venue, OrgKind::Partner];

/// Registers the pages.
pub fn routes(cfg: &mut web::ServiceConfig) {
    cfg.service(
        web::resource("/organizations")
            .route(web::get().to(directory))
            .route(web::post().to(create)),
    )
    .route("/organizations/{id}", web::get().to(organization))
    .route("/organizations/{id}/invite", web::post().to(invite));
}

/// A choice of a `<select>`.
pub struct Choice {
    pub value: &'static str,
    pub label: &'static str,
    pub chosen: bool,
}

/// An organisation as the directory shows it.
struct Line {
    id: i64,
    name: String,
    kind: String,
    commune: String,
    accounts: Option<String>,
}

/// The form of a new organisation as typed.
#[derive(Default)]
struct NewValues {
    name: String,
    kind: String,
    venue_type: String,
    commune: String,
    address: String,
}

#[derive(Template)]
#[template(path = "portal/organizations.html")]
struct DirectoryPage {
    layout: Layout,
    o: &'static OrganizationsTexts,
    errors: Errors,
    filter: Vec<Choice>,
    lines: Vec<Line>,
    pages: Pager,
    kinds: Vec<Choice>,
    venue_types: Vec<Choice>,
    values: NewValues,
    csrf_token: String,
}

fn kind_of(value: &str) -> Option<OrgKind> {
    KINDS_ADDED
        .into_iter()
        .chain([OrgKind::Agency])
        .find(|k| k.as_str() == value)
}

fn venue_type_of(value: &str) -> Option<VenueType> {
    VenueType::ALL.iter().copied().find(|t| t.as_str() == value)
}

/// What the directory shows of an organisation's kind: « Lieu d'accueil — Bibliothèque ».
fn kind_words(o: &OrganizationsTexts, kind: OrgKind, venue_type: Option<VenueType>) -> String {
    match venue_type {
        Some(t) => format!("{} — {}", o.kind_label(kind), o.venue_type_label(t)),
        None => o.kind_label(kind).to_string(),
    }
}

/// The directory page (`kind`, `page` from the query), with the form of a new organisation.
async fn directory_form(
    state: &State,
    s: &BrowserSession,
    query: &Fields,
    status: StatusCode,
    errors: Errors,
    values: NewValues,
) -> Page {
    let lang = Lang::of_session(s);
    let o = lang.organizations();
    let kind = query.get("kind").and_then(kind_of);
    let page = query
        .get("page")
        .and_then(|p| p.parse::<i64>().ok())
        .unwrap_or(1)
        .max(1);
    let p = s.principal.clone();
    let (lines, total) = state
        .run(move |conn| organizations::directory(conn, &p, kind, (page - 1) * PER_PAGE, PER_PAGE))
        .await?;
    let link = |n: i64| match kind {
        Some(k) => format!("/organizations?kind={}&page={n}", k.as_str()),
        None => format!("/organizations?page={n}"),
    };
    let pager = Pager::at(
        total.max(0) as usize,
        page as usize,
        PER_PAGE as usize,
        o.of,
        |n| link(n as i64),
    );
    let lines = lines
        .into_iter()
        .map(|l| Line {
            id: l.organization.id,
            kind: kind_words(o, l.organization.kind, l.organization.venue_type),
            name: l.organization.name,
            commune: l.commune,
            accounts: (l.active_accounts > 0).then(|| o.active_accounts(l.active_accounts)),
        })
        .collect();
    let filter = [OrgKind::Agency]
        .into_iter()
        .chain(KINDS_ADDED)
        .map(|k| Choice {
            value: k.as_str(),
            label: o.kind_label(k),
            chosen: kind == Some(k),
        })
        .collect();
    let kinds = KINDS_ADDED
        .into_iter()
        .map(|k| Choice {
            value: k.as_str(),
            label: o.kind_label(k),
            chosen: values.kind == k.as_str(),
        })
        .collect();
    let venue_types = VenueType::ALL
        .iter()
        .map(|&t| Choice {
            value: t.as_str(),
            label: o.venue_type_label(t),
            chosen: values.venue_type == t.as_str(),
        })
        .collect();
    render(
        status,
        &DirectoryPage {
            layout: Layout::signed(o.title, s, "organizations"),
            o,
            errors,
            filter,
            lines,
            pages: pager,
            kinds,
            venue_types,
            values,
            csrf_token: s.csrf_token.clone(),
        },
    )
}

/// `GET /organizations[?kind=…][&page=N]`.
pub async fn directory(state: State, req: Req) -> Page {
    let s = agency_member(&state, &req).await?;
    let query = Fields::query(req.query_string());
    directory_form(
        &state,
        &s,
        &query,
        StatusCode::OK,
        Errors::default(),
        NewValues::default(),
    )
    .await
}

/// `POST /organizations`: the API's `POST /organizations`, the commune read from its name or
/// code. Every mistake comes back on the form (422) with what was typed; nothing is created.
pub async fn create(state: State, req: Req, SignedForm(s, form): SignedForm) -> Page {
    let clock = state.clock;
    policy::create_organization(&s.principal)?;
    let o = Lang::of_session(&s).organizations();
    let values = NewValues {
        name: form.value("name"),
        kind: form.value("kind"),
        venue_type: form.value("venue_type"),
        commune: form.value("commune"),
        address: form.value("address"),
    };
    let mut errors = Errors::default();
    if values.name.is_empty() {
        errors.add("name", o.name_missing);
    } else if values.name.chars().count() > 200 {
        errors.add("name", o.name_too_long);
    }
    let kind = KINDS_ADDED.into_iter().find(|k| k.as_str() == values.kind);
    if kind.is_none() {
        errors.add("kind", o.kind_invalid);
    }
    let venue_type = match form.get("venue_type") {
        None => None,
        Some(value) => match venue_type_of(value) {
            None => {
                errors.add("venue_type", o.venue_type_invalid);
                None
            }
            Some(_) if kind.is_some() && kind != Some(OrgKind::Venue) => {
                errors.add("venue_type", o.venue_type_not_venue);
                None
            }
            t => t,
        },
    };
    if values.address.chars().count() > organizations::MAX_ADDRESS_CHARS {
        errors.add("address", o.address_too_long);
    }
    let commune = if values.commune.is_empty() {
        errors.add("commune", o.commune_missing);
        None
    } else {
        let typed = values.commune.clone();
        match state
            .run(move |conn| territory::match_commune(conn, &typed))
            .await?
        {
            CommuneMatch::One(c) => Some(c.insee_code),
            CommuneMatch::None => {
                errors.add("commune", o.commune_unknown);
                None
            }
            CommuneMatch::Several(communes) => {
                let names: Vec<String> = communes
                    .iter()
                    .map(|c| format!("{} ({}, {})", c.name, c.department, c.insee_code))
                    .collect();
                errors.add(
                    "commune",
                    format!(
                        "{} {}. {}",
                        o.commune_several,
                        names.join(", "),
                        o.commune_several_end
                    ),
                );
                None
            }
        }
    };
    if let (Some(kind), Some(commune_insee), true) = (kind, commune, errors.is_empty()) {
        let new = NewOrganization {
            name: values.name.clone(),
            kind,
            commune_insee,
            venue_type,
            address: (!values.address.is_empty()).then(|| values.address.clone()),
            latitude: None,
            longitude: None,
            school_holidays: None,
        };
        let p = s.principal.clone();
        let outcome = state
            .run(move |conn| organizations::create_organization(conn, &p, &new, clock.naive()))
            .await;
        let e = match outcome {
            Ok(created) => {
                let id = created.id;
                return Ok(see_other(&format!("/organizations/{id}?done=created")));
            }
            Err(e) => e,
        };
        let Some(fields) = refused_fields(&e) else {
            return Err(e.into());
        };
        for field in fields {
            let (field, message) = match field {
                "name" => ("name", o.name_missing),
                "commune_insee" | "latitude" => ("commune", o.commune_unknown),
                "address" => ("address", o.address_too_long),
                "venue_type" => ("venue_type", o.venue_type_not_venue),
                _ => ("name", o.refused),
            };
            errors.add(field, message);
        }
    }
    let query = Fields::query(req.query_string());
    let status = StatusCode::UNPROCESSABLE_ENTITY;
    directory_form(&state, &s, &query, status, errors, values).await
}

/// An account of the organisation as its page lists it.
struct AccountLine {
    email: String,
    role: &'static str,
    active: bool,
}

#[derive(Template)]
#[template(path = "portal/organization.html")]
struct OrganizationPage {
    layout: Layout,
    o: &'static OrganizationsTexts,
    errors: Errors,
    notice: Option<&'static str>,
    id: i64,
    name: String,
    kind: String,
    commune: String,
    address: Option<String>,
    created_on: String,
    accounts: Vec<AccountLine>,
    invitations: Vec<InvitationLine>,
    /// Whether the visitor may invite into it (an agency administrator).
    may_invite: bool,
    values: InviteValues,
    csrf_token: String,
}

/// An organisation's page, with the errors of the invitation just posted (if any).
async fn organization_form(
    state: &State,
    s: &BrowserSession,
    id: i64,
    status: StatusCode,
    errors: Errors,
    notice: Option<&'static str>,
    values: Option<InviteValues>,
) -> Page {
    let lang = Lang::of_session(s);
    let o = lang.organizations();
    let t = lang.t();
    let p = s.principal.clone();
    let may_invite = policy::invite_member(&p, id).is_ok();
    let (organization, commune, users, invitations) = state
        .run(move |conn| {
            let organization = organizations::get_organization(conn, id)?;
            let commune = territory::commune_name(conn, &organization.commune_insee)?;
            let users = organizations::list_users(conn, &p, Some(id))?;
            let invitations = if may_invite {
                invitation::list(conn, &p, Some(id))?
            } else {
                Vec::new()
            };
            Ok((organization, commune, users, invitations))
        })
        .await?;
    let now = state.clock.naive();
    let accounts: Vec<AccountLine> = users
        .into_iter()
        .map(|u| AccountLine {
            email: u.email,
            role: role_label(t, u.role),
            active: u.deactivated_at.is_none(),
        })
        .collect();
    let invitations = invitation_lines(lang, invitations, now);
    let values = values.unwrap_or_else(|| InviteValues {
        email: String::new(),
        // The first account of an organisation administers it.
        role: if accounts.iter().any(|a| a.active) {
            "member".into()
        } else {
            "admin".into()
        },
        locale: "fr".into(),
    });
    render(
        status,
        &OrganizationPage {
            layout: Layout::signed(organization.name.clone(), s, "organizations"),
            o,
            errors,
            notice,
            id,
            kind: kind_words(o, organization.kind, organization.venue_type),
            name: organization.name,
            commune,
            address: organization.address,
            created_on: lang.day(organization.created_at.date()),
            accounts,
            invitations,
            may_invite,
            values,
            csrf_token: s.csrf_token.clone(),
        },
    )
}

/// `GET /organizations/{id}`.
pub async fn organization(state: State, req: Req, id: PathId) -> Page {
    let s = agency_member(&state, &req).await?;
    let o = Lang::of_session(&s).organizations();
    let notice = Fields::done_notice(
        req.query_string(),
        &[("created", o.created), ("invited", o.invited)],
    );
    organization_form(
        &state,
        &s,
        id.into_inner(),
        StatusCode::OK,
        Errors::default(),
        notice,
        None,
    )
    .await
}

/// `POST /organizations/{id}/invite`: the API's `POST /invitations` into that organisation.
pub async fn invite(state: State, id: PathId, SignedForm(s, form): SignedForm) -> Page {
    let id = id.into_inner();
    policy::watch_network(&s.principal)?;
    match send_invitation(&state, &s, &form, id).await? {
        Ok(()) => Ok(see_other(&format!("/organizations/{id}?done=invited"))),
        Err(r) => organization_form(&state, &s, id, r.status, r.errors, None, Some(r.values)).await,
    }
}
