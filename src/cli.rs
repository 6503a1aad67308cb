//! The command line: `r7keys [--demo] [COMMAND]`.
// The doc comments below are clap's --help text, where Markdown backticks would show.
#![allow(clippy::doc_markdown)]

use std::net::SocketAddr;
use std::path::PathBuf;

use clap::{Args, Parser, Subcommand, ValueEnum};

use crate::api::KeyKind;
use crate::simulator::faults::{FaultRule, Latency, parse_spec};
use crate::simulator::{RateBudget, RateHeaders};

/// A terminal console for Rapid7 Command Platform API keys.
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
#[derive(Debug, Clone, Default, Args)]
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
    /// Seconds to wait for each answer.
    #[arg(long, global = true)]
    pub timeout: Option<u64>,
    /// Seconds to wait for a connection.
    #[arg(long, global = true)]
    pub connect_timeout: Option<u64>,
    /// Page size asked for (the server may answer fewer).
    #[arg(long, global = true)]
    pub page_size: Option<usize>,
    /// Pages fetched at once.
    #[arg(long, global = true)]
    pub concurrency: Option<usize>,
    /// Retries of idempotent calls.
    #[arg(long, global = true)]
    pub retries: Option<u32>,
}

/// How results are printed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum OutputFormat {
    Table,
    Json,
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
    Validate,
    /// List, generate, revoke and rotate API keys.
    #[command(subcommand)]
    Keys(KeysCommand),
    /// List organizations.
    #[command(subcommand)]
    Orgs(OrgsCommand),
    /// Threat Command.
    #[command(subcommand)]
    Tc(TcCommand),
    /// Serve a local Command Platform and Threat Command simulator.
    Simulate(SimulateArgs),
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
