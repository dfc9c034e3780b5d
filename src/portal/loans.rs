//! A venue's loans: home (what to do next), my loans, one loan, its condition report and
//! evaluation forms. Each handler reads the session, calls the domain services and
//! renders a template.

use actix_web::http::StatusCode;
use askama::Template;

use super::form::{self, Errors, Fields};
use super::lang::Lang;
use super::session::signed_in;
use super::session::SignedForm;
use super::{page, render, see_other, words, Layout, PortalError, Req, State};
use super::{Page, PathId};
use crate::auth::browser::BrowserSession;
use crate::billing::model::Quote;
use crate::billing::{quote, LoanBilling};
use crate::booking::model::{Booking, BookingAction, BookingDates, BookingStatus};
use crate::booking::service as bookings;
use crate::booking::store::BookingFilter;
use crate::catalogue::model::{Audience, Component};
use crate::catalogue::service as catalogue;
use crate::condition::model::{ComponentCount, NewConditionReport, Stage};
use crate::error::{Code, Error};
use crate::evaluation::model::NewEvaluation;
use crate::transport::model::LegKind;
use crate::transport::service::{self as transport, Costs};

/// One loan in a list, as a person reads it.
pub struct LoanLine {
    pub id: i64,
    pub title: String,
    pub status: String,
    pub starts_on: String,
    pub ends_on: String,
    /// From the first day of use to the last, in words.
    pub period: String,
    pub delivery: String,
    pub next_step: &'static str,
    pub active: bool,
}

fn loan_line(lang: Lang, b: &Booking, title: String) -> LoanLine {
    let delivery = b.delivery_on;
    LoanLine {
        id: b.id,
        title,
        status: words::status(lang, b.status).to_string(),
        starts_on: lang.day(b.starts_on),
        ends_on: lang.day(b.ends_on),
        period: lang.period(b.starts_on, b.ends_on),
        delivery: lang.day(delivery),
        next_step: words::next_step(lang, b.status),
        active: b.status.is_active(),
    }
}

/// The caller's loans, newest dates first, with their resources' titles.
async fn my_loans(state: &State, s: &BrowserSession) -> Result<Vec<LoanLine>, PortalError> {
    let p = s.principal.clone();
    let lang = Lang::of_session(s);
    Ok(state
        .run(move |conn| {
            let filter = bookings::list_filter(BookingFilter::default(), Some(500))?;
            let mut list = bookings::list(conn, &p, &filter)?;
            list.sort_by(|a, b| b.starts_on.cmp(&a.starts_on).then(b.id.cmp(&a.id)));
            let ids: Vec<i64> = list.iter().map(|b| b.resource_id).collect();
            let titles = catalogue::titles(conn, &ids)?;
            Ok(list
                .into_iter()
                .map(|b| {
                    let title = titles.get(&b.resource_id).cloned().unwrap_or_default();
                    loan_line(lang, &b, title)
                })
                .collect())
        })
        .await?)
}

#[derive(Template)]
#[template(path = "portal/home.html")]
struct HomePage {
    layout: Layout,
    today: String,
    upcoming: Vec<LoanLine>,
}

/// `GET /`: my loans under way and what to do next.
pub async fn home(state: State, req: Req) -> Page {
    let clock = state.clock;
    let s = signed_in(&state, &req).await?;
    if crate::access::policy::watch_network(&s.principal).is_ok() {
        // The agency's home is the network at a glance.
        return Ok(super::see_other("/network"));
    }
    let upcoming = my_loans(&state, &s)
        .await?
        .into_iter()
        .filter(|l| l.active)
        .rev()
        .collect();
    let lang = Lang::of_session(&s);
    page(&HomePage {
        layout: Layout::signed(lang.t().home_title, &s, "home"),
        today: lang.day(clock.today()),
        upcoming,
    })
}

#[derive(Template)]
#[template(path = "portal/bookings.html")]
struct BookingsPage {
    layout: Layout,
    loans: Vec<LoanLine>,
}

/// `GET /bookings`: all my loans.
pub async fn bookings(state: State, req: Req) -> Page {
    let s = signed_in(&state, &req).await?;
    let loans = my_loans(&state, &s).await?;
    page(&BookingsPage {
        layout: Layout::signed(Lang::of_session(&s).t().loans_title, &s, "loans"),
        loans,
    })
}

