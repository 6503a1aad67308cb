//! The scriptable commands. Each returns an exit code (see
//! [`crate::api::error::exit`]); errors are printed on stderr, results on
//! stdout.

mod budgets;
mod confirm;
mod context;
mod key_source;
mod keys;
mod orgs;
pub mod out;
pub mod output;
mod rotate;
mod tc;
mod waits;

pub use context::Context;

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

/// Runs a platform command; answers its exit code.
pub async fn run(command: Command, args: &ConnectionArgs) -> u8 {
    let outcome = async {
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
    {
        match command {
            Command::Validate => validate(cx).await,
            Command::Keys(KeysCommand::List {
                kind,
                org,
                all_tenants,
                older_than,
            }) => keys::list(cx, kind, org, all_tenants, older_than).await,
            Command::Keys(KeysCommand::Generate { kind, name, org }) => {
                keys::generate(cx, kind, name, org).await
            }
            Command::Keys(KeysCommand::Revoke { id, yes }) => keys::revoke(cx, &id, yes).await,
            Command::Keys(KeysCommand::Rotate {
                id,
                yes,
                keep_old,
                name,
            }) => rotate::rotate(cx, &id, yes, keep_old, name).await,
            Command::Orgs(OrgsCommand::List) => orgs::list(cx).await,
            Command::Orgs(OrgsCommand::Managed) => orgs::managed(cx).await,
            Command::Tc(TcCommand::Status { customer }) => tc::status(cx, customer).await,
            Command::Simulate(_) => Err(Failure::new(
                exit::USAGE,
                "simulate is not a platform command",
            )),
        }
    }
}
