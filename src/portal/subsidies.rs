//! The agency's money rules (`/subsidies`): the funders' subsidy programmes with their budget as
//! it stands, a form to create one, closing one (its last day becomes today), and the pricing
//! policy (what each commune class pays of the rental and of the transport). The same services
//! as the API (`billing::subsidy`, `billing::service`); who may do it is their policy
//! (`manage_subsidy_programmes`, `set_pricing_policy`): anyone else gets the 403 page.

use actix_web::http::StatusCode;
use actix_web::web;
use askama::Template;

use super::form::{refused_fields, Errors, Fields};
use super::lang::Lang;
use super::lang_agency::AgencyTexts;
use super::session::signed_in;
use super::session::SignedForm;
use super::{render, see_other, Layout, Req, State};
use super::{Page, PathId};
use crate::access::policy;
use crate::auth::browser::BrowserSession;
use crate::billing::model::{
    NewSubsidyProgram, PerClass, PricingPolicy, SubsidyProgram, SubsidyProgramPatch,
};
use crate::billing::{service as billing, subsidy};
use crate::territory::CommuneClass;

/// Registers the pages.
pub fn routes(cfg: &mut web::ServiceConfig) {
    cfg.service(
        web::resource("/subsidies")
            .route(web::get().to(subsidies_page))
            .route(web::post().to(create)),
    )
    .route("/subsidies/{id}/close", web::post().to(close))
    .route("/subsidies/pricing", web::post().to(pricing));
}

/// A programme as the list shows it.
struct ProgramLine {
    id: i64,
    name: String,
    funder: String,
    rate: String,
    budget: String,
    committed: String,
    remaining: String,
    period: String,
    classes: String,
    open: bool,
}

/// One commune class's two percentages in the pricing form.
struct ClassRates {
    key: &'static str,
    label: &'static str,
    rental: String,
    transport: String,
}

/// The programme form as typed.
#[derive(Default)]
struct ProgramValues {
    name: String,
    funder: String,
    rate: String,
    budget: String,
    valid_from: String,
    valid_to: String,
    classes: Vec<String>,
}

impl ProgramValues {
    /// Whether a class's box was ticked.
    fn ticked(&self, key: &str) -> bool {
        self.classes.iter().any(|c| c == key)
    }
}

#[derive(Template)]
#[template(path = "portal/subsidies.html")]
struct SubsidiesPage {
    layout: Layout,
    a: &'static AgencyTexts,
    errors: Errors,
    notice: Option<&'static str>,
    programs: Vec<ProgramLine>,
    classes: Vec<(&'static str, &'static str)>,
    values: ProgramValues,
    rates: Vec<ClassRates>,
    csrf_token: String,
}

const CLASSES: [CommuneClass; 4] = [
    CommuneClass::Village,
    CommuneClass::SmallTown,
    CommuneClass::MediumTown,
    CommuneClass::LargeCity,
];

fn per_class(rates: &PerClass, class: CommuneClass) -> i32 {
    match class {
        CommuneClass::Village => rates.village,
        CommuneClass::SmallTown => rates.small_town,
        CommuneClass::MediumTown => rates.medium_town,
        CommuneClass::LargeCity => rates.large_city,
    }
}

/// Euros as typed (`20000`, `20 000,50`) in cents; `None` when not an amount.
fn euros_to_cents(text: &str) -> Option<i64> {
    let clean: String = text
        .chars()
        .filter(|c| !c.is_whitespace() && *c != '\u{a0}' && *c != '\u{202f}' && *c != '€')
        .collect();
    let (whole, part) = match clean.split_once([',', '.']) {
        Some((w, p)) => (w, p),
        None => (clean.as_str(), ""),
    };
    if whole.is_empty() || part.len() > 2 || !whole.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    let cents = match part.len() {
        0 => 0,
        1 => part.parse::<i64>().ok()? * 10,
        _ => part.parse::<i64>().ok()?,
    };
    whole
        .parse::<i64>()
        .ok()?
        .checked_mul(100)?
        .checked_add(cents)
}

