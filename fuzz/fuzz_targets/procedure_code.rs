//! Any string: `ProcedureCode::parse` never panics, and whatever it accepts displays to a string
//! that parses back to the same value.
#![no_main]

use libfuzzer_sys::fuzz_target;
use motcua_domain::ids::ProcedureCode;

fuzz_target!(|data: &[u8]| {
    if let Ok(s) = std::str::from_utf8(data)
        && let Ok(v) = ProcedureCode::parse(s)
    {
        assert_eq!(ProcedureCode::parse(&v.to_string()), Ok(v));
    }
});
