//! People in both SQL backends: organisations, people with their roles,
//! passwords, sessions and API tokens. What differs is named by
//! [`PeopleDialect`]: how the role lists come with a person, and how text
//! is compared bytewise. Writing a person with its roles differs too
//! (SQLite checks references inside the writer's transaction; PostgreSQL
//! lets its foreign keys name them) and stays in each backend.

use super::backend::Backend;
use super::dialect::{self, param, Arg, Conn, Dialect, RowOf, Run};
use super::{api_token, organisation, SqlRow};
use crate::PeopleStore;
use crate::{
    ApiToken, ApiTokenSeen, PeopleFilter, Session, SessionDevice, SessionInfo, SessionUse,
    StoreError, StoreResult, TokenUse,
};
use async_trait::async_trait;
use chrono::{DateTime, Utc};
use thirdplace_domain::{Email, Organisation, Person};
use uuid::Uuid;

/// What people's queries say differently per backend.
pub trait PeopleDialect: Dialect {
    /// `SELECT p.*, … AS hub_ids, … AS org_ids, … AS staff_ids FROM people
    /// p`: people with
    /// their role lists, one query for a whole list of people.
    const PERSON: &'static str;

    /// What follows a text column to compare it bytewise (SQLite's default).
    const BYTEWISE: &'static str;

    /// The role list in column `name`, sorted.
    fn role_ids(r: &RowOf<Self>, name: &str) -> Result<Vec<Uuid>, sqlx::Error>;
}

pub fn person<D: PeopleDialect>(r: &RowOf<D>) -> Result<Person, sqlx::Error> {
    Ok(Person {
        id: r.column("id")?,
        first_name: r.column("first_name")?,
        last_name: r.column("last_name")?,
        email: Email::from_stored(r.column("email")?),
        organisation_id: r.column("organisation_id")?,
        is_network_admin: r.column("is_network_admin")?,
        hosted_hub_ids: D::role_ids(r, "hub_ids")?,
        admin_of_organisation_ids: D::role_ids(r, "org_ids")?,
        staff_of_operator_ids: D::role_ids(r, "staff_ids")?,
        archived: r.column("archived")?,
    })
}

/// Organisations by name (bytewise), then id.
pub async fn list_organisations<D: PeopleDialect>(
    conn: &mut Conn<D>,
) -> StoreResult<Vec<Organisation>> {
    let sql = format!(
        "SELECT * FROM organisations ORDER BY name{}, id",
        D::BYTEWISE
    );
    dialect::all::<D, _>(conn, &sql, Vec::new(), organisation).await
}

pub async fn get_organisation<D: Dialect>(
    conn: &mut Conn<D>,
    id: Uuid,
) -> StoreResult<Organisation> {
    let sql = "SELECT * FROM organisations WHERE id = $1";
    let found = dialect::optional::<D, _>(conn, sql, vec![Arg::Id(id)], organisation).await?;
    found.ok_or(StoreError::NotFound)
}

/// Inserts `o`, or (not `insert`) updates it by id.
pub async fn write_organisation<D: Dialect>(
    conn: &mut Conn<D>,
    o: &Organisation,
    insert: bool,
) -> StoreResult<()> {
    let sql = if insert {
        "INSERT INTO organisations (name, org_number, kind, archived, id, buyer_reference, \
         cost_centre, invoice_street, invoice_postal_code, invoice_city, invoice_country, \
         invoice_email, peppol_scheme, peppol_id) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14)"
    } else {
        "UPDATE organisations SET name = $1, org_number = $2, kind = $3, archived = $4, \
         buyer_reference = $6, cost_centre = $7, invoice_street = $8, invoice_postal_code = $9, \
         invoice_city = $10, invoice_country = $11, invoice_email = $12, peppol_scheme = $13, \
         peppol_id = $14 WHERE id = $5"
    };
    let b = &o.buyer;
    let args = vec![
        Arg::Text(&o.name),
        Arg::Text(o.org_number.as_str()),
        Arg::Text(o.kind.key()),
        Arg::Bool(o.archived),
        Arg::Id(o.id),
        Arg::OptText(b.buyer_reference.as_deref()),
        Arg::OptText(b.cost_centre.as_deref()),
        Arg::OptText(b.invoice_street.as_deref()),
        Arg::OptText(b.invoice_postal_code.as_ref().map(|p| p.as_str())),
        Arg::OptText(b.invoice_city.as_deref()),
        Arg::Text(&b.invoice_country),
        Arg::OptText(b.invoice_email.as_ref().map(|e| e.as_str())),
        Arg::Text(&b.peppol_scheme),
        Arg::OptText(b.peppol_id.as_deref()),
    ];
    dialect::write_one::<D>(conn, sql, args).await
}

