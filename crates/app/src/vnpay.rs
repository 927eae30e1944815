//! The VNPay payment protocol (version 2.1.0), as public gateways in Vietnam speak it: the
//! merchant redirects the payer to the gateway with parameters signed by HMAC-SHA512 over the
//! parameters sorted by name and URL-encoded (`k=v&…`, spaces as `+`); the gateway answers the
//! merchant server-to-server (IPN) and sends the payer back to the return URL, both signed the
//! same way. Amounts are in đồng × 100. The merchant answers an IPN with
//! `{"RspCode", "Message"}`: `00` confirmed, `01` order not found, `02` already confirmed,
//! `04` wrong amount, `97` bad signature, `99` other.

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
    let mut mac = <Hmac<Sha512> as KeyInit>::new_from_slice(secret.as_bytes())
        .expect("HMAC takes a key of any length");
    mac.update(canonical(params).as_bytes());
    hex::encode(mac.finalize().into_bytes())
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
}
