//! Settlement's queries ([`crate::SettlementStore`]), written once for both
//! SQL backends: the tariff's one row and the month's use between
//! operators. Check-in instants are bound as `sqlx` keeps them
//! ([`Arg::Timestamp`]: RFC 3339 text in SQLite), bookings' as the backend
//! keeps instants ([`Dialect::at`]). A window a day wider than the civil
//! days on each side is read, and each row's Swedish civil day decides.

use super::backend::Backend;
use super::dialect::{self, Arg, Conn, Dialect};
use super::SqlRow;
use crate::{
    SettlementBookingFact, SettlementFacts, SettlementStore, SettlementTariff, SettlementVisit,
    StoreResult,
};
use async_trait::async_trait;
use chrono::NaiveDate;
use thirdplace_domain::membership::local_date;

/// The operator selling seat `s` of plan `p`: the seat's own, else the
/// plan's, else (a hub's plan) the hub's operator — as the invoice run's.
const HOME: &str = "COALESCE(s.selling_operator_id, p.selling_operator_id, \
     (SELECT ph.operator_id FROM hubs ph WHERE ph.id = p.scope_hub_id))";

fn tariff<R: SqlRow>(r: &R) -> Result<SettlementTariff, sqlx::Error> {
    Ok(SettlementTariff {
        visit_day_ore: r.column("visit_day_ore")?,
        booking_share_per_mille: r.column("booking_share_per_mille")?,
    })
}

pub async fn get_tariff<D: Dialect>(conn: &mut Conn<D>) -> StoreResult<SettlementTariff> {
    let sql = "SELECT CAST(visit_day_ore AS BIGINT) AS visit_day_ore, \
               CAST(booking_share_per_mille AS BIGINT) AS booking_share_per_mille \
               FROM settlement_tariff WHERE id = 1";
    let t = dialect::optional::<D, _>(conn, sql, Vec::new(), tariff).await?;
    Ok(t.unwrap_or_default())
}

pub async fn set_tariff<D: Dialect>(conn: &mut Conn<D>, t: &SettlementTariff) -> StoreResult<()> {
    let sql = "INSERT INTO settlement_tariff (id, visit_day_ore, booking_share_per_mille) \
               VALUES (1, $1, $2) ON CONFLICT (id) DO UPDATE SET \
               visit_day_ore = excluded.visit_day_ore, \
               booking_share_per_mille = excluded.booking_share_per_mille";
    let args = vec![
        Arg::Int(t.visit_day_ore),
        Arg::Int(t.booking_share_per_mille),
    ];
    dialect::run::<D>(conn, sql, args).await?;
    Ok(())
}

/// [`SettlementStore::settlement_facts`].
pub async fn facts<D: Dialect>(
    conn: &mut Conn<D>,
    from: NaiveDate,
    to: NaiveDate,
) -> StoreResult<SettlementFacts> {
    let (start, end) = super::invoicing::civil_window(from, to)?;
    let within = |d: NaiveDate| from <= d && d <= to;

    let sql = format!(
        "SELECT c.id, c.person_id, c.checked_in_at, h.operator_id AS host, h.name AS hub_name, \
         {HOME} AS home \
         FROM checkins c JOIN hubs h ON h.id = c.hub_id JOIN seats s ON s.id = c.seat_id \
         JOIN plans p ON p.id = s.plan_id \
         WHERE c.checked_in_at >= $1 AND c.checked_in_at < $2 AND {HOME} <> h.operator_id \
         ORDER BY c.checked_in_at, c.id"
    );
    let args = vec![Arg::Timestamp(start), Arg::Timestamp(end)];
    let visits = dialect::all::<D, _>(conn, &sql, args, |r| {
        let at = r.column("checked_in_at")?;
        Ok(SettlementVisit {
            checkin_id: r.column("id")?,
            person_id: r.column("person_id")?,
            home_operator_id: r.column("home")?,
            host_operator_id: r.column("host")?,
            hub_name: r.column("hub_name")?,
            checked_in_at: at,
            date: local_date(at),
        })
    })
    .await?;

    let sql = format!(
        "SELECT b.id, b.starts_at, b.ends_at, b.cancellation_charged, \
         CAST(b.price_ex_vat_ore AS BIGINT) AS amount_ore, \
         h.operator_id AS host, h.name AS hub_name, {HOME} AS home \
         FROM bookings b JOIN hubs h ON h.id = b.hub_id JOIN seats s ON s.id = b.seat_id \
         JOIN plans p ON p.id = s.plan_id \
         WHERE b.starts_at >= $1 AND b.starts_at < $2 AND {HOME} <> h.operator_id \
         AND (b.status = 'confirmed' OR (b.status = 'cancelled' AND b.cancellation_charged = $3)) \
         ORDER BY b.starts_at, b.id"
    );
    let args = vec![D::at(start), D::at(end), Arg::Bool(true)];
    let bookings = dialect::all::<D, _>(conn, &sql, args, |r| {
        let starts_at = D::instant(r, "starts_at")?;
        Ok(SettlementBookingFact {
            booking_id: r.column("id")?,
            home_operator_id: r.column("home")?,
            host_operator_id: r.column("host")?,
            hub_name: r.column("hub_name")?,
            starts_at,
            ends_at: D::instant(r, "ends_at")?,
            date: local_date(starts_at),
            amount_ore: r.column("amount_ore")?,
            cancellation_charged: r.column("cancellation_charged")?,
        })
    })
    .await?;

    Ok(SettlementFacts {
        visits: visits.into_iter().filter(|v| within(v.date)).collect(),
        bookings: bookings.into_iter().filter(|b| within(b.date)).collect(),
    })
}

#[async_trait]
impl<B: Backend> SettlementStore for B {
    #[tracing::instrument(level = "debug", skip_all)]
    async fn settlement_tariff(&self) -> StoreResult<SettlementTariff> {
        get_tariff::<B::D>(&mut *self.reader().await?).await
    }

    #[tracing::instrument(level = "debug", skip_all)]
    async fn set_settlement_tariff(&self, t: &SettlementTariff) -> StoreResult<()> {
        let t = *t;
        self.write(move |c| Box::pin(async move { set_tariff::<B::D>(c, &t).await }))
            .await
    }

    #[tracing::instrument(level = "debug", skip_all, fields(%from, %to))]
    async fn settlement_facts(
        &self,
        from: NaiveDate,
        to: NaiveDate,
    ) -> StoreResult<SettlementFacts> {
        facts::<B::D>(&mut *self.reader().await?, from, to).await
    }
}
