//! Pilots and the facts of their indicators ([`crate::EvaluationStore`]),
//! written once for both SQL backends. Check-in and holding instants are
//! bound as `sqlx` keeps them ([`Arg::Timestamp`]), events' as the backend
//! keeps instants ([`Dialect::at`]); each hub is read by the indexes that
//! start with it (`checkins_hub_time`, `events_hub_start`).

use super::backend::Backend;
use super::dialect::{self, Arg, Conn, Dialect};
use super::SqlRow;
use crate::{EvaluationStore, StoreError, StoreResult};
use async_trait::async_trait;
use chrono::{DateTime, Duration, NaiveDate, NaiveTime, Utc};
use std::collections::{HashMap, HashSet};
use thirdplace_domain::evaluation::{
    AccessScope, Direction, EventFact, Facts, FirstVisitFact, Goal, GoalScope, HoldingFact, HubRef,
    Indicator, ParticipantFact, Pilot, VisitFact,
};
use thirdplace_domain::membership::local_instant;
use uuid::Uuid;

const PILOT_COLUMNS: &str = "id, name, description, region_id, starts_on, ends_on, \
     CAST(critical_mass_people AS BIGINT) AS critical_mass_people, archived";

fn pilot<R: SqlRow>(r: &R) -> Result<Pilot, sqlx::Error> {
    Ok(Pilot {
        id: r.column("id")?,
        name: r.column("name")?,
        description: r.column("description")?,
        region_id: r.column("region_id")?,
        starts_on: r.column("starts_on")?,
        ends_on: r.column("ends_on")?,
        critical_mass_people: r.column("critical_mass_people")?,
        hub_ids: Vec::new(),
        goals: Vec::new(),
        archived: r.column("archived")?,
    })
}

fn bad(column: &str, value: &str) -> sqlx::Error {
    sqlx::Error::Decode(format!("{column}: unknown value {value:?}").into())
}

fn goal<R: SqlRow>(r: &R) -> Result<(Uuid, Goal), sqlx::Error> {
    let indicator: String = r.column("indicator")?;
    let direction: String = r.column("direction")?;
    let scope: String = r.column("scope")?;
    Ok((
        r.column("pilot_id")?,
        Goal {
            indicator: Indicator::from_key(&indicator)
                .ok_or_else(|| bad("indicator", &indicator))?,
            label: r.column("label")?,
            direction: Direction::from_key(&direction)
                .ok_or_else(|| bad("direction", &direction))?,
            target: r.column("target")?,
            scope: GoalScope::from_key(&scope).ok_or_else(|| bad("scope", &scope))?,
            manual_value: r.column("manual_value")?,
        },
    ))
}

/// The pilots with `WHERE …` (and its arguments), their hubs and goals.
async fn read_pilots<D: Dialect>(
    conn: &mut Conn<D>,
    filter: &str,
    args: impl Fn() -> Vec<Arg<'static>>,
) -> StoreResult<Vec<Pilot>> {
    let sql = format!("SELECT {PILOT_COLUMNS} FROM pilots {filter} ORDER BY name, id");
    let mut pilots = dialect::all::<D, _>(conn, &sql, args(), pilot).await?;
    let within = filter.replace("WHERE id", "WHERE pilot_id");
    let sql =
        format!("SELECT pilot_id, hub_id FROM pilot_hubs {within} ORDER BY pilot_id, position");
    let hubs = dialect::all::<D, _>(conn, &sql, args(), |r| {
        Ok((r.column::<Uuid>("pilot_id")?, r.column::<Uuid>("hub_id")?))
    })
    .await?;
    let sql = format!(
        "SELECT pilot_id, indicator, label, direction, CAST(target AS BIGINT) AS target, scope, \
         CAST(manual_value AS BIGINT) AS manual_value FROM pilot_goals {within} \
         ORDER BY pilot_id, position"
    );
    let goals = dialect::all::<D, _>(conn, &sql, args(), goal).await?;
    let index: HashMap<Uuid, usize> = pilots.iter().enumerate().map(|(i, p)| (p.id, i)).collect();
    for (id, hub) in hubs {
        if let Some(&i) = index.get(&id) {
            pilots[i].hub_ids.push(hub);
        }
    }
    for (id, g) in goals {
        if let Some(&i) = index.get(&id) {
            pilots[i].goals.push(g);
        }
    }
    Ok(pilots)
}

