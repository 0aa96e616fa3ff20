//! `thirdplace`: the one binary. Serves the web app, seeds the demo
//! network, applies migrations, and lets an operator create network admins
//! and API tokens, back up and restore, plan sites and apply the retention
//! policy from the command line.

#![forbid(unsafe_code)]

mod backup;
mod demo;
mod demo_bookings;
mod demo_evaluation;
mod demo_events;
mod demo_invoices;
mod demo_memberships;
mod demo_settlement;
mod retention;
mod sites;
#[cfg(test)]
mod test_support;

use anyhow::{bail, Context, Result};
use clap::{Parser, Subcommand, ValueEnum};
use std::io::Read;
use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;
use thirdplace_domain::{new_id, PersonInput};
use thirdplace_store::Store;
use thirdplace_web::outbox::mail::MailConfig;
use thirdplace_web::{AppState, WebConfig};

#[derive(Parser, Debug)]
#[command(
    name = "thirdplace",
    version,
    about = "Run a network of coworking hubs: check-ins, room booking, an open calendar, invoicing and evaluation."
)]
struct Cli {
    /// Where the data lives: `sqlite://FILE` (the default, one file, created if missing)
    /// or `postgres://USER@HOST/DB` (for several instances on one database).
    #[arg(
        long,
        env = "THIRDPLACE_DATABASE_URL",
        default_value = "sqlite://thirdplace.db",
        global = true
    )]
    database_url: String,

    /// Log format: `text` for people, `json` for log collectors.
    #[arg(long, env = "THIRDPLACE_LOG_FORMAT", value_enum, default_value_t = LogFormat::Text, global = true)]
    log_format: LogFormat,

    #[command(subcommand)]
    command: Command,
}

#[derive(Copy, Clone, Debug, ValueEnum)]
enum LogFormat {
    Text,
    Json,
}

#[derive(clap::Args, Debug)]
struct ServeArgs {
    /// The address and port to listen on.
    #[arg(long, env = "THIRDPLACE_ADDR", default_value = "127.0.0.1:8080")]
    addr: SocketAddr,

    /// Mark cookies Secure. Turn on when users reach the app over HTTPS
    /// (requests with `X-Forwarded-Proto: https` get Secure cookies anyway).
    #[arg(long, env = "THIRDPLACE_SECURE_COOKIES")]
    secure_cookies: bool,

    /// How many days a sign-in lasts.
    #[arg(long, env = "THIRDPLACE_SESSION_DAYS", default_value_t = 14)]
    session_days: i64,

    /// How many minutes a password reset link sent by e-mail stays valid.
    #[arg(long, env = "THIRDPLACE_RESET_LINK_MINUTES", default_value_t = 60, value_parser = clap::value_parser!(i64).range(1..=1440))]
    reset_link_minutes: i64,

    /// How many days an invitation link sent by e-mail stays valid.
    #[arg(long, env = "THIRDPLACE_INVITATION_DAYS", default_value_t = 7, value_parser = clap::value_parser!(i64).range(1..=60))]
    invitation_days: i64,

    /// The key that seals secrets at rest (identity providers' client
    /// secrets for single sign-on), at least 32 characters; keep it as you
    /// keep the database's backups. Without it, no provider can be saved.
    #[arg(long, env = "THIRDPLACE_SECRET_KEY", hide_env_values = true, value_parser = secret_key)]
    secret_key: Option<String>,

    /// Longest time a request may take before it is answered with 408, in seconds.
    #[arg(long, env = "THIRDPLACE_REQUEST_TIMEOUT_SECS", default_value_t = 30)]
    request_timeout_secs: u64,

    /// Largest request body accepted, in bytes.
    #[arg(long, env = "THIRDPLACE_MAX_BODY_BYTES", default_value_t = 1024 * 1024)]
    max_body_bytes: usize,

    /// How long anonymous visitors may be shown a cached hub list or public
    /// page, in milliseconds (0 turns the cache off). Writes through this
    /// process clear it at once; other processes' writes show within this time.
    #[arg(long, env = "THIRDPLACE_PUBLIC_CACHE_MS", default_value_t = 1000)]
    public_cache_ms: u64,

