//! Bounded, trimmed text and e-mail addresses.

use crate::checked::{Check, Checked};
use crate::error::{invalid, FieldError};
use serde::{Deserialize, Serialize};

/// Trimmed text of 1..=max characters (or 0..=max when optional text is
/// parsed with [`Text::parse_optional`]).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(transparent)]
pub struct Text(String);

impl Text {
    pub fn parse(raw: &str, max: usize) -> Result<Self, FieldError> {
        let t = raw.trim();
        if t.is_empty() {
            return Err(invalid("required", "must not be empty"));
        }
        Self::bounded(t, max)
    }

    /// Empty input is allowed and gives an empty text.
    pub fn parse_optional(raw: &str, max: usize) -> Result<Self, FieldError> {
        Self::bounded(raw.trim(), max)
    }

    fn bounded(t: &str, max: usize) -> Result<Self, FieldError> {
        if t.chars().count() > max {
            return Err(invalid(
                "too_long",
                format!("must be at most {max} characters"),
            ));
        }
        if t.chars()
            .any(|c| c.is_control() && c != '\n' && c != '\r' && c != '\t')
        {
            return Err(invalid(
                "control_characters",
                "must not contain control characters",
            ));
        }
        if has_bidi_override(t) {
            return Err(bidi_override());
        }
        Ok(Self(t.to_string()))
    }

    /// For values read back from our own database.
    pub fn from_trusted(s: String) -> Self {
        Self(s)
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }

    pub fn into_string(self) -> String {
        self.0
    }
}

impl std::fmt::Display for Text {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

/// Whether `s` holds a character that overrides or isolates the direction
/// of text (U+202A–U+202E, U+2066–U+2069). In a name or title they make
/// what people see differ from what is stored — `Faktura` + U+202E +
/// `fdp.exe` shows as `Fakturaexe.pdf` — and they spill into the text around them on a
/// page, in a list or a CSV file, so they are refused.
pub fn has_bidi_override(s: &str) -> bool {
    s.chars()
        .any(|c| matches!(c, '\u{202A}'..='\u{202E}' | '\u{2066}'..='\u{2069}'))
}

/// The field error for [`has_bidi_override`].
pub fn bidi_override() -> FieldError {
    invalid(
        "bidi_override",
        "must not contain characters that change the direction of the text (U+202A–U+202E, U+2066–U+2069)",
    )
}

/// An e-mail address, lower-cased. The check is deliberately modest (one
/// `@`, a dotted domain, no spaces): the only real test of an address is
/// mail reaching it.
///
/// Serialised as the plain address string; deserialising parses again. Only
/// [`Email::from_stored`] makes one without the check.
pub type Email = Checked<EmailCheck>;

/// The check behind [`Email`].
pub enum EmailCheck {}

impl Check for EmailCheck {
    const NAME: &'static str = "Email";

    fn check(raw: &str) -> Result<String, FieldError> {
        let e = raw.trim().to_lowercase();
        if e.is_empty() {
            return Err(invalid("required", "must not be empty"));
        }
        if e.len() > 254 {
            return Err(invalid("too_long", "must be at most 254 characters"));
        }
        let bad = || {
            invalid(
                "invalid_email",
                "is not an e-mail address (name@example.se)",
            )
        };
        let (local, domain) = e.split_once('@').ok_or_else(bad)?;
        if local.is_empty()
            || domain.contains('@')
            || !domain.contains('.')
            || domain.starts_with('.')
            || domain.ends_with('.')
            || domain.contains("..")
            || e.chars()
                .any(|c| c.is_whitespace() || c.is_control() || c == '<' || c == '>' || c == ',')
        {
            return Err(bad());
        }
        Ok(e)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn text_is_trimmed_and_bounded() {
        assert_eq!(Text::parse("  Boda  ", 10).unwrap().as_str(), "Boda");
        assert_eq!(Text::parse("   ", 10).unwrap_err().code, "required");
        assert_eq!(Text::parse("abcdefghijk", 10).unwrap_err().code, "too_long");
        assert_eq!(Text::parse_optional("", 10).unwrap().as_str(), "");
        assert_eq!(
            Text::parse("a\u{0}b", 10).unwrap_err().code,
            "control_characters"
        );
    }

    #[test]
    fn direction_overrides_are_refused_in_any_text() {
        for c in [
            '\u{202A}', '\u{202B}', '\u{202C}', '\u{202D}', '\u{202E}', '\u{2066}', '\u{2067}',
            '\u{2068}', '\u{2069}',
        ] {
            let raw = format!("Faktura{c}fdp.exe");
            assert_eq!(
                Text::parse(&raw, 50).unwrap_err().code,
                "bidi_override",
                "{c:?}"
            );
            assert_eq!(
                Text::parse_optional(&raw, 50).unwrap_err().code,
                "bidi_override"
            );
        }
        // Right-to-left text itself is welcome; only the overrides are not.
        assert!(Text::parse("مرحبا Välkommen", 50).is_ok());
        assert!(Text::parse("a\u{200F}b", 50).is_ok());
    }

    #[test]
    fn emails_are_lowercased_and_checked() {
        assert_eq!(
            Email::parse(" Anna@Boda.SE ").unwrap().as_str(),
            "anna@boda.se"
        );
        for bad in [
            "",
            "anna",
            "anna@",
            "@boda.se",
            "anna@boda",
            "an na@boda.se",
            "a@b@c.se",
            "a@.se",
            "a@b..se",
        ] {
            assert!(Email::parse(bad).is_err(), "{bad} should be rejected");
        }
    }

    #[test]
    fn an_email_is_a_plain_string_in_json_and_is_checked_on_the_way_in() {
        let e = Email::parse("anna@boda.se").unwrap();
        assert_eq!(serde_json::to_string(&e).unwrap(), "\"anna@boda.se\"");
        let back: Email = serde_json::from_str("\" Anna@Boda.SE \"").unwrap();
        assert_eq!(back, e);
        assert!(serde_json::from_str::<Email>("\"anna\"").is_err());
    }
}
