//! The formula sets motcua ships, as data: the 2022 Decision's five groups and the national
//! portal's six groups as observed in 2026. Sources: the domain brief §1.6 (the formula
//! description document of the 2022 Decision) and the national portal's published metrics
//! (codes, maxima and observed formulas, next-capabilities §A.2.1).

use chrono::NaiveDate;

use super::{Applies, FormulaSet, Group, Measure as M, MetricRule, NoData, Scoring};

/// The set a figure is judged by when none is asked for.
pub const DEFAULT: &str = "dvcqg-2026-09";

/// Every set, oldest first.
pub fn all() -> Vec<FormulaSet> {
    vec![decision_2022(), national_2026()]
}

/// The set with this id.
pub fn find(id: &str) -> Option<FormulaSet> {
    all().into_iter().find(|s| s.id == id)
}

#[allow(clippy::too_many_arguments)]
fn rule(
    code: &'static str,
    name_vi: &'static str,
    name_en: &'static str,
    formula_vi: &'static str,
    max: f64,
    numerator: M,
    denominator: M,
    scoring: Scoring,
) -> MetricRule {
    MetricRule {
        code,
        name_vi,
        name_en,
        formula_vi,
        max,
        numerator,
        denominator,
        scoring,
        no_data: NoData::Unscored,
        applies: Applies::Everywhere,
    }
}

impl MetricRule {
    fn full_without_data(mut self) -> Self {
        self.no_data = NoData::Full;
        self
    }

    fn not_communes(mut self) -> Self {
        self.applies = Applies::NotCommunes;
        self
    }
}

fn group(
    code: &'static str,
    name_vi: &'static str,
    name_en: &'static str,
    max: f64,
    metrics: Vec<MetricRule>,
) -> Group {
    Group {
        code,
        name_vi,
        name_en,
        max,
        metrics,
    }
}

const LINEAR: Scoring = Scoring::Linear;

fn publicity(
    announce: &'static str,
    publish: &'static str,
    complete: &'static str,
    sync: &'static str,
) -> Group {
    group(
        "CONG_KHAI_MINH_BACH",
        "Công khai, minh bạch",
        "Publicity and transparency",
        18.0,
        vec![
            rule(
                announce,
                "Công bố thủ tục hành chính đúng hạn",
                "Procedures announced on time",
                "Số thủ tục công bố đúng hạn ÷ số thủ tục phải công bố trong kỳ",
                6.0,
                M::ProceduresAnnouncedOnTime,
                M::ProceduresToAnnounce,
                LINEAR,
            )
            .not_communes(),
            rule(
                publish,
                "Công khai thủ tục đúng hạn trên Cơ sở dữ liệu quốc gia",
                "Procedures published on time in the national database",
                "Số thủ tục công khai đúng hạn ÷ số thủ tục phải công khai",
                4.0,
                M::ProceduresPublishedOnTime,
                M::ProceduresToPublish,
                LINEAR,
            )
            .not_communes(),
            rule(
                complete,
                "Thủ tục công khai đầy đủ nội dung",
                "Procedures published with every required part",
                "Số thủ tục công khai đủ các bộ phận ÷ số thủ tục đã công khai",
                2.0,
                M::ProceduresComplete,
                M::ProceduresPublished,
                LINEAR,
            )
            .not_communes(),
            rule(
                sync,
                "Đồng bộ hồ sơ lên Cổng Dịch vụ công quốc gia",
                "Dossiers synchronised with the national portal",
                "Số hồ sơ đồng bộ đúng thời gian thực ÷ số hồ sơ tiếp nhận, đang xử lý, trả kết quả trong kỳ",
                6.0,
                M::DossiersSyncedOnTime,
                M::DossiersToSync,
                LINEAR,
            ),
        ],
    )
}

