//! The demo network: fills an empty store with a small but true-to-life
//! network of coworking hubs, so that a fresh installation (`thirdplace
//! demo`, or a server started with demo data) has something to show.
//!
//! What it seeds:
//!
//! * the rural pilot of Region Kalmar län: hubs in Figeholm (Oskarshamns
//!   kommun) and Boda glasbruk (Emmaboda kommun), run by the municipalities,
//!   co-financed by the region, outside the central towns, in buildings that
//!   lost their first use;
//! * the public-sector coworking arenas in Östersund and Stockholm, run by a
//!   managing organisation and laid out as activity zones, with conference
//!   and meeting rooms and a project area charged by the hour;
//! * thirty organisations of every kind (municipalities, regions,
//!   government agencies, companies, sole traders, associations) with about
//!   eighty people, and five demo logins (see [`demo_logins`]) whose
//!   password is [`DEMO_PASSWORD`].
//!
//! Facts are real where they are public (county and municipality codes,
//! central towns, organisation numbers of public bodies, coordinates of the
//! villages and city centres); companies, people and e-mail addresses are
//! invented, and every address lives under the reserved `.example` domain.
//!
//! Plans, seats, profiles and the last month's visits are seeded by
//! [`crate::demo_memberships`].
//!
//! Seeding is idempotent: it is skipped once the meta key `demo_seeded` is
//! set, and an interrupted earlier run is completed without duplicates,
//! because everything is first looked up by its natural key (county code,
//! municipality code, organisation number, e-mail address; a hub by name and
//! municipality, a zone or room by name within its hub).

use anyhow::{Context, Result};
use chrono::{DateTime, NaiveDate, Utc};
use thirdplace_domain::membership::{seats_opening, HeldSeat};
use thirdplace_domain::{
    new_id, Hub, HubInput, Municipality, MunicipalityInput, Operator, OperatorInput, OrgKind,
    OrgNumber, Organisation, OrganisationInput, Person, PersonInput, Region, RegionInput,
    RoomInput, RoomKind, ZoneInput,
};
use thirdplace_store::{HubListing, Store};
use uuid::Uuid;

/// One of the demo accounts, for the sign-in page and the CLI's output.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct DemoLogin {
    pub role: &'static str,
    pub email: &'static str,
}

/// The password of every demo login.
pub const DEMO_PASSWORD: &str = "demo";

/// The meta key that marks a store as seeded.
const SEEDED_KEY: &str = "demo_seeded";

/// The demo logins: a network admin, a hub host, an organisation admin and
/// two members of one organisation. All use [`DEMO_PASSWORD`].
#[must_use]
pub fn demo_logins() -> Vec<DemoLogin> {
    LOGINS
        .iter()
        .map(|l| DemoLogin {
            role: l.role,
            email: l.email,
        })
        .collect()
}

/// Seeds the demo network unless the store says it was seeded (meta key
/// `demo_seeded`), then its memberships, check-ins and profiles unless they
/// were seeded (meta key `demo_memberships_v1`, see
/// [`crate::demo_memberships`]), so a demo database from before memberships
/// gets them on its next run. Returns `Ok(true)` when it seeded anything
/// now, `Ok(false)` when everything was already there.
///
/// `password_hash` is the argon2 PHC string for [`DEMO_PASSWORD`], computed
/// by the caller; only the four demo logins get it, everyone else has no
/// password and cannot sign in.
///
/// # Errors
///
/// Any store error, with the entity it happened on as context. The marker is
/// written last, so a failed run is simply run again: what it wrote is found
/// and reused, and the rest is added.
pub async fn seed(store: &dyn Store, password_hash: &str) -> Result<bool> {
    let network_now = if seeded_before(store, SEEDED_KEY, "demo").await? {
        tracing::debug!("demo network already seeded");
        false
    } else {
        seed_network(store, password_hash).await?;
        true
    };
    let memberships_now = crate::demo_memberships::seed(store).await?;
    let bookings_now = crate::demo_bookings::seed(store).await?;
    let events_now = crate::demo_events::seed(store).await?;
    let pilot_now = crate::demo_evaluation::seed(store).await?;
    Ok(network_now || memberships_now || bookings_now || events_now || pilot_now)
}

/// Whether the part of the demo that `key` marks was seeded before (`what`
/// names the part in errors).
pub(crate) async fn seeded_before(store: &dyn Store, key: &str, what: &str) -> Result<bool> {
    let marker = store.get_meta(key).await;
    Ok(marker
        .with_context(|| format!("reading the {what} marker"))?
        .is_some())
}

/// Writes the marker of a part of the demo. Written last, so that a failed
/// run is simply run again.
pub(crate) async fn mark_seeded(store: &dyn Store, key: &str, what: &str) -> Result<()> {
    let written = store.set_meta(key, "1").await;
    written.with_context(|| format!("writing the {what} marker"))
}

/// The demo's people who belong to an organisation, each with the seats
/// they hold at `now`: whom the demo's bookings and events draw on.
pub(crate) async fn members_with_seats(
    store: &dyn Store,
    now: DateTime<Utc>,
) -> Result<Vec<(Person, Vec<HeldSeat>)>> {
    let people = store.list_people(None).await.context("listing people")?;
    let mut members = Vec::new();
    for p in people
        .into_iter()
        .filter(|p| !p.archived && p.organisation_id.is_some())
    {
        let held = store.held_seats(p.id, now).await.context("reading seats")?;
        members.push((p, held));
    }
    Ok(members)
}

/// Those of `members` whose seats open the hub on `date`.
pub(crate) fn members_at<'a>(
    members: &'a [(Person, Vec<HeldSeat>)],
    hub: &HubListing,
    date: NaiveDate,
) -> Vec<&'a Person> {
    let opens =
        |held: &[HeldSeat]| !seats_opening(held, hub.hub.id, hub.region_id, date).is_empty();
    members
        .iter()
        .filter(|(_, held)| opens(held))
        .map(|(p, _)| p)
        .collect()
}

