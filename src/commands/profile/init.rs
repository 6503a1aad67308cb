//! `r7keys config init`: a commented starter profile, from flags or from
//! questions on a terminal; the file is private (0600) and never holds a key.

use std::fmt::Write as _;
use std::io::{BufRead, IsTerminal, Write};
use std::path::{Path, PathBuf};

use super::usage;
use crate::api::client::DEFAULT_ENDPOINT;
use crate::api::error::exit;
use crate::cli::{ConnectionArgs, InitArgs};
use crate::commands::context::{command_program, readable_by_others};
use crate::commands::{CommandResult, Failure};
use crate::config;
use crate::region::Region;

/// How the new profile gets its key.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Source {
    Command(String),
    File(PathBuf),
    /// `R7_API_KEY` in the environment, or decided later.
    None,
}

/// What goes into the starter file.
#[derive(Debug, Clone)]
struct Starter {
    profile: String,
    region: Region,
    source: Source,
    email: Option<String>,
    tenant: Option<String>,
    endpoint: Option<String>,
    ca_cert: Option<PathBuf>,
    read_only: bool,
    /// Where an example key file would go (next to the config file).
    example_key_file: PathBuf,
}

/// A TOML string literal (quoted and escaped).
fn quoted(text: &str) -> String {
    toml::Value::String(text.to_string()).to_string()
}

/// A TOML key: bare when it can be, else quoted.
fn toml_key(name: &str) -> String {
    if !name.is_empty()
        && name
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '-')
    {
        name.to_string()
    } else {
        quoted(name)
    }
}

/// `key = value`, or commented out with `example` when there is no value.
fn setting(out: &mut String, key: &str, value: Option<String>, example: &str) {
    match value {
        Some(value) => {
            let _ = writeln!(out, "{key} = {value}");
        }
        None => {
            let _ = writeln!(out, "# {key} = {example}");
        }
    }
}

/// The starter file's text: every setting explained, the chosen ones set.
fn render(starter: &Starter) -> String {
    let name = &starter.profile;
    let mut out = String::new();
    out.push_str(
        "# r7keys configuration, written by `r7keys config init`.\n\
         # Flags and environment variables override these settings. `r7keys config show`\n\
         # prints the settings in force; `r7keys doctor` checks them end to end.\n\
         # The API key itself is never stored here: a command or a file gives it.\n\n",
    );
    let _ = writeln!(out, "default_profile = {}\n", quoted(name));
    let _ = writeln!(out, "[profiles.{}]", toml_key(name));
    out.push_str(
        "# The region your account's data lives in: us, us2, us3, eu, ca, au, ap, aps2, me1.\n\
         # A platform key works only at its own region.\n",
    );
    let _ = writeln!(
        out,
        "region = {}   # {}\n",
        quoted(starter.region.code()),
        starter.region.describe()
    );
    out.push_str(
        "# Where the API key comes from; the first that is set wins: --api-key-file,\n\
         # then R7_API_KEY, then api_key_file, then api_key_command.\n\
         # A command that prints the key, e.g. a password manager:\n",
    );
    let (command, file) = match &starter.source {
        Source::Command(command) => (Some(quoted(command)), None),
        Source::File(path) => (None, Some(quoted(&path.display().to_string()))),
        Source::None => (None, None),
    };
    setting(
        &mut out,
        "api_key_command",
        command,
        &quoted(&format!("pass show rapid7/{name}")),
    );
    out.push_str("# Or a file holding only the key, readable by you only (chmod 600):\n");
    setting(
        &mut out,
        "api_key_file",
        file,
        &quoted(&starter.example_key_file.display().to_string()),
    );
    out.push('\n');
    out.push_str(
        "# The key's user: `r7keys validate` then says whether they are a platform admin.\n",
    );
    setting(
        &mut out,
        "email",
        starter.email.as_deref().map(quoted),
        "\"me@example.com\"",
    );
    out.push_str("# A multi-tenant key's primary organization (sent as R7-Organization-Id).\n");
    setting(
        &mut out,
        "tenant",
        starter.tenant.as_deref().map(quoted),
        "\"<organization id>\"",
    );
    out.push_str("# Refuse every change: list and inspect only.\n");
    setting(
        &mut out,
        "read_only",
        starter.read_only.then(|| "true".to_string()),
        "true",
    );
    out.push_str("# Behind a TLS-inspecting proxy: its CA certificate (PEM).\n");
    setting(
        &mut out,
        "ca_cert",
        starter
            .ca_cert
            .as_ref()
            .map(|p| quoted(&p.display().to_string())),
        "\"/etc/ssl/certs/corp-proxy.pem\"",
    );
    out.push_str("# Another base URL, with {region} (a local simulator, a gateway).\n");
    setting(
        &mut out,
        "endpoint",
        starter.endpoint.as_deref().map(quoted),
        &quoted(DEFAULT_ENDPOINT),
    );
    out.push_str(
        "# Threat Command: the account id, and a command (or file) for its API key.\n\
         # tc_account_id = \"<account id>\"\n",
    );
    let _ = writeln!(
        out,
        "# tc_api_key_command = {}",
        quoted("pass show rapid7/threat-command")
    );
    out
}

