//! Validation errors that name the field and carry a stable code, so the web
//! layer can show a translated message next to the right form field and the
//! API can return a machine-readable code.

use std::fmt;

/// One field's problem. `code` is stable (used for translations), `message`
/// is the English explanation used by the API.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FieldError {
    pub field: String,
    pub code: &'static str,
    pub message: String,
}

#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ValidationErrors {
    pub errors: Vec<FieldError>,
}

impl ValidationErrors {
    pub fn new() -> Self {
        Self::default()
    }

    pub fn single(field: &str, code: &'static str, message: impl Into<String>) -> Self {
        let mut e = Self::new();
        e.add(field, code, message);
        e
    }

    pub fn add(&mut self, field: &str, code: &'static str, message: impl Into<String>) {
        self.errors.push(FieldError {
            field: field.to_string(),
            code,
            message: message.into(),
        });
    }

    /// Runs a parse step; on failure records its error under `field` and
    /// returns `None`, so a form can collect every problem in one pass.
    pub fn check<T>(&mut self, field: &str, result: Result<T, FieldError>) -> Option<T> {
        match result {
            Ok(v) => Some(v),
            Err(mut e) => {
                e.field = field.to_string();
                self.errors.push(e);
                None
            }
        }
    }

    pub fn is_empty(&self) -> bool {
        self.errors.is_empty()
    }

    pub fn for_field(&self, field: &str) -> Option<&FieldError> {
        self.errors.iter().find(|e| e.field == field)
    }

    /// `Ok(())` when nothing was recorded.
    pub fn into_result(self) -> Result<(), ValidationErrors> {
        if self.is_empty() {
            Ok(())
        } else {
            Err(self)
        }
    }
}

impl fmt::Display for ValidationErrors {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let parts: Vec<String> = self
            .errors
            .iter()
            .map(|e| format!("{}: {}", e.field, e.message))
            .collect();
        write!(f, "{}", parts.join("; "))
    }
}

impl std::error::Error for ValidationErrors {}

/// Shorthand for a field error whose field name is filled in by
/// [`ValidationErrors::check`].
impl FieldError {
    /// The same error, naming the field it is about.
    pub fn on(mut self, field: &str) -> Self {
        self.field = field.to_string();
        self
    }
}

pub fn invalid(code: &'static str, message: impl Into<String>) -> FieldError {
    FieldError {
        field: String::new(),
        code,
        message: message.into(),
    }
}
