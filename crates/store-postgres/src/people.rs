//! [`PeopleStore`] for PostgreSQL: organisations, people and their roles,
//! passwords, sessions, login failures and API tokens.

use crate::WriteOne;
use crate::{db, one, write_err, Bind, PostgresStore};
use async_trait::async_trait;
use chrono::{DateTime, Utc};
use sqlx::postgres::{PgRow, Postgres};
use sqlx::QueryBuilder;
use sqlx::Row;
use thirdplace_domain::{Email, Organisation, Person};
use thirdplace_store::sql::FetchValue;
use thirdplace_store::sql::{api_token, organisation};
use thirdplace_store::{ApiToken, PeopleFilter, PeopleStore, Session, StoreError, StoreResult};
use uuid::Uuid;

/// People with their roles; each role list comes sorted as one UUID array
/// from a correlated subquery, so one query loads a whole list of people.
const PERSON: &str = "SELECT p.*, \
     ARRAY(SELECT hub_id FROM hub_hosts WHERE person_id = p.id ORDER BY hub_id) AS hub_ids, \
     ARRAY(SELECT organisation_id FROM organisation_admins WHERE person_id = p.id ORDER BY organisation_id) AS org_ids \
     FROM people p";

fn person(r: &PgRow) -> Result<Person, sqlx::Error> {
    Ok(Person {
        id: r.try_get("id")?,
        first_name: r.try_get("first_name")?,
        last_name: r.try_get("last_name")?,
        email: Email::from_stored(r.try_get("email")?),
        organisation_id: r.try_get("organisation_id")?,
        is_network_admin: r.try_get("is_network_admin")?,
        // PostgreSQL orders UUIDs bytewise, as `Uuid`'s `Ord` does.
        hosted_hub_ids: r.try_get("hub_ids")?,
        admin_of_organisation_ids: r.try_get("org_ids")?,
        archived: r.try_get("archived")?,
    })
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

    async fn fetch_person(&self, sql: &str, key: &str) -> StoreResult<Option<Person>> {
        let row = sqlx::query(sql)
            .bind(key)
            .fetch_optional(&self.pool)
            .await
            .map_err(db)?;
        row.as_ref().map(person).transpose().map_err(db)
    }
}

#[async_trait]
impl PeopleStore for PostgresStore {
    #[tracing::instrument(level = "debug", skip_all)]
    async fn list_organisations(&self) -> StoreResult<Vec<Organisation>> {
        self.fetch(
            r#"SELECT * FROM organisations ORDER BY name COLLATE "C", id"#,
            None,
            organisation,
        )
        .await
    }

    #[tracing::instrument(level = "debug", skip_all)]
    async fn get_organisation(&self, id: Uuid) -> StoreResult<Organisation> {
        one(self
            .fetch(
                "SELECT * FROM organisations WHERE id = $1",
                Some(id),
                organisation,
            )
            .await?)
    }

    #[tracing::instrument(level = "debug", skip_all)]
    async fn insert_organisation(&self, o: &Organisation) -> StoreResult<()> {
        self.write_simple(
            "INSERT INTO organisations (name, org_number, kind, archived, id) VALUES ($1, $2, $3, $4, $5)",
            vec![Bind::Text(&o.name), Bind::Text(o.org_number.as_str()), Bind::Text(o.kind.key()), Bind::Bool(o.archived), Bind::Id(o.id)],
        )
        .await
    }

    #[tracing::instrument(level = "debug", skip_all)]
    async fn update_organisation(&self, o: &Organisation) -> StoreResult<()> {
        self.write_simple(
            "UPDATE organisations SET name = $1, org_number = $2, kind = $3, archived = $4 WHERE id = $5",
            vec![Bind::Text(&o.name), Bind::Text(o.org_number.as_str()), Bind::Text(o.kind.key()), Bind::Bool(o.archived), Bind::Id(o.id)],
        )
        .await
    }

    #[tracing::instrument(level = "debug", skip_all)]
    async fn list_people(&self, organisation_id: Option<Uuid>) -> StoreResult<Vec<Person>> {
        const ORDER: &str = r#"ORDER BY p.first_name COLLATE "C", p.last_name COLLATE "C", p.id"#;
        match organisation_id {
            Some(org) => {
                self.fetch(
                    &format!("{PERSON} WHERE p.organisation_id = $1 {ORDER}"),
                    Some(org),
                    person,
                )
                .await
            }
            None => self.fetch(&format!("{PERSON} {ORDER}"), None, person).await,
        }
    }