/// Asks on the terminal; `None` at the end of input.
fn ask(prompt: &str) -> Option<String> {
    let mut err = std::io::stderr();
    let _ = write!(err, "{prompt}");
    let _ = err.flush();
    let mut line = String::new();
    match std::io::stdin().lock().read_line(&mut line) {
        Ok(0) | Err(_) => None,
        Ok(_) => Some(line.trim().to_string()),
    }
}

/// The region, picked from the list by number or code.
fn ask_region() -> Result<Region, Failure> {
    crate::say!(
        "Which region is your account in? (the host name's first label, us.api.insight.rapid7.com)"
    );
    for (n, region) in Region::ALL.iter().enumerate() {
        crate::say!("  {}) {:<5} {}", n + 1, region.code(), region.describe());
    }
    loop {
        let answer = ask("Region [1-9 or a code]: ").ok_or_else(|| usage("no region chosen"))?;
        if let Some(region) = answer
            .parse::<usize>()
            .ok()
            .and_then(|n| n.checked_sub(1))
            .and_then(|i| Region::ALL.get(i))
        {
            return Ok(*region);
        }
        match answer.parse::<Region>() {
            Ok(region) => return Ok(region),
            Err(e) => crate::say!("{e}"),
        }
    }
}

/// Where the key comes from: a command, a file, or neither (`R7_API_KEY`).
fn ask_source(profile: &str) -> Result<Source, Failure> {
    crate::say!("How should r7keys get the API key? It is never written to the config file.");
    crate::say!("  1) a command that prints it (a password manager: pass, op, vault, ...)");
    crate::say!("  2) a file that holds only the key");
    crate::say!("  3) neither: I set R7_API_KEY in the environment");
    loop {
        let answer = ask("Key source [1]: ").ok_or_else(|| usage("no key source chosen"))?;
        match answer.as_str() {
            "" | "1" => {
                let example = format!("pass show rapid7/{profile}");
                let command = ask(&format!("Command [{example}]: "))
                    .ok_or_else(|| usage("no command given"))?;
                return Ok(Source::Command(if command.is_empty() {
                    example
                } else {
                    command
                }));
            }
            "2" => {
                let path = ask("File: ").ok_or_else(|| usage("no file given"))?;
                if !path.is_empty() {
                    return Ok(Source::File(PathBuf::from(path)));
                }
            }
            "3" => return Ok(Source::None),
            _ => crate::say!("answer 1, 2 or 3"),
        }
    }
}

/// Writes `text` to a new file readable by the owner only (0600), creating
/// its directory (0700); replaces an existing file only when `force`.
fn write_private(path: &Path, text: &str, force: bool) -> std::io::Result<()> {
    if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
        if !dir.exists() {
            let mut builder = std::fs::DirBuilder::new();
            builder.recursive(true);
            #[cfg(unix)]
            std::os::unix::fs::DirBuilderExt::mode(&mut builder, 0o700);
            builder.create(dir)?;
        }
    }
    let mut options = std::fs::OpenOptions::new();
    options.write(true);
    if force {
        options.create(true).truncate(true);
    } else {
        options.create_new(true);
    }
    #[cfg(unix)]
    std::os::unix::fs::OpenOptionsExt::mode(&mut options, 0o600);
    let mut file = options.open(path)?;
    // A replaced file keeps its old mode unless told.
    #[cfg(unix)]
    file.set_permissions(std::os::unix::fs::PermissionsExt::from_mode(0o600))?;
    file.write_all(text.as_bytes())?;
    file.flush()
}

/// A warning about a key file: missing, or readable by others.
fn key_file_warning(path: &Path) -> Option<String> {
    match std::fs::metadata(path) {
        Err(_) => Some(format!(
            "note: {} does not exist yet; put the key in it alone, then chmod 600 it",
            path.display()
        )),
        Ok(meta) if readable_by_others(&meta) => Some(format!(
            "warning: {} is readable by other users: chmod 600 {}",
            path.display(),
            path.display()
        )),
        Ok(_) => None,
    }
}

