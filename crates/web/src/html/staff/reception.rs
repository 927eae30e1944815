//! The reception console: a procedure chosen with its checklist, the applicant typed, the
//! dossier opened at the counter (through the same use case as the API), the fee recorded and
//! the outcome at once.

use super::dossier::lines;
use super::office::Officer;
use crate::html::forms::{Fields, get, see_other};
use crate::html::{Chrome, render};
use askama::Template;
use axum::extract::{Query, State};
use axum::response::Response;
use chrono::Utc;
use motcua_app::App;
use motcua_app::dossiers::{self, ApplicantForm, CounterFiling};
use motcua_domain::lifecycle::Command;
use std::collections::BTreeMap;

/// A procedure chosen at the counter, with its checklist.
pub(crate) struct Chosen {
    code: String,
    name: String,
    /// The checklist: each document to file or show (the source's notes are not on it).
    documents: Vec<CheckItem>,
    fee: String,
    /// When the fee depends on the case: each case as the source words it, with its amount;
    /// the officer types the one that applies.
    fee_cases: Vec<String>,
    /// When the catalog leaves the commune open: the communes to choose from (code, name).
    communes: Vec<(String, String)>,
}

/// One line of the reception checklist.
pub(crate) struct CheckItem {
    /// As the catalog lists it (a supplement request names it so).
    name: String,
    /// Without the case heading in front.
    shown: String,
    /// The case's heading, on the first document of each case.
    case: Option<String>,
    /// Whether every dossier needs it.
    required: bool,
}

/// What the counter has typed for the applicant.
#[derive(Default)]
pub(crate) struct ApplicantFields {
    name: String,
    cccd: String,
    phone: String,
    email: String,
}

#[derive(Template)]
#[template(path = "staff_reception.html")]
pub(crate) struct ReceptionPage<'a> {
    c: &'a Chrome,
    csrf: String,
    q: String,
    results: Vec<(String, String)>,
    chosen: Option<Chosen>,
    branches: Vec<(String, String, bool)>,
    applicant: ApplicantFields,
    /// What looking up the citizen ID found: the applicant filled in from an earlier
    /// dossier, or none.
    prefilled: Option<String>,
    errors: Vec<(String, String)>,
}

/// The procedure `code` with its documents and the fee of filing in person, if it exists.
pub(crate) async fn chosen(state: &App, code: &str) -> Option<Chosen> {
    let p = state.store.procedure(&code.parse().ok()?).await.ok()??;
    let method = p.in_person_method();
    let fee_cases: Vec<String> = method
        .map(|m| motcua_catalog::portal::fee_tiers(&m.fee_text))
        .unwrap_or_default()
        .into_iter()
        .map(|t| t.to_string())
        .collect();
    // A fee stated case by case is typed by the officer, never the first amount.
    let fee = match method.and_then(|m| m.fee_vnd) {
        Some(n) => n.to_string(),
        None if fee_cases.is_empty() => "0".into(),
        None => String::new(),
    };
    let communes = if state.catalog.leaves_commune_open(p.agency) {
        state
            .catalog
            .communes_under(p.agency)
            .into_iter()
            .map(|a| (a.code.to_string(), a.name))
            .collect()
    } else {
        Vec::new()
    };
    Some(Chosen {
        communes,
        code: p.code.to_string(),
        name: p.name.clone(),
        // Grouped by case as the procedure's page shows them; notes are not on the list.
        documents: p
            .documents_by_case()
            .into_iter()
            .flat_map(|group| {
                let mut heading = group.case.map(str::to_string);
                group
                    .documents
                    .into_iter()
                    .filter(|(_, _, d)| d.role() != motcua_store::DocumentRole::Note)
                    .map(move |(_, shown, d)| CheckItem {
                        name: d.name.clone(),
                        shown: shown.to_string(),
                        case: heading.take(),
                        required: d.role() == motcua_store::DocumentRole::ToFile,
                    })
            })
            .collect(),
        fee,
        fee_cases,
    })
}