/// One line of a history or a price.
pub struct Row {
    pub label: String,
    pub value: String,
}

#[derive(Template)]
#[template(path = "portal/booking.html")]
struct BookingPage {
    layout: Layout,
    id: i64,
    title: String,
    resource_id: i64,
    status: String,
    next_step: &'static str,
    facts: Vec<Row>,
    price: Vec<Row>,
    total: String,
    history: Vec<Row>,
    legs: Vec<Row>,
    csrf_token: String,
    can_cancel: bool,
    can_report: bool,
    can_evaluate: bool,
    /// The loan agreement exists (approved onwards): a link to its PDF.
    has_agreement: bool,
    /// A request the reader answers for the producer (or the agency): approve or reject, with a
    /// note the venue reads.
    can_decide: bool,
    created: bool,
    /// The dates may still change (requested or approved) and the reader may change them.
    can_change_dates: bool,
    /// The change-dates form: its errors and values as typed (the loan's dates at first).
    errors: Errors,
    new_starts_on: String,
    new_ends_on: String,
    dates_note: String,
    rescheduled: bool,
    /// The invoice in force for the loan (its id and number), for whoever may read it.
    invoice: Option<(i64, String)>,
    /// The loan is back and not invoiced, and the reader invoices for its producer.
    can_invoice: bool,
    service_code: String,
    commitment: String,
}

/// A form of the loan page as posted (change the dates, invoice the loan), with what the person
/// or the service found wrong in it.
struct Posted {
    form: Fields,
    errors: Errors,
}

/// `GET /bookings/{id}`: one loan: status in words, days, price, history, legs, next step.
pub async fn booking(state: State, req: Req, id: PathId) -> Page {
    let s = signed_in(&state, &req).await?;
    let query = Fields::query(req.query_string());
    booking_page(&state, &s, id.into_inner(), &query, None).await
}

