//! What the two backends' backups share: the summary of tables and rows
//! that a backup, a check and a restore report.

use super::dialect::{Conn, Dialect, Run};
use super::SqlRow;
use crate::backup::{BackupError, Summary, TableRows};

fn database(e: sqlx::Error) -> BackupError {
    BackupError::Database(Box::new(e))
}

/// The tables that `tables` (a query of the backend's catalogue, one
/// column of names) lists, with their rows.
pub async fn summary<D: Dialect>(conn: &mut Conn<D>, tables: &str) -> Result<Summary, BackupError> {
    let names = D::DB::fetch(conn, tables, Vec::new())
        .await
        .map_err(database)?
        .iter()
        .map(|r| r.column::<String>("name"))
        .collect::<Result<Vec<_>, _>>()
        .map_err(database)?;
    let mut counts = Vec::with_capacity(names.len());
    for table in names {
        // The name comes from the catalogue, quoted as an identifier.
        let sql = format!(
            "SELECT count(*) AS n FROM \"{}\"",
            table.replace('"', "\"\"")
        );
        let found = D::DB::fetch(conn, &sql, Vec::new())
            .await
            .map_err(database)?;
        let rows = match found.first() {
            Some(r) => r.column::<i64>("n").map_err(database)?,
            None => return Err(database(sqlx::Error::RowNotFound)),
        };
        counts.push(TableRows { table, rows });
    }
    Ok(Summary(counts))
}
