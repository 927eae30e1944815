//! The VNPay payment protocol (version 2.1.0), as public gateways in Vietnam speak it: the
//! merchant redirects the payer to the gateway with parameters signed by HMAC-SHA512 over the
//! parameters sorted by name and URL-encoded (`k=v&…`, spaces as `+`); the gateway answers the
//! merchant server-to-server (IPN) and sends the payer back to the return URL, both signed the
//! same way. Amounts are in đồng × 100. The merchant answers an IPN with
//! `{"RspCode", "Message"}`: `00` confirmed, `01` order not found, `02` already confirmed,
//! `04` wrong amount, `97` bad signature, `99` other.
//!
//! A payment whose IPN never came is asked about through the gateway's transaction API
//! (`vnp_Command=querydr`, JSON both ways), which signs differently: HMAC-SHA512 over a fixed
//! list of fields joined by `|` ([`QUERY_FIELDS`] for the request, [`ANSWER_FIELDS`] for the
//! answer, absent ones as empty strings).

use std::collections::BTreeMap;

use chrono::{DateTime, Utc};
use hmac::{Hmac, KeyInit, Mac};
use motcua_domain::calendar::TZ;
use sha2::Sha512;

/// A merchant's settings at the gateway.
#[derive(Debug, Clone)]
pub struct VnpayConfig {
    /// Gateway payment URL (`…/paymentv2/vpcpay.html`, or this server's `/sandbox/vnpay/pay`).
    pub gateway_url: String,
    /// Merchant code (vnp_TmnCode).
    pub tmn_code: String,
    /// Shared secret (vnp_HashSecret).
    pub secret: String,
    /// This server's public base URL (for the return URL).
    pub public_url: String,
    /// Serve the sandbox gateway under `/sandbox/` (demo and tests).
    pub sandbox: bool,
    /// Where the sandbox sends IPNs (this server's own address).
    pub ipn_url: String,
    /// The gateway's transaction API (`…/merchant_webapi/api/transaction`), asked about
    /// payments whose IPN never came; without it they simply expire.
    pub api_url: Option<String>,
}

/// The query string the signature covers: sorted by name, values form-URL-encoded.
pub fn canonical(params: &BTreeMap<String, String>) -> String {
    params
        .iter()
        .filter(|(k, v)| {
            !v.is_empty() && k.as_str() != "vnp_SecureHash" && k.as_str() != "vnp_SecureHashType"
        })
        .map(|(k, v)| {
            format!(
                "{}={}",
                form_urlencoded::byte_serialize(k.as_bytes()).collect::<String>(),
                form_urlencoded::byte_serialize(v.as_bytes()).collect::<String>()
            )
        })
        .collect::<Vec<_>>()
        .join("&")
}

/// HMAC-SHA512 of the canonical string, lower-case hex.
pub fn sign(secret: &str, params: &BTreeMap<String, String>) -> String {
    hmac_hex(secret, &canonical(params))
}

fn hmac_hex(secret: &str, data: &str) -> String {
    let mut mac = <Hmac<Sha512> as KeyInit>::new_from_slice(secret.as_bytes())
        .expect("HMAC takes a key of any length");
    mac.update(data.as_bytes());
    hex::encode(mac.finalize().into_bytes())
}

/// The fields a transaction-API query is signed over, in this order.
pub const QUERY_FIELDS: [&str; 9] = [
    "vnp_RequestId",
    "vnp_Version",
    "vnp_Command",
    "vnp_TmnCode",
    "vnp_TxnRef",
    "vnp_TransactionDate",
    "vnp_CreateDate",
    "vnp_IpAddr",
    "vnp_OrderInfo",
];

/// The fields the gateway signs its answer to a query over, in this order (the promotion
/// pair is signed even when empty).
pub const ANSWER_FIELDS: [&str; 15] = [
    "vnp_ResponseId",
    "vnp_Command",
    "vnp_ResponseCode",
    "vnp_Message",
    "vnp_TmnCode",
    "vnp_TxnRef",
    "vnp_Amount",
    "vnp_BankCode",
    "vnp_PayDate",
    "vnp_TransactionNo",
    "vnp_TransactionType",
    "vnp_TransactionStatus",
    "vnp_OrderInfo",
    "vnp_PromotionCode",
    "vnp_PromotionAmount",
];

