//! Points in time on the command line: a duration ago (`7d`, `12h`, `2w`),
//! a date (`2026-05-01`, midnight UTC) or an RFC 3339 time.

use std::time::Duration;

use time::format_description::well_known::Rfc3339;
use time::macros::format_description;
use time::{Date, OffsetDateTime};

/// A point in time as given.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum When {
    Ago(Duration),
    At(OffsetDateTime),
}

impl When {
    /// The point in time, counting back from `now`.
    pub fn resolve(self, now: OffsetDateTime) -> OffsetDateTime {
        match self {
            When::Ago(span) => time::Duration::try_from(span)
                .ok()
                .and_then(|span| now.checked_sub(span))
                .unwrap_or(OffsetDateTime::UNIX_EPOCH),
            When::At(at) => at,
        }
    }
}

/// A time in a table: `2026-05-01 10:00:00`, in UTC.
pub fn short_time(at: OffsetDateTime) -> String {
    at.to_offset(time::UtcOffset::UTC)
        .format(format_description!(
            "[year]-[month]-[day] [hour]:[minute]:[second]"
        ))
        .unwrap_or_else(|_| "-".into())
}

/// Parses `7d`, `2026-05-01` or `2026-05-01T10:00:00Z`.
pub fn parse_when(text: &str) -> Result<When, String> {
    let text = text.trim();
    if let Ok(span) = humantime::parse_duration(text) {
        return Ok(When::Ago(span));
    }
    if let Ok(at) = OffsetDateTime::parse(text, &Rfc3339) {
        return Ok(When::At(at));
    }
    if let Ok(day) = Date::parse(text, format_description!("[year]-[month]-[day]")) {
        return Ok(When::At(day.midnight().assume_utc()));
    }
    Err(format!(
        "{text:?} is not a time: give a duration ago (7d, 12h, 2w), a date (2026-05-01) \
         or an RFC 3339 time (2026-05-01T10:00:00Z)"
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn durations_dates_and_times_parse() {
        let now = OffsetDateTime::from_unix_timestamp(1_800_000_000).unwrap();
        assert_eq!(
            parse_when("7d").unwrap().resolve(now),
            now - time::Duration::days(7)
        );
        assert_eq!(
            parse_when("2026-05-01").unwrap().resolve(now).to_string(),
            "2026-05-01 0:00:00.0 +00:00:00"
        );
        assert_eq!(
            parse_when("2026-05-01T10:00:00+02:00")
                .unwrap()
                .resolve(now)
                .unix_timestamp(),
            1_777_622_400
        );
        assert!(parse_when("last tuesday").unwrap_err().contains("7d"));
        assert_eq!(
            parse_when("100000y").unwrap().resolve(now),
            OffsetDateTime::UNIX_EPOCH
        );
    }
}
