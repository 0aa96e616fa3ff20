//! Process-level tests: they run the real `thirdplace` binary, as an
//! operator would, and talk to it over HTTP on 127.0.0.1.
//!
//! Every test has its own temporary directory (SQLite) or its own database
//! (PostgreSQL), every server listens on a port the kernel picks
//! (`--addr 127.0.0.1:0`, read back from the "serving on" line), every wait
//! has a deadline, and every child process is killed when its guard drops,
//! whether the test passed or panicked.
//!
//! The PostgreSQL test needs `THIRDPLACE_TEST_POSTGRES_URL`; without it, it
//! skips (and fails under `CI=true`), like the store's own PostgreSQL tests.

use std::collections::BTreeMap;
use std::io::{BufRead, BufReader, Read, Write};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, ExitStatus, Stdio};
use std::sync::{Arc, Mutex};
use std::thread::JoinHandle;
use std::time::{Duration, Instant};
use tokio::io::{AsyncReadExt, AsyncWriteExt};

const BIN: &str = env!("CARGO_BIN_EXE_thirdplace");

/// How long a server may take from spawn to answering `/readyz` (a debug
/// build on a busy machine, possibly seeding the demo network first).
const START_TIMEOUT: Duration = Duration::from_secs(90);
/// How long a one-shot command (`migrate`, `admin create`, …) may take.
const COMMAND_TIMEOUT: Duration = Duration::from_secs(60);
/// How long a server may take to exit after SIGTERM.
const EXIT_TIMEOUT: Duration = Duration::from_secs(10);
/// How long we wait for a line to show up in a child's output.
const OUTPUT_TIMEOUT: Duration = Duration::from_secs(10);

const DEMO_LOGINS: [&str; 5] = [
    "admin@demo.example",
    "host@demo.example",
    "orgadmin@demo.example",
    "member@demo.example",
    "gustav.nystrom@skatteverket.example",
];
const DEMO_PASSWORD: &str = "demo";

// ---------------------------------------------------------------------------
// Child processes
// ---------------------------------------------------------------------------

/// The binary with a database URL, and with none of the variables it reads
/// inherited from the environment running the tests.
fn thirdplace(database_url: &str) -> Command {
    let mut c = Command::new(BIN);
    for var in [
        "THIRDPLACE_DATABASE_URL",
        "THIRDPLACE_LOG_FORMAT",
        "THIRDPLACE_ADDR",
        "THIRDPLACE_SECURE_COOKIES",
        "THIRDPLACE_SESSION_DAYS",
        "THIRDPLACE_REQUEST_TIMEOUT_SECS",
        "THIRDPLACE_MAX_BODY_BYTES",
        "RUST_LOG",
    ] {
        c.env_remove(var);
    }
    c.arg("--database-url").arg(database_url);
    c
}

fn sqlite_url(path: &Path) -> String {
    format!("sqlite://{}", path.display())
}

/// A running child whose stdout and stderr are collected by two threads.
/// Dropping it kills the child (and reaps it); when a test fails, what the
/// child wrote is printed, so the failure explains itself.
struct Proc {
    name: String,
    child: Child,
    stdout: Arc<Mutex<String>>,
    stderr: Arc<Mutex<String>>,
    readers: Vec<JoinHandle<()>>,
    status: Option<ExitStatus>,
}

fn collect(stream: impl Read + Send + 'static, into: Arc<Mutex<String>>) -> JoinHandle<()> {
    std::thread::spawn(move || {
        let mut reader = BufReader::new(stream);
        let mut line = String::new();
        loop {
            line.clear();
            match reader.read_line(&mut line) {
                Ok(0) | Err(_) => break,
                Ok(_) => into.lock().unwrap().push_str(&line),
            }
        }
    })
}

impl Proc {
    fn spawn(name: &str, mut cmd: Command, stdin: Option<&str>) -> Proc {
        cmd.stdin(if stdin.is_some() {
            Stdio::piped()
        } else {
            Stdio::null()
        })
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
        let mut child = cmd
            .spawn()
            .unwrap_or_else(|e| panic!("cannot start {BIN} ({name}): {e}"));
        if let Some(input) = stdin {
            let mut pipe = child.stdin.take().unwrap();
            // The child may exit before reading it all; that is its answer.
            let _ = pipe.write_all(input.as_bytes());
        }
        let stdout = Arc::new(Mutex::new(String::new()));
        let stderr = Arc::new(Mutex::new(String::new()));
        let readers = vec![
            collect(child.stdout.take().unwrap(), stdout.clone()),
            collect(child.stderr.take().unwrap(), stderr.clone()),
        ];
        Proc {
            name: name.to_owned(),
            child,
            stdout,
            stderr,
            readers,
            status: None,
        }
    }

    fn pid(&self) -> u32 {
        self.child.id()
    }

    fn stdout(&self) -> String {
        self.stdout.lock().unwrap().clone()
    }

    fn stderr(&self) -> String {
        self.stderr.lock().unwrap().clone()
    }

    fn has_exited(&mut self) -> Option<ExitStatus> {
        if self.status.is_none() {
            self.status = self.child.try_wait().expect("try_wait");
        }
        self.status
    }

    /// Waits (at most `timeout`) for the child to exit, then for its output
    /// to be read to the end.
    async fn wait_exit(&mut self, timeout: Duration) -> ExitStatus {
        let deadline = Instant::now() + timeout;
        let status = loop {
            if let Some(s) = self.has_exited() {
                break s;
            }
            assert!(
                Instant::now() < deadline,
                "{} did not exit within {timeout:?}",
                self.name
            );
            tokio::time::sleep(Duration::from_millis(25)).await;
        };
        for r in self.readers.drain(..) {
            let _ = r.join();
        }
        status
    }

    /// Waits (at most `timeout`) until `find` recognises something in the
    /// child's stdout and stderr.
    async fn wait_for_output<T>(
        &mut self,
        what: &str,
        timeout: Duration,
        find: impl Fn(&str, &str) -> Option<T>,
    ) -> T {
        let deadline = Instant::now() + timeout;
        loop {
            if let Some(found) = find(&self.stdout(), &self.stderr()) {
                return found;
            }
            if let Some(status) = self.has_exited() {
                // One last look: the output may have arrived with the exit.
                for r in self.readers.drain(..) {
                    let _ = r.join();
                }
                if let Some(found) = find(&self.stdout(), &self.stderr()) {
                    return found;
                }
                panic!("{} exited ({status}) before {what}", self.name);
            }
            assert!(
                Instant::now() < deadline,
                "{}: no {what} within {timeout:?}",
                self.name
            );
            tokio::time::sleep(Duration::from_millis(25)).await;
        }
    }

    /// Sends SIGTERM, as `systemd stop` or `docker stop` would.
    fn terminate(&self) {
        let status = Command::new("kill")
            .arg("-TERM")
            .arg(self.pid().to_string())
            .status()
            .expect("running kill");
        assert!(status.success(), "kill -TERM {} failed", self.pid());
    }
}

impl Drop for Proc {
    fn drop(&mut self) {
        if self.status.is_none() {
            let _ = self.child.kill();
            let _ = self.child.wait();
        }
        for r in self.readers.drain(..) {
            let _ = r.join();
        }
        if std::thread::panicking() {
            eprintln!(
                "---- {} stdout ----\n{}---- {} stderr ----\n{}",
                self.name,
                self.stdout(),
                self.name,
                self.stderr()
            );
        }
    }
}

/// What a one-shot command did.
struct Outcome {
    status: ExitStatus,
    stdout: String,
    stderr: String,
}

