//! What the command's unit tests share.

use std::sync::Arc;
use thirdplace_store::Store;

/// Any string does as the demo logins' password hash here: nobody signs in.
pub const HASH: &str = "$argon2id$v=19$m=19456,t=2,p=1$c2FsdHNhbHQ$aGFzaGhhc2hoYXNoaGFzaA";

/// A store in a fresh SQLite file, and the directory that holds it (the
/// file goes when the directory is dropped).
pub async fn temp_store() -> (Arc<dyn Store>, tempfile::TempDir) {
    let dir = tempfile::tempdir().unwrap();
    let url = format!("sqlite://{}", dir.path().join("t.db").display());
    (crate::open_store(&url).await.unwrap(), dir)
}
