//! `terraform-provider-anypoint`: the provider binary Terraform starts.

use std::sync::Arc;

use anypoint_provider::provider::{AnypointProvider, NAMES, PROVIDER_ADDRESS};
use tfplugin::plugin::{self, logging, Mode};

const USAGE: &str =
    "terraform-provider-anypoint: Terraform provider for Anypoint Platform client applications

Terraform starts this binary itself. Options for people:
  --debug                  serve on loopback without TLS and print TF_REATTACH_PROVIDERS to paste
  --provider-address ADDR  the address to put in TF_REATTACH_PROVIDERS (default: PROVIDER_ADDRESS)
  --version                print the version
  --help                   print this help";

fn main() {
    let mut debug = false;
    let mut address = PROVIDER_ADDRESS.to_owned();
    let mut args = std::env::args().skip(1);
    while let Some(a) = args.next() {
        match a.as_str() {
            "--version" | "-version" | "version" => {
                println!("terraform-provider-anypoint {}", env!("CARGO_PKG_VERSION"));
                return;
            }
            "--help" | "-h" | "-help" => {
                println!("{}", USAGE.replace("PROVIDER_ADDRESS", PROVIDER_ADDRESS));
                return;
            }
            "--debug" | "-debug" => debug = true,
            "--provider-address" => match args.next() {
                Some(v) => address = v,
                None => {
                    eprintln!("--provider-address needs a value");
                    std::process::exit(2);
                }
            },
            other => {
                eprintln!(
                    "unknown argument {other:?}\n\n{}",
                    USAGE.replace("PROVIDER_ADDRESS", PROVIDER_ADDRESS)
                );
                std::process::exit(2);
            }
        }
    }
    let mode = if debug {
        Mode::Debug {
            provider_address: address,
        }
    } else {
        plugin::ignore_sigint();
        Mode::Managed
    };
    logging::init_from_env(NAMES);
    let runtime = match tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
    {
        Ok(r) => r,
        Err(e) => {
            eprintln!("terraform-provider-anypoint: cannot start the async runtime: {e}");
            std::process::exit(1);
        }
    };
    let code = runtime.block_on(plugin::serve(Arc::new(AnypointProvider), NAMES, mode));
    // Exit without waiting for background tasks (idle connections, timers).
    std::process::exit(code);
}
