//! E-mail: messages queued in the outbox are sent over SMTP by the mail
//! worker (here to a tiny fake SMTP server on 127.0.0.1), retried with
//! growing waits when the server cannot be reached, and shown to network
//! admins on `/admin/outbox`.

use crate::common;

use common::{new_client, spawn_app_with, Backend, TestApp};
use reqwest::StatusCode;
use std::net::SocketAddr;
use std::sync::{Arc, Mutex};
use std::time::Duration;
use thirdplace_store::OutgoingEmail;
use thirdplace_web::outbox::mail::{self, MailConfig, GIVE_UP_AFTER_ATTEMPTS};
use thirdplace_web::{AppError, WebConfig};
use tokio::io::{AsyncBufReadExt, AsyncWriteExt, BufReader};
use tokio::net::TcpListener;

/// One message as the fake server received it.
#[derive(Debug, Default, Clone)]
struct Received {
    mail_from: String,
    rcpt_to: Vec<String>,
    data: String,
}

/// An SMTP server that speaks just enough of the protocol to take mail and
/// keeps what it got.
struct FakeSmtp {
    addr: SocketAddr,
    received: Arc<Mutex<Vec<Received>>>,
    _server: tokio::task::JoinHandle<()>,
}

impl FakeSmtp {
    async fn start() -> FakeSmtp {
        Self::start_with(false).await
    }

    /// A server that refuses every recipient (550) when `refuse` is set.
    async fn start_with(refuse: bool) -> FakeSmtp {
        let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let addr = listener.local_addr().unwrap();
        let received = Arc::new(Mutex::new(Vec::new()));
        let keep = received.clone();
        let server = tokio::spawn(async move {
            while let Ok((socket, _)) = listener.accept().await {
                tokio::spawn(session(socket, keep.clone(), refuse));
            }
        });
        FakeSmtp {
            addr,
            received,
            _server: server,
        }
    }

    fn url(&self) -> String {
        format!("smtp://{}", self.addr)
    }

    fn received(&self) -> Vec<Received> {
        self.received.lock().unwrap().clone()
    }
}

async fn session(socket: tokio::net::TcpStream, received: Arc<Mutex<Vec<Received>>>, refuse: bool) {
    let (read, mut write) = socket.into_split();
    let mut lines = BufReader::new(read);
    let mut current = Received::default();
    let mut line = String::new();
    let _ = write.write_all(b"220 fake.test ESMTP\r\n").await;
    loop {
        line.clear();
        if lines.read_line(&mut line).await.unwrap_or(0) == 0 {
            return;
        }
        let command = line.trim_end().to_string();
        let upper = command.to_ascii_uppercase();
        let reply: &[u8] = if upper.starts_with("EHLO") || upper.starts_with("HELO") {
            b"250 fake.test\r\n"
        } else if upper.starts_with("MAIL FROM:") {
            current.mail_from = command["MAIL FROM:".len()..].trim().to_string();
            b"250 OK\r\n"
        } else if upper.starts_with("RCPT TO:") && refuse {
            b"550 5.1.1 No such mailbox here\r\n"
        } else if upper.starts_with("RCPT TO:") {
            current
                .rcpt_to
                .push(command["RCPT TO:".len()..].trim().to_string());
            b"250 OK\r\n"
        } else if upper == "DATA" {
            let _ = write
                .write_all(b"354 End data with <CR><LF>.<CR><LF>\r\n")
                .await;
            loop {
                line.clear();
                if lines.read_line(&mut line).await.unwrap_or(0) == 0 {
                    return;
                }
                if line == ".\r\n" {
                    break;
                }
                // Undo dot-stuffing.
                let l = line.strip_prefix('.').unwrap_or(&line);
                current.data.push_str(l);
            }
            received.lock().unwrap().push(std::mem::take(&mut current));
            b"250 OK: queued\r\n"
        } else if upper == "QUIT" {
            let _ = write.write_all(b"221 Bye\r\n").await;
            return;
        } else {
            // RSET, NOOP and anything else.
            b"250 OK\r\n"
        };
        if write.write_all(reply).await.is_err() {
            return;
        }
    }
}

