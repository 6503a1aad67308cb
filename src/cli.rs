//! The command line: `r7keys [--demo] [COMMAND]`.

use std::net::SocketAddr;
use std::path::PathBuf;

use clap::{Args, Parser, Subcommand, ValueEnum};

use crate::simulator::RateBudget;
use crate::simulator::faults::{FaultRule, Latency, parse_spec};

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

    #[command(subcommand)]
    pub command: Option<Command>,
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
    /// Serve a local Command Platform and Threat Command simulator.
    Simulate(SimulateArgs),
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
