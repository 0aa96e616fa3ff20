//! Memberships for the demo network (see [`crate::demo`]): plans, the seats
//! organisations bought and who holds them, community profiles, and the
//! last month's visits to every hub.
//!
//! What it seeds:
//!
//! * seven plans: the network membership for public-sector staff, a hub card
//!   for each rural hub, a region card for Kalmar län, a card for each arena
//!   and a free trial week;
//! * seats bought by municipalities, regions, agencies, companies and sole
//!   traders and given to named people, with one seat not yet given to
//!   anyone, one moved from one employee to another, one ended and one trial
//!   week; about forty more public-sector staff who use the arenas;
//! * people with access per hub (the rural pilots' indicator, target 20):
//!   Figeholm 23, Boda glasbruk 14, Östersund 38, Stockholm 55 (as the access
//!   summary counts them; the demo pilot adds a year of earlier members,
//!   see [`crate::demo_evaluation`]);
//! * profiles: every other member is visible, with Swedish expertise tags;
//! * closed check-ins over the 29 days before the seeding day, within each
//!   hub's opening hours (Europe/Stockholm), a few forgotten and closed by
//!   the system at closing time, and a few guest visits. The demo has no
//!   webhooks, so the events written with them queue nothing.
//!
//! Dates are relative to the seeding day, which is kept under the meta key
//! `demo_memberships_day` (written once, with `meta_get_or_insert`) so that
//! an interrupted run finished on a later day computes the same dates. Like
//! the network, everything is looked up by a natural key first (a plan by
//! name; seats by organisation, plan and first day; a holding by seat and
//! order; a visit by person, hub and time; a guest by visit and name), so a
//! second run adds nothing and an interrupted one is completed; the marker
//! `demo_memberships_v1` is written last.

use anyhow::{bail, Context, Result};
use chrono::{DateTime, Duration, NaiveDate, NaiveTime, Utc};
use serde_json::json;
use std::collections::hash_map::Entry;
use std::collections::{HashMap, HashSet};
use thirdplace_domain::membership::{
    auto_close_at, check_guest, decide_check_in, local_date, local_instant, parse_expertise,
    CheckIn, CheckInMethod, GuestVisit, Plan, PlanInput, Profile, Seat, WebhookEvent,
};
use thirdplace_domain::{new_id, Organisation, Person, PersonInput, Region};
use thirdplace_store::{HubListing, Store, StoreError};
use thirdplace_web::memberships::checkins::event;
use uuid::Uuid;

use crate::demo::{
    mark_seeded, seeded_before, HUB_BODA, HUB_FIGEHOLM, HUB_OSTERSUND, HUB_STOCKHOLM,
    ORGNR_EMMABODA, ORGNR_OSKARSHAMN, ORGNR_SKATTEVERKET,
};

/// The meta key that marks the memberships as seeded.
const SEEDED_KEY: &str = "demo_memberships_v1";
/// The meta key that keeps the civil date the memberships were seeded on.
const DAY_KEY: &str = "demo_memberships_day";
/// Visits are seeded on this many days before the seeding day (never on the
/// day itself, whose hours may still be ahead).
const VISIT_DAYS: i64 = 29;

/// Seeds the memberships unless the store says they were seeded (meta key
/// `demo_memberships_v1`). Returns `Ok(true)` when it seeded now.
///
/// # Errors
///
/// Any store error, with what it happened on as context; run again to
/// complete what was written.
pub async fn seed(store: &dyn Store) -> Result<bool> {
    if seeded_before(store, SEEDED_KEY, "demo memberships").await? {
        tracing::debug!("demo memberships already seeded");
        return Ok(false);
    }
    let today = local_date(Utc::now());
    let day = store
        .meta_get_or_insert(DAY_KEY, &today.to_string())
        .await
        .context("reading the demo memberships day")?;
    let day = NaiveDate::parse_from_str(&day, "%Y-%m-%d")
        .with_context(|| format!("the demo memberships day {day:?} is not a date"))?;
    let n = fill(store, day).await?;
    mark_seeded(store, SEEDED_KEY, "demo memberships").await?;
    tracing::info!(
        plans = n.plans,
        people = n.people,
        seats = n.seats,
        assignments = n.assignments,
        profiles = n.profiles,
        checkins = n.checkins,
        guests = n.guests,
        "seeded the demo memberships"
    );
    Ok(true)
}

/// What one run wrote (things found from an earlier run are not counted).
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
struct Counts {
    plans: usize,
    people: usize,
    seats: usize,
    assignments: usize,
    profiles: usize,
    checkins: usize,
    guests: usize,
}

// ------------------------------------------------------------------ data

const PLAN_NETWORK: &str = "Nätverksmedlemskap offentlig sektor";
pub(crate) const PLAN_FIGEHOLM: &str = "Hubbkort Figeholm";
pub(crate) const PLAN_BODA: &str = "Hubbkort Boda glasbruk";
const PLAN_KALMAR: &str = "Regionkort Kalmar län";
const PLAN_STOCKHOLM: &str = "Arenakort Stockholm";
const PLAN_OSTERSUND: &str = "Arenakort Östersund";
const PLAN_TRIAL: &str = "Provvecka";

