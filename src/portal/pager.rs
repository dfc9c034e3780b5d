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

impl Pager {
    /// Where page `page` (from 1, kept within the list) of a list of `total` items stands,
    /// `per_page` a page, and the links `link` writes for the pages around it.
    pub fn at(
        total: usize,
        page: usize,
        per_page: usize,
        of: &str,
        link: impl Fn(usize) -> String,
    ) -> Pager {
        let pages = total.div_ceil(per_page).max(1);
        let page = page.clamp(1, pages);
        let start = (page - 1) * per_page;
        let end = (start + per_page).min(total);
        let n = |n: usize| crate::page::integer(n as i64);
        Pager {
            shown: if total == 0 {
                format!("0 {of} 0")
            } else {
                format!("{}–{} {of} {}", n(start + 1), n(end), n(total))
            },
            previous: (page > 1).then(|| link(page - 1)),
            next: (page < pages).then(|| link(page + 1)),
        }
    }
}

/// The page `page` (from 1, kept within the list) of `items`, `per_page` a page, and its pager
/// whose links `link` writes for a page number.
pub fn paginate<'a, T>(
    items: &'a [T],
    page: usize,
    per_page: usize,
    of: &str,
    link: impl Fn(usize) -> String,
) -> (&'a [T], Pager) {
    let pages = items.len().div_ceil(per_page).max(1);
    let start = (page.clamp(1, pages) - 1) * per_page;
    let end = (start + per_page).min(items.len());
    let pager = Pager::at(items.len(), page, per_page, of, link);
    (&items[start..end], pager)
}
