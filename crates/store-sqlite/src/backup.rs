//! Online backup and restore of the SQLite database file (see
//! [`thirdplace_store::backup`]).
//!
//! `VACUUM INTO` writes a consistent snapshot of the database to a new file
//! while the server keeps serving (readers and the writer are not stopped;
//! the copy is one read transaction). A restore copies a checked backup to a
//! temporary file beside the database and renames it into place, so the
//! database is at every moment either the old one or the whole backup; the
//! servers using the file must be stopped first.

use crate::dialect::Lite;
use crate::MIGRATOR;
use sqlx::sqlite::{SqliteConnectOptions, SqliteConnection};
use sqlx::{ConnectOptions, Connection};
use std::path::{Path, PathBuf};
use std::str::FromStr;
use std::time::Duration;
use thirdplace_store::backup::{self, BackupError, Summary};

fn database(e: sqlx::Error) -> BackupError {
    BackupError::Database(Box::new(e))
}

/// The database file a `sqlite:` URL names.
fn file_of(url: &str) -> Result<PathBuf, BackupError> {
    let options = SqliteConnectOptions::from_str(url).map_err(database)?;
    Ok(options.get_filename().to_path_buf())
}

/// A plain connection to an existing file (no migrations, no writer).
async fn open(path: &Path) -> Result<SqliteConnection, BackupError> {
    if !path.is_file() {
        return Err(BackupError::refused(format!(
            "there is no database at {}",
            path.display()
        )));
    }
    SqliteConnectOptions::new()
        .filename(path)
        .busy_timeout(Duration::from_secs(30))
        .connect()
        .await
        .map_err(database)
}

/// The tables of the database and their rows.
async fn summary(conn: &mut SqliteConnection) -> Result<Summary, BackupError> {
    let tables = "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' ORDER BY name";
    thirdplace_store::sql::backup::summary::<Lite>(conn, tables).await
}

/// Checks that `path` is a whole thirdplace database this version can take:
/// SQLite's own integrity check, the migrations table, and no migration newer
/// than this build knows.
async fn check(path: &Path) -> Result<Summary, BackupError> {
    let mut conn = open(path).await?;
    let integrity: String = sqlx::query_scalar("PRAGMA integrity_check")
        .fetch_one(&mut conn)
        .await
        .map_err(database)?;
    if integrity != "ok" {
        return Err(BackupError::refused(format!(
            "{} is damaged (SQLite's integrity check says: {integrity})",
            path.display()
        )));
    }
    let newest: Option<i64> = sqlx::query_scalar("SELECT max(version) FROM _sqlx_migrations")
        .fetch_one(&mut conn)
        .await
        .map_err(|_| {
            BackupError::refused(format!(
                "{} is a SQLite database but not one of thirdplace's (it has no migrations table)",
                path.display()
            ))
        })?;
    let known = MIGRATOR.iter().map(|m| m.version).max().unwrap_or(0);
    if newest.unwrap_or(0) > known {
        return Err(BackupError::refused(format!(
            "{} was made by a newer thirdplace (schema version {}, this one knows up to {known}); restore it with that version",
            path.display(),
            newest.unwrap_or(0)
        )));
    }
    let s = summary(&mut conn).await?;
    conn.close().await.map_err(database)?;
    Ok(s)
}

/// Writes a consistent copy of the database at `url` to the new file `to`
/// while servers may be using it, checks the copy, and says what it holds.
pub async fn backup(url: &str, to: &Path) -> Result<Summary, BackupError> {
    backup::refuse_existing(to)?;
    let target = to
        .to_str()
        .ok_or_else(|| BackupError::refused(format!("{} is not a UTF-8 path", to.display())))?;
    let mut conn = open(&file_of(url)?).await?;
    sqlx::query("VACUUM INTO ?")
        .bind(target)
        .execute(&mut conn)
        .await
        .map_err(database)?;
    conn.close().await.map_err(database)?;
    check(to).await
}

/// Puts the backup `from` in place of the database at `url`: refused when the
/// database holds data unless `replace`, refused for a file that is not a
/// whole thirdplace SQLite backup. Then applies the migrations the backup
/// predates. Stop the servers that use the database first.
pub async fn restore(url: &str, from: &Path, replace: bool) -> Result<Summary, BackupError> {
    backup::expect_kind(from, "SQLite")?;
    check(from).await?;
    let target = file_of(url)?;
    if target.is_file() && !replace {
        let mut conn = open(&target).await?;
        let held = summary(&mut conn).await?;
        conn.close().await.map_err(database)?;
        if held.rows() > 0 {
            return Err(BackupError::refused(format!(
                "{} holds a database already ({held}); stop the servers and add --replace to replace it",
                target.display()
            )));
        }
    }
    let mut staging = target.clone().into_os_string();
    staging.push(".restoring");
    let staging = PathBuf::from(staging);
    std::fs::copy(from, &staging).map_err(BackupError::io(format!(
        "copying the backup to {}",
        staging.display()
    )))?;
    std::fs::File::open(&staging)
        .and_then(|f| f.sync_all())
        .map_err(BackupError::io(format!("syncing {}", staging.display())))?;
    // The old database's write-ahead log belongs to the old database.
    for suffix in ["-wal", "-shm"] {
        let mut side = target.clone().into_os_string();
        side.push(suffix);
        match std::fs::remove_file(&side) {
            Err(e) if e.kind() != std::io::ErrorKind::NotFound => {
                return Err(BackupError::io(format!("removing {side:?}"))(e));
            }
            _ => {}
        }
    }
    std::fs::rename(&staging, &target).map_err(BackupError::io(format!(
        "moving the restored database to {}",
        target.display()
    )))?;
    let store = crate::SqliteStore::connect(url).await?;
    store.pool().close().await;
    let mut conn = open(&target).await?;
    let s = summary(&mut conn).await?;
    conn.close().await.map_err(database)?;
    Ok(s)
}