/// Seeds the network itself (regions to people) and writes the marker
/// `demo_seeded` last.
pub(crate) async fn seed_network(store: &dyn Store, password_hash: &str) -> Result<()> {
    let mut n = Counts::default();
    let regions = seed_regions(store, &mut n).await?;
    let municipalities = seed_municipalities(store, &regions, &mut n).await?;
    let operators = seed_operators(store, &mut n).await?;
    let hubs = seed_hubs(store, &municipalities, &operators, &mut n).await?;
    let organisations = seed_organisations(store, &mut n).await?;
    seed_people(
        store,
        &organisations,
        &operators,
        &hubs,
        password_hash,
        &mut n,
    )
    .await?;

    mark_seeded(store, SEEDED_KEY, "demo").await?;
    tracing::info!(
        regions = n.regions,
        municipalities = n.municipalities,
        operators = n.operators,
        hubs = n.hubs,
        zones = n.zones,
        rooms = n.rooms,
        organisations = n.organisations,
        people = n.people,
        "seeded the demo network"
    );
    Ok(())
}

/// What this run inserted (things found from an earlier run are not counted).
#[derive(Debug, Default)]
struct Counts {
    regions: usize,
    municipalities: usize,
    operators: usize,
    hubs: usize,
    zones: usize,
    rooms: usize,
    organisations: usize,
    people: usize,
}

// ------------------------------------------------------------------ data

/// Regions (län), by county code (länskod).
const REGIONS: &[(&str, &str)] = &[
    ("08", "Region Kalmar län"),
    ("23", "Region Jämtland Härjedalen"),
    ("01", "Region Stockholm"),
];

struct MunicipalitySpec {
    region_code: &'static str,
    code: &'static str,
    name: &'static str,
    central_town: &'static str,
}

/// Municipalities (kommuner), by municipality code (kommunkod).
const MUNICIPALITIES: &[MunicipalitySpec] = &[
    MunicipalitySpec {
        region_code: "08",
        code: "0882",
        name: "Oskarshamns kommun",
        central_town: "Oskarshamn",
    },
    MunicipalitySpec {
        region_code: "08",
        code: "0862",
        name: "Emmaboda kommun",
        central_town: "Emmaboda",
    },
    MunicipalitySpec {
        region_code: "08",
        code: "0880",
        name: "Kalmar kommun",
        central_town: "Kalmar",
    },
    MunicipalitySpec {
        region_code: "08",
        code: "0881",
        name: "Nybro kommun",
        central_town: "Nybro",
    },
    MunicipalitySpec {
        region_code: "23",
        code: "2380",
        name: "Östersunds kommun",
        central_town: "Östersund",
    },
    MunicipalitySpec {
        region_code: "01",
        code: "0180",
        name: "Stockholms kommun",
        central_town: "Stockholm",
    },
];

/// Organisation numbers used more than once below.
pub(crate) const ORGNR_OSKARSHAMN: &str = "212000-0761";
pub(crate) const ORGNR_EMMABODA: &str = "212000-0738";
pub(crate) const ORGNR_SKATTEVERKET: &str = "202100-5448";
/// The managing organisation of the public-sector arenas (invented).
const ORGNR_OFFENTLIG_COWORKING: &str = "769641-2837";

/// The operators as sellers on their invoices (issue 16), by organisation
/// number: legal name, street, postcode, town, bankgiro (invented, with
/// valid check digits), invoice series prefix and first number, F-skatt.
type SellerSpec = (
    &'static str,
    &'static str,
    &'static str,
    &'static str,
    &'static str,
    &'static str,
    &'static str,
    &'static str,
    bool,
);
const SELLERS: &[SellerSpec] = &[
    (
        ORGNR_OSKARSHAMN,
        "Oskarshamns kommun",
        "Hantverksgatan 10",
        "572 80",
        "Oskarshamn",
        "572-1709",
        "OSK",
        "1001",
        false,
    ),
    (
        ORGNR_EMMABODA,
        "Emmaboda kommun",
        "Storgatan 3",
        "361 80",
        "Emmaboda",
        "361-2181",
        "EMB",
        "1",
        false,
    ),
    (
        ORGNR_OFFENTLIG_COWORKING,
        "Offentlig Coworking i Sverige ekonomisk förening",
        "Kyrkgatan 45",
        "831 34",
        "Östersund",
        "5402-9103",
        "OCS",
        "26001",
        true,
    ),
];

/// Hub operators: the two municipalities of the rural pilot and the
/// managing organisation of the arenas, by organisation number.
const OPERATORS: &[(&str, &str, &str)] = &[
    (
        ORGNR_OSKARSHAMN,
        "Oskarshamns kommun",
        "hubbar@oskarshamn.example",
    ),
    (
        ORGNR_EMMABODA,
        "Emmaboda kommun",
        "arbetshubben@emmaboda.example",
    ),
    (
        ORGNR_OFFENTLIG_COWORKING,
        "Offentlig Coworking i Sverige ek. för.",
        "kontakt@offentligcoworking.example",
    ),
];

pub(crate) const HUB_FIGEHOLM: &str = "Kontorskollektivet Figeholm";
pub(crate) const HUB_BODA: &str = "Arbetshubben Boda glasbruk";
pub(crate) const HUB_OSTERSUND: &str = "Offentlig Coworking Östersund";
pub(crate) const HUB_STOCKHOLM: &str = "Offentlig Coworking Stockholm";

/// Days the hubs are closed in the coming months: Swedish public holidays
/// and the de-facto holidays (julafton, nyårsafton, midsommarafton) that
/// fall on weekdays, plus annandag jul.
const CLOSED_DAYS: &[(&str, &str)] = &[
    ("2026-12-24", "Julafton"),
    ("2026-12-25", "Juldagen"),
    ("2026-12-26", "Annandag jul"),
    ("2026-12-31", "Nyårsafton"),
    ("2027-01-01", "Nyårsdagen"),
    ("2027-01-06", "Trettondedag jul"),
    ("2027-03-26", "Långfredagen"),
    ("2027-03-29", "Annandag påsk"),
    ("2027-05-06", "Kristi himmelsfärdsdag"),
    ("2027-06-25", "Midsommarafton"),
];

/// The arenas close early on the days before some holidays, as the state
/// agencies whose staff use them do.
const ARENA_SHORT_DAYS: &[(&str, &str, &str)] = &[
    ("2027-01-05", "07:00-13:00", "Trettondagsafton"),
    ("2027-03-25", "07:00-13:00", "Skärtorsdagen"),
    ("2027-04-30", "07:00-13:00", "Valborgsmässoafton"),
];

struct ZoneSpec {
    name: &'static str,
    purpose: &'static str,
    capacity: u32,
}

struct RoomSpec {
    name: &'static str,
    kind: RoomKind,
    capacity: u32,
    /// Kronor an hour, excluding VAT.
    hourly_price_sek: u32,
}

