//! Who may work at a counter: one rule for the API and the pages.

use motcua_domain::role::Role;
use motcua_store::{Branch, StoreError, User};

use crate::AppState;

/// Why an officer may not work at a counter.
#[derive(Debug)]
pub(crate) enum CounterRefusal {
    /// No such branch, or no such counter in it (or a malformed code).
    Unknown,
    /// The counter exists; the officer is not a reception officer of the branch's agency.
    NotHere,
    Store(StoreError),
}

/// A branch by code: from the catalog held in memory, or from the store when the catalog has
/// not caught up with a branch just added.
pub(crate) async fn branch(state: &AppState, code: &str) -> Result<Option<Branch>, StoreError> {
    branch_with(state, code, |_| true).await
}

/// A branch by code that passes `fits` (say, has a counter): from the catalog held in memory,
/// or from the store when the catalog's copy is missing or has not caught up.
async fn branch_with(
    state: &AppState,
    code: &str,
    fits: impl Fn(&Branch) -> bool,
) -> Result<Option<Branch>, StoreError> {
    if let Some(known) = state
        .catalog
        .branches()
        .iter()
        .find(|b| b.code == code && fits(b))
    {
        return Ok(Some(known.clone()));
    }
    Ok(state
        .store
        .branches()
        .await?
        .into_iter()
        .find(|b| b.code == code && fits(b)))
}

/// The branch and number of counter `code` (`{branch}-{number}`, e.g. `QN-HQ-01`) when `user`
/// may work there: a reception officer of an agency covering the branch's agency.
pub(crate) async fn at_counter(
    state: &AppState,
    user: &User,
    code: &str,
) -> Result<(Branch, i64), CounterRefusal> {
    let (branch_code, number) = code
        .rsplit_once('-')
        .and_then(|(b, n)| Some((b, n.parse::<i64>().ok()?)))
        .ok_or(CounterRefusal::Unknown)?;
    let branch = branch_with(state, branch_code, |b| {
        b.counters.iter().any(|c| c.number == number)
    })
    .await
    .map_err(CounterRefusal::Store)?
    .ok_or(CounterRefusal::Unknown)?;
    let serves =
        user.role == Role::Reception && user.agency.is_some_and(|a| a.covers(&branch.agency));
    if !serves {
        return Err(CounterRefusal::NotHere);
    }
    Ok((branch, number))
}
