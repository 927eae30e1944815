//! Cross-checks the lunar calendar and the holiday rules against a published table: the dates
//! of Tết (1st day of the 1st lunar month) and of the Hùng Kings' day (10th day of the 3rd
//! lunar month) for 1901–2100 in the Vietnamese calendar, from the `holidays` library
//! (vacanza/holidays, MIT; `holidays/calendars/chinese.py`, Chinese tables with its
//! Vietnamese-calendar corrections applied). See `tests/data/SOURCES.md`.

use chrono::NaiveDate;
use motcua_domain::calendar::{HolidayRules, LunarDate, lunar, statutory_holidays};

const TABLE: &str = include_str!("data/tet-hung-kings-1901-2100.csv");

fn rows() -> Vec<(i32, NaiveDate, NaiveDate)> {
    TABLE
        .lines()
        .skip(1)
        .map(|l| {
            let f: Vec<&str> = l.split(',').collect();
            let date = |s: &str| NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap();
            (f[0].parse().unwrap(), date(f[1]), date(f[2]))
        })
        .collect()
}

#[test]
fn tet_matches_the_published_table_for_two_centuries() {
    let rows = rows();
    assert_eq!(rows.len(), 200);
    for (year, tet, _) in rows {
        let first = LunarDate {
            year,
            month: 1,
            day: 1,
            leap: false,
        };
        assert_eq!(lunar::to_solar(first), Ok(tet), "Tết {year}");
        assert_eq!(lunar::to_lunar(tet), Ok(first), "Tết {year}");
    }
}

#[test]
fn hung_kings_day_matches_the_published_table() {
    for (year, _, hung) in rows() {
        let tenth = LunarDate {
            year,
            month: 3,
            day: 10,
            leap: false,
        };
        assert_eq!(lunar::to_solar(tenth), Ok(hung), "Hùng Kings {year}");
        if year >= 2007 {
            let listed = statutory_holidays(year, &HolidayRules::default());
            assert!(
                listed
                    .iter()
                    .any(|h| h.date == hung && h.name_vi.contains("Hùng")),
                "{year}"
            );
        }
    }
}