/// Writes the person's row (inserts if `insert`) and, on an update, clears
/// their role lists; the backend then adds the roles its own way.
pub async fn write_person_row<D: Dialect>(
    conn: &mut Conn<D>,
    p: &Person,
    insert: bool,
) -> StoreResult<()> {
    let sql = if insert {
        "INSERT INTO people (first_name, last_name, email, organisation_id, is_network_admin, \
         archived, id) VALUES ($1, $2, $3, $4, $5, $6, $7)"
    } else {
        "UPDATE people SET first_name = $1, last_name = $2, email = $3, organisation_id = $4, \
         is_network_admin = $5, archived = $6 WHERE id = $7"
    };
    let args = vec![
        Arg::Text(&p.first_name),
        Arg::Text(&p.last_name),
        Arg::Text(p.email.as_str()),
        Arg::OptId(p.organisation_id),
        Arg::Bool(p.is_network_admin),
        Arg::Bool(p.archived),
        Arg::Id(p.id),
    ];
    dialect::write_one::<D>(conn, sql, args).await?;
    if !insert {
        for sql in [
            "DELETE FROM hub_hosts WHERE person_id = $1",
            "DELETE FROM organisation_admins WHERE person_id = $1",
            "DELETE FROM operator_staff WHERE person_id = $1",
        ] {
            dialect::run::<D>(conn, sql, vec![Arg::Id(p.id)]).await?;
        }
    }
    Ok(())
}

/// Adds the person's operators' staff roles, after [`write_person_row`] in
/// the same transaction (both backends alike: a person is staff of a few
/// operators at most). The backend maps an unknown operator to
/// `Reference("staff_of_operator_ids")`.
pub async fn write_staff_roles<D: Dialect>(conn: &mut Conn<D>, p: &Person) -> StoreResult<()> {
    for o in &p.staff_of_operator_ids {
        let sql = "INSERT INTO operator_staff (person_id, operator_id) VALUES ($1, $2)";
        dialect::write_one::<D>(conn, sql, vec![Arg::Id(p.id), Arg::Id(*o)]).await?;
    }
    Ok(())
}

/// People (of one organisation), by name (bytewise), then id.
pub async fn list_people<D: PeopleDialect>(
    conn: &mut Conn<D>,
    organisation_id: Option<Uuid>,
) -> StoreResult<Vec<Person>> {
    let c = D::BYTEWISE;
    let order = format!("ORDER BY p.first_name{c}, p.last_name{c}, p.id");
    let (filter, args) = match organisation_id {
        Some(org) => ("WHERE p.organisation_id = $1 ", vec![Arg::Id(org)]),
        None => ("", Vec::new()),
    };
    let sql = format!("{} {filter}{order}", D::PERSON);
    dialect::all::<D, _>(conn, &sql, args, person::<D>).await
}

/// A page of people as `f` says, by name (bytewise, so both backends page
/// alike), then id.
pub async fn list_people_page<D: PeopleDialect>(
    conn: &mut Conn<D>,
    f: &PeopleFilter,
) -> StoreResult<Vec<Person>> {
    let c = D::BYTEWISE;
    let mut sql = format!("{} WHERE TRUE", D::PERSON);
    let mut args = Vec::new();
    if let Some(orgs) = &f.organisation_ids {
        sql.push_str(" AND (p.organisation_id IN (NULL");
        for o in orgs {
            sql.push_str(&format!(", {}", param(&mut args, Arg::Id(*o))));
        }
        sql.push(')');
        if let Some(me) = f.or_person {
            sql.push_str(&format!(" OR p.id = {}", param(&mut args, Arg::Id(me))));
        }
        sql.push(')');
    }
    if !f.include_archived {
        sql.push_str(" AND NOT p.archived");
    }
    if let Some((first, last, id)) = &f.after {
        let (first, last, id) = (
            param(&mut args, Arg::Text(first)),
            param(&mut args, Arg::Text(last)),
            param(&mut args, Arg::Id(*id)),
        );
        sql.push_str(&format!(
            " AND (p.first_name{c}, p.last_name{c}, p.id) > ({first}, {last}, {id})"
        ));
    }
    let limit = param(&mut args, Arg::Int(f.limit.max(0)));
    sql.push_str(&format!(
        " ORDER BY p.first_name{c}, p.last_name{c}, p.id LIMIT {limit}"
    ));
    dialect::all::<D, _>(conn, &sql, args, person::<D>).await
}

