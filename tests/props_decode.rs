//! Property tests of the tolerant decoders (contract Part 1): whatever JSON
//! value arrives where a list, an object or a field is expected, decoding
//! never panics and gives either a typed error or a tolerant value, and a
//! valid answer buried in noise keeps every id and secret it carries.
#![allow(clippy::unwrap_used)] // in tests a panic is the failure report

use proptest::prelude::*;
use proptest::sample::select;
use r7keys::api::decode::{self, RawKey, RawOrganization, RawUser};
use r7keys::api::tc::{Customer, Quota, UsedAssets};
use r7keys::api::{KeyKind, KindNames};
use secrecy::ExposeSecret;
use serde_json::{Map, Value, json};

/// The field names the decoders look for, so generated objects hit them.
const FIELDS: [&str; 22] = [
    "id",
    "name",
    "type",
    "data",
    "metadata",
    "index",
    "size",
    "total_pages",
    "total_data",
    "key",
    "organization_id",
    "organization_name",
    "user_id",
    "user_email",
    "generated_on",
    "email",
    "platform_admin",
    "region",
    "message",
    "logs",
    "events",
    "links",
];

/// Numbers at and past every edge a decoder might convert through.
fn edge_number() -> impl Strategy<Value = Value> {
    select(vec![
        json!(0),
        json!(-1),
        json!(i64::MIN),
        json!(u64::MAX),
        json!(1e308),
        json!(-1e308),
        json!(0.5),
        // Past u64: serde_json keeps it as a float.
        serde_json::from_str("18446744073709551616").unwrap(),
        serde_json::from_str("123456789012345678901234567890").unwrap(),
        json!("18446744073709551616"),
        json!(" 42 "),
        json!("-3"),
        json!("1e3"),
    ])
}

fn leaf() -> impl Strategy<Value = Value> {
    prop_oneof![
        Just(Value::Null),
        any::<bool>().prop_map(Value::Bool),
        any::<i64>().prop_map(Value::from),
        any::<u64>().prop_map(Value::from),
        any::<f64>().prop_filter_map("finite", |f| serde_json::Number::from_f64(f)
            .map(Value::Number)),
        edge_number(),
        any::<String>().prop_map(Value::String),
        "[a-z0-9-]{0,12}".prop_map(Value::String),
    ]
}

fn field_name() -> impl Strategy<Value = String> {
    prop_oneof![
        3 => select(FIELDS.to_vec()).prop_map(str::to_string),
        1 => any::<String>(),
    ]
}

/// Any JSON value, nested a few levels, its objects using the decoders' field names.
fn value() -> impl Strategy<Value = Value> {
    leaf().prop_recursive(4, 64, 6, |inner| {
        prop_oneof![
            proptest::collection::vec(inner.clone(), 0..6).prop_map(Value::Array),
            proptest::collection::vec((field_name(), inner), 0..6)
                .prop_map(|fields| Value::Object(fields.into_iter().collect())),
        ]
    })
}

/// A small value (nested twice at most): noise inside a larger answer.
fn small_value() -> impl Strategy<Value = Value> {
    leaf().prop_recursive(2, 12, 4, |inner| {
        prop_oneof![
            proptest::collection::vec(inner.clone(), 0..4).prop_map(Value::Array),
            proptest::collection::vec((field_name(), inner), 0..4)
                .prop_map(|fields| Value::Object(fields.into_iter().collect())),
        ]
    })
}

/// A value that is not an object: what a list may hold instead of an item.
fn not_an_object() -> impl Strategy<Value = Value> {
    prop_oneof![
        leaf(),
        proptest::collection::vec(small_value(), 0..4).prop_map(Value::Array),
    ]
}

fn bytes(value: &Value) -> Vec<u8> {
    serde_json::to_vec(value).unwrap()
}

/// Whether a value has the shape of a list answer.
fn is_list_shaped(value: &Value) -> bool {
    match value {
        Value::Array(_) => true,
        Value::Object(object) => matches!(object.get("data"), Some(Value::Array(_))),
        _ => false,
    }
}

