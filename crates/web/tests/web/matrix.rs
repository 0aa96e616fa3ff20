//! The route × role matrix (issue 14, item 13): every operation of the
//! OpenAPI document the app serves, called by every role with real ids of
//! "our" records (a hub, its room and zone, our organisation, a member's
//! booking, seat, check-in and sign-up, an event at our hub, a webhook and
//! its delivery) and, for writes, a body that is valid for a role that may
//! write, so the status shows the authorisation decision alone. Each
//! answer must be the one in [`TABLE`]; the test fails when the document has
//! an operation the table does not name (a new route must be added here)
//! or the table names one the document no longer has.
//!
//! For writes, every role that is refused is asked again with a body that
//! is not valid (`{}`), and must be refused alike: the role is checked
//! before the body is read. The operations where the body itself says
//! which record the write is about, so that it must be read first, are
//! listed in [`BODY_DECIDES`].

use crate::common;

use chrono::{Datelike, Duration, NaiveDate};
use common::*;
use reqwest::Method;
use serde_json::{json, Value};
use std::collections::{BTreeMap, BTreeSet};
use thirdplace_domain::Person;

/// The roles, in the order of each row of [`TABLE`].
const ROLES: [&str; 7] = [
    "anonymous",
    // A member of our organisation, holding a seat: the booker of our
    // booking, the holder of our seat, the one checked in and signed up.
    "member",
    // A member (with a seat) of another organisation.
    "other_member",
    // An admin of our organisation.
    "org_admin",
    // A host of our hub.
    "host",
    // A host of another hub.
    "other_host",
    "network_admin",
];

// Rules that many operations share (one status per role, in ROLES order).
const PUBLIC: &str = "200 200 200 200 200 200 200";
const SIGNED_IN: &str = "401 200 200 200 200 200 200";
const NETWORK_ADMINS: &str = "401 403 403 403 403 403 200";
const NETWORK_ADMINS_CREATE: &str = "401 403 403 403 403 403 201";
const HUB_HOSTS: &str = "401 403 403 403 200 403 200";
const HUB_HOSTS_CREATE: &str = "401 403 403 403 201 403 201";
const ORG_ADMINS: &str = "401 403 403 200 403 403 200";

