//! Export then import is lossless for the whole demo catalog (207 + 1,575 real procedures), in
//! both formats, texts longer than a spreadsheet cell included; bad files are rejected whole,
//! with every problem placed.

use std::collections::HashSet;

use motcua_catalog::portal::{CatalogAgencies, FieldRoutes, procedures};
use motcua_catalog::{Format, ImportError, export, import};
use motcua_domain::Lang;
use motcua_domain::ids::AgencyCode;
use motcua_procedures::Procedure;

const DEMO: &str = include_str!("../../../fixtures/catalog/tthc-national-sample-207.json");
const LOCAL: &str = include_str!("../../../fixtures/catalog/tthc-catalog-local-2026-06.json");
const ROUTING: &str = include_str!("../../../fixtures/catalog/routing-quang-ninh.csv");

fn a(s: &str) -> AgencyCode {
    AgencyCode::parse(s).unwrap()
}

fn demo() -> (Vec<Procedure>, HashSet<AgencyCode>) {
    let agencies = CatalogAgencies {
        province: a("000.00.00.H22"),
        military_command: a("000.00.20.H22"),
        inspectorate: a("000.00.15.H22"),
        ministry: a("000.00.00.G01"),
    };
    let known = HashSet::from([
        agencies.province,
        agencies.military_command,
        agencies.inspectorate,
        agencies.ministry,
    ]);
    (procedures(DEMO, &agencies).unwrap(), known)
}

fn no_progress() -> impl FnMut(usize, usize) {
    |_, _| {}
}

/// The demo's whole catalog: the national sample and the local catalog, routed by the
/// province's table.
fn whole() -> (Vec<Procedure>, HashSet<AgencyCode>) {
    let (mut catalog, mut known) = demo();
    let routes = FieldRoutes::parse(ROUTING, a("000.00.00.H22"), a("000.00.14.H22")).unwrap();
    catalog.extend(procedures(LOCAL, &routes).unwrap());
    known.extend(catalog.iter().map(|p| p.agency));
    (catalog, known)
}

#[test]
fn round_trips_are_lossless() {
    let (catalog, known) = whole();
    let longest = catalog
        .iter()
        .filter_map(|p| p.conditions.as_deref())
        .map(|c| c.chars().count())
        .max();
    assert!(
        longest > Some(32_767),
        "a text longer than a cell: {longest:?}"
    );
    for format in [Format::Json, Format::Xlsx] {
        let bytes = export(&catalog, format).unwrap();
        let mut calls = 0;
        let back = import(&bytes, format, &known, &mut |_, _| calls += 1).unwrap();
        assert_eq!(back.len(), catalog.len());
        for (x, y) in catalog.iter().zip(&back) {
            assert_eq!(x, y, "{format:?} round trip of {}", x.code);
        }
        assert!(calls >= catalog.len(), "progress reported per row");
    }
}

fn problems(r: Result<Vec<Procedure>, ImportError>) -> Vec<String> {
    r.unwrap_err()
        .problems
        .iter()
        .map(|p| p.message(Lang::En))
        .collect()
}

#[test]
fn a_bad_json_file_lists_every_problem() {
    let (mut catalog, known) = demo();
    catalog[3].agency = a("000.00.99.H22");
    catalog[5].name = " ".into();
    let dup = catalog[0].clone();
    catalog.push(dup);
    let bytes = export(&catalog, Format::Json).unwrap();
    let listed = problems(import(&bytes, Format::Json, &known, &mut no_progress()));
    assert_eq!(listed.len(), 3, "{listed:#?}");
    assert!(
        listed[0].starts_with("procedures[3]") && listed[0].contains("no agency 000.00.99.H22"),
        "{listed:?}"
    );
    assert!(
        listed[1].starts_with("procedures[5]") && listed[1].contains("needs a name"),
        "{listed:?}"
    );
    assert!(
        listed[2].starts_with("procedures[207]") && listed[2].contains("repeats entry 1"),
        "{listed:?}"
    );
    let text = String::from_utf8(bytes)
        .unwrap()
        .replacen("\"1.013124\"", "\"1.01312\"", 1);
    let listed = problems(import(
        text.as_bytes(),
        Format::Json,
        &known,
        &mut no_progress(),
    ));
    assert!(
        listed[0].contains("procedures[0]") && listed[0].contains("procedure code"),
        "{listed:?}"
    );
    assert!(
        problems(import(
            b"{not json",
            Format::Json,
            &known,
            &mut no_progress()
        ))[0]
            .contains("not a valid catalog JSON")
    );
    assert!(
        problems(import(
            b"{\"format\":\"x\",\"version\":1,\"procedures\":[]}",
            Format::Json,
            &known,
            &mut no_progress()
        ))[0]
            .contains("Expected format")
    );
}

