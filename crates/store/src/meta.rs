//! What every backend answers about itself: its name, whether the database
//! is up, and the small key-value table of settings the app keeps (`meta`).

use crate::StoreResult;
use async_trait::async_trait;

/// The backend itself and its key-value settings.
#[async_trait]
pub trait MetaStore: Send + Sync {
    /// "sqlite" or "postgres".
    fn backend_name(&self) -> &'static str;

    /// Whether the database answers (for `/readyz`).
    async fn ping(&self) -> StoreResult<()>;

    async fn get_meta(&self, key: &str) -> StoreResult<Option<String>>;

    async fn set_meta(&self, key: &str, value: &str) -> StoreResult<()>;

    /// The value under `key`, inserting `value` first if there is none; with
    /// several processes racing, all get the first value written.
    async fn meta_get_or_insert(&self, key: &str, value: &str) -> StoreResult<String>;
}
