//! The network's rows for both SQL backends: how regions, municipalities,
//! operators, hubs, zones and rooms are written ([`Record`]) and read (the
//! row mappers), the hub listing's query, and `NetworkStore`, implemented
//! once for every [`NetworkBackend`]. Both backends keep these tables
//! alike; what differs (placeholders, name collation in an `ORDER BY`, the
//! JSON column's type, how a write names a missing reference, SQLite's
//! cache of hub listings) is the backend's or `sqlx`'s.

use super::backend::Backend;
use super::dialect::{self, Arg, Conn, RowOf};
use super::record::Record;
use super::{decode, one, Bind, ReadColumn, SqlRow};
use crate::cache;
use crate::{HubListing, NetworkStore, StoreResult};
use async_trait::async_trait;
use sqlx::types::Json;
use sqlx::{Database, Encode, QueryBuilder, Type};
use std::future::Future;
use thirdplace_domain::{
    Bankgiro, BuyerDetails, Email, Hub, Municipality, OpeningHours, Operator, OrgNumber, Plusgiro,
    Postcode, Region, Room, RoomKind, SellerDetails, VatNumber, Zone,
};
use uuid::Uuid;

// ------------------------------------------------------------- writing

impl Record for Region {
    const TABLE: &'static str = "regions";

    fn id(&self) -> Uuid {
        self.id
    }

    fn columns(&self) -> Vec<(&'static str, Bind<'_>)> {
        vec![
            ("name", Bind::Text(&self.name)),
            ("code", Bind::Text(&self.code)),
            ("archived", Bind::Bool(self.archived)),
        ]
    }
}

impl Record for Municipality {
    const TABLE: &'static str = "municipalities";

    fn id(&self) -> Uuid {
        self.id
    }

    fn columns(&self) -> Vec<(&'static str, Bind<'_>)> {
        vec![
            ("region_id", Bind::Id(self.region_id)),
            ("name", Bind::Text(&self.name)),
            ("code", Bind::Text(&self.code)),
            ("central_town", Bind::Text(&self.central_town)),
            ("archived", Bind::Bool(self.archived)),
        ]
    }

    fn references(&self) -> Vec<(&'static str, Uuid, &'static str)> {
        vec![("regions", self.region_id, "region_id")]
    }
}

impl Record for Operator {
    const TABLE: &'static str = "operators";

    fn id(&self) -> Uuid {
        self.id
    }

    fn columns(&self) -> Vec<(&'static str, Bind<'_>)> {
        let org_number = self.org_number.as_ref().map(OrgNumber::as_str);
        let contact_email = self.contact_email.as_ref().map(Email::as_str);
        let s = &self.seller;
        vec![
            ("name", Bind::Text(&self.name)),
            ("org_number", Bind::OptText(org_number)),
            ("contact_email", Bind::OptText(contact_email)),
            ("archived", Bind::Bool(self.archived)),
            ("legal_name", Bind::OptText(s.legal_name.as_deref())),
            (
                "vat_number",
                Bind::OptText(s.vat_number.as_ref().map(VatNumber::as_str)),
            ),
            ("f_tax_approved", Bind::Bool(s.f_tax_approved)),
            ("street_address", Bind::OptText(s.street_address.as_deref())),
            (
                "postal_code",
                Bind::OptText(s.postal_code.as_ref().map(Postcode::as_str)),
            ),
            ("city", Bind::OptText(s.city.as_deref())),
            ("country", Bind::Text(&s.country)),
            (
                "bankgiro",
                Bind::OptText(s.bankgiro.as_ref().map(Bankgiro::as_str)),
            ),
            (
                "plusgiro",
                Bind::OptText(s.plusgiro.as_ref().map(Plusgiro::as_str)),
            ),
            ("invoice_prefix", Bind::Text(&s.invoice_prefix)),
            ("invoice_number_start", Bind::Int(s.invoice_number_start)),
            ("payment_terms_days", Bind::Int(s.payment_terms_days)),
            ("ocr_length_digit", Bind::Bool(s.ocr_length_digit)),
            ("peppol_scheme", Bind::Text(&s.peppol_scheme)),
            ("peppol_id", Bind::OptText(s.peppol_id.as_deref())),
            ("account_seat", Bind::Int(s.account_seat)),
            ("account_room_hours", Bind::Int(s.account_room_hours)),
            (
                "account_late_cancellation",
                Bind::Int(s.account_late_cancellation),
            ),
            ("account_event_fee", Bind::Int(s.account_event_fee)),
        ]
    }
}

