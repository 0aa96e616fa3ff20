//! The contract every backend must keep, written once. Each backend's
//! `tests/contract.rs` runs it with `contract_tests!(expr)`, where `expr`
//! evaluates (inside an async test) to `(store, guard)`: a fresh, migrated,
//! empty store and whatever keeps its database alive.
//!
//! One module per capability trait, as in the crate root; this one holds
//! the fixtures they share.

use crate::Store;
use thirdplace_domain::*;
use uuid::Uuid;

pub mod access;
pub mod audit;
pub mod bookings;
pub mod evaluation;
pub mod events;
pub mod invoicing;
pub mod membership;
pub mod meta;
pub mod network;
pub mod people;
pub mod privacy;
pub mod reminders;
pub mod retention;
pub mod sessions;
pub mod settlement;
pub mod sso;
pub mod throttle;

/// Generates one `#[tokio::test]` per contract function of each module
/// below.
#[macro_export]
macro_rules! contract_tests {
    ($make:expr) => {
        $crate::contract_tests!(@each $make; network;
            regions_round_trip,
            taken_region_code_is_a_conflict,
            updating_an_unknown_id_is_not_found,
            municipality_must_refer_to_a_region,
            hubs_round_trip_with_hours_and_listing_names,
            zones_and_rooms_round_trip
        );
        $crate::contract_tests!(@each $make; people;
            organisation_numbers_are_unique,
            people_and_roles_round_trip,
            email_is_unique_and_nothing_half_written,
            unknown_role_reference_writes_nothing,
            sessions_expire_and_end,
            sessions_of_archived_people_are_inactive,
            api_tokens_authenticate_until_revoked
        );
        $crate::contract_tests!(@each $make; sessions;
            sessions_are_listed_with_their_use_and_end_by_public_id,
            a_recorded_use_never_goes_back_in_time,
            api_tokens_record_when_and_where_they_were_used,
            the_chosen_language_is_kept_on_the_person
        );
        $crate::contract_tests!(@each $make; meta;
            meta_values_round_trip
        );
        $crate::contract_tests!(@each $make; membership;
            meta_get_or_insert_keeps_the_first_value,
            plans_round_trip_for_each_scope,
            seats_are_inserted_all_or_nothing,
            seat_assignment_keeps_its_history,
            a_vacant_seat_goes_to_one_of_many_at_once,
            held_seats_follow_the_holder_at_each_instant,
            seat_end_round_trips,
            profiles_and_qr_generations,
            checkins_open_and_close,
            one_open_checkin_per_person_under_concurrency,
            guests_are_limited_and_leave_with_their_host,
            concurrent_guests_respect_the_limit,
            present_at_lists_open_checkins_with_profiles,
            access_summary_counts_exactly,
            webhooks_round_trip,
            events_fan_out_to_active_subscribed_webhooks,
            deliveries_are_claimed_once_per_lease,
            delivered_and_failed_deliveries_leave_the_queue,
            concurrent_claims_never_share_a_delivery,
            seats_people_and_deliveries_page_once_each,
            deliveries_page_newest_first_once_each
        );
        $crate::contract_tests!(@each $make; bookings;
            booking_rules_default_and_round_trip,
            bookings_round_trip_and_list_with_names,
            overlapping_bookings_are_refused,
            a_series_is_written_all_or_nothing,
            concurrent_bookings_of_one_slot_give_exactly_one,
            rounds_of_simultaneous_bookings_never_deadlock,
            day_long_bookings_conflict_and_longer_ones_are_refused,
            included_minutes_are_capped_per_seat_and_month,
            cancelling_records_who_and_queues_the_notice,
            concurrent_cancellations_cancel_once,
            calendar_generations_rotate,
            emails_are_claimed_once_and_marked,
            bookings_page_by_start_and_id_once_each
        );
        $crate::contract_tests!(@each $make; events;
            events_round_trip_and_list_with_filters,
            events_page_after_a_start_and_id,
            the_calendar_version_moves_on_every_change,
            feed_changes_name_the_events_to_list_again,
            sign_ups_fill_places_then_the_waiting_list_in_order,
            cancelling_promotes_the_first_waiting_and_queues_the_email,
            fifty_simultaneous_sign_ups_for_ten_places,
            an_invitation_is_used_once,
            an_event_in_a_booked_room_is_refused_and_nothing_is_written,
            moving_or_cancelling_an_event_moves_or_frees_its_room,
            capacity_changes_keep_places_and_fill_new_ones,
            the_summary_counts_places_attendance_and_organisations,
            reminders_are_sent_once_and_again_after_a_move,
            registrations_page_in_arrival_order_once_each
        );
        $crate::contract_tests!(@each $make; privacy;
            erasing_anonymises_and_ends_every_way_in,
            erasing_cancels_the_future_and_keeps_the_past,
            the_last_network_admin_is_not_erased_and_nothing_is_written
        );
        $crate::contract_tests!(@each $make; audit;
            audit_entries_filter_and_page_newest_first
        );
        $crate::contract_tests!(@each $make; retention;
            the_policy_defaults_round_trips_and_runs_are_claimed_once,
            old_checkins_are_reduced_and_the_statistics_stay,
            guest_names_are_erased_after_their_limit_and_still_counted,
            sent_emails_lose_address_and_text_and_unsent_ones_are_untouched,
            finished_webhook_deliveries_lose_their_payload,
            a_pending_webhook_delivery_keeps_its_payload,
            expired_sessions_revoked_tokens_and_old_sign_in_failures_go,
            finished_sign_in_links_and_lapsed_single_sign_ons_go
        );
        $crate::contract_tests!(@each $make; access;
            a_link_is_taken_once_and_replay_is_refused,
            expired_and_revoked_links_are_refused,
            taking_a_link_ends_every_session,
            simultaneous_takes_succeed_once,
            the_overview_tells_passwords_and_newest_invitations
        );
        $crate::contract_tests!(@each $make; sso;
            providers_round_trip_and_own_their_domains,
            identity_links_are_unique_and_use_the_invitation,
            sign_ins_under_way_are_taken_once
        );
        $crate::contract_tests!(@each $make; invoicing;
            numbers_follow_the_series_without_gaps, the_same_key_again_issues_nothing,
            a_hundred_simultaneous_issues_number_without_gaps, a_credit_note_refers_to_its_invoice,
            an_issued_invoice_stays_as_issued, payments_make_an_invoice_paid,
            the_same_bank_file_twice_changes_nothing, the_overdue_list_and_filters_tell_the_day,
            run_facts_gather_the_operators_customers_and_charge_once,
            a_scope_lists_its_operators_and_organisations_invoices,
            a_hubs_lines_follow_its_bookings_seats_and_events,
            a_batch_issues_all_or_nothing_without_gaps,
            simultaneous_batches_number_without_gaps
        );
        $crate::contract_tests!(@each $make; reminders;
            a_reminder_goes_with_its_email_once_a_week,
            simultaneous_reminders_send_one
        );
        $crate::contract_tests!(@each $make; evaluation;
            pilots_round_trip_with_their_hubs_and_goals_in_order,
            facts_are_what_happened_at_the_hubs
        );
        $crate::contract_tests!(@each $make; settlement;
            the_tariff_starts_at_nothing_and_round_trips,
            facts_are_the_months_use_between_operators
        );
        $crate::contract_tests!(@each $make; throttle;
            strikes_are_counted_per_key_and_cleared,
            old_strikes_are_forgotten,
            simultaneous_strikes_all_count
        );
    };
    (@each $make:expr; $module:ident; $($name:ident),* $(,)?) => {
        $(
            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn $name() {
                let (store, _guard) = $make;
                $crate::contract::$module::$name(&store).await;
            }
        )*
    };
}

