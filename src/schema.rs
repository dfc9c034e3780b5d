//! The one diesel schema shared by SQLite and PostgreSQL (kept to the types both support).

diesel::table! {
    communes (insee_code) {
        insee_code -> Text,
        name -> Text,
        search_name -> Text,
        department -> Text,
        postcode -> Text,
        population -> Integer,
        epci_siren -> Text,
        epci_name -> Text,
        latitude -> Double,
        longitude -> Double,
        coordinates_source -> Text,
    }
}

diesel::table! {
    organizations (id) {
        id -> BigInt,
        name -> Text,
        kind -> Text,
        venue_type -> Nullable<Text>,
        commune_insee -> Text,
        address -> Nullable<Text>,
        latitude -> Double,
        longitude -> Double,
        created_at -> Timestamp,
        updated_at -> Timestamp,
        calendar_token_hash -> Nullable<Text>,
        school_holidays -> Text,
    }
}

diesel::table! {
    users (id) {
        id -> BigInt,
        organization_id -> BigInt,
        email -> Text,
        password_hash -> Text,
        role -> Text,
        created_at -> Timestamp,
        locale -> Text,
        muted_notifications -> Text,
        deactivated_at -> Nullable<Timestamp>,
        password_changed_at -> Nullable<Timestamp>,
    }
}

diesel::table! {
    api_keys (id) {
        id -> BigInt,
        organization_id -> BigInt,
        name -> Text,
        prefix -> Text,
        key_hash -> Text,
        created_by -> BigInt,
        created_at -> Timestamp,
        last_used_at -> Nullable<Timestamp>,
        revoked_at -> Nullable<Timestamp>,
        scopes -> Text,
    }
}

diesel::table! {
    resources (id) {
        id -> BigInt,
        producer_id -> BigInt,
        kind -> Text,
        title -> Text,
        description -> Text,
        search_text -> Text,
        floor_area_m2 -> Nullable<Double>,
        weight_kg -> Nullable<Double>,
        volume_m3 -> Nullable<Double>,
        crates -> Nullable<Integer>,
        setup_days -> Integer,
        turnaround_days -> Integer,
        production_cost_cents -> Nullable<BigInt>,
        created_at -> Timestamp,
        updated_at -> Timestamp,
        deleted_at -> Nullable<Timestamp>,
    }
}

diesel::table! {
    resource_themes (resource_id, theme) {
        resource_id -> BigInt,
        theme -> Text,
    }
}

diesel::table! {
    resource_audiences (resource_id, audience) {
        resource_id -> BigInt,
        audience -> Text,
    }
}

diesel::table! {
    copies (id) {
        id -> BigInt,
        resource_id -> BigInt,
        producer_id -> BigInt,
        asset_tag -> Text,
        home_commune_insee -> Text,
        status -> Text,
        condition_grade -> Integer,
        latitude -> Double,
        longitude -> Double,
                retirement_reason -> Nullable<Text>,
        created_at -> Timestamp,
        updated_at -> Timestamp,
        needs_inspection -> Bool,
        retired_on -> Nullable<Date>,
    }
}

diesel::table! {
    components (id) {
        id -> BigInt,
        resource_id -> BigInt,
        name -> Text,
        quantity -> Integer,
        created_at -> Timestamp,
        unit_cost_cents -> BigInt,
    }
}

diesel::table! {
    bookings (id) {
        id -> BigInt,
        resource_id -> BigInt,
        copy_id -> BigInt,
        venue_id -> BigInt,
        starts_on -> Date,
        ends_on -> Date,
        occupied_from -> Date,
        occupied_to -> Date,
        outbound_days -> Integer,
        return_days -> Integer,
        distance_km -> Double,
        status -> Text,
        hold_expires_at -> Nullable<Timestamp>,
        requested_by -> Nullable<BigInt>,
                waitlist_entry_id -> Nullable<BigInt>,
        created_at -> Timestamp,
        updated_at -> Timestamp,
        flagged_at -> Nullable<Timestamp>,
        flag_reason -> Nullable<Text>,
        overdue_at -> Nullable<Timestamp>,
        delivery_on -> Date,
        pickup_on -> Date,
        flag_code -> Nullable<Text>,
    }
}

