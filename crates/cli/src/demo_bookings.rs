//! Demo room bookings: the next two weeks at every hub, booked the way
//! members book — through the web layer's booking service, so the rules,
//! the prices and the included hours are the real ones — and a weekly
//! series for the demo member, so "My bookings" and the hosts' lists have
//! something to show.
//!
//! The times are a deterministic function of the hub, the day and the
//! room, so running the seeding again (after a crash before the marker was
//! written) books the same slots and the database refuses the duplicates.

use anyhow::{Context, Result};
use chrono::{Duration, Utc};
use thirdplace_domain::booking::{open_intervals, Recurrence};
use thirdplace_domain::membership::{local_date, seats_opening};
use thirdplace_domain::{Person, Principal};
use thirdplace_store::Store;

use crate::demo::{mark_seeded, members_at, members_with_seats, seeded_before};
use thirdplace_web::bookings::service::{book_with, Request};

const SEEDED_KEY: &str = "demo_bookings_seeded";
const MEMBER: &str = "member@demo.example";
/// How many days ahead the demo books.
const DAYS: i64 = 14;

const TITLES: &[&str] = &[
    "Veckomöte",
    "Handledning",
    "Workshop: digital tillgänglighet",
    "Projektmöte VA-planen",
    "Samverkan skola och socialtjänst",
    "Rekryteringsintervju",
    "Styrgruppsmöte",
    "Planeringsdag",
    "Möte med företagare",
    "Utbildning i upphandling",
];

/// Books the demo's rooms unless that was done before; returns whether it
/// wrote anything.
///
/// # Errors
///
/// A store error other than a refused booking.
pub async fn seed(store: &dyn Store) -> Result<bool> {
    if seeded_before(store, SEEDED_KEY, "demo bookings").await? {
        return Ok(false);
    }
    let now = Utc::now();
    let today = local_date(now);
    let members = members_with_seats(store, now).await?;
    let mut booked = 0usize;
    let hubs = store.list_hubs().await.context("listing hubs")?;
    for (hi, hub) in hubs.iter().filter(|h| !h.hub.archived).enumerate() {
        let rooms: Vec<_> = store
            .list_rooms(hub.hub.id)
            .await
            .context("listing rooms")?
            .into_iter()
            .filter(|r| !r.archived)
            .collect();
        let bookers = members_at(&members, hub, today);
        if rooms.is_empty() || bookers.is_empty() {
            continue;
        }
        for d in 1..=DAYS {
            let date = today + Duration::days(d);
            let Some(&(open, close)) = open_intervals(&hub.hub.opening_hours, date).first() else {
                continue;
            };
            let d = d as usize;
            for j in 0..1 + (hi + d) % 3 {
                let room = &rooms[(hi + d + j) % rooms.len()];
                let length = Duration::minutes([60, 90, 120][(hi + j + d) % 3]);
                let room_hours = ((close - open - length).num_minutes() / 60).max(0);
                let offset = Duration::hours(((hi * 7 + d * 3 + j * 2) as i64) % (room_hours + 1));
                let start = open + offset;
                let booker = bookers[(d + j) % bookers.len()];
                let req = Request {
                    room_id: room.id,
                    start,
                    end: start + length,
                    title: TITLES[(hi + 2 * d + j) % TITLES.len()].into(),
                    organisation_id: None,
                    recurrence: None,
                };
                booked += try_book(store, booker, &req).await?;
            }
        }
    }

    // The demo member's own: a meeting the day after tomorrow and a weekly
    // series at a hub their membership opens.
    if let Some((member, held)) = members.iter().find(|(p, _)| p.email == MEMBER) {
        let home = hubs.iter().find(|h| {
            !h.hub.archived && !seats_opening(held, h.hub.id, h.region_id, today).is_empty()
        });
        if let Some(hub) = home {
            let rooms = store
                .list_rooms(hub.hub.id)
                .await
                .context("listing rooms")?;
            if let Some(room) = rooms.iter().rev().find(|r| !r.archived) {
                for (d, title, recurrence) in [
                    (2, "Avstämning med chefen", None),
                    (
                        3,
                        "Veckomöte med teamet",
                        Some(Recurrence {
                            every_weeks: 1,
                            count: Some(6),
                            until: None,
                        }),
                    ),
                ] {
                    let date = today + Duration::days(d);
                    let Some(&(open, _)) = open_intervals(&hub.hub.opening_hours, date).first()
                    else {
                        continue;
                    };
                    let req = Request {
                        room_id: room.id,
                        start: open + Duration::minutes(60 * 5 + 30),
                        end: open + Duration::minutes(60 * 6 + 30),
                        title: title.into(),
                        organisation_id: None,
                        recurrence,
                    };
                    booked += try_book(store, member, &req).await?;
                }
            }
        }
    }
    mark_seeded(store, SEEDED_KEY, "demo bookings").await?;
    tracing::info!(bookings = booked, "seeded the demo bookings");
    Ok(booked > 0)
}

/// Books (the free occurrences of) a request; a refusal is no error here,
/// since a demo hub may be closed or the slot taken.
async fn try_book(store: &dyn Store, who: &Person, req: &Request) -> Result<usize> {
    let p = Principal::from_person(who);
    match book_with(store, Utc::now(), &p, req, true, &Default::default()).await {
        Ok(made) => Ok(made.bookings.len()),
        Err(thirdplace_web::AppError::Internal(e)) => {
            Err(anyhow::anyhow!(e).context("booking a demo room"))
        }
        Err(refused) => {
            tracing::debug!(error = %refused, "a demo booking was refused");
            Ok(0)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use thirdplace_store::BookingFilter;

    use crate::test_support::{temp_store, HASH};

    #[tokio::test]
    async fn the_demo_books_rooms_at_its_hubs_and_a_series_for_the_member_once() {
        let (store, _dir) = temp_store().await;
        assert!(crate::demo::seed(store.as_ref(), HASH).await.unwrap());
        let all = BookingFilter {
            limit: 10_000,
            ..BookingFilter::default()
        };
        let bookings = store.list_bookings(&all).await.unwrap();
        let hubs: std::collections::HashSet<_> =
            bookings.iter().map(|b| b.booking.hub_id).collect();
        assert!(
            bookings.len() >= 40,
            "only {} demo bookings",
            bookings.len()
        );
        assert!(hubs.len() >= 3, "bookings at {} hubs", hubs.len());
        // Some use included hours, some are billed.
        assert!(bookings
            .iter()
            .any(|b| b.booking.price.included_minutes > 0));
        assert!(bookings.iter().any(|b| b.booking.price.total_ore > 0));
        let member = store.find_person_by_email(MEMBER).await.unwrap().unwrap();
        let mine: Vec<_> = bookings
            .iter()
            .filter(|b| b.booking.booker_id == member.id)
            .collect();
        assert!(
            mine.iter()
                .filter(|b| b.booking.series_id.is_some())
                .count()
                >= 4,
            "{mine:?}"
        );

        // A second run writes nothing more.
        crate::demo::seed(store.as_ref(), HASH).await.unwrap();
        assert_eq!(
            store.list_bookings(&all).await.unwrap().len(),
            bookings.len()
        );
    }
}
