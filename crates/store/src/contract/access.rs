//! The contract of [`crate::AccessStore`]: one-time links (invitations and
//! password resets) are taken once, only while usable, and taking one sets
//! the password and ends the person's sessions in the same transaction.

use super::person;
use crate::{OneTimeToken, Session, Store, StoreError, TokenKind, Unusable};
use chrono::{DateTime, Duration, TimeZone, Utc};
use futures_util::future::join_all;
use thirdplace_domain::new_id;
use uuid::Uuid;

fn t0() -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 12, 7, 8, 0, 0).unwrap()
}

fn link(kind: TokenKind, person_id: Uuid, hash: &str, at: DateTime<Utc>) -> OneTimeToken {
    OneTimeToken {
        id: new_id(),
        kind,
        person_id,
        token_hash: hash.into(),
        created_by: None,
        created_at: at,
        expires_at: at + Duration::hours(1),
        used_at: None,
        revoked_at: None,
    }
}

async fn anna(store: &dyn Store) -> Uuid {
    let p = person("anna@x.se", None);
    store.insert_person(&p).await.unwrap();
    p.id
}

async fn signed_in(store: &dyn Store, person_id: Uuid, id_hash: &str) {
    store
        .insert_session(&Session {
            id_hash: id_hash.into(),
            person_id,
            created_at: t0(),
            expires_at: t0() + Duration::days(14),
        })
        .await
        .unwrap();
}

pub async fn a_link_is_taken_once_and_replay_is_refused(store: &dyn Store) {
    let p = anna(store).await;
    let mut admin = person("admin@x.se", None);
    admin.is_network_admin = true;
    store.insert_person(&admin).await.unwrap();
    let invite = OneTimeToken {
        created_by: Some(admin.id),
        expires_at: t0() + Duration::days(7),
        ..link(TokenKind::Invitation, p, "h-invite", t0())
    };
    store.issue_token(&invite).await.unwrap();
    assert_eq!(
        store
            .find_token(TokenKind::Invitation, "h-invite")
            .await
            .unwrap(),
        Some(invite.clone())
    );
    // A link of one kind is not a link of the other.
    assert_eq!(
        store
            .find_token(TokenKind::PasswordReset, "h-invite")
            .await
            .unwrap(),
        None
    );
    let later = t0() + Duration::minutes(5);
    let taken = store
        .take_token(TokenKind::Invitation, "h-invite", later, "$argon2id$new")
        .await
        .unwrap()
        .unwrap();
    assert_eq!(taken.used_at, Some(later));
    assert_eq!(
        store.password_hash(p).await.unwrap().as_deref(),
        Some("$argon2id$new")
    );
    assert_eq!(
        store
            .take_token(TokenKind::Invitation, "h-invite", later, "$argon2id$other")
            .await
            .unwrap(),
        Err(Unusable::Used)
    );
    assert_eq!(
        store.password_hash(p).await.unwrap().as_deref(),
        Some("$argon2id$new")
    );
    assert_eq!(
        store
            .latest_token(p, TokenKind::Invitation)
            .await
            .unwrap()
            .map(|t| t.used_at),
        Some(Some(later))
    );
    match store
        .take_token(TokenKind::Invitation, "forged", later, "x")
        .await
    {
        Err(StoreError::NotFound) => {}
        other => panic!("expected not found, got {other:?}"),
    }
    match store
        .issue_token(&link(TokenKind::Invitation, new_id(), "h-nobody", t0()))
        .await
    {
        Err(StoreError::Reference(field)) => assert_eq!(field, "person_id"),
        other => panic!("expected a reference error, got {other:?}"),
    }
}

pub async fn expired_and_revoked_links_are_refused(store: &dyn Store) {
    let p = anna(store).await;
    store
        .issue_token(&link(TokenKind::PasswordReset, p, "h-old", t0()))
        .await
        .unwrap();
    let late = t0() + Duration::hours(1);
    assert_eq!(
        store
            .take_token(TokenKind::PasswordReset, "h-old", late, "x")
            .await
            .unwrap(),
        Err(Unusable::Expired)
    );
    assert_eq!(store.password_hash(p).await.unwrap(), None);
    // A newer link revokes the older one.
    let t1 = t0() + Duration::minutes(1);
    store
        .issue_token(&link(TokenKind::PasswordReset, p, "h-a", t0()))
        .await
        .unwrap();
    store
        .issue_token(&link(TokenKind::PasswordReset, p, "h-b", t1))
        .await
        .unwrap();
    let a = store
        .find_token(TokenKind::PasswordReset, "h-a")
        .await
        .unwrap()
        .unwrap();
    assert_eq!(a.revoked_at, Some(t1));
    assert_eq!(
        store
            .take_token(TokenKind::PasswordReset, "h-a", t1, "x")
            .await
            .unwrap(),
        Err(Unusable::Revoked)
    );
    assert_eq!(
        store
            .latest_token(p, TokenKind::PasswordReset)
            .await
            .unwrap()
            .map(|t| t.token_hash),
        Some("h-b".to_string())
    );
    assert_eq!(
        store
            .revoke_tokens(p, TokenKind::PasswordReset, t1)
            .await
            .unwrap(),
        1
    );
    assert_eq!(
        store
            .revoke_tokens(p, TokenKind::PasswordReset, t1)
            .await
            .unwrap(),
        0
    );
    assert_eq!(
        store
            .take_token(TokenKind::PasswordReset, "h-b", t1, "x")
            .await
            .unwrap(),
        Err(Unusable::Revoked)
    );
    assert_eq!(store.password_hash(p).await.unwrap(), None);
    assert_eq!(
        store.latest_token(p, TokenKind::Invitation).await.unwrap(),
        None
    );
}