/// The loan page, with the change-dates form as posted when it came back with errors (422).
async fn booking_page(
    state: &State,
    s: &BrowserSession,
    id: i64,
    query: &Fields,
    posted: Option<Posted>,
) -> Page {
    let p = s.principal.clone();
    let locale = Lang::of_session(s).code();
    let billing = LoanBilling::from_config(&state.config);
    let costs = Costs::from_config(&state.config);
    let (b, resource, q, history, plans, invoice, report_due) = state
        .run(move |conn| {
            let b = bookings::get(conn, &p, id)?;
            let invoice = if matches!(b.status, BookingStatus::Returned | BookingStatus::Closed) {
                crate::billing::invoice::current_of_booking(conn, &p, id)?
            } else {
                None
            };
            let resource = catalogue::get_resource(conn, b.resource_id)?;
            let q: Quote = quote::quote_for(conn, &billing, &p, id)?;
            let history = bookings::history_in(conn, &p, id, locale)?;
            let plans = if b.status.is_active() {
                transport::leg_plans(conn, &b, &costs)?
            } else {
                Vec::new()
            };
            let report_due = crate::condition::service::report_due(conn, &p, &b)?;
            Ok((b, resource, q, history, plans, invoice, report_due))
        })
        .await?;
    let lang = Lang::of_session(s);
    let t = lang.t();
    let provider = crate::transport::distance::DistanceProvider::from_config(&state.config);
    let legs = transport::measure_legs(&provider, &Costs::from_config(&state.config), plans).await;
    let (delivery, pickup) = (b.delivery_on, b.pickup_on);
    // An action is offered to whoever may take it, from a status it leaves (the policy home).
    let may = |action: BookingAction| {
        action.transition(b.status).is_some()
            && crate::access::policy::act_on_booking(
                &s.principal,
                action.side(),
                b.venue_id,
                resource.producer_id,
            )
            .is_ok()
    };
    let mut facts = vec![
        Row {
            label: t.loan_use.into(),
            value: lang.period(b.starts_on, b.ends_on),
        },
        Row {
            label: t.loan_use_days.into(),
            value: format!("{}", (b.ends_on - b.starts_on).num_days() + 1),
        },
    ];
    if !matches!(
        b.status,
        BookingStatus::Rejected | BookingStatus::Cancelled | BookingStatus::Expired
    ) {
        facts.push(Row {
            label: t.loan_delivery.into(),
            value: lang.day(delivery),
        });
        facts.push(Row {
            label: t.loan_pickup.into(),
            value: lang.day(pickup),
        });
    }
    if let (BookingStatus::Requested, Some(until)) = (b.status, b.hold_expires_at) {
        facts.push(Row {
            label: t.loan_held_until.into(),
            value: format!("{} ({})", lang.day(until.date()), t.loan_held_note),
        });
    }
    facts.push(Row {
        label: t.loan_distance.into(),
        value: words::km(b.distance_km),
    });
    // The flag's reason in the reader's words; its English words only for flags older than the
    // codes.
    if let Some(reason) = b
        .flag
        .as_ref()
        .map(|f| f.render(locale))
        .or_else(|| b.flag_reason.clone())
    {
        facts.push(Row {
            label: t.loan_warning.into(),
            value: lang.flagged(&reason),
        });
    }
    let notes: Vec<Row> = history
        .iter()
        .map(|e| Row {
            label: format!("{} UTC", e.created_at.format("%d/%m/%Y %H:%M")),
            value: match &e.note {
                Some(n) if !n.is_empty() => lang.with_note(words::action(lang, &e.action), n),
                _ => words::action(lang, &e.action).to_string(),
            },
        })
        .collect();
    let legs = legs
        .iter()
        .map(|l| Row {
            label: match l.kind {
                LegKind::Outbound => t.leg_outbound.to_string(),
                LegKind::Return => t.leg_return.to_string(),
                _ => t.leg_transfer.to_string(),
            },
            value: lang.leg(&l.from.name, &l.to.name, l.km, l.duration_hours),
        })
        .collect();
    let created = query.get("created").is_some();
    let can_change_dates = b.status.dates_can_change()
        && crate::access::policy::change_booking(&s.principal, b.venue_id, resource.producer_id)
            .is_ok();
    let Posted { form, errors } = posted.unwrap_or(Posted {
        form: Fields::default(),
        errors: Errors::default(),
    });
    let dates_posted = form.pairs().any(|(name, _)| name == "starts_on");
    let (new_starts_on, new_ends_on, dates_note) = if dates_posted {
        (
            form.value("starts_on"),
            form.value("ends_on"),
            form.value("note"),
        )
    } else {
        (
            b.starts_on.to_string(),
            b.ends_on.to_string(),
            String::new(),
        )
    };
    let can_invoice = invoice.is_none()
        && matches!(b.status, BookingStatus::Returned | BookingStatus::Closed)
        && crate::access::policy::issue_invoice(&s.principal, resource.producer_id).is_ok();
    let status = errors.status();
    render(
        status,
        &BookingPage {
            layout: Layout::signed(
                format!("{}{} {}", t.loan_title, t.colon, resource.title),
                s,
                "loans",
            ),
            id,
            title: resource.title,
            resource_id: resource.id,
            status: words::status(lang, b.status).to_string(),
            next_step: if may(BookingAction::Approve) {
                t.loan_next_decide
            } else if s.principal.belongs_to(b.venue_id) {
                words::next_step(lang, b.status)
            } else {
                words::lender_next_step(lang, b.status)
            },
            facts,
            price: q
                .lines
                .iter()
                .map(|l| Row {
                    label: l.label.clone(),
                    value: crate::page::euros(l.amount_cents),
                })
                .collect(),
            total: crate::page::euros(q.total_cents),
            history: notes,
            legs,
            csrf_token: s.csrf_token.clone(),
            can_cancel: may(BookingAction::Cancel),
            has_agreement: crate::billing::agreement::has_agreement(b.status),
            can_decide: may(BookingAction::Approve),
            can_report: report_due.is_some(),
            can_evaluate: matches!(
                b.status,
                BookingStatus::Delivered | BookingStatus::Returned | BookingStatus::Closed
            ) && crate::access::policy::evaluate_loan(&s.principal, b.venue_id)
                .is_ok(),
            created,
            can_change_dates,
            errors,
            new_starts_on,
            new_ends_on,
            dates_note,
            rescheduled: query.get("rescheduled").is_some(),
            invoice: invoice.map(|i| (i.id, i.number)),
            can_invoice,
            service_code: form.value("buyer_service_code"),
            commitment: form.value("commitment_number"),
        },
    )
}

