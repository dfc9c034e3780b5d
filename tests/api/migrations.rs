//! Migrations are idempotent and safe to run again (every instance runs them at start).

use itinerance::db;

use crate::common::{Backend, TestDb};

fn migrations_run_twice(backend: Backend) {
    let (_db, url) = TestDb::create(backend);
    let target = db::DatabaseTarget::parse(&url).unwrap();
    target.prepare().unwrap();
    let mut conn = target.connect().unwrap();
    let first = itinerance::migrate(&mut conn).unwrap();
    assert!(first >= 1);
    let second = itinerance::migrate(&mut conn).unwrap();
    assert_eq!(second, 0);
    let mut other = target.connect().unwrap();
    assert_eq!(itinerance::migrate(&mut other).unwrap(), 0);
    use diesel::prelude::*;
    let communes: i64 = itinerance::schema::communes::table
        .count()
        .get_result(&mut conn)
        .unwrap();
    assert_eq!(communes, 3782, "communes are loaded once");
}

#[test]
fn sqlite_migrations_are_idempotent() {
    migrations_run_twice(Backend::Sqlite);
}

#[test]
fn postgres_migrations_are_idempotent() {
    migrations_run_twice(Backend::Postgres);
}

#[test]
fn postgres_concurrent_first_starts_migrate_once() {
    let (_db, url) = TestDb::create(Backend::Postgres);
    let handles: Vec<_> = (0..3)
        .map(|_| {
            let url = url.clone();
            std::thread::spawn(move || {
                let target = db::DatabaseTarget::parse(&url).unwrap();
                let mut conn = target.connect().unwrap();
                itinerance::migrate(&mut conn).unwrap()
            })
        })
        .collect();
    let applied: Vec<usize> = handles.into_iter().map(|h| h.join().unwrap()).collect();
    assert_eq!(applied.iter().filter(|n| **n > 0).count(), 1, "{applied:?}");
    let target = db::DatabaseTarget::parse(&url).unwrap();
    let mut conn = target.connect().unwrap();
    use diesel::prelude::*;
    let communes: i64 = itinerance::schema::communes::table
        .count()
        .get_result(&mut conn)
        .unwrap();
    assert_eq!(communes, 3782);
}
