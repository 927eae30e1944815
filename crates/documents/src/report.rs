//! Biểu số 06/VPCP/KSTT (II.06a of Circular 01/2020/TT-VPCP): the situation and results of
//! handling administrative procedures, as a PDF on A4 landscape and as a workbook. Columns 1–13
//! as the form numbers them; the figures come from the caller.

use motcua_domain::lang::grouped;
use rust_xlsxwriter::{Format, FormatAlign, FormatBorder, Workbook, XlsxError};

use crate::DocumentError;
use crate::layout::{Sheet, TableStyle, Weight};

/// The form as filled in.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ReportForm {
    /// The reporting unit ("Trung tâm Phục vụ hành chính công tỉnh …" or an agency).
    pub unit: String,
    /// Who receives the report ("Văn phòng Ủy ban nhân dân tỉnh").
    pub receiver: String,
    /// "Từ ngày 01/01/2026 đến ngày 31/03/2026".
    pub period: String,
    /// "Quảng Ninh, ngày 02 tháng 4 năm 2026".
    pub place_and_date: String,
    /// The heading of column 2: "Lĩnh vực giải quyết" or "Cơ quan, đơn vị".
    pub group_heading: String,
    /// Column 2 and columns 3–13 of each row.
    pub rows: Vec<(String, [u64; 11])>,
    pub total: [u64; 11],
    /// What the figures were computed from and by which rules, printed under the table.
    pub notes: Vec<String>,
}

pub const TITLE: &str = "TÌNH HÌNH, KẾT QUẢ GIẢI QUYẾT THỦ TỤC HÀNH CHÍNH";
pub const FORM_NUMBER: &str = "Biểu số 06/VPCP/KSTT";

/// The headings of columns 3–13, each with its group.
pub const COLUMNS: [&str; 11] = [
    "Số hồ sơ nhận giải quyết: tổng số",
    "Trong kỳ: trực tuyến",
    "Trong kỳ: trực tiếp, dịch vụ bưu chính",
    "Từ kỳ trước chuyển qua",
    "Số hồ sơ đã giải quyết: tổng số",
    "Trước hạn",
    "Đúng hạn",
    "Quá hạn",
    "Số hồ sơ đang giải quyết: tổng số",
    "Trong hạn",
    "Quá hạn",
];

const GROUPS: [(&str, usize, usize); 3] = [
    ("Số hồ sơ nhận giải quyết", 2, 5),
    ("Kết quả giải quyết: số hồ sơ đã giải quyết", 6, 9),
    ("Số hồ sơ đang giải quyết", 10, 12),
];

fn headings(group: &str) -> Vec<String> {
    let mut h = vec!["STT (1)".to_string(), format!("{group} (2)")];
    h.extend(
        COLUMNS
            .iter()
            .enumerate()
            .map(|(i, c)| format!("{c} ({})", i + 3)),
    );
    h
}

fn cells(stt: &str, name: &str, figures: &[u64; 11]) -> Vec<String> {
    let mut row = vec![stt.to_string(), name.to_string()];
    row.extend(
        figures
            .iter()
            .map(|n| grouped(i64::try_from(*n).unwrap_or(i64::MAX))),
    );
    row
}

/// The form as a PDF document, A4 landscape.
pub fn form06_pdf(f: &ReportForm) -> Result<Vec<u8>, DocumentError> {
    let mut sheet = Sheet::a4_landscape()?;
    sheet.form_corner(FORM_NUMBER, "Ban hành kèm theo Thông tư số 01/2020/TT-VPCP");
    sheet.centered(TITLE, 12.5, Weight::Bold);
    sheet.centered(&format!("Kỳ báo cáo: {}", f.period), 9.5, Weight::Regular);
    sheet.gap(4.0);
    sheet.field("Đơn vị báo cáo", &f.unit);
    sheet.field("Đơn vị nhận báo cáo", &f.receiver);
    sheet.paragraph("Đơn vị tính: số hồ sơ.", Weight::Regular);
    let heads = headings(&f.group_heading);
    let heads: Vec<&str> = heads.iter().map(String::as_str).collect();
    let mut rows: Vec<Vec<String>> = f
        .rows
        .iter()
        .enumerate()
        .map(|(i, (name, figures))| cells(&(i + 1).to_string(), name, figures))
        .collect();
    rows.push(cells("", "Tổng cộng", &f.total));
    let mut widths = vec![0.035, 0.205];
    widths.extend([0.76 / 11.0; 11]);
    sheet.table_styled(
        &heads,
        &widths,
        &rows,
        TableStyle {
            numeric_from: 2,
            bold_last: true,
        },
    );
    for note in &f.notes {
        sheet.note(note);
    }
    sheet.gap(6.0);
    sheet.signatures("NGƯỜI LẬP BIỂU", "THỦ TRƯỞNG ĐƠN VỊ", None);
    sheet.finish()
}

