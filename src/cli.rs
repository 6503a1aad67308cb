//! The command line: `r7keys [--demo] [COMMAND]`.
// The doc comments below are clap's --help text, where Markdown backticks would show.
#![allow(clippy::doc_markdown)]

use std::net::SocketAddr;
use std::path::PathBuf;

use clap::error::ErrorKind;
use clap::parser::ValueSource;
use clap::{Args, CommandFactory, FromArgMatches, Parser, Subcommand, ValueEnum};

use crate::api::{AuditAction, KeyKind};
use crate::commands::when::{When, parse_when};
use crate::simulator::faults::{FaultRule, Latency, parse_spec};
use crate::simulator::{RateBudget, RateHeaders};

/// A terminal console for Rapid7 Command Platform API keys.
///
/// Parse it with [`Cli::parse_args`] (or build it with [`definition`]), not
/// clap's own `parse`: the connection flags are accepted both before and
/// after a platform command's name, but the simulator never sees them.
#[derive(Debug, Parser)]
#[command(name = "r7keys", version, about, long_about = None)]
pub struct Cli {
    /// Run against the embedded Command Platform simulator (no account needed).
    #[arg(long)]
    pub demo: bool,

    /// Which seeded principal the demo connects as.
    #[arg(long, value_enum, default_value_t = DemoRole::PlatformAdmin, requires = "demo")]
    pub demo_role: DemoRole,

    #[command(flatten)]
    pub connection: ConnectionArgs,

    #[command(subcommand)]
    pub command: Option<Command>,
}

/// How to reach the platform; every flag overrides the profile. The API key
/// is never a flag value (it would show in `ps`): it comes from `R7_API_KEY`,
/// `--api-key-file`, or the profile's `api_key_file` / `api_key_command`.
///
/// The flags are `global` so that a platform command takes them after any of
/// its subcommand names (`keys list --region eu`); [`definition`] makes the
/// top-level copy local, so they do not leak into `simulate`, `completions`
/// or `man`, and [`ConnectionArgs::overlay`] merges the two copies.
#[derive(Debug, Clone, Default, Args)]
#[command(next_help_heading = "Connection")]
#[allow(clippy::struct_excessive_bools)] // on/off flags of the command line, each its own
pub struct ConnectionArgs {
    /// Profile of the config file to use.
    #[arg(long, global = true, env = "R7_PROFILE")]
    pub profile: Option<String>,
    /// Config file (default: $XDG_CONFIG_HOME/r7keys/config.toml, or R7KEYS_CONFIG).
    #[arg(long, global = true)]
    pub config: Option<PathBuf>,
    /// Region: us, us2, us3, eu, ca, au, ap, aps2, me1 (aliases us1, ap-south-2, me-central-1).
    #[arg(long, global = true)]
    pub region: Option<String>,
    /// Base-URL template [default: https://{region}.api.insight.rapid7.com].
    #[arg(long, global = true)]
    pub endpoint: Option<String>,
    /// Threat Command base URL [default: https://api.ti.insight.rapid7.com].
    #[arg(long, global = true)]
    pub tc_endpoint: Option<String>,
    /// Read the API key from this file.
    #[arg(long, global = true)]
    pub api_key_file: Option<PathBuf>,
    /// Read the Threat Command API key from this file.
    #[arg(long, global = true)]
    pub tc_api_key_file: Option<PathBuf>,
    /// Also trust this CA (PEM), e.g. a TLS-inspecting proxy's; repeatable.
    #[arg(long, global = true)]
    pub ca_cert: Vec<PathBuf>,
    /// Tenant organization id for multi-tenant keys (R7-Organization-Id).
    #[arg(long, global = true)]
    pub tenant: Option<String>,
    /// Refuse every call that would change anything.
    #[arg(long, global = true)]
    pub read_only: bool,
    /// Output format [default: table on a terminal, json otherwise].
    #[arg(long, global = true, value_enum)]
    pub output: Option<OutputFormat>,
    /// Log each request to stderr (secrets redacted).
    #[arg(long, short, global = true)]
    pub verbose: bool,
    /// Seconds to wait for each answer (1 to 3600).
    #[arg(long, global = true, value_parser = clap::value_parser!(u64).range(1..=3600))]
    pub timeout: Option<u64>,
    /// Seconds to wait for a connection (1 to 600).
    #[arg(long, global = true, value_parser = clap::value_parser!(u64).range(1..=600))]
    pub connect_timeout: Option<u64>,
    /// Seconds the whole command may take, waits for the rate budget included
    /// (1 to 86400) [default: 600].
    #[arg(long, global = true, value_parser = clap::value_parser!(u64).range(1..=86_400))]
    pub deadline: Option<u64>,
    /// Page size asked for, 1 to 1000 (the server may answer fewer).
    #[arg(long, global = true, value_parser = usize_in(1, 1000))]
    pub page_size: Option<usize>,
    /// Pages fetched at once (1 to 256).
    #[arg(long, global = true, value_parser = usize_in(1, 256))]
    pub concurrency: Option<usize>,
    /// Retries of idempotent calls (0 to 10).
    #[arg(long, global = true, value_parser = clap::value_parser!(u32).range(0..=10))]
    pub retries: Option<u32>,
    /// The most pages one listing may take, against a server that never stops
    /// (1 to 1000000) [default: 10000].
    #[arg(long, global = true, value_parser = usize_in(1, 1_000_000))]
    pub max_pages: Option<usize>,
    /// Do not write the journal of mutations ($XDG_STATE_HOME/r7keys/journal.jsonl).
    #[arg(long, global = true)]
    pub no_journal: bool,
    /// Screen-share mode for the console: organization names, emails and ids
    /// are shown as pseudonyms, and a new key's secret is never shown (it can
    /// still be copied).
    #[arg(long, global = true)]
    pub present: bool,
}

