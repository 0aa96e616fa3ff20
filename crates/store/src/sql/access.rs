//! The one-time links' queries ([`crate::AccessStore`]), written once for
//! both backends: the table and its columns are alike, the instants are
//! compared in Rust ([`OneTimeToken::usable_at`]) rather than in SQL, and
//! the placeholders are numbered (`$1`), which sqlx's SQLite driver reads
//! as PostgreSQL does. Each backend hands in a connection inside its own
//! write transaction (SQLite: the writer's; PostgreSQL: one it begins).

use super::{decode, Fetch, SqlRow};
use crate::{AccessOverview, OneTimeToken, StoreError, StoreResult, TokenKind, Unusable};
use chrono::{DateTime, Utc};
use sqlx::{Database, Encode, Executor, IntoArguments, Type};
use std::marker::PhantomData;
use uuid::Uuid;

const SELECT: &str = "SELECT id, kind, person_id, token_hash, created_by, created_at, \
     expires_at, used_at, revoked_at FROM one_time_tokens";

/// Revokes a person's live links of one kind: `$1` the instant, `$2` the
/// person, `$3` the kind.
const REVOKE: &str = "UPDATE one_time_tokens SET revoked_at = $1 \
     WHERE person_id = $2 AND kind = $3 AND used_at IS NULL AND revoked_at IS NULL RETURNING id";

pub fn token<R: SqlRow>(r: &R) -> Result<OneTimeToken, sqlx::Error> {
    let kind: String = r.column("kind")?;
    Ok(OneTimeToken {
        id: r.column("id")?,
        kind: TokenKind::parse(&kind).ok_or_else(|| decode("kind", &kind))?,
        person_id: r.column("person_id")?,
        token_hash: r.column("token_hash")?,
        created_by: r.column("created_by")?,
        created_at: r.column("created_at")?,
        expires_at: r.column("expires_at")?,
        used_at: r.column("used_at")?,
        revoked_at: r.column("revoked_at")?,
    })
}

fn returned_id<R: SqlRow>(r: &R) -> Result<Uuid, sqlx::Error> {
    r.column("id")
}

/// The queries, over a connection of database `DB` (the bounds say once
/// what both backends' drivers provide).
pub struct Tokens<DB>(PhantomData<DB>);

