//! The direction of the house, held by the build: reads the module graph from the source
//! (`crate::…` paths between top-level modules, and `super::`/`crate::` paths between the files of
//! one module) and fails on an import against the declared layers or on a cycle. It also keeps the
//! picture in `docs/architecture.md` true: the Mermaid graph between its markers is generated here
//! (run with `UPDATE_ARCHITECTURE=1` to rewrite it).
//!
//! Layers, from the bottom; a unit may import its own layer and the layers below, never above:
//! - kernel: money, time, text vocabularies, errors, configuration (no database, no domain);
//! - database: schema, connections and migrations, stored vocabularies (`stored_enum!`);
//! - domains: each with model → store → service; they call each other in one direction only (no
//!   cycle), and upward through hooks (`booking::hooks`) installed by the wiring;
//! - fronts: the shared state of handlers and jobs, the JSON API handlers (`api`, one file per
//!   domain, and the shared `http` toolkit) and the portal's pages;
//! - wiring: `app`, `main`, `lib`, the background jobs and the demo loader.
//!
//! There is no list of tolerated exceptions: a new cycle or upward import fails at once. Plant
//! `use crate::app;` in `src/money.rs`, `use crate::db::DbConnection;` in `src/text.rs`, or
//! `use crate::billing::X;` in a file of `booking`, and this test names the edge.
//!
//! Tables have owners, held here too: SQL (the diesel DSL over `crate::schema`, raw SQL) lives in
//! store files only (`store.rs`, `store/*.rs`; the database layer itself), and each table has one
//! owning module ([`OWNERS`]): only the owner's store writes it, and another module's store reads
//! it only in a joined read and only downward (the owner does not import the reader, so the
//! reader could call the owner's store instead). Plant `use crate::schema::bookings;` in
//! `src/booking/service.rs`, an `insert_into(bookings::table)` in `src/billing/store.rs`, or a
//! read of `bookings` in `src/catalogue/store.rs`, and a test names it.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

/// The layers, from the bottom, and the units in each. A unit is a top-level module, or a file
/// named on its own (`notify/worker`).
const LAYERS: &[(&str, &[&str])] = &[
    (
        "kernel",
        &[
            "money",
            "timestamp",
            "clock",
            "rng",
            "text",
            "error",
            "config",
            "client",
            "page",
            "chart",
            "pdf",
        ],
    ),
    ("database", &["db", "schema"]),
    (
        "domains",
        &[
            "territory",
            "access",
            "organization",
            "auth",
            "catalogue",
            "media",
            "booking",
            "condition",
            "transport",
            "billing",
            "evaluation",
            "allocation",
            "notify",
            "outbox",
            "audit",
            "idempotency",
            "observatory",
            "account",
        ],
    ),
    // The shared state of handlers and jobs knows the domains it wires (token keys, hooks).
    ("fronts", &["state", "http", "api", "portal"]),
    (
        "wiring",
        &["app", "main", "lib", "jobs", "demo", "notify/worker"],
    ),
];

/// Each table's one owner: the module whose store writes it and that other modules ask for it.
/// A copy's calendar (`occupations`: what occupies it, loans and maintenance; its maintenance
/// records) is the catalogue's, since search reads it below booking and condition, which fill it
/// through the catalogue's store.
const OWNERS: &[(&str, &[&str])] = &[
    ("territory", &["communes"]),
    (
        "organization",
        &[
            "organizations",
            "users",
            "opening_hours",
            "opening_exceptions",
            "legal_identities",
        ],
    ),
    ("auth", &["api_keys", "browser_sessions", "login_failures"]),
    (
        "catalogue",
        &[
            "resources",
            "resource_themes",
            "resource_audiences",
            "copies",
            "components",
            "catalogue_positions_version",
            "occupations",
            "maintenance_records",
        ],
    ),
    ("media", &["resource_media"]),
    (
        "booking",
        &["bookings", "booking_events", "waitlist_entries"],
    ),
    (
        "condition",
        &["condition_reports", "condition_report_lines"],
    ),
    ("transport", &["vans", "tour_plans"]),
    (
        "billing",
        &[
            "tariffs",
            "pricing_policy",
            "subsidy_programs",
            "booking_quotes",
            "invoice_sequences",
            "invoices",
            "invoice_lines",
        ],
    ),
    ("evaluation", &["booking_evaluations"]),
    (
        "allocation",
        &[
            "allocation_rounds",
            "allocation_round_resources",
            "allocation_requests",
        ],
    ),
    (
        "notify",
        &["notifications", "webhooks", "webhook_deliveries"],
    ),
    ("outbox", &["domain_events"]),
    ("audit", &["audit_log"]),
    ("idempotency", &["idempotency_keys"]),
    (
        "account",
        &["invitations", "password_resets", "password_reset_requests"],
    ),
];

