//! The dialogs, as data: each carries everything it needs, including the
//! exact request it will send. Declining changes nothing.

use tui_input::Input;

use crate::api::{KeyInfo, KeyKind, NewSecret, Organization, Target};

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

/// The reveal dialog: the only place a generated secret lives. Dropping it
/// zeroizes the secret.
pub struct Reveal {
    pub info: KeyInfo,
    pub secret: NewSecret,
    pub shown: bool,
    /// How the last copy went: the route, or why it failed.
    pub copied: Option<Result<String, String>>,
    /// Asking "leave without copying?".
    pub confirm_leave: bool,
}

/// The revoke confirmation: the exact revoke it will run.
pub struct RevokeConfirm {
    pub key: KeyInfo,
    pub target: Target,
    /// The key's name, typed, for organization and multi-tenant admin keys.
    pub typed: Input,
    pub submitting: Option<ReqId>,
    pub error: Option<String>,
}

impl RevokeConfirm {
    pub fn needs_typed_name(&self) -> bool {
        self.key.kind.needs_typed_confirmation()
    }

    /// Whether what was typed names the key (the sanitized form counts:
    /// control characters cannot be typed).
    pub fn typed_matches(&self) -> bool {
        let name = self.key.name.as_deref().unwrap_or("");
        let typed = self.typed.value();
        !name.is_empty() && (typed == name || typed == crate::sanitize::sanitize(name))
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
    Tenants(TenantPicker),
    Message {
        title: String,
        body: String,
        error: bool,
    },
}
