//! The slips are checked as a reader would (see [`crate::testing`]).

use super::*;
use crate::testing::{pdf_text, qr_text};

fn slip(received: bool) -> ReceiptSlip {
    ReceiptSlip {
        authority: "ỦY BAN NHÂN DÂN TỈNH QUẢNG NINH".into(),
        office: "Trung tâm Phục vụ hành chính công tỉnh Quảng Ninh".into(),
        place_and_date: "Quảng Ninh, ngày 02 tháng 6 năm 2025".into(),
        received,
        dossier_code: "000.00.01.H40-250602-0001".into(),
        applicant_name: "Nguyễn Thị Ánh".into(),
        applicant_address: Some("Tổ 3, Phường Hà Tu, Tỉnh Quảng Ninh".into()),
        applicant_phone: Some("0912 345 678".into()),
        applicant_email: Some("anh@example.vn".into()),
        procedure_name: "Thủ tục đăng ký nghĩa vụ quân sự lần đầu, đăng ký phục vụ trong ngạch dự bị và đăng ký bổ sung cho công dân".into(),
        answers: vec![
            ("Họ, chữ đệm và tên của trẻ".into(), "Nguyễn Minh An".into()),
            ("Ngày, tháng, năm sinh của trẻ".into(), "01/06/2025".into()),
        ],
        documents: vec![
            "Bản chụp Giấy chứng nhận đăng ký nghĩa vụ quân sự".into(),
            "Tờ khai theo mẫu (nếu có)".into(),
        ],
        time_limit: "05 ngày làm việc".into(),
        filed_at: "14 giờ 05 phút, ngày 02/06/2025".into(),
        due_at: "16 giờ 30 phút, ngày 09/06/2025".into(),
        channel: "Trực tuyến".into(),
        fee: Some("50.000 đồng (đã nộp trực tuyến)".into()),
        tracking_url: "http://127.0.0.1:8080/track/000.00.01.H40-250602-0001".into(),
        officer: None,
    }
}

#[test]
fn receipt_has_the_vietnamese_text_and_a_working_qr_code() {
    let pdf = receipt_pdf(&slip(true)).unwrap();
    assert!(pdf.starts_with(b"%PDF-"));
    assert!(pdf.len() < 200_000, "fonts are subset: {} bytes", pdf.len());
    if let Some(text) = pdf_text(&pdf) {
        let flat = text.split_whitespace().collect::<Vec<_>>().join(" ");
        for expected in [
            "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM",
            "Độc lập - Tự do - Hạnh phúc",
            "GIẤY TIẾP NHẬN HỒ SƠ VÀ HẸN TRẢ KẾT QUẢ",
            "Mã hồ sơ: 000.00.01.H40-250602-0001",
            "Ông/bà: Nguyễn Thị Ánh",
            "Thời gian trả kết quả giải quyết hồ sơ: 16 giờ 30 phút, ngày 09/06/2025.",
            "Tờ khai theo mẫu (nếu có)",
            "Nội dung tờ khai:",
            "Họ, chữ đệm và tên của trẻ: Nguyễn Minh An",
            "Phí, lệ phí: 50.000 đồng (đã nộp trực tuyến).",
        ] {
            assert!(flat.contains(expected), "missing {expected:?} in {flat}");
        }
    }
    if let Some(qr) = qr_text(&pdf) {
        assert_eq!(qr, "http://127.0.0.1:8080/track/000.00.01.H40-250602-0001");
    }
}

#[test]
fn online_confirmation_says_the_date_is_expected() {
    let pdf = receipt_pdf(&slip(false)).unwrap();
    if let Some(text) = pdf_text(&pdf) {
        let flat = text.split_whitespace().collect::<Vec<_>>().join(" ");
        assert!(
            flat.contains("GIẤY XÁC NHẬN NỘP HỒ SƠ TRỰC TUYẾN"),
            "{flat}"
        );
        assert!(flat.contains("dự kiến"), "{flat}");
    }
}

#[test]
fn long_lists_flow_onto_more_pages() {
    let mut s = slip(true);
    s.documents = (1..=60)
        .map(|i| format!("Giấy tờ số {i} kèm theo hồ sơ"))
        .collect();
    let pdf = receipt_pdf(&s).unwrap();
    if let Some(text) = pdf_text(&pdf) {
        assert!(text.contains("Giấy tờ số 60"));
        assert!(text.matches('\u{c}').count() >= 2, "more than one page");
    }
}

