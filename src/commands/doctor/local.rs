//! The checks that need no network: the config file, the profile, where the
//! API key comes from, and the clipboard route.

use super::{Check, Report};
use crate::api::ApiKey;
use crate::api::error::exit;
use crate::cli::ConnectionArgs;
use crate::clipboard::{self, Surroundings};
use crate::commands::context::{Context, KeySource, readable_by_others};
use crate::config;

/// The config file in force; `false` when it is broken (nothing else can run).
pub fn config_file(args: &ConnectionArgs, report: &mut Report) -> bool {
    let path = config::config_path(args.config.as_deref());
    let how = if args.config.is_some() {
        " (--config)"
    } else if std::env::var_os("R7KEYS_CONFIG").is_some() {
        " (R7KEYS_CONFIG)"
    } else {
        ""
    };
    let Some(found) = path else {
        report.push(Check::ok(
            "config file",
            "none (no home directory): flags and environment only",
        ));
        return true;
    };
    let path = found.path.clone();
    match config::load(Some(&found)) {
        Ok(_) if !path.exists() => {
            report.push(Check::ok(
                "config file",
                format!(
                    "{}{how} does not exist: flags, environment and defaults",
                    path.display()
                ),
            ));
            true
        }
        Ok(file) => {
            report.push(Check::ok(
                "config file",
                format!(
                    "{}{how}: {} profile{}",
                    path.display(),
                    file.profiles.len(),
                    if file.profiles.len() == 1 { "" } else { "s" }
                ),
            ));
            true
        }
        Err(error) => {
            report.push(Check::fail(
                "config file",
                exit::USAGE,
                error.0,
                "fix the line named; `r7keys config init --force` writes a fresh starter file",
            ));
            false
        }
    }
}

/// Which profile is in force, and why.
pub fn profile(cx: &Context) -> Check {
    if cx.profile_name.is_none() {
        return Check::ok(
            "profile",
            "none: defaults (`r7keys config init` writes a starter profile)",
        );
    }
    Check::ok("profile", cx.profile_origin())
}

/// Where the key comes from, whether a key file is private, and the key
/// itself (read, never shown: only its fingerprint).
pub fn api_key(cx: &Context, report: &mut Report) -> Option<ApiKey> {
    let Some(source) = cx.api_key_source() else {
        report.push(Check::fail(
            "api key",
            exit::USAGE,
            "no API key: none of --api-key-file, R7_API_KEY, api_key_file, api_key_command is set",
            "set R7_API_KEY, pass --api-key-file FILE, or run `r7keys config init` for a profile with a key command",
        ));
        return None;
    };
    if let Some(check) = file_check("api key", &source) {
        let failed = check.status == super::Status::Fail;
        report.push(check);
        if failed {
            return None;
        }
    }
    match cx.api_key() {
        Ok(key) => {
            report.push(Check::ok(
                "api key",
                format!(
                    "from {}; fingerprint {}",
                    source.describe(),
                    key.fingerprint()
                ),
            ));
            Some(key)
        }
        Err(error) => {
            report.push(Check::fail(
                "api key",
                exit::USAGE,
                format!("from {}: {error}", source.describe()),
                match source {
                    KeySource::ProfileCommand { .. } => {
                        "run the command yourself: it must print the key alone and exit 0"
                    }
                    _ => "put the key alone in the file",
                },
            ));
            None
        }
    }
}

/// A key file's problems: missing (FAIL) or readable by others (WARN).
pub fn file_check(title: &'static str, source: &KeySource) -> Option<Check> {
    let path = source.file()?;
    match std::fs::metadata(path) {
        Err(error) => Some(Check::fail(
            title,
            exit::USAGE,
            format!("cannot read {}: {error}", source.describe()),
            "check the path",
        )),
        Ok(meta) if readable_by_others(&meta) => Some(Check::warn(
            title,
            format!("{} is readable by other users", path.display()),
            format!("chmod 600 {}", path.display()),
        )),
        Ok(_) => None,
    }
}

/// The route `c` would take in the console, and why.
pub fn clipboard() -> Check {
    clipboard_check(&Surroundings::detect())
}

/// The clipboard check for given surroundings (pure, for tests).
pub fn clipboard_check(surroundings: &Surroundings) -> Check {
    let plan = clipboard::plan(surroundings);
    if plan.doubtful {
        return Check::warn(
            "clipboard",
            plan.why,
            plan.fix.unwrap_or_else(|| "check with a paste".into()),
        );
    }
    Check::ok("clipboard", plan.why)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::commands::doctor::Status;

    #[test]
    fn tmux_without_passthrough_or_set_clipboard_is_a_warning_with_the_fix() {
        let check = clipboard_check(&Surroundings {
            mode: "auto".into(),
            ssh: true,
            tmux: true,
            tmux_set_clipboard: Some("external".into()),
            ..Surroundings::default()
        });
        assert_eq!(check.status, Status::Warn, "{check:?}");
        assert!(check.detail.contains("drops it"), "{check:?}");
        assert!(
            check
                .fix
                .as_deref()
                .unwrap()
                .contains("allow-passthrough on"),
            "{check:?}"
        );
        let check = clipboard_check(&Surroundings {
            mode: "auto".into(),
            ssh: true,
            tmux: true,
            tmux_passthrough: true,
            ..Surroundings::default()
        });
        assert_eq!(check.status, Status::Ok, "{check:?}");
    }

    #[test]
    fn a_key_file_readable_by_others_is_a_warning() {
        let dir = std::env::temp_dir().join(format!("r7keys-doctor-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let path = dir.join("key");
        std::fs::write(&path, "k\n").unwrap();
        let source = KeySource::ProfileFile {
            setting: "api_key_file",
            path: path.clone(),
        };
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o644)).unwrap();
            let check = file_check("api key", &source).unwrap();
            assert_eq!(check.status, Status::Warn);
            assert_eq!(check.fix, Some(format!("chmod 600 {}", path.display())));
            std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o600)).unwrap();
            assert_eq!(file_check("api key", &source), None);
        }
        std::fs::remove_dir_all(&dir).unwrap();
        let check = file_check("api key", &source).unwrap();
        assert_eq!(check.status, Status::Fail);
        assert!(file_check("api key", &KeySource::Env("R7_API_KEY")).is_none());
    }
}
