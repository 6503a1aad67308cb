//! Tolerant decoding (contract Part 1): a list may be a bare array or the
//! `{data, metadata}` envelope, a single object bare or wrapped in `data`;
//! unknown fields are ignored and odd field types do not break a whole page.

use std::fmt;
use std::marker::PhantomData;

use secrecy::SecretString;
use serde::Deserialize;
use serde::de::value::MapAccessDeserializer;
use serde::de::{DeserializeOwned, Deserializer, IgnoredAny, MapAccess, SeqAccess, Visitor};
use serde_json::Value;
use time::OffsetDateTime;
use time::format_description::well_known::Rfc3339;

use super::model::{KeyInfo, KindNames, Organization, User};

/// Accepts a string, number or boolean as text; anything else is absent.
fn lenient<'de, D: Deserializer<'de>>(d: D) -> Result<Option<String>, D::Error> {
    Ok(match Value::deserialize(d)? {
        Value::String(s) => Some(s),
        Value::Number(n) => Some(n.to_string()),
        Value::Bool(b) => Some(b.to_string()),
        _ => None,
    })
}

fn lenient_u64<'de, D: Deserializer<'de>>(d: D) -> Result<Option<u64>, D::Error> {
    Ok(match Value::deserialize(d)? {
        Value::Number(n) => n.as_u64(),
        Value::String(s) => s.trim().parse().ok(),
        _ => None,
    })
}

fn lenient_bool<'de, D: Deserializer<'de>>(d: D) -> Result<Option<bool>, D::Error> {
    Ok(match Value::deserialize(d)? {
        Value::Bool(b) => Some(b),
        Value::String(s) => s.parse().ok(),
        _ => None,
    })
}

/// A struct decoded from a JSON object only. serde's derived decoders also
/// read a struct from an array, by position: `["id", "name", ...]` would be
/// a key, and its ninth element a secret.
struct Object<T>(T);

impl<'de, T: Deserialize<'de>> Deserialize<'de> for Object<T> {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct Only<T>(PhantomData<T>);
        impl<'de, T: Deserialize<'de>> Visitor<'de> for Only<T> {
            type Value = Object<T>;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("an object")
            }
            fn visit_map<A: MapAccess<'de>>(self, map: A) -> Result<Self::Value, A::Error> {
                T::deserialize(MapAccessDeserializer::new(map)).map(Object)
            }
        }
        d.deserialize_map(Only(PhantomData))
    }
}

/// The secret of a generate answer when it is text; anything else is
/// absent (the answer then "held no key"). Read straight into the secret
/// type, and never quoted in an error: a secret sent as a number must not
/// end up in a message.
fn lenient_secret<'de, D: Deserializer<'de>>(d: D) -> Result<Option<SecretString>, D::Error> {
    struct Secret;
    impl<'de> Visitor<'de> for Secret {
        type Value = Option<SecretString>;
        fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
            f.write_str("the key as text")
        }
        fn visit_str<E>(self, text: &str) -> Result<Self::Value, E> {
            Ok(Some(SecretString::from(text)))
        }
        fn visit_string<E>(self, text: String) -> Result<Self::Value, E> {
            Ok(Some(SecretString::from(text)))
        }
        fn visit_bool<E>(self, _: bool) -> Result<Self::Value, E> {
            Ok(None)
        }
        fn visit_i64<E>(self, _: i64) -> Result<Self::Value, E> {
            Ok(None)
        }
        fn visit_u64<E>(self, _: u64) -> Result<Self::Value, E> {
            Ok(None)
        }
        fn visit_f64<E>(self, _: f64) -> Result<Self::Value, E> {
            Ok(None)
        }
        fn visit_unit<E>(self) -> Result<Self::Value, E> {
            Ok(None)
        }
        fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Self::Value, A::Error> {
            while seq.next_element::<IgnoredAny>()?.is_some() {}
            Ok(None)
        }
        fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Self::Value, A::Error> {
            while map.next_entry::<IgnoredAny, IgnoredAny>()?.is_some() {}
            Ok(None)
        }
    }
    d.deserialize_any(Secret)
}

