//! Funders' subsidy programmes: the agency creates and changes them; their budget is committed by
//! approvals (see `quote`) and never overdrawn.

use chrono::NaiveDateTime;

use super::model::{NewSubsidyProgram, SubsidyProgram, SubsidyProgramPatch};
use super::store::{self, ProgramRow, ProgramValues};
use crate::access::Principal;
use crate::db::{write_transaction, DbConnection};
use crate::error::{Code, Error, Result, Validator};
use crate::money::MAX_BUDGET_CENTS;

fn join<T>(list: &Option<Vec<T>>, name: fn(&T) -> &str) -> Option<String> {
    list.as_ref().map(|items| {
        let mut names: Vec<&str> = items.iter().map(name).collect();
        names.sort_unstable();
        names.dedup();
        names.join(",")
    })
}

fn split<T: std::str::FromStr>(list: &Option<String>) -> Result<Option<Vec<T>>> {
    list.as_deref()
        .map(|l| {
            l.split(',')
                .map(|item| {
                    item.parse()
                        .map_err(|_| Error::Internal(format!("stored list item {item:?}")))
                })
                .collect()
        })
        .transpose()
}

impl TryFrom<ProgramRow> for SubsidyProgram {
    type Error = Error;
    fn try_from(row: ProgramRow) -> Result<SubsidyProgram> {
        Ok(SubsidyProgram {
            remaining_cents: row.budget_cents - row.committed_cents,
            commune_classes: split(&row.commune_classes)?,
            epci_sirens: split(&row.epci_sirens)?,
            venue_types: split(&row.venue_types)?,
            id: row.id,
            name: row.name,
            funder: row.funder,
            rate_percent: row.rate_percent,
            budget_cents: row.budget_cents,
            committed_cents: row.committed_cents,
            valid_from: row.valid_from,
            valid_to: row.valid_to,
            created_at: row.created_at,
            updated_at: row.updated_at,
        })
    }
}

fn agency_only(p: &Principal) -> Result<()> {
    crate::access::policy::manage_subsidy_programmes(p)
}

/// Checks a programme's values as they will be stored.
fn validate(values: &ProgramValues, nonempty_lists: [(&str, bool); 3]) -> Result<()> {
    let mut v = Validator::new();
    for (field, text) in [("name", &values.name), ("funder", &values.funder)] {
        v.name(field, text, 200);
        v.check(
            !text.chars().any(char::is_control),
            field,
            "must not contain control characters",
        );
    }
    v.check(
        (0..=100).contains(&values.rate_percent),
        "rate_percent",
        "must be a whole percentage from 0 to 100",
    );
    v.check(
        (0..=MAX_BUDGET_CENTS).contains(&values.budget_cents),
        "budget_cents",
        "must be between 0 and 10000000000 cents",
    );
    v.check(
        values.valid_to >= values.valid_from,
        "valid_to",
        "must not be before valid_from",
    );
    for (field, nonempty) in nonempty_lists {
        v.check(
            nonempty,
            field,
            "must list at least one value (leave it out for every value)",
        );
    }
    if let Some(sirens) = &values.epci_sirens {
        v.check(
            sirens
                .split(',')
                .all(|s| s.len() == 9 && s.bytes().all(|b| b.is_ascii_digit())),
            "epci_sirens",
            "each SIREN is 9 digits",
        );
    }
    v.finish()
}

fn nonempty<T>(list: &Option<Vec<T>>) -> bool {
    list.as_ref().is_none_or(|l| !l.is_empty())
}

