//! Saying so when a command waits for the rate budget, instead of sitting
//! silent for up to a minute: one line when a wait starts, and on a terminal
//! a countdown that rewrites itself once a second and is wiped when the wait
//! ends.

use std::collections::HashMap;
use std::io::{IsTerminal, Write};
use std::sync::{Arc, Mutex, PoisonError};
use std::time::{Duration, Instant};

use crate::api::client::WaitReport;
use crate::region::Region;

/// What has been said about one region's wait.
#[derive(Debug, Clone, Copy)]
struct Told {
    /// When the wait ends, as last reported.
    until: Instant,
    /// When the countdown was last rewritten.
    drawn: Instant,
}

/// The words for a wait: `waiting 42 s for the rate budget at region us`.
pub fn words(region: Region, left: Duration) -> String {
    format!(
        "waiting {} s for the rate budget at region {region} (the platform allows a set number \
         of requests a minute per key)",
        left.as_secs().max(1)
    )
}

/// A report of budget waits on stderr. Many requests wait at once; each
/// reports, so what was said is remembered per region and a line is written
/// only for a new wait (or, on a terminal, once a second).
pub fn on_stderr() -> WaitReport {
    let live = std::io::stderr().is_terminal();
    let told: Mutex<HashMap<Region, Told>> = Mutex::new(HashMap::new());
    Arc::new(move |region: Region, left: Duration| {
        let mut told = told.lock().unwrap_or_else(PoisonError::into_inner);
        let now = Instant::now();
        let mut err = std::io::stderr();
        if left.is_zero() {
            if told.remove(&region).is_some() && live {
                let _ = write!(err, "\r\x1b[2K");
            }
            return;
        }
        let until = now + left;
        match told.get_mut(&region) {
            // The same wait, already told: a terminal gets the countdown.
            Some(seen) if until.saturating_duration_since(seen.until) < Duration::from_secs(2) => {
                if live && now.duration_since(seen.drawn) >= Duration::from_secs(1) {
                    let _ = write!(err, "\r\x1b[2K{}", words(region, left));
                    seen.drawn = now;
                }
                seen.until = until;
            }
            _ => {
                if live {
                    let _ = write!(err, "\r\x1b[2K{}", words(region, left));
                } else {
                    let _ = writeln!(err, "r7keys: {}", words(region, left));
                }
                told.insert(region, Told { until, drawn: now });
            }
        }
    })
}