#[test]
fn notice_slips_say_what_they_are_in_vietnamese() {
    let h = SlipHeader {
        authority: "ỦY BAN NHÂN DÂN TỈNH QUẢNG NINH".into(),
        office: "Trung tâm Phục vụ hành chính công tỉnh Quảng Ninh".into(),
        place_and_date: "Quảng Ninh, ngày 03 tháng 6 năm 2025".into(),
        dossier_code: "000.00.01.H40-250602-0001".into(),
        applicant_name: "Nguyễn Thị Ánh".into(),
        procedure_name: "Đăng ký khai sinh".into(),
        tracking_url: "http://127.0.0.1/track?code=000.00.01.H40-250602-0001".into(),
    };
    for (notice, expected) in [
        (
            Notice::Supplement {
                reason: "Bản sao không rõ".into(),
                missing: vec!["Bản sao giấy khai sinh".into()],
            },
            [
                "PHIẾU YÊU CẦU BỔ SUNG, HOÀN THIỆN HỒ SƠ",
                "1. Bản sao giấy khai sinh",
                "Lý do: Bản sao không rõ",
            ],
        ),
        (
            Notice::Refusal {
                reasons: vec!["Không thuộc thẩm quyền giải quyết".into()],
            },
            [
                "PHIẾU TỪ CHỐI TIẾP NHẬN GIẢI QUYẾT HỒ SƠ",
                "1. Không thuộc thẩm quyền giải quyết",
                "Kính gửi: Nguyễn Thị Ánh",
            ],
        ),
        (
            Notice::Apology {
                original_due: "16 giờ 30 phút, ngày 05/06/2025".into(),
                new_due: "16 giờ 30 phút, ngày 10/06/2025".into(),
                reason: "Chờ ý kiến cơ quan phối hợp".into(),
            },
            [
                "PHIẾU XIN LỖI VÀ HẸN LẠI NGÀY TRẢ KẾT QUẢ",
                "hẹn trả kết quả vào 16 giờ 30 phút, ngày 10/06/2025",
                "Chờ ý kiến cơ quan phối hợp",
            ],
        ),
    ] {
        let pdf = notice_pdf(&h, &notice).unwrap();
        if let Some(text) = pdf_text(&pdf) {
            let flat = text.split_whitespace().collect::<Vec<_>>().join(" ");
            for e in expected {
                assert!(flat.contains(e), "missing {e:?} in {flat}");
            }
        }
        if let Some(qr) = qr_text(&pdf) {
            assert_eq!(qr, h.tracking_url);
        }
    }
}

#[test]
fn control_sheet_lists_every_handover() {
    let header = SlipHeader {
        authority: "ỦY BAN NHÂN DÂN TỈNH QUẢNG NINH".into(),
        office: "Trung tâm Phục vụ hành chính công tỉnh Quảng Ninh".into(),
        place_and_date: "Quảng Ninh, ngày 09 tháng 6 năm 2025".into(),
        dossier_code: "000.00.01.H40-250602-0001".into(),
        applicant_name: "Nguyễn Thị Ánh".into(),
        procedure_name: "Đăng ký khai sinh".into(),
        tracking_url: "http://127.0.0.1/track?code=000.00.01.H40-250602-0001".into(),
    };
    let mut handovers: Vec<Handover> = (1..=30)
        .map(|i| Handover {
            parties: format!("Bước {i}: Phòng Hộ tịch giao, Sở Tư pháp nhận"),
            at: "09 giờ 00 phút, ngày 03/06/2025".into(),
            result: "Đúng hạn".into(),
            note: String::new(),
        })
        .collect();
    handovers[29].result = "Quá hạn 2 giờ làm việc".into();
    let pdf = control_sheet_pdf(&ControlSheet {
        header: header.clone(),
        received_at: "14 giờ 05 phút, ngày 02/06/2025".into(),
        due_at: "16 giờ 30 phút, ngày 09/06/2025".into(),
        handovers,
    })
    .unwrap();
    if let Some(text) = pdf_text(&pdf) {
        let flat = text.split_whitespace().collect::<Vec<_>>().join(" ");
        assert!(
            flat.contains("PHIẾU KIỂM SOÁT QUÁ TRÌNH GIẢI QUYẾT HỒ SƠ"),
            "{flat}"
        );
        assert!(
            flat.contains("Bước 30: Phòng Hộ tịch giao, Sở Tư pháp nhận"),
            "{flat}"
        );
        assert!(flat.contains("Quá hạn 2 giờ làm việc"), "{flat}");
        assert!(
            text.matches('\u{c}').count() >= 2,
            "the table runs onto more pages"
        );
    }
    if let Some(qr) = qr_text(&pdf) {
        assert_eq!(qr, header.tracking_url);
    }
}

