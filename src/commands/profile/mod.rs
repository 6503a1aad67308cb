//! `r7keys config init` writes a commented starter profile (region, where
//! the key comes from, never the key itself); `r7keys config show` prints
//! the settings in force, merged from flags, environment and profile, with
//! where each came from and no secret.

mod init;
mod show;

use super::{CommandResult, Failure};
use crate::api::error::exit;
use crate::cli::{ConfigCommand, ConnectionArgs};

pub fn run(command: &ConfigCommand, args: &ConnectionArgs) -> CommandResult {
    match command {
        ConfigCommand::Init(flags) => init::init(args, flags),
        ConfigCommand::Show => show::show(args),
    }
}

fn usage(message: impl Into<String>) -> Failure {
    Failure::new(exit::USAGE, message)
}
