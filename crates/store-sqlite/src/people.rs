//! [`PeopleStore`] for SQLite: organisations, people and their roles,
//! passwords, sessions, login failures and API tokens. The queries both
//! backends run, and `impl PeopleStore`, are in
//! [`thirdplace_store::sql::people`]; here are the role lists
//! (comma-separated hex) and writing a person with its roles.

use crate::dialect::Lite;
use crate::{decode, must_exist, write_err};
use sqlx::sqlite::{SqliteConnection, SqliteRow};
use sqlx::Row;
use thirdplace_domain::Person;
use thirdplace_store::sql::people::{self as shared, PeopleDialect};
use thirdplace_store::StoreResult;
use uuid::Uuid;

impl PeopleDialect for Lite {
    /// The role lists come as comma-separated hex from correlated
    /// subqueries.
    const PERSON: &'static str = "SELECT p.*, \
         (SELECT group_concat(hex(hub_id)) FROM hub_hosts WHERE person_id = p.id) AS hub_ids, \
         (SELECT group_concat(hex(organisation_id)) FROM organisation_admins WHERE person_id = p.id) AS org_ids, \
         (SELECT group_concat(hex(operator_id)) FROM operator_staff WHERE person_id = p.id) AS staff_ids \
         FROM people p";
    /// SQLite compares text bytewise (BINARY) already.
    const BYTEWISE: &'static str = "";

    fn role_ids(r: &SqliteRow, name: &str) -> Result<Vec<Uuid>, sqlx::Error> {
        let s: Option<String> = r.try_get(name)?;
        let mut ids = s
            .unwrap_or_default()
            .split(',')
            .filter(|x| !x.is_empty())
            .map(|x| Uuid::parse_str(x).map_err(|e| decode("role id", e)))
            .collect::<Result<Vec<_>, _>>()?;
        ids.sort();
        Ok(ids)
    }
}

/// Writes a person with its role lists in the writer's transaction, first
/// checking the references (SQLite's foreign-key error does not name them).
pub(crate) async fn write_person(
    conn: &mut SqliteConnection,
    p: &Person,
    insert: bool,
) -> StoreResult<()> {
    if let Some(org) = p.organisation_id {
        must_exist(conn, "organisations", org, "organisation_id").await?;
    }
    for h in &p.hosted_hub_ids {
        must_exist(conn, "hubs", *h, "hosted_hub_ids").await?;
    }
    for o in &p.admin_of_organisation_ids {
        must_exist(conn, "organisations", *o, "admin_of_organisation_ids").await?;
    }
    for o in &p.staff_of_operator_ids {
        must_exist(conn, "operators", *o, "staff_of_operator_ids").await?;
    }
    shared::write_person_row::<Lite>(conn, p, insert).await?;
    for h in &p.hosted_hub_ids {
        sqlx::query("INSERT INTO hub_hosts (person_id, hub_id) VALUES (?, ?)")
            .bind(p.id)
            .bind(h)
            .execute(&mut *conn)
            .await
            .map_err(write_err)?;
    }
    for o in &p.admin_of_organisation_ids {
        sqlx::query("INSERT INTO organisation_admins (person_id, organisation_id) VALUES (?, ?)")
            .bind(p.id)
            .bind(o)
            .execute(&mut *conn)
            .await
            .map_err(write_err)?;
    }
    shared::write_staff_roles::<Lite>(conn, p).await
}
