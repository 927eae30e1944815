//! The slips of a dossier, assembled from its state, its events and the catalog, and drawn
//! as PDF: the receipt and appointment slip (Mẫu 01), the supplement guide (Mẫu 02), the
//! refusal (Mẫu 03), the apology with the new appointment (Mẫu 04), the processing control
//! sheet and the electronic result's verification slip. Official slips are in Vietnamese.

use bytes::Bytes;
use chrono::{DateTime, Datelike, Timelike, Utc};
use motcua_documents::{Notice, ReceiptSlip, SlipHeader, notice_pdf, receipt_pdf};
use motcua_domain::calendar::{ProcessingTime, TZ};
use motcua_domain::lang::money;
use motcua_domain::lifecycle::{Channel, EventKind};
use motcua_store::{AgencyKind, DossierRecord};

use crate::App;
use crate::error::{AppError, Kind};

/// Which slip.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum SlipKind {
    Receipt,
    SupplementGuide,
    Refusal,
    Apology,
    ControlSheet,
    Result,
}

impl SlipKind {
    /// The slip named in a URL (`receipt`, `supplement-guide`, `refusal`, `apology`,
    /// `control-sheet`, `result`).
    pub fn parse(s: &str) -> Option<SlipKind> {
        SlipKind::ALL.into_iter().find(|k| k.as_str() == s)
    }

    pub const ALL: [SlipKind; 6] = [
        SlipKind::Receipt,
        SlipKind::SupplementGuide,
        SlipKind::Refusal,
        SlipKind::Apology,
        SlipKind::ControlSheet,
        SlipKind::Result,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            SlipKind::Receipt => "receipt",
            SlipKind::SupplementGuide => "supplement-guide",
            SlipKind::Refusal => "refusal",
            SlipKind::Apology => "apology",
            SlipKind::ControlSheet => "control-sheet",
            SlipKind::Result => "result",
        }
    }

    /// The PDF's file name (without `.pdf`) for dossier `code`.
    pub fn file_name(self, code: &str) -> String {
        match self {
            SlipKind::Receipt => format!("giay-tiep-nhan-{code}"),
            SlipKind::ControlSheet => format!("phieu-kiem-soat-{code}"),
            other => format!("{}-{code}", other.as_str()),
        }
    }
}

/// Slips drawn lately, by dossier, version and kind: a dossier's slip changes only with the
/// dossier, so it is drawn once per version however often it is fetched (concurrent requests
/// for one wait for the same drawing). At most [`SLIP_CACHE_BYTES`] are kept.
pub struct SlipCache(quick_cache::sync::Cache<(String, u32, SlipKind), Bytes, SlipWeight>);

/// Memory the slip cache may use.
pub const SLIP_CACHE_BYTES: u64 = 64 * 1024 * 1024;

#[derive(Clone)]
pub struct SlipWeight;

impl quick_cache::Weighter<(String, u32, SlipKind), Bytes> for SlipWeight {
    fn weight(&self, key: &(String, u32, SlipKind), pdf: &Bytes) -> u64 {
        (key.0.len() + pdf.len()) as u64
    }
}

impl Default for SlipCache {
    fn default() -> Self {
        SlipCache(quick_cache::sync::Cache::with_weighter(
            4_000,
            SLIP_CACHE_BYTES,
            SlipWeight,
        ))
    }
}

/// The slip `kind` of a dossier as a PDF; "not found" for a notice the dossier has no event
/// for. Drawn once per dossier version (see [`SlipCache`]).
pub async fn pdf(app: &App, record: &DossierRecord, kind: SlipKind) -> Result<Bytes, AppError> {
    let key = (record.code.to_string(), record.version, kind);
    app.slips
        .0
        .get_or_insert_async(&key, async {
            draw(app, record, kind).await.map(Bytes::from)
        })
        .await
}

async fn draw(app: &App, record: &DossierRecord, kind: SlipKind) -> Result<Vec<u8>, AppError> {
    match kind {
        SlipKind::Receipt => {
            let slip = receipt_slip(app, record).await?;
            render_document(move || receipt_pdf(&slip)).await
        }
        SlipKind::ControlSheet => {
            let sheet = control_sheet(app, record).await?;
            render_document(move || motcua_documents::control_sheet_pdf(&sheet)).await
        }
        _ => {
            let (header, notice) = notice(app, record, kind).await?;
            render_document(move || notice_pdf(&header, &notice)).await
        }
    }
}

/// "14 giờ 05 phút, ngày 02/06/2025".
pub fn moment(t: DateTime<Utc>) -> String {
    let t = t.with_timezone(&TZ);
    format!(
        "{:02} giờ {:02} phút, ngày {:02}/{:02}/{}",
        t.hour(),
        t.minute(),
        t.day(),
        t.month(),
        t.year()
    )
}