pub(crate) async fn reception_page(
    state: &App,
    c: &Chrome,
    officer: &Officer,
    q: &BTreeMap<String, String>,
    mut applicant: ApplicantFields,
    errors: Vec<(String, String)>,
) -> Response {
    let text = get(q, "q").trim().to_string();
    let results = if text.is_empty() {
        Vec::new()
    } else {
        state
            .catalog
            .index()
            .search(&motcua_search::SearchQuery {
                text: Some(text.clone()),
                limit: 10,
                ..Default::default()
            })
            .map(|r| {
                r.items
                    .into_iter()
                    .map(|p| (p.code.to_string(), p.name))
                    .collect()
            })
            .unwrap_or_default()
    };
    // A citizen ID looked up: the applicant's details from an earlier dossier, or a word that
    // none was found (the officer types them).
    let mut prefilled = None;
    if applicant.name.is_empty()
        && let Ok(cccd) = motcua_domain::ids::Cccd::parse(get(q, "cccd"))
    {
        match state.store.applicant_by_cccd(&cccd).await {
            Ok(Some(earlier)) => {
                prefilled = Some(c.tr.t("staff-prefilled"));
                applicant = ApplicantFields {
                    name: earlier.name,
                    cccd: cccd.to_string(),
                    phone: earlier.phone.map(|p| p.to_string()).unwrap_or_default(),
                    email: earlier.email.unwrap_or_default(),
                };
            }
            Ok(None) => prefilled = Some(c.tr.t("staff-prefill-none")),
            Err(e) => tracing::warn!(error = %e, "looking up an applicant by citizen ID"),
        }
    }
    if applicant.cccd.is_empty() {
        applicant.cccd = get(q, "cccd").to_string();
    }
    let mine = officer.signed_in().and_then(|u| u.agency);
    // The branch chosen before, else the first of the officer's agency (not every one of
    // them, which a browser would read as the last).
    let all = state.store.branches().await.unwrap_or_default();
    let chosen_branch = match get(q, "branch") {
        "" => all
            .iter()
            .find(|b| Some(b.agency) == mine)
            .map(|b| b.code.to_string()),
        b => Some(b.to_string()),
    };
    let branches = all
        .into_iter()
        .map(|b| {
            let selected = chosen_branch.as_deref() == Some(b.code.as_str());
            (b.code.to_string(), b.name, selected)
        })
        .collect();
    let chosen = match get(q, "procedure") {
        "" => None,
        code => chosen(state, code).await,
    };
    let status = crate::html::forms::form_status(&errors);
    let page = ReceptionPage {
        c,
        csrf: officer.csrf(),
        q: text,
        results,
        chosen,
        branches,
        applicant,
        prefilled,
        errors,
    };
    render(status, c, &page)
}

/// The reception console: find the procedure, fill the applicant in (from an earlier dossier
/// by citizen ID), tick the checklist, take the fee and decide.
pub(crate) async fn reception(
    State(state): State<App>,
    c: Chrome,
    officer: Officer,
    Query(q): Query<BTreeMap<String, String>>,
) -> Response {
    let c = c.with_nav("staff");
    if let Err(r) = officer.user("/staff/reception") {
        return *r;
    }
    reception_page(
        &state,
        &c,
        &officer,
        &q,
        ApplicantFields::default(),
        Vec::new(),
    )
    .await
}

