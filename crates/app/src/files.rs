//! Uploaded documents and issued results: content stored once under its SHA-256 through
//! `object_store` (a local directory by default, any S3-compatible service by configuration),
//! never under a name the user chose. The type is decided from the content.

use std::sync::Arc;

use bytes::Bytes;
use object_store::aws::AmazonS3Builder;
use object_store::local::LocalFileSystem;
use object_store::path::Path;
use object_store::{ObjectStore, ObjectStoreExt, PutPayload};

/// The kinds of files accepted, as (MIME type, extension).
pub const ACCEPTED: [(&str, &str); 3] = [
    ("application/pdf", "pdf"),
    ("image/jpeg", "jpg"),
    ("image/png", "png"),
];

/// The accepted type of a file, judged by its content; `None` for anything else, and for a
/// file that is also something a browser would run (see [`is_active`]).
pub fn sniff(bytes: &[u8]) -> Option<&'static str> {
    let kind = infer::get(bytes)?;
    let mime = ACCEPTED
        .iter()
        .find(|(mime, _)| *mime == kind.mime_type())
        .map(|(mime, _)| *mime)?;
    (!is_active(bytes, mime)).then_some(mime)
}

/// Whether a document carries something that runs when it is opened: a PDF with JavaScript,
/// an action launching a program or submitting a form, embedded files, rich media or an XFA
/// form; or any file that is also an HTML page (a polyglot a browser could be led to render).
/// PDFs are read with `lopdf`, so names hidden in compressed object streams or written with
/// `#xx` escapes are seen; one it cannot read is scanned as bytes.
pub fn is_active(bytes: &[u8], mime: &str) -> bool {
    let html = [
        &b"<script"[..],
        b"<html",
        b"<iframe",
        b"<svg",
        b"<body",
        b"javascript:",
    ];
    if html.iter().any(|tag| {
        bytes
            .windows(tag.len())
            .any(|w| w.eq_ignore_ascii_case(tag))
    }) {
        return true;
    }
    mime == "application/pdf" && pdf_is_active(bytes)
}

/// PDF names that make a document act when opened.
const ACTIVE_NAMES: [&[u8]; 9] = [
    b"JS",
    b"JavaScript",
    b"Launch",
    b"EmbeddedFile",
    b"EmbeddedFiles",
    b"RichMedia",
    b"XFA",
    b"SubmitForm",
    b"ImportData",
];

fn pdf_is_active(bytes: &[u8]) -> bool {
    use lopdf::Object;
    fn active(o: &Object) -> bool {
        match o {
            Object::Name(n) => ACTIVE_NAMES.contains(&n.as_slice()),
            Object::Array(a) => a.iter().any(active),
            Object::Dictionary(d) => d
                .iter()
                .any(|(k, v)| ACTIVE_NAMES.contains(&k.as_slice()) || active(v)),
            Object::Stream(s) => active(&Object::Dictionary(s.dict.clone())),
            _ => false,
        }
    }
    match lopdf::Document::load_mem(bytes) {
        Ok(doc) => doc.objects.values().any(active) || active(&Object::Dictionary(doc.trailer)),
        Err(_) => raw_names(bytes)
            .iter()
            .any(|n| ACTIVE_NAMES.contains(&n.as_slice())),
    }
}

/// The `/Names` written in a PDF's bytes, with `#xx` escapes decoded.
fn raw_names(bytes: &[u8]) -> Vec<Vec<u8>> {
    let delimiter = |b: u8| b.is_ascii_whitespace() || b"/()<>[]{}%".contains(&b);
    let mut names = Vec::new();
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] != b'/' {
            i += 1;
            continue;
        }
        i += 1;
        let mut name = Vec::new();
        while i < bytes.len() && !delimiter(bytes[i]) {
            let escaped = (bytes[i] == b'#')
                .then(|| bytes.get(i + 1..i + 3))
                .flatten()
                .and_then(|h| std::str::from_utf8(h).ok())
                .and_then(|h| u8::from_str_radix(h, 16).ok());
            match escaped {
                Some(b) => {
                    name.push(b);
                    i += 3;
                }
                None => {
                    name.push(bytes[i]);
                    i += 1;
                }
            }
        }
        names.push(name);
    }
    names
}

#[derive(Debug, thiserror::Error)]
pub enum FileStoreError {
    #[error("file storage: {0}")]
    Store(#[from] object_store::Error),
    #[error("cannot prepare the file directory {0}: {1}")]
    Dir(String, std::io::Error),
    #[error("not a SHA-256: {0}")]
    BadHash(String),
}

/// Where files live.
#[derive(Clone)]
pub struct FileStore {
    inner: Arc<dyn ObjectStore>,
    describe: String,
}

impl std::fmt::Debug for FileStore {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.describe)
    }
}

