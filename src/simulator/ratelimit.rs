//! Per-key fixed-window rate limiting, as the platform's gateway (Kong) does:
//! a budget of N requests per window, advertised on every answer.
//!
//! Each region is served by its own gateway, so a key has one budget per
//! region: a multi-tenant fan-out over five regions has five budgets.
//!
//! How the budget is spelt on the wire is not settled (contract Part 1 and
//! section 5), so [`RateHeaders`] serves each plausible shape.

use std::collections::HashMap;
use std::fmt;
use std::str::FromStr;
use std::sync::{Mutex, PoisonError};
use std::time::{Duration, Instant};

use time::OffsetDateTime;

use crate::region::Region;

/// The shape of the rate-limit headers, all plausible for Rapid7's gateway.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub enum RateHeaders {
    /// As recorded from the Account API: `RateLimit-Limit/-Remaining/-Reset`,
    /// the reset in seconds left; a 429 adds `Retry-After` in seconds.
    #[default]
    Standard,
    /// As the API overview documents it: `RateLimit-Reset` is the UTC epoch
    /// second of the reset; a 429's `Retry-After` is an HTTP date.
    Epoch,
    /// Only `X-RateLimit-Limit/-Remaining/-Reset` (the reset in epoch
    /// seconds), as Log Search clients know them; a 429's `Retry-After` is an HTTP date.
    XOnly,
}

impl RateHeaders {
    pub const NAMES: &'static str = "standard, epoch or x-only";
}

impl FromStr for RateHeaders {
    type Err = String;

    fn from_str(text: &str) -> Result<Self, Self::Err> {
        match text.trim().to_ascii_lowercase().as_str() {
            "standard" => Ok(RateHeaders::Standard),
            "epoch" => Ok(RateHeaders::Epoch),
            "x-only" => Ok(RateHeaders::XOnly),
            _ => Err(format!(
                "unknown rate-limit header shape {text:?}; expected {}",
                RateHeaders::NAMES
            )),
        }
    }
}

impl fmt::Display for RateHeaders {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            RateHeaders::Standard => "standard",
            RateHeaders::Epoch => "epoch",
            RateHeaders::XOnly => "x-only",
        })
    }
}

/// What one answer advertises about the budget.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Advert {
    /// The window's size in requests (a throttle fault does not say).
    pub limit: Option<u32>,
    pub remaining: u32,
    /// Whole seconds until the window resets.
    pub reset_secs: u64,
    /// A 429: also say when to retry.
    pub refused: bool,
}

impl From<Budget> for Advert {
    fn from(budget: Budget) -> Self {
        Advert {
            limit: Some(budget.limit),
            remaining: budget.remaining,
            reset_secs: budget.reset_secs,
            refused: false,
        }
    }
}

/// An HTTP date (RFC 9110 IMF-fixdate), e.g. `Sun, 06 Nov 1994 08:49:37 GMT`.
pub fn http_date(at: OffsetDateTime) -> String {
    let format = time::macros::format_description!(
        "[weekday repr:short], [day] [month repr:short] [year] [hour]:[minute]:[second] GMT"
    );
    at.to_offset(time::UtcOffset::UTC)
        .format(&format)
        .unwrap_or_default()
}

/// The furthest reset a date is written for (about 100 years): any larger
/// wait, from a huge `--rate-limit` window or `429=` fault, is written as this.
const LONGEST_RESET_SECS: u64 = 100 * 366 * 86_400;

/// The rate-limit headers of an answer in `shape`, as names and values, at `now`.
pub fn rate_headers(
    shape: RateHeaders,
    advert: Advert,
    now: OffsetDateTime,
) -> Vec<(&'static str, String)> {
    let reset_at = now
        .checked_add(time::Duration::seconds(
            i64::try_from(advert.reset_secs.min(LONGEST_RESET_SECS)).unwrap_or(0),
        ))
        .unwrap_or(now);
    let reset_epoch = reset_at.unix_timestamp().to_string();
    let (limit, remaining, reset, reset_value, retry_value) = match shape {
        RateHeaders::Standard => (
            "ratelimit-limit",
            "ratelimit-remaining",
            "ratelimit-reset",
            advert.reset_secs.to_string(),
            advert.reset_secs.to_string(),
        ),
        RateHeaders::Epoch => (
            "ratelimit-limit",
            "ratelimit-remaining",
            "ratelimit-reset",
            reset_epoch,
            http_date(reset_at),
        ),
        RateHeaders::XOnly => (
            "x-ratelimit-limit",
            "x-ratelimit-remaining",
            "x-ratelimit-reset",
            reset_epoch,
            http_date(reset_at),
        ),
    };
    let mut headers = Vec::with_capacity(4);
    if let Some(n) = advert.limit {
        headers.push((limit, n.to_string()));
    }
    headers.push((remaining, advert.remaining.to_string()));
    headers.push((reset, reset_value));
    if advert.refused {
        headers.push(("retry-after", retry_value));
    }
    headers
}

/// Whose budget: a key (by slot) at one region's gateway.
pub type BudgetKey = (u32, Region);

/// What is left of a key's budget after a request.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Budget {
    pub limit: u32,
    pub remaining: u32,
    /// Whole seconds until the window resets (at least 1).
    pub reset_secs: u64,
}

/// The limiter; one bucket per key.
pub struct RateLimiter {
    limit: u32,
    window: Duration,
    buckets: Mutex<HashMap<BudgetKey, (Instant, u32)>>,
}

