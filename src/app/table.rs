//! The key table: every loaded row, the rows that pass the filter, in the
//! chosen order, and the selection. Built for 100,000 keys: each column's
//! order is ranked once per load, so a sort is an integer sort; a filter of
//! words that extends the previous one only narrows the current rows;
//! drawing looks only at the rows on screen.
//!
//! A row is a key (with its flags, see `crate::inventory`), or a tenant that
//! could not be read (the Inventory tab shows it as a row of its own, with
//! the reason, so `r` on it retries just that tenant). Such rows come first
//! in every order.

use std::cmp::Ordering;

use time::OffsetDateTime;

use crate::api::{KeyInfo, Organization};
use crate::inventory::Flags;
use crate::sanitize::sanitize;

use super::filter::Filter;

/// A sortable column.
#[derive(Debug, Clone, Copy, PartialEq, Eq, strum::EnumIter, strum::EnumCount)]
pub enum Column {
    Name,
    Kind,
    Organization,
    Owner,
    Created,
}

impl Column {
    pub fn title(self) -> &'static str {
        match self {
            Column::Name => "name",
            Column::Kind => "kind",
            Column::Organization => "organization",
            Column::Owner => "owner",
            Column::Created => "created",
        }
    }

    fn index(self) -> usize {
        self as usize
    }

    fn next(self) -> Column {
        use strum::{EnumCount, IntoEnumIterator};
        Column::iter()
            .nth((self.index() + 1) % Column::COUNT)
            .unwrap_or(Column::Name)
    }
}

/// A tenant that could not be read, and why.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Unreachable {
    pub tenant: Organization,
    pub reason: String,
}

/// What a row holds.
#[derive(Debug, Clone)]
pub enum Entry {
    Key(KeyInfo),
    Unreachable(Unreachable),
}

impl Entry {
    pub fn key(&self) -> Option<&KeyInfo> {
        match self {
            Entry::Key(key) => Some(key),
            Entry::Unreachable(_) => None,
        }
    }
}

/// One row: what it holds, its flags and its lowercase search text.
#[derive(Debug, Clone)]
pub struct Row {
    pub entry: Entry,
    pub flags: Flags,
    haystack: String,
}

impl Row {
    pub fn new(key: KeyInfo) -> Row {
        Row::flagged(key, Flags::default())
    }

    pub fn flagged(key: KeyInfo, flags: Flags) -> Row {
        let fields = [
            key.name.as_deref(),
            key.id.as_deref(),
            key.organization_name.as_deref(),
            key.owner_email.as_deref(),
        ];
        Row {
            haystack: haystack(&fields),
            entry: Entry::Key(key),
            flags,
        }
    }

    pub fn unreachable(failure: Unreachable) -> Row {
        let fields = [
            failure.tenant.name.as_deref(),
            Some(failure.tenant.id.as_str()),
            Some(failure.reason.as_str()),
        ];
        Row {
            haystack: haystack(&fields),
            entry: Entry::Unreachable(failure),
            flags: Flags::default(),
        }
    }

    pub fn key(&self) -> Option<&KeyInfo> {
        self.entry.key()
    }
}

fn haystack(fields: &[Option<&str>]) -> String {
    fields
        .iter()
        .flatten()
        .map(|f| sanitize(f).to_lowercase())
        .collect::<Vec<_>>()
        .join("\u{1f}")
}

fn compare_keys(a: &KeyInfo, b: &KeyInfo, column: Column) -> Ordering {
    let text = |s: &Option<String>| s.as_deref().map(str::to_lowercase);
    match column {
        Column::Name => text(&a.name).cmp(&text(&b.name)),
        Column::Kind => a.kind.label().cmp(b.kind.label()),
        Column::Organization => text(&a.organization_name).cmp(&text(&b.organization_name)),
        Column::Owner => text(&a.owner_email).cmp(&text(&b.owner_email)),
        Column::Created => a.generated_on.cmp(&b.generated_on),
    }
}

/// Rows in a column's order; unreachable tenants by name among themselves
/// (they are put first by [`KeyTable::order`] whatever the direction).
fn compare(a: &Row, b: &Row, column: Column) -> Ordering {
    match (&a.entry, &b.entry) {
        (Entry::Key(a), Entry::Key(b)) => compare_keys(a, b, column),
        (Entry::Unreachable(a), Entry::Unreachable(b)) => a.tenant.name.cmp(&b.tenant.name),
        (Entry::Unreachable(_), Entry::Key(_)) => Ordering::Less,
        (Entry::Key(_), Entry::Unreachable(_)) => Ordering::Greater,
    }
}