fn time_limit(t: ProcessingTime) -> String {
    match t {
        ProcessingTime::WorkingDays(n) => format!("{n:02} ngày làm việc"),
        ProcessingTime::WorkingHours(n) => format!("{n:02} giờ làm việc"),
        ProcessingTime::CalendarDays(n) => format!("{n:02} ngày"),
    }
}

/// Who issues the dossier's slips: the province, the receiving office, and the place name.
async fn issuer(state: &App, r: &DossierRecord) -> Result<(String, String, String), AppError> {
    let agencies = state.store.agencies().await?;
    let office = agencies
        .iter()
        .find(|a| a.code == r.state.intake.receiving_agency)
        .map_or_else(|| "Bộ phận Một cửa".to_string(), |a| a.name.clone());
    let province = agencies.iter().find(|a| a.kind == AgencyKind::Province);
    let authority = province.map_or_else(String::new, |a| a.name.clone());
    let place = province.map(place_name).unwrap_or_default();
    Ok((authority, office, place))
}

/// The province's place name as documents date themselves ("Quảng Ninh, ngày …").
pub(crate) fn place_name(province: &motcua_store::Agency) -> String {
    let n = province.name.as_str();
    [
        "Ủy ban nhân dân tỉnh ",
        "Ủy ban nhân dân thành phố ",
        "UBND tỉnh ",
        "UBND thành phố ",
    ]
    .iter()
    .find_map(|p| n.strip_prefix(p))
    .unwrap_or(n)
    .to_string()
}

pub(crate) fn place_and_date(place: &str, t: DateTime<Utc>) -> String {
    let local = t.with_timezone(&TZ);
    format!(
        "{place}, ngày {:02} tháng {} năm {}",
        local.day(),
        local.month(),
        local.year()
    )
}

/// The receipt slip's content from the dossier and the catalog.
pub async fn receipt_slip(state: &App, r: &DossierRecord) -> Result<ReceiptSlip, AppError> {
    let store = &state.store;
    let d = &r.state;
    let (authority, office, place) = issuer(state, r).await?;
    let procedure = store.procedure(&d.intake.procedure.code).await?;
    let attachments = store.dossier_attachments(&r.code).await?;
    let mut documents: Vec<String> = Vec::new();
    for a in &attachments {
        if !documents.contains(&a.document) {
            documents.push(a.document.clone());
        }
    }
    if documents.is_empty()
        && let Some(p) = &procedure
    {
        documents = p.documents.iter().map(|x| x.name.clone()).collect();
    }
    let received = d.received_at.is_some();
    let filed = d.received_at.unwrap_or(d.submitted_at);
    let due = d.expected_due(&state.calendar(), Utc::now());
    let a = &d.intake.applicant;
    let address = crate::dossiers::applicant_address(state, d).await?;
    let fee = (d.fee_total() > 0).then(|| {
        let status = if d.fee_paid >= d.fee_total() {
            "đã nộp trực tuyến"
        } else {
            "chưa nộp"
        };
        match d.fee_excess() {
            0 => format!("{} ({status})", money(d.fee_total())),
            excess => format!(
                "{} ({status} {}, hoàn trả {excess_money})",
                money(d.fee_total()),
                money(d.fee_paid),
                excess_money = money(excess)
            ),
        }
    });
    Ok(ReceiptSlip {
        authority,
        office,
        place_and_date: place_and_date(&place, filed),
        received,
        dossier_code: r.code.to_string(),
        applicant_name: a.name.clone(),
        applicant_address: address,
        applicant_phone: a.phone.as_ref().map(|p| p.as_str().to_string()),
        applicant_email: a.email.clone(),
        answers: procedure
            .as_ref()
            .map(|p| motcua_catalog::form::summary(&p.form_schema, &r.form))
            .unwrap_or_default(),
        procedure_name: procedure.map(|p| p.name).unwrap_or_default(),
        documents,
        time_limit: time_limit(d.intake.procedure.processing_time),
        filed_at: moment(filed),
        due_at: moment(due),
        channel: match d.intake.channel {
            Channel::Online => "Trực tuyến".into(),
            Channel::Counter => "Trực tiếp tại Bộ phận Một cửa".into(),
            Channel::Post => "Qua dịch vụ bưu chính".into(),
        },
        fee,
        tracking_url: format!("{}/track?code={}", state.public_url, r.code),
        officer: None,
    })
}

pub(crate) async fn render_document(
    make: impl FnOnce() -> Result<Vec<u8>, motcua_documents::DocumentError> + Send + 'static,
) -> Result<Vec<u8>, AppError> {
    tokio::task::spawn_blocking(make)
        .await
        .map_err(|e| pdf_failure(&e))?
        .map_err(|e| pdf_failure(&e))
}

