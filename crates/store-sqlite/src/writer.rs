//! The one writer: a thread that owns the only connection that writes, and
//! commits the write transactions that queue up while it is busy together,
//! with one `COMMIT` (one fsync) for the lot — *group commit*.
//!
//! Why hand-written: neither sqlx nor SQLite offers group commit. With
//! `synchronous = FULL` every commit waits for an fsync (about 220 µs on the
//! benchmark machine), and SQLite has one writer at a time, so one commit
//! per request caps the writes per second however many cores there are.
//! Here each write is a job (a closure given the connection); the thread
//! takes every job that is waiting, runs them in order in one
//! `BEGIN IMMEDIATE` transaction, each inside its own `SAVEPOINT` so that a
//! job that fails rolls back only its own changes, and commits once.
//!
//! What it must never do: answer a job before the `COMMIT` that holds its
//! changes has succeeded (an acknowledged check-in survives a crash or a
//! power cut, as before), or let one job's failure undo another's. If the
//! transaction as a whole breaks (the commit fails, or SQLite rolled the
//! transaction back by itself, e.g. disk full), every job of the batch that
//! had succeeded is answered with an error instead; nothing of it was
//! acknowledged, so nothing acknowledged is lost.
//!
//! Jobs must not begin or commit transactions themselves: they run inside
//! the batch's transaction, with the write lock already held.

use sqlx::sqlite::{SqliteConnectOptions, SqliteConnection};
use sqlx::{ConnectOptions, Connection};
use std::future::Future;
use std::panic::AssertUnwindSafe;
use std::pin::Pin;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;
use thirdplace_store::{StoreError, StoreResult};
use tokio::sync::{mpsc, oneshot};

/// The future a job returns; it borrows the writer's connection.
pub(crate) type JobFuture<'c, T> = Pin<Box<dyn Future<Output = StoreResult<T>> + Send + 'c>>;

/// Most jobs in one transaction; more wait for the next one. Bounds how
/// long the first job of a batch waits for its answer.
const MAX_BATCH: usize = 64;

/// A handle to the writer thread; cheap to clone. The thread ends (and
/// closes its connection) when the last handle is dropped.
#[derive(Clone, Debug)]
pub(crate) struct Writer {
    jobs: mpsc::UnboundedSender<Box<dyn Job>>,
    stats: Arc<Stats>,
}

/// Counters for tests and benchmarks.
#[derive(Debug, Default)]
pub(crate) struct Stats {
    batches: AtomicU64,
    jobs: AtomicU64,
}

impl Writer {
    /// Opens the writing connection on a thread of its own. A thread, not a
    /// task: the store may outlive the runtime it was opened on (tests, the
    /// benchmark's runtimes), and the writer must not die with it.
    pub(crate) async fn start(options: SqliteConnectOptions) -> StoreResult<Self> {
        let (jobs, rx) = mpsc::unbounded_channel::<Box<dyn Job>>();
        let (ready_tx, ready_rx) = oneshot::channel::<StoreResult<()>>();
        let stats = Arc::new(Stats::default());
        let thread_stats = stats.clone();
        std::thread::Builder::new()
            .name("tp-sqlite-writer".into())
            .spawn(move || {
                let rt = match tokio::runtime::Builder::new_current_thread()
                    .enable_all()
                    .build()
                {
                    Ok(rt) => rt,
                    Err(e) => {
                        let _ = ready_tx.send(Err(super::db(e)));
                        return;
                    }
                };
                rt.block_on(async move {
                    match options.connect().await {
                        Ok(conn) => {
                            let _ = ready_tx.send(Ok(()));
                            run(conn, rx, &thread_stats).await;
                        }
                        Err(e) => {
                            let _ = ready_tx.send(Err(super::db(e)));
                        }
                    }
                });
            })
            .map_err(super::db)?;
        ready_rx.await.map_err(|_| gone())??;
        Ok(Writer { jobs, stats })
    }

