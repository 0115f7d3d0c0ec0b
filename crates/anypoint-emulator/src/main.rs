//! `anypoint-emulator`: serve the in-memory Anypoint Platform on loopback.
//!
//! The first line of standard output is the URL; then a human-readable
//! banner with the credentials it accepts. Stops cleanly on SIGTERM/SIGINT.

use std::io::Write;
use std::process::ExitCode;

use anypoint_emulator::{
    parse_args, write_file_atomically, CliCommand, CliOptions, Emulator, ADMIN_PREFIX,
    DEFAULT_CLIENT_SECRET, ENVIRONMENT_ID, USAGE,
};

fn main() -> ExitCode {
    let opts = match parse_args(std::env::args().skip(1)) {
        Ok(CliCommand::Help) => {
            print!("{USAGE}");
            return ExitCode::SUCCESS;
        }
        Ok(CliCommand::Run(opts)) => *opts,
        Err(e) => {
            eprintln!("anypoint-emulator: {e}\n\n{USAGE}");
            return ExitCode::from(2);
        }
    };
    tracing_subscriber::fmt()
        .with_writer(std::io::stderr)
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_default_env()
                .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("warn")),
        )
        .init();
    let runtime = match tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
    {
        Ok(rt) => rt,
        Err(e) => {
            eprintln!("anypoint-emulator: cannot start the runtime: {e}");
            return ExitCode::FAILURE;
        }
    };
    match runtime.block_on(run(opts)) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("anypoint-emulator: {e}");
            ExitCode::FAILURE
        }
    }
}

async fn run(opts: CliOptions) -> Result<(), String> {
    // Install the handlers before announcing the URL, so a script that reads
    // the URL and then sends SIGTERM always gets a clean exit.
    let stop = stop_signals()?;

    let config = opts.config.clone();
    let emulator = Emulator::start_on(opts.listen, opts.config)
        .await
        .map_err(|e| format!("cannot start on {}: {e}", opts.listen))?;
    let url = emulator.url();
    if let Some(path) = &opts.url_file {
        write_file_atomically(path, format!("{url}\n").as_bytes())
            .map_err(|e| format!("cannot write --url-file {}: {e}", path.display()))?;
    }
    // Only the well-known demo secret is ever printed; a secret given with
    // --client-secret stays out of the output.
    let secret_shown = if config.client_secret == DEFAULT_CLIENT_SECRET {
        DEFAULT_CLIENT_SECRET
    } else {
        "(the value given with --client-secret)"
    };
    let mut out = std::io::stdout().lock();
    // Write errors (e.g. a closed pipe after `head -1`) are not fatal.
    let _ = writeln!(out, "{url}");
    let _ = out.flush();
    let _ = writeln!(
        out,
        "Anypoint emulator listening on {url}\n\
         client_id:      {}\n\
         client_secret:  {secret_shown}\n\
         org_id:         {}\n\
         environment_id: {ENVIRONMENT_ID}\n\
         token_ttl:      {}s\n\
         state_file:     {}\n\
         admin routes:   {}\n\
         variants:       {}\n\
         Stop with Ctrl-C (SIGINT) or SIGTERM.",
        config.client_id,
        config.org_id,
        config.token_ttl.as_secs(),
        config
            .state_file
            .as_deref()
            .map(|p| p.display().to_string())
            .unwrap_or_else(|| "(none: state is lost at exit)".to_owned()),
        if config.admin {
            format!("{url}{ADMIN_PREFIX} (loopback clients only)")
        } else {
            "off (start with --admin to serve them)".to_owned()
        },
        if config.variants.is_empty() {
            "none (the default answers)".to_owned()
        } else {
            config
                .variants
                .iter()
                .map(|v| v.name())
                .collect::<Vec<_>>()
                .join(", ")
        },
    );
    let _ = out.flush();
    drop(out);

    stop.await;
    emulator.shutdown().await;
    Ok(())
}

/// Resolves at SIGTERM or SIGINT (Ctrl-C, Ctrl-Break on Windows).
#[cfg(unix)]
fn stop_signals() -> Result<impl std::future::Future<Output = ()>, String> {
    use tokio::signal::unix::{signal, SignalKind};
    let mut term = signal(SignalKind::terminate()).map_err(|e| format!("SIGTERM handler: {e}"))?;
    let mut int = signal(SignalKind::interrupt()).map_err(|e| format!("SIGINT handler: {e}"))?;
    Ok(async move {
        tokio::select! {
            _ = term.recv() => {}
            _ = int.recv() => {}
        }
    })
}

#[cfg(windows)]
fn stop_signals() -> Result<impl std::future::Future<Output = ()>, String> {
    use tokio::signal::windows::{ctrl_break, ctrl_c};
    let mut c = ctrl_c().map_err(|e| format!("Ctrl-C handler: {e}"))?;
    let mut brk = ctrl_break().map_err(|e| format!("Ctrl-Break handler: {e}"))?;
    Ok(async move {
        tokio::select! {
            _ = c.recv() => {}
            _ = brk.recv() => {}
        }
    })
}
