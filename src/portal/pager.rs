//! Long lists cut into pages that say where they stand (« 26–46 sur 46 ») and link to the pages
//! around, so that no list is ever silently cut: coverage, the fleet.

/// Where a paginated list stands: « 26–46 sur 46 », and the links to the pages around.
pub struct Pager {
    pub shown: String,
    pub previous: Option<String>,
    pub next: Option<String>,
}

impl Pager {
    /// Whether the list needs more than one page (else no links are drawn).
    pub fn several(&self) -> bool {
        self.previous.is_some() || self.next.is_some()
    }
}

/// The page `page` (from 1, kept within the list) of `items`, `per_page` a page, and its pager whose links `link`
/// writes for a page number.
pub fn paginate<'a, T>(
    items: &'a [T],
    page: usize,
    per_page: usize,
    of: &str,
    link: impl Fn(usize) -> String,
) -> (&'a [T], Pager) {
    let pages = items.len().div_ceil(per_page).max(1);
    let page = page.clamp(1, pages);
    let start = (page - 1) * per_page;
    let end = (start + per_page).min(items.len());
    let shown = if items.is_empty() {
        format!("0 {of} 0")
    } else {
        let n = |n: usize| crate::page::integer(n as i64);
        format!("{}–{} {of} {}", n(start + 1), n(end), n(items.len()))
    };
    let pager = Pager {
        shown,
        previous: (page > 1).then(|| link(page - 1)),
        next: (page < pages).then(|| link(page + 1)),
    };
    (&items[start..end], pager)
}
