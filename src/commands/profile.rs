//! `r7keys config init` writes a commented starter profile (region, where
//! the key comes from, never the key itself); `r7keys config show` prints
//! the settings in force, merged from flags, environment and profile, with
//! where each came from and no secret.

use std::fmt::Write as _;
use std::io::{BufRead, IsTerminal, Write};
use std::path::{Path, PathBuf};

use serde_json::{Value, json};

use super::context::{Context, KeySource, readable_by_others};
use super::output::{Table, csv_field, json_text};
use super::{CommandResult, Failure};
use crate::api::client::DEFAULT_ENDPOINT;
use crate::api::error::exit;
use crate::cli::{ConfigCommand, ConnectionArgs, InitArgs, OutputFormat};
use crate::config;
use crate::region::Region;
use crate::sanitize::sanitize;

pub fn run(command: &ConfigCommand, args: &ConnectionArgs) -> CommandResult {
    match command {
        ConfigCommand::Init(init) => self::init(args, init),
        ConfigCommand::Show => show(args),
    }
}

fn usage(message: impl Into<String>) -> Failure {
    Failure::new(exit::USAGE, message)
}

// ------------------------------------------------------------------- init

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
    eprintln!(
        "Which region is your account in? (the host name's first label, us.api.insight.rapid7.com)"
    );
    for (n, region) in Region::ALL.iter().enumerate() {
        eprintln!("  {}) {:<5} {}", n + 1, region.code(), region.describe());
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
            Err(e) => eprintln!("{e}"),
        }
    }
}

/// Where the key comes from: a command, a file, or neither (`R7_API_KEY`).
fn ask_source(profile: &str) -> Result<Source, Failure> {
    eprintln!("How should r7keys get the API key? It is never written to the config file.");
    eprintln!("  1) a command that prints it (a password manager: pass, op, vault, ...)");
    eprintln!("  2) a file that holds only the key");
    eprintln!("  3) neither: I set R7_API_KEY in the environment");
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
            _ => eprintln!("answer 1, 2 or 3"),
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

fn init(args: &ConnectionArgs, init: &InitArgs) -> CommandResult {
    let path = config::config_path(args.config.as_deref())
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
    eprintln!(
        "wrote {} (mode 0600): profile {profile}, region {} ({})",
        path.display(),
        region.code(),
        region.describe()
    );
    match &source {
        Source::Command(command) => eprintln!(
            "the key comes from the command `{}`",
            super::context::command_program(command)
        ),
        Source::File(file) => {
            eprintln!("the key comes from the file {}", file.display());
            if let Some(warning) = key_file_warning(file) {
                eprintln!("{warning}");
            }
        }
        Source::None => eprintln!(
            "no key source written: set R7_API_KEY, or edit api_key_command or api_key_file in the file"
        ),
    }
    eprintln!("next: r7keys doctor");
    Ok(exit::OK)
}

// ------------------------------------------------------------------- show

/// One setting in force and where it came from.
struct Shown {
    name: &'static str,
    value: String,
    source: String,
}

/// `flag` when the flag gave it, else the profile's, else the default.
fn origin(flag: bool, profile: bool, profile_name: Option<&str>) -> String {
    if flag {
        "flag".into()
    } else if profile {
        format!("profile {}", profile_name.unwrap_or("?"))
    } else {
        "default".into()
    }
}

fn key_source_shown(source: Option<&KeySource>) -> (String, String) {
    match source {
        None => ("none".into(), "-".into()),
        Some(source) => {
            let from = match source {
                KeySource::FlagFile { .. } => "flag",
                KeySource::Env(_) => "environment",
                KeySource::ProfileFile { .. } | KeySource::ProfileCommand { .. } => "profile",
            };
            (source.describe(), from.into())
        }
    }
}

/// The settings in force, in the order a reader looks for them.
fn settings_shown(cx: &Context) -> Vec<Shown> {
    let args = cx.args();
    let p = &cx.profile;
    let name = cx.profile_name.as_deref();
    let s = &cx.settings;
    let mut rows = Vec::new();
    let mut push = |name: &'static str, value: String, source: String| {
        rows.push(Shown {
            name,
            value,
            source,
        });
    };
    push(
        "region",
        format!("{} ({})", cx.region.code(), cx.region.describe()),
        origin(args.region.is_some(), p.region.is_some(), name),
    );
    push(
        "endpoint",
        s.endpoint.clone(),
        origin(args.endpoint.is_some(), p.endpoint.is_some(), name),
    );
    push(
        "base url",
        cx.region.base_url(&s.endpoint),
        "endpoint and region".into(),
    );
    let (value, source) = key_source_shown(cx.api_key_source().as_ref());
    push("api key", value, source);
    push(
        "tenant",
        cx.tenant.clone().unwrap_or_else(|| "-".into()),
        origin(args.tenant.is_some(), p.tenant.is_some(), name),
    );
    push(
        "email",
        p.email.clone().unwrap_or_else(|| "-".into()),
        origin(false, p.email.is_some(), name),
    );
    push(
        "read only",
        s.read_only.to_string(),
        origin(args.read_only, p.read_only.is_some(), name),
    );
    let cas: Vec<String> = s.ca_certs.iter().map(|c| c.display().to_string()).collect();
    push(
        "ca certs",
        if cas.is_empty() {
            "-".into()
        } else {
            cas.join(", ")
        },
        origin(!args.ca_cert.is_empty(), p.ca_cert.is_some(), name),
    );
    push(
        "request timeout",
        format!("{} s", s.request_timeout.as_secs()),
        origin(
            args.timeout.is_some(),
            p.request_timeout_secs.is_some(),
            name,
        ),
    );
    push(
        "connect timeout",
        format!("{} s", s.connect_timeout.as_secs()),
        origin(
            args.connect_timeout.is_some(),
            p.connect_timeout_secs.is_some(),
            name,
        ),
    );
    push(
        "page size",
        s.page_size.to_string(),
        origin(args.page_size.is_some(), p.page_size.is_some(), name),
    );
    push(
        "concurrency",
        s.concurrency.to_string(),
        origin(args.concurrency.is_some(), p.concurrency.is_some(), name),
    );
    push(
        "retries",
        s.retries.to_string(),
        origin(args.retries.is_some(), p.retries.is_some(), name),
    );
    rows.extend(other_settings(cx));
    rows
}

