//! The scriptable commands. Each returns an exit code (see
//! [`crate::api::error::exit`]); errors are printed on stderr, results on
//! stdout.

mod audit;
mod budgets;
mod confirm;
mod context;
pub mod doctor;
mod inventory;
mod journal;
mod key_source;
mod keys;
mod orgs;
pub mod out;
pub mod output;
mod profile;
mod rotate;
pub mod shell;
mod tc;
mod waits;
pub mod when;

pub use context::{Context, KeySource, command_program, readable_by_others};

use crate::api::ApiError;
use crate::api::error::exit;
use crate::cli::{Command, ConnectionArgs, KeysCommand, OrgsCommand, TcCommand};

/// A command that stopped, with its exit code and what to tell the user.
#[derive(Debug)]
pub struct Failure {
    pub code: u8,
    pub message: String,
}

impl Failure {
    pub fn new(code: u8, message: impl Into<String>) -> Self {
        Failure {
            code,
            message: message.into(),
        }
    }

    /// An end with nothing to say (the reader of the output went away).
    pub fn quiet(code: u8) -> Self {
        Failure::new(code, "")
    }
}

impl From<ApiError> for Failure {
    fn from(error: ApiError) -> Self {
        Failure::new(error.exit_code(), error.to_string())
    }
}

/// A command's outcome: the exit code on success.
pub type CommandResult = Result<u8, Failure>;

async fn validate(cx: &Context) -> CommandResult {
    let client = cx.client()?;
    client.validate(&cx.target()).await?;
    crate::say!(
        "the key (fingerprint {}) works at region {}",
        client.key_fingerprint(),
        cx.region
    );
    if let Some(email) = &cx.profile.email {
        match client.user_by_email(&cx.target(), email).await {
            Ok(Some(user)) if user.platform_admin == Some(true) => {
                crate::say!("{email} is a platform administrator");
            }
            Ok(Some(_)) => crate::say!("{email} is not a platform administrator"),
            Ok(None) => crate::say!("no user {email} is visible to this key"),
            Err(error) => crate::say!("could not look up {email}: {error}"),
        }
    }
    Ok(exit::OK)
}

/// Runs a command other than `simulate`; answers its exit code. `args` are
/// the connection flags in force (see [`crate::cli::Cli::connection_for_command`]).
pub async fn run(command: Command, args: &ConnectionArgs) -> u8 {
    let outcome = async {
        match command {
            Command::Doctor(doctor) => return Ok(doctor::run(args, doctor.find_region).await),
            Command::Completions(c) => return shell::completions(c.shell),
            Command::Man(m) => return shell::man(m.dir.as_deref()),
            Command::Config(scoped) => return profile::run(&scoped.command, args),
            _ => {}
        }
        let cx = Context::resolve(args)?;
        let outcome = run_in(command, &cx).await;
        cx.remember_budgets();
        outcome
    }
    .await;
    match outcome {
        Ok(code) => code,
        Err(failure) => {
            if !failure.message.is_empty() {
                crate::say!("r7keys: {}", failure.message);
            }
            failure.code
        }
    }
}

async fn run_in(command: Command, cx: &Context) -> CommandResult {
    match command {
        Command::Validate(_) => validate(cx).await,
        Command::Keys(scoped) => match scoped.command {
            KeysCommand::List {
                kind,
                org,
                all_tenants,
                older_than,
            } => keys::list(cx, kind, org, all_tenants, older_than).await,
            KeysCommand::Generate { kind, name, org } => keys::generate(cx, kind, name, org).await,
            KeysCommand::Revoke { id, yes } => keys::revoke(cx, &id, yes).await,
            KeysCommand::Rotate {
                id,
                yes,
                keep_old,
                name,
            } => rotate::rotate(cx, &id, yes, keep_old, name).await,
        },
        Command::Orgs(scoped) => match scoped.command {
            OrgsCommand::List => orgs::list(cx).await,
            OrgsCommand::Managed => orgs::managed(cx).await,
        },
        Command::Tc(scoped) => match scoped.command {
            TcCommand::Status { customer } => tc::status(cx, customer).await,
        },
        Command::Audit(args) => audit::run(cx, args).await,
        Command::Inventory(args) => inventory::run(cx, &args).await,
        Command::Journal(args) => journal::run(cx, &args),
        Command::Doctor(_)
        | Command::Config(_)
        | Command::Completions(_)
        | Command::Man(_)
        | Command::Simulate(_) => Err(Failure::new(exit::USAGE, "not a platform command")),
    }
}
