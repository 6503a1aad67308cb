//! Pacing to the advertised rate budget, so a normal load never earns a 429.
//!
//! Every answer advertises `RateLimit-Limit/Remaining/Reset`. The pacer keeps
//! the latest view of the budget and how many requests are in flight; a
//! request that would overspend waits for the window to reset. After a 429 it
//! holds every request until `Retry-After` has passed.

use std::sync::{Mutex, PoisonError};
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use tokio::time::Instant;

use reqwest::header::HeaderMap;

#[derive(Debug, Default)]
struct Budget {
    limit: Option<u64>,
    remaining: Option<u64>,
    reset_at: Option<Instant>,
    in_flight: u64,
    blocked_until: Option<Instant>,
}

/// The budget of one key at one region.
#[derive(Debug, Default)]
pub struct Pacer {
    budget: Mutex<Budget>,
}

/// A request under way; dropping it frees its place.
pub struct Permit<'p> {
    pacer: &'p Pacer,
}

impl Drop for Permit<'_> {
    fn drop(&mut self) {
        let mut budget = self.pacer.lock();
        budget.in_flight = budget.in_flight.saturating_sub(1);
    }
}

fn header_u64(headers: &HeaderMap, names: &[&str]) -> Option<u64> {
    names
        .iter()
        .find_map(|name| headers.get(*name))
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.trim().parse().ok())
}

/// `RateLimit-Reset` is seconds until the reset (as recorded) or, per the
/// API overview, an epoch time; values past 2001 in epoch seconds are the latter.
fn reset_delay(value: u64) -> Duration {
    if value > 1_000_000_000 {
        let now = SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .map_or(0, |d| d.as_secs());
        Duration::from_secs(value.saturating_sub(now))
    } else {
        Duration::from_secs(value)
    }
}

/// `Retry-After` as an HTTP date (RFC 9110 allows it besides seconds).
fn retry_after_date(headers: &HeaderMap) -> Option<Duration> {
    let text = headers.get("retry-after")?.to_str().ok()?;
    let at = httpdate::parse_http_date(text.trim()).ok()?;
    Some(
        at.duration_since(SystemTime::now())
            .unwrap_or(Duration::ZERO),
    )
}

/// How long a 429 asks to wait: `Retry-After` (seconds or an HTTP date),
/// else `RateLimit-Reset` / `X-RateLimit-Reset` (seconds left or epoch seconds).
pub fn retry_after(headers: &HeaderMap) -> Option<Duration> {
    header_u64(headers, &["retry-after"])
        .map(Duration::from_secs)
        .or_else(|| retry_after_date(headers))
        .or_else(|| header_u64(headers, &["ratelimit-reset", "x-ratelimit-reset"]).map(reset_delay))
}

/// A budget as remembered between runs: what was left and when it resets.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Remembered {
    pub remaining: u64,
    pub limit: Option<u64>,
    /// The reset, as a wall-clock time (an `Instant` does not survive a restart).
    pub reset_at: SystemTime,
}

/// Waits shorter than this are not worth telling anyone about.
const WORTH_SAYING: Duration = Duration::from_secs(1);

/// `acquire` without a deadline always gets its permit; this keeps the
/// signature total without a panic path.
fn unreachable_permit(pacer: &Pacer) -> Permit<'_> {
    pacer.lock().in_flight += 1;
    Permit { pacer }
}