fn object_path(sha256: &str) -> Result<Path, FileStoreError> {
    if sha256.len() != 64 || !sha256.bytes().all(|b| b.is_ascii_hexdigit()) {
        return Err(FileStoreError::BadHash(sha256.chars().take(80).collect()));
    }
    let h = sha256.to_ascii_lowercase();
    Ok(Path::from(format!("sha256/{}/{h}", &h[..2])))
}

impl FileStore {
    /// `s3://bucket[/prefix]` (credentials and endpoint from the usual `AWS_*` variables) or a
    /// local directory, created if missing.
    pub fn open(spec: &str) -> Result<FileStore, FileStoreError> {
        if spec.starts_with("s3://") {
            let s3 = AmazonS3Builder::from_env().with_url(spec).build()?;
            return Ok(FileStore {
                inner: Arc::new(s3),
                describe: spec.to_string(),
            });
        }
        std::fs::create_dir_all(spec).map_err(|e| FileStoreError::Dir(spec.into(), e))?;
        let local = LocalFileSystem::new_with_prefix(spec)?;
        Ok(FileStore {
            inner: Arc::new(local),
            describe: format!("directory {spec}"),
        })
    }

    /// Stores the content (once) and returns its SHA-256.
    pub async fn put(&self, bytes: Bytes) -> Result<String, FileStoreError> {
        let sha = motcua_domain::audit::sha256(&bytes);
        let sha = hex::encode(sha);
        let path = object_path(&sha)?;
        if self.inner.head(&path).await.is_err() {
            self.inner.put(&path, PutPayload::from(bytes)).await?;
        }
        Ok(sha)
    }

    pub async fn get(&self, sha256: &str) -> Result<Bytes, FileStoreError> {
        let path = object_path(sha256)?;
        Ok(self.inner.get(&path).await?.bytes().await?)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const PLAIN: &[u8] =
        b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n";

    #[test]
    fn plain_documents_pass_and_active_ones_are_refused() {
        assert_eq!(sniff(PLAIN), Some("application/pdf"));
        let js = b"%PDF-1.4\n1 0 obj << /Type /Catalog /OpenAction << /S /JavaScript /JS (app.alert(1)) >> >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n";
        assert!(is_active(js, "application/pdf"));
        assert_eq!(sniff(js), None);
        // A name spelt with escapes is the same name.
        let hidden = b"%PDF-1.4\n1 0 obj << /Type /Catalog /OpenAction << /S /J#61vaScript /J#53 (x) >> >> endobj\n%%EOF\n";
        assert!(is_active(hidden, "application/pdf"));
        let launch = b"%PDF-1.4\n1 0 obj << /S /Launch /F (cmd.exe) >> endobj\n%%EOF\n";
        assert!(is_active(launch, "application/pdf"));
        // A PDF that is also a web page, and a PNG carrying a script.
        let polyglot = b"%PDF-1.4\n<html><script>alert(1)</script></html>\n%%EOF\n";
        assert_eq!(sniff(polyglot), None);
        let mut png = b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR".to_vec();
        png.extend_from_slice(b"<SCRIPT>alert(1)</SCRIPT>");
        assert!(is_active(&png, "image/png"));
        // Words that merely look like the names are not them.
        let words =
            b"%PDF-1.4\n1 0 obj << /Type /Catalog /JSX 1 /Title (JavaScript) >> endobj\n%%EOF\n";
        assert!(!is_active(words, "application/pdf"));
    }

    #[test]
    fn type_comes_from_the_content() {
        assert_eq!(
            sniff(b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj"),
            Some("application/pdf")
        );
        assert_eq!(
            sniff(&[0xFF, 0xD8, 0xFF, 0xE0, 0, 0x10, b'J', b'F', b'I', b'F']),
            Some("image/jpeg")
        );
        assert_eq!(sniff(b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR"), Some("image/png"));
        assert_eq!(sniff(b"MZ\x90\0\x03\0\0\0"), None, "a program named .pdf");
        assert_eq!(sniff(b"<html><script>"), None);
        assert_eq!(sniff(b""), None);
    }

    #[tokio::test]
    async fn stores_by_hash_once() {
        let dir = std::env::temp_dir().join(format!("motcua-files-{}", std::process::id()));
        let store = FileStore::open(dir.to_str().unwrap()).unwrap();
        let a = store.put(Bytes::from_static(b"%PDF-1.4 a")).await.unwrap();
        let b = store.put(Bytes::from_static(b"%PDF-1.4 a")).await.unwrap();
        assert_eq!(a, b);
        assert_eq!(&store.get(&a).await.unwrap()[..], b"%PDF-1.4 a");
        assert!(dir.join("sha256").join(&a[..2]).join(&a).exists());
        assert!(matches!(
            store.get("../../etc/passwd").await,
            Err(FileStoreError::BadHash(_))
        ));
        std::fs::remove_dir_all(dir).ok();
    }
}