diesel::table! {
    occupations (id) {
        id -> BigInt,
        copy_id -> BigInt,
        starts_on -> Date,
        ends_on -> Date,
        reason -> Text,
        booking_id -> Nullable<BigInt>,
        maintenance_id -> Nullable<BigInt>,
        active -> Bool,
        created_at -> Timestamp,
    }
}

diesel::table! {
    booking_events (id) {
        id -> BigInt,
        booking_id -> BigInt,
        action -> Text,
        from_status -> Nullable<Text>,
        to_status -> Text,
        actor_organization_id -> Nullable<BigInt>,
        actor_user_id -> Nullable<BigInt>,
        actor_api_key_id -> Nullable<BigInt>,
        note -> Nullable<Text>,
        created_at -> Timestamp,
        system_note -> Nullable<Text>,
    }
}

diesel::table! {
    waitlist_entries (id) {
        id -> BigInt,
        resource_id -> BigInt,
        venue_id -> BigInt,
        starts_on -> Date,
        ends_on -> Date,
        status -> Text,
        booking_id -> Nullable<BigInt>,
        created_by -> Nullable<BigInt>,
        created_at -> Timestamp,
        updated_at -> Timestamp,
    }
}

diesel::table! {
    condition_reports (id) {
        id -> BigInt,
        copy_id -> BigInt,
        booking_id -> Nullable<BigInt>,
        stage -> Text,
        grade -> Integer,
        notes -> Text,
        passed -> Bool,
        missing_units -> Integer,
        damaged_units -> Integer,
        reported_by_organization -> BigInt,
        reported_by_user -> Nullable<BigInt>,
        created_at -> Timestamp,
    }
}

diesel::table! {
    condition_report_lines (report_id, component_id) {
        report_id -> BigInt,
        component_id -> BigInt,
        expected_quantity -> Integer,
        present_quantity -> Integer,
        damaged -> Integer,
    }
}

diesel::table! {
    maintenance_records (id) {
        id -> BigInt,
        copy_id -> BigInt,
        kind -> Text,
        starts_on -> Date,
        ends_on -> Nullable<Date>,
        cost_cents -> BigInt,
        notes -> Text,
        automatic -> Bool,
        report_id -> Nullable<BigInt>,
        completed_at -> Nullable<Timestamp>,
        grade_after -> Nullable<Integer>,
        created_by_organization -> Nullable<BigInt>,
        created_at -> Timestamp,
    }
}

diesel::table! {
    domain_events (id) {
        id -> BigInt,
        kind -> Text,
        subject_type -> Text,
        subject_id -> BigInt,
        payload -> Text,
        created_at -> Timestamp,
        processed_at -> Nullable<Timestamp>,
        snapshot -> Nullable<Text>,
    }
}

diesel::joinable!(organizations -> communes (commune_insee));
diesel::joinable!(users -> organizations (organization_id));
diesel::joinable!(api_keys -> organizations (organization_id));

diesel::joinable!(resources -> organizations (producer_id));
diesel::joinable!(resource_themes -> resources (resource_id));
diesel::joinable!(resource_audiences -> resources (resource_id));
diesel::joinable!(copies -> resources (resource_id));
diesel::joinable!(components -> resources (resource_id));
diesel::joinable!(bookings -> copies (copy_id));
diesel::joinable!(occupations -> copies (copy_id));
diesel::joinable!(booking_events -> bookings (booking_id));
diesel::joinable!(condition_report_lines -> condition_reports (report_id));
diesel::joinable!(maintenance_records -> copies (copy_id));

diesel::table! {
    idempotency_keys (id) {
        id -> BigInt,
        organization_id -> BigInt,
        idempotency_key -> Text,
        request_hash -> Text,
        response_status -> Nullable<Integer>,
        response_content_type -> Nullable<Text>,
        response_body -> Nullable<Text>,
        created_at -> Timestamp,
        completed_at -> Nullable<Timestamp>,
    }
}

