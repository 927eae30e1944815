//! The working-time calendar: the Vietnamese lunar calendar, statutory holidays and
//! year-specific day swaps, office hours, and arithmetic in working days and hours in
//! Asia/Ho_Chi_Minh.

mod holidays;
pub mod lunar;
mod working;

pub use holidays::{
    CalendarDataError, DayKind, DayOverride, Holiday, HolidayKind, HolidayRules, days_off,
    statutory_holidays,
};
pub use lunar::{LunarDate, LunarError};
pub use working::{
    CalendarConfig, DayOneRule, OfficeHours, OfficeHoursError, ProcessingTime, TZ, WorkingCalendar,
};
