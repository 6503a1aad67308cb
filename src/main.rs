//! The `r7keys` binary: parses the command line and runs the chosen command.

use std::io::{IsTerminal, Write};
use std::process::ExitCode;

use r7keys::cli::{Cli, Command, SimulateArgs};
use r7keys::simulator::{Credentials, SimConfig, Simulator};

fn main() -> ExitCode {
    let _ = r7keys::runtime::PROCESS_START.set(std::time::Instant::now());
    let cli = match Cli::parse_args() {
        Ok(cli) => cli,
        Err(error) => {
            let usage = error.use_stderr();
            // clap prints with `print!`, which panics on a closed pipe.
            let styled = if usage {
                std::io::stderr().is_terminal()
            } else {
                std::io::stdout().is_terminal()
            };
            let rendered = error.render();
            let text = if styled {
                rendered.ansi().to_string()
            } else {
                rendered.to_string()
            };
            let _ = if usage {
                std::io::stderr().write_all(text.as_bytes())
            } else {
                std::io::stdout().write_all(text.as_bytes())
            };
            // Exit code 1 is "usage or configuration" (help and version are not errors).
            return if usage {
                ExitCode::from(1)
            } else {
                ExitCode::SUCCESS
            };
        }
    };
    let runtime = match tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
    {
        Ok(runtime) => runtime,
        Err(error) => {
            r7keys::say!("r7keys: cannot start the async runtime: {error}");
            return ExitCode::from(1);
        }
    };
    r7keys::api::tls::install_default_provider();
    r7keys::logging::init();
    let connection = cli.connection_for_command();
    let outcome = runtime.block_on(async {
        match cli.command {
            Some(Command::Simulate(args)) => simulate(args).await,
            Some(command) => Ok(ExitCode::from(
                r7keys::commands::run(command, &connection).await,
            )),
            None if cli.demo => Ok(ExitCode::from(
                r7keys::console::demo(cli.demo_role.principal(), &connection).await,
            )),
            None => Ok(ExitCode::from(r7keys::console::console(&connection).await)),
        }
    });
    outcome.unwrap_or_else(|message| {
        r7keys::say!("r7keys: {message}");
        ExitCode::from(1)
    })
}

fn config_from(args: &SimulateArgs) -> SimConfig {
    SimConfig {
        listen: args.listen,
        seed: args.seed,
        orgs: args.orgs,
        users: args.users,
        keys: args.keys,
        tenants: args.tenants,
        page_cap: args.page_cap,
        rate_limit: args.rate_limit,
        latency: args.latency,
        faults: args.faults.0.clone(),
        compat: args.compat,
        rate_headers: args.rate_headers,
        hostile_names: args.hostile_names,
        tenant_regions: args.tenant_regions.clone(),
        now: None,
        log_search_pending: args.log_search_pending,
        legacy_roles: args.legacy_roles,
        audit_history: args.audit_history,
    }
}

fn credentials_json(credentials: &Credentials) -> String {
    serde_json::to_string_pretty(credentials).unwrap_or_default()
}

/// Writes the credentials readable by the owner only: they hold API keys.
fn write_private(path: &std::path::Path, text: &str) -> std::io::Result<()> {
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create(true).truncate(true);
    #[cfg(unix)]
    std::os::unix::fs::OpenOptionsExt::mode(&mut options, 0o600);
    let mut file = options.open(path)?;
    file.write_all(text.as_bytes())?;
    file.write_all(b"\n")
}

async fn simulate(args: SimulateArgs) -> Result<ExitCode, String> {
    let simulator = Simulator::start(config_from(&args))
        .await
        .map_err(|e| format!("cannot listen on {}: {e}", args.listen))?;
    let json = credentials_json(simulator.credentials());
    if let Some(path) = &args.credentials_out {
        write_private(path, &json).map_err(|e| format!("cannot write {}: {e}", path.display()))?;
    }
    let mut out = r7keys::commands::out::Output::new();
    out.line(&json);
    if out.finish().is_err() {
        return Err("cannot write the credentials to stdout".into());
    }
    r7keys::say!(
        "r7keys simulator listening on {} (ready in {} ms); Ctrl-C stops it",
        simulator.addr(),
        simulator.started_in().as_millis()
    );
    wait_for_stop().await;
    simulator.stop().await;
    Ok(ExitCode::SUCCESS)
}

async fn wait_for_stop() {
    #[cfg(unix)]
    {
        use tokio::signal::unix::{SignalKind, signal};
        if let Ok(mut term) = signal(SignalKind::terminate()) {
            tokio::select! {
                _ = tokio::signal::ctrl_c() => {}
                _ = term.recv() => {}
            }
            return;
        }
    }
    let _ = tokio::signal::ctrl_c().await;
}
