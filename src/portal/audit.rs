//! The agency's audit log (`/audit`): who changed what, newest first, 50 a page, filtered by the
//! kind of object, the organisation that acted and the days. The same service as the API
//! (`audit::list`, read-only) under the same policy (`read_audit`, `read_audit_entry`): anyone
//! else gets the 403 page.

use actix_web::web;
use askama::Template;

use super::form::{Errors, Fields};
use super::lang::Lang;
use super::lang_agency::AgencyTexts;
use super::session::signed_in;
use super::Page;
use super::{encode, render, Layout, Req, State};
use crate::access::policy;
use crate::audit::{self, AuditQuery};
use crate::error::Error;
use crate::organization::service as orgs;

/// Entries a page shows.
const PER_PAGE: i64 = 50;
/// Organisations offered in the filter.
const ORGANIZATIONS_LISTED: i64 = 500;

/// Registers the page.
pub fn routes(cfg: &mut web::ServiceConfig) {
    cfg.route("/audit", web::get().to(audit_page));
}

/// One entry as the page shows it.
struct EntryLine {
    at: String,
    who: String,
    action: String,
    object: String,
    details: String,
}

/// An option of a filter.
struct Choice {
    value: String,
    label: String,
}

#[derive(Template)]
#[template(path = "portal/audit.html")]
struct AuditPage {
    layout: Layout,
    a: &'static AgencyTexts,
    errors: Errors,
    kinds: Vec<Choice>,
    organizations: Vec<Choice>,
    kind: String,
    who: String,
    from: String,
    to: String,
    entries: Vec<EntryLine>,
    /// The next (older) page, and the first one when this is not it.
    older: Option<String>,
    newest: Option<String>,
}

/// `GET /audit?kind=…&who=…&from=…&to=…&before=…`: the log, newest first, 50 entries a page
/// (the next page starts before the last id shown). Dates that are not dates, or reversed,
/// bring the form back with its errors (422).
pub async fn audit_page(state: State, req: Req) -> Page {
    let s = signed_in(&state, &req).await?;
    policy::read_audit(&s.principal)?;
    let lang = Lang::of_session(&s);
    let a = lang.agency();
    let form = Fields::query(req.query_string());
    let mut errors = Errors::default();
    let date = |errors: &mut Errors, name: &str, label: &str| match form.get(name) {
        None => None,
        Some(_) => errors.date(lang, &form, name, label),
    };
    let from = date(&mut errors, "from", a.audit_from_name);
    let to = date(&mut errors, "to", a.audit_to_name);
    if let (Some(f), Some(t)) = (from, to) {
        if t < f {
            errors.add("to", a.audit_bad_period);
        }
    }
    let kind = form.get("kind").map(str::to_string);
    if kind.as_deref().is_some_and(|k| {
        !crate::audit::AuditObject::ALL
            .iter()
            .any(|o| o.as_str() == k)
    }) {
        errors.add("kind", a.audit_bad_kind);
    }
    let who = form.get("who").and_then(|w| w.parse::<i64>().ok());
    if form.get("who").is_some() && who.is_none() {
        errors.add("who", a.audit_bad_who);
    }
    let before = form.get("before").and_then(|b| b.parse::<i64>().ok());
    let query = AuditQuery {
        object_type: kind.clone(),
        object_id: None,
        actor_organization_id: who,
        from,
        to,
        before_id: before,
        limit: Some(PER_PAGE),
    };
    let ok = errors.is_empty();
    let p = s.principal.clone();
    let (entries, organizations, names) = state
        .run(move |conn| {
            let entries = if ok {
                audit::list(conn, &query, &|object_type| {
                    policy::read_audit_entry(&p, object_type, |_| Ok(()))
                })?
            } else {
                Vec::new()
            };
            let organizations = orgs::list_organizations(conn, None, None, ORGANIZATIONS_LISTED)?;
            let mut ids: Vec<i64> = entries
                .iter()
                .filter_map(|e| e.actor_organization_id)
                .collect();
            ids.sort_unstable();
            ids.dedup();
            let names = orgs::whereabouts(conn, &ids)?;
            Ok::<_, Error>((entries, organizations, names))
        })
        .await?;
    let name_of = |id: i64| {
        organizations
            .items
            .iter()
            .find(|o| o.id == id)
            .map(|o| o.name.clone())
            .or_else(|| names.get(&id).map(|w| w.name.clone()))
            .unwrap_or_else(|| format!("n° {id}"))
    };
    let lines: Vec<EntryLine> = entries
        .iter()
        .map(|e| EntryLine {
            at: format!(
                "{} {}",
                crate::page::date(e.created_at.date()),
                e.created_at.format("%H:%M UTC")
            ),
            who: match (e.actor_organization_id, e.actor_user_id, e.actor_api_key_id) {
                (None, _, _) => a.audit_command_line.to_string(),
                (Some(org), _, Some(key)) => format!("{} ({} {key})", name_of(org), a.audit_key),
                (Some(org), Some(user), None) => {
                    format!("{} ({} {user})", name_of(org), a.audit_user)
                }
                (Some(org), None, None) => name_of(org),
            },
            action: a.audit_action(&e.action),
            object: format!("{} n° {}", a.audit_kind(&e.object_type), e.object_id),
            details: if e.redacted {
                a.audit_redacted.to_string()
            } else {
                let text = e.details.to_string();
                match text.char_indices().nth(200) {
                    Some((cut, _)) => format!("{}…", &text[..cut]),
                    None => text,
                }
            },
        })
        .collect();
    let link = |before: Option<i64>| {
        let mut url = format!(
            "/audit?kind={}&who={}&from={}&to={}",
            encode(&form.value("kind")),
            encode(&form.value("who")),
            encode(&form.value("from")),
            encode(&form.value("to"))
        );
        if let Some(b) = before {
            url.push_str(&format!("&before={b}"));
        }
        url
    };
    let older = (lines.len() as i64 == PER_PAGE)
        .then(|| entries.last().map(|e| link(Some(e.id))))
        .flatten();
    let newest = before.map(|_| link(None));
    let mut kinds = vec![Choice {
        value: String::new(),
        label: a.audit_all.to_string(),
    }];
    kinds.extend(crate::audit::AuditObject::ALL.iter().map(|k| Choice {
        value: k.as_str().to_string(),
        label: a.audit_kind(k.as_str()),
    }));
    let mut choices = vec![Choice {
        value: String::new(),
        label: a.audit_all.to_string(),
    }];
    let mut listed: Vec<Choice> = organizations
        .items
        .iter()
        .map(|o| Choice {
            value: o.id.to_string(),
            label: o.name.clone(),
        })
        .collect();
    listed.sort_by(|x, y| x.label.cmp(&y.label));
    choices.extend(listed);
    let status = errors.status();
    render(
        status,
        &AuditPage {
            layout: Layout::signed(a.audit_title, &s, "audit"),
            a,
            errors,
            kinds,
            organizations: choices,
            kind: form.value("kind"),
            who: form.value("who"),
            from: form.value("from"),
            to: form.value("to"),
            entries: lines,
            older,
            newest,
        },
    )
}
