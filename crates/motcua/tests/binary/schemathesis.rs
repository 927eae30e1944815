//! The API keeps to its OpenAPI document: schemathesis generates requests from
//! `/openapi.json` — without credentials, as a reception officer and as an agency system — and
//! no answer may be a server error or fall outside the schema the document gives for it. It
//! runs when schemathesis is installed (`MOTCUA_SCHEMATHESIS` names it, else `schemathesis` on
//! the `PATH`; `.ci/run` installs it); `MOTCUA_REQUIRE_SCHEMATHESIS=1` makes its absence a
//! failure instead of a skip.

use std::path::Path;
use std::process::Command;

/// Test cases per operation and credentials: enough to reach every status an operation
/// documents, few enough for CI (each run takes seconds).
const EXAMPLES: &str = "10";

fn schemathesis() -> Option<String> {
    let named = std::env::var("MOTCUA_SCHEMATHESIS").ok();
    let program = named.unwrap_or_else(|| "schemathesis".into());
    let found = Command::new(&program)
        .arg("--version")
        .output()
        .is_ok_and(|o| o.status.success());
    if found {
        return Some(program);
    }
    assert!(
        std::env::var_os("MOTCUA_REQUIRE_SCHEMATHESIS").is_none(),
        "schemathesis is required but {program} does not run"
    );
    eprintln!("skipped: schemathesis is not installed (pip install schemathesis)");
    None
}

/// Runs schemathesis against the demo server at `base` (its data in `data`) three times: no
/// credentials, an officer's token, the agency system's key.
pub(crate) fn keeps_to_its_openapi_document(base: &str, data: &Path, officer_token: &str) {
    let Some(program) = schemathesis() else {
        return;
    };
    let creds = crate::credentials(data);
    let api_key = creds["api_key"].as_str().expect("the demo's API key");
    for (who, header) in [
        ("without credentials", None),
        ("as an officer", Some(officer_token)),
        ("as an agency system", Some(api_key)),
    ] {
        let mut run = Command::new(&program);
        run.args(["run", &format!("{base}/openapi.json")])
            .args(["--checks", "not_a_server_error,response_schema_conformance"])
            .args(["--max-examples", EXAMPLES, "--seed", "20261130"])
            .args(["--phases", "examples,coverage,fuzzing"])
            // The live streams never end; they are tested by the server's own tests.
            .args(["--exclude-path-regex", "(board|live)$"])
            .args(["--workers", "1", "--request-timeout", "10", "--no-shrink"])
            .env("NO_COLOR", "1")
            // Its caches go with the demo's data, not into the source tree.
            .current_dir(data);
        if let Some(secret) = header {
            run.args(["--header", &format!("Authorization: Bearer {secret}")]);
        }
        let out = run.output().expect("schemathesis runs");
        let text = String::from_utf8_lossy(&out.stdout);
        let summary = text
            .lines()
            .find(|l| l.contains(" generated, "))
            .unwrap_or("no summary");
        eprintln!("schemathesis {who}: {}", summary.trim());
        assert!(
            out.status.success(),
            "schemathesis {who} found problems:\n{text}\n{}",
            String::from_utf8_lossy(&out.stderr)
        );
    }
}