/// HMAC-SHA512 over the values of `fields` joined by `|`, as the transaction API signs.
pub fn sign_fields(secret: &str, params: &BTreeMap<String, String>, fields: &[&str]) -> String {
    let data = fields
        .iter()
        .map(|f| params.get(*f).map_or("", String::as_str))
        .collect::<Vec<_>>()
        .join("|");
    hmac_hex(secret, &data)
}

/// Whether a transaction-API message carries a valid signature over `fields`.
pub fn verify_fields(secret: &str, params: &BTreeMap<String, String>, fields: &[&str]) -> bool {
    params.get("vnp_SecureHash").is_some_and(|given| {
        crate::secrets::same_secret(
            &sign_fields(secret, params, fields),
            &given.to_ascii_lowercase(),
        )
    })
}

/// The signed question about payment `txn_ref`, started at `started`: `request_id` is unique
/// for the day, `server_ip` the address this server asks from.
pub fn query_request(
    c: &VnpayConfig,
    txn_ref: &str,
    started: DateTime<Utc>,
    request_id: &str,
    server_ip: &str,
    now: DateTime<Utc>,
) -> BTreeMap<String, String> {
    let mut p: BTreeMap<String, String> = [
        ("vnp_RequestId", request_id.to_string()),
        ("vnp_Version", "2.1.0".into()),
        ("vnp_Command", "querydr".into()),
        ("vnp_TmnCode", c.tmn_code.clone()),
        ("vnp_TxnRef", txn_ref.to_string()),
        ("vnp_TransactionDate", gateway_time(started)),
        ("vnp_CreateDate", gateway_time(now)),
        ("vnp_IpAddr", server_ip.to_string()),
        ("vnp_OrderInfo", format!("Doi soat giao dich {txn_ref}")),
    ]
    .into_iter()
    .map(|(k, v)| (k.to_string(), v))
    .collect();
    let hash = sign_fields(&c.secret, &p, &QUERY_FIELDS);
    p.insert("vnp_SecureHash".into(), hash);
    p
}

/// What the gateway's answer to a query says about a payment.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum QueryOutcome {
    /// Paid: the gateway's transaction number, the bank, when.
    Paid {
        gateway_txn: String,
        bank_code: String,
        paid_at: Option<DateTime<Utc>>,
    },
    /// The gateway refused or reversed it (its transaction status).
    Failed { status: String },
    /// Never completed: the payer did not pay (status `01`), or never reached the gateway
    /// (`91`, not found).
    NotPaid,
    /// No usable answer (bad signature, another payment's, the gateway's own error): ask again
    /// later.
    Unknown(String),
}

/// Reads the gateway's answer about the payment `txn_ref` of `amount` đồng.
pub fn query_outcome(
    c: &VnpayConfig,
    txn_ref: &str,
    amount: i64,
    answer: &BTreeMap<String, String>,
) -> QueryOutcome {
    let get = |k: &str| answer.get(k).map_or("", String::as_str);
    if !verify_fields(&c.secret, answer, &ANSWER_FIELDS) {
        return QueryOutcome::Unknown("bad signature".into());
    }
    if get("vnp_TmnCode") != c.tmn_code || get("vnp_Command") != "querydr" {
        return QueryOutcome::Unknown("an answer for another merchant or command".into());
    }
    match get("vnp_ResponseCode") {
        "00" => {}
        "91" => return QueryOutcome::NotPaid,
        code => {
            return QueryOutcome::Unknown(format!(
                "gateway answered {code}: {}",
                get("vnp_Message")
            ));
        }
    }
    if get("vnp_TxnRef") != txn_ref {
        return QueryOutcome::Unknown("an answer about another payment".into());
    }
    match get("vnp_TransactionStatus") {
        "00" if get("vnp_Amount").parse::<i64>().ok() == Some(amount * 100) => QueryOutcome::Paid {
            gateway_txn: get("vnp_TransactionNo").to_string(),
            bank_code: get("vnp_BankCode").to_string(),
            paid_at: parse_gateway_time(get("vnp_PayDate")),
        },
        "00" => QueryOutcome::Unknown("paid with another amount".into()),
        "01" => QueryOutcome::NotPaid,
        // 02 error, 04 reversed, 05/06 refund under way or sent, 07 suspected fraud, 09
        // refund refused.
        status => QueryOutcome::Failed {
            status: status.to_string(),
        },
    }
}

