//! The dialogs, as data: each carries everything it needs, including the
//! exact requests it will send. Declining changes nothing. Their behaviour
//! is in `dialogs/`.

use tui_input::Input;

use crate::api::{KeyInfo, KeyKind, NewSecret, Organization, Target};
use crate::keymap::Layer;

use super::msg::ReqId;

/// The field in focus in the generate dialog.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Field {
    Kind,
    Name,
    Organization,
}

/// The generate dialog.
pub struct GenerateForm {
    pub kind: KeyKind,
    /// Kinds this tab offers (the multi-tenant tab offers two).
    pub kinds: Vec<KeyKind>,
    pub field: Field,
    pub name: Input,
    pub org_query: Input,
    /// Index into [`GenerateForm::matches`].
    pub org_choice: usize,
    /// Organizations the key can reach, to pick from.
    pub orgs: Vec<Organization>,
    pub target: Target,
    /// What the documentation says against this, when the platform has not
    /// said yet (shown in the dialog; the platform decides).
    pub doubt: Option<String>,
    /// Set once Enter sent the request: later presses do nothing.
    pub submitting: Option<ReqId>,
    pub error: Option<String>,
}

impl GenerateForm {
    /// Whether this kind of key belongs to an organization chosen here.
    pub fn needs_org(&self) -> bool {
        matches!(self.kind, KeyKind::User | KeyKind::Organization)
    }

    /// The fields, in Tab order.
    pub fn fields(&self) -> Vec<Field> {
        let mut fields = Vec::new();
        if self.kinds.len() > 1 {
            fields.push(Field::Kind);
        }
        fields.push(Field::Name);
        if self.needs_org() {
            fields.push(Field::Organization);
        }
        fields
    }

    /// Organizations matching the type-ahead text.
    pub fn matches(&self) -> Vec<&Organization> {
        let query = self.org_query.value().to_lowercase();
        self.orgs
            .iter()
            .filter(|o| {
                query.is_empty()
                    || o.id.to_lowercase().contains(&query)
                    || o.name
                        .as_deref()
                        .is_some_and(|n| n.to_lowercase().contains(&query))
            })
            .collect()
    }

    pub fn chosen_org(&self) -> Option<&Organization> {
        self.matches().get(self.org_choice).copied()
    }
}

/// How a copy went.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Copy {
    /// Asked; the runtime has not answered.
    Copying,
    /// Copied, by this route.
    Done(String),
    Failed(String),
}

/// The reveal dialog: the only place a generated secret lives. Dropping it
/// zeroizes the secret.
pub struct Reveal {
    pub info: KeyInfo,
    pub secret: NewSecret,
    pub shown: bool,
    pub copied: Option<Copy>,
    /// Asking "leave without copying?".
    pub confirm_leave: bool,
}

/// The revoke confirmation: the exact revoke it will run.
pub struct RevokeConfirm {
    pub key: KeyInfo,
    pub target: Target,
    /// The key's name, typed, for organization and multi-tenant keys (and
    /// the console's own key).
    pub typed: Input,
    /// This is the key the console runs as: revoking it ends the session.
    pub own: bool,
    /// What the documentation says against this, when the platform has not said.
    pub doubt: Option<String>,
    pub submitting: Option<ReqId>,
    pub error: Option<String>,
}

impl RevokeConfirm {
    pub fn needs_typed_name(&self) -> bool {
        self.own || self.key.kind.needs_typed_confirmation()
    }

    /// Whether what was typed names the key (the sanitized form counts:
    /// control characters cannot be typed).
    pub fn typed_matches(&self) -> bool {
        let name = self.key.name.as_deref().unwrap_or("");
        let typed = self.typed.value();
        !name.is_empty() && (typed == name || typed == crate::sanitize::sanitize(name))
    }
}

/// One key of a bulk revoke and how it went.
pub struct BulkItem {
    pub key: KeyInfo,
    pub target: Target,
    pub outcome: Option<Result<(), String>>,
}

/// Revoking the marked keys: confirmed by typing how many, then one request
/// after another (each paced by the client like any other), each reported.
pub struct BulkRevoke {
    pub items: Vec<BulkItem>,
    /// The count, typed.
    pub typed: Input,
    /// The request under way, and the item it is for.
    pub current: Option<(ReqId, usize)>,
    pub error: Option<String>,
}

impl BulkRevoke {
    pub fn typed_matches(&self) -> bool {
        self.typed.value().trim() == self.items.len().to_string()
    }

    pub fn started(&self) -> bool {
        self.items.iter().any(|i| i.outcome.is_some()) || self.current.is_some()
    }

    pub fn finished(&self) -> bool {
        self.items.iter().all(|i| i.outcome.is_some())
    }

    /// How many went, and how many failed.
    pub fn tally(&self) -> (usize, usize) {
        let revoked = self
            .items
            .iter()
            .filter(|i| matches!(i.outcome, Some(Ok(()))))
            .count();
        let failed = self
            .items
            .iter()
            .filter(|i| matches!(i.outcome, Some(Err(_))))
            .count();
        (revoked, failed)
    }
}

/// The tenant picker: the home context first, then the managed organizations.
pub struct TenantPicker {
    pub query: Input,
    pub choice: usize,
}

/// An open dialog.
pub enum Modal {
    Help,
    Details(Box<KeyInfo>),
    Generate(Box<GenerateForm>),
    Reveal(Box<Reveal>),
    Revoke(Box<RevokeConfirm>),
    BulkRevoke(Box<BulkRevoke>),
    Tenants(TenantPicker),
    Rotate(Box<super::rotate::Rotation>),
    /// Where to write the inventory's visible rows.
    Export {
        path: Input,
        error: Option<String>,
    },
    Message {
        title: String,
        body: String,
        error: bool,
    },
}

impl Modal {
    /// A message dialog for an error.
    pub fn error(title: impl Into<String>, body: impl Into<String>) -> Modal {
        Modal::Message {
            title: title.into(),
            body: body.into(),
            error: true,
        }
    }

    /// Which layer of the keymap owns the keys while this dialog is open.
    pub fn layer(&self) -> Layer {
        match self {
            Modal::Help => Layer::Help,
            Modal::Details(_) => Layer::Details,
            Modal::Generate(_) => Layer::Generate,
            Modal::Reveal(r) if r.confirm_leave => Layer::Confirm,
            Modal::Reveal(_) => Layer::Reveal,
            Modal::Revoke(r) if r.needs_typed_name() => Layer::ConfirmTyped,
            Modal::Revoke(_) => Layer::Confirm,
            Modal::BulkRevoke(b) if b.finished() => Layer::Message,
            Modal::BulkRevoke(_) => Layer::ConfirmTyped,
            Modal::Tenants(_) => Layer::Tenants,
            Modal::Export { .. } => Layer::Export,
            Modal::Rotate(rotation) => rotation.layer(),
            Modal::Message { .. } => Layer::Message,
        }
    }
}
