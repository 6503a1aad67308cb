//! The client's transport: one `reqwest::Client` for the process, the
//! regional base URL, the key and tenant headers, pacing, retries of
//! idempotent calls, a cap on answer size, and the one gate every mutating
//! call passes (read-only mode refuses there).

use std::collections::HashMap;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex, PoisonError};
use std::time::{Duration, Instant};

use futures_util::StreamExt;
use reqwest::header::{ACCEPT, CONTENT_TYPE, HeaderMap, HeaderValue};
use reqwest::{Method, StatusCode};
use zeroize::Zeroizing;

use super::audit::SearchLimits;
use super::decode;
use super::error::ApiError;
use super::journal::Journal;
use super::model::KindNames;
use super::pacing::{self, Pacer};
use super::secret::ApiKey;
use super::tls;
use crate::region::Region;
use crate::sanitize::sanitize;

/// The default base-URL template.
pub const DEFAULT_ENDPOINT: &str = "https://{region}.api.insight.rapid7.com";
/// The default Threat Command base URL.
pub const DEFAULT_TC_ENDPOINT: &str = "https://api.ti.insight.rapid7.com";

/// How the client behaves; every field has a profile setting or a flag.
#[derive(Debug, Clone)]
pub struct Settings {
    /// Base-URL template with `{region}`.
    pub endpoint: String,
    pub connect_timeout: Duration,
    pub request_timeout: Duration,
    /// The page size asked for (the server may answer fewer).
    pub page_size: usize,
    /// Pages fetched at once after the first.
    pub concurrency: usize,
    pub read_only: bool,
    /// Log each request to stderr, secrets redacted.
    pub verbose: bool,
    /// Answers larger than this are refused.
    pub max_body_bytes: usize,
    /// Retries of idempotent calls after a 429, a 5xx or a broken connection.
    pub retries: u32,
    pub kind_names: KindNames,
    pub ca_certs: Vec<std::path::PathBuf>,
    /// The most pages one list walk may take: a server that never stops
    /// sending pages meets this ceiling and a clear error.
    pub max_pages: usize,
    /// How long one whole operation (a command) may take, waits for the
    /// rate budget included, counted from the client's creation. A generate
    /// already sent is never cut short by it.
    pub deadline: Option<Duration>,
    /// Where every mutation is written down before and after it is sent;
    /// `None` turns the journal off.
    pub journal: Option<Journal>,
    /// The bounds of a Log Search query: polls, pages and an overall deadline.
    pub log_search: SearchLimits,
}

impl Default for Settings {
    fn default() -> Self {
        Settings {
            endpoint: DEFAULT_ENDPOINT.to_string(),
            connect_timeout: Duration::from_secs(10),
            request_timeout: Duration::from_secs(30),
            page_size: 1000,
            concurrency: 32,
            read_only: false,
            verbose: false,
            max_body_bytes: 32 << 20,
            retries: 3,
            kind_names: KindNames::default(),
            ca_certs: Vec::new(),
            max_pages: 10_000,
            deadline: None,
            journal: None,
            log_search: SearchLimits::default(),
        }
    }
}

/// Where a request goes: a region, and for multi-tenant keys the tenant.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Target {
    pub region: Region,
    pub tenant: Option<String>,
}

impl Target {
    pub fn new(region: Region, tenant: Option<String>) -> Self {
        Target { region, tenant }
    }
}

/// Counts of what the client did, for benchmarks and `--verbose`.
#[derive(Debug, Default)]
pub struct Stats {
    pub requests: AtomicU64,
    pub throttled: AtomicU64,
    pub retried: AtomicU64,
}

/// Told how long a request waits for the rate budget at a region, about
/// once a second while it waits, then `Duration::ZERO` when the wait ends.
pub type WaitReport = Arc<dyn Fn(Region, Duration) + Send + Sync>;

struct Inner {
    http: reqwest::Client,
    settings: Settings,
    key: ApiKey,
    pacers: Mutex<HashMap<Region, Arc<Pacer>>>,
    stats: Stats,
    started: Instant,
    wait_report: Mutex<Option<WaitReport>>,
}

