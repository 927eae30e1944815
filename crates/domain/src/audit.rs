//! The hash chain that makes history tamper-evident: each stored event carries
//! `SHA-256(previous hash ‖ its own canonical bytes)`, so changing, removing or reordering any
//! event breaks every link after it.

use sha2::{Digest, Sha256};

/// A SHA-256 digest.
pub type Hash = [u8; 32];

/// The hash before the first event.
pub const GENESIS: Hash = [0u8; 32];

/// The link of an event whose canonical bytes are `body`, following `previous`.
pub fn link(previous: &Hash, body: &[u8]) -> Hash {
    let mut h = Sha256::new();
    h.update(previous);
    h.update(body);
    h.finalize().into()
}

/// SHA-256 of arbitrary bytes (document contents, API keys).
pub fn sha256(bytes: &[u8]) -> Hash {
    Sha256::digest(bytes).into()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn known_digest_and_chaining() {
        // SHA-256("abc") from FIPS 180-2, appendix B.1.
        let abc = sha256(b"abc");
        assert_eq!(abc[..4], [0xba, 0x78, 0x16, 0xbf]);
        assert_eq!(abc[28..], [0xf2, 0x00, 0x15, 0xad]);
        let a = link(&GENESIS, b"one");
        assert_ne!(link(&a, b"two"), link(&GENESIS, b"two"));
        assert_eq!(link(&a, b"two"), link(&a, b"two"));
    }
}