    /// Runs `work` in a write transaction and answers once it is committed.
    pub(crate) async fn write<T, F>(&self, work: F) -> StoreResult<T>
    where
        T: Send + 'static,
        F: for<'c> FnOnce(&'c mut SqliteConnection) -> JobFuture<'c, T> + Send + 'static,
    {
        let (reply, answer) = oneshot::channel();
        let job = Typed {
            work: Some(work),
            result: None,
            reply: Some(reply),
        };
        self.jobs.send(Box::new(job)).map_err(|_| gone())?;
        answer.await.map_err(|_| gone())?
    }

    /// (transactions, jobs) committed or rolled back so far.
    pub(crate) fn counts(&self) -> (u64, u64) {
        (
            self.stats.batches.load(Ordering::Relaxed),
            self.stats.jobs.load(Ordering::Relaxed),
        )
    }
}

fn gone() -> StoreError {
    StoreError::Database("the SQLite writer has stopped".into())
}

fn batch_failed(e: &sqlx::Error) -> StoreError {
    StoreError::Database(format!("the write transaction failed: {e}").into())
}

/// A job with its result type erased, so jobs of any type share a queue.
trait Job: Send {
    /// Runs the work; true if it succeeded. Keeps the result for `answer`.
    fn run<'c>(
        &'c mut self,
        conn: &'c mut SqliteConnection,
    ) -> Pin<Box<dyn Future<Output = bool> + Send + 'c>>;
    /// Sends the kept result, or `failed` instead of a success when the
    /// batch's transaction did not commit.
    fn answer(&mut self, failed: Option<&sqlx::Error>);
}

struct Typed<T, F> {
    work: Option<F>,
    result: Option<StoreResult<T>>,
    reply: Option<oneshot::Sender<StoreResult<T>>>,
}

impl<T, F> Job for Typed<T, F>
where
    T: Send + 'static,
    F: for<'c> FnOnce(&'c mut SqliteConnection) -> JobFuture<'c, T> + Send + 'static,
{
    fn run<'c>(
        &'c mut self,
        conn: &'c mut SqliteConnection,
    ) -> Pin<Box<dyn Future<Output = bool> + Send + 'c>> {
        Box::pin(async move {
            let Some(work) = self.work.take() else {
                return false;
            };
            // A panicking job fails alone; the writer goes on.
            let panicked = || Err(StoreError::Database("a write panicked".into()));
            let result = match std::panic::catch_unwind(AssertUnwindSafe(|| work(conn))) {
                Ok(fut) => match CatchUnwind(AssertUnwindSafe(fut)).await {
                    Ok(r) => r,
                    Err(()) => panicked(),
                },
                Err(_) => panicked(),
            };
            let ok = result.is_ok();
            self.result = Some(result);
            ok
        })
    }

    fn answer(&mut self, failed: Option<&sqlx::Error>) {
        let result = match (self.result.take(), failed) {
            (Some(Ok(_)), Some(e)) => Err(batch_failed(e)),
            (Some(r), _) => r,
            (None, Some(e)) => Err(batch_failed(e)),
            (None, None) => Err(gone()),
        };
        if let Some(reply) = self.reply.take() {
            // The caller may have gone away; its write stands.
            let _ = reply.send(result);
        }
    }
}

/// `catch_unwind` for a future, without pulling in the `futures` crate.
struct CatchUnwind<F>(AssertUnwindSafe<F>);

impl<F: Future + Unpin> Future for CatchUnwind<F> {
    type Output = Result<F::Output, ()>;

    fn poll(
        mut self: Pin<&mut Self>,
        cx: &mut std::task::Context<'_>,
    ) -> std::task::Poll<Self::Output> {
        let inner = &mut self.0;
        match std::panic::catch_unwind(AssertUnwindSafe(|| Pin::new(&mut inner.0).poll(cx))) {
            Ok(std::task::Poll::Ready(v)) => std::task::Poll::Ready(Ok(v)),
            Ok(std::task::Poll::Pending) => std::task::Poll::Pending,
            Err(_) => std::task::Poll::Ready(Err(())),
        }
    }
}

async fn run(
    mut conn: SqliteConnection,
    mut rx: mpsc::UnboundedReceiver<Box<dyn Job>>,
    stats: &Stats,
) {
    let mut batch: Vec<Box<dyn Job>> = Vec::with_capacity(MAX_BATCH);
    while let Some(first) = rx.recv().await {
        batch.push(first);
        while batch.len() < MAX_BATCH {
            match rx.try_recv() {
                Ok(job) => batch.push(job),
                Err(_) => break,
            }
        }
        stats.batches.fetch_add(1, Ordering::Relaxed);
        stats.jobs.fetch_add(batch.len() as u64, Ordering::Relaxed);
        let failed = run_batch(&mut conn, &mut batch).await.err();
        for job in batch.iter_mut() {
            job.answer(failed.as_ref());
        }
        batch.clear();
    }
    let _ = conn.close().await;
}

