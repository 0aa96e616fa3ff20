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
