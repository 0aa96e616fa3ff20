//! [`PeopleStore`] for PostgreSQL: organisations, people and their roles,
//! passwords, sessions, login failures and API tokens. The queries both
//! backends run, and `impl PeopleStore`, are in
//! [`thirdplace_store::sql::people`]; here are the role lists (UUID arrays)
//! and writing a person with its roles.

use crate::dialect::Pg;
use crate::{db, write_err, PostgresStore};
use sqlx::postgres::PgRow;
use sqlx::Row;
use thirdplace_domain::Person;
use thirdplace_store::sql::people::{self as shared, PeopleDialect};
use thirdplace_store::StoreResult;
use uuid::Uuid;

impl PeopleDialect for Pg {
    /// Each role list comes sorted as one UUID array from a correlated
    /// subquery.
    const PERSON: &'static str = "SELECT p.*, \
         ARRAY(SELECT hub_id FROM hub_hosts WHERE person_id = p.id ORDER BY hub_id) AS hub_ids, \
         ARRAY(SELECT organisation_id FROM organisation_admins WHERE person_id = p.id ORDER BY organisation_id) AS org_ids, \
         ARRAY(SELECT operator_id FROM operator_staff WHERE person_id = p.id ORDER BY operator_id) AS staff_ids \
         FROM people p";
    /// Bytewise ("C") as in SQLite, so both backends order and page alike.
    const BYTEWISE: &'static str = r#" COLLATE "C""#;

    /// PostgreSQL orders UUIDs bytewise, as `Uuid`'s `Ord` does.
    fn role_ids(r: &PgRow, name: &str) -> Result<Vec<Uuid>, sqlx::Error> {
        r.try_get(name)
    }
}

impl PostgresStore {
    /// The person row and their role lists in one transaction. Unknown
    /// references fail on their foreign keys, which roll the whole write back.
    pub(crate) async fn write_person(&self, p: &Person, insert: bool) -> StoreResult<()> {
        let mut tx = self.pool.begin().await.map_err(db)?;
        shared::write_person_row::<Pg>(&mut tx, p, insert).await?;
        if !p.hosted_hub_ids.is_empty() {
            sqlx::query("INSERT INTO hub_hosts (person_id, hub_id) SELECT $1, unnest($2::uuid[])")
                .bind(p.id)
                .bind(&p.hosted_hub_ids)
                .execute(&mut *tx)
                .await
                .map_err(write_err)?;
        }
        if !p.admin_of_organisation_ids.is_empty() {
            sqlx::query("INSERT INTO organisation_admins (person_id, organisation_id) SELECT $1, unnest($2::uuid[])")
                .bind(p.id)
                .bind(&p.admin_of_organisation_ids)
                .execute(&mut *tx)
                .await
                .map_err(write_err)?;
        }
        shared::write_staff_roles::<Pg>(&mut tx, p).await?;
        tx.commit().await.map_err(db)
    }
}
