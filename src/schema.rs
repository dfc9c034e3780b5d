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
    }
}

diesel::joinable!(organizations -> communes (commune_insee));
diesel::joinable!(users -> organizations (organization_id));
diesel::joinable!(api_keys -> organizations (organization_id));

diesel::allow_tables_to_appear_in_same_query!(communes, organizations, users, api_keys);
