//! What the backends' `backup` and `restore` report, and how they fail.
//!
//! A backup is the backend's own format, made by the tool made for it: a
//! SQLite database file written by `VACUUM INTO` (a consistent snapshot,
//! taken while the server runs), or a PostgreSQL custom-format archive
//! written by `pg_dump` (one snapshot transaction, likewise online). A
//! restore puts it back into an empty database (or replaces one when asked)
//! and then applies the migrations the backup predates.

use std::fmt;

/// One table and its rows, as found in a backup or a restored database.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct TableRows {
    pub table: String,
    pub rows: i64,
}

/// The tables of a database and their row counts, sorted by name.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Summary(pub Vec<TableRows>);

impl Summary {
    pub fn rows(&self) -> i64 {
        self.0.iter().map(|t| t.rows).sum()
    }
}

impl fmt::Display for Summary {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} tables, {} rows", self.0.len(), self.rows())
    }
}

#[derive(Debug, thiserror::Error)]
pub enum BackupError {
    /// The operator asked for something that would lose or mix up data, or
    /// gave a file that is not a backup of this kind; the text says why and
    /// what to do instead.
    #[error("{0}")]
    Refused(String),
    #[error("{context}: {source}")]
    Io {
        context: String,
        #[source]
        source: std::io::Error,
    },
    #[error("database error: {0}")]
    Database(#[source] Box<dyn std::error::Error + Send + Sync>),
}

impl BackupError {
    pub fn refused(why: impl Into<String>) -> Self {
        BackupError::Refused(why.into())
    }

    pub fn io(context: impl Into<String>) -> impl FnOnce(std::io::Error) -> Self {
        let context = context.into();
        move |source| BackupError::Io { context, source }
    }
}

impl From<crate::StoreError> for BackupError {
    fn from(e: crate::StoreError) -> Self {
        BackupError::Database(Box::new(e))
    }
}

/// The first bytes of a file, to tell a SQLite backup from a PostgreSQL one
/// and say so instead of failing obscurely.
pub fn kind_of(head: &[u8]) -> Option<&'static str> {
    if head.starts_with(b"SQLite format 3\0") {
        Some("SQLite")
    } else if head.starts_with(b"PGDMP") {
        Some("PostgreSQL")
    } else {
        None
    }
}

/// Reads the first bytes of a backup file (an empty result for a short one).
pub fn head_of(path: &std::path::Path) -> Result<Vec<u8>, BackupError> {
    use std::io::Read;
    let mut head = Vec::with_capacity(16);
    std::fs::File::open(path)
        .map_err(BackupError::io(format!("opening {}", path.display())))?
        .take(16)
        .read_to_end(&mut head)
        .map_err(BackupError::io(format!("reading {}", path.display())))?;
    Ok(head)
}

/// Refuses a file that is not a backup of `expected` kind, naming what it is.
pub fn expect_kind(path: &std::path::Path, expected: &str) -> Result<(), BackupError> {
    match kind_of(&head_of(path)?) {
        Some(kind) if kind == expected => Ok(()),
        Some(kind) => Err(BackupError::refused(format!(
            "{} is a {kind} backup; restore it into a {kind} database (the database URL decides)",
            path.display()
        ))),
        None => Err(BackupError::refused(format!(
            "{} is not a thirdplace backup (neither a SQLite database nor a pg_dump archive)",
            path.display()
        ))),
    }
}

/// Refuses to write a backup over an existing file.
pub fn refuse_existing(to: &std::path::Path) -> Result<(), BackupError> {
    if to.exists() {
        return Err(BackupError::refused(format!(
            "{} exists already; a backup never overwrites a file (choose a new name, e.g. with the date)",
            to.display()
        )));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn backups_are_told_apart_by_their_first_bytes() {
        assert_eq!(kind_of(b"SQLite format 3\0rest"), Some("SQLite"));
        assert_eq!(kind_of(b"PGDMP\x01\x0e"), Some("PostgreSQL"));
        assert_eq!(kind_of(b"hello"), None);
        assert_eq!(kind_of(b""), None);
    }

    #[test]
    fn a_summary_counts_tables_and_rows() {
        let s = Summary(vec![
            TableRows {
                table: "a".into(),
                rows: 2,
            },
            TableRows {
                table: "b".into(),
                rows: 3,
            },
        ]);
        assert_eq!(s.to_string(), "2 tables, 5 rows");
    }
}