/// The expected status of each operation for each role (ROLES order).
const TABLE: &[(&str, &str)] = &[
    // ---- network: public reads, network admins write; a hub's zones,
    // rooms and booking rules are its hosts' to write.
    ("list_regions", PUBLIC),
    ("get_region", PUBLIC),
    ("create_region", NETWORK_ADMINS_CREATE),
    ("update_region", NETWORK_ADMINS),
    ("list_municipalities", PUBLIC),
    ("get_municipality", PUBLIC),
    ("create_municipality", NETWORK_ADMINS_CREATE),
    ("update_municipality", NETWORK_ADMINS),
    ("list_operators", PUBLIC),
    ("get_operator", PUBLIC),
    ("create_operator", NETWORK_ADMINS_CREATE),
    ("update_operator", NETWORK_ADMINS),
    ("list_hubs", PUBLIC),
    ("get_hub", PUBLIC),
    ("create_hub", NETWORK_ADMINS_CREATE),
    ("update_hub", HUB_HOSTS),
    ("access_summary", PUBLIC),
    ("presence", PUBLIC),
    ("list_zones", PUBLIC),
    ("create_zone", HUB_HOSTS_CREATE),
    ("get_zone", PUBLIC),
    ("update_zone", HUB_HOSTS),
    ("list_rooms", PUBLIC),
    ("create_room", HUB_HOSTS_CREATE),
    ("get_room", PUBLIC),
    ("update_room", HUB_HOSTS),
    ("availability", PUBLIC),
    ("get_rules", PUBLIC),
    ("set_rules", HUB_HOSTS),
    // ---- organisations and people: an organisation's admins replace it
    // and manage its people and seats.
    ("list_organisations", PUBLIC),
    ("get_organisation", PUBLIC),
    ("create_organisation", NETWORK_ADMINS_CREATE),
    ("update_organisation", ORG_ADMINS),
    ("list_people", ORG_ADMINS),
    ("create_person", "401 403 403 201 403 403 201"),
    // Our member: seen by themselves, their organisation's admins and
    // network admins; to anyone else not there.
    ("get_person", "401 200 404 200 404 404 200"),
    ("update_person", "401 403 403 200 403 403 200"),
    // A person's invitation (a fresh one, without a password): their
    // organisation's admins and network admins.
    ("get_invitation", ORG_ADMINS),
    ("send_invitation", "401 403 403 201 403 403 201"),
    ("revoke_invitation", "401 403 403 204 403 403 204"),
    ("me", SIGNED_IN),
    ("export", SIGNED_IN),
    ("erase_me", SIGNED_IN),
    // One's own sessions: listed and ended by the person themself only
    // (the id is our member's session: anyone else's is not found).
    ("list_my_sessions", SIGNED_IN),
    ("end_my_session", "401 204 404 404 404 404 404"),
    ("sign_out_everywhere", "401 204 204 204 204 204 204"),
    // Erasing a person on their request: network admins only.
    ("erase_person", NETWORK_ADMINS),
    // ---- memberships
    ("list_plans", PUBLIC),
    ("get_plan", PUBLIC),
    ("create_plan", NETWORK_ADMINS_CREATE),
    ("update_plan", NETWORK_ADMINS),
    // The seats of our organisation: its admins' (and network admins');
    // to anyone else, its members included, not there.
    ("list_seats", "401 404 404 200 404 404 200"),
    ("buy_seats", "401 403 403 201 403 403 201"),
    // Seats for a list of people (CSV): the same people, refused alike.
    ("bulk_seats", ORG_ADMINS),
    // Our seat: managed by our organisation's admins (and network admins);
    // to everyone else, its holder included, not there.
    ("get_seat", "401 404 404 200 404 404 200"),
    ("set_holder", "401 404 404 200 404 404 200"),
    ("end", "401 404 404 200 404 404 200"),
    ("my_card", SIGNED_IN),
    ("rotate_card", SIGNED_IN),
    ("my_profile", SIGNED_IN),
    ("set_my_profile", SIGNED_IN),
    ("my_calendar_feed", SIGNED_IN),
    ("rotate_calendar_feed", SIGNED_IN),
    // ---- check-ins: one's own (with a seat that opens the hub), and the
    // hub's hosts'.
    ("create_checkin", "401 201 201 403 403 403 403"),
    ("get_checkin", "401 200 404 404 200 404 200"),
    ("checkout", "401 200 404 404 200 404 200"),
    ("add_guest", "401 201 404 404 201 404 201"),
    ("scan", HUB_HOSTS_CREATE),
    // ---- webhooks: network admins.
    ("list_webhooks", NETWORK_ADMINS),
    ("get_webhook", NETWORK_ADMINS),
    ("create_webhook", NETWORK_ADMINS_CREATE),
    ("update_webhook", NETWORK_ADMINS),
    ("list_deliveries", NETWORK_ADMINS),
    ("retry_delivery", "401 403 403 403 403 403 204"),
    ("list_audit", NETWORK_ADMINS),
    ("get_retention", NETWORK_ADMINS),
    ("set_retention", NETWORK_ADMINS),
    ("run_retention", NETWORK_ADMINS),
    ("suggest", NETWORK_ADMINS),
    // ---- bookings: our room is a meeting room, for members of the hub
    // (holding a seat that opens it); hosts and admins hold none (403
    // `members_only`). Our member's booking is seen by its organisation's
    // admins, cancelled by the booker and the hub's hosts (403
    // `not_your_booking` for the organisation's admin).
    ("list_bookings", SIGNED_IN),
    ("create_booking", "401 201 201 403 403 403 403"),
    ("create_series", "401 201 201 403 403 403 403"),
    ("quote", "401 200 200 403 403 403 403"),
    ("get_booking", "401 200 404 200 200 404 200"),
    ("cancel_booking", "401 200 404 403 200 404 200"),
    // ---- events: our event is public, organised by our hub's host.
    // Members (a seat, or a host's or network admin's role) propose events.
    ("list_events", PUBLIC),
    ("get_event", PUBLIC),
    ("create_event", "401 201 201 403 201 201 201"),
    ("update_event", "401 403 403 403 200 403 200"),
    // A proposal of our member: theirs to see (not to publish) and the
    // hub's hosts'; to anyone else not there yet.
    ("publish_event", "401 403 404 404 200 404 200"),
    ("cancel_event", "401 403 403 403 200 403 200"),
    ("invite", "401 403 403 403 201 403 201"),
    ("list_registrations", "401 403 403 403 200 403 200"),
    ("register", "401 201 201 201 201 201 201"),
    ("summary", "401 403 403 403 200 403 200"),
    // Our member's sign-up: theirs to cancel, the organisers' to mark.
    ("cancel_registration", "401 200 404 404 200 404 200"),
    ("set_attended", "401 403 404 404 200 404 200"),
    // The token in the path is the permission.
    ("redeem", "201 201 201 201 201 201 201"),
    // ---- invoicing: network admins run, credit and mark paid; our
    // organisation's invoice is its admins' to see and download (not to
    // credit or pay), to anyone else not there.
    ("preview_run", NETWORK_ADMINS),
    ("issue_run", NETWORK_ADMINS),
    ("list_invoices", ORG_ADMINS),
    ("get_invoice", "401 404 404 200 404 404 200"),
    ("get_ubl", "401 404 404 200 404 404 200"),
    ("get_pdf", "401 404 404 200 404 404 200"),
    ("credit_invoice", "401 404 404 403 404 404 201"),
    ("pay_invoice", "401 404 404 403 404 404 201"),
    ("get_sie", NETWORK_ADMINS),
    // Reminders: seen like the invoice; sent by network admins, and our
    // invoice is not overdue yet, so a network admin is told so.
    ("list_reminders", "401 404 404 200 404 404 200"),
    ("send_reminder", "401 404 404 403 404 404 422"),
    // A BgMax file is the body, not the table's JSON: a network admin
    // passes the role check and is told the body is no BgMax file.
    ("import_bank_file", "401 403 403 403 403 403 422"),
    // Payments waiting for a person: network admins. The id is a payment
    // no bank file left waiting, so a network admin is told so.
    ("list_waiting", NETWORK_ADMINS),
    ("resolve_payment", "401 403 403 403 403 403 409"),
    // The settlement between operators and its tariff: network admins.
    ("get_settlement", NETWORK_ADMINS),
    ("get_settlement_tariff", NETWORK_ADMINS),
    ("set_settlement_tariff", NETWORK_ADMINS),
    // A hub's invoiced lines: its hosts (and the operator's staff, whom
    // invoicing_access.rs drives with the rest of their rights).
    ("list_hub_lines", HUB_HOSTS),
    // ---- evaluation: network admins write pilots; our hub's hosts read
    // the pilot of our hub, to anyone else it is not there.
    ("list_pilots", SIGNED_IN),
    ("create_pilot", NETWORK_ADMINS_CREATE),
    ("get_pilot", "401 404 404 404 200 404 200"),
    ("update_pilot", NETWORK_ADMINS),
    ("pilot_evaluation", "401 404 404 404 200 404 200"),
];

