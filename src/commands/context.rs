//! Resolves what a command connects with: flags over environment over the
//! profile over defaults, and the API key from its source (never argv).

use std::io::IsTerminal;
use std::path::Path;
use std::process::{Command, Stdio};
use std::time::Duration;

use crate::api::client::{DEFAULT_TC_ENDPOINT, Settings};
use crate::api::tc::{TcClient, TcCredentials};
use crate::api::{ApiError, ApiKey, Client, Journal, KindNames, Target};
use crate::cli::{ConnectionArgs, OutputFormat};
use crate::config::{self, Profile};
use crate::region::Region;

/// Everything a command needs to talk to the platform.
pub struct Context {
    pub profile_name: Option<String>,
    pub profile: Profile,
    pub region: Region,
    pub tenant: Option<String>,
    pub settings: Settings,
    pub tc_endpoint: String,
    pub output: OutputFormat,
    args: ConnectionArgs,
}

fn config_error(message: impl Into<String>) -> ApiError {
    ApiError::Config(message.into())
}

/// Runs a profile's key command (`pass show rapid7/us`) and takes its output.
fn key_from_command(command: &str, what: &str) -> Result<ApiKey, ApiError> {
    let output = Command::new("sh")
        .arg("-c")
        .arg(command)
        .stdin(Stdio::null())
        .stderr(Stdio::piped())
        .stdout(Stdio::piped())
        .output()
        .map_err(|e| config_error(format!("cannot run the {what} command: {e}")))?;
    if !output.status.success() {
        let stderr = String::from_utf8_lossy(&output.stderr);
        let first = stderr.lines().next().unwrap_or("").trim();
        return Err(config_error(format!(
            "the {what} command failed ({}){}",
            output.status,
            if first.is_empty() {
                String::new()
            } else {
                format!(": {}", crate::sanitize::sanitize(first))
            }
        )));
    }
    let text = zeroize::Zeroizing::new(String::from_utf8_lossy(&output.stdout).into_owned());
    ApiKey::new(&text).ok_or_else(|| config_error(format!("the {what} command printed nothing")))
}

fn key_from_file(path: &Path, what: &str) -> Result<ApiKey, ApiError> {
    let text = zeroize::Zeroizing::new(std::fs::read_to_string(path).map_err(|e| {
        config_error(format!(
            "cannot read the {what} file {}: {e}",
            path.display()
        ))
    })?);
    ApiKey::new(&text)
        .ok_or_else(|| config_error(format!("the {what} file {} is empty", path.display())))
}

fn env_key(name: &str) -> Option<ApiKey> {
    std::env::var(name)
        .ok()
        .map(zeroize::Zeroizing::new)
        .and_then(|v| ApiKey::new(&v))
}