pub async fn get_person<D: PeopleDialect>(conn: &mut Conn<D>, id: Uuid) -> StoreResult<Person> {
    let sql = format!("{} WHERE p.id = $1", D::PERSON);
    let found = dialect::optional::<D, _>(conn, &sql, vec![Arg::Id(id)], person::<D>).await?;
    found.ok_or(StoreError::NotFound)
}

/// The person `join_where` finds (with `$1` bound to `key`), e.g. by a
/// session or a token.
async fn person_by<D: PeopleDialect>(
    conn: &mut Conn<D>,
    join_where: &str,
    args: Vec<Arg<'_>>,
) -> StoreResult<Option<Person>> {
    let sql = format!("{} {join_where}", D::PERSON);
    dialect::optional::<D, _>(conn, &sql, args, person::<D>).await
}

pub async fn find_person_by_email<D: PeopleDialect>(
    conn: &mut Conn<D>,
    email: &str,
) -> StoreResult<Option<Person>> {
    person_by::<D>(conn, "WHERE p.email = $1", vec![Arg::Text(email)]).await
}

/// The person an unexpired session belongs to, unless archived.
pub async fn session_person<D: PeopleDialect>(
    conn: &mut Conn<D>,
    id_hash: &str,
    now: DateTime<Utc>,
) -> StoreResult<Option<Person>> {
    let join_where = "JOIN sessions s ON s.person_id = p.id \
                      WHERE s.id_hash = $1 AND s.expires_at > $2 AND NOT p.archived";
    person_by::<D>(
        conn,
        join_where,
        vec![Arg::Text(id_hash), Arg::Timestamp(now)],
    )
    .await
}

/// The person an unrevoked API token belongs to, unless archived.
pub async fn token_person<D: PeopleDialect>(
    conn: &mut Conn<D>,
    token_hash: &str,
) -> StoreResult<Option<Person>> {
    let join_where = "JOIN api_tokens t ON t.person_id = p.id \
                      WHERE t.token_hash = $1 AND t.revoked_at IS NULL AND NOT p.archived";
    person_by::<D>(conn, join_where, vec![Arg::Text(token_hash)]).await
}

/// The person's password hash (`None`: none set); `NotFound` if no person.
pub async fn password_hash<D: Dialect>(
    conn: &mut Conn<D>,
    person_id: Uuid,
) -> StoreResult<Option<String>> {
    let sql = "SELECT password_hash FROM people WHERE id = $1";
    let found = dialect::optional::<D, Option<String>>(conn, sql, vec![Arg::Id(person_id)], |r| {
        r.column("password_hash")
    })
    .await?;
    found.ok_or(StoreError::NotFound)
}

pub async fn set_password_hash<D: Dialect>(
    conn: &mut Conn<D>,
    person_id: Uuid,
    hash: &str,
) -> StoreResult<()> {
    let sql = "UPDATE people SET password_hash = $1 WHERE id = $2";
    dialect::write_one::<D>(conn, sql, vec![Arg::Text(hash), Arg::Id(person_id)]).await
}

/// Session instants are the database's own type in both backends (RFC 3339
/// text in SQLite).
pub async fn insert_session<D: Dialect>(
    conn: &mut Conn<D>,
    s: &Session,
    device: &SessionDevice,
) -> StoreResult<()> {
    let sql = "INSERT INTO sessions (id_hash, person_id, created_at, expires_at, public_id, \
               user_agent) VALUES ($1, $2, $3, $4, $5, $6)";
    let args = vec![
        Arg::Text(&s.id_hash),
        Arg::Id(s.person_id),
        Arg::Timestamp(s.created_at),
        Arg::Timestamp(s.expires_at),
        Arg::Id(device.public_id),
        Arg::Text(&device.user_agent),
    ];
    D::DB::run(conn, sql, args).await.map_err(D::write_err)?;
    Ok(())
}

