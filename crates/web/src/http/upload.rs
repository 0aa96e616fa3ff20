//! Forms that may carry a file: urlencoded, or `multipart/form-data` when
//! a file is uploaded (the bulk list of staff, a bank file), read whole and
//! checked for the CSRF token like every other form.

use crate::http::auth::csrf_matches;
use crate::http::error::{AppError, AppResult};
use crate::http::page::Page;
use axum::http::header::CONTENT_TYPE;
use axum::http::HeaderMap;

/// The form's fields, urlencoded or `multipart/form-data` (the upload),
/// after checking the CSRF token.
pub fn read_form(
    page: &Page,
    headers: &HeaderMap,
    body: &[u8],
) -> AppResult<Vec<(String, Vec<u8>)>> {
    let kind = headers
        .get(CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("");
    let unreadable = || AppError::bad_request("invalid_form", "the form could not be read");
    let fields: Vec<(String, Vec<u8>)> =
        if kind.to_ascii_lowercase().starts_with("multipart/form-data") {
            multipart(kind, body).ok_or_else(unreadable)?
        } else {
            serde_urlencoded::from_bytes::<Vec<(String, String)>>(body)
                .map_err(|_| unreadable())?
                .into_iter()
                .map(|(k, v)| (k, v.into_bytes()))
                .collect()
        };
    let csrf = fields
        .iter()
        .find(|(k, _)| k == "_csrf")
        .and_then(|(_, v)| std::str::from_utf8(v).ok())
        .unwrap_or("");
    if !csrf_matches(&page.csrf, csrf) {
        return Err(AppError::bad_request(
            "invalid_csrf",
            "the form was too old or came from another site; reload the page and try again",
        ));
    }
    Ok(fields)
}

/// The parts of a `multipart/form-data` body (RFC 7578) by name, each as
/// sent; `None` if it is not one. The form has three small fields and a
/// file, so a plain reading of the whole (size-limited) body does.
fn multipart(content_type: &str, body: &[u8]) -> Option<Vec<(String, Vec<u8>)>> {
    let boundary = content_type
        .split(';')
        .find_map(|p| p.trim().strip_prefix("boundary="))?
        .trim_matches('"');
    if boundary.is_empty() {
        return None;
    }
    let delimiter = format!("--{boundary}").into_bytes();
    let mut out = Vec::new();
    let mut rest = &body[find(body, &delimiter)? + delimiter.len()..];
    loop {
        if rest.starts_with(b"--") {
            return Some(out);
        }
        rest = rest.strip_prefix(b"\r\n")?;
        let end = find(rest, &delimiter)?;
        let part = &rest[..end];
        rest = &rest[end + delimiter.len()..];
        let split = find(part, b"\r\n\r\n")?;
        let head = std::str::from_utf8(&part[..split]).ok()?;
        let content = &part[split + 4..];
        let content = content.strip_suffix(b"\r\n").unwrap_or(content);
        let name = head
            .split("\r\n")
            .find(|l| l.to_ascii_lowercase().starts_with("content-disposition:"))?
            .split(';')
            .find_map(|p| p.trim().strip_prefix("name="))?
            .trim_matches('"');
        out.push((name.to_string(), content.to_vec()));
    }
}

fn find(haystack: &[u8], needle: &[u8]) -> Option<usize> {
    haystack.windows(needle.len()).position(|w| w == needle)
}

/// The text field or uploaded file `name` of a read form, if sent.
pub fn field<'a>(fields: &'a [(String, Vec<u8>)], name: &str) -> Option<&'a [u8]> {
    fields
        .iter()
        .find(|(k, _)| k == name)
        .map(|(_, v)| v.as_slice())
}

#[cfg(test)]
mod tests {
    use super::multipart;

    #[test]
    fn a_multipart_form_is_read_by_name() {
        let body = b"--XyZ\r\nContent-Disposition: form-data; name=\"_csrf\"\r\n\r\nabc\r\n--XyZ\r\nContent-Disposition: form-data; name=\"file\"; filename=\"a.csv\"\r\nContent-Type: text/csv\r\n\r\nAnna;Berg;a@b.se\r\nBo;Ek;b@b.se\r\n\r\n--XyZ--\r\n";
        let parts = multipart("multipart/form-data; boundary=XyZ", body).unwrap();
        assert_eq!(parts[0], ("_csrf".into(), b"abc".to_vec()));
        assert_eq!(parts[1].0, "file");
        assert_eq!(parts[1].1, b"Anna;Berg;a@b.se\r\nBo;Ek;b@b.se\r\n".to_vec());
        assert!(multipart("multipart/form-data", body).is_none());
    }
}
