use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

use chrono::{NaiveDate, TimeZone, Utc};
use motcua_domain::calendar::{CalendarDataError, LunarError, OfficeHoursError};
use motcua_domain::ids::{
    AgencyCodeError, CccdError, CounterCodeError, DossierCodeError, PhoneError, ProcedureCodeError,
    TaxCodeError,
};
use motcua_domain::lifecycle::{LifecycleError, Status};
use motcua_domain::queue::CheckInError;
use motcua_domain::role::Role;

use super::*;

const VI_ERRORS: &str = include_str!("../locales/vi/errors.ftl");
const EN_ERRORS: &str = include_str!("../locales/en/errors.ftl");

fn keys(text: &str) -> Vec<String> {
    let mut v: Vec<String> = text
        .lines()
        .filter(|l| !l.starts_with(' ') && !l.starts_with('#') && l.contains(" = "))
        .map(|l| l.split(" = ").next().unwrap_or_default().trim().to_string())
        .collect();
    v.sort();
    v
}

#[test]
fn both_catalogs_have_the_same_keys() {
    let vi = keys(VI_ERRORS);
    assert!(vi.len() > 100, "only {} messages", vi.len());
    assert_eq!(vi, keys(EN_ERRORS));
    let unique: BTreeSet<&String> = vi.iter().collect();
    assert_eq!(unique.len(), vi.len(), "a message id appears twice");
}

fn rust_files(dir: PathBuf, into: &mut Vec<PathBuf>) {
    for entry in std::fs::read_dir(&dir).expect("source directory").flatten() {
        let path = entry.path();
        if path.is_dir() {
            rust_files(path, into);
        } else if path.extension().is_some_and(|e| e == "rs") {
            into.push(path);
        }
    }
}

/// Every `error-…` id named anywhere in the source of the workspace has words in both
/// catalogs. (Every argument the catalogs use is given, so that a lookup does not fail for
/// want of one; the tests below check that each error gives its own.)
#[test]
fn every_error_id_in_the_code_has_words() {
    let crates = Path::new(env!("CARGO_MANIFEST_DIR")).join("..");
    let mut files = Vec::new();
    for entry in std::fs::read_dir(&crates).expect("crates").flatten() {
        let src = entry.path().join("src");
        if src.is_dir() {
            rust_files(src, &mut files);
        }
    }
    let mut ids = BTreeSet::new();
    for file in files {
        let text = std::fs::read_to_string(&file).expect("source file");
        for (i, _) in text.match_indices("\"error-") {
            let id: String = text[i + 1..]
                .chars()
                .take_while(|c| c.is_ascii_alphanumeric() || *c == '-')
                .collect();
            if id.len() > "error-".len() {
                ids.insert(id);
            }
        }
    }
    assert!(ids.len() > 100, "found only {} ids", ids.len());
    let mut names = BTreeSet::new();
    for (i, _) in VI_ERRORS.match_indices("{ $") {
        let name: String = VI_ERRORS[i + 3..]
            .chars()
            .take_while(|c| c.is_ascii_alphanumeric() || *c == '_')
            .collect();
        names.insert(name);
    }
    let args: HashMap<Cow<'static, str>, FluentValue<'static>> = names
        .into_iter()
        .map(|n| (Cow::Owned(n), FluentValue::from("1")))
        .collect();
    for id in ids {
        for lang in [Lang::Vi, Lang::En] {
            let found = ERRORS.try_lookup_with_args(super::id(lang), &id, &args);
            assert!(found.is_some(), "{id} has no {lang:?} message");
        }
    }
}