impl Record for Hub {
    const TABLE: &'static str = "hubs";

    fn id(&self) -> Uuid {
        self.id
    }

    fn columns(&self) -> Vec<(&'static str, Bind<'_>)> {
        vec![
            ("municipality_id", Bind::Id(self.municipality_id)),
            ("operator_id", Bind::Id(self.operator_id)),
            ("name", Bind::Text(&self.name)),
            ("description", Bind::Text(&self.description)),
            ("street_address", Bind::Text(&self.street_address)),
            ("postal_code", Bind::Text(&self.postal_code)),
            ("city", Bind::Text(&self.city)),
            ("latitude", Bind::Float(self.latitude)),
            ("longitude", Bind::Float(self.longitude)),
            ("in_central_town", Bind::Bool(self.in_central_town)),
            ("opening_hours", Bind::Hours(&self.opening_hours)),
            ("archived", Bind::Bool(self.archived)),
        ]
    }

    fn references(&self) -> Vec<(&'static str, Uuid, &'static str)> {
        vec![
            ("municipalities", self.municipality_id, "municipality_id"),
            ("operators", self.operator_id, "operator_id"),
        ]
    }
}

impl Record for Zone {
    const TABLE: &'static str = "zones";

    fn id(&self) -> Uuid {
        self.id
    }

    fn columns(&self) -> Vec<(&'static str, Bind<'_>)> {
        vec![
            ("hub_id", Bind::Id(self.hub_id)),
            ("name", Bind::Text(&self.name)),
            ("purpose", Bind::Text(&self.purpose)),
            ("capacity", Bind::Int(self.capacity)),
            ("archived", Bind::Bool(self.archived)),
        ]
    }

    fn references(&self) -> Vec<(&'static str, Uuid, &'static str)> {
        vec![("hubs", self.hub_id, "hub_id")]
    }
}

impl Record for Room {
    const TABLE: &'static str = "rooms";

    fn id(&self) -> Uuid {
        self.id
    }

    fn columns(&self) -> Vec<(&'static str, Bind<'_>)> {
        vec![
            ("hub_id", Bind::Id(self.hub_id)),
            ("name", Bind::Text(&self.name)),
            ("kind", Bind::Text(self.kind.key())),
            ("capacity", Bind::Int(self.capacity)),
            ("hourly_price_ore", Bind::Int(self.hourly_price_ore)),
            (
                "vat_rate_percent",
                Bind::SmallInt(i16::from(self.vat_rate_percent)),
            ),
            ("archived", Bind::Bool(self.archived)),
        ]
    }

    fn references(&self) -> Vec<(&'static str, Uuid, &'static str)> {
        vec![("hubs", self.hub_id, "hub_id")]
    }
}

// ------------------------------------------------------------- reading

pub fn region<R: SqlRow>(r: &R) -> Result<Region, sqlx::Error> {
    Ok(Region {
        id: r.column("id")?,
        name: r.column("name")?,
        code: r.column("code")?,
        archived: r.column("archived")?,
    })
}

pub fn municipality<R: SqlRow>(r: &R) -> Result<Municipality, sqlx::Error> {
    Ok(Municipality {
        id: r.column("id")?,
        region_id: r.column("region_id")?,
        name: r.column("name")?,
        code: r.column("code")?,
        central_town: r.column("central_town")?,
        archived: r.column("archived")?,
    })
}

pub fn operator<R: SqlRow>(r: &R) -> Result<Operator, sqlx::Error> {
    Ok(Operator {
        id: r.column("id")?,
        name: r.column("name")?,
        org_number: r
            .column::<Option<String>>("org_number")?
            .map(OrgNumber::from_stored),
        contact_email: r
            .column::<Option<String>>("contact_email")?
            .map(Email::from_stored),
        archived: r.column("archived")?,
        seller: seller(r)?,
    })
}