/// A clap parser for a count between `low` and `high`.
fn usize_in(low: usize, high: usize) -> impl Fn(&str) -> Result<usize, String> + Clone {
    move |text: &str| {
        let n: usize = text
            .trim()
            .parse()
            .map_err(|_| format!("{text:?} is not a whole number"))?;
        if (low..=high).contains(&n) {
            Ok(n)
        } else {
            Err(format!("{n} is not in {low}..={high}"))
        }
    }
}

/// How results are printed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum OutputFormat {
    Table,
    Json,
    /// One JSON object per line, written as results arrive.
    Jsonl,
    Csv,
}

/// The principals the simulator seeds.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum DemoRole {
    PlatformAdmin,
    OrgAdmin,
    User,
    OrgKey,
    MtAdmin,
    MtUser,
}

impl DemoRole {
    /// The principal's name in the credentials output.
    pub fn principal(self) -> &'static str {
        match self {
            DemoRole::PlatformAdmin => "platform-admin",
            DemoRole::OrgAdmin => "org-admin",
            DemoRole::User => "user",
            DemoRole::OrgKey => "org-key",
            DemoRole::MtAdmin => "mt-admin",
            DemoRole::MtUser => "mt-user",
        }
    }
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Check that the API key works at the region (GET /validate).
    Validate(Connected),
    /// List, generate, revoke and rotate API keys.
    Keys(Scoped<KeysCommand>),
    /// List organizations.
    Orgs(Scoped<OrgsCommand>),
    /// Threat Command.
    Tc(Scoped<TcCommand>),
    /// Check the configuration, the key, the network, TLS and the clipboard, one line each.
    Doctor(DoctorArgs),
    /// Write a starter config file, or show the settings in force.
    Config(Scoped<ConfigCommand>),
    /// Print a shell completion script (bash, zsh, fish, elvish, powershell).
    Completions(CompletionsArgs),
    /// Write the man page (roff) to stdout, or one page per command to a directory.
    Man(ManArgs),
    /// Who did what to which key: API-key events of the platform audit log,
    /// newest first (needs an organization key or a Platform Administrator's user key).
    Audit(AuditArgs),
    /// The local journal of every key mutation r7keys made, oldest first.
    Journal(JournalArgs),
    /// Every key the credentials can see, across the home organizations and
    /// (with a multi-tenant key and --tenant) every managed tenant, flagged:
    /// old, orphan (owner gone), admin (highest blast radius), dup (same name).
    Inventory(InventoryArgs),
    /// Serve a local Command Platform and Threat Command simulator.
    Simulate(SimulateArgs),
}

impl Command {
    /// The connection flags given after the command's name, for the commands
    /// that talk to the platform.
    pub fn connection(&self) -> Option<&ConnectionArgs> {
        match self {
            Command::Validate(c) => Some(&c.connection),
            Command::Keys(s) => Some(&s.connection),
            Command::Orgs(s) => Some(&s.connection),
            Command::Tc(s) => Some(&s.connection),
            Command::Doctor(d) => Some(&d.connection),
            Command::Config(s) => Some(&s.connection),
            Command::Audit(a) => Some(&a.connection),
            Command::Inventory(i) => Some(&i.connection),
            Command::Journal(j) => Some(&j.connection),
            Command::Completions(_) | Command::Man(_) | Command::Simulate(_) => None,
        }
    }
}

