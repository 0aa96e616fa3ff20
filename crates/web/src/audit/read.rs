//! Reading the trail as people see it: the filter from a query string, each
//! entry with the name of who did it looked up now (an erased person shows
//! as erased), in Swedish time.

use crate::http::error::{AppError, AppResult};
use crate::AppState;
use chrono::{DateTime, NaiveDate, TimeZone, Utc};
use serde::{Deserialize, Serialize};
use std::collections::HashMap;
use thirdplace_domain::{format_ore_as_sek, ValidationErrors, HUB_TIME_ZONE};
use thirdplace_store::{AuditEntry, AuditFilter, StoreError};
use utoipa::{IntoParams, ToSchema};
use uuid::Uuid;

/// The largest page.
pub const MAX_PAGE: i64 = 500;

/// The filter as a query string: every field optional.
#[derive(Debug, Default, Deserialize, IntoParams)]
pub struct AuditQuery {
    /// Actions by this person (id).
    pub person_id: Option<String>,
    /// Actions on this object (id).
    pub object_id: Option<String>,
    /// Actions on objects of this kind: `room`, `plan`, `person`, `seat`, `hub`, `booking`, …
    pub object_kind: Option<String>,
    /// From this date (Swedish time, inclusive), `YYYY-MM-DD`.
    pub from: Option<String>,
    /// Up to this date (Swedish time, inclusive), `YYYY-MM-DD`.
    pub to: Option<String>,
    /// Entries older than this cursor (the `next` of the previous page).
    pub before: Option<String>,
    /// At most this many entries (1–500, 100 by default).
    pub limit: Option<i64>,
}

fn blank(s: &Option<String>) -> Option<&str> {
    s.as_deref().map(str::trim).filter(|s| !s.is_empty())
}

fn local_midnight(field: &str, raw: &str, days: i64) -> Result<DateTime<Utc>, ValidationErrors> {
    let date = NaiveDate::parse_from_str(raw, "%Y-%m-%d").map_err(|_| {
        ValidationErrors::single(field, "invalid_date", "is not a date like 2026-11-23")
    })?;
    let midnight = (date + chrono::Duration::days(days))
        .and_hms_opt(0, 0, 0)
        .expect("midnight");
    HUB_TIME_ZONE
        .from_local_datetime(&midnight)
        .earliest()
        .map(|t| t.with_timezone(&Utc))
        .ok_or_else(|| {
            ValidationErrors::single(field, "invalid_date", "is not a date like 2026-11-23")
        })
}

fn id_field(field: &str, raw: Option<&str>) -> Result<Option<Uuid>, ValidationErrors> {
    raw.map(|r| {
        Uuid::parse_str(r)
            .map_err(|_| ValidationErrors::single(field, "invalid_id", "is not an id"))
    })
    .transpose()
}

/// A cursor: the instant and id of the last entry shown.
pub fn cursor(e: &AuditEntry) -> String {
    format!("{}_{}", e.at.timestamp_micros(), e.id.simple())
}

fn parse_cursor(raw: &str) -> Option<(DateTime<Utc>, Uuid)> {
    let (micros, id) = raw.split_once('_')?;
    Some((
        DateTime::from_timestamp_micros(micros.parse().ok()?)?,
        Uuid::parse_str(id).ok()?,
    ))
}

impl AuditQuery {
    /// The store's filter; a bad field is a 422 that names it.
    pub fn filter(&self, limit: i64) -> AppResult<AuditFilter> {
        fn take<T>(
            errors: &mut ValidationErrors,
            r: Result<Option<T>, ValidationErrors>,
        ) -> Option<T> {
            r.unwrap_or_else(|e| {
                errors.errors.extend(e.errors);
                None
            })
        }
        let mut errors = ValidationErrors::default();
        let e = &mut errors;
        let actor_id = take(e, id_field("person_id", blank(&self.person_id)));
        let object_id = take(e, id_field("object_id", blank(&self.object_id)));
        let from = take(
            e,
            blank(&self.from)
                .map(|f| local_midnight("from", f, 0))
                .transpose(),
        );
        let to = take(
            e,
            blank(&self.to)
                .map(|t| local_midnight("to", t, 1))
                .transpose(),
        );
        let before = take(
            e,
            blank(&self.before)
                .map(|b| {
                    parse_cursor(b).ok_or_else(|| {
                        ValidationErrors::single(
                            "before",
                            "invalid_cursor",
                            "is not a cursor this list gave",
                        )
                    })
                })
                .transpose(),
        );
        let limit = self.limit.unwrap_or(limit);
        if !(1..=MAX_PAGE).contains(&limit) {
            errors.add("limit", "out_of_range", "must be from 1 to 500");
        }
        if !errors.is_empty() {
            return Err(AppError::Validation(errors));
        }
        Ok(AuditFilter {
            actor_id,
            object_id,
            object_kind: blank(&self.object_kind).map(str::to_owned),
            from,
            to,
            before,
            limit,
        })
    }
}

