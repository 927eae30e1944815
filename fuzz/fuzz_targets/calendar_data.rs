//! Any text as the calendar data file: a typed error or a list, never a panic; accepted data
//! always builds a working calendar.
#![no_main]

use libfuzzer_sys::fuzz_target;
use motcua_domain::calendar::{CalendarConfig, DayOverride, WorkingCalendar};

fuzz_target!(|data: &[u8]| {
    if let Ok(s) = std::str::from_utf8(data)
        && let Ok(days) = DayOverride::parse_csv(s)
        && days.len() < 50
    {
        assert!(WorkingCalendar::new(CalendarConfig { overrides: days, ..CalendarConfig::default() }).is_ok());
    }
});