/// Files whose own file-level imports are checked for cycles (the notify worker and its
/// deliveries once called each other).
const FILE_LEVEL: &[&str] = &["notify"];

fn src() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("src")
}

fn rust_files(dir: &Path, out: &mut Vec<PathBuf>) {
    let mut entries: Vec<_> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .collect();
    entries.sort();
    for path in entries {
        if path.is_dir() {
            rust_files(&path, out);
        } else if path.extension().is_some_and(|e| e == "rs") {
            out.push(path);
        }
    }
}

/// The file's code without comments and without its `#[cfg(test)]` module (tests may reach up).
fn code_of(text: &str) -> String {
    let text = match text.find("#[cfg(test)]\nmod ") {
        Some(at) => &text[..at],
        None => text,
    };
    text.lines()
        .map(|line| match line.find("//") {
            Some(at) if !line[..at].contains('"') => &line[..at],
            _ => line,
        })
        .collect::<Vec<_>>()
        .join("\n")
}

/// The module path of a file: `booking/http.rs` → [booking, http]; `notify/webhook/mod.rs` →
/// [notify, webhook].
fn module_path(rel: &Path) -> Vec<String> {
    let mut parts: Vec<String> = rel
        .iter()
        .map(|p| p.to_string_lossy().trim_end_matches(".rs").to_string())
        .collect();
    if parts.last().is_some_and(|p| p == "mod") {
        parts.pop();
    }
    parts
}

/// The unit a module path belongs to.
fn unit_of(path: &[String], tops: &BTreeSet<String>) -> Option<String> {
    let top = path.first()?;
    if !tops.contains(top) {
        return None;
    }
    let named = path.join("/");
    for (_, units) in LAYERS {
        if units.contains(&named.as_str()) {
            return Some(named);
        }
    }
    Some(top.clone())
}

fn layer_of(unit: &str) -> usize {
    LAYERS
        .iter()
        .position(|(_, units)| units.contains(&unit))
        .unwrap_or_else(|| panic!("unit {unit} is in no layer: declare it in LAYERS"))
}

