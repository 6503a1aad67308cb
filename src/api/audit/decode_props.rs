//! Property tests of the Log Search decoders: whatever JSON arrives as a log
//! list, a query page or an event, decoding never panics; a shape that is
//! not the expected one is an error (or, for an event, not an API-key
//! event), and a valid event buried in noise keeps what it says.

use proptest::prelude::*;
use proptest::sample::select;
use serde_json::{Map, Value, json};

use super::{AuditAction, decode_event, decode_logs, decode_page};

const FIELDS: [&str; 16] = [
    "logs",
    "id",
    "name",
    "logsets_info",
    "events",
    "links",
    "rel",
    "href",
    "progress",
    "message",
    "action",
    "actor",
    "target",
    "timestamp",
    "log_id",
    "sequence_number",
];

fn leaf() -> impl Strategy<Value = Value> {
    prop_oneof![
        Just(Value::Null),
        any::<bool>().prop_map(Value::Bool),
        any::<i64>().prop_map(Value::from),
        any::<u64>().prop_map(Value::from),
        any::<f64>().prop_filter_map("finite", |f| serde_json::Number::from_f64(f)
            .map(Value::Number)),
        select(vec![
            json!(1e308),
            json!(-1e308),
            json!(i64::MIN),
            json!(u64::MAX),
            json!("Self"),
            json!("Next"),
            json!("API_KEY_CREATED"),
            json!("audit")
        ]),
        any::<String>().prop_map(Value::String),
    ]
}

fn field_name() -> impl Strategy<Value = String> {
    prop_oneof![
        3 => select(FIELDS.to_vec()).prop_map(str::to_string),
        1 => any::<String>(),
    ]
}

fn value() -> impl Strategy<Value = Value> {
    leaf().prop_recursive(4, 64, 6, |inner| {
        prop_oneof![
            proptest::collection::vec(inner.clone(), 0..6).prop_map(Value::Array),
            proptest::collection::vec((field_name(), inner), 0..6)
                .prop_map(|fields| Value::Object(fields.into_iter().collect())),
        ]
    })
}

fn bytes(value: &Value) -> Vec<u8> {
    serde_json::to_vec(value).expect("a value serializes")
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(256))]

    /// A log list: an array or `{"logs": [...]}` decodes (each log found
    /// is one of them, with an id), anything else is an error.
    #[test]
    fn any_value_where_a_log_list_is_expected(value in value()) {
        let listed = match &value {
            Value::Array(items) => Some(items.len()),
            Value::Object(object) => object.get("logs").and_then(Value::as_array).map(Vec::len),
            _ => None,
        };
        match (decode_logs(&bytes(&value)), listed) {
            (Ok(logs), Some(count)) => prop_assert!(logs.len() <= count),
            (Err(_), None) => {}
            (result, listed) => prop_assert!(false, "{:?} for a list of {:?}", result.map(|l| l.len()), listed),
        }
    }

    /// A query page: an object decodes (events kept as they came, links
    /// only when text), anything else is an error.
    #[test]
    fn any_value_where_a_query_page_is_expected(value in value()) {
        let decoded = decode_page(&bytes(&value));
        prop_assert_eq!(decoded.is_ok(), value.is_object());
        if let Ok(page) = decoded {
            let events = value.get("events").and_then(Value::as_array).map_or(0, Vec::len);
            prop_assert_eq!(page.events.len(), events);
            let _ = (page.self_link, page.next_link, page.progress);
        }
    }

    /// Any bytes: an error or a page, never a panic.
    #[test]
    fn any_bytes_where_log_search_answers_are_expected(body in proptest::collection::vec(any::<u8>(), 0..64)) {
        let _ = decode_logs(&body);
        let _ = decode_page(&body);
    }

    /// Any event value: an API-key event or none, never a panic.
    #[test]
    fn any_value_where_an_event_is_expected(value in value()) {
        if let Some(event) = decode_event(&value, None) {
            prop_assert!(AuditAction::from_wire(&event.wire_action).is_some());
        }
    }

    /// A valid generate event, its payload as text or as an object, with
    /// noise in every other field, keeps its action, key id and actor.
    #[test]
    fn a_valid_event_in_noise_keeps_what_it_says(
        noise in proptest::collection::vec((field_name(), value()), 0..5),
        timestamp in value(),
        as_text in any::<bool>(),
    ) {
        let mut message: Map<String, Value> = noise
            .iter()
            .filter(|(name, _)| !matches!(name.as_str(), "action" | "actor" | "target"))
            .cloned()
            .collect();
        message.insert("action".into(), json!("API_KEY_CREATED"));
        message.insert("actor".into(), json!({"email": "pat@acme.example"}));
        message.insert("target".into(), json!({"id": "key-1", "type": "USER"}));
        let message = Value::Object(message);
        let mut raw: Map<String, Value> = noise.into_iter().filter(|(name, _)| name != "message").collect();
        raw.insert("message".into(), if as_text { json!(message.to_string()) } else { message });
        raw.insert("timestamp".into(), timestamp);
        let event = decode_event(&Value::Object(raw), None).expect("an API-key event");
        prop_assert_eq!(event.action, AuditAction::Generate);
        prop_assert_eq!(event.key_id.as_deref(), Some("key-1"));
        prop_assert_eq!(event.actor_email.as_deref(), Some("pat@acme.example"));
    }
}
