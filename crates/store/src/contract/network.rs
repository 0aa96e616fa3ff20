//! The contract of [`crate::NetworkStore`]: regions, municipalities,
//! operators, hubs, zones and rooms.

use super::{person, region, seed_hub};
use crate::{Store, StoreError};
use thirdplace_domain::*;

pub async fn regions_round_trip(store: &dyn Store) {
    let mut r = region("08");
    store.insert_region(&r).await.unwrap();
    assert_eq!(store.get_region(r.id).await.unwrap(), r);
    r.name = "Region Kalmar län".into();
    r.archived = true;
    store.update_region(&r).await.unwrap();
    assert_eq!(store.list_regions().await.unwrap(), vec![r]);
}

pub async fn taken_region_code_is_a_conflict(store: &dyn Store) {
    store.insert_region(&region("08")).await.unwrap();
    match store.insert_region(&region("08")).await {
        Err(StoreError::Conflict(field)) => assert_eq!(field, "code"),
        other => panic!("expected a conflict, got {other:?}"),
    }
    assert_eq!(store.list_regions().await.unwrap().len(), 1);
}

pub async fn updating_an_unknown_id_is_not_found(store: &dyn Store) {
    assert!(matches!(
        store.update_region(&region("01")).await,
        Err(StoreError::NotFound)
    ));
    assert!(matches!(
        store.get_hub(new_id()).await,
        Err(StoreError::NotFound)
    ));
    assert!(matches!(
        store.get_person(new_id()).await,
        Err(StoreError::NotFound)
    ));
    assert!(matches!(
        store.update_person(&person("x@y.se", None)).await,
        Err(StoreError::NotFound)
    ));
}

pub async fn municipality_must_refer_to_a_region(store: &dyn Store) {
    let m = Municipality {
        id: new_id(),
        region_id: new_id(),
        name: "Emmaboda kommun".into(),
        code: "0862".into(),
        central_town: "Emmaboda".into(),
        archived: false,
    };
    match store.insert_municipality(&m).await {
        Err(StoreError::Reference(field)) => assert_eq!(field, "region_id"),
        other => panic!("expected a reference error, got {other:?}"),
    }
    assert!(store.list_municipalities().await.unwrap().is_empty());
}

pub async fn hubs_round_trip_with_hours_and_listing_names(store: &dyn Store) {
    let (r, m, o, mut h) = seed_hub(store).await;
    let listing = store.get_hub(h.id).await.unwrap();
    assert_eq!(listing.hub, h);
    assert_eq!(listing.municipality_name, m.name);
    assert_eq!(listing.central_town, "Oskarshamn");
    assert_eq!(listing.region_id, r.id);
    assert_eq!(listing.region_name, r.name);
    assert_eq!(listing.operator_name, o.name);
    h.opening_hours.weekly[5] = OpeningHours::parse_day("10:00-14:00").unwrap();
    h.in_central_town = true;
    store.update_hub(&h).await.unwrap();
    let all = store.list_hubs().await.unwrap();
    assert_eq!(all.len(), 1);
    assert_eq!(all[0].hub, h);
    // Read again after any part of the listing changed, it shows the change
    // at once (a backend that keeps hubs in memory must forget them).
    assert_eq!(store.get_hub(h.id).await.unwrap().hub, h);
    let m2 = Municipality {
        name: format!("{} (renamed)", m.name),
        ..m.clone()
    };
    store.update_municipality(&m2).await.unwrap();
    let r2 = Region {
        name: format!("{} (renamed)", r.name),
        ..r.clone()
    };
    store.update_region(&r2).await.unwrap();
    let o2 = Operator {
        name: format!("{} (renamed)", o.name),
        ..o.clone()
    };
    store.update_operator(&o2).await.unwrap();
    let again = store.get_hub(h.id).await.unwrap();
    assert_eq!(again.municipality_name, m2.name);
    assert_eq!(again.region_name, r2.name);
    assert_eq!(again.operator_name, o2.name);
    h.archived = true;
    store.update_hub(&h).await.unwrap();
    assert!(store.get_hub(h.id).await.unwrap().hub.archived);
    let mut bad = h.clone();
    bad.id = new_id();
    bad.operator_id = new_id();
    match store.insert_hub(&bad).await {
        Err(StoreError::Reference(field)) => assert_eq!(field, "operator_id"),
        other => panic!("expected a reference error, got {other:?}"),
    }
}

pub async fn zones_and_rooms_round_trip(store: &dyn Store) {
    let (_, _, _, h) = seed_hub(store).await;
    let mut z = Zone {
        id: new_id(),
        hub_id: h.id,
        name: "Cirkeln".into(),
        purpose: "Dela berättelser".into(),
        capacity: 12,
        archived: false,
    };
    store.insert_zone(&z).await.unwrap();
    z.capacity = 14;
    store.update_zone(&z).await.unwrap();
    assert_eq!(store.list_zones(h.id).await.unwrap(), vec![z.clone()]);
    assert_eq!(store.get_zone(z.id).await.unwrap(), z);
    let room = Room {
        id: new_id(),
        hub_id: h.id,
        name: "Konferensrummet".into(),
        kind: RoomKind::Conference,
        capacity: 16,
        hourly_price_ore: 45_000,
        vat_rate_percent: 25,
        archived: false,
    };
    store.insert_room(&room).await.unwrap();
    assert_eq!(store.list_rooms(h.id).await.unwrap(), vec![room.clone()]);
    assert_eq!(store.get_room(room.id).await.unwrap(), room);
    assert!(store.list_rooms(new_id()).await.unwrap().is_empty());
    let orphan = Zone {
        id: new_id(),
        hub_id: new_id(),
        ..z
    };
    assert!(
        matches!(store.insert_zone(&orphan).await, Err(StoreError::Reference(f)) if f == "hub_id")
    );
}
