//! The contract of [`crate::SsoStore`]: a provider per organisation with
//! domains of its own, identity links unique per provider, invitations used
//! by linking, and sign-ins under way taken once.

use super::{organisation, person};
use crate::{
    IdentityLink, IdentityProvider, OneTimeToken, SsoFlow, Store, StoreError, TokenKind, Unusable,
};
use chrono::{DateTime, Duration, TimeZone, Utc};
use futures_util::future::join_all;
use thirdplace_domain::new_id;
use uuid::Uuid;

fn t0() -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 12, 7, 8, 0, 0).unwrap()
}

pub(super) async fn provider(
    store: &dyn Store,
    org_number: &str,
    domains: &[&str],
) -> IdentityProvider {
    let o = organisation(org_number);
    store.insert_organisation(&o).await.unwrap();
    let p = IdentityProvider {
        id: new_id(),
        organisation_id: o.id,
        issuer_url: "http://127.0.0.1:4000".into(),
        client_id: "thirdplace".into(),
        sealed_secret: "sealed".into(),
        domains: domains.iter().map(|d| d.to_string()).collect(),
        enabled: true,
        updated_at: t0(),
    };
    store.save_provider(&p).await.unwrap();
    p
}

pub(super) fn flow(provider_id: Uuid, hash: &str) -> SsoFlow {
    SsoFlow {
        state_hash: hash.into(),
        provider_id,
        nonce: "n".into(),
        pkce_verifier: "v".into(),
        next: "/".into(),
        invitation_hash: None,
        created_at: t0(),
        expires_at: t0() + Duration::minutes(10),
        used_at: None,
    }
}

pub async fn providers_round_trip_and_own_their_domains(store: &dyn Store) {
    let mut p = provider(store, "212000-0803", &["kommun.se", "skola.kommun.se"]).await;
    assert_eq!(store.provider(p.id).await.unwrap(), Some(p.clone()));
    assert_eq!(
        store.provider_for_domain("kommun.se").await.unwrap(),
        Some(p.clone())
    );
    assert_eq!(store.provider_for_domain("other.se").await.unwrap(), None);
    // Editing replaces the domains and keeps the rest as given.
    p.domains = vec!["ny.se".into()];
    p.enabled = false;
    p.updated_at = t0() + Duration::hours(1);
    store.save_provider(&p).await.unwrap();
    assert_eq!(store.provider_for_domain("kommun.se").await.unwrap(), None);
    assert_eq!(store.providers().await.unwrap(), vec![p.clone()]);
    // A second provider may not take the first one's domain, nor its
    // organisation; nothing of it is written.
    let q = provider(store, "556036-0793", &["annan.se"]).await;
    let taken = IdentityProvider {
        domains: vec!["annan.se".into(), "ny.se".into()],
        ..q.clone()
    };
    assert!(matches!(
        store.save_provider(&taken).await,
        Err(StoreError::Conflict(f)) if f == "domains"
    ));
    let second = IdentityProvider {
        id: new_id(),
        domains: vec![],
        ..p.clone()
    };
    assert!(matches!(
        store.save_provider(&second).await,
        Err(StoreError::Conflict(f)) if f == "organisation_id"
    ));
    let unknown = IdentityProvider {
        id: new_id(),
        organisation_id: new_id(),
        domains: vec![],
        ..p.clone()
    };
    assert!(matches!(
        store.save_provider(&unknown).await,
        Err(StoreError::Reference(f)) if f == "organisation_id"
    ));
    assert_eq!(store.provider(q.id).await.unwrap(), Some(q));
    assert_eq!(store.providers().await.unwrap().len(), 2);
}

