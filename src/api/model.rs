//! Domain types of the Account API, decoded tolerantly: every field the
//! research did not confirm is optional and shown as `-` when absent, and an
//! unknown key type is kept as it came.

use std::fmt;
use std::str::FromStr;

use serde::Serialize;
use time::OffsetDateTime;

use crate::region::Region;

/// The kind of an API key.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum KeyKind {
    User,
    Organization,
    MultiTenantAdmin,
    MultiTenantUser,
    /// A `type` the client does not know, shown as it came (sanitized).
    Other(String),
}

impl KeyKind {
    /// The short name used on the command line and in tables.
    pub fn label(&self) -> &str {
        match self {
            KeyKind::User => "user",
            KeyKind::Organization => "organization",
            KeyKind::MultiTenantAdmin => "mt-admin",
            KeyKind::MultiTenantUser => "mt-user",
            KeyKind::Other(raw) => raw,
        }
    }

    /// The label where room is short: `org` for an organization key.
    pub fn short_label(&self) -> &str {
        match self {
            KeyKind::Organization => "org",
            other => other.label(),
        }
    }

    pub fn is_multi_tenant(&self) -> bool {
        matches!(self, KeyKind::MultiTenantAdmin | KeyKind::MultiTenantUser)
    }

    /// Whether revoking it must be confirmed by typing its name: it acts for a
    /// whole organization, or for every tenant.
    pub fn is_admin_power(&self) -> bool {
        matches!(self, KeyKind::Organization | KeyKind::MultiTenantAdmin)
    }

    /// Whether revoking it is confirmed by typing its name rather than `y`:
    /// an organization key acts for a whole organization, and every
    /// multi-tenant key reaches into tenants.
    pub fn needs_typed_confirmation(&self) -> bool {
        matches!(self, KeyKind::Organization) || self.is_multi_tenant()
    }

    /// The normalized kind for scripts: `user`, `organization`, `mt-admin`,
    /// `mt-user`, or `unknown` for a type r7keys does not know.
    pub fn normalized(&self) -> &'static str {
        match self {
            KeyKind::User => "user",
            KeyKind::Organization => "organization",
            KeyKind::MultiTenantAdmin => "mt-admin",
            KeyKind::MultiTenantUser => "mt-user",
            KeyKind::Other(_) => "unknown",
        }
    }
}

impl fmt::Display for KeyKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&crate::sanitize::sanitize(self.label()))
    }
}

impl FromStr for KeyKind {
    type Err = String;

    /// `user`, `organization`, `mt-admin`, `mt-user` (as on the command line).
    fn from_str(text: &str) -> Result<Self, Self::Err> {
        match text.to_ascii_lowercase().as_str() {
            "user" => Ok(KeyKind::User),
            "organization" | "org" => Ok(KeyKind::Organization),
            "mt-admin" | "multi-tenant-admin" => Ok(KeyKind::MultiTenantAdmin),
            "mt-user" | "multi-tenant-user" => Ok(KeyKind::MultiTenantUser),
            _ => Err(format!(
                "unknown key kind {text:?}; expected user, organization, mt-admin or mt-user"
            )),
        }
    }
}

/// The accepted spellings of the multi-tenant `type` values, which Rapid7
/// does not publish: configurable, the first of each list is what is sent.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct KindNames {
    pub multi_tenant_admin: Vec<String>,
    pub multi_tenant_user: Vec<String>,
}

impl Default for KindNames {
    fn default() -> Self {
        KindNames {
            multi_tenant_admin: vec!["MULTI_TENANT_ADMIN".into(), "ENTERPRISE_ADMIN".into()],
            multi_tenant_user: vec!["MULTI_TENANT_USER".into(), "ENTERPRISE_USER".into()],
        }
    }
}

impl KindNames {
    pub fn parse(&self, wire: &str) -> KeyKind {
        let matches = |names: &[String]| names.iter().any(|n| n.eq_ignore_ascii_case(wire));
        match wire.to_ascii_uppercase().as_str() {
            "USER" => KeyKind::User,
            "ORGANIZATION" => KeyKind::Organization,
            _ if matches(&self.multi_tenant_admin) => KeyKind::MultiTenantAdmin,
            _ if matches(&self.multi_tenant_user) => KeyKind::MultiTenantUser,
            _ => KeyKind::Other(wire.to_string()),
        }
    }

    /// The `type` value sent for a kind.
    pub fn wire(&self, kind: &KeyKind) -> String {
        let first = |names: &[String], fallback: &str| {
            names
                .first()
                .cloned()
                .unwrap_or_else(|| fallback.to_string())
        };
        match kind {
            KeyKind::User => "USER".into(),
            KeyKind::Organization => "ORGANIZATION".into(),
            KeyKind::MultiTenantAdmin => first(&self.multi_tenant_admin, "MULTI_TENANT_ADMIN"),
            KeyKind::MultiTenantUser => first(&self.multi_tenant_user, "MULTI_TENANT_USER"),
            KeyKind::Other(raw) => raw.clone(),
        }
    }
}

/// An API key as listed (never with its secret).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct KeyInfo {
    pub id: Option<String>,
    pub name: Option<String>,
    pub kind: KeyKind,
    pub organization_id: Option<String>,
    pub organization_name: Option<String>,
    pub owner_id: Option<String>,
    pub owner_email: Option<String>,
    pub generated_on: Option<OffsetDateTime>,
    /// Where the key was found, for a multi-tenant fan-out.
    pub tenant: Option<TenantRef>,
    /// The `type` exactly as the server spelled it (`ENTERPRISE_ADMIN`, say):
    /// scripts get it beside the normalized kind.
    pub wire_type: Option<String>,
}

/// A tenant a key was found in.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct TenantRef {
    pub id: String,
    pub region: Region,
}

impl KeyInfo {
    /// Whole days since generation, if the date is known.
    pub fn age_days(&self, now: OffsetDateTime) -> Option<i64> {
        self.generated_on.map(|at| (now - at).whole_days())
    }
}

/// An organization (own or managed).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Organization {
    pub id: String,
    pub name: Option<String>,
    /// The region code as sent; `None` when absent.
    pub region: Option<String>,
    pub external_id: Option<String>,
}

impl Organization {
    /// The region, when it is one the client knows.
    pub fn known_region(&self) -> Option<Region> {
        self.region.as_deref().and_then(|r| r.parse().ok())
    }
}

/// A platform user.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct User {
    pub id: Option<String>,
    pub email: Option<String>,
    pub first_name: Option<String>,
    pub last_name: Option<String>,
    pub platform_admin: Option<bool>,
    pub status: Option<String>,
}

/// What a new key should be.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewKey {
    pub name: String,
    pub kind: KeyKind,
    pub organization_id: Option<String>,
}