pub(crate) fn region(code: &str) -> Region {
    Region {
        id: new_id(),
        name: format!("Region {code}"),
        code: code.into(),
        archived: false,
    }
}

/// A region, municipality, operator and hub, inserted.
pub async fn seed_hub(store: &dyn Store) -> (Region, Municipality, Operator, Hub) {
    let r = region("08");
    store.insert_region(&r).await.unwrap();
    let m = Municipality {
        id: new_id(),
        region_id: r.id,
        name: "Oskarshamns kommun".into(),
        code: "0882".into(),
        central_town: "Oskarshamn".into(),
        archived: false,
    };
    store.insert_municipality(&m).await.unwrap();
    let o = Operator {
        id: new_id(),
        name: "Oskarshamns kommun".into(),
        org_number: Some(OrgNumber::parse("212000-0803").unwrap()),
        contact_email: Some(Email::parse("hubb@oskarshamn.example").unwrap()),
        archived: false,
        seller: Default::default(),
    };
    store.insert_operator(&o).await.unwrap();
    let mut hours = OpeningHours::weekdays("08:00", "17:00");
    hours.exceptions = OpeningHours::parse_exceptions("2026-12-24 closed Julafton").unwrap();
    let h = Hub {
        id: new_id(),
        municipality_id: m.id,
        operator_id: o.id,
        name: "Figeholms hubb".into(),
        description: "Kontorskollektiv i gamla skolan".into(),
        street_address: "Skolgatan 2".into(),
        postal_code: "572 95".into(),
        city: "Figeholm".into(),
        latitude: 57.3728,
        longitude: 16.5520,
        in_central_town: false,
        opening_hours: hours,
        archived: false,
    };
    store.insert_hub(&h).await.unwrap();
    (r, m, o, h)
}

pub(crate) fn organisation(org_number: &str) -> Organisation {
    Organisation {
        id: new_id(),
        name: format!("Org {org_number}"),
        org_number: OrgNumber::parse(org_number).unwrap(),
        kind: OrgKind::Municipality,
        archived: false,
        buyer: Default::default(),
    }
}

pub(crate) fn person(email: &str, org: Option<Uuid>) -> Person {
    Person {
        id: new_id(),
        first_name: "Anna".into(),
        last_name: "Lind".into(),
        email: Email::parse(email).unwrap(),
        organisation_id: org,
        is_network_admin: false,
        hosted_hub_ids: vec![],
        admin_of_organisation_ids: vec![],
        staff_of_operator_ids: vec![],
        archived: false,
    }
}