/// The page, with the errors of a form just posted (if any).
async fn page_with(
    state: &State,
    s: &BrowserSession,
    status: StatusCode,
    errors: Errors,
    notice: Option<&'static str>,
    values: ProgramValues,
    typed_rates: Option<Vec<ClassRates>>,
) -> Page {
    policy::manage_subsidy_programmes(&s.principal)?;
    let lang = Lang::of_session(s);
    let a = lang.agency();
    let (programs, pricing): (Vec<SubsidyProgram>, PricingPolicy) = state
        .run(|conn| Ok((subsidy::list(conn)?, billing::pricing_policy(conn)?)))
        .await?;
    let today = state.clock.today();
    let money = crate::page::euros;
    let lines = programs
        .iter()
        .map(|p| ProgramLine {
            id: p.id,
            name: p.name.clone(),
            funder: p.funder.clone(),
            rate: format!("{}\u{a0}%", p.rate_percent),
            budget: money(p.budget_cents),
            committed: money(p.committed_cents),
            remaining: money(p.remaining_cents),
            period: lang.dates(p.valid_from, p.valid_to),
            classes: match &p.commune_classes {
                None => a.subsidies_every_class.to_string(),
                Some(list) => list
                    .iter()
                    .map(|c| lang.commune_class(*c))
                    .collect::<Vec<_>>()
                    .join(", "),
            },
            open: p.valid_to > today,
        })
        .collect();
    let rates = typed_rates.unwrap_or_else(|| {
        CLASSES
            .iter()
            .map(|c| ClassRates {
                key: c.as_str(),
                label: lang.commune_class(*c),
                rental: per_class(&pricing.class_rate_percent, *c).to_string(),
                transport: per_class(&pricing.transport_recharge_percent, *c).to_string(),
            })
            .collect()
    });
    render(
        status,
        &SubsidiesPage {
            layout: Layout::signed(a.subsidies_title, s, "subsidies"),
            a,
            errors,
            notice,
            programs: lines,
            classes: CLASSES
                .iter()
                .map(|c| (c.as_str(), lang.commune_class(*c)))
                .collect(),
            values,
            rates,
            csrf_token: s.csrf_token.clone(),
        },
    )
}

/// `GET /subsidies`.
pub async fn subsidies_page(state: State, req: Req) -> Page {
    let s = signed_in(&state, &req).await?;
    let a = Lang::of_session(&s).agency();
    let notice = Fields::done_notice(
        req.query_string(),
        &[
            ("created", a.subsidies_created),
            ("closed", a.subsidies_closed),
            ("pricing", a.subsidies_pricing_saved),
        ],
    );
    page_with(
        &state,
        &s,
        StatusCode::OK,
        Errors::default(),
        notice,
        ProgramValues::default(),
        None,
    )
    .await
}

/// `POST /subsidies`: creates a programme (the API's `POST /subsidy-programs`).
pub async fn create(state: State, SignedForm(s, form): SignedForm) -> Page {
    let clock = state.clock;
    let lang = Lang::of_session(&s);
    let a = lang.agency();
    let values = ProgramValues {
        name: form.value("name"),
        funder: form.value("funder"),
        rate: form.value("rate_percent"),
        budget: form.value("budget"),
        valid_from: form.value("valid_from"),
        valid_to: form.value("valid_to"),
        classes: form.all("class").iter().map(|c| c.to_string()).collect(),
    };
    let mut errors = Errors::default();
    if values.name.is_empty() {
        errors.add("name", a.subsidies_bad_name);
    }
    if values.funder.is_empty() {
        errors.add("funder", a.subsidies_bad_funder);
    }
    let rate = errors.number(lang, &form, "rate_percent", a.subsidies_rate_name, 0..=100);
    let budget = euros_to_cents(&values.budget);
    if budget.is_none() {
        errors.add("budget", a.subsidies_bad_budget);
    }
    let from = errors.date(lang, &form, "valid_from", a.subsidies_from_name);
    let to = errors.date(lang, &form, "valid_to", a.subsidies_to_name);
    let classes: Vec<CommuneClass> = values
        .classes
        .iter()
        .filter_map(|c| c.parse().ok())
        .collect();
    if let (Some(rate), Some(budget), Some(valid_from), Some(valid_to), true) =
        (rate, budget, from, to, errors.is_empty())
    {
        let new = NewSubsidyProgram {
            name: values.name.clone(),
            funder: values.funder.clone(),
            rate_percent: rate as i32,
            budget_cents: budget,
            valid_from,
            valid_to,
            commune_classes: (!classes.is_empty()).then_some(classes),
            epci_sirens: None,
            venue_types: None,
        };
        let p = s.principal.clone();
        let outcome = state
            .run(move |conn| subsidy::create(conn, &p, &new, clock.naive()))
            .await;
        let Err(e) = outcome else {
            return Ok(see_other("/subsidies?done=created"));
        };
        let Some(fields) = refused_fields(&e) else {
            return Err(e.into());
        };
        for field in fields {
            let (id, message) = match field {
                "name" => ("name", a.subsidies_bad_name),
                "funder" => ("funder", a.subsidies_bad_funder),
                "budget_cents" => ("budget", a.subsidies_bad_budget),
                "rate_percent" => ("rate_percent", a.subsidies_bad_rate),
                _ => ("valid_to", a.subsidies_bad_period),
            };
            if errors.of(id).is_none() {
                errors.add(id, message);
            }
        }
    }
    let status = StatusCode::UNPROCESSABLE_ENTITY;
    page_with(&state, &s, status, errors, None, values, None).await
}

