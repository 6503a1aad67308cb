//! The scriptable commands. Each returns an exit code (see
//! [`crate::api::error::exit`]); errors are printed on stderr, results on
//! stdout.

mod audit;
mod confirm;
mod context;
mod journal;
mod keys;
mod orgs;
pub mod output;
mod tc;
pub mod when;

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

/// Runs a platform command; answers its exit code.
pub async fn run(command: Command, args: &ConnectionArgs) -> u8 {
    let outcome = async {
        let cx = Context::resolve(args)?;
        match command {
            Command::Validate => validate(&cx).await,
            Command::Keys(KeysCommand::List {
                kind,
                org,
                all_tenants,
                older_than,
            }) => keys::list(&cx, kind, org, all_tenants, older_than).await,
            Command::Keys(KeysCommand::Generate { kind, name, org }) => {
                keys::generate(&cx, kind, name, org).await
            }
            Command::Keys(KeysCommand::Revoke { id, yes }) => keys::revoke(&cx, &id, yes).await,
            Command::Keys(KeysCommand::Rotate {
                id,
                yes,
                keep_old,
                name,
            }) => keys::rotate(&cx, &id, yes, keep_old, name).await,
            Command::Orgs(OrgsCommand::List) => orgs::list(&cx).await,
            Command::Orgs(OrgsCommand::Managed) => orgs::managed(&cx).await,
            Command::Tc(TcCommand::Status { customer }) => tc::status(&cx, customer).await,
            Command::Audit(args) => audit::run(&cx, args).await,
            Command::Journal(args) => journal::run(&cx, &args),
            Command::Simulate(_) => Err(Failure::new(
                exit::USAGE,
                "simulate is not a platform command",
            )),
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