impl RateLimiter {
    pub fn new(limit: u32, window: Duration) -> Self {
        RateLimiter {
            limit,
            window,
            buckets: Mutex::new(HashMap::new()),
        }
    }

    /// Spends one request of `key`'s budget. `Err` when the budget is spent:
    /// the request must be refused with 429, and `reset_secs` is its `Retry-After`.
    pub fn spend(&self, key: BudgetKey) -> Result<Budget, Budget> {
        let now = Instant::now();
        let mut buckets = self.buckets.lock().unwrap_or_else(PoisonError::into_inner);
        let (start, used) = buckets.entry(key).or_insert((now, 0));
        if now.duration_since(*start) >= self.window {
            *start = now;
            *used = 0;
        }
        let left = self.window.saturating_sub(now.duration_since(*start));
        let reset_secs = left.as_secs() + u64::from(left.subsec_nanos() > 0);
        let reset_secs = reset_secs.max(1);
        if *used >= self.limit {
            return Err(Budget {
                limit: self.limit,
                remaining: 0,
                reset_secs,
            });
        }
        *used += 1;
        Ok(Budget {
            limit: self.limit,
            remaining: self.limit - *used,
            reset_secs,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn advert(refused: bool) -> Advert {
        Advert {
            limit: Some(50),
            remaining: if refused { 0 } else { 49 },
            reset_secs: 59,
            refused,
        }
    }

    #[test]
    fn each_shape_spells_the_same_budget() {
        // 1994-11-06 08:49:37 UTC, RFC 9110's example date.
        let now = OffsetDateTime::from_unix_timestamp(784_111_777).unwrap();
        let reset = (784_111_777 + 59).to_string();
        let reset_date = "Sun, 06 Nov 1994 08:50:36 GMT".to_string();
        let owned = |pairs: &[(&'static str, &str)]| {
            pairs
                .iter()
                .map(|&(k, v)| (k, v.to_string()))
                .collect::<Vec<_>>()
        };
        assert_eq!(
            rate_headers(RateHeaders::Standard, advert(true), now),
            owned(&[
                ("ratelimit-limit", "50"),
                ("ratelimit-remaining", "0"),
                ("ratelimit-reset", "59"),
                ("retry-after", "59"),
            ])
        );
        assert_eq!(
            rate_headers(RateHeaders::Epoch, advert(true), now),
            owned(&[
                ("ratelimit-limit", "50"),
                ("ratelimit-remaining", "0"),
                ("ratelimit-reset", &reset),
                ("retry-after", &reset_date),
            ])
        );
        assert_eq!(
            rate_headers(RateHeaders::XOnly, advert(false), now),
            owned(&[
                ("x-ratelimit-limit", "50"),
                ("x-ratelimit-remaining", "49"),
                ("x-ratelimit-reset", &reset),
            ])
        );
        assert_eq!(
            http_date(OffsetDateTime::from_unix_timestamp(784_111_777).unwrap()),
            "Sun, 06 Nov 1994 08:49:37 GMT"
        );
    }

    #[test]
    fn an_enormous_wait_is_written_not_a_panic() {
        let advert = Advert {
            limit: None,
            remaining: 0,
            reset_secs: u64::MAX,
            refused: true,
        };
        let now = OffsetDateTime::now_utc();
        for shape in [
            RateHeaders::Standard,
            RateHeaders::Epoch,
            RateHeaders::XOnly,
        ] {
            let headers = rate_headers(shape, advert, now);
            assert_eq!(headers.len(), 3, "{shape}: {headers:?}");
        }
        let epoch = rate_headers(RateHeaders::Epoch, advert, now);
        let reset: i64 = epoch[1].1.parse().unwrap();
        assert!(
            reset > now.unix_timestamp() + 90 * 365 * 86_400,
            "{epoch:?}"
        );
    }

    #[test]
    fn shapes_parse_and_print() {
        for shape in [
            RateHeaders::Standard,
            RateHeaders::Epoch,
            RateHeaders::XOnly,
        ] {
            assert_eq!(shape.to_string().parse::<RateHeaders>(), Ok(shape));
        }
        let error = "seconds".parse::<RateHeaders>().unwrap_err();
        assert!(
            error.contains("seconds") && error.contains("x-only"),
            "{error}"
        );
    }

    #[test]
    fn budget_counts_down_then_refuses_per_key() {
        let limiter = RateLimiter::new(2, Duration::from_secs(60));
        assert_eq!(limiter.spend((1, Region::Us)).map(|b| b.remaining), Ok(1));
        assert_eq!(limiter.spend((1, Region::Us)).map(|b| b.remaining), Ok(0));
        let refused = limiter.spend((1, Region::Us)).unwrap_err();
        assert!(refused.reset_secs >= 59 && refused.reset_secs <= 60);
        assert!(
            limiter.spend((2, Region::Us)).is_ok(),
            "another key has its own budget"
        );
        assert!(
            limiter.spend((1, Region::Eu)).is_ok(),
            "another region has its own budget"
        );
    }

    #[test]
    fn window_resets() {
        let limiter = RateLimiter::new(1, Duration::from_millis(30));
        assert!(limiter.spend((1, Region::Us)).is_ok());
        assert!(limiter.spend((1, Region::Us)).is_err());
        std::thread::sleep(Duration::from_millis(40));
        assert!(limiter.spend((1, Region::Us)).is_ok());
    }
}
