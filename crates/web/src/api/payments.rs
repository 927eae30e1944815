//! Fees paid online through the VNPay gateway: a payment is started for what the dossier still
//! owes, the gateway confirms it server-to-server (IPN: signature checked, amount checked,
//! settled once), and the dossier records the fee, which lets reception receive it.

use motcua_app::error::Kind;
use std::collections::BTreeMap;

use axum::Json;
use axum::extract::{Path, RawQuery, State};
use axum::http::{HeaderMap, StatusCode};
use chrono::{DateTime, Utc};
use motcua_domain::Lang;
use motcua_domain::lifecycle::{Command, LifecycleError};
use motcua_domain::role::Actor;
use motcua_store::ops::{self, OpError};
use motcua_store::{Payment, PaymentStatus, Settlement};
use rand::RngExt;
use serde::Serialize;

use crate::auth::Caller;
use crate::error::{ReqLang, WebError};
use motcua_app::App;
use motcua_app::principal::Principal;
use motcua_app::vnpay::{self, IpnAnswer};

#[derive(Serialize, utoipa::ToSchema)]
pub(crate) struct PaymentView {
    txn_ref: String,
    amount: i64,
    /// pending, paid or failed.
    status: &'static str,
    created_at: DateTime<Utc>,
    paid_at: Option<DateTime<Utc>>,
    /// The gateway's transaction number.
    gateway_txn: Option<String>,
    bank_code: Option<String>,
}

impl From<Payment> for PaymentView {
    fn from(p: Payment) -> Self {
        PaymentView {
            txn_ref: p.txn_ref,
            amount: p.amount,
            status: p.status.as_str(),
            created_at: p.created_at,
            paid_at: p.paid_at,
            gateway_txn: p.gateway_txn,
            bank_code: p.bank_code,
        }
    }
}

#[derive(Serialize, utoipa::ToSchema)]
pub(crate) struct PaymentStart {
    txn_ref: String,
    amount: i64,
    /// Send the payer here (the gateway's signed payment page).
    pub(crate) pay_url: String,
}

/// Starts paying what the dossier still owes. Only its applicant may.
pub(crate) async fn start(
    state: &App,
    principal: &Principal,
    code: &str,
    client_ip: &str,
    lang: Lang,
) -> Result<PaymentStart, WebError> {
    let record = motcua_app::dossiers::readable(state, principal, code).await?;
    if !matches!(principal, Principal::Citizen(_)) {
        return Err(WebError::forbidden());
    }
    let Some(config) = &state.payment else {
        return Err(WebError::new(
            Kind::Conflict,
            "payment_unavailable",
            "error-payment-unavailable",
        ));
    };
    let d = &record.state;
    let owed = d.fee_owed();
    if owed == 0 {
        return Err(WebError::new(
            Kind::Conflict,
            "nothing_due",
            "error-nothing-due",
        ));
    }
    let now = Utc::now();
    let txn_ref = format!(
        "{}{:010}",
        vnpay::gateway_time(now).get(2..8).unwrap_or("000000"),
        rand::rng().random_range(0..10_000_000_000u64)
    );
    state
        .store
        .put_payment(&Payment {
            txn_ref: txn_ref.clone(),
            dossier_code: record.code.to_string(),
            amount: owed,
            status: PaymentStatus::Pending,
            created_at: now,
            paid_at: None,
            gateway_txn: None,
            bank_code: None,
            response_code: None,
        })
        .await?;
    let info = format!("Nop phi ho so {}", record.code);
    let locale = match lang {
        Lang::Vi => "vn",
        Lang::En => "en",
    };
    Ok(PaymentStart {
        pay_url: vnpay::payment_url(config, &txn_ref, owed, &info, locale, client_ip, now),
        txn_ref,
        amount: owed,
    })
}

pub(crate) fn client_ip(headers: &HeaderMap) -> String {
    headers
        .get("x-forwarded-for")
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.split(',').next())
        .map(|s| s.trim().chars().take(45).collect())
        .unwrap_or_else(|| "127.0.0.1".into())
}

/// Starts paying the dossier's fee online; answers the gateway URL to send the payer to.
#[utoipa::path(
    post, path = "/api/v1/dossiers/{code}/payments", tag = "payments", security(("bearer" = [])),
    params(("code" = String, Path)),
    responses(
        (status = 201, body = PaymentStart),
        (status = 403, body = crate::error::ErrorBody),
        (status = 404, body = crate::error::ErrorBody),
        (status = 409, body = crate::error::ErrorBody, description = "nothing owed, or no gateway")
    )
)]
pub(crate) async fn create(
    State(state): State<App>,
    ReqLang(lang): ReqLang,
    Caller(principal): Caller,
    headers: HeaderMap,
    Path(code): Path<String>,
) -> Result<(StatusCode, Json<PaymentStart>), WebError> {
    let started = start(&state, &principal, &code, &client_ip(&headers), lang).await?;
    Ok((StatusCode::CREATED, Json(started)))
}

