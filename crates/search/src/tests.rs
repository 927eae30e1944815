use super::*;
use motcua_domain::calendar::ProcessingTime;
use motcua_domain::procedure::SupplementClock;
use motcua_procedures::RequiredDocument;
use proptest::prelude::*;

fn agency(s: &str) -> AgencyCode {
    AgencyCode::parse(s).unwrap()
}

fn procedure(
    code: &str,
    name: &str,
    field: &str,
    agency_code: &str,
    level: &str,
    online: OnlineLevel,
) -> Procedure {
    Procedure {
        code: ProcedureCode::parse(code).unwrap(),
        name: name.into(),
        name_en: None,
        decision: None,
        field: field.into(),
        level: level.into(),
        agency: agency(agency_code),
        implementing_body: String::new(),
        competent_body: String::new(),
        online_level: online,
        processing_time: Some(ProcessingTime::WorkingDays(3)),
        supplement_clock: SupplementClock::Restart,
        steps: vec![],
        methods: vec![],
        documents: vec![RequiredDocument {
            name: "Tờ khai".into(),
            originals: Some(1),
            copies: None,
            template: None,
        }],
        conditions: None,
        result: None,
        target_subjects: None,
        legal_basis: vec![],
        form_schema: serde_json::json!({}),
        provenance: None,
        missing: vec![],
    }
}

fn catalog() -> CatalogIndex {
    let list = vec![
        procedure(
            "1.001193",
            "Đăng ký khai sinh",
            "Hộ tịch",
            "000.00.03.H22",
            "Cấp Xã",
            OnlineLevel::Full,
        ),
        procedure(
            "1.001022",
            "Đăng ký khai sinh có yếu tố nước ngoài",
            "Hộ tịch",
            "000.00.03.H22",
            "Cấp Xã",
            OnlineLevel::Partial,
        ),
        procedure(
            "1.000894",
            "Đăng ký kết hôn",
            "Hộ tịch",
            "000.00.03.H22",
            "Cấp Xã",
            OnlineLevel::Full,
        ),
        procedure(
            "2.000635",
            "Cấp bản sao trích lục hộ tịch",
            "Hộ tịch",
            "000.00.02.H22",
            "Cấp Tỉnh",
            OnlineLevel::Partial,
        ),
        procedure(
            "1.013133",
            "Thủ tục đăng ký nghĩa vụ quân sự lần đầu",
            "Nghĩa vụ quân sự",
            "000.00.20.H22",
            "Cấp Xã",
            OnlineLevel::None,
        ),
        procedure(
            "1.004227",
            "Cấp giấy phép xây dựng",
            "Xây dựng",
            "000.00.04.H22",
            "Cấp Tỉnh",
            OnlineLevel::Partial,
        ),
    ];
    let names = HashMap::from([(
        agency("000.00.20.H22"),
        "Bộ Chỉ huy Quân sự tỉnh".to_string(),
    )]);
    CatalogIndex::build(&list, &names, &Phrases::built_in()).unwrap()
}

fn codes(r: &SearchResult) -> Vec<String> {
    r.items.iter().map(|i| i.code.to_string()).collect()
}

fn search(index: &CatalogIndex, text: &str) -> SearchResult {
    index
        .search(&SearchQuery {
            text: Some(text.into()),
            limit: 20,
            ..SearchQuery::default()
        })
        .unwrap()
}

#[test]
fn folds_diacritics_and_ranks_the_exact_name_first() {
    let index = catalog();
    let r = search(&index, "dang ky khai sinh");
    assert_eq!(codes(&r), ["1.001193", "1.001022"]);
    assert_eq!(
        codes(&search(&index, "ĐĂNG KÝ KHAI SINH")),
        ["1.001193", "1.001022"]
    );
    // Decomposed (NFD) input finds the same.
    assert_eq!(
        codes(&search(&index, "Đa\u{306}ng ky\u{301} khai sinh")),
        ["1.001193", "1.001022"]
    );
    // Both words of a two-word query must match.
    assert_eq!(search(&index, "dang ky").total, 4);
}

#[test]
fn tolerates_one_typo_per_word() {
    let index = catalog();
    assert_eq!(
        codes(&search(&index, "dang ki khai sinh")),
        ["1.001193", "1.001022"]
    );
    assert_eq!(codes(&search(&index, "giay phep xay dugn")), ["1.004227"]);
    assert_eq!(codes(&search(&index, "nghia vu quan su")), ["1.013133"]);
    assert_eq!(search(&index, "zzzzzz qqqqqq").total, 0);
}

