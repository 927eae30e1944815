//! Any string: `TaxCode::parse` never panics, and whatever it accepts displays to a string
//! that parses back to the same value.
#![no_main]

use libfuzzer_sys::fuzz_target;
use motcua_domain::ids::TaxCode;

fuzz_target!(|data: &[u8]| {
    if let Ok(s) = std::str::from_utf8(data)
        && let Ok(v) = TaxCode::parse(s)
    {
        assert_eq!(TaxCode::parse(&v.to_string()), Ok(v));
    }
});
