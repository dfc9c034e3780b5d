//! A producer's catalogue in the portal (issue 24): a new resource, and one resource's description,
//! tariff, contents (components) and copies on one editing page. Every form posts to the same
//! services as the API (`catalogue::service` create/update resource, component and copy,
//! `billing::service::put_tariff`); the page types what a person typed (euros, decimals with a
//! comma), the services keep the rules, and a refusal brings the page back with the field named.

use actix_web::http::StatusCode;
use askama::Template;

use super::form::{refused_fields, Errors, Fields};
use super::lang::Lang;
use super::lang_catalogue::CatalogueTexts;
use super::resources::{choices, Choice};
use super::session::signed_in;
use super::session::SignedForm;
use super::{render, see_other, words, Layout, PortalError, Req, State};
use super::{Page, PathId};
use crate::auth::browser::BrowserSession;
use crate::billing::model::Tariff;
use crate::billing::service as billing;
use crate::catalogue::model::{
    Audience, Component, Copy, NewComponent, NewCopy, NewResource, Resource, ResourceKind,
    ResourcePatch, Theme,
};
use crate::catalogue::service as catalogue;
use crate::error::{Code, Error};
use crate::page::{cents, parse_decimal, parse_euros};

/// The description form's fields, as shown (typed, or the resource's).
pub struct Described {
    pub kinds: Vec<Choice>,
    pub title: String,
    pub description: String,
    pub themes: Vec<Choice>,
    pub audiences: Vec<Choice>,
    pub floor_area: String,
    pub weight: String,
    pub volume: String,
    pub crates: String,
    pub setup_days: String,
    pub turnaround_days: String,
    pub production_cost: String,
}

/// One copy in the list.
pub struct CopyLine {
    pub id: i64,
    pub tag: String,
    pub status: &'static str,
    pub depot: String,
}

#[derive(Template)]
#[template(path = "portal/resource_edit.html")]
struct EditPage {
    layout: Layout,
    c: &'static CatalogueTexts,
    csrf_token: String,
    errors: Errors,
    notice: Option<&'static str>,
    /// `None` for a new resource.
    id: Option<i64>,
    described: Described,
    tariff: [String; 3],
    components: Vec<(String, String, String)>,
    copies: Vec<CopyLine>,
    new_component: [String; 3],
    new_copy: [String; 2],
}

/// Which form of the page was posted (its fields are shown as typed).
#[derive(Clone, Copy, PartialEq, Eq)]
enum Section {
    Description,
    Tariff,
    Component,
    Copy,
}

fn described(lang: Lang, r: Option<&Resource>, typed: Option<&Fields>) -> Described {
    let field = |name: &str, current: String| match typed {
        Some(f) => f.value(name),
        None => current,
    };
    let measure = |x: Option<f64>| {
        x.map(|v| crate::page::decimal(v, if v.fract() == 0.0 { 0 } else { 2 }))
            .unwrap_or_default()
    };
    let (kind, themes, audiences) = match (typed, r) {
        (Some(f), _) => (
            f.value("kind"),
            f.all("themes").iter().map(|s| s.to_string()).collect(),
            f.all("audiences").iter().map(|s| s.to_string()).collect(),
        ),
        (None, Some(r)) => (
            r.kind.as_str().to_string(),
            r.themes.iter().map(|t| t.as_str().to_string()).collect(),
            r.audiences.iter().map(|a| a.as_str().to_string()).collect(),
        ),
        (None, None) => (String::new(), Vec::new(), Vec::new()),
    };
    Described {
        kinds: choices(
            ResourceKind::ALL,
            ResourceKind::as_str,
            |k| words::kind(lang, k),
            std::slice::from_ref(&kind),
        ),
        title: field("title", r.map(|r| r.title.clone()).unwrap_or_default()),
        description: field(
            "description",
            r.map(|r| r.description.clone()).unwrap_or_default(),
        ),
        themes: choices(
            Theme::ALL,
            Theme::as_str,
            |t| words::theme(lang, t),
            &themes,
        ),
        audiences: choices(
            Audience::ALL,
            Audience::as_str,
            |a| words::audience(lang, a),
            &audiences,
        ),
        floor_area: field("floor_area_m2", measure(r.and_then(|r| r.floor_area_m2))),
        weight: field("weight_kg", measure(r.and_then(|r| r.weight_kg))),
        volume: field("volume_m3", measure(r.and_then(|r| r.volume_m3))),
        crates: field(
            "crates",
            r.and_then(|r| r.crates)
                .map(|c| c.to_string())
                .unwrap_or_default(),
        ),
        setup_days: field(
            "setup_days",
            r.map(|r| r.setup_days.to_string())
                .unwrap_or_else(|| "0".into()),
        ),
        turnaround_days: field(
            "turnaround_days",
            r.map(|r| r.turnaround_days.to_string())
                .unwrap_or_else(|| "0".into()),
        ),
        production_cost: field(
            "production_cost",
            r.and_then(|r| r.production_cost_cents)
                .map(cents)
                .unwrap_or_default(),
        ),
    }
}

