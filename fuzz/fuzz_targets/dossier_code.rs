//! Any string: `DossierCode::parse` never panics, and whatever it accepts displays to a string
//! that parses back to the same value.
#![no_main]

use libfuzzer_sys::fuzz_target;
use motcua_domain::ids::DossierCode;

fuzz_target!(|data: &[u8]| {
    if let Ok(s) = std::str::from_utf8(data)
        && let Ok(v) = DossierCode::parse(s)
    {
        assert_eq!(DossierCode::parse(&v.to_string()), Ok(v));
    }
});
