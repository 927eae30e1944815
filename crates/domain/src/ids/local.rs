//! Identifiers this system gives out itself — tickets of the floor, citizens' accounts, filing
//! drafts, branches — as their own types, so that a ticket's number is never taken for a counter's, nor a
//! draft's id for a citizen's. They are opaque: the system made them, so there is nothing to
//! check beyond their type.

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

/// An opaque identifier made of text.
macro_rules! text_id {
    ($(#[$doc:meta])* $ty:ident) => {
        $(#[$doc])*
        #[derive(
            Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, serde::Serialize, serde::Deserialize,
        )]
        #[serde(transparent)]
        pub struct $ty(String);

        impl $ty {
            pub fn new(id: impl Into<String>) -> $ty {
                $ty(id.into())
            }

            pub fn as_str(&self) -> &str {
                &self.0
            }
        }

        impl fmt::Display for $ty {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str(&self.0)
            }
        }

        impl AsRef<str> for $ty {
            fn as_ref(&self) -> &str {
                &self.0
            }
        }

        /// Reads as its text wherever text is read (text becomes one only by an explicit
        /// conversion).
        impl std::ops::Deref for $ty {
            type Target = str;

            fn deref(&self) -> &str {
                &self.0
            }
        }

        impl PartialEq<str> for $ty {
            fn eq(&self, other: &str) -> bool {
                self.0 == other
            }
        }

        impl PartialEq<&str> for $ty {
            fn eq(&self, other: &&str) -> bool {
                self.0 == *other
            }
        }

        impl PartialEq<String> for $ty {
            fn eq(&self, other: &String) -> bool {
                self.0 == *other
            }
        }

        impl PartialEq<$ty> for &str {
            fn eq(&self, other: &$ty) -> bool {
                *self == other.0
            }
        }

        impl From<&str> for $ty {
            fn from(id: &str) -> $ty {
                $ty(id.to_string())
            }
        }

        impl From<String> for $ty {
            fn from(id: String) -> $ty {
                $ty(id)
            }
        }

        impl From<$ty> for String {
            fn from(id: $ty) -> String {
                id.0
            }
        }
    };
}

text_id!(
    /// A citizen's account (`ctz_…`).
    CitizenId
);
text_id!(
    /// A filing draft (`drf_…`).
    DraftId
);
text_id!(
    /// A branch of the centre (điểm tiếp nhận), e.g. `QN-HQ`, as administrators name it.
    BranchCode
);

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_ticket_id_reads_and_writes_as_its_number() {
        let id: TicketId = " 42 ".parse().expect("a number");
        assert_eq!((id.get(), id.to_string()), (42, "42".to_string()));
        assert!("A007".parse::<TicketId>().is_err());
    }

    #[test]
    fn text_ids_show_as_they_were_made() {
        let d = DraftId::new("drf_abc");
        assert_eq!(
            (d.as_str(), d.to_string()),
            ("drf_abc", "drf_abc".to_string())
        );
        // Text becomes an id only by an explicit conversion, and reads back unchanged.
        let c = CitizenId::from("ctz_1");
        assert!(c == "ctz_1" && c.len() == 5);
        assert_eq!(String::from(c), "ctz_1");
    }
}