/// Writes the pilot's hubs and goals (after its row).
async fn write_parts<D: Dialect>(conn: &mut Conn<D>, p: &Pilot) -> StoreResult<()> {
    for (i, hub) in p.hub_ids.iter().enumerate() {
        let sql = "INSERT INTO pilot_hubs (pilot_id, position, hub_id) VALUES ($1, $2, $3)";
        let args = vec![Arg::Id(p.id), Arg::Int(i as i64), Arg::Id(*hub)];
        dialect::write_one::<D>(conn, sql, args).await?;
    }
    for (i, g) in p.goals.iter().enumerate() {
        let sql = "INSERT INTO pilot_goals \
                   (pilot_id, position, indicator, label, direction, target, scope, manual_value) \
                   VALUES ($1, $2, $3, $4, $5, $6, $7, $8)";
        let args = vec![
            Arg::Id(p.id),
            Arg::Int(i as i64),
            Arg::Text(g.indicator.key()),
            Arg::Owned(g.label.clone()),
            Arg::Text(g.direction.key()),
            Arg::Int(g.target),
            Arg::Text(g.scope.key()),
            Arg::OptInt(g.manual_value),
        ];
        dialect::write_one::<D>(conn, sql, args).await?;
    }
    Ok(())
}

fn pilot_args(p: &Pilot) -> Vec<Arg<'static>> {
    vec![
        Arg::Id(p.id),
        Arg::Owned(p.name.clone()),
        Arg::Owned(p.description.clone()),
        Arg::Id(p.region_id),
        Arg::Date(p.starts_on),
        Arg::Date(p.ends_on),
        Arg::Int(p.critical_mass_people),
        Arg::Bool(p.archived),
    ]
}

pub async fn insert<D: Dialect>(conn: &mut Conn<D>, p: &Pilot) -> StoreResult<()> {
    let sql = "INSERT INTO pilots (id, name, description, region_id, starts_on, ends_on, \
               critical_mass_people, archived) VALUES ($1, $2, $3, $4, $5, $6, $7, $8)";
    dialect::write_one::<D>(conn, sql, pilot_args(p)).await?;
    write_parts::<D>(conn, p).await
}

pub async fn update<D: Dialect>(conn: &mut Conn<D>, p: &Pilot) -> StoreResult<()> {
    let sql = "UPDATE pilots SET name = $2, description = $3, region_id = $4, starts_on = $5, \
               ends_on = $6, critical_mass_people = $7, archived = $8 WHERE id = $1";
    dialect::write_one::<D>(conn, sql, pilot_args(p)).await?;
    for table in ["pilot_hubs", "pilot_goals"] {
        let sql = format!("DELETE FROM {table} WHERE pilot_id = $1");
        dialect::run::<D>(conn, &sql, vec![Arg::Id(p.id)]).await?;
    }
    write_parts::<D>(conn, p).await
}

/// The first instant of a civil date, or of the day after one.
fn day_start(d: NaiveDate) -> DateTime<Utc> {
    local_instant(d, NaiveTime::MIN)
}

