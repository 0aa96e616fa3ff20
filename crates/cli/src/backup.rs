//! `thirdplace backup` and `thirdplace restore`: the database URL's scheme
//! picks the backend, whose own tools make and take the backup (see
//! `thirdplace_store::backup`).

use anyhow::{bail, Result};
use std::path::PathBuf;
use thirdplace_store::backup::{BackupError, Summary};

#[derive(clap::Args, Debug)]
pub struct BackupArgs {
    /// The file to write; it must not exist. SQLite writes a database file,
    /// PostgreSQL a `pg_dump` custom-format archive.
    #[arg(long)]
    pub to: PathBuf,
}

#[derive(clap::Args, Debug)]
pub struct RestoreArgs {
    /// The backup file to restore.
    #[arg(long)]
    pub from: PathBuf,
    /// Replace a database that holds data (stop the servers first).
    #[arg(long)]
    pub replace: bool,
}

fn is_sqlite(url: &str) -> Result<bool> {
    if url.starts_with("sqlite:") {
        Ok(true)
    } else if url.starts_with("postgres:") || url.starts_with("postgresql:") {
        Ok(false)
    } else {
        bail!("the database URL must start with sqlite: or postgres: (got {url:?})")
    }
}

fn explain(r: std::result::Result<Summary, BackupError>) -> Result<Summary> {
    r.map_err(|e| anyhow::anyhow!("{e}"))
}

pub async fn backup(url: &str, args: &BackupArgs) -> Result<String> {
    let summary = explain(if is_sqlite(url)? {
        thirdplace_store_sqlite::backup::backup(url, &args.to).await
    } else {
        thirdplace_store_postgres::backup::backup(url, &args.to).await
    })?;
    Ok(format!("Backed up {summary} to {}.", args.to.display()))
}

pub async fn restore(url: &str, args: &RestoreArgs) -> Result<String> {
    let summary = explain(if is_sqlite(url)? {
        thirdplace_store_sqlite::backup::restore(url, &args.from, args.replace).await
    } else {
        thirdplace_store_postgres::backup::restore(url, &args.from, args.replace).await
    })?;
    Ok(format!("Restored {summary} from {}.", args.from.display()))
}