struct HubSpec {
    name: &'static str,
    municipality_code: &'static str,
    operator_org_number: &'static str,
    description: &'static str,
    street_address: &'static str,
    postal_code: &'static str,
    city: &'static str,
    latitude: f64,
    longitude: f64,
    in_central_town: bool,
    /// Monday first, in the notation of `OpeningHours::parse_day`.
    hours: [&'static str; 7],
    /// Whether the arenas' shortened days apply.
    arena_short_days: bool,
    zones: &'static [ZoneSpec],
    rooms: &'static [RoomSpec],
}

/// The activity zones of a public-sector coworking arena.
const ARENA_ZONES: &[ZoneSpec] = &[
    ZoneSpec {
        name: "Cirkeln",
        purpose: "En cirkel för att dela berättelser: vad vi arbetar med, vad vi har lärt oss och vad vi behöver hjälp med. Här samlas vi till veckans gemensamma incheckning.",
        capacity: 16,
    },
    ZoneSpec {
        name: "Utkiken",
        purpose: "En utkik för att planera veckan som kommer, med veckotavla och whiteboards – ensam eller tillsammans med kollegor.",
        capacity: 8,
    },
    ZoneSpec {
        name: "Viloplatsen",
        purpose: "En viloplats med fåtöljer och dämpat ljus för återhämtning mellan möten. Här pratar vi inte i telefon.",
        capacity: 6,
    },
    ZoneSpec {
        name: "Hinderbanan",
        purpose: "En hinderbana för kreativ problemlösning: ståbord, idéväggar och material för att bygga enkla prototyper och pröva idéer tillsammans.",
        capacity: 12,
    },
    ZoneSpec {
        name: "Gruppytor",
        purpose: "Gruppytor för samarbete i mindre grupper, gärna över organisationsgränserna. Ytorna bokas inte – ta plats och lämna plats.",
        capacity: 24,
    },
    ZoneSpec {
        name: "Oasen",
        purpose: "En tyst oas för en kort meditation eller en stund i stillhet. Mobilfri zon.",
        capacity: 4,
    },
    ZoneSpec {
        name: "Gläntan",
        purpose: "En glänta för fokuserat eget arbete vid skärmplatser. Tyst zon – samtal förs i Cirkeln eller i gruppytorna.",
        capacity: 30,
    },
];

const HUBS: &[HubSpec] = &[
    HubSpec {
        name: HUB_FIGEHOLM,
        municipality_code: "0882",
        operator_org_number: ORGNR_OSKARSHAMN,
        description: "Kontorskollektivet i Figeholms gamla skola är en arbetsplats för distansarbetare, \
            egenföretagare och pendlare som hellre stannar i byn än sätter sig i bilen. Hubben drivs och \
            underhålls av Oskarshamns kommun och medfinansieras av Region Kalmar län inom pilotprojektet \
            för landsbygdshubbar. Här växer gemenskap och samarbete över organisationsgränserna – öppet och \
            tillgängligt för alla med medlemskap, och mer hållbart när resan till jobbet blir kortare.",
        street_address: "Skolgatan 4",
        postal_code: "572 75",
        city: "Figeholm",
        latitude: 57.3750,
        longitude: 16.5583,
        in_central_town: false,
        hours: ["07:00-18:00", "07:00-18:00", "07:00-18:00", "07:00-18:00", "07:00-18:00", "", ""],
        arena_short_days: false,
        zones: &[
            ZoneSpec {
                name: "Kontorsytan",
                purpose: "Den öppna kontorsytan i det gamla klassrummet, med skrivbord och skärmar för drop-in.",
                capacity: 10,
            },
            ZoneSpec {
                name: "Tysta rummet",
                purpose: "Ett tyst rum för fokuserat arbete och telefonfria timmar.",
                capacity: 4,
            },
            ZoneSpec {
                name: "Köket",
                purpose: "Kök och fikabord – här träffas byns distansarbetare och företagare över kaffet.",
                capacity: 8,
            },
        ],
        rooms: &[RoomSpec { name: "Kustrummet", kind: RoomKind::Meeting, capacity: 8, hourly_price_sek: 250 }],
    },
    HubSpec {
        name: HUB_BODA,
        municipality_code: "0862",
        operator_org_number: ORGNR_EMMABODA,
        description: "Arbetshubben ligger i glasbrukets gamla kontorsbyggnad i Boda glasbruk, granne med \
            glasmuseet The Glass Factory. Emmaboda kommun driver och sköter hubben, och Region Kalmar län \
            medfinansierar den inom pilotprojektet för landsbygdshubbar. En plats för gemenskap och \
            öppenhet där bygdens företagare och distansarbetare samarbetar – tillgänglig nära hemmet och \
            hållbar, eftersom färre behöver pendla till centralorten.",
        street_address: "Storgatan 7",
        postal_code: "360 65",
        city: "Boda glasbruk",
        latitude: 56.7167,
        longitude: 15.7333,
        in_central_town: false,
        hours: ["07:00-18:00", "07:00-18:00", "07:00-18:00", "07:00-18:00", "07:00-16:00", "", ""],
        arena_short_days: false,
        zones: &[
            ZoneSpec {
                name: "Kontorsytan",
                purpose: "Den öppna kontorsytan i brukskontorets gamla expedition, med platser för drop-in.",
                capacity: 8,
            },
            ZoneSpec {
                name: "Tysta rummet",
                purpose: "Ett tyst rum för fokuserat arbete, i det som en gång var disponentens kontor.",
                capacity: 3,
            },
            ZoneSpec {
                name: "Fikarummet",
                purpose: "Fikarum med utsikt mot hyttan – här börjar de flesta samarbeten.",
                capacity: 8,
            },
        ],
        rooms: &[RoomSpec { name: "Hyttrummet", kind: RoomKind::Meeting, capacity: 6, hourly_price_sek: 200 }],
    },
    HubSpec {
        name: HUB_OSTERSUND,
        municipality_code: "2380",
        operator_org_number: ORGNR_OFFENTLIG_COWORKING,
        description: "En coworkingarena för offentlig sektor mitt i Östersund, där medarbetare från kommuner, \
            regioner och myndigheter arbetar sida vid sida med personliga medlemskap. Golvet är indelat i \
            aktivitetszoner, och workshoppar drivs av medlemmarna själva i en öppen kalender. Här bär alla \
            bara sitt förnamn: gemenskap, öppenhet, samarbete, hållbarhet och tillgänglighet är våra \
            gemensamma värderingar.",
        street_address: "Prästgatan 27",
        postal_code: "831 31",
        city: "Östersund",
        latitude: 63.1792,
        longitude: 14.6358,
        in_central_town: true,
        hours: ["07:00-20:00", "07:00-20:00", "07:00-20:00", "07:00-20:00", "07:00-18:00", "", ""],
        arena_short_days: true,
        zones: ARENA_ZONES,
        rooms: &[
            RoomSpec { name: "Storsjön", kind: RoomKind::Conference, capacity: 30, hourly_price_sek: 900 },
            RoomSpec { name: "Frösön", kind: RoomKind::Meeting, capacity: 8, hourly_price_sek: 300 },
            RoomSpec { name: "Oviksfjällen", kind: RoomKind::Meeting, capacity: 6, hourly_price_sek: 300 },
            RoomSpec { name: "Projektytan", kind: RoomKind::ProjectArea, capacity: 12, hourly_price_sek: 500 },
        ],
    },
    HubSpec {
        name: HUB_STOCKHOLM,
        municipality_code: "0180",
        operator_org_number: ORGNR_OFFENTLIG_COWORKING,
        description: "Nätverkets coworkingarena i Stockholms city, för offentliganställda med hybrida \
            arbetsveckor. Organisationen tecknar medlemskapet, men det är personligt och knutet till \
            namngivna medarbetare, som alltid får ta med kollegor och bjuda in andra till workshoppar i den \
            öppna kalendern. Aktivitetszonerna bygger gemenskap och samarbete över myndighetsgränserna – \
            öppet, tillgängligt och hållbart.",
        street_address: "Drottninggatan 33",
        postal_code: "111 51",
        city: "Stockholm",
        latitude: 59.3293,
        longitude: 18.0686,
        in_central_town: true,
        hours: ["07:00-21:00", "07:00-21:00", "07:00-21:00", "07:00-21:00", "07:00-18:00", "", ""],
        arena_short_days: true,
        zones: ARENA_ZONES,
        rooms: &[
            RoomSpec { name: "Riddarfjärden", kind: RoomKind::Conference, capacity: 40, hourly_price_sek: 900 },
            RoomSpec { name: "Skeppsholmen", kind: RoomKind::Meeting, capacity: 8, hourly_price_sek: 300 },
            RoomSpec { name: "Kungsholmen", kind: RoomKind::Meeting, capacity: 6, hourly_price_sek: 300 },
            RoomSpec { name: "Projektytan", kind: RoomKind::ProjectArea, capacity: 12, hourly_price_sek: 500 },
            RoomSpec { name: "Eventsalen", kind: RoomKind::EventSpace, capacity: 80, hourly_price_sek: 1500 },
        ],
    },
];

/// A person's role in the demo, besides being a member of their organisation.
#[derive(Clone, Copy)]
enum Role {
    Member,
    /// Administers their own organisation.
    OrgAdmin,
    /// Hosts the named hubs.
    Host(&'static [&'static str]),
    /// Administers their own organisation and hosts the named hubs.
    OrgAdminAndHost(&'static [&'static str]),
}