    /// The SMTP server e-mail is sent through, e.g.
    /// `smtp://user:password@smtp.example.se:587?tls=required` (STARTTLS),
    /// `smtps://user:password@smtp.example.se` (TLS, port 465) or
    /// `smtp://localhost:25` (no TLS). Without it, e-mail is not sent but
    /// kept in the outbox that network admins read under Administration.
    #[arg(long, env = "THIRDPLACE_SMTP_URL", hide_env_values = true)]
    smtp_url: Option<String>,

    /// The sender of e-mail, an address with an optional name.
    #[arg(long, env = "THIRDPLACE_MAIL_FROM", default_value = thirdplace_web::outbox::mail::DEFAULT_FROM)]
    mail_from: String,

    /// The address people reach the app at, e.g. `https://hubbar.example.se`:
    /// links in e-mails and calendar feeds use it. Without it, each
    /// request's host (and `X-Forwarded-Proto`).
    #[arg(long, env = "THIRDPLACE_PUBLIC_URL", value_parser = thirdplace_web::http::origin::parse_public_url)]
    public_url: Option<String>,

    /// The app is reached through a reverse proxy that appends each
    /// client's address to `X-Forwarded-For`. Failed sign-ins are then
    /// counted per that address rather than the proxy's. Leave off when
    /// clients reach the app directly: they could send any address.
    #[arg(long, env = "THIRDPLACE_BEHIND_PROXY")]
    behind_proxy: bool,
}

#[derive(Subcommand, Debug)]
enum Command {
    /// Serve the web app and the API (applies pending migrations first).
    Serve(ServeArgs),
    /// Fill the database with the demo network (once; later runs keep the
    /// data and add nothing), print the demo sign-ins, and serve.
    Demo(ServeArgs),
    /// Apply pending database migrations and exit.
    Migrate,
    /// Manage network administrators.
    Admin {
        #[command(subcommand)]
        command: AdminCommand,
    },
    /// Manage personal API tokens.
    Token {
        #[command(subcommand)]
        command: TokenCommand,
    },
    /// Write a consistent backup of the database to a new file while the
    /// servers keep running (SQLite: a database file; PostgreSQL: a
    /// `pg_dump` archive).
    Backup(backup::BackupArgs),
    /// Restore a backup into the database (which must be empty unless
    /// `--replace`; stop the servers first), then apply newer migrations.
    Restore(backup::RestoreArgs),
    /// Plan where new hubs should go (shipped locality data, GeoNames CC BY 4.0).
    Sites {
        #[command(subcommand)]
        command: sites::SitesCommand,
    },
    /// Reduce old details about people by the network's retention settings
    /// (servers do it every hour).
    Retention {
        #[command(subcommand)]
        command: retention::RetentionCommand,
    },
}

#[derive(Subcommand, Debug)]
enum AdminCommand {
    /// Create a network admin. The password is read from standard input
    /// (at least 10 characters), e.g. `echo "$PASSWORD" | thirdplace admin create …`.
    Create {
        #[arg(long)]
        email: String,
        #[arg(long)]
        first_name: String,
        #[arg(long)]
        last_name: String,
    },
}

#[derive(Subcommand, Debug)]
enum TokenCommand {
    /// Create an API token for a person and print only the token.
    Create {
        #[arg(long)]
        email: String,
        /// A name to recognise the token by.
        #[arg(long, default_value = "command line")]
        name: String,
    },
}

fn init_logging(format: LogFormat) {
    let filter = tracing_subscriber::EnvFilter::try_from_default_env()
        .unwrap_or_else(|_| "info,sqlx=warn,tower_http=info".into());
    let builder = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_ansi(std::io::IsTerminal::is_terminal(&std::io::stderr()))
        .with_writer(std::io::stderr);
    match format {
        LogFormat::Text => builder.init(),
        LogFormat::Json => builder.json().init(),
    }
}