pub(crate) async fn receive(
    State(state): State<App>,
    c: Chrome,
    officer: Officer,
    axum::Form(f): Fields,
) -> Response {
    let c = c.with_nav("staff");
    let user = match officer.form(&c, "/staff/reception", get(&f, "csrf")) {
        Ok(u) => u.clone(),
        Err(r) => return *r,
    };
    let typed = || ApplicantFields {
        name: get(&f, "name").into(),
        cccd: get(&f, "cccd").into(),
        phone: get(&f, "phone").into(),
        email: get(&f, "email").into(),
    };
    let fail = |field: &str, message: String| vec![(field.to_string(), message)];
    let Some(procedure) = chosen(&state, get(&f, "procedure")).await else {
        let errors = fail("f-q", c.tr.t("staff-choose-procedure"));
        return reception_page(&state, &c, &officer, &f, typed(), errors).await;
    };
    let checked: Vec<bool> = (0..procedure.documents.len())
        .map(|i| f.contains_key(&format!("doc-{i}")))
        .collect();
    // Receiving needs every required document; a supplement request names whatever the
    // officer left unticked (a case's document too, when the case applies).
    let unticked: Vec<&CheckItem> = procedure
        .documents
        .iter()
        .zip(&checked)
        .filter(|(_, ok)| !**ok)
        .map(|(d, _)| d)
        .collect();
    let required_missing = unticked.iter().any(|d| d.required);
    let missing: Vec<String> = unticked.into_iter().map(|d| d.name.clone()).collect();
    let outcome = get(&f, "outcome");
    let fee: i64 = match get(&f, "fee").trim() {
        "" if !procedure.fee_cases.is_empty() => {
            let errors = fail("f-fee", c.tr.t("staff-fee-choose-case"));
            return reception_page(&state, &c, &officer, &f, typed(), errors).await;
        }
        "" => 0,
        v => match v.replace(['.', ','], "").parse() {
            Ok(n) if n >= 0 => n,
            _ => {
                let errors = fail("f-fee", c.tr.t("staff-fee-invalid"));
                return reception_page(&state, &c, &officer, &f, typed(), errors).await;
            }
        },
    };
    let then = match outcome {
        "receive" if !required_missing => None,
        "receive" => Some(Err(fail("f-doc-0", c.tr.t("staff-checklist-incomplete")))),
        "supplement" if missing.is_empty() => {
            Some(Err(fail("f-doc-0", c.tr.t("staff-nothing-missing"))))
        }
        "supplement" => Some(Ok(Command::RequestSupplement {
            reason: match get(&f, "reason").trim() {
                "" => c.tr.t("staff-supplement-default-reason"),
                r => r.to_string(),
            },
            missing,
        })),
        "refuse" => Some(Ok(Command::Refuse {
            reasons: lines(get(&f, "reasons")),
        })),
        _ => Some(Err(fail("f-outcome", c.tr.t("staff-choose-outcome")))),
    };
    let then = match then {
        Some(Err(errors)) => {
            return reception_page(&state, &c, &officer, &f, typed(), errors).await;
        }
        Some(Ok(cmd)) => Some(cmd),
        None => None,
    };
    let actor = motcua_domain::role::Actor::new(user.username.clone(), user.role, user.agency);
    let now = Utc::now();
    let req = CounterFiling {
        procedure_code: procedure.code.clone(),
        applicant: ApplicantForm {
            name: get(&f, "name").into(),
            cccd: Some(get(&f, "cccd").into()),
            phone: Some(get(&f, "phone").into()).filter(|p: &String| !p.trim().is_empty()),
            email: Some(get(&f, "email").into()).filter(|e: &String| !e.trim().is_empty()),
            tax_code: None,
            birth_date: None,
            lang: None,
        },
        channel: "counter".into(),
        branch_code: Some(get(&f, "branch").into()),
        competent_agency_code: Some(get(&f, "commune").into()),
        form: None,
        receive: Some(false),
    };
    let record = match dossiers::file_at_counter(&state, &actor, req, now).await {
        Ok(r) => r,
        Err(e) => {
            let field = match e.code.as_ref() {
                c if c.starts_with("cccd") => "f-cccd",
                c if c.starts_with("phone") => "f-phone",
                "unknown_branch" => "f-branch",
                "commune_required" | "competent_agency_mismatch" => "f-commune",
                _ => "f-name",
            };
            let errors = fail(field, c.tr.error(&e));
            return reception_page(&state, &c, &officer, &f, typed(), errors).await;
        }
    };
    let here = format!("/staff/dossiers/{}", record.code);
    if let Err(e) = dossiers::finish_at_counter(&state, &actor, &record, fee, then, now).await {
        tracing::warn!(code = %record.code, error = %e, "counter outcome not recorded");
        return see_other(&here);
    }
    see_other(&format!("{here}?done=1"))
}
