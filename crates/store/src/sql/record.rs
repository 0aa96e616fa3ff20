//! Rows written whole by their id (regions, municipalities, operators,
//! hubs, zones, rooms, plans): each kind says once which columns it has and
//! what it refers to ([`Record`]), and both backends write it with the one
//! `INSERT` or `UPDATE` built here, in their own placeholders
//! ([`QueryBuilder`]). How a write's errors are mapped, and how a refused
//! reference is named, stays with each backend.

use super::{one, Bind, Fetch, Statement};
use crate::StoreResult;
use sqlx::{Database, Encode, Executor, IntoArguments, QueryBuilder, Type};
use uuid::Uuid;

/// A row that is inserted and updated whole, keyed by its `id` column.
pub trait Record {
    /// Its table.
    const TABLE: &'static str;

    fn id(&self) -> Uuid;

    /// Its columns but `id`, with their values, in the order they are written.
    fn columns(&self) -> Vec<(&'static str, Bind<'_>)>;

    /// The rows it refers to, as `(table, id, the caller's field)`. A
    /// backend whose foreign-key errors do not say which key failed (SQLite)
    /// checks them first, to name the field.
    fn references(&self) -> Vec<(&'static str, Uuid, &'static str)> {
        Vec::new()
    }
}

/// `INSERT INTO table (columns…, id) VALUES (…)` when `insert`, else
/// `UPDATE table SET column = …, … WHERE id = …`, with `r`'s values bound.
pub fn write<'a, DB, R>(r: &'a R, insert: bool) -> QueryBuilder<'a, DB>
where
    DB: Database,
    R: Record,
    Bind<'a>: Encode<'a, DB> + Type<DB>,
{
    let columns = r.columns();
    let mut q = QueryBuilder::new("");
    if insert {
        let names: Vec<&str> = columns.iter().map(|(name, _)| *name).collect();
        q.push(format!(
            "INSERT INTO {} ({}, id) VALUES (",
            R::TABLE,
            names.join(", ")
        ));
        for (_, value) in columns {
            q.push_bind(value).push(", ");
        }
        q.push_bind(Bind::Id(r.id())).push(")");
    } else {
        q.push(format!("UPDATE {} SET ", R::TABLE));
        for (i, (name, value)) in columns.into_iter().enumerate() {
            let comma = if i == 0 { "" } else { ", " };
            q.push(format!("{comma}{name} = ")).push_bind(value);
        }
        q.push(" WHERE id = ").push_bind(Bind::Id(r.id()));
    }
    q
}

/// Every row of `table`, in `order` (an `ORDER BY` clause: how names sort
/// is the backend's to say).
pub async fn all_rows<'c, DB, E, T>(
    e: E,
    (table, order): (&str, &str),
    map: fn(&DB::Row) -> Result<T, sqlx::Error>,
) -> StoreResult<Vec<T>>
where
    DB: Database,
    E: Executor<'c, Database = DB>,
    for<'a> DB::Arguments<'a>: IntoArguments<'a, DB>,
    T: Send,
{
    sqlx::query(&format!("SELECT * FROM {table} {order}"))
        .all(e, map)
        .await
}

/// A look-up of one table's rows by one column's value:
/// `SELECT * FROM table WHERE column = value rest`, where `rest` is a
/// further condition or an order.
#[derive(Debug, Clone, Copy)]
pub struct Where {
    pub table: &'static str,
    pub column: &'static str,
    pub rest: &'static str,
}

/// The rows `w` finds for `value`.
pub async fn rows_where<'c, DB, E, T>(
    e: E,
    w: Where,
    value: Uuid,
    map: fn(&DB::Row) -> Result<T, sqlx::Error>,
) -> StoreResult<Vec<T>>
where
    DB: Database,
    E: Executor<'c, Database = DB>,
    for<'a> Bind<'a>: Encode<'a, DB> + Type<DB>,
    for<'a> DB::Arguments<'a>: IntoArguments<'a, DB>,
    T: Send,
{
    let Where {
        table,
        column,
        rest,
    } = w;
    let (sql, args) = Statement::<DB>::new(&format!("SELECT * FROM {table} WHERE {column} = "))
        .bind(Bind::Id(value))
        .push(" ")
        .push(rest)
        .finish()?;
    sqlx::query_with(&sql, args).all(e, map).await
}

/// The row of `table` with the id `id`; `NotFound` if none.
pub async fn row_by_id<'c, DB, E, T>(
    e: E,
    table: &'static str,
    id: Uuid,
    map: fn(&DB::Row) -> Result<T, sqlx::Error>,
) -> StoreResult<T>
where
    DB: Database,
    E: Executor<'c, Database = DB>,
    for<'a> Bind<'a>: Encode<'a, DB> + Type<DB>,
    for<'a> DB::Arguments<'a>: IntoArguments<'a, DB>,
    T: Send,
{
    let by_id = Where {
        table,
        column: "id",
        rest: "",
    };
    one(rows_where(e, by_id, id, map).await?)
}