/// The table state of one tab.
#[derive(Debug, Clone)]
pub struct KeyTable {
    rows: Vec<Row>,
    /// Per column, each row's rank in that column's order (computed lazily, dropped on change).
    ranks: [Option<Vec<u32>>; 5],
    visible: Vec<u32>,
    /// The filter as typed, lowercase.
    filter_text: String,
    filter: Filter,
    /// The clock the filter's age terms count from.
    now: OffsetDateTime,
    pub sort: Column,
    pub ascending: bool,
    pub selected: usize,
    /// Ids (lowercase) of keys added one at a time, after a generate: a
    /// listing under way may bring the same key in a later page.
    inserted: std::collections::HashSet<String>,
}

impl Default for KeyTable {
    fn default() -> Self {
        KeyTable {
            rows: Vec::new(),
            ranks: Default::default(),
            visible: Vec::new(),
            filter_text: String::new(),
            filter: Filter::default(),
            now: OffsetDateTime::UNIX_EPOCH,
            sort: Column::Created,
            ascending: false,
            selected: 0,
            inserted: std::collections::HashSet::new(),
        }
    }
}

impl KeyTable {
    /// Replaces every row (a fresh load), keeping filter, sort and the selected key.
    pub fn set_rows(&mut self, keys: Vec<KeyInfo>) {
        let selected_id = self.selected_key().and_then(|k| k.id.clone());
        self.inserted.clear();
        self.rows = keys.into_iter().map(Row::new).collect();
        self.ranks = Default::default();
        self.refilter();
        self.select_id(selected_id.as_deref());
    }

    fn keeps(&self, row: &Row) -> bool {
        match row.key() {
            Some(key) => self.filter.keeps(key, row.flags, &row.haystack, self.now),
            // An unreachable tenant passes any filter of words it matches:
            // it stays in view until it is retried.
            None => self.filter.is_words() && self.filter.keeps_text(&row.haystack),
        }
    }

    /// Adds keys as a page arrives.
    pub fn extend(&mut self, mut keys: Vec<KeyInfo>) {
        if !self.inserted.is_empty() {
            let inserted = &self.inserted;
            keys.retain(|k| {
                k.id.as_deref()
                    .is_none_or(|id| !inserted.contains(&id.to_lowercase()))
            });
        }
        self.extend_rows(keys.into_iter().map(Row::new).collect());
    }

    /// Adds rows. Only the new rows are filtered and sorted; their places in
    /// the current order are found by binary search and the order is rebuilt
    /// in one pass, so a load of N pages costs about N·k·log n comparisons,
    /// not N full sorts.
    pub fn extend_rows(&mut self, new: Vec<Row>) {
        if new.is_empty() {
            return;
        }
        let selected = self.visible.get(self.selected).copied();
        let start = self.rows.len() as u32;
        self.rows.extend(new);
        self.ranks = Default::default();
        let mut fresh: Vec<u32> = (start..self.rows.len() as u32)
            .filter(|&i| self.keeps(&self.rows[i as usize]))
            .collect();
        let order = |a: u32, b: u32| self.order(a, b);
        fresh.sort_by(|&a, &b| order(a, b));
        let mut merged = Vec::with_capacity(self.visible.len() + fresh.len());
        let mut taken = 0;
        for &new in &fresh {
            let at = taken + self.visible[taken..].partition_point(|&old| order(old, new).is_lt());
            merged.extend_from_slice(&self.visible[taken..at]);
            merged.push(new);
            taken = at;
        }
        merged.extend_from_slice(&self.visible[taken..]);
        self.visible = merged;
        if let Some(row) = selected {
            if let Some(pos) = self.visible.iter().position(|&i| i == row) {
                self.selected = pos;
            }
        }
    }

    /// The display order of two rows: unreachable tenants first, then the
    /// sort column, ties by arrival; the same order the rank arrays give.
    fn order(&self, a: u32, b: u32) -> Ordering {
        let (ra, rb) = (&self.rows[a as usize], &self.rows[b as usize]);
        let first = ra.key().is_some().cmp(&rb.key().is_some());
        if first.is_ne() {
            return first;
        }
        let by_column = compare(ra, rb, self.sort).then(a.cmp(&b));
        if self.ascending {
            by_column
        } else {
            by_column.reverse()
        }
    }

    /// Removes the key with this id (after a revoke).
    pub fn remove(&mut self, id: &str) {
        self.remove_where(|row| row.key().is_some_and(|k| k.id.as_deref() == Some(id)));
    }

