//! `motcua calendar …`: holidays of a year, deadlines, lunar ↔ solar dates.

use std::path::PathBuf;
use std::process::ExitCode;

use chrono::{DateTime, NaiveDate, Utc};
use clap::Subcommand;
use motcua_domain::Lang;
use motcua_domain::calendar::{
    DayOverride, HolidayRules, LunarDate, ProcessingTime, TZ, days_off, lunar,
};

use crate::settings::{DEFAULT_DAYS, Policy};

#[derive(Subcommand)]
pub(crate) enum CalendarCommand {
    /// Weekdays off in a year as CSV `date,name` (weekends are not listed).
    Holidays {
        #[arg(long)]
        year: i32,
        /// Language of the names.
        #[arg(long, default_value = "vi")]
        lang: Lang,
        /// A CSV of year-specific decisions (`date,kind,name`) to use instead of the shipped one.
        #[arg(long)]
        days: Option<PathBuf>,
    },
    /// The due instant (RFC 3339, Vietnam time) of a limit counted from a receipt instant.
    Deadline {
        /// Receipt instant, RFC 3339 (e.g. 2025-04-25T15:30:00+07:00).
        #[arg(long)]
        from: String,
        #[arg(
            long,
            conflicts_with = "working_hours",
            required_unless_present = "working_hours"
        )]
        working_days: Option<u32>,
        #[arg(long)]
        working_hours: Option<u32>,
        #[arg(long)]
        days: Option<PathBuf>,
        #[command(flatten)]
        policy: Box<Policy>,
    },
    /// The Vietnamese lunar date of a solar date, as JSON.
    Lunar {
        #[arg(long)]
        solar: String,
    },
    /// The solar date of a Vietnamese lunar date.
    Solar {
        /// Lunar date as YYYY-MM-DD.
        #[arg(long)]
        lunar: String,
        /// The month is the leap (nhuận) month.
        #[arg(long)]
        leap: bool,
    },
}

fn fail(message: impl std::fmt::Display) -> ExitCode {
    eprintln!("error: {message}");
    ExitCode::from(2)
}

fn overrides(path: Option<&PathBuf>) -> Result<Vec<DayOverride>, String> {
    let text = match path {
        Some(p) => std::fs::read_to_string(p).map_err(|e| format!("{}: {e}", p.display()))?,
        None => DEFAULT_DAYS.to_string(),
    };
    DayOverride::parse_csv(&text).map_err(|e| motcua_i18n::localise(Lang::En, &e))
}

fn date(s: &str) -> Result<NaiveDate, String> {
    NaiveDate::parse_from_str(s.trim(), "%Y-%m-%d")
        .map_err(|_| format!("{s:?} is not a date (YYYY-MM-DD)"))
}

pub(crate) fn run(command: CalendarCommand) -> ExitCode {
    match command {
        CalendarCommand::Holidays { year, lang, days } => {
            if !(1901..=2100).contains(&year) {
                return fail("the year must be 1901 to 2100");
            }
            let overrides = match overrides(days.as_ref()) {
                Ok(o) => o,
                Err(e) => return fail(e),
            };
            println!("date,name");
            for h in days_off(year, &HolidayRules::default(), &overrides) {
                let name = h.name(lang);
                if name.contains([',', '"']) {
                    println!("{},\"{}\"", h.date, name.replace('"', "\"\""));
                } else {
                    println!("{},{name}", h.date);
                }
            }
            ExitCode::SUCCESS
        }
        CalendarCommand::Deadline {
            from,
            working_days,
            working_hours,
            days,
            policy,
        } => {
            let Ok(from) = DateTime::parse_from_rfc3339(from.trim()) else {
                return fail(format!(
                    "{from:?} is not an RFC 3339 instant (e.g. 2025-04-25T15:30:00+07:00)"
                ));
            };
            let limit = match (working_days, working_hours) {
                (Some(d), None) => ProcessingTime::WorkingDays(d),
                (None, Some(h)) => ProcessingTime::WorkingHours(h),
                _ => return fail("give --working-days N or --working-hours N"),
            };
            let calendar = match overrides(days.as_ref())
                .and_then(|o| policy.calendar(o).map_err(|e| e.to_string()))
            {
                Ok(c) => c,
                Err(e) => return fail(e),
            };
            let due = calendar.due(from.with_timezone(&Utc), limit);
            println!("{}", due.with_timezone(&TZ).to_rfc3339());
            ExitCode::SUCCESS
        }
        CalendarCommand::Lunar { solar } => {
            let d = match date(&solar) {
                Ok(d) => d,
                Err(e) => return fail(e),
            };
            match lunar::to_lunar(d) {
                Ok(l) => {
                    println!(
                        "{{\"year\":{},\"month\":{},\"day\":{},\"leap\":{}}}",
                        l.year, l.month, l.day, l.leap
                    );
                    ExitCode::SUCCESS
                }
                Err(e) => fail(motcua_i18n::localise(Lang::En, &e)),
            }
        }
        CalendarCommand::Solar { lunar: text, leap } => {
            let parts: Vec<&str> = text.trim().split('-').collect();
            let parsed = match parts.as_slice() {
                [y, m, d] => match (y.parse::<i32>(), m.parse::<u32>(), d.parse::<u32>()) {
                    (Ok(year), Ok(month), Ok(day)) => Some(LunarDate {
                        year,
                        month,
                        day,
                        leap,
                    }),
                    _ => None,
                },
                _ => None,
            };
            let Some(l) = parsed else {
                return fail(format!("{text:?} is not a lunar date (YYYY-MM-DD)"));
            };
            match lunar::to_solar(l) {
                Ok(d) => {
                    println!("{d}");
                    ExitCode::SUCCESS
                }
                Err(e) => fail(motcua_i18n::localise(Lang::En, &e)),
            }
        }
    }
}
