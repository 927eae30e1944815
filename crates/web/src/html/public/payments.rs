//! Where the payer lands back from the gateway.

use askama::Template;
use axum::extract::{RawQuery, State};
use axum::http::StatusCode;
use axum::response::Response;
use motcua_store::PaymentStatus;

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
