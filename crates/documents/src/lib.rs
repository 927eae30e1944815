//! Official slips and report forms. The report on handling procedures (Biểu 06) comes as a
//! PDF and a workbook ([`form06_pdf`], [`form06_xlsx`]). Slips are PDF documents laid out
//! after the forms of Circular 01/2018/TT-VPCP (re-issued by Circular 03/2025/TT-VPCP) on A5
//! paper: the text is real text in an embedded, subset Noto
//! Sans (SIL Open Font Licence), so Vietnamese prints and copies correctly, and each slip
//! carries a QR code to the dossier's public tracking page. The callers give plain strings;
//! this crate knows nothing of the database.

mod layout;
mod report;
#[cfg(any(test, feature = "testing"))]
pub mod testing;

use layout::{Sheet, Weight};
pub use report::{ReportForm, form06_pdf, form06_xlsx};

#[derive(Debug, thiserror::Error)]
pub enum DocumentError {
    #[error("the PDF could not be written: {0}")]
    Pdf(String),
    #[error("the QR code could not be made: {0}")]
    Qr(String),
}

/// Mẫu 01: *Giấy tiếp nhận hồ sơ và hẹn trả kết quả* (receipt and appointment slip), or for a
/// dossier filed online and not yet checked by reception, the confirmation of filing.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ReceiptSlip {
    /// "Ủy ban nhân dân tỉnh Quảng Ninh", as the agency writes its name (the letterhead puts
    /// it in capitals).
    pub authority: String,
    /// "Trung tâm Phục vụ hành chính công tỉnh Quảng Ninh", as written: the body names it so.
    pub office: String,
    /// "Quảng Ninh, ngày 02 tháng 6 năm 2025".
    pub place_and_date: String,
    /// Whether reception has accepted the dossier (else it is the online filing confirmation).
    pub received: bool,
    pub dossier_code: String,
    pub applicant_name: String,
    pub applicant_address: Option<String>,
    pub applicant_phone: Option<String>,
    pub applicant_email: Option<String>,
    pub procedure_name: String,
    /// The application form's answers (question, answer), as the applicant gave them.
    pub answers: Vec<(String, String)>,
    pub documents: Vec<String>,
    /// "05 ngày làm việc".
    pub time_limit: String,
    /// "14 giờ 05 phút, ngày 02/06/2025".
    pub filed_at: String,
    /// The appointment, or the expected one for a dossier not yet received.
    pub due_at: String,
    /// "Trực tuyến", "Trực tiếp tại Bộ phận Một cửa".
    pub channel: String,
    /// Fee line, e.g. "50.000 đồng (đã nộp trực tuyến)".
    pub fee: Option<String>,
    /// The public tracking page (encoded in the QR code).
    pub tracking_url: String,
    /// The receiving officer, when received at a counter.
    pub officer: Option<String>,
}

/// The receipt slip as a PDF document.
pub fn receipt_pdf(s: &ReceiptSlip) -> Result<Vec<u8>, DocumentError> {
    let mut sheet = Sheet::a5()?;
    sheet.letterhead(&s.authority, &s.office, &s.dossier_code, &s.place_and_date);
    let title = if s.received {
        "GIẤY TIẾP NHẬN HỒ SƠ VÀ HẸN TRẢ KẾT QUẢ"
    } else {
        "GIẤY XÁC NHẬN NỘP HỒ SƠ TRỰC TUYẾN"
    };
    sheet.gap(10.0);
    sheet.centered(title, 12.5, Weight::Bold);
    sheet.centered(&format!("Mã hồ sơ: {}", s.dossier_code), 10.5, Weight::Bold);
    sheet.gap(8.0);
    let office = &s.office;
    sheet.paragraph(
        &if s.received {
            format!("{office} tiếp nhận hồ sơ của:")
        } else {
            format!("{office} đã nhận hồ sơ nộp trực tuyến của:")
        },
        Weight::Regular,
    );
    sheet.field("Ông/bà", &s.applicant_name);
    if let Some(a) = &s.applicant_address {
        sheet.field("Địa chỉ", a);
    }
    if let Some(p) = &s.applicant_phone {
        sheet.field("Số điện thoại", p);
    }
    if let Some(e) = &s.applicant_email {
        sheet.field("Thư điện tử", e);
    }
    sheet.field("Nội dung yêu cầu giải quyết", &s.procedure_name);
    if !s.answers.is_empty() {
        sheet.paragraph("Nội dung tờ khai:", Weight::Regular);
        for (question, answer) in &s.answers {
            sheet.indented(&format!("{question}: {answer}"));
        }
    }
    sheet.paragraph("1. Thành phần hồ sơ nộp gồm:", Weight::Regular);
    for (i, d) in s.documents.iter().enumerate() {
        sheet.indented(&format!("({}) {}", i + 1, list_item(d)));
    }
    sheet.paragraph("2. Số lượng hồ sơ: 01 bộ.", Weight::Regular);
    sheet.paragraph(
        &format!(
            "3. Thời gian giải quyết hồ sơ theo quy định: {}.",
            s.time_limit
        ),
        Weight::Regular,
    );
    sheet.paragraph(
        &format!("4. Thời gian nhận hồ sơ: {}.", s.filed_at),
        Weight::Regular,
    );
    if s.received {
        sheet.paragraph(
            &format!("5. Thời gian trả kết quả giải quyết hồ sơ: {}.", s.due_at),
            Weight::Bold,
        );
    } else {
        sheet.paragraph(
            &format!(
                "5. Thời gian trả kết quả dự kiến (nếu hồ sơ được tiếp nhận ngay): {}. Ngày hẹn chính thức được báo khi Bộ phận Một cửa tiếp nhận hồ sơ.",
                s.due_at
            ),
            Weight::Bold,
        );
    }
    sheet.paragraph(
        &format!("6. Hình thức nộp hồ sơ: {}.", s.channel),
        Weight::Regular,
    );
    if let Some(fee) = &s.fee {
        sheet.paragraph(&format!("7. Phí, lệ phí: {fee}."), Weight::Regular);
    }
    sheet.gap(6.0);
    sheet.qr_with_caption(
        &s.tracking_url,
        &format!("Tra cứu tình trạng hồ sơ: {}", s.tracking_url),
    )?;
    sheet.signatures(
        "NGƯỜI NỘP HỒ SƠ",
        "NGƯỜI TIẾP NHẬN HỒ SƠ",
        s.officer.as_deref(),
    );
    sheet.finish()
}