/// Writes whose body names the record that decides whether the caller may
/// write (the room of a booking, whose seat must open its hub; the hub of a
/// check-in): the body is read first, so a refused role may be told first
/// what is wrong with it. (Creating and replacing a person read the body
/// before their last check too, which organisation and roles an
/// organisation's admin gives, but only after the caller is known to be an
/// admin who may see the person: every role here is refused before it.)
const BODY_DECIDES: &[&str] = &["create_booking", "create_series", "quote", "create_checkin"];

/// Our records and everyone's tokens.
struct Scene {
    app: TestApp,
    people: Vec<Option<Person>>,
    tokens: Vec<Option<String>>,
    plan: String,
    /// A pilot of our hub.
    pilot: String,
    seat: String,
    booking: String,
    event: String,
    registration: String,
    checkin: String,
    webhook: String,
    delivery: String,
    /// Our organisation's invoice (of the member's seat in November).
    invoice: String,
    /// Counters: of names and codes, of the room's free hours, of series.
    n: u32,
    slots: u32,
    series: u32,
}

const MEMBER: usize = 1;
const HOST: usize = 4;
const ADMIN: usize = 6;

fn id_of(v: &Value) -> String {
    v["id"]
        .as_str()
        .unwrap_or_else(|| panic!("no id: {v}"))
        .to_string()
}

/// A valid organisation number (Luhn) from a serial number.
fn org_number(n: u32) -> String {
    let nine = format!("55601{n:04}");
    let sum: u32 = nine
        .bytes()
        .enumerate()
        .map(|(i, b)| {
            let d = u32::from(b - b'0') * if i % 2 == 0 { 2 } else { 1 };
            d / 10 + d % 10
        })
        .sum();
    format!("{}-{}{}", &nine[..6], &nine[6..], (10 - sum % 10) % 10)
}

fn week_hours() -> Value {
    let day = json!([{"open": "08:00", "close": "17:00"}]);
    let weekend = json!([{"open": "10:00", "close": "14:00"}]);
    json!({
        "monday": day, "tuesday": day, "wednesday": day, "thursday": day, "friday": day,
        "saturday": weekend, "sunday": weekend,
    })
}