/// The hubs that exist of `hub_ids`, each once in the order asked, and
/// every holding of a card that can reach them.
pub async fn hubs_and_holdings<D: Dialect>(
    conn: &mut Conn<D>,
    hub_ids: &[Uuid],
    until: DateTime<Utc>,
) -> StoreResult<(Vec<HubRef>, Vec<HoldingFact>)> {
    let mut hubs = Vec::new();
    for &id in hub_ids {
        let sql = "SELECT h.id, m.region_id, h.in_central_town FROM hubs h \
                   JOIN municipalities m ON m.id = h.municipality_id WHERE h.id = $1";
        let hub = dialect::optional::<D, _>(conn, sql, vec![Arg::Id(id)], |r| {
            Ok(HubRef {
                id: r.column("id")?,
                region_id: r.column("region_id")?,
                in_central_town: r.column("in_central_town")?,
            })
        })
        .await?;
        if let Some(h) = hub {
            if !hubs.iter().any(|k: &HubRef| k.id == h.id) {
                hubs.push(h);
            }
        }
    }
    let mut holdings = Vec::new();
    // Holdings: network-wide ones once, then each hub's and region's.
    let holding_sql = |scope: &str| {
        format!(
            "SELECT h.seat_id, h.person_id, p.scope_kind, p.scope_region_id, p.scope_hub_id, \
             h.held_from, h.held_until, s.start_date, s.end_date \
             FROM seat_holdings h JOIN seats s ON s.id = h.seat_id JOIN plans p ON p.id = s.plan_id \
             WHERE h.held_from < $1 AND {scope}"
        )
    };
    let mut queries = vec![(holding_sql("p.scope_kind = 'network'"), None)];
    let mut regions = HashSet::new();
    for h in &hubs {
        queries.push((
            holding_sql("p.scope_kind = 'hub' AND p.scope_hub_id = $2"),
            Some(h.id),
        ));
        if regions.insert(h.region_id) {
            queries.push((
                holding_sql("p.scope_kind = 'region' AND p.scope_region_id = $2"),
                Some(h.region_id),
            ));
        }
    }
    for (sql, id) in queries {
        let mut args = vec![Arg::Timestamp(until)];
        if let Some(id) = id {
            args.push(Arg::Id(id));
        }
        let rows = dialect::all::<D, _>(conn, &sql, args, |r| {
            let kind: String = r.column("scope_kind")?;
            let scope = match kind.as_str() {
                "network" => AccessScope::Network,
                "region" => AccessScope::Region(r.column("scope_region_id")?),
                "hub" => AccessScope::Hub(r.column("scope_hub_id")?),
                other => return Err(bad("scope_kind", other)),
            };
            let held_from: DateTime<Utc> = r.column("held_from")?;
            let held_until: Option<DateTime<Utc>> = r.column("held_until")?;
            let start: NaiveDate = r.column("start_date")?;
            let end: Option<NaiveDate> = r.column("end_date")?;
            // The holding cut to the seat's own days.
            let from = held_from.max(day_start(start));
            let seat_until = end.map(|e| day_start(e + Duration::days(1)));
            let until = match (held_until, seat_until) {
                (Some(a), Some(b)) => Some(a.min(b)),
                (a, b) => a.or(b),
            };
            Ok(HoldingFact {
                person_id: r.column("person_id")?,
                scope,
                from,
                until,
            })
        })
        .await?;
        holdings.extend(
            rows.into_iter()
                .filter(|h| h.until.is_none_or(|u| u > h.from)),
        );
    }
    Ok((hubs, holdings))
}

