//! [`PeopleStore`] for SQLite: organisations, people and their roles,
//! passwords, sessions, login failures and API tokens.

use crate::WriteOne;
use crate::{db, decode, must_exist, one, write_err, Bind, SqliteStore};
use async_trait::async_trait;
use chrono::{DateTime, Utc};
use sqlx::sqlite::{Sqlite, SqliteConnection, SqliteRow};
use sqlx::QueryBuilder;
use sqlx::Row;
use thirdplace_domain::{Email, Organisation, Person};
use thirdplace_store::sql::FetchValue;
use thirdplace_store::sql::{api_token, organisation};
use thirdplace_store::{ApiToken, PeopleFilter, PeopleStore, Session, StoreError, StoreResult};
use uuid::Uuid;

/// People with their roles; the role lists come as comma-separated hex from
/// correlated subqueries so one query loads a whole list.
const PERSON: &str = "SELECT p.*, \
     (SELECT group_concat(hex(hub_id)) FROM hub_hosts WHERE person_id = p.id) AS hub_ids, \
     (SELECT group_concat(hex(organisation_id)) FROM organisation_admins WHERE person_id = p.id) AS org_ids \
     FROM people p";

fn id_list(s: Option<String>) -> Result<Vec<Uuid>, sqlx::Error> {
    let mut ids = s
        .unwrap_or_default()
        .split(',')
        .filter(|x| !x.is_empty())
        .map(|x| Uuid::parse_str(x).map_err(|e| decode("role id", e)))
        .collect::<Result<Vec<_>, _>>()?;
    ids.sort();
    Ok(ids)
}