    /// Removes the rows `gone` says, keeping the selection in place.
    pub fn remove_where(&mut self, gone: impl Fn(&Row) -> bool) {
        let before = self.selected;
        self.rows.retain(|r| !gone(r));
        self.ranks = Default::default();
        self.refilter();
        self.selected = before.min(self.visible.len().saturating_sub(1));
    }

    /// Adds one key (after a generate) and selects it.
    pub fn insert(&mut self, key: KeyInfo) {
        let id = key.id.clone();
        self.extend(vec![key]);
        if let Some(id) = &id {
            self.inserted.insert(id.to_lowercase());
        }
        self.select_id(id.as_deref());
    }

    /// Selects the key with this id (ids compare without case), clearing
    /// a filter that hides it; answers the key, or `None` if it is not listed.
    pub fn reveal_id(&mut self, id: &str, now: OffsetDateTime) -> Option<KeyInfo> {
        let same = |k: &KeyInfo| k.id.as_deref().is_some_and(|i| i.eq_ignore_ascii_case(id));
        let key = self
            .rows
            .iter()
            .filter_map(Row::key)
            .find(|k| same(k))?
            .clone();
        let shown = self
            .visible
            .iter()
            .any(|&i| self.rows[i as usize].key().is_some_and(same));
        if !shown {
            self.set_filter("", now);
        }
        self.select_id(key.id.as_deref());
        Some(key)
    }

    fn select_id(&mut self, id: Option<&str>) {
        if let Some(id) = id {
            if let Some(pos) = self.visible.iter().position(|&i| {
                self.rows[i as usize]
                    .key()
                    .is_some_and(|k| k.id.as_deref() == Some(id))
            }) {
                self.selected = pos;
                return;
            }
        }
        self.selected = self.selected.min(self.visible.len().saturating_sub(1));
    }

    pub fn len(&self) -> usize {
        self.rows.len()
    }

    /// Keys (not unreachable tenants) among all rows.
    pub fn key_count(&self) -> usize {
        self.rows.iter().filter(|r| r.key().is_some()).count()
    }

    pub fn is_empty(&self) -> bool {
        self.rows.is_empty()
    }

    pub fn visible_len(&self) -> usize {
        self.visible.len()
    }

    /// The filter as typed.
    pub fn filter(&self) -> &str {
        &self.filter_text
    }

    /// The visible rows from `start`, at most `count`.
    pub fn rows_from(&self, start: usize, count: usize) -> impl Iterator<Item = &Row> {
        self.visible
            .iter()
            .skip(start)
            .take(count)
            .map(|&i| &self.rows[i as usize])
    }

    /// The visible keys from `start`, at most `count` rows looked at.
    pub fn window(&self, start: usize, count: usize) -> impl Iterator<Item = &KeyInfo> {
        self.rows_from(start, count).filter_map(Row::key)
    }

    /// Every visible row, in order.
    pub fn visible_rows(&self) -> impl Iterator<Item = &Row> {
        self.rows_from(0, self.visible.len())
    }

    pub fn selected_row(&self) -> Option<&Row> {
        self.visible
            .get(self.selected)
            .map(|&i| &self.rows[i as usize])
    }

    pub fn selected_key(&self) -> Option<&KeyInfo> {
        self.selected_row().and_then(Row::key)
    }

    /// Sets the filter (counting ages from `now`); a filter of words that
    /// extends the previous one narrows incrementally.
    pub fn set_filter(&mut self, text: &str, now: OffsetDateTime) {
        let text = text.to_lowercase();
        let filter = Filter::parse(&text);
        let narrowing = !self.filter_text.is_empty()
            && text.starts_with(&self.filter_text)
            && filter.is_words()
            && self.filter.is_words()
            && now == self.now;
        self.filter_text = text;
        self.filter = filter;
        self.now = now;
        if narrowing {
            let visible = std::mem::take(&mut self.visible);
            self.visible = visible
                .into_iter()
                .filter(|&i| self.keeps(&self.rows[i as usize]))
                .collect();
        } else {
            self.refilter();
        }
        self.selected = self.selected.min(self.visible.len().saturating_sub(1));
    }

    fn refilter(&mut self) {
        self.visible = (0..self.rows.len() as u32)
            .filter(|&i| self.keeps(&self.rows[i as usize]))
            .collect();
        self.apply_sort();
    }

    fn ranks(&mut self, column: Column) -> &[u32] {
        let slot = column.index();
        if self.ranks[slot].is_none() {
            let mut order: Vec<u32> = (0..self.rows.len() as u32).collect();
            let rows = &self.rows;
            order.sort_by(|&a, &b| compare(&rows[a as usize], &rows[b as usize], column));
            let mut rank = vec![0u32; self.rows.len()];
            for (position, &row) in order.iter().enumerate() {
                rank[row as usize] = position as u32;
            }
            self.ranks[slot] = Some(rank);
        }
        self.ranks[slot].as_deref().unwrap_or(&[])
    }

