//! `motcua demo`: a working centre on an embedded SQLite database in a data directory. The
//! first start seeds it (into a side file, moved into place only when complete, so an
//! interrupted seed never leaves half a demo); later starts reuse it.

mod history;
mod seed;

use std::path::{Path, PathBuf};

use anyhow::Context;
use serde::{Deserialize, Serialize};

use crate::settings::{self, Policy};

pub(crate) const PROCEDURES: &str =
    include_str!("../../../../fixtures/catalog/tthc-national-sample-207.json");
/// The 1,575 procedures handled at provincial and commune level, and the province's table of
/// which agency receives each field's procedures.
pub(crate) const LOCAL_PROCEDURES: &str =
    include_str!("../../../../fixtures/catalog/tthc-catalog-local-2026-06.json");
pub(crate) const ROUTING: &str =
    include_str!("../../../../fixtures/catalog/routing-quang-ninh.csv");
/// Time limits an administrator decided where the source gives a number without its unit.
pub(crate) const LIMITS: &str =
    include_str!("../../../../fixtures/catalog/limits-reviewed-quang-ninh.csv");
/// Structured application forms reviewed for the most filed procedures.
pub(crate) const FORMS: &str = include_str!("../../../../fixtures/forms/forms-reviewed.json");
pub(crate) const WARDS: &str =
    include_str!("../../../../fixtures/quang-ninh/quang-ninh-wards-2025.csv");
pub(crate) const FACTS: &str =
    include_str!("../../../../fixtures/quang-ninh/quang-ninh-facts.json");

/// What `demo-credentials.json` holds.
#[derive(Serialize, Deserialize)]
pub(crate) struct Credentials {
    pub api_key: String,
    /// The device key of the centre's kiosks (typed once on a kiosk page to register it).
    #[serde(default)]
    pub kiosk_key: String,
    pub users: Vec<Login>,
}

#[derive(Serialize, Deserialize)]
pub(crate) struct Login {
    pub username: String,
    pub password: String,
    pub role: String,
    pub agency_code: Option<String>,
    pub full_name: String,
}

pub(crate) fn database_url(dir: &Path) -> String {
    sqlite_url(&dir.join("motcua.db"))
}

fn sqlite_url(file: &Path) -> String {
    format!("sqlite://{}?mode=rwc", file.display())
}

fn side_files(file: &Path) -> Vec<PathBuf> {
    ["", "-wal", "-shm", "-journal"]
        .iter()
        .map(|s| PathBuf::from(format!("{}{s}", file.display())))
        .collect()
}

/// The generated history: how many dossiers, filed over the past twelve months through the
/// real lifecycle, and how many of them are left open.
#[derive(clap::Args, Clone, Copy, Debug)]
pub(crate) struct HistoryArgs {
    /// Historical dossiers to generate (on the demo's first start).
    #[arg(long = "history", default_value_t = 5000)]
    pub dossiers: usize,
    /// Of those, how many are left open (received and in processing, many of them late),
    /// spread over the year: a backlog for the work lists and the deadline watcher.
    #[arg(long, default_value_t = 0)]
    pub open: usize,
}

