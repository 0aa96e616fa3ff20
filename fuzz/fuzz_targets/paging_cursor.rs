//! The paging parameters anyone can send to a list of the API: any query
//! string is refused or accepted without a panic, a cursor is accepted only
//! for the list that gave it, and what a list encodes decodes to itself.
#![no_main]
use libfuzzer_sys::fuzz_target;
use thirdplace_web::http::paging::{encode, Paging};
use uuid::Uuid;

fuzz_target!(|data: &[u8]| {
    let text = String::from_utf8_lossy(data);
    // Whatever arrives as the query string: no panic, a limit within bounds,
    // and a `next` link that stays on the list's own path.
    if let Ok(p) = Paging::parse("/api/v1/bookings", Some(&text)) {
        assert!((1..=1000).contains(&p.limit));
        let _ = p.cursor::<(String, Uuid)>("bookings");
        let _ = p.cursor::<i64>("people");
        assert!(p.next_url("cursor", "x").starts_with("/api/v1/bookings?"));
        assert!(p.link("cursor", "x").is_some(), "a Link header for {text:?}");
    }
    // A cursor made by a list comes back as it went in, for that list only.
    if data.len() >= 16 {
        let id = Uuid::from_slice(&data[..16]).unwrap();
        let key = (String::from_utf8_lossy(&data[16..]).into_owned(), id);
        let cursor = encode("bookings", &key);
        let query = format!("limit=5&cursor={cursor}");
        let p = Paging::parse("/api/v1/bookings", Some(&query)).unwrap();
        assert_eq!(p.cursor::<(String, Uuid)>("bookings").unwrap(), Some(key));
        assert!(p.cursor::<(String, Uuid)>("people").is_err());
    }
});
