//! Small text helpers shared by the screens: numbers, dates, ids, load
//! progress and the words for counts. Pure functions of public state, so the
//! header, the tables and the status line always say the same thing.

use std::borrow::Cow;

use time::OffsetDateTime;
use unicode_width::UnicodeWidthStr;

use crate::app::table::KeyTable;
use crate::app::{App, Listing};
use crate::sanitize::{display, sanitize};

/// Keys older than this many days are flagged (`!`) and counted in the status line.
pub const OLD_DAYS: i64 = 90;

/// `1200` as `1,200`: counts of thousands of keys are read at a glance.
pub fn thousands(n: usize) -> String {
    let digits = n.to_string();
    let mut out = String::with_capacity(digits.len() + digits.len() / 3);
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i) % 3 == 0 {
            out.push(',');
        }
        out.push(c);
    }
    out
}

/// `2024-03-01`: dates sort and compare by eye; no locale surprises.
pub fn date(at: OffsetDateTime) -> String {
    let d = at.date();
    format!("{:04}-{:02}-{:02}", d.year(), u8::from(d.month()), d.day())
}

/// `2024-03-01 14:05 UTC`, for the details dialog.
pub fn date_time(at: OffsetDateTime) -> String {
    let utc = at.to_offset(time::UtcOffset::UTC);
    format!("{} {:02}:{:02} UTC", date(utc), utc.hour(), utc.minute())
}

/// The first 8 characters of an id: enough to tell keys apart in a table.
/// The id is server text, so it is sanitized first.
pub fn short_id(id: Option<&str>) -> String {
    id.map_or_else(
        || "-".to_string(),
        |id| sanitize(id).chars().take(8).collect(),
    )
}

/// Prose that may name what the console knows (a status line, an error, a
/// message): through the screen-share mask, with the names of the
/// organizations and tenants loaded so far (a few hundred at most, and only
/// for the one or two such lines on screen).
pub fn masked_prose<'a>(app: &App, mask: &crate::present::Mask, text: &'a str) -> Cow<'a, str> {
    if !mask.is_on() {
        return Cow::Borrowed(text);
    }
    let orgs = app.orgs.ready().into_iter().flatten();
    let managed = app.managed.ready().into_iter().flatten();
    let mut names: Vec<&str> = orgs
        .chain(managed)
        .filter_map(|o| o.name.as_deref())
        .collect();
    names.extend(app.tenant.as_ref().and_then(|t| t.name.as_deref()));
    mask.text_naming(text, &names)
}

/// An optional server string, sanitized and cut to `max`, or `-` when absent.
pub fn field(text: Option<&str>, max: usize) -> String {
    text.map_or_else(|| "-".to_string(), |t| display(t, max))
}

/// Display width of a string in terminal columns.
pub fn width(text: &str) -> usize {
    UnicodeWidthStr::width(text)
}

/// `20` as a `u16` column count, saturating.
pub fn cols(n: usize) -> u16 {
    u16::try_from(n).unwrap_or(u16::MAX)
}

/// What a listing is doing while it is not done: `loading page 4 of 12,
/// 340 of 1,200 keys`. `None` once it is done (or failed, or never asked).
pub fn loading(listing: &Listing) -> Option<String> {
    if !listing.running() {
        return None;
    }
    if listing.pages == 0 {
        return Some("loading…".to_string());
    }
    let pages = match listing.total_pages {
        Some(total) => format!("page {} of {}", thousands(listing.pages), thousands(total)),
        None => format!("page {}", thousands(listing.pages)),
    };
    let keys = match listing.total_items {
        Some(total) => format!("{} of {} keys", thousands(listing.items), thousands(total)),
        None => format!("{} keys", thousands(listing.items)),
    };
    Some(format!("loading {pages}, {keys}"))
}

/// The sort as words: `sorted by created ↓` (↓ newest or Z first).
pub fn sort_words(table: &KeyTable) -> String {
    format!(
        "sorted by {} {}",
        table.sort.title(),
        arrow(table.ascending)
    )
}

/// ↑ for ascending, ↓ for descending.
pub fn arrow(ascending: bool) -> &'static str {
    if ascending { "↑" } else { "↓" }
}

/// The count for a block title: `340 keys`, `12 of 340 match /splunk`, or
/// `340 keys so far` while the listing is still loading.
pub fn count_words(table: &KeyTable, listing: &Listing) -> String {
    if !table.filter().is_empty() {
        return format!(
            "{} of {} match /{}",
            thousands(table.visible_len()),
            thousands(table.len()),
            display(table.filter(), 24)
        );
    }
    let unit = if table.len() == 1 { "key" } else { "keys" };
    let so_far = if loading(listing).is_some() {
        " so far"
    } else {
        ""
    };
    format!("{} {unit}{so_far}", thousands(table.len()))
}