/// The URL's scheme picks the backend.
async fn open_store(url: &str) -> Result<Arc<dyn Store>> {
    if url.starts_with("sqlite:") {
        let s = thirdplace_store_sqlite::SqliteStore::connect(url)
            .await
            .with_context(|| format!("opening the SQLite database {url}"))?;
        Ok(Arc::new(s))
    } else if url.starts_with("postgres:") || url.starts_with("postgresql:") {
        let s = thirdplace_store_postgres::PostgresStore::connect(url)
            .await
            .context("connecting to PostgreSQL")?;
        Ok(Arc::new(s))
    } else {
        bail!("the database URL must start with sqlite: or postgres: (got {url:?})")
    }
}

/// A secret key long enough to derive a sealing key from.
fn secret_key(s: &str) -> std::result::Result<String, String> {
    if s.chars().count() < thirdplace_web::sso::seal::MIN_KEY_LEN {
        return Err(format!(
            "the secret key must have at least {} characters (e.g. `openssl rand -base64 32`)",
            thirdplace_web::sso::seal::MIN_KEY_LEN
        ));
    }
    Ok(s.to_string())
}

fn web_config(a: &ServeArgs) -> Result<WebConfig> {
    let mail = MailConfig::new(a.smtp_url.as_deref(), &a.mail_from)?;
    Ok(WebConfig {
        secure_cookies: a.secure_cookies,
        session_days: a.session_days,
        request_timeout: Duration::from_secs(a.request_timeout_secs),
        max_body_bytes: a.max_body_bytes,
        public_cache_ttl: Duration::from_millis(a.public_cache_ms),
        mail,
        public_url: a.public_url.clone(),
        behind_proxy: a.behind_proxy,
        listen_origin: None,
        reset_link_minutes: a.reset_link_minutes,
        invitation_days: a.invitation_days,
        secret_key: a.secret_key.clone(),
    })
}

async fn shutdown_signal() {
    let ctrl_c = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    #[cfg(unix)]
    let term = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut s) => {
                s.recv().await;
            }
            Err(_) => std::future::pending::<()>().await,
        }
    };
    #[cfg(not(unix))]
    let term = std::future::pending::<()>();
    tokio::select! { _ = ctrl_c => {}, _ = term => {} }
    tracing::info!("shutting down: finishing requests in flight");
}

async fn serve(store: Arc<dyn Store>, args: &ServeArgs) -> Result<()> {
    let mut config = web_config(args)?;
    let listener = tokio::net::TcpListener::bind(args.addr)
        .await
        .with_context(|| format!("listening on {}", args.addr))?;
    let addr = listener.local_addr()?;
    tracing::info!(%addr, backend = store.backend_name(), "serving");
    if config.public_url.is_none() {
        config.listen_origin = Some(format!("http://{addr}"));
        tracing::warn!(
            "no --public-url: password reset links lead to http://{addr}; set --public-url \
             (THIRDPLACE_PUBLIC_URL) to the address people reach the app at"
        );
    }
    match &config.mail.smtp_url {
        Some(url) => tracing::info!(smtp = %url.redacted(), "e-mail is sent over SMTP"),
        None => tracing::info!("no SMTP server configured: e-mail stays in the outbox"),
    }
    println!("thirdplace is serving on http://{addr}");
    thirdplace_web::serve(listener, AppState::new(store, config), shutdown_signal()).await?;
    Ok(())
}

/// The password from standard input: its first line when piped, or asked
/// for without echo when a person types it at a terminal.
fn read_password_from_stdin() -> Result<String> {
    let password = if std::io::IsTerminal::is_terminal(&std::io::stdin()) {
        rpassword::prompt_password("Password (at least 10 characters): ")
            .context("reading the password from the terminal")?
    } else {
        let mut s = String::new();
        std::io::stdin()
            .read_to_string(&mut s)
            .context("reading the password from standard input")?;
        s.lines().next().unwrap_or("").to_string()
    };
    if password.chars().count() < thirdplace_web::people::auth::MIN_PASSWORD_LEN {
        bail!(
            "the password must have at least {} characters",
            thirdplace_web::people::auth::MIN_PASSWORD_LEN
        );
    }
    Ok(password)
}