impl Scene {
    async fn new(app: TestApp) -> Scene {
        let f = &app.f;
        let other_member = app.add_other_member().await;
        let other_host = app.add_other_host().await;
        // A second network admin, so that the first may erase themselves.
        app.add_person(Person {
            is_network_admin: true,
            ..person("Alma", "Testsson", "admin2@test.example", None)
        })
        .await;
        let people = vec![
            None,
            Some(f.member.clone()),
            Some(other_member.clone()),
            Some(f.org_admin.clone()),
            Some(f.host.clone()),
            Some(other_host),
            Some(f.admin.clone()),
        ];
        let mut tokens = vec![None];
        for p in people.iter().flatten() {
            tokens.push(Some(app.token_for(p).await));
        }
        let seat = seat_of(&f.member).give(&app).await;
        seat_of(&other_member).give(&app).await;
        let pilot = thirdplace_domain::evaluation::PilotInput {
            name: "Kalmarpiloten".into(),
            region_id: f.region.id.to_string(),
            starts_on: "2026-01-01".into(),
            ends_on: "2026-12-31".into(),
            hub_ids: vec![f.hub.id.to_string()],
            ..Default::default()
        }
        .validate(thirdplace_domain::new_id())
        .unwrap();
        app.store.insert_pilot(&pilot).await.unwrap();
        let mut s = Scene {
            pilot: pilot.id.to_string(),
            app,
            people,
            tokens,
            plan: seat.plan_id.to_string(),
            seat: seat.id.to_string(),
            booking: String::new(),
            event: String::new(),
            registration: String::new(),
            checkin: String::new(),
            webhook: String::new(),
            delivery: String::new(),
            invoice: String::new(),
            n: 0,
            slots: 0,
            series: 0,
        };
        let (status, hook) = s
            .call(
                Method::POST,
                "/api/v1/webhooks",
                ADMIN,
                Some(json!({"url": "http://127.0.0.1:9/hook", "events": ["checkin.created"]})),
            )
            .await;
        assert_eq!(status, 201, "{hook}");
        s.webhook = id_of(&hook);
        s.booking = s.fresh_booking().await;
        s.event = s.fresh_event(HOST).await;
        s.registration = s.fresh_registration(&s.event.clone()).await;
        s.checkin = s.fresh_checkin().await;
        let path = format!("/api/v1/webhooks/{}/deliveries", s.webhook);
        let (status, deliveries) = s.call(Method::GET, &path, ADMIN, None).await;
        assert_eq!(status, 200, "{deliveries}");
        s.delivery = id_of(&deliveries[0]);
        s.invoice = s.our_invoice(seat.plan_id).await;
        s
    }

    /// Our operator sells the member's plan and invoices our organisation
    /// for November: the invoice's id.
    async fn our_invoice(&mut self, plan: uuid::Uuid) -> String {
        let store = &self.app.store;
        let mut op = self.app.f.operator.clone();
        op.seller.street_address = Some("Box 706".into());
        op.seller.postal_code = Some(thirdplace_domain::Postcode::parse("572 28").unwrap());
        op.seller.city = Some("Oskarshamn".into());
        op.seller.bankgiro = Some(thirdplace_domain::Bankgiro::parse("5050-1055").unwrap());
        store.update_operator(&op).await.unwrap();
        let mut plan = store.get_plan(plan).await.unwrap();
        plan.selling_operator_id = Some(op.id);
        store.update_plan(&plan).await.unwrap();
        let mut org = store.get_organisation(self.app.f.org.id).await.unwrap();
        org.buyer.buyer_reference = Some("4711".into());
        org.buyer.invoice_street = Some("Box 100".into());
        org.buyer.invoice_postal_code = Some(thirdplace_domain::Postcode::parse("171 94").unwrap());
        org.buyer.invoice_city = Some("Solna".into());
        store.update_organisation(&org).await.unwrap();
        let path = format!("/api/v1/operators/{}/invoice-run", op.id);
        let (status, done) = self
            .call(
                Method::POST,
                &path,
                ADMIN,
                Some(json!({"month": "2026-11"})),
            )
            .await;
        assert_eq!(status, 200, "{done}");
        id_of(&done["issued"][0])
    }

    fn next(&mut self) -> u32 {
        self.n += 1;
        self.n
    }

    async fn call(
        &self,
        method: Method,
        path: &str,
        role: usize,
        body: Option<Value>,
    ) -> (u16, Value) {
        self.send(method, path, role, body.map(|b| b.to_string()))
            .await
    }

    async fn send(
        &self,
        method: Method,
        path: &str,
        role: usize,
        body: Option<String>,
    ) -> (u16, Value) {
        let mut req = self.app.client.request(method, self.app.url(path));
        if let Some(t) = &self.tokens[role] {
            req = req.bearer_auth(t);
        }
        if let Some(b) = body {
            req = req.header("content-type", "application/json").body(b);
        }
        let r = req.send().await.unwrap();
        let status = r.status().as_u16();
        let text = r.text().await.unwrap();
        let v = serde_json::from_str(&text).unwrap_or(Value::String(text));
        (status, v)
    }

