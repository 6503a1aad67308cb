//! Faults on demand: what a flaky network, an overloaded gateway or a
//! misbehaving proxy does to a client, so every error path can be tested.
//!
//! A fault spec is a comma-separated list of rules:
//!
//! ```text
//! RULE  = KIND ["=" ARG] [":" RATE] ["@" TEXT] ["*" COUNT]
//! ```
//!
//! | kind        | what the client sees                                   | ARG (default)      | does the request take effect? |
//! |-------------|--------------------------------------------------------|--------------------|-------------------------------|
//! | `spike`     | the answer, late                                       | delay ms (3000)    | yes |
//! | `5xx`       | a gateway error                                        | status (503)       | no  |
//! | `429`       | "API rate limit exceeded" whatever the budget          | Retry-After s (2)  | no  |
//! | `hang`      | no answer, ever (the request was processed)            | -                  | yes |
//! | `reset`     | headers, half the body, then the connection breaks     | -                  | yes |
//! | `truncate`  | a well-framed answer with half of the JSON             | -                  | yes |
//! | `malformed` | an answer that is not valid JSON                       | -                  | yes |
//! | `html`      | a proxy's HTML page with status 200                    | -                  | no  |
//! | `oversize`  | an endless-looking JSON body                           | bytes (64 MiB)     | no  |
//! | `drip`      | the answer, 16 bytes at a time                         | ms per chunk (200) | yes |
//!
//! `RATE` is the probability (0..=1, default 1), `TEXT` limits the rule to
//! paths containing it, and `COUNT` retires the rule after that many hits.
//! The first matching rule wins. Decisions are a hash of the seed, the rule,
//! the request line and how many times that request line was seen, so a
//! given seed and request sequence always gets the same faults.

use std::collections::HashMap;
use std::fmt;
use std::str::FromStr;
use std::sync::{Mutex, PoisonError};
use std::time::Duration;

use axum::body::Body;
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::Response;
use bytes::Bytes;
use serde::Serialize;

use super::ratelimit::{Advert, RateHeaders, rate_headers};

/// One kind of misbehaviour.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FaultKind {
    Spike(u64),
    ServerError(u16),
    Throttle(u64),
    Hang,
    Reset,
    Truncate,
    Malformed,
    Html,
    Oversize(u64),
    Drip(u64),
}

impl FaultKind {
    /// Whether the request is processed before the fault mangles the answer.
    pub fn processes_request(self) -> bool {
        !matches!(
            self,
            FaultKind::ServerError(_)
                | FaultKind::Throttle(_)
                | FaultKind::Html
                | FaultKind::Oversize(_)
        )
    }

    fn parse(name: &str, arg: Option<&str>) -> Result<Self, String> {
        let number = |default: u64| -> Result<u64, String> {
            arg.map_or(Ok(default), |a| {
                a.parse()
                    .map_err(|_| format!("bad argument {a:?} for fault {name}"))
            })
        };
        let no_arg = |kind: FaultKind| match arg {
            None => Ok(kind),
            Some(a) => Err(format!("fault {name} takes no argument (got {a:?})")),
        };
        match name {
            "spike" => Ok(FaultKind::Spike(number(3000)?)),
            "5xx" => {
                let status = number(503)?;
                if (500..600).contains(&status) {
                    Ok(FaultKind::ServerError(status as u16))
                } else {
                    Err(format!("5xx wants a status from 500 to 599, not {status}"))
                }
            }
            "429" => Ok(FaultKind::Throttle(number(2)?)),
            "hang" => no_arg(FaultKind::Hang),
            "reset" => no_arg(FaultKind::Reset),
            "truncate" => no_arg(FaultKind::Truncate),
            "malformed" => no_arg(FaultKind::Malformed),
            "html" => no_arg(FaultKind::Html),
            "oversize" => Ok(FaultKind::Oversize(number(64 << 20)?)),
            "drip" => Ok(FaultKind::Drip(number(200)?)),
            _ => Err(format!(
                "unknown fault {name:?}; known: spike, 5xx, 429, hang, reset, truncate, malformed, html, oversize, drip"
            )),
        }
    }
}