/// What every notice slip (Mẫu 02, 03, 04) shares: who issues it, to whom, about what.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SlipHeader {
    /// As [`ReceiptSlip`]'s: names as written, put in capitals by the letterhead.
    pub authority: String,
    pub office: String,
    pub place_and_date: String,
    pub dossier_code: String,
    pub applicant_name: String,
    pub procedure_name: String,
    pub tracking_url: String,
}

/// What a notice slip says.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Notice {
    /// Mẫu 02: *Phiếu yêu cầu bổ sung, hoàn thiện hồ sơ*.
    Supplement {
        reason: String,
        missing: Vec<String>,
    },
    /// Mẫu 03: *Phiếu từ chối tiếp nhận giải quyết hồ sơ*.
    Refusal { reasons: Vec<String> },
    /// Mẫu 04: *Phiếu xin lỗi và hẹn lại ngày trả kết quả*.
    Apology {
        original_due: String,
        new_due: String,
        reason: String,
    },
    /// The electronic result's verification slip: what was decided, by whom and when, the
    /// document's SHA-256, and a QR code to the public verification page.
    Result {
        summary: String,
        agency: String,
        issued_at: String,
        sha256: String,
        verify_url: String,
    },
}

/// A notice slip (supplement request, refusal, apology) as a PDF document.
pub fn notice_pdf(h: &SlipHeader, notice: &Notice) -> Result<Vec<u8>, DocumentError> {
    let mut sheet = Sheet::a5()?;
    sheet.letterhead(&h.authority, &h.office, &h.dossier_code, &h.place_and_date);
    sheet.gap(10.0);
    let title = match notice {
        Notice::Supplement { .. } => "PHIẾU YÊU CẦU BỔ SUNG, HOÀN THIỆN HỒ SƠ",
        Notice::Refusal { .. } => "PHIẾU TỪ CHỐI TIẾP NHẬN GIẢI QUYẾT HỒ SƠ",
        Notice::Apology { .. } => "PHIẾU XIN LỖI VÀ HẸN LẠI NGÀY TRẢ KẾT QUẢ",
        Notice::Result { .. } => "PHIẾU XÁC THỰC KẾT QUẢ GIẢI QUYẾT ĐIỆN TỬ",
    };
    sheet.centered(title, 12.5, Weight::Bold);
    sheet.centered(&format!("Mã hồ sơ: {}", h.dossier_code), 10.5, Weight::Bold);
    sheet.gap(8.0);
    sheet.field("Kính gửi", &h.applicant_name);
    sheet.field("Nội dung yêu cầu giải quyết", &h.procedure_name);
    let office = &h.office;
    match notice {
        Notice::Supplement { reason, missing } => {
            sheet.paragraph(
                &format!(
                    "{office} đề nghị ông/bà bổ sung, hoàn thiện hồ sơ gồm những nội dung sau:"
                ),
                Weight::Regular,
            );
            for (i, m) in missing.iter().enumerate() {
                sheet.indented(&format!("{}. {}", i + 1, list_item(m)));
            }
            sheet.field("Lý do", reason);
            sheet.paragraph(
                "Trong quá trình hoàn thiện hồ sơ, nếu có vướng mắc, ông/bà liên hệ Bộ phận Một cửa để được hướng dẫn. Hồ sơ chỉ phải bổ sung một lần.",
                Weight::Regular,
            );
        }
        Notice::Refusal { reasons } => {
            sheet.paragraph(
                &format!("{office} không tiếp nhận, giải quyết hồ sơ này với lý do sau:"),
                Weight::Regular,
            );
            for (i, r) in reasons.iter().enumerate() {
                sheet.indented(&format!("{}. {}", i + 1, list_item(r)));
            }
            sheet.paragraph(
                "Xin thông báo để ông/bà được biết và thực hiện.",
                Weight::Regular,
            );
        }
        Notice::Apology {
            original_due,
            new_due,
            reason,
        } => {
            sheet.paragraph(
                &format!("Theo giấy tiếp nhận, hồ sơ hẹn trả kết quả vào {original_due}. Nhưng đến nay cơ quan giải quyết chưa trả kết quả đúng hẹn."),
                Weight::Regular,
            );
            sheet.field("Lý do", reason);
            sheet.paragraph(
                &format!("Cơ quan giải quyết xin lỗi ông/bà và hẹn trả kết quả vào {new_due}."),
                Weight::Bold,
            );
            sheet.paragraph("Mong nhận được sự thông cảm của ông/bà.", Weight::Regular);
        }
        Notice::Result {
            summary,
            agency,
            issued_at,
            sha256,
            ..
        } => {
            sheet.field("Kết quả giải quyết", summary);
            sheet.field("Cơ quan ban hành", agency);
            sheet.field("Thời điểm ban hành", issued_at);
            // In groups of eight so that the line wraps between them.
            let grouped: Vec<String> = sha256
                .as_bytes()
                .chunks(8)
                .map(|c| String::from_utf8_lossy(c).into_owned())
                .collect();
            sheet.field("Mã băm SHA-256 của văn bản điện tử", &grouped.join(" "));
            sheet.paragraph(
                "Quét mã QR để đối chiếu văn bản điện tử với bản gốc lưu trên hệ thống: trang xác thực cho biết văn bản có khớp hay không.",
                Weight::Regular,
            );
        }
    }
    sheet.gap(6.0);
    let (link, caption) = match notice {
        Notice::Result { verify_url, .. } => (
            verify_url,
            "Xác thực văn bản kết quả: quét mã QR, hoặc mở trang /verify/ của Cổng dịch vụ công kèm mã băm trên".to_string(),
        ),
        _ => (
            &h.tracking_url,
            format!("Tra cứu tình trạng hồ sơ: {}", h.tracking_url),
        ),
    };
    sheet.qr_with_caption(link, &caption)?;
    sheet.signatures("NGƯỜI NHẬN", "NGƯỜI LẬP PHIẾU", None);
    sheet.finish()
}