/// The Command Platform client; cheap to clone, shared by tasks.
#[derive(Clone)]
pub struct Client {
    inner: Arc<Inner>,
}

/// A successful answer.
pub(crate) struct Answer {
    pub status: StatusCode,
    pub body: Zeroizing<Vec<u8>>,
}

/// What the last answer to a call said about itself, whether it succeeded
/// or not: the journal records it next to the outcome.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub(crate) struct Trace {
    pub status: Option<u16>,
    /// The `r7-correlation-id` header (sanitized), which Rapid7 support asks for.
    pub correlation_id: Option<String>,
}

impl Trace {
    fn observe(&mut self, status: StatusCode, headers: &HeaderMap) {
        self.status = Some(status.as_u16());
        self.correlation_id = headers
            .get("r7-correlation-id")
            .and_then(|v| v.to_str().ok())
            .map(|v| crate::sanitize::display(v.trim(), 80))
            .filter(|v| !v.is_empty());
    }
}

/// Builds the process's HTTP client: rustls, timeouts, proxies from the environment.
pub fn http_client(settings: &Settings) -> Result<reqwest::Client, ApiError> {
    let mut builder = reqwest::Client::builder();
    // curl reads NO_PROXY=* as "no proxy at all"; the proxy matcher would
    // apply `*` to host names only, not to an IP endpoint.
    let no_proxy = std::env::var("NO_PROXY")
        .or_else(|_| std::env::var("no_proxy"))
        .unwrap_or_default();
    if no_proxy.split(',').any(|entry| entry.trim() == "*") {
        builder = builder.no_proxy();
    }
    builder
        .use_preconfigured_tls(tls::client_config(&settings.ca_certs)?)
        .connect_timeout(settings.connect_timeout)
        .timeout(settings.request_timeout)
        .user_agent(concat!("r7keys/", env!("CARGO_PKG_VERSION")))
        .build()
        .map_err(|e| ApiError::Config(format!("cannot build the HTTP client: {e}")))
}

fn backoff(attempt: u32) -> Duration {
    let base = 250u64.saturating_mul(1 << attempt.min(5)).min(8_000);
    let jitter = rand::random_range(0..=base / 4);
    Duration::from_millis(base - base / 8 + jitter)
}