/// `D::PERSON` with more columns of the joined rows (`extra`, e.g.
/// `s.last_used_at AS seen_at`) selected too, so that the hot path asks
/// one query.
fn person_with<D: PeopleDialect>(extra: &str) -> String {
    const FROM: &str = " FROM people p";
    debug_assert!(D::PERSON.ends_with(FROM));
    let select = D::PERSON.strip_suffix(FROM).unwrap_or(D::PERSON);
    format!("{select}, {extra}{FROM}")
}

/// The person of an unexpired session (unless archived), when the session
/// was last marked used, and the person's language.
pub async fn session_use<D: PeopleDialect>(
    conn: &mut Conn<D>,
    id_hash: &str,
    now: DateTime<Utc>,
) -> StoreResult<Option<SessionUse>> {
    let sql = format!(
        "{} JOIN sessions s ON s.person_id = p.id \
         WHERE s.id_hash = $1 AND s.expires_at > $2 AND NOT p.archived",
        person_with::<D>("s.last_used_at AS seen_at")
    );
    let args = vec![Arg::Text(id_hash), Arg::Timestamp(now)];
    dialect::optional::<D, _>(conn, &sql, args, |r| {
        Ok(SessionUse {
            person: person::<D>(r)?,
            last_used_at: r.column("seen_at")?,
            language: r.column("language")?,
        })
    })
    .await
}

/// Marks a session used (never back in time: a later use stays).
pub async fn touch_session<D: Dialect>(
    conn: &mut Conn<D>,
    id_hash: &str,
    at: DateTime<Utc>,
    source: Option<&str>,
) -> StoreResult<()> {
    let sql = "UPDATE sessions SET last_used_at = $1, source = $2 \
               WHERE id_hash = $3 AND (last_used_at IS NULL OR last_used_at < $1)";
    let args = vec![Arg::Timestamp(at), Arg::OptText(source), Arg::Text(id_hash)];
    dialect::run::<D>(conn, sql, args).await?;
    Ok(())
}

fn session_info<R: SqlRow>(r: &R) -> Result<SessionInfo, sqlx::Error> {
    Ok(SessionInfo {
        public_id: r.column("public_id")?,
        id_hash: r.column("id_hash")?,
        created_at: r.column("created_at")?,
        expires_at: r.column("expires_at")?,
        last_used_at: r.column("last_used_at")?,
        user_agent: r.column("user_agent")?,
        source: r.column("source")?,
    })
}

/// The person's unexpired sessions, the most recently used (or started)
/// first.
pub async fn list_sessions<D: Dialect>(
    conn: &mut Conn<D>,
    person_id: Uuid,
    now: DateTime<Utc>,
) -> StoreResult<Vec<SessionInfo>> {
    let sql = "SELECT * FROM sessions WHERE person_id = $1 AND expires_at > $2 \
               ORDER BY coalesce(last_used_at, created_at) DESC, created_at DESC, public_id";
    let args = vec![Arg::Id(person_id), Arg::Timestamp(now)];
    dialect::all::<D, _>(conn, sql, args, session_info).await
}

/// Ends one session of the person's; `NotFound` if it is not theirs.
pub async fn delete_session_by_id<D: Dialect>(
    conn: &mut Conn<D>,
    person_id: Uuid,
    public_id: Uuid,
) -> StoreResult<()> {
    let sql = "DELETE FROM sessions WHERE public_id = $1 AND person_id = $2";
    dialect::found::<D>(conn, sql, vec![Arg::Id(public_id), Arg::Id(person_id)]).await
}

pub async fn delete_session<D: Dialect>(conn: &mut Conn<D>, id_hash: &str) -> StoreResult<()> {
    let sql = "DELETE FROM sessions WHERE id_hash = $1";
    dialect::run::<D>(conn, sql, vec![Arg::Text(id_hash)]).await?;
    Ok(())
}

