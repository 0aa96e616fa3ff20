//! Room bookings as tests make them: through the API, in the fixture's
//! meeting room.

use super::app::TestApp;
use reqwest::StatusCode;
use serde_json::{json, Value};

impl TestApp {
    /// Books the fixture's room from `start` to `end` (RFC 3339) with
    /// `token`; the answer as it comes.
    pub async fn book_room(
        &self,
        token: &str,
        start: &str,
        end: &str,
        title: &str,
    ) -> (StatusCode, Value) {
        let body = json!({"room_id": self.f.room.id, "start": start, "end": end, "title": title});
        self.post_json("/api/v1/bookings", Some(token), &body).await
    }
}

impl TestApp {
    /// The fixture's member, given a seat, books the room on 25 November
    /// 2026 10–11 ("Styrelsemöte"), asserted to succeed: the member's token
    /// and the booking.
    pub async fn member_books_the_board_meeting(&self) -> (String, Value) {
        super::seats::seat_of(&self.f.member).give(self).await;
        let member = self.token_for(&self.f.member).await;
        let (s, v) = self
            .book_room(
                &member,
                "2026-11-25T10:00:00+01:00",
                "2026-11-25T11:00:00+01:00",
                "Styrelsemöte",
            )
            .await;
        assert_eq!(s, StatusCode::CREATED, "{v}");
        (member, v)
    }
}
