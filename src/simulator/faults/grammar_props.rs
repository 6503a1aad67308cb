//! Property tests of the fault grammar (`--faults SPEC`, `PUT /_sim/faults`)
//! and the latency syntax: whatever text arrives, parsing never panics and
//! either yields rules that print back to themselves and can be applied, or
//! an error that names the problem and is safe to print on a terminal.

use proptest::prelude::*;
use proptest::sample::select;

use super::{FaultKind, FaultRule, Faults, Latency, parse_spec, refuse};
use crate::simulator::ratelimit::RateHeaders;

/// How every refusal of the grammar begins: each names the part at fault.
const PROBLEMS: [&str; 7] = [
    "unknown fault ",
    "bad argument ",
    "bad count ",
    "bad rate ",
    "rate ",
    "empty path match ",
    "5xx wants a status",
];

fn names_the_problem(message: &str) -> bool {
    let known = PROBLEMS.iter().any(|p| message.starts_with(p))
        || (message.starts_with("fault ") && message.contains("takes no argument"));
    known && !message.chars().any(char::is_control)
}

/// A parsed spec prints back to text that parses to the same rules, and
/// the rules can be applied to requests.
fn check_rules(rules: &[FaultRule]) -> Result<(), TestCaseError> {
    let printed = rules
        .iter()
        .map(ToString::to_string)
        .collect::<Vec<_>>()
        .join(",");
    let again = parse_spec(&printed);
    prop_assert_eq!(again.as_deref(), Ok(rules), "printed as {:?}", printed);
    let faults = Faults::new(7, rules.to_vec(), Latency::default());
    for path in ["/us/account/api/1/api-keys", "/eu/validate"] {
        faults.decide("GET", path);
    }
    // A refusing fault answers in every header shape, whatever its argument.
    for rule in rules {
        for shape in [
            RateHeaders::Standard,
            RateHeaders::Epoch,
            RateHeaders::XOnly,
        ] {
            if let Some(answer) = refuse(rule.kind, shape) {
                prop_assert!(answer.status().as_u16() >= 200);
            }
        }
    }
    Ok(())
}

fn check_spec(text: &str) -> Result<(), TestCaseError> {
    match parse_spec(text) {
        Ok(rules) => check_rules(&rules),
        Err(message) => {
            prop_assert!(names_the_problem(&message), "{text:?}: {message:?}");
            Ok(())
        }
    }
}

fn check_latency(text: &str) -> Result<(), TestCaseError> {
    match text.parse::<Latency>() {
        Ok(latency) => {
            prop_assert_eq!(latency.to_string().parse::<Latency>(), Ok(latency));
            let faults = Faults::new(1, Vec::new(), latency);
            for n in 0..4 {
                let delay = faults.decide("GET", &format!("/us/x?{n}")).delay;
                let lowest = latency.ms.saturating_sub(latency.jitter_ms);
                prop_assert!(delay.as_millis() >= u128::from(lowest));
            }
            Ok(())
        }
        Err(message) => {
            prop_assert!(
                message.starts_with("bad latency ") && !message.chars().any(char::is_control),
                "{text:?}: {message:?}"
            );
            Ok(())
        }
    }
}

/// Characters the grammar gives meaning to, and a few it must survive.
fn grammar_char() -> impl Strategy<Value = char> {
    prop_oneof![
        3 => select(vec![
            '=', ':', '@', '*', ',', '~', ' ', '.', '-', '+', 'e', '0', '1', '5', '9', 'x',
        ]),
        1 => any::<char>(),
    ]
}

/// Text built from the grammar's own words and characters.
fn grammar_text() -> impl Strategy<Value = String> {
    let word = prop_oneof![
        select(vec![
            "spike",
            "5xx",
            "429",
            "hang",
            "reset",
            "truncate",
            "malformed",
            "html",
            "oversize",
            "drip",
            "api-keys",
            "NaN",
            "inf",
            "1e3",
            "0.5",
            "18446744073709551616",
        ])
        .prop_map(str::to_string),
        grammar_char().prop_map(String::from),
    ];
    proptest::collection::vec(word, 0..12).prop_map(|parts| parts.concat())
}

fn kind() -> impl Strategy<Value = FaultKind> {
    prop_oneof![
        any::<u64>().prop_map(FaultKind::Spike),
        (500u16..600).prop_map(FaultKind::ServerError),
        any::<u64>().prop_map(FaultKind::Throttle),
        Just(FaultKind::Hang),
        Just(FaultKind::Reset),
        Just(FaultKind::Truncate),
        Just(FaultKind::Malformed),
        Just(FaultKind::Html),
        any::<u64>().prop_map(FaultKind::Oversize),
        any::<u64>().prop_map(FaultKind::Drip),
    ]
}