/// Deletes the person's sessions but `except_id_hash`.
pub async fn delete_sessions_of<D: Dialect>(
    conn: &mut Conn<D>,
    person_id: Uuid,
    except_id_hash: Option<&str>,
) -> StoreResult<()> {
    let sql = "DELETE FROM sessions WHERE person_id = $1 AND id_hash IS DISTINCT FROM $2";
    let args = vec![Arg::Id(person_id), Arg::OptText(except_id_hash)];
    dialect::run::<D>(conn, sql, args).await?;
    Ok(())
}

pub async fn insert_api_token<D: Dialect>(conn: &mut Conn<D>, t: &ApiToken) -> StoreResult<()> {
    let sql = "INSERT INTO api_tokens (id, person_id, name, token_hash, created_at, revoked_at) \
               VALUES ($1, $2, $3, $4, $5, $6)";
    let args = vec![
        Arg::Id(t.id),
        Arg::Id(t.person_id),
        Arg::Text(&t.name),
        Arg::Text(&t.token_hash),
        Arg::Timestamp(t.created_at),
        Arg::OptTimestamp(t.revoked_at),
    ];
    D::DB::run(conn, sql, args).await.map_err(D::write_err)?;
    Ok(())
}

/// The person's tokens, newest first.
pub async fn list_api_tokens<D: Dialect>(
    conn: &mut Conn<D>,
    person_id: Uuid,
) -> StoreResult<Vec<ApiToken>> {
    let sql = "SELECT * FROM api_tokens WHERE person_id = $1 ORDER BY created_at DESC, id DESC";
    dialect::all::<D, _>(conn, sql, vec![Arg::Id(person_id)], api_token).await
}

/// Revokes one of the person's tokens (at the first revocation's time if
/// it was revoked before).
pub async fn revoke_api_token<D: Dialect>(
    conn: &mut Conn<D>,
    person_id: Uuid,
    token_id: Uuid,
    at: DateTime<Utc>,
) -> StoreResult<()> {
    let sql = "UPDATE api_tokens SET revoked_at = coalesce(revoked_at, $1) \
               WHERE id = $2 AND person_id = $3";
    let args = vec![Arg::Timestamp(at), Arg::Id(token_id), Arg::Id(person_id)];
    dialect::found::<D>(conn, sql, args).await
}

/// The person of an unrevoked token (unless archived), the token's id and
/// when it was last marked used.
pub async fn token_use<D: PeopleDialect>(
    conn: &mut Conn<D>,
    token_hash: &str,
) -> StoreResult<Option<TokenUse>> {
    let sql = format!(
        "{} JOIN api_tokens t ON t.person_id = p.id \
         WHERE t.token_hash = $1 AND t.revoked_at IS NULL AND NOT p.archived",
        person_with::<D>("t.id AS token_id, t.last_used_at AS seen_at")
    );
    dialect::optional::<D, _>(conn, &sql, vec![Arg::Text(token_hash)], |r| {
        Ok(TokenUse {
            person: person::<D>(r)?,
            token_id: r.column("token_id")?,
            last_used_at: r.column("seen_at")?,
        })
    })
    .await
}

/// Marks a token used (never back in time: a later use stays).
pub async fn touch_api_token<D: Dialect>(
    conn: &mut Conn<D>,
    token_id: Uuid,
    at: DateTime<Utc>,
    source: Option<&str>,
) -> StoreResult<()> {
    let sql = "UPDATE api_tokens SET last_used_at = $1, last_used_source = $2 \
               WHERE id = $3 AND (last_used_at IS NULL OR last_used_at < $1)";
    let args = vec![Arg::Timestamp(at), Arg::OptText(source), Arg::Id(token_id)];
    dialect::run::<D>(conn, sql, args).await?;
    Ok(())
}

pub async fn api_tokens_seen<D: Dialect>(
    conn: &mut Conn<D>,
    person_id: Uuid,
) -> StoreResult<Vec<ApiTokenSeen>> {
    let sql = "SELECT id, last_used_at, last_used_source FROM api_tokens WHERE person_id = $1 \
               ORDER BY created_at DESC, id DESC";
    dialect::all::<D, _>(conn, sql, vec![Arg::Id(person_id)], |r| {
        Ok(ApiTokenSeen {
            token_id: r.column("id")?,
            last_used_at: r.column("last_used_at")?,
            last_used_source: r.column("last_used_source")?,
        })
    })
    .await
}

