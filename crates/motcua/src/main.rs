//! `motcua`: the server, the demo, migrations, the audit check and the calendar tools.

mod calendar_cmd;
mod catalog_cmd;
mod demo;
mod settings;

use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::Context;
use clap::{Args, Parser, Subcommand};

#[derive(Parser)]
#[command(
    name = "motcua",
    version,
    about = "One-stop public administrative service system (Trung tâm Phục vụ hành chính công)"
)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

/// Where the data lives: a database URL, or the demo's data directory.
#[derive(Args, Clone, Debug)]
#[group(required = false, multiple = false)]
pub(crate) struct Database {
    /// sqlite://FILE or postgres://USER@HOST/DB
    #[arg(long, env = "MOTCUA_DATABASE_URL")]
    database_url: Option<String>,
    /// The demo's data directory (uses its SQLite database).
    #[arg(long)]
    data: Option<PathBuf>,
}

impl Database {
    pub(crate) fn url(&self) -> anyhow::Result<String> {
        match (&self.database_url, &self.data) {
            (Some(url), _) => Ok(url.clone()),
            (None, Some(dir)) => Ok(demo::database_url(dir)),
            (None, None) => {
                anyhow::bail!("give --database-url URL (or MOTCUA_DATABASE_URL) or --data DIR")
            }
        }
    }
}

#[derive(Subcommand)]
enum Command {
    /// Serve the API on a database.
    Serve {
        #[command(flatten)]
        db: Database,
        /// Address to listen on.
        #[arg(long, env = "MOTCUA_BIND", default_value = "127.0.0.1:8080")]
        bind: String,
        /// Where uploaded documents and results are kept: a directory, or
        /// `s3://bucket/prefix` for an S3-compatible service (credentials from `AWS_*`).
        #[arg(long, env = "MOTCUA_FILES", default_value = "motcua-files")]
        files: String,
        #[command(flatten)]
        policy: settings::Policy,
        #[command(flatten)]
        channels: settings::Channels,
        #[command(flatten)]
        payments: settings::Payments,
    },
    /// Start the demo: an embedded SQLite database seeded with a province, its agencies,
    /// procedures, users and a year of dossiers.
    Demo {
        #[arg(long, default_value_t = 8080)]
        port: u16,
        #[arg(long, default_value = "demo-data")]
        data: PathBuf,
        #[command(flatten)]
        history: demo::HistoryArgs,
        #[command(flatten)]
        policy: settings::Policy,
        #[command(flatten)]
        channels: settings::Channels,
    },
    /// Load the demo province (agencies, branches, catalog, users, API key, history) into any
    /// database, e.g. PostgreSQL; the logins go to a file only its owner can read.
    Seed {
        #[command(flatten)]
        db: Database,
        #[command(flatten)]
        history: demo::HistoryArgs,
        /// Where to write the generated logins.
        #[arg(long, default_value = "demo-credentials.json")]
        credentials: PathBuf,
        #[command(flatten)]
        policy: settings::Policy,
    },
    /// Import a catalog file (JSON or xlsx): checked whole, every problem listed by place, and
    /// written in one transaction or not at all.
    ImportCatalog {
        file: PathBuf,
        /// Format; by default from the file name's extension.
        #[arg(long, value_enum)]
        format: Option<CatalogFormat>,
        #[command(flatten)]
        db: Database,
    },
    /// Export the catalog as JSON or xlsx.
    ExportCatalog {
        #[arg(long, value_enum)]
        format: CatalogFormat,
        #[arg(long)]
        out: PathBuf,
        #[command(flatten)]
        db: Database,
    },
    /// Create or update the database schema.
    Migrate {
        #[command(flatten)]
        db: Database,
    },
    /// Audit tools.
    Audit {
        #[command(subcommand)]
        command: AuditCommand,
    },
    /// Statistics kept from the events.
    Stats {
        #[command(subcommand)]
        command: StatsCommand,
    },
    /// Working-time calendar: holidays, deadlines, lunar dates.
    Calendar {
        #[command(subcommand)]
        command: calendar_cmd::CalendarCommand,
    },
}

#[derive(Clone, Copy, Debug, clap::ValueEnum)]
enum CatalogFormat {
    Json,
    Xlsx,
}

impl From<CatalogFormat> for motcua_catalog::Format {
    fn from(f: CatalogFormat) -> Self {
        match f {
            CatalogFormat::Json => motcua_catalog::Format::Json,
            CatalogFormat::Xlsx => motcua_catalog::Format::Xlsx,
        }
    }
}

#[derive(Subcommand)]
enum AuditCommand {
    /// Check the hash chain of every stored event; names the first broken link.
    Verify {
        #[command(flatten)]
        db: Database,
    },
}

#[derive(Subcommand)]
enum StatsCommand {
    /// Recompute every dossier's statistics facts from its events and every rollup from the
    /// facts, and replace what differs (writes wait meanwhile). With --verify, only compare
    /// and exit with status 2 on any difference.
    Rebuild {
        #[arg(long)]
        verify: bool,
        #[command(flatten)]
        db: Database,
    },
}