impl Context {
    pub fn resolve(args: &ConnectionArgs) -> Result<Context, ApiError> {
        let path = config::config_path(args.config.as_deref());
        let file = config::load(path.as_deref()).map_err(|e| config_error(e.0))?;
        let shown = path.clone().unwrap_or_default();
        let (profile_name, profile) = match file
            .profile(args.profile.as_deref(), &shown)
            .map_err(|e| config_error(e.0))?
        {
            Some((name, profile)) => (Some(name), profile),
            None => (None, Profile::default()),
        };
        let region_text = args
            .region
            .clone()
            .or_else(|| profile.region.clone())
            .unwrap_or_else(|| "us".into());
        let region: Region = region_text
            .parse()
            .map_err(|e: crate::region::UnknownRegion| config_error(e.to_string()))?;
        let mut settings = Settings::default();
        if let Some(endpoint) = args.endpoint.clone().or_else(|| profile.endpoint.clone()) {
            if !endpoint.contains("{region}") {
                return Err(config_error(format!(
                    "the endpoint {endpoint:?} has no {{region}} placeholder, e.g. https://{{region}}.api.insight.rapid7.com"
                )));
            }
            settings.endpoint = endpoint.trim_end_matches('/').to_string();
        }
        settings.read_only = args.read_only || profile.read_only.unwrap_or(false);
        settings.verbose = args.verbose;
        if let Some(secs) = args.timeout.or(profile.request_timeout_secs) {
            settings.request_timeout = Duration::from_secs(secs.max(1));
        }
        if let Some(secs) = args.connect_timeout.or(profile.connect_timeout_secs) {
            settings.connect_timeout = Duration::from_secs(secs.max(1));
        }
        if let Some(size) = args.page_size.or(profile.page_size) {
            settings.page_size = size.max(1);
        }
        if let Some(n) = args.concurrency.or(profile.concurrency) {
            settings.concurrency = n.max(1);
        }
        if let Some(n) = args.retries.or(profile.retries) {
            settings.retries = n;
        }
        settings.ca_certs.clone_from(&args.ca_cert);
        settings.ca_certs.extend(profile.ca_cert.clone());
        let defaults = KindNames::default();
        settings.kind_names = KindNames {
            multi_tenant_admin: profile
                .multi_tenant_admin_types
                .clone()
                .unwrap_or(defaults.multi_tenant_admin),
            multi_tenant_user: profile
                .multi_tenant_user_types
                .clone()
                .unwrap_or(defaults.multi_tenant_user),
        };
        // Read-only mode makes no mutation, so it has nothing to journal.
        let journaling = !args.no_journal && profile.journal != Some(false) && !settings.read_only;
        settings.journal = journaling
            .then(Journal::default_path)
            .flatten()
            .map(|path| Journal::new(path, profile_name.clone()));
        let output = args.output.unwrap_or(if std::io::stdout().is_terminal() {
            OutputFormat::Table
        } else {
            OutputFormat::Json
        });
        Ok(Context {
            tenant: args.tenant.clone().or_else(|| profile.tenant.clone()),
            tc_endpoint: args
                .tc_endpoint
                .clone()
                .or_else(|| profile.tc_endpoint.clone())
                .unwrap_or_else(|| DEFAULT_TC_ENDPOINT.to_string()),
            profile_name,
            profile,
            region,
            settings,
            output,
            args: args.clone(),
        })
    }

    /// Where requests go by default: the region, with the tenant for multi-tenant keys.
    pub fn target(&self) -> Target {
        Target::new(self.region, self.tenant.clone())
    }

    /// The API key: `--api-key-file`, else `R7_API_KEY`, else the profile's
    /// `api_key_file`, else its `api_key_command`.
    pub fn api_key(&self) -> Result<ApiKey, ApiError> {
        if let Some(path) = &self.args.api_key_file {
            return key_from_file(path, "API key");
        }
        if let Some(key) = env_key("R7_API_KEY") {
            return Ok(key);
        }
        if let Some(path) = &self.profile.api_key_file {
            return key_from_file(path, "API key");
        }
        if let Some(command) = &self.profile.api_key_command {
            return key_from_command(command, "api_key_command");
        }
        Err(config_error(
            "no API key: set R7_API_KEY, pass --api-key-file FILE, or give the profile an \
             api_key_file or api_key_command (see r7keys --help)",
        ))
    }

    pub fn client(&self) -> Result<Client, ApiError> {
        Client::new(self.settings.clone(), self.api_key()?)
    }

    /// The Threat Command client, from `R7_TC_ACCOUNT_ID` / `R7_TC_API_KEY`,
    /// `--tc-api-key-file`, or the profile.
    pub fn tc_client(&self) -> Result<TcClient, ApiError> {
        let account_id = std::env::var("R7_TC_ACCOUNT_ID")
            .ok()
            .or_else(|| self.profile.tc_account_id.clone())
            .filter(|a| !a.trim().is_empty())
            .ok_or_else(|| config_error("no Threat Command account ID: set R7_TC_ACCOUNT_ID or the profile's tc_account_id"))?;
        let api_key = if let Some(path) = &self.args.tc_api_key_file {
            key_from_file(path, "Threat Command API key")?
        } else if let Some(key) = env_key("R7_TC_API_KEY") {
            key
        } else if let Some(path) = &self.profile.tc_api_key_file {
            key_from_file(path, "Threat Command API key")?
        } else if let Some(command) = &self.profile.tc_api_key_command {
            key_from_command(command, "tc_api_key_command")?
        } else {
            return Err(config_error(
                "no Threat Command API key: set R7_TC_API_KEY, pass --tc-api-key-file, or give the profile a tc_api_key_file or tc_api_key_command",
            ));
        };
        let http = crate::api::client::http_client(&self.settings)?;
        Ok(TcClient::new(
            http,
            &self.tc_endpoint,
            TcCredentials {
                account_id: account_id.trim().to_string(),
                api_key,
            },
        ))
    }
}
