//! Fees paid online through the VNPay gateway: a payment is started for what the dossier still
//! owes, the gateway confirms it server-to-server (IPN: signature checked, amount checked,
//! settled once), and the dossier records the fee, which lets reception receive it.

use axum::Json;
use axum::extract::{Path, RawQuery, State};
use axum::http::StatusCode;
use chrono::{DateTime, Utc};
use motcua_store::Payment;
use serde::Serialize;

use crate::auth::Caller;
use crate::error::{ReqLang, WebError};
use crate::request::{Client, query_params};
use motcua_app::App;
use motcua_app::payments;
use motcua_app::vnpay::IpnAnswer;

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
    Client(ip): Client,
    Path(code): Path<String>,
) -> Result<(StatusCode, Json<PaymentStart>), WebError> {
    let s = payments::start(&state, &principal, &code, &ip, lang).await?;
    Ok((
        StatusCode::CREATED,
        Json(PaymentStart {
            txn_ref: s.txn_ref,
            amount: s.amount,
            pay_url: s.pay_url,
        }),
    ))
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

/// The gateway's server-to-server notification (IPN). Signed; answers VNPay's `RspCode`.
#[utoipa::path(
    get, path = "/api/v1/payments/vnpay/ipn", tag = "payments",
    params(("vnp_TxnRef" = String, Query), ("vnp_Amount" = String, Query), ("vnp_ResponseCode" = String, Query), ("vnp_SecureHash" = String, Query)),
    responses((status = 200, body = IpnReply))
)]
pub(crate) async fn ipn(State(state): State<App>, RawQuery(q): RawQuery) -> Json<IpnReply> {
    Json(IpnReply::from(
        payments::settle(&state, &query_params(q.as_deref())).await,
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