fn pdf_failure(e: &dyn std::fmt::Display) -> AppError {
    tracing::error!(error = %e, "slip PDF");
    AppError::new(Kind::Internal, "pdf", "error-pdf")
}

/// The processing control sheet: every hand-over from the events, with each step's time
/// against its budget in working hours.
async fn control_sheet(
    state: &App,
    r: &DossierRecord,
) -> Result<motcua_documents::ControlSheet, AppError> {
    use motcua_documents::{ControlSheet, Handover};
    use motcua_domain::lifecycle::{EventKind, Timeliness};
    let store = &state.store;
    let agencies: std::collections::HashMap<String, String> = store
        .agencies()
        .await?
        .into_iter()
        .map(|a| (a.code.to_string(), a.name))
        .collect();
    let name = |c: &motcua_domain::ids::AgencyCode| {
        agencies
            .get(&c.to_string())
            .cloned()
            .unwrap_or_else(|| c.to_string())
    };
    // Officers by their names, the applicant by theirs.
    let people: std::collections::HashMap<String, String> = store
        .users()
        .await?
        .into_iter()
        .map(|u| (u.username, u.full_name))
        .collect();
    let d = &r.state;
    let steps = &d.intake.procedure.steps;
    let events = store.events(&r.code).await?;
    let mut holder = d.intake.receiving_agency;
    // The step being worked on and since when, to judge it at the next hand-over.
    let mut stage: Option<(usize, DateTime<Utc>)> = None;
    let mut rows = Vec::new();
    for e in &events {
        let at = e.event.at;
        let judged = |stage: Option<(usize, DateTime<Utc>)>| match stage {
            Some((step, since)) if step < steps.len() => {
                let spent = state.calendar().working_time_between(since, at);
                let budget = chrono::Duration::hours(i64::from(steps[step].budget_hours));
                if spent <= budget {
                    "Đúng hạn".to_string()
                } else {
                    let over = (spent - budget).num_minutes();
                    format!("Quá hạn {} giờ {} phút làm việc", over / 60, over % 60)
                }
            }
            _ => String::new(),
        };
        let who = match e.event.actor.role {
            motcua_domain::role::Role::Applicant => d.intake.applicant.name.clone(),
            _ => people
                .get(&e.event.actor.id)
                .cloned()
                .unwrap_or_else(|| e.event.actor.id.clone()),
        };
        let row = match &e.event.kind {
            EventKind::Received { .. } => Some(Handover {
                parties: format!("{} tiếp nhận hồ sơ", name(&holder)),
                at: moment(at),
                result: "Tiếp nhận".into(),
                note: who,
            }),
            EventKind::Forwarded { step, agency, .. } => {
                let result = judged(stage);
                let row = Handover {
                    parties: format!("{} giao, {} nhận", name(&holder), name(agency)),
                    at: moment(at),
                    result,
                    note: steps
                        .get(*step)
                        .map_or_else(String::new, |s| s.name.clone()),
                };
                holder = *agency;
                stage = Some((*step, at));
                Some(row)
            }
            EventKind::SentBack {
                step,
                agency,
                reason,
                ..
            } => {
                let row = Handover {
                    parties: format!("{} trả lại, {} nhận", name(&holder), name(agency)),
                    at: moment(at),
                    result: judged(stage),
                    note: reason.clone(),
                };
                holder = *agency;
                stage = Some((*step, at));
                Some(row)
            }
            EventKind::Transferred {
                from_agency,
                to_agency,
                reason,
            } => {
                holder = *to_agency;
                Some(Handover {
                    parties: format!(
                        "{} giao, {} nhận (liên thông)",
                        name(from_agency),
                        name(to_agency)
                    ),
                    at: moment(at),
                    result: String::new(),
                    note: reason.clone(),
                })
            }
            EventKind::SupplementRequested { reason, .. } => Some(Handover {
                parties: format!("{} yêu cầu bổ sung hồ sơ", name(&holder)),
                at: moment(at),
                result: "Chờ bổ sung".into(),
                note: reason.clone(),
            }),
            EventKind::Supplemented { .. } => Some(Handover {
                parties: "Người nộp bổ sung hồ sơ".into(),
                at: moment(at),
                result: "Đã bổ sung".into(),
                note: String::new(),
            }),
            EventKind::Approved { .. } => Some(Handover {
                parties: format!("{} phê duyệt", name(&holder)),
                at: moment(at),
                result: String::new(),
                note: who,
            }),
            EventKind::ResultIssued { timeliness, .. } => Some(Handover {
                parties: format!("{} trả kết quả về Bộ phận Một cửa", name(&holder)),
                at: moment(at),
                result: match timeliness {
                    Timeliness::Early => "Trước hạn",
                    Timeliness::OnTime => "Đúng hạn",
                    Timeliness::Late => "Quá hạn",
                }
                .into(),
                note: judged(stage),
            }),
            EventKind::ResultReturned { .. } => Some(Handover {
                parties: "Bộ phận Một cửa trả kết quả cho người nộp".into(),
                at: moment(at),
                result: "Đã trả kết quả".into(),
                note: String::new(),
            }),
            EventKind::Refused { reasons } => Some(Handover {
                parties: format!("{} từ chối giải quyết", name(&holder)),
                at: moment(at),
                result: "Từ chối".into(),
                note: reasons.join("; "),
            }),
            EventKind::Reappointed {
                new_due_at, reason, ..
            } => Some(Handover {
                parties: format!("{} xin lỗi, hẹn lại ngày trả", name(&holder)),
                at: moment(at),
                result: format!("Hẹn lại: {}", moment(*new_due_at)),
                note: reason.clone(),
            }),
            EventKind::Withdrawn { reason } => Some(Handover {
                parties: "Người nộp rút hồ sơ".into(),
                at: moment(at),
                result: "Dừng giải quyết".into(),
                note: reason.clone(),
            }),
            _ => None,
        };
        rows.extend(row);
    }
    let (authority, office, place) = issuer(state, r).await?;
    let procedure = store
        .procedure(&d.intake.procedure.code)
        .await?
        .map(|p| p.name)
        .unwrap_or_default();
    Ok(ControlSheet {
        header: SlipHeader {
            authority,
            office,
            place_and_date: place_and_date(&place, Utc::now()),
            dossier_code: r.code.to_string(),
            applicant_name: d.intake.applicant.name.clone(),
            procedure_name: procedure,
            tracking_url: format!("{}/track?code={}", state.public_url, r.code),
        },
        received_at: d.received_at.map(moment).unwrap_or_default(),
        due_at: d.due_at.map(moment).unwrap_or_default(),
        handovers: rows,
    })
}

