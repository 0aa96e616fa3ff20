//! The JSON API of the plain records (regions, municipalities, operators,
//! organisations, hubs, zones, rooms, plans, webhooks): each kind is one
//! [`ApiResource`] — its store calls, who may write it, and how a body
//! becomes the domain's record — and its list, get, create and replace
//! handlers, routes and OpenAPI operations are written once here, generic
//! over it.
//!
//! `#[utoipa::path]` cannot annotate a generic handler, so [`api_routes`]
//! builds the same operations the annotation would: the paths, the
//! operation ids (`list_regions`, `get_region`, `create_region`,
//! `update_region`), the tag, the query and path parameters, the bodies,
//! the responses and the token requirement.

use crate::http::api::{path_id, require, ApiJson, ListQuery};
use crate::http::audit;
use crate::http::auth::Auth;
use crate::http::error::{AppError, AppResult, ErrorBody};
use crate::http::forms::StoreWrite;
use crate::http::paging::{link_header, paging_parameters, Paging};
use crate::AppState;
use axum::extract::{FromRequestParts, Path, Query, RawPathParams, State};
use axum::http::request::Parts;
use axum::http::{header, StatusCode};
use axum::response::Response;
use axum::routing::get;
use axum::Json;
use serde::de::DeserializeOwned;
use serde::Serialize;
use std::future::Future;
use std::marker::PhantomData;
use std::pin::Pin;
use thirdplace_domain::{new_id, Principal};
use thirdplace_store::{Store, StoreResult};
use utoipa::openapi::path::{
    HttpMethod, Operation, OperationBuilder, Parameter, ParameterBuilder, ParameterIn, Paths,
};
use utoipa::openapi::request_body::RequestBodyBuilder;
use utoipa::openapi::schema::{ArrayBuilder, ObjectBuilder, Schema, Type};
use utoipa::openapi::security::SecurityRequirement;
use utoipa::openapi::{ContentBuilder, Ref, RefOr, Required, ResponseBuilder};
use utoipa::{IntoParams, PartialSchema, ToSchema};
use utoipa_axum::router::OpenApiRouter;
use uuid::Uuid;

/// A store call that reads one record by id.
pub(crate) type StoreGet<T> =
    for<'a> fn(&'a dyn Store, Uuid) -> Pin<Box<dyn Future<Output = StoreResult<T>> + Send + 'a>>;

/// A store call that lists the records (of the hub, for a hub's zones and
/// rooms; other kinds ignore the id).
pub(crate) type StoreList<T> =
    for<'a> fn(
        &'a dyn Store,
        Uuid,
    ) -> Pin<Box<dyn Future<Output = StoreResult<Vec<T>>> + Send + 'a>>;

/// How a kind of record stands in the API and its OpenAPI document; made
/// with [`ApiDoc::new`] and the changes to it below.
pub(crate) struct ApiDoc {
    tag: &'static str,
    /// The operation ids' nouns: `list_{many}`, `get_{one}`,
    /// `create_{one}`, `update_{one}`. One record is at `/{many}/{id}`.
    one: &'static str,
    many: &'static str,
    /// Records of a hub (zones, rooms): listed and added at
    /// `/hubs/{id}/{many}`, written by the hub's hosts and network admins.
    /// Others are listed and added at `/{many}`.
    in_hub: bool,
    list_summary: Option<&'static str>,
    create_summary: Option<&'static str>,
    /// By default "Replaces the {one}." and the create summary.
    update_summary: Option<&'static str>,
    /// Whether a create or replace can answer 409 (a code already taken).
    create_conflict: bool,
    update_conflict: bool,
}

impl ApiDoc {
    /// Records listed and added at `/{many}`, created and replaced by
    /// network admins, with no summary of their list and no 409.
    pub const fn new(tag: &'static str, one: &'static str, many: &'static str) -> Self {
        ApiDoc {
            tag,
            one,
            many,
            in_hub: false,
            list_summary: None,
            create_summary: Some("Network admins only."),
            update_summary: None,
            create_conflict: false,
            update_conflict: false,
        }
    }

    /// A hub's records, at `/hubs/{id}/{many}`, written by its hosts.
    pub const fn of_hub(self) -> Self {
        ApiDoc {
            in_hub: true,
            create_summary: Some("The hub's hosts and network admins."),
            ..self
        }
    }