struct OrgSpec {
    name: &'static str,
    org_number: &'static str,
    kind: OrgKind,
    /// Under `.example`: people's addresses are `first.last@{domain}.example`.
    domain: &'static str,
    people: &'static [(&'static str, &'static str, Role)],
}

use OrgKind::{Association, Company, GovernmentAgency, SoleTrader};
use Role::{Host, Member, OrgAdmin, OrgAdminAndHost};

/// Thirty organisations. Public bodies carry their real organisation
/// numbers; companies and associations are invented (with valid check
/// digits); sole traders use Skatteverket's published example personal
/// identity numbers, so no real person's number appears.
const ORGANISATIONS: &[OrgSpec] = &[
    // Municipalities.
    OrgSpec {
        name: "Oskarshamns kommun",
        org_number: ORGNR_OSKARSHAMN,
        kind: OrgKind::Municipality,
        domain: "oskarshamn",
        people: &[
            ("Anna", "Lindqvist", OrgAdmin),
            ("Mats", "Holmgren", Host(&[HUB_FIGEHOLM])),
            ("Per", "Gustafsson", Member),
            ("Karin", "Björk", Member),
        ],
    },
    OrgSpec {
        name: "Emmaboda kommun",
        org_number: ORGNR_EMMABODA,
        kind: OrgKind::Municipality,
        domain: "emmaboda",
        people: &[
            ("Lars", "Johansson", OrgAdmin),
            ("Eva", "Nilsson", Host(&[HUB_BODA])),
            ("Sofia", "Karlsson", Member),
            ("Magnus", "Petersson", Member),
        ],
    },
    OrgSpec {
        name: "Kalmar kommun",
        org_number: "212000-0746",
        kind: OrgKind::Municipality,
        domain: "kalmar",
        people: &[
            ("Helena", "Axelsson", OrgAdmin),
            ("Jonas", "Berglund", Member),
            ("Maja", "Strand", Member),
        ],
    },
    OrgSpec {
        name: "Nybro kommun",
        org_number: "212000-0753",
        kind: OrgKind::Municipality,
        domain: "nybro",
        people: &[("Ingrid", "Sjögren", OrgAdmin), ("Fredrik", "Lund", Member)],
    },
    OrgSpec {
        name: "Östersunds kommun",
        org_number: "212000-2528",
        kind: OrgKind::Municipality,
        domain: "ostersund",
        people: &[
            ("Elin", "Jonsson", OrgAdmin),
            ("Anders", "Olofsson", Member),
            ("Hanna", "Persson", Member),
            ("Olof", "Hallberg", Member),
        ],
    },
    OrgSpec {
        name: "Stockholms stad",
        org_number: "212000-0142",
        kind: OrgKind::Municipality,
        domain: "stockholm",
        people: &[
            ("Johanna", "Lindberg", OrgAdmin),
            ("David", "Ek", Member),
            ("Amira", "Hassan", Member),
            ("Viktor", "Blom", Member),
        ],
    },
    // Regions.
    OrgSpec {
        name: "Region Kalmar län",
        org_number: "232100-0073",
        kind: OrgKind::Region,
        domain: "regionkalmar",
        people: &[
            ("Malin", "Fransson", OrgAdmin),
            ("Stefan", "Bengtsson", Member),
            ("Linda", "Sundberg", Member),
            ("Niklas", "Öberg", Member),
        ],
    },
    OrgSpec {
        name: "Region Jämtland Härjedalen",
        org_number: "232100-0214",
        kind: OrgKind::Region,
        domain: "regionjh",
        people: &[
            ("Kristina", "Jakobsson", OrgAdmin),
            ("Peter", "Eklund", Member),
            ("Ida", "Hedlund", Member),
        ],
    },
    OrgSpec {
        name: "Region Stockholm",
        org_number: "232100-0016",
        kind: OrgKind::Region,
        domain: "regionstockholm",
        people: &[
            ("Emma", "Forsberg", OrgAdmin),
            ("Henrik", "Dahl", Member),
            ("Therese", "Lindholm", Member),
        ],
    },
    // Government agencies.
    OrgSpec {
        name: "Skatteverket",
        org_number: ORGNR_SKATTEVERKET,
        kind: GovernmentAgency,
        domain: "skatteverket",
        people: &[
            ("Gustav", "Nyström", Member),
            ("Louise", "Hermansson", Member),
            ("Ali", "Rahimi", Member),
            ("Camilla", "Åkesson", Member),
        ],
    },
    OrgSpec {
        name: "Försäkringskassan",
        org_number: "202100-5521",
        kind: GovernmentAgency,
        domain: "forsakringskassan",
        people: &[
            ("Annika", "Wallin", OrgAdmin),
            ("Robert", "Svensson", Member),
            ("Lina", "Engström", Member),
            ("Tobias", "Hedberg", Member),
        ],
    },
    OrgSpec {
        name: "Arbetsförmedlingen",
        org_number: "202100-2114",
        kind: GovernmentAgency,
        domain: "arbetsformedlingen",
        people: &[
            ("Marie", "Larsson", OrgAdmin),
            ("Patrik", "Nordström", Member),
            ("Jenny", "Falk", Member),
        ],
    },
    OrgSpec {
        name: "Lantmäteriet",
        org_number: "202100-4888",
        kind: GovernmentAgency,
        domain: "lantmateriet",
        people: &[
            ("Åsa", "Lundqvist", OrgAdmin),
            ("Mikael", "Norberg", Member),
        ],
    },
    OrgSpec {
        name: "Trafikverket",
        org_number: "202100-6297",
        kind: GovernmentAgency,
        domain: "trafikverket",
        people: &[
            ("Kristoffer", "Sjöholm", OrgAdmin),
            ("Frida", "Lindahl", Member),
            ("Johan", "Berggren", Member),
        ],
    },
    OrgSpec {
        name: "Vinnova",
        org_number: "202100-5216",
        kind: GovernmentAgency,
        domain: "vinnova",
        people: &[
            ("Charlotte", "Nyberg", OrgAdmin),
            ("Daniel", "Söderberg", Member),
        ],
    },
    OrgSpec {
        name: "Tillväxtverket",
        org_number: "202100-6149",
        kind: GovernmentAgency,
        domain: "tillvaxtverket",
        people: &[
            ("Ulrika", "Borg", OrgAdmin),
            ("Martin", "Håkansson", Member),
        ],
    },
    OrgSpec {
        name: "Statistiska centralbyrån",
        org_number: "202100-0837",
        kind: GovernmentAgency,
        domain: "scb",
        people: &[
            ("Jessica", "Lindström", OrgAdmin),
            ("Anton", "Wiklund", Member),
        ],
    },
    OrgSpec {
        name: "Naturvårdsverket",
        org_number: "202100-1975",
        kind: GovernmentAgency,
        domain: "naturvardsverket",
        people: &[
            ("Sanna", "Hägglund", OrgAdmin),
            ("Jesper", "Näslund", Member),
        ],
    },
    OrgSpec {
        name: "Myndigheten för digital förvaltning",
        org_number: "202100-6883",
        kind: GovernmentAgency,
        domain: "digg",
        people: &[("Petra", "Holm", OrgAdmin), ("Oscar", "Lindell", Member)],
    },
    // Small companies (invented).
    OrgSpec {
        name: "Kustnära Webb AB",
        org_number: "559318-2040",
        kind: Company,
        domain: "kustnarawebb",
        people: &[
            ("Emil", "Sandström", OrgAdmin),
            ("Klara", "Holmström", Member),
        ],
    },
    OrgSpec {
        name: "Skärgårdens Redovisning AB",
        org_number: "559207-6110",
        kind: Company,
        domain: "skargardsredovisning",
        people: &[("Birgitta", "Ljung", OrgAdmin)],
    },
    OrgSpec {
        name: "Bodaverkstaden Design AB",
        org_number: "559412-8356",
        kind: Company,
        domain: "bodaverkstaden",
        people: &[("Nora", "Lindblad", OrgAdmin), ("Isak", "Wahlberg", Member)],
    },
    OrgSpec {
        name: "Storsjö Dataanalys AB",
        org_number: "559126-4782",
        kind: Company,
        domain: "storsjodata",
        people: &[("Jonatan", "Brandt", OrgAdmin), ("Alva", "Östlund", Member)],
    },
    OrgSpec {
        name: "Frösö Hållbarhetskonsult AB",
        org_number: "559371-0923",
        kind: Company,
        domain: "frosohallbarhet",
        people: &[("Gunilla", "Rask", OrgAdmin)],
    },
    OrgSpec {
        name: "Söder Tjänstedesign AB",
        org_number: "559055-3169",
        kind: Company,
        domain: "sodertjanstedesign",
        people: &[("Rasmus", "Engberg", OrgAdmin), ("Leila", "Karimi", Member)],
    },
    // Sole traders (enskild firma): an organisation of one.
    OrgSpec {
        name: "Linnea Åberg Illustration",
        org_number: "640823-3234",
        kind: SoleTrader,
        domain: "linneaaberg",
        people: &[("Linnea", "Åberg", OrgAdmin)],
    },
    OrgSpec {
        name: "Mikael Sjöberg Snickeri",
        org_number: "811218-9876",
        kind: SoleTrader,
        domain: "sjobergsnickeri",
        people: &[("Mikael", "Sjöberg", OrgAdmin)],
    },
    OrgSpec {
        name: "Torbjörn Ahlin Översättningar",
        org_number: "121212-1212",
        kind: SoleTrader,
        domain: "ahlinoversattning",
        people: &[("Torbjörn", "Ahlin", OrgAdmin)],
    },
    // Associations: the managing organisation of the arenas (an economic
    // association) and the users' own association of the rural hubs.
    OrgSpec {
        name: "Offentlig Coworking i Sverige ek. för.",
        org_number: ORGNR_OFFENTLIG_COWORKING,
        kind: Association,
        domain: "offentligcoworking",
        people: &[
            ("Lena", "Westberg", OrgAdminAndHost(&[HUB_OSTERSUND])),
            ("Simon", "Ekholm", Host(&[HUB_STOCKHOLM])),
            ("Moa", "Sundqvist", Host(&[HUB_OSTERSUND, HUB_STOCKHOLM])),
        ],
    },
    OrgSpec {
        name: "Hubbvännerna i Figeholm och Boda",
        org_number: "802531-4678",
        kind: Association,
        domain: "hubbvannerna",
        people: &[("Britt", "Månsson", OrgAdmin), ("Kjell", "Åström", Member)],
    },
];