/// An operator's seller columns (issue 16).
fn seller<R: SqlRow>(r: &R) -> Result<SellerDetails, sqlx::Error> {
    let text = |c: &str| r.column::<Option<String>>(c);
    Ok(SellerDetails {
        legal_name: text("legal_name")?,
        vat_number: text("vat_number")?.map(VatNumber::from_stored),
        f_tax_approved: r.column("f_tax_approved")?,
        street_address: text("street_address")?,
        postal_code: text("postal_code")?.map(Postcode::from_stored),
        city: text("city")?,
        country: r.column("country")?,
        bankgiro: text("bankgiro")?.map(Bankgiro::from_stored),
        plusgiro: text("plusgiro")?.map(Plusgiro::from_stored),
        invoice_prefix: r.column("invoice_prefix")?,
        invoice_number_start: r.column("invoice_number_start")?,
        payment_terms_days: r.column("payment_terms_days")?,
        ocr_length_digit: r.column("ocr_length_digit")?,
        peppol_scheme: r.column("peppol_scheme")?,
        peppol_id: text("peppol_id")?,
        account_seat: r.column("account_seat")?,
        account_room_hours: r.column("account_room_hours")?,
        account_late_cancellation: r.column("account_late_cancellation")?,
        account_event_fee: r.column("account_event_fee")?,
    })
}

/// An organisation's buyer columns (issue 16).
pub fn buyer<R: SqlRow>(r: &R) -> Result<BuyerDetails, sqlx::Error> {
    let text = |c: &str| r.column::<Option<String>>(c);
    Ok(BuyerDetails {
        buyer_reference: text("buyer_reference")?,
        cost_centre: text("cost_centre")?,
        invoice_street: text("invoice_street")?,
        invoice_postal_code: text("invoice_postal_code")?.map(Postcode::from_stored),
        invoice_city: text("invoice_city")?,
        invoice_country: r.column("invoice_country")?,
        invoice_email: text("invoice_email")?.map(Email::from_stored),
        peppol_scheme: r.column("peppol_scheme")?,
        peppol_id: text("peppol_id")?,
    })
}

pub fn zone<R: SqlRow>(r: &R) -> Result<Zone, sqlx::Error> {
    Ok(Zone {
        id: r.column("id")?,
        hub_id: r.column("hub_id")?,
        name: r.column("name")?,
        purpose: r.column("purpose")?,
        capacity: r.column("capacity")?,
        archived: r.column("archived")?,
    })
}

/// A room; its VAT rate is a small integer column.
pub fn room<R: SqlRow>(r: &R) -> Result<Room, sqlx::Error> {
    let kind: String = r.column("kind")?;
    let vat: i16 = r.column("vat_rate_percent")?;
    Ok(Room {
        id: r.column("id")?,
        hub_id: r.column("hub_id")?,
        name: r.column("name")?,
        kind: RoomKind::parse(&kind).map_err(|e| decode("kind", e.message))?,
        capacity: r.column("capacity")?,
        hourly_price_ore: r.column("hourly_price_ore")?,
        vat_rate_percent: u8::try_from(vat).map_err(|e| decode("vat_rate_percent", e))?,
        archived: r.column("archived")?,
    })
}

/// Hubs with the names a listing shows; map each row with [`hub_listing`].
pub const HUB_LISTING: &str =
    "SELECT h.*, m.name AS municipality_name, m.central_town, m.region_id, \
     r.name AS region_name, o.name AS operator_name \
     FROM hubs h JOIN municipalities m ON m.id = h.municipality_id \
     JOIN regions r ON r.id = m.region_id JOIN operators o ON o.id = h.operator_id";

/// [`HUB_LISTING`] for the hub `id`.
pub fn hub_by_id<'a, DB>(id: Uuid) -> QueryBuilder<'a, DB>
where
    DB: Database,
    Bind<'a>: Encode<'a, DB> + Type<DB>,
{
    let mut q = QueryBuilder::new(format!("{HUB_LISTING} WHERE h.id = "));
    q.push_bind(Bind::Id(id));
    q
}

