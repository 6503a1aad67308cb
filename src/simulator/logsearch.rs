//! Log Search queries that take their time (contract section 6): a query
//! may answer 202 with `progress` below 100 and a `Self` link to poll until
//! it completes, and only then its events.
//!
//! How many answers a query gives "still running" is a setting
//! ([`LogSearch::pending_polls`], changeable at run time through
//! `/_sim/log-search`): with `N`, the first `N` answers of a query (its own
//! request, then its polls) are 202 and the next is the result. A query
//! keeps the setting it started with. A `Next` link is a new query, so with
//! `N > 0` every page is polled for.
//!
//! A running query belongs to the key (and tenant) that started it: polling
//! it with another key or for another tenant finds nothing (404).

use std::collections::HashMap;
use std::sync::atomic::{AtomicU32, Ordering};
use std::sync::{Mutex, PoisonError};

use uuid::Uuid;

use super::world::{KeySlot, OrgIdx};

/// What a query asks for, resolved and checked when it was started.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct QuerySpec {
    /// The `{ids}` path segment as asked (log ids joined with `:`).
    pub ids: String,
    /// The organizations whose audit logs are read.
    pub orgs: Vec<OrgIdx>,
    pub per_page: usize,
    /// Epoch milliseconds, inclusive.
    pub from: i64,
    pub to: i64,
    /// The LEQL statement as asked, if any.
    pub statement: Option<String>,
    /// Only events after this sequence number (the `Next` links' cursor).
    pub after: u64,
}

/// A query still running or done, as its `Self` link finds it.
#[derive(Debug, Clone)]
struct RunningQuery {
    owner: (KeySlot, OrgIdx),
    spec: QuerySpec,
    /// The query string of the request that started it, repeated on its `Self` link.
    query_string: String,
    /// Answers given so far, the first (the query's own request) included.
    answered: u32,
    /// Answers that say "still running" before the result.
    pending: u32,
    started: u64,
}

/// What polling a query answers.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Poll {
    /// Still running: the progress so far (below 100).
    Running {
        progress: u32,
        spec: QuerySpec,
        query_string: String,
    },
    /// Complete: serve its events.
    Done(QuerySpec),
}

/// The running queries and the setting that makes new ones wait.
pub struct LogSearch {
    pending_polls: AtomicU32,
    queries: Mutex<HashMap<Uuid, RunningQuery>>,
    /// How many queries are kept; the oldest goes first.
    capacity: usize,
    started: Mutex<u64>,
}

/// How far along a query is after `answered` of its `pending` running answers.
fn progress(answered: u32, pending: u32) -> u32 {
    (answered.saturating_sub(1) * 100 / pending.max(1)).min(99)
}

impl LogSearch {
    pub fn new(pending_polls: u32, capacity: usize) -> Self {
        LogSearch {
            pending_polls: AtomicU32::new(pending_polls),
            queries: Mutex::new(HashMap::new()),
            capacity: capacity.max(1),
            started: Mutex::new(0),
        }
    }

    pub fn pending_polls(&self) -> u32 {
        self.pending_polls.load(Ordering::Relaxed)
    }

    /// Changes the setting for queries started from now on.
    pub fn set_pending_polls(&self, n: u32) {
        self.pending_polls.store(n, Ordering::Relaxed);
    }

    /// Starts a query for `owner` (its key and the organization it acts in).
    /// `None`: it completes at once (the setting is 0), serve its events.
    /// `Some`: its id and first progress, to answer 202 with a `Self` link.
    pub fn start(
        &self,
        owner: (KeySlot, OrgIdx),
        spec: QuerySpec,
        query_string: &str,
    ) -> Option<(Uuid, u32)> {
        let pending = self.pending_polls();
        if pending == 0 {
            return None;
        }
        let started = {
            let mut n = self.started.lock().unwrap_or_else(PoisonError::into_inner);
            *n += 1;
            *n
        };
        let id = Uuid::new_v4();
        let mut queries = self.queries.lock().unwrap_or_else(PoisonError::into_inner);
        if queries.len() >= self.capacity {
            if let Some(oldest) = queries
                .iter()
                .min_by_key(|(_, q)| q.started)
                .map(|(id, _)| *id)
            {
                queries.remove(&oldest);
            }
        }
        queries.insert(
            id,
            RunningQuery {
                owner,
                spec,
                query_string: query_string.to_string(),
                answered: 1,
                pending,
                started,
            },
        );
        Some((id, progress(1, pending)))
    }

    /// Polls query `id` for `owner`; `None` when no such query exists for them.
    /// Once complete, a query keeps answering its result.
    pub fn poll(&self, id: Uuid, owner: (KeySlot, OrgIdx)) -> Option<Poll> {
        let mut queries = self.queries.lock().unwrap_or_else(PoisonError::into_inner);
        let query = queries.get_mut(&id).filter(|q| q.owner == owner)?;
        if query.answered < query.pending {
            query.answered += 1;
            return Some(Poll::Running {
                progress: progress(query.answered, query.pending),
                spec: query.spec.clone(),
                query_string: query.query_string.clone(),
            });
        }
        query.answered = query.answered.saturating_add(1);
        Some(Poll::Done(query.spec.clone()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn spec() -> QuerySpec {
        QuerySpec {
            ids: "log".into(),
            orgs: vec![0],
            per_page: 50,
            from: 0,
            to: 1,
            statement: None,
            after: 0,
        }
    }

    #[test]
    fn a_query_runs_for_the_set_number_of_answers_then_stays_done() {
        let search = LogSearch::new(3, 8);
        let (id, first) = search.start((1, 0), spec(), "a=b").unwrap();
        assert_eq!(first, 0);
        let progress: Vec<u32> = (0..2)
            .map(|_| match search.poll(id, (1, 0)) {
                Some(Poll::Running { progress, .. }) => progress,
                other => panic!("still running: {other:?}"),
            })
            .collect();
        assert_eq!(progress, [33, 66]);
        assert_eq!(search.poll(id, (1, 0)), Some(Poll::Done(spec())));
        assert_eq!(
            search.poll(id, (1, 0)),
            Some(Poll::Done(spec())),
            "idempotent"
        );
    }

    #[test]
    fn a_query_belongs_to_its_key_and_tenant_and_the_oldest_is_forgotten() {
        let search = LogSearch::new(1, 2);
        let (id, _) = search.start((1, 0), spec(), "").unwrap();
        assert_eq!(search.poll(id, (2, 0)), None, "another key");
        assert_eq!(search.poll(id, (1, 5)), None, "another tenant");
        assert!(search.poll(Uuid::new_v4(), (1, 0)).is_none());
        search.start((1, 0), spec(), "").unwrap();
        search.start((1, 0), spec(), "").unwrap();
        assert_eq!(search.poll(id, (1, 0)), None, "evicted");
    }

    #[test]
    fn zero_pending_completes_at_once_and_the_setting_applies_to_new_queries() {
        let search = LogSearch::new(0, 8);
        assert!(search.start((1, 0), spec(), "").is_none());
        search.set_pending_polls(1);
        let (id, _) = search.start((1, 0), spec(), "").unwrap();
        search.set_pending_polls(5);
        assert_eq!(
            search.poll(id, (1, 0)),
            Some(Poll::Done(spec())),
            "keeps the setting it started with"
        );
    }
}
