//! Reading slips back as a person would, for tests: the text extracted from the PDF
//! (poppler's `pdftotext`) and the QR code rendered (`pdftoppm`) and scanned (`zbarimg`). CI
//! installs both tools; elsewhere the checks say they are skipped, unless
//! `MOTCUA_REQUIRE_PDF_TOOLS=1` makes their absence a failure.

use std::path::PathBuf;
use std::process::Command;
use std::sync::atomic::{AtomicUsize, Ordering};

/// A work directory of its own for each call, so tests running in parallel in one process
/// never read each other's files.
fn scratch(kind: &str) -> PathBuf {
    static NEXT: AtomicUsize = AtomicUsize::new(0);
    let dir = std::env::temp_dir().join(format!(
        "motcua-{kind}-{}-{}",
        std::process::id(),
        NEXT.fetch_add(1, Ordering::Relaxed)
    ));
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

fn tool(name: &str) -> bool {
    let present = Command::new(name).arg("-v").output().is_ok();
    if !present {
        assert!(
            std::env::var("MOTCUA_REQUIRE_PDF_TOOLS").as_deref() != Ok("1"),
            "{name} is required (install poppler-utils and zbar-tools)"
        );
        eprintln!("skipped: {name} is not installed (poppler-utils / zbar-tools)");
    }
    present
}

/// Text of the PDF as `pdftotext` reads it, or `None` when the tool is missing.
pub fn pdf_text(pdf: &[u8]) -> Option<String> {
    if !tool("pdftotext") {
        return None;
    }
    let dir = scratch("doc");
    let file = dir.join("slip.pdf");
    std::fs::write(&file, pdf).unwrap();
    let out = Command::new("pdftotext")
        .arg(&file)
        .arg("-")
        .output()
        .unwrap();
    assert!(out.status.success());
    std::fs::remove_dir_all(&dir).ok();
    Some(String::from_utf8(out.stdout).unwrap())
}

/// The QR code of the document (every page rendered and scanned), or `None` when the tools
/// are missing.
pub fn qr_text(pdf: &[u8]) -> Option<String> {
    if !tool("pdftoppm") || !tool("zbarimg") {
        return None;
    }
    let dir = scratch("qr");
    let file = dir.join("slip.pdf");
    std::fs::write(&file, pdf).unwrap();
    let png = dir.join("page");
    let ok = Command::new("pdftoppm")
        .args(["-r", "200", "-png"])
        .arg(&file)
        .arg(&png)
        .status()
        .unwrap();
    assert!(ok.success());
    let mut pages: Vec<_> = std::fs::read_dir(&dir)
        .unwrap()
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.extension().is_some_and(|x| x == "png"))
        .collect();
    pages.sort();
    let out = Command::new("zbarimg")
        .args(["-q", "--raw"])
        .args(&pages)
        .output()
        .unwrap();
    std::fs::remove_dir_all(&dir).ok();
    Some(String::from_utf8(out.stdout).unwrap().trim().to_string())
}