struct LoginSpec {
    role: &'static str,
    email: &'static str,
    first_name: &'static str,
    last_name: &'static str,
    org_number: &'static str,
    is_network_admin: bool,
    hosts: &'static [&'static str],
    admin_of: &'static [&'static str],
    /// The operators (by organisation number) whose invoicing they work with.
    staff_of: &'static [&'static str],
}

/// The demo logins, with the people behind them.
const LOGINS: &[LoginSpec] = &[
    LoginSpec {
        role: "network admin",
        email: "admin@demo.example",
        first_name: "Maria",
        last_name: "Ekström",
        org_number: ORGNR_OFFENTLIG_COWORKING,
        is_network_admin: true,
        hosts: &[],
        admin_of: &[],
        staff_of: &[],
    },
    LoginSpec {
        role: "hub host",
        email: "host@demo.example",
        first_name: "Johan",
        last_name: "Lindgren",
        org_number: ORGNR_OSKARSHAMN,
        is_network_admin: false,
        hosts: &[HUB_FIGEHOLM, HUB_BODA],
        admin_of: &[],
        staff_of: &[],
    },
    LoginSpec {
        role: "organisation admin",
        email: "orgadmin@demo.example",
        first_name: "Sara",
        last_name: "Nordin",
        org_number: ORGNR_SKATTEVERKET,
        is_network_admin: false,
        hosts: &[],
        admin_of: &[ORGNR_SKATTEVERKET],
        staff_of: &[],
    },
    LoginSpec {
        role: "member",
        email: "member@demo.example",
        first_name: "Erik",
        last_name: "Sandberg",
        org_number: ORGNR_SKATTEVERKET,
        is_network_admin: false,
        hosts: &[],
        admin_of: &[],
        staff_of: &[],
    }, // A second member of the same organisation, holding a seat there (see
    // `demo_memberships`), so that signing up colleagues can be tried by
    // someone other than the organiser.
    LoginSpec {
        role: "member (a colleague)",
        email: "gustav.nystrom@skatteverket.example",
        first_name: "Gustav",
        last_name: "Nyström",
        org_number: ORGNR_SKATTEVERKET,
        is_network_admin: false,
        hosts: &[],
        admin_of: &[],
        staff_of: &[],
    },
    // The municipality's economist, who runs Oskarshamn's invoicing (the
    // Figeholm hub's) and sees nothing of the other operators'.
    LoginSpec {
        role: "operator staff (Oskarshamn's invoicing)",
        email: "ekonomi@demo.example",
        first_name: "Lena",
        last_name: "Holmqvist",
        org_number: ORGNR_OSKARSHAMN,
        is_network_admin: false,
        hosts: &[],
        admin_of: &[],
        staff_of: &[ORGNR_OSKARSHAMN],
    },
];