/// Every `crate::a::b…` path a file names (plain, in a `use crate::{…}` group, or as `$crate`),
/// each as its segments, and every `super::…` path resolved against the file's module.
fn paths_named(code: &str, here: &[String]) -> Vec<Vec<String>> {
    let mut found = Vec::new();
    let ident = |s: &str| -> String {
        s.chars()
            .take_while(|c| c.is_alphanumeric() || *c == '_')
            .collect()
    };
    let segments = |rest: &str| -> Vec<String> {
        let mut out = Vec::new();
        let mut rest = rest;
        loop {
            let name = ident(rest);
            if name.is_empty() {
                break;
            }
            rest = &rest[name.len()..];
            out.push(name);
            match rest.strip_prefix("::") {
                Some(r) => rest = r,
                None => break,
            }
        }
        out
    };
    for (at, _) in code.match_indices("crate::") {
        let rest = &code[at + "crate::".len()..];
        if let Some(group) = rest.strip_prefix('{') {
            // `use crate::{a::b, c, d::{e, f}}`: the first segments at depth one.
            let mut depth = 1;
            let mut item = String::new();
            for c in group.chars() {
                match c {
                    '{' => depth += 1,
                    '}' => depth -= 1,
                    _ => {}
                }
                if depth == 0 || (depth == 1 && c == ',') {
                    let segs = segments(item.trim());
                    if !segs.is_empty() {
                        found.push(segs);
                    }
                    item.clear();
                    if depth == 0 {
                        break;
                    }
                } else if depth == 1 {
                    item.push(c);
                } else if depth == 2 && c == '{' {
                    item.push_str("::");
                }
            }
        } else {
            let segs = segments(rest);
            if !segs.is_empty() {
                found.push(segs);
            }
        }
    }
    for (at, _) in code.match_indices("super::") {
        // Count the chain of `super::` ending here only once, at its first link.
        if code[..at].ends_with("super::") {
            continue;
        }
        // `super` is the parent of the file's module (a `mod.rs` is its folder's module).
        let mut rest = &code[at..];
        let mut base: Vec<String> = here.to_vec();
        while let Some(r) = rest.strip_prefix("super::") {
            rest = r;
            base.pop();
        }
        let mut path = base;
        path.extend(segments(rest));
        found.push(path);
    }
    found
}

/// Strongly connected components of more than one node (Tarjan), each sorted.
fn cycles(graph: &BTreeMap<String, BTreeSet<String>>) -> Vec<Vec<String>> {
    struct Walk<'a> {
        graph: &'a BTreeMap<String, BTreeSet<String>>,
        index: BTreeMap<&'a str, usize>,
        low: BTreeMap<&'a str, usize>,
        stack: Vec<&'a str>,
        on_stack: BTreeSet<&'a str>,
        found: Vec<Vec<String>>,
    }
    fn visit<'a>(w: &mut Walk<'a>, node: &'a str) {
        let i = w.index.len();
        w.index.insert(node, i);
        w.low.insert(node, i);
        w.stack.push(node);
        w.on_stack.insert(node);
        for next in w.graph.get(node).into_iter().flatten() {
            if !w.index.contains_key(next.as_str()) {
                visit(w, next);
                let low = w.low[node].min(w.low[next.as_str()]);
                w.low.insert(node, low);
            } else if w.on_stack.contains(next.as_str()) {
                let low = w.low[node].min(w.index[next.as_str()]);
                w.low.insert(node, low);
            }
        }
        if w.low[node] == w.index[node] {
            let mut component = Vec::new();
            while let Some(top) = w.stack.pop() {
                w.on_stack.remove(top);
                component.push(top.to_string());
                if top == node {
                    break;
                }
            }
            if component.len() > 1 {
                component.sort();
                w.found.push(component);
            }
        }
    }
    let mut w = Walk {
        graph,
        index: BTreeMap::new(),
        low: BTreeMap::new(),
        stack: Vec::new(),
        on_stack: BTreeSet::new(),
        found: Vec::new(),
    };
    for node in graph.keys() {
        if !w.index.contains_key(node.as_str()) {
            visit(&mut w, node);
        }
    }
    w.found
}

/// The module graph: unit → units it imports; and per checked module, file → files.
struct Graph {
    units: BTreeMap<String, BTreeSet<String>>,
    files: BTreeMap<String, BTreeMap<String, BTreeSet<String>>>,
}