fn progress(code: &'static str, name_vi: &'static str, name_en: &'static str) -> Group {
    group(
        "TIEN_DO_GIAI_QUYET",
        name_vi,
        name_en,
        20.0,
        vec![rule(
            code,
            "Hồ sơ giải quyết trước hạn, đúng hạn",
            "Dossiers resolved early or on time",
            "(Số hồ sơ giải quyết trước hạn, đúng hạn + số hồ sơ đang giải quyết còn hạn) ÷ số hồ sơ tiếp nhận và giải quyết trong kỳ",
            20.0,
            M::DossiersInTime,
            M::DossiersProcessed,
            LINEAR,
        )],
    )
}

fn online_offered(code: &'static str) -> MetricRule {
    rule(
        code,
        "Thủ tục cung cấp dịch vụ công trực tuyến",
        "Procedures offered online",
        "Số thủ tục cung cấp dịch vụ công trực tuyến (một phần, toàn trình) ÷ số thủ tục thuộc thẩm quyền; đủ điểm từ 80 %",
        2.0,
        M::ProceduresOnline,
        M::ProceduresInAuthority,
        Scoring::FullAt(0.8),
    )
}

fn online_used(code: &'static str) -> MetricRule {
    rule(
        code,
        "Dịch vụ công trực tuyến có phát sinh hồ sơ",
        "Online services that received dossiers",
        "Số dịch vụ công trực tuyến có ít nhất một hồ sơ trực tuyến trong kỳ ÷ số dịch vụ công trực tuyến",
        4.0,
        M::OnlineServicesUsed,
        M::OnlineServices,
        LINEAR,
    )
}

fn online_dossiers(code: &'static str) -> MetricRule {
    rule(
        code,
        "Hồ sơ nộp trực tuyến",
        "Dossiers filed online",
        "Số hồ sơ nộp trực tuyến ÷ tổng số hồ sơ tiếp nhận trong kỳ; đủ điểm từ 50 %",
        6.0,
        M::DossiersOnline,
        M::DossiersReceived,
        Scoring::FullAt(0.5),
    )
}

fn paid_online(code: &'static str) -> MetricRule {
    rule(
        code,
        "Hồ sơ thanh toán trực tuyến",
        "Dossiers paid online",
        "Số hồ sơ thanh toán trực tuyến ÷ số hồ sơ của thủ tục có phí, lệ phí (trừ thủ tục không thu phí)",
        6.0,
        M::DossiersPaidOnline,
        M::DossiersWithFee,
        LINEAR,
    )
}

fn e_result(code: &'static str) -> MetricRule {
    rule(
        code,
        "Hồ sơ có kết quả điện tử",
        "Dossiers with an electronic result",
        "Số hồ sơ có kết quả giải quyết điện tử ÷ số hồ sơ đã giải quyết của thủ tục có kết quả là giấy tờ",
        6.0,
        M::DossiersWithEResult,
        M::DossiersFinished,
        LINEAR,
    )
}

fn reused(code: &'static str, max: f64) -> MetricRule {
    rule(
        code,
        "Hồ sơ tái sử dụng dữ liệu số hóa",
        "Dossiers reusing digitised data",
        "Số hồ sơ có thành phần được thay thế bằng dữ liệu đã có ÷ số hồ sơ tiếp nhận trong kỳ; đủ điểm từ 80 %",
        max,
        M::DossiersReusingData,
        M::DossiersReceived,
        Scoring::FullAt(0.8),
    )
}

fn petitions(in_time: &'static str, satisfied: &'static str) -> [MetricRule; 2] {
    [
        rule(
            in_time,
            "Phản ánh, kiến nghị được xử lý đúng hạn",
            "Feedback handled on time",
            "(Số phản ánh, kiến nghị xử lý trước hạn, đúng hạn + đang xử lý còn hạn) ÷ số phản ánh, kiến nghị thuộc thẩm quyền; đủ điểm khi không có phản ánh, kiến nghị",
            6.0,
            M::PetitionsInTime,
            M::Petitions,
            LINEAR,
        )
        .full_without_data(),
        rule(
            satisfied,
            "Hài lòng với việc xử lý phản ánh, kiến nghị",
            "Satisfaction with the handling of feedback",
            "(Số phản ánh, kiến nghị đã xử lý − số bị đánh giá không hài lòng, phản ánh lại hoặc xử lý quá hạn) ÷ số đã xử lý; đủ điểm khi không có phản ánh, kiến nghị",
            6.0,
            M::PetitionsSatisfactory,
            M::PetitionsHandled,
            LINEAR,
        )
        .full_without_data(),
    ]
}

