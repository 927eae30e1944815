//! Fees paid online through the VNPay gateway: a payment is started for what the dossier still
//! owes, the gateway confirms it server-to-server (IPN: signature checked, amount checked,
//! settled once), and the dossier records the fee, which lets reception receive it.

use std::collections::BTreeMap;

use chrono::Utc;
use motcua_domain::Lang;
use motcua_domain::lifecycle::{Command, LifecycleError};
use motcua_domain::role::Actor;
use motcua_store::ops::{self, OpError};
use motcua_store::{Payment, PaymentStatus, Settlement};
use rand::RngExt;

use crate::App;
use crate::error::{AppError, Kind};
use crate::principal::Principal;
use crate::vnpay::{self, IpnAnswer};

/// A payment started: send the payer to `pay_url`, the gateway's signed payment page.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Started {
    pub txn_ref: String,
    pub amount: i64,
    pub pay_url: String,
}

/// Starts paying what the dossier still owes. Only its applicant may; `lang` is the language
/// of the gateway's page.
pub async fn start(
    state: &App,
    principal: &Principal,
    code: &str,
    client_ip: &str,
    lang: Lang,
) -> Result<Started, AppError> {
    let record = crate::dossiers::readable(state, principal, code).await?;
    if !matches!(principal, Principal::Citizen(_)) {
        return Err(AppError::forbidden());
    }
    let Some(config) = &state.payment else {
        return Err(AppError::new(
            Kind::Conflict,
            "payment_unavailable",
            "error-payment-unavailable",
        ));
    };
    let d = &record.state;
    let owed = d.fee_owed();
    if owed == 0 {
        return Err(AppError::new(
            Kind::Conflict,
            "nothing_due",
            "error-nothing-due",
        ));
    }
    let now = Utc::now();
    let window = chrono::Duration::minutes(vnpay::PAY_MINUTES);
    let txn_ref = format!(
        "{}{:010}",
        vnpay::gateway_time(now).get(2..8).unwrap_or("000000"),
        rand::rng().random_range(0..10_000_000_000u64)
    );
    // One payment at a time: while one the gateway may still complete is pending, another
    // could take the fee twice. The store refuses a second pending one atomically; one older
    // than the gateway's time limit is expired to make room.
    let put = state
        .store
        .put_payment(
            &Payment {
                txn_ref: txn_ref.clone(),
                dossier_code: record.code.to_string(),
                amount: owed,
                status: PaymentStatus::Pending,
                created_at: now,
                paid_at: None,
                gateway_txn: None,
                bank_code: None,
                response_code: None,
            },
            now - window,
        )
        .await;
    match put {
        Ok(()) => {}
        Err(motcua_store::StoreError::Duplicate(_)) => {
            let open = state
                .store
                .dossier_payments(&record.code)
                .await?
                .into_iter()
                .find(|p| p.status == PaymentStatus::Pending)
                .map_or(now, |p| p.created_at);
            let left = (open + window - now).num_minutes() + 1;
            return Err(AppError::new(
                Kind::Conflict,
                "payment_in_progress",
                "error-payment-in-progress",
            )
            .arg("minutes", u64::try_from(left).unwrap_or(1)));
        }
        Err(e) => return Err(e.into()),
    }
    let info = format!("Nop phi ho so {}", record.code);
    let locale = match lang {
        Lang::Vi => "vn",
        Lang::En => "en",
    };
    Ok(Started {
        pay_url: vnpay::payment_url(config, &txn_ref, owed, &info, locale, client_ip, now),
        txn_ref,
        amount: owed,
    })
}

/// Takes the gateway's word on a payment: checks the signature and the amount, settles the
/// payment once, and records the fee on the dossier (again safely if a previous attempt
/// stopped half-way).
pub async fn settle(state: &App, params: &BTreeMap<String, String>) -> IpnAnswer {
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
            Ok(updated) if updated.state.fee_excess() > 0 => {
                // Paid twice (or beyond a corrected fee): kept, shown as owed back, and the
                // reception officers of the dossier are told to refund it.
                tracing::warn!(txn_ref, dossier = %code, excess = updated.state.fee_excess(), "fee overpaid");
                if let Err(e) = raise_overpaid(state, &updated).await {
                    tracing::error!(error = %e, dossier = %code, "overpayment alert not raised");
                }
            }
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

/// Alerts the reception officers of the dossier's receiving agency that its fee was paid
/// beyond what it owes.
async fn raise_overpaid(
    state: &App,
    record: &motcua_store::DossierRecord,
) -> Result<u64, motcua_store::StoreError> {
    let now = Utc::now();
    let receiving = record.state.intake.receiving_agency;
    let alerts: Vec<motcua_store::NewAlert> = state
        .store
        .users()
        .await?
        .into_iter()
        .filter(|u| {
            u.active
                && u.role == motcua_domain::role::Role::Reception
                && u.agency == Some(receiving)
        })
        .map(|u| motcua_store::NewAlert {
            dossier_code: record.code,
            kind: motcua_domain::lifecycle::Alert::Overpaid
                .as_str()
                .to_string(),
            due_at: now,
            recipient: u.username,
            created_at: now,
        })
        .collect();
    state.store.raise_alerts(&alerts).await
}