pub async fn taking_a_link_ends_every_session(store: &dyn Store) {
    let p = anna(store).await;
    let other = person("bo@x.se", None);
    store.insert_person(&other).await.unwrap();
    signed_in(store, p, "s1").await;
    signed_in(store, p, "s2").await;
    signed_in(store, other.id, "s3").await;
    store
        .issue_token(&link(TokenKind::PasswordReset, p, "h-reset", t0()))
        .await
        .unwrap();
    store
        .take_token(TokenKind::PasswordReset, "h-reset", t0(), "$argon2id$new")
        .await
        .unwrap()
        .unwrap();
    for s in ["s1", "s2"] {
        assert_eq!(store.session_person(s, t0()).await.unwrap(), None);
    }
    assert!(store.session_person("s3", t0()).await.unwrap().is_some());
}

pub async fn simultaneous_takes_succeed_once(store: &dyn Store) {
    let p = anna(store).await;
    store
        .issue_token(&link(TokenKind::PasswordReset, p, "h-race", t0()))
        .await
        .unwrap();
    let takes = (0..8).map(|i| {
        let hash = format!("$argon2id${i}");
        async move {
            store
                .take_token(TokenKind::PasswordReset, "h-race", t0(), &hash)
                .await
                .unwrap()
        }
    });
    let results = join_all(takes).await;
    assert_eq!(results.iter().filter(|r| r.is_ok()).count(), 1);
    assert!(results
        .iter()
        .all(|r| r.is_ok() || *r == Err(Unusable::Used)));
}

/// The overview for lists: who of an organisation's people has a password
/// and each one's newest invitation, whatever its state; people of other
/// organisations only when everyone is asked for.
pub async fn the_overview_tells_passwords_and_newest_invitations(store: &dyn Store) {
    let org = super::organisation("212000-0142");
    store.insert_organisation(&org).await.unwrap();
    let active = person("active@x.se", Some(org.id));
    let invited = person("invited@x.se", Some(org.id));
    let never = person("never@x.se", Some(org.id));
    let outside = person("outside@x.se", None);
    for p in [&active, &invited, &never, &outside] {
        store.insert_person(p).await.unwrap();
    }
    store
        .set_password_hash(active.id, "$argon2id$x")
        .await
        .unwrap();
    let first = link(TokenKind::Invitation, invited.id, "h-first", t0());
    store.issue_token(&first).await.unwrap();
    let later = t0() + Duration::minutes(1);
    let newest = link(TokenKind::Invitation, invited.id, "h-newest", later);
    store.issue_token(&newest).await.unwrap();
    // A reset is not an invitation.
    let reset = link(TokenKind::PasswordReset, never.id, "h-reset", t0());
    store.issue_token(&reset).await.unwrap();
    let outside_link = link(TokenKind::Invitation, outside.id, "h-outside", t0());
    store.issue_token(&outside_link).await.unwrap();

    let o = store.access_overview(Some(org.id)).await.unwrap();
    assert_eq!(o.activated, [active.id].into_iter().collect());
    assert_eq!(o.invitations.len(), 1, "{o:?}");
    assert_eq!(o.invitations[&invited.id].id, newest.id);
    use crate::InvitationState as S;
    assert_eq!(o.state_of(active.id, false, later), S::Activated);
    assert_eq!(
        o.state_of(invited.id, false, later),
        S::Invited(newest.expires_at)
    );
    let after = newest.expires_at + Duration::seconds(1);
    assert_eq!(
        o.state_of(invited.id, false, after),
        S::Expired(newest.expires_at)
    );
    assert_eq!(o.state_of(invited.id, true, later), S::NotInvited);
    assert_eq!(o.state_of(never.id, false, later), S::NotInvited);

    let everyone = store.access_overview(None).await.unwrap();
    assert!(everyone.invitations.contains_key(&outside.id));
    assert!(everyone.invitations.contains_key(&invited.id));
    assert!(everyone.activated.contains(&active.id));
}