pub fn init(args: &ConnectionArgs, init: &InitArgs) -> CommandResult {
    let path = config::config_path(args.config.as_deref())
        .map(|found| found.path)
        .ok_or_else(|| usage("no home directory to put the config file in: pass --config FILE"))?;
    if path.exists() && !init.force {
        return Err(usage(format!(
            "{} already exists: edit it, or pass --force to replace it (`r7keys config show` prints what it holds)",
            path.display()
        )));
    }
    let interactive = std::io::stdin().is_terminal() && std::io::stderr().is_terminal();
    let region = match &args.region {
        Some(text) => text.parse::<Region>().map_err(|e| usage(e.to_string()))?,
        None if interactive => ask_region()?,
        None => {
            return Err(usage(
                "which region? pass --region (us, us2, us3, eu, ca, au, ap, aps2, me1), or run this on a terminal to pick one",
            ));
        }
    };
    let profile = args
        .profile
        .clone()
        .filter(|p| !p.trim().is_empty())
        .unwrap_or_else(|| region.code().to_string());
    let source = match (&init.api_key_command, &args.api_key_file) {
        (Some(command), _) if command.trim().is_empty() => {
            return Err(usage("--api-key-command is empty"));
        }
        (Some(command), _) => Source::Command(command.trim().to_string()),
        (None, Some(file)) => Source::File(std::path::absolute(file).unwrap_or(file.clone())),
        (None, None) if interactive => ask_source(&profile)?,
        (None, None) => Source::None,
    };
    let dir = path.parent().map_or_else(PathBuf::new, Path::to_path_buf);
    let starter = Starter {
        example_key_file: dir.join(format!("{profile}.key")),
        profile: profile.clone(),
        region,
        source: source.clone(),
        email: init.email.clone(),
        tenant: args.tenant.clone(),
        endpoint: args.endpoint.clone(),
        ca_cert: args.ca_cert.first().cloned(),
        read_only: args.read_only,
    };
    let text = render(&starter);
    // What is written must read back as the profile meant.
    config::parse(&text, &path)
        .map_err(|e| usage(format!("internal: the starter file does not parse: {e}")))?;
    write_private(&path, &text, init.force)
        .map_err(|e| usage(format!("cannot write {}: {e}", path.display())))?;
    crate::say!(
        "wrote {} (mode 0600): profile {profile}, region {} ({})",
        path.display(),
        region.code(),
        region.describe()
    );
    match &source {
        Source::Command(command) => crate::say!(
            "the key comes from the command `{}`",
            command_program(command)
        ),
        Source::File(file) => {
            crate::say!("the key comes from the file {}", file.display());
            if let Some(warning) = key_file_warning(file) {
                crate::say!("{warning}");
            }
        }
        Source::None => crate::say!(
            "no key source written: set R7_API_KEY, or edit api_key_command or api_key_file in the file"
        ),
    }
    crate::say!("next: r7keys doctor");
    Ok(exit::OK)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn starter(source: Source) -> Starter {
        Starter {
            profile: "eu prod".into(),
            region: Region::Eu,
            source,
            email: Some("me@example.com".into()),
            tenant: None,
            endpoint: None,
            ca_cert: None,
            read_only: true,
            example_key_file: PathBuf::from("/home/me/.config/r7keys/eu.key"),
        }
    }

    #[test]
    fn the_starter_file_reads_back_as_the_profile_meant() {
        let path = PathBuf::from("/home/me/.config/r7keys/config.toml");
        let text = render(&starter(Source::Command("pass show \"rapid7\"/eu".into())));
        let file = config::parse(&text, &path).unwrap();
        let (name, profile) = file.profile(None, &path).unwrap().unwrap();
        assert_eq!(name, "eu prod");
        assert_eq!(profile.region.as_deref(), Some("eu"));
        assert_eq!(
            profile.api_key_command.as_deref(),
            Some("pass show \"rapid7\"/eu")
        );
        assert_eq!(profile.api_key_file, None);
        assert_eq!(profile.read_only, Some(true));
        assert_eq!(profile.email.as_deref(), Some("me@example.com"));
        assert_eq!(profile.tenant, None);
        assert!(text.contains("# api_key_file = "), "{text}");

        let text = render(&starter(Source::File("/k/eu.key".into())));
        let (_, profile) = config::parse(&text, &path)
            .unwrap()
            .profile(None, &path)
            .unwrap()
            .unwrap();
        assert_eq!(profile.api_key_file, Some(PathBuf::from("/k/eu.key")));
        assert_eq!(profile.api_key_command, None);

        let text = render(&starter(Source::None));
        let (_, profile) = config::parse(&text, &path)
            .unwrap()
            .profile(None, &path)
            .unwrap()
            .unwrap();
        assert_eq!(
            (profile.api_key_file, profile.api_key_command),
            (None, None)
        );
    }

    #[test]
    fn keys_are_quoted_only_when_they_must_be() {
        assert_eq!(toml_key("us-prod_2"), "us-prod_2");
        assert_eq!(toml_key("eu prod"), "\"eu prod\"");
        assert_eq!(toml_key("a.b"), "\"a.b\"");
    }
}