#[test]
fn nothing_relevant_says_so_and_suggests_fields() {
    let index = catalog();
    let r = search(&index, "mua vé máy bay giá rẻ");
    assert_eq!((r.total, r.items.len()), (0, 0));
    assert!(!r.suggested_fields.is_empty());
    // A word of a field's name brings that field first.
    let r = search(&index, "hộ tịch xyzzy quux");
    assert_eq!(r.total, 0);
    assert_eq!(r.suggested_fields[0].0, "Hộ tịch");
    // Found something: no suggestions.
    assert!(search(&index, "khai sinh").suggested_fields.is_empty());
}

#[test]
fn spoken_questions_colloquial_names_and_spelling_variants() {
    let index = catalog();
    // Filler words of a spoken question do not stop the match.
    let r = search(
        &index,
        "tôi muốn đăng ký khai sinh cho con thì cần giấy tờ gì",
    );
    assert_eq!(codes(&r)[0], "1.001193");
    // i and y after a consonant are one letter: "kí" is "ký".
    assert_eq!(codes(&search(&index, "đăng kí khai sinh"))[0], "1.001193");
    // Most words, not all, must match: one word no procedure has does not hide the rest.
    assert_eq!(
        codes(&search(&index, "đăng ký khai sinh gấp"))[0],
        "1.001193"
    );
}

#[test]
fn marks_typed_are_respected_and_absent_ones_ignored() {
    let list = vec![
        procedure(
            "1.000894",
            "Đăng ký kết hôn",
            "Hộ tịch",
            "000.00.03.H22",
            "Cấp Xã",
            OnlineLevel::Full,
        ),
        procedure(
            "1.000001",
            "Phê duyệt kế hoạch ứng phó sự cố tràn dầu lớn hơn 20 tấn",
            "Ứng phó sự cố tràn dầu",
            "000.00.08.H22",
            "Cấp Tỉnh",
            OnlineLevel::None,
        ),
        procedure(
            "1.000002",
            "Đăng ký hòa giải viên thương mại",
            "Hòa giải thương mại",
            "000.00.12.H22",
            "Cấp Tỉnh",
            OnlineLevel::Partial,
        ),
    ];
    let index = CatalogIndex::build(&list, &HashMap::new(), &Phrases::built_in()).unwrap();
    // "hôn" is not "hơn": with its marks, the word means what was typed.
    assert_eq!(codes(&search(&index, "kết hôn")), ["1.000894"]);
    assert_eq!(codes(&search(&index, "hơn")), ["1.000001"]);
    // Without marks, both.
    let mut both = codes(&search(&index, "hon"));
    both.sort();
    assert_eq!(both, ["1.000001", "1.000894"]);
    // The tone may sit on either vowel: "hoà" is "hòa".
    assert_eq!(codes(&search(&index, "hoà giải")), ["1.000002"]);
    assert_eq!(codes(&search(&index, "hòa giải")), ["1.000002"]);
    // Marks that match nothing are ignored as a last try, rather than finding nothing.
    assert_eq!(codes(&search(&index, "kêt hôn")), ["1.000894"]);
    assert_eq!(words::marked_word("Hồn"), "hôn1");
    assert_eq!(words::marked_word("hoà"), words::marked_word("hòa"));
}

#[test]
fn a_national_code_hits_exactly() {
    let index = catalog();
    assert_eq!(codes(&search(&index, "1.000894"))[0], "1.000894");
    assert_eq!(codes(&search(&index, " 1.000894.H22 "))[0], "1.000894");
    // It is counted as the one match it is, not shown above "nothing found".
    let r = search(&index, "1.000894");
    assert_eq!(r.total, 1);
    assert_eq!(codes(&r), ["1.000894"]);
}

