//! The public's pages: the catalog and home page, agencies and branches, tracking, the
//! verification of an electronic result, the service index, feedback, the 24/7 support page,
//! and the payment gateway's return page and sandbox.

pub(crate) mod catalog;
pub(crate) mod open_data;
pub(crate) mod pakn;
pub(crate) mod payments;
pub(crate) mod places;
pub(crate) mod procedure;
pub(crate) mod sandbox;
pub(crate) mod service_index;
pub(crate) mod support;
pub(crate) mod track;
pub(crate) mod verify;