    /// The `n`th free hour of the room, on weekdays from Wednesday
    /// 2026-11-25, 08:00–17:00 Swedish time (CET): (start, end).
    fn slot(&mut self) -> (String, String) {
        let n = self.slots;
        self.slots += 1;
        let weekday = |d: &NaiveDate| d.weekday().number_from_monday() <= 5;
        let day = NaiveDate::from_ymd_opt(2026, 11, 25)
            .unwrap()
            .iter_days()
            .filter(weekday)
            .nth((n / 9) as usize)
            .unwrap();
        let at = |h: u32| format!("{day}T{h:02}:00:00+01:00");
        (at(8 + n % 9), at(9 + n % 9))
    }

    /// A booking of our room by our member.
    async fn fresh_booking(&mut self) -> String {
        let (start, end) = self.slot();
        let body =
            json!({"room_id": self.app.f.room.id, "start": start, "end": end, "title": "Möte"});
        let (s, v) = self
            .call(Method::POST, "/api/v1/bookings", MEMBER, Some(body))
            .await;
        assert_eq!(s, 201, "{v}");
        id_of(&v)
    }

    fn event_body(&mut self) -> Value {
        let n = self.next();
        json!({
            "hub_id": self.app.f.hub.id,
            "venue": "online",
            "title": format!("Frukostmöte {n}"),
            "description": "Vi ses.",
            "topics": [],
            "start": "2026-11-30T10:00:00+01:00",
            "end": "2026-11-30T11:00:00+01:00",
            "capacity": 50,
            "visibility": "public",
        })
    }

    /// A public event at our hub: published when our host makes it,
    /// proposed when our member does.
    async fn fresh_event(&mut self, by: usize) -> String {
        let body = self.event_body();
        let (s, v) = self
            .call(Method::POST, "/api/v1/events", by, Some(body))
            .await;
        assert_eq!(s, 201, "{v}");
        id_of(&v)
    }

    /// Our member's sign-up for `event`.
    async fn fresh_registration(&mut self, event: &str) -> String {
        let path = format!("/api/v1/events/{event}/registrations");
        let (s, v) = self.call(Method::POST, &path, MEMBER, None).await;
        assert_eq!(s, 201, "{v}");
        id_of(&v)
    }

    /// Ends whatever check-in `role`'s person has open.
    async fn close_checkin(&self, role: usize) {
        let Some(p) = &self.people[role] else { return };
        if let Some(c) = self.app.store.open_checkin_of(p.id).await.unwrap() {
            let path = format!("/api/v1/checkins/{}/checkout", c.id);
            let (s, v) = self.call(Method::POST, &path, ADMIN, None).await;
            assert_eq!(s, 200, "{v}");
        }
    }

    /// Our member, checked in at our hub now.
    async fn fresh_checkin(&mut self) -> String {
        self.close_checkin(MEMBER).await;
        let body = json!({"hub_id": self.app.f.hub.id});
        let (s, v) = self
            .call(Method::POST, "/api/v1/checkins", MEMBER, Some(body))
            .await;
        assert_eq!(s, 201, "{v}");
        id_of(&v)
    }

    /// A seat of our organisation, of our plan, held by no one.
    async fn fresh_seat(&mut self) -> String {
        let body = json!({"plan_id": self.plan, "count": 1, "start_date": "2026-11-23"});
        let path = format!("/api/v1/organisations/{}/seats", self.app.f.org.id);
        let (s, v) = self.call(Method::POST, &path, ADMIN, Some(body)).await;
        assert_eq!(s, 201, "{v}");
        id_of(&v[0])
    }

    /// A browser session of our member's (its public id).
    async fn fresh_member_session(&mut self) -> String {
        let now = self.app.clock.now();
        let device = thirdplace_store::SessionDevice {
            public_id: thirdplace_domain::new_id(),
            user_agent: "matrix".into(),
        };
        let session = thirdplace_store::Session {
            id_hash: format!("matrix-{}", device.public_id),
            person_id: self.app.f.member.id,
            created_at: now,
            expires_at: now + Duration::days(1),
        };
        self.app
            .store
            .insert_session_on(&session, &device)
            .await
            .unwrap();
        device.public_id.to_string()
    }

    /// A person of our organisation, made by a network admin.
    async fn fresh_person(&mut self) -> String {
        let n = self.next();
        let body = json!({"first_name": "Ny", "last_name": "Person", "email": format!("ny.person{n}@test.example"), "organisation_id": self.app.f.org.id});
        let (s, v) = self
            .call(Method::POST, "/api/v1/people", ADMIN, Some(body))
            .await;
        assert_eq!(s, 201, "{v}");
        id_of(&v)
    }

