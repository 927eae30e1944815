//! What the benchmarks against the real server share: the demo (release build) started on a
//! free port over a fresh directory, trusting the loopback proxy's `X-Forwarded-For` so that a
//! request can say which address it comes from; and the server's resident memory.

use std::io::{BufRead, BufReader};
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};

const BIN: &str = env!("CARGO_BIN_EXE_motcua");

/// A demo server; stopped and its directory removed when dropped.
pub struct Demo {
    child: Child,
    pub base: String,
    pub data: PathBuf,
    pub pid: u32,
}

impl Demo {
    /// Seeds and starts the demo in a directory named after `name`.
    pub fn start(name: &str) -> Demo {
        let data = std::env::temp_dir().join(format!("motcua-{name}-{}", std::process::id()));
        std::fs::remove_dir_all(&data).ok();
        let mut child = Command::new(BIN)
            .args(["demo", "--port", "0", "--history", "0"])
            .args(["--trusted-proxy", "127.0.0.1", "--data"])
            .arg(&data)
            .env("MOTCUA_LOG", "error")
            .stdout(Stdio::piped())
            .spawn()
            .expect("start motcua demo");
        let pid = child.id();
        let mut lines = BufReader::new(child.stdout.take().expect("stdout")).lines();
        let base = loop {
            let line = lines
                .next()
                .expect("the demo printed its address")
                .expect("read");
            if let Some(url) = line.strip_prefix("motcua demo listening on ") {
                break url.trim().to_string();
            }
        };
        // Keep draining its output so it never blocks on a full pipe.
        std::thread::spawn(move || for _ in lines {});
        Demo {
            child,
            base,
            data,
            pid,
        }
    }
}

/// Resident memory of process `pid` in MiB.
pub fn rss_mib(pid: u32) -> u64 {
    std::fs::read_to_string(format!("/proc/{pid}/status"))
        .ok()
        .and_then(|s| {
            s.lines()
                .find(|l| l.starts_with("VmRSS:"))
                .and_then(|l| l.split_whitespace().nth(1)?.parse::<u64>().ok())
        })
        .map_or(0, |kib| kib / 1024)
}

impl Drop for Demo {
    fn drop(&mut self) {
        self.child.kill().ok();
        self.child.wait().ok();
        std::fs::remove_dir_all(&self.data).ok();
    }
}
