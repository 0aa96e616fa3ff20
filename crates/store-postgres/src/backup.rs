//! Online backup and restore of the PostgreSQL database with PostgreSQL's
//! own tools (see [`thirdplace_store::backup`]): `pg_dump`, `pg_restore` and
//! `psql` from the client package of the server's major version.
//!
//! A backup exports the snapshot of a read-only repeatable-read transaction
//! and has `pg_dump` dump exactly that snapshot, so the row counts reported
//! are those of the archive while the servers keep writing. A restore turns
//! the archive into SQL with `pg_restore` and runs it with `psql` in one
//! transaction, after dropping the old tables when asked to replace them:
//! the database is either as it was or the whole backup, never half of one.

use crate::dialect::Pg;
use crate::MIGRATOR;
use sqlx::postgres::PgConnection;
use sqlx::{Connection, Executor};
use std::io::Write;
use std::path::Path;
use std::process::{Command, Stdio};
use thirdplace_store::backup::{self, BackupError, Summary};

fn database(e: sqlx::Error) -> BackupError {
    BackupError::Database(Box::new(e))
}

/// The tables of the current schema and their rows.
async fn summary(conn: &mut PgConnection) -> Result<Summary, BackupError> {
    let tables = "SELECT tablename::text AS name FROM pg_tables WHERE schemaname = current_schema() ORDER BY 1";
    thirdplace_store::sql::backup::summary::<Pg>(conn, tables).await
}

/// Runs one of PostgreSQL's client tools, feeding it `input`, and returns
/// its standard output; a tool that is missing or fails is explained.
fn run_tool(tool: &str, args: &[&str], input: Option<&[u8]>) -> Result<Vec<u8>, BackupError> {
    let mut child = Command::new(tool)
        .args(args)
        .stdin(if input.is_some() { Stdio::piped() } else { Stdio::null() })
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .map_err(|e| {
            BackupError::refused(format!(
                "{tool} could not be started ({e}): install PostgreSQL's client tools in the server's major version (Debian: apt-get install postgresql-client)"
            ))
        })?;
    if let (Some(input), Some(mut stdin)) = (input, child.stdin.take()) {
        // A writer thread, so that a tool filling its output pipe cannot
        // dead-lock with us filling its input.
        let input = input.to_vec();
        std::thread::spawn(move || stdin.write_all(&input));
    }
    let out = child
        .wait_with_output()
        .map_err(BackupError::io(format!("waiting for {tool}")))?;
    if !out.status.success() {
        return Err(BackupError::refused(format!(
            "{tool} failed ({}): {}",
            out.status,
            String::from_utf8_lossy(&out.stderr).trim()
        )));
    }
    Ok(out.stdout)
}

/// Runs a blocking tool off the async runtime.
async fn tool(
    tool: &'static str,
    args: Vec<String>,
    input: Option<Vec<u8>>,
) -> Result<Vec<u8>, BackupError> {
    tokio::task::spawn_blocking(move || {
        let args: Vec<&str> = args.iter().map(String::as_str).collect();
        run_tool(tool, &args, input.as_deref())
    })
    .await
    .map_err(|e| BackupError::Database(Box::new(e)))?
}

fn utf8(path: &Path) -> Result<String, BackupError> {
    path.to_str()
        .map(str::to_owned)
        .ok_or_else(|| BackupError::refused(format!("{} is not a UTF-8 path", path.display())))
}

/// Writes a consistent archive of the database at `url` to the new file `to`
/// (`pg_dump`'s custom format) while servers keep using the database, and
/// says what it holds.
pub async fn backup(url: &str, to: &Path) -> Result<Summary, BackupError> {
    backup::refuse_existing(to)?;
    let file = utf8(to)?;
    let mut conn = PgConnection::connect(url).await.map_err(database)?;
    let mut tx = conn.begin().await.map_err(database)?;
    tx.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY")
        .await
        .map_err(database)?;
    let snapshot: String = sqlx::query_scalar("SELECT pg_export_snapshot()")
        .fetch_one(&mut *tx)
        .await
        .map_err(database)?;
    let held = summary(&mut tx).await?;
    let args = vec![
        "--format=custom".to_owned(),
        "--no-owner".to_owned(),
        "--no-privileges".to_owned(),
        format!("--snapshot={snapshot}"),
        format!("--file={file}"),
        format!("--dbname={url}"),
    ];
    let dumped = tool("pg_dump", args, None).await;
    tx.rollback().await.map_err(database)?;
    if dumped.is_err() {
        let _ = std::fs::remove_file(to);
    }
    dumped?;
    Ok(held)
}

/// Puts the archive `from` in place of the database at `url` (which must
/// exist): refused when the database holds data unless `replace`, refused for
/// a file that is not a PostgreSQL archive or is newer than this build. Then
/// applies the migrations the backup predates. Stop the servers first.
pub async fn restore(url: &str, from: &Path, replace: bool) -> Result<Summary, BackupError> {
    backup::expect_kind(from, "PostgreSQL")?;
    let file = utf8(from)?;
    let script = tool(
        "pg_restore",
        vec![
            "--no-owner".to_owned(),
            "--no-privileges".to_owned(),
            "--file=-".to_owned(),
            file,
        ],
        None,
    )
    .await?;
    check_schema_version(&script)?;
    let mut conn = PgConnection::connect(url).await.map_err(database)?;
    let held = summary(&mut conn).await?;
    if !held.0.is_empty() && !replace {
        return Err(BackupError::refused(format!(
            "the database holds tables already ({held}); stop the servers and add --replace to replace them"
        )));
    }
    // One transaction: the old schema goes only if the whole backup comes.
    let mut sql = b"SET client_min_messages = warning;\n".to_vec();
    if replace {
        sql.extend_from_slice(b"DROP SCHEMA IF EXISTS public CASCADE;\nCREATE SCHEMA public;\n");
    }
    sql.extend_from_slice(&script);
    tool(
        "psql",
        vec![
            "--quiet".to_owned(),
            "--no-psqlrc".to_owned(),
            "--single-transaction".to_owned(),
            "--set=ON_ERROR_STOP=1".to_owned(),
            "--output=/dev/null".to_owned(),
            format!("--dbname={url}"),
        ],
        Some(sql),
    )
    .await?;
    let store = crate::PostgresStore::connect(url).await?;
    store.pool().close().await;
    summary(&mut conn).await
}

/// Refuses an archive that is not thirdplace's or was made by a newer
/// version: the newest migration in its `_sqlx_migrations` data (the first
/// column of the `COPY` block in `pg_restore`'s SQL) must be one this build
/// knows.
fn check_schema_version(script: &[u8]) -> Result<(), BackupError> {
    let text = String::from_utf8_lossy(script);
    let mut lines = text.lines();
    lines
        .by_ref()
        .find(|l| l.starts_with("COPY ") && l.contains("_sqlx_migrations"))
        .ok_or_else(|| {
            BackupError::refused(
                "the archive is a PostgreSQL dump but not of a thirdplace database (it has no migrations table)",
            )
        })?;
    let newest = lines
        .take_while(|l| *l != "\\.")
        .filter_map(|l| l.split('\t').next()?.parse::<i64>().ok())
        .max()
        .unwrap_or(0);
    let known = MIGRATOR.iter().map(|m| m.version).max().unwrap_or(0);
    if newest > known {
        return Err(BackupError::refused(format!(
            "the backup was made by a newer thirdplace (schema version {newest}, this one knows up to {known}); restore it with that version"
        )));
    }
    Ok(())
}