/// The `metadata` block of a page.
#[derive(Debug, Clone, Default, Deserialize, PartialEq, Eq)]
pub struct Metadata {
    #[serde(default, deserialize_with = "lenient_u64")]
    pub index: Option<u64>,
    #[serde(default, deserialize_with = "lenient_u64")]
    pub size: Option<u64>,
    #[serde(default, deserialize_with = "lenient_u64")]
    pub total_data: Option<u64>,
    #[serde(default, deserialize_with = "lenient_u64")]
    pub total_pages: Option<u64>,
}

/// One decoded page: its items and, for the envelope, its metadata.
#[derive(Debug)]
pub struct DecodedList<T> {
    pub items: Vec<T>,
    /// What tells each item apart, in the order of `items`: a hash of its
    /// `id`, or of the whole item when it has none. Paging drops an item it
    /// has already delivered by this, so duplicates never reach the caller.
    pub identities: Vec<u64>,
    pub metadata: Option<Metadata>,
    /// Items that were not objects of the expected shape.
    pub skipped: usize,
}

/// The identity of a list item: its `id` (text or number), else the item itself.
fn identity(item: &Value) -> u64 {
    use std::hash::{Hash, Hasher};
    let mut hasher = std::collections::hash_map::DefaultHasher::new();
    match item.get("id") {
        Some(Value::String(id)) => ("id", id.as_str()).hash(&mut hasher),
        Some(Value::Number(n)) => ("id", n.to_string()).hash(&mut hasher),
        _ => ("item", item.to_string()).hash(&mut hasher),
    }
    hasher.finish()
}

/// Decodes a list answer in either shape.
pub fn list<T: DeserializeOwned>(body: &[u8]) -> Result<DecodedList<T>, String> {
    let value: Value = serde_json::from_slice(body).map_err(|e| format!("invalid JSON: {e}"))?;
    let (items, metadata) = match value {
        Value::Array(items) => (items, None),
        Value::Object(mut object) => match object.remove("data") {
            Some(Value::Array(items)) => {
                let metadata = object
                    .remove("metadata")
                    .filter(Value::is_object)
                    .and_then(|m| serde_json::from_value::<Metadata>(m).ok());
                (items, metadata)
            }
            _ => return Err("expected a list (an array or {\"data\": [...]})".to_string()),
        },
        _ => return Err("expected a list (an array or {\"data\": [...]})".to_string()),
    };
    let total = items.len();
    let mut decoded = Vec::with_capacity(total);
    let mut identities = Vec::with_capacity(total);
    for item in items {
        let id = identity(&item);
        if let Ok(Object(value)) = serde_json::from_value(item) {
            decoded.push(value);
            identities.push(id);
        }
    }
    Ok(DecodedList {
        skipped: total - decoded.len(),
        items: decoded,
        identities,
        metadata,
    })
}

/// A key as the server sends it.
#[derive(Debug, Default, Deserialize)]
pub struct RawKey {
    #[serde(default, deserialize_with = "lenient")]
    pub id: Option<String>,
    #[serde(default, deserialize_with = "lenient")]
    pub name: Option<String>,
    #[serde(default, rename = "type", deserialize_with = "lenient")]
    pub kind: Option<String>,
    #[serde(default, deserialize_with = "lenient")]
    pub organization_id: Option<String>,
    #[serde(default, deserialize_with = "lenient")]
    pub organization_name: Option<String>,
    #[serde(default, deserialize_with = "lenient")]
    pub user_id: Option<String>,
    #[serde(default, deserialize_with = "lenient")]
    pub user_email: Option<String>,
    #[serde(default, deserialize_with = "lenient")]
    pub generated_on: Option<String>,
}

impl RawKey {
    pub fn into_info(self, names: &KindNames) -> KeyInfo {
        KeyInfo {
            id: self.id,
            name: self.name,
            kind: names.parse(self.kind.as_deref().unwrap_or("")),
            wire_type: self.kind,
            organization_id: self.organization_id,
            organization_name: self.organization_name,
            owner_id: self.user_id,
            owner_email: self.user_email,
            generated_on: self
                .generated_on
                .as_deref()
                .and_then(|d| OffsetDateTime::parse(d, &Rfc3339).ok()),
            tenant: None,
        }
    }
}