/// The dossier's payments (receipts of fees paid online).
#[utoipa::path(
    get, path = "/api/v1/dossiers/{code}/payments", tag = "payments", security(("bearer" = [])),
    params(("code" = String, Path)),
    responses((status = 200, body = [PaymentView]), (status = 404, body = crate::error::ErrorBody))
)]
pub(crate) async fn list(
    State(state): State<App>,
    Caller(principal): Caller,
    Path(code): Path<String>,
) -> Result<Json<Vec<PaymentView>>, WebError> {
    let record = motcua_app::dossiers::readable(&state, &principal, &code).await?;
    let list = state.store.dossier_payments(&record.code).await?;
    Ok(Json(list.into_iter().map(Into::into).collect()))
}

pub(crate) fn query_params(raw: Option<&str>) -> BTreeMap<String, String> {
    form_urlencoded::parse(raw.unwrap_or("").as_bytes())
        .into_owned()
        .collect()
}

/// Takes the gateway's word on a payment: checks the signature and the amount, settles the
/// payment once, and records the fee on the dossier (again safely if a previous attempt
/// stopped half-way).
pub(crate) async fn settle(state: &App, params: &BTreeMap<String, String>) -> IpnAnswer {
    let Some(config) = &state.payment else {
        return IpnAnswer::OTHER;
    };
    if !vnpay::verify(&config.secret, params) {
        tracing::warn!("payment notification with a bad signature");
        return IpnAnswer::SIGNATURE;
    }
    let get = |k: &str| params.get(k).cloned().unwrap_or_default();
    let txn_ref = get("vnp_TxnRef");
    let payment = match state.store.payment(&txn_ref).await {
        Ok(Some(p)) => p,
        Ok(None) => return IpnAnswer::NOT_FOUND,
        Err(e) => {
            tracing::error!(error = %e, "payment lookup");
            return IpnAnswer::OTHER;
        }
    };
    if get("vnp_Amount").parse::<i64>().ok() != Some(payment.amount * 100) {
        tracing::warn!(txn_ref, "payment notification with a wrong amount");
        return IpnAnswer::AMOUNT;
    }
    let paid = get("vnp_ResponseCode") == "00" && get("vnp_TransactionStatus") == "00";
    let settlement = Settlement {
        status: if paid {
            PaymentStatus::Paid
        } else {
            PaymentStatus::Failed
        },
        at: Utc::now(),
        gateway_txn: get("vnp_TransactionNo"),
        bank_code: get("vnp_BankCode"),
        response_code: get("vnp_ResponseCode"),
    };
    let first = match state.store.settle_payment(&txn_ref, &settlement).await {
        Ok(first) => first,
        Err(e) => {
            tracing::error!(error = %e, "settling a payment");
            return IpnAnswer::OTHER;
        }
    };
    let status = if first {
        settlement.status
    } else {
        payment.status
    };
    if status == PaymentStatus::Paid {
        let Ok(code) = payment.dossier_code.parse() else {
            return IpnAnswer::OTHER;
        };
        let command = Command::RecordPayment {
            reference: format!("VNPAY-{txn_ref}"),
            amount: payment.amount,
        };
        match ops::act(
            &*state.store,
            &state.lifecycle_on(&state.calendar()),
            &code,
            None,
            &command,
            &Actor::system(),
            Utc::now(),
        )
        .await
        {
            Ok(_) | Err(OpError::Lifecycle(LifecycleError::AlreadyPaid)) => {}
            Err(e) => {
                // Paid after the dossier was closed (withdrawn): kept for a refund.
                tracing::warn!(error = %e, txn_ref, "fee paid but not recorded on the dossier");
            }
        }
        tracing::info!(txn_ref, dossier = %payment.dossier_code, "fee paid online");
    }
    if first {
        IpnAnswer::CONFIRMED
    } else {
        IpnAnswer::ALREADY
    }
}

/// The gateway's server-to-server notification (IPN). Signed; answers VNPay's `RspCode`.
#[utoipa::path(
    get, path = "/api/v1/payments/vnpay/ipn", tag = "payments",
    params(("vnp_TxnRef" = String, Query), ("vnp_Amount" = String, Query), ("vnp_ResponseCode" = String, Query), ("vnp_SecureHash" = String, Query)),
    responses((status = 200, body = IpnReply))
)]
pub(crate) async fn ipn(State(state): State<App>, RawQuery(q): RawQuery) -> Json<IpnReply> {
    Json(IpnReply::from(
        settle(&state, &query_params(q.as_deref())).await,
    ))
}

/// The merchant's answer to an IPN, in VNPay's field names.
#[derive(Serialize, utoipa::ToSchema)]
pub(crate) struct IpnReply {
    #[serde(rename = "RspCode")]
    rsp_code: &'static str,
    #[serde(rename = "Message")]
    message: &'static str,
}

impl From<IpnAnswer> for IpnReply {
    fn from(a: IpnAnswer) -> Self {
        IpnReply {
            rsp_code: a.rsp_code,
            message: a.message,
        }
    }
}