#[test]
fn the_full_name_of_a_long_procedure_pasted_as_a_query_finds_it_first() {
    let long_name = format!(
        "Đăng ký biến động {}",
        "quyền sử dụng đất và tài sản gắn liền với đất, ".repeat(25)
    );
    let mut list = vec![procedure(
        "1.013980",
        &long_name,
        "Đất đai",
        "000.00.08.H22",
        "Cấp Tỉnh",
        OnlineLevel::Partial,
    )];
    list.push(procedure(
        "1.013981",
        "Đăng ký biến động quyền sử dụng đất",
        "Đất đai",
        "000.00.08.H22",
        "Cấp Tỉnh",
        OnlineLevel::Partial,
    ));
    let index = CatalogIndex::build(&list, &HashMap::new(), &Phrases::built_in()).unwrap();
    assert!(long_name.chars().count() > 1_000);
    assert_eq!(codes(&search(&index, &long_name))[0], "1.013980");
}

#[test]
fn searches_the_agency_and_documents() {
    let index = catalog();
    assert_eq!(codes(&search(&index, "chi huy quan su")), ["1.013133"]);
    assert_eq!(search(&index, "to khai").total, 6);
}

#[test]
fn filters_and_facets() {
    let index = catalog();
    let q = SearchQuery {
        text: Some("dang ky".into()),
        field: Some("Hộ tịch".into()),
        limit: 20,
        ..SearchQuery::default()
    };
    let r = index.search(&q).unwrap();
    assert_eq!(r.total, 3);
    // The field facet ignores its own filter, so other fields stay visible.
    assert_eq!(
        r.facets.field,
        vec![
            ("Hộ tịch".to_string(), 3),
            ("Nghĩa vụ quân sự".to_string(), 1)
        ]
    );
    assert_eq!(
        r.facets.online_level,
        vec![(OnlineLevel::Full, 2), (OnlineLevel::Partial, 1)]
    );
    let full = SearchQuery {
        online_level: Some(OnlineLevel::Full),
        limit: 20,
        ..q.clone()
    };
    assert_eq!(index.search(&full).unwrap().total, 2);
    let by_agency = SearchQuery {
        agency: Some(agency("000.00.02.H22")),
        limit: 20,
        ..SearchQuery::default()
    };
    assert_eq!(codes(&index.search(&by_agency).unwrap()), ["2.000635"]);
    let page = SearchQuery {
        offset: 4,
        limit: 4,
        ..SearchQuery::default()
    };
    let r = index.search(&page).unwrap();
    assert_eq!((r.total, r.items.len()), (6, 2));
    assert_eq!(
        codes(&r),
        ["1.013133", "2.000635"],
        "no text: ordered by code"
    );
}

#[test]
fn long_queries_are_refused() {
    let index = catalog();
    let q = SearchQuery {
        text: Some("a".repeat(MAX_QUERY_CHARS + 1)),
        limit: 10,
        ..SearchQuery::default()
    };
    assert!(matches!(index.search(&q), Err(SearchError::TooLong)));
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 200, ..ProptestConfig::default() })]
    #[test]
    fn any_text_searches_without_failing(text in "\\PC{0,200}") {
        let index = catalog();
        let r = index.search(&SearchQuery { text: Some(text), limit: 10, ..SearchQuery::default() });
        prop_assert!(r.is_ok());
    }
}

#[path = "../benches/demo_catalog.rs"]
mod demo_catalog;

/// Citizens' queries with their answers.
const QUERIES: &str = include_str!("../../../fixtures/search/queries.tsv");

/// The citizens' query set on the demo's whole catalog: every answer is a procedure of the
/// catalog, and search finds the answer among the first three for nearly all (the figures
/// are printed by the benchmark; this holds the floor).
#[test]
fn citizens_queries_find_their_procedures() {
    use crate::evaluation::{accuracy, query_set};
    let demo = demo_catalog::demo_catalog();
    let index = CatalogIndex::build(&demo, &HashMap::new(), &Phrases::built_in()).unwrap();
    let set = query_set(QUERIES).unwrap();
    assert!(set.len() >= 150, "{} queries", set.len());
    for e in &set {
        for code in &e.answers {
            assert!(
                index.get(code).is_some(),
                "{code} of {:?} is not in the catalog",
                e.query
            );
        }
    }
    let acc = accuracy(&index, &set).unwrap();
    let misses: Vec<String> = acc.misses.iter().map(ToString::to_string).collect();
    let report = format!(
        "top-1 {}/{}, top-3 {}/{}, not first:\n{}",
        acc.top1,
        acc.queries,
        acc.top3,
        acc.queries,
        misses.join("\n")
    );
    println!("{report}");
    assert!(acc.top3_share() >= 0.95, "{report}");
    assert!(acc.top1_share() >= 0.85, "{report}");
}