fn dossier_satisfaction(code: &'static str) -> MetricRule {
    rule(
        code,
        "Hài lòng với việc tiếp nhận, giải quyết hồ sơ",
        "Satisfaction with the handling of dossiers",
        "(Số hồ sơ − số hồ sơ quá hạn, bị đánh giá không hài lòng hoặc có phản ánh, kiến nghị) ÷ số hồ sơ; đủ điểm từ 90 %",
        6.0,
        M::DossiersSatisfactory,
        M::DossiersProcessed,
        Scoring::FullAt(0.9),
    )
}

/// Decision 766/QĐ-TTg of 23/6/2022: five groups, 100 points.
pub fn decision_2022() -> FormulaSet {
    let [pakn_time, pakn_satisfied] = petitions("5.2", "5.3");
    FormulaSet {
        id: "qd766-2022",
        name_vi: "Bộ chỉ số theo Quyết định 766/QĐ-TTg (2022)",
        name_en: "Index of Decision 766/QĐ-TTg (2022)",
        effective_from: NaiveDate::from_ymd_opt(2022, 6, 23).expect("a date"),
        groups: vec![
            publicity("1.1", "1.2", "1.3", "1.4"),
            progress(
                "2.1",
                "Tiến độ, kết quả giải quyết",
                "Progress and results of resolution",
            ),
            group(
                "CUNG_CAP_DVCTT",
                "Cung cấp dịch vụ trực tuyến",
                "Online service provision",
                22.0,
                vec![
                    online_offered("3.1"),
                    online_used("3.2"),
                    online_dossiers("3.3"),
                    rule(
                        "3.5",
                        "Thủ tục có phí được thanh toán trực tuyến trên Cổng Dịch vụ công quốc gia",
                        "Fee-bearing procedures payable online on the national portal",
                        "Số thủ tục có dữ liệu phí, lệ phí đồng bộ ÷ số thủ tục có phí, lệ phí; đủ điểm từ 80 %",
                        4.0,
                        M::ProceduresFeeOnPortal,
                        M::ProceduresWithFee,
                        Scoring::FullAt(0.8),
                    ),
                    paid_online("3.6"),
                ],
            ),
            group(
                "SO_HOA_HO_SO",
                "Số hóa hồ sơ",
                "Digitisation of dossiers",
                22.0,
                vec![
                    e_result("4.1"),
                    rule(
                        "4.2",
                        "Hồ sơ được số hóa",
                        "Dossiers digitised",
                        "Số hồ sơ có thành phần được số hóa và có kết quả điện tử ÷ số hồ sơ tiếp nhận; đủ điểm từ 80 %",
                        4.0,
                        M::DossiersDigitised,
                        M::DossiersReceived,
                        Scoring::FullAt(0.8),
                    ),
                    reused("4.3", 4.0),
                    rule(
                        "4.4",
                        "Hồ sơ số hóa kết nối kho dữ liệu cá nhân",
                        "Digitised dossiers linked to the personal repository",
                        "Số hồ sơ có thành phần lấy từ hoặc kết quả đẩy vào kho dữ liệu cá nhân trên Cổng Dịch vụ công quốc gia ÷ số hồ sơ",
                        4.0,
                        M::DossiersFromPersonalStorage,
                        M::DossiersReceived,
                        LINEAR,
                    ),
                    rule(
                        "4.5",
                        "Sử dụng dữ liệu dân cư",
                        "Use of population data",
                        "Số hồ sơ dùng tài khoản định danh điện tử hoặc dữ liệu dân cư ÷ số hồ sơ",
                        4.0,
                        M::DossiersUsingPopulationData,
                        M::DossiersReceived,
                        LINEAR,
                    ),
                ],
            ),
            group(
                "MUC_DO_HAI_LONG",
                "Mức độ hài lòng",
                "Satisfaction",
                18.0,
                vec![pakn_time, pakn_satisfied, dossier_satisfaction("5.4")],
            ),
        ],
        not_applicable: NoData::Full,
        notes: &[
            "Điểm của từng chỉ tiêu trong nhóm chưa được xác nhận bằng văn bản; đang dùng điểm tối đa của chỉ tiêu tương ứng trong bộ chỉ số năm 2026.",
            "Chỉ tiêu 2.2 (thời gian giải quyết trung bình) và 5.1 (phân loại phản ánh, kiến nghị) được theo dõi, không tính điểm.",
            "Chỉ tiêu 3.3 chưa nhân với tỉ lệ đồng bộ vì chưa kết nối Cổng Dịch vụ công quốc gia.",
            "Chỉ tiêu không áp dụng cho cấp xã được tính đủ điểm, theo cách Cổng Dịch vụ công quốc gia đang làm (chưa có văn bản).",
        ],
    }
}