/// What happened at one hub: its check-ins from `from` until `until`, each
/// person's first visit before `until`, its published events in the
/// window with their confirmed participants.
pub async fn hub_facts<D: Dialect>(
    conn: &mut Conn<D>,
    h: &HubRef,
    from: DateTime<Utc>,
    until: DateTime<Utc>,
) -> StoreResult<Facts> {
    let mut facts = Facts::default();
    let sql = "SELECT c.person_id, s.organisation_id, c.checked_in_at, c.checked_out_at \
               FROM checkins c JOIN seats s ON s.id = c.seat_id \
               WHERE c.hub_id = $1 AND c.checked_in_at >= $2 AND c.checked_in_at < $3";
    let args = vec![Arg::Id(h.id), Arg::Timestamp(from), Arg::Timestamp(until)];
    let hub_id = h.id;
    let visits = dialect::all::<D, _>(conn, sql, args, |r| {
        Ok(VisitFact {
            hub_id,
            person_id: r.column("person_id")?,
            organisation_id: r.column("organisation_id")?,
            checked_in_at: r.column("checked_in_at")?,
            checked_out_at: r.column("checked_out_at")?,
        })
    })
    .await?;
    facts.visits.extend(visits);

    // Only network-wide holders need their first visits, but reading
    // them for everyone is one indexed pass over the hub's check-ins.
    let sql = "SELECT person_id, MIN(checked_in_at) AS first_at FROM checkins \
               WHERE hub_id = $1 AND checked_in_at < $2 GROUP BY person_id";
    let args = vec![Arg::Id(h.id), Arg::Timestamp(until)];
    let firsts = dialect::all::<D, _>(conn, sql, args, |r| {
        Ok(FirstVisitFact {
            hub_id,
            person_id: r.column("person_id")?,
            at: r.column("first_at")?,
        })
    })
    .await?;
    facts.first_visits.extend(firsts);

    let sql = "SELECT id, starts_at FROM events \
               WHERE hub_id = $1 AND status = 'published' AND starts_at >= $2 AND starts_at < $3 \
               ORDER BY starts_at, id";
    let args = vec![Arg::Id(h.id), D::at(from), D::at(until)];
    let mut events = dialect::all::<D, _>(conn, sql, args, |r| {
        Ok(EventFact {
            hub_id,
            event_id: r.column("id")?,
            starts_at: D::instant(r, "starts_at")?,
            participants: Vec::new(),
        })
    })
    .await?;
    let sql = "SELECT r.event_id, r.person_id, pe.organisation_id, o.kind, r.attended \
               FROM event_registrations r JOIN events e ON e.id = r.event_id \
               LEFT JOIN people pe ON pe.id = r.person_id \
               LEFT JOIN organisations o ON o.id = pe.organisation_id \
               WHERE e.hub_id = $1 AND e.status = 'published' AND e.starts_at >= $2 \
               AND e.starts_at < $3 AND r.status = 'confirmed'";
    let args = vec![Arg::Id(h.id), D::at(from), D::at(until)];
    let participants = dialect::all::<D, _>(conn, sql, args, |r| {
        Ok((
            r.column::<Uuid>("event_id")?,
            ParticipantFact {
                person_id: r.column("person_id")?,
                organisation_id: r.column("organisation_id")?,
                organisation_kind: r.column("kind")?,
                attended: r.column("attended")?,
            },
        ))
    })
    .await?;
    let index: HashMap<Uuid, usize> = events
        .iter()
        .enumerate()
        .map(|(i, e)| (e.event_id, i))
        .collect();
    for (event, p) in participants {
        if let Some(&i) = index.get(&event) {
            events[i].participants.push(p);
        }
    }
    facts.events.extend(events);
    Ok(facts)
}

#[async_trait]
impl<B: Backend> EvaluationStore for B {
    #[tracing::instrument(level = "debug", skip_all)]
    async fn list_pilots(&self) -> StoreResult<Vec<Pilot>> {
        read_pilots::<B::D>(&mut *self.reader().await?, "", Vec::new).await
    }

    #[tracing::instrument(level = "debug", skip_all, fields(%id))]
    async fn get_pilot(&self, id: Uuid) -> StoreResult<Pilot> {
        read_pilots::<B::D>(&mut *self.reader().await?, "WHERE id = $1", || {
            vec![Arg::Id(id)]
        })
        .await?
        .pop()
        .ok_or(StoreError::NotFound)
    }

    #[tracing::instrument(level = "debug", skip_all, fields(id = %p.id))]
    async fn insert_pilot(&self, p: &Pilot) -> StoreResult<()> {
        let p = p.clone();
        self.transaction(move |c| Box::pin(async move { insert::<B::D>(c, &p).await }))
            .await
    }

    #[tracing::instrument(level = "debug", skip_all, fields(id = %p.id))]
    async fn update_pilot(&self, p: &Pilot) -> StoreResult<()> {
        let p = p.clone();
        self.transaction(move |c| Box::pin(async move { update::<B::D>(c, &p).await }))
            .await
    }

    #[tracing::instrument(level = "debug", skip_all, fields(hubs = hub_ids.len()))]
    async fn evaluation_facts(
        &self,
        hub_ids: &[Uuid],
        from: DateTime<Utc>,
        until: DateTime<Utc>,
    ) -> StoreResult<(Vec<HubRef>, Facts)> {
        let (hubs, holdings) =
            hubs_and_holdings::<B::D>(&mut *self.reader().await?, hub_ids, until).await?;
        // Each hub on a connection of its own, at once: the check-ins of a
        // pilot's hubs are most of the time.
        let parts = futures_util::future::try_join_all(hubs.iter().map(|h| async move {
            hub_facts::<B::D>(&mut *self.reader().await?, h, from, until).await
        }))
        .await?;
        let mut facts = Facts {
            holdings,
            ..Facts::default()
        };
        for p in parts {
            facts.visits.extend(p.visits);
            facts.first_visits.extend(p.first_visits);
            facts.events.extend(p.events);
        }
        Ok((hubs, facts))
    }
}
