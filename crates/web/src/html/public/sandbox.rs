//! The sandbox gateway (served when the server is configured with it: the demo and the tests),
//! which speaks the VNPay protocol like the real one: its payment page checks the merchant's
//! signature, code and time limit, notifies the merchant server-to-server (IPN) and sends the
//! payer back with a signed result; its transaction API answers the merchant's questions
//! (`querydr`) from what it remembers of each payment. A tester can pay without the IPN being
//! sent, as when the merchant's server was unreachable, to see reconciliation at work.

use std::collections::{BTreeMap, HashMap, HashSet};
use std::sync::{Arc, Mutex, PoisonError};

use askama::Template;
use axum::extract::{RawQuery, State};
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Extension, Json, Router};
use chrono::Utc;
use rand::RngExt;

use crate::html::{Chrome, error_page, render};
use crate::i18n::money;
use crate::request::query_params;
use motcua_app::App;
use motcua_app::vnpay;

/// The sandbox's routes, with the memory they share.
pub(crate) fn routes() -> Router<App> {
    Router::new()
        .route("/sandbox/vnpay/pay", get(page).post(decide))
        .route("/sandbox/vnpay/api/transaction", post(transaction))
        .layer(Extension(Ledger::default()))
}

/// What the sandbox remembers of the payments it was shown: the merchant's own signed
/// requests only, so nothing an outsider sends grows it.
#[derive(Clone, Default)]
struct Ledger(Arc<Mutex<Memory>>);

#[derive(Default)]
struct Memory {
    payments: HashMap<String, Seen>,
    /// Query ids already answered (the gateway refuses a repeated one).
    requests: HashSet<String>,
}

/// A payment the payer was shown, and the signed result once decided.
struct Seen {
    created: String,
    amount: String,
    order_info: String,
    result: Option<BTreeMap<String, String>>,
}

impl Ledger {
    fn with<T>(&self, f: impl FnOnce(&mut Memory) -> T) -> T {
        f(&mut self.0.lock().unwrap_or_else(PoisonError::into_inner))
    }

    fn seen(&self, params: &BTreeMap<String, String>, result: Option<&BTreeMap<String, String>>) {
        let get = |k: &str| params.get(k).cloned().unwrap_or_default();
        self.with(|m| {
            let entry = m.payments.entry(get("vnp_TxnRef")).or_insert_with(|| Seen {
                created: get("vnp_CreateDate"),
                amount: get("vnp_Amount"),
                order_info: get("vnp_OrderInfo"),
                result: None,
            });
            if let Some(r) = result {
                entry.result = Some(r.clone());
            }
        });
    }
}

#[derive(Template)]
#[template(path = "sandbox_pay.html")]
struct SandboxPage<'a> {
    c: &'a Chrome,
    merchant: String,
    order: String,
    amount: String,
    params: Vec<(String, String)>,
}

fn sandbox_config(state: &App) -> Option<&vnpay::VnpayConfig> {
    state.payment.as_ref().filter(|p| p.sandbox)
}

/// Signed with the shared secret, for this merchant.
fn genuine(cfg: &vnpay::VnpayConfig, params: &BTreeMap<String, String>) -> bool {
    vnpay::verify(&cfg.secret, params) && params.get("vnp_TmnCode") == Some(&cfg.tmn_code)
}

/// Past its `vnp_ExpireDate` (or without a readable one).
fn expired(params: &BTreeMap<String, String>) -> bool {
    params
        .get("vnp_ExpireDate")
        .and_then(|d| vnpay::parse_gateway_time(d))
        .is_none_or(|until| until < Utc::now())
}

fn bad_request(c: &Chrome) -> Response {
    error_page(
        StatusCode::BAD_REQUEST,
        c,
        "sandbox-bad-title",
        c.tr.t("sandbox-bad-lead"),
    )
}

/// `GET /sandbox/vnpay/pay`: the gateway's payment page.
async fn page(
    State(state): State<App>,
    Extension(ledger): Extension<Ledger>,
    c: Chrome,
    RawQuery(q): RawQuery,
) -> Response {
    let Some(cfg) = sandbox_config(&state) else {
        return crate::html::not_found(c).await;
    };
    let params = query_params(q.as_deref());
    if !genuine(cfg, &params) {
        return bad_request(&c);
    }
    // Like the real gateway, a payment is refused once its time limit has passed.
    if expired(&params) {
        return error_page(
            StatusCode::GONE,
            &c,
            "sandbox-expired-title",
            c.tr.t("sandbox-expired-lead"),
        );
    }
    ledger.seen(&params, None);
    let amount = params
        .get("vnp_Amount")
        .and_then(|a| a.parse::<i64>().ok())
        .map_or_else(String::new, |a| money(a / 100));
    render(
        StatusCode::OK,
        &c,
        &SandboxPage {
            c: &c,
            merchant: cfg.tmn_code.clone(),
            order: params.get("vnp_OrderInfo").cloned().unwrap_or_default(),
            amount,
            params: params.into_iter().collect(),
        },
    )
}

