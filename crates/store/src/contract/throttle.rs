//! The contract of [`crate::ThrottleStore`]: failed sign-ins counted per
//! key, forgotten after a while, cleared on success, and counted exactly
//! when many are recorded at once.

use crate::{account_key, source_key, Store, Strikes};
use chrono::{DateTime, Duration, TimeZone, Utc};
use futures_util::future::join_all;

async fn failures(store: &dyn Store, key: &str, forget: DateTime<Utc>) -> Option<i64> {
    store
        .strikes(key, forget)
        .await
        .unwrap()
        .map(|s| s.failures)
}

fn keys(of: &[&str]) -> Vec<String> {
    of.iter().map(|k| k.to_string()).collect()
}

pub async fn strikes_are_counted_per_key_and_cleared(store: &dyn Store) {
    let t0 = Utc.with_ymd_and_hms(2026, 11, 23, 8, 0, 0).unwrap();
    let forget = t0 - Duration::hours(1);
    let anna = account_key("Anna@X.se");
    assert_eq!(anna, account_key("anna@x.se"));
    let here = source_key("203.0.113.7");
    assert_eq!(store.strikes(&anna, forget).await.unwrap(), None);
    for i in 0..3 {
        let at = t0 + Duration::seconds(i * 10);
        store
            .record_strikes(&[anna.clone(), here.clone()], at, forget)
            .await
            .unwrap();
    }
    store
        .record_strikes(&keys(&["account:bo@x.se"]), t0, forget)
        .await
        .unwrap();
    let last = t0 + Duration::seconds(20);
    assert_eq!(
        store.strikes(&anna, forget).await.unwrap(),
        Some(Strikes {
            failures: 3,
            last_at: last
        })
    );
    assert_eq!(failures(store, &here, forget).await, Some(3));
    store.clear_strikes(&anna).await.unwrap();
    assert_eq!(store.strikes(&anna, forget).await.unwrap(), None);
    assert_eq!(failures(store, &here, forget).await, Some(3));
    assert_eq!(failures(store, "account:bo@x.se", forget).await, Some(1));
}

pub async fn old_strikes_are_forgotten(store: &dyn Store) {
    let t0 = Utc.with_ymd_and_hms(2026, 11, 23, 8, 0, 0).unwrap();
    let here = keys(&["source:198.51.100.1"]);
    for _ in 0..5 {
        store
            .record_strikes(&here, t0, t0 - Duration::hours(1))
            .await
            .unwrap();
    }
    let later = t0 + Duration::minutes(90);
    let forget = later - Duration::hours(1);
    // Past the window, a read sees nothing and a new failure counts from one.
    assert_eq!(store.strikes(&here[0], forget).await.unwrap(), None);
    store.record_strikes(&here, later, forget).await.unwrap();
    assert_eq!(
        store.strikes(&here[0], forget).await.unwrap(),
        Some(Strikes {
            failures: 1,
            last_at: later
        })
    );
}

pub async fn simultaneous_strikes_all_count(store: &dyn Store) {
    let t0 = Utc.with_ymd_and_hms(2026, 11, 23, 8, 0, 0).unwrap();
    let forget = t0 - Duration::hours(1);
    let source = source_key("192.0.2.9");
    let recorded = join_all((0..20).map(|i| {
        let ks = vec![account_key(&format!("p{i}@x.se")), source.clone()];
        async move {
            store
                .record_strikes(&ks, t0 + Duration::milliseconds(i), forget)
                .await
        }
    }))
    .await;
    assert!(recorded.iter().all(Result::is_ok), "{recorded:?}");
    let s = store.strikes(&source, forget).await.unwrap().unwrap();
    assert_eq!(s.failures, 20);
    assert_eq!(s.last_at, t0 + Duration::milliseconds(19));
}