/// A platform command without subcommands: just the connection flags.
#[derive(Debug, Clone, Default, Args)]
pub struct Connected {
    #[command(flatten)]
    pub connection: ConnectionArgs,
}

/// A platform command group (`keys`, `orgs`, ...): the connection flags,
/// accepted here and after the subcommand's name.
#[derive(Debug, Args)]
pub struct Scoped<C: Subcommand> {
    #[command(flatten)]
    pub connection: ConnectionArgs,
    #[command(subcommand)]
    pub command: C,
}

/// Flags of `r7keys doctor`.
#[derive(Debug, Clone, Default, Args)]
pub struct DoctorArgs {
    /// When the key is refused, try it at every other region (one request each).
    #[arg(long)]
    pub find_region: bool,
    #[command(flatten)]
    pub connection: ConnectionArgs,
}

#[derive(Debug, Subcommand)]
pub enum ConfigCommand {
    /// Write a commented starter profile (region, key source; never the key).
    Init(InitArgs),
    /// Print the settings in force, merged from flags, environment and profile.
    Show,
}

/// Flags of `r7keys config init`; `--profile`, `--region`, `--config` and
/// `--api-key-file` are the connection flags, written into the profile.
#[derive(Debug, Clone, Default, Args)]
pub struct InitArgs {
    /// A command that prints the API key, e.g. "pass show rapid7/us".
    #[arg(long, conflicts_with = "api_key_file")]
    pub api_key_command: Option<String>,
    /// The email of the key's user (validate then says whether they are a platform admin).
    #[arg(long)]
    pub email: Option<String>,
    /// Replace an existing config file.
    #[arg(long)]
    pub force: bool,
}

/// Flags of `r7keys completions`.
#[derive(Debug, Clone, Args)]
pub struct CompletionsArgs {
    /// The shell to complete for.
    #[arg(value_enum)]
    pub shell: clap_complete::Shell,
}

/// Flags of `r7keys man`.
#[derive(Debug, Clone, Args)]
pub struct ManArgs {
    /// Write r7keys.1 and one page per command (r7keys-keys-list.1, ...) here.
    #[arg(long, value_name = "DIR")]
    pub dir: Option<PathBuf>,
}

#[derive(Debug, Subcommand)]
pub enum KeysCommand {
    /// List the keys this key may see.
    List {
        /// Only keys of this kind: user, organization, mt-admin, mt-user.
        #[arg(long)]
        kind: Option<KeyKind>,
        /// Only keys of this organization id.
        #[arg(long)]
        org: Option<String>,
        /// Every managed tenant's keys (needs a multi-tenant key).
        #[arg(long)]
        all_tenants: bool,
        /// Only keys older than this, e.g. 90d, 12w, 1y.
        #[arg(long)]
        older_than: Option<humantime::Duration>,
    },
    /// Generate a key; its secret is printed on stdout, once.
    Generate {
        /// user, organization, mt-admin or mt-user.
        #[arg(long)]
        kind: KeyKind,
        /// A name that says what the key is for.
        #[arg(long)]
        name: String,
        /// Organization id (required for organization keys).
        #[arg(long)]
        org: Option<String>,
    },
    /// Revoke a key (asks for confirmation on a terminal).
    Revoke {
        /// The key's id.
        id: String,
        /// Do not ask.
        #[arg(long)]
        yes: bool,
    },
    /// Replace a key: generate a new one of the same kind and organization,
    /// prove it works, then revoke the old one. The new secret goes to stdout.
    Rotate {
        /// The id of the key to replace.
        id: String,
        /// Do not ask.
        #[arg(long)]
        yes: bool,
        /// Keep the old key (revoke it yourself once the new one is deployed).
        #[arg(long)]
        keep_old: bool,
        /// Name of the new key [default: the old key's name].
        #[arg(long)]
        name: Option<String>,
    },
}