// --------------------------------------------------------------- seeding

async fn seed_regions(store: &dyn Store, n: &mut Counts) -> Result<Vec<Region>> {
    let mut regions = store.list_regions().await.context("listing regions")?;
    for &(code, name) in REGIONS {
        if regions.iter().any(|r| r.code == code) {
            continue;
        }
        let input = RegionInput {
            name: name.into(),
            code: code.into(),
            archived: String::new(),
        };
        let region = input
            .validate(new_id())
            .with_context(|| format!("demo region {name}"))?;
        store
            .insert_region(&region)
            .await
            .with_context(|| format!("inserting region {name}"))?;
        n.regions += 1;
        regions.push(region);
    }
    Ok(regions)
}

async fn seed_municipalities(
    store: &dyn Store,
    regions: &[Region],
    n: &mut Counts,
) -> Result<Vec<Municipality>> {
    let mut municipalities = store
        .list_municipalities()
        .await
        .context("listing municipalities")?;
    for spec in MUNICIPALITIES {
        if municipalities.iter().any(|m| m.code == spec.code) {
            continue;
        }
        let region = regions
            .iter()
            .find(|r| r.code == spec.region_code)
            .with_context(|| format!("no region {} for {}", spec.region_code, spec.name))?;
        let input = MunicipalityInput {
            region_id: region.id.to_string(),
            name: spec.name.into(),
            code: spec.code.into(),
            central_town: spec.central_town.into(),
            archived: String::new(),
        };
        let m = input
            .validate(new_id())
            .with_context(|| format!("demo municipality {}", spec.name))?;
        store
            .insert_municipality(&m)
            .await
            .with_context(|| format!("inserting municipality {}", spec.name))?;
        n.municipalities += 1;
        municipalities.push(m);
    }
    Ok(municipalities)
}

async fn seed_operators(store: &dyn Store, n: &mut Counts) -> Result<Vec<Operator>> {
    let mut operators = store.list_operators().await.context("listing operators")?;
    for &(org_number, name, email) in OPERATORS {
        if operators
            .iter()
            .any(|o| o.org_number.as_ref().map(OrgNumber::as_str) == Some(org_number))
        {
            continue;
        }
        let seller = SELLERS.iter().find(|s| s.0 == org_number);
        let (legal_name, street, postcode, city, bankgiro, prefix, start, f_tax) = seller
            .map_or(("", "", "", "", "", "", "", false), |s| {
                (s.1, s.2, s.3, s.4, s.5, s.6, s.7, s.8)
            });
        let input = OperatorInput {
            name: name.into(),
            org_number: org_number.into(),
            contact_email: email.into(),
            archived: String::new(),
            legal_name: legal_name.into(),
            vat_number: format!("SE{}01", org_number.replace('-', "")),
            f_tax_approved: if f_tax { "true" } else { "" }.into(),
            street_address: street.into(),
            postal_code: postcode.into(),
            city: city.into(),
            bankgiro: bankgiro.into(),
            invoice_prefix: prefix.into(),
            invoice_number_start: start.into(),
            ocr_length_digit: if f_tax { "true" } else { "" }.into(),
            ..Default::default()
        };
        let o = input
            .validate(new_id())
            .with_context(|| format!("demo operator {name}"))?;
        store
            .insert_operator(&o)
            .await
            .with_context(|| format!("inserting operator {name}"))?;
        n.operators += 1;
        operators.push(o);
    }
    Ok(operators)
}

