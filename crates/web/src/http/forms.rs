//! The HTML side of the admin and membership forms, shared by every page
//! that lists records, shows a form for one, and saves it: the fields with
//! each one's problem in the page's language, the list and form pages
//! around them, and the answer to a save — a redirect, or the form again
//! with what a person can fix next to the fields.
//!
//! Nothing here decides what is valid (the domain's inputs and the store
//! do) or who may see a page (the pages' own `require_*` checks); reading
//! a form body and its CSRF token is [`crate::http::form_data::FormData`].

use crate::http::error::AppResult;
use crate::http::page::Page;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use minijinja::context;
use serde::{Deserialize, Serialize};
use thirdplace_domain::ValidationErrors;
use thirdplace_store::{StoreError, StoreResult};
use uuid::Uuid;

// ------------------------------------------------------------------ fields

/// For a form shown for the first time, before anything was sent.
pub(crate) const NO_ERRORS: &ValidationErrors = &ValidationErrors { errors: Vec::new() };

#[derive(Serialize)]
pub(crate) struct Opt {
    value: String,
    label: String,
    selected: bool,
}

#[derive(Serialize)]
pub(crate) struct Field {
    id: String,
    name: String,
    label: String,
    kind: &'static str,
    value: String,
    options: Vec<Opt>,
    error: Option<String>,
    help: Option<String>,
    required: bool,
    inputmode: Option<&'static str>,
    autocomplete: Option<&'static str>,
}

/// Builds a form's fields, attaching each field's error in the page language.
pub(crate) struct Form<'a> {
    page: &'a Page,
    errors: &'a ValidationErrors,
    fields: Vec<Field>,
}

impl<'a> Form<'a> {
    pub(crate) fn new(page: &'a Page, errors: &'a ValidationErrors) -> Self {
        Form {
            page,
            errors,
            fields: Vec::new(),
        }
    }

    fn push(mut self, kind: &'static str, name: &str, value: &str, options: Vec<Opt>) -> Self {
        let error = self
            .errors
            .for_field(name)
            .map(|e| self.page.field_message(e));
        self.fields.push(Field {
            id: format!("f-{name}"),
            name: name.to_string(),
            label: self.page.t(&format!("field.{name}")),
            kind,
            value: value.to_string(),
            options,
            error,
            help: None,
            required: false,
            inputmode: None,
            autocomplete: None,
        });
        self
    }

    pub(crate) fn text(self, name: &str, value: &str) -> Self {
        self.push("text", name, value, vec![])
    }

    pub(crate) fn textarea(self, name: &str, value: &str) -> Self {
        self.push("textarea", name, value, vec![])
    }

    pub(crate) fn checkbox(self, name: &str, value: &str) -> Self {
        let checked = matches!(value, "true" | "on");
        self.push("checkbox", name, if checked { "true" } else { "" }, vec![])
    }

    /// The "archived" checkbox that ends the foundation resources' forms.
    pub(crate) fn archived(self, value: &str) -> Self {
        self.checkbox("archived", value).help("admin.archived_help")
    }

    /// A single choice; `empty` is the label key of the "nothing chosen" option.
    pub(crate) fn select(
        self,
        name: &str,
        value: &str,
        options: Vec<(String, String)>,
        empty: &str,
    ) -> Self {
        let mut opts = vec![Opt {
            value: String::new(),
            label: self.page.t(empty),
            selected: value.is_empty(),
        }];
        opts.extend(options.into_iter().map(|(v, l)| Opt {
            selected: v == value,
            value: v,
            label: l,
        }));
        self.push("select", name, value, opts)
    }

    pub(crate) fn multi(
        self,
        name: &str,
        selected: &[String],
        options: Vec<(String, String)>,
    ) -> Self {
        let opts = options
            .into_iter()
            .map(|(v, l)| Opt {
                selected: selected.contains(&v),
                value: v,
                label: l,
            })
            .collect();
        self.push("multi", name, "", opts)
    }

    pub(crate) fn required(mut self) -> Self {
        if let Some(f) = self.fields.last_mut() {
            f.required = true;
        }
        self
    }

    pub(crate) fn help(mut self, key: &str) -> Self {
        let text = self.page.t(key);
        if let Some(f) = self.fields.last_mut() {
            f.help = Some(text);
        }
        self
    }

    /// The HTML autocomplete token, so browsers can fill in people's details.
    pub(crate) fn autocomplete(mut self, token: &'static str) -> Self {
        if let Some(f) = self.fields.last_mut() {
            f.autocomplete = Some(token);
        }
        self
    }

    pub(crate) fn numeric(mut self, mode: &'static str) -> Self {
        if let Some(f) = self.fields.last_mut() {
            f.inputmode = Some(mode);
        }
        self
    }

    /// 422 when the form is shown again with problems, else 200.
    pub(crate) fn status(&self) -> StatusCode {
        if self.errors.is_empty() {
            StatusCode::OK
        } else {
            StatusCode::UNPROCESSABLE_ENTITY
        }
    }

    /// The fields and the error summary, for pages that lay out their own
    /// forms (several on one page) around the same field markup.
    pub(crate) fn into_parts(self) -> (Vec<Field>, Vec<minijinja::Value>) {
        let page = self.page;
        // The summary lists problems in the order the fields stand on the form.
        let position = |field: &str| {
            self.fields
                .iter()
                .position(|f| f.name == field)
                .unwrap_or(usize::MAX)
        };
        let mut ordered: Vec<_> = self.errors.errors.iter().collect();
        ordered.sort_by_key(|e| position(&e.field));
        let errors: Vec<_> = ordered
            .into_iter()
            .map(|e| {
                let label = self.fields.iter().find(|f| f.name == e.field).map(|f| f.label.clone()).unwrap_or_else(|| e.field.clone());
                context! { id => format!("f-{}", e.field), label => label, message => page.field_message(e) }
            })
            .collect();
        (self.fields, errors)
    }
}