diesel::table! {
    tariffs (resource_id) {
        resource_id -> BigInt,
        per_loan_cents -> BigInt,
        per_week_cents -> BigInt,
        deposit_cents -> BigInt,
        updated_by_organization -> BigInt,
        updated_at -> Timestamp,
    }
}

diesel::table! {
    pricing_policy (id) {
        id -> Integer,
        rate_village -> Integer,
        rate_small_town -> Integer,
        rate_medium_town -> Integer,
        rate_large_city -> Integer,
        transport_village -> Integer,
        transport_small_town -> Integer,
        transport_medium_town -> Integer,
        transport_large_city -> Integer,
        updated_at -> Timestamp,
    }
}

diesel::table! {
    subsidy_programs (id) {
        id -> BigInt,
        name -> Text,
        funder -> Text,
        rate_percent -> Integer,
        budget_cents -> BigInt,
        committed_cents -> BigInt,
        valid_from -> Date,
        valid_to -> Date,
        commune_classes -> Nullable<Text>,
        epci_sirens -> Nullable<Text>,
        venue_types -> Nullable<Text>,
        created_at -> Timestamp,
        updated_at -> Timestamp,
    }
}

diesel::table! {
    booking_quotes (booking_id) {
        booking_id -> BigInt,
        rental_cents -> BigInt,
        class_discount_cents -> BigInt,
        transport_cents -> BigInt,
        subsidy_cents -> BigInt,
        subsidy_program_id -> Nullable<BigInt>,
        deposit_cents -> BigInt,
        venue_class -> Text,
        class_rate_percent -> Integer,
        recharge_percent -> Integer,
        transport_cost_cents -> BigInt,
        frozen_at -> Timestamp,
    }
}

diesel::table! {
    invoice_sequences (seller_id, year) {
        seller_id -> BigInt,
        year -> Integer,
        last_number -> Integer,
    }
}

diesel::table! {
    invoices (id) {
        id -> BigInt,
        number -> Text,
        kind -> Text,
        seller_id -> BigInt,
        buyer_id -> BigInt,
        booking_id -> BigInt,
        year -> Integer,
        sequence -> Integer,
        issued_on -> Date,
        total_cents -> BigInt,
        currency -> Text,
        correction -> Integer,
        credits_invoice_id -> Nullable<BigInt>,
        issued_by_organization -> BigInt,
        created_at -> Timestamp,
        parties -> Nullable<Text>,
        buyer_service_code -> Nullable<Text>,
        commitment_number -> Nullable<Text>,
    }
}

diesel::table! {
    catalogue_positions_version (id) {
        id -> Integer,
        epoch -> Text,
        version -> BigInt,
    }
}

diesel::table! {
    legal_identities (organization_id) {
        organization_id -> BigInt,
        siret -> Text,
        vat_id -> Nullable<Text>,
        vat_exemption -> Nullable<Text>,
        address_line -> Text,
        postcode -> Text,
        city -> Text,
        iban -> Nullable<Text>,
        bic -> Nullable<Text>,
        electronic_address -> Nullable<Text>,
        public_buyer -> Bool,
        service_code_required -> Bool,
        commitment_required -> Bool,
        updated_at -> Timestamp,
    }
}

diesel::joinable!(legal_identities -> organizations (organization_id));

diesel::table! {
    resource_media (id) {
        id -> BigInt,
        resource_id -> BigInt,
        kind -> Text,
        title -> Text,
        content_type -> Text,
        byte_size -> BigInt,
        sha256 -> Text,
        width -> Nullable<Integer>,
        height -> Nullable<Integer>,
        original -> Binary,
        thumbnail -> Nullable<Binary>,
        page -> Nullable<Binary>,
        created_at -> Timestamp,
        created_by_organization -> BigInt,
    }
}

diesel::joinable!(resource_media -> resources (resource_id));