/// The form as a workbook: the heading, columns 1–13 with their groups merged above them,
/// the rows and the total as numbers, the notes and the signature block.
pub fn form06_xlsx(f: &ReportForm) -> Result<Vec<u8>, DocumentError> {
    write_xlsx(f).map_err(|e| DocumentError::Pdf(format!("workbook: {e}")))
}

fn write_xlsx(f: &ReportForm) -> Result<Vec<u8>, XlsxError> {
    let mut book = Workbook::new();
    let ws = book.add_worksheet();
    ws.set_name("Bieu 06")?;
    ws.set_landscape();
    ws.set_paper_size(9);
    ws.set_print_fit_to_pages(1, 0);
    let bold = Format::new().set_bold();
    let title = Format::new()
        .set_bold()
        .set_font_size(13)
        .set_align(FormatAlign::Center);
    let centred = Format::new().set_align(FormatAlign::Center);
    let head = Format::new()
        .set_bold()
        .set_border(FormatBorder::Thin)
        .set_text_wrap()
        .set_align(FormatAlign::Center)
        .set_align(FormatAlign::VerticalCenter);
    let cell = Format::new().set_border(FormatBorder::Thin).set_text_wrap();
    let number = Format::new()
        .set_border(FormatBorder::Thin)
        .set_num_format("#,##0");
    let total_name = cell.clone().set_bold();
    let total_number = number.clone().set_bold();
    let last = 12u16;
    ws.write_string_with_format(0, last - 3, FORM_NUMBER, &bold)?;
    ws.merge_range(1, 0, 1, last, TITLE, &title)?;
    ws.merge_range(
        2,
        0,
        2,
        last,
        &format!("Kỳ báo cáo: {}", f.period),
        &centred,
    )?;
    ws.write_string(3, 0, format!("Đơn vị báo cáo: {}", f.unit))?;
    ws.write_string(4, 0, format!("Đơn vị nhận báo cáo: {}", f.receiver))?;
    ws.write_string(5, 0, "Đơn vị tính: số hồ sơ.")?;
    // Two heading rows: the groups merged over their columns, then each column; a third
    // row numbers them (1)–(13).
    let (g, h, n) = (6u32, 7u32, 8u32);
    ws.merge_range(g, 0, h, 0, "STT", &head)?;
    ws.merge_range(g, 1, h, 1, &f.group_heading, &head)?;
    for (name, from, to) in GROUPS {
        ws.merge_range(g, from as u16, g, to as u16, name, &head)?;
    }
    let short = [
        "Tổng số",
        "Trực tuyến",
        "Trực tiếp, dịch vụ bưu chính",
        "Từ kỳ trước chuyển qua",
        "Tổng số",
        "Trước hạn",
        "Đúng hạn",
        "Quá hạn",
        "Tổng số",
        "Trong hạn",
        "Quá hạn",
    ];
    for (i, s) in short.iter().enumerate() {
        ws.write_string_with_format(h, i as u16 + 2, *s, &head)?;
    }
    for c in 0..=last {
        ws.write_string_with_format(n, c, format!("({})", c + 1), &head)?;
    }
    ws.set_row_height(h, 45)?;
    ws.set_column_width(0, 5)?;
    ws.set_column_width(1, 40)?;
    for c in 2..=last {
        ws.set_column_width(c, 12)?;
    }
    let mut r = n + 1;
    for (i, (name, figures)) in f.rows.iter().enumerate() {
        ws.write_number_with_format(r, 0, (i + 1) as f64, &cell)?;
        ws.write_string_with_format(r, 1, name, &cell)?;
        for (c, v) in figures.iter().enumerate() {
            ws.write_number_with_format(r, c as u16 + 2, *v as f64, &number)?;
        }
        r += 1;
    }
    ws.write_string_with_format(r, 0, "", &total_name)?;
    ws.write_string_with_format(r, 1, "Tổng cộng", &total_name)?;
    for (c, v) in f.total.iter().enumerate() {
        ws.write_number_with_format(r, c as u16 + 2, *v as f64, &total_number)?;
    }
    r += 2;
    for note in &f.notes {
        ws.write_string(r, 0, note)?;
        r += 1;
    }
    r += 1;
    ws.merge_range(r, last - 4, r, last, &f.place_and_date, &centred)?;
    let sign = Format::new().set_bold().set_align(FormatAlign::Center);
    ws.merge_range(r + 1, 0, r + 1, 4, "NGƯỜI LẬP BIỂU", &sign)?;
    ws.merge_range(r + 1, last - 4, r + 1, last, "THỦ TRƯỞNG ĐƠN VỊ", &sign)?;
    ws.merge_range(r + 2, 0, r + 2, 4, "(Ký và ghi rõ họ tên)", &centred)?;
    ws.merge_range(r + 2, last - 4, r + 2, last, "(Ký tên, đóng dấu)", &centred)?;
    book.save_to_buffer()
}

