//! Identifiers of the Vietnamese administration, parsed, not validated: a value of these types
//! can only exist when it is well formed, so code past the boundary never checks again.
//! Every parser takes any string without panicking and returns a typed, localised error.

mod agency_code;
mod cccd;
mod counter_code;
mod daily_code;
mod dossier_code;
mod local;
mod phone;
mod procedure_code;
mod tax_code;

pub use agency_code::{AgencyCode, AgencyCodeError};
pub use cccd::{Cccd, CccdError, Gender, PROVINCE_BIRTH_CODES};
pub use counter_code::{CounterCode, CounterCodeError};
pub use daily_code::{
    DailyCode, DailyCodeError, PaknCode, PaknSeries, QuestionCode, QuestionSeries, Series,
};
pub use dossier_code::{DossierCode, DossierCodeError, DossierCodePrefix};
pub use local::{BranchCode, CitizenId, DraftId, TicketId};
pub use phone::{Phone, PhoneError};
pub use procedure_code::{ProcedureCode, ProcedureCodeError};
pub use tax_code::{TaxCode, TaxCodeError};

/// Implements `FromStr`, `TryFrom<String>`, `From<T> for String` and serde through the parser
/// and `Display`, so that every way into the type goes through `parse`.
macro_rules! string_id {
    ($ty:ty, $err:ty) => {
        impl std::str::FromStr for $ty {
            type Err = $err;
            fn from_str(s: &str) -> Result<Self, Self::Err> {
                <$ty>::parse(s)
            }
        }
        impl TryFrom<String> for $ty {
            type Error = $err;
            fn try_from(s: String) -> Result<Self, Self::Error> {
                <$ty>::parse(&s)
            }
        }
        impl From<$ty> for String {
            fn from(v: $ty) -> String {
                v.to_string()
            }
        }
        impl serde::Serialize for $ty {
            fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
                s.collect_str(self)
            }
        }
        impl<'de> serde::Deserialize<'de> for $ty {
            fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
                let s = <std::borrow::Cow<'de, str> as serde::Deserialize>::deserialize(d)?;
                <$ty>::parse(&s).map_err(serde::de::Error::custom)
            }
        }
    };
}
pub(crate) use string_id;

/// Shortens what a person typed for an error message, so a huge input never floods a response.
pub(crate) fn shown(input: &str) -> String {
    const MAX: usize = 40;
    if input.chars().count() <= MAX {
        input.to_string()
    } else {
        let mut s: String = input.chars().take(MAX).collect();
        s.push('…');
        s
    }
}