    /// Ranks every column now (after a load), so a later sort key press is only an integer sort.
    pub fn prepare_sorts(&mut self) {
        use strum::IntoEnumIterator;
        for column in Column::iter() {
            self.ranks(column);
        }
    }

    fn apply_sort(&mut self) {
        let ascending = self.ascending;
        let column = self.sort;
        let mut visible = std::mem::take(&mut self.visible);
        let keys: Vec<bool> = self.rows.iter().map(|r| r.key().is_some()).collect();
        let ranks = self.ranks(column);
        // Unreachable tenants first in either direction.
        if ascending {
            visible.sort_unstable_by_key(|&i| (keys[i as usize], ranks[i as usize]));
        } else {
            visible.sort_unstable_by_key(|&i| {
                (keys[i as usize], std::cmp::Reverse(ranks[i as usize]))
            });
        }
        self.visible = visible;
    }

    /// `s`: the next column (ascending, but newest first for dates). A
    /// table of one kind skips the kind column: that sort would do nothing.
    pub fn next_sort(&mut self, single_kind: bool) {
        let id = self.selected_key().and_then(|k| k.id.clone());
        self.sort = self.sort.next();
        if single_kind && self.sort == Column::Kind {
            self.sort = self.sort.next();
        }
        self.ascending = self.sort != Column::Created;
        self.apply_sort();
        self.select_id(id.as_deref());
    }

    /// `S`: reverse the order.
    pub fn reverse_sort(&mut self) {
        let id = self.selected_key().and_then(|k| k.id.clone());
        self.ascending = !self.ascending;
        self.apply_sort();
        self.select_id(id.as_deref());
    }

    /// Moves the selection by `delta` rows, clamped.
    pub fn move_by(&mut self, delta: isize) {
        let last = self.visible.len().saturating_sub(1);
        self.selected = self.selected.saturating_add_signed(delta).min(last);
    }

    pub fn select(&mut self, index: usize) {
        self.selected = index.min(self.visible.len().saturating_sub(1));
    }

    /// Keys older than `days` among the rows the filter lets through.
    pub fn visible_older_than(&self, days: i64, now: OffsetDateTime) -> usize {
        self.visible_rows()
            .filter_map(Row::key)
            .filter(|k| k.age_days(now).is_some_and(|d| d > days))
            .count()
    }

    /// Whether any row is of a kind r7keys does not know (then a user-key
    /// table shows the kind column after all).
    pub fn has_unknown_kinds(&self) -> bool {
        self.rows
            .iter()
            .filter_map(Row::key)
            .any(|k| matches!(k.kind, crate::api::KeyKind::Other(_)))
    }