/// The description as typed, as the body of a new resource, with the page's own type errors
/// (numbers, euros) added to `errors`: the fields of both a new resource and a change.
fn typed_description(c: &CatalogueTexts, form: &Fields, errors: &mut Errors) -> NewResource {
    let mut decimal = |name: &str| {
        form.get(name).and_then(|t| {
            let parsed = parse_decimal(t).filter(|x| *x >= 0.0);
            if parsed.is_none() {
                errors.add(name, c.rule(name));
            }
            parsed
        })
    };
    let (floor_area_m2, weight_kg, volume_m3) = (
        decimal("floor_area_m2"),
        decimal("weight_kg"),
        decimal("volume_m3"),
    );
    let mut whole = |name: &str| {
        form.get(name).and_then(|t| {
            let parsed = t.parse::<i32>().ok();
            if parsed.is_none() {
                errors.add(name, c.rule(name));
            }
            parsed
        })
    };
    let (crates, setup_days, turnaround_days) = (
        whole("crates"),
        whole("setup_days"),
        whole("turnaround_days"),
    );
    let production_cost_cents = form.get("production_cost").and_then(|t| {
        let parsed = parse_euros(t);
        if parsed.is_none() {
            errors.add("production_cost", c.rule_euros);
        }
        parsed
    });
    NewResource {
        producer_id: None,
        kind: form.value("kind"),
        title: form.value("title"),
        description: form.value("description"),
        themes: form.all("themes").iter().map(|s| s.to_string()).collect(),
        audiences: form
            .all("audiences")
            .iter()
            .map(|s| s.to_string())
            .collect(),
        floor_area_m2,
        weight_kg,
        volume_m3,
        crates,
        setup_days,
        turnaround_days,
        production_cost_cents,
    }
}

/// The fields a service refused, each with its rule in the reader's words; `None` when the error
/// is not about fields (then it is the page's to answer).
fn refusals(c: &CatalogueTexts, e: &Error, errors: &mut Errors) -> bool {
    match e {
        Error::Conflict {
            code: Code::AssetTagTaken,
            ..
        } => {
            errors.add("asset_tag", c.rule_copy_tag_taken);
            true
        }
        _ => match refused_fields(e) {
            Some(fields) => {
                for f in fields {
                    let base = f.split('[').next().unwrap_or(f);
                    let (id, rule) = match base {
                        "production_cost_cents" => ("production_cost", c.rule_euros),
                        "per_loan_cents" | "per_week_cents" | "deposit_cents" => {
                            (base.trim_end_matches("_cents"), c.rule_euros)
                        }
                        "unit_cost_cents" => ("unit_cost", c.rule_euros),
                        other => (other, c.rule(other)),
                    };
                    if errors.of(id).is_none() {
                        errors.add(id, rule);
                    }
                }
                true
            }
            None => false,
        },
    }
}

/// `GET /resources/new`: the form of a new resource (producers).
pub async fn new_form(state: State, req: Req) -> Page {
    let s = signed_in(&state, &req).await?;
    crate::access::policy::read_producer_inbox(&s.principal).map_err(PortalError::from)?;
    new_page(&s, None, Errors::default())
}

fn new_page(s: &BrowserSession, typed: Option<&Fields>, errors: Errors) -> Page {
    let lang = Lang::of_session(s);
    let c = lang.catalogue();
    render(
        errors.status(),
        &EditPage {
            layout: Layout::signed(c.new_title, s, "fleet"),
            c,
            csrf_token: s.csrf_token.clone(),
            notice: None,
            id: None,
            described: described(lang, None, typed),
            tariff: Default::default(),
            components: Vec::new(),
            copies: Vec::new(),
            new_component: Default::default(),
            new_copy: Default::default(),
            errors,
        },
    )
}

