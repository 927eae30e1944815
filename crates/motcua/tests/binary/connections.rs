//! The demo server as the public meets it. It sheds connections that hold it without asking
//! anything (slowloris): one that sends nothing, and one that starts a request and never
//! finishes its headers, are closed once the header-read time passes, while a normal request
//! is answered meanwhile. With no SMS gateway, the one-time code of a sign-up by mobile
//! number is printed on the terminal, like the e-mails, so the account can be verified. And
//! the same server keeps to its OpenAPI document under schemathesis ([`crate::schemathesis`]).

use std::io::{Read, Write};
use std::net::TcpStream;
use std::time::{Duration, Instant};

use crate::start;

/// Waits until the server closes `stream`; how long that took (None if it stayed open).
fn closed_within(mut stream: TcpStream, limit: Duration) -> Option<Duration> {
    let t = Instant::now();
    stream
        .set_read_timeout(Some(Duration::from_millis(500)))
        .unwrap();
    let mut buf = [0u8; 1024];
    while t.elapsed() < limit {
        match stream.read(&mut buf) {
            // Closed (possibly after a 408 or similar).
            Ok(0) => return Some(t.elapsed()),
            Ok(_) => {}
            Err(e) if e.kind() == std::io::ErrorKind::ConnectionReset => return Some(t.elapsed()),
            Err(_) => {}
        }
    }
    None
}

#[test]
fn sheds_silent_clients_texts_codes_and_keeps_to_its_openapi_document() {
    let data = std::env::temp_dir().join(format!("motcua-conn-{}", std::process::id()));
    std::fs::remove_dir_all(&data).ok();
    let mut server = start(&data);
    let address = server.base.trim_start_matches("http://").to_string();
    let silent = TcpStream::connect(&address).unwrap();
    let mut slow = TcpStream::connect(&address).unwrap();
    slow.write_all(b"GET /healthz HTTP/1.1\r\nHost: x\r\n")
        .unwrap();
    let waiting = std::thread::spawn(move || closed_within(slow, Duration::from_secs(30)));
    // Meanwhile the server answers others.
    let mut normal = TcpStream::connect(&address).unwrap();
    normal
        .write_all(b"GET /healthz HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
        .unwrap();
    let mut answer = String::new();
    normal.read_to_string(&mut answer).unwrap();
    assert!(answer.starts_with("HTTP/1.1 200"), "{answer}");
    // Meanwhile, a sign-up by mobile number.
    let base = server.base.clone();
    let printed = server.printed.clone();
    let runtime = tokio::runtime::Runtime::new().unwrap();
    runtime.block_on(async move {
        let http = reqwest::Client::new();
        let register = serde_json::json!({
            "login": "0987654321", "password": "mat-khau-du-dai", "full_name": "Phạm Thu Hà"
        });
        let r = http
            .post(format!("{base}/api/v1/citizen/register"))
            .json(&register)
            .send()
            .await
            .unwrap();
        assert_eq!(r.status().as_u16(), 201);
        let started = Instant::now();
        let code = loop {
            let text = printed
                .lock()
                .unwrap()
                .iter()
                .find(|l| l.starts_with("--- SMS to +84987654321: "))
                .cloned();
            if let Some(text) = text {
                break text
                    .split(|c: char| !c.is_ascii_digit())
                    .find(|w| w.len() == 6)
                    .expect("a six-digit code")
                    .to_string();
            }
            assert!(
                started.elapsed() < Duration::from_secs(20),
                "no text printed"
            );
            tokio::time::sleep(Duration::from_millis(200)).await;
        };
        let r = http
            .post(format!("{base}/api/v1/citizen/verify"))
            .json(&serde_json::json!({"login": "0987654321", "code": code}))
            .send()
            .await
            .unwrap();
        assert!(r.status().is_success(), "{:?}", r.text().await);
    });
    let creds = crate::credentials(&data);
    let token = runtime.block_on(crate::login(
        &reqwest::Client::new(),
        &server.base,
        &creds,
        "tiepnhan.hq",
    ));
    crate::schemathesis::keeps_to_its_openapi_document(&server.base, &data, &token);
    let silent_closed = closed_within(silent, Duration::from_secs(30));
    let slow_closed = waiting.join().unwrap();
    server.child.kill().ok();
    server.child.wait().ok();
    std::fs::remove_dir_all(&data).ok();
    assert!(
        silent_closed.is_some(),
        "a connection that sends nothing stays open"
    );
    assert!(
        slow_closed.is_some(),
        "unfinished headers keep the connection open"
    );
}
