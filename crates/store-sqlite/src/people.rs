//! [`PeopleStore`] for SQLite: organisations, people and their roles,
//! passwords, sessions, login failures and API tokens. The queries both
//! backends run are in [`thirdplace_store::sql::people`]; here are the role
//! lists (comma-separated hex) and writing a person with its roles.

use crate::dialect::Lite;
use crate::WriteOne;
use crate::{db, decode, must_exist, write_err, SqliteStore};
use async_trait::async_trait;
use chrono::{DateTime, Utc};
use sqlx::sqlite::{SqliteConnection, SqliteRow};
use sqlx::Row;
use thirdplace_domain::{Organisation, Person};
use thirdplace_store::sql::people::{self as shared, PeopleDialect};
use thirdplace_store::{ApiToken, PeopleFilter, PeopleStore, Session, StoreResult};
use uuid::Uuid;

impl PeopleDialect for Lite {
    /// The role lists come as comma-separated hex from correlated
    /// subqueries.
    const PERSON: &'static str = "SELECT p.*, \
         (SELECT group_concat(hex(hub_id)) FROM hub_hosts WHERE person_id = p.id) AS hub_ids, \
         (SELECT group_concat(hex(organisation_id)) FROM organisation_admins WHERE person_id = p.id) AS org_ids \
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

impl SqliteStore {
    async fn write_person(
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
        let sql = if insert {
            "INSERT INTO people (first_name, last_name, email, organisation_id, is_network_admin, archived, id) VALUES (?, ?, ?, ?, ?, ?, ?)"
        } else {
            "UPDATE people SET first_name = ?, last_name = ?, email = ?, organisation_id = ?, is_network_admin = ?, archived = ? WHERE id = ?"
        };
        sqlx::query(sql)
            .bind(&p.first_name)
            .bind(&p.last_name)
            .bind(p.email.as_str())
            .bind(p.organisation_id)
            .bind(p.is_network_admin)
            .bind(p.archived)
            .bind(p.id)
            .write_one(&mut *conn, write_err)
            .await?;
        sqlx::query("DELETE FROM hub_hosts WHERE person_id = ?")
            .bind(p.id)
            .execute(&mut *conn)
            .await
            .map_err(db)?;
        sqlx::query("DELETE FROM organisation_admins WHERE person_id = ?")
            .bind(p.id)
            .execute(&mut *conn)
            .await
            .map_err(db)?;
        for h in &p.hosted_hub_ids {
            sqlx::query("INSERT INTO hub_hosts (person_id, hub_id) VALUES (?, ?)")
                .bind(p.id)
                .bind(h)
                .execute(&mut *conn)
                .await
                .map_err(write_err)?;
        }
        for o in &p.admin_of_organisation_ids {
            sqlx::query(
                "INSERT INTO organisation_admins (person_id, organisation_id) VALUES (?, ?)",
            )
            .bind(p.id)
            .bind(o)
            .execute(&mut *conn)
            .await
            .map_err(write_err)?;
        }
        Ok(())
    }
}

#[async_trait]
impl PeopleStore for SqliteStore {
    #[tracing::instrument(level = "debug", skip_all)]
    async fn list_organisations(&self) -> StoreResult<Vec<Organisation>> {
        shared::list_organisations::<Lite>(&mut *self.readers.get().await).await
    }

    #[tracing::instrument(level = "debug", skip_all)]
    async fn get_organisation(&self, id: Uuid) -> StoreResult<Organisation> {
        shared::get_organisation::<Lite>(&mut *self.readers.get().await, id).await
    }

    #[tracing::instrument(level = "debug", skip_all)]
    async fn insert_organisation(&self, o: &Organisation) -> StoreResult<()> {
        shared::write_organisation::<Lite>(&mut *self.pooled().await?, o, true).await
    }

    #[tracing::instrument(level = "debug", skip_all)]
    async fn update_organisation(&self, o: &Organisation) -> StoreResult<()> {
        shared::write_organisation::<Lite>(&mut *self.pooled().await?, o, false).await
    }