fn read_graph() -> Graph {
    let root = src();
    let mut files = Vec::new();
    rust_files(&root, &mut files);
    let tops: BTreeSet<String> = files
        .iter()
        .map(|f| module_path(f.strip_prefix(&root).unwrap())[0].clone())
        .collect();
    let modules: BTreeSet<Vec<String>> = files
        .iter()
        .map(|f| module_path(f.strip_prefix(&root).unwrap()))
        .collect();
    let mut units: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
    let mut by_file: BTreeMap<String, BTreeMap<String, BTreeSet<String>>> = BTreeMap::new();
    for file in &files {
        let rel = file.strip_prefix(&root).unwrap();
        let here = module_path(rel);
        let Some(from) = unit_of(&here, &tops) else {
            continue;
        };
        units.entry(from.clone()).or_default();
        let code = code_of(&std::fs::read_to_string(file).unwrap());
        for path in paths_named(&code, &here) {
            // The longest prefix that is a module (a file) of the crate.
            let mut target = path.clone();
            while !target.is_empty() && !modules.contains(&target) {
                target.pop();
            }
            if target.is_empty() {
                continue;
            }
            if let Some(to) = unit_of(&target, &tops) {
                if to != from {
                    units.entry(from.clone()).or_default().insert(to);
                }
            }
            if FILE_LEVEL.contains(&here[0].as_str())
                && target[0] == here[0]
                && target != here
                && rel.file_name().is_some_and(|n| n != "mod.rs")
                && modules.contains(&target)
                && !files_is_mod(&root, &target)
            {
                by_file
                    .entry(here[0].clone())
                    .or_default()
                    .entry(here.join("/"))
                    .or_default()
                    .insert(target.join("/"));
            }
        }
    }
    Graph {
        units,
        files: by_file,
    }
}

/// Whether a module is a `mod.rs` (a folder's façade, left out of the file-level check).
fn files_is_mod(root: &Path, module: &[String]) -> bool {
    root.join(module.join("/")).join("mod.rs").exists()
}

#[test]
fn imports_follow_the_layers_and_form_no_cycle() {
    let graph = read_graph();
    let mut problems = Vec::new();
    let kept = &graph.units;
    for (from, tos) in &graph.units {
        for to in tos {
            let (lf, lt) = (layer_of(from), layer_of(to));
            if lt > lf {
                problems.push(format!(
                    "{from} ({}) imports {to} ({}), a layer above it",
                    LAYERS[lf].0, LAYERS[lt].0
                ));
            }
        }
    }
    for component in cycles(kept) {
        let inside: Vec<String> = component
            .iter()
            .flat_map(|a| {
                kept[a]
                    .iter()
                    .filter(|b| component.contains(b))
                    .map(move |b| format!("{a} -> {b}"))
            })
            .collect();
        problems.push(format!(
            "cycle between {}: {}",
            component.join(", "),
            inside.join(", ")
        ));
    }
    // The same graph between top-level modules (a file named as a unit counts as its module):
    // the direction holds for whoever reads `use crate::…` module by module.
    let mut tops: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
    let top = |unit: &str| unit.split('/').next().unwrap_or(unit).to_string();
    for (from, tos) in kept {
        let entry = tops.entry(top(from)).or_default();
        entry.extend(tos.iter().map(|t| top(t)).filter(|t| *t != top(from)));
    }
    for component in cycles(&tops) {
        problems.push(format!(
            "cycle between top-level modules {}",
            component.join(", ")
        ));
    }
    for (module, files) in &graph.files {
        for component in cycles(files) {
            problems.push(format!(
                "cycle between files of {module}: {}",
                component.join(", ")
            ));
        }
    }
    assert!(
        problems.is_empty(),
        "the module graph breaks the house's direction:\n  {}",
        problems.join("\n  ")
    );
}

/// The Mermaid picture of the layers and the imports between units, as docs/architecture.md
/// shows it.
fn mermaid(graph: &Graph) -> String {
    let mut out = String::from("```mermaid\nflowchart BT\n");
    let id = |unit: &str| unit.replace('/', "_");
    for (layer, _) in LAYERS.iter().rev() {
        out.push_str(&format!("  subgraph {layer}\n"));
        for unit in graph.units.keys() {
            if LAYERS[layer_of(unit)].0 == *layer {
                out.push_str(&format!("    {}[\"{unit}\"]\n", id(unit)));
            }
        }
        out.push_str("  end\n");
    }
    for (from, tos) in &graph.units {
        for to in tos {
            out.push_str(&format!("  {} --> {}\n", id(from), id(to)));
        }
    }
    out.push_str("```\n");
    out
}