/// The app with e-mail sent through `smtp_url`.
async fn app_with_smtp(backend: Backend, smtp_url: &str) -> Option<TestApp> {
    let config = WebConfig {
        mail: MailConfig::new(Some(smtp_url), "Hubbarna <hubbar@test.example>").unwrap(),
        ..WebConfig::default()
    };
    spawn_app_with(backend, config).await
}

/// The only message in the outbox.
async fn the_email(app: &TestApp) -> OutgoingEmail {
    let mut all = app.store.list_emails(10).await.unwrap();
    assert_eq!(all.len(), 1, "{all:?}");
    all.remove(0)
}

/// Waits (up to thirty seconds: the machine may be busy) until the outbox's only message is as wanted.
async fn wait_for(app: &TestApp, what: &str, ok: impl Fn(&OutgoingEmail) -> bool) -> OutgoingEmail {
    for _ in 0..600 {
        let e = the_email(app).await;
        if ok(&e) {
            return e;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    panic!("never {what}: {:?}", the_email(app).await);
}

async fn a_queued_email_is_sent_over_smtp_and_marked_sent(backend: Backend) {
    let smtp = FakeSmtp::start().await;
    let Some(app) = app_with_smtp(backend, &smtp.url()).await else {
        return;
    };
    mail::queue(
        &app.state,
        "Member@Test.example",
        "Your booking is confirmed",
        "Hello Maja,\nthe meeting room is yours.\n.\nSee you!",
    )
    .await
    .unwrap();

    let sent = wait_for(&app, "sent", |e| e.sent_at.is_some()).await;
    assert_eq!(sent.to_address, "member@test.example");
    assert_eq!((sent.attempts, sent.failed), (1, false));
    assert_eq!(sent.last_error, None);

    let got = smtp.received();
    assert_eq!(got.len(), 1, "{got:?}");
    let m = &got[0];
    assert_eq!(m.mail_from, "<hubbar@test.example>");
    assert_eq!(m.rcpt_to, vec!["<member@test.example>".to_string()]);
    for header in [
        "From: Hubbarna <hubbar@test.example>\r\n",
        "To: member@test.example\r\n",
        "Subject: Your booking is confirmed\r\n",
        &format!("Message-ID: <{}@test.example>\r\n", sent.id),
        "Content-Type: text/plain; charset=utf-8\r\n",
    ] {
        assert!(m.data.contains(header), "no {header:?} in {}", m.data);
    }
    assert!(
        m.data
            .ends_with("\r\n\r\nHello Maja,\r\nthe meeting room is yours.\r\n.\r\nSee you!\r\n"),
        "{}",
        m.data
    );
}

async fn an_unreachable_server_means_retries_with_growing_waits_then_giving_up(backend: Backend) {
    // A port nobody listens on: connecting is refused at once.
    let closed = TcpListener::bind("127.0.0.1:0")
        .await
        .unwrap()
        .local_addr()
        .unwrap();
    let Some(app) = app_with_smtp(backend, &format!("smtp://{closed}")).await else {
        return;
    };
    mail::queue(&app.state, "member@test.example", "Hej", "Hej Maja!")
        .await
        .unwrap();

    let first = wait_for(&app, "tried", |e| e.last_error.is_some()).await;
    assert_eq!(
        (first.attempts, first.failed, first.sent_at),
        (1, false, None)
    );
    assert!(
        first.last_error.as_deref().unwrap().contains("onnect"),
        "{first:?}"
    );

    // Not tried again before the wait is over, however often the worker looks.
    app.state.mail_wake.notify_one();
    tokio::time::sleep(Duration::from_millis(1500)).await;
    assert_eq!(the_email(&app).await.attempts, 1);
    app.clock
        .advance(mail::retry_delay(1) + chrono::Duration::seconds(1));
    app.state.mail_wake.notify_one();
    wait_for(&app, "tried twice", |e| e.attempts == 2).await;
    // The second wait is longer than the first.
    app.clock
        .advance(mail::retry_delay(1) + chrono::Duration::seconds(1));
    app.state.mail_wake.notify_one();
    tokio::time::sleep(Duration::from_millis(1500)).await;
    assert_eq!(the_email(&app).await.attempts, 2);

    // Waits never exceed four hours: step five hours at a time until it is
    // given up.
    for attempts in 3..=GIVE_UP_AFTER_ATTEMPTS {
        app.clock.advance(chrono::Duration::hours(5));
        app.state.mail_wake.notify_one();
        wait_for(&app, "tried again", |e| e.attempts == attempts).await;
    }
    let given_up = wait_for(&app, "given up", |e| e.failed).await;
    assert_eq!(given_up.attempts, GIVE_UP_AFTER_ATTEMPTS);
    assert_eq!(given_up.sent_at, None);
    assert!(given_up.last_error.is_some());

    // Given up means left alone.
    app.clock.advance(chrono::Duration::days(2));
    app.state.mail_wake.notify_one();
    tokio::time::sleep(Duration::from_millis(1500)).await;
    assert_eq!(the_email(&app).await.attempts, GIVE_UP_AFTER_ATTEMPTS);
}

async fn a_refusing_server_s_answer_is_kept_as_the_last_error(backend: Backend) {
    let smtp = FakeSmtp::start_with(true).await;
    let Some(app) = app_with_smtp(backend, &smtp.url()).await else {
        return;
    };
    mail::queue(&app.state, "nobody@test.example", "Hej", "Hej!")
        .await
        .unwrap();
    let e = wait_for(&app, "tried", |e| e.last_error.is_some()).await;
    assert_eq!((e.attempts, e.failed, e.sent_at), (1, false, None));
    assert!(
        e.last_error
            .as_deref()
            .unwrap()
            .contains("No such mailbox here"),
        "{e:?}"
    );
    assert!(smtp.received().is_empty());
}

async fn two_processes_on_one_database_send_each_message_once(backend: Backend) {
    let smtp = FakeSmtp::start().await;
    let Some(app) = app_with_smtp(backend, &smtp.url()).await else {
        return;
    };
    // A second `serve` process: its own state and workers, the same database.
    let other = thirdplace_web::AppState::new(app.store.clone(), (*app.state.config).clone());
    other.clock.set(app.state.now());
    let workers = thirdplace_web::background::spawn(other.clone());

    let mut queued = Vec::new();
    for i in 0..12 {
        let e = mail::email(
            &format!("person{i}@test.example"),
            &format!("Message {i}"),
            "Hej!",
            app.state.now(),
        );
        app.store.queue_email(&e).await.unwrap();
        queued.push(e.id);
        // Wake both, so that they race for the queue.
        app.state.mail_wake.notify_one();
        other.mail_wake.notify_one();
    }
    for _ in 0..200 {
        let all = app.store.list_emails(20).await.unwrap();
        if all.iter().all(|e| e.sent_at.is_some()) {
            break;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    workers.abort();
    let all = app.store.list_emails(20).await.unwrap();
    assert!(
        all.iter().all(|e| e.sent_at.is_some() && e.attempts == 1),
        "{all:?}"
    );
    let got = smtp.received();
    let mut ids: Vec<String> = got
        .iter()
        .map(|m| {
            let i = m.data.find("Message-ID: <").unwrap() + "Message-ID: <".len();
            m.data[i..i + 36].to_string()
        })
        .collect();
    ids.sort();
    let mut want: Vec<String> = queued.iter().map(|id| id.to_string()).collect();
    want.sort();
    assert_eq!(ids, want, "each message exactly once");
}

async fn without_smtp_the_outbox_page_shows_admins_the_messages(backend: Backend) {
    let Some(app) = spawn_app_with(backend, WebConfig::default()).await else {
        return;
    };
    mail::queue(
        &app.state,
        "member@test.example",
        "Avbokad: Sjöutsikten",
        "Hej Maja!\nDin bokning <tisdag> är avbokad.",
    )
    .await
    .unwrap();

    let admin = app.signed_in(&app.f.admin).await;
    let index = app.html(&admin, "/admin").await;
    assert!(
        index.contains("href=\"&#x2f;admin&#x2f;outbox\""),
        "{index}"
    );
    let r = admin.get(app.url("/admin/outbox")).send().await.unwrap();
    assert_eq!(r.status(), StatusCode::OK);
    let html = r.text().await.unwrap();
    for text in [
        "member@test.example",
        "Avbokad: Sjöutsikten",
        "Din bokning &lt;tisdag&gt; är avbokad.",
        "I kö",
        "THIRDPLACE_SMTP_URL",
    ] {
        assert!(html.contains(text), "no {text:?} in {html}");
    }
    // Nothing sends it: it stays queued, untried.
    tokio::time::sleep(Duration::from_millis(1200)).await;
    let e = the_email(&app).await;
    assert_eq!((e.attempts, e.sent_at, e.failed), (0, None, false));

    // A sent and a failed message show as such.
    app.store
        .mark_email_sent(e.id, app.state.now())
        .await
        .unwrap();
    let failed = mail::email("host@test.example", "Påminnelse", "Text", app.state.now());
    app.store.queue_email(&failed).await.unwrap();
    app.store
        .mark_email_failed(failed.id, "the server said no", app.state.now(), true)
        .await
        .unwrap();
    let html = app.html(&admin, "/admin/outbox").await;
    assert!(
        html.contains("Skickad") && html.contains("Misslyckad"),
        "{html}"
    );
    assert!(html.contains("the server said no"));
    app.post_form(&admin, "/lang", &[("lang", "en"), ("next", "/")])
        .await;
    let html = app.html(&admin, "/admin/outbox").await;
    assert!(
        html.contains("E-mail outbox") && html.contains("Failed"),
        "{html}"
    );

    let member = app.signed_in(&app.f.member).await;
    let r = member.get(app.url("/admin/outbox")).send().await.unwrap();
    assert_eq!(r.status(), StatusCode::FORBIDDEN);
    let host = app.signed_in(&app.f.host).await;
    let r = host.get(app.url("/admin/outbox")).send().await.unwrap();
    assert_eq!(r.status(), StatusCode::FORBIDDEN);
    let r = new_client()
        .get(app.url("/admin/outbox"))
        .send()
        .await
        .unwrap();
    assert_eq!(
        (r.status(), r.headers()["location"].to_str().unwrap()),
        (StatusCode::SEE_OTHER, "/login?next=%2Fadmin%2Foutbox")
    );
}

async fn a_bad_address_is_refused_and_nothing_is_queued(backend: Backend) {
    let Some(app) = spawn_app_with(backend, WebConfig::default()).await else {
        return;
    };
    for bad in [
        "",
        "maja",
        "maja@",
        "maja@localhost",
        "maja@test.example, eve@evil.example",
    ] {
        match mail::queue(&app.state, bad, "Hej", "Hej").await {
            Err(AppError::Validation(v)) => {
                assert_eq!(v.errors[0].field, "to", "{bad:?}");
            }
            other => panic!("{bad:?} was not refused: {other:?}"),
        }
    }
    assert!(app.store.list_emails(10).await.unwrap().is_empty());
}

macro_rules! on_both_backends {
    ($($name:ident),* $(,)?) => {
        mod sqlite {
            $(
                #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
                async fn $name() {
                    super::$name(super::Backend::Sqlite).await;
                }
            )*
        }
        mod postgres {
            $(
                #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
                async fn $name() {
                    super::$name(super::Backend::Postgres).await;
                }
            )*
        }
    };
}

on_both_backends!(
    a_queued_email_is_sent_over_smtp_and_marked_sent,
    an_unreachable_server_means_retries_with_growing_waits_then_giving_up,
    a_refusing_server_s_answer_is_kept_as_the_last_error,
    two_processes_on_one_database_send_each_message_once,
    without_smtp_the_outbox_page_shows_admins_the_messages,
    a_bad_address_is_refused_and_nothing_is_queued,
);
