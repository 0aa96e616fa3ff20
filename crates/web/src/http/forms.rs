//! The HTML side of the admin and membership forms, shared by every page
//! that lists records, shows a form for one, and saves it: the fields with
//! each one's problem in the page's language, the list and form pages
//! around them, and the answer to a save — a redirect, or the form again
//! with what a person can fix next to the fields. The admin records (regions,
//! hubs, people, plans, …) are each one [`Resource`]: their list, new and
//! edit handlers and routes are written once here, generic over it.
//!
//! Nothing here decides what is valid (the domain's inputs and the store
//! do) or who may see a page (the pages' own `require_*` checks); reading
//! a form body and its CSRF token is [`crate::http::form_data::FormData`].

use crate::http::audit;
use crate::http::error::AppResult;
use crate::http::form_data::FormData;
use crate::http::origin::Origin;
use crate::http::page::Page;
use crate::AppState;
use axum::body::Bytes;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::get;
use axum::Router;
use minijinja::context;
use serde::de::DeserializeOwned;
use serde::{Deserialize, Serialize};
use std::future::Future;
use std::pin::Pin;
use thirdplace_domain::{new_id, ValidationErrors};
use thirdplace_store::{Store, StoreError, StoreResult};
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

    /// The page the form is for: its language and who is asking.
    pub(crate) fn page(&self) -> &'a Page {
        self.page
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
    /// A line of text under the title.
    pub(crate) text: Option<String>,
    /// Buttons that each post the page's CSRF token to an address.
    pub(crate) actions: Vec<Action>,
}

/// A button that posts (with the CSRF token) to `href`.
#[derive(Serialize)]
pub(crate) struct Action {
    pub(crate) href: String,
    pub(crate) label: String,
}

impl Child {
    /// A section that is only a way to another page (no list), such as a
    /// hub's booking rules.
    pub(crate) fn link(page: &Page, title_key: &str, href: String, label_key: &str) -> Self {
        Child {
            title: page.t(title_key),
            new_href: href,
            new_label: page.t(label_key),
            columns: vec![],
            rows: vec![],
            text: None,
            actions: vec![],
        }
    }

    /// A section that says something and offers buttons that post,
    /// `(address, label)`, such as a person's invitation.
    pub(crate) fn note(
        page: &Page,
        title_key: &str,
        text: String,
        actions: Vec<(String, String)>,
    ) -> Self {
        Child {
            text: Some(text),
            actions: actions
                .into_iter()
                .map(|(href, label)| Action { href, label })
                .collect(),
            ..Child::link(page, title_key, String::new(), title_key)
        }
    }

    /// A list of records under the form (text keys of its `columns`), with
    /// a way to add one at `new_href`.
    pub(crate) fn table(
        page: &Page,
        title_key: &str,
        new_href: String,
        new_label_key: &str,
        columns: &[&str],
        rows: Vec<Row>,
    ) -> Self {
        Child {
            columns: columns.iter().map(|k| page.t(k)).collect(),
            rows,
            ..Child::link(page, title_key, new_href, new_label_key)
        }
    }
}

