//! Who may work at a counter: one rule for the API and the pages.

use motcua_domain::ids::CounterCode;
use motcua_domain::role::Role;
use motcua_store::{Branch, StoreError, User};

use crate::App;

/// Why an officer may not work at a counter.
#[derive(Debug)]
pub enum CounterRefusal {
    /// No such branch, or no such counter in it (or a malformed code).
    Unknown,
    /// The counter exists; the officer is not a reception officer of the branch's agency.
    NotHere,
    Store(StoreError),
}

/// A branch by code, from the catalog held in memory (the store when it has not caught up).
pub async fn branch(state: &App, code: &str) -> Result<Option<Branch>, StoreError> {
    state
        .catalog
        .branch_where(state.store.as_ref(), code, |_| true)
        .await
}

/// The branch and number of counter `code` when `user` may work there: a reception officer of
/// an agency covering the branch's agency.
pub async fn at_counter(
    state: &App,
    user: &User,
    code: &CounterCode,
) -> Result<(Branch, i64), CounterRefusal> {
    let number = code.number();
    let branch = state
        .catalog
        .branch_where(state.store.as_ref(), code.branch(), |b| {
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
