//! Role checks of the pages: who may see an admin page or edit a hub or an
//! organisation. The rules are the domain's ([`Principal`]); these turn a
//! "no" into the page's 401 or 403.

use crate::http::error::{AppError, AppResult};
use crate::http::page::{parse_id, Page};
use crate::AppState;
use thirdplace_domain::Principal;
use thirdplace_store::HubListing;
use uuid::Uuid;

/// Network admin pages (regions, plans, webhooks, sites, outbox).
pub fn require_network_admin(page: &Page) -> AppResult<&Principal> {
    let u = page.user()?;
    if u.can_manage_network() {
        Ok(u)
    } else {
        Err(AppError::Forbidden)
    }
}

/// A hub's admin pages: its network admins and hosts.
pub fn require_hub(page: &Page, hub_id: Uuid) -> AppResult<()> {
    if page.user()?.can_edit_hub(hub_id) {
        Ok(())
    } else {
        Err(AppError::Forbidden)
    }
}

/// The id of a hub's admin page (`raw` from its path), if the person may
/// edit the hub: "forbidden" comes before "not found".
pub fn hub_to_edit_id(page: &Page, raw: &str) -> AppResult<Uuid> {
    let id = parse_id(raw)?;
    require_hub(page, id)?;
    Ok(id)
}

/// The hub of a hub's admin page, as [`hub_to_edit_id`], read from the store.
pub async fn hub_to_edit(state: &AppState, page: &Page, raw: &str) -> AppResult<HubListing> {
    let id = hub_to_edit_id(page, raw)?;
    Ok(state.store.get_hub(id).await?)
}

/// An organisation's admin pages: network admins and its own admins.
pub fn require_org(page: &Page, id: Uuid) -> AppResult<()> {
    if page.user()?.can_edit_organisation(id) {
        Ok(())
    } else {
        Err(AppError::Forbidden)
    }
}