impl Pacer {
    fn lock(&self) -> std::sync::MutexGuard<'_, Budget> {
        self.budget.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// Waits until a request fits in the budget, then counts it as in flight.
    pub async fn acquire(&self) -> Permit<'_> {
        match self.acquire_until(None, &|_| {}).await {
            Some(permit) => permit,
            None => unreachable_permit(self),
        }
    }

    /// Like [`Pacer::acquire`], but gives up (`None`) at once when the wait
    /// would pass `deadline`, and tells `report` how long is left of a wait
    /// worth mentioning, about once a second, then `Duration::ZERO` when it ends.
    pub async fn acquire_until(
        &self,
        deadline: Option<Instant>,
        report: &(dyn Fn(Duration) + Send + Sync),
    ) -> Option<Permit<'_>> {
        let mut reported = false;
        loop {
            let wait = {
                let mut budget = self.lock();
                let now = Instant::now();
                if budget.reset_at.is_some_and(|r| r <= now) {
                    // The window has turned: the budget is the limit again,
                    // not unlimited (a burst of every waiting request would
                    // overspend it); the next answer tells the new reset.
                    budget.remaining = budget.limit.filter(|limit| *limit > 0);
                    budget.reset_at = None;
                }
                match (budget.blocked_until, budget.remaining, budget.reset_at) {
                    (Some(until), _, _) if until > now => Some(until - now),
                    (_, Some(remaining), None)
                        if remaining <= budget.in_flight && budget.in_flight > 0 =>
                    {
                        // A new window, spent by the requests under way:
                        // their answers will tell when it resets.
                        Some(Duration::from_millis(20))
                    }
                    (_, Some(remaining), Some(reset)) if remaining <= budget.in_flight => {
                        // A little margin so the server's window has surely turned.
                        let window = reset - now + Duration::from_millis(50);
                        if remaining == 0 {
                            Some(window)
                        } else {
                            // Requests under way may already be counted in
                            // `remaining`: their answers will tell, so look
                            // again shortly instead of sleeping the window.
                            Some(window.min(Duration::from_millis(20)))
                        }
                    }
                    _ => {
                        budget.in_flight += 1;
                        None
                    }
                }
            };
            match wait {
                None => {
                    if reported {
                        report(Duration::ZERO);
                    }
                    return Some(Permit { pacer: self });
                }
                Some(delay) if deadline.is_some_and(|d| Instant::now() + delay > d) => {
                    if reported {
                        report(Duration::ZERO);
                    }
                    return None;
                }
                Some(delay) if delay >= WORTH_SAYING => {
                    report(delay);
                    reported = true;
                    tokio::time::sleep(delay.min(WORTH_SAYING)).await;
                }
                Some(delay) => tokio::time::sleep(delay).await,
            }
        }
    }

    /// What this budget is, to remember it after the process ends.
    pub fn remember(&self) -> Option<Remembered> {
        let budget = self.lock();
        let (remaining, reset_at) = budget.remaining.zip(budget.reset_at)?;
        let left = reset_at.saturating_duration_since(Instant::now());
        Some(Remembered {
            remaining: remaining.saturating_sub(budget.in_flight),
            limit: budget.limit,
            reset_at: SystemTime::now() + left,
        })
    }

    /// Starts from a budget remembered from an earlier run, unless it has
    /// already reset or an answer has told something newer.
    pub fn recall(&self, remembered: Remembered) {
        let Ok(left) = remembered.reset_at.duration_since(SystemTime::now()) else {
            return;
        };
        let mut budget = self.lock();
        if budget.reset_at.is_some() {
            return;
        }
        budget.remaining = Some(remembered.remaining);
        budget.limit = budget.limit.or(remembered.limit);
        budget.reset_at = Some(Instant::now() + left);
    }

    /// What is left of the budget, as last advertised, and the limit.
    pub fn left(&self) -> Option<(u64, Option<u64>)> {
        let budget = self.lock();
        budget.remaining.map(|r| (r, budget.limit))
    }

    /// Takes in the budget an answer advertises.
    pub fn observe(&self, headers: &HeaderMap) {
        let limit = header_u64(headers, &["ratelimit-limit", "x-ratelimit-limit"]);
        if limit.is_some() {
            self.lock().limit = limit;
        }
        let remaining = header_u64(headers, &["ratelimit-remaining", "x-ratelimit-remaining"]);
        let reset = header_u64(headers, &["ratelimit-reset", "x-ratelimit-reset"]).map(reset_delay);
        let (Some(remaining), Some(reset)) = (remaining, reset) else {
            return;
        };
        let mut budget = self.lock();
        let reset_at = Instant::now() + reset;
        // Answers arrive out of order: within a window the lowest count is the truth;
        // a reset well after the known one means a new window.
        let new_window = budget
            .reset_at
            .is_none_or(|known| reset_at > known + Duration::from_secs(1));
        if new_window {
            budget.remaining = Some(remaining);
            budget.reset_at = Some(reset_at);
        } else {
            budget.remaining = Some(budget.remaining.map_or(remaining, |r| r.min(remaining)));
        }
    }

    /// Holds every request for `delay` (after a 429).
    pub fn block_for(&self, delay: Duration) {
        let mut budget = self.lock();
        let until = Instant::now() + delay;
        budget.blocked_until = Some(budget.blocked_until.map_or(until, |b| b.max(until)));
        budget.remaining = Some(0);
        budget.reset_at = Some(until);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use reqwest::header::HeaderValue;

    fn headers(remaining: u64, reset: u64) -> HeaderMap {
        let mut h = HeaderMap::new();
        h.insert("ratelimit-remaining", HeaderValue::from(remaining));
        h.insert("ratelimit-reset", HeaderValue::from(reset));
        h
    }

    #[tokio::test(start_paused = true)]
    async fn waits_for_the_window_when_the_budget_is_spent() {
        let pacer = Pacer::default();
        pacer.observe(&headers(1, 2));
        let first = pacer.acquire().await;
        let started = tokio::time::Instant::now();
        drop(first);
        pacer.observe(&headers(0, 2));
        let _second = pacer.acquire().await;
        assert!(started.elapsed() >= Duration::from_secs(2));
    }

    #[tokio::test(start_paused = true)]
    async fn in_flight_requests_count_against_the_budget() {
        let pacer = Pacer::default();
        pacer.observe(&headers(2, 5));
        let _a = pacer.acquire().await;
        let _b = pacer.acquire().await;
        let started = tokio::time::Instant::now();
        let _c = pacer.acquire().await;
        assert!(
            started.elapsed() >= Duration::from_secs(5),
            "the third waits for the reset"
        );
    }

    #[tokio::test(start_paused = true)]
    async fn budget_left_with_requests_in_flight_does_not_sleep_the_window() {
        let pacer = Pacer::default();
        pacer.observe(&headers(5, 60));
        let a = pacer.acquire().await;
        let b = pacer.acquire().await;
        let c = pacer.acquire().await;
        let _d = pacer.acquire().await;
        let _e = pacer.acquire().await;
        // a's answer: the server had counted a and b only, 3 left; four still
        // in flight, some of which the 3 may already include.
        pacer.observe(&headers(3, 60));
        drop(a);
        let started = tokio::time::Instant::now();
        let (waited, ()) = tokio::join!(
            async {
                let _f = pacer.acquire().await;
                started.elapsed()
            },
            async {
                tokio::time::sleep(Duration::from_millis(100)).await;
                // b's and c's answers come back: still 3 left.
                pacer.observe(&headers(3, 60));
                drop(b);
                drop(c);
            }
        );
        assert!(
            waited < Duration::from_secs(1),
            "waited {waited:?}, not the 60 s window"
        );
    }

    /// Found by `tests/client_pacing_shapes.rs`: once a window had reset, the
    /// pacer let every waiting request go at once, and a listing that
    /// needed three windows earned 429s in the third.
    #[tokio::test(start_paused = true)]
    async fn a_new_window_holds_the_limit_not_more() {
        let pacer = Pacer::default();
        let mut spent = headers(0, 1);
        spent.insert("ratelimit-limit", HeaderValue::from(10));
        pacer.observe(&spent);
        tokio::time::sleep(Duration::from_millis(1_100)).await;
        let mut permits = Vec::new();
        for _ in 0..10 {
            permits.push(pacer.acquire().await);
        }
        let started = tokio::time::Instant::now();
        let eleventh = tokio::time::timeout(Duration::from_secs(5), pacer.acquire()).await;
        assert!(
            eleventh.is_err(),
            "the eleventh request waits for the new window's answers"
        );
        // The answers: the new window is spent and resets in a second.
        pacer.observe(&headers(0, 1));
        permits.clear();
        let _eleventh = pacer.acquire().await;
        assert!(started.elapsed() >= Duration::from_secs(5));
    }

    /// A window that turns with nothing under way lets one request learn the
    /// new budget, whatever limit was advertised (0 included): no hang.
    #[tokio::test(start_paused = true)]
    async fn a_new_window_without_a_limit_lets_a_request_through() {
        let pacer = Pacer::default();
        let mut spent = headers(0, 1);
        spent.insert("ratelimit-limit", HeaderValue::from(0));
        pacer.observe(&spent);
        tokio::time::sleep(Duration::from_millis(1_100)).await;
        let first = tokio::time::timeout(Duration::from_millis(100), pacer.acquire()).await;
        assert!(first.is_ok());
    }

    #[test]
    fn retry_after_an_http_date_alone_is_understood() {
        let mut h = HeaderMap::new();
        let at = SystemTime::now() + Duration::from_secs(30);
        h.insert(
            "retry-after",
            HeaderValue::from_str(&httpdate::fmt_http_date(at)).unwrap(),
        );
        let wait = retry_after(&h).unwrap();
        assert!(
            wait > Duration::from_secs(28) && wait <= Duration::from_secs(30),
            "{wait:?}"
        );
    }

    #[test]
    fn retry_after_prefers_the_header_then_the_reset() {
        let mut h = headers(0, 7);
        assert_eq!(retry_after(&h), Some(Duration::from_secs(7)));
        h.insert("retry-after", HeaderValue::from(3));
        assert_eq!(retry_after(&h), Some(Duration::from_secs(3)));
    }

    #[test]
    fn epoch_resets_are_understood() {
        let now = SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .unwrap()
            .as_secs();
        let delay = reset_delay(now + 30);
        assert!(delay <= Duration::from_secs(30) && delay >= Duration::from_secs(28));
    }
}