    /// An unused invitation token to our event.
    async fn fresh_invitation(&mut self) -> String {
        let n = self.next();
        let email = format!("guest{n}@region.example");
        let path = format!("/api/v1/events/{}/invitations", self.event);
        let (s, v) = self
            .call(Method::POST, &path, HOST, Some(json!({"email": email})))
            .await;
        assert_eq!(s, 201, "{v}");
        let mail = self
            .app
            .store
            .list_emails(10_000)
            .await
            .unwrap()
            .into_iter()
            .find(|m| m.to_address == email)
            .expect("the invitation e-mail");
        let i = mail.body.find("/invitations/").expect("a link") + "/invitations/".len();
        mail.body[i..]
            .split(|c: char| c.is_whitespace())
            .next()
            .unwrap()
            .to_string()
    }

    /// What the path's `{id}` (or `{token}`) stands for in `op`, made
    /// afresh where the operation changes it for good (a cancellation, an
    /// ending) so that every role meets it as the first.
    async fn path_for(&mut self, op: &str, template: &str) -> String {
        let rest = template.trim_start_matches("/api/v1/");
        let kind = rest.split('/').next().unwrap();
        let id = match (kind, op) {
            ("bookings", "cancel_booking") => self.fresh_booking().await,
            ("bookings", _) => self.booking.clone(),
            ("checkins", "checkout" | "add_guest") => self.fresh_checkin().await,
            ("checkins", _) => self.checkin.clone(),
            ("events", "cancel_event" | "register") => self.fresh_event(HOST).await,
            ("events", "publish_event") => self.fresh_event(MEMBER).await,
            ("events", _) => self.event.clone(),
            ("hubs", _) => self.app.f.hub.id.to_string(),
            ("invoices", _) => self.invoice.clone(),
            ("invitations", _) => self.fresh_invitation().await,
            ("me", "end_my_session") => self.fresh_member_session().await,
            ("municipalities", _) => self.app.f.municipality.id.to_string(),
            ("operators", _) => self.app.f.operator.id.to_string(),
            ("organisations", _) => self.app.f.org.id.to_string(),
            ("payments", _) => thirdplace_domain::new_id().to_string(),
            ("people", "erase_person" | "send_invitation" | "revoke_invitation") => {
                self.fresh_person().await
            }
            ("people", _) => self.app.f.member.id.to_string(),
            ("pilots", _) => self.pilot.clone(),
            ("plans", _) => self.plan.clone(),
            ("regions", _) => self.app.f.region.id.to_string(),
            ("registrations", "cancel_registration") => {
                let event = self.fresh_event(HOST).await;
                self.fresh_registration(&event).await
            }
            ("registrations", _) => self.registration.clone(),
            ("rooms", _) => self.app.f.room.id.to_string(),
            ("seats", "end") => self.fresh_seat().await,
            ("seats", _) => self.seat.clone(),
            ("webhook-deliveries", _) => self.delivery.clone(),
            ("webhooks", _) => self.webhook.clone(),
            ("zones", _) => self.app.f.zone.id.to_string(),
            _ => String::new(),
        };
        let path = template.replace("{id}", &id).replace("{token}", &id);
        match op {
            "preview_run" | "list_hub_lines" => format!("{path}?month=2026-11"),
            _ => path,
        }
    }