fn main() -> ExitCode {
    motcua_app::tune_allocator();
    let cli = Cli::parse();
    if let Command::Calendar { command } = cli.command {
        return calendar_cmd::run(command);
    }
    tracing_subscriber::fmt()
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_env("MOTCUA_LOG")
                .unwrap_or_else(|_| "info,sqlx=warn".into()),
        )
        .with_writer(std::io::stderr)
        // Colours only for a person at a terminal, never in a file or a journal.
        .with_ansi(std::io::IsTerminal::is_terminal(&std::io::stderr()))
        .init();
    let runtime = match tokio::runtime::Runtime::new() {
        Ok(r) => r,
        Err(e) => {
            eprintln!("error: cannot start the runtime: {e}");
            return ExitCode::FAILURE;
        }
    };
    match runtime.block_on(run(cli.command)) {
        Ok(code) => code,
        Err(e) => {
            eprintln!("error: {e:#}");
            ExitCode::FAILURE
        }
    }
}

async fn run(command: Command) -> anyhow::Result<ExitCode> {
    match command {
        Command::Serve {
            db,
            bind,
            files,
            policy,
            channels,
            payments,
        } => {
            let store = motcua_store::connect(&db.url()?)
                .await
                .context("opening the database")?;
            let state = settings::app_state(store.clone(), &policy, &files).await?;
            let listener = tokio::net::TcpListener::bind(&bind)
                .await
                .with_context(|| format!("listening on {bind}"))?;
            let own = format!("http://{}", listener.local_addr()?);
            let public = channels.public_url.clone().unwrap_or_else(|| own.clone());
            let public = public.trim_end_matches('/').to_string();
            let mut state = state.with_public_url(&public);
            if let Some(p) = payments.config(&*store, &public, &own).await? {
                state = state.with_payment(p);
            }
            channels.spawn(store, own, false)?;
            eprintln!("motcua serving on http://{}", listener.local_addr()?);
            motcua_web::serve(listener, state).await?;
            Ok(ExitCode::SUCCESS)
        }
        Command::Demo {
            port,
            data,
            history,
            policy,
            channels,
        } => {
            demo::run(port, &data, &policy, &channels, history).await?;
            Ok(ExitCode::SUCCESS)
        }
        Command::Seed {
            db,
            history,
            credentials,
            policy,
        } => {
            let store = motcua_store::connect(&db.url()?)
                .await
                .context("opening the database")?;
            if store.count_dossiers().await? > 0
                || store.setting("receiving_agency").await?.is_some()
            {
                anyhow::bail!("the database already holds data; seed an empty one");
            }
            let logins = demo::seed_into(&*store, &policy, history, &credentials).await?;
            eprintln!(
                "seeded; {logins} logins written to {}",
                credentials.display()
            );
            Ok(ExitCode::SUCCESS)
        }
        Command::ImportCatalog { file, format, db } => {
            catalog_cmd::import(&file, format.map(Into::into), &db.url()?).await
        }
        Command::ExportCatalog { format, out, db } => {
            catalog_cmd::export(format.into(), &out, &db.url()?).await
        }
        Command::Migrate { db } => {
            motcua_store::connect(&db.url()?)
                .await
                .context("migrating the database")?;
            eprintln!("database schema is up to date");
            Ok(ExitCode::SUCCESS)
        }
        Command::Audit {
            command: AuditCommand::Verify { db },
        } => {
            let store = motcua_store::connect(&db.url()?)
                .await
                .context("opening the database")?;
            let report = store
                .verify_chain()
                .await
                .context("reading the event chain")?;
            match report.broken {
                None => {
                    println!(
                        "audit chain intact: {} events, head {}",
                        report.events, report.head
                    );
                    Ok(ExitCode::SUCCESS)
                }
                Some(b) => {
                    println!(
                        "audit chain BROKEN at event {} (dossier {}, version {}): {}; {} events before it are intact",
                        b.seq, b.stream, b.version, b.reason, report.events
                    );
                    Ok(ExitCode::from(2))
                }
            }
        }
        Command::Stats {
            command: StatsCommand::Rebuild { verify, db },
        } => {
            let store = motcua_store::connect(&db.url()?)
                .await
                .context("opening the database")?;
            let check = store
                .rebuild_stats(!verify)
                .await
                .context("recomputing the statistics")?;
            for e in &check.examples {
                println!("  {e}");
            }
            let summary = format!(
                "{} dossiers; {} with facts that differed from their events, {} rollup rows that differed from the facts",
                check.dossiers, check.facts_differing, check.rollups_differing
            );
            if check.consistent() {
                println!("statistics consistent with the events: {summary}");
                Ok(ExitCode::SUCCESS)
            } else if check.rewritten {
                println!("statistics rebuilt from the events: {summary}");
                Ok(ExitCode::SUCCESS)
            } else {
                println!("statistics DIFFER from the events: {summary}");
                Ok(ExitCode::from(2))
            }
        }
        Command::Calendar { command } => Ok(calendar_cmd::run(command)),
    }
}