#[derive(Deserialize)]
struct CreatedFields {
    #[serde(default, deserialize_with = "lenient")]
    id: Option<String>,
    #[serde(default, deserialize_with = "lenient")]
    name: Option<String>,
    #[serde(default, rename = "type", deserialize_with = "lenient")]
    kind: Option<String>,
    #[serde(default, deserialize_with = "lenient")]
    organization_id: Option<String>,
    #[serde(default, deserialize_with = "lenient")]
    organization_name: Option<String>,
    #[serde(default, deserialize_with = "lenient")]
    user_id: Option<String>,
    #[serde(default, deserialize_with = "lenient")]
    user_email: Option<String>,
    #[serde(default, deserialize_with = "lenient")]
    generated_on: Option<String>,
    #[serde(default, deserialize_with = "lenient_secret")]
    key: Option<SecretString>,
}

#[derive(Deserialize)]
struct Wrapped {
    data: Object<CreatedFields>,
}

/// Decodes a generate answer, bare or wrapped in `data`, straight into the
/// secret type (no intermediate copy of the secret). An answer that is not
/// an object is an error that does not quote it: it may be the secret.
pub fn created(body: &[u8]) -> Result<(RawKey, Option<SecretString>), String> {
    let fields = match serde_json::from_slice::<Object<Wrapped>>(body) {
        Ok(Object(wrapped)) => wrapped.data.0,
        Err(_) => match serde_json::from_slice::<Object<CreatedFields>>(body) {
            Ok(Object(fields)) => fields,
            Err(e) if e.is_data() => {
                return Err("expected the generated key as an object".to_string());
            }
            Err(e) => return Err(format!("invalid JSON: {e}")),
        },
    };
    let key = RawKey {
        id: fields.id,
        name: fields.name,
        kind: fields.kind,
        organization_id: fields.organization_id,
        organization_name: fields.organization_name,
        user_id: fields.user_id,
        user_email: fields.user_email,
        generated_on: fields.generated_on,
    };
    Ok((key, fields.key))
}

/// An organization as the server sends it; one without an id is skipped.
#[derive(Debug, Deserialize)]
pub struct RawOrganization {
    #[serde(default, deserialize_with = "lenient")]
    id: Option<String>,
    #[serde(default, deserialize_with = "lenient")]
    name: Option<String>,
    #[serde(default, deserialize_with = "lenient")]
    region: Option<String>,
    #[serde(default, deserialize_with = "lenient")]
    external_id: Option<String>,
}

impl RawOrganization {
    pub fn into_org(self) -> Option<Organization> {
        Some(Organization {
            id: self.id?,
            name: self.name,
            region: self.region,
            external_id: self.external_id,
        })
    }
}

/// A user as the server sends it.
#[derive(Debug, Deserialize)]
pub struct RawUser {
    #[serde(default, deserialize_with = "lenient")]
    id: Option<String>,
    #[serde(default, deserialize_with = "lenient")]
    email: Option<String>,
    #[serde(default, deserialize_with = "lenient")]
    first_name: Option<String>,
    #[serde(default, deserialize_with = "lenient")]
    last_name: Option<String>,
    #[serde(default, deserialize_with = "lenient_bool")]
    platform_admin: Option<bool>,
    #[serde(default, deserialize_with = "lenient")]
    status: Option<String>,
}

impl RawUser {
    pub fn into_user(self) -> User {
        User {
            id: self.id,
            email: self.email,
            first_name: self.first_name,
            last_name: self.last_name,
            platform_admin: self.platform_admin,
            status: self.status,
        }
    }
}