/// `1 day`, `412 days`.
pub fn days(n: i64) -> String {
    if n == 1 {
        "1 day".to_string()
    } else {
        format!("{n} days")
    }
}

/// The summary of a loaded table, of the rows the filter lets through:
/// `340 keys, 12 older than 90 days`, or `9 of 138 keys match, 3 older than 90 days`.
pub fn summary(table: &KeyTable, now: OffsetDateTime) -> String {
    if table.is_empty() {
        return "no keys".to_string();
    }
    let old = table.visible_older_than(OLD_DAYS, now);
    let unit = if table.len() == 1 { "key" } else { "keys" };
    let shown = if table.filter().is_empty() {
        format!("{} {unit}", thousands(table.len()))
    } else {
        format!(
            "{} of {} {unit} match",
            thousands(table.visible_len()),
            thousands(table.len())
        )
    };
    format!("{shown}, {} older than {OLD_DAYS} days", thousands(old))
}

/// Key lists from the keymap (`x/del`), with repeats removed: `backtab` and
/// `shift-tab` both print as `shift-tab`.
pub fn unique_keys(keys: &str) -> String {
    let parts: Vec<&str> = keys.split('/').collect();
    if parts.iter().any(|p| p.is_empty()) {
        // The `/` key itself: splitting would lose it.
        return keys.to_string();
    }
    let mut seen: Vec<&str> = Vec::new();
    for part in parts {
        if !seen.contains(&part) {
            seen.push(part);
        }
    }
    seen.join("/")
}

/// Server text that may hold line breaks meant as paragraphs (an error
/// explanation): each line sanitized on its own, so `\n` stays a break
/// instead of becoming a visible `\n`.
pub fn paragraphs(text: &str) -> Vec<String> {
    text.split('\n')
        .map(|line| sanitize(line.trim_end_matches('\r')).into_owned())
        .collect()
}

/// Greedy word wrap at `room` columns; a word longer than a line is cut
/// where the line ends. Done here rather than by `Paragraph::wrap` so a
/// dialog knows its exact height before drawing. Expects sanitized text.
pub fn wrap(text: &str, room: usize) -> Vec<String> {
    let room = room.max(1);
    let mut lines = Vec::new();
    let mut line = String::new();
    let mut used = 0;
    for word in text.split(' ') {
        let w = width(word);
        if used > 0 && used + 1 + w <= room {
            line.push(' ');
            line.push_str(word);
            used += 1 + w;
            continue;
        }
        if used > 0 {
            lines.push(std::mem::take(&mut line));
            used = 0;
        }
        // A word wider than the line: cut it into pieces.
        for c in word.chars() {
            let cw = width(c.encode_utf8(&mut [0; 4]));
            if used + cw > room && used > 0 {
                lines.push(std::mem::take(&mut line));
                used = 0;
            }
            line.push(c);
            used += cw;
        }
    }
    lines.push(line);
    lines
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn thousands_group_digits() {
        assert_eq!(thousands(0), "0");
        assert_eq!(thousands(999), "999");
        assert_eq!(thousands(1_200), "1,200");
        assert_eq!(thousands(1_234_567), "1,234,567");
    }

    #[test]
    fn loading_words() {
        let mut l = Listing::started(1);
        assert_eq!(loading(&l).as_deref(), Some("loading…"));
        l.pages = 4;
        l.total_pages = Some(12);
        l.items = 340;
        l.total_items = Some(1_200);
        assert_eq!(
            loading(&l).as_deref(),
            Some("loading page 4 of 12, 340 of 1,200 keys")
        );
        l.finish(Ok(()));
        assert_eq!(loading(&l), None);
    }

    #[test]
    fn unique_keys_keep_the_slash_key() {
        assert_eq!(unique_keys("shift-tab/shift-tab"), "shift-tab");
        assert_eq!(unique_keys("x/del"), "x/del");
        assert_eq!(unique_keys("/"), "/");
    }

    #[test]
    fn wrap_breaks_words_and_cuts_long_ones() {
        assert_eq!(wrap("one two three", 7), ["one two", "three"]);
        assert_eq!(wrap("abcdefghij", 4), ["abcd", "efgh", "ij"]);
        assert_eq!(wrap("", 4), [""]);
    }

    #[test]
    fn paragraphs_keep_breaks_and_escape_the_rest() {
        assert_eq!(paragraphs("a\u{1b}b\n\nc"), ["a\\x1bb", "", "c"]);
    }
}
