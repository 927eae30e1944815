//! Local stand-ins for the outside world in tests: a small SMTP server that keeps what it
//! receives (and can refuse on demand), and an HTTP SMS gateway sink.

use std::sync::{Arc, Mutex};

use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use tokio::io::{AsyncBufReadExt, AsyncWriteExt, BufReader};

/// A minimal SMTP server: accepts messages and keeps them; can refuse the next N messages.
#[derive(Clone, Default)]
pub struct SmtpSink {
    pub received: Arc<Mutex<Vec<(String, String)>>>,
    pub refuse: Arc<Mutex<u32>>,
}

impl SmtpSink {
    /// Listens on a free port of 127.0.0.1 and returns the port.
    pub async fn start(&self) -> u16 {
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let port = listener.local_addr().unwrap().port();
        let sink = self.clone();
        tokio::spawn(async move {
            loop {
                let Ok((socket, _)) = listener.accept().await else {
                    return;
                };
                // Answer each command at once, as mail servers do.
                socket.set_nodelay(true).ok();
                let sink = sink.clone();
                tokio::spawn(async move { sink.session(socket).await });
            }
        });
        port
    }

    async fn session(&self, socket: tokio::net::TcpStream) {
        let (read, mut write) = socket.into_split();
        let mut lines = BufReader::new(read).lines();
        write.write_all(b"220 localhost ESMTP test\r\n").await.ok();
        let mut rcpt = String::new();
        while let Ok(Some(line)) = lines.next_line().await {
            let upper = line.to_ascii_uppercase();
            let reply: &[u8] = if upper.starts_with("EHLO") {
                b"250-localhost\r\n250 8BITMIME\r\n"
            } else if upper.starts_with("HELO")
                || upper.starts_with("MAIL FROM")
                || upper.starts_with("RSET")
                || upper.starts_with("NOOP")
            {
                b"250 OK\r\n"
            } else if upper.starts_with("RCPT TO") {
                rcpt = line[8..]
                    .trim()
                    .trim_start_matches(':')
                    .trim()
                    .trim_matches(['<', '>'])
                    .to_string();
                b"250 OK\r\n"
            } else if upper.starts_with("DATA") {
                write.write_all(b"354 go ahead\r\n").await.ok();
                let mut data = String::new();
                while let Ok(Some(l)) = lines.next_line().await {
                    if l == "." {
                        break;
                    }
                    data.push_str(&l);
                    data.push('\n');
                }
                let refuse = {
                    let mut r = self.refuse.lock().unwrap();
                    let now = *r > 0;
                    *r = r.saturating_sub(1);
                    now
                };
                if refuse {
                    b"451 try again later\r\n"
                } else {
                    self.received
                        .lock()
                        .unwrap()
                        .push((rcpt.clone(), decoded_body(&data)));
                    b"250 queued\r\n"
                }
            } else if upper.starts_with("QUIT") {
                write.write_all(b"221 bye\r\n").await.ok();
                return;
            } else {
                b"502 not implemented\r\n"
            };
            if write.write_all(reply).await.is_err() {
                return;
            }
        }
    }
}

/// The text of a single-part message sent base64-encoded.
pub fn decoded_body(message: &str) -> String {
    use base64::Engine;
    let (headers, body) = message.split_once("\n\n").unwrap_or((message, ""));
    assert!(
        headers.contains("Content-Transfer-Encoding: base64"),
        "{headers}"
    );
    let compact: String = body.split_whitespace().collect();
    String::from_utf8(
        base64::engine::general_purpose::STANDARD
            .decode(compact)
            .expect("base64 body"),
    )
    .expect("UTF-8 body")
}

/// A local SMS gateway: keeps the texts; answers with the configured status.
#[derive(Clone)]
pub struct SmsSink {
    pub texts: Arc<Mutex<Vec<serde_json::Value>>>,
    pub status: Arc<Mutex<u16>>,
}

async fn sms_endpoint(
    State(sink): State<SmsSink>,
    headers: axum::http::HeaderMap,
    Json(body): Json<serde_json::Value>,
) -> StatusCode {
    if headers.get("authorization").and_then(|v| v.to_str().ok()) != Some("Bearer sms-key") {
        return StatusCode::UNAUTHORIZED;
    }
    let status = *sink.status.lock().unwrap();
    if status == 200 {
        sink.texts.lock().unwrap().push(body);
    }
    StatusCode::from_u16(status).unwrap()
}

/// Starts a sink at `http://127.0.0.1:PORT/send` that wants `Authorization: Bearer sms-key`.
pub async fn sms_sink() -> (SmsSink, String) {
    let sink = SmsSink {
        texts: Arc::default(),
        status: Arc::new(Mutex::new(200)),
    };
    let app = axum::Router::new()
        .route("/send", axum::routing::post(sms_endpoint))
        .with_state(sink.clone());
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://{}/send", listener.local_addr().unwrap());
    tokio::spawn(async move { axum::serve(listener, app).await });
    (sink, url)
}