diesel::table! {
    invoice_lines (invoice_id, position) {
        invoice_id -> BigInt,
        position -> Integer,
        kind -> Text,
        label -> Text,
        amount_cents -> BigInt,
    }
}

diesel::table! {
    allocation_rounds (id) {
        id -> BigInt,
        name -> Text,
        period_from -> Date,
        period_to -> Date,
        status -> Text,
        proposal_policy -> Nullable<Text>,
        proposed_at -> Nullable<Timestamp>,
        created_by_organization -> BigInt,
        created_at -> Timestamp,
        updated_at -> Timestamp,
    }
}

diesel::table! {
    allocation_round_resources (round_id, resource_id) {
        round_id -> BigInt,
        resource_id -> BigInt,
    }
}

diesel::table! {
    allocation_requests (id) {
        id -> BigInt,
        round_id -> BigInt,
        venue_id -> BigInt,
        resource_id -> BigInt,
        starts_on -> Date,
        ends_on -> Date,
        requested_by -> Nullable<BigInt>,
        created_at -> Timestamp,
        proposed_copy_id -> Nullable<BigInt>,
        proposed_reason -> Nullable<Text>,
        proposed_rank -> Nullable<Integer>,
        booking_id -> Nullable<BigInt>,
        proposed_decision -> Nullable<Text>,
    }
}

diesel::table! {
    booking_evaluations (booking_id) {
        booking_id -> BigInt,
        venue_id -> BigInt,
        starts_on -> Date,
        ends_on -> Date,
        visitors -> Integer,
        sessions -> Integer,
        audiences -> Text,
        satisfaction -> Integer,
        comment -> Nullable<Text>,
        written_by -> Nullable<BigInt>,
        created_at -> Timestamp,
        updated_at -> Timestamp,
    }
}

diesel::table! {
    notifications (id) {
        id -> BigInt,
        event_id -> BigInt,
        kind -> Text,
        recipient -> Text,
        user_id -> Nullable<BigInt>,
        subject -> Text,
        body_text -> Text,
        body_html -> Text,
        status -> Text,
        attempts -> Integer,
        next_attempt_at -> Timestamp,
        lease_token -> Nullable<Text>,
        leased_until -> Nullable<Timestamp>,
        last_error -> Nullable<Text>,
        created_at -> Timestamp,
        sent_at -> Nullable<Timestamp>,
    }
}

diesel::table! {
    webhooks (id) {
        id -> BigInt,
        organization_id -> BigInt,
        url -> Text,
        events -> Text,
        secret -> Text,
        active -> Bool,
        failing_since -> Nullable<Timestamp>,
        disabled_at -> Nullable<Timestamp>,
        disabled_reason -> Nullable<Text>,
        created_by_user_id -> Nullable<BigInt>,
        created_by_api_key_id -> Nullable<BigInt>,
        created_at -> Timestamp,
    }
}

diesel::table! {
    webhook_deliveries (id) {
        id -> BigInt,
        webhook_id -> BigInt,
        event_id -> BigInt,
        event_type -> Text,
        message_id -> Text,
        body -> Text,
        status -> Text,
        attempts -> Integer,
        next_attempt_at -> Timestamp,
        lease_token -> Nullable<Text>,
        leased_until -> Nullable<Timestamp>,
        last_status_code -> Nullable<Integer>,
        last_error -> Nullable<Text>,
        last_attempt_at -> Nullable<Timestamp>,
        created_at -> Timestamp,
        delivered_at -> Nullable<Timestamp>,
    }
}

diesel::table! {
    audit_log (id) {
        id -> BigInt,
        actor_organization_id -> Nullable<BigInt>,
        actor_user_id -> Nullable<BigInt>,
        actor_api_key_id -> Nullable<BigInt>,
        action -> Text,
        object_type -> Text,
        object_id -> BigInt,
        details -> Text,
        created_at -> Timestamp,
    }
}

diesel::table! {
    login_failures (id) {
        id -> BigInt,
        email -> Text,
        failed_at -> Timestamp,
    }
}