/// Flags of `r7keys inventory`.
#[derive(Debug, Args)]
pub struct InventoryArgs {
    /// Only keys with this flag (repeatable: keys with every one given):
    /// old, orphan, admin, dup.
    #[arg(long = "flag", value_parser = parse_flag)]
    pub flags: Vec<crate::inventory::Flag>,
    /// Keys older than this are flagged old [default: the profile's max_key_age, else 90d].
    #[arg(long)]
    pub max_age: Option<humantime::Duration>,
    #[command(flatten)]
    pub connection: ConnectionArgs,
}

fn parse_flag(text: &str) -> Result<crate::inventory::Flag, String> {
    text.parse()
}

/// Flags of `r7keys audit`.
#[derive(Debug, Args)]
pub struct AuditArgs {
    /// From when: a duration ago (7d, 12h, 2w) or a date or time (2026-05-01, RFC 3339).
    #[arg(long, value_parser = parse_when, default_value = "30d")]
    pub since: When,
    /// Until when (same forms) [default: now].
    #[arg(long, value_parser = parse_when)]
    pub until: Option<When>,
    /// Only events about this key id.
    #[arg(long)]
    pub key: Option<String>,
    /// Only events by this actor (email).
    #[arg(long)]
    pub actor: Option<String>,
    /// Only generate or revoke events.
    #[arg(long)]
    pub action: Option<AuditAction>,
    /// Every managed tenant's trail (needs a multi-tenant key).
    #[arg(long)]
    pub all_tenants: bool,
    #[command(flatten)]
    pub connection: ConnectionArgs,
}

/// Flags of `r7keys journal`.
#[derive(Debug, Args)]
pub struct JournalArgs {
    /// From when: a duration ago (7d, 12h) or a date or time (2026-05-01, RFC 3339).
    #[arg(long, value_parser = parse_when)]
    pub since: Option<When>,
    /// Until when (same forms).
    #[arg(long, value_parser = parse_when)]
    pub until: Option<When>,
    #[command(flatten)]
    pub connection: ConnectionArgs,
}

#[derive(Debug, Subcommand)]
pub enum OrgsCommand {
    /// The organizations this key can reach.
    List,
    /// The tenants the primary account manages, with their regions.
    Managed,
}

#[derive(Debug, Subcommand)]
pub enum TcCommand {
    /// Credentials, modules, asset usage, enrichment credits and MSSP customers.
    Status {
        /// Act as this MSSP customer (Account-Id).
        #[arg(long)]
        customer: Option<String>,
    },
}

/// Flags of `r7keys simulate`.
#[derive(Debug, Args)]
// Independent switches of the simulator, each a flag of `r7keys simulate`.
#[allow(clippy::struct_excessive_bools)]
pub struct SimulateArgs {
    /// Address to listen on.
    #[arg(long, default_value = "127.0.0.1:0")]
    pub listen: SocketAddr,
    /// Seed of the generated world and of fault decisions.
    #[arg(long, default_value_t = 7)]
    pub seed: u64,
    /// Organizations of the primary (partner) account.
    #[arg(long, default_value_t = 3)]
    pub orgs: usize,
    /// Users besides the principals' owners.
    #[arg(long, default_value_t = 40)]
    pub users: usize,
    /// API keys besides the principals' own.
    #[arg(long, default_value_t = 400)]
    pub keys: usize,
    /// Managed tenant organizations.
    #[arg(long, default_value_t = 24)]
    pub tenants: usize,
    /// Regions the tenants are spread over, in turn, e.g. us,eu,ca,au,ap.
    #[arg(long, value_delimiter = ',')]
    pub tenant_regions: Vec<crate::region::Region>,
    /// Largest page served, whatever `size` asks for.
    #[arg(long, default_value_t = 100)]
    pub page_cap: usize,
    /// Rate budget per API key, as N/SECS.
    #[arg(long, default_value = "50/60")]
    pub rate_limit: RateBudget,
    /// Latency added to every answer, in ms, with optional jitter: 30 or 30~10.
    #[arg(long, default_value = "0")]
    pub latency: Latency,
    /// Faults to inject, e.g. "5xx:0.1,hang@api-keys*1" (see the README).
    #[arg(long, value_parser = parse_faults, default_value = "")]
    pub faults: FaultList,
    /// Serve the alternative shapes (bare arrays, 200 on create and delete,
    /// data-wrapped objects, ENTERPRISE_* type names).
    #[arg(long)]
    pub compat: bool,
    /// Shape of the rate-limit headers: standard (RateLimit-*, reset and
    /// Retry-After in seconds), epoch (RateLimit-Reset in UTC epoch seconds,
    /// Retry-After an HTTP date) or x-only (only X-RateLimit-*, reset in epoch
    /// seconds, Retry-After an HTTP date) [default: standard; x-only with --compat].
    #[arg(long)]
    pub rate_headers: Option<RateHeaders>,
    /// How many answers a Log Search query gives "still running" (202 with a
    /// Self link to poll) before its result; also `PUT /_sim/log-search`.
    #[arg(long, default_value_t = 0, value_name = "N")]
    pub log_search_pending: u32,
    /// Serve the role rules of the older documentation: an organization
    /// administrator also manages their organization's organization keys and
    /// sees every key of it (default: today's rules, organization keys for
    /// Platform Administrators only).
    #[arg(long)]
    pub legacy_roles: bool,
    /// Start with an audit trail: a generate event for every seeded key
    /// generated in the last 30 days (the demo does this).
    #[arg(long)]
    pub audit_history: bool,
    /// Seed names full of escape sequences, control and bidi characters,
    /// huge and empty strings, emoji.
    #[arg(long)]
    pub hostile_names: bool,
    /// Also write the credentials JSON to this file (mode 0600).
    #[arg(long)]
    pub credentials_out: Option<PathBuf>,
}

