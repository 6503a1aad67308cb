//! Per-key fixed-window rate limiting, as the platform's gateway (Kong) does:
//! a budget of N requests per window, advertised on every answer.
//!
//! Each region is served by its own gateway, so a key has one budget per
//! region: a multi-tenant fan-out over five regions has five budgets.

use std::collections::HashMap;
use std::sync::{Mutex, PoisonError};
use std::time::{Duration, Instant};

use crate::region::Region;

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