/// Runs the jobs in one transaction. `Err` means the transaction as a whole
/// did not commit; each job's own failure is kept in the job.
///
/// Statements are merged where SQLite allows (`RELEASE j; SAVEPOINT j`):
/// every statement is a round trip to sqlx's connection thread, and those
/// round trips, not SQLite, are most of a write's cost.
async fn run_batch(
    conn: &mut SqliteConnection,
    batch: &mut [Box<dyn Job>],
) -> Result<(), sqlx::Error> {
    if let [job] = batch {
        // Alone: no savepoint needed; a failure rolls back the transaction.
        sqlx::query("BEGIN IMMEDIATE").execute(&mut *conn).await?;
        if job.run(conn).await {
            return commit(conn).await;
        }
        return sqlx::query("ROLLBACK")
            .execute(&mut *conn)
            .await
            .map(|_| ());
    }
    sqlx::query("BEGIN IMMEDIATE; SAVEPOINT job")
        .execute(&mut *conn)
        .await?;
    let last = batch.len() - 1;
    for (i, job) in batch.iter_mut().enumerate() {
        let next = match (job.run(conn).await, i == last) {
            (true, true) => None,
            // Keep this job's changes and mark where the next one starts.
            (true, false) => Some("RELEASE job; SAVEPOINT job"),
            // Undo only this job's changes; the savepoint stays for the next.
            (false, _) => Some("ROLLBACK TO job"),
        };
        if let Some(sql) = next {
            if let Err(e) = sqlx::query(sql).execute(&mut *conn).await {
                // E.g. SQLite ended the transaction itself (disk full).
                let _ = sqlx::query("ROLLBACK").execute(&mut *conn).await;
                return Err(e);
            }
        }
    }
    commit(conn).await
}