/// `POST /sandbox/vnpay/pay`: the payer decided. Notifies the merchant (IPN) unless the tester
/// chose to lose it, then redirects the payer to the merchant's return URL with the same
/// signed result.
async fn decide(
    State(state): State<App>,
    Extension(ledger): Extension<Ledger>,
    c: Chrome,
    body: String,
) -> Response {
    let Some(cfg) = sandbox_config(&state) else {
        return crate::html::not_found(c).await;
    };
    let mut form: BTreeMap<String, String> = form_urlencoded::parse(body.as_bytes())
        .into_owned()
        .collect();
    let decision = form.remove("decision").unwrap_or_default();
    let bank = form.remove("bank").unwrap_or_else(|| "NCB".into());
    if !genuine(cfg, &form) {
        return bad_request(&c);
    }
    let get = |k: &str| form.get(k).cloned().unwrap_or_default();
    // Past the time limit the gateway answers 11 ("expired waiting for payment").
    let late = expired(&form);
    let pays = matches!(decision.as_str(), "pay" | "pay_unnotified");
    let ok = pays && !late;
    let mut result = BTreeMap::new();
    for k in ["vnp_Amount", "vnp_OrderInfo", "vnp_TmnCode", "vnp_TxnRef"] {
        result.insert(k.to_string(), get(k));
    }
    let number = rand::rng().random_range(10_000_000..100_000_000u64);
    result.insert("vnp_BankCode".into(), bank);
    result.insert("vnp_CardType".into(), "ATM".into());
    result.insert("vnp_PayDate".into(), vnpay::gateway_time(Utc::now()));
    result.insert(
        "vnp_ResponseCode".into(),
        match (ok, late) {
            (true, _) => "00",
            (false, true) => "11",
            (false, false) => "24",
        }
        .into(),
    );
    result.insert(
        "vnp_TransactionStatus".into(),
        if ok { "00" } else { "02" }.into(),
    );
    result.insert(
        "vnp_TransactionNo".into(),
        if ok { number.to_string() } else { "0".into() },
    );
    if ok {
        result.insert("vnp_BankTranNo".into(), format!("VNP{number}"));
    }
    ledger.seen(&form, Some(&result));
    if decision == "pay_unnotified" {
        tracing::info!("sandbox payment without its IPN, as the tester asked");
    } else {
        let ipn = vnpay::signed_url(&cfg.ipn_url, &cfg.secret, result.clone());
        match notify(&ipn).await {
            Ok(answer) => tracing::info!(answer, "sandbox IPN answered"),
            Err(e) => tracing::warn!(error = %e, "sandbox IPN failed"),
        }
    }
    let back = vnpay::signed_url(&get("vnp_ReturnUrl"), &cfg.secret, result);
    (StatusCode::SEE_OTHER, [(header::LOCATION, back)]).into_response()
}

async fn notify(url: &str) -> Result<String, reqwest::Error> {
    // reqwest here uses rustls without a default crypto provider; the sandbox talks plain
    // HTTP to this server, but the client still wants one installed.
    let _ = rustls::crypto::ring::default_provider().install_default();
    reqwest::Client::builder()
        .timeout(std::time::Duration::from_secs(10))
        .build()?
        .get(url)
        .send()
        .await?
        .text()
        .await
}

/// `POST /sandbox/vnpay/api/transaction`: the transaction API. Answers a `querydr` about a
/// payment it showed, checked like the real gateway (merchant code, signature, format, a
/// repeated request id, the payment's own date), always `200` with a signed JSON answer.
async fn transaction(
    State(state): State<App>,
    Extension(ledger): Extension<Ledger>,
    body: String,
) -> Response {
    let Some(cfg) = sandbox_config(&state) else {
        return StatusCode::NOT_FOUND.into_response();
    };
    let request: BTreeMap<String, String> =
        match serde_json::from_str::<BTreeMap<String, serde_json::Value>>(&body) {
            Ok(fields) => fields
                .into_iter()
                .filter_map(|(k, v)| Some((k, v.as_str()?.to_string())))
                .collect(),
            Err(_) => BTreeMap::new(),
        };
    let get = |k: &str| request.get(k).map_or("", String::as_str);
    let mut answer = BTreeMap::new();
    let (code, message) = if get("vnp_TmnCode") != cfg.tmn_code {
        ("02", "Invalid merchant")
    } else if !vnpay::verify_fields(&cfg.secret, &request, &vnpay::QUERY_FIELDS) {
        ("97", "Invalid checksum")
    } else if get("vnp_Command") != "querydr" || get("vnp_Version") != "2.1.0" {
        ("03", "Invalid data format")
    } else if !ledger.with(|m| m.requests.insert(get("vnp_RequestId").to_string())) {
        ("94", "Duplicate request")
    } else {
        ledger.with(|m| match m.payments.get(get("vnp_TxnRef")) {
            Some(seen) if seen.created == get("vnp_TransactionDate") => {
                answer.insert("vnp_Amount".into(), seen.amount.clone());
                answer.insert("vnp_OrderInfo".into(), seen.order_info.clone());
                answer.insert("vnp_TransactionType".into(), "01".into());
                // Shown but not decided: the payment is not complete.
                answer.insert("vnp_TransactionStatus".into(), "01".into());
                for k in [
                    "vnp_BankCode",
                    "vnp_PayDate",
                    "vnp_TransactionNo",
                    "vnp_TransactionStatus",
                ] {
                    if let Some(v) = seen.result.as_ref().and_then(|r| r.get(k)) {
                        answer.insert(k.into(), v.clone());
                    }
                }
                ("00", "Query success")
            }
            _ => ("91", "Transaction not found"),
        })
    };
    let id = format!("{:032x}", rand::rng().random::<u128>());
    for (k, v) in [
        ("vnp_ResponseId", id.as_str()),
        ("vnp_Command", "querydr"),
        ("vnp_ResponseCode", code),
        ("vnp_Message", message),
        ("vnp_TmnCode", cfg.tmn_code.as_str()),
        ("vnp_TxnRef", get("vnp_TxnRef")),
    ] {
        answer.insert(k.into(), v.into());
    }
    let hash = vnpay::sign_fields(&cfg.secret, &answer, &vnpay::ANSWER_FIELDS);
    answer.insert("vnp_SecureHash".into(), hash);
    Json(answer).into_response()
}