/// `POST /bookings/{id}/dates`: the venue, the producer or the agency moves a requested or
/// approved loan to new dates (`booking::service::change_dates`, as `PATCH /api/v1/bookings/{id}`);
/// dates the person mistyped or no free copy come back on the loan page, nothing changed.
pub async fn change_dates(state: State, id: PathId, SignedForm(s, form): SignedForm) -> Page {
    let clock = state.clock;
    let id = id.into_inner();
    let lang = Lang::of_session(&s);
    let mut errors = Errors::default();
    let period = form::use_period(lang, &form, &mut errors);
    let no_query = Fields::default();
    let back = |errors: Errors, form: Fields| {
        booking_page(&state, &s, id, &no_query, Some(Posted { form, errors }))
    };
    let Some((starts_on, ends_on)) = period.filter(|_| errors.is_empty()) else {
        return back(errors, form).await;
    };
    let dates = BookingDates {
        starts_on,
        ends_on,
        note: form.get("note").map(str::to_string),
    };
    let settings = state.booking_settings();
    let p = s.principal.clone();
    let outcome = state
        .run(move |conn| bookings::change_dates(conn, &p, &settings, id, &dates, clock.naive()))
        .await;
    match outcome {
        Ok(_) => Ok(see_other(&format!("/bookings/{id}?rescheduled=1#dates"))),
        Err(Error::Validation(fields)) => {
            for f in fields {
                let field = match f.field.as_str() {
                    "ends_on" => "ends_on",
                    "note" => "dates_note",
                    _ => "starts_on",
                };
                errors.add(field, form::date_message(lang, &f.message));
            }
            back(errors, form).await
        }
        Err(Error::Conflict {
            code: crate::error::Code::BookingConflict,
            ..
        }) => {
            errors.add("starts_on", lang.t().loan_dates_no_copy);
            back(errors, form).await
        }
        Err(other) => Err(other.into()),
    }
}

/// A booking action posted from the loan page: the session, its CSRF token, the action the form
/// names (with its note), the booking service, then back to the loan page.
async fn act_from_form(
    state: State,
    id: PathId,
    SignedForm(s, form): SignedForm,
    choose: impl FnOnce(&Fields) -> Result<(BookingAction, Option<String>), Error>,
) -> Page {
    let clock = state.clock;
    let (action, note) = choose(&form)?;
    let id = id.into_inner();
    // Back where the form came from (the producer's inbox), a path of this site only.
    let back = match form.get("back") {
        Some(path) if super::account::safe_next(Some(path)) == path => {
            format!("{path}?decided={id}")
        }
        _ => format!("/bookings/{id}"),
    };
    let settings = state.booking_settings();
    let p = s.principal.clone();
    state
        .run(move |conn| {
            bookings::act(
                conn,
                &p,
                &settings,
                id,
                action,
                note.as_deref(),
                clock.naive(),
            )
        })
        .await?;
    Ok(see_other(&back))
}

/// `POST /bookings/{id}/decision`: the producer (or the agency) approves or rejects a request,
/// with a note the venue reads on its loan page, in its mail and in the webhook payload.
pub async fn decide(state: State, id: PathId, post: SignedForm) -> Page {
    act_from_form(state, id, post, |form| {
        let action = match form.get("decision") {
            Some("approve") => BookingAction::Approve,
            Some("reject") => BookingAction::Reject,
            _ => return Err(Error::invalid("decision", "approve or reject")),
        };
        Ok((action, form.get("note").map(str::to_string)))
    })
    .await
}

/// `POST /bookings/{id}/cancel`: the venue cancels its request or approved loan.
pub async fn cancel(state: State, id: PathId, post: SignedForm) -> Page {
    act_from_form(state, id, post, |_| Ok((BookingAction::Cancel, None))).await
}

/// One component line of the report form.
pub struct ComponentField {
    pub id: i64,
    pub name: String,
    pub expected: i32,
    pub present: String,
    pub damaged: String,
}

