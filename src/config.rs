//! The configuration file: named profiles in TOML under the XDG config
//! directory (`~/.config/r7keys/config.toml`), chosen by `--profile` or
//! `R7_PROFILE`. Flags override the profile. A broken file is reported with
//! its path, line and problem.
//!
//! ```toml
//! default_profile = "us"
//!
//! [profiles.us]
//! region = "us"
//! api_key_command = "pass show rapid7/us"
//! email = "me@example.com"
//! read_only = true
//! ```

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use serde::Deserialize;

/// One named profile; every setting is optional.
#[derive(Debug, Clone, Default, Deserialize, PartialEq, Eq)]
#[serde(deny_unknown_fields)]
pub struct Profile {
    /// Region code or alias (`us`, `eu`, `ap-south-2`, ...).
    pub region: Option<String>,
    /// Base-URL template with `{region}`.
    pub endpoint: Option<String>,
    pub tc_endpoint: Option<String>,
    pub api_key_file: Option<PathBuf>,
    /// A command whose output is the API key, e.g. `pass show rapid7/us`.
    pub api_key_command: Option<String>,
    /// The user the key belongs to: tells whether they are a platform admin.
    pub email: Option<String>,
    /// The id of the key this profile uses (as the web console lists it):
    /// the console marks it and warns before it is revoked.
    pub key_id: Option<String>,
    /// The tenant (`R7-Organization-Id`) for multi-tenant keys.
    pub tenant: Option<String>,
    pub read_only: Option<bool>,
    pub page_size: Option<usize>,
    pub concurrency: Option<usize>,
    pub connect_timeout_secs: Option<u64>,
    pub request_timeout_secs: Option<u64>,
    pub retries: Option<u32>,
    pub ca_cert: Option<PathBuf>,
    /// Accepted spellings of the multi-tenant key types (first is sent).
    pub multi_tenant_admin_types: Option<Vec<String>>,
    pub multi_tenant_user_types: Option<Vec<String>>,
    /// The console's colours: `dark` (default), `light` or `mono` (`NO_COLOR` forces mono).
    pub theme: Option<String>,
    /// Seconds before a copied secret is cleared from the clipboard (default 30).
    pub clipboard_clear_secs: Option<u64>,
    /// Write the journal of mutations (default true).
    pub journal: Option<bool>,
    /// Open the console in screen-share mode, as `--present` does (default false).
    pub present: Option<bool>,
    pub tc_account_id: Option<String>,
    pub tc_api_key_file: Option<PathBuf>,
    pub tc_api_key_command: Option<String>,
    /// Seconds an `api_key_command` may take (default 30): a command that
    /// waits for ever would hang every r7keys run.
    pub api_key_command_timeout_secs: Option<u64>,
    /// Seconds a whole command may take, waits for the rate budget included (default 600).
    pub deadline_secs: Option<u64>,
    /// The most pages one listing may take (default 10000).
    pub max_pages: Option<usize>,
    /// Keys older than this are flagged old in the inventory, e.g. `90d` (default 90 days).
    pub max_key_age: Option<String>,
}

/// The whole file.
#[derive(Debug, Clone, Default, Deserialize, PartialEq, Eq)]
#[serde(deny_unknown_fields)]
pub struct ConfigFile {
    pub default_profile: Option<String>,
    #[serde(default)]
    pub profiles: BTreeMap<String, Profile>,
}

/// The config file could not be used.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{0}")]
pub struct ConfigError(pub String);

/// The default of [`Profile::max_key_age`], in days.
pub const MAX_KEY_AGE_DAYS: i64 = 90;

/// The profile's `max_key_age` in whole days (`90d`, `12w`, `1y`).
pub fn max_key_age_days(profile: &Profile) -> Result<i64, ConfigError> {
    let Some(text) = profile.max_key_age.as_deref() else {
        return Ok(MAX_KEY_AGE_DAYS);
    };
    let age: humantime::Duration = text.trim().parse().map_err(|e| {
        ConfigError(format!(
            "max_key_age = {text:?} is not a duration ({e}); write it like 90d, 12w or 1y"
        ))
    })?;
    let days = age.as_secs() / 86_400;
    i64::try_from(days)
        .ok()
        .filter(|d| *d >= 1)
        .ok_or_else(|| ConfigError(format!("max_key_age = {text:?} must be at least a day")))
}

/// The project's directories (XDG on Linux).
pub fn dirs() -> Option<directories::ProjectDirs> {
    directories::ProjectDirs::from("", "", "r7keys")
}

/// The config file to read and whether it was named (`--config` or
/// `R7KEYS_CONFIG`): a named file must exist, the default one may not.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ConfigPath {
    pub path: PathBuf,
    pub named: bool,
}

/// Where the config file is: `--config`, else `R7KEYS_CONFIG`, else the XDG location.
pub fn config_path(explicit: Option<&Path>) -> Option<ConfigPath> {
    let named = explicit
        .map(Path::to_path_buf)
        .or_else(|| std::env::var_os("R7KEYS_CONFIG").map(PathBuf::from));
    match named {
        Some(path) => Some(ConfigPath { path, named: true }),
        None => dirs().map(|d| ConfigPath {
            path: d.config_dir().join("config.toml"),
            named: false,
        }),
    }
}

