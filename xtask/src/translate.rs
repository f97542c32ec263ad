//! `cargo xtask translate FILE...`: shows what backends become for agentgateway.
//! Forwarded to the `agentgateway-translate` binary (crate `translate/`), so that
//! `gen-crds` neither compiles nor links the translation.

use std::{path::PathBuf, process::ExitCode};

#[derive(clap::Args)]
pub struct Args {
    /// Case files: YAML documents with exactly one AgentgatewayBackend.
    #[arg(required = true, value_name = "FILE")]
    files: Vec<PathBuf>,
}

pub fn run(args: &Args) -> anyhow::Result<ExitCode> {
    let files: Vec<&std::ffi::OsStr> = args.files.iter().map(|f| f.as_os_str()).collect();
    // Relative paths are the user's: run from the current directory.
    crate::forward("agentgateway-translate", &files, None)
}
