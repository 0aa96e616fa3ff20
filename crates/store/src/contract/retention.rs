//! The contract of [`crate::RetentionStore`]: the policy round trip, the
//! claim of the periodic run, and each kind's reduction — what is older
//! than its limit is reduced, nothing newer is touched, a second
//! application reduces nothing, and the statistics read from the
//! aggregates are the same before and after.
//!
//! Instants have whole seconds so that both backends give them back exactly.

use super::{organisation, person, seed_hub};
use crate::{
    ApiToken, OneTimeToken, OutboundEvent, OutgoingEmail, Session, SsoFlow, Store, StoreError,
    TokenKind, Unusable,
};
use chrono::{DateTime, Duration, NaiveDate, TimeZone, Utc};
use thirdplace_domain::membership::{
    AccessSummary, CheckIn, CheckInMethod, GuestVisit, Plan, PlanScope, Seat, Validity, Webhook,
    WebhookEvent,
};
use thirdplace_domain::retention::{RetentionCounts, RetentionPolicy, ERASED_GUEST_NAME};
use thirdplace_domain::{new_id, Hub, Region};
use uuid::Uuid;

/// Monday 23 November 2026, 10:00 UTC: the tests' "now".
fn now() -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 11, 23, 10, 0, 0).unwrap()
}

fn days_ago(d: i64) -> DateTime<Utc> {
    now() - Duration::days(d)
}

/// A hub with one organisation whose members each hold a seat of a
/// network plan with room for two guests.
struct World {
    region: Region,
    hub: Hub,
    org: Uuid,
    plan: Plan,
}

async fn world(store: &dyn Store) -> World {
    let (region, _, _, hub) = seed_hub(store).await;
    let org = organisation("556000-0001");
    store.insert_organisation(&org).await.unwrap();
    let plan = Plan {
        id: new_id(),
        name: "Nätverket".into(),
        description: String::new(),
        scope: PlanScope::Network,
        monthly_price_ore: 95_000,
        included_hours_per_month: 4,
        max_guests: 2,
        validity: Validity::MonthlyRolling,
        archived: false,
        selling_operator_id: None,
        vat_rate_percent: 25,
    };
    store.insert_plan(&plan).await.unwrap();
    World {
        region,
        hub,
        org: org.id,
        plan,
    }
}

/// A member holding a seat since long before any check-in; (person, seat).
async fn member(store: &dyn Store, w: &World, email: &str) -> (Uuid, Uuid) {
    let p = person(email, Some(w.org));
    store.insert_person(&p).await.unwrap();
    let s = Seat {
        id: new_id(),
        plan_id: w.plan.id,
        organisation_id: w.org,
        start_date: NaiveDate::from_ymd_opt(2020, 1, 1).unwrap(),
        end_date: None,
        created_at: Utc.with_ymd_and_hms(2020, 1, 1, 8, 0, 0).unwrap(),
        selling_operator_id: None,
    };
    store.insert_seats(std::slice::from_ref(&s)).await.unwrap();
    store
        .assign_seat(
            s.id,
            Some(p.id),
            Utc.with_ymd_and_hms(2020, 1, 1, 8, 0, 0).unwrap(),
        )
        .await
        .unwrap();
    (p.id, s.id)
}