pub async fn person_language<D: Dialect>(
    conn: &mut Conn<D>,
    person_id: Uuid,
) -> StoreResult<Option<String>> {
    let sql = "SELECT language FROM people WHERE id = $1";
    let found = dialect::optional::<D, Option<String>>(conn, sql, vec![Arg::Id(person_id)], |r| {
        r.column("language")
    })
    .await?;
    found.ok_or(StoreError::NotFound)
}

pub async fn set_person_language<D: Dialect>(
    conn: &mut Conn<D>,
    person_id: Uuid,
    language: Option<&str>,
) -> StoreResult<()> {
    let sql = "UPDATE people SET language = $1 WHERE id = $2";
    let args = vec![Arg::OptText(language), Arg::Id(person_id)];
    dialect::write_one::<D>(conn, sql, args).await
}

#[async_trait]
impl<B: Backend> PeopleStore for B {
    #[tracing::instrument(level = "debug", skip_all)]
    async fn list_organisations(&self) -> StoreResult<Vec<Organisation>> {
        list_organisations::<B::D>(&mut *self.reader().await?).await
    }

    #[tracing::instrument(level = "debug", skip_all)]
    async fn get_organisation(&self, id: Uuid) -> StoreResult<Organisation> {
        get_organisation::<B::D>(&mut *self.reader().await?, id).await
    }

    #[tracing::instrument(level = "debug", skip_all)]
    async fn insert_organisation(&self, o: &Organisation) -> StoreResult<()> {
        write_organisation::<B::D>(&mut *self.pooled().await?, o, true).await
    }

    #[tracing::instrument(level = "debug", skip_all)]
    async fn update_organisation(&self, o: &Organisation) -> StoreResult<()> {
        write_organisation::<B::D>(&mut *self.pooled().await?, o, false).await
    }

    #[tracing::instrument(level = "debug", skip_all)]
    async fn list_people(&self, organisation_id: Option<Uuid>) -> StoreResult<Vec<Person>> {
        list_people::<B::D>(&mut *self.reader().await?, organisation_id).await
    }

    #[tracing::instrument(level = "debug", skip_all)]
    async fn list_people_page(&self, f: &PeopleFilter) -> StoreResult<Vec<Person>> {
        list_people_page::<B::D>(&mut *self.reader().await?, f).await
    }

    #[tracing::instrument(level = "debug", skip_all)]
    async fn get_person(&self, id: Uuid) -> StoreResult<Person> {
        get_person::<B::D>(&mut *self.reader().await?, id).await
    }

    #[tracing::instrument(level = "debug", skip_all)]
    async fn find_person_by_email(&self, email: &str) -> StoreResult<Option<Person>> {
        find_person_by_email::<B::D>(&mut *self.reader().await?, email).await
    }

    #[tracing::instrument(level = "debug", skip_all)]
    async fn insert_person(&self, p: &Person) -> StoreResult<()> {
        self.store_person(p, true).await
    }

    #[tracing::instrument(level = "debug", skip_all)]
    async fn update_person(&self, p: &Person) -> StoreResult<()> {
        self.store_person(p, false).await
    }

    #[tracing::instrument(level = "debug", skip_all)]
    async fn password_hash(&self, person_id: Uuid) -> StoreResult<Option<String>> {
        password_hash::<B::D>(&mut *self.reader().await?, person_id).await
    }

    #[tracing::instrument(level = "debug", skip_all)]
    async fn set_password_hash(&self, person_id: Uuid, hash: &str) -> StoreResult<()> {
        set_password_hash::<B::D>(&mut *self.pooled().await?, person_id, hash).await
    }

    #[tracing::instrument(level = "debug", skip_all)]
    async fn insert_session_on(&self, s: &Session, device: &SessionDevice) -> StoreResult<()> {
        insert_session::<B::D>(&mut *self.pooled().await?, s, device).await
    }

    #[tracing::instrument(level = "debug", skip_all)]
    async fn session_use(
        &self,
        id_hash: &str,
        now: DateTime<Utc>,
    ) -> StoreResult<Option<SessionUse>> {
        session_use::<B::D>(&mut *self.reader().await?, id_hash, now).await
    }

