//! The HTML side as tests drive it: CSRF tokens, forms, signed-in clients
//! and page text.

use super::app::{new_client, TestApp, PASSWORD};
use reqwest::{Client, Response, StatusCode};
use thirdplace_domain::Person;

impl TestApp {
    /// Posts a `multipart/form-data` form as a browser sends an upload:
    /// (name, file name for a file, content), the CSRF token among them.
    pub async fn post_multipart(
        &self,
        client: &Client,
        path: &str,
        parts: &[(&str, Option<&str>, &str)],
    ) -> Response {
        const BOUNDARY: &str = "----thirdplace-test-7MA4YWxkTrZu0gW";
        let mut body = String::new();
        for (name, file, content) in parts {
            body.push_str(&format!(
                "--{BOUNDARY}\r\nContent-Disposition: form-data; name=\"{name}\""
            ));
            match file {
                Some(f) => body.push_str(&format!(
                    "; filename=\"{f}\"\r\nContent-Type: text/plain\r\n\r\n"
                )),
                None => body.push_str("\r\n\r\n"),
            }
            body.push_str(content);
            body.push_str("\r\n");
        }
        body.push_str(&format!("--{BOUNDARY}--\r\n"));
        client
            .post(self.url(path))
            .header(
                "content-type",
                format!("multipart/form-data; boundary={BOUNDARY}"),
            )
            .body(body)
            .send()
            .await
            .unwrap()
    }

    /// `client`'s view of the page at `path`: status and [`page_text`].
    pub async fn page(&self, client: &Client, path: &str) -> (StatusCode, String) {
        let r = client.get(self.url(path)).send().await.unwrap();
        let s = r.status();
        (s, page_text(r).await)
    }

    /// The HTML `client` gets at `path`, as sent, whatever the status.
    pub async fn html(&self, client: &Client, path: &str) -> String {
        client
            .get(self.url(path))
            .send()
            .await
            .unwrap()
            .text()
            .await
            .unwrap()
    }

    /// The CSRF token the app put into a page's forms.
    pub async fn csrf(&self, client: &Client, path: &str) -> String {
        hidden_csrf(&self.html(client, path).await)
    }

    /// Posts a form with the right CSRF token, using `client`'s cookies.
    pub async fn post_form(
        &self,
        client: &Client,
        path: &str,
        fields: &[(&str, &str)],
    ) -> Response {
        let csrf = self.csrf(client, "/").await;
        let mut all: Vec<(&str, &str)> = vec![("_csrf", &csrf)];
        all.extend_from_slice(fields);
        client.post(self.url(path)).form(&all).send().await.unwrap()
    }

    /// A client signed in as `p`.
    pub async fn signed_in(&self, p: &Person) -> Client {
        let client = new_client();
        let r = self
            .post_form(
                &client,
                "/login",
                &[
                    ("email", p.email.as_str()),
                    ("password", PASSWORD),
                    ("next", "/"),
                ],
            )
            .await;
        assert_eq!(
            r.status(),
            StatusCode::SEE_OTHER,
            "sign-in as {} failed",
            p.email
        );
        client
    }
}

pub fn hidden_csrf(html: &str) -> String {
    let marker = "name=\"_csrf\" value=\"";
    let i = html
        .find(marker)
        .expect("page has a form with a CSRF token")
        + marker.len();
    html[i..i + html[i..].find('"').unwrap()].to_string()
}

/// The page's HTML, with the slashes the template engine escapes in
/// attribute values (`&#x2f;`) read back, so links can be compared.
pub async fn page_text(r: Response) -> String {
    r.text().await.unwrap().replace("&#x2f;", "/")
}

/// Where a redirect goes.
pub fn location(r: &Response) -> String {
    r.headers()["location"].to_str().unwrap().to_string()
}

/// The text of a CSV download, after checking that it is one.
pub async fn csv_text(r: Response) -> String {
    assert_eq!(r.status(), StatusCode::OK);
    assert!(r.headers()["content-type"]
        .to_str()
        .unwrap()
        .starts_with("text/csv"));
    r.text().await.unwrap()
}

/// A JSON download: 200, offered as an attachment; its document.
pub async fn attachment_json(r: Response) -> serde_json::Value {
    assert_eq!(r.status(), StatusCode::OK);
    assert!(r.headers()["content-disposition"]
        .to_str()
        .unwrap()
        .starts_with("attachment;"));
    r.json().await.unwrap()
}
