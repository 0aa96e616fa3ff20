//! [`PeopleStore`] for PostgreSQL: organisations, people and their roles,
//! passwords, sessions, login failures and API tokens. The queries both
//! backends run are in [`thirdplace_store::sql::people`]; here are the role
//! lists (UUID arrays) and writing a person with its roles.

use crate::dialect::Pg;
use crate::WriteOne;
use crate::{db, write_err, PostgresStore};
use async_trait::async_trait;
use chrono::{DateTime, Utc};
use sqlx::postgres::PgRow;
use sqlx::Row;
use thirdplace_domain::{Organisation, Person};
use thirdplace_store::sql::people::{self as shared, PeopleDialect};
use thirdplace_store::{ApiToken, PeopleFilter, PeopleStore, Session, StoreResult};
use uuid::Uuid;

impl PeopleDialect for Pg {
    /// Each role list comes sorted as one UUID array from a correlated
    /// subquery.
    const PERSON: &'static str = "SELECT p.*, \
         ARRAY(SELECT hub_id FROM hub_hosts WHERE person_id = p.id ORDER BY hub_id) AS hub_ids, \
         ARRAY(SELECT organisation_id FROM organisation_admins WHERE person_id = p.id ORDER BY organisation_id) AS org_ids \
         FROM people p";
    /// Bytewise ("C") as in SQLite, so both backends order and page alike.
    const BYTEWISE: &'static str = r#" COLLATE "C""#;

    /// PostgreSQL orders UUIDs bytewise, as `Uuid`'s `Ord` does.
    fn role_ids(r: &PgRow, name: &str) -> Result<Vec<Uuid>, sqlx::Error> {
        r.try_get(name)
    }
}

impl PostgresStore {
    /// The person row and both role lists in one transaction. Unknown
    /// references fail on their foreign keys, which roll the whole write back.
    async fn write_person(&self, p: &Person, insert: bool) -> StoreResult<()> {
        let mut tx = self.pool.begin().await.map_err(db)?;
        let sql = if insert {
            "INSERT INTO people (first_name, last_name, email, organisation_id, is_network_admin, archived, id) \
             VALUES ($1, $2, $3, $4, $5, $6, $7)"
        } else {
            "UPDATE people SET first_name = $1, last_name = $2, email = $3, organisation_id = $4, is_network_admin = $5, \
             archived = $6 WHERE id = $7"
        };
        sqlx::query(sql)
            .bind(&p.first_name)
            .bind(&p.last_name)
            .bind(p.email.as_str())
            .bind(p.organisation_id)
            .bind(p.is_network_admin)
            .bind(p.archived)
            .bind(p.id)
            .write_one(&mut *tx, write_err)
            .await?;
        if !insert {
            sqlx::query("DELETE FROM hub_hosts WHERE person_id = $1")
                .bind(p.id)
                .execute(&mut *tx)
                .await
                .map_err(db)?;
            sqlx::query("DELETE FROM organisation_admins WHERE person_id = $1")
                .bind(p.id)
                .execute(&mut *tx)
                .await
                .map_err(db)?;
        }
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
        tx.commit().await.map_err(db)
    }
}

#[async_trait]
impl PeopleStore for PostgresStore {
    #[tracing::instrument(level = "debug", skip_all)]
    async fn list_organisations(&self) -> StoreResult<Vec<Organisation>> {
        shared::list_organisations::<Pg>(&mut *self.conn().await?).await
    }

    #[tracing::instrument(level = "debug", skip_all)]
    async fn get_organisation(&self, id: Uuid) -> StoreResult<Organisation> {
        shared::get_organisation::<Pg>(&mut *self.conn().await?, id).await
    }

    #[tracing::instrument(level = "debug", skip_all)]
    async fn insert_organisation(&self, o: &Organisation) -> StoreResult<()> {
        shared::write_organisation::<Pg>(&mut *self.conn().await?, o, true).await
    }

    #[tracing::instrument(level = "debug", skip_all)]
    async fn update_organisation(&self, o: &Organisation) -> StoreResult<()> {
        shared::write_organisation::<Pg>(&mut *self.conn().await?, o, false).await
    }