/// Runs a command to its end (at most [`COMMAND_TIMEOUT`]).
async fn run(name: &str, cmd: Command, stdin: Option<&str>) -> Outcome {
    let mut p = Proc::spawn(name, cmd, stdin);
    let status = p.wait_exit(COMMAND_TIMEOUT).await;
    Outcome {
        status,
        stdout: p.stdout(),
        stderr: p.stderr(),
    }
}

/// Runs a command that must succeed; returns its stdout.
async fn run_ok(name: &str, cmd: Command, stdin: Option<&str>) -> String {
    let out = run(name, cmd, stdin).await;
    assert!(
        out.status.success(),
        "{name} failed ({}):\nstdout:\n{}\nstderr:\n{}",
        out.status,
        out.stdout,
        out.stderr
    );
    out.stdout
}

/// A `serve` or `demo` process that answers `/readyz`.
struct Server {
    proc: Proc,
    base: String,
}

const SERVING: &str = "thirdplace is serving on http://";

/// Starts `thirdplace [global args] <command> --addr 127.0.0.1:0`, learns its
/// port from stdout and waits until `/readyz` answers 200.
async fn start(name: &str, mut cmd: Command, command: &str) -> Server {
    cmd.arg(command).arg("--addr").arg("127.0.0.1:0");
    let mut proc = Proc::spawn(name, cmd, None);
    let addr = proc
        .wait_for_output("serving line on stdout", START_TIMEOUT, |out, _| {
            out.lines()
                .find_map(|l| l.strip_prefix(SERVING))
                .map(|a| a.trim().to_owned())
        })
        .await;
    assert!(addr.starts_with("127.0.0.1:"), "{name} serves on {addr}");
    let base = format!("http://{addr}");
    let c = client();
    let deadline = Instant::now() + START_TIMEOUT;
    loop {
        if let Ok(r) = c.get(format!("{base}/readyz")).send().await {
            if r.status() == 200 {
                break;
            }
        }
        if let Some(status) = proc.has_exited() {
            panic!("{name} exited ({status}) before it was ready");
        }
        assert!(Instant::now() < deadline, "{name} not ready in time");
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    Server { proc, base }
}

impl Server {
    fn url(&self, path: &str) -> String {
        format!("{}{path}", self.base)
    }

    fn addr(&self) -> &str {
        self.base.trim_start_matches("http://")
    }

    /// SIGTERM, then the exit status (at most [`EXIT_TIMEOUT`] later).
    async fn stop(&mut self) -> ExitStatus {
        self.proc.terminate();
        self.proc.wait_exit(EXIT_TIMEOUT).await
    }
}

// ---------------------------------------------------------------------------
// HTTP
// ---------------------------------------------------------------------------

/// No redirects followed, no cookie store (cookies are passed by hand, so
/// that one browser's cookies can be shown to two servers), no proxy.
fn client() -> reqwest::Client {
    reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .no_proxy()
        .timeout(Duration::from_secs(30))
        .build()
        .unwrap()
}

fn set_cookie(resp: &reqwest::Response, name: &str) -> Option<String> {
    resp.headers()
        .get_all(reqwest::header::SET_COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .filter_map(|v| v.split(';').next())
        .filter_map(|kv| kv.trim().split_once('='))
        .find(|(k, _)| *k == name)
        .map(|(_, v)| v.to_owned())
}

fn location(resp: &reqwest::Response) -> String {
    resp.headers()
        .get(reqwest::header::LOCATION)
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default()
        .to_owned()
}

/// The value of a form's hidden `_csrf` field.
fn csrf_field(html: &str) -> String {
    let marker = r#"name="_csrf" value=""#;
    let start = html
        .find(marker)
        .unwrap_or_else(|| panic!("no _csrf field in:\n{html}"))
        + marker.len();
    let len = html[start..].find('"').unwrap();
    html[start..start + len].to_owned()
}

/// A browser that opened the sign-in page: its CSRF cookie and the form's
/// hidden field, which must be equal (double submit).
struct Browser {
    csrf: String,
    session: Option<String>,
    lang: Option<&'static str>,
}

impl Browser {
    async fn open_login(c: &reqwest::Client, server: &Server) -> Browser {
        let r = c.get(server.url("/login")).send().await.unwrap();
        assert_eq!(r.status(), 200);
        let cookie = set_cookie(&r, "tp_csrf").expect("GET /login sets tp_csrf");
        let field = csrf_field(&r.text().await.unwrap());
        assert_eq!(cookie, field, "the CSRF cookie and the form field differ");
        Browser {
            csrf: cookie,
            session: None,
            lang: None,
        }
    }

    fn cookies(&self) -> String {
        let mut c = format!("tp_csrf={}", self.csrf);
        if let Some(s) = &self.session {
            c.push_str(&format!("; tp_session={s}"));
        }
        if let Some(l) = self.lang {
            c.push_str(&format!("; tp_lang={l}"));
        }
        c
    }

    async fn get(&self, c: &reqwest::Client, server: &Server, path: &str) -> reqwest::Response {
        c.get(server.url(path))
            .header(reqwest::header::COOKIE, self.cookies())
            .send()
            .await
            .unwrap()
    }

    async fn post_form(
        &self,
        c: &reqwest::Client,
        server: &Server,
        path: &str,
        fields: &[(&str, &str)],
    ) -> reqwest::Response {
        let mut form = vec![("_csrf", self.csrf.as_str())];
        form.extend_from_slice(fields);
        c.post(server.url(path))
            .header(reqwest::header::COOKIE, self.cookies())
            .form(&form)
            .send()
            .await
            .unwrap()
    }

    async fn login(
        &self,
        c: &reqwest::Client,
        server: &Server,
        email: &str,
        password: &str,
    ) -> reqwest::Response {
        self.post_form(
            c,
            server,
            "/login",
            &[
                ("email", email),
                ("password", password),
                ("next", "/account"),
            ],
        )
        .await
    }
}

async fn json_list(c: &reqwest::Client, server: &Server, path: &str) -> Vec<serde_json::Value> {
    let r = c.get(server.url(path)).send().await.unwrap();
    assert_eq!(r.status(), 200, "GET {path}");
    r.json::<Vec<serde_json::Value>>().await.unwrap()
}

/// Opening hours `open`–`close` every day of the week, in the API's shape.
fn every_day(open: &str, close: &str) -> serde_json::Value {
    let day = serde_json::json!([{ "open": open, "close": close }]);
    serde_json::json!({
        "monday": day, "tuesday": day, "wednesday": day, "thursday": day,
        "friday": day, "saturday": day, "sunday": day, "exceptions": []
    })
}

/// Creates a hub in Figeholm, run by the demo's first municipality and
/// operator, with `opening_hours`; returns its id.
async fn create_hub(
    c: &reqwest::Client,
    server: &Server,
    admin: &str,
    name: &str,
    opening_hours: serde_json::Value,
) -> serde_json::Value {
    let municipality = json_list(c, server, "/api/v1/municipalities").await[0]["id"].clone();
    let operator = json_list(c, server, "/api/v1/operators").await[0]["id"].clone();
    let hub = c
        .post(server.url("/api/v1/hubs"))
        .bearer_auth(admin)
        .json(&serde_json::json!({
            "municipality_id": municipality, "operator_id": operator,
            "name": name, "description": "", "street_address": "Bygatan 1",
            "postal_code": "57275", "city": "Figeholm", "latitude": 57.37, "longitude": 16.55,
            "in_central_town": false, "opening_hours": opening_hours
        }))
        .send()
        .await
        .unwrap();
    assert_eq!(hub.status(), 201);
    hub.json::<serde_json::Value>().await.unwrap()["id"].clone()
}

/// Creates a conference room in `hub`; returns its id.
async fn create_room(
    c: &reqwest::Client,
    server: &Server,
    admin: &str,
    hub: &serde_json::Value,
    room: serde_json::Value,
) -> serde_json::Value {
    let r = c
        .post(server.url(&format!("/api/v1/hubs/{}/rooms", hub.as_str().unwrap())))
        .bearer_auth(admin)
        .json(&room)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 201);
    r.json::<serde_json::Value>().await.unwrap()["id"].clone()
}

/// Every item of an API list, following its `Link: <…>; rel="next"` pages.
async fn all_pages(
    c: &reqwest::Client,
    server: &Server,
    token: &str,
    path: &str,
) -> Vec<serde_json::Value> {
    let mut url = server.url(path);
    let mut all = Vec::new();
    loop {
        let r = c.get(&url).bearer_auth(token).send().await.unwrap();
        assert_eq!(r.status(), 200, "GET {url}");
        let next = r
            .headers()
            .get(reqwest::header::LINK)
            .and_then(|l| l.to_str().ok())
            .and_then(|l| l.strip_prefix('<'))
            .and_then(|l| l.split_once(">; rel=\"next\""))
            .map(|(u, _)| u.to_owned());
        all.extend(r.json::<Vec<serde_json::Value>>().await.unwrap());
        match next {
            Some(n) if n.starts_with("http") => url = n,
            Some(n) => url = server.url(&n),
            None => return all,
        }
    }
}

/// Creates a network admin through the CLI and returns a fresh API token
/// for them, also from the CLI.
async fn admin_with_token(database_url: &str, email: &str) -> String {
    let mut cmd = thirdplace(database_url);
    cmd.args(["admin", "create", "--email", email]).args([
        "--first-name",
        "Ada",
        "--last-name",
        "Lovelace",
    ]);
    run_ok("admin create", cmd, Some("a long enough password\n")).await;
    token_for(database_url, email).await
}

async fn token_for(database_url: &str, email: &str) -> String {
    let mut cmd = thirdplace(database_url);
    cmd.args(["token", "create", "--email", email]);
    let out = run_ok("token create", cmd, None).await;
    let lines: Vec<&str> = out.lines().collect();
    assert_eq!(lines.len(), 1, "token create printed {out:?}");
    assert!(lines[0].starts_with("tp_"), "not a token: {out:?}");
    assert_eq!(lines[0], lines[0].trim(), "the token line has blanks");
    lines[0].to_owned()
}

fn temp_dir() -> tempfile::TempDir {
    tempfile::tempdir().expect("a temporary directory")
}

// ---------------------------------------------------------------------------
// The tests
// ---------------------------------------------------------------------------

#[tokio::test]
async fn demo_twice_keeps_the_data_and_adds_no_duplicates() {
    let dir = temp_dir();
    let db: PathBuf = dir.path().join("demo.db");
    let url = sqlite_url(&db);
    let c = client();

    let mut first = start("demo (first run)", thirdplace(&url), "demo").await;
    let out = first.proc.stdout();
    assert!(
        out.contains("The demo network was created in"),
        "first run: {out}"
    );
    assert!(out.contains(r#"Demo sign-ins (password "demo")"#), "{out}");
    for email in DEMO_LOGINS {
        assert!(out.contains(email), "{email} is not listed in:\n{out}");
    }
    let hubs = json_list(&c, &first, "/api/v1/hubs").await.len();
    let regions = json_list(&c, &first, "/api/v1/regions").await.len();
    let organisations = json_list(&c, &first, "/api/v1/organisations").await.len();
    assert!(hubs >= 4, "{hubs} hubs");
    assert!(
        regions >= 1 && organisations >= 25,
        "{regions} {organisations}"
    );
    // WAL mode: the write-ahead log sits next to the database while serving.
    let wal = dir.path().join("demo.db-wal");
    assert!(wal.exists(), "no {} while serving", wal.display());
    let status = first.stop().await;
    assert!(status.success(), "first run exited with {status}");

    // WAL mode is also recorded in the file itself: header bytes 18 and 19
    // (file format write and read versions) are 2 for WAL, 1 for rollback.
    let header = std::fs::read(&db).unwrap();
    assert_eq!(&header[..16], b"SQLite format 3\0");
    assert_eq!((header[18], header[19]), (2, 2), "not in WAL mode");

    let mut second = start("demo (second run)", thirdplace(&url), "demo").await;
    let out = second.proc.stdout();
    assert!(
        out.contains("The demo network is already in") && out.contains("nothing was added"),
        "second run: {out}"
    );
    for email in DEMO_LOGINS {
        assert!(out.contains(email), "{email} is not listed in:\n{out}");
    }
    assert_eq!(json_list(&c, &second, "/api/v1/hubs").await.len(), hubs);
    assert_eq!(
        json_list(&c, &second, "/api/v1/regions").await.len(),
        regions
    );
    assert_eq!(
        json_list(&c, &second, "/api/v1/organisations").await.len(),
        organisations
    );
    let status = second.stop().await;
    assert!(status.success(), "second run exited with {status}");
}

#[tokio::test]
async fn admin_create_reads_the_password_from_stdin_and_token_create_prints_only_the_token() {
    let dir = temp_dir();
    let url = sqlite_url(&dir.path().join("admin.db"));
    let admin = |password: &str| {
        let mut cmd = thirdplace(&url);
        cmd.args(["admin", "create", "--email", "ada@example.se"])
            .args(["--first-name", "Ada", "--last-name", "Lovelace"]);
        (cmd, password.to_owned())
    };

    let (cmd, password) = admin("too short\n");
    let out = run("admin create (short password)", cmd, Some(&password)).await;
    assert!(!out.status.success(), "a 9-character password was accepted");
    assert!(
        out.stderr
            .contains("the password must have at least 10 characters"),
        "stderr: {}",
        out.stderr
    );
    assert!(!out.stdout.contains("created"), "stdout: {}", out.stdout);

    // Nobody was created by the failed run, so this one succeeds.
    let (cmd, password) = admin("a long enough password\n");
    let out = run_ok("admin create", cmd, Some(&password)).await;
    assert_eq!(out.trim(), "Network admin ada@example.se created.");

    let (cmd, password) = admin("another long password\n");
    let out = run("admin create (again)", cmd, Some(&password)).await;
    assert!(!out.status.success(), "the same admin was created twice");
    assert!(out.stderr.contains("already exists"), "{}", out.stderr);

    let token = token_for(&url, "ada@example.se").await;

    let mut unknown = thirdplace(&url);
    unknown.args(["token", "create", "--email", "nobody@example.se"]);
    let out = run("token create (unknown person)", unknown, None).await;
    assert!(!out.status.success());
    assert!(out.stdout.is_empty(), "stdout: {}", out.stdout);

    let mut server = start("serve", thirdplace(&url), "serve").await;
    let c = client();
    let body = serde_json::json!({"name": "Region Test", "code": "99"});

    let r = c
        .post(server.url("/api/v1/regions"))
        .bearer_auth(&token)
        .json(&body)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 201);
    let created: serde_json::Value = r.json().await.unwrap();
    assert_eq!(created["name"], "Region Test");
    assert_eq!(created["code"], "99");

    for (what, request) in [
        ("no token", c.post(server.url("/api/v1/regions"))),
        (
            "a wrong token",
            c.post(server.url("/api/v1/regions"))
                .bearer_auth("tp_not-a-token-anyone-was-given"),
        ),
    ] {
        let r = request.json(&body).send().await.unwrap();
        assert_eq!(r.status(), 401, "{what}");
        let err: serde_json::Value = r.json().await.unwrap();
        assert_eq!(err["error"]["code"], "unauthorized", "{what}: {err}");
        assert!(err["error"]["message"].as_str().is_some(), "{what}: {err}");
    }
    let regions = json_list(&c, &server, "/api/v1/regions").await;
    assert_eq!(regions.len(), 1, "{regions:?}");

    let status = server.stop().await;
    assert!(status.success(), "serve exited with {status}");
    // Text logs to a pipe (a log collector, not a terminal) carry no colours.
    let stderr = server.proc.stderr();
    assert!(stderr.contains("serving"), "{stderr}");
    assert!(!stderr.contains('\x1b'), "ANSI escapes in:\n{stderr}");
}

#[tokio::test]
async fn sigterm_shuts_down_gracefully() {
    let dir = temp_dir();
    let url = sqlite_url(&dir.path().join("sigterm.db"));
    let token = admin_with_token(&url, "ops@example.se").await;
    let mut cmd = thirdplace(&url);
    // Debug events of the HTTP layer tell us when the request is in the app.
    cmd.env("RUST_LOG", "info,sqlx=warn,tower_http=debug");
    let mut server = start("serve", cmd, "serve").await;

    // A slow client: the head of a POST, and only half of its body.
    let body = r#"{"name": "Region Sigterm", "code": "98"}"#;
    let (first_half, second_half) = body.split_at(body.len() / 2);
    let head = format!(
        "POST /api/v1/regions HTTP/1.1\r\nHost: {}\r\nAuthorization: Bearer {token}\r\n\
         Content-Type: application/json\r\nContent-Length: {}\r\nConnection: close\r\n\r\n",
        server.addr(),
        body.len()
    );
    let mut conn = tokio::net::TcpStream::connect(server.addr()).await.unwrap();
    conn.write_all(head.as_bytes()).await.unwrap();
    conn.write_all(first_half.as_bytes()).await.unwrap();
    conn.flush().await.unwrap();
    server
        .proc
        .wait_for_output("request in flight", OUTPUT_TIMEOUT, |_, err| {
            err.lines()
                .any(|l| l.contains("started processing request") && l.contains("/api/v1/regions"))
                .then_some(())
        })
        .await;

    server.proc.terminate();
    server
        .proc
        .wait_for_output("shutdown log line", OUTPUT_TIMEOUT, |_, err| {
            err.contains("shutting down: finishing requests in flight")
                .then_some(())
        })
        .await;
    // New connections are refused once shutdown began…
    let deadline = Instant::now() + OUTPUT_TIMEOUT;
    while tokio::net::TcpStream::connect(server.addr()).await.is_ok() {
        assert!(Instant::now() < deadline, "still accepting connections");
        tokio::time::sleep(Duration::from_millis(25)).await;
    }
    // …but the process waits for the request in flight.
    tokio::time::sleep(Duration::from_millis(300)).await;
    assert!(
        server.proc.has_exited().is_none(),
        "exited with a request in flight"
    );

    conn.write_all(second_half.as_bytes()).await.unwrap();
    conn.flush().await.unwrap();
    let mut response = Vec::new();
    tokio::time::timeout(Duration::from_secs(10), conn.read_to_end(&mut response))
        .await
        .expect("the answer in time")
        .unwrap();
    let response = String::from_utf8_lossy(&response);
    assert!(
        response.starts_with("HTTP/1.1 201"),
        "answer after SIGTERM:\n{response}"
    );
    assert!(response.contains("Region Sigterm"), "{response}");

    let status = server.proc.wait_exit(EXIT_TIMEOUT).await;
    assert!(status.success(), "exited with {status} after SIGTERM");
}

#[tokio::test]
async fn json_logs_when_asked() {
    let dir = temp_dir();
    let url = sqlite_url(&dir.path().join("logs.db"));
    let mut cmd = thirdplace(&url);
    cmd.args(["--log-format", "json"]);
    let mut server = start("serve --log-format json", cmd, "serve").await;
    let c = client();

    // The id a client sends comes back; without one, the server makes one.
    let r = c
        .get(server.url("/healthz"))
        .header("x-request-id", "process-test-4711")
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200);
    assert_eq!(r.headers()["x-request-id"], "process-test-4711");
    let r = c.get(server.url("/healthz")).send().await.unwrap();
    let made = r.headers()["x-request-id"].to_str().unwrap();
    assert!(uuid::Uuid::parse_str(made).is_ok(), "request id {made:?}");

    // Something the app logs while handling a request: a failed sign-in.
    let browser = Browser::open_login(&c, &server).await;
    let r = c
        .post(server.url("/login"))
        .header(reqwest::header::COOKIE, browser.cookies())
        .header("x-request-id", "process-test-login-42")
        .form(&[
            ("_csrf", browser.csrf.as_str()),
            ("email", "nobody@example.se"),
            ("password", "wrong password"),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 401);
    assert_eq!(r.headers()["x-request-id"], "process-test-login-42");

    let line = server
        .proc
        .wait_for_output("log line with the request id", OUTPUT_TIMEOUT, |_, err| {
            err.lines()
                .find(|l| l.contains("process-test-login-42"))
                .map(str::to_owned)
        })
        .await;
    let event: serde_json::Value =
        serde_json::from_str(&line).unwrap_or_else(|e| panic!("not a JSON log line ({e}): {line}"));
    assert_eq!(event["fields"]["message"], "failed sign-in", "{event}");
    assert_eq!(event["level"], "INFO", "{event}");
    assert_eq!(
        event["span"]["request_id"], "process-test-login-42",
        "{event}"
    );
    assert_eq!(event["span"]["uri"], "/login", "{event}");
    assert_eq!(event["span"]["method"], "POST", "{event}");

    let status = server.stop().await;
    assert!(status.success(), "serve exited with {status}");
    // Every line on stderr is JSON, from the first to the shutdown.
    let stderr = server.proc.stderr();
    for line in stderr.lines().filter(|l| !l.trim().is_empty()) {
        let v: serde_json::Value = serde_json::from_str(line)
            .unwrap_or_else(|e| panic!("not a JSON log line ({e}): {line}"));
        assert!(v["timestamp"].is_string() && v["level"].is_string(), "{v}");
    }
    assert!(
        stderr.contains(r#""message":"serving""#),
        "no start line:\n{stderr}"
    );
    assert!(
        stderr.contains("shutting down: finishing requests in flight"),
        "no shutdown line:\n{stderr}"
    );
}

#[tokio::test]
async fn two_servers_on_one_postgres_behave_as_one() {
    let Some(base_url) = thirdplace_store_postgres::testing::base_url_from_env() else {
        return;
    };
    // Declared first, so dropped last: after both servers are gone.
    let (url, _database) =
        thirdplace_store_postgres::testing::create_test_database(&base_url).await;

    let mut migrate = thirdplace(&url);
    migrate.arg("migrate");
    let out = run_ok("migrate", migrate, None).await;
    assert!(out.contains("Migrations applied"), "{out}");

    let (a, b) = tokio::join!(
        start("A (demo)", thirdplace(&url), "demo"),
        start("B (serve)", thirdplace(&url), "serve"),
    );
    let (mut a, mut b) = (a, b);
    assert!(
        a.proc.stdout().contains("The demo network was created in"),
        "{}",
        a.proc.stdout()
    );
    let c = client();

    // Sign in on A…
    let mut browser = Browser::open_login(&c, &a).await;
    let r = browser
        .login(&c, &a, "admin@demo.example", DEMO_PASSWORD)
        .await;
    assert_eq!(r.status(), 303, "sign-in on A");
    assert_eq!(location(&r), "/account");
    browser.session = Some(set_cookie(&r, "tp_session").expect("a session cookie"));

    // …and B knows the session.
    let r = browser.get(&c, &b, "/account").await;
    assert_eq!(r.status(), 200, "GET /account on B");
    let html = r.text().await.unwrap();
    assert!(html.contains("Maria"), "the admin's page on B:\n{html}");
    assert!(html.contains("admin@demo.example"), "{html}");

    // Sign out on B, and A forgets the session too.
    let r = browser.post_form(&c, &b, "/logout", &[]).await;
    assert_eq!(r.status(), 303, "sign-out on B");
    assert_eq!(set_cookie(&r, "tp_session").as_deref(), Some(""));
    let r = browser.get(&c, &a, "/account").await;
    assert_eq!(r.status(), 303, "GET /account on A after sign-out");
    assert!(location(&r).starts_with("/login"), "{}", location(&r));

    // A region written through A's API is read through B's.
    let token = token_for(&url, "admin@demo.example").await;
    let r = c
        .post(a.url("/api/v1/regions"))
        .bearer_auth(&token)
        .json(&serde_json::json!({"name": "Region Test", "code": "99"}))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 201, "POST /api/v1/regions on A");
    let regions = json_list(&c, &b, "/api/v1/regions").await;
    assert!(
        regions
            .iter()
            .any(|r| r["code"] == "99" && r["name"] == "Region Test"),
        "B does not list A's region: {regions:?}"
    );

    let (sa, sb) = (a.stop().await, b.stop().await);
    assert!(sa.success() && sb.success(), "A: {sa}, B: {sb}");
}

/// Each process keeps hubs, rooms and booking rules in memory; a change
/// made through one process is seen by the other on its very next request
/// (PostgreSQL tells every process through `NOTIFY`, which it delivers
/// when the change commits: `thirdplace_store::cache`).
#[tokio::test]
async fn two_servers_on_one_postgres_see_each_others_changes_at_once() {
    let Some(base_url) = thirdplace_store_postgres::testing::base_url_from_env() else {
        return;
    };
    let (url, _database) =
        thirdplace_store_postgres::testing::create_test_database(&base_url).await;
    let mut migrate = thirdplace(&url);
    migrate.arg("migrate");
    run_ok("migrate", migrate, None).await;
    let mut a = start("A (demo)", thirdplace(&url), "demo").await;
    let mut b = start("B (serve)", thirdplace(&url), "serve").await;
    let c = client();
    let admin = token_for(&url, "admin@demo.example").await;
    let hub_id = create_hub(&c, &a, &admin, "Cachetestet", every_day("08:00", "17:00")).await;
    let hub = hub_id.as_str().unwrap().to_string();
    let room_id = create_room(
        &c,
        &a,
        &admin,
        &hub_id,
        serde_json::json!({
            "name": "Lilla rummet", "kind": "meeting", "capacity": 6, "hourly_price_ore": 20_000
        }),
    )
    .await;
    let room = room_id.as_str().unwrap().to_string();
    let date =
        thirdplace_domain::membership::local_date(chrono::Utc::now()) + chrono::Duration::days(2);
    let availability = format!("/api/v1/rooms/{room}/availability?date={date}");
    let get = |server: &Server, path: &str| {
        let (c, url, admin) = (c.clone(), server.url(path), admin.clone());
        async move {
            let r = c.get(url).bearer_auth(admin).send().await.unwrap();
            assert_eq!(r.status(), 200, "GET");
            r.json::<serde_json::Value>().await.unwrap()
        }
    };
    let put = |server: &Server, path: &str, body: serde_json::Value| {
        let (c, url, admin) = (c.clone(), server.url(path), admin.clone());
        async move {
            let r = c
                .put(url)
                .bearer_auth(admin)
                .json(&body)
                .send()
                .await
                .unwrap();
            assert_eq!(r.status(), 200, "PUT: {}", r.text().await.unwrap());
        }
    };

    // B reads (and keeps) the hub, its room and its rules.
    let before = get(&b, &availability).await;
    assert_eq!(before["open"].as_array().unwrap().len(), 1, "{before}");
    get(&b, &format!("/api/v1/hubs/{hub}")).await;
    get(&b, &format!("/api/v1/rooms/{room}")).await;
    let rules = get(&b, &format!("/api/v1/hubs/{hub}/booking-rules")).await;

    // Opening hours changed through A, again and again: B's next answer
    // has them every time.
    // What a hub is written with: its listing without the names it shows.
    let mut hub_body = get(&a, &format!("/api/v1/hubs/{hub}")).await;
    hub_body.as_object_mut().unwrap().retain(|k, _| {
        [
            "municipality_id",
            "operator_id",
            "name",
            "description",
            "street_address",
            "postal_code",
            "city",
            "latitude",
            "longitude",
            "in_central_town",
            "opening_hours",
            "archived",
        ]
        .contains(&k.as_str())
    });
    for (i, (open, close)) in [("09:00", "12:00"), ("10:00", "14:00"), ("07:00", "21:00")]
        .into_iter()
        .enumerate()
    {
        hub_body["opening_hours"] = every_day(open, close);
        hub_body["name"] = format!("Cachetestet {i}").into();
        put(&a, &format!("/api/v1/hubs/{hub}"), hub_body.clone()).await;
        let on_b = get(&b, &availability).await;
        assert_eq!(on_b, get(&a, &availability).await, "round {i}");
        assert_ne!(on_b, before, "round {i}: B still has the old hours");
        let listing = get(&b, &format!("/api/v1/hubs/{hub}")).await;
        assert_eq!(listing["name"], format!("Cachetestet {i}"));
    }

    // Booking rules changed through A.
    let mut new_rules = rules.clone();
    new_rules["max_days_ahead"] = (rules["max_days_ahead"].as_i64().unwrap() - 1).into();
    put(
        &a,
        &format!("/api/v1/hubs/{hub}/booking-rules"),
        new_rules.clone(),
    )
    .await;
    let on_b = get(&b, &format!("/api/v1/hubs/{hub}/booking-rules")).await;
    assert_eq!(
        on_b["max_days_ahead"], new_rules["max_days_ahead"],
        "{on_b}"
    );

    // The room archived through A: B no longer offers it.
    let mut room_body = get(&a, &format!("/api/v1/rooms/{room}")).await;
    room_body.as_object_mut().unwrap().retain(|k, _| {
        [
            "name",
            "kind",
            "capacity",
            "hourly_price_ore",
            "vat_rate_percent",
        ]
        .contains(&k.as_str())
    });
    room_body["archived"] = true.into();
    put(&a, &format!("/api/v1/rooms/{room}"), room_body).await;
    assert_eq!(
        get(&b, &format!("/api/v1/rooms/{room}")).await["archived"],
        true
    );
    let on_b = get(&b, &availability).await;
    assert_eq!(on_b["open"], serde_json::json!([]), "{on_b}");

    let (sa, sb) = (a.stop().await, b.stop().await);
    assert!(sa.success() && sb.success(), "A: {sa}, B: {sb}");
}

/// 200 simultaneous requests for one room slot, spread over two `serve`
/// processes on one PostgreSQL database: exactly one booking is accepted,
/// because the database itself refuses overlaps (an exclusion constraint),
/// not a lock inside one process.
#[tokio::test]
async fn two_servers_on_one_postgres_never_double_book() {
    let Some(base_url) = thirdplace_store_postgres::testing::base_url_from_env() else {
        return;
    };
    let (url, _database) =
        thirdplace_store_postgres::testing::create_test_database(&base_url).await;
    let mut migrate = thirdplace(&url);
    migrate.arg("migrate");
    run_ok("migrate", migrate, None).await;
    let a = start("A (demo)", thirdplace(&url), "demo").await;
    let b = start("B (serve)", thirdplace(&url), "serve").await;
    let (mut a, mut b) = (a, b);
    let c = client();
    let admin = token_for(&url, "admin@demo.example").await;
    let member = token_for(&url, "member@demo.example").await;

    // A conference room open every day, which anyone of an organisation
    // may book.
    let hub_id = create_hub(
        &c,
        &a,
        &admin,
        "Dubbelbokningstestet",
        every_day("07:00", "20:00"),
    )
    .await;
    let room_id = create_room(
        &c,
        &a,
        &admin,
        &hub_id,
        serde_json::json!({
            "name": "Stora salen", "kind": "conference", "capacity": 40, "hourly_price_ore": 60_000
        }),
    )
    .await;

    // The day after tomorrow, 10:00–11:00 Swedish time.
    let date =
        thirdplace_domain::membership::local_date(chrono::Utc::now()) + chrono::Duration::days(2);
    let at = |h: u32| {
        thirdplace_domain::membership::local_instant(
            date,
            chrono::NaiveTime::from_hms_opt(h, 0, 0).unwrap(),
        )
        .to_rfc3339()
    };
    let body = serde_json::json!({"room_id": room_id, "start": at(10), "end": at(11), "title": "Styrelsemöte"});
    let barrier = Arc::new(tokio::sync::Barrier::new(200));
    let mut tasks = Vec::new();
    for i in 0..200 {
        let server = if i % 2 == 0 { &a } else { &b };
        let req = c
            .post(server.url("/api/v1/bookings"))
            .bearer_auth(&member)
            .json(&body);
        let barrier = barrier.clone();
        tasks.push(tokio::spawn(async move {
            barrier.wait().await;
            let r = req.send().await.unwrap();
            let status = r.status().as_u16();
            (status, r.json::<serde_json::Value>().await.unwrap())
        }));
    }
    let (mut created, mut conflicts) = (0, 0);
    for t in tasks {
        match t.await.unwrap() {
            (201, _) => created += 1,
            (409, v) => {
                assert_eq!(v["error"]["code"], "booking_conflict", "{v}");
                conflicts += 1;
            }
            (s, v) => panic!("unexpected {s}: {v}"),
        }
    }
    assert_eq!((created, conflicts), (1, 199));
    let day = get_json(
        &c,
        &b,
        &format!(
            "/api/v1/rooms/{}/availability?date={date}",
            room_id.as_str().unwrap()
        ),
    )
    .await;
    assert_eq!(day["busy"].as_array().unwrap().len(), 1, "{day}");

    let (sa, sb) = (a.stop().await, b.stop().await);
    assert!(sa.success() && sb.success(), "A: {sa}, B: {sb}");
}

async fn get_json(c: &reqwest::Client, server: &Server, path: &str) -> serde_json::Value {
    let r = c.get(server.url(path)).send().await.unwrap();
    assert_eq!(r.status(), 200, "GET {path}");
    r.json().await.unwrap()
}

#[tokio::test]
async fn failed_logins_are_throttled() {
    let dir = temp_dir();
    let url = sqlite_url(&dir.path().join("throttle.db"));
    let mut server = start("demo", thirdplace(&url), "demo").await;
    let c = client();
    let mut browser = Browser::open_login(&c, &server).await;

    for attempt in 1..=5 {
        let r = browser
            .login(&c, &server, "member@demo.example", "not the password")
            .await;
        assert_eq!(r.status(), 401, "wrong password, attempt {attempt}");
        assert!(set_cookie(&r, "tp_session").is_none());
        let html = r.text().await.unwrap();
        assert!(html.contains("Fel e-postadress eller lösenord."), "{html}");
    }

    // The sixth attempt is refused even with the right password (for a few
    // seconds, the page says how many; see tests/sign_in.rs in the web crate).
    let r = browser
        .login(&c, &server, "member@demo.example", DEMO_PASSWORD)
        .await;
    assert_eq!(r.status(), 429, "sixth attempt");
    assert!(set_cookie(&r, "tp_session").is_none(), "signed in anyway");
    let html = r.text().await.unwrap();
    assert!(
        html.contains("För många misslyckade försök. Försök igen om "),
        "{html}"
    );

    browser.lang = Some("en");
    let r = browser
        .login(&c, &server, "member@demo.example", DEMO_PASSWORD)
        .await;
    assert_eq!(r.status(), 429, "seventh attempt");
    let html = r.text().await.unwrap();
    assert!(
        html.contains("Too many failed attempts. Try again in "),
        "{html}"
    );

    // The account's delay does not touch another account from the same
    // address.
    let r = browser
        .login(&c, &server, "admin@demo.example", DEMO_PASSWORD)
        .await;
    assert_eq!(r.status(), 303, "another account");
    assert!(set_cookie(&r, "tp_session").is_some());

    let status = server.stop().await;
    assert!(status.success(), "demo exited with {status}");
}

/// Opening hours around the present moment, Swedish time, every day: the
/// real binary judges check-ins by the real clock. `None` in the last
/// minutes of a day, when no interval can contain the rest of the test.
fn hours_around_now() -> Option<serde_json::Value> {
    use chrono::Timelike;
    let now = chrono::Utc::now().with_timezone(&thirdplace_domain::HUB_TIME_ZONE);
    let minutes = i64::from(now.hour() * 60 + now.minute());
    if minutes >= 23 * 60 + 50 {
        return None;
    }
    let open = (minutes - 60).max(0);
    let close = (minutes + 60).min(23 * 60 + 59);
    let hhmm = |m: i64| format!("{:02}:{:02}", m / 60, m % 60);
    let day = serde_json::json!([{ "open": hhmm(open), "close": hhmm(close) }]);
    Some(serde_json::json!({
        "monday": day, "tuesday": day, "wednesday": day, "thursday": day,
        "friday": day, "saturday": day, "sunday": day, "exceptions": []
    }))
}

/// SIGKILL in the middle of a stream of check-ins and check-outs: after a
/// restart every check-in and check-out that was answered is there.
#[tokio::test]
async fn a_crash_loses_no_acknowledged_check_in() {
    let Some(hours) = hours_around_now() else {
        eprintln!("skipped: too close to midnight (Swedish time) for opening hours around now");
        return;
    };
    let dir = temp_dir();
    let url = sqlite_url(&dir.path().join("crash.db"));
    let c = client();
    let mut server = start("demo", thirdplace(&url), "demo").await;
    let admin = token_for(&url, "admin@demo.example").await;
    let member = token_for(&url, "member@demo.example").await;
    let hub_id = create_hub(&c, &server, &admin, "Krocktestet", hours).await;

    // Check in and out as fast as the server answers, recording what was
    // acknowledged, until the process is killed under our feet.
    let acknowledged: Arc<Mutex<Vec<(String, bool)>>> = Arc::default();
    let ack = acknowledged.clone();
    let base = server.base.clone();
    let load = tokio::spawn(async move {
        let c = client();
        loop {
            let Ok(r) = c
                .post(format!("{base}/api/v1/checkins"))
                .bearer_auth(&member)
                .json(&serde_json::json!({ "hub_id": hub_id }))
                .send()
                .await
            else {
                return;
            };
            assert_eq!(r.status(), 201, "check-in refused");
            let Ok(v) = r.json::<serde_json::Value>().await else {
                return;
            };
            let id = v["id"].as_str().unwrap().to_string();
            ack.lock().unwrap().push((id.clone(), false));
            let Ok(r) = c
                .post(format!("{base}/api/v1/checkins/{id}/checkout"))
                .bearer_auth(&member)
                .send()
                .await
            else {
                return;
            };
            if r.status() != 200 {
                return;
            }
            ack.lock().unwrap().last_mut().unwrap().1 = true;
        }
    });
    let deadline = Instant::now() + Duration::from_secs(30);
    while acknowledged.lock().unwrap().len() < 20 {
        assert!(
            Instant::now() < deadline,
            "too few check-ins before the crash"
        );
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
    server.proc.child.kill().unwrap();
    let status = server.proc.wait_exit(EXIT_TIMEOUT).await;
    assert!(!status.success(), "the process was killed");
    let _ = load.await;
    let acknowledged = acknowledged.lock().unwrap().clone();

    let mut server = start("serve after the crash", thirdplace(&url), "serve").await;
    let member = token_for(&url, "member@demo.example").await;
    for (id, checked_out) in &acknowledged {
        let r = c
            .get(server.url(&format!("/api/v1/checkins/{id}")))
            .bearer_auth(&member)
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), 200, "acknowledged check-in {id} lost");
        let v: serde_json::Value = r.json().await.unwrap();
        if *checked_out {
            assert!(
                !v["checked_out_at"].is_null(),
                "acknowledged check-out of {id} lost"
            );
        }
    }
    let status = server.stop().await;
    assert!(status.success());
}

// ---------------------------------------------------------------------------
// Backup and restore
// ---------------------------------------------------------------------------

/// Every table of a database as its sorted rows in text, to compare two
/// databases table by table and row by row.
async fn tables_of(url: &str) -> BTreeMap<String, Vec<String>> {
    use sqlx::Connection;
    let mut out = BTreeMap::new();
    if url.starts_with("sqlite:") {
        let mut conn = sqlx::SqliteConnection::connect(url).await.unwrap();
        let tables: Vec<String> = sqlx::query_scalar(
            "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'",
        )
        .fetch_all(&mut conn)
        .await
        .unwrap();
        for t in tables {
            let columns: Vec<String> = sqlx::query_scalar("SELECT name FROM pragma_table_info(?)")
                .bind(&t)
                .fetch_all(&mut conn)
                .await
                .unwrap();
            let row = columns
                .iter()
                .map(|c| format!("quote(\"{c}\")"))
                .collect::<Vec<_>>()
                .join(" || ',' || ");
            let sql = format!("SELECT {row} FROM \"{t}\"");
            let mut rows: Vec<String> =
                sqlx::query_scalar(&sql).fetch_all(&mut conn).await.unwrap();
            rows.sort();
            out.insert(t, rows);
        }
    } else {
        let mut conn = sqlx::PgConnection::connect(url).await.unwrap();
        let tables: Vec<String> = sqlx::query_scalar(
            "SELECT tablename::text FROM pg_tables WHERE schemaname = current_schema()",
        )
        .fetch_all(&mut conn)
        .await
        .unwrap();
        for t in tables {
            let sql = format!("SELECT r::text FROM \"{t}\" r");
            let mut rows: Vec<String> =
                sqlx::query_scalar(&sql).fetch_all(&mut conn).await.unwrap();
            rows.sort();
            out.insert(t, rows);
        }
    }
    out
}

/// `thirdplace backup --to FILE` (or `restore --from FILE`) on a database.
fn backup_cmd(url: &str, verb: &str, file: &Path, extra: &[&str]) -> Command {
    let mut cmd = thirdplace(url);
    let flag = if verb == "backup" { "--to" } else { "--from" };
    cmd.arg(verb).arg(flag).arg(file).args(extra);
    cmd
}

/// Keeps adding municipalities through the API of `server` until `stop` is
/// set; returns how many it added.
fn keep_writing(
    server: &Server,
    token: String,
    stop: Arc<std::sync::atomic::AtomicBool>,
) -> tokio::task::JoinHandle<usize> {
    let base = server.base.clone();
    tokio::spawn(async move {
        let c = client();
        let regions: Vec<serde_json::Value> = c
            .get(format!("{base}/api/v1/regions"))
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        let region = regions[0]["id"].as_str().unwrap().to_owned();
        let mut added = 0;
        while !stop.load(std::sync::atomic::Ordering::SeqCst) && added < 900 {
            let r = c
                .post(format!("{base}/api/v1/municipalities"))
                .bearer_auth(&token)
                .json(&serde_json::json!({
                    "region_id": region, "name": format!("Backupby {added}"),
                    "code": format!("{}", 9000 + added), "central_town": "Backupby"
                }))
                .send()
                .await
                .unwrap();
            assert_eq!(r.status(), 201, "{}", r.text().await.unwrap());
            added += 1;
        }
        added
    })
}

/// The round trip on either backend: a backup taken while a server serves
/// and writes, restored into an empty database, holds every table row for
/// row; the restored database serves; restoring over data needs --replace;
/// a backup is never written over a file; the other backend's backup and a
/// file that is no backup are refused with a reason.
async fn backup_round_trip(live: &str, empty: &str, other: &str, dir: &Path) {
    let token = admin_with_token(live, "backup.admin@example.se").await;
    let mut server = start("demo", thirdplace(live), "demo").await;
    let stop = Arc::new(std::sync::atomic::AtomicBool::new(false));
    let writer = keep_writing(&server, token, stop.clone());
    tokio::time::sleep(Duration::from_millis(200)).await;
    let file = dir.join("thirdplace.backup");
    let out = run_ok("backup", backup_cmd(live, "backup", &file, &[]), None).await;
    assert!(
        out.starts_with("Backed up ") && out.contains(" rows to "),
        "{out}"
    );
    stop.store(true, std::sync::atomic::Ordering::SeqCst);
    let added = writer.await.unwrap();
    let hubs = json_list(&client(), &server, "/api/v1/hubs").await.len();
    assert!(server.stop().await.success());

    let again = run("backup again", backup_cmd(live, "backup", &file, &[]), None).await;
    assert!(!again.status.success());
    assert!(again.stderr.contains("exists already"), "{}", again.stderr);

    let out = run_ok("restore", backup_cmd(empty, "restore", &file, &[]), None).await;
    assert!(out.starts_with("Restored "), "{out}");
    let restored = tables_of(empty).await;
    let now = tables_of(live).await;
    assert_eq!(
        restored.keys().collect::<Vec<_>>(),
        now.keys().collect::<Vec<_>>()
    );
    let written = |t: &BTreeMap<String, Vec<String>>| {
        t["municipalities"]
            .iter()
            .filter(|m| m.contains("Backupby"))
            .count()
    };
    // Writes went on during the backup: it holds those before its snapshot.
    assert!(written(&restored) <= added && written(&now) == added);
    // The writes went on after the snapshot: they are in the municipalities
    // and the audit trail now; the backup holds those from before it.
    for (table, rows) in &now {
        if !["municipalities", "audit_log", "_sqlx_migrations"].contains(&table.as_str()) {
            assert_eq!(&restored[table], rows, "table {table} differs");
        }
    }
    let audit_now: std::collections::HashSet<&String> = now["audit_log"].iter().collect();
    assert!(restored["audit_log"].iter().all(|r| audit_now.contains(r)));
    let before_writes = |t: &BTreeMap<String, Vec<String>>| {
        let mut rows = t["audit_log"].clone();
        rows.retain(|r| !r.contains("Backupby"));
        rows
    };
    assert_eq!(
        before_writes(&restored),
        before_writes(&now),
        "the trail before the writes is whole"
    );
    let mut restored_municipalities = restored["municipalities"].clone();
    restored_municipalities.retain(|m| !m.contains("Backupby"));
    let mut live_municipalities = now["municipalities"].clone();
    live_municipalities.retain(|m| !m.contains("Backupby"));
    assert_eq!(restored_municipalities, live_municipalities);

    let mut back = start("serve (restored)", thirdplace(empty), "serve").await;
    assert_eq!(
        json_list(&client(), &back, "/api/v1/hubs").await.len(),
        hubs
    );
    assert!(back.stop().await.success());

    let over = run(
        "restore over",
        backup_cmd(live, "restore", &file, &[]),
        None,
    )
    .await;
    assert!(!over.status.success());
    assert!(over.stderr.contains("--replace"), "{}", over.stderr);
    run_ok(
        "restore --replace",
        backup_cmd(live, "restore", &file, &["--replace"]),
        None,
    )
    .await;
    assert_eq!(tables_of(live).await, restored);

    let wrong = run("other kind", backup_cmd(other, "restore", &file, &[]), None).await;
    assert!(!wrong.status.success());
    assert!(
        wrong.stderr.contains("backup; restore it into a"),
        "{}",
        wrong.stderr
    );
    let junk = dir.join("notes.txt");
    std::fs::write(&junk, "not a backup").unwrap();
    let wrong = run(
        "junk",
        backup_cmd(live, "restore", &junk, &["--replace"]),
        None,
    )
    .await;
    assert!(!wrong.status.success());
    assert!(
        wrong.stderr.contains("is not a thirdplace backup"),
        "{}",
        wrong.stderr
    );
}

#[tokio::test]
async fn backup_while_serving_and_restore_keep_every_table_on_sqlite() {
    let dir = temp_dir();
    let live = sqlite_url(&dir.path().join("live.db"));
    let empty = sqlite_url(&dir.path().join("restored.db"));
    let other = std::env::var(thirdplace_store_postgres::testing::URL_VARIABLE)
        .unwrap_or_else(|_| "postgres://postgres@127.0.0.1:5432/test".into());
    backup_round_trip(&live, &empty, &other, dir.path()).await;
}

#[tokio::test]
async fn backup_while_serving_and_restore_keep_every_table_on_postgres() {
    let Some(base_url) = thirdplace_store_postgres::testing::base_url_from_env() else {
        return;
    };
    let (live, _live) = thirdplace_store_postgres::testing::create_test_database(&base_url).await;
    let (empty, _empty) = thirdplace_store_postgres::testing::create_test_database(&base_url).await;
    let dir = temp_dir();
    let other = sqlite_url(&dir.path().join("other.db"));
    backup_round_trip(&live, &empty, &other, dir.path()).await;
}

/// After a kill -9 under a load of bookings, every booking is retried with
/// its `Idempotency-Key`: the acknowledged ones and those committed but never
/// acknowledged are answered with what was written, the others are booked
/// now, and no slot is booked twice.
#[tokio::test]
async fn retries_after_a_crash_book_nothing_twice() {
    let dir = temp_dir();
    let url = sqlite_url(&dir.path().join("crash-bookings.db"));
    let c = client();
    let mut server = start("demo", thirdplace(&url), "demo").await;
    let admin = token_for(&url, "admin@demo.example").await;
    let booker = token_for(&url, "orgadmin@demo.example").await;
    let hub = create_hub(
        &c,
        &server,
        &admin,
        "Omstartshubben",
        every_day("07:00", "21:00"),
    )
    .await;
    let room = create_room(
        &c,
        &server,
        &admin,
        &hub,
        serde_json::json!({
            "name": "Konferensrummet", "kind": "conference", "capacity": 12,
            "hourly_price_ore": 20000
        }),
    )
    .await;

    // One request a slot, an hour each, from tomorrow on; each has its key.
    let tomorrow = chrono::Utc::now()
        .with_timezone(&thirdplace_domain::HUB_TIME_ZONE)
        .date_naive()
        + chrono::Duration::days(1);
    let request = move |n: usize| {
        let date = tomorrow + chrono::Duration::days((n / 12) as i64);
        let hour = 8 + n % 12;
        let at = |h: usize| {
            date.and_hms_opt(h as u32, 0, 0)
                .unwrap()
                .and_local_timezone(thirdplace_domain::HUB_TIME_ZONE)
                .unwrap()
                .to_rfc3339()
        };
        let body = serde_json::json!({
            "room_id": room, "start": at(hour), "end": at(hour + 1), "title": format!("Krock {n}")
        });
        (format!("crash-key-{n}"), body)
    };
    let acknowledged: Arc<Mutex<Vec<(usize, String)>>> = Arc::default();
    let sent = Arc::new(std::sync::atomic::AtomicUsize::new(0));
    let (ack, sending, base, token, load_request) = (
        acknowledged.clone(),
        sent.clone(),
        server.base.clone(),
        booker.clone(),
        request.clone(),
    );
    let load = tokio::spawn(async move {
        let c = client();
        for n in 0.. {
            let (key, body) = load_request(n);
            sending.store(n + 1, std::sync::atomic::Ordering::SeqCst);
            let Ok(r) = c
                .post(format!("{base}/api/v1/bookings"))
                .bearer_auth(&token)
                .header("Idempotency-Key", key)
                .json(&body)
                .send()
                .await
            else {
                return;
            };
            assert_eq!(r.status(), 201, "booking {n} refused");
            let Ok(v) = r.json::<serde_json::Value>().await else {
                return;
            };
            ack.lock()
                .unwrap()
                .push((n, v["id"].as_str().unwrap().to_owned()));
        }
    });
    let deadline = Instant::now() + Duration::from_secs(30);
    while acknowledged.lock().unwrap().len() < 20 {
        assert!(
            Instant::now() < deadline,
            "too few bookings before the crash"
        );
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
    server.proc.child.kill().unwrap();
    let status = server.proc.wait_exit(EXIT_TIMEOUT).await;
    assert!(!status.success(), "the process was killed");
    let _ = load.await;
    let acknowledged = acknowledged.lock().unwrap().clone();
    let sent = sent.load(std::sync::atomic::Ordering::SeqCst);

    let mut server = start("serve after the crash", thirdplace(&url), "serve").await;
    let mut ids = std::collections::HashSet::new();
    for n in 0..sent {
        let (key, body) = request(n);
        let r = c
            .post(server.url("/api/v1/bookings"))
            .bearer_auth(&booker)
            .header("Idempotency-Key", key)
            .json(&body)
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), 201, "the retry of booking {n} was refused");
        let id = r.json::<serde_json::Value>().await.unwrap()["id"]
            .as_str()
            .unwrap()
            .to_owned();
        if let Some((_, first)) = acknowledged.iter().find(|(m, _)| *m == n) {
            assert_eq!(
                &id, first,
                "the retry of acknowledged booking {n} is another booking"
            );
        }
        assert!(
            ids.insert(id),
            "booking {n} was answered with another's booking"
        );
    }
    let all = all_pages(
        &c,
        &server,
        &booker,
        "/api/v1/bookings?include_cancelled=true",
    )
    .await;
    let ours = all
        .iter()
        .filter(|b| b["title"].as_str().is_some_and(|t| t.starts_with("Krock ")))
        .count();
    assert_eq!(ours, sent, "every request booked exactly once");
    assert!(server.stop().await.success());
}

#[tokio::test]
async fn retention_run_applies_the_settings_and_prints_the_counts() {
    let dir = temp_dir();
    let url = sqlite_url(&dir.path().join("retention.db"));
    let mut cmd = thirdplace(&url);
    cmd.args(["retention", "run"]);
    let out = run_ok("retention run", cmd, None).await;
    assert!(out.starts_with("Retention applied."), "{out}");
    assert!(out.contains("       0  check-ins deleted"), "{out}");
    assert!(
        out.contains("       0  counts of failed sign-ins deleted"),
        "{out}"
    );
}