    #[tracing::instrument(level = "debug", skip_all)]
    async fn list_people(&self, organisation_id: Option<Uuid>) -> StoreResult<Vec<Person>> {
        shared::list_people::<Lite>(&mut *self.readers.get().await, organisation_id).await
    }

    #[tracing::instrument(level = "debug", skip_all)]
    async fn list_people_page(&self, f: &PeopleFilter) -> StoreResult<Vec<Person>> {
        shared::list_people_page::<Lite>(&mut *self.readers.get().await, f).await
    }

    #[tracing::instrument(level = "debug", skip_all)]
    async fn get_person(&self, id: Uuid) -> StoreResult<Person> {
        shared::get_person::<Lite>(&mut *self.readers.get().await, id).await
    }

    #[tracing::instrument(level = "debug", skip_all)]
    async fn find_person_by_email(&self, email: &str) -> StoreResult<Option<Person>> {
        shared::find_person_by_email::<Lite>(&mut *self.readers.get().await, email).await
    }

    #[tracing::instrument(level = "debug", skip_all)]
    async fn insert_person(&self, p: &Person) -> StoreResult<()> {
        let p = p.clone();
        write!(self, |conn| Self::write_person(conn, &p, true).await)
    }

    #[tracing::instrument(level = "debug", skip_all)]
    async fn update_person(&self, p: &Person) -> StoreResult<()> {
        let p = p.clone();
        write!(self, |conn| Self::write_person(conn, &p, false).await)
    }

    #[tracing::instrument(level = "debug", skip_all)]
    async fn password_hash(&self, person_id: Uuid) -> StoreResult<Option<String>> {
        shared::password_hash::<Lite>(&mut *self.readers.get().await, person_id).await
    }

    #[tracing::instrument(level = "debug", skip_all)]
    async fn set_password_hash(&self, person_id: Uuid, hash: &str) -> StoreResult<()> {
        shared::set_password_hash::<Lite>(&mut *self.pooled().await?, person_id, hash).await
    }

    #[tracing::instrument(level = "debug", skip_all)]
    async fn insert_session(&self, s: &Session) -> StoreResult<()> {
        shared::insert_session::<Lite>(&mut *self.pooled().await?, s).await
    }

    #[tracing::instrument(level = "debug", skip_all)]
    async fn session_person(
        &self,
        id_hash: &str,
        now: DateTime<Utc>,
    ) -> StoreResult<Option<Person>> {
        shared::session_person::<Lite>(&mut *self.readers.get().await, id_hash, now).await
    }

    #[tracing::instrument(level = "debug", skip_all)]
    async fn delete_session(&self, id_hash: &str) -> StoreResult<()> {
        shared::delete_session::<Lite>(&mut *self.pooled().await?, id_hash).await
    }

    #[tracing::instrument(level = "debug", skip_all)]
    async fn delete_sessions_of(
        &self,
        person_id: Uuid,
        except_id_hash: Option<&str>,
    ) -> StoreResult<()> {
        let mut conn = self.pooled().await?;
        shared::delete_sessions_of::<Lite>(&mut conn, person_id, except_id_hash).await
    }

    #[tracing::instrument(level = "debug", skip_all)]
    async fn insert_api_token(&self, t: &ApiToken) -> StoreResult<()> {
        shared::insert_api_token::<Lite>(&mut *self.pooled().await?, t).await
    }

    #[tracing::instrument(level = "debug", skip_all)]
    async fn list_api_tokens(&self, person_id: Uuid) -> StoreResult<Vec<ApiToken>> {
        shared::list_api_tokens::<Lite>(&mut *self.readers.get().await, person_id).await
    }

    #[tracing::instrument(level = "debug", skip_all)]
    async fn revoke_api_token(
        &self,
        person_id: Uuid,
        token_id: Uuid,
        at: DateTime<Utc>,
    ) -> StoreResult<()> {
        let mut conn = self.pooled().await?;
        shared::revoke_api_token::<Lite>(&mut conn, person_id, token_id, at).await
    }

    #[tracing::instrument(level = "debug", skip_all)]
    async fn token_person(&self, token_hash: &str) -> StoreResult<Option<Person>> {
        shared::token_person::<Lite>(&mut *self.readers.get().await, token_hash).await
    }
}
