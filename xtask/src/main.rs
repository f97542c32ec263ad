//! `cargo xtask`: the project's automation, one subcommand per task.

mod bench;
mod cel_cost;
mod e2e;
mod gen_crds;
mod mutants;
mod package;
mod test;
mod timings;
mod translate;

use clap::{Parser, Subcommand};
use std::process::ExitCode;

#[derive(Parser)]
#[command(
    name = "cargo xtask",
    about = "Project automation for the agentgateway API"
)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Regenerate the CRD templates of the agentgateway-crds chart from the Rust types.
    GenCrds(gen_crds::Args),
    /// Fail when the CRDs the types produce could break objects stored under the chart
    /// of a git revision (removed fields, tightened validation, ...).
    Breaking(gen_crds::BreakingArgs),
    /// Package the chart for release (refuses on drift; `helm lint --strict`; writes the
    /// schemas and reference archives beside it; prints the archives and their SHA-256;
    /// `--push oci://...` runs `helm push`, refusing a version the registry has).
    Package(package::Args),
    /// Run the whole test suite, as CI does.
    Test,
    /// The CEL cost the apiserver estimates for each CRD and rule, and the ceiling of
    /// every bound entering a cost: `cel-cost [--crd NAME] [--output text|json] [FILE...]`.
    CelCost(cel_cost::Args),
    /// Measure the edit-to-template loop (see BENCHMARKS.md).
    Bench(bench::Args),
    /// Print what AgentgatewayBackends become for agentgateway: resources and status.
    Translate(translate::Args),
    /// Start or stop a local test cluster (etcd + kube-apiserver) with the chart
    /// installed: `cluster up` / `cluster down` (the e2e binary defines the actions).
    #[command(disable_help_flag = true)]
    Cluster {
        /// Passed on to `agentgateway-e2e cluster`.
        #[arg(trailing_var_arg = true, allow_hyphen_values = true)]
        args: Vec<String>,
    },
    /// Run the end-to-end tests on a real kube-apiserver and Helm:
    /// `e2e [--seed N] [--objects N] [--soak]` (the generative test's seed and size).
    #[command(disable_help_flag = true)]
    E2e {
        /// Passed on to `agentgateway-e2e run`.
        #[arg(trailing_var_arg = true, allow_hyphen_values = true)]
        args: Vec<String>,
    },
    /// Mutation testing (cargo-mutants) of crdgen, validate and translate, each with
    /// its own tests; writes TESTING.md's tables. `--in-diff BASE`: the pre-merge gate.
    Mutants(mutants::Args),
    /// Validate agentgateway.dev objects in YAML files offline, as the apiserver would:
    /// `validate [--strict] [--output text|json] FILE|DIR...` (exit 1: invalid, 2: unreadable).
    #[command(disable_help_flag = true)]
    Validate {
        /// Passed on to `agentgateway-validate`.
        #[arg(trailing_var_arg = true, allow_hyphen_values = true)]
        args: Vec<std::ffi::OsString>,
    },
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    let result = match cli.command {
        Command::GenCrds(args) => gen_crds::run(&args),
        Command::Breaking(args) => gen_crds::run_breaking(&args),
        Command::Package(args) => package::run(&args),
        Command::Test => test::run(),
        Command::CelCost(args) => cel_cost::run(&args),
        Command::Bench(args) => bench::run(&args),
        Command::Translate(args) => translate::run(&args),
        Command::Cluster { args } => e2e::cluster(&args),
        Command::E2e { args } => {
            let mut all = vec!["run"];
            all.extend(args.iter().map(String::as_str));
            e2e::run(&all)
        }
        Command::Mutants(args) => mutants::run(&args),
        Command::Validate { args } => {
            let args: Vec<&std::ffi::OsStr> = args.iter().map(|a| a.as_os_str()).collect();
            forward("agentgateway-validate", &args, None)
        }
    };
    match result {
        Ok(code) => code,
        Err(e) => {
            eprintln!("error: {e:#}");
            ExitCode::FAILURE
        }
    }
}

/// The cargo that runs this xtask (`$CARGO`), so nested builds use the same toolchain.
pub fn cargo() -> String {
    std::env::var("CARGO").unwrap_or_else(|_| "cargo".into())
}

/// Runs the binary of workspace package `package` with `args` through `cargo run`
/// (building it first), in `dir` or the current directory, and passes its exit status
/// on (its exit code, e.g. 2, unchanged). Heavy tools live in their own crates this way, so `gen-crds` never builds them.
pub fn forward(
    package: &str,
    args: &[&std::ffi::OsStr],
    dir: Option<&std::path::Path>,
) -> anyhow::Result<ExitCode> {
    use anyhow::Context;
    let cargo = cargo();
    let mut cmd = std::process::Command::new(&cargo);
    cmd.args(["run", "--quiet", "--package", package, "--"])
        .args(args);
    if let Some(dir) = dir {
        cmd.current_dir(dir);
    }
    let status = cmd
        .status()
        .with_context(|| format!("running `{cargo} run --package {package}`"))?;
    Ok(match status.code() {
        Some(0) => ExitCode::SUCCESS,
        Some(code) => ExitCode::from(u8::try_from(code).unwrap_or(1)),
        None => ExitCode::FAILURE,
    })
}

pub use crdgen::repo::workspace_root;