/// The HTTP client the transaction API is asked with.
pub fn api_client() -> Result<reqwest::Client, reqwest::Error> {
    // HTTPS uses ring, the provider the rest of the server installs too; installing it twice
    // is a harmless no-op.
    let _ = rustls::crypto::ring::default_provider().install_default();
    reqwest::Client::builder()
        .timeout(std::time::Duration::from_secs(15))
        .build()
}

/// Sends a query to the transaction API and returns its answer's fields.
pub async fn query(
    client: &reqwest::Client,
    api_url: &str,
    request: &BTreeMap<String, String>,
) -> Result<BTreeMap<String, String>, String> {
    let answer = client
        .post(api_url)
        .json(request)
        .send()
        .await
        .and_then(reqwest::Response::error_for_status)
        .map_err(|e| e.to_string())?
        .json::<BTreeMap<String, serde_json::Value>>()
        .await
        .map_err(|e| e.to_string())?;
    Ok(answer
        .into_iter()
        .map(|(k, v)| {
            let v = match v {
                serde_json::Value::String(s) => s,
                serde_json::Value::Null => String::new(),
                other => other.to_string(),
            };
            (k, v)
        })
        .collect())
}

/// The local address this server reaches `url` from (`vnp_IpAddr` of a query): the source
/// address the system picks for a datagram socket aimed at it (nothing is sent).
pub async fn own_address(url: &str) -> String {
    let target = reqwest::Url::parse(url)
        .ok()
        .and_then(|u| Some(format!("{}:{}", u.host_str()?, u.port_or_known_default()?)));
    let picked = async {
        let to = tokio::net::lookup_host(target?).await.ok()?.next()?;
        let any = if to.is_ipv4() { "0.0.0.0:0" } else { "[::]:0" };
        let socket = tokio::net::UdpSocket::bind(any).await.ok()?;
        socket.connect(to).await.ok()?;
        Some(socket.local_addr().ok()?.ip().to_string())
    };
    picked.await.unwrap_or_else(|| "127.0.0.1".into())
}

/// Whether the parameters carry a valid signature.
pub fn verify(secret: &str, params: &BTreeMap<String, String>) -> bool {
    let Some(given) = params.get("vnp_SecureHash") else {
        return false;
    };
    let expected = sign(secret, params);
    crate::secrets::same_secret(&expected, &given.to_ascii_lowercase())
}

/// Signed URL with the parameters.
pub fn signed_url(base: &str, secret: &str, mut params: BTreeMap<String, String>) -> String {
    let hash = sign(secret, &params);
    params.insert("vnp_SecureHash".into(), hash);
    format!("{base}?{}", canonical_with_hash(&params))
}

fn canonical_with_hash(params: &BTreeMap<String, String>) -> String {
    let mut s = canonical(params);
    if let Some(h) = params.get("vnp_SecureHash") {
        s.push_str("&vnp_SecureHash=");
        s.push_str(h);
    }
    s
}

/// `yyyyMMddHHmmss` in Vietnam's time, as the gateway writes dates.
pub fn gateway_time(t: DateTime<Utc>) -> String {
    t.with_timezone(&TZ).format("%Y%m%d%H%M%S").to_string()
}

/// A gateway date (`yyyyMMddHHmmss`, Vietnam's time) as an instant.
pub fn parse_gateway_time(s: &str) -> Option<DateTime<Utc>> {
    chrono::NaiveDateTime::parse_from_str(s, "%Y%m%d%H%M%S")
        .ok()?
        .and_local_timezone(TZ)
        .single()
        .map(|t| t.with_timezone(&Utc))
}

/// The redirect to the gateway for paying `amount` đồng under the merchant reference.
pub fn payment_url(
    c: &VnpayConfig,
    txn_ref: &str,
    amount: i64,
    order_info: &str,
    locale: &str,
    client_ip: &str,
    now: DateTime<Utc>,
) -> String {
    let mut p = BTreeMap::new();
    let mut set = |k: &str, v: String| {
        p.insert(k.to_string(), v);
    };
    set("vnp_Version", "2.1.0".into());
    set("vnp_Command", "pay".into());
    set("vnp_TmnCode", c.tmn_code.clone());
    set("vnp_Amount", (amount * 100).to_string());
    set("vnp_CurrCode", "VND".into());
    set("vnp_TxnRef", txn_ref.into());
    set("vnp_OrderInfo", order_info.into());
    set("vnp_OrderType", "other".into());
    set("vnp_Locale", locale.into());
    set(
        "vnp_ReturnUrl",
        format!(
            "{}/payments/vnpay/return",
            c.public_url.trim_end_matches('/')
        ),
    );
    set("vnp_IpAddr", client_ip.into());
    set("vnp_CreateDate", gateway_time(now));
    set(
        "vnp_ExpireDate",
        gateway_time(now + chrono::Duration::minutes(PAY_MINUTES)),
    );
    signed_url(&c.gateway_url, &c.secret, p)
}