    pub const fn listed(self, summary: &'static str) -> Self {
        ApiDoc {
            list_summary: Some(summary),
            ..self
        }
    }

    pub const fn created(self, summary: Option<&'static str>) -> Self {
        ApiDoc {
            create_summary: summary,
            ..self
        }
    }

    pub const fn replaced(self, summary: &'static str) -> Self {
        ApiDoc {
            update_summary: Some(summary),
            ..self
        }
    }

    /// Whether a create and a replace can answer 409 (a code already taken).
    pub const fn conflicts(self, create: bool, update: bool) -> Self {
        ApiDoc {
            create_conflict: create,
            update_conflict: update,
            ..self
        }
    }
}

pub(crate) trait ApiResource: Send + Sync + 'static {
    /// What the store reads and the API shows (a hub with its place names).
    type Stored: Clone + Send + Sync + 'static;
    /// What a valid body becomes and the store writes.
    type Record: Send + Sync + 'static;
    /// The JSON a client is given.
    type Out: Serialize + ToSchema + From<Self::Stored> + Send + 'static;
    /// The JSON a client sends to create or replace one.
    type Body: DeserializeOwned + ToSchema + Send + 'static;

    const DOC: ApiDoc;
    const LIST: StoreList<Self::Stored>;
    const GET: StoreGet<Self::Stored>;
    const INSERT: StoreWrite<Self::Record>;
    const UPDATE: StoreWrite<Self::Record>;
    /// Whether a record is archived, listed only with `include_archived`;
    /// `None` for kinds that are never archived (and take no such query).
    const ARCHIVED: Option<fn(&Self::Stored) -> bool>;
    /// Who may read, when reading needs a token too; `None`: everyone.
    const READERS: Option<fn(&Principal) -> bool> = None;
    /// Whether the public cache keeps the list (the most-read answer).
    const CACHED: bool = false;

    /// A record's id, and its hub's for a zone or room.
    fn key(stored: &Self::Stored) -> (Uuid, Option<Uuid>);

    /// Whether the person may replace `old`: by default the hosts of its
    /// hub for a hub's records, network admins for the others.
    fn may_replace(p: &Principal, old: &Self::Stored) -> bool {
        may_write(p, Self::key(old).1)
    }

    /// The body as the valid record at `at`.
    fn record(state: &AppState, body: Self::Body, at: At<Self::Stored>) -> AppResult<Self::Record>;
}

/// Where a valid body goes: a new record `id` (in the hub `hub`), or the
/// record `old` replaced.
pub(crate) struct At<S> {
    pub id: Uuid,
    pub hub: Option<Uuid>,
    pub old: Option<S>,
}

/// A hub's records are its hosts' (and network admins') to write; the
/// others, network admins'.
fn may_write(p: &Principal, hub: Option<Uuid>) -> bool {
    match hub {
        Some(hub) => p.can_edit_hub(hub),
        None => p.can_manage_network(),
    }
}

/// The parts of an [`ApiResource`] that most kinds share: the domain's
/// record is read and written as it is and shown as it is (or `as` its
/// API type), is archived by its `archived` field (or is `never archived`),
/// and is keyed by its id (and, `in hub_id`, by its hub); the four `Store`
/// methods read and write it.
macro_rules! plain_record {
    ($record:ident, $body:ty; $($store:ident),+) => {
        $crate::http::api_resource::plain_record!($record as $record, $body; $($store),+);
    };
    ($record:ident never archived, $body:ty; $list:ident, $get:ident, $insert:ident, $update:ident) => {
        $crate::http::api_resource::plain_record!(@shared $record, $record, $body, None, $get, $insert, $update);
        $crate::http::api_resource::plain_record!(@top $record, $list);
    };
    ($record:ident as $out:ty, $body:ty; $list:ident, $get:ident, $insert:ident, $update:ident) => {
        $crate::http::api_resource::plain_record!(@shared $record, $out, $body, Some(|r| r.archived), $get, $insert, $update);
        $crate::http::api_resource::plain_record!(@top $record, $list);
    };
    ($record:ident in $hub:ident, $body:ty; $list:ident, $get:ident, $insert:ident, $update:ident) => {
        $crate::http::api_resource::plain_record!(@shared $record, $record, $body, Some(|r| r.archived), $get, $insert, $update);
        const LIST: $crate::http::api_resource::StoreList<$record> = |store, hub| store.$list(hub);
        fn key(r: &$record) -> (uuid::Uuid, Option<uuid::Uuid>) {
            (r.id, Some(r.$hub))
        }
    };
    (@top $record:ident, $list:ident) => {
        const LIST: $crate::http::api_resource::StoreList<$record> = |store, _| store.$list();
        fn key(r: &$record) -> (uuid::Uuid, Option<uuid::Uuid>) {
            (r.id, None)
        }
    };
    (@shared $record:ident, $out:ty, $body:ty, $archived:expr, $get:ident, $insert:ident, $update:ident) => {
        type Stored = $record;
        type Record = $record;
        type Out = $out;
        type Body = $body;
        const GET: $crate::http::api_resource::StoreGet<$record> = |store, id| store.$get(id);
        const INSERT: $crate::http::forms::StoreWrite<$record> = |store, r| store.$insert(r);
        const UPDATE: $crate::http::forms::StoreWrite<$record> = |store, r| store.$update(r);
        const ARCHIVED: Option<fn(&$record) -> bool> = $archived;
    };
}
pub(crate) use plain_record;