    /// A body that is valid for a role that may make the write.
    async fn body_for(&mut self, op: &str, role: usize) -> Option<Value> {
        let n = self.next();
        match op {
            "create_booking" | "quote" => {
                let (start, end) = self.slot();
                let room = self.app.f.room.id;
                return Some(json!({"room_id": room, "start": start, "end": end, "title": "Möte"}));
            }
            "create_series" => {
                // Mondays from January, two weeks apart for each series.
                self.series += 1;
                let n = self.series;
                let day = NaiveDate::from_ymd_opt(2027, 1, 4).unwrap()
                    + Duration::days(14 * i64::from(n / 9));
                let hour = 8 + n % 9;
                let at = |h: u32| format!("{}T{h:02}:00:00+01:00", day.format("%Y-%m-%d"));
                return Some(
                    json!({"room_id": self.app.f.room.id, "start": at(hour), "end": at(hour + 1), "title": "Veckomöte", "recurrence": {"every_weeks": 1, "count": 2}}),
                );
            }
            "create_event" => return Some(self.event_body()),
            "update_event" => {
                let mut b = self.event_body();
                b["title"] = json!("Frukostmöte");
                return Some(b);
            }
            _ => {}
        }
        let f = &self.app.f;
        let member = &f.member;
        Some(match op {
            "cancel_booking" => json!({"reason": "Lokalen behövs för annat."}),
            "create_region" => {
                json!({"name": format!("Region {n}"), "code": format!("{}", 30 + n % 60)})
            }
            "update_region" => json!({"name": f.region.name, "code": f.region.code}),
            "create_municipality" => {
                json!({"region_id": f.region.id, "name": format!("Kommun {n}"), "code": format!("{}", 5000 + n), "central_town": "Stad"})
            }
            "update_municipality" => {
                json!({"region_id": f.region.id, "name": f.municipality.name, "code": f.municipality.code, "central_town": f.municipality.central_town})
            }
            "create_operator" => json!({"name": format!("Operatör {n}")}),
            "update_operator" => json!({"name": f.operator.name, "org_number": "212000-0761"}),
            "create_hub" => hub_body(f, &format!("Hubb {n}")),
            "update_hub" => {
                let mut b = hub_body(f, &f.hub.name);
                b["opening_hours"] = week_hours();
                b
            }
            "create_zone" => json!({"name": format!("Zon {n}"), "capacity": 4}),
            "update_zone" => {
                json!({"name": f.zone.name, "purpose": f.zone.purpose, "capacity": f.zone.capacity})
            }
            "create_room" => {
                json!({"name": format!("Rum {n}"), "kind": "meeting", "capacity": 4, "hourly_price_ore": 10_000})
            }
            "update_room" => {
                json!({"name": f.room.name, "kind": "meeting", "capacity": f.room.capacity, "hourly_price_ore": f.room.hourly_price_ore, "vat_rate_percent": 25})
            }
            "set_retention" => {
                json!({"checkin_days": 396, "guest_name_days": 30, "email_days": 90, "webhook_days": 30, "session_days": 1, "sign_in_failure_days": 1})
            }
            "create_pilot" | "update_pilot" => {
                json!({"name": format!("Pilot {n}"), "region_id": f.region.id, "starts_on": "2026-01-01", "ends_on": "2026-12-31", "hub_ids": [f.hub.id], "goals": [{"indicator": "people_with_access", "target": 20}]})
            }
            "set_settlement_tariff" => {
                json!({"visit_day_ore": 7_500, "booking_share_per_mille": 100})
            }
            "set_rules" => {
                json!({"cancel_notice_hours": 24, "max_length_hours": 10, "max_days_ahead": 180, "non_members_may_book": true, "publish_member_events": false})
            }
            "create_organisation" => {
                json!({"name": format!("Bolag {n}"), "org_number": org_number(n), "kind": "company"})
            }
            "update_organisation" => {
                json!({"name": f.org.name, "org_number": "202100-5448", "kind": "government_agency"})
            }
            "create_person" => {
                json!({"first_name": "Ny", "last_name": "Person", "email": format!("ny{n}@test.example"), "organisation_id": f.org.id})
            }
            "update_person" => {
                json!({"first_name": member.first_name, "last_name": member.last_name, "email": member.email.as_str(), "organisation_id": f.org.id})
            }
            "erase_me" => {
                let p = self.people[role].as_ref()?;
                json!({"confirm": p.email.as_str()})
            }
            "create_plan" => {
                json!({"name": format!("Plan {n}"), "scope": "network", "selling_operator_id": f.operator.id, "monthly_price_ore": 100_000, "validity": "monthly_rolling"})
            }
            "update_plan" => {
                json!({"name": format!("Plan uppdaterad {n}"), "scope": "network", "selling_operator_id": f.operator.id, "monthly_price_ore": 145_000, "included_hours_per_month": 4, "max_guests": 1, "guests_allowed": true, "validity": "monthly_rolling"})
            }
            "buy_seats" => json!({"plan_id": self.plan, "count": 1, "start_date": "2026-11-23"}),
            "bulk_seats" => json!({"csv": format!("Ny,Person,bulk{n}@test.example")}),
            "set_holder" => json!({"person_id": member.id}),
            "erase_person" => json!({"reason": format!("Begäran {n}")}),
            "set_my_profile" => json!({"visible": true, "expertise": []}),
            "create_checkin" => json!({"hub_id": f.hub.id}),
            "add_guest" => {
                json!({"first_name": "Gäst", "last_name": "Gästsson", "organisation_id": f.org.id})
            }
            "scan" => {
                let (s, card) = self
                    .call(Method::GET, "/api/v1/me/card", MEMBER, None)
                    .await;
                assert_eq!(s, 200, "{card}");
                json!({"qr": card["qr_token"]})
            }
            "create_webhook" => {
                json!({"url": format!("http://127.0.0.1:9/hook{n}"), "events": ["checkin.created"]})
            }
            "update_webhook" => {
                json!({"url": "http://127.0.0.1:9/hook", "events": ["checkin.created"], "active": true})
            }
            "suggest" => json!({"county": "Kalmar län", "radius_km": 10.0, "count": 1}),
            "invite" => json!({"email": format!("invited{n}@region.example")}),
            "set_attended" => json!({"attended": true}),
            "issue_run" => json!({"month": "2026-11"}),
            "pay_invoice" => json!({"amount_ore": 100}),
            "redeem" => {
                json!({"first_name": "Eva", "last_name": "Ek", "email": format!("eva{n}@region.example"), "organisation": "Region Kalmar län"})
            }
            _ => return None,
        })
    }