/// One of every error of the domain, each of its variants.
fn domain_errors() -> Vec<Box<dyn Localise>> {
    let date = NaiveDate::from_ymd_opt(2026, 9, 2).expect("a date");
    let at = Utc
        .with_ymd_and_hms(2026, 9, 3, 1, 30, 0)
        .single()
        .expect("a time");
    let lifecycle = vec![
        LifecycleError::NotOpened,
        LifecycleError::AlreadyOpened,
        LifecycleError::RoleNotAllowed {
            role: Role::Specialist,
            action: "approve",
        },
        LifecycleError::OutOfScope,
        LifecycleError::InvalidTransition {
            status: Status::Returned,
            action: "approve",
        },
        LifecycleError::Text {
            field: "reason",
            max: 2000,
        },
        LifecycleError::NoNextStep,
        LifecycleError::NoPreviousStep,
        LifecycleError::NotApproved,
        LifecycleError::AlreadyReappointed,
        LifecycleError::DueNotLater,
        LifecycleError::SameAgency,
        LifecycleError::RefusalNotProposed,
        LifecycleError::FeeUnpaid {
            due: 100_000,
            paid: 0,
        },
        LifecycleError::AlreadyPaid,
        LifecycleError::BadAmount,
        LifecycleError::AlreadyRated,
        LifecycleError::BadScore,
    ];
    let mut all: Vec<Box<dyn Localise>> = lifecycle
        .into_iter()
        .map(|e| Box::new(e) as Box<dyn Localise>)
        .collect();
    let others: Vec<Box<dyn Localise>> = vec![
        Box::new(CccdError::WrongLength("123".into())),
        Box::new(CccdError::NotDigits("12345678901x".into())),
        Box::new(CccdError::UnknownProvince("003".into())),
        Box::new(CccdError::BirthYearMismatch {
            encoded: 1990,
            given: 1991,
        }),
        Box::new(PhoneError::BadCharacters("09x".into())),
        Box::new(PhoneError::WrongLength("0912".into())),
        Box::new(PhoneError::NotMobile("0241234567".into())),
        Box::new(TaxCodeError::WrongLength("12".into())),
        Box::new(TaxCodeError::NotDigits("12a".into())),
        Box::new(TaxCodeError::ZeroSerial),
        Box::new(TaxCodeError::ZeroBranch),
        Box::new(TaxCodeError::CheckDigit),
        Box::new(AgencyCodeError::Shape("x".into())),
        Box::new(AgencyCodeError::Hierarchy("000.00.31.H22".into())),
        Box::new(DossierCodeError::Shape("x".into())),
        Box::new(DossierCodeError::Date("251301".into())),
        Box::new(DossierCodeError::Agency(AgencyCodeError::Shape("x".into()))),
        Box::new(ProcedureCodeError("x".into())),
        Box::new(CounterCodeError("x".into())),
        Box::new(CheckInError::TooEarly(at)),
        Box::new(CheckInError::Missed),
        Box::new(OfficeHoursError::Syntax("7-11".into())),
        Box::new(OfficeHoursError::Order("mon".into())),
        Box::new(OfficeHoursError::Closed),
        Box::new(CalendarDataError::Shape { line: 3 }),
        Box::new(CalendarDataError::Date {
            line: 3,
            value: "x".into(),
        }),
        Box::new(CalendarDataError::Kind {
            line: 3,
            value: "x".into(),
        }),
        Box::new(CalendarDataError::Duplicate { line: 3, date }),
        Box::new(LunarError::OutOfRange),
        Box::new(LunarError::NotLeapMonth {
            year: 2026,
            month: 3,
        }),
        Box::new(LunarError::BadDate),
        Box::new(LunarError::DayPastMonthEnd {
            year: 2026,
            month: 2,
            len: 29,
        }),
    ];
    all.extend(others);
    all
}

/// Every error of the domain gives its message every argument it needs: the words come out
/// whole in both languages, and differ between them.
#[test]
fn every_domain_error_has_whole_words_in_both_languages() {
    for e in domain_errors() {
        let w = e.wording();
        let vi = say(Lang::Vi, &w);
        let en = say(Lang::En, &w);
        for text in [&vi, &en] {
            assert!(text != w.key && !text.contains('{'), "{}: {text}", e.code());
        }
        assert_ne!(vi, en, "{}", e.code());
    }
}

#[test]
fn domain_messages_read_as_before() {
    let e = CccdError::WrongLength("x".into());
    assert!(localise(Lang::Vi, &e).contains("12 chữ số"));
    assert!(localise(Lang::En, &e).contains("12 digits"));
    assert!(localise(Lang::Vi, &CheckInError::Missed).contains("số thứ tự thông thường"));
    // A status is named in the reader's language.
    let e = LifecycleError::InvalidTransition {
        status: Status::Returned,
        action: "approve",
    };
    assert!(localise(Lang::Vi, &e).contains(Status::Returned.label(Lang::Vi)));
    assert!(localise(Lang::En, &e).contains(Status::Returned.label(Lang::En)));
    // Amounts are grouped the Vietnamese way; a year is shown as given.
    let e = LifecycleError::FeeUnpaid {
        due: 2_000_000,
        paid: 0,
    };
    assert!(localise(Lang::Vi, &e).contains("2.000.000 đồng"));
    assert!(localise(Lang::En, &e).contains("2.000.000 đồng"));
    let e = LunarError::NotLeapMonth {
        year: 2026,
        month: 3,
    };
    assert_eq!(
        localise(Lang::En, &e),
        "Lunar month 3 of 2026 is not a leap month."
    );
}

#[test]
fn an_unknown_id_is_shown_as_itself() {
    // (Spelled in two parts so that the scan above does not take it for an id in use.)
    let id = concat!("error", "-nonsense");
    assert_eq!(text(Lang::En, id), id);
}
