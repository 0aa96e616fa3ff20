//! The contract of [`crate::PeopleStore`]: organisations, people and
//! roles, sessions and API tokens.

use super::{organisation, person, seed_hub};
use crate::{ApiToken, Session, Store, StoreError};
use chrono::{Duration, TimeZone, Utc};
use thirdplace_domain::*;

pub async fn organisation_numbers_are_unique(store: &dyn Store) {
    let mut o = organisation("212000-0142");
    store.insert_organisation(&o).await.unwrap();
    match store
        .insert_organisation(&organisation("212000-0142"))
        .await
    {
        Err(StoreError::Conflict(field)) => assert_eq!(field, "org_number"),
        other => panic!("expected a conflict, got {other:?}"),
    }
    o.kind = OrgKind::GovernmentAgency;
    store.update_organisation(&o).await.unwrap();
    assert_eq!(store.get_organisation(o.id).await.unwrap(), o);
    assert_eq!(store.list_organisations().await.unwrap(), vec![o]);
}

pub async fn people_and_roles_round_trip(store: &dyn Store) {
    let (_, _, operator, h) = seed_hub(store).await;
    let org = organisation("212000-0803");
    store.insert_organisation(&org).await.unwrap();
    let mut p = person("anna@oskarshamn.example", Some(org.id));
    p.hosted_hub_ids = vec![h.id];
    p.admin_of_organisation_ids = vec![org.id];
    p.staff_of_operator_ids = vec![operator.id];
    store.insert_person(&p).await.unwrap();
    assert_eq!(store.get_person(p.id).await.unwrap(), p);
    assert_eq!(
        store
            .find_person_by_email("anna@oskarshamn.example")
            .await
            .unwrap(),
        Some(p.clone())
    );
    assert_eq!(
        store.find_person_by_email("nobody@x.se").await.unwrap(),
        None
    );
    p.hosted_hub_ids.clear();
    p.is_network_admin = true;
    store.update_person(&p).await.unwrap();
    assert_eq!(store.get_person(p.id).await.unwrap(), p);
    p.staff_of_operator_ids.clear();
    store.update_person(&p).await.unwrap();
    assert_eq!(store.get_person(p.id).await.unwrap(), p);
    let other = person("bo@x.se", None);
    store.insert_person(&other).await.unwrap();
    assert_eq!(
        store.list_people(Some(org.id)).await.unwrap(),
        vec![p.clone()]
    );
    assert_eq!(store.list_people(None).await.unwrap().len(), 2);
    assert_eq!(store.password_hash(p.id).await.unwrap(), None);
    store
        .set_password_hash(p.id, "$argon2id$fake")
        .await
        .unwrap();
    assert_eq!(
        store.password_hash(p.id).await.unwrap().as_deref(),
        Some("$argon2id$fake")
    );
}

pub async fn email_is_unique_and_nothing_half_written(store: &dyn Store) {
    store
        .insert_person(&person("anna@x.se", None))
        .await
        .unwrap();
    match store.insert_person(&person("anna@x.se", None)).await {
        Err(StoreError::Conflict(field)) => assert_eq!(field, "email"),
        other => panic!("expected a conflict, got {other:?}"),
    }
    assert_eq!(store.list_people(None).await.unwrap().len(), 1);
}

pub async fn unknown_role_reference_writes_nothing(store: &dyn Store) {
    let mut p = person("anna@x.se", None);
    p.hosted_hub_ids = vec![new_id()];
    match store.insert_person(&p).await {
        Err(StoreError::Reference(field)) => assert_eq!(field, "hosted_hub_ids"),
        other => panic!("expected a reference error, got {other:?}"),
    }
    assert!(store.list_people(None).await.unwrap().is_empty());
    let mut q = person("bo@x.se", None);
    store.insert_person(&q).await.unwrap();
    q.first_name = "Bosse".into();
    q.admin_of_organisation_ids = vec![new_id()];
    assert!(matches!(
        store.update_person(&q).await,
        Err(StoreError::Reference(_))
    ));
    assert_eq!(store.get_person(q.id).await.unwrap().first_name, "Anna");
    q.admin_of_organisation_ids.clear();
    q.staff_of_operator_ids = vec![new_id()];
    match store.update_person(&q).await {
        Err(StoreError::Reference(field)) => assert_eq!(field, "staff_of_operator_ids"),
        other => panic!("expected a reference error, got {other:?}"),
    }
    assert_eq!(store.get_person(q.id).await.unwrap().first_name, "Anna");
}

pub async fn sessions_expire_and_end(store: &dyn Store) {
    let p = person("anna@x.se", None);
    store.insert_person(&p).await.unwrap();
    let now = Utc.with_ymd_and_hms(2026, 11, 23, 8, 0, 0).unwrap();
    let s = Session {
        id_hash: "abc".into(),
        person_id: p.id,
        created_at: now,
        expires_at: now + Duration::hours(1),
    };
    store.insert_session(&s).await.unwrap();
    let s2 = Session {
        id_hash: "def".into(),
        ..s.clone()
    };
    store.insert_session(&s2).await.unwrap();
    assert_eq!(
        store
            .session_person("abc", now)
            .await
            .unwrap()
            .map(|p| p.id),
        Some(p.id)
    );
    assert_eq!(
        store
            .session_person("abc", now + Duration::hours(2))
            .await
            .unwrap(),
        None
    );
    assert_eq!(store.session_person("nope", now).await.unwrap(), None);
    store.delete_sessions_of(p.id, Some("def")).await.unwrap();
    assert_eq!(store.session_person("abc", now).await.unwrap(), None);
    assert!(store.session_person("def", now).await.unwrap().is_some());
    store.delete_session("def").await.unwrap();
    assert_eq!(store.session_person("def", now).await.unwrap(), None);
}

pub async fn sessions_of_archived_people_are_inactive(store: &dyn Store) {
    let mut p = person("anna@x.se", None);
    store.insert_person(&p).await.unwrap();
    let now = Utc::now();
    let s = Session {
        id_hash: "abc".into(),
        person_id: p.id,
        created_at: now,
        expires_at: now + Duration::hours(1),
    };
    store.insert_session(&s).await.unwrap();
    p.archived = true;
    store.update_person(&p).await.unwrap();
    assert_eq!(store.session_person("abc", now).await.unwrap(), None);
}

pub async fn api_tokens_authenticate_until_revoked(store: &dyn Store) {
    let p = person("anna@x.se", None);
    store.insert_person(&p).await.unwrap();
    let other = person("bo@x.se", None);
    store.insert_person(&other).await.unwrap();
    let now = Utc.with_ymd_and_hms(2026, 11, 23, 8, 0, 0).unwrap();
    let t = ApiToken {
        id: new_id(),
        person_id: p.id,
        name: "kiosk".into(),
        token_hash: "h1".into(),
        created_at: now,
        revoked_at: None,
    };
    store.insert_api_token(&t).await.unwrap();
    assert_eq!(
        store.token_person("h1").await.unwrap().map(|p| p.id),
        Some(p.id)
    );
    assert_eq!(store.list_api_tokens(p.id).await.unwrap(), vec![t.clone()]);
    assert!(matches!(
        store.revoke_api_token(other.id, t.id, now).await,
        Err(StoreError::NotFound)
    ));
    store.revoke_api_token(p.id, t.id, now).await.unwrap();
    assert_eq!(store.token_person("h1").await.unwrap(), None);
    assert_eq!(
        store.list_api_tokens(p.id).await.unwrap()[0].revoked_at,
        Some(now)
    );
}