    #[tracing::instrument(level = "debug", skip_all)]
    async fn list_people_page(&self, f: &PeopleFilter) -> StoreResult<Vec<Person>> {
        let mut q = QueryBuilder::<Postgres>::new(format!("{PERSON} WHERE TRUE"));
        if let Some(orgs) = &f.organisation_ids {
            q.push(" AND (p.organisation_id = ANY(")
                .push_bind(orgs.clone())
                .push(")");
            if let Some(me) = f.or_person {
                q.push(" OR p.id = ").push_bind(me);
            }
            q.push(")");
        }
        if !f.include_archived {
            q.push(" AND NOT p.archived");
        }
        // Bytewise ("C") as in SQLite, so both backends page alike.
        if let Some((first, last, id)) = &f.after {
            q.push(r#" AND (p.first_name COLLATE "C", p.last_name COLLATE "C", p.id) > ("#)
                .push_bind(first.clone())
                .push(", ")
                .push_bind(last.clone())
                .push(", ")
                .push_bind(*id)
                .push(")");
        }
        q.push(r#" ORDER BY p.first_name COLLATE "C", p.last_name COLLATE "C", p.id LIMIT "#)
            .push_bind(f.limit.max(0));
        let r = q.build().fetch_all(&self.pool).await.map_err(db)?;
        thirdplace_store::sql::rows(&r, person)
    }

    #[tracing::instrument(level = "debug", skip_all)]
    async fn get_person(&self, id: Uuid) -> StoreResult<Person> {
        one(self
            .fetch(&format!("{PERSON} WHERE p.id = $1"), Some(id), person)
            .await?)
    }

    #[tracing::instrument(level = "debug", skip_all)]
    async fn find_person_by_email(&self, email: &str) -> StoreResult<Option<Person>> {
        self.fetch_person(&format!("{PERSON} WHERE p.email = $1"), email)
            .await
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
        let row: Option<Option<String>> =
            sqlx::query_scalar("SELECT password_hash FROM people WHERE id = $1")
                .bind(person_id)
                .optional_value(&self.pool)
                .await?;
        row.ok_or(StoreError::NotFound)
    }

    #[tracing::instrument(level = "debug", skip_all)]
    async fn set_password_hash(&self, person_id: Uuid, hash: &str) -> StoreResult<()> {
        self.write_simple(
            "UPDATE people SET password_hash = $1 WHERE id = $2",
            vec![Bind::Text(hash), Bind::Id(person_id)],
        )
        .await
    }

    #[tracing::instrument(level = "debug", skip_all)]
    async fn insert_session(&self, s: &Session) -> StoreResult<()> {
        sqlx::query("INSERT INTO sessions (id_hash, person_id, created_at, expires_at) VALUES ($1, $2, $3, $4)")
            .bind(&s.id_hash)
            .bind(s.person_id)
            .bind(s.created_at)
            .bind(s.expires_at)
            .execute(&self.pool)
            .await
            .map_err(write_err)
            .map(|_| ())
    }

    #[tracing::instrument(level = "debug", skip_all)]
    async fn session_person(
        &self,
        id_hash: &str,
        now: DateTime<Utc>,
    ) -> StoreResult<Option<Person>> {
        let row = sqlx::query(&format!(
            "{PERSON} JOIN sessions s ON s.person_id = p.id WHERE s.id_hash = $1 AND s.expires_at > $2 AND NOT p.archived"
        ))
        .bind(id_hash)
        .bind(now)
        .fetch_optional(&self.pool)
        .await
        .map_err(db)?;
        row.as_ref().map(person).transpose().map_err(db)
    }

    #[tracing::instrument(level = "debug", skip_all)]
    async fn delete_session(&self, id_hash: &str) -> StoreResult<()> {
        sqlx::query("DELETE FROM sessions WHERE id_hash = $1")
            .bind(id_hash)
            .execute(&self.pool)
            .await
            .map_err(db)
            .map(|_| ())
    }

    #[tracing::instrument(level = "debug", skip_all)]
    async fn delete_sessions_of(
        &self,
        person_id: Uuid,
        except_id_hash: Option<&str>,
    ) -> StoreResult<()> {
        sqlx::query("DELETE FROM sessions WHERE person_id = $1 AND id_hash IS DISTINCT FROM $2")
            .bind(person_id)
            .bind(except_id_hash)
            .execute(&self.pool)
            .await
            .map_err(db)
            .map(|_| ())
    }

    #[tracing::instrument(level = "debug", skip_all)]
    async fn insert_api_token(&self, t: &ApiToken) -> StoreResult<()> {
        sqlx::query("INSERT INTO api_tokens (id, person_id, name, token_hash, created_at, revoked_at) VALUES ($1, $2, $3, $4, $5, $6)")
            .bind(t.id)
            .bind(t.person_id)
            .bind(&t.name)
            .bind(&t.token_hash)
            .bind(t.created_at)
            .bind(t.revoked_at)
            .execute(&self.pool)
            .await
            .map_err(write_err)
            .map(|_| ())
    }

    #[tracing::instrument(level = "debug", skip_all)]
    async fn list_api_tokens(&self, person_id: Uuid) -> StoreResult<Vec<ApiToken>> {
        self.fetch(
            "SELECT * FROM api_tokens WHERE person_id = $1 ORDER BY created_at DESC, id DESC",
            Some(person_id),
            api_token,
        )
        .await
    }

    #[tracing::instrument(level = "debug", skip_all)]
    async fn revoke_api_token(
        &self,
        person_id: Uuid,
        token_id: Uuid,
        at: DateTime<Utc>,
    ) -> StoreResult<()> {
        sqlx::query("UPDATE api_tokens SET revoked_at = coalesce(revoked_at, $1) WHERE id = $2 AND person_id = $3")
            .bind(at)
            .bind(token_id)
            .bind(person_id)
            .write_one(&self.pool, db)
            .await
    }

    #[tracing::instrument(level = "debug", skip_all)]
    async fn token_person(&self, token_hash: &str) -> StoreResult<Option<Person>> {
        self.fetch_person(
            &format!("{PERSON} JOIN api_tokens t ON t.person_id = p.id WHERE t.token_hash = $1 AND t.revoked_at IS NULL AND NOT p.archived"),
            token_hash,
        )
        .await
    }
}
