//! The demo's whole catalog as the demo routes it: the 1,575 procedures handled at provincial
//! and commune level and the 207 of the national sample. Shared by the search benchmark and
//! the search tests that measure quality on it.

use motcua_catalog::portal::{CatalogAgencies, FieldRoutes, procedures};
use motcua_domain::ids::AgencyCode;
use motcua_procedures::Procedure;

const SAMPLE: &str = include_str!("../../../fixtures/catalog/tthc-national-sample-207.json");
const LOCAL: &str = include_str!("../../../fixtures/catalog/tthc-catalog-local-2026-06.json");
const ROUTING: &str = include_str!("../../../fixtures/catalog/routing-quang-ninh.csv");

pub fn demo_catalog() -> Vec<Procedure> {
    let a = |s: &str| AgencyCode::parse(s).expect("code");
    let agencies = CatalogAgencies {
        province: a("000.00.00.H22"),
        military_command: a("000.00.20.H22"),
        inspectorate: a("000.00.15.H22"),
        ministry: a("000.00.00.G01"),
    };
    let mut demo = procedures(SAMPLE, &agencies).expect("sample catalog");
    let routes =
        FieldRoutes::parse(ROUTING, agencies.province, a("000.00.14.H22")).expect("routing");
    demo.extend(procedures(LOCAL, &routes).expect("local catalog"));
    demo
}