#[test]
fn architecture_doc_shows_the_module_graph_of_the_code() {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("docs/architecture.md");
    let doc = std::fs::read_to_string(&path).unwrap();
    let (begin, end) = ("<!-- module-graph:begin -->\n", "<!-- module-graph:end -->");
    let (head, rest) = doc
        .split_once(begin)
        .expect("docs/architecture.md has the module-graph markers");
    let (current, tail) = rest.split_once(end).unwrap();
    let expected = mermaid(&read_graph());
    if current != expected {
        if std::env::var_os("UPDATE_ARCHITECTURE").is_some() {
            std::fs::write(&path, format!("{head}{begin}{expected}{end}{tail}")).unwrap();
        } else {
            panic!(
                "docs/architecture.md's module graph is out of date: run \
                 `UPDATE_ARCHITECTURE=1 cargo test --test architecture`"
            );
        }
    }
}

/// Whether a file may hold SQL: a store (`store.rs`, or a file under a `store/` folder), or the
/// database layer itself.
fn is_store_file(rel: &Path) -> bool {
    let parts: Vec<String> = rel
        .iter()
        .map(|p| p.to_string_lossy().to_string())
        .collect();
    parts[0] == "db"
        || parts[0] == "schema.rs"
        || parts.last().is_some_and(|f| f == "store.rs")
        || parts[..parts.len() - 1].iter().any(|d| d == "store")
}

/// Whether `code` names the database schema: `crate::schema`, or a `schema::…` path of its own
/// (not `utoipa::openapi::schema::…`).
fn names_schema(code: &str) -> bool {
    code.match_indices("schema::").any(|(at, _)| {
        let before = &code[..at];
        before.ends_with("crate::")
            || !before
                .chars()
                .next_back()
                .is_some_and(|c| c == ':' || c.is_alphanumeric() || c == '_')
    })
}

/// The tables a file names, each with the name it goes by in the file (`use … as keys`) — from
/// `crate::schema::t`, `schema::t` and `crate::schema::{t, u as v}` — and from raw SQL
/// (`FROM t`, `JOIN t`, `UPDATE t`, `INTO t`).
fn tables_named(code: &str, tables: &BTreeSet<&str>) -> BTreeMap<String, String> {
    let mut found = BTreeMap::new();
    let ident = |s: &str| -> String {
        s.chars()
            .take_while(|c| c.is_alphanumeric() || *c == '_')
            .collect()
    };
    let mut add = |item: &str| {
        let mut words = item.split_whitespace();
        let name = words.next().map(ident).unwrap_or_default();
        let alias = match (words.next(), words.next()) {
            (Some("as"), Some(a)) => ident(a),
            _ => name.clone(),
        };
        if tables.contains(name.as_str()) {
            found.insert(name, alias);
        }
    };
    for (at, _) in code.match_indices("schema::") {
        let rest = &code[at + "schema::".len()..];
        if let Some(group) = rest.strip_prefix('{') {
            let inside = &group[..group.find('}').unwrap_or(group.len())];
            inside.split(',').for_each(&mut add);
        } else {
            let end = rest.find([';', ',', ')', '}', '.']).unwrap_or(rest.len());
            add(&rest[..end].replace("::", " :: "));
        }
    }
    let upper = code.to_uppercase();
    for keyword in ["FROM ", "JOIN ", "UPDATE ", "INTO "] {
        for (at, _) in upper.match_indices(keyword) {
            let name = ident(&code[at + keyword.len()..]);
            if tables.contains(name.as_str()) {
                found.entry(name.clone()).or_insert(name);
            }
        }
    }
    found
}