/// A row of [`HUB_LISTING`]. The opening hours are a JSON column (text in
/// SQLite, `jsonb` in PostgreSQL), which `sqlx` decodes for each.
pub fn hub_listing<R>(r: &R) -> Result<HubListing, sqlx::Error>
where
    R: SqlRow + ReadColumn<Json<OpeningHours>>,
{
    let Json(opening_hours) = r.column("opening_hours")?;
    Ok(HubListing {
        hub: Hub {
            id: r.column("id")?,
            municipality_id: r.column("municipality_id")?,
            operator_id: r.column("operator_id")?,
            name: r.column("name")?,
            description: r.column("description")?,
            street_address: r.column("street_address")?,
            postal_code: r.column("postal_code")?,
            city: r.column("city")?,
            latitude: r.column("latitude")?,
            longitude: r.column("longitude")?,
            in_central_town: r.column("in_central_town")?,
            opening_hours,
            archived: r.column("archived")?,
        },
        municipality_name: r.column("municipality_name")?,
        central_town: r.column("central_town")?,
        region_id: r.column("region_id")?,
        region_name: r.column("region_name")?,
        operator_name: r.column("operator_name")?,
    })
}

// ------------------------------------------------------------- the store

/// A backend as the network's rows need it, beyond [`Backend`].
pub trait NetworkBackend: Backend {
    /// `ORDER BY` names, in an order both backends give alike (bytes).
    const BY_NAME: &'static str;

    /// The same for [`HUB_LISTING`] (its hubs are `h`).
    const HUBS_BY_NAME: &'static str;

    /// Inserts (`insert`) or updates `r`; a missing reference names its
    /// field.
    fn write_row<R>(&self, r: &R, insert: bool) -> impl Future<Output = StoreResult<()>> + Send
    where
        R: Record + Clone + Send + Sync + 'static;

    /// Every hub listing, by name.
    fn hub_listings(&self) -> impl Future<Output = StoreResult<Vec<HubListing>>> + Send;

    /// The listing of the hub `id`, from the database (`get_hub` keeps it
    /// in the [`Backend::cache`]).
    fn hub_listing(&self, id: Uuid) -> impl Future<Output = StoreResult<HubListing>> + Send;
}

/// Every row of `table`, by name.
async fn by_name<B: NetworkBackend, T>(
    b: &B,
    table: &str,
    map: fn(&RowOf<B::D>) -> Result<T, sqlx::Error>,
) -> StoreResult<Vec<T>> {
    let sql = format!("SELECT * FROM {table} {}", B::BY_NAME);
    dialect::all::<B::D, _>(&mut *b.reader().await?, &sql, vec![], map).await
}

/// The rows of `table` of the hub `hub_id`, by name.
async fn of_hub<B: NetworkBackend, T>(
    b: &B,
    table: &str,
    hub_id: Uuid,
    map: fn(&RowOf<B::D>) -> Result<T, sqlx::Error>,
) -> StoreResult<Vec<T>> {
    let sql = format!("SELECT * FROM {table} WHERE hub_id = $1 {}", B::BY_NAME);
    dialect::all::<B::D, _>(&mut *b.reader().await?, &sql, vec![Arg::Id(hub_id)], map).await
}

/// The row of `table` with the id `id`; `NotFound` if none.
pub async fn by_id<D: dialect::Dialect, T>(
    conn: &mut Conn<D>,
    table: &str,
    id: Uuid,
    map: fn(&RowOf<D>) -> Result<T, sqlx::Error>,
) -> StoreResult<T> {
    let sql = format!("SELECT * FROM {table} WHERE id = $1");
    one(dialect::all::<D, _>(conn, &sql, vec![Arg::Id(id)], map).await?)
}

/// A write that may change what a hub listing or a room the cache keeps
/// shows: the cache is emptied once it is committed (or failed).
async fn cached_write<B: NetworkBackend, R>(b: &B, r: &R, insert: bool) -> StoreResult<()>
where
    R: Record + Clone + Send + Sync + 'static,
{
    let written = b.write_row(r, insert).await;
    b.cache().clear();
    written
}

#[async_trait]
impl<B: NetworkBackend> NetworkStore for B {
    #[tracing::instrument(level = "debug", skip_all)]
    async fn list_regions(&self) -> StoreResult<Vec<Region>> {
        by_name(self, Region::TABLE, region).await
    }

    #[tracing::instrument(level = "debug", skip_all)]
    async fn get_region(&self, id: Uuid) -> StoreResult<Region> {
        by_id::<B::D, _>(&mut *self.reader().await?, Region::TABLE, id, region).await
    }

    #[tracing::instrument(level = "debug", skip_all)]
    async fn insert_region(&self, r: &Region) -> StoreResult<()> {
        cached_write(self, r, true).await
    }

