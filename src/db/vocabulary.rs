//! Vocabularies the database stores: `stored_enum!` declares a `text_enum!` (the kernel's closed
//! vocabulary: serde, OpenAPI, parsing) and maps it to `Text` on both backends, so that queries
//! compare and write the enum itself (`status.eq_any(BookingStatus::ACTIVE)`). The mapping lives
//! here, in the database layer, so that the kernel knows no database.

/// Declares a closed vocabulary stored as text (see the module documentation).
#[macro_export]
macro_rules! stored_enum {
    ($(#[$meta:meta])* $vis:vis enum $name:ident { $($(#[$vmeta:meta])* $variant:ident => $text:literal),+ $(,)? }) => {
        $crate::text_enum! {
            #[derive(diesel::expression::AsExpression, diesel::deserialize::FromSqlRow)]
            #[diesel(sql_type = diesel::sql_types::Text)]
            $(#[$meta])*
            $vis enum $name {
                $($(#[$vmeta])* $variant => $text),+
            }
        }

        $crate::stored_text!($name);
    };
}

/// Maps a vocabulary to `Text` on both backends, stored as its name (`as_str`, read back with
/// `FromStr`): the half of `stored_enum!` that a vocabulary declared by hand (the event kinds,
/// whose dotted names are not snake_case) uses too. The type derives `AsExpression` and
/// `FromSqlRow` with `#[diesel(sql_type = Text)]`.
#[macro_export]
macro_rules! stored_text {
    ($name:ty) => {
        // Stored as its name, on both backends: queries compare and write the enum itself.
        impl diesel::serialize::ToSql<diesel::sql_types::Text, $crate::db::DbBackend> for $name {
            fn to_sql<'b>(
                &'b self,
                out: &mut diesel::serialize::Output<'b, '_, $crate::db::DbBackend>,
            ) -> diesel::serialize::Result {
                <str as diesel::serialize::ToSql<diesel::sql_types::Text, $crate::db::DbBackend>>::to_sql(
                    self.as_str(),
                    out,
                )
            }
        }

        // Boxed queries over the multi-backend connection also need each backend's own impl.
        impl diesel::serialize::ToSql<diesel::sql_types::Text, diesel::sqlite::Sqlite> for $name {
            fn to_sql<'b>(
                &'b self,
                out: &mut diesel::serialize::Output<'b, '_, diesel::sqlite::Sqlite>,
            ) -> diesel::serialize::Result {
                <str as diesel::serialize::ToSql<diesel::sql_types::Text, diesel::sqlite::Sqlite>>::to_sql(
                    self.as_str(),
                    out,
                )
            }
        }

        impl diesel::serialize::ToSql<diesel::sql_types::Text, diesel::pg::Pg> for $name {
            fn to_sql<'b>(
                &'b self,
                out: &mut diesel::serialize::Output<'b, '_, diesel::pg::Pg>,
            ) -> diesel::serialize::Result {
                <str as diesel::serialize::ToSql<diesel::sql_types::Text, diesel::pg::Pg>>::to_sql(
                    self.as_str(),
                    out,
                )
            }
        }

        impl diesel::deserialize::FromSql<diesel::sql_types::Text, $crate::db::DbBackend> for $name {
            fn from_sql(
                bytes: <$crate::db::DbBackend as diesel::backend::Backend>::RawValue<'_>,
            ) -> diesel::deserialize::Result<Self> {
                let text = <String as diesel::deserialize::FromSql<
                    diesel::sql_types::Text,
                    $crate::db::DbBackend,
                >>::from_sql(bytes)?;
                text.parse().map_err(|e: String| e.into())
            }
        }
    };
}