/// A parsed fault spec (a newtype so clap does not treat it as a list of values).
#[derive(Debug, Clone, Default)]
pub struct FaultList(pub Vec<FaultRule>);

fn parse_faults(text: &str) -> Result<FaultList, String> {
    parse_spec(text).map(FaultList)
}

/// The command line's definition, as parsed, completed and documented: the
/// top-level connection flags are local to the top level, while each
/// platform command's own copy is global within it.
pub fn definition() -> clap::Command {
    Cli::command().mut_args(|arg| arg.global(false))
}

impl Cli {
    /// Parses the process's arguments.
    pub fn parse_args() -> Result<Cli, clap::Error> {
        Cli::parse_args_from(std::env::args_os())
    }

    /// Parses `args` (the first is the program's name).
    pub fn parse_args_from<I, T>(args: I) -> Result<Cli, clap::Error>
    where
        I: IntoIterator<Item = T>,
        T: Into<std::ffi::OsString> + Clone,
    {
        let mut definition = definition();
        let mut matches = definition.try_get_matches_from_mut(args)?;
        if let Some((name, _)) = matches.subcommand() {
            let name = name.to_string();
            let local = Cli::command()
                .get_subcommands()
                .find(|c| c.get_name() == name)
                .is_some_and(|c| !c.get_arguments().any(|a| a.get_id() == "region"));
            let given = connection_ids()
                .into_iter()
                .find(|id| matches.value_source(id) == Some(ValueSource::CommandLine));
            if let (true, Some(id)) = (local, given) {
                return Err(definition.error(
                    ErrorKind::ArgumentConflict,
                    format!(
                        "--{} does not apply to `r7keys {name}`",
                        id.replace('_', "-")
                    ),
                ));
            }
        }
        Cli::from_arg_matches_mut(&mut matches)
    }

    /// The connection flags in force for the command: those given after its
    /// name win over those given before it.
    pub fn connection_for_command(&self) -> ConnectionArgs {
        match self.command.as_ref().and_then(Command::connection) {
            Some(after) => self.connection.overlay(after),
            None => self.connection.clone(),
        }
    }
}

/// The ids of the connection flags.
fn connection_ids() -> Vec<String> {
    ConnectionArgs::augment_args(clap::Command::new("connection"))
        .get_arguments()
        .map(|a| a.get_id().to_string())
        .collect()
}