// ------------------------------------------------------- list and form pages

#[derive(Serialize)]
pub(crate) struct Row {
    pub(crate) cells: Vec<String>,
    pub(crate) href: String,
}

#[derive(Serialize)]
pub(crate) struct Child {
    pub(crate) title: String,
    pub(crate) new_href: String,
    pub(crate) new_label: String,
    pub(crate) columns: Vec<String>,
    pub(crate) rows: Vec<Row>,
}

/// `?saved=1`, which a form page gets after its save redirected to it.
#[derive(Deserialize, Default)]
pub(crate) struct SavedQuery {
    #[serde(default)]
    pub(crate) saved: Option<String>,
}

/// `?done=…`: what the page should say was just done.
#[derive(Deserialize, Default)]
pub(crate) struct DoneQuery {
    #[serde(default)]
    pub(crate) done: Option<String>,
}

pub(crate) struct FormPage<'a> {
    pub(crate) title_key: &'a str,
    pub(crate) action: String,
    pub(crate) back: String,
    pub(crate) saved: bool,
    pub(crate) children: Vec<Child>,
}

impl<'a> FormPage<'a> {
    /// A form titled by `title_key`, posted to `action`, with a way `back`.
    pub(crate) fn new(title_key: &'a str, action: String, back: String) -> Self {
        FormPage {
            title_key,
            action,
            back,
            saved: false,
            children: vec![],
        }
    }

    /// Whether to say that the record was just saved (`?saved=1`).
    pub(crate) fn saved(self, saved: bool) -> Self {
        FormPage { saved, ..self }
    }

    /// Sections under the form, such as a hub's zones and rooms.
    pub(crate) fn with_children(self, children: Vec<Child>) -> Self {
        FormPage { children, ..self }
    }
}

/// A kind of record with a list page at `list`, its "new" form at
/// `{list}/new` and each record's form at `{list}/{id}`.
pub(crate) struct Resource {
    pub(crate) list: &'static str,
    pub(crate) new_title: &'static str,
    pub(crate) edit_title: &'static str,
}

impl Resource {
    pub(crate) fn href(&self, id: Uuid) -> String {
        format!("{}/{id}", self.list)
    }

    pub(crate) fn new_href(&self) -> String {
        format!("{}/new", self.list)
    }

    pub(crate) fn new_page(&self) -> FormPage<'static> {
        FormPage::new(self.new_title, self.new_href(), self.list.into())
    }

    pub(crate) fn edit_page(&self, id: Uuid, saved: bool) -> FormPage<'static> {
        FormPage::new(self.edit_title, self.href(id), self.list.into()).saved(saved)
    }

    /// After a save: the record's own form, saying it was saved.
    pub(crate) fn saved(&self, id: Uuid) -> Response {
        saved_redirect(self.href(id))
    }
}

pub(crate) fn render_form(page: &Page, fp: FormPage, form: Form) -> AppResult<Response> {
    let status = form.status();
    let (fields, errors) = form.into_parts();
    let ctx = context! {
        title => page.t(fp.title_key),
        action => fp.action,
        back_href => fp.back,
        saved => fp.saved,
        fields,
        errors,
        children => fp.children,
    };
    page.render_with_status(status, "admin/form.html", ctx)
}

pub(crate) fn render_list(
    page: &Page,
    title_key: &str,
    new_href: Option<String>,
    columns: &[&str],
    rows: Vec<Row>,
) -> AppResult<Response> {
    let columns: Vec<String> = columns.iter().map(|c| page.t(c)).collect();
    page.render(
        "admin/list.html",
        context! { title => page.t(title_key), new_href, columns, rows },
    )
}

pub(crate) fn status_cell(page: &Page, archived: bool) -> String {
    page.t(if archived {
        "field.archived"
    } else {
        "admin.active"
    })
}

pub(crate) fn bool_str(b: bool) -> String {
    if b {
        "true".into()
    } else {
        String::new()
    }
}

// ------------------------------------------------------------------ saving

/// Store outcomes a person can fix become field errors on the form.
pub(crate) fn outcome(r: StoreResult<()>) -> AppResult<Result<(), ValidationErrors>> {
    match r {
        Ok(()) => Ok(Ok(())),
        Err(StoreError::Conflict(field)) => Ok(Err(ValidationErrors::single(
            &field,
            "taken",
            format!("{field} is already in use by another record"),
        ))),
        Err(StoreError::Reference(field)) => Ok(Err(ValidationErrors::single(
            &field,
            "unknown_reference",
            "refers to something that does not exist",
        ))),
        Err(e) => Err(e.into()),
    }
}

/// Writes a record that validated; what did not validate, and what the
/// store refused for a reason a person can fix ([`outcome`]), comes back
/// as field errors for the form. Nothing is written unless it validated.
pub(crate) async fn save<T>(
    validated: Result<T, ValidationErrors>,
    write: impl AsyncFnOnce(&T) -> StoreResult<()>,
) -> AppResult<Result<T, ValidationErrors>> {
    match validated {
        Ok(record) => Ok(outcome(write(&record).await)?.map(|()| record)),
        Err(e) => Ok(Err(e)),
    }
}

pub(crate) fn saved_redirect(path: String) -> Response {
    Redirect::to(&format!("{path}?saved=1")).into_response()
}

/// To `path` with `?done=…`, for pages that say what was just done.
pub(crate) fn done_redirect(path: &str, done: &str) -> Response {
    Redirect::to(&format!("{path}?done={done}")).into_response()
}