fn event(kind: WebhookEvent, at: DateTime<Utc>) -> OutboundEvent {
    OutboundEvent {
        event: kind,
        payload: format!(r#"{{"event":"{}","id":"{}"}}"#, kind.key(), new_id()),
        at,
    }
}

/// A check-in at `at`, ended `hours` later unless `None`.
async fn visit(
    store: &dyn Store,
    w: &World,
    who: (Uuid, Uuid),
    at: DateTime<Utc>,
    hours: Option<i64>,
) -> CheckIn {
    let c = arrive(store, w, who, at).await;
    match hours {
        Some(h) => leave(store, &c, h).await,
        None => c,
    }
}

/// Ends a check-in `hours` after it began.
async fn leave(store: &dyn Store, c: &CheckIn, hours: i64) -> CheckIn {
    let out = c.checked_in_at + Duration::hours(hours);
    store
        .checkout(c.id, out, false, &event(WebhookEvent::CheckOut, out))
        .await
        .unwrap()
}

/// An open check-in at `at`.
async fn arrive(store: &dyn Store, w: &World, who: (Uuid, Uuid), at: DateTime<Utc>) -> CheckIn {
    let c = CheckIn {
        id: new_id(),
        person_id: who.0,
        hub_id: w.hub.id,
        seat_id: who.1,
        method: CheckInMethod::Scan,
        checked_in_at: at,
        checked_out_at: None,
        auto_closed: false,
    };
    store
        .insert_checkin(&c, &event(WebhookEvent::CheckIn, at))
        .await
        .unwrap();
    c
}

async fn add_guest(store: &dyn Store, w: &World, host: &CheckIn, first: &str) -> GuestVisit {
    let g = GuestVisit {
        id: new_id(),
        host_checkin_id: host.id,
        host_person_id: host.person_id,
        hub_id: host.hub_id,
        first_name: first.into(),
        last_name: "Gästsson".into(),
        organisation_id: w.org,
        arrived_at: host.checked_in_at + Duration::minutes(30),
        left_at: None,
    };
    store
        .insert_guest_visit(&g, 2, &event(WebhookEvent::Guest, g.arrived_at))
        .await
        .unwrap();
    g
}

/// The access summary of the 30 days up to `today`, as the hub page and
/// the API read it.
async fn summary(store: &dyn Store, w: &World, today: NaiveDate) -> AccessSummary {
    let at = Utc.from_utc_datetime(&today.and_hms_opt(12, 0, 0).unwrap());
    store
        .access_summary(w.hub.id, w.region.id, today, at, today - Duration::days(29))
        .await
        .unwrap()
}

fn date(y: i32, m: u32, d: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(y, m, d).unwrap()
}

/// Applying `policy` again reduces nothing: each kind's reduction is
/// idempotent.
async fn reduces_nothing_more(store: &dyn Store, policy: &RetentionPolicy) {
    assert_eq!(
        store.apply_retention(policy, now()).await.unwrap(),
        RetentionCounts::default()
    );
}

/// A door system's webhook hearing check-ins, registered long ago.
async fn door_hook(store: &dyn Store) -> Webhook {
    let hook = Webhook {
        id: new_id(),
        url: "https://dorr.example.se/hook".into(),
        events: vec![WebhookEvent::CheckIn],
        secret: "hemligt".into(),
        active: true,
        created_at: days_ago(400),
    };
    store.insert_webhook(&hook).await.unwrap();
    hook
}

/// A one-hour visit `days` ago and the one delivery it queued, claimed
/// then; the delivery's id.
async fn delivery_of_a_visit(store: &dyn Store, w: &World, who: (Uuid, Uuid), days: i64) -> Uuid {
    let _ = visit(store, w, who, days_ago(days), Some(1)).await;
    let claimed = store
        .claim_deliveries(days_ago(days), Duration::minutes(5), 10)
        .await
        .unwrap();
    assert_eq!(claimed.len(), 1);
    claimed[0].delivery.id
}

async fn session_lives(store: &dyn Store, hash: &str) -> bool {
    store.session_person(hash, now()).await.unwrap().is_some()
}

/// The ids of `person`'s API tokens, sorted.
async fn token_ids(store: &dyn Store, person: Uuid) -> Vec<Uuid> {
    let mut ids: Vec<Uuid> = store
        .list_api_tokens(person)
        .await
        .unwrap()
        .into_iter()
        .map(|t| t.id)
        .collect();
    ids.sort();
    ids
}

pub async fn the_policy_defaults_round_trips_and_runs_are_claimed_once(store: &dyn Store) {
    assert_eq!(
        store.retention_policy().await.unwrap(),
        RetentionPolicy::default()
    );
    let p = RetentionPolicy {
        checkin_days: 730,
        guest_name_days: 7,
        email_days: 30,
        webhook_days: 14,
        session_days: 0,
        sign_in_failure_days: 2,
    };
    store.set_retention_policy(&p).await.unwrap();
    assert_eq!(store.retention_policy().await.unwrap(), p);

    assert_eq!(store.last_retention_run().await.unwrap(), None);
    let t0 = now();
    assert!(store
        .claim_retention_run(t0, t0 - Duration::hours(1))
        .await
        .unwrap());
    assert_eq!(store.last_retention_run().await.unwrap(), Some(t0));
    // Another process a minute later finds the hour taken.
    let t1 = t0 + Duration::minutes(1);
    assert!(!store
        .claim_retention_run(t1, t1 - Duration::hours(1))
        .await
        .unwrap());
    assert_eq!(store.last_retention_run().await.unwrap(), Some(t0));
    // An hour later it is free again.
    let t2 = t0 + Duration::hours(1);
    assert!(store
        .claim_retention_run(t2, t2 - Duration::hours(1))
        .await
        .unwrap());
    assert_eq!(store.last_retention_run().await.unwrap(), Some(t2));
}

pub async fn old_checkins_are_reduced_and_the_statistics_stay(store: &dyn Store) {
    let w = world(store).await;
    let anna = member(store, &w, "anna@example.se").await;
    let bo = member(store, &w, "bo@example.se").await;
    let policy = RetentionPolicy::default();
    let limit = policy.checkin_days;

    // January 2025, long past the limit: two visits, one with a guest.
    let old_a = arrive(
        store,
        &w,
        anna,
        Utc.with_ymd_and_hms(2025, 1, 13, 8, 0, 0).unwrap(),
    )
    .await;
    let old_guest = add_guest(store, &w, &old_a, "Greta").await;
    let old_a = leave(store, &old_a, 8).await;
    let old_b = visit(
        store,
        &w,
        bo,
        Utc.with_ymd_and_hms(2025, 1, 14, 8, 0, 0).unwrap(),
        Some(3),
    )
    .await;
    // Just inside the limit, and recent: kept whole.
    let edge = visit(store, &w, anna, days_ago(limit - 1), Some(2)).await;
    let recent = arrive(store, &w, anna, days_ago(3)).await;
    let recent_guest = add_guest(store, &w, &recent, "Gösta").await;
    let recent = leave(store, &recent, 2).await;
    // Bo is still checked in: an open check-in is never reduced.
    let open = visit(store, &w, bo, now() - Duration::hours(2), None).await;

    let january = summary(store, &w, date(2025, 1, 31)).await;
    assert_eq!(january.visits_last_30_days, 2);
    assert_eq!(january.guest_visits_last_30_days, 1);
    let current = summary(store, &w, date(2026, 11, 23)).await;

    let counts = store.apply_retention(&policy, now()).await.unwrap();
    assert_eq!(counts.checkins, 2);
    assert_eq!(counts.guest_visits, 1);

    for gone in [&old_a, &old_b] {
        assert!(matches!(
            store.get_checkin(gone.id).await,
            Err(StoreError::NotFound)
        ));
    }
    assert!(store.list_guests(old_a.id).await.unwrap().is_empty());
    assert!(!old_guest.first_name.is_empty());
    for kept in [&edge, &recent, &open] {
        assert_eq!(&store.get_checkin(kept.id).await.unwrap(), kept);
    }
    assert_eq!(
        store.list_guests(recent.id).await.unwrap(),
        vec![GuestVisit {
            left_at: recent.checked_out_at,
            ..recent_guest
        }]
    );
    let history = store.list_checkins_of(anna.0, 100).await.unwrap();
    assert_eq!(
        history.iter().map(|c| c.id).collect::<Vec<_>>(),
        vec![recent.id, edge.id]
    );

    // The statistics of the old period and of today are what they were.
    assert_eq!(summary(store, &w, date(2025, 1, 31)).await, january);
    assert_eq!(summary(store, &w, date(2026, 11, 23)).await, current);

    reduces_nothing_more(store, &policy).await;
}

pub async fn guest_names_are_erased_after_their_limit_and_still_counted(store: &dyn Store) {
    let w = world(store).await;
    let anna = member(store, &w, "anna@example.se").await;
    let policy = RetentionPolicy::default();
    let host_old = arrive(store, &w, anna, days_ago(40)).await;
    let g_old = add_guest(store, &w, &host_old, "Greta").await;
    leave(store, &host_old, 8).await;
    let host_new = arrive(store, &w, anna, days_ago(10)).await;
    let g_new = add_guest(store, &w, &host_new, "Gösta").await;
    leave(store, &host_new, 8).await;
    let before = summary(store, &w, days_ago(0).date_naive()).await;
    let before_old = summary(store, &w, days_ago(40).date_naive()).await;

    let counts = store.apply_retention(&policy, now()).await.unwrap();
    assert_eq!(
        counts,
        RetentionCounts {
            guest_names: 1,
            ..RetentionCounts::default()
        }
    );
    let old = store.list_guests(host_old.id).await.unwrap();
    assert_eq!(old.len(), 1);
    assert_eq!(old[0].id, g_old.id);
    assert_eq!(old[0].first_name, ERASED_GUEST_NAME);
    assert_eq!(old[0].last_name, "");
    assert_eq!(old[0].organisation_id, g_old.organisation_id);
    assert_eq!(old[0].arrived_at, g_old.arrived_at);
    let new = store.list_guests(host_new.id).await.unwrap();
    assert_eq!(new[0].first_name, g_new.first_name);
    assert_eq!(new[0].last_name, g_new.last_name);
    assert_eq!(summary(store, &w, days_ago(0).date_naive()).await, before);
    assert_eq!(
        summary(store, &w, days_ago(40).date_naive()).await,
        before_old
    );

    reduces_nothing_more(store, &policy).await;
}

fn email(
    to: &str,
    created: DateTime<Utc>,
    sent: Option<DateTime<Utc>>,
    failed: bool,
) -> OutgoingEmail {
    OutgoingEmail {
        id: new_id(),
        to_address: to.into(),
        subject: format!("Bokning för {to}"),
        body: format!("Hej {to}, din bokning är klar."),
        created_at: created,
        sent_at: sent,
        attempts: if failed { 10 } else { 1 },
        last_error: failed.then(|| format!("550 no such user {to}")),
        failed,
    }
}

pub async fn sent_emails_lose_address_and_text_and_unsent_ones_are_untouched(store: &dyn Store) {
    let policy = RetentionPolicy::default();
    let old_sent = email("a@example.se", days_ago(100), Some(days_ago(99)), false);
    let old_failed = email("b@example.se", days_ago(100), None, true);
    // Queued long ago and still waiting (a mail server down for months).
    let old_unsent = email("c@example.se", days_ago(100), None, false);
    let recent_sent = email("d@example.se", days_ago(89), Some(days_ago(89)), false);
    for e in [&old_sent, &old_failed, &old_unsent, &recent_sent] {
        store.queue_email(e).await.unwrap();
    }
    let counts = store.apply_retention(&policy, now()).await.unwrap();
    assert_eq!(
        counts,
        RetentionCounts {
            emails: 2,
            ..RetentionCounts::default()
        }
    );
    let all = store.list_emails(100).await.unwrap();
    let find = |id: Uuid| all.iter().find(|e| e.id == id).unwrap().clone();
    for reduced in [&old_sent, &old_failed] {
        assert_eq!(
            find(reduced.id),
            OutgoingEmail {
                to_address: String::new(),
                body: String::new(),
                last_error: None,
                ..(*reduced).clone()
            }
        );
    }
    assert_eq!(find(old_unsent.id), old_unsent);
    assert_eq!(find(recent_sent.id), recent_sent);
    reduces_nothing_more(store, &policy).await;
}

pub async fn finished_webhook_deliveries_lose_their_payload(store: &dyn Store) {
    let w = world(store).await;
    let anna = member(store, &w, "anna@example.se").await;
    let hook = door_hook(store).await;
    let policy = RetentionPolicy {
        checkin_days: 3650,
        ..RetentionPolicy::default()
    };
    // Three check-ins, each with a delivery: delivered 40 days ago,
    // given up on 35 days ago, and delivered yesterday.
    let delivered_old = delivery_of_a_visit(store, &w, anna, 40).await;
    store
        .mark_delivered(delivered_old, days_ago(40))
        .await
        .unwrap();

    let failed_old = delivery_of_a_visit(store, &w, anna, 35).await;
    store
        .mark_attempt_failed(failed_old, "HTTP 500", days_ago(32), true)
        .await
        .unwrap();

    let delivered_new = delivery_of_a_visit(store, &w, anna, 1).await;
    store
        .mark_delivered(delivered_new, days_ago(1))
        .await
        .unwrap();
    let before = store.list_deliveries(Some(hook.id), 10).await.unwrap();
    assert_eq!(before.len(), 3);

    let counts = store.apply_retention(&policy, now()).await.unwrap();
    assert_eq!(
        counts,
        RetentionCounts {
            webhook_payloads: 2,
            ..RetentionCounts::default()
        }
    );
    let after = store.list_deliveries(Some(hook.id), 10).await.unwrap();
    for (b, a) in before.iter().zip(&after) {
        if b.id == delivered_new {
            assert_eq!(a, b);
        } else {
            assert_eq!(a.payload, "");
            assert_eq!(a.last_error, None);
            assert_eq!(a.delivered_at, b.delivered_at);
            assert_eq!(a.failed, b.failed);
            assert_eq!(a.attempts, b.attempts);
            assert_eq!(a.created_at, b.created_at);
            assert_eq!(a.event, b.event);
        }
    }
    assert!(after.iter().any(|d| d.id == failed_old && d.failed));
    reduces_nothing_more(store, &policy).await;
}

pub async fn a_pending_webhook_delivery_keeps_its_payload(store: &dyn Store) {
    let w = world(store).await;
    let anna = member(store, &w, "anna@example.se").await;
    let hook = door_hook(store).await;
    let _ = visit(store, &w, anna, days_ago(40), Some(1)).await;
    let before = store.list_deliveries(Some(hook.id), 10).await.unwrap();
    let policy = RetentionPolicy::default();
    reduces_nothing_more(store, &policy).await;
    assert_eq!(
        store.list_deliveries(Some(hook.id), 10).await.unwrap(),
        before
    );
}

pub async fn expired_sessions_revoked_tokens_and_old_sign_in_failures_go(store: &dyn Store) {
    let w = world(store).await;
    let anna = member(store, &w, "anna@example.se").await;
    let policy = RetentionPolicy::default();
    let session = |hash: &str, expires: DateTime<Utc>| Session {
        id_hash: hash.into(),
        person_id: anna.0,
        created_at: expires - Duration::days(14),
        expires_at: expires,
    };
    store
        .insert_session(&session("gone", days_ago(2)))
        .await
        .unwrap();
    store
        .insert_session(&session("recently-expired", now() - Duration::hours(12)))
        .await
        .unwrap();
    store
        .insert_session(&session("active", now() + Duration::days(13)))
        .await
        .unwrap();
    let token = |name: &str| ApiToken {
        id: new_id(),
        person_id: anna.0,
        name: name.into(),
        token_hash: format!("hash-{name}"),
        created_at: days_ago(30),
        revoked_at: None,
    };
    let (old, fresh, live) = (token("old"), token("fresh"), token("live"));
    for t in [&old, &fresh, &live] {
        store.insert_api_token(t).await.unwrap();
    }
    store
        .revoke_api_token(anna.0, old.id, days_ago(2))
        .await
        .unwrap();
    store
        .revoke_api_token(anna.0, fresh.id, now() - Duration::hours(1))
        .await
        .unwrap();
    let forever = days_ago(3650);
    store
        .record_strikes(&["account:old@example.se".into()], days_ago(2), forever)
        .await
        .unwrap();
    store
        .record_strikes(
            &["account:new@example.se".into()],
            now() - Duration::hours(1),
            forever,
        )
        .await
        .unwrap();

    let counts = store.apply_retention(&policy, now()).await.unwrap();
    assert_eq!(
        counts,
        RetentionCounts {
            sessions: 1,
            api_tokens: 1,
            sign_in_failures: 1,
            ..RetentionCounts::default()
        }
    );
    assert!(session_lives(store, "active").await);
    let mut expected = vec![fresh.id, live.id];
    expected.sort();
    assert_eq!(token_ids(store, anna.0).await, expected);
    assert!(store
        .strikes("account:old@example.se", forever)
        .await
        .unwrap()
        .is_none());
    assert!(store
        .strikes("account:new@example.se", forever)
        .await
        .unwrap()
        .is_some());

    // At once (0 days): the session that expired 12 hours ago and the
    // token revoked an hour ago go too; the live ones stay.
    let at_once = RetentionPolicy {
        session_days: 0,
        ..policy
    };
    assert_eq!(
        store.apply_retention(&at_once, now()).await.unwrap(),
        RetentionCounts {
            sessions: 1,
            api_tokens: 1,
            ..RetentionCounts::default()
        }
    );
    assert!(session_lives(store, "active").await);
    assert_eq!(token_ids(store, anna.0).await, vec![live.id]);
    reduces_nothing_more(store, &at_once).await;
}

/// One-time links go `session_days` after they were used or revoked, and
/// password resets also after they ran out; an invitation that ran out
/// unused stays (the lists say "expired" from it). Single sign-ons under
/// way go once run out.
pub async fn finished_sign_in_links_and_lapsed_single_sign_ons_go(store: &dyn Store) {
    let w = world(store).await;
    let policy = RetentionPolicy::default();
    // One person per link: a new link revokes the person's earlier ones.
    let link =
        |person_id: Uuid, kind: TokenKind, name: &str, expires: DateTime<Utc>| OneTimeToken {
            id: new_id(),
            kind,
            person_id,
            token_hash: format!("hash-{name}"),
            created_by: None,
            created_at: days_ago(20),
            expires_at: expires,
            used_at: None,
            revoked_at: None,
        };
    let (invitation, reset) = (TokenKind::Invitation, TokenKind::PasswordReset);
    let mut issued = Vec::new();
    for (name, kind, expires) in [
        ("reset-ran-out", reset, days_ago(2)),
        ("used", invitation, now() + Duration::days(5)),
        ("revoked", invitation, now() + Duration::days(5)),
        ("reset-ran-out-lately", reset, now() - Duration::hours(12)),
        ("invitation-ran-out", invitation, days_ago(2)),
        ("live", invitation, now() + Duration::days(5)),
    ] {
        let (person, _) = member(store, &w, &format!("{name}@example.se")).await;
        let t = link(person, kind, name, expires);
        store.issue_token(&t).await.unwrap();
        issued.push(t);
    }
    store
        .take_token(invitation, "hash-used", days_ago(3), "pw-hash")
        .await
        .unwrap()
        .unwrap();
    store
        .revoke_tokens(issued[2].person_id, invitation, days_ago(2))
        .await
        .unwrap();
    let p = super::sso::provider(store, "212000-0142", &["example.se"]).await;
    let under_way = |hash: &str, expires: DateTime<Utc>| SsoFlow {
        created_at: expires - Duration::minutes(10),
        expires_at: expires,
        ..super::sso::flow(p.id, hash)
    };
    // (The one going on first: starting a sign-in forgets those that ran
    // out a day before it began.)
    store
        .start_flow(&under_way("going-on", now() + Duration::minutes(5)))
        .await
        .unwrap();
    store
        .start_flow(&under_way("lapsed", days_ago(2)))
        .await
        .unwrap();
    let exists = |t: &OneTimeToken| {
        let (kind, hash) = (t.kind, t.token_hash.clone());
        async move { store.find_token(kind, &hash).await.unwrap().is_some() }
    };

    assert_eq!(
        store.apply_retention(&policy, now()).await.unwrap(),
        RetentionCounts {
            sign_in_links: 4,
            ..RetentionCounts::default()
        }
    );
    let names: Vec<&str> = issued.iter().map(|t| t.token_hash.as_str()).collect();
    for (t, name) in issued.iter().zip(&names) {
        let kept = matches!(
            *name,
            "hash-reset-ran-out-lately" | "hash-invitation-ran-out" | "hash-live"
        );
        assert_eq!(exists(t).await, kept, "{name}");
    }
    // The lapsed sign-in is gone; the one going on can still be taken.
    assert!(!matches!(
        store.take_flow("lapsed", now()).await,
        Ok(Err(Unusable::Expired))
    ));
    assert!(store.take_flow("going-on", now()).await.unwrap().is_ok());

    // At once (0 days): the reset that ran out 12 hours ago goes too.
    let at_once = RetentionPolicy {
        session_days: 0,
        ..policy
    };
    assert_eq!(
        store.apply_retention(&at_once, now()).await.unwrap(),
        RetentionCounts {
            sign_in_links: 1,
            ..RetentionCounts::default()
        }
    );
    assert!(!exists(&issued[3]).await);
    assert!(exists(&issued[4]).await && exists(&issued[5]).await);
    reduces_nothing_more(store, &at_once).await;
}