/// Creates a programme (the agency).
pub fn create(
    conn: &mut DbConnection,
    p: &Principal,
    new: &NewSubsidyProgram,
    now: NaiveDateTime,
) -> Result<SubsidyProgram> {
    agency_only(p)?;
    let values = ProgramValues {
        name: new.name.trim().to_string(),
        funder: new.funder.trim().to_string(),
        rate_percent: new.rate_percent,
        budget_cents: new.budget_cents,
        valid_from: new.valid_from,
        valid_to: new.valid_to,
        commune_classes: join(&new.commune_classes, |c| c.as_str()),
        epci_sirens: join(&new.epci_sirens, |s| s.as_str()),
        venue_types: join(&new.venue_types, |t| t.as_str()),
        updated_at: now,
    };
    validate(
        &values,
        [
            ("commune_classes", nonempty(&new.commune_classes)),
            ("epci_sirens", nonempty(&new.epci_sirens)),
            ("venue_types", nonempty(&new.venue_types)),
        ],
    )?;
    write_transaction(conn, |conn| {
        let program: SubsidyProgram = store::insert_program(conn, &values, now)?.try_into()?;
        crate::audit::record(
            conn,
            p.actor(),
            crate::audit::AuditAction::SubsidyProgramCreated,
            program.id,
            &serde_json::to_value(new).unwrap_or_default(),
            now,
        )?;
        Ok(program)
    })
}

/// One programme: every authenticated caller (venues look for what they are eligible to).
pub fn get(conn: &mut DbConnection, id: i64) -> Result<SubsidyProgram> {
    store::program(conn, id)?
        .ok_or_else(|| Error::NotFound(format!("subsidy programme {id}")))?
        .try_into()
}

/// Every programme with its budget as it stands: the agency's view of committed and remaining.
pub fn list(conn: &mut DbConnection) -> Result<Vec<SubsidyProgram>> {
    store::programs(conn)?
        .into_iter()
        .map(SubsidyProgram::try_from)
        .collect()
}

/// Changes a programme (the agency); a budget below what is committed is refused.
pub fn update(
    conn: &mut DbConnection,
    p: &Principal,
    id: i64,
    patch: &SubsidyProgramPatch,
    now: NaiveDateTime,
) -> Result<SubsidyProgram> {
    agency_only(p)?;
    write_transaction(conn, |conn| {
        let row = store::program(conn, id)?
            .ok_or_else(|| Error::NotFound(format!("subsidy programme {id}")))?;
        let values = ProgramValues {
            name: patch
                .name
                .as_deref()
                .unwrap_or(&row.name)
                .trim()
                .to_string(),
            funder: patch
                .funder
                .as_deref()
                .unwrap_or(&row.funder)
                .trim()
                .to_string(),
            rate_percent: patch.rate_percent.unwrap_or(row.rate_percent),
            budget_cents: patch.budget_cents.unwrap_or(row.budget_cents),
            valid_from: patch.valid_from.unwrap_or(row.valid_from),
            valid_to: patch.valid_to.unwrap_or(row.valid_to),
            commune_classes: if patch.commune_classes.is_some() {
                join(&patch.commune_classes, |c| c.as_str())
            } else {
                row.commune_classes.clone()
            },
            epci_sirens: if patch.epci_sirens.is_some() {
                join(&patch.epci_sirens, |s| s.as_str())
            } else {
                row.epci_sirens.clone()
            },
            venue_types: if patch.venue_types.is_some() {
                join(&patch.venue_types, |t| t.as_str())
            } else {
                row.venue_types.clone()
            },
            updated_at: now,
        };
        validate(
            &values,
            [
                ("commune_classes", nonempty(&patch.commune_classes)),
                ("epci_sirens", nonempty(&patch.epci_sirens)),
                ("venue_types", nonempty(&patch.venue_types)),
            ],
        )?;
        if !store::update_program(conn, id, &values)? {
            return Err(Error::conflict(
                Code::BudgetBelowCommitted,
                format!(
                    "approved loans committed {} cents of this programme; the budget cannot go below",
                    row.committed_cents
                ),
            ));
        }
        crate::audit::record(
            conn,
            p.actor(),
            crate::audit::AuditAction::SubsidyProgramUpdated,
            id,
            &serde_json::to_value(patch).unwrap_or_default(),
            now,
        )?;
        get(conn, id)
    })
}