async fn create_admin(
    store: &dyn Store,
    email: &str,
    first_name: &str,
    last_name: &str,
    password: &str,
) -> Result<uuid::Uuid> {
    let input = PersonInput {
        first_name: first_name.into(),
        last_name: last_name.into(),
        email: email.into(),
        is_network_admin: "true".into(),
        ..Default::default()
    };
    let person = input
        .validate(new_id())
        .map_err(|e| anyhow::anyhow!("{e}"))?;
    if store
        .find_person_by_email(person.email.as_str())
        .await?
        .is_some()
    {
        bail!(
            "someone with the e-mail address {} already exists",
            person.email
        );
    }
    store.insert_person(&person).await?;
    store
        .set_password_hash(
            person.id,
            &thirdplace_web::people::auth::hash_password(password),
        )
        .await?;
    Ok(person.id)
}

async fn create_token(store: &dyn Store, email: &str, name: &str) -> Result<String> {
    let email = thirdplace_domain::Email::parse(email)
        .map_err(|e| anyhow::anyhow!("e-mail address {}", e.message))?;
    let person = store
        .find_person_by_email(email.as_str())
        .await?
        .filter(|p| !p.archived);
    let Some(person) = person else {
        bail!("nobody with the e-mail address {email} exists")
    };
    let (token, hash) = thirdplace_web::people::auth::new_api_token();
    let t = thirdplace_store::ApiToken {
        id: new_id(),
        person_id: person.id,
        name: name.into(),
        token_hash: hash,
        created_at: chrono::Utc::now(),
        revoked_at: None,
    };
    store.insert_api_token(&t).await?;
    Ok(token)
}

#[tokio::main]
async fn main() -> std::process::ExitCode {
    let cli = Cli::parse();
    init_logging(cli.log_format);
    match run(cli).await {
        Ok(()) => std::process::ExitCode::SUCCESS,
        Err(e) => {
            // The cause chain in one line, without a backtrace: this is read by people.
            eprintln!("error: {e:#}");
            std::process::ExitCode::FAILURE
        }
    }
}