    #[tracing::instrument(level = "debug", skip_all)]
    async fn list_people(&self, organisation_id: Option<Uuid>) -> StoreResult<Vec<Person>> {
        shared::list_people::<Pg>(&mut *self.conn().await?, organisation_id).await
    }

    #[tracing::instrument(level = "debug", skip_all)]
    async fn list_people_page(&self, f: &PeopleFilter) -> StoreResult<Vec<Person>> {
        shared::list_people_page::<Pg>(&mut *self.conn().await?, f).await
    }

    #[tracing::instrument(level = "debug", skip_all)]
    async fn get_person(&self, id: Uuid) -> StoreResult<Person> {
        shared::get_person::<Pg>(&mut *self.conn().await?, id).await
    }

    #[tracing::instrument(level = "debug", skip_all)]
    async fn find_person_by_email(&self, email: &str) -> StoreResult<Option<Person>> {
        shared::find_person_by_email::<Pg>(&mut *self.conn().await?, email).await
    }

    #[tracing::instrument(level = "debug", skip_all)]
    async fn insert_person(&self, p: &Person) -> StoreResult<()> {
        self.write_person(p, true).await
    }

    #[tracing::instrument(level = "debug", skip_all)]
    async fn update_person(&self, p: &Person) -> StoreResult<()> {
        self.write_person(p, false).await
    }

    #[tracing::instrument(level = "debug", skip_all)]
    async fn password_hash(&self, person_id: Uuid) -> StoreResult<Option<String>> {
        shared::password_hash::<Pg>(&mut *self.conn().await?, person_id).await
    }

    #[tracing::instrument(level = "debug", skip_all)]
    async fn set_password_hash(&self, person_id: Uuid, hash: &str) -> StoreResult<()> {
        shared::set_password_hash::<Pg>(&mut *self.conn().await?, person_id, hash).await
    }

    #[tracing::instrument(level = "debug", skip_all)]
    async fn insert_session(&self, s: &Session) -> StoreResult<()> {
        shared::insert_session::<Pg>(&mut *self.conn().await?, s).await
    }

    #[tracing::instrument(level = "debug", skip_all)]
    async fn session_person(
        &self,
        id_hash: &str,
        now: DateTime<Utc>,
    ) -> StoreResult<Option<Person>> {
        shared::session_person::<Pg>(&mut *self.conn().await?, id_hash, now).await
    }

    #[tracing::instrument(level = "debug", skip_all)]
    async fn delete_session(&self, id_hash: &str) -> StoreResult<()> {
        shared::delete_session::<Pg>(&mut *self.conn().await?, id_hash).await
    }

    #[tracing::instrument(level = "debug", skip_all)]
    async fn delete_sessions_of(
        &self,
        person_id: Uuid,
        except_id_hash: Option<&str>,
    ) -> StoreResult<()> {
        let mut conn = self.conn().await?;
        shared::delete_sessions_of::<Pg>(&mut conn, person_id, except_id_hash).await
    }

    #[tracing::instrument(level = "debug", skip_all)]
    async fn insert_api_token(&self, t: &ApiToken) -> StoreResult<()> {
        shared::insert_api_token::<Pg>(&mut *self.conn().await?, t).await
    }

    #[tracing::instrument(level = "debug", skip_all)]
    async fn list_api_tokens(&self, person_id: Uuid) -> StoreResult<Vec<ApiToken>> {
        shared::list_api_tokens::<Pg>(&mut *self.conn().await?, person_id).await
    }

    #[tracing::instrument(level = "debug", skip_all)]
    async fn revoke_api_token(
        &self,
        person_id: Uuid,
        token_id: Uuid,
        at: DateTime<Utc>,
    ) -> StoreResult<()> {
        let mut conn = self.conn().await?;
        shared::revoke_api_token::<Pg>(&mut conn, person_id, token_id, at).await
    }

    #[tracing::instrument(level = "debug", skip_all)]
    async fn token_person(&self, token_hash: &str) -> StoreResult<Option<Person>> {
        shared::token_person::<Pg>(&mut *self.conn().await?, token_hash).await
    }
}
