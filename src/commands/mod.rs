//! The scriptable commands. Each returns an exit code (see
//! [`crate::api::error::exit`]); errors are printed on stderr, results on
//! stdout.

mod confirm;
mod context;
pub mod doctor;
mod keys;
mod orgs;
pub mod output;
mod profile;
pub mod shell;
mod tc;

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
    eprintln!(
        "the key (fingerprint {}) works at region {}",
        client.key_fingerprint(),
        cx.region
    );
    if let Some(email) = &cx.profile.email {
        match client.user_by_email(&cx.target(), email).await {
            Ok(Some(user)) if user.platform_admin == Some(true) => {
                eprintln!("{email} is a platform administrator");
            }
            Ok(Some(_)) => eprintln!("{email} is not a platform administrator"),
            Ok(None) => eprintln!("no user {email} is visible to this key"),
            Err(error) => eprintln!("could not look up {email}: {error}"),
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
        match command {
            Command::Validate(_) => validate(&cx).await,
            Command::Keys(scoped) => match scoped.command {
                KeysCommand::List {
                    kind,
                    org,
                    all_tenants,
                    older_than,
                } => keys::list(&cx, kind, org, all_tenants, older_than).await,
                KeysCommand::Generate { kind, name, org } => {
                    keys::generate(&cx, kind, name, org).await
                }
                KeysCommand::Revoke { id, yes } => keys::revoke(&cx, &id, yes).await,
                KeysCommand::Rotate {
                    id,
                    yes,
                    keep_old,
                    name,
                } => keys::rotate(&cx, &id, yes, keep_old, name).await,
            },
            Command::Orgs(scoped) => match scoped.command {
                OrgsCommand::List => orgs::list(&cx).await,
                OrgsCommand::Managed => orgs::managed(&cx).await,
            },
            Command::Tc(scoped) => match scoped.command {
                TcCommand::Status { customer } => tc::status(&cx, customer).await,
            },
            Command::Doctor(_)
            | Command::Config(_)
            | Command::Completions(_)
            | Command::Man(_)
            | Command::Simulate(_) => Err(Failure::new(exit::USAGE, "not a platform command")),
        }
    }
    .await;
    match outcome {
        Ok(code) => code,
        Err(failure) => {
            eprintln!("r7keys: {}", failure.message);
            failure.code
        }
    }
}