impl fmt::Display for FaultKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            FaultKind::Spike(ms) => write!(f, "spike={ms}"),
            FaultKind::ServerError(status) => write!(f, "5xx={status}"),
            FaultKind::Throttle(secs) => write!(f, "429={secs}"),
            FaultKind::Hang => f.write_str("hang"),
            FaultKind::Reset => f.write_str("reset"),
            FaultKind::Truncate => f.write_str("truncate"),
            FaultKind::Malformed => f.write_str("malformed"),
            FaultKind::Html => f.write_str("html"),
            FaultKind::Oversize(bytes) => write!(f, "oversize={bytes}"),
            FaultKind::Drip(ms) => write!(f, "drip={ms}"),
        }
    }
}

/// One rule of a fault spec.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct FaultRule {
    #[serde(serialize_with = "display")]
    pub kind: FaultKind,
    pub rate: f64,
    pub matching: Option<String>,
    pub remaining: Option<u64>,
}

fn display<S: serde::Serializer>(kind: &FaultKind, s: S) -> Result<S::Ok, S::Error> {
    s.collect_str(kind)
}

impl FromStr for FaultRule {
    type Err = String;

    /// Whitespace around the separators is ignored (`5xx = 502 : 0.5`), so a
    /// rule prints back ([`fmt::Display`]) to text that parses to itself.
    fn from_str(text: &str) -> Result<Self, Self::Err> {
        let rule = text.trim();
        let (text, remaining) = match rule.rsplit_once('*') {
            Some((head, count)) => {
                let count = count
                    .trim()
                    .parse()
                    .map_err(|_| format!("bad count {count:?} in fault {rule:?}"))?;
                (head, Some(count))
            }
            None => (rule, None),
        };
        let (text, matching) = match text.split_once('@') {
            Some((head, what)) if !what.trim().is_empty() => (head, Some(what.trim().to_string())),
            Some(_) => return Err(format!("empty path match in fault {rule:?}")),
            None => (text, None),
        };
        let (text, rate) = match text.split_once(':') {
            Some((head, rate)) => {
                let rate: f64 = rate
                    .trim()
                    .parse()
                    .map_err(|_| format!("bad rate {rate:?} in fault {rule:?}"))?;
                if !(0.0..=1.0).contains(&rate) {
                    return Err(format!(
                        "rate {rate} is not between 0 and 1 in fault {rule:?}"
                    ));
                }
                (head, rate)
            }
            None => (text, 1.0),
        };
        let (name, arg) = match text.split_once('=') {
            Some((name, arg)) => (name.trim(), Some(arg.trim())),
            None => (text.trim(), None),
        };
        Ok(FaultRule {
            kind: FaultKind::parse(name, arg)?,
            rate,
            matching,
            remaining,
        })
    }
}

impl fmt::Display for FaultRule {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.kind)?;
        if self.rate < 1.0 {
            write!(f, ":{}", self.rate)?;
        }
        if let Some(m) = &self.matching {
            write!(f, "@{m}")?;
        }
        if let Some(n) = self.remaining {
            write!(f, "*{n}")?;
        }
        Ok(())
    }
}

/// Parses a whole spec (empty means no faults).
pub fn parse_spec(text: &str) -> Result<Vec<FaultRule>, String> {
    text.split(',')
        .map(str::trim)
        .filter(|r| !r.is_empty())
        .map(FaultRule::from_str)
        .collect()
}

/// Added latency: a base and a deterministic jitter of up to `jitter_ms` either way.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
pub struct Latency {
    pub ms: u64,
    pub jitter_ms: u64,
}

impl FromStr for Latency {
    type Err = String;

    /// `MS` or `MS~JITTER`, in milliseconds.
    fn from_str(text: &str) -> Result<Self, Self::Err> {
        let bad = || format!("bad latency {text:?}; expected MS or MS~JITTER, e.g. 30~10");
        let (ms, jitter) = text.split_once('~').unwrap_or((text, "0"));
        Ok(Latency {
            ms: ms.trim().parse().map_err(|_| bad())?,
            jitter_ms: jitter.trim().parse().map_err(|_| bad())?,
        })
    }
}