pub async fn identity_links_are_unique_and_use_the_invitation(store: &dyn Store) {
    let p = provider(store, "212000-0803", &["kommun.se"]).await;
    let anna = person("anna@kommun.se", Some(p.organisation_id));
    let bo = person("bo@kommun.se", Some(p.organisation_id));
    store.insert_person(&anna).await.unwrap();
    store.insert_person(&bo).await.unwrap();
    let invite = OneTimeToken {
        id: new_id(),
        kind: TokenKind::Invitation,
        person_id: anna.id,
        token_hash: "h-invite".into(),
        created_by: None,
        created_at: t0(),
        expires_at: t0() + Duration::days(7),
        used_at: None,
        revoked_at: None,
    };
    store.issue_token(&invite).await.unwrap();
    let link = IdentityLink {
        provider_id: p.id,
        subject: "sub-anna".into(),
        person_id: anna.id,
        created_at: t0(),
    };
    // Someone else's invitation is not this person's.
    let bos = IdentityLink {
        person_id: bo.id,
        ..link.clone()
    };
    assert!(matches!(
        store.link_identity(&bos, Some("h-invite"), t0()).await,
        Err(StoreError::NotFound)
    ));
    assert_eq!(store.identity_link(p.id, "sub-anna").await.unwrap(), None);
    store
        .link_identity(&link, Some("h-invite"), t0())
        .await
        .unwrap()
        .unwrap();
    assert_eq!(
        store.identity_link(p.id, "sub-anna").await.unwrap(),
        Some(link.clone())
    );
    let used = store
        .find_token(TokenKind::Invitation, "h-invite")
        .await
        .unwrap()
        .unwrap();
    assert_eq!(used.used_at, Some(t0()));
    // Linked without a password, Anna has activated her account; Bo,
    // invited nowhere and linked nowhere, has not.
    assert!(store.has_identity_link(anna.id).await.unwrap());
    assert!(!store.has_identity_link(bo.id).await.unwrap());
    let overview = store
        .access_overview(Some(p.organisation_id))
        .await
        .unwrap();
    assert!(overview.activated.contains(&anna.id));
    assert!(!overview.activated.contains(&bo.id));
    assert!(store
        .access_overview(None)
        .await
        .unwrap()
        .activated
        .contains(&anna.id));
    // The subject, and the person, are linked once per provider.
    assert!(matches!(
        store.link_identity(&bos, None, t0()).await,
        Err(StoreError::Conflict(f)) if f == "subject"
    ));
    let again = IdentityLink {
        subject: "sub-other".into(),
        ..link.clone()
    };
    assert!(matches!(
        store.link_identity(&again, None, t0()).await,
        Err(StoreError::Conflict(f)) if f == "subject"
    ));
    // A used invitation links nobody.
    let bo_invite = OneTimeToken {
        id: new_id(),
        person_id: bo.id,
        token_hash: "h-bo".into(),
        used_at: None,
        ..invite.clone()
    };
    store.issue_token(&bo_invite).await.unwrap();
    let bo_link = IdentityLink {
        subject: "sub-bo".into(),
        ..bos.clone()
    };
    let late = t0() + Duration::days(8);
    assert_eq!(
        store
            .link_identity(&bo_link, Some("h-bo"), late)
            .await
            .unwrap(),
        Err(Unusable::Expired)
    );
    assert_eq!(store.identity_link(p.id, "sub-bo").await.unwrap(), None);
    // Erasing the person ends the link: the subject leads nowhere.
    store
        .erase_person(&crate::Erasure {
            person_id: anna.id,
            at: t0(),
            placeholder_name: "Raderad".into(),
            placeholder_email: format!("erased-{}@invalid", new_id()),
            promotions: vec![],
        })
        .await
        .unwrap();
    assert_eq!(store.identity_link(p.id, "sub-anna").await.unwrap(), None);
    assert!(!store.has_identity_link(anna.id).await.unwrap());
}

pub async fn sign_ins_under_way_are_taken_once(store: &dyn Store) {
    let p = provider(store, "212000-0803", &["kommun.se"]).await;
    let f = SsoFlow {
        invitation_hash: Some("h-invite".into()),
        next: "/account/card".into(),
        ..flow(p.id, "state-1")
    };
    store.start_flow(&f).await.unwrap();
    assert!(matches!(
        store.take_flow("state-x", t0()).await,
        Err(StoreError::NotFound)
    ));
    let at = t0() + Duration::minutes(1);
    let taken = store.take_flow("state-1", at).await.unwrap().unwrap();
    assert_eq!(
        taken,
        SsoFlow {
            used_at: Some(at),
            ..f
        }
    );
    assert_eq!(
        store.take_flow("state-1", at).await.unwrap(),
        Err(Unusable::Used)
    );
    store.start_flow(&flow(p.id, "state-2")).await.unwrap();
    assert_eq!(
        store
            .take_flow("state-2", t0() + Duration::minutes(10))
            .await
            .unwrap(),
        Err(Unusable::Expired)
    );
    // Simultaneous callbacks with one state: exactly one gets it.
    store.start_flow(&flow(p.id, "state-3")).await.unwrap();
    let takes = join_all((0..8).map(|_| store.take_flow("state-3", at))).await;
    let won = takes.iter().filter(|t| matches!(t, Ok(Ok(_)))).count();
    assert_eq!(won, 1, "{takes:?}");
    // Starting a sign-in a day after others expired forgets them.
    let later = SsoFlow {
        created_at: t0() + Duration::days(2),
        expires_at: t0() + Duration::days(2) + Duration::minutes(10),
        ..flow(p.id, "state-4")
    };
    store.start_flow(&later).await.unwrap();
    assert!(matches!(
        store.take_flow("state-2", t0()).await,
        Err(StoreError::NotFound)
    ));
}
