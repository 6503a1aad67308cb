//! Resolves what a command connects with: flags over environment over the
//! profile over defaults, and the API key from its source (never argv).

use std::io::IsTerminal;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::Duration;

use crate::api::client::{DEFAULT_TC_ENDPOINT, Settings};
use crate::api::tc::{TcClient, TcCredentials};
use crate::api::{ApiError, ApiKey, Client, KindNames, Target};
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

/// Where a secret (the API key, the Threat Command key) comes from, told
/// without reading it: `doctor` and `config show` name it, never the key.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum KeySource {
    /// A file given by a flag (`--api-key-file`, `--tc-api-key-file`).
    FlagFile { flag: &'static str, path: PathBuf },
    /// An environment variable (`R7_API_KEY`, `R7_TC_API_KEY`).
    Env(&'static str),
    /// The profile's `api_key_file` / `tc_api_key_file`.
    ProfileFile {
        setting: &'static str,
        path: PathBuf,
    },
    /// The profile's `api_key_command` / `tc_api_key_command`.
    ProfileCommand {
        setting: &'static str,
        command: String,
    },
}

impl KeySource {
    /// The source in words. A command is shown by its program only, since
    /// its arguments could hold anything (`echo <key>` is not unheard of).
    pub fn describe(&self) -> String {
        match self {
            KeySource::FlagFile { flag, path } => format!("the file {} ({flag})", path.display()),
            KeySource::Env(name) => format!("the environment variable {name}"),
            KeySource::ProfileFile { setting, path } => {
                format!("the file {} (the profile's {setting})", path.display())
            }
            KeySource::ProfileCommand { setting, command } => {
                format!(
                    "the command `{}` (the profile's {setting})",
                    command_program(command)
                )
            }
        }
    }

    /// The file the key is read from, if it is a file.
    pub fn file(&self) -> Option<&Path> {
        match self {
            KeySource::FlagFile { path, .. } | KeySource::ProfileFile { path, .. } => Some(path),
            KeySource::Env(_) | KeySource::ProfileCommand { .. } => None,
        }
    }
}

/// A command's program, with `…` standing for its arguments.
pub fn command_program(command: &str) -> String {
    let mut words = command.split_whitespace();
    let program = words.next().unwrap_or("");
    let shown = crate::sanitize::display(program, 60);
    if words.next().is_some() {
        format!("{shown} …")
    } else {
        shown
    }
}

/// Whether a file's mode lets its group or others read it.
pub fn readable_by_others(meta: &std::fs::Metadata) -> bool {
    #[cfg(unix)]
    {
        std::os::unix::fs::PermissionsExt::mode(&meta.permissions()) & 0o044 != 0
    }
    #[cfg(not(unix))]
    {
        let _ = meta;
        false
    }
}

/// Whether an environment variable holds something a key could be.
fn env_set(name: &str) -> bool {
    std::env::var(name).is_ok_and(|v| !v.trim().is_empty())
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

    /// Where [`Context::api_key`] would take the key from, in the same
    /// order, without reading it; `None` when no source is configured.
    pub fn api_key_source(&self) -> Option<KeySource> {
        if let Some(path) = &self.args.api_key_file {
            return Some(KeySource::FlagFile {
                flag: "--api-key-file",
                path: path.clone(),
            });
        }
        if env_set("R7_API_KEY") {
            return Some(KeySource::Env("R7_API_KEY"));
        }
        if let Some(path) = &self.profile.api_key_file {
            return Some(KeySource::ProfileFile {
                setting: "api_key_file",
                path: path.clone(),
            });
        }
        self.profile
            .api_key_command
            .as_ref()
            .map(|command| KeySource::ProfileCommand {
                setting: "api_key_command",
                command: command.clone(),
            })
    }

    /// The Threat Command account id, from `R7_TC_ACCOUNT_ID` or the profile.
    pub fn tc_account_id(&self) -> Option<String> {
        std::env::var("R7_TC_ACCOUNT_ID")
            .ok()
            .or_else(|| self.profile.tc_account_id.clone())
            .map(|a| a.trim().to_string())
            .filter(|a| !a.is_empty())
    }

    /// Where [`Context::tc_client`] would take the Threat Command key from.
    pub fn tc_key_source(&self) -> Option<KeySource> {
        if let Some(path) = &self.args.tc_api_key_file {
            return Some(KeySource::FlagFile {
                flag: "--tc-api-key-file",
                path: path.clone(),
            });
        }
        if env_set("R7_TC_API_KEY") {
            return Some(KeySource::Env("R7_TC_API_KEY"));
        }
        if let Some(path) = &self.profile.tc_api_key_file {
            return Some(KeySource::ProfileFile {
                setting: "tc_api_key_file",
                path: path.clone(),
            });
        }
        self.profile
            .tc_api_key_command
            .as_ref()
            .map(|command| KeySource::ProfileCommand {
                setting: "tc_api_key_command",
                command: command.clone(),
            })
    }

    /// The profile in force and why it was chosen, in words.
    pub fn profile_origin(&self) -> String {
        match (&self.profile_name, &self.args.profile) {
            (None, _) => "none: defaults".into(),
            (Some(name), Some(_)) if std::env::var("R7_PROFILE").ok().as_ref() == Some(name) => {
                format!("{name} (R7_PROFILE)")
            }
            (Some(name), Some(_)) => format!("{name} (--profile)"),
            (Some(name), None) => format!("{name} (default_profile)"),
        }
    }

    /// The flags this context was resolved from.
    pub fn args(&self) -> &ConnectionArgs {
        &self.args
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
