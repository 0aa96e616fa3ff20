//! `TestApp`: the whole app served on a random loopback port over a fresh
//! database (a temporary SQLite file, or a throw-away PostgreSQL database),
//! with a known network in it and a cookie-keeping HTTP client; and the
//! macro that runs a test on both backends.

use super::people::person;
use reqwest::redirect::Policy;
use reqwest::{Client, Response, StatusCode};
use serde_json::Value;
use std::sync::Arc;
use thirdplace_domain::*;
use thirdplace_store::{ApiToken, Store};
use thirdplace_web::people::auth;
use thirdplace_web::{AppState, WebConfig};

#[derive(Clone, Copy, Debug)]
pub enum Backend {
    Sqlite,
    Postgres,
}

pub const PASSWORD: &str = "a good long password";

/// Where the app's clock starts in tests: Monday 2026-11-23 10:00 Swedish
/// time, when the fixture hubs are open.
pub const TEST_NOW: &str = "2026-11-23T09:00:00Z";

pub fn instant(s: &str) -> chrono::DateTime<chrono::Utc> {
    chrono::DateTime::parse_from_rfc3339(s)
        .unwrap()
        .with_timezone(&chrono::Utc)
}

/// The known network: one region with two hubs, an organisation, and one
/// person for each role.
pub struct Fixture {
    pub region: Region,
    pub municipality: Municipality,
    pub operator: Operator,
    pub hub: Hub,
    pub other_hub: Hub,
    pub zone: Zone,
    pub room: Room,
    pub org: Organisation,
    pub other_org: Organisation,
    pub admin: Person,
    pub host: Person,
    pub org_admin: Person,
    pub member: Person,
}

pub struct TestApp {
    pub base: String,
    pub store: Arc<dyn Store>,
    pub f: Fixture,
    pub client: Client,
    /// The app's clock: starts at [`TEST_NOW`] and ticks on; tests may move it.
    pub clock: thirdplace_web::http::clock::Clock,
    /// The served app's state, for calling its services directly.
    pub state: AppState,
    _guard: Box<dyn std::any::Any + Send>,
    _server: tokio::task::JoinHandle<()>,
}

pub fn new_client() -> Client {
    Client::builder()
        .cookie_store(true)
        .redirect(Policy::none())
        .build()
        .unwrap()
}

async fn open(backend: Backend) -> Option<(Arc<dyn Store>, Box<dyn std::any::Any + Send>)> {
    match backend {
        Backend::Sqlite => {
            let dir = tempfile::tempdir().unwrap();
            let url = format!("sqlite://{}", dir.path().join("t.db").display());
            let s = thirdplace_store_sqlite::SqliteStore::connect(&url)
                .await
                .unwrap();
            Some((Arc::new(s), Box::new(dir)))
        }
        Backend::Postgres => {
            let base = thirdplace_store_postgres::testing::base_url_from_env()?;
            let (s, guard) = thirdplace_store_postgres::testing::create_test_store(&base).await;
            Some((Arc::new(s), Box::new(guard)))
        }
    }
}

async fn seed(store: &dyn Store) -> Fixture {
    let region = Region {
        id: new_id(),
        name: "Region Kalmar län".into(),
        code: "08".into(),
        archived: false,
    };
    store.insert_region(&region).await.unwrap();
    let municipality = Municipality {
        id: new_id(),
        region_id: region.id,
        name: "Oskarshamns kommun".into(),
        code: "0882".into(),
        central_town: "Oskarshamn".into(),
        archived: false,
    };
    store.insert_municipality(&municipality).await.unwrap();
    let operator = Operator {
        id: new_id(),
        name: "Oskarshamns kommun".into(),
        org_number: Some(OrgNumber::parse("212000-0761").unwrap()),
        contact_email: None,
        archived: false,
        seller: Default::default(),
    };
    store.insert_operator(&operator).await.unwrap();
    let mut hours = OpeningHours::weekdays("08:00", "17:00");
    hours.weekly[5] = OpeningHours::parse_day("10:00-14:00").unwrap();
    hours.weekly[6] = OpeningHours::parse_day("10:00-14:00").unwrap();
    let hub = Hub {
        id: new_id(),
        municipality_id: municipality.id,
        operator_id: operator.id,
        name: "Figeholms hubb".into(),
        description: "Kontorskollektiv i gamla skolan. Välkommen!".into(),
        street_address: "Skolgatan 4".into(),
        postal_code: "572 75".into(),
        city: "Figeholm".into(),
        latitude: 57.375,
        longitude: 16.5583,
        in_central_town: false,
        opening_hours: hours,
        archived: false,
    };
    store.insert_hub(&hub).await.unwrap();
    let other_hub = Hub {
        id: new_id(),
        name: "Oskarshamns stadshubb".into(),
        in_central_town: true,
        ..hub.clone()
    };
    store.insert_hub(&other_hub).await.unwrap();
    let zone = Zone {
        id: new_id(),
        hub_id: hub.id,
        name: "Gläntan".into(),
        purpose: "Fokuserat eget arbete".into(),
        capacity: 6,
        archived: false,
    };
    store.insert_zone(&zone).await.unwrap();
    let room = Room {
        id: new_id(),
        hub_id: hub.id,
        name: "Sjöutsikten".into(),
        kind: RoomKind::Meeting,
        capacity: 8,
        hourly_price_ore: 30_000,
        vat_rate_percent: 25,
        archived: false,
    };
    store.insert_room(&room).await.unwrap();
    let org = Organisation {
        id: new_id(),
        name: "Skatteverket".into(),
        org_number: OrgNumber::parse("202100-5448").unwrap(),
        kind: OrgKind::GovernmentAgency,
        archived: false,
        buyer: Default::default(),
    };
    store.insert_organisation(&org).await.unwrap();
    let other_org = Organisation {
        id: new_id(),
        name: "Stockholms stad".into(),
        org_number: OrgNumber::parse("212000-0142").unwrap(),
        kind: OrgKind::Municipality,
        archived: false,
        buyer: Default::default(),
    };
    store.insert_organisation(&other_org).await.unwrap();
    let mut admin = person("Alva", "Testsson", "admin@test.example", None);
    admin.is_network_admin = true;
    let mut host = person("Hugo", "Testsson", "host@test.example", None);
    host.hosted_hub_ids = vec![hub.id];
    let mut org_admin = person("Olga", "Testsson", "orgadmin@test.example", Some(org.id));
    org_admin.admin_of_organisation_ids = vec![org.id];
    let member = person("Maja", "Testsson", "member@test.example", Some(org.id));
    let hash = auth::hash_password(PASSWORD);
    for p in [&admin, &host, &org_admin, &member] {
        store.insert_person(p).await.unwrap();
        store.set_password_hash(p.id, &hash).await.unwrap();
    }
    Fixture {
        region,
        municipality,
        operator,
        hub,
        other_hub,
        zone,
        room,
        org,
        other_org,
        admin,
        host,
        org_admin,
        member,
    }
}