/// `POST /resources/new`: publishes the resource (`catalogue::service::create_resource`), then
/// its editing page for the tariff, contents and copies.
pub async fn create(state: State, SignedForm(s, form): SignedForm) -> Page {
    let clock = state.clock;
    crate::access::policy::read_producer_inbox(&s.principal).map_err(PortalError::from)?;
    let c = Lang::of_session(&s).catalogue();
    let mut errors = Errors::default();
    let new = typed_description(c, &form, &mut errors);
    if !errors.is_empty() {
        return new_page(&s, Some(&form), errors);
    }
    let p = s.principal.clone();
    match state
        .run(move |conn| catalogue::create_resource(conn, &p, &new, clock.naive()))
        .await
    {
        Ok(r) => Ok(see_other(&format!("/resources/{}/edit?created=1", r.id))),
        Err(e) if refusals(c, &e, &mut errors) => new_page(&s, Some(&form), errors),
        Err(e) => Err(e.into()),
    }
}

/// The editing page of a resource the visitor writes (its producer, the agency; others: 404),
/// with the posted section as typed.
async fn edit_page(
    state: &State,
    s: &BrowserSession,
    id: i64,
    posted: Option<(Section, &Fields)>,
    errors: Errors,
    notice: Option<&'static str>,
) -> Page {
    let lang = Lang::of_session(s);
    let c = lang.catalogue();
    let p = s.principal.clone();
    type Read = (Resource, Tariff, Vec<Component>, Vec<(Copy, String)>);
    let (resource, tariff, components, copies): Read = state
        .run(move |conn| {
            let r = catalogue::get_resource(conn, id)?;
            if crate::access::policy::write_catalogue(&p, r.producer_id).is_err() {
                return Err(Error::NotFound(format!("resource {id}")));
            }
            let tariff = billing::tariff(conn, id)?;
            let components = catalogue::list_components(conn, id)?;
            let mut copies = Vec::new();
            for copy in catalogue::list_copies(conn, id)? {
                let depot = crate::territory::commune_name(conn, &copy.home_commune_insee)?;
                copies.push((copy, depot));
            }
            Ok((r, tariff, components, copies))
        })
        .await?;
    let typed = |section: Section| posted.filter(|(s, _)| *s == section).map(|(_, f)| f);
    let tariff = match typed(Section::Tariff) {
        Some(f) => [f.value("per_loan"), f.value("per_week"), f.value("deposit")],
        None => [
            cents(tariff.per_loan_cents),
            cents(tariff.per_week_cents),
            cents(tariff.deposit_cents),
        ],
    };
    let new_component = typed(Section::Component)
        .map(|f| [f.value("name"), f.value("quantity"), f.value("unit_cost")])
        .unwrap_or_else(|| [String::new(), "1".into(), String::new()]);
    let new_copy = typed(Section::Copy)
        .map(|f| [f.value("asset_tag"), f.value("home_commune_insee")])
        .unwrap_or_default();
    render(
        if errors.is_empty() {
            StatusCode::OK
        } else if errors.of("asset_tag") == Some(c.rule_copy_tag_taken) {
            StatusCode::CONFLICT
        } else {
            StatusCode::UNPROCESSABLE_ENTITY
        },
        &EditPage {
            layout: Layout::signed(format!("{} — {}", c.edit_title, resource.title), s, "fleet"),
            c,
            csrf_token: s.csrf_token.clone(),
            notice,
            id: Some(id),
            described: described(lang, Some(&resource), typed(Section::Description)),
            tariff,
            components: components
                .iter()
                .map(|k| {
                    (
                        k.name.clone(),
                        k.quantity.to_string(),
                        crate::page::euros(k.unit_cost_cents),
                    )
                })
                .collect(),
            copies: copies
                .iter()
                .map(|(k, depot)| CopyLine {
                    id: k.id,
                    tag: k.asset_tag.clone(),
                    status: words::copy_status(lang, k.status),
                    depot: depot.clone(),
                })
                .collect(),
            new_component,
            new_copy,
            errors,
        },
    )
}

/// `GET /resources/{id}/edit`: a resource's description, tariff, contents and copies.
pub async fn edit(state: State, req: Req, id: PathId) -> Page {
    let s = signed_in(&state, &req).await?;
    let query = Fields::query(req.query_string());
    let c = Lang::of_session(&s).catalogue();
    let notice = if query.get("created").is_some() {
        Some(c.created)
    } else if query.get("saved").is_some() {
        Some(c.saved)
    } else {
        None
    };
    edit_page(&state, &s, id.into_inner(), None, Errors::default(), notice).await
}