fn person(r: &SqliteRow) -> Result<Person, sqlx::Error> {
    Ok(Person {
        id: r.try_get("id")?,
        first_name: r.try_get("first_name")?,
        last_name: r.try_get("last_name")?,
        email: Email::from_stored(r.try_get("email")?),
        organisation_id: r.try_get("organisation_id")?,
        is_network_admin: r.try_get("is_network_admin")?,
        hosted_hub_ids: id_list(r.try_get("hub_ids")?)?,
        admin_of_organisation_ids: id_list(r.try_get("org_ids")?)?,
        archived: r.try_get("archived")?,
    })
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
        self.fetch(
            "SELECT * FROM organisations ORDER BY name",
            None,
            organisation,
        )
        .await
    }

    #[tracing::instrument(level = "debug", skip_all)]
    async fn get_organisation(&self, id: Uuid) -> StoreResult<Organisation> {
        one(self
            .fetch(
                "SELECT * FROM organisations WHERE id = ?",
                Some(id),
                organisation,
            )
            .await?)
    }

    #[tracing::instrument(level = "debug", skip_all)]
    async fn insert_organisation(&self, o: &Organisation) -> StoreResult<()> {
        self.write_simple(
            "INSERT INTO organisations (name, org_number, kind, archived, id) VALUES (?, ?, ?, ?, ?)",
            vec![Bind::Text(&o.name), Bind::Text(o.org_number.as_str()), Bind::Text(o.kind.key()), Bind::Bool(o.archived), Bind::Id(o.id)],
        )
        .await
    }

    #[tracing::instrument(level = "debug", skip_all)]
    async fn update_organisation(&self, o: &Organisation) -> StoreResult<()> {
        self.write_simple(
            "UPDATE organisations SET name = ?, org_number = ?, kind = ?, archived = ? WHERE id = ?",
            vec![Bind::Text(&o.name), Bind::Text(o.org_number.as_str()), Bind::Text(o.kind.key()), Bind::Bool(o.archived), Bind::Id(o.id)],
        )
        .await
    }

    #[tracing::instrument(level = "debug", skip_all)]
    async fn list_people(&self, organisation_id: Option<Uuid>) -> StoreResult<Vec<Person>> {
        match organisation_id {
            Some(org) => {
                self.fetch(
                    &format!(
                        "{PERSON} WHERE p.organisation_id = ? ORDER BY p.first_name, p.last_name"
                    ),
                    Some(org),
                    person,
                )
                .await
            }
            None => {
                self.fetch(
                    &format!("{PERSON} ORDER BY p.first_name, p.last_name"),
                    None,
                    person,
                )
                .await
            }
        }
    }

    #[tracing::instrument(level = "debug", skip_all)]
    async fn list_people_page(&self, f: &PeopleFilter) -> StoreResult<Vec<Person>> {
        let mut q = QueryBuilder::<Sqlite>::new(format!("{PERSON} WHERE 1 = 1"));
        if let Some(orgs) = &f.organisation_ids {
            q.push(" AND (p.organisation_id IN (NULL");
            for o in orgs {
                q.push(", ").push_bind(*o);
            }
            q.push(")");
            if let Some(me) = f.or_person {
                q.push(" OR p.id = ").push_bind(me);
            }
            q.push(")");
        }
        if !f.include_archived {
            q.push(" AND p.archived = 0");
        }
        // SQLite compares text bytewise (BINARY), as the order does.
        if let Some((first, last, id)) = &f.after {
            q.push(" AND (p.first_name, p.last_name, p.id) > (")
                .push_bind(first.clone())
                .push(", ")
                .push_bind(last.clone())
                .push(", ")
                .push_bind(*id)
                .push(")");
        }
        q.push(" ORDER BY p.first_name, p.last_name, p.id LIMIT ")
            .push_bind(f.limit.max(0));
        let r = q
            .build()
            .fetch_all(&mut *self.readers.get().await)
            .await
            .map_err(db)?;
        thirdplace_store::sql::rows(&r, person)
    }

    #[tracing::instrument(level = "debug", skip_all)]
    async fn get_person(&self, id: Uuid) -> StoreResult<Person> {
        one(self
            .fetch(&format!("{PERSON} WHERE p.id = ?"), Some(id), person)
            .await?)
    }

    #[tracing::instrument(level = "debug", skip_all)]
    async fn find_person_by_email(&self, email: &str) -> StoreResult<Option<Person>> {
        let row = sqlx::query(&format!("{PERSON} WHERE p.email = ?"))
            .bind(email)
            .fetch_optional(&mut *self.readers.get().await)
            .await
            .map_err(db)?;
        row.as_ref().map(person).transpose().map_err(db)
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
        let row: Option<Option<String>> =
            sqlx::query_scalar("SELECT password_hash FROM people WHERE id = ?")
                .bind(person_id)
                .optional_value(&mut *self.readers.get().await)
                .await?;
        row.ok_or(StoreError::NotFound)
    }

    #[tracing::instrument(level = "debug", skip_all)]
    async fn set_password_hash(&self, person_id: Uuid, hash: &str) -> StoreResult<()> {
        self.write_simple(
            "UPDATE people SET password_hash = ? WHERE id = ?",
            vec![Bind::Text(hash), Bind::Id(person_id)],
        )
        .await
    }

    #[tracing::instrument(level = "debug", skip_all)]
    async fn insert_session(&self, s: &Session) -> StoreResult<()> {
        sqlx::query(
            "INSERT INTO sessions (id_hash, person_id, created_at, expires_at) VALUES (?, ?, ?, ?)",
        )
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
            "{PERSON} JOIN sessions s ON s.person_id = p.id WHERE s.id_hash = ? AND s.expires_at > ? AND p.archived = 0"
        ))
        .bind(id_hash)
        .bind(now)
        .fetch_optional(&mut *self.readers.get().await)
        .await
        .map_err(db)?;
        row.as_ref().map(person).transpose().map_err(db)
    }

    #[tracing::instrument(level = "debug", skip_all)]
    async fn delete_session(&self, id_hash: &str) -> StoreResult<()> {
        sqlx::query("DELETE FROM sessions WHERE id_hash = ?")
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
        sqlx::query("DELETE FROM sessions WHERE person_id = ? AND id_hash IS NOT ?")
            .bind(person_id)
            .bind(except_id_hash)
            .execute(&self.pool)
            .await
            .map_err(db)
            .map(|_| ())
    }

    #[tracing::instrument(level = "debug", skip_all)]
    async fn insert_api_token(&self, t: &ApiToken) -> StoreResult<()> {
        sqlx::query("INSERT INTO api_tokens (id, person_id, name, token_hash, created_at, revoked_at) VALUES (?, ?, ?, ?, ?, ?)")
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
            "SELECT * FROM api_tokens WHERE person_id = ? ORDER BY created_at DESC, id DESC",
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
        sqlx::query("UPDATE api_tokens SET revoked_at = coalesce(revoked_at, ?) WHERE id = ? AND person_id = ?")
            .bind(at)
            .bind(token_id)
            .bind(person_id)
            .write_one(&self.pool, db)
            .await
    }

    #[tracing::instrument(level = "debug", skip_all)]
    async fn token_person(&self, token_hash: &str) -> StoreResult<Option<Person>> {
        let row = sqlx::query(&format!(
            "{PERSON} JOIN api_tokens t ON t.person_id = p.id WHERE t.token_hash = ? AND t.revoked_at IS NULL AND p.archived = 0"
        ))
        .bind(token_hash)
        .fetch_optional(&mut *self.readers.get().await)
        .await
        .map_err(db)?;
        row.as_ref().map(person).transpose().map_err(db)
    }
}