#[test]
fn no_text_runs_into_other_text_on_any_slip() {
    // The longest names of the demo province, and a document list with the catalog's faults.
    let header = SlipHeader {
        authority: "Ủy ban nhân dân tỉnh Quảng Ninh".into(),
        office: "Trung tâm Phục vụ hành chính công tỉnh Quảng Ninh".into(),
        place_and_date: "Quảng Ninh, ngày 30 tháng 11 năm 2026".into(),
        dossier_code: "000.00.01.H22-261130-0001".into(),
        applicant_name: "Nguyễn Thị Ánh".into(),
        procedure_name: "Thủ tục đăng ký khai sinh kết hợp nhận cha, mẹ, con có yếu tố nước ngoài"
            .into(),
        tracking_url: "http://127.0.0.1/track?code=000.00.01.H22-261130-0001".into(),
    };
    let mut receipt = slip(true);
    receipt.authority = header.authority.clone();
    receipt.documents.push(
        "Bản sao văn bản nghiệm thu về phòng cháy và chữa cháy của cơ quan có thẩm quyền..".into(),
    );
    let notices = [
        Notice::Supplement {
            reason: "Bản sao không rõ".into(),
            missing: vec!["Bản sao giấy khai sinh..".into(); 3],
        },
        Notice::Refusal {
            reasons: vec!["Không thuộc thẩm quyền giải quyết".into()],
        },
        Notice::Apology {
            original_due: "16 giờ 30 phút, ngày 05/06/2025".into(),
            new_due: "16 giờ 30 phút, ngày 10/06/2025".into(),
            reason: "Chờ ý kiến cơ quan phối hợp".into(),
        },
        Notice::Result {
            summary: "Cấp giấy khai sinh số 123/2026".into(),
            agency: "Ủy ban nhân dân phường Hồng Gai".into(),
            issued_at: "10 giờ 00 phút, ngày 03/12/2026".into(),
            sha256: "ab".repeat(32),
            verify_url: "http://127.0.0.1/verify/abab".into(),
        },
    ];
    let mut slips = vec![
        ("receipt", receipt_pdf(&receipt).unwrap()),
        ("online receipt", receipt_pdf(&slip(false)).unwrap()),
        (
            "control sheet",
            control_sheet_pdf(&ControlSheet {
                header: header.clone(),
                received_at: "14 giờ 05 phút, ngày 02/06/2025".into(),
                due_at: "16 giờ 30 phút, ngày 09/06/2025".into(),
                handovers: vec![Handover {
                    parties: "Bộ phận tiếp nhận giao, Phòng Tư pháp nhận".into(),
                    at: "09 giờ 00 phút, ngày 03/06/2025".into(),
                    result: "Đúng hạn".into(),
                    note: String::new(),
                }],
            })
            .unwrap(),
        ),
    ];
    for n in &notices {
        slips.push(("notice", notice_pdf(&header, n).unwrap()));
    }
    for (kind, pdf) in &slips {
        let Some(overlaps) = crate::testing::overlapping_words(pdf) else {
            return;
        };
        assert!(overlaps.is_empty(), "{kind}: {overlaps:?}");
        let text = pdf_text(pdf).unwrap_or_default();
        assert!(!text.contains(".."), "{kind}: a list item ends in '..'");
    }
    // The proper nouns keep their capitals in the body.
    let text = pdf_text(&receipt_pdf(&receipt).unwrap()).unwrap_or_default();
    let flat = text.split_whitespace().collect::<Vec<_>>().join(" ");
    assert!(
        flat.contains("Trung tâm Phục vụ hành chính công tỉnh Quảng Ninh tiếp nhận"),
        "{flat}"
    );
}
