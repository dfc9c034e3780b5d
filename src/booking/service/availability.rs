//! Availability: the days each copy of a resource is free over a range.

use super::*;

/// Free periods of each copy of a resource over `[from, to]`. Maintenance and retirement count as
/// busy; so does every active booking's whole occupied period.
pub fn availability(
    conn: &mut DbConnection,
    resource_id: i64,
    from: NaiveDate,
    to: NaiveDate,
) -> Result<Availability> {
    check_availability_range(from, to)?;
    catalogue::find_live_resource(conn, resource_id)?
        .ok_or_else(|| Error::NotFound(format!("resource {resource_id}")))?;
    let copies = catalogue::list_copies(conn, resource_id)?;
    Ok(Availability {
        resource_id,
        from,
        to,
        copies: copies_availability(conn, copies, from, to)?
            .into_iter()
            .map(|(_, copy)| copy)
            .collect(),
    })
}

/// [`availability`] of several resources at once, in the order asked, for those still live (a
/// list of search results shows each one's first free week without a round of queries per
/// result): the same rule, over the copies of all of them read together.
pub fn availabilities(
    conn: &mut DbConnection,
    resource_ids: &[i64],
    from: NaiveDate,
    to: NaiveDate,
) -> Result<Vec<Availability>> {
    check_availability_range(from, to)?;
    let (live, copies) = catalogue::copies_of_live(conn, resource_ids)?;
    let mut copies_of: std::collections::HashMap<i64, Vec<CopyAvailability>> =
        live.into_iter().map(|id| (id, Vec::new())).collect();
    for copy in copies_availability(conn, copies, from, to)? {
        if let Some(list) = copies_of.get_mut(&copy.0) {
            list.push(copy.1);
        }
    }
    Ok(resource_ids
        .iter()
        .filter_map(|id| {
            copies_of.remove(id).map(|copies| Availability {
                resource_id: *id,
                from,
                to,
                copies,
            })
        })
        .collect())
}

/// The range an availability may span: `to` not before `from`, at most three years.
pub(super) fn check_availability_range(from: NaiveDate, to: NaiveDate) -> Result<()> {
    let mut v = Validator::new();
    if to < from {
        v.add("to", "must not be before from");
    } else if (to - from).num_days() > MAX_AVAILABILITY_DAYS {
        v.add("to", "the range spans at most three years");
    }
    v.finish()
}

/// The one rule of availability, over copies of one resource or several (in their order, with
/// each one's resource): a retired copy, one in maintenance or under an open repair is never
/// free; any other is free outside its active occupations. Two queries whatever the number of
/// copies.
pub(super) fn copies_availability(
    conn: &mut DbConnection,
    copies: Vec<catalogue::CopyRow>,
    from: NaiveDate,
    to: NaiveDate,
) -> Result<Vec<(i64, CopyAvailability)>> {
    let ids: Vec<i64> = copies.iter().map(|c| c.id).collect();
    if ids.is_empty() {
        return Ok(Vec::new());
    }
    let repairing = store::under_repair(conn, &ids)?;
    let mut busy: std::collections::HashMap<i64, Vec<(NaiveDate, NaiveDate)>> =
        std::collections::HashMap::new();
    for (copy_id, b_from, b_to) in store::busy_periods_of(conn, &ids, from, to)? {
        busy.entry(copy_id).or_default().push((b_from, b_to));
    }
    Ok(copies
        .into_iter()
        .map(|copy| {
            let status: CopyStatus = copy.status;
            let free = if matches!(status, CopyStatus::Retired | CopyStatus::Maintenance)
                || repairing.contains(&copy.id)
            {
                Vec::new()
            } else {
                period::free_periods(from, to, busy.remove(&copy.id).unwrap_or_default())
            };
            (
                copy.resource_id,
                CopyAvailability {
                    copy_id: copy.id,
                    asset_tag: copy.asset_tag,
                    status,
                    free,
                },
            )
        })
        .collect())
}