/// The records' list and create, and get and replace of one, with their
/// OpenAPI operations.
pub(crate) fn api_routes<R: ApiResource>(r: OpenApiRouter<AppState>) -> OpenApiRouter<AppState> {
    let d = &R::DOC;
    let list_path = if d.in_hub {
        format!("/hubs/{{id}}/{}", d.many)
    } else {
        format!("/{}", d.many)
    };
    let item_path = format!("/{}/{{id}}", d.many);
    let mut schemas = Vec::new();
    for (name, schema) in [
        (R::Out::name(), R::Out::schema()),
        (R::Body::name(), R::Body::schema()),
    ] {
        schemas.push((name.into_owned(), schema));
    }
    R::Out::schemas(&mut schemas);
    R::Body::schemas(&mut schemas);

    let mut collection = Paths::new();
    collection.add_path_operation(&list_path, vec![HttpMethod::Get], list_operation::<R>());
    collection.add_path_operation(&list_path, vec![HttpMethod::Post], create_operation::<R>());
    let mut one = Paths::new();
    one.add_path_operation(&item_path, vec![HttpMethod::Get], get_operation::<R>());
    one.add_path_operation(&item_path, vec![HttpMethod::Put], update_operation::<R>());
    r.routes((
        schemas.clone(),
        collection,
        get(list::<R>).post(create::<R>),
    ))
    .routes((schemas, one, get(get_one::<R>).put(update::<R>)))
}

// ---------------------------------------------------------------- handlers

/// The hub's id from a hub's records' path (`/hubs/{id}/zones`), if any.
fn hub_id(params: &RawPathParams) -> AppResult<Option<Uuid>> {
    params
        .iter()
        .next()
        .map(|(_, raw)| path_id(raw))
        .transpose()
}

/// The hub of a hub's records' path, which must exist.
async fn hub_of(state: &AppState, hub: Option<Uuid>) -> AppResult<()> {
    if let Some(id) = hub {
        state.store.get_hub(id).await?;
    }
    Ok(())
}

/// Whoever may read records of `R`: anyone, or for kinds with `READERS`
/// a caller with a token who is one of them. Only then is the caller
/// looked up, so public reads cost no session lookup.
struct Reader<R>(PhantomData<R>);

impl<R: ApiResource> FromRequestParts<AppState> for Reader<R> {
    type Rejection = AppError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> AppResult<Self> {
        if let Some(may) = R::READERS {
            require(&Auth::from_request_parts(parts, state).await?, may)?;
        }
        Ok(Reader(PhantomData))
    }
}