pub(crate) async fn run(
    port: u16,
    data: &Path,
    policy: &Policy,
    channels: &settings::Channels,
    history: HistoryArgs,
) -> anyhow::Result<()> {
    std::fs::create_dir_all(data).with_context(|| format!("creating {}", data.display()))?;
    let data = data
        .canonicalize()
        .with_context(|| format!("opening {}", data.display()))?;
    let db = data.join("motcua.db");
    let credentials_path = data.join("demo-credentials.json");
    if !db.exists() {
        let seeding = data.join("motcua.db.seeding");
        for f in side_files(&seeding) {
            std::fs::remove_file(&f).ok();
        }
        eprintln!("seeding the demo database in {} …", data.display());
        let store = motcua_store::connect(&sqlite_url(&seeding))
            .await
            .context("creating the demo database")?;
        let credentials = seed::seed(&*store, policy, history).await?;
        store.close().await;
        drop(store);
        motcua_app::give_back_memory();
        write_private(&credentials_path, &serde_json::to_vec_pretty(&credentials)?)?;
        for (from, to) in side_files(&seeding).into_iter().zip(side_files(&db)) {
            if from.exists() {
                std::fs::rename(&from, &to)
                    .with_context(|| format!("moving {} into place", from.display()))?;
            }
        }
    }
    let credentials: Credentials =
        serde_json::from_slice(&std::fs::read(&credentials_path).with_context(|| {
            format!(
                "{} is missing; remove {} to seed afresh",
                credentials_path.display(),
                db.display()
            )
        })?)
        .context("reading demo-credentials.json")?;
    let store = motcua_store::connect(&database_url(&data))
        .await
        .context("opening the demo database")?;
    let dossiers = store.count_dossiers().await?;
    let files = data.join("files");
    let state = settings::app_state(store.clone(), policy, &files.to_string_lossy()).await?;
    let listener = tokio::net::TcpListener::bind(("127.0.0.1", port))
        .await
        .with_context(|| format!("listening on port {port}"))?;
    let url = format!("http://{}", listener.local_addr()?);
    let public = channels.public_url.clone().unwrap_or_else(|| url.clone());
    let public = public.trim_end_matches('/').to_string();
    // The demo pays fees through the built-in sandbox gateway.
    let sandbox = settings::Payments {
        vnpay_url: None,
        vnpay_api_url: None,
        vnpay_tmn: "MOTCUA01".into(),
        vnpay_secret: None,
        payment_sandbox: true,
    };
    let mut state = state.with_public_url(&public);
    if let Some(p) = sandbox.config(&*store, &public, &url).await? {
        state = state.with_payment(p);
    }
    channels.spawn(store, url.clone(), true)?;
    println!("motcua demo listening on {url}");
    println!(
        "data: {} ({dossiers} dossiers); logins in {}",
        data.display(),
        credentials_path.display()
    );
    println!(
        "{:<22} {:<14} {:<16} password",
        "username", "role", "agency"
    );
    // The named officers of the walkthrough; the generated ones (a specialist and an approver
    // of every other agency that receives work) are in the credentials file.
    const SHOWN: usize = 14;
    for u in credentials.users.iter().take(SHOWN) {
        println!(
            "{:<22} {:<14} {:<16} {}",
            u.username,
            u.role,
            u.agency_code.as_deref().unwrap_or("-"),
            u.password
        );
    }
    if credentials.users.len() > SHOWN {
        println!(
            "… and {} more officers of the departments, central-sector agencies and communes in {}",
            credentials.users.len() - SHOWN,
            credentials_path.display()
        );
    }
    println!("API key (agency system): {}", credentials.api_key);
    if !credentials.kiosk_key.is_empty() {
        println!(
            "kiosk device key (register a browser as a kiosk on {url}/branches/QN-HQ/kiosk): {}",
            credentials.kiosk_key
        );
    }
    println!("try: curl '{url}/api/v1/procedures?q=dang+ky'   and   curl {url}/openapi.json");
    motcua_web::serve(listener, state).await?;
    Ok(())
}

/// Seeds an empty database and writes the logins to `credentials`; returns how many.
pub(crate) async fn seed_into(
    store: &dyn motcua_store::Store,
    policy: &Policy,
    history: HistoryArgs,
    credentials: &Path,
) -> anyhow::Result<usize> {
    let c = seed::seed(store, policy, history).await?;
    write_private(credentials, &serde_json::to_vec_pretty(&c)?)?;
    Ok(c.users.len())
}

/// Writes a file only its owner can read.
fn write_private(path: &Path, bytes: &[u8]) -> anyhow::Result<()> {
    use std::io::Write;
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create(true).truncate(true);
    #[cfg(unix)]
    std::os::unix::fs::OpenOptionsExt::mode(&mut options, 0o600);
    let mut f = options
        .open(path)
        .with_context(|| format!("writing {}", path.display()))?;
    f.write_all(bytes)?;
    f.sync_all()?;
    Ok(())
}
