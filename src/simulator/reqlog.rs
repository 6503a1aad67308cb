//! The simulator's request log: what tests and people inspect to see what a
//! client really sent. It holds a fingerprint of the key, never the key.

use std::collections::VecDeque;
use std::sync::{Mutex, PoisonError};

use serde::Serialize;

/// One answered (or deliberately unanswered) request.
#[derive(Debug, Clone, Serialize, PartialEq, Eq)]
pub struct LoggedRequest {
    pub seq: u64,
    pub at: String,
    pub method: String,
    /// Path and query.
    pub path: String,
    /// The status sent; 0 when a fault left the request unanswered.
    pub status: u16,
    /// `R7-Organization-Id`, or Threat Command's `Account-Id`.
    pub tenant: Option<String>,
    /// A short SHA-256 fingerprint of the API key presented.
    pub key: Option<String>,
    /// The fault injected, if any.
    pub fault: Option<String>,
    pub millis: u64,
}

/// A bounded log; the oldest entries fall off.
pub struct RequestLog {
    capacity: usize,
    inner: Mutex<(u64, VecDeque<LoggedRequest>)>,
}

impl RequestLog {
    pub fn new(capacity: usize) -> Self {
        RequestLog {
            capacity,
            inner: Mutex::new((0, VecDeque::new())),
        }
    }

    /// Appends an entry, numbering it.
    pub fn push(&self, mut entry: LoggedRequest) {
        let mut inner = self.inner.lock().unwrap_or_else(PoisonError::into_inner);
        inner.0 += 1;
        entry.seq = inner.0;
        if inner.1.len() == self.capacity {
            inner.1.pop_front();
        }
        inner.1.push_back(entry);
    }

    /// Entries numbered above `since`.
    pub fn since(&self, since: u64) -> Vec<LoggedRequest> {
        let inner = self.inner.lock().unwrap_or_else(PoisonError::into_inner);
        inner.1.iter().filter(|e| e.seq > since).cloned().collect()
    }

    pub fn clear(&self) {
        let mut inner = self.inner.lock().unwrap_or_else(PoisonError::into_inner);
        inner.1.clear();
    }
}
