//! The key table: every loaded key, the rows that pass the filter, in the
//! chosen order, and the selection. Built for 100,000 keys: each column's
//! order is ranked once per load, so a sort is an integer sort; a filter that
//! extends the previous one only narrows the current rows; drawing looks only
//! at the rows on screen.

use std::cmp::Ordering;

use time::OffsetDateTime;

use crate::api::KeyInfo;
use crate::sanitize::sanitize;

/// A sortable column.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Column {
    Name,
    Kind,
    Organization,
    Owner,
    Created,
}

impl Column {
    pub const ALL: [Column; 5] = [
        Column::Name,
        Column::Kind,
        Column::Organization,
        Column::Owner,
        Column::Created,
    ];

    pub fn title(self) -> &'static str {
        match self {
            Column::Name => "name",
            Column::Kind => "kind",
            Column::Organization => "organization",
            Column::Owner => "owner",
            Column::Created => "created",
        }
    }

    fn next(self) -> Column {
        let i = Column::ALL.iter().position(|c| *c == self).unwrap_or(0);
        Column::ALL[(i + 1) % Column::ALL.len()]
    }
}

/// One key and its lowercase search text.
#[derive(Debug, Clone)]
pub struct Row {
    pub key: KeyInfo,
    haystack: String,
}

impl Row {
    pub fn new(key: KeyInfo) -> Row {
        let fields = [
            key.name.as_deref(),
            key.id.as_deref(),
            key.organization_name.as_deref(),
            key.owner_email.as_deref(),
        ];
        let haystack = fields
            .iter()
            .flatten()
            .map(|f| sanitize(f).to_lowercase())
            .collect::<Vec<_>>()
            .join("\u{1f}");
        Row { key, haystack }
    }
}

fn compare(a: &KeyInfo, b: &KeyInfo, column: Column) -> Ordering {
    let text = |s: &Option<String>| s.as_deref().map(str::to_lowercase);
    match column {
        Column::Name => text(&a.name).cmp(&text(&b.name)),
        Column::Kind => a.kind.label().cmp(b.kind.label()),
        Column::Organization => text(&a.organization_name).cmp(&text(&b.organization_name)),
        Column::Owner => text(&a.owner_email).cmp(&text(&b.owner_email)),
        Column::Created => a.generated_on.cmp(&b.generated_on),
    }
}

/// The table state of one tab.
#[derive(Debug, Clone)]
pub struct KeyTable {
    rows: Vec<Row>,
    /// Per column, each row's rank in that column's order (computed lazily, dropped on change).
    ranks: [Option<Vec<u32>>; 5],
    visible: Vec<u32>,
    filter: String,
    pub sort: Column,
    pub ascending: bool,
    pub selected: usize,
}

impl Default for KeyTable {
    fn default() -> Self {
        KeyTable {
            rows: Vec::new(),
            ranks: Default::default(),
            visible: Vec::new(),
            filter: String::new(),
            sort: Column::Created,
            ascending: false,
            selected: 0,
        }
    }
}

impl KeyTable {
    /// Replaces every row (a fresh load), keeping filter, sort and the selected key.
    pub fn set_rows(&mut self, keys: Vec<KeyInfo>) {
        let selected_id = self.selected_key().and_then(|k| k.id.clone());
        self.rows = keys.into_iter().map(Row::new).collect();
        self.ranks = Default::default();
        self.refilter();
        self.select_id(selected_id.as_deref());
    }

