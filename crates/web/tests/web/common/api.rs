//! The JSON API as tests call it: requests with or without a bearer token,
//! and readers of the one error shape.

use super::app::{Fixture, TestApp};
use reqwest::{Response, StatusCode};
use serde_json::{json, Value};

impl TestApp {
    /// Posts `body` as it is, labelled JSON: for bodies that are not.
    pub async fn post_raw_json(&self, path: &str, token: &str, body: &str) -> Response {
        self.client
            .post(self.url(path))
            .bearer_auth(token)
            .header("content-type", "application/json")
            .body(body.to_string())
            .send()
            .await
            .unwrap()
    }

    pub async fn send_json(
        &self,
        method: reqwest::Method,
        path: &str,
        token: Option<&str>,
        body: &Value,
    ) -> (StatusCode, Value) {
        let mut req = self.client.request(method, self.url(path)).json(body);
        if let Some(t) = token {
            req = req.bearer_auth(t);
        }
        let r = req.send().await.unwrap();
        let s = r.status();
        let text = r.text().await.unwrap();
        (
            s,
            serde_json::from_str(&text).unwrap_or_else(|_| panic!("not JSON ({s}): {text}")),
        )
    }

    pub async fn post_json(
        &self,
        path: &str,
        token: Option<&str>,
        body: &Value,
    ) -> (StatusCode, Value) {
        self.send_json(reqwest::Method::POST, path, token, body)
            .await
    }

    pub async fn put_json(
        &self,
        path: &str,
        token: Option<&str>,
        body: &Value,
    ) -> (StatusCode, Value) {
        self.send_json(reqwest::Method::PUT, path, token, body)
            .await
    }
}

pub fn error_code(v: &Value) -> &str {
    v["error"]["code"]
        .as_str()
        .unwrap_or_else(|| panic!("not the error shape: {v}"))
}

/// The fields a 422 answer names, in its order.
pub fn field_names(v: &Value) -> Vec<&str> {
    v["error"]["fields"]
        .as_array()
        .unwrap_or_else(|| panic!("no field errors: {v}"))
        .iter()
        .map(|f| f["field"].as_str().unwrap())
        .collect()
}

pub fn hub_body(f: &Fixture, name: &str) -> Value {
    json!({
        "municipality_id": f.municipality.id,
        "operator_id": f.operator.id,
        "name": name,
        "description": "Ny hubb i byn.",
        "street_address": "Bygatan 1",
        "postal_code": "57275",
        "city": "Figeholm",
        "latitude": 57.37,
        "longitude": 16.55,
        "in_central_town": false,
        "opening_hours": {"monday": [{"open": "08:00", "close": "17:00"}], "exceptions": [{"date": "2026-12-24", "intervals": [], "note": "Julafton"}]}
    })
}