/// The exception lines of a hub, in the notation of
/// `OpeningHours::parse_exceptions`.
fn exception_lines(spec: &HubSpec) -> String {
    let mut lines: Vec<String> = CLOSED_DAYS
        .iter()
        .map(|(date, note)| format!("{date} closed {note}"))
        .collect();
    if spec.arena_short_days {
        lines.extend(
            ARENA_SHORT_DAYS
                .iter()
                .map(|(date, hours, note)| format!("{date} {hours} {note}")),
        );
    }
    lines.join("\n")
}

/// Seeds the hubs with their zones and rooms; returns hub ids by name.
async fn seed_hubs(
    store: &dyn Store,
    municipalities: &[Municipality],
    operators: &[Operator],
    n: &mut Counts,
) -> Result<Vec<(&'static str, Uuid)>> {
    let existing: Vec<Hub> = store
        .list_hubs()
        .await
        .context("listing hubs")?
        .into_iter()
        .map(|l| l.hub)
        .collect();
    let mut ids = Vec::with_capacity(HUBS.len());
    for spec in HUBS {
        let municipality = municipalities
            .iter()
            .find(|m| m.code == spec.municipality_code)
            .with_context(|| {
                format!(
                    "no municipality {} for {}",
                    spec.municipality_code, spec.name
                )
            })?;
        let hub_id = match existing
            .iter()
            .find(|h| h.name == spec.name && h.municipality_id == municipality.id)
        {
            Some(h) => h.id,
            None => {
                let operator = operators
                    .iter()
                    .find(|o| {
                        o.org_number.as_ref().map(OrgNumber::as_str)
                            == Some(spec.operator_org_number)
                    })
                    .with_context(|| {
                        format!("no operator {} for {}", spec.operator_org_number, spec.name)
                    })?;
                let input = HubInput {
                    municipality_id: municipality.id.to_string(),
                    operator_id: operator.id.to_string(),
                    name: spec.name.into(),
                    description: spec.description.into(),
                    street_address: spec.street_address.into(),
                    postal_code: spec.postal_code.into(),
                    city: spec.city.into(),
                    latitude: spec.latitude.to_string(),
                    longitude: spec.longitude.to_string(),
                    in_central_town: spec.in_central_town.to_string(),
                    hours: spec.hours.map(String::from),
                    exceptions: exception_lines(spec),
                    archived: String::new(),
                };
                let hub = input
                    .validate(new_id())
                    .with_context(|| format!("demo hub {}", spec.name))?;
                store
                    .insert_hub(&hub)
                    .await
                    .with_context(|| format!("inserting hub {}", spec.name))?;
                n.hubs += 1;
                hub.id
            }
        };
        seed_zones(store, hub_id, spec, n).await?;
        seed_rooms(store, hub_id, spec, n).await?;
        ids.push((spec.name, hub_id));
    }
    Ok(ids)
}

async fn seed_zones(store: &dyn Store, hub_id: Uuid, spec: &HubSpec, n: &mut Counts) -> Result<()> {
    let existing = store
        .list_zones(hub_id)
        .await
        .with_context(|| format!("listing zones of {}", spec.name))?;
    for z in spec.zones {
        if existing.iter().any(|e| e.name == z.name) {
            continue;
        }
        let input = ZoneInput {
            name: z.name.into(),
            purpose: z.purpose.into(),
            capacity: z.capacity.to_string(),
            archived: String::new(),
        };
        let zone = input
            .validate(new_id(), hub_id)
            .with_context(|| format!("demo zone {} in {}", z.name, spec.name))?;
        store
            .insert_zone(&zone)
            .await
            .with_context(|| format!("inserting zone {} in {}", z.name, spec.name))?;
        n.zones += 1;
    }
    Ok(())
}

async fn seed_rooms(store: &dyn Store, hub_id: Uuid, spec: &HubSpec, n: &mut Counts) -> Result<()> {
    let existing = store
        .list_rooms(hub_id)
        .await
        .with_context(|| format!("listing rooms of {}", spec.name))?;
    for r in spec.rooms {
        if existing.iter().any(|e| e.name == r.name) {
            continue;
        }
        let input = RoomInput {
            name: r.name.into(),
            kind: r.kind.key().into(),
            capacity: r.capacity.to_string(),
            hourly_price_sek: r.hourly_price_sek.to_string(),
            vat_rate_percent: "25".into(),
            archived: String::new(),
        };
        let room = input
            .validate(new_id(), hub_id)
            .with_context(|| format!("demo room {} in {}", r.name, spec.name))?;
        store
            .insert_room(&room)
            .await
            .with_context(|| format!("inserting room {} in {}", r.name, spec.name))?;
        n.rooms += 1;
    }
    Ok(())
}

async fn seed_organisations(store: &dyn Store, n: &mut Counts) -> Result<Vec<Organisation>> {
    let mut organisations = store
        .list_organisations()
        .await
        .context("listing organisations")?;
    for spec in ORGANISATIONS {
        if organisations
            .iter()
            .any(|o| o.org_number == spec.org_number)
        {
            continue;
        }
        // The buyer's details (issue 16): the organisation admin as the
        // buyer reference, an invented invoice box in the home town.
        let admin = spec
            .people
            .iter()
            .find(|p| matches!(p.2, OrgAdmin | OrgAdminAndHost(_)))
            .map(|p| format!("{} {}", p.0, p.1));
        let i = organisations.len();
        let mut town = spec.domain.to_string();
        if let Some(first) = town.get_mut(0..1) {
            first.make_ascii_uppercase();
        }
        let input = OrganisationInput {
            name: spec.name.into(),
            org_number: spec.org_number.into(),
            kind: spec.kind.key().into(),
            archived: String::new(),
            buyer_reference: admin.unwrap_or_else(|| spec.name.to_string()),
            cost_centre: format!("{}", 1000 + 10 * i),
            invoice_street: format!("Fakturaservice, Box {}", 100 + i),
            invoice_postal_code: format!("{}{:02} 80", 1 + i % 9, i % 100),
            invoice_city: town,
            invoice_email: format!("faktura@{}.example", spec.domain),
            ..Default::default()
        };
        let o = input
            .validate(new_id())
            .with_context(|| format!("demo organisation {}", spec.name))?;
        store
            .insert_organisation(&o)
            .await
            .with_context(|| format!("inserting organisation {}", spec.name))?;
        n.organisations += 1;
        organisations.push(o);
    }
    Ok(organisations)
}

