//! The single sign-on queries ([`crate::SsoStore`]), written once for both
//! backends as [`super::access`] is: tables alike, instants compared in
//! Rust, numbered placeholders, each backend handing in a connection inside
//! its own write transaction (SQLite: the writer's; PostgreSQL: one it
//! begins).

use super::{db, Fetch, SqlRow};
use crate::{
    IdentityLink, IdentityProvider, SsoFlow, StoreError, StoreResult, TokenKind, Unusable,
};
use chrono::{DateTime, Utc};
use sqlx::{Database, Encode, Executor, IntoArguments, Type};
use std::marker::PhantomData;
use uuid::Uuid;

const PROVIDER: &str = "SELECT id, organisation_id, issuer_url, client_id, sealed_secret, \
     enabled, updated_at FROM identity_providers";

const FLOW: &str = "SELECT state_hash, provider_id, nonce, pkce_verifier, next, \
     invitation_hash, created_at, expires_at, used_at FROM sso_flows";

fn provider<R: SqlRow>(r: &R) -> Result<IdentityProvider, sqlx::Error> {
    Ok(IdentityProvider {
        id: r.column("id")?,
        organisation_id: r.column("organisation_id")?,
        issuer_url: r.column("issuer_url")?,
        client_id: r.column("client_id")?,
        sealed_secret: r.column("sealed_secret")?,
        domains: vec![],
        enabled: r.column("enabled")?,
        updated_at: r.column("updated_at")?,
    })
}

fn flow<R: SqlRow>(r: &R) -> Result<SsoFlow, sqlx::Error> {
    Ok(SsoFlow {
        state_hash: r.column("state_hash")?,
        provider_id: r.column("provider_id")?,
        nonce: r.column("nonce")?,
        pkce_verifier: r.column("pkce_verifier")?,
        next: r.column("next")?,
        invitation_hash: r.column("invitation_hash")?,
        created_at: r.column("created_at")?,
        expires_at: r.column("expires_at")?,
        used_at: r.column("used_at")?,
    })
}

fn link<R: SqlRow>(r: &R) -> Result<IdentityLink, sqlx::Error> {
    Ok(IdentityLink {
        provider_id: r.column("provider_id")?,
        subject: r.column("subject")?,
        person_id: r.column("person_id")?,
        created_at: r.column("created_at")?,
    })
}

fn id<R: SqlRow>(r: &R) -> Result<Uuid, sqlx::Error> {
    r.column("id")
}

fn text<R: SqlRow>(r: &R) -> Result<String, sqlx::Error> {
    r.column("v")
}

/// The queries, over a connection of database `DB`.
pub struct Sso<DB>(PhantomData<DB>);