/// The `message` of an error body, or the whole body when it is short plain
/// text (Threat Command's codes), or nothing.
pub fn error_message(body: &[u8]) -> Option<String> {
    if let Ok(Value::Object(object)) = serde_json::from_slice::<Value>(body) {
        return object
            .get("message")
            .and_then(Value::as_str)
            .map(str::to_string);
    }
    let text = std::str::from_utf8(body).ok()?.trim();
    (!text.is_empty() && text.len() <= 200 && !text.starts_with('<')).then(|| text.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;
    use secrecy::ExposeSecret;

    const FIXTURE_LIST: &str = include_str!("../../tests/fixtures/account-api-keys-list.json");
    const FIXTURE_CREATED: &str =
        include_str!("../../tests/fixtures/account-api-keys-create-response.json");
    const FIXTURE_MANAGED: &str =
        include_str!("../../tests/fixtures/account-managed-organizations.json");

    #[test]
    fn the_recorded_list_decodes_with_its_metadata() {
        let page = list::<RawKey>(FIXTURE_LIST.as_bytes()).unwrap();
        assert_eq!(page.items.len(), 3);
        assert_eq!(page.metadata.unwrap().total_pages, Some(1));
        let names = KindNames::default();
        let kinds: Vec<_> = page
            .items
            .into_iter()
            .map(|k| k.into_info(&names).kind)
            .collect();
        assert_eq!(
            kinds,
            [
                super::super::model::KeyKind::User,
                super::super::model::KeyKind::Organization,
                super::super::model::KeyKind::MultiTenantAdmin
            ]
        );
    }

    #[test]
    fn a_bare_array_and_odd_fields_decode() {
        let body = br#"[{"id": 7, "name": "n", "type": "ENTERPRISE_USER", "extra": {"x": 1}}, "junk", {"id": "b", "generated_on": "not a date"}]"#;
        let page = list::<RawKey>(body).unwrap();
        assert_eq!(page.items.len(), 2);
        assert_eq!(page.skipped, 1);
        assert!(page.metadata.is_none());
        let info = page
            .items
            .into_iter()
            .next()
            .unwrap()
            .into_info(&KindNames::default());
        assert_eq!(info.id.as_deref(), Some("7"));
        assert_eq!(info.kind, super::super::model::KeyKind::MultiTenantUser);
    }

    #[test]
    fn unknown_types_are_kept() {
        let info = RawKey {
            kind: Some("SERVICE".into()),
            ..RawKey::default()
        }
        .into_info(&KindNames::default());
        assert_eq!(
            info.kind,
            super::super::model::KeyKind::Other("SERVICE".into())
        );
    }

    #[test]
    fn created_decodes_bare_and_wrapped() {
        let (key, secret) = created(FIXTURE_CREATED.as_bytes()).unwrap();
        assert_eq!(key.name.as_deref(), Some("ci-pipeline-2"));
        assert_eq!(
            secret.unwrap().expose_secret(),
            "5f0c6d7e-8a9b-4c1d-9e2f-3a4b5c6d7e8f"
        );
        let wrapped = format!("{{\"data\": {FIXTURE_CREATED}}}");
        let (key, secret) = created(wrapped.as_bytes()).unwrap();
        assert_eq!(
            key.id.as_deref(),
            Some("7c1e2d9a-3f4b-4c55-8a6e-9b0c1d2e3f40")
        );
        assert!(secret.is_some());
    }

    #[test]
    fn managed_organizations_decode() {
        let page = list::<RawOrganization>(FIXTURE_MANAGED.as_bytes()).unwrap();
        let orgs: Vec<_> = page
            .items
            .into_iter()
            .filter_map(RawOrganization::into_org)
            .collect();
        assert_eq!(orgs.len(), 3);
        assert_eq!(orgs[1].external_id.as_deref(), Some("CRM-0042"));
    }

    #[test]
    fn error_messages_from_json_and_plain_text() {
        assert_eq!(
            error_message(br#"{"status":403,"message":"no"}"#).as_deref(),
            Some("no")
        );
        assert_eq!(
            error_message(b"ModuleNotAvailable").as_deref(),
            Some("ModuleNotAvailable")
        );
        assert_eq!(error_message(b"<html>proxy</html>"), None);
    }
}