impl<DB> Tokens<DB>
where
    DB: Database,
    DB::Row: SqlRow,
    for<'e> &'e mut DB::Connection: Executor<'e, Database = DB>,
    for<'q> DB::Arguments<'q>: IntoArguments<'q, DB>,
    for<'q> String: Encode<'q, DB> + Type<DB>,
    for<'q> Uuid: Encode<'q, DB> + Type<DB>,
    for<'q> Option<Uuid>: Encode<'q, DB> + Type<DB>,
    for<'q> DateTime<Utc>: Encode<'q, DB> + Type<DB>,
{
    /// [`crate::AccessStore::issue_token`], inside the caller's transaction.
    pub async fn issue(conn: &mut DB::Connection, t: &OneTimeToken) -> StoreResult<()> {
        Self::revoke(conn, t.person_id, t.kind, t.created_at).await?;
        let person: Vec<Uuid> = sqlx::query("SELECT id FROM people WHERE id = $1")
            .bind(t.person_id)
            .all(&mut *conn, returned_id)
            .await?;
        if person.is_empty() {
            return Err(StoreError::Reference("person_id".into()));
        }
        sqlx::query(
            "INSERT INTO one_time_tokens (id, kind, person_id, token_hash, created_by, \
             created_at, expires_at) VALUES ($1, $2, $3, $4, $5, $6, $7) RETURNING id",
        )
        .bind(t.id)
        .bind(t.kind.as_str().to_string())
        .bind(t.person_id)
        .bind(t.token_hash.clone())
        .bind(t.created_by)
        .bind(t.created_at)
        .bind(t.expires_at)
        .all(&mut *conn, returned_id)
        .await
        .map(|_| ())
    }

    /// [`crate::AccessStore::find_token`].
    pub async fn find(
        conn: &mut DB::Connection,
        kind: TokenKind,
        token_hash: &str,
    ) -> StoreResult<Option<OneTimeToken>> {
        let sql = format!("{SELECT} WHERE token_hash = $1 AND kind = $2");
        sqlx::query(&sql)
            .bind(token_hash.to_string())
            .bind(kind.as_str().to_string())
            .optional(&mut *conn, token)
            .await
    }

    /// [`crate::AccessStore::latest_token`].
    pub async fn latest(
        conn: &mut DB::Connection,
        person_id: Uuid,
        kind: TokenKind,
    ) -> StoreResult<Option<OneTimeToken>> {
        // Ids are UUIDv7: in both backends they sort in the order issued.
        let sql = format!("{SELECT} WHERE person_id = $1 AND kind = $2 ORDER BY id DESC LIMIT 1");
        sqlx::query(&sql)
            .bind(person_id)
            .bind(kind.as_str().to_string())
            .optional(&mut *conn, token)
            .await
    }

    /// [`crate::AccessStore::access_overview`]: two queries, whatever the
    /// number of people; of each person's invitations the newest is kept
    /// (ids are UUIDv7, so they sort in the order issued).
    pub async fn overview(
        conn: &mut DB::Connection,
        organisation_id: Option<Uuid>,
    ) -> StoreResult<AccessOverview> {
        let (people, tokens) = match organisation_id {
            Some(_) => (
                "SELECT id FROM people WHERE organisation_id = $1 AND (password_hash IS NOT NULL \
                 OR id IN (SELECT person_id FROM identity_links))",
                format!(
                    "{SELECT} WHERE kind = $1 AND person_id IN \
                     (SELECT id FROM people WHERE organisation_id = $2) ORDER BY id"
                ),
            ),
            None => (
                "SELECT id FROM people WHERE password_hash IS NOT NULL \
                 OR id IN (SELECT person_id FROM identity_links)",
                format!("{SELECT} WHERE kind = $1 ORDER BY id"),
            ),
        };
        let mut q = sqlx::query(people);
        if let Some(org) = organisation_id {
            q = q.bind(org);
        }
        let activated = q.all(&mut *conn, returned_id).await?.into_iter().collect();
        let mut q = sqlx::query(&tokens).bind(TokenKind::Invitation.as_str().to_string());
        if let Some(org) = organisation_id {
            q = q.bind(org);
        }
        let invitations = q
            .all(&mut *conn, token)
            .await?
            .into_iter()
            .map(|t| (t.person_id, t))
            .collect();
        Ok(AccessOverview {
            activated,
            invitations,
        })
    }

    /// [`crate::AccessStore::revoke_tokens`], inside the caller's transaction.
    pub async fn revoke(
        conn: &mut DB::Connection,
        person_id: Uuid,
        kind: TokenKind,
        at: DateTime<Utc>,
    ) -> StoreResult<u64> {
        let revoked = sqlx::query(REVOKE)
            .bind(at)
            .bind(person_id)
            .bind(kind.as_str().to_string())
            .all(&mut *conn, returned_id)
            .await?;
        Ok(revoked.len() as u64)
    }

    /// [`crate::AccessStore::take_token`], inside the caller's transaction.
    /// The link is marked used only if it still is unused and unrevoked
    /// when its row is written, so of two takes at once one finds nothing
    /// to mark (PostgreSQL re-checks the condition after the first commits).
    pub async fn take(
        conn: &mut DB::Connection,
        kind: TokenKind,
        token_hash: &str,
        now: DateTime<Utc>,
        password_hash: &str,
    ) -> StoreResult<Result<OneTimeToken, Unusable>> {
        let t = Self::find(conn, kind, token_hash)
            .await?
            .ok_or(StoreError::NotFound)?;
        if let Err(why) = t.usable_at(now) {
            return Ok(Err(why));
        }
        let marked = sqlx::query(
            "UPDATE one_time_tokens SET used_at = $1 \
             WHERE id = $2 AND used_at IS NULL AND revoked_at IS NULL RETURNING id",
        )
        .bind(now)
        .bind(t.id)
        .all(&mut *conn, returned_id)
        .await?;
        if marked.is_empty() {
            let again = Self::find(conn, kind, token_hash).await?;
            let why = again.and_then(|t| t.usable_at(now).err());
            return Ok(Err(why.unwrap_or(Unusable::Used)));
        }
        sqlx::query("UPDATE people SET password_hash = $1 WHERE id = $2 RETURNING id")
            .bind(password_hash.to_string())
            .bind(t.person_id)
            .all(&mut *conn, returned_id)
            .await?;
        sqlx::query("DELETE FROM sessions WHERE person_id = $1 RETURNING person_id AS id")
            .bind(t.person_id)
            .all(&mut *conn, returned_id)
            .await?;
        Self::revoke(conn, t.person_id, kind, now).await?;
        Ok(Ok(OneTimeToken {
            used_at: Some(now),
            ..t
        }))
    }
}
