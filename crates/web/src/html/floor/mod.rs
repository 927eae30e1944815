//! The floor: the kiosk, the boards, the counter console, the counter's rating tablet, the
//! public satisfaction summary and appointment booking.

pub(crate) mod appointments;
pub(crate) mod device;
pub(crate) mod kiosk;
pub(crate) mod rating;