impl<DB> Sso<DB>
where
    DB: Database,
    DB::Row: SqlRow,
    for<'e> &'e mut DB::Connection: Executor<'e, Database = DB>,
    for<'q> DB::Arguments<'q>: IntoArguments<'q, DB>,
    for<'q> String: Encode<'q, DB> + Type<DB>,
    for<'q> Option<String>: Encode<'q, DB> + Type<DB>,
    for<'q> bool: Encode<'q, DB> + Type<DB>,
    for<'q> Uuid: Encode<'q, DB> + Type<DB>,
    for<'q> Option<Uuid>: Encode<'q, DB> + Type<DB>,
    for<'q> DateTime<Utc>: Encode<'q, DB> + Type<DB>,
{
    async fn domains(conn: &mut DB::Connection, provider_id: Uuid) -> StoreResult<Vec<String>> {
        sqlx::query(
            "SELECT domain AS v FROM identity_provider_domains WHERE provider_id = $1 \
             ORDER BY domain",
        )
        .bind(provider_id)
        .all(&mut *conn, text)
        .await
    }

    async fn with_domains(
        conn: &mut DB::Connection,
        p: Option<IdentityProvider>,
    ) -> StoreResult<Option<IdentityProvider>> {
        match p {
            Some(mut p) => {
                p.domains = Self::domains(conn, p.id).await?;
                Ok(Some(p))
            }
            None => Ok(None),
        }
    }

    /// [`crate::SsoStore::save_provider`], inside the caller's transaction.
    /// The checks run before any write, so a refusal writes nothing (and a
    /// unique index that still says no, to a simultaneous save, is told
    /// as the same conflict).
    pub async fn save_provider(conn: &mut DB::Connection, p: &IdentityProvider) -> StoreResult<()> {
        let org: Vec<Uuid> = sqlx::query("SELECT id FROM organisations WHERE id = $1")
            .bind(p.organisation_id)
            .all(&mut *conn, id)
            .await?;
        if org.is_empty() {
            return Err(StoreError::Reference("organisation_id".into()));
        }
        let other: Vec<Uuid> = sqlx::query(
            "SELECT id FROM identity_providers WHERE organisation_id = $1 AND id <> $2",
        )
        .bind(p.organisation_id)
        .bind(p.id)
        .all(&mut *conn, id)
        .await?;
        if !other.is_empty() {
            return Err(StoreError::Conflict("organisation_id".into()));
        }
        for d in &p.domains {
            let owner: Vec<Uuid> = sqlx::query(
                "SELECT provider_id AS id FROM identity_provider_domains \
                 WHERE domain = $1 AND provider_id <> $2",
            )
            .bind(d.clone())
            .bind(p.id)
            .all(&mut *conn, id)
            .await?;
            if !owner.is_empty() {
                return Err(StoreError::Conflict("domains".into()));
            }
        }
        let updated: Vec<Uuid> = sqlx::query(
            "UPDATE identity_providers SET organisation_id = $2, issuer_url = $3, \
             client_id = $4, sealed_secret = $5, enabled = $6, updated_at = $7 \
             WHERE id = $1 RETURNING id",
        )
        .bind(p.id)
        .bind(p.organisation_id)
        .bind(p.issuer_url.clone())
        .bind(p.client_id.clone())
        .bind(p.sealed_secret.clone())
        .bind(p.enabled)
        .bind(p.updated_at)
        .all(&mut *conn, id)
        .await?;
        if updated.is_empty() {
            sqlx::query(
                "INSERT INTO identity_providers (id, organisation_id, issuer_url, client_id, \
                 sealed_secret, enabled, updated_at) VALUES ($1, $2, $3, $4, $5, $6, $7)",
            )
            .bind(p.id)
            .bind(p.organisation_id)
            .bind(p.issuer_url.clone())
            .bind(p.client_id.clone())
            .bind(p.sealed_secret.clone())
            .bind(p.enabled)
            .bind(p.updated_at)
            .execute(&mut *conn)
            .await
            .map_err(|e| unique_as(e, "organisation_id"))?;
        }
        sqlx::query("DELETE FROM identity_provider_domains WHERE provider_id = $1")
            .bind(p.id)
            .execute(&mut *conn)
            .await
            .map_err(db)?;
        for d in &p.domains {
            sqlx::query(
                "INSERT INTO identity_provider_domains (domain, provider_id) VALUES ($1, $2)",
            )
            .bind(d.clone())
            .bind(p.id)
            .execute(&mut *conn)
            .await
            .map_err(|e| unique_as(e, "domains"))?;
        }
        Ok(())
    }

    /// [`crate::SsoStore::provider`].
    pub async fn provider(
        conn: &mut DB::Connection,
        provider_id: Uuid,
    ) -> StoreResult<Option<IdentityProvider>> {
        let sql = format!("{PROVIDER} WHERE id = $1");
        let p = sqlx::query(&sql)
            .bind(provider_id)
            .optional(&mut *conn, provider)
            .await?;
        Self::with_domains(conn, p).await
    }

    /// [`crate::SsoStore::providers`].
    pub async fn providers(conn: &mut DB::Connection) -> StoreResult<Vec<IdentityProvider>> {
        let sql = format!("{PROVIDER} ORDER BY organisation_id");
        let all = sqlx::query(&sql).all(&mut *conn, provider).await?;
        let mut out = Vec::with_capacity(all.len());
        for p in all {
            out.extend(Self::with_domains(conn, Some(p)).await?);
        }
        Ok(out)
    }

    /// [`crate::SsoStore::provider_for_domain`].
    pub async fn provider_for_domain(
        conn: &mut DB::Connection,
        domain: &str,
    ) -> StoreResult<Option<IdentityProvider>> {
        let owner = sqlx::query(
            "SELECT provider_id AS id FROM identity_provider_domains WHERE domain = $1",
        )
        .bind(domain.to_string())
        .optional(&mut *conn, id)
        .await?;
        match owner {
            Some(pid) => Self::provider(conn, pid).await,
            None => Ok(None),
        }
    }

    /// [`crate::SsoStore::identity_link`].
    pub async fn identity_link(
        conn: &mut DB::Connection,
        provider_id: Uuid,
        subject: &str,
    ) -> StoreResult<Option<IdentityLink>> {
        sqlx::query(
            "SELECT provider_id, subject, person_id, created_at FROM identity_links \
             WHERE provider_id = $1 AND subject = $2",
        )
        .bind(provider_id)
        .bind(subject.to_string())
        .optional(&mut *conn, link)
        .await
    }

    /// [`crate::SsoStore::has_identity_link`].
    pub async fn has_identity_link(
        conn: &mut DB::Connection,
        person_id: Uuid,
    ) -> StoreResult<bool> {
        let linked: Vec<Uuid> =
            sqlx::query("SELECT person_id AS id FROM identity_links WHERE person_id = $1 LIMIT 1")
                .bind(person_id)
                .all(&mut *conn, id)
                .await?;
        Ok(!linked.is_empty())
    }

    /// [`crate::SsoStore::link_identity`], inside the caller's transaction.
    pub async fn link_identity(
        conn: &mut DB::Connection,
        l: &IdentityLink,
        invitation_hash: Option<&str>,
        now: DateTime<Utc>,
    ) -> StoreResult<Result<(), Unusable>> {
        let taken: Vec<Uuid> = sqlx::query(
            "SELECT person_id AS id FROM identity_links \
             WHERE provider_id = $1 AND (subject = $2 OR person_id = $3)",
        )
        .bind(l.provider_id)
        .bind(l.subject.clone())
        .bind(l.person_id)
        .all(&mut *conn, id)
        .await?;
        if !taken.is_empty() {
            return Err(StoreError::Conflict("subject".into()));
        }
        if let Some(hash) = invitation_hash {
            let t = super::access::Tokens::<DB>::find(conn, TokenKind::Invitation, hash)
                .await?
                .filter(|t| t.person_id == l.person_id)
                .ok_or(StoreError::NotFound)?;
            if let Err(why) = t.usable_at(now) {
                return Ok(Err(why));
            }
            let marked: Vec<Uuid> = sqlx::query(
                "UPDATE one_time_tokens SET used_at = $1 \
                 WHERE id = $2 AND used_at IS NULL AND revoked_at IS NULL RETURNING id",
            )
            .bind(now)
            .bind(t.id)
            .all(&mut *conn, id)
            .await?;
            if marked.is_empty() {
                return Ok(Err(Unusable::Used));
            }
            super::access::Tokens::<DB>::revoke(conn, l.person_id, TokenKind::Invitation, now)
                .await?;
        }
        sqlx::query(
            "INSERT INTO identity_links (provider_id, subject, person_id, created_at) \
             VALUES ($1, $2, $3, $4)",
        )
        .bind(l.provider_id)
        .bind(l.subject.clone())
        .bind(l.person_id)
        .bind(l.created_at)
        .execute(&mut *conn)
        .await
        .map_err(|e| unique_as(e, "subject"))?;
        Ok(Ok(()))
    }

    /// [`crate::SsoStore::start_flow`], inside the caller's transaction.
    pub async fn start_flow(conn: &mut DB::Connection, f: &SsoFlow) -> StoreResult<()> {
        // Instants are compared in Rust: a batch of rows is looked at, and
        // those expired for a day go (each start clears up after others).
        let old = format!("{FLOW} LIMIT 100");
        let stale: Vec<String> = sqlx::query(&old)
            .all(&mut *conn, flow)
            .await?
            .into_iter()
            .filter(|o| o.expires_at + chrono::Duration::days(1) < f.created_at)
            .map(|o| o.state_hash)
            .collect();
        for h in stale {
            sqlx::query("DELETE FROM sso_flows WHERE state_hash = $1")
                .bind(h)
                .execute(&mut *conn)
                .await
                .map_err(db)?;
        }
        sqlx::query(
            "INSERT INTO sso_flows (state_hash, provider_id, nonce, pkce_verifier, next, \
             invitation_hash, created_at, expires_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8)",
        )
        .bind(f.state_hash.clone())
        .bind(f.provider_id)
        .bind(f.nonce.clone())
        .bind(f.pkce_verifier.clone())
        .bind(f.next.clone())
        .bind(f.invitation_hash.clone())
        .bind(f.created_at)
        .bind(f.expires_at)
        .execute(&mut *conn)
        .await
        .map_err(|e| unique_as(e, "state"))?;
        Ok(())
    }

    /// [`crate::SsoStore::take_flow`], inside the caller's transaction:
    /// marked used only if still unused when its row is written, so of two
    /// takes at once one finds nothing to mark.
    pub async fn take_flow(
        conn: &mut DB::Connection,
        state_hash: &str,
        now: DateTime<Utc>,
    ) -> StoreResult<Result<SsoFlow, Unusable>> {
        let sql = format!("{FLOW} WHERE state_hash = $1");
        let f = sqlx::query(&sql)
            .bind(state_hash.to_string())
            .optional(&mut *conn, flow)
            .await?
            .ok_or(StoreError::NotFound)?;
        if let Err(why) = f.usable_at(now) {
            return Ok(Err(why));
        }
        let marked: Vec<String> = sqlx::query(
            "UPDATE sso_flows SET used_at = $1 WHERE state_hash = $2 AND used_at IS NULL \
             RETURNING state_hash AS v",
        )
        .bind(now)
        .bind(state_hash.to_string())
        .all(&mut *conn, text)
        .await?;
        if marked.is_empty() {
            return Ok(Err(Unusable::Used));
        }
        Ok(Ok(SsoFlow {
            used_at: Some(now),
            ..f
        }))
    }
}

/// A unique index's refusal as a conflict on `field`; any other error as
/// a database error.
fn unique_as(e: sqlx::Error, field: &str) -> StoreError {
    match &e {
        sqlx::Error::Database(d) if d.is_unique_violation() => StoreError::Conflict(field.into()),
        _ => db(e),
    }
}
