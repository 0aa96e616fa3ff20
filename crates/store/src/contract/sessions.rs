//! The contract of sessions people understand (issue 15): listing a
//! person's sessions, marking sessions and tokens used, ending one session
//! by its public id, and the language kept on the account.

use super::person;
use crate::{ApiToken, Session, SessionDevice, Store, StoreError};
use chrono::{DateTime, Duration, TimeZone, Utc};
use thirdplace_domain::*;

fn t0() -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 12, 7, 8, 0, 0).unwrap()
}

async fn start(
    store: &dyn Store,
    person_id: uuid::Uuid,
    hash: &str,
    at: DateTime<Utc>,
) -> uuid::Uuid {
    let device = SessionDevice {
        public_id: new_id(),
        user_agent: format!("Agent {hash}"),
    };
    let s = Session {
        id_hash: hash.into(),
        person_id,
        created_at: at,
        expires_at: at + Duration::days(30),
    };
    store.insert_session_on(&s, &device).await.unwrap();
    device.public_id
}

pub async fn sessions_are_listed_with_their_use_and_end_by_public_id(store: &dyn Store) {
    let p = person("anna@x.se", None);
    store.insert_person(&p).await.unwrap();
    let other = person("bo@x.se", None);
    store.insert_person(&other).await.unwrap();
    let a = start(store, p.id, "a", t0()).await;
    let b = start(store, p.id, "b", t0() + Duration::minutes(1)).await;
    let theirs = start(store, other.id, "c", t0()).await;
    // A session that has expired is not listed.
    let old = Session {
        id_hash: "old".into(),
        person_id: p.id,
        created_at: t0() - Duration::days(40),
        expires_at: t0() - Duration::days(10),
    };
    store.insert_session(&old).await.unwrap();

    let listed = store.list_sessions(p.id, t0()).await.unwrap();
    let ids: Vec<_> = listed.iter().map(|s| s.public_id).collect();
    assert_eq!(ids, vec![b, a], "the newest first");
    assert_eq!(listed[0].user_agent, "Agent b");
    assert_eq!(listed[0].id_hash, "b");
    assert_eq!(listed[0].last_used_at, None);
    assert_eq!(listed[0].source, None);

    // Used: the hot path sees when, and the list shows when and where.
    let used = store.session_use("a", t0()).await.unwrap().unwrap();
    assert_eq!((used.person.id, used.last_used_at), (p.id, None));
    let at = t0() + Duration::minutes(5);
    store
        .touch_session("a", at, Some("192.0.2.7"))
        .await
        .unwrap();
    let used = store.session_use("a", at).await.unwrap().unwrap();
    assert_eq!(used.last_used_at, Some(at));
    let listed = store.list_sessions(p.id, at).await.unwrap();
    assert_eq!(listed[0].public_id, a, "the most recently used first");
    assert_eq!(listed[0].last_used_at, Some(at));
    assert_eq!(listed[0].source.as_deref(), Some("192.0.2.7"));

    // Nobody ends someone else's session, nor an unknown one.
    for (person_id, id) in [(p.id, theirs), (other.id, a), (p.id, new_id())] {
        assert!(matches!(
            store.delete_session_by_id(person_id, id).await,
            Err(StoreError::NotFound)
        ));
    }
    store.delete_session_by_id(p.id, a).await.unwrap();
    assert!(store.session_use("a", at).await.unwrap().is_none());
    assert!(store.session_use("b", at).await.unwrap().is_some());
    assert!(store.session_use("c", at).await.unwrap().is_some());
    let ids: Vec<_> = store
        .list_sessions(p.id, at)
        .await
        .unwrap()
        .into_iter()
        .map(|s| s.public_id)
        .collect();
    assert_eq!(ids, vec![b]);
}

pub async fn a_recorded_use_never_goes_back_in_time(store: &dyn Store) {
    let p = person("anna@x.se", None);
    store.insert_person(&p).await.unwrap();
    start(store, p.id, "a", t0()).await;
    let later = t0() + Duration::minutes(10);
    store
        .touch_session("a", later, Some("198.51.100.1"))
        .await
        .unwrap();
    // A slower process that saw the request before writes nothing.
    store
        .touch_session("a", t0() + Duration::minutes(2), Some("203.0.113.9"))
        .await
        .unwrap();
    let s = &store.list_sessions(p.id, t0()).await.unwrap()[0];
    assert_eq!(s.last_used_at, Some(later));
    assert_eq!(s.source.as_deref(), Some("198.51.100.1"));
    // Unknown sessions are no error: they may just have ended.
    store.touch_session("gone", later, None).await.unwrap();
}

pub async fn api_tokens_record_when_and_where_they_were_used(store: &dyn Store) {
    let p = person("anna@x.se", None);
    store.insert_person(&p).await.unwrap();
    let t = ApiToken {
        id: new_id(),
        person_id: p.id,
        name: "kiosk".into(),
        token_hash: "h1".into(),
        created_at: t0(),
        revoked_at: None,
    };
    store.insert_api_token(&t).await.unwrap();
    let used = store.token_use("h1").await.unwrap().unwrap();
    assert_eq!(
        (used.person.id, used.token_id, used.last_used_at),
        (p.id, t.id, None)
    );
    let seen = store.api_tokens_seen(p.id).await.unwrap();
    assert_eq!((seen[0].token_id, seen[0].last_used_at), (t.id, None));

    let at = t0() + Duration::hours(1);
    store
        .touch_api_token(t.id, at, Some("2001:db8::1"))
        .await
        .unwrap();
    store
        .touch_api_token(t.id, t0(), Some("192.0.2.1"))
        .await
        .unwrap();
    assert_eq!(
        store.token_use("h1").await.unwrap().unwrap().last_used_at,
        Some(at)
    );
    let seen = store.api_tokens_seen(p.id).await.unwrap();
    assert_eq!(seen[0].last_used_at, Some(at));
    assert_eq!(seen[0].last_used_source.as_deref(), Some("2001:db8::1"));

    store.revoke_api_token(p.id, t.id, at).await.unwrap();
    assert!(store.token_use("h1").await.unwrap().is_none());
    assert!(store.token_use("nope").await.unwrap().is_none());
}

pub async fn the_chosen_language_is_kept_on_the_person(store: &dyn Store) {
    let p = person("anna@x.se", None);
    store.insert_person(&p).await.unwrap();
    assert_eq!(store.person_language(p.id).await.unwrap(), None);
    start(store, p.id, "a", t0()).await;
    assert_eq!(
        store
            .session_use("a", t0())
            .await
            .unwrap()
            .unwrap()
            .language,
        None
    );
    store.set_person_language(p.id, Some("en")).await.unwrap();
    assert_eq!(
        store.person_language(p.id).await.unwrap().as_deref(),
        Some("en")
    );
    assert_eq!(
        store
            .session_use("a", t0())
            .await
            .unwrap()
            .unwrap()
            .language
            .as_deref(),
        Some("en")
    );
    // Updating the person leaves their language alone.
    store.update_person(&p).await.unwrap();
    assert_eq!(
        store.person_language(p.id).await.unwrap().as_deref(),
        Some("en")
    );
    store.set_person_language(p.id, None).await.unwrap();
    assert_eq!(store.person_language(p.id).await.unwrap(), None);
    assert!(matches!(
        store.person_language(new_id()).await,
        Err(StoreError::NotFound)
    ));
    assert!(matches!(
        store.set_person_language(new_id(), Some("sv")).await,
        Err(StoreError::NotFound)
    ));
}