    /// Keys older than `days` among all rows.
    pub fn older_than(&self, days: i64, now: OffsetDateTime) -> usize {
        self.rows
            .iter()
            .filter_map(Row::key)
            .filter(|k| k.age_days(now).is_some_and(|d| d > days))
            .count()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::api::KeyKind;
    use crate::inventory::Flag;

    fn key(id: &str, name: &str, days: i64) -> KeyInfo {
        KeyInfo {
            id: Some(id.into()),
            name: Some(name.into()),
            kind: KeyKind::User,
            organization_id: None,
            organization_name: Some("Acme".into()),
            owner_id: None,
            owner_email: Some(format!("{id}@x.example")),
            generated_on: Some(OffsetDateTime::UNIX_EPOCH + time::Duration::days(days)),
            tenant: None,
            wire_type: None,
        }
    }

    fn names(table: &KeyTable) -> Vec<String> {
        table
            .window(0, 100)
            .map(|k| k.name.clone().unwrap_or_default())
            .collect()
    }

    const NOW: OffsetDateTime = OffsetDateTime::UNIX_EPOCH;

    #[test]
    fn filters_narrow_and_widen() {
        let mut table = KeyTable::default();
        table.set_rows(vec![
            key("1", "splunk-prod", 1),
            key("2", "splunk-dev", 2),
            key("3", "jira", 3),
        ]);
        table.set_filter("spl", NOW);
        assert_eq!(table.visible_len(), 2);
        table.set_filter("splunk-p", NOW);
        assert_eq!(names(&table), ["splunk-prod"]);
        table.set_filter("j", NOW);
        assert_eq!(names(&table), ["jira"]);
        table.set_filter("", NOW);
        assert_eq!(table.visible_len(), 3);
    }

    #[test]
    fn terms_and_flags_filter_too() {
        let mut table = KeyTable::default();
        table.extend_rows(vec![
            Row::flagged(key("1", "a", 1), Flags::default().with(Flag::Orphan)),
            Row::flagged(key("2", "b", 2), Flags::default()),
        ]);
        table.set_filter("flag:orphan", NOW);
        assert_eq!(names(&table), ["a"]);
        let later = NOW + time::Duration::days(100);
        table.set_filter("age>98d", later);
        assert_eq!(names(&table), ["a"], "a is 99 days old, b 98");
    }

    #[test]
    fn unreachable_tenants_come_first_in_both_orders() {
        let mut table = KeyTable::default();
        table.extend_rows(vec![
            Row::new(key("1", "a", 1)),
            Row::unreachable(Unreachable {
                tenant: Organization {
                    id: "t".into(),
                    name: Some("Globex".into()),
                    region: Some("eu".into()),
                    external_id: None,
                },
                reason: "timed out".into(),
            }),
            Row::new(key("2", "b", 2)),
        ]);
        assert!(
            table
                .rows_from(0, 1)
                .next()
                .is_some_and(|r| r.key().is_none())
        );
        table.reverse_sort();
        assert!(
            table
                .rows_from(0, 1)
                .next()
                .is_some_and(|r| r.key().is_none())
        );
        table.select(0);
        assert!(table.selected_key().is_none(), "a tenant row is no key");
        assert_eq!(table.key_count(), 2);
        table.remove_where(|r| r.key().is_none());
        assert_eq!(table.len(), 2);
    }

    #[test]
    fn sorts_cycle_reverse_and_keep_the_selection() {
        let mut table = KeyTable::default();
        table.set_rows(vec![key("1", "b", 1), key("2", "a", 3), key("3", "c", 2)]);
        assert_eq!(names(&table), ["a", "c", "b"], "newest first by default");
        table.select(1);
        table.next_sort(true);
        assert_eq!(table.sort, Column::Name);
        assert_eq!(names(&table), ["a", "b", "c"]);
        assert_eq!(
            table.selected_key().and_then(|k| k.name.clone()).as_deref(),
            Some("c")
        );
        table.reverse_sort();
        assert_eq!(names(&table), ["c", "b", "a"]);
        table.next_sort(true);
        assert_eq!(
            table.sort,
            Column::Organization,
            "a single-kind table skips kind"
        );
        table.sort = Column::Name;
        table.next_sort(false);
        assert_eq!(table.sort, Column::Kind);
    }

    #[test]
    fn pages_merge_into_the_order_a_full_sort_gives() {
        let page = |from: usize| -> Vec<KeyInfo> {
            (from..from + 50)
                .map(|i| {
                    key(
                        &i.to_string(),
                        &format!("k{}", (i * 7919) % 113),
                        i64::try_from((i * 31) % 17).unwrap_or(0),
                    )
                })
                .collect()
        };
        for (sort_steps, reverse) in [(0, false), (1, false), (1, true), (3, false)] {
            let mut progressive = KeyTable::default();
            let mut whole = KeyTable::default();
            for _ in 0..sort_steps {
                progressive.next_sort(false);
                whole.next_sort(false);
            }
            if reverse {
                progressive.reverse_sort();
                whole.reverse_sort();
            }
            progressive.set_filter("k1", NOW);
            whole.set_filter("k1", NOW);
            let mut all = Vec::new();
            for from in [0, 50, 100, 150] {
                progressive.extend(page(from));
                all.extend(page(from));
            }
            whole.set_rows(all);
            let ids = |t: &KeyTable| t.window(0, 1000).map(|k| k.id.clone()).collect::<Vec<_>>();
            assert_eq!(
                ids(&progressive),
                ids(&whole),
                "sort step {sort_steps}, reversed {reverse}"
            );
        }
    }

    #[test]
    fn removal_and_insertion() {
        let mut table = KeyTable::default();
        table.set_rows(vec![key("1", "a", 1), key("2", "b", 2)]);
        table.remove("2");
        assert_eq!(names(&table), ["a"]);
        table.insert(key("3", "new", 5));
        assert_eq!(
            table.selected_key().and_then(|k| k.id.clone()).as_deref(),
            Some("3")
        );
    }

    #[test]
    fn moving_is_clamped() {
        let mut table = KeyTable::default();
        table.set_rows(vec![key("1", "a", 1), key("2", "b", 2)]);
        table.move_by(-5);
        assert_eq!(table.selected, 0);
        table.move_by(10);
        assert_eq!(table.selected, 1);
    }
}
