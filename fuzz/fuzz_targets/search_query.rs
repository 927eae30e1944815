//! Any search text (and filter values) against the demo catalog: a result or a typed error
//! (too long), never a panic; the page never exceeds the limit and the total covers it.
#![no_main]

use std::collections::HashMap;
use std::sync::OnceLock;

use libfuzzer_sys::fuzz_target;
use motcua_catalog::portal::{CatalogAgencies, procedures};
use motcua_domain::ids::AgencyCode;
use motcua_search::{CatalogIndex, SearchQuery};

fn index() -> &'static CatalogIndex {
    static INDEX: OnceLock<CatalogIndex> = OnceLock::new();
    INDEX.get_or_init(|| {
        let a = |s: &str| AgencyCode::parse(s).expect("code");
        let agencies = CatalogAgencies { province: a("000.00.00.H22"), military_command: a("000.00.20.H22"), inspectorate: a("000.00.15.H22"), ministry: a("000.00.00.G01") };
        let list = procedures(include_str!("../../fixtures/catalog/tthc-national-sample-207.json"), &agencies).expect("catalog");
        CatalogIndex::build(&list, &HashMap::new()).expect("index")
    })
}

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else { return };
    let (query, field) = text.split_once('\u{1f}').unwrap_or((text, ""));
    let q = SearchQuery {
        text: Some(query.to_string()),
        field: (!field.is_empty()).then(|| field.to_string()),
        offset: data.len() % 7,
        limit: 1 + data.len() % 20,
        ..SearchQuery::default()
    };
    if let Ok(r) = index().search(&q) {
        assert!(r.items.len() <= q.limit);
        assert!(r.total >= r.items.len());
    }
});