/// A page of the records. These are small configuration tables, so the
/// store's whole ordered list is read and paged here, after the record
/// whose id the cursor names (a record renamed between two pages may move
/// across the page boundary, as it would in any name-ordered list).
async fn list<R: ApiResource>(
    State(state): State<AppState>,
    _: Reader<R>,
    params: RawPathParams,
    paging: Paging,
    Query(q): Query<ListQuery>,
) -> AppResult<Response> {
    let hub = hub_id(&params)?;
    hub_of(&state, hub).await?;
    let list = R::DOC.many;
    // The page's JSON, after a first line with the next page's cursor (if
    // any), so that the public cache keeps both.
    let render = || async {
        let all: Vec<R::Stored> = (R::LIST)(&*state.store, hub.unwrap_or_default())
            .await?
            .into_iter()
            .filter(|s| q.include_archived || !R::ARCHIVED.is_some_and(|archived| archived(s)))
            .collect();
        let (shown, next) = paging.page_in_memory(list, all, |s| R::key(s).0)?;
        let shown: Vec<R::Out> = shown.into_iter().map(Into::into).collect();
        let json = serde_json::to_string(&shown).map_err(|e| AppError::Internal(Box::new(e)))?;
        Ok(format!("{}\n{json}", next.unwrap_or_default()))
    };
    // Only the first page at the default size is cached (the most-read
    // answer): keys made of any limit and cursor would let callers grow
    // the cache without bound.
    let text = if R::CACHED && paging.is_default_first() {
        let key = format!("api:{list}:{}", q.include_archived);
        state.cache.get_or_render(&key, render).await?.to_string()
    } else {
        render().await?
    };
    let (next, json) = text.split_once('\n').unwrap_or(("", &text));
    let next = Some(next).filter(|n| !n.is_empty());
    Ok(paging.respond(
        (
            [(header::CONTENT_TYPE, "application/json")],
            json.to_string(),
        ),
        next,
    ))
}

async fn get_one<R: ApiResource>(
    State(state): State<AppState>,
    _: Reader<R>,
    Path(id): Path<String>,
) -> AppResult<Json<R::Out>> {
    Ok(Json((R::GET)(&*state.store, path_id(&id)?).await?.into()))
}

async fn create<R: ApiResource>(
    State(state): State<AppState>,
    auth: Auth,
    params: RawPathParams,
    body: ApiJson<R::Body>,
) -> AppResult<(StatusCode, Json<R::Out>)> {
    let hub = hub_id(&params)?;
    require(&auth, |p| may_write(p, hub))?;
    hub_of(&state, hub).await?;
    let body = body.parse()?;
    let id = new_id();
    let record = R::record(&state, body, At { id, hub, old: None })?;
    (R::INSERT)(&*state.store, &record).await?;
    let shown: R::Out = (R::GET)(&*state.store, id).await?.into();
    let actor = auth.require().ok().map(|p| p.person_id);
    let action = format!("{}.created", R::DOC.one);
    audit::record(
        &state,
        actor,
        &action,
        (R::DOC.one, id),
        audit::changes(&(), &shown),
    )
    .await;
    Ok((StatusCode::CREATED, Json(shown)))
}

async fn update<R: ApiResource>(
    State(state): State<AppState>,
    auth: Auth,
    Path(id): Path<String>,
    body: ApiJson<R::Body>,
) -> AppResult<Json<R::Out>> {
    let p = require(&auth, |_| true)?;
    let old = (R::GET)(&*state.store, path_id(&id)?).await?;
    if !R::may_replace(&p, &old) {
        return Err(AppError::Forbidden);
    }
    let body = body.parse()?;
    let (id, hub) = R::key(&old);
    let before = serde_json::to_value(R::Out::from(old.clone()))
        .map_err(|e| AppError::Internal(Box::new(e)))?;
    let record = R::record(
        &state,
        body,
        At {
            id,
            hub,
            old: Some(old),
        },
    )?;
    (R::UPDATE)(&*state.store, &record).await?;
    let shown: R::Out = (R::GET)(&*state.store, id).await?.into();
    let action = format!("{}.updated", R::DOC.one);
    let details = audit::changes(&before, &shown);
    audit::record(
        &state,
        Some(p.person_id),
        &action,
        (R::DOC.one, id),
        details,
    )
    .await;
    Ok(Json(shown))
}

// ------------------------------------------------------------ the document

fn reference<T: ToSchema>() -> RefOr<Schema> {
    RefOr::Ref(Ref::from_schema_name(T::name()))
}

fn json_response(op: OperationBuilder, status: u16, schema: RefOr<Schema>) -> OperationBuilder {
    let content = ContentBuilder::new().schema(Some(schema)).build();
    let response = ResponseBuilder::new()
        .description("")
        .content("application/json", content);
    op.response(status.to_string(), response.build())
}