fn is_json(headers: &HeaderMap) -> bool {
    headers
        .get(CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_none_or(|ct| ct.to_ascii_lowercase().contains("json"))
}

fn describe(error: &reqwest::Error) -> String {
    use std::error::Error;
    let mut text = error.to_string();
    let mut source = error.source();
    while let Some(cause) = source {
        text.push_str(": ");
        text.push_str(&cause.to_string());
        source = cause.source();
    }
    sanitize(&text).into_owned()
}

fn transport_error(error: &reqwest::Error, url: &str) -> ApiError {
    if error.is_timeout() {
        ApiError::Timeout {
            what: format!("no answer from {url} within the time limit (--timeout)"),
        }
    } else if error.is_body() || error.is_decode() {
        ApiError::Unreadable {
            detail: format!(
                "the connection broke while reading the answer ({})",
                describe(error)
            ),
        }
    } else if is_certificate_problem(error) {
        ApiError::Network {
            detail: format!(
                "{url}: {UNTRUSTED} ({}). If a corporate proxy \
                 inspects TLS, trust its CA with --ca-cert FILE (or the profile's ca_cert, or \
                 SSL_CERT_FILE)",
                describe(error)
            ),
        }
    } else {
        ApiError::Network {
            detail: format!("{url}: {}", describe(error)),
        }
    }
}

/// The words every untrusted-certificate error carries.
const UNTRUSTED: &str = "the server's TLS certificate is not trusted";

/// Whether a call failed because the server's certificate is not trusted
/// (an unknown issuer, a TLS-inspecting proxy), as opposed to any other
/// network failure.
pub fn is_untrusted_certificate(error: &ApiError) -> bool {
    matches!(error, ApiError::Network { detail } if detail.contains(UNTRUSTED))
}

/// Whether the connection failed on the server's certificate: retrying cannot help.
fn is_certificate_problem(error: &reqwest::Error) -> bool {
    let text = describe(error).to_ascii_lowercase();
    text.contains("certificate") || text.contains("unknownissuer")
}

/// The error for a non-success status.
pub(crate) fn status_error(
    status: StatusCode,
    body: &[u8],
    region: Region,
    attempts: u32,
) -> ApiError {
    let message = decode::error_message(body).map_or_else(
        || status.canonical_reason().unwrap_or("error").to_string(),
        |m| sanitize(&m).into_owned(),
    );
    match status.as_u16() {
        401 => ApiError::Unauthorized { region },
        403 => ApiError::Forbidden { message },
        404 => ApiError::NotFound { message },
        429 => ApiError::RateLimited { attempts },
        500..=599 => ApiError::Server {
            status: status.as_u16(),
            message,
            attempts,
        },
        code => ApiError::Refused {
            status: code,
            message,
        },
    }
}

/// What one try of a call came to.
enum Attempt {
    Done(Result<Answer, ApiError>),
    /// Worth another try (if any is left), after a backoff when `backoff`.
    Retry {
        error: ApiError,
        backoff: bool,
    },
}

/// One request to make.
pub(crate) struct Call<'a> {
    pub method: Method,
    pub target: &'a Target,
    pub path: &'a str,
    pub query: Vec<(&'static str, String)>,
    pub body: Option<Vec<u8>>,
}

impl Client {
    pub fn new(settings: Settings, key: ApiKey) -> Result<Client, ApiError> {
        let http = http_client(&settings)?;
        Ok(Client::with_http(http, settings, key))
    }

    /// A client sharing an existing HTTP client (and its connections).
    pub fn with_http(http: reqwest::Client, settings: Settings, key: ApiKey) -> Client {
        Client {
            inner: Arc::new(Inner {
                http,
                settings,
                key,
                pacers: Mutex::new(HashMap::new()),
                stats: Stats::default(),
                started: Instant::now(),
                wait_report: Mutex::new(None),
            }),
        }
    }

    /// The same client without a deadline, for work that must be done
    /// whatever time it is (finding a key whose generate answer was lost).
    #[must_use]
    pub fn without_deadline(&self) -> Client {
        let mut settings = self.inner.settings.clone();
        settings.deadline = None;
        let client = Client::with_http(self.inner.http.clone(), settings, self.inner.key.clone());
        client.share_budgets_with(self);
        client
    }

    /// Uses `other`'s view of the rate budgets (the same key at the same gateways).
    fn share_budgets_with(&self, other: &Client) {
        let theirs = other
            .inner
            .pacers
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .clone();
        *self
            .inner
            .pacers
            .lock()
            .unwrap_or_else(PoisonError::into_inner) = theirs;
        let report = other
            .inner
            .wait_report
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .clone();
        *self
            .inner
            .wait_report
            .lock()
            .unwrap_or_else(PoisonError::into_inner) = report;
    }

    /// Tells `report` about every wait for the rate budget worth mentioning.
    pub fn on_budget_wait(&self, report: WaitReport) {
        *self
            .inner
            .wait_report
            .lock()
            .unwrap_or_else(PoisonError::into_inner) = Some(report);
    }

    /// When the whole operation must be over, if it has a deadline.
    pub fn deadline(&self) -> Option<Instant> {
        self.inner
            .settings
            .deadline
            .map(|limit| self.inner.started + limit)
    }

    /// The error for an operation past its deadline.
    pub fn deadline_error(&self) -> ApiError {
        ApiError::Deadline {
            secs: self.inner.settings.deadline.map_or(0, |d| d.as_secs()),
        }
    }

    fn past_deadline(&self, after: Duration) -> bool {
        self.deadline()
            .is_some_and(|deadline| Instant::now() + after > deadline)
    }

    /// The budgets known at each region, to remember across runs.
    pub fn remembered_budgets(&self) -> Vec<(Region, pacing::Remembered)> {
        let pacers = self
            .inner
            .pacers
            .lock()
            .unwrap_or_else(PoisonError::into_inner);
        pacers
            .iter()
            .filter_map(|(region, pacer)| pacer.remember().map(|r| (*region, r)))
            .collect()
    }

    /// Starts from budgets remembered by an earlier run, so back-to-back
    /// runs pace instead of meeting a 429.
    pub fn recall_budgets(&self, budgets: impl IntoIterator<Item = (Region, pacing::Remembered)>) {
        for (region, remembered) in budgets {
            self.pacer(region).recall(remembered);
        }
    }

    /// The same client speaking with another key (to prove a new key works).
    #[must_use]
    pub fn with_key(&self, key: ApiKey) -> Client {
        let client = Client::with_http(self.inner.http.clone(), self.inner.settings.clone(), key);
        let report = self
            .inner
            .wait_report
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .clone();
        *client
            .inner
            .wait_report
            .lock()
            .unwrap_or_else(PoisonError::into_inner) = report;
        client
    }

    pub fn settings(&self) -> &Settings {
        &self.inner.settings
    }

    pub fn stats(&self) -> &Stats {
        &self.inner.stats
    }

    /// The rate budget left at a region, as last advertised, and its limit.
    pub fn budget(&self, region: Region) -> Option<(u64, Option<u64>)> {
        self.pacer(region).left()
    }

    pub fn key_fingerprint(&self) -> String {
        self.inner.key.fingerprint()
    }

    fn pacer(&self, region: Region) -> Arc<Pacer> {
        let mut pacers = self
            .inner
            .pacers
            .lock()
            .unwrap_or_else(PoisonError::into_inner);
        Arc::clone(pacers.entry(region).or_default())
    }

    /// The one gate of every mutation: read-only mode refuses here.
    pub(crate) fn gate(&self, method: &Method, path: &str) -> Result<(), ApiError> {
        let mutating = !matches!(*method, Method::GET | Method::HEAD | Method::OPTIONS);
        if mutating && self.inner.settings.read_only {
            return Err(ApiError::ReadOnly {
                action: format!("{method} {path}"),
            });
        }
        Ok(())
    }

    /// Sends a call: paced, retried when idempotent, capped in size.
    pub(crate) async fn call(&self, call: Call<'_>) -> Result<Answer, ApiError> {
        self.call_traced(call, &mut Trace::default()).await
    }

    /// [`Client::call`], noting in `trace` what the last answer said about itself.
    pub(crate) async fn call_traced(
        &self,
        call: Call<'_>,
        trace: &mut Trace,
    ) -> Result<Answer, ApiError> {
        let url = format!(
            "{}{}",
            call.target.region.base_url(&self.inner.settings.endpoint),
            call.path
        );
        self.send(call, &url, trace).await
    }

    /// A GET of a URL the server named (a Log Search link), paced and
    /// retried like any call to `target`'s region. The caller checks that the
    /// URL is the platform's own: the API key goes with it.
    pub(crate) async fn get_url(&self, target: &Target, url: &str) -> Result<Answer, ApiError> {
        let call = Call {
            method: Method::GET,
            target,
            path: url,
            query: Vec::new(),
            body: None,
        };
        self.send(call, url, &mut Trace::default()).await
    }

    async fn send(&self, call: Call<'_>, url: &str, trace: &mut Trace) -> Result<Answer, ApiError> {
        self.gate(&call.method, call.path)?;
        let settings = &self.inner.settings;
        let idempotent = matches!(call.method, Method::GET | Method::HEAD | Method::DELETE);
        let attempts = if idempotent { settings.retries + 1 } else { 1 };
        let pacer = self.pacer(call.target.region);
        let mut key = HeaderValue::from_str(self.inner.key.expose()).map_err(|_| {
            ApiError::Config("the API key holds characters that cannot be sent in a header".into())
        })?;
        key.set_sensitive(true);
        for attempt in 1..=attempts {
            if attempt > 1 {
                self.inner.stats.retried.fetch_add(1, Ordering::Relaxed);
            }
            match self.attempt(&call, url, &key, &pacer, attempt, trace).await {
                Attempt::Done(result) => return result,
                Attempt::Retry { error, .. } if attempt == attempts => return Err(error),
                Attempt::Retry {
                    error,
                    backoff: wait,
                } => {
                    let pause = if wait {
                        backoff(attempt)
                    } else {
                        Duration::ZERO
                    };
                    if self.past_deadline(pause) {
                        // Another try would end after the deadline: the
                        // last error says more than "out of time".
                        return Err(error);
                    }
                    tokio::time::sleep(pause).await;
                }
            }
        }
        Err(ApiError::Network {
            detail: format!("{url}: no attempt made"),
        })
    }

    /// The request for one try: key and tenant headers, query and body.
    fn build_request(
        &self,
        call: &Call<'_>,
        url: &str,
        key: &HeaderValue,
    ) -> reqwest::RequestBuilder {
        let mut request = self
            .inner
            .http
            .request(call.method.clone(), url)
            .query(&call.query)
            .header(ACCEPT, "application/json")
            .header("X-Api-Key", key.clone());
        if let Some(tenant) = &call.target.tenant {
            request = request.header("R7-Organization-Id", tenant);
        }
        if let Some(body) = &call.body {
            request = request
                .header(CONTENT_TYPE, "application/json")
                .body(body.clone());
        }
        if self.inner.settings.verbose {
            let tenant = call
                .target
                .tenant
                .as_deref()
                .map(|t| format!(", R7-Organization-Id: {t}"))
                .unwrap_or_default();
            crate::say!(
                "> {} {url} (X-Api-Key: [redacted]{tenant}) {:?}",
                call.method,
                call.query
            );
        }
        request
    }

    /// A place in the region's budget, waiting (and saying so) as long as
    /// the deadline allows; `None` when it would be passed.
    async fn permit<'p>(&self, pacer: &'p Pacer, region: Region) -> Option<pacing::Permit<'p>> {
        let report = self
            .inner
            .wait_report
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .clone();
        let tell = move |left: Duration| {
            if let Some(report) = &report {
                report(region, left);
            }
        };
        let deadline = self.deadline().map(tokio::time::Instant::from);
        pacer.acquire_until(deadline, &tell).await
    }

    /// One try of a call.
    async fn attempt(
        &self,
        call: &Call<'_>,
        url: &str,
        key: &HeaderValue,
        pacer: &Pacer,
        attempt: u32,
        trace: &mut Trace,
    ) -> Attempt {
        let verbose = self.inner.settings.verbose;
        let Some(permit) = self.permit(pacer, call.target.region).await else {
            return Attempt::Done(Err(self.deadline_error()));
        };
        let started = Instant::now();
        let request = self.build_request(call, url, key);
        self.inner.stats.requests.fetch_add(1, Ordering::Relaxed);
        let response = match request.send().await {
            Ok(response) => response,
            Err(error) => {
                let certificate = is_certificate_problem(&error);
                let error = transport_error(&error, url);
                tracing::warn!(%url, %error, attempt, "request failed");
                // A timeout is not retried (the wait already was long), nor an
                // untrusted certificate (it will not change).
                return match error {
                    ApiError::Timeout { .. } => Attempt::Done(Err(error)),
                    _ if certificate => Attempt::Done(Err(error)),
                    _ => Attempt::Retry {
                        error,
                        backoff: true,
                    },
                };
            }
        };
        let status = response.status();
        let headers = response.headers().clone();
        trace.observe(status, &headers);
        pacer.observe(&headers);
        // The answer's budget headers now count this request: holding its
        // place while the body is read would count it twice and stall the
        // next request for a whole window.
        drop(permit);
        let millis = u64::try_from(started.elapsed().as_millis()).unwrap_or(u64::MAX);
        if verbose {
            let remaining = headers
                .get("ratelimit-remaining")
                .and_then(|v| v.to_str().ok())
                .unwrap_or("-");
            crate::say!("< {status} in {millis} ms (ratelimit-remaining {remaining})");
        }
        tracing::info!(method = %call.method, %url, status = status.as_u16(), ms = millis,
            key = %self.inner.key.fingerprint(), "request");
        if status == StatusCode::TOO_MANY_REQUESTS {
            self.inner.stats.throttled.fetch_add(1, Ordering::Relaxed);
            let wait = pacing::retry_after(&headers).unwrap_or_else(|| backoff(attempt));
            pacer.block_for(wait);
            // The pacer holds the next try until Retry-After has passed.
            return Attempt::Retry {
                error: ApiError::RateLimited { attempts: attempt },
                backoff: false,
            };
        }
        let body = read_capped(
            response,
            self.inner.settings.max_body_bytes,
            self.inner.settings.request_timeout,
        )
        .await;
        let body = match body {
            Ok(body) => body,
            Err(BodyError { error, retry: true }) => {
                return Attempt::Retry {
                    error,
                    backoff: true,
                };
            }
            Err(BodyError { error, .. }) => return Attempt::Done(Err(error)),
        };
        if status.is_server_error() {
            let error = status_error(status, &body, call.target.region, attempt);
            return Attempt::Retry {
                error,
                backoff: true,
            };
        }
        if !status.is_success() {
            return Attempt::Done(Err(status_error(
                status,
                &body,
                call.target.region,
                attempt,
            )));
        }
        if !body.is_empty() && !is_json(&headers) {
            let kind = headers
                .get(CONTENT_TYPE)
                .and_then(|v| v.to_str().ok())
                .unwrap_or("unknown");
            return Attempt::Done(Err(ApiError::Unreadable {
                detail: format!(
                    "expected JSON but got {} from {url}: a proxy or captive portal may be in the way",
                    sanitize(kind)
                ),
            }));
        }
        Attempt::Done(Ok(Answer { status, body }))
    }

    /// A GET whose JSON answer is decoded by `decode`.
    pub(crate) async fn get<T>(
        &self,
        target: &Target,
        path: &str,
        query: Vec<(&'static str, String)>,
        decode: impl FnOnce(&[u8]) -> Result<T, String>,
    ) -> Result<T, ApiError> {
        let answer = self
            .call(Call {
                method: Method::GET,
                target,
                path,
                query,
                body: None,
            })
            .await?;
        decode(&answer.body).map_err(|detail| ApiError::Unreadable {
            detail: sanitize(&detail).into_owned(),
        })
    }
}

