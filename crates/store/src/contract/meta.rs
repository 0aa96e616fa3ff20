//! The contract of [`crate::MetaStore`]'s key-value settings.

use crate::Store;

pub async fn meta_values_round_trip(store: &dyn Store) {
    assert_eq!(store.get_meta("demo_seeded").await.unwrap(), None);
    store.set_meta("demo_seeded", "1").await.unwrap();
    store.set_meta("demo_seeded", "2").await.unwrap();
    assert_eq!(
        store.get_meta("demo_seeded").await.unwrap().as_deref(),
        Some("2")
    );
}