async fn run(cli: Cli) -> Result<()> {
    match &cli.command {
        Command::Serve(args) => serve(open_store(&cli.database_url).await?, args).await,
        Command::Demo(args) => {
            let store = open_store(&cli.database_url).await?;
            let hash = thirdplace_web::people::auth::hash_password(demo::DEMO_PASSWORD);
            if demo::seed(store.as_ref(), &hash).await? {
                println!("The demo network was created in {}.", cli.database_url);
            } else {
                println!(
                    "The demo network is already in {}; nothing was added.",
                    cli.database_url
                );
            }
            let invoices = demo_invoices::seed(store.clone()).await?;
            if invoices > 0 {
                println!("Invoices of the last two months were issued: {invoices} (some of the earlier month's are overdue).");
            }
            if demo_settlement::seed(store.as_ref()).await? > 0 {
                println!("Last month's visits and bookings between operators were added.");
            }
            println!("Demo sign-ins (password \"{}\"):", demo::DEMO_PASSWORD);
            for l in demo::demo_logins() {
                println!("  {:<22} {}", l.role, l.email);
            }
            serve(store, args).await
        }
        Command::Migrate => {
            let store = open_store(&cli.database_url).await?;
            println!("Migrations applied ({}).", store.backend_name());
            Ok(())
        }
        Command::Admin {
            command:
                AdminCommand::Create {
                    email,
                    first_name,
                    last_name,
                },
        } => {
            let password = read_password_from_stdin()?;
            let store = open_store(&cli.database_url).await?;
            create_admin(store.as_ref(), email, first_name, last_name, &password).await?;
            println!("Network admin {email} created.");
            Ok(())
        }
        Command::Backup(args) => {
            println!("{}", backup::backup(&cli.database_url, args).await?);
            Ok(())
        }
        Command::Restore(args) => {
            println!("{}", backup::restore(&cli.database_url, args).await?);
            Ok(())
        }
        Command::Sites { command } => {
            let store = open_store(&cli.database_url).await?;
            print!("{}", sites::run(store.as_ref(), command).await?);
            Ok(())
        }
        Command::Retention {
            command: retention::RetentionCommand::Run,
        } => {
            let store = open_store(&cli.database_url).await?;
            print!(
                "{}",
                retention::run(store.as_ref(), chrono::Utc::now()).await?
            );
            Ok(())
        }
        Command::Token {
            command: TokenCommand::Create { email, name },
        } => {
            let store = open_store(&cli.database_url).await?;
            println!("{}", create_token(store.as_ref(), email, name).await?);
            Ok(())
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::test_support::temp_store;
    use clap::CommandFactory;

    #[test]
    fn the_command_line_is_well_formed() {
        Cli::command().debug_assert();
    }

    #[tokio::test]
    async fn admins_are_created_once_and_tokens_name_their_person() {
        let (store, _dir) = temp_store().await;
        let id = create_admin(
            store.as_ref(),
            "Ada@Example.se",
            "Ada",
            "Lovelace",
            "long enough password",
        )
        .await
        .unwrap();
        let p = store.get_person(id).await.unwrap();
        assert!(p.is_network_admin);
        assert_eq!(p.email, "ada@example.se");
        assert!(create_admin(
            store.as_ref(),
            "ada@example.se",
            "Ada",
            "L",
            "long enough password"
        )
        .await
        .is_err());
        let token = create_token(store.as_ref(), "ada@example.se", "cli")
            .await
            .unwrap();
        let who = store
            .token_person(&thirdplace_web::http::auth::sha256_hex(&token))
            .await
            .unwrap()
            .unwrap();
        assert_eq!(who.id, id);
        assert!(create_token(store.as_ref(), "nobody@example.se", "cli")
            .await
            .is_err());
    }

    #[tokio::test]
    async fn unknown_database_schemes_are_refused() {
        let err = open_store("mysql://x").await.err().unwrap().to_string();
        assert!(err.contains("sqlite: or postgres:"), "{err}");
    }

    #[tokio::test]
    async fn the_demo_seeds_once_with_every_demo_login() {
        let (store, _dir) = temp_store().await;
        let hash = thirdplace_web::people::auth::hash_password(demo::DEMO_PASSWORD);
        assert!(demo::seed(store.as_ref(), &hash).await.unwrap());
        let people = store.list_people(None).await.unwrap().len();
        let hubs = store.list_hubs().await.unwrap();
        assert!(!demo::seed(store.as_ref(), &hash).await.unwrap());
        assert_eq!(store.list_people(None).await.unwrap().len(), people);
        assert_eq!(store.list_hubs().await.unwrap().len(), hubs.len());
        for l in demo::demo_logins() {
            let p = store
                .find_person_by_email(l.email)
                .await
                .unwrap()
                .expect(l.email);
            assert!(store.password_hash(p.id).await.unwrap().is_some());
        }
        let names: Vec<&str> = hubs.iter().map(|h| h.hub.name.as_str()).collect();
        for place in ["Figeholm", "Boda", "Östersund", "Stockholm"] {
            assert!(
                names.iter().any(|n| n.contains(place)),
                "{place} missing in {names:?}"
            );
        }
        for h in &hubs {
            let rural = h.hub.name.contains("Figeholm") || h.hub.name.contains("Boda");
            assert_eq!(h.hub.in_central_town, !rural, "{}", h.hub.name);
        }
        let host = store
            .find_person_by_email("host@demo.example")
            .await
            .unwrap()
            .unwrap();
        assert_eq!(host.hosted_hub_ids.len(), 2);
        assert!(store.list_organisations().await.unwrap().len() >= 25);
    }

    async fn sites_output(store: &dyn Store, args: &[&str]) -> Result<String> {
        let mut argv = vec!["thirdplace", "sites"];
        argv.extend_from_slice(args);
        let cli = Cli::try_parse_from(argv).unwrap();
        let Command::Sites { command } = &cli.command else {
            unreachable!()
        };
        sites::run(store, command).await
    }

    #[tokio::test]
    async fn sites_suggest_villages_outside_central_towns_and_gaps_add_up() {
        let (store, _dir) = temp_store().await;
        let hash = thirdplace_web::people::auth::hash_password(demo::DEMO_PASSWORD);
        demo::seed(store.as_ref(), &hash).await.unwrap();
        let out = sites_output(
            store.as_ref(),
            &[
                "suggest",
                "--county",
                "Kalmar län",
                "--radius-km",
                "15",
                "--count",
                "3",
                "--format",
                "geojson",
            ],
        )
        .await
        .unwrap();
        let v: serde_json::Value = serde_json::from_str(&out).unwrap();
        let features = v["features"].as_array().unwrap();
        assert_eq!(features.len(), 3);
        assert_eq!(v["summary"]["optimal"], true);
        assert!(v["attribution"].as_str().unwrap().contains("GeoNames"));
        let central: Vec<String> = thirdplace_sites::data::county("Kalmar län")
            .unwrap()
            .iter()
            .filter(|l| l.is_central_town)
            .map(|l| l.name.clone())
            .collect();
        for f in features {
            let name = f["properties"]["name"].as_str().unwrap();
            assert!(
                !central.iter().any(|c| c == name),
                "{name} is a central town"
            );
        }
        let added: f64 = features
            .iter()
            .map(|f| f["properties"]["people_added"].as_f64().unwrap())
            .sum();
        let (before, after) = (
            v["summary"]["covered_before"].as_f64().unwrap(),
            v["summary"]["covered_after"].as_f64().unwrap(),
        );
        assert!(
            (before + added - after).abs() < 1e-6,
            "before + added = after"
        );

        let gaps = sites_output(
            store.as_ref(),
            &[
                "gaps",
                "--county",
                "Kalmar län",
                "--radius-km",
                "15",
                "--format",
                "geojson",
                "--top",
                "1000",
            ],
        )
        .await
        .unwrap();
        let g: serde_json::Value = serde_json::from_str(&gaps).unwrap();
        let s = &g["summary"];
        assert!(
            (s["within_reach"].as_f64().unwrap() + s["outside_reach"].as_f64().unwrap()
                - s["total"].as_f64().unwrap())
            .abs()
                < 1e-6
        );
        assert_eq!(
            s["within_reach"].as_f64().unwrap(),
            before,
            "the demo's Figeholm and Boda hubs are the existing coverage"
        );
        let table = sites_output(
            store.as_ref(),
            &[
                "suggest",
                "--county",
                "Kalmar län",
                "--radius-km",
                "15",
                "--target-share",
                "0.8",
            ],
        )
        .await
        .unwrap();
        assert!(table.contains("proven optimal"), "{table}");
        let csv = sites_output(
            store.as_ref(),
            &[
                "gaps",
                "--county",
                "Kalmar län",
                "--radius-km",
                "15",
                "--format",
                "csv",
                "--top",
                "3",
            ],
        )
        .await
        .unwrap();
        assert_eq!(
            csv.lines().next(),
            Some("rank,id,name,latitude,longitude,people")
        );
        assert_eq!(csv.lines().count(), 4);
    }

    #[tokio::test]
    async fn sites_explain_bad_input() {
        let (store, _dir) = temp_store().await;
        let err = sites_output(
            store.as_ref(),
            &[
                "suggest",
                "--county",
                "Narnia",
                "--radius-km",
                "15",
                "--count",
                "2",
            ],
        )
        .await
        .unwrap_err();
        assert!(err.to_string().contains("unknown county"), "{err}");
        let err = sites_output(
            store.as_ref(),
            &[
                "suggest",
                "--county",
                "Kalmar län",
                "--radius-km=0",
                "--count",
                "2",
            ],
        )
        .await
        .unwrap_err();
        assert!(err.to_string().contains("radius"), "{err}");
        let dir = tempfile::tempdir().unwrap();
        let bad = dir.path().join("demand.csv");
        std::fs::write(&bad, "id,name,latitude,longitude,weight\n1,a,91,16,10\n").unwrap();
        let err = sites_output(
            store.as_ref(),
            &[
                "gaps",
                "--demand",
                bad.to_str().unwrap(),
                "--radius-km",
                "15",
            ],
        )
        .await
        .unwrap_err();
        assert!(err.to_string().contains("line 2"), "{err}");
        assert!(
            Cli::try_parse_from([
                "thirdplace",
                "sites",
                "suggest",
                "--county",
                "Kalmar län",
                "--radius-km",
                "15"
            ])
            .is_err(),
            "--count or --target-share is required"
        );
    }
}
