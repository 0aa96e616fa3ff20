//! Role checks of the pages: who may see an admin page or edit a hub or an
//! organisation. The rules are the domain's ([`Principal`]); these turn a
//! "no" into the page's 401 or 403.

use crate::http::error::{AppError, AppResult};
use crate::http::page::{parse_id, Page};
use crate::AppState;
use thirdplace_domain::Principal;
use thirdplace_store::HubListing;
use uuid::Uuid;

/// The signed-in person, if `may` lets them see the page.
fn admit(page: &Page, may: impl FnOnce(&Principal) -> bool) -> AppResult<&Principal> {
    let u = page.user()?;
    if may(u) {
        Ok(u)
    } else {
        Err(AppError::Forbidden)
    }
}

/// Network admin pages (regions, plans, webhooks, sites, outbox).
pub fn require_network_admin(page: &Page) -> AppResult<&Principal> {
    admit(page, Principal::can_manage_network)
}

/// The hosts' pages (the hubs and bookings lists): network admins and
/// whoever hosts a hub.
pub fn require_host_pages(page: &Page) -> AppResult<&Principal> {
    admit(page, |u| u.is_network_admin || !u.hosted_hub_ids.is_empty())
}

/// The organisations and people pages: network admins and whoever is an
/// organisation's admin.
pub fn require_org_pages(page: &Page) -> AppResult<&Principal> {
    admit(page, |u| {
        u.is_network_admin || !u.admin_of_organisation_ids.is_empty()
    })
}

/// The invoices list: network admins, operators' staff and organisation
/// admins (each sees their own).
pub fn require_invoice_pages(page: &Page) -> AppResult<&Principal> {
    admit(page, Principal::sees_invoices)
}

/// The invoice run and the payments page: network admins and operators'
/// staff (each for their operators).
pub fn require_invoicing_pages(page: &Page) -> AppResult<&Principal> {
    admit(page, Principal::invoices_for_any)
}

/// A hub's invoiced lines: network admins, hosts and operators' staff
/// (each for their hubs).
pub fn require_hub_lines_pages(page: &Page) -> AppResult<&Principal> {
    admit(page, Principal::sees_hub_lines)
}

/// A hub's admin pages: its network admins and hosts.
pub fn require_hub(page: &Page, hub_id: Uuid) -> AppResult<()> {
    admit(page, |u| u.can_edit_hub(hub_id)).map(drop)
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
    admit(page, |u| u.can_edit_organisation(id)).map(drop)
}