#[test]
fn a_bad_spreadsheet_lists_every_problem_by_row_and_column() {
    let (catalog, known) = demo();
    let bytes = export(&catalog[..3], Format::Xlsx).unwrap();
    // A workbook written by hand, as an operator might: bad cells, missing sheets.
    let mut wb = rust_xlsxwriter::Workbook::new();
    let ws = wb.add_worksheet();
    ws.set_name("Thủ tục").unwrap();
    let header = [
        "code",
        "name",
        "name_en",
        "decision",
        "field",
        "level",
        "agency_code",
        "implementing_body",
        "competent_body",
        "online_level",
        "processing_unit",
        "processing_value",
        "supplement_clock",
        "conditions",
        "result",
        "target_subjects",
        "form_schema",
        "source_document",
        "source_url",
        "missing",
    ];
    for (c, h) in header.iter().enumerate() {
        ws.write_string(0, c as u16, *h).unwrap();
    }
    let rows = [
        [
            "1.000001",
            "Thủ tục A",
            "",
            "",
            "Hộ tịch",
            "Cấp Xã",
            "000.00.00.H22",
            "",
            "",
            "full",
            "working_days",
            "3",
            "restart",
            "",
            "",
            "",
            "{}",
            "",
            "",
            "",
        ],
        [
            "abc",
            "Thủ tục B",
            "",
            "",
            "Hộ tịch",
            "Cấp Xã",
            "000.00.00.H22",
            "",
            "",
            "sometimes",
            "weeks",
            "2",
            "restart",
            "",
            "",
            "",
            "{",
            "",
            "",
            "",
        ],
        [
            "1.000003",
            "Thủ tục C",
            "",
            "",
            "Hộ tịch",
            "Cấp Xã",
            "H22",
            "",
            "",
            "none",
            "",
            "",
            "later",
            "",
            "",
            "",
            "{}",
            "",
            "",
            "",
        ],
    ];
    for (r, row) in rows.iter().enumerate() {
        for (c, v) in row.iter().enumerate() {
            if !v.is_empty() {
                ws.write_string(r as u32 + 1, c as u16, *v).unwrap();
            }
        }
    }
    let ws = wb.add_worksheet();
    ws.set_name("Thành phần hồ sơ").unwrap();
    for (c, h) in ["code", "name", "originals", "copies", "template"]
        .iter()
        .enumerate()
    {
        ws.write_string(0, c as u16, *h).unwrap();
    }
    ws.write_string(1, 0, "1.000009").unwrap();
    ws.write_string(1, 1, "Tờ khai").unwrap();
    ws.write_string(2, 0, "1.000001").unwrap();
    ws.write_string(2, 1, "Tờ khai").unwrap();
    ws.write_string(2, 2, "một").unwrap();
    let bad = wb.save_to_buffer().unwrap();
    let listed = problems(import(&bad, Format::Xlsx, &known, &mut no_progress()));
    let expect = [
        "Thủ tục, row 3, column code",
        "Thủ tục, row 3, column online_level",
        "Thủ tục, row 3, column processing_unit",
        "Thủ tục, row 3, column form_schema",
        "Thủ tục, row 4, column agency_code",
        "Thủ tục, row 4, column supplement_clock",
        "Cách thức nộp",
        "Thành phần hồ sơ, row 2, column code",
        "Thành phần hồ sơ, row 3, column originals",
        "Căn cứ pháp lý",
        "Quy trình",
    ];
    for e in expect {
        assert!(
            listed.iter().any(|l| l.starts_with(e)),
            "no problem at {e}: {listed:#?}"
        );
    }
    // A good file still imports.
    assert_eq!(
        import(&bytes, Format::Xlsx, &known, &mut no_progress())
            .unwrap()
            .len(),
        3
    );
    assert!(
        problems(import(
            b"PK\x03\x04garbage",
            Format::Xlsx,
            &known,
            &mut no_progress()
        ))[0]
            .contains("not a readable xlsx")
    );
}