/// How long the gateway accepts a payment once it is started (`vnp_ExpireDate`).
pub const PAY_MINUTES: i64 = 15;

/// The merchant's answer to an IPN.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct IpnAnswer {
    pub rsp_code: &'static str,
    pub message: &'static str,
}

impl IpnAnswer {
    pub const CONFIRMED: IpnAnswer = IpnAnswer {
        rsp_code: "00",
        message: "Confirm Success",
    };
    pub const NOT_FOUND: IpnAnswer = IpnAnswer {
        rsp_code: "01",
        message: "Order not found",
    };
    pub const ALREADY: IpnAnswer = IpnAnswer {
        rsp_code: "02",
        message: "Order already confirmed",
    };
    pub const AMOUNT: IpnAnswer = IpnAnswer {
        rsp_code: "04",
        message: "Invalid amount",
    };
    pub const SIGNATURE: IpnAnswer = IpnAnswer {
        rsp_code: "97",
        message: "Invalid signature",
    };
    pub const OTHER: IpnAnswer = IpnAnswer {
        rsp_code: "99",
        message: "Unknown error",
    };
}

#[cfg(test)]
mod tests {
    use super::*;

    fn params(pairs: &[(&str, &str)]) -> BTreeMap<String, String> {
        pairs
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect()
    }

    #[test]
    fn signs_sorted_encoded_parameters() {
        let p = params(&[
            ("vnp_TxnRef", "T1"),
            ("vnp_Amount", "1000000"),
            ("vnp_OrderInfo", "Nộp phí hồ sơ 1"),
            ("vnp_SecureHash", "ignored"),
        ]);
        assert_eq!(
            canonical(&p),
            "vnp_Amount=1000000&vnp_OrderInfo=N%E1%BB%99p+ph%C3%AD+h%E1%BB%93+s%C6%A1+1&vnp_TxnRef=T1"
        );
        // HMAC-SHA512 of that string under the key "secret", computed independently
        // (Python: hmac.new(b"secret", s.encode(), hashlib.sha512).hexdigest()).
        assert_eq!(
            sign("secret", &p),
            "d3a04650b1e77495963d61e7b17a709bcca8aea4b3ccb9dad3d44af73c88687f71dca5e8755aa7ff1b0002f3788ce29e7b859ad143553a84ef2b9328f21ac960"
        );
    }

    #[test]
    fn verifies_and_rejects_tampering() {
        let c = VnpayConfig {
            gateway_url: "http://127.0.0.1/sandbox/vnpay/pay".into(),
            tmn_code: "MOTCUA01".into(),
            secret: "s3cr3t".into(),
            public_url: "http://127.0.0.1:8080".into(),
            sandbox: true,
            ipn_url: "http://127.0.0.1:8080/api/v1/payments/vnpay/ipn".into(),
            api_url: None,
        };
        let url = payment_url(&c, "T1", 50_000, "Phí hồ sơ", "vn", "127.0.0.1", Utc::now());
        let query = url.split_once('?').unwrap().1;
        let mut p: BTreeMap<String, String> = form_urlencoded::parse(query.as_bytes())
            .into_owned()
            .collect();
        assert!(verify("s3cr3t", &p));
        assert_eq!(p["vnp_Amount"], "5000000");
        assert!(!verify("other", &p));
        p.insert("vnp_Amount".into(), "100".into());
        assert!(!verify("s3cr3t", &p));
        p.remove("vnp_SecureHash");
        assert!(!verify("s3cr3t", &p));
    }

    fn config() -> VnpayConfig {
        VnpayConfig {
            gateway_url: String::new(),
            tmn_code: "MOTCUA01".into(),
            secret: "s3cr3t".into(),
            public_url: String::new(),
            sandbox: false,
            ipn_url: String::new(),
            api_url: None,
        }
    }