diesel::table! {
    browser_sessions (id) {
        id -> BigInt,
        token_digest -> Text,
        user_id -> BigInt,
        csrf_token -> Text,
        created_at -> Timestamp,
        expires_at -> Timestamp,
    }
}

diesel::joinable!(browser_sessions -> users (user_id));
diesel::joinable!(webhook_deliveries -> webhooks (webhook_id));
diesel::joinable!(webhooks -> organizations (organization_id));
diesel::joinable!(tariffs -> resources (resource_id));
diesel::joinable!(allocation_round_resources -> allocation_rounds (round_id));
diesel::joinable!(allocation_requests -> allocation_rounds (round_id));
diesel::joinable!(booking_evaluations -> bookings (booking_id));
diesel::joinable!(booking_quotes -> bookings (booking_id));
diesel::joinable!(booking_quotes -> subsidy_programs (subsidy_program_id));
diesel::joinable!(invoice_lines -> invoices (invoice_id));
diesel::joinable!(invoices -> bookings (booking_id));

diesel::table! {
    opening_hours (id) {
        id -> BigInt,
        organization_id -> BigInt,
        weekday -> SmallInt,
        opens_minute -> Integer,
        closes_minute -> Integer,
    }
}

diesel::table! {
    opening_exceptions (id) {
        id -> BigInt,
        organization_id -> BigInt,
        on_date -> Date,
        opens_minute -> Nullable<Integer>,
        closes_minute -> Nullable<Integer>,
        note -> Nullable<Text>,
    }
}

diesel::table! {
    vans (id) {
        id -> BigInt,
        name -> Text,
        depot_organization_id -> BigInt,
        volume_m3 -> Double,
        weight_kg -> Double,
        shift_start_minute -> Integer,
        shift_end_minute -> Integer,
        active -> Bool,
        created_at -> Timestamp,
        updated_at -> Timestamp,
    }
}

diesel::table! {
    tour_plans (id) {
        id -> BigInt,
        depot_organization_id -> BigInt,
        plan_date -> Date,
        created_by_organization_id -> BigInt,
        created_at -> Timestamp,
        plan -> Text,
    }
}

diesel::table! {
    invitations (id) {
        id -> BigInt,
        organization_id -> BigInt,
        email -> Text,
        role -> Text,
        locale -> Text,
        token_hash -> Text,
        invited_by -> Nullable<BigInt>,
        created_at -> Timestamp,
        expires_at -> Timestamp,
        accepted_at -> Nullable<Timestamp>,
        user_id -> Nullable<BigInt>,
    }
}

diesel::table! {
    password_resets (id) {
        id -> BigInt,
        user_id -> BigInt,
        token_hash -> Text,
        created_at -> Timestamp,
        expires_at -> Timestamp,
        used_at -> Nullable<Timestamp>,
    }
}

diesel::table! {
    password_reset_requests (id) {
        id -> BigInt,
        email -> Text,
        client -> Text,
        requested_at -> Timestamp,
    }
}

diesel::joinable!(invitations -> organizations (organization_id));
diesel::joinable!(password_resets -> users (user_id));

diesel::allow_tables_to_appear_in_same_query!(
    catalogue_positions_version,
    communes,
    opening_hours,
    opening_exceptions,
    vans,
    tour_plans,
    organizations,
    users,
    api_keys,
    resources,
    resource_themes,
    resource_audiences,
    copies,
    components,
    bookings,
    occupations,
    booking_events,
    waitlist_entries,
    condition_reports,
    condition_report_lines,
    maintenance_records,
    domain_events,
    idempotency_keys,
    tariffs,
    pricing_policy,
    subsidy_programs,
    booking_quotes,
    invoice_sequences,
    invoices,
    invoice_lines,
    legal_identities,
    allocation_rounds,
    allocation_round_resources,
    allocation_requests,
    booking_evaluations,
    notifications,
    webhooks,
    webhook_deliveries,
    login_failures,
    audit_log,
    browser_sessions,
    invitations,
    password_resets,
    password_reset_requests,
);