    /// Adds rows as a page arrives. Only the new rows are filtered and
    /// sorted; their places in the current order are found by binary search
    /// and the order is rebuilt in one pass, so a load of N pages costs
    /// about N·k·log n comparisons, not N full sorts.
    pub fn extend(&mut self, keys: Vec<KeyInfo>) {
        if keys.is_empty() {
            return;
        }
        let selected = self.visible.get(self.selected).copied();
        let start = self.rows.len() as u32;
        self.rows.extend(keys.into_iter().map(Row::new));
        self.ranks = Default::default();
        let filter = self.filter.as_str();
        let mut fresh: Vec<u32> = (start..self.rows.len() as u32)
            .filter(|&i| filter.is_empty() || self.rows[i as usize].haystack.contains(filter))
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

    /// The display order of two rows: the sort column, ties by arrival;
    /// the same order the rank arrays give.
    fn order(&self, a: u32, b: u32) -> Ordering {
        let by_column = compare(
            &self.rows[a as usize].key,
            &self.rows[b as usize].key,
            self.sort,
        )
        .then(a.cmp(&b));
        if self.ascending {
            by_column
        } else {
            by_column.reverse()
        }
    }

    /// Removes the key with this id (after a revoke).
    pub fn remove(&mut self, id: &str) {
        let before = self.selected;
        self.rows.retain(|r| r.key.id.as_deref() != Some(id));
        self.ranks = Default::default();
        self.refilter();
        self.selected = before.min(self.visible.len().saturating_sub(1));
    }

    /// Adds one key (after a generate) and selects it.
    pub fn insert(&mut self, key: KeyInfo) {
        let id = key.id.clone();
        self.extend(vec![key]);
        self.select_id(id.as_deref());
    }

    fn select_id(&mut self, id: Option<&str>) {
        if let Some(id) = id {
            if let Some(pos) = self
                .visible
                .iter()
                .position(|&i| self.rows[i as usize].key.id.as_deref() == Some(id))
            {
                self.selected = pos;
                return;
            }
        }
        self.selected = self.selected.min(self.visible.len().saturating_sub(1));
    }

    pub fn len(&self) -> usize {
        self.rows.len()
    }

    pub fn is_empty(&self) -> bool {
        self.rows.is_empty()
    }

    pub fn visible_len(&self) -> usize {
        self.visible.len()
    }

    pub fn filter(&self) -> &str {
        &self.filter
    }

    /// The visible rows from `start`, at most `count`.
    pub fn window(&self, start: usize, count: usize) -> impl Iterator<Item = &KeyInfo> {
        self.visible
            .iter()
            .skip(start)
            .take(count)
            .map(|&i| &self.rows[i as usize].key)
    }

    pub fn selected_key(&self) -> Option<&KeyInfo> {
        self.visible
            .get(self.selected)
            .map(|&i| &self.rows[i as usize].key)
    }

    /// Sets the filter; narrowing is incremental.
    pub fn set_filter(&mut self, filter: &str) {
        let filter = filter.to_lowercase();
        if !self.filter.is_empty() && filter.starts_with(&self.filter) {
            let rows = &self.rows;
            self.visible
                .retain(|&i| rows[i as usize].haystack.contains(&filter));
            self.filter = filter;
        } else {
            self.filter = filter;
            self.refilter();
        }
        self.selected = self.selected.min(self.visible.len().saturating_sub(1));
    }

    fn refilter(&mut self) {
        let filter = &self.filter;
        self.visible = (0..self.rows.len() as u32)
            .filter(|&i| {
                filter.is_empty() || self.rows[i as usize].haystack.contains(filter.as_str())
            })
            .collect();
        self.apply_sort();
    }

    fn ranks(&mut self, column: Column) -> &[u32] {
        let slot = Column::ALL.iter().position(|c| *c == column).unwrap_or(0);
        if self.ranks[slot].is_none() {
            let mut order: Vec<u32> = (0..self.rows.len() as u32).collect();
            let rows = &self.rows;
            order.sort_by(|&a, &b| compare(&rows[a as usize].key, &rows[b as usize].key, column));
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
        for column in Column::ALL {
            self.ranks(column);
        }
    }

    fn apply_sort(&mut self) {
        let ascending = self.ascending;
        let column = self.sort;
        let mut visible = std::mem::take(&mut self.visible);
        let ranks = self.ranks(column);
        if ascending {
            visible.sort_unstable_by_key(|&i| ranks[i as usize]);
        } else {
            visible.sort_unstable_by_key(|&i| std::cmp::Reverse(ranks[i as usize]));
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
        self.visible
            .iter()
            .filter(|&&i| {
                self.rows[i as usize]
                    .key
                    .age_days(now)
                    .is_some_and(|d| d > days)
            })
            .count()
    }

    /// Whether any row is of a kind r7keys does not know (then a user-key
    /// table shows the kind column after all).
    pub fn has_unknown_kinds(&self) -> bool {
        self.rows
            .iter()
            .any(|r| matches!(r.key.kind, crate::api::KeyKind::Other(_)))
    }

    /// Keys older than `days` among all rows.
    pub fn older_than(&self, days: i64, now: OffsetDateTime) -> usize {
        self.rows
            .iter()
            .filter(|r| r.key.age_days(now).is_some_and(|d| d > days))
            .count()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::api::KeyKind;

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

    #[test]
    fn filters_narrow_and_widen() {
        let mut table = KeyTable::default();
        table.set_rows(vec![
            key("1", "splunk-prod", 1),
            key("2", "splunk-dev", 2),
            key("3", "jira", 3),
        ]);
        table.set_filter("spl");
        assert_eq!(table.visible_len(), 2);
        table.set_filter("splunk-p");
        assert_eq!(names(&table), ["splunk-prod"]);
        table.set_filter("j");
        assert_eq!(names(&table), ["jira"]);
        table.set_filter("");
        assert_eq!(table.visible_len(), 3);
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
            progressive.set_filter("k1");
            whole.set_filter("k1");
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
