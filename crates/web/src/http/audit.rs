//! Recording administrative actions in the audit trail (read by network
//! admins under `/admin/audit`, see the `audit` capability). Capabilities
//! call [`record`] after a change is written, with what changed computed by
//! [`changes`]; entries carry ids and values, never names or addresses.

use crate::AppState;
use serde::Serialize;
use serde_json::{Map, Value};
use thirdplace_domain::new_id;
use thirdplace_store::AuditEntry;
use uuid::Uuid;

/// The fields that differ between two versions of a record, as
/// `{"field": [before, after]}`; fields holding personal data or secrets
/// are named but their values left out (`[null, null]`). A new record is
/// `changes(&(), &record)`: every field from `null`.
pub fn changes<A: Serialize, B: Serialize>(before: &A, after: &B) -> Value {
    let b = match serde_json::to_value(before) {
        Ok(Value::Object(b)) => b,
        _ => Map::new(),
    };
    let Ok(Value::Object(a)) = serde_json::to_value(after) else {
        return Value::Object(Map::new());
    };
    let personal = |k: &str| {
        matches!(
            k,
            "email"
                | "first_name"
                | "last_name"
                | "phone"
                | "contact_email"
                | "secret"
                | "password_hash"
                | "token_hash"
        )
    };
    let mut out = Map::new();
    for (k, new) in a {
        let old = b.get(&k).cloned().unwrap_or(Value::Null);
        if old != new {
            let pair = if personal(&k) {
                Value::Array(vec![Value::Null, Value::Null])
            } else {
                Value::Array(vec![old, new])
            };
            out.insert(k, pair);
        }
    }
    Value::Object(out)
}

/// The kind of record a form or list at `base` (`/admin/municipalities`)
/// edits, as the trail names it (`municipality`).
pub fn kind_of(base: &str) -> String {
    let plural = base.rsplit('/').next().unwrap_or(base);
    match plural {
        "people" => "person".into(),
        p if p.ends_with("ies") => format!("{}y", &p[..p.len() - 3]),
        p => p.strip_suffix('s').unwrap_or(p).into(),
    }
}

/// Appends an entry: `actor` did `action` (`plan.updated`, …) to the
/// `object` (`("plan", id)`), with `details` (see [`changes`]). The change
/// itself is already written; a failure here is logged as an error, not
/// shown to the person who made the change.
pub async fn record(
    state: &AppState,
    actor: Option<Uuid>,
    action: &str,
    object: (&str, Uuid),
    details: Value,
) {
    let entry = AuditEntry {
        id: new_id(),
        at: state.now(),
        actor_id: actor,
        action: action.to_owned(),
        object_kind: object.0.to_owned(),
        object_id: object.1,
        details,
    };
    if let Err(e) = state.store.append_audit(&entry).await {
        tracing::error!(error = %e, action, object_id = %object.1, "the audit trail could not be written");
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[derive(Serialize)]
    struct Room {
        name: &'static str,
        hourly_price_ore: i64,
        email: &'static str,
    }

    #[test]
    fn changes_name_what_differs_and_keep_personal_values_out() {
        let before = Room {
            name: "Sjöutsikten",
            hourly_price_ore: 30_000,
            email: "a@example.se",
        };
        let after = Room {
            hourly_price_ore: 35_000,
            email: "b@example.se",
            ..before
        };
        assert_eq!(
            changes(&before, &after),
            json!({ "hourly_price_ore": [30000, 35000], "email": [null, null] })
        );
        assert_eq!(changes(&before, &before), json!({}));
        assert_eq!(
            changes(&(), &before),
            json!({ "name": [null, "Sjöutsikten"], "hourly_price_ore": [null, 30000], "email": [null, null] })
        );
    }

    #[test]
    fn kinds_are_read_from_the_admin_address() {
        for (base, kind) in [
            ("/admin/municipalities", "municipality"),
            ("/admin/people", "person"),
            ("/admin/hubs", "hub"),
            ("/admin/plans", "plan"),
            ("/admin/organisations", "organisation"),
        ] {
            assert_eq!(kind_of(base), kind);
        }
    }
}
