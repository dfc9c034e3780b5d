//! The rules of tariffs and of the pricing policy: who sets them, and what values they may take.

use chrono::NaiveDateTime;

use super::model::{PerClass, PricingPolicy, Tariff};
use super::store;
use crate::access::{policy, Principal};
use crate::catalogue::store as catalogue;
use crate::db::{write_transaction, DbConnection};
use crate::error::{Error, Result, Validator};

use crate::money::MAX_CENTS;

/// The tariff of a live resource (zero amounts when its producer set none). Every authenticated
/// caller may read it: venues compare offers before they ask.
pub fn tariff(conn: &mut DbConnection, resource_id: i64) -> Result<Tariff> {
    catalogue::find_live_resource(conn, resource_id)?
        .ok_or_else(|| Error::NotFound(format!("resource {resource_id}")))?;
    Ok(store::tariff(conn, resource_id)?.unwrap_or_default())
}

/// Sets a resource's tariff: its producer or the agency.
pub fn put_tariff(
    conn: &mut DbConnection,
    p: &Principal,
    resource_id: i64,
    tariff: &Tariff,
    now: NaiveDateTime,
) -> Result<Tariff> {
    let resource = catalogue::find_live_resource(conn, resource_id)?
        .ok_or_else(|| Error::NotFound(format!("resource {resource_id}")))?;
    policy::write_catalogue(p, resource.producer_id)?;
    let mut v = Validator::new();
    for (field, amount) in [
        ("per_loan_cents", tariff.per_loan_cents),
        ("per_week_cents", tariff.per_week_cents),
        ("deposit_cents", tariff.deposit_cents),
    ] {
        v.check(
            (0..=MAX_CENTS).contains(&amount),
            field,
            "must be between 0 and 100000000 cents",
        );
    }
    v.finish()?;
    write_transaction(conn, |conn| {
        store::put_tariff(conn, resource_id, tariff, p.organization_id, now)?;
        crate::audit::record(
            conn,
            p.actor(),
            crate::audit::AuditAction::TariffSet,
            resource_id,
            &serde_json::to_value(tariff).unwrap_or_default(),
            now,
        )?;
        Ok(*tariff)
    })
}

/// The pricing policy in force, for every authenticated caller.
pub fn pricing_policy(conn: &mut DbConnection) -> Result<PricingPolicy> {
    Ok(store::policy(conn)?)
}

/// Replaces the pricing policy: the agency only.
pub fn put_pricing_policy(
    conn: &mut DbConnection,
    p: &Principal,
    new: &PricingPolicy,
    now: NaiveDateTime,
) -> Result<PricingPolicy> {
    policy::set_pricing_policy(p)?;
    let mut v = Validator::new();
    check_percents(&mut v, "class_rate_percent", &new.class_rate_percent);
    check_percents(
        &mut v,
        "transport_recharge_percent",
        &new.transport_recharge_percent,
    );
    v.finish()?;
    write_transaction(conn, |conn| {
        store::put_policy(conn, new, now)?;
        crate::audit::record(
            conn,
            p.actor(),
            crate::audit::AuditAction::PricingPolicySet,
            1,
            &serde_json::to_value(new).unwrap_or_default(),
            now,
        )?;
        Ok(store::policy(conn)?)
    })
}

fn check_percents(v: &mut Validator, group: &str, values: &PerClass) {
    for (class, percent) in values.fields() {
        v.check(
            (0..=100).contains(&percent),
            &format!("{group}.{class}"),
            "must be a whole percentage from 0 to 100",
        );
    }
}
