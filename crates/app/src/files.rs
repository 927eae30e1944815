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

/// The accepted type of a file, judged by its content.
pub fn sniff(bytes: &[u8]) -> Option<&'static str> {
    let kind = infer::get(bytes)?;
    ACCEPTED
        .iter()
        .find(|(mime, _)| *mime == kind.mime_type())
        .map(|(mime, _)| *mime)
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
