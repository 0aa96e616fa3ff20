//! Visits and the webhooks that hear of them, through the JSON API.

use super::app::TestApp;
use reqwest::StatusCode;
use serde_json::{json, Value};
use uuid::Uuid;

impl TestApp {
    /// Checks `token`'s person in at `hub`; the answer as it comes.
    pub async fn check_in(&self, token: &str, hub: Uuid) -> (StatusCode, Value) {
        self.post_json("/api/v1/checkins", Some(token), &json!({ "hub_id": hub }))
            .await
    }

    /// Ends the check-in `id` with `token`; the answer as it comes.
    pub async fn check_out(&self, token: &str, id: &str) -> (StatusCode, Value) {
        self.post_json(
            &format!("/api/v1/checkins/{id}/checkout"),
            Some(token),
            &json!({}),
        )
        .await
    }

    /// A whole visit at the fixture's hub: in and out again, both asserted
    /// to succeed; the check-in's id.
    pub async fn visit(&self, token: &str) -> String {
        let (s, v) = self.check_in(token, self.f.hub.id).await;
        assert_eq!(s, StatusCode::CREATED, "{v}");
        let id = v["id"].as_str().unwrap().to_string();
        let (s, v) = self.check_out(token, &id).await;
        assert_eq!(s, StatusCode::OK, "{v}");
        id
    }

    /// Registers a webhook for `url` hearing `events` with `token`; the
    /// answer as it comes.
    pub async fn add_webhook(
        &self,
        token: &str,
        url: &str,
        events: &[&str],
    ) -> (StatusCode, Value) {
        self.post_json(
            "/api/v1/webhooks",
            Some(token),
            &json!({ "url": url, "events": events }),
        )
        .await
    }
}