/// Any rule the grammar can express (a path match is path-like text: no
/// separators, no surrounding space).
fn rule() -> impl Strategy<Value = FaultRule> {
    let path = proptest::collection::vec(
        select(vec![
            'a', 'k', 'y', '/', '-', '_', '?', '&', '=', ':', '.', '1', 'é',
        ]),
        1..12,
    )
    .prop_map(|c| c.into_iter().collect::<String>());
    (
        kind(),
        prop_oneof![Just(1.0), 0.0f64..=1.0],
        proptest::option::of(path),
        proptest::option::of(any::<u64>()),
    )
        .prop_map(|(kind, rate, matching, remaining)| FaultRule {
            kind,
            rate,
            matching,
            remaining,
        })
}

/// One change to a text: insert, delete or replace a character, or cut it.
#[derive(Debug, Clone)]
enum Mutation {
    Insert(usize, char),
    Delete(usize),
    Replace(usize, char),
    Cut(usize),
}

fn mutation() -> impl Strategy<Value = Mutation> {
    prop_oneof![
        (any::<usize>(), grammar_char()).prop_map(|(i, c)| Mutation::Insert(i, c)),
        any::<usize>().prop_map(Mutation::Delete),
        (any::<usize>(), grammar_char()).prop_map(|(i, c)| Mutation::Replace(i, c)),
        any::<usize>().prop_map(Mutation::Cut),
    ]
}

fn mutate(text: &str, mutations: &[Mutation]) -> String {
    let mut chars: Vec<char> = text.chars().collect();
    for m in mutations {
        let at = |i: usize, len: usize| if len == 0 { 0 } else { i % len };
        match *m {
            Mutation::Insert(i, c) => chars.insert(at(i, chars.len() + 1), c),
            Mutation::Delete(i) if !chars.is_empty() => {
                chars.remove(at(i, chars.len()));
            }
            Mutation::Replace(i, c) if !chars.is_empty() => {
                let i = at(i, chars.len());
                chars[i] = c;
            }
            Mutation::Cut(i) => chars.truncate(at(i, chars.len() + 1)),
            _ => {}
        }
    }
    chars.into_iter().collect()
}

fn spec_text(rules: &[FaultRule]) -> String {
    rules
        .iter()
        .map(ToString::to_string)
        .collect::<Vec<_>>()
        .join(",")
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 400, ..ProptestConfig::default() })]

    #[test]
    fn any_text_is_rules_or_a_named_error(
        text in proptest::collection::vec(any::<char>(), 0..48)
            .prop_map(|c| c.into_iter().collect::<String>())
    ) {
        check_spec(&text)?;
        check_latency(&text)?;
    }

    #[test]
    fn grammar_like_text_is_rules_or_a_named_error(text in grammar_text()) {
        check_spec(&text)?;
        check_latency(&text)?;
    }

    #[test]
    fn valid_specs_round_trip(rules in proptest::collection::vec(rule(), 0..5)) {
        let text = spec_text(&rules);
        prop_assert_eq!(parse_spec(&text), Ok(rules.clone()), "{}", text);
        check_rules(&rules)?;
        // Space around the separators changes nothing.
        let spaced = text
            .replace(',', " , ")
            .replace('*', " * ")
            .replace(':', " : ");
        if rules.iter().all(|r| r.matching.as_deref().is_none_or(|m| !m.contains(':'))) {
            prop_assert_eq!(parse_spec(&spaced), Ok(rules), "{}", spaced);
        }
    }

    #[test]
    fn mutated_specs_are_rules_or_a_named_error(
        rules in proptest::collection::vec(rule(), 1..4),
        mutations in proptest::collection::vec(mutation(), 1..4),
    ) {
        check_spec(&mutate(&spec_text(&rules), &mutations))?;
    }

    #[test]
    fn latencies_round_trip(ms in any::<u64>(), jitter in any::<u64>()) {
        let latency = Latency { ms, jitter_ms: jitter };
        check_latency(&latency.to_string())?;
        prop_assert_eq!(format!(" {ms} ~ {jitter} ").parse::<Latency>(), Ok(latency));
    }

    #[test]
    fn mutated_latencies_parse_or_say_why(
        ms in any::<u64>(),
        jitter in any::<u64>(),
        mutations in proptest::collection::vec(mutation(), 1..3),
    ) {
        check_latency(&mutate(&format!("{ms}~{jitter}"), &mutations))?;
    }
}