    #[tracing::instrument(level = "debug", skip_all)]
    async fn touch_session(
        &self,
        id_hash: &str,
        at: DateTime<Utc>,
        source: Option<&str>,
    ) -> StoreResult<()> {
        touch_session::<B::D>(&mut *self.pooled().await?, id_hash, at, source).await
    }

    #[tracing::instrument(level = "debug", skip_all)]
    async fn list_sessions(
        &self,
        person_id: Uuid,
        now: DateTime<Utc>,
    ) -> StoreResult<Vec<SessionInfo>> {
        list_sessions::<B::D>(&mut *self.reader().await?, person_id, now).await
    }

    #[tracing::instrument(level = "debug", skip_all)]
    async fn delete_session_by_id(&self, person_id: Uuid, public_id: Uuid) -> StoreResult<()> {
        let mut conn = self.pooled().await?;
        delete_session_by_id::<B::D>(&mut conn, person_id, public_id).await
    }

    #[tracing::instrument(level = "debug", skip_all)]
    async fn session_person(
        &self,
        id_hash: &str,
        now: DateTime<Utc>,
    ) -> StoreResult<Option<Person>> {
        session_person::<B::D>(&mut *self.reader().await?, id_hash, now).await
    }

    #[tracing::instrument(level = "debug", skip_all)]
    async fn delete_session(&self, id_hash: &str) -> StoreResult<()> {
        delete_session::<B::D>(&mut *self.pooled().await?, id_hash).await
    }

    #[tracing::instrument(level = "debug", skip_all)]
    async fn delete_sessions_of(
        &self,
        person_id: Uuid,
        except_id_hash: Option<&str>,
    ) -> StoreResult<()> {
        let mut conn = self.pooled().await?;
        delete_sessions_of::<B::D>(&mut conn, person_id, except_id_hash).await
    }

    #[tracing::instrument(level = "debug", skip_all)]
    async fn insert_api_token(&self, t: &ApiToken) -> StoreResult<()> {
        insert_api_token::<B::D>(&mut *self.pooled().await?, t).await
    }

    #[tracing::instrument(level = "debug", skip_all)]
    async fn list_api_tokens(&self, person_id: Uuid) -> StoreResult<Vec<ApiToken>> {
        list_api_tokens::<B::D>(&mut *self.reader().await?, person_id).await
    }

    #[tracing::instrument(level = "debug", skip_all)]
    async fn revoke_api_token(
        &self,
        person_id: Uuid,
        token_id: Uuid,
        at: DateTime<Utc>,
    ) -> StoreResult<()> {
        let mut conn = self.pooled().await?;
        revoke_api_token::<B::D>(&mut conn, person_id, token_id, at).await
    }

    #[tracing::instrument(level = "debug", skip_all)]
    async fn token_person(&self, token_hash: &str) -> StoreResult<Option<Person>> {
        token_person::<B::D>(&mut *self.reader().await?, token_hash).await
    }

    #[tracing::instrument(level = "debug", skip_all)]
    async fn token_use(&self, token_hash: &str) -> StoreResult<Option<TokenUse>> {
        token_use::<B::D>(&mut *self.reader().await?, token_hash).await
    }

    #[tracing::instrument(level = "debug", skip_all)]
    async fn touch_api_token(
        &self,
        token_id: Uuid,
        at: DateTime<Utc>,
        source: Option<&str>,
    ) -> StoreResult<()> {
        touch_api_token::<B::D>(&mut *self.pooled().await?, token_id, at, source).await
    }

    #[tracing::instrument(level = "debug", skip_all)]
    async fn api_tokens_seen(&self, person_id: Uuid) -> StoreResult<Vec<ApiTokenSeen>> {
        api_tokens_seen::<B::D>(&mut *self.reader().await?, person_id).await
    }

    #[tracing::instrument(level = "debug", skip_all)]
    async fn person_language(&self, person_id: Uuid) -> StoreResult<Option<String>> {
        person_language::<B::D>(&mut *self.reader().await?, person_id).await
    }

    #[tracing::instrument(level = "debug", skip_all)]
    async fn set_person_language(
        &self,
        person_id: Uuid,
        language: Option<&str>,
    ) -> StoreResult<()> {
        set_person_language::<B::D>(&mut *self.pooled().await?, person_id, language).await
    }
}