#[derive(Template)]
#[template(path = "portal/report.html")]
struct ReportPage {
    layout: Layout,
    csrf_token: String,
    id: i64,
    title: String,
    heading: &'static str,
    lead: &'static str,
    errors: Errors,
    components: Vec<ComponentField>,
    grade: String,
    notes: String,
}

/// What the report form needs: the booking (visible to the caller) and its resource's components.
async fn report_context(
    state: &State,
    s: &BrowserSession,
    id: i64,
) -> Result<(Booking, String, Vec<Component>), PortalError> {
    let p = s.principal.clone();
    Ok(state
        .run(move |conn| {
            let b = bookings::get(conn, &p, id)?;
            let r = catalogue::get_resource(conn, b.resource_id)?;
            let components = catalogue::list_components(conn, b.resource_id)?;
            Ok((b, r.title, components))
        })
        .await?)
}

fn report_view(
    s: &BrowserSession,
    id: i64,
    b: &Booking,
    title: String,
    components: &[Component],
    form: &Fields,
    errors: Errors,
) -> ReportPage {
    let t = Lang::of_session(s).t();
    let (heading, lead) = match crate::condition::service::stage_due(&s.principal, b) {
        Some(Stage::Dispatch) => (t.report_dispatch_title, t.report_producer_lead),
        Some(Stage::Inspection) => (t.report_inspection_title, t.report_producer_lead),
        Some(Stage::Return) => (t.report_return_title, t.report_lead),
        _ => (t.report_arrival_title, t.report_lead),
    };
    ReportPage {
        layout: Layout::signed(heading, s, "loans"),
        csrf_token: s.csrf_token.clone(),
        id,
        title,
        heading,
        lead,
        errors,
        components: components
            .iter()
            .map(|c| ComponentField {
                id: c.id,
                name: c.name.clone(),
                expected: c.quantity,
                present: form
                    .get(&format!("present_{}", c.id))
                    .map(str::to_string)
                    .unwrap_or_else(|| c.quantity.to_string()),
                damaged: form
                    .get(&format!("damaged_{}", c.id))
                    .map(str::to_string)
                    .unwrap_or_else(|| "0".into()),
            })
            .collect(),
        grade: form.value("grade"),
        notes: form.value("notes"),
    }
}

/// `GET /bookings/{id}/report`: the condition report form, one line per component with its count.
pub async fn report_form(state: State, req: Req, id: PathId) -> Page {
    let s = signed_in(&state, &req).await?;
    let id = id.into_inner();
    let (b, title, components) = report_context(&state, &s, id).await?;
    page(&report_view(
        &s,
        id,
        &b,
        title,
        &components,
        &Fields::default(),
        Errors::default(),
    ))
}

/// `POST /bookings/{id}/report`: files the report through the condition service (its rules send
/// a damaged copy to maintenance); errors come back on the form.
pub async fn report_submit(state: State, id: PathId, SignedForm(s, form): SignedForm) -> Page {
    let clock = state.clock;
    let id = id.into_inner();
    let (b, title, components) = report_context(&state, &s, id).await?;
    let lang = Lang::of_session(&s);
    let mut errors = Errors::default();
    let mut counts = Vec::new();
    for c in &components {
        let present = errors.number(
            lang,
            &form,
            &format!("present_{}", c.id),
            &lang.present_count(&c.name),
            0..=i64::from(c.quantity),
        );
        let damaged = errors.number(
            lang,
            &form,
            &format!("damaged_{}", c.id),
            &lang.damaged_count(&c.name),
            0..=i64::from(c.quantity),
        );
        if let (Some(present), Some(damaged)) = (present, damaged) {
            if damaged > present {
                errors.add(
                    &format!("damaged_{}", c.id),
                    lang.more_damaged_than_present(&c.name),
                );
            }
            counts.push(ComponentCount {
                component_id: c.id,
                present_quantity: present as i32,
                damaged: damaged as i32,
            });
        }
    }
    let grade = errors.number(lang, &form, "grade", lang.t().report_grade_name, 1..=5);
    if !errors.is_empty() {
        return render(
            StatusCode::UNPROCESSABLE_ENTITY,
            &report_view(&s, id, &b, title.clone(), &components, &form, errors),
        );
    }
    // The service says which hand-over is due from this caller; none: nothing to file now
    // (already filed, or not this caller's).
    let (p, due_on) = (s.principal.clone(), b.clone());
    let due = state
        .run(move |conn| crate::condition::service::report_due(conn, &p, &due_on))
        .await?;
    let Some(stage) = due else {
        return Err(Error::conflict(
            crate::error::Code::InvalidTransition,
            format!("no condition report is due from you on loan {id} now"),
        )
        .into());
    };
    let new = NewConditionReport {
        booking_id: Some(id),
        stage,
        grade: grade.unwrap_or(3) as i32,
        notes: form.value("notes"),
        components: counts,
    };
    let p = s.principal.clone();
    let blocking = state.config.condition_blocking_grade;
    let copy_id = b.copy_id;
    let filed = state
        .run(move |conn| {
            crate::condition::service::file_report(conn, &p, blocking, copy_id, &new, clock.naive())
                .map(|_| ())
        })
        .await;
    match filed {
        Ok(()) => Ok(see_other(&format!("/bookings/{id}?reported=1"))),
        Err(Error::Validation(fields)) => {
            let mut errors = Errors::default();
            for f in fields {
                errors.add("grade", format!("{} : {}", f.field, f.message));
            }
            render(
                StatusCode::UNPROCESSABLE_ENTITY,
                &report_view(&s, id, &b, title, &components, &form, errors),
            )
        }
        Err(e) => Err(e.into()),
    }
}