/// The national portal's six groups as its published metrics showed them in September 2026.
pub fn national_2026() -> FormulaSet {
    let [pakn_time, pakn_satisfied] = petitions(
        "PETITION_PROCESSING_ON_TIME",
        "PETITION_HANDLING_SATISFACTION",
    );
    FormulaSet {
        id: "dvcqg-2026-09",
        name_vi: "Bộ chỉ số trên Cổng Dịch vụ công quốc gia (quan sát tháng 9/2026)",
        name_en: "Index of the national public service portal (as observed, September 2026)",
        effective_from: NaiveDate::from_ymd_opt(2026, 9, 1).expect("a date"),
        groups: vec![
            publicity(
                "PUBLISH_ON_TIME",
                "PUBLIC_UPDATE_ON_TIME",
                "PUBLIC_CONTENT_FULL",
                "DOSSIER_SYNC",
            ),
            progress(
                "DOSSIER_PROGRESS",
                "Tiến độ giải quyết",
                "Progress of resolution",
            ),
            group(
                "DICH_VU_CONG_TRUC_TUYEN",
                "Dịch vụ công trực tuyến",
                "Online public services",
                12.0,
                vec![
                    online_offered("ONLINE_PROCEDURES"),
                    online_used("ONLINE_SERVICES_USED"),
                    online_dossiers("ONLINE_DOSSIERS"),
                ],
            ),
            group(
                "THANH_TOAN_TRUC_TUYEN",
                "Thanh toán trực tuyến",
                "Online payment",
                10.0,
                vec![
                    paid_online("ONLINE_PAYMENT_DOSSIERS"),
                    rule(
                        "ONLINE_PAYMENT_PROCEDURES",
                        "Thủ tục có phí được tích hợp thanh toán trực tuyến",
                        "Fee-bearing procedures integrated for online payment",
                        "Số thủ tục có phí, lệ phí thanh toán trực tuyến được ÷ số thủ tục có phí, lệ phí; 2,5 điểm cho mỗi 100 %, tối đa 2",
                        2.0,
                        M::ProceduresPayableOnline,
                        M::ProceduresWithFee,
                        Scoring::FullAt(0.8),
                    ),
                    rule(
                        "ONLINE_PAYMENT_FEE_DATA",
                        "Thủ tục có dữ liệu phí, lệ phí trên Cổng Dịch vụ công quốc gia",
                        "Fee-bearing procedures with their fee data on the national portal",
                        "Số thủ tục có dữ liệu phí, lệ phí đồng bộ ÷ số thủ tục có phí, lệ phí",
                        2.5,
                        M::ProceduresFeeOnPortal,
                        M::ProceduresWithFee,
                        LINEAR,
                    ),
                ],
            ),
            group(
                "SO_HOA_HO_SO",
                "Số hóa hồ sơ",
                "Digitisation of dossiers",
                22.0,
                vec![
                    e_result("ORIGINAL_RESULT_AVAILABLE"),
                    rule(
                        "SO_HOA_GIAY_TO_GIAI_QUYET",
                        "Hồ sơ số hóa gắn với danh mục giấy tờ của người dân",
                        "Dossiers digitised and linked to the person's documents",
                        "Số hồ sơ được số hóa và gắn với danh mục giấy tờ trên Cổng Dịch vụ công quốc gia ÷ số hồ sơ thuộc thẩm quyền",
                        4.0,
                        M::DossiersDigitisedLinked,
                        M::DossiersReceived,
                        LINEAR,
                    ),
                    rule(
                        "ELECTRONIC_CERTIFIED_COPY",
                        "Cấp bản sao điện tử chứng thực từ bản chính",
                        "Electronic certified copies",
                        "Số xã cung cấp bản sao điện tử chứng thực từ bản chính ÷ số xã",
                        2.0,
                        M::CommunesCertifyingCopies,
                        M::Communes,
                        LINEAR,
                    )
                    .not_communes(),
                    reused("REUSED_DIGITIZED_DATA", 2.0),
                    rule(
                        "SYNCED_WITH_DVCQG_PERSONAL_STORAGE",
                        "Hồ sơ thay thế thành phần bằng dữ liệu kho cá nhân",
                        "Dossiers whose components came from the personal storage",
                        "Số hồ sơ có thành phần được thay thế hoàn toàn bằng dữ liệu ÷ số hồ sơ của thủ tục cho phép",
                        4.0,
                        M::DossiersFromPersonalStorage,
                        M::DossiersReceived,
                        LINEAR,
                    ),
                    rule(
                        "CITIZEN_DATA_CONNECTED_DOSSIER",
                        "Hồ sơ sử dụng dữ liệu dân cư",
                        "Dossiers using population data",
                        "Số hồ sơ sử dụng dữ liệu từ Cơ sở dữ liệu quốc gia về dân cư ÷ số hồ sơ",
                        2.0,
                        M::DossiersUsingPopulationData,
                        M::DossiersReceived,
                        LINEAR,
                    )
                    .not_communes(),
                    rule(
                        "CITIZEN_DATA_CONNECTED_FORMALITY",
                        "Thủ tục có trường dữ liệu gắn từ điển dữ liệu dùng chung",
                        "Procedures mapped to the shared data dictionary",
                        "Số thủ tục có trường dữ liệu gắn với từ điển dữ liệu dùng chung ÷ số thủ tục",
                        2.0,
                        M::ProceduresMappedToData,
                        M::ProceduresInAuthority,
                        LINEAR,
                    )
                    .not_communes(),
                ],
            ),
            group(
                "MUC_DO_HAI_LONG",
                "Mức độ hài lòng",
                "Satisfaction",
                18.0,
                vec![
                    pakn_time,
                    pakn_satisfied,
                    dossier_satisfaction("DOSSIER_RECEIVING_SATISFACTION"),
                ],
            ),
        ],
        not_applicable: NoData::Full,
        notes: &[
            "Công thức của nhóm Tiến độ giải quyết, Dịch vụ công trực tuyến và Thanh toán trực tuyến được suy ra từ điểm công bố trên Cổng Dịch vụ công quốc gia (khớp sai số dưới 0,015 điểm); bảng công thức chính thức có chỗ khác.",
            "Mã DOSSIER_PROGRESS, ONLINE_PROCEDURES, ONLINE_SERVICES_USED, ONLINE_DOSSIERS, ONLINE_PAYMENT_DOSSIERS, ONLINE_PAYMENT_PROCEDURES và ONLINE_PAYMENT_FEE_DATA do motcua đặt; Cổng Dịch vụ công quốc gia không công bố mã cho các chỉ tiêu này.",
            "Tổng điểm nhóm Thanh toán trực tuyến theo công thức quan sát được có thể vượt 10 nên được giới hạn ở 10.",
            "Chỉ tiêu không áp dụng cho cấp xã được tính đủ điểm, theo cách Cổng Dịch vụ công quốc gia đang làm (chưa có văn bản).",
        ],
    }
}