#[cfg(test)]
mod tests {
    use super::*;

    pub(crate) fn sample() -> ReportForm {
        ReportForm {
            unit: "Trung tâm Phục vụ hành chính công tỉnh Quảng Ninh".into(),
            receiver: "Văn phòng Ủy ban nhân dân tỉnh".into(),
            period: "Từ ngày 01/01/2026 đến ngày 31/03/2026".into(),
            place_and_date: "Quảng Ninh, ngày 02 tháng 4 năm 2026".into(),
            group_heading: "Lĩnh vực giải quyết".into(),
            rows: vec![
                (
                    "Hộ tịch".into(),
                    [1200, 700, 300, 200, 1000, 400, 550, 50, 200, 180, 20],
                ),
                ("Đất đai".into(), [30, 10, 20, 0, 25, 5, 15, 5, 5, 5, 0]),
            ],
            total: [1230, 710, 320, 200, 1025, 405, 565, 55, 205, 185, 20],
            notes: vec!["Số liệu đến sự kiện số 4711 của nhật ký.".into()],
        }
    }

    #[test]
    fn the_form_prints_its_heading_columns_and_signatures() {
        let pdf = form06_pdf(&sample()).unwrap();
        assert!(pdf.starts_with(b"%PDF"));
        let Some(text) = crate::testing::pdf_text(&pdf) else {
            eprintln!("skipped the text check: pdftotext is not installed");
            return;
        };
        let flat = text.split_whitespace().collect::<Vec<_>>().join(" ");
        for expected in [
            TITLE,
            FORM_NUMBER,
            "Đơn vị báo cáo: Trung tâm Phục vụ hành chính công tỉnh Quảng Ninh",
            "Tổng cộng",
            "1.230",
            "NGƯỜI LẬP BIỂU",
            "THỦ TRƯỞNG ĐƠN VỊ",
            "(13)",
            "Số liệu đến sự kiện số 4711",
        ] {
            assert!(flat.contains(expected), "{expected} not in {flat}");
        }
    }

    #[test]
    fn the_workbook_reads_back_with_its_columns_rows_and_total() {
        use calamine::{Data, Reader, Xlsx, open_workbook_from_rs};
        let xlsx = form06_xlsx(&sample()).unwrap();
        let mut book: Xlsx<_> = open_workbook_from_rs(std::io::Cursor::new(xlsx)).unwrap();
        let sheet = book.worksheet_range("Bieu 06").unwrap();
        let at = |r: u32, c: u32| sheet.get_value((r, c)).cloned().unwrap_or(Data::Empty);
        assert_eq!(at(1, 0), Data::String(TITLE.into()));
        assert_eq!(at(6, 2), Data::String("Số hồ sơ nhận giải quyết".into()));
        assert_eq!(
            at(7, 4),
            Data::String("Trực tiếp, dịch vụ bưu chính".into())
        );
        assert_eq!(at(8, 12), Data::String("(13)".into()));
        assert_eq!(at(9, 1), Data::String("Hộ tịch".into()));
        assert_eq!(at(9, 2), Data::Float(1200.0));
        assert_eq!(at(11, 1), Data::String("Tổng cộng".into()));
        assert_eq!(at(11, 12), Data::Float(20.0));
    }
}