    fn at(s: &str) -> DateTime<Utc> {
        s.parse().unwrap()
    }

    #[test]
    fn a_query_is_signed_over_its_fields_in_order() {
        let r = query_request(
            &config(),
            "T1",
            at("2026-12-01T01:00:00Z"),
            "RQ1",
            "10.0.0.5",
            at("2026-12-01T01:30:00Z"),
        );
        assert_eq!(r["vnp_TransactionDate"], "20261201080000");
        assert_eq!(r["vnp_CreateDate"], "20261201083000");
        // HMAC-SHA512 of "RQ1|2.1.0|querydr|MOTCUA01|T1|20261201080000|20261201083000|
        // 10.0.0.5|Doi soat giao dich T1" under "s3cr3t", computed with Python's hmac.
        assert_eq!(
            r["vnp_SecureHash"],
            "16cba2be599be285faf50bea36115465bbb9a30db49311d23b18c35d9af44f21254323bcda80539f6b8e3ed322e3588925af477ba2a8552bf295c57186260e30"
        );
        assert!(verify_fields("s3cr3t", &r, &QUERY_FIELDS));
    }

    fn answer(pairs: &[(&str, &str)]) -> BTreeMap<String, String> {
        let mut a = params(&[
            ("vnp_ResponseId", "RS1"),
            ("vnp_Command", "querydr"),
            ("vnp_ResponseCode", "00"),
            ("vnp_Message", "Query success"),
            ("vnp_TmnCode", "MOTCUA01"),
            ("vnp_TxnRef", "T1"),
            ("vnp_Amount", "5000000"),
            ("vnp_BankCode", "NCB"),
            ("vnp_PayDate", "20261201080512"),
            ("vnp_TransactionNo", "14226112"),
            ("vnp_TransactionType", "01"),
            ("vnp_TransactionStatus", "00"),
            ("vnp_OrderInfo", "Nop phi"),
        ]);
        a.extend(params(pairs));
        let hash = sign_fields("s3cr3t", &a, &ANSWER_FIELDS);
        a.insert("vnp_SecureHash".into(), hash);
        a
    }

    #[test]
    fn reads_the_gateways_answer() {
        let c = config();
        let paid = answer(&[]);
        // Signed over 15 fields, the empty promotion pair included (Python's hmac again).
        assert_eq!(
            paid["vnp_SecureHash"],
            "48840ebd6a697b00e57a6f06f8d9a66d804a3ad1edb2dfe3712629091c9aefdf58eb373cf9f8f3e2391e4a2d3c13688b7ead5a93648e87bb5522b81907e9dd6f"
        );
        assert_eq!(
            query_outcome(&c, "T1", 50_000, &paid),
            QueryOutcome::Paid {
                gateway_txn: "14226112".into(),
                bank_code: "NCB".into(),
                paid_at: Some(at("2026-12-01T01:05:12Z")),
            }
        );
        let outcome = |pairs: &[(&str, &str)]| query_outcome(&c, "T1", 50_000, &answer(pairs));
        assert_eq!(
            outcome(&[("vnp_TransactionStatus", "01")]),
            QueryOutcome::NotPaid
        );
        assert_eq!(
            outcome(&[("vnp_ResponseCode", "91")]),
            QueryOutcome::NotPaid
        );
        assert_eq!(
            outcome(&[("vnp_TransactionStatus", "02")]),
            QueryOutcome::Failed {
                status: "02".into()
            }
        );
        for unusable in [
            &[("vnp_ResponseCode", "99")][..],
            &[("vnp_ResponseCode", "94")],
            &[("vnp_Amount", "100")],
            &[("vnp_TxnRef", "T2")],
            &[("vnp_TmnCode", "KHAC0001")],
        ] {
            assert!(
                matches!(outcome(unusable), QueryOutcome::Unknown(_)),
                "{unusable:?}"
            );
        }
        let mut tampered = paid.clone();
        tampered.insert("vnp_TransactionStatus".into(), "00".into());
        tampered.insert("vnp_Amount".into(), "9900".into());
        assert!(matches!(
            query_outcome(&c, "T1", 99, &tampered),
            QueryOutcome::Unknown(_)
        ));
    }
}