/// An operation with its id, tag and summary, the records' schema answered
/// with `ok`, the errors `errors` in the API's error shape, and the token
/// requirement when `secured`.
fn operation(
    id: String,
    summary: Option<&str>,
    ok: Option<(u16, RefOr<Schema>)>,
    errors: &[u16],
    secured: bool,
    tag: &str,
) -> OperationBuilder {
    let mut op = OperationBuilder::new()
        .operation_id(Some(id))
        .summary(summary)
        .tag(tag);
    if let Some((status, schema)) = ok {
        op = json_response(op, status, schema);
    }
    for &status in errors {
        op = json_response(op, status, reference::<ErrorBody>());
    }
    if secured {
        op = op.security(SecurityRequirement::new("token", Vec::<String>::new()));
    }
    op
}

fn id_parameter() -> Parameter {
    ParameterBuilder::new()
        .name("id")
        .parameter_in(ParameterIn::Path)
        .required(Required::True)
        .schema(Some(ObjectBuilder::new().schema_type(Type::String)))
        .build()
}

fn body<R: ApiResource>() -> utoipa::openapi::request_body::RequestBody {
    RequestBodyBuilder::new()
        .content(
            "application/json",
            ContentBuilder::new()
                .schema(Some(reference::<R::Body>()))
                .build(),
        )
        .required(Some(Required::True))
        .build()
}

fn list_operation<R: ApiResource>() -> Operation {
    let d = &R::DOC;
    let private = R::READERS.is_some();
    // 422: a `limit` out of range or a cursor the list did not give.
    let errors: &[u16] = match (private, d.in_hub) {
        (true, _) => &[401, 403, 422],
        (false, true) => &[404, 422],
        (false, false) => &[422],
    };
    let all = ArrayBuilder::new().items(reference::<R::Out>()).build();
    let content = ContentBuilder::new()
        .schema(Some(RefOr::T(Schema::Array(all))))
        .build();
    let page = ResponseBuilder::new()
        .description("A page of the records, by name; more after it when there is a `Link` header.")
        .content("application/json", content)
        .header("Link", link_header());
    let mut op = operation(
        format!("list_{}", d.many),
        d.list_summary,
        None,
        errors,
        private,
        d.tag,
    )
    .response("200", page.build());
    for p in paging_parameters() {
        op = op.parameter(p);
    }
    if R::ARCHIVED.is_some() {
        for p in ListQuery::into_params(|| Some(ParameterIn::Query)) {
            op = op.parameter(p);
        }
    }
    if d.in_hub {
        op = op.parameter(id_parameter());
    }
    op.build()
}

fn create_operation<R: ApiResource>() -> Operation {
    let d = &R::DOC;
    let mut errors = vec![401, 403];
    errors.extend(d.in_hub.then_some(404));
    errors.extend(d.create_conflict.then_some(409));
    errors.push(422);
    let mut op = operation(
        format!("create_{}", d.one),
        d.create_summary,
        Some((201, reference::<R::Out>())),
        &errors,
        true,
        d.tag,
    )
    .request_body(Some(body::<R>()));
    if d.in_hub {
        op = op.parameter(id_parameter());
    }
    op.build()
}

fn get_operation<R: ApiResource>() -> Operation {
    let d = &R::DOC;
    let private = R::READERS.is_some();
    let errors: &[u16] = if private { &[401, 403, 404] } else { &[404] };
    operation(
        format!("get_{}", d.one),
        None,
        Some((200, reference::<R::Out>())),
        errors,
        private,
        d.tag,
    )
    .parameter(id_parameter())
    .build()
}

fn update_operation<R: ApiResource>() -> Operation {
    let d = &R::DOC;
    let mut errors = vec![401, 403, 404];
    errors.extend(d.update_conflict.then_some(409));
    errors.push(422);
    let summary = match (d.update_summary, d.create_summary) {
        (Some(summary), _) => summary.to_string(),
        (None, who) => format!("Replaces the {}. {}", d.one, who.unwrap_or_default()),
    };
    operation(
        format!("update_{}", d.one),
        Some(summary.trim_end()),
        Some((200, reference::<R::Out>())),
        &errors,
        true,
        d.tag,
    )
    .parameter(id_parameter())
    .request_body(Some(body::<R>()))
    .build()
}