    /// Gets the world ready for `role` to make `op` as the first.
    async fn before(&mut self, op: &str, role: usize) {
        match op {
            "create_checkin" => self.close_checkin(role).await,
            "scan" => self.close_checkin(MEMBER).await,
            _ => {}
        }
    }
}

/// The operations of the document: operation id → (method, path).
fn operations(doc: &Value) -> BTreeMap<String, (Method, String)> {
    let mut ops = BTreeMap::new();
    for (path, item) in doc["paths"].as_object().unwrap() {
        for (method, op) in item.as_object().unwrap() {
            let Ok(m) = Method::from_bytes(method.to_uppercase().as_bytes()) else {
                continue;
            };
            if !["GET", "POST", "PUT", "PATCH", "DELETE"].contains(&m.as_str()) {
                continue;
            }
            let id = op["operationId"]
                .as_str()
                .unwrap_or_else(|| panic!("{method} {path} has no operation id"))
                .to_string();
            assert!(path.starts_with("/api/v1/"), "{path}");
            assert!(
                ops.insert(id.clone(), (m, path.clone())).is_none(),
                "operation id {id} twice"
            );
        }
    }
    ops
}

on_both_backends!(every_operation_answers_every_role_as_the_table_says);

async fn every_operation_answers_every_role_as_the_table_says(app: TestApp) {
    let (s, doc) = app.get_json("/api/v1/openapi.json").await;
    assert_eq!(s, 200);
    let ops = operations(&doc);
    let table: BTreeMap<&str, Vec<u16>> = TABLE
        .iter()
        .map(|(op, row)| {
            let row: Vec<u16> = row.split(' ').map(|s| s.parse().unwrap()).collect();
            assert_eq!(row.len(), ROLES.len(), "{op}: one status per role");
            (*op, row)
        })
        .collect();
    assert_eq!(
        table.len(),
        TABLE.len(),
        "an operation is in the table twice"
    );
    let documented: BTreeSet<&str> = ops.keys().map(String::as_str).collect();
    let expected: BTreeSet<&str> = table.keys().copied().collect();
    let missing: Vec<_> = documented.difference(&expected).collect();
    assert!(
        missing.is_empty(),
        "operations of the document with no row in TABLE (add them): {missing:?}"
    );
    let gone: Vec<_> = expected.difference(&documented).collect();
    assert!(
        gone.is_empty(),
        "rows of TABLE for operations the document no longer has: {gone:?}"
    );
    for op in BODY_DECIDES {
        assert!(documented.contains(op), "BODY_DECIDES names {op}");
    }

    let mut scene = Scene::new(app).await;
    // Erasing oneself comes last: the roles' people are gone after it.
    let mut order: Vec<&String> = ops.keys().filter(|op| *op != "erase_me").collect();
    order.extend(ops.keys().filter(|op| *op == "erase_me"));
    let mut wrong = Vec::new();
    let mut calls = 0;
    for op in order {
        let (method, template) = &ops[op];
        let expected = &table[op.as_str()];
        for (role, &want) in expected.iter().enumerate() {
            scene.before(op, role).await;
            let path = scene.path_for(op, template).await;
            let refused = matches!(want, 401 | 403 | 404);
            let writes = *method != Method::GET;
            // A refused role must be refused whatever its body; send it an
            // invalid one first (it changes nothing).
            if refused && writes && want != 401 && !BODY_DECIDES.contains(&op.as_str()) {
                let (got, v) = scene
                    .send(method.clone(), &path, role, Some("{}".into()))
                    .await;
                calls += 1;
                if got != want {
                    wrong.push(format!(
                        "{op} as {} with an invalid body: {got}, expected {want}: {v}",
                        ROLES[role]
                    ));
                }
            }
            let body = if writes {
                scene.body_for(op, role).await
            } else {
                None
            };
            let (got, v) = scene.call(method.clone(), &path, role, body).await;
            calls += 1;
            if got != want {
                wrong.push(format!(
                    "{op} ({method} {template}) as {}: {got}, expected {want}: {v}",
                    ROLES[role]
                ));
            }
        }
    }
    println!(
        "route × role matrix: {} operations × {} roles = {} cells ({calls} requests)",
        ops.len(),
        ROLES.len(),
        ops.len() * ROLES.len()
    );
    assert!(
        wrong.is_empty(),
        "{} answers differ from the table:\n{}",
        wrong.len(),
        wrong.join("\n")
    );
}