/// One hand-over of the dossier on the processing control sheet.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Handover {
    /// "Bộ phận Một cửa giao, Sở Tư pháp nhận".
    pub parties: String,
    /// "09 giờ 00 phút, ngày 03/06/2025".
    pub at: String,
    /// "Đúng hạn", "Quá hạn 2 giờ làm việc", or what was done.
    pub result: String,
    pub note: String,
}

/// Mẫu 06 (05 of Circular 01/2018): *Phiếu kiểm soát quá trình giải quyết hồ sơ*.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ControlSheet {
    pub header: SlipHeader,
    pub received_at: String,
    pub due_at: String,
    pub handovers: Vec<Handover>,
}

/// The processing control sheet as a PDF document.
pub fn control_sheet_pdf(s: &ControlSheet) -> Result<Vec<u8>, DocumentError> {
    let h = &s.header;
    let mut sheet = Sheet::a5()?;
    sheet.letterhead(&h.authority, &h.office, &h.dossier_code, &h.place_and_date);
    sheet.gap(10.0);
    sheet.centered(
        "PHIẾU KIỂM SOÁT QUÁ TRÌNH GIẢI QUYẾT HỒ SƠ",
        12.5,
        Weight::Bold,
    );
    sheet.centered(&format!("Mã hồ sơ: {}", h.dossier_code), 10.5, Weight::Bold);
    sheet.gap(6.0);
    sheet.field("Người nộp hồ sơ", &h.applicant_name);
    sheet.field("Nội dung yêu cầu giải quyết", &h.procedure_name);
    sheet.field("Thời gian nhận hồ sơ", &s.received_at);
    sheet.field("Thời gian trả kết quả", &s.due_at);
    let rows: Vec<Vec<String>> = s
        .handovers
        .iter()
        .enumerate()
        .map(|(i, x)| {
            vec![
                format!("{}", i + 1),
                x.parties.clone(),
                x.at.clone(),
                x.result.clone(),
                x.note.clone(),
            ]
        })
        .collect();
    sheet.table(
        &[
            "TT",
            "Tên cơ quan, bộ phận giao, nhận",
            "Thời gian giao, nhận",
            "Kết quả",
            "Ghi chú",
        ],
        &[0.07, 0.33, 0.22, 0.2, 0.18],
        &rows,
    );
    sheet.qr_with_caption(
        &h.tracking_url,
        &format!("Tra cứu tình trạng hồ sơ: {}", h.tracking_url),
    )?;
    sheet.finish()
}

/// A list item without the trailing dots, commas or semicolons the catalog's joins leave
/// ("Bản sao giấy khai sinh..", "…; ;"): a numbered line ends with its words.
fn list_item(text: &str) -> &str {
    text.trim_end_matches(|c: char| c.is_whitespace() || matches!(c, '.' | ',' | ';' | ':'))
}

#[cfg(test)]
mod tests;
