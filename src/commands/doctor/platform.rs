//! The checks that talk to Rapid7: TLS and `/validate` in one request, the
//! region the key really belongs to (only with `--find-region`: one request
//! per other region), the advertised rate budget (one request), and Threat
//! Command's credentials.

use futures_util::future::join_all;

use super::local::file_check;
use super::net::Way;
use super::{Check, Report, Status};
use crate::api::client::is_untrusted_certificate;
use crate::api::error::exit;
use crate::api::{ApiError, ApiKey, Client, Target, tls};
use crate::commands::context::Context;
use crate::region::Region;

/// TLS, `/validate` and the rate budget.
pub async fn validate(
    cx: &Context,
    key: ApiKey,
    way: &Way,
    find_region: bool,
    report: &mut Report,
) {
    let trust = if way.https {
        match tls::trust(&cx.settings.ca_certs) {
            Ok(trust) => Some(trust),
            Err(error) => {
                report.push(Check::fail(
                    "tls",
                    exit::USAGE,
                    error.to_string(),
                    "give --ca-cert (or the profile's ca_cert) a PEM file holding the CA certificate",
                ));
                report.push(Check::skip("validate", "not tried: TLS is not set up"));
                report.push(Check::skip("rate budget", "not tried: TLS is not set up"));
                return;
            }
        }
    } else {
        None
    };
    let client = match Client::new(cx.settings.clone(), key) {
        Ok(client) => client,
        Err(error) => {
            report.push(Check::fail("tls", error.exit_code(), error.to_string(), ""));
            report.push(Check::skip("validate", "not tried: no HTTP client"));
            report.push(Check::skip("rate budget", "not tried: no HTTP client"));
            return;
        }
    };
    let target = cx.target();
    let outcome = client.validate(&target).await;
    let trusted_by = trust.as_ref().map(tls::Trust::describe);
    match (&outcome, &trusted_by) {
        (Err(error), Some(store)) if is_untrusted_certificate(error) => {
            report.push(untrusted(error, store, !cx.settings.ca_certs.is_empty()));
            report.push(Check::skip("validate", "not tried: TLS failed"));
            report.push(Check::skip("rate budget", "not tried: TLS failed"));
            return;
        }
        (Err(ApiError::Network { .. } | ApiError::Timeout { .. }), _) => report.push(Check::skip(
            "tls",
            "not confirmed: no answer came back (see validate)",
        )),
        (_, Some(store)) => report.push(Check::ok(
            "tls",
            format!("the server's certificate is trusted by {store}"),
        )),
        (_, None) => report.push(Check::skip("tls", "plain HTTP: no TLS")),
    }
    match outcome {
        Ok(()) => {
            report.push(Check::ok(
                "validate",
                format!(
                    "the key (fingerprint {}) works at region {}{}",
                    client.key_fingerprint(),
                    cx.region,
                    target
                        .tenant
                        .as_deref()
                        .map(|t| format!(" for tenant {t}"))
                        .unwrap_or_default()
                ),
            ));
            report.push(budget(&client, &target).await);
        }
        Err(ApiError::Unauthorized { region }) => {
            report.push(wrong_region(&client, &target, region, find_region).await);
            report.push(Check::skip("rate budget", "not tried: the key was refused"));
        }
        Err(error) => {
            let fix = match &error {
                ApiError::Refused { status: 400, .. } | ApiError::Forbidden { .. }
                    if target.tenant.is_none() =>
                {
                    "a multi-tenant key needs --tenant ID (its primary organization), or the profile's tenant"
                }
                ApiError::Timeout { .. } => {
                    "the server did not answer in time: a proxy in the way? try --timeout 30"
                }
                _ => "",
            };
            report.push(Check::fail(
                "validate",
                error.exit_code(),
                error.to_string(),
                fix,
            ));
            report.push(Check::skip("rate budget", "not tried: validate failed"));
        }
    }
}

/// rustls's names for why a certificate was refused, in words.
const CERTIFICATE_ERRORS: [(&str, &str); 9] = [
    ("UnknownIssuer", "signed by a CA nobody here trusts"),
    (
        "CaUsedAsEndEntity",
        "the server presents a CA certificate as its own: a self-signed test or proxy certificate",
    ),
    (
        "NotValidYet",
        "not valid yet: is this machine's clock right?",
    ),
    ("Expired", "expired"),
    (
        "NotValidForName",
        "issued for another name than the endpoint's host",
    ),
    ("Revoked", "revoked by its CA"),
    ("BadSignature", "its signature does not verify"),
    (
        "UnsupportedSignatureAlgorithm",
        "signed with an algorithm rustls does not accept",
    ),
    ("InvalidPurpose", "not issued for a TLS server"),
];

/// An untrusted certificate, in words: who refused it and what to do.
fn untrusted(error: &ApiError, store: &str, custom_ca: bool) -> Check {
    let text = error.to_string();
    let reason = CERTIFICATE_ERRORS
        .iter()
        .find(|(name, _)| text.contains(name))
        .map_or_else(
            || {
                text.split("invalid peer certificate: ").nth(1).map_or_else(
                    || "not trusted".to_string(),
                    |rest| {
                        rest.split([')', '.', ';'])
                            .next()
                            .unwrap_or(rest)
                            .trim()
                            .to_string()
                    },
                )
            },
            |(name, meaning)| format!("{name} ({meaning})"),
        );
    let fix = if custom_ca {
        "the CA given with --ca-cert did not sign this certificate: is it the proxy's CA (the root, in PEM)?"
    } else {
        "a TLS-inspecting proxy? pass its CA with --ca-cert FILE (or the profile's ca_cert, or SSL_CERT_FILE)"
    };
    Check::fail(
        "tls",
        exit::NETWORK,
        format!("the server's certificate was refused: {reason}; trusted: {store}"),
        fix,
    )
}

