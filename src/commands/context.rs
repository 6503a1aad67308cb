//! Resolves what a command connects with: flags over environment over the
//! profile over defaults, every number within its sensible range, and the
//! API key from its source (never argv).

use std::io::IsTerminal;
use std::ops::RangeInclusive;
use std::path::{Path, PathBuf};
use std::sync::OnceLock;
use std::time::Duration;

use super::key_source;
use crate::api::client::{DEFAULT_TC_ENDPOINT, Settings};
use crate::api::tc::{TcClient, TcCredentials};
use crate::api::{ApiError, ApiKey, Client, Journal, KindNames, Target};
use crate::cli::{ConnectionArgs, OutputFormat};
use crate::config::{self, Profile};
use crate::region::Region;

/// How long a whole command may take by default, waits for the rate budget included.
pub const DEFAULT_DEADLINE: Duration = Duration::from_secs(600);

/// Everything a command needs to talk to the platform.
pub struct Context {
    pub profile_name: Option<String>,
    pub profile: Profile,
    /// The config file in force, if any.
    pub config_file: Option<PathBuf>,
    pub region: Region,
    pub tenant: Option<String>,
    pub settings: Settings,
    pub tc_endpoint: String,
    pub output: OutputFormat,
    args: ConnectionArgs,
    /// The client, once made: kept so its budgets can be remembered after the command.
    client: OnceLock<Client>,
}

fn config_error(message: impl Into<String>) -> ApiError {
    ApiError::Config(message.into())
}

/// A number from a flag or the profile, checked against its range. Flags are
/// checked by clap already; this catches the profile's values, naming them.
fn within<T>(value: T, range: RangeInclusive<T>, setting: &str) -> Result<T, ApiError>
where
    T: PartialOrd + std::fmt::Display + Copy,
{
    if range.contains(&value) {
        Ok(value)
    } else {
        Err(config_error(format!(
            "the profile's {setting} = {value} is out of range: it must be {} to {}",
            range.start(),
            range.end()
        )))
    }
}