/// `POST /resources/{id}/edit`, `/tariff`, `/components`, `/copies`: one section of the editing
/// page through its service; back to the page saved, or with the refused fields named.
async fn save(state: State, id: PathId, SignedForm(s, form): SignedForm, section: Section) -> Page {
    let clock = state.clock;
    let id = id.into_inner();
    let c = Lang::of_session(&s).catalogue();
    let mut errors = Errors::default();
    let p = s.principal.clone();
    let now = clock.naive();
    let anchor;
    let outcome = match section {
        Section::Description => {
            anchor = "fiche";
            let patch = ResourcePatch::from(typed_description(c, &form, &mut errors));
            if errors.is_empty() {
                state
                    .run(move |conn| catalogue::update_resource(conn, &p, id, &patch, now))
                    .await
                    .map(|_| ())
            } else {
                Ok(())
            }
        }
        Section::Tariff => {
            anchor = "tarif";
            let mut euros = |name: &str| match form.get(name).map(parse_euros) {
                Some(Some(c)) => c,
                None => 0,
                Some(None) => {
                    errors.add(name, c.rule_euros);
                    0
                }
            };
            let tariff = Tariff {
                per_loan_cents: euros("per_loan"),
                per_week_cents: euros("per_week"),
                deposit_cents: euros("deposit"),
            };
            if errors.is_empty() {
                state
                    .run(move |conn| billing::put_tariff(conn, &p, id, &tariff, now))
                    .await
                    .map(|_| ())
            } else {
                Ok(())
            }
        }
        Section::Component => {
            anchor = "contenu";
            let quantity = form.get("quantity").and_then(|q| q.parse::<i32>().ok());
            if quantity.is_none() {
                errors.add("quantity", c.rule_component_quantity);
            }
            let unit_cost = match form.get("unit_cost").map(parse_euros) {
                Some(Some(c)) => c,
                None => 0,
                Some(None) => {
                    errors.add("unit_cost", c.rule_euros);
                    0
                }
            };
            let new = NewComponent {
                name: form.value("name"),
                quantity: quantity.unwrap_or(0),
                unit_cost_cents: unit_cost,
            };
            if errors.is_empty() {
                state
                    .run(move |conn| catalogue::create_component(conn, &p, id, &new, now))
                    .await
                    .map(|_| ())
            } else {
                Ok(())
            }
        }
        Section::Copy => {
            anchor = "exemplaires";
            let new = NewCopy {
                asset_tag: form.value("asset_tag"),
                home_commune_insee: form.get("home_commune_insee").map(str::to_string),
                condition_grade: None,
            };
            state
                .run(move |conn| catalogue::create_copy(conn, &p, id, &new, now))
                .await
                .map(|_| ())
        }
    };
    match outcome {
        Ok(()) if errors.is_empty() => {
            Ok(see_other(&format!("/resources/{id}/edit?saved=1#{anchor}")))
        }
        Ok(()) => edit_page(&state, &s, id, Some((section, &form)), errors, None).await,
        Err(e) if refusals(c, &e, &mut errors) => {
            edit_page(&state, &s, id, Some((section, &form)), errors, None).await
        }
        Err(e) => Err(e.into()),
    }
}

/// `POST /resources/{id}/edit`: the description (`update_resource`, as `PATCH /api/v1/resources/{id}`).
pub async fn save_description(state: State, id: PathId, post: SignedForm) -> Page {
    save(state, id, post, Section::Description).await
}

/// `POST /resources/{id}/tariff`: the tariff (`put_tariff`, as `PUT /api/v1/resources/{id}/tariff`).
pub async fn save_tariff(state: State, id: PathId, post: SignedForm) -> Page {
    save(state, id, post, Section::Tariff).await
}

/// `POST /resources/{id}/components`: one more item (`create_component`).
pub async fn add_component(state: State, id: PathId, post: SignedForm) -> Page {
    save(state, id, post, Section::Component).await
}

/// `POST /resources/{id}/copies`: one more copy at its depot (`create_copy`).
pub async fn add_copy(state: State, id: PathId, post: SignedForm) -> Page {
    save(state, id, post, Section::Copy).await
}