    #[tracing::instrument(level = "debug", skip_all)]
    async fn update_region(&self, r: &Region) -> StoreResult<()> {
        cached_write(self, r, false).await
    }

    #[tracing::instrument(level = "debug", skip_all)]
    async fn list_municipalities(&self) -> StoreResult<Vec<Municipality>> {
        by_name(self, Municipality::TABLE, municipality).await
    }

    #[tracing::instrument(level = "debug", skip_all)]
    async fn get_municipality(&self, id: Uuid) -> StoreResult<Municipality> {
        let mut conn = self.reader().await?;
        by_id::<B::D, _>(&mut conn, Municipality::TABLE, id, municipality).await
    }

    #[tracing::instrument(level = "debug", skip_all)]
    async fn insert_municipality(&self, m: &Municipality) -> StoreResult<()> {
        cached_write(self, m, true).await
    }

    #[tracing::instrument(level = "debug", skip_all)]
    async fn update_municipality(&self, m: &Municipality) -> StoreResult<()> {
        cached_write(self, m, false).await
    }

    #[tracing::instrument(level = "debug", skip_all)]
    async fn list_operators(&self) -> StoreResult<Vec<Operator>> {
        by_name(self, Operator::TABLE, operator).await
    }

    #[tracing::instrument(level = "debug", skip_all)]
    async fn get_operator(&self, id: Uuid) -> StoreResult<Operator> {
        by_id::<B::D, _>(&mut *self.reader().await?, Operator::TABLE, id, operator).await
    }

    #[tracing::instrument(level = "debug", skip_all)]
    async fn insert_operator(&self, o: &Operator) -> StoreResult<()> {
        cached_write(self, o, true).await
    }

    #[tracing::instrument(level = "debug", skip_all)]
    async fn update_operator(&self, o: &Operator) -> StoreResult<()> {
        cached_write(self, o, false).await
    }

    #[tracing::instrument(level = "debug", skip_all)]
    async fn list_hubs(&self) -> StoreResult<Vec<HubListing>> {
        self.hub_listings().await
    }

    #[tracing::instrument(level = "debug", skip_all)]
    async fn get_hub(&self, id: Uuid) -> StoreResult<HubListing> {
        cache::through(self.cache(), id, self.hub_listing(id)).await
    }

    #[tracing::instrument(level = "debug", skip_all)]
    async fn insert_hub(&self, h: &Hub) -> StoreResult<()> {
        cached_write(self, h, true).await
    }

    #[tracing::instrument(level = "debug", skip_all)]
    async fn update_hub(&self, h: &Hub) -> StoreResult<()> {
        cached_write(self, h, false).await
    }

    #[tracing::instrument(level = "debug", skip_all)]
    async fn list_zones(&self, hub_id: Uuid) -> StoreResult<Vec<Zone>> {
        of_hub(self, Zone::TABLE, hub_id, zone).await
    }

    #[tracing::instrument(level = "debug", skip_all)]
    async fn get_zone(&self, id: Uuid) -> StoreResult<Zone> {
        by_id::<B::D, _>(&mut *self.reader().await?, Zone::TABLE, id, zone).await
    }

    #[tracing::instrument(level = "debug", skip_all)]
    async fn insert_zone(&self, z: &Zone) -> StoreResult<()> {
        self.write_row(z, true).await
    }

    #[tracing::instrument(level = "debug", skip_all)]
    async fn update_zone(&self, z: &Zone) -> StoreResult<()> {
        self.write_row(z, false).await
    }

    #[tracing::instrument(level = "debug", skip_all)]
    async fn list_rooms(&self, hub_id: Uuid) -> StoreResult<Vec<Room>> {
        of_hub(self, Room::TABLE, hub_id, room).await
    }

    #[tracing::instrument(level = "debug", skip_all)]
    async fn get_room(&self, id: Uuid) -> StoreResult<Room> {
        let load =
            async { by_id::<B::D, _>(&mut *self.reader().await?, Room::TABLE, id, room).await };
        cache::through(self.cache(), id, load).await
    }

    #[tracing::instrument(level = "debug", skip_all)]
    async fn insert_room(&self, r: &Room) -> StoreResult<()> {
        cached_write(self, r, true).await
    }

    #[tracing::instrument(level = "debug", skip_all)]
    async fn update_room(&self, r: &Room) -> StoreResult<()> {
        cached_write(self, r, false).await
    }
}
