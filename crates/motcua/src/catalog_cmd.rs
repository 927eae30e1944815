//! `motcua import-catalog` and `motcua export-catalog`.

use std::collections::HashSet;
use std::io::IsTerminal;
use std::path::Path;
use std::process::ExitCode;
use std::time::Duration;

use anyhow::Context;
use indicatif::{ProgressBar, ProgressStyle};
use motcua_catalog::Format;
use motcua_domain::Lang;

/// A progress bar on a terminal; nothing otherwise (logs and pipes stay clean).
fn bar(len: u64, message: &'static str) -> ProgressBar {
    if !std::io::stderr().is_terminal() {
        return ProgressBar::hidden();
    }
    let bar = ProgressBar::new(len).with_message(message);
    bar.set_style(
        ProgressStyle::with_template("{msg:>12} [{bar:40}] {pos}/{len}")
            .unwrap_or_else(|_| ProgressStyle::default_bar())
            .progress_chars("=> "),
    );
    bar
}

pub(crate) async fn import(
    file: &Path,
    format: Option<Format>,
    url: &str,
) -> anyhow::Result<ExitCode> {
    let format = format.or_else(|| Format::from_path(file)).context(
        "cannot tell the format from the file name; give --format json or --format xlsx",
    )?;
    let bytes = std::fs::read(file).with_context(|| format!("reading {}", file.display()))?;
    let store = motcua_store::connect(url)
        .await
        .context("opening the database")?;
    let known: HashSet<_> = store
        .agencies()
        .await?
        .into_iter()
        .map(|a| a.code)
        .collect();
    let progress = bar(0, "checking");
    let result = motcua_catalog::import(&bytes, format, &known, &mut |done, total| {
        progress.set_length(total as u64);
        progress.set_position(done as u64);
    });
    progress.finish_and_clear();
    let procedures = match result {
        Ok(p) => p,
        Err(e) => {
            eprintln!(
                "{} rejected: {} problem(s); nothing was imported.",
                file.display(),
                e.problems.len()
            );
            for p in &e.problems {
                eprintln!("  {}", p.message(Lang::En));
            }
            return Ok(ExitCode::from(2));
        }
    };
    let writing = bar(procedures.len() as u64, "writing");
    writing.enable_steady_tick(Duration::from_millis(120));
    store
        .put_procedures(&procedures)
        .await
        .context("writing the catalog")?;
    writing.finish_and_clear();
    eprintln!(
        "imported {} procedures from {}",
        procedures.len(),
        file.display()
    );
    Ok(ExitCode::SUCCESS)
}

pub(crate) async fn export(format: Format, out: &Path, url: &str) -> anyhow::Result<ExitCode> {
    let store = motcua_store::connect(url)
        .await
        .context("opening the database")?;
    let procedures = store.procedures().await?;
    let bytes = motcua_catalog::export(&procedures, format)?;
    std::fs::write(out, bytes).with_context(|| format!("writing {}", out.display()))?;
    eprintln!(
        "exported {} procedures to {}",
        procedures.len(),
        out.display()
    );
    Ok(ExitCode::SUCCESS)
}