/// The choices of a select among `keys`, each labelled with the text
/// `{prefix}.{key}` in the page's language.
pub(crate) fn key_options<'k>(
    page: &Page,
    prefix: &str,
    keys: impl IntoIterator<Item = &'k str>,
) -> Vec<(String, String)> {
    keys.into_iter()
        .map(|k| (k.to_string(), page.t(&format!("{prefix}.{k}"))))
        .collect()
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

// --------------------------------------------------------------- resources

/// One kind of record that admins keep through forms: its list page (see
/// [`Listed`]), the form for a new one and each one's form at
/// `{BASE}/{id}`. An implementation says only what differs between kinds:
/// who may do what, the fields, how the form reads into the domain's
/// `*Input`, and which store calls load and write a record. The handlers
/// and routes ([`routes`], [`listed_routes`]) are written once, here.
///
/// Who may see a form is checked by [`Resource::parent_for_new`] and
/// [`Resource::load`], in the order each kind needs (for some, "not found"
/// comes before "forbidden", for others after), so that every kind keeps
/// its status codes.
pub(crate) trait Resource: Send + Sync + 'static {
    /// What a new record is made in: `()`, or the hub of a zone or room.
    type Parent: Send + Sync;
    /// The stored record, which is also what a valid form becomes.
    type Record: serde::Serialize + Send + Sync;
    /// The form's values as typed: the domain's `*Input`.
    type Input: Default + DeserializeOwned + Send + Sync;

    /// Each record's form stands at `{BASE}/{id}` (and a listed kind's list at `BASE`).
    const BASE: &'static str;
    /// The route of the form for a new record: `{BASE}/new`, or an address
    /// under the parent with its id as `{id}`.
    const NEW: &'static str;
    /// Text keys of the titles of the new and the edit form.
    const NEW_TITLE: &'static str;
    const EDIT_TITLE: &'static str;

    /// Whether the person may open the form for a new record, and what it
    /// is made in; `path` is the parent's id from a `NEW` route that has one.
    fn parent_for_new(
        state: &AppState,
        page: &Page,
        path: Option<&str>,
    ) -> impl Future<Output = AppResult<Self::Parent>> + Send;

    /// The same for a sent form; by default the same checks.
    fn parent_for_create(
        state: &AppState,
        page: &Page,
        path: Option<&str>,
    ) -> impl Future<Output = AppResult<Self::Parent>> + Send {
        Self::parent_for_new(state, page, path)
    }

    /// What the form for a new record starts with; by default nothing.
    fn blank(_page: &Page, _parent: &Self::Parent) -> AppResult<Self::Input> {
        Ok(Self::Input::default())
    }

    /// The page around the form for a new record.
    fn new_page(parent: &Self::Parent) -> FormPage<'static> {
        FormPage::new(Self::NEW_TITLE, Self::NEW.into(), Self::back(parent))
    }

    /// Where the forms of the records made in `parent` lead back to: by
    /// default the list at `BASE`.
    fn back(_parent: &Self::Parent) -> String {
        Self::BASE.into()
    }

    /// The record `id` (as it stands in the address), if the person may edit it.
    fn load(
        state: &AppState,
        page: &Page,
        id: &str,
    ) -> impl Future<Output = AppResult<Self::Record>> + Send;

    /// A stored record's id, and what it is in (to validate its changes against).
    fn key(record: &Self::Record) -> (Uuid, Self::Parent);

    /// A stored record as the form shows it.
    fn to_input(record: &Self::Record) -> Self::Input;

    /// The sections under a record's form (see [`Child`]); by default none.
    fn children(
        _state: &AppState,
        _page: &Page,
        _record: &Self::Record,
    ) -> impl Future<Output = AppResult<Vec<Child>>> + Send {
        std::future::ready(Ok(vec![]))
    }

    /// Reads a sent form; `old` is the record being changed, if any. By
    /// default each of the input's fields is the value sent under its name.
    fn read(form: &FormData, _page: &Page, _old: Option<&Self::Record>) -> AppResult<Self::Input> {
        form.decode()
    }

    fn validate(
        input: &Self::Input,
        id: Uuid,
        parent: &Self::Parent,
    ) -> Result<Self::Record, ValidationErrors>;

    /// Whether the person may write this valid record (replacing `old`);
    /// by default whoever may see the form.
    fn check(_page: &Page, _old: Option<&Self::Record>, _record: &Self::Record) -> AppResult<()> {
        Ok(())
    }

    /// The store calls that write a new record and a changed one.
    const INSERT: StoreWrite<Self::Record>;
    const UPDATE: StoreWrite<Self::Record>;

    /// What follows once a new record is written, such as the invitation a
    /// new person is sent; `origin` is where the app is reached. By
    /// default nothing.
    fn after_create(
        _state: &AppState,
        _page: &Page,
        _origin: &str,
        _record: &Self::Record,
    ) -> impl Future<Output = AppResult<()>> + Send {
        std::future::ready(Ok(()))
    }

    /// Where a new record's save leads: by default its own form.
    fn created(_parent: &Self::Parent, id: Uuid) -> Response {
        saved_redirect(Self::href(id))
    }

    /// The form's fields added to `form`, with the choices they offer read
    /// from the store.
    fn fields<'a>(
        state: &AppState,
        form: Form<'a>,
        input: &Self::Input,
    ) -> impl Future<Output = AppResult<Form<'a>>> + Send;

    /// The address of a record's form.
    fn href(id: Uuid) -> String {
        format!("{}/{id}", Self::BASE)
    }

    /// The list rows of `records`: each one's id (its row leads to its form)
    /// and cells.
    fn rows_of<T>(
        records: impl IntoIterator<Item = T>,
        row: impl FnMut(T) -> (Uuid, Vec<String>),
    ) -> Vec<Row> {
        let cells = records.into_iter().map(row);
        let row = |(id, cells)| Row {
            href: Self::href(id),
            cells,
        };
        cells.map(row).collect()
    }
}

/// A store call that writes one record (as the `Store` trait's methods are).
pub(crate) type StoreWrite<T> =
    for<'a> fn(&'a dyn Store, &'a T) -> Pin<Box<dyn Future<Output = StoreResult<()>> + Send + 'a>>;

/// A [`Resource`] with a list page at `BASE`, each row leading to its form.
pub(crate) trait Listed: Resource {
    /// The list page's query string ([`NoQuery`] for none).
    type Query: DeserializeOwned + Send;
    /// Text keys of the list's title and columns.
    const TITLE: &'static str;
    const COLUMNS: &'static [&'static str];

    /// The rows the person may see, after checking that they may see the
    /// list at all, and whether they may make new records.
    fn rows(
        state: &AppState,
        page: &Page,
        query: Self::Query,
    ) -> impl Future<Output = AppResult<(Vec<Row>, bool)>> + Send;
}

/// The query of a list page that takes none (anything in it is ignored).
#[derive(Deserialize, Default)]
pub(crate) struct NoQuery {}