/// `None` when the backend is not available here (PostgreSQL outside CI).
pub async fn spawn_app(backend: Backend) -> Option<TestApp> {
    spawn_app_with(backend, WebConfig::default()).await
}

/// [`spawn_app`] with settings of the test's own (the body limit is always
/// the tests' small one).
pub async fn spawn_app_with(backend: Backend, config: WebConfig) -> Option<TestApp> {
    let (store, guard) = open(backend).await?;
    let f = seed(store.as_ref()).await;
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    let state = AppState::new(
        store.clone(),
        WebConfig {
            max_body_bytes: 64 * 1024,
            ..config
        },
    );
    state.clock.set(instant(TEST_NOW));
    let clock = state.clock.clone();
    let served = state.clone();
    let server = tokio::spawn(async move {
        thirdplace_web::serve(listener, served, std::future::pending())
            .await
            .unwrap();
    });
    Some(TestApp {
        base: format!("http://{addr}"),
        store,
        f,
        client: new_client(),
        clock,
        state,
        _guard: guard,
        _server: server,
    })
}

impl TestApp {
    /// What another server process on the same database, started now with
    /// nothing cached, answers at `path` (with this server's address in
    /// it, so the two can be compared).
    pub async fn get_fresh(&self, path: &str) -> String {
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let base = format!("http://{}", listener.local_addr().unwrap());
        let state = AppState::new(self.store.clone(), WebConfig::default());
        state.clock.set(self.clock.now());
        let server = tokio::spawn(async move {
            thirdplace_web::serve(listener, state, std::future::pending())
                .await
                .unwrap();
        });
        let r = new_client()
            .get(format!("{base}{path}"))
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), StatusCode::OK, "{path}");
        let text = r.text().await.unwrap();
        server.abort();
        text.replace(&base, &self.base)
    }

    pub fn url(&self, path: &str) -> String {
        format!("{}{path}", self.base)
    }

    pub async fn get(&self, path: &str) -> Response {
        self.client.get(self.url(path)).send().await.unwrap()
    }

    pub async fn get_json(&self, path: &str) -> (StatusCode, Value) {
        let r = self.get(path).await;
        let s = r.status();
        (s, r.json().await.unwrap())
    }

    /// A fresh API token for a person.
    pub async fn token_for(&self, p: &Person) -> String {
        let (token, hash) = auth::new_api_token();
        let t = ApiToken {
            id: new_id(),
            person_id: p.id,
            name: "test".into(),
            token_hash: hash,
            created_at: chrono::Utc::now(),
            revoked_at: None,
        };
        self.store.insert_api_token(&t).await.unwrap();
        token
    }

    pub async fn get_json_with(&self, token: &str, path: &str) -> (StatusCode, Value) {
        let r = self
            .client
            .get(self.url(path))
            .bearer_auth(token)
            .send()
            .await
            .unwrap();
        let s = r.status();
        (s, r.json().await.unwrap())
    }
}

/// One `#[tokio::test]` per backend for each listed test function.
#[macro_export]
macro_rules! on_both_backends {
    ($($name:ident),* $(,)?) => {
        mod sqlite {
            $(
                #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
                async fn $name() {
                    let app = $crate::common::spawn_app($crate::common::Backend::Sqlite).await.unwrap();
                    super::$name(app).await;
                }
            )*
        }
        mod postgres {
            $(
                #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
                async fn $name() {
                    if let Some(app) = $crate::common::spawn_app($crate::common::Backend::Postgres).await {
                        super::$name(app).await;
                    }
                }
            )*
        }
    };
}