fn list_len(value: &Value) -> usize {
    match value {
        Value::Array(items) => items.len(),
        Value::Object(object) => object["data"].as_array().unwrap().len(),
        _ => 0,
    }
}

/// A valid key with unique id `n`, its other fields noise.
fn noisy_key(n: usize, noise: Vec<(String, Value)>) -> Value {
    let mut object: Map<String, Value> =
        noise.into_iter().filter(|(name, _)| name != "id").collect();
    object.insert("id".into(), json!(format!("key-{n:04}")));
    Value::Object(object)
}

fn noise_fields() -> impl Strategy<Value = Vec<(String, Value)>> {
    proptest::collection::vec((field_name(), small_value()), 0..4)
}

/// Items of a page: valid keys (by position) mixed with items that are not objects.
#[derive(Debug, Clone)]
enum Item {
    Key(Vec<(String, Value)>),
    Junk(Value),
}

fn item() -> impl Strategy<Value = Item> {
    prop_oneof![
        2 => noise_fields().prop_map(Item::Key),
        1 => not_an_object().prop_map(Item::Junk),
    ]
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(256))]

    /// Any value: a list-shaped one decodes with every item counted (kept
    /// or skipped), any other is an error that says a list was expected.
    #[test]
    fn any_value_where_a_list_is_expected(value in value()) {
        let decoded = decode::list::<RawKey>(&bytes(&value));
        if is_list_shaped(&value) {
            let page = decoded.unwrap();
            prop_assert_eq!(page.items.len() + page.skipped, list_len(&value));
            prop_assert_eq!(page.identities.len(), page.items.len());
        } else {
            let error = decoded.unwrap_err();
            prop_assert!(error.contains("expected a list"), "{}", error);
        }
        for result in [
            decode::list::<RawOrganization>(&bytes(&value)).map(|p| p.items.len()),
            decode::list::<RawUser>(&bytes(&value)).map(|p| p.items.len()),
        ] {
            prop_assert_eq!(result.is_ok(), is_list_shaped(&value));
        }
    }

    /// Any bytes at all: an error or a page, never a panic.
    #[test]
    fn any_bytes_where_a_list_is_expected(body in proptest::collection::vec(any::<u8>(), 0..64)) {
        if let Ok(page) = decode::list::<RawKey>(&body) {
            prop_assert_eq!(page.identities.len(), page.items.len());
        }
        let _ = decode::created(&body);
        let _ = decode::error_message(&body);
    }

    /// A valid page with noise in its keys' other fields, between its keys
    /// and around it (metadata, sibling fields) keeps every id, in order,
    /// and skips exactly the items that are not keys.
    #[test]
    fn a_valid_page_in_noise_keeps_its_ids(
        items in proptest::collection::vec(item(), 0..10),
        metadata in small_value(),
        siblings in noise_fields(),
        enveloped in any::<bool>(),
    ) {
        let mut expected = Vec::new();
        let mut junk = 0;
        let list: Vec<Value> = items
            .into_iter()
            .enumerate()
            .map(|(n, item)| match item {
                Item::Key(noise) => {
                    expected.push(format!("key-{n:04}"));
                    noisy_key(n, noise)
                }
                Item::Junk(value) => {
                    junk += 1;
                    value
                }
            })
            .collect();
        let body = if enveloped {
            let mut object: Map<String, Value> = siblings.into_iter().collect();
            object.insert("data".into(), Value::Array(list));
            object.insert("metadata".into(), metadata);
            Value::Object(object)
        } else {
            Value::Array(list)
        };
        let page = decode::list::<RawKey>(&bytes(&body)).unwrap();
        prop_assert_eq!(page.skipped, junk);
        let names = KindNames::default();
        let ids: Vec<String> = page
            .items
            .into_iter()
            .map(|k| k.into_info(&names).id.unwrap())
            .collect();
        prop_assert_eq!(ids, expected);
    }

    /// A metadata block of numbers, strings of numbers or noise: the numbers
    /// a u64 holds are read, anything else is absent, the page still decodes.
    #[test]
    fn metadata_fields_are_numbers_or_absent(
        index in value(),
        total_pages in value(),
    ) {
        let body = json!({"data": [], "metadata": {"index": index, "total_pages": total_pages}});
        let page = decode::list::<RawKey>(&bytes(&body)).unwrap();
        let metadata = page.metadata.unwrap();
        let as_u64 = |v: &Value| match v {
            Value::Number(n) => n.as_u64(),
            Value::String(s) => s.trim().parse().ok(),
            _ => None,
        };
        prop_assert_eq!(metadata.index, as_u64(&index));
        prop_assert_eq!(metadata.total_pages, as_u64(&total_pages));
    }

    /// A metadata block that is not an object is absent, not read by position.
    #[test]
    fn metadata_that_is_not_an_object_is_absent(metadata in not_an_object()) {
        let body = json!({"data": [{"id": "a"}], "metadata": metadata});
        let page = decode::list::<RawKey>(&bytes(&body)).unwrap();
        prop_assert_eq!(page.items.len(), 1);
        prop_assert!(page.metadata.is_none(), "{:?}", page.metadata);
    }

    /// Any value where a generated key is expected: an object decodes (its
    /// secret when `key` is text), anything else is an error.
    #[test]
    fn any_value_where_a_created_key_is_expected(value in value()) {
        let result = decode::created(&bytes(&value));
        match &value {
            Value::Object(_) => {
                let (_, secret) = result.unwrap();
                let inner = match value.get("data") {
                    Some(data @ Value::Object(_)) => data,
                    _ => &value,
                };
                if let Some(Value::String(key)) = inner.get("key") {
                    prop_assert_eq!(secret.map(|s| s.expose_secret().to_string()), Some(key.clone()));
                }
            }
            _ => prop_assert!(result.is_err(), "{:?} decoded as a created key", value),
        }
    }

    /// A generate answer that is not an object is an error that never
    /// quotes it (it may be the secret itself); a `key` that is not text is
    /// no key, and is not quoted either.
    #[test]
    fn a_created_answer_never_quotes_its_secret(
        secret in "[0-9a-f]{12,36}",
        number in 100_000_000_000u64..,
        wrapped in any::<bool>(),
    ) {
        for body in [json!(secret), json!([secret]), json!({"data": [secret]})] {
            match decode::created(&bytes(&body)) {
                Err(error) => prop_assert!(!error.contains(&secret), "{}", error),
                Ok((_, key)) => prop_assert!(key.is_none()),
            }
        }
        let body = if wrapped { json!({"data": {"id": "k", "key": number}}) } else { json!({"id": "k", "key": number}) };
        let (raw, key) = decode::created(&bytes(&body)).unwrap();
        prop_assert_eq!(raw.id.as_deref(), Some("k"));
        prop_assert!(key.is_none());
    }

    /// A valid generate answer, bare or wrapped, with noise in its other
    /// fields keeps its id and its secret.
    #[test]
    fn a_created_key_in_noise_keeps_id_and_secret(
        noise in noise_fields(),
        secret in "[0-9a-f-]{8,36}",
        wrapped in any::<bool>(),
    ) {
        let mut object: Map<String, Value> = noise
            .into_iter()
            .filter(|(name, _)| !matches!(name.as_str(), "id" | "key" | "data"))
            .collect();
        object.insert("id".into(), json!("new-key"));
        object.insert("key".into(), json!(secret.clone()));
        let body = if wrapped { json!({"data": object}) } else { Value::Object(object) };
        let (raw, got) = decode::created(&bytes(&body)).unwrap();
        prop_assert_eq!(raw.id.as_deref(), Some("new-key"));
        let got = got.unwrap();
        prop_assert_eq!(got.expose_secret(), secret.as_str());
    }

    /// An error body: an object's `message` when it is text, never a panic.
    #[test]
    fn any_value_where_an_error_is_expected(value in value()) {
        let message = decode::error_message(&bytes(&value));
        match value.get("message") {
            Some(Value::String(text)) if value.is_object() => {
                prop_assert_eq!(message.as_deref(), Some(text.as_str()));
            }
            _ if value.is_object() => prop_assert_eq!(message, None),
            _ => {}
        }
    }

    /// Whatever the key's fields hold, it becomes a `KeyInfo`: text fields
    /// are text or absent, a date that is not RFC 3339 is absent.
    #[test]
    fn any_key_fields_make_a_key_info(fields in noise_fields()) {
        // The expectation is read from the very text sent: serde_json's
        // float parsing is not an exact round trip (a float id may read back
        // as its neighbour), which is no concern of the decoder's.
        let body = bytes(&json!([Value::Object(fields.into_iter().collect())]));
        let object = serde_json::from_slice::<Value>(&body).unwrap()[0].clone();
        let page = decode::list::<RawKey>(&body).unwrap();
        let info = page.items.into_iter().next().unwrap().into_info(&KindNames::default());
        let text = |name: &str| match object.get(name) {
            Some(Value::String(s)) => Some(s.clone()),
            Some(Value::Number(n)) => Some(n.to_string()),
            Some(Value::Bool(b)) => Some(b.to_string()),
            _ => None,
        };
        prop_assert_eq!(info.id, text("id"));
        prop_assert_eq!(info.name, text("name"));
        prop_assert_eq!(info.wire_type, text("type"));
        if text("generated_on").is_none() {
            prop_assert!(info.generated_on.is_none());
        }
    }

    /// An organization without an id is dropped; one with an id keeps it.
    #[test]
    fn any_organization_fields(fields in noise_fields()) {
        let object = Value::Object(fields.into_iter().collect());
        let page = decode::list::<RawOrganization>(&bytes(&json!([object.clone()]))).unwrap();
        let org = page.items.into_iter().next().unwrap().into_org();
        let has_id = matches!(object.get("id"), Some(Value::String(_) | Value::Number(_) | Value::Bool(_)));
        prop_assert_eq!(org.is_some(), has_id);
    }

    /// Any `type` text: a kind the client knows prints back to a spelling
    /// that parses to it again; an unknown one is kept exactly as it came.
    #[test]
    fn any_type_text_is_a_kind(wire in prop_oneof![
        any::<String>(),
        select(vec!["USER", "organization", "ENTERPRISE_ADMIN", "multi_tenant_user", "Service"])
            .prop_map(str::to_string),
    ]) {
        let names = KindNames::default();
        let kind = names.parse(&wire);
        match &kind {
            KeyKind::Other(raw) => prop_assert_eq!(raw, &wire),
            known => prop_assert_eq!(&names.parse(&names.wire(known)), known),
        }
    }

    /// Threat Command's answers: any value decodes to the typed answer or
    /// is an error; a list where an object is expected is an error.
    #[test]
    fn any_value_where_a_threat_command_answer_is_expected(value in value()) {
        let body = bytes(&value);
        let assets = serde_json::from_slice::<UsedAssets>(&body);
        let quota = serde_json::from_slice::<Quota>(&body);
        let customers = serde_json::from_slice::<Vec<Customer>>(&body);
        if !value.is_object() {
            prop_assert!(assets.is_err() || value.is_array());
            prop_assert!(quota.is_err() || value.is_array());
        }
        if !value.is_array() {
            prop_assert!(customers.is_err());
        }
        let _ = serde_json::from_slice::<std::collections::BTreeMap<String, bool>>(&body);
    }
}

/// Regression: an item that is a list is not a key read by position (the
/// derived decoder accepts a sequence for a struct).
#[test]
fn a_list_item_that_is_an_array_is_skipped() {
    let page = decode::list::<RawKey>(br#"[["key-1", "name", "USER"], {"id": "key-2"}]"#).unwrap();
    assert_eq!(page.skipped, 1);
    let ids: Vec<_> = page.items.into_iter().map(|k| k.id).collect();
    assert_eq!(ids, [Some("key-2".to_string())]);
}

/// Regression: a generate answer that is a list holds no key, even when its
/// ninth element is text where the secret would be by position.
#[test]
fn a_created_answer_that_is_a_list_is_an_error() {
    let body = br#"["id", "n", "USER", "o", "on", "u", "e", "2026-01-01T00:00:00Z", "secret"]"#;
    assert!(decode::created(body).is_err());
    assert!(decode::created(b"[]").is_err());
    assert!(decode::created(br#"{"data": []}"#).is_ok_and(|(_, key)| key.is_none()));
}
