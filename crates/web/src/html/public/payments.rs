//! Where the payer lands back from the gateway, and the sandbox gateway itself (served when
//! the server is configured with it: the demo and the tests), which speaks the VNPay
//! protocol: it checks the merchant's signature, notifies the merchant server-to-server (IPN)
//! and sends the payer back with a signed result.

use std::collections::BTreeMap;

use askama::Template;
use axum::extract::{RawQuery, State};
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};
use chrono::Utc;
use motcua_store::PaymentStatus;
use rand::RngExt;

use crate::html::{Chrome, error_page, render};
use crate::i18n::money;
use crate::request::query_params;
use motcua_app::App;
use motcua_app::vnpay;

#[derive(Template)]
#[template(path = "payment_result.html")]
struct ResultPage<'a> {
    c: &'a Chrome,
    kind: &'static str,
    title: String,
    lead: String,
    dossier: String,
    amount: String,
    reference: String,
}

/// `GET /payments/vnpay/return`: the payer's way back. The IPN is what counts; this page shows
/// what the server knows, and refuses a result whose signature is wrong.
pub(crate) async fn return_page(
    State(state): State<App>,
    c: Chrome,
    RawQuery(q): RawQuery,
) -> Response {
    let params = query_params(q.as_deref());
    let valid = state
        .payment
        .as_ref()
        .is_some_and(|cfg| vnpay::verify(&cfg.secret, &params));
    if !valid {
        tracing::warn!("payment return with a bad signature");
        return error_page(
            StatusCode::BAD_REQUEST,
            &c,
            "payment-invalid-title",
            c.tr.t("payment-invalid-lead"),
        );
    }
    let txn = params.get("vnp_TxnRef").cloned().unwrap_or_default();
    let payment = match state.store.payment(&txn).await {
        Ok(Some(p)) => p,
        _ => {
            return error_page(
                StatusCode::NOT_FOUND,
                &c,
                "payment-invalid-title",
                c.tr.t("payment-invalid-lead"),
            );
        }
    };
    let (kind, key) = match payment.status {
        PaymentStatus::Paid => ("success", "payment-paid"),
        PaymentStatus::Pending => ("info", "payment-pending"),
        PaymentStatus::Failed | PaymentStatus::Expired => ("warning", "payment-failed"),
    };
    render(
        StatusCode::OK,
        &c,
        &ResultPage {
            c: &c,
            kind,
            title: c.tr.t(&format!("{key}-title")),
            lead: c.tr.t(&format!("{key}-lead")),
            dossier: payment.dossier_code,
            amount: money(payment.amount),
            reference: payment.txn_ref,
        },
    )
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
pub(crate) async fn sandbox_page(
    State(state): State<App>,
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

/// `POST /sandbox/vnpay/pay`: the payer decided. Notifies the merchant (IPN), then redirects
/// the payer to the merchant's return URL with the same signed result.
pub(crate) async fn sandbox_decide(State(state): State<App>, c: Chrome, body: String) -> Response {
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
    let ok = decision == "pay" && !late;
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
    let ipn = vnpay::signed_url(&cfg.ipn_url, &cfg.secret, result.clone());
    match notify(&ipn).await {
        Ok(answer) => tracing::info!(answer, "sandbox IPN answered"),
        Err(e) => tracing::warn!(error = %e, "sandbox IPN failed"),
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
