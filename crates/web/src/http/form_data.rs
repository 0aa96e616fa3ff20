//! Urlencoded form bodies as ordered key/value pairs, checked for the CSRF
//! token before anything else is read.

use crate::http::auth::csrf_matches;
use crate::http::error::AppError;
use crate::http::page::Page;

pub struct FormData(Vec<(String, String)>);

impl FormData {
    /// Parses a form body and checks its `_csrf` field against the browser's
    /// CSRF cookie.
    pub fn parse(page: &Page, body: &[u8]) -> Result<Self, AppError> {
        let pairs: Vec<(String, String)> = serde_urlencoded::from_bytes(body)
            .map_err(|_| AppError::bad_request("invalid_form", "the form could not be read"))?;
        let form = FormData(pairs);
        if !csrf_matches(&page.csrf, &form.get("_csrf")) {
            return Err(AppError::bad_request(
                "invalid_csrf",
                "the form was too old or came from another site; reload the page and try again",
            ));
        }
        Ok(form)
    }

    /// The first value of a field, or an empty string.
    pub fn get(&self, name: &str) -> String {
        self.0
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.clone())
            .unwrap_or_default()
    }

    /// The struct `T` (a domain `*Input`) read by its field names, each
    /// field as [`FormData::get`] or, for a list, [`FormData::all`] reads it.
    pub fn decode<T: serde::de::DeserializeOwned>(&self) -> Result<T, AppError> {
        crate::http::form_fields::decode(&self.0)
            .map_err(|_| AppError::bad_request("invalid_form", "the form could not be read"))
    }

    /// Every value of a repeated field (checkbox groups).
    pub fn all(&self, name: &str) -> Vec<String> {
        self.0
            .iter()
            .filter(|(k, _)| k == name)
            .map(|(_, v)| v.clone())
            .collect()
    }
}