/// Why an answer's body could not be read, and whether another try may help:
/// only a broken connection is worth one. An answer that stopped arriving
/// already took the whole timeout, and one too large will be as large again.
struct BodyError {
    error: ApiError,
    retry: bool,
}

/// A body that was still arriving this recently when the time ran out was
/// slow, not stuck.
const STILL_ARRIVING: Duration = Duration::from_secs(2);

/// Why the time ran out while a body was read: it was still coming, or it had stopped.
fn body_timeout(last_chunk: Instant, limit: Duration) -> ApiError {
    let what = if last_chunk.elapsed() < STILL_ARRIVING {
        format!(
            "the answer was still arriving when the {} s limit ran out: the server or the \
             network is slow (--timeout, or the profile's request_timeout_secs, allows longer)",
            limit.as_secs()
        )
    } else {
        format!(
            "the answer stopped arriving (nothing for {} s)",
            last_chunk.elapsed().as_secs()
        )
    };
    ApiError::Timeout { what }
}

/// Reads a body, refusing one larger than `max` bytes.
async fn read_capped(
    response: reqwest::Response,
    max: usize,
    limit: Duration,
) -> Result<Zeroizing<Vec<u8>>, BodyError> {
    if response
        .content_length()
        .is_some_and(|len| len > max as u64)
    {
        return Err(too_large(max));
    }
    let mut body = Zeroizing::new(Vec::new());
    let mut stream = response.bytes_stream();
    let mut last_chunk = Instant::now();
    while let Some(chunk) = stream.next().await {
        let chunk = chunk.map_err(|e| {
            if e.is_timeout() {
                BodyError {
                    error: body_timeout(last_chunk, limit),
                    retry: false,
                }
            } else {
                BodyError {
                    error: ApiError::Unreadable {
                        detail: format!(
                            "the connection broke while reading the answer ({})",
                            describe(&e)
                        ),
                    },
                    retry: true,
                }
            }
        })?;
        if body.len() + chunk.len() > max {
            return Err(too_large(max));
        }
        last_chunk = Instant::now();
        body.extend_from_slice(&chunk);
    }
    Ok(body)
}

fn too_large(max: usize) -> BodyError {
    BodyError {
        error: ApiError::Unreadable {
            detail: format!("the answer is larger than {} MiB; refusing it", max >> 20),
        },
        retry: false,
    }
}
