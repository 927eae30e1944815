//! Any string: `AgencyCode::parse` never panics, and whatever it accepts displays to a string
//! that parses back to the same value.
#![no_main]

use libfuzzer_sys::fuzz_target;
use motcua_domain::ids::AgencyCode;

fuzz_target!(|data: &[u8]| {
    if let Ok(s) = std::str::from_utf8(data)
        && let Ok(v) = AgencyCode::parse(s)
    {
        assert_eq!(AgencyCode::parse(&v.to_string()), Ok(v));
    }
});
