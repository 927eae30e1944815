//! Identifiers this system gives out itself (tickets of the floor), as their own types so that
//! a ticket's number is never mistaken for a counter's or a rating's.

use std::fmt;

/// A queue ticket's number in the database (not the `A007` shown on the ticket).
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, serde::Serialize, serde::Deserialize,
)]
#[serde(transparent)]
pub struct TicketId(i64);

impl TicketId {
    pub const fn new(id: i64) -> TicketId {
        TicketId(id)
    }

    pub const fn get(self) -> i64 {
        self.0
    }
}

impl fmt::Display for TicketId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.0.fmt(f)
    }
}

impl std::str::FromStr for TicketId {
    type Err = std::num::ParseIntError;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        s.trim().parse().map(TicketId)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_ticket_id_reads_and_writes_as_its_number() {
        let id: TicketId = " 42 ".parse().expect("a number");
        assert_eq!((id.get(), id.to_string()), (42, "42".to_string()));
        assert!("A007".parse::<TicketId>().is_err());
    }
}
