//! Demo events: member-driven workshops, talks and meetups in the hubs'
//! activity zones and online over the next three weeks, published, with
//! some sign-ups — so the open calendar, its feeds and the API have
//! something true to life to show.
//!
//! Each event is validated by the domain like a member's proposal; the
//! sign-ups go through the store, which decides confirmed or waitlisted.

use anyhow::{Context, Result};
use chrono::{Duration, NaiveTime, Utc};
use thirdplace_domain::event::{EventInput, EventStatus, Registrant, Registration};
use thirdplace_domain::membership::{local_date, local_instant};
use thirdplace_domain::new_id;
use thirdplace_store::Store;

use crate::demo::{mark_seeded, members_at, members_with_seats, seeded_before};

const SEEDED_KEY: &str = "demo_events_seeded";

/// Title, description, topics, days ahead, start hour, hours long,
/// capacity, visibility, online.
type Spec = (
    &'static str,
    &'static str,
    &'static str,
    i64,
    u32,
    i64,
    i64,
    &'static str,
    bool,
);

const EVENTS: &[Spec] = &[
    ("Frukostseminarium: AI i offentlig förvaltning", "Hur använder kommuner och myndigheter språkmodeller i dag, och vad säger lagen? Tre korta exempel och samtal över frukost.", "AI, digitalisering", 3, 8, 2, 25, "public", false),
    ("Workshop: klarspråk i myndighetstext", "Vi skriver om ett verkligt beslut tillsammans. Ta med en text du vill förbättra.", "klarspråk, kommunikation", 5, 13, 3, 12, "public", false),
    ("Nätverksträff för landsbygdsutvecklare", "Öppen träff för alla som arbetar med lokal utveckling på landsbygden: projekt, finansiering och erfarenheter.", "landsbygd, samverkan", 8, 15, 2, 30, "public", false),
    ("Digital tillgänglighet – så testar du", "Praktisk genomgång av tangentbordstest, skärmläsare och kontrastkontroll enligt WCAG 2.1.", "tillgänglighet, digitalisering", 10, 9, 3, 10, "members_only", false),
    ("Fika och kunskapsdelning: upphandling", "Kort dragning om nya upphandlingsregler, sedan frågor och erfarenhetsutbyte.", "upphandling", 12, 14, 1, 15, "public", true),
    ("Samverkan skola och socialtjänst", "Hur får vi informationsdelningen att fungera i praktiken? Inledning av två handläggare.", "samverkan, välfärd", 16, 10, 2, 20, "members_only", false),
];

/// Seeds the demo events unless that was done before; returns whether it
/// wrote anything.
///
/// # Errors
///
/// A store error, with what it happened on.
pub async fn seed(store: &dyn Store) -> Result<bool> {
    if seeded_before(store, SEEDED_KEY, "demo events").await? {
        return Ok(false);
    }
    let now = Utc::now();
    let today = local_date(now);
    let all_members = members_with_seats(store, now).await?;
    let hubs = store.list_hubs().await.context("listing hubs")?;
    let mut written = 0usize;
    let mut spec = EVENTS.iter().cycle();
    for hub in hubs.iter().filter(|h| !h.hub.archived) {
        let zones = store
            .list_zones(hub.hub.id)
            .await
            .context("listing zones")?;
        let members = members_at(&all_members, hub, today);
        let (Some(zone), Some(organiser)) = (zones.iter().find(|z| !z.archived), members.first())
        else {
            continue;
        };
        for _ in 0..2 {
            let &(title, description, topics, days, hour, hours, capacity, visibility, online) =
                spec.next().expect("a cycle never ends");
            let date = today + Duration::days(days);
            let start = local_instant(date, NaiveTime::from_hms_opt(hour, 0, 0).expect("an hour"));
            let input = EventInput {
                hub_id: hub.hub.id.to_string(),
                venue: if online { "online" } else { "zone" }.into(),
                zone_id: zone.id.to_string(),
                title: title.into(),
                description: description.into(),
                topics: topics.into(),
                start: start.to_rfc3339(),
                end: (start + Duration::hours(hours)).to_rfc3339(),
                capacity: capacity.to_string(),
                visibility: visibility.into(),
                ..EventInput::default()
            };
            let mut event = input
                .validate(new_id(), organiser.id, now)
                .map_err(|e| anyhow::anyhow!("demo event {title:?}: {e}"))?;
            event.status = EventStatus::Published;
            let event = store
                .insert_event(&event, None)
                .await
                .with_context(|| format!("writing the demo event {title:?}"))?;
            written += 1;
            // A few of the hub's members sign up.
            for p in members.iter().skip(1).take((capacity as usize / 3).max(2)) {
                let r =
                    Registration::new(event.id, Registrant::Person { person_id: p.id }, None, now);
                store
                    .register(&r, now)
                    .await
                    .with_context(|| format!("signing up for {title:?}"))?;
            }
        }
    }
    mark_seeded(store, SEEDED_KEY, "demo events").await?;
    tracing::info!(events = written, "seeded the demo events");
    Ok(written > 0)
}

#[cfg(test)]
mod tests {
    use thirdplace_domain::event::EventVisibility;
    use thirdplace_store::EventFilter;

    use crate::test_support::{temp_store, HASH};

    #[tokio::test]
    async fn the_demo_publishes_events_with_sign_ups_once() {
        let (store, _dir) = temp_store().await;
        crate::demo::seed(store.as_ref(), HASH).await.unwrap();
        let all = EventFilter {
            limit: 1000,
            ..EventFilter::default()
        };
        let events = store.list_events(&all).await.unwrap();
        assert!(events.len() >= 6, "only {} demo events", events.len());
        assert!(events
            .iter()
            .any(|e| e.event.visibility == EventVisibility::Public));
        assert!(events.iter().any(|e| e.confirmed > 0), "nobody signed up");
        crate::demo::seed(store.as_ref(), HASH).await.unwrap();
        assert_eq!(store.list_events(&all).await.unwrap().len(), events.len());
    }
}