/// A person to be seeded: who, where, and which roles they must have.
struct Wanted {
    first_name: &'static str,
    last_name: &'static str,
    email: String,
    organisation_id: Uuid,
    is_network_admin: bool,
    hosted_hub_ids: Vec<Uuid>,
    admin_of_organisation_ids: Vec<Uuid>,
    staff_of_operator_ids: Vec<Uuid>,
}

async fn seed_people(
    store: &dyn Store,
    organisations: &[Organisation],
    operators: &[Operator],
    hubs: &[(&'static str, Uuid)],
    password_hash: &str,
    n: &mut Counts,
) -> Result<()> {
    let org_id = |org_number: &str| -> Result<Uuid> {
        organisations
            .iter()
            .find(|o| o.org_number == org_number)
            .map(|o| o.id)
            .with_context(|| format!("no organisation {org_number}"))
    };
    let hub_ids = |names: &[&str]| -> Result<Vec<Uuid>> {
        names
            .iter()
            .map(|name| {
                hubs.iter()
                    .find(|(h, _)| h == name)
                    .map(|(_, id)| *id)
                    .with_context(|| format!("no hub {name}"))
            })
            .collect()
    };

    for login in LOGINS {
        let wanted = Wanted {
            first_name: login.first_name,
            last_name: login.last_name,
            email: login.email.to_string(),
            organisation_id: org_id(login.org_number)?,
            is_network_admin: login.is_network_admin,
            hosted_hub_ids: hub_ids(login.hosts)?,
            admin_of_organisation_ids: login
                .admin_of
                .iter()
                .map(|o| org_id(o))
                .collect::<Result<_>>()?,
            staff_of_operator_ids: login
                .staff_of
                .iter()
                .map(|nr| {
                    operators
                        .iter()
                        .find(|o| o.org_number.as_ref().is_some_and(|n| n.as_str() == *nr))
                        .map(|o| o.id)
                        .with_context(|| format!("no operator {nr}"))
                })
                .collect::<Result<_>>()?,
        };
        let person = ensure_person(store, &wanted, n).await?;
        store
            .set_password_hash(person.id, password_hash)
            .await
            .with_context(|| format!("setting the password of {}", login.email))?;
    }

    for org in ORGANISATIONS {
        let organisation_id = org_id(org.org_number)?;
        for &(first_name, last_name, role) in org.people {
            let (admin, hosts): (bool, &[&str]) = match role {
                Member => (false, &[]),
                OrgAdmin => (true, &[]),
                Host(h) => (false, h),
                OrgAdminAndHost(h) => (true, h),
            };
            let wanted = Wanted {
                first_name,
                last_name,
                email: format!(
                    "{}.{}@{}.example",
                    email_part(first_name),
                    email_part(last_name),
                    org.domain
                ),
                organisation_id,
                is_network_admin: false,
                hosted_hub_ids: hub_ids(hosts)?,
                admin_of_organisation_ids: if admin { vec![organisation_id] } else { vec![] },
                staff_of_operator_ids: vec![],
            };
            ensure_person(store, &wanted, n).await?;
        }
    }
    Ok(())
}

/// Finds the person by e-mail address, or inserts them; an existing person
/// is given any of the wanted roles they lack (and keeps the ones they have).
async fn ensure_person(store: &dyn Store, w: &Wanted, n: &mut Counts) -> Result<Person> {
    let existing = store
        .find_person_by_email(&w.email)
        .await
        .with_context(|| format!("looking up {}", w.email))?;
    if let Some(mut p) = existing {
        let mut changed = false;
        if w.is_network_admin && !p.is_network_admin {
            p.is_network_admin = true;
            changed = true;
        }
        for id in &w.hosted_hub_ids {
            if !p.hosted_hub_ids.contains(id) {
                p.hosted_hub_ids.push(*id);
                changed = true;
            }
        }
        for id in &w.admin_of_organisation_ids {
            if !p.admin_of_organisation_ids.contains(id) {
                p.admin_of_organisation_ids.push(*id);
                changed = true;
            }
        }
        for id in &w.staff_of_operator_ids {
            if !p.staff_of_operator_ids.contains(id) {
                p.staff_of_operator_ids.push(*id);
                changed = true;
            }
        }
        if changed {
            p.hosted_hub_ids.sort();
            p.admin_of_organisation_ids.sort();
            p.staff_of_operator_ids.sort();
            store
                .update_person(&p)
                .await
                .with_context(|| format!("updating the roles of {}", w.email))?;
        }
        return Ok(p);
    }
    let input = PersonInput {
        first_name: w.first_name.into(),
        last_name: w.last_name.into(),
        email: w.email.clone(),
        organisation_id: w.organisation_id.to_string(),
        is_network_admin: w.is_network_admin.to_string(),
        hosted_hub_ids: w.hosted_hub_ids.iter().map(Uuid::to_string).collect(),
        admin_of_organisation_ids: w
            .admin_of_organisation_ids
            .iter()
            .map(Uuid::to_string)
            .collect(),
        staff_of_operator_ids: w
            .staff_of_operator_ids
            .iter()
            .map(Uuid::to_string)
            .collect(),
        archived: String::new(),
    };
    let person = input
        .validate(new_id())
        .with_context(|| format!("demo person {}", w.email))?;
    store
        .insert_person(&person)
        .await
        .with_context(|| format!("inserting person {}", w.email))?;
    n.people += 1;
    Ok(person)
}

/// A name as the local part of an e-mail address: lower case, Swedish
/// letters folded to ASCII (Åsa Öberg → asa.oberg).
fn email_part(name: &str) -> String {
    name.chars()
        .flat_map(char::to_lowercase)
        .map(|c| match c {
            'å' | 'ä' | 'á' | 'à' => 'a',
            'ö' | 'ø' | 'ó' => 'o',
            'é' | 'è' => 'e',
            'ü' => 'u',
            ' ' => '-',
            c => c,
        })
        .collect()
}