/// A notice slip (`supplement-guide`, `refusal`, `apology` or `result`) from the latest event of
/// its kind; "not found" when the dossier has none.
async fn notice(
    state: &App,
    record: &DossierRecord,
    kind: SlipKind,
) -> Result<(SlipHeader, Notice), AppError> {
    let events = state.store.events(&record.code).await?;
    // The deciding agency's name is printed on the result's slip only.
    let agency = if kind == SlipKind::Result {
        let competent = record.state.intake.competent_agency;
        state
            .store
            .agencies()
            .await?
            .into_iter()
            .find(|a| a.code == competent)
            .map_or_else(|| competent.to_string(), |a| a.name)
    } else {
        String::new()
    };
    let found = events.iter().rev().find_map(|e| {
        let notice = match (&e.event.kind, kind) {
            (
                EventKind::SupplementRequested {
                    reason, missing, ..
                },
                SlipKind::SupplementGuide,
            ) => Notice::Supplement {
                reason: reason.clone(),
                missing: missing.clone(),
            },
            (EventKind::Refused { reasons }, SlipKind::Refusal) => Notice::Refusal {
                reasons: reasons.clone(),
            },
            (
                EventKind::Reappointed {
                    previous_due_at,
                    new_due_at,
                    reason,
                    ..
                },
                SlipKind::Apology,
            ) => Notice::Apology {
                original_due: moment(*previous_due_at),
                new_due: moment(*new_due_at),
                reason: reason.clone(),
            },
            (
                EventKind::ResultIssued {
                    summary,
                    document_sha256: Some(sha256),
                    ..
                },
                SlipKind::Result,
            ) => Notice::Result {
                summary: summary.clone(),
                agency: agency.clone(),
                issued_at: moment(e.event.at),
                sha256: sha256.clone(),
                verify_url: format!("{}/verify/{sha256}", state.public_url),
            },
            _ => return None,
        };
        Some((e.event.at, notice))
    });
    let Some((at, notice)) = found else {
        return Err(AppError::not_found());
    };
    let (authority, office, place) = issuer(state, record).await?;
    let procedure = state
        .store
        .procedure(&record.state.intake.procedure.code)
        .await?
        .map(|p| p.name)
        .unwrap_or_default();
    let header = SlipHeader {
        authority,
        office,
        place_and_date: place_and_date(&place, at),
        dossier_code: record.code.to_string(),
        applicant_name: record.state.intake.applicant.name.clone(),
        procedure_name: procedure,
        tracking_url: format!("{}/track?code={}", state.public_url, record.code),
    };
    Ok((header, notice))
}