/// Which hubs a plan opens: a region by county code, a hub by name.
enum Scope {
    Network,
    Region(&'static str),
    Hub(&'static str),
}

struct PlanSpec {
    name: &'static str,
    description: &'static str,
    scope: Scope,
    /// Kronor a month, excluding VAT, as typed in the plan form.
    monthly_price_sek: &'static str,
    included_hours: u32,
    /// Guests at once; 0 means none.
    max_guests: u32,
    /// A fixed period in days; `None` runs month by month.
    fixed_days: Option<u32>,
}

const PLANS: &[PlanSpec] = &[
    PlanSpec {
        name: PLAN_NETWORK,
        description: "Personligt medlemskap för medarbetare i offentlig sektor. Ger tillträde till \
            alla nätverkets hubbar och arenor, fyra timmar i mötesrum per månad och rätt att ta med \
            en gäst i taget från den egna organisationen. Organisationen tecknar medlemskapet för \
            namngivna medarbetare; det löper månad för månad tills det sägs upp.",
        scope: Scope::Network,
        monthly_price_sek: "1 450",
        included_hours: 4,
        max_guests: 1,
        fixed_days: None,
    },
    PlanSpec {
        name: PLAN_FIGEHOLM,
        description: "Medlemskap i Kontorskollektivet Figeholm för dig som bor eller arbetar i \
            trakten: drop-in på kontorsytan under öppettiderna, två timmar i Kustrummet per månad \
            och en gäst i taget från den egna organisationen. Löper månad för månad.",
        scope: Scope::Hub(HUB_FIGEHOLM),
        monthly_price_sek: "400",
        included_hours: 2,
        max_guests: 1,
        fixed_days: None,
    },
    PlanSpec {
        name: PLAN_BODA,
        description: "Medlemskap i Arbetshubben Boda glasbruk för dig som bor eller arbetar i \
            bygden: drop-in på kontorsytan under öppettiderna, två timmar i Hyttrummet per månad \
            och en gäst i taget från den egna organisationen. Löper månad för månad.",
        scope: Scope::Hub(HUB_BODA),
        monthly_price_sek: "400",
        included_hours: 2,
        max_guests: 1,
        fixed_days: None,
    },
    PlanSpec {
        name: PLAN_KALMAR,
        description: "Tillträde till alla hubbar i Kalmar län – i dag Figeholm och Boda glasbruk – \
            med två timmar i mötesrum per månad och upp till två gäster i taget från den egna \
            organisationen. Löper månad för månad.",
        scope: Scope::Region("08"),
        monthly_price_sek: "900",
        included_hours: 2,
        max_guests: 2,
        fixed_days: None,
    },
    PlanSpec {
        name: PLAN_STOCKHOLM,
        description: "Personligt medlemskap i Offentlig Coworking Stockholm: aktivitetszonerna \
            under öppettiderna, tre timmar i konferens- och mötesrummen per månad och en gäst i \
            taget från den egna organisationen. Löper månad för månad.",
        scope: Scope::Hub(HUB_STOCKHOLM),
        monthly_price_sek: "1 150",
        included_hours: 3,
        max_guests: 1,
        fixed_days: None,
    },
    PlanSpec {
        name: PLAN_OSTERSUND,
        description: "Personligt medlemskap i Offentlig Coworking Östersund: aktivitetszonerna \
            under öppettiderna, tre timmar i konferens- och mötesrummen per månad och en gäst i \
            taget från den egna organisationen. Löper månad för månad.",
        scope: Scope::Hub(HUB_OSTERSUND),
        monthly_price_sek: "950",
        included_hours: 3,
        max_guests: 1,
        fixed_days: None,
    },
    PlanSpec {
        name: PLAN_TRIAL,
        description: "En kostnadsfri provvecka i hela nätverket för dig som vill pröva att arbeta \
            på en hubb. Inga inkluderade rumstimmar och inga gäster; provveckan upphör av sig själv \
            efter sju dagar.",
        scope: Scope::Network,
        monthly_price_sek: "0",
        included_hours: 0,
        max_guests: 0,
        fixed_days: Some(7),
    },
];

// Organisation numbers of the demo's organisations (see `crate::demo`).
const KALMAR_REGION: &str = "232100-0073";
const NYBRO: &str = "212000-0753";
const OSTERSUND: &str = "212000-2528";
const STOCKHOLM: &str = "212000-0142";
const REGION_JH: &str = "232100-0214";
const REGION_STOCKHOLM: &str = "232100-0016";
const FK: &str = "202100-5521";
const AF: &str = "202100-2114";
const LM: &str = "202100-4888";
const TRV: &str = "202100-6297";
const VINNOVA: &str = "202100-5216";
const TVV: &str = "202100-6149";
const SCB: &str = "202100-0837";
const NV: &str = "202100-1975";
const DIGG: &str = "202100-6883";
const KUSTNARA: &str = "559318-2040";
const SKARGARDENS: &str = "559207-6110";
const BODAVERKSTADEN: &str = "559412-8356";
const STORSJO: &str = "559126-4782";
const FROSO: &str = "559371-0923";
const SODER: &str = "559055-3169";
const ABERG: &str = "640823-3234";
const SJOBERG: &str = "811218-9876";
const AHLIN: &str = "121212-1212";
const HUBBVANNERNA: &str = "802531-4678";

/// Public-sector staff who use the arenas, besides the people of the
/// network demo: (organisation number, first name, last name, e-mail).
#[rustfmt::skip]
const ARENA_PEOPLE: &[(&str, &str, &str, &str)] = &[
    // Stockholm.
    (STOCKHOLM, "Yasmin", "Ali", "yasmin.ali@stockholm.example"),
    (STOCKHOLM, "Erik", "Wallén", "erik.wallen@stockholm.example"),
    (STOCKHOLM, "Sofie", "Grahn", "sofie.grahn@stockholm.example"),
    (STOCKHOLM, "Adam", "Nordqvist", "adam.nordqvist@stockholm.example"),
    (REGION_STOCKHOLM, "Mona", "Sandberg", "mona.sandberg@regionstockholm.example"),
    (REGION_STOCKHOLM, "Per-Olof", "Brink", "per-olof.brink@regionstockholm.example"),
    (REGION_STOCKHOLM, "Nadia", "Haddad", "nadia.haddad@regionstockholm.example"),
    (ORGNR_SKATTEVERKET, "Johanna", "Sjödin", "johanna.sjodin@skatteverket.example"),
    (ORGNR_SKATTEVERKET, "Henrik", "Molin", "henrik.molin@skatteverket.example"),
    (ORGNR_SKATTEVERKET, "Emelie", "Ström", "emelie.strom@skatteverket.example"),
    (ORGNR_SKATTEVERKET, "Andreas", "Lindh", "andreas.lindh@skatteverket.example"),
    (FK, "Karolina", "Berg", "karolina.berg@forsakringskassan.example"),
    (FK, "Fredrik", "Åman", "fredrik.aman@forsakringskassan.example"),
    (FK, "Sara", "Lundin", "sara.lundin@forsakringskassan.example"),
    (AF, "Tove", "Lindgren", "tove.lindgren@arbetsformedlingen.example"),
    (AF, "Joakim", "Eriksson", "joakim.eriksson@arbetsformedlingen.example"),
    (LM, "Elsa", "Nyman", "elsa.nyman@lantmateriet.example"),
    (VINNOVA, "Ebba", "Strömberg", "ebba.stromberg@vinnova.example"),
    (VINNOVA, "Mohammed", "Yusuf", "mohammed.yusuf@vinnova.example"),
    (TVV, "Hanna", "Öhman", "hanna.ohman@tillvaxtverket.example"),
    (TVV, "Kalle", "Persson", "kalle.persson@tillvaxtverket.example"),
    (SCB, "Gabriel", "Rosén", "gabriel.rosen@scb.example"),
    (SCB, "Ylva", "Bergqvist", "ylva.bergqvist@scb.example"),
    (DIGG, "Nils", "Håkansson", "nils.hakansson@digg.example"),
    (DIGG, "Rebecka", "Falk", "rebecka.falk@digg.example"),
    // Östersund.
    (OSTERSUND, "Jens", "Mattsson", "jens.mattsson@ostersund.example"),
    (OSTERSUND, "Ronja", "Ersson", "ronja.ersson@ostersund.example"),
    (OSTERSUND, "Tomas", "Jonsson", "tomas.jonsson@ostersund.example"),
    (OSTERSUND, "Agnes", "Norén", "agnes.noren@ostersund.example"),
    (REGION_JH, "Sven", "Bergman", "sven.bergman@regionjh.example"),
    (REGION_JH, "Lisa", "Edin", "lisa.edin@regionjh.example"),
    (REGION_JH, "Pontus", "Ahlström", "pontus.ahlstrom@regionjh.example"),
    (REGION_JH, "Malin", "Fors", "malin.fors@regionjh.example"),
    (NV, "Karin", "Sundin", "karin.sundin@naturvardsverket.example"),
    (NV, "Mattias", "Hedman", "mattias.hedman@naturvardsverket.example"),
    (NV, "Jenny", "Strandberg", "jenny.strandberg@naturvardsverket.example"),
    (FK, "Ola", "Westin", "ola.westin@forsakringskassan.example"),
    (FK, "Amanda", "Bäck", "amanda.back@forsakringskassan.example"),
    (TRV, "Stina", "Olsson", "stina.olsson@trafikverket.example"),
    (TRV, "Björn", "Grönlund", "bjorn.gronlund@trafikverket.example"),
    (STORSJO, "Felix", "Nordin", "felix.nordin@storsjodata.example"),
    (LM, "Hampus", "Dahlberg", "hampus.dahlberg@lantmateriet.example"),
];

/// One seat of a purchase and who holds it.
enum Holder {
    /// Given to this person (by e-mail) when it was bought.
    Held(&'static str),
    /// Bought, not yet given to anyone.
    Unassigned,
    /// Given to `from` when bought, moved to `to` this many days before the
    /// seeding day.
    Moved {
        from: &'static str,
        to: &'static str,
        days_ago: i64,
    },
}

use Holder::{Held, Moved, Unassigned};

/// Seats of one plan bought by one organisation, starting on one day.
struct Purchase {
    org_number: &'static str,
    plan: &'static str,
    /// The first day, this many days before the seeding day.
    start_days_ago: i64,
    /// Ended by the organisation this many days before the seeding day: the
    /// seats run to the end of the month already paid.
    ended_days_ago: Option<i64>,
    /// The hub the holders usually work at.
    home: &'static str,
    /// The share of the home hub's open days a holder comes in, in percent.
    visit_percent: u64,
    seats: &'static [Holder],
}

const MEMBER: &str = "member@demo.example";

const PURCHASES: &[Purchase] = &[
    // Network memberships for public-sector staff.
    Purchase {
        org_number: ORGNR_SKATTEVERKET,
        plan: PLAN_NETWORK,
        start_days_ago: 90,
        ended_days_ago: None,
        home: HUB_STOCKHOLM,
        visit_percent: 30,
        seats: &[
            Held(MEMBER),
            Held("gustav.nystrom@skatteverket.example"),
            Held("louise.hermansson@skatteverket.example"),
            Moved {
                from: "ali.rahimi@skatteverket.example",
                to: "camilla.akesson@skatteverket.example",
                days_ago: 20,
            },
        ],
    },
    Purchase {
        org_number: ORGNR_SKATTEVERKET,
        plan: PLAN_NETWORK,
        start_days_ago: 10,
        ended_days_ago: None,
        home: HUB_STOCKHOLM,
        visit_percent: 30,
        seats: &[Unassigned],
    },
    Purchase {
        org_number: FK,
        plan: PLAN_NETWORK,
        start_days_ago: 75,
        ended_days_ago: None,
        home: HUB_STOCKHOLM,
        visit_percent: 30,
        seats: &[
            Held("robert.svensson@forsakringskassan.example"),
            Held("lina.engstrom@forsakringskassan.example"),
        ],
    },
    Purchase {
        org_number: DIGG,
        plan: PLAN_TRIAL,
        start_days_ago: 3,
        ended_days_ago: None,
        home: HUB_STOCKHOLM,
        visit_percent: 70,
        seats: &[Held("oscar.lindell@digg.example")],
    },
    // Region cards for Kalmar län.
    Purchase {
        org_number: KALMAR_REGION,
        plan: PLAN_KALMAR,
        start_days_ago: 120,
        ended_days_ago: None,
        home: HUB_FIGEHOLM,
        visit_percent: 20,
        seats: &[
            Held("stefan.bengtsson@regionkalmar.example"),
            Held("niklas.oberg@regionkalmar.example"),
        ],
    },
    Purchase {
        org_number: KALMAR_REGION,
        plan: PLAN_KALMAR,
        start_days_ago: 95,
        ended_days_ago: None,
        home: HUB_BODA,
        visit_percent: 20,
        seats: &[Held("linda.sundberg@regionkalmar.example")],
    },
    Purchase {
        org_number: NYBRO,
        plan: PLAN_KALMAR,
        start_days_ago: 150,
        ended_days_ago: Some(45),
        home: HUB_BODA,
        visit_percent: 30,
        seats: &[Held("fredrik.lund@nybro.example")],
    },
    // Hub cards for Figeholm.
    Purchase {
        org_number: ORGNR_OSKARSHAMN,
        plan: PLAN_FIGEHOLM,
        start_days_ago: 100,
        ended_days_ago: None,
        home: HUB_FIGEHOLM,
        visit_percent: 35,
        seats: &[
            Held("anna.lindqvist@oskarshamn.example"),
            Held("mats.holmgren@oskarshamn.example"),
            Held("per.gustafsson@oskarshamn.example"),
            Held("karin.bjork@oskarshamn.example"),
            Held("host@demo.example"),
        ],
    },
    Purchase {
        org_number: KUSTNARA,
        plan: PLAN_FIGEHOLM,
        start_days_ago: 80,
        ended_days_ago: None,
        home: HUB_FIGEHOLM,
        visit_percent: 45,
        seats: &[
            Held("emil.sandstrom@kustnarawebb.example"),
            Held("klara.holmstrom@kustnarawebb.example"),
        ],
    },
    Purchase {
        org_number: SKARGARDENS,
        plan: PLAN_FIGEHOLM,
        start_days_ago: 70,
        ended_days_ago: None,
        home: HUB_FIGEHOLM,
        visit_percent: 40,
        seats: &[Held("birgitta.ljung@skargardsredovisning.example")],
    },
    // A sole trader's hub card, bought for herself.
    Purchase {
        org_number: ABERG,
        plan: PLAN_FIGEHOLM,
        start_days_ago: 60,
        ended_days_ago: None,
        home: HUB_FIGEHOLM,
        visit_percent: 40,
        seats: &[Held("linnea.aberg@linneaaberg.example")],
    },
    Purchase {
        org_number: SJOBERG,
        plan: PLAN_FIGEHOLM,
        start_days_ago: 45,
        ended_days_ago: None,
        home: HUB_FIGEHOLM,
        visit_percent: 20,
        seats: &[Held("mikael.sjoberg@sjobergsnickeri.example")],
    },
    Purchase {
        org_number: AHLIN,
        plan: PLAN_FIGEHOLM,
        start_days_ago: 40,
        ended_days_ago: None,
        home: HUB_FIGEHOLM,
        visit_percent: 40,
        seats: &[Held("torbjorn.ahlin@ahlinoversattning.example")],
    },
    Purchase {
        org_number: HUBBVANNERNA,
        plan: PLAN_FIGEHOLM,
        start_days_ago: 110,
        ended_days_ago: None,
        home: HUB_FIGEHOLM,
        visit_percent: 30,
        seats: &[Held("britt.mansson@hubbvannerna.example")],
    },
    // A state agency's hub card for an employee who lives in the village.
    Purchase {
        org_number: TRV,
        plan: PLAN_FIGEHOLM,
        start_days_ago: 50,
        ended_days_ago: None,
        home: HUB_FIGEHOLM,
        visit_percent: 40,
        seats: &[Held("johan.berggren@trafikverket.example")],
    },
    // Hub cards for Boda glasbruk.
    Purchase {
        org_number: ORGNR_EMMABODA,
        plan: PLAN_BODA,
        start_days_ago: 100,
        ended_days_ago: None,
        home: HUB_BODA,
        visit_percent: 35,
        seats: &[
            Held("eva.nilsson@emmaboda.example"),
            Held("sofia.karlsson@emmaboda.example"),
            Held("magnus.petersson@emmaboda.example"),
        ],
    },
    Purchase {
        org_number: BODAVERKSTADEN,
        plan: PLAN_BODA,
        start_days_ago: 65,
        ended_days_ago: None,
        home: HUB_BODA,
        visit_percent: 45,
        seats: &[Held("nora.lindblad@bodaverkstaden.example")],
    },
    // Arena cards for Stockholm.
    Purchase {
        org_number: STOCKHOLM,
        plan: PLAN_STOCKHOLM,
        start_days_ago: 200,
        ended_days_ago: None,
        home: HUB_STOCKHOLM,
        visit_percent: 15,
        seats: &[
            Held("johanna.lindberg@stockholm.example"),
            Held("david.ek@stockholm.example"),
            Held("amira.hassan@stockholm.example"),
            Held("viktor.blom@stockholm.example"),
            Held("yasmin.ali@stockholm.example"),
            Held("erik.wallen@stockholm.example"),
            Held("sofie.grahn@stockholm.example"),
            Held("adam.nordqvist@stockholm.example"),
        ],
    },
    Purchase {
        org_number: REGION_STOCKHOLM,
        plan: PLAN_STOCKHOLM,
        start_days_ago: 180,
        ended_days_ago: None,
        home: HUB_STOCKHOLM,
        visit_percent: 15,
        seats: &[
            Held("emma.forsberg@regionstockholm.example"),
            Held("henrik.dahl@regionstockholm.example"),
            Held("therese.lindholm@regionstockholm.example"),
            Held("mona.sandberg@regionstockholm.example"),
            Held("per-olof.brink@regionstockholm.example"),
            Held("nadia.haddad@regionstockholm.example"),
        ],
    },
    Purchase {
        org_number: ORGNR_SKATTEVERKET,
        plan: PLAN_STOCKHOLM,
        start_days_ago: 150,
        ended_days_ago: None,
        home: HUB_STOCKHOLM,
        visit_percent: 15,
        seats: &[
            Held("johanna.sjodin@skatteverket.example"),
            Held("henrik.molin@skatteverket.example"),
            Held("emelie.strom@skatteverket.example"),
            Held("andreas.lindh@skatteverket.example"),
        ],
    },
    Purchase {
        org_number: FK,
        plan: PLAN_STOCKHOLM,
        start_days_ago: 140,
        ended_days_ago: None,
        home: HUB_STOCKHOLM,
        visit_percent: 15,
        seats: &[
            Held("annika.wallin@forsakringskassan.example"),
            Held("karolina.berg@forsakringskassan.example"),
            Held("fredrik.aman@forsakringskassan.example"),
            Held("sara.lundin@forsakringskassan.example"),
        ],
    },
    Purchase {
        org_number: AF,
        plan: PLAN_STOCKHOLM,
        start_days_ago: 130,
        ended_days_ago: None,
        home: HUB_STOCKHOLM,
        visit_percent: 15,
        seats: &[
            Held("marie.larsson@arbetsformedlingen.example"),
            Held("patrik.nordstrom@arbetsformedlingen.example"),
            Held("jenny.falk@arbetsformedlingen.example"),
            Held("tove.lindgren@arbetsformedlingen.example"),
            Held("joakim.eriksson@arbetsformedlingen.example"),
        ],
    },
    Purchase {
        org_number: LM,
        plan: PLAN_STOCKHOLM,
        start_days_ago: 120,
        ended_days_ago: None,
        home: HUB_STOCKHOLM,
        visit_percent: 15,
        seats: &[
            Held("asa.lundqvist@lantmateriet.example"),
            Held("mikael.norberg@lantmateriet.example"),
            Held("elsa.nyman@lantmateriet.example"),
        ],
    },
    Purchase {
        org_number: VINNOVA,
        plan: PLAN_STOCKHOLM,
        start_days_ago: 110,
        ended_days_ago: None,
        home: HUB_STOCKHOLM,
        visit_percent: 15,
        seats: &[
            Held("charlotte.nyberg@vinnova.example"),
            Held("daniel.soderberg@vinnova.example"),
            Held("ebba.stromberg@vinnova.example"),
            Held("mohammed.yusuf@vinnova.example"),
        ],
    },
    Purchase {
        org_number: TVV,
        plan: PLAN_STOCKHOLM,
        start_days_ago: 100,
        ended_days_ago: None,
        home: HUB_STOCKHOLM,
        visit_percent: 15,
        seats: &[
            Held("ulrika.borg@tillvaxtverket.example"),
            Held("martin.hakansson@tillvaxtverket.example"),
            Held("hanna.ohman@tillvaxtverket.example"),
            Held("kalle.persson@tillvaxtverket.example"),
        ],
    },
    Purchase {
        org_number: SCB,
        plan: PLAN_STOCKHOLM,
        start_days_ago: 90,
        ended_days_ago: None,
        home: HUB_STOCKHOLM,
        visit_percent: 15,
        seats: &[
            Held("jessica.lindstrom@scb.example"),
            Held("anton.wiklund@scb.example"),
            Held("gabriel.rosen@scb.example"),
            Held("ylva.bergqvist@scb.example"),
        ],
    },
    Purchase {
        org_number: DIGG,
        plan: PLAN_STOCKHOLM,
        start_days_ago: 85,
        ended_days_ago: None,
        home: HUB_STOCKHOLM,
        visit_percent: 15,
        seats: &[
            Held("petra.holm@digg.example"),
            Held("nils.hakansson@digg.example"),
            Held("rebecka.falk@digg.example"),
        ],
    },
    Purchase {
        org_number: SODER,
        plan: PLAN_STOCKHOLM,
        start_days_ago: 70,
        ended_days_ago: None,
        home: HUB_STOCKHOLM,
        visit_percent: 30,
        seats: &[
            Held("rasmus.engberg@sodertjanstedesign.example"),
            Held("leila.karimi@sodertjanstedesign.example"),
        ],
    },
    Purchase {
        org_number: TRV,
        plan: PLAN_STOCKHOLM,
        start_days_ago: 60,
        ended_days_ago: None,
        home: HUB_STOCKHOLM,
        visit_percent: 15,
        seats: &[Held("kristoffer.sjoholm@trafikverket.example")],
    },
    // Arena cards for Östersund.
    Purchase {
        org_number: OSTERSUND,
        plan: PLAN_OSTERSUND,
        start_days_ago: 200,
        ended_days_ago: None,
        home: HUB_OSTERSUND,
        visit_percent: 15,
        seats: &[
            Held("elin.jonsson@ostersund.example"),
            Held("anders.olofsson@ostersund.example"),
            Held("hanna.persson@ostersund.example"),
            Held("olof.hallberg@ostersund.example"),
            Held("jens.mattsson@ostersund.example"),
            Held("ronja.ersson@ostersund.example"),
            Held("tomas.jonsson@ostersund.example"),
            Held("agnes.noren@ostersund.example"),
        ],
    },
    Purchase {
        org_number: REGION_JH,
        plan: PLAN_OSTERSUND,
        start_days_ago: 190,
        ended_days_ago: None,
        home: HUB_OSTERSUND,
        visit_percent: 15,
        seats: &[
            Held("kristina.jakobsson@regionjh.example"),
            Held("peter.eklund@regionjh.example"),
            Held("ida.hedlund@regionjh.example"),
            Held("sven.bergman@regionjh.example"),
            Held("lisa.edin@regionjh.example"),
            Held("pontus.ahlstrom@regionjh.example"),
            Held("malin.fors@regionjh.example"),
        ],
    },
    Purchase {
        org_number: NV,
        plan: PLAN_OSTERSUND,
        start_days_ago: 160,
        ended_days_ago: None,
        home: HUB_OSTERSUND,
        visit_percent: 15,
        seats: &[
            Held("sanna.hagglund@naturvardsverket.example"),
            Held("jesper.naslund@naturvardsverket.example"),
            Held("karin.sundin@naturvardsverket.example"),
            Held("mattias.hedman@naturvardsverket.example"),
            Held("jenny.strandberg@naturvardsverket.example"),
        ],
    },
    Purchase {
        org_number: STORSJO,
        plan: PLAN_OSTERSUND,
        start_days_ago: 150,
        ended_days_ago: None,
        home: HUB_OSTERSUND,
        visit_percent: 30,
        seats: &[
            Held("jonatan.brandt@storsjodata.example"),
            Held("alva.ostlund@storsjodata.example"),
            Held("felix.nordin@storsjodata.example"),
        ],
    },
    Purchase {
        org_number: FK,
        plan: PLAN_OSTERSUND,
        start_days_ago: 140,
        ended_days_ago: None,
        home: HUB_OSTERSUND,
        visit_percent: 15,
        seats: &[
            Held("tobias.hedberg@forsakringskassan.example"),
            Held("ola.westin@forsakringskassan.example"),
            Held("amanda.back@forsakringskassan.example"),
        ],
    },
    Purchase {
        org_number: FROSO,
        plan: PLAN_OSTERSUND,
        start_days_ago: 120,
        ended_days_ago: None,
        home: HUB_OSTERSUND,
        visit_percent: 30,
        seats: &[Held("gunilla.rask@frosohallbarhet.example")],
    },
    Purchase {
        org_number: LM,
        plan: PLAN_OSTERSUND,
        start_days_ago: 120,
        ended_days_ago: None,
        home: HUB_OSTERSUND,
        visit_percent: 15,
        seats: &[Held("hampus.dahlberg@lantmateriet.example")],
    },
    Purchase {
        org_number: TRV,
        plan: PLAN_OSTERSUND,
        start_days_ago: 60,
        ended_days_ago: None,
        home: HUB_OSTERSUND,
        visit_percent: 15,
        seats: &[
            Held("frida.lindahl@trafikverket.example"),
            Held("stina.olsson@trafikverket.example"),
            Held("bjorn.gronlund@trafikverket.example"),
        ],
    },
];

/// Visits on a given day, besides the everyday ones at the home hub: the
/// member's trips to other hubs and visits with guests from the host's own
/// organisation.
struct NamedVisit {
    email: &'static str,
    hub: &'static str,
    /// The n-th day (1 = the latest) before the seeding day that the hub
    /// was open.
    open_days_back: usize,
    guests: &'static [(&'static str, &'static str)],
}

const NAMED_VISITS: &[NamedVisit] = &[
    NamedVisit {
        email: MEMBER,
        hub: HUB_STOCKHOLM,
        open_days_back: 2,
        guests: &[("Maja", "Ekberg")],
    },
    NamedVisit {
        email: MEMBER,
        hub: HUB_FIGEHOLM,
        open_days_back: 4,
        guests: &[],
    },
    NamedVisit {
        email: MEMBER,
        hub: HUB_OSTERSUND,
        open_days_back: 9,
        guests: &[],
    },
    NamedVisit {
        email: "stefan.bengtsson@regionkalmar.example",
        hub: HUB_FIGEHOLM,
        open_days_back: 3,
        guests: &[("Oskar", "Nyberg"), ("Elin", "Holm")],
    },
    NamedVisit {
        email: "per.gustafsson@oskarshamn.example",
        hub: HUB_FIGEHOLM,
        open_days_back: 6,
        guests: &[("Lena", "Ström")],
    },
    NamedVisit {
        email: "nora.lindblad@bodaverkstaden.example",
        hub: HUB_BODA,
        open_days_back: 5,
        guests: &[("Isak", "Wahlberg")],
    },
    NamedVisit {
        email: "elin.jonsson@ostersund.example",
        hub: HUB_OSTERSUND,
        open_days_back: 7,
        guests: &[("Pernilla", "Åslund")],
    },
    NamedVisit {
        email: "robert.svensson@forsakringskassan.example",
        hub: HUB_STOCKHOLM,
        open_days_back: 8,
        guests: &[("Tina", "Sahlin")],
    },
];

/// Expertise tags by organisation; a visible member shows two or three.
#[rustfmt::skip]
const EXPERTISE: &[(&str, &[&str])] = &[
    (ORGNR_OSKARSHAMN, &["samhällsplanering", "näringslivsutveckling", "upphandling", "besöksnäring"]),
    (ORGNR_EMMABODA, &["landsbygdsutveckling", "upphandling", "kultur", "näringslivsutveckling"]),
    (NYBRO, &["socialtjänst", "upphandling"]),
    (OSTERSUND, &["samhällsplanering", "upphandling", "digitalisering", "besöksnäring"]),
    (STOCKHOLM, &["stadsbyggnad", "upphandling", "digitalisering", "integration"]),
    (KALMAR_REGION, &["folkhälsa", "regional utveckling", "kollektivtrafik", "projektledning"]),
    (REGION_JH, &["folkhälsa", "regional utveckling", "vård och omsorg", "EU-projekt"]),
    (REGION_STOCKHOLM, &["folkhälsa", "kollektivtrafik", "vård och omsorg", "upphandling"]),
    (ORGNR_SKATTEVERKET, &["skatterätt", "digitalisering", "folkbokföring", "juridik"]),
    (FK, &["socialförsäkring", "digitalisering", "verksamhetsutveckling", "juridik"]),
    (AF, &["arbetsmarknad", "kompetensförsörjning", "statistik"]),
    (LM, &["GIS", "geodata", "fastighetsbildning"]),
    (TRV, &["infrastruktur", "GIS", "samhällsplanering", "upphandling"]),
    (VINNOVA, &["innovation", "forskningsfinansiering", "EU-projekt"]),
    (TVV, &["regional utveckling", "landsbygdsutveckling", "EU-projekt"]),
    (SCB, &["statistik", "dataanalys", "enkätmetodik"]),
    (NV, &["klimat", "naturvård", "miljöövervakning", "GIS"]),
    (DIGG, &["digitalisering", "öppna data", "tillgänglighet"]),
    (KUSTNARA, &["webbutveckling", "UX", "digitalisering"]),
    (SKARGARDENS, &["redovisning", "lön", "skatterätt"]),
    (BODAVERKSTADEN, &["formgivning", "glas", "varumärken"]),
    (STORSJO, &["dataanalys", "GIS", "maskininlärning"]),
    (FROSO, &["hållbarhet", "klimat", "cirkulär ekonomi"]),
    (SODER, &["tjänstedesign", "UX", "workshopledning"]),
    (ABERG, &["illustration", "grafisk form"]),
    (SJOBERG, &["snickeri", "byggnadsvård"]),
    (AHLIN, &["översättning", "engelska", "tyska"]),
    (HUBBVANNERNA, &["föreningsliv", "landsbygdsutveckling", "evenemang"]),
];

// --------------------------------------------------------------- seeding

/// What the seeding looks things up in.
struct World {
    people: HashMap<String, Person>,
    organisations: HashMap<String, Organisation>,
    hubs: HashMap<String, HubListing>,
    plans: HashMap<String, Plan>,
}

impl World {
    fn person(&self, email: &str) -> Result<&Person> {
        named(&self.people, "person", email)
    }
    fn organisation(&self, org_number: &str) -> Result<&Organisation> {
        named(&self.organisations, "organisation", org_number)
    }
    fn hub(&self, name: &str) -> Result<&HubListing> {
        named(&self.hubs, "hub", name)
    }
    fn plan(&self, name: &str) -> Result<&Plan> {
        named(&self.plans, "plan", name)
    }
}

/// The demo `kind` that `key` names in `map`, or an error that says so.
fn named<'a, T>(map: &'a HashMap<String, T>, kind: &str, key: &str) -> Result<&'a T> {
    map.get(key)
        .with_context(|| format!("no demo {kind} {key}"))
}

/// Seeds everything for the seeding day `day`, finding what an earlier run
/// wrote; returns what it wrote now.
async fn fill(store: &dyn Store, day: NaiveDate) -> Result<Counts> {
    let mut n = Counts::default();
    let organisations: HashMap<String, Organisation> = store
        .list_organisations()
        .await
        .context("listing organisations")?
        .into_iter()
        .map(|o| (o.org_number.to_string(), o))
        .collect();
    let hubs: HashMap<String, HubListing> = store
        .list_hubs()
        .await
        .context("listing hubs")?
        .into_iter()
        .map(|h| (h.hub.name.clone(), h))
        .collect();
    let regions = store.list_regions().await.context("listing regions")?;
    let mut world = World {
        people: HashMap::new(),
        organisations,
        hubs,
        plans: HashMap::new(),
    };
    world.plans = seed_plans(store, &world, &regions, &mut n).await?;
    world.people = seed_arena_people(store, &world, &mut n).await?;
    let visits = seed_seats(store, &world, day, &mut n).await?;
    seed_profiles(store, &world, &mut n).await?;
    seed_visits(store, &world, day, visits, &mut n).await?;
    Ok(n)
}

async fn seed_plans(
    store: &dyn Store,
    world: &World,
    regions: &[Region],
    n: &mut Counts,
) -> Result<HashMap<String, Plan>> {
    let mut plans: HashMap<String, Plan> = store
        .list_plans()
        .await
        .context("listing plans")?
        .into_iter()
        .map(|p| (p.name.clone(), p))
        .collect();
    for spec in PLANS {
        if plans.contains_key(spec.name) {
            continue;
        }
        let scope_id = match spec.scope {
            Scope::Network => String::new(),
            Scope::Region(code) => regions
                .iter()
                .find(|r| r.code == code)
                .with_context(|| format!("no demo region {code}"))?
                .id
                .to_string(),
            Scope::Hub(name) => world.hub(name)?.hub.id.to_string(),
        };
        // Who sells it (issue 16): a hub's plan its hub's operator, a
        // region's the operator of a hub there, the network's the managing
        // organisation of the arenas (the Stockholm arena's operator).
        let seller = match spec.scope {
            Scope::Network => world.hub(crate::demo::HUB_STOCKHOLM)?.hub.operator_id,
            Scope::Hub(name) => world.hub(name)?.hub.operator_id,
            Scope::Region(_) => world
                .hubs
                .values()
                .find(|l| l.region_id.to_string() == scope_id)
                .map(|l| l.hub.operator_id)
                .with_context(|| format!("no demo hub in the region of {}", spec.name))?,
        };
        let input = PlanInput {
            name: spec.name.into(),
            description: spec.description.into(),
            scope: match spec.scope {
                Scope::Network => "network",
                Scope::Region(_) => "region",
                Scope::Hub(_) => "hub",
            }
            .into(),
            scope_id,
            monthly_price_sek: spec.monthly_price_sek.into(),
            included_hours_per_month: spec.included_hours.to_string(),
            guests_allowed: (spec.max_guests > 0).to_string(),
            max_guests: spec.max_guests.to_string(),
            validity: if spec.fixed_days.is_some() {
                "fixed_days"
            } else {
                "monthly_rolling"
            }
            .into(),
            validity_days: spec.fixed_days.map(|d| d.to_string()).unwrap_or_default(),
            archived: String::new(),
            selling_operator_id: seller.to_string(),
            vat_rate_percent: "25".into(),
        };
        let plan = input
            .validate(new_id())
            .with_context(|| format!("demo plan {}", spec.name))?;
        store
            .insert_plan(&plan)
            .await
            .with_context(|| format!("inserting plan {}", spec.name))?;
        n.plans += 1;
        plans.insert(plan.name.clone(), plan);
    }
    Ok(plans)
}

/// Adds the arena users to the people of the network demo; returns
/// everyone by e-mail address.
async fn seed_arena_people(
    store: &dyn Store,
    world: &World,
    n: &mut Counts,
) -> Result<HashMap<String, Person>> {
    let mut people: HashMap<String, Person> = store
        .list_people(None)
        .await
        .context("listing people")?
        .into_iter()
        .map(|p| (p.email.to_string(), p))
        .collect();
    for &(org_number, first_name, last_name, email) in ARENA_PEOPLE {
        if people.contains_key(email) {
            continue;
        }
        let input = PersonInput {
            first_name: first_name.into(),
            last_name: last_name.into(),
            email: email.into(),
            organisation_id: world.organisation(org_number)?.id.to_string(),
            ..Default::default()
        };
        let person = input
            .validate(new_id())
            .with_context(|| format!("demo person {email}"))?;
        store
            .insert_person(&person)
            .await
            .with_context(|| format!("inserting person {email}"))?;
        n.people += 1;
        people.insert(person.email.to_string(), person);
    }
    Ok(people)
}

/// The everyday visitors: who holds a seat from when to when, where they
/// usually work and how often they come.
struct Tenure {
    email: &'static str,
    home: &'static str,
    visit_percent: u64,
    /// First and last civil day they may visit on this seat.
    from: NaiveDate,
    to: NaiveDate,
}

/// Seeds the seats of every purchase and gives them to their holders;
/// returns the tenures that the visits are made of.
async fn seed_seats(
    store: &dyn Store,
    world: &World,
    day: NaiveDate,
    n: &mut Counts,
) -> Result<Vec<Tenure>> {
    let mut tenures = Vec::new();
    for p in PURCHASES {
        let org = world.organisation(p.org_number)?;
        let plan = world.plan(p.plan)?;
        let start = day - Duration::days(p.start_days_ago);
        let end = match p.ended_days_ago {
            Some(d) => plan.validity.last_day(start, Some(day - Duration::days(d))),
            None => plan.validity.last_day(start, None),
        };
        // Bought a few days before the first day; given away at once.
        let bought = local_instant(start - Duration::days(3), hm(10, 15));
        let what = format!("{} of {}", p.plan, org.name);

        let mut seats: Vec<Seat> = store
            .list_seats(org.id)
            .await
            .with_context(|| format!("listing the seats of {}", org.name))?
            .into_iter()
            .map(|v| v.seat)
            .filter(|s| s.plan_id == plan.id && s.start_date == start)
            .collect();
        if seats.len() < p.seats.len() {
            let new: Vec<Seat> = (seats.len()..p.seats.len())
                .map(|_| Seat {
                    id: new_id(),
                    plan_id: plan.id,
                    organisation_id: org.id,
                    start_date: start,
                    end_date: end,
                    created_at: bought,
                    selling_operator_id: plan.selling_operator_id,
                })
                .collect();
            store
                .insert_seats(&new)
                .await
                .with_context(|| format!("inserting seats: {what}"))?;
            // As the app records a purchase (here by the system: the demo).
            store
                .append_audit(&thirdplace_store::AuditEntry {
                    id: new_id(),
                    at: bought,
                    actor_id: None,
                    action: "seats.bought".into(),
                    object_kind: "organisation".into(),
                    object_id: org.id,
                    details: serde_json::json!({
                        "count": new.len(), "plan_id": plan.id,
                        "monthly_price_ore": plan.monthly_price_ore,
                        "start_date": start, "end_date": end,
                    }),
                })
                .await
                .with_context(|| format!("recording the purchase: {what}"))?;
            n.seats += new.len();
            seats.extend(new);
        }
        for s in &seats {
            if s.end_date != end {
                store
                    .set_seat_end(s.id, end)
                    .await
                    .with_context(|| format!("ending a seat: {what}"))?;
            }
        }

        // Who held each seat when, as steps of (person, from).
        let mut wanted: Vec<Vec<(Uuid, DateTime<Utc>)>> = Vec::new();
        for h in p.seats {
            let first_at = bought + Duration::minutes(10);
            let steps = match *h {
                Unassigned => vec![],
                Held(email) => vec![(world.person(email)?.id, first_at)],
                Moved { from, to, days_ago } => vec![
                    (world.person(from)?.id, first_at),
                    (
                        world.person(to)?.id,
                        local_instant(day - Duration::days(days_ago), hm(6, 30)),
                    ),
                ],
            };
            wanted.push(steps);
        }
        // Match seats to holders: a seat given before goes with the holder
        // it was first given to, a seat never given with any still open.
        let mut histories = Vec::with_capacity(seats.len());
        for s in &seats {
            histories.push(
                store
                    .seat_history(s.id)
                    .await
                    .with_context(|| format!("reading a seat's history: {what}"))?,
            );
        }
        let mut open: Vec<usize> = (0..wanted.len()).collect();
        let mut pairs: Vec<(usize, usize)> = Vec::new();
        for (si, history) in histories.iter().enumerate() {
            if let Some(first) = history.first() {
                if let Some(k) = open
                    .iter()
                    .position(|&w| wanted[w].first().map(|s| s.0) == Some(first.person_id))
                {
                    pairs.push((si, open.remove(k)));
                }
            }
        }
        for (si, history) in histories.iter().enumerate() {
            if history.is_empty() && !open.is_empty() {
                // Holders before the unassigned seats, so those stay free.
                let k = open
                    .iter()
                    .position(|&w| !wanted[w].is_empty())
                    .unwrap_or(0);
                pairs.push((si, open.remove(k)));
            }
        }
        for (si, w) in pairs {
            let done = histories[si].len();
            let steps = &wanted[w];
            if histories[si]
                .iter()
                .zip(steps)
                .any(|(h, (person, _))| h.person_id != *person)
            {
                tracing::warn!(seat = %seats[si].id, "a demo seat was given to someone else; left as it is");
                continue;
            }
            for &(person, at) in steps.iter().skip(done) {
                store
                    .assign_seat(seats[si].id, Some(person), at)
                    .await
                    .with_context(|| format!("giving a seat away: {what}"))?;
                n.assignments += 1;
            }
        }

        // The days each holder may come in on.
        let last = end.unwrap_or(day);
        for h in p.seats {
            let spans: Vec<(&'static str, NaiveDate, NaiveDate)> = match *h {
                Unassigned => vec![],
                Held(email) => vec![(email, start, last)],
                Moved { from, to, days_ago } => {
                    let moved = day - Duration::days(days_ago);
                    vec![(from, start, moved - Duration::days(1)), (to, moved, last)]
                }
            };
            tenures.extend(spans.into_iter().map(|(email, from, to)| Tenure {
                email,
                home: p.home,
                visit_percent: p.visit_percent,
                from,
                to,
            }));
        }
    }
    Ok(tenures)
}

/// Every other holder (in the order of the purchases) opted in to be seen,
/// with two or three tags of their organisation's; the member always.
async fn seed_profiles(store: &dyn Store, world: &World, n: &mut Counts) -> Result<()> {
    let mut seen = HashSet::new();
    let mut holders: Vec<(&str, &str)> = Vec::new();
    for p in PURCHASES {
        for h in p.seats {
            let emails = match *h {
                Unassigned => vec![],
                Held(e) => vec![e],
                Moved { from, to, .. } => vec![from, to],
            };
            for e in emails {
                if seen.insert(e) {
                    holders.push((e, p.org_number));
                }
            }
        }
    }
    for (i, &(email, org_number)) in holders.iter().enumerate() {
        if i % 2 == 1 && email != MEMBER {
            continue;
        }
        let pool = EXPERTISE
            .iter()
            .find(|(o, _)| *o == org_number)
            .map_or(&["digitalisering"][..], |(_, tags)| *tags);
        let count = (if i % 3 == 0 { 3 } else { 2 }).min(pool.len());
        let tags: Vec<&str> = (0..count).map(|k| pool[(i / 2 + k) % pool.len()]).collect();
        let profile = Profile {
            visible: true,
            expertise: parse_expertise(&tags.join(","))
                .map_err(|e| anyhow::anyhow!("{}", e.message))
                .with_context(|| format!("the expertise of {email}"))?,
        };
        let person = world.person(email)?;
        let current = store
            .get_profile(person.id)
            .await
            .with_context(|| format!("reading the profile of {email}"))?;
        if current != profile {
            store
                .set_profile(person.id, &profile)
                .await
                .with_context(|| format!("setting the profile of {email}"))?;
            n.profiles += 1;
        }
    }
    Ok(())
}

/// One visit to seed.
struct Visit {
    email: &'static str,
    hub: &'static str,
    arrive: DateTime<Utc>,
    leave: DateTime<Utc>,
    auto_closed: bool,
    method: CheckInMethod,
    guests: &'static [(&'static str, &'static str)],
}

fn hm(h: u32, m: u32) -> NaiveTime {
    NaiveTime::from_hms_opt(h, m, 0).unwrap_or(NaiveTime::MIN)
}

/// A stable hash (FNV-1a), so the same day gives the same visits on every
/// run and platform.
pub(crate) fn stable_hash(parts: &[&str]) -> u64 {
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    for part in parts {
        for b in part.bytes().chain([0xff]) {
            h ^= u64::from(b);
            h = h.wrapping_mul(0x0100_0000_01b3);
        }
    }
    h
}

/// The visits of the days before `day`: the named ones, then on each open
/// day of their home hub a share of its holders, coming in between half an
/// hour and three hours after opening and staying three to eight hours, or
/// until closing; about one in twelve forgets to check out and is checked
/// out by the system at closing time.
fn plan_visits(world: &World, day: NaiveDate, tenures: &[Tenure]) -> Result<Vec<Visit>> {
    let mut visits = Vec::new();
    let mut busy: HashSet<(&str, NaiveDate)> = HashSet::new();
    for v in NAMED_VISITS {
        let hours = &world.hub(v.hub)?.hub.opening_hours;
        let date = (1..=VISIT_DAYS)
            .map(|d| day - Duration::days(d))
            .filter(|d| !hours.hours_on(*d).is_empty())
            .nth(v.open_days_back - 1)
            .with_context(|| format!("{} is not open {} days", v.hub, v.open_days_back))?;
        let i = hours.hours_on(date)[0];
        let arrive = local_instant(date, i.open) + Duration::minutes(90);
        let leave = (arrive + Duration::hours(6)).min(local_instant(date, i.close));
        busy.insert((v.email, date));
        visits.push(Visit {
            email: v.email,
            hub: v.hub,
            arrive,
            leave,
            auto_closed: false,
            method: CheckInMethod::Scan,
            guests: v.guests,
        });
    }
    for t in tenures {
        let hours = &world.hub(t.home)?.hub.opening_hours;
        let arena = t.home == HUB_STOCKHOLM || t.home == HUB_OSTERSUND;
        for d in 1..=VISIT_DAYS {
            let date = day - Duration::days(d);
            let Some(i) = hours.hours_on(date).first() else {
                continue;
            };
            if date < t.from || date > t.to || busy.contains(&(t.email, date)) {
                continue;
            }
            let h = stable_hash(&[t.email, &date.to_string()]);
            if h % 100 >= t.visit_percent {
                continue;
            }
            let open = local_instant(date, i.open);
            let close = local_instant(date, i.close);
            let arrive = open + Duration::minutes(30 + 5 * ((h >> 8) % 31) as i64);
            if arrive >= close - Duration::minutes(30) {
                continue;
            }
            let stay = Duration::minutes(180 + 5 * ((h >> 16) % 61) as i64);
            let auto_closed = (h >> 24).is_multiple_of(12);
            let leave = if auto_closed {
                auto_close_at(hours, arrive)
            } else {
                (arrive + stay).min(close - Duration::minutes(10))
            };
            let scanned = !(h >> 32).is_multiple_of(4);
            busy.insert((t.email, date));
            visits.push(Visit {
                email: t.email,
                hub: t.home,
                arrive,
                leave,
                auto_closed,
                method: if scanned == arena {
                    CheckInMethod::Scan
                } else {
                    CheckInMethod::Page
                },
                guests: &[],
            });
        }
    }
    // Each person's visits in order, so one is closed before the next.
    visits.sort_by(|a, b| (a.email, a.arrive).cmp(&(b.email, b.arrive)));
    Ok(visits)
}

async fn seed_visits(
    store: &dyn Store,
    world: &World,
    day: NaiveDate,
    tenures: Vec<Tenure>,
    n: &mut Counts,
) -> Result<()> {
    let visits = plan_visits(world, day, &tenures)?;
    let mut existing: HashMap<&str, Vec<CheckIn>> = HashMap::new();
    let mut skip_person: HashSet<&str> = HashSet::new();
    for v in &visits {
        if skip_person.contains(v.email) {
            continue;
        }
        let person = world.person(v.email)?;
        let hub = world.hub(v.hub)?;
        if let Entry::Vacant(e) = existing.entry(v.email) {
            e.insert(
                store
                    .list_checkins_of(person.id, 10_000)
                    .await
                    .with_context(|| format!("listing the visits of {}", v.email))?,
            );
        }
        let what = format!("{}'s visit to {} at {}", v.email, v.hub, v.arrive);
        let found = existing[v.email]
            .iter()
            .find(|c| c.hub_id == hub.hub.id && c.checked_in_at == v.arrive)
            .cloned();
        let checkin = match found {
            Some(c) if c.checked_out_at.is_some() => continue,
            Some(c) => c,
            None => {
                let held = store
                    .held_seats(person.id, v.arrive)
                    .await
                    .with_context(|| format!("reading the seats of {}", v.email))?;
                let seat = match decide_check_in(
                    hub.hub.archived,
                    &hub.hub.opening_hours,
                    &held,
                    hub.hub.id,
                    hub.region_id,
                    v.arrive,
                ) {
                    Ok(s) => s,
                    Err(r) => bail!("{what} would be refused: {}", r.code()),
                };
                // A visit without guests is recorded as it ended, in one
                // write; guests can only join an open visit, so a visit
                // with guests is recorded open and ended below.
                let closed = v.guests.is_empty();
                let c = CheckIn {
                    id: new_id(),
                    person_id: person.id,
                    hub_id: hub.hub.id,
                    seat_id: seat.seat.id,
                    method: v.method,
                    checked_in_at: v.arrive,
                    checked_out_at: closed.then_some(v.leave),
                    auto_closed: closed && v.auto_closed,
                };
                let ev = event(
                    WebhookEvent::CheckIn,
                    v.arrive,
                    checkin_data(&c, person, &hub.hub.name),
                );
                match store.insert_checkin(&c, &ev).await {
                    Ok(()) => n.checkins += 1,
                    Err(StoreError::Refused(thirdplace_store::Refusal::AlreadyCheckedIn)) => {
                        // Checked in for real somewhere since an earlier,
                        // interrupted run: leave their visits alone.
                        tracing::warn!(
                            email = v.email,
                            "already checked in; no demo visits seeded for them"
                        );
                        skip_person.insert(v.email);
                        continue;
                    }
                    Err(e) => return Err(e).with_context(|| format!("inserting {what}")),
                }
                if c.checked_out_at.is_some() {
                    continue;
                }
                c
            }
        };
        if !v.guests.is_empty() {
            seed_guests(store, person, &checkin, v, n)
                .await
                .with_context(|| format!("the guests of {what}"))?;
        }
        let mut ended = checkin.clone();
        ended.checked_out_at = Some(v.leave);
        ended.auto_closed = v.auto_closed;
        let ev = event(
            WebhookEvent::CheckOut,
            v.leave,
            checkin_data(&ended, person, &hub.hub.name),
        );
        store
            .checkout(checkin.id, v.leave, v.auto_closed, &ev)
            .await
            .with_context(|| format!("ending {what}"))?;
    }
    Ok(())
}

async fn seed_guests(
    store: &dyn Store,
    host: &Person,
    c: &CheckIn,
    v: &Visit,
    n: &mut Counts,
) -> Result<()> {
    let org = host
        .organisation_id
        .context("a host without an organisation")?;
    let max_guests = store
        .held_seats(host.id, c.checked_in_at)
        .await?
        .iter()
        .find(|h| h.seat.id == c.seat_id)
        .map_or(0, |h| h.plan.max_guests);
    let mut present = store.list_guests(c.id).await?;
    for (k, &(first_name, last_name)) in v.guests.iter().enumerate() {
        if present
            .iter()
            .any(|g| g.first_name == first_name && g.last_name == last_name)
        {
            continue;
        }
        let here = present.iter().filter(|g| g.left_at.is_none()).count() as i64;
        if let Err(r) = check_guest(true, Some(org), org, max_guests, here) {
            bail!("{first_name} {last_name} would be refused: {}", r.code());
        }
        let arrived_at = c.checked_in_at + Duration::minutes(20 + 5 * k as i64);
        let g = GuestVisit {
            id: new_id(),
            host_checkin_id: c.id,
            host_person_id: host.id,
            hub_id: c.hub_id,
            first_name: first_name.into(),
            last_name: last_name.into(),
            organisation_id: org,
            arrived_at,
            left_at: None,
        };
        let ev = event(
            WebhookEvent::Guest,
            arrived_at,
            json!({
                "guest_id": g.id,
                "checkin_id": c.id,
                "hub_id": c.hub_id,
                "host_person_id": host.id,
                "host_first_name": host.first_name,
                "guest_first_name": g.first_name,
                "organisation_id": org,
                "arrived_at": rfc3339(arrived_at),
            }),
        );
        store.insert_guest_visit(&g, max_guests, &ev).await?;
        n.guests += 1;
        present.push(g);
    }
    Ok(())
}

fn rfc3339(at: DateTime<Utc>) -> String {
    at.to_rfc3339_opts(chrono::SecondsFormat::Secs, true)
}

/// The data of a check-in event, as the web app sends it.
fn checkin_data(c: &CheckIn, person: &Person, hub_name: &str) -> serde_json::Value {
    json!({
        "checkin_id": c.id,
        "hub_id": c.hub_id,
        "hub_name": hub_name,
        "person_id": c.person_id,
        "first_name": person.first_name,
        "method": c.method.key(),
        "checked_in_at": rfc3339(c.checked_in_at),
        "checked_out_at": c.checked_out_at.map(rfc3339),
        "auto_closed": c.auto_closed,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use thirdplace_domain::membership::{seats_opening, AccessSummary, ACCESS_TARGET};

    use crate::test_support::{temp_store, HASH};

    async fn summaries(store: &dyn Store) -> Vec<(String, AccessSummary)> {
        let now = Utc::now();
        let today = local_date(now);
        let mut out = Vec::new();
        for h in store.list_hubs().await.unwrap() {
            let s = store
                .access_summary(
                    h.hub.id,
                    h.region_id,
                    today,
                    now,
                    thirdplace_domain::membership::first_day_of_last_30(today),
                )
                .await
                .unwrap();
            out.push((h.hub.name, s));
        }
        out
    }

    fn of<'a>(all: &'a [(String, AccessSummary)], hub: &str) -> &'a AccessSummary {
        &all.iter().find(|(n, _)| n == hub).unwrap().1
    }

    #[tokio::test]
    async fn the_demo_has_memberships_on_both_sides_of_the_target_and_seeds_them_once() {
        let (store, _dir) = temp_store().await;
        let started = std::time::Instant::now();
        assert!(crate::demo::seed(store.as_ref(), HASH).await.unwrap());
        let took = started.elapsed();

        let all = summaries(store.as_ref()).await;
        let (fig, boda) = (of(&all, HUB_FIGEHOLM), of(&all, HUB_BODA));
        let (ost, sthlm) = (of(&all, HUB_OSTERSUND), of(&all, HUB_STOCKHOLM));
        assert!(fig.people_with_access >= ACCESS_TARGET, "{fig:?}");
        assert!(boda.people_with_access < ACCESS_TARGET, "{boda:?}");
        assert!(boda.people_with_access > 0, "{boda:?}");
        for arena in [ost, sthlm] {
            assert!(
                arena.people_with_access > fig.people_with_access + 10,
                "{arena:?}"
            );
        }
        for (name, s) in &all {
            assert_eq!(s.checked_in_now, 0, "{name}: no open check-ins");
            assert!(s.visits_last_30_days > 0, "{name}: {s:?}");
            assert!(s.organisations_with_access > 1, "{name}: {s:?}");
        }
        assert!(
            all.iter()
                .map(|(_, s)| s.guest_visits_last_30_days)
                .sum::<i64>()
                >= 5
        );
        assert!(store.list_open_checkins().await.unwrap().is_empty());
        eprintln!("seeded in {took:?}: {all:#?}");

        // The member can check in anywhere today.
        let now = Utc::now();
        let member = store.find_person_by_email(MEMBER).await.unwrap().unwrap();
        let held = store.held_seats(member.id, now).await.unwrap();
        for h in store.list_hubs().await.unwrap() {
            assert!(
                !seats_opening(&held, h.hub.id, h.region_id, local_date(now)).is_empty(),
                "the member has no seat opening {}",
                h.hub.name
            );
        }
        assert!(store.get_profile(member.id).await.unwrap().visible);
        assert!(!store
            .list_checkins_of(member.id, 100)
            .await
            .unwrap()
            .is_empty());

        // The organisation admin's organisation has seats: one not yet
        // given, one moved from one employee to another.
        let admin = store
            .find_person_by_email("orgadmin@demo.example")
            .await
            .unwrap()
            .unwrap();
        let seats = store
            .list_seats(admin.admin_of_organisation_ids[0])
            .await
            .unwrap();
        assert!(seats.len() >= 5, "{seats:?}");
        assert_eq!(seats.iter().filter(|s| s.holder.is_none()).count(), 1);
        let mut moved = 0;
        for s in &seats {
            if store.seat_history(s.seat.id).await.unwrap().len() == 2 {
                moved += 1;
            }
        }
        assert_eq!(moved, 1);

        // About half the members are visible, with expertise.
        let people = store.list_people(None).await.unwrap();
        let mut visible = 0;
        for p in &people {
            let profile = store.get_profile(p.id).await.unwrap();
            if profile.visible {
                assert!(!profile.expertise.is_empty(), "{}", p.email);
                visible += 1;
            }
        }
        assert!(
            visible * 4 > people.len() && visible * 2 < people.len(),
            "{visible}"
        );

        // A second run adds nothing, by its marker or by its lookups.
        let day =
            NaiveDate::parse_from_str(&store.get_meta(DAY_KEY).await.unwrap().unwrap(), "%Y-%m-%d")
                .unwrap();
        assert!(!crate::demo::seed(store.as_ref(), HASH).await.unwrap());
        assert_eq!(fill(store.as_ref(), day).await.unwrap(), Counts::default());
        assert_eq!(summaries(store.as_ref()).await, all);
        assert_eq!(store.list_people(None).await.unwrap().len(), people.len());
    }

    #[tokio::test]
    async fn a_demo_from_before_memberships_gets_them_on_the_next_run() {
        let (store, _dir) = temp_store().await;
        crate::demo::seed_network(store.as_ref(), HASH)
            .await
            .unwrap();
        assert!(store.list_plans().await.unwrap().is_empty());
        assert!(crate::demo::seed(store.as_ref(), HASH).await.unwrap());
        assert_eq!(store.list_plans().await.unwrap().len(), PLANS.len());
        assert!(!crate::demo::seed(store.as_ref(), HASH).await.unwrap());
    }

    #[test]
    fn purchases_name_known_plans_and_holders_once() {
        let mut keys = HashSet::new();
        let mut holders = HashSet::new();
        for p in PURCHASES {
            assert!(PLANS.iter().any(|s| s.name == p.plan), "{}", p.plan);
            assert!(
                keys.insert((p.org_number, p.plan, p.start_days_ago)),
                "two purchases of {} by {} on one day",
                p.plan,
                p.org_number
            );
            assert!(p.start_days_ago > 0 && p.visit_percent <= 100);
            for h in p.seats {
                if let Held(e) | Moved { to: e, .. } = h {
                    assert!(holders.insert(*e), "{e} holds two seats");
                }
            }
        }
    }
}