/// One audience checkbox of the evaluation form.
pub struct Choice {
    pub value: &'static str,
    pub label: &'static str,
    pub checked: bool,
}

#[derive(Template)]
#[template(path = "portal/evaluation.html")]
struct EvaluationPage {
    layout: Layout,
    csrf_token: String,
    id: i64,
    title: String,
    errors: Errors,
    visitors: String,
    sessions: String,
    audiences: Vec<Choice>,
    satisfaction: String,
    comment: String,
    done: bool,
}

fn evaluation_view(
    s: &BrowserSession,
    id: i64,
    title: String,
    form: &Fields,
    errors: Errors,
    done: bool,
) -> EvaluationPage {
    let chosen = form.all("audiences");
    let lang = Lang::of_session(s);
    EvaluationPage {
        layout: Layout::signed(lang.t().evaluation_title, s, "loans"),
        csrf_token: s.csrf_token.clone(),
        id,
        title,
        errors,
        visitors: form.value("visitors"),
        sessions: form.value("sessions"),
        audiences: Audience::ALL
            .iter()
            .map(|a| Choice {
                value: a.as_str(),
                label: words::audience(lang, *a),
                checked: chosen.contains(&a.as_str()),
            })
            .collect(),
        satisfaction: form.value("satisfaction"),
        comment: form.value("comment"),
        done,
    }
}

/// `GET /bookings/{id}/evaluation`: the evaluation form (or what was said, once given).
pub async fn evaluation_form(state: State, req: Req, id: PathId) -> Page {
    let s = signed_in(&state, &req).await?;
    let id = id.into_inner();
    let p = s.principal.clone();
    let (title, existing) = state
        .run(move |conn| {
            let b = bookings::get(conn, &p, id)?;
            let r = catalogue::get_resource(conn, b.resource_id)?;
            let existing = match crate::evaluation::service::get(conn, &p, id) {
                Ok(e) => Some(e),
                Err(Error::NotFound(_)) => None,
                Err(e) => return Err(e),
            };
            Ok((r.title, existing))
        })
        .await?;
    let form = match &existing {
        Some(e) => {
            let mut pairs = vec![
                ("visitors".to_string(), e.visitors.to_string()),
                ("sessions".to_string(), e.sessions.to_string()),
                ("satisfaction".to_string(), e.satisfaction.to_string()),
                ("comment".to_string(), e.comment.clone().unwrap_or_default()),
            ];
            pairs.extend(
                e.audiences
                    .iter()
                    .map(|a| ("audiences".to_string(), a.as_str().to_string())),
            );
            Fields::from_pairs(pairs)
        }
        None => Fields::default(),
    };
    page(&evaluation_view(
        &s,
        id,
        title,
        &form,
        Errors::default(),
        existing.is_some(),
    ))
}

