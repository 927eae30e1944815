//! The calendar commands as a user runs them.

use std::process::Command;

use chrono::{Datelike, NaiveDate, Weekday};

fn run(args: &[&str]) -> (i32, String, String) {
    let out = Command::new(env!("CARGO_BIN_EXE_motcua"))
        .args(args)
        .output()
        .expect("run motcua");
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&out.stdout).into(),
        String::from_utf8_lossy(&out.stderr).into(),
    )
}

#[test]
fn holidays_are_csv_without_weekends() {
    let (code, out, _) = run(&["calendar", "holidays", "--year", "2026"]);
    assert_eq!(code, 0);
    let mut lines = out.lines();
    assert_eq!(lines.next(), Some("date,name"));
    let rows: Vec<(NaiveDate, String)> = lines
        .map(|l| {
            let (d, n) = l.split_once(',').unwrap();
            (
                NaiveDate::parse_from_str(d, "%Y-%m-%d").unwrap(),
                n.to_string(),
            )
        })
        .collect();
    assert!(
        rows.iter()
            .all(|(d, _)| !matches!(d.weekday(), Weekday::Sat | Weekday::Sun))
    );
    let dates: Vec<String> = rows.iter().map(|(d, _)| d.to_string()).collect();
    // Published 2026 schedule: Tết 16–20/2 (weekdays of 14–22/2); Hùng Kings Sunday 26/4 → Monday 27/4.
    for d in [
        "2026-01-01",
        "2026-02-16",
        "2026-02-17",
        "2026-02-18",
        "2026-02-19",
        "2026-02-20",
        "2026-04-27",
        "2026-04-30",
        "2026-05-01",
        "2026-09-02",
    ] {
        assert!(dates.contains(&d.to_string()), "{d} missing from {dates:?}");
    }
    let (_, en, _) = run(&["calendar", "holidays", "--year", "2026", "--lang", "en"]);
    assert!(en.contains("2026-09-02,National Day"), "{en}");
}

#[test]
fn deadline_of_the_worked_example() {
    let (code, out, _) = run(&[
        "calendar",
        "deadline",
        "--from",
        "2025-04-25T15:30:00+07:00",
        "--working-days",
        "3",
    ]);
    assert_eq!((code, out.trim()), (0, "2025-05-05T16:30:00+07:00"));
    let (_, out, _) = run(&[
        "calendar",
        "deadline",
        "--from",
        "2025-04-25T15:30:00+07:00",
        "--working-days",
        "3",
        "--day-one",
        "receipt",
    ]);
    assert_eq!(out.trim(), "2025-04-29T16:30:00+07:00");
    let (_, out, _) = run(&[
        "calendar",
        "deadline",
        "--from",
        "2025-04-24T03:00:00Z",
        "--working-hours",
        "4",
    ]);
    assert_eq!(out.trim(), "2025-04-24T16:00:00+07:00");
}

#[test]
fn lunar_and_solar() {
    let (code, out, _) = run(&["calendar", "lunar", "--solar", "2025-07-25"]);
    assert_eq!(
        (code, out.trim()),
        (0, r#"{"year":2025,"month":6,"day":1,"leap":true}"#)
    );
    let (_, out, _) = run(&["calendar", "lunar", "--solar", "2030-02-02"]);
    assert_eq!(
        out.trim(),
        r#"{"year":2030,"month":1,"day":1,"leap":false}"#
    );
    let (_, out, _) = run(&["calendar", "solar", "--lunar", "2025-06-01", "--leap"]);
    assert_eq!(out.trim(), "2025-07-25");
    let (_, out, _) = run(&["calendar", "solar", "--lunar", "2026-03-10"]);
    assert_eq!(out.trim(), "2026-04-26");
}

#[test]
fn bad_input_is_a_clear_error() {
    for args in [
        &["calendar", "lunar", "--solar", "2025-02-30"][..],
        &["calendar", "solar", "--lunar", "2024-06-01", "--leap"],
        &["calendar", "solar", "--lunar", "x"],
        &[
            "calendar",
            "deadline",
            "--from",
            "yesterday",
            "--working-days",
            "1",
        ],
        &["calendar", "holidays", "--year", "3000"],
        &["calendar", "lunar", "--solar", "1850-01-01"],
    ] {
        let (code, out, err) = run(args);
        assert_eq!(code, 2, "{args:?}");
        assert!(
            out.is_empty() && err.starts_with("error: "),
            "{args:?}: {err}"
        );
    }
}

#[test]
fn catalog_export_and_import_through_the_command_line() {
    let dir = std::env::temp_dir().join(format!("motcua-cli-catalog-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let url = format!("sqlite://{}?mode=rwc", dir.join("db.sqlite").display());
    let creds = dir.join("creds.json");
    let (code, _, err) = run(&[
        "seed",
        "--database-url",
        &url,
        "--history",
        "0",
        "--credentials",
        creds.to_str().unwrap(),
    ]);
    assert_eq!(code, 0, "{err}");
    let xlsx = dir.join("catalog.xlsx");
    let (code, _, err) = run(&[
        "export-catalog",
        "--format",
        "xlsx",
        "--out",
        xlsx.to_str().unwrap(),
        "--database-url",
        &url,
    ]);
    assert_eq!(code, 0, "{err}");
    assert!(err.contains("exported 1782 procedures"), "{err}");
    let (code, _, err) = run(&[
        "import-catalog",
        xlsx.to_str().unwrap(),
        "--database-url",
        &url,
    ]);
    assert_eq!(
        (code, err.contains("imported 1782 procedures")),
        (0, true),
        "{err}"
    );
    let bad = dir.join("bad.json");
    std::fs::write(
        &bad,
        r#"{"format":"motcua-catalog","version":1,"procedures":[{"code":"x"}]}"#,
    )
    .unwrap();
    let (code, _, err) = run(&[
        "import-catalog",
        bad.to_str().unwrap(),
        "--database-url",
        &url,
    ]);
    assert_eq!(code, 2);
    assert!(
        err.contains("nothing was imported") && err.contains("procedures[0]"),
        "{err}"
    );
    std::fs::remove_dir_all(&dir).ok();
}