/// Whether `code` writes the table that goes by `alias`: diesel's `insert_into(t::table…)`,
/// `update(t::table…)`, `delete(t::table…)`, or raw SQL that changes or locks it.
fn writes(code: &str, alias: &str, table: &str) -> bool {
    // `diesel::delete(crate::schema::t::table)` writes `t` as much as `delete(t::table)` does.
    let squeezed: String = code
        .split_whitespace()
        .collect::<String>()
        .replace("crate::schema::", "")
        .replace("schema::", "");
    let dsl = ["insert_into(", "update(", "delete("].iter().any(|w| {
        squeezed.contains(&format!("{w}{alias}::table"))
            || squeezed.contains(&format!("{w}{table}::table"))
    });
    let upper = code.to_uppercase();
    let t = table.to_uppercase();
    let sql = [
        format!("UPDATE {t}"),
        format!("INSERT INTO {t}"),
        format!("DELETE FROM {t}"),
    ]
    .iter()
    .any(|s| upper.contains(s.as_str()))
        || (upper.contains(&format!("FROM {t}")) && upper.contains("FOR UPDATE"));
    dsl || sql
}

/// The tables of `src/schema.rs`.
fn schema_tables() -> BTreeSet<String> {
    let text = std::fs::read_to_string(src().join("schema.rs")).unwrap();
    text.split("table! {")
        .skip(1)
        .map(|rest| {
            rest.trim_start()
                .chars()
                .take_while(|c| c.is_alphanumeric() || *c == '_')
                .collect()
        })
        .collect()
}

#[test]
fn sql_lives_in_stores_and_each_table_in_its_owners() {
    let root = src();
    let mut files = Vec::new();
    rust_files(&root, &mut files);
    let all = schema_tables();
    let tables: BTreeSet<&str> = all.iter().map(String::as_str).collect();
    let mut owner: BTreeMap<&str, &str> = BTreeMap::new();
    let mut problems = Vec::new();
    for (module, owned) in OWNERS {
        for t in *owned {
            if let Some(first) = owner.insert(t, module) {
                problems.push(format!("{t} has two owners: {first} and {module}"));
            }
        }
    }
    for t in &tables {
        if !owner.contains_key(t) {
            problems.push(format!("{t} has no owner: declare it in OWNERS"));
        }
    }
    // Which top-level module reaches which (to tell a read downward from one upward).
    let graph = read_graph();
    let top = |unit: &str| unit.split('/').next().unwrap_or(unit).to_string();
    let mut tops: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
    for (from, tos) in &graph.units {
        tops.entry(top(from))
            .or_default()
            .extend(tos.iter().map(|t| top(t)));
    }
    let reaches = |from: &str, to: &str| {
        let mut seen = BTreeSet::new();
        let mut next = vec![from.to_string()];
        while let Some(m) = next.pop() {
            if m == to {
                return true;
            }
            if seen.insert(m.clone()) {
                next.extend(tops.get(&m).into_iter().flatten().cloned());
            }
        }
        false
    };
    for file in &files {
        let rel = file.strip_prefix(&root).unwrap();
        let code = code_of(&std::fs::read_to_string(file).unwrap());
        let shown = rel.display();
        if !is_store_file(rel) {
            if names_schema(&code) {
                problems.push(format!(
                    "{shown} names the schema: SQL lives in store files (store.rs, store/*.rs)"
                ));
            }
            continue;
        }
        let module = module_path(rel)[0].clone();
        if module == "db" || module == "schema" {
            continue;
        }
        for (table, alias) in tables_named(&code, &tables) {
            let Some(&owned_by) = owner.get(table.as_str()) else {
                continue;
            };
            if owned_by == module {
                continue;
            }
            if writes(&code, &alias, &table) {
                problems.push(format!(
                    "{shown} writes {table}, which {owned_by} owns: call {owned_by}'s store"
                ));
            } else if reaches(owned_by, &module) {
                problems.push(format!(
                    "{shown} reads {table}, which {owned_by} owns and {owned_by} imports \
                     {module}: the read belongs in {owned_by}'s store"
                ));
            }
        }
    }
    assert!(
        problems.is_empty(),
        "tables and their owners:\n  {}",
        problems.join("\n  ")
    );
}