/// `POST /bookings/{id}/invoice`: the producer (or the agency) invoices a returned loan
/// (`billing::invoice::issue`, as `POST /api/v1/bookings/{id}/invoice`), with a public buyer's
/// service code and commitment number when it has them; what the service refuses (a reference
/// too long or required, an incomplete legal identity, a loan already invoiced) comes back on the
/// loan page, nothing issued.
pub async fn invoice(state: State, id: PathId, SignedForm(s, form): SignedForm) -> Page {
    let clock = state.clock;
    let id = id.into_inner();
    let request = crate::billing::model::InvoiceRequest {
        buyer_service_code: form.get("buyer_service_code").map(str::to_string),
        commitment_number: form.get("commitment_number").map(str::to_string),
    };
    let billing = LoanBilling::from_config(&state.config);
    let p = s.principal.clone();
    let outcome = state
        .run(move |conn| {
            crate::billing::invoice::issue(conn, &billing, &p, id, &request, clock.naive())
        })
        .await;
    let t = Lang::of_session(&s).t();
    let mut errors = Errors::default();
    match outcome {
        Ok(issued) => return Ok(see_other(&format!("/invoices?issued={}", issued.id))),
        Err(Error::Validation(fields)) => {
            for f in fields {
                let required = f.message.contains("requires");
                let (field, message) = match (f.field.as_str(), required) {
                    ("commitment_number", true) => {
                        ("commitment_number", t.invoice_commitment_required)
                    }
                    ("commitment_number", false) => {
                        ("commitment_number", t.invoice_reference_too_long)
                    }
                    (_, true) => ("buyer_service_code", t.invoice_service_code_required),
                    (_, false) => ("buyer_service_code", t.invoice_reference_too_long),
                };
                errors.add(field, message);
            }
        }
        Err(Error::Conflict { code, .. }) => errors.add(
            "invoice_button",
            match code {
                Code::AlreadyInvoiced => t.invoice_already,
                Code::LegalIdentityIncomplete => t.invoice_legal_incomplete,
                _ => t.invoice_not_returned,
            },
        ),
        Err(other) => return Err(other.into()),
    }
    booking_page(
        &state,
        &s,
        id,
        &Fields::default(),
        Some(Posted { form, errors }),
    )
    .await
}

/// `POST /bookings/{id}/evaluation`: the venue's evaluation, through the evaluation service.
pub async fn evaluation_submit(state: State, id: PathId, SignedForm(s, form): SignedForm) -> Page {
    let clock = state.clock;
    let id = id.into_inner();
    let lang = Lang::of_session(&s);
    let t = lang.t();
    let mut errors = Errors::default();
    let visitors = errors.number(
        lang,
        &form,
        "visitors",
        t.evaluation_visitors_name,
        0..=1_000_000,
    );
    let sessions = errors.number(
        lang,
        &form,
        "sessions",
        t.evaluation_sessions_name,
        0..=10_000,
    );
    let mut audiences = Vec::new();
    for a in form.all("audiences") {
        match a.parse::<Audience>() {
            Ok(a) => audiences.push(a),
            Err(_) => errors.add("audiences", t.evaluation_audiences_unknown),
        }
    }
    if audiences.is_empty() && errors.of("audiences").is_none() {
        errors.add("audiences", t.evaluation_audiences_missing);
    }
    let satisfaction = errors.number(
        lang,
        &form,
        "satisfaction",
        t.evaluation_satisfaction_name,
        1..=5,
    );
    let p = s.principal.clone();
    if !errors.is_empty() {
        let title = state
            .run(move |conn| {
                let resource_id = bookings::get(conn, &p, id)?.resource_id;
                Ok(catalogue::get_resource(conn, resource_id)?.title)
            })
            .await?;
        return render(
            StatusCode::UNPROCESSABLE_ENTITY,
            &evaluation_view(&s, id, title, &form, errors, false),
        );
    }
    let new = NewEvaluation {
        visitors: visitors.unwrap_or(0) as i32,
        sessions: sessions.unwrap_or(0) as i32,
        audiences,
        satisfaction: satisfaction.unwrap_or(3) as i32,
        comment: form.get("comment").map(str::to_string),
    };
    state
        .run(move |conn| crate::evaluation::service::create(conn, &p, id, &new, clock.naive()))
        .await?;
    Ok(see_other(&format!("/bookings/{id}?evaluated=1")))
}
