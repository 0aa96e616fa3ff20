//! The contract of [`crate::AuditStore`]: entries come back as written,
//! newest first, filtered by person, object and time, and page without gaps
//! or repeats.

use crate::{AuditEntry, AuditFilter, Store};
use chrono::{DateTime, Duration, Utc};
use thirdplace_domain::new_id;
use uuid::Uuid;

fn entry(at: DateTime<Utc>, actor: Option<Uuid>, kind: &str, object: Uuid) -> AuditEntry {
    AuditEntry {
        id: new_id(),
        at,
        actor_id: actor,
        action: format!("{kind}.updated"),
        object_kind: kind.into(),
        object_id: object,
        details: serde_json::json!({ "hourly_price_ore": [30000, 35000], "note": "åäö" }),
    }
}

pub async fn audit_entries_filter_and_page_newest_first(store: &dyn Store) {
    let t0: DateTime<Utc> = "2026-11-23T09:00:00Z".parse().unwrap();
    let (anna, bo, room, plan) = (new_id(), new_id(), new_id(), new_id());
    let mut written = Vec::new();
    for i in 0..7 {
        let (actor, kind, object) = if i % 2 == 0 {
            (Some(anna), "room", room)
        } else {
            (Some(bo), "plan", plan)
        };
        // Two entries share an instant, so that paging must use the id too.
        let at = t0 + Duration::minutes(i.min(5));
        let e = entry(at, actor, kind, object);
        store.append_audit(&e).await.unwrap();
        written.push(e);
    }
    store
        .append_audit(&entry(t0, None, "person", new_id()))
        .await
        .unwrap();
    let all = AuditFilter {
        limit: 100,
        ..AuditFilter::default()
    };
    let listed = store.list_audit(&all).await.unwrap();
    assert_eq!(listed.len(), 8);
    assert!(listed
        .windows(2)
        .all(|w| (w[0].at, w[0].id) > (w[1].at, w[1].id)));
    let first = listed.iter().find(|e| e.id == written[0].id).unwrap();
    assert_eq!(first, &written[0], "an entry comes back as written");

    let by_anna = store
        .list_audit(&AuditFilter {
            actor_id: Some(anna),
            ..all.clone()
        })
        .await
        .unwrap();
    assert_eq!(by_anna.len(), 4);
    let on_plan = store
        .list_audit(&AuditFilter {
            object_id: Some(plan),
            ..all.clone()
        })
        .await
        .unwrap();
    assert!(on_plan.len() == 3 && on_plan.iter().all(|e| e.object_kind == "plan"));
    let rooms = store
        .list_audit(&AuditFilter {
            object_kind: Some("room".into()),
            from: Some(t0 + Duration::minutes(2)),
            to: Some(t0 + Duration::minutes(5)),
            ..all.clone()
        })
        .await
        .unwrap();
    // Rooms at +0, +2, +4 and +5 minutes: +2 is in, +5 is out.
    assert_eq!(rooms.len(), 2, "from is inclusive, to exclusive");

    // Pages of three: every entry once, in order.
    let mut paged = Vec::new();
    let mut before = None;
    loop {
        let page = store
            .list_audit(&AuditFilter {
                before,
                limit: 3,
                ..AuditFilter::default()
            })
            .await
            .unwrap();
        let Some(last) = page.last() else { break };
        before = Some((last.at, last.id));
        paged.extend(page);
    }
    assert_eq!(paged, listed);
}