/// The state directory for the log file.
pub fn state_dir() -> Option<PathBuf> {
    dirs().and_then(|d| d.state_dir().map(Path::to_path_buf))
}

/// 1-based line and column of a byte offset.
fn line_col(text: &str, offset: usize) -> (usize, usize) {
    let before = &text[..offset.min(text.len())];
    let line = before.matches('\n').count() + 1;
    let column = before.rsplit('\n').next().map_or(0, |l| l.chars().count()) + 1;
    (line, column)
}

/// Parses a config file's text; errors name the file, line and problem.
/// The problem quotes the file's text (an unknown key, say), so it is
/// sanitized: a key pasted with an escape sequence must not drive the terminal.
pub fn parse(text: &str, path: &Path) -> Result<ConfigFile, ConfigError> {
    toml::from_str(text).map_err(|error| {
        let place = error.span().map_or_else(String::new, |span| {
            let (line, column) = line_col(text, span.start);
            format!("line {line}, column {column}: ")
        });
        ConfigError(format!(
            "config file {}: {place}{}",
            path.display(),
            crate::sanitize::sanitize(error.message().trim())
        ))
    })
}

/// Loads the config file; a missing default file is an empty configuration,
/// a missing named one an error.
pub fn load(path: Option<&ConfigPath>) -> Result<ConfigFile, ConfigError> {
    let Some(ConfigPath { path, named }) = path else {
        return Ok(ConfigFile::default());
    };
    match std::fs::read_to_string(path) {
        Ok(text) => parse(&text, path),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound && !named => Ok(ConfigFile::default()),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Err(ConfigError(format!(
            "config file {} does not exist (named by --config or R7KEYS_CONFIG)",
            path.display()
        ))),
        Err(e) => Err(ConfigError(format!("config file {}: {e}", path.display()))),
    }
}

impl ConfigFile {
    /// The profile called `name` (or the default one); `None` when none is named.
    pub fn profile(
        &self,
        name: Option<&str>,
        path: &Path,
    ) -> Result<Option<(String, Profile)>, ConfigError> {
        let Some(name) = name.or(self.default_profile.as_deref()) else {
            return Ok(None);
        };
        if let Some(profile) = self.profiles.get(name) {
            return Ok(Some((name.to_string(), profile.clone())));
        }
        let known: Vec<&str> = self.profiles.keys().map(String::as_str).collect();
        Err(ConfigError(format!(
            "config file {}: no profile named {name:?} (profiles: {})",
            path.display(),
            if known.is_empty() {
                "none".to_string()
            } else {
                known.join(", ")
            }
        )))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn path() -> PathBuf {
        PathBuf::from("/home/me/.config/r7keys/config.toml")
    }

    #[test]
    fn profiles_parse() {
        let file = parse(
            "default_profile = \"eu\"\n[profiles.eu]\nregion = \"eu\"\nread_only = true\napi_key_command = \"pass show r7\"\n",
            &path(),
        )
        .unwrap();
        let (name, profile) = file.profile(None, &path()).unwrap().unwrap();
        assert_eq!(name, "eu");
        assert_eq!(profile.read_only, Some(true));
        assert_eq!(profile.api_key_command.as_deref(), Some("pass show r7"));
    }

    #[test]
    fn present_is_a_profile_setting() {
        let file = parse("[profiles.demo]\npresent = true\n", &path()).unwrap();
        let (_, profile) = file.profile(Some("demo"), &path()).unwrap().unwrap();
        assert_eq!(profile.present, Some(true));
        let no_flag = crate::cli::ConnectionArgs::default();
        assert!(crate::console::presenting(&no_flag, &profile));
        assert!(!crate::console::presenting(&no_flag, &Profile::default()));
        assert!(parse("[profiles.demo]\npresent = \"yes\"\n", &path()).is_err());
    }

    #[test]
    fn errors_name_the_file_line_and_problem() {
        let error = parse(
            "[profiles.us]\nregion = \"us\"\nread_only = maybe\n",
            &path(),
        )
        .unwrap_err();
        assert!(
            error
                .0
                .starts_with("config file /home/me/.config/r7keys/config.toml: line 3, column 13:"),
            "{error}"
        );
        let error = parse("[profiles.us]\nregoin = \"us\"\n", &path()).unwrap_err();
        assert!(
            error.0.contains("line 2") && error.0.contains("regoin"),
            "{error}"
        );
    }

    /// Found by `tests/props_config.rs`: toml quotes an unknown key as it is.
    #[test]
    fn an_unknown_key_with_an_escape_is_quoted_safely() {
        let error = parse("\"\\u001b[2J\" = \"us\"", &path()).unwrap_err();
        assert!(!error.0.contains('\u{1b}'), "{error}");
        assert!(error.0.contains("\\x1b[2J"), "{error}");
    }

    #[test]
    fn unknown_profiles_list_the_known_ones() {
        let file = parse("[profiles.us]\n[profiles.eu]\n", &path()).unwrap();
        let error = file.profile(Some("ap"), &path()).unwrap_err();
        assert!(
            error.0.contains("\"ap\"") && error.0.contains("eu, us"),
            "{error}"
        );
        assert_eq!(file.profile(None, &path()).unwrap(), None);
    }
}
