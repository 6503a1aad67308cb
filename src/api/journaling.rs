//! The journal's part in every key mutation: the intent is written after the
//! read-only gate and before the request (if it cannot be written, nothing
//! is sent), the outcome after the answer. Every client, the console's
//! included, journals through here once its settings name a journal.

use reqwest::Method;

use super::client::{Client, Target, Trace};
use super::error::ApiError;
use super::journal::{Action, Entry, Journal, Phase, outcome};
use super::keys::{Generated, Revocation};
use super::model::{KeyInfo, KeyKind, NewKey};

/// What the caller knows about a key beyond what its request says, for the
/// journal: a revoke's request names only the key's id.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct KeyNote {
    pub name: Option<String>,
    pub kind: Option<KeyKind>,
    /// Set on each step of a rotation: the id of the key being replaced.
    pub rotation_of: Option<String>,
}

impl KeyNote {
    /// The name and kind of a listed key.
    pub fn of(key: &KeyInfo) -> KeyNote {
        KeyNote {
            name: key.name.clone(),
            kind: Some(key.kind.clone()),
            rotation_of: None,
        }
    }

    /// Marks the mutation as a step of rotating the key `old_id`.
    #[must_use]
    pub fn rotating(mut self, old_id: &str) -> KeyNote {
        self.rotation_of = Some(old_id.to_string());
        self
    }
}

/// A mutation whose intent is written down; one of its `finish` methods
/// writes the outcome.
pub(crate) struct Pending {
    journal: Option<Journal>,
    /// What the intent said: the outcome lines repeat it.
    intent: Entry,
}

impl Client {
    /// The gate, then the intent of a generate.
    pub(crate) fn journal_generate(
        &self,
        target: &Target,
        path: &str,
        spec: &NewKey,
        note: &KeyNote,
    ) -> Result<Pending, ApiError> {
        self.gate(&Method::POST, path)?;
        let mut intent = self.intent(Action::Generate, target, note);
        intent.name = Some(spec.name.clone());
        intent.kind = Some(spec.kind.label().to_string());
        intent.organization_id.clone_from(&spec.organization_id);
        self.begin(intent)
    }

    /// The gate, then the intent of a revoke.
    pub(crate) fn journal_revoke(
        &self,
        target: &Target,
        path: &str,
        id: &str,
        note: &KeyNote,
    ) -> Result<Pending, ApiError> {
        self.gate(&Method::DELETE, path)?;
        let mut intent = self.intent(Action::Revoke, target, note);
        intent.key_id = Some(id.to_string());
        intent.name.clone_from(&note.name);
        intent.kind = note.kind.as_ref().map(|k| k.label().to_string());
        self.begin(intent)
    }

    fn intent(&self, action: Action, target: &Target, note: &KeyNote) -> Entry {
        let journal = self.settings().journal.as_ref();
        let mut entry = Entry::new(&uuid::Uuid::new_v4().to_string(), Phase::Intent, action);
        entry.profile = journal.and_then(Journal::profile).map(str::to_string);
        entry.region = Some(target.region.code().to_string());
        entry.tenant.clone_from(&target.tenant);
        if let Some(old) = &note.rotation_of {
            entry.step = Some("rotate".into());
            entry.rotation_of = Some(old.clone());
        }
        entry
    }

    fn begin(&self, intent: Entry) -> Result<Pending, ApiError> {
        let journal = self.settings().journal.clone();
        if let Some(journal) = &journal {
            journal.append(&intent).map_err(|e| ApiError::Journal {
                detail: e.to_string(),
            })?;
        }
        Ok(Pending { journal, intent })
    }
}

impl Pending {
    fn outcome(&self, action: Action, result: &str, trace: Option<&Trace>) -> Entry {
        let mut entry = self.intent.clone();
        entry.time = super::journal::now_text();
        entry.phase = Phase::Outcome;
        entry.action = action;
        entry.outcome = Some(result.to_string());
        if let Some(trace) = trace {
            entry.status = trace.status;
            entry.correlation_id.clone_from(&trace.correlation_id);
        }
        entry
    }

    fn write(&self, entry: &Entry) {
        if let Some(journal) = &self.journal {
            // The mutation is made: an outcome that cannot be written leaves
            // its intent without one, which is how the journal shows it.
            if let Err(error) = journal.append(entry) {
                tracing::warn!(%error, op = %entry.op, "the outcome was not journaled");
            }
        }
    }

    /// The outcome of a generate. A lost answer is followed by the
    /// reconciliation that `generate_key` runs for every such error.
    pub(crate) fn generated(&self, result: &Result<Generated, ApiError>, trace: &Trace) {
        let lost = |cause: &str| {
            let mut entry = self.outcome(Action::Generate, outcome::ANSWER_LOST, Some(trace));
            entry.detail = Some(cause.to_string());
            entry
        };
        let reconciled = |found: &str, id: Option<&String>| {
            let mut entry = self.outcome(Action::Reconcile, found, None);
            entry.key_id = id.cloned();
            entry
        };
        match result {
            Ok(generated) => {
                let mut entry = self.outcome(Action::Generate, outcome::OK, Some(trace));
                entry.key_id.clone_from(&generated.info.id);
                entry.fingerprint = Some(generated.secret.fingerprint());
                if let Some(name) = &generated.info.name {
                    entry.name = Some(name.clone());
                }
                self.write(&entry);
            }
            Err(ApiError::LostSecret { id, cause, .. }) => {
                self.write(&lost(cause));
                self.write(&reconciled(outcome::FOUND, Some(id)));
            }
            Err(ApiError::OutcomeUnknown { cause, .. }) => {
                self.write(&lost(cause));
                self.write(&reconciled(outcome::UNCHECKED, None));
            }
            Err(ApiError::NotCreated { cause, .. }) => {
                self.write(&lost(cause));
                self.write(&reconciled(outcome::NOT_FOUND, None));
            }
            Err(error) if error.outcome_unknown() => {
                self.write(&lost(&error.to_string()));
                self.write(&reconciled(outcome::NOT_FOUND, None));
            }
            Err(error) => {
                let mut entry = self.outcome(Action::Generate, outcome::FAILED, Some(trace));
                entry.detail = Some(error.to_string());
                self.write(&entry);
            }
        }
    }

    /// The outcome of a revoke.
    pub(crate) fn revoked(&self, result: &Result<Revocation, ApiError>, trace: &Trace) {
        let entry = match result {
            Ok(Revocation::Revoked) => self.outcome(Action::Revoke, outcome::OK, Some(trace)),
            Ok(Revocation::AlreadyGone) => {
                self.outcome(Action::Revoke, outcome::ALREADY_GONE, Some(trace))
            }
            Err(error) => {
                let result = if error.outcome_unknown() {
                    outcome::ANSWER_LOST
                } else {
                    outcome::FAILED
                };
                let mut entry = self.outcome(Action::Revoke, result, Some(trace));
                entry.detail = Some(error.to_string());
                entry
            }
        };
        self.write(&entry);
    }
}
