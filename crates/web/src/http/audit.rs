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
/// `{"field": [before, after]}`; fields holding personal data are named but
/// their values left out (`[null, null]`).
pub fn changes<T: Serialize>(before: &T, after: &T) -> Value {
    let (Ok(Value::Object(b)), Ok(Value::Object(a))) =
        (serde_json::to_value(before), serde_json::to_value(after))
    else {
        return Value::Object(Map::new());
    };
    let personal = |k: &str| {
        matches!(
            k,
            "email" | "first_name" | "last_name" | "phone" | "name_of_person"
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
    }
}