/// An entry as people read it.
#[derive(Debug, Serialize, ToSchema)]
pub struct AuditOut {
    pub id: Uuid,
    pub at: DateTime<Utc>,
    /// Swedish time, `YYYY-MM-DD HH:MM`.
    pub local_time: String,
    pub actor_id: Option<Uuid>,
    /// The actor's name now; "" for the system.
    pub actor_name: String,
    pub action: String,
    pub object_kind: String,
    pub object_id: Uuid,
    /// The object's name now (a hub's, a plan's, a person's…); "" when it
    /// has none or is gone.
    pub object_name: String,
    /// What changed: field names with `[before, after]`, counts, codes.
    #[schema(value_type = Object)]
    pub details: serde_json::Value,
}

/// The name of the object `id` of `kind` now, looked up in the store.
async fn object_name(state: &AppState, kind: &str, id: Uuid) -> AppResult<String> {
    let s = &state.store;
    let name = match kind {
        "region" => s.get_region(id).await.map(|r| r.name),
        "municipality" => s.get_municipality(id).await.map(|m| m.name),
        "operator" => s.get_operator(id).await.map(|o| o.name),
        "hub" => s.get_hub(id).await.map(|h| h.hub.name),
        "zone" => s.get_zone(id).await.map(|z| z.name),
        "room" => s.get_room(id).await.map(|r| r.name),
        "organisation" => s.get_organisation(id).await.map(|o| o.name),
        "plan" => s.get_plan(id).await.map(|p| p.name),
        "webhook" => s.get_webhook(id).await.map(|w| w.url),
        "person" => s
            .get_person(id)
            .await
            .map(|p| format!("{} {}", p.first_name, p.last_name)),
        "booking" => s.get_booking(id).await.map(|b| b.title),
        _ => return Ok(String::new()),
    };
    match name {
        Ok(n) => Ok(n),
        Err(StoreError::NotFound) => Ok(String::new()),
        Err(e) => Err(e.into()),
    }
}

/// One page of the trail under `f`, and the cursor to the next (older)
/// one: one entry more than shown is read, so a page that ends exactly at
/// the oldest entry offers no empty next page.
pub async fn page_of(
    state: &AppState,
    mut f: AuditFilter,
) -> AppResult<(Vec<AuditEntry>, Option<String>)> {
    let limit = f.limit;
    f.limit += 1;
    let mut entries = state.store.list_audit(&f).await?;
    let more = entries.len() as i64 > limit;
    entries.truncate(usize::try_from(limit).unwrap_or(0));
    let next = more.then(|| entries.last().map(cursor)).flatten();
    Ok((entries, next))
}

/// The entries with the names of who did it and what it was done to,
/// looked up once each.
pub async fn with_names(state: &AppState, entries: Vec<AuditEntry>) -> AppResult<Vec<AuditOut>> {
    let mut names: HashMap<Uuid, String> = HashMap::new();
    let mut objects: HashMap<Uuid, String> = HashMap::new();
    let mut out = Vec::with_capacity(entries.len());
    for e in entries {
        let object_name = match objects.get(&e.object_id) {
            Some(n) => n.clone(),
            None => {
                let n = object_name(state, &e.object_kind, e.object_id).await?;
                objects.insert(e.object_id, n.clone());
                n
            }
        };
        let actor_name = match e.actor_id {
            None => String::new(),
            Some(id) => match names.get(&id) {
                Some(n) => n.clone(),
                None => {
                    let n = match state.store.get_person(id).await {
                        Ok(p) => format!("{} {}", p.first_name, p.last_name),
                        Err(StoreError::NotFound) => String::new(),
                        Err(e) => return Err(e.into()),
                    };
                    names.insert(id, n.clone());
                    n
                }
            },
        };
        out.push(AuditOut {
            id: e.id,
            at: e.at,
            local_time: e
                .at
                .with_timezone(&HUB_TIME_ZONE)
                .format("%Y-%m-%d %H:%M")
                .to_string(),
            actor_id: e.actor_id,
            actor_name,
            action: e.action,
            object_kind: e.object_kind,
            object_id: e.object_id,
            object_name,
            details: e.details,
        });
    }
    Ok(out)
}

/// The details as short text: `field: before → after; …`, amounts in öre
/// (`*_ore`) as kronor, missing values as `–`.
pub fn details_text(details: &serde_json::Value) -> String {
    let Some(map) = details.as_object() else {
        return details.to_string();
    };
    let value = |k: &str, v: &serde_json::Value| match (v, v.as_i64()) {
        (serde_json::Value::Null, _) => "–".to_owned(),
        (_, Some(ore)) if k.ends_with("_ore") => format!("{} kr", format_ore_as_sek(ore)),
        (serde_json::Value::String(s), _) => s.clone(),
        _ => v.to_string(),
    };
    map.iter()
        .map(|(k, v)| match v.as_array().map(Vec::as_slice) {
            Some([before, after]) => format!("{k}: {} → {}", value(k, before), value(k, after)),
            _ => format!("{k}: {}", value(k, v)),
        })
        .collect::<Vec<_>>()
        .join("; ")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn details_read_as_changes_with_amounts_in_kronor() {
        let d = serde_json::json!({
            "hourly_price_ore": [30000, 35050], "name": [null, "Sjöutsikten"], "count": 2
        });
        assert_eq!(
            details_text(&d),
            "count: 2; hourly_price_ore: 300,00 kr → 350,50 kr; name: – → Sjöutsikten"
        );
    }
}
