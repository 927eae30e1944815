//! Fees paid online through the VNPay gateway: a payment is started for what the dossier still
//! owes, the gateway confirms it server-to-server (IPN: signature checked, amount checked,
//! settled once), and the dossier records the fee, which lets reception receive it.

use std::collections::BTreeMap;

use chrono::{DateTime, Duration, Utc};
use motcua_domain::Lang;
use motcua_domain::lifecycle::{Command, LifecycleError};
use motcua_domain::role::Actor;
use motcua_store::ops::{self, OpError};
use motcua_store::{Payment, PaymentStatus, Settlement, StoreError};
use rand::RngExt;

use crate::App;
use crate::error::{AppError, Kind};
use crate::principal::Principal;
use crate::vnpay::{self, IpnAnswer, QueryOutcome};

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
    let window = Duration::minutes(vnpay::PAY_MINUTES);
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
        record_fee(state, &payment).await;
    }
    if first {
        IpnAnswer::CONFIRMED
    } else {
        IpnAnswer::ALREADY
    }
}

/// Records a paid fee on its dossier (safely again when a previous attempt stopped
/// half-way): an overpayment is kept as owed back and raised to reception; a dossier closed
/// meanwhile keeps the payment for a refund.
async fn record_fee(state: &App, payment: &Payment) {
    let txn_ref = &payment.txn_ref;
    let Ok(code) = payment.dossier_code.parse() else {
        tracing::error!(txn_ref, "payment of an unreadable dossier code");
        return;
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

/// How long after its start a payment the gateway said nothing about is asked after: the
/// gateway's time limit and a margin for a late notification.
pub const ASK_AFTER_MINUTES: i64 = vnpay::PAY_MINUTES + 5;
/// Payments asked about per run.
const ASK_PER_RUN: u32 = 100;
/// The lease's name in the database: one instance reconciles at a time.
const JOB: &str = "payment-reconcile";

/// What one reconciliation did.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct Reconciled {
    /// Payments asked about.
    pub asked: usize,
    pub paid: usize,
    pub failed: usize,
    pub expired: usize,
    /// Left pending: no usable answer this time.
    pub unknown: usize,
}

/// Asks the gateway about every payment still pending [`ASK_AFTER_MINUTES`] before `now`
/// (its IPN was lost, or the payer left), and settles each as the gateway says: paid (the fee
/// recorded as an IPN would have), failed, or expired when the gateway never saw it complete.
/// Without a transaction API configured, nothing is asked.
pub async fn reconcile(state: &App, now: DateTime<Utc>) -> Result<Reconciled, StoreError> {
    let mut report = Reconciled::default();
    let Some((config, api_url)) = state
        .payment
        .as_ref()
        .and_then(|c| Some((c, c.api_url.as_deref()?)))
    else {
        return Ok(report);
    };
    let pending = state
        .store
        .pending_payments(now - Duration::minutes(ASK_AFTER_MINUTES), ASK_PER_RUN)
        .await?;
    if pending.is_empty() {
        return Ok(report);
    }
    let client = match vnpay::api_client() {
        Ok(c) => c,
        Err(e) => {
            tracing::error!(error = %e, "no client for the payment gateway's transaction API");
            return Ok(report);
        }
    };
    let own_ip = vnpay::own_address(api_url).await;
    for payment in pending {
        report.asked += 1;
        let request_id = format!("{:032x}", rand::rng().random::<u128>());
        let request = vnpay::query_request(
            config,
            &payment.txn_ref,
            payment.created_at,
            &request_id,
            &own_ip,
            now,
        );
        let outcome = match vnpay::query(&client, api_url, &request).await {
            Ok(answer) => vnpay::query_outcome(config, &payment.txn_ref, payment.amount, &answer),
            Err(e) => QueryOutcome::Unknown(e),
        };
        let settlement =
            |status, gateway_txn: String, bank_code: String, at, code: &str| Settlement {
                status,
                at,
                gateway_txn,
                bank_code,
                response_code: code.to_string(),
            };
        let settled = match outcome {
            QueryOutcome::Paid {
                gateway_txn,
                bank_code,
                paid_at,
            } => {
                let s = settlement(
                    PaymentStatus::Paid,
                    gateway_txn,
                    bank_code,
                    paid_at.unwrap_or(now),
                    "00",
                );
                // An IPN that came meanwhile settled it (and recorded the fee) already.
                if state.store.settle_payment(&payment.txn_ref, &s).await? {
                    report.paid += 1;
                    tracing::warn!(
                        txn_ref = payment.txn_ref,
                        "payment found paid without its notification"
                    );
                    record_fee(state, &payment).await;
                }
                continue;
            }
            QueryOutcome::Failed { status } => {
                report.failed += 1;
                settlement(
                    PaymentStatus::Failed,
                    String::new(),
                    String::new(),
                    now,
                    &status,
                )
            }
            QueryOutcome::NotPaid => {
                report.expired += 1;
                settlement(
                    PaymentStatus::Expired,
                    String::new(),
                    String::new(),
                    now,
                    "",
                )
            }
            QueryOutcome::Unknown(why) => {
                report.unknown += 1;
                tracing::warn!(txn_ref = payment.txn_ref, why, "payment not reconciled");
                continue;
            }
        };
        state
            .store
            .settle_payment(&payment.txn_ref, &settled)
            .await?;
    }
    Ok(report)
}

/// One round of the reconciliation job on this instance, when it holds the lease.
pub async fn run_once(state: &App, holder: &str) -> Result<Reconciled, StoreError> {
    let now = Utc::now();
    let lease = Duration::minutes(5);
    if !state
        .store
        .take_lease(JOB, holder, now, now + lease)
        .await?
    {
        return Ok(Reconciled::default());
    }
    let report = reconcile(state, now).await?;
    if report.asked > 0 {
        tracing::info!(
            asked = report.asked,
            paid = report.paid,
            failed = report.failed,
            expired = report.expired,
            unknown = report.unknown,
            "pending payments reconciled"
        );
    }
    Ok(report)
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