/// The new form of `R` at `R::NEW` and each record's form at
/// `{R::BASE}/{id}`: GET shows a form, POST saves it.
pub(crate) fn routes<R: Resource>() -> Router<AppState> {
    Router::new()
        .route(R::NEW, get(new_form::<R>).post(create::<R>))
        .route(
            &format!("{}/{{id}}", R::BASE),
            get(edit_form::<R>).post(update::<R>),
        )
}

/// [`routes`] and the list page at `R::BASE`.
pub(crate) fn listed_routes<R: Listed>() -> Router<AppState> {
    routes::<R>().route(R::BASE, get(list::<R>))
}

async fn list<R: Listed>(
    State(state): State<AppState>,
    page: Page,
    Query(query): Query<R::Query>,
) -> AppResult<Response> {
    let (rows, may_create) = R::rows(&state, &page, query).await?;
    let new_href = may_create.then(|| R::NEW.to_string());
    render_list(&page, R::TITLE, new_href, R::COLUMNS, rows)
}

async fn new_form<R: Resource>(
    State(state): State<AppState>,
    page: Page,
    path: Option<Path<String>>,
) -> AppResult<Response> {
    let parent = R::parent_for_new(&state, &page, path.as_deref().map(String::as_str)).await?;
    let input = R::blank(&page, &parent)?;
    show::<R>(&state, &page, R::new_page(&parent), &input, NO_ERRORS).await
}

async fn create<R: Resource>(
    State(state): State<AppState>,
    origin: Origin,
    page: Page,
    path: Option<Path<String>>,
    body: Bytes,
) -> AppResult<Response> {
    let form = FormData::parse(&page, &body)?;
    let parent = R::parent_for_create(&state, &page, path.as_deref().map(String::as_str)).await?;
    let input = R::read(&form, &page, None)?;
    let validated = R::validate(&input, new_id(), &parent);
    match write::<R>(&state, &page, None, validated).await? {
        Ok(record) => {
            R::after_create(&state, &page, &origin.0, &record).await?;
            Ok(R::created(&parent, R::key(&record).0))
        }
        Err(e) => show::<R>(&state, &page, R::new_page(&parent), &input, &e).await,
    }
}

async fn edit_form<R: Resource>(
    State(state): State<AppState>,
    page: Page,
    Path(id): Path<String>,
    Query(q): Query<SavedQuery>,
) -> AppResult<Response> {
    let record = R::load(&state, &page, &id).await?;
    let fp = edit_page::<R>(&state, &page, &record, q.saved.is_some()).await?;
    show::<R>(&state, &page, fp, &R::to_input(&record), NO_ERRORS).await
}

async fn update<R: Resource>(
    State(state): State<AppState>,
    page: Page,
    Path(id): Path<String>,
    body: Bytes,
) -> AppResult<Response> {
    let form = FormData::parse(&page, &body)?;
    let old = R::load(&state, &page, &id).await?;
    let input = R::read(&form, &page, Some(&old))?;
    let (id, parent) = R::key(&old);
    let validated = R::validate(&input, id, &parent);
    match write::<R>(&state, &page, Some(&old), validated).await? {
        Ok(_) => Ok(saved_redirect(R::href(id))),
        Err(e) => {
            let fp = edit_page::<R>(&state, &page, &old, false).await?;
            show::<R>(&state, &page, fp, &input, &e).await
        }
    }
}

/// The page around a record's form: the form, a way back and the
/// sections under it.
async fn edit_page<R: Resource>(
    state: &AppState,
    page: &Page,
    record: &R::Record,
    saved: bool,
) -> AppResult<FormPage<'static>> {
    let (id, parent) = R::key(record);
    let fp = FormPage::new(R::EDIT_TITLE, R::href(id), R::back(&parent));
    let children = R::children(state, page, record).await?;
    Ok(fp.saved(saved).with_children(children))
}

async fn show<R: Resource>(
    state: &AppState,
    page: &Page,
    fp: FormPage<'static>,
    input: &R::Input,
    errors: &ValidationErrors,
) -> AppResult<Response> {
    let form = R::fields(state, Form::new(page, errors), input).await?;
    render_form(page, fp, form)
}

/// [`save`] for the generic handlers: a new record (no `old`) is inserted,
/// a changed one updated, if it validated and the person may write it.
async fn write<R: Resource>(
    state: &AppState,
    page: &Page,
    old: Option<&R::Record>,
    validated: Result<R::Record, ValidationErrors>,
) -> AppResult<Result<R::Record, ValidationErrors>> {
    let Ok(record) = validated else {
        return Ok(validated);
    };
    R::check(page, old, &record)?;
    let store = state.store.as_ref();
    let written = match old {
        None => (R::INSERT)(store, &record).await,
        Some(_) => (R::UPDATE)(store, &record).await,
    };
    let written = outcome(written)?;
    if written.is_ok() {
        let kind = audit::kind_of(R::BASE);
        let (action, details) = match old {
            None => ("created", audit::changes(&(), &record)),
            Some(old) => ("updated", audit::changes(old, &record)),
        };
        let actor = page.user.as_ref().map(|p| p.person_id);
        let object = (kind.as_str(), R::key(&record).0);
        audit::record(state, actor, &format!("{kind}.{action}"), object, details).await;
    }
    Ok(written.map(|()| record))
}