/// Checks an endpoint template: an http(s) URL once `{region}` is filled in.
fn endpoint_template(text: &str, what: &str, needs_region: bool) -> Result<String, ApiError> {
    let template = text.trim().trim_end_matches('/').to_string();
    let example = if needs_region {
        "https://{region}.api.insight.rapid7.com"
    } else {
        "https://api.ti.insight.rapid7.com"
    };
    if needs_region && !template.contains("{region}") {
        return Err(config_error(format!(
            "the {what} {text:?} has no {{region}} placeholder, e.g. {example}"
        )));
    }
    let filled = template.replace("{region}", "us");
    match reqwest::Url::parse(&filled) {
        Ok(url) if matches!(url.scheme(), "http" | "https") && url.host().is_some() => Ok(template),
        _ => Err(config_error(format!(
            "the {what} {text:?} is not an http:// or https:// URL, e.g. {example}"
        ))),
    }
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

impl Context {
    pub fn resolve(args: &ConnectionArgs) -> Result<Context, ApiError> {
        let path = config::config_path(args.config.as_deref());
        let file = config::load(path.as_ref()).map_err(|e| config_error(e.0))?;
        let shown = path.as_ref().map(|p| p.path.clone()).unwrap_or_default();
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
        let mut settings = settings(args, &profile).map_err(|error| match error {
            ApiError::Config(message) if message.starts_with("the profile's") => {
                config_error(format!("config file {}: {message}", shown.display()))
            }
            other => other,
        })?;
        let tc_endpoint = match args
            .tc_endpoint
            .clone()
            .or_else(|| profile.tc_endpoint.clone())
        {
            Some(text) => endpoint_template(&text, "Threat Command endpoint", false)?,
            None => DEFAULT_TC_ENDPOINT.to_string(),
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
            tc_endpoint,
            config_file: path.filter(|p| p.named || p.path.exists()).map(|p| p.path),
            profile_name,
            profile,
            region,
            settings,
            output,
            args: args.clone(),
            client: OnceLock::new(),
        })
    }

    /// Where requests go by default: the region, with the tenant for multi-tenant keys.
    pub fn target(&self) -> Target {
        Target::new(self.region, self.tenant.clone())
    }

    /// How long an `api_key_command` may run.
    fn command_timeout(&self) -> Duration {
        self.profile
            .api_key_command_timeout_secs
            .map_or(key_source::COMMAND_TIMEOUT, Duration::from_secs)
    }

    /// The API key: `--api-key-file`, else `R7_API_KEY`, else the profile's
    /// `api_key_file`, else its `api_key_command`.
    pub fn api_key(&self) -> Result<ApiKey, ApiError> {
        if let Some(path) = &self.args.api_key_file {
            return key_source::from_file(path, "API key");
        }
        if let Some(key) = key_source::from_env("R7_API_KEY")? {
            return Ok(key);
        }
        if let Some(path) = &self.profile.api_key_file {
            return key_source::from_file(path, "API key");
        }
        if let Some(command) = &self.profile.api_key_command {
            return key_source::from_command(command, "api_key_command", self.command_timeout());
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

    /// The platform client (made once): it says on stderr when it waits for
    /// the rate budget, and starts from the budget earlier runs left.
    pub fn client(&self) -> Result<Client, ApiError> {
        if let Some(client) = self.client.get() {
            return Ok(client.clone());
        }
        let client = Client::new(self.settings.clone(), self.api_key()?)?;
        client.on_budget_wait(super::waits::on_stderr());
        if let Some(path) = super::budgets::path() {
            client.recall_budgets(super::budgets::recall(&path, &client.key_fingerprint()));
        }
        Ok(self.client.get_or_init(|| client).clone())
    }

    /// Remembers the budgets the client saw, for the next run (best effort:
    /// a read-only state directory only costs the next run a slower start).
    pub fn remember_budgets(&self) {
        let (Some(client), Some(path)) = (self.client.get(), super::budgets::path()) else {
            return;
        };
        let budgets = client.remembered_budgets();
        if !budgets.is_empty() {
            let _ = super::budgets::remember(&path, &client.key_fingerprint(), &budgets);
        }
    }

    /// The Threat Command client, from `R7_TC_ACCOUNT_ID` / `R7_TC_API_KEY`,
    /// `--tc-api-key-file`, or the profile.
    pub fn tc_client(&self) -> Result<TcClient, ApiError> {
        let account_id = std::env::var("R7_TC_ACCOUNT_ID")
            .ok()
            .or_else(|| self.profile.tc_account_id.clone())
            .filter(|a| !a.trim().is_empty())
            .ok_or_else(|| config_error("no Threat Command account ID: set R7_TC_ACCOUNT_ID or the profile's tc_account_id"))?;
        let what = "Threat Command API key";
        let api_key = if let Some(path) = &self.args.tc_api_key_file {
            key_source::from_file(path, what)?
        } else if let Some(key) = key_source::from_env("R7_TC_API_KEY")? {
            key
        } else if let Some(path) = &self.profile.tc_api_key_file {
            key_source::from_file(path, what)?
        } else if let Some(command) = &self.profile.tc_api_key_command {
            key_source::from_command(command, "tc_api_key_command", self.command_timeout())?
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

/// The client's settings: each flag over the profile's value over the
/// default, the profile's numbers checked against the same ranges as the flags.
fn settings(args: &ConnectionArgs, profile: &Profile) -> Result<Settings, ApiError> {
    let mut settings = Settings::default();
    if let Some(endpoint) = args.endpoint.clone().or_else(|| profile.endpoint.clone()) {
        settings.endpoint = endpoint_template(&endpoint, "endpoint", true)?;
    }
    settings.read_only = args.read_only || profile.read_only.unwrap_or(false);
    settings.verbose = args.verbose;
    if let Some(secs) = args.timeout.or(profile.request_timeout_secs) {
        settings.request_timeout =
            Duration::from_secs(within(secs, 1..=3600, "request_timeout_secs")?);
    }
    if let Some(secs) = args.connect_timeout.or(profile.connect_timeout_secs) {
        settings.connect_timeout =
            Duration::from_secs(within(secs, 1..=600, "connect_timeout_secs")?);
    }
    if let Some(size) = args.page_size.or(profile.page_size) {
        settings.page_size = within(size, 1..=1000, "page_size")?;
    }
    if let Some(n) = args.concurrency.or(profile.concurrency) {
        settings.concurrency = within(n, 1..=256, "concurrency")?;
    }
    if let Some(n) = args.retries.or(profile.retries) {
        settings.retries = within(n, 0..=10, "retries")?;
    }
    if let Some(n) = args.max_pages.or(profile.max_pages) {
        settings.max_pages = within(n, 1..=1_000_000, "max_pages")?;
    }
    let deadline = args.deadline.or(profile.deadline_secs);
    settings.deadline = Some(match deadline {
        Some(secs) => Duration::from_secs(within(secs, 1..=86_400, "deadline_secs")?),
        None => DEFAULT_DEADLINE,
    });
    if let Some(secs) = profile.api_key_command_timeout_secs {
        within(secs, 1..=600, "api_key_command_timeout_secs")?;
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
    Ok(settings)
}