impl fmt::Display for Latency {
    /// `MS` or `MS~JITTER`: what [`Latency::from_str`] reads.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.jitter_ms == 0 {
            write!(f, "{}", self.ms)
        } else {
            write!(f, "{}~{}", self.ms, self.jitter_ms)
        }
    }
}

struct FaultState {
    rules: Vec<FaultRule>,
    latency: Latency,
    seen: HashMap<String, u64>,
}

/// The live fault settings, changeable at run time through `/_sim/faults`.
pub struct Faults {
    seed: u64,
    state: Mutex<FaultState>,
}

/// What to do to one request.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Decision {
    pub delay: Duration,
    pub fault: Option<FaultKind>,
}

/// The current settings, as `/_sim/faults` shows them.
#[derive(Debug, Clone, Serialize)]
pub struct FaultSettings {
    pub spec: String,
    pub rules: Vec<FaultRule>,
    pub latency: Latency,
}

fn mix(mut x: u64) -> u64 {
    // splitmix64's finaliser: a good, cheap bit mixer.
    x = (x ^ (x >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
    x = (x ^ (x >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
    x ^ (x >> 31)
}

fn hash_text(seed: u64, text: &str) -> u64 {
    text.bytes().fold(mix(seed), |h, b| mix(h ^ u64::from(b)))
}

impl Faults {
    pub fn new(seed: u64, rules: Vec<FaultRule>, latency: Latency) -> Self {
        Faults {
            seed,
            state: Mutex::new(FaultState {
                rules,
                latency,
                seen: HashMap::new(),
            }),
        }
    }

    /// Decides the delay and fault for a request line, counting it.
    pub fn decide(&self, method: &str, path_and_query: &str) -> Decision {
        let mut state = self.state.lock().unwrap_or_else(PoisonError::into_inner);
        let line = format!("{method} {path_and_query}");
        let seen = state.seen.entry(line.clone()).or_insert(0);
        *seen += 1;
        let occurrence = *seen;
        let base = hash_text(self.seed, &line) ^ mix(occurrence);
        let latency = state.latency;
        // Saturating: any latency the grammar accepts is a delay, never an overflow.
        let jitter = if latency.jitter_ms == 0 {
            0
        } else {
            mix(base ^ 0x5151) % latency.jitter_ms.saturating_mul(2).saturating_add(1)
        };
        let delay = Duration::from_millis(
            latency
                .ms
                .saturating_add(jitter)
                .saturating_sub(latency.jitter_ms),
        );
        let mut fault = None;
        for (i, rule) in state.rules.iter_mut().enumerate() {
            if rule.remaining == Some(0) {
                continue;
            }
            if rule
                .matching
                .as_deref()
                .is_some_and(|m| !path_and_query.contains(m))
            {
                continue;
            }
            // Compare in integers: the rate scaled to the hash's range.
            #[allow(clippy::cast_precision_loss, clippy::cast_sign_loss)]
            let threshold = (rule.rate * u64::MAX as f64) as u64;
            let roll = mix(base ^ mix(i as u64 + 1));
            if rule.rate >= 1.0 || roll < threshold {
                if let Some(n) = rule.remaining.as_mut() {
                    *n -= 1;
                }
                fault = Some(rule.kind);
                break;
            }
        }
        Decision { delay, fault }
    }

    pub fn settings(&self) -> FaultSettings {
        let state = self.state.lock().unwrap_or_else(PoisonError::into_inner);
        let spec = state
            .rules
            .iter()
            .map(ToString::to_string)
            .collect::<Vec<_>>()
            .join(",");
        FaultSettings {
            spec,
            rules: state.rules.clone(),
            latency: state.latency,
        }
    }

    pub fn set_rules(&self, rules: Vec<FaultRule>) {
        self.state
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .rules = rules;
    }

    pub fn set_latency(&self, latency: Latency) {
        self.state
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .latency = latency;
    }
}

fn json_response(status: StatusCode, body: &'static str) -> Response {
    let mut response = Response::new(Body::from(body));
    *response.status_mut() = status;
    response.headers_mut().insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("application/json"),
    );
    response
}

/// The answer for a fault that does not let the request through; a throttle
/// spells its headers in the gateway's `shape`.
pub fn refuse(kind: FaultKind, shape: RateHeaders) -> Option<Response> {
    match kind {
        FaultKind::ServerError(status) => {
            let status = StatusCode::from_u16(status).unwrap_or(StatusCode::SERVICE_UNAVAILABLE);
            let mut response = json_response(status, "");
            let body = format!(
                "{{\"message\":\"{}\"}}",
                status.canonical_reason().unwrap_or("Server error")
            );
            *response.body_mut() = Body::from(body);
            Some(response)
        }
        FaultKind::Throttle(secs) => {
            let mut response = json_response(
                StatusCode::TOO_MANY_REQUESTS,
                "{\"message\":\"API rate limit exceeded\"}",
            );
            let advert = Advert {
                limit: None,
                remaining: 0,
                reset_secs: secs,
                refused: true,
            };
            let headers = response.headers_mut();
            for (name, value) in rate_headers(shape, advert, time::OffsetDateTime::now_utc()) {
                if let Ok(value) = HeaderValue::from_str(&value) {
                    headers.insert(name, value);
                }
            }
            Some(response)
        }
        FaultKind::Html => {
            let mut response = Response::new(Body::from(
                "<!DOCTYPE html><html><head><title>Proxy authentication</title></head>\
                 <body><h1>Access to this site requires sign-in</h1></body></html>",
            ));
            response.headers_mut().insert(
                header::CONTENT_TYPE,
                HeaderValue::from_static("text/html; charset=utf-8"),
            );
            Some(response)
        }
        FaultKind::Oversize(bytes) => {
            let mut response = Response::new(oversized_body(bytes));
            response.headers_mut().insert(
                header::CONTENT_TYPE,
                HeaderValue::from_static("application/json"),
            );
            Some(response)
        }
        _ => None,
    }
}

/// A JSON body of about `bytes` bytes, streamed without being held in memory.
fn oversized_body(bytes: u64) -> Body {
    use futures_util::StreamExt;

    let item =
        "{\"id\":\"00000000-0000-4000-8000-000000000000\",\"name\":\"padding\",\"type\":\"USER\"},";
    let chunk = Bytes::from(item.repeat(1024));
    // Round up: the body is at least the `bytes` asked for.
    let chunks = bytes.div_ceil(chunk.len() as u64).max(1);
    let head = futures_util::stream::once(async {
        Ok::<_, std::io::Error>(Bytes::from_static(b"{\"data\":["))
    });
    let body = futures_util::stream::iter((0..chunks).map(move |_| Ok(chunk.clone())));
    let tail = futures_util::stream::once(async {
        Ok(Bytes::from_static(
            b"{\"id\":\"00000000-0000-4000-8000-000000000000\",\"name\":\"end\",\"type\":\"USER\"}]}",
        ))
    });
    Body::from_stream(head.chain(body).chain(tail))
}

/// Mangles the answer of a request that was processed.
pub async fn mangle(kind: FaultKind, response: Response) -> Response {
    let (mut parts, body) = response.into_parts();
    let Ok(bytes) = axum::body::to_bytes(body, usize::MAX).await else {
        return Response::from_parts(parts, Body::empty());
    };
    match kind {
        FaultKind::Hang => std::future::pending().await,
        FaultKind::Reset => {
            // Promise the whole body, send half, then fail the stream: the
            // connection is dropped mid-body.
            parts.headers.insert(
                header::CONTENT_LENGTH,
                HeaderValue::from(bytes.len().max(2)),
            );
            let half = bytes.slice(..bytes.len() / 2);
            // Pause before the failure so the headers and the half are
            // flushed: failing at once drops them unsent with the connection.
            let fail = futures_util::stream::once(async {
                tokio::time::sleep(Duration::from_millis(10)).await;
                Err(std::io::Error::new(
                    std::io::ErrorKind::ConnectionReset,
                    "simulated reset",
                ))
            });
            let stream = futures_util::StreamExt::chain(
                futures_util::stream::iter([Ok::<_, std::io::Error>(half)]),
                fail,
            );
            Response::from_parts(parts, Body::from_stream(stream))
        }
        FaultKind::Truncate => {
            let half = bytes.slice(..bytes.len() / 2);
            parts
                .headers
                .insert(header::CONTENT_LENGTH, HeaderValue::from(half.len()));
            Response::from_parts(parts, Body::from(half))
        }
        FaultKind::Malformed => {
            let broken = Bytes::from_static(b"{\"data\": [{\"id\": \"7c1e2d9a\", \"name\": }, ,]");
            parts
                .headers
                .insert(header::CONTENT_LENGTH, HeaderValue::from(broken.len()));
            parts.headers.insert(
                header::CONTENT_TYPE,
                HeaderValue::from_static("application/json"),
            );
            Response::from_parts(parts, Body::from(broken))
        }
        FaultKind::Drip(ms) => {
            parts
                .headers
                .insert(header::CONTENT_LENGTH, HeaderValue::from(bytes.len()));
            let pause = Duration::from_millis(ms);
            let stream = futures_util::stream::unfold(bytes, move |rest| async move {
                if rest.is_empty() {
                    return None;
                }
                tokio::time::sleep(pause).await;
                let take = rest.len().min(16);
                Some((
                    Ok::<_, std::io::Error>(rest.slice(..take)),
                    rest.slice(take..),
                ))
            });
            Response::from_parts(parts, Body::from_stream(stream))
        }
        _ => Response::from_parts(parts, Body::from(bytes)),
    }
}

#[cfg(test)]
mod grammar_props;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn spec_round_trips() {
        let rules = parse_spec("5xx=502:0.25@api-keys*3, hang, drip=50").unwrap();
        assert_eq!(rules.len(), 3);
        assert_eq!(rules[0].kind, FaultKind::ServerError(502));
        assert!((rules[0].rate - 0.25).abs() < f64::EPSILON);
        assert_eq!(rules[0].matching.as_deref(), Some("api-keys"));
        assert_eq!(rules[0].remaining, Some(3));
        let text = rules
            .iter()
            .map(ToString::to_string)
            .collect::<Vec<_>>()
            .join(",");
        assert_eq!(parse_spec(&text).unwrap(), rules);
    }

    #[test]
    fn bad_specs_say_why() {
        assert!(parse_spec("boom").unwrap_err().contains("unknown fault"));
        assert!(parse_spec("5xx=404").unwrap_err().contains("500 to 599"));
        assert!(
            parse_spec("hang:2")
                .unwrap_err()
                .contains("between 0 and 1")
        );
        assert!(parse_spec("hang=1").unwrap_err().contains("no argument"));
    }

    #[test]
    fn decisions_are_deterministic_for_a_seed() {
        let run = |seed| {
            let faults = Faults::new(
                seed,
                parse_spec("5xx:0.5").unwrap(),
                Latency {
                    ms: 30,
                    jitter_ms: 10,
                },
            );
            (0..64)
                .map(|i| faults.decide("GET", &format!("/us/x?index={}", i % 4)))
                .collect::<Vec<_>>()
        };
        assert_eq!(run(1), run(1));
        assert_ne!(run(1), run(2));
        let hits = run(1).iter().filter(|d| d.fault.is_some()).count();
        assert!((16..=48).contains(&hits), "about half: {hits}");
        assert!(
            run(1)
                .iter()
                .all(|d| (20..=40).contains(&d.delay.as_millis()))
        );
    }

    #[test]
    fn counted_rules_retire_and_matches_filter() {
        let faults = Faults::new(0, parse_spec("429@api-keys*2").unwrap(), Latency::default());
        assert!(
            faults
                .decide("GET", "/us/account/api/1/users")
                .fault
                .is_none()
        );
        assert!(
            faults
                .decide("GET", "/us/account/api/1/api-keys")
                .fault
                .is_some()
        );
        assert!(
            faults
                .decide("GET", "/us/account/api/1/api-keys")
                .fault
                .is_some()
        );
        assert!(
            faults
                .decide("GET", "/us/account/api/1/api-keys")
                .fault
                .is_none()
        );
    }
}
