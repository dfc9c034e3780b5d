//! Data access for the files of resources: the only module that reads `resource_media`.

use chrono::NaiveDateTime;
use diesel::prelude::*;

use super::Variant;
use crate::db::DbConnection;
use crate::schema::resource_media;

/// What a medium is, without its bytes (lists never load files).
#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = resource_media)]
pub struct MediaRow {
    pub id: i64,
    pub resource_id: i64,
    pub kind: super::MediaKind,
    pub title: String,
    pub content_type: String,
    pub byte_size: i64,
    pub sha256: String,
    pub width: Option<i32>,
    pub height: Option<i32>,
    pub created_at: NaiveDateTime,
}

/// A new medium with its bytes and renderings.
#[derive(Debug, Insertable)]
#[diesel(table_name = resource_media)]
pub struct MediaInsert<'a> {
    pub resource_id: i64,
    pub kind: super::MediaKind,
    pub title: &'a str,
    pub content_type: &'a str,
    pub byte_size: i64,
    pub sha256: &'a str,
    pub width: Option<i32>,
    pub height: Option<i32>,
    pub original: &'a [u8],
    pub thumbnail: Option<&'a [u8]>,
    pub page: Option<&'a [u8]>,
    pub created_at: NaiveDateTime,
    pub created_by_organization: i64,
}

/// Stores a medium and answers its row.
pub fn insert(conn: &mut DbConnection, new: &MediaInsert) -> QueryResult<MediaRow> {
    diesel::insert_into(resource_media::table)
        .values(new)
        .execute(conn)?;
    resource_media::table
        .filter(resource_media::resource_id.eq(new.resource_id))
        .order(resource_media::id.desc())
        .select(MediaRow::as_select())
        .first(conn)
}

/// The files of a resource, oldest first.
pub fn list(conn: &mut DbConnection, resource_id: i64) -> QueryResult<Vec<MediaRow>> {
    resource_media::table
        .filter(resource_media::resource_id.eq(resource_id))
        .order(resource_media::id.asc())
        .select(MediaRow::as_select())
        .load(conn)
}

/// One medium's row.
pub fn find(conn: &mut DbConnection, id: i64) -> QueryResult<Option<MediaRow>> {
    resource_media::table
        .find(id)
        .select(MediaRow::as_select())
        .first(conn)
        .optional()
}

/// The bytes of one rendering (`None` when the medium has no such rendering).
pub fn bytes(conn: &mut DbConnection, id: i64, variant: Variant) -> QueryResult<Option<Vec<u8>>> {
    let query = resource_media::table.find(id);
    match variant {
        Variant::Original => query
            .select(resource_media::original)
            .first::<Vec<u8>>(conn)
            .optional(),
        Variant::Thumbnail => query
            .select(resource_media::thumbnail)
            .first::<Option<Vec<u8>>>(conn)
            .optional()
            .map(Option::flatten),
        Variant::Page => query
            .select(resource_media::page)
            .first::<Option<Vec<u8>>>(conn)
            .optional()
            .map(Option::flatten),
    }
}

/// What the files of a resource weigh together, originals and renderings.
pub fn total_bytes(conn: &mut DbConnection, resource_id: i64) -> QueryResult<i64> {
    let sizes: Vec<i64> = resource_media::table
        .filter(resource_media::resource_id.eq(resource_id))
        .select(resource_media::byte_size)
        .load(conn)?;
    Ok(sizes.into_iter().sum())
}

/// Removes a medium; `false` when it was already gone.
pub fn delete(conn: &mut DbConnection, id: i64) -> QueryResult<bool> {
    Ok(diesel::delete(resource_media::table.find(id)).execute(conn)? > 0)
}
