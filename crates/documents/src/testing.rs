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

/// What `pdftotext` with `args` prints for the PDF, or `None` when the tool is missing.
fn pdftotext(pdf: &[u8], args: &[&str]) -> Option<String> {
    if !tool("pdftotext") {
        return None;
    }
    let dir = scratch("doc");
    let file = dir.join("slip.pdf");
    std::fs::write(&file, pdf).unwrap();
    let out = Command::new("pdftotext")
        .args(args)
        .arg(&file)
        .arg("-")
        .output()
        .unwrap();
    assert!(out.status.success());
    std::fs::remove_dir_all(&dir).ok();
    Some(String::from_utf8(out.stdout).unwrap())
}

/// Text of the PDF as `pdftotext` reads it, or `None` when the tool is missing.
pub fn pdf_text(pdf: &[u8]) -> Option<String> {
    pdftotext(pdf, &[])
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

/// Words of the PDF that are printed over one another (their boxes, as `pdftotext -bbox`
/// reads them, share more than a sliver in both directions), page by page: text running into
/// other text, as a letterhead column into the other. `None` when the tool is missing.
pub fn overlapping_words(pdf: &[u8]) -> Option<Vec<(String, String)>> {
    let html = pdftotext(pdf, &["-bbox"])?;
    let attr = |tag: &str, name: &str| -> f32 {
        let key = format!("{name}=\"");
        let at = tag.find(&key).map(|i| i + key.len()).unwrap_or(0);
        tag[at..]
            .split('"')
            .next()
            .and_then(|v| v.parse().ok())
            .unwrap_or(0.0)
    };
    let mut found = Vec::new();
    for page in html.split("<page ").skip(1) {
        let words: Vec<(String, [f32; 4])> = page
            .split("<word ")
            .skip(1)
            .filter_map(|w| {
                let (tag, rest) = w.split_once('>')?;
                let text = rest.split("</word>").next()?.to_string();
                let b = ["xMin", "yMin", "xMax", "yMax"].map(|k| attr(tag, k));
                Some((text, b))
            })
            .collect();
        for (i, (a, p)) in words.iter().enumerate() {
            for (b, q) in &words[i + 1..] {
                let across = p[2].min(q[2]) - p[0].max(q[0]);
                let down = p[3].min(q[3]) - p[1].max(q[1]);
                let height = (p[3] - p[1]).min(q[3] - q[1]);
                if across > 1.0 && down > 0.4 * height {
                    found.push((a.clone(), b.clone()));
                }
            }
        }
    }
    Some(found)
}
