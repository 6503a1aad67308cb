//! The way to the platform: the base URL, the proxy in effect (asked of the
//! same matcher reqwest uses, so the answer is what the client will do),
//! DNS and TCP, each bounded in time.

use std::net::SocketAddr;
use std::time::{Duration, Instant};

use hyper_util::client::proxy::matcher::Matcher;
use reqwest::Url;

use super::{Check, Report};
use crate::api::error::exit;
use crate::commands::context::Context;

/// How long a name lookup may take.
const DNS_TIMEOUT: Duration = Duration::from_secs(3);

/// What the later checks need to know of the way.
#[derive(Debug, Clone)]
pub struct Way {
    pub https: bool,
}

/// The proxy variables as the environment holds them: each with the name
/// it was found under (upper case first, as reqwest reads them).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ProxyEnv {
    pub https: Option<(&'static str, String)>,
    pub http: Option<(&'static str, String)>,
    pub all: Option<(&'static str, String)>,
    pub no: Option<(&'static str, String)>,
    /// `REQUEST_METHOD` is set: a CGI environment, where proxies are ignored.
    pub cgi: bool,
}

fn first_env(names: [&'static str; 2]) -> Option<(&'static str, String)> {
    names
        .into_iter()
        .find_map(|name| std::env::var(name).ok().map(|value| (name, value)))
}

impl ProxyEnv {
    pub fn from_env() -> ProxyEnv {
        ProxyEnv {
            https: first_env(["HTTPS_PROXY", "https_proxy"]),
            http: first_env(["HTTP_PROXY", "http_proxy"]),
            all: first_env(["ALL_PROXY", "all_proxy"]),
            no: first_env(["NO_PROXY", "no_proxy"]),
            cgi: std::env::var_os("REQUEST_METHOD").is_some(),
        }
    }

    fn value(var: Option<&(&'static str, String)>) -> String {
        var.map(|(_, v)| v.clone()).unwrap_or_default()
    }

    fn matcher(&self, no: &str) -> Matcher {
        Matcher::builder()
            .https(Self::value(self.https.as_ref()))
            .http(Self::value(self.http.as_ref()))
            .all(Self::value(self.all.as_ref()))
            .no(no.to_string())
            .build()
    }
}

/// Which proxy a URL takes, and why.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ProxyDecision {
    /// The proxy, without any credentials (`http://proxy:3128`).
    pub proxy: Option<String>,
    /// The variable it came from.
    pub var: Option<&'static str>,
    /// The `NO_PROXY` entry that sent the URL direct.
    pub no_proxy_match: Option<String>,
    /// A variable that is set but unusable.
    pub ignored: Option<String>,
}

/// Decides the proxy for `url` as the client's HTTP stack will: its own
/// matcher, plus the client's reading of `NO_PROXY=*` as "no proxy at all".
pub fn decide(url: &Url, env: &ProxyEnv) -> ProxyDecision {
    let mut decision = ProxyDecision {
        proxy: None,
        var: None,
        no_proxy_match: None,
        ignored: None,
    };
    if env.cgi {
        decision.ignored =
            Some("REQUEST_METHOD is set (a CGI environment): proxy variables are ignored".into());
        return decision;
    }
    let Ok(uri) = url.as_str().parse::<http::Uri>() else {
        return decision;
    };
    let scheme_var = if url.scheme() == "https" {
        env.https.as_ref()
    } else {
        env.http.as_ref()
    };
    let Some(candidate) = env.matcher("").intercept(&uri) else {
        if let Some((name, value)) = scheme_var
            .or(env.all.as_ref())
            .filter(|(_, v)| !v.is_empty())
        {
            decision.ignored = Some(format!(
                "{name}={} is not a proxy URL: ignored",
                strip_credentials(value)
            ));
        }
        return decision;
    };
    let var = scheme_var
        .filter(|(_, v)| !v.is_empty() && parses_as_proxy(v))
        .or(env.all.as_ref())
        .map(|(name, _)| *name);
    let no = ProxyEnv::value(env.no.as_ref());
    let star = no.split(',').any(|entry| entry.trim() == "*");
    if star || env.matcher(&no).intercept(&uri).is_none() {
        decision.no_proxy_match = if star {
            Some("*".into())
        } else {
            no.split(',')
                .map(str::trim)
                .find(|entry| !entry.is_empty() && env.matcher(entry).intercept(&uri).is_none())
                .map(str::to_string)
        };
        decision.var = var;
        return decision;
    }
    decision.proxy = Some(
        candidate
            .uri()
            .to_string()
            .trim_end_matches('/')
            .to_string(),
    );
    decision.var = var;
    decision
}

fn parses_as_proxy(value: &str) -> bool {
    Matcher::builder()
        .https(value.to_string())
        .build()
        .intercept(&http::Uri::from_static("https://example.com"))
        .is_some()
}

/// A proxy URL without `user:password@`.
pub fn strip_credentials(value: &str) -> String {
    match value.split_once("://") {
        Some((scheme, rest)) => match rest.split_once('@') {
            Some((_, host)) => format!("{scheme}://***@{host}"),
            None => value.to_string(),
        },
        None => match value.split_once('@') {
            Some((_, host)) => format!("***@{host}"),
            None => value.to_string(),
        },
    }
}

/// The base URL, the proxy, DNS and TCP; the way on when all went well.
pub async fn reach(cx: &Context, report: &mut Report) -> Option<Way> {
    let base = cx.region.base_url(&cx.settings.endpoint);
    let url = match Url::parse(&base) {
        Ok(url) if matches!(url.scheme(), "http" | "https") && url.host().is_some() => url,
        Ok(_) | Err(_) => {
            report.push(Check::fail(
                "endpoint",
                exit::USAGE,
                format!("region {}: {base} is not an http(s) URL", cx.region),
                "fix --endpoint or the profile's endpoint, e.g. https://{region}.api.insight.rapid7.com",
            ));
            return None;
        }
    };
    let https = url.scheme() == "https";
    let loopback = is_loopback(&url);
    let detail = format!("region {} ({}): {base}", cx.region, cx.region.describe());
    report.push(if https || loopback {
        Check::ok("endpoint", detail)
    } else {
        Check::warn(
            "endpoint",
            format!("{detail}: plain HTTP, the key would cross the network unencrypted"),
            "use an https:// endpoint",
        )
    });

    let decision = decide(&url, &ProxyEnv::from_env());
    report.push(proxy_check(&url, &decision));
    let proxy = decision.proxy.clone();
    if proxy.as_deref().is_some_and(|p| p.starts_with("socks")) {
        report.push(Check::fail(
            "tcp",
            exit::NETWORK,
            "the proxy is a SOCKS proxy, which this build does not speak",
            "use an HTTP(S) proxy in HTTPS_PROXY",
        ));
        return None;
    }
    // Through a proxy, the proxy is what this machine must reach.
    let (host, port, what) = match proxy.as_deref().and_then(|p| Url::parse(p).ok()) {
        Some(proxy_url) => {
            let host = host_of(&proxy_url);
            let port = proxy_url.port_or_known_default().unwrap_or(80);
            (host, port, "the proxy")
        }
        None => (
            host_of(&url),
            url.port_or_known_default().unwrap_or(443),
            "the endpoint",
        ),
    };
    let addrs = dns(report, &host, port, what).await?;
    tcp(report, &addrs, cx.settings.connect_timeout, what).await?;
    Some(Way { https })
}

/// The URL's host, IPv6 addresses without their brackets.
fn host_of(url: &Url) -> String {
    url.host_str()
        .unwrap_or("")
        .trim_start_matches('[')
        .trim_end_matches(']')
        .to_string()
}

fn is_loopback(url: &Url) -> bool {
    let host = host_of(url);
    host.parse::<std::net::IpAddr>().map_or_else(
        |_| host.eq_ignore_ascii_case("localhost"),
        |ip| ip.is_loopback(),
    )
}

/// The proxy line: which proxy and why, or why none.
pub fn proxy_check(url: &Url, decision: &ProxyDecision) -> Check {
    let host = url.host_str().unwrap_or("");
    if let Some(ignored) = &decision.ignored {
        return Check::warn(
            "proxy",
            format!("none: {ignored}"),
            "give the proxy as http://HOST:PORT",
        );
    }
    match (&decision.proxy, &decision.no_proxy_match) {
        (Some(proxy), _) => Check::ok(
            "proxy",
            format!(
                "{} (from {})",
                strip_credentials(proxy),
                decision.var.unwrap_or("the environment")
            ),
        ),
        (None, Some(entry)) => Check::ok(
            "proxy",
            format!(
                "none: NO_PROXY entry {entry:?} matches {host}{}",
                decision
                    .var
                    .map(|v| format!(" (so {v} is not used)"))
                    .unwrap_or_default()
            ),
        ),
        (None, None) => Check::ok(
            "proxy",
            format!(
                "none (no {} or ALL_PROXY set): direct",
                if url.scheme() == "https" {
                    "HTTPS_PROXY"
                } else {
                    "HTTP_PROXY"
                }
            ),
        ),
    }
}

async fn dns(report: &mut Report, host: &str, port: u16, what: &str) -> Option<Vec<SocketAddr>> {
    if let Ok(ip) = host.parse::<std::net::IpAddr>() {
        report.push(Check::ok(
            "dns",
            format!("{what} is an IP address ({ip}): no lookup"),
        ));
        return Some(vec![SocketAddr::new(ip, port)]);
    }
    let started = Instant::now();
    match tokio::time::timeout(DNS_TIMEOUT, tokio::net::lookup_host((host, port))).await {
        Ok(Ok(addrs)) => {
            let addrs: Vec<SocketAddr> = addrs.collect();
            if addrs.is_empty() {
                report.push(dns_failure(host, what, "no address"));
                return None;
            }
            let shown: Vec<String> = addrs.iter().take(3).map(|a| a.ip().to_string()).collect();
            report.push(Check::ok(
                "dns",
                format!(
                    "{host} is {}{} ({} ms)",
                    shown.join(", "),
                    if addrs.len() > 3 { ", …" } else { "" },
                    started.elapsed().as_millis()
                ),
            ));
            Some(addrs)
        }
        Ok(Err(error)) => {
            report.push(dns_failure(host, what, &error.to_string()));
            None
        }
        Err(_) => {
            report.push(dns_failure(
                host,
                what,
                &format!("no answer in {} s", DNS_TIMEOUT.as_secs()),
            ));
            None
        }
    }
}

fn dns_failure(host: &str, what: &str, why: &str) -> Check {
    Check::fail(
        "dns",
        exit::NETWORK,
        format!("cannot resolve {host} ({what}): {why}"),
        if what == "the proxy" {
            "check the proxy's name in HTTPS_PROXY"
        } else {
            "check the region and --endpoint; a jump host may reach the internet only through a proxy (HTTPS_PROXY)"
        },
    )
}

async fn tcp(
    report: &mut Report,
    addrs: &[SocketAddr],
    timeout: Duration,
    what: &str,
) -> Option<()> {
    let mut last = String::new();
    for addr in addrs.iter().take(3) {
        let started = Instant::now();
        match tokio::time::timeout(timeout, tokio::net::TcpStream::connect(addr)).await {
            Ok(Ok(_stream)) => {
                report.push(Check::ok(
                    "tcp",
                    format!(
                        "connected to {addr} ({what}) in {} ms",
                        started.elapsed().as_millis()
                    ),
                ));
                return Some(());
            }
            Ok(Err(error)) => last = format!("{addr}: {error}"),
            Err(_) => last = format!("{addr}: no answer in {} s", timeout.as_secs()),
        }
    }
    report.push(Check::fail(
        "tcp",
        exit::NETWORK,
        format!("cannot connect to {what}: {last}"),
        if what == "the proxy" {
            "check the proxy's port in HTTPS_PROXY, and that it runs"
        } else {
            "check the port in --endpoint and that a firewall lets it through; a jump host may need HTTPS_PROXY"
        },
    ));
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    fn url(text: &str) -> Url {
        Url::parse(text).unwrap()
    }

    fn env(https: Option<&str>, no: Option<&str>) -> ProxyEnv {
        ProxyEnv {
            https: https.map(|v| ("HTTPS_PROXY", v.to_string())),
            no: no.map(|v| ("NO_PROXY", v.to_string())),
            ..ProxyEnv::default()
        }
    }

    #[test]
    fn the_proxy_in_effect_loses_its_credentials() {
        let d = decide(
            &url("https://eu.api.insight.rapid7.com/"),
            &env(Some("http://alice:s3cret@proxy.corp:3128"), None),
        );
        assert_eq!(d.proxy.as_deref(), Some("http://proxy.corp:3128"));
        assert_eq!(d.var, Some("HTTPS_PROXY"));
        let check = proxy_check(&url("https://eu.api.insight.rapid7.com/"), &d);
        assert!(!check.detail.contains("s3cret"), "{check:?}");
        assert_eq!(strip_credentials("http://a:b@h:1"), "http://***@h:1");
    }

    #[test]
    fn no_proxy_says_which_entry_matched() {
        let target = url("https://eu.api.insight.rapid7.com/");
        let d = decide(
            &target,
            &env(Some("http://proxy:3128"), Some("localhost, .rapid7.com")),
        );
        assert_eq!(d.proxy, None);
        assert_eq!(d.no_proxy_match.as_deref(), Some(".rapid7.com"));
        let check = proxy_check(&target, &d);
        assert!(
            check
                .detail
                .contains("\".rapid7.com\" matches eu.api.insight.rapid7.com"),
            "{check:?}"
        );

        let d = decide(
            &url("http://127.0.0.1:8080/us"),
            &ProxyEnv {
                http: Some(("http_proxy", "http://proxy:3128".into())),
                no: Some(("no_proxy", "*".into())),
                ..ProxyEnv::default()
            },
        );
        assert_eq!((d.proxy, d.no_proxy_match.as_deref()), (None, Some("*")));

        let d = decide(
            &target,
            &env(Some("http://proxy:3128"), Some("example.com")),
        );
        assert_eq!(d.proxy.as_deref(), Some("http://proxy:3128"), "{d:?}");
    }

    #[test]
    fn all_proxy_and_scheme_rules_follow_the_client() {
        let d = decide(
            &url("https://us.api.insight.rapid7.com/"),
            &ProxyEnv {
                all: Some(("ALL_PROXY", "http://all:8080".into())),
                http: Some(("HTTP_PROXY", "http://plain:80".into())),
                ..ProxyEnv::default()
            },
        );
        assert_eq!(
            d.proxy.as_deref(),
            Some("http://all:8080"),
            "HTTP_PROXY is for http URLs"
        );
        assert_eq!(d.var, Some("ALL_PROXY"));

        let d = decide(
            &url("https://us.api.insight.rapid7.com/"),
            &ProxyEnv::default(),
        );
        assert_eq!(
            d,
            ProxyDecision {
                proxy: None,
                var: None,
                no_proxy_match: None,
                ignored: None
            }
        );

        let d = decide(
            &url("https://us.api.insight.rapid7.com/"),
            &ProxyEnv {
                cgi: true,
                ..env(Some("http://proxy:1"), None)
            },
        );
        assert!(d.proxy.is_none() && d.ignored.is_some(), "{d:?}");
    }
}