impl ConnectionArgs {
    /// These flags with `after`'s on top: a value given after the command's
    /// name wins (for `--ca-cert` too, as clap's global flags always did),
    /// switches add up.
    #[must_use]
    pub fn overlay(&self, after: &ConnectionArgs) -> ConnectionArgs {
        fn pick<T: Clone>(before: Option<&T>, after: Option<&T>) -> Option<T> {
            after.or(before).cloned()
        }
        ConnectionArgs {
            profile: pick(self.profile.as_ref(), after.profile.as_ref()),
            config: pick(self.config.as_ref(), after.config.as_ref()),
            region: pick(self.region.as_ref(), after.region.as_ref()),
            endpoint: pick(self.endpoint.as_ref(), after.endpoint.as_ref()),
            tc_endpoint: pick(self.tc_endpoint.as_ref(), after.tc_endpoint.as_ref()),
            api_key_file: pick(self.api_key_file.as_ref(), after.api_key_file.as_ref()),
            tc_api_key_file: pick(
                self.tc_api_key_file.as_ref(),
                after.tc_api_key_file.as_ref(),
            ),
            ca_cert: if after.ca_cert.is_empty() {
                self.ca_cert.clone()
            } else {
                after.ca_cert.clone()
            },
            tenant: pick(self.tenant.as_ref(), after.tenant.as_ref()),
            read_only: self.read_only || after.read_only,
            output: pick(self.output.as_ref(), after.output.as_ref()),
            verbose: self.verbose || after.verbose,
            timeout: pick(self.timeout.as_ref(), after.timeout.as_ref()),
            connect_timeout: pick(
                self.connect_timeout.as_ref(),
                after.connect_timeout.as_ref(),
            ),
            page_size: pick(self.page_size.as_ref(), after.page_size.as_ref()),
            concurrency: pick(self.concurrency.as_ref(), after.concurrency.as_ref()),
            retries: pick(self.retries.as_ref(), after.retries.as_ref()),
            deadline: pick(self.deadline.as_ref(), after.deadline.as_ref()),
            no_journal: self.no_journal || after.no_journal,
            present: self.present || after.present,
            max_pages: pick(self.max_pages.as_ref(), after.max_pages.as_ref()),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(line: &str) -> Result<Cli, clap::Error> {
        Cli::parse_args_from(std::iter::once("r7keys").chain(line.split_whitespace()))
    }

    fn connection(line: &str) -> ConnectionArgs {
        parse(line)
            .unwrap_or_else(|e| panic!("{line}: {e}"))
            .connection_for_command()
    }

    #[test]
    fn present_is_a_global_flag() {
        assert!(!connection("").present);
        for line in [
            "--present",
            "--present --demo",
            "keys list --present",
            "--demo --present",
        ] {
            assert!(connection(line).present, "{line}");
        }
    }

    #[test]
    fn connection_flags_go_before_or_after_the_command() {
        for line in [
            "--region eu keys list",
            "keys list --region eu",
            "keys --region eu list",
            "--region us keys list --region eu",
            "--region eu validate",
            "validate --region eu",
            "--region eu",
            "doctor --region eu",
            "--region eu config show",
            "config show --region eu",
        ] {
            assert_eq!(connection(line).region.as_deref(), Some("eu"), "{line}");
        }
        let c = connection("--ca-cert a.pem -v keys list --ca-cert b.pem --read-only");
        assert_eq!(
            c.ca_cert,
            vec![PathBuf::from("b.pem")],
            "the later list wins"
        );
        assert!(c.verbose && c.read_only);
        let c = connection("--ca-cert a.pem --ca-cert b.pem tc status --output json");
        assert_eq!(
            c.ca_cert,
            vec![PathBuf::from("a.pem"), PathBuf::from("b.pem")]
        );
        assert_eq!(c.output, Some(OutputFormat::Json));
        let c = connection("keys list --ca-cert a.pem --ca-cert b.pem --tenant t");
        assert_eq!(c.ca_cert.len(), 2);
        assert_eq!(c.tenant.as_deref(), Some("t"));
    }

    #[test]
    fn the_simulator_and_the_generators_take_no_connection_flags() {
        for line in [
            "simulate --tenant x",
            "simulate --output json",
            "--region eu simulate",
            "--api-key-file k simulate --seed 3",
            "completions bash --region eu",
            "--region eu man",
        ] {
            let error = parse(line).expect_err(line);
            assert!(
                matches!(
                    error.kind(),
                    ErrorKind::UnknownArgument | ErrorKind::ArgumentConflict
                ),
                "{line}: {error}"
            );
        }
        assert!(parse("simulate --seed 3 --keys 10").is_ok());
        assert!(parse("completions zsh").is_ok());
    }

    #[test]
    fn simulate_help_lists_only_the_simulators_flags() {
        let help = definition()
            .find_subcommand_mut("simulate")
            .expect("simulate")
            .render_long_help()
            .to_string();
        assert!(
            help.contains("--credentials-out") && help.contains("--faults"),
            "{help}"
        );
        for flag in connection_ids() {
            let flag = format!("--{}", flag.replace('_', "-"));
            assert!(!help.contains(&format!("{flag} ")), "{flag} in {help}");
            assert!(!help.contains(&format!("{flag}\n")), "{flag} in {help}");
        }
    }
}