/// Threat Command and the console's settings.
fn other_settings(cx: &Context) -> Vec<Shown> {
    let args = cx.args();
    let p = &cx.profile;
    let name = cx.profile_name.as_deref();
    let mut rows = Vec::new();
    let mut push = |name: &'static str, value: String, source: String| {
        rows.push(Shown {
            name,
            value,
            source,
        });
    };
    push(
        "multi-tenant types",
        format!(
            "{} / {}",
            cx.settings.kind_names.multi_tenant_admin.join(","),
            cx.settings.kind_names.multi_tenant_user.join(",")
        ),
        origin(
            false,
            p.multi_tenant_admin_types.is_some() || p.multi_tenant_user_types.is_some(),
            name,
        ),
    );
    push(
        "tc endpoint",
        cx.tc_endpoint.clone(),
        origin(args.tc_endpoint.is_some(), p.tc_endpoint.is_some(), name),
    );
    let tc_env = std::env::var("R7_TC_ACCOUNT_ID").is_ok_and(|v| !v.trim().is_empty());
    push(
        "tc account id",
        cx.tc_account_id().unwrap_or_else(|| "-".into()),
        if tc_env {
            "environment".into()
        } else {
            origin(false, p.tc_account_id.is_some(), name)
        },
    );
    let (value, source) = key_source_shown(cx.tc_key_source().as_ref());
    push("tc api key", value, source);
    let theme_env = std::env::var("R7KEYS_THEME").ok().filter(|t| !t.is_empty());
    let (theme, theme_source) = if std::env::var_os("NO_COLOR").is_some_and(|v| !v.is_empty()) {
        ("mono".to_string(), "environment (NO_COLOR)".to_string())
    } else if let Some(theme) = theme_env {
        (theme, "environment (R7KEYS_THEME)".into())
    } else {
        (
            p.theme.clone().unwrap_or_else(|| "dark".into()),
            origin(false, p.theme.is_some(), name),
        )
    };
    push("theme", theme, theme_source);
    let clear_env = std::env::var("R7KEYS_CLIPBOARD_CLEAR_SECS").is_ok();
    push(
        "clipboard clear",
        format!("{} s", crate::console::clipboard_clear(p).as_secs()),
        if clear_env {
            "environment (R7KEYS_CLIPBOARD_CLEAR_SECS)".into()
        } else {
            origin(false, p.clipboard_clear_secs.is_some(), name)
        },
    );
    rows
}

/// The file in force and whether it exists, in words.
fn file_state(path: Option<&Path>) -> (String, bool) {
    match path {
        None => ("none (no home directory)".into(), false),
        Some(path) if path.exists() => (path.display().to_string(), true),
        Some(path) => (format!("{} (not there: defaults)", path.display()), false),
    }
}

fn profile_origin(args: &ConnectionArgs, cx: &Context) -> String {
    match (&cx.profile_name, &args.profile) {
        (None, _) => "none (defaults)".into(),
        (Some(name), Some(_)) if std::env::var("R7_PROFILE").ok().as_ref() == Some(name) => {
            format!("{name} (R7_PROFILE)")
        }
        (Some(name), Some(_)) => format!("{name} (--profile)"),
        (Some(name), None) => format!("{name} (default_profile)"),
    }
}

fn show(args: &ConnectionArgs) -> CommandResult {
    let path = config::config_path(args.config.as_deref());
    let cx = Context::resolve(args)?;
    let (file, exists) = file_state(path.as_deref());
    let profile = profile_origin(args, &cx);
    let rows = settings_shown(&cx);
    match cx.output {
        OutputFormat::Json => {
            let settings: Vec<Value> = rows
                .iter()
                .map(|r| json!({"setting": r.name, "value": r.value, "source": r.source}))
                .collect();
            println!(
                "{}",
                json_text(&json!({
                    "config_file": path.map(|p| p.display().to_string()),
                    "config_file_exists": exists,
                    "profile": cx.profile_name,
                    "settings": settings,
                }))
            );
        }
        OutputFormat::Csv => {
            println!("setting,value,source");
            println!("config file,{},-", csv_field(&file));
            println!("profile,{},-", csv_field(&profile));
            for r in &rows {
                println!(
                    "{},{},{}",
                    csv_field(r.name),
                    csv_field(&r.value),
                    csv_field(&r.source)
                );
            }
        }
        OutputFormat::Table => {
            let mut table = Table {
                headers: vec!["SETTING", "VALUE", "SOURCE"],
                rows: vec![
                    vec![
                        "config file".into(),
                        sanitize(&file).into_owned(),
                        "-".into(),
                    ],
                    vec![
                        "profile".into(),
                        sanitize(&profile).into_owned(),
                        "-".into(),
                    ],
                ],
            };
            for r in &rows {
                table.rows.push(vec![
                    r.name.to_string(),
                    sanitize(&r.value).into_owned(),
                    sanitize(&r.source).into_owned(),
                ]);
            }
            print!("{}", table.render());
        }
    }
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