/// `COMMIT` (releasing the savepoint too); on failure nothing stands.
async fn commit(conn: &mut SqliteConnection) -> Result<(), sqlx::Error> {
    match sqlx::query("COMMIT").execute(&mut *conn).await {
        Ok(_) => Ok(()),
        Err(e) => {
            // The error may already have ended the transaction, so the
            // rollback's own error does not matter.
            let _ = sqlx::query("ROLLBACK").execute(&mut *conn).await;
            Err(e)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::str::FromStr;

    async fn writer() -> (Writer, tempfile::TempDir) {
        let dir = tempfile::tempdir().unwrap();
        let url = format!("sqlite://{}", dir.path().join("w.db").display());
        let options = SqliteConnectOptions::from_str(&url)
            .unwrap()
            .create_if_missing(true)
            .journal_mode(sqlx::sqlite::SqliteJournalMode::Wal);
        let w = Writer::start(options).await.unwrap();
        w.write(|c| {
            Box::pin(async move {
                sqlx::query("CREATE TABLE t (x INTEGER PRIMARY KEY)")
                    .execute(&mut *c)
                    .await
                    .map_err(super::super::db)?;
                Ok(())
            })
        })
        .await
        .unwrap();
        (w, dir)
    }

    fn insert(x: i64) -> impl for<'c> FnOnce(&'c mut SqliteConnection) -> JobFuture<'c, ()> {
        move |c| {
            Box::pin(async move {
                sqlx::query("INSERT INTO t (x) VALUES (?)")
                    .bind(x)
                    .execute(&mut *c)
                    .await
                    .map_err(super::super::write_err)?;
                Ok(())
            })
        }
    }

    async fn stored(w: &Writer) -> Vec<i64> {
        w.write(|c| {
            Box::pin(async move {
                sqlx::query_scalar("SELECT x FROM t ORDER BY x")
                    .fetch_all(&mut *c)
                    .await
                    .map_err(super::super::db)
            })
        })
        .await
        .unwrap()
    }

    /// Holds the writer busy until the returned sender is dropped, so that
    /// the jobs sent meanwhile queue up and run as one batch.
    async fn hold(w: &Writer) -> (oneshot::Sender<()>, tokio::task::JoinHandle<()>) {
        let (release, wait) = oneshot::channel::<()>();
        let (started, running) = oneshot::channel::<()>();
        let w2 = w.clone();
        let held = tokio::spawn(async move {
            w2.write(move |_| {
                Box::pin(async move {
                    let _ = started.send(());
                    let _ = wait.await;
                    Ok(())
                })
            })
            .await
            .unwrap();
        });
        running.await.unwrap();
        (release, held)
    }

    fn spawn<T, F>(w: &Writer, work: F) -> tokio::task::JoinHandle<StoreResult<T>>
    where
        T: Send + 'static,
        F: for<'c> FnOnce(&'c mut SqliteConnection) -> JobFuture<'c, T> + Send + 'static,
    {
        let w = w.clone();
        tokio::spawn(async move { w.write(work).await })
    }

    /// Lets every spawned task run up to its first wait.
    async fn settle() {
        for _ in 0..20 {
            tokio::task::yield_now().await;
        }
    }

    #[tokio::test]
    async fn writes_waiting_together_commit_together_and_a_failing_one_undoes_only_itself() {
        let (w, _dir) = writer().await;
        let (before_batches, before_jobs) = w.counts();
        let (release, held) = hold(&w).await;
        let a = spawn(&w, insert(1));
        // Writes one row, then fails: its row must go, the others' stay.
        let b = spawn(&w, |c| {
            Box::pin(async move {
                insert(2)(&mut *c).await?;
                insert(1)(&mut *c).await // the key is taken by `a`
            })
        });
        let d = spawn(&w, insert(3));
        settle().await;
        drop(release);
        held.await.unwrap();
        assert!(a.await.unwrap().is_ok());
        assert!(matches!(
            b.await.unwrap(),
            Err(StoreError::Conflict(ref f)) if f == "x"
        ));
        assert!(d.await.unwrap().is_ok());
        assert_eq!(stored(&w).await, vec![1, 3]);
        let (batches, jobs) = w.counts();
        // The holding job alone, then a, b and d in one transaction, then
        // the read.
        assert_eq!((batches - before_batches, jobs - before_jobs), (3, 5));
    }

    #[tokio::test]
    async fn when_the_batch_does_not_commit_no_write_of_it_is_acknowledged() {
        let (w, _dir) = writer().await;
        let (release, held) = hold(&w).await;
        let a = spawn(&w, insert(1));
        // Ends the batch's transaction behind the writer's back, as SQLite
        // does itself on some errors (disk full).
        let b = spawn(&w, |c| {
            Box::pin(async move {
                sqlx::query("ROLLBACK")
                    .execute(&mut *c)
                    .await
                    .map_err(super::super::db)?;
                Ok(())
            })
        });
        let d = spawn(&w, insert(3));
        settle().await;
        drop(release);
        held.await.unwrap();
        assert!(a.await.unwrap().is_err());
        assert!(b.await.unwrap().is_err());
        assert!(d.await.unwrap().is_err());
        assert_eq!(stored(&w).await, Vec::<i64>::new());
        // The writer goes on.
        w.write(insert(4)).await.unwrap();
        assert_eq!(stored(&w).await, vec![4]);
    }

    #[tokio::test]
    async fn a_panicking_write_fails_alone() {
        let (w, _dir) = writer().await;
        let (release, held) = hold(&w).await;
        let a = spawn(&w, insert(1));
        let b = spawn(&w, |_| -> JobFuture<'_, ()> { panic!("boom") });
        let d = spawn(&w, insert(3));
        settle().await;
        drop(release);
        held.await.unwrap();
        assert!(a.await.unwrap().is_ok());
        assert!(b.await.unwrap().is_err());
        assert!(d.await.unwrap().is_ok());
        assert_eq!(stored(&w).await, vec![1, 3]);
    }

    #[tokio::test]
    async fn a_lone_failing_write_is_rolled_back() {
        let (w, _dir) = writer().await;
        w.write(insert(1)).await.unwrap();
        let e = w
            .write(|c| {
                Box::pin(async move {
                    insert(2)(&mut *c).await?;
                    insert(1)(&mut *c).await
                })
            })
            .await;
        assert!(matches!(e, Err(StoreError::Conflict(_))));
        assert_eq!(stored(&w).await, vec![1]);
    }
}