/// `POST /subsidies/{id}/close`: the programme's last day becomes today (the API's `PATCH
/// /subsidy-programs/{id}` with `valid_to`); a programme that starts later cannot close so.
pub async fn close(state: State, id: PathId, SignedForm(s, _): SignedForm) -> Page {
    let clock = state.clock;
    let id = id.into_inner();
    let a = Lang::of_session(&s).agency();
    let patch = SubsidyProgramPatch {
        valid_to: Some(clock.today()),
        ..SubsidyProgramPatch::default()
    };
    let p = s.principal.clone();
    match state
        .run(move |conn| subsidy::update(conn, &p, id, &patch, clock.naive()))
        .await
    {
        Ok(_) => Ok(see_other("/subsidies?done=closed")),
        Err(e) if refused_fields(&e).is_some() => {
            let mut errors = Errors::default();
            errors.add("programmes", a.subsidies_cannot_close);
            page_with(
                &state,
                &s,
                StatusCode::UNPROCESSABLE_ENTITY,
                errors,
                None,
                ProgramValues::default(),
                None,
            )
            .await
        }
        Err(e) => Err(e.into()),
    }
}

/// `POST /subsidies/pricing`: replaces the pricing policy (the API's `PUT /pricing-policy`).
pub async fn pricing(state: State, SignedForm(s, form): SignedForm) -> Page {
    let clock = state.clock;
    let lang = Lang::of_session(&s);
    let a = lang.agency();
    let mut errors = Errors::default();
    let mut read: Vec<(i64, i64)> = Vec::with_capacity(CLASSES.len());
    let mut typed = Vec::new();
    for class in CLASSES {
        let key = class.as_str();
        let (r_name, t_name) = (format!("rental_{key}"), format!("transport_{key}"));
        let r = errors.number(lang, &form, &r_name, a.subsidies_percent_name, 0..=100);
        let t = errors.number(lang, &form, &t_name, a.subsidies_percent_name, 0..=100);
        read.push((r.unwrap_or(0), t.unwrap_or(0)));
        typed.push(ClassRates {
            key,
            label: lang.commune_class(class),
            rental: form.value(&r_name),
            transport: form.value(&t_name),
        });
    }
    let of = |pick: fn(&(i64, i64)) -> i64| PerClass {
        village: pick(&read[0]) as i32,
        small_town: pick(&read[1]) as i32,
        medium_town: pick(&read[2]) as i32,
        large_city: pick(&read[3]) as i32,
    };
    let (rental, transport) = (of(|r| r.0), of(|r| r.1));
    if !errors.is_empty() {
        return page_with(
            &state,
            &s,
            StatusCode::UNPROCESSABLE_ENTITY,
            errors,
            None,
            ProgramValues::default(),
            Some(typed),
        )
        .await;
    }
    let new = PricingPolicy {
        class_rate_percent: rental,
        transport_recharge_percent: transport,
    };
    let p = s.principal.clone();
    state
        .run(move |conn| billing::put_pricing_policy(conn, &p, &new, clock.naive()))
        .await?;
    Ok(see_other("/subsidies?done=pricing"))
}

#[cfg(test)]
mod tests {
    use super::euros_to_cents;

    #[test]
    fn euros_are_read_the_french_way() {
        assert_eq!(euros_to_cents("20000"), Some(2_000_000));
        assert_eq!(euros_to_cents("20 000,5"), Some(2_000_050));
        assert_eq!(euros_to_cents("12.34 €"), Some(1_234));
        assert_eq!(euros_to_cents("1,234"), None);
        assert_eq!(euros_to_cents("-3"), None);
        assert_eq!(euros_to_cents(""), None);
    }
}