/// A 401: the key is wrong for this region, or revoked. With `--find-region`,
/// the other regions are asked (one `/validate` each, in parallel).
async fn wrong_region(client: &Client, target: &Target, region: Region, find: bool) -> Check {
    let detail = format!(
        "the key (fingerprint {}) is refused (401) at region {region}",
        client.key_fingerprint()
    );
    if !find {
        return Check::fail(
            "validate",
            exit::AUTH,
            detail,
            "a key for another region, or a revoked one: `r7keys doctor --find-region` tries it at every other region (one request each)",
        );
    }
    let others: Vec<Region> = Region::ALL.into_iter().filter(|r| *r != region).collect();
    let tries = others.iter().map(|other| {
        let target = Target::new(*other, target.tenant.clone());
        async move { (*other, client.validate(&target).await) }
    });
    let answers = join_all(tries).await;
    let works: Vec<Region> = answers
        .iter()
        .filter(|(_, outcome)| outcome.is_ok())
        .map(|(r, _)| *r)
        .collect();
    let unreachable = answers
        .iter()
        .filter(|(_, outcome)| {
            matches!(
                outcome,
                Err(ApiError::Network { .. } | ApiError::Timeout { .. })
            )
        })
        .count();
    match works.first() {
        Some(found) => Check::fail(
            "validate",
            exit::AUTH,
            format!(
                "{detail}; of the {} other regions it works at {}",
                others.len(),
                works
                    .iter()
                    .map(|r| r.code())
                    .collect::<Vec<_>>()
                    .join(", ")
            ),
            format!(
                "the key belongs to region {} ({}): pass --region {}, or set region = \"{}\" in the profile",
                found.code(),
                found.describe(),
                found.code(),
                found.code()
            ),
        ),
        None => Check::fail(
            "validate",
            exit::AUTH,
            format!(
                "{detail}, and at the {} other regions too{}",
                others.len(),
                if unreachable > 0 {
                    format!(" ({unreachable} could not be reached)")
                } else {
                    String::new()
                }
            ),
            "the key is revoked or mistyped: check it, or generate a new one (Administration > API Key Management)",
        ),
    }
}

/// The rate budget the gateway advertises, from one small list request
/// (`/validate` carries no budget headers).
async fn budget(client: &Client, target: &Target) -> Check {
    let probe = client
        .get(
            target,
            "/account/api/1/api-keys",
            vec![("index", "0".into()), ("size", "1".into())],
            |_| Ok(()),
        )
        .await;
    match (client.budget(target.region), probe) {
        (Some((0, limit)), _) => Check::warn(
            "rate budget",
            format!(
                "spent: 0 of {} requests left at region {}",
                limit.map_or("?".into(), |l| l.to_string()),
                target.region
            ),
            "wait for the window to reset (about a minute); another tool may share this key",
        ),
        (Some((left, limit)), _) => {
            let low = limit.is_some_and(|l| left * 10 < l);
            let detail = format!(
                "{left} of {} requests left in this window at region {} (this check spent one)",
                limit.map_or("?".into(), |l| l.to_string()),
                target.region
            );
            if low {
                Check::warn(
                    "rate budget",
                    detail,
                    "nearly spent: another tool may share this key",
                )
            } else {
                Check::ok("rate budget", detail)
            }
        }
        (None, Err(ApiError::RateLimited { .. })) => Check::warn(
            "rate budget",
            "spent (429)",
            "wait for the window to reset (about a minute)",
        ),
        (None, _) => Check::ok(
            "rate budget",
            "not advertised (no RateLimit-* headers): r7keys paces on 429 answers alone",
        ),
    }
}

/// Threat Command's credentials, when any are configured.
pub async fn threat_command(cx: &Context, report: &mut Report) {
    let account = cx.tc_account_id();
    let source = cx.tc_key_source();
    if account.is_none() && source.is_none() {
        report.push(Check::skip(
            "threat command",
            "not configured (R7_TC_ACCOUNT_ID and R7_TC_API_KEY, or the profile's tc_account_id and tc_api_key_command)",
        ));
        return;
    }
    if let Some(check) = source
        .as_ref()
        .and_then(|s| file_check("threat command", s))
    {
        let failed = check.status == Status::Fail;
        report.push(check);
        if failed {
            return;
        }
    }
    let tc = match cx.tc_client() {
        Ok(tc) => tc,
        Err(error) => {
            report.push(Check::fail(
                "threat command",
                error.exit_code(),
                error.to_string(),
                "set both the account id and the key's source",
            ));
            return;
        }
    };
    let from = source.map(|s| s.describe()).unwrap_or_default();
    report.push(match tc.test_credentials().await {
        Ok(true) => Check::ok(
            "threat command",
            format!(
                "account {} accepted at {} (key from {from})",
                tc.account_id(),
                cx.tc_endpoint
            ),
        ),
        Ok(false) => Check::fail(
            "threat command",
            exit::AUTH,
            format!(
                "account {} refused (401) at {}",
                tc.account_id(),
                cx.tc_endpoint
            ),
            "check the account id and the API key (Threat Command > Settings > Subscription > API)",
        ),
        Err(error) => Check::fail(
            "threat command",
            error.exit_code(),
            format!("{}: {error}", cx.tc_endpoint),
            "",
        ),
    });
}
